/*
 * sqlite.c - the SQLite backend of the operational store (store.h).
 *
 * One database file, DIR/karta.db, in WAL mode with synchronous=FULL (a commit
 * is on disk when kt_store_commit returns), foreign keys on, and a busy
 * timeout so that several processes can share a store. Statements come from
 * the catalogue in queries.def, prepared on first use and kept.
 */
#include "store.h"
#include "schema_sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KT_STORE_BUSY_TIMEOUT_MS 30000 /* a long import holds the writer lock */
#define KT_STORE_READER_CACHE_KIB "2048" /* page cache of a KT_STORE_READER connection */
#define KT_STORE_WRITER_CACHE_KIB "4096" /* page cache of the KT_STORE_SYNC_LATER connection (the server's writer) */

static const char *const query_sql[KT_Q_COUNT_] = {
#define KT_Q(name, sql) [KT_Q_##name] = sql,
#include "queries.def"
#undef KT_Q
};
static const char *const query_name[KT_Q_COUNT_] = {
#define KT_Q(name, sql) [KT_Q_##name] = #name,
#include "queries.def"
#undef KT_Q
};

struct kt_cursor {
    kt_store *st;
    sqlite3_stmt *stmt;
    bool busy;
    /* A plain "INSERT ... RETURNING id" runs without its RETURNING clause
     * (SQLite builds a temporary table per execution for RETURNING, which cost
     * more than the insert on the checkout path) and answers one row: the
     * rowid of the insert. */
    bool rowid_only, rowid_given;
    int64_t rowid;
};

struct kt_store {
    sqlite3 *db;
    bool in_txn;
    bool in_read;      /* kt_store_read_begin */
    int schema_version;
    int64_t changes;
    kt_cursor cursors[KT_Q_COUNT_];
    char **deferred;   /* CREATE INDEX statements of indexes dropped by kt_store_bulk_begin */
    size_t ndeferred;
    char *log_path;    /* KT_STORE_SYNC_LATER: the write-ahead log, and */
    int log_fd;        /* a descriptor of it for kt_store_sync (-1 until the first) */
    int log_frames;    /* KT_STORE_MANUAL_CHECKPOINT: frames in the log after this connection's last commit */
    int db_fd;         /* a descriptor of the database for kt_store_checkpoint's flush (-1 until the first) */
    int ckpt_seen;     /* frames the last kt_store_checkpoint found copied, */
    uint64_t ckpt_salt;/* in the log with this salt, */
    int ckpt_log_fd;   /* read through this descriptor (-1 until the first) */
};

/* Called after each commit of a KT_STORE_MANUAL_CHECKPOINT connection (in
 * place of SQLite's automatic checkpoint) with the frames the log holds. */
static int log_hook(void *arg, sqlite3 *db, const char *name, int frames) {
    KT_UNUSED(db);
    KT_UNUSED(name);
    ((kt_store *)arg)->log_frames = frames;
    return SQLITE_OK;
}

static kt_rc db_fail(kt_store *st, kt_err *err, const char *what) {
    int ext = sqlite3_extended_errcode(st->db);
    kt_rc rc = KT_ESTORE;
    switch (ext) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY: rc = KT_EEXIST; break;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL: rc = KT_EINVAL; break;
    case SQLITE_NOMEM: rc = KT_ENOMEM; break;
    default: break;
    }
    return kt_fail(err, rc, what, "%s", sqlite3_errmsg(st->db));
}

static kt_rc exec_script(kt_store *st, const char *sql, kt_err *err) {
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        kt_rc rc = kt_fail(err, KT_ESTORE, "store", "%s", msg ? msg : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
        return rc;
    }
    return KT_OK;
}

static kt_rc pragma_int(kt_store *st, const char *sql, int *out, kt_err *err) {
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) return db_fail(st, err, "store");
    int r = sqlite3_step(s);
    if (r == SQLITE_ROW) *out = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (r != SQLITE_ROW) return db_fail(st, err, "store");
    return KT_OK;
}

/* After a migration edited a definition in sqlite_schema: the schema version
 * moves on, so that every connection reads the definitions again. */
static kt_rc schema_edited(kt_store *st, kt_err *err) {
    int version = 0;
    char sql[64];
    kt_rc rc = pragma_int(st, "PRAGMA schema_version", &version, err);
    if (rc) return rc;
    snprintf(sql, sizeof sql, "PRAGMA schema_version = %d", version + 1);
    return exec_script(st, sql, err);
}

