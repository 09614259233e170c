/* test_csv.c - src/core/csv.c. Each case is an input and the records (with
 * the line each starts on) or the error it must give; every case is read
 * whole and again one, two, three and seven bytes at a time, which must not
 * change the outcome. */
#include "t.h"
#include "core/csv.h"

#include <stdlib.h>
#include <unistd.h>

#define OUT_MAX (1 << 16)

static void add(char *out, size_t *o, const char *s, size_t n) {
    for (size_t i = 0; i < n && *o + 3 < OUT_MAX; i++) {
        if (s[i] == '\n') out[(*o)++] = '\\', out[(*o)++] = 'n';
        else if (s[i] == '\r') out[(*o)++] = '\\', out[(*o)++] = 'r';
        else out[(*o)++] = s[i];
    }
    out[*o] = 0;
}

/* "LINE:f1|f2\n" per record, then "error FIELD: MSG" if it failed. Checks that
 * the error repeats on the next call. */
static void read_all(const char *data, size_t len, char sep, size_t read_size, char *out) {
    kt_csv *c;
    kt_err err;
    size_t o = 0;
    out[0] = 0;
    KT_CHECK_INT(kt_csv_open_mem("t.csv", data, len, sep, &c, &err), KT_OK);
    if (read_size) kt_csv_set_read_size(c, read_size);
    for (;;) {
        const kt_csv_field *f;
        size_t n;
        kt_err_clear(&err);
        kt_rc rc = kt_csv_next(c, &f, &n, &err);
        if (rc) {
            char line[KT_ERR_FIELD_MAX + KT_ERR_MSG_MAX + 16];
            snprintf(line, sizeof line, "error %s: %s", err.field, err.msg);
            add(out, &o, line, strlen(line));
            kt_err again;
            KT_CHECK_INT(kt_csv_next(c, &f, &n, &again), rc);
            KT_CHECK_STR(again.msg, err.msg);
            break;
        }
        if (n == 0) break;
        char num[32];
        snprintf(num, sizeof num, "%llu:", (unsigned long long)kt_csv_line(c));
        add(out, &o, num, strlen(num));
        for (size_t k = 0; k < n; k++) {
            KT_CHECK(f[k].s[f[k].len] == 0);
            KT_CHECK_INT(strlen(f[k].s), f[k].len);
            if (k) add(out, &o, "|", 1);
            add(out, &o, f[k].s, f[k].len);
        }
        add(out, &o, "\n", 1);
    }
    kt_csv_close(c);
}

/* Reads with several read sizes; the result must be want, except that an
 * error message is compared up to the end of want (a case can leave out the
 * advice at the end). */
static void check_csv_len(const char *data, size_t len, char sep, const char *want, int line) {
    static char got[OUT_MAX];
    static const size_t sizes[] = {0, 1, 2, 3, 7};
    for (size_t i = 0; i < KT_ARRAY_LEN(sizes); i++) {
        read_all(data, len, sep, sizes[i], got);
        bool same = strstr(want, "error ") ? strncmp(got, want, strlen(want)) == 0 : strcmp(got, want) == 0;
        if (!same) {
            fprintf(stderr, "  test_csv.c:%d (read size %zu):\n    got  %s\n    want %s\n", line, sizes[i], got,
                    want);
            kt_test_failed_checks++;
            return;
        }
    }
}

#define CHECK_CSV(data, want) check_csv_len(data, sizeof(data) - 1, ',', want, __LINE__)
#define CHECK_CSV_SEP(data, sep, want) check_csv_len(data, sizeof(data) - 1, sep, want, __LINE__)

KT_TEST(csv_plain_records) {
    CHECK_CSV("id,name,qty\n1,milk,2\n2,bread,1\n", "1:id|name|qty\\n2:1|milk|2\\n3:2|bread|1\\n");
    CHECK_CSV("a,b\n1,2", "1:a|b\\n2:1|2\\n"); /* no final newline */
    CHECK_CSV("a,b\r\n1,2\r\n", "1:a|b\\n2:1|2\\n");
    CHECK_CSV("a,b\r\n1,2\r", "1:a|b\\n2:1|2\\n");
    CHECK_CSV(",\n,,\n\"\"\n", "1:|\\n2:||\\n3:\\n");
    CHECK_CSV("a,\n", "1:a|\\n");
    CHECK_CSV("a,", "1:a|\\n");
    CHECK_CSV("", "");
    CHECK_CSV("\n\n\r\n", "");
    CHECK_CSV(" a , b \n", "1: a | b \\n"); /* spaces are data */
    CHECK_CSV("1,Привет,Қазақ\n", "1:1|Привет|Қазақ\\n");
    CHECK_CSV_SEP("a;b,c;\"d;e\"\n", ';', "1:a|b,c|d;e\\n");
    CHECK_CSV_SEP("a\tb,c\t\"d\te\"\n", '\t', "1:a|b,c|d\te\\n");
}

