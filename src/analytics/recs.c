/*
 * recs.c - A5/A12 recommendations (recs.h): the history as purchase days
 * (a counting sort of the sale lines by member over two parallel scans), the
 * model as of a cut day (members' capped histories, item-item cosine with the
 * top M neighbours per item), candidate scoring, isotonic calibration on a
 * time split, each member's top K and the two products of A12.
 * The evaluation against baselines is in recs_eval.c.
 */
#include "analytics/recs_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parallel ranges ----------------------------------------------------------------- */
typedef struct prange {
    recs_range_fn fn;
    void *ctx;
    size_t n, chunk;
    atomic_size_t next;
} prange;

typedef struct pworker { prange *p; int thread; } pworker;

static void *prange_work(void *arg) {
    pworker *w = arg;
    prange *p = w->p;
    for (;;) {
        size_t b = atomic_fetch_add(&p->next, p->chunk);
        if (b >= p->n) break;
        size_t e = b + p->chunk < p->n ? b + p->chunk : p->n;
        p->fn(p->ctx, w->thread, b, e);
    }
    return NULL;
}

void recs_parallel(int threads, size_t n, size_t chunk, recs_range_fn fn, void *ctx) {
    if (threads < 1) threads = 1;
    if (threads > KT_ACTX_THREADS_MAX) threads = KT_ACTX_THREADS_MAX;
    prange p = {.fn = fn, .ctx = ctx, .n = n, .chunk = chunk ? chunk : 1};
    atomic_init(&p.next, 0);
    pthread_t tid[KT_ACTX_THREADS_MAX];
    pworker w[KT_ACTX_THREADS_MAX];
    int started = 0;
    for (int t = 1; t < threads; t++) {
        w[t] = (pworker){&p, t};
        if (pthread_create(&tid[t], NULL, prange_work, &w[t]) != 0) break;
        started = t;
    }
    w[0] = (pworker){&p, 0};
    prange_work(&w[0]);
    for (int t = 1; t <= started; t++) pthread_join(tid[t], NULL);
}

/* ---- loading the history -------------------------------------------------------------- */
typedef struct load_shared {
    const kt_afilter *f;
    int32_t to;
    uint32_t mop, sop, kop;
    _Atomic uint64_t *cursor;   /* pass 2 */
    uint64_t *ev;
} load_shared;

typedef struct load_state {
    load_shared *sh;
    uint32_t *count;            /* per member */
    double *amount, *qty;       /* per SKU: sale amount (minor units) and pieces */
} load_state;

static inline bool line_kept(const load_shared *sh, const kt_cols_lines *seg, size_t i) {
    return seg->member[i] != 0 && seg->qty_milli[i] > 0 && seg->day[i] <= sh->to &&
           kt_afilter_pass(sh->f, kt_actx_index_of(sh->sop, seg->store[i]), seg->day[i]);
}

static void count_fn(void *state, const kt_cols_lines *seg, size_t begin, size_t end) {
    load_state *s = state;
    const load_shared *sh = s->sh;
    for (size_t i = begin; i < end; i++) {
        if (!line_kept(sh, seg, i)) continue;
        s->count[kt_actx_index_of(sh->mop, seg->member[i])]++;
        uint32_t k = kt_actx_index_of(sh->kop, seg->sku[i]);
        s->amount[k] += (double)seg->amount[i];
        s->qty[k] += (double)seg->qty_milli[i] / 1000.0;
    }
}

