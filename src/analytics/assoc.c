/*
 * assoc.c - A5 association rules (assoc.h): baskets from a file or from the
 * columnar store's receipts, frequent itemsets by FP-growth (fpgrowth.h), and
 * the rules derived from them as arules' apriori derives them.
 */
#include "analytics/assoc.h"
#include "cols/cols.h"
#include "core/text.h"

#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX

/* ---- baskets data ------------------------------------------------------------------ */
void kt_assoc_data_free(kt_assoc_data *d) {
    if (!d) return;
    if (d->labels)
        for (uint32_t i = 0; i < d->item_count; i++) free(d->labels[i]);
    free(d->labels);
    free(d->start);
    free(d->items);
    for (size_t p = 0; d->parts_own && p < d->nparts; p++) {
        free((void *)d->parts[p].start);
        free((void *)d->parts[p].items);
    }
    free(d->parts);
    memset(d, 0, sizeof *d);
}

typedef struct builder {
    size_t n, scap;           /* baskets, start capacity */
    uint64_t *start;
    size_t nitems, icap;
    uint32_t *items;
} builder;

static void b_item(builder *b, uint32_t it) {
    if (b->nitems == b->icap) {
        b->icap = b->icap ? b->icap * 2 : 4096;
        b->items = kt_xrealloc(b->items, b->icap * sizeof *b->items);
    }
    b->items[b->nitems++] = it;
}

/* Close the current basket. */
static void b_end(builder *b) {
    if (b->n + 2 > b->scap) {
        b->scap = b->scap ? b->scap * 2 : 1024;
        b->start = kt_xrealloc(b->start, b->scap * sizeof *b->start);
    }
    if (b->n == 0) b->start[0] = 0;
    b->start[++b->n] = b->nitems;
}

static void b_finish(builder *b, kt_assoc_data *out) {
    if (!b->start) { b->start = kt_xmalloc(sizeof *b->start); b->start[0] = 0; }
    out->n = b->n;
    out->start = b->start;
    out->items = b->items;
    out->parts = kt_xmalloc(sizeof *out->parts);
    out->parts[0] = (kt_fp_part){b->n, b->start, b->items};
    out->nparts = 1;
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

kt_rc kt_assoc_parse(const char *name, const char *text, size_t len, kt_assoc_data *out, kt_err *err) {
    memset(out, 0, sizeof *out);
    builder b = {0};
    kt_strmap *map = kt_strmap_new();
    size_t lcap = 0;
    char field[KT_ERR_FIELD_MAX];
    kt_rc rc = KT_OK;
    size_t pos = 0;
    uint64_t line = 0;
    while (pos < len && !rc) {
        line++;
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        pos += n + (nl != NULL);
        if (n && s[n - 1] == '\r') n--;
        snprintf(field, sizeof field, "%.100s:%llu", name, (unsigned long long)line);
        if (memchr(s, '\0', n)) { rc = kt_fail(err, KT_EINVAL, field, "a NUL byte"); break; }
        size_t bad = kt_utf8_check(s, n);
        if (bad < n) { rc = kt_fail(err, KT_EINVAL, field, "invalid UTF-8 at byte %zu", bad + 1); break; }
        if (b.n >= KT_ASSOC_BASKETS_MAX) {
            rc = kt_fail(err, KT_EINVAL, field, "more than %u baskets", KT_ASSOC_BASKETS_MAX);
            break;
        }
        size_t k = 0;
        while (k < n && is_blank(s[k])) k++;
        if (k < n) {
            size_t at = 0;
            for (;;) {
                const char *comma = memchr(s + at, ',', n - at);
                size_t e = comma ? (size_t)(comma - s) : n, a = at, z = e;
                while (a < z && is_blank(s[a])) a++;
                while (z > a && is_blank(s[z - 1])) z--;
                if (a == z) {
                    rc = kt_fail(err, KT_EINVAL, field, "empty item %s",
                                 at == 0 ? "before the first comma" : comma ? "between two commas" : "after the last comma");
                    break;
                }
                if (z - a > KT_ASSOC_LABEL_MAX) {
                    rc = kt_fail(err, KT_EINVAL, field, "item longer than %d bytes", KT_ASSOC_LABEL_MAX);
                    break;
                }
                uint32_t id;
                if (!kt_strmap_get(map, s + a, z - a, &id)) {
                    id = out->item_count++;
                    kt_strmap_put(map, s + a, z - a, id);
                    if (id == lcap) {
                        lcap = lcap ? lcap * 2 : 256;
                        out->labels = kt_xrealloc(out->labels, lcap * sizeof *out->labels);
                    }
                    char *l = kt_xmalloc(z - a + 1);
                    memcpy(l, s + a, z - a);
                    l[z - a] = '\0';
                    out->labels[id] = l;
                }
                b_item(&b, id);
                if (!comma) break;
                at = e + 1;
            }
        }
        if (!rc) b_end(&b);
    }
    kt_strmap_free(map);
    b_finish(&b, out);
    if (rc) kt_assoc_data_free(out);
    return rc;
}

kt_rc kt_assoc_read_file(const char *path, kt_assoc_data *out, kt_err *err) {
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) return kt_fail(err, errno == ENOENT ? KT_ENOTFOUND : KT_EIO, "--baskets", "%.200s: %s", path, strerror(errno));
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (cap - n < 65536) {
            cap = cap ? cap * 2 : 1 << 20;
            buf = kt_xrealloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) { free(buf); return kt_fail(err, KT_EIO, "--baskets", "%.200s: read error", path); }
    kt_rc rc = kt_assoc_parse(path, buf, n, out, err);
    free(buf);
    return rc;
}