KT_TEST(csv_blank_lines_and_line_numbers) {
    CHECK_CSV("a\n\n\r\n\nb\n\n", "1:a\\n5:b\\n");
    CHECK_CSV("\n\na\n", "3:a\\n");
}

KT_TEST(csv_bom) {
    CHECK_CSV("\xEF\xBB\xBFid,name\n1,x\n", "1:id|name\\n2:1|x\\n");
    CHECK_CSV("\xEF\xBB\xBF", "");
    /* Only at the start; elsewhere it is data (a valid character). */
    CHECK_CSV("a\n\xEF\xBB\xBF" "b\n", "1:a\\n2:\xEF\xBB\xBF" "b\\n");
    CHECK_CSV("\xEF\xBB", "error t.csv:1: invalid UTF-8 at byte 1 (field 1)");
    /* Columns count from after the mark. */
    CHECK_CSV("\xEF\xBB\xBF" "ab\xff\n", "error t.csv:1: invalid UTF-8 at byte 3 (field 1)");
}

KT_TEST(csv_quoting) {
    CHECK_CSV("\"a,b\",\"c\"\"d\",\"\"\n", "1:a,b|c\"d|\\n");
    CHECK_CSV("\"\"\"\"\n", "1:\"\\n");
    CHECK_CSV("\"a\"\"\"\n", "1:a\"\\n");
    CHECK_CSV("\"\"\"a\"\"\",x\n", "1:\"a\"|x\\n");
    CHECK_CSV("\"a\"", "1:a\\n");
    CHECK_CSV("\"a\"\r\n\"b\"\r\n", "1:a\\n2:b\\n");
    CHECK_CSV("x,\"\"", "1:x|\\n");
    CHECK_CSV("\"with \r inside\"\n", "1:with \\r inside\\n");
}

KT_TEST(csv_embedded_newlines) {
    CHECK_CSV("id,note\n"
              "1,\"line one\nline two\"\n"
              "2,after\n"
              "\"x\r\ny\nz\",3\n"
              "4,end\n",
              "1:id|note\\n2:1|line one\\nline two\\n4:2|after\\n5:x\\r\\ny\\nz|3\\n8:4|end\\n");
    /* An error after an embedded newline names the line it is on. */
    CHECK_CSV("a\n\"one\ntwo\nth\xffree\"\n", "1:a\\nerror t.csv:4: invalid UTF-8 at byte 3 (field 1)");
    CHECK_CSV("a\n\"one\ntwo\"x\n", "1:a\\nerror t.csv:3: text after the closing quote of field 1 (byte 5)");
}

KT_TEST(csv_broken_quoting) {
    CHECK_CSV("a,b\nx,y\"z\n",
              "1:a|b\\nerror t.csv:2: a quote inside unquoted field 2 (byte 4): quote the whole field");
    CHECK_CSV("\"ab\"c,d\n", "error t.csv:1: text after the closing quote of field 1 (byte 5)");
    CHECK_CSV("x,\"ab\" ,d\n", "error t.csv:1: text after the closing quote of field 2 (byte 7)");
    CHECK_CSV("id\n1\n\"open\nmore\nstill\n", "1:id\\n2:1\\nerror t.csv:3: unterminated quoted field (opened on line 3)");
    CHECK_CSV("\"", "error t.csv:1: unterminated quoted field (opened on line 1)");
    CHECK_CSV("a\n\"x\"\"\n", "1:a\\nerror t.csv:2: unterminated quoted field (opened on line 2)");
    CHECK_CSV("a\rb\n", "error t.csv:1: a carriage return not followed by a line feed (byte 2)");
    CHECK_CSV("\"a\"\rb\n", "error t.csv:1: a carriage return not followed by a line feed (byte 4)");
}

