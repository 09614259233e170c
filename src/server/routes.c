/*
 * routes.c - the handlers behind every /v1 route (server_int.h): checkout
 * (identify, calculate, commit, refund, balance, receipts), members (read,
 * create, update, merge, cards, consents, favourite category, offers), cards
 * (block, unblock, replace), rules (list, load, activate), offers (issue),
 * health and metrics. Each takes
 * the parsed call, does its work on the worker's store and leaves the answer
 * in c->answer; errors are kt_err, turned into HTTP by server.c.
 */
#include "server_int.h"
#include "analytics.h"
#include "core/date.h"
#include "ledger/ledger.h"
#include "members/member_json.h"
#include "members/members.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dump(json_t *o) {
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    KT_ASSERT(s != NULL);
    return s;
}

/* A JSON object body, or invalid_input naming where it broke. */
static kt_rc parse_object(const kt_call *c, json_t **out, kt_err *err) {
    json_error_t je;
    json_t *o = json_loadb(c->body ? c->body : "", c->len, JSON_REJECT_DUPLICATES, &je);
    if (!o) return kt_fail(err, KT_EINVAL, "$", "malformed JSON at line %d column %d: %s", je.line, je.column, je.text);
    if (!json_is_object(o)) { json_decref(o); return kt_fail(err, KT_EINVAL, "$", "must be an object"); }
    *out = o;
    return KT_OK;
}

/* ---- checkout ---- */

static kt_rc pos_identify(kt_call *c, kt_err *err) {
    return kt_pos_identify(c->w->pos, c->body ? c->body : "", c->len, &c->answer, err);
}

static kt_rc pos_calculate(kt_call *c, kt_err *err) {
    return kt_pos_calculate(c->w->pos, c->body, c->len, &c->answer, err);
}

static kt_rc pos_commit(kt_call *c, kt_err *err) { return kt_server_commit(c, err); }

static kt_rc pos_refund(kt_call *c, kt_err *err) {
    return kt_pos_refund_ex(c->w->pos, c->body ? c->body : "", c->len, &c->answer, &c->repeat, err);
}

static kt_rc pos_balance(kt_call *c, kt_err *err) { return kt_pos_balance(c->w->pos, c->param[0], &c->answer, err); }

static kt_rc pos_receipt(kt_call *c, kt_err *err) {
    return kt_pos_explain(c->w->pos, c->param[0], c->param[1], &c->answer, err);
}

/* ---- members ---- */

static void put_str(json_t *o, const char *k, const char *v) {
    json_object_set_new(o, k, v && *v ? json_string(v) : json_null());
}

static kt_rc member_json(kt_store *st, int64_t id, char **out, kt_err *err) {
    json_t *o = NULL;
    kt_rc rc = kt_member_json(st, id, &o, err);
    if (rc) return rc;
    *out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return *out ? KT_OK : kt_fail(err, KT_ENOMEM, "member", "cannot serialise the member");
}

/* JSON key -> kt_member_set field; the same names as the member document. */
static const char *const profile_fields[] = {
    "member", "name", "sex", "birth_date", "city", "region", "family_status", "children",
    "car", "phone", "email", "registered", "reg_store", "favourite_category",
};

static bool is_profile_field(const char *k) {
    for (size_t i = 0; i < KT_ARRAY_LEN(profile_fields); i++)
        if (strcmp(k, profile_fields[i]) == 0) return true;
    return false;
}

/* A profile value as the string kt_member_set parses: null clears. */
static kt_rc apply_field(kt_member *m, const char *k, json_t *v, kt_err *err) {
    char path[80], buf[32];
    const char *s;
    snprintf(path, sizeof path, "$.%s", k);
    if (json_is_null(v)) s = "";
    else if (json_is_string(v)) s = json_string_value(v);
    else if (json_is_integer(v)) { snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v)); s = buf; }
    else if (json_is_boolean(v)) s = json_is_true(v) ? "1" : "0";
    else return kt_fail(err, KT_EINVAL, path, "must be a string, a number, a boolean or null");
    return kt_member_set(m, k, s, path, err);
}

