/*
 * cols_fast.c - the parallel import of receipts.csv + receipt_lines.csv
 * (cols_fast.h, docs/internals/columns.md "Import").
 *
 * A file is cut into chunks of CHUNK_BYTES; a record belongs to the chunk its
 * first byte lies in, so a chunk starts after the first line feed at or past
 * its start and ends at the first line feed at or past its end. That cut is
 * exact only when no field is quoted (a quoted field may hold a line feed):
 * the tokenizer stops at the first quote, and at anything else the serial
 * reader would treat differently (a NUL, a lone carriage return, a field or
 * record over the csv.h limits); bytes above 0x7f make it check the chunk's
 * UTF-8. The tokenizer never writes into the bytes it reads, so the calling
 * thread can fold each chunk's own range into the file fingerprint, in order,
 * after the threads are done with it: the hash is the serial one.
 *
 * Worker threads (one per core but one) take chunks in order from a ring of
 * slots, read them with pread, and parse them into rows (the calling thread
 * parses chunks too while the one it is to merge next is not done): ids found in maps loaded from the
 * operational store before the threads start (read only from then on), and
 * "fixups" for what is not there (a store or SKU for the dictionary, or, when
 * the store is too large to load for a small import, every card, store or
 * SKU). The calling thread merges the chunks in order: it resolves the
 * fixups through the store and the writer's dictionaries exactly as the
 * serial path does (same order, so the same dictionary ids), gives receipts
 * their ids and keys, and appends the rows to the writer. Lines find their
 * receipt by (store, receipt) in a map built in the first phase, trying the
 * receipt of the previous line and the one after it first.
 */
#include "cols/cols_fast.h"
#include "cols/cols.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/text.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define CHUNK_BYTES ((size_t)1 << 20)  /* a multiple of 8: chunks fold whole words into the hash */
#define CHUNK_BYTES_MIN 64             /* KARTA_IMPORT_CHUNK (tests) may go this low */
#define TAIL_BYTES ((size_t)64 << 10)  /* how far a chunk's last record may run past its end */
#define SLOTS_PER_THREAD 2             /* chunks in flight per parsing thread: bounds memory */
#define THREADS_MAX 8                  /* parsing threads, the calling one included */
#define RECORD_MAX ((size_t)KT_CSV_FIELD_MAX * 2 + 2) /* scratch: a receipt key */

_Static_assert(CHUNK_BYTES % 8 == 0, "chunks hash whole 64-bit words");

/* ---- big arrays: anonymous mappings in huge pages, grown by mremap ---------------- */
/* Page faults are most of the cost of a large table filled at random (more so
 * on a virtual machine), so large arrays ask for 2 MB pages, and grow without
 * a copy. Sizes are rounded up to BIG_ROUND. */
#define BIG_ROUND ((size_t)2 << 20)

static size_t big_round(size_t bytes) { return (bytes + BIG_ROUND - 1) / BIG_ROUND * BIG_ROUND; }

/* P of OLD bytes (0: none) resized to at least BYTES; zero-filled when new. */
static void *big_resize(void *p, size_t old, size_t bytes) {
    bytes = big_round(bytes);
    old = big_round(old);
    void *q = p ? mremap(p, old, bytes, MREMAP_MAYMOVE)
                : mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (q == MAP_FAILED) {
        fprintf(stderr, "karta: out of memory (%zu bytes)\n", bytes);
        abort();
    }
#ifdef MADV_HUGEPAGE
    madvise(q, bytes, MADV_HUGEPAGE);
#endif
    return q;
}

static void big_free(void *p, size_t bytes) {
    if (p) munmap(p, big_round(bytes));
}

/* ---- a string -> u32 map, open addressing over an arena of records --------------- */
/* A record: uint32 value, uint32 length, the bytes, padded to 8. A slot holds
 * 24 bits of the hash and the record's offset / 8 + 1, so a lookup touches
 * one slot and, when those bits match, one record. */
typedef struct smap {
    uint64_t *tab;      /* 0: empty */
    size_t mask, n;
    char *arena;
    size_t alen, acap;
} smap;

#define SLOT_OFF_BITS 40
#define SLOT_OFF_MASK (((uint64_t)1 << SLOT_OFF_BITS) - 1)

static uint64_t key_hash(const char *s, size_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n, w;
    for (; n >= 8; s += 8, n -= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
    }
    w = 0;
    for (size_t i = 0; i < n; i++) w |= (uint64_t)(unsigned char)s[i] << (8 * i);
    h = (h ^ w) * 0x94D049BB133111EBull;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 32);
}

/* Room for about EXPECT keys before the table grows. */
static void smap_init(smap *m, size_t expect) {
    *m = (smap){0};
    size_t cap = 1024;
    while (cap < expect * 2) cap *= 2;
    m->mask = cap - 1;
    m->tab = big_resize(NULL, 0, cap * sizeof *m->tab);
}

static void smap_free(smap *m) {
    big_free(m->tab, (m->mask + 1) * sizeof *m->tab);
    big_free(m->arena, m->acap);
    *m = (smap){0};
}

static const char *smap_record(const smap *m, uint64_t off, uint32_t *len) {
    memcpy(len, m->arena + off + 4, 4);
    return m->arena + off + 8;
}

/* memcmp(a, b, n) == 0 for the short strings of a key, without a call. */
static inline bool same_bytes(const char *a, const char *b, size_t n) {
    uint64_t x, y;
    for (; n >= 8; a += 8, b += 8, n -= 8) {
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y) return false;
    }
    for (; n; n--)
        if (*a++ != *b++) return false;
    return true;
}

