/*
 * date.h - calendar days, times and time zones.
 *
 * Days are local calendar days counted from 1970-01-01 (proleptic Gregorian).
 * Times are UTC seconds. Zones are the fixed-offset zones of the chain's
 * countries (Russia and Kazakhstan have no daylight saving time since 2014 and
 * 2024); a zone is named by its IANA name and resolved to minutes east of UTC.
 * Pure functions; no allocation; no global state.
 */
#ifndef KT_DATE_H
#define KT_DATE_H
#include "kt.h"

kt_day kt_day_from_civil(int year, int month, int mday);
void kt_day_to_civil(kt_day day, int *year, int *month, int *mday);
int kt_day_weekday(kt_day day);            /* 0 = Monday ... 6 = Sunday */
bool kt_is_leap(int year);
int kt_days_in_month(int year, int month);

/* Strict "YYYY-MM-DD" (exactly 10 chars, real date, years 1900..2200). */
kt_rc kt_day_parse(const char *s, size_t len, kt_day *out, kt_err *err, const char *field);
/* Writes "YYYY-MM-DD" and a NUL: buf must hold 11 bytes. A day outside years
 * 0..9999 is written as "xxxx-xx-xx". */
void kt_day_format(kt_day day, char *buf);

/* ISO 8601 with offset: "YYYY-MM-DDTHH:MM[:SS][.fff](Z|+HH:MM|+HHMM|-HH:MM)".
 * A space is accepted in place of 'T', and "+HH" (as PostgreSQL writes it);
 * the fraction (1..9 digits) is dropped; the offset is at most 14:00; the date
 * follows kt_day_parse. Without an offset it is an error unless
 * default_offset_min is not NULL, in which case that offset is used.
 * out_offset_min may be NULL. */
kt_rc kt_time_parse(const char *s, size_t len, const int *default_offset_min,
                    kt_time *out_utc, int *out_offset_min, kt_err *err, const char *field);
/* Writes "YYYY-MM-DDTHH:MM:SS+HH:MM" (local time at offset_min); buf must hold 26 bytes. */
void kt_time_format(kt_time utc, int offset_min, char *buf);
/* Local day of a UTC time at a given offset. */
kt_day kt_time_local_day(kt_time utc, int offset_min);

/* Zone name ("Europe/Moscow", "Asia/Almaty", "UTC", "+03:00") -> offset in minutes east.
 * IANA names are matched exactly (case-sensitive); the table covers Russia's and
 * Kazakhstan's zones. */
kt_rc kt_zone_offset(const char *zone, int *offset_min, kt_err *err, const char *field);

/* The current time; KARTA_NOW (ISO 8601 with offset) overrides it so that tests
 * are deterministic. */
kt_time kt_now(void);
/* Checks KARTA_NOW; kt_now and friends exit with status 2 and a message on
 * stderr if it is set and malformed, so a CLI calls this first to say why. */
kt_rc kt_now_check(kt_err *err);
/* Offset used for "today" when no store is involved: KARTA_NOW's offset, else +03:00. */
int kt_now_offset(void);
kt_day kt_today(void);

/* Seconds on the monotonic clock, for measuring durations and pacing progress. */
double kt_mono_seconds(void);

#endif