static kt_rc migrate(kt_store *st, kt_err *err) {
    int version = 0;
    kt_rc rc = pragma_int(st, "PRAGMA user_version", &version, err);
    if (rc) return rc;
    int latest = (int)KT_ARRAY_LEN(kt_sqlite_migrations);
    if (version > latest)
        return kt_fail(err, KT_ESTORE, "store",
                       "the store is at schema version %d, newer than this program knows (%d): upgrade karta",
                       version, latest);
    for (int v = version; v < latest; v++) {
        char setv[64];
        snprintf(setv, sizeof setv, "PRAGMA user_version = %d", v + 1);
        if ((rc = exec_script(st, "BEGIN IMMEDIATE", err))) return rc;
        if (!(rc = exec_script(st, kt_sqlite_migrations[v], err)) && strstr(kt_sqlite_migrations[v], "writable_schema"))
            rc = schema_edited(st, err);
        if (rc || (rc = exec_script(st, setv, err))) {
            exec_script(st, "ROLLBACK", NULL);
            return rc;
        }
        if ((rc = exec_script(st, "COMMIT", err))) return rc;
    }
    st->schema_version = latest;
    return KT_OK;
}

/* SQLite counts every allocation under one process-wide mutex unless told
 * not to; nothing here reads those counts, and with several connections in
 * threads (karta serve) that mutex is contended. Set before the library
 * initialises (the first open); a no-op if it already has. */
static void sqlite_config_once(void) { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

kt_rc kt_store_open(const char *dir, int flags, kt_store **out, kt_err *err) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sqlite_config_once);
    char path[4096];
    struct stat sb;
    *out = NULL;
    if (stat(dir, &sb) != 0) {
        if (!(flags & KT_STORE_CREATE))
            return kt_fail(err, KT_ENOTFOUND, "--data", "no data directory at %s (run: karta init --data %s)", dir, dir);
        if (mkdir(dir, 0750) != 0)
            return kt_fail(err, KT_EIO, "--data", "cannot create %s: %s", dir, strerror(errno));
    } else if (!S_ISDIR(sb.st_mode)) {
        return kt_fail(err, KT_EIO, "--data", "%s is not a directory", dir);
    }
    if ((size_t)snprintf(path, sizeof path, "%s/karta.db", dir) >= sizeof path)
        return kt_fail(err, KT_EINVAL, "--data", "path too long");
    if (!(flags & KT_STORE_CREATE) && stat(path, &sb) != 0)
        return kt_fail(err, KT_ENOTFOUND, "--data", "%s holds no Karta store (run: karta init --data %s)", dir, dir);

    kt_store *st = kt_xcalloc(1, sizeof *st);
    st->log_fd = -1;
    st->db_fd = -1;
    st->ckpt_log_fd = -1;
    for (int i = 0; i < KT_Q_COUNT_; i++) st->cursors[i].st = st;
    int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | ((flags & KT_STORE_CREATE) ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
        kt_rc rc = kt_fail(err, KT_ESTORE, "--data", "cannot open %s: %s", path,
                           st->db ? sqlite3_errmsg(st->db) : "out of memory");
        kt_store_close(st);
        return rc;
    }
    sqlite3_busy_timeout(st->db, KT_STORE_BUSY_TIMEOUT_MS);
    kt_rc rc = exec_script(st,
                           "PRAGMA journal_mode = WAL;"
                           "PRAGMA synchronous = FULL;"
                           "PRAGMA foreign_keys = ON;"
                           "PRAGMA cache_size = -65536;"
                           "PRAGMA temp_store = MEMORY;",
                           err);
    if (!rc) rc = migrate(st, err);
    if (!rc && (flags & KT_STORE_MANUAL_CHECKPOINT)) {
        rc = exec_script(st, "PRAGMA wal_autocheckpoint = 0", err);
        sqlite3_wal_hook(st->db, log_hook, st); /* after the pragma, which removes any hook */
    }
    if (!rc && (flags & KT_STORE_SYNC_LATER)) {
        /* NORMAL in WAL mode: commits are written, the log is flushed by kt_store_sync (and
         * by every checkpoint before it copies the log into the database) */
        rc = exec_script(st, "PRAGMA synchronous = NORMAL", err);
        /* A small page cache: SQLite drops this connection's whole cache now and
         * then between groups (at least once per log restart), a cost in proportion
         * to its size, and what the cache holds past that is the interior pages of
         * the indexes, a few MiB. Measured under bench/http.sh: 64 MiB -> 4 MiB took
         * the writer from ~400 to ~340 us of CPU per commit. */
        if (!rc) rc = exec_script(st, "PRAGMA cache_size = -" KT_STORE_WRITER_CACHE_KIB, err);
        st->log_path = kt_xmalloc(strlen(path) + 5);
        sprintf(st->log_path, "%s-wal", path);
    }
    if (!rc && (flags & KT_STORE_FK_BY_CHECK)) rc = exec_script(st, "PRAGMA foreign_keys = OFF", err);
    if (!rc && (flags & KT_STORE_READER)) rc = exec_script(st, "PRAGMA cache_size = -" KT_STORE_READER_CACHE_KIB, err);
    if (rc) {
        kt_store_close(st);
        return rc;
    }
    *out = st;
    return KT_OK;
}

