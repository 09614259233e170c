/* test_text.c - src/core/text.c: phones, e-mails, cards, UTF-8, integers,
 * money, booleans and the quoting used in messages. */
#include "t.h"
#include "core/rng.h"
#include "core/text.h"

#include <stdlib.h>

/* ---- phones ---------------------------------------------------------------- */

static void phone_ok(const char *in, const char *want, int line) {
    char out[KT_PHONE_MAX];
    kt_err err;
    kt_rc rc = kt_phone_normalise(in, out, &err, "phone");
    if (rc != KT_OK || strcmp(out, want) != 0) {
        fprintf(stderr, "  test_text.c:%d: phone \"%s\" -> rc %d \"%s\" (%s), want \"%s\"\n", line, in, rc, out,
                rc ? err.msg : "", want);
        kt_test_failed_checks++;
    }
}

static void phone_bad(const char *in, const char *why, int line) {
    char out[KT_PHONE_MAX] = "junk";
    kt_err err;
    kt_err_clear(&err);
    kt_rc rc = kt_phone_normalise(in, out, &err, "members.csv:7: phone");
    if (rc != KT_EINVAL || out[0] != 0 || strcmp(err.field, "members.csv:7: phone") != 0 || !strstr(err.msg, why)) {
        fprintf(stderr, "  test_text.c:%d: phone \"%s\" -> rc %d out \"%s\" msg \"%s\", want an error with \"%s\"\n",
                line, in, rc, out, err.msg, why);
        kt_test_failed_checks++;
    }
}

#define PHONE_OK(in, want) phone_ok(in, want, __LINE__)
#define PHONE_BAD(in, why) phone_bad(in, why, __LINE__)

KT_TEST(text_phone_forms) {
    PHONE_OK("8 (912) 345-67-89", "+79123456789");
    PHONE_OK("+7 912 345 67 89", "+79123456789");
    PHONE_OK("79123456789", "+79123456789");
    PHONE_OK("9123456789", "+79123456789");
    PHONE_OK("89123456789", "+79123456789");
    PHONE_OK("+79123456789", "+79123456789");
    PHONE_OK("8-912-345-67-89", "+79123456789");
    PHONE_OK("+7(912)345.67.89", "+79123456789");
    PHONE_OK("  +7 912 345 67 89\t", "+79123456789");
    PHONE_OK("+7\xC2\xA0" "912\xC2\xA0" "345\xC2\xA0" "67\xC2\xA0" "89", "+79123456789"); /* no-break spaces */
    PHONE_OK("(912) 345-67-89", "+79123456789");
    /* Russian landlines and toll-free, Kazakh mobiles and landlines. */
    PHONE_OK("8 (495) 123-45-67", "+74951234567");
    PHONE_OK("8 (343) 123-45-67", "+73431234567");
    PHONE_OK("8 800 555 35 35", "+78005553535");
    PHONE_OK("+7 701 234 56 78", "+77012345678");
    PHONE_OK("8 701 234 56 78", "+77012345678");
    PHONE_OK("77012345678", "+77012345678");
    PHONE_OK("7012345678", "+77012345678");
    PHONE_OK("8 (727) 250-00-00", "+77272500000");
    /* Other countries only with '+'. */
    PHONE_OK("+375 29 123-45-67", "+375291234567");
    PHONE_OK("+49 30 1234567", "+49301234567");
    PHONE_OK("+1 (212) 555-0100", "+12125550100");
    PHONE_OK("+998 90 123 45 67", "+998901234567");
    PHONE_OK("+123456789012345", "+123456789012345"); /* 15 digits, the E.164 maximum */
}

