/*
 * csv.c - a streaming RFC 4180 reader. See csv.h.
 *
 * The input is read in pieces of CSV_READ_SIZE into one buffer and checked as
 * UTF-8 as it arrives: `lim` marks how far the bytes are known to be valid,
 * so the scanner meets an invalid byte exactly where it stands and reports its
 * line and column. A record is scanned in place by a small state machine that
 * can stop at the end of the buffer and resume after more bytes arrive; only
 * when the whole record is in, its fields are cut with NULs and unquoted in
 * place. Unquoted fields are therefore never copied and a record allocates
 * nothing. When a record runs off the end of the buffer it is moved to the
 * front, or, if it fills the buffer alone, the buffer doubles (bounded by
 * CSV_BUF_MAX, which the field limits imply).
 */
#include "csv.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CSV_READ_SIZE ((size_t)1 << 20) /* one read(); large enough to amortise the call */
#define CSV_MEM_BUF_MIN 4096            /* memory mode starts smaller: fuzzing opens many */
/* The longest record the limits let through: every field quoted and made of
 * doubled quotes, a separator after each, and CRLF. */
#define CSV_RECORD_MAX ((size_t)KT_CSV_FIELDS_MAX * (2 * (size_t)KT_CSV_FIELD_MAX + 3) + 2)
#define CSV_BUF_MAX (2 * (CSV_RECORD_MAX + CSV_READ_SIZE))
#define CSV_NAME_SHOWN_MAX (KT_ERR_FIELD_MAX - 24) /* leave room for ":line" in err->field */

_Static_assert(CSV_BUF_MAX < UINT32_MAX, "field offsets within a record are uint32_t");

/* Where the scanner is inside a record. */
enum scan_state {
    S_FIELD,    /* at the first byte of a field */
    S_UNQUOTED, /* inside an unquoted field */
    S_QUOTED,   /* inside a quoted field */
    S_QUOTE,    /* just after a quote inside a quoted field: closing or doubled? */
    S_CR,       /* just after a CR that ended a field: must be followed by LF */
};

enum { F_QUOTED = 1, F_DOUBLED = 2 };

/* What more_input found. */
enum more { MORE_DATA, MORE_END, MORE_BAD_UTF8, MORE_IO_ERROR };

struct kt_csv {
    int fd;             /* -1 in memory mode */
    const char *mem;    /* memory mode: the caller's bytes */
    size_t mem_len, mem_pos;
    char *name;
    char sep;
    uint8_t stop[256];  /* bytes that end the unquoted fast path */
    char *buf;          /* cap + 1 bytes: a NUL always fits after the last field */
    size_t cap, fill;   /* allocated, and read so far */
    size_t lim;         /* buf[0..lim) is valid UTF-8 */
    bool bad_at_lim;    /* buf[lim] starts an invalid sequence */
    bool eof;           /* the source has no more bytes */
    bool started;       /* the first bytes were read and a BOM skipped */
    size_t read_size;
    size_t rec, pos;    /* start of the record being scanned, scan position */
    uint64_t base;      /* input offset of buf[0] */
    uint64_t line;      /* line of buf[pos] */
    uint64_t line_start;/* input offset where that line starts */
    uint64_t scan_line; /* line where the record being scanned starts */
    uint64_t field_line;/* line where the open field started */
    uint64_t rec_line;  /* line of the last record returned */
    uint64_t consumed;  /* input offset just past the last record returned */
    enum scan_state state;
    size_t nf;          /* fields ended so far in this record */
    size_t doubled;     /* doubled quotes in the open quoted field */
    kt_rc sticky;       /* once failed, every later call reports the same */
    kt_err sticky_err;
    uint32_t fstart[KT_CSV_FIELDS_MAX]; /* offsets from rec; a quoted field starts at its quote */
    uint32_t fend[KT_CSV_FIELDS_MAX];   /* unquoted: one past the end; quoted: the closing quote */
    uint8_t fflags[KT_CSV_FIELDS_MAX];
    kt_csv_field fields[KT_CSV_FIELDS_MAX];
};

/* ---- errors ------------------------------------------------------------------ */

