/*
 * lifecycle.h - A2: members by stage of their life with the chain (regular,
 * promising, new, lapsed), by number of purchases and budget, from the
 * receipt headers of the columnar store (through actx.h, with its filters).
 *
 * Definitions (as of day D = the filter's `to`; receipts outside the filter's
 * days or stores are left out; member 0 is left out):
 *   first, last   days of the member's first and last sale receipt
 *   receipts      sale receipts in the window: days D - window_days + 1 .. D
 *   monetary      sales minus returns in the window, minor units
 * A member has a row when it has at least one sale receipt in the filter.
 * Stage, the first that holds:
 *   lapsed     D - last >= lapsed_days    (no purchase in the last lapsed_days days)
 *   new        D - first < new_days       (first purchase within the last new_days days)
 *   regular    receipts >= regular_receipts and monetary >= regular_budget
 *   promising  every other member (active, not new, below the regular bar)
 * "first" is the first purchase the filter lets through: with --from it is the
 * first on or after that day.
 *
 * Borrows the context; owns the result until kt_lifecycle_free. Errors: those
 * of the scan; KT_EINVAL for an overflow of money.
 */
#ifndef KT_LIFECYCLE_H
#define KT_LIFECYCLE_H
#include "analytics/actx.h"

typedef enum { KT_STAGE_REGULAR, KT_STAGE_PROMISING, KT_STAGE_NEW, KT_STAGE_LAPSED, KT_STAGE_COUNT_ } kt_stage;

/* "regular", "promising", "new", "lapsed". */
extern const char *const kt_stage_names[KT_STAGE_COUNT_];
/* The default action of each stage (a sentence for the marketing team). */
extern const char *const kt_stage_actions[KT_STAGE_COUNT_];

typedef struct kt_lifecycle_opts {
    int32_t new_days;          /* default 30 */
    int32_t lapsed_days;       /* default 90 */
    int32_t window_days;       /* default 90 */
    int64_t regular_receipts;  /* default 4 */
    kt_money regular_budget;   /* default 2000.00 (200000 minor units) */
} kt_lifecycle_opts;

#define KT_LIFECYCLE_DEFAULTS {30, 90, 90, 4, 200000}

typedef struct kt_lifecycle_row {
    uint32_t member;           /* member index (actx.h) */
    kt_stage stage;
    uint32_t receipts;         /* in the window */
    kt_money monetary;         /* in the window */
    kt_day first_day, last_day;
} kt_lifecycle_row;

typedef struct kt_lifecycle_result {
    kt_lifecycle_row *rows;    /* member index order */
    size_t n;
    size_t memory_bytes;
} kt_lifecycle_result;

kt_rc kt_lifecycle_run(kt_actx *a, const kt_afilter *f, const kt_lifecycle_opts *o, int threads,
                       kt_lifecycle_result *out, kt_err *err);
void kt_lifecycle_free(kt_lifecycle_result *r);

#endif
