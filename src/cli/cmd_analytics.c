/*
 * cmd_analytics.c - `karta import-receipts PATH [--map ...]`: receipt history
 * into the columnar store (cols/cols_import.h); `karta rfm`: A1 RFM per member
 * (analytics/rfm.h) as an aligned table, CSV or JSON.
 */
#include "cli.h"
#include "analytics/rfm.h"
#include "cols/cols.h"
#include "cols/cols_import.h"
#include "core/date.h"
#include "core/text.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- import-receipts ------------------------------------------------------------ */
static int cmd_import_receipts(int argc, char **argv) {
    kt_opt o[] = {
        {"map", KT_OPT_VALUE, "receipt=H,store=H,time=H,sku=H,qty=H,amount=H[,member=H|card=H][,price=H]", NULL},
        {"timezone", KT_OPT_VALUE, "zone of times written without an offset (e.g. America/New_York, +03:00)", NULL},
        {"skip-bad", KT_OPT_FLAG, "skip bad rows (counted; the first is shown) instead of stopping", NULL},
        {"money", KT_OPT_VALUE, "with --map: decimal (123.45, default) or minor (12345)", NULL},
        {"x5", KT_OPT_FLAG, "FILE is X5 RetailHero purchases.csv (a built-in --map; times in Moscow time)", NULL},
        {"again", KT_OPT_FLAG, "import content that was imported before (refused by default)", NULL},
    };
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help("import-receipts DIR | FILE --map SPEC [--money minor] | FILE --x5 [--timezone ZONE] [--skip-bad] [--again]", o, KT_ARRAY_LEN(o));
        printf("\nLoads receipt history into the columnar store (DATA/cols; docs/internals/columns.md).\n"
               "This is its own command word: `karta import DIR` loads members, cards, stores and\n"
               "products and leaves receipts alone; run it first so that cards map to members.\n"
               "\n"
               "  karta import-receipts DIR          DIR/receipts.csv and DIR/receipt_lines.csv in\n"
               "                                     the generic format (docs/formats.md)\n"
               "  karta import-receipts FILE --map   any CSV with a header, one row per line; H are\n"
               "                                     its header names; rows with the same store and\n"
               "                                     receipt form one receipt\n"
               "  karta import-receipts FILE --x5     X5 RetailHero purchases.csv: client_id,\n"
               "                                     transaction_id, transaction_datetime, store_id,\n"
               "                                     product_id, product_quantity, trn_sum_from_iss\n"
               "\n"
               "Cards map to members through the operational store; an unknown card or none is\n"
               "member 0. Returns are stored as negative amounts. Member, store and SKU ids the\n"
               "operational store does not know are kept in the columnar store's dictionaries.\n"
               "Money is decimal (123.45). A time without an offset is an error unless --timezone is\n"
               "given; only the local day and minute are stored, so any zone keeps the wall clock.\n"
               "The import lands whole or not at all: a bad row stops it with FILE:LINE: COLUMN:\n"
               "reason and nothing becomes visible. Importing the same content twice is refused\n"
               "(the store keeps a fingerprint of every import); --again imports it once more.\n");
        return 0;
    }
    kt_err err = {0};
    char *pos[1], *mapbuf = NULL;
    size_t npos;
    kt_store *st = NULL;
    kt_cols_map map;
    int offset = 0;
    const char *spec = kt_opt_get(o, KT_ARRAY_LEN(o), "map"), *zone;
    kt_rc rc = kt_opts_parse(argc, argv, o, KT_ARRAY_LEN(o), pos, 1, &npos, &err);
    if (!rc && npos != 1) rc = kt_fail(&err, KT_EUSAGE, "PATH", "which directory or file? (see --help)");
    spec = kt_opt_get(o, KT_ARRAY_LEN(o), "map");
    zone = kt_opt_get(o, KT_ARRAY_LEN(o), "timezone");
    const char *money = kt_opt_get(o, KT_ARRAY_LEN(o), "money");
    bool x5 = kt_opt_get(o, KT_ARRAY_LEN(o), "x5") != NULL;
    if (!rc && x5 && spec) rc = kt_fail(&err, KT_EUSAGE, "--x5", "give --x5 or --map, not both");
    if (!rc && x5) {
        spec = "receipt=transaction_id,member=client_id,store=store_id,time=transaction_datetime,"
               "sku=product_id,qty=product_quantity,amount=trn_sum_from_iss";
        if (!zone) zone = "+03:00";
    }
    if (!rc && money && strcmp(money, "minor") && strcmp(money, "decimal"))
        rc = kt_fail(&err, KT_EUSAGE, "--money", "want decimal or minor, not \"%.40s\"", money);
    if (!rc && money && !spec) rc = kt_fail(&err, KT_EUSAGE, "--money", "only with --map (the generic format is decimal)");
    if (!rc && spec) rc = kt_cols_map_parse(spec, &map, &mapbuf, &err);
    if (!rc && zone && kt_zone_offset(zone, &offset, &err, "--timezone")) {
        /* A zone outside Karta's fixed-offset table (America/New_York): the wall
         * clock is what is stored, so any offset gives the same local fields. */
        if (!strchr(zone, '/')) rc = KT_EUSAGE;
        else { kt_err_clear(&err); offset = 0; }
    }
    if (rc) { free(mapbuf); return kt_cli_error(&err); }
    kt_cols_import_opts io = {
        .data_dir = kt_cli_data_dir(),
        .path = pos[0],
        .map = spec ? &map : NULL,
        .default_offset_min = zone ? &offset : NULL,
        .skip_bad = kt_opt_get(o, KT_ARRAY_LEN(o), "skip-bad") != NULL,
        .money_minor = money && !strcmp(money, "minor"),
        .again = kt_opt_get(o, KT_ARRAY_LEN(o), "again") != NULL,
    };
    kt_cols_import_result res;
    rc = kt_cli_open(&st, &err);
    if (!rc) rc = kt_cols_import(st, &io, &res, &err);
    kt_store_close(st);
    free(mapbuf);
    if (rc) return kt_cli_error(&err);
    printf("receipts %llu, lines %llu, rejected %llu; unknown cards %llu; new ids: %llu members, %llu stores, %llu skus\n",
           (unsigned long long)res.receipts, (unsigned long long)res.lines, (unsigned long long)res.rejected,
           (unsigned long long)res.unknown_cards, (unsigned long long)res.new_members,
           (unsigned long long)res.new_stores, (unsigned long long)res.new_skus);
    if (res.rejected)
        printf("first rejected row: %s: %s\n", res.first_rejected.field, res.first_rejected.msg);
    printf("imported in %.2f s: %.0f lines/s\n", res.seconds, res.seconds > 0 ? (double)res.lines / res.seconds : 0.0);
    return 0;
}

