/*
 * cols_fast.h - the parallel path of `karta import-receipts DIR` (the generic
 * receipts.csv + receipt_lines.csv pair), internal to cols_import.c.
 *
 * Both files are cut into fixed byte ranges that threads parse at once; the
 * calling thread takes the parsed rows back in file order, resolves what
 * needs the operational store or the dictionaries, and hands them to the
 * column writer, so the columns, ids and dictionaries are byte for byte what
 * the serial path writes. It handles only clean input: the first thing it
 * does not take as it is (a quote, a bad row, invalid UTF-8, a duplicate
 * receipt, ...) makes it abort its writer, publishing nothing, and report
 * *serial, and the caller runs the serial path, which gives the exact error,
 * or skips the bad rows under --skip-bad.
 *
 * KARTA_IMPORT_CHUNK=BYTES (tests; 64 and up) makes the chunks that small;
 * KARTA_IMPORT_CHUNK=0 leaves every import to the serial path.
 *
 * Borrows: the store (read only, calling thread only). Returns KT_OK with the
 * import published, KT_EEXIST for a repeated import, or an error from the
 * commit; with *serial set, KT_OK and nothing done.
 */
#ifndef KT_COLS_FAST_H
#define KT_COLS_FAST_H
#include "cols/cols_import.h"

kt_rc kt_cols_fast_import(struct kt_store *st, const kt_cols_import_opts *o, kt_cols_import_result *res,
                          bool *serial, kt_err *err);

#endif
