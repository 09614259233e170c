/*
 * refund.c - full and partial refunds (pos.h: kt_pos_refund). A refund
 * reverses exactly what the refunded lines earned and gives back the points
 * that paid for them, as recorded on the sale (so a rule change since then
 * changes nothing). Partial quantities take their share rounded down; the
 * refund that completes a line takes exactly what is left, so a sale refunded
 * in any number of steps is reversed to the point and the kopeck. Earned
 * points already spent follow the program's policy: a negative balance, or
 * their value kept from the money refunded.
 */
#include "basket.h"
#include "core/date.h"
#include "ledger/ledger.h"
#include "pos_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sale_line {
    int64_t line, qty, amount, earned, redeemed, to_pay, price, product_id;
    int64_t done_qty, done_earned, done_redeemed, done_to_pay; /* earlier refunds (stored negative) */
    char sku[KT_CODE_MAX];
    int64_t take_qty, back_earned, back_redeemed, back_money;
} sale_line;

typedef struct funder_share { char code[KT_CODE_MAX + 16]; int64_t total, done, back; } funder_share;

/* share of `part` of `whole` in `total`, rounded down; the last step takes the rest */
static int64_t share(int64_t total, int64_t done, int64_t part, int64_t whole, int64_t left_after) {
    if (left_after == 0) return total - done;
    return (int64_t)((__int128)total * part / whole);
}

static kt_rc load_sale(kt_pos *pos, int64_t sale_id, sale_line **out, size_t *n, kt_err *err) {
    kt_cursor *c;
    kt_val a[] = {KT_VI(sale_id)};
    size_t cap = 16, k = 0;
    sale_line *v = kt_xcalloc(cap, sizeof *v);
    kt_rc rc = kt_store_query(kt_pos_store(pos), KT_Q_POS_SALE_LINES, a, 1, &c, err);
    while (!rc) {
        bool has;
        if ((rc = kt_store_step(c, &has, err)) || !has) break;
        if (k == cap) v = kt_xrealloc(v, (cap *= 2) * sizeof *v);
        sale_line *l = &v[k++];
        memset(l, 0, sizeof *l);
        l->line = kt_col_int(c, 0);
        snprintf(l->sku, sizeof l->sku, "%s", kt_col_text(c, 1));
        l->qty = kt_col_int(c, 2);
        l->amount = kt_col_int(c, 3);
        l->earned = kt_col_int(c, 4);
        l->redeemed = kt_col_int(c, 5);
        l->to_pay = kt_col_int(c, 6);
        l->done_qty = kt_col_int(c, 7);
        l->done_earned = -kt_col_int(c, 8);
        l->done_redeemed = -kt_col_int(c, 9);
        l->done_to_pay = -kt_col_int(c, 10);
        l->price = kt_col_int(c, 11);
        l->product_id = kt_col_int(c, 12);
    }
    if (!rc || c) kt_store_end(c);
    if (rc) { free(v); return rc; }
    *out = v;
    *n = k;
    return KT_OK;
}

static kt_rc load_funders(kt_pos *pos, int64_t sale_id, funder_share *f, size_t *nf, kt_err *err) {
    kt_cursor *c;
    kt_val a[] = {KT_VI(sale_id)};
    size_t n = 0;
    kt_rc rc = kt_store_query(kt_pos_store(pos), KT_Q_POS_SALE_EARN, a, 1, &c, err);
    while (!rc) {
        bool has;
        if ((rc = kt_store_step(c, &has, err)) || !has) break;
        const char *code = kt_col_text(c, 0);
        if (strcmp(code, "-") == 0 || n == 32) continue; /* per-rule rows carry no funder */
        snprintf(f[n].code, sizeof f[n].code, "%s", code);
        f[n].total = kt_col_int(c, 1);
        f[n].done = f[n].back = 0;
        n++;
    }
    kt_store_end(c);
    if (rc) return rc;
    if ((rc = kt_store_query(kt_pos_store(pos), KT_Q_POS_REFUNDED_EARN, a, 1, &c, err))) return rc;
    while (!rc) {
        bool has;
        if ((rc = kt_store_step(c, &has, err)) || !has) break;
        for (size_t i = 0; i < n; i++)
            if (strcmp(f[i].code, kt_col_text(c, 0)) == 0) f[i].done = -kt_col_int(c, 1);
    }
    kt_store_end(c);
    *nf = n;
    return rc;
}

