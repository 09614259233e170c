/*
 * report.c - the catalogue of reports (report.h) and the reports over
 * periods and stores: R1 sales, R7 store dynamics, R12 store frequency,
 * R14 registrations by store.
 */
#include "analytics/report_int.h"
#include "core/date.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const kt_report kt_reports[] = {
    {"sales", 1, "sales by hour, weekday, day, week or month", "sales",
     KT_RO_RANGE | KT_RO_STORE | KT_RO_BY_TIME, KT_RPER_DAY, 0, 0, kt_report_sales},
    {"points", 2, "points accrued, redeemed, expired and outstanding per period (the ledger)", "points",
     KT_RO_RANGE | KT_RO_BY_PERIOD, KT_RPER_MONTH, 0, 0, kt_report_points},
    {"demographics", 3, "members and buyers by sex, age band, region or city", "demographics",
     KT_RO_RANGE | KT_RO_STORE | KT_RO_BY_PROFILE | KT_RO_PROFILE, 0, 0, 0, kt_report_demographics},
    {"activity", 4, "members: total, new, buyers, new buyers and active per period", "activity",
     KT_RO_RANGE | KT_RO_STORE | KT_RO_BY_PERIOD | KT_RO_DAYS, KT_RPER_MONTH, 0, 90, kt_report_activity},
    {"product-loyalty", 5, "buyers and repeat buyers of each category, brand or SKU, and their wallet share",
     "product_loyalty", KT_RO_RANGE | KT_RO_STORE | KT_RO_BY_PROFILE | KT_RO_PROFILE | KT_RO_LEVEL, 0, 0, 0,
     kt_report_product_loyalty},
    {"stock", 6, "units sold, stock at the last snapshot and days of cover per store and SKU", "stock",
     KT_RO_RANGE | KT_RO_STORE | KT_RO_TOTAL, 0, 0, 0, kt_report_stock},
    {"store-dynamics", 7, "sales per store per period with the change against the previous period",
     "store_dynamics", KT_RO_RANGE | KT_RO_STORE | KT_RO_BY_PERIOD, KT_RPER_MONTH, 0, 0, kt_report_store_dynamics},
    {"sales-by-profile", 8, "receipts and sales by sex, age band, region or city of the buyer", "sales_by_profile",
     KT_RO_RANGE | KT_RO_STORE | KT_RO_BY_PROFILE | KT_RO_PROFILE, 0, 0, 0, kt_report_sales_by_profile},
    {"items-per-receipt", 9, "members with the most (or fewest) items per receipt", "items_per_receipt",
     KT_RO_RANGE | KT_RO_STORE | KT_RO_TOP | KT_RO_FEWEST, 0, 100, 0, kt_report_items_per_receipt},
    {"top-receipts", 10, "members ranked by number of receipts", "top_receipts",
     KT_RO_RANGE | KT_RO_STORE | KT_RO_TOP, 0, 100, 0, kt_report_top_receipts},
    {"inactive", 11, "members with no purchase for N days, with their last purchase and spend", "inactive",
     KT_RO_STORE | KT_RO_DAYS | KT_RO_TOP, 0, 0, 90, kt_report_inactive},
    {"store-frequency", 12, "receipts per member at each store", "store_frequency",
     KT_RO_RANGE | KT_RO_STORE, 0, 0, 0, kt_report_store_frequency},
    {"top-sales", 13, "members ranked by sales", "top_sales", KT_RO_RANGE | KT_RO_STORE | KT_RO_TOP, 0, 100, 0,
     kt_report_top_sales},
    {"registrations", 14, "registrations per store and period, and where those members buy", "registrations",
     KT_RO_RANGE | KT_RO_STORE | KT_RO_BY_PERIOD, KT_RPER_MONTH, 0, 0, kt_report_registrations},
};
const size_t kt_report_count = KT_ARRAY_LEN(kt_reports);

const kt_report *kt_report_find(const char *name) {
    if (!name) return NULL;
    for (size_t i = 0; i < kt_report_count; i++)
        if (!strcmp(kt_reports[i].name, name)) return &kt_reports[i];
    if ((name[0] == 'r' || name[0] == 'R') && name[1] >= '1' && name[1] <= '9' && strlen(name) <= 3) {
        char *end;
        long n = strtol(name + 1, &end, 10);
        if (!*end)
            for (size_t i = 0; i < kt_report_count; i++)
                if (kt_reports[i].number == n) return &kt_reports[i];
    }
    return NULL;
}

