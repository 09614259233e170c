/*
 * cols.c - the column file format, the appending writer that publishes whole
 * imports atomically, and the read side that maps segments (cols.h,
 * docs/internals/columns.md).
 *
 * Layout under DATA/cols/:
 *   MANIFEST                 the published segments and counters (text)
 *   dict-member.txt ...      external ids not in the operational store, one a line
 *   YYYY-MM/seg-NNNNNN/      one segment: r.* receipt columns, l.* line columns
 *   YYYY-MM/.tmp-seg-NNNNNN/ a segment being written (never read; removed on abort)
 */
#include "cols/cols.h"
#include "cols/colio.h"
#include "core/date.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "column files are little-endian; a big-endian port needs byte swapping in the reader"
#endif

#define MAGIC "KTCOL\0\0\0"
/* Manifest 2 may list compact segments (below); 1 does not. */
#define MANIFEST_VERSION 2
#define PATH_MAX_ 4096
/* Rows buffered per open segment before they are appended to its files. */
#define FLUSH_RECEIPTS 16384
#define FLUSH_LINES 65536


/* Paths: the data directory is checked to be short (DATA_DIR_MAX) when a
 * writer or reader opens, so a path that does not fit is a bug. */
#define DATA_DIR_MAX 3072
__attribute__((format(printf, 2, 3))) static void pathf(char *out, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, PATH_MAX_, fmt, ap);
    va_end(ap);
    KT_ASSERT(n >= 0 && n < PATH_MAX_);
}

static const char *const dict_file[KT_DICT_COUNT_] = {"dict-member.txt", "dict-store.txt", "dict-sku.txt"};

/* ---- string map ----------------------------------------------------------- */
typedef struct slot { uint64_t off; uint32_t len, value, hash, used; } slot;
struct kt_strmap {
    slot *slots;
    size_t cap, count;       /* cap is a power of two */
    char *keys;
    size_t keys_len, keys_cap;
};

static uint32_t hash_bytes(const char *s, size_t len) {
    uint64_t h = kt_hash_bytes(s, len); /* folded */
    return (uint32_t)(h ^ (h >> 32));
}

kt_strmap *kt_strmap_new(void) {
    kt_strmap *m = kt_xcalloc(1, sizeof *m);
    m->cap = 1024;
    m->slots = kt_xcalloc(m->cap, sizeof *m->slots);
    return m;
}

void kt_strmap_free(kt_strmap *m) {
    if (!m) return;
    free(m->slots);
    free(m->keys);
    free(m);
}

static slot *find_slot(const kt_strmap *m, const char *key, size_t len, uint32_t h) {
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        slot *s = &m->slots[i];
        if (!s->used) return s;
        if (s->hash == h && s->len == len && memcmp(m->keys + s->off, key, len) == 0) return s;
    }
}

bool kt_strmap_get(const kt_strmap *m, const char *key, size_t len, uint32_t *value) {
    slot *s = find_slot(m, key, len, hash_bytes(key, len));
    if (!s->used) return false;
    *value = s->value;
    return true;
}

static void grow(kt_strmap *m) {
    slot *old = m->slots;
    size_t ocap = m->cap;
    m->cap *= 2;
    m->slots = kt_xcalloc(m->cap, sizeof *m->slots);
    for (size_t i = 0; i < ocap; i++) {
        if (!old[i].used) continue;
        size_t mask = m->cap - 1, j = old[i].hash & mask;
        while (m->slots[j].used) j = (j + 1) & mask;
        m->slots[j] = old[i];
    }
    free(old);
}

void kt_strmap_put(kt_strmap *m, const char *key, size_t len, uint32_t value) {
    uint32_t h = hash_bytes(key, len);
    slot *s = find_slot(m, key, len, h);
    if (s->used) { s->value = value; return; }
    if (m->keys_len + len + 1 > m->keys_cap) {
        m->keys_cap = (m->keys_cap + len + 1) * 2;
        m->keys = kt_xrealloc(m->keys, m->keys_cap);
    }
    memcpy(m->keys + m->keys_len, key, len);
    m->keys[m->keys_len + len] = 0;
    *s = (slot){m->keys_len, (uint32_t)len, value, h, 1};
    m->keys_len += len + 1;
    m->count++;
    if (m->count * 2 > m->cap) grow(m);
}

size_t kt_strmap_count(const kt_strmap *m) { return m->count; }
size_t kt_strmap_bytes(const kt_strmap *m) { return m->cap * sizeof(slot) + m->keys_cap; }

/* ---- columns of the two tables ---------------------------------------------- */
typedef struct coldef { const char *name; kt_col_type type; } coldef;
enum { RC_RECEIPT, RC_MEMBER, RC_STORE, RC_DAY, RC_MINUTE, RC_FLAGS, RC_AMOUNT, RC_UNITS, RC_LINES, RC_N };
enum { LC_RECEIPT, LC_MEMBER, LC_STORE, LC_SKU, LC_DAY, LC_MINUTE, LC_QTY, LC_AMOUNT, LC_N };
static const coldef receipt_cols[RC_N] = {
    {"r.receipt", KT_COL_U32}, {"r.member", KT_COL_U32}, {"r.store", KT_COL_U32}, {"r.day", KT_COL_I32},
    {"r.minute", KT_COL_U16}, {"r.flags", KT_COL_U8}, {"r.amount", KT_COL_I64},
    {"r.units", KT_COL_I64}, {"r.lines", KT_COL_U16}, /* compact segments only */
};
static const coldef line_cols[LC_N] = {
    {"l.receipt", KT_COL_U32}, {"l.member", KT_COL_U32}, {"l.store", KT_COL_U32}, {"l.sku", KT_COL_U32},
    {"l.day", KT_COL_I32}, {"l.minute", KT_COL_U16}, {"l.qty_milli", KT_COL_I64}, {"l.amount", KT_COL_I64},
};

_Static_assert((int)RC_N == (int)KT_COLS_R_N && (int)LC_N == (int)KT_COLS_L_N && (int)RC_AMOUNT == (int)KT_COLS_R_AMOUNT && (int)LC_AMOUNT == (int)KT_COLS_L_AMOUNT,
               "cols.h numbers the columns as the tables here");

static size_t type_width(kt_col_type t) {
    switch (t) {
    case KT_COL_U8: return 1;
    case KT_COL_U16: return 2;
    case KT_COL_U32: case KT_COL_I32: return 4;
    case KT_COL_I64: return 8;
    }
    return 0;
}

static kt_rc io_fail(kt_err *err, const char *path, const char *what) {
    return kt_fail(err, KT_EIO, path, "%s: %s", what, strerror(errno));
}

static kt_rc fsync_path(const char *path, kt_err *err) {
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return io_fail(err, path, "cannot open directory");
    int r = fsync(fd);
    close(fd);
    return r ? io_fail(err, path, "fsync") : KT_OK;
}

static kt_rc mkdir_p1(const char *path, kt_err *err) {
    if (mkdir(path, 0777) == 0 || errno == EEXIST) return KT_OK;
    return io_fail(err, path, "cannot create directory");
}

/* Write the whole of buf to fd. */
static kt_rc write_all(int fd, const void *buf, size_t n, const char *path, kt_err *err) {
    const char *p = buf;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) { if (errno == EINTR) continue; return io_fail(err, path, "write"); }
        p += w;
        n -= (size_t)w;
    }
    return KT_OK;
}

/* Create PATH with N bytes of BUF and fsync it (a segment's file: the segment
 * directory's rename publishes it). */
static kt_rc write_synced(const char *path, const void *buf, size_t n, kt_err *err) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) return io_fail(err, path, "cannot create");
    kt_rc rc = write_all(fd, buf, n, path, err);
    if (!rc && fsync(fd)) rc = io_fail(err, path, "fsync");
    if (close(fd) && !rc) rc = io_fail(err, path, "close");
    return rc;
}

/* Replace path by content: temp file, fsync, rename, fsync of the directory. */
static kt_rc write_atomic(const char *dir, const char *name, const char *content, size_t len, kt_err *err) {
    char tmp[PATH_MAX_], path[PATH_MAX_];
    pathf(tmp, "%s/.tmp-%s", dir, name);
    pathf(path, "%s/%s", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) return io_fail(err, tmp, "cannot create");
    kt_rc rc = write_all(fd, content, len, tmp, err);
    if (!rc && fsync(fd)) rc = io_fail(err, tmp, "fsync");
    close(fd);
    if (!rc && rename(tmp, path)) rc = io_fail(err, path, "rename");
    if (rc) { unlink(tmp); return rc; }
    return fsync_path(dir, err);
}

