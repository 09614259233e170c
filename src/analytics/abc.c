/*
 * abc.c - A3 ABC (abc.h): one parallel scan of lines or receipt headers into
 * per-item sums (dense, one array per thread) or distinct pairs (a pair set
 * per thread, merged), then the ranking and the exact class boundaries.
 */
#include "analytics/abc.h"
#include "analytics/pairmap.h"

#include <stdlib.h>
#include <string.h>

kt_rc kt_abc_parse_of(const char *s, const char *option, bool products_only, kt_abc_of *out, kt_err *err) {
    static const char *const names[] = {"sku", "category", "top", "brand", "member", "store"};
    size_t n = products_only ? 4 : 6;
    if (!s) s = "sku";
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, names[i])) { *out = (kt_abc_of)i; return KT_OK; }
    return kt_fail(err, KT_EUSAGE, option, "want %s, not \"%.40s\"",
                   products_only ? "sku, category, top or brand" : "sku, category, top, brand, member or store", s);
}

kt_rc kt_abc_parse_by(const char *s, const char *option, kt_abc_by *out, kt_err *err) {
    static const char *const names[] = {"revenue", "units", "receipts", "members"};
    if (!s) s = "revenue";
    for (size_t i = 0; i < 4; i++)
        if (!strcmp(s, names[i])) { *out = (kt_abc_by)i; return KT_OK; }
    return kt_fail(err, KT_EUSAGE, option, "want revenue, units, receipts or members, not \"%.40s\"", s);
}

kt_alevel kt_abc_level(kt_abc_of of) {
    switch (of) {
    case KT_ABC_OF_CATEGORY: return KT_ALEVEL_CATEGORY;
    case KT_ABC_OF_TOP: return KT_ALEVEL_TOP;
    case KT_ABC_OF_BRAND: return KT_ALEVEL_BRAND;
    default: return KT_ALEVEL_SKU;
    }
}

static bool is_product(kt_abc_of of) { return of <= KT_ABC_OF_BRAND; }

const char *kt_abc_item_name(kt_actx *a, kt_abc_of of, uint32_t item) {
    if (of == KT_ABC_OF_MEMBER) return kt_actx_name(a, KT_ADIM_MEMBER, item);
    if (of == KT_ABC_OF_STORE) return kt_actx_name(a, KT_ADIM_STORE, item);
    return kt_actx_group_name(a, kt_abc_level(of), item);
}

/* ---- scan ---- */
typedef struct shared {
    kt_actx *a;
    const kt_afilter *filter;
    kt_abc_of of;
    kt_abc_by by;
    kt_alevel level;
    uint32_t member_slots, store_slots, sku_slots;
    const uint32_t *group;     /* by SKU index: the item at a product level (NULL at the SKU level) */
    size_t nsku;
} shared;

typedef struct state {
    const shared *sh;
    int64_t *sum;              /* by item: revenue, units or receipts */
    uint32_t *last_receipt;    /* by item: the last receipt paired (skips repeats within a receipt) */
    kt_pairmap pairs;          /* distinct (item, receipt) or (item, member) */
    bool overflow;
} state;

static inline void add(state *st, uint32_t item, int64_t v) {
    if (__builtin_add_overflow(st->sum[item], v, &st->sum[item])) st->overflow = true;
}

static void scan_lines(void *arg, const kt_cols_lines *seg, size_t begin, size_t end) {
    state *st = arg;
    const shared *sh = st->sh;
    for (size_t i = begin; i < end; i++) {
        uint32_t store = kt_actx_index_of(sh->store_slots, seg->store[i]);
        if (!kt_afilter_pass(sh->filter, store, seg->day[i])) continue;
        uint32_t member = kt_actx_index_of(sh->member_slots, seg->member[i]), item;
        if (sh->of == KT_ABC_OF_MEMBER) {
            if (member == 0) continue;
            item = member;
        } else if (sh->of == KT_ABC_OF_STORE) {
            item = store;
        } else {
            item = kt_actx_sku_group(sh->a, sh->level, kt_actx_index_of(sh->sku_slots, seg->sku[i]));
            if (item == KT_ACTX_NONE) continue;
        }
        bool sale = seg->qty_milli[i] >= 0 && seg->amount[i] >= 0;
        switch (sh->by) {
        case KT_ABC_BY_REVENUE: add(st, item, seg->amount[i]); break;
        case KT_ABC_BY_UNITS: add(st, item, seg->qty_milli[i]); break;
        case KT_ABC_BY_RECEIPTS:
            if (sale && st->last_receipt[item] != seg->receipt[i]) {
                st->last_receipt[item] = seg->receipt[i];
                kt_pairmap_add(&st->pairs, kt_pair_key(item, seg->receipt[i]), 1);
            }
            break;
        case KT_ABC_BY_MEMBERS:
            if (sale && member) kt_pairmap_add(&st->pairs, kt_pair_key(item, member), 1);
            break;
        }
    }
}

