/*
 * report_util.c - the shared pieces of the reports (report_int.h): periods,
 * member bitsets, self-compacting key lists, ranking, profile groups.
 */
#include "analytics/report_int.h"
#include "core/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- periods ---- */
static int32_t floor_div(int32_t a, int32_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

int32_t kt_rper_ordinal(kt_rperiod p, int32_t day, unsigned minute) {
    int y, m, d;
    switch (p) {
    case KT_RPER_HOUR: return (int32_t)(minute / 60);
    case KT_RPER_WEEKDAY: return kt_day_weekday(day);
    case KT_RPER_DAY: return day;
    case KT_RPER_WEEK: return floor_div(day + 3, 7);
    case KT_RPER_MONTH: kt_day_to_civil(day, &y, &m, &d); return y * 12 + m - 1;
    }
    return 0;
}

kt_day kt_rper_first(kt_rperiod p, int32_t ord) {
    switch (p) {
    case KT_RPER_WEEK: return ord * 7 - 3;
    case KT_RPER_MONTH: return kt_day_from_civil(ord / 12, ord % 12 + 1, 1);
    default: return ord;
    }
}

kt_day kt_rper_last(kt_rperiod p, int32_t ord) {
    switch (p) {
    case KT_RPER_WEEK: return ord * 7 + 3;
    case KT_RPER_MONTH: return kt_rper_first(p, ord + 1) - 1;
    default: return ord;
    }
}

kt_acol kt_rper_column(kt_rperiod p) {
    switch (p) {
    case KT_RPER_HOUR:
    case KT_RPER_WEEKDAY: return (kt_acol){"period", KT_ACOL_INT, 0};
    case KT_RPER_MONTH: return (kt_acol){"period", KT_ACOL_TEXT, 0};
    default: return (kt_acol){"period", KT_ACOL_DAY, 0};
    }
}

void kt_rper_cell(kt_aout *o, kt_rperiod p, int32_t ord) {
    char b[16];
    switch (p) {
    case KT_RPER_HOUR: kt_aout_int(o, ord); break;
    case KT_RPER_WEEKDAY: kt_aout_int(o, ord + 1); break;
    case KT_RPER_MONTH:
        snprintf(b, sizeof b, "%04d-%02d", (int)(ord / 12) % 10000, (int)(ord % 12 + 1));
        kt_aout_text(o, b);
        break;
    default: kt_aout_day(o, kt_rper_first(p, ord)); break;
    }
}

/* ---- bitsets ---- */
kt_rc kt_rbits_init(kt_rbits *b, size_t sets, size_t bits, const char *option, kt_err *err) {
    *b = (kt_rbits){0};
    b->sets = sets;
    b->words = (bits + 63) / 64;
    if (b->words && sets > KT_REPORT_BITS_MAX / 8 / b->words)
        return kt_fail(err, KT_EUSAGE, option,
                       "%zu periods x %zu members need more than %zu MB for distinct counts: narrow --from/--to or "
                       "choose longer periods", sets, bits, KT_REPORT_BITS_MAX >> 20);
    size_t nwords = sets * b->words;
    b->w = kt_actx_zalloc(nwords, sizeof *b->w);
    return KT_OK;
}

void kt_rbits_free(kt_rbits *b) {
    free((void *)b->w);
    b->w = NULL;
}

void kt_rbits_or(kt_rbits *dst, const kt_rbits *src) {
    uint64_t *d = (uint64_t *)dst->w;
    const uint64_t *x = (const uint64_t *)src->w;
    for (size_t i = 0, n = dst->sets * dst->words; i < n; i++) d[i] |= x[i];
}

uint64_t kt_rbits_count(const kt_rbits *b, size_t set) {
    uint64_t n = 0;
    const _Atomic uint64_t *w = &b->w[set * b->words];
    for (size_t i = 0; i < b->words; i++) n += (uint64_t)__builtin_popcountll(atomic_load_explicit(&w[i], memory_order_relaxed));
    return n;
}

/* ---- key lists ---- */
void kt_rkvs_init(kt_rkvs *s, kt_rkv_merge_fn merge) {
    *s = (kt_rkvs){0};
    s->merge = merge;
    s->compact_at = 1u << 20;
}

void kt_rkvs_free(kt_rkvs *s) {
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

static int by_key(const void *x, const void *y) {
    uint64_t a = ((const kt_rkv *)x)->key, b = ((const kt_rkv *)y)->key;
    return a < b ? -1 : a > b;
}

void kt_rkvs_compact(kt_rkvs *s) {
    if (s->n < 2) return;
    qsort(s->v, s->n, sizeof *s->v, by_key);
    size_t w = 0;
    for (size_t i = 1; i < s->n; i++) {
        if (s->v[i].key == s->v[w].key) s->merge(&s->v[w], &s->v[i]);
        else s->v[++w] = s->v[i];
    }
    s->n = w + 1;
}

void kt_rkvs_gather(kt_rkvs *out, kt_rkvs *const *parts, int nparts) {
    size_t total = 0;
    for (int t = 0; t < nparts; t++) {
        kt_rkvs_compact(parts[t]);
        total += parts[t]->n;
    }
    kt_rkvs_free(out);
    out->v = kt_xmalloc((total ? total : 1) * sizeof *out->v);
    out->cap = total ? total : 1;
    for (int t = 0; t < nparts; t++) {
        if (parts[t]->n) memcpy(out->v + out->n, parts[t]->v, parts[t]->n * sizeof *out->v);
        out->n += parts[t]->n;
        kt_rkvs_free(parts[t]);
    }
    kt_rkvs_compact(out);
}

void kt_rkv_sum(kt_rkv *x, const kt_rkv *y) {
    x->a += y->a;
    x->b += y->b;
}

void kt_rkv_sum_distinct_b(kt_rkv *x, const kt_rkv *y) {
    x->a += y->a;
    if (x->b != y->b) x->b = -1;
}

/* ---- ranking ---- */
typedef struct rank_ctx { kt_actx *a; kt_rcand_cmp cmp; } rank_ctx;

static int by_rank(const void *x, const void *y, void *ctx) {
    const rank_ctx *rc = ctx;
    const kt_rcand *a = x, *b = y;
    int c = rc->cmp(a, b);
    if (c) return c;
    c = strcmp(kt_actx_name(rc->a, KT_ADIM_MEMBER, a->index), kt_actx_name(rc->a, KT_ADIM_MEMBER, b->index));
    return c ? c : (a->index < b->index ? -1 : a->index > b->index);
}

/* A heap whose root is the candidate that ranks last among those kept. */
static void heap_down(kt_rcand *h, size_t n, size_t i, kt_rcand_cmp cmp) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && cmp(&h[l], &h[m]) > 0) m = l;
        if (r < n && cmp(&h[r], &h[m]) > 0) m = r;
        if (m == i) return;
        kt_rcand t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

size_t kt_rank_members(kt_actx *a, kt_rcand *c, size_t n, size_t top, kt_rcand_cmp cmp) {
    rank_ctx rc = {a, cmp};
    size_t keep = n;
    if (top && top < n) {
        /* the top-th best key: a heap of the best `top` seen so far */
        kt_rcand *h = kt_xmalloc(top * sizeof *h);
        memcpy(h, c, top * sizeof *h);
        for (size_t i = top / 2; i-- > 0;) heap_down(h, top, i, cmp);
        for (size_t i = top; i < n; i++)
            if (cmp(&c[i], &h[0]) < 0) {
                h[0] = c[i];
                heap_down(h, top, 0, cmp);
            }
        kt_rcand bar = h[0];
        free(h);
        keep = 0;
        for (size_t i = 0; i < n; i++)
            if (cmp(&c[i], &bar) <= 0) c[keep++] = c[i];
    }
    if (keep > 1000) {
        kt_err ignore;
        kt_actx_load_names(a, KT_ADIM_MEMBER, &ignore);
    }
    qsort_r(c, keep, sizeof *c, by_rank, &rc);
    return top && top < keep ? top : keep;
}

/* ---- profile groups ---- */
const char *const kt_age_band_names[KT_AGE_BANDS] = {"<18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"};

int kt_age_band(int age) {
    if (age < 0) return -1;
    if (age < 18) return 0;
    if (age < 25) return 1;
    if (age >= 65) return 6;
    return (age - 25) / 10 + 2;
}

int kt_age_years(kt_day birth, kt_day as_of) {
    if (birth == KT_DAY_NONE || as_of == KT_DAY_NONE || birth > as_of) return -1;
    int by, bm, bd, y, m, d;
    kt_day_to_civil(birth, &by, &bm, &bd);
    kt_day_to_civil(as_of, &y, &m, &d);
    int age = y - by;
    if (m < bm || (m == bm && d < bd)) age--; /* born 29 Feb: a year older on 1 Mar */
    return age;
}

#define GROUP_VALUES_MAX 65535u /* distinct regions or cities: a field's value fits 16 bits */

typedef struct gvalues { kt_strmap *ids; char **names; uint32_t n; const char *last; uint32_t last_id; } gvalues;

struct kt_rgrouper {
    kt_rgroup fields[KT_RGROUPS_MAX];
    int nfields;
    char sex;
    int age_from, age_to;
    kt_day as_of;
    gvalues region, city;
    /* group id <- 64-bit tuple (16 bits per field), open addressing */
    uint64_t *keys;           /* tuple + 1 (0 = empty slot) */
    uint32_t *ids;
    size_t slots;
    uint64_t *tuples;         /* by group id */
    size_t ngroups;
};

kt_rgrouper *kt_rgrouper_new(kt_actx *a, const kt_report_args *r) {
    KT_UNUSED(a);
    kt_rgrouper *g = kt_xcalloc(1, sizeof *g);
    g->nfields = r->ngroups;
    memcpy(g->fields, r->groups, sizeof g->fields);
    g->sex = r->sex;
    g->age_from = r->age_from;
    g->age_to = r->age_to;
    g->as_of = r->as_of;
    g->region.ids = kt_strmap_new();
    g->city.ids = kt_strmap_new();
    g->slots = 64;
    g->keys = kt_xcalloc(g->slots, sizeof *g->keys);
    g->ids = kt_xcalloc(g->slots, sizeof *g->ids);
    return g;
}

void kt_rgrouper_free(kt_rgrouper *g) {
    if (!g) return;
    gvalues *vs[2] = {&g->region, &g->city};
    for (int k = 0; k < 2; k++) {
        kt_strmap_free(vs[k]->ids);
        for (uint32_t i = 0; i < vs[k]->n; i++) free(vs[k]->names[i]);
        free(vs[k]->names);
    }
    free(g->keys);
    free(g->ids);
    free(g->tuples);
    free(g);
}

bool kt_rgrouper_pass(const kt_rgrouper *g, const kt_actx_member *p) {
    if (g->sex && (!p || p->sex != g->sex)) return false;
    if (g->age_from >= 0 || g->age_to >= 0) {
        int age = p ? kt_age_years(p->birth_day, g->as_of) : -1;
        if (age < 0) return false;
        if (g->age_from >= 0 && age < g->age_from) return false;
        if (g->age_to >= 0 && age > g->age_to) return false;
    }
    return true;
}

static uint32_t value_id(gvalues *v, const char *s) {
    if (!s || !*s) return 0;
    if (s == v->last) return v->last_id;
    uint32_t id;
    if (!kt_strmap_get(v->ids, s, strlen(s), &id)) {
        if (v->n == GROUP_VALUES_MAX) return 0; /* beyond the limit: counted as unknown */
        id = ++v->n;
        v->names = kt_xrealloc(v->names, v->n * sizeof *v->names);
        v->names[id - 1] = kt_xstrdup(s);
        kt_strmap_put(v->ids, s, strlen(s), id);
    }
    v->last = s;
    v->last_id = id;
    return id;
}

static uint64_t hash64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static void group_insert(kt_rgrouper *g, uint64_t key1, uint32_t id) {
    size_t i = hash64(key1) & (g->slots - 1);
    while (g->keys[i]) i = (i + 1) & (g->slots - 1);
    g->keys[i] = key1;
    g->ids[i] = id;
}

uint32_t kt_rgrouper_group(kt_rgrouper *g, const kt_actx_member *p) {
    uint64_t t = 0;
    for (int f = 0; f < g->nfields; f++) {
        uint32_t v = 0;
        switch (g->fields[f]) {
        case KT_RGROUP_SEX: v = p && p->sex == 'F' ? 1 : p && p->sex == 'M' ? 2 : 0; break;
        case KT_RGROUP_AGE: v = p ? (uint32_t)(kt_age_band(kt_age_years(p->birth_day, g->as_of)) + 1) : 0; break;
        case KT_RGROUP_REGION: v = p ? value_id(&g->region, p->region) : 0; break;
        case KT_RGROUP_CITY: v = p ? value_id(&g->city, p->city) : 0; break;
        }
        t |= (uint64_t)v << (16 * f);
    }
    uint64_t key1 = t + 1;
    size_t i = hash64(key1) & (g->slots - 1);
    while (g->keys[i]) {
        if (g->keys[i] == key1) return g->ids[i];
        i = (i + 1) & (g->slots - 1);
    }
    uint32_t id = (uint32_t)g->ngroups++;
    g->tuples = kt_xrealloc(g->tuples, g->ngroups * sizeof *g->tuples);
    g->tuples[id] = t;
    if (g->ngroups * 2 > g->slots) {
        uint64_t *ok = g->keys;
        uint32_t *oi = g->ids;
        size_t os = g->slots;
        g->slots *= 2;
        g->keys = kt_xcalloc(g->slots, sizeof *g->keys);
        g->ids = kt_xcalloc(g->slots, sizeof *g->ids);
        for (size_t k = 0; k < os; k++)
            if (ok[k]) group_insert(g, ok[k], oi[k]);
        free(ok);
        free(oi);
    }
    group_insert(g, key1, id);
    return id;
}

size_t kt_rgrouper_count(const kt_rgrouper *g) { return g->ngroups; }

static const char *const group_names[] = {"sex", "age", "region", "city"};

void kt_rgrouper_columns(const kt_rgrouper *g, kt_acol *cols) {
    for (int f = 0; f < g->nfields; f++) cols[f] = (kt_acol){group_names[g->fields[f]], KT_ACOL_TEXT, 0};
}

static uint32_t field_value(const kt_rgrouper *g, uint32_t group, int f) {
    return (uint32_t)(g->tuples[group] >> (16 * f)) & 0xffff;
}

static int cmp_groups(const void *x, const void *y, void *ctx) {
    const kt_rgrouper *g = ctx;
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    for (int f = 0; f < g->nfields; f++) {
        uint32_t va = field_value(g, a, f), vb = field_value(g, b, f);
        if (va == vb) continue;
        if (!va || !vb) return va ? -1 : 1; /* unknown last */
        if (g->fields[f] == KT_RGROUP_REGION || g->fields[f] == KT_RGROUP_CITY) {
            const gvalues *v = g->fields[f] == KT_RGROUP_REGION ? &g->region : &g->city;
            int c = strcmp(v->names[va - 1], v->names[vb - 1]);
            if (c) return c;
        }
        return va < vb ? -1 : 1;
    }
    return 0;
}

void kt_rgrouper_sort(const kt_rgrouper *g, uint32_t *groups, size_t n) {
    qsort_r(groups, n, sizeof *groups, cmp_groups, (void *)g);
}

void kt_rgrouper_cells(const kt_rgrouper *g, kt_aout *o, uint32_t group) {
    for (int f = 0; f < g->nfields; f++) {
        uint32_t v = field_value(g, group, f);
        if (!v) { kt_aout_null(o); continue; }
        switch (g->fields[f]) {
        case KT_RGROUP_SEX: kt_aout_text(o, v == 1 ? "F" : "M"); break;
        case KT_RGROUP_AGE: kt_aout_text(o, kt_age_band_names[v - 1]); break;
        case KT_RGROUP_REGION: kt_aout_text(o, g->region.names[v - 1]); break;
        case KT_RGROUP_CITY: kt_aout_text(o, g->city.names[v - 1]); break;
        }
    }
}

/* ---- scans ---- */
typedef struct range_state { const kt_afilter *f; uint32_t store_slots; int32_t first, last; } range_state;

static void range_receipts(void *state, const kt_cols_receipts *seg, size_t begin, size_t end) {
    range_state *s = state;
    for (size_t i = begin; i < end; i++) {
        if (seg->day[i] < s->f->from || seg->day[i] > s->f->to) continue;
        if (s->f->store_ok && !s->f->store_ok[kt_actx_index_of(s->store_slots, seg->store[i])]) continue;
        if (seg->day[i] < s->first) s->first = seg->day[i];
        if (seg->day[i] > s->last) s->last = seg->day[i];
    }
}

kt_rc kt_report_day_range(kt_actx *a, const kt_afilter *f, int threads, kt_day *first, kt_day *last, kt_err *err) {
    void **st = kt_report_states(threads, sizeof(range_state));
    for (int t = 0; t < threads; t++)
        *(range_state *)st[t] = (range_state){f, kt_actx_op_slots(a, KT_ADIM_STORE), INT32_MAX, INT32_MIN};
    unsigned cols = KT_ASCAN_COL(KT_COLS_R_DAY) | (f->store_ok ? KT_ASCAN_COL(KT_COLS_R_STORE) : 0u);
    kt_rc rc = kt_actx_scan_receipts_cols(a, threads, cols, range_receipts, st, err);
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (int t = 0; t < threads; t++) {
        range_state *s = st[t];
        if (s->first < lo) lo = s->first;
        if (s->last > hi) hi = s->last;
    }
    kt_report_states_free(st, threads);
    *first = lo == INT32_MAX ? KT_DAY_NONE : lo;
    *last = hi == INT32_MIN ? KT_DAY_NONE : hi;
    return rc;
}

void **kt_report_states(int threads, size_t size) {
    void **s = kt_xcalloc((size_t)threads, sizeof *s);
    for (int t = 0; t < threads; t++) s[t] = kt_xcalloc(1, size);
    return s;
}

void kt_report_states_free(void **s, int threads) {
    if (!s) return;
    for (int t = 0; t < threads; t++) free(s[t]);
    free(s);
}

int64_t kt_report_div_round(int64_t a, int64_t b) {
    if (!b) return 0;
    int64_t q = a / b, r = a % b;
    if (2 * (r < 0 ? -r : r) >= (b < 0 ? -b : b)) q += (a < 0) != (b < 0) ? -1 : 1;
    return q;
}

static int by_name(const void *x, const void *y, void *ctx) {
    kt_actx *a = ctx;
    uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
    int c = strcmp(kt_actx_name(a, KT_ADIM_STORE, i), kt_actx_name(a, KT_ADIM_STORE, j));
    return c ? c : (i < j ? -1 : i > j);
}

uint32_t *kt_report_store_ranks(kt_actx *a) {
    size_t n = kt_actx_count(a, KT_ADIM_STORE);
    kt_err ignore;
    kt_actx_load_names(a, KT_ADIM_STORE, &ignore);
    uint32_t *order = kt_xmalloc((n ? n : 1) * sizeof *order), *rank = kt_xmalloc((n ? n : 1) * sizeof *rank);
    for (size_t i = 0; i < n; i++) order[i] = (uint32_t)i;
    qsort_r(order, n, sizeof *order, by_name, a);
    for (size_t i = 0; i < n; i++) rank[order[i]] = (uint32_t)i;
    free(order);
    return rank;
}
