/*
 * basket.c - parsing and validation of checkout requests (basket.h).
 * Strict: unknown keys are errors, so a typo never silently changes a sale.
 */
#include "basket.h"
#include "core/buf.h"
#include "core/date.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KT_JSON_BODY_MAX (4 * 1024 * 1024) /* a 1000-line receipt is < 200 KiB */

kt_rc kt_json_load(const char *json, size_t len, json_t **out, kt_err *err) {
    json_error_t je;
    if (len > KT_JSON_BODY_MAX) return kt_fail(err, KT_EINVAL, "$", "the document is larger than %d bytes", KT_JSON_BODY_MAX);
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) return kt_fail(err, KT_EINVAL, "$", "malformed JSON at line %d, column %d: %s", je.line, je.column, je.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return kt_fail(err, KT_EINVAL, "$", "must be a JSON object");
    }
    *out = root;
    return KT_OK;
}

static kt_rc check_keys(json_t *obj, const char *path, const char *const *allowed, size_t n, kt_err *err) {
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) {
        bool ok = false;
        for (size_t i = 0; i < n && !ok; i++) ok = strcmp(k, allowed[i]) == 0;
        if (!ok) {
            char list[256] = "";
            for (size_t i = 0; i < n; i++) {
                strncat(list, allowed[i], sizeof list - strlen(list) - 1);
                if (i + 1 < n) strncat(list, ", ", sizeof list - strlen(list) - 1);
            }
            return kt_fail(err, KT_EINVAL, path, "unknown key \"%.64s\" (expected: %s)", k, list);
        }
    }
    return KT_OK;
}

static kt_rc get_str(json_t *obj, const char *key, const char *path, bool required, char *out, size_t cap, kt_err *err) {
    char p[96];
    json_t *v = json_object_get(obj, key);
    snprintf(p, sizeof p, "%s.%s", path, key);
    out[0] = 0;
    if (!v || json_is_null(v)) return required ? kt_fail(err, KT_EINVAL, p, "is required") : KT_OK;
    if (!json_is_string(v)) return kt_fail(err, KT_EINVAL, p, "must be a string");
    size_t n = json_string_length(v);
    if (n == 0) return kt_fail(err, KT_EINVAL, p, "must not be empty");
    if (n >= cap) return kt_fail(err, KT_EINVAL, p, "longer than %zu bytes", cap - 1);
    if (strlen(json_string_value(v)) != n) return kt_fail(err, KT_EINVAL, p, "contains a NUL character");
    memcpy(out, json_string_value(v), n + 1);
    return KT_OK;
}

static kt_rc get_money(json_t *obj, const char *key, const char *path, kt_money max, kt_money *out, kt_err *err) {
    char p[96];
    json_t *v = json_object_get(obj, key);
    snprintf(p, sizeof p, "%s.%s", path, key);
    if (!v) return kt_fail(err, KT_EINVAL, p, "is required");
    if (!json_is_integer(v)) return kt_fail(err, KT_EINVAL, p, "must be an integer amount in minor units (kopecks)");
    json_int_t x = json_integer_value(v);
    if (x < 0) return kt_fail(err, KT_EINVAL, p, "must not be negative");
    if (x > max) return kt_fail(err, KT_EINVAL, p, "%lld is absurd (more than %lld)", (long long)x, (long long)max);
    *out = x;
    return KT_OK;
}

kt_rc kt_json_qty_milli(json_t *v, const char *p, int64_t *out, kt_err *err) {
    if (!v) return kt_fail(err, KT_EINVAL, p, "is required");
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        if (x <= 0) return kt_fail(err, KT_EINVAL, p, "must be positive");
        if (x > KT_QTY_MILLI_MAX / 1000) return kt_fail(err, KT_EINVAL, p, "%lld is absurd", (long long)x);
        *out = x * 1000;
        return KT_OK;
    }
    if (!json_is_real(v)) return kt_fail(err, KT_EINVAL, p, "must be a number");
    double d = json_real_value(v);
    if (!(d > 0)) return kt_fail(err, KT_EINVAL, p, "must be positive");
    if (d > (double)(KT_QTY_MILLI_MAX / 1000)) return kt_fail(err, KT_EINVAL, p, "%g is absurd", d);
    double m = d * 1000.0, r = nearbyint(m);
    if (fabs(m - r) > 1e-6 * (r > 1 ? r : 1)) return kt_fail(err, KT_EINVAL, p, "%g has more than 3 decimals", d);
    if (r < 1) return kt_fail(err, KT_EINVAL, p, "must be at least 0.001");
    *out = (int64_t)r;
    return KT_OK;
}