kt_rc kt_report_parse_period(const kt_report *rep, const char *s, kt_rperiod *out, kt_err *err) {
    static const char *const names[] = {"hour", "weekday", "day", "week", "month"};
    bool all = rep->options & KT_RO_BY_TIME;
    for (int i = all ? 0 : 2; i < 5; i++)
        if (!strcmp(s, names[i])) { *out = (kt_rperiod)i; return KT_OK; }
    return kt_fail(err, KT_EUSAGE, "--by", "want %s, not \"%.40s\"", all ? "hour, weekday, day, week or month" : "day, week or month", s);
}

kt_rc kt_report_parse_groups(const char *s, kt_rgroup *groups, int *ngroups, kt_err *err) {
    static const char *const names[] = {"sex", "age", "region", "city"};
    *ngroups = 0;
    const char *p = s;
    for (;;) {
        size_t len = strcspn(p, ",");
        int found = -1;
        for (int i = 0; i < 4; i++)
            if (strlen(names[i]) == len && !memcmp(names[i], p, len)) found = i;
        if (found < 0) return kt_fail(err, KT_EUSAGE, "--by", "want a list of sex, age, region, city, not \"%.40s\"", s);
        for (int i = 0; i < *ngroups; i++)
            if (groups[i] == (kt_rgroup)found) return kt_fail(err, KT_EUSAGE, "--by", "%s is listed twice", names[found]);
        groups[(*ngroups)++] = (kt_rgroup)found;
        if (!p[len]) break;
        p += len + 1;
    }
    return KT_OK;
}

/* The ordinals of the range's periods: [*ord0, *ord0 + *nper); *nper 0 when
 * the range is empty. FIRST and LAST (may be NULL) get the range's first and
 * last day with a receipt, KT_DAY_NONE for hours and weekdays. */
static kt_rc period_range_days(kt_actx *a, const kt_report_args *r, int32_t *ord0, size_t *nper, kt_day *pfirst,
                               kt_day *plast, kt_err *err) {
    *ord0 = 0;
    *nper = 0;
    kt_day first = KT_DAY_NONE, last = KT_DAY_NONE;
    if (pfirst) *pfirst = first;
    if (plast) *plast = last;
    if (r->by == KT_RPER_HOUR || r->by == KT_RPER_WEEKDAY) {
        *nper = r->by == KT_RPER_HOUR ? 24 : 7;
        return KT_OK;
    }
    kt_rc rc = kt_report_day_range(a, &r->filter, r->threads, &first, &last, err);
    if (pfirst) *pfirst = first;
    if (plast) *plast = last;
    if (rc || first == KT_DAY_NONE) return rc;
    *ord0 = kt_rper_ordinal(r->by, first, 0);
    *nper = (size_t)(kt_rper_ordinal(r->by, last, 0) - *ord0) + 1;
    return KT_OK;
}

static kt_rc period_range(kt_actx *a, const kt_report_args *r, int32_t *ord0, size_t *nper, kt_err *err) {
    return period_range_days(a, r, ord0, nper, NULL, NULL, err);
}

/* ---- R1 sales ------------------------------------------------------------------- */
typedef struct sales_acc { int64_t receipts, lines, units, sales, rows; } sales_acc;
typedef struct sales_state {
    const kt_afilter *f;
    kt_rperiod by;
    uint32_t store_slots, member_slots;
    int32_t ord0;
    size_t nper;
    const uint8_t *by_minute;  /* hours: period of each minute of the day */
    const uint32_t *by_day;    /* days, weeks, months: period of day0 + k */
    int32_t day0;
    uint32_t ndays;
    kt_rbits *members;
    sales_acc *acc;
} sales_state;

/* The period of a row (a table look-up; the ordinal's arithmetic otherwise). */
static inline size_t sales_period(const sales_state *s, int32_t day, unsigned minute) {
    if (s->by_minute && minute < 1440) return s->by_minute[minute];
    if (s->by_day && (uint32_t)(day - s->day0) < s->ndays) return s->by_day[(uint32_t)(day - s->day0)];
    return (size_t)(kt_rper_ordinal(s->by, day, minute) - s->ord0);
}

