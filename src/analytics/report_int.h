/*
 * report_int.h - pieces the report files share (report.h): calendar periods,
 * shared member bitsets for distinct counts, sorted key lists that compact
 * themselves, top-N ranking with ties by external id, profile groups, and the
 * day range actually present in the columns.
 */
#ifndef KT_REPORT_INT_H
#define KT_REPORT_INT_H
#include "analytics/report.h"

#include <stdatomic.h>

/* ---- periods ------------------------------------------------------------ */
/* The ordinal of the period holding DAY (at MINUTE for hours): hour 0..23,
 * weekday 0..6 (Monday 0), day: the day, week: weeks since the Monday
 * 1969-12-29, month: year * 12 + month - 1. Consecutive periods have
 * consecutive ordinals. */
int32_t kt_rper_ordinal(kt_rperiod p, int32_t day, unsigned minute);
/* First and last day of a calendar period (day, week, month). */
kt_day kt_rper_first(kt_rperiod p, int32_t ord);
kt_day kt_rper_last(kt_rperiod p, int32_t ord);
/* The column of a period: INT for hour and weekday, DAY for day and week, TEXT for month. */
kt_acol kt_rper_column(kt_rperiod p);
/* Write the period cell (weekday as 1..7). */
void kt_rper_cell(kt_aout *o, kt_rperiod p, int32_t ord);

/* ---- members per set: shared bitsets, set by many threads ------------------- */
typedef struct kt_rbits {
    size_t sets, words;       /* words per set */
    _Atomic uint64_t *w;
} kt_rbits;
/* KT_EUSAGE naming OPTION when sets x bits is above KT_REPORT_BITS_MAX. */
kt_rc kt_rbits_init(kt_rbits *b, size_t sets, size_t bits, const char *option, kt_err *err);
void kt_rbits_free(kt_rbits *b);
static inline void kt_rbits_set(kt_rbits *b, size_t set, uint32_t bit) {
    _Atomic uint64_t *p = &b->w[set * b->words + bit / 64];
    uint64_t m = (uint64_t)1 << (bit % 64);
    if (!(atomic_load_explicit(p, memory_order_relaxed) & m)) atomic_fetch_or_explicit(p, m, memory_order_relaxed);
}
/* The same for a set only one thread writes (no atomic read-modify-write). */
static inline void kt_rbits_set_own(kt_rbits *b, size_t set, uint32_t bit) {
    _Atomic uint64_t *p = &b->w[set * b->words + bit / 64];
    uint64_t m = (uint64_t)1 << (bit % 64), v = atomic_load_explicit(p, memory_order_relaxed);
    if (!(v & m)) atomic_store_explicit(p, v | m, memory_order_relaxed);
}
/* DST |= SRC (the same shape; no thread writes either). */
void kt_rbits_or(kt_rbits *dst, const kt_rbits *src);
uint64_t kt_rbits_count(const kt_rbits *b, size_t set);

/* ---- keyed rows that compact themselves (sort, then merge equal keys) ------ */
typedef struct kt_rkv { uint64_t key; int64_t a, b; } kt_rkv;
/* Merge Y into X (same key). */
typedef void (*kt_rkv_merge_fn)(kt_rkv *x, const kt_rkv *y);
typedef struct kt_rkvs {
    kt_rkv *v;
    size_t n, cap, compact_at;
    kt_rkv_merge_fn merge;
} kt_rkvs;
void kt_rkvs_init(kt_rkvs *s, kt_rkv_merge_fn merge);
void kt_rkvs_free(kt_rkvs *s);
/* Sort and merge equal keys. */
void kt_rkvs_compact(kt_rkvs *s);
static inline void kt_rkvs_push(kt_rkvs *s, uint64_t key, int64_t a, int64_t b) {
    if (s->n == s->cap) {
        if (s->n >= s->compact_at) {
            kt_rkvs_compact(s);
            /* still mostly distinct: let it grow before the next compaction */
            if (s->n > s->compact_at / 2) s->compact_at *= 2;
        }
        if (s->n == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 4096;
            s->v = kt_xrealloc(s->v, s->cap * sizeof *s->v);
        }
    }
    s->v[s->n++] = (kt_rkv){key, a, b};
}
/* Move every thread's rows into OUT (compacted); frees the sources. */
void kt_rkvs_gather(kt_rkvs *out, kt_rkvs *const *parts, int nparts);
/* Merge functions: sums; "first receipt or -1 for two or more" in b. */
void kt_rkv_sum(kt_rkv *x, const kt_rkv *y);
void kt_rkv_sum_distinct_b(kt_rkv *x, const kt_rkv *y);

/* ---- ranking -------------------------------------------------------------- */
typedef struct kt_rcand { uint32_t index; int64_t k1, k2; } kt_rcand;
/* Negative when X ranks before Y by key alone (names do not count). */
typedef int (*kt_rcand_cmp)(const kt_rcand *x, const kt_rcand *y);
/* Keep the TOP best of C[0..n) in rank order, ties by the member's external
 * id (top 0: all); returns how many are kept (at the start of C). */
size_t kt_rank_members(kt_actx *a, kt_rcand *c, size_t n, size_t top, kt_rcand_cmp cmp);

/* ---- profile groups ---------------------------------------------------------- */
#define KT_AGE_BANDS 7
extern const char *const kt_age_band_names[KT_AGE_BANDS];
/* Band of an age in years, or -1 when unknown. */
int kt_age_band(int age);
/* Full years on AS_OF of someone born on BIRTH (-1 when unknown). */
int kt_age_years(kt_day birth, kt_day as_of);

/* A group key of a member: one small number per grouping field (0 = unknown). */
typedef struct kt_rgrouper kt_rgrouper;
kt_rgrouper *kt_rgrouper_new(kt_actx *a, const kt_report_args *r);
void kt_rgrouper_free(kt_rgrouper *g);
/* False when the member fails --sex/--age. P may be NULL (unknown profile). */
bool kt_rgrouper_pass(const kt_rgrouper *g, const kt_actx_member *p);
/* The member's group: a dense index below kt_rgrouper_count (growing as new
 * region or city values appear). */
uint32_t kt_rgrouper_group(kt_rgrouper *g, const kt_actx_member *p);
size_t kt_rgrouper_count(const kt_rgrouper *g);
/* Column definitions of the grouping fields (ngroups of them) */
void kt_rgrouper_columns(const kt_rgrouper *g, kt_acol *cols);
/* Sort group ids into display order (each field ascending, unknown last). */
void kt_rgrouper_sort(const kt_rgrouper *g, uint32_t *groups, size_t n);
/* Write the grouping cells of a group. */
void kt_rgrouper_cells(const kt_rgrouper *g, kt_aout *o, uint32_t group);

/* ---- scans ------------------------------------------------------------------ */
/* Smallest and largest day of the receipts that pass F (KT_DAY_NONE both when none). */
kt_rc kt_report_day_range(kt_actx *a, const kt_afilter *f, int threads, kt_day *first, kt_day *last, kt_err *err);
/* Allocate per-thread states of SIZE bytes each (zeroed), as the scans want them. */
void **kt_report_states(int threads, size_t size);
void kt_report_states_free(void **s, int threads);
/* Store indexes ranked by code (rank[index]); free() it. */
uint32_t *kt_report_store_ranks(kt_actx *a);
/* Round half away from zero. */
int64_t kt_report_div_round(int64_t a, int64_t b);
/* A ratio, NaN when b is 0. */
static inline double kt_report_ratio(double a, double b) { return b != 0 ? a / b : __builtin_nan(""); }

#endif