KT_TEST(csv_nul_and_utf8) {
    static const char nul[] = "a,b\nc,d\0e\n";
    check_csv_len(nul, sizeof nul - 1, ',', "1:a|b\\nerror t.csv:2: a NUL byte in field 2 (byte 4)", __LINE__);
    static const char nul_quoted[] = "\"a\0\"\n";
    check_csv_len(nul_quoted, sizeof nul_quoted - 1, ',', "error t.csv:1: a NUL byte in field 1 (byte 3)", __LINE__);
    /* "Привет" in CP1251 */
    CHECK_CSV("id,name\n1,ok\n2,\xcf\xf0\xe8\xe2\xe5\xf2\n",
              "1:id|name\\n2:1|ok\\nerror t.csv:3: invalid UTF-8 at byte 3 (field 2): is the file in CP1251?");
    CHECK_CSV("a\xC3", "error t.csv:1: invalid UTF-8 at byte 2 (field 1)");       /* cut at the end */
    /* A sequence cut by the end of a read and then found bad (found by fuzzing:
     * the column was that of the scan, not of the byte). */
    CHECK_CSV("id\n1,\xd0x\n", "1:id\\nerror t.csv:2: invalid UTF-8 at byte 3 (field 2)");
    CHECK_CSV("id\n1,\xd0\xb0\xd0\n", "1:id\\nerror t.csv:2: invalid UTF-8 at byte 5 (field 2)");
    CHECK_CSV("ok\n\xC0\xAF\n", "1:ok\\nerror t.csv:2: invalid UTF-8 at byte 1"); /* overlong '/' */
    CHECK_CSV("\xED\xA0\x80\n", "error t.csv:1: invalid UTF-8 at byte 1");        /* surrogate */
    CHECK_CSV("\xF4\x90\x80\x80\n", "error t.csv:1: invalid UTF-8 at byte 1");    /* past U+10FFFF */
    CHECK_CSV("x,\xF0\x9F\x98\x80,y\n", "1:x|\xF0\x9F\x98\x80|y\\n");            /* four bytes, fine */
}

static char *repeat(const char *prefix, char ch, size_t n, const char *suffix) {
    size_t p = strlen(prefix), s = strlen(suffix);
    char *b = malloc(p + n + s + 1);
    memcpy(b, prefix, p);
    memset(b + p, ch, n);
    memcpy(b + p + n, suffix, s + 1);
    return b;
}

static void expect_one(const char *data, size_t nfields, size_t last_len, const char *error_part) {
    kt_csv *c;
    kt_err err;
    const kt_csv_field *f;
    size_t n;
    KT_CHECK_INT(kt_csv_open_mem("big.csv", data, strlen(data), ',', &c, &err), KT_OK);
    kt_rc rc = kt_csv_next(c, &f, &n, &err);
    if (error_part) {
        KT_CHECK_INT(rc, KT_EINVAL);
        KT_CHECK_STR(err.field, "big.csv:1");
        if (!strstr(err.msg, error_part)) fprintf(stderr, "  message was: %s\n", err.msg);
        KT_CHECK(strstr(err.msg, error_part) != NULL);
    } else {
        KT_CHECK_INT(rc, KT_OK);
        KT_CHECK_INT(n, nfields);
        if (n == nfields) KT_CHECK_INT(f[n - 1].len, last_len);
    }
    kt_csv_close(c);
}

