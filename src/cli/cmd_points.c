/*
 * cmd_points.c - `karta points balance|history|adjust`, `karta expire`,
 * `karta check`: the ledger from the command line.
 */
#include "cli.h"
#include "core/date.h"
#include "core/text.h"
#include "ledger/ledger.h"
#include "members/members.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static int done(kt_store *st, kt_rc rc, kt_err *err) {
    if (rc && st) kt_store_rollback(st);
    kt_store_close(st);
    return rc ? kt_cli_error(err) : 0;
}

static void day_str(kt_day d, char *b) {
    if (d == KT_DAY_NONE) strcpy(b, "never");
    else kt_day_format(d, b);
}

static int points_balance(int argc, char **argv) {
    kt_opt o[] = {{"date", KT_OPT_VALUE, "as of this local date (default today)", NULL},
                  {"days", KT_OPT_VALUE, "window for 'expiring' in days (default 30)", NULL}};
    size_t n = KT_ARRAY_LEN(o), npos;
    if (kt_cli_wants_help(argc, argv)) { kt_opts_help("points balance CARD|PHONE|EMAIL|#ID [--date D --days N]", o, n); return 0; }
    kt_err err = {0};
    char *pos[1];
    kt_store *st = NULL;
    int64_t id, days;
    kt_day day = kt_today();
    kt_balance b;
    kt_rc rc = kt_opts_parse(argc, argv, o, n, pos, 1, &npos, &err);
    if (!rc && npos != 1) rc = kt_fail(&err, KT_EUSAGE, "member", "which member?");
    if (!rc) rc = kt_opt_i64(o, n, "days", 30, 0, 3660, &days, &err);
    const char *ds = kt_opt_get(o, n, "date");
    if (!rc && ds) rc = kt_day_parse(ds, strlen(ds), &day, &err, "--date");
    if (!rc) rc = kt_cli_open(&st, &err);
    if (!rc) rc = kt_member_find(st, pos[0], &id, &err);
    if (!rc) rc = kt_ledger_balance(st, (kt_member_id)id, day, (int)days, &b, &err);
    if (!rc) {
        char nx[16];
        day_str(b.next_expiry, nx);
        printf("member: #%lld\nbalance: %lld\navailable: %lld\npending: %lld\nexpiring within %lld days: %lld\nnext expiry: %s\n",
               (long long)id, (long long)b.balance, (long long)b.available, (long long)b.pending, (long long)days,
               (long long)b.expiring, nx);
        kt_cursor *c;
        kt_val a[] = {KT_VI(id)};
        bool has;
        if (!(rc = kt_store_query(st, KT_Q_LOTS_OPEN, a, 1, &c, &err))) {
            printf("lots:\n  %-8s %-10s %-10s %-10s %s\n", "lot", "earned", "available", "expires", "remaining");
            while (!(rc = kt_store_step(c, &has, &err)) && has) {
                char e[16], av[16], ex[16];
                kt_day_format((kt_day)kt_col_int(c, 2), e);
                kt_day_format((kt_day)kt_col_int(c, 3), av);
                day_str(kt_col_null(c, 4) ? KT_DAY_NONE : (kt_day)kt_col_int(c, 4), ex);
                printf("  %-8lld %-10s %-10s %-10s %lld\n", (long long)kt_col_int(c, 0), e, av, ex,
                       (long long)kt_col_int(c, 1));
            }
            kt_store_end(c);
        }
    }
    return done(st, rc, &err);
}

static int points_history(int argc, char **argv) {
    size_t npos;
    if (kt_cli_wants_help(argc, argv)) { kt_opts_help("points history CARD|PHONE|EMAIL|#ID", NULL, 0); return 0; }
    kt_err err = {0};
    char *pos[1];
    kt_store *st = NULL;
    int64_t id;
    kt_rc rc = kt_opts_parse(argc, argv, NULL, 0, pos, 1, &npos, &err);
    if (!rc && npos != 1) rc = kt_fail(&err, KT_EUSAGE, "member", "which member?");
    if (!rc) rc = kt_cli_open(&st, &err);
    if (!rc) rc = kt_member_find(st, pos[0], &id, &err);
    if (!rc) {
        kt_cursor *c;
        kt_val a[] = {KT_VI(id)};
        bool has;
        if (!(rc = kt_store_query(st, KT_Q_LEDGER_HISTORY, a, 1, &c, &err))) {
            printf("%-6s %-11s %-10s %8s  %-16s %s\n", "txn", "kind", "day", "points", "actor", "receipt / rule / reason");
            while (!(rc = kt_store_step(c, &has, &err)) && has) {
                char d[11];
                kt_day_format((kt_day)kt_col_int(c, 3), d);
                const char *r = kt_col_text(c, 4), *ru = kt_col_text(c, 5), *re = kt_col_text(c, 7);
                printf("%-6lld %-11s %-10s %8lld  %-16s %s%s%s%s%s\n", (long long)kt_col_int(c, 0), kt_col_text(c, 1), d,
                       (long long)kt_col_int(c, 8), kt_col_text(c, 6), r ? r : "", ru ? " " : "", ru ? ru : "",
                       re ? " " : "", re ? re : "");
            }
            kt_store_end(c);
        }
    }
    return done(st, rc, &err);
}

