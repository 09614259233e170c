/*
 * text.c - phones, e-mails, card numbers, strict UTF-8, integers, money and
 * booleans as people and files write them. See text.h.
 *
 * Every parser is strict and says why it refused, quoting the input with
 * kt_text_quote so that control bytes and CP1251 text show up as \xNN.
 */
#include "text.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define QUOTE_INPUT_MAX 60 /* input bytes shown in a message before "..." */

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static unsigned char lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c; }
static unsigned char upper(unsigned char c) { return c >= 'a' && c <= 'z' ? (unsigned char)(c - 32) : c; }

/* ---- UTF-8 ------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at p[0..avail), 0 if invalid, or -1 if
 * it is a valid beginning cut short by avail. Unicode 15, table 3-7: no
 * overlong forms, no surrogates, nothing past U+10FFFF. */
static int utf8_seq(const unsigned char *p, size_t avail) {
    unsigned c = p[0];
    unsigned lo = 0x80, hi = 0xBF;
    int n;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c == 0xE0) { n = 3; lo = 0xA0; }
    else if (c >= 0xE1 && c <= 0xEC) n = 3;
    else if (c == 0xED) { n = 3; hi = 0x9F; }
    else if (c == 0xEE || c == 0xEF) n = 3;
    else if (c == 0xF0) { n = 4; lo = 0x90; }
    else if (c >= 0xF1 && c <= 0xF3) n = 4;
    else if (c == 0xF4) { n = 4; hi = 0x8F; }
    else return 0;
    for (int k = 1; k < n; k++) {
        if ((size_t)k >= avail) return -1;
        unsigned lo_k = k == 1 ? lo : 0x80, hi_k = k == 1 ? hi : 0xBF;
        if (p[k] < lo_k || p[k] > hi_k) return 0;
    }
    return n;
}

size_t kt_utf8_check_cut(const char *s, size_t len, bool *cut) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    *cut = false;
    while (i < len) {
        if (len - i >= 8) { /* eight ASCII bytes at a time */
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (!(w & 0x8080808080808080u)) {
                i += 8;
                continue;
            }
        }
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        /* Two-byte sequences (Cyrillic, Kazakh) are the common case. */
        if (p[i] >= 0xC2 && p[i] <= 0xDF && len - i >= 2 && (p[i + 1] & 0xC0) == 0x80) {
            i += 2;
            continue;
        }
        int n = utf8_seq(p + i, len - i);
        if (n <= 0) {
            *cut = n < 0;
            return i;
        }
        i += (size_t)n;
    }
    return len;
}

size_t kt_utf8_check(const char *s, size_t len) {
    bool cut;
    return kt_utf8_check_cut(s, len, &cut);
}

void kt_text_quote(const char *s, size_t len, char *out, size_t out_size) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0, i = 0;
    KT_ASSERT(out_size >= 8);
    size_t room = out_size - 5; /* keep space for `..."` and the NUL */
    out[o++] = '"';
    while (i < len && i < QUOTE_INPUT_MAX) {
        char piece[4];
        size_t n = 0, used = 1;
        unsigned c = p[i];
        if (c == '"' || c == '\\') {
            piece[n++] = '\\';
            piece[n++] = (char)c;
        } else if (c >= 0x20 && c < 0x7F) {
            piece[n++] = (char)c;
        } else {
            int seq = c >= 0x80 ? utf8_seq(p + i, len - i) : 0;
            if (seq > 1) {
                memcpy(piece, p + i, (size_t)seq);
                n = used = (size_t)seq;
            } else {
                piece[n++] = '\\';
                piece[n++] = 'x';
                piece[n++] = hex[c >> 4];
                piece[n++] = hex[c & 15];
            }
        }
        if (o + n > room) break;
        memcpy(out + o, piece, n);
        o += n;
        i += used;
    }
    if (i < len) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o++] = '"';
    out[o] = 0;
}

/* ---- phones ----------------------------------------------------------------- */

#define PHONE_DIGITS_MAX 15 /* E.164 */
#define PHONE_DIGITS_MIN 8  /* shortest real international numbers (+CC and 6..7 digits) */
#define PHONE_WANT "want +7XXXXXXXXXX, 8XXXXXXXXXX, 10 digits or +CC..."