KT_TEST(csv_limits) {
    char *s = repeat("a,", 'x', KT_CSV_FIELD_MAX, "\n");
    expect_one(s, 2, KT_CSV_FIELD_MAX, NULL);
    free(s);
    s = repeat("a,", 'x', KT_CSV_FIELD_MAX + 1, "\n");
    expect_one(s, 0, 0, "field 2 is longer than 65536 bytes");
    free(s);
    s = repeat("a,", 'x', 10 * KT_CSV_FIELD_MAX, ""); /* a runaway field stops early */
    expect_one(s, 0, 0, "field 2 is longer than 65536 bytes");
    free(s);
    /* Quoted: the limit is on the unquoted text. */
    s = repeat("\"", '"', KT_CSV_FIELD_MAX * 2, "\"\n");
    expect_one(s, 1, KT_CSV_FIELD_MAX, NULL);
    free(s);
    s = repeat("\"", 'y', KT_CSV_FIELD_MAX + 1, "\"\n");
    expect_one(s, 0, 0, "field 1 is longer than 65536 bytes");
    free(s);
    s = repeat("\"", 'y', 10 * KT_CSV_FIELD_MAX, ""); /* and an unterminated one stops early too */
    expect_one(s, 0, 0, "field 1 is longer than 65536 bytes");
    free(s);
    /* A long quoted field over several lines is reported at its first line,
     * and before a NUL or a quote error further on, whatever the reads. */
    s = repeat("a\nb,\"x\n", 'y', KT_CSV_FIELD_MAX, "\n\"\n");
    check_csv_len(s, strlen(s), ',', "1:a\\nerror t.csv:2: field 2 is longer than 65536 bytes", __LINE__);
    free(s);
    s = repeat("a\nb,x", 'y', KT_CSV_FIELD_MAX, "\"\n");
    check_csv_len(s, strlen(s), ',', "1:a\\nerror t.csv:2: field 2 is longer than 65536 bytes", __LINE__);
    free(s);
    s = repeat("\"", 'y', KT_CSV_FIELD_MAX + 2, "");
    size_t sl = strlen(s);
    s[sl - 1] = 0; /* a NUL after 65537 bytes of the field */
    check_csv_len(s, sl, ',', "error t.csv:1: field 1 is longer than 65536 bytes", __LINE__);
    s[sl - 1] = 'y';
    s[sl - 2] = 0; /* a NUL after 65536: within the limit, so the NUL is the fault */
    check_csv_len(s, sl, ',', "error t.csv:1: a NUL byte in field 1 (byte 65538)", __LINE__);
    free(s);
    /* 256 fields are fine, 257 are not, however the last one ends. */
    char many[2 * KT_CSV_FIELDS_MAX + 8];
    size_t o = 0;
    for (int k = 0; k < KT_CSV_FIELDS_MAX; k++) many[o++] = 'f', many[o++] = ',';
    many[o - 1] = '\n', many[o] = 0;
    expect_one(many, KT_CSV_FIELDS_MAX, 1, NULL);
    many[o - 1] = ',', many[o] = 'g', many[o + 1] = '\n', many[o + 2] = 0;
    expect_one(many, 0, 0, "more than 256 fields");
    many[o] = 0; /* ends with the separator: the 257th field is empty */
    expect_one(many, 0, 0, "more than 256 fields");
    /* The largest record the limits allow goes through. */
    size_t field_raw = 2 * KT_CSV_FIELD_MAX + 2;
    char *huge = malloc(KT_CSV_FIELDS_MAX * (field_raw + 1) + 1);
    o = 0;
    for (int k = 0; k < KT_CSV_FIELDS_MAX; k++) {
        huge[o++] = '"';
        memset(huge + o, '"', field_raw - 2);
        o += field_raw - 2;
        huge[o++] = '"';
        huge[o++] = ',';
    }
    huge[o - 1] = '\n';
    huge[o] = 0;
    expect_one(huge, KT_CSV_FIELDS_MAX, KT_CSV_FIELD_MAX, NULL);
    free(huge);
}

/* Many records of every size: read whole and one byte at a time, both must
 * give the records as written, with their lines and offsets. */
KT_TEST(csv_many_records_across_reads) {
    size_t cap = 4 << 20, o = 0;
    char *data = malloc(cap);
    int records = 0;
    uint64_t lines = 1;
    uint64_t x = 1;
    while (o < cap - 4096) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        int len = (int)(x >> 54); /* 0..1023 */
        bool quoted = (x >> 20) & 1;
        o += (size_t)snprintf(data + o, 32, "%d,", records);
        if (quoted) data[o++] = '"';
        for (int k = 0; k < len; k++) {
            if (quoted && k % 97 == 5) {
                data[o++] = '\n';
                lines++;
            } else if (quoted && k % 89 == 7) {
                data[o++] = '"';
                data[o++] = '"';
            } else {
                data[o++] = "abcdefghij"[(k + records) % 10];
            }
        }
        if (quoted) data[o++] = '"';
        if ((x >> 30) & 1) data[o++] = '\r';
        data[o++] = '\n';
        lines++;
        records++;
    }
    for (int pass = 0; pass < 2; pass++) {
        kt_csv *c;
        kt_err err;
        KT_CHECK_INT(kt_csv_open_mem("many.csv", data, o, ',', &c, &err), KT_OK);
        if (pass) kt_csv_set_read_size(c, 1);
        int seen = 0, bad = 0;
        uint64_t last_line = 0;
        for (;;) {
            const kt_csv_field *f;
            size_t n;
            if (kt_csv_next(c, &f, &n, &err) != KT_OK) {
                fprintf(stderr, "  %s: %s\n", err.field, err.msg);
                bad++;
                break;
            }
            if (n == 0) break;
            if (n != 2 || atoi(f[0].s) != seen || kt_csv_line(c) <= last_line) bad++;
            last_line = kt_csv_line(c);
            seen++;
        }
        KT_CHECK_INT(bad, 0);
        KT_CHECK_INT(seen, records);
        KT_CHECK_INT(kt_csv_offset(c), o);
        KT_CHECK(last_line < lines);
        kt_csv_close(c);
    }
    free(data);
}

