/*
 * cols_import.h - receipt history into the columnar store: the generic
 * receipts.csv + receipt_lines.csv pair (docs/formats.md), or any CSV with a
 * header through a column map (one row per line, receipts grouped by the
 * receipt column within a store).
 *
 * Borrows: the operational store, read only (cards -> members, store codes,
 * SKUs, member external ids). External ids it does not know go to the
 * columnar store's own dictionaries (cols.h); an unknown card is member 0.
 * Whole or nothing: the first bad row stops the import with
 * "FILE:LINE: COLUMN" in err->field and nothing is published, unless
 * skip_bad is set, in which case bad rows are counted and skipped.
 * The generic pair, when clean, is parsed in parallel (cols_fast.h) into the
 * same columns; anything else takes the serial path below.
 * A file (or generic pair) whose content was imported before is refused with
 * KT_EEXIST unless again is set: the manifest records a fingerprint (size and
 * a 64-bit hash of the bytes) of every import, published with its rows.
 */
#ifndef KT_COLS_IMPORT_H
#define KT_COLS_IMPORT_H
#include "core/kt.h"

struct kt_store;

/* Column names of a foreign file (NULL: absent). Required: receipt, store,
 * time, sku, qty and amount or price; member or card optional. */
typedef struct kt_cols_map {
    const char *receipt, *member, *card, *store, *time, *sku, *qty, *amount, *price;
} kt_cols_map;

/* Parse "receipt=H,member=H,..." into map; the strings point into buf, a
 * copy the caller frees. */
kt_rc kt_cols_map_parse(const char *spec, kt_cols_map *map, char **buf, kt_err *err);

typedef struct kt_cols_import_opts {
    const char *data_dir;
    const char *path;           /* a directory (generic) or a file (with map) */
    const kt_cols_map *map;     /* NULL: generic receipts.csv + receipt_lines.csv */
    const int *default_offset_min; /* for times without an offset; NULL: such a time is an error */
    bool skip_bad;
    bool money_minor;           /* map mode: amounts and prices in minor units (12345 = 123.45) */
    bool again;                 /* import content that was imported before (else KT_EEXIST) */
} kt_cols_import_opts;

typedef struct kt_cols_import_result {
    uint64_t receipts, lines, rejected;
    uint64_t unknown_cards;        /* receipts whose card is not in the store: member 0 */
    uint64_t new_members, new_stores, new_skus; /* added to the columnar dictionaries */
    double seconds;
    kt_err first_rejected;         /* when rejected > 0 */
} kt_cols_import_result;

kt_rc kt_cols_import(struct kt_store *st, const kt_cols_import_opts *o, kt_cols_import_result *res, kt_err *err);

/* Quantity "2", "0.583", "-1.5" -> thousandths. */
kt_rc kt_cols_parse_qty(const char *s, size_t len, int64_t *out_milli, kt_err *err, const char *field);

#endif
