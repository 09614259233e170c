/*
 * fold.c - the checkout delta into column segments (fold.h).
 */
#include "analytics/fold.h"
#include "analytics/actx.h"
#include "cols/cols.h"
#include "store/store.h"

#include <string.h>

/* The delta's SKU id as the writer knows it: an id past the dictionary's end
 * (a SKU seen only at the checkout) becomes a dictionary entry now. */
static kt_rc sku_id(kt_actx *a, kt_cols_writer *w, uint32_t sku, uint32_t *out, kt_err *err) {
    const char *name = kt_actx_delta_sku(a, sku);
    if (!name) { *out = sku; return KT_OK; }
    return kt_cols_writer_dict(w, KT_DICT_SKU, name, strlen(name), out, err);
}

kt_rc kt_fold_run(const char *data_dir, kt_fold_result *out, kt_err *err) {
    *out = (kt_fold_result){0};
    kt_cols_writer *w = NULL;
    kt_actx *a = NULL;
    kt_rc rc = kt_cols_writer_open(data_dir, &w, err);
    if (!rc) rc = kt_actx_open(data_dir, &a, err);
    if (rc) {
        kt_cols_writer_abort(w);
        kt_actx_close(a);
        return rc;
    }
    /* Under the lock nobody else publishes, so the reader's mark is the writer's. */
    KT_ASSERT(kt_cols_op_mark(kt_actx_cols(a)) == kt_cols_writer_op_mark(w));
    kt_cols_receipts r;
    kt_cols_lines l;
    uint64_t op_max;
    kt_actx_delta(a, &r, &l, &op_max);
    out->op_mark = kt_cols_writer_op_mark(w);
    if (r.rows == 0) {
        kt_cols_writer_abort(w);
        kt_actx_close(a);
        return KT_OK;
    }
    KT_ASSERT(kt_cols_next_receipt(kt_actx_cols(a)) == kt_cols_writer_next_receipt(w));
    for (size_t i = 0; i < r.rows && !rc; i++) {
        kt_cols_receipt_row row = {r.receipt[i], r.member[i], r.store[i], r.day[i],
                                   r.minute[i], r.flags[i], r.amount[i]};
        rc = kt_cols_writer_receipt(w, &row, err);
    }
    for (size_t i = 0; i < l.rows && !rc; i++) {
        kt_cols_line_row row = {l.receipt[i], l.member[i], l.store[i], 0, l.day[i],
                                l.minute[i], l.qty_milli[i], l.amount[i]};
        rc = sku_id(a, w, l.sku[i], &row.sku, err);
        if (!rc) rc = kt_cols_writer_line(w, &row, err);
    }
    if (!rc) {
        kt_cols_writer_set_op_mark(w, op_max);
        rc = kt_cols_writer_commit(w, &out->receipts, &out->lines, err);
        w = NULL; /* commit frees the writer, on failure too */
        if (!rc) out->op_mark = op_max;
    }
    kt_cols_writer_abort(w);
    kt_actx_close(a);
    return rc;
}

kt_rc kt_fold_pending(kt_store *st, const char *data_dir, uint64_t *out, kt_err *err) {
    uint64_t mark;
    int64_t max = 0;
    kt_rc rc = kt_cols_read_op_mark(data_dir, &mark, err);
    bool found;
    if (!rc) rc = kt_store_int(st, KT_Q_ACTX_MAX_RECEIPT, NULL, 0, &max, &found, err);
    *out = !rc && (uint64_t)max > mark ? (uint64_t)max - mark : 0;
    return rc;
}