/* Fails with code, err->field = "name:line" and the reason in err->msg. */
__attribute__((format(printf, 5, 6)))
static kt_rc csv_fail_code(kt_csv *c, kt_err *err, kt_rc code, uint64_t line, const char *fmt, ...) {
    char field[KT_ERR_FIELD_MAX], msg[KT_ERR_MSG_MAX];
    const char *name = c->name;
    size_t name_len = strlen(name);
    if (name_len > CSV_NAME_SHOWN_MAX) name += name_len - CSV_NAME_SHOWN_MAX; /* keep the file's own name */
    snprintf(field, sizeof field, "%s%s:%llu", name == c->name ? "" : "...", name, (unsigned long long)line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->sticky = kt_fail(&c->sticky_err, code, field, "%s", msg);
    if (err) *err = c->sticky_err;
    return c->sticky;
}

#define csv_fail(c, err, line, ...) csv_fail_code(c, err, KT_EINVAL, line, __VA_ARGS__)

/* 1-based byte column of buf[i] in its line. */
static unsigned long long column(const kt_csv *c, size_t i) {
    return (unsigned long long)(c->base + i - c->line_start + 1);
}

/* ---- input ------------------------------------------------------------------- */

static void check_utf8(kt_csv *c) {
    bool cut;
    c->lim += kt_utf8_check_cut(c->buf + c->lim, c->fill - c->lim, &cut);
    /* A sequence cut by the end of what was read may still be completed. */
    c->bad_at_lim = c->lim < c->fill && !(cut && !c->eof);
}

/* Appends at most c->read_size bytes. KT_OK at end of input too (c->eof). */
static kt_rc read_input(kt_csv *c, kt_err *err) {
    size_t want = c->cap - c->fill;
    if (want > c->read_size) want = c->read_size;
    KT_ASSERT(want > 0);
    size_t got;
    if (c->fd < 0) {
        got = c->mem_len - c->mem_pos;
        if (got > want) got = want;
        memcpy(c->buf + c->fill, c->mem + c->mem_pos, got);
        c->mem_pos += got;
    } else {
        ssize_t n;
        do n = read(c->fd, c->buf + c->fill, want);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            int e = errno;
            return csv_fail_code(c, err, KT_EIO, c->line, "read failed: %s", strerror(e));
        }
        got = (size_t)n;
    }
    if (got == 0) c->eof = true;
    c->fill += got;
    check_utf8(c);
    return KT_OK;
}

/* Makes room at the end of the buffer: drops the records already returned,
 * or doubles the buffer when one record fills it. */
static void make_room(kt_csv *c) {
    if (c->fill < c->cap) return;
    if (c->rec > 0) {
        size_t shift = c->rec;
        memmove(c->buf, c->buf + shift, c->fill - shift);
        c->base += shift;
        c->fill -= shift;
        c->lim -= shift;
        c->pos -= shift;
        c->rec = 0;
        return;
    }
    KT_ASSERT(c->cap * 2 <= CSV_BUF_MAX); /* the field limits stop a record before this */
    c->cap *= 2;
    c->buf = kt_xrealloc(c->buf, c->cap + 1);
}

/* More valid bytes past c->lim, the end of the input, or an invalid byte at c->lim. */
static enum more more_input(kt_csv *c, kt_err *err) {
    size_t lim_before = c->lim;
    for (;;) {
        if (c->lim > lim_before) return MORE_DATA; /* scan up to a bad byte first */
        if (c->bad_at_lim) return MORE_BAD_UTF8;
        if (c->eof) return MORE_END;
        make_room(c);
        lim_before = c->lim; /* make_room may have moved everything */
        if (read_input(c, err)) return MORE_IO_ERROR;
    }
}

/* ---- records ----------------------------------------------------------------- */

/* Is the open field, up to end (relative to rec), over the limit? Checked
 * wherever the scan stops inside a field - at the buffer's end, at the field's
 * end and before any error - so that the outcome does not depend on where the
 * reads happened to end. */
