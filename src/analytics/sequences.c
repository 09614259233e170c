/*
 * sequences.c - A8 "X, then Y within W days" (sequences.h): item counts and
 * the frequent items first; then one pass over every member's history that
 * counts each (X, Y) pair once per member in an open-addressing hash map;
 * then, for the kept rules only, a second pass that collects the gaps.
 */
#include "analytics/sequences.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EPS 1e-12 /* thresholds compare shares with this slack against rounding */

typedef struct pentry {
    uint64_t key;             /* x << 32 | y */
    uint32_t members, x_then_y;
    uint32_t last_member;     /* member index that last counted it (0: none) */
    uint32_t rule;            /* pass 2: index of the kept rule, or UINT32_MAX */
} pentry;

typedef struct pmap {
    pentry *e;
    size_t cap, n;            /* cap a power of two; used when members > 0 */
} pmap;

static inline size_t phash(uint64_t k) {
    k ^= k >> 33; k *= 0xff51afd7ed558ccdULL; k ^= k >> 33; k *= 0xc4ceb9fe1a85ec53ULL; k ^= k >> 33;
    return (size_t)k;
}

static pentry *pmap_find(pmap *m, uint64_t key) {
    size_t i = phash(key) & (m->cap - 1);
    while (m->e[i].members) {
        if (m->e[i].key == key) return &m->e[i];
        i = (i + 1) & (m->cap - 1);
    }
    return NULL;
}

/* Find or add (with members = 1 set by the caller on a fresh entry: a fresh
 * entry is returned with members 0 and *fresh true). NULL past the cap. */
static pentry *pmap_add(pmap *m, uint64_t key, bool *fresh) {
    if ((m->n + 1) * 2 > m->cap) {
        if (m->n >= KT_SEQUENCES_PAIRS_MAX) return NULL;
        size_t ncap = m->cap ? m->cap * 2 : 1024;
        pentry *ne = kt_xcalloc(ncap, sizeof *ne);
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->e[i].members) continue;
            size_t j = phash(m->e[i].key) & (ncap - 1);
            while (ne[j].members) j = (j + 1) & (ncap - 1);
            ne[j] = m->e[i];
        }
        free(m->e);
        m->e = ne;
        m->cap = ncap;
    }
    size_t i = phash(key) & (m->cap - 1);
    while (m->e[i].members) {
        if (m->e[i].key == key) { *fresh = false; return &m->e[i]; }
        i = (i + 1) & (m->cap - 1);
    }
    *fresh = true;
    m->n++;
    m->e[i] = (pentry){.key = key, .rule = UINT32_MAX};
    return &m->e[i];
}

static bool share_ok(uint64_t count, size_t total, double min) {
    return total > 0 && (double)count / (double)total >= min - EPS;
}

typedef struct gapbuf { int32_t *v; uint64_t *off, *fill; } gapbuf;

/* One pass over every history: count (gaps == NULL) or collect gaps. */
static kt_rc pass(const kt_history *h, const kt_sequences_opts *o, const uint8_t *freq, pmap *map, gapbuf *gaps,
                  kt_err *err) {
    int64_t full = (int64_t)o->as_of - o->window_days; /* X on or before this day: window observed */
    for (size_t m = 1; m < h->members; m++) {
        const kt_hevent *ev = h->ev + h->start[m];
        size_t n = kt_history_len(h, m);
        for (size_t i = 0; i < n; i++) {
            uint32_t x = ev[i].item;
            if (!freq[x]) continue;
            size_t j = i + 1;
            while (j < n && ev[j].receipt == ev[i].receipt) j++;
            for (; j < n && (int64_t)ev[j].day - ev[i].day <= o->window_days; j++) {
                uint32_t y = ev[j].item;
                if (y == x || !freq[y]) continue;
                uint64_t key = (uint64_t)x << 32 | y;
                pentry *e;
                if (!gaps) {
                    bool fresh;
                    if (!(e = pmap_add(map, key, &fresh)))
                        return kt_fail(err, KT_ENOMEM, "--min-support",
                                       "more than %u item pairs to count: raise --min-support or narrow the level",
                                       (unsigned)KT_SEQUENCES_PAIRS_MAX);
                    if (e->last_member == m) continue;
                    e->last_member = (uint32_t)m;
                    e->members++;
                    if ((int64_t)ev[i].day <= full) e->x_then_y++;
                } else {
                    e = pmap_find(map, key);
                    if (!e || e->last_member == m) continue;
                    e->last_member = (uint32_t)m;
                    if (e->rule != UINT32_MAX) gaps->v[gaps->fill[e->rule]++] = ev[j].day - ev[i].day;
                }
            }
        }
    }
    return KT_OK;
}

