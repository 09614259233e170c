/*
 * rfm.h - A1: recency, frequency and monetary value per member, scored 1-5
 * and named by segment, from the receipt headers of the columnar store.
 *
 * Definitions (as of day D; receipts after D are left out):
 *   frequency      number of sale receipts (returns are not purchases)
 *   monetary       sum of sales minus returns, minor units
 *   max_receipt    the largest sale receipt
 *   avg_receipt    monetary / frequency, rounded half away from zero
 *   first, last    days of the first and the last sale receipt
 *   recency_days   D - last
 * Members with no sale receipt by D, and member 0 (no card), have no row.
 * Scores: members are ranked from worst to best (longest recency first;
 * fewest receipts first; least money first); the member at 0-based rank i of
 * n gets floor(5 i / n) + 1, and members with equal values all get the score
 * of the first of them in that order (the lower break), so a tie never splits
 * across two scores and ties can leave a score empty.
 * Segments: the first entry of kt_rfm_segments whose R, F and M ranges hold
 * the member's scores; the last entry holds every score, so all match.
 *
 * Borrows the kt_cols it scans; owns the result until kt_rfm_free.
 * Errors: those of kt_cols_map_receipts; KT_EINVAL for an overflow of money.
 */
#ifndef KT_RFM_H
#define KT_RFM_H
#include "core/kt.h"

struct kt_cols;

#define KT_RFM_THREADS_MAX 64

typedef struct kt_rfm_segment {
    const char *name;
    uint8_t r_min, r_max, f_min, f_max, m_min, m_max;
} kt_rfm_segment;

/* The default ordered list: Champions ... Lost. */
extern const kt_rfm_segment kt_rfm_segments[];
extern const size_t kt_rfm_segment_count;

typedef struct kt_rfm_row {
    uint32_t member;            /* columnar member id (cols.h) */
    int32_t recency_days;
    uint32_t frequency;
    kt_money monetary, max_receipt, avg_receipt;
    kt_day first_day, last_day;
    uint8_t r, f, m;
    uint8_t segment;            /* index into kt_rfm_segments */
} kt_rfm_row;

typedef struct kt_rfm_opts {
    kt_day as_of;               /* KT_DAY_NONE: the last day with a receipt */
    int threads;                /* 1..KT_RFM_THREADS_MAX */
} kt_rfm_opts;

typedef struct kt_rfm_result {
    kt_rfm_row *rows;           /* by member id: operational ids first, then dictionary ids */
    size_t n;
    kt_day as_of;
    uint64_t receipts_scanned;
    size_t memory_bytes;        /* accumulators of all threads */
    double seconds;
} kt_rfm_result;

kt_rc kt_rfm_run(struct kt_cols *c, const kt_rfm_opts *o, kt_rfm_result *out, kt_err *err);
void kt_rfm_free(kt_rfm_result *r);

/* Quintile scores of n values (see above). higher_is_better false: small is good. */
void kt_rfm_score(const int64_t *values, size_t n, bool higher_is_better, uint8_t *scores);
/* Index of the first segment that holds (r, f, m). */
uint8_t kt_rfm_segment_of(uint8_t r, uint8_t f, uint8_t m);

#endif
