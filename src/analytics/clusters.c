/*
 * clusters.c - A5 member clusters (clusters.h): a parallel scan of the lines
 * into per-thread member x group spend matrices, merged, turned into share
 * vectors, then k-means++ seeding and Lloyd rounds on one thread.
 */
#include "analytics/clusters.h"
#include "cols/cols.h"
#include "core/rng.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

typedef struct cl_ctx {
    const kt_actx *a;
    const kt_afilter *f;
    kt_alevel level;
    uint32_t store_slots, sku_slots, member_slots;
    size_t groups;
} cl_ctx;

typedef struct cl_state {
    const cl_ctx *cx;
    int64_t *spend;           /* members x groups */
    bool overflow;
    uint64_t rows;
} cl_state;

static void scan_lines(void *state, const kt_cols_lines *seg, size_t begin, size_t end) {
    cl_state *st = state;
    const cl_ctx *cx = st->cx;
    for (size_t i = begin; i < end; i++) {
        if (seg->member[i] == 0) continue;
        uint32_t store = kt_actx_index_of(cx->store_slots, seg->store[i]);
        if (!kt_afilter_pass(cx->f, store, seg->day[i])) continue;
        uint32_t g = kt_actx_sku_group(cx->a, cx->level, kt_actx_index_of(cx->sku_slots, seg->sku[i]));
        if (g == KT_ACTX_NONE) continue;
        size_t m = kt_actx_index_of(cx->member_slots, seg->member[i]);
        int64_t *cell = &st->spend[m * cx->groups + g];
        if (__builtin_add_overflow(*cell, seg->amount[i], cell)) st->overflow = true;
    }
    st->rows += end - begin;
}

static double dist2(const float *x, const double *c, size_t g) {
    double d = 0;
    for (size_t j = 0; j < g; j++) {
        double t = (double)x[j] - c[j];
        d += t * t;
    }
    return d;
}

void kt_clusters_free(kt_clusters_result *r) {
    if (!r) return;
    free(r->member); free(r->cluster); free(r->spend); free(r->share);
    free(r->centre); free(r->size); free(r->total);
    memset(r, 0, sizeof *r);
}