/* ---- baskets from the store: the general path ---------------------------------------------------------- */
typedef struct span { uintptr_t seg; size_t begin; size_t off, len; } span;

typedef struct scan_ctx {
    const kt_actx *a;
    const kt_afilter *f;
    kt_alevel level;
    uint32_t store_slots, sku_slots;
} scan_ctx;

typedef struct scan_state {
    const scan_ctx *cx;
    uint32_t *receipt, *group;
    size_t n, cap;
    span *spans;
    size_t nspans, spcap;
    uint32_t max_receipt;
    uint64_t rows;
} scan_state;

static void scan_lines(void *state, const kt_cols_lines *seg, size_t begin, size_t end) {
    scan_state *st = state;
    const scan_ctx *cx = st->cx;
    if (st->n + (end - begin) > st->cap) {
        while (st->n + (end - begin) > st->cap) st->cap = st->cap ? st->cap * 2 : 65536;
        st->receipt = kt_xrealloc(st->receipt, st->cap * sizeof *st->receipt);
        st->group = kt_xrealloc(st->group, st->cap * sizeof *st->group);
    }
    size_t off = st->n;
    for (size_t i = begin; i < end; i++) {
        if (seg->qty_milli[i] <= 0) continue;
        uint32_t store = kt_actx_index_of(cx->store_slots, seg->store[i]);
        if (!kt_afilter_pass(cx->f, store, seg->day[i])) continue;
        uint32_t sku = kt_actx_index_of(cx->sku_slots, seg->sku[i]);
        uint32_t r = seg->receipt[i];
        st->receipt[st->n] = r;
        st->group[st->n++] = kt_actx_sku_group(cx->a, cx->level, sku);
        if (r > st->max_receipt) st->max_receipt = r;
    }
    st->rows += end - begin;
    if (st->n > off) {
        if (st->nspans == st->spcap) {
            st->spcap = st->spcap ? st->spcap * 2 : 256;
            st->spans = kt_xrealloc(st->spans, st->spcap * sizeof *st->spans);
        }
        st->spans[st->nspans++] = (span){(uintptr_t)seg->receipt, begin, off, st->n - off};
    }
}

typedef struct span_ref { uintptr_t seg; size_t begin; int thread; size_t index; } span_ref;

static int by_position(const void *x, const void *y) {
    const span_ref *a = x, *b = y;
    if (a->seg != b->seg) return a->seg < b->seg ? -1 : 1;
    return a->begin < b->begin ? -1 : a->begin > b->begin;
}