static int points_adjust(int argc, char **argv) {
    kt_opt o[] = {{"points", KT_OPT_VALUE, "points to add (> 0) or take (< 0) (required)", NULL},
                  {"staff", KT_OPT_VALUE, "the staff member making the correction (required)", NULL},
                  {"reason", KT_OPT_VALUE, "why (required)", NULL},
                  {"expires", KT_OPT_VALUE, "last day the added points can be spent (default: never)", NULL}};
    size_t n = KT_ARRAY_LEN(o), npos;
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help("points adjust CARD|PHONE|EMAIL|#ID --points N --staff NAME --reason TEXT [--expires D]", o, n);
        return 0;
    }
    kt_err err = {0};
    char *pos[1];
    kt_store *st = NULL;
    int64_t id, points, txn = 0;
    kt_day expires = KT_DAY_NONE;
    kt_rc rc = kt_opts_parse(argc, argv, o, n, pos, 1, &npos, &err);
    const char *staff = kt_opt_get(o, n, "staff"), *reason = kt_opt_get(o, n, "reason"), *ex = kt_opt_get(o, n, "expires");
    if (!rc && npos != 1) rc = kt_fail(&err, KT_EUSAGE, "member", "which member?");
    if (!rc && !kt_opt_get(o, n, "points")) rc = kt_fail(&err, KT_EUSAGE, "--points", "is required");
    if (!rc) rc = kt_opt_i64(o, n, "points", 0, -1000000000, 1000000000, &points, &err);
    if (!rc && points == 0) rc = kt_fail(&err, KT_EINVAL, "--points", "must not be 0");
    if (!rc && (!staff || !*staff)) rc = kt_fail(&err, KT_EUSAGE, "--staff", "a correction names the staff member who made it");
    if (!rc && (!reason || !*reason)) rc = kt_fail(&err, KT_EUSAGE, "--reason", "a correction says why");
    if (!rc && ex) rc = kt_day_parse(ex, strlen(ex), &expires, &err, "--expires");
    if (!rc) rc = kt_cli_open(&st, &err);
    if (!rc) rc = kt_store_begin(st, &err);
    if (!rc) rc = kt_member_find(st, pos[0], &id, &err);
    char actor[160];
    snprintf(actor, sizeof actor, "staff:%s", staff ? staff : "");
    kt_movement mv = {.kind = KT_TXN_CORRECTION, .at = kt_now(), .day = kt_today(), .actor = actor, .reason = reason};
    if (!rc && points > 0) rc = kt_ledger_credit(st, &mv, (kt_member_id)id, points, "correction", mv.day, expires, &txn, &err);
    if (!rc && points < 0) rc = kt_ledger_debit(st, &mv, (kt_member_id)id, -points, "correction", false, &txn, &err);
    if (!rc) rc = kt_store_commit(st, &err);
    if (!rc) printf("member #%lld: %+lld points (ledger transaction %lld)\n", (long long)id, (long long)points, (long long)txn);
    return done(st, rc, &err);
}

static int cmd_points(int argc, char **argv) {
    if (argc >= 2) {
        if (strcmp(argv[1], "balance") == 0) return points_balance(argc - 1, argv + 1);
        if (strcmp(argv[1], "history") == 0) return points_history(argc - 1, argv + 1);
        if (strcmp(argv[1], "adjust") == 0) return points_adjust(argc - 1, argv + 1);
    }
    fprintf(stderr, "usage: karta points balance|history|adjust ... (karta points balance --help)\n");
    return 2;
}

static int cmd_expire(int argc, char **argv) {
    kt_opt o[] = {{"date", KT_OPT_VALUE, "burn lots whose last valid day is before this local date (required)", NULL}};
    size_t n = KT_ARRAY_LEN(o), npos;
    if (kt_cli_wants_help(argc, argv)) { kt_opts_help("expire --date YYYY-MM-DD", o, n); return 0; }
    kt_err err = {0};
    char *pos[1];
    kt_store *st = NULL;
    kt_day day;
    int64_t lots = 0, members = 0;
    kt_points points = 0;
    kt_rc rc = kt_opts_parse(argc, argv, o, n, pos, 0, &npos, &err);
    const char *ds = kt_opt_get(o, n, "date");
    if (!rc && !ds) rc = kt_fail(&err, KT_EUSAGE, "--date", "is required");
    if (!rc) rc = kt_day_parse(ds, strlen(ds), &day, &err, "--date");
    if (!rc) rc = kt_cli_open(&st, &err);
    if (!rc) rc = kt_store_begin(st, &err);
    if (!rc) rc = kt_ledger_expire(st, day, kt_now(), "system:expire", &lots, &points, &members, &err);
    if (!rc) rc = kt_store_commit(st, &err);
    if (!rc) printf("expired %lld points in %lld lots of %lld members\n", (long long)points, (long long)lots, (long long)members);
    return done(st, rc, &err);
}

static void print_violation(void *ctx, const char *what) {
    KT_UNUSED(ctx);
    printf("violation: %s\n", what);
}

static int cmd_check(int argc, char **argv) {
    size_t npos;
    if (kt_cli_wants_help(argc, argv)) { kt_opts_help("check", NULL, 0); return 0; }
    kt_err err = {0};
    char *pos[1];
    kt_store *st = NULL;
    int64_t violations = 0;
    kt_rc rc = kt_opts_parse(argc, argv, NULL, 0, pos, 0, &npos, &err);
    if (!rc) rc = kt_cli_open(&st, &err);
    if (!rc) rc = kt_ledger_check(st, print_violation, NULL, &violations, &err);
    kt_store_close(st);
    if (rc) return kt_cli_error(&err);
    if (violations) {
        printf("%lld violations\n", (long long)violations);
        return kt_exit_code(KT_EINVARIANT);
    }
    printf("ok\n");
    return 0;
}

KT_COMMAND(points, "points", "a member's balance, lots and history; staff corrections", cmd_points)
KT_COMMAND(expire, "expire", "burn points expired by a date (idempotent)", cmd_expire)
KT_COMMAND(check, "check", "verify every ledger and membership invariant", cmd_check)