static int by_members(const void *p, const void *q) {
    const kt_sequence_rule *a = p, *b = q;
    if (a->members != b->members) return a->members > b->members ? -1 : 1;
    if (a->x != b->x) return a->x < b->x ? -1 : 1;
    return (a->y > b->y) - (a->y < b->y);
}

kt_rc kt_sequences_run(const kt_history *h, const kt_sequences_opts *o, kt_sequences_result *out, kt_err *err) {
    memset(out, 0, sizeof *out);
    size_t N = h->active, items = h->items ? h->items : 1;
    out->members = N;
    if (N == 0) return KT_OK;
    uint32_t *any = kt_xcalloc(items, sizeof *any), *elig = kt_xcalloc(items, sizeof *elig);
    uint32_t *seen_any = kt_xcalloc(items, sizeof *seen_any), *seen_elig = kt_xcalloc(items, sizeof *seen_elig);
    int64_t full = (int64_t)o->as_of - o->window_days;
    for (size_t m = 1; m < h->members; m++) {
        const kt_hevent *ev = h->ev + h->start[m];
        size_t n = kt_history_len(h, m);
        for (size_t i = 0; i < n; i++) {
            uint32_t x = ev[i].item;
            if (seen_any[x] != m) { seen_any[x] = (uint32_t)m; any[x]++; }
            if ((int64_t)ev[i].day <= full && seen_elig[x] != m) { seen_elig[x] = (uint32_t)m; elig[x]++; }
        }
    }
    free(seen_any);
    free(seen_elig);
    uint8_t *freq = kt_xcalloc(items, 1);
    for (size_t i = 0; i < h->items; i++) freq[i] = any[i] > 0 && share_ok(any[i], N, o->min_support);

    pmap map = {0};
    kt_rc rc = pass(h, o, freq, &map, NULL, err);
    size_t kept = 0;
    for (size_t i = 0; !rc && i < map.cap; i++) {
        pentry *e = &map.e[i];
        if (!e->members || !share_ok(e->members, N, o->min_support)) continue;
        uint32_t x = (uint32_t)(e->key >> 32);
        if (!elig[x] || (double)e->x_then_y / elig[x] < o->min_confidence - EPS) continue;
        e->rule = (uint32_t)kept++;
    }
    out->pairs_counted = map.n;
    gapbuf g = {0};
    if (!rc && kept) {
        out->rules = kt_xcalloc(kept, sizeof *out->rules);
        g.off = kt_xcalloc(kept + 1, sizeof *g.off);
        g.fill = kt_xcalloc(kept, sizeof *g.fill);
        for (size_t i = 0; i < map.cap; i++) {
            pentry *e = &map.e[i];
            e->last_member = 0;
            if (!e->members || e->rule == UINT32_MAX) continue;
            g.off[e->rule + 1] = e->members;
        }
        for (size_t r = 0; r < kept; r++) { g.off[r + 1] += g.off[r]; g.fill[r] = g.off[r]; }
        g.v = kt_xmalloc((g.off[kept] ? g.off[kept] : 1) * sizeof *g.v);
        rc = pass(h, o, freq, &map, &g, err);
    }
    for (size_t i = 0; !rc && i < map.cap; i++) {
        pentry *e = &map.e[i];
        if (!e->members || e->rule == UINT32_MAX) continue;
        uint32_t r = e->rule;
        KT_ASSERT(g.fill[r] == g.off[r + 1]); /* the second pass found every member again */
        kt_sequence_rule *s = &out->rules[r];
        s->x = (uint32_t)(e->key >> 32);
        s->y = (uint32_t)e->key;
        s->members = e->members;
        s->x_members = elig[s->x];
        s->x_then_y = e->x_then_y;
        s->y_members = any[s->y];
        s->support = (double)e->members / (double)N;
        s->confidence = (double)e->x_then_y / (double)s->x_members;
        s->lift = s->confidence / ((double)s->y_members / (double)N);
        int32_t *v = g.v + g.off[r];
        size_t k = (size_t)(g.off[r + 1] - g.off[r]);
        kt_hsort_i32(v, k);
        s->gap_q1 = kt_hquantile_i32(v, k, 0.25);
        s->gap_median = kt_hquantile_i32(v, k, 0.5);
        s->gap_q3 = kt_hquantile_i32(v, k, 0.75);
    }
    if (!rc) {
        out->n = kept;
        if (out->n) qsort(out->rules, out->n, sizeof *out->rules, by_members);
    }
    out->memory_bytes = map.cap * sizeof(pentry) + items * (4 * 4 + 1) + (kept ? g.off[kept] * 4 + kept * 16 : 0);
    free(g.v);
    free(g.off);
    free(g.fill);
    free(map.e);
    free(any);
    free(elig);
    free(freq);
    if (rc) kt_sequences_free(out);
    return rc;
}

void kt_sequences_free(kt_sequences_result *r) {
    free(r->rules);
    memset(r, 0, sizeof *r);
}