KT_TEST(text_phone_rejects) {
    char out[KT_PHONE_MAX];
    kt_err err;
    KT_CHECK_INT(kt_phone_normalise("", out, &err, "phone"), KT_EINVAL);
    KT_CHECK_STR(err.msg, "empty phone number");
    PHONE_BAD("   ", "no digits");
    PHONE_BAD("+", "no digits");
    PHONE_BAD("abc", "unexpected character at byte 1");
    PHONE_BAD("123", "3 digits");
    PHONE_BAD("912345678", "9 digits");
    PHONE_BAD("912 345 67 890", "11 digits, but not starting with 7 or 8");
    PHONE_BAD("12345678901", "11 digits, but not");
    PHONE_BAD("912 345 67 8901", "12 digits");
    PHONE_BAD("+7 912 345 67 8", "a +7 number has 11 digits, not 10");
    PHONE_BAD("+7 912 345 67 899", "a +7 number has 11 digits, not 12");
    PHONE_BAD("8 912 345 67 89 0123 4567", "more than 15 digits");
    PHONE_BAD("8 (612) 345-67-89", "starts with 3, 4, 7, 8 or 9, not 6");
    PHONE_BAD("+7 512 345 67 89", "not 5");
    PHONE_BAD("0123456789", "not 0");
    PHONE_BAD("1234567890", "not 1");
    PHONE_BAD("+0 123 456 789", "no country code starts with 0");
    PHONE_BAD("+8 912 345 67 89", "+89 is not a country code");
    PHONE_BAD("+1234567", "only 7 digits");
    PHONE_BAD("+7 912 345 67 89 доб. 12", "unexpected character at byte 18");
    PHONE_BAD("9123456789+", "'+' only at the start");
    PHONE_BAD("++79123456789", "'+' only at the start");
    PHONE_BAD("8 912 345 67 89, 8 912 000 00 00", "unexpected character");
    PHONE_BAD("8912345678\xff", "\\xff");
    PHONE_BAD("tel:+79123456789", "unexpected character");
}

/* ---- e-mail ---------------------------------------------------------------- */

static void email_ok(const char *in, const char *want, int line) {
    char out[KT_EMAIL_MAX];
    kt_err err;
    kt_rc rc = kt_email_normalise(in, out, &err, "email");
    if (rc != KT_OK || strcmp(out, want) != 0) {
        fprintf(stderr, "  test_text.c:%d: email \"%s\" -> rc %d \"%s\" (%s), want \"%s\"\n", line, in, rc, out,
                rc ? err.msg : "", want);
        kt_test_failed_checks++;
    }
}

static void email_bad(const char *in, const char *why, int line) {
    char out[KT_EMAIL_MAX] = "junk";
    kt_err err;
    kt_err_clear(&err);
    kt_rc rc = kt_email_normalise(in, out, &err, "email");
    if (rc != KT_EINVAL || out[0] != 0 || strcmp(err.field, "email") != 0 || !strstr(err.msg, why)) {
        fprintf(stderr, "  test_text.c:%d: email \"%s\" -> rc %d out \"%s\" msg \"%s\", want an error with \"%s\"\n",
                line, in, rc, out, err.msg, why);
        kt_test_failed_checks++;
    }
}

#define EMAIL_OK(in, want) email_ok(in, want, __LINE__)
#define EMAIL_BAD(in, why) email_bad(in, why, __LINE__)