/* "consents": {"sms": true, "email": false} */
static kt_rc apply_consents(kt_store *st, int64_t id, json_t *cs, const char *source, kt_time at, kt_err *err) {
    const char *ch;
    json_t *v;
    if (!cs) return KT_OK;
    if (!json_is_object(cs)) return kt_fail(err, KT_EINVAL, "$.consents", "must be an object of channel: true|false");
    json_object_foreach(cs, ch, v) {
        char path[64];
        snprintf(path, sizeof path, "$.consents.%s", ch);
        if (!json_is_boolean(v)) return kt_fail(err, KT_EINVAL, path, "must be true or false");
        kt_rc rc = kt_consent_check(ch, source, path, err);
        if (!rc) rc = kt_consent_set(st, id, ch, json_is_true(v), source, at, err);
        if (rc) return rc;
    }
    return KT_OK;
}

/* Check every key of a member document before anything is written. */
static kt_rc check_keys(json_t *o, const char *const *extra, size_t nextra, kt_err *err) {
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        bool ok = is_profile_field(k);
        for (size_t i = 0; i < nextra && !ok; i++) ok = strcmp(k, extra[i]) == 0;
        if (!ok) return kt_fail(err, KT_EINVAL, "$", "unknown key \"%s\"", k);
        if ((strcmp(k, "source") == 0 || strcmp(k, "card") == 0 || strcmp(k, "add_card") == 0) && !json_is_string(v))
            return kt_fail(err, KT_EINVAL, k, "must be a string");
    }
    return KT_OK;
}

static kt_rc apply_profile(kt_member *m, json_t *o, kt_err *err) {
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        if (!is_profile_field(k)) continue;
        kt_rc rc = apply_field(m, k, v, err);
        if (rc) return rc;
    }
    return KT_OK;
}

kt_rc kt_server_member_doc(const char *body, size_t len, bool create, kt_member *m, json_t **out, kt_err *err) {
    static const char *const create_extra[] = {"card", "consents", "source"};
    static const char *const update_extra[] = {"add_card", "consents", "source"};
    kt_call c;
    memset(&c, 0, sizeof c);
    c.body = body;
    c.len = len;
    *out = NULL;
    kt_rc rc = parse_object(&c, out, err);
    if (!rc) rc = check_keys(*out, create ? create_extra : update_extra, 3, err);
    if (!rc) rc = apply_profile(m, *out, err);
    return rc;
}

static kt_rc member_get(kt_call *c, kt_err *err) {
    int64_t id;
    kt_rc rc = kt_member_find(c->w->st, c->param[0], &id, err);
    if (!rc) rc = member_json(c->w->st, id, &c->answer, err);
    return rc;
}

static kt_rc member_create(kt_call *c, kt_err *err) {
    static const char *const extra[] = {"card", "consents", "source"};
    json_t *o = NULL;
    kt_member m;
    kt_store *st = c->w->st;
    kt_time now = kt_now();
    kt_member_init(&m, kt_today());
    kt_rc rc = parse_object(c, &o, err);
    if (!rc) rc = check_keys(o, extra, KT_ARRAY_LEN(extra), err);
    const char *card = o ? json_string_value(json_object_get(o, "card")) : NULL;
    const char *source = o && json_object_get(o, "source") ? json_string_value(json_object_get(o, "source")) : "app";
    if (!rc && !card) rc = kt_fail(err, KT_EINVAL, "$.card", "a member needs a card number");
    if (!rc) rc = apply_profile(&m, o, err);
    if (!rc) rc = kt_store_begin(st, err);
    if (!rc) rc = kt_member_insert(st, &m, c->actor, now, source, err);
    if (!rc) rc = kt_card_add(st, m.id, card, KT_CARD_ACTIVE, kt_today(), c->actor, now, "$.card", err);
    if (!rc) rc = apply_consents(st, m.id, json_object_get(o, "consents"), source, now, err);
    if (!rc) rc = kt_store_commit(st, err);
    if (rc) kt_store_rollback(st);
    json_decref(o);
    if (!rc) rc = member_json(st, m.id, &c->answer, err);
    if (!rc) { c->status = 201; snprintf(c->audit_object, sizeof c->audit_object, "member:%lld", (long long)m.id); }
    return rc;
}