/* Sort KEYS (receipt << 32 | group) by receipt: LSD radix on the upper 32 bits. */
static void sort_by_receipt(uint64_t *keys, size_t n) {
    uint64_t *tmp = kt_xmalloc((n ? n : 1) * sizeof *tmp);
    for (int shift = 32; shift < 64; shift += 8) {
        size_t cnt[257] = {0};
        for (size_t i = 0; i < n; i++) cnt[((keys[i] >> shift) & 0xff) + 1]++;
        for (int k = 0; k < 256; k++) cnt[k + 1] += cnt[k];
        for (size_t i = 0; i < n; i++) tmp[cnt[(keys[i] >> shift) & 0xff]++] = keys[i];
        memcpy(keys, tmp, n * sizeof *keys);
    }
    free(tmp);
}

/* The general path: every (receipt, item) pair collected, then grouped by
 * receipt (sorted when a receipt's lines are not one run). */
static kt_rc from_store_sorted(kt_actx *a, const kt_afilter *f, kt_alevel level, int threads, kt_assoc_data *out,
                               kt_err *err) {
    kt_rc rc;
    scan_ctx cx = {a, f, level, kt_actx_op_slots(a, KT_ADIM_STORE), kt_actx_op_slots(a, KT_ADIM_SKU)};
    scan_state *st = kt_xcalloc((size_t)threads, sizeof *st);
    void *states[KT_ACTX_THREADS_MAX];
    for (int t = 0; t < threads; t++) { st[t].cx = &cx; states[t] = &st[t]; }
    rc = kt_actx_scan_lines(a, threads, scan_lines, states, err);
    size_t total = 0, nspans = 0;
    uint32_t max_receipt = 0;
    for (int t = 0; t < threads; t++) {
        total += st[t].n;
        nspans += st[t].nspans;
        if (st[t].max_receipt > max_receipt) max_receipt = st[t].max_receipt;
        out->lines_scanned += st[t].rows;
    }
    if (rc) goto done;

    /* The spans in store order; a receipt's lines should form one run. */
    span_ref *refs = kt_xmalloc((nspans ? nspans : 1) * sizeof *refs);
    size_t k = 0;
    for (int t = 0; t < threads; t++)
        for (size_t i = 0; i < st[t].nspans; i++) refs[k++] = (span_ref){st[t].spans[i].seg, st[t].spans[i].begin, t, i};
    qsort(refs, nspans, sizeof *refs, by_position);
    uint64_t *keys = kt_xmalloc((total ? total : 1) * sizeof *keys);
    size_t nk = 0;
    for (size_t i = 0; i < nspans; i++) {
        const scan_state *s = &st[refs[i].thread];
        const span *sp = &s->spans[refs[i].index];
        for (size_t j = 0; j < sp->len; j++)
            keys[nk++] = (uint64_t)s->receipt[sp->off + j] << 32 | s->group[sp->off + j];
    }
    free(refs);
    for (int t = 0; t < threads; t++) {
        free(st[t].receipt); free(st[t].group); free(st[t].spans);
        st[t].receipt = st[t].group = NULL; st[t].spans = NULL;
    }
    uint8_t *seen = kt_xcalloc((size_t)max_receipt / 8 + 1, 1);
    bool grouped = true;
    for (size_t i = 0; i < nk && grouped; i++) {
        uint32_t r = (uint32_t)(keys[i] >> 32);
        if (i > 0 && (uint32_t)(keys[i - 1] >> 32) == r) continue;
        if (seen[r >> 3] & (1u << (r & 7))) grouped = false;
        seen[r >> 3] |= (uint8_t)(1u << (r & 7));
    }
    free(seen);
    if (!grouped) sort_by_receipt(keys, nk);

    /* Baskets. */
    size_t groups = kt_actx_group_count(a, level);
    KT_ASSERT(groups < NONE);
    out->item_count = (uint32_t)groups;
    out->labels = kt_xcalloc(groups ? groups : 1, sizeof *out->labels);
    builder b = {0};
    for (size_t i = 0; i < nk; i++) {
        uint32_t g = (uint32_t)keys[i];
        if (g != KT_ACTX_NONE) {
            b_item(&b, g);
            if (!out->labels[g]) {
                const char *name = kt_actx_group_name(a, level, g);
                if (!name) name = "";
                while (is_blank(*name)) name++;
                size_t len = strlen(name);
                while (len && is_blank(name[len - 1])) len--;
                out->labels[g] = kt_xmalloc(len + 1);
                memcpy(out->labels[g], name, len);
                out->labels[g][len] = '\0';
            }
        }
        if (i + 1 == nk || (uint32_t)(keys[i + 1] >> 32) != (uint32_t)(keys[i] >> 32)) b_end(&b);
    }
    free(keys);
    b_finish(&b, out);
done:
    for (int t = 0; t < threads; t++) { free(st[t].receipt); free(st[t].group); free(st[t].spans); }
    free(st);
    if (rc) kt_assoc_data_free(out);
    return rc;
}

