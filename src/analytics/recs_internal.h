/*
 * recs_internal.h - what recs.c and recs_eval.c share: the loaded history,
 * the model as of a cut day, the calibrations and the per-thread scratch.
 * Not a public interface (see recs.h for the definitions).
 */
#ifndef KT_RECS_INTERNAL_H
#define KT_RECS_INTERNAL_H
#include "analytics/recs.h"

/* An event is (sku << 32) | biased day: sorting a member's events sorts them
 * by SKU, then day. */
static inline uint64_t recs_key(uint32_t sku, int32_t day) {
    return ((uint64_t)sku << 32) | (uint32_t)((int64_t)day - INT32_MIN);
}
static inline uint32_t recs_key_sku(uint64_t key) { return (uint32_t)(key >> 32); }
static inline int32_t recs_key_day(uint64_t key) { return (int32_t)((int64_t)(uint32_t)key + INT32_MIN); }

/* Score -> rate: block i covers scores from lo[i] up to lo[i + 1]. */
typedef struct recs_calib {
    double *lo, *rate;
    size_t n;
    size_t pairs;
} recs_calib;

typedef struct recs_model {
    kt_day cut;
    int days;
    uint64_t *coff;      /* members + 1: member m's history H(m) is csku[coff[m] .. coff[m+1]) */
    uint32_t *csku;
    uint32_t *buyers;    /* per SKU: members who bought it by the cut (whole histories) */
    uint32_t *nbn;       /* per SKU: neighbours kept */
    uint32_t *nb;        /* per SKU: M neighbour SKUs */
    float *nsim;         /* per SKU: their similarities */
    uint32_t *popular;   /* the L SKUs of most buyers (ties by external id) */
    size_t npopular;
    size_t active;
    size_t memory_bytes;
} recs_model;

struct kt_recs {
    kt_actx *a;
    kt_recs_opts o;
    int days;            /* horizon of the fitted model */
    kt_day as_of;
    size_t nmem, nsku;
    uint64_t *eoff;      /* members + 1 */
    uint64_t *ev;        /* purchase days, per member sorted by key, unique */
    uint64_t nev;
    int32_t *mfirst;     /* per member: first purchase day, INT32_MAX if none */
    double *price;       /* per SKU: average unit price (minor units), NaN if unknown */
    uint32_t *category;  /* per SKU: own category group, KT_ACTX_NONE if none */
    uint32_t *name_rank; /* per SKU: rank of its external id */
    recs_model model;
    bool fitted;
    recs_calib cal[2];
    size_t memory_bytes;
};

/* One member's items as of the model's cut. */
typedef struct recs_own {
    uint32_t sku, k;
    int32_t first, last;
} recs_own;

struct kt_recs_scratch {
    recs_own *own;        /* the member's items (up to nsku) */
    uint32_t *stamp;      /* per SKU: generation marks (owned) */
    uint32_t *touched_at; /* per SKU: generation marks (CF accumulator live) */
    double *acc;          /* per SKU: CF sums */
    uint32_t *touched;    /* SKUs touched this member */
    uint32_t *rel;        /* per SKU: generation marks (relevant, evaluation) */
    uint32_t gen;
    kt_recs_item *cand[2];/* per kind: top L candidates */
    size_t ncand[2];
    size_t L;
};

/* Items of member M as of CUT into S->own (sorted by SKU); returns the count
 * and the member's first day in *START. */
size_t recs_member_items(const kt_recs *r, uint32_t member, kt_day cut, kt_recs_scratch *s, int32_t *start);
/* Candidates of both kinds into S->cand (each sorted best first, at most
 * S->L), scores only; returns false when the member has no history. */
bool recs_candidates(const kt_recs *r, kt_recs_scratch *s, uint32_t member);
/* True when MEMBER bought SKU on a day in (from, to]. */
bool recs_bought_in(const kt_recs *r, uint32_t member, uint32_t sku, kt_day from, kt_day to);
/* Build the model as of CUT with horizon DAYS (similarity included). */
void recs_model_build(kt_recs *r, kt_day cut, recs_model *m);
void recs_model_free(recs_model *m);

/* Run FN(ctx, thread, begin, end) over [0, n) in chunks of CHUNK on THREADS threads. */
typedef void (*recs_range_fn)(void *ctx, int thread, size_t begin, size_t end);
void recs_parallel(int threads, size_t n, size_t chunk, recs_range_fn fn, void *ctx);

#endif
