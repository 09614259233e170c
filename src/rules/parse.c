/*
 * parse.c - a parsed rule document (json_t) -> a validated kt_rules_doc.
 *
 * Every key is checked against the keys its object may have, so a typo is an
 * error; every error names its JSON path ("$.rules[2].earn.pionts") in
 * err->field. Names (SKUs, categories, stores, ...) stay strings here and are
 * resolved by compile.c. The language is specified in docs/rules.md; the
 * interface is rules_int.h.
 */
#include "rules/rules_int.h"

#include "core/date.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- JSON paths ------------------------------------------------------------ */

typedef struct jpath {
    char buf[KT_ERR_FIELD_MAX];
    size_t len;
} jpath;

static void jp_put(jpath *p, const char *s, size_t n) {
    for (size_t i = 0; i < n && p->len + 1 < sizeof p->buf; i++) p->buf[p->len++] = s[i];
    p->buf[p->len] = 0;
}

static bool ident_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Append ".key" (or ["key"] when the key is not an identifier); returns the
 * length to pop back to. */
static size_t jp_key(jpath *p, const char *key) {
    size_t old = p->len;
    bool ident = key[0] != 0;
    for (const char *c = key; *c; c++)
        if (!ident_char(*c)) ident = false;
    if (ident) {
        jp_put(p, ".", 1);
        jp_put(p, key, strlen(key));
        return old;
    }
    jp_put(p, "[\"", 2);
    for (const char *c = key; *c && p->len + 3 < sizeof p->buf; c++) {
        char ch = (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20) ? '?' : *c;
        jp_put(p, &ch, 1);
    }
    jp_put(p, "\"]", 2);
    return old;
}

static size_t jp_idx(jpath *p, size_t i) {
    size_t old = p->len;
    char b[32];
    int n = snprintf(b, sizeof b, "[%zu]", i);
    jp_put(p, b, (size_t)n);
    return old;
}

static void jp_pop(jpath *p, size_t old) {
    p->len = old;
    p->buf[old] = 0;
}

