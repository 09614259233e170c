/*
 * history.c - members' purchase histories (history.h): a counting sort of the
 * kept sale lines by member over two parallel scans, then a parallel sort and
 * merge of each member's slice.
 */
#include "analytics/history.h"
#include "core/date.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct build {
    kt_actx *a;
    const kt_afilter *f;
    kt_alevel level;
    uint32_t member_slots, store_slots, sku_slots;
    uint64_t *cursor;          /* pass 2: next free slot per member */
    kt_hevent *ev;
    int64_t *amount;
} build;

typedef struct tstate {
    build *b;
    uint32_t *count;           /* pass 1: kept lines per member */
    uint64_t lines;
} tstate;

/* The test every pass applies to a line; the member index, or 0 to skip. */
static inline uint32_t kept(const build *b, const kt_cols_lines *s, size_t i, uint32_t *item) {
    uint32_t m = s->member[i];
    if (m == 0 || s->qty_milli[i] <= 0) return 0;
    if (!kt_afilter_pass(b->f, kt_actx_index_of(b->store_slots, s->store[i]), s->day[i])) return 0;
    uint32_t g = kt_actx_sku_group(b->a, b->level, kt_actx_index_of(b->sku_slots, s->sku[i]));
    if (g == KT_ACTX_NONE) return 0;
    *item = g;
    return kt_actx_index_of(b->member_slots, m);
}

static void count_lines(void *state, const kt_cols_lines *s, size_t begin, size_t end) {
    tstate *t = state;
    for (size_t i = begin; i < end; i++) {
        uint32_t item, m = kept(t->b, s, i, &item);
        if (m) t->count[m]++;
    }
    t->lines += end - begin;
}

static void place_lines(void *state, const kt_cols_lines *s, size_t begin, size_t end) {
    tstate *t = state;
    build *b = t->b;
    for (size_t i = begin; i < end; i++) {
        uint32_t item, m = kept(b, s, i, &item);
        if (!m) continue;
        uint64_t at = __atomic_fetch_add(&b->cursor[m], 1, __ATOMIC_RELAXED);
        b->ev[at] = (kt_hevent){.day = s->day[i], .receipt = s->receipt[i], .item = item, .minute = s->minute[i]};
        if (b->amount) b->amount[at] = s->amount[i];
    }
}

/* ---- per-member sort and merge ------------------------------------------------- */
static int ev_cmp(const kt_hevent *x, const kt_hevent *y) {
    if (x->day != y->day) return x->day < y->day ? -1 : 1;
    if (x->minute != y->minute) return x->minute < y->minute ? -1 : 1;
    if (x->receipt != y->receipt) return x->receipt < y->receipt ? -1 : 1;
    if (x->item != y->item) return x->item < y->item ? -1 : 1;
    return 0;
}

/* Insertion sort of events (and amounts alongside): members' slices are short. */
static void sort_slice(kt_hevent *ev, int64_t *amount, size_t n) {
    for (size_t i = 1; i < n; i++) {
        kt_hevent e = ev[i];
        int64_t am = amount ? amount[i] : 0;
        size_t j = i;
        while (j > 0 && ev_cmp(&ev[j - 1], &e) > 0) {
            ev[j] = ev[j - 1];
            if (amount) amount[j] = amount[j - 1];
            j--;
        }
        ev[j] = e;
        if (amount) amount[j] = am;
    }
}

typedef struct perm { kt_hevent e; int64_t amount; } perm;
static int perm_cmp(const void *x, const void *y) { return ev_cmp(&((const perm *)x)->e, &((const perm *)y)->e); }

/* Sort a slice and merge equal (receipt, item) events; returns the new length. */
static size_t sort_merge(kt_hevent *ev, int64_t *amount, size_t n) {
    if (n > 64) {
        perm *p = kt_xmalloc(n * sizeof *p);
        for (size_t i = 0; i < n; i++) p[i] = (perm){ev[i], amount ? amount[i] : 0};
        qsort(p, n, sizeof *p, perm_cmp);
        for (size_t i = 0; i < n; i++) {
            ev[i] = p[i].e;
            if (amount) amount[i] = p[i].amount;
        }
        free(p);
    } else {
        sort_slice(ev, amount, n);
    }
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (w > 0 && ev[w - 1].receipt == ev[i].receipt && ev[w - 1].item == ev[i].item) {
            if (amount) amount[w - 1] += amount[i];
            continue;
        }
        ev[w] = ev[i];
        if (amount) amount[w] = amount[i];
        w++;
    }
    return w;
}

