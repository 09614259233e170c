/*
 * xyz.c - A3 XYZ (xyz.h): a pass over the receipt headers for the range, one
 * parallel scan of the lines into item x period sums (dense, per thread),
 * exact moments, cv and classes; the ABC-XYZ cross table.
 */
#include "analytics/xyz.h"
#include "core/date.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

kt_rc kt_xyz_parse_period(const char *s, const char *option, kt_xyz_period *out, kt_err *err) {
    if (!s || !strcmp(s, "week")) *out = KT_XYZ_WEEK;
    else if (!strcmp(s, "month")) *out = KT_XYZ_MONTH;
    else return kt_fail(err, KT_EUSAGE, option, "want week or month, not \"%.40s\"", s);
    return KT_OK;
}

/* ---- the range ---- */
typedef struct span_state {
    const kt_afilter *filter;
    uint32_t store_slots;
    int32_t min, max;
} span_state;

static void span_range(void *arg, const kt_cols_receipts *seg, size_t begin, size_t end) {
    span_state *s = arg;
    for (size_t i = begin; i < end; i++) {
        if (!kt_afilter_pass(s->filter, kt_actx_index_of(s->store_slots, seg->store[i]), seg->day[i])) continue;
        if (seg->day[i] < s->min) s->min = seg->day[i];
        if (seg->day[i] > s->max) s->max = seg->day[i];
    }
}

static int32_t month_number(kt_day d) {
    int y, m, md;
    kt_day_to_civil(d, &y, &m, &md);
    return y * 12 + (m - 1);
}

typedef struct shared {
    kt_actx *a;
    const kt_afilter *filter;
    kt_alevel level;
    kt_xyz_period period;
    uint32_t store_slots, sku_slots, periods;
    int32_t base;              /* the first period's Monday, or month number */
} shared;

static inline uint32_t period_of(const shared *sh, int32_t day) {
    if (sh->period == KT_XYZ_WEEK) return (uint32_t)((day - sh->base) / 7);
    return (uint32_t)(month_number(day) - sh->base);
}

typedef struct state { const shared *sh; int64_t *cells; bool overflow; } state;

static void scan_lines(void *arg, const kt_cols_lines *seg, size_t begin, size_t end) {
    state *st = arg;
    const shared *sh = st->sh;
    for (size_t i = begin; i < end; i++) {
        if (!kt_afilter_pass(sh->filter, kt_actx_index_of(sh->store_slots, seg->store[i]), seg->day[i])) continue;
        uint32_t g = kt_actx_sku_group(sh->a, sh->level, kt_actx_index_of(sh->sku_slots, seg->sku[i]));
        if (g == KT_ACTX_NONE) continue;
        int64_t *c = &st->cells[(size_t)g * sh->periods + period_of(sh, seg->day[i])];
        if (__builtin_add_overflow(*c, seg->qty_milli[i], c)) st->overflow = true;
    }
}

static int by_name(const void *x, const void *y) {
    return strcmp(((const kt_xyz_item *)x)->name, ((const kt_xyz_item *)y)->name);
}