static void remove_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char path[PATH_MAX_];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        pathf(path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

/* ---- manifest ----------------------------------------------------------------- */
typedef struct seginfo { char name[32]; uint64_t receipts, lines; bool compact; } seginfo;
typedef struct manifest {
    uint32_t next_receipt, next_segment, member_op_max;
    uint64_t op_mark;          /* checkout receipts (receipts.id) folded in: all ids <= op_mark */
    seginfo *segs;
    size_t nsegs, cap;
    char (*imports)[KT_COLS_FP_MAX]; /* fingerprints of the files imported */
    size_t nimports;
} manifest;

static void manifest_add_import(manifest *m, const char *fp) {
    m->imports = kt_xrealloc(m->imports, (m->nimports + 1) * sizeof *m->imports);
    snprintf(m->imports[m->nimports++], KT_COLS_FP_MAX, "%s", fp);
}

static void manifest_add(manifest *m, const seginfo *s) {
    if (m->nsegs == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->segs = kt_xrealloc(m->segs, m->cap * sizeof *m->segs);
    }
    m->segs[m->nsegs++] = *s;
}

static kt_rc manifest_read(const char *cols_dir, manifest *m, kt_err *err) {
    char path[PATH_MAX_], line[256];
    pathf(path, "%s/MANIFEST", cols_dir);
    *m = (manifest){.next_receipt = 1, .next_segment = 1};
    FILE *f = fopen(path, "r");
    if (!f) return errno == ENOENT ? KT_OK : io_fail(err, path, "cannot open");
    int lineno = 0;
    kt_rc rc = KT_OK;
    while (!rc && fgets(line, sizeof line, f)) {
        lineno++;
        seginfo s = {{0}, 0, 0, false};
        unsigned long long a, b;
        unsigned v;
        char name[32], name2[64], kind[16];
        int nf;
        if (lineno == 1) {
            if (sscanf(line, "karta-cols %u", &v) != 1 || v < 1 || v > MANIFEST_VERSION)
                rc = kt_fail(err, KT_EINVAL, path, "not a version 1..%d manifest", MANIFEST_VERSION);
        } else if (sscanf(line, "next_receipt %u", &v) == 1) m->next_receipt = v;
        else if (sscanf(line, "next_segment %u", &v) == 1) m->next_segment = v;
        else if (sscanf(line, "member_op_max %u", &v) == 1) m->member_op_max = v;
        else if (sscanf(line, "op_receipt_mark %llu", &a) == 1) m->op_mark = a;
        else if (sscanf(line, "import %63s", name2) == 1) manifest_add_import(m, name2);
        else if ((nf = sscanf(line, "segment %31s %llu %llu %15s", name, &a, &b, kind)) >= 3) {
            memcpy(s.name, name, sizeof s.name);
            s.receipts = a;
            s.lines = b;
            if (nf == 4 && strcmp(kind, "compact")) {
                rc = kt_fail(err, KT_EINVAL, path, "line %d: unknown segment kind \"%s\"", lineno, kind);
                break;
            }
            s.compact = nf == 4;
            manifest_add(m, &s);
        } else rc = kt_fail(err, KT_EINVAL, path, "line %d: not understood", lineno);
    }
    fclose(f);
    return rc;
}

static kt_rc manifest_write(const char *cols_dir, const manifest *m, kt_err *err) {
    size_t cap = 256 + m->nsegs * 96 + m->nimports * (KT_COLS_FP_MAX + 8), n = 0;
    char *buf = kt_xmalloc(cap);
    /* version 2 only where it is needed: a store without compact segments
     * stays readable by version 1 readers */
    int version = 1;
    for (size_t i = 0; i < m->nsegs; i++)
        if (m->segs[i].compact) version = 2;
    n += (size_t)snprintf(buf + n, cap - n, "karta-cols %d\nnext_receipt %u\nnext_segment %u\nmember_op_max %u\n",
                          version, m->next_receipt, m->next_segment, m->member_op_max);
    if (m->op_mark) n += (size_t)snprintf(buf + n, cap - n, "op_receipt_mark %llu\n", (unsigned long long)m->op_mark);
    for (size_t i = 0; i < m->nimports; i++) n += (size_t)snprintf(buf + n, cap - n, "import %s\n", m->imports[i]);
    for (size_t i = 0; i < m->nsegs; i++)
        n += (size_t)snprintf(buf + n, cap - n, "segment %s %llu %llu%s\n", m->segs[i].name,
                              (unsigned long long)m->segs[i].receipts, (unsigned long long)m->segs[i].lines,
                              m->segs[i].compact ? " compact" : "");
    kt_rc rc = write_atomic(cols_dir, "MANIFEST", buf, n, err);
    free(buf);
    return rc;
}

/* ---- dictionaries -------------------------------------------------------------- */
/* The names live in one arena, NUL-terminated, found by their offsets; the
 * writer's index is open addressing over 8-byte slots (the name's hash in the
 * high half, its index + 1 in the low half; 0 is empty), so 40 M member names
 * cost about 30 bytes each instead of a map entry and an allocation apiece. */
typedef struct dict {
    char *arena;
    size_t len, cap;
    uint64_t *off;
    size_t count, ocap, saved;
    uint64_t *slots;          /* writer only (NULL in readers) */
    size_t nslots;            /* a power of two */
} dict;

static const char *dict_at(const dict *d, size_t i) { return d->arena + d->off[i]; }

/* A dictionary index of N slots, zeroed. A large one (the month's members: 1 GB)
 * is a mapping on 2 MB pages where the kernel has them: each probe is a random
 * read, and 4 KB pages would make most of them a TLB miss as well. */
#define SLOTS_MAP_BYTES ((size_t)64 << 20)
static uint64_t *slots_alloc(size_t n) {
    size_t bytes = n * sizeof(uint64_t);
    if (bytes >= SLOTS_MAP_BYTES) {
        void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        KT_ASSERT(p != MAP_FAILED); /* out of memory for a dictionary index */
        (void)madvise(p, bytes, MADV_HUGEPAGE);
        return p;
    }
    return kt_xcalloc(n, sizeof(uint64_t));
}

static void slots_free(uint64_t *p, size_t n) {
    if (!p) return;
    if (n * sizeof(uint64_t) >= SLOTS_MAP_BYTES) munmap(p, n * sizeof(uint64_t));
    else free(p);
}

static uint64_t *dict_slot(const dict *d, const char *s, size_t len, uint32_t h) {
    size_t mask = d->nslots - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint64_t v = d->slots[i];
        if (!v) return &d->slots[i];
        if ((uint32_t)(v >> 32) == h) {
            const char *name = dict_at(d, (size_t)(uint32_t)v - 1);
            if (!memcmp(name, s, len) && name[len] == 0) return &d->slots[i];
        }
    }
}

static void dict_index(dict *d, size_t i) {
    const char *name = dict_at(d, i);
    uint32_t h = hash_bytes(name, strlen(name));
    size_t mask = d->nslots - 1, j = h & mask;
    while (d->slots[j]) j = (j + 1) & mask;
    d->slots[j] = (uint64_t)h << 32 | (uint64_t)(i + 1);
}

/* The index rebuilt with NSLOTS slots (a power of two). */
static void dict_rehash(dict *d, size_t nslots) {
    slots_free(d->slots, d->nslots);
    d->nslots = nslots;
    d->slots = slots_alloc(d->nslots);
    for (size_t i = 0; i < d->count; i++) dict_index(d, i);
}

/* The smallest power of two from N that keeps COUNT names at most half full. */
static size_t slots_for(size_t n, size_t count) {
    while (count * 2 > n) n *= 2;
    return n;
}

static void dict_grow_index(dict *d) { dict_rehash(d, d->nslots ? d->nslots * 2 : 1024); }

static void dict_push(dict *d, const char *s, size_t len) {
    if (d->count == d->ocap) {
        d->ocap = d->ocap ? d->ocap * 2 : 256;
        d->off = kt_xrealloc(d->off, d->ocap * sizeof *d->off);
    }
    if (d->len + len + 1 > d->cap) {
        d->cap = (d->cap + len + 1) * 2;
        d->arena = kt_xrealloc(d->arena, d->cap);
    }
    memcpy(d->arena + d->len, s, len);
    d->arena[d->len + len] = 0;
    d->off[d->count++] = d->len;
    d->len += len + 1;
    if (d->slots) {
        if (d->count * 2 > d->nslots) dict_grow_index(d);
        else dict_index(d, d->count - 1);
    }
}

/* Room for COUNT names of BYTES in all without growing (the index rebuilt once). */
static void dict_reserve(dict *d, size_t count, size_t bytes) {
    if (count > d->ocap) {
        d->ocap = count;
        d->off = kt_xrealloc(d->off, d->ocap * sizeof *d->off);
    }
    if (bytes > d->cap) {
        d->cap = bytes;
        d->arena = kt_xrealloc(d->arena, d->cap);
    }
    if (d->slots && count * 2 > d->nslots) dict_rehash(d, slots_for(d->nslots, count));
}

static bool dict_get(const dict *d, const char *s, size_t len, uint32_t *out) {
    uint64_t v = *dict_slot(d, s, len, hash_bytes(s, len));
    if (!v) return false;
    *out = KT_COLS_FOREIGN | (uint32_t)((uint32_t)v - 1);
    return true;
}

/* The whole file in one read; line feeds become the names' NULs. */
static kt_rc dict_read(const char *cols_dir, kt_cols_dict_kind k, dict *d, bool with_index, kt_err *err) {
    char path[PATH_MAX_];
    pathf(path, "%s/%s", cols_dir, dict_file[k]);
    *d = (dict){0};
    if (with_index) dict_grow_index(d);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? KT_OK : io_fail(err, path, "cannot open");
    struct stat st;
    if (fstat(fd, &st)) { close(fd); return io_fail(err, path, "stat"); }
    size_t size = (size_t)st.st_size;
    d->cap = size + 2;
    d->arena = kt_xmalloc(d->cap);
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, d->arena + got, size - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) { close(fd); return r < 0 ? io_fail(err, path, "read") : kt_fail(err, KT_EIO, path, "changed while read"); }
        got += (size_t)r;
    }
    close(fd);
    if (size && d->arena[size - 1] != '\n') d->arena[size++] = '\n';
    d->len = size;
    size_t lines = 0;
    for (const char *p = d->arena, *e = d->arena + size; (p = memchr(p, '\n', (size_t)(e - p))); p++) lines++;
    d->ocap = lines ? lines : 1;
    d->off = kt_xmalloc(d->ocap * sizeof *d->off);
    for (size_t at = 0; at < size;) {
        char *nl = memchr(d->arena + at, '\n', size - at);
        *nl = 0;
        d->off[d->count++] = at;
        at = (size_t)(nl - d->arena) + 1;
    }
    if (with_index) dict_rehash(d, slots_for(d->nslots, d->count));
    d->saved = d->count;
    return KT_OK;
}

static void dict_free(dict *d) {
    free(d->arena);
    free(d->off);
    slots_free(d->slots, d->nslots);
}

/* The names a line each, through a temp file renamed into place, written a
 * block at a time (no second copy of a large dictionary in memory). */
static kt_rc dict_write(const char *cols_dir, kt_cols_dict_kind k, const dict *d, kt_err *err) {
    char tmp[PATH_MAX_], path[PATH_MAX_];
    pathf(tmp, "%s/.tmp-%s", cols_dir, dict_file[k]);
    pathf(path, "%s/%s", cols_dir, dict_file[k]);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) return io_fail(err, tmp, "cannot create");
    enum { BLOCK = 1 << 20 };
    char *buf = kt_xmalloc(BLOCK);
    kt_rc rc = KT_OK;
    for (size_t at = 0; at < d->len && !rc;) {
        size_t n = d->len - at < BLOCK ? d->len - at : BLOCK;
        memcpy(buf, d->arena + at, n);
        for (size_t i = 0; i < n; i++)
            if (!buf[i]) buf[i] = '\n';
        rc = write_all(fd, buf, n, tmp, err);
        at += n;
    }
    free(buf);
    if (!rc && fsync(fd)) rc = io_fail(err, tmp, "fsync");
    close(fd);
    if (!rc && rename(tmp, path)) rc = io_fail(err, path, "rename");
    if (rc) { unlink(tmp); return rc; }
    return fsync_path(cols_dir, err);
}

/* ---- SKU summaries (cols.h) ------------------------------------------------------ */
/* File s.sku of a segment:
 *   offset 0  char magic[8] "KTSUM\0\0\0"
 *          8  u32 version   1
 *         12  u32 flags     KT_COLS_SUM_RECEIPTS
 *         16  u64 entries
 *         24  u64 lines     the segment's lines (checked against the manifest)
 *         32  entries x kt_cols_sku_sum, ascending by SKU id */
#define SUM_MAGIC "KTSUM\0\0\0"
#define SUM_VERSION 1
#define SUM_FILE "s.sku"
typedef struct sum_header {
    char magic[8];
    uint32_t version, flags;
    uint64_t entries, lines;
} sum_header;
_Static_assert(sizeof(sum_header) == 32, "summary header is 32 bytes on disk");

/* The writer's sums of one SKU in one segment. */
typedef struct sum_acc {
    int64_t amount, qty_milli;
    uint32_t receipts;
    uint32_t last_receipt;        /* the last receipt counted (ids start at 1) */
    uint32_t lines;               /* 0: the SKU has no line here */
    uint32_t unused;
} sum_acc;

/* File s.hour of a segment: the same header (magic "KTHOUR\0\0", flags
 * KT_COLS_SUM_UNITS, the segment's receipts in place of its lines), then
 * entries x kt_cols_hour_sum ascending by (day, hour). The writer keeps a
 * month's 31 x 24 buckets per open segment. */
#define HOUR_MAGIC "KTHOUR\0\0"
#define HOUR_FILE "s.hour"
#define HOUR_BUCKETS (31 * 24)

