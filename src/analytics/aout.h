/*
 * aout.h - the output of every analysis: one or more named tables written as
 * an aligned text table, CSV or JSON, with typed cells so that each format
 * writes money, shares and days its own way.
 *
 *   table  columns aligned by display width (UTF-8 characters), numbers to the
 *          right; tables separated by a blank line, each under its title
 *   csv    RFC 4180: a header row, fields quoted when they hold , " CR or LF;
 *          several tables are separated by a blank line (most commands print one)
 *   json   {"meta key": value, ..., "table name": [ {"column": value, ...}, ... ], ...}
 *          money as an exact decimal number (123.45), days as "YYYY-MM-DD",
 *          an absent value as null
 *
 * Cells of a row are given in column order; kt_aout_row_end checks the count.
 * Table output keeps its rows until the table ends (to align them); CSV and
 * JSON stream. Owns its buffers; borrows FILE. Errors: KT_EIO if writing
 * failed (checked at kt_aout_finish).
 */
#ifndef KT_AOUT_H
#define KT_AOUT_H
#include "core/kt.h"
#include <stdio.h>

typedef enum { KT_AOUT_TABLE, KT_AOUT_CSV, KT_AOUT_JSON } kt_aout_format;

typedef enum {
    KT_ACOL_TEXT,     /* a string */
    KT_ACOL_INT,      /* int64 */
    KT_ACOL_MONEY,    /* int64 minor units, written as decimal units */
    KT_ACOL_REAL,     /* double, written with the column's decimals */
    KT_ACOL_DAY,      /* kt_day, written YYYY-MM-DD */
} kt_acol_type;

typedef struct kt_acol {
    const char *name;
    kt_acol_type type;
    int decimals;     /* KT_ACOL_REAL: digits after the point (default 0 means 4) */
} kt_acol;

typedef struct kt_aout kt_aout;

/* "table", "csv", "json" -> format; KT_EUSAGE naming --format otherwise. */
kt_rc kt_aout_parse_format(const char *s, kt_aout_format *out, kt_err *err);

kt_aout *kt_aout_new(FILE *f, kt_aout_format fmt);
/* A top-level JSON field (only JSON writes these; table and CSV ignore them).
 * Must come before the first table. */
void kt_aout_meta_text(kt_aout *o, const char *key, const char *value);
void kt_aout_meta_int(kt_aout *o, const char *key, int64_t value);
void kt_aout_meta_day(kt_aout *o, const char *key, kt_day value);
/* Start a table named NAME (the JSON key and the table title). */
void kt_aout_table(kt_aout *o, const char *name, const kt_acol *cols, size_t ncols);
void kt_aout_text(kt_aout *o, const char *s);      /* NULL: absent */
void kt_aout_int(kt_aout *o, int64_t v);
void kt_aout_money(kt_aout *o, kt_money v);
void kt_aout_real(kt_aout *o, double v);          /* NaN: absent */
void kt_aout_day(kt_aout *o, kt_day d);           /* KT_DAY_NONE: absent */
void kt_aout_null(kt_aout *o);
void kt_aout_row_end(kt_aout *o);
/* Rows of O's current table formatted apart, e.g. by another thread: a fork
 * takes cells and rows as O does (O must not change table meanwhile; forks
 * and O share nothing that they write) and keeps them in memory; join
 * appends them to O, after O's rows so far, and frees the fork. A table is
 * written the same whether its rows came through forks or not. */
kt_aout *kt_aout_fork(const kt_aout *o);
void kt_aout_join(kt_aout *o, kt_aout *fork);
/* End the last table and the document, free O. */
kt_rc kt_aout_finish(kt_aout *o, kt_err *err);
/* Free O after an error: what is still held (meta fields, an unaligned text
 * table) is not written, so an error before the first table prints nothing. */
void kt_aout_discard(kt_aout *o);

#endif
