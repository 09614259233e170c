/*
 * fpgrowth.h - frequent itemsets of a set of baskets by FP-growth.
 *
 * Input: N baskets in one or more parts, each as prefix arrays (CSR): basket
 * b of a part holds items[start[b] .. start[b+1]) in any order, duplicates
 * allowed unless DISTINCT says otherwise (an item counts once per basket).
 * Items are 0 .. item_count-1.
 *
 * Output: every itemset S with 1 <= |S| <= max_len whose count (number of
 * baskets holding all of S) is >= min_count, once, with its count. Items of
 * a set are listed in ascending item id. Sets come in no particular order.
 *
 * Method: items are counted (threads over ranges of baskets) and recoded by
 * descending frequency (ties by item id), the infrequent ones dropped. When the
 * frequent items are few enough for a triangular matrix of pair counts (16-bit
 * counters with the overflow carried, one matrix per thread, summed in 32 bits
 * within PAIR_MATRIX_BYTES), every basket bumps one counter per pair
 * of its frequent items: that gives every frequent pair. Sets of three or more
 * items can hold only items that lie in a triangle of frequent pairs; the
 * baskets with at least three such items go into one FP-tree (nodes in flat
 * arrays: item, count, parent, first child, next sibling; one chain per item)
 * mined for the sets of three items or more (at the top level an item's
 * extensions are read from the frequent pairs, not from a walk of its paths). Without the matrix the tree holds
 * every basket and gives every set. Each item's conditional pattern base is
 * mined recursively, conditional trees being rebuilt in per-depth arenas that
 * are reused, so that mining allocates only while a tree grows beyond any
 * earlier one. At the last level wanted (max_len) the sets are counted straight
 * from the pattern base without a tree; a tree that is one path yields all its
 * subsets at once. The items of the top level are shared out between THREADS
 * threads.
 *
 * Owns its result until kt_fp_free. Errors: KT_EINVAL naming "--min-support"
 * when more than sets_max sets would be produced (the caller names the limit).
 */
#ifndef KT_FPGROWTH_H
#define KT_FPGROWTH_H
#include "core/kt.h"

typedef struct kt_fp_part {
    size_t n;                 /* number of baskets */
    const uint64_t *start;    /* n + 1 offsets into items */
    const uint32_t *items;
} kt_fp_part;

typedef struct kt_fp_baskets {
    size_t nparts;
    const kt_fp_part *parts;
    uint32_t item_count;
    bool distinct;            /* no basket repeats an item (counting then needs no stamps) */
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

/* A large array (free() releases it) on huge pages where the system offers them
 * on request: one page fault per 2 MB instead of per 4 kB, fewer TLB misses.
 * ZERO: cleared. Aborts when out of memory, like kt_xmalloc. */
void *kt_fp_big_alloc(size_t bytes, bool zero);

kt_rc kt_fp_mine(const kt_fp_baskets *b, const kt_fp_opts *o, kt_fp_sets *out, kt_err *err);
void kt_fp_free(kt_fp_sets *s);

#endif