KT_TEST(text_email) {
    EMAIL_OK("  Ivan.Petrov@Mail.RU \t", "ivan.petrov@mail.ru");
    EMAIL_OK("a+tag@sub.example.com", "a+tag@sub.example.com");
    EMAIL_OK("o'brien@x.io", "o'brien@x.io");
    EMAIL_OK("user_1-2@my-shop.kz", "user_1-2@my-shop.kz");
    EMAIL_OK("user@почта.рф", "user@почта.рф");
    EMAIL_OK("USER@ПОЧТА.РФ", "user@ПОЧТА.РФ"); /* only ASCII is lower-cased */
    EMAIL_OK("a@b.cd", "a@b.cd");
    EMAIL_BAD("", "empty e-mail address");
    EMAIL_BAD(" \t ", "empty e-mail address");
    EMAIL_BAD("ivan.mail.ru", "no '@'");
    EMAIL_BAD("a@b@mail.ru", "more than one '@'");
    EMAIL_BAD("@mail.ru", "nothing before '@'");
    EMAIL_BAD("a@", "an empty label");
    EMAIL_BAD("a@mail", "the domain has no dot");
    EMAIL_BAD("a@.mail.ru", "an empty label");
    EMAIL_BAD("a@mail..ru", "an empty label");
    EMAIL_BAD("a@mail.ru.", "an empty label");
    EMAIL_BAD(".a@mail.ru", "a dot at the start or end");
    EMAIL_BAD("a.@mail.ru", "a dot at the start or end");
    EMAIL_BAD("a..b@mail.ru", "two dots");
    EMAIL_BAD("a b@mail.ru", "a space, control byte");
    EMAIL_BAD("a(b)@mail.ru", "a space, control byte");
    EMAIL_BAD("\"a\"@mail.ru", "a space, control byte");
    EMAIL_BAD("a\x01@mail.ru", "a space, control byte");
    EMAIL_BAD("a@-mail.ru", "starts or ends with '-'");
    EMAIL_BAD("a@mail-.ru", "starts or ends with '-'");
    EMAIL_BAD("a@mail.r", "single letter or a number");
    EMAIL_BAD("a@1.2.3.4", "single letter or a number");
    EMAIL_BAD("a@[1.2.3.4]", "only letters, digits");
    EMAIL_BAD("a@mail_box.ru", "only letters, digits");
    EMAIL_BAD("a@mail ru.com", "only letters, digits");
    EMAIL_BAD("a@mail.ru\xff", "not valid UTF-8");
    EMAIL_BAD("\xcf\xf0\xe8@mail.ru", "not valid UTF-8"); /* CP1251 */
    /* Lengths: 64 bytes before '@' and 254 in all are the limits. */
    char s[400];
    memset(s, 'a', 64);
    strcpy(s + 64, "@mail.ru");
    EMAIL_OK(s, s);
    memset(s, 'a', 65);
    strcpy(s + 65, "@mail.ru");
    EMAIL_BAD(s, "over 64 bytes");
    /* "a@" + three 63-byte labels with dots + N bytes + ".ru" */
    strcpy(s, "a@");
    for (int k = 0; k < 3; k++) {
        memset(s + 2 + k * 64, 'b', 63);
        s[2 + k * 64 + 63] = '.';
    }
    memset(s + 194, 'b', 57);
    strcpy(s + 251, ".ru");
    KT_CHECK_INT(strlen(s), 254);
    EMAIL_OK(s, s);
    memset(s + 194, 'b', 58);
    strcpy(s + 252, ".ru");
    KT_CHECK_INT(strlen(s), 255);
    EMAIL_BAD(s, "longer than 254 bytes");
    memset(s, 'c', 70);
    strcpy(s + 70, ".ru");
    char long_label[100] = "a@";
    strcat(long_label, s);
    EMAIL_BAD(long_label, "a domain label over 63 bytes");
}

/* ---- cards ------------------------------------------------------------------ */

