/*
 * text.h - validation and normalisation of the strings people type.
 *
 * Phones become E.164 ("+79123456789"); e-mails are trimmed and lower-cased;
 * card numbers lose spaces and dashes. UTF-8 is validated strictly (no
 * overlongs, no surrogates), so that a file in CP1251 is caught with its line.
 * All functions write into a caller buffer and never allocate.
 */
#ifndef KT_TEXT_H
#define KT_TEXT_H
#include "kt.h"

#define KT_PHONE_MAX 17   /* "+" and at most 15 digits (E.164) and NUL */
#define KT_EMAIL_MAX 255  /* RFC 5321 path limit 254 and NUL */
#define KT_CARD_MAX 33    /* 32 digits/letters and NUL */

/* Russian and Kazakh numbers: 8XXXXXXXXXX, +7XXXXXXXXXX, 7XXXXXXXXXX, XXXXXXXXXX
 * (10 digits starting with 9 or 7 or 3-4-8), with spaces, dashes, dots and
 * brackets anywhere; other countries with a leading '+' and 8..15 digits. */
kt_rc kt_phone_normalise(const char *in, char out[KT_PHONE_MAX], kt_err *err, const char *field);
/* Trim, lower-case ASCII, check one '@', a non-empty local part and a dotted domain. */
kt_rc kt_email_normalise(const char *in, char out[KT_EMAIL_MAX], kt_err *err, const char *field);
/* Strip spaces and dashes; then 4..32 of [0-9A-Za-z], upper-cased. */
kt_rc kt_card_normalise(const char *in, char out[KT_CARD_MAX], kt_err *err, const char *field);

/* Returns the byte offset of the first invalid UTF-8 sequence, or len if valid. */
size_t kt_utf8_check(const char *s, size_t len);
/* The same for a stream read in pieces: when the bytes from the returned
 * offset to len are the valid beginning of a sequence cut off by the end of
 * the piece, sets *cut (else clears it). */
size_t kt_utf8_check_cut(const char *s, size_t len, bool *cut);

/* Parse a signed decimal int64 within [min, max] (no spaces, no '+'). */
kt_rc kt_parse_i64(const char *s, size_t len, int64_t min, int64_t max, int64_t *out,
                   kt_err *err, const char *field);
/* Money as written: "123", "123.4", "123.45", "-5.00" (decimal units, 2 places max,
 * '.' or ',' as separator) -> minor units. */
kt_rc kt_parse_money(const char *s, size_t len, kt_money *out, kt_err *err, const char *field);
/* Format minor units as "1234.50"; buf at least 24 bytes. */
void kt_money_format(kt_money m, char *buf);
/* Booleans as files write them: 1/0, true/false, yes/no, y/n, t/f (any case); empty is an error. */
kt_rc kt_parse_bool(const char *s, size_t len, bool *out, kt_err *err, const char *field);

/* For error messages: writes s[0..len) in double quotes, with valid UTF-8 kept,
 * '"' and '\\' escaped and other bytes below 0x20 or invalid as \xNN; input
 * past about 60 bytes is cut and marked "...". Always NUL-terminates.
 * KT_QUOTE_MAX is enough for any input. */
#define KT_QUOTE_MAX 256
void kt_text_quote(const char *s, size_t len, char *out, size_t out_size);

#endif
