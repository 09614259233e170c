/*
 * fuzz_csv.c - libFuzzer entry for src/core/csv.c.
 *
 * The first byte picks the separator and a small read size; the rest is the
 * file. It is read twice, whole and a few bytes at a time, and both readings
 * must give the same records, lines and error. Every field must be
 * NUL-terminated, valid UTF-8 and within the limits; lines never go back.
 * A third reading by a plain byte-at-a-time model of the rules in csv.h
 * (below, written apart from csv.c) must give the same records and the same
 * kind and line of error.
 */
#include "core/csv.h"
#include "core/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum fault { F_NONE, F_QUOTE, F_AFTER_QUOTE, F_UNTERMINATED, F_NUL, F_UTF8, F_LONG, F_MANY, F_CR, F_UNKNOWN };

static const char *const fault_prefix[] = {
    [F_QUOTE] = "a quote inside unquoted field",
    [F_AFTER_QUOTE] = "text after the closing quote",
    [F_UNTERMINATED] = "unterminated quoted field",
    [F_NUL] = "a NUL byte",
    [F_UTF8] = "invalid UTF-8",
    [F_LONG] = "field ",
    [F_MANY] = "more than 256 fields",
    [F_CR] = "a carriage return not followed",
};

typedef struct outcome {
    uint64_t hash, records;
    enum fault fault;
    uint64_t fault_line;
    kt_rc rc;
    kt_err err;
    uint64_t offset;
} outcome;

static void mix(uint64_t *h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) *h = (*h ^ b[i]) * 0x100000001b3u;
}

/* ---- the reader under test --------------------------------------------------- */

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
            o->fault_line = strtoull(o->err.field + 9, NULL, 10);
            o->fault = F_UNKNOWN;
            for (int k = F_QUOTE; k <= F_CR; k++)
                if (strncmp(o->err.msg, fault_prefix[k], strlen(fault_prefix[k])) == 0) o->fault = (enum fault)k;
            KT_ASSERT(o->fault != F_UNKNOWN);
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
    o->offset = kt_csv_offset(c);
    kt_csv_close(c);
}

/* ---- the model ------------------------------------------------------------- */

typedef struct model {
    const unsigned char *d;
    size_t len, bad, pos;
    unsigned char sep;
    uint64_t line;
    char *text; /* the record's fields, one after another */
    size_t used, cap;
    size_t start[KT_CSV_FIELDS_MAX], flen[KT_CSV_FIELDS_MAX], nf;
    bool first_quoted;
    outcome *o;
} model;

static void put(model *m, unsigned char ch) {
    if (m->used == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 256;
        m->text = realloc(m->text, m->cap);
        KT_ASSERT(m->text);
    }
    m->text[m->used++] = (char)ch;
}

static bool fault(model *m, enum fault f, uint64_t line) {
    m->o->fault = f;
    m->o->fault_line = line;
    return false;
}

static bool at_bad(const model *m) { return m->pos == m->bad && m->bad < m->len; }
static bool ends_field(const model *m, unsigned char ch) { return ch == m->sep || ch == '\n' || ch == '\r'; }

