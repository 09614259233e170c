/*
 * gen.h - a deterministic synthetic retail chain in the generic CSV format
 * (docs/formats.md): categories, stores, products, members, cards, consents,
 * opening balances, receipts and receipt lines.
 *
 * Same options, same bytes, on every machine: all randomness comes from
 * kt_rng with the given seed, money and quantities are integers, and nothing
 * depends on the locale, the clock or the platform's libm.
 *
 * Receipts are streamed out day by day as they are generated; memory grows
 * with the number of members, stores and products, never with the number of
 * receipts (about 200 bytes per member).
 *
 * Direct mode (direct_data set, `karta gen --direct`): the receipts go
 * straight into that data directory's columnar store (cols/cols.h) instead of
 * receipts.csv and receipt_lines.csv; the other seven files are written as
 * usual. The receipts are the same as the CSV path's, in the same order, so
 * they get the same dense receipt ids as `karta import-receipts` of the CSV
 * files into the same store. Ids are resolved as import-receipts resolves
 * them, through the operational store (see gen_direct.c): store codes and
 * SKUs by code, else dictionary ids named by the code; members by card
 * number, an unknown card being member 0. One difference: when the
 * operational store holds no card at all (the chain's members were not
 * imported, the usual case for scale runs), members become dictionary ids
 * named by their external id (M0000001), so that analyses name them as they
 * would after `karta import`. The receipts land whole or not at all (one
 * commit of the column writer at the end).
 *
 * kt_gen_run owns everything it allocates and frees it before returning. On
 * error it returns the kt_rc and fills err (field = option name or file path);
 * files already written are left in place.
 */
#ifndef KT_GEN_H
#define KT_GEN_H
#include "core/kt.h"

/* Limits, each with its reason. */
#define KT_GEN_MEMBERS_MAX 50000000u /* ~200 bytes of state each: 10 GB at the cap */
#define KT_GEN_STORES_MAX 9999u      /* store codes S001..S9999 */
#define KT_GEN_PRODUCTS_MAX 999999u  /* SKU codes P000001..P999999 */
#define KT_GEN_DAYS_MAX 3660u        /* ten years; relative days fit an int16 */
#define KT_GEN_RECEIPT_LINES_MAX 40  /* lines in one generated receipt */
#define KT_GEN_THREADS_MAX 64        /* shards of --direct --threads */

struct kt_store;

/* Called after each generated day (seconds: since the receipts started). */
typedef void (*kt_gen_progress_fn)(void *ctx, uint32_t days_done, uint32_t days, uint64_t receipts,
                                   uint64_t lines, double seconds);

typedef struct kt_gen_options {
    const char *out_dir;   /* created if missing */
    uint32_t members;      /* 1..KT_GEN_MEMBERS_MAX, default 10000 */
    uint32_t stores;       /* 1..KT_GEN_STORES_MAX, default 20 */
    uint32_t products;     /* 1..KT_GEN_PRODUCTS_MAX, default 2000 */
    uint32_t days;         /* 1..KT_GEN_DAYS_MAX, default 120 */
    uint64_t seed;         /* default 1 */
    kt_day start;          /* first day of the period, default 2026-01-01 */
    bool force;            /* overwrite existing files */
    bool dirty;            /* add a few deliberately bad phones and e-mails */
    const char *direct_data;  /* non-NULL: receipts into this data directory's columnar store */
    struct kt_store *store;   /* with direct_data: its operational store, for ids (borrowed) */
    bool columns_only;        /* with direct_data: generate the whole chain (the same receipts) but write
                                 no CSV file; out_dir may be NULL */
    uint32_t threads;         /* with direct_data: members split into this many shards whose days are
                                 generated in parallel (0 or 1: the one serial order, equal to the CSV
                                 path's). Deterministic for a given count; another count gives another
                                 (equally valid) chain history. At most KT_GEN_THREADS_MAX. */
    kt_gen_progress_fn progress; /* or NULL */
    void *progress_ctx;
} kt_gen_options;

/* The defaults above; out_dir NULL. */
void kt_gen_defaults(kt_gen_options *opt);

typedef enum kt_gen_file {
    KT_GEN_CATEGORIES,
    KT_GEN_STORES,
    KT_GEN_PRODUCTS,
    KT_GEN_MEMBERS,
    KT_GEN_CARDS,
    KT_GEN_CONSENTS,
    KT_GEN_BALANCES,
    KT_GEN_RECEIPTS,
    KT_GEN_RECEIPT_LINES,
    KT_GEN_FILE_COUNT
} kt_gen_file;

/* "categories.csv", ... */
const char *kt_gen_file_name(kt_gen_file file);

typedef struct kt_gen_report {
    uint64_t rows[KT_GEN_FILE_COUNT];  /* data rows, header not counted */
    uint64_t bytes[KT_GEN_FILE_COUNT];
    uint64_t returns;                  /* receipts of kind "return" */
    uint64_t receipts_without_card;
    uint64_t duplicate_members;        /* second rows for the same person */
    bool direct;                       /* receipts went to the columnar store */
    uint64_t direct_dict_ids[3];       /* members, stores, SKUs named by a dictionary id */
    double receipts_seconds;           /* generating and writing the receipts (and the commit) */
} kt_gen_report;

/* Writes the nine files into opt->out_dir (seven in direct mode). Refuses
 * (KT_EEXIST, field = the path) when one of them exists and opt->force is
 * false; KT_EINVAL for an option out of range (field = "members", "days",
 * ...); KT_EIO for the file system; in direct mode also KT_ECONFLICT when
 * another import holds the columnar store, and the store's errors of a look-up.
 * report may be NULL. */
kt_rc kt_gen_run(const kt_gen_options *opt, kt_gen_report *report /* OUT */, kt_err *err);

#endif
