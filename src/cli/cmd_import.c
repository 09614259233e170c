/*
 * cmd_import.c - `karta import DIR [--skip-bad] [--rejects FILE]`: load a chain
 * in the generic CSV format into the operational store, whole or not at all
 * (src/imp/import.h), with a summary per file and progress on a terminal.
 */
#include "cli.h"
#include "core/date.h"
#include "imp/import.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void show_progress(void *ctx, const char *file, int64_t rows, uint64_t bytes_done, uint64_t bytes_total,
                          double seconds) {
    KT_UNUSED(ctx);
    int pct = bytes_total ? (int)(bytes_done * 100 / bytes_total) : 100;
    fprintf(stderr, "\r\033[Kimport: %s: %lld rows (%d%%), %.0f s", file, (long long)rows, pct, seconds);
    fflush(stderr);
}

static void summary(const kt_import_result *r, bool skip_bad) {
    printf("%-16s %10s %10s %10s %10s\n", "file", "rows", "loaded", "rejected", "rows/s");
    for (int i = 0; i < KT_IMPORT_FILES; i++) {
        const kt_import_file_stats *f = &r->files[i];
        if (!f->present) continue;
        printf("%-16s %10lld %10lld %10lld %10.0f\n", f->file, (long long)f->rows, (long long)f->loaded,
               (long long)f->rejected, f->seconds > 0 ? (double)f->rows / f->seconds : 0.0);
    }
    printf("%-16s %10lld %10lld %10lld %10.0f\n", "total", (long long)r->rows, (long long)r->loaded,
           (long long)r->rejected, r->seconds > 0 ? (double)r->rows / r->seconds : 0.0);
    printf("imported in %.2f s (commit included); member id map %.1f MB\n", r->seconds,
           (double)r->member_map_bytes / 1e6);
    if (skip_bad) printf("%lld rejected rows written to %s\n", (long long)r->rejected, r->rejects_path);
    if (r->receipts_present)
        printf("not loaded: receipts.csv and receipt_lines.csv (receipts are not part of this import)\n");
}

static int cmd_import(int argc, char **argv) {
    kt_opt o[] = {
        {"skip-bad", KT_OPT_FLAG, "load the good rows; write the bad ones with reasons to the reject file", NULL},
        {"rejects", KT_OPT_VALUE, "reject file for --skip-bad (default DIR/../import-rejects.csv)", NULL},
        {"as-of", KT_OPT_VALUE, "YYYY-MM-DD the balances are valid on: opening lots are earned then (default today)", NULL},
    };
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help("import DIR [--skip-bad] [--rejects FILE] [--as-of YYYY-MM-DD]", o, KT_ARRAY_LEN(o));
        printf("\nLoads, in this order and in one transaction, whichever of these files DIR holds\n"
               "(generic CSV with a header row; docs/formats.md):\n"
               "  categories.csv  code,name,parent\n"
               "  stores.csv      code,name,city,region,timezone,partner,opened\n"
               "  products.csv    sku,name,category,brand,supplier,price,unit,alcohol,tobacco\n"
               "  members.csv     member,name,sex,birth_date,city,region,family_status,children,car,\n"
               "                  phone,email,registered,reg_store,favourite_category\n"
               "  cards.csv       card,member,state,issued\n"
               "  consents.csv    member,channel,granted,at,source\n"
               "  balances.csv    member,points,expires   (opening balances from a previous system:\n"
               "                  lots earned on the --as-of day; an expiry before it is an error)\n"
               "receipts.csv and receipt_lines.csv are NOT loaded by this command; it ignores them.\n"
               "\n"
               "The import lands whole or not at all. A bad row stops it with FILE:LINE: COLUMN: reason\n"
               "and nothing is written, unless --skip-bad is given. Keys already in the store (members,\n"
               "cards, codes, SKUs, consent events, opening balances) are errors, so a second run of the\n"
               "same directory is refused and changes nothing. A file that is not valid CSV or not UTF-8\n"
               "(convert CP1251 with: iconv -f CP1251 -t UTF-8) and a bad header stop the import even\n"
               "with --skip-bad.\n");
        return 0;
    }
    kt_err err = {0};
    char *pos[1];
    size_t npos;
    kt_store *st = NULL;
    kt_import_result res;
    kt_rc rc = kt_opts_parse(argc, argv, o, KT_ARRAY_LEN(o), pos, 1, &npos, &err);
    if (!rc && npos != 1) rc = kt_fail(&err, KT_EUSAGE, "DIR", "which directory? (karta import DIR; see --help)");
    if (!rc && kt_opt_get(o, KT_ARRAY_LEN(o), "rejects") && !kt_opt_get(o, KT_ARRAY_LEN(o), "skip-bad"))
        rc = kt_fail(&err, KT_EUSAGE, "--rejects", "only with --skip-bad");
    if (!rc) rc = kt_now_check(&err);
    kt_day day = KT_DAY_NONE;
    const char *as_of = kt_opt_get(o, KT_ARRAY_LEN(o), "as-of");
    if (!rc) day = kt_today();
    if (!rc && as_of) rc = kt_day_parse(as_of, strlen(as_of), &day, &err, "--as-of");
    if (rc) return kt_cli_error(&err);

    kt_import_opts io = {
        .dir = pos[0],
        .skip_bad = kt_opt_get(o, KT_ARRAY_LEN(o), "skip-bad") != NULL,
        .rejects_path = kt_opt_get(o, KT_ARRAY_LEN(o), "rejects"),
        .actor = kt_cli_actor(),
        .at = kt_now(),
        .day = day,
        .progress = isatty(STDERR_FILENO) ? show_progress : NULL,
        .progress_seconds = 2.0,
    };
    rc = kt_cli_open(&st, &err);
    if (!rc) rc = kt_import_dir(st, &io, &res, &err);
    if (io.progress) fprintf(stderr, "\r\033[K");
    kt_store_close(st);
    if (rc) return kt_cli_error(&err);
    summary(&res, io.skip_bad);
    return 0;
}

KT_COMMAND(import, "import", "load members, cards, consents, stores, products, balances from CSV files", cmd_import)
