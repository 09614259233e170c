/*
 * interval.h - A7: days between repeat purchases of a product (a SKU or a
 * category) and the share of its buyers who bought it again.
 *
 * Definitions, over the members' histories (history.h: card holders' sale
 * lines in the filter, as of the as-of day):
 *   purchase days   the distinct days on which the member bought the item
 *                   (two receipts on one day are one purchase day)
 *   buyers          members with at least one purchase day of the item
 *   repeat_buyers   members with at least two
 *   repeat_share    repeat_buyers / buyers
 *   intervals       every difference between a member's consecutive purchase
 *                   days of the item, over all its buyers (n - 1 per buyer
 *                   with n days), each at least 1
 *   mean_days       sum of the intervals / their number, rounded to
 *                   hundredths half up (exactly, from the integer sum)
 *   median_days     their median (history.h: type 7; the mean of the two
 *                   middle values for an even number); q1_days and q3_days
 *                   the quartiles the same way
 * Items without an interval have NaN mean, median and quartiles.
 * Rows: items with at least one buyer, by buyers descending, then item index
 * ascending (the caller sorts by name).
 *
 * Memory: 8 bytes per (member, item, day) of the history while sorting, plus
 * 8 per interval. Borrows the history; owns the result until kt_interval_free.
 */
#ifndef KT_INTERVAL_H
#define KT_INTERVAL_H
#include "analytics/history.h"

typedef struct kt_interval_row {
    uint32_t item;
    uint32_t buyers, repeat_buyers;
    uint64_t intervals;
    double repeat_share, mean_days, median_days, q1_days, q3_days;
} kt_interval_row;

typedef struct kt_interval_result {
    kt_interval_row *rows;
    size_t n;
    size_t memory_bytes;
} kt_interval_result;

void kt_interval_run(const kt_history *h, kt_interval_result *out);
void kt_interval_free(kt_interval_result *r);

/* The member's distinct (item, day) purchases in (item, day) order, as
 * item << 32 | (day + 2^31); returns how many. SCRATCH grows as needed
 * (*cap entries). Shared by interval and rfmp. */
size_t kt_interval_member_days(const kt_history *h, size_t member, uint64_t **scratch, size_t *cap);
static inline uint32_t kt_interval_key_item(uint64_t k) { return (uint32_t)(k >> 32); }
static inline int32_t kt_interval_key_day(uint64_t k) { return (int32_t)((uint32_t)k ^ 0x80000000u); }

#endif
