/*
 * fpgrowth.c - FP-growth over flat arrays (fpgrowth.h).
 *
 * A tree's nodes live in parallel arrays indexed by node id (0 is the root):
 * item (the tree's local item id), count, parent, first child (only to see
 * whether a node branches) and the next node of the same item. A child is
 * found through an open-addressing table keyed by (parent, item). Local item
 * ids ascend with the global frequency rank, so a path read from a node up to
 * the root comes in descending rank and, reversed, is ready to insert.
 */
#include "analytics/fpgrowth.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define NONE UINT32_MAX
#define DEPTH_MAX 64          /* recursion depth = itemset size; max_len is capped to it */

/* ---- one tree ------------------------------------------------------------------- */
typedef struct tree {
    uint32_t n, cap;          /* nodes in use (root included), allocated */
    uint32_t *item, *count, *parent, *child, *next;
    uint32_t m, mcap;         /* local items, allocated */
    uint32_t *rank;           /* local item -> global rank */
    uint32_t *head;           /* local item -> first node (0: none) */
    uint32_t *nodes;          /* local item -> its number of nodes */
    uint64_t *total;          /* local item -> sum of its nodes' counts */
    uint32_t *slot;           /* child table: node ids, 0 = empty */
    uint32_t slots;           /* power of two */
    bool branched;            /* some node has two children */
} tree;

static size_t tree_bytes(const tree *t) {
    return (size_t)t->cap * 5 * sizeof(uint32_t) + (size_t)t->mcap * (3 * sizeof(uint32_t) + sizeof(uint64_t)) +
           (size_t)t->slots * sizeof(uint32_t);
}

static void tree_free(tree *t) {
    free(t->item); free(t->count); free(t->parent); free(t->child); free(t->next);
    free(t->rank); free(t->head); free(t->nodes); free(t->total); free(t->slot);
    memset(t, 0, sizeof *t);
}

static inline uint32_t child_hash(uint32_t parent, uint32_t item) {
    uint64_t h = ((uint64_t)parent << 32 | item) * 0x9E3779B97F4A7C15ull;
    return (uint32_t)(h >> 32);
}

static void tree_rehash(tree *t, uint32_t slots) {
    free(t->slot);
    t->slots = slots;
    t->slot = kt_xcalloc(slots, sizeof *t->slot);
    uint32_t mask = slots - 1;
    for (uint32_t nd = 1; nd < t->n; nd++) {
        uint32_t h = child_hash(t->parent[nd], t->item[nd]) & mask;
        while (t->slot[h]) h = (h + 1) & mask;
        t->slot[h] = nd;
    }
}

/* Empty T for M local items (keeps its allocations). */
static void tree_reset(tree *t, uint32_t m, uint32_t nodes_hint) {
    if (m > t->mcap) {
        t->mcap = m;
        t->rank = kt_xrealloc(t->rank, m * sizeof *t->rank);
        t->head = kt_xrealloc(t->head, m * sizeof *t->head);
        t->nodes = kt_xrealloc(t->nodes, m * sizeof *t->nodes);
        t->total = kt_xrealloc(t->total, m * sizeof *t->total);
    }
    t->m = m;
    if (m) { /* no items: the arrays may still be NULL */
        memset(t->head, 0, m * sizeof *t->head);
        memset(t->nodes, 0, m * sizeof *t->nodes);
        memset(t->total, 0, m * sizeof *t->total);
    }
    if (t->cap == 0) {
        t->cap = nodes_hint < 64 ? 64 : nodes_hint;
        t->item = kt_xmalloc(t->cap * sizeof *t->item);
        t->count = kt_xmalloc(t->cap * sizeof *t->count);
        t->parent = kt_xmalloc(t->cap * sizeof *t->parent);
        t->child = kt_xmalloc(t->cap * sizeof *t->child);
        t->next = kt_xmalloc(t->cap * sizeof *t->next);
    }
    t->n = 1;
    t->item[0] = NONE; t->count[0] = 0; t->parent[0] = 0; t->child[0] = 0; t->next[0] = 0;
    uint32_t want = 64;
    while (want < 2 * nodes_hint && want < (1u << 30)) want *= 2;
    if (t->slots < want) tree_rehash(t, want);
    else memset(t->slot, 0, t->slots * sizeof *t->slot);
    t->branched = false;
}

static uint32_t tree_node(tree *t, uint32_t parent, uint32_t item) {
    if (t->n == t->cap) {
        KT_ASSERT(t->cap < UINT32_MAX / 2);
        t->cap *= 2;
        t->item = kt_xrealloc(t->item, t->cap * sizeof *t->item);
        t->count = kt_xrealloc(t->count, t->cap * sizeof *t->count);
        t->parent = kt_xrealloc(t->parent, t->cap * sizeof *t->parent);
        t->child = kt_xrealloc(t->child, t->cap * sizeof *t->child);
        t->next = kt_xrealloc(t->next, t->cap * sizeof *t->next);
    }
    uint32_t nd = t->n++;
    t->item[nd] = item;
    t->count[nd] = 0;
    t->parent[nd] = parent;
    t->child[nd] = 0;
    t->next[nd] = t->head[item];
    t->head[item] = nd;
    t->nodes[item]++;
    if (t->child[parent]) t->branched = true;
    else t->child[parent] = nd;
    return nd;
}

