/*
 * date.c - calendar days, ISO 8601 times and the fixed-offset zone table.
 * See date.h.
 *
 * Day numbers use Howard Hinnant's days_from_civil / civil_from_days: the
 * year is shifted to start on 1 March so that the leap day is the last day of
 * the shifted year, and 400-year eras of 146097 days make it exact for every
 * proleptic Gregorian date. Arithmetic is done in int64 so that any kt_day or
 * kt_time, however odd, is handled without overflow.
 */
#include "date.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DATE_YEAR_MIN 1900 /* birth dates of living members */
#define DATE_YEAR_MAX 2200 /* expiry dates far ahead; past this it is a typo */
#define OFFSET_MIN_MAX (14 * 60) /* real zones run from -12:00 to +14:00 */
#define SECONDS_PER_DAY 86400
#define NOW_DEFAULT_OFFSET_MIN 180 /* Moscow, when no store says otherwise */

/* ---- the civil calendar ---------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

/* Days since 1970-01-01 of year/month/mday. month may run a little outside
 * 1..12 and mday outside the month: they roll over into the next or previous
 * month or year. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                              /* [0, 399] */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;     /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *year, int *month, int *mday) {
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;                                   /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);             /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                  /* [0, 11] */
    *mday = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (*month <= 2);
}

kt_day kt_day_from_civil(int year, int month, int mday) {
    return (kt_day)days_from_civil(year, month, mday);
}

void kt_day_to_civil(kt_day day, int *year, int *month, int *mday) {
    int64_t y;
    civil_from_days(day, &y, month, mday);
    *year = (int)y; /* |y| < 6 million for any int32 day */
}

int kt_day_weekday(kt_day day) {
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    return (int)(((int64_t)day % 7 + 7 + 3) % 7);
}