/* DAY is NULL in a segment whose days all pass (hours: kt_actx_scan_*_days). */
static inline bool sales_pass(const sales_state *s, const uint32_t *store, const int32_t *day, size_t i) {
    if (day && (day[i] < s->f->from || day[i] > s->f->to)) return false;
    return !s->f->store_ok || s->f->store_ok[kt_actx_index_of(s->store_slots, store[i])];
}

/* The row's period: hours from the minute (the day may be absent), others from
 * the day (the minute is not read). */
static inline size_t sales_row_period(const sales_state *s, const int32_t *day, const uint16_t *minute, size_t i) {
    if (s->by_minute) return minute[i] < 1440 ? s->by_minute[minute[i]] : (size_t)(minute[i] / 60 - s->ord0);
    return sales_period(s, day[i], 0);
}

/* Fetch the member bit of row J ahead of its use: members come in no order
 * (a cache miss in bitsets of tens of MB otherwise costs most of a row). */
static inline void sales_prefetch(const sales_state *s, const kt_cols_receipts *seg, size_t j) {
    uint32_t m = seg->member[j];
    size_t p = sales_row_period(s, seg->day, seg->minute, j);
    if (!m || p >= s->nper) return;
    uint32_t bit = kt_actx_index_of(s->member_slots, m);
    __builtin_prefetch((const void *)&s->members->w[p * s->members->words + bit / 64], 1);
}

/* AMOUNT is NULL in a segment whose sums came from its hour summary
 * (sales_summaries): its receipts only mark their buyers. */
static void sales_receipts(void *state, const kt_cols_receipts *seg, size_t begin, size_t end) {
    sales_state *s = state;
    for (size_t i = begin; i < end; i++) {
        if (i + KT_AMEMBER_PREFETCH < end) sales_prefetch(s, seg, i + KT_AMEMBER_PREFETCH);
        if (!sales_pass(s, seg->store, seg->day, i)) continue;
        size_t p = sales_row_period(s, seg->day, seg->minute, i);
        if (p >= s->nper) continue;
        if (seg->amount) {
            sales_acc *x = &s->acc[p];
            x->rows++;
            x->sales += seg->amount[i];
            if (seg->units) { /* a compact segment: its lines' totals are the receipt's (not scanned again) */
                x->units += seg->units[i];
                x->lines += seg->lines[i];
            }
            x->receipts += !(seg->flags[i] & KT_COLS_RETURN);
        }
        if (seg->flags[i] & KT_COLS_RETURN) continue;
        if (seg->member[i]) kt_rbits_set_own(s->members, p, kt_actx_index_of(s->member_slots, seg->member[i]));
    }
}

/* Without a store filter, the file segments whose month lies wholly in the
 * range and that have an hour summary (cols.h; a compact one with its units
 * and lines) add their receipts' sums from it into S; *DROP gets, by
 * segment, the columns their scan then need not read (the amounts, units
 * and line counts: the scan only marks buyers). Ordinary segments' lines
 * are scanned for units and lines as before. */
static kt_rc sales_summaries(kt_actx *a, const kt_afilter *f, sales_state *s, unsigned **drop, kt_err *err) {
    kt_cols *c = kt_actx_cols(a);
    size_t ns = kt_cols_segment_count(c);
    *drop = NULL;
    if (f->store_ok) return KT_OK;
    unsigned *d = kt_xcalloc(ns + 1, sizeof *d);
    for (size_t seg = 0; seg < ns; seg++) {
        if (!kt_actx_segment_within(a, seg, f->from, f->to)) continue;
        bool found, compact = kt_cols_segment_compact(c, seg);
        const kt_cols_hour_sum *e;
        size_t n;
        unsigned flags;
        kt_rc rc = kt_cols_hour_summary(c, seg, &found, &e, &n, &flags, err);
        if (rc) { free(d); return rc; }
        if (!found || (compact && !(flags & KT_COLS_SUM_UNITS))) continue;
        for (size_t k = 0; k < n; k++) {
            size_t p = sales_period(s, e[k].day, e[k].hour * 60);
            if (p >= s->nper) continue;
            sales_acc *x = &s->acc[p];
            x->rows += e[k].rows;
            x->receipts += e[k].receipts;
            x->sales += e[k].amount;
            if (compact) {
                x->units += e[k].units;
                x->lines += e[k].lines;
            }
        }
        d[seg] = KT_ASCAN_COL(KT_COLS_R_AMOUNT) | KT_ASCAN_COL(KT_COLS_R_UNITS) | KT_ASCAN_COL(KT_COLS_R_LINES);
    }
    *drop = d;
    return KT_OK;
}

