/*
 * report_members.c - the reports over members (report.h): R3 demographics,
 * R4 activity, R8 sales by profile, R9 items per receipt, R10 and R13
 * rankings, R11 inactive members. Each starts from one scan of receipt
 * headers into per-member accumulators (one array per thread, merged).
 */
#include "analytics/report_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- per-member receipts ----------------------------------------------------------- */
typedef struct mrec { int64_t sales; uint32_t receipts; int32_t first, last; } mrec;
typedef struct mrec_state {
    const kt_afilter *f;
    uint32_t store_slots, member_slots;
    mrec *m;
} mrec_state;

static void mrec_receipts(void *state, const kt_cols_receipts *seg, size_t begin, size_t end) {
    mrec_state *s = state;
    mrec *m = s->m;
    for (size_t i = begin; i < end; i++) {
        if (i + KT_AMEMBER_PREFETCH < end)
            __builtin_prefetch(&m[kt_actx_index_of(s->member_slots, seg->member[i + KT_AMEMBER_PREFETCH])], 1);
        if (!seg->member[i]) continue;
        if (seg->day[i] < s->f->from || seg->day[i] > s->f->to) continue;
        if (s->f->store_ok && !s->f->store_ok[kt_actx_index_of(s->store_slots, seg->store[i])]) continue;
        mrec *x = &m[kt_actx_index_of(s->member_slots, seg->member[i])];
        x->sales += seg->amount[i];
        if (seg->flags[i] & KT_COLS_RETURN) continue;
        if (!x->receipts || seg->day[i] < x->first) x->first = seg->day[i];
        if (!x->receipts || seg->day[i] > x->last) x->last = seg->day[i];
        x->receipts++;
    }
}

/* Sale receipts, net sales and first and last sale day of every member index
 * over the receipts that pass F. *out has kt_actx_count(MEMBER) entries. */
static kt_rc member_receipts(kt_actx *a, const kt_afilter *f, int threads, mrec **out, size_t *n, kt_err *err) {
    size_t nm = kt_actx_count(a, KT_ADIM_MEMBER);
    threads = kt_actx_member_threads(a, threads);
    void **st = kt_report_states(threads, sizeof(mrec_state));
    for (int t = 0; t < threads; t++)
        *(mrec_state *)st[t] = (mrec_state){f, kt_actx_op_slots(a, KT_ADIM_STORE), kt_actx_op_slots(a, KT_ADIM_MEMBER),
                                            kt_actx_zalloc(nm, sizeof(mrec))};
    unsigned cols = KT_ASCAN_COL(KT_COLS_R_MEMBER) | KT_ASCAN_COL(KT_COLS_R_DAY) | KT_ASCAN_COL(KT_COLS_R_FLAGS) | KT_ASCAN_COL(KT_COLS_R_AMOUNT) | (f->store_ok ? KT_ASCAN_COL(KT_COLS_R_STORE) : 0u);
    kt_rc rc = kt_actx_scan_receipts_cols(a, threads, cols, mrec_receipts, st, err);
    mrec *sum = ((mrec_state *)st[0])->m;
    for (int t = 1; t < threads; t++) {
        mrec *x = ((mrec_state *)st[t])->m;
        for (size_t i = 0; i < nm; i++) {
            if (!x[i].receipts && !x[i].sales) continue;
            sum[i].sales += x[i].sales;
            if (x[i].receipts) {
                if (!sum[i].receipts || x[i].first < sum[i].first) sum[i].first = x[i].first;
                if (!sum[i].receipts || x[i].last > sum[i].last) sum[i].last = x[i].last;
                sum[i].receipts += x[i].receipts;
            }
        }
        free(x);
    }
    kt_report_states_free(st, threads);
    if (rc) {
        free(sum);
        sum = NULL;
    }
    *out = sum;
    *n = nm;
    return rc;
}

/* ---- R10, R13: rankings ---------------------------------------------------------------- */
static int by_k1_desc(const kt_rcand *x, const kt_rcand *y) { return x->k1 > y->k1 ? -1 : x->k1 < y->k1; }

