/*
 * aout.c - typed table output for analyses (aout.h): aligned text, CSV, JSON.
 * Each cell is formatted to text once; the text table keeps the cells of the
 * current table in one buffer (NUL-separated) to align them at its end.
 */
#include "analytics/aout.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct kt_aout {
    FILE *f;
    kt_aout_format fmt;
    kt_acol *cols;
    size_t ncols, cell;        /* cells given in the current row */
    size_t rows;               /* rows in the current table */
    int tables;                /* tables started */
    bool meta_open;            /* JSON: "{" written (or pending) */
    kt_buf pending;            /* JSON meta fields not written yet: held until the first table or the end */
    bool bad_row;              /* a row with the wrong number of cells (a bug) */
    char *name;
    kt_buf cells;              /* table format: every cell, NUL-terminated, row after row */
    kt_buf line;               /* CSV/JSON: the row being built */
    kt_buf out;                /* bytes not yet handed to f (written in large blocks); CSV rows are
                                * built here directly, the current one from row_start on */
    size_t row_start;
    char **keys;               /* JSON: each column's "name": prefix, by column */
    int32_t day_key[256];      /* a small cache of formatted days, by day & 255 */
    char day_text[256][11];
    bool fork;                 /* kt_aout_fork: no FILE; columns and keys borrowed from the parent */
};

/* Output is gathered here and written in blocks of this size. */
#define AOUT_BLOCK (256u << 10)

static void out_flush(kt_aout *o) {
    if (o->fork) return; /* a fork keeps its rows until kt_aout_join */
    if (o->out.len) fwrite(o->out.p, 1, o->out.len, o->f);
    o->out.len = 0;
}

static void emit(kt_aout *o, const char *p, size_t n) {
    kt_buf_add(&o->out, p, n);
    if (o->out.len >= AOUT_BLOCK) out_flush(o);
    o->row_start = o->out.len;
}

/* Room for N more bytes at the end of the output buffer (CSV cells). */
static void out_grow(kt_aout *o, size_t n) {
    size_t need = o->out.len + n + 1, cap = o->out.cap < AOUT_BLOCK ? AOUT_BLOCK + 4096 : o->out.cap;
    while (cap < need) cap *= 2;
    o->out.p = kt_xrealloc(o->out.p, cap);
    o->out.cap = cap;
}

static inline char *out_room(kt_aout *o, size_t n) {
    if (o->out.cap - o->out.len < n + 1) out_grow(o, n);
    return o->out.p + o->out.len;
}

static void emits(kt_aout *o, const char *s) { emit(o, s, strlen(s)); }
static void emitc(kt_aout *o, char c) { emit(o, &c, 1); }

kt_rc kt_aout_parse_format(const char *s, kt_aout_format *out, kt_err *err) {
    if (!s || !strcmp(s, "table")) *out = KT_AOUT_TABLE;
    else if (!strcmp(s, "csv")) *out = KT_AOUT_CSV;
    else if (!strcmp(s, "json")) *out = KT_AOUT_JSON;
    else return kt_fail(err, KT_EUSAGE, "--format", "want table, csv or json, not \"%.40s\"", s);
    return KT_OK;
}

kt_aout *kt_aout_new(FILE *f, kt_aout_format fmt) {
    kt_aout *o = kt_xcalloc(1, sizeof *o);
    o->f = f;
    o->fmt = fmt;
    kt_buf_init(&o->cells);
    kt_buf_init(&o->line);
    kt_buf_init(&o->pending);
    kt_buf_init(&o->out);
    for (int k = 0; k < 256; k++) o->day_key[k] = KT_DAY_NONE;
    return o;
}

/* ---- JSON strings ---- */
static void json_string(kt_buf *b, const char *s) {
    kt_buf_addc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': kt_buf_adds(b, "\\\""); break;
        case '\\': kt_buf_adds(b, "\\\\"); break;
        case '\n': kt_buf_adds(b, "\\n"); break;
        case '\r': kt_buf_adds(b, "\\r"); break;
        case '\t': kt_buf_adds(b, "\\t"); break;
        default:
            if (*p < 0x20) kt_buf_printf(b, "\\u%04x", *p);
            else kt_buf_addc(b, (char)*p);
        }
    }
    kt_buf_addc(b, '"');
}