KT_TEST(text_card) {
    char out[KT_CARD_MAX];
    kt_err err;
    KT_CHECK_INT(kt_card_normalise("1234 5678-9012", out, &err, "card"), KT_OK);
    KT_CHECK_STR(out, "123456789012");
    KT_CHECK_INT(kt_card_normalise("ab12cd", out, &err, "card"), KT_OK);
    KT_CHECK_STR(out, "AB12CD");
    KT_CHECK_INT(kt_card_normalise("1234", out, &err, "card"), KT_OK);
    KT_CHECK_STR(out, "1234");
    KT_CHECK_INT(kt_card_normalise("12345678901234567890123456789012", out, &err, "card"), KT_OK);
    KT_CHECK_INT(strlen(out), 32);
    KT_CHECK_INT(kt_card_normalise("1234 5678 9012 3456 7890 1234 5678 9012", out, &err, "card"), KT_OK);
    KT_CHECK_INT(kt_card_normalise("123456789012345678901234567890123", out, &err, "card"), KT_EINVAL);
    KT_CHECK(strstr(err.msg, "more than 32") != NULL);
    KT_CHECK_STR(out, "");
    KT_CHECK_INT(kt_card_normalise("123", out, &err, "card"), KT_EINVAL);
    KT_CHECK(strstr(err.msg, "fewer than 4") != NULL);
    KT_CHECK_STR(out, "");
    KT_CHECK_INT(kt_card_normalise("", out, &err, "card"), KT_EINVAL);
    KT_CHECK_STR(err.msg, "empty card number");
    KT_CHECK_INT(kt_card_normalise(" - ", out, &err, "card"), KT_EINVAL);
    KT_CHECK_STR(err.msg, "empty card number");
    KT_CHECK_INT(kt_card_normalise("12_34", out, &err, "cards.csv:3: card"), KT_EINVAL);
    KT_CHECK(strstr(err.msg, "unexpected character at byte 3") != NULL);
    KT_CHECK_STR(err.field, "cards.csv:3: card");
    KT_CHECK_INT(kt_card_normalise("1234\xd0\x90", out, &err, "card"), KT_EINVAL); /* Cyrillic A */
    KT_CHECK_INT(kt_card_normalise("1234\t5678", out, &err, "card"), KT_EINVAL);
}

/* ---- UTF-8 ------------------------------------------------------------------ */

/* A reference decoder written from the definition: decode any 1..4 byte
 * pattern, then refuse overlongs, surrogates and values past U+10FFFF. */
static size_t utf8_reference(const unsigned char *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i], n, cp;
        if (c < 0x80) { i++; continue; }
        if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F;
        else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F;
        else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07;
        else return i;
        if (len - i < n) return i;
        for (unsigned k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return i;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        unsigned min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += n;
    }
    return len;
}

KT_TEST(text_utf8_cases) {
    static const struct { const char *s; size_t want; } cases[] = {
        {"", 0},
        {"abc", 3},
        {"Привет, Қазақстан", sizeof "Привет, Қазақстан" - 1},
        {"\xff", 0},
        {"\x80", 0},
        {"ab\xC3", 2},
        {"ab\xC3x", 2},
        {"\xC0\x80", 0},
        {"\xC1\xBF", 0},
        {"\xC2\x80", 2},
        {"\xE0\x9F\xBF", 0},
        {"\xE0\xA0\x80", 3},
        {"\xED\x9F\xBF", 3},
        {"\xED\xA0\x80", 0},
        {"\xEF\xBF\xBF", 3},
        {"\xF0\x8F\xBF\xBF", 0},
        {"\xF0\x90\x80\x80", 4},
        {"\xF4\x8F\xBF\xBF", 4},
        {"\xF4\x90\x80\x80", 0},
        {"\xF5\x80\x80\x80", 0},
        {"12345678\x80", 8},
        {"1234567812345678z\xe9", 17},
        {"12345678\xd0\x9f" "12345678\xd0", 18},
    };
    for (size_t i = 0; i < KT_ARRAY_LEN(cases); i++) {
        size_t len = strlen(cases[i].s);
        KT_CHECK_INT(kt_utf8_check(cases[i].s, len), cases[i].want);
        KT_CHECK_INT(utf8_reference((const unsigned char *)cases[i].s, len), cases[i].want);
    }
    bool cut;
    KT_CHECK_INT(kt_utf8_check_cut("ab\xC3", 3, &cut), 2);
    KT_CHECK(cut);
    KT_CHECK_INT(kt_utf8_check_cut("\xF0\x90\x80", 3, &cut), 0);
    KT_CHECK(cut);
    KT_CHECK_INT(kt_utf8_check_cut("\xF0\x80", 2, &cut), 0); /* already wrong: not cut */
    KT_CHECK(!cut);
    KT_CHECK_INT(kt_utf8_check_cut("ab\xC3x", 4, &cut), 2);
    KT_CHECK(!cut);
    KT_CHECK_INT(kt_utf8_check_cut("abc", 3, &cut), 3);
    KT_CHECK(!cut);
    KT_CHECK_INT(kt_utf8_check("a\0b", 3), 3); /* NUL is valid UTF-8 */
}