static bool too_long(const kt_csv *c, size_t end) {
    size_t k = c->nf, len = end - c->fstart[k];
    if (c->fflags[k] & F_QUOTED) len -= 1 + c->doubled;
    return len > KT_CSV_FIELD_MAX;
}

static kt_rc fail_too_long(kt_csv *c, kt_err *err) {
    return csv_fail(c, err, c->field_line, "field %zu is longer than %d bytes", c->nf + 1, KT_CSV_FIELD_MAX);
}

/* Ends field nf at end (relative to rec). */
static kt_rc end_field(kt_csv *c, size_t end, kt_err *err) {
    size_t k = c->nf;
    if (too_long(c, end)) return fail_too_long(c, err);
    c->fend[k] = (uint32_t)end;
    c->nf = k + 1;
    return KT_OK;
}

/* The record [rec, pos) is complete: cut and unquote its fields in place. */
static void finish_record(kt_csv *c) {
    char *r = c->buf + c->rec;
    for (size_t k = 0; k < c->nf; k++) {
        char *s = r + c->fstart[k];
        size_t len = c->fend[k] - c->fstart[k];
        if (c->fflags[k] & F_QUOTED) {
            s++;
            len--;
            if (c->fflags[k] & F_DOUBLED) {
                size_t o = 0;
                for (size_t i = 0; i < len; i++, o++) {
                    s[o] = s[i];
                    if (s[i] == '"') i++; /* the scanner saw it doubled */
                }
                len = o;
            }
        }
        s[len] = 0;
        c->fields[k].s = s;
        c->fields[k].len = len;
    }
}

/* The end of a line at buf[i] == '\n': the line count moves on. */
static void new_line(kt_csv *c, size_t i) {
    c->line++;
    c->line_start = c->base + i + 1;
}

/* A record ended just before pos. False if it was a blank line (skipped). */
static bool record_done(kt_csv *c) {
    if (c->nf == 1 && c->fflags[0] == 0 && c->fend[0] == c->fstart[0]) {
        c->rec = c->pos; /* blank line: start again */
        c->nf = 0;
        c->scan_line = c->line;
        c->state = S_FIELD;
        return false;
    }
    return true;
}