static void meta_begin(kt_aout *o, const char *key) {
    kt_buf_reset(&o->line);
    kt_buf_adds(&o->line, o->meta_open ? ",\n " : "{\n ");
    o->meta_open = true;
    json_string(&o->line, key);
    kt_buf_addc(&o->line, ':');
}

void kt_aout_meta_text(kt_aout *o, const char *key, const char *value) {
    if (o->fmt != KT_AOUT_JSON) return;
    meta_begin(o, key);
    if (value) json_string(&o->line, value);
    else kt_buf_adds(&o->line, "null");
    kt_buf_add(&o->pending, o->line.p, o->line.len);
}

void kt_aout_meta_int(kt_aout *o, const char *key, int64_t value) {
    if (o->fmt != KT_AOUT_JSON) return;
    meta_begin(o, key);
    kt_buf_printf(&o->line, "%lld", (long long)value);
    kt_buf_add(&o->pending, o->line.p, o->line.len);
}

void kt_aout_meta_day(kt_aout *o, const char *key, kt_day value) {
    if (value == KT_DAY_NONE) { kt_aout_meta_text(o, key, NULL); return; }
    char d[16];
    kt_day_format(value, d);
    kt_aout_meta_text(o, key, d);
}

static void flush_pending(kt_aout *o) {
    if (o->pending.len) emit(o, o->pending.p, o->pending.len);
    kt_buf_reset(&o->pending);
}

/* ---- text table ---- */
static size_t display_width(const char *s) {
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80) w++;
    return w;
}

static bool right_aligned(kt_acol_type t) { return t != KT_ACOL_TEXT && t != KT_ACOL_DAY; }

static void pad(kt_buf *b, size_t n) {
    while (n--) kt_buf_addc(b, ' ');
}

/* One aligned line of N cells (consecutive NUL-terminated strings at P) with
 * trailing blanks trimmed; returns the byte after the last cell. */
static const char *table_line(kt_aout *o, const size_t *w, const char *p, bool header) {
    kt_buf *b = &o->line;
    kt_buf_reset(b);
    for (size_t c = 0; c < o->ncols; c++) {
        const char *s = header ? o->cols[c].name : p;
        size_t d = display_width(s);
        if (c) kt_buf_adds(b, "  ");
        if (right_aligned(o->cols[c].type)) pad(b, w[c] - d);
        kt_buf_adds(b, s);
        if (!right_aligned(o->cols[c].type)) pad(b, w[c] - d);
        if (!header) p += strlen(p) + 1;
    }
    while (b->len && b->p[b->len - 1] == ' ') b->len--;
    kt_buf_addc(b, '\n');
    emit(o, b->p, b->len);
    return p;
}

static void table_flush(kt_aout *o) {
    size_t n = o->ncols;
    size_t *w = kt_xcalloc(n ? n : 1, sizeof *w);
    for (size_t c = 0; c < n; c++) w[c] = display_width(o->cols[c].name);
    const char *p = o->cells.p;
    for (size_t r = 0; r < o->rows; r++)
        for (size_t c = 0; c < n; c++) {
            size_t d = display_width(p);
            if (d > w[c]) w[c] = d;
            p += strlen(p) + 1;
        }
    if (o->tables > 1) emitc(o, '\n');
    if (o->name && o->tables > 1) { emits(o, o->name); emitc(o, '\n'); }
    table_line(o, w, NULL, true);
    p = o->cells.p;
    for (size_t r = 0; r < o->rows; r++) p = table_line(o, w, p, false);
    kt_buf_reset(&o->line);
    free(w);
    kt_buf_reset(&o->cells);
}

/* ---- tables ---- */
static void free_cols(kt_aout *o) {
    for (size_t c = 0; c < o->ncols; c++) {
        free((char *)o->cols[c].name);
        if (o->keys) free(o->keys[c]);
    }
    free(o->cols);
    free(o->keys);
    o->keys = NULL;
    o->ncols = 0;
}

static void table_end(kt_aout *o) {
    if (!o->tables) return;
    if (o->fmt == KT_AOUT_TABLE) table_flush(o);
    else if (o->fmt == KT_AOUT_JSON) emits(o, o->rows ? "\n ]" : "]");
    free_cols(o);
    free(o->name);
    o->cols = NULL;
    o->name = NULL;
}

