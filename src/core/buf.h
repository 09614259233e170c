/*
 * buf.h - a growable byte buffer with a cap, for building output and messages.
 * Owns its memory; kt_buf_free releases it. Allocation failure aborts (output
 * paths cannot do anything useful without memory).
 */
#ifndef KT_BUF_H
#define KT_BUF_H
#include "kt.h"

typedef struct kt_buf { char *p; size_t len, cap; } kt_buf;

void kt_buf_init(kt_buf *b);
void kt_buf_free(kt_buf *b);
void kt_buf_reset(kt_buf *b);
void kt_buf_add(kt_buf *b, const void *data, size_t n);
void kt_buf_adds(kt_buf *b, const char *s);
void kt_buf_addc(kt_buf *b, char c);
void kt_buf_printf(kt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* p is always NUL-terminated after any add. */

#endif