/* ---- writer ---------------------------------------------------------------------- */
typedef struct wseg {
    int year, month;
    uint32_t number;
    char tmp[PATH_MAX_];          /* YYYY-MM/.tmp-seg-N */
    uint64_t receipts, lines;     /* rows flushed to files */
    kt_cols_receipt_row *rbuf;    /* rows not yet flushed */
    kt_cols_line_row *lbuf;       /* wide segments' lines not yet flushed */
    uint32_t *crec, *csku;        /* compact segments' lines not yet flushed, column by column */
    int64_t *cqty, *camt;
    size_t rn, ln;
    bool closed;                  /* full: a newer segment of the month takes rows */
    bool compact;                 /* lines follow their receipt (kt_cols_writer_compact) */
    uint8_t ltype[LC_N];          /* type of each line column written; 0: not stored */
    uint8_t rtype[RC_N];          /* the same for receipts */
    kt_colstream *ls[LC_N];       /* unbuffered writer: line columns past the page cache (NULL: col_append) */
    kt_colstream *rs[RC_N];       /* unbuffered writer: receipt columns, cached, on the I/O thread */
    uint64_t rows_max;            /* rows of a table that fill it (KT_COLS_SEGMENT_ROWS_MAX) */
    sum_acc *sum[2];              /* by SKU id, [0] operational, [1] dictionary (id & ~KT_COLS_FOREIGN) */
    uint32_t nsum[2];             /* entries allocated */
    bool sum_off;                 /* no summary: an id past KT_COLS_SUM_IDS_MAX or a sum that overflowed */
    bool sum_written;             /* s.sku is written (the segment was closed) */
    kt_cols_hour_sum *hours;      /* HOUR_BUCKETS by (day of month - 1) x 24 + hour; NULL: no s.hour */
    int32_t last_day;             /* of the last receipt flushed */
    bool day_order;               /* receipts flushed so far ascend by day (KT_COLS_SUM_DAY_ORDER) */
} wseg;

struct kt_cols_writer {
    char cols[PATH_MAX_];
    int lock_fd;
    manifest man;
    dict dicts[KT_DICT_COUNT_];
    wseg *segs;
    size_t nsegs, cap;
    uint32_t member_op_max;
    uint64_t op_mark_next;        /* 0: keep the manifest's op_mark */
    char fp_next[KT_COLS_FP_MAX]; /* "": record no import */
    void *scratch;                /* one column of a flush */
    bool published;
    int32_t last_day[2];          /* seg_for_day's last answer: [0] receipts, [1] lines */
    size_t last_seg[2];
    bool last_ok[2];
    bool compact;                 /* kt_cols_writer_compact: each line follows its receipt */
    kt_colio *io;                 /* kt_cols_writer_unbuffered: the I/O thread of line columns */
    uint64_t seg_rows;            /* segments created take this many rows of a table */
    bool have_cur;                /* compact: the last receipt written and its segment */
    kt_cols_receipt_row cur;
    size_t cur_seg;
};

static kt_rc seg_create(kt_cols_writer *w, int year, int month, wseg **out, kt_err *err) {
    char mdir[PATH_MAX_];
    pathf(mdir, "%s/%04d-%02d", w->cols, year, month);
    kt_rc rc = mkdir_p1(mdir, err);
    if (rc) return rc;
    if (w->nsegs == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 8;
        w->segs = kt_xrealloc(w->segs, w->cap * sizeof *w->segs);
    }
    wseg *s = &w->segs[w->nsegs];
    *s = (wseg){.year = year, .month = month, .number = w->man.next_segment++, .compact = w->compact,
                .rows_max = w->seg_rows};
    for (int c = 0; c < LC_N; c++) s->ltype[c] = (uint8_t)line_cols[c].type;
    for (int c = 0; c < RC_N; c++) s->rtype[c] = (uint8_t)receipt_cols[c].type;
    s->rtype[RC_UNITS] = s->compact ? KT_COL_I32 : 0;
    if (s->compact) s->rtype[RC_AMOUNT] = KT_COL_I32; /* widened as the lines' amounts are */
    if (!s->compact) s->rtype[RC_LINES] = 0;
    if (s->compact) {
        /* taken from the receipt by the reader; amounts and quantities in 32
         * bits until one does not fit (seg_flush widens the file then) */
        s->ltype[LC_MEMBER] = s->ltype[LC_STORE] = s->ltype[LC_DAY] = s->ltype[LC_MINUTE] = 0;
        s->ltype[LC_QTY] = s->ltype[LC_AMOUNT] = KT_COL_I32;
    }
    pathf(s->tmp, "%s/.tmp-seg-%06u", mdir, s->number);
    if (mkdir(s->tmp, 0777)) return io_fail(err, s->tmp, "cannot create directory");
    w->nsegs++;
    s->rbuf = kt_xmalloc((FLUSH_RECEIPTS + 1) * sizeof *s->rbuf);
    s->hours = kt_xcalloc(HOUR_BUCKETS, sizeof *s->hours);
    s->day_order = true;
    s->last_day = INT32_MIN;
    if (s->compact) {
        s->crec = kt_xmalloc(FLUSH_LINES * sizeof *s->crec);
        s->csku = kt_xmalloc(FLUSH_LINES * sizeof *s->csku);
        s->cqty = kt_xmalloc(FLUSH_LINES * sizeof *s->cqty);
        s->camt = kt_xmalloc(FLUSH_LINES * sizeof *s->camt);
    } else {
        s->lbuf = kt_xmalloc(FLUSH_LINES * sizeof *s->lbuf);
    }
    *out = s;
    return KT_OK;
}

/* Append n values of one column: the first append writes a header with rows 0
 * (fixed at commit). */
static kt_rc col_append(const char *dir, const coldef *c, uint64_t before, const void *vals, size_t n, kt_err *err) {
    char path[PATH_MAX_];
    pathf(path, "%s/%s", dir, c->name);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0666);
    if (fd < 0) return io_fail(err, path, "cannot open");
    kt_rc rc = KT_OK;
    if (before == 0) {
        kt_col_header h = {MAGIC, KT_COLS_VERSION, (uint32_t)c->type, 0, (uint32_t)type_width(c->type), 0};
        rc = write_all(fd, &h, sizeof h, path, err);
    }
    if (!rc) rc = write_all(fd, vals, n * type_width(c->type), path, err);
#ifdef SYNC_FILE_RANGE_WRITE
    /* Start writing back now: the fsync at commit then waits for less. */
    if (!rc) (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
    if (close(fd) && !rc) rc = io_fail(err, path, "close");
    return rc;
}

#define GATHER(T, rows, n, field)                                             \
    do { T *o_ = w->scratch; for (size_t i_ = 0; i_ < (n); i_++) o_[i_] = (T)(rows)[i_].field; } while (0)

/* Narrow N int64 values to int32 in place, if every one fits. */
static bool narrow(void *vals, size_t n) {
    const int64_t *v = vals;
    for (size_t i = 0; i < n; i++)
        if (v[i] < INT32_MIN || v[i] > INT32_MAX) return false;
    int32_t *o = vals;
    for (size_t i = 0; i < n; i++) o[i] = (int32_t)v[i]; /* o[i] lies below v[i]: safe forwards */
    return true;
}

/* Rewrite a 32-bit column of ROWS rows as 64-bit (a value that does not fit
 * came): temp file, rename. Rare; the segment's other columns are untouched. */
static kt_rc widen_file(const char *dir, const char *name, uint64_t rows, kt_err *err) {
    if (rows == 0) return KT_OK; /* nothing written yet: the first append writes the wide header */
    char path[PATH_MAX_], tmp[PATH_MAX_];
    pathf(path, "%s/%s", dir, name);
    pathf(tmp, "%s/.wide-%s", dir, name);
    int in = open(path, O_RDONLY);
    if (in < 0) return io_fail(err, path, "cannot open");
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (out < 0) { close(in); return io_fail(err, tmp, "cannot create"); }
    kt_col_header h = {MAGIC, KT_COLS_VERSION, KT_COL_I64, 0, 8, 0};
    kt_rc rc = write_all(out, &h, sizeof h, tmp, err);
    enum { CHUNK = 65536 };
    int32_t *a = kt_xmalloc(CHUNK * sizeof *a);
    int64_t *b = kt_xmalloc(CHUNK * sizeof *b);
    for (uint64_t at = 0; at < rows && !rc;) {
        size_t n = rows - at < CHUNK ? (size_t)(rows - at) : CHUNK;
        ssize_t r = pread(in, a, n * sizeof *a, (off_t)(sizeof h + at * sizeof *a));
        if (r != (ssize_t)(n * sizeof *a)) { rc = io_fail(err, path, "read back"); break; }
        for (size_t i = 0; i < n; i++) b[i] = a[i];
        rc = write_all(out, b, n * sizeof *b, tmp, err);
        at += n;
    }
    free(a);
    free(b);
    close(in);
    if (close(out) && !rc) rc = io_fail(err, tmp, "close");
    if (!rc && rename(tmp, path)) rc = io_fail(err, path, "rename");
    if (rc) unlink(tmp);
    return rc;
}

/* A batch of N 64-bit values of a column stored in 32 bits (*TYPE I32): narrowed
 * in place when every value fits, else the file's BEFORE rows are rewritten in
 * 64 bits and *TYPE becomes I64 (the batch is then appended as it is). */
static kt_rc fit_batch(const char *dir, const coldef *def, uint8_t *type, uint64_t before, void *vals, size_t n,
                       kt_colstream **stream, kt_colio *io, kt_err *err) {
    if (*type != KT_COL_I32 || def->type != KT_COL_I64 || narrow(vals, n)) return KT_OK;
    if (stream && *stream) {
        /* the file is read back: everything written first, then appends through the page cache */
        kt_rc rc = kt_colstream_close(*stream, err);
        *stream = NULL;
        if (!rc) rc = kt_colio_drain(io, err);
        if (rc) return rc;
    }
    kt_rc rc = widen_file(dir, def->name, before, err);
    if (!rc) *type = KT_COL_I64;
    return rc;
}

static void sum_drop(wseg *s) {
    for (int k = 0; k < 2; k++) {
        free(s->sum[k]);
        s->sum[k] = NULL;
        s->nsum[k] = 0;
    }
    s->sum_off = true;
}

/* Room for SKU entry X of kind K; false past KT_COLS_SUM_IDS_MAX. */
static bool sum_room(wseg *s, int k, uint32_t x) {
    if (x >= KT_COLS_SUM_IDS_MAX) return false;
    uint32_t n = s->nsum[k] ? s->nsum[k] : 1024;
    while (n <= x) n *= 2;
    if (n > KT_COLS_SUM_IDS_MAX) n = KT_COLS_SUM_IDS_MAX;
    s->sum[k] = kt_xrealloc(s->sum[k], n * sizeof *s->sum[k]);
    memset(s->sum[k] + s->nsum[k], 0, (n - s->nsum[k]) * sizeof *s->sum[k]);
    s->nsum[k] = n;
    return true;
}

/* One line into the segment's summary; false: it cannot be kept (an id past
 * the range, a sum that does not fit). A receipt's lines come together in
 * compact segments, so a change of receipt id per SKU counts a receipt once;
 * other segments do not count receipts. */
static inline bool sum_line(wseg *s, uint32_t receipt, uint32_t sku, int64_t qty_milli, int64_t amount) {
    int k = (sku & KT_COLS_FOREIGN) ? 1 : 0;
    uint32_t x = sku & ~KT_COLS_FOREIGN;
    if (x >= s->nsum[k] && !sum_room(s, k, x)) return false;
    sum_acc *e = &s->sum[k][x];
    if (__builtin_add_overflow(e->amount, amount, &e->amount) ||
        __builtin_add_overflow(e->qty_milli, qty_milli, &e->qty_milli))
        return false;
    e->lines++;
    if (qty_milli >= 0 && amount >= 0 && e->last_receipt != receipt) {
        e->last_receipt = receipt;
        e->receipts++;
    }
    return true;
}

/* Add the segment's buffered lines to its summary (before they are flushed:
 * the flush narrows compact amounts in place). */
static void sum_add(wseg *s) {
    if (s->sum_off) return;
    bool ok = true;
    if (s->compact)
        for (size_t i = 0; i < s->ln && ok; i++) ok = sum_line(s, s->crec[i], s->csku[i], s->cqty[i], s->camt[i]);
    else
        for (size_t i = 0; i < s->ln && ok; i++) {
            const kt_cols_line_row *l = &s->lbuf[i];
            ok = sum_line(s, l->receipt, l->sku, l->qty_milli, l->amount);
        }
    if (!ok) sum_drop(s);
}

