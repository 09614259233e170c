/*
 * colio.c - column files written with O_DIRECT on an I/O thread (colio.h).
 *
 * Each stream owns one buffer from the pool at a time. A full buffer (1 MiB,
 * so every write starts at a multiple of 1 MiB) becomes a job on one FIFO
 * queue served by one thread: the writes of a file happen in the order they
 * were made, and a stream's last job (its tail: write through the page cache,
 * close the file) comes after all its blocks. The pool starts with POOL_MIN
 * buffers; a stream that finds none free waits for the thread to return one,
 * or allocates a new one when nothing is in flight (every buffer then sits in
 * a stream, and waiting would never end).
 */
#include "cols/colio.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK 4096u
#define BUF_BYTES (1u << 20)
#define POOL_MIN 32

typedef struct buf { struct buf *next; } buf; /* a free buffer's first bytes link the free list */

typedef enum { JOB_WRITE, JOB_TAIL } job_kind;

typedef struct job {
    struct job *next;
    job_kind kind;
    int fd;
    uint8_t *data;
    size_t len;
    uint64_t off;
    char *path;      /* the stream's; the tail job frees it */
} job;

struct kt_colio {
    pthread_mutex_t mu;
    pthread_cond_t work, done;   /* a job queued or stopping; a job finished or a buffer freed */
    pthread_t thread;
    bool started, stop;
    job *head, *tail;
    size_t pending;              /* queued or being written */
    buf *free_bufs;
    size_t nbufs;
    int err_no;                  /* first failure: errno, its file and what failed */
    char err_path[4096];
    const char *err_what;
    unsigned long long direct_bytes, cached_bytes;
    bool refuse_direct;          /* tests: every O_DIRECT write fails with EINVAL */
};

struct kt_colstream {
    kt_colio *io;
    int fd;
    uint8_t *data;
    size_t len;
    uint64_t off;                /* file offset of data[0] */
    char *path;
};

static uint8_t *new_buffer(void) {
    void *p = aligned_alloc(BLOCK, BUF_BYTES);
    KT_ASSERT(p != NULL); /* out of memory for a 1 MiB buffer */
    return p;
}

kt_colio *kt_colio_new(void) {
    kt_colio *io = kt_xcalloc(1, sizeof *io);
    pthread_mutex_init(&io->mu, NULL);
    pthread_cond_init(&io->work, NULL);
    pthread_cond_init(&io->done, NULL);
    for (int i = 0; i < POOL_MIN; i++) {
        buf *b = (buf *)(void *)new_buffer();
        b->next = io->free_bufs;
        io->free_bufs = b;
        io->nbufs++;
    }
    return io;
}

/* Under the lock: remember the first failure. */
static void fail_locked(kt_colio *io, const char *path, const char *what, int e) {
    if (io->err_no) return;
    io->err_no = e ? e : EIO;
    io->err_what = what;
    snprintf(io->err_path, sizeof io->err_path, "%s", path);
}

/* The whole of LEN bytes at OFF; an O_DIRECT write the file system refuses (or,
 * REFUSE_DIRECT, that kt_colio_test_refuse_direct makes fail)
 * with EINVAL (alignment it does not take) is retried through the page cache. */
static int write_at(bool refuse_direct, int fd, const uint8_t *p, size_t len, uint64_t off, bool *direct,
                    unsigned long long *dbytes, unsigned long long *cbytes) {
    while (len) {
        ssize_t w = *direct && refuse_direct ? (errno = EINVAL, -1) : pwrite(fd, p, len, (off_t)off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EINVAL && *direct) {
            int fl = fcntl(fd, F_GETFL);
            if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_DIRECT) < 0) return errno;
            *direct = false;
            continue;
        }
        if (w < 0) return errno;
        if (w == 0) return EIO;
        *(*direct ? dbytes : cbytes) += (unsigned long long)w;
        p += w;
        off += (uint64_t)w;
        len -= (size_t)w;
    }
    return 0;
}

static void *io_main(void *arg) {
    kt_colio *io = arg;
    pthread_mutex_lock(&io->mu);
    for (;;) {
        while (!io->head && !io->stop) pthread_cond_wait(&io->work, &io->mu);
        if (!io->head) break; /* stopping, nothing left */
        job *j = io->head;
        io->head = j->next;
        if (!io->head) io->tail = NULL;
        bool failed = io->err_no != 0, refuse = io->refuse_direct;
        pthread_mutex_unlock(&io->mu);

        int e = 0;
        const char *what = "write";
        unsigned long long d = 0, c = 0;
        int fl = fcntl(j->fd, F_GETFL);
        bool direct = fl >= 0 && (fl & O_DIRECT);
        if (j->kind == JOB_TAIL && direct) {
            /* the tail is not a whole block: through the page cache */
            if (fcntl(j->fd, F_SETFL, fl & ~O_DIRECT) < 0) { e = errno; what = "fcntl"; }
            direct = false;
        }
        if (!failed && !e && j->len) e = write_at(refuse, j->fd, j->data, j->len, j->off, &direct, &d, &c);
#ifdef SYNC_FILE_RANGE_WRITE
        /* through the page cache: start writing it back now, so that dirty
         * pages stay few and the fsync at the seal waits for little */
        if (!failed && !e && j->len && !direct)
            (void)sync_file_range(j->fd, (off_t)j->off, (off_t)j->len, SYNC_FILE_RANGE_WRITE);
#endif
        if (j->kind == JOB_TAIL && close(j->fd) && !e) { e = errno; what = "close"; }

        pthread_mutex_lock(&io->mu);
        if (e) fail_locked(io, j->path, what, e);
        io->direct_bytes += d;
        io->cached_bytes += c;
        buf *b = (buf *)(void *)j->data;
        b->next = io->free_bufs;
        io->free_bufs = b;
        if (j->kind == JOB_TAIL) free(j->path);
        free(j);
        io->pending--;
        pthread_cond_broadcast(&io->done);
    }
    pthread_mutex_unlock(&io->mu);
    return NULL;
}

