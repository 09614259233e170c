/*
 * import.h - bulk import of a chain from the generic CSV format (docs/formats.md)
 * into the operational store: categories, stores, products, members, cards,
 * consents and opening balances, in that order.
 *
 * Whole or nothing: the import runs in one store transaction. Without
 * skip_bad the first bad row stops it, nothing is written and the error is
 * returned with err->field = "FILE:LINE: COLUMN" and the reason in err->msg.
 * With skip_bad every good row lands and each bad row goes, with its reason,
 * to the reject file (CSV: file,line,column,reason,raw); rows that refer to a
 * rejected row (a card of a rejected member) are rejected too. Some faults
 * stop the import even with skip_bad, because no row boundary can be trusted
 * after them or because they concern the whole file: a file that is not valid
 * CSV or not UTF-8, a bad header (unknown, missing or repeated column), and
 * every store, I/O or memory error.
 *
 * Keys are never loaded twice: a key that exists (in the file or in the
 * store: member id, card number, store code, SKU, category code, a consent
 * event of the same member, channel and time, an opening balance of a member
 * who already had one) is an error, so rerunning an import that succeeded is
 * refused row by row and changes nothing.
 *
 * Borrows the store (no transaction may be open) and the options; owns
 * nothing after it returns. External member ids are mapped to internal ids in
 * an in-memory hash map (keymap.h) that lives as long as the call.
 */
#ifndef KT_IMPORT_H
#define KT_IMPORT_H
#include "core/kt.h"
#include "store/store.h"

#define KT_IMPORT_FILES 7
/* The files this command loads, in load order. */
extern const char *const kt_import_file_names[KT_IMPORT_FILES];

/* Absurd values: an opening balance above this is a unit mix-up (kopecks
 * for roubles) or a corrupt export, not a customer. */
#define KT_IMPORT_POINTS_MAX 100000000
/* A shelf price above 100 million roubles is not a grocery product. */
#define KT_IMPORT_PRICE_MAX_MINOR ((kt_money)100000000 * 100)

/* Called about every progress_seconds while a file loads. */
typedef void (*kt_import_progress_fn)(void *ctx, const char *file, int64_t rows_done,
                                      uint64_t bytes_done, uint64_t bytes_total, double seconds);

typedef struct kt_import_opts {
    const char *dir;          /* the directory holding the CSV files */
    bool skip_bad;            /* load the good rows, reject the bad ones */
    const char *rejects_path; /* with skip_bad; NULL: DIR/../import-rejects.csv */
    const char *actor;        /* recorded in the `imports` row */
    kt_time at;               /* when: stamped on every row written */
    kt_day day;               /* the local day: opening lots are earned on it */
    kt_import_progress_fn progress; /* or NULL */
    void *progress_ctx;
    double progress_seconds;  /* 0: 2 seconds */
} kt_import_opts;

typedef struct kt_import_file_stats {
    const char *file;         /* "members.csv" */
    bool present;
    int64_t rows, loaded, rejected;
    double seconds;
} kt_import_file_stats;

typedef struct kt_import_result {
    kt_import_file_stats files[KT_IMPORT_FILES];
    int64_t rows, loaded, rejected;
    double seconds;           /* the whole import, commit included */
    char rejects_path[4096];  /* written when skip_bad ("" otherwise) */
    size_t member_map_bytes;  /* memory the member id map held */
    bool receipts_present;    /* receipts.csv or receipt_lines.csv seen (not loaded here) */
} kt_import_result;

/* OUT: *out is filled on success; on failure its counts say how far the
 * import got before it stopped (and nothing was written). */
kt_rc kt_import_dir(kt_store *st, const kt_import_opts *o, kt_import_result *out, kt_err *err);

#endif