void kt_aout_table(kt_aout *o, const char *name, const kt_acol *cols, size_t ncols) {
    table_end(o);
    o->tables++;
    o->cols = kt_xcalloc(ncols ? ncols : 1, sizeof *o->cols);
    for (size_t c = 0; c < ncols; c++) {
        o->cols[c] = cols[c];
        o->cols[c].name = kt_xstrdup(cols[c].name);
        if (o->cols[c].type == KT_ACOL_REAL && o->cols[c].decimals == 0) o->cols[c].decimals = 4;
        if (o->cols[c].decimals < 0) o->cols[c].decimals = 0;
    }
    o->ncols = ncols;
    if (o->fmt == KT_AOUT_JSON) {
        o->keys = kt_xcalloc(ncols ? ncols : 1, sizeof *o->keys);
        kt_buf k;
        kt_buf_init(&k);
        for (size_t c = 0; c < ncols; c++) {
            kt_buf_reset(&k);
            json_string(&k, cols[c].name);
            kt_buf_addc(&k, ':');
            o->keys[c] = kt_xstrdup(k.p);
        }
        kt_buf_free(&k);
    }
    o->name = kt_xstrdup(name);
    o->rows = 0;
    o->cell = 0;
    kt_buf_reset(&o->line);
    if (o->fmt == KT_AOUT_CSV) {
        if (o->tables > 1) emitc(o, '\n');
        for (size_t c = 0; c < ncols; c++) {
            if (c) emitc(o, ',');
            emits(o, cols[c].name);
        }
        emitc(o, '\n');
    } else if (o->fmt == KT_AOUT_JSON) {
        flush_pending(o);
        meta_begin(o, name);
        kt_buf_addc(&o->line, '[');
        emit(o, o->line.p, o->line.len);
        kt_buf_reset(&o->line);
    }
}

/* A cell that needs neither CSV quoting nor JSON escaping (numbers, days):
 * TEXT of LEN bytes; QUOTED tells JSON to write it as a string. */
static void cell_plain_other(kt_aout *o, const char *text, size_t len, bool quoted);

static inline void cell_plain(kt_aout *o, const char *text, size_t len, bool quoted) {
    if (o->fmt == KT_AOUT_CSV && o->cell < o->ncols) {
        /* the common case, inline: straight into the output block */
        char *w = out_room(o, len + 1);
        if (o->cell) *w++ = ',';
        memcpy(w, text, len);
        o->out.len = (size_t)(w + len - o->out.p);
        o->cell++;
        return;
    }
    cell_plain_other(o, text, len, quoted);
}

static void cell_plain_other(kt_aout *o, const char *text, size_t len, bool quoted) {
    if (o->cell >= o->ncols) { o->bad_row = true; return; }
    kt_buf *b = &o->line;
    switch (o->fmt) {
    case KT_AOUT_TABLE:
        kt_buf_add(&o->cells, text, len);
        kt_buf_addc(&o->cells, 0);
        break;
    case KT_AOUT_CSV: {
        char *w = out_room(o, len + 1);
        if (o->cell) *w++ = ',';
        memcpy(w, text, len);
        o->out.len = (size_t)(w + len - o->out.p);
        break;
    }
    case KT_AOUT_JSON:
        kt_buf_adds(b, o->cell ? ", " : "{");
        kt_buf_adds(b, o->keys[o->cell]);
        if (quoted) kt_buf_addc(b, '"');
        kt_buf_add(b, text, len);
        if (quoted) kt_buf_addc(b, '"');
        break;
    }
    o->cell++;
}

/* One cell: TEXT is its text form (NULL: absent); QUOTED tells JSON to write
 * it as a string. */
