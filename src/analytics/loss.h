/*
 * loss.h - A11 what members stand to lose: points about to expire, personal
 * offers not used, program benefits not taken. Read from the operational
 * store (ledger lots, offers, receipt earnings, the active rules, member
 * profiles through the analysis context), never written.
 *
 * Definitions (as of day D, horizon N days):
 *   expiring_points  the remainders of open lots whose last valid day
 *                    (lots.expires_day) is in [D, D + N], pending lots too:
 *                    what `karta points balance` calls expiring within N
 *                    days; lots already past their last day (burnt at the
 *                    next expiry run) are not counted. next_expiry: the
 *                    earliest such day
 *   offers_open      personal offers valid on D (valid_from <= D <= valid_to)
 *                    with uses left (uses < uses_max); offers_ending: those
 *                    of them whose last day is on or before D + N;
 *                    offer_uses_left: the uses left on the open offers
 *   no_favourite     1 when the member has not chosen a favourite category
 *                    (so a favourite-category rule cannot pay), else 0
 *   birthday_bonus   the member's last birthday window under the active
 *                    rules (program.birthday: window_days_before/after and
 *                    feb29) is the latest window that starts on or before D.
 *                    "used": the member earned points by a birthday rule
 *                    (a rule whose "when" has "birthday": true) on a day in
 *                    it; "open": not used and the window has not ended
 *                    (end >= D); "missed": not used and it ended; absent
 *                    (null) when the member's birth date is unknown, the
 *                    active rules have no birthday rule (or there are no
 *                    active rules), or the member registered after the
 *                    window ended
 * Rows: active members of the operational store with something at stake:
 * expiring_points > 0, offers_open > 0, no_favourite, or birthday_bonus
 * "open" or "missed"; by expiring_points descending, then the caller's name
 * order. Without an operational store: no rows.
 * Memory: one row per member listed, plus the active rules document.
 */
#ifndef KT_LOSS_H
#define KT_LOSS_H
#include "analytics/actx.h"

typedef enum { KT_BDAY_NONE, KT_BDAY_USED, KT_BDAY_OPEN, KT_BDAY_MISSED } kt_bday_status;
extern const char *const kt_bday_status_names[4]; /* NULL, "used", "open", "missed" */

typedef struct kt_loss_row {
    uint32_t member;          /* member index (= operational id) */
    kt_points expiring_points;
    kt_day next_expiry;       /* KT_DAY_NONE if nothing expires */
    uint32_t offers_open, offers_ending;
    int64_t offer_uses_left;
    bool no_favourite;
    kt_bday_status birthday;
    kt_day birthday_window_end; /* of the window judged; KT_DAY_NONE with KT_BDAY_NONE */
} kt_loss_row;

typedef struct kt_loss_result {
    kt_loss_row *rows;
    size_t n;
    int birthday_rules;       /* birthday rules in the active rules */
} kt_loss_result;

typedef struct kt_loss_opts {
    kt_day as_of;
    int days;                 /* N, 0..3650 */
} kt_loss_opts;

kt_rc kt_loss_run(kt_actx *a, const kt_loss_opts *o, kt_loss_result *out, kt_err *err);
void kt_loss_free(kt_loss_result *r);

#endif