/* Add PATH (local ids, strictly ascending) with weight W. */
static void tree_insert(tree *t, const uint32_t *path, size_t len, uint32_t w) {
    uint32_t cur = 0;
    for (size_t k = 0; k < len; k++) {
        uint32_t x = path[k];
        if ((uint64_t)(t->n + 1) * 2 > t->slots) tree_rehash(t, t->slots * 2);
        uint32_t mask = t->slots - 1, h = child_hash(cur, x) & mask, nd;
        while ((nd = t->slot[h]) != 0 && !(t->parent[nd] == cur && t->item[nd] == x)) h = (h + 1) & mask;
        if (!nd) {
            nd = tree_node(t, cur, x);
            t->slot[h] = nd;
        }
        t->count[nd] += w;
        t->total[x] += w;
        cur = nd;
    }
}

static inline bool pair_frequent(const uint64_t *bits, uint32_t m, uint32_t i, uint32_t j) {
    size_t k = (size_t)i * m + j;
    return (bits[k >> 6] >> (k & 63)) & 1;
}

/* ---- output of one worker -------------------------------------------------------- */
typedef struct sets {
    size_t n, cap, nitems, icap;
    uint32_t *count;
    uint64_t *end;            /* end offset of each set in items */
    uint32_t *items;          /* global ranks */
} sets;

typedef struct shared {
    const tree *top;
    uint32_t min_count, max_len;
    uint32_t emit_from;       /* sets of fewer items are not emitted (the pair matrix gave them) */
    const uint64_t *pair_bits;/* with the pair matrix: bit i * m + j set when pair (i, j) is frequent */
    const uint8_t *keep;      /* with the pair matrix: items in triangles of frequent pairs */
    uint32_t m;
    size_t sets_max;
    atomic_size_t next_item;  /* top-level work queue (counts down from m) */
    atomic_size_t emitted;
    atomic_bool stop;
} shared;

typedef struct worker {
    shared *sh;
    tree pool[DEPTH_MAX + 1]; /* pool[d]: the conditional tree at depth d */
    uint64_t *acc;            /* per local item of the tree being projected */
    uint32_t *touched, *loc, *path;
    uint32_t prefix[DEPTH_MAX + 1];
    sets out;
    size_t peak_bytes;
} worker;

/* Append a set (PREFIX, then EXTRA unless NONE) to S. */
static void sets_add(sets *s, const uint32_t *prefix, uint32_t len, uint32_t extra, uint32_t count) {
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->count = kt_xrealloc(s->count, s->cap * sizeof *s->count);
        s->end = kt_xrealloc(s->end, s->cap * sizeof *s->end);
    }
    size_t need = len + (extra != NONE);
    if (s->nitems + need > s->icap) {
        s->icap = s->icap ? s->icap * 2 : 4096;
        while (s->icap < s->nitems + need) s->icap *= 2;
        s->items = kt_xrealloc(s->items, s->icap * sizeof *s->items);
    }
    memcpy(s->items + s->nitems, prefix, len * sizeof *prefix);
    s->nitems += len;
    if (extra != NONE) s->items[s->nitems++] = extra;
    s->count[s->n] = count;
    s->end[s->n] = s->nitems;
    s->n++;
}

static void emit(worker *w, const uint32_t *prefix, uint32_t len, uint32_t extra, uint32_t count) {
    if (len + (extra != NONE) < w->sh->emit_from) return;
    sets *s = &w->out;
    sets_add(s, prefix, len, extra, count);
    if ((s->n & 1023) == 0) {
        size_t total = atomic_fetch_add(&w->sh->emitted, 1024) + 1024;
        if (total > w->sh->sets_max) atomic_store(&w->sh->stop, true);
    }
}

/* All subsets of a single path (ranks R, counts C from the root down; counts
 * never grow downwards) of at most ROOM items, each after the prefix. The count
 * of a subset is that of its deepest node. */
static void single_path(worker *w, const uint32_t *r, const uint32_t *c, uint32_t len, uint32_t depth,
                        uint32_t room, uint32_t from) {
    for (uint32_t j = from; j < len && !atomic_load_explicit(&w->sh->stop, memory_order_relaxed); j++) {
        w->prefix[depth] = r[j];
        emit(w, w->prefix, depth + 1, NONE, c[j]);
        if (room > 1) single_path(w, r, c, len, depth + 1, room - 1, j + 1);
    }
}