static kt_rc member_update(kt_call *c, kt_err *err) {
    static const char *const extra[] = {"add_card", "consents", "source"};
    json_t *o = NULL;
    kt_member m;
    int64_t id = 0;
    kt_store *st = c->w->st;
    kt_time now = kt_now();
    kt_rc rc = parse_object(c, &o, err);
    if (!rc) rc = check_keys(o, extra, KT_ARRAY_LEN(extra), err);
    const char *source = o && json_object_get(o, "source") ? json_string_value(json_object_get(o, "source")) : "app";
    const char *add_card = o ? json_string_value(json_object_get(o, "add_card")) : NULL;
    if (!rc) rc = kt_store_begin(st, err);
    if (!rc) rc = kt_member_find(st, c->param[0], &id, err);
    if (!rc) rc = kt_member_load(st, id, &m, err);
    if (!rc) rc = apply_profile(&m, o, err);
    if (!rc) rc = kt_member_save(st, &m, c->actor, now, err);
    if (!rc) rc = apply_consents(st, id, json_object_get(o, "consents"), source, now, err);
    if (!rc && add_card) rc = kt_card_add(st, id, add_card, KT_CARD_ACTIVE, kt_today(), c->actor, now, "$.add_card", err);
    if (!rc) rc = kt_store_commit(st, err);
    if (rc) kt_store_rollback(st);
    json_decref(o);
    if (!rc) rc = member_json(st, id, &c->answer, err);
    if (!rc) snprintf(c->audit_object, sizeof c->audit_object, "member:%lld", (long long)id);
    return rc;
}

/* POST /v1/members/{survivor}/merge {"merged": KEY, "reason": TEXT} */
static kt_rc member_merge(kt_call *c, kt_err *err) {
    json_t *o = NULL;
    int64_t s = 0, m = 0, cards = 0;
    kt_points points = 0;
    kt_store *st = c->w->st;
    const char *k;
    json_t *v;
    kt_rc rc = parse_object(c, &o, err);
    if (!rc) json_object_foreach(o, k, v) {
        if (strcmp(k, "merged") && strcmp(k, "reason")) { rc = kt_fail(err, KT_EINVAL, "$", "unknown key \"%s\"", k); break; }
        if (!json_is_string(v)) { rc = kt_fail(err, KT_EINVAL, strcmp(k, "merged") ? "$.reason" : "$.merged", "must be a string"); break; }
    }
    const char *merged = o ? json_string_value(json_object_get(o, "merged")) : NULL;
    const char *reason = o ? json_string_value(json_object_get(o, "reason")) : NULL;
    if (!rc && !merged) rc = kt_fail(err, KT_EINVAL, "$.merged", "which member is merged into this one?");
    if (!rc) rc = kt_store_begin(st, err);
    if (!rc) rc = kt_member_find(st, c->param[0], &s, err);
    if (!rc) rc = kt_member_find(st, merged, &m, err);
    if (!rc && s == m) rc = kt_fail(err, KT_EINVAL, "$.merged", "a member cannot be merged into itself");
    if (!rc) rc = kt_member_merge(st, s, m, c->actor, reason, kt_now(), &points, &cards, err);
    if (!rc) rc = kt_store_commit(st, err);
    if (rc) kt_store_rollback(st);
    json_decref(o);
    if (rc) return rc;
    json_t *a = json_object();
    json_object_set_new(a, "survivor", json_integer(s));
    json_object_set_new(a, "merged", json_integer(m));
    json_object_set_new(a, "cards_moved", json_integer(cards));
    json_object_set_new(a, "points_moved", json_integer(points));
    c->answer = dump(a);
    snprintf(c->audit_object, sizeof c->audit_object, "member:%lld", (long long)s);
    return KT_OK;
}

/* Each key of o must be one of allowed[]; string values where strings[] says. */
static kt_rc only_keys(json_t *o, const char *const *allowed, size_t n, kt_err *err) {
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        size_t i = 0;
        while (i < n && strcmp(k, allowed[i]) != 0) i++;
        if (i == n) return kt_fail(err, KT_EINVAL, "$", "unknown key \"%.40s\"", k);
    }
    return KT_OK;
}

/* An optional string member: NULL when absent or null. */
static kt_rc get_str(json_t *o, const char *k, bool required, const char **out, kt_err *err) {
    char path[48];
    json_t *v = json_object_get(o, k);
    snprintf(path, sizeof path, "$.%s", k);
    *out = NULL;
    if (!v || json_is_null(v)) return required ? kt_fail(err, KT_EINVAL, path, "is required") : KT_OK;
    if (!json_is_string(v)) return kt_fail(err, KT_EINVAL, path, "must be a string");
    *out = json_string_value(v);
    return KT_OK;
}

