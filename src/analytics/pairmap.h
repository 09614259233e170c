/*
 * pairmap.h - a hash map from a pair of 32-bit indexes to an int64 sum, for
 * the sparse accumulators of the segmentation analyses: (member, category)
 * spend, (item, member) or (item, receipt) pairs counted once, (member, store)
 * visits. One map per scan thread; the maps are merged after the scan.
 *
 * Open addressing with linear probing, capacity a power of two, grown at 1/2
 * load; a key is (a << 32 | b) and the all-ones key is reserved as "empty",
 * so the pair (UINT32_MAX, UINT32_MAX) cannot be stored (callers never use
 * KT_ACTX_NONE in both halves). Growth is capped at KT_PAIRMAP_SLOTS_MAX;
 * an allocation failure or the cap makes the map "failed" (sticky): later
 * additions are dropped and the analysis reports KT_ENOMEM.
 *
 * Owns its table. Not thread-safe: one map per thread.
 */
#ifndef KT_PAIRMAP_H
#define KT_PAIRMAP_H
#include "core/kt.h"

/* 2^31 slots = 32 GB of table: past that an analysis is beyond one machine. */
#define KT_PAIRMAP_SLOTS_MAX (1ull << 31)

typedef struct kt_pairmap {
    uint64_t *keys;     /* UINT64_MAX: empty */
    int64_t *values;
    size_t slots;       /* 0 or a power of two */
    size_t count;
    bool failed;        /* sticky: a growth failed; additions were dropped */
    bool overflow;      /* sticky: a sum did not fit in int64 */
} kt_pairmap;

static inline uint64_t kt_pair_key(uint32_t a, uint32_t b) { return (uint64_t)a << 32 | b; }
static inline uint32_t kt_pair_a(uint64_t key) { return (uint32_t)(key >> 32); }
static inline uint32_t kt_pair_b(uint64_t key) { return (uint32_t)key; }

void kt_pairmap_init(kt_pairmap *m);
void kt_pairmap_free(kt_pairmap *m);
/* Add V to the pair's sum (creating it at 0). Returns true when the pair is new. */
bool kt_pairmap_add(kt_pairmap *m, uint64_t key, int64_t v);
/* Value of a pair, or 0 when absent. */
int64_t kt_pairmap_get(const kt_pairmap *m, uint64_t key);
/* Add every pair of FROM into INTO (sums add; failed and overflow carry over). */
void kt_pairmap_merge(kt_pairmap *into, const kt_pairmap *from);
/* Present pairs as an array sorted by key (a, then b); caller frees. *n = count. */
typedef struct kt_pair { uint64_t key; int64_t value; } kt_pair;
kt_pair *kt_pairmap_sorted(const kt_pairmap *m, size_t *n);
size_t kt_pairmap_bytes(const kt_pairmap *m);

#endif