/* Every one- and two-byte string, every three-byte string, and four-byte
 * strings over all first two bytes, against the reference decoder. */
KT_TEST(text_utf8_exhaustive) {
    unsigned char s[6];
    long bad = 0;
    for (unsigned a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        if (kt_utf8_check((char *)s, 1) != utf8_reference(s, 1)) bad++;
        for (unsigned b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            if (kt_utf8_check((char *)s, 2) != utf8_reference(s, 2)) bad++;
            for (unsigned c = 0; c < 256; c++) {
                s[2] = (unsigned char)c;
                if (kt_utf8_check((char *)s, 3) != utf8_reference(s, 3)) bad++;
            }
            static const unsigned char tails[][2] = {{0x80, 0x80}, {0xBF, 0xBF}, {0x80, 0x41}, {0xC0, 0x80}};
            for (size_t t = 0; t < KT_ARRAY_LEN(tails); t++) {
                s[2] = tails[t][0], s[3] = tails[t][1];
                if (kt_utf8_check((char *)s, 4) != utf8_reference(s, 4)) bad++;
            }
        }
    }
    KT_CHECK_INT(bad, 0);
}

/* ---- numbers ---------------------------------------------------------------- */

static int64_t i64_ok(const char *s, int64_t min, int64_t max) {
    int64_t v = -12345;
    kt_err err;
    KT_CHECK_INT(kt_parse_i64(s, strlen(s), min, max, &v, &err, "qty"), KT_OK);
    return v;
}

static bool i64_bad(const char *s, int64_t min, int64_t max, const char *why) {
    int64_t v = 77;
    kt_err err;
    kt_rc rc = kt_parse_i64(s, strlen(s), min, max, &v, &err, "qty");
    if (rc == KT_EINVAL && v == 77 && strcmp(err.field, "qty") == 0 && strstr(err.msg, why)) return true;
    fprintf(stderr, "  i64 \"%s\": rc %d, msg \"%s\"\n", s, rc, err.msg);
    return false;
}

KT_TEST(text_parse_i64) {
    KT_CHECK_INT(i64_ok("0", INT64_MIN, INT64_MAX), 0);
    KT_CHECK_INT(i64_ok("-0", INT64_MIN, INT64_MAX), 0);
    KT_CHECK_INT(i64_ok("123", INT64_MIN, INT64_MAX), 123);
    KT_CHECK_INT(i64_ok("-123", INT64_MIN, INT64_MAX), -123);
    KT_CHECK_INT(i64_ok("007", INT64_MIN, INT64_MAX), 7);
    KT_CHECK(i64_ok("9223372036854775807", INT64_MIN, INT64_MAX) == INT64_MAX);
    KT_CHECK(i64_ok("-9223372036854775808", INT64_MIN, INT64_MAX) == INT64_MIN);
    KT_CHECK(i64_ok("00000000000000000000009223372036854775807", INT64_MIN, INT64_MAX) == INT64_MAX);
    KT_CHECK_INT(i64_ok("100", 0, 100), 100);
    KT_CHECK_INT(i64_ok("0", 0, 100), 0);
    KT_CHECK(i64_bad("9223372036854775808", INT64_MIN, INT64_MAX, "out of range"));
    KT_CHECK(i64_bad("-9223372036854775809", INT64_MIN, INT64_MAX, "out of range"));
    KT_CHECK(i64_bad("99999999999999999999999", INT64_MIN, INT64_MAX, "out of range"));
    KT_CHECK(i64_bad("101", 0, 100, "\"101\" is out of range (0..100)"));
    KT_CHECK(i64_bad("-1", 0, 100, "out of range (0..100)"));
    KT_CHECK(i64_bad("", 0, 100, "empty"));
    KT_CHECK(i64_bad("-", 0, 100, "not a whole number: \"-\""));
    KT_CHECK(i64_bad("+5", 0, 100, "not a whole number"));
    KT_CHECK(i64_bad(" 5", 0, 100, "not a whole number"));
    KT_CHECK(i64_bad("5 ", 0, 100, "not a whole number"));
    KT_CHECK(i64_bad("1e3", 0, 10000, "not a whole number"));
    KT_CHECK(i64_bad("0x10", 0, 100, "not a whole number"));
    KT_CHECK(i64_bad("1.0", 0, 100, "not a whole number"));
    KT_CHECK(i64_bad("--1", INT64_MIN, 100, "not a whole number"));
    /* Only len bytes count. */
    int64_t v;
    kt_err err;
    KT_CHECK_INT(kt_parse_i64("12345", 2, 0, 100, &v, &err, "n"), KT_OK);
    KT_CHECK_INT(v, 12);
}

