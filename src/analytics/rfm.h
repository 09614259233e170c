/*
 * rfm.h - A1: recency, frequency and monetary value per member, scored 1-5
 * and named by segment, from the receipt headers of the columnar store
 * (through the analysis context, actx.h, with its filters).
 *
 * Definitions (as of day D = the filter's `to`; receipts outside the filter's
 * day range or stores are left out):
 *   frequency      number of sale receipts (returns are not purchases)
 *   monetary       sum of sales minus returns, minor units
 *   max_receipt    the largest sale receipt
 *   avg_receipt    monetary / frequency, rounded half away from zero
 *   first, last    days of the first and the last sale receipt
 *   recency_days   D - last
 * Members with no sale receipt in the filter, and member 0 (no card), have no
 * row. Rows come in member index order (operational ids, then dictionary ids).
 *
 * Scores, by quintile (the default for each of R, F, M): members are ranked
 * from worst to best (longest recency first; fewest receipts first; least
 * money first); the member at 0-based rank i of n gets floor(5 i / n) + 1, and
 * members with equal values all get the score of the first of them in that
 * order (the lower break), so a tie never splits across two scores and ties
 * can leave a score empty.
 * Scores by configured thresholds (kt_rfm_config.breaks, four strictly
 * ascending values b1 < b2 < b3 < b4 per dimension):
 *   R  recency <= b1 -> 5, <= b2 -> 4, <= b3 -> 3, <= b4 -> 2, else 1
 *   F, M  value >= b4 -> 5, >= b3 -> 4, >= b2 -> 3, >= b1 -> 2, else 1
 * (b are days for R, receipts for F, minor units for M).
 * Segments: the first entry of the configured list whose R, F and M ranges
 * hold the member's scores; a list is accepted only when every one of the
 * 125 score triples matches some entry.
 *
 * Configuration (docs/analytics.md): a JSON document
 *   {"scores": {"recency_days": [b1,b2,b3,b4], "frequency": [...], "monetary": [...]},
 *    "segments": [{"name": "Champions", "r": [4,5], "f": [4,5], "m": [4,5]}, ...]}
 * every key optional (an absent score keeps quintiles, absent "segments" keeps
 * the built-in list, an absent range is 1..5); monetary breaks are decimal
 * units as a JSON number or string ("2500.50"). Errors are KT_EINVAL naming
 * the JSON path ("$.segments[2].r[1]").
 *
 * Borrows the analysis context; owns the result until kt_rfm_free and the
 * configuration until kt_rfm_config_free. Errors: those of the scan;
 * KT_EINVAL for an overflow of money; KT_ENOMEM.
 */
#ifndef KT_RFM_H
#define KT_RFM_H
#include "core/kt.h"
#include "analytics/actx.h"

/* A configured list holds at most this many segments (a list is read by people). */
#define KT_RFM_SEGMENTS_MAX 64
/* Bytes of a segment name, with its NUL. */
#define KT_RFM_SEGMENT_NAME_MAX 64

typedef struct kt_rfm_segment {
    const char *name;
    uint8_t r_min, r_max, f_min, f_max, m_min, m_max;
} kt_rfm_segment;

/* The built-in ordered list: Champions ... Lost (the default). */
extern const kt_rfm_segment kt_rfm_segments[];
extern const size_t kt_rfm_segment_count;

enum { KT_RFM_R, KT_RFM_F, KT_RFM_M };

typedef struct kt_rfm_config {
    const kt_rfm_segment *segments;  /* the built-in list or owned */
    size_t nsegments;
    bool has_breaks[3];              /* by KT_RFM_R/F/M: thresholds instead of quintiles */
    int64_t breaks[3][4];
    kt_rfm_segment *owned;           /* NULL for the built-in list */
    char *names;                     /* storage of owned names */
} kt_rfm_config;

/* The default: quintiles and the built-in list. */
void kt_rfm_config_default(kt_rfm_config *c);
/* Parse a JSON configuration (see above) over the defaults. */
kt_rc kt_rfm_config_parse(const char *json, size_t len, kt_rfm_config *out, kt_err *err);
/* Read and parse a file; KT_ENOTFOUND (no such file) or KT_EIO naming the path
 * when it cannot be read. */
kt_rc kt_rfm_config_load(const char *path, kt_rfm_config *out, kt_err *err);
void kt_rfm_config_free(kt_rfm_config *c);

typedef struct kt_rfm_row {
    uint32_t member;            /* member index (actx.h) */
    int32_t recency_days;
    uint32_t frequency;
    kt_money monetary, max_receipt, avg_receipt;
    kt_day first_day, last_day;
    uint8_t r, f, m;
    uint8_t segment;            /* index into the configuration's list */
} kt_rfm_row;

typedef struct kt_rfm_result {
    kt_rfm_row *rows;
    size_t n;
    kt_day as_of;
    uint64_t receipts_scanned;
    size_t memory_bytes;        /* accumulators of all threads */
    double seconds;
} kt_rfm_result;

/* THREADS is clamped to 1..KT_ACTX_THREADS_MAX. */
kt_rc kt_rfm_run(kt_actx *a, const kt_afilter *f, const kt_rfm_config *cfg, int threads, kt_rfm_result *out,
                 kt_err *err);
void kt_rfm_free(kt_rfm_result *r);

/* Quintile scores of n values (see above). higher_is_better false: small is good. */
void kt_rfm_score(const int64_t *values, size_t n, bool higher_is_better, uint8_t *scores);
/* Threshold scores of n values (see above). */
void kt_rfm_score_breaks(const int64_t *values, size_t n, const int64_t breaks[4], bool higher_is_better,
                         uint8_t *scores);
/* Index of the first segment of CFG that holds (r, f, m). */
uint8_t kt_rfm_segment_of(const kt_rfm_config *cfg, uint8_t r, uint8_t f, uint8_t m);

/* Segment sizes: members and monetary per segment of CFG (arrays of
 * cfg->nsegments, zeroed first). Returns false when a sum overflows. */
bool kt_rfm_sizes(const kt_rfm_result *r, const kt_rfm_config *cfg, uint64_t *members, kt_money *monetary);
/* Migration between two results of the same configuration: COUNTS is an
 * (nsegments + 1) x (nsegments + 1) matrix, row = segment at FROM, column =
 * segment at TO, index nsegments = "(none)" (the member has no row there).
 * Both results must be in member index order (as kt_rfm_run gives them). */
void kt_rfm_migration(const kt_rfm_result *from, const kt_rfm_result *to, size_t nsegments, uint64_t *counts);

#endif
