/*
 * explain.c - a member's balance as JSON, and the explanation of a committed
 * receipt: its rule version and what each rule or offer gave each line
 * (pos.h: kt_pos_balance, kt_pos_explain).
 */
#include "core/date.h"
#include "ledger/ledger.h"
#include "members/members.h"
#include "pos_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *day_json(kt_day d) {
    char b[11];
    if (d == KT_DAY_NONE) return json_null();
    kt_day_format(d, b);
    return json_string(b);
}

kt_rc kt_pos_balance(kt_pos *pos, const char *key, char **out, kt_err *err) {
    kt_store *st = kt_pos_store(pos);
    int64_t id;
    kt_balance b;
    kt_day today = kt_today();
    kt_rc rc = kt_member_find(st, key, &id, err);
    if (!rc) rc = kt_ledger_balance(st, (kt_member_id)id, today, 30, &b, err);
    if (rc) return rc;
    json_t *o = json_object(), *lots = json_array();
    json_object_set_new(o, "member", json_integer(id));
    json_object_set_new(o, "balance", json_integer(b.balance));
    json_object_set_new(o, "available", json_integer(b.available));
    json_object_set_new(o, "pending", json_integer(b.pending));
    json_object_set_new(o, "expiring_30_days", json_integer(b.expiring));
    json_object_set_new(o, "next_expiry", day_json(b.next_expiry));
    kt_cursor *c;
    kt_val a[] = {KT_VI(id)};
    if (!(rc = kt_store_query(st, KT_Q_LOTS_OPEN, a, 1, &c, err))) {
        bool has;
        while (!(rc = kt_store_step(c, &has, err)) && has) {
            json_t *l = json_object();
            json_object_set_new(l, "lot", json_integer(kt_col_int(c, 0)));
            json_object_set_new(l, "points", json_integer(kt_col_int(c, 1)));
            json_object_set_new(l, "earned", day_json((kt_day)kt_col_int(c, 2)));
            json_object_set_new(l, "available_from", day_json((kt_day)kt_col_int(c, 3)));
            json_object_set_new(l, "last_day", kt_col_null(c, 4) ? json_null() : day_json((kt_day)kt_col_int(c, 4)));
            json_object_set_new(l, "pending", json_boolean(kt_col_int(c, 3) > today));
            json_array_append_new(lots, l);
        }
        kt_store_end(c);
    }
    json_object_set_new(o, "lots", lots);
    if (!rc) *out = kt_pos_dump(o);
    json_decref(o);
    return rc;
}

kt_rc kt_pos_explain(kt_pos *pos, const char *store_code, const char *receipt, char **out, kt_err *err) {
    kt_store *st = kt_pos_store(pos);
    int64_t store_id, partner, rid = 0;
    kt_cursor *c;
    bool has;
    kt_rc rc = kt_pos_store_of(pos, store_code, "store", &store_id, &partner, err);
    if (rc) return rc;
    kt_val a[] = {KT_VI(store_id), KT_VS(receipt)};
    if ((rc = kt_store_query(st, KT_Q_POS_RECEIPT_GET, a, 2, &c, err))) return rc;
    json_t *o = json_object();
    rc = kt_store_step(c, &has, err);
    if (!rc && has) {
        char t[32];
        rid = kt_col_int(c, 0);
        kt_time_format(kt_col_int(c, 3), (int)kt_col_int(c, 4), t);
        json_object_set_new(o, "store", json_string(store_code));
        json_object_set_new(o, "receipt", json_string(receipt));
        json_object_set_new(o, "kind", json_string(kt_col_text(c, 1)));
        if (!kt_col_null(c, 11)) json_object_set_new(o, "original", json_string(kt_col_text(c, 11)));
        json_object_set_new(o, "member", kt_col_null(c, 2) ? json_null() : json_integer(kt_col_int(c, 2)));
        json_object_set_new(o, "time", json_string(t));
        json_object_set_new(o, "rules_version", kt_col_null(c, 6) ? json_null() : json_integer(kt_col_int(c, 6)));
        json_object_set_new(o, "total", json_integer(kt_col_int(c, 7)));
        json_object_set_new(o, "to_pay", json_integer(kt_col_int(c, 8)));
        json_object_set_new(o, "earned", json_integer(kt_col_int(c, 9)));
        json_object_set_new(o, "redeemed", json_integer(kt_col_int(c, 10)));
    }
    kt_store_end(c);
    if (!rc && !has) rc = kt_fail(err, KT_ENOTFOUND, "receipt", "no receipt %s at store %s", receipt, store_code);
    json_t *lines = json_array();
    kt_val b[] = {KT_VI(rid)};
    if (!rc && !(rc = kt_store_query(st, KT_Q_POS_LINES_GET, b, 1, &c, err))) {
        while (!(rc = kt_store_step(c, &has, err)) && has) {
            json_t *l = json_object();
            int64_t q = kt_col_int(c, 2);
            json_object_set_new(l, "line", json_integer(kt_col_int(c, 0)));
            json_object_set_new(l, "sku", json_string(kt_col_text(c, 1)));
            json_object_set_new(l, "qty", q % 1000 ? json_real((double)q / 1000.0) : json_integer(q / 1000));
            json_object_set_new(l, "price", json_integer(kt_col_int(c, 3)));
            json_object_set_new(l, "amount", json_integer(kt_col_int(c, 4)));
            json_object_set_new(l, "earned", json_integer(kt_col_int(c, 5)));
            json_object_set_new(l, "redeemed", json_integer(kt_col_int(c, 6)));
            json_object_set_new(l, "points_discount", json_integer(kt_col_int(c, 7)));
            json_object_set_new(l, "offer_discount", json_integer(kt_col_int(c, 8)));
            json_object_set_new(l, "to_pay", json_integer(kt_col_int(c, 9)));
            if (!kt_col_null(c, 10)) json_object_set_new(l, "original_line", json_integer(kt_col_int(c, 10)));
            json_t *rules = json_loads(kt_col_text(c, 11), 0, NULL);
            json_object_set_new(l, "rules", rules ? rules : json_array());
            json_array_append_new(lines, l);
        }
        kt_store_end(c);
    }
    json_object_set_new(o, "lines", lines);
    if (!rc) *out = kt_pos_dump(o);
    json_decref(o);
    return rc;
}