static void deferred_forget(kt_store *st) {
    for (size_t i = 0; i < st->ndeferred; i++) sqlite3_free(st->deferred[i]);
    free(st->deferred);
    st->deferred = NULL;
    st->ndeferred = 0;
}

void kt_store_close(kt_store *st) {
    if (!st) return;
    for (int i = 0; i < KT_Q_COUNT_; i++) sqlite3_finalize(st->cursors[i].stmt);
    if (st->in_txn) exec_script(st, "ROLLBACK", NULL);
    deferred_forget(st);
    sqlite3_close(st->db);
    if (st->log_fd >= 0) close(st->log_fd);
    if (st->db_fd >= 0) close(st->db_fd);
    if (st->ckpt_log_fd >= 0) close(st->ckpt_log_fd);
    free(st->log_path);
    free(st);
}

/* The log file stays while any connection to the store is open (SQLite
 * removes it when the last one closes, after checkpointing it whole), so a
 * descriptor of it stays good as long as this connection. When it is first
 * opened its directory is flushed too, so that a log created by this
 * process is found after a power loss. fsync flushes the file, whichever
 * descriptor wrote. */
kt_rc kt_store_sync(kt_store *st, kt_err *err) {
    if (!st->log_path) return KT_OK; /* commits are synced by COMMIT itself */
    if (st->log_fd < 0) {
        int fd = open(st->log_path, O_RDWR | O_CLOEXEC);
        if (fd < 0) return kt_fail(err, KT_EIO, "store", "cannot open %s: %s", st->log_path, strerror(errno));
        char *dir = kt_xstrdup(st->log_path);
        char *slash = strrchr(dir, '/');
        if (slash) *slash = 0;
        int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        bool dir_ok = dfd >= 0 && fsync(dfd) == 0;
        if (dfd >= 0) close(dfd);
        free(dir);
        if (!dir_ok) {
            close(fd);
            return kt_fail(err, KT_EIO, "store", "cannot flush the directory of %s: %s", st->log_path, strerror(errno));
        }
        st->log_fd = fd;
    }
    if (fdatasync(st->log_fd) != 0) return kt_fail(err, KT_EIO, "store", "cannot flush %s: %s", st->log_path, strerror(errno));
    return KT_OK;
}

int kt_store_schema_version(kt_store *st) { return st->schema_version; }

/* A passive checkpoint (SQLite: copy what readers allow, wait for no one).
 * *ran is false when another connection's checkpoint was running: not an
 * error, the caller tries again next time. */
static kt_rc checkpoint_passive(kt_store *st, bool *ran, int *frames, int *copied, kt_err *err) {
    int r = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, frames, copied);
    *ran = r == SQLITE_OK;
    if (r == SQLITE_OK || r == SQLITE_BUSY || r == SQLITE_LOCKED) return KT_OK;
    return db_fail(st, err, "checkpoint");
}

/* The salt in the log's header, which SQLite changes each time the log is
 * written from its start again (0 when there is no log to read). Read
 * through a descriptor of its own, kept open: the log file stays while any
 * connection is open, as in the server, whose background thread alone calls
 * kt_store_checkpoint. */
