/*
 * server.c - the HTTP plumbing of `karta serve` (server.h): libmicrohttpd in
 * thread-pool mode, body collection with its cap, routing by template, API
 * keys and roles (cached), per-key token buckets, the in-flight receipt set
 * (409), error documents, the group-commit writer, metrics, the access log
 * and the drain on SIGTERM. The route handlers are in routes.c.
 *
 * Group commit. A commit is parsed and priced on the request's thread, on its
 * own connection, in parallel with the others; then its connection is
 * suspended (libmicrohttpd's suspend/resume), so the thread goes on serving
 * and a group can take every commit in flight, not one per thread. Only the
 * writes are serial, in the writer thread, up to KT_HTTP_BATCH_MAX receipts
 * per transaction. The writer's connection does not flush at COMMIT
 * (KT_STORE_SYNC_LATER): it hands the group to the syncer thread, which
 * flushes the log and then resumes the group's connections, while the writer
 * writes the next group - the flush and the writing overlap, and no commit is
 * answered before it is on disk. A pricing read a snapshot, so the writer
 * prices a job again (inside its transaction) when that snapshot may be stale
 * for the job's member:
 *  - the writer numbers its groups; a job records the last group committed
 *    before it started pricing, and the writer remembers, per member (hashed
 *    into KT_HTTP_MEMBER_SLOTS, so a collision only costs a re-pricing), the
 *    last group that wrote for the member: a later group means stale;
 *  - any other connection's commit (a refund, a member update, a rule change,
 *    another process) shows in the store's data version, checked once the
 *    writer holds the write lock: it bumps an epoch, and a job priced in an
 *    older epoch is stale.
 * A retry of a committed receipt is answered on the request's thread.
 */
#include "server.h"
#include "server_int.h"
#include "analytics/fold.h"
#include "core/date.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Rate-limit buckets kept: one per key, hashed by id. */
#define KT_HTTP_BUCKETS 1024
/* Requests at once for the same receipt are told 409; the set holds one entry
 * per commit or refund in flight, at most one per connection. */
#define KT_HTTP_INFLIGHT_MAX 4096
#define KT_HTTP_INFLIGHT_SLOTS 1024 /* chains of the set (a power of two) */
/* Seconds SIGTERM waits for in-flight requests before closing anyway. */
#define KT_HTTP_DRAIN_SECONDS 30
/* API keys verified recently, by the SHA-256 of the secret (never the secret):
 * a key is looked up in the store again after KT_HTTP_KEY_RECHECK_SECONDS, so
 * a revocation takes effect within that time without a read per request. */
#define KT_HTTP_KEYS_CACHED 1024
#define KT_HTTP_KEY_RECHECK_SECONDS 1.0
/* Members the writer remembers the last writing group of (see above). */
#define KT_HTTP_MEMBER_SLOTS (1u << 16)
/* Seconds the ledger gauges of /metrics are reused before being read again. */
#define KT_HTTP_LEDGER_REFRESH_SECONDS 2.0
/* Pages in the write-ahead log at which the writer checkpoints it itself
 * between two groups, so that the log is written from its start again
 * (kt_store_log_restart): 16384 pages, 64 MiB, the default of `karta serve
 * --log-pages` (the log file grows to up to twice that, see below). Each
 * time stalls the writer
 * for one checkpoint of what the background has not copied yet and its
 * flushes, so not too often, and at a good moment: once past this size the
 * writer wakes the background thread and restarts the log right after the
 * background has finished a checkpoint (and flushed the database), when what
 * is left to copy is only what was written meanwhile. Measured under
 * bench/http.sh: a stall of ~35-45 ms at a random moment, ~12-15 ms this way.
 * Past twice the size it restarts at once. */
#define KT_HTTP_LOG_RESTART_FRAMES 16384
/* Milliseconds between two background checkpoints. Each ends with a flush
 * of the database file, and a flush of the log waits behind it (the disk's
 * cache flush covers every write in flight): the fewer pages a checkpoint
 * copies, the shorter that wait, but each checkpoint costs CPU and flushes
 * of its own. Measured under bench/http.sh with 16 connections, where the
 * slowest commits were those waiting for the log flush: every 100 ms, p99
 * 27-29 ms; every 30 ms, 22 ms at the same commits/s; every 10 ms, 17-18 ms
 * but 13% fewer commits/s. */
#define KT_HTTP_CHECKPOINT_MS 30
/* Milliseconds between two looks at what waits to be folded. */
#define KT_HTTP_FOLD_CHECK_MS 100
/* The fold thread's nice value: a fold (reading 20,000 receipts, writing
 * column files) yields the CPU to the request, writer and syncer threads
 * (and still keeps up under bench/http.sh's full load, see bench/RESULTS.md). */
#define KT_HTTP_FOLD_NICE 10

/* ---- server state (one server per process) ---- */

static const double latency_bounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
#define NBOUNDS KT_ARRAY_LEN(latency_bounds)
static const int statuses[] = {200, 201, 400, 401, 403, 404, 405, 409, 413, 422, 429, 500, 503};
#define NSTATUS KT_ARRAY_LEN(statuses)
#define ROUTES_MAX 32 /* route table size, + 1 for "no route" */

/* A histogram of durations in seconds over latency_bounds (Prometheus). */
typedef struct histo {
    atomic_uint_fast64_t n[NBOUNDS + 1];
    atomic_uint_fast64_t us_sum;
} histo;

static void histo_add(histo *h, double seconds) {
    size_t b = 0;
    while (b < NBOUNDS && seconds > latency_bounds[b]) b++;
    atomic_fetch_add(&h->n[b], 1);
    atomic_fetch_add(&h->us_sum, (uint_fast64_t)(seconds * 1e6));
}

typedef struct bucket {
    int64_t key_id;
    double tokens;
    double last;
    struct bucket *next;
} bucket;

typedef struct commit_job {
    kt_pos_job *job;
    uint64_t epoch, group;   /* when its pricing started */
    kt_pos_result res;
    struct MHD_Connection *conn; /* suspended until its group is durable */
    struct commit_job *next;
    double handed;           /* when it was handed to the writer (kt_mono_seconds) */
} commit_job;

typedef struct inflight_entry {
    struct inflight_entry *next;
    char key[];              /* "store\x1freceipt" */
} inflight_entry;

typedef struct key_slot {
    char hash[65];           /* "" when empty */
    kt_key key;
    double checked;
} key_slot;