static kt_rc refund_in_txn(kt_pos *pos, const kt_refund_req *r, char **out, bool *repeat, kt_err *err) {
    kt_store *st = kt_pos_store(pos);
    int64_t store_id, partner, sale_id = 0, member = 0, version = 0;
    bool found = false, has;
    kt_rc rc = kt_pos_store_of(pos, r->store, "$.store", &store_id, &partner, err);
    if (!rc) rc = kt_pos_find_previous(pos, store_id, r->receipt, "refund", r->canonical, out, &found, err);
    *repeat = found;
    if (rc || found) return rc;
    kt_cursor *c;
    kt_val a[] = {KT_VI(store_id), KT_VS(r->original)};
    if ((rc = kt_store_query(st, KT_Q_POS_RECEIPT_GET, a, 2, &c, err))) return rc;
    rc = kt_store_step(c, &has, err);
    bool is_sale = false;
    if (!rc && has) {
        sale_id = kt_col_int(c, 0);
        is_sale = strcmp(kt_col_text(c, 1), "sale") == 0;
        member = kt_col_int(c, 2);
        version = kt_col_int(c, 6);
    }
    kt_store_end(c);
    if (rc) return rc;
    if (!has) return kt_fail(err, KT_ENOTFOUND, "$.original", "no sale %s at store %s", r->original, r->store);
    if (!is_sale) return kt_fail(err, KT_EINVAL, "$.original", "%s is a refund, not a sale", r->original);

    sale_line *lines = NULL;
    size_t n = 0;
    if ((rc = load_sale(pos, sale_id, &lines, &n, err))) return rc;
    /* what to take back, line by line */
    for (size_t i = 0; i < r->nlines && !rc; i++) {
        char f[48];
        snprintf(f, sizeof f, "$.lines[%zu]", i);
        if (r->lines[i].line > (int64_t)n) { rc = kt_fail(err, KT_EINVAL, f, "the sale has no line %lld", (long long)r->lines[i].line); break; }
        sale_line *l = &lines[r->lines[i].line - 1];
        int64_t left = l->qty - l->done_qty;
        int64_t q = r->lines[i].qty_milli < 0 ? left : r->lines[i].qty_milli;
        if (left == 0) rc = kt_fail(err, KT_ECONFLICT, f, "line %lld was already refunded in full", (long long)l->line);
        else if (q > left) {
            snprintf(f, sizeof f, "$.lines[%zu].qty", i);
            rc = kt_fail(err, KT_EINVAL, f, "only %lld.%03lld of line %lld are left to refund", (long long)(left / 1000),
                         (long long)(left % 1000), (long long)l->line);
        }
        l->take_qty = q;
    }
    if (!rc && r->nlines == 0)
        for (size_t i = 0; i < n; i++) lines[i].take_qty = lines[i].qty - lines[i].done_qty;
    int64_t back_earned = 0, back_redeemed = 0, back_money = 0, back_amount = 0, qty_total = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        sale_line *l = &lines[i];
        if (!l->take_qty) continue;
        int64_t left_after = l->qty - l->done_qty - l->take_qty;
        l->back_earned = share(l->earned, l->done_earned, l->take_qty, l->qty, left_after);
        l->back_redeemed = share(l->redeemed, l->done_redeemed, l->take_qty, l->qty, left_after);
        l->back_money = share(l->to_pay, l->done_to_pay, l->take_qty, l->qty, left_after);
        back_earned += l->back_earned;
        back_redeemed += l->back_redeemed;
        back_money += l->back_money;
        back_amount += share(l->amount, 0, l->take_qty, l->qty, 1);
        qty_total += l->take_qty;
    }
    if (!rc && qty_total == 0) rc = kt_fail(err, KT_ECONFLICT, "$.original", "sale %s was already refunded in full", r->original);

    const kt_ruleset *rs = NULL;
    funder_share funders[32];
    size_t nf = 0;
    kt_points shortfall = 0;
    kt_money kept = 0;
    kt_day day = kt_time_local_day(r->at, r->offset_min);
    char ref[2 * KT_CODE_MAX + 2];
    snprintf(ref, sizeof ref, "%s/%s", r->store, r->receipt);
    int64_t active = version;
    if (!rc) rc = kt_pos_rules_active(pos, &active, err);
    if (!rc) rc = kt_pos_ruleset(pos, active, &rs, err); /* the policy in force when the refund happens */
    if (!rc && member && back_earned > 0) {
        /* split the earned points to reverse over their funders, the last refund taking the rest */
        if ((rc = load_funders(pos, sale_id, funders, &nf, err))) goto done;
        int64_t left_total = 0, left_back = back_earned;
        for (size_t k = 0; k < nf; k++) left_total += funders[k].total - funders[k].done;
        for (size_t k = 0; k < nf; k++) {
            int64_t left = funders[k].total - funders[k].done;
            funders[k].back = k + 1 == nf ? left_back : (left_total ? (int64_t)((__int128)back_earned * left / left_total) : 0);
            if (funders[k].back > left) funders[k].back = left;
            left_back -= funders[k].back;
        }
    }
    if (!rc && member) {
        const kt_program *prog = kt_rules_program(rs);
        kt_time now = kt_now();
        kt_member_id m = (kt_member_id)member;
        if (back_redeemed > 0) {
            kt_movement mv = {.kind = KT_TXN_REFUND, .at = now, .day = day, .actor = "pos", .receipt = ref,
                              .reason = "points that paid for returned goods"};
            kt_day expires = prog->expiry_days > 0 ? day + prog->expiry_days : KT_DAY_NONE;
            rc = kt_ledger_credit(st, &mv, m, back_redeemed, "redemption", day, expires, NULL, err);
        }
        bool negative = prog->refund_policy == KT_REFUND_NEGATIVE_BALANCE;
        for (size_t k = 0; k < nf && !rc; k++) {
            if (funders[k].back <= 0) continue;
            kt_points take = funders[k].back;
            if (!negative) {
                kt_balance b;
                if ((rc = kt_ledger_balance(st, m, day, 0, &b, err))) break;
                kt_points open = b.available + b.pending;
                if (open < take) { shortfall += take - (open > 0 ? open : 0); take = open > 0 ? open : 0; }
            }
            if (take > 0) {
                kt_movement mv = {.kind = KT_TXN_REFUND, .at = now, .day = day, .actor = "pos", .receipt = ref,
                                  .reason = negative ? "points earned by returned goods (negative balance allowed)"
                                                     : "points earned by returned goods"};
                rc = kt_ledger_debit(st, &mv, m, take, funders[k].code, negative, NULL, err);
            }
        }
        kept = shortfall * prog->point_value_minor;
        if (kept > back_money) kept = back_money;
    }
    /* the refund receipt */
    int64_t refund_id = 0;
    json_t *ans = NULL;
    if (!rc) {
        kt_val ra[] = {KT_VI(store_id), KT_VS(r->receipt), KT_VS("refund"), KT_VI(sale_id), KT_VIOPT(member, member),
                       KT_VI(r->at), KT_VI(r->offset_min), KT_VI(day), KT_VI(version), KT_VI(-back_amount),
                       KT_VI(-(back_money - kept)), KT_VI(-back_earned), KT_VI(-back_redeemed), KT_VS(r->canonical)};
        rc = kt_store_int(st, KT_Q_POS_RECEIPT_INSERT, ra, KT_ARRAY_LEN(ra), &refund_id, NULL, err);
    }
    int64_t line_no = 0;
    json_t *jl = json_array();
    for (size_t i = 0; i < n && !rc; i++) {
        sale_line *l = &lines[i];
        if (!l->take_qty) continue;
        kt_val la[] = {KT_VI(refund_id), KT_VI(++line_no), KT_VS(l->sku), KT_VIOPT(l->product_id, l->product_id),
                       KT_VI(l->take_qty), KT_VI(l->price), KT_VI(-share(l->amount, 0, l->take_qty, l->qty, 1)),
                       KT_VI(-l->back_earned), KT_VI(-l->back_redeemed), KT_VI(0), KT_VI(0), KT_VI(-l->back_money),
                       KT_VI(l->line), KT_VS("[]")};
        rc = kt_store_exec(st, KT_Q_POS_LINE_INSERT, la, KT_ARRAY_LEN(la), err);
        json_t *o = json_object();
        json_object_set_new(o, "line", json_integer(l->line));
        json_object_set_new(o, "sku", json_string(l->sku));
        json_object_set_new(o, "qty", l->take_qty % 1000 ? json_real((double)l->take_qty / 1000.0) : json_integer(l->take_qty / 1000));
        json_object_set_new(o, "money_back", json_integer(l->back_money));
        json_object_set_new(o, "points_reversed", json_integer(l->back_earned));
        json_object_set_new(o, "points_returned", json_integer(l->back_redeemed));
        json_array_append_new(jl, o);
    }
    for (size_t k = 0; k < nf && !rc; k++) {
        if (!funders[k].back) continue;
        kt_val e[] = {KT_VI(refund_id), KT_VI(member), KT_VI(day), KT_VS("*refund"), KT_VS(funders[k].code), KT_VI(-funders[k].back)};
        rc = kt_store_exec(st, KT_Q_POS_EARN_INSERT, e, KT_ARRAY_LEN(e), err);
    }
    if (!rc) {
        kt_balance b = {0};
        if (member) rc = kt_ledger_balance(st, (kt_member_id)member, day, 0, &b, err);
        ans = json_object();
        json_object_set_new(ans, "store", json_string(r->store));
        json_object_set_new(ans, "receipt", json_string(r->receipt));
        json_object_set_new(ans, "original", json_string(r->original));
        json_object_set_new(ans, "committed", json_true());
        json_object_set_new(ans, "member", member ? json_integer(member) : json_null());
        json_object_set_new(ans, "money_back", json_integer(back_money - kept));
        json_object_set_new(ans, "money_kept_for_spent_points", json_integer(kept));
        json_object_set_new(ans, "points_reversed", json_integer(back_earned - shortfall));
        json_object_set_new(ans, "points_returned", json_integer(back_redeemed));
        json_object_set_new(ans, "balance", json_integer(b.balance));
        json_object_set_new(ans, "lines", jl);
        jl = NULL;
        char *text = kt_pos_dump(ans);
        kt_val s[] = {KT_VI(refund_id), KT_VS(text)};
        if (!rc) rc = kt_store_exec(st, KT_Q_POS_RECEIPT_SET_RESPONSE, s, 2, err);
        if (!rc) *out = text;
        else free(text);
        json_decref(ans);
    }
    json_decref(jl);
done:
    free(lines);
    return rc;
}

kt_rc kt_pos_refund(kt_pos *pos, const char *json, size_t len, char **out, kt_err *err) {
    bool repeat;
    return kt_pos_refund_ex(pos, json, len, out, &repeat, err);
}

kt_rc kt_pos_refund_ex(kt_pos *pos, const char *json, size_t len, char **out, bool *repeat, kt_err *err) {
    kt_refund_req r;
    *out = NULL;
    *repeat = false;
    kt_rc rc = kt_refund_parse(json, len, &r, err);
    if (rc) return rc;
    rc = kt_store_begin(kt_pos_store(pos), err);
    if (!rc) {
        rc = refund_in_txn(pos, &r, out, repeat, err);
        if (!rc) rc = kt_store_commit(kt_pos_store(pos), err);
        else kt_store_rollback(kt_pos_store(pos));
    }
    if (rc) { free(*out); *out = NULL; }
    kt_refund_free(&r);
    return rc;
}
