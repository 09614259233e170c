/*
 * actx.c - the analysis context (actx.h): columns + the checkout delta as one
 * list of segments, dimension tables read in bulk from the operational store,
 * filters, and the batch-parallel scan every analysis uses.
 */
#include "analytics/actx.h"
#include "core/date.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The operational store's files as stat sees them (see names_cache_*). */
#define KT_STAMP_N 14

/* Strings that live until close, copied into large blocks (no malloc each). */
#define ARENA_BLOCK ((size_t)2 << 20)
typedef struct arena_block { struct arena_block *next; size_t used, cap; char data[]; } arena_block;
typedef struct arena { arena_block *head; } arena;

static char *arena_dup(arena *ar, const char *s, size_t len) {
    arena_block *b = ar->head;
    if (!b || b->cap - b->used < len + 1) {
        /* a block fills one huge page (kt_actx_zalloc: a fault per 2 MB, not per 4 kB) */
        size_t cap = len + 1 > ARENA_BLOCK - sizeof *b ? len + 1 : ARENA_BLOCK - sizeof *b;
        b = kt_actx_zalloc(sizeof *b + cap, 1);
        b->next = ar->head;
        b->used = 0;
        b->cap = cap;
        ar->head = b;
    }
    char *p = b->data + b->used;
    memcpy(p, s, len);
    p[len] = 0;
    b->used += len + 1;
    return p;
}

static void arena_free(arena *ar) {
    for (arena_block *b = ar->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    ar->head = NULL;
}

typedef struct names {
    char **v;                  /* by compact index, into the arena or a dictionary; NULL: not known yet or none */
    size_t n;
    bool loaded;               /* every name of the operational store read at once */
    size_t lookups;            /* members named one at a time before a bulk load */
    bool touched;              /* named one at a time before the bulk load (not cached then) */
    bool cache_tried;          /* names_cache_read was tried */
    /* from the cache file (mapped): ids below cn; coff[id] into cbase, UINT32_MAX: none */
    const uint32_t *coff;
    const char *cbase;
    size_t cn;
} names;

typedef struct group_table {
    size_t n;
    char **name;               /* code / brand name / sku */
    char **title;              /* display name or NULL */
    uint32_t *parent;          /* categories only */
} group_table;

struct kt_actx {
    kt_cols *c;
    kt_store *st;
    uint32_t op_slots[3];       /* per dimension: operational ids 0..op_slots-1 */
    size_t count[3];
    names nm[3];
    arena names_arena;
    /* segments: the published ones, then the delta (if any rows) */
    size_t nsegs;
    kt_cols_receipts *rsegs;
    kt_cols_lines *lsegs;
    bool mapped;
    kt_cols_receipts dr;       /* the delta as segments (read-mode scans) */
    kt_cols_lines dl;
    /* the checkout delta's own arrays (P12) */
    struct {
        size_t nr, nl;
        uint32_t *r_receipt, *r_member, *r_store;
        int32_t *r_day;
        uint16_t *r_minute;
        uint8_t *r_flags;
        int64_t *r_amount;
        uint32_t *l_receipt, *l_member, *l_store, *l_sku;
        int32_t *l_day;
        uint16_t *l_minute;
        int64_t *l_qty, *l_amount;
        char **extra_sku;      /* SKUs neither the store nor the dictionary knows */
        size_t nextra;
        uint64_t op_max;
    } d;
    /* products */
    bool products;
    uint32_t *sku_cat, *sku_brand;   /* by SKU index */
    uint32_t *cat_top;               /* by category group */
    group_table cats, brands;
    /* stores and members */
    bool stores, members;
    char **store_region;             /* by store index */
    kt_strmap *store_by_code;
    kt_actx_member *profiles;        /* by member index; registered_day == KT_DAY_NONE and !sex: unknown */
    bool *has_profile;
    uint8_t *store_mask;
    kt_day last_day;
    bool last_day_known;
    /* the names cache (names_cache_*): the store's files as they were before it was read */
    char *data_dir;
    int64_t stamp[KT_STAMP_N];
    int64_t stamp_newest;            /* its later modification time (seconds) */
    bool stamp_ok;                   /* DATA/karta.db exists (opened now, or on first use: st_get) */
    bool st_failed;                  /* the deferred open failed (not tried again) */
    /* a bulk load of names running beside the caller (kt_actx_load_names_begin) */
    pthread_t names_thread;
    bool names_busy;                 /* the thread runs (joined before anything else uses the store) */
    bool names_pending;              /* its result is for kt_actx_load_names(names_dim) */
    kt_adim names_dim;
    kt_rc names_rc;
    kt_err names_err;
    void *cache_map[3];              /* a cache file mapped whole (names point into it) */
    size_t cache_len[3];
};

static char *dup_or_null(const char *s) { return s ? kt_xstrdup(s) : NULL; }

kt_cols *kt_actx_cols(kt_actx *a) { return a->c; }
static void names_join(kt_actx *a);

/* The operational store, opened on first use when the open cache stood in
 * for it (NULL: there is none, or it cannot be opened; ERR may be NULL). */
static kt_store *st_get(kt_actx *a, kt_err *err) {
    if (a->st || !a->stamp_ok || a->st_failed) return a->st;
    kt_err e = {0};
    kt_rc rc = kt_store_open(a->data_dir, 0, &a->st, &e);
    if (rc) {
        kt_store_close(a->st);
        a->st = NULL;
        a->st_failed = true;
        if (err) *err = e;
    }
    return a->st;
}

kt_store *kt_actx_store(kt_actx *a) {
    names_join(a);
    return st_get(a, NULL);
}
bool kt_actx_store_opened(const kt_actx *a) { return a->st != NULL; }
size_t kt_actx_count(const kt_actx *a, kt_adim d) { return a->count[d]; }
uint32_t kt_actx_op_slots(const kt_actx *a, kt_adim d) { return a->op_slots[d]; }
uint32_t kt_actx_index(const kt_actx *a, kt_adim d, uint32_t cols_id) {
    return kt_actx_index_of(a->op_slots[d], cols_id);
}

/* ---- the checkout delta (P12) ---- */
typedef struct delta_rcpt { int64_t id; uint32_t dense; uint32_t member, store; int32_t day; uint16_t minute; } delta_rcpt;

static kt_rc load_delta(kt_actx *a, kt_err *err) {
    if (!a->st) return KT_OK; /* opened by the caller */
    uint64_t mark = kt_cols_op_mark(a->c);
    kt_cursor *cur;
    kt_rc rc = kt_store_query(a->st, KT_Q_ACTX_DELTA_RECEIPTS, (kt_val[]){KT_VI(mark)}, 1, &cur, err);
    if (rc) return rc;
    size_t cap = 0, n = 0;
    delta_rcpt *dr = NULL;
    uint32_t dense = kt_cols_next_receipt(a->c); /* the ids a fold will give them */
    for (;;) {
        bool has;
        if ((rc = kt_store_step(cur, &has, err)) || !has) break;
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            dr = kt_xrealloc(dr, cap * sizeof *dr);
            a->d.r_receipt = kt_xrealloc(a->d.r_receipt, cap * sizeof *a->d.r_receipt);
            a->d.r_member = kt_xrealloc(a->d.r_member, cap * sizeof *a->d.r_member);
            a->d.r_store = kt_xrealloc(a->d.r_store, cap * sizeof *a->d.r_store);
            a->d.r_day = kt_xrealloc(a->d.r_day, cap * sizeof *a->d.r_day);
            a->d.r_minute = kt_xrealloc(a->d.r_minute, cap * sizeof *a->d.r_minute);
            a->d.r_flags = kt_xrealloc(a->d.r_flags, cap * sizeof *a->d.r_flags);
            a->d.r_amount = kt_xrealloc(a->d.r_amount, cap * sizeof *a->d.r_amount);
        }
        int64_t at = kt_col_int(cur, 4), off = kt_col_int(cur, 5);
        int64_t local = at + off * 60;
        int64_t sec = ((local % 86400) + 86400) % 86400;
        bool refund = !strcmp(kt_col_text(cur, 2) ? kt_col_text(cur, 2) : "", "refund");
        dr[n] = (delta_rcpt){kt_col_int(cur, 0), dense++, (uint32_t)kt_col_int(cur, 3), (uint32_t)kt_col_int(cur, 1),
                             (int32_t)kt_col_int(cur, 6), (uint16_t)(sec / 60)};
        a->d.r_receipt[n] = dr[n].dense;
        a->d.r_member[n] = dr[n].member;
        a->d.r_store[n] = dr[n].store;
        a->d.r_day[n] = dr[n].day;
        a->d.r_minute[n] = dr[n].minute;
        a->d.r_flags[n] = refund ? KT_COLS_RETURN : 0;
        a->d.r_amount[n] = kt_col_int(cur, 7); /* refunds are stored negative */
        if ((uint64_t)dr[n].id > a->d.op_max) a->d.op_max = (uint64_t)dr[n].id;
        n++;
    }
    kt_store_end(cur);
    a->d.nr = n;
    if (rc || n == 0) { free(dr); return rc; }
    rc = kt_store_query(a->st, KT_Q_ACTX_DELTA_LINES, (kt_val[]){KT_VI(mark)}, 1, &cur, err);
    if (rc) { free(dr); return rc; }
    size_t lcap = 0, ln = 0, ri = 0;
    kt_strmap *extra = NULL;
    for (;;) {
        bool has;
        if ((rc = kt_store_step(cur, &has, err)) || !has) break;
        int64_t rid = kt_col_int(cur, 0);
        while (ri < n && dr[ri].id < rid) ri++;
        if (ri == n || dr[ri].id != rid) continue; /* a receipt committed after the header query: next time */
        if (ln == lcap) {
            lcap = lcap ? lcap * 2 : 4096;
            a->d.l_receipt = kt_xrealloc(a->d.l_receipt, lcap * sizeof *a->d.l_receipt);
            a->d.l_member = kt_xrealloc(a->d.l_member, lcap * sizeof *a->d.l_member);
            a->d.l_store = kt_xrealloc(a->d.l_store, lcap * sizeof *a->d.l_store);
            a->d.l_sku = kt_xrealloc(a->d.l_sku, lcap * sizeof *a->d.l_sku);
            a->d.l_day = kt_xrealloc(a->d.l_day, lcap * sizeof *a->d.l_day);
            a->d.l_minute = kt_xrealloc(a->d.l_minute, lcap * sizeof *a->d.l_minute);
            a->d.l_qty = kt_xrealloc(a->d.l_qty, lcap * sizeof *a->d.l_qty);
            a->d.l_amount = kt_xrealloc(a->d.l_amount, lcap * sizeof *a->d.l_amount);
        }
        uint32_t sku;
        if (!kt_col_null(cur, 1)) sku = (uint32_t)kt_col_int(cur, 1);
        else {
            /* A SKU the catalogue does not know: the dictionary's id if it has
             * one, else an id of this context's own after the dictionary. */
            const char *s = kt_col_text(cur, 2) ? kt_col_text(cur, 2) : "";
            uint32_t v = 0;
            size_t dn = kt_cols_dict_count(a->c, KT_DICT_SKU);
            if (!extra) {
                extra = kt_strmap_new();
                for (size_t k = 0; k < dn; k++) {
                    const char *e = kt_cols_dict_name(a->c, KT_DICT_SKU, (uint32_t)k | KT_COLS_FOREIGN);
                    kt_strmap_put(extra, e, strlen(e), (uint32_t)k);
                }
            }
            {
                if (!kt_strmap_get(extra, s, strlen(s), &v)) {
                    v = (uint32_t)(dn + a->d.nextra);
                    kt_strmap_put(extra, s, strlen(s), v);
                    a->d.extra_sku = kt_xrealloc(a->d.extra_sku, (a->d.nextra + 1) * sizeof *a->d.extra_sku);
                    a->d.extra_sku[a->d.nextra++] = kt_xstrdup(s);
                }
            }
            sku = v | KT_COLS_FOREIGN;
        }
        bool refund = a->d.r_flags[ri] & KT_COLS_RETURN;
        int64_t qty = kt_col_int(cur, 3);
        a->d.l_receipt[ln] = dr[ri].dense;
        a->d.l_member[ln] = dr[ri].member;
        a->d.l_store[ln] = dr[ri].store;
        a->d.l_sku[ln] = sku;
        a->d.l_day[ln] = dr[ri].day;
        a->d.l_minute[ln] = dr[ri].minute;
        a->d.l_qty[ln] = refund && qty > 0 ? -qty : qty;
        a->d.l_amount[ln] = kt_col_int(cur, 4);
        ln++;
    }
    kt_store_end(cur);
    kt_strmap_free(extra);
    free(dr);
    a->d.nl = ln;
    return rc;
}

