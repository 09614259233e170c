/*
 * check.c - `karta check`: every ledger and membership invariant, verified
 * over the whole store with set queries (ledger.h: kt_ledger_check).
 */
#include "ledger.h"

#include <stdio.h>

typedef struct invariant {
    kt_query q;
    const char *fmt; /* printf with the row's three integers */
} invariant;

static const invariant invariants[] = {
    {KT_Q_CHECK_TXN_SUM, "ledger transaction %lld: entries sum to %lld, not 0"},
    {KT_Q_CHECK_TXN_EMPTY, "ledger transaction %lld has no entries"},
    {KT_Q_CHECK_MEMBER_ENTRIES, "member %lld: balance %lld but the member's entries sum to %lld"},
    {KT_Q_CHECK_LOT_ENTRIES, "lot %lld: remaining %lld but its entries sum to %lld"},
    {KT_Q_CHECK_MEMBER_LOTS, "member %lld: balance %lld but open lots hold %lld"},
    {KT_Q_CHECK_NEGATIVE, "member %lld: balance %lld is negative and no movement allowed it"},
    {KT_Q_CHECK_LOT_OWNER, "entry %lld: member %lld moves a lot of member %lld"},
    {KT_Q_CHECK_EARN_RECEIPT, "earning row %lld: receipt %lld has another member or day (earning's member %lld)"},
    {KT_Q_CHECK_MERGED, "member %lld was merged but keeps balance %lld and %lld cards (or has no survivor)"},
};

kt_rc kt_ledger_check(kt_store *st, kt_check_report report, void *ctx, int64_t *out_violations, kt_err *err) {
    int64_t violations = 0;
    char line[512];
    kt_rc rc = KT_OK;
    for (size_t i = 0; i < KT_ARRAY_LEN(invariants) && !rc; i++) {
        kt_cursor *c;
        if ((rc = kt_store_query(st, invariants[i].q, NULL, 0, &c, err))) break;
        for (;;) {
            bool has;
            if ((rc = kt_store_step(c, &has, err)) || !has) break;
            long long a = kt_col_int(c, 0), b = kt_col_int(c, 1), d = kt_col_int(c, 2);
            snprintf(line, sizeof line, invariants[i].fmt, a, b, d);
            report(ctx, line);
            violations++;
        }
        kt_store_end(c);
    }
    if (!rc) {
        int64_t total;
        rc = kt_store_int(st, KT_Q_CHECK_TOTAL, NULL, 0, &total, NULL, err);
        if (!rc && total != 0) {
            snprintf(line, sizeof line, "the books do not balance: all entries sum to %lld", (long long)total);
            report(ctx, line);
            violations++;
        }
    }
    if (!rc) {
        int64_t store_faults = 0;
        rc = kt_store_verify(st, report, ctx, &store_faults, err);
        violations += store_faults;
    }
    *out_violations = violations;
    return rc;
}