static json_t *cards_json(kt_store *st, int64_t id, kt_rc *rc, kt_err *err) {
    kt_cursor *cur;
    bool has;
    kt_val a[] = {KT_VI(id)};
    json_t *cards = json_array();
    if ((*rc = kt_store_query(st, KT_Q_CARDS_OF_MEMBER, a, 1, &cur, err))) return cards;
    while (!(*rc = kt_store_step(cur, &has, err)) && has) {
        json_t *cd = json_object();
        char d[11];
        json_object_set_new(cd, "number", json_string(kt_col_text(cur, 1)));
        json_object_set_new(cd, "state", json_string(kt_col_text(cur, 2)));
        if (kt_col_null(cur, 3)) json_object_set_new(cd, "issued", json_null());
        else { kt_day_format((kt_day)kt_col_int(cur, 3), d); json_object_set_new(cd, "issued", json_string(d)); }
        json_array_append_new(cards, cd);
    }
    kt_store_end(cur);
    return cards;
}

/* {"member": ID, "cards": [...]} */
static kt_rc cards_answer(kt_store *st, int64_t id, char **out, kt_err *err) {
    kt_rc rc;
    json_t *cards = cards_json(st, id, &rc, err);
    if (rc) { json_decref(cards); return rc; }
    json_t *o = json_object();
    json_object_set_new(o, "member", json_integer(id));
    json_object_set_new(o, "cards", cards);
    *out = dump(o);
    return KT_OK;
}

static kt_rc member_cards(kt_call *c, kt_err *err) {
    int64_t id;
    kt_rc rc = kt_member_find(c->w->st, c->param[0], &id, err);
    return rc ? rc : cards_answer(c->w->st, id, &c->answer, err);
}

/* POST /v1/members/{key}/cards {"card": NO}: another active card. */
static kt_rc member_card_add(kt_call *c, kt_err *err) {
    static const char *const keys[] = {"card"};
    json_t *o = NULL;
    const char *card = NULL;
    int64_t id = 0;
    kt_store *st = c->w->st;
    kt_rc rc = parse_object(c, &o, err);
    if (!rc) rc = only_keys(o, keys, KT_ARRAY_LEN(keys), err);
    if (!rc) rc = get_str(o, "card", true, &card, err);
    if (!rc) rc = kt_store_begin(st, err);
    if (!rc) {
        rc = kt_member_find(st, c->param[0], &id, err);
        if (!rc) rc = kt_card_add(st, id, card, KT_CARD_ACTIVE, kt_today(), c->actor, kt_now(), "$.card", err);
        if (!rc) rc = kt_store_commit(st, err);
        else kt_store_rollback(st);
    }
    json_decref(o);
    if (!rc) rc = cards_answer(st, id, &c->answer, err);
    if (!rc) { c->status = 201; snprintf(c->audit_object, sizeof c->audit_object, "member:%lld", (long long)id); }
    return rc;
}

/* The card's owner and state; KT_ENOTFOUND naming the path parameter. */
static kt_rc card_of(kt_store *st, const char *number, char norm[KT_CARD_MAX], int64_t *member, kt_card_state *state,
                     kt_err *err) {
    kt_cursor *cur;
    bool has;
    char text[16] = "";
    kt_rc rc = kt_card_normalise(number, norm, err, "card");
    if (rc) return rc;
    kt_val a[] = {KT_VS(norm)};
    if ((rc = kt_store_query(st, KT_Q_CARD_GET, a, 1, &cur, err))) return rc;
    rc = kt_store_step(cur, &has, err);
    if (!rc && has) { *member = kt_col_int(cur, 1); snprintf(text, sizeof text, "%s", kt_col_text(cur, 2)); }
    kt_store_end(cur);
    if (rc) return rc;
    if (!has) return kt_fail(err, KT_ENOTFOUND, "card", "no card %s", norm);
    return kt_card_state_parse(text, state, "card", err);
}

/* POST /v1/cards/{card}/block|unblock|replace: one card's state, audited;
 * replace blocks it and registers the new card to the same member. */
typedef enum { CARD_BLOCK, CARD_UNBLOCK, CARD_REPLACE } card_op;

