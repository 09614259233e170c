/*
 * member_json.c - a member as one JSON document (member_json.h): the same
 * document for `karta member show --format json` and the HTTP API.
 */
#include "member_json.h"
#include "core/date.h"
#include "ledger/ledger.h"
#include "members.h"

#include <stdlib.h>

static void put_opt_str(json_t *o, const char *k, const char *v) {
    json_object_set_new(o, k, v && *v ? json_string(v) : json_null());
}

static json_t *day_json(kt_day d) {
    char b[11];
    if (d == KT_DAY_NONE) return json_null();
    kt_day_format(d, b);
    return json_string(b);
}

static json_t *time_json(kt_time t) {
    char b[32];
    kt_time_format(t, kt_now_offset(), b);
    return json_string(b);
}

kt_rc kt_member_json(kt_store *st, int64_t id, json_t **out, kt_err *err) {
    kt_member m;
    kt_balance bal;
    kt_rc rc = kt_member_load(st, id, &m, err);
    if (!rc) rc = kt_ledger_balance(st, (kt_member_id)id, kt_today(), 30, &bal, err);
    if (rc) return rc;
    json_t *o = json_object();
    char sex[2] = {m.sex, 0};
    json_object_set_new(o, "id", json_integer(m.id));
    put_opt_str(o, "member", m.ext_id);
    json_object_set_new(o, "state", json_string(m.state));
    if (m.merged_into) json_object_set_new(o, "merged_into", json_integer(m.merged_into));
    put_opt_str(o, "name", m.name);
    put_opt_str(o, "sex", sex);
    json_object_set_new(o, "birth_date", day_json(m.birth_day));
    put_opt_str(o, "city", m.city);
    put_opt_str(o, "region", m.region);
    put_opt_str(o, "family_status", m.family_status);
    json_object_set_new(o, "children", m.children >= 0 ? json_integer(m.children) : json_null());
    json_object_set_new(o, "car", m.car >= 0 ? json_boolean(m.car) : json_null());
    put_opt_str(o, "phone", m.phone);
    put_opt_str(o, "email", m.email);
    json_object_set_new(o, "registered", day_json(m.registered_day));
    put_opt_str(o, "reg_store", m.reg_store);
    put_opt_str(o, "favourite_category", m.favourite_category);
    json_t *points = json_object();
    json_object_set_new(points, "balance", json_integer(bal.balance));
    json_object_set_new(points, "available", json_integer(bal.available));
    json_object_set_new(points, "pending", json_integer(bal.pending));
    json_object_set_new(points, "expiring_30_days", json_integer(bal.expiring));
    json_object_set_new(points, "next_expiry", day_json(bal.next_expiry));
    json_object_set_new(o, "points", points);

    kt_cursor *c;
    kt_val a[] = {KT_VI(id)};
    bool has;
    json_t *cards = json_array();
    if (!(rc = kt_store_query(st, KT_Q_CARDS_OF_MEMBER, a, 1, &c, err))) {
        while (!(rc = kt_store_step(c, &has, err)) && has) {
            json_t *cd = json_object();
            json_object_set_new(cd, "number", json_string(kt_col_text(c, 1)));
            json_object_set_new(cd, "state", json_string(kt_col_text(c, 2)));
            json_object_set_new(cd, "issued", kt_col_null(c, 3) ? json_null() : day_json((kt_day)kt_col_int(c, 3)));
            json_array_append_new(cards, cd);
        }
        kt_store_end(c);
    }
    json_object_set_new(o, "cards", cards);
    json_t *consents = json_object();
    if (!rc && !(rc = kt_store_query(st, KT_Q_CONSENTS_CURRENT, a, 1, &c, err))) {
        while (!(rc = kt_store_step(c, &has, err)) && has) {
            json_t *cs = json_object();
            json_object_set_new(cs, "granted", json_boolean(kt_col_int(c, 1)));
            json_object_set_new(cs, "at", time_json(kt_col_int(c, 2)));
            json_object_set_new(cs, "source", json_string(kt_col_text(c, 3)));
            json_object_set_new(consents, kt_col_text(c, 0), cs);
        }
        kt_store_end(c);
    }
    json_object_set_new(o, "consents", consents);
    json_t *hist = json_array();
    if (!rc && !(rc = kt_store_query(st, KT_Q_CONSENT_HISTORY, a, 1, &c, err))) {
        while (!(rc = kt_store_step(c, &has, err)) && has) {
            json_t *h = json_object();
            json_object_set_new(h, "channel", json_string(kt_col_text(c, 0)));
            json_object_set_new(h, "granted", json_boolean(kt_col_int(c, 1)));
            json_object_set_new(h, "at", time_json(kt_col_int(c, 2)));
            json_object_set_new(h, "source", json_string(kt_col_text(c, 3)));
            json_array_append_new(hist, h);
        }
        kt_store_end(c);
    }
    json_object_set_new(o, "consent_history", hist);
    json_t *fav = json_array();
    if (!rc && !(rc = kt_store_query(st, KT_Q_FAVOURITE_HISTORY, a, 1, &c, err))) {
        while (!(rc = kt_store_step(c, &has, err)) && has) {
            json_t *h = json_object();
            put_opt_str(h, "category", kt_col_text(c, 0));
            json_object_set_new(h, "at", time_json(kt_col_int(c, 1)));
            json_object_set_new(h, "source", json_string(kt_col_text(c, 2)));
            json_array_append_new(fav, h);
        }
        kt_store_end(c);
    }
    json_object_set_new(o, "favourite_history", fav);
    json_t *merges = json_array();
    if (!rc && !(rc = kt_store_query(st, KT_Q_MERGES_OF_MEMBER, a, 1, &c, err))) {
        while (!(rc = kt_store_step(c, &has, err)) && has) {
            json_t *h = json_object();
            json_object_set_new(h, "survivor", json_integer(kt_col_int(c, 0)));
            json_object_set_new(h, "merged", json_integer(kt_col_int(c, 1)));
            json_object_set_new(h, "at", time_json(kt_col_int(c, 2)));
            json_object_set_new(h, "actor", json_string(kt_col_text(c, 3)));
            json_object_set_new(h, "cards_moved", json_integer(kt_col_int(c, 4)));
            json_object_set_new(h, "points_moved", json_integer(kt_col_int(c, 5)));
            json_array_append_new(merges, h);
        }
        kt_store_end(c);
    }
    json_object_set_new(o, "merges", merges);
    if (rc) { json_decref(o); return rc; }
    *out = o;
    return KT_OK;
}