static struct {
    kt_server_options opt;
    pthread_key_t worker_key;
    atomic_uint_fast64_t next_id;
    atomic_int inflight;
    /* metrics */
    atomic_uint_fast64_t requests[ROUTES_MAX + 1][NSTATUS + 1];
    histo latency[ROUTES_MAX + 1];
    atomic_uint_fast64_t commits, refunds, batches, repriced, points_earned, points_redeemed, log_restarts;
    /* the commit path's stages: a group's transaction, a flush of the log, a log restart */
    histo group_seconds, flush_seconds, restart_seconds;
    /* a handed-over commit: arrival to hand-over (its request thread), hand-over to answer (queue, group, flush) */
    histo price_seconds, durable_seconds;
    /* ledger gauges, read incrementally (ledger rows are append-only) */
    pthread_mutex_t ledger_lock;
    double ledger_read_at;
    bool ledger_started;
    int64_t outstanding, entries_seen, expired, expiry_txns_seen;
    /* API keys */
    pthread_mutex_t keys_lock;
    key_slot keys[KT_HTTP_KEYS_CACHED];
    /* rate limits */
    pthread_mutex_t rate_lock;
    bucket *buckets[KT_HTTP_BUCKETS];
    /* receipts in flight */
    pthread_mutex_t inflight_lock;
    inflight_entry *inflight_set[KT_HTTP_INFLIGHT_SLOTS];
    size_t inflight_n;
    /* group commit */
    pthread_mutex_t q_lock;
    pthread_cond_t q_cond;
    commit_job *q_head, *q_tail;
    bool q_stop, q_running;
    pthread_t writer;
    /* written groups waiting for the log flush (the writer's store is opened
     * KT_STORE_SYNC_LATER): the syncer flushes, then resumes their connections,
     * while the writer writes the next group */
    pthread_mutex_t s_lock;
    pthread_cond_t s_cond;
    commit_job *s_head, *s_tail;
    bool s_stop;
    kt_store *s_store;
    pthread_t syncer;
    atomic_uint_fast64_t epoch, committed_group;
    /* background work; checkpoints counts the background's checkpoints that copied something */
    atomic_uint_fast64_t checkpoints;
    pthread_mutex_t bg_lock;
    pthread_cond_t bg_cond;
    bool bg_stop, bg_kick;   /* bg_kick: a checkpoint now (the writer is about to restart the log) */
    pthread_t background, folder;
    uint64_t member_group[KT_HTTP_MEMBER_SLOTS]; /* the writer's alone */
} S;

/* ---- worker stores ---- */

static void worker_free(void *p) {
    kt_worker *w = p;
    if (!w) return;
    kt_pos_close(w->pos);
    kt_store_close(w->st);
    free(w);
}

static kt_rc worker_open_flags(kt_worker **out, int flags, kt_err *err) {
    kt_worker *w = kt_xcalloc(1, sizeof *w);
    kt_rc rc = kt_store_open(S.opt.data_dir, flags, &w->st, err);
    if (!rc) rc = kt_pos_open(w->st, &w->pos, err);
    if (rc) { worker_free(w); return rc; }
    *out = w;
    return KT_OK;
}

static kt_rc worker_open(kt_worker **out, kt_err *err) { return worker_open_flags(out, KT_STORE_READER, err); }

static kt_rc worker_get(kt_worker **out, kt_err *err) {
    kt_worker *w = pthread_getspecific(S.worker_key);
    if (!w) {
        kt_rc rc = worker_open(&w, err);
        if (rc) return rc;
        pthread_setspecific(S.worker_key, w);
    }
    *out = w;
    return KT_OK;
}

/* ---- rate limit: a token bucket per key, refilled at rate_per_key a second ---- */

/* 0 when the request may go, else the seconds to wait for a token. */
static int rate_take(int64_t key_id) {
    double rate = S.opt.rate_per_key, t = kt_mono_seconds();
    if (rate <= 0) return 0;
    size_t h = (size_t)key_id % KT_HTTP_BUCKETS;
    int wait = 0;
    pthread_mutex_lock(&S.rate_lock);
    bucket *b = S.buckets[h];
    while (b && b->key_id != key_id) b = b->next;
    if (!b) {
        b = kt_xcalloc(1, sizeof *b);
        *b = (bucket){key_id, rate, t, S.buckets[h]};
        S.buckets[h] = b;
    }
    b->tokens = fmin(rate, b->tokens + (t - b->last) * rate);
    b->last = t;
    if (b->tokens >= 1) b->tokens -= 1;
    else wait = (int)ceil((1 - b->tokens) / rate);
    pthread_mutex_unlock(&S.rate_lock);
    return wait;
}

/* ---- receipts in flight ---- */

/* The set is a hash table of KT_HTTP_INFLIGHT_SLOTS chains (it was a scan of
 * all KT_HTTP_INFLIGHT_MAX slots, twice per commit). */
static size_t inflight_slot(const char *k) {
    return (size_t)(kt_hash_bytes(k, strlen(k)) >> 32) & (KT_HTTP_INFLIGHT_SLOTS - 1);
}

static bool inflight_add(const char *k) {
    bool ok = false;
    size_t slot = inflight_slot(k);
    pthread_mutex_lock(&S.inflight_lock);
    inflight_entry *e = S.inflight_set[slot];
    while (e && strcmp(e->key, k) != 0) e = e->next;
    if (!e && S.inflight_n < KT_HTTP_INFLIGHT_MAX) {
        e = kt_xmalloc(sizeof *e + strlen(k) + 1);
        strcpy(e->key, k);
        e->next = S.inflight_set[slot];
        S.inflight_set[slot] = e;
        S.inflight_n++;
        ok = true;
    }
    pthread_mutex_unlock(&S.inflight_lock);
    return ok;
}

static void inflight_remove(const char *k) {
    size_t slot = inflight_slot(k);
    pthread_mutex_lock(&S.inflight_lock);
    for (inflight_entry **p = &S.inflight_set[slot]; *p; p = &(*p)->next)
        if (strcmp((*p)->key, k) == 0) {
            inflight_entry *e = *p;
            *p = e->next;
            free(e);
            S.inflight_n--;
            break;
        }
    pthread_mutex_unlock(&S.inflight_lock);
}

/* ---- group commit ---- */

static size_t member_slot(int64_t member) {
    return (size_t)(((uint64_t)member * 0x9E3779B97F4A7C15ull) >> 48) & (KT_HTTP_MEMBER_SLOTS - 1);
}

/* One group: jobs[0..n) in one transaction, each in its own savepoint. */
static kt_rc write_group(kt_worker *w, commit_job **jobs, size_t n, uint64_t group, int64_t *data_version,
                         kt_err *err) {
    kt_rc rc = kt_store_begin(w->st, err);
    int64_t dv = 0;
    if (!rc) rc = kt_store_data_version(w->st, &dv, err);
    if (rc) { if (kt_store_in_txn(w->st)) kt_store_rollback(w->st); return rc; }
    if (dv != *data_version) {
        /* another connection committed: every snapshot older than now may be stale */
        atomic_fetch_add(&S.epoch, 1);
        *data_version = dv;
    }
    uint64_t epoch = atomic_load(&S.epoch);
    for (size_t i = 0; i < n && !rc; i++) {
        commit_job *j = jobs[i];
        int64_t m = kt_pos_job_member(j->job);
        bool stale = j->epoch != epoch || (m && S.member_group[member_slot(m)] > j->group);
        if (stale) atomic_fetch_add(&S.repriced, 1);
        if ((rc = kt_store_savepoint(w->st, err))) break;
        if (kt_pos_job_commit(w->pos, j->job, stale, &j->res)) rc = kt_store_savepoint_rollback(w->st, err);
        else rc = kt_store_savepoint_release(w->st, err);
        if (!rc && !j->res.rc && j->res.member) S.member_group[member_slot(j->res.member)] = group;
    }
    if (!rc) rc = kt_store_commit(w->st, err);
    else kt_store_rollback(w->st);
    return rc;
}