static kt_rc ranking(kt_actx *a, const kt_report_args *r, kt_aout *out, bool by_sales, kt_err *err) {
    kt_acol cols[] = {{"rank", KT_ACOL_INT, 0},
                      {"member", KT_ACOL_TEXT, 0},
                      {by_sales ? "sales" : "receipts", by_sales ? KT_ACOL_MONEY : KT_ACOL_INT, 0},
                      {by_sales ? "receipts" : "sales", by_sales ? KT_ACOL_INT : KT_ACOL_MONEY, 0}};
    mrec *m;
    size_t nm;
    kt_rc rc = member_receipts(a, &r->filter, r->threads, &m, &nm, err);
    kt_aout_table(out, by_sales ? "top_sales" : "top_receipts", cols, KT_ARRAY_LEN(cols));
    if (rc) return rc;
    /* Only members whose key reaches the top-th largest can rank: that key
     * first (a heap of the top largest keys), then those members alone. */
    size_t top = (size_t)r->top, nh = 0;
    int64_t bar = INT64_MIN;
    if (top && top < nm) {
        int64_t *h = kt_xmalloc(top * sizeof *h); /* min-heap */
        for (size_t i = 1; i < nm; i++) {
            if (!m[i].receipts) continue;
            int64_t k = by_sales ? m[i].sales : m[i].receipts;
            if (nh == top && k <= h[0]) continue;
            size_t j;
            if (nh < top) {
                for (j = nh++; j && h[(j - 1) / 2] > k; j = (j - 1) / 2) h[j] = h[(j - 1) / 2];
            } else {
                for (j = 0;;) {
                    size_t l = 2 * j + 1, c2 = l + 1 < nh && h[l + 1] < h[l] ? l + 1 : l;
                    if (l >= nh || h[c2] >= k) break;
                    h[j] = h[c2];
                    j = c2;
                }
            }
            h[j] = k;
        }
        if (nh == top) bar = h[0];
        free(h);
    }
    size_t n = 0, cap = 1024;
    kt_rcand *c = kt_xmalloc(cap * sizeof *c);
    for (size_t i = 1; i < nm; i++) {
        if (!m[i].receipts || (by_sales ? m[i].sales : m[i].receipts) < bar) continue;
        if (n == cap) c = kt_xrealloc(c, (cap *= 2) * sizeof *c);
        c[n++] = (kt_rcand){(uint32_t)i, by_sales ? m[i].sales : m[i].receipts, by_sales ? m[i].receipts : m[i].sales};
    }
    n = kt_rank_members(a, c, n, top, by_k1_desc);
    for (size_t i = 0; i < n; i++) {
        kt_aout_int(out, (int64_t)i + 1);
        kt_aout_text(out, kt_actx_name(a, KT_ADIM_MEMBER, c[i].index));
        if (by_sales) {
            kt_aout_money(out, c[i].k1);
            kt_aout_int(out, c[i].k2);
        } else {
            kt_aout_int(out, c[i].k1);
            kt_aout_money(out, c[i].k2);
        }
        kt_aout_row_end(out);
    }
    free(c);
    free(m);
    return KT_OK;
}

kt_rc kt_report_top_receipts(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err) {
    return ranking(a, r, out, false, err);
}

kt_rc kt_report_top_sales(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err) {
    return ranking(a, r, out, true, err);
}

/* ---- R9 items per receipt ------------------------------------------------------------- */
typedef struct items_acc { int64_t lines, units; } items_acc;
typedef struct items_state {
    const kt_afilter *f;
    uint32_t store_slots, member_slots;
    items_acc *m;
} items_state;

static void items_lines(void *state, const kt_cols_lines *seg, size_t begin, size_t end) {
    items_state *s = state;
    for (size_t i = begin; i < end; i++) {
        if (!seg->member[i] || seg->qty_milli[i] < 0) continue;
        if (!kt_afilter_pass(s->f, kt_actx_index_of(s->store_slots, seg->store[i]), seg->day[i])) continue;
        items_acc *x = &s->m[kt_actx_index_of(s->member_slots, seg->member[i])];
        x->lines++;
        x->units += seg->qty_milli[i];
    }
}