static uint64_t log_salt(kt_store *st) {
    unsigned char b[8];
    if (st->ckpt_log_fd < 0) {
        const char *path = sqlite3_db_filename(st->db, "main");
        char lp[4096];
        if (!path || !*path || (size_t)snprintf(lp, sizeof lp, "%s-wal", path) >= sizeof lp) return 0;
        st->ckpt_log_fd = open(lp, O_RDONLY | O_CLOEXEC);
        if (st->ckpt_log_fd < 0) return 0;
    }
    if (pread(st->ckpt_log_fd, b, sizeof b, 16) != (ssize_t)sizeof b) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < sizeof b; i++) v = v << 8 | b[i];
    return v;
}

/* A passive checkpoint flushes the database file only when it copies the
 * whole log; the ones that stop short (always, under steady commits) leave
 * what they copied to the kernel. So the one that completes the log, which
 * the writer waits for before the log restarts, had to flush a second or
 * more of copies at once: ~100 ms stalls under bench/http.sh. Flushing the
 * database after every checkpoint that copied something spreads that over
 * the background thread's rounds. */
kt_rc kt_store_checkpoint(kt_store *st, bool *moved_out, kt_err *err) {
    int frames = 0, copied = 0;
    bool ran;
    *moved_out = false;
    /* something new was copied when the count of copied frames moved, or the
     * log has been restarted since (the same count then means other frames) */
    uint64_t salt = log_salt(st);
    kt_rc rc = checkpoint_passive(st, &ran, &frames, &copied, err);
    if (rc || !ran) return rc;
    bool moved = copied > 0 && (copied != st->ckpt_seen || salt != st->ckpt_salt);
    st->ckpt_seen = copied;
    st->ckpt_salt = salt;
    if (!moved) return KT_OK;
    const char *path = sqlite3_db_filename(st->db, "main");
    if (st->db_fd < 0 && path && *path) st->db_fd = open(path, O_RDONLY | O_CLOEXEC);
    if (st->db_fd < 0) return kt_fail(err, KT_EIO, "store", "cannot open %s: %s", path ? path : "the database", strerror(errno));
    if (fdatasync(st->db_fd) != 0) return kt_fail(err, KT_EIO, "store", "cannot flush %s: %s", path, strerror(errno));
    *moved_out = true;
    return KT_OK;
}

int kt_store_log_frames(const kt_store *st) { return st->log_frames; }

/* SQLite writes the log from its start again ("restarts" it) only when a
 * writer begins while every frame of it is in the database and no reader is
 * using it. Under a steady stream of commits that never happens by itself:
 * a checkpoint by another connection always finds newer frames behind it, so
 * the log grows without end, and every commit appends to new blocks of a
 * growing file (allocation, zeroing of partial pages, a metadata update in
 * each flush). Checkpointing from the writer's own connection between two of
 * its transactions leaves nothing behind, so its next transaction restarts
 * the log and overwrites blocks already in place. */
kt_rc kt_store_log_restart(kt_store *st, int min_frames, bool *done, kt_err *err) {
    *done = false;
    if (st->in_txn || st->log_frames < min_frames) return KT_OK;
    int frames = 0, copied = 0;
    bool ran;
    kt_rc rc = checkpoint_passive(st, &ran, &frames, &copied, err);
    if (!rc && ran && frames == copied) { st->log_frames = 0; *done = true; }
    return rc;
}

kt_rc kt_store_data_version(kt_store *st, int64_t *out, kt_err *err) {
    int v = 0;
    kt_rc rc = pragma_int(st, "PRAGMA data_version", &v, err);
    if (!rc) *out = v;
    return rc;
}
const char *kt_store_backend(kt_store *st) { KT_UNUSED(st); return "sqlite"; }

/* BEGIN, COMMIT or ROLLBACK by a statement prepared once (err may be NULL). */
static kt_rc txn_exec(kt_store *st, kt_query q, kt_err *err) {
    sqlite3_stmt **s = &st->cursors[q].stmt;
    kt_err ignored;
    if (!err) err = &ignored;
    if (!*s && sqlite3_prepare_v3(st->db, query_sql[q], -1, SQLITE_PREPARE_PERSISTENT, s, NULL) != SQLITE_OK)
        return db_fail(st, err, "store");
    kt_rc rc = sqlite3_step(*s) == SQLITE_DONE ? KT_OK : db_fail(st, err, "store");
    sqlite3_reset(*s);
    return rc;
}

