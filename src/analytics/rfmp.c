/*
 * rfmp.c - A6 member x product (rfmp.h): two passes over every history for
 * the loyal buyers' intervals (count, then fill and sort per item), then one
 * member at a time on request.
 */
#include "analytics/rfmp.h"
#include "analytics/interval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct kt_rfmp {
    const kt_history *h;
    kt_rfmp_opts o;
    uint32_t *sgroup;         /* substitute group per item, KT_ACTX_NONE */
    double *loyal;            /* loyal interval per item (NaN: none) */
    uint64_t *days;           /* scratch: the member's (item, day) keys */
    size_t days_cap;
    uint64_t *subs;           /* scratch: the member's (group, day) keys */
    size_t subs_cap;
    kt_rfmp_row *rows;
    size_t rows_cap;
    size_t memory_bytes;
};

static uint32_t top_of(kt_actx *a, uint32_t cat) {
    for (int guard = 0; cat != KT_ACTX_NONE && guard < 64; guard++) {
        uint32_t p = kt_actx_category_parent(a, cat);
        if (p == KT_ACTX_NONE) return cat;
        cat = p;
    }
    return cat;
}

kt_rc kt_rfmp_prepare(kt_actx *a, const kt_history *h, const kt_rfmp_opts *o, kt_rfmp **out, kt_err *err) {
    if (h->level != KT_ALEVEL_SKU && h->level != KT_ALEVEL_CATEGORY)
        return kt_fail(err, KT_EUSAGE, "--of", "want sku or category");
    if (h->level == KT_ALEVEL_CATEGORY && o->substitutes == KT_RFMP_SUB_BRAND)
        return kt_fail(err, KT_EUSAGE, "--substitutes", "a category has no brand: want category, top or none with --of category");
    kt_rfmp *p = kt_xcalloc(1, sizeof *p);
    p->h = h;
    p->o = *o;
    size_t items = h->items ? h->items : 1;
    p->sgroup = kt_xmalloc(items * sizeof *p->sgroup);
    for (uint32_t i = 0; i < items; i++) {
        uint32_t g = KT_ACTX_NONE;
        if (i < h->items && o->substitutes != KT_RFMP_SUB_NONE) {
            if (h->level == KT_ALEVEL_SKU) {
                if (o->substitutes == KT_RFMP_SUB_BRAND) g = kt_actx_sku_group(a, KT_ALEVEL_BRAND, i);
                else {
                    g = kt_actx_sku_group(a, KT_ALEVEL_CATEGORY, i);
                    if (o->substitutes == KT_RFMP_SUB_TOP && g != KT_ACTX_NONE) g = top_of(a, g);
                }
            } else {
                g = o->substitutes == KT_RFMP_SUB_TOP ? top_of(a, i) : kt_actx_category_parent(a, i);
            }
        }
        p->sgroup[i] = g;
    }
    /* loyal buyers' own intervals: count per item, then fill, then median */
    uint64_t *off = kt_xcalloc(items + 1, sizeof *off);
    for (int round = 0; round < 2; round++) {
        double *vals = round ? kt_xmalloc((off[items] ? off[items] : 1) * sizeof *vals) : NULL;
        uint64_t *fill = round ? kt_xmalloc(items * sizeof *fill) : NULL;
        if (round) memcpy(fill, off, items * sizeof *fill);
        for (size_t m = 1; m < h->members; m++) {
            size_t n = kt_interval_member_days(h, m, &p->days, &p->days_cap), b = 0;
            while (b < n) {
                uint32_t item = kt_interval_key_item(p->days[b]);
                size_t e = b;
                while (e < n && kt_interval_key_item(p->days[e]) == item) e++;
                if (e - b >= o->loyal_days) {
                    if (!round) off[item + 1]++;
                    else vals[fill[item]++] = (double)(kt_interval_key_day(p->days[e - 1]) - kt_interval_key_day(p->days[b])) / (double)(e - b - 1);
                }
                b = e;
            }
        }
        if (!round) {
            for (size_t i = 0; i < items; i++) off[i + 1] += off[i];
            continue;
        }
        p->loyal = kt_xmalloc(items * sizeof *p->loyal);
        for (size_t i = 0; i < items; i++) {
            kt_hsort_f64(vals + off[i], (size_t)(off[i + 1] - off[i]));
            p->loyal[i] = kt_hquantile_f64(vals + off[i], (size_t)(off[i + 1] - off[i]), 0.5);
        }
        p->memory_bytes = items * (8 + 8 + 4 + 8) + off[items] * 8;
        free(vals);
        free(fill);
    }
    free(off);
    *out = p;
    return KT_OK;
}

