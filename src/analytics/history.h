/*
 * history.h - members' purchase histories for the behavioural analyses
 * (sequences, interval, first-experience, rfmp, assortment): every member's
 * sale lines as one compact event list in time order.
 *
 * The line columns are not sorted by member, so the lists are built by a
 * counting sort over two parallel scans of the lines:
 *   1. count the kept lines of each member (one counter array per thread,
 *      summed) and turn the counts into offsets;
 *   2. scan again and write each kept line at its member's next free slot
 *      (an atomic cursor per member);
 * then each member's slice is sorted by (day, minute, receipt, item) and
 * lines of the same receipt and item are merged into one event.
 *
 * Kept lines: member index != 0 (a card), qty_milli > 0 (a sale: return lines
 * are left out, a returned purchase still counts as bought), the filter's day
 * range and stores, and a product with a group at the chosen level (a SKU of
 * no known category or brand is left out at those levels).
 *
 * Memory: 16 bytes per kept line (24 with amounts) + 8 bytes per member
 * index for the offsets + 8 for the cursors while building + 4 per member
 * index per thread for the counts while building. 10M lines and 1M members:
 * about 190 MB at the peak, 170 MB kept.
 *
 * Owns the lists until kt_history_free; uses the context only while building
 * (items are group indexes the caller names through the context).
 * Errors: those of the scans; KT_ENOMEM when more than KT_HISTORY_EVENTS_MAX
 * lines are kept.
 */
#ifndef KT_HISTORY_H
#define KT_HISTORY_H
#include "analytics/actx.h"

/* Events in one history: 2^32 - 1 (offsets are 64-bit, but a member's
 * position and counts are 32-bit; 4G lines are 64 GB of events anyway). */
#define KT_HISTORY_EVENTS_MAX UINT32_MAX

typedef struct kt_hevent {
    int32_t day;        /* local calendar day */
    uint32_t receipt;   /* columnar receipt id */
    uint32_t item;      /* group at the history's level (kt_actx_sku_group) */
    uint16_t minute;    /* local minute of the day */
    uint16_t reserved;
} kt_hevent;
_Static_assert(sizeof(kt_hevent) == 16, "an event is 16 bytes");

typedef struct kt_history_opts {
    kt_alevel level;
    bool with_amount;   /* keep the summed line amounts of each event */
    int threads;        /* 1..KT_ACTX_THREADS_MAX */
} kt_history_opts;

typedef struct kt_history {
    kt_alevel level;
    size_t members;     /* member indexes 0..members-1 (kt_actx_count) */
    size_t items;       /* groups at the level (kt_actx_group_count) */
    uint64_t *start;    /* members + 1 offsets: member m's events are ev[start[m] .. start[m+1]) */
    kt_hevent *ev;      /* per member in (day, minute, receipt, item) order, (receipt, item) unique */
    int64_t *amount;    /* with_amount: minor units per event, else NULL */
    size_t nevents;
    size_t active;      /* members with at least one event */
    uint64_t lines_scanned;
    size_t memory_bytes;/* at the peak of the build */
} kt_history;

/* Build the histories. The context must have its products loaded
 * (kt_actx_load_products) before the call. */
kt_rc kt_history_build(kt_actx *a, const kt_afilter *f, const kt_history_opts *o, kt_history *out, kt_err *err);
void kt_history_free(kt_history *h);

static inline size_t kt_history_len(const kt_history *h, size_t member) {
    return (size_t)(h->start[member + 1] - h->start[member]);
}

/* Quantile P (0..1) of N sorted values by linear interpolation between order
 * statistics (Hyndman-Fan type 7, R's and NumPy's default): with h = (n-1) p,
 * x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]) over 0-based x.
 * The median is p = 0.5 (the mean of the two middle values for even n).
 * NaN for n = 0. */
double kt_hquantile_i32(const int32_t *sorted, size_t n, double p);
double kt_hquantile_f64(const double *sorted, size_t n, double p);
/* Sort helpers (ascending). */
void kt_hsort_i32(int32_t *v, size_t n);
void kt_hsort_f64(double *v, size_t n);
/* LSD radix sort (16-bit digits, digits all keys share are skipped); uses n
 * more keys of scratch memory. */
void kt_hsort_u64(uint64_t *v, size_t n);

/* Parse a day count: "90", "90d" -> 90, within [min, max]; KT_EUSAGE naming OPTION. */
kt_rc kt_hparse_days(const char *s, const char *option, int64_t min, int64_t max, int64_t *out, kt_err *err);

/* Day + MONTHS calendar months, the day of the month clamped to the month's
 * length (2026-01-31 + 1 month = 2026-02-28). */
kt_day kt_hadd_months(kt_day day, int months);

#endif