kt_rc kt_store_begin(kt_store *st, kt_err *err) {
    if (st->in_txn || st->in_read) return kt_fail(err, KT_EINTERNAL, "store", "transaction already open");
    kt_rc rc = txn_exec(st, KT_Q_TXN_BEGIN_WRITE, err);
    if (!rc) st->in_txn = true;
    return rc;
}

kt_rc kt_store_read_begin(kt_store *st, kt_err *err) {
    if (st->in_txn || st->in_read) return kt_fail(err, KT_EINTERNAL, "store", "transaction already open");
    kt_rc rc = txn_exec(st, KT_Q_TXN_BEGIN_READ, err);
    if (!rc) st->in_read = true;
    return rc;
}

void kt_store_read_end(kt_store *st) {
    if (!st->in_read) return;
    for (int i = 0; i < KT_Q_COUNT_; i++)
        if (st->cursors[i].busy) kt_store_end(&st->cursors[i]);
    if (txn_exec(st, KT_Q_TXN_COMMIT, NULL)) txn_exec(st, KT_Q_TXN_ROLLBACK, NULL);
    st->in_read = false;
}

kt_rc kt_store_commit(kt_store *st, kt_err *err) {
    KT_ASSERT(st->in_txn);
    kt_rc rc = kt_store_bulk_end(st, err);
    if (rc) {
        kt_store_rollback(st);
        return rc;
    }
    rc = txn_exec(st, KT_Q_TXN_COMMIT, err);
    if (rc) {
        kt_store_rollback(st);
        return rc;
    }
    st->in_txn = false;
    return KT_OK;
}

void kt_store_rollback(kt_store *st) {
    if (!st->in_txn) return;
    for (int i = 0; i < KT_Q_COUNT_; i++)
        if (st->cursors[i].busy) kt_store_end(&st->cursors[i]);
    txn_exec(st, KT_Q_TXN_ROLLBACK, NULL);
    deferred_forget(st); /* the rollback brought them back */
    st->in_txn = false;
}

/* The table and index names below come from the schema (sqlite_schema and
 * the caller's constant list), never from input, and are quoted with %w. */
kt_rc kt_store_bulk_begin(kt_store *st, const char *const *tables, int *out_deferred, kt_err *err) {
    static const char list_sql[] =
        "SELECT s.name, s.sql FROM pragma_index_list(?1) il JOIN sqlite_schema s ON s.name = il.name"
        " WHERE s.type = 'index' AND il.origin = 'c' AND il.\"unique\" = 0 AND s.sql IS NOT NULL";
    kt_rc rc = KT_OK;
    int deferred = 0;
    if (!st->in_txn) return kt_fail(err, KT_EINTERNAL, "store", "kt_store_bulk_begin outside a transaction");
    for (size_t t = 0; tables[t] && !rc; t++) {
        sqlite3_stmt *s = NULL;
        char *probe = sqlite3_mprintf("SELECT 1 FROM \"%w\" LIMIT 1", tables[t]);
        if (!probe) return kt_fail(err, KT_ENOMEM, "store", "out of memory");
        int r = sqlite3_prepare_v2(st->db, probe, -1, &s, NULL);
        sqlite3_free(probe);
        if (r != SQLITE_OK) return db_fail(st, err, tables[t]);
        r = sqlite3_step(s);
        sqlite3_finalize(s);
        if (r == SQLITE_ROW) continue; /* not empty: keep its indexes */
        if (r != SQLITE_DONE) return db_fail(st, err, tables[t]);
        if (sqlite3_prepare_v2(st->db, list_sql, -1, &s, NULL) != SQLITE_OK) return db_fail(st, err, "store");
        sqlite3_bind_text(s, 1, tables[t], -1, SQLITE_STATIC);
        /* collect first: the schema must not change under the open cursor */
        char *names[64];
        size_t n = 0;
        while ((r = sqlite3_step(s)) == SQLITE_ROW && n < KT_ARRAY_LEN(names)) {
            st->deferred = kt_xrealloc(st->deferred, (st->ndeferred + 1) * sizeof *st->deferred);
            st->deferred[st->ndeferred++] = sqlite3_mprintf("%s", (const char *)sqlite3_column_text(s, 1));
            names[n++] = sqlite3_mprintf("DROP INDEX \"%w\"", (const char *)sqlite3_column_text(s, 0));
        }
        sqlite3_finalize(s);
        for (size_t i = 0; i < n; i++) {
            if (!rc) rc = names[i] ? exec_script(st, names[i], err) : kt_fail(err, KT_ENOMEM, "store", "out of memory");
            if (!rc) deferred++;
            sqlite3_free(names[i]);
        }
        for (size_t i = 0; i < st->ndeferred && !rc; i++)
            if (!st->deferred[i]) rc = kt_fail(err, KT_ENOMEM, "store", "out of memory");
    }
    if (out_deferred) *out_deferred = deferred;
    return rc;
}