KT_COMMAND(import_receipts, "import-receipts", "load receipt history into the columnar store (analytics)", cmd_import_receipts)

/* ---- rfm -------------------------------------------------------------------------- */

/* The member's external id: members.ext_id, else its first card, else #id;
 * a dictionary member by its name in the dictionary. */
static void member_name(kt_store *st, kt_cols *c, uint32_t id, char *out, size_t size) {
    const char *d = kt_cols_dict_name(c, KT_DICT_MEMBER, id);
    if (d) { snprintf(out, size, "%s", d); return; }
    snprintf(out, size, "#%u", id);
    kt_cursor *cur;
    bool has = false;
    kt_err ignore;
    if (kt_store_query(st, KT_Q_MEMBER_GET, (kt_val[]){KT_VI(id)}, 1, &cur, &ignore) == KT_OK) {
        if (kt_store_step(cur, &has, &ignore) == KT_OK && has && kt_col_text(cur, 1)) {
            snprintf(out, size, "%s", kt_col_text(cur, 1));
            kt_store_end(cur);
            return;
        }
        kt_store_end(cur);
    }
    if (kt_store_query(st, KT_Q_CARDS_OF_MEMBER, (kt_val[]){KT_VI(id)}, 1, &cur, &ignore) == KT_OK) {
        if (kt_store_step(cur, &has, &ignore) == KT_OK && has && kt_col_text(cur, 1))
            snprintf(out, size, "%s", kt_col_text(cur, 1));
        kt_store_end(cur);
    }
}

typedef enum { FMT_TABLE, FMT_CSV, FMT_JSON } out_format;

static void print_rows(kt_store *st, kt_cols *c, const kt_rfm_result *r, out_format fmt) {
    static const char *const head[] = {"member", "recency_days", "frequency", "monetary", "max_receipt", "avg_receipt",
                                       "first_purchase", "last_purchase", "r", "f", "m", "segment"};
    json_t *arr = fmt == FMT_JSON ? json_array() : NULL;
    if (fmt == FMT_CSV) printf("member,recency_days,frequency,monetary,max_receipt,avg_receipt,first_purchase,last_purchase,r,f,m,segment\n");
    if (fmt == FMT_TABLE)
        printf("%-18s %7s %5s %14s %12s %12s %-10s %-10s %s %s %s %s\n", head[0], "recency", "freq", head[3], head[4],
               head[5], "first", "last", head[8], head[9], head[10], head[11]);
    for (size_t i = 0; i < r->n; i++) {
        const kt_rfm_row *x = &r->rows[i];
        char name[128], mon[24], mx[24], avg[24], first[11], last[11];
        member_name(st, c, x->member, name, sizeof name);
        kt_money_format(x->monetary, mon);
        kt_money_format(x->max_receipt, mx);
        kt_money_format(x->avg_receipt, avg);
        kt_day_format(x->first_day, first);
        kt_day_format(x->last_day, last);
        const char *seg = kt_rfm_segments[x->segment].name;
        if (fmt == FMT_CSV) {
            bool quote = strpbrk(name, ",\"\n\r") != NULL;
            if (quote) {
                putchar('"');
                for (const char *p = name; *p; p++) { if (*p == '"') putchar('"'); putchar(*p); }
                putchar('"');
            } else fputs(name, stdout);
            printf(",%d,%u,%s,%s,%s,%s,%s,%u,%u,%u,%s\n", x->recency_days, x->frequency, mon, mx, avg, first, last,
                   x->r, x->f, x->m, seg);
        } else if (fmt == FMT_TABLE) {
            printf("%-18s %7d %5u %14s %12s %12s %-10s %-10s %u %u %u %s\n", name, x->recency_days, x->frequency, mon,
                   mx, avg, first, last, x->r, x->f, x->m, seg);
        } else {
            json_array_append_new(arr, json_pack("{s:s, s:i, s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:s}",
                                                 "member", name, "recency_days", (int)x->recency_days, "frequency",
                                                 (json_int_t)x->frequency, "monetary", mon, "max_receipt", mx,
                                                 "avg_receipt", avg, "first_purchase", first, "last_purchase", last,
                                                 "r", (int)x->r, "f", (int)x->f, "m", (int)x->m, "segment", seg));
        }
    }
    if (arr) {
        char as_of[11];
        kt_day_format(r->as_of, as_of);
        json_t *doc = json_pack("{s:s, s:o}", "as_of", as_of, "members", arr);
        char *s = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
        puts(s);
        free(s);
        json_decref(doc);
    }
}

