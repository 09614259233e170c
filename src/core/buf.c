/*
 * buf.c - growable byte buffer. See buf.h.
 */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KT_BUF_CAP_MAX ((size_t)1 << 34) /* 16 GiB: past this something is wrong */

void kt_buf_init(kt_buf *b) { b->p = NULL; b->len = b->cap = 0; }

void kt_buf_free(kt_buf *b) { free(b->p); kt_buf_init(b); }

void kt_buf_reset(kt_buf *b) { b->len = 0; if (b->p) b->p[0] = 0; }

static void reserve(kt_buf *b, size_t extra) {
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return;
    KT_ASSERT(need < KT_BUF_CAP_MAX);
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    b->p = kt_xrealloc(b->p, cap);
    b->cap = cap;
}

void kt_buf_add(kt_buf *b, const void *data, size_t n) {
    reserve(b, n);
    if (n) memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = 0;
}

void kt_buf_adds(kt_buf *b, const char *s) { kt_buf_add(b, s, strlen(s)); }

void kt_buf_addc(kt_buf *b, char c) { kt_buf_add(b, &c, 1); }

void kt_buf_printf(kt_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    KT_ASSERT(n >= 0);
    reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}
