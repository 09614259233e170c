/* test_date.c - src/core/date.c: the calendar, strict parsing, ISO times,
 * zones and KARTA_NOW. Expected day numbers and epoch seconds come from
 * Python's datetime, not from the code under test. */
#include "t.h"
#include "core/date.h"

#include <stdlib.h>

static kt_day day_of(const char *s) {
    kt_day d = KT_DAY_NONE;
    kt_err err;
    kt_rc rc = kt_day_parse(s, strlen(s), &d, &err, "d");
    KT_CHECK_INT(rc, KT_OK);
    return d;
}

static bool day_rejected(const char *s, const char *want_msg_part) {
    kt_day d;
    kt_err err;
    kt_err_clear(&err);
    kt_rc rc = kt_day_parse(s, strlen(s), &d, &err, "birth_date");
    if (rc != KT_EINVAL || err.code != KT_EINVAL || strcmp(err.field, "birth_date") != 0) return false;
    if (want_msg_part && !strstr(err.msg, want_msg_part)) {
        fprintf(stderr, "  message was: %s\n", err.msg);
        return false;
    }
    return true;
}

KT_TEST(date_known_days) {
    KT_CHECK_INT(kt_day_from_civil(1970, 1, 1), 0);
    KT_CHECK_INT(kt_day_from_civil(1969, 12, 31), -1);
    KT_CHECK_INT(kt_day_from_civil(1900, 1, 1), -25567);
    KT_CHECK_INT(kt_day_from_civil(1900, 3, 1), -25508);
    KT_CHECK_INT(kt_day_from_civil(2000, 2, 29), 11016);
    KT_CHECK_INT(kt_day_from_civil(2024, 2, 29), 19782);
    KT_CHECK_INT(kt_day_from_civil(2100, 3, 1), 47541);
    KT_CHECK_INT(kt_day_from_civil(2200, 12, 31), 84370);
    /* 1900 and 2100 have no 29 February: 28 Feb and 1 Mar are adjacent. */
    KT_CHECK_INT(kt_day_from_civil(1900, 3, 1) - kt_day_from_civil(1900, 2, 28), 1);
    KT_CHECK_INT(kt_day_from_civil(2100, 3, 1) - kt_day_from_civil(2100, 2, 28), 1);
    KT_CHECK_INT(kt_day_from_civil(2000, 3, 1) - kt_day_from_civil(2000, 2, 28), 2);
    /* Months and days just outside their range roll over. */
    KT_CHECK_INT(kt_day_from_civil(2023, 13, 1), kt_day_from_civil(2024, 1, 1));
    KT_CHECK_INT(kt_day_from_civil(2024, 3, 0), kt_day_from_civil(2024, 2, 29));
}

KT_TEST(date_leap_years) {
    KT_CHECK(kt_is_leap(2000));
    KT_CHECK(kt_is_leap(2024));
    KT_CHECK(kt_is_leap(1904));
    KT_CHECK(!kt_is_leap(1900));
    KT_CHECK(!kt_is_leap(2100));
    KT_CHECK(!kt_is_leap(2200));
    KT_CHECK(!kt_is_leap(2023));
    KT_CHECK(kt_is_leap(2400));
    KT_CHECK_INT(kt_days_in_month(2024, 2), 29);
    KT_CHECK_INT(kt_days_in_month(2023, 2), 28);
    KT_CHECK_INT(kt_days_in_month(1900, 2), 28);
    KT_CHECK_INT(kt_days_in_month(2000, 2), 29);
    KT_CHECK_INT(kt_days_in_month(2024, 4), 30);
    KT_CHECK_INT(kt_days_in_month(2024, 12), 31);
    int total = 0;
    for (int m = 1; m <= 12; m++) total += kt_days_in_month(2024, m);
    KT_CHECK_INT(total, 366);
}

/* Every day from year -10000 to +10000 (and the int32 extremes): the day
 * after is the next civil date, and civil -> day -> civil is the identity. */
