/*
 * members.c - members, cards, consents, favourite category, duplicates and
 * merges (members.h).
 */
#include "members.h"
#include "core/date.h"
#include "ledger/ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KT_DUP_GROUP_MAX 1000 /* members sharing one key; more means a placeholder phone */

void kt_member_init(kt_member *m, kt_day registered_day) {
    memset(m, 0, sizeof *m);
    m->birth_day = KT_DAY_NONE;
    m->children = -1;
    m->car = -1;
    m->registered_day = registered_day;
    strcpy(m->state, "active");
}

static kt_rc copy_checked(char *dst, size_t cap, const char *v, bool name, const char *label, kt_err *err) {
    size_t n = strlen(v);
    kt_rc rc = name ? kt_catalog_check_name(v, label, err) : (n ? kt_catalog_check_code(v, label, err) : KT_OK);
    if (rc) return rc;
    if (n >= cap) return kt_fail(err, KT_EINVAL, label, "longer than %zu bytes", cap - 1);
    memcpy(dst, v, n + 1);
    return KT_OK;
}

/* Trim ASCII spaces at both ends into a bounded scratch buffer. */
static const char *trim(const char *v, char *buf, size_t cap) {
    while (*v == ' ' || *v == '\t') v++;
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t')) n--;
    if (n >= cap) n = cap - 1;
    memcpy(buf, v, n);
    buf[n] = 0;
    return buf;
}

kt_rc kt_member_set(kt_member *m, const char *field, const char *raw, const char *label, kt_err *err) {
    char tb[KT_NAME_MAX + 8];
    const char *v = trim(raw ? raw : "", tb, sizeof tb);
    bool empty = !*v;
    if (strcmp(field, "member") == 0) return copy_checked(m->ext_id, sizeof m->ext_id, v, false, label, err);
    if (strcmp(field, "name") == 0) return copy_checked(m->name, sizeof m->name, v, true, label, err);
    if (strcmp(field, "city") == 0) return copy_checked(m->city, sizeof m->city, v, true, label, err);
    if (strcmp(field, "region") == 0) return copy_checked(m->region, sizeof m->region, v, true, label, err);
    if (strcmp(field, "reg_store") == 0) return copy_checked(m->reg_store, sizeof m->reg_store, v, false, label, err);
    if (strcmp(field, "favourite_category") == 0)
        return copy_checked(m->favourite_category, sizeof m->favourite_category, v, false, label, err);
    if (strcmp(field, "sex") == 0) {
        if (empty) { m->sex = 0; return KT_OK; }
        if ((v[0] == 'M' || v[0] == 'm') && !v[1]) { m->sex = 'M'; return KT_OK; }
        if ((v[0] == 'F' || v[0] == 'f') && !v[1]) { m->sex = 'F'; return KT_OK; }
        return kt_fail(err, KT_EINVAL, label, "must be M or F, not \"%s\"", v);
    }
    if (strcmp(field, "birth_date") == 0) {
        if (empty) { m->birth_day = KT_DAY_NONE; return KT_OK; }
        kt_day d;
        kt_rc rc = kt_day_parse(v, strlen(v), &d, err, label);
        if (rc) return rc;
        if (d > kt_today()) return kt_fail(err, KT_EINVAL, label, "%s is in the future", v);
        m->birth_day = d;
        return KT_OK;
    }
    if (strcmp(field, "registered") == 0) {
        if (empty) return kt_fail(err, KT_EINVAL, label, "is required");
        return kt_day_parse(v, strlen(v), &m->registered_day, err, label);
    }
    if (strcmp(field, "family_status") == 0) {
        static const char *const ok[] = {"single", "married", "divorced", "widowed"};
        if (empty) { m->family_status[0] = 0; return KT_OK; }
        for (size_t i = 0; i < KT_ARRAY_LEN(ok); i++)
            if (strcmp(v, ok[i]) == 0) { strcpy(m->family_status, ok[i]); return KT_OK; }
        return kt_fail(err, KT_EINVAL, label, "must be single, married, divorced or widowed, not \"%s\"", v);
    }
    if (strcmp(field, "children") == 0) {
        if (empty) { m->children = -1; return KT_OK; }
        int64_t n;
        kt_rc rc = kt_parse_i64(v, strlen(v), 0, 20, &n, err, label);
        if (!rc) m->children = (int)n;
        return rc;
    }
    if (strcmp(field, "car") == 0) {
        if (empty) { m->car = -1; return KT_OK; }
        bool b;
        kt_rc rc = kt_parse_bool(v, strlen(v), &b, err, label);
        if (!rc) m->car = b;
        return rc;
    }
    if (strcmp(field, "phone") == 0) {
        if (empty) { m->phone[0] = 0; return KT_OK; }
        return kt_phone_normalise(v, m->phone, err, label);
    }
    if (strcmp(field, "email") == 0) {
        if (empty) { m->email[0] = 0; return KT_OK; }
        return kt_email_normalise(v, m->email, err, label);
    }
    return kt_fail(err, KT_EINTERNAL, label, "unknown member field \"%s\"", field);
}