static kt_rc error_locked(kt_colio *io, kt_err *err) {
    if (!io->err_no) return KT_OK;
    return kt_fail(err, KT_EIO, io->err_path, "%s: %s", io->err_what, strerror(io->err_no));
}

/* Queue a job for DATA (the stream gives the buffer up) and, unless FINAL,
 * give the stream another buffer. */
static kt_rc submit(kt_colstream *s, job_kind kind, kt_err *err) {
    kt_colio *io = s->io;
    job *j = kt_xmalloc(sizeof *j);
    *j = (job){NULL, kind, s->fd, s->data, s->len, s->off, s->path};
    pthread_mutex_lock(&io->mu);
    if (!io->started) {
        if (pthread_create(&io->thread, NULL, io_main, io)) {
            pthread_mutex_unlock(&io->mu);
            free(j);
            return kt_fail(err, KT_EIO, s->path, "cannot start the I/O thread");
        }
        io->started = true;
    }
    if (io->tail) io->tail->next = j;
    else io->head = j;
    io->tail = j;
    io->pending++;
    pthread_cond_signal(&io->work);
    s->data = NULL;
    if (kind == JOB_WRITE) {
        while (!io->free_bufs && io->pending > 0) pthread_cond_wait(&io->done, &io->mu);
        if (io->free_bufs) {
            s->data = (uint8_t *)io->free_bufs;
            io->free_bufs = io->free_bufs->next;
        }
    }
    kt_rc rc = error_locked(io, err);
    pthread_mutex_unlock(&io->mu);
    if (kind == JOB_WRITE && !s->data) {
        s->data = new_buffer(); /* every buffer sits in a stream: one more */
        pthread_mutex_lock(&io->mu);
        io->nbufs++;
        pthread_mutex_unlock(&io->mu);
    }
    return rc;
}

kt_rc kt_colstream_open(kt_colio *io, const char *path, const void *head, size_t head_len, bool cached,
                        kt_colstream **out, kt_err *err) {
    KT_ASSERT(head_len < BUF_BYTES);
    int fd = cached ? -1 : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_DIRECT, 0666);
    if (cached || (fd < 0 && errno == EINVAL)) fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) return kt_fail(err, KT_EIO, path, "cannot create: %s", strerror(errno));
    kt_colstream *s = kt_xcalloc(1, sizeof *s);
    s->io = io;
    s->fd = fd;
    s->path = kt_xstrdup(path);
    pthread_mutex_lock(&io->mu);
    if (io->free_bufs) {
        s->data = (uint8_t *)io->free_bufs;
        io->free_bufs = io->free_bufs->next;
    }
    pthread_mutex_unlock(&io->mu);
    if (!s->data) {
        s->data = new_buffer();
        pthread_mutex_lock(&io->mu);
        io->nbufs++;
        pthread_mutex_unlock(&io->mu);
    }
    memcpy(s->data, head, head_len);
    s->len = head_len;
    *out = s;
    return KT_OK;
}

kt_rc kt_colstream_append(kt_colstream *s, const void *p, size_t n, kt_err *err) {
    const uint8_t *src = p;
    while (n) {
        size_t take = BUF_BYTES - s->len;
        if (take > n) take = n;
        memcpy(s->data + s->len, src, take);
        s->len += take;
        src += take;
        n -= take;
        if (s->len == BUF_BYTES) {
            kt_rc rc = submit(s, JOB_WRITE, err);
            s->off += BUF_BYTES;
            s->len = 0;
            if (rc) return rc;
        }
    }
    return KT_OK;
}

kt_rc kt_colstream_close(kt_colstream *s, kt_err *err) {
    if (!s) return KT_OK;
    kt_rc rc = submit(s, JOB_TAIL, err); /* the thread closes the file and frees the path */
    free(s);
    return rc;
}

kt_rc kt_colio_drain(kt_colio *io, kt_err *err) {
    if (!io) return KT_OK;
    pthread_mutex_lock(&io->mu);
    while (io->pending > 0) pthread_cond_wait(&io->done, &io->mu);
    kt_rc rc = error_locked(io, err);
    pthread_mutex_unlock(&io->mu);
    return rc;
}

void kt_colio_free(kt_colio *io) {
    if (!io) return;
    pthread_mutex_lock(&io->mu);
    while (io->pending > 0) pthread_cond_wait(&io->done, &io->mu);
    io->stop = true;
    pthread_cond_signal(&io->work);
    bool started = io->started;
    pthread_mutex_unlock(&io->mu);
    if (started) pthread_join(io->thread, NULL);
    for (buf *b = io->free_bufs; b;) {
        buf *next = b->next;
        free(b);
        b = next;
    }
    pthread_mutex_destroy(&io->mu);
    pthread_cond_destroy(&io->work);
    pthread_cond_destroy(&io->done);
    free(io);
}

void kt_colio_counts(const kt_colio *io, unsigned long long *direct, unsigned long long *cached) {
    kt_colio *m = (kt_colio *)io;
    pthread_mutex_lock(&m->mu);
    *direct = m->direct_bytes;
    *cached = m->cached_bytes;
    pthread_mutex_unlock(&m->mu);
}

void kt_colio_test_refuse_direct(kt_colio *io) {
    pthread_mutex_lock(&io->mu);
    io->refuse_direct = true;
    pthread_mutex_unlock(&io->mu);
}