/* Revenue or units of products: the common case, without the per-row
 * dispatch of scan_lines and reading only the columns it needs. */
static void scan_lines_sum(void *arg, const kt_cols_lines *seg, size_t begin, size_t end) {
    state *st = arg;
    const shared *sh = st->sh;
    const int32_t from = sh->filter->from, to = sh->filter->to;
    const uint8_t *store_ok = sh->filter->store_ok;
    const uint32_t sslots = sh->store_slots, kslots = sh->sku_slots, *group = sh->group;
    const int32_t *day = seg->day;
    const uint32_t *sku = seg->sku, *store = seg->store;
    const int64_t *v = sh->by == KT_ABC_BY_UNITS ? seg->qty_milli : seg->amount;
    int64_t *sum = st->sum;
    bool overflow = false;
    for (size_t i = begin; i < end; i++) {
        if (day && (day[i] < from || day[i] > to)) continue; /* no day: the segment's month is wholly in range */
        if (store_ok && !store_ok[kt_actx_index_of(sslots, store[i])]) continue;
        uint32_t item = kt_actx_index_of(kslots, sku[i]);
        if (group) {
            item = item < sh->nsku ? group[item] : KT_ACTX_NONE;
            if (item == KT_ACTX_NONE) continue;
        }
        overflow |= __builtin_add_overflow(sum[item], v[i], &sum[item]);
    }
    if (overflow) st->overflow = true;
}

static void scan_receipts(void *arg, const kt_cols_receipts *seg, size_t begin, size_t end) {
    state *st = arg;
    const shared *sh = st->sh;
    for (size_t i = begin; i < end; i++) {
        uint32_t store = kt_actx_index_of(sh->store_slots, seg->store[i]);
        if (!kt_afilter_pass(sh->filter, store, seg->day[i])) continue;
        uint32_t member = kt_actx_index_of(sh->member_slots, seg->member[i]);
        uint32_t item = sh->of == KT_ABC_OF_MEMBER ? member : store;
        if (sh->of == KT_ABC_OF_MEMBER && member == 0) continue;
        bool sale = !(seg->flags[i] & KT_COLS_RETURN);
        switch (sh->by) {
        case KT_ABC_BY_REVENUE: add(st, item, seg->amount[i]); break;
        case KT_ABC_BY_RECEIPTS: add(st, item, sale); break;
        case KT_ABC_BY_MEMBERS:
            if (sale && member) kt_pairmap_add(&st->pairs, kt_pair_key(item, member), 1);
            break;
        case KT_ABC_BY_UNITS: break; /* from lines */
        }
    }
}

/* Sums of products over the file segments whose month lies wholly in F's days,
 * from their SKU summaries (cols.h) into SUM, each such segment marked in
 * SKIP (all its columns: the scan leaves it out) and counted in *TAKEN. Receipts are taken
 * only from summaries that count them (and only at the SKU level: a receipt
 * with two SKUs of one category counts once for it). */
static kt_rc add_summaries(kt_actx *a, const kt_afilter *f, const shared *sh, size_t n, int64_t *sum, unsigned *skip,
                           size_t *taken, bool *overflow, kt_err *err) {
    kt_cols *c = kt_actx_cols(a);
    size_t ns = kt_cols_segment_count(c), nsku = kt_actx_count(a, KT_ADIM_SKU);
    for (size_t seg = 0; seg < ns; seg++) {
        if (!kt_actx_segment_within(a, seg, f->from, f->to)) continue;
        bool found;
        const kt_cols_sku_sum *e;
        size_t ne;
        unsigned flags;
        kt_rc rc = kt_cols_sku_summary(c, seg, &found, &e, &ne, &flags, err);
        if (rc) return rc;
        if (!found || (sh->by == KT_ABC_BY_RECEIPTS && !(flags & KT_COLS_SUM_RECEIPTS))) continue;
        for (size_t i = 0; i < ne; i++) {
            uint32_t item = kt_actx_index_of(sh->sku_slots, e[i].sku);
            if (item >= nsku)
                return kt_fail(err, KT_EINVAL, kt_cols_segment_name(c, seg),
                               "the SKU summary names SKU id %u, which the store does not know", e[i].sku);
            if (sh->group && (item = sh->group[item]) == KT_ACTX_NONE) continue;
            KT_ASSERT(item < n);
            int64_t v = sh->by == KT_ABC_BY_REVENUE ? e[i].amount
                      : sh->by == KT_ABC_BY_UNITS   ? e[i].qty_milli
                                                    : (int64_t)e[i].receipts;
            *overflow |= __builtin_add_overflow(sum[item], v, &sum[item]);
        }
        skip[seg] = ~0u; /* no column of it is read */
        (*taken)++;
    }
    return KT_OK;
}