/* ---- open / close ---- */
static bool take_stamp(const char *data_dir, int64_t *stamp, int64_t *newest);
static bool open_cache_read(kt_actx *a, int64_t *store_max);
static void open_cache_write(kt_actx *a, const int64_t *store_max);

kt_rc kt_actx_open(const char *data_dir, kt_actx **out, kt_err *err) {
    kt_actx *a = kt_xcalloc(1, sizeof *a);
    kt_rc rc = kt_cols_open(data_dir, &a->c, err);
    a->data_dir = kt_xstrdup(data_dir);
    uint32_t cols_member_max = a->c ? kt_cols_member_op_max(a->c) : 0;
    int64_t maxid[3] = {cols_member_max, 0, 0}, store_max[3] = {0, 0, 0};
    /* before the store is read: what the caches are valid for */
    if (!rc && take_stamp(data_dir, a->stamp, &a->stamp_newest)) {
        a->stamp_ok = true;
        if (!open_cache_read(a, store_max)) {
            rc = st_get(a, err) ? KT_OK : err->code ? err->code : KT_ESTORE;
            kt_cursor *cur;
            bool has;
            if (!rc) rc = kt_store_query(a->st, KT_Q_ACTX_MAX_IDS, NULL, 0, &cur, err);
            if (!rc) rc = kt_store_step(cur, &has, err);
            if (!rc && has)
                for (int k = 0; k < 3; k++) store_max[k] = kt_col_int(cur, k);
            if (!rc) kt_store_end(cur);
            if (!rc) rc = load_delta(a, err);
            if (!rc && a->d.nr == 0) open_cache_write(a, store_max);
        }
    }
    if (rc) { kt_actx_close(a); return rc; }
    for (int k = 0; k < 3; k++) {
        if (store_max[k] > maxid[k]) maxid[k] = store_max[k];
        a->op_slots[k] = (uint32_t)maxid[k] + 1;
        a->count[k] = a->op_slots[k] + kt_cols_dict_count(a->c, (kt_cols_dict_kind)k) + (k == KT_ADIM_SKU ? a->d.nextra : 0);
    }
    *out = a;
    return KT_OK;
}

static void names_free(names *n) { free(n->v); }

static void groups_free(group_table *g) {
    for (size_t i = 0; i < g->n; i++) { free(g->name[i]); free(g->title[i]); }
    free(g->name);
    free(g->title);
    free(g->parent);
}

void kt_actx_close(kt_actx *a) {
    if (!a) return;
    names_join(a);
    for (int k = 0; k < 3; k++) {
        names_free(&a->nm[k]);
        if (a->cache_map[k]) munmap(a->cache_map[k], a->cache_len[k]);
    }
    free(a->data_dir);
    arena_free(&a->names_arena);
    free(a->rsegs);
    free(a->lsegs);
    free(a->d.r_receipt); free(a->d.r_member); free(a->d.r_store); free(a->d.r_day);
    free(a->d.r_minute); free(a->d.r_flags); free(a->d.r_amount);
    free(a->d.l_receipt); free(a->d.l_member); free(a->d.l_store); free(a->d.l_sku);
    free(a->d.l_day); free(a->d.l_minute); free(a->d.l_qty); free(a->d.l_amount);
    for (size_t i = 0; i < a->d.nextra; i++) free(a->d.extra_sku[i]);
    free(a->d.extra_sku);
    free(a->sku_cat);
    free(a->sku_brand);
    free(a->cat_top);
    groups_free(&a->cats);
    groups_free(&a->brands);
    if (a->store_region)
        for (size_t i = 0; i < a->count[KT_ADIM_STORE]; i++) free(a->store_region[i]);
    free(a->store_region);
    kt_strmap_free(a->store_by_code);
    if (a->profiles)
        for (size_t i = 0; i < a->count[KT_ADIM_MEMBER]; i++) {
            free((char *)a->profiles[i].city);
            free((char *)a->profiles[i].region);
        }
    free(a->profiles);
    free(a->has_profile);
    free(a->store_mask);
    kt_cols_close(a->c);
    kt_store_close(a->st);
    free(a);
}

/* ---- names ---- */
/* The external id of a compact index from the dictionary (or the delta's own SKUs). */
static const char *dict_name(const kt_actx *a, kt_adim d, uint32_t index) {
    if (index < a->op_slots[d]) return NULL;
    uint32_t e = index - a->op_slots[d];
    size_t dn = kt_cols_dict_count(a->c, (kt_cols_dict_kind)d);
    if (e < dn) return kt_cols_dict_name(a->c, (kt_cols_dict_kind)d, e | KT_COLS_FOREIGN);
    if (d == KT_ADIM_SKU && e - dn < a->d.nextra) return a->d.extra_sku[e - dn];
    return NULL;
}

static void names_alloc(kt_actx *a, kt_adim d) {
    names *n = &a->nm[d];
    if (n->v) return;
    n->n = a->count[d];
    n->v = kt_actx_zalloc(n->n ? n->n : 1, sizeof *n->v);
}

