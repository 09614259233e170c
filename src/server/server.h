/*
 * server.h - `karta serve`: the HTTP JSON API under /v1 (docs/openapi.yaml)
 * on libmicrohttpd, with API keys (keys.h), per-key rate limits, body limits,
 * group commit, Prometheus metrics and an access log.
 *
 * Owns: the listening daemon, one kt_store + kt_pos per worker thread (opened
 * on first use, closed when the thread ends), one for the commit writer (its
 * log flushed by the syncer thread) and one for the background thread (WAL
 * checkpoints).
 * Borrows: the data directory, which must hold an initialised store.
 * kt_server_run returns after SIGTERM or SIGINT, once in-flight requests are
 * answered and the stores closed; errors are start-up errors (bad address,
 * port in use, no store).
 */
#ifndef KT_SERVER_H
#define KT_SERVER_H
#include "core/kt.h"

typedef struct kt_server_options {
    const char *data_dir;
    const char *listen;      /* "ADDR:PORT" (IPv4); port 0 picks a free one */
    int threads;             /* threads answering requests; a commit waiting for its group holds none (suspended) */
    double rate_per_key;     /* requests per second per key (token bucket, burst of one second) */
    bool group_commit;       /* commits are priced on request threads, written by one writer thread (up to 256 per
                              * transaction) and answered by a syncer thread once the log is flushed */
    const char *ready_file;  /* when set, "ADDR:PORT\n" is written there once listening */
    int log_pages;           /* write-ahead log pages at which the writer restarts the log (server.c) */
} kt_server_options;

void kt_server_defaults(kt_server_options *o);
kt_rc kt_server_run(const kt_server_options *o, kt_err *err);

#endif