static void fill_fn(void *state, const kt_cols_lines *seg, size_t begin, size_t end) {
    load_state *s = state;
    load_shared *sh = s->sh;
    for (size_t i = begin; i < end; i++) {
        if (!line_kept(sh, seg, i)) continue;
        uint32_t m = kt_actx_index_of(sh->mop, seg->member[i]);
        uint64_t at = atomic_fetch_add_explicit(&sh->cursor[m], 1, memory_order_relaxed);
        sh->ev[at] = recs_key(kt_actx_index_of(sh->kop, seg->sku[i]), seg->day[i]);
    }
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

typedef struct sort_ctx { kt_recs *r; uint64_t *len; } sort_ctx;

/* Sort each member's events and drop repeats of (SKU, day). */
static void sort_fn(void *ctx, int thread, size_t begin, size_t end) {
    KT_UNUSED(thread);
    sort_ctx *c = ctx;
    kt_recs *r = c->r;
    for (size_t m = begin; m < end; m++) {
        uint64_t *e = r->ev + r->eoff[m];
        size_t n = (size_t)(r->eoff[m + 1] - r->eoff[m]), w = 0;
        if (n > 1) qsort(e, n, sizeof *e, cmp_u64);
        int32_t first = INT32_MAX;
        for (size_t i = 0; i < n; i++) {
            if (w && e[w - 1] == e[i]) continue;
            e[w++] = e[i];
            int32_t d = recs_key_day(e[i]);
            if (d < first) first = d;
        }
        c->len[m] = w;
        r->mfirst[m] = first;
    }
}

static int cmp_name(const void *a, const void *b, void *ctx) {
    const char *const *names = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    int c = strcmp(names[x], names[y]);
    return c ? c : (x < y ? -1 : x > y);
}

kt_rc kt_recs_load(kt_actx *a, const kt_afilter *f, kt_day as_of, const kt_recs_opts *o, kt_recs **out,
                   kt_err *err) {
    *out = NULL;
    kt_rc rc = kt_actx_load_products(a, err);
    if (!rc) rc = kt_actx_load_names(a, KT_ADIM_SKU, err);
    if (rc) return rc;
    kt_recs *r = kt_xcalloc(1, sizeof *r);
    r->a = a;
    r->o = *o;
    r->days = o->days;
    r->as_of = as_of;
    r->nmem = kt_actx_count(a, KT_ADIM_MEMBER);
    r->nsku = kt_actx_count(a, KT_ADIM_SKU);
    int threads = o->threads < 1 ? 1 : o->threads > KT_ACTX_THREADS_MAX ? KT_ACTX_THREADS_MAX : o->threads;
    size_t nm = r->nmem ? r->nmem : 1, ns = r->nsku ? r->nsku : 1;
    load_shared sh = {.f = f, .to = as_of == KT_DAY_NONE ? INT32_MIN : as_of,
                      .mop = kt_actx_op_slots(a, KT_ADIM_MEMBER), .sop = kt_actx_op_slots(a, KT_ADIM_STORE),
                      .kop = kt_actx_op_slots(a, KT_ADIM_SKU)};
    load_state st[KT_ACTX_THREADS_MAX];
    void *states[KT_ACTX_THREADS_MAX];
    for (int t = 0; t < threads; t++) {
        st[t] = (load_state){.sh = &sh, .count = kt_xcalloc(nm, sizeof(uint32_t)),
                             .amount = kt_xcalloc(ns, sizeof(double)), .qty = kt_xcalloc(ns, sizeof(double))};
        states[t] = &st[t];
    }
    size_t peak = (size_t)threads * (nm * 4 + ns * 16);
    rc = kt_actx_scan_lines(a, threads, count_fn, states, err);
    r->eoff = kt_xcalloc(nm + 1, sizeof *r->eoff);
    r->price = kt_xmalloc(ns * sizeof *r->price);
    r->category = kt_xmalloc(ns * sizeof *r->category);
    r->name_rank = kt_xmalloc(ns * sizeof *r->name_rank);
    r->mfirst = kt_xmalloc(nm * sizeof *r->mfirst);
    uint64_t total = 0;
    for (size_t m = 0; m < r->nmem; m++) {
        r->eoff[m] = total;
        for (int t = 0; t < threads; t++) total += st[t].count[m];
    }
    r->eoff[r->nmem] = total;
    for (size_t k = 0; k < r->nsku; k++) {
        double amount = 0, qty = 0;
        for (int t = 0; t < threads; t++) { amount += st[t].amount[k]; qty += st[t].qty[k]; }
        r->price[k] = qty > 0 ? amount / qty : NAN;
        r->category[k] = kt_actx_sku_group(a, KT_ALEVEL_CATEGORY, (uint32_t)k);
    }
    for (int t = 0; t < threads; t++) { free(st[t].count); free(st[t].amount); free(st[t].qty); }
    if (!rc && total > KT_RECS_EVENTS_MAX)
        rc = kt_fail(err, KT_ENOMEM, "history", "%llu sale lines: more than %llu purchase events",
                     (unsigned long long)total, (unsigned long long)KT_RECS_EVENTS_MAX);
    if (rc) { kt_recs_free(r); return rc; }

    /* pass 2: each line at its member's next slot */
    r->ev = kt_xmalloc((total ? total : 1) * sizeof *r->ev);
    sh.ev = r->ev;
    sh.cursor = kt_xmalloc(nm * sizeof *sh.cursor);
    for (size_t m = 0; m < r->nmem; m++) atomic_init(&sh.cursor[m], r->eoff[m]);
    for (int t = 0; t < threads; t++) states[t] = &st[t];
    rc = kt_actx_scan_lines(a, threads, fill_fn, states, err);
    free((void *)sh.cursor);
    if (rc) { kt_recs_free(r); return rc; }
    size_t built = total * 8 + nm * 16;
    if (built > peak) peak = built;

    /* sort, deduplicate, compact */
    uint64_t *len = kt_xmalloc(nm * sizeof *len);
    sort_ctx sc = {r, len};
    recs_parallel(threads, r->nmem, 1024, sort_fn, &sc);
    uint64_t w = 0;
    for (size_t m = 0; m < r->nmem; m++) {
        uint64_t from = r->eoff[m];
        r->eoff[m] = w;
        if (w != from) memmove(r->ev + w, r->ev + from, len[m] * sizeof *r->ev);
        w += len[m];
    }
    r->eoff[r->nmem] = w;
    r->nev = w;
    free(len);
    if (w) r->ev = kt_xrealloc(r->ev, w * sizeof *r->ev);

    /* SKU ranks by external id, for ties */
    const char **names = kt_xmalloc(ns * sizeof *names);
    uint32_t *order = kt_xmalloc(ns * sizeof *order);
    for (size_t k = 0; k < r->nsku; k++) { names[k] = kt_actx_name(a, KT_ADIM_SKU, (uint32_t)k); order[k] = (uint32_t)k; }
    qsort_r(order, r->nsku, sizeof *order, cmp_name, names);
    for (size_t i = 0; i < r->nsku; i++) r->name_rank[order[i]] = (uint32_t)i;
    free(order);
    free(names);
    r->memory_bytes = peak > (size_t)w * 8 + nm * 12 + ns * 16 ? peak : (size_t)w * 8 + nm * 12 + ns * 16;
    *out = r;
    return KT_OK;
}

void kt_recs_free(kt_recs *r) {
    if (!r) return;
    recs_model_free(&r->model);
    for (int k = 0; k < 2; k++) { free(r->cal[k].lo); free(r->cal[k].rate); }
    free(r->eoff);
    free(r->ev);
    free(r->mfirst);
    free(r->price);
    free(r->category);
    free(r->name_rank);
    free(r);
}

size_t kt_recs_member_count(const kt_recs *r) { return r->nmem; }
uint64_t kt_recs_events(const kt_recs *r) { return r->nev; }
size_t kt_recs_active_members(const kt_recs *r) { return r->fitted ? r->model.active : 0; }
size_t kt_recs_calibration_pairs(const kt_recs *r, kt_recs_source kind) { return r->cal[kind].pairs; }
size_t kt_recs_memory_bytes(const kt_recs *r) {
    size_t m = r->memory_bytes + r->model.memory_bytes;
    return m;
}

/* ---- a member's items ----------------------------------------------------------------- */
size_t recs_member_items(const kt_recs *r, uint32_t member, kt_day cut, kt_recs_scratch *s, int32_t *start) {
    const uint64_t *e = r->ev + r->eoff[member], *end = r->ev + r->eoff[member + 1];
    size_t n = 0;
    int32_t first = INT32_MAX;
    for (; e < end; e++) {
        int32_t d = recs_key_day(*e);
        if (d > cut) continue;
        uint32_t k = recs_key_sku(*e);
        if (n && s->own[n - 1].sku == k) {
            recs_own *o = &s->own[n - 1];
            o->k++;
            o->last = d; /* days ascend within a SKU */
        } else {
            s->own[n++] = (recs_own){k, 1, d, d};
        }
        if (d < first) first = d;
    }
    *start = first;
    return n;
}

bool recs_bought_in(const kt_recs *r, uint32_t member, uint32_t sku, kt_day from, kt_day to) {
    if (to <= from) return false;
    const uint64_t *e = r->ev + r->eoff[member];
    size_t lo = 0, hi = (size_t)(r->eoff[member + 1] - r->eoff[member]);
    uint64_t want = recs_key(sku, from == INT32_MAX ? from : from + 1);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e[mid] < want) lo = mid + 1;
        else hi = mid;
    }
    return lo < (size_t)(r->eoff[member + 1] - r->eoff[member]) && e[lo] <= recs_key(sku, to);
}

