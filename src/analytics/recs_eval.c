/*
 * recs_eval.c - offline evaluation of the recommendations (recs.h): fit on
 * the history before the holdout days, score every member's list against the
 * SKUs they bought in those days, next to a popularity baseline and a "buy
 * again what you bought" baseline. Metrics as defined in recs.h.
 */
#include "analytics/recs_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const kt_recs_method_names[KT_RECS_METHODS] = {"recs", "popularity", "buy_again"};

kt_recs_metrics kt_recs_list_metrics(const uint8_t *hit, size_t n, size_t k, size_t relevant) {
    kt_recs_metrics m = {0};
    if (!k || !relevant) return m;
    if (n > k) n = k;
    size_t hits = 0;
    double ap = 0, dcg = 0, idcg = 0;
    for (size_t i = 0; i < n; i++) {
        if (!hit[i]) continue;
        hits++;
        ap += (double)hits / (double)(i + 1);
        dcg += 1.0 / log2((double)i + 2);
    }
    size_t ideal = relevant < k ? relevant : k;
    for (size_t i = 0; i < ideal; i++) idcg += 1.0 / log2((double)i + 2);
    m.precision = (double)hits / (double)k;
    m.recall = (double)hits / (double)relevant;
    m.map = ap / (double)ideal;
    m.ndcg = dcg / idcg;
    return m;
}

typedef struct eval_ctx {
    kt_recs *r;
    kt_day train_to, test_to;
    const uint32_t *popular;
    size_t npopular;
    kt_recs_scratch *s[KT_ACTX_THREADS_MAX];
    kt_recs_item *items[KT_ACTX_THREADS_MAX];
    uint8_t *hit[KT_ACTX_THREADS_MAX];
    size_t members[KT_ACTX_THREADS_MAX];
    kt_recs_metrics sum[KT_ACTX_THREADS_MAX][KT_RECS_METHODS];
} eval_ctx;

static int cmp_again(const void *a, const void *b, void *ctx) {
    const recs_own *x = a, *y = b;
    const uint32_t *rank = ctx;
    if (x->k != y->k) return x->k > y->k ? -1 : 1;
    if (x->last != y->last) return x->last > y->last ? -1 : 1;
    return rank[x->sku] < rank[y->sku] ? -1 : rank[x->sku] > rank[y->sku];
}

static void add_metrics(kt_recs_metrics *sum, kt_recs_metrics m) {
    sum->precision += m.precision;
    sum->recall += m.recall;
    sum->map += m.map;
    sum->ndcg += m.ndcg;
}

static void eval_fn(void *ctx, int thread, size_t begin, size_t end) {
    eval_ctx *c = ctx;
    kt_recs *r = c->r;
    kt_recs_scratch *s = c->s[thread];
    uint8_t *hit = c->hit[thread];
    size_t K = (size_t)r->o.top;
    for (size_t u = begin; u < end; u++) {
        if (r->mfirst[u] > c->train_to) continue;
        size_t n = kt_recs_member(r, s, (uint32_t)u, c->items[thread]);
        /* the relevant set: SKUs bought in the test days */
        uint32_t gen = ++s->gen;
        if (!gen) { memset(s->rel, 0, r->nsku * sizeof *s->rel); memset(s->stamp, 0, r->nsku * sizeof *s->stamp);
                    memset(s->touched_at, 0, r->nsku * sizeof *s->touched_at); gen = s->gen = 1; }
        size_t relevant = 0;
        for (uint64_t e = r->eoff[u]; e < r->eoff[u + 1]; e++) {
            int32_t d = recs_key_day(r->ev[e]);
            uint32_t k = recs_key_sku(r->ev[e]);
            if (d <= c->train_to || d > c->test_to || s->rel[k] == gen) continue;
            s->rel[k] = gen;
            relevant++;
        }
        if (!relevant) continue;
        c->members[thread]++;
        for (size_t i = 0; i < n; i++) hit[i] = s->rel[c->items[thread][i].sku] == gen;
        add_metrics(&c->sum[thread][KT_RECS_MODEL], kt_recs_list_metrics(hit, n, K, relevant));
        for (size_t i = 0; i < c->npopular; i++) hit[i] = s->rel[c->popular[i]] == gen;
        add_metrics(&c->sum[thread][KT_RECS_POPULARITY], kt_recs_list_metrics(hit, c->npopular, K, relevant));
        int32_t start;
        size_t own = recs_member_items(r, (uint32_t)u, c->train_to, s, &start);
        qsort_r(s->own, own, sizeof *s->own, cmp_again, r->name_rank);
        if (own > K) own = K;
        for (size_t i = 0; i < own; i++) hit[i] = s->rel[s->own[i].sku] == gen;
        add_metrics(&c->sum[thread][KT_RECS_BUY_AGAIN], kt_recs_list_metrics(hit, own, K, relevant));
    }
}

static int cmp_popular(const void *a, const void *b, void *ctx) {
    const kt_recs *r = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (r->model.buyers[x] != r->model.buyers[y]) return r->model.buyers[x] > r->model.buyers[y] ? -1 : 1;
    return r->name_rank[x] < r->name_rank[y] ? -1 : r->name_rank[x] > r->name_rank[y];
}

kt_rc kt_recs_evaluate(kt_recs *r, int holdout_days, kt_recs_eval *out, kt_err *err) {
    *out = (kt_recs_eval){.train_to = KT_DAY_NONE, .test_from = KT_DAY_NONE, .test_to = KT_DAY_NONE};
    kt_day T = r->as_of;
    if (T == KT_DAY_NONE) return KT_OK;
    kt_day D = T - holdout_days;
    out->train_to = D;
    out->test_from = D + 1;
    out->test_to = T;
    r->days = holdout_days;
    kt_rc rc = kt_recs_fit(r, D, err);
    if (rc) return rc;
    int threads = r->o.threads < 1 ? 1 : r->o.threads > KT_ACTX_THREADS_MAX ? KT_ACTX_THREADS_MAX : r->o.threads;
    size_t K = (size_t)r->o.top;
    /* popularity: SKUs with buyers by D, most buyers first */
    uint32_t *order = kt_xmalloc((r->nsku ? r->nsku : 1) * sizeof *order);
    size_t np = 0;
    for (size_t k = 0; k < r->nsku; k++)
        if (r->model.buyers[k]) order[np++] = (uint32_t)k;
    qsort_r(order, np, sizeof *order, cmp_popular, r);
    eval_ctx c = {.r = r, .train_to = D, .test_to = T, .popular = order, .npopular = np < K ? np : K};
    for (int t = 0; t < threads; t++) {
        c.s[t] = kt_recs_scratch_new(r);
        c.items[t] = kt_xmalloc(K * sizeof *c.items[t]);
        c.hit[t] = kt_xmalloc(K);
    }
    recs_parallel(threads, r->nmem, 1024, eval_fn, &c);
    kt_recs_metrics sum[KT_RECS_METHODS] = {{0}};
    for (int t = 0; t < threads; t++) {
        out->members += c.members[t];
        for (int k = 0; k < KT_RECS_METHODS; k++) add_metrics(&sum[k], c.sum[t][k]);
        kt_recs_scratch_free(c.s[t]);
        free(c.items[t]);
        free(c.hit[t]);
    }
    free(order);
    for (int k = 0; k < KT_RECS_METHODS && out->members; k++) {
        double n = (double)out->members;
        out->m[k] = (kt_recs_metrics){sum[k].precision / n, sum[k].recall / n, sum[k].map / n, sum[k].ndcg / n};
    }
    return KT_OK;
}
