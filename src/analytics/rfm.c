/*
 * rfm.c - A1 RFM (rfm.h): a parallel scan of the receipt header columns into
 * per-member accumulators (one array per thread, merged), then quintile
 * scores and the first matching segment.
 */
#include "analytics/rfm.h"
#include "cols/cols.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const kt_rfm_segment kt_rfm_segments[] = {
    /* name                  R     F     M   (first match wins) */
    {"Champions", 4, 5, 4, 5, 4, 5},
    {"Loyal", 3, 5, 3, 5, 1, 5},
    {"Potential loyalist", 4, 5, 2, 2, 1, 5},
    {"New", 5, 5, 1, 1, 1, 5},
    {"Promising", 4, 4, 1, 1, 1, 5},
    {"Need attention", 3, 3, 2, 2, 1, 5},
    {"About to sleep", 3, 3, 1, 1, 1, 5},
    {"At risk", 2, 2, 2, 5, 1, 5},
    {"Can't lose", 1, 1, 4, 5, 1, 5},
    {"Hibernating", 1, 1, 2, 3, 1, 5},
    {"Lost", 1, 5, 1, 5, 1, 5},
};
const size_t kt_rfm_segment_count = KT_ARRAY_LEN(kt_rfm_segments);

uint8_t kt_rfm_segment_of(uint8_t r, uint8_t f, uint8_t m) {
    for (size_t i = 0; i < kt_rfm_segment_count; i++) {
        const kt_rfm_segment *s = &kt_rfm_segments[i];
        if (r >= s->r_min && r <= s->r_max && f >= s->f_min && f <= s->f_max && m >= s->m_min && m <= s->m_max)
            return (uint8_t)i;
    }
    KT_ASSERT(!"the last segment must hold every score");
    return 0;
}

/* ---- scores -------------------------------------------------------------------- */
typedef struct ranked { int64_t key; size_t idx; } ranked;

static int by_key(const void *a, const void *b) {
    const ranked *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

void kt_rfm_score(const int64_t *values, size_t n, bool higher_is_better, uint8_t *scores) {
    if (!n) return;
    ranked *r = kt_xmalloc(n * sizeof *r);
    for (size_t i = 0; i < n; i++) r[i] = (ranked){higher_is_better ? values[i] : -values[i], i};
    qsort(r, n, sizeof *r, by_key); /* worst first */
    uint8_t score = 1;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || r[i].key != r[i - 1].key) score = (uint8_t)((uint64_t)i * 5 / n + 1);
        scores[r[i].idx] = score;
    }
    free(r);
}

/* ---- scan ------------------------------------------------------------------------ */
typedef struct acc {
    int32_t first, last;       /* sale days */
    uint32_t frequency;
    uint32_t overflow;         /* sticky: money did not fit */
    int64_t monetary, max_receipt;
} acc;

typedef struct batch { size_t seg, start, end; } batch;

typedef struct scan {
    struct kt_cols *c;
    kt_cols_receipts *segs;
    batch *batches;
    size_t nbatches;
    atomic_size_t next;
    uint32_t op_slots;         /* member_op_max + 1 */
    int32_t as_of;             /* INT32_MAX: no cut */
    acc **accs;                /* one array per thread */
    size_t slots;
} scan;

typedef struct worker { scan *s; int index; } worker;

/* The hot loop: one batch of receipt headers into one thread's accumulators. */
static void acc_batch(acc *a, uint32_t op_slots, int32_t as_of, const uint32_t *member, const int32_t *day,
                      const uint8_t *flags, const int64_t *amount, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint32_t m = member[i];
        if (m == 0 || day[i] > as_of) continue;
        acc *x = &a[(m & KT_COLS_FOREIGN) ? op_slots + (m & ~KT_COLS_FOREIGN) : m];
        if (__builtin_add_overflow(x->monetary, amount[i], &x->monetary)) x->overflow = 1;
        if (flags[i] & KT_COLS_RETURN) continue;
        if (x->frequency == 0 || day[i] < x->first) x->first = day[i];
        if (x->frequency == 0 || day[i] > x->last) x->last = day[i];
        if (x->frequency == 0 || amount[i] > x->max_receipt) x->max_receipt = amount[i];
        x->frequency++;
    }
}

static void *work(void *arg) {
    worker *w = arg;
    scan *s = w->s;
    acc *a = s->accs[w->index];
    for (;;) {
        size_t b = atomic_fetch_add(&s->next, 1);
        if (b >= s->nbatches) break;
        const batch *bt = &s->batches[b];
        const kt_cols_receipts *r = &s->segs[bt->seg];
        acc_batch(a, s->op_slots, s->as_of, r->member + bt->start, r->day + bt->start, r->flags + bt->start,
                  r->amount + bt->start, bt->end - bt->start);
    }
    return NULL;
}

static int64_t round_div(int64_t a, int64_t b) {
    int64_t q = a / b, r = a % b;
    if (2 * (r < 0 ? -r : r) >= b) q += a < 0 ? -1 : 1;
    return q;
}

