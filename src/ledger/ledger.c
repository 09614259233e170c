/*
 * ledger.c - lots and double-entry movements (ledger.h).
 *
 * Every public operation opens one ledger transaction row, writes member
 * entries (on lots, or without a lot for debt) and one counter-account entry
 * so that the transaction sums to zero, updates the lots' remainders and the
 * member's cached balance, and asserts the member invariant before returning.
 */
#include "ledger.h"

#include <stdlib.h>
#include <string.h>

#define KT_LEDGER_LOTS_MAX 100000      /* open lots of one member; beyond this something is wrong */
#define KT_EXPIRE_BATCH 20000          /* lots read per expiry batch */

static const char *const kind_names[] = {
    [KT_TXN_ACCRUAL] = "accrual", [KT_TXN_REDEMPTION] = "redemption", [KT_TXN_REFUND] = "refund",
    [KT_TXN_EXPIRY] = "expiry", [KT_TXN_MERGE] = "merge", [KT_TXN_OPENING] = "opening",
    [KT_TXN_CORRECTION] = "correction",
};

const char *kt_txn_kind_name(kt_txn_kind k) { return kind_names[k]; }

typedef struct lot {
    int64_t id;
    kt_points remaining;
    kt_day earned_day, available_day, expires_day; /* expires_day KT_DAY_NONE: never */
    int64_t funder_id;
} lot;

typedef struct lot_vec { lot *v; size_t n, cap; } lot_vec;

static void lots_push(lot_vec *lv, lot l) {
    if (lv->n == lv->cap) {
        KT_ASSERT(lv->cap < KT_LEDGER_LOTS_MAX);
        lv->cap = lv->cap ? lv->cap * 2 : 16;
        lv->v = kt_xrealloc(lv->v, lv->cap * sizeof *lv->v);
    }
    lv->v[lv->n++] = l;
}

kt_rc kt_ledger_account(kt_store *st, const char *code, int64_t *out_id, kt_err *err) {
    bool found;
    kt_val a[2] = {KT_VS(code)};
    kt_rc rc = kt_store_int(st, KT_Q_ACCOUNT_BY_CODE, a, 1, out_id, &found, err);
    if (rc || found) return rc;
    const char *kind = NULL;
    if (strncmp(code, "partner:", 8) == 0 && code[8]) kind = "partner";
    else if (strncmp(code, "supplier:", 9) == 0 && code[9]) kind = "supplier";
    if (!kind) return kt_fail(err, KT_EINVAL, "account", "unknown counter-account \"%s\"", code);
    a[1] = KT_VS(kind);
    return kt_store_int(st, KT_Q_ACCOUNT_INSERT, a, 2, out_id, NULL, err);
}

static kt_rc member_balance(kt_store *st, kt_member_id m, kt_points *out, kt_err *err) {
    bool found;
    kt_val a[] = {KT_VI(m)};
    kt_rc rc = kt_store_int(st, KT_Q_MEMBER_BALANCE, a, 1, out, &found, err);
    if (!rc && !found) rc = kt_fail(err, KT_ENOTFOUND, "member", "no member with id %u", m);
    return rc;
}

static kt_rc new_txn(kt_store *st, const kt_movement *mv, kt_member_id m, bool allow_negative,
                     int64_t *out, kt_err *err) {
    KT_ASSERT(kt_store_in_txn(st));
    KT_ASSERT(mv->actor && mv->actor[0]);
    kt_val a[] = {KT_VS(kind_names[mv->kind]), KT_VI(mv->at), KT_VI(mv->day), KT_VI(m), KT_VS(mv->receipt),
                  KT_VS(mv->rule), KT_VS(mv->actor), KT_VS(mv->reason), KT_VI(allow_negative ? 1 : 0)};
    return kt_store_int(st, KT_Q_TXN_INSERT, a, KT_ARRAY_LEN(a), out, NULL, err);
}