/* Write the segment's s.sku (every line flushed) and free its sums. */
static kt_rc sum_write(wseg *s, kt_err *err) {
    if (s->sum_written) return KT_OK;
    s->sum_written = true;
    if (s->sum_off) return KT_OK;
    size_t count = 0;
    for (int k = 0; k < 2; k++)
        for (uint32_t x = 0; x < s->nsum[k]; x++) count += s->sum[k][x].lines > 0;
    size_t bytes = sizeof(sum_header) + count * sizeof(kt_cols_sku_sum);
    char *buf = kt_xmalloc(bytes);
    sum_header h = {SUM_MAGIC, SUM_VERSION, s->compact ? KT_COLS_SUM_RECEIPTS : 0, count, s->lines};
    memcpy(buf, &h, sizeof h);
    kt_cols_sku_sum *e = (kt_cols_sku_sum *)(buf + sizeof h);
    for (int k = 0; k < 2; k++) /* operational ids, then dictionary ids: ascending */
        for (uint32_t x = 0; x < s->nsum[k]; x++) {
            const sum_acc *a = &s->sum[k][x];
            if (!a->lines) continue;
            *e++ = (kt_cols_sku_sum){x | (k ? KT_COLS_FOREIGN : 0u), s->compact ? a->receipts : 0, a->amount,
                                     a->qty_milli};
        }
    char path[PATH_MAX_];
    pathf(path, "%s/%s", s->tmp, SUM_FILE);
    kt_rc rc = write_synced(path, buf, bytes, err);
    free(buf);
    sum_drop(s);
    return rc;
}

/* Add N receipts to the segment's hour summary (when they are flushed: a
 * compact segment's open receipt, whose units and lines still grow, is not). */
static void hours_add(wseg *s, const kt_cols_receipt_row *rows, size_t n) {
    if (!s->hours) return;
    kt_day first = kt_day_from_civil(s->year, s->month, 1);
    for (size_t i = 0; i < n; i++) {
        const kt_cols_receipt_row *r = &rows[i];
        uint32_t d = (uint32_t)(r->day - first), b = d * 24 + r->minute / 60;
        KT_ASSERT(d < 31 && r->minute < 1440); /* rows come to the segment of their month */
        kt_cols_hour_sum *h = &s->hours[b];
        if (r->day < s->last_day) s->day_order = false;
        s->last_day = r->day;
        h->rows++;
        h->receipts += !(r->flags & KT_COLS_RETURN);
        h->lines += r->lines;
        if (__builtin_add_overflow(h->amount, r->amount, &h->amount) ||
            __builtin_add_overflow(h->units, r->units, &h->units)) {
            free(s->hours);
            s->hours = NULL;
            return;
        }
    }
}

/* Write the segment's s.hour (every receipt flushed) and free its buckets. */
static kt_rc hours_write(wseg *s, kt_err *err) {
    if (!s->hours) return KT_OK;
    kt_day first = kt_day_from_civil(s->year, s->month, 1);
    size_t count = 0;
    for (size_t b = 0; b < HOUR_BUCKETS; b++) count += s->hours[b].rows > 0;
    size_t bytes = sizeof(sum_header) + count * sizeof(kt_cols_hour_sum);
    char *buf = kt_xmalloc(bytes);
    sum_header h = {HOUR_MAGIC, SUM_VERSION,
                    (s->compact ? KT_COLS_SUM_UNITS : 0u) | (s->day_order ? KT_COLS_SUM_DAY_ORDER : 0u), count,
                    s->receipts};
    memcpy(buf, &h, sizeof h);
    kt_cols_hour_sum *e = (kt_cols_hour_sum *)(buf + sizeof h);
    for (size_t b = 0; b < HOUR_BUCKETS; b++) {
        if (!s->hours[b].rows) continue;
        *e = s->hours[b];
        e->day = first + (int32_t)(b / 24);
        e->hour = (uint32_t)(b % 24);
        if (!s->compact) e->units = e->lines = 0;
        e++;
    }
    char path[PATH_MAX_];
    pathf(path, "%s/%s", s->tmp, HOUR_FILE);
    kt_rc rc = write_synced(path, buf, bytes, err);
    free(buf);
    free(s->hours);
    s->hours = NULL;
    return rc;
}

/* Append the buffered rows to the segment's files. Unless FINAL, a compact
 * segment keeps the writer's open receipt buffered: its lines still add to
 * its units and line count. */
/* A column file of segment S on the I/O thread, its header written first
 * (CACHED: through the page cache; else past it, see colio.h). */
static kt_rc stream_open(kt_cols_writer *w, wseg *s, const coldef *def, bool cached, kt_colstream **out,
                         kt_err *err) {
    char path[PATH_MAX_];
    pathf(path, "%s/%s", s->tmp, def->name);
    kt_col_header h = {MAGIC, KT_COLS_VERSION, (uint32_t)def->type, 0, (uint32_t)type_width(def->type), 0};
    return kt_colstream_open(w->io, path, &h, sizeof h, cached, out, err);
}

static kt_rc seg_flush(kt_cols_writer *w, wseg *s, bool final, kt_err *err) {
    kt_rc rc = KT_OK;
    size_t keep = !final && s->compact && s->rn && w->have_cur && (size_t)(s - w->segs) == w->cur_seg ? 1 : 0;
    size_t nr = s->rn - keep;
    if (nr) {
        hours_add(s, s->rbuf, nr);
        for (int c = 0; c < RC_N && !rc; c++) {
            if (!s->rtype[c]) continue;
            switch (c) {
            case RC_RECEIPT: GATHER(uint32_t, s->rbuf, nr, receipt); break;
            case RC_MEMBER: GATHER(uint32_t, s->rbuf, nr, member); break;
            case RC_STORE: GATHER(uint32_t, s->rbuf, nr, store); break;
            case RC_DAY: GATHER(int32_t, s->rbuf, nr, day); break;
            case RC_MINUTE: GATHER(uint16_t, s->rbuf, nr, minute); break;
            case RC_FLAGS: GATHER(uint8_t, s->rbuf, nr, flags); break;
            case RC_AMOUNT: GATHER(int64_t, s->rbuf, nr, amount); break;
            case RC_UNITS: GATHER(int64_t, s->rbuf, nr, units); break;
            case RC_LINES: GATHER(uint16_t, s->rbuf, nr, lines); break;
            }
            if ((rc = fit_batch(s->tmp, &receipt_cols[c], &s->rtype[c], s->receipts, w->scratch, nr, &s->rs[c], w->io,
                                err)))
                break;
            coldef def = {receipt_cols[c].name, (kt_col_type)s->rtype[c]};
            if (w->io && s->compact && s->receipts == 0 && (rc = stream_open(w, s, &def, true, &s->rs[c], err))) break;
            if (s->rs[c]) rc = kt_colstream_append(s->rs[c], w->scratch, nr * type_width(def.type), err);
            else rc = col_append(s->tmp, &def, s->receipts, w->scratch, nr, err);
        }
        s->receipts += nr;
        if (keep) s->rbuf[0] = s->rbuf[s->rn - 1];
        s->rn = keep;
    }
    if (s->ln && !rc) {
        sum_add(s);
        for (int c = 0; c < LC_N && !rc; c++) {
            if (!s->ltype[c]) continue;
            void *vals = w->scratch;
            if (s->compact) {
                vals = c == LC_RECEIPT ? (void *)s->crec : c == LC_SKU ? (void *)s->csku
                     : c == LC_QTY ? (void *)s->cqty : (void *)s->camt;
                KT_ASSERT(c == LC_RECEIPT || c == LC_SKU || c == LC_QTY || c == LC_AMOUNT);
            } else switch (c) {
            case LC_RECEIPT: GATHER(uint32_t, s->lbuf, s->ln, receipt); break;
            case LC_MEMBER: GATHER(uint32_t, s->lbuf, s->ln, member); break;
            case LC_STORE: GATHER(uint32_t, s->lbuf, s->ln, store); break;
            case LC_SKU: GATHER(uint32_t, s->lbuf, s->ln, sku); break;
            case LC_DAY: GATHER(int32_t, s->lbuf, s->ln, day); break;
            case LC_MINUTE: GATHER(uint16_t, s->lbuf, s->ln, minute); break;
            case LC_QTY: GATHER(int64_t, s->lbuf, s->ln, qty_milli); break;
            case LC_AMOUNT: GATHER(int64_t, s->lbuf, s->ln, amount); break;
            }
            if ((rc = fit_batch(s->tmp, &line_cols[c], &s->ltype[c], s->lines, vals, s->ln, &s->ls[c], w->io, err)))
                break;
            coldef def = {line_cols[c].name, (kt_col_type)s->ltype[c]};
            if (w->io && s->compact && s->lines == 0 && (rc = stream_open(w, s, &def, false, &s->ls[c], err))) break;
            if (s->ls[c]) rc = kt_colstream_append(s->ls[c], vals, s->ln * type_width(def.type), err);
            else rc = col_append(s->tmp, &def, s->lines, vals, s->ln, err);
        }
        s->lines += s->ln;
        s->ln = 0;
    }
    return rc;
}

/* Whether a row of the table (receipt or line) must go to a newer segment. A
 * compact segment is closed on a receipt only, so that its lines stay with it. */
static bool seg_full(const wseg *s, bool line) {
    if (line) return s->lines + s->ln >= s->rows_max;
    return s->receipts + s->rn >= s->rows_max || (s->compact && s->lines + s->ln >= s->rows_max);
}

static void seg_free_buffers(wseg *s) {
    free(s->rbuf);
    free(s->lbuf);
    free(s->crec);
    free(s->csku);
    free(s->cqty);
    free(s->camt);
    s->rbuf = NULL;
    s->lbuf = NULL;
    s->crec = s->csku = NULL;
    s->cqty = s->camt = NULL;
}

/* A full compact segment of an unbuffered writer: its rows written, its line
 * files' tails queued and closed, its buffers freed (a month's load fills
 * hundreds of segments; their buffers would otherwise stay to the commit). */
static kt_rc seg_retire(kt_cols_writer *w, wseg *s, kt_err *err) {
    kt_rc rc = seg_flush(w, s, true, err);
    for (int c = 0; c < LC_N; c++) {
        kt_rc r2 = kt_colstream_close(s->ls[c], err);
        s->ls[c] = NULL;
        if (!rc) rc = r2;
    }
    for (int c = 0; c < RC_N; c++) {
        kt_rc r2 = kt_colstream_close(s->rs[c], err);
        s->rs[c] = NULL;
        if (!rc) rc = r2;
    }
    seg_free_buffers(s);
    return rc;
}

/* The open segment of the day's month, created on first use. */
static kt_rc seg_for_day_search(kt_cols_writer *w, int32_t day, bool line, wseg **out, kt_err *err) {
    int y, m, d;
    kt_day_to_civil(day, &y, &m, &d);
    if (y < 1900 || y > 9999) return kt_fail(err, KT_EINVAL, "day", "day %d is outside years 1900..9999", (int)day);
    for (size_t i = w->nsegs; i-- > 0;) {
        wseg *s = &w->segs[i];
        if (s->year != y || s->month != m || s->closed) continue;
        if (seg_full(s, line)) {
            /* no row comes to it any more (a compact one's open receipt is
             * complete: the row asking is the next receipt): its summaries are
             * final, and their memory is freed now rather than at commit */
            s->closed = true;
            kt_rc rc = w->io && s->compact ? seg_retire(w, s, err) : seg_flush(w, s, true, err);
            if (!rc) rc = sum_write(s, err);
            if (!rc) rc = hours_write(s, err);
            if (rc) return rc;
            break;
        }
        *out = s;
        return KT_OK;
    }
    return seg_create(w, y, m, out, err);
}

