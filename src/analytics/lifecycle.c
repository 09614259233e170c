/*
 * lifecycle.c - A2 lifecycle stages (lifecycle.h): a parallel scan of the
 * receipt headers into per-member accumulators, merged, then the stage rules
 * in their order.
 */
#include "analytics/lifecycle.h"

#include <stdlib.h>

const char *const kt_stage_names[KT_STAGE_COUNT_] = {"regular", "promising", "new", "lapsed"};
const char *const kt_stage_actions[KT_STAGE_COUNT_] = {
    "keep: loyalty perks and personal offers in favourite categories",
    "grow: offers that raise visit frequency and basket size",
    "welcome: onboarding series and an offer for the next purchase",
    "win back: reactivation offer with a deadline",
};

typedef struct acc {
    int32_t first, last;       /* sale days; first == 0 && !sales: none yet */
    uint32_t sales;            /* sale receipts in the filter */
    uint32_t window_receipts;
    uint32_t overflow;
    int64_t window_monetary;
} acc;

typedef struct shared {
    const kt_afilter *filter;
    uint32_t member_slots, store_slots;
    int32_t window_from;       /* first day of the window */
} shared;

typedef struct state { const shared *sh; acc *acc; } state;

static void scan_range(void *arg, const kt_cols_receipts *seg, size_t begin, size_t end) {
    state *st = arg;
    const shared *sh = st->sh;
    for (size_t i = begin; i < end; i++) {
        uint32_t m = seg->member[i];
        int32_t day = seg->day[i];
        if (m == 0 || !kt_afilter_pass(sh->filter, kt_actx_index_of(sh->store_slots, seg->store[i]), day)) continue;
        acc *x = &st->acc[kt_actx_index_of(sh->member_slots, m)];
        bool sale = !(seg->flags[i] & KT_COLS_RETURN);
        if (day >= sh->window_from) {
            if (__builtin_add_overflow(x->window_monetary, seg->amount[i], &x->window_monetary)) x->overflow = 1;
            x->window_receipts += sale;
        }
        if (!sale) continue;
        if (!x->sales || day < x->first) x->first = day;
        if (!x->sales || day > x->last) x->last = day;
        x->sales++;
    }
}

static void merge(acc *a, const acc *b, size_t slots) {
    for (size_t i = 0; i < slots; i++) {
        const acc *y = &b[i];
        if (!y->sales && !y->window_monetary && !y->overflow && !y->window_receipts) continue;
        acc *x = &a[i];
        if (__builtin_add_overflow(x->window_monetary, y->window_monetary, &x->window_monetary)) x->overflow = 1;
        x->overflow |= y->overflow;
        x->window_receipts += y->window_receipts;
        if (!y->sales) continue;
        if (!x->sales || y->first < x->first) x->first = y->first;
        if (!x->sales || y->last > x->last) x->last = y->last;
        x->sales += y->sales;
    }
}

kt_rc kt_lifecycle_run(kt_actx *a, const kt_afilter *f, const kt_lifecycle_opts *o, int threads,
                       kt_lifecycle_result *out, kt_err *err) {
    *out = (kt_lifecycle_result){0};
    threads = threads < 1 ? 1 : threads > KT_ACTX_THREADS_MAX ? KT_ACTX_THREADS_MAX : threads;
    int64_t wf = (int64_t)f->to - o->window_days + 1;
    shared sh = {f, kt_actx_op_slots(a, KT_ADIM_MEMBER), kt_actx_op_slots(a, KT_ADIM_STORE),
                 wf < INT32_MIN ? INT32_MIN : (int32_t)wf};
    size_t slots = kt_actx_count(a, KT_ADIM_MEMBER);
    state st[KT_ACTX_THREADS_MAX];
    void *states[KT_ACTX_THREADS_MAX];
    for (int t = 0; t < threads; t++) {
        st[t] = (state){&sh, kt_xcalloc(slots ? slots : 1, sizeof(acc))};
        states[t] = &st[t];
    }
    out->memory_bytes = (size_t)threads * slots * sizeof(acc);
    kt_rc rc = kt_actx_scan_receipts(a, threads, scan_range, states, err);
    if (rc) goto done;
    acc *x = st[0].acc;
    for (int t = 1; t < threads; t++) merge(x, st[t].acc, slots);
    size_t n = 0;
    for (size_t i = 1; i < slots; i++) {
        if (x[i].overflow) { rc = kt_fail(err, KT_EINVAL, "monetary", "a member's sum of receipts overflows"); goto done; }
        n += x[i].sales > 0;
    }
    out->rows = kt_xcalloc(n ? n : 1, sizeof *out->rows);
    int64_t d = f->to;
    for (size_t i = 1; i < slots; i++) {
        if (!x[i].sales) continue;
        kt_lifecycle_row *r = &out->rows[out->n++];
        *r = (kt_lifecycle_row){(uint32_t)i, KT_STAGE_PROMISING, x[i].window_receipts, x[i].window_monetary,
                                x[i].first, x[i].last};
        if (d - x[i].last >= o->lapsed_days) r->stage = KT_STAGE_LAPSED;
        else if (d - x[i].first < o->new_days) r->stage = KT_STAGE_NEW;
        else if (r->receipts >= o->regular_receipts && r->monetary >= o->regular_budget) r->stage = KT_STAGE_REGULAR;
    }
done:
    for (int t = 0; t < threads; t++) free(st[t].acc);
    if (rc) kt_lifecycle_free(out);
    return rc;
}

void kt_lifecycle_free(kt_lifecycle_result *r) {
    free(r->rows);
    r->rows = NULL;
    r->n = 0;
}