KT_TEST(date_round_trip_wide) {
    kt_day first = kt_day_from_civil(-10000, 1, 1), last = kt_day_from_civil(10000, 12, 31);
    int py, pm, pd;
    kt_day_to_civil(first - 1, &py, &pm, &pd);
    KT_CHECK_INT(py, -10001);
    KT_CHECK_INT(pm, 12);
    KT_CHECK_INT(pd, 31);
    long bad = 0;
    for (kt_day d = first; d <= last; d++) {
        int y, m, md;
        kt_day_to_civil(d, &y, &m, &md);
        if (kt_day_from_civil(y, m, md) != d) bad++;
        bool next_ok = (y == py && m == pm && md == pd + 1) ||
                       (y == py && m == pm + 1 && md == 1 && pd == kt_days_in_month(py, pm)) ||
                       (y == py + 1 && m == 1 && md == 1 && pm == 12 && pd == 31);
        if (!next_ok) bad++;
        py = y, pm = m, pd = md;
    }
    KT_CHECK_INT(bad, 0);
    int y, m, md;
    kt_day_to_civil(INT32_MAX, &y, &m, &md);
    KT_CHECK_INT(kt_day_from_civil(y, m, md), INT32_MAX);
    kt_day_to_civil(INT32_MIN + 1, &y, &m, &md);
    KT_CHECK_INT(kt_day_from_civil(y, m, md), INT32_MIN + 1);
}

KT_TEST(date_weekday) {
    KT_CHECK_INT(kt_day_weekday(0), 3);                               /* 1970-01-01 Thursday */
    KT_CHECK_INT(kt_day_weekday(kt_day_from_civil(1900, 1, 1)), 0);   /* Monday */
    KT_CHECK_INT(kt_day_weekday(kt_day_from_civil(2000, 2, 29)), 1);  /* Tuesday */
    KT_CHECK_INT(kt_day_weekday(kt_day_from_civil(2024, 2, 29)), 3);  /* Thursday */
    KT_CHECK_INT(kt_day_weekday(kt_day_from_civil(2200, 12, 31)), 2); /* Wednesday */
    KT_CHECK_INT(kt_day_weekday(kt_day_from_civil(1969, 12, 28)), 6); /* Sunday */
    KT_CHECK_INT(kt_day_weekday(kt_day_from_civil(1945, 5, 9)), 2);   /* Wednesday */
    for (kt_day d = -1000; d < 1000; d++) KT_CHECK_INT((kt_day_weekday(d) + 1) % 7, kt_day_weekday(d + 1));
    KT_CHECK(kt_day_weekday(INT32_MIN) >= 0 && kt_day_weekday(INT32_MIN) <= 6);
}

KT_TEST(date_parse_strict) {
    KT_CHECK_INT(day_of("2024-02-29"), 19782);
    KT_CHECK_INT(day_of("2000-02-29"), 11016);
    KT_CHECK_INT(day_of("1900-01-01"), -25567);
    KT_CHECK_INT(day_of("2200-12-31"), 84370);
    KT_CHECK(day_rejected("2024-02-30", "not a date (want YYYY-MM-DD): \"2024-02-30\": February 2024 has 29 days"));
    KT_CHECK(day_rejected("2023-02-29", "February 2023 has 28 days"));
    KT_CHECK(day_rejected("1900-02-29", "February 1900 has 28 days"));
    KT_CHECK(day_rejected("2100-02-29", "February 2100 has 28 days"));
    KT_CHECK(day_rejected("2024-04-31", "April 2024 has 30 days"));
    KT_CHECK(day_rejected("2024-13-01", "no month 13"));
    KT_CHECK(day_rejected("2024-00-10", "no month 0"));
    KT_CHECK(day_rejected("2024-01-00", "January 2024 has 31 days"));
    KT_CHECK(day_rejected("1899-12-31", "year 1899 is outside 1900..2200"));
    KT_CHECK(day_rejected("2201-01-01", "outside"));
    KT_CHECK(day_rejected("", "empty date"));
    KT_CHECK(day_rejected("2024-1-05", "want YYYY-MM-DD"));
    KT_CHECK(day_rejected("2024/01/05", NULL));
    KT_CHECK(day_rejected("05.01.2024", NULL));
    KT_CHECK(day_rejected(" 2024-01-05", NULL));
    KT_CHECK(day_rejected("2024-01-05 ", NULL));
    KT_CHECK(day_rejected("2024-01-05T00:00", NULL));
    KT_CHECK(day_rejected("+024-01-05", NULL));
    KT_CHECK(day_rejected("2024-0a-05", NULL));
    KT_CHECK(day_rejected("2024-01--5", NULL));
    /* Bytes that are not text are shown escaped, not raw. */
    kt_day d;
    kt_err err;
    KT_CHECK_INT(kt_day_parse("2024\x01\xe9-011", 10, &d, &err, "d"), KT_EINVAL);
    KT_CHECK(strstr(err.msg, "\"2024\\x01\\xe9-011\"") != NULL);
    /* The length given is what counts, not a NUL. */
    KT_CHECK_INT(kt_day_parse("2024-01-05junk", 10, &d, &err, "d"), KT_OK);
    KT_CHECK_INT(d, kt_day_from_civil(2024, 1, 5));
}