static kt_money money_ok(const char *s) {
    kt_money v = -12345;
    kt_err err;
    kt_rc rc = kt_parse_money(s, strlen(s), &v, &err, "price");
    if (rc) fprintf(stderr, "  money \"%s\": %s\n", s, err.msg);
    KT_CHECK_INT(rc, KT_OK);
    return v;
}

static bool money_bad(const char *s, const char *why) {
    kt_money v = 77;
    kt_err err;
    kt_rc rc = kt_parse_money(s, strlen(s), &v, &err, "price");
    if (rc == KT_EINVAL && v == 77 && strcmp(err.field, "price") == 0 && strstr(err.msg, why)) return true;
    fprintf(stderr, "  money \"%s\": rc %d, msg \"%s\"\n", s, rc, err.msg);
    return false;
}

KT_TEST(text_parse_money) {
    KT_CHECK_INT(money_ok("123"), 12300);
    KT_CHECK_INT(money_ok("123.4"), 12340);
    KT_CHECK_INT(money_ok("123.45"), 12345);
    KT_CHECK_INT(money_ok("123,45"), 12345);
    KT_CHECK_INT(money_ok("-5.00"), -500);
    KT_CHECK_INT(money_ok("-0.01"), -1);
    KT_CHECK_INT(money_ok("0.5"), 50);
    KT_CHECK_INT(money_ok("0,05"), 5);
    KT_CHECK_INT(money_ok("0"), 0);
    KT_CHECK_INT(money_ok("-0"), 0);
    KT_CHECK_INT(money_ok("0007.10"), 710);
    KT_CHECK(money_ok("92233720368547758.07") == INT64_MAX);
    KT_CHECK(money_ok("-92233720368547758.08") == INT64_MIN);
    KT_CHECK(money_bad("92233720368547758.08", "out of range"));
    KT_CHECK(money_bad("92233720368547759", "out of range"));
    KT_CHECK(money_bad("-92233720368547758.09", "out of range"));
    KT_CHECK(money_bad("100000000000000000000", "out of range"));
    KT_CHECK(money_bad("1.234", "more than 2 decimal places"));
    KT_CHECK(money_bad("1.230", "more than 2 decimal places"));
    KT_CHECK(money_bad("", "empty"));
    KT_CHECK(money_bad(".5", "not an amount"));
    KT_CHECK(money_bad("5.", "not an amount"));
    KT_CHECK(money_bad("-", "not an amount"));
    KT_CHECK(money_bad("-.5", "not an amount"));
    KT_CHECK(money_bad("1.2.3", "not an amount"));
    KT_CHECK(money_bad("1,234.56", "not an amount"));
    KT_CHECK(money_bad("1 234", "not an amount"));
    KT_CHECK(money_bad("+5", "not an amount"));
    KT_CHECK(money_bad(" 5", "not an amount"));
    KT_CHECK(money_bad("5 ", "not an amount"));
    KT_CHECK(money_bad("1e2", "not an amount"));
    KT_CHECK(money_bad("12.3a", "not an amount"));
    KT_CHECK(money_bad("5 руб", "not an amount"));
    KT_CHECK(money_bad("\xef\xbc\x91", "not an amount")); /* fullwidth 1 */
}