/* History order for the cap: most purchase days, then latest last day, then SKU id. */
static int cmp_own_cap(const void *a, const void *b) {
    const recs_own *x = a, *y = b;
    if (x->k != y->k) return x->k > y->k ? -1 : 1;
    if (x->last != y->last) return x->last > y->last ? -1 : 1;
    return x->sku < y->sku ? -1 : x->sku > y->sku;
}

/* ---- scratch --------------------------------------------------------------------------- */
kt_recs_scratch *kt_recs_scratch_new(const kt_recs *r) {
    kt_recs_scratch *s = kt_xcalloc(1, sizeof *s);
    size_t ns = r->nsku ? r->nsku : 1;
    s->own = kt_xmalloc(ns * sizeof *s->own);
    s->stamp = kt_xcalloc(ns, sizeof *s->stamp);
    s->touched_at = kt_xcalloc(ns, sizeof *s->touched_at);
    s->rel = kt_xcalloc(ns, sizeof *s->rel);
    s->acc = kt_xmalloc(ns * sizeof *s->acc);
    s->touched = kt_xmalloc(ns * sizeof *s->touched);
    s->L = (size_t)(r->o.top > KT_RECS_CANDIDATES ? r->o.top : KT_RECS_CANDIDATES);
    for (int k = 0; k < 2; k++) s->cand[k] = kt_xmalloc(s->L * sizeof *s->cand[k]);
    return s;
}

void kt_recs_scratch_free(kt_recs_scratch *s) {
    if (!s) return;
    free(s->own);
    free(s->stamp);
    free(s->touched_at);
    free(s->rel);
    free(s->acc);
    free(s->touched);
    free(s->cand[0]);
    free(s->cand[1]);
    free(s);
}

static uint32_t next_gen(kt_recs_scratch *s, size_t nsku) {
    if (++s->gen == 0) {
        memset(s->stamp, 0, nsku * sizeof *s->stamp);
        memset(s->touched_at, 0, nsku * sizeof *s->touched_at);
        memset(s->rel, 0, nsku * sizeof *s->rel);
        s->gen = 1;
    }
    return s->gen;
}

/* ---- top L by score (a bounded heap, the worst at the root) ------------------------------ */
static inline bool better(const kt_recs *r, const kt_recs_item *a, const kt_recs_item *b) {
    if (a->score != b->score) return a->score > b->score;
    if (a->days_since != b->days_since) return a->days_since < b->days_since;
    return r->name_rank[a->sku] < r->name_rank[b->sku];
}