kt_rc kt_xyz_run(kt_actx *a, const kt_afilter *f, kt_alevel level, kt_xyz_period period, double x, double y,
                 int threads, kt_xyz_result *out, kt_err *err) {
    *out = (kt_xyz_result){.first_day = KT_DAY_NONE, .last_day = KT_DAY_NONE};
    threads = threads < 1 ? 1 : threads > KT_ACTX_THREADS_MAX ? KT_ACTX_THREADS_MAX : threads;
    kt_rc rc = kt_actx_load_products(a, err);
    if (!rc && level == KT_ALEVEL_SKU) rc = kt_actx_load_names(a, KT_ADIM_SKU, err);
    if (rc) return rc;
    uint32_t store_slots = kt_actx_op_slots(a, KT_ADIM_STORE);
    span_state sp[KT_ACTX_THREADS_MAX];
    void *states[KT_ACTX_THREADS_MAX];
    for (int t = 0; t < threads; t++) {
        sp[t] = (span_state){f, store_slots, INT32_MAX, INT32_MIN};
        states[t] = &sp[t];
    }
    rc = kt_actx_scan_receipts(a, threads, span_range, states, err);
    if (rc) return rc;
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (int t = 0; t < threads; t++) {
        if (sp[t].min < lo) lo = sp[t].min;
        if (sp[t].max > hi) hi = sp[t].max;
    }
    if (lo > hi) return KT_OK; /* nothing passes the filter */
    int32_t first = f->from != INT32_MIN ? f->from : lo, last = f->to != INT32_MAX ? f->to : hi;
    shared sh = {a, f, level, period, store_slots, kt_actx_op_slots(a, KT_ADIM_SKU), 0, 0};
    sh.base = period == KT_XYZ_WEEK ? first - kt_day_weekday(first) : month_number(first);
    sh.periods = period_of(&sh, last) + 1;
    size_t groups = kt_actx_group_count(a, level);
    if (groups && (uint64_t)groups * sh.periods > KT_XYZ_CELLS_MAX)
        return kt_fail(err, KT_ENOMEM, "--period", "%zu items x %u periods is more than %u cells: use a longer period, "
                       "a shorter range or a higher level", groups, sh.periods, KT_XYZ_CELLS_MAX);
    out->periods = sh.periods;
    out->first_day = first;
    out->last_day = last;
    size_t cells = groups * sh.periods;
    state st[KT_ACTX_THREADS_MAX];
    for (int t = 0; t < threads; t++) {
        st[t] = (state){&sh, kt_xcalloc(cells ? cells : 1, sizeof(int64_t)), false};
        states[t] = &st[t];
    }
    out->memory_bytes = (size_t)threads * cells * sizeof(int64_t);
    rc = kt_actx_scan_lines(a, threads, scan_lines, states, err);
    bool overflow = false;
    for (int t = 0; !rc && t < threads; t++) {
        overflow |= st[t].overflow;
        for (size_t i = 0; t && i < cells; i++)
            if (__builtin_add_overflow(st[0].cells[i], st[t].cells[i], &st[0].cells[i])) overflow = true;
    }
    if (!rc && overflow) rc = kt_fail(err, KT_EINVAL, "qty", "an item's quantity does not fit in 64 bits");
    if (!rc) {
        out->items = kt_xcalloc(groups ? groups : 1, sizeof *out->items);
        long double P = sh.periods;
        for (size_t g = 0; g < groups && !rc; g++) {
            const int64_t *c = &st[0].cells[g * sh.periods];
            __int128 s = 0, q = 0;
            for (uint32_t p = 0; p < sh.periods; p++) {
                s += c[p];
                q += (__int128)c[p] * c[p];
            }
            if (s <= 0) continue;
            __int128 d = (__int128)sh.periods * q - s * s; /* P^2 variance, thousandths^2 */
            kt_xyz_item *it = &out->items[out->n++];
            it->item = (uint32_t)g;
            it->name = kt_actx_group_name(a, level, (uint32_t)g);
            it->total_milli = (int64_t)s;
            long double root = sqrtl((long double)d);
            it->mean = (double)((long double)s / P / 1000.0L);
            it->stddev = (double)(root / P / 1000.0L);
            it->cv = (double)(root / (long double)s);
            it->cls = it->cv < x ? 'X' : it->cv < y ? 'Y' : 'Z';
        }
        qsort(out->items, out->n, sizeof *out->items, by_name);
    }
    for (int t = 0; t < threads; t++) free(st[t].cells);
    if (rc) kt_xyz_free(out);
    return rc;
}

void kt_xyz_free(kt_xyz_result *r) {
    free(r->items);
    r->items = NULL;
    r->n = 0;
}

/* ---- ABC-XYZ ---- */
void kt_abcxyz_cross(const kt_abc_result *abc, const kt_xyz_result *xyz, kt_abcxyz *out) {
    memset(out, 0, sizeof *out);
    uint32_t max = 0;
    for (size_t i = 0; i < xyz->n; i++)
        if (xyz->items[i].item + 1 > max) max = xyz->items[i].item + 1;
    char *cls = kt_xcalloc(max ? max : 1, 1);
    for (size_t i = 0; i < xyz->n; i++) cls[xyz->items[i].item] = xyz->items[i].cls;
    for (size_t i = 0; i < abc->n; i++) {
        const kt_abc_item *it = &abc->items[i];
        if (it->item >= max || !cls[it->item]) continue;
        int r = it->cls - 'A', c = cls[it->item] - 'X';
        out->items[r][c]++;
        out->value[r][c] += it->value;
        out->total += it->value;
        out->nitems++;
    }
    free(cls);
}