static void *syncer_main(void *arg);

/* Between two groups: the log started over once past S.opt.log_pages, right
 * after a background checkpoint has ended (one ended since the last group:
 * the count moved), waking the background for checkpoints back to back until
 * one does, or at twice the size regardless (KT_HTTP_LOG_RESTART_FRAMES). */
static void log_restart_between_groups(kt_worker *w, uint64_t *checkpoints_seen) {
    double t0 = kt_mono_seconds();
    uint64_t ck = atomic_load(&S.checkpoints);
    bool fresh = ck != *checkpoints_seen, restarted;
    *checkpoints_seen = ck;
    if (!fresh && kt_store_log_frames(w->st) >= S.opt.log_pages) {
        pthread_mutex_lock(&S.bg_lock);
        S.bg_kick = true;
        pthread_cond_broadcast(&S.bg_cond); /* the fold thread waits on it too */
        pthread_mutex_unlock(&S.bg_lock);
    }
    kt_err err;
    if (kt_store_log_restart(w->st, fresh ? S.opt.log_pages : 2 * S.opt.log_pages, &restarted, &err))
        fprintf(stderr, "karta: serve: checkpoint: %s\n", err.msg);
    else if (restarted) {
        atomic_fetch_add(&S.log_restarts, 1);
        histo_add(&S.restart_seconds, kt_mono_seconds() - t0);
    }
}

static void *writer_main(void *arg) {
    KT_UNUSED(arg);
    kt_worker *w = NULL;
    kt_err open_err = {0};
    /* the log is checkpointed by the background thread, never on the commit path */
    kt_rc open_rc = worker_open_flags(&w, KT_STORE_MANUAL_CHECKPOINT | KT_STORE_SYNC_LATER | KT_STORE_FK_BY_CHECK, &open_err);
    pthread_create(&S.syncer, NULL, syncer_main, NULL);
    pthread_setname_np(S.syncer, "karta-syncer");
    int64_t data_version = -1; /* unknown: the first group starts a new epoch */
    uint64_t group = atomic_load(&S.committed_group), checkpoints_seen = 0;
    for (;;) {
        commit_job *jobs[KT_HTTP_BATCH_MAX];
        size_t n = 0;
        pthread_mutex_lock(&S.q_lock);
        while (!S.q_head && !S.q_stop) pthread_cond_wait(&S.q_cond, &S.q_lock);
        while (S.q_head && n < KT_HTTP_BATCH_MAX) {
            jobs[n++] = S.q_head;
            S.q_head = S.q_head->next;
        }
        if (!S.q_head) S.q_tail = NULL;
        bool stop = S.q_stop && n == 0;
        pthread_mutex_unlock(&S.q_lock);
        if (stop) break;
        kt_err err = open_err;
        kt_rc rc = open_rc;
        group++;
        double t0 = kt_mono_seconds();
        if (!rc) rc = write_group(w, jobs, n, group, &data_version, &err);
        histo_add(&S.group_seconds, kt_mono_seconds() - t0);
        /* what the group wrote is durable and visible: later pricings see it */
        atomic_store(&S.committed_group, group);
        atomic_fetch_add(&S.batches, 1);
        for (size_t i = 0; i < n; i++) {
            commit_job *j = jobs[i];
            if (rc) {
                free(j->res.answer);
                memset(&j->res, 0, sizeof j->res);
                j->res.rc = rc;
                j->res.err = err;
            }
            j->next = i + 1 < n ? jobs[i + 1] : NULL;
        }
        /* to the syncer, in order: nobody is answered before the log holding their group is flushed */
        pthread_mutex_lock(&S.s_lock);
        if (!S.s_store && w) S.s_store = w->st;
        if (S.s_tail) S.s_tail->next = jobs[0];
        else S.s_head = jobs[0];
        S.s_tail = jobs[n - 1];
        pthread_cond_signal(&S.s_cond);
        pthread_mutex_unlock(&S.s_lock);
        if (w && !open_rc) log_restart_between_groups(w, &checkpoints_seen);
    }
    /* the syncer flushes what it was given before the store closes */
    pthread_mutex_lock(&S.s_lock);
    S.s_stop = true;
    pthread_cond_signal(&S.s_cond);
    pthread_mutex_unlock(&S.s_lock);
    pthread_join(S.syncer, NULL);
    worker_free(w);
    return NULL;
}

/* The syncer: flushes the writer's log, then answers every commit written
 * before the flush began (one flush for all the groups waiting). A failed
 * flush fails those commits: written, but not known to be on disk. */
static void *syncer_main(void *arg) {
    KT_UNUSED(arg);
    pthread_mutex_lock(&S.s_lock);
    for (;;) {
        while (!S.s_head && !S.s_stop) pthread_cond_wait(&S.s_cond, &S.s_lock);
        if (!S.s_head) break;
        commit_job *j = S.s_head;
        kt_store *st = S.s_store;
        S.s_head = S.s_tail = NULL;
        pthread_mutex_unlock(&S.s_lock);
        kt_err err = {0};
        double t0 = kt_mono_seconds();
        kt_rc rc = st ? kt_store_sync(st, &err) : KT_OK;
        double t1 = kt_mono_seconds();
        if (st) histo_add(&S.flush_seconds, t1 - t0);
        if (rc) fprintf(stderr, "karta: serve: %s\n", err.msg);
        while (j) {
            commit_job *next = j->next;
            if (rc && !j->res.rc) {
                free(j->res.answer);
                memset(&j->res, 0, sizeof j->res);
                j->res.rc = rc;
                j->res.err = err;
            }
            histo_add(&S.durable_seconds, t1 - j->handed);
            /* the last touch: once resumed, the request's thread answers and frees it */
            MHD_resume_connection(j->conn);
            j = next;
        }
        pthread_mutex_lock(&S.s_lock);
    }
    pthread_mutex_unlock(&S.s_lock);
    return NULL;
}

static kt_rc take_result(kt_call *c, kt_pos_result *res, kt_err *err) {
    if (res->rc) { *err = res->err; free(res->answer); return res->rc; }
    c->answer = res->answer;
    c->repeat = res->repeat;
    c->earned = res->earned;
    c->redeemed = res->redeemed;
    return KT_OK;
}

/* Without the writer (--no-group-commit, or once it has stopped): the commit
 * in its own transaction on the request's connection. */
kt_rc kt_server_commit(kt_call *c, kt_err *err) {
    kt_pos_result res;
    kt_rc rc = kt_store_begin(c->w->st, err);
    if (rc) return rc;
    if (kt_pos_job_commit(c->w->pos, c->job, true, &res)) kt_store_rollback(c->w->st);
    else if ((rc = kt_store_commit(c->w->st, err))) { free(res.answer); return rc; }
    return take_result(c, &res, err);
}

/* A commit for the writer: priced here, then handed over with the connection
 * suspended, so a request thread holds no commit while its group is written
 * and a group can take every commit in flight. True when handed over (the
 * syncer resumes the connection once the group is on disk); false when
 * answered here (a retry of a committed receipt, a pricing error, or no
 * writer any more), with the outcome in *rc. */
