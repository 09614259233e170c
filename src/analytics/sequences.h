/*
 * sequences.h - A8: rules "X, then Y within W days" over members' histories.
 *
 * Definitions (history.h: card holders' sale lines in the filter up to the
 * as-of day D; items at the history's level; receipts ordered by (day,
 * minute, receipt id)):
 *   N              members with at least one purchase (the history's active)
 *   occurrence     a member bought Y in a receipt strictly after a receipt
 *                  holding X (never the same receipt), Y != X, and the day
 *                  of that receipt is at most W days after X's day (0..W;
 *                  a later receipt of the same day counts, gap 0)
 *   members        members with at least one occurrence of X then Y; each
 *                  member counts once, however often it happened
 *   support        members / N
 *   first occurrence  of a member: the earliest receipt holding X that is
 *                  followed by a Y within W days, and the earliest such Y;
 *                  gap = its day minus X's day
 *   x_members      members with a purchase of X on a day <= D - W (so that
 *                  the whole window after it is observed): the confidence's
 *                  denominator
 *   x_then_y       members whose first occurrence starts on a day <= D - W
 *                  (equivalently: some X purchase on a day <= D - W is
 *                  followed by Y within W days)
 *   confidence     x_then_y / x_members (NaN when x_members is 0)
 *   lift           confidence / (y_members / N), y_members the members who
 *                  bought Y at all
 *   gap_q1, gap_median, gap_q3   quantiles (type 7, history.h) of the
 *                  members' first-occurrence gaps
 * Kept rules: support >= min_support and confidence >= min_confidence (a
 * NaN confidence is never kept) and members >= 1. Only items bought by at
 * least min_support x N members can take part (the rule's members are a
 * subset of X's and of Y's buyers), which prunes the pairs counted.
 * Rows by members descending, then x, then y (item index; the caller
 * re-sorts ties by name).
 *
 * Memory: per item 3 counters; one hash entry (24 bytes) per distinct pair
 * of frequent items seen in a window, capped at KT_SEQUENCES_PAIRS_MAX (a
 * KT_ENOMEM naming --min-support past it); 4 bytes per first-occurrence gap
 * of a kept rule. Counting is one pass over the histories, gaps a second.
 */
#ifndef KT_SEQUENCES_H
#define KT_SEQUENCES_H
#include "analytics/history.h"

/* Distinct (X, Y) pairs counted: 2^26 entries are 1.5 GB. */
#define KT_SEQUENCES_PAIRS_MAX (1u << 26)

typedef struct kt_sequences_opts {
    int window_days;          /* W, 0..3650 */
    kt_day as_of;             /* D */
    double min_support, min_confidence;
} kt_sequences_opts;

typedef struct kt_sequence_rule {
    uint32_t x, y;            /* items */
    uint32_t members, x_members, x_then_y, y_members;
    double support, confidence, lift;
    double gap_q1, gap_median, gap_q3;
} kt_sequence_rule;

typedef struct kt_sequences_result {
    kt_sequence_rule *rules;
    size_t n;
    size_t members;           /* N */
    size_t pairs_counted;
    size_t memory_bytes;
} kt_sequences_result;

kt_rc kt_sequences_run(const kt_history *h, const kt_sequences_opts *o, kt_sequences_result *out, kt_err *err);
void kt_sequences_free(kt_sequences_result *r);

#endif