static kt_rc get_time(json_t *obj, const char *path, kt_time *at, int *offset, kt_err *err) {
    char s[64], p[96];
    kt_rc rc = get_str(obj, "time", path, true, s, sizeof s, err);
    if (rc) return rc;
    snprintf(p, sizeof p, "%s.time", path);
    return kt_time_parse(s, strlen(s), NULL, at, offset, err, p);
}

static char *canonical(json_t *root) { return json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS); }

/* ---- the common case without jansson ----
 * A checkout request as tills send it - keys known and not repeated, strings
 * of printable ASCII without escapes, whole numbers without sign, fraction
 * or exponent, no nulls - is parsed here in one pass, validated exactly as
 * below and given the same canonical text that jansson writes (compact, keys
 * sorted, the same bytes for such strings and numbers). Anything else, and
 * any document this path would refuse, goes through the jansson path, which
 * accepts or refuses it and names the error as it always did. */

typedef struct fast_str { const char *p; size_t n; } fast_str; /* the bytes between the quotes */

typedef struct fast_in { const char *p, *end; } fast_in;

static void fast_ws(fast_in *in) {
    while (in->p < in->end && (*in->p == ' ' || *in->p == '\t' || *in->p == '\n' || *in->p == '\r')) in->p++;
}

static bool fast_char(fast_in *in, char c) {
    fast_ws(in);
    if (in->p < in->end && *in->p == c) { in->p++; return true; }
    return false;
}

static bool fast_string(fast_in *in, fast_str *out) {
    if (!fast_char(in, '"')) return false;
    const char *start = in->p;
    while (in->p < in->end && *in->p != '"') {
        unsigned char c = (unsigned char)*in->p;
        if (c < 0x20 || c > 0x7e || c == '\\') return false;
        in->p++;
    }
    if (in->p == in->end) return false;
    out->p = start;
    out->n = (size_t)(in->p - start);
    in->p++;
    return true;
}

/* A whole number 0..10^18-1 written as jansson writes it back. */
static bool fast_uint(fast_in *in, int64_t *out, fast_str *raw) {
    fast_ws(in);
    const char *start = in->p;
    int64_t v = 0;
    while (in->p < in->end && *in->p >= '0' && *in->p <= '9') {
        if (in->p - start == 18) return false;
        v = v * 10 + (*in->p - '0');
        in->p++;
    }
    size_t n = (size_t)(in->p - start);
    if (n == 0 || (n > 1 && *start == '0')) return false;
    if (in->p < in->end && (*in->p == '.' || *in->p == 'e' || *in->p == 'E')) return false;
    *out = v;
    raw->p = start;
    raw->n = n;
    return true;
}

static bool fast_copy(const fast_str *s, char *out, size_t cap) {
    if (s->n == 0 || s->n >= cap) return false;
    memcpy(out, s->p, s->n);
    out[s->n] = 0;
    return true;
}

static void fast_put(kt_buf *o, const char *key, const fast_str *v, bool quoted) {
    kt_buf_addc(o, '"');
    kt_buf_adds(o, key);
    kt_buf_add(o, quoted ? "\":\"" : "\":", quoted ? 3 : 2);
    kt_buf_add(o, v->p, v->n);
    if (quoted) kt_buf_addc(o, '"');
}

enum { F_STORE, F_RECEIPT, F_TIME, F_CARD, F_PHONE, F_LINES, F_REDEEM, F_COUPONS, F_TOTAL, F_NKEYS };

