/*
 * kt.h - the vocabulary every Karta module shares.
 *
 * Owns: the domain scalar types (money, points, ids, days), the error enum and
 * the error record, checked arithmetic, and the few macros used everywhere.
 * Borrows nothing. Every function that can fail returns a kt_rc and, when it
 * is given a kt_err, fills it with a message that names the field, file, line
 * or JSON path at fault.
 */
#ifndef KT_H
#define KT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- domain types -------------------------------------------------------- */
typedef int64_t kt_money;     /* minor units of the program currency (kopecks) */
typedef int64_t kt_points;    /* loyalty points; never fractional */
typedef uint32_t kt_member_id;
typedef uint32_t kt_store_id;
typedef uint32_t kt_product_id;
typedef int32_t kt_day;       /* local calendar day: days since 1970-01-01 */
typedef int64_t kt_time;      /* seconds since 1970-01-01T00:00:00Z */

#define KT_DAY_NONE INT32_MIN /* "no date" (no expiry, unknown birth date) */

/* ---- errors ---------------------------------------------------------------
 * Stable numbers, never reused, ordered by precedence: when two things are
 * wrong, the lower number is reported. The name (kt_strerror) is what the CLI
 * prints and what the HTTP API puts in error.code.
 */
typedef enum kt_rc {
    KT_OK = 0,
    KT_EUSAGE = 1,        /* "usage": bad command line */
    KT_EINVAL = 2,        /* "invalid_input": malformed or out-of-range input */
    KT_ENOTFOUND = 3,     /* "not_found": no such member, card, store, ... */
    KT_EEXIST = 4,        /* "already_exists": a key that must be unique */
    KT_ECONFLICT = 5,     /* "conflict": state forbids it (blocked card, merged member) */
    KT_ENOFUNDS = 6,      /* "insufficient_points" */
    KT_EIO = 7,           /* "io_error": file system */
    KT_ESTORE = 8,        /* "store_error": the database refused */
    KT_ENOMEM = 9,        /* "out_of_memory" */
    KT_EINVARIANT = 10,   /* "invariant_violated": `karta check` found a fault */
    KT_EINTERNAL = 11,    /* "internal": a bug */
    KT_RC_COUNT_
} kt_rc;

#define KT_ERR_FIELD_MAX 128
#define KT_ERR_MSG_MAX 768

typedef struct kt_err {
    kt_rc code;
    char field[KT_ERR_FIELD_MAX]; /* "phone", "members.csv:12: birth_date", "$.lines[3].qty", or "" */
    char msg[KT_ERR_MSG_MAX];     /* human sentence, no trailing newline */
} kt_err;

const char *kt_strerror(kt_rc rc);
/* Fill *err (may be NULL) and return code. fmt is printf-style. */
kt_rc kt_fail(kt_err *err, kt_rc code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void kt_err_clear(kt_err *err);
/* CLI exit status for an rc: 0 ok, 2 usage, 3 not found, 4 invalid input, 5 conflict ... */
int kt_exit_code(kt_rc rc);

/* ---- checked arithmetic: money and points never wrap silently ------------ */
static inline bool kt_add_i64(int64_t a, int64_t b, int64_t *out) { return !__builtin_add_overflow(a, b, out); }
static inline bool kt_sub_i64(int64_t a, int64_t b, int64_t *out) { return !__builtin_sub_overflow(a, b, out); }
static inline bool kt_mul_i64(int64_t a, int64_t b, int64_t *out) { return !__builtin_mul_overflow(a, b, out); }

/* ---- hashing for in-memory tables: FNV-1a over bytes (never stored) ------ */
static inline uint64_t kt_hash_bytes(const void *p, size_t n) {
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

/* A broken invariant is a programmer error: abort loudly, in release builds too. */
#define KT_ASSERT(cond) \
    do { if (!(cond)) kt_panic(__FILE__, __LINE__, #cond); } while (0)
_Noreturn void kt_panic(const char *file, int line, const char *what);

/* Allocation on paths where failure cannot be handled: abort with a message. */
void *kt_xmalloc(size_t n);
void *kt_xcalloc(size_t n, size_t size);
void *kt_xrealloc(void *p, size_t n);
char *kt_xstrdup(const char *s);

#define KT_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define KT_UNUSED(x) ((void)(x))

#endif