static bool commit_submit(struct MHD_Connection *conn, commit_job *j, kt_call *c, kt_rc *rc, kt_err *err) {
    memset(j, 0, sizeof *j);
    j->job = c->job;
    j->conn = conn;
    /* the order matters: a snapshot read after these loads includes those groups */
    j->epoch = atomic_load(&S.epoch);
    j->group = atomic_load(&S.committed_group);
    /* one snapshot for the whole pricing (and one lock of the log, not one per statement) */
    kt_err rerr;
    bool read = kt_store_read_begin(c->w->st, &rerr) == KT_OK;
    kt_pos_job_price(c->w->pos, c->job);
    if (kt_pos_job_repeat(c->job)) {
        /* a committed receipt stays committed: its first answer needs no writer */
        kt_pos_result res;
        kt_pos_job_commit(c->w->pos, c->job, false, &res);
        if (read) kt_store_read_end(c->w->st);
        *rc = take_result(c, &res, err);
        return false;
    }
    if (read) kt_store_read_end(c->w->st);
    pthread_mutex_lock(&S.q_lock);
    if (S.q_stop) {
        pthread_mutex_unlock(&S.q_lock);
        *rc = kt_server_commit(c, err);
        return false;
    }
    MHD_suspend_connection(conn);
    j->handed = kt_mono_seconds();
    if (S.q_tail) S.q_tail->next = j;
    else S.q_head = j;
    S.q_tail = j;
    pthread_cond_signal(&S.q_cond);
    pthread_mutex_unlock(&S.q_lock);
    return true;
}

/* ---- background work ---- */

/* Two threads for the work no request waits for, each on its own connection:
 * the background thread checkpoints the write-ahead log every
 * KT_HTTP_CHECKPOINT_MS (the writer never does, so a commit never waits for
 * it), and the fold thread folds committed receipts into the columnar store
 * (apart, so that a fold of many receipts holds up no checkpoint). */
/* P12: checkout receipts reach analyses at once (they read what waits from
 * the operational store); folding them into column segments keeps that delta
 * small: at KT_FOLD_RECEIPTS waiting, after KT_FOLD_SECONDS, and at the end. */
static void background_fold(kt_worker *w, bool last) {
    static time_t waiting_since;
    uint64_t pending = 0;
    kt_err err = {0};
    if (kt_fold_pending(w->st, S.opt.data_dir, &pending, &err) || !pending) {
        waiting_since = 0;
        return;
    }
    time_t now = time(NULL);
    if (!waiting_since) waiting_since = now;
    if (!last && pending < KT_FOLD_RECEIPTS && now - waiting_since < KT_FOLD_SECONDS) return;
    kt_fold_result r;
    kt_rc rc = kt_fold_run(S.opt.data_dir, &r, &err);
    if (rc && rc != KT_ECONFLICT) fprintf(stderr, "karta: serve: fold: %s: %s\n", err.field, err.msg);
    if (!rc) waiting_since = 0;
}

static void background_checkpoint(kt_worker *w) {
    kt_err err;
    bool copied = false;
    if (kt_store_checkpoint(w->st, &copied, &err)) fprintf(stderr, "karta: serve: checkpoint: %s\n", err.msg);
    else if (copied) atomic_fetch_add(&S.checkpoints, 1);
}

/* Under bg_lock: wait MS milliseconds, or less if KICK is given and set, or
 * until the server stops. False once it stops. */
static bool background_wait(long ms, bool *kick) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += ms * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    int timed_out = 0;
    while (!(kick && *kick) && !S.bg_stop && timed_out != ETIMEDOUT)
        timed_out = pthread_cond_timedwait(&S.bg_cond, &S.bg_lock, &until);
    return !S.bg_stop;
}

static void *background_main(void *arg) {
    KT_UNUSED(arg);
    kt_worker *w = NULL;
    kt_err err;
    if (worker_open(&w, &err)) {
        fprintf(stderr, "karta: serve: checkpoints disabled: %s\n", err.msg);
        return NULL;
    }
    pthread_mutex_lock(&S.bg_lock);
    /* bg_kick: the writer waits for a checkpoint before it restarts the log */
    while (background_wait(KT_HTTP_CHECKPOINT_MS, &S.bg_kick)) {
        S.bg_kick = false;
        pthread_mutex_unlock(&S.bg_lock);
        background_checkpoint(w);
        pthread_mutex_lock(&S.bg_lock);
    }
    pthread_mutex_unlock(&S.bg_lock);
    background_checkpoint(w); /* a last one once the writer has stopped */
    worker_free(w);
    return NULL;
}

static void *fold_main(void *arg) {
    KT_UNUSED(arg);
    kt_worker *w = NULL;
    kt_err err;
    /* on Linux a thread's nice value is its own (setpriority(2)); if refused, the fold runs as before */
    (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), KT_HTTP_FOLD_NICE);
    if (worker_open(&w, &err)) {
        fprintf(stderr, "karta: serve: folds disabled: %s\n", err.msg);
        return NULL;
    }
    pthread_mutex_lock(&S.bg_lock);
    while (background_wait(KT_HTTP_FOLD_CHECK_MS, NULL)) {
        pthread_mutex_unlock(&S.bg_lock);
        background_fold(w, false);
        pthread_mutex_lock(&S.bg_lock);
    }
    pthread_mutex_unlock(&S.bg_lock);
    background_fold(w, true); /* what the writer wrote last, once it has stopped */
    worker_free(w);
    return NULL;
}

/* ---- API keys, cached ---- */

static kt_rc key_check(kt_worker *w, const char *secret, kt_key *out, kt_err *err) {
    char hash[65];
    if (strlen(secret) != KT_KEY_SECRET_LEN) return kt_fail(err, KT_ENOTFOUND, "key", "no such key");
    kt_sha256_hex(secret, KT_KEY_SECRET_LEN, hash);
    size_t slot = (size_t)strtoull(hash + 48, NULL, 16) % KT_HTTP_KEYS_CACHED;
    double t = kt_mono_seconds();
    pthread_mutex_lock(&S.keys_lock);
    key_slot *k = &S.keys[slot];
    bool hit = strcmp(k->hash, hash) == 0 && t - k->checked < KT_HTTP_KEY_RECHECK_SECONDS;
    if (hit) *out = k->key;
    pthread_mutex_unlock(&S.keys_lock);
    if (hit) return KT_OK;
    kt_rc rc = kt_key_verify(w->st, secret, out, err);
    pthread_mutex_lock(&S.keys_lock);
    if (!rc) { memcpy(k->hash, hash, sizeof hash); k->key = *out; k->checked = t; }
    else if (strcmp(k->hash, hash) == 0) k->hash[0] = 0; /* revoked: forget it */
    pthread_mutex_unlock(&S.keys_lock);
    return rc;
}

/* ---- metrics ---- */

static size_t status_index(int status) {
    for (size_t i = 0; i < NSTATUS; i++)
        if (statuses[i] == status) return i;
    return NSTATUS;
}

static void metrics_record(size_t route, int status, double seconds) {
    atomic_fetch_add(&S.requests[route][status_index(status)], 1);
    histo_add(&S.latency[route], seconds);
}