typedef struct fast_line { fast_str sku, qty, price, amount; } fast_line;

static bool fast_basket(const char *json, size_t len, kt_basket *b) {
    static const char *const keys[F_NKEYS] = {"store", "receipt", "time", "card", "phone", "lines", "redeem", "coupons", "total"};
    fast_in in = {json, json + len};
    fast_str v[F_NKEYS];
    fast_str coupons[KT_COUPONS_MAX];
    fast_line *fl = NULL;
    size_t nfl = 0, capfl = 0;
    unsigned seen = 0;
    bool redeem_max = false;
    int64_t redeem = 0, total = 0;
    kt_err e;
    memset(b, 0, sizeof *b);
    if (!fast_char(&in, '{')) return false;
    for (bool first = true;; first = false) {
        if (first && fast_char(&in, '}')) goto fail; /* {}: the store is required */
        fast_str k;
        if (!fast_string(&in, &k) || !fast_char(&in, ':')) goto fail;
        int key = -1;
        for (int i = 0; i < F_NKEYS && key < 0; i++)
            if (strlen(keys[i]) == k.n && memcmp(keys[i], k.p, k.n) == 0) key = i;
        if (key < 0 || (seen & (1u << key))) goto fail;
        seen |= 1u << key;
        switch (key) {
        case F_LINES:
            if (!fast_char(&in, '[')) goto fail;
            do {
                fast_line l;
                unsigned lseen = 0;
                if (!fast_char(&in, '{')) goto fail;
                do {
                    fast_str lk;
                    int64_t x;
                    if (!fast_string(&in, &lk) || !fast_char(&in, ':')) goto fail;
                    if (lk.n == 3 && memcmp(lk.p, "sku", 3) == 0 && !(lseen & 1)) { if (!fast_string(&in, &l.sku)) goto fail; lseen |= 1; }
                    else if (lk.n == 3 && memcmp(lk.p, "qty", 3) == 0 && !(lseen & 2)) { if (!fast_uint(&in, &x, &l.qty)) goto fail; lseen |= 2; }
                    else if (lk.n == 5 && memcmp(lk.p, "price", 5) == 0 && !(lseen & 4)) { if (!fast_uint(&in, &x, &l.price)) goto fail; lseen |= 4; }
                    else if (lk.n == 6 && memcmp(lk.p, "amount", 6) == 0 && !(lseen & 8)) { if (!fast_uint(&in, &x, &l.amount)) goto fail; lseen |= 8; }
                    else goto fail;
                } while (fast_char(&in, ','));
                if (!fast_char(&in, '}') || lseen != 15) goto fail;
                if (nfl == KT_BASKET_LINES_MAX) goto fail;
                if (nfl == capfl) {
                    capfl = capfl ? capfl * 2 : 16;
                    fl = kt_xrealloc(fl, capfl * sizeof *fl);
                }
                fl[nfl++] = l;
            } while (fast_char(&in, ','));
            if (!fast_char(&in, ']')) goto fail;
            break;
        case F_COUPONS:
            if (!fast_char(&in, '[')) goto fail;
            if (!fast_char(&in, ']')) {
                do {
                    if (b->ncoupons == KT_COUPONS_MAX || !fast_string(&in, &coupons[b->ncoupons])) goto fail;
                    if (!fast_copy(&coupons[b->ncoupons], b->coupons[b->ncoupons], KT_COUPON_MAX)) goto fail;
                    b->ncoupons++;
                } while (fast_char(&in, ','));
                if (!fast_char(&in, ']')) goto fail;
            }
            break;
        case F_REDEEM:
            fast_ws(&in);
            if (in.p < in.end && *in.p == '"') {
                if (!fast_string(&in, &v[key]) || v[key].n != 3 || memcmp(v[key].p, "max", 3) != 0) goto fail;
                redeem_max = true;
            } else if (!fast_uint(&in, &redeem, &v[key]) || redeem > 1000000000) {
                goto fail;
            }
            break;
        case F_TOTAL:
            if (!fast_uint(&in, &total, &v[key])) goto fail;
            break;
        default:
            if (!fast_string(&in, &v[key])) goto fail;
            break;
        }
        if (fast_char(&in, ',')) continue;
        if (!fast_char(&in, '}')) goto fail;
        break;
    }
    fast_ws(&in);
    if (in.p != in.end) goto fail;
    /* the checks of the jansson path, in any order: a failure sends the document there */
    unsigned required = (1u << F_STORE) | (1u << F_RECEIPT) | (1u << F_TIME) | (1u << F_LINES);
    if ((seen & required) != required || nfl == 0) goto fail;
    char raw[KT_EMAIL_MAX], t[64];
    if (!fast_copy(&v[F_STORE], b->store, sizeof b->store)) goto fail;
    if (!fast_copy(&v[F_RECEIPT], b->receipt, sizeof b->receipt) || kt_catalog_check_code(b->receipt, "$.receipt", &e)) goto fail;
    if (!fast_copy(&v[F_TIME], t, sizeof t) || kt_time_parse(t, strlen(t), NULL, &b->at, &b->offset_min, &e, "$.time")) goto fail;
    if ((seen & (1u << F_CARD)) && (!fast_copy(&v[F_CARD], raw, sizeof raw) || kt_card_normalise(raw, b->card, &e, "$.card"))) goto fail;
    if ((seen & (1u << F_PHONE)) && (!fast_copy(&v[F_PHONE], raw, sizeof raw) || kt_phone_normalise(raw, b->phone, &e, "$.phone"))) goto fail;
    if (b->card[0] && b->phone[0]) goto fail;
    b->redeem = redeem_max ? -1 : redeem;
    if (b->redeem != 0 && !b->card[0] && !b->phone[0]) goto fail;
    b->nlines = nfl;
    b->lines = kt_xcalloc(nfl, sizeof *b->lines);
    kt_money sum = 0;
    for (size_t i = 0; i < nfl; i++) {
        kt_basket_line *bl = &b->lines[i];
        fast_in q = {fl[i].qty.p, fl[i].qty.p + fl[i].qty.n}, pr = {fl[i].price.p, fl[i].price.p + fl[i].price.n},
                am = {fl[i].amount.p, fl[i].amount.p + fl[i].amount.n};
        fast_str ignore;
        int64_t qty;
        if (!fast_copy(&fl[i].sku, bl->sku, sizeof bl->sku)) goto fail;
        if (!fast_uint(&q, &qty, &ignore) || qty <= 0 || qty > KT_QTY_MILLI_MAX / 1000) goto fail;
        bl->qty_milli = qty * 1000;
        if (!fast_uint(&pr, &bl->price_minor, &ignore) || bl->price_minor > KT_PRICE_MINOR_MAX) goto fail;
        if (!fast_uint(&am, &bl->amount_minor, &ignore) || bl->amount_minor > KT_PRICE_MINOR_MAX) goto fail;
        __int128 full = ((__int128)bl->qty_milli * bl->price_minor + 999) / 1000;
        if ((__int128)bl->amount_minor > full) goto fail;
        sum += bl->amount_minor;
    }
    if ((seen & (1u << F_TOTAL)) && total != sum) goto fail;
    /* canonical: compact, keys sorted (card, coupons, lines, phone, receipt, redeem, store, time, total) */
    kt_buf o;
    kt_buf_init(&o);
    kt_buf_addc(&o, '{');
    bool comma = false;
#define FAST_SEP() do { if (comma) kt_buf_addc(&o, ','); comma = true; } while (0)
    if (seen & (1u << F_CARD)) { FAST_SEP(); fast_put(&o, "card", &v[F_CARD], true); }
    if (seen & (1u << F_COUPONS)) {
        FAST_SEP();
        kt_buf_adds(&o, "\"coupons\":[");
        for (size_t i = 0; i < b->ncoupons; i++) {
            if (i) kt_buf_addc(&o, ',');
            kt_buf_addc(&o, '"');
            kt_buf_add(&o, coupons[i].p, coupons[i].n);
            kt_buf_addc(&o, '"');
        }
        kt_buf_addc(&o, ']');
    }
    FAST_SEP();
    kt_buf_adds(&o, "\"lines\":[");
    for (size_t i = 0; i < nfl; i++) {
        if (i) kt_buf_addc(&o, ',');
        kt_buf_addc(&o, '{');
        fast_put(&o, "amount", &fl[i].amount, false);
        kt_buf_addc(&o, ',');
        fast_put(&o, "price", &fl[i].price, false);
        kt_buf_addc(&o, ',');
        fast_put(&o, "qty", &fl[i].qty, false);
        kt_buf_addc(&o, ',');
        fast_put(&o, "sku", &fl[i].sku, true);
        kt_buf_addc(&o, '}');
    }
    kt_buf_addc(&o, ']');
    if (seen & (1u << F_PHONE)) { FAST_SEP(); fast_put(&o, "phone", &v[F_PHONE], true); }
    FAST_SEP(); fast_put(&o, "receipt", &v[F_RECEIPT], true);
    if (seen & (1u << F_REDEEM)) { FAST_SEP(); fast_put(&o, "redeem", &v[F_REDEEM], redeem_max); }
    FAST_SEP(); fast_put(&o, "store", &v[F_STORE], true);
    FAST_SEP(); fast_put(&o, "time", &v[F_TIME], true);
    if (seen & (1u << F_TOTAL)) { FAST_SEP(); fast_put(&o, "total", &v[F_TOTAL], false); }
#undef FAST_SEP
    kt_buf_addc(&o, '}');
    b->canonical = kt_xstrdup(o.p);
    kt_buf_free(&o);
    free(fl);
    return true;
fail:
    free(fl);
    kt_basket_free(b);
    memset(b, 0, sizeof *b);
    return false;
}

