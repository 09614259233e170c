/*
 * cmd_cols.c - `karta cols status`: what the columnar store holds and how many
 * checkout receipts wait to be folded in; `karta cols fold`: fold them now
 * (analytics/fold.h). The server folds on its own; this is for scripts and
 * operators.
 */
#include "cli.h"
#include "analytics/actx.h"
#include "analytics/fold.h"
#include "cols/cols.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void) {
    printf("usage: karta cols status | fold | dump receipts|lines [--mapped]\n\n"
           "  status   segments, receipts and lines published; checkout receipts not folded yet\n"
           "           (analyses already include those: they read them from the operational store)\n"
           "  fold     move the checkout's receipts into column segments (one import, whole or\n"
           "           nothing; a crash leaves them to the next fold, never counted twice)\n"
           "  dump     every published row as CSV with the stored ids, as the analyses read them\n"
           "           (--mapped: through the mappings instead of reads); for checks and debugging\n");
    return 0;
}

/* Rows of the published segments, as a scan sees them, one CSV row each. */
static int dump(bool lines, bool mapped) {
    kt_err err = {0};
    kt_cols *c = NULL;
    kt_rc rc = kt_cols_open(kt_cli_data_dir(), &c, &err);
    if (rc) return kt_cli_error(&err);
    puts(lines ? "segment,receipt,member,store,sku,day,minute,qty_milli,amount"
               : "segment,receipt,member,store,day,minute,flags,amount");
    int ncols = lines ? KT_COLS_L_N : KT_COLS_R_N;
    for (size_t seg = 0; seg < kt_cols_segment_count(c) && !rc; seg++) {
        kt_cols_lines l = {0};
        kt_cols_receipts r = {0};
        void *buf[KT_COLS_MAX_N] = {0};
        size_t rows = 0;
        if (mapped) {
            rc = lines ? kt_cols_map_lines(c, seg, &l, &err) : kt_cols_map_receipts(c, seg, &r, &err);
            rows = lines ? l.rows : r.rows;
        } else {
            /* the columns both kinds of segment hold (not compact receipts' units and lines) */
            if (!lines) ncols = KT_COLS_R_UNITS;
            rc = kt_cols_read_open(c, seg, lines, (1u << ncols) - 1, &rows, &err);
            for (int k = 0; k < ncols && !rc; k++) {
                buf[k] = kt_xmalloc((rows ? rows : 1) * kt_cols_col_width(lines, k));
                rc = kt_cols_read(c, seg, lines, k, 0, rows, buf[k], &err);
            }
            if (!rc && lines)
                l = (kt_cols_lines){rows, buf[KT_COLS_L_RECEIPT], buf[KT_COLS_L_MEMBER], buf[KT_COLS_L_STORE],
                                    buf[KT_COLS_L_SKU], buf[KT_COLS_L_DAY], buf[KT_COLS_L_MINUTE],
                                    buf[KT_COLS_L_QTY], buf[KT_COLS_L_AMOUNT]};
            else if (!rc)
                r = (kt_cols_receipts){rows, buf[KT_COLS_R_RECEIPT], buf[KT_COLS_R_MEMBER], buf[KT_COLS_R_STORE],
                                       buf[KT_COLS_R_DAY], buf[KT_COLS_R_MINUTE], buf[KT_COLS_R_FLAGS],
                                       buf[KT_COLS_R_AMOUNT]};
        }
        const char *name = kt_cols_segment_name(c, seg);
        for (size_t i = 0; i < rows && !rc; i++) {
            if (lines)
                printf("%s,%u,%u,%u,%u,%d,%u,%lld,%lld\n", name, l.receipt[i], l.member[i], l.store[i], l.sku[i],
                       (int)l.day[i], (unsigned)l.minute[i], (long long)l.qty_milli[i], (long long)l.amount[i]);
            else
                printf("%s,%u,%u,%u,%d,%u,%u,%lld\n", name, r.receipt[i], r.member[i], r.store[i], (int)r.day[i],
                       (unsigned)r.minute[i], (unsigned)r.flags[i], (long long)r.amount[i]);
        }
        for (int k = 0; k < KT_COLS_MAX_N; k++) free(buf[k]);
    }
    kt_cols_close(c);
    if (rc) return kt_cli_error(&err);
    return 0;
}

static int cmd_cols(int argc, char **argv) {
    if (argc < 2 || kt_cli_wants_help(argc, argv)) return argc < 2 ? (usage(), 2) : usage();
    kt_err err = {0};
    kt_rc rc;
    if (!strcmp(argv[1], "status")) {
        kt_actx *a = NULL;
        rc = kt_actx_open(kt_cli_data_dir(), &a, &err);
        if (rc) return kt_cli_error(&err);
        kt_cols *c = kt_actx_cols(a);
        kt_cols_receipts r;
        kt_cols_lines l;
        uint64_t op_max;
        kt_actx_delta(a, &r, &l, &op_max);
        printf("segments %zu, receipts %llu, lines %llu\n", kt_cols_segment_count(c),
               (unsigned long long)kt_cols_receipt_rows(c), (unsigned long long)kt_cols_line_rows(c));
        printf("dictionaries: members %zu, stores %zu, skus %zu\n", kt_cols_dict_count(c, KT_DICT_MEMBER),
               kt_cols_dict_count(c, KT_DICT_STORE), kt_cols_dict_count(c, KT_DICT_SKU));
        printf("checkout receipts folded up to #%llu; not yet folded: %zu receipts, %zu lines\n",
               (unsigned long long)kt_cols_op_mark(c), r.rows, l.rows);
        kt_actx_close(a);
        return 0;
    }
    if (!strcmp(argv[1], "fold")) {
        kt_fold_result fr;
        rc = kt_fold_run(kt_cli_data_dir(), &fr, &err);
        if (rc) return kt_cli_error(&err);
        printf("folded %llu receipts, %llu lines; checkout receipts folded up to #%llu\n",
               (unsigned long long)fr.receipts, (unsigned long long)fr.lines, (unsigned long long)fr.op_mark);
        return 0;
    }
    if (!strcmp(argv[1], "dump")) {
        bool lines = argc > 2 && !strcmp(argv[2], "lines"), mapped = argc > 3 && !strcmp(argv[3], "--mapped");
        if (argc < 3 || (!lines && strcmp(argv[2], "receipts")) || argc > 4 || (argc == 4 && !mapped)) {
            kt_err e = {0};
            kt_fail(&e, KT_EUSAGE, "cols dump", "want: karta cols dump receipts|lines [--mapped]");
            return kt_cli_error(&e);
        }
        return dump(lines, mapped);
    }
    kt_err e = {0};
    kt_fail(&e, KT_EUSAGE, "cols", "unknown subcommand \"%.40s\" (status, fold, dump)", argv[1]);
    return kt_cli_error(&e);
}

KT_COMMAND(cols, "cols", "the columnar store: status, fold the checkout's receipts in, dump rows", cmd_cols)