/* Scans one record from c->pos. KT_OK with c->nf > 0, or with c->nf == 0 at the end. */
static kt_rc scan_record(kt_csv *c, kt_err *err) {
    /* Bytes that stop the scan of a quoted field. */
    static const uint8_t qstop[256] = {[0] = 1, ['\n'] = 1, ['"'] = 1};
    const uint8_t *stop = c->stop;
    const char sep = c->sep;
    size_t i = c->pos;
    kt_rc rc;
    c->rec = i;
    c->nf = 0;
    c->state = S_FIELD;
    c->scan_line = c->line;
    for (;;) {
        char *b = c->buf;
        size_t lim = c->lim;
        switch (c->state) {
        case S_FIELD:
            if (i == lim) break;
            if (c->nf == KT_CSV_FIELDS_MAX)
                return csv_fail(c, err, c->line, "more than %d fields in one record", KT_CSV_FIELDS_MAX);
            c->fstart[c->nf] = (uint32_t)(i - c->rec);
            c->field_line = c->line;
            if (b[i] == '"') {
                c->fflags[c->nf] = F_QUOTED;
                c->doubled = 0;
                c->state = S_QUOTED;
                i++;
            } else {
                c->fflags[c->nf] = 0;
                c->state = S_UNQUOTED;
            }
            continue;

        case S_UNQUOTED:
            while (i < lim && !stop[(uint8_t)b[i]]) i++;
            if (i == lim) break;
            if (too_long(c, i - c->rec)) return fail_too_long(c, err);
            if (b[i] == sep || b[i] == '\n' || b[i] == '\r') {
                char ch = b[i];
                if ((rc = end_field(c, i - c->rec, err))) return rc;
                i++;
                if (ch == sep) {
                    c->state = S_FIELD;
                } else if (ch == '\r') {
                    c->state = S_CR;
                } else {
                    new_line(c, i - 1);
                    c->pos = i;
                    if (record_done(c)) return KT_OK;
                }
                continue;
            }
            if (b[i] == '"')
                return csv_fail(c, err, c->line,
                                "a quote inside unquoted field %zu (byte %llu): quote the whole field and double "
                                "the quotes inside it", c->nf + 1, column(c, i));
            return csv_fail(c, err, c->line, "a NUL byte in field %zu (byte %llu): is the file UTF-16 or binary?",
                            c->nf + 1, column(c, i));

        case S_QUOTED:
            for (;;) {
                while (i < lim && !qstop[(uint8_t)b[i]]) i++;
                if (i == lim) break;
                if (b[i] != '\n' && too_long(c, i - c->rec)) return fail_too_long(c, err);
                if (b[i] == '"') break;
                if (b[i] == 0)
                    return csv_fail(c, err, c->line,
                                    "a NUL byte in field %zu (byte %llu): is the file UTF-16 or binary?", c->nf + 1,
                                    column(c, i));
                new_line(c, i++);
            }
            if (i == lim) break;
            i++;
            c->state = S_QUOTE;
            continue;

        case S_QUOTE:
            if (i == lim) break;
            if (b[i] == '"') {
                c->doubled++;
                c->fflags[c->nf] |= F_DOUBLED;
                c->state = S_QUOTED;
                i++;
                continue;
            }
            if (b[i] == sep || b[i] == '\n' || b[i] == '\r') {
                char ch = b[i];
                if ((rc = end_field(c, i - 1 - c->rec, err))) return rc;
                i++;
                if (ch == sep) {
                    c->state = S_FIELD;
                } else if (ch == '\r') {
                    c->state = S_CR;
                } else {
                    new_line(c, i - 1);
                    c->pos = i;
                    if (record_done(c)) return KT_OK;
                }
                continue;
            }
            return csv_fail(c, err, c->line,
                            "text after the closing quote of field %zu (byte %llu): double a quote inside a "
                            "quoted field", c->nf + 1, column(c, i));

        case S_CR:
            if (i == lim) break;
            if (b[i] != '\n')
                return csv_fail(c, err, c->line, "a carriage return not followed by a line feed (byte %llu)",
                                column(c, i - 1));
            new_line(c, i);
            c->pos = ++i;
            if (record_done(c)) return KT_OK;
            continue;
        }

        /* At lim: stop a runaway field before reading more. */
        if ((c->state == S_UNQUOTED || c->state == S_QUOTED) && too_long(c, i - c->rec))
            return fail_too_long(c, err);
        c->pos = i;
        enum more m = more_input(c, err);
        i = c->pos;
        if (m == MORE_DATA) continue;
        if (m == MORE_IO_ERROR) return c->sticky;
        if (m == MORE_BAD_UTF8)
            return csv_fail(c, err, c->line,
                            "invalid UTF-8 at byte %llu (field %zu): is the file in CP1251? save it as UTF-8",
                            column(c, i), c->nf + 1);
        /* The end of the input. */
        switch (c->state) {
        case S_FIELD:
            if (c->nf == 0) return KT_OK; /* nothing more */
            if (c->nf == KT_CSV_FIELDS_MAX)
                return csv_fail(c, err, c->line, "more than %d fields in one record", KT_CSV_FIELDS_MAX);
            c->fstart[c->nf] = (uint32_t)(i - c->rec);
            c->fflags[c->nf] = 0;
            c->field_line = c->line;
            if ((rc = end_field(c, i - c->rec, err))) return rc;
            break;
        case S_UNQUOTED:
            if ((rc = end_field(c, i - c->rec, err))) return rc;
            break;
        case S_QUOTED:
            return csv_fail(c, err, c->field_line, "unterminated quoted field (opened on line %llu)",
                            (unsigned long long)c->field_line);
        case S_QUOTE:
            if ((rc = end_field(c, i - 1 - c->rec, err))) return rc;
            break;
        case S_CR:
            break; /* "...\r" at the very end: the field was ended at the CR */
        }
        c->pos = i;
        record_done(c); /* a blank last line leaves nf == 0: the end */
        return KT_OK;
    }
}