/* k1 items, k2 receipts: more items per receipt first */
static int by_items_desc(const kt_rcand *x, const kt_rcand *y) {
    __int128 a = (__int128)x->k1 * y->k2, b = (__int128)y->k1 * x->k2;
    return a > b ? -1 : a < b;
}
static int by_items_asc(const kt_rcand *x, const kt_rcand *y) { return -by_items_desc(x, y); }

kt_rc kt_report_items_per_receipt(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err) {
    kt_acol cols[] = {{"rank", KT_ACOL_INT, 0},     {"member", KT_ACOL_TEXT, 0},
                      {"receipts", KT_ACOL_INT, 0}, {"items", KT_ACOL_INT, 0},
                      {"items_per_receipt", KT_ACOL_REAL, 2}, {"units_per_receipt", KT_ACOL_REAL, 3}};
    mrec *m = NULL;
    size_t nm;
    kt_rc rc = member_receipts(a, &r->filter, r->threads, &m, &nm, err);
    kt_aout_table(out, "items_per_receipt", cols, KT_ARRAY_LEN(cols));
    if (rc) return rc;
    void **st = kt_report_states(r->threads, sizeof(items_state));
    for (int t = 0; t < r->threads; t++)
        *(items_state *)st[t] = (items_state){&r->filter, kt_actx_op_slots(a, KT_ADIM_STORE),
                                              kt_actx_op_slots(a, KT_ADIM_MEMBER), kt_xcalloc(nm ? nm : 1, sizeof(items_acc))};
    rc = kt_actx_scan_lines(a, r->threads, items_lines, st, err);
    items_acc *sum = ((items_state *)st[0])->m;
    for (int t = 1; t < r->threads; t++) {
        items_acc *x = ((items_state *)st[t])->m;
        for (size_t i = 0; i < nm; i++) {
            sum[i].lines += x[i].lines;
            sum[i].units += x[i].units;
        }
        free(x);
    }
    if (!rc) {
        kt_rcand *c = kt_xmalloc((nm ? nm : 1) * sizeof *c);
        size_t n = 0;
        for (size_t i = 1; i < nm; i++)
            if (m[i].receipts && (int64_t)m[i].receipts >= r->min_receipts)
                c[n++] = (kt_rcand){(uint32_t)i, sum[i].lines, m[i].receipts};
        n = kt_rank_members(a, c, n, (size_t)r->top, r->fewest ? by_items_asc : by_items_desc);
        for (size_t i = 0; i < n; i++) {
            kt_aout_int(out, (int64_t)i + 1);
            kt_aout_text(out, kt_actx_name(a, KT_ADIM_MEMBER, c[i].index));
            kt_aout_int(out, c[i].k2);
            kt_aout_int(out, c[i].k1);
            /* rounded half away from zero on integers, so that the printed digits are exact */
            kt_aout_real(out, (double)kt_report_div_round(c[i].k1 * 100, c[i].k2) / 100.0);
            kt_aout_real(out, (double)kt_report_div_round(sum[c[i].index].units, c[i].k2) / 1000.0);
            kt_aout_row_end(out);
        }
        free(c);
    }
    free(sum);
    kt_report_states_free(st, r->threads);
    free(m);
    return rc;
}

