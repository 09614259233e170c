/*
 * clusters.h - A5 groups of members who buy alike: k-means over each member's
 * spend shares by product group (top category or own category).
 *
 * Definitions (lines within the filter; member 0, "no card", left out):
 *   spend[m][g]   net amount of member m's lines whose SKU is in group g
 *                 (sales minus returns, minor units); lines of SKUs with no
 *                 group at the level are left out
 *   spend[m]      sum over g of max(0, spend[m][g]); members with spend 0 are
 *                 not clustered
 *   share[m][g]   max(0, spend[m][g]) / spend[m]   (each member's vector sums to 1)
 * Method: k-means (Lloyd) on the share vectors, squared Euclidean distance.
 *   Seeding by k-means++ with kt_rng seeded by SEED: the first centre is a
 *   uniformly drawn member, each next one a member drawn with probability
 *   proportional to its squared distance to the nearest centre so far (members
 *   in member-index order; when every distance is 0 fewer than K centres are
 *   used). Then repeat: assign each member to the nearest centre (ties: the
 *   lower centre), move each centre to the mean of its members (a centre with
 *   no members stays), until no assignment changes or ITERATIONS_MAX rounds.
 *   Single-threaded after the scan, so the result depends only on the data
 *   and the seed. Clusters are numbered 1.. by size descending (ties: the
 *   earlier centre).
 * Memory: one spend matrix (members x groups of int64) per scan thread, at most
 * KT_CLUSTERS_MATRIX_BYTES in all (fewer threads, else KT_EINVAL naming --level).
 *
 * Owns the result until kt_clusters_free. Borrows the analysis context.
 */
#ifndef KT_CLUSTERS_H
#define KT_CLUSTERS_H
#include "analytics/actx.h"
#include "core/kt.h"

#define KT_CLUSTERS_K_MAX 100
#define KT_CLUSTERS_ITERATIONS_MAX 300
/* Bytes of the per-thread spend matrices together. */
#define KT_CLUSTERS_MATRIX_BYTES ((size_t)1 << 30)

typedef struct kt_clusters_opts {
    uint32_t k;               /* 1..KT_CLUSTERS_K_MAX */
    kt_alevel level;          /* KT_ALEVEL_TOP or KT_ALEVEL_CATEGORY */
    uint64_t seed;
    int threads;
} kt_clusters_opts;

typedef struct kt_clusters_result {
    uint32_t k;               /* clusters found (<= the K asked for) */
    uint32_t groups;          /* dimensions (group count at the level) */
    size_t n;                 /* members clustered */
    uint32_t *member;         /* n member indexes, ascending */
    uint32_t *cluster;        /* n cluster numbers, 0-based (printed 1-based) */
    kt_money *spend;          /* n spends */
    float *share;             /* n x groups shares */
    double *centre;           /* k x groups: mean share of the cluster's members */
    size_t *size;             /* k member counts */
    kt_money *total;          /* k spend sums */
    uint32_t iterations;
    double inertia;           /* sum of squared distances to the own centre */
    uint64_t lines_scanned;
} kt_clusters_result;

kt_rc kt_clusters_run(kt_actx *a, const kt_afilter *f, const kt_clusters_opts *o, kt_clusters_result *out,
                      kt_err *err);
void kt_clusters_free(kt_clusters_result *r);

#endif