static void sales_lines(void *state, const kt_cols_lines *seg, size_t begin, size_t end) {
    sales_state *s = state;
    sales_acc *acc = s->acc;
    const int64_t *qty = seg->qty_milli;
    for (size_t i = begin; i < end; i++) {
        if (!sales_pass(s, seg->store, seg->day, i)) continue;
        size_t p = sales_row_period(s, seg->day, seg->minute, i);
        if (p >= s->nper) continue;
        sales_acc *x = &acc[p];
        x->rows++;
        x->units += qty[i];
        x->lines += qty[i] >= 0;
    }
}

kt_rc kt_report_sales(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err) {
    int32_t ord0;
    size_t nper;
    kt_rbits members = {0}, *own = NULL;
    void **st = NULL;
    kt_day first, last;
    uint8_t by_minute[1440];
    uint32_t *by_day = NULL, ndays = 0;
    kt_rc rc = period_range_days(a, r, &ord0, &nper, &first, &last, err);
    kt_acol cols[] = {kt_rper_column(r->by), {"receipts", KT_ACOL_INT, 0}, {"lines", KT_ACOL_INT, 0},
                      {"units", KT_ACOL_REAL, 3}, {"sales", KT_ACOL_MONEY, 0}, {"members", KT_ACOL_INT, 0}};
    if (!rc) rc = kt_rbits_init(&members, nper, kt_actx_count(a, KT_ADIM_MEMBER), "--by", err);
    if (rc || !nper) goto done;
    if (r->by == KT_RPER_HOUR)
        for (unsigned m = 0; m < 1440; m++) by_minute[m] = (uint8_t)(m / 60);
    if (first != KT_DAY_NONE && last >= first && (int64_t)last - first < (1 << 24)) {
        ndays = (uint32_t)(last - first) + 1;
        by_day = kt_xmalloc(ndays * sizeof *by_day);
        for (uint32_t k = 0; k < ndays; k++) by_day[k] = (uint32_t)(kt_rper_ordinal(r->by, first + (int32_t)k, 0) - ord0);
    }
    st = kt_report_states(r->threads, sizeof(sales_state));
    /* distinct members: one bit set per thread (thread 0 the result's), ORed after the scan */
    own = kt_xcalloc((size_t)r->threads, sizeof *own);
    for (int t = 1; t < r->threads && !rc; t++) rc = kt_rbits_init(&own[t], nper, kt_actx_count(a, KT_ADIM_MEMBER), "--by", err);
    if (rc) goto done;
    for (int t = 0; t < r->threads; t++)
        *(sales_state *)st[t] = (sales_state){&r->filter, r->by, kt_actx_op_slots(a, KT_ADIM_STORE),
                                              kt_actx_op_slots(a, KT_ADIM_MEMBER), ord0, nper,
                                              r->by == KT_RPER_HOUR ? by_minute : NULL, by_day, first, ndays,
                                              t ? &own[t] : &members, kt_xcalloc(nper, sizeof(sales_acc))};
    {
        const kt_afilter *f = &r->filter;
        /* the minute only for hours; then the day only to filter (not read where a month is wholly in range) */
        bool hours = r->by == KT_RPER_HOUR;
        unsigned rcols = KT_ASCAN_COL(KT_COLS_R_MEMBER) | KT_ASCAN_COL(KT_COLS_R_DAY) | (hours ? KT_ASCAN_COL(KT_COLS_R_MINUTE) : 0u) | KT_ASCAN_COL(KT_COLS_R_FLAGS) | KT_ASCAN_COL(KT_COLS_R_AMOUNT) | (f->store_ok ? KT_ASCAN_COL(KT_COLS_R_STORE) : 0u) |
                         KT_ASCAN_COL(KT_COLS_R_UNITS) | KT_ASCAN_COL(KT_COLS_R_LINES);
        unsigned lcols = KT_ASCAN_COL(KT_COLS_L_DAY) | (hours ? KT_ASCAN_COL(KT_COLS_L_MINUTE) : 0u) | KT_ASCAN_COL(KT_COLS_L_QTY) | (f->store_ok ? KT_ASCAN_COL(KT_COLS_L_STORE) : 0u);
        unsigned *drop = NULL;
        rc = sales_summaries(a, f, st[0], &drop, err);
        if (!rc) rc = kt_actx_scan_receipts_drop(a, r->threads, rcols, hours ? f : NULL, drop, sales_receipts, st, err);
        free(drop);
        for (int t = 1; t < r->threads && !rc; t++) kt_rbits_or(&members, &own[t]);
        if (!rc)
            rc = kt_actx_scan_wide_lines_days(a, r->threads, lcols, hours ? f : NULL, sales_lines, st, err);
    }
done:
    kt_aout_table(out, "sales", cols, KT_ARRAY_LEN(cols));
    if (!rc && st) {
        sales_acc *sum = ((sales_state *)st[0])->acc;
        for (int t = 1; t < r->threads; t++) {
            const sales_acc *x = ((sales_state *)st[t])->acc;
            for (size_t p = 0; p < nper; p++) {
                sum[p].receipts += x[p].receipts;
                sum[p].lines += x[p].lines;
                sum[p].units += x[p].units;
                sum[p].sales += x[p].sales;
                sum[p].rows += x[p].rows;
            }
        }
        for (size_t p = 0; p < nper; p++) {
            if (!sum[p].rows) continue;
            kt_rper_cell(out, r->by, ord0 + (int32_t)p);
            kt_aout_int(out, sum[p].receipts);
            kt_aout_int(out, sum[p].lines);
            kt_aout_real(out, (double)sum[p].units / 1000.0);
            kt_aout_money(out, sum[p].sales);
            kt_aout_int(out, (int64_t)kt_rbits_count(&members, p));
            kt_aout_row_end(out);
        }
    }
    if (st)
        for (int t = 0; t < r->threads; t++) free(((sales_state *)st[t])->acc);
    kt_report_states_free(st, r->threads);
    kt_rbits_free(&members);
    for (int t = 1; own && t < r->threads; t++) kt_rbits_free(&own[t]);
    free(own);
    free(by_day);
    return rc;
}