#define SORT_CHUNK 4096 /* members a sorting thread takes at a time */

typedef struct sorter {
    kt_history *h;
    uint64_t *len;             /* OUT: merged length per member */
    atomic_size_t next;
} sorter;

static void *sort_work(void *arg) {
    sorter *s = arg;
    kt_history *h = s->h;
    for (;;) {
        size_t c = atomic_fetch_add(&s->next, 1) * SORT_CHUNK;
        if (c >= h->members) break;
        size_t e = c + SORT_CHUNK < h->members ? c + SORT_CHUNK : h->members;
        for (size_t m = c; m < e; m++) {
            uint64_t b = h->start[m];
            s->len[m] = sort_merge(h->ev + b, h->amount ? h->amount + b : NULL, (size_t)(h->start[m + 1] - b));
        }
    }
    return NULL;
}

kt_rc kt_history_build(kt_actx *a, const kt_afilter *f, const kt_history_opts *o, kt_history *out, kt_err *err) {
    memset(out, 0, sizeof *out);
    int threads = o->threads < 1 ? 1 : o->threads > KT_ACTX_THREADS_MAX ? KT_ACTX_THREADS_MAX : o->threads;
    build b = {.a = a, .f = f, .level = o->level,
               .member_slots = kt_actx_op_slots(a, KT_ADIM_MEMBER),
               .store_slots = kt_actx_op_slots(a, KT_ADIM_STORE),
               .sku_slots = kt_actx_op_slots(a, KT_ADIM_SKU)};
    size_t members = kt_actx_count(a, KT_ADIM_MEMBER);
    out->level = o->level;
    out->members = members;
    out->items = kt_actx_group_count(a, o->level);
    out->start = kt_xcalloc(members + 1, sizeof *out->start);
    tstate ts[KT_ACTX_THREADS_MAX];
    void *states[KT_ACTX_THREADS_MAX];
    for (int t = 0; t < threads; t++) {
        ts[t] = (tstate){.b = &b, .count = kt_xcalloc(members ? members : 1, sizeof(uint32_t))};
        states[t] = &ts[t];
    }
    size_t peak = (members + 1) * sizeof *out->start + (size_t)threads * members * sizeof(uint32_t);
    kt_rc rc = kt_actx_scan_lines(a, threads, count_lines, states, err);
    uint64_t total = 0;
    for (size_t m = 0; !rc && m < members; m++) {
        out->start[m] = total;
        for (int t = 0; t < threads; t++) total += ts[t].count[m];
    }
    out->start[members] = total;
    for (int t = 0; t < threads; t++) {
        out->lines_scanned += ts[t].lines;
        free(ts[t].count);
        ts[t].count = NULL;
        ts[t].lines = 0;
    }
    if (!rc && total > KT_HISTORY_EVENTS_MAX)
        rc = kt_fail(err, KT_ENOMEM, "history", "%llu lines to keep, more than %u", (unsigned long long)total,
                     (unsigned)KT_HISTORY_EVENTS_MAX);
    if (rc) { kt_history_free(out); return rc; }

    out->ev = kt_xmalloc((total ? total : 1) * sizeof *out->ev);
    if (o->with_amount) out->amount = kt_xmalloc((total ? total : 1) * sizeof *out->amount);
    b.ev = out->ev;
    b.amount = out->amount;
    b.cursor = kt_xmalloc((members ? members : 1) * sizeof *b.cursor);
    memcpy(b.cursor, out->start, members * sizeof *b.cursor);
    size_t build_bytes = (members + 1) * sizeof *out->start + members * sizeof *b.cursor +
                         total * (sizeof *out->ev + (o->with_amount ? sizeof *out->amount : 0));
    if (build_bytes > peak) peak = build_bytes;
    rc = kt_actx_scan_lines(a, threads, place_lines, states, err);
    for (size_t m = 0; !rc && m < members; m++) KT_ASSERT(b.cursor[m] == out->start[m + 1]); /* both scans agree */
    free(b.cursor);
    if (rc) { kt_history_free(out); return rc; }

    /* sort and merge each slice in parallel, then close the gaps in one pass */
    sorter s = {.h = out, .len = kt_xmalloc((members ? members : 1) * sizeof(uint64_t))};
    atomic_init(&s.next, 0);
    pthread_t tid[KT_ACTX_THREADS_MAX];
    int started = 0;
    for (int t = 1; t < threads; t++)
        if (pthread_create(&tid[started], NULL, sort_work, &s) == 0) started++;
    sort_work(&s);
    for (int t = 0; t < started; t++) pthread_join(tid[t], NULL);
    uint64_t w = 0;
    for (size_t m = 0; m < members; m++) {
        uint64_t b0 = out->start[m], n = s.len[m];
        if (w != b0) {
            memmove(out->ev + w, out->ev + b0, n * sizeof *out->ev);
            if (out->amount) memmove(out->amount + w, out->amount + b0, n * sizeof *out->amount);
        }
        out->start[m] = w;
        if (n) out->active++;
        w += n;
    }
    out->start[members] = w;
    out->nevents = (size_t)w;
    free(s.len);
    out->memory_bytes = peak;
    return KT_OK;
}