/* The value of key S (N bytes, hash H); false if absent. */
static bool smap_get(const smap *m, const char *s, size_t n, uint64_t h, uint32_t *value) {
    uint64_t tag = h >> SLOT_OFF_BITS;
    for (size_t i = h & m->mask;; i = (i + 1) & m->mask) {
        uint64_t t = m->tab[i];
        if (!t) return false;
        if (t >> SLOT_OFF_BITS != tag) continue;
        uint64_t off = ((t & SLOT_OFF_MASK) - 1) * 8;
        uint32_t len;
        const char *k = smap_record(m, off, &len);
        if (len == n && same_bytes(k, s, n)) {
            memcpy(value, m->arena + off, 4);
            return true;
        }
    }
}

static void smap_place(smap *m, uint64_t h, uint64_t off) {
    size_t i = h & m->mask;
    while (m->tab[i]) i = (i + 1) & m->mask;
    m->tab[i] = (h >> SLOT_OFF_BITS << SLOT_OFF_BITS) | (off / 8 + 1);
}

/* Adds a key known to be absent; returns its record's offset. */
static uint64_t smap_add(smap *m, const char *s, size_t n, uint64_t h, uint32_t value) {
    size_t rec = 8 + (n + 7) / 8 * 8;
    if (m->alen + rec > m->acap) {
        size_t cap = m->acap ? m->acap * 2 : BIG_ROUND;
        while (cap < m->alen + rec) cap *= 2;
        m->arena = big_resize(m->arena, m->acap, cap);
        m->acap = big_round(cap);
    }
    uint64_t off = m->alen;
    uint32_t len = (uint32_t)n;
    memcpy(m->arena + off, &value, 4);
    memcpy(m->arena + off + 4, &len, 4);
    memcpy(m->arena + off + 8, s, n);
    m->alen += rec;
    if ((m->n + 1) * 2 > m->mask + 1) {
        big_free(m->tab, (m->mask + 1) * sizeof *m->tab);
        m->mask = m->mask * 2 + 1;
        m->tab = big_resize(NULL, 0, (m->mask + 1) * sizeof *m->tab);
        for (uint64_t o = 0; o < off; ) {
            uint32_t l;
            const char *k = smap_record(m, o, &l);
            smap_place(m, key_hash(k, l), o);
            o += 8 + (l + 7) / 8 * 8;
        }
    }
    smap_place(m, h, off);
    m->n++;
    return off;
}

/* ---- the import ------------------------------------------------------------------ */
enum { G_RECEIPT, G_STORE, G_TIME, G_CARD, G_KIND, G_TOTAL, G_N };
enum { L_RECEIPT, L_STORE, L_SKU, L_QTY, L_AMOUNT, L_N };
enum { FX_STORE, FX_CARD, FX_SKU };

/* An id the workers could not resolve: the calling thread does, in order. */
typedef struct fixup { uint32_t row, kind, off, len; } fixup; /* off, len: the text in the chunk's bytes */

/* A parsed receipt, waiting for its id. */
typedef struct rrow {
    uint32_t store, member;
    int32_t day;
    uint16_t minute;
    uint8_t flags;
    int64_t amount;
    uint32_t key_off, key_len;  /* store \x1f receipt, in the chunk's keys */
    uint64_t key_hash;
} rrow;

/* A receipt as its lines see it (its id: the first id + its index). */
typedef struct rinfo {
    uint32_t key_off;          /* its key in the key arena: uint16 length, then the bytes */
    uint32_t member, store;
    int32_t day;
    uint16_t minute;
    uint8_t flags;
} rinfo;

enum { SLOT_FREE, SLOT_BUSY, SLOT_DONE };
typedef struct chunk {
    int state;
    size_t index;
    char *buf;                 /* the bytes read, then a sentinel line feed */
    size_t own, own_len;       /* the chunk's own range in buf: what it adds to the hash */
    rrow *rr;                  /* receipts file */
    kt_cols_line_row *lr;      /* lines file */
    size_t nrows, rr_cap, lr_cap;
    fixup *fx;
    size_t nfx, fx_cap;
    char *keys;
    size_t keys_len, keys_cap;
    uint64_t unknown_cards;
    bool serial;               /* not for this path */
} chunk;

typedef struct fast {
    kt_store *st;
    const kt_cols_import_opts *o;
    kt_cols_import_result *res;
    kt_cols_writer *w;
    uint8_t stop[256];         /* bytes that end the tokenizer's inner loop */
    /* the file being read */
    bool lines;
    int fd;
    uint64_t size, data_start;
    size_t chunk_bytes, nchunks;
    int idx[G_N];              /* header: column of each field (-1: absent) */
    /* workers */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t nthreads, take, nslots; /* nthreads: workers besides the calling thread */
    bool quit;
    chunk *slots;
    /* ids the operational store knows, loaded when it is not too large */
    smap stores, skus, cards;
    bool all_stores, all_skus, all_cards;
    kt_strmap *cache[3];       /* FX_*: what fixups resolved */
    char *tmp;                 /* the calling thread's scratch */
    /* receipts: what lines inherit, and their keys (store \x1f receipt) */
    rinfo *rs;                 /* big_resize */
    size_t nrs, rs_cap;
    uint64_t *ktab;            /* 0: empty; else the hash's high 24 bits << 40 | receipt + 1 (big_resize) */
    size_t kmask;
    char *karena;              /* big_resize */
    size_t klen, kcap;
    uint32_t first_receipt;
    /* fingerprint, as cols_import.c's hash_file */
    uint64_t hash, bytes;
} fast;