typedef struct by_size { size_t size; uint32_t index; } by_size;
static int by_size_desc(const void *x, const void *y) {
    const by_size *a = x, *b = y;
    if (a->size != b->size) return a->size > b->size ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

kt_rc kt_clusters_run(kt_actx *a, const kt_afilter *f, const kt_clusters_opts *o, kt_clusters_result *out,
                      kt_err *err) {
    memset(out, 0, sizeof *out);
    if (o->k < 1 || o->k > KT_CLUSTERS_K_MAX)
        return kt_fail(err, KT_EUSAGE, "--k", "must be from 1 to %d", KT_CLUSTERS_K_MAX);
    if (o->level != KT_ALEVEL_TOP && o->level != KT_ALEVEL_CATEGORY)
        return kt_fail(err, KT_EUSAGE, "--level", "must be category or top");
    kt_rc rc = kt_actx_load_products(a, err);
    if (rc) return rc;
    cl_ctx cx = {a, f, o->level, kt_actx_op_slots(a, KT_ADIM_STORE), kt_actx_op_slots(a, KT_ADIM_SKU),
                 kt_actx_op_slots(a, KT_ADIM_MEMBER), kt_actx_group_count(a, o->level)};
    size_t members = kt_actx_count(a, KT_ADIM_MEMBER), groups = cx.groups;
    out->groups = (uint32_t)groups;
    if (members <= 1 || groups == 0) return KT_OK;
    size_t cells = members * groups, bytes = cells * sizeof(int64_t);
    if (cells / groups != members || bytes > KT_CLUSTERS_MATRIX_BYTES)
        return kt_fail(err, KT_EINVAL, "--level",
                       "%zu members x %zu groups is more than the spend matrix allows (%zu MB): use --level top",
                       members, groups, KT_CLUSTERS_MATRIX_BYTES >> 20);
    int threads = o->threads < 1 ? 1 : o->threads > KT_ACTX_THREADS_MAX ? KT_ACTX_THREADS_MAX : o->threads;
    while (threads > 1 && bytes * (size_t)threads > KT_CLUSTERS_MATRIX_BYTES) threads--;
    cl_state st[KT_ACTX_THREADS_MAX];
    void *states[KT_ACTX_THREADS_MAX];
    for (int t = 0; t < threads; t++) {
        st[t] = (cl_state){.cx = &cx, .spend = kt_xcalloc(cells, sizeof(int64_t))};
        states[t] = &st[t];
    }
    rc = kt_actx_scan_lines(a, threads, scan_lines, states, err);
    bool overflow = false;
    for (int t = 0; t < threads; t++) {
        overflow |= st[t].overflow;
        out->lines_scanned += st[t].rows;
        if (t == 0) continue;
        for (size_t c = 0; c < cells; c++)
            if (__builtin_add_overflow(st[0].spend[c], st[t].spend[c], &st[0].spend[c])) overflow = true;
        free(st[t].spend);
    }
    int64_t *spend = st[0].spend;
    if (!rc && overflow) rc = kt_fail(err, KT_EINVAL, "amount", "a member's spend does not fit in 64 bits");
    if (rc) { free(spend); return rc; }

    /* Share vectors of members with spend. */
    size_t n = 0;
    for (size_t m = 1; m < members; m++) {
        int64_t s = 0;
        for (size_t g = 0; g < groups; g++)
            if (spend[m * groups + g] > 0 && __builtin_add_overflow(s, spend[m * groups + g], &s)) overflow = true;
        if (s > 0) n++;
    }
    if (overflow) { free(spend); return kt_fail(err, KT_EINVAL, "amount", "a member's spend does not fit in 64 bits"); }
    out->n = n;
    out->member = kt_xmalloc((n ? n : 1) * sizeof *out->member);
    out->cluster = kt_xcalloc(n ? n : 1, sizeof *out->cluster);
    out->spend = kt_xmalloc((n ? n : 1) * sizeof *out->spend);
    out->share = kt_xmalloc((n ? n : 1) * groups * sizeof *out->share);
    size_t i = 0;
    for (size_t m = 1; m < members; m++) {
        const int64_t *row = spend + m * groups;
        int64_t s = 0;
        for (size_t g = 0; g < groups; g++)
            if (row[g] > 0) s += row[g];
        if (s <= 0) continue;
        out->member[i] = (uint32_t)m;
        out->spend[i] = s;
        for (size_t g = 0; g < groups; g++) out->share[i * groups + g] = row[g] > 0 ? (float)((double)row[g] / (double)s) : 0.0f;
        i++;
    }
    free(spend);
    if (n == 0) return KT_OK;

    /* k-means++ seeding. */
    uint32_t k = o->k;
    double *centre = kt_xcalloc((size_t)k * groups, sizeof *centre);
    double *d2 = kt_xmalloc(n * sizeof *d2);
    kt_rng rng;
    kt_rng_seed(&rng, o->seed);
    size_t first = (size_t)kt_rng_below(&rng, n);
    for (size_t g = 0; g < groups; g++) centre[g] = out->share[first * groups + g];
    uint32_t used = 1;
    for (size_t x = 0; x < n; x++) d2[x] = dist2(out->share + x * groups, centre, groups);
    while (used < k) {
        double sum = 0;
        for (size_t x = 0; x < n; x++) sum += d2[x];
        if (!(sum > 0)) break;
        double r = kt_rng_unit(&rng) * sum, acc = 0;
        size_t pick = n - 1;
        for (size_t x = 0; x < n; x++) {
            acc += d2[x];
            if (d2[x] > 0 && acc > r) { pick = x; break; }
        }
        while (d2[pick] <= 0 && pick > 0) pick--; /* rounding at the end of the sum */
        double *c = centre + (size_t)used * groups;
        for (size_t g = 0; g < groups; g++) c[g] = out->share[pick * groups + g];
        used++;
        for (size_t x = 0; x < n; x++) {
            double d = dist2(out->share + x * groups, c, groups);
            if (d < d2[x]) d2[x] = d;
        }
    }
    k = used;

    /* Lloyd rounds. */
    double *sum = kt_xmalloc((size_t)k * groups * sizeof *sum);
    size_t *cnt = kt_xmalloc(k * sizeof *cnt);
    uint32_t *assign = out->cluster;
    for (size_t x = 0; x < n; x++) assign[x] = UINT32_MAX;
    uint32_t it = 0;
    for (; it < KT_CLUSTERS_ITERATIONS_MAX; it++) {
        bool changed = false;
        for (size_t x = 0; x < n; x++) {
            const float *v = out->share + x * groups;
            uint32_t best = 0;
            double bd = DBL_MAX;
            for (uint32_t c = 0; c < k; c++) {
                double d = dist2(v, centre + (size_t)c * groups, groups);
                if (d < bd) { bd = d; best = c; }
            }
            if (assign[x] != best) { assign[x] = best; changed = true; }
        }
        if (!changed) break;
        memset(sum, 0, (size_t)k * groups * sizeof *sum);
        memset(cnt, 0, k * sizeof *cnt);
        for (size_t x = 0; x < n; x++) {
            double *s = sum + (size_t)assign[x] * groups;
            const float *v = out->share + x * groups;
            for (size_t g = 0; g < groups; g++) s[g] += v[g];
            cnt[assign[x]]++;
        }
        for (uint32_t c = 0; c < k; c++)
            if (cnt[c])
                for (size_t g = 0; g < groups; g++) centre[(size_t)c * groups + g] = sum[(size_t)c * groups + g] / (double)cnt[c];
    }
    out->iterations = it + 1 > KT_CLUSTERS_ITERATIONS_MAX ? KT_CLUSTERS_ITERATIONS_MAX : it + 1;

    /* Renumber by size; centres as the mean of the final members. */
    memset(cnt, 0, k * sizeof *cnt);
    for (size_t x = 0; x < n; x++) cnt[assign[x]]++;
    by_size *bs = kt_xmalloc(k * sizeof *bs);
    for (uint32_t c = 0; c < k; c++) bs[c] = (by_size){cnt[c], c};
    qsort(bs, k, sizeof *bs, by_size_desc);
    uint32_t *renum = kt_xmalloc(k * sizeof *renum);
    uint32_t kept = 0;
    for (uint32_t c = 0; c < k; c++)
        if (bs[c].size) renum[bs[c].index] = kept++;
    for (size_t x = 0; x < n; x++) assign[x] = renum[assign[x]];
    out->k = kept;
    out->centre = kt_xcalloc((size_t)kept * groups, sizeof *out->centre);
    out->size = kt_xcalloc(kept, sizeof *out->size);
    out->total = kt_xcalloc(kept, sizeof *out->total);
    for (size_t x = 0; x < n; x++) {
        uint32_t c = assign[x];
        out->size[c]++;
        out->total[c] += out->spend[x];
        for (size_t g = 0; g < groups; g++) out->centre[(size_t)c * groups + g] += out->share[x * groups + g];
    }
    out->inertia = 0;
    for (uint32_t c = 0; c < kept; c++)
        for (size_t g = 0; g < groups; g++) out->centre[(size_t)c * groups + g] /= (double)out->size[c];
    for (size_t x = 0; x < n; x++)
        out->inertia += dist2(out->share + x * groups, out->centre + (size_t)assign[x] * groups, groups);
    free(bs); free(renum); free(sum); free(cnt); free(d2); free(centre);
    return KT_OK;
}