static void heap_down(const kt_recs *r, kt_recs_item *h, size_t n, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, w = i;
        if (l < n && better(r, &h[w], &h[l])) w = l;
        if (l + 1 < n && better(r, &h[w], &h[l + 1])) w = l + 1;
        if (w == i) return;
        kt_recs_item t = h[i]; h[i] = h[w]; h[w] = t;
        i = w;
    }
}

static void heap_push(const kt_recs *r, kt_recs_item *h, size_t *n, size_t cap, const kt_recs_item *x) {
    if (*n < cap) {
        size_t i = (*n)++;
        h[i] = *x;
        while (i) {
            size_t p = (i - 1) / 2;
            if (!better(r, &h[p], &h[i])) break;
            kt_recs_item t = h[i]; h[i] = h[p]; h[p] = t;
            i = p;
        }
    } else if (cap && better(r, x, &h[0])) {
        h[0] = *x;
        heap_down(r, h, *n, 0);
    }
}

/* Heap into best-first order. */
static void heap_sort(const kt_recs *r, kt_recs_item *h, size_t n) {
    for (size_t end = n; end > 1; end--) {
        kt_recs_item t = h[0]; h[0] = h[end - 1]; h[end - 1] = t;
        heap_down(r, h, end - 1, 0);
    }
}

/* ---- candidates ------------------------------------------------------------------------ */
bool recs_candidates(const kt_recs *r, kt_recs_scratch *s, uint32_t member) {
    const recs_model *m = &r->model;
    s->ncand[0] = s->ncand[1] = 0;
    int32_t start;
    size_t n = recs_member_items(r, member, m->cut, s, &start);
    if (!n) return false;
    double N = m->days, t = (double)m->cut - start + 1;
    uint32_t gen = next_gen(s, r->nsku);
    for (size_t i = 0; i < n; i++) {
        const recs_own *o = &s->own[i];
        s->stamp[o->sku] = gen;
        double a = 1 - exp(-(double)o->k * N / t), due = 1, gap = 0;
        if (o->k > 1) {
            gap = (double)(o->last - o->first) / (o->k - 1);
            double q = ((double)(m->cut - o->last) + N) / gap;
            due = 0.5 + 0.5 * (q < 1 ? q : 1);
        }
        kt_recs_item x = {.sku = o->sku, .source = KT_RECS_REPEAT, .score = a * due, .purchase_days = o->k,
                          .days_since = m->cut - o->last, .gap_days = gap};
        heap_push(r, s->cand[0], &s->ncand[0], s->L, &x);
    }
    size_t nt = 0;
    for (uint64_t c = m->coff[member]; c < m->coff[member + 1]; c++) {
        uint32_t i = m->csku[c];
        const uint32_t *nb = m->nb + (size_t)i * r->o.neighbours;
        const float *sim = m->nsim + (size_t)i * r->o.neighbours;
        for (uint32_t q = 0; q < m->nbn[i]; q++) {
            uint32_t j = nb[q];
            if (s->stamp[j] == gen) continue;
            if (s->touched_at[j] != gen) { s->touched_at[j] = gen; s->acc[j] = 0; s->touched[nt++] = j; }
            s->acc[j] += sim[q];
        }
    }
    double share = 1.0 / (double)(m->active ? m->active : 1);
    for (size_t q = 0; q < nt; q++) {
        kt_recs_item x = {.sku = s->touched[q], .source = KT_RECS_SIMILAR, .score = s->acc[s->touched[q]] + KT_RECS_POPULARITY_WEIGHT * m->buyers[s->touched[q]] * share};
        heap_push(r, s->cand[1], &s->ncand[1], s->L, &x);
    }
    for (size_t q = 0; q < m->npopular; q++) { /* popular SKUs no neighbour reached */
        uint32_t j = m->popular[q];
        if (s->stamp[j] == gen || s->touched_at[j] == gen) continue;
        kt_recs_item x = {.sku = j, .source = KT_RECS_SIMILAR, .score = KT_RECS_POPULARITY_WEIGHT * m->buyers[j] * share};
        heap_push(r, s->cand[1], &s->ncand[1], s->L, &x);
    }
    heap_sort(r, s->cand[0], s->ncand[0]);
    heap_sort(r, s->cand[1], s->ncand[1]);
    return true;
}

/* ---- the model -------------------------------------------------------------------------- */
void recs_model_free(recs_model *m) {
    free(m->coff);
    free(m->csku);
    free(m->buyers);
    free(m->nbn);
    free(m->nb);
    free(m->nsim);
    free(m->popular);
    *m = (recs_model){0};
}

typedef struct build_ctx {
    kt_recs *r;
    recs_model *m;
    kt_recs_scratch *s[KT_ACTX_THREADS_MAX];
    uint32_t *buyers[KT_ACTX_THREADS_MAX];
    uint64_t *ccount;       /* pass 1: capped items per member */
    size_t active[KT_ACTX_THREADS_MAX];
    /* neighbours */
    uint64_t *ioff;
    uint32_t *imem;
    uint32_t *cnt[KT_ACTX_THREADS_MAX];
    uint32_t *tl[KT_ACTX_THREADS_MAX];
} build_ctx;