kt_rc kt_basket_parse(const char *json, size_t len, kt_basket *b, kt_err *err) {
    if (len <= KT_JSON_BODY_MAX && fast_basket(json, len, b)) return KT_OK;
    return kt_basket_parse_json(json, len, b, err);
}

kt_rc kt_basket_parse_json(const char *json, size_t len, kt_basket *b, kt_err *err) {
    static const char *const keys[] = {"store", "receipt", "time", "card", "phone", "lines", "redeem", "coupons", "total"};
    static const char *const line_keys[] = {"sku", "qty", "price", "amount"};
    json_t *root;
    memset(b, 0, sizeof *b);
    kt_rc rc = kt_json_load(json, len, &root, err);
    if (rc) return rc;
    char raw[KT_EMAIL_MAX];
    if (!rc) rc = check_keys(root, "$", keys, KT_ARRAY_LEN(keys), err);
    if (!rc) rc = get_str(root, "store", "$", true, b->store, sizeof b->store, err);
    if (!rc) rc = get_str(root, "receipt", "$", true, b->receipt, sizeof b->receipt, err);
    if (!rc) rc = kt_catalog_check_code(b->receipt, "$.receipt", err);
    if (!rc) rc = get_time(root, "$", &b->at, &b->offset_min, err);
    if (!rc) rc = get_str(root, "card", "$", false, raw, sizeof raw, err);
    if (!rc && raw[0]) rc = kt_card_normalise(raw, b->card, err, "$.card");
    if (!rc) rc = get_str(root, "phone", "$", false, raw, sizeof raw, err);
    if (!rc && raw[0]) rc = kt_phone_normalise(raw, b->phone, err, "$.phone");
    if (!rc && b->card[0] && b->phone[0]) rc = kt_fail(err, KT_EINVAL, "$.phone", "give a card or a phone, not both");
    b->redeem = 0;
    json_t *rd = json_object_get(root, "redeem");
    if (!rc && rd) {
        if (json_is_string(rd) && strcmp(json_string_value(rd), "max") == 0) b->redeem = -1;
        else if (!json_is_integer(rd) || json_integer_value(rd) < 0)
            rc = kt_fail(err, KT_EINVAL, "$.redeem", "must be a number of points >= 0 or \"max\"");
        else if (json_integer_value(rd) > 1000000000) rc = kt_fail(err, KT_EINVAL, "$.redeem", "is absurd");
        else b->redeem = json_integer_value(rd);
        if (!rc && b->redeem != 0 && !b->card[0] && !b->phone[0])
            rc = kt_fail(err, KT_EINVAL, "$.redeem", "points can be redeemed only by an identified member (card or phone)");
    }
    json_t *cp = json_object_get(root, "coupons");
    if (!rc && cp) {
        if (!json_is_array(cp)) rc = kt_fail(err, KT_EINVAL, "$.coupons", "must be an array of strings");
        else if (json_array_size(cp) > KT_COUPONS_MAX) rc = kt_fail(err, KT_EINVAL, "$.coupons", "more than %d coupons", KT_COUPONS_MAX);
        for (size_t i = 0; !rc && i < json_array_size(cp); i++) {
            json_t *c = json_array_get(cp, i);
            char p[48];
            snprintf(p, sizeof p, "$.coupons[%zu]", i);
            if (!json_is_string(c) || json_string_length(c) == 0 || json_string_length(c) >= KT_COUPON_MAX)
                rc = kt_fail(err, KT_EINVAL, p, "must be a coupon code of 1..%d characters", KT_COUPON_MAX - 1);
            else snprintf(b->coupons[b->ncoupons++], KT_COUPON_MAX, "%s", json_string_value(c));
        }
    }
    json_t *lines = json_object_get(root, "lines");
    if (!rc && !lines) rc = kt_fail(err, KT_EINVAL, "$.lines", "is required");
    if (!rc && !json_is_array(lines)) rc = kt_fail(err, KT_EINVAL, "$.lines", "must be an array");
    if (!rc && json_array_size(lines) == 0) rc = kt_fail(err, KT_EINVAL, "$.lines", "a receipt has at least one line");
    if (!rc && json_array_size(lines) > KT_BASKET_LINES_MAX)
        rc = kt_fail(err, KT_EINVAL, "$.lines", "more than %d lines", KT_BASKET_LINES_MAX);
    kt_money sum = 0;
    if (!rc) {
        b->nlines = json_array_size(lines);
        b->lines = kt_xcalloc(b->nlines, sizeof *b->lines);
    }
    for (size_t i = 0; !rc && i < b->nlines; i++) {
        json_t *l = json_array_get(lines, i);
        kt_basket_line *bl = &b->lines[i];
        char p[48], pq[64];
        snprintf(p, sizeof p, "$.lines[%zu]", i);
        if (!json_is_object(l)) { rc = kt_fail(err, KT_EINVAL, p, "must be an object"); break; }
        if ((rc = check_keys(l, p, line_keys, KT_ARRAY_LEN(line_keys), err))) break;
        if ((rc = get_str(l, "sku", p, true, bl->sku, sizeof bl->sku, err))) break;
        snprintf(pq, sizeof pq, "%s.qty", p);
        if ((rc = kt_json_qty_milli(json_object_get(l, "qty"), pq, &bl->qty_milli, err))) break;
        if ((rc = get_money(l, "price", p, KT_PRICE_MINOR_MAX, &bl->price_minor, err))) break;
        if ((rc = get_money(l, "amount", p, KT_PRICE_MINOR_MAX, &bl->amount_minor, err))) break;
        /* amount <= qty * price, rounded up to the kopeck (a shelf discount may lower it) */
        __int128 full = ((__int128)bl->qty_milli * bl->price_minor + 999) / 1000;
        if ((__int128)bl->amount_minor > full) {
            snprintf(pq, sizeof pq, "%s.amount", p);
            rc = kt_fail(err, KT_EINVAL, pq, "%lld is more than qty x price = %lld", (long long)bl->amount_minor, (long long)full);
            break;
        }
        sum += bl->amount_minor;
    }
    json_t *tot = json_object_get(root, "total");
    if (!rc && tot) {
        if (!json_is_integer(tot)) rc = kt_fail(err, KT_EINVAL, "$.total", "must be an integer amount in minor units");
        else if (json_integer_value(tot) != sum)
            rc = kt_fail(err, KT_EINVAL, "$.total", "%lld but the lines add up to %lld", (long long)json_integer_value(tot), (long long)sum);
    }
    if (!rc) b->canonical = canonical(root);
    json_decref(root);
    if (rc) kt_basket_free(b);
    return rc;
}

