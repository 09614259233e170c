/*
 * err.c - error names, the error record, panics and aborting allocators.
 * See kt.h.
 */
#include "kt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const rc_names[KT_RC_COUNT_] = {
    [KT_OK] = "ok",
    [KT_EUSAGE] = "usage",
    [KT_EINVAL] = "invalid_input",
    [KT_ENOTFOUND] = "not_found",
    [KT_EEXIST] = "already_exists",
    [KT_ECONFLICT] = "conflict",
    [KT_ENOFUNDS] = "insufficient_points",
    [KT_EIO] = "io_error",
    [KT_ESTORE] = "store_error",
    [KT_ENOMEM] = "out_of_memory",
    [KT_EINVARIANT] = "invariant_violated",
    [KT_EINTERNAL] = "internal",
};

const char *kt_strerror(kt_rc rc) {
    if ((int)rc < 0 || rc >= KT_RC_COUNT_ || !rc_names[rc]) return "unknown";
    return rc_names[rc];
}

kt_rc kt_fail(kt_err *err, kt_rc code, const char *field, const char *fmt, ...) {
    if (!err) return code;
    err->code = code;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

void kt_err_clear(kt_err *err) {
    if (!err) return;
    err->code = KT_OK;
    err->field[0] = 0;
    err->msg[0] = 0;
}

int kt_exit_code(kt_rc rc) {
    switch (rc) {
    case KT_OK: return 0;
    case KT_EUSAGE: return 2;
    case KT_ENOTFOUND: return 3;
    case KT_EINVAL: return 4;
    case KT_EEXIST:
    case KT_ECONFLICT: return 5;
    case KT_ENOFUNDS: return 6;
    case KT_EINVARIANT: return 7;
    default: return 1;
    }
}

_Noreturn void kt_panic(const char *file, int line, const char *what) {
    fprintf(stderr, "karta: PANIC at %s:%d: %s\n", file, line, what);
    fflush(stderr);
    abort();
}

static _Noreturn void oom(size_t n) {
    fprintf(stderr, "karta: out of memory allocating %zu bytes\n", n);
    abort();
}

void *kt_xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) oom(n);
    return p;
}

void *kt_xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) oom(n * size);
    return p;
}

void *kt_xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) oom(n);
    return q;
}

char *kt_xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = kt_xmalloc(n);
    memcpy(p, s, n);
    return p;
}