/* ---- R7 store dynamics ------------------------------------------------------------ */
typedef struct dyn_acc { int64_t receipts, sales, rows; } dyn_acc;
typedef struct dyn_state {
    const kt_afilter *f;
    kt_rperiod by;
    uint32_t store_slots;
    int32_t ord0;
    size_t nper;
    dyn_acc *acc; /* [store][period] */
} dyn_state;

static void dyn_receipts(void *state, const kt_cols_receipts *seg, size_t begin, size_t end) {
    dyn_state *s = state;
    for (size_t i = begin; i < end; i++) {
        uint32_t store = kt_actx_index_of(s->store_slots, seg->store[i]);
        if (!kt_afilter_pass(s->f, store, seg->day[i])) continue;
        dyn_acc *x = &s->acc[(size_t)store * s->nper + (size_t)(kt_rper_ordinal(s->by, seg->day[i], 0) - s->ord0)];
        x->rows++;
        x->sales += seg->amount[i];
        x->receipts += !(seg->flags[i] & KT_COLS_RETURN);
    }
}

static int by_rank_of(const void *x, const void *y, void *ctx) {
    const uint32_t *rank = ctx;
    uint32_t a = rank[*(const uint32_t *)x], b = rank[*(const uint32_t *)y];
    return a < b ? -1 : a > b;
}