static kt_val vstr(const char *s) { return s[0] ? KT_VS(s) : KT_VNULL; }

static kt_rc resolve_refs(kt_store *st, const kt_member *m, int64_t *store_id, int64_t *cat_id, kt_err *err) {
    kt_rc rc = KT_OK;
    *store_id = *cat_id = 0;
    if (m->reg_store[0]) rc = kt_catalog_store_id(st, m->reg_store, "reg_store", store_id, err);
    if (!rc && m->favourite_category[0])
        rc = kt_catalog_category_id(st, m->favourite_category, "favourite_category", cat_id, err);
    return rc;
}

static kt_rc audit(kt_store *st, kt_time at, const char *actor, const char *action, const char *object,
                   const char *detail, kt_err *err) {
    kt_val a[] = {KT_VI(at), KT_VS(actor), KT_VS(action), KT_VS(object), KT_VS(detail)};
    return kt_store_exec(st, KT_Q_AUDIT_INSERT, a, KT_ARRAY_LEN(a), err);
}

kt_rc kt_member_insert(kt_store *st, kt_member *m, const char *actor, kt_time at, const char *source, kt_err *err) {
    int64_t store_id, cat_id;
    kt_rc rc = resolve_refs(st, m, &store_id, &cat_id, err);
    if (rc) return rc;
    char sex[2] = {m->sex, 0};
    kt_val a[] = {vstr(m->ext_id), vstr(m->name), vstr(sex),
                  KT_VIOPT(m->birth_day != KT_DAY_NONE, m->birth_day), vstr(m->city), vstr(m->region),
                  vstr(m->family_status), KT_VIOPT(m->children >= 0, m->children), KT_VIOPT(m->car >= 0, m->car),
                  vstr(m->phone), vstr(m->email), KT_VI(m->registered_day), KT_VIOPT(store_id, store_id),
                  KT_VIOPT(cat_id, cat_id), KT_VI(at)};
    rc = kt_store_int(st, KT_Q_MEMBER_INSERT, a, KT_ARRAY_LEN(a), &m->id, NULL, err);
    if (rc == KT_EEXIST) return kt_fail(err, KT_EEXIST, "member", "member \"%s\" already exists", m->ext_id);
    if (rc) return rc;
    if (cat_id) {
        kt_val f[] = {KT_VI(m->id), KT_VI(cat_id), KT_VI(at), KT_VS(source)};
        if ((rc = kt_store_exec(st, KT_Q_FAVOURITE_INSERT, f, KT_ARRAY_LEN(f), err))) return rc;
    }
    m->created_at = m->updated_at = at;
    if (strcmp(actor, "import") == 0) return KT_OK; /* bulk loads are recorded in `imports` */
    char object[32];
    snprintf(object, sizeof object, "member:%lld", (long long)m->id);
    return audit(st, at, actor, "member.add", object, source, err);
}

static void col_copy(kt_cursor *c, int col, char *dst, size_t cap) {
    const char *s = kt_col_text(c, col);
    snprintf(dst, cap, "%s", s ? s : "");
}