static void mine_item(worker *w, const tree *t, uint32_t x, uint32_t depth);

static void mine_tree(worker *w, const tree *t, uint32_t depth) {
    for (uint32_t x = t->m; x-- > 0;) {
        if (atomic_load_explicit(&w->sh->stop, memory_order_relaxed)) return;
        mine_item(w, t, x, depth);
    }
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Pass 1: the counts (w->acc) of the items above X's nodes in T (its pattern
 * base); the frequent ones into w->touched, the others' counts cleared.
 * Returns how many are frequent. */
static uint32_t base_counts(worker *w, const tree *t, uint32_t x) {
    uint32_t nt = 0, nf = 0;
    for (uint32_t nd = t->head[x]; nd; nd = t->next[nd]) {
        uint32_t c = t->count[nd];
        for (uint32_t p = t->parent[nd]; p; p = t->parent[p]) {
            uint32_t y = t->item[p];
            if (w->acc[y] == 0) w->touched[nt++] = y;
            w->acc[y] += c;
        }
    }
    for (uint32_t k = 0; k < nt; k++) {
        uint32_t y = w->touched[k];
        if (w->acc[y] >= w->sh->min_count) w->touched[nf++] = y;
        else w->acc[y] = 0;
    }
    return nf;
}

/* Item X of tree T (whose sets extend w->prefix[0..depth)). */
static void mine_item(worker *w, const tree *t, uint32_t x, uint32_t depth) {
    const shared *sh = w->sh;
    uint64_t cnt = t->total[x];
    if (cnt < sh->min_count) return;
    w->prefix[depth] = t->rank[x];
    emit(w, w->prefix, depth + 1, NONE, (uint32_t)cnt);
    if (depth + 1 >= sh->max_len) return;

    uint32_t nf = 0;
    if (depth == 0 && sh->pair_bits) {
        /* The top tree's items are the global ranks, so the frequent pairs say
         * which items above X can extend it: a superset of those frequent in its
         * pattern base (the others are pruned in the conditional tree), found
         * without walking X's paths twice. Ascending already; max_len >= 3 here,
         * so this is not the last level. */
        for (uint32_t y = 0; y < x; y++)
            if (sh->keep[y] && pair_frequent(sh->pair_bits, sh->m, x, y)) w->touched[nf++] = y;
    } else {
        nf = base_counts(w, t, x);
        if (depth + 2 >= sh->max_len) {            /* the last level: no tree needed */
            for (uint32_t k = 0; k < nf; k++) {
                uint32_t y = w->touched[k];
                emit(w, w->prefix, depth + 1, t->rank[y], (uint32_t)w->acc[y]);
                w->acc[y] = 0;
            }
            return;
        }
        if (nf > 1) qsort(w->touched, nf, sizeof *w->touched, cmp_u32);
    }
    if (nf == 0) return;

    /* Pass 2: the conditional tree over the frequent items, in rank order. */
    tree *ct = &w->pool[depth + 1];
    tree_reset(ct, nf, t->nodes[x] * 2);
    for (uint32_t k = 0; k < nf; k++) {
        uint32_t y = w->touched[k];
        ct->rank[k] = t->rank[y];
        w->loc[y] = k;
        w->acc[y] = 0;
    }
    for (uint32_t nd = t->head[x]; nd; nd = t->next[nd]) {
        uint32_t len = 0;
        for (uint32_t p = t->parent[nd]; p; p = t->parent[p]) {
            uint32_t l = w->loc[t->item[p]];
            if (l != NONE) w->path[len++] = l;
        }
        for (uint32_t a = 0, b = len; a + 1 < b; a++, b--) {
            uint32_t tmp = w->path[a]; w->path[a] = w->path[b - 1]; w->path[b - 1] = tmp;
        }
        if (len) tree_insert(ct, w->path, len, t->count[nd]);
    }
    for (uint32_t k = 0; k < nf; k++) w->loc[w->touched[k]] = NONE;
    size_t bytes = 0;
    for (uint32_t d = 0; d <= DEPTH_MAX; d++) bytes += tree_bytes(&w->pool[d]);
    if (bytes > w->peak_bytes) w->peak_bytes = bytes;

    if (!ct->branched) {                      /* one path: every subset at once */
        /* Counts only fall down the path; past the first infrequent node (the
         * pair-based item choice above may bring some) no subset is frequent. */
        uint32_t len = 0;
        for (uint32_t nd = ct->child[0]; nd && ct->count[nd] >= sh->min_count; nd = ct->child[nd]) {
            w->path[len] = ct->rank[ct->item[nd]];
            w->touched[len++] = ct->count[nd];
        }
        single_path(w, w->path, w->touched, len, depth + 1, sh->max_len - depth - 1, 0);
        return;
    }
    mine_tree(w, ct, depth + 1);
}