void kt_basket_free(kt_basket *b) {
    free(b->lines);
    free(b->canonical);
    b->lines = NULL;
    b->canonical = NULL;
    b->nlines = 0;
}

kt_rc kt_refund_parse(const char *json, size_t len, kt_refund_req *r, kt_err *err) {
    static const char *const keys[] = {"store", "receipt", "original", "time", "lines"};
    static const char *const line_keys[] = {"line", "qty"};
    json_t *root;
    memset(r, 0, sizeof *r);
    kt_rc rc = kt_json_load(json, len, &root, err);
    if (rc) return rc;
    if (!rc) rc = check_keys(root, "$", keys, KT_ARRAY_LEN(keys), err);
    if (!rc) rc = get_str(root, "store", "$", true, r->store, sizeof r->store, err);
    if (!rc) rc = get_str(root, "receipt", "$", true, r->receipt, sizeof r->receipt, err);
    if (!rc) rc = kt_catalog_check_code(r->receipt, "$.receipt", err);
    if (!rc) rc = get_str(root, "original", "$", true, r->original, sizeof r->original, err);
    if (!rc) rc = get_time(root, "$", &r->at, &r->offset_min, err);
    if (!rc && strcmp(r->receipt, r->original) == 0)
        rc = kt_fail(err, KT_EINVAL, "$.receipt", "a refund needs its own receipt number, not the sale's");
    json_t *lines = json_object_get(root, "lines");
    if (!rc && lines) {
        if (!json_is_array(lines) || json_array_size(lines) == 0)
            rc = kt_fail(err, KT_EINVAL, "$.lines", "must be a non-empty array (leave it out to refund everything)");
        else if (json_array_size(lines) > KT_BASKET_LINES_MAX)
            rc = kt_fail(err, KT_EINVAL, "$.lines", "more than %d lines", KT_BASKET_LINES_MAX);
        if (!rc) {
            r->nlines = json_array_size(lines);
            r->lines = kt_xcalloc(r->nlines, sizeof *r->lines);
        }
        for (size_t i = 0; !rc && i < r->nlines; i++) {
            json_t *l = json_array_get(lines, i), *ln;
            char p[48], pq[64];
            snprintf(p, sizeof p, "$.lines[%zu]", i);
            if (!json_is_object(l)) { rc = kt_fail(err, KT_EINVAL, p, "must be an object"); break; }
            if ((rc = check_keys(l, p, line_keys, KT_ARRAY_LEN(line_keys), err))) break;
            ln = json_object_get(l, "line");
            snprintf(pq, sizeof pq, "%s.line", p);
            if (!ln || !json_is_integer(ln) || json_integer_value(ln) < 1 || json_integer_value(ln) > KT_BASKET_LINES_MAX) {
                rc = kt_fail(err, KT_EINVAL, pq, "must be the sale's line number (1..%d)", KT_BASKET_LINES_MAX);
                break;
            }
            r->lines[i].line = json_integer_value(ln);
            for (size_t k = 0; k < i; k++)
                if (r->lines[k].line == r->lines[i].line) rc = kt_fail(err, KT_EINVAL, pq, "line %lld appears twice", (long long)r->lines[i].line);
            if (rc) break;
            snprintf(pq, sizeof pq, "%s.qty", p);
            if (json_object_get(l, "qty")) rc = kt_json_qty_milli(json_object_get(l, "qty"), pq, &r->lines[i].qty_milli, err);
            else r->lines[i].qty_milli = -1;
        }
    }
    if (!rc) r->canonical = canonical(root);
    json_decref(root);
    if (rc) kt_refund_free(r);
    return rc;
}

void kt_refund_free(kt_refund_req *r) {
    free(r->lines);
    free(r->canonical);
    r->lines = NULL;
    r->canonical = NULL;
}
