/*
 * cmd_gen.c - `karta gen --out DIR [--direct] [...]`: parses and validates the
 * options, runs the generator (gen/gen.h) and prints one line per file
 * written; with --direct, the receipts go into the data directory's columnar
 * store and the last line gives their count and rate. Progress goes to stderr
 * when it is a terminal.
 */
#include "cli.h"
#include "core/date.h"
#include "gen/gen.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct progress { double last; } progress;

static void show_progress(void *ctx, uint32_t days_done, uint32_t days, uint64_t receipts, uint64_t lines,
                          double seconds) {
    progress *p = ctx;
    if (days_done < days && seconds - p->last < 0.5) return;
    p->last = seconds;
    fprintf(stderr, "\rday %u/%u: %llu receipts, %llu lines, %.1f s, %.2f M lines/s%s", days_done, days,
            (unsigned long long)receipts, (unsigned long long)lines, seconds,
            seconds > 0 ? (double)lines / seconds / 1e6 : 0.0, days_done == days ? "\n" : "   ");
}

static int cmd_gen(int argc, char **argv) {
    kt_opt opts[] = {
        {"out", KT_OPT_VALUE, "directory to write the CSV files into (created if missing)", NULL},
        {"members", KT_OPT_VALUE, "number of members (default 10000)", NULL},
        {"stores", KT_OPT_VALUE, "number of stores, about 10% of them partner outlets (default 20)", NULL},
        {"products", KT_OPT_VALUE, "number of SKUs (default 2000)", NULL},
        {"days", KT_OPT_VALUE, "length of the period in days (default 120)", NULL},
        {"seed", KT_OPT_VALUE, "random seed; same options and seed, same bytes (default 1)", NULL},
        {"start", KT_OPT_VALUE, "first day of the period, YYYY-MM-DD (default 2026-01-01)", NULL},
        {"force", KT_OPT_FLAG, "overwrite existing files", NULL},
        {"dirty", KT_OPT_FLAG, "add a few deliberately bad phones and e-mails", NULL},
        {"direct", KT_OPT_FLAG, "write the receipts into the data directory's columnar store, not as CSV", NULL},
        {"columns-only", KT_OPT_FLAG, "with --direct: write no CSV file (no --out needed)", NULL},
        {"threads", KT_OPT_VALUE, "with --direct: generate member shards on this many threads (default 1)", NULL},
    };
    const size_t nopts = KT_ARRAY_LEN(opts);
    const char *usage = "gen --out DIR [--members N] [--stores N] [--products N] [--days N] [--seed S] "
                        "[--start YYYY-MM-DD] [--force] [--dirty] [--direct [--threads N] [--columns-only]]";
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help(usage, opts, nopts);
        printf("\n--direct (for scale tests) writes the same receipts that receipts.csv and\n"
               "receipt_lines.csv would hold straight into the columnar store of the data\n"
               "directory (karta init first), as `karta import-receipts` of those files would, in\n"
               "one commit; the other files are written to --out as usual. Ids: stores and SKUs\n"
               "by their operational id, else a dictionary id named by the code; members by card\n"
               "through the operational store when it holds cards (`karta import` of the same\n"
               "chain first: then the columns equal those of the CSV path), else by a dictionary\n"
               "id named by the member's external id (M0000001).\n"
               "\n--threads N splits the members into N shards whose days are generated in\n"
               "parallel, each with its own random stream: deterministic for a given N, but a\n"
               "different history from N = 1 (the only one equal to the CSV path). Lines are\n"
               "written as compact segments (docs/internals/columns.md).\n"
               "\n--columns-only generates the whole chain as usual (so the same receipts) but\n"
               "writes none of the CSV files: for scale runs, where 40 M members' files would\n"
               "take ~13 GB of disk that nothing reads. With --threads N as well, the members\n"
               "too are made in N shards (nothing has to be written in order).\n");
        return 0;
    }

    kt_err err;
    kt_err_clear(&err);
    char *positional[1];
    size_t npositional = 0;
    kt_rc rc = kt_opts_parse(argc, argv, opts, nopts, positional, 0, &npositional, &err);
    if (rc) return kt_cli_error(&err);

    kt_gen_options go;
    kt_gen_defaults(&go);
    go.out_dir = kt_opt_get(opts, nopts, "out");
    go.columns_only = kt_opt_get(opts, nopts, "columns-only") != NULL;
    if (go.columns_only && !kt_opt_get(opts, nopts, "direct")) {
        kt_fail(&err, KT_EUSAGE, "--columns-only", "only with --direct (the receipts go to the columns)");
        return kt_cli_error(&err);
    }
    if (!go.columns_only && (!go.out_dir || !*go.out_dir)) {
        kt_fail(&err, KT_EUSAGE, "--out", "an output directory is required (karta gen --out DIR)");
        return kt_cli_error(&err);
    }
    int64_t members, stores, products, days, seed, threads;
    if ((rc = kt_opt_i64(opts, nopts, "members", go.members, 1, KT_GEN_MEMBERS_MAX, &members, &err)) ||
        (rc = kt_opt_i64(opts, nopts, "stores", go.stores, 1, KT_GEN_STORES_MAX, &stores, &err)) ||
        (rc = kt_opt_i64(opts, nopts, "products", go.products, 1, KT_GEN_PRODUCTS_MAX, &products, &err)) ||
        (rc = kt_opt_i64(opts, nopts, "days", go.days, 1, KT_GEN_DAYS_MAX, &days, &err)) ||
        (rc = kt_opt_i64(opts, nopts, "seed", (int64_t)go.seed, 0, INT64_MAX, &seed, &err)) ||
        (rc = kt_opt_i64(opts, nopts, "threads", 1, 1, KT_GEN_THREADS_MAX, &threads, &err)))
        return kt_cli_error(&err);
    go.threads = (uint32_t)threads;
    if (threads > 1 && !kt_opt_get(opts, nopts, "direct")) {
        kt_fail(&err, KT_EUSAGE, "--threads", "only with --direct (the CSV files are written in one order)");
        return kt_cli_error(&err);
    }
    go.members = (uint32_t)members;
    go.stores = (uint32_t)stores;
    go.products = (uint32_t)products;
    go.days = (uint32_t)days;
    go.seed = (uint64_t)seed;
    const char *start = kt_opt_get(opts, nopts, "start");
    if (start && (rc = kt_day_parse(start, strlen(start), &go.start, &err, "--start")))
        return kt_cli_error(&err);
    go.force = kt_opt_get(opts, nopts, "force") != NULL;
    go.dirty = kt_opt_get(opts, nopts, "dirty") != NULL;
    bool direct = kt_opt_get(opts, nopts, "direct") != NULL;
    kt_store *st = NULL;
    if (direct) {
        if ((rc = kt_cli_open(&st, &err))) return kt_cli_error(&err);
        go.direct_data = kt_cli_data_dir();
        go.store = st;
    }
    progress prog = {0};
    if (isatty(2)) {
        go.progress = show_progress;
        go.progress_ctx = &prog;
    }

    kt_gen_report report;
    rc = kt_gen_run(&go, &report, &err);
    kt_store_close(st);
    if (rc) {
        /* The library names fields without dashes; the CLI user typed them with. */
        size_t n = strlen(err.field);
        if (err.code == KT_EINVAL && n && n + 3 <= sizeof err.field && !strchr(err.field, '/')) {
            memmove(err.field + 2, err.field, n + 1);
            err.field[0] = err.field[1] = '-';
        }
        return kt_cli_error(&err);
    }
    for (int f = 0; f < KT_GEN_FILE_COUNT; f++) {
        if (direct && (f == KT_GEN_RECEIPTS || f == KT_GEN_RECEIPT_LINES)) continue;
        if (go.columns_only)
            printf("%s: %llu rows (not written)\n", kt_gen_file_name((kt_gen_file)f), (unsigned long long)report.rows[f]);
        else
            printf("%s/%s: %llu rows\n", go.out_dir, kt_gen_file_name((kt_gen_file)f),
                   (unsigned long long)report.rows[f]);
    }
    if (direct) {
        double s = report.receipts_seconds;
        printf("%s/cols: %llu receipts, %llu lines; dictionary ids: %llu members, %llu stores, %llu skus\n",
               go.direct_data, (unsigned long long)report.rows[KT_GEN_RECEIPTS],
               (unsigned long long)report.rows[KT_GEN_RECEIPT_LINES], (unsigned long long)report.direct_dict_ids[0],
               (unsigned long long)report.direct_dict_ids[1], (unsigned long long)report.direct_dict_ids[2]);
        printf("generated and written in %.2f s: %.0f lines/s\n", s,
               s > 0 ? (double)report.rows[KT_GEN_RECEIPT_LINES] / s : 0.0);
    }
    return 0;
}

KT_COMMAND(gen, "gen", "write a deterministic synthetic retail chain as CSV files", cmd_gen)