__attribute__((format(printf, 4, 5)))
static kt_rc phone_fail(const char *in, kt_err *err, const char *field, const char *fmt, ...) {
    char q[KT_QUOTE_MAX], why[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    kt_text_quote(in, strlen(in), q, sizeof q);
    return kt_fail(err, KT_EINVAL, field, "not a phone number (" PHONE_WANT "): %s: %s", q, why);
}

/* The ten digits after +7: Russian codes start with 3, 4, 8 (geographic,
 * 800 toll-free) or 9 (mobile); Kazakh ones with 7. */
static bool national_ok(char first) {
    return first == '3' || first == '4' || first == '7' || first == '8' || first == '9';
}

kt_rc kt_phone_normalise(const char *in, char out[KT_PHONE_MAX], kt_err *err, const char *field) {
    char d[PHONE_DIGITS_MAX];
    size_t n = 0;
    bool plus = false;
    const unsigned char *p = (const unsigned char *)in;
    out[0] = 0;
    for (size_t i = 0; p[i]; i++) {
        unsigned char c = p[i];
        if (is_digit(c)) {
            if (n == PHONE_DIGITS_MAX)
                return phone_fail(in, err, field, "more than %d digits", PHONE_DIGITS_MAX);
            d[n++] = (char)c;
        } else if (c == '+') {
            if (plus || n > 0) return phone_fail(in, err, field, "'+' only at the start (byte %zu)", i + 1);
            plus = true;
        } else if (c == ' ' || c == '\t' || c == '-' || c == '.' || c == '(' || c == ')') {
            continue;
        } else if (c == 0xC2 && p[i + 1] == 0xA0) { /* no-break space, from copy and paste */
            i++;
        } else {
            return phone_fail(in, err, field, "unexpected character at byte %zu", i + 1);
        }
    }
    if (n == 0) {
        if (!plus && p[0] == 0) return kt_fail(err, KT_EINVAL, field, "empty phone number");
        return phone_fail(in, err, field, "no digits");
    }
    const char *national = NULL; /* the ten digits after +7, if it is +7 */
    if (plus) {
        if (d[0] == '7') {
            if (n != 11) return phone_fail(in, err, field, "a +7 number has 11 digits, not %zu", n);
            national = d + 1;
        } else if (d[0] == '0') {
            return phone_fail(in, err, field, "no country code starts with 0");
        } else if (d[0] == '8' && n > 1 && d[1] == '9') {
            return phone_fail(in, err, field, "+89 is not a country code (write +7, or 8 without '+')");
        } else if (n < PHONE_DIGITS_MIN) {
            return phone_fail(in, err, field, "only %zu digits", n);
        }
    } else if (n == 11 && (d[0] == '8' || d[0] == '7')) {
        national = d + 1;
    } else if (n == 10) {
        national = d;
    } else if (n == 11) {
        return phone_fail(in, err, field, "11 digits, but not starting with 7 or 8");
    } else {
        return phone_fail(in, err, field, "%zu digits", n);
    }
    if (national) {
        if (!national_ok(national[0]))
            return phone_fail(in, err, field,
                              "after +7 a number starts with 3, 4, 7, 8 or 9, not %c", national[0]);
        out[0] = '+';
        out[1] = '7';
        memcpy(out + 2, national, 10);
        out[12] = 0;
        return KT_OK;
    }
    out[0] = '+';
    memcpy(out + 1, d, n);
    out[n + 1] = 0;
    return KT_OK;
}

/* ---- e-mail ----------------------------------------------------------------- */

#define EMAIL_LEN_MAX (KT_EMAIL_MAX - 1) /* RFC 5321 forward-path */
#define EMAIL_LOCAL_MAX 64               /* RFC 5321 local part */
#define EMAIL_LABEL_MAX 63               /* RFC 1035 label */

static bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* RFC 5322 atext (dot-atom without the dots), plus UTF-8 (RFC 6531). */
static bool local_char(unsigned char c) {
    if (c >= 0x80) return true;
    if ((c >= 'a' && c <= 'z') || is_digit(c)) return true;
    return c && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL;
}

static bool domain_char(unsigned char c) {
    return c >= 0x80 || (c >= 'a' && c <= 'z') || is_digit(c) || c == '-';
}

static kt_rc email_fail(const char *s, size_t len, char *out, kt_err *err, const char *field, const char *why) {
    char q[KT_QUOTE_MAX];
    out[0] = 0;
    kt_text_quote(s, len, q, sizeof q);
    return kt_fail(err, KT_EINVAL, field, "not an e-mail address: %s: %s", q, why);
}

kt_rc kt_email_normalise(const char *in, char out[KT_EMAIL_MAX], kt_err *err, const char *field) {
    size_t len = strlen(in);
    const char *s = in;
    out[0] = 0;
    while (len && is_space((unsigned char)s[0])) s++, len--;
    while (len && is_space((unsigned char)s[len - 1])) len--;
    if (len == 0) return kt_fail(err, KT_EINVAL, field, "empty e-mail address");
    if (len > EMAIL_LEN_MAX) return email_fail(s, len, out, err, field, "longer than 254 bytes");
    if (kt_utf8_check(s, len) != len) return email_fail(s, len, out, err, field, "not valid UTF-8");
    const char *at = memchr(s, '@', len);
    if (!at) return email_fail(s, len, out, err, field, "no '@'");
    if (memchr(at + 1, '@', len - (size_t)(at - s) - 1)) return email_fail(s, len, out, err, field, "more than one '@'");
    for (size_t i = 0; i < len; i++) out[i] = (char)lower((unsigned char)s[i]);
    out[len] = 0;
    size_t local_len = (size_t)(at - s);
    const unsigned char *u = (const unsigned char *)out;
    if (local_len == 0) return email_fail(s, len, out, err, field, "nothing before '@'");
    if (local_len > EMAIL_LOCAL_MAX) return email_fail(s, len, out, err, field, "the part before '@' is over 64 bytes");
    for (size_t i = 0; i < local_len; i++) {
        if (u[i] == '.') {
            if (i == 0 || i == local_len - 1 || u[i - 1] == '.')
                return email_fail(s, len, out, err, field, "a dot at the start or end of the part before '@', or two dots");
        } else if (!local_char(u[i])) {
            return email_fail(s, len, out, err, field, "a space, control byte or one of ()<>[]:;,\\\" before '@'");
        }
    }
    /* The domain: at least two labels; letters, digits, '-' or UTF-8; no '-'
     * at either end of a label; a top-level label that is not all digits. */
    size_t labels = 0, label_len = 0;
    bool label_digits = true;
    for (size_t i = local_len + 1; i <= len; i++) {
        if (i == len || u[i] == '.') {
            if (label_len == 0) return email_fail(s, len, out, err, field, "an empty label in the domain");
            if (u[i - 1] == '-' || u[i - label_len] == '-')
                return email_fail(s, len, out, err, field, "a domain label starts or ends with '-'");
            labels++;
            if (i == len) break;
            label_len = 0;
            label_digits = true;
            continue;
        }
        if (!domain_char(u[i])) return email_fail(s, len, out, err, field, "a domain has only letters, digits, '-' and '.'");
        if (++label_len > EMAIL_LABEL_MAX) return email_fail(s, len, out, err, field, "a domain label over 63 bytes");
        if (!is_digit(u[i])) label_digits = false;
    }
    if (labels < 2) return email_fail(s, len, out, err, field, "the domain has no dot");
    if (label_digits || label_len < 2)
        return email_fail(s, len, out, err, field, "the top-level domain is a single letter or a number");
    return KT_OK;
}

/* ---- card numbers ----------------------------------------------------------- */

#define CARD_LEN_MIN 4
#define CARD_LEN_MAX (KT_CARD_MAX - 1)

kt_rc kt_card_normalise(const char *in, char out[KT_CARD_MAX], kt_err *err, const char *field) {
    size_t n = 0;
    char q[KT_QUOTE_MAX];
    const unsigned char *p = (const unsigned char *)in;
    out[0] = 0;
    for (size_t i = 0; p[i]; i++) {
        unsigned char c = p[i];
        if (c == ' ' || c == '-') continue;
        if (!is_digit(c) && !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z')) {
            kt_text_quote(in, strlen(in), q, sizeof q);
            out[0] = 0;
            return kt_fail(err, KT_EINVAL, field,
                           "not a card number (want 4 to 32 letters and digits): %s: unexpected character at byte %zu",
                           q, i + 1);
        }
        if (n == CARD_LEN_MAX) {
            kt_text_quote(in, strlen(in), q, sizeof q);
            out[0] = 0;
            return kt_fail(err, KT_EINVAL, field, "not a card number: %s: more than %d letters and digits", q,
                           CARD_LEN_MAX);
        }
        out[n++] = (char)upper(c);
    }
    out[n] = 0;
    if (n == 0) return kt_fail(err, KT_EINVAL, field, "empty card number");
    if (n < CARD_LEN_MIN) {
        kt_text_quote(in, strlen(in), q, sizeof q);
        out[0] = 0;
        return kt_fail(err, KT_EINVAL, field, "not a card number: %s: fewer than %d letters and digits", q,
                       CARD_LEN_MIN);
    }
    return KT_OK;
}

/* ---- numbers ---------------------------------------------------------------- */

/* Accumulates the digits s[0..len) as a negative number (the negative range
 * is the larger one, so INT64_MIN parses). False on a non-digit or overflow;
 * *overflow tells which. */
static bool digits_negative(const char *s, size_t len, int64_t *acc, bool *overflow) {
    int64_t v = *acc;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit((unsigned char)s[i])) return false;
        if (!kt_mul_i64(v, 10, &v) || !kt_sub_i64(v, s[i] - '0', &v)) {
            *overflow = true;
            return false;
        }
    }
    *acc = v;
    return true;
}

