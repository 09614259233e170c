/*
 * fuzz_date.c - libFuzzer entry for src/core/date.c.
 *
 * A day that parses formats back to the same ten bytes; a time that parses
 * formats to a string that parses back to the same instant and offset; any
 * day number survives civil -> day; zone names give sane offsets.
 */
#include "core/date.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_day(const char *s, size_t len) {
    kt_day d;
    kt_err err;
    if (kt_day_parse(s, len, &d, &err, "day") != KT_OK) {
        KT_ASSERT(err.code == KT_EINVAL && err.msg[0]);
        return;
    }
    char buf[11];
    kt_day_format(d, buf);
    KT_ASSERT(len == 10 && memcmp(buf, s, 10) == 0);
}

static void check_time(const char *s, size_t len) {
    kt_time t, back;
    int off, back_off, def = -90;
    kt_err err;
    kt_rc rc = kt_time_parse(s, len, NULL, &t, &off, &err, "time");
    kt_rc rc_def = kt_time_parse(s, len, &def, &back, &back_off, &err, "time");
    if (rc == KT_OK) KT_ASSERT(rc_def == KT_OK && back == t && back_off == off);
    if (rc_def != KT_OK) {
        KT_ASSERT(rc != KT_OK && err.code == KT_EINVAL && err.msg[0]);
        return;
    }
    if (rc != KT_OK) { /* only the offset was missing */
        t = back;
        off = back_off;
        KT_ASSERT(off == def);
    }
    KT_ASSERT(off >= -14 * 60 && off <= 14 * 60);
    char buf[26];
    kt_time_format(t, off, buf);
    KT_ASSERT(strlen(buf) == 25);
    KT_ASSERT(kt_time_parse(buf, 25, NULL, &back, &back_off, &err, "time") == KT_OK);
    KT_ASSERT(back == t && back_off == off);
    /* The local day is the date written in the input. */
    kt_day d;
    KT_ASSERT(kt_day_parse(s, 10, &d, &err, "day") == KT_OK);
    KT_ASSERT(kt_time_local_day(t, off) == d);
}

static void check_numbers(const uint8_t *data, size_t size) {
    if (size < 12) return;
    int32_t d32;
    int64_t t64;
    memcpy(&d32, data, 4);
    memcpy(&t64, data + 4, 8);
    int y, m, md;
    kt_day_to_civil(d32, &y, &m, &md);
    KT_ASSERT(m >= 1 && m <= 12 && md >= 1 && md <= kt_days_in_month(y, m));
    KT_ASSERT(kt_day_from_civil(y, m, md) == d32);
    int wd = kt_day_weekday(d32);
    KT_ASSERT(wd >= 0 && wd <= 6);
    char dbuf[11], tbuf[26];
    kt_day_format(d32, dbuf);
    KT_ASSERT(strlen(dbuf) == 10);
    int off = (int)(data[0] % 57) * 30 - 14 * 60;
    kt_time_format(t64, off, tbuf);
    KT_ASSERT(strlen(tbuf) == 25);
    (void)kt_time_local_day(t64, off);
}

static void check_zone(const char *s) {
    int off;
    kt_err err;
    if (kt_zone_offset(s, &off, &err, "zone") == KT_OK) KT_ASSERT(off >= -14 * 60 && off <= 14 * 60);
    else KT_ASSERT(err.code == KT_EINVAL && err.msg[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    check_day(s, size);
    check_time(s, size);
    check_zone(s);
    check_numbers(data, size);
    free(s);
    return 0;
}