static void *work(void *arg) {
    worker *w = arg;
    shared *sh = w->sh;
    for (;;) {
        if (atomic_load(&sh->stop)) break;
        size_t k = atomic_fetch_add(&sh->next_item, 1);
        if (k >= sh->top->m) break;
        mine_item(w, sh->top, sh->top->m - 1 - (uint32_t)k, 0);
    }
    return NULL;
}

#define HUGE_PAGE_BYTES ((size_t)2 << 20)

void *kt_fp_big_alloc(size_t bytes, bool zero) {
#ifdef MADV_HUGEPAGE
    void *p = NULL;
    if (bytes >= 2 * HUGE_PAGE_BYTES && posix_memalign(&p, HUGE_PAGE_BYTES, bytes) == 0) {
        madvise(p, bytes, MADV_HUGEPAGE);
        if (zero) memset(p, 0, bytes);
        return p;
    }
#endif
    return zero ? kt_xcalloc(bytes ? bytes : 1, 1) : kt_xmalloc(bytes ? bytes : 1);
}

/* ---- parallel jobs --------------------------------------------------------------- */
/* Run FN on each of the N jobs at JOBS (SIZE bytes apart), job 0 on this thread;
 * a job whose thread cannot start runs here. */
static void run_jobs(int n, void *(*fn)(void *), void *jobs, size_t size) {
    pthread_t tid[64];
    int started = 0;
    for (int t = 1; t < n; t++) {
        if (pthread_create(&tid[t], NULL, fn, (char *)jobs + (size_t)t * size) != 0) break;
        started = t;
    }
    for (int t = started + 1; t < n; t++) fn((char *)jobs + (size_t)t * size);
    fn(jobs);
    for (int t = 1; t <= started; t++) pthread_join(tid[t], NULL);
}

static void sort_small(uint32_t *v, size_t n) {
    if (n > 32) { qsort(v, n, sizeof *v, cmp_u32); return; }
    for (size_t i = 1; i < n; i++) {
        uint32_t x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) { v[j] = v[j - 1]; j--; }
        v[j] = x;
    }
}

/* ---- ranges of baskets over the parts ------------------------------------------------- */
typedef struct slice { const kt_fp_part *p; size_t from, to; } slice;

/* The baskets [FROM, TO) of all parts taken in order, as slices of parts (at most
 * nparts) into OUT; returns how many. */
static size_t slices_of(const kt_fp_baskets *b, size_t from, size_t to, slice *out) {
    size_t k = 0, base = 0;
    for (size_t p = 0; p < b->nparts; p++) {
        size_t n = b->parts[p].n, lo = from > base ? from - base : 0, hi = to > base ? to - base : 0;
        if (hi > n) hi = n;
        if (lo < hi) out[k++] = (slice){&b->parts[p], lo, hi};
        base += n;
    }
    return k;
}

/* A job's share of the baskets: job T of JOBS. */
static slice *job_slices(const kt_fp_baskets *b, size_t n, int t, int jobs, size_t *count) {
    slice *sl = kt_xmalloc((b->nparts ? b->nparts : 1) * sizeof *sl);
    *count = slices_of(b, n * (size_t)t / (size_t)jobs, n * (size_t)(t + 1) / (size_t)jobs, sl);
    return sl;
}

/* ---- item counts ------------------------------------------------------------------ */
typedef struct count_job {
    const kt_fp_baskets *b;
    slice *sl;                /* its baskets */
    size_t nsl;
    uint32_t *count;          /* per item */
    uint32_t *stamp;          /* baskets that may repeat an item: per item, the last basket + 1 that counted it */
    size_t longest;           /* OUT: most items in one basket */
} count_job;

static void *count_items(void *arg) {
    count_job *j = arg;
    const kt_fp_baskets *b = j->b;
    uint32_t nitems = b->item_count, serial = 0;
    size_t longest = 0;
    for (size_t q = 0; q < j->nsl; q++) {
        const uint64_t *start = j->sl[q].p->start;
        const uint32_t *items = j->sl[q].p->items;
        for (size_t i = j->sl[q].from; i < j->sl[q].to; i++) {
            uint64_t s = start[i], e = start[i + 1];
            if (e - s > longest) longest = (size_t)(e - s);
            if (j->stamp) {
                serial++;
                for (uint64_t k = s; k < e; k++) {
                    uint32_t it = items[k];
                    KT_ASSERT(it < nitems);
                    if (j->stamp[it] != serial) { j->stamp[it] = serial; j->count[it]++; }
                }
            } else {
                for (uint64_t k = s; k < e; k++) {
                    uint32_t it = items[k];
                    KT_ASSERT(it < nitems);
                    j->count[it]++;
                }
            }
        }
    }
    j->longest = longest;
    return NULL;
}

/* The items V[0..N) that have a rank (and KEEP[rank] when KEEP is given) as
 * ranks, ascending, once each, in BUF; returns how many. */