/* ---- the file fingerprint ---- */
static void hash_bytes(fast *f, const char *p, size_t n, bool file_end) {
    uint64_t h = f->hash, v;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&v, p + i, 8);
        h = (h ^ (v * 0x9E3779B97F4A7C15ull));
        h = ((h << 27) | (h >> 37)) * 0xC2B2AE3D27D4EB4Full;
    }
    KT_ASSERT(file_end || i == n);
    for (; i < n; i++) h = (h ^ (unsigned char)p[i]) * 0x100000001B3ull;
    f->hash = h;
    f->bytes += n;
}

/* ---- the receipts' keys ---- */
/* Memory first touched costs more than anything else here (a page fault,
 * and on a virtual machine often a trap to the host), so a key takes its
 * bytes and two length bytes in an arena, and a slot of 8 bytes at a load of
 * at most 3/4. A slot keeps 24 bits of the hash, so looking for a key that
 * is not there (every new receipt) reads almost only slots. */
static const char *key_at(const fast *f, uint32_t r, size_t *len) {
    uint16_t l;
    memcpy(&l, f->karena + f->rs[r].key_off, 2);
    *len = l;
    return f->karena + f->rs[r].key_off + 2;
}

/* The receipt keyed K (N bytes, hash H), or false. */
static bool key_find(const fast *f, const char *k, size_t n, uint64_t h, uint32_t *receipt) {
    uint64_t tag = h >> SLOT_OFF_BITS;
    for (size_t i = h & f->kmask;; i = (i + 1) & f->kmask) {
        uint64_t t = f->ktab[i];
        if (!t) return false;
        if (t >> SLOT_OFF_BITS != tag) continue;
        uint32_t r = (uint32_t)((t & SLOT_OFF_MASK) - 1);
        size_t len;
        const char *x = key_at(f, r, &len);
        if (len == n && same_bytes(x, k, n)) {
            *receipt = r;
            return true;
        }
    }
}

static void key_place(fast *f, uint64_t h, uint32_t r) {
    size_t i = h & f->kmask;
    while (f->ktab[i]) i = (i + 1) & f->kmask;
    f->ktab[i] = (h >> SLOT_OFF_BITS << SLOT_OFF_BITS) | ((uint64_t)r + 1);
}

static void keys_init(fast *f, size_t expect) {
    size_t cap = 1024;
    while (cap / 4 * 3 < expect) cap *= 2;
    f->kmask = cap - 1;
    f->ktab = big_resize(NULL, 0, cap * sizeof *f->ktab);
}

/* Key K of receipt R (the next one), known to be new. False: the arena is full. */
static bool key_add(fast *f, const char *k, size_t n, uint64_t h, uint32_t r) {
    if (n > UINT16_MAX || f->klen + 2 + n > UINT32_MAX) return false;
    if (f->klen + 2 + n > f->kcap) {
        size_t cap = f->kcap ? f->kcap * 2 : BIG_ROUND;
        f->karena = big_resize(f->karena, f->kcap, cap);
        f->kcap = big_round(cap);
    }
    uint16_t l = (uint16_t)n;
    f->rs[r].key_off = (uint32_t)f->klen;
    memcpy(f->karena + f->klen, &l, 2);
    memcpy(f->karena + f->klen + 2, k, n);
    f->klen += 2 + n;
    if ((size_t)r + 1 > (f->kmask + 1) / 4 * 3) {
        big_free(f->ktab, (f->kmask + 1) * sizeof *f->ktab);
        keys_init(f, f->kmask + 1);
        for (uint32_t i = 0; i < r; i++) {
            size_t len;
            const char *x = key_at(f, i, &len);
            key_place(f, key_hash(x, len), i);
        }
    }
    key_place(f, h, r);
    return true;
}

/* ---- workers: read and parse one chunk ---- */
#define PIPE_LEN 16
typedef struct pending {
    const smap *m;
    const char *s;             /* the key: in the chunk's bytes, or key */
    uint32_t len, row;
    bool lines;                /* a SKU for c->lr[row], else a card for c->rr[row] */
    uint64_t h;
    char key[KT_CARD_MAX];
} pending;

typedef struct worker {
    fast *f;
    pthread_t thread;
    char *scratch;             /* RECORD_MAX + 1 */
    uint32_t pred;             /* lines: the receipt of the previous line (UINT32_MAX: none) */
    pending pipe[PIPE_LEN];
    size_t pushed, popped;
} worker;

/* Room for one more row. */
static void chunk_grow(chunk *c, bool lines) {
    size_t *cap = lines ? &c->lr_cap : &c->rr_cap;
    if (c->nrows < *cap) return;
    size_t n = *cap ? *cap * 2 : 16384;
    if (lines) c->lr = kt_xrealloc(c->lr, n * sizeof *c->lr);
    else c->rr = kt_xrealloc(c->rr, n * sizeof *c->rr);
    *cap = n;
}

static void add_fixup(chunk *c, uint32_t row, uint32_t kind, const char *s, size_t len) {
    if (c->nfx == c->fx_cap) {
        c->fx_cap = c->fx_cap ? c->fx_cap * 2 : 256;
        c->fx = kt_xrealloc(c->fx, c->fx_cap * sizeof *c->fx);
    }
    c->fx[c->nfx++] = (fixup){row, kind, (uint32_t)(s - c->buf), (uint32_t)len};
}

/* Lookups of cards and SKUs wait in a short queue: a key's slot is
 * prefetched when it is queued, its record half way through, and the lookup
 * done when it leaves, so the cache misses of several rows overlap. Keys
 * leave in the order they came, so fixups stay in row order. */
