/*
 * fold.h - P12: the receipts the checkout commits reach analytics at once
 * (kt_actx_open reads those the columns do not hold yet as one more segment);
 * a fold moves them into column segments so that the delta stays small.
 *
 * A fold is one columnar import: it takes the writer lock, reads the op mark
 * under it, writes every checkout receipt with a greater id, and publishes the
 * rows and the new mark in one manifest rename. A crash before that rename
 * leaves the old mark, so the receipts are folded again by the next run and
 * never counted twice; a second fold finding nothing new writes nothing.
 * Errors: KT_ECONFLICT when another import holds the lock; those of the
 * columnar writer and the store.
 */
#ifndef KT_FOLD_H
#define KT_FOLD_H
#include "core/kt.h"

typedef struct kt_fold_result {
    uint64_t receipts, lines;   /* folded by this run */
    uint64_t op_mark;           /* the op mark after the run */
} kt_fold_result;

kt_rc kt_fold_run(const char *data_dir, kt_fold_result *out, kt_err *err);

/* How many checkout receipts wait to be folded (an upper bound: the highest
 * receipt id minus the mark), through the caller's store connection. */
struct kt_store;
kt_rc kt_fold_pending(struct kt_store *st, const char *data_dir, uint64_t *out, kt_err *err);

/* The server's policy: fold when this many receipts wait, or when any have
 * waited this long. Readers load the waiting ones from the operational store
 * on every analysis, so the delta is kept small. */
#define KT_FOLD_RECEIPTS 20000
#define KT_FOLD_SECONDS 30

#endif