static void route_label(size_t r, char *buf, size_t size) {
    if (r < kt_routes_count) snprintf(buf, size, "method=\"%s\",route=\"%s\"", kt_routes[r].method, kt_routes[r].path);
    else snprintf(buf, size, "method=\"\",route=\"unmatched\"");
}

typedef struct text { char *s; size_t len, cap; } text;

static void addf(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addf(text *t, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        KT_ASSERT(n >= 0);
        if ((size_t)n < t->cap - t->len) { t->len += (size_t)n; return; }
        t->cap = (t->cap + (size_t)n + 1) * 2;
        t->s = kt_xrealloc(t->s, t->cap);
    }
}

/* Outstanding points (the members' balances) and points expired, from the
 * store, so that movements by other processes (karta points expire) count.
 * Read at most every KT_HTTP_LEDGER_REFRESH_SECONDS, and incrementally: the
 * first read sums the balances and notes the last ledger entry; later reads
 * add only the entries after it (entries are append-only and their ids only
 * grow). Expiry transactions are summed the same way. */
static kt_rc ledger_gauges(kt_worker *w, int64_t *outstanding, int64_t *expired) {
    kt_rc rc = KT_OK;
    double t = kt_mono_seconds();
    pthread_mutex_lock(&S.ledger_lock);
    if (!S.ledger_started || t - S.ledger_read_at >= KT_HTTP_LEDGER_REFRESH_SECONDS) {
        kt_cursor *c;
        bool has;
        int64_t out = S.outstanding, seen = S.entries_seen, exp = S.expired, txns = S.expiry_txns_seen;
        kt_val a[] = {KT_VI(seen)};
        rc = kt_store_query(w->st, S.ledger_started ? KT_Q_METRICS_OUTSTANDING_SINCE : KT_Q_METRICS_OUTSTANDING_START,
                            a, S.ledger_started ? 1 : 0, &c, NULL);
        if (!rc) {
            rc = kt_store_step(c, &has, NULL);
            if (!rc && has) {
                out = S.ledger_started ? out + kt_col_int(c, 0) : kt_col_int(c, 0);
                seen = kt_col_int(c, 1);
            }
            kt_store_end(c);
        }
        kt_val b[] = {KT_VI(txns)};
        if (!rc && !(rc = kt_store_query(w->st, KT_Q_METRICS_EXPIRED_SINCE, b, 1, &c, NULL))) {
            rc = kt_store_step(c, &has, NULL);
            if (!rc && has) { exp += kt_col_int(c, 0); txns = kt_col_int(c, 1); }
            kt_store_end(c);
        }
        if (!rc) {
            S.outstanding = out;
            S.entries_seen = seen;
            S.expired = exp;
            S.expiry_txns_seen = txns;
            S.ledger_started = true;
            S.ledger_read_at = t;
        }
    }
    *outstanding = S.outstanding;
    *expired = S.expired;
    pthread_mutex_unlock(&S.ledger_lock);
    return rc;
}

static uint_fast64_t histo_count(histo *h) {
    uint_fast64_t n = 0;
    for (size_t b = 0; b <= NBOUNDS; b++) n += atomic_load(&h->n[b]);
    return n;
}

/* One series of histogram NAME: its buckets, sum and count, with LABELS
 * ("a=\"x\",b=\"y\"") or none (""). */
static void histo_series(text *t, const char *name, const char *labels, histo *h) {
    const char *sep = *labels ? "," : "";
    uint_fast64_t cum = 0;
    for (size_t b = 0; b <= NBOUNDS; b++) {
        cum += atomic_load(&h->n[b]);
        if (b < NBOUNDS) addf(t, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, sep, latency_bounds[b], (unsigned long long)cum);
        else addf(t, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep, (unsigned long long)cum);
    }
    const char *open = *labels ? "{" : "", *close = *labels ? "}" : "";
    addf(t, "%s_sum%s%s%s %.6f\n", name, open, labels, close, (double)atomic_load(&h->us_sum) / 1e6);
    addf(t, "%s_count%s%s%s %llu\n", name, open, labels, close, (unsigned long long)cum);
}