/* ---- R11 inactive ---------------------------------------------------------------------- */
kt_rc kt_report_inactive(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err) {
    kt_acol cols[] = {{"member", KT_ACOL_TEXT, 0},       {"registered", KT_ACOL_DAY, 0},
                      {"last_purchase", KT_ACOL_DAY, 0}, {"days_inactive", KT_ACOL_INT, 0},
                      {"receipts", KT_ACOL_INT, 0},      {"sales", KT_ACOL_MONEY, 0}};
    kt_afilter f = r->filter;
    f.from = INT32_MIN;
    mrec *m = NULL;
    size_t nm;
    kt_rc rc = kt_actx_load_members(a, err);
    if (!rc) rc = member_receipts(a, &f, r->threads, &m, &nm, err);
    kt_aout_table(out, "inactive", cols, KT_ARRAY_LEN(cols));
    if (rc || r->as_of == KT_DAY_NONE) {
        free(m);
        return rc;
    }
    kt_rcand *c = kt_xmalloc((nm ? nm : 1) * sizeof *c);
    size_t n = 0;
    for (size_t i = 1; i < nm; i++) {
        const kt_actx_member *p = kt_actx_member_profile(a, (uint32_t)i);
        int64_t days;
        if (m[i].receipts) days = (int64_t)r->as_of - m[i].last;
        else if (p && p->registered_day != KT_DAY_NONE && p->registered_day <= r->as_of &&
                 (!f.store_ok || (p->reg_store != KT_ACTX_NONE && f.store_ok[p->reg_store])))
            days = (int64_t)r->as_of - p->registered_day;
        else continue;
        if (days >= r->days) c[n++] = (kt_rcand){(uint32_t)i, days, 0};
    }
    n = kt_rank_members(a, c, n, (size_t)r->top, by_k1_desc);
    for (size_t i = 0; i < n; i++) {
        uint32_t x = c[i].index;
        const kt_actx_member *p = kt_actx_member_profile(a, x);
        kt_aout_text(out, kt_actx_name(a, KT_ADIM_MEMBER, x));
        kt_aout_day(out, p ? p->registered_day : KT_DAY_NONE);
        kt_aout_day(out, m[x].receipts ? m[x].last : KT_DAY_NONE);
        kt_aout_int(out, c[i].k1);
        kt_aout_int(out, m[x].receipts);
        kt_aout_money(out, m[x].sales);
        kt_aout_row_end(out);
    }
    free(c);
    free(m);
    return KT_OK;
}

/* ---- R3 demographics, R8 sales by profile ------------------------------------------------ */
typedef struct gacc { int64_t members, buyers, receipts, sales; } gacc;

static gacc *gacc_at(gacc **g, size_t *cap, uint32_t id) {
    if (id >= *cap) {
        size_t ncap = *cap ? *cap : 16;
        while (ncap <= id) ncap *= 2;
        *g = kt_xrealloc(*g, ncap * sizeof **g);
        memset(*g + *cap, 0, (ncap - *cap) * sizeof **g);
        *cap = ncap;
    }
    return &(*g)[id];
}

static kt_rc profile_report(kt_actx *a, const kt_report_args *r, kt_aout *out, bool sales, kt_err *err) {
    kt_rgrouper *g = kt_rgrouper_new(a, r);
    kt_acol cols[KT_RGROUPS_MAX + 6];
    int ng = r->ngroups, nc = ng;
    kt_rgrouper_columns(g, cols);
    if (sales) {
        cols[nc++] = (kt_acol){"buyers", KT_ACOL_INT, 0};
        cols[nc++] = (kt_acol){"receipts", KT_ACOL_INT, 0};
        cols[nc++] = (kt_acol){"sales", KT_ACOL_MONEY, 0};
        cols[nc++] = (kt_acol){"share", KT_ACOL_REAL, 4};
        cols[nc++] = (kt_acol){"avg_receipt", KT_ACOL_MONEY, 0};
        cols[nc++] = (kt_acol){"sales_per_buyer", KT_ACOL_MONEY, 0};
    } else {
        cols[nc++] = (kt_acol){"members", KT_ACOL_INT, 0};
        cols[nc++] = (kt_acol){"buyers", KT_ACOL_INT, 0};
        cols[nc++] = (kt_acol){"buyer_share", KT_ACOL_REAL, 4};
        cols[nc++] = (kt_acol){"share", KT_ACOL_REAL, 4};
    }
    mrec *m = NULL;
    size_t nm = 0;
    kt_rc rc = kt_actx_load_members(a, err);
    if (!rc) rc = member_receipts(a, &r->filter, r->threads, &m, &nm, err);
    kt_aout_table(out, sales ? "sales_by_profile" : "demographics", cols, (size_t)nc);
    if (rc || r->as_of == KT_DAY_NONE) goto done;
    gacc *acc = NULL;
    size_t cap = 0;
    int64_t all_buyers = 0, all_sales = 0;
    for (size_t i = 1; i < nm; i++) {
        const kt_actx_member *p = kt_actx_member_profile(a, (uint32_t)i);
        bool buyer = m[i].receipts > 0;
        if (sales) {
            if (!buyer && !m[i].sales) continue;
        } else if (!buyer) {
            bool known = p && p->registered_day != KT_DAY_NONE && p->registered_day <= r->as_of &&
                         (!r->filter.store_ok || (p->reg_store != KT_ACTX_NONE && r->filter.store_ok[p->reg_store]));
            if (!known) continue;
        }
        if (!kt_rgrouper_pass(g, p)) continue;
        gacc *x = gacc_at(&acc, &cap, kt_rgrouper_group(g, p));
        x->members++;
        x->buyers += buyer;
        x->receipts += m[i].receipts;
        x->sales += m[i].sales;
        all_buyers += buyer;
        all_sales += m[i].sales;
    }
    size_t n = kt_rgrouper_count(g);
    uint32_t *order = kt_xmalloc((n ? n : 1) * sizeof *order);
    for (size_t i = 0; i < n; i++) order[i] = (uint32_t)i;
    kt_rgrouper_sort(g, order, n);
    for (size_t i = 0; i < n; i++) {
        const gacc *x = &acc[order[i]];
        kt_rgrouper_cells(g, out, order[i]);
        if (sales) {
            kt_aout_int(out, x->buyers);
            kt_aout_int(out, x->receipts);
            kt_aout_money(out, x->sales);
            kt_aout_real(out, kt_report_ratio((double)x->sales, (double)all_sales));
            if (x->receipts) kt_aout_money(out, kt_report_div_round(x->sales, x->receipts));
            else kt_aout_null(out);
            if (x->buyers) kt_aout_money(out, kt_report_div_round(x->sales, x->buyers));
            else kt_aout_null(out);
        } else {
            kt_aout_int(out, x->members);
            kt_aout_int(out, x->buyers);
            kt_aout_real(out, kt_report_ratio((double)x->buyers, (double)x->members));
            kt_aout_real(out, kt_report_ratio((double)x->buyers, (double)all_buyers));
        }
        kt_aout_row_end(out);
    }
    free(order);
    free(acc);
done:
    free(m);
    kt_rgrouper_free(g);
    return rc;
}

