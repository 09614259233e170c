/*
 * store.h - the operational store: members, cards, consents, stores, products,
 * the points ledger and the audit trail, behind one C interface.
 *
 * Callers name a statement from the catalogue (queries.def) and bind typed
 * values; they never build SQL text. The catalogue is written once in the
 * portable SQL that SQLite 3.35+ and PostgreSQL both accept (RETURNING,
 * ON CONFLICT, partial indexes, "?N" parameters that a PostgreSQL backend
 * rewrites to "$N"), so a second backend implements these few functions and
 * its own migrations, and no caller changes.
 *
 * Owns: the connection and its prepared statements. A kt_store is used by one
 * thread at a time; open one per thread. Durability: a transaction committed
 * by kt_store_commit is on disk (SQLite: WAL with synchronous=FULL) before the
 * call returns. Errors: KT_ESTORE with the database's message; a unique-key
 * violation is KT_EEXIST and a foreign-key or check violation KT_EINVAL, so
 * callers can tell input faults from store faults.
 */
#ifndef KT_STORE_H
#define KT_STORE_H
#include "core/kt.h"

typedef struct kt_store kt_store;

typedef enum kt_query {
#define KT_Q(name, sql) KT_Q_##name,
#include "queries.def"
#undef KT_Q
    KT_Q_COUNT_
} kt_query;

typedef enum { KT_V_NULL, KT_V_INT, KT_V_TEXT } kt_val_type;
typedef struct kt_val { kt_val_type type; int64_t i; const char *s; } kt_val;

static inline kt_val kt_vi(int64_t x) { return (kt_val){KT_V_INT, x, NULL}; }
static inline kt_val kt_vs(const char *s) { return (kt_val){s ? KT_V_TEXT : KT_V_NULL, 0, s}; }
#define KT_VI(x) kt_vi((int64_t)(x))
#define KT_VS(x) kt_vs(x)
#define KT_VNULL ((kt_val){KT_V_NULL, 0, NULL})
/* An optional int: NULL when absent. */
#define KT_VIOPT(present, x) ((present) ? KT_VI(x) : KT_VNULL)

#define KT_STORE_CREATE 1  /* create the data directory and database if missing */
/* The connection never checkpoints the write-ahead log on its own: a writer
 * that must not stall (the server's group commit) leaves it to another
 * connection calling kt_store_checkpoint. */
#define KT_STORE_MANUAL_CHECKPOINT 2
/* A connection that mostly reads while another one writes (the server's
 * request threads): SQLite empties a connection's page cache whenever another
 * connection has committed, so a large one is only a cost (emptying it walks
 * it); such a connection keeps a small cache and reads through the OS's. */
#define KT_STORE_READER 4
/* The connection's commits are written to the log but not flushed to disk
 * when kt_store_commit returns: kt_store_sync flushes every commit so far.
 * For a group-commit writer that writes its next group while the previous
 * one is flushed, and acknowledges a group only once kt_store_sync returns.
 * Other connections see such a commit before it is on disk; a crash can
 * lose only the commits not yet synced, always a suffix of them. */
#define KT_STORE_SYNC_LATER 8
/* The connection does not look up the parent of each row it inserts: for a
 * writer whose every reference is an id it has just read or written in the
 * same transaction (the server's checkout writer, where those lookups were
 * an eighth of its time). The schema's foreign keys still hold for every
 * other connection, and kt_store_verify (karta check) checks them all. */
#define KT_STORE_FK_BY_CHECK 16

kt_rc kt_store_open(const char *dir, int flags, kt_store **out, kt_err *err);
void kt_store_close(kt_store *st);
/* The schema version the store is at after opening (migrations applied). */
int kt_store_schema_version(kt_store *st);
const char *kt_store_backend(kt_store *st);
/* A number that changes whenever another connection (this process's or
 * another's) commits to the store; this connection's own commits leave it as
 * it was. A writer compares it between transactions to learn that what it
 * has cached about the data may be stale (SQLite: PRAGMA data_version). */
kt_rc kt_store_data_version(kt_store *st, int64_t *out, kt_err *err);

/* Write transactions: BEGIN IMMEDIATE (the writer lock is taken at once, so a
 * transaction never fails half-way for lack of it). Nested begin is an error. */