static int cmd_rfm(int argc, char **argv) {
    kt_opt o[] = {
        {"as-of", KT_OPT_VALUE, "YYYY-MM-DD: recency counts from this day; later receipts are left out (default: the last day with a receipt)", NULL},
        {"format", KT_OPT_VALUE, "table (default), csv or json", NULL},
        {"threads", KT_OPT_VALUE, "scan threads (default 2)", NULL},
        {"stats", KT_OPT_FLAG, "print receipts scanned, members, memory and time to stderr", NULL},
    };
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help("rfm [--as-of YYYY-MM-DD] [--format table|csv|json] [--threads N] [--stats]", o, KT_ARRAY_LEN(o));
        printf("\nRecency, frequency and monetary value per member from the columnar store (load it\n"
               "with karta import-receipts). frequency counts sale receipts; monetary is sales minus\n"
               "returns; avg_receipt = monetary / frequency. Scores 1-5 by quintile of rank, worst\n"
               "first; members with equal values share the lower score. Segments, first match wins:\n");
        for (size_t i = 0; i < kt_rfm_segment_count; i++) {
            const kt_rfm_segment *s = &kt_rfm_segments[i];
            printf("  %-20s R %u-%u  F %u-%u  M %u-%u\n", s->name, s->r_min, s->r_max, s->f_min, s->f_max, s->m_min,
                   s->m_max);
        }
        return 0;
    }
    kt_err err = {0};
    size_t npos;
    kt_rc rc = kt_opts_parse(argc, argv, o, KT_ARRAY_LEN(o), NULL, 0, &npos, &err);
    kt_rfm_opts ro = {.as_of = KT_DAY_NONE, .threads = 2};
    const char *as_of = kt_opt_get(o, KT_ARRAY_LEN(o), "as-of"), *f = kt_opt_get(o, KT_ARRAY_LEN(o), "format");
    int64_t threads = 2;
    out_format fmt = FMT_TABLE;
    if (!rc && as_of) rc = kt_day_parse(as_of, strlen(as_of), &ro.as_of, &err, "--as-of");
    if (!rc) rc = kt_opt_i64(o, KT_ARRAY_LEN(o), "threads", 2, 1, KT_RFM_THREADS_MAX, &threads, &err);
    if (!rc && f) {
        if (!strcmp(f, "csv")) fmt = FMT_CSV;
        else if (!strcmp(f, "json")) fmt = FMT_JSON;
        else if (strcmp(f, "table")) rc = kt_fail(&err, KT_EUSAGE, "--format", "want table, csv or json");
    }
    if (rc) return kt_cli_error(&err);
    ro.threads = (int)threads;
    kt_store *st = NULL;
    kt_cols *c = NULL;
    kt_rfm_result r = {0};
    rc = kt_cli_open(&st, &err);
    if (!rc) rc = kt_cols_open(kt_cli_data_dir(), &c, &err);
    if (!rc) rc = kt_rfm_run(c, &ro, &r, &err);
    if (!rc) {
        print_rows(st, c, &r, fmt);
        if (kt_opt_get(o, KT_ARRAY_LEN(o), "stats"))
            fprintf(stderr, "rfm: %llu receipts scanned, %zu members, %.1f MB accumulators, %d threads, scan %.3f s\n",
                    (unsigned long long)r.receipts_scanned, r.n, (double)r.memory_bytes / 1e6, ro.threads, r.seconds);
    }
    kt_rfm_free(&r);
    kt_cols_close(c);
    kt_store_close(st);
    return rc ? kt_cli_error(&err) : 0;
}

KT_COMMAND(rfm, "rfm", "A1: recency, frequency, monetary per member with scores and segments", cmd_rfm)
