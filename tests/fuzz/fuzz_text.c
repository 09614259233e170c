/*
 * fuzz_text.c - libFuzzer entry for src/core/text.c.
 *
 * Every parser gets the same input. What a normaliser accepts it must accept
 * again unchanged (idempotence) and its output must have the promised shape;
 * a parsed amount or integer must format and parse back to itself.
 */
#include "core/text.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool all(const char *s, const char *allowed) {
    for (; *s; s++)
        if (!strchr(allowed, *s)) return false;
    return true;
}

static void check_phone(const char *in) {
    char out[KT_PHONE_MAX], again[KT_PHONE_MAX];
    kt_err err;
    if (kt_phone_normalise(in, out, &err, "phone") != KT_OK) {
        KT_ASSERT(out[0] == 0 && err.code == KT_EINVAL && err.msg[0]);
        return;
    }
    size_t n = strlen(out);
    KT_ASSERT(out[0] == '+' && n >= 9 && n <= 16 && all(out + 1, "0123456789"));
    if (out[1] == '7') KT_ASSERT(n == 12);
    KT_ASSERT(kt_phone_normalise(out, again, &err, "phone") == KT_OK && strcmp(out, again) == 0);
}

static void check_email(const char *in) {
    char out[KT_EMAIL_MAX], again[KT_EMAIL_MAX];
    kt_err err;
    if (kt_email_normalise(in, out, &err, "email") != KT_OK) {
        KT_ASSERT(out[0] == 0 && err.code == KT_EINVAL && err.msg[0]);
        return;
    }
    size_t n = strlen(out);
    KT_ASSERT(n >= 6 && n <= 254);
    KT_ASSERT(kt_utf8_check(out, n) == n);
    for (size_t i = 0; i < n; i++) KT_ASSERT(!(out[i] >= 'A' && out[i] <= 'Z') && (unsigned char)out[i] > ' ');
    const char *at = strchr(out, '@');
    KT_ASSERT(at && at > out && !strchr(at + 1, '@') && strchr(at, '.'));
    KT_ASSERT(kt_email_normalise(out, again, &err, "email") == KT_OK && strcmp(out, again) == 0);
}

static void check_card(const char *in) {
    char out[KT_CARD_MAX], again[KT_CARD_MAX];
    kt_err err;
    if (kt_card_normalise(in, out, &err, "card") != KT_OK) {
        KT_ASSERT(out[0] == 0 && err.code == KT_EINVAL && err.msg[0]);
        return;
    }
    size_t n = strlen(out);
    KT_ASSERT(n >= 4 && n <= 32 && all(out, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"));
    KT_ASSERT(kt_card_normalise(out, again, &err, "card") == KT_OK && strcmp(out, again) == 0);
}

static void check_numbers(const char *s, size_t len) {
    kt_err err;
    kt_money m, back;
    if (kt_parse_money(s, len, &m, &err, "amount") == KT_OK) {
        char buf[24];
        kt_money_format(m, buf);
        KT_ASSERT(kt_parse_money(buf, strlen(buf), &back, &err, "amount") == KT_OK && back == m);
    } else {
        KT_ASSERT(err.code == KT_EINVAL && err.msg[0]);
    }
    int64_t v, w;
    if (kt_parse_i64(s, len, INT64_MIN, INT64_MAX, &v, &err, "n") == KT_OK) {
        char buf[24];
        snprintf(buf, sizeof buf, "%" PRId64, v);
        KT_ASSERT(kt_parse_i64(buf, strlen(buf), INT64_MIN, INT64_MAX, &w, &err, "n") == KT_OK && w == v);
        /* A narrower range accepts exactly the values inside it. */
        kt_rc rc = kt_parse_i64(s, len, -1000, 1000, &w, &err, "n");
        KT_ASSERT((rc == KT_OK) == (v >= -1000 && v <= 1000));
    }
    bool b;
    if (kt_parse_bool(s, len, &b, &err, "b") == KT_OK) KT_ASSERT(len >= 1 && len <= 5);
}

static void check_utf8_and_quote(const char *s, size_t len) {
    bool cut;
    size_t off = kt_utf8_check(s, len);
    KT_ASSERT(off <= len);
    KT_ASSERT(kt_utf8_check(s, off) == off);
    KT_ASSERT(kt_utf8_check_cut(s, len, &cut) == off);
    if (cut) KT_ASSERT(len - off < 4);
    char q[KT_QUOTE_MAX];
    kt_text_quote(s, len, q, sizeof q);
    size_t qn = strlen(q);
    KT_ASSERT(qn >= 2 && qn < sizeof q && q[0] == '"' && q[qn - 1] == '"');
    KT_ASSERT(kt_utf8_check(q, qn) == qn);
    char tiny[8];
    kt_text_quote(s, len, tiny, sizeof tiny);
    KT_ASSERT(strlen(tiny) < sizeof tiny);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1); /* the normalisers take C strings */
    memcpy(s, data, size);
    s[size] = 0;
    check_phone(s);
    check_email(s);
    check_card(s);
    check_numbers(s, size);
    check_utf8_and_quote(s, size);
    free(s);
    return 0;
}