static kt_rc card_change(kt_call *c, card_op op, kt_err *err) {
    static const char *const keys_block[] = {"reason"};
    static const char *const keys_replace[] = {"new_card", "reason"};
    json_t *o = NULL;
    const char *reason = NULL, *new_card = NULL;
    char norm[KT_CARD_MAX];
    int64_t member = 0;
    kt_card_state state;
    kt_store *st = c->w->st;
    kt_time now = kt_now();
    kt_rc rc = KT_OK;
    if (c->len) {
        rc = parse_object(c, &o, err);
        if (!rc) rc = op == CARD_REPLACE ? only_keys(o, keys_replace, 2, err) : only_keys(o, keys_block, 1, err);
        if (!rc) rc = get_str(o, "reason", false, &reason, err);
    } else if (op == CARD_REPLACE) {
        rc = kt_fail(err, KT_EINVAL, "$.new_card", "is required");
    }
    if (!rc && op == CARD_REPLACE) rc = get_str(o, "new_card", true, &new_card, err);
    if (!rc) rc = kt_store_begin(st, err);
    if (rc) { json_decref(o); return rc; }
    rc = card_of(st, c->param[0], norm, &member, &state, err);
    if (!rc && op == CARD_UNBLOCK && state != KT_CARD_BLOCKED)
        rc = kt_fail(err, KT_ECONFLICT, "card", "card %s is %s, not blocked", norm, kt_card_state_name(state));
    if (!rc && op != CARD_UNBLOCK && state == KT_CARD_BLOCKED)
        rc = kt_fail(err, KT_ECONFLICT, "card", "card %s is blocked already", norm);
    const char *why = reason ? reason : op == CARD_BLOCK ? "blocked" : op == CARD_UNBLOCK ? "unblocked" : "replaced";
    if (!rc) rc = kt_card_set_state(st, norm, op == CARD_UNBLOCK ? KT_CARD_ACTIVE : KT_CARD_BLOCKED, c->actor, why, now, err);
    if (!rc && op == CARD_REPLACE) rc = kt_card_add(st, member, new_card, KT_CARD_ACTIVE, kt_today(), c->actor, now, "$.new_card", err);
    if (!rc) rc = kt_store_commit(st, err);
    else kt_store_rollback(st);
    json_decref(o);
    if (!rc) rc = cards_answer(st, member, &c->answer, err);
    if (!rc) snprintf(c->audit_object, sizeof c->audit_object, "member:%lld", (long long)member);
    return rc;
}

static kt_rc card_block(kt_call *c, kt_err *err) { return card_change(c, CARD_BLOCK, err); }
static kt_rc card_unblock(kt_call *c, kt_err *err) { return card_change(c, CARD_UNBLOCK, err); }
static kt_rc card_replace(kt_call *c, kt_err *err) { return card_change(c, CARD_REPLACE, err); }

/* POST /v1/members/{key}/consents {"consents": {"sms": true, ...}, "source": S}:
 * appended to the member's consent history; answer: the member document. */
static kt_rc member_consents(kt_call *c, kt_err *err) {
    static const char *const keys[] = {"consents", "source"};
    json_t *o = NULL;
    const char *source = NULL;
    int64_t id = 0;
    kt_store *st = c->w->st;
    kt_rc rc = parse_object(c, &o, err);
    if (!rc) rc = only_keys(o, keys, KT_ARRAY_LEN(keys), err);
    if (!rc) rc = get_str(o, "source", false, &source, err);
    json_t *cs = o ? json_object_get(o, "consents") : NULL;
    if (!rc && (!json_is_object(cs) || json_object_size(cs) == 0))
        rc = kt_fail(err, KT_EINVAL, "$.consents", "must be an object of channel: true|false");
    if (!rc) rc = kt_store_begin(st, err);
    if (!rc) {
        rc = kt_member_find(st, c->param[0], &id, err);
        if (!rc) rc = apply_consents(st, id, cs, source ? source : "app", kt_now(), err);
        if (!rc) rc = kt_store_commit(st, err);
        else kt_store_rollback(st);
    }
    json_decref(o);
    if (!rc) rc = member_json(st, id, &c->answer, err);
    if (!rc) snprintf(c->audit_object, sizeof c->audit_object, "member:%lld", (long long)id);
    return rc;
}

/* PUT /v1/members/{key}/favourite {"category": CODE or null}: recorded in the
 * member's favourite history; answer: the member document. */