kt_rc kt_report_store_dynamics(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err) {
    int32_t ord0;
    size_t nper, nstores = kt_actx_count(a, KT_ADIM_STORE);
    void **st = NULL;
    kt_rc rc = period_range(a, r, &ord0, &nper, err);
    kt_acol cols[] = {{"store", KT_ACOL_TEXT, 0},       kt_rper_column(r->by),           {"receipts", KT_ACOL_INT, 0},
                      {"sales", KT_ACOL_MONEY, 0},      {"prev_sales", KT_ACOL_MONEY, 0}, {"change", KT_ACOL_MONEY, 0},
                      {"change_share", KT_ACOL_REAL, 4}};
    kt_aout_table(out, "store_dynamics", cols, KT_ARRAY_LEN(cols));
    if (rc || !nper || !nstores) return rc;
    st = kt_report_states(r->threads, sizeof(dyn_state));
    for (int t = 0; t < r->threads; t++)
        *(dyn_state *)st[t] = (dyn_state){&r->filter, r->by, kt_actx_op_slots(a, KT_ADIM_STORE), ord0, nper,
                                          kt_xcalloc(nstores * nper, sizeof(dyn_acc))};
    rc = kt_actx_scan_receipts(a, r->threads, dyn_receipts, st, err);
    if (!rc) {
        dyn_acc *sum = ((dyn_state *)st[0])->acc;
        for (int t = 1; t < r->threads; t++) {
            const dyn_acc *x = ((dyn_state *)st[t])->acc;
            for (size_t k = 0; k < nstores * nper; k++) {
                sum[k].receipts += x[k].receipts;
                sum[k].sales += x[k].sales;
                sum[k].rows += x[k].rows;
            }
        }
        uint32_t *rank = kt_report_store_ranks(a), *order = kt_xmalloc(nstores * sizeof *order);
        size_t n = 0;
        for (size_t s = 0; s < nstores; s++) {
            int64_t rows = 0;
            for (size_t p = 0; p < nper; p++) rows += sum[s * nper + p].rows;
            if (rows) order[n++] = (uint32_t)s;
        }
        qsort_r(order, n, sizeof *order, by_rank_of, rank);
        for (size_t i = 0; i < n; i++) {
            const dyn_acc *x = &sum[(size_t)order[i] * nper];
            for (size_t p = 0; p < nper; p++) {
                kt_aout_text(out, kt_actx_name(a, KT_ADIM_STORE, order[i]));
                kt_rper_cell(out, r->by, ord0 + (int32_t)p);
                kt_aout_int(out, x[p].receipts);
                kt_aout_money(out, x[p].sales);
                if (p == 0) {
                    kt_aout_null(out);
                    kt_aout_null(out);
                    kt_aout_null(out);
                } else {
                    kt_aout_money(out, x[p - 1].sales);
                    kt_aout_money(out, x[p].sales - x[p - 1].sales);
                    kt_aout_real(out, kt_report_ratio((double)(x[p].sales - x[p - 1].sales), (double)x[p - 1].sales));
                }
                kt_aout_row_end(out);
            }
        }
        free(rank);
        free(order);
    }
    for (int t = 0; t < r->threads; t++) free(((dyn_state *)st[t])->acc);
    kt_report_states_free(st, r->threads);
    return rc;
}

/* ---- R12 store frequency ------------------------------------------------------------ */
typedef struct freq_acc { int64_t receipts, card_receipts, sales, rows; } freq_acc;
typedef struct freq_state {
    const kt_afilter *f;
    uint32_t store_slots, member_slots;
    freq_acc *acc;
    kt_rkvs pairs; /* (store, member) of sale receipts */
} freq_state;

static void freq_receipts(void *state, const kt_cols_receipts *seg, size_t begin, size_t end) {
    freq_state *s = state;
    for (size_t i = begin; i < end; i++) {
        uint32_t store = kt_actx_index_of(s->store_slots, seg->store[i]);
        if (!kt_afilter_pass(s->f, store, seg->day[i])) continue;
        freq_acc *x = &s->acc[store];
        x->rows++;
        x->sales += seg->amount[i];
        if (seg->flags[i] & KT_COLS_RETURN) continue;
        x->receipts++;
        if (!seg->member[i]) continue;
        x->card_receipts++;
        kt_rkvs_push(&s->pairs, (uint64_t)store << 32 | kt_actx_index_of(s->member_slots, seg->member[i]), 0, 0);
    }
}