kt_rc kt_member_load(kt_store *st, int64_t id, kt_member *m, kt_err *err) {
    kt_cursor *c;
    bool has;
    kt_val a[] = {KT_VI(id)};
    kt_rc rc = kt_store_query(st, KT_Q_MEMBER_GET, a, 1, &c, err);
    if (rc) return rc;
    rc = kt_store_step(c, &has, err);
    if (!rc && !has) rc = kt_fail(err, KT_ENOTFOUND, "member", "no member #%lld", (long long)id);
    if (!rc) {
        kt_member_init(m, 0);
        m->id = kt_col_int(c, 0);
        col_copy(c, 1, m->ext_id, sizeof m->ext_id);
        col_copy(c, 2, m->name, sizeof m->name);
        m->sex = kt_col_null(c, 3) ? 0 : kt_col_text(c, 3)[0];
        m->birth_day = kt_col_null(c, 4) ? KT_DAY_NONE : (kt_day)kt_col_int(c, 4);
        col_copy(c, 5, m->city, sizeof m->city);
        col_copy(c, 6, m->region, sizeof m->region);
        col_copy(c, 7, m->family_status, sizeof m->family_status);
        m->children = kt_col_null(c, 8) ? -1 : (int)kt_col_int(c, 8);
        m->car = kt_col_null(c, 9) ? -1 : (int)kt_col_int(c, 9);
        col_copy(c, 10, m->phone, sizeof m->phone);
        col_copy(c, 11, m->email, sizeof m->email);
        m->registered_day = (kt_day)kt_col_int(c, 12);
        col_copy(c, 13, m->reg_store, sizeof m->reg_store);
        col_copy(c, 14, m->favourite_category, sizeof m->favourite_category);
        col_copy(c, 15, m->state, sizeof m->state);
        m->merged_into = kt_col_int(c, 16);
        m->balance = kt_col_int(c, 17);
        m->created_at = kt_col_int(c, 18);
        m->updated_at = kt_col_int(c, 19);
    }
    kt_store_end(c);
    return rc;
}

kt_rc kt_member_save(kt_store *st, const kt_member *m, const char *actor, kt_time at, kt_err *err) {
    kt_member old;
    int64_t store_id, cat_id;
    kt_rc rc = kt_member_load(st, m->id, &old, err);
    if (rc) return rc;
    if (strcmp(old.state, "active") != 0)
        return kt_fail(err, KT_ECONFLICT, "member", "member #%lld was merged into #%lld", (long long)m->id,
                       (long long)old.merged_into);
    if ((rc = resolve_refs(st, m, &store_id, &cat_id, err))) return rc;
    char sex[2] = {m->sex, 0};
    kt_val a[] = {KT_VI(m->id), vstr(m->ext_id), vstr(m->name), vstr(sex),
                  KT_VIOPT(m->birth_day != KT_DAY_NONE, m->birth_day), vstr(m->city), vstr(m->region),
                  vstr(m->family_status), KT_VIOPT(m->children >= 0, m->children), KT_VIOPT(m->car >= 0, m->car),
                  vstr(m->phone), vstr(m->email), KT_VI(m->registered_day), KT_VIOPT(store_id, store_id),
                  KT_VIOPT(cat_id, cat_id), KT_VI(at)};
    rc = kt_store_exec(st, KT_Q_MEMBER_UPDATE, a, KT_ARRAY_LEN(a), err);
    if (rc == KT_EEXIST) return kt_fail(err, KT_EEXIST, "member", "member \"%s\" already exists", m->ext_id);
    if (rc) return rc;
    if (strcmp(old.favourite_category, m->favourite_category) != 0) {
        kt_val f[] = {KT_VI(m->id), KT_VIOPT(cat_id, cat_id), KT_VI(at), KT_VS(actor)};
        if ((rc = kt_store_exec(st, KT_Q_FAVOURITE_INSERT, f, KT_ARRAY_LEN(f), err))) return rc;
    }
    /* the audit names the changed fields, never their values (no phones in logs) */
    char changed[256] = "";
#define KT_CHANGED(f, cond) if (cond) { strcat(changed, changed[0] ? "," : ""); strcat(changed, f); }
    KT_CHANGED("member", strcmp(old.ext_id, m->ext_id))
    KT_CHANGED("name", strcmp(old.name, m->name))
    KT_CHANGED("sex", old.sex != m->sex)
    KT_CHANGED("birth_date", old.birth_day != m->birth_day)
    KT_CHANGED("city", strcmp(old.city, m->city))
    KT_CHANGED("region", strcmp(old.region, m->region))
    KT_CHANGED("family_status", strcmp(old.family_status, m->family_status))
    KT_CHANGED("children", old.children != m->children)
    KT_CHANGED("car", old.car != m->car)
    KT_CHANGED("phone", strcmp(old.phone, m->phone))
    KT_CHANGED("email", strcmp(old.email, m->email))
    KT_CHANGED("reg_store", strcmp(old.reg_store, m->reg_store))
    KT_CHANGED("favourite_category", strcmp(old.favourite_category, m->favourite_category))
#undef KT_CHANGED
    char object[32];
    snprintf(object, sizeof object, "member:%lld", (long long)m->id);
    return changed[0] ? audit(st, at, actor, "member.update", object, changed, err) : KT_OK;
}

