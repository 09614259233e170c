/*
 * assoc.h - A5 association rules: which items are bought together, as R's
 * arules apriori() finds them with the same parameters.
 *
 * Baskets. Either a file, one basket a line (kt_assoc_read_file), or the
 * receipts of the columnar store (kt_assoc_from_store): a receipt's sale
 * lines (quantity > 0; return receipts have negative quantities and are left
 * out) within the filter, each line's SKU taken to the level (SKU, its own
 * category, or brand). A receipt with sale lines counts as a basket even when
 * none of its SKUs has a group at the level (no brand): N is the number of
 * such receipts. An item counts once per basket.
 *
 * File format: UTF-8 text; each line ('\n', a trailing '\r' dropped) is one
 * basket; items separated by ','; each item trimmed of spaces and tabs; a
 * repeated item counts once; a line of only spaces is an empty basket (it
 * counts in N, as in arules' read.transactions). No quoting: an item cannot
 * hold a comma. Errors (KT_EINVAL, field "FILE:LINE"): an empty item (",,",
 * a leading or trailing comma), an item longer than KT_ASSOC_LABEL_MAX bytes,
 * invalid UTF-8, a NUL byte; more than KT_ASSOC_BASKETS_MAX baskets.
 *
 * Rules, with N baskets and count(X) = baskets holding every item of X:
 *   minimum count   smin = ceil(N * min_support), the product taken in double
 *                   precision (Borgelt's apriori as arules calls it)
 *   itemsets        every S with count(S) >= smin and |S| <= max_len
 *   rules           lhs => {rhs}, one item on the right, lhs = S \ {rhs} for a
 *                   frequent S with min_len <= |S| <= max_len (|S| counts lhs
 *                   and rhs; |S| = 1 gives an empty lhs); kept when
 *                   count(S) / count(lhs) >= min_confidence - 1e-12
 *                   (count({}) = N); with rhs given, only rules with that rhs
 *   support         count(S) / N                    (of the whole rule)
 *   confidence      count(S) / count(lhs)
 *   lift            confidence * N / count(rhs)     (the expression arules uses)
 *   leverage        support - (count(lhs) / N) * (count(rhs) / N)
 *   conviction      (1 - count(rhs) / N) / (1 - confidence): +Inf when the
 *                   confidence is 1, NaN when both are 0 (IEEE, as R computes)
 * Order: lift descending, then confidence, then count descending, then lhs
 * (its items' labels compared in byte order, a shorter list first on a common
 * prefix), then rhs label. Within the lhs, items are in byte order of their
 * labels (as arules lists the items of read.transactions data).
 *
 * Owns its results until the _free calls. Borrows the analysis context.
 */
#ifndef KT_ASSOC_H
#define KT_ASSOC_H
#include "analytics/actx.h"
#include "analytics/fpgrowth.h"
#include "core/kt.h"

/* Longest item label of a baskets file (bytes): labels are names, not text. */
#define KT_ASSOC_LABEL_MAX 1024
/* Baskets per input: counts and basket stamps are 32-bit. */
#define KT_ASSOC_BASKETS_MAX (1u << 31)
/* Longest itemset / rule (the miner's recursion depth). */
#define KT_ASSOC_LEN_MAX 64
/* Frequent itemsets kept at most (~12 bytes + 4 per item each): a minimum
 * support too low for the data stops with an error instead of exhausting memory. */
#define KT_ASSOC_SETS_MAX ((size_t)50 * 1000 * 1000)

typedef struct kt_assoc_data {
    size_t n;                 /* baskets */
    uint64_t *start;          /* a file's baskets: n + 1 offsets into items (NULL from the store) */
    uint32_t *items;          /* item ids; an item may repeat within a basket */
    kt_fp_part *parts;        /* every basket, in parts (a file: one part over start and items) */
    size_t nparts;
    bool parts_own;           /* the parts' arrays belong to the data (the store's baskets) */
    bool distinct;            /* no basket repeats an item */
    bool regrouped;           /* store: some receipt's lines were not one run, so they were sorted by receipt */
    uint32_t item_count;
    char **labels;            /* item_count labels, trimmed; NULL for ids never seen */
    uint64_t lines_scanned;   /* store: line rows scanned */
} kt_assoc_data;

/* Parse TEXT (LEN bytes; NAME for errors) / read the file PATH. */
kt_rc kt_assoc_parse(const char *name, const char *text, size_t len, kt_assoc_data *out, kt_err *err);
kt_rc kt_assoc_read_file(const char *path, kt_assoc_data *out, kt_err *err);
/* The receipts of the store within F, items at LEVEL (SKU, category, top or
 * brand). One pass when every receipt's lines form one run of rows (as import,
 * gen --direct and the checkout write them): the baskets stay in the scan
 * threads' arrays, one part each, each item once per basket (distinct). Else
 * the lines are collected and sorted by receipt (regrouped, one part). */
kt_rc kt_assoc_from_store(kt_actx *a, const kt_afilter *f, kt_alevel level, int threads, kt_assoc_data *out,
                           kt_err *err);
void kt_assoc_data_free(kt_assoc_data *d);

typedef struct kt_assoc_opts {
    double min_support;       /* 0 < s <= 1 */
    double min_confidence;    /* 0 <= c <= 1 */
    uint32_t min_len, max_len;/* 1 <= min_len <= max_len <= KT_ASSOC_LEN_MAX */
    const char *rhs;          /* label of the only right-hand side wanted, or NULL */
    int threads;
} kt_assoc_opts;

typedef struct kt_assoc_rule {
    size_t set;               /* the itemset lhs + rhs (index into sets) */
    uint32_t rhs;             /* item id */
    uint32_t count, lhs_count, rhs_count;
} kt_assoc_rule;

typedef struct kt_assoc_result {
    size_t n;                 /* baskets */
    uint32_t min_count;       /* smin */
    kt_fp_sets sets;          /* the frequent itemsets up to max_len */
    kt_assoc_rule *rules;    /* in the order above */
    size_t nrules;
    uint32_t *lhs;            /* rule i's lhs: lhs[lhs_start[i] .. lhs_start[i+1]), in label order */
    size_t *lhs_start;
} kt_assoc_result;

typedef struct kt_assoc_measures { double support, confidence, lift, leverage, conviction; } kt_assoc_measures;

/* KT_EUSAGE naming the option for a bad parameter; KT_ENOTFOUND naming --rhs
 * for an item not in the data; KT_EINVAL naming --min-support beyond
 * KT_ASSOC_SETS_MAX itemsets. An empty input gives no rules. */
kt_rc kt_assoc_rules(const kt_assoc_data *d, const kt_assoc_opts *o, kt_assoc_result *out, kt_err *err);
kt_assoc_measures kt_assoc_measure(size_t n, uint32_t count, uint32_t lhs_count, uint32_t rhs_count);
void kt_assoc_result_free(kt_assoc_result *r);

/* smin for N baskets (see above). */
uint32_t kt_assoc_min_count(size_t n, double min_support);

#endif
