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

#define NONE UINT32_MAX
#define DEPTH_MAX 64          /* recursion depth = itemset size; max_len is capped to it */

/* ---- one tree ------------------------------------------------------------------- */
typedef struct tree {
    uint32_t n, cap;          /* nodes in use (root included), allocated */
    uint32_t *item, *count, *parent, *child, *next;
    uint32_t m, mcap;         /* local items, allocated */
    uint32_t *rank;           /* local item -> global rank */
    uint32_t *head;           /* local item -> first node (0: none) */
    uint64_t *total;          /* local item -> sum of its nodes' counts */
    uint32_t *slot;           /* child table: node ids, 0 = empty */
    uint32_t slots;           /* power of two */
    bool branched;            /* some node has two children */
} tree;

static size_t tree_bytes(const tree *t) {
    return (size_t)t->cap * 5 * sizeof(uint32_t) + (size_t)t->mcap * (2 * sizeof(uint32_t) + sizeof(uint64_t)) +
           (size_t)t->slots * sizeof(uint32_t);
}

static void tree_free(tree *t) {
    free(t->item); free(t->count); free(t->parent); free(t->child); free(t->next);
    free(t->rank); free(t->head); free(t->total); free(t->slot);
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
        t->total = kt_xrealloc(t->total, m * sizeof *t->total);
    }
    t->m = m;
    if (m) { /* no items: the arrays may still be NULL */
        memset(t->head, 0, m * sizeof *t->head);
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

static void emit(worker *w, const uint32_t *prefix, uint32_t len, uint32_t extra, uint32_t count) {
    sets *s = &w->out;
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

/* Item X of tree T (whose sets extend w->prefix[0..depth)). */
static void mine_item(worker *w, const tree *t, uint32_t x, uint32_t depth) {
    const shared *sh = w->sh;
    uint64_t cnt = t->total[x];
    if (cnt < sh->min_count) return;
    w->prefix[depth] = t->rank[x];
    emit(w, w->prefix, depth + 1, NONE, (uint32_t)cnt);
    if (depth + 1 >= sh->max_len) return;

    /* Pass 1: the counts of the items above X's nodes (its pattern base). */
    uint32_t nt = 0;
    for (uint32_t nd = t->head[x]; nd; nd = t->next[nd]) {
        uint32_t c = t->count[nd];
        for (uint32_t p = t->parent[nd]; p; p = t->parent[p]) {
            uint32_t y = t->item[p];
            if (w->acc[y] == 0) w->touched[nt++] = y;
            w->acc[y] += c;
        }
    }
    uint32_t nf = 0;
    for (uint32_t k = 0; k < nt; k++) {
        uint32_t y = w->touched[k];
        if (w->acc[y] >= sh->min_count) w->touched[nf++] = y;
        else w->acc[y] = 0;
    }
    if (depth + 2 >= sh->max_len) {            /* the last level: no tree needed */
        for (uint32_t k = 0; k < nf; k++) {
            uint32_t y = w->touched[k];
            emit(w, w->prefix, depth + 1, t->rank[y], (uint32_t)w->acc[y]);
            w->acc[y] = 0;
        }
        return;
    }
    if (nf == 0) return;
    if (nf > 1) qsort(w->touched, nf, sizeof *w->touched, cmp_u32);

    /* Pass 2: the conditional tree over the frequent items, in rank order. */
    tree *ct = &w->pool[depth + 1];
    uint32_t nodes = 0;
    for (uint32_t nd = t->head[x]; nd; nd = t->next[nd]) nodes++;
    tree_reset(ct, nf, nodes * 2);
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
        uint32_t len = 0;
        for (uint32_t nd = ct->child[0]; nd; nd = ct->child[nd]) {
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

/* ---- pairs by a triangular matrix ---------------------------------------------------- */
/* With max_len 2 no tree is needed: every basket's frequent items (ranks,
 * ascending) bump one counter per pair in a triangular matrix of the m
 * frequent items, one matrix per thread, summed at the end. */
#define PAIR_MATRIX_BYTES ((size_t)64 << 20) /* all threads' matrices together: beyond, a sparse matrix costs more in page faults than the tree */

typedef struct pair_job {
    const uint64_t *start;    /* recoded baskets */
    const uint32_t *ranks;
    size_t from, to;          /* baskets of this thread */
    uint32_t m;
    uint32_t *cell;           /* m * (m - 1) / 2 counters */
} pair_job;

static inline size_t tri(uint32_t i, uint32_t j, uint32_t m) { /* i < j */
    return (size_t)i * (2 * (size_t)m - i - 1) / 2 + (j - i - 1);
}

static void *count_pairs(void *arg) {
    pair_job *j = arg;
    for (size_t b = j->from; b < j->to; b++) {
        const uint32_t *v = j->ranks + j->start[b];
        size_t n = (size_t)(j->start[b + 1] - j->start[b]);
        for (size_t x = 0; x + 1 < n; x++) {
            uint32_t *row = j->cell + tri(v[x], v[x] + 1, j->m); /* row[k]: pair (v[x], v[x] + 1 + k) */
            uint32_t skip = v[x] + 1;
            for (size_t y = x + 1; y < n; y++) row[v[y] - skip]++;
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

static void sort_small(uint32_t *v, size_t n) {
    if (n > 32) { qsort(v, n, sizeof *v, cmp_u32); return; }
    for (size_t i = 1; i < n; i++) {
        uint32_t x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) { v[j] = v[j - 1]; j--; }
        v[j] = x;
    }
}

kt_rc kt_fp_mine(const kt_fp_baskets *b, const kt_fp_opts *o, kt_fp_sets *out, kt_err *err) {
    memset(out, 0, sizeof *out);
    KT_ASSERT(o->min_count >= 1 && o->max_len >= 1);
    uint32_t nitems = b->item_count;
    uint32_t max_len = o->max_len > DEPTH_MAX ? DEPTH_MAX : o->max_len;
    int threads = o->threads < 1 ? 1 : o->threads > 64 ? 64 : o->threads;

    /* Item counts, once per basket: a stamp per item remembers the last basket. */
    out->item_count = kt_xcalloc(nitems ? nitems : 1, sizeof *out->item_count);
    uint32_t *stamp = kt_xmalloc((nitems ? nitems : 1) * sizeof *stamp);
    memset(stamp, 0xff, (nitems ? nitems : 1) * sizeof *stamp);
    size_t longest = 0;
    for (size_t i = 0; i < b->n; i++) {
        for (uint64_t k = b->start[i]; k < b->start[i + 1]; k++) {
            uint32_t it = b->items[k];
            KT_ASSERT(it < nitems);
            if (stamp[it] != (uint32_t)i) { stamp[it] = (uint32_t)i; out->item_count[it]++; }
        }
        if (b->start[i + 1] - b->start[i] > longest) longest = b->start[i + 1] - b->start[i];
    }
    /* Recode: rank 0 = most frequent. */
    ranked *rk = kt_xmalloc((nitems ? nitems : 1) * sizeof *rk);
    uint32_t m = 0;
    for (uint32_t it = 0; it < nitems; it++)
        if (out->item_count[it] >= o->min_count) rk[m++] = (ranked){it, out->item_count[it]};
    qsort(rk, m, sizeof *rk, by_count_desc);
    uint32_t *rank_of = stamp; /* reuse: item -> rank or NONE */
    memset(rank_of, 0xff, (nitems ? nitems : 1) * sizeof *rank_of);
    for (uint32_t r = 0; r < m; r++) rank_of[rk[r].item] = r;

    /* The recoded baskets: frequent items' ranks, ascending, once each. */
    uint64_t *rstart = kt_xmalloc((b->n + 1) * sizeof *rstart);
    uint32_t *ranks = kt_xmalloc((b->start[b->n] ? b->start[b->n] : 1) * sizeof *ranks);
    uint64_t nr = 0;
    rstart[0] = 0;
    for (size_t i = 0; i < b->n; i++) {
        uint32_t *buf = ranks + nr;
        size_t len = 0;
        for (uint64_t k = b->start[i]; k < b->start[i + 1]; k++) {
            uint32_t r = rank_of[b->items[k]];
            if (r != NONE) buf[len++] = r;
        }
        sort_small(buf, len);
        size_t u = 0;
        for (size_t k = 0; k < len; k++)
            if (u == 0 || buf[u - 1] != buf[k]) buf[u++] = buf[k];
        nr += u;
        rstart[i + 1] = nr;
    }
    (void)longest;

    shared sh = {.min_count = o->min_count, .max_len = max_len, .sets_max = o->sets_max};
    size_t cells = m > 1 ? (size_t)m * (m - 1) / 2 : 0;
    if (max_len == 2 && m > 1 && cells * sizeof(uint32_t) <= PAIR_MATRIX_BYTES) {
        int pt = threads;
        while (pt > 1 && cells * sizeof(uint32_t) * (size_t)pt > PAIR_MATRIX_BYTES) pt--;
        pair_job jobs[64];
        pthread_t ptid[64];
        int pstarted = 0;
        for (int t = 0; t < pt; t++)
            jobs[t] = (pair_job){rstart, ranks, b->n * (size_t)t / (size_t)pt, b->n * (size_t)(t + 1) / (size_t)pt, m,
                                 kt_xcalloc(cells, sizeof(uint32_t))};
        for (int t = 1; t < pt; t++)
            if (pthread_create(&ptid[t], NULL, count_pairs, &jobs[t]) == 0) pstarted = t;
            else break;
        for (int t = pstarted + 1; t < pt; t++) count_pairs(&jobs[t]); /* threads that did not start */
        count_pairs(&jobs[0]);
        for (int t = 1; t <= pstarted; t++) pthread_join(ptid[t], NULL);
        for (int t = 1; t < pt; t++) {
            for (size_t c = 0; c < cells; c++) jobs[0].cell[c] += jobs[t].cell[c];
            free(jobs[t].cell);
        }
        size_t total = m, titems = m;
        for (size_t c = 0; c < cells; c++)
            if (jobs[0].cell[c] >= o->min_count) { total++; titems += 2; }
        kt_rc rc = KT_OK;
        if (total > o->sets_max) {
            rc = kt_fail(err, KT_EINVAL, "--min-support",
                         "more than %zu frequent itemsets: raise --min-support or lower --max-len", o->sets_max);
        } else {
            out->n = total;
            out->count = kt_xmalloc(total * sizeof *out->count);
            out->start = kt_xmalloc((total + 1) * sizeof *out->start);
            out->items = kt_xmalloc(titems * sizeof *out->items);
            size_t s = 0, pos = 0;
            out->start[0] = 0;
            for (uint32_t r = 0; r < m; r++) {
                out->items[pos++] = rk[r].item;
                out->count[s] = rk[r].count;
                out->start[++s] = pos;
            }
            size_t c = 0;
            for (uint32_t i = 0; i < m; i++)
                for (uint32_t j = i + 1; j < m; j++, c++) {
                    if (jobs[0].cell[c] < o->min_count) continue;
                    uint32_t x = rk[i].item, y = rk[j].item;
                    out->items[pos++] = x < y ? x : y;
                    out->items[pos++] = x < y ? y : x;
                    out->count[s] = jobs[0].cell[c];
                    out->start[++s] = pos;
                }
        }
        out->memory_bytes = cells * sizeof(uint32_t) * (size_t)pt;
        free(jobs[0].cell);
        free(rstart); free(ranks); free(rk); free(stamp);
        if (rc) kt_fp_free(out);
        return rc;
    }

    /* The global tree. */
    tree top = {0};
    tree_reset(&top, m, (uint32_t)(b->n < (1u << 24) ? b->n : (1u << 24)));
    for (uint32_t r = 0; r < m; r++) top.rank[r] = r;
    for (size_t i = 0; i < b->n; i++)
        if (rstart[i + 1] > rstart[i]) tree_insert(&top, ranks + rstart[i], (size_t)(rstart[i + 1] - rstart[i]), 1);
    free(rstart);
    free(ranks);
    sh.top = &top;

    /* Mine. */
    worker *ws = kt_xcalloc((size_t)threads, sizeof *ws);
    pthread_t tid[64];
    int started = 0;
    for (int t = 0; t < threads; t++) {
        worker *w = &ws[t];
        w->sh = &sh;
        w->acc = kt_xcalloc(m ? m : 1, sizeof *w->acc);
        w->touched = kt_xmalloc((m ? m : 1) * sizeof *w->touched);
        w->loc = kt_xmalloc((m ? m : 1) * sizeof *w->loc);
        memset(w->loc, 0xff, (m ? m : 1) * sizeof *w->loc);
        w->path = kt_xmalloc((m ? m : 1) * sizeof *w->path);
    }
    for (int t = 1; t < threads; t++)
        if (pthread_create(&tid[t], NULL, work, &ws[t]) == 0) started = t;
        else break;
    work(&ws[0]);
    for (int t = 1; t <= started; t++) pthread_join(tid[t], NULL);

    kt_rc rc = KT_OK;
    size_t total = 0, titems = 0, peak = tree_bytes(&top);
    for (int t = 0; t < threads; t++) { total += ws[t].out.n; titems += ws[t].out.nitems; peak += ws[t].peak_bytes; }
    if (atomic_load(&sh.stop) || total > o->sets_max) {
        rc = kt_fail(err, KT_EINVAL, "--min-support",
                     "more than %zu frequent itemsets: raise --min-support or lower --max-len", o->sets_max);
    } else {
        /* Gather, back to item ids, each set ascending. */
        out->n = total;
        out->count = kt_xmalloc((total ? total : 1) * sizeof *out->count);
        out->start = kt_xmalloc((total + 1) * sizeof *out->start);
        out->items = kt_xmalloc((titems ? titems : 1) * sizeof *out->items);
        size_t s = 0, pos = 0;
        out->start[0] = 0;
        for (int t = 0; t < threads; t++) {
            const sets *ss = &ws[t].out;
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
    for (int t = 0; t < threads; t++) {
        worker *w = &ws[t];
        for (int d = 0; d <= DEPTH_MAX; d++) tree_free(&w->pool[d]);
        free(w->acc); free(w->touched); free(w->loc); free(w->path);
        free(w->out.count); free(w->out.end); free(w->out.items);
    }
    free(ws);
    tree_free(&top);
    free(rk);
    free(stamp);
    if (rc) { kt_fp_free(out); }
    return rc;
}

void kt_fp_free(kt_fp_sets *s) {
    if (!s) return;
    free(s->count); free(s->start); free(s->items); free(s->item_count);
    memset(s, 0, sizeof *s);
}