/* The same, remembering the last answer per table: rows mostly come day
 * after day, so most skip the calendar and the search. */
static kt_rc seg_for_day(kt_cols_writer *w, int32_t day, bool line, wseg **out, kt_err *err) {
    if (w->last_ok[line] && w->last_day[line] == day) {
        wseg *s = &w->segs[w->last_seg[line]];
        if (!s->closed && !seg_full(s, line)) { *out = s; return KT_OK; }
    }
    kt_rc rc = seg_for_day_search(w, day, line, out, err);
    if (!rc) {
        w->last_ok[line] = true;
        w->last_day[line] = day;
        w->last_seg[line] = (size_t)(*out - w->segs);
    }
    return rc;
}

static void remove_orphans(kt_cols_writer *w);

kt_rc kt_cols_writer_open(const char *data_dir, kt_cols_writer **out, kt_err *err) {
    if (strlen(data_dir) > DATA_DIR_MAX) return kt_fail(err, KT_EINVAL, "data", "data directory path too long");
    kt_cols_writer *w = kt_xcalloc(1, sizeof *w);
    w->lock_fd = -1;
    w->seg_rows = KT_COLS_SEGMENT_ROWS_MAX;
    pathf(w->cols, "%s/cols", data_dir);
    char path[PATH_MAX_];
    kt_rc rc = mkdir_p1(w->cols, err);
    if (!rc) {
        pathf(path, "%s/LOCK", w->cols);
        w->lock_fd = open(path, O_RDWR | O_CREAT, 0666);
        if (w->lock_fd < 0) rc = io_fail(err, path, "cannot open");
        else if (flock(w->lock_fd, LOCK_EX | LOCK_NB))
            rc = kt_fail(err, KT_ECONFLICT, path, "another import is writing the columnar store");
    }
    if (!rc) rc = manifest_read(w->cols, &w->man, err);
    if (!rc) remove_orphans(w);
    for (int k = 0; k < KT_DICT_COUNT_ && !rc; k++) rc = dict_read(w->cols, (kt_cols_dict_kind)k, &w->dicts[k], true, err);
    w->member_op_max = w->man.member_op_max;
    w->scratch = kt_xmalloc(FLUSH_LINES * 8);
    if (rc) { kt_cols_writer_abort(w); return rc; }
    *out = w;
    return KT_OK;
}

uint32_t kt_cols_writer_next_receipt(const kt_cols_writer *w) { return w->man.next_receipt; }
uint64_t kt_cols_writer_op_mark(const kt_cols_writer *w) { return w->man.op_mark; }
void kt_cols_writer_set_op_mark(kt_cols_writer *w, uint64_t mark) { w->op_mark_next = mark; }

bool kt_cols_writer_imported(const kt_cols_writer *w, const char *fingerprint) {
    for (size_t i = 0; i < w->man.nimports; i++)
        if (!strcmp(w->man.imports[i], fingerprint)) return true;
    return false;
}

void kt_cols_writer_record_import(kt_cols_writer *w, const char *fingerprint) {
    snprintf(w->fp_next, sizeof w->fp_next, "%s", fingerprint);
}

/* Segment directories the manifest does not list: left by a crash before the
 * commit point (.tmp-seg-N, or seg-N renamed but never published). Only the
 * lock holder calls this, so no import is writing them. */
static void remove_orphans(kt_cols_writer *w) {
    DIR *top = opendir(w->cols);
    if (!top) return;
    struct dirent *m;
    char mdir[PATH_MAX_], seg[PATH_MAX_], name[64];
    while ((m = readdir(top))) {
        int y, mo;
        if (sscanf(m->d_name, "%4d-%2d", &y, &mo) != 2 || strlen(m->d_name) != 7) continue;
        pathf(mdir, "%s/%s", w->cols, m->d_name);
        DIR *d = opendir(mdir);
        if (!d) continue;
        struct dirent *e;
        while ((e = readdir(d))) {
            bool orphan = !strncmp(e->d_name, ".tmp-seg-", 9);
            if (!orphan && !strncmp(e->d_name, "seg-", 4)) {
                snprintf(name, sizeof name, "%.7s/%.40s", m->d_name, e->d_name);
                orphan = true;
                for (size_t i = 0; i < w->man.nsegs && orphan; i++)
                    if (!strcmp(w->man.segs[i].name, name)) orphan = false;
            }
            if (!orphan) continue;
            pathf(seg, "%s/%s", mdir, e->d_name);
            remove_dir(seg);
        }
        closedir(d);
    }
    closedir(top);
}

void kt_cols_writer_dict_reserve(kt_cols_writer *w, kt_cols_dict_kind kind, size_t count, size_t bytes) {
    dict *d = &w->dicts[kind];
    dict_reserve(d, d->count + count, d->len + bytes);
}

kt_rc kt_cols_writer_dict(kt_cols_writer *w, kt_cols_dict_kind kind, const char *ext, size_t len,
                          uint32_t *out_id, kt_err *err) {
    dict *d = &w->dicts[kind];
    if (dict_get(d, ext, len, out_id)) return KT_OK;
    if (memchr(ext, '\n', len) || memchr(ext, '\r', len) || memchr(ext, 0, len) || len == 0)
        return kt_fail(err, KT_EINVAL, "id", "an external id must be one non-empty line");
    if (d->count >= KT_COLS_DICT_MAX) return kt_fail(err, KT_EINVAL, "id", "more than %u distinct ids", KT_COLS_DICT_MAX);
    *out_id = KT_COLS_FOREIGN | (uint32_t)d->count;
    dict_push(d, ext, len);
    return KT_OK;
}

static void note_member(kt_cols_writer *w, uint32_t member) {
    if (!(member & KT_COLS_FOREIGN) && member > w->member_op_max) w->member_op_max = member;
}

void kt_cols_writer_compact(kt_cols_writer *w) {
    KT_ASSERT(w->nsegs == 0);
    w->compact = true;
}

void kt_cols_writer_segment_rows(kt_cols_writer *w, uint64_t rows) {
    KT_ASSERT(rows > 0 && rows <= KT_COLS_SEGMENT_ROWS_MAX);
    w->seg_rows = rows;
}

void kt_cols_writer_unbuffered(kt_cols_writer *w) {
    KT_ASSERT(w->nsegs == 0 && w->compact);
    if (!w->io) w->io = kt_colio_new();
}

kt_rc kt_cols_writer_receipt(kt_cols_writer *w, const kt_cols_receipt_row *row, kt_err *err) {
    wseg *s;
    KT_ASSERT(row->minute < 1440);
    if (w->compact && w->have_cur && row->receipt <= w->cur.receipt)
        return kt_fail(err, KT_EINTERNAL, "columns", "receipt %u after %u: compact segments take receipts in id order",
                       row->receipt, w->cur.receipt);
    kt_rc rc = seg_for_day(w, row->day, false, &s, err);
    if (rc) return rc;
    if (w->compact) {
        w->have_cur = true;
        w->cur = *row;
        w->cur_seg = (size_t)(s - w->segs);
    }
    note_member(w, row->member);
    kt_cols_receipt_row *r = &s->rbuf[s->rn++];
    *r = *row;
    r->units = 0; /* the compact writer adds its lines */
    r->lines = 0;
    return s->rn >= FLUSH_RECEIPTS ? seg_flush(w, s, false, err) : KT_OK;
}

kt_rc kt_cols_writer_line(kt_cols_writer *w, const kt_cols_line_row *row, kt_err *err) {
    wseg *s;
    KT_ASSERT(row->minute < 1440);
    if (w->compact) {
        const kt_cols_receipt_row *r = &w->cur;
        if (!w->have_cur || row->receipt != r->receipt || row->member != r->member || row->store != r->store ||
            row->day != r->day || row->minute != r->minute)
            return kt_fail(err, KT_EINTERNAL, "columns", "a line of receipt %u does not follow its receipt",
                           row->receipt);
        s = &w->segs[w->cur_seg];
        KT_ASSERT(s->rn > 0); /* seg_flush keeps the open receipt buffered */
        kt_cols_receipt_row *open = &s->rbuf[s->rn - 1];
        KT_ASSERT(open->receipt == row->receipt);
        if (!kt_add_i64(open->units, row->qty_milli, &open->units))
            return kt_fail(err, KT_EINVAL, "qty", "receipt %u: the sum of its quantities does not fit in 64 bits", row->receipt);
        if (row->qty_milli >= 0 && open->lines == UINT16_MAX)
            return kt_fail(err, KT_EINVAL, "lines", "receipt %u has more than 65,535 lines", row->receipt);
        open->lines += row->qty_milli >= 0;
    } else {
        kt_rc rc = seg_for_day(w, row->day, true, &s, err);
        if (rc) return rc;
    }
    note_member(w, row->member);
    if (s->compact) {
        s->crec[s->ln] = row->receipt;
        s->csku[s->ln] = row->sku;
        s->cqty[s->ln] = row->qty_milli;
        s->camt[s->ln] = row->amount;
        s->ln++;
    } else {
        s->lbuf[s->ln++] = *row;
    }
    return s->ln == FLUSH_LINES ? seg_flush(w, s, false, err) : KT_OK;
}

kt_rc kt_cols_writer_receipt_lines(kt_cols_writer *w, const kt_cols_receipt_row *row, const uint32_t *sku,
                                   const int64_t *qty_milli, const int64_t *amount, size_t n, kt_err *err) {
    KT_ASSERT(w->compact);
    int64_t units = 0;
    size_t counted = 0;
    for (size_t i = 0; i < n; i++) {
        if (!kt_add_i64(units, qty_milli[i], &units))
            return kt_fail(err, KT_EINVAL, "qty", "receipt %u: the sum of its quantities does not fit in 64 bits", row->receipt);
        counted += qty_milli[i] >= 0;
    }
    if (counted > UINT16_MAX)
        return kt_fail(err, KT_EINVAL, "lines", "receipt %u has more than 65,535 lines", row->receipt);
    kt_rc rc = kt_cols_writer_receipt(w, row, err);
    if (rc) return rc;
    wseg *s = &w->segs[w->cur_seg];
    kt_cols_receipt_row *open = &s->rbuf[s->rn - 1];
    open->units = units;
    open->lines = (uint16_t)counted;
    for (size_t i = 0; i < n;) {
        size_t take = n - i, room = FLUSH_LINES - s->ln;
        if (take > room) take = room;
        for (size_t k = 0; k < take; k++) s->crec[s->ln + k] = row->receipt;
        memcpy(s->csku + s->ln, sku + i, take * sizeof *sku);
        memcpy(s->cqty + s->ln, qty_milli + i, take * sizeof *qty_milli);
        memcpy(s->camt + s->ln, amount + i, take * sizeof *amount);
        s->ln += take;
        i += take;
        if (s->ln == FLUSH_LINES && (rc = seg_flush(w, s, false, err))) return rc;
    }
    return KT_OK;
}