const kt_rfmp_row *kt_rfmp_member(kt_rfmp *p, size_t member, size_t *nrows) {
    const kt_history *h = p->h;
    *nrows = 0;
    if (member == 0 || member >= h->members) return p->rows;
    size_t n = kt_interval_member_days(h, member, &p->days, &p->days_cap);
    if (n > p->subs_cap) {
        p->subs_cap = n * 2;
        p->subs = kt_xrealloc(p->subs, p->subs_cap * sizeof *p->subs);
    }
    if (n > p->rows_cap) {
        p->rows_cap = n;
        p->rows = kt_xrealloc(p->rows, p->rows_cap * sizeof *p->rows);
    }
    /* the member's (substitute group, day) purchases, sorted */
    size_t ns = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t item = kt_interval_key_item(p->days[i]), g = p->sgroup[item];
        if (g == KT_ACTX_NONE) continue;
        p->subs[ns++] = (uint64_t)g << 32 | (uint32_t)p->days[i];
    }
    kt_hsort_u64(p->subs, ns);
    size_t b = 0;
    while (b < n) {
        uint32_t item = kt_interval_key_item(p->days[b]);
        size_t e = b;
        while (e < n && kt_interval_key_item(p->days[e]) == item) e++;
        kt_rfmp_row *r = &p->rows[(*nrows)++];
        r->item = item;
        r->days_bought = (uint32_t)(e - b);
        r->first = kt_interval_key_day(p->days[b]);
        r->last = kt_interval_key_day(p->days[e - 1]);
        r->days_since_last = p->o.as_of - r->last;
        r->own_interval = e - b >= 2 ? (double)(r->last - r->first) / (double)(e - b - 1) : NAN;
        r->loyal_interval = p->loyal[item];
        r->expected = e - b >= 2 ? r->own_interval : r->loyal_interval;
        r->lapsed = !isnan(r->expected) && r->expected > 0 && (double)r->days_since_last > p->o.factor * r->expected;
        uint32_t g = p->sgroup[item];
        if (g == KT_ACTX_NONE) {
            r->substitute_days = -1;
        } else {
            /* days after last with a purchase in the group: a day counts if any
             * entry of that day in the group is another item. The group's days
             * of this item itself are at most `last`, so any entry after last
             * is another item. */
            int32_t count = 0;
            uint64_t lo = (uint64_t)g << 32 | ((uint32_t)r->last ^ 0x80000000u);
            size_t i = 0, hi = ns; /* the first entry above lo */
            while (i < hi) {
                size_t mid = i + (hi - i) / 2;
                if (p->subs[mid] <= lo) i = mid + 1;
                else hi = mid;
            }
            uint64_t prev = 0;
            for (; i < ns && (uint32_t)(p->subs[i] >> 32) == g; i++) {
                if (p->subs[i] != prev) count++;
                prev = p->subs[i];
            }
            r->substitute_days = count;
        }
        b = e;
    }
    return p->rows;
}

size_t kt_rfmp_memory(const kt_rfmp *p) {
    return p->memory_bytes + p->days_cap * 8 + p->subs_cap * 8 + p->rows_cap * sizeof(kt_rfmp_row);
}

void kt_rfmp_free(kt_rfmp *p) {
    if (!p) return;
    free(p->sgroup);
    free(p->loyal);
    free(p->days);
    free(p->subs);
    free(p->rows);
    free(p);
}