kt_rc kt_report_demographics(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err) {
    return profile_report(a, r, out, false, err);
}

kt_rc kt_report_sales_by_profile(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err) {
    return profile_report(a, r, out, true, err);
}

/* ---- R4 activity --------------------------------------------------------------------------- */
typedef struct act_state {
    const kt_afilter *f;      /* stores; days up to f->to */
    kt_rperiod by;
    uint32_t store_slots, member_slots;
    int32_t first, ord0, days;
    size_t nper;
    const int32_t *end;       /* last day counted of each period */
    kt_rbits *buyers, *active;
    int32_t *first_sale;      /* by member; INT32_MAX: none */
} act_state;

static void act_receipts(void *state, const kt_cols_receipts *seg, size_t begin, size_t end) {
    act_state *s = state;
    for (size_t i = begin; i < end; i++) {
        if (!seg->member[i] || (seg->flags[i] & KT_COLS_RETURN)) continue;
        int32_t day = seg->day[i];
        if (!kt_afilter_pass(s->f, kt_actx_index_of(s->store_slots, seg->store[i]), day)) continue;
        uint32_t m = kt_actx_index_of(s->member_slots, seg->member[i]);
        if (day < s->first_sale[m]) s->first_sale[m] = day;
        int64_t p = day < s->first ? 0 : (int64_t)kt_rper_ordinal(s->by, day, 0) - s->ord0;
        if (day >= s->first) kt_rbits_set(s->buyers, (size_t)p, m);
        for (; p < (int64_t)s->nper && (int64_t)s->end[p] < (int64_t)day + s->days; p++) kt_rbits_set(s->active, (size_t)p, m);
    }
}

