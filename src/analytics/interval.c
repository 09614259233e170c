/*
 * interval.c - A7 repeat-purchase intervals (interval.h): each member's
 * distinct (item, day) purchases, their consecutive differences into one
 * array keyed by item, a radix sort, then counts, means and quantiles.
 */
#include "analytics/interval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

size_t kt_interval_member_days(const kt_history *h, size_t member, uint64_t **scratch, size_t *cap) {
    size_t n = kt_history_len(h, member);
    const kt_hevent *ev = h->ev + h->start[member];
    if (n > *cap) {
        *cap = n * 2;
        *scratch = kt_xrealloc(*scratch, *cap * sizeof **scratch);
    }
    uint64_t *k = *scratch;
    for (size_t i = 0; i < n; i++) k[i] = (uint64_t)ev[i].item << 32 | ((uint32_t)ev[i].day ^ 0x80000000u);
    kt_hsort_u64(k, n);
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (w == 0 || k[w - 1] != k[i]) k[w++] = k[i];
    return w;
}

static int by_buyers(const void *x, const void *y) {
    const kt_interval_row *a = x, *b = y;
    if (a->buyers != b->buyers) return a->buyers > b->buyers ? -1 : 1;
    return (a->item > b->item) - (a->item < b->item);
}

void kt_interval_run(const kt_history *h, kt_interval_result *out) {
    memset(out, 0, sizeof *out);
    uint32_t *buyers = kt_xcalloc(h->items ? h->items : 1, sizeof *buyers);
    uint32_t *repeat = kt_xcalloc(h->items ? h->items : 1, sizeof *repeat);
    uint64_t *scratch = NULL, *gaps = NULL;
    size_t cap = 0, ngaps = 0, gcap = 0, peak = 0;
    for (size_t m = 1; m < h->members; m++) {
        size_t n = kt_interval_member_days(h, m, &scratch, &cap);
        for (size_t i = 0; i < n; i++) {
            uint32_t item = kt_interval_key_item(scratch[i]);
            bool same = i > 0 && kt_interval_key_item(scratch[i - 1]) == item;
            if (!same) { buyers[item]++; continue; }
            if (i < 2 || kt_interval_key_item(scratch[i - 2]) != item) repeat[item]++;
            if (ngaps == gcap) {
                gcap = gcap ? gcap * 2 : 1024;
                gaps = kt_xrealloc(gaps, gcap * sizeof *gaps);
            }
            uint32_t gap = (uint32_t)(kt_interval_key_day(scratch[i]) - kt_interval_key_day(scratch[i - 1]));
            gaps[ngaps++] = (uint64_t)item << 32 | gap;
        }
    }
    peak = cap * sizeof *scratch + gcap * sizeof *gaps * 2;
    free(scratch);
    kt_hsort_u64(gaps, ngaps);
    size_t rows = 0;
    for (size_t i = 0; i < h->items; i++) rows += buyers[i] > 0;
    out->rows = kt_xcalloc(rows ? rows : 1, sizeof *out->rows);
    int32_t *vals = NULL;
    size_t vcap = 0, g = 0;
    for (uint32_t item = 0; item < h->items; item++) {
        if (!buyers[item]) continue;
        kt_interval_row *r = &out->rows[out->n++];
        r->item = item;
        r->buyers = buyers[item];
        r->repeat_buyers = repeat[item];
        r->repeat_share = (double)repeat[item] / (double)buyers[item];
        size_t b = g;
        while (g < ngaps && (uint32_t)(gaps[g] >> 32) == item) g++;
        size_t k = g - b;
        r->intervals = k;
        if (k > vcap) { vcap = k; vals = kt_xrealloc(vals, vcap * sizeof *vals); }
        int64_t sum = 0;
        for (size_t i = 0; i < k; i++) { vals[i] = (int32_t)(uint32_t)gaps[b + i]; sum += vals[i]; }
        /* hundredths rounded half up, exactly, from the integer sum */
        r->mean_days = k ? (double)((sum * 200 / (int64_t)k + 1) / 2) / 100.0 : NAN;
        r->median_days = kt_hquantile_i32(vals, k, 0.5);
        r->q1_days = kt_hquantile_i32(vals, k, 0.25);
        r->q3_days = kt_hquantile_i32(vals, k, 0.75);
    }
    free(vals);
    free(gaps);
    free(buyers);
    free(repeat);
    qsort(out->rows, out->n, sizeof *out->rows, by_buyers);
    out->memory_bytes = peak + h->items * 8 + out->n * sizeof *out->rows;
}

void kt_interval_free(kt_interval_result *r) {
    free(r->rows);
    memset(r, 0, sizeof *r);
}