KT_TEST(date_format) {
    char buf[11];
    kt_day_format(19782, buf);
    KT_CHECK_STR(buf, "2024-02-29");
    kt_day_format(-25567, buf);
    KT_CHECK_STR(buf, "1900-01-01");
    kt_day_format(kt_day_from_civil(1, 1, 1), buf);
    KT_CHECK_STR(buf, "0001-01-01");
    kt_day_format(KT_DAY_NONE, buf);
    KT_CHECK_STR(buf, "xxxx-xx-xx");
    kt_day_format(INT32_MAX, buf);
    KT_CHECK_STR(buf, "xxxx-xx-xx");
    for (kt_day x = -25567; x <= 84370; x += 37) {
        kt_day_format(x, buf);
        KT_CHECK_INT(day_of(buf), x);
    }
}

static kt_time time_of(const char *s, int *offset) {
    kt_time t = 0;
    kt_err err;
    kt_rc rc = kt_time_parse(s, strlen(s), NULL, &t, offset, &err, "t");
    if (rc) fprintf(stderr, "  %s: %s\n", s, err.msg);
    KT_CHECK_INT(rc, KT_OK);
    return t;
}

static bool time_rejected(const char *s, const char *want_msg_part) {
    kt_time t;
    int off;
    kt_err err;
    kt_rc rc = kt_time_parse(s, strlen(s), NULL, &t, &off, &err, "sold_at");
    if (rc != KT_EINVAL || strcmp(err.field, "sold_at") != 0) return false;
    if (want_msg_part && !strstr(err.msg, want_msg_part)) {
        fprintf(stderr, "  message was: %s\n", err.msg);
        return false;
    }
    return true;
}

KT_TEST(date_time_parse_offsets) {
    int off = -1;
    KT_CHECK_INT(time_of("2024-03-01T10:15:30+03:00", &off), 1709277330);
    KT_CHECK_INT(off, 180);
    KT_CHECK_INT(time_of("2024-03-01T10:15:30+05:00", &off), 1709270130);
    KT_CHECK_INT(off, 300);
    KT_CHECK_INT(time_of("2024-03-01T10:15:30+0500", &off), 1709270130);
    KT_CHECK_INT(time_of("2024-03-01 10:15:30+05", &off), 1709270130);
    KT_CHECK_INT(off, 300);
    KT_CHECK_INT(time_of("2024-03-01T07:15:30Z", &off), 1709277330);
    KT_CHECK_INT(off, 0);
    KT_CHECK_INT(time_of("2024-03-01t07:15:30z", &off), 1709277330);
    KT_CHECK_INT(time_of("2024-03-01T07:15:30.999Z", &off), 1709277330);
    KT_CHECK_INT(time_of("2024-03-01T07:15:30.123456789+00:00", &off), 1709277330);
    KT_CHECK_INT(time_of("2024-03-01T07:15Z", &off), 1709277300);
    KT_CHECK_INT(time_of("1999-12-31T23:59:59-12:00", &off), 946727999);
    KT_CHECK_INT(off, -720);
    KT_CHECK_INT(time_of("2024-01-01T00:00:00+14:00", &off), 1704016800);
    KT_CHECK_INT(time_of("2024-01-01T00:00:00+05:45", &off) + 5 * 3600 + 45 * 60,
                 time_of("2024-01-01T00:00:00Z", &off));
    KT_CHECK_INT(time_of("2024-01-01T00:00:00-00:30", &off) - 30 * 60, time_of("2024-01-01T00:00:00Z", &off));
    KT_CHECK_INT(off, 0);
    KT_CHECK_INT(time_of("1900-01-01T00:00:00+00:00", &off), -2208988800LL);
    KT_CHECK_INT(time_of("2200-12-31T23:59:59+00:00", &off), 7289654399LL);
    KT_CHECK_INT(time_of("2024-02-29T23:59:59+03:00", &off), time_of("2024-02-29T20:59:59Z", &off));
}