/* ---- baskets from the store: one pass ------------------------------------------------ */
/* Import, `gen --direct` and the checkout write a receipt's lines together, so its
 * lines form one run of rows in a segment. Each batch of rows then turns straight
 * into baskets (items once each, by a stamp per item) in its thread's arrays,
 * which become the parts of the data: a batch owns the receipts whose run starts
 * in it, reading past its end to finish the last one. A bitmap of receipts,
 * shared by the threads, checks that no receipt has two runs; if one has, the
 * general path above runs instead. */
typedef struct fast_ctx {
    const kt_afilter *f;
    uint32_t store_slots, sku_slots;
    const uint32_t *group_of; /* SKU index -> group at the level */
    size_t nsku;
    _Atomic uint64_t *seen;   /* bit per receipt id: a basket has started */
    uint64_t receipt_bound;   /* ids at or above have no bit */
} fast_ctx;

typedef struct fast_state {
    const fast_ctx *cx;
    uint32_t *items;          /* the baskets' items */
    size_t ni, icap;
    uint64_t *start;          /* nb + 1 offsets into items */
    size_t nb, bcap;          /* bcap: entries of start */
    uint32_t *stamp;          /* per group: the serial of the last basket holding it (0: never seen) */
    uint32_t serial;
    uint64_t rows;
    bool split;               /* a receipt has two runs of lines */
} fast_state;

static void fast_lines(void *state, const kt_cols_lines *seg, size_t begin, size_t end) {
    fast_state *st = state;
    const fast_ctx *cx = st->cx;
    const uint32_t *receipt = seg->receipt;
    st->rows += end - begin;
    /* The run that started in the batch before belongs to that batch; the last run goes on past END. */
    if (begin > 0)
        while (begin < end && receipt[begin] == receipt[begin - 1]) begin++;
    if (begin == end) return;
    while (end < seg->rows && receipt[end] == receipt[end - 1]) end++;
    size_t rows = end - begin;
    if (st->ni + rows > st->icap) {
        while (st->ni + rows > st->icap) st->icap += st->icap / 2 + 65536;
        st->items = kt_xrealloc(st->items, st->icap * sizeof *st->items);
    }
    if (st->nb + rows + 1 > st->bcap) {
        while (st->nb + rows + 1 > st->bcap) st->bcap += st->bcap / 2 + 65536;
        st->start = kt_xrealloc(st->start, st->bcap * sizeof *st->start);
    }
    uint32_t *items = st->items, *stamp = st->stamp;
    uint64_t *start = st->start;
    const uint32_t *group_of = cx->group_of;
    size_t ni = st->ni, nb = st->nb, nsku = cx->nsku;
    uint32_t serial = st->serial, cur = 0;
    bool open = false, split = false;
    for (size_t i = begin; i < end; i++) {
        if (seg->qty_milli[i] <= 0) continue;
        uint32_t store = kt_actx_index_of(cx->store_slots, seg->store[i]);
        if (!kt_afilter_pass(cx->f, store, seg->day[i])) continue;
        uint32_t r = receipt[i];
        if (!open || r != cur) {
            if (open) start[++nb] = ni;
            cur = r;
            open = true;
            serial++;
            if (r >= cx->receipt_bound) split = true;
            else {
                uint64_t bit = 1ull << (r & 63);
                if (atomic_fetch_or_explicit(&cx->seen[r >> 6], bit, memory_order_relaxed) & bit) split = true;
            }
        }
        uint32_t sku = kt_actx_index_of(cx->sku_slots, seg->sku[i]);
        uint32_t g = sku < nsku ? group_of[sku] : KT_ACTX_NONE;
        if (g != KT_ACTX_NONE && stamp[g] != serial) {
            stamp[g] = serial;
            items[ni++] = g;
        }
    }
    if (open) start[++nb] = ni;
    st->ni = ni;
    st->nb = nb;
    st->serial = serial;
    if (split) st->split = true;
}