static void pipe_finish(worker *wk, chunk *c) {
    pending *p = &wk->pipe[wk->popped++ % PIPE_LEN];
    uint32_t v = 0;
    bool found = smap_get(p->m, p->s, p->len, p->h, &v);
    if (p->lines) {
        if (found) c->lr[p->row].sku = v;
        else add_fixup(c, p->row, FX_SKU, p->s, p->len);
    } else {
        c->rr[p->row].member = v;
        if (!v) c->unknown_cards++;
    }
}

/* Queue the lookup of S (LEN bytes) in M for ROW; COPY: S does not outlive
 * the call (it is kept in the queue, LEN < KT_CARD_MAX). */
static void pipe_push(worker *wk, chunk *c, const smap *m, const char *s, size_t len, uint32_t row, bool copy) {
    if (wk->pushed - wk->popped == PIPE_LEN) pipe_finish(wk, c);
    pending *p = &wk->pipe[wk->pushed++ % PIPE_LEN];
    p->m = m;
    p->len = (uint32_t)len;
    p->row = row;
    p->lines = wk->f->lines;
    if (copy) {
        KT_ASSERT(len < sizeof p->key);
        memcpy(p->key, s, len);
        s = p->key;
    }
    p->s = s;
    p->h = key_hash(s, len);
    __builtin_prefetch(&m->tab[p->h & m->mask]);
    if (wk->pushed - wk->popped > PIPE_LEN / 2) {
        const pending *q = &wk->pipe[(wk->pushed - 1 - PIPE_LEN / 2) % PIPE_LEN];
        uint64_t t = q->m->tab[q->h & q->m->mask];
        if (t >> SLOT_OFF_BITS == q->h >> SLOT_OFF_BITS) __builtin_prefetch(q->m->arena + ((t & SLOT_OFF_MASK) - 1) * 8);
    }
}

static void pipe_drain(worker *wk, chunk *c) {
    while (wk->popped < wk->pushed) pipe_finish(wk, c);
}

static bool lookup(const smap *m, const char *s, size_t len, uint32_t *out) {
    return smap_get(m, s, len, key_hash(s, len), out);
}

#define FIELD(i, s, n)                                                        \
    do {                                                                      \
        int k_ = f->idx[i];                                                   \
        if (k_ >= 0 && (size_t)k_ < nf) { s = fs[k_]; n = fl[k_]; }           \
        else { s = ""; n = 0; }                                               \
    } while (0)

/* One receipts.csv record: false if the fast path does not take it. */
static bool receipt_record(worker *wk, chunk *c, const char *const *fs, const uint32_t *fl, size_t nf) {
    fast *f = wk->f;
    const char *rs, *ss, *ts, *cs, *ks, *tot;
    size_t rl, sl, tl, cl, kl, totl;
    FIELD(G_RECEIPT, rs, rl);
    FIELD(G_STORE, ss, sl);
    FIELD(G_TIME, ts, tl);
    FIELD(G_CARD, cs, cl);
    FIELD(G_KIND, ks, kl);
    FIELD(G_TOTAL, tot, totl);
    kt_err e;
    kt_time utc;
    int off;
    int64_t total;
    if (!rl || !sl) return false;
    if (kt_time_parse(ts, tl, f->o->default_offset_min, &utc, &off, &e, "time")) return false;
    if (kt_parse_money(tot, totl, &total, &e, "total") || total < 0) return false;
    bool sale = kl == 4 && !memcmp(ks, "sale", 4);
    if (!sale && !(kl == 6 && !memcmp(ks, "return", 6))) return false;
    chunk_grow(c, false);
    rrow *r = &c->rr[c->nrows];
    int64_t local = utc + (int64_t)off * 60, d = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    r->day = (int32_t)d;
    r->minute = (uint16_t)((local - d * 86400) / 60);
    r->flags = sale ? 0 : KT_COLS_RETURN;
    r->amount = sale ? total : -total;
    r->store = r->member = 0;
    if (!f->all_stores || !lookup(&f->stores, ss, sl, &r->store)) add_fixup(c, (uint32_t)c->nrows, FX_STORE, ss, sl);
    if (cl) {
        if (!f->all_cards) add_fixup(c, (uint32_t)c->nrows, FX_CARD, cs, cl);
        else {
            char norm[KT_CARD_MAX];
            memcpy(wk->scratch, cs, cl);
            wk->scratch[cl] = 0;
            if (kt_card_normalise(wk->scratch, norm, &e, "card") == KT_OK)
                pipe_push(wk, c, &f->cards, norm, strlen(norm), (uint32_t)c->nrows, true);
            else c->unknown_cards++;
        }
    }
    size_t klen = sl + 1 + rl;
    if (c->keys_len + klen > c->keys_cap) {
        c->keys_cap = (c->keys_cap + klen) * 2;
        c->keys = kt_xrealloc(c->keys, c->keys_cap);
    }
    char *k = c->keys + c->keys_len;
    memcpy(k, ss, sl);
    k[sl] = '\x1f';
    memcpy(k + sl + 1, rs, rl);
    r->key_off = (uint32_t)c->keys_len;
    r->key_len = (uint32_t)klen;
    r->key_hash = key_hash(k, klen);
    c->keys_len += klen;
    c->nrows++;
    return true;
}


/* Is receipt e the one keyed store \x1f receipt? */
static bool key_is(const fast *f, uint32_t e, const char *ss, size_t sl, const char *rs, size_t rl) {
    if (e >= f->nrs) return false;
    size_t len;
    const char *k = key_at(f, e, &len);
    return len == sl + 1 + rl && k[sl] == '\x1f' && same_bytes(k, ss, sl) && same_bytes(k + sl + 1, rs, rl);
}

