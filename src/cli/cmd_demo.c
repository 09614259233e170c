/*
 * cmd_demo.c - `karta demo`: the main job until the HTTP server lands. Creates
 * the data directory, generates a deterministic demo chain, imports it, runs
 * `check`, and prints what is there and how to explore it. On a data
 * directory that already holds members it only prints the summary.
 */
#include "cli.h"
#include "core/date.h"
#include "gen/gen.h"
#include "imp/import.h"
#include "ledger/ledger.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void ignore(void *ctx, const char *what) { KT_UNUSED(ctx); KT_UNUSED(what); }

static kt_rc count(kt_store *st, kt_query q, int64_t *out, kt_err *err) {
    return kt_store_int(st, q, NULL, 0, out, NULL, err);
}

static int cmd_demo(int argc, char **argv) {
    kt_opt o[] = {
        {"members", KT_OPT_VALUE, "members in the demo chain (default 20000)", NULL},
        {"days", KT_OPT_VALUE, "days of history (default 120)", NULL},
        {"chain", KT_OPT_VALUE, "where the generated CSV files go (default ./demo-chain)", NULL},
    };
    size_t n = KT_ARRAY_LEN(o), npos;
    if (kt_cli_wants_help(argc, argv)) { kt_opts_help("demo [--members N --days N --chain DIR]", o, n); return 0; }
    kt_err err = {0};
    char *pos[1];
    kt_store *st = NULL;
    int64_t members = 0, days = 0, stores = 0, products = 0, cards = 0, violations = 0, outstanding = 0;
    kt_rc rc = kt_opts_parse(argc, argv, o, n, pos, 0, &npos, &err);
    if (!rc) rc = kt_opt_i64(o, n, "members", 20000, 10, 10000000, &members, &err);
    if (!rc) rc = kt_opt_i64(o, n, "days", 120, 1, 3650, &days, &err);
    const char *chain = kt_opt_get(o, n, "chain") ? kt_opt_get(o, n, "chain") : "./demo-chain";
    if (!rc) rc = kt_store_open(kt_cli_data_dir(), KT_STORE_CREATE, &st, &err);
    int64_t have = 0;
    if (!rc) rc = count(st, KT_Q_MEMBER_COUNT, &have, &err);
    if (!rc && have == 0) {
        kt_gen_options g;
        kt_gen_report gr;
        kt_gen_defaults(&g);
        g.out_dir = chain;
        g.members = (uint32_t)members;
        g.days = (uint32_t)days;
        g.force = true;
        g.start = kt_today() - (kt_day)days; /* the history ends today */
        fprintf(stderr, "demo: generating a chain of %lld members, %lld days into %s\n", (long long)members,
                (long long)days, chain);
        rc = kt_gen_run(&g, &gr, &err);
        if (!rc) {
            /* opening balances are the previous system's, as of the first day of the history */
            kt_import_opts io = {.dir = chain, .actor = kt_cli_actor(), .at = (kt_time)g.start * 86400, .day = g.start};
            kt_import_result ir;
            memset(&ir, 0, sizeof ir);
            fprintf(stderr, "demo: importing into %s\n", kt_cli_data_dir());
            rc = kt_import_dir(st, &io, &ir, &err);
            if (!rc) fprintf(stderr, "demo: %lld rows imported in %.1f s\n", (long long)ir.loaded, ir.seconds);
            int64_t lots = 0, burnt_members = 0;
            kt_points burnt = 0;
            if (!rc) rc = kt_store_begin(st, &err);
            if (!rc) rc = kt_ledger_expire(st, kt_today(), kt_now(), "system:expire", &lots, &burnt, &burnt_members, &err);
            if (!rc) rc = kt_store_commit(st, &err);
            if (!rc) fprintf(stderr, "demo: expired %lld points of %lld members up to today\n", (long long)burnt, (long long)burnt_members);
        }
    }
    if (!rc) rc = count(st, KT_Q_MEMBER_COUNT, &have, &err);
    if (!rc) rc = count(st, KT_Q_CARD_COUNT, &cards, &err);
    if (!rc) rc = count(st, KT_Q_STORE_COUNT, &stores, &err);
    if (!rc) rc = count(st, KT_Q_PRODUCT_COUNT, &products, &err);
    if (!rc) rc = count(st, KT_Q_LEDGER_OUTSTANDING, &outstanding, &err);
    if (!rc) rc = kt_ledger_check(st, ignore, NULL, &violations, &err);
    kt_store_close(st);
    if (rc) return kt_cli_error(&err);
    printf("Karta demo chain in %s\n", kt_cli_data_dir());
    printf("  members %lld, cards %lld, stores %lld, products %lld, points outstanding %lld\n", (long long)have,
           (long long)cards, (long long)stores, (long long)products, (long long)outstanding);
    printf("  ledger check: %s\n", violations ? "VIOLATIONS (run: karta check)" : "ok");
    printf("Try:\n");
    printf("  ./karta member duplicates | head\n");
    printf("  ./karta member show '#1'\n");
    printf("  ./karta points balance '#1'\n");
    printf("  ./karta points adjust '#1' --points 100 --staff anna --reason 'lost receipt'\n");
    printf("  ./karta expire --date %s && ./karta check\n", "2027-01-01");
    printf("  (receipts for analytics are in %s/receipts.csv and receipt_lines.csv)\n", chain);
    return violations ? kt_exit_code(KT_EINVARIANT) : 0;
}

KT_COMMAND(demo, "demo", "create, generate and import a demo chain, then summarise it", cmd_demo)
