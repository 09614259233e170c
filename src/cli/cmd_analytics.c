/*
 * cmd_analytics.c - `karta import-receipts PATH [--map ...]`: receipt history
 * into the columnar store (cols/cols_import.h); `karta rfm`: A1 RFM per member,
 * segment sizes and the migration matrix (analytics/rfm.h) through the shared
 * analysis options (acli.h).
 */
#include "cli.h"
#include "acli.h"
#include "analytics/rfm.h"
#include "cols/cols.h"
#include "cols/cols_import.h"
#include "core/date.h"
#include "core/text.h"
#include "store/store.h"

#include <jansson.h>
#include <pthread.h>
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

static const kt_acol rfm_member_cols[] = {
    {"member", KT_ACOL_TEXT, 0},         {"recency_days", KT_ACOL_INT, 0},  {"frequency", KT_ACOL_INT, 0},
    {"monetary", KT_ACOL_MONEY, 0},      {"max_receipt", KT_ACOL_MONEY, 0}, {"avg_receipt", KT_ACOL_MONEY, 0},
    {"first_purchase", KT_ACOL_DAY, 0},  {"last_purchase", KT_ACOL_DAY, 0}, {"r", KT_ACOL_INT, 0},
    {"f", KT_ACOL_INT, 0},               {"m", KT_ACOL_INT, 0},             {"segment", KT_ACOL_TEXT, 0},
};

/* Rows per piece of the member table formatted by one thread (a few MB of text). */
#define RFM_PIECE_ROWS 32768

typedef struct rfm_piece {
    kt_aout *out;                  /* the table's writer (first piece) or a fork of it */
    const kt_rfm_config *cfg;
    const kt_rfm_row *rows;
    const char *const *names;      /* the rows' member names, looked up beforehand */
    size_t n;
    pthread_t thread;
    bool started;
} rfm_piece;

static void *rfm_piece_write(void *arg) {
    const rfm_piece *p = arg;
    for (size_t i = 0; i < p->n; i++) {
        const kt_rfm_row *x = &p->rows[i];
        kt_aout *out = p->out;
        kt_aout_text(out, p->names[i]);
        kt_aout_int(out, x->recency_days);
        kt_aout_int(out, x->frequency);
        kt_aout_money(out, x->monetary);
        kt_aout_money(out, x->max_receipt);
        kt_aout_money(out, x->avg_receipt);
        kt_aout_day(out, x->first_day);
        kt_aout_day(out, x->last_day);
        kt_aout_int(out, x->r);
        kt_aout_int(out, x->f);
        kt_aout_int(out, x->m);
        kt_aout_text(out, p->cfg->segments[x->segment].name);
        kt_aout_row_end(out);
    }
    return NULL;
}

/* One row per member: the rows are formatted in pieces by up to cx->threads
 * threads at a time (a month's 36.5 M rows take seconds of formatting), the
 * first piece of each round straight into the output, the others into forks
 * joined after it in order: the same bytes as one thread. */
static kt_rc rfm_members(kt_acli *cx, const kt_rfm_config *cfg, const kt_rfm_result *r, kt_err *err) {
    kt_rc rc = kt_actx_load_names(cx->a, KT_ADIM_MEMBER, err);
    if (rc) return rc;
    kt_aout_table(cx->out, "members", rfm_member_cols, KT_ARRAY_LEN(rfm_member_cols));
    int threads = cx->threads < 1 ? 1 : cx->threads > KT_ACTX_THREADS_MAX ? KT_ACTX_THREADS_MAX : cx->threads;
    const char **names = kt_xmalloc((size_t)threads * RFM_PIECE_ROWS * sizeof *names);
    rfm_piece piece[KT_ACTX_THREADS_MAX];
    for (size_t at = 0; at < r->n;) {
        int k = 0;
        for (; k < threads && at < r->n; k++) {
            /* names are looked up here: the context's name table is not for threads */
            size_t n = r->n - at < RFM_PIECE_ROWS ? r->n - at : RFM_PIECE_ROWS;
            const char **nm = names + (size_t)k * RFM_PIECE_ROWS;
            for (size_t i = 0; i < n; i++) nm[i] = kt_actx_name(cx->a, KT_ADIM_MEMBER, r->rows[at + i].member);
            piece[k] = (rfm_piece){k ? kt_aout_fork(cx->out) : cx->out, cfg, r->rows + at, nm, n, 0, false};
            at += n;
        }
        for (int i = 1; i < k; i++) piece[i].started = pthread_create(&piece[i].thread, NULL, rfm_piece_write, &piece[i]) == 0;
        for (int i = 0; i < k; i++) {
            if (i && piece[i].started) pthread_join(piece[i].thread, NULL);
            else rfm_piece_write(&piece[i]);
            if (i) kt_aout_join(cx->out, piece[i].out);
        }
    }
    free(names);
    return KT_OK;
}