bool kt_is_leap(int year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int kt_days_in_month(int year, int month) {
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    KT_ASSERT(month >= 1 && month <= 12);
    return month == 2 && kt_is_leap(year) ? 29 : days[month - 1];
}

/* ---- parsing --------------------------------------------------------------- */

static bool digits(const char *s, size_t n, int *out) {
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static const char *const month_names[12] = {
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
};

/* Checks "YYYY-MM-DD" at s (at least 10 bytes). On failure writes the reason
 * (without the input) to why. */
static bool parse_ymd(const char *s, int *y, int *m, int *d, char *why, size_t why_size) {
    if (!digits(s, 4, y) || s[4] != '-' || !digits(s + 5, 2, m) || s[7] != '-' ||
        !digits(s + 8, 2, d)) {
        why[0] = 0;
        return false;
    }
    if (*y < DATE_YEAR_MIN || *y > DATE_YEAR_MAX) {
        snprintf(why, why_size, ": year %d is outside %d..%d", *y, DATE_YEAR_MIN, DATE_YEAR_MAX);
        return false;
    }
    if (*m < 1 || *m > 12) {
        snprintf(why, why_size, ": there is no month %d", *m);
        return false;
    }
    int dim = kt_days_in_month(*y, *m);
    if (*d < 1 || *d > dim) {
        snprintf(why, why_size, ": %s %d has %d days", month_names[*m - 1], *y, dim);
        return false;
    }
    return true;
}

kt_rc kt_day_parse(const char *s, size_t len, kt_day *out, kt_err *err, const char *field) {
    char q[KT_QUOTE_MAX], why[96] = "";
    int y, m, d;
    if (len == 10 && parse_ymd(s, &y, &m, &d, why, sizeof why)) {
        *out = kt_day_from_civil(y, m, d);
        return KT_OK;
    }
    kt_text_quote(s, len, q, sizeof q);
    if (len == 0) return kt_fail(err, KT_EINVAL, field, "empty date (want YYYY-MM-DD)");
    return kt_fail(err, KT_EINVAL, field, "not a date (want YYYY-MM-DD): %s%s", q, why);
}

/* Writes n decimal digits of v (mod 10^n) at p. */
static void put_digits(char *p, int n, int64_t v) {
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

static void format_ymd(int64_t day, char *buf) {
    int64_t y;
    int m, d;
    civil_from_days(day, &y, &m, &d);
    if (y < 0 || y > 9999) {
        memcpy(buf, "xxxx-xx-xx", 10);
        return;
    }
    put_digits(buf, 4, y);
    buf[4] = '-';
    put_digits(buf + 5, 2, m);
    buf[7] = '-';
    put_digits(buf + 8, 2, d);
}

void kt_day_format(kt_day day, char *buf) {
    format_ymd(day, buf);
    buf[10] = 0;
}

/* ---- times ----------------------------------------------------------------- */

#define TIME_WANT "YYYY-MM-DDTHH:MM[:SS]+HH:MM"

static kt_rc time_fail(const char *s, size_t len, kt_err *err, const char *field, const char *why) {
    char q[KT_QUOTE_MAX];
    kt_text_quote(s, len, q, sizeof q);
    if (len == 0) return kt_fail(err, KT_EINVAL, field, "empty time (want " TIME_WANT ")");
    return kt_fail(err, KT_EINVAL, field, "not a time (want " TIME_WANT "): %s%s", q, why);
}

/* Parses "+HH:MM", "+HHMM" or "+HH" (or '-') taking exactly len bytes. */
static bool parse_offset(const char *s, size_t len, int *offset_min) {
    int h, m = 0;
    if (len < 3 || (s[0] != '+' && s[0] != '-') || !digits(s + 1, 2, &h)) return false;
    if (len == 6) {
        if (s[3] != ':' || !digits(s + 4, 2, &m)) return false;
    } else if (len == 5) {
        if (!digits(s + 3, 2, &m)) return false;
    } else if (len != 3) {
        return false;
    }
    if (m > 59) return false;
    int v = h * 60 + m;
    if (v > OFFSET_MIN_MAX) return false;
    *offset_min = s[0] == '-' ? -v : v;
    return true;
}

kt_rc kt_time_parse(const char *s, size_t len, const int *default_offset_min,
                    kt_time *out_utc, int *out_offset_min, kt_err *err, const char *field) {
    char why[96] = "";
    int y, mo, d, h, mi, sec = 0, offset;
    if (len < 16) return time_fail(s, len, err, field, "");
    if (!parse_ymd(s, &y, &mo, &d, why, sizeof why)) return time_fail(s, len, err, field, why);
    if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s + 11, 2, &h) || s[13] != ':' ||
        !digits(s + 14, 2, &mi))
        return time_fail(s, len, err, field, "");
    size_t i = 16;
    if (i < len && s[i] == ':') {
        if (len < i + 3 || !digits(s + i + 1, 2, &sec)) return time_fail(s, len, err, field, "");
        i += 3;
        if (i < len && s[i] == '.') {
            size_t f = ++i;
            while (i < len && s[i] >= '0' && s[i] <= '9') i++;
            if (i == f || i - f > 9)
                return time_fail(s, len, err, field, ": want 1 to 9 digits after '.'");
        }
    }
    if (h > 23 || mi > 59 || sec > 59) {
        snprintf(why, sizeof why, ": %02d:%02d:%02d is not a time of day", h, mi, sec);
        return time_fail(s, len, err, field, why);
    }
    if (i == len) {
        if (!default_offset_min) return time_fail(s, len, err, field, ": no UTC offset (add Z or +HH:MM)");
        offset = *default_offset_min;
        KT_ASSERT(offset >= -OFFSET_MIN_MAX && offset <= OFFSET_MIN_MAX);
    } else if (len - i == 1 && (s[i] == 'Z' || s[i] == 'z')) {
        offset = 0;
    } else if (!parse_offset(s + i, len - i, &offset)) {
        return time_fail(s, len, err, field, ": bad UTC offset (want Z, +HH:MM or +HHMM, within 14:00)");
    }
    int64_t local = days_from_civil(y, mo, d) * SECONDS_PER_DAY + h * 3600 + mi * 60 + sec;
    *out_utc = local - (int64_t)offset * 60;
    if (out_offset_min) *out_offset_min = offset;
    return KT_OK;
}

/* utc + offset, saturating: times far outside any calendar still format. */
static int64_t local_seconds(kt_time utc, int offset_min) {
    int64_t local;
    if (!kt_add_i64(utc, (int64_t)offset_min * 60, &local)) local = offset_min > 0 ? INT64_MAX : INT64_MIN;
    return local;
}

void kt_time_format(kt_time utc, int offset_min, char *buf) {
    int64_t local = local_seconds(utc, offset_min);
    int64_t day = floor_div(local, SECONDS_PER_DAY);
    int64_t sod = local % SECONDS_PER_DAY;
    if (sod < 0) sod += SECONDS_PER_DAY;
    format_ymd(day, buf);
    buf[10] = 'T';
    put_digits(buf + 11, 2, sod / 3600);
    buf[13] = ':';
    put_digits(buf + 14, 2, sod / 60 % 60);
    buf[16] = ':';
    put_digits(buf + 17, 2, sod % 60);
    int64_t a = offset_min < 0 ? -(int64_t)offset_min : offset_min;
    buf[19] = offset_min < 0 ? '-' : '+';
    put_digits(buf + 20, 2, a / 60);
    buf[22] = ':';
    put_digits(buf + 23, 2, a % 60);
    buf[25] = 0;
}

kt_day kt_time_local_day(kt_time utc, int offset_min) {
    return (kt_day)floor_div(local_seconds(utc, offset_min), SECONDS_PER_DAY);
}

/* ---- zones ----------------------------------------------------------------- */

/* The chain's countries keep one offset all year: Russia since 26 October
 * 2014, Kazakhstan since 1 March 2024 (the whole country on UTC+5). */
static const struct { const char *name; int offset_min; } zones[] = {
    {"UTC", 0},
    {"Etc/UTC", 0},
    {"Europe/Kaliningrad", 2 * 60},
    {"Europe/Moscow", 3 * 60},
    {"Europe/Kirov", 3 * 60},
    {"Europe/Volgograd", 3 * 60},
    {"Europe/Samara", 4 * 60},
    {"Europe/Astrakhan", 4 * 60},
    {"Europe/Saratov", 4 * 60},
    {"Europe/Ulyanovsk", 4 * 60},
    {"Asia/Yekaterinburg", 5 * 60},
    {"Asia/Omsk", 6 * 60},
    {"Asia/Novosibirsk", 7 * 60},
    {"Asia/Barnaul", 7 * 60},
    {"Asia/Tomsk", 7 * 60},
    {"Asia/Novokuznetsk", 7 * 60},
    {"Asia/Krasnoyarsk", 7 * 60},
    {"Asia/Irkutsk", 8 * 60},
    {"Asia/Chita", 9 * 60},
    {"Asia/Yakutsk", 9 * 60},
    {"Asia/Khandyga", 9 * 60},
    {"Asia/Vladivostok", 10 * 60},
    {"Asia/Ust-Nera", 10 * 60},
    {"Asia/Magadan", 11 * 60},
    {"Asia/Sakhalin", 11 * 60},
    {"Asia/Srednekolymsk", 11 * 60},
    {"Asia/Kamchatka", 12 * 60},
    {"Asia/Anadyr", 12 * 60},
    {"Asia/Almaty", 5 * 60},
    {"Asia/Astana", 5 * 60},
    {"Asia/Qostanay", 5 * 60},
    {"Asia/Aqtobe", 5 * 60},
    {"Asia/Aqtau", 5 * 60},
    {"Asia/Atyrau", 5 * 60},
    {"Asia/Oral", 5 * 60},
    {"Asia/Qyzylorda", 5 * 60},
};

kt_rc kt_zone_offset(const char *zone, int *offset_min, kt_err *err, const char *field) {
    for (size_t i = 0; i < KT_ARRAY_LEN(zones); i++) {
        if (strcmp(zone, zones[i].name) == 0) {
            *offset_min = zones[i].offset_min;
            return KT_OK;
        }
    }
    size_t len = strlen(zone);
    if ((zone[0] == '+' || zone[0] == '-') && parse_offset(zone, len, offset_min)) return KT_OK;
    char q[KT_QUOTE_MAX];
    kt_text_quote(zone, len, q, sizeof q);
    return kt_fail(err, KT_EINVAL, field,
                   "unknown time zone %s (want a zone such as Europe/Moscow or Asia/Almaty, UTC, or +HH:MM)", q);
}

/* ---- now ------------------------------------------------------------------- */

static kt_rc now_from_env(kt_time *utc, int *offset_min, kt_err *err) {
    const char *s = getenv("KARTA_NOW");
    if (!s || !*s) {
        *utc = (kt_time)time(NULL);
        *offset_min = NOW_DEFAULT_OFFSET_MIN;
        return KT_OK;
    }
    return kt_time_parse(s, strlen(s), NULL, utc, offset_min, err, "KARTA_NOW");
}

kt_rc kt_now_check(kt_err *err) {
    kt_time utc;
    int offset;
    return now_from_env(&utc, &offset, err);
}

/* A wrong KARTA_NOW would silently make a test depend on the wall clock:
 * stop instead. The CLI calls kt_now_check first to report it politely. */
static void now(kt_time *utc, int *offset_min) {
    kt_err err;
    if (now_from_env(utc, offset_min, &err) != KT_OK) {
        fprintf(stderr, "karta: %s: %s\n", err.field, err.msg);
        exit(kt_exit_code(KT_EUSAGE));
    }
}

kt_time kt_now(void) {
    kt_time utc;
    int offset;
    now(&utc, &offset);
    return utc;
}

int kt_now_offset(void) {
    kt_time utc;
    int offset;
    now(&utc, &offset);
    return offset;
}

kt_day kt_today(void) {
    kt_time utc;
    int offset;
    now(&utc, &offset);
    return kt_time_local_day(utc, offset);
}

double kt_mono_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