kt_rc kt_report_store_frequency(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err) {
    size_t nstores = kt_actx_count(a, KT_ADIM_STORE);
    kt_acol cols[] = {{"store", KT_ACOL_TEXT, 0},     {"receipts", KT_ACOL_INT, 0},
                      {"card_receipts", KT_ACOL_INT, 0}, {"members", KT_ACOL_INT, 0},
                      {"receipts_per_member", KT_ACOL_REAL, 2}, {"sales", KT_ACOL_MONEY, 0},
                      {"avg_receipt", KT_ACOL_MONEY, 0}};
    kt_aout_table(out, "store_frequency", cols, KT_ARRAY_LEN(cols));
    if (!nstores) return KT_OK;
    void **st = kt_report_states(r->threads, sizeof(freq_state));
    kt_rkvs **parts = kt_xcalloc((size_t)r->threads, sizeof *parts);
    for (int t = 0; t < r->threads; t++) {
        freq_state *s = st[t];
        *s = (freq_state){&r->filter, kt_actx_op_slots(a, KT_ADIM_STORE), kt_actx_op_slots(a, KT_ADIM_MEMBER),
                          kt_xcalloc(nstores, sizeof(freq_acc)), {0}};
        kt_rkvs_init(&s->pairs, kt_rkv_sum);
        parts[t] = &s->pairs;
    }
    kt_rc rc = kt_actx_scan_receipts(a, r->threads, freq_receipts, st, err);
    kt_rkvs pairs;
    kt_rkvs_init(&pairs, kt_rkv_sum);
    kt_rkvs_gather(&pairs, parts, r->threads);
    if (!rc) {
        freq_acc *sum = ((freq_state *)st[0])->acc;
        for (int t = 1; t < r->threads; t++) {
            const freq_acc *x = ((freq_state *)st[t])->acc;
            for (size_t k = 0; k < nstores; k++) {
                sum[k].receipts += x[k].receipts;
                sum[k].card_receipts += x[k].card_receipts;
                sum[k].sales += x[k].sales;
                sum[k].rows += x[k].rows;
            }
        }
        int64_t *members = kt_xcalloc(nstores, sizeof *members);
        for (size_t i = 0; i < pairs.n; i++) members[pairs.v[i].key >> 32]++;
        uint32_t *rank = kt_report_store_ranks(a), *order = kt_xmalloc(nstores * sizeof *order);
        size_t n = 0;
        for (size_t s = 0; s < nstores; s++)
            if (sum[s].rows) order[n++] = (uint32_t)s;
        qsort_r(order, n, sizeof *order, by_rank_of, rank);
        for (size_t i = 0; i < n; i++) {
            const freq_acc *x = &sum[order[i]];
            kt_aout_text(out, kt_actx_name(a, KT_ADIM_STORE, order[i]));
            kt_aout_int(out, x->receipts);
            kt_aout_int(out, x->card_receipts);
            kt_aout_int(out, members[order[i]]);
            if (members[order[i]])
                kt_aout_real(out, (double)kt_report_div_round(x->card_receipts * 100, members[order[i]]) / 100.0);
            else kt_aout_null(out);
            kt_aout_money(out, x->sales);
            if (x->receipts) kt_aout_money(out, kt_report_div_round(x->sales, x->receipts));
            else kt_aout_null(out);
            kt_aout_row_end(out);
        }
        free(members);
        free(rank);
        free(order);
    }
    kt_rkvs_free(&pairs);
    free(parts);
    for (int t = 0; t < r->threads; t++) free(((freq_state *)st[t])->acc);
    kt_report_states_free(st, r->threads);
    return rc;
}

/* ---- R14 registrations by store ------------------------------------------------------- */
typedef struct reg_state {
    int32_t to;
    uint32_t store_slots, member_slots, op_members;
    const uint32_t *reg_store; /* by member index < op_members */
    uint32_t *total, *here;    /* sale receipts by member */
} reg_state;

static void reg_receipts(void *state, const kt_cols_receipts *seg, size_t begin, size_t end) {
    reg_state *s = state;
    for (size_t i = begin; i < end; i++) {
        if (!seg->member[i] || seg->day[i] > s->to || (seg->flags[i] & KT_COLS_RETURN)) continue;
        uint32_t m = kt_actx_index_of(s->member_slots, seg->member[i]);
        if (m >= s->op_members) continue;
        s->total[m]++;
        s->here[m] += s->reg_store[m] == kt_actx_index_of(s->store_slots, seg->store[i]);
    }
}

typedef struct reg_row { uint64_t key; uint32_t total, here; } reg_row;

static int by_reg_key(const void *x, const void *y) {
    uint64_t a = ((const reg_row *)x)->key, b = ((const reg_row *)y)->key;
    return a < b ? -1 : a > b;
}