KT_TEST(date_time_parse_errors) {
    KT_CHECK(time_rejected("2024-03-01T10:15:30", "no UTC offset"));
    KT_CHECK(time_rejected("2024-03-01", NULL));
    KT_CHECK(time_rejected("", "empty time"));
    KT_CHECK(time_rejected("2024-02-30T10:00:00Z", "February 2024 has 29 days"));
    KT_CHECK(time_rejected("2024-03-01T24:00:00Z", "not a time of day"));
    KT_CHECK(time_rejected("2024-03-01T23:60:00Z", "not a time of day"));
    KT_CHECK(time_rejected("2024-03-01T23:59:60Z", "not a time of day"));
    KT_CHECK(time_rejected("2024-03-01T10:15:30+15:00", "bad UTC offset"));
    KT_CHECK(time_rejected("2024-03-01T10:15:30+03:60", "bad UTC offset"));
    KT_CHECK(time_rejected("2024-03-01T10:15:30+3:00", "bad UTC offset"));
    KT_CHECK(time_rejected("2024-03-01T10:15:30+03:00 ", "bad UTC offset"));
    KT_CHECK(time_rejected("2024-03-01T10:15:30ZZ", NULL));
    KT_CHECK(time_rejected("2024-03-01T10:15:30.Z", "1 to 9 digits"));
    KT_CHECK(time_rejected("2024-03-01T10:15:30.1234567890Z", "1 to 9 digits"));
    KT_CHECK(time_rejected("2024-03-01T10:15:3Z", NULL));
    KT_CHECK(time_rejected("2024-03-01X10:15:30Z", NULL));
    KT_CHECK(time_rejected("2024-03-01T1015Z", NULL));
    KT_CHECK(time_rejected("2024-03-01T10:15:30+03:00:00", NULL));
    /* A default offset fills in for a missing one only. */
    kt_time t;
    int off = 0, def = 300;
    kt_err err;
    KT_CHECK_INT(kt_time_parse("2024-03-01T10:15:30", 19, &def, &t, &off, &err, "t"), KT_OK);
    KT_CHECK_INT(t, 1709270130);
    KT_CHECK_INT(off, 300);
    KT_CHECK_INT(kt_time_parse("2024-03-01T10:15:30+03:00", 25, &def, &t, NULL, &err, "t"), KT_OK);
    KT_CHECK_INT(t, 1709277330);
}

KT_TEST(date_time_format_and_local_day) {
    char buf[26];
    kt_time_format(1709277330, 180, buf);
    KT_CHECK_STR(buf, "2024-03-01T10:15:30+03:00");
    kt_time_format(1709277330, 0, buf);
    KT_CHECK_STR(buf, "2024-03-01T07:15:30+00:00");
    kt_time_format(946727999, -720, buf);
    KT_CHECK_STR(buf, "1999-12-31T23:59:59-12:00");
    kt_time_format(-1, 0, buf);
    KT_CHECK_STR(buf, "1969-12-31T23:59:59+00:00");
    kt_time_format(0, 345, buf);
    KT_CHECK_STR(buf, "1970-01-01T05:45:00+05:45");
    kt_time_format(INT64_MAX, 840, buf); /* absurd input: no overflow, a marker */
    KT_CHECK(strncmp(buf, "xxxx-xx-xx", 10) == 0);
    KT_CHECK_INT(strlen(buf), 25);
    kt_time_format(INT64_MIN, -840, buf);
    KT_CHECK_INT(strlen(buf), 25);
    /* 23:30 UTC on 29 February is already 1 March in Moscow and Almaty. */
    kt_time t = time_of("2024-02-29T23:30:00Z", NULL);
    KT_CHECK_INT(kt_time_local_day(t, 0), kt_day_from_civil(2024, 2, 29));
    KT_CHECK_INT(kt_time_local_day(t, 180), kt_day_from_civil(2024, 3, 1));
    KT_CHECK_INT(kt_time_local_day(t, -60), kt_day_from_civil(2024, 2, 29));
    KT_CHECK_INT(kt_time_local_day(-1, 0), -1);
    KT_CHECK_INT(kt_time_local_day(-86400, 0), -1);
    KT_CHECK_INT(kt_time_local_day(-86401, 0), -2);
    /* format then parse is the identity, across offsets and both sides of 1970. */
    for (kt_time x = -2208988800LL + 86400; x < 7289654399LL - 86400; x += 7777777) {
        for (int o = -720; o <= 840; o += 135) {
            int back_off;
            kt_time_format(x, o, buf);
            KT_CHECK_INT(time_of(buf, &back_off), x);
            KT_CHECK_INT(back_off, o);
        }
    }
}