/* Reads the first bytes and steps over a UTF-8 byte order mark. */
static kt_rc csv_start(kt_csv *c, kt_err *err) {
    c->started = true;
    while (c->fill < 3 && !c->eof) {
        if (c->fill == c->cap) break;
        kt_rc rc = read_input(c, err);
        if (rc) return rc;
    }
    if (c->fill >= 3 && memcmp(c->buf, "\xEF\xBB\xBF", 3) == 0) {
        c->pos = c->rec = 3;
        c->line_start = 3;
    }
    return KT_OK;
}

kt_rc kt_csv_next(kt_csv *c, const kt_csv_field **fields, size_t *nfields, kt_err *err) {
    *fields = c->fields;
    *nfields = 0;
    if (c->sticky) {
        if (err) *err = c->sticky_err;
        return c->sticky;
    }
    kt_rc rc;
    if (!c->started && (rc = csv_start(c, err))) return rc;
    rc = scan_record(c, err);
    if (rc) return rc;
    if (c->nf == 0) return KT_OK;
    finish_record(c);
    c->rec_line = c->scan_line;
    c->consumed = c->base + c->pos;
    *nfields = c->nf;
    return KT_OK;
}

/* ---- open and close ---------------------------------------------------------- */

static kt_rc csv_new(const char *name, char sep, size_t cap, kt_csv **out, kt_err *err) {
    *out = NULL;
    if (sep != ',' && sep != ';' && sep != '\t')
        return kt_fail(err, KT_EINVAL, name, "the separator must be ',', ';' or a tab");
    kt_csv *c = kt_xcalloc(1, sizeof *c);
    c->fd = -1;
    c->name = kt_xstrdup(name);
    c->sep = sep;
    c->stop[(uint8_t)sep] = c->stop['\n'] = c->stop['\r'] = c->stop['"'] = c->stop[0] = 1;
    c->cap = cap;
    c->buf = kt_xmalloc(cap + 1);
    c->read_size = CSV_READ_SIZE;
    c->line = 1;
    *out = c;
    return KT_OK;
}

kt_rc kt_csv_open(const char *path, char sep, kt_csv **out, kt_err *err) {
    kt_rc rc = csv_new(path, sep, CSV_READ_SIZE, out, err);
    if (rc) return rc;
    kt_csv *c = *out;
    c->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (c->fd < 0) {
        int e = errno;
        kt_csv_close(c);
        *out = NULL;
        return kt_fail(err, KT_EIO, path, "cannot open: %s", strerror(e));
    }
#ifdef POSIX_FADV_SEQUENTIAL
    (void)posix_fadvise(c->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    return KT_OK;
}

kt_rc kt_csv_open_mem(const char *name, const char *data, size_t len, char sep, kt_csv **out, kt_err *err) {
    size_t cap = len < CSV_MEM_BUF_MIN ? CSV_MEM_BUF_MIN : len < CSV_READ_SIZE ? len : CSV_READ_SIZE;
    kt_rc rc = csv_new(name, sep, cap, out, err);
    if (rc) return rc;
    (*out)->mem = data;
    (*out)->mem_len = len;
    return KT_OK;
}

void kt_csv_set_read_size(kt_csv *c, size_t bytes) {
    KT_ASSERT(bytes > 0);
    c->read_size = bytes < CSV_READ_SIZE ? bytes : CSV_READ_SIZE;
}

void kt_csv_close(kt_csv *c) {
    if (!c) return;
    if (c->fd >= 0) close(c->fd);
    free(c->buf);
    free(c->name);
    free(c);
}

uint64_t kt_csv_line(const kt_csv *c) { return c->rec_line; }

const char *kt_csv_name(const kt_csv *c) { return c->name; }

uint64_t kt_csv_offset(const kt_csv *c) { return c->consumed; }

int kt_csv_column(const kt_csv_field *fields, size_t nfields, const char *name) {
    size_t len = strlen(name);
    for (size_t k = 0; k < nfields && k < (size_t)KT_CSV_FIELDS_MAX; k++)
        if (fields[k].len == len && memcmp(fields[k].s, name, len) == 0) return (int)k;
    return -1;
}