static void histo_text(text *t, const char *name, const char *help, histo *h) {
    addf(t, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    histo_series(t, name, "", h);
}

char *kt_server_metrics(kt_worker *w) {
    text t = {kt_xmalloc(4096), 0, 4096};
    char label[160];
    t.s[0] = 0;
    addf(&t, "# HELP karta_http_requests_total HTTP requests by route and status.\n# TYPE karta_http_requests_total counter\n");
    for (size_t r = 0; r <= kt_routes_count; r++) {
        route_label(r, label, sizeof label);
        for (size_t s = 0; s <= NSTATUS; s++) {
            uint_fast64_t v = atomic_load(&S.requests[r][s]);
            if (v) addf(&t, "karta_http_requests_total{%s,status=\"%s%d\"} %llu\n", label, s < NSTATUS ? "" : "other",
                        s < NSTATUS ? statuses[s] : 0, (unsigned long long)v);
        }
    }
    addf(&t, "# HELP karta_http_request_seconds Time from the request's first byte to its answer.\n"
             "# TYPE karta_http_request_seconds histogram\n");
    for (size_t r = 0; r <= kt_routes_count; r++) {
        if (!histo_count(&S.latency[r])) continue;
        route_label(r, label, sizeof label);
        histo_series(&t, "karta_http_request_seconds", label, &S.latency[r]);
    }
    addf(&t, "# HELP karta_commits_total Receipts committed (first commits; retries answered with the first answer are not counted).\n# TYPE karta_commits_total counter\n"
             "karta_commits_total %llu\n", (unsigned long long)atomic_load(&S.commits));
    addf(&t, "# HELP karta_refunds_total Refunds committed.\n# TYPE karta_refunds_total counter\nkarta_refunds_total %llu\n",
         (unsigned long long)atomic_load(&S.refunds));
    addf(&t, "# HELP karta_commit_batches_total Group-commit transactions.\n# TYPE karta_commit_batches_total counter\n"
             "karta_commit_batches_total %llu\n", (unsigned long long)atomic_load(&S.batches));
    addf(&t, "# HELP karta_points_accrued_total Points earned by committed receipts.\n# TYPE karta_points_accrued_total counter\n"
             "karta_points_accrued_total %llu\n", (unsigned long long)atomic_load(&S.points_earned));
    addf(&t, "# HELP karta_points_redeemed_total Points spent by committed receipts.\n# TYPE karta_points_redeemed_total counter\n"
             "karta_points_redeemed_total %llu\n", (unsigned long long)atomic_load(&S.points_redeemed));
    addf(&t, "# HELP karta_commits_repriced_total Commits priced again by the writer because their snapshot may have been stale.\n"
             "# TYPE karta_commits_repriced_total counter\nkarta_commits_repriced_total %llu\n",
         (unsigned long long)atomic_load(&S.repriced));
    addf(&t, "# HELP karta_log_restarts_total Times the writer checkpointed the write-ahead log whole so that it is written from its start again.\n"
             "# TYPE karta_log_restarts_total counter\nkarta_log_restarts_total %llu\n",
         (unsigned long long)atomic_load(&S.log_restarts));
    histo_text(&t, "karta_commit_group_seconds", "Time the writer takes to write one group of commits (one transaction).", &S.group_seconds);
    histo_text(&t, "karta_log_flush_seconds", "Time to flush the write-ahead log to disk (fdatasync) before a group is answered.", &S.flush_seconds);
    histo_text(&t, "karta_log_restart_seconds", "Time the writer stalls to checkpoint the log whole so that it restarts.", &S.restart_seconds);
    histo_text(&t, "karta_commit_price_seconds", "Time from a commit's arrival to its hand-over to the writer: parsing, key check, pricing.", &S.price_seconds);
    histo_text(&t, "karta_commit_durable_seconds", "Time from a commit's hand-over to the writer until it is durable and answered: the queue, its group, the log flush.", &S.durable_seconds);
    int64_t outstanding, expired;
    if (ledger_gauges(w, &outstanding, &expired) == KT_OK) {
        addf(&t, "# HELP karta_points_outstanding Points on members' balances (the store's, every process's movements).\n"
                 "# TYPE karta_points_outstanding gauge\nkarta_points_outstanding %lld\n", (long long)outstanding);
        addf(&t, "# HELP karta_points_expired_total Points burnt by expiry, over the store's life.\n"
                 "# TYPE karta_points_expired_total counter\nkarta_points_expired_total %lld\n", (long long)expired);
    }
    addf(&t, "# HELP karta_http_inflight Requests being answered.\n# TYPE karta_http_inflight gauge\nkarta_http_inflight %d\n",
         atomic_load(&S.inflight));
    return t.s;
}

/* ---- requests ---- */

typedef struct request {
    uint64_t id;
    double start;
    size_t route;            /* index in kt_routes, kt_routes_count when none */
    int status;
    char *body;
    size_t len, cap;
    bool too_large;
    int64_t key_id;
    char inflight[2 * KT_CODE_MAX + 2]; /* "store\x1freceipt" while held */
    /* a commit handed to the writer: what answering it needs once resumed */
    bool waiting;
    commit_job job;
    kt_call call;
    kt_key key;
} request;

static const char *http_code_name(int status) {
    switch (status) {
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 409: return "conflict";
    case 413: return "body_too_large";
    case 429: return "rate_limited";
    default: return "internal";
    }
}

static int status_of(kt_rc rc) {
    switch (rc) {
    case KT_EUSAGE:
    case KT_EINVAL: return 400;
    case KT_ENOTFOUND: return 404;
    case KT_EEXIST:
    case KT_ECONFLICT: return 409;
    case KT_ENOFUNDS: return 422;
    default: return 500;
    }
}

static char *error_doc(const char *code, const char *message, const char *field) {
    json_t *e = json_object(), *o = json_object();
    json_object_set_new(e, "code", json_string(code));
    json_object_set_new(e, "message", json_string(message));
    json_object_set_new(e, "field", field && *field ? json_string(field) : json_null());
    json_object_set_new(o, "error", e);
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    KT_ASSERT(s != NULL);
    return s;
}

static enum MHD_Result reply(struct MHD_Connection *conn, request *rq, int status, char *body, const char *type,
                            int retry_after) {
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    KT_ASSERT(r != NULL);
    char id[24];
    snprintf(id, sizeof id, "%llu", (unsigned long long)rq->id);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type ? type : "application/json");
    MHD_add_response_header(r, "X-Request-Id", id);
    if (retry_after > 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", retry_after);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    rq->status = status;
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, request *rq, int status, const char *message, int retry_after) {
    return reply(conn, rq, status, error_doc(http_code_name(status), message, NULL), NULL, retry_after);
}

/* Match a path against a template; params point into the copy `scratch`. */
static bool path_match(const char *tmpl, const char *path, char *scratch, size_t scratch_size,
                       const char *param[KT_HTTP_PARAMS_MAX]) {
    size_t np = 0;
    if (strlen(path) >= scratch_size) return false;
    strcpy(scratch, path);
    char *p = scratch;
    const char *t = tmpl;
    bool slash = *p == '/'; /* the path has a separator at p */
    if (slash) p++;
    while (*t) {
        if (*t != '/' || !slash) return false;
        t++;
        size_t tl = strcspn(t, "/"), pl = strcspn(p, "/");
        if (*t == '{') {
            if (pl == 0 || np == KT_HTTP_PARAMS_MAX) return false;
            param[np++] = p;
        } else if (tl != pl || strncmp(t, p, tl) != 0) {
            return false;
        }
        slash = p[pl] == '/';
        p[pl] = 0;
        t += tl;
        p += pl + (slash ? 1 : 0);
    }
    return !slash && *p == 0;
}

/* The route for method + path; *path_known when another method would match. */
size_t kt_server_route_find(const char *method, const char *path, char *scratch, size_t size,
                            const char *param[KT_HTTP_PARAMS_MAX], bool *path_known) {
    *path_known = false;
    for (size_t i = 0; i < kt_routes_count; i++) {
        const char *pp[KT_HTTP_PARAMS_MAX] = {0};
        if (!path_match(kt_routes[i].path, path, scratch, size, pp)) continue;
        if (strcmp(kt_routes[i].method, method) != 0) { *path_known = true; continue; }
        memcpy(param, pp, sizeof pp);
        return i;
    }
    return kt_routes_count;
}

/* For commits and refunds: the receipt's store must be the pos key's, and one
 * (store, receipt) is answered at a time. 0 or the HTTP status to refuse. */
static int receipt_guard(const kt_key *key, const kt_call *c, request *rq, const char **why) {
    json_t *o = NULL;
    const char *store, *receipt;
    int status = 0;
    if (c->job) {
        store = kt_pos_job_store(c->job);
        receipt = kt_pos_job_receipt(c->job);
    } else {
        o = json_loadb(c->body ? c->body : "", c->len, 0, NULL);
        if (!json_is_object(o)) { json_decref(o); return 0; } /* the parser says what is wrong */
        store = json_string_value(json_object_get(o, "store"));
        receipt = json_string_value(json_object_get(o, "receipt"));
    }
    if (key && key->role == KT_ROLE_POS && store && strcmp(store, key->store) != 0) {
        status = 403;
        *why = "this key acts for another store";
    } else if (store && receipt && strlen(store) < KT_CODE_MAX && strlen(receipt) < KT_CODE_MAX) {
        snprintf(rq->inflight, sizeof rq->inflight, "%s\x1f%s", store, receipt);
        if (!inflight_add(rq->inflight)) {
            rq->inflight[0] = 0;
            status = 409;
            *why = "this receipt is being processed; retry when it is answered";
        }
    }
    json_decref(o);
    return status;
}

static void audit_write(kt_worker *w, const kt_key *key, const kt_route *rt, const kt_call *c, int status) {
    char actor[96], action[96], detail[32];
    snprintf(actor, sizeof actor, "api:%s#%lld", key->name, (long long)key->id);
    snprintf(action, sizeof action, "%s %s", rt->method, rt->path);
    snprintf(detail, sizeof detail, "status %d", status);
    kt_val a[] = {KT_VI(kt_now()), KT_VS(actor), KT_VS(action), KT_VS(c->audit_object[0] ? c->audit_object : rt->path), KT_VS(detail)};
    kt_err err;
    if (kt_store_exec(w->st, KT_Q_AUDIT_INSERT, a, 5, &err))
        fprintf(stderr, "karta: serve: audit row not written: %s\n", err.msg);
}

static enum MHD_Result finish(struct MHD_Connection *conn, request *rq, kt_call *c, kt_rc rc, kt_err *err);

static void count_receipt(bool commit, kt_points earned, kt_points redeemed) {
    atomic_fetch_add(commit ? &S.commits : &S.refunds, 1);
    if (earned > 0) atomic_fetch_add(&S.points_earned, (uint_fast64_t)earned);
    if (redeemed > 0) atomic_fetch_add(&S.points_redeemed, (uint_fast64_t)redeemed);
}

static enum MHD_Result dispatch(struct MHD_Connection *conn, request *rq, const char *method, const char *url) {
    char scratch[1024];
    const char *param[KT_HTTP_PARAMS_MAX] = {0};
    bool path_known;
    rq->route = kt_server_route_find(method, url, scratch, sizeof scratch, param, &path_known);
    if (rq->route == kt_routes_count)
        return path_known ? send_error(conn, rq, 405, "this route does not take this method", 0)
                          : send_error(conn, rq, 404, "no such route", 0);
    const kt_route *rt = &kt_routes[rq->route];
    kt_key key;
    kt_err err = {0};
    kt_worker *w;
    if (worker_get(&w, &err)) return reply(conn, rq, 503, error_doc(kt_strerror(err.code), err.msg, err.field), NULL, 1);
    if (rt->roles) {
        const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
        if (!auth || strncmp(auth, "Bearer ", 7) != 0) return send_error(conn, rq, 401, "send Authorization: Bearer KEY", 0);
        kt_rc rc = key_check(w, auth + 7, &key, &err);
        if (rc == KT_ENOTFOUND) return send_error(conn, rq, 401, "unknown or revoked key", 0);
        if (rc) return reply(conn, rq, 500, error_doc(kt_strerror(err.code), err.msg, err.field), NULL, 0);
        rq->key_id = key.id;
        if (!(rt->roles & (unsigned)key.role)) return send_error(conn, rq, 403, "this key's role may not use this route", 0);
        int wait = rate_take(key.id);
        if (wait) return send_error(conn, rq, 429, "too many requests for this key", wait);
    }
    if (rq->too_large) return send_error(conn, rq, 413, "the request body is larger than 1 MiB", 0);
    kt_call c = {.w = w, .conn = conn, .key = rt->roles ? &key : NULL, .body = rq->body, .len = rq->len, .status = 200};
    memcpy(c.param, param, sizeof param);
    if (c.key) snprintf(c.actor, sizeof c.actor, "api:%s#%lld", key.name, (long long)key.id);
    else snprintf(c.actor, sizeof c.actor, "api");
    if (c.key && key.role == KT_ROLE_POS && param[0] && rt->fn && strstr(rt->path, "{store}") && strcmp(param[0], key.store) != 0)
        return send_error(conn, rq, 403, "this key acts for another store", 0);
    bool commit_route = strcmp(rt->path, "/v1/pos/commit") == 0;
    bool receipt_route = commit_route || strcmp(rt->path, "/v1/pos/refund") == 0;
    kt_rc rc;
    if (commit_route && (rc = kt_pos_job_parse(c.body ? c.body : "", c.len, &c.job, &err)))
        return reply(conn, rq, status_of(rc), error_doc(kt_strerror(rc), err.msg, err.field), NULL, 0);
    if (receipt_route) {
        const char *why = NULL;
        int st = receipt_guard(c.key, &c, rq, &why);
        if (st) { kt_pos_job_free(c.job); return send_error(conn, rq, st, why, 0); }
    }
    if (commit_route && S.q_running) {
        if (commit_submit(conn, &rq->job, &c, &rc, &err)) {
            histo_add(&S.price_seconds, rq->job.handed - rq->start);
            rq->waiting = true;
            rq->key = key;
            rq->call = c;
            if (c.key) rq->call.key = &rq->key;
            rq->call.body = NULL; /* the parsed job is all the writer needs */
            memset(rq->call.param, 0, sizeof rq->call.param);
            return MHD_YES;
        }
    } else {
        rc = rt->fn(&c, &err);
    }
    return finish(conn, rq, &c, rc, &err);
}

/* The end of a request that reached its handler: release the receipt, count,
 * audit, answer. */
static enum MHD_Result finish(struct MHD_Connection *conn, request *rq, kt_call *cp, kt_rc rc, kt_err *errp) {
    const kt_route *rt = &kt_routes[rq->route];
    bool commit_route = strcmp(rt->path, "/v1/pos/commit") == 0;
    bool receipt_route = commit_route || strcmp(rt->path, "/v1/pos/refund") == 0;
    kt_call c = *cp;
    kt_err err = *errp;
    kt_pos_job_free(c.job);
    if (rq->inflight[0]) { inflight_remove(rq->inflight); rq->inflight[0] = 0; }
    if (rc) {
        free(c.answer);
        int status = status_of(rc);
        /* the same receipt number with another body: an idempotency conflict */
        if (receipt_route && rc == KT_ECONFLICT && strcmp(err.field, "$.receipt") == 0) status = 422;
        return reply(conn, rq, status, error_doc(kt_strerror(rc), err.msg, err.field), NULL, 0);
    }
    if (receipt_route && !c.repeat) count_receipt(commit_route, c.earned, c.redeemed);
    if (rt->write && c.key && (c.key->role & KT_ROLES_STAFF)) audit_write(c.w, c.key, rt, &c, c.status);
    return reply(conn, rq, c.status, c.answer, c.content_type, 0);
}

/* A commit back from the writer (its connection resumed): the outcome. */
static enum MHD_Result commit_finish(struct MHD_Connection *conn, request *rq) {
    kt_err err = {0};
    rq->waiting = false;
    kt_rc rc = take_result(&rq->call, &rq->job.res, &err);
    return finish(conn, rq, &rq->call, rc, &err);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_size, void **con_cls) {
    KT_UNUSED(cls);
    KT_UNUSED(version);
    request *rq = *con_cls;
    if (!rq) {
        rq = kt_xcalloc(1, sizeof *rq);
        rq->id = atomic_fetch_add(&S.next_id, 1) + 1;
        rq->start = kt_mono_seconds();
        rq->route = kt_routes_count;
        *con_cls = rq;
        atomic_fetch_add(&S.inflight, 1);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > KT_HTTP_BODY_MAX) rq->too_large = true;
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (rq->too_large || rq->len + n > KT_HTTP_BODY_MAX) { rq->too_large = true; return MHD_YES; }
        if (rq->len + n + 1 > rq->cap) {
            rq->cap = rq->len + n + 1 > 2 * rq->cap ? rq->len + n + 1 : 2 * rq->cap;
            rq->body = kt_xrealloc(rq->body, rq->cap);
        }
        memcpy(rq->body + rq->len, upload_data, n);
        rq->len += n;
        rq->body[rq->len] = 0;
        return MHD_YES;
    }
    if (rq->status) return MHD_YES; /* answered already */
    if (rq->waiting) return commit_finish(conn, rq);
    return dispatch(conn, rq, method, url);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe) {
    KT_UNUSED(cls);
    KT_UNUSED(conn);
    request *rq = *con_cls;
    if (!rq) return;
    double seconds = kt_mono_seconds() - rq->start;
    const char *method = rq->route < kt_routes_count ? kt_routes[rq->route].method : "-";
    const char *path = rq->route < kt_routes_count ? kt_routes[rq->route].path : "unmatched";
    metrics_record(rq->route, rq->status, seconds);
    fprintf(stderr, "karta: req=%llu %s %s %d %lldus key=%lld%s\n", (unsigned long long)rq->id, method, path, rq->status,
            (long long)(seconds * 1e6), (long long)rq->key_id, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
    if (rq->inflight[0]) inflight_remove(rq->inflight);
    if (rq->waiting) {
        /* the client left while its commit was written: committed all the same */
        const kt_pos_result *res = &rq->job.res;
        if (!res->rc && !res->repeat) count_receipt(true, res->earned, res->redeemed);
        free(rq->job.res.answer);
        kt_pos_job_free(rq->call.job);
    }
    free(rq->body);
    free(rq);
    *con_cls = NULL;
    atomic_fetch_sub(&S.inflight, 1);
}

/* ---- start, run, drain ---- */

void kt_server_defaults(kt_server_options *o) {
    *o = (kt_server_options){.listen = "127.0.0.1:8080", .threads = 32, .rate_per_key = 100000, .group_commit = true,
                             .log_pages = KT_HTTP_LOG_RESTART_FRAMES};
}

static kt_rc parse_listen(const char *s, struct sockaddr_in *sa, kt_err *err) {
    char host[64];
    const char *colon = strrchr(s, ':');
    memset(sa, 0, sizeof *sa);
    if (!colon || (size_t)(colon - s) >= sizeof host) return kt_fail(err, KT_EUSAGE, "--listen", "want ADDR:PORT, e.g. 127.0.0.1:8080");
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || end == colon + 1 || port < 0 || port > 65535) return kt_fail(err, KT_EUSAGE, "--listen", "bad port in %s", s);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) return kt_fail(err, KT_EUSAGE, "--listen", "bad IPv4 address %s", host);
    return KT_OK;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) {
    KT_UNUSED(cls);
    fprintf(stderr, "karta: serve: ");
    vfprintf(stderr, fmt, ap);
}

