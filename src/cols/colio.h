/*
 * colio.h - append-only column files written past the page cache, on a
 * thread of their own (used by the columnar writer, cols.c).
 *
 * A bulk load writes tens of gigabytes of line columns that nobody reads
 * before the load is over. Through the page cache each 4 KiB page costs the
 * writing thread a copy and the file system's delayed-allocation bookkeeping
 * (on the benchmark machine ~7 us a page: a fifth of the generator's writer
 * thread). A stream instead collects its bytes in aligned 1 MiB buffers and
 * hands each full one to an I/O thread that writes it with O_DIRECT: no copy,
 * and the writer never waits for the disk unless every buffer is in flight.
 *
 *     kt_colio_new          the I/O thread (started on first use) and its buffers
 *     kt_colstream_open     create a file; its first bytes (a header) given at once;
 *                           CACHED: through the page cache (files read soon after:
 *                           only the copy and the waits move to the I/O thread)
 *     kt_colstream_append   add bytes at the end
 *     kt_colstream_close    the tail (the last buffer, not full) is written through
 *                           the page cache, then the file is closed, all in order
 *                           on the I/O thread; the stream is freed at once
 *     kt_colio_drain        wait until every write queued so far is done;
 *                           the first failure of any, naming its file
 *     kt_colio_free         drain, stop the thread, close what is left open
 *
 * Durability is the caller's: nothing here calls fsync (the writer's seal
 * reopens each file, writes its final header and fsyncs it after a drain).
 * Where O_DIRECT is refused (tmpfs, some network file systems) the same
 * writes go through the page cache, still on the I/O thread.
 */
#ifndef KT_COLIO_H
#define KT_COLIO_H

#include "core/kt.h"

#include <stddef.h>

typedef struct kt_colio kt_colio;
typedef struct kt_colstream kt_colstream;

kt_colio *kt_colio_new(void);
kt_rc kt_colstream_open(kt_colio *io, const char *path, const void *head, size_t head_len, bool cached,
                        kt_colstream **out, kt_err *err);
kt_rc kt_colstream_append(kt_colstream *s, const void *p, size_t n, kt_err *err);
kt_rc kt_colstream_close(kt_colstream *s, kt_err *err);
kt_rc kt_colio_drain(kt_colio *io, kt_err *err);
void kt_colio_free(kt_colio *io);

/* Bytes written with O_DIRECT and through the page cache so far (tests, bench). */
void kt_colio_counts(const kt_colio *io, unsigned long long *direct, unsigned long long *cached);

/* Tests: from now on every O_DIRECT write fails with EINVAL, as on a file
 * system that takes O_DIRECT at open but refuses the writes' alignment. */
void kt_colio_test_refuse_direct(kt_colio *io);

#endif