KT_TEST(csv_file_and_helpers) {
    char path[] = "/tmp/karta_test_csv_XXXXXX";
    int fd = mkstemp(path);
    KT_CHECK(fd >= 0);
    static const char body[] = "\xEF\xBB\xBF" "card;phone;name\r\n0001;+79123456789;\"Иванов; Иван\"\r\n\r\n0002;;x\r\n";
    KT_CHECK_INT(write(fd, body, sizeof body - 1), sizeof body - 1);
    close(fd);
    kt_csv *c;
    kt_err err;
    const kt_csv_field *f;
    size_t n;
    KT_CHECK_INT(kt_csv_open(path, ';', &c, &err), KT_OK);
    KT_CHECK_STR(kt_csv_name(c), path);
    KT_CHECK_INT(kt_csv_next(c, &f, &n, &err), KT_OK);
    KT_CHECK_INT(n, 3);
    KT_CHECK_INT(kt_csv_column(f, n, "phone"), 1);
    KT_CHECK_INT(kt_csv_column(f, n, "name"), 2);
    KT_CHECK_INT(kt_csv_column(f, n, "Phone"), -1);
    KT_CHECK_INT(kt_csv_column(f, n, "phon"), -1);
    KT_CHECK_INT(kt_csv_offset(c), 3 + 17);
    KT_CHECK_INT(kt_csv_next(c, &f, &n, &err), KT_OK);
    KT_CHECK_INT(n, 3);
    KT_CHECK_STR(f[2].s, "Иванов; Иван");
    KT_CHECK_INT(kt_csv_line(c), 2);
    KT_CHECK_INT(kt_csv_next(c, &f, &n, &err), KT_OK);
    KT_CHECK_INT(n, 3);
    KT_CHECK_STR(f[0].s, "0002");
    KT_CHECK_STR(f[1].s, "");
    KT_CHECK_INT(kt_csv_line(c), 4);
    KT_CHECK_INT(kt_csv_next(c, &f, &n, &err), KT_OK);
    KT_CHECK_INT(n, 0);
    KT_CHECK_INT(kt_csv_next(c, &f, &n, &err), KT_OK); /* the end stays the end */
    KT_CHECK_INT(n, 0);
    KT_CHECK_INT(kt_csv_offset(c), sizeof body - 1);
    kt_csv_close(c);
    unlink(path);

    KT_CHECK_INT(kt_csv_open(path, ',', &c, &err), KT_EIO);
    KT_CHECK_STR(err.field, path);
    KT_CHECK(strstr(err.msg, "cannot open") != NULL);
    KT_CHECK_INT(kt_csv_open_mem("x", "", 0, '|', &c, &err), KT_EINVAL);
}

KT_TEST(csv_long_name_keeps_line) {
    char name[300];
    memset(name, 'd', sizeof name);
    memcpy(name + sizeof name - 13, "/members.csv", 13);
    kt_csv *c;
    kt_err err;
    const kt_csv_field *f;
    size_t n;
    KT_CHECK_INT(kt_csv_open_mem(name, "ok\n\"bad", 7, ',', &c, &err), KT_OK);
    KT_CHECK_INT(kt_csv_next(c, &f, &n, &err), KT_OK);
    KT_CHECK_INT(kt_csv_next(c, &f, &n, &err), KT_EINVAL);
    size_t fl = strlen(err.field);
    KT_CHECK(fl > 14 && strcmp(err.field + fl - 14, "/members.csv:2") == 0);
    KT_CHECK(strncmp(err.field, "...", 3) == 0);
    kt_csv_close(c);
}