/* One receipt_lines.csv record. */
static bool line_record(worker *wk, chunk *c, const char *const *fs, const uint32_t *fl, size_t nf) {
    fast *f = wk->f;
    const char *rs, *ss, *ks, *qs, *as;
    size_t rl, sl, kl, ql, al;
    FIELD(L_RECEIPT, rs, rl);
    FIELD(L_STORE, ss, sl);
    FIELD(L_SKU, ks, kl);
    FIELD(L_QTY, qs, ql);
    FIELD(L_AMOUNT, as, al);
    uint32_t at = wk->pred;
    if (!key_is(f, at, ss, sl, rs, rl)) {
        at = at + 1;
        if (!key_is(f, at, ss, sl, rs, rl)) {
            size_t klen = sl + 1 + rl;
            memcpy(wk->scratch, ss, sl);
            wk->scratch[sl] = '\x1f';
            memcpy(wk->scratch + sl + 1, rs, rl);
            if (!key_find(f, wk->scratch, klen, key_hash(wk->scratch, klen), &at)) return false;
        }
        wk->pred = at;
    }
    kt_err e;
    int64_t qty, amount;
    if (!kl) return false;
    if (kt_cols_parse_qty(qs, ql, &qty, &e, "qty") || kt_parse_money(as, al, &amount, &e, "amount")) return false;
    if (qty <= 0 || amount < 0) return false;
    chunk_grow(c, true);
    kt_cols_line_row *row = &c->lr[c->nrows];
    const rinfo *ri = &f->rs[at];
    row->receipt = f->first_receipt + at;
    row->member = ri->member;
    row->store = ri->store;
    row->sku = 0;
    row->day = ri->day;
    row->minute = ri->minute;
    if (ri->flags & KT_COLS_RETURN) { qty = -qty; amount = -amount; }
    row->qty_milli = qty;
    row->amount = amount;
    if (f->all_skus) pipe_push(wk, c, &f->skus, ks, kl, (uint32_t)c->nrows, false);
    else add_fixup(c, (uint32_t)c->nrows, FX_SKU, ks, kl);
    c->nrows++;
    return true;
}

/* Bit i set: p[i] is a byte the tokenizer stops at (a separator, a line
 * feed, a carriage return, a quote, a NUL or a byte above 0x7f). */
static inline uint32_t stops16(const fast *f, const char *p) {
#ifdef __SSE2__
    (void)f;
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(',')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_setzero_si128()));
    return (uint32_t)_mm_movemask_epi8(_mm_or_si128(m, v)); /* v's top bit: a byte above 0x7f */
#else
    uint32_t m = 0;
    for (int i = 0; i < 16; i++) m |= (uint32_t)f->stop[(uint8_t)p[i]] << i;
    return m;
#endif
}

/* Tokenize the records of [p, end), 16 bytes at a time: buf[end] or an
 * earlier byte is a line feed, and 16 bytes past end can be read. False at
 * the first thing the serial reader could read differently. */
static bool parse_records(worker *wk, chunk *c, const char *p, const char *end) {
    const fast *f = wk->f;
    const char *fs[KT_CSV_FIELDS_MAX], *from = p, *rec = p, *field = p, *crlf = NULL;
    uint32_t fl[KT_CSV_FIELDS_MAX];
    size_t nf = 0;
    bool high = false;
    for (const char *blk = p; rec < end; blk += 16) {
        for (uint32_t m = stops16(f, blk); m; m &= m - 1) {
            const char *q = blk + __builtin_ctz(m);
            char ch = *q;
            if (ch == ',') {
                if (nf >= KT_CSV_FIELDS_MAX - 1) return false;
                fs[nf] = field;
                fl[nf++] = (uint32_t)(q - field);
                field = q + 1;
                continue;
            }
            if (ch == '\n' && q == crlf) continue; /* ended the record at its carriage return */
            if (ch == '\n' || (ch == '\r' && q[1] == '\n')) {
                fs[nf] = field;
                fl[nf++] = (uint32_t)(q - field);
                const char *next = q + (ch == '\n' ? 1 : 2);
                if (ch == '\r') crlf = q + 1;
                if (nf > 1 || fl[0] > 0) { /* else a blank line */
                    if ((size_t)(next - rec) > KT_CSV_FIELD_MAX)
                        for (size_t i = 0; i < nf; i++)
                            if (fl[i] > KT_CSV_FIELD_MAX) return false;
                    if (!(f->lines ? line_record(wk, c, fs, fl, nf) : receipt_record(wk, c, fs, fl, nf))) return false;
                }
                rec = field = next;
                nf = 0;
                if (rec >= end) break;
                continue;
            }
            if ((uint8_t)ch >= 0x80) { high = true; continue; }
            return false; /* a quote, a NUL or a carriage return alone */
        }
    }
    return !high || kt_utf8_check(from, (size_t)(end - from)) == (size_t)(end - from);
}