kt_rc kt_cols_writer_lines(kt_cols_writer *w, const kt_cols_line_row *rows, size_t n, kt_err *err) {
    if (w->compact) {
        for (size_t i = 0; i < n; i++) {
            kt_rc rc = kt_cols_writer_line(w, &rows[i], err);
            if (rc) return rc;
        }
        return KT_OK;
    }
    for (size_t i = 0; i < n;) {
        size_t end = i + 1;
        while (end < n && rows[end].day == rows[i].day) end++;
        while (i < end) {
            wseg *s;
            kt_rc rc = seg_for_day(w, rows[i].day, true, &s, err);
            if (rc) return rc;
            /* as many as fit before a flush or before the segment is full */
            size_t take = end - i, room = FLUSH_LINES - s->ln;
            uint64_t left = s->rows_max - (s->lines + s->ln);
            if (take > room) take = room;
            if (take > left) take = (size_t)left;
            for (size_t k = i; k < i + take; k++) {
                KT_ASSERT(rows[k].minute < 1440);
                note_member(w, rows[k].member);
            }
            memcpy(s->lbuf + s->ln, rows + i, take * sizeof *rows);
            s->ln += take;
            i += take;
            if (s->ln == FLUSH_LINES && (rc = seg_flush(w, s, false, err))) return rc;
        }
    }
    return KT_OK;
}

/* Write the final row count into each column's header and fsync the file.
 * A column with no rows gets a file with just the header. */
static kt_rc seg_seal(const char *dir, const coldef *cols, const uint8_t *types, int ncols, uint64_t rows, kt_err *err) {
    for (int c = 0; c < ncols; c++) {
        if (types && !types[c]) continue; /* not stored in this segment */
        coldef def = {cols[c].name, types ? (kt_col_type)types[c] : cols[c].type};
        char path[PATH_MAX_];
        pathf(path, "%s/%s", dir, def.name);
        int fd = open(path, O_RDWR | O_CREAT, 0666);
        if (fd < 0) return io_fail(err, path, "cannot open");
        kt_col_header h = {MAGIC, KT_COLS_VERSION, (uint32_t)def.type, rows, (uint32_t)type_width(def.type), 0};
        kt_rc rc = KT_OK;
        if (pwrite(fd, &h, sizeof h, 0) != (ssize_t)sizeof h) rc = io_fail(err, path, "write header");
        struct stat st;
        if (!rc && (fstat(fd, &st) || (uint64_t)st.st_size != sizeof h + rows * h.width))
            rc = kt_fail(err, KT_EINTERNAL, path, "size does not match %llu rows", (unsigned long long)rows);
        if (!rc && fsync(fd)) rc = io_fail(err, path, "fsync");
        close(fd);
        if (rc) return rc;
    }
    return KT_OK;
}

kt_rc kt_cols_writer_commit(kt_cols_writer *w, uint64_t *out_receipts, uint64_t *out_lines, kt_err *err) {
    kt_rc rc = KT_OK;
    uint64_t nr = 0, nl = 0;
    manifest next = w->man;
    next.segs = NULL;
    next.nsegs = next.cap = 0;
    next.imports = NULL;
    next.nimports = 0;
    for (size_t i = 0; i < w->man.nsegs; i++) manifest_add(&next, &w->man.segs[i]);
    for (size_t i = 0; i < w->man.nimports; i++) manifest_add_import(&next, w->man.imports[i]);
    if (w->fp_next[0]) manifest_add_import(&next, w->fp_next);
    /* 1. seal each segment and move it into place (still invisible: not in the manifest);
     * line files written past the page cache are complete first */
    for (size_t i = 0; i < w->nsegs && !rc && w->io; i++)
        if (!w->segs[i].closed) rc = seg_retire(w, &w->segs[i], err);
    if (!rc) rc = kt_colio_drain(w->io, err);
    for (size_t i = 0; i < w->nsegs && !rc; i++) {
        wseg *s = &w->segs[i];
        rc = seg_flush(w, s, true, err);
        if (!rc) rc = sum_write(s, err);
        if (!rc) rc = hours_write(s, err);
        if (!rc) rc = seg_seal(s->tmp, receipt_cols, s->rtype, RC_N, s->receipts, err);
        if (!rc) rc = seg_seal(s->tmp, line_cols, s->ltype, LC_N, s->lines, err);
        if (!rc) rc = fsync_path(s->tmp, err);
        seginfo si = {{0}, s->receipts, s->lines, s->compact};
        snprintf(si.name, sizeof si.name, "%04d-%02d/seg-%06u", s->year, s->month, s->number);
        char final[PATH_MAX_], mdir[PATH_MAX_];
        pathf(final, "%s/%s", w->cols, si.name);
        pathf(mdir, "%s/%04d-%02d", w->cols, s->year, s->month);
        if (!rc && rename(s->tmp, final)) rc = io_fail(err, final, "rename");
        if (!rc) { memcpy(s->tmp, final, sizeof final); rc = fsync_path(mdir, err); }
        if (!rc) manifest_add(&next, &si);
        nr += s->receipts;
        nl += s->lines;
    }
    /* 2. dictionaries (append-only: extra entries after a crash are harmless) */
    for (int k = 0; k < KT_DICT_COUNT_ && !rc; k++)
        if (w->dicts[k].count != w->dicts[k].saved) rc = dict_write(w->cols, (kt_cols_dict_kind)k, &w->dicts[k], err);
    /* 3. the manifest: this rename is the commit point */
    if (!rc) {
        uint64_t next_receipt = (uint64_t)w->man.next_receipt + nr;
        if (next_receipt >= UINT32_MAX) rc = kt_fail(err, KT_EINVAL, "receipts", "more than 2^32 receipts");
        next.next_receipt = (uint32_t)next_receipt;
        next.member_op_max = w->member_op_max;
        if (w->op_mark_next > next.op_mark) next.op_mark = w->op_mark_next;
    }
    if (!rc) rc = manifest_write(w->cols, &next, err);
    free(next.segs);
    free(next.imports);
    if (rc) { kt_cols_writer_abort(w); return rc; }
    if (out_receipts) *out_receipts = nr;
    if (out_lines) *out_lines = nl;
    w->published = true; /* abort must not remove them */
    kt_cols_writer_abort(w);
    return KT_OK;
}

void kt_cols_writer_abort(kt_cols_writer *w) {
    if (!w) return;
    for (size_t i = 0; i < w->nsegs; i++) {
        for (int c = 0; c < LC_N; c++) (void)kt_colstream_close(w->segs[i].ls[c], NULL);
        for (int c = 0; c < RC_N; c++) (void)kt_colstream_close(w->segs[i].rs[c], NULL);
    }
    kt_colio_free(w->io); /* waits for the files' last writes: then they may be removed */
    for (size_t i = 0; i < w->nsegs; i++) {
        if (!w->published) remove_dir(w->segs[i].tmp);
        free(w->segs[i].sum[0]);
        free(w->segs[i].sum[1]);
        free(w->segs[i].hours);
        seg_free_buffers(&w->segs[i]);
    }
    free(w->segs);
    for (int k = 0; k < KT_DICT_COUNT_; k++) dict_free(&w->dicts[k]);
    free(w->man.segs);
    free(w->man.imports);
    free(w->scratch);
    if (w->lock_fd >= 0) close(w->lock_fd);
    free(w);
}

/* ---- reader ------------------------------------------------------------------------- */
typedef struct mapping { void *addr; size_t len; } mapping;
struct kt_cols {
    char cols[PATH_MAX_];
    manifest man;
    dict dicts[KT_DICT_COUNT_];
    mapping *maps;
    size_t nmaps, mapcap;
    uint64_t receipts, lines;
    int (*rfd)[RC_N], (*lfd)[LC_N]; /* by segment: files open for kt_cols_read (-1: not yet) */
    uint8_t (*lwidth)[LC_N];        /* by segment: bytes a value in each opened line file */
    uint8_t (*rwidth)[RC_N];        /* the same for receipt files */
    void **owned;                   /* arrays kt_cols_map_lines built for compact segments */
    size_t nowned;
    struct dayruns *runs;           /* by segment: r.day from s.hour (day_runs_load) */
};

/* A segment's receipts by day when they ascend by it: receipts [start[k],
 * start[k + 1]) are of day[k] (start[n] = the segment's receipts). */
typedef struct dayruns {
    bool tried, have;
    size_t n;
    int32_t *day;
    uint64_t *start;
} dayruns;

/* A compact segment's line columns that are its receipt's (0: a stored column). */
static int from_receipt(int lc) {
    switch (lc) {
    case LC_MEMBER: return RC_MEMBER;
    case LC_STORE: return RC_STORE;
    case LC_DAY: return RC_DAY;
    case LC_MINUTE: return RC_MINUTE;
    }
    return 0;
}

kt_rc kt_cols_open(const char *data_dir, kt_cols **out, kt_err *err) {
    if (strlen(data_dir) > DATA_DIR_MAX) return kt_fail(err, KT_EINVAL, "data", "data directory path too long");
    kt_cols *c = kt_xcalloc(1, sizeof *c);
    pathf(c->cols, "%s/cols", data_dir);
    kt_rc rc = manifest_read(c->cols, &c->man, err);
    for (int k = 0; k < KT_DICT_COUNT_ && !rc; k++) rc = dict_read(c->cols, (kt_cols_dict_kind)k, &c->dicts[k], false, err);
    for (size_t i = 0; i < c->man.nsegs; i++) { c->receipts += c->man.segs[i].receipts; c->lines += c->man.segs[i].lines; }
    if (!rc) {
        size_t n = c->man.nsegs ? c->man.nsegs : 1;
        c->rfd = kt_xmalloc(n * sizeof *c->rfd);
        c->lfd = kt_xmalloc(n * sizeof *c->lfd);
        c->lwidth = kt_xcalloc(n, sizeof *c->lwidth);
        c->rwidth = kt_xcalloc(n, sizeof *c->rwidth);
        c->runs = kt_xcalloc(n, sizeof *c->runs);
        memset(c->rfd, 0xff, n * sizeof *c->rfd);
        memset(c->lfd, 0xff, n * sizeof *c->lfd);
    }
    if (rc) { kt_cols_close(c); return rc; }
    *out = c;
    return KT_OK;
}

void kt_cols_close(kt_cols *c) {
    if (!c) return;
    for (size_t i = 0; i < c->nmaps; i++) munmap(c->maps[i].addr, c->maps[i].len);
    free(c->maps);
    for (size_t i = 0; c->rfd && i < c->man.nsegs; i++) {
        for (int k = 0; k < RC_N; k++)
            if (c->rfd[i][k] >= 0) close(c->rfd[i][k]);
        for (int k = 0; k < LC_N; k++)
            if (c->lfd[i][k] >= 0) close(c->lfd[i][k]);
    }
    free(c->rfd);
    free(c->lfd);
    free(c->lwidth);
    free(c->rwidth);
    free(c->runs); /* their arrays are owned */
    for (size_t i = 0; i < c->nowned; i++) free(c->owned[i]);
    free(c->owned);
    for (int k = 0; k < KT_DICT_COUNT_; k++) dict_free(&c->dicts[k]);
    free(c->man.segs);
    free(c->man.imports);
    free(c);
}

size_t kt_cols_segment_count(const kt_cols *c) { return c->man.nsegs; }
const char *kt_cols_segment_name(const kt_cols *c, size_t seg) { return c->man.segs[seg].name; }
uint64_t kt_cols_receipt_rows(const kt_cols *c) { return c->receipts; }
uint64_t kt_cols_line_rows(const kt_cols *c) { return c->lines; }
uint32_t kt_cols_member_op_max(const kt_cols *c) { return c->man.member_op_max; }
uint64_t kt_cols_op_mark(const kt_cols *c) { return c->man.op_mark; }

kt_rc kt_cols_read_op_mark(const char *data_dir, uint64_t *out, kt_err *err) {
    if (strlen(data_dir) > DATA_DIR_MAX) return kt_fail(err, KT_EINVAL, "data", "data directory path too long");
    char cols[PATH_MAX_];
    manifest m;
    pathf(cols, "%s/cols", data_dir);
    kt_rc rc = manifest_read(cols, &m, err);
    *out = rc ? 0 : m.op_mark;
    free(m.segs);
    free(m.imports);
    return rc;
}
uint32_t kt_cols_next_receipt(const kt_cols *c) { return c->man.next_receipt; }
size_t kt_cols_dict_count(const kt_cols *c, kt_cols_dict_kind kind) { return c->dicts[kind].count; }