kt_rc kt_parse_i64(const char *s, size_t len, int64_t min, int64_t max, int64_t *out,
                   kt_err *err, const char *field) {
    char q[KT_QUOTE_MAX];
    if (len == 0) return kt_fail(err, KT_EINVAL, field, "empty (want a whole number)");
    bool neg = s[0] == '-', overflow = false;
    size_t start = neg ? 1 : 0;
    int64_t v = 0;
    if (start == len || !digits_negative(s + start, len - start, &v, &overflow)) {
        kt_text_quote(s, len, q, sizeof q);
        if (overflow) goto out_of_range;
        return kt_fail(err, KT_EINVAL, field, "not a whole number: %s", q);
    }
    if (!neg) {
        if (v == INT64_MIN) goto quote_out_of_range;
        v = -v;
    }
    if (v < min || v > max) goto quote_out_of_range;
    *out = v;
    return KT_OK;
quote_out_of_range:
    kt_text_quote(s, len, q, sizeof q);
out_of_range:
    return kt_fail(err, KT_EINVAL, field, "%s is out of range (%" PRId64 "..%" PRId64 ")", q, min, max);
}

kt_rc kt_parse_money(const char *s, size_t len, kt_money *out, kt_err *err, const char *field) {
    char q[KT_QUOTE_MAX];
    const char *why = "";
    if (len == 0) return kt_fail(err, KT_EINVAL, field, "empty (want an amount such as 123.45)");
    bool neg = s[0] == '-', overflow = false;
    size_t i = neg ? 1 : 0, int_end = i;
    while (int_end < len && is_digit((unsigned char)s[int_end])) int_end++;
    size_t frac_len = 0;
    if (int_end < len) {
        if (s[int_end] != '.' && s[int_end] != ',') goto bad;
        frac_len = len - int_end - 1;
        for (size_t k = int_end + 1; k < len; k++)
            if (!is_digit((unsigned char)s[k])) goto bad;
        if (frac_len == 0) goto bad;
        if (frac_len > 2) {
            why = ": more than 2 decimal places";
            goto bad;
        }
    }
    if (int_end == i) goto bad;
    int64_t v = 0;
    if (!digits_negative(s + i, int_end - i, &v, &overflow)) goto range;
    int64_t frac = 0;
    if (frac_len >= 1) frac = (s[int_end + 1] - '0') * 10;
    if (frac_len == 2) frac += s[int_end + 2] - '0';
    if (!kt_mul_i64(v, 100, &v) || !kt_sub_i64(v, frac, &v)) goto range;
    if (!neg) {
        if (v == INT64_MIN) goto range;
        v = -v;
    }
    *out = v;
    return KT_OK;
bad:
    kt_text_quote(s, len, q, sizeof q);
    return kt_fail(err, KT_EINVAL, field, "not an amount (want 123, 123.4 or 123.45): %s%s", q, why);
range:
    kt_text_quote(s, len, q, sizeof q);
    return kt_fail(err, KT_EINVAL, field, "amount out of range (at most 92233720368547758.07): %s", q);
}