static kt_rc member_entry(kt_store *st, int64_t txn, kt_member_id m, int64_t lot_id, kt_points p, kt_err *err) {
    KT_ASSERT(p != 0);
    kt_val a[] = {KT_VI(txn), KT_VI(m), lot_id ? KT_VI(lot_id) : KT_VNULL, KT_VI(p)};
    return kt_store_exec(st, KT_Q_ENTRY_MEMBER_INSERT, a, KT_ARRAY_LEN(a), err);
}

static kt_rc account_entry(kt_store *st, int64_t txn, int64_t account, kt_points p, kt_err *err) {
    KT_ASSERT(p != 0);
    kt_val a[] = {KT_VI(txn), KT_VI(account), KT_VI(p)};
    return kt_store_exec(st, KT_Q_ENTRY_ACCOUNT_INSERT, a, KT_ARRAY_LEN(a), err);
}

static kt_rc bump_balance(kt_store *st, kt_member_id m, kt_points delta, kt_time at, kt_err *err) {
    kt_val a[] = {KT_VI(m), KT_VI(delta), KT_VI(at)};
    kt_rc rc = kt_store_exec(st, KT_Q_MEMBER_BALANCE_ADD, a, KT_ARRAY_LEN(a), err);
    if (!rc && kt_store_changes(st) != 1) rc = kt_fail(err, KT_ENOTFOUND, "member", "no member with id %u", m);
    return rc;
}

static kt_rc load_open_lots(kt_store *st, kt_member_id m, lot_vec *out, kt_err *err) {
    kt_cursor *c;
    kt_val a[] = {KT_VI(m)};
    kt_rc rc = kt_store_query(st, KT_Q_LOTS_OPEN, a, 1, &c, err);
    if (rc) return rc;
    for (;;) {
        bool has;
        if ((rc = kt_store_step(c, &has, err)) || !has) break;
        lot l = {
            .id = kt_col_int(c, 0),
            .remaining = kt_col_int(c, 1),
            .earned_day = (kt_day)kt_col_int(c, 2),
            .available_day = (kt_day)kt_col_int(c, 3),
            .expires_day = kt_col_null(c, 4) ? KT_DAY_NONE : (kt_day)kt_col_int(c, 4),
            .funder_id = kt_col_int(c, 5),
        };
        lots_push(out, l);
    }
    kt_store_end(c);
    return rc;
}

static bool lot_spendable(const lot *l, kt_day day) {
    return l->available_day <= day && (l->expires_day == KT_DAY_NONE || l->expires_day >= day);
}

/* Take `points` from lot l inside txn: the member entry and the remainder. */
static kt_rc take_from_lot(kt_store *st, int64_t txn, kt_member_id m, lot *l, kt_points points, kt_err *err) {
    KT_ASSERT(points > 0 && points <= l->remaining);
    kt_val a[] = {KT_VI(l->id), KT_VI(points)};
    kt_rc rc = kt_store_exec(st, KT_Q_LOT_CONSUME, a, 2, err);
    if (rc) return rc;
    KT_ASSERT(kt_store_changes(st) == 1);
    l->remaining -= points;
    return member_entry(st, txn, m, l->id, -points, err);
}

/* Verify the member invariant after a movement (kept on in release builds):
 * the balance equals what the open lots hold, or is negative with none open.
 * Every movement has moved the member's balance row first (bump_balance,
 * which fails for an unknown member). */
static kt_rc assert_member(kt_store *st, kt_member_id m, kt_err *err) { return kt_ledger_check_members(st, m, m, err); }

/* One credit's rows (its transaction, any debt repaid, its lot, the entries),
 * the member's balance being *balance before and after; the balance in the
 * member's row is the caller's to move. The counter-account is funder_id, or
 * when 0 the one c->funder names. */