kt_rc kt_store_bulk_end(kt_store *st, kt_err *err) {
    kt_rc rc = KT_OK;
    for (size_t i = 0; i < st->ndeferred && !rc; i++) rc = exec_script(st, st->deferred[i], err);
    if (!rc) deferred_forget(st);
    return rc;
}

bool kt_store_in_txn(kt_store *st) { return st->in_txn; }

/* Savepoints run once per receipt in a group commit: prepared statements of
 * the catalogue, not parsed each time. */
kt_rc kt_store_savepoint(kt_store *st, kt_err *err) {
    KT_ASSERT(st->in_txn);
    return kt_store_exec(st, KT_Q_SAVEPOINT, NULL, 0, err);
}

kt_rc kt_store_savepoint_release(kt_store *st, kt_err *err) { return kt_store_exec(st, KT_Q_SAVEPOINT_RELEASE, NULL, 0, err); }

kt_rc kt_store_savepoint_rollback(kt_store *st, kt_err *err) {
    for (int i = 0; i < KT_Q_COUNT_; i++)
        if (st->cursors[i].busy) kt_store_end(&st->cursors[i]);
    kt_rc rc = kt_store_exec(st, KT_Q_SAVEPOINT_ROLLBACK, NULL, 0, err);
    return rc ? rc : kt_store_exec(st, KT_Q_SAVEPOINT_RELEASE, NULL, 0, err);
}

/* The length of sql without a final " RETURNING id" when sql is a plain
 * INSERT of one row into a rowid table (no upsert: an update sets no rowid). */
static size_t rowid_insert_len(const char *sql) {
    static const char tail[] = " RETURNING id";
    size_t n = strlen(sql), t = sizeof tail - 1;
    if (strncmp(sql, "INSERT INTO ", 12) != 0 || n <= t || strcmp(sql + n - t, tail) != 0) return 0;
    if (strstr(sql, "ON CONFLICT") || strstr(sql, "SELECT")) return 0;
    return n - t;
}

static kt_rc prepare(kt_store *st, kt_query q, const kt_val *args, size_t nargs, kt_cursor **out, kt_err *err) {
    KT_ASSERT(q >= 0 && q < KT_Q_COUNT_);
    kt_cursor *c = &st->cursors[q];
    if (c->busy) return kt_fail(err, KT_EINTERNAL, query_name[q], "statement already in use");
    if (!c->stmt) {
        size_t plain = rowid_insert_len(query_sql[q]);
        int n = plain ? (int)plain : -1;
        if (sqlite3_prepare_v3(st->db, query_sql[q], n, SQLITE_PREPARE_PERSISTENT, &c->stmt, NULL) != SQLITE_OK)
            return db_fail(st, err, query_name[q]);
        c->rowid_only = plain > 0;
    }
    KT_ASSERT((int)nargs == sqlite3_bind_parameter_count(c->stmt));
    for (size_t i = 0; i < nargs; i++) {
        int r;
        switch (args[i].type) {
        case KT_V_INT: r = sqlite3_bind_int64(c->stmt, (int)i + 1, args[i].i); break;
        case KT_V_TEXT: r = sqlite3_bind_text(c->stmt, (int)i + 1, args[i].s, -1, SQLITE_STATIC); break;
        default: r = sqlite3_bind_null(c->stmt, (int)i + 1); break;
        }
        if (r != SQLITE_OK) {
            sqlite3_reset(c->stmt);
            return db_fail(st, err, query_name[q]);
        }
    }
    c->busy = true;
    *out = c;
    return KT_OK;
}