static kt_rc one_of(kt_store *st, kt_query q, const char *key, const char *what, int64_t *out, bool *found, kt_err *err) {
    kt_cursor *c;
    kt_val a[] = {KT_VS(key)};
    int n = 0;
    kt_rc rc = kt_store_query(st, q, a, 1, &c, err);
    if (rc) return rc;
    for (;;) {
        bool has;
        if ((rc = kt_store_step(c, &has, err)) || !has) break;
        if (n++ == 0) *out = kt_col_int(c, 0);
    }
    kt_store_end(c);
    *found = n > 0;
    if (!rc && n > 1)
        rc = kt_fail(err, KT_ECONFLICT, "member", "%d members share this %s; use a card number or #id (see karta member duplicates)", n, what);
    return rc;
}

kt_rc kt_member_find(kt_store *st, const char *key, int64_t *out_id, kt_err *err) {
    bool found = false;
    kt_rc rc;
    kt_val a[1];
    if (!key || !*key) return kt_fail(err, KT_EINVAL, "member", "empty member key");
    if (key[0] == '#' || strncmp(key, "id:", 3) == 0) {
        const char *num = key + (key[0] == '#' ? 1 : 3);
        int64_t id;
        if ((rc = kt_parse_i64(num, strlen(num), 1, INT64_MAX, &id, err, "member"))) return rc;
        a[0] = KT_VI(id);
        if ((rc = kt_store_int(st, KT_Q_MEMBER_EXISTS, a, 1, out_id, &found, err))) return rc;
        if (!found) return kt_fail(err, KT_ENOTFOUND, "member", "no member #%lld", (long long)id);
        return KT_OK;
    }
    char card[KT_CARD_MAX];
    if (kt_card_normalise(key, card, NULL, NULL) == KT_OK) {
        kt_cursor *c;
        bool has;
        a[0] = KT_VS(card);
        if ((rc = kt_store_query(st, KT_Q_CARD_GET, a, 1, &c, err))) return rc;
        rc = kt_store_step(c, &has, err);
        if (!rc && has) *out_id = kt_col_int(c, 1);
        kt_store_end(c);
        if (rc || has) return rc;
    }
    if (strchr(key, '@')) {
        char email[KT_EMAIL_MAX];
        if ((rc = kt_email_normalise(key, email, err, "member"))) return rc;
        if ((rc = one_of(st, KT_Q_MEMBERS_BY_EMAIL, email, "e-mail", out_id, &found, err)) || found) return rc;
        return kt_fail(err, KT_ENOTFOUND, "member", "no member with this e-mail");
    }
    a[0] = KT_VS(key);
    if ((rc = kt_store_int(st, KT_Q_MEMBER_BY_EXT, a, 1, out_id, &found, err)) || found) return rc;
    char phone[KT_PHONE_MAX];
    if (kt_phone_normalise(key, phone, NULL, NULL) == KT_OK) {
        if ((rc = one_of(st, KT_Q_MEMBERS_BY_PHONE, phone, "phone", out_id, &found, err)) || found) return rc;
    }
    return kt_fail(err, KT_ENOTFOUND, "member", "no member with card, phone, e-mail or id \"%s\"", key);
}