/* Half away from zero, as avg_receipt. */
static kt_money rfm_avg(kt_money sum, uint64_t n) {
    int64_t q = sum / (int64_t)n, rem = sum % (int64_t)n;
    if (2 * (uint64_t)(rem < 0 ? -rem : rem) >= n) q += sum < 0 ? -1 : 1;
    return q;
}

static kt_rc rfm_segment_sizes(kt_acli *cx, const kt_rfm_config *cfg, const kt_rfm_result *r, kt_err *err) {
    static const kt_acol cols[] = {{"segment", KT_ACOL_TEXT, 0}, {"members", KT_ACOL_INT, 0},
                                   {"share", KT_ACOL_REAL, 4},   {"monetary", KT_ACOL_MONEY, 0},
                                   {"avg_monetary", KT_ACOL_MONEY, 0}};
    uint64_t members[KT_RFM_SEGMENTS_MAX];
    kt_money monetary[KT_RFM_SEGMENTS_MAX];
    if (!kt_rfm_sizes(r, cfg, members, monetary))
        return kt_fail(err, KT_EINVAL, "monetary", "a segment's sum of receipts overflows");
    kt_aout_table(cx->out, "segments", cols, KT_ARRAY_LEN(cols));
    for (size_t s = 0; r->n && s < cfg->nsegments; s++) {
        kt_aout_text(cx->out, cfg->segments[s].name);
        kt_aout_int(cx->out, (int64_t)members[s]);
        kt_aout_real(cx->out, (double)members[s] / (double)r->n);
        kt_aout_money(cx->out, monetary[s]);
        if (members[s]) kt_aout_money(cx->out, rfm_avg(monetary[s], members[s]));
        else kt_aout_null(cx->out);
        kt_aout_row_end(cx->out);
    }
    return KT_OK;
}

static kt_rc rfm_migration(kt_acli *cx, const kt_rfm_config *cfg, kt_day from_day, const kt_rfm_result *to,
                           kt_err *err) {
    static const kt_acol cols[] = {{"segment_from", KT_ACOL_TEXT, 0}, {"segment_to", KT_ACOL_TEXT, 0},
                                   {"members", KT_ACOL_INT, 0}};
    kt_afilter f = cx->filter;
    f.to = from_day;
    kt_rfm_result from;
    kt_rc rc = kt_rfm_run(cx->a, &f, cfg, cx->threads, &from, err);
    if (rc) return rc;
    size_t w = cfg->nsegments + 1;
    uint64_t *counts = kt_xmalloc(w * w * sizeof *counts);
    kt_rfm_migration(&from, to, cfg->nsegments, counts);
    kt_aout_table(cx->out, "migration", cols, KT_ARRAY_LEN(cols));
    for (size_t i = 0; i < w; i++)
        for (size_t j = 0; j < w; j++) {
            if (!counts[i * w + j]) continue;
            kt_aout_text(cx->out, i < cfg->nsegments ? cfg->segments[i].name : "(none)");
            kt_aout_text(cx->out, j < cfg->nsegments ? cfg->segments[j].name : "(none)");
            kt_aout_int(cx->out, (int64_t)counts[i * w + j]);
            kt_aout_row_end(cx->out);
        }
    free(counts);
    kt_rfm_free(&from);
    return KT_OK;
}