static kt_rc credit_rows(kt_store *st, const kt_movement *mv, kt_member_id m, const kt_credit *c, int64_t funder_id,
                         kt_points *balance, int64_t *out_txn, kt_err *err) {
    int64_t txn;
    if (c->points <= 0) return kt_fail(err, KT_EINVAL, "points", "must be positive, got %lld", (long long)c->points);
    if (c->expires_day != KT_DAY_NONE && c->expires_day < mv->day)
        return kt_fail(err, KT_EINVAL, "expires", "the expiry date is before the day the points are earned");
    kt_rc rc = funder_id ? KT_OK : kt_ledger_account(st, c->funder, &funder_id, err);
    if (!rc) rc = new_txn(st, mv, m, false, &txn, err);
    if (rc) return rc;
    kt_points debt_paid = *balance < 0 ? (-*balance < c->points ? -*balance : c->points) : 0;
    kt_points to_lot = c->points - debt_paid;
    if (debt_paid && (rc = member_entry(st, txn, m, 0, debt_paid, err))) return rc;
    if (to_lot) {
        int64_t lot_id;
        kt_val a[] = {KT_VI(m), KT_VI(txn), KT_VI(mv->day), KT_VI(c->available_day),
                      c->expires_day == KT_DAY_NONE ? KT_VNULL : KT_VI(c->expires_day), KT_VI(to_lot),
                      KT_VI(funder_id), KT_VNULL};
        if ((rc = kt_store_int(st, KT_Q_LOT_INSERT, a, KT_ARRAY_LEN(a), &lot_id, NULL, err))) return rc;
        if ((rc = member_entry(st, txn, m, lot_id, to_lot, err))) return rc;
    }
    if ((rc = account_entry(st, txn, funder_id, -c->points, err))) return rc;
    *balance += c->points;
    if (out_txn) *out_txn = txn;
    return KT_OK;
}

kt_rc kt_ledger_credit(kt_store *st, const kt_movement *mv, kt_member_id m, kt_points points,
                       const char *funder, kt_day available_day, kt_day expires_day,
                       int64_t *out_txn, kt_err *err) {
    kt_credit c = {funder, points, available_day, expires_day};
    return kt_ledger_credits(st, mv, m, &c, 1, out_txn, err);
}

/* The member's row is read, moved and checked once for all the credits: a
 * checkout receipt credits one lot per funder (three with the seed rules), and
 * these three statements were a fifth of the server writer's time. */
kt_rc kt_ledger_credits(kt_store *st, const kt_movement *mv, kt_member_id m, const kt_credit *cs, size_t n,
                        int64_t *out_txns, kt_err *err) {
    kt_points balance, before;
    if (n == 0) return KT_OK;
    kt_rc rc = member_balance(st, m, &balance, err);
    before = balance;
    for (size_t i = 0; !rc && i < n; i++) rc = credit_rows(st, mv, m, &cs[i], 0, &balance, out_txns ? &out_txns[i] : NULL, err);
    if (!rc) rc = bump_balance(st, m, balance - before, mv->at, err);
    if (!rc) rc = assert_member(st, m, err);
    return rc;
}

/* kt_ledger_credit's rows in five statements instead of eight (the
 * counter-account's lookup, the balance read before and the invariant's read
 * after are left out): an import's opening balances went from 39-66 k to
 * 83-85 k rows/s (bench/import.sh 200000). */
kt_rc kt_ledger_open_new(kt_store *st, const kt_movement *mv, kt_member_id m, int64_t funder_id, kt_points points,
                         kt_day expires_day, kt_err *err) {
    KT_ASSERT(mv->kind == KT_TXN_OPENING && funder_id > 0);
    kt_credit c = {NULL, points, mv->day, expires_day};
    kt_points balance = 0; /* never in debt: no part of the credit repays one */
    kt_rc rc = credit_rows(st, mv, m, &c, funder_id, &balance, NULL, err);
    return rc ? rc : bump_balance(st, m, points, mv->at, err);
}

/* One statement: each member's balance and its open lots' sum read together. */
kt_rc kt_ledger_check_members(kt_store *st, kt_member_id from, kt_member_id to, kt_err *err) {
    kt_cursor *c;
    kt_val a[] = {KT_VI(from), KT_VI(to)};
    kt_rc rc = kt_store_query(st, KT_Q_MEMBERS_INVARIANT, a, 2, &c, err);
    if (rc) return rc;
    for (;;) {
        bool has;
        if ((rc = kt_store_step(c, &has, err)) || !has) break;
        kt_points balance = kt_col_int(c, 1), sum = kt_col_int(c, 2);
        if (balance >= 0) KT_ASSERT(sum == balance);
        else KT_ASSERT(sum == 0);
    }
    kt_store_end(c);
    return rc;
}