static const char *const card_states[] = {"issued", "active", "inactive", "blocked"};

const char *kt_card_state_name(kt_card_state s) { return card_states[s]; }

kt_rc kt_card_state_parse(const char *s, kt_card_state *out, const char *label, kt_err *err) {
    for (size_t i = 0; i < KT_ARRAY_LEN(card_states); i++)
        if (strcmp(s, card_states[i]) == 0) { *out = (kt_card_state)i; return KT_OK; }
    return kt_fail(err, KT_EINVAL, label, "card state must be issued, active, inactive or blocked, not \"%s\"", s);
}

kt_rc kt_card_add(kt_store *st, int64_t member, const char *number, kt_card_state state, kt_day issued_day,
                  const char *actor, kt_time at, const char *label, kt_err *err) {
    char card[KT_CARD_MAX];
    int64_t card_id;
    kt_rc rc = kt_card_normalise(number, card, err, label);
    if (rc) return rc;
    kt_val a[] = {KT_VS(card), KT_VI(member), KT_VS(card_states[state]), KT_VIOPT(issued_day != KT_DAY_NONE, issued_day),
                  KT_VI(at)};
    rc = kt_store_int(st, KT_Q_CARD_INSERT, a, KT_ARRAY_LEN(a), &card_id, NULL, err);
    if (rc == KT_EEXIST) return kt_fail(err, KT_EEXIST, label, "card %s is already registered", card);
    if (rc == KT_EINVAL) return kt_fail(err, KT_ENOTFOUND, "member", "no member #%lld", (long long)member);
    if (rc) return rc;
    kt_val e[] = {KT_VI(card_id), KT_VI(member), KT_VS(card_states[state]), KT_VI(at), KT_VS(actor), KT_VS("issued")};
    return kt_store_exec(st, KT_Q_CARD_EVENT_INSERT, e, KT_ARRAY_LEN(e), err);
}

kt_rc kt_card_set_state(kt_store *st, const char *number, kt_card_state state, const char *actor,
                        const char *reason, kt_time at, kt_err *err) {
    char card[KT_CARD_MAX];
    kt_cursor *c;
    bool has;
    int64_t card_id = 0, member = 0;
    kt_rc rc = kt_card_normalise(number, card, err, "card");
    if (rc) return rc;
    kt_val a[] = {KT_VS(card)};
    if ((rc = kt_store_query(st, KT_Q_CARD_GET, a, 1, &c, err))) return rc;
    rc = kt_store_step(c, &has, err);
    if (!rc && has) { card_id = kt_col_int(c, 0); member = kt_col_int(c, 1); }
    kt_store_end(c);
    if (rc) return rc;
    if (!has) return kt_fail(err, KT_ENOTFOUND, "card", "no card %s", card);
    kt_val u[] = {KT_VI(card_id), KT_VS(card_states[state]), KT_VI(at)};
    if ((rc = kt_store_exec(st, KT_Q_CARD_SET_STATE, u, KT_ARRAY_LEN(u), err))) return rc;
    kt_val e[] = {KT_VI(card_id), KT_VI(member), KT_VS(card_states[state]), KT_VI(at), KT_VS(actor), KT_VS(reason)};
    return kt_store_exec(st, KT_Q_CARD_EVENT_INSERT, e, KT_ARRAY_LEN(e), err);
}

static const char *const channels[] = {"sms", "email", "push", "viber", "app"};
static const char *const sources[] = {"registration", "support", "app", "store", "shop", "import", "merge"};

