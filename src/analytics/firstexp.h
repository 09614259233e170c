/*
 * firstexp.h - A9 first experience: which items in members' first receipts
 * go with still being active M months later.
 *
 * Definitions (history.h: card holders' sale lines in the filter up to the
 * as-of day D, items at the history's level):
 *   first receipt  the member's earliest receipt in (day, minute, receipt id)
 *                  order; f its day; its items are those of its kept lines
 *   cohort(M)      members with f + M months <= D (calendar months, the day
 *                  of the month clamped: 2026-01-31 + 1 month = 2026-02-28),
 *                  i.e. whose first receipt is at least M months before D
 *   active after M months   the member has a purchase on a day on or after
 *                  f + M months (and on or before D)
 *   members_with   cohort members whose first receipt holds the item;
 *                  retained_with those of them active after M months;
 *                  retention_with = retained_with / members_with
 *   members_without, retained_without, retention_without  the same for the
 *                  rest of the cohort (NaN retention when there is none)
 *   lift           retention_with / retention_without (NaN when
 *                  retention_without is 0 or NaN)
 * Rows: each M, each item with members_with >= min_members; by M ascending,
 * then lift descending (NaN last), then members_with descending, then item
 * index (the caller breaks ties by name).
 *
 * Memory: 8 bytes per item per M; the rows.
 */
#ifndef KT_FIRSTEXP_H
#define KT_FIRSTEXP_H
#include "analytics/history.h"

#define KT_FIRSTEXP_MONTHS_MAX 8   /* values in --months */

typedef struct kt_firstexp_opts {
    kt_day as_of;
    int months[KT_FIRSTEXP_MONTHS_MAX];
    size_t nmonths;
    uint32_t min_members;          /* >= 1 */
} kt_firstexp_opts;

typedef struct kt_firstexp_row {
    int months;
    uint32_t item;
    uint32_t members_with, retained_with, members_without, retained_without;
    double retention_with, retention_without, lift;
} kt_firstexp_row;

typedef struct kt_firstexp_result {
    kt_firstexp_row *rows;
    size_t n;
    uint32_t cohort[KT_FIRSTEXP_MONTHS_MAX], retained[KT_FIRSTEXP_MONTHS_MAX];
    size_t memory_bytes;
} kt_firstexp_result;

void kt_firstexp_run(const kt_history *h, const kt_firstexp_opts *o, kt_firstexp_result *out);
void kt_firstexp_free(kt_firstexp_result *r);

#endif
