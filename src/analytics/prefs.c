/*
 * prefs.c - A4 preferences (prefs.h): a parallel scan of the receipt headers
 * (visits by weekday, hour band and store) and one of the lines (spend by
 * category and brand), merged, then each member's top groups and modes.
 */
#include "analytics/prefs.h"
#include "analytics/pairmap.h"
#include "core/date.h"

#include <stdlib.h>
#include <string.h>

const kt_prefs_band kt_prefs_bands[KT_PREFS_BANDS] = {
    {"night", 0, 6 * 60},         {"morning", 6 * 60, 11 * 60},   {"midday", 11 * 60, 14 * 60},
    {"afternoon", 14 * 60, 17 * 60}, {"evening", 17 * 60, 21 * 60}, {"late", 21 * 60, 24 * 60},
};
const char *const kt_prefs_weekdays[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

int kt_prefs_band_of(unsigned minute) {
    for (int b = 0; b < KT_PREFS_BANDS; b++)
        if (minute < kt_prefs_bands[b].to_minute) return b;
    return KT_PREFS_BANDS - 1;
}

enum { SLOTS = 7 + KT_PREFS_BANDS };

typedef struct shared {
    kt_actx *a;
    const kt_afilter *filter;
    kt_alevel level;
    uint32_t member_slots, store_slots, sku_slots;
    uint32_t only;             /* one member index or KT_ACTX_NONE */
} shared;

typedef struct state {
    const shared *sh;
    uint32_t *visits;          /* [slot * SLOTS + weekday | 7 + band] */
    int64_t *spend;            /* by slot */
    kt_pairmap stores, cats, brands;
    bool overflow;
} state;

/* The accumulator slot of a member index, or UINT32_MAX to skip it. */
static inline uint32_t slot_of(const shared *sh, uint32_t member) {
    if (member == 0) return UINT32_MAX;
    if (sh->only == KT_ACTX_NONE) return member;
    return member == sh->only ? 0 : UINT32_MAX;
}

static void scan_receipts(void *arg, const kt_cols_receipts *seg, size_t begin, size_t end) {
    state *st = arg;
    const shared *sh = st->sh;
    for (size_t i = begin; i < end; i++) {
        if (seg->flags[i] & KT_COLS_RETURN) continue;
        uint32_t store = kt_actx_index_of(sh->store_slots, seg->store[i]);
        if (!kt_afilter_pass(sh->filter, store, seg->day[i])) continue;
        uint32_t m = kt_actx_index_of(sh->member_slots, seg->member[i]), s = slot_of(sh, m);
        if (s == UINT32_MAX) continue;
        uint32_t *v = &st->visits[(size_t)s * SLOTS];
        v[kt_day_weekday(seg->day[i])]++;
        v[7 + kt_prefs_band_of(seg->minute[i])]++;
        kt_pairmap_add(&st->stores, kt_pair_key(m, store), 1);
    }
}

static void scan_lines(void *arg, const kt_cols_lines *seg, size_t begin, size_t end) {
    state *st = arg;
    const shared *sh = st->sh;
    for (size_t i = begin; i < end; i++) {
        if (!kt_afilter_pass(sh->filter, kt_actx_index_of(sh->store_slots, seg->store[i]), seg->day[i])) continue;
        uint32_t m = kt_actx_index_of(sh->member_slots, seg->member[i]), s = slot_of(sh, m);
        if (s == UINT32_MAX) continue;
        int64_t amount = seg->amount[i];
        if (__builtin_add_overflow(st->spend[s], amount, &st->spend[s])) st->overflow = true;
        uint32_t sku = kt_actx_index_of(sh->sku_slots, seg->sku[i]);
        uint32_t c = kt_actx_sku_group(sh->a, sh->level, sku), b = kt_actx_sku_group(sh->a, KT_ALEVEL_BRAND, sku);
        if (c != KT_ACTX_NONE) kt_pairmap_add(&st->cats, kt_pair_key(m, c), amount);
        if (b != KT_ACTX_NONE) kt_pairmap_add(&st->brands, kt_pair_key(m, b), amount);
    }
}

/* ---- top groups ---- */
typedef struct cand { uint32_t group; int64_t value; const char *name; } cand;

static int by_value_name(const void *x, const void *y) {
    const cand *p = x, *q = y;
    if (p->value != q->value) return p->value > q->value ? -1 : 1;
    return strcmp(p->name, q->name);
}

/* Pairs of member M start at *pos in the sorted array P (n pairs); fill the
 * top groups and advance *pos past them. */
static uint8_t top_groups(kt_actx *a, kt_alevel level, const kt_pair *p, size_t n, size_t *pos, uint32_t m,
                          int64_t total, int top_n, kt_prefs_share *out, cand **buf, size_t *cap) {
    size_t k = 0;
    while (*pos < n && kt_pair_a(p[*pos].key) < m) (*pos)++;
    for (; *pos < n && kt_pair_a(p[*pos].key) == m; (*pos)++) {
        if (p[*pos].value <= 0) continue;
        if (k == *cap) { *cap = *cap ? *cap * 2 : 64; *buf = kt_xrealloc(*buf, *cap * sizeof **buf); }
        uint32_t g = kt_pair_b(p[*pos].key);
        (*buf)[k++] = (cand){g, p[*pos].value, kt_actx_group_name(a, level, g)};
    }
    if (total <= 0) return 0;
    qsort(*buf, k, sizeof **buf, by_value_name);
    uint8_t c = 0;
    for (size_t i = 0; i < k && c < top_n; i++) out[c++] = (kt_prefs_share){(*buf)[i].group, (double)(*buf)[i].value / (double)total};
    return c;
}

kt_rc kt_prefs_run(kt_actx *a, const kt_afilter *f, const kt_prefs_opts *o, int threads, kt_prefs_result *out,
                   kt_err *err) {
    *out = (kt_prefs_result){0};
    KT_ASSERT(o->top_n >= 1 && o->top_n <= KT_PREFS_TOP_MAX);
    threads = threads < 1 ? 1 : threads > KT_ACTX_THREADS_MAX ? KT_ACTX_THREADS_MAX : threads;
    kt_rc rc = kt_actx_load_products(a, err);
    if (!rc) rc = kt_actx_load_names(a, KT_ADIM_STORE, err);
    if (rc) return rc;
    shared sh = {a, f, o->category_level, kt_actx_op_slots(a, KT_ADIM_MEMBER), kt_actx_op_slots(a, KT_ADIM_STORE),
                 kt_actx_op_slots(a, KT_ADIM_SKU), o->member};
    size_t members = kt_actx_count(a, KT_ADIM_MEMBER), slots = o->member == KT_ACTX_NONE ? members : 1;
    state st[KT_ACTX_THREADS_MAX];
    void *states[KT_ACTX_THREADS_MAX];
    for (int t = 0; t < threads; t++) {
        st[t] = (state){.sh = &sh, .visits = kt_xcalloc((slots ? slots : 1) * SLOTS, sizeof(uint32_t)),
                        .spend = kt_xcalloc(slots ? slots : 1, sizeof(int64_t))};
        kt_pairmap_init(&st[t].stores);
        kt_pairmap_init(&st[t].cats);
        kt_pairmap_init(&st[t].brands);
        states[t] = &st[t];
    }
    rc = kt_actx_scan_receipts(a, threads, scan_receipts, states, err);
    if (!rc) rc = kt_actx_scan_lines(a, threads, scan_lines, states, err);
    size_t mem = 0;
    for (int t = 0; t < threads; t++)
        mem += slots * (SLOTS * sizeof(uint32_t) + sizeof(int64_t)) + kt_pairmap_bytes(&st[t].stores) +
               kt_pairmap_bytes(&st[t].cats) + kt_pairmap_bytes(&st[t].brands);
    state *x = &st[0];
    bool overflow = false;
    for (int t = 0; !rc && t < threads; t++) {
        overflow |= st[t].overflow;
        if (!t) continue;
        for (size_t i = 0; i < slots * SLOTS; i++) x->visits[i] += st[t].visits[i];
        for (size_t i = 0; i < slots; i++)
            if (__builtin_add_overflow(x->spend[i], st[t].spend[i], &x->spend[i])) overflow = true;
        kt_pairmap_merge(&x->stores, &st[t].stores);
        kt_pairmap_merge(&x->cats, &st[t].cats);
        kt_pairmap_merge(&x->brands, &st[t].brands);
    }
    if (!rc && (x->stores.failed || x->cats.failed || x->brands.failed))
        rc = kt_fail(err, KT_ENOMEM, "preferences", "too many (member, group) pairs to hold in memory");
    if (!rc && (overflow || x->stores.overflow || x->cats.overflow || x->brands.overflow))
        rc = kt_fail(err, KT_EINVAL, "spend", "a member's spend does not fit in 64 bits");
    size_t nst = 0, nc = 0, nb = 0;
    kt_pair *ps = NULL, *pc = NULL, *pb = NULL;
    if (!rc) {
        ps = kt_pairmap_sorted(&x->stores, &nst);
        pc = kt_pairmap_sorted(&x->cats, &nc);
        pb = kt_pairmap_sorted(&x->brands, &nb);
        size_t n = 0;
        for (size_t s = 0; s < slots; s++) {
            const uint32_t *v = &x->visits[s * SLOTS];
            n += v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] > 0;
        }
        out->rows = kt_xcalloc(n ? n : 1, sizeof *out->rows);
        out->shares = kt_xcalloc(n ? n * 2 * (size_t)o->top_n : 1, sizeof *out->shares);
        size_t is = 0, ic = 0, ib = 0, cap = 0;
        cand *buf = NULL;
        for (size_t s = 0; s < slots; s++) {
            const uint32_t *v = &x->visits[s * SLOTS];
            uint32_t visits = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6];
            if (!visits) continue;
            uint32_t m = o->member == KT_ACTX_NONE ? (uint32_t)s : o->member;
            kt_prefs_row *r = &out->rows[out->n++];
            r->member = m;
            r->cats = &out->shares[(out->n - 1) * 2 * (size_t)o->top_n];
            r->brands = r->cats + o->top_n;
            r->visits = visits;
            r->spend = x->spend[s];
            for (int d = 1; d < 7; d++)
                if (v[d] > v[r->weekday]) r->weekday = (uint8_t)d;
            for (int b = 1; b < KT_PREFS_BANDS; b++)
                if (v[7 + b] > v[7 + r->band]) r->band = (uint8_t)b;
            r->weekday_share = (double)v[r->weekday] / visits;
            r->band_share = (double)v[7 + r->band] / visits;
            int64_t best = 0;
            while (is < nst && kt_pair_a(ps[is].key) < m) is++;
            for (; is < nst && kt_pair_a(ps[is].key) == m; is++) {
                uint32_t store = kt_pair_b(ps[is].key);
                if (ps[is].value > best || (ps[is].value == best &&
                                            strcmp(kt_actx_name(a, KT_ADIM_STORE, store), kt_actx_name(a, KT_ADIM_STORE, r->store)) < 0)) {
                    best = ps[is].value;
                    r->store = store;
                }
            }
            r->store_share = (double)best / visits;
            r->ncats = top_groups(a, o->category_level, pc, nc, &ic, m, r->spend, o->top_n, r->cats, &buf, &cap);
            r->nbrands = top_groups(a, KT_ALEVEL_BRAND, pb, nb, &ib, m, r->spend, o->top_n, r->brands, &buf, &cap);
        }
        free(buf);
    }
    free(ps);
    free(pc);
    free(pb);
    for (int t = 0; t < threads; t++) {
        free(st[t].visits);
        free(st[t].spend);
        kt_pairmap_free(&st[t].stores);
        kt_pairmap_free(&st[t].cats);
        kt_pairmap_free(&st[t].brands);
    }
    out->memory_bytes = mem;
    if (rc) kt_prefs_free(out);
    return rc;
}

void kt_prefs_free(kt_prefs_result *r) {
    free(r->rows);
    free(r->shares);
    r->shares = NULL;
    r->rows = NULL;
    r->n = 0;
}