kt_rc kt_consent_check(const char *channel, const char *source, const char *label, kt_err *err) {
    bool ok = false;
    for (size_t i = 0; i < KT_ARRAY_LEN(channels); i++) ok |= strcmp(channel, channels[i]) == 0;
    if (!ok) return kt_fail(err, KT_EINVAL, label, "channel must be sms, email, push, viber or app, not \"%s\"", channel);
    ok = false;
    for (size_t i = 0; i < KT_ARRAY_LEN(sources); i++) ok |= strcmp(source, sources[i]) == 0;
    if (!ok)
        return kt_fail(err, KT_EINVAL, label,
                       "source must be registration, support, app, store, shop, import or merge, not \"%s\"", source);
    return KT_OK;
}

kt_rc kt_consent_set(kt_store *st, int64_t member, const char *channel, bool granted, const char *source,
                     kt_time at, kt_err *err) {
    kt_rc rc = kt_consent_check(channel, source, "consent", err);
    if (rc) return rc;
    kt_val a[] = {KT_VI(member), KT_VS(channel), KT_VI(granted), KT_VI(at), KT_VS(source)};
    rc = kt_store_exec(st, KT_Q_CONSENT_INSERT, a, KT_ARRAY_LEN(a), err);
    if (rc == KT_EINVAL) rc = kt_fail(err, KT_ENOTFOUND, "member", "no member #%lld", (long long)member);
    return rc;
}

kt_rc kt_consent_get(kt_store *st, int64_t member, const char *channel, bool *granted, kt_err *err) {
    int64_t g = 0;
    bool found;
    kt_val a[] = {KT_VI(member), KT_VS(channel)};
    kt_rc rc = kt_store_int(st, KT_Q_CONSENT_LATEST, a, 2, &g, &found, err);
    *granted = found && g;
    return rc;
}

static void fill(char *dst, const char *src) { if (!dst[0]) strcpy(dst, src); }

kt_rc kt_member_merge(kt_store *st, int64_t survivor, int64_t merged, const char *actor, const char *reason,
                      kt_time at, kt_points *out_points_moved, int64_t *out_cards_moved, kt_err *err) {
    kt_member s, m;
    kt_rc rc;
    if (survivor == merged) return kt_fail(err, KT_EINVAL, "member", "cannot merge a member into itself");
    if ((rc = kt_member_load(st, survivor, &s, err)) || (rc = kt_member_load(st, merged, &m, err))) return rc;
    if (strcmp(s.state, "active") || strcmp(m.state, "active"))
        return kt_fail(err, KT_ECONFLICT, "member", "member #%lld is already merged",
                       (long long)(strcmp(s.state, "active") ? survivor : merged));
    /* cards */
    kt_val mv[] = {KT_VI(merged), KT_VI(survivor), KT_VI(at)};
    if ((rc = kt_store_exec(st, KT_Q_CARDS_MOVE, mv, 3, err))) return rc;
    int64_t cards_moved = kt_store_changes(st);
    /* points: lots with their dates, debt too */
    kt_movement lm = {.kind = KT_TXN_MERGE, .at = at, .day = kt_time_local_day(at, kt_now_offset()),
                      .actor = actor, .reason = reason ? reason : "member merge"};
    kt_points moved = 0;
    if ((rc = kt_ledger_transfer_all(st, &lm, (kt_member_id)merged, (kt_member_id)survivor, &moved, err))) return rc;
    /* consents the survivor never recorded */
    for (size_t i = 0; i < KT_ARRAY_LEN(channels); i++) {
        int64_t g;
        bool s_has, m_has;
        kt_val a[] = {KT_VI(survivor), KT_VS(channels[i])};
        if ((rc = kt_store_int(st, KT_Q_CONSENT_LATEST, a, 2, &g, &s_has, err))) return rc;
        a[0] = KT_VI(merged);
        if ((rc = kt_store_int(st, KT_Q_CONSENT_LATEST, a, 2, &g, &m_has, err))) return rc;
        if (!s_has && m_has && (rc = kt_consent_set(st, survivor, channels[i], g != 0, "merge", at, err))) return rc;
    }
    /* profile: fill what the survivor lacks */
    fill(s.name, m.name);
    if (!s.sex) s.sex = m.sex;
    if (s.birth_day == KT_DAY_NONE) s.birth_day = m.birth_day;
    fill(s.city, m.city);
    fill(s.region, m.region);
    fill(s.family_status, m.family_status);
    if (s.children < 0) s.children = m.children;
    if (s.car < 0) s.car = m.car;
    fill(s.phone, m.phone);
    fill(s.email, m.email);
    fill(s.reg_store, m.reg_store);
    fill(s.favourite_category, m.favourite_category);
    if (m.registered_day < s.registered_day) s.registered_day = m.registered_day;
    kt_val sm[] = {KT_VI(merged), KT_VI(survivor), KT_VI(at)};
    if ((rc = kt_store_exec(st, KT_Q_MEMBER_SET_MERGED, sm, 3, err))) return rc;
    if (kt_store_changes(st) != 1) return kt_fail(err, KT_ECONFLICT, "member", "member #%lld changed during the merge", (long long)merged);
    if ((rc = kt_member_save(st, &s, actor, at, err))) return rc;
    kt_val r[] = {KT_VI(survivor), KT_VI(merged), KT_VI(at), KT_VS(actor), KT_VI(cards_moved), KT_VI(moved),
                  KT_VS(reason)};
    if ((rc = kt_store_exec(st, KT_Q_MERGE_INSERT, r, KT_ARRAY_LEN(r), err))) return rc;
    char object[64], detail[128];
    snprintf(object, sizeof object, "member:%lld", (long long)survivor);
    snprintf(detail, sizeof detail, "merged #%lld: %lld cards, %lld points", (long long)merged, (long long)cards_moved,
             (long long)moved);
    if ((rc = audit(st, at, actor, "member.merge", object, detail, err))) return rc;
    if (out_points_moved) *out_points_moved = moved;
    if (out_cards_moved) *out_cards_moved = cards_moved;
    return KT_OK;
}

