/*
 * fuzz_csv.c - libFuzzer entry for src/core/csv.c.
 *
 * The first byte picks the separator and a small read size; the rest is the
 * file. It is read twice, whole and a few bytes at a time, and both readings
 * must give the same records, lines and error. Every field must be
 * NUL-terminated, valid UTF-8, within the limits; lines never go back.
 */
#include "core/csv.h"
#include "core/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct outcome {
    uint64_t hash;
    uint64_t records;
    kt_rc rc;
    kt_err err;
    uint64_t offset;
} outcome;

static void mix(uint64_t *h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) *h = (*h ^ b[i]) * 0x100000001b3u;
}

static void read_all(const char *data, size_t len, char sep, size_t read_size, outcome *o) {
    kt_csv *c;
    memset(o, 0, sizeof *o);
    o->hash = 0xcbf29ce484222325u;
    KT_ASSERT(kt_csv_open_mem("fuzz.csv", data, len, sep, &c, &o->err) == KT_OK);
    if (read_size) kt_csv_set_read_size(c, read_size);
    uint64_t last_line = 0;
    for (;;) {
        const kt_csv_field *f;
        size_t n;
        o->rc = kt_csv_next(c, &f, &n, &o->err);
        if (o->rc) {
            KT_ASSERT(o->rc == KT_EINVAL);
            KT_ASSERT(strncmp(o->err.field, "fuzz.csv:", 9) == 0);
            KT_ASSERT(o->err.msg[0] != 0);
            break;
        }
        if (n == 0) break;
        KT_ASSERT(n <= KT_CSV_FIELDS_MAX);
        uint64_t line = kt_csv_line(c);
        KT_ASSERT(line > last_line);
        last_line = line;
        KT_ASSERT(kt_csv_offset(c) <= len);
        mix(&o->hash, &line, sizeof line);
        mix(&o->hash, &n, sizeof n);
        for (size_t k = 0; k < n; k++) {
            KT_ASSERT(f[k].len <= KT_CSV_FIELD_MAX);
            KT_ASSERT(f[k].s[f[k].len] == 0);
            KT_ASSERT(strlen(f[k].s) == f[k].len); /* NUL bytes are refused */
            KT_ASSERT(kt_utf8_check(f[k].s, f[k].len) == f[k].len);
            mix(&o->hash, &f[k].len, sizeof f[k].len);
            mix(&o->hash, f[k].s, f[k].len);
        }
        o->records++;
    }
    /* After the end or an error, the reader keeps saying the same. */
    const kt_csv_field *f;
    size_t n;
    kt_err again;
    KT_ASSERT(kt_csv_next(c, &f, &n, &again) == o->rc && n == 0);
    if (o->rc) KT_ASSERT(strcmp(again.msg, o->err.msg) == 0);
    else KT_ASSERT(kt_csv_offset(c) <= len);
    o->offset = kt_csv_offset(c);
    kt_csv_close(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    char sep = ",;\t"[data[0] % 3];
    size_t read_size = 1 + (size_t)(data[0] >> 2) % 7;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    outcome whole, pieces;
    read_all(text, len, sep, 0, &whole);
    read_all(text, len, sep, read_size, &pieces);
    if (whole.hash != pieces.hash || whole.records != pieces.records || whole.rc != pieces.rc ||
        strcmp(whole.err.field, pieces.err.field) != 0 || strcmp(whole.err.msg, pieces.err.msg) != 0 ||
        whole.offset != pieces.offset) {
        fprintf(stderr, "whole: %llu records, rc %d %s %s\npieces of %zu: %llu records, rc %d %s %s\n",
                (unsigned long long)whole.records, whole.rc, whole.err.field, whole.err.msg, read_size,
                (unsigned long long)pieces.records, pieces.rc, pieces.err.field, pieces.err.msg);
        abort();
    }
    return 0;
}