kt_rc kt_server_run(const kt_server_options *o, kt_err *err) {
    struct sockaddr_in sa;
    kt_rc rc = parse_listen(o->listen, &sa, err);
    if (rc) return rc;
    memset(&S, 0, sizeof S);
    S.opt = *o;
    /* Every commit allocates and frees blocks of tens of kilobytes (SQLite's
     * scratch b-trees, pricing buffers); with glibc's defaults the heaps are
     * trimmed and grown again around them, a system call and page faults
     * each time. Keep what was freed for reuse instead. */
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    /* the store must open before we listen: a bad data directory is a start-up error */
    kt_worker *probe = NULL;
    if ((rc = worker_open(&probe, err))) return rc;
    worker_free(probe);
    pthread_key_create(&S.worker_key, worker_free);
    pthread_mutex_init(&S.rate_lock, NULL);
    pthread_mutex_init(&S.inflight_lock, NULL);
    pthread_mutex_init(&S.keys_lock, NULL);
    pthread_mutex_init(&S.ledger_lock, NULL);
    pthread_mutex_init(&S.q_lock, NULL);
    pthread_cond_init(&S.q_cond, NULL);
    pthread_mutex_init(&S.s_lock, NULL);
    pthread_cond_init(&S.s_cond, NULL);
    /* SIGTERM and SIGINT are taken by sigwait below, in this thread only */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    pthread_mutex_init(&S.bg_lock, NULL);
    pthread_cond_init(&S.bg_cond, NULL);
    if (o->group_commit) {
        S.q_running = true;
        pthread_create(&S.writer, NULL, writer_main, NULL);
        pthread_setname_np(S.writer, "karta-writer");
    }
    pthread_create(&S.background, NULL, background_main, NULL);
    pthread_setname_np(S.background, "karta-background");
    pthread_create(&S.folder, NULL, fold_main, NULL);
    pthread_setname_np(S.folder, "karta-fold");
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, NULL,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(o->threads > 0 ? o->threads : 1),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_LIMIT, 4096u,
        MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
    if (!d) {
        rc = kt_fail(err, KT_EIO, "--listen", "cannot listen on %s: %s", o->listen, strerror(errno));
    } else {
        const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        char addr[32];
        inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof addr);
        fprintf(stderr, "karta: serving %s on http://%s:%u/v1 (%d threads, group commit %s)\n", o->data_dir, addr,
                di ? di->port : 0, o->threads, o->group_commit ? "on" : "off");
        if (o->ready_file) {
            FILE *f = fopen(o->ready_file, "w");
            if (f) { fprintf(f, "%s:%u\n", addr, di ? di->port : 0); fclose(f); }
        }
        int sig = 0;
        sigwait(&sigs, &sig);
        fprintf(stderr, "karta: serve: %s: draining\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
        MHD_quiesce_daemon(d); /* stop accepting; open connections are still served */
        double until = kt_mono_seconds() + KT_HTTP_DRAIN_SECONDS;
        while (atomic_load(&S.inflight) > 0 && kt_mono_seconds() < until) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    /* the writer stops before the daemon: it writes what it was given, the
     * syncer flushes it and resumes those connections while the daemon can
     * still answer them (a commit arriving after that is written on its
     * request's thread) */
    if (S.q_running) {
        pthread_mutex_lock(&S.q_lock);
        S.q_stop = true;
        pthread_cond_broadcast(&S.q_cond);
        pthread_mutex_unlock(&S.q_lock);
        pthread_join(S.writer, NULL);
    }
    if (d) {
        /* answered by now, unless the drain timed out */
        double until = kt_mono_seconds() + 1;
        while (atomic_load(&S.inflight) > 0 && kt_mono_seconds() < until) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        MHD_stop_daemon(d);
    }
    S.q_running = false;
    pthread_mutex_lock(&S.bg_lock);
    S.bg_stop = true;
    pthread_cond_broadcast(&S.bg_cond);
    pthread_mutex_unlock(&S.bg_lock);
    pthread_join(S.background, NULL);
    pthread_join(S.folder, NULL);
    for (size_t i = 0; i < KT_HTTP_BUCKETS; i++)
        for (bucket *b = S.buckets[i], *next; b; b = next) { next = b->next; free(b); }
    for (size_t i = 0; i < KT_HTTP_INFLIGHT_SLOTS; i++)
        for (inflight_entry *e = S.inflight_set[i], *next; e; e = next) { next = e->next; free(e); }
    pthread_key_delete(S.worker_key);
    pthread_sigmask(SIG_UNBLOCK, &sigs, NULL);
    if (!rc) fprintf(stderr, "karta: serve: stopped\n");
    return rc;
}