static kt_rc member_favourite(kt_call *c, kt_err *err) {
    static const char *const keys[] = {"category"};
    json_t *o = NULL;
    const char *cat = NULL;
    int64_t id = 0;
    kt_member m;
    kt_store *st = c->w->st;
    kt_rc rc = parse_object(c, &o, err);
    if (!rc) rc = only_keys(o, keys, KT_ARRAY_LEN(keys), err);
    if (!rc && !json_object_get(o, "category")) rc = kt_fail(err, KT_EINVAL, "$.category", "is required (null clears it)");
    if (!rc) rc = get_str(o, "category", false, &cat, err);
    if (!rc) rc = kt_store_begin(st, err);
    if (!rc) {
        rc = kt_member_find(st, c->param[0], &id, err);
        if (!rc) rc = kt_member_load(st, id, &m, err);
        if (!rc) rc = kt_member_set(&m, "favourite_category", cat ? cat : "", "$.category", err);
        if (!rc) rc = kt_member_save(st, &m, c->actor, kt_now(), err);
        if (rc == KT_ENOTFOUND && strcmp(err->field, "favourite_category") == 0) snprintf(err->field, sizeof err->field, "$.category");
        if (!rc) rc = kt_store_commit(st, err);
        else kt_store_rollback(st);
    }
    json_decref(o);
    if (!rc) rc = member_json(st, id, &c->answer, err);
    if (!rc) snprintf(c->audit_object, sizeof c->audit_object, "member:%lld", (long long)id);
    return rc;
}

static kt_rc member_offers(kt_call *c, kt_err *err) {
    return kt_pos_offers_list(c->w->pos, c->param[0], &c->answer, err);
}

/* ---- rules ---- */

static kt_rc rules_list(kt_call *c, kt_err *err) {
    kt_cursor *cur;
    bool has;
    kt_rc rc = kt_store_query(c->w->st, KT_Q_RULES_LIST, NULL, 0, &cur, err);
    if (rc) return rc;
    json_t *a = json_array();
    while (!(rc = kt_store_step(cur, &has, err)) && has) {
        json_t *r = json_object();
        char t[40];
        kt_time_format(kt_col_int(cur, 1), kt_now_offset(), t);
        json_object_set_new(r, "version", json_integer(kt_col_int(cur, 0)));
        json_object_set_new(r, "loaded_at", json_string(t));
        json_object_set_new(r, "actor", json_string(kt_col_text(cur, 2)));
        put_str(r, "note", kt_col_text(cur, 3));
        json_object_set_new(r, "active", json_boolean(kt_col_int(cur, 4)));
        json_array_append_new(a, r);
    }
    kt_store_end(cur);
    if (rc) { json_decref(a); return rc; }
    json_t *o = json_object();
    json_object_set_new(o, "versions", a);
    c->answer = dump(o);
    return KT_OK;
}

/* POST /v1/rules[?note=TEXT]: the body is the rule document (docs/rules.md). */
static kt_rc rules_load(kt_call *c, kt_err *err) {
    int64_t version;
    const char *note = MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, "note");
    kt_rc rc = kt_pos_rules_load(c->w->pos, c->body ? c->body : "", c->len, c->actor, note, &version, err);
    if (rc) return rc;
    json_t *o = json_object();
    json_object_set_new(o, "version", json_integer(version));
    json_object_set_new(o, "active", json_true());
    c->answer = dump(o);
    c->status = 201;
    snprintf(c->audit_object, sizeof c->audit_object, "rules:%lld", (long long)version);
    return KT_OK;
}

/* POST /v1/rules/{version}/activate: an older (or newer) loaded version becomes active. */
static kt_rc rules_activate(kt_call *c, kt_err *err) {
    int64_t version;
    bool changed;
    kt_rc rc = kt_parse_i64(c->param[0], strlen(c->param[0]), 1, INT64_MAX, &version, err, "version");
    if (!rc) rc = kt_pos_rules_activate(c->w->pos, version, c->actor, &changed, err);
    if (rc) return rc;
    json_t *o = json_object();
    json_object_set_new(o, "version", json_integer(version));
    json_object_set_new(o, "active", json_true());
    json_object_set_new(o, "changed", json_boolean(changed));
    c->answer = dump(o);
    snprintf(c->audit_object, sizeof c->audit_object, "rules:%lld", (long long)version);
    return KT_OK;
}