kt_rc kt_store_begin(kt_store *st, kt_err *err);
kt_rc kt_store_commit(kt_store *st, kt_err *err);
void kt_store_rollback(kt_store *st);
/* A read transaction: every statement until kt_store_read_end reads one
 * snapshot of the store (taken by the first of them), and the connection
 * takes the log's read lock and checks its page cache once, not per
 * statement. Writes are not allowed in it (kt_store_begin refuses). */
kt_rc kt_store_read_begin(kt_store *st, kt_err *err);
void kt_store_read_end(kt_store *st);
bool kt_store_in_txn(kt_store *st);
/* One savepoint level inside a transaction, for group commit: a basket that
 * fails is rolled back alone. */
kt_rc kt_store_savepoint(kt_store *st, kt_err *err);
kt_rc kt_store_savepoint_release(kt_store *st, kt_err *err);
kt_rc kt_store_savepoint_rollback(kt_store *st, kt_err *err);

/* Put every commit of this connection so far on disk (KT_STORE_SYNC_LATER).
 * Unlike the other calls it may run in another thread than the one using the
 * connection, at the same time: it flushes the log file through a descriptor
 * of its own. */
kt_rc kt_store_sync(kt_store *st, kt_err *err);

/* Copy what the write-ahead log holds into the database as far as readers
 * allow, without waiting for anyone (SQLite: a passive checkpoint), then,
 * when it copied anything, flush the database file (*copied: it did). A
 * checkpoint running on another connection (the writer restarting the log)
 * is no error: nothing is copied this time. */
kt_rc kt_store_checkpoint(kt_store *st, bool *copied, kt_err *err);

/* For a KT_STORE_MANUAL_CHECKPOINT writer, between its transactions: when
 * its last commit left at least min_frames pages in the log, checkpoint it
 * from this connection, so that its next transaction writes the log from the
 * start again instead of growing it (*done: everything was copied). Without
 * waiting for anyone; a checkpoint running elsewhere just defers it. */
kt_rc kt_store_log_restart(kt_store *st, int min_frames, bool *done, kt_err *err);
/* Pages in the log after this KT_STORE_MANUAL_CHECKPOINT connection's last commit. */
int kt_store_log_frames(const kt_store *st);

/* Bulk loading (karta import). Inside the caller's write transaction, drops
 * the non-unique secondary indexes of each listed table (NULL-terminated)
 * that holds no rows yet, so that a load of millions of rows does not update
 * them row by row; kt_store_bulk_end rebuilds them, one sorted pass each, and
 * kt_store_commit does it too if the caller did not; a rollback brings them
 * back as they were. Unique indexes and every constraint stay in force.
 * Searches through a deferred index scan the table until then: list only
 * tables the load does not search by a non-unique key. OUT: indexes deferred. */
kt_rc kt_store_bulk_begin(kt_store *st, const char *const *tables, int *out_deferred, kt_err *err);
kt_rc kt_store_bulk_end(kt_store *st, kt_err *err);

/* Run a statement that returns no rows. */
kt_rc kt_store_exec(kt_store *st, kt_query q, const kt_val *args, size_t nargs, kt_err *err);
/* Rows changed by the last exec. */
int64_t kt_store_changes(kt_store *st);

/* Rows: kt_store_query binds and positions before the first row; each
 * kt_store_step moves to the next row and sets *has_row. Column readers are
 * valid until the next step. kt_store_end releases the cursor (always call it;
 * a statement cannot be opened twice at once). */
typedef struct kt_cursor kt_cursor;
kt_rc kt_store_query(kt_store *st, kt_query q, const kt_val *args, size_t nargs, kt_cursor **out, kt_err *err);
kt_rc kt_store_step(kt_cursor *c, bool *has_row, kt_err *err);
int64_t kt_col_int(kt_cursor *c, int col);
const char *kt_col_text(kt_cursor *c, int col); /* NULL for SQL NULL */
bool kt_col_null(kt_cursor *c, int col);
void kt_store_end(kt_cursor *c);

/* One row, first column as integer: *found false when there is no row. */
kt_rc kt_store_int(kt_store *st, kt_query q, const kt_val *args, size_t nargs,
                   int64_t *out, bool *found, kt_err *err);

/* Backend self-check for `karta check` (SQLite: quick_check and
 * foreign_key_check). Calls report() per fault and counts them. */
kt_rc kt_store_verify(kt_store *st, void (*report)(void *ctx, const char *what), void *ctx,
                      int64_t *out_faults, kt_err *err);

#endif