static size_t basket_ranks(const uint32_t *v, size_t n, const uint32_t *rank_of, const uint8_t *keep, uint32_t *buf) {
    size_t len = 0;
    for (size_t k = 0; k < n; k++) {
        uint32_t r = rank_of[v[k]];
        if (r != NONE && (!keep || keep[r])) buf[len++] = r;
    }
    sort_small(buf, len);
    size_t u = 0;
    for (size_t k = 0; k < len; k++)
        if (u == 0 || buf[u - 1] != buf[k]) buf[u++] = buf[k];
    return u;
}

/* ---- pairs by a triangular matrix ---------------------------------------------------- */
/* Every basket's frequent items (ranks, ascending) bump one counter per pair in a
 * triangular matrix of the m frequent items, one matrix per thread, summed at
 * the end. The matrix gives every frequent pair; larger sets come from the tree. */
/* The 32-bit sum of the matrices, and the threads' 16-bit matrices together: beyond,
 * a sparse matrix costs more in page faults than the tree. */
#define PAIR_MATRIX_BYTES ((size_t)64 << 20)
/* Steps of the search for items in triangles of frequent pairs before it gives up
 * and keeps every item (which is always correct, only slower to mine). */
#define TRIANGLE_STEPS_MAX ((uint64_t)200 * 1000 * 1000)

typedef struct pair_job {
    const uint32_t *rank_of;
    slice *sl;                /* baskets of this thread */
    size_t nsl;
    uint32_t m;
    uint16_t *cell;           /* m * (m - 1) / 2 counters, modulo 65536 */
    size_t *wrap;             /* cells that went round, once each time */
    size_t nwrap, wcap;
    uint32_t *buf;            /* the longest basket */
} pair_job;

static void pair_wrapped(pair_job *j, size_t c) {
    if (j->nwrap == j->wcap) {
        j->wcap = j->wcap * 2 + 64;
        j->wrap = kt_xrealloc(j->wrap, j->wcap * sizeof *j->wrap);
    }
    j->wrap[j->nwrap++] = c;
}

static inline size_t tri(uint32_t i, uint32_t j, uint32_t m) { /* i < j */
    return (size_t)i * (2 * (size_t)m - i - 1) / 2 + (j - i - 1);
}

static void *count_pairs(void *arg) {
    pair_job *j = arg;
    uint32_t *v = j->buf;
    for (size_t q = 0; q < j->nsl; q++) {
        const uint64_t *start = j->sl[q].p->start;
        const uint32_t *items = j->sl[q].p->items;
        for (size_t b = j->sl[q].from; b < j->sl[q].to; b++) {
            size_t n = basket_ranks(items + start[b], (size_t)(start[b + 1] - start[b]), j->rank_of, NULL, v);
            for (size_t x = 0; x + 1 < n; x++) {
                size_t row = tri(v[x], v[x] + 1, j->m) - (v[x] + 1); /* pair (v[x], w) at row + w */
                for (size_t y = x + 1; y < n; y++)
                    if (__builtin_expect(++j->cell[row + v[y]] == 0, 0)) pair_wrapped(j, row + v[y]);
            }
        }
    }
    return NULL;
}

/* keep[r]: rank r is in a triangle of frequent pairs. A set of three or more
 * items is frequent only if all its pairs are, so other items cannot be in one.
 * NULL (keep everything) when the search would take too long. */
static uint8_t *triangle_items(const uint32_t *cell, uint32_t m, uint32_t min_count, bool *any) {
    uint32_t *deg = kt_xcalloc((size_t)m + 1, sizeof *deg);
    size_t c = 0, edges = 0;
    for (uint32_t i = 0; i < m; i++)
        for (uint32_t j = i + 1; j < m; j++, c++)
            if (cell[c] >= min_count) { deg[i + 1]++; deg[j + 1]++; edges++; }
    for (uint32_t i = 0; i < m; i++) deg[i + 1] += deg[i]; /* deg: adjacency offsets */
    uint32_t *adj = kt_xmalloc((edges ? 2 * edges : 1) * sizeof *adj), *fill = kt_xmalloc(((size_t)m + 1) * sizeof *fill);
    memcpy(fill, deg, ((size_t)m + 1) * sizeof *fill);
    c = 0;
    for (uint32_t i = 0; i < m; i++) /* each list comes out ascending */
        for (uint32_t j = i + 1; j < m; j++, c++)
            if (cell[c] >= min_count) { adj[fill[i]++] = j; adj[fill[j]++] = i; }
    free(fill);
    uint8_t *keep = kt_xcalloc(m ? m : 1, 1);
    uint64_t steps = 0;
    *any = false;
    for (uint32_t x = 0; x < m && steps <= TRIANGLE_STEPS_MAX; x++) {
        if (keep[x]) continue;
        for (uint32_t a = deg[x]; a < deg[x + 1] && !keep[x]; a++) {
            uint32_t y = adj[a];
            uint32_t p = deg[x], q = deg[y]; /* a common neighbour z of x and y */
            while (p < deg[x + 1] && q < deg[y + 1]) {
                steps++;
                if (adj[p] < adj[q]) p++;
                else if (adj[p] > adj[q]) q++;
                else { keep[x] = keep[y] = keep[adj[p]] = 1; *any = true; break; }
            }
        }
    }
    free(adj);
    free(deg);
    if (steps > TRIANGLE_STEPS_MAX) { memset(keep, 1, m ? m : 1); *any = true; }
    return keep;
}