kt_rc kt_store_exec(kt_store *st, kt_query q, const kt_val *args, size_t nargs, kt_err *err) {
    kt_cursor *c;
    kt_rc rc = prepare(st, q, args, nargs, &c, err);
    if (rc) return rc;
    int r;
    while ((r = sqlite3_step(c->stmt)) == SQLITE_ROW) {}
    if (r != SQLITE_DONE) rc = db_fail(st, err, query_name[q]);
    st->changes = sqlite3_changes64(st->db);
    kt_store_end(c);
    return rc;
}

int64_t kt_store_changes(kt_store *st) { return st->changes; }

kt_rc kt_store_query(kt_store *st, kt_query q, const kt_val *args, size_t nargs, kt_cursor **out, kt_err *err) {
    return prepare(st, q, args, nargs, out, err);
}

kt_rc kt_store_step(kt_cursor *c, bool *has_row, kt_err *err) {
    KT_ASSERT(c->busy);
    if (c->rowid_only) {
        *has_row = false;
        if (c->rowid_given) return KT_OK;
        int r;
        while ((r = sqlite3_step(c->stmt)) == SQLITE_ROW) {}
        if (r != SQLITE_DONE) return db_fail(c->st, err, query_name[c - c->st->cursors]);
        c->st->changes = sqlite3_changes64(c->st->db);
        c->rowid = sqlite3_last_insert_rowid(c->st->db);
        c->rowid_given = *has_row = true;
        return KT_OK;
    }
    int r = sqlite3_step(c->stmt);
    if (r == SQLITE_ROW) { *has_row = true; return KT_OK; }
    *has_row = false;
    if (r == SQLITE_DONE) return KT_OK;
    return db_fail(c->st, err, query_name[c - c->st->cursors]);
}

int64_t kt_col_int(kt_cursor *c, int col) {
    if (c->rowid_only) { KT_ASSERT(col == 0 && c->rowid_given); return c->rowid; }
    return sqlite3_column_int64(c->stmt, col);
}
const char *kt_col_text(kt_cursor *c, int col) { KT_ASSERT(!c->rowid_only); return (const char *)sqlite3_column_text(c->stmt, col); }
bool kt_col_null(kt_cursor *c, int col) { return c->rowid_only ? false : sqlite3_column_type(c->stmt, col) == SQLITE_NULL; }

void kt_store_end(kt_cursor *c) {
    if (!c) return;
    sqlite3_reset(c->stmt);
    sqlite3_clear_bindings(c->stmt);
    c->busy = false;
    c->rowid_given = false;
}

kt_rc kt_store_int(kt_store *st, kt_query q, const kt_val *args, size_t nargs,
                   int64_t *out, bool *found, kt_err *err) {
    kt_cursor *c;
    bool has = false;
    kt_rc rc = kt_store_query(st, q, args, nargs, &c, err);
    if (rc) return rc;
    rc = kt_store_step(c, &has, err);
    if (!rc && has) *out = kt_col_int(c, 0);
    if (found) *found = has;
    else if (!rc && !has) rc = kt_fail(err, KT_ENOTFOUND, query_name[q], "no row");
    kt_store_end(c);
    return rc;
}

kt_rc kt_store_verify(kt_store *st, void (*report)(void *ctx, const char *what), void *ctx,
                      int64_t *out_faults, kt_err *err) {
    static const char *const checks[] = {"PRAGMA quick_check", "PRAGMA foreign_key_check"};
    int64_t faults = 0;
    char line[512];
    for (size_t i = 0; i < KT_ARRAY_LEN(checks); i++) {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(st->db, checks[i], -1, &s, NULL) != SQLITE_OK) return db_fail(st, err, "store");
        int r;
        while ((r = sqlite3_step(s)) == SQLITE_ROW) {
            if (i == 0) {
                const char *t = (const char *)sqlite3_column_text(s, 0);
                if (t && strcmp(t, "ok") == 0) continue;
                snprintf(line, sizeof line, "database: %s", t ? t : "?");
            } else {
                snprintf(line, sizeof line, "database: row %lld of %s refers to a missing %s row",
                         (long long)sqlite3_column_int64(s, 1), (const char *)sqlite3_column_text(s, 0),
                         (const char *)sqlite3_column_text(s, 2));
            }
            report(ctx, line);
            faults++;
        }
        sqlite3_finalize(s);
        if (r != SQLITE_DONE) return db_fail(st, err, "store");
    }
    *out_faults = faults;
    return KT_OK;
}