static void cell(kt_aout *o, const char *text, bool quoted) {
    if (o->cell >= o->ncols) { o->bad_row = true; return; }
    switch (o->fmt) {
    case KT_AOUT_TABLE:
        kt_buf_add(&o->cells, text ? text : "", (text ? strlen(text) : 0) + 1);
        break;
    case KT_AOUT_CSV: {
        size_t len = 0;
        bool quote = false;
        if (text)
            for (; text[len]; len++) quote |= text[len] == ',' || text[len] == '"' || text[len] == '\r' || text[len] == '\n';
        /* quoted: every byte may be doubled, plus the two quotes */
        char *w = out_room(o, 1 + (quote ? 2 * len + 2 : len));
        if (o->cell) *w++ = ',';
        if (quote) {
            *w++ = '"';
            for (size_t k = 0; k < len; k++) {
                if (text[k] == '"') *w++ = '"';
                *w++ = text[k];
            }
            *w++ = '"';
        } else if (len) {
            memcpy(w, text, len);
            w += len;
        }
        o->out.len = (size_t)(w - o->out.p);
        break;
    }
    case KT_AOUT_JSON:
        kt_buf_adds(&o->line, o->cell ? ", " : "{");
        kt_buf_adds(&o->line, o->keys[o->cell]);
        if (!text) kt_buf_adds(&o->line, "null");
        else if (quoted) json_string(&o->line, text);
        else kt_buf_adds(&o->line, text);
        break;
    }
    o->cell++;
}

void kt_aout_text(kt_aout *o, const char *s) { cell(o, s, true); }
void kt_aout_null(kt_aout *o) { cell(o, NULL, false); }

/* Decimal digits of V ending just before END; returns where they start. Two
 * digits a step from a table of 00..99. */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                     "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                     "8081828384858687888990919293949596979899";

static inline char *digits_before(char *end, uint64_t v) {
    while (v >= 100) {
        unsigned k = (unsigned)(v % 100) * 2;
        v /= 100;
        *--end = digit_pairs[k + 1];
        *--end = digit_pairs[k];
    }
    if (v >= 10) {
        *--end = digit_pairs[v * 2 + 1];
        *--end = digit_pairs[v * 2];
    } else *--end = (char)('0' + v);
    return end;
}

/* A number's text of LEN <= 24 bytes at P, with 24 readable bytes from P on:
 * copied with one fixed-size copy (no call) in CSV. */
#define NUM_MAX 24
static inline void cell_number(kt_aout *o, const char *p, size_t len) {
    if (o->fmt == KT_AOUT_CSV && o->cell < o->ncols) {
        char *w = out_room(o, NUM_MAX + 1);
        if (o->cell) *w++ = ',';
        memcpy(w, p, NUM_MAX);
        o->out.len = (size_t)(w + len - o->out.p);
        o->cell++;
        return;
    }
    cell_plain_other(o, p, len, false);
}

void kt_aout_int(kt_aout *o, int64_t v) {
    char b[2 * NUM_MAX], *end = b + NUM_MAX, *p = digits_before(end, v < 0 ? -(uint64_t)v : (uint64_t)v);
    if (v < 0) *--p = '-';
    cell_number(o, p, (size_t)(end - p));
}

/* As kt_money_format: [-]units.cc */
void kt_aout_money(kt_aout *o, kt_money v) {
    char b[2 * NUM_MAX], *end = b + NUM_MAX;
    uint64_t a = v < 0 ? -(uint64_t)v : (uint64_t)v;
    char *p = end;
    unsigned k = (unsigned)(a % 100) * 2;
    *--p = digit_pairs[k + 1];
    *--p = digit_pairs[k];
    *--p = '.';
    p = digits_before(p, a / 100);
    if (v < 0) *--p = '-';
    cell_number(o, p, (size_t)(end - p));
}

void kt_aout_real(kt_aout *o, double v) {
    if (isnan(v)) { cell(o, NULL, false); return; }
    if (isinf(v)) { cell(o, v > 0 ? "Inf" : "-Inf", o->fmt == KT_AOUT_JSON); return; }
    int dec = o->cell < o->ncols ? o->cols[o->cell].decimals : 4;
    char b[64];
    /* Fast path: v x 10^dec computed in double is within 2^-13 of the exact
     * product below 2^40, so away from a tie its rounding is printf's. */
    static const double pow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
    if (dec <= 6) {
        double x = fabs(v) * pow10[dec], r = floor(x + 0.5);
        if (x < 1099511627776.0 && fabs(x - floor(x) - 0.5) > 1e-3) {
            uint64_t q = (uint64_t)r;
            char *end = b + sizeof b, *p = end;
            for (int k = 0; k < dec; k++) {
                *--p = (char)('0' + q % 10);
                q /= 10;
            }
            if (dec) *--p = '.';
            p = digits_before(p, q);
            if (v < 0 && r > 0) *--p = '-';
            cell_plain(o, p, (size_t)(end - p), false);
            return;
        }
    }
    snprintf(b, sizeof b, "%.*f", dec, v);
    if (!strncmp(b, "-0", 2) && strspn(b + 1, "0.") == strlen(b + 1)) memmove(b, b + 1, strlen(b)); /* no "-0.0000" */
    cell(o, b, false);
}