/* ---- recoding for the tree ----------------------------------------------------------- */
typedef struct recode_job {
    slice *sl;
    size_t nsl;
    const uint32_t *rank_of;
    const uint8_t *keep;      /* NULL: every frequent item */
    const uint64_t *pair_bits;/* NULL, or bit i * m + j: pair (i, j) is frequent */
    uint32_t m;
    size_t min_items;         /* baskets with fewer (kept) items are left out */
    uint32_t *buf;
    uint32_t *ranks, *len;    /* OUT: the kept baskets' ranks and lengths */
    size_t nranks, rcap, nbaskets, lcap;
} recode_job;

/* Baskets of at most this many kept items keep only the items that lie in a
 * triangle of frequent pairs within the basket (cubic in the basket's length). */
#define LOCAL_TRIANGLE_MAX 64

/* Keep those of the N ranks of V that form a triangle of frequent pairs with two
 * others of V: a set of three or more items that V holds is made of such items. */
static size_t in_triangles(uint32_t *v, size_t n, const uint64_t *bits, uint32_t m) {
    uint64_t in = 0;
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n; b++) {
            if (!pair_frequent(bits, m, v[a], v[b])) continue;
            for (size_t c = b + 1; c < n; c++)
                if (pair_frequent(bits, m, v[a], v[c]) && pair_frequent(bits, m, v[b], v[c]))
                    in |= (1ull << a) | (1ull << b) | (1ull << c);
        }
    size_t u = 0;
    for (size_t a = 0; a < n; a++)
        if (in >> a & 1) v[u++] = v[a];
    return u;
}

static void *recode(void *arg) {
    recode_job *j = arg;
    for (size_t q = 0; q < j->nsl; q++) {
        const uint64_t *start = j->sl[q].p->start;
        const uint32_t *items = j->sl[q].p->items;
        for (size_t i = j->sl[q].from; i < j->sl[q].to; i++) {
            size_t n = basket_ranks(items + start[i], (size_t)(start[i + 1] - start[i]), j->rank_of, j->keep, j->buf);
            if (n == 0 || n < j->min_items) continue;
            if (j->pair_bits && n <= LOCAL_TRIANGLE_MAX) n = in_triangles(j->buf, n, j->pair_bits, j->m);
            if (n == 0 || n < j->min_items) continue;
            if (j->nranks + n > j->rcap) {
                while (j->nranks + n > j->rcap) j->rcap = j->rcap * 2 + 4096;
                j->ranks = kt_xrealloc(j->ranks, j->rcap * sizeof *j->ranks);
            }
            if (j->nbaskets == j->lcap) {
                j->lcap = j->lcap * 2 + 1024;
                j->len = kt_xrealloc(j->len, j->lcap * sizeof *j->len);
            }
            memcpy(j->ranks + j->nranks, j->buf, n * sizeof *j->buf);
            j->nranks += n;
            j->len[j->nbaskets++] = (uint32_t)n;
        }
    }
    return NULL;
}

/* ---- driver ---------------------------------------------------------------------- */
typedef struct ranked { uint32_t item, count; } ranked;

static int by_count_desc(const void *a, const void *b) {
    const ranked *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return x->item < y->item ? -1 : x->item > y->item;
}