kt_rc kt_report_registrations(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err) {
    kt_acol cols[] = {{"store", KT_ACOL_TEXT, 0},         kt_rper_column(r->by),          {"registrations", KT_ACOL_INT, 0},
                      {"buyers", KT_ACOL_INT, 0},         {"receipts", KT_ACOL_INT, 0},   {"receipts_here", KT_ACOL_INT, 0},
                      {"here_share", KT_ACOL_REAL, 4}};
    kt_rc rc = kt_actx_load_members(a, err);
    kt_aout_table(out, "registrations", cols, KT_ARRAY_LEN(cols));
    if (rc || r->as_of == KT_DAY_NONE) return rc;
    uint32_t op = kt_actx_op_slots(a, KT_ADIM_MEMBER);
    size_t nm = kt_actx_count(a, KT_ADIM_MEMBER);
    if (op > nm) op = (uint32_t)nm;
    uint32_t *reg_store = kt_xmalloc((op ? op : 1) * sizeof *reg_store);
    for (uint32_t m = 0; m < op; m++) {
        const kt_actx_member *p = kt_actx_member_profile(a, m);
        reg_store[m] = p ? p->reg_store : KT_ACTX_NONE;
    }
    void **st = kt_report_states(r->threads, sizeof(reg_state));
    for (int t = 0; t < r->threads; t++)
        *(reg_state *)st[t] = (reg_state){r->as_of, kt_actx_op_slots(a, KT_ADIM_STORE), kt_actx_op_slots(a, KT_ADIM_MEMBER),
                                          op, reg_store, kt_xcalloc(op ? op : 1, sizeof(uint32_t)),
                                          kt_xcalloc(op ? op : 1, sizeof(uint32_t))};
    rc = kt_actx_scan_receipts(a, r->threads, reg_receipts, st, err);
    if (!rc) {
        reg_state *s0 = st[0];
        for (int t = 1; t < r->threads; t++) {
            const reg_state *s = st[t];
            for (uint32_t m = 0; m < op; m++) {
                s0->total[m] += s->total[m];
                s0->here[m] += s->here[m];
            }
        }
        uint32_t *rank = kt_report_store_ranks(a);
        reg_row *rows = kt_xmalloc((op ? op : 1) * sizeof *rows);
        size_t n = 0;
        for (uint32_t m = 1; m < op; m++) {
            const kt_actx_member *p = kt_actx_member_profile(a, m);
            if (!p || p->registered_day == KT_DAY_NONE) continue;
            if (p->registered_day < r->filter.from || p->registered_day > r->filter.to) continue;
            if (p->reg_store == KT_ACTX_NONE ? r->filter.store_ok != NULL
                                             : r->filter.store_ok && !r->filter.store_ok[p->reg_store])
                continue;
            uint32_t srank = p->reg_store == KT_ACTX_NONE ? UINT32_MAX : rank[p->reg_store];
            uint32_t ord = (uint32_t)((int64_t)kt_rper_ordinal(r->by, p->registered_day, 0) + INT32_MAX);
            rows[n++] = (reg_row){(uint64_t)srank << 32 | ord, s0->total[m], s0->here[m]};
        }
        qsort(rows, n, sizeof *rows, by_reg_key);
        /* store index of each rank, to name the rows */
        size_t nstores = kt_actx_count(a, KT_ADIM_STORE);
        uint32_t *by_rank = kt_xmalloc((nstores ? nstores : 1) * sizeof *by_rank);
        for (size_t s = 0; s < nstores; s++) by_rank[rank[s]] = (uint32_t)s;
        for (size_t i = 0; i < n;) {
            size_t j = i;
            int64_t regs = 0, buyers = 0, total = 0, here = 0;
            for (; j < n && rows[j].key == rows[i].key; j++) {
                regs++;
                buyers += rows[j].total > 0;
                total += rows[j].total;
                here += rows[j].here;
            }
            uint32_t srank = (uint32_t)(rows[i].key >> 32);
            if (srank == UINT32_MAX) kt_aout_null(out);
            else kt_aout_text(out, kt_actx_name(a, KT_ADIM_STORE, by_rank[srank]));
            kt_rper_cell(out, r->by, (int32_t)((int64_t)(uint32_t)rows[i].key - INT32_MAX));
            kt_aout_int(out, regs);
            kt_aout_int(out, buyers);
            kt_aout_int(out, total);
            kt_aout_int(out, here);
            kt_aout_real(out, kt_report_ratio((double)here, (double)total));
            kt_aout_row_end(out);
            i = j;
        }
        free(by_rank);
        free(rows);
        free(rank);
    }
    for (int t = 0; t < r->threads; t++) {
        reg_state *s = st[t];
        free(s->total);
        free(s->here);
    }
    kt_report_states_free(st, r->threads);
    free(reg_store);
    return rc;
}