static void count_items_fn(void *ctx, int thread, size_t begin, size_t end) {
    build_ctx *b = ctx;
    for (size_t u = begin; u < end; u++) {
        int32_t start;
        size_t n = recs_member_items(b->r, (uint32_t)u, b->m->cut, b->s[thread], &start);
        for (size_t i = 0; i < n; i++) b->buyers[thread][b->s[thread]->own[i].sku]++;
        b->ccount[u] = n < KT_RECS_HISTORY_MAX ? n : KT_RECS_HISTORY_MAX;
        b->active[thread] += n > 0;
    }
}

static void fill_items_fn(void *ctx, int thread, size_t begin, size_t end) {
    build_ctx *b = ctx;
    kt_recs_scratch *s = b->s[thread];
    for (size_t u = begin; u < end; u++) {
        int32_t start;
        size_t n = recs_member_items(b->r, (uint32_t)u, b->m->cut, s, &start);
        if (n > KT_RECS_HISTORY_MAX) {
            qsort(s->own, n, sizeof *s->own, cmp_own_cap);
            n = KT_RECS_HISTORY_MAX;
        }
        uint32_t *out = b->m->csku + b->m->coff[u];
        for (size_t i = 0; i < n; i++) out[i] = s->own[i].sku;
    }
}

typedef struct nbr { double sim; uint32_t sku; } nbr;

static inline bool nbr_better(nbr a, nbr b) { return a.sim != b.sim ? a.sim > b.sim : a.sku < b.sku; }

static void nbr_down(nbr *h, size_t n, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, w = i;
        if (l < n && nbr_better(h[w], h[l])) w = l;
        if (l + 1 < n && nbr_better(h[w], h[l + 1])) w = l + 1;
        if (w == i) return;
        nbr t = h[i]; h[i] = h[w]; h[w] = t;
        i = w;
    }
}

/* Row i of the co-occurrence matrix into a dense counter, then its top M. */
static void neighbours_fn(void *ctx, int thread, size_t begin, size_t end) {
    build_ctx *b = ctx;
    recs_model *m = b->m;
    uint32_t *cnt = b->cnt[thread], *tl = b->tl[thread];
    size_t M = (size_t)b->r->o.neighbours;
    nbr *h = kt_xmalloc(M * sizeof *h);
    for (size_t i = begin; i < end; i++) {
        m->nbn[i] = 0;
        uint64_t ni = b->ioff[i + 1] - b->ioff[i];
        if (!ni) continue;
        size_t nt = 0;
        for (uint64_t p = b->ioff[i]; p < b->ioff[i + 1]; p++) {
            uint32_t u = b->imem[p];
            for (uint64_t c = m->coff[u]; c < m->coff[u + 1]; c++) {
                uint32_t j = m->csku[c];
                if (j == i) continue;
                if (!cnt[j]++) tl[nt++] = j;
            }
        }
        size_t hn = 0;
        for (size_t q = 0; q < nt; q++) {
            uint32_t j = tl[q];
            uint64_t nj = b->ioff[j + 1] - b->ioff[j];
            nbr x = {(double)cnt[j] / sqrt((double)ni * (double)nj), j};
            cnt[j] = 0;
            if (hn < M) {
                size_t k = hn++;
                h[k] = x;
                while (k) {
                    size_t p = (k - 1) / 2;
                    if (!nbr_better(h[p], h[k])) break;
                    nbr t = h[k]; h[k] = h[p]; h[p] = t;
                    k = p;
                }
            } else if (nbr_better(x, h[0])) {
                h[0] = x;
                nbr_down(h, hn, 0);
            }
        }
        for (size_t e = hn; e > 1; e--) {
            nbr t = h[0]; h[0] = h[e - 1]; h[e - 1] = t;
            nbr_down(h, e - 1, 0);
        }
        for (size_t q = 0; q < hn; q++) {
            m->nb[i * M + q] = h[q].sku;
            m->nsim[i * M + q] = (float)h[q].sim;
        }
        m->nbn[i] = (uint32_t)hn;
    }
    free(h);
}