/* One field. *end: 0 another field follows, 1 the record ended, 2 the input ended. */
static bool model_field(model *m, int *end) {
    if (at_bad(m)) return fault(m, F_UTF8, m->line);
    if (m->nf == KT_CSV_FIELDS_MAX) return fault(m, F_MANY, m->line);
    uint64_t field_line = m->line;
    size_t start = m->used;
    bool quoted = m->pos < m->len && m->d[m->pos] == '"';
    if (m->nf == 0) m->first_quoted = quoted;
    if (quoted) m->pos++;
    for (;;) {
        bool bad = at_bad(m), eof = m->pos == m->len;
        unsigned char ch = bad || eof ? 0 : m->d[m->pos];
        bool stop = bad || eof || ch == '"' || ch == 0 || (!quoted && ends_field(m, ch));
        if (stop && m->used - start > KT_CSV_FIELD_MAX) return fault(m, F_LONG, field_line);
        if (bad) return fault(m, F_UTF8, m->line);
        if (eof) {
            if (quoted) return fault(m, F_UNTERMINATED, field_line);
            *end = 2;
            break;
        }
        if (ch == 0) return fault(m, F_NUL, m->line);
        if (!quoted && ch == '"') return fault(m, F_QUOTE, m->line);
        if (!quoted && ends_field(m, ch)) {
            *end = ch == m->sep ? 0 : 1;
            break;
        }
        m->pos++;
        if (ch != '"') {
            if (ch == '\n') m->line++;
            put(m, ch);
            continue;
        }
        /* A quote in a quoted field: doubled, or the end of the field. */
        if (at_bad(m)) return fault(m, F_UTF8, m->line);
        if (m->pos == m->len) {
            *end = 2;
            break;
        }
        ch = m->d[m->pos];
        if (ch == '"') {
            put(m, '"');
            m->pos++;
            continue;
        }
        if (!ends_field(m, ch)) return fault(m, F_AFTER_QUOTE, m->line);
        *end = ch == m->sep ? 0 : 1;
        break;
    }
    m->start[m->nf] = start;
    m->flen[m->nf] = m->used - start;
    m->nf++;
    if (*end == 2) return true;
    unsigned char ch = m->d[m->pos++]; /* the separator or line end */
    if (ch == '\n') {
        m->line++;
    } else if (ch == '\r') {
        if (at_bad(m)) return fault(m, F_UTF8, m->line);
        if (m->pos < m->len) {
            if (m->d[m->pos] != '\n') return fault(m, F_CR, m->line);
            m->pos++;
            m->line++;
        }
        *end = 1;
    }
    return true;
}

static void model_run(const char *data, size_t len, char sep, outcome *o) {
    model m = {.d = (const unsigned char *)data, .len = len, .sep = (unsigned char)sep, .line = 1, .o = o};
    memset(o, 0, sizeof *o);
    o->hash = 0xcbf29ce484222325u;
    m.cap = 256;
    m.text = malloc(m.cap);
    KT_ASSERT(m.text);
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) m.pos = 3;
    m.bad = kt_utf8_check(data, len);
    for (;;) {
        uint64_t rec_line = m.line;
        m.used = m.nf = 0;
        if (at_bad(&m)) {
            fault(&m, F_UTF8, m.line);
            break;
        }
        if (m.pos == m.len) break;
        int end = 0;
        bool ok = true;
        while (ok && end == 0) ok = model_field(&m, &end);
        if (!ok) break;
        if (m.nf == 1 && m.flen[0] == 0 && !m.first_quoted) { /* a blank line */
            if (end == 2) break;
            continue;
        }
        mix(&o->hash, &rec_line, sizeof rec_line);
        mix(&o->hash, &m.nf, sizeof m.nf);
        for (size_t k = 0; k < m.nf; k++) {
            mix(&o->hash, &m.flen[k], sizeof m.flen[k]);
            mix(&o->hash, m.text + m.start[k], m.flen[k]);
        }
        o->records++;
        if (end == 2) break;
    }
    free(m.text);
}

static void report(const char *what, const outcome *o) {
    fprintf(stderr, "%s: %llu records, hash %016llx, fault %d on line %llu (%s: %s)\n", what,
            (unsigned long long)o->records, (unsigned long long)o->hash, o->fault,
            (unsigned long long)o->fault_line, o->err.field, o->err.msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    char sep = ",;\t"[data[0] % 3];
    size_t read_size = 1 + (size_t)(data[0] >> 2) % 7;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    static outcome whole, pieces, model_says;
    read_all(text, len, sep, 0, &whole);
    read_all(text, len, sep, read_size, &pieces);
    model_run(text, len, sep, &model_says);
    bool same = whole.hash == pieces.hash && whole.records == pieces.records && whole.rc == pieces.rc &&
                strcmp(whole.err.field, pieces.err.field) == 0 && strcmp(whole.err.msg, pieces.err.msg) == 0 &&
                whole.offset == pieces.offset;
    bool as_modelled = whole.hash == model_says.hash && whole.records == model_says.records &&
                       whole.fault == model_says.fault && whole.fault_line == model_says.fault_line;
    if (!same || !as_modelled) {
        report("whole ", &whole);
        report("pieces", &pieces);
        report("model ", &model_says);
        abort();
    }
    return 0;
}