kt_rc kt_ledger_spend(kt_store *st, const kt_movement *mv, kt_member_id m, kt_points points,
                      const char *counter, int64_t *out_txn, kt_err *err) {
    int64_t counter_id, txn;
    lot_vec lv = {0};
    if (points <= 0) return kt_fail(err, KT_EINVAL, "points", "must be positive, got %lld", (long long)points);
    kt_rc rc = kt_ledger_account(st, counter, &counter_id, err);
    if (!rc) rc = load_open_lots(st, m, &lv, err);
    if (rc) goto done;
    kt_points available = 0;
    for (size_t i = 0; i < lv.n; i++)
        if (lot_spendable(&lv.v[i], mv->day)) available += lv.v[i].remaining;
    if (available < points) {
        rc = kt_fail(err, KT_ENOFUNDS, "points", "member %u has %lld points available, %lld asked", m,
                     (long long)available, (long long)points);
        goto done;
    }
    if ((rc = new_txn(st, mv, m, false, &txn, err))) goto done;
    kt_points left = points;
    for (size_t i = 0; i < lv.n && left > 0; i++) {
        if (!lot_spendable(&lv.v[i], mv->day)) continue;
        kt_points take = lv.v[i].remaining < left ? lv.v[i].remaining : left;
        if ((rc = take_from_lot(st, txn, m, &lv.v[i], take, err))) goto done;
        left -= take;
    }
    KT_ASSERT(left == 0);
    if ((rc = account_entry(st, txn, counter_id, points, err))) goto done;
    if ((rc = bump_balance(st, m, -points, mv->at, err))) goto done;
    if (out_txn) *out_txn = txn;
    rc = assert_member(st, m, err);
done:
    free(lv.v);
    return rc;
}

/* Debit order: pending lots first, newest first (the points a return takes
 * back are usually the ones its sale just earned and are still pending), then
 * the spendable lots, soonest expiry first. The shortfall, when allowed,
 * becomes debt. */
kt_rc kt_ledger_debit(kt_store *st, const kt_movement *mv, kt_member_id m, kt_points points,
                      const char *counter, bool allow_negative, int64_t *out_txn, kt_err *err) {
    int64_t counter_id, txn;
    kt_points balance;
    lot_vec lv = {0};
    if (points <= 0) return kt_fail(err, KT_EINVAL, "points", "must be positive, got %lld", (long long)points);
    kt_rc rc = kt_ledger_account(st, counter, &counter_id, err);
    if (!rc) rc = member_balance(st, m, &balance, err);
    if (!rc) rc = load_open_lots(st, m, &lv, err);
    if (rc) goto done;
    kt_points open = 0;
    for (size_t i = 0; i < lv.n; i++) open += lv.v[i].remaining;
    if (open < points && !allow_negative) {
        rc = kt_fail(err, KT_ENOFUNDS, "points", "member %u has %lld points, %lld to take back", m,
                     (long long)open, (long long)points);
        goto done;
    }
    if ((rc = new_txn(st, mv, m, allow_negative, &txn, err))) goto done;
    kt_points left = points;
    /* pending lots, newest first */
    for (size_t k = lv.n; k-- > 0 && left > 0;) {
        lot *l = &lv.v[k];
        if (l->available_day <= mv->day) continue;
        kt_points take = l->remaining < left ? l->remaining : left;
        if ((rc = take_from_lot(st, txn, m, l, take, err))) goto done;
        left -= take;
    }
    for (size_t k = 0; k < lv.n && left > 0; k++) {
        lot *l = &lv.v[k];
        if (!l->remaining) continue;
        kt_points take = l->remaining < left ? l->remaining : left;
        if ((rc = take_from_lot(st, txn, m, l, take, err))) goto done;
        left -= take;
    }
    if (left > 0 && (rc = member_entry(st, txn, m, 0, -left, err))) goto done; /* debt */
    if ((rc = account_entry(st, txn, counter_id, points, err))) goto done;
    if ((rc = bump_balance(st, m, -points, mv->at, err))) goto done;
    if (out_txn) *out_txn = txn;
    rc = assert_member(st, m, err);
done:
    free(lv.v);
    return rc;
}