KT_TEST(date_zones) {
    static const struct { const char *zone; int offset; } cases[] = {
        {"Europe/Kaliningrad", 120}, {"Europe/Moscow", 180},     {"Europe/Samara", 240},
        {"Europe/Volgograd", 180},   {"Asia/Yekaterinburg", 300}, {"Asia/Omsk", 360},
        {"Asia/Novosibirsk", 420},   {"Asia/Krasnoyarsk", 420},   {"Asia/Irkutsk", 480},
        {"Asia/Yakutsk", 540},       {"Asia/Vladivostok", 600},   {"Asia/Magadan", 660},
        {"Asia/Kamchatka", 720},     {"Asia/Almaty", 300},        {"Asia/Astana", 300},
        {"Asia/Aqtobe", 300},        {"Asia/Aqtau", 300},         {"Asia/Qyzylorda", 300},
        {"UTC", 0},                  {"+03:00", 180},             {"-05:30", -330},
        {"+0700", 420},              {"+00:00", 0},
    };
    for (size_t i = 0; i < KT_ARRAY_LEN(cases); i++) {
        int off = -9999;
        kt_err err;
        KT_CHECK_INT(kt_zone_offset(cases[i].zone, &off, &err, "zone"), KT_OK);
        KT_CHECK_INT(off, cases[i].offset);
    }
    static const char *const bad[] = {"Europe/London", "europe/moscow", "", "MSK", "+3", "+25:00", "03:00", "UTC+3"};
    for (size_t i = 0; i < KT_ARRAY_LEN(bad); i++) {
        int off;
        kt_err err;
        KT_CHECK_INT(kt_zone_offset(bad[i], &off, &err, "stores.csv:4: zone"), KT_EINVAL);
        KT_CHECK_STR(err.field, "stores.csv:4: zone");
        KT_CHECK(strstr(err.msg, "unknown time zone") != NULL);
    }
}

KT_TEST(date_now_from_env) {
    const char *saved = getenv("KARTA_NOW");
    char keep[64] = "";
    if (saved) snprintf(keep, sizeof keep, "%s", saved);
    setenv("KARTA_NOW", "2024-02-29T23:30:00+05:00", 1);
    kt_err err;
    KT_CHECK_INT(kt_now_check(&err), KT_OK);
    KT_CHECK_INT(kt_now(), 1709231400);
    KT_CHECK_INT(kt_now_offset(), 300);
    KT_CHECK_INT(kt_today(), kt_day_from_civil(2024, 2, 29));
    setenv("KARTA_NOW", "2024-02-29T23:30:00Z", 1);
    KT_CHECK_INT(kt_now_offset(), 0);
    setenv("KARTA_NOW", "yesterday", 1);
    KT_CHECK_INT(kt_now_check(&err), KT_EINVAL);
    KT_CHECK_STR(err.field, "KARTA_NOW");
    unsetenv("KARTA_NOW");
    KT_CHECK_INT(kt_now_check(&err), KT_OK);
    KT_CHECK(kt_now() > 1700000000);
    KT_CHECK_INT(kt_now_offset(), 180);
    if (saved) setenv("KARTA_NOW", keep, 1);
}
