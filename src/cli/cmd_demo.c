/*
 * cmd_demo.c - `karta demo`: the main job. Creates the data directory,
 * generates a deterministic demo chain, imports it, runs `check`, prints what
 * is there, then (unless --no-serve) loads the seed rules if none are loaded,
 * creates an admin key and a pos key for store S001 if there are none, prints
 * how to call the API and serves it in the foreground (server/server.h). On a
 * data directory that already holds members it skips the generation.
 */
#include "cli.h"
#include "core/date.h"
#include "gen/gen.h"
#include "imp/import.h"
#include "ledger/ledger.h"
#include "pos/pos.h"
#include "server/keys.h"
#include "server/server.h"
#include "store/store.h"

#include <stdlib.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void ignore(void *ctx, const char *what) { KT_UNUSED(ctx); KT_UNUSED(what); }

static kt_rc count(kt_store *st, kt_query q, int64_t *out, kt_err *err) {
    return kt_store_int(st, q, NULL, 0, out, NULL, err);
}

static kt_rc read_text(const char *path, char **out, size_t *len, kt_err *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return kt_fail(err, KT_EIO, path, "cannot open (run from the repository root, or give --rules FILE)");
    size_t cap = 1 << 16, used = 0, r;
    char *buf = kt_xmalloc(cap);
    while ((r = fread(buf + used, 1, cap - used - 1, f)) > 0)
        if ((used += r) + 1 >= cap) buf = kt_xrealloc(buf, cap *= 2);
    fclose(f);
    buf[used] = 0;
    *out = buf;
    *len = used;
    return KT_OK;
}

/* Seed rules when none are loaded, keys when none exist, then serve. */
static int demo_serve(const char *rules, const char *listen) {
    kt_err err = {0};
    kt_store *st = NULL;
    kt_pos *pos = NULL;
    int64_t nrules = 0, nadmin = 0, npos = 0, version = 0, id;
    char admin[KT_KEY_SECRET_LEN + 1] = "", till[KT_KEY_SECRET_LEN + 1] = "";
    kt_val a_admin[] = {KT_VS("admin")}, a_pos[] = {KT_VS("pos")};
    kt_rc rc = kt_store_open(kt_cli_data_dir(), 0, &st, &err);
    if (!rc) rc = kt_pos_open(st, &pos, &err);
    if (!rc) rc = kt_store_int(st, KT_Q_RULES_COUNT, NULL, 0, &nrules, NULL, &err);
    if (!rc && nrules == 0) {
        char *doc = NULL;
        size_t len = 0;
        rc = read_text(rules, &doc, &len, &err);
        if (!rc) rc = kt_pos_rules_load(pos, doc, len, kt_cli_actor(), "demo", &version, &err);
        if (!rc) fprintf(stderr, "demo: rules %s loaded as version %lld\n", rules, (long long)version);
        free(doc);
    }
    if (!rc) rc = kt_store_int(st, KT_Q_KEY_COUNT_ROLE, a_admin, 1, &nadmin, NULL, &err);
    if (!rc) rc = kt_store_int(st, KT_Q_KEY_COUNT_ROLE, a_pos, 1, &npos, NULL, &err);
    if (!rc && nadmin == 0) rc = kt_key_create(st, "demo-admin", KT_ROLE_ADMIN, NULL, kt_cli_actor(), &id, admin, &err);
    if (!rc && npos == 0) rc = kt_key_create(st, "demo-till-S001", KT_ROLE_POS, "S001", kt_cli_actor(), &id, till, &err);
    kt_pos_close(pos);
    kt_store_close(st);
    if (rc) return kt_cli_error(&err);
    const char *port = strrchr(listen, ':') ? strrchr(listen, ':') + 1 : "8080";
    printf("\nThe HTTP API (docs/openapi.yaml) on http://%s/v1 - stop it with Ctrl-C.\n", listen);
    if (*admin) printf("  admin key:          %s\n", admin);
    if (*till) printf("  pos key (store S001): %s\n", till);
    if (!*admin || !*till) printf("  (keys were created by an earlier run: karta keys list; make more with karta keys create)\n");
    printf("Try:\n");
    printf("  curl -s localhost:%s/healthz\n", port);
    printf("  curl -s -H 'Authorization: Bearer %s' localhost:%s/v1/members/%%231\n", *admin ? admin : "ADMIN_KEY", port);
    printf("  curl -s -H 'Authorization: Bearer %s' localhost:%s/v1/pos/calculate \\\n"
           "    -d '{\"store\":\"S001\",\"receipt\":\"1\",\"time\":\"2026-03-01T18:42:10+03:00\",\"lines\":[{\"sku\":\"X\",\"qty\":1,\"price\":9990,\"amount\":9990}]}'\n",
           *till ? till : "POS_KEY", port);
    printf("  curl -s localhost:%s/metrics\n", port);
    fflush(stdout);
    kt_server_options so;
    kt_server_defaults(&so);
    so.data_dir = kt_cli_data_dir();
    so.listen = listen;
    rc = kt_server_run(&so, &err);
    return rc ? kt_cli_error(&err) : 0;
}

static int cmd_demo(int argc, char **argv) {
    kt_opt o[] = {
        {"members", KT_OPT_VALUE, "members in the demo chain (default 20000)", NULL},
        {"days", KT_OPT_VALUE, "days of history (default 120)", NULL},
        {"chain", KT_OPT_VALUE, "where the generated CSV files go (default ./demo-chain)", NULL},
        {"no-serve", KT_OPT_FLAG, "print the summary and exit instead of serving the API", NULL},
        {"listen", KT_OPT_VALUE, "ADDR:PORT for the API (default 127.0.0.1:8080)", NULL},
        {"rules", KT_OPT_VALUE, "rule document loaded when none is (default examples/rules/seed.json)", NULL},
    };
    size_t n = KT_ARRAY_LEN(o), npos;
    if (kt_cli_wants_help(argc, argv)) { kt_opts_help("demo [--members N --days N --chain DIR] [--no-serve] [--listen ADDR:PORT]", o, n); return 0; }
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
    if (violations) return kt_exit_code(KT_EINVARIANT);
    if (kt_opt_get(o, n, "no-serve")) return 0;
    const char *rules = kt_opt_get(o, n, "rules") ? kt_opt_get(o, n, "rules") : "examples/rules/seed.json";
    const char *listen = kt_opt_get(o, n, "listen") ? kt_opt_get(o, n, "listen") : "127.0.0.1:8080";
    return demo_serve(rules, listen);
}

KT_COMMAND(demo, "demo", "create, generate and import a demo chain, then summarise it", cmd_demo)