const char *kt_cols_dict_name(const kt_cols *c, kt_cols_dict_kind kind, uint32_t id) {
    if (!(id & KT_COLS_FOREIGN)) return NULL;
    uint32_t i = id & ~KT_COLS_FOREIGN;
    return i < c->dicts[kind].count ? dict_at(&c->dicts[kind], i) : NULL;
}

/* Whether column COL of segment SEG may be stored in 32 bits (compact
 * segments narrow amounts, quantities and units that fit; receipt amounts
 * since SKU summaries came, so older compact segments have them in 64). */
static bool may_narrow(const kt_cols *c, size_t seg, bool lines, int col) {
    if (!c->man.segs[seg].compact) return false;
    return lines ? col == LC_QTY || col == LC_AMOUNT : col == RC_UNITS || col == RC_AMOUNT;
}

/* Receipt columns that only compact segments store. */
static bool compact_only(bool lines, int col) { return !lines && (col == RC_UNITS || col == RC_LINES); }

bool kt_cols_segment_compact(const kt_cols *c, size_t seg) {
    KT_ASSERT(seg < c->man.nsegs);
    return c->man.segs[seg].compact;
}

/* Check a column file's header and size against the definition and the
 * manifest's row count; *TYPE is the type found (DEF's, or I32 where NARROW). */
static kt_rc check_col(int fd, const char *path, const coldef *def, bool narrow_ok, uint64_t rows, kt_col_type *type,
                       kt_err *err) {
    struct stat st;
    kt_col_header h;
    if (fstat(fd, &st)) return io_fail(err, path, "stat");
    bool ok = pread(fd, &h, sizeof h, 0) == (ssize_t)sizeof h && !memcmp(h.magic, MAGIC, 8) &&
              h.version == KT_COLS_VERSION && h.rows == rows &&
              (h.type == (uint32_t)def->type || (narrow_ok && h.type == KT_COL_I32)) &&
              h.width == type_width((kt_col_type)h.type);
    if (ok && (uint64_t)st.st_size != sizeof(kt_col_header) + rows * h.width)
        return kt_fail(err, KT_EINVAL, path, "size %lld does not hold %llu rows", (long long)st.st_size,
                       (unsigned long long)rows);
    if (!ok)
        return kt_fail(err, KT_EINVAL, path, "not a version %d %s column of %llu rows", KT_COLS_VERSION, def->name,
                       (unsigned long long)rows);
    *type = (kt_col_type)h.type;
    return KT_OK;
}

/* Open one column file for kt_cols_read and check its size and header. */
static kt_rc read_col_open(kt_cols *c, size_t seg, const coldef *def, bool narrow_ok, uint64_t rows, int *out,
                           kt_col_type *type, kt_err *err) {
    char path[PATH_MAX_];
    pathf(path, "%s/%s/%s", c->cols, c->man.segs[seg].name, def->name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_fail(err, path, "cannot open");
    kt_rc rc = check_col(fd, path, def, narrow_ok, rows, type, err);
    if (rc) { close(fd); return rc; }
    if (rows) posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    *out = fd;
    return KT_OK;
}

static kt_rc open_one(kt_cols *c, size_t seg, bool lines, int k, kt_err *err) {
    int *fd = lines ? &c->lfd[seg][k] : &c->rfd[seg][k];
    if (*fd >= 0) return KT_OK;
    uint64_t n = lines ? c->man.segs[seg].lines : c->man.segs[seg].receipts;
    kt_col_type t;
    kt_rc rc = read_col_open(c, seg, lines ? &line_cols[k] : &receipt_cols[k], may_narrow(c, seg, lines, k), n, fd,
                             &t, err);
    if (!rc && lines) c->lwidth[seg][k] = (uint8_t)type_width(t);
    if (!rc && !lines) c->rwidth[seg][k] = (uint8_t)type_width(t);
    return rc;
}

static kt_rc day_runs_load(kt_cols *c, size_t seg, kt_err *err);

/* Open receipt column K of SEG for reads: r.day is taken from the hour
 * summary where it can be (no file opened). */
static kt_rc open_rcol(kt_cols *c, size_t seg, int k, kt_err *err) {
    if (k == RC_DAY) {
        kt_rc rc = day_runs_load(c, seg, err);
        if (rc || c->runs[seg].have) return rc;
    }
    return open_one(c, seg, false, k, err);
}

/* Days of receipts [first, first + n) from the segment's runs. */
static void day_runs_fill(const dayruns *d, uint64_t first, size_t n, int32_t *out) {
    size_t lo = 0, hi = d->n; /* the last run starting at or before FIRST */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (d->start[mid] <= first) lo = mid;
        else hi = mid;
    }
    for (size_t i = 0, k = lo; i < n;) {
        uint64_t end = d->start[k + 1] - first; /* rows of run k end here (relative to FIRST) */
        size_t stop = end < n ? (size_t)end : n;
        for (; i < stop; i++) out[i] = d->day[k];
        k++;
    }
}

kt_rc kt_cols_read_open(kt_cols *c, size_t seg, bool lines, unsigned cols, size_t *rows, kt_err *err) {
    KT_ASSERT(seg < c->man.nsegs);
    uint64_t n = lines ? c->man.segs[seg].lines : c->man.segs[seg].receipts;
    *rows = (size_t)n;
    bool compact = lines && c->man.segs[seg].compact;
    int ncols = lines ? LC_N : RC_N;
    for (int k = 0; k < ncols; k++) {
        if (!(cols & (1u << k))) continue;
        kt_rc rc;
        if (compact_only(lines, k) && !c->man.segs[seg].compact) {
            char path[PATH_MAX_];
            pathf(path, "%s/%s/%s", c->cols, c->man.segs[seg].name, receipt_cols[k].name);
            return kt_fail(err, KT_EINTERNAL, path, "only compact segments store this column");
        }
        if (compact && from_receipt(k)) {
            /* read through the line's receipt id */
            rc = open_one(c, seg, true, LC_RECEIPT, err);
            if (!rc) rc = open_one(c, seg, false, RC_RECEIPT, err);
            if (!rc) rc = open_rcol(c, seg, from_receipt(k), err);
        } else {
            rc = lines ? open_one(c, seg, lines, k, err) : open_rcol(c, seg, k, err);
        }
        if (rc) return rc;
    }
    return KT_OK;
}

size_t kt_cols_col_width(bool lines, int col) {
    return type_width(lines ? line_cols[col].type : receipt_cols[col].type);
}

/* Rows [first, first + n) of an opened file, WIDTH bytes each, into BUF. */
static kt_rc read_rows(const kt_cols *c, size_t seg, bool lines, int col, size_t width, uint64_t first, size_t n,
                       void *buf, kt_err *err) {
    int fd = lines ? c->lfd[seg][col] : c->rfd[seg][col];
    KT_ASSERT(fd >= 0);
    size_t want = n * width, got = 0;
    off_t at = (off_t)(sizeof(kt_col_header) + first * width);
    while (got < want) {
        ssize_t r = pread(fd, (char *)buf + got, want - got, at + (off_t)got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            char path[PATH_MAX_];
            pathf(path, "%s/%s/%s", c->cols, c->man.segs[seg].name, lines ? line_cols[col].name : receipt_cols[col].name);
            return r < 0 ? io_fail(err, path, "read") : kt_fail(err, KT_EIO, path, "shorter than its header says");
        }
        got += (size_t)r;
    }
    return KT_OK;
}

/* The row of receipt ID in a segment's r.receipt (ascending), or ROWS. */
static kt_rc receipt_row(const kt_cols *c, size_t seg, uint32_t id, uint64_t *out, kt_err *err) {
    uint64_t lo = 0, hi = c->man.segs[seg].receipts;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        uint32_t v;
        kt_rc rc = read_rows(c, seg, false, RC_RECEIPT, 4, mid, 1, &v, err);
        if (rc) return rc;
        if (v < id) lo = mid + 1;
        else hi = mid;
    }
    *out = lo;
    return KT_OK;
}

static kt_rc not_in_segment(const kt_cols *c, size_t seg, uint64_t row, uint32_t id, kt_err *err) {
    char path[PATH_MAX_];
    pathf(path, "%s/%s/%s", c->cols, c->man.segs[seg].name, line_cols[LC_RECEIPT].name);
    return kt_fail(err, KT_EINVAL, path, "row %llu: receipt %u is not in the segment, or lines are out of order",
                   (unsigned long long)row, id);
}

/* Gather a receipt column for lines: OUT[i] = RVAL[j] where RREC[j] is
 * LREC[i]; both id lists ascend. Returns the index of a line not found, or N. */
static size_t gather_by_receipt(const uint32_t *lrec, size_t n, const uint32_t *rrec, size_t k, const void *rval,
                                size_t width, void *out) {
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        while (j < k && rrec[j] < lrec[i]) j++;
        if (j == k || rrec[j] != lrec[i]) return i;
        switch (width) {
        case 2: ((uint16_t *)out)[i] = ((const uint16_t *)rval)[j]; break;
        default: ((uint32_t *)out)[i] = ((const uint32_t *)rval)[j]; break;
        }
    }
    return n;
}

/* A compact segment's member, store, day or minute of lines [first, first + n):
 * their receipt ids, the receipts' rows they span, that column of those rows. */
static kt_rc read_via_receipt(const kt_cols *c, size_t seg, int col, uint64_t first, size_t n, void *buf,
                              kt_err *err) {
    if (n == 0) return KT_OK;
    int rcol = from_receipt(col);
    size_t width = type_width(receipt_cols[rcol].type);
    uint32_t *lrec = kt_xmalloc(n * sizeof *lrec), *rrec = NULL;
    void *rval = NULL;
    uint64_t r0 = 0, r1 = 0;
    kt_rc rc = read_rows(c, seg, true, LC_RECEIPT, 4, first, n, lrec, err);
    if (!rc) rc = receipt_row(c, seg, lrec[0], &r0, err);
    if (!rc) rc = receipt_row(c, seg, lrec[n - 1], &r1, err);
    if (!rc && (r1 >= c->man.segs[seg].receipts || r1 < r0)) rc = not_in_segment(c, seg, first + n - 1, lrec[n - 1], err);
    if (!rc) {
        size_t k = (size_t)(r1 - r0 + 1);
        rrec = kt_xmalloc(k * sizeof *rrec);
        rval = kt_xmalloc(k * width);
        rc = read_rows(c, seg, false, RC_RECEIPT, 4, r0, k, rrec, err);
        if (!rc && rcol == RC_DAY && c->runs[seg].have) day_runs_fill(&c->runs[seg], r0, k, rval);
        else if (!rc) rc = read_rows(c, seg, false, rcol, width, r0, k, rval, err);
        size_t bad = rc ? n : gather_by_receipt(lrec, n, rrec, k, rval, width, buf);
        if (bad < n) rc = not_in_segment(c, seg, first + bad, lrec[bad], err);
    }
    free(lrec);
    free(rrec);
    free(rval);
    return rc;
}

