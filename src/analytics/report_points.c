/*
 * report_points.c - R2 (report.h): points accrued, redeemed, expired,
 * reversed, adjusted and outstanding per period, from the operational
 * store's ledger (docs/internals/ledger.md): the member entries of each
 * transaction, by the transaction's local day and kind.
 */
#include "analytics/report_int.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

typedef struct day_kind { kt_day day; int kind; int64_t points; } day_kind;

enum { P_ACCRUED, P_REDEEMED, P_EXPIRED, P_REVERSED, P_ADJUSTED, P_N };

/* The column a ledger kind adds to, and the sign (redemptions are negative entries shown positive). */
static int kind_column(const char *kind, int *sign) {
    *sign = 1;
    if (!strcmp(kind, "accrual")) return P_ACCRUED;
    *sign = -1;
    if (!strcmp(kind, "redemption")) return P_REDEEMED;
    if (!strcmp(kind, "expiry")) return P_EXPIRED;
    if (!strcmp(kind, "refund")) return P_REVERSED;
    *sign = 1;
    return P_ADJUSTED; /* opening, correction, merge */
}

kt_rc kt_report_points(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err) {
    kt_acol cols[] = {kt_rper_column(r->by),        {"accrued", KT_ACOL_INT, 0}, {"redeemed", KT_ACOL_INT, 0},
                      {"expired", KT_ACOL_INT, 0},  {"reversed", KT_ACOL_INT, 0}, {"adjusted", KT_ACOL_INT, 0},
                      {"outstanding", KT_ACOL_INT, 0}};
    kt_aout_table(out, "points", cols, KT_ARRAY_LEN(cols));
    kt_store *st = kt_actx_store(a);
    if (!st) return KT_OK;
    /* the last day: --to and --as-of as given, else the ledger's last day */
    kt_day to = INT32_MAX;
    if (r->to_opt != KT_DAY_NONE) to = r->to_opt;
    if (r->as_of_opt != KT_DAY_NONE && r->as_of_opt < to) to = r->as_of_opt;
    day_kind *rows = NULL;
    size_t n = 0, cap = 0;
    kt_cursor *cur;
    bool has;
    kt_rc rc = kt_store_query(st, KT_Q_REPORT_POINTS_BY_DAY, (kt_val[]){KT_VI(to)}, 1, &cur, err);
    if (rc) return rc;
    while (!(rc = kt_store_step(cur, &has, err)) && has) {
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            rows = kt_xrealloc(rows, cap * sizeof *rows);
        }
        int sign, col = kind_column(kt_col_text(cur, 1) ? kt_col_text(cur, 1) : "", &sign);
        rows[n++] = (day_kind){(kt_day)kt_col_int(cur, 0), col, sign * kt_col_int(cur, 2)};
    }
    kt_store_end(cur);
    if (rc || !n) goto done;
    kt_day first = r->from_opt != KT_DAY_NONE ? r->from_opt : rows[0].day;
    kt_day last = to != INT32_MAX ? to : rows[n - 1].day;
    if (first > last) goto done;
    int32_t ord0 = kt_rper_ordinal(r->by, first, 0);
    size_t nper = (size_t)(kt_rper_ordinal(r->by, last, 0) - ord0) + 1;
    int64_t (*acc)[P_N] = kt_xcalloc(nper, sizeof *acc), *net = kt_xcalloc(nper, sizeof *net);
    int64_t outstanding = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t entries = rows[i].kind == P_ACCRUED || rows[i].kind == P_ADJUSTED ? rows[i].points : -rows[i].points;
        if (rows[i].day < first) { outstanding += entries; continue; }
        if (rows[i].day > last) break;
        size_t p = (size_t)(kt_rper_ordinal(r->by, rows[i].day, 0) - ord0);
        acc[p][rows[i].kind] += rows[i].points;
        net[p] += entries;
    }
    for (size_t p = 0; p < nper; p++) {
        outstanding += net[p];
        kt_rper_cell(out, r->by, ord0 + (int32_t)p);
        for (int k = 0; k < P_N; k++) kt_aout_int(out, acc[p][k]);
        kt_aout_int(out, outstanding);
        kt_aout_row_end(out);
    }
    free(acc);
    free(net);
done:
    free(rows);
    return rc;
}