void recs_model_build(kt_recs *r, kt_day cut, recs_model *m) {
    recs_model_free(m);
    m->cut = cut;
    m->days = r->days;
    int threads = r->o.threads < 1 ? 1 : r->o.threads > KT_ACTX_THREADS_MAX ? KT_ACTX_THREADS_MAX : r->o.threads;
    size_t nm = r->nmem, ns = r->nsku ? r->nsku : 1, M = (size_t)r->o.neighbours;
    build_ctx b = {.r = r, .m = m};
    for (int t = 0; t < threads; t++) {
        b.s[t] = kt_recs_scratch_new(r);
        b.buyers[t] = kt_xcalloc(ns, sizeof(uint32_t));
    }
    b.ccount = kt_xmalloc((nm ? nm : 1) * sizeof *b.ccount);
    recs_parallel(threads, nm, 4096, count_items_fn, &b);
    m->buyers = b.buyers[0];
    for (int t = 1; t < threads; t++) {
        for (size_t k = 0; k < r->nsku; k++) m->buyers[k] += b.buyers[t][k];
        free(b.buyers[t]);
    }
    m->coff = kt_xmalloc((nm + 1) * sizeof *m->coff);
    uint64_t total = 0;
    for (size_t u = 0; u < nm; u++) { m->coff[u] = total; total += b.ccount[u]; }
    m->coff[nm] = total;
    free(b.ccount);
    for (int t = 0; t < threads; t++) m->active += b.active[t];
    m->csku = kt_xmalloc((total ? total : 1) * sizeof *m->csku);
    recs_parallel(threads, nm, 4096, fill_items_fn, &b);

    /* inverted lists: SKU -> members (ascending) */
    b.ioff = kt_xcalloc(ns + 1, sizeof *b.ioff);
    for (uint64_t c = 0; c < total; c++) b.ioff[m->csku[c] + 1]++;
    for (size_t k = 0; k < ns; k++) b.ioff[k + 1] += b.ioff[k];
    b.imem = kt_xmalloc((total ? total : 1) * sizeof *b.imem);
    uint64_t *pos = kt_xmalloc(ns * sizeof *pos);
    memcpy(pos, b.ioff, ns * sizeof *pos);
    for (size_t u = 0; u < nm; u++)
        for (uint64_t c = m->coff[u]; c < m->coff[u + 1]; c++) b.imem[pos[m->csku[c]]++] = (uint32_t)u;
    free(pos);

    m->nbn = kt_xcalloc(ns, sizeof *m->nbn);
    m->nb = kt_xmalloc(ns * M * sizeof *m->nb);
    m->nsim = kt_xmalloc(ns * M * sizeof *m->nsim);
    for (int t = 0; t < threads; t++) {
        b.cnt[t] = kt_xcalloc(ns, sizeof(uint32_t));
        b.tl[t] = kt_xmalloc(ns * sizeof(uint32_t));
    }
    recs_parallel(threads, r->nsku, 16, neighbours_fn, &b);
    for (int t = 0; t < threads; t++) {
        free(b.cnt[t]);
        free(b.tl[t]);
        kt_recs_scratch_free(b.s[t]);
    }
    free(b.ioff);
    free(b.imem);
    /* the most popular SKUs: a bounded heap over buyers, name rank for ties */
    size_t L = (size_t)(r->o.top > KT_RECS_CANDIDATES ? r->o.top : KT_RECS_CANDIDATES);
    kt_recs_item *h = kt_xmalloc(L * sizeof *h);
    size_t hn = 0;
    for (size_t k = 0; k < r->nsku; k++) {
        if (!m->buyers[k]) continue;
        kt_recs_item x = {.sku = (uint32_t)k, .score = m->buyers[k]};
        heap_push(r, h, &hn, L, &x);
    }
    heap_sort(r, h, hn);
    m->popular = kt_xmalloc((hn ? hn : 1) * sizeof *m->popular);
    for (size_t q = 0; q < hn; q++) m->popular[q] = h[q].sku;
    m->npopular = hn;
    free(h);
    m->memory_bytes = (nm + 1) * 8 + (size_t)total * 4 + ns * (8 + M * 8) +
                      /* the inverted lists and counters while building */
                      (ns + 1) * 8 + (size_t)total * 4 + (size_t)threads * ns * 8;
}

/* ---- calibration ------------------------------------------------------------------------ */
typedef struct cpair { double score; uint8_t label; } cpair;

static int cmp_cpair(const void *a, const void *b) {
    double x = ((const cpair *)a)->score, y = ((const cpair *)b)->score;
    return x < y ? -1 : x > y;
}

/* Pool adjacent violators over pairs sorted by score. */
static void isotonic_fit(cpair *p, size_t n, recs_calib *c) {
    free(c->lo);
    free(c->rate);
    *c = (recs_calib){.pairs = n};
    if (!n) return;
    qsort(p, n, sizeof *p, cmp_cpair);
    double *lo = kt_xmalloc(n * sizeof *lo);
    uint64_t *w = kt_xmalloc(n * sizeof *w), *hits = kt_xmalloc(n * sizeof *hits);
    size_t nb = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        uint64_t h = 0;
        while (j < n && p[j].score == p[i].score) h += p[j++].label;
        lo[nb] = p[i].score;
        w[nb] = j - i;
        hits[nb] = h;
        nb++;
        /* merge while the previous block's rate is above this one's */
        while (nb > 1 && hits[nb - 2] * w[nb - 1] > hits[nb - 1] * w[nb - 2]) {
            w[nb - 2] += w[nb - 1];
            hits[nb - 2] += hits[nb - 1];
            nb--;
        }
        i = j;
    }
    c->lo = lo;
    c->rate = kt_xmalloc(nb * sizeof *c->rate);
    for (size_t i = 0; i < nb; i++) c->rate[i] = (double)hits[i] / (double)w[i];
    c->n = nb;
    free(w);
    free(hits);
}

static double calibrate(const recs_calib *c, double score) {
    if (!c->n) return 0;
    size_t lo = 0, hi = c->n; /* first block with lo > score */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->lo[mid] <= score) lo = mid + 1;
        else hi = mid;
    }
    return c->rate[lo ? lo - 1 : 0];
}