kt_rc kt_assoc_from_store(kt_actx *a, const kt_afilter *f, kt_alevel level, int threads, kt_assoc_data *out,
                           kt_err *err) {
    memset(out, 0, sizeof *out);
    if (threads < 1) threads = 1;
    if (threads > KT_ACTX_THREADS_MAX) threads = KT_ACTX_THREADS_MAX;
    kt_rc rc = kt_actx_load_products(a, err);
    if (!rc && level == KT_ALEVEL_SKU) rc = kt_actx_load_names(a, KT_ADIM_SKU, err);
    if (rc) return rc;
    size_t groups = kt_actx_group_count(a, level), nsku = kt_actx_count(a, KT_ADIM_SKU);
    KT_ASSERT(groups < NONE);
    uint32_t *group_of = kt_xmalloc((nsku ? nsku : 1) * sizeof *group_of);
    for (size_t s = 0; s < nsku; s++) {
        uint32_t g = kt_actx_sku_group(a, level, (uint32_t)s);
        group_of[s] = g < groups ? g : KT_ACTX_NONE;
    }
    /* Receipt ids: those published are below the next id, the checkout's follow it. */
    uint64_t bound = (uint64_t)kt_cols_next_receipt(kt_actx_cols(a)) + kt_actx_receipt_rows(a) + 1;
    fast_ctx cx = {f, kt_actx_op_slots(a, KT_ADIM_STORE), kt_actx_op_slots(a, KT_ADIM_SKU), group_of, nsku,
                   kt_xcalloc((size_t)(bound / 64 + 1), sizeof(uint64_t)), bound};
    fast_state *st = kt_xcalloc((size_t)threads, sizeof *st);
    void *states[KT_ACTX_THREADS_MAX];
    uint64_t lines = kt_actx_line_rows(a);
    size_t cap = (size_t)(lines / (uint64_t)threads + lines / 8) + 65536;
    for (int t = 0; t < threads; t++) {
        st[t] = (fast_state){.cx = &cx, .icap = cap, .bcap = cap / 4};
        st[t].items = kt_fp_big_alloc(st[t].icap * sizeof *st[t].items, false);
        st[t].start = kt_fp_big_alloc(st[t].bcap * sizeof *st[t].start, false);
        st[t].start[0] = 0;
        st[t].stamp = kt_xcalloc(groups ? groups : 1, sizeof *st[t].stamp);
        states[t] = &st[t];
    }
    rc = kt_actx_scan_lines(a, threads, fast_lines, states, err);
    bool split = false;
    for (int t = 0; t < threads; t++) split |= st[t].split;
    if (!rc && !split) {
        out->parts = kt_xmalloc((size_t)threads * sizeof *out->parts);
        out->nparts = (size_t)threads;
        out->parts_own = true;
        out->distinct = true;
        for (int t = 0; t < threads; t++) {
            out->parts[t] = (kt_fp_part){st[t].nb, st[t].start, st[t].items};
            out->n += st[t].nb;
            out->lines_scanned += st[t].rows;
            st[t].start = NULL;
            st[t].items = NULL;
        }
        out->item_count = (uint32_t)groups;
        out->labels = kt_xcalloc(groups ? groups : 1, sizeof *out->labels);
        for (size_t g = 0; g < groups; g++) {
            bool used = false;
            for (int t = 0; t < threads && !used; t++) used = st[t].stamp[g] != 0;
            if (!used) continue;
            const char *name = kt_actx_group_name(a, level, (uint32_t)g);
            if (!name) name = "";
            while (is_blank(*name)) name++;
            size_t len = strlen(name);
            while (len && is_blank(name[len - 1])) len--;
            out->labels[g] = kt_xmalloc(len + 1);
            memcpy(out->labels[g], name, len);
            out->labels[g][len] = '\0';
        }
    }
    for (int t = 0; t < threads; t++) { free(st[t].items); free(st[t].start); free(st[t].stamp); }
    free(st);
    free(group_of);
    free((void *)cx.seen);
    if (rc) return rc;
    if (split) {
        rc = from_store_sorted(a, f, level, threads, out, err);
        if (!rc) out->regrouped = true;
    }
    return rc;
}