kt_rc kt_abc_measure(kt_actx *a, const kt_afilter *f, kt_abc_of of, kt_abc_by by, int threads, int64_t **values,
                     size_t *count, size_t *memory_bytes, size_t *summary_segments, kt_err *err) {
    if (summary_segments) *summary_segments = 0;
    *values = NULL;
    *count = 0;
    *memory_bytes = 0;
    if (of == KT_ABC_OF_MEMBER && by == KT_ABC_BY_MEMBERS)
        return kt_fail(err, KT_EUSAGE, "--by", "members counts distinct members: not a measure of --of member");
    kt_rc rc = KT_OK;
    if (is_product(of)) rc = kt_actx_load_products(a, err);
    if (rc) return rc;
    threads = threads < 1 ? 1 : threads > KT_ACTX_THREADS_MAX ? KT_ACTX_THREADS_MAX : threads;
    shared sh = {a, f, of, by, kt_abc_level(of), kt_actx_op_slots(a, KT_ADIM_MEMBER),
                 kt_actx_op_slots(a, KT_ADIM_STORE), kt_actx_op_slots(a, KT_ADIM_SKU)};
    uint32_t *group = NULL;
    if (is_product(of) && sh.level != KT_ALEVEL_SKU) {
        sh.nsku = kt_actx_count(a, KT_ADIM_SKU);
        group = kt_xmalloc((sh.nsku ? sh.nsku : 1) * sizeof *group);
        for (size_t k = 0; k < sh.nsku; k++) group[k] = kt_actx_sku_group(a, sh.level, (uint32_t)k);
        sh.group = group;
    }
    size_t n = of == KT_ABC_OF_MEMBER ? kt_actx_count(a, KT_ADIM_MEMBER)
             : of == KT_ABC_OF_STORE  ? kt_actx_count(a, KT_ADIM_STORE)
                                      : kt_actx_group_count(a, sh.level);
    bool distinct = by == KT_ABC_BY_RECEIPTS || by == KT_ABC_BY_MEMBERS;
    /* receipts of members and stores are counted from the headers, one per receipt */
    bool lines = is_product(of) || by == KT_ABC_BY_UNITS;
    if (!lines && by == KT_ABC_BY_RECEIPTS) distinct = false;
    state st[KT_ACTX_THREADS_MAX];
    void *states[KT_ACTX_THREADS_MAX];
    for (int t = 0; t < threads; t++) {
        st[t] = (state){.sh = &sh, .sum = kt_xcalloc(n ? n : 1, sizeof(int64_t))};
        if (distinct && by == KT_ABC_BY_RECEIPTS) {
            st[t].last_receipt = kt_xmalloc((n ? n : 1) * sizeof(uint32_t));
            memset(st[t].last_receipt, 0xff, (n ? n : 1) * sizeof(uint32_t));
        }
        kt_pairmap_init(&st[t].pairs);
        states[t] = &st[t];
    }
    bool sum_of_products = is_product(of) && (by == KT_ABC_BY_REVENUE || by == KT_ABC_BY_UNITS);
    unsigned sum_cols = KT_ASCAN_COL(KT_COLS_L_DAY) | KT_ASCAN_COL(KT_COLS_L_SKU) |
                        KT_ASCAN_COL(by == KT_ABC_BY_UNITS ? KT_COLS_L_QTY : KT_COLS_L_AMOUNT) |
                        (f->store_ok ? KT_ASCAN_COL(KT_COLS_L_STORE) : 0u);
    /* whole segments from their summaries where one can answer: no store
     * filter (a summary has no stores) */
    unsigned *skip = NULL;
    size_t taken = 0;
    bool overflow = false;
    if ((sum_of_products || (is_product(of) && by == KT_ABC_BY_RECEIPTS && sh.level == KT_ALEVEL_SKU)) &&
        !f->store_ok) {
        skip = kt_xcalloc(kt_cols_segment_count(kt_actx_cols(a)) + 1, sizeof *skip);
        rc = add_summaries(a, f, &sh, n, st[0].sum, skip, &taken, &overflow, err);
    }
    if (summary_segments) *summary_segments = taken;
    /* the lines a receipt count scans, read (not mapped) so that the summarised segments are left out */
    unsigned receipt_cols = KT_ASCAN_COL(KT_COLS_L_RECEIPT) | KT_ASCAN_COL(KT_COLS_L_MEMBER) |
                            KT_ASCAN_COL(KT_COLS_L_STORE) | KT_ASCAN_COL(KT_COLS_L_SKU) | KT_ASCAN_COL(KT_COLS_L_DAY) |
                            KT_ASCAN_COL(KT_COLS_L_QTY) | KT_ASCAN_COL(KT_COLS_L_AMOUNT);
    if (!rc)
        rc = sum_of_products ? kt_actx_scan_lines_drop(a, threads, sum_cols, f, skip, scan_lines_sum, states, err)
           : lines && taken  ? kt_actx_scan_lines_drop(a, threads, receipt_cols, NULL, skip, scan_lines, states, err)
           : lines           ? kt_actx_scan_lines(a, threads, scan_lines, states, err)
                             : kt_actx_scan_receipts(a, threads, scan_receipts, states, err);
    free(skip);
    free(group);
    size_t mem = 0;
    for (int t = 0; t < threads; t++)
        mem += n * sizeof(int64_t) + (st[t].last_receipt ? n * sizeof(uint32_t) : 0) + kt_pairmap_bytes(&st[t].pairs);
    for (int t = 0; !rc && t < threads; t++) {
        overflow |= st[t].overflow;
        if (t == 0) continue;
        for (size_t i = 0; i < n; i++)
            if (__builtin_add_overflow(st[0].sum[i], st[t].sum[i], &st[0].sum[i])) overflow = true;
        kt_pairmap_merge(&st[0].pairs, &st[t].pairs);
        kt_pairmap_free(&st[t].pairs);
    }
    if (!rc && distinct) {
        if (st[0].pairs.failed) rc = kt_fail(err, KT_ENOMEM, "--by", "too many distinct pairs to count in memory");
        for (size_t s = 0; !rc && s < st[0].pairs.slots; s++)
            if (st[0].pairs.keys[s] != UINT64_MAX) st[0].sum[kt_pair_a(st[0].pairs.keys[s])]++;
        mem += kt_pairmap_bytes(&st[0].pairs);
    }
    if (!rc && overflow) rc = kt_fail(err, KT_EINVAL, "--by", "a sum does not fit in 64 bits");
    for (int t = 0; t < threads; t++) {
        if (t || rc) free(st[t].sum);
        free(st[t].last_receipt);
        kt_pairmap_free(&st[t].pairs);
    }
    if (rc) return rc;
    *values = st[0].sum;
    *count = n;
    *memory_bytes = mem;
    return KT_OK;
}