kt_rc kt_report_activity(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err) {
    kt_acol cols[] = {kt_rper_column(r->by),        {"members", KT_ACOL_INT, 0}, {"new", KT_ACOL_INT, 0},
                      {"buyers", KT_ACOL_INT, 0},   {"new_buyers", KT_ACOL_INT, 0}, {"active", KT_ACOL_INT, 0},
                      {"active_share", KT_ACOL_REAL, 4}};
    kt_rbits buyers = {0}, active = {0};
    void **st = NULL;
    int32_t *end = NULL;
    int64_t *newc = NULL, *new_buyers = NULL;
    kt_day first = r->filter.from, last = r->filter.to, dummy;
    kt_rc rc = kt_actx_load_members(a, err);
    if (!rc && r->from_opt == KT_DAY_NONE) rc = kt_report_day_range(a, &r->filter, r->threads, &first, &dummy, err);
    kt_aout_table(out, "activity", cols, KT_ARRAY_LEN(cols));
    if (rc || r->as_of == KT_DAY_NONE || first == KT_DAY_NONE || last == INT32_MAX || first > last) return rc;
    size_t nm = kt_actx_count(a, KT_ADIM_MEMBER);
    int32_t ord0 = kt_rper_ordinal(r->by, first, 0);
    if (r->from_opt == KT_DAY_NONE) first = kt_rper_first(r->by, ord0); /* whole first period */
    size_t nper = (size_t)(kt_rper_ordinal(r->by, last, 0) - ord0) + 1;
    rc = kt_rbits_init(&buyers, nper, nm, "--by", err);
    if (!rc) rc = kt_rbits_init(&active, nper, nm, "--by", err);
    if (rc) goto done;
    end = kt_xmalloc(nper * sizeof *end);
    for (size_t p = 0; p < nper; p++) {
        kt_day e = kt_rper_last(r->by, ord0 + (int32_t)p);
        end[p] = e < last ? e : last;
    }
    kt_afilter f = r->filter;
    f.from = INT32_MIN;
    st = kt_report_states(r->threads, sizeof(act_state));
    for (int t = 0; t < r->threads; t++) {
        act_state *s = st[t];
        *s = (act_state){&f, r->by, kt_actx_op_slots(a, KT_ADIM_STORE), kt_actx_op_slots(a, KT_ADIM_MEMBER), first,
                         ord0, (int32_t)r->days, nper, end, &buyers, &active, kt_xmalloc((nm ? nm : 1) * sizeof(int32_t))};
        for (size_t i = 0; i < nm; i++) s->first_sale[i] = INT32_MAX;
    }
    rc = kt_actx_scan_receipts(a, r->threads, act_receipts, st, err);
    if (rc) goto done;
    int32_t *fs = ((act_state *)st[0])->first_sale;
    for (int t = 1; t < r->threads; t++) {
        const int32_t *x = ((act_state *)st[t])->first_sale;
        for (size_t i = 0; i < nm; i++)
            if (x[i] < fs[i]) fs[i] = x[i];
    }
    newc = kt_xcalloc(nper, sizeof *newc);
    new_buyers = kt_xcalloc(nper, sizeof *new_buyers);
    int64_t base = 0;
    for (size_t i = 1; i < nm; i++) {
        if (fs[i] >= first && fs[i] <= last) new_buyers[kt_rper_ordinal(r->by, fs[i], 0) - ord0]++;
        const kt_actx_member *p = kt_actx_member_profile(a, (uint32_t)i);
        if (!p || p->registered_day == KT_DAY_NONE || p->registered_day > last) continue;
        if (f.store_ok && (p->reg_store == KT_ACTX_NONE || !f.store_ok[p->reg_store])) continue;
        if (p->registered_day < first) base++;
        else newc[kt_rper_ordinal(r->by, p->registered_day, 0) - ord0]++;
    }
    for (size_t p = 0; p < nper; p++) {
        base += newc[p];
        int64_t act = (int64_t)kt_rbits_count(&active, p);
        kt_rper_cell(out, r->by, ord0 + (int32_t)p);
        kt_aout_int(out, base);
        kt_aout_int(out, newc[p]);
        kt_aout_int(out, (int64_t)kt_rbits_count(&buyers, p));
        kt_aout_int(out, new_buyers[p]);
        kt_aout_int(out, act);
        kt_aout_real(out, kt_report_ratio((double)act, (double)base));
        kt_aout_row_end(out);
    }
done:
    if (st)
        for (int t = 0; t < r->threads; t++) free(((act_state *)st[t])->first_sale);
    kt_report_states_free(st, r->threads);
    free(end);
    free(newc);
    free(new_buyers);
    kt_rbits_free(&buyers);
    kt_rbits_free(&active);
    return rc;
}