static kt_rc fail(kt_err *err, const jpath *p, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static kt_rc fail(kt_err *err, const jpath *p, const char *fmt, ...) {
    char msg[KT_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return kt_fail(err, KT_EINVAL, p->buf, "%s", msg);
}

/* The error for a key of obj: path + ".key". */
static kt_rc fail_key(kt_err *err, jpath *p, const char *key, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static kt_rc fail_key(kt_err *err, jpath *p, const char *key, const char *fmt, ...) {
    char msg[KT_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t o = jp_key(p, key);
    kt_rc rc = kt_fail(err, KT_EINVAL, p->buf, "%s", msg);
    jp_pop(p, o);
    return rc;
}

static const char *type_name(const json_t *v) {
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number with a fraction";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "?";
}

/* ---- typed getters: each checks one key of an object ------------------------ */

static kt_rc check_keys(const json_t *obj, const char *const *allowed, jpath *p, kt_err *err) {
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        size_t i = 0;
        while (allowed[i] && strcmp(allowed[i], key) != 0) i++;
        if (allowed[i]) continue;
        char list[KT_ERR_MSG_MAX - 64];
        size_t n = 0;
        list[0] = 0;
        for (i = 0; allowed[i]; i++) {
            int w = snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", allowed[i]);
            if (w < 0 || (size_t)w >= sizeof list - n) break;
            n += (size_t)w;
        }
        return fail_key(err, p, key, "unknown key (expected one of: %s)", list);
    }
    return KT_OK;
}

static kt_rc need_object(const json_t *v, jpath *p, kt_err *err) {
    if (!json_is_object(v)) return fail(err, p, "expected an object, found %s", type_name(v));
    return KT_OK;
}

/* *out is left alone when the key is absent (and not required). */
static kt_rc get_int(const json_t *obj, const char *key, bool required, int64_t min, int64_t max, int64_t *out,
                     jpath *p, kt_err *err) {
    json_t *v = json_object_get(obj, key);
    if (!v) return required ? fail_key(err, p, key, "missing (an integer %lld..%lld)", (long long)min, (long long)max) : KT_OK;
    if (!json_is_integer(v))
        return fail_key(err, p, key, "expected an integer %lld..%lld, found %s", (long long)min, (long long)max, type_name(v));
    json_int_t x = json_integer_value(v);
    if (x < min || x > max)
        return fail_key(err, p, key, "%lld is out of range (%lld..%lld)", (long long)x, (long long)min, (long long)max);
    *out = (int64_t)x;
    return KT_OK;
}

static kt_rc get_intn(const json_t *obj, const char *key, int64_t min, int64_t max, int *out, jpath *p, kt_err *err) {
    int64_t x = *out;
    kt_rc rc = get_int(obj, key, false, min, max, &x, p, err);
    if (!rc) *out = (int)x;
    return rc;
}

static kt_rc get_bool(const json_t *obj, const char *key, bool *out, jpath *p, kt_err *err) {
    json_t *v = json_object_get(obj, key);
    if (!v) return KT_OK;
    if (!json_is_boolean(v)) return fail_key(err, p, key, "expected true or false, found %s", type_name(v));
    *out = json_is_true(v);
    return KT_OK;
}

/* A tri-state condition: -1 absent, 0 false, 1 true. */
static kt_rc get_tri(const json_t *obj, const char *key, int8_t *out, jpath *p, kt_err *err) {
    bool b = false;
    *out = -1;
    if (!json_object_get(obj, key)) return KT_OK;
    kt_rc rc = get_bool(obj, key, &b, p, err);
    if (!rc) *out = b ? 1 : 0;
    return rc;
}

/* One of choices (NULL-terminated); *out is the index. */
static kt_rc get_enum(const json_t *obj, const char *key, bool required, const char *const *choices, int *out,
                      jpath *p, kt_err *err) {
    json_t *v = json_object_get(obj, key);
    char list[256];
    size_t n = 0;
    list[0] = 0;
    for (int i = 0; choices[i]; i++) {
        int w = snprintf(list + n, sizeof list - n, "%s\"%s\"", i ? ", " : "", choices[i]);
        if (w < 0 || (size_t)w >= sizeof list - n) break;
        n += (size_t)w;
    }
    if (!v) return required ? fail_key(err, p, key, "missing (one of %s)", list) : KT_OK;
    if (json_is_string(v))
        for (int i = 0; choices[i]; i++)
            if (strcmp(json_string_value(v), choices[i]) == 0) {
                *out = i;
                return KT_OK;
            }
    return fail_key(err, p, key, "expected one of %s", list);
}

static kt_rc check_text(const json_t *v, size_t max, jpath *p, kt_err *err) {
    if (!json_is_string(v)) return fail(err, p, "expected a string, found %s", type_name(v));
    size_t n = json_string_length(v);
    if (n == 0) return fail(err, p, "empty string");
    if (n > max) return fail(err, p, "longer than %zu bytes", max);
    if (strlen(json_string_value(v)) != n) return fail(err, p, "contains a NUL character");
    return KT_OK;
}

static kt_rc get_text(const json_t *obj, const char *key, bool required, size_t max, const char **out, jpath *p,
                      kt_err *err) {
    json_t *v = json_object_get(obj, key);
    if (!v) return required ? fail_key(err, p, key, "missing (a string)") : KT_OK;
    size_t o = jp_key(p, key);
    kt_rc rc = check_text(v, max, p, err);
    jp_pop(p, o);
    if (!rc) *out = json_string_value(v);
    return rc;
}

/* Rule and tier ids: 1..KT_RULE_ID_MAX-1 bytes of letters, digits, '_', '-', '.'. */
static kt_rc get_id(const json_t *obj, const char *key, const char *what, char *out, jpath *p, kt_err *err) {
    json_t *v = json_object_get(obj, key);
    if (!v) return fail_key(err, p, key, "missing (the %s id)", what);
    if (!json_is_string(v)) return fail_key(err, p, key, "expected a string, found %s", type_name(v));
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0) return fail_key(err, p, key, "empty %s id", what);
    if (n >= KT_RULE_ID_MAX) return fail_key(err, p, key, "%s id longer than %d bytes", what, KT_RULE_ID_MAX - 1);
    for (size_t i = 0; i < n; i++)
        if (!ident_char(s[i]) && s[i] != '-' && s[i] != '.')
            return fail_key(err, p, key, "%s ids use letters, digits, '_', '-' and '.'", what);
    memcpy(out, s, n + 1);
    return KT_OK;
}

/* A non-empty array of non-empty strings. */
static kt_rc get_names(const json_t *obj, const char *key, kt_rules_names *out, jpath *p, kt_err *err) {
    json_t *v = json_object_get(obj, key);
    if (!v) return KT_OK;
    if (!json_is_array(v)) return fail_key(err, p, key, "expected an array of strings, found %s", type_name(v));
    size_t n = json_array_size(v);
    if (n == 0) return fail_key(err, p, key, "empty list: it would match nothing");
    if (n > KT_RULE_LIST_MAX) return fail_key(err, p, key, "more than %d entries", KT_RULE_LIST_MAX);
    size_t o = jp_key(p, key);
    out->v = kt_xcalloc(n, sizeof *out->v);
    out->n = n;
    for (size_t i = 0; i < n; i++) {
        size_t o2 = jp_idx(p, i);
        kt_rc rc = check_text(json_array_get(v, i), KT_RULE_TEXT_MAX, p, err);
        if (rc) return rc; /* the caller frees out->v with the doc */
        jp_pop(p, o2);
        out->v[i] = json_string_value(json_array_get(v, i));
    }
    jp_pop(p, o);
    return KT_OK;
}

static kt_rc get_date(const json_t *obj, const char *key, kt_day *out, jpath *p, kt_err *err) {
    json_t *v = json_object_get(obj, key);
    if (!v) return KT_OK;
    if (!json_is_string(v)) return fail_key(err, p, key, "expected a date \"YYYY-MM-DD\", found %s", type_name(v));
    kt_err e;
    if (kt_day_parse(json_string_value(v), json_string_length(v), out, &e, key) != KT_OK)
        return fail_key(err, p, key, "expected a date \"YYYY-MM-DD\" (%s)", e.msg);
    return KT_OK;
}

/* "HH:MM", 00:00..24:00, as minutes. */
static kt_rc get_hhmm(const json_t *obj, const char *key, int *out, jpath *p, kt_err *err) {
    json_t *v = json_object_get(obj, key);
    if (!v) return fail_key(err, p, key, "missing (\"HH:MM\")");
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    if (json_string_length(v) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' ||
        s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
        return fail_key(err, p, key, "expected \"HH:MM\"");
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h > 24 || (h == 24 && m != 0)) return fail_key(err, p, key, "expected \"HH:MM\" from 00:00 to 24:00");
    *out = h * 60 + m;
    return KT_OK;
}

/* ---- program ---------------------------------------------------------------- */

static kt_rc parse_excl(const json_t *obj, const char *key, kt_rules_excl_doc *ex, jpath *p, kt_err *err) {
    static const char *const keys[] = {"alcohol", "tobacco", "categories", "skus", NULL};
    json_t *v = json_object_get(obj, key);
    if (!v) return KT_OK;
    size_t o = jp_key(p, key);
    kt_rc rc = need_object(v, p, err);
    if (!rc) rc = check_keys(v, keys, p, err);
    if (!rc) rc = get_bool(v, "alcohol", &ex->alcohol, p, err);
    if (!rc) rc = get_bool(v, "tobacco", &ex->tobacco, p, err);
    if (!rc) rc = get_names(v, "categories", &ex->categories, p, err);
    if (!rc) rc = get_names(v, "skus", &ex->skus, p, err);
    if (!rc) jp_pop(p, o);
    return rc;
}

static const char *const slip_vars[] = {
    [KT_SLIP_EARNED] = "earned", [KT_SLIP_REDEEMED] = "redeemed", [KT_SLIP_REDEEMABLE] = "redeemable",
    [KT_SLIP_TOTAL] = "total", [KT_SLIP_TO_PAY] = "to_pay", [KT_SLIP_POINTS_DISCOUNT] = "points_discount",
    [KT_SLIP_OFFER_DISCOUNT] = "offer_discount", [KT_SLIP_TIER] = "tier",
};

/* The slip template: text with {placeholders}; "{{" and "}}" are literal braces. */
static kt_rc parse_slip(kt_rules_settings *s, const char *text, jpath *p, kt_err *err) {
    size_t n = strlen(text);
    memcpy(s->slip, text, n + 1);
    s->nsegs = 0;
    size_t i = 0;
    while (i < n) {
        if (s->nsegs == KT_SLIP_SEGMENTS_MAX) return fail(err, p, "more than %d pieces of text and placeholders", KT_SLIP_SEGMENTS_MAX);
        kt_slip_segment *g = &s->segs[s->nsegs];
        if ((text[i] == '{' && text[i + 1] == '{') || (text[i] == '}' && text[i + 1] == '}')) {
            *g = (kt_slip_segment){KT_SLIP_TEXT, (uint16_t)i, 1};
            i += 2;
        } else if (text[i] == '{') {
            const char *end = strchr(text + i, '}');
            if (!end) return fail(err, p, "'{' at byte %zu is not closed", i);
            size_t len = (size_t)(end - text) - i - 1;
            uint8_t var = 0;
            for (uint8_t k = 1; k < KT_ARRAY_LEN(slip_vars); k++)
                if (strlen(slip_vars[k]) == len && memcmp(slip_vars[k], text + i + 1, len) == 0) var = k;
            if (!var)
                return fail(err, p, "unknown placeholder {%.*s} (expected one of: {earned}, {redeemed}, {redeemable}, {total}, "
                            "{to_pay}, {points_discount}, {offer_discount}, {tier})", (int)(len > 40 ? 40 : len), text + i + 1);
            *g = (kt_slip_segment){var, 0, 0};
            i += len + 2;
        } else if (text[i] == '}') {
            return fail(err, p, "'}' at byte %zu has no '{' (write \"}}\" for a brace)", i);
        } else {
            size_t j = i;
            while (j < n && text[j] != '{' && text[j] != '}') j++;
            *g = (kt_slip_segment){KT_SLIP_TEXT, (uint16_t)i, (uint16_t)(j - i)};
            i = j;
        }
        s->nsegs++;
    }
    return KT_OK;
}

static kt_rc parse_program(const json_t *v, kt_rules_doc *doc, jpath *p, kt_err *err) {
    static const char *const keys[] = {"name", "point_value_minor", "cashback", "rounding", "rounding_scope", "earn_on",
                                       "min_receipt_minor", "expiry_days", "pending_days", "exclude", "exclude_earn",
                                       "exclude_redeem", "redemption", "refund_policy", "birthday", "tier_window_days",
                                       "slip_message", NULL};
    static const char *const roundings[] = {"floor", "round_half_up", "ceil", NULL};
    static const char *const scopes[] = {"line", "receipt", NULL};
    static const char *const earn_ons[] = {"paid", "amount", NULL};
    static const char *const refunds[] = {"negative_balance", "deduct_from_money", NULL};
    static const char *const feb29s[] = {"feb28", "mar1", NULL};
    kt_rules_settings *s = &doc->set;
    const char *name = NULL; /* free text for people; the engine does not use it */
    const char *slip = "Начислено баллов: {earned}. Списано баллов: {redeemed}.";
    int rounding = 0, scope = 0, earn_on = 0, refund = 0, feb29 = 0;
    kt_rc rc = need_object(v, p, err);
    if (!rc) rc = check_keys(v, keys, p, err);
    if (!rc) rc = get_text(v, "name", false, KT_RULE_TEXT_MAX, &name, p, err);
    if (!rc) rc = get_bool(v, "cashback", &s->cashback, p, err);
    if (!rc) {
        int64_t pv = s->cashback ? 100 : 0;
        rc = get_int(v, "point_value_minor", !s->cashback, 1, 1000000, &pv, p, err);
        if (!rc && s->cashback && pv != 100)
            rc = fail_key(err, p, "point_value_minor", "a cashback program pays one unit of money (100 minor units) per point: must be 100");
        s->program.point_value_minor = pv;
    }
    if (!rc) rc = get_enum(v, "rounding", false, roundings, &rounding, p, err);
    if (!rc) rc = get_enum(v, "rounding_scope", false, scopes, &scope, p, err);
    if (!rc) rc = get_enum(v, "earn_on", false, earn_ons, &earn_on, p, err);
    if (!rc) rc = get_int(v, "min_receipt_minor", false, 0, INT64_C(1000000000000000), &s->min_receipt_minor, p, err);
    if (!rc) rc = get_intn(v, "expiry_days", 0, 36600, &s->program.expiry_days, p, err);
    if (!rc) rc = get_intn(v, "pending_days", 0, 366, &s->program.pending_days, p, err);
    if (!rc) rc = parse_excl(v, "exclude", &doc->excl[0], p, err);
    if (!rc) rc = parse_excl(v, "exclude_earn", &doc->excl[1], p, err);
    if (!rc) rc = parse_excl(v, "exclude_redeem", &doc->excl[2], p, err);
    s->cap_share_bp = 10000;
    s->redeem_at_partners = true;
    json_t *red = json_object_get(v, "redemption");
    if (!rc && red) {
        static const char *const rkeys[] = {"cap_share_bp", "partner_stores", "min_receipt_minor", NULL};
        size_t o = jp_key(p, "redemption");
        rc = need_object(red, p, err);
        if (!rc) rc = check_keys(red, rkeys, p, err);
        if (!rc) rc = get_int(red, "cap_share_bp", false, 0, 10000, &s->cap_share_bp, p, err);
        if (!rc) rc = get_bool(red, "partner_stores", &s->redeem_at_partners, p, err);
        if (!rc) rc = get_int(red, "min_receipt_minor", false, 0, INT64_C(1000000000000000), &s->redeem_min_receipt_minor, p, err);
        if (!rc) jp_pop(p, o);
    }
    if (!rc) rc = get_enum(v, "refund_policy", false, refunds, &refund, p, err);
    json_t *bd = json_object_get(v, "birthday");
    if (!rc && bd) {
        static const char *const bkeys[] = {"window_days_before", "window_days_after", "feb29", NULL};
        size_t o = jp_key(p, "birthday");
        rc = need_object(bd, p, err);
        if (!rc) rc = check_keys(bd, bkeys, p, err);
        if (!rc) rc = get_intn(bd, "window_days_before", 0, KT_DAYS_WINDOW_MAX, &s->birthday_before, p, err);
        if (!rc) rc = get_intn(bd, "window_days_after", 0, KT_DAYS_WINDOW_MAX, &s->birthday_after, p, err);
        if (!rc) rc = get_enum(bd, "feb29", false, feb29s, &feb29, p, err);
        if (!rc) jp_pop(p, o);
    }
    if (!rc) rc = get_intn(v, "tier_window_days", 0, 3660, &s->program.tier_window_days, p, err);
    if (!rc) rc = get_text(v, "slip_message", false, KT_SLIP_MAX, &slip, p, err);
    if (!rc) {
        size_t o = jp_key(p, "slip_message");
        rc = parse_slip(s, slip, p, err);
        if (!rc) jp_pop(p, o);
    }
    if (rc) return rc;
    s->rounding = (uint8_t)rounding;
    s->receipt_scope = scope == 1;
    s->earn_on_paid = earn_on == 0;
    s->program.refund_policy = refund == 0 ? KT_REFUND_NEGATIVE_BALANCE : KT_REFUND_DEDUCT_FROM_MONEY;
    s->feb29_mar1 = feb29 == 1;
    s->program.cashback = s->cashback;
    return KT_OK;
}

/* ---- tiers ------------------------------------------------------------------- */

static kt_rc parse_tiers(const json_t *v, kt_rules_doc *doc, jpath *p, kt_err *err) {
    static const char *const keys[] = {"id", "name", "min_spend_minor", NULL};
    if (!json_is_array(v)) return fail(err, p, "expected an array of tiers, found %s", type_name(v));
    size_t n = json_array_size(v);
    if (n > KT_TIERS_MAX) return fail(err, p, "more than %d tiers", KT_TIERS_MAX);
    for (size_t i = 0; i < n; i++) {
        const json_t *t = json_array_get(v, i);
        kt_tier *tier = &doc->tiers[i];
        size_t o = jp_idx(p, i);
        kt_rc rc = need_object(t, p, err);
        if (!rc) rc = check_keys(t, keys, p, err);
        if (!rc) rc = get_id(t, "id", "tier", tier->id, p, err);
        if (!rc) rc = get_text(t, "name", false, KT_RULE_TEXT_MAX, &tier->name_doc, p, err);
        if (!rc) rc = get_int(t, "min_spend_minor", true, 0, INT64_C(1000000000000000), &tier->min_spend_minor, p, err);
        for (size_t j = 0; !rc && j < i; j++) {
            if (strcmp(doc->tiers[j].id, tier->id) == 0)
                rc = fail_key(err, p, "id", "duplicate tier id \"%s\" (also $.tiers[%zu].id)", tier->id, j);
            else if (j == i - 1 && tier->min_spend_minor <= doc->tiers[j].min_spend_minor)
                rc = fail_key(err, p, "min_spend_minor", "tiers go up: must be above the previous tier's %lld",
                              (long long)doc->tiers[j].min_spend_minor);
        }
        if (rc) return rc;
        jp_pop(p, o);
        doc->ntiers = (int)i + 1;
    }
    return KT_OK;
}

static kt_rc get_tier(const json_t *obj, const char *key, const kt_rules_doc *doc, int *out, jpath *p, kt_err *err) {
    json_t *v = json_object_get(obj, key);
    *out = -1;
    if (!v) return KT_OK;
    if (json_is_string(v))
        for (int i = 0; i < doc->ntiers; i++)
            if (strcmp(doc->tiers[i].id, json_string_value(v)) == 0) {
                *out = i;
                return KT_OK;
            }
    if (doc->ntiers == 0) return fail_key(err, p, key, "the program has no tiers ($.tiers)");
    char list[256];
    size_t n = 0;
    list[0] = 0;
    for (int i = 0; i < doc->ntiers; i++) {
        int w = snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", doc->tiers[i].id);
        if (w < 0 || (size_t)w >= sizeof list - n) break;
        n += (size_t)w;
    }
    return fail_key(err, p, key, "unknown tier (expected one of: %s)", list);
}

/* ---- rules ------------------------------------------------------------------- */

static kt_rc parse_when(const json_t *w, const kt_rules_doc *doc, kt_rule_doc *rd, jpath *p, kt_err *err) {
    static const char *const keys[] = {"birthday", "favourite_category", "identified", "partner_store", "stores", "skus",
                                       "categories", "brands", "suppliers", "tier", "tier_min", "weekdays", "hours",
                                       "date_from", "date_to", "min_receipt_minor", NULL};
    kt_rule *r = &rd->r;
    kt_rc rc = need_object(w, p, err);
    if (!rc) rc = check_keys(w, keys, p, err);
    if (!rc) rc = get_tri(w, "birthday", &r->birthday, p, err);
    if (!rc) rc = get_tri(w, "favourite_category", &r->favourite, p, err);
    if (!rc) rc = get_tri(w, "identified", &r->identified, p, err);
    json_t *ps = json_object_get(w, "partner_store");
    if (!rc && ps) {
        if (json_is_string(ps) && strcmp(json_string_value(ps), "any") == 0) r->partner_mode = KT_PS_PARTNER;
        else if (json_is_string(ps) && strcmp(json_string_value(ps), "none") == 0) r->partner_mode = KT_PS_OWN;
        else if (json_is_array(ps)) {
            r->partner_mode = KT_PS_LIST;
            rc = get_names(w, "partner_store", &rd->partners, p, err);
        } else
            rc = fail_key(err, p, "partner_store", "expected \"any\" (partner stores), \"none\" (own stores) or a list of partner names");
    }
    if (!rc) rc = get_names(w, "stores", &rd->stores, p, err);
    if (!rc) rc = get_names(w, "skus", &rd->lists[KT_KIND_SKU], p, err);
    if (!rc) rc = get_names(w, "categories", &rd->lists[KT_KIND_CATEGORY], p, err);
    if (!rc) rc = get_names(w, "brands", &rd->lists[KT_KIND_BRAND], p, err);
    if (!rc) rc = get_names(w, "suppliers", &rd->lists[KT_KIND_SUPPLIER], p, err);
    if (!rc) rc = get_tier(w, "tier", doc, &r->tier, p, err);
    if (!rc) rc = get_tier(w, "tier_min", doc, &r->tier_min, p, err);
    json_t *wd = json_object_get(w, "weekdays");
    if (!rc && wd) {
        size_t o = jp_key(p, "weekdays");
        if (!json_is_array(wd) || json_array_size(wd) == 0)
            rc = fail(err, p, "expected a non-empty array of weekdays 1 (Monday) .. 7 (Sunday)");
        for (size_t i = 0; !rc && i < json_array_size(wd); i++) {
            json_t *d = json_array_get(wd, i);
            if (!json_is_integer(d) || json_integer_value(d) < 1 || json_integer_value(d) > 7) {
                jp_idx(p, i);
                rc = fail(err, p, "expected a weekday 1 (Monday) .. 7 (Sunday)");
            } else
                r->weekdays |= (uint8_t)(1u << (json_integer_value(d) - 1));
        }
        if (!rc) jp_pop(p, o);
    }
    json_t *h = json_object_get(w, "hours");
    if (!rc && h) {
        static const char *const hkeys[] = {"from", "to", NULL};
        size_t o = jp_key(p, "hours");
        rc = need_object(h, p, err);
        if (!rc) rc = check_keys(h, hkeys, p, err);
        if (!rc) rc = get_hhmm(h, "from", &r->hours_from, p, err);
        if (!rc) rc = get_hhmm(h, "to", &r->hours_to, p, err);
        if (!rc && r->hours_from == 24 * 60) rc = fail_key(err, p, "from", "a window starts before 24:00");
        if (!rc && r->hours_from == r->hours_to) rc = fail_key(err, p, "to", "empty window: \"to\" equals \"from\"");
        if (!rc && r->hours_to == 24 * 60) r->hours_to = 0; /* [from, 24:00) wraps to [from, 00:00) */
        if (!rc) jp_pop(p, o);
    }
    if (!rc) rc = get_date(w, "date_from", &r->date_from, p, err);
    if (!rc) rc = get_date(w, "date_to", &r->date_to, p, err);
    if (!rc && r->date_from != KT_DAY_NONE && r->date_to != KT_DAY_NONE && r->date_to < r->date_from)
        rc = fail_key(err, p, "date_to", "before date_from");
    if (!rc) rc = get_int(w, "min_receipt_minor", false, 0, INT64_C(1000000000000000), &r->min_receipt_minor, p, err);
    if (rc) return rc;
    r->has_basket_cond = r->birthday >= 0 || r->identified >= 0 || r->partner_mode != KT_PS_ANY_STORE ||
                         rd->stores.n || r->tier >= 0 || r->tier_min >= 0 || r->weekdays || r->hours_from >= 0 ||
                         r->date_from != KT_DAY_NONE || r->date_to != KT_DAY_NONE || r->min_receipt_minor > 0;
    for (int k = 0; k < KT_KIND_COUNT_; k++) r->has_list[k] = rd->lists[k].n > 0;
    return KT_OK;
}

static kt_rc parse_earn(const json_t *e, kt_rule *r, jpath *p, kt_err *err) {
    static const char *const keys[] = {"points", "per_amount_minor", "points_per_unit", "multiplier_pct", "fixed_points", NULL};
    kt_rc rc = need_object(e, p, err);
    if (!rc) rc = check_keys(e, keys, p, err);
    if (rc) return rc;
    /* Exactly one effect; the second one met in document order is the error. */
    const char *first = NULL, *key;
    json_t *v;
    json_object_foreach((json_t *)e, key, v) {
        bool rate = strcmp(key, "points") == 0 || strcmp(key, "per_amount_minor") == 0;
        if (!first) first = key;
        else if (!(rate && (strcmp(first, "points") == 0 || strcmp(first, "per_amount_minor") == 0)))
            return fail_key(err, p, key, "a rule has one effect: \"%s\" cannot be combined with \"%s\"", key, first);
    }
    if (!first)
        return fail(err, p, "expected one effect: {\"points\", \"per_amount_minor\"}, {\"points_per_unit\"}, "
                            "{\"multiplier_pct\"} or {\"fixed_points\"}");
    r->group = KT_GROUP_RATE;
    if (json_object_get(e, "points") || json_object_get(e, "per_amount_minor")) {
        rc = get_int(e, "points", true, 0, 1000000, &r->points, p, err);
        if (!rc) rc = get_int(e, "per_amount_minor", true, 1, INT64_C(1000000000000), &r->per_amount_minor, p, err);
    } else if (json_object_get(e, "points_per_unit")) {
        rc = get_int(e, "points_per_unit", true, 0, 1000000000, &r->points_per_unit, p, err);
    } else if (json_object_get(e, "multiplier_pct")) {
        r->group = KT_GROUP_MULT;
        rc = get_int(e, "multiplier_pct", true, 100, 100000, &r->multiplier_pct, p, err);
    } else {
        r->group = KT_GROUP_FIXED;
        rc = get_int(e, "fixed_points", true, 0, 1000000000, &r->fixed_points, p, err);
    }
    return rc;
}

static kt_rc parse_funder(const json_t *obj, kt_rule_doc *rd, jpath *p, kt_err *err) {
    json_t *v = json_object_get(obj, "funded_by");
    rd->r.funder = KT_FUND_PROGRAM;
    if (!v) return KT_OK;
    const char *s = json_is_string(v) ? json_string_value(v) : "";
    size_t n = json_is_string(v) ? json_string_length(v) : 0;
    if (strlen(s) != n) s = "";
    if (strcmp(s, "program") == 0) return KT_OK;
    if (strcmp(s, "supplier") == 0) rd->r.funder = KT_FUND_LINE_SUPPLIER;
    else if (strcmp(s, "partner") == 0) rd->r.funder = KT_FUND_STORE_PARTNER;
    else if (strncmp(s, "supplier:", 9) == 0 && n > 9 && n - 9 <= KT_RULE_TEXT_MAX) {
        rd->r.funder = KT_FUND_SUPPLIER;
        rd->funder_name = s + 9;
    } else if (strncmp(s, "partner:", 8) == 0 && n > 8 && n - 8 <= KT_RULE_TEXT_MAX) {
        rd->r.funder = KT_FUND_PARTNER;
        rd->funder_name = s + 8;
    } else
        return fail_key(err, p, "funded_by",
                        "expected \"program\", \"supplier\" (the line's supplier), \"partner\" (the store's partner), "
                        "\"supplier:NAME\" or \"partner:NAME\"");
    return KT_OK;
}

static kt_rc parse_rule(const json_t *v, kt_rules_doc *doc, size_t idx, jpath *p, kt_err *err) {
    static const char *const keys[] = {"id", "name", "priority", "stacking", "when", "earn", "funded_by", "limit", NULL};
    static const char *const stackings[] = {"replace", "add", NULL};
    kt_rule_doc *rd = &doc->rules[idx];
    kt_rule *r = &rd->r;
    r->index = (int)idx;
    r->limit_per_day = -1;
    r->birthday = r->identified = r->favourite = -1;
    r->tier = r->tier_min = -1;
    r->hours_from = r->hours_to = -1;
    r->date_from = r->date_to = KT_DAY_NONE;
    int stacking = 0;
    kt_rc rc = need_object(v, p, err);
    if (!rc) rc = check_keys(v, keys, p, err);
    if (!rc) rc = get_id(v, "id", "rule", r->id, p, err);
    for (size_t j = 0; !rc && j < idx; j++)
        if (strcmp(doc->rules[j].r.id, r->id) == 0)
            rc = fail_key(err, p, "id", "duplicate rule id \"%s\" (also $.rules[%zu].id)", r->id, j);
    if (!rc) rc = get_text(v, "name", false, KT_RULE_TEXT_MAX, &rd->name, p, err);
    if (!rc) rc = get_int(v, "priority", false, -1000000, 1000000, &r->priority, p, err);
    if (!rc) rc = get_enum(v, "stacking", true, stackings, &stacking, p, err);
    json_t *w = json_object_get(v, "when");
    if (!rc && w) {
        size_t o = jp_key(p, "when");
        rc = parse_when(w, doc, rd, p, err);
        if (!rc) jp_pop(p, o);
    }
    json_t *e = json_object_get(v, "earn");
    if (!rc && !e) rc = fail_key(err, p, "earn", "missing (the rule's effect)");
    if (!rc) {
        size_t o = jp_key(p, "earn");
        rc = parse_earn(e, r, p, err);
        if (!rc) jp_pop(p, o);
    }
    if (!rc) rc = parse_funder(v, rd, p, err);
    json_t *l = json_object_get(v, "limit");
    if (!rc && l) {
        static const char *const lkeys[] = {"per_member_per_day", NULL};
        size_t o = jp_key(p, "limit");
        rc = need_object(l, p, err);
        if (!rc) rc = check_keys(l, lkeys, p, err);
        if (!rc) rc = get_int(l, "per_member_per_day", true, 0, INT64_C(1000000000000), &r->limit_per_day, p, err);
        if (!rc) jp_pop(p, o);
    }
    if (rc) return rc;
    r->replace = stacking == 0;
    return KT_OK;
}

kt_rc kt_rules_parse(const json_t *root, kt_rules_doc *doc, kt_err *err) {
    static const char *const keys[] = {"program", "tiers", "rules", NULL};
    jpath path = {"$", 1};
    jpath *p = &path;
    memset(doc, 0, sizeof *doc);
    kt_rc rc = need_object(root, p, err);
    if (!rc) rc = check_keys(root, keys, p, err);
    json_t *prog = json_object_get(root, "program");
    if (!rc && !prog) rc = fail_key(err, p, "program", "missing (the program's settings)");
    if (!rc) {
        size_t o = jp_key(p, "program");
        rc = parse_program(prog, doc, p, err);
        if (!rc) jp_pop(p, o);
    }
    json_t *tiers = json_object_get(root, "tiers");
    if (!rc && tiers) {
        size_t o = jp_key(p, "tiers");
        rc = parse_tiers(tiers, doc, p, err);
        if (!rc) jp_pop(p, o);
    }
    if (!rc && doc->ntiers > 0 && doc->set.program.tier_window_days == 0)
        rc = kt_fail(err, KT_EINVAL, "$.program.tier_window_days",
                     "tiers are by spend over a rolling window: set tier_window_days (1..3660)");
    json_t *rules = json_object_get(root, "rules");
    if (!rc && !rules) rc = fail_key(err, p, "rules", "missing (an array of rules; it may be empty)");
    if (!rc && !json_is_array(rules)) rc = fail_key(err, p, "rules", "expected an array of rules, found %s", type_name(rules));
    if (!rc && json_array_size(rules) > KT_RULES_MAX)
        rc = fail_key(err, p, "rules", "more than %d rules", KT_RULES_MAX);
    if (!rc) {
        size_t o = jp_key(p, "rules");
        size_t n = json_array_size(rules);
        doc->rules = kt_xcalloc(n ? n : 1, sizeof *doc->rules);
        for (size_t i = 0; !rc && i < n; i++) {
            size_t o2 = jp_idx(p, i);
            doc->nrules = i + 1;
            rc = parse_rule(json_array_get(rules, i), doc, i, p, err);
            if (!rc) jp_pop(p, o2);
        }
        if (!rc) jp_pop(p, o);
    }
    if (rc) kt_rules_doc_free(doc);
    return rc;
}

static void names_free(kt_rules_names *n) {
    free(n->v);
    n->v = NULL;
    n->n = 0;
}

void kt_rules_doc_free(kt_rules_doc *doc) {
    for (int k = 0; k < 3; k++) {
        names_free(&doc->excl[k].categories);
        names_free(&doc->excl[k].skus);
    }
    for (size_t i = 0; i < doc->nrules; i++) {
        kt_rule_doc *rd = &doc->rules[i];
        names_free(&rd->partners);
        names_free(&rd->stores);
        for (int k = 0; k < KT_KIND_COUNT_; k++) names_free(&rd->lists[k]);
    }
    free(doc->rules);
    doc->rules = NULL;
    doc->nrules = 0;
}