/* ---- the names cache ----
 * Reading every member's external id from the operational store costs tens of
 * milliseconds at a few hundred thousand members (most of a short analysis).
 * What one load read is kept in DATA/cache/names-DIM, stamped with the store's
 * files (karta.db and its write-ahead log: device, inode, size, modification
 * and status-change times) as stat saw them before the store was read. A later
 * context uses it only if its own stamp is the same, i.e. nothing was written
 * in between (a commit writes the log or the database, which moves both times;
 * the status-change time cannot be set back, so a file put back with its old
 * modification time still differs). A cache is only written when the files
 * were last modified CACHE_SETTLED seconds ago or more, so that a commit after
 * it cannot leave the time as it was (file times are coarse). A cache that is
 * missing, stale, unreadable or malformed is ignored and the names are read
 * from the store; writing is best-effort (a read-only data directory just
 * reads the store every time).
 *
 * File: "KTNAMES1", u32 entries N, u32 blob bytes B, i64 stamp[KT_STAMP_N],
 * u32 offset[N] (into the blob; UINT32_MAX: no name), B bytes of
 * NUL-terminated names. Native byte order (a cache, not an exchange format). */
#define NAMES_CACHE_MAGIC "KTNAMES1"
#define CACHE_SETTLED 5
#define NAMES_CACHE_HEADER (8 + 4 + 4 + 8 * KT_STAMP_N)

static const char *const cache_dim_name[3] = {"members", "stores", "skus"};

/* Six fields of a file; its modification time into *newest if later. (A
 * write after a settled stamp moves the modification time past it; the
 * status-change time is in the stamp for files put back by a copy.) */
static void stamp_file(const struct stat *sb, int64_t *out, int64_t *newest) {
    out[0] = (int64_t)sb->st_ino;
    out[1] = (int64_t)sb->st_size;
    out[2] = (int64_t)sb->st_mtim.tv_sec;
    out[3] = (int64_t)sb->st_mtim.tv_nsec;
    out[4] = (int64_t)sb->st_ctim.tv_sec;
    out[5] = (int64_t)sb->st_ctim.tv_nsec;
    if (out[2] > *newest) *newest = out[2];
}

/* stamp: [0] device, [1..6] karta.db, [7] 1 if the log exists, [8..13] the
 * log; *NEWEST the later modification time. False when DATA has no karta.db. */
static bool take_stamp(const char *data_dir, int64_t *stamp, int64_t *newest) {
    char path[4096];
    struct stat sb;
    memset(stamp, 0, KT_STAMP_N * sizeof *stamp);
    *newest = 0;
    snprintf(path, sizeof path, "%s/karta.db", data_dir);
    if (stat(path, &sb) != 0) return false;
    stamp[0] = (int64_t)sb.st_dev;
    stamp_file(&sb, stamp + 1, newest);
    snprintf(path, sizeof path, "%s/karta.db-wal", data_dir);
    if (stat(path, &sb) == 0) {
        stamp[7] = 1;
        stamp_file(&sb, stamp + 8, newest);
    }
    return true;
}

static void cache_path(const kt_actx *a, kt_adim d, char *path, size_t size) {
    snprintf(path, size, "%s/cache/names-%s", a->data_dir, cache_dim_name[d]);
}

/* Names of dimension D from its cache file, if the file is there and is for
 * the store as it is now. The file is mapped with its pages populated at
 * once (faulting them in one by one costs more than reading the file). */
static bool names_cache_read(kt_actx *a, kt_adim d) {
    if (!a->stamp_ok) return false;
    char path[4200];
    cache_path(a, d, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat sb;
    void *map = MAP_FAILED;
    if (fstat(fd, &sb) == 0 && sb.st_size >= NAMES_CACHE_HEADER + 1 && sb.st_size < ((off_t)1 << 32))
        map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) return false;
    const char *buf = map;
    size_t size = (size_t)sb.st_size;
    uint32_t n, blob;
    int64_t stamp[KT_STAMP_N];
    memcpy(&n, buf + 8, 4);
    memcpy(&blob, buf + 12, 4);
    memcpy(stamp, buf + 16, sizeof stamp);
    if (memcmp(buf, NAMES_CACHE_MAGIC, 8) || memcmp(stamp, a->stamp, sizeof stamp) || blob == 0 ||
        (uint64_t)NAMES_CACHE_HEADER + (uint64_t)n * 4 + blob != size || buf[size - 1] != 0) {
        munmap(map, size);
        return false;
    }
    /* every offset within the blob (whose last byte is a NUL): each name ends in it */
    const uint32_t *offs = (const uint32_t *)(buf + NAMES_CACHE_HEADER);
    for (size_t i = 0; i < n; i++)
        if (offs[i] != UINT32_MAX && offs[i] >= blob) {
            munmap(map, size);
            return false;
        }
    names *nm = &a->nm[d];
    nm->coff = offs;
    nm->cbase = buf + NAMES_CACHE_HEADER + (size_t)n * 4;
    nm->cn = n < a->op_slots[d] ? n : a->op_slots[d];
    a->cache_map[d] = map;
    a->cache_len[d] = size;
    return true;
}

/* The name of an id from the cache, the bulk load or a single look-up (NULL: none known). */
static const char *known_name(const kt_actx *a, kt_adim d, size_t i) {
    const names *n = &a->nm[d];
    if (i < n->cn && n->coff[i] != UINT32_MAX) return n->cbase + n->coff[i];
    return n->v && i < n->n ? n->v[i] : NULL;
}

/* The store's files were last modified CACHE_SETTLED seconds ago or more. */
static bool stamp_settled(const kt_actx *a) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return a->stamp_ok && now.tv_sec - a->stamp_newest >= CACHE_SETTLED;
}

/* DATA/cache/FILE <- BUF, replaced whole (best-effort). */
static void cache_put(const kt_actx *a, const char *file, const void *buf, size_t size) {
    char dir[4200], path[4300], tmp[4400];
    snprintf(dir, sizeof dir, "%s/cache", a->data_dir);
    snprintf(path, sizeof path, "%s/%s", dir, file);
    snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
    int fd = -1;
    if (mkdir(dir, 0750) == 0 || errno == EEXIST) fd = mkstemp(tmp);
    if (fd < 0) return;
    bool ok = write(fd, buf, size) == (ssize_t)size;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) unlink(tmp);
}

/* Write the names of ids 0..op_slots-1 just read from the store (best-effort). */
static void names_cache_write(kt_actx *a, kt_adim d) {
    if (!stamp_settled(a)) return;
    const names *nm = &a->nm[d];
    size_t n = a->op_slots[d] < nm->n ? a->op_slots[d] : nm->n;
    uint64_t blob = 0;
    for (size_t i = 0; i < n; i++)
        if (nm->v[i]) blob += strlen(nm->v[i]) + 1;
    if (blob == 0) blob = 1; /* at least the terminating byte the reader checks */
    if (n > UINT32_MAX / 8 || blob >= UINT32_MAX) return;
    size_t size = NAMES_CACHE_HEADER + n * 4 + (size_t)blob;
    char *buf = kt_actx_zalloc(size, 1);
    memcpy(buf, NAMES_CACHE_MAGIC, 8);
    uint32_t n32 = (uint32_t)n, b32 = (uint32_t)blob;
    memcpy(buf + 8, &n32, 4);
    memcpy(buf + 12, &b32, 4);
    memcpy(buf + 16, a->stamp, sizeof a->stamp);
    char *offs = buf + NAMES_CACHE_HEADER, *base = offs + n * 4;
    uint32_t at = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t off = UINT32_MAX;
        if (nm->v[i]) {
            size_t len = strlen(nm->v[i]) + 1;
            memcpy(base + at, nm->v[i], len);
            off = at;
            at += (uint32_t)len;
        }
        memcpy(offs + i * 4, &off, 4);
    }
    char file[64];
    snprintf(file, sizeof file, "names-%s", cache_dim_name[d]);
    cache_put(a, file, buf, size);
    free(buf);
}

/* ---- the open cache ----
 * What opening reads from the store: the highest member, store and product
 * ids, and that the checkout committed nothing after the columns' op mark
 * (no delta). DATA/cache/open holds them with the stamp (as the names cache)
 * and the op mark; while both are the same the store is not opened at all
 * until a dimension is loaded from it. Written only when the delta is empty.
 * File: "KTOPEN01", i64 stamp[KT_STAMP_N], u64 op mark, i64 max ids[3]. */
#define OPEN_CACHE_MAGIC "KTOPEN01"
#define OPEN_CACHE_SIZE (8 + 8 * KT_STAMP_N + 8 + 3 * 8)

