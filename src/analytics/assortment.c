/*
 * assortment.c - A10 assortment roles (assortment.h): one pass over the
 * histories into per-SKU counters, then thresholds and classes.
 */
#include "analytics/assortment.h"
#include "analytics/interval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const kt_assort_class_names[5] = {"core", "hit", "retaining", "niche", "random"};

static int by_class(const void *p, const void *q) {
    const kt_assortment_row *a = p, *b = q;
    if (a->cls != b->cls) return a->cls < b->cls ? -1 : 1;
    if (a->buyers != b->buyers) return a->buyers > b->buyers ? -1 : 1;
    return (a->sku > b->sku) - (a->sku < b->sku);
}

static int by_u32_desc(const void *p, const void *q) {
    uint32_t a = *(const uint32_t *)p, b = *(const uint32_t *)q;
    return (a < b) - (a > b);
}

void kt_assortment_run(const kt_history *h, const kt_assortment_opts *o, kt_assortment_result *out) {
    memset(out, 0, sizeof *out);
    size_t items = h->items ? h->items : 1;
    kt_assortment_row *acc = kt_xcalloc(items, sizeof *acc);
    int64_t cut = (int64_t)o->as_of - o->retain_days;
    uint64_t *days = NULL;
    size_t cap = 0, eligible = 0, retained = 0;
    kt_money spend_all = 0, loyal_all = 0;
    for (size_t m = 1; m < h->members; m++) {
        size_t n = kt_history_len(h, m);
        if (!n) continue;
        const kt_hevent *ev = h->ev + h->start[m];
        const int64_t *am = h->amount + h->start[m];
        uint32_t mdays = 0;
        for (size_t i = 0; i < n; i++) {
            if (i == 0 || ev[i].day != ev[i - 1].day) mdays++;
            if (i == 0 || ev[i].receipt != ev[i - 1].receipt) out->receipts++;
        }
        bool loyal = mdays >= o->loyal_days;
        bool elig = ev[0].day <= cut, kept = elig && ev[n - 1].day > cut;
        eligible += elig;
        retained += kept;
        for (size_t i = 0; i < n; i++) {
            kt_assortment_row *r = &acc[ev[i].item];
            r->receipts++;
            r->spend += am[i];
            spend_all += am[i];
            if (loyal) { r->loyal_spend += am[i]; loyal_all += am[i]; }
        }
        size_t nd = kt_interval_member_days(h, m, &days, &cap), b = 0;
        while (b < nd) {
            uint32_t item = kt_interval_key_item(days[b]);
            size_t e = b;
            while (e < nd && kt_interval_key_item(days[e]) == item) e++;
            kt_assortment_row *r = &acc[item];
            r->buyers++;
            r->repeat_buyers += e - b >= 2;
            if (elig && kt_interval_key_day(days[b]) <= cut) {
                r->early_buyers++;
                r->early_retained += kept;
            }
            b = e;
        }
    }
    free(days);
    out->members = h->active;
    out->retention_all = eligible ? (double)retained / (double)eligible : NAN;
    out->loyal_share_all = spend_all ? (double)loyal_all / (double)spend_all : NAN;
    size_t k = 0;
    for (size_t i = 0; i < h->items; i++) k += acc[i].buyers > 0;
    out->rows = kt_xcalloc(k ? k : 1, sizeof *out->rows);
    uint32_t *b = kt_xmalloc((k ? k : 1) * sizeof *b);
    double *rep = kt_xmalloc((k ? k : 1) * sizeof *rep);
    for (uint32_t i = 0; i < h->items; i++) {
        if (!acc[i].buyers) continue;
        kt_assortment_row *r = &out->rows[out->n];
        *r = acc[i];
        r->sku = i;
        r->member_penetration = (double)r->buyers / (double)out->members;
        r->receipt_penetration = (double)r->receipts / (double)out->receipts;
        r->repeat_rate = (double)r->repeat_buyers / (double)r->buyers;
        r->loyal_share = r->spend ? (double)r->loyal_spend / (double)r->spend : NAN;
        r->retention_lift = r->early_buyers >= o->min_buyers && out->retention_all > 0
                                ? ((double)r->early_retained / r->early_buyers) / out->retention_all
                                : NAN;
        b[out->n] = r->buyers;
        rep[out->n] = r->repeat_rate;
        out->n++;
    }
    if (k) {
        qsort(b, k, sizeof *b, by_u32_desc);
        size_t top = (size_t)ceil(o->top_share * (double)k - 1e-9);
        if (top < 1) top = 1;
        out->top_buyers = b[top - 1];
        kt_hsort_f64(rep, k);
        out->median_repeat = kt_hquantile_f64(rep, k, 0.5);
    }
    for (size_t i = 0; i < out->n; i++) {
        kt_assortment_row *r = &out->rows[i];
        bool top = r->buyers >= out->top_buyers, repeat = r->repeat_rate >= out->median_repeat - 1e-12;
        if (top) r->cls = repeat ? KT_ASSORT_CORE : KT_ASSORT_HIT;
        else if (!isnan(r->retention_lift) && r->retention_lift >= o->retain_lift - 1e-12) r->cls = KT_ASSORT_RETAINING;
        else if (!isnan(r->loyal_share) && r->loyal_share >= out->loyal_share_all - 1e-12 && repeat) r->cls = KT_ASSORT_NICHE;
        else r->cls = KT_ASSORT_RANDOM;
    }
    qsort(out->rows, out->n, sizeof *out->rows, by_class);
    out->memory_bytes = items * sizeof *acc + k * 12 + cap * 8;
    free(b);
    free(rep);
    free(acc);
}

void kt_assortment_free(kt_assortment_result *r) {
    free(r->rows);
    memset(r, 0, sizeof *r);
}
