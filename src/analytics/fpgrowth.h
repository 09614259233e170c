/*
 * fpgrowth.h - frequent itemsets of a set of baskets by FP-growth.
 *
 * Input: N baskets as prefix arrays (CSR): basket b holds
 * items[start[b] .. start[b+1]) in any order, duplicates allowed (an item
 * counts once per basket). Items are 0 .. item_count-1.
 *
 * Output: every itemset S with 1 <= |S| <= max_len whose count (number of
 * baskets holding all of S) is >= min_count, once, with its count. Items of
 * a set are listed in ascending item id. Sets come in no particular order.
 *
 * Method: items are recoded by descending frequency (ties by item id), the
 * infrequent ones dropped; the baskets go into one FP-tree (nodes in flat
 * arrays: item, count, parent, first child, next sibling; one chain per item);
 * each item's conditional pattern base is mined recursively, conditional trees
 * being rebuilt in per-depth arenas that are reused, so that mining allocates
 * only while a tree grows beyond any earlier one. At the last level wanted
 * (max_len) the sets are counted straight from the pattern base without a
 * tree; a tree that is one path yields all its subsets at once. The items of
 * the top level are shared out between THREADS threads.
 *
 * Owns its result until kt_fp_free. Errors: KT_EINVAL naming "--min-support"
 * when more than sets_max sets would be produced (the caller names the limit).
 */
#ifndef KT_FPGROWTH_H
#define KT_FPGROWTH_H
#include "core/kt.h"

typedef struct kt_fp_baskets {
    size_t n;                 /* number of baskets */
    const uint64_t *start;    /* n + 1 offsets into items */
    const uint32_t *items;
    uint32_t item_count;
} kt_fp_baskets;

typedef struct kt_fp_opts {
    uint32_t min_count;       /* >= 1 */
    uint32_t max_len;         /* >= 1 */
    int threads;              /* 1..64 */
    size_t sets_max;          /* stop with an error beyond this many sets */
} kt_fp_opts;

typedef struct kt_fp_sets {
    size_t n;                 /* number of sets */
    uint32_t *count;          /* n counts */
    uint64_t *start;          /* n + 1 offsets into items */
    uint32_t *items;          /* each set's items, ascending */
    uint32_t *item_count;     /* count of every item (all of them, frequent or not) */
    size_t memory_bytes;      /* peak bytes of the trees */
} kt_fp_sets;

kt_rc kt_fp_mine(const kt_fp_baskets *b, const kt_fp_opts *o, kt_fp_sets *out, kt_err *err);
void kt_fp_free(kt_fp_sets *s);

#endif