/* ---- ranking ---- */
static int by_rank(const void *x, const void *y) {
    const kt_abc_item *p = x, *q = y;
    if (p->value != q->value) return p->value > q->value ? -1 : 1;
    return strcmp(p->name, q->name);
}

kt_rc kt_abc_run(kt_actx *a, const kt_afilter *f, kt_abc_of of, kt_abc_by by, uint32_t a_millionths,
                 uint32_t b_millionths, int threads, kt_abc_result *out, kt_err *err) {
    *out = (kt_abc_result){0};
    KT_ASSERT(a_millionths < b_millionths && b_millionths <= 1000000);
    int64_t *v;
    size_t n;
    kt_rc rc = kt_abc_measure(a, f, of, by, threads, &v, &n, &out->memory_bytes, &out->summary_segments, err);
    if (rc) return rc;
    if (of == KT_ABC_OF_MEMBER) rc = kt_actx_load_names(a, KT_ADIM_MEMBER, err);
    else if (of == KT_ABC_OF_STORE) rc = kt_actx_load_names(a, KT_ADIM_STORE, err);
    else if (of == KT_ABC_OF_SKU) rc = kt_actx_load_names(a, KT_ADIM_SKU, err);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += v[i] > 0;
    out->items = kt_xcalloc(k ? k : 1, sizeof *out->items);
    for (size_t i = 0; !rc && i < n; i++) {
        if (v[i] <= 0) continue;
        kt_abc_item *it = &out->items[out->n++];
        it->item = (uint32_t)i;
        it->value = v[i];
        it->name = kt_abc_item_name(a, of, (uint32_t)i);
        if (!kt_add_i64(out->total, v[i], &out->total)) rc = kt_fail(err, KT_EINVAL, "--by", "the total does not fit in 64 bits");
    }
    free(v);
    if (rc) { kt_abc_free(out); return rc; }
    qsort(out->items, out->n, sizeof *out->items, by_rank);
    int64_t cum = 0;
    __int128 ta = (__int128)out->total * a_millionths, tb = (__int128)out->total * b_millionths;
    for (size_t i = 0; i < out->n; i++) {
        __int128 before = (__int128)cum * 1000000;
        out->items[i].cls = before < ta ? 'A' : before < tb ? 'B' : 'C';
        cum += out->items[i].value;
        out->items[i].cum_value = cum;
    }
    return KT_OK;
}

void kt_abc_free(kt_abc_result *r) {
    free(r->items);
    r->items = NULL;
    r->n = 0;
}
