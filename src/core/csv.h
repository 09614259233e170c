/*
 * csv.h - a streaming RFC 4180 reader with positions for error messages.
 *
 * Owns: its read buffer and the current record's field storage (reused per
 * record; pointers returned by kt_csv_next stay valid until the next call).
 * Borrows: nothing; it opens and closes the file itself (or reads a memory
 * buffer for fuzzing). Accepts "," or ";" or "\t" separators (chosen at open),
 * CRLF or LF line ends, a UTF-8 BOM at the start, quoted fields with doubled
 * quotes and embedded newlines. Rejects, with "file:line: reason": a quote
 * inside an unquoted field, text after a closing quote, an unterminated quote,
 * invalid UTF-8, a NUL byte, a field over KT_CSV_FIELD_MAX, a record over
 * KT_CSV_FIELDS_MAX fields, a carriage return not followed by a line feed
 * (outside quotes).
 */
#ifndef KT_CSV_H
#define KT_CSV_H
#include "kt.h"

#define KT_CSV_FIELD_MAX (64 * 1024)  /* one field; a product name is < 1 KiB */
#define KT_CSV_FIELDS_MAX 256         /* fields in one record */

typedef struct kt_csv kt_csv;

typedef struct kt_csv_field {
    const char *s;  /* NUL-terminated, unquoted */
    size_t len;
} kt_csv_field;

kt_rc kt_csv_open(const char *path, char sep, kt_csv **out, kt_err *err);
/* Reads from memory, a piece at a time as from a file (so data must outlive
 * the reader). name is used in messages. */
kt_rc kt_csv_open_mem(const char *name, const char *data, size_t len, char sep, kt_csv **out, kt_err *err);
void kt_csv_close(kt_csv *c);
/* For tests and fuzzing: read at most `bytes` (1..1 MiB) at a time, so that
 * records and UTF-8 sequences straddle the reads. */
void kt_csv_set_read_size(kt_csv *c, size_t bytes);

/* Next record. Returns KT_OK with *nfields > 0, or KT_OK with *nfields == 0 at
 * end of file, or an error (err->field = "file:line", err->msg the reason, with
 * the byte column where there is one). Blank lines are skipped. An error is
 * final: later calls return it again. KT_EINVAL for bad content, KT_EIO for a
 * failed read. */
kt_rc kt_csv_next(kt_csv *c, const kt_csv_field **fields, size_t *nfields, kt_err *err);
/* Line number (1-based) where the last returned record started. */
uint64_t kt_csv_line(const kt_csv *c);
const char *kt_csv_name(const kt_csv *c);
/* Bytes consumed so far (for progress). */
uint64_t kt_csv_offset(const kt_csv *c);

/* Header helper: index of column `name` in fields (exact, case-sensitive), or -1. */
int kt_csv_column(const kt_csv_field *fields, size_t nfields, const char *name);

#endif