/* ---- rules ------------------------------------------------------------------------ */
uint32_t kt_assoc_min_count(size_t n, double min_support) {
    double c = ceil((double)n * min_support);
    if (c < 1) c = 1;
    if (c > (double)UINT32_MAX) c = (double)UINT32_MAX;
    return (uint32_t)c;
}

kt_assoc_measures kt_assoc_measure(size_t n, uint32_t count, uint32_t lhs_count, uint32_t rhs_count) {
    kt_assoc_measures m;
    double N = (double)n;
    m.support = (double)count / N;
    m.confidence = lhs_count > 0 ? (double)count / (double)lhs_count : 1.0;
    m.lift = m.confidence * N / (double)rhs_count;
    m.leverage = m.support - ((double)lhs_count / N) * ((double)rhs_count / N);
    m.conviction = (1.0 - (double)rhs_count / N) / (1.0 - m.confidence);
    return m;
}

static uint64_t set_hash(const uint32_t *v, size_t n, uint32_t skip) {
    uint64_t h = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == skip) continue;
        h = (h ^ v[i]) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
    }
    return h;
}

/* Set index of S \ {skip} (or of S) in the table, or SIZE_MAX. */
static size_t set_find(const kt_fp_sets *s, const size_t *table, size_t mask, const uint32_t *v, size_t n,
                       uint32_t skip) {
    size_t want = n - (skip != NONE);
    for (size_t h = set_hash(v, n, skip) & mask;; h = (h + 1) & mask) {
        size_t e = table[h];
        if (e == 0) return SIZE_MAX;
        e--;
        size_t len = (size_t)(s->start[e + 1] - s->start[e]);
        if (len != want) continue;
        const uint32_t *w = s->items + s->start[e];
        size_t i = 0, j = 0;
        for (; i < n; i++) {
            if (v[i] == skip) continue;
            if (w[j] != v[i]) break;
            j++;
        }
        if (i == n) return e;
    }
}

typedef struct order_key {
    double lift, confidence;
    uint32_t count;
    size_t rule;
} order_key;

/* For the comparator (qsort has no context argument). */
static const kt_assoc_result *sort_res;
static const uint32_t *sort_rank;

static int by_rule_order(const void *x, const void *y) {
    const order_key *a = x, *b = y;
    if (a->lift != b->lift) return a->lift > b->lift ? -1 : 1;
    if (a->confidence != b->confidence) return a->confidence > b->confidence ? -1 : 1;
    if (a->count != b->count) return a->count > b->count ? -1 : 1;
    const kt_assoc_result *r = sort_res;
    size_t ia = a->rule, ib = b->rule;
    size_t la = r->lhs_start[ia + 1] - r->lhs_start[ia], lb = r->lhs_start[ib + 1] - r->lhs_start[ib];
    const uint32_t *pa = r->lhs + r->lhs_start[ia], *pb = r->lhs + r->lhs_start[ib];
    for (size_t i = 0; i < la && i < lb; i++)
        if (pa[i] != pb[i]) return sort_rank[pa[i]] < sort_rank[pb[i]] ? -1 : 1;
    if (la != lb) return la < lb ? -1 : 1;
    uint32_t ra = r->rules[ia].rhs, rb = r->rules[ib].rhs;
    return sort_rank[ra] < sort_rank[rb] ? -1 : sort_rank[ra] > sort_rank[rb];
}