typedef struct cal_ctx {
    kt_recs *r;
    kt_day from, to;          /* labels: bought in (from, to] */
    size_t step;
    kt_recs_scratch *s[KT_ACTX_THREADS_MAX];
    cpair *pairs[KT_ACTX_THREADS_MAX][2];
    size_t np[KT_ACTX_THREADS_MAX][2], cap[KT_ACTX_THREADS_MAX][2];
} cal_ctx;

static void cal_fn(void *ctx, int thread, size_t begin, size_t end) {
    cal_ctx *c = ctx;
    kt_recs_scratch *s = c->s[thread];
    for (size_t u = begin; u < end; u++) {
        if (u % c->step || c->r->mfirst[u] > c->from) continue;
        if (!recs_candidates(c->r, s, (uint32_t)u)) continue;
        for (int k = 0; k < 2; k++)
            for (size_t i = 0; i < s->ncand[k]; i++) {
                if (c->np[thread][k] == c->cap[thread][k]) {
                    c->cap[thread][k] = c->cap[thread][k] ? 2 * c->cap[thread][k] : 1024;
                    c->pairs[thread][k] = kt_xrealloc(c->pairs[thread][k], c->cap[thread][k] * sizeof(cpair));
                }
                uint8_t label = recs_bought_in(c->r, (uint32_t)u, s->cand[k][i].sku, c->from, c->to);
                c->pairs[thread][k][c->np[thread][k]++] = (cpair){s->cand[k][i].score, label};
            }
    }
}

kt_rc kt_recs_fit(kt_recs *r, kt_day cut, kt_err *err) {
    KT_UNUSED(err);
    int threads = r->o.threads < 1 ? 1 : r->o.threads > KT_ACTX_THREADS_MAX ? KT_ACTX_THREADS_MAX : r->o.threads;
    r->fitted = false;
    if (cut == KT_DAY_NONE) cut = INT32_MIN + (int32_t)KT_RECS_DAYS_MAX + 1;
    kt_day cal_cut = cut - r->days;
    size_t active = 0;
    for (size_t u = 0; u < r->nmem; u++) active += r->mfirst[u] <= cal_cut;
    recs_model_build(r, cal_cut, &r->model);
    size_t cal_memory = r->model.memory_bytes;
    cal_ctx c = {.r = r, .from = cal_cut, .to = cut,
                 .step = active > KT_RECS_CALIBRATION_MEMBERS
                             ? (active + KT_RECS_CALIBRATION_MEMBERS - 1) / KT_RECS_CALIBRATION_MEMBERS
                             : 1};
    for (int t = 0; t < threads; t++) c.s[t] = kt_recs_scratch_new(r);
    recs_parallel(threads, r->nmem, 1024, cal_fn, &c);
    for (int k = 0; k < 2; k++) {
        size_t n = 0;
        for (int t = 0; t < threads; t++) n += c.np[t][k];
        cpair *all = kt_xmalloc((n ? n : 1) * sizeof *all);
        n = 0;
        for (int t = 0; t < threads; t++) {
            if (c.np[t][k]) memcpy(all + n, c.pairs[t][k], c.np[t][k] * sizeof *all);
            n += c.np[t][k];
            free(c.pairs[t][k]);
        }
        isotonic_fit(all, n, &r->cal[k]);
        free(all);
    }
    for (int t = 0; t < threads; t++) kt_recs_scratch_free(c.s[t]);
    recs_model_build(r, cut, &r->model);
    if (cal_memory > r->model.memory_bytes) r->model.memory_bytes = cal_memory;
    r->fitted = true;
    return KT_OK;
}

/* ---- a member's recommendations ------------------------------------------------------------ */
static void apply_calibration(const kt_recs *r, kt_recs_scratch *s) {
    for (int k = 0; k < 2; k++) {
        size_t w = 0;
        for (size_t i = 0; i < s->ncand[k]; i++) {
            kt_recs_item x = s->cand[k][i];
            x.probability = calibrate(&r->cal[k], x.score);
            if (x.probability > 0) s->cand[k][w++] = x;
        }
        s->ncand[k] = w;
    }
}

/* Ranking: probability desc, repeat first, score desc, SKU external id. */
static bool ranks_before(const kt_recs *r, const kt_recs_item *a, const kt_recs_item *b) {
    if (a->probability != b->probability) return a->probability > b->probability;
    if (a->source != b->source) return a->source < b->source;
    return better(r, a, b);
}

size_t kt_recs_member(const kt_recs *r, kt_recs_scratch *s, uint32_t member, kt_recs_item *out) {
    if (!r->fitted || member >= r->nmem || !recs_candidates(r, s, member)) return 0;
    apply_calibration(r, s);
    size_t i = 0, j = 0, n = 0, K = (size_t)r->o.top;
    while (n < K && (i < s->ncand[0] || j < s->ncand[1])) {
        if (j >= s->ncand[1] || (i < s->ncand[0] && ranks_before(r, &s->cand[0][i], &s->cand[1][j])))
            out[n++] = s->cand[0][i++];
        else
            out[n++] = s->cand[1][j++];
    }
    return n;
}