void kt_aout_day(kt_aout *o, kt_day d) {
    if (d == KT_DAY_NONE) { cell(o, NULL, false); return; }
    unsigned k = (unsigned)d & 255;
    if (o->day_key[k] != d) {
        kt_day_format(d, o->day_text[k]);
        o->day_key[k] = d;
    }
    cell_plain(o, o->day_text[k], strlen(o->day_text[k]), true);
}

void kt_aout_row_end(kt_aout *o) {
    if (o->cell != o->ncols) o->bad_row = true;
    while (o->cell < o->ncols) cell(o, NULL, false);
    if (o->fmt == KT_AOUT_CSV) {
        *out_room(o, 1) = '\n';
        o->out.len++;
        if (o->out.len >= AOUT_BLOCK) out_flush(o);
        o->row_start = o->out.len;
    } else if (o->fmt == KT_AOUT_JSON) {
        emits(o, o->rows ? ",\n  " : "\n  ");
        kt_buf_addc(&o->line, '}');
        emit(o, o->line.p, o->line.len);
    }
    kt_buf_reset(&o->line);
    o->rows++;
    o->cell = 0;
}

/* ---- rows formatted apart ---- */
kt_aout *kt_aout_fork(const kt_aout *o) {
    KT_ASSERT(!o->fork && o->tables > 0);
    kt_aout *f = kt_aout_new(NULL, o->fmt);
    f->fork = true;
    f->cols = o->cols;
    f->ncols = o->ncols;
    f->keys = o->keys;
    f->tables = o->tables;
    f->rows = 1; /* JSON: each row as if one came before (the join drops the first comma if none did) */
    return f;
}

void kt_aout_join(kt_aout *o, kt_aout *f) {
    KT_ASSERT(f->fork && f->cols == o->cols && f->cell == 0);
    size_t rows = f->rows - 1;
    if (rows && o->fmt == KT_AOUT_TABLE) {
        kt_buf_add(&o->cells, f->cells.p, f->cells.len);
    } else if (rows) {
        size_t skip = o->fmt == KT_AOUT_JSON && o->rows == 0 ? 1 : 0; /* the "," of ",\n  " */
        out_flush(o);
        fwrite(f->out.p + skip, 1, f->out.len - skip, o->f);
        o->row_start = o->out.len;
    }
    o->rows += rows;
    o->bad_row |= f->bad_row;
    kt_buf_free(&f->cells);
    kt_buf_free(&f->line);
    kt_buf_free(&f->pending);
    kt_buf_free(&f->out);
    free(f);
}

kt_rc kt_aout_finish(kt_aout *o, kt_err *err) {
    if (!o) return KT_OK;
    table_end(o);
    flush_pending(o);
    if (o->fmt == KT_AOUT_JSON) emits(o, o->meta_open ? "\n}\n" : "{}\n");
    out_flush(o);
    bool bad = o->bad_row;
    int ferr = fflush(o->f) != 0 || ferror(o->f);
    kt_buf_free(&o->cells);
    kt_buf_free(&o->line);
    kt_buf_free(&o->pending);
    kt_buf_free(&o->out);
    free(o);
    if (bad) return kt_fail(err, KT_EINTERNAL, "output", "a row had the wrong number of cells");
    if (ferr) return kt_fail(err, KT_EIO, "output", "could not write the output");
    return KT_OK;
}

void kt_aout_discard(kt_aout *o) {
    if (!o) return;
    free_cols(o);
    free(o->name);
    if (o->fmt == KT_AOUT_CSV) o->out.len = o->row_start; /* not the row being built */
    out_flush(o); /* what was written before the error stays written */
    kt_buf_free(&o->out);
    kt_buf_free(&o->cells);
    kt_buf_free(&o->line);
    kt_buf_free(&o->pending);
    free(o);
}