void kt_money_format(kt_money m, char *buf) {
    uint64_t a = m < 0 ? -(uint64_t)m : (uint64_t)m;
    snprintf(buf, 24, "%s%" PRIu64 ".%02u", m < 0 ? "-" : "", a / 100, (unsigned)(a % 100));
}

kt_rc kt_parse_bool(const char *s, size_t len, bool *out, kt_err *err, const char *field) {
    static const struct { const char *word; bool value; } words[] = {
        {"1", true}, {"0", false}, {"true", true}, {"false", false}, {"yes", true},
        {"no", false}, {"y", true}, {"n", false}, {"t", true}, {"f", false},
    };
    if (len == 0) return kt_fail(err, KT_EINVAL, field, "empty (want 1/0, true/false, yes/no, y/n or t/f)");
    for (size_t w = 0; w < KT_ARRAY_LEN(words); w++) {
        const char *word = words[w].word;
        size_t k = 0;
        while (k < len && word[k] && lower((unsigned char)s[k]) == (unsigned char)word[k]) k++;
        if (k == len && word[k] == 0) {
            *out = words[w].value;
            return KT_OK;
        }
    }
    char q[KT_QUOTE_MAX];
    kt_text_quote(s, len, q, sizeof q);
    return kt_fail(err, KT_EINVAL, field, "not a yes/no value (want 1/0, true/false, yes/no, y/n or t/f): %s", q);
}