kt_rc kt_cols_read(const kt_cols *c, size_t seg, bool lines, int col, uint64_t first, size_t n, void *buf, kt_err *err) {
    size_t width = kt_cols_col_width(lines, col);
    if (lines && c->man.segs[seg].compact && from_receipt(col)) return read_via_receipt(c, seg, col, first, n, buf, err);
    if (!lines && col == RC_DAY && c->runs[seg].have) {
        day_runs_fill(&c->runs[seg], first, n, buf);
        return KT_OK;
    }
    size_t stored = lines ? c->lwidth[seg][col] : c->rwidth[seg][col];
    kt_rc rc = read_rows(c, seg, lines, col, stored, first, n, buf, err);
    if (rc || stored == width) return rc;
    /* 32-bit values into the 64-bit buffer, from the end (each lands at or past where it was) */
    KT_ASSERT(stored == 4 && width == 8);
    const int32_t *from = buf;
    int64_t *to = buf;
    for (size_t i = n; i-- > 0;) to[i] = from[i];
    return KT_OK;
}

/* Map one column file and check its header against what the manifest says
 * (*TYPE: the type found; I32 is accepted where NARROW_OK). */
static kt_rc map_col(kt_cols *c, size_t seg, const coldef *def, bool narrow_ok, uint64_t rows, const void **out,
                     kt_col_type *type, kt_err *err) {
    char path[PATH_MAX_];
    pathf(path, "%s/%s/%s", c->cols, c->man.segs[seg].name, def->name);
    int fd = open(path, O_RDONLY);
    if (fd < 0) return io_fail(err, path, "cannot open");
    kt_col_type t;
    kt_rc rc = check_col(fd, path, def, narrow_ok, rows, &t, err);
    if (rc) { close(fd); return rc; }
    size_t len = sizeof(kt_col_header) + rows * type_width(t);
    void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) return io_fail(err, path, "mmap");
    if (c->nmaps == c->mapcap) {
        c->mapcap = c->mapcap ? c->mapcap * 2 : 32;
        c->maps = kt_xrealloc(c->maps, c->mapcap * sizeof *c->maps);
    }
    c->maps[c->nmaps++] = (mapping){p, len};
    if (rows) madvise(p, len, MADV_SEQUENTIAL);
    *out = (const char *)p + sizeof(kt_col_header);
    if (type) *type = t;
    return KT_OK;
}

static void *owned(kt_cols *c, size_t bytes) {
    void *p = kt_xmalloc(bytes ? bytes : 1);
    c->owned = kt_xrealloc(c->owned, (c->nowned + 1) * sizeof *c->owned);
    c->owned[c->nowned++] = p;
    return p;
}

kt_rc kt_cols_map_receipts(kt_cols *c, size_t seg, kt_cols_receipts *out, kt_err *err) {
    KT_ASSERT(seg < c->man.nsegs);
    uint64_t rows = c->man.segs[seg].receipts;
    const void *p[RC_N] = {0};
    bool compact = c->man.segs[seg].compact;
    for (int i = 0; i < RC_N; i++) {
        if (compact_only(false, i) && !compact) continue;
        kt_col_type t;
        kt_rc rc = map_col(c, seg, &receipt_cols[i], may_narrow(c, seg, false, i), rows, &p[i], &t, err);
        if (rc) return rc;
        if (t == KT_COL_I32 && receipt_cols[i].type == KT_COL_I64) {
            const int32_t *from = p[i];
            int64_t *to = owned(c, (size_t)rows * sizeof *to);
            for (size_t k = 0; k < rows; k++) to[k] = from[k];
            p[i] = to;
        }
    }
    *out = (kt_cols_receipts){(size_t)rows, p[RC_RECEIPT], p[RC_MEMBER], p[RC_STORE], p[RC_DAY], p[RC_MINUTE],
                              p[RC_FLAGS], p[RC_AMOUNT], p[RC_UNITS], p[RC_LINES]};
    return KT_OK;
}


kt_rc kt_cols_map_lines(kt_cols *c, size_t seg, kt_cols_lines *out, kt_err *err) {
    KT_ASSERT(seg < c->man.nsegs);
    uint64_t rows = c->man.segs[seg].lines;
    const void *p[LC_N] = {0};
    if (!c->man.segs[seg].compact) {
        for (int i = 0; i < LC_N; i++) {
            kt_rc rc = map_col(c, seg, &line_cols[i], false, rows, &p[i], NULL, err);
            if (rc) return rc;
        }
    } else {
        /* A compact segment: the stored columns are mapped; the receipt's
         * columns and 32-bit amounts are built as arrays (held until close). */
        kt_cols_receipts r;
        kt_rc rc = kt_cols_map_receipts(c, seg, &r, err);
        for (int i = 0; i < LC_N && !rc; i++) {
            if (from_receipt(i)) continue;
            kt_col_type t;
            rc = map_col(c, seg, &line_cols[i], may_narrow(c, seg, true, i), rows, &p[i], &t, err);
            if (!rc && t == KT_COL_I32) {
                const int32_t *from = p[i];
                int64_t *to = owned(c, (size_t)rows * sizeof *to);
                for (size_t k = 0; k < rows; k++) to[k] = from[k];
                p[i] = to;
            }
        }
        if (rc) return rc;
        const void *rv[RC_N] = {[RC_MEMBER] = r.member, [RC_STORE] = r.store, [RC_DAY] = r.day, [RC_MINUTE] = r.minute};
        for (int i = 0; i < LC_N; i++) {
            int rc_col = from_receipt(i);
            if (!rc_col) continue;
            size_t width = type_width(receipt_cols[rc_col].type);
            void *to = owned(c, (size_t)rows * width);
            size_t bad = gather_by_receipt(p[LC_RECEIPT], (size_t)rows, r.receipt, r.rows, rv[rc_col], width, to);
            if (bad < rows) return not_in_segment(c, seg, bad, ((const uint32_t *)p[LC_RECEIPT])[bad], err);
            p[i] = to;
        }
    }
    *out = (kt_cols_lines){(size_t)rows, p[LC_RECEIPT], p[LC_MEMBER], p[LC_STORE], p[LC_SKU], p[LC_DAY],
                           p[LC_MINUTE], p[LC_QTY], p[LC_AMOUNT]};
    return KT_OK;
}

/* One summary file of segment SEG (FILE, MAGIC, entries of WIDTH bytes
 * ascending by KEY, at most MAX of them, COUNT the segment's rows it must
 * name): read whole into memory held until kt_cols_close. */
typedef struct sum_kind {
    const char *file, *magic;
    size_t width;
    uint64_t max;
    unsigned flags_ok;
    bool lines;                   /* the header counts lines (else receipts) */
    uint64_t (*key)(const void *entry);
    const char *what;
} sum_kind;

static uint64_t sku_key(const void *e) { return ((const kt_cols_sku_sum *)e)->sku; }
static uint64_t hour_key(const void *e) {
    const kt_cols_hour_sum *h = e;
    return (uint64_t)((int64_t)h->day + ((int64_t)1 << 32)) * 32 + h->hour;
}
static const sum_kind sku_sums = {SUM_FILE, SUM_MAGIC, sizeof(kt_cols_sku_sum), (uint64_t)2 * KT_COLS_SUM_IDS_MAX,
                                  KT_COLS_SUM_RECEIPTS, true, sku_key, "SKU summary"};
static const sum_kind hour_sums = {HOUR_FILE, HOUR_MAGIC, sizeof(kt_cols_hour_sum), HOUR_BUCKETS,
                                   KT_COLS_SUM_UNITS | KT_COLS_SUM_DAY_ORDER, false, hour_key, "hour summary"};

static kt_rc summary_read(kt_cols *c, size_t seg, const sum_kind *k, bool *found, const void **entries, size_t *n,
                          unsigned *flags, kt_err *err) {
    KT_ASSERT(seg < c->man.nsegs);
    *found = false;
    *entries = NULL;
    *n = 0;
    *flags = 0;
    uint64_t rows = k->lines ? c->man.segs[seg].lines : c->man.segs[seg].receipts;
    char path[PATH_MAX_];
    pathf(path, "%s/%s/%s", c->cols, c->man.segs[seg].name, k->file);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? KT_OK : io_fail(err, path, "cannot open");
    struct stat st;
    sum_header h;
    kt_rc rc = KT_OK;
    if (fstat(fd, &st)) rc = io_fail(err, path, "stat");
    bool ok = !rc && pread(fd, &h, sizeof h, 0) == (ssize_t)sizeof h && !memcmp(h.magic, k->magic, 8) &&
              h.version == SUM_VERSION && !(h.flags & ~k->flags_ok) && h.lines == rows && h.entries <= k->max &&
              (uint64_t)st.st_size == sizeof h + h.entries * k->width;
    if (!rc && !ok)
        rc = kt_fail(err, KT_EINVAL, path, "not a version %d %s of %llu %s", SUM_VERSION, k->what,
                     (unsigned long long)rows, k->lines ? "lines" : "receipts");
    char *e = NULL;
    if (!rc) {
        size_t bytes = (size_t)h.entries * k->width;
        e = owned(c, bytes);
        if (bytes && pread(fd, e, bytes, sizeof h) != (ssize_t)bytes) rc = io_fail(err, path, "read");
    }
    for (size_t i = 1; !rc && i < h.entries; i++)
        if (k->key(e + i * k->width) <= k->key(e + (i - 1) * k->width))
            rc = kt_fail(err, KT_EINVAL, path, "entry %zu: keys do not ascend", i);
    close(fd);
    if (rc) return rc;
    *found = true;
    *entries = e;
    *n = (size_t)h.entries;
    *flags = h.flags;
    return KT_OK;
}

kt_rc kt_cols_sku_summary(kt_cols *c, size_t seg, bool *found, const kt_cols_sku_sum **entries, size_t *n,
                          unsigned *flags, kt_err *err) {
    const void *e;
    kt_rc rc = summary_read(c, seg, &sku_sums, found, &e, n, flags, err);
    *entries = e;
    return rc;
}

kt_rc kt_cols_hour_summary(kt_cols *c, size_t seg, bool *found, const kt_cols_hour_sum **entries, size_t *n,
                           unsigned *flags, kt_err *err) {
    const void *e;
    kt_rc rc = summary_read(c, seg, &hour_sums, found, &e, n, flags, err);
    *entries = e;
    return rc;
}

/* r.day of segment SEG from its hour summary, when the summary says its
 * receipts ascend by day: the rows of each day, in order, are runs. */
static kt_rc day_runs_load(kt_cols *c, size_t seg, kt_err *err) {
    dayruns *d = &c->runs[seg];
    if (d->tried) return KT_OK;
    d->tried = true;
    bool found;
    const void *e;
    size_t n;
    unsigned flags;
    kt_rc rc = summary_read(c, seg, &hour_sums, &found, &e, &n, &flags, err);
    if (rc || !found || !(flags & KT_COLS_SUM_DAY_ORDER)) return rc;
    const kt_cols_hour_sum *h = e;
    size_t days = 0;
    for (size_t i = 0; i < n; i++) days += i == 0 || h[i].day != h[i - 1].day;
    d->day = owned(c, days * sizeof *d->day);
    d->start = owned(c, (days + 1) * sizeof *d->start);
    uint64_t at = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || h[i].day != h[i - 1].day) {
            d->day[k] = h[i].day;
            d->start[k++] = at;
        }
        if (h[i].rows <= 0) at = UINT64_MAX; /* refused below */
        else if (at != UINT64_MAX) at += (uint64_t)h[i].rows;
    }
    if (at != c->man.segs[seg].receipts) {
        char path[PATH_MAX_];
        pathf(path, "%s/%s/%s", c->cols, c->man.segs[seg].name, HOUR_FILE);
        return kt_fail(err, KT_EINVAL, path, "its rows do not add up to the segment's %llu receipts",
                       (unsigned long long)c->man.segs[seg].receipts);
    }
    d->start[days] = at;
    d->n = days;
    d->have = days > 0;
    return KT_OK;
}
