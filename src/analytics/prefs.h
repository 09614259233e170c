/*
 * prefs.h - A4 preferences: each member's top categories and brands by share
 * of spend, and preferred weekday, hour band and store by share of visits,
 * from the columnar store through actx.h with its filters.
 *
 * Definitions (over the filter's days and stores; member 0 is left out):
 *   spend         a member's line amounts, sales minus returns, minor units;
 *                 the member's total spend counts every line, also those of
 *                 products without a category or brand
 *   top groups    the groups (categories at the chosen level, brands) with a
 *                 positive spend, by spend descending, ties by code (brand
 *                 name) ascending bytewise, the first top_n of them; share =
 *                 group spend / total spend (none when the total is not positive)
 *   visits        the member's sale receipts (returns are not visits)
 *   weekday       the weekday with the most visits, ties to the earlier day
 *                 (Monday first); share = its visits / visits
 *   hour band     the band (kt_prefs_bands) of the receipt's local minute with
 *                 the most visits, ties to the earlier band
 *   store         the store with the most visits, ties by store code ascending
 * A member has a row when it has a sale receipt in the filter.
 *
 * Memory: per thread 13 counters of 4 bytes per member plus hash maps of the
 * (member, group) and (member, store) pairs that occur.
 * Borrows the context; owns the result until kt_prefs_free.
 */
#ifndef KT_PREFS_H
#define KT_PREFS_H
#include "analytics/actx.h"

/* Top groups kept per member at most. */
#define KT_PREFS_TOP_MAX 20
#define KT_PREFS_BANDS 6

typedef struct kt_prefs_band { const char *name; uint16_t from_minute, to_minute; /* [from, to) */ } kt_prefs_band;
/* night 00-06, morning 06-11, midday 11-14, afternoon 14-17, evening 17-21, late 21-24 */
extern const kt_prefs_band kt_prefs_bands[KT_PREFS_BANDS];
/* "Mon" ... "Sun" */
extern const char *const kt_prefs_weekdays[7];

typedef struct kt_prefs_opts {
    kt_alevel category_level;  /* KT_ALEVEL_CATEGORY or KT_ALEVEL_TOP */
    int top_n;                 /* 1..KT_PREFS_TOP_MAX */
    uint32_t member;           /* one member index, or KT_ACTX_NONE for all */
} kt_prefs_opts;

typedef struct kt_prefs_share { uint32_t group; double share; } kt_prefs_share;

typedef struct kt_prefs_row {
    uint32_t member;           /* member index */
    kt_money spend;
    uint32_t visits;
    uint8_t ncats, nbrands;
    kt_prefs_share *cats, *brands; /* ncats, nbrands entries in the result's storage */
    uint8_t weekday;           /* 0 = Monday */
    uint8_t band;              /* index into kt_prefs_bands */
    uint32_t store;            /* store index */
    double weekday_share, band_share, store_share;
} kt_prefs_row;

typedef struct kt_prefs_result {
    kt_prefs_row *rows;        /* member index order */
    size_t n;
    kt_prefs_share *shares;    /* storage: 2 x top_n per row */
    size_t memory_bytes;
} kt_prefs_result;

kt_rc kt_prefs_run(kt_actx *a, const kt_afilter *f, const kt_prefs_opts *o, int threads, kt_prefs_result *out,
                   kt_err *err);
void kt_prefs_free(kt_prefs_result *r);
/* The band of a minute of the day. */
int kt_prefs_band_of(unsigned minute);

#endif
