/*
 * firstexp.c - A9 first experience (firstexp.h): per member the first
 * receipt's items and whether the member came back after M months, counted
 * per item; "without" is the cohort minus "with".
 */
#include "analytics/firstexp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int by_lift(const void *p, const void *q) {
    const kt_firstexp_row *a = p, *b = q;
    if (a->months != b->months) return a->months < b->months ? -1 : 1;
    bool an = isnan(a->lift), bn = isnan(b->lift);
    if (an != bn) return an ? 1 : -1;
    if (!an && a->lift != b->lift) return a->lift > b->lift ? -1 : 1;
    if (a->members_with != b->members_with) return a->members_with > b->members_with ? -1 : 1;
    return (a->item > b->item) - (a->item < b->item);
}

void kt_firstexp_run(const kt_history *h, const kt_firstexp_opts *o, kt_firstexp_result *out) {
    memset(out, 0, sizeof *out);
    size_t items = h->items ? h->items : 1, nm = o->nmonths;
    uint32_t *with = kt_xcalloc(items * nm, sizeof *with), *kept = kt_xcalloc(items * nm, sizeof *kept);
    for (size_t m = 1; m < h->members; m++) {
        size_t n = kt_history_len(h, m);
        if (!n) continue;
        const kt_hevent *ev = h->ev + h->start[m];
        kt_day first = ev[0].day, last = ev[n - 1].day;
        for (size_t k = 0; k < nm; k++) {
            kt_day mark = kt_hadd_months(first, o->months[k]);
            if (mark > o->as_of) continue;
            bool active = last >= mark;
            out->cohort[k]++;
            out->retained[k] += active;
            for (size_t i = 0; i < n && ev[i].receipt == ev[0].receipt; i++) {
                with[k * items + ev[i].item]++;
                kept[k * items + ev[i].item] += active;
            }
        }
    }
    size_t rows = 0;
    for (size_t i = 0; i < items * nm; i++) rows += with[i] >= o->min_members && with[i] > 0;
    out->rows = kt_xcalloc(rows ? rows : 1, sizeof *out->rows);
    for (size_t k = 0; k < nm; k++)
        for (uint32_t it = 0; it < h->items; it++) {
            uint32_t w = with[k * items + it], r = kept[k * items + it];
            if (!w || w < o->min_members) continue;
            kt_firstexp_row *x = &out->rows[out->n++];
            x->months = o->months[k];
            x->item = it;
            x->members_with = w;
            x->retained_with = r;
            x->members_without = out->cohort[k] - w;
            x->retained_without = out->retained[k] - r;
            x->retention_with = (double)r / w;
            x->retention_without = x->members_without ? (double)x->retained_without / x->members_without : NAN;
            x->lift = x->retention_without > 0 ? x->retention_with / x->retention_without : NAN;
        }
    qsort(out->rows, out->n, sizeof *out->rows, by_lift);
    out->memory_bytes = items * nm * 8 + out->n * sizeof *out->rows;
    free(with);
    free(kept);
}

void kt_firstexp_free(kt_firstexp_result *r) {
    free(r->rows);
    memset(r, 0, sizeof *r);
}