/* ---- A12: keep and raise --------------------------------------------------------------------- */
void kt_recs_two(const kt_recs *r, kt_recs_scratch *s, uint32_t member, kt_recs_pick out[2], bool has[2]) {
    has[0] = has[1] = false;
    if (!r->fitted || member >= r->nmem || !recs_candidates(r, s, member)) return;
    apply_calibration(r, s);
    int N = r->model.days;
    if (s->ncand[0]) {
        const kt_recs_item *x = &s->cand[0][0];
        out[0].item = *x;
        has[0] = true;
        if (x->purchase_days > 1 && x->days_since + N >= x->gap_days)
            snprintf(out[0].reason, sizeof out[0].reason,
                     "bought on %u days, every %.1f days on average; last %d days ago: due within %d days",
                     x->purchase_days, x->gap_days, x->days_since, N);
        else if (x->purchase_days > 1)
            snprintf(out[0].reason, sizeof out[0].reason,
                     "bought on %u days, every %.1f days on average; last %d days ago", x->purchase_days,
                     x->gap_days, x->days_since);
        else
            snprintf(out[0].reason, sizeof out[0].reason, "bought once, %d days ago", x->days_since);
    }
    /* the member's average unit price paid per category (recs_candidates left the items in s->own) */
    int32_t start;
    size_t n = recs_member_items(r, member, r->model.cut, s, &start);
    const kt_recs_item *best = NULL;
    double best_paid = 0;
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < s->ncand[k]; i++) {
            const kt_recs_item *x = &s->cand[k][i];
            uint32_t cat = r->category[x->sku];
            if ((has[0] && x->sku == out[0].item.sku) || cat == KT_ACTX_NONE || isnan(r->price[x->sku])) continue;
            if (best && !ranks_before(r, x, best)) continue;
            double paid = 0, w = 0;
            for (size_t q = 0; q < n; q++) {
                uint32_t o = s->own[q].sku;
                if (r->category[o] != cat || isnan(r->price[o])) continue;
                paid += s->own[q].k * r->price[o];
                w += s->own[q].k;
            }
            if (w > 0 && r->price[x->sku] > paid / w) { best = x; best_paid = paid / w; }
        }
    if (best) {
        out[1].item = *best;
        has[1] = true;
        snprintf(out[1].reason, sizeof out[1].reason,
                 "dearer in a category the member buys (%.60s): %.2f a unit against the %.2f the member pays",
                 kt_actx_group_name(r->a, KT_ALEVEL_CATEGORY, r->category[best->sku]), r->price[best->sku] / 100,
                 best_paid / 100);
        return;
    }
    for (size_t i = 0; i < s->ncand[1]; i++) {
        const kt_recs_item *x = &s->cand[1][i];
        if (isnan(r->price[x->sku])) continue;
        double v = x->probability * r->price[x->sku];
        if (best && v <= best->probability * r->price[best->sku]) continue;
        best = x;
    }
    if (best) {
        out[1].item = *best;
        has[1] = true;
        snprintf(out[1].reason, sizeof out[1].reason,
                 "bought by members with similar baskets; adds the most to the receipt: %.2f a unit",
                 r->price[best->sku] / 100);
    }
}

/* ---- every member ---------------------------------------------------------------------------- */
#define RECS_BLOCK_MEMBERS 16384

typedef struct all_ctx {
    kt_recs *r;
    size_t base;
    kt_recs_scratch *s[KT_ACTX_THREADS_MAX];
    kt_recs_item *items;      /* block x K */
    uint32_t *count;
} all_ctx;

static void all_fn(void *ctx, int thread, size_t begin, size_t end) {
    all_ctx *c = ctx;
    size_t K = (size_t)c->r->o.top;
    for (size_t i = begin; i < end; i++)
        c->count[i] = (uint32_t)kt_recs_member(c->r, c->s[thread], (uint32_t)(c->base + i), c->items + i * K);
}

kt_rc kt_recs_all(kt_recs *r, kt_recs_each_fn fn, void *ctx, kt_err *err) {
    KT_UNUSED(err);
    if (!r->fitted) return KT_OK;
    int threads = r->o.threads < 1 ? 1 : r->o.threads > KT_ACTX_THREADS_MAX ? KT_ACTX_THREADS_MAX : r->o.threads;
    size_t K = (size_t)r->o.top;
    all_ctx c = {.r = r};
    c.items = kt_xmalloc(RECS_BLOCK_MEMBERS * K * sizeof *c.items);
    c.count = kt_xmalloc(RECS_BLOCK_MEMBERS * sizeof *c.count);
    for (int t = 0; t < threads; t++) c.s[t] = kt_recs_scratch_new(r);
    int stop = 0;
    for (size_t base = 0; base < r->nmem && !stop; base += RECS_BLOCK_MEMBERS) {
        size_t n = r->nmem - base < RECS_BLOCK_MEMBERS ? r->nmem - base : RECS_BLOCK_MEMBERS;
        c.base = base;
        recs_parallel(threads, n, 256, all_fn, &c);
        for (size_t i = 0; i < n && !stop; i++)
            if (c.count[i]) stop = fn(ctx, (uint32_t)(base + i), c.items + i * K, c.count[i]);
    }
    for (int t = 0; t < threads; t++) kt_recs_scratch_free(c.s[t]);
    free(c.items);
    free(c.count);
    return KT_OK;
}