/* ---- offers ---- */

static kt_rc offers_issue(kt_call *c, kt_err *err) {
    kt_rc rc = kt_pos_offers_issue_json(c->w->pos, c->body ? c->body : "", c->len, c->actor, &c->answer, err);
    if (!rc) { c->status = 201; snprintf(c->audit_object, sizeof c->audit_object, "offers"); }
    return rc;
}

/* ---- service ---- */

static kt_rc healthz(kt_call *c, kt_err *err) {
    int64_t v = 0;
    bool found;
    kt_rc rc = kt_store_int(c->w->st, KT_Q_RULES_ACTIVE, NULL, 0, &v, &found, err);
    if (rc) return rc;
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string("ok"));
    json_object_set_new(o, "schema_version", json_integer(kt_store_schema_version(c->w->st)));
    json_object_set_new(o, "rules_version", found ? json_integer(v) : json_null());
    c->answer = dump(o);
    return KT_OK;
}

static kt_rc metrics(kt_call *c, kt_err *err) {
    KT_UNUSED(err);
    c->answer = kt_server_metrics(c->w);
    c->content_type = "text/plain; version=0.0.4";
    return KT_OK;
}

#define POS KT_ROLE_POS
#define APP KT_ROLE_APP
#define ANALYST KT_ROLE_ANALYST
#define MARKETER KT_ROLE_MARKETER
#define ADMIN KT_ROLE_ADMIN

/* Every route the server answers; docs/openapi.yaml lists the same. */
const kt_route kt_routes[] = {
    {"POST", "/v1/pos/identify", POS | APP | ADMIN, false, pos_identify},
    {"POST", "/v1/pos/calculate", POS | APP | ADMIN, false, pos_calculate},
    {"POST", "/v1/pos/commit", POS | APP | ADMIN, true, pos_commit},
    {"POST", "/v1/pos/refund", POS | APP | ADMIN, true, pos_refund},
    {"GET", "/v1/pos/balance/{card}", POS | APP | ANALYST | MARKETER | ADMIN, false, pos_balance},
    {"GET", "/v1/pos/receipts/{store}/{receipt}", POS | APP | ANALYST | ADMIN, false, pos_receipt},
    {"GET", "/v1/members/{key}", APP | ANALYST | MARKETER | ADMIN, false, member_get},
    {"POST", "/v1/members", POS | APP | ADMIN, true, member_create},
    {"PATCH", "/v1/members/{key}", APP | ADMIN, true, member_update},
    {"POST", "/v1/members/{key}/merge", ADMIN, true, member_merge},
    {"GET", "/v1/members/{key}/offers", POS | APP | MARKETER | ADMIN, false, member_offers},
    {"GET", "/v1/members/{key}/cards", APP | ANALYST | MARKETER | ADMIN, false, member_cards},
    {"POST", "/v1/members/{key}/cards", APP | ADMIN, true, member_card_add},
    {"POST", "/v1/members/{key}/consents", APP | ADMIN, true, member_consents},
    {"PUT", "/v1/members/{key}/favourite", APP | ADMIN, true, member_favourite},
    {"POST", "/v1/cards/{card}/block", APP | ADMIN, true, card_block},
    {"POST", "/v1/cards/{card}/unblock", ADMIN, true, card_unblock},
    {"POST", "/v1/cards/{card}/replace", APP | ADMIN, true, card_replace},
    {"GET", "/v1/rules", ANALYST | MARKETER | ADMIN, false, rules_list},
    {"POST", "/v1/rules", MARKETER | ADMIN, true, rules_load},
    {"POST", "/v1/rules/{version}/activate", MARKETER | ADMIN, true, rules_activate},
    {"POST", "/v1/offers", MARKETER | ADMIN, true, offers_issue},
    {"GET", "/v1/analytics/{analysis}", ANALYST | MARKETER | ADMIN, false, kt_server_analytics},
    {"GET", "/v1/analytics/{analysis}/{name}", ANALYST | MARKETER | ADMIN, false, kt_server_analytics},
    {"GET", "/healthz", 0, false, healthz},
    {"GET", "/metrics", 0, false, metrics},
};
const size_t kt_routes_count = KT_ARRAY_LEN(kt_routes);
