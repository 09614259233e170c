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
#include <string.h>

static int usage(void) {
    printf("usage: karta cols status | fold\n\n"
           "  status   segments, receipts and lines published; checkout receipts not folded yet\n"
           "           (analyses already include those: they read them from the operational store)\n"
           "  fold     move the checkout's receipts into column segments (one import, whole or\n"
           "           nothing; a crash leaves them to the next fold, never counted twice)\n");
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
    kt_err e = {0};
    kt_fail(&e, KT_EUSAGE, "cols", "unknown subcommand \"%.40s\" (status, fold)", argv[1]);
    return kt_cli_error(&e);
}

KT_COMMAND(cols, "cols", "the columnar store: status, fold the checkout's receipts in", cmd_cols)