void kt_history_free(kt_history *h) {
    if (!h) return;
    free(h->start);
    free(h->ev);
    free(h->amount);
    memset(h, 0, sizeof *h);
}

/* ---- small shared helpers ------------------------------------------------------ */
static int cmp_i32(const void *x, const void *y) {
    int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;
    return (a > b) - (a < b);
}
static int cmp_f64(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}
void kt_hsort_i32(int32_t *v, size_t n) { if (n > 1) qsort(v, n, sizeof *v, cmp_i32); }
void kt_hsort_f64(double *v, size_t n) { if (n > 1) qsort(v, n, sizeof *v, cmp_f64); }

void kt_hsort_u64(uint64_t *v, size_t n) {
    if (n < 2) return;
    if (n < 256) {
        for (size_t i = 1; i < n; i++) {
            uint64_t x = v[i];
            size_t j = i;
            while (j > 0 && v[j - 1] > x) { v[j] = v[j - 1]; j--; }
            v[j] = x;
        }
        return;
    }
    uint64_t *tmp = kt_xmalloc(n * sizeof *tmp), *src = v, *dst = tmp;
    size_t *count = kt_xmalloc(65536 * sizeof *count);
    for (int shift = 0; shift < 64; shift += 16) {
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++) count[(src[i] >> shift) & 0xffff]++;
        if (count[(src[0] >> shift) & 0xffff] == n) continue; /* every key has this digit */
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) { size_t c = count[d]; count[d] = sum; sum += c; }
        for (size_t i = 0; i < n; i++) dst[count[(src[i] >> shift) & 0xffff]++] = src[i];
        uint64_t *t = src; src = dst; dst = t;
    }
    if (src != v) memcpy(v, src, n * sizeof *v);
    free(count);
    free(tmp);
}

double kt_hquantile_f64(const double *x, size_t n, double p) {
    if (n == 0) return NAN;
    double h = (double)(n - 1) * p, fl = floor(h);
    size_t i = (size_t)fl;
    if (i + 1 >= n) return x[n - 1];
    return x[i] + (h - fl) * (x[i + 1] - x[i]);
}

double kt_hquantile_i32(const int32_t *x, size_t n, double p) {
    if (n == 0) return NAN;
    double h = (double)(n - 1) * p, fl = floor(h);
    size_t i = (size_t)fl;
    if (i + 1 >= n) return x[n - 1];
    return (double)x[i] + (h - fl) * ((double)x[i + 1] - (double)x[i]);
}

kt_rc kt_hparse_days(const char *s, const char *option, int64_t min, int64_t max, int64_t *out, kt_err *err) {
    size_t n = strlen(s);
    if (n > 1 && s[n - 1] == 'd') n--;
    int64_t v = 0;
    bool ok = n > 0 && n <= 9;
    for (size_t i = 0; ok && i < n; i++) {
        if (s[i] < '0' || s[i] > '9') ok = false;
        else v = v * 10 + (s[i] - '0');
    }
    if (!ok) return kt_fail(err, KT_EUSAGE, option, "want a number of days (90 or 90d), not \"%.60s\"", s);
    if (v < min || v > max)
        return kt_fail(err, KT_EUSAGE, option, "want %lld to %lld days, not %lld", (long long)min, (long long)max,
                       (long long)v);
    *out = v;
    return KT_OK;
}

kt_day kt_hadd_months(kt_day day, int months) {
    int y, m, d;
    kt_day_to_civil(day, &y, &m, &d);
    int total = y * 12 + (m - 1) + months;
    y = total / 12;
    m = total % 12 + 1;
    int dim = kt_days_in_month(y, m);
    return kt_day_from_civil(y, m, d < dim ? d : dim);
}
