/*
 * server_int.h - what the HTTP plumbing (server.c) and the route handlers
 * (routes.c) share: the route table, the per-call context and the limits.
 */
#ifndef KT_SERVER_INT_H
#define KT_SERVER_INT_H
#include "keys.h"
#include "members/members.h"
#include "pos/pos.h"
#include "store/store.h"

#include <jansson.h>
#include <microhttpd.h>

/* A request body larger than this is refused with 413: a 1000-line basket is
 * about 80 KiB, a rule document a few KiB. */
#define KT_HTTP_BODY_MAX (1024 * 1024)
/* Commits per group-commit transaction: enough to amortise the fsync over
 * every commit in flight (one per connection), small enough that the first
 * waiter is not held long: at ~0.1 ms of writes each, 256 is ~25 ms. */
#define KT_HTTP_BATCH_MAX 256
/* Path segments a route may have (/v1/pos/receipts/{store}/{receipt}). */
#define KT_HTTP_SEGMENTS_MAX 8
#define KT_HTTP_PARAMS_MAX 2

_Static_assert(KT_HTTP_BATCH_MAX >= 1 && KT_HTTP_BATCH_MAX <= 1024, "batch size");

/* A worker thread's own connection and checkout engine. */
typedef struct kt_worker {
    kt_store *st;
    kt_pos *pos;
} kt_worker;

typedef struct kt_call {
    kt_worker *w;
    struct MHD_Connection *conn;
    const kt_key *key;              /* NULL on routes without auth */
    char actor[96];                 /* "api:KEYNAME#ID", recorded with every write */
    const char *param[KT_HTTP_PARAMS_MAX];
    const char *body;
    size_t len;
    /* OUT */
    int status;                     /* 200 unless the handler says otherwise */
    char *answer;                   /* malloc'd JSON (or text for /metrics) */
    const char *content_type;       /* NULL: application/json */
    char audit_object[64];          /* staff writes: what was changed */
    kt_pos_job *job;                /* commits: the basket, parsed before the handler runs */
    bool repeat;                    /* commits and refunds: a retry answered with the first answer */
    kt_points earned, redeemed;     /* commits: what this commit earned and redeemed */
} kt_call;

typedef kt_rc (*kt_handler)(kt_call *c, kt_err *err);

typedef struct kt_route {
    const char *method;
    const char *path;               /* template: "{name}" matches one segment */
    unsigned roles;                 /* kt_role bits allowed; 0: no key needed */
    bool write;                     /* staff writes of this route are audited */
    kt_handler fn;
} kt_route;

extern const kt_route kt_routes[];
extern const size_t kt_routes_count;

/* The route for method + path (kt_routes_count when none); params point into
 * `scratch`; *path_known when another method would match (405). */
size_t kt_server_route_find(const char *method, const char *path, char *scratch, size_t size,
                            const char *param[KT_HTTP_PARAMS_MAX], bool *path_known);
/* A member document as POST /v1/members (create) or PATCH takes it, checked
 * and applied to *m without touching the store; *out keeps the parsed object. */
kt_rc kt_server_member_doc(const char *body, size_t len, bool create, kt_member *m, json_t **out, kt_err *err);

/* server.c: commit c->job - priced on this thread, written by the
 * group-commit writer when it runs (else here); fills c->answer, c->repeat,
 * c->earned, c->redeemed. */
kt_rc kt_server_commit(kt_call *c, kt_err *err);
/* server.c: the metrics page. */
char *kt_server_metrics(kt_worker *w);

#endif