static kt_rc dup_pass(kt_store *st, kt_query q, const char *rule, int key_cols, kt_dup_report report, void *ctx,
                      int64_t *groups, kt_err *err) {
    kt_cursor *c;
    int64_t ids[KT_DUP_GROUP_MAX];
    size_t n = 0;
    char key[512] = "", cur[512];
    kt_rc rc = kt_store_query(st, q, NULL, 0, &c, err);
    if (rc) return rc;
    for (;;) {
        bool has;
        if ((rc = kt_store_step(c, &has, err))) break;
        if (has) {
            if (key_cols == 1) snprintf(cur, sizeof cur, "%s", kt_col_text(c, 0));
            else {
                char day[11];
                kt_day_format((kt_day)kt_col_int(c, 1), day);
                snprintf(cur, sizeof cur, "%s %s", kt_col_text(c, 0), day);
            }
        }
        if (n && (!has || strcmp(cur, key) != 0)) {
            report(ctx, rule, key, ids, n);
            (*groups)++;
            n = 0;
        }
        if (!has) break;
        if (n == 0) strcpy(key, cur);
        if (n < KT_DUP_GROUP_MAX) ids[n++] = kt_col_int(c, key_cols);
    }
    kt_store_end(c);
    return rc;
}

kt_rc kt_member_duplicates(kt_store *st, kt_dup_report report, void *ctx, int64_t *out_groups, kt_err *err) {
    int64_t groups = 0;
    kt_rc rc = dup_pass(st, KT_Q_DUPLICATES_PHONE, "phone", 1, report, ctx, &groups, err);
    if (!rc) rc = dup_pass(st, KT_Q_DUPLICATES_EMAIL, "email", 1, report, ctx, &groups, err);
    if (!rc) rc = dup_pass(st, KT_Q_DUPLICATES_NAME_BIRTH, "name+birth_date", 2, report, ctx, &groups, err);
    *out_groups = groups;
    return rc;
}
