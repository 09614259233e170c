/*
 * ledger.h - the points ledger: lots, double-entry movements, expiry, checks.
 *
 * Invariant: a member's balance = the sum of the member's entries = the sum
 * of the open lot remainders minus the member's debt (debt only after a
 * movement that allowed a negative balance; while in debt the member has no
 * open lots, and the next accrual pays the debt first). Every movement is one
 * append-only transaction whose entries sum to zero: member entries against a
 * counter-account (program, partner:NAME, supplier:NAME, redemption, expiry,
 * opening, correction). Corrections are new transactions, never edits.
 *
 * Every function here runs inside the caller's store transaction
 * (kt_store_begin ... kt_store_commit) so that a checkout's accrual,
 * redemption and receipt land together or not at all. Operating errors
 * (unknown member, not enough points) are returned; a broken invariant aborts.
 */
#ifndef KT_LEDGER_H
#define KT_LEDGER_H
#include "core/kt.h"
#include "store/store.h"

typedef enum kt_txn_kind {
    KT_TXN_ACCRUAL, KT_TXN_REDEMPTION, KT_TXN_REFUND, KT_TXN_EXPIRY,
    KT_TXN_MERGE, KT_TXN_OPENING, KT_TXN_CORRECTION,
} kt_txn_kind;
const char *kt_txn_kind_name(kt_txn_kind k);

/* Who and why: every movement names its actor (a staff login, "pos:STORE",
 * "import", "system:expire") and may carry a receipt ("STORE/RECEIPT"), the
 * rule behind it and a free-text reason. */
typedef struct kt_movement {
    kt_txn_kind kind;
    kt_time at;
    kt_day day;             /* local calendar day of the movement */
    const char *actor;
    const char *receipt;    /* or NULL */
    const char *rule;       /* or NULL */
    const char *reason;     /* or NULL */
} kt_movement;

/* Counter-account id by code ("program", "partner:Shell", "supplier:Danone",
 * "redemption", "expiry", "opening", "correction"); partner and supplier
 * accounts are created on first use. */
kt_rc kt_ledger_account(kt_store *st, const char *code, int64_t *out_id, kt_err *err);

/* Credit `points` (> 0) to a member: pays any debt first, the rest becomes a
 * lot earned on mv->day, spendable from available_day, burning on expires_day
 * (KT_DAY_NONE: never). funder is a counter-account code. OUT: txn id. */
kt_rc kt_ledger_credit(kt_store *st, const kt_movement *mv, kt_member_id member, kt_points points,
                       const char *funder, kt_day available_day, kt_day expires_day,
                       int64_t *out_txn, kt_err *err);

/* One credit of several to the same member at once (kt_ledger_credits). */
typedef struct kt_credit {
    const char *funder;     /* counter-account code */
    kt_points points;       /* > 0 */
    kt_day available_day, expires_day;
} kt_credit;

/* n credits to one member in one movement's name, each as kt_ledger_credit
 * would write it (its own transaction and lot, in order, debt repaid first),
 * with the member's balance moved once. OUT: out_txns[i] (may be NULL). */
kt_rc kt_ledger_credits(kt_store *st, const kt_movement *mv, kt_member_id member, const kt_credit *credits, size_t n,
                        int64_t *out_txns, kt_err *err);

/* An opening balance (KT_TXN_OPENING in mv) of a member created in the
 * caller's transaction and only credited since, so never in debt: the rows
 * kt_ledger_credit would write (its transaction, a lot spendable from
 * mv->day, the two entries, the balance moved), without reading the balance
 * first or checking the member after. funder_id is the counter-account's id
 * (kt_ledger_account). The caller checks every member it opened this way, at
 * once, with kt_ledger_check_members before it commits. For a bulk import. */
kt_rc kt_ledger_open_new(kt_store *st, const kt_movement *mv, kt_member_id member, int64_t funder_id, kt_points points,
                         kt_day expires_day, kt_err *err);

/* The member invariant (see the top of this file) checked for the members
 * with ids from..to in one statement; a broken invariant aborts, as after
 * every other movement. */
kt_rc kt_ledger_check_members(kt_store *st, kt_member_id from, kt_member_id to, kt_err *err);

/* Spend `points` (> 0) of a member's available, unexpired lots, soonest expiry
 * first, against counter-account `counter` ("redemption" for a purchase).
 * KT_ENOFUNDS, changing nothing, when the available balance is short. */
kt_rc kt_ledger_spend(kt_store *st, const kt_movement *mv, kt_member_id member, kt_points points,
                      const char *counter, int64_t *out_txn, kt_err *err);

/* Take back `points` (> 0): consumes open lots (pending ones too), and when
 * allow_negative is set the shortfall becomes debt (a negative balance);
 * otherwise a shortfall is KT_ENOFUNDS and nothing changes. The counter-account
 * receives the points (the funder, for a refund reversal; "correction"). */
kt_rc kt_ledger_debit(kt_store *st, const kt_movement *mv, kt_member_id member, kt_points points,
                      const char *counter, bool allow_negative, int64_t *out_txn, kt_err *err);

/* Burn every lot whose expiry day is on or before `day`: one transaction per
 * member, against "expiry". Running it again changes nothing. */
kt_rc kt_ledger_expire(kt_store *st, kt_day day, kt_time at, const char *actor,
                       int64_t *out_lots, kt_points *out_points, int64_t *out_members, kt_err *err);

/* Move all of `from`'s open lots (with their dates) and any debt to `to`. */
kt_rc kt_ledger_transfer_all(kt_store *st, const kt_movement *mv, kt_member_id from, kt_member_id to,
                             kt_points *out_moved, kt_err *err);

typedef struct kt_balance {
    kt_points balance;      /* the sum of the member's entries (may be < 0) */
    kt_points available;    /* spendable on `day` */
    kt_points pending;      /* in lots not yet spendable */
    kt_points expiring;     /* in lots burning within `expiring_days` of day */
    kt_day next_expiry;     /* earliest expiry among open lots, or KT_DAY_NONE */
} kt_balance;
kt_rc kt_ledger_balance(kt_store *st, kt_member_id member, kt_day day, int expiring_days,
                        kt_balance *out, kt_err *err);

/* `karta check`: verify every ledger and membership invariant over the whole
 * store. Calls report() once per violation; *out_violations counts them. */
typedef void (*kt_check_report)(void *ctx, const char *what);
kt_rc kt_ledger_check(kt_store *st, kt_check_report report, void *ctx, int64_t *out_violations, kt_err *err);

#endif