kt_rc kt_fp_mine(const kt_fp_baskets *b, const kt_fp_opts *o, kt_fp_sets *out, kt_err *err) {
    memset(out, 0, sizeof *out);
    KT_ASSERT(o->min_count >= 1 && o->max_len >= 1);
    uint32_t nitems = b->item_count;
    uint32_t max_len = o->max_len > DEPTH_MAX ? DEPTH_MAX : o->max_len;
    int threads = o->threads < 1 ? 1 : o->threads > 64 ? 64 : o->threads;
    size_t n = 0;
    for (size_t p = 0; p < b->nparts; p++) n += b->parts[p].n;
    int jt = (size_t)threads > n ? (n ? (int)n : 1) : threads; /* jobs over baskets */
    size_t cnt_slots = nitems ? nitems : 1;

    /* Item counts, once per basket. */
    count_job cj[64];
    for (int t = 0; t < jt; t++) {
        cj[t] = (count_job){b, NULL, 0, kt_xcalloc(cnt_slots, sizeof(uint32_t)),
                            b->distinct ? NULL : kt_xcalloc(cnt_slots, sizeof(uint32_t)), 0};
        cj[t].sl = job_slices(b, n, t, jt, &cj[t].nsl);
    }
    run_jobs(jt, count_items, cj, sizeof *cj);
    out->item_count = cj[0].count;
    size_t longest = cj[0].longest;
    free(cj[0].stamp);
    for (int t = 0; t < jt; t++) free(cj[t].sl);
    for (int t = 1; t < jt; t++) {
        for (uint32_t it = 0; it < nitems; it++) out->item_count[it] += cj[t].count[it];
        if (cj[t].longest > longest) longest = cj[t].longest;
        free(cj[t].count);
        free(cj[t].stamp);
    }

    /* Recode: rank 0 = most frequent. */
    ranked *rk = kt_xmalloc(cnt_slots * sizeof *rk);
    uint32_t m = 0;
    for (uint32_t it = 0; it < nitems; it++)
        if (out->item_count[it] >= o->min_count) rk[m++] = (ranked){it, out->item_count[it]};
    qsort(rk, m, sizeof *rk, by_count_desc);
    uint32_t *rank_of = kt_xmalloc(cnt_slots * sizeof *rank_of);
    memset(rank_of, 0xff, cnt_slots * sizeof *rank_of);
    for (uint32_t r = 0; r < m; r++) rank_of[rk[r].item] = r;

    shared sh = {.min_count = o->min_count, .max_len = max_len, .emit_from = 1, .sets_max = o->sets_max};
    sets extra = {0};         /* sets found without the tree (global ranks) */
    const uint8_t *keep = NULL;
    uint8_t *keep_owned = NULL;
    uint64_t *pair_bits = NULL;
    bool use_tree = true;
    size_t peak = 0;
    size_t cells = m > 1 ? (size_t)m * (m - 1) / 2 : 0;
    if (max_len == 1 || m < 2) {
        for (uint32_t r = 0; r < m; r++) sets_add(&extra, &r, 1, NONE, rk[r].count);
        use_tree = false;
    } else if (cells * sizeof(uint32_t) <= PAIR_MATRIX_BYTES) {
        int pt = jt;
        while (pt > 1 && cells * sizeof(uint16_t) * (size_t)pt > PAIR_MATRIX_BYTES) pt--;
        pair_job pj[64];
        for (int t = 0; t < pt; t++) {
            pj[t] = (pair_job){rank_of, NULL, 0, m, kt_fp_big_alloc(cells * sizeof(uint16_t), true), NULL, 0, 0,
                               kt_xmalloc((longest ? longest : 1) * sizeof(uint32_t))};
            pj[t].sl = job_slices(b, n, t, pt, &pj[t].nsl);
        }
        run_jobs(pt, count_pairs, pj, sizeof *pj);
        uint32_t *cell = kt_fp_big_alloc(cells * sizeof *cell, false);
        for (size_t c = 0; c < cells; c++) cell[c] = pj[0].cell[c];
        for (int t = 1; t < pt; t++)
            for (size_t c = 0; c < cells; c++) cell[c] += pj[t].cell[c];
        for (int t = 0; t < pt; t++) {
            for (size_t k = 0; k < pj[t].nwrap; k++) cell[pj[t].wrap[k]] += 65536;
            free(pj[t].cell); free(pj[t].wrap); free(pj[t].buf); free(pj[t].sl);
        }
        peak = cells * (sizeof(uint16_t) * (size_t)pt + sizeof(uint32_t));
        for (uint32_t r = 0; r < m; r++) sets_add(&extra, &r, 1, NONE, rk[r].count);
        size_t c = 0;
        for (uint32_t i = 0; i < m; i++)
            for (uint32_t j = i + 1; j < m; j++, c++)
                if (cell[c] >= o->min_count) sets_add(&extra, &i, 1, j, cell[c]);
        bool any = false;
        if (max_len >= 3) {
            keep = keep_owned = triangle_items(cell, m, o->min_count, &any);
            pair_bits = kt_xcalloc(((size_t)m * m + 63) / 64, sizeof *pair_bits);
            c = 0;
            for (uint32_t i = 0; i < m; i++)
                for (uint32_t j = i + 1; j < m; j++, c++)
                    if (cell[c] >= o->min_count) {
                        size_t k1 = (size_t)i * m + j, k2 = (size_t)j * m + i;
                        pair_bits[k1 >> 6] |= 1ull << (k1 & 63);
                        pair_bits[k2 >> 6] |= 1ull << (k2 & 63);
                    }
        }
        free(cell);
        use_tree = any;
        sh.emit_from = 3;
    }

    worker *ws = NULL;
    tree top = {0};
    if (use_tree && extra.n <= o->sets_max) {
        /* The recoded baskets (those that can hold a set the tree must find). */
        recode_job rj[64];
        size_t kept = 0;
        for (int t = 0; t < jt; t++) {
            rj[t] = (recode_job){.rank_of = rank_of, .keep = keep, .pair_bits = pair_bits, .m = m,
                                 .min_items = sh.emit_from, .buf = kt_xmalloc((longest ? longest : 1) * sizeof(uint32_t))};
            rj[t].sl = job_slices(b, n, t, jt, &rj[t].nsl);
        }
        run_jobs(jt, recode, rj, sizeof *rj);
        for (int t = 0; t < jt; t++) kept += rj[t].nbaskets;
        tree_reset(&top, m, (uint32_t)(kept < (1u << 24) ? kept : (1u << 24)));
        for (uint32_t r = 0; r < m; r++) top.rank[r] = r;
        for (int t = 0; t < jt; t++) {
            const uint32_t *p = rj[t].ranks;
            for (size_t i = 0; i < rj[t].nbaskets; i++) {
                tree_insert(&top, p, rj[t].len[i], 1);
                p += rj[t].len[i];
            }
            free(rj[t].buf); free(rj[t].ranks); free(rj[t].len); free(rj[t].sl);
        }
        sh.top = &top;
        sh.pair_bits = pair_bits;
        sh.keep = keep;
        sh.m = m;
        peak += tree_bytes(&top);

        /* Mine. */
        ws = kt_xcalloc((size_t)threads, sizeof *ws);
        for (int t = 0; t < threads; t++) {
            worker *w = &ws[t];
            w->sh = &sh;
            w->acc = kt_xcalloc(m ? m : 1, sizeof *w->acc);
            w->touched = kt_xmalloc((m ? m : 1) * sizeof *w->touched);
            w->loc = kt_xmalloc((m ? m : 1) * sizeof *w->loc);
            memset(w->loc, 0xff, (m ? m : 1) * sizeof *w->loc);
            w->path = kt_xmalloc((m ? m : 1) * sizeof *w->path);
        }
        pthread_t tid[64];
        int started = 0;
        for (int t = 1; t < threads; t++)
            if (pthread_create(&tid[t], NULL, work, &ws[t]) == 0) started = t;
            else break;
        for (int t = started + 1; t < threads; t++) work(&ws[t]);
        work(&ws[0]);
        for (int t = 1; t <= started; t++) pthread_join(tid[t], NULL);
    }

    /* Gather, back to item ids, each set ascending. */
    kt_rc rc = KT_OK;
    int nlists = 1 + (ws ? threads : 0);
    const sets *lists[65];
    lists[0] = &extra;
    for (int t = 0; ws && t < threads; t++) { lists[1 + t] = &ws[t].out; peak += ws[t].peak_bytes; }
    size_t total = 0, titems = 0;
    for (int l = 0; l < nlists; l++) { total += lists[l]->n; titems += lists[l]->nitems; }
    if (atomic_load(&sh.stop) || total > o->sets_max) {
        rc = kt_fail(err, KT_EINVAL, "--min-support",
                     "more than %zu frequent itemsets: raise --min-support or lower --max-len", o->sets_max);
    } else {
        out->n = total;
        out->count = kt_xmalloc((total ? total : 1) * sizeof *out->count);
        out->start = kt_xmalloc((total + 1) * sizeof *out->start);
        out->items = kt_xmalloc((titems ? titems : 1) * sizeof *out->items);
        size_t s = 0, pos = 0;
        out->start[0] = 0;
        for (int l = 0; l < nlists; l++) {
            const sets *ss = lists[l];
            uint64_t from = 0;
            for (size_t i = 0; i < ss->n; i++) {
                uint32_t *dst = out->items + pos;
                size_t len = (size_t)(ss->end[i] - from);
                for (size_t k = 0; k < len; k++) dst[k] = rk[ss->items[from + k]].item;
                sort_small(dst, len);
                pos += len;
                from = ss->end[i];
                out->count[s] = ss->count[i];
                out->start[++s] = pos;
            }
        }
    }
    out->memory_bytes = peak;
    for (int t = 0; ws && t < threads; t++) {
        worker *w = &ws[t];
        for (int d = 0; d <= DEPTH_MAX; d++) tree_free(&w->pool[d]);
        free(w->acc); free(w->touched); free(w->loc); free(w->path);
        free(w->out.count); free(w->out.end); free(w->out.items);
    }
    free(ws);
    tree_free(&top);
    free(extra.count); free(extra.end); free(extra.items);
    free(keep_owned);
    free(pair_bits);
    free(rk);
    free(rank_of);
    if (rc) kt_fp_free(out);
    return rc;
}

void kt_fp_free(kt_fp_sets *s) {
    if (!s) return;
    free(s->count); free(s->start); free(s->items); free(s->item_count);
    memset(s, 0, sizeof *s);
}