typedef struct expired_lot { int64_t id; kt_member_id member; kt_points remaining; int64_t funder_id; } expired_lot;

static int by_member(const void *a, const void *b) {
    const expired_lot *x = a, *y = b;
    if (x->member != y->member) return x->member < y->member ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

kt_rc kt_ledger_expire(kt_store *st, kt_day day, kt_time at, const char *actor,
                       int64_t *out_lots, kt_points *out_points, int64_t *out_members, kt_err *err) {
    int64_t expiry_id, nlots = 0, nmembers = 0;
    kt_points npoints = 0;
    expired_lot *batch = kt_xmalloc(KT_EXPIRE_BATCH * sizeof *batch);
    kt_rc rc = kt_ledger_account(st, "expiry", &expiry_id, err);
    while (!rc) {
        kt_cursor *c;
        size_t n = 0;
        kt_val a[] = {KT_VI(day), KT_VI(KT_EXPIRE_BATCH)};
        if ((rc = kt_store_query(st, KT_Q_LOTS_EXPIRED, a, 2, &c, err))) break;
        for (;;) {
            bool has;
            if ((rc = kt_store_step(c, &has, err)) || !has) break;
            batch[n++] = (expired_lot){kt_col_int(c, 0), (kt_member_id)kt_col_int(c, 1), kt_col_int(c, 2),
                                       kt_col_int(c, 3)};
        }
        kt_store_end(c);
        if (rc || n == 0) break;
        qsort(batch, n, sizeof *batch, by_member);
        for (size_t i = 0; i < n && !rc;) {
            size_t j = i;
            kt_points sum = 0;
            while (j < n && batch[j].member == batch[i].member) sum += batch[j++].remaining;
            kt_movement mv = {.kind = KT_TXN_EXPIRY, .at = at, .day = day, .actor = actor,
                              .reason = "lots past their expiry date"};
            int64_t txn;
            kt_member_id m = batch[i].member;
            if ((rc = new_txn(st, &mv, m, false, &txn, err))) break;
            for (size_t k = i; k < j && !rc; k++) {
                kt_val la[] = {KT_VI(batch[k].id), KT_VI(batch[k].remaining)};
                if ((rc = kt_store_exec(st, KT_Q_LOT_CONSUME, la, 2, err))) break;
                KT_ASSERT(kt_store_changes(st) == 1);
                rc = member_entry(st, txn, m, batch[k].id, -batch[k].remaining, err);
            }
            if (!rc) rc = account_entry(st, txn, expiry_id, sum, err);
            if (!rc) rc = bump_balance(st, m, -sum, at, err);
            if (!rc) rc = assert_member(st, m, err);
            nlots += (int64_t)(j - i);
            npoints += sum;
            nmembers++;
            i = j;
        }
    }
    free(batch);
    if (rc) return rc;
    if (out_lots) *out_lots = nlots;
    if (out_points) *out_points = npoints;
    if (out_members) *out_members = nmembers;
    return KT_OK;
}

kt_rc kt_ledger_transfer_all(kt_store *st, const kt_movement *mv, kt_member_id from, kt_member_id to,
                             kt_points *out_moved, kt_err *err) {
    kt_points from_balance, to_balance;
    lot_vec lv = {0}, tv = {0};
    int64_t txn = 0;
    KT_ASSERT(from != to);
    kt_rc rc = member_balance(st, from, &from_balance, err);
    if (!rc) rc = member_balance(st, to, &to_balance, err);
    if (!rc) rc = load_open_lots(st, from, &lv, err);
    if (rc) goto done;
    if (from_balance == 0) { if (out_moved) *out_moved = 0; goto done; }
    if ((rc = new_txn(st, mv, from, from_balance < 0, &txn, err))) goto done;
    for (size_t i = 0; i < lv.n && !rc; i++) {
        lot *l = &lv.v[i];
        kt_points p = l->remaining;
        int64_t lot_id;
        if ((rc = take_from_lot(st, txn, from, l, p, err))) break;
        kt_val a[] = {KT_VI(to), KT_VI(txn), KT_VI(l->earned_day), KT_VI(l->available_day),
                      l->expires_day == KT_DAY_NONE ? KT_VNULL : KT_VI(l->expires_day), KT_VI(p),
                      KT_VI(l->funder_id), KT_VI(l->id)};
        if ((rc = kt_store_int(st, KT_Q_LOT_INSERT, a, KT_ARRAY_LEN(a), &lot_id, NULL, err))) break;
        if ((rc = member_entry(st, txn, to, lot_id, p, err))) break;
        lot moved = *l;
        moved.id = lot_id;
        moved.remaining = p;
        lots_push(&tv, moved);
    }
    if (rc) goto done;
    if (to_balance < 0 && from_balance > 0) {
        /* the survivor is in debt: the points it receives pay the debt first */
        kt_points left = -to_balance;
        for (size_t k = 0; k < tv.n && left > 0 && !rc; k++) {
            kt_points take = tv.v[k].remaining < left ? tv.v[k].remaining : left;
            if ((rc = take_from_lot(st, txn, to, &tv.v[k], take, err))) break;
            rc = member_entry(st, txn, to, 0, take, err);
            left -= take;
        }
    }
    if (rc) goto done;
    if (from_balance < 0) {
        /* the debt moves: it is cleared on `from` and taken from `to`'s lots, the rest stays debt */
        kt_points debt = -from_balance;
        if ((rc = member_entry(st, txn, from, 0, debt, err))) goto done;
        tv.n = 0;
        if ((rc = load_open_lots(st, to, &tv, err))) goto done;
        kt_points left = debt;
        for (size_t k = 0; k < tv.n && left > 0 && !rc; k++) {
            if (!tv.v[k].remaining) continue;
            kt_points take = tv.v[k].remaining < left ? tv.v[k].remaining : left;
            rc = take_from_lot(st, txn, to, &tv.v[k], take, err);
            left -= take;
        }
        if (!rc && left > 0) rc = member_entry(st, txn, to, 0, -left, err);
        if (rc) goto done;
    }
    if ((rc = bump_balance(st, from, -from_balance, mv->at, err))) goto done;
    if ((rc = bump_balance(st, to, from_balance, mv->at, err))) goto done;
    if ((rc = assert_member(st, from, err)) || (rc = assert_member(st, to, err))) goto done;
    if (out_moved) *out_moved = from_balance;
done:
    free(lv.v);
    free(tv.v);
    return rc;
}

kt_rc kt_ledger_balance(kt_store *st, kt_member_id m, kt_day day, int expiring_days,
                        kt_balance *out, kt_err *err) {
    memset(out, 0, sizeof *out);
    out->next_expiry = KT_DAY_NONE;
    kt_rc rc = member_balance(st, m, &out->balance, err);
    if (rc) return rc;
    /* summed by the store over the member's open lots (every checkout asks): a lot
     * past its last day is left out (it burns at the next expiry run); pending
     * until its available day, available from then; expiring when its last day
     * is within expiring_days */
    kt_cursor *c;
    bool has = false;
    kt_val a[] = {KT_VI(m), KT_VI(day), KT_VI((int64_t)day + expiring_days)};
    if ((rc = kt_store_query(st, KT_Q_LOTS_OPEN_SUMS, a, KT_ARRAY_LEN(a), &c, err))) return rc;
    if (!(rc = kt_store_step(c, &has, err)) && has) {
        out->pending = kt_col_int(c, 0);
        out->available = kt_col_int(c, 1);
        out->expiring = kt_col_int(c, 2);
        if (!kt_col_null(c, 3)) out->next_expiry = (kt_day)kt_col_int(c, 3);
    }
    kt_store_end(c);
    return rc;
}
