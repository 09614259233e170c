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
} kt_gen_report;

/* Writes the nine files into opt->out_dir. Refuses (KT_EEXIST, field = the
 * path) when one of them exists and opt->force is false; KT_EINVAL for an
 * option out of range (field = "members", "days", ...); KT_EIO for the file
 * system. report may be NULL. */
kt_rc kt_gen_run(const kt_gen_options *opt, kt_gen_report *report /* OUT */, kt_err *err);

#endif