static const char *const *label_sort_labels;
static int by_label(const void *x, const void *y) {
    const char *a = label_sort_labels[*(const uint32_t *)x], *b = label_sort_labels[*(const uint32_t *)y];
    return strcmp(a ? a : "", b ? b : "");
}

static const uint32_t *lhs_sort_rank;
static int by_rank(const void *x, const void *y) {
    uint32_t a = lhs_sort_rank[*(const uint32_t *)x], b = lhs_sort_rank[*(const uint32_t *)y];
    return a < b ? -1 : a > b;
}

/* Label order of every item: rank[item]. */
static uint32_t *label_ranks(const kt_assoc_data *d) {
    uint32_t n = d->item_count;
    uint32_t *ids = kt_xmalloc((n ? n : 1) * sizeof *ids), *rank = kt_xmalloc((n ? n : 1) * sizeof *rank);
    for (uint32_t i = 0; i < n; i++) ids[i] = i;
    label_sort_labels = (const char *const *)d->labels;
    qsort(ids, n, sizeof *ids, by_label);
    for (uint32_t i = 0; i < n; i++) rank[ids[i]] = i;
    free(ids);
    return rank;
}

kt_rc kt_assoc_rules(const kt_assoc_data *d, const kt_assoc_opts *o, kt_assoc_result *out, kt_err *err) {
    memset(out, 0, sizeof *out);
    if (!(o->min_support > 0 && o->min_support <= 1))
        return kt_fail(err, KT_EUSAGE, "--min-support", "must be a number above 0 and at most 1");
    if (!(o->min_confidence >= 0 && o->min_confidence <= 1))
        return kt_fail(err, KT_EUSAGE, "--min-confidence", "must be a number from 0 to 1");
    if (o->min_len < 1 || o->min_len > KT_ASSOC_LEN_MAX)
        return kt_fail(err, KT_EUSAGE, "--min-len", "must be from 1 to %d", KT_ASSOC_LEN_MAX);
    if (o->max_len < 1 || o->max_len > KT_ASSOC_LEN_MAX)
        return kt_fail(err, KT_EUSAGE, "--max-len", "must be from 1 to %d", KT_ASSOC_LEN_MAX);
    if (o->min_len > o->max_len) return kt_fail(err, KT_EUSAGE, "--min-len", "must not exceed --max-len");
    uint32_t rhs = NONE;
    if (o->rhs) {
        for (uint32_t i = 0; i < d->item_count && rhs == NONE; i++)
            if (d->labels[i] && strcmp(d->labels[i], o->rhs) == 0) rhs = i;
        if (rhs == NONE) return kt_fail(err, KT_ENOTFOUND, "--rhs", "no item \"%.200s\" in the baskets", o->rhs);
    }
    out->n = d->n;
    out->min_count = kt_assoc_min_count(d->n, o->min_support);
    if (d->n == 0) return KT_OK;
    kt_fp_baskets fb = {d->nparts, d->parts, d->item_count, d->distinct};
    kt_fp_opts fo = {out->min_count, o->max_len, o->threads, KT_ASSOC_SETS_MAX};
    kt_rc rc = kt_fp_mine(&fb, &fo, &out->sets, err);
    if (rc) return rc;
    const kt_fp_sets *s = &out->sets;

    /* Index the sets by their items. */
    size_t slots = 16;
    while (slots < 2 * s->n) slots *= 2;
    size_t *table = kt_xcalloc(slots, sizeof *table), mask = slots - 1;
    for (size_t i = 0; i < s->n; i++) {
        size_t h = set_hash(s->items + s->start[i], (size_t)(s->start[i + 1] - s->start[i]), NONE) & mask;
        while (table[h]) h = (h + 1) & mask;
        table[h] = i + 1;
    }
    size_t cap = 0, lcap = 0, nl = 0;
    for (size_t i = 0; i < s->n; i++) {
        const uint32_t *v = s->items + s->start[i];
        size_t len = (size_t)(s->start[i + 1] - s->start[i]);
        if (len < o->min_len || len > o->max_len) continue;
        for (size_t k = 0; k < len; k++) {
            uint32_t h = v[k];
            if (rhs != NONE && h != rhs) continue;
            uint32_t lhs_count;
            if (len == 1) lhs_count = (uint32_t)d->n;
            else {
                size_t e = set_find(s, table, mask, v, len, h);
                KT_ASSERT(e != SIZE_MAX); /* every subset of a frequent set is frequent */
                lhs_count = s->count[e];
            }
            double conf = lhs_count > 0 ? (double)s->count[i] / (double)lhs_count : 1.0;
            if (conf < o->min_confidence - 1e-12) continue;
            if (out->nrules == cap) {
                cap = cap ? cap * 2 : 1024;
                out->rules = kt_xrealloc(out->rules, cap * sizeof *out->rules);
                out->lhs_start = kt_xrealloc(out->lhs_start, (cap + 1) * sizeof *out->lhs_start);
            }
            if (nl + len > lcap) {
                lcap = lcap ? lcap * 2 : 4096;
                while (lcap < nl + len) lcap *= 2;
                out->lhs = kt_xrealloc(out->lhs, lcap * sizeof *out->lhs);
            }
            out->lhs_start[out->nrules] = nl;
            for (size_t j = 0; j < len; j++)
                if (j != k) out->lhs[nl++] = v[j];
            out->rules[out->nrules++] = (kt_assoc_rule){i, h, s->count[i], lhs_count, s->item_count[h]};
            out->lhs_start[out->nrules] = nl;
        }
    }
    free(table);
    if (!out->lhs_start) { out->lhs_start = kt_xmalloc(sizeof *out->lhs_start); out->lhs_start[0] = 0; }

    /* Each lhs in label order, then the rules in their order. */
    uint32_t *rank = label_ranks(d);
    lhs_sort_rank = rank;
    for (size_t r = 0; r < out->nrules; r++)
        qsort(out->lhs + out->lhs_start[r], out->lhs_start[r + 1] - out->lhs_start[r], sizeof *out->lhs, by_rank);
    order_key *keys = kt_xmalloc((out->nrules ? out->nrules : 1) * sizeof *keys);
    for (size_t r = 0; r < out->nrules; r++) {
        const kt_assoc_rule *x = &out->rules[r];
        kt_assoc_measures m = kt_assoc_measure(d->n, x->count, x->lhs_count, x->rhs_count);
        keys[r] = (order_key){m.lift, m.confidence, x->count, r};
    }
    sort_res = out;
    sort_rank = rank;
    qsort(keys, out->nrules, sizeof *keys, by_rule_order);
    kt_assoc_rule *rules = kt_xmalloc((out->nrules ? out->nrules : 1) * sizeof *rules);
    size_t *starts = kt_xmalloc((out->nrules + 1) * sizeof *starts);
    uint32_t *lhs = kt_xmalloc((nl ? nl : 1) * sizeof *lhs);
    size_t p = 0;
    starts[0] = 0;
    for (size_t r = 0; r < out->nrules; r++) {
        size_t from = keys[r].rule;
        rules[r] = out->rules[from];
        size_t len = out->lhs_start[from + 1] - out->lhs_start[from];
        memcpy(lhs + p, out->lhs + out->lhs_start[from], len * sizeof *lhs);
        p += len;
        starts[r + 1] = p;
    }
    free(out->rules); free(out->lhs_start); free(out->lhs); free(keys); free(rank);
    out->rules = rules;
    out->lhs_start = starts;
    out->lhs = lhs;
    return KT_OK;
}

void kt_assoc_result_free(kt_assoc_result *r) {
    if (!r) return;
    kt_fp_free(&r->sets);
    free(r->rules);
    free(r->lhs);
    free(r->lhs_start);
    memset(r, 0, sizeof *r);
}