/* Read chunk k and parse its records. False: not for this path. */
static bool chunk_parse(worker *wk, chunk *c, size_t k) {
    fast *f = wk->f;
    uint64_t from = (uint64_t)k * f->chunk_bytes, start = from ? from - 1 : 0;
    uint64_t stop = from + f->chunk_bytes + TAIL_BYTES;
    if (stop > f->size) stop = f->size;
    size_t n = (size_t)(stop - start), got = 0;
    c->nrows = c->nfx = c->keys_len = 0;
    c->unknown_cards = 0;
    wk->pred = UINT32_MAX;
    wk->pushed = wk->popped = 0;
    if (!c->buf) c->buf = kt_xcalloc(1, f->chunk_bytes + TAIL_BYTES + 2 + 16); /* + 16: parse_records reads ahead */
    while (got < n) {
        ssize_t r = pread(f->fd, c->buf + got, n - got, (off_t)(start + got));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false; /* the serial path reports it */
        got += (size_t)r;
    }
    c->buf[n] = '\n';
    c->own = (size_t)(from - start);
    c->own_len = (size_t)((f->size - from) < f->chunk_bytes ? f->size - from : f->chunk_bytes);
    size_t own_end = c->own + c->own_len, a, b;
    if (from <= f->data_start) {
        if (f->data_start >= from + c->own_len) return true; /* the header fills it */
        a = (size_t)(f->data_start - start);
    } else {
        const char *nl = memchr(c->buf, '\n', own_end - 1);
        if (!nl) return true; /* a record from an earlier chunk covers it */
        a = (size_t)(nl - c->buf) + 1;
    }
    if (from + c->own_len == f->size) b = n;
    else {
        const char *nl = memchr(c->buf + own_end - 1, '\n', n - (own_end - 1));
        if (nl) b = (size_t)(nl - c->buf) + 1;
        else if (stop == f->size) b = n; /* the last record, without a line feed */
        else return false;                /* a record longer than TAIL_BYTES */
    }
    if (!parse_records(wk, c, c->buf + a, c->buf + b)) return false;
    pipe_drain(wk, c);
    return true;
}

/* With f->mu held: can the next chunk be taken now? */
static bool can_take(const fast *f) {
    return !f->quit && f->take < f->nchunks && f->slots[f->take % f->nslots].state == SLOT_FREE;
}

/* With f->mu held and can_take: take the next chunk and parse it (the lock
 * is let go meanwhile). */
static void take_chunk(worker *wk) {
    fast *f = wk->f;
    size_t k = f->take++;
    chunk *c = &f->slots[k % f->nslots];
    c->state = SLOT_BUSY;
    c->index = k;
    pthread_mutex_unlock(&f->mu);
    c->serial = !chunk_parse(wk, c, k);
    pthread_mutex_lock(&f->mu);
    c->state = SLOT_DONE;
    pthread_cond_broadcast(&f->cv);
}