KT_TEST(text_money_format_round_trip) {
    char buf[24];
    static const struct { kt_money m; const char *s; } cases[] = {
        {0, "0.00"}, {5, "0.05"}, {-5, "-0.05"}, {12345, "123.45"}, {-500, "-5.00"}, {100, "1.00"},
        {INT64_MAX, "92233720368547758.07"}, {INT64_MIN, "-92233720368547758.08"},
    };
    for (size_t i = 0; i < KT_ARRAY_LEN(cases); i++) {
        kt_money_format(cases[i].m, buf);
        KT_CHECK_STR(buf, cases[i].s);
    }
    kt_rng r;
    kt_rng_seed(&r, 2024);
    for (int i = 0; i < 20000; i++) {
        kt_money m = (kt_money)kt_rng_next(&r) >> (kt_rng_below(&r, 63));
        kt_money back;
        kt_err err;
        kt_money_format(m, buf);
        KT_CHECK_INT(kt_parse_money(buf, strlen(buf), &back, &err, "m"), KT_OK);
        KT_CHECK_INT(back, m);
    }
}

KT_TEST(text_parse_bool) {
    static const struct { const char *s; bool v; } yes[] = {
        {"1", true}, {"0", false}, {"true", true}, {"FALSE", false}, {"Yes", true}, {"no", false},
        {"Y", true}, {"n", false}, {"T", true}, {"f", false}, {"TrUe", true}, {"NO", false},
    };
    for (size_t i = 0; i < KT_ARRAY_LEN(yes); i++) {
        bool v = !yes[i].v;
        kt_err err;
        KT_CHECK_INT(kt_parse_bool(yes[i].s, strlen(yes[i].s), &v, &err, "consent"), KT_OK);
        KT_CHECK(v == yes[i].v);
    }
    static const char *const no[] = {"", "2", "yes ", " no", "tru", "truee", "ye", "да", "on", "off", "-1", "10"};
    for (size_t i = 0; i < KT_ARRAY_LEN(no); i++) {
        bool v;
        kt_err err;
        KT_CHECK_INT(kt_parse_bool(no[i], strlen(no[i]), &v, &err, "consent"), KT_EINVAL);
        KT_CHECK_STR(err.field, "consent");
        KT_CHECK(strstr(err.msg, "want 1/0, true/false") != NULL);
    }
    bool v = false;
    kt_err err;
    KT_CHECK_INT(kt_parse_bool("yes", 1, &v, &err, "b"), KT_OK); /* "y" */
    KT_CHECK(v);
}

KT_TEST(text_quote_for_messages) {
    char q[KT_QUOTE_MAX];
    kt_text_quote("a\"b\\c\n", 6, q, sizeof q);
    KT_CHECK_STR(q, "\"a\\\"b\\\\c\\x0a\"");
    kt_text_quote("Иван\xff", 9, q, sizeof q);
    KT_CHECK_STR(q, "\"Иван\\xff\"");
    kt_text_quote("", 0, q, sizeof q);
    KT_CHECK_STR(q, "\"\"");
    char longs[200];
    memset(longs, 'x', sizeof longs);
    kt_text_quote(longs, sizeof longs, q, sizeof q);
    KT_CHECK_INT(strlen(q), 1 + 60 + 3 + 1);
    KT_CHECK(strcmp(q + 61, "...\"") == 0);
    memset(longs, 0x01, sizeof longs); /* every byte escaped: still fits */
    kt_text_quote(longs, sizeof longs, q, sizeof q);
    KT_CHECK(strlen(q) < KT_QUOTE_MAX);
    char tiny[8];
    kt_text_quote("abcdefgh", 8, tiny, sizeof tiny);
    KT_CHECK_STR(tiny, "\"ab...\"");
}