static int cmd_rfm(int argc, char **argv) {
    kt_opt o[] = {
        KT_ACLI_OPTS,
        {"segments", KT_OPT_FLAG, "segment sizes instead of members: segment,members,share,monetary,avg_monetary", NULL},
        {"migration", KT_OPT_VALUE, "FROM_DAY: members by segment at FROM_DAY (rows) and at the as-of day (columns)", NULL},
        {"config", KT_OPT_VALUE, "FILE: JSON scores by thresholds and the ordered segment list (docs/analytics.md)", NULL},
    };
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help("rfm [--segments | --migration YYYY-MM-DD] [--config FILE] [--as-of YYYY-MM-DD] [--from D] [--to D] "
                     "[--store CODES] [--region NAME] [--format table|csv|json] [--threads N] [--stats]",
                     o, KT_ARRAY_LEN(o));
        printf("\nRecency, frequency and monetary value per member from the columnar store (load it\n"
               "with karta import-receipts). frequency counts sale receipts; monetary is sales minus\n"
               "returns; avg_receipt = monetary / frequency. Scores 1-5 by quintile of rank, worst\n"
               "first; members with equal values share the lower score; or by thresholds from --config.\n"
               "Segments, first match wins (the default list; --config replaces it):\n");
        for (size_t i = 0; i < kt_rfm_segment_count; i++) {
            const kt_rfm_segment *s = &kt_rfm_segments[i];
            printf("  %-20s R %u-%u  F %u-%u  M %u-%u\n", s->name, s->r_min, s->r_max, s->f_min, s->f_max, s->m_min,
                   s->m_max);
        }
        printf("--segments lists every segment in list order (none on an empty store); --migration lists\n"
               "the non-empty cells; \"(none)\" is a member without purchases at one of the two days.\n");
        return 0;
    }
    kt_err err = {0};
    kt_acli cx;
    kt_rfm_config cfg;
    kt_rfm_config_default(&cfg);
    kt_rc rc = kt_acli_start(&cx, o, KT_ARRAY_LEN(o), argc, argv, NULL, 0, NULL, &err);
    if (rc) return kt_cli_error(&err);
    const char *cfg_path = kt_opt_get(o, KT_ARRAY_LEN(o), "config"), *mig = kt_opt_get(o, KT_ARRAY_LEN(o), "migration");
    bool sizes = kt_opt_get(o, KT_ARRAY_LEN(o), "segments") != NULL;
    kt_day from_day = KT_DAY_NONE;
    if (sizes && mig) rc = kt_fail(&err, KT_EUSAGE, "--migration", "give --segments or --migration, not both");
    if (!rc && mig && kt_day_parse(mig, strlen(mig), &from_day, &err, "--migration")) rc = err.code = KT_EUSAGE;
    if (!rc && mig && cx.as_of != KT_DAY_NONE && from_day > cx.as_of)
        rc = kt_fail(&err, KT_EUSAGE, "--migration", "%s is after the as-of day", mig);
    if (!rc && cfg_path) rc = kt_rfm_config_load(cfg_path, &cfg, &err);
    kt_rfm_result r = {0};
    /* the member table names every member: read the names beside the scan */
    if (!rc && !sizes && !mig) kt_actx_load_names_begin(cx.a, KT_ADIM_MEMBER);
    if (!rc) rc = kt_rfm_run(cx.a, &cx.filter, &cfg, cx.threads, &r, &err);
    if (!rc && mig) kt_aout_meta_day(cx.out, "from", from_day);
    if (!rc) rc = sizes ? rfm_segment_sizes(&cx, &cfg, &r, &err)
                 : mig  ? rfm_migration(&cx, &cfg, from_day, &r, &err)
                        : rfm_members(&cx, &cfg, &r, &err);
    if (!rc && cx.stats)
        fprintf(stderr, "rfm: %llu receipts scanned, %zu members, %.1f MB accumulators, scan %.3f s\n",
                (unsigned long long)r.receipts_scanned, r.n, (double)r.memory_bytes / 1e6, r.seconds);
    kt_rfm_free(&r);
    kt_rfm_config_free(&cfg);
    return kt_acli_end(&cx, rc, &err);
}

KT_COMMAND(rfm, "rfm", "A1: recency, frequency, monetary per member with scores, segments and migration", cmd_rfm)