static void *worker_main(void *arg) {
    worker *wk = arg;
    fast *f = wk->f;
    pthread_mutex_lock(&f->mu);
    for (;;) {
        while (!f->quit && f->take < f->nchunks && !can_take(f)) pthread_cond_wait(&f->cv, &f->mu);
        if (!can_take(f)) break;
        take_chunk(wk);
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

/* ---- the calling thread: ids, then the writer ---- */

/* As cols_import.c's resolve() and resolve_card(), with the store's answer
 * known when its ids were loaded. False: an error (the serial path reports it). */
static bool fix_id(fast *f, uint32_t kind, const char *s, size_t len, uint32_t *out) {
    kt_strmap *cache = f->cache[kind];
    kt_err e;
    if (kt_strmap_get(cache, s, len, out)) {
        if (kind == FX_CARD && !*out) f->res->unknown_cards++;
        return true;
    }
    memcpy(f->tmp, s, len);
    f->tmp[len] = 0;
    *out = 0;
    if (kind == FX_CARD) {
        char norm[KT_CARD_MAX];
        if (kt_card_normalise(f->tmp, norm, &e, "card") == KT_OK) {
            kt_cursor *cur;
            bool has = false;
            if (kt_store_query(f->st, KT_Q_CARD_GET, (kt_val[]){KT_VS(norm)}, 1, &cur, &e)) return false;
            kt_rc rc = kt_store_step(cur, &has, &e);
            if (!rc && has) *out = (uint32_t)kt_col_int(cur, 1);
            kt_store_end(cur);
            if (rc) return false;
        }
        if (!*out) f->res->unknown_cards++;
    } else {
        bool store = kind == FX_STORE, all = store ? f->all_stores : f->all_skus;
        int64_t id = 0;
        bool found = false;
        if (!all && kt_store_int(f->st, store ? KT_Q_STORE_BY_CODE : KT_Q_PRODUCT_BY_SKU, (kt_val[]){KT_VS(f->tmp)}, 1,
                                 &id, &found, &e))
            return false;
        if (found && id > 0 && id < (int64_t)KT_COLS_FOREIGN) *out = (uint32_t)id;
        else {
            if (kt_cols_writer_dict(f->w, store ? KT_DICT_STORE : KT_DICT_SKU, s, len, out, &e)) return false;
            (*(store ? &f->res->new_stores : &f->res->new_skus))++;
        }
    }
    kt_strmap_put(cache, s, len, *out);
    return true;
}

static bool merge_receipts(fast *f, chunk *c) {
    kt_err e;
    size_t x = 0;
    f->res->unknown_cards += c->unknown_cards;
    for (size_t i = 0; i < c->nrows; i++) {
        rrow *r = &c->rr[i];
        if (i + 8 < c->nrows) __builtin_prefetch(&f->ktab[c->rr[i + 8].key_hash & f->kmask], 1);
        for (; x < c->nfx && c->fx[x].row == i; x++) {
            const fixup *fx = &c->fx[x];
            if (!fix_id(f, fx->kind, c->buf + fx->off, fx->len, fx->kind == FX_STORE ? &r->store : &r->member)) return false;
        }
        const char *key = c->keys + r->key_off;
        uint32_t seen;
        if (key_find(f, key, r->key_len, r->key_hash, &seen)) return false; /* the receipt appears twice */
        if (f->nrs == UINT32_MAX - 1) return false;
        if (f->nrs == f->rs_cap) {
            size_t cap = f->rs_cap ? f->rs_cap * 2 : 65536;
            f->rs = big_resize(f->rs, f->rs_cap * sizeof *f->rs, cap * sizeof *f->rs);
            f->rs_cap = cap;
        }
        f->rs[f->nrs] = (rinfo){0, r->member, r->store, r->day, r->minute, r->flags};
        if (!key_add(f, key, r->key_len, r->key_hash, (uint32_t)f->nrs)) return false;
        kt_cols_receipt_row row = {f->first_receipt + (uint32_t)f->nrs, r->member, r->store, r->day, r->minute,
                                   r->flags, r->amount};
        f->nrs++;
        if (kt_cols_writer_receipt(f->w, &row, &e)) return false;
    }
    return true;
}

static bool merge_lines(fast *f, chunk *c) {
    kt_err e;
    for (size_t x = 0; x < c->nfx; x++) {
        const fixup *fx = &c->fx[x];
        if (!fix_id(f, fx->kind, c->buf + fx->off, fx->len, &c->lr[fx->row].sku)) return false;
    }
    if (kt_cols_writer_lines(f->w, c->lr, c->nrows, &e)) return false;
    f->res->lines += c->nrows;
    return true;
}

/* Header: the column of each field, and where the records start. */
static bool header(fast *f, const char *path, const char *const *names, const bool *required, size_t n) {
    kt_csv *c;
    kt_err e;
    const kt_csv_field *fs;
    size_t nf;
    if (kt_csv_open(path, ',', &c, &e)) return false;
    bool ok = !kt_csv_next(c, &fs, &nf, &e) && nf > 0;
    for (size_t i = 0; ok && i < n; i++) {
        f->idx[i] = names[i] ? kt_csv_column(fs, nf, names[i]) : -1;
        if (f->idx[i] < 0 && required[i]) ok = false;
    }
    f->data_start = kt_csv_offset(c);
    kt_csv_close(c);
    return ok;
}


/* One file, start to end. False: not for this path. */
static bool run_file(fast *f, const char *path, bool lines) {
    static const char *const gnames[G_N] = {"receipt", "store", "time", "card", "kind", "total"};
    static const bool greq[G_N] = {true, true, true, false, true, true};
    static const char *const lnames[L_N] = {"receipt", "store", "sku", "qty", "amount"};
    static const bool lreq[L_N] = {true, true, true, true, true};
    f->lines = lines;
    if (!(lines ? header(f, path, lnames, lreq, L_N) : header(f, path, gnames, greq, G_N))) return false;
    f->fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (f->fd < 0) return false;
    if (fstat(f->fd, &sb) || sb.st_size < 0 || (uint64_t)sb.st_size < f->data_start) { close(f->fd); return false; }
    f->size = (uint64_t)sb.st_size;
    f->nchunks = (size_t)((f->size + f->chunk_bytes - 1) / f->chunk_bytes);
    f->take = 0;
    f->quit = false;
    size_t nthreads = f->nchunks <= f->nthreads ? (f->nchunks ? f->nchunks - 1 : 0) : f->nthreads;
    worker *wk = kt_xcalloc(nthreads, sizeof *wk);
    size_t started = 0;
    for (; started < nthreads; started++) {
        wk[started].f = f;
        wk[started].scratch = kt_xmalloc(RECORD_MAX + 1);
        if (pthread_create(&wk[started].thread, NULL, worker_main, &wk[started])) {
            free(wk[started].scratch);
            break;
        }
    }
    /* the calling thread parses too while the chunk it waits for is not done */
    worker self = {.f = f, .scratch = f->tmp};
    bool ok = true;
    for (size_t k = 0; ok && k < f->nchunks; k++) {
        chunk *c = &f->slots[k % f->nslots];
        pthread_mutex_lock(&f->mu);
        while (!(c->state == SLOT_DONE && c->index == k)) {
            if (can_take(f)) take_chunk(&self);
            else pthread_cond_wait(&f->cv, &f->mu);
        }
        pthread_mutex_unlock(&f->mu);
        ok = !c->serial;
        if (ok) {
            hash_bytes(f, c->buf + c->own, c->own_len, k + 1 == f->nchunks);
            ok = lines ? merge_lines(f, c) : merge_receipts(f, c);
        }
        pthread_mutex_lock(&f->mu);
        c->state = SLOT_FREE;
        pthread_cond_broadcast(&f->cv);
        pthread_mutex_unlock(&f->mu);
    }
    pthread_mutex_lock(&f->mu);
    f->quit = true;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    for (size_t i = 0; i < started; i++) {
        pthread_join(wk[i].thread, NULL);
        free(wk[i].scratch);
    }
    free(wk);
    close(f->fd);
    return ok;
}

/* Load code -> id of one kind from the store (columns: id, then code). */
static bool load_ids(fast *f, kt_query q, bool cards, smap *m) {
    kt_cursor *cur;
    kt_err e;
    bool has;
    if (kt_store_query(f->st, q, NULL, 0, &cur, &e)) return false;
    kt_rc rc;
    while (!(rc = kt_store_step(cur, &has, &e)) && has) {
        /* cards: number, member_id; stores and products: id, code */
        const char *s = kt_col_text(cur, cards ? 0 : 1);
        int64_t id = kt_col_int(cur, cards ? 1 : 0);
        uint32_t v;
        if (!s) continue;
        if (!cards && (id <= 0 || id >= (int64_t)KT_COLS_FOREIGN)) continue; /* the dictionary's, as resolve() */
        size_t len = strlen(s);
        uint64_t h = key_hash(s, len);
        if (!smap_get(m, s, len, h, &v)) smap_add(m, s, len, h, (uint32_t)id);
    }
    kt_store_end(cur);
    return !rc;
}

/* Which kinds to load whole: all of them unless the store holds many more
 * than the import can name (then the calling thread asks for each). */
static bool load_store(fast *f, uint64_t receipts_bytes, uint64_t lines_bytes) {
    kt_err e;
    int64_t cards = 0, stores = 0, products = 0;
    bool found;
    if (kt_store_int(f->st, KT_Q_CARD_COUNT, NULL, 0, &cards, &found, &e) || cards < 0 ||
        kt_store_int(f->st, KT_Q_STORE_COUNT, NULL, 0, &stores, &found, &e) ||
        kt_store_int(f->st, KT_Q_PRODUCT_COUNT, NULL, 0, &products, &found, &e))
        return false;
    uint64_t receipts = receipts_bytes / 32 + 4096, lines = lines_bytes / 16 + 4096;
    f->all_cards = (uint64_t)cards <= receipts;
    f->all_stores = (uint64_t)stores <= receipts;
    f->all_skus = (uint64_t)products <= lines;
    smap_init(&f->cards, f->all_cards ? (size_t)cards : 0);
    smap_init(&f->stores, f->all_stores ? (size_t)stores : 0);
    smap_init(&f->skus, f->all_skus ? (size_t)products : 0);
    keys_init(f, (size_t)(receipts_bytes / 72)); /* a receipt row is some 70 bytes */
    f->rs_cap = (size_t)(receipts_bytes / 64) + 65536;
    f->rs = big_resize(NULL, 0, f->rs_cap * sizeof *f->rs);
    return (!f->all_cards || load_ids(f, KT_Q_ACTX_CARD_MEMBERS, true, &f->cards)) &&
           (!f->all_stores || load_ids(f, KT_Q_ACTX_STORES, false, &f->stores)) &&
           (!f->all_skus || load_ids(f, KT_Q_ACTX_PRODUCTS, false, &f->skus));
}

static uint64_t file_size(const char *path) {
    struct stat sb;
    return stat(path, &sb) || sb.st_size < 0 ? 0 : (uint64_t)sb.st_size;
}

kt_rc kt_cols_fast_import(kt_store *st, const kt_cols_import_opts *o, kt_cols_import_result *res, bool *serial,
                          kt_err *err) {
    char rpath[4096], lpath[4096];
    *serial = true;
    const char *knob = getenv("KARTA_IMPORT_CHUNK"); /* tests: many chunks from small files, or 0: serial */
    if (knob && !strcmp(knob, "0")) return KT_OK;
    if (o->map || (size_t)snprintf(rpath, sizeof rpath, "%s/receipts.csv", o->path) >= sizeof rpath ||
        (size_t)snprintf(lpath, sizeof lpath, "%s/receipt_lines.csv", o->path) >= sizeof lpath)
        return KT_OK;
    fast *f = kt_xcalloc(1, sizeof *f);
    f->st = st;
    f->o = o;
    f->res = res;
    f->hash = 0x84222325CBF29CE4ull;
    f->chunk_bytes = CHUNK_BYTES;
    if (knob) {
        long v = atol(knob);
        if (v >= CHUNK_BYTES_MIN && (size_t)v <= CHUNK_BYTES) f->chunk_bytes = (size_t)v / 8 * 8;
    }
    f->stop[','] = f->stop['\n'] = f->stop['\r'] = f->stop['"'] = f->stop[0] = 1;
    for (int b = 0x80; b < 0x100; b++) f->stop[b] = 1;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    /* one worker per core but the one the calling thread parses on between merges */
    f->nthreads = ncpu <= 1 ? 0 : ncpu > THREADS_MAX ? THREADS_MAX - 1 : (size_t)ncpu - 1;
    f->nslots = (f->nthreads + 1) * SLOTS_PER_THREAD;
    f->slots = kt_xcalloc(f->nslots, sizeof *f->slots);
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    for (int k = 0; k < 3; k++) f->cache[k] = kt_strmap_new();
    f->tmp = kt_xmalloc(RECORD_MAX + 1);
    kt_err e;
    bool ok = kt_cols_writer_open(o->data_dir, &f->w, &e) == KT_OK;
    if (ok) {
        f->first_receipt = kt_cols_writer_next_receipt(f->w);
        ok = load_store(f, file_size(rpath), file_size(lpath)) && run_file(f, rpath, false) && run_file(f, lpath, true);
    }
    kt_rc rc = KT_OK;
    if (ok) {
        char fp[KT_COLS_FP_MAX];
        snprintf(fp, sizeof fp, "dir-%llu-%016llx", (unsigned long long)f->bytes, (unsigned long long)f->hash);
        *serial = false;
        if (kt_cols_writer_imported(f->w, fp) && !o->again) {
            kt_cols_writer_abort(f->w);
            rc = kt_fail(err, KT_EEXIST, o->path, "these receipts were imported before (same content); --again imports them once more");
        } else {
            uint64_t receipts = 0, lines = 0;
            kt_cols_writer_record_import(f->w, fp);
            rc = kt_cols_writer_commit(f->w, &receipts, &lines, err);
            res->receipts = receipts;
            res->lines = lines;
        }
    } else {
        kt_cols_writer_abort(f->w); /* nothing was published */
        *res = (kt_cols_import_result){0};
    }
    for (size_t i = 0; i < f->nslots; i++) {
        chunk *c = &f->slots[i];
        free(c->buf);
        free(c->rr);
        free(c->lr);
        free(c->fx);
        free(c->keys);
    }
    free(f->slots);
    smap_free(&f->stores);
    smap_free(&f->skus);
    smap_free(&f->cards);
    big_free(f->ktab, (f->kmask + 1) * sizeof *f->ktab);
    big_free(f->karena, f->kcap);
    for (int k = 0; k < 3; k++) kt_strmap_free(f->cache[k]);
    free(f->tmp);
    big_free(f->rs, f->rs_cap * sizeof *f->rs);
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
    free(f);
    return rc;
}