kt_rc kt_rfm_run(struct kt_cols *c, const kt_rfm_opts *o, kt_rfm_result *out, kt_err *err) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    *out = (kt_rfm_result){0};
    int threads = o->threads < 1 ? 1 : o->threads > KT_RFM_THREADS_MAX ? KT_RFM_THREADS_MAX : o->threads;
    size_t nseg = kt_cols_segment_count(c);
    scan s = {.c = c, .op_slots = kt_cols_member_op_max(c) + 1, .as_of = INT32_MAX};
    s.slots = s.op_slots + kt_cols_dict_count(c, KT_DICT_MEMBER);
    s.segs = kt_xcalloc(nseg ? nseg : 1, sizeof *s.segs);
    size_t cap = 0;
    int32_t max_day = INT32_MIN;
    kt_rc rc = KT_OK;
    for (size_t i = 0; i < nseg && !rc; i++) {
        rc = kt_cols_map_receipts(c, i, &s.segs[i], err);
        for (size_t st = 0; !rc && st < s.segs[i].rows; st += KT_COLS_BATCH_ROWS) {
            if (s.nbatches == cap) { cap = cap ? cap * 2 : 64; s.batches = kt_xrealloc(s.batches, cap * sizeof *s.batches); }
            size_t end = st + KT_COLS_BATCH_ROWS < s.segs[i].rows ? st + KT_COLS_BATCH_ROWS : s.segs[i].rows;
            s.batches[s.nbatches++] = (batch){i, st, end};
        }
        if (!rc && o->as_of == KT_DAY_NONE)
            for (size_t k = 0; k < s.segs[i].rows; k++)
                if (s.segs[i].day[k] > max_day) max_day = s.segs[i].day[k];
        if (!rc) out->receipts_scanned += s.segs[i].rows;
    }
    if (o->as_of != KT_DAY_NONE) s.as_of = o->as_of;
    out->as_of = o->as_of != KT_DAY_NONE ? o->as_of : max_day == INT32_MIN ? KT_DAY_NONE : max_day;
    if (rc) goto done;

    s.accs = kt_xcalloc((size_t)threads, sizeof *s.accs);
    for (int t = 0; t < threads; t++) s.accs[t] = kt_xcalloc(s.slots, sizeof(acc));
    out->memory_bytes = (size_t)threads * s.slots * sizeof(acc);
    atomic_init(&s.next, 0);
    pthread_t tid[KT_RFM_THREADS_MAX];
    worker wk[KT_RFM_THREADS_MAX];
    int started = 0;
    for (int t = 1; t < threads; t++) {
        wk[t] = (worker){&s, t};
        if (pthread_create(&tid[t], NULL, work, &wk[t]) == 0) started = t;
        else break; /* the remaining threads' share is taken by the others */
    }
    wk[0] = (worker){&s, 0};
    work(&wk[0]);
    for (int t = 1; t <= started; t++) pthread_join(tid[t], NULL);

    /* merge into thread 0's accumulators */
    acc *a = s.accs[0];
    for (int t = 1; t <= started; t++) {
        const acc *b = s.accs[t];
        for (size_t i = 0; i < s.slots; i++) {
            if (b[i].frequency == 0 && b[i].monetary == 0 && !b[i].overflow) continue;
            acc *x = &a[i];
            if (__builtin_add_overflow(x->monetary, b[i].monetary, &x->monetary)) x->overflow = 1;
            x->overflow |= b[i].overflow;
            if (!b[i].frequency) continue;
            if (!x->frequency || b[i].first < x->first) x->first = b[i].first;
            if (!x->frequency || b[i].last > x->last) x->last = b[i].last;
            if (!x->frequency || b[i].max_receipt > x->max_receipt) x->max_receipt = b[i].max_receipt;
            x->frequency += b[i].frequency;
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < s.slots; i++) {
        if (a[i].overflow) { rc = kt_fail(err, KT_EINVAL, "monetary", "a member's sum of receipts overflows"); goto done; }
        n += a[i].frequency > 0;
    }
    out->rows = kt_xcalloc(n ? n : 1, sizeof *out->rows);
    int64_t *v = kt_xmalloc((n ? n : 1) * sizeof *v);
    uint8_t *sc = kt_xmalloc(n ? n : 1);
    for (size_t i = 0; i < s.slots; i++) {
        if (!a[i].frequency) continue;
        kt_rfm_row *r = &out->rows[out->n++];
        r->member = i < s.op_slots ? (uint32_t)i : KT_COLS_FOREIGN | (uint32_t)(i - s.op_slots);
        r->frequency = a[i].frequency;
        r->monetary = a[i].monetary;
        r->max_receipt = a[i].max_receipt;
        r->avg_receipt = round_div(a[i].monetary, a[i].frequency);
        r->first_day = a[i].first;
        r->last_day = a[i].last;
        r->recency_days = out->as_of - a[i].last;
    }
    for (size_t i = 0; i < n; i++) v[i] = out->rows[i].recency_days;
    kt_rfm_score(v, n, false, sc);
    for (size_t i = 0; i < n; i++) out->rows[i].r = sc[i];
    for (size_t i = 0; i < n; i++) v[i] = out->rows[i].frequency;
    kt_rfm_score(v, n, true, sc);
    for (size_t i = 0; i < n; i++) out->rows[i].f = sc[i];
    for (size_t i = 0; i < n; i++) v[i] = out->rows[i].monetary;
    kt_rfm_score(v, n, true, sc);
    for (size_t i = 0; i < n; i++) {
        kt_rfm_row *r = &out->rows[i];
        r->m = sc[i];
        r->segment = kt_rfm_segment_of(r->r, r->f, r->m);
    }
    free(v);
    free(sc);
done:
    if (s.accs) for (int t = 0; t < threads; t++) free(s.accs[t]);
    free(s.accs);
    free(s.batches);
    free(s.segs);
    if (rc) kt_rfm_free(out);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return rc;
}

void kt_rfm_free(kt_rfm_result *r) {
    free(r->rows);
    r->rows = NULL;
    r->n = 0;
}
