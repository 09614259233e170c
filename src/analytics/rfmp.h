/*
 * rfmp.h - A6 member x product: whether and when a member bought a product
 * (a SKU or a category), the member's own rhythm against the product's loyal
 * buyers', whether the member is overdue on it, and substitute purchases.
 *
 * Definitions (history.h: card holders' sale lines in the filter up to the
 * as-of day D):
 *   days_bought     distinct days the member bought the item (>= 1 for a row)
 *   first, last     the first and the last of those days
 *   days_since_last D - last
 *   own_interval    (last - first) / (days_bought - 1): the mean days between
 *                   the member's consecutive purchase days; NaN for one day
 *   loyal buyers    of an item: members with days_bought >= loyal_days
 *                   (default 3, so at least two intervals of their own)
 *   loyal_interval  the median (type 7, history.h) of the loyal buyers'
 *                   own_interval; NaN without loyal buyers
 *   expected        own_interval when days_bought >= 2, else loyal_interval
 *   lapsed          1 when expected > 0 and days_since_last > factor x
 *                   expected (default factor 1.5), else 0
 *   substitute group  of a SKU: its group at the substitute level (default
 *                   the SKU's own, lowest, category; or top, brand); of a
 *                   category: its parent category; none: no substitutes
 *   substitute_days distinct days after last on which the member bought
 *                   another item of the same substitute group (NaN-free: 0
 *                   when none; -1 when the item has no group)
 * Borrows the history and the context; owns the prepared tables until
 * kt_rfmp_free. Memory: 8 bytes per item + 8 per loyal (member, item) pair;
 * per member scratch sized by its history.
 */
#ifndef KT_RFMP_H
#define KT_RFMP_H
#include "analytics/history.h"

typedef enum { KT_RFMP_SUB_NONE, KT_RFMP_SUB_CATEGORY, KT_RFMP_SUB_TOP, KT_RFMP_SUB_BRAND } kt_rfmp_sub;

typedef struct kt_rfmp_opts {
    kt_day as_of;
    double factor;            /* > 0 */
    uint32_t loyal_days;      /* >= 2 */
    kt_rfmp_sub substitutes;
} kt_rfmp_opts;

typedef struct kt_rfmp_row {
    uint32_t item;
    uint32_t days_bought;
    kt_day first, last;
    int32_t days_since_last;
    double own_interval, loyal_interval, expected;
    bool lapsed;
    int32_t substitute_days;  /* -1: the item has no substitute group */
} kt_rfmp_row;

typedef struct kt_rfmp kt_rfmp;

/* Prepare: the loyal intervals of every item over all members. KT_EUSAGE
 * naming --substitutes for brand substitutes of categories. */
kt_rc kt_rfmp_prepare(kt_actx *a, const kt_history *h, const kt_rfmp_opts *o, kt_rfmp **out, kt_err *err);
/* The rows of one member in item order; *n rows, valid until the next call. */
const kt_rfmp_row *kt_rfmp_member(kt_rfmp *p, size_t member, size_t *n);
size_t kt_rfmp_memory(const kt_rfmp *p);
void kt_rfmp_free(kt_rfmp *p);

#endif