static bool open_cache_read(kt_actx *a, int64_t *store_max) {
    char path[4200], buf[OPEN_CACHE_SIZE + 1];
    snprintf(path, sizeof path, "%s/cache/open", a->data_dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    close(fd);
    uint64_t mark;
    if (n != OPEN_CACHE_SIZE || memcmp(buf, OPEN_CACHE_MAGIC, 8) || memcmp(buf + 8, a->stamp, sizeof a->stamp))
        return false;
    memcpy(&mark, buf + 8 + sizeof a->stamp, 8);
    if (mark != kt_cols_op_mark(a->c)) return false;
    memcpy(store_max, buf + 16 + sizeof a->stamp, 3 * sizeof *store_max);
    return true;
}

static void open_cache_write(kt_actx *a, const int64_t *store_max) {
    if (!stamp_settled(a)) return;
    char buf[OPEN_CACHE_SIZE];
    uint64_t mark = kt_cols_op_mark(a->c);
    memcpy(buf, OPEN_CACHE_MAGIC, 8);
    memcpy(buf + 8, a->stamp, sizeof a->stamp);
    memcpy(buf + 8 + sizeof a->stamp, &mark, 8);
    memcpy(buf + 16 + sizeof a->stamp, store_max, 3 * sizeof *store_max);
    cache_put(a, "open", buf, sizeof buf);
}

/* Every name of D below op_slots from the store (then into the cache). */
static kt_rc names_from_store(kt_actx *a, kt_adim d, kt_err *err) {
    names *n = &a->nm[d];
    if (!st_get(a, err)) return err->code;
    kt_query q = d == KT_ADIM_MEMBER ? KT_Q_ACTX_MEMBER_NAMES : d == KT_ADIM_STORE ? KT_Q_ACTX_STORES : KT_Q_ACTX_PRODUCTS;
    kt_cursor *cur;
    kt_rc rc = kt_store_query(a->st, q, NULL, 0, &cur, err);
    if (rc) return rc;
    for (;;) {
        bool has;
        if ((rc = kt_store_step(cur, &has, err)) || !has) break;
        int64_t id = kt_col_int(cur, 0);
        if (id < 0 || (uint64_t)id >= a->op_slots[d] || n->v[id]) continue;
        const char *s = kt_col_text(cur, 1);
        if (s) n->v[id] = arena_dup(&a->names_arena, s, strlen(s));
    }
    kt_store_end(cur);
    if (!rc && !n->touched) names_cache_write(a, d);
    return rc;
}

/* Mark D loaded and take its names from the cache if it holds them; false:
 * they must be read from the store. */
static bool names_start(kt_actx *a, kt_adim d) {
    names *n = &a->nm[d];
    /* names looked up one at a time before are in the cache's too */
    names_alloc(a, d);
    n->loaded = true;
    if (!a->stamp_ok) return true;
    if (!n->cache_tried && !n->touched && names_cache_read(a, d)) return true;
    n->cache_tried = true;
    return false;
}

static void *names_worker(void *arg) {
    kt_actx *a = arg;
    a->names_rc = names_from_store(a, a->names_dim, &a->names_err);
    return NULL;
}

/* Wait for the thread kt_actx_load_names_begin started (its result stays
 * pending for kt_actx_load_names). */
static void names_join(kt_actx *a) {
    if (!a->names_busy) return;
    pthread_join(a->names_thread, NULL);
    a->names_busy = false;
}

void kt_actx_load_names_begin(kt_actx *a, kt_adim d) {
    if (a->nm[d].loaded || a->names_busy || a->names_pending || names_start(a, d)) return;
    a->names_dim = d;
    a->names_pending = true;
    a->names_rc = KT_OK;
    a->names_busy = pthread_create(&a->names_thread, NULL, names_worker, a) == 0;
    if (!a->names_busy) a->names_rc = names_from_store(a, d, &a->names_err);
}

kt_rc kt_actx_load_names(kt_actx *a, kt_adim d, kt_err *err) {
    names_join(a);
    if (a->names_pending && a->names_dim == d) {
        a->names_pending = false;
        if (a->names_rc) *err = a->names_err;
        return a->names_rc;
    }
    if (a->nm[d].loaded || names_start(a, d)) return KT_OK;
    return names_from_store(a, d, err);
}

/* Past this many members named one at a time, every name is read at once. */
#define NAME_LOOKUPS_MAX 1000

/* One member's external id from the operational store: ext_id, else its
 * first card (the same rule as the bulk query); NULL if it has neither. */
static const char *member_lookup(kt_actx *a, uint32_t id) {
    kt_err ignore = {0};
    kt_cursor *cur;
    const char *found = NULL;
    bool has = false;
    if (!st_get(a, NULL)) return NULL;
    if (kt_store_query(a->st, KT_Q_MEMBER_GET, (kt_val[]){KT_VI(id)}, 1, &cur, &ignore)) { kt_err_clear(&ignore); return NULL; }
    if (!kt_store_step(cur, &has, &ignore) && has && kt_col_text(cur, 1)) {
        const char *s = kt_col_text(cur, 1);
        found = arena_dup(&a->names_arena, s, strlen(s));
    }
    kt_err_clear(&ignore);
    kt_store_end(cur);
    if (found || !has) return found;
    if (kt_store_query(a->st, KT_Q_CARDS_OF_MEMBER, (kt_val[]){KT_VI(id)}, 1, &cur, &ignore)) { kt_err_clear(&ignore); return NULL; }
    if (!kt_store_step(cur, &has, &ignore) && has && kt_col_text(cur, 1)) {
        const char *s = kt_col_text(cur, 1);
        found = arena_dup(&a->names_arena, s, strlen(s));
    }
    kt_err_clear(&ignore);
    kt_store_end(cur);
    return found;
}

const char *kt_actx_name(kt_actx *a, kt_adim d, uint32_t index) {
    names_join(a);
    names *n = &a->nm[d];
    if (!n->loaded && d == KT_ADIM_MEMBER && a->stamp_ok && !n->cache_tried) {
        /* a valid cache names every member at once for less than a few look-ups */
        names_alloc(a, d);
        n->cache_tried = true;
        if (!n->touched && names_cache_read(a, d)) n->loaded = true;
    }
    if (!n->loaded) {
        if (d == KT_ADIM_MEMBER && a->stamp_ok && n->lookups < NAME_LOOKUPS_MAX) {
            /* a few members (rankings): one look-up each; dictionary members need none */
            names_alloc(a, d);
            n->touched = true;
            if (index < a->op_slots[d] && index < n->n && !n->v[index]) {
                n->lookups++;
                n->v[index] = (char *)member_lookup(a, index);
            }
        } else {
            kt_err ignore = {0};
            if (kt_actx_load_names(a, d, &ignore)) kt_err_clear(&ignore);
        }
    }
    if (index >= n->n) return "?";
    if (index < n->cn && n->coff[index] != UINT32_MAX) return n->cbase + n->coff[index];
    if (n->v[index]) return n->v[index];
    /* a dictionary name lives as long as the columns (kt_cols_close, at the
     * context's close): kept as it is, no copy */
    const char *s = dict_name(a, d, index);
    if (s) return n->v[index] = (char *)s;
    char b[24];
    snprintf(b, sizeof b, "#%u", index);
    n->v[index] = arena_dup(&a->names_arena, b, strlen(b));
    return n->v[index];
}

/* ---- products ---- */
static void groups_push(group_table *g, const char *name, const char *title, uint32_t parent) {
    g->name = kt_xrealloc(g->name, (g->n + 1) * sizeof *g->name);
    g->title = kt_xrealloc(g->title, (g->n + 1) * sizeof *g->title);
    g->parent = kt_xrealloc(g->parent, (g->n + 1) * sizeof *g->parent);
    g->name[g->n] = kt_xstrdup(name ? name : "");
    g->title[g->n] = dup_or_null(title);
    g->parent[g->n] = parent;
    g->n++;
}

/* A binary search over sorted ids. */
typedef struct idmap { int64_t *ids; size_t n; } idmap;
static uint32_t idmap_find(const idmap *m, int64_t id) {
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m->ids[mid] < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < m->n && m->ids[lo] == id ? (uint32_t)lo : KT_ACTX_NONE;
}

kt_rc kt_actx_load_products(kt_actx *a, kt_err *err) {
    names_join(a);
    if (a->products) return KT_OK;
    size_t ns = a->count[KT_ADIM_SKU];
    a->sku_cat = kt_xmalloc((ns ? ns : 1) * sizeof *a->sku_cat);
    a->sku_brand = kt_xmalloc((ns ? ns : 1) * sizeof *a->sku_brand);
    for (size_t i = 0; i < ns; i++) a->sku_cat[i] = a->sku_brand[i] = KT_ACTX_NONE;
    a->products = true;
    if (!a->stamp_ok) return KT_OK;
    if (!st_get(a, err)) return err->code;
    kt_cursor *cur;
    idmap cats = {0}, brands = {0};
    kt_rc rc = kt_store_query(a->st, KT_Q_ACTX_CATEGORIES, NULL, 0, &cur, err);
    int64_t *parent_ids = NULL;
    while (!rc) {
        bool has;
        if ((rc = kt_store_step(cur, &has, err)) || !has) break;
        cats.ids = kt_xrealloc(cats.ids, (cats.n + 1) * sizeof *cats.ids);
        parent_ids = kt_xrealloc(parent_ids, (cats.n + 1) * sizeof *parent_ids);
        cats.ids[cats.n] = kt_col_int(cur, 0);
        parent_ids[cats.n] = kt_col_null(cur, 3) ? -1 : kt_col_int(cur, 3);
        cats.n++;
        groups_push(&a->cats, kt_col_text(cur, 1), kt_col_text(cur, 2), KT_ACTX_NONE);
    }
    if (!rc) kt_store_end(cur);
    for (size_t i = 0; i < cats.n; i++) a->cats.parent[i] = parent_ids[i] < 0 ? KT_ACTX_NONE : idmap_find(&cats, parent_ids[i]);
    free(parent_ids);
    a->cat_top = kt_xmalloc((cats.n ? cats.n : 1) * sizeof *a->cat_top);
    for (size_t i = 0; i < cats.n; i++) {
        uint32_t t = (uint32_t)i;
        for (int depth = 0; depth < 16 && a->cats.parent[t] != KT_ACTX_NONE; depth++) t = a->cats.parent[t];
        a->cat_top[i] = t;
    }
    if (!rc) rc = kt_store_query(a->st, KT_Q_ACTX_BRANDS, NULL, 0, &cur, err);
    while (!rc) {
        bool has;
        if ((rc = kt_store_step(cur, &has, err)) || !has) break;
        brands.ids = kt_xrealloc(brands.ids, (brands.n + 1) * sizeof *brands.ids);
        brands.ids[brands.n++] = kt_col_int(cur, 0);
        groups_push(&a->brands, kt_col_text(cur, 1), NULL, KT_ACTX_NONE);
    }
    if (!rc) kt_store_end(cur);
    /* products: by operational id, and dictionary SKUs by their external id */
    kt_strmap *by_sku = kt_cols_dict_count(a->c, KT_DICT_SKU) + a->d.nextra ? kt_strmap_new() : NULL;
    if (!rc) rc = kt_store_query(a->st, KT_Q_ACTX_PRODUCTS, NULL, 0, &cur, err);
    uint32_t *by_sku_cat = NULL, *by_sku_brand = NULL;
    size_t nby = 0;
    while (!rc) {
        bool has;
        if ((rc = kt_store_step(cur, &has, err)) || !has) break;
        int64_t id = kt_col_int(cur, 0);
        uint32_t cat = idmap_find(&cats, kt_col_int(cur, 3));
        uint32_t br = kt_col_null(cur, 4) ? KT_ACTX_NONE : idmap_find(&brands, kt_col_int(cur, 4));
        if (id >= 0 && (uint64_t)id < a->op_slots[KT_ADIM_SKU]) {
            a->sku_cat[id] = cat;
            a->sku_brand[id] = br;
        }
        if (by_sku && kt_col_text(cur, 1)) {
            const char *s = kt_col_text(cur, 1);
            by_sku_cat = kt_xrealloc(by_sku_cat, (nby + 1) * sizeof *by_sku_cat);
            by_sku_brand = kt_xrealloc(by_sku_brand, (nby + 1) * sizeof *by_sku_brand);
            by_sku_cat[nby] = cat;
            by_sku_brand[nby] = br;
            kt_strmap_put(by_sku, s, strlen(s), (uint32_t)nby++);
        }
    }
    if (!rc) kt_store_end(cur);
    if (!rc && by_sku)
        for (size_t i = a->op_slots[KT_ADIM_SKU]; i < ns; i++) {
            const char *s = dict_name(a, KT_ADIM_SKU, (uint32_t)i);
            uint32_t k;
            if (s && kt_strmap_get(by_sku, s, strlen(s), &k)) {
                a->sku_cat[i] = by_sku_cat[k];
                a->sku_brand[i] = by_sku_brand[k];
            }
        }
    kt_strmap_free(by_sku);
    free(by_sku_cat);
    free(by_sku_brand);
    free(cats.ids);
    free(brands.ids);
    return rc;
}

uint32_t kt_actx_sku_group(const kt_actx *a, kt_alevel level, uint32_t sku_index) {
    if (level == KT_ALEVEL_SKU) return sku_index;
    if (!a->products || sku_index >= a->count[KT_ADIM_SKU]) return KT_ACTX_NONE;
    if (level == KT_ALEVEL_BRAND) return a->sku_brand[sku_index];
    uint32_t c = a->sku_cat[sku_index];
    if (c == KT_ACTX_NONE || level == KT_ALEVEL_CATEGORY) return c;
    return a->cat_top[c];
}

size_t kt_actx_group_count(const kt_actx *a, kt_alevel level) {
    switch (level) {
    case KT_ALEVEL_SKU: return a->count[KT_ADIM_SKU];
    case KT_ALEVEL_CATEGORY:
    case KT_ALEVEL_TOP: return a->cats.n;
    case KT_ALEVEL_BRAND: return a->brands.n;
    }
    return 0;
}

const char *kt_actx_group_name(kt_actx *a, kt_alevel level, uint32_t group) {
    if (level == KT_ALEVEL_SKU) return kt_actx_name(a, KT_ADIM_SKU, group);
    const group_table *g = level == KT_ALEVEL_BRAND ? &a->brands : &a->cats;
    return group < g->n ? g->name[group] : "?";
}

const char *kt_actx_group_title(const kt_actx *a, kt_alevel level, uint32_t group) {
    if (level == KT_ALEVEL_SKU) return NULL;
    const group_table *g = level == KT_ALEVEL_BRAND ? &a->brands : &a->cats;
    return group < g->n ? g->title[group] : NULL;
}

uint32_t kt_actx_category_parent(const kt_actx *a, uint32_t category) {
    return category < a->cats.n ? a->cats.parent[category] : KT_ACTX_NONE;
}

kt_rc kt_actx_parse_level(const char *s, const char *option, kt_alevel *out, kt_err *err) {
    if (!s || !strcmp(s, "sku")) *out = KT_ALEVEL_SKU;
    else if (!strcmp(s, "category")) *out = KT_ALEVEL_CATEGORY;
    else if (!strcmp(s, "top")) *out = KT_ALEVEL_TOP;
    else if (!strcmp(s, "brand")) *out = KT_ALEVEL_BRAND;
    else return kt_fail(err, KT_EUSAGE, option, "want sku, category, top or brand, not \"%.40s\"", s);
    return KT_OK;
}

/* ---- stores ---- */
kt_rc kt_actx_load_stores(kt_actx *a, kt_err *err) {
    names_join(a);
    if (a->stores) return KT_OK;
    size_t n = a->count[KT_ADIM_STORE];
    a->store_region = kt_xcalloc(n ? n : 1, sizeof *a->store_region);
    a->store_by_code = kt_strmap_new();
    a->stores = true;
    kt_rc rc = KT_OK;
    char **region_by_code = NULL;
    size_t nrc = 0;
    kt_strmap *op_code = kt_strmap_new();
    if (a->stamp_ok && !st_get(a, err)) rc = err->code;
    if (!rc && a->st) {
        kt_cursor *cur;
        rc = kt_store_query(a->st, KT_Q_ACTX_STORES, NULL, 0, &cur, err);
        while (!rc) {
            bool has;
            if ((rc = kt_store_step(cur, &has, err)) || !has) break;
            int64_t id = kt_col_int(cur, 0);
            const char *code = kt_col_text(cur, 1), *region = kt_col_text(cur, 2);
            if (id >= 0 && (uint64_t)id < a->op_slots[KT_ADIM_STORE]) {
                a->store_region[id] = dup_or_null(region);
                if (code) kt_strmap_put(a->store_by_code, code, strlen(code), (uint32_t)id);
            }
            if (code) {
                region_by_code = kt_xrealloc(region_by_code, (nrc + 1) * sizeof *region_by_code);
                region_by_code[nrc] = dup_or_null(region);
                kt_strmap_put(op_code, code, strlen(code), (uint32_t)nrc++);
            }
        }
        if (!rc) kt_store_end(cur);
    }
    for (size_t i = a->op_slots[KT_ADIM_STORE]; i < n && !rc; i++) {
        const char *s = dict_name(a, KT_ADIM_STORE, (uint32_t)i);
        uint32_t k;
        if (!s) continue;
        if (kt_strmap_get(op_code, s, strlen(s), &k)) a->store_region[i] = dup_or_null(region_by_code[k]);
        if (!kt_strmap_get(a->store_by_code, s, strlen(s), &k)) kt_strmap_put(a->store_by_code, s, strlen(s), (uint32_t)i);
    }
    for (size_t i = 0; i < nrc; i++) free(region_by_code[i]);
    free(region_by_code);
    kt_strmap_free(op_code);
    return rc;
}

const char *kt_actx_store_region(const kt_actx *a, uint32_t store_index) {
    return a->stores && store_index < a->count[KT_ADIM_STORE] ? a->store_region[store_index] : NULL;
}

/* ---- members ---- */
kt_rc kt_actx_load_members(kt_actx *a, kt_err *err) {
    names_join(a);
    if (a->members) return KT_OK;
    size_t n = a->count[KT_ADIM_MEMBER];
    a->profiles = kt_xcalloc(n ? n : 1, sizeof *a->profiles);
    a->has_profile = kt_xcalloc(n ? n : 1, sizeof *a->has_profile);
    a->members = true;
    if (!a->stamp_ok) return KT_OK;
    if (!st_get(a, err)) return err->code;
    kt_cursor *cur;
    kt_rc rc = kt_store_query(a->st, KT_Q_ACTX_MEMBERS, NULL, 0, &cur, err);
    kt_actx_member *by_op = NULL;
    size_t nop = a->op_slots[KT_ADIM_MEMBER];
    while (!rc) {
        bool has;
        if ((rc = kt_store_step(cur, &has, err)) || !has) break;
        int64_t id = kt_col_int(cur, 0);
        if (id < 0 || (uint64_t)id >= nop) continue;
        const char *sex = kt_col_text(cur, 1);
        kt_actx_member p = {
            .sex = sex && (sex[0] == 'M' || sex[0] == 'F') ? sex[0] : 0,
            .birth_day = kt_col_null(cur, 2) ? KT_DAY_NONE : (kt_day)kt_col_int(cur, 2),
            .registered_day = (kt_day)kt_col_int(cur, 3),
            .reg_store = kt_col_null(cur, 4) ? KT_ACTX_NONE : (uint32_t)kt_col_int(cur, 4),
            .city = dup_or_null(kt_col_text(cur, 5)),
            .region = dup_or_null(kt_col_text(cur, 6)),
            .has_favourite = kt_col_int(cur, 7) != 0,
        };
        a->profiles[id] = p;
        a->has_profile[id] = true;
    }
    if (!rc) kt_store_end(cur);
    (void)by_op;
    /* dictionary members named by a card number or an ext_id the store knows */
    if (!rc && n > nop) {
        kt_strmap *who = kt_strmap_new();
        rc = kt_store_query(a->st, KT_Q_ACTX_CARD_MEMBERS, NULL, 0, &cur, err);
        while (!rc) {
            bool has;
            if ((rc = kt_store_step(cur, &has, err)) || !has) break;
            const char *s = kt_col_text(cur, 0);
            if (s) kt_strmap_put(who, s, strlen(s), (uint32_t)kt_col_int(cur, 1));
        }
        if (!rc) kt_store_end(cur);
        if (!rc) rc = kt_actx_load_names(a, KT_ADIM_MEMBER, err);
        for (size_t i = 1; i < nop && !rc; i++)
            if (known_name(a, KT_ADIM_MEMBER, i)) {
                const char *s = known_name(a, KT_ADIM_MEMBER, i);
                kt_strmap_put(who, s, strlen(s), (uint32_t)i);
            }
        for (size_t i = nop; i < n && !rc; i++) {
            const char *s = dict_name(a, KT_ADIM_MEMBER, (uint32_t)i);
            uint32_t m;
            if (s && kt_strmap_get(who, s, strlen(s), &m) && m < nop && a->has_profile[m]) {
                a->profiles[i] = a->profiles[m];
                a->profiles[i].city = dup_or_null(a->profiles[m].city);
                a->profiles[i].region = dup_or_null(a->profiles[m].region);
                a->has_profile[i] = true;
            }
        }
        kt_strmap_free(who);
    }
    return rc;
}

const kt_actx_member *kt_actx_member_profile(const kt_actx *a, uint32_t member_index) {
    if (!a->members || member_index >= a->count[KT_ADIM_MEMBER] || !a->has_profile[member_index]) return NULL;
    return &a->profiles[member_index];
}

/* ---- memory ---- */
#define HUGE_PAGE ((size_t)2 << 20)

/* From this size on, kt_actx_zalloc zeroes on every core: the first touch of
 * a page faults, and the kernel clears it in the thread that touched it (a
 * month's RFM zeroes ~5 GB of accumulators and rows). */
#define ZERO_PARALLEL_BYTES ((size_t)64 << 20)
#define ZERO_THREADS_MAX 8

typedef struct zero_part { char *p; size_t n; } zero_part;
static void *zero_run(void *arg) {
    zero_part *z = arg;
    memset(z->p, 0, z->n);
    return NULL;
}

static void zero_parallel(char *p, size_t bytes) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int k = bytes < ZERO_PARALLEL_BYTES || cores < 2 ? 1 : cores > ZERO_THREADS_MAX ? ZERO_THREADS_MAX : (int)cores;
    zero_part part[ZERO_THREADS_MAX];
    pthread_t t[ZERO_THREADS_MAX];
    bool started[ZERO_THREADS_MAX] = {false};
    size_t step = (bytes / (size_t)k + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE, at = 0;
    for (int i = 0; i < k; i++) {
        part[i] = (zero_part){p + at, at < bytes ? (bytes - at < step ? bytes - at : step) : 0};
        at += part[i].n;
        if (i) started[i] = pthread_create(&t[i], NULL, zero_run, &part[i]) == 0;
    }
    zero_run(&part[0]);
    for (int i = 1; i < k; i++) {
        if (started[i]) pthread_join(t[i], NULL);
        else zero_run(&part[i]);
    }
}

void *kt_actx_zalloc(size_t n, size_t size) {
    size_t bytes;
    if (__builtin_mul_overflow(n ? n : 1, size ? size : 1, &bytes)) return kt_xcalloc(n, size); /* aborts */
    if (bytes < ((size_t)256 << 10)) return kt_xcalloc(1, bytes);
    size_t rounded = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    void *p = aligned_alloc(HUGE_PAGE, rounded);
    if (!p) return kt_xcalloc(1, bytes);
    madvise(p, rounded, MADV_HUGEPAGE);
    zero_parallel(p, bytes);
    return p;
}

/* ---- segments and scans ---- */
static kt_rc map_all(kt_actx *a, kt_err *err) {
    if (a->mapped) return KT_OK;
    size_t ns = kt_cols_segment_count(a->c);
    size_t total = ns + (a->d.nr ? 1 : 0);
    a->rsegs = kt_xcalloc(total ? total : 1, sizeof *a->rsegs);
    a->lsegs = kt_xcalloc(total ? total : 1, sizeof *a->lsegs);
    for (size_t i = 0; i < ns; i++) {
        kt_rc rc = kt_cols_map_receipts(a->c, i, &a->rsegs[i], err);
        if (!rc) rc = kt_cols_map_lines(a->c, i, &a->lsegs[i], err);
        if (rc) return rc;
    }
    if (a->d.nr) {
        a->rsegs[ns] = (kt_cols_receipts){a->d.nr, a->d.r_receipt, a->d.r_member, a->d.r_store, a->d.r_day,
                                          a->d.r_minute, a->d.r_flags, a->d.r_amount};
        a->lsegs[ns] = (kt_cols_lines){a->d.nl, a->d.l_receipt, a->d.l_member, a->d.l_store, a->d.l_sku,
                                       a->d.l_day, a->d.l_minute, a->d.l_qty, a->d.l_amount};
    }
    a->nsegs = total;
    a->mapped = true;
    return KT_OK;
}

int kt_actx_member_threads(kt_actx *a, int threads) {
    uint64_t by_rows = kt_actx_receipt_rows(a) / KT_AMEMBER_ROWS_PER_THREAD;
    if (by_rows < 1) by_rows = 1;
    return threads < 1 ? 1 : (uint64_t)threads < by_rows ? threads : (int)by_rows;
}

uint64_t kt_actx_line_rows(kt_actx *a) { return kt_cols_line_rows(a->c) + a->d.nl; }
uint64_t kt_actx_receipt_rows(kt_actx *a) { return kt_cols_receipt_rows(a->c) + a->d.nr; }

typedef struct scan {
    kt_actx *a;
    bool lines;
    unsigned cols;             /* read these columns into buffers; 0: use the mappings */
    size_t *rows;              /* by segment (read mode) */
    unsigned *seg_cols;        /* by segment: cols, less the day where the segment's month is in range */
    atomic_int failed;         /* read mode: a read failed (the first error is in err) */
    kt_err err;
    kt_ascan_lines_fn lfn;
    kt_ascan_receipts_fn rfn;
    void *const *states;
    size_t *starts;            /* batch b covers segment seg_of[b], rows starts[b].. */
    size_t *seg_of;
    size_t nbatches;
    atomic_size_t next;
    bool progress;             /* stderr is a terminal and the scan is long */
    double last_print;
} scan;

typedef struct worker { scan *s; int index; } worker;

/* Read mode: rows [begin, end) of the columns in s->cols of file segment SEG
 * into BUF[col], and a view whose column pointers index them by row number. */
static bool read_batch(scan *s, size_t seg, size_t begin, size_t end, void *const *buf, kt_cols_lines *lv,
                       kt_cols_receipts *rv) {
    int ncols = s->lines ? KT_COLS_L_N : KT_COLS_R_N;
    const void *p[KT_COLS_MAX_N] = {0};
    unsigned cols = s->seg_cols ? s->seg_cols[seg] : s->cols;
    for (int k = 0; k < ncols; k++) {
        if (!(cols & (1u << k))) continue;
        kt_err e = {0};
        if (kt_cols_read(s->a->c, seg, s->lines, k, begin, end - begin, buf[k], &e)) {
            if (atomic_fetch_add(&s->failed, 1) == 0) s->err = e;
            return false;
        }
        /* the view indexes by row number: the buffer holds rows begin.. */
        p[k] = (const char *)buf[k] - begin * kt_cols_col_width(s->lines, k);
    }
    if (s->lines)
        *lv = (kt_cols_lines){end, p[KT_COLS_L_RECEIPT], p[KT_COLS_L_MEMBER], p[KT_COLS_L_STORE], p[KT_COLS_L_SKU],
                              p[KT_COLS_L_DAY], p[KT_COLS_L_MINUTE], p[KT_COLS_L_QTY], p[KT_COLS_L_AMOUNT]};
    else
        *rv = (kt_cols_receipts){end, p[KT_COLS_R_RECEIPT], p[KT_COLS_R_MEMBER], p[KT_COLS_R_STORE], p[KT_COLS_R_DAY],
                                 p[KT_COLS_R_MINUTE], p[KT_COLS_R_FLAGS], p[KT_COLS_R_AMOUNT],
                                 p[KT_COLS_R_UNITS], p[KT_COLS_R_LINES]};
    return true;
}

static void *scan_work(void *arg) {
    worker *w = arg;
    scan *s = w->s;
    void *buf[KT_COLS_MAX_N] = {0};
    char *block = NULL;
    size_t ns = kt_cols_segment_count(s->a->c);
    if (s->cols) {
        /* one block for the batch's columns (huge pages: a fault or two) */
        size_t total = 0, at = 0;
        for (int k = 0; k < (s->lines ? KT_COLS_L_N : KT_COLS_R_N); k++)
            if (s->cols & (1u << k)) total += KT_COLS_BATCH_ROWS * kt_cols_col_width(s->lines, k);
        block = kt_actx_zalloc(total, 1);
        for (int k = 0; k < (s->lines ? KT_COLS_L_N : KT_COLS_R_N); k++)
            if (s->cols & (1u << k)) {
                buf[k] = block + at;
                at += KT_COLS_BATCH_ROWS * kt_cols_col_width(s->lines, k);
            }
    }
    for (;;) {
        size_t b = atomic_fetch_add(&s->next, 1);
        if (b >= s->nbatches || atomic_load(&s->failed)) break;
        size_t seg = s->seg_of[b], begin = s->starts[b];
        size_t rows = s->cols ? s->rows[seg] : s->lines ? s->a->lsegs[seg].rows : s->a->rsegs[seg].rows;
        size_t end = begin + KT_COLS_BATCH_ROWS < rows ? begin + KT_COLS_BATCH_ROWS : rows;
        if (s->cols && seg < ns) {
            kt_cols_lines lv;
            kt_cols_receipts rv;
            if (!read_batch(s, seg, begin, end, buf, &lv, &rv)) break;
            if (s->lines) s->lfn(s->states[w->index], &lv, begin, end);
            else s->rfn(s->states[w->index], &rv, begin, end);
        } else if (s->cols) {
            /* the checkout delta lives in memory */
            if (s->lines) s->lfn(s->states[w->index], &s->a->dl, begin, end);
            else s->rfn(s->states[w->index], &s->a->dr, begin, end);
        } else if (s->lines) s->lfn(s->states[w->index], &s->a->lsegs[seg], begin, end);
        else s->rfn(s->states[w->index], &s->a->rsegs[seg], begin, end);
        if (s->progress && w->index == 0) {
            double t = kt_mono_seconds();
            if (t - s->last_print >= 0.5) {
                s->last_print = t;
                fprintf(stderr, "\rscan: %3.0f%% of %zu batches of %s", 100.0 * (double)(b + 1) / (double)s->nbatches,
                        s->nbatches, s->lines ? "lines" : "receipts");
            }
        }
    }
    if (s->progress && w->index == 0 && s->last_print > 0) fprintf(stderr, "\r%60s\r", "");
    free(block);
    return NULL;
}

/* Whether every day of segment SEG's month lies within [from, to] (segments
 * are named by their month, "2026-01/seg-000003", and hold its days only). */
bool kt_actx_segment_within(const kt_actx *a, size_t seg, kt_day from, kt_day to) {
    const char *name = kt_cols_segment_name(a->c, seg);
    int y, m;
    char dash, slash;
    if (!name || sscanf(name, "%4d%c%2d%c", &y, &dash, &m, &slash) != 4 || dash != '-' || slash != '/' || m < 1 ||
        m > 12)
        return false;
    kt_day first = kt_day_from_civil(y, m, 1);
    kt_day last = (m == 12 ? kt_day_from_civil(y + 1, 1, 1) : kt_day_from_civil(y, m + 1, 1)) - 1;
    return first >= from && last <= to;
}

static kt_rc scan_run(kt_actx *a, int threads, bool lines, unsigned cols, const kt_afilter *days_of, bool wide_only,
                      const unsigned *drop, kt_ascan_lines_fn lfn, kt_ascan_receipts_fn rfn, void *const *states,
                      kt_err *err) {
    kt_rc rc = KT_OK;
    if (threads < 1) threads = 1;
    if (threads > KT_ACTX_THREADS_MAX) threads = KT_ACTX_THREADS_MAX;
    scan s = {.a = a, .lines = lines, .cols = cols, .lfn = lfn, .rfn = rfn, .states = states};
    size_t nsegs;
    if (cols) {
        /* read mode: the file segments, then the checkout delta */
        size_t ns = kt_cols_segment_count(a->c);
        nsegs = ns + (a->d.nr ? 1 : 0);
        s.rows = kt_xcalloc(nsegs ? nsegs : 1, sizeof *s.rows);
        /* receipts' units and line counts exist in compact segments only: NULL in the others' views */
        unsigned compact_only = lines ? 0u : KT_ASCAN_COL(KT_COLS_R_UNITS) | KT_ASCAN_COL(KT_COLS_R_LINES);
        if (days_of || (cols & compact_only) || drop) {
            unsigned day = KT_ASCAN_COL(lines ? KT_COLS_L_DAY : KT_COLS_R_DAY);
            s.seg_cols = kt_xcalloc(nsegs ? nsegs : 1, sizeof *s.seg_cols);
            for (size_t seg = 0; seg < ns; seg++) {
                s.seg_cols[seg] = cols;
                if (days_of && kt_actx_segment_within(a, seg, days_of->from, days_of->to) && (cols & ~day)) s.seg_cols[seg] &= ~day;
                if (!kt_cols_segment_compact(a->c, seg)) s.seg_cols[seg] &= ~compact_only;
                if (drop) s.seg_cols[seg] &= ~drop[seg];
            }
        }
        for (size_t seg = 0; seg < ns && !rc; seg++) {
            if (drop && !(cols & ~drop[seg])) continue; /* nothing to read: not opened, no batches */
            rc = kt_cols_read_open(a->c, seg, lines, s.seg_cols ? s.seg_cols[seg] : cols, &s.rows[seg], err);
            if (wide_only && kt_cols_segment_compact(a->c, seg)) s.rows[seg] = 0; /* no batches */
        }
        if (a->d.nr) s.rows[ns] = lines ? a->d.nl : a->d.nr;
        a->dr = (kt_cols_receipts){a->d.nr, a->d.r_receipt, a->d.r_member, a->d.r_store, a->d.r_day,
                                   a->d.r_minute, a->d.r_flags, a->d.r_amount};
        a->dl = (kt_cols_lines){a->d.nl, a->d.l_receipt, a->d.l_member, a->d.l_store, a->d.l_sku,
                                a->d.l_day, a->d.l_minute, a->d.l_qty, a->d.l_amount};
    } else {
        KT_ASSERT(!drop); /* mapped scans take every column of every segment */
        rc = map_all(a, err);
        nsegs = a->nsegs;
    }
    if (rc) { free(s.rows); free(s.seg_cols); return rc; }
    atomic_init(&s.failed, 0);
    size_t cap = 0;
    for (size_t seg = 0; seg < nsegs; seg++) {
        size_t rows = cols ? s.rows[seg] : lines ? a->lsegs[seg].rows : a->rsegs[seg].rows;
        for (size_t start = 0; start < rows; start += KT_COLS_BATCH_ROWS) {
            if (s.nbatches == cap) {
                cap = cap ? cap * 2 : 64;
                s.starts = kt_xrealloc(s.starts, cap * sizeof *s.starts);
                s.seg_of = kt_xrealloc(s.seg_of, cap * sizeof *s.seg_of);
            }
            s.starts[s.nbatches] = start;
            s.seg_of[s.nbatches++] = seg;
        }
    }
    atomic_init(&s.next, 0);
    /* progress on a terminal for scans of more than ~16 M rows */
    s.progress = s.nbatches > 256 && isatty(2);
    s.last_print = s.progress ? kt_mono_seconds() : 0;
    if ((size_t)threads > s.nbatches) threads = s.nbatches ? (int)s.nbatches : 1;
    worker w[KT_ACTX_THREADS_MAX];
    pthread_t t[KT_ACTX_THREADS_MAX];
    int started = 0;
    for (int i = 1; i < threads; i++) {
        w[i] = (worker){&s, i};
        if (pthread_create(&t[i], NULL, scan_work, &w[i])) break;
        started = i;
    }
    w[0] = (worker){&s, 0};
    scan_work(&w[0]);
    for (int i = 1; i <= started; i++) pthread_join(t[i], NULL);
    free(s.starts);
    free(s.seg_of);
    free(s.rows);
    free(s.seg_cols);
    if (atomic_load(&s.failed)) {
        *err = s.err;
        return s.err.code ? s.err.code : KT_EIO;
    }
    return KT_OK;
}

kt_rc kt_actx_scan_lines(kt_actx *a, int threads, kt_ascan_lines_fn fn, void *const *states, kt_err *err) {
    return scan_run(a, threads, true, 0, NULL, false, NULL, fn, NULL, states, err);
}

kt_rc kt_actx_scan_receipts(kt_actx *a, int threads, kt_ascan_receipts_fn fn, void *const *states, kt_err *err) {
    return scan_run(a, threads, false, 0, NULL, false, NULL, NULL, fn, states, err);
}

kt_rc kt_actx_scan_lines_cols(kt_actx *a, int threads, unsigned cols, kt_ascan_lines_fn fn, void *const *states,
                              kt_err *err) {
    cols &= (1u << KT_COLS_L_N) - 1;
    return scan_run(a, threads, true, cols ? cols : 1, NULL, false, NULL, fn, NULL, states, err);
}

kt_rc kt_actx_scan_lines_days(kt_actx *a, int threads, unsigned cols, const kt_afilter *f, kt_ascan_lines_fn fn,
                              void *const *states, kt_err *err) {
    cols &= (1u << KT_COLS_L_N) - 1;
    return scan_run(a, threads, true, cols ? cols : 1, f, false, NULL, fn, NULL, states, err);
}

kt_rc kt_actx_scan_lines_drop(kt_actx *a, int threads, unsigned cols, const kt_afilter *f, const unsigned *drop,
                              kt_ascan_lines_fn fn, void *const *states, kt_err *err) {
    cols &= (1u << KT_COLS_L_N) - 1;
    return scan_run(a, threads, true, cols ? cols : 1, f, false, drop, fn, NULL, states, err);
}

kt_rc kt_actx_scan_receipts_drop(kt_actx *a, int threads, unsigned cols, const kt_afilter *f, const unsigned *drop,
                                 kt_ascan_receipts_fn fn, void *const *states, kt_err *err) {
    cols &= (1u << KT_COLS_R_N) - 1;
    return scan_run(a, threads, false, cols ? cols : 1, f, false, drop, NULL, fn, states, err);
}

kt_rc kt_actx_scan_wide_lines_days(kt_actx *a, int threads, unsigned cols, const kt_afilter *f, kt_ascan_lines_fn fn,
                                   void *const *states, kt_err *err) {
    cols &= (1u << KT_COLS_L_N) - 1;
    return scan_run(a, threads, true, cols ? cols : 1, f, true, NULL, fn, NULL, states, err);
}

kt_rc kt_actx_scan_receipts_cols(kt_actx *a, int threads, unsigned cols, kt_ascan_receipts_fn fn,
                                 void *const *states, kt_err *err) {
    cols &= (1u << KT_COLS_R_N) - 1;
    return scan_run(a, threads, false, cols ? cols : 1, NULL, false, NULL, NULL, fn, states, err);
}

kt_rc kt_actx_scan_receipts_days(kt_actx *a, int threads, unsigned cols, const kt_afilter *f,
                                 kt_ascan_receipts_fn fn, void *const *states, kt_err *err) {
    cols &= (1u << KT_COLS_R_N) - 1;
    return scan_run(a, threads, false, cols ? cols : 1, f, false, NULL, NULL, fn, states, err);
}

void kt_actx_delta(kt_actx *a, kt_cols_receipts *r, kt_cols_lines *l, uint64_t *op_max) {
    *r = (kt_cols_receipts){a->d.nr, a->d.r_receipt, a->d.r_member, a->d.r_store, a->d.r_day,
                            a->d.r_minute, a->d.r_flags, a->d.r_amount};
    *l = (kt_cols_lines){a->d.nl, a->d.l_receipt, a->d.l_member, a->d.l_store, a->d.l_sku,
                         a->d.l_day, a->d.l_minute, a->d.l_qty, a->d.l_amount};
    *op_max = a->d.op_max;
}

const char *kt_actx_delta_sku(const kt_actx *a, uint32_t cols_id) {
    if (!(cols_id & KT_COLS_FOREIGN)) return NULL;
    size_t e = cols_id & ~KT_COLS_FOREIGN, dn = kt_cols_dict_count(a->c, KT_DICT_SKU);
    return e >= dn && e - dn < a->d.nextra ? a->d.extra_sku[e - dn] : NULL;
}

/* ---- filters ---- */
typedef struct maxday { int32_t max; } maxday;
static void maxday_fn(void *state, const kt_cols_receipts *seg, size_t begin, size_t end) {
    maxday *m = state;
    for (size_t i = begin; i < end; i++)
        if (seg->day[i] > m->max) m->max = seg->day[i];
}

kt_day kt_actx_last_day(kt_actx *a) {
    if (a->last_day_known) return a->last_day;
    maxday m[2] = {{INT32_MIN}, {INT32_MIN}};
    void *states[2] = {&m[0], &m[1]};
    kt_err ignore = {0};
    if (kt_actx_scan_receipts_cols(a, 2, KT_ASCAN_COL(KT_COLS_R_DAY), maxday_fn, states, &ignore)) kt_err_clear(&ignore);
    a->last_day = m[0].max > m[1].max ? m[0].max : m[1].max;
    if (a->last_day == INT32_MIN) a->last_day = KT_DAY_NONE;
    a->last_day_known = true;
    return a->last_day;
}

kt_rc kt_actx_filter(kt_actx *a, kt_day as_of, kt_day from, kt_day to, const char *stores, const char *region,
                     kt_afilter *out, kt_err *err) {
    *out = (kt_afilter){.from = from == KT_DAY_NONE ? INT32_MIN : from, .to = INT32_MAX, .store_ok = NULL};
    if (to != KT_DAY_NONE) out->to = to;
    if (as_of != KT_DAY_NONE && as_of < out->to) out->to = as_of;
    if (from != KT_DAY_NONE && to != KT_DAY_NONE && from > to)
        return kt_fail(err, KT_EUSAGE, "--from", "is after --to");
    if (!stores && !region) return KT_OK;
    kt_rc rc = kt_actx_load_stores(a, err);
    if (rc) return rc;
    size_t n = a->count[KT_ADIM_STORE];
    free(a->store_mask);
    a->store_mask = kt_xcalloc(n ? n : 1, 1);
    if (stores) {
        const char *p = stores;
        for (;;) {
            const char *e = strchr(p, ',');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            uint32_t id;
            if (!len || !kt_strmap_get(a->store_by_code, p, len, &id))
                return kt_fail(err, KT_ENOTFOUND, "--store", "no store \"%.*s\"", (int)(len > 60 ? 60 : len), p);
            a->store_mask[id] = 1;
            if (!e) break;
            p = e + 1;
        }
    }
    if (region) {
        bool any = false;
        for (size_t i = 0; i < n; i++) {
            bool in = a->store_region[i] && !strcmp(a->store_region[i], region);
            if (stores) a->store_mask[i] = a->store_mask[i] && in;
            else a->store_mask[i] = in;
            any |= in;
        }
        if (!any) return kt_fail(err, KT_ENOTFOUND, "--region", "no store in region \"%.60s\"", region);
    }
    out->store_ok = a->store_mask;
    return KT_OK;
}
