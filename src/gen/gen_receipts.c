/*
 * gen_receipts.c - receipts and receipt lines of `karta gen`, one day at a
 * time: who comes (rate x weekday x season, churn, new members), where
 * (home store mostly) and when (the store's hour profile, the member's
 * favourite hour); what they buy (repeat cycles of preferred leaves, brand
 * loyalty with switches, Zipf impulse picks, accessories after main items);
 * and returns of earlier sales. See gen_internal.h.
 */
#include "gen_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

/* ---- calendar --------------------------------------------------------------------- */

/* How busy a day is against an ordinary one, percent. */
static unsigned day_pct(kt_day day) {
    int y, m, d;
    kt_day_to_civil(day, &y, &m, &d);
    unsigned p = (unsigned)gen_weekday_pct[kt_day_weekday(day)] * gen_month_pct[m - 1] / 100;
    if (m == 12 && d >= 28) p = p * 140 / 100;        /* New Year shopping */
    if (m == 1 && d == 1) p = p * 40 / 100;
    if (m == 1 && d == 2) p = p * 75 / 100;
    if ((m == 2 && d == 22) || (m == 3 && d == 7)) p = p * 125 / 100; /* gifts for 23 Feb, 8 Mar */
    return p;
}

static int day_month(kt_day day) {
    int y, m, d;
    kt_day_to_civil(day, &y, &m, &d);
    return m;
}

/* ---- receipts ------------------------------------------------------------------------ */

/* Line counts: shifted negative binomial (r = 2) with means near 3, 6 and 11, cut at 40. */
static void build_basket_tables(gen *g) {
    /* the chance that a due preferred leaf is bought, by month: 80% x its season, at most 95% */
    g->leaf_chance = kt_xmalloc(12 * g->nleaves);
    for (int month = 0; month < 12; month++)
        for (size_t leaf = 0; leaf < g->nleaves; leaf++) {
            const gen_group_def *gd = &gen_groups[g->leaves[leaf].group];
            unsigned chance = 80u * gen_season_pct[gd->season][month] / 100;
            g->leaf_chance[(size_t)month * g->nleaves + leaf] = (uint8_t)(chance > 95 ? 95 : chance);
        }
    static const uint32_t q_ppm[3] = {500000, 714286, 833333};
    for (int k = 0; k < 3; k++) {
        uint64_t pw = 1000000000000u, acc = 0;
        for (int i = 0; i < KT_GEN_RECEIPT_LINES_MAX; i++) {
            acc += (uint64_t)(i + 1) * pw / 1000000u;
            g->basket_cum[k][i] = (uint32_t)(acc / 1000u);
            pw = pw * q_ppm[k] / 1000000u;
        }
    }
}

/* The line of a product already in the basket, or -1; g->basket_seen has bit
 * product % 64 set for each product in it, so most absent ones need no scan. */
static int find_line(const gen *g, const gen_line *lines, int n, uint32_t product) {
    if (!(g->basket_seen >> (product & 63) & 1)) return -1;
    for (int i = 0; i < n; i++) if (lines[i].product == product) return i;
    return -1;
}

/* Adds a product, or one more piece of it; returns false when nothing changed. */
static bool add_line(gen *g, gen_line *lines, int *n, uint32_t product) {
    const gen_hot *pr = &g->hot[product];
    const gen_group_def *gd = &gen_groups[g->leaves[pr->leaf].group];
    int at = find_line(g, lines, *n, product);
    if (at >= 0) {
        if (pr->weighed || lines[at].qty >= gd->qty_max) return false;
        lines[at].qty++;
        return true;
    }
    if (*n >= KT_GEN_RECEIPT_LINES_MAX) return false;
    gen_line *l = &lines[(*n)++];
    l->product = product;
    g->basket_seen |= (uint64_t)1 << (product & 63);
    if (pr->weighed) {
        l->qty = (int32_t)range(g, gd->grams_min, gd->grams_max);
    } else {
        unsigned u = (unsigned)below(g, 100);
        l->qty = u < 78 || gd->qty_max < 2 ? 1 : u < 93 || gd->qty_max < 3 ? 2 : (int32_t)range(g, 3, gd->qty_max);
    }
    return true;
}

/* Buys in a preferred leaf: mostly the favourite, sometimes a substitute, now and then a new favourite. */
static void buy_pref(gen *g, gen_member *m, unsigned k, int rel, gen_line *lines, int *n) {
    gen_pref *p = &m->pref[k];
    const gen_leaf *lf = &g->leaves[p->leaf];
    unsigned u = (unsigned)below(g, 100);
    uint32_t idx;
    if (u < 4) { p->fav = (uint16_t)kt_gen_pick_in_leaf(g, p->leaf); idx = p->fav; }
    else if (u < 86) idx = p->fav;
    else idx = kt_gen_pick_in_leaf(g, p->leaf);
    if (idx >= lf->count) idx = 0;
    add_line(g, lines, n, lf->first + idx);
    p->last = (int16_t)rel;
}

static int build_basket(gen *g, gen_member *m, const gen_store_hot *st, int rel, int month, gen_line *lines) {
    int n = 0;
    int target;
    g->basket_seen = 0;
    if (st->partner) target = 1 + (int)below(g, 3);
    else target = 1 + (int)pick_cum(g, g->basket_cum[m->basket], KT_GEN_RECEIPT_LINES_MAX);

    if (!st->partner) {
        if (m->acc_product && rel >= m->acc_due) {
            if (rel <= m->acc_due + 21) add_line(g, lines, &n, m->acc_product - 1);
            m->acc_product = 0;
        }
        for (unsigned k = 0; k < m->npref && n < KT_GEN_RECEIPT_LINES_MAX; k++) {
            gen_pref *p = &m->pref[k];
            if (rel - p->last < p->cycle) continue;
            if (pct(g, g->leaf_chance[(size_t)month * g->nleaves + p->leaf])) buy_pref(g, m, k, rel, lines, &n);
        }
    }
    unsigned wsum = 0;
    for (unsigned k = 0; k < m->npref; k++) wsum += m->pref[k].weight;
    for (int tries = 0; n < target && tries < target * 3; tries++) {
        if (!st->partner && wsum && pct(g, 62)) {
            unsigned u = (unsigned)below(g, wsum), k = 0;
            while (u >= m->pref[k].weight) { u -= m->pref[k].weight; k++; }
            buy_pref(g, m, k, rel, lines, &n);
        } else {
            size_t leaf = 0;
            for (int t = 0; t < 4; t++) {
                leaf = pick_cum(g, g->leaf_cum[month], g->nleaves);
                if (!(m->avoid >> g->leaves[leaf].group & 1)) break;
            }
            add_line(g, lines, &n, g->leaves[leaf].first + kt_gen_pick_in_leaf(g, leaf));
        }
    }

    /* Prices, discounts, and accessories to come back for. */
    for (int i = 0; i < n; i++) {
        gen_line *l = &lines[i];
        const gen_hot *pr = &g->hot[l->product];
        int64_t full = pr->weighed ? ((int64_t)l->qty * pr->price + 500) / 1000 : (int64_t)l->qty * pr->price;
        unsigned off = 0;
        if (pr->promo ? pct(g, 35) : pct(g, 3)) off = pr->promo ? (unsigned)range(g, 2, 6) * 5 : (unsigned)range(g, 1, 3) * 5;
        l->amount = full - full * off / 100;
        if (g->leaves[pr->leaf].is_main) {
            for (size_t k = 0; k < g->npairs; k++) {
                const gen_pair *pp = &g->pairs[k];
                if (pp->main_leaf != pr->leaf || !pct(g, pp->pct)) continue;
                const gen_leaf *acc = &g->leaves[pp->accessory_leaf];
                const char *brand = gen_groups[g->leaves[pr->leaf].group].brands[g->products[l->product].brand];
                uint32_t pick = acc->first + kt_gen_pick_in_leaf(g, pp->accessory_leaf);
                for (uint32_t j = 0; j < acc->count; j++) {
                    const gen_product *ap = &g->products[acc->first + j];
                    if (strcmp(gen_groups[acc->group].brands[ap->brand], brand) == 0) { pick = acc->first + j; break; }
                }
                m->acc_product = pick + 1;
                m->acc_due = (int16_t)(rel + range(g, pp->days_min, pp->days_max));
                break;
            }
        }
    }
    return n;
}

typedef struct gen_day {
    kt_day day;
    int rel, month;
    char date10[10];     /* YYYY-MM-DD */
    char date8[8];       /* YYYYMMDD */
} gen_day;

static char *put_receipt_no(char *p, const gen_day *d, uint32_t seq) {
    p = put_mem(p, d->date8, 8);
    *p++ = '-';
    return put_zpad(p, seq, 6);
}

/* A receipt a shard made, kept for the thread that writes (see kt_gen_receipts). */
typedef struct gen_raw {
    uint32_t member, card;
    uint32_t first_line;
    uint16_t store;
    uint16_t minute;
    uint8_t nlines, is_return;
} gen_raw;

typedef struct gen_sink {
    kt_day day;
    gen_raw *r;
    size_t nr, rcap;
    gen_line *l;
    size_t nl, lcap;
} gen_sink;

static void sink_push(gen_sink *k, kt_day day, int minute, uint16_t store, uint32_t member, uint32_t card,
                      bool is_return, const gen_line *lines, int n) {
    if (k->nr == k->rcap) {
        k->rcap = k->rcap ? k->rcap * 2 : 4096;
        k->r = kt_xrealloc(k->r, k->rcap * sizeof *k->r);
    }
    if (k->nl + (size_t)n > k->lcap) {
        while (k->nl + (size_t)n > k->lcap) k->lcap = k->lcap ? k->lcap * 2 : 32768;
        k->l = kt_xrealloc(k->l, k->lcap * sizeof *k->l);
    }
    k->day = day;
    k->r[k->nr++] = (gen_raw){member, card, (uint32_t)k->nl, store, (uint16_t)minute, (uint8_t)n, is_return};
    memcpy(k->l + k->nl, lines, (size_t)n * sizeof *lines);
    k->nl += (size_t)n;
}

static void emit_receipt(gen *g, const gen_day *d, const gen_store *st, uint32_t seq, int64_t utc, uint32_t member,
                         uint32_t card, bool is_return, const gen_return *ret, const gen_line *lines, int n) {
    g->receipts_done++;
    g->lines_done += (uint64_t)n;
    if (g->sink) {
        uint16_t store = (uint16_t)(st - g->stores);
        int sec = (int)((utc + g->store_hot[store].offset_min * 60) % 86400);
        sink_push(g->sink, d->day, sec / 60, store, member, card, is_return, lines, n);
        return;
    }
    if (g->direct) {
        int sec = (int)((utc + st->offset_min * 60) % 86400);
        kt_gen_direct_receipt(g, d->day, sec / 60, (uint16_t)(st - g->stores), member, card, is_return, lines, n);
        return;
    }
    gen_out *orc = &g->out[KT_GEN_RECEIPTS], *oln = &g->out[KT_GEN_RECEIPT_LINES];
    char prefix[64];
    char *e = put_receipt_no(prefix, d, seq);
    *e++ = ',';
    e = put_mem(e, st->code, st->code_len);
    *e++ = ',';
    size_t plen = (size_t)(e - prefix);

    int64_t total = 0;
    for (int i = 0; i < n; i++) total += lines[i].amount;

    int sec = (int)((utc + st->offset_min * 60) % 86400);
    char *p = row_begin(g, orc);
    p = put_mem(p, prefix, plen);
    p = put_mem(p, d->date10, 10);
    *p++ = 'T';
    p = put_2(p, (unsigned)(sec / 3600));
    *p++ = ':';
    p = put_2(p, (unsigned)(sec / 60 % 60));
    *p++ = ':';
    p = put_2(p, (unsigned)(sec % 60));
    p = put_mem(p, st->offset_str, 6);
    *p++ = ',';
    if (card) p = put_card(p, card - 1);
    *p++ = ',';
    if (is_return) {
        p = put_s(p, "return,");
        gen_day sd;
        char *x = put_day(sd.date10, ret->sale_day);
        KT_ASSERT(x - sd.date10 == 10);
        memcpy(sd.date8, sd.date10, 4);
        memcpy(sd.date8 + 4, sd.date10 + 5, 2);
        memcpy(sd.date8 + 6, sd.date10 + 8, 2);
        p = put_receipt_no(p, &sd, ret->sale_seq);
    } else {
        p = put_s(p, "sale,");
    }
    *p++ = ',';
    p = put_money(p, total);
    *p++ = '\n';
    row_end(orc, p);

    for (int i = 0; i < n; i++) {
        const gen_line *l = &lines[i];
        const gen_product *pr = &g->products[l->product];
        p = row_begin(g, oln);
        p = put_mem(p, prefix, plen);
        p = put_u64(p, (uint64_t)i + 1);
        *p++ = ',';
        p = put_mem(p, pr->code, 7);
        *p++ = ',';
        if (pr->weighed) {
            p = put_u64(p, (uint64_t)l->qty / 1000);
            *p++ = '.';
            *p++ = (char)('0' + l->qty / 100 % 10);
            p = put_2(p, (unsigned)(l->qty % 100));
        } else {
            p = put_u64(p, (uint64_t)l->qty);
        }
        *p++ = ',';
        p = put_mem(p, pr->price_str, pr->price_len);
        *p++ = ',';
        p = put_money(p, l->amount);
        *p++ = '\n';
        row_end(oln, p);
    }
}

/* Keep the sale's lines for a return some days later (all of a small receipt, or one or two lines). */
static void schedule_return(gen *g, const gen_day *d, uint32_t member, uint32_t card, uint16_t store,
                            uint32_t seq, const gen_line *lines, int n) {
    int32_t due = d->rel + 1 + (int32_t)below(g, 7);
    due += (int32_t)below(g, GEN_RETURN_DELAY_MAX - 7);
    if (due >= (int32_t)g->opt->days) return;
    gen_return_bucket *b = &g->ring[due % GEN_RETURN_RING];
    if (b->len == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->v = kt_xrealloc(b->v, b->cap * sizeof *b->v);
    }
    gen_return *r = &b->v[b->len++];
    r->due = due;
    r->member = member;
    r->card = card;
    r->store = store;
    r->sale_day = d->day;
    r->sale_seq = seq;
    r->nlines = 0;
    if (n <= 6 && pct(g, 45)) {
        for (int i = 0; i < n; i++) r->lines[r->nlines++] = lines[i];
        return;
    }
    int want = n >= 3 && pct(g, 40) ? 2 : 1;
    int first = (int)below(g, (uint64_t)n);
    for (int k = 0; k < want; k++) {
        const gen_line *l = &lines[(first + k) % n];
        gen_line *rl = &r->lines[r->nlines++];
        *rl = *l;
        if (!g->hot[l->product].weighed && l->qty > 1) {
            int32_t q = (int32_t)range(g, 1, l->qty);
            rl->qty = q;
            rl->amount = l->amount * q / l->qty; /* floor: never more than q x price */
        }
    }
}

static int cmp_visit(const void *a, const void *b) {
    const gen_visit *x = a, *y = b;
    if (x->utc != y->utc) return x->utc < y->utc ? -1 : 1;
    if (x->store != y->store) return x->store < y->store ? -1 : 1;
    if (x->member != y->member) return x->member < y->member ? -1 : 1;
    return x->ret < y->ret ? -1 : x->ret > y->ret;
}

static void push_visit(gen *g, gen_visit v) {
    if (g->nvisits == g->visits_cap) {
        g->visits_cap = g->visits_cap ? g->visits_cap * 2 : 1024;
        g->visits = kt_xrealloc(g->visits, g->visits_cap * sizeof *g->visits);
    }
    g->visits[g->nvisits++] = v;
}

static int64_t visit_time(gen *g, const gen_day *d, const gen_store_hot *st, int pref_hour) {
    const uint32_t *cum = g->hour_cum[st->profile];
    int hour = -1;
    if (pref_hour >= 0 && pct(g, 40)) {
        int h = pref_hour - 1 + (int)below(g, 3);
        uint32_t w = cum[h] - (h ? cum[h - 1] : 0);
        if (w) hour = h;
    }
    if (hour < 0) hour = (int)pick_cum(g, cum, 24);
    int sec = hour * 3600 + (int)below(g, 3600);
    return (int64_t)d->day * 86400 + sec - (int64_t)st->offset_min * 60;
}

static uint32_t card_on(const gen_member *m, int rel) {
    for (int k = m->ncards - 1; k >= 0; k--)
        if (m->card_rel[k] <= rel) return m->card_first + (uint32_t)k + 1;
    return m->card_first + 1;
}

static void simulate_day(gen *g, int rel) {
    const kt_gen_options *opt = g->opt;
    gen_day d;
    d.day = opt->start + rel;
    d.rel = rel;
    d.month = day_month(d.day) - 1;
    put_day(d.date10, d.day);
    memcpy(d.date8, d.date10, 4);
    memcpy(d.date8 + 4, d.date10 + 5, 2);
    memcpy(d.date8 + 6, d.date10 + 8, 2);
    unsigned busy = day_pct(d.day);

    g->nvisits = 0;
    unsigned lapse_pct = 100u - 70u * (unsigned)rel / opt->days;
    for (uint32_t i = g->mlo; i < g->mhi; i++) {
        const gen_pulse *pu = &g->pulse[i];
        if (rel < pu->active_from) continue;
        bool first_visit = pu->is_new && rel == pu->active_from;
        if (!first_visit) {
            /* p is parts per million; 4295 scales it to 2^32 (2^32 / 10^6 = 4294.97). */
            uint64_t p = (uint64_t)pu->visit_ppm * busy / 100;
            if (pu->lapsing) p = p * lapse_pct / 100;
            if (rel >= pu->churn_at) p /= 25;
            if ((kt_rng_next(&g->rng) >> 32) >= p * 4295u) continue;
        }
        uint16_t store = pu->home;
        unsigned u = (unsigned)below(g, 100);
        if (first_visit) store = pu->home;
        else if (u >= 85 && u < 93) store = pu->second;
        else if (u >= 93 && u < 96 && pu->partner != GEN_NONE16) store = pu->partner;
        else if (u >= 96) store = g->own_stores[below(g, g->nown)];
        int64_t utc = visit_time(g, &d, &g->store_hot[store], pu->pref_hour);
        bool nocard = ppm(g, GEN_NOCARD_PPM);
        gen_visit v = {.utc = utc, .member = i, .ret = 0, .store = store, .nocard = nocard};
        push_visit(g, v);
    }
    gen_return_bucket *today = &g->ring[rel % GEN_RETURN_RING];
    for (size_t k = 0; k < today->len; k++) {
        const gen_return *r = &today->v[k];
        KT_ASSERT(r->due == rel);
        gen_visit v = {.utc = visit_time(g, &d, &g->store_hot[r->store], -1), .member = r->member,
                       .ret = (uint32_t)k + 1, .store = r->store, .nocard = r->card == 0};
        push_visit(g, v);
    }
    /* In time order; a shard keeps member order (its receipts are not in time
     * order within a day, and the members' records are read in memory order). */
    if (g->nvisits && !g->sink) qsort(g->visits, g->nvisits, sizeof *g->visits, cmp_visit);

    memset(g->store_seq, 0, opt->stores * sizeof *g->store_seq);
    gen_line lines[KT_GEN_RECEIPT_LINES_MAX];
    for (size_t k = 0; k < g->nvisits && g->rc == KT_OK; k++) {
        const gen_visit *v = &g->visits[k];
        if (k + 8 < g->nvisits) { /* members come in time order, not memory order */
            const char *ahead = (const char *)&g->members[g->visits[k + 8].member];
            __builtin_prefetch(ahead);
            __builtin_prefetch(ahead + 64);
            __builtin_prefetch(ahead + 128);
        }
        const gen_store *st = &g->stores[v->store];
        uint32_t seq = ++g->store_seq[v->store];
        if (v->ret) {
            const gen_return *r = &today->v[v->ret - 1];
            emit_receipt(g, &d, st, seq, v->utc, r->member, r->card, true, r, r->lines, r->nlines);
            g->report.returns++;
            if (!r->card) g->report.receipts_without_card++;
            continue;
        }
        gen_member *m = &g->members[v->member];
        int n = build_basket(g, m, &g->store_hot[v->store], rel, d.month, lines);
        if (n == 0) { g->store_seq[v->store]--; continue; }
        uint32_t card = v->nocard ? 0 : card_on(m, rel);
        emit_receipt(g, &d, st, seq, v->utc, v->member, card, false, NULL, lines, n);
        if (!card) g->report.receipts_without_card++;
        if (ppm(g, GEN_RETURN_PPM)) schedule_return(g, &d, v->member, card, v->store, seq, lines, n);
    }
    today->len = 0;
}

/* ---- shards: days of member ranges generated in parallel -------------------------------- */

/* Each shard is a copy of the generator over its own range of members, with
 * its own random stream, visits, pending returns and receipt numbers; the
 * catalogue and the members' records are shared (a member belongs to one
 * shard). A shard may run GEN_SINK_DAYS - 1 days ahead of the writer: it
 * fills sink[day % GEN_SINK_DAYS] while the calling thread hands an earlier
 * day's receipts of every shard, in shard order, to the columnar writer (ids
 * are resolved there, in one order, so the output depends on the shard count
 * only). Four days rather than two: the shards and the writer share the cores
 * and seldom finish a day together (a tenth of the month: receipts 56 -> 52 s). */
/* Days a shard may run ahead of the writer (buffers per shard). */
#define GEN_SINK_DAYS 4

typedef struct shard {
    gen g;
    gen_sink sink[GEN_SINK_DAYS];
    uint32_t done;        /* days generated */
    pthread_t thread;
    struct shards *all;
} shard;

typedef struct shards {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint32_t written;     /* days handed to the writer */
    bool stop;
    shard *v;
    unsigned n;
} shards;

static void *shard_run(void *arg) {
    shard *sh = arg;
    shards *all = sh->all;
    for (uint32_t rel = 0; rel < sh->g.opt->days; rel++) {
        pthread_mutex_lock(&all->mu);
        while (!all->stop && rel >= all->written + GEN_SINK_DAYS) pthread_cond_wait(&all->cv, &all->mu);
        bool stop = all->stop;
        pthread_mutex_unlock(&all->mu);
        if (stop) break;
        gen_sink *k = &sh->sink[rel % GEN_SINK_DAYS];
        k->nr = k->nl = 0;
        sh->g.sink = k;
        simulate_day(&sh->g, (int)rel);
        pthread_mutex_lock(&all->mu);
        sh->done = rel + 1;
        pthread_cond_broadcast(&all->cv);
        pthread_mutex_unlock(&all->mu);
    }
    return NULL;
}

static void receipts_sharded(gen *g, unsigned n, struct timespec t0) {
    const kt_gen_options *opt = g->opt;
    shards all = {.n = n};
    pthread_mutex_init(&all.mu, NULL);
    pthread_cond_init(&all.cv, NULL);
    all.v = kt_xcalloc(n, sizeof *all.v);
    uint64_t base = kt_rng_next(&g->rng);
    for (unsigned s = 0; s < n; s++) {
        shard *sh = &all.v[s];
        sh->all = &all;
        sh->g = *g;
        gen *sg = &sh->g;
        kt_rng_seed(&sg->rng, base + 0x9e3779b97f4a7c15ull * (s + 1));
        sg->mlo = (uint32_t)((uint64_t)opt->members * s / n);
        sg->mhi = (uint32_t)((uint64_t)opt->members * (s + 1) / n);
        memset(sg->ring, 0, sizeof sg->ring);
        sg->visits = NULL;
        sg->nvisits = sg->visits_cap = 0;
        sg->store_seq = kt_xcalloc(opt->stores, sizeof *sg->store_seq);
        sg->report = (kt_gen_report){0};
        sg->receipts_done = sg->lines_done = 0;
        sg->direct = NULL;
    }
    unsigned started = 0;
    for (; started < n; started++)
        if (pthread_create(&all.v[started].thread, NULL, shard_run, &all.v[started])) break;
    if (started < n) {
        g->rc = kt_fail(g->err, KT_ENOMEM, "threads", "cannot start thread %u of %u", started + 1, n);
        pthread_mutex_lock(&all.mu);
        all.stop = true;
        pthread_cond_broadcast(&all.cv);
        pthread_mutex_unlock(&all.mu);
    }
    for (uint32_t rel = 0; rel < opt->days && g->rc == KT_OK; rel++) {
        pthread_mutex_lock(&all.mu);
        for (unsigned s = 0; s < n; s++)
            while (all.v[s].done <= rel) pthread_cond_wait(&all.cv, &all.mu);
        pthread_mutex_unlock(&all.mu);
        for (unsigned s = 0; s < n && g->rc == KT_OK; s++) {
            const gen_sink *k = &all.v[s].sink[rel % GEN_SINK_DAYS];
            for (size_t i = 0; i < k->nr && g->rc == KT_OK; i++) {
                const gen_raw *r = &k->r[i];
                kt_gen_direct_receipt(g, k->day, r->minute, r->store, r->member, r->card, r->is_return,
                                      k->l + r->first_line, r->nlines);
                g->receipts_done++;
                g->lines_done += r->nlines;
            }
        }
        pthread_mutex_lock(&all.mu);
        all.written = rel + 1;
        if (g->rc) all.stop = true;
        pthread_cond_broadcast(&all.cv);
        pthread_mutex_unlock(&all.mu);
        if (opt->progress) {
            struct timespec t1;
            clock_gettime(CLOCK_MONOTONIC, &t1);
            double sec = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
            opt->progress(opt->progress_ctx, rel + 1, opt->days, g->receipts_done, g->lines_done, sec);
        }
    }
    if (g->rc) {
        pthread_mutex_lock(&all.mu);
        all.stop = true;
        pthread_cond_broadcast(&all.cv);
        pthread_mutex_unlock(&all.mu);
    }
    for (unsigned s = 0; s < started; s++) pthread_join(all.v[s].thread, NULL);
    for (unsigned s = 0; s < n; s++) {
        shard *sh = &all.v[s];
        g->report.returns += sh->g.report.returns;
        g->report.receipts_without_card += sh->g.report.receipts_without_card;
        for (int k = 0; k < GEN_RETURN_RING; k++) free(sh->g.ring[k].v);
        free(sh->g.visits);
        free(sh->g.store_seq);
        for (int k = 0; k < GEN_SINK_DAYS; k++) {
            free(sh->sink[k].r);
            free(sh->sink[k].l);
        }
    }
    free(all.v);
    pthread_mutex_destroy(&all.mu);
    pthread_cond_destroy(&all.cv);
}

void kt_gen_receipts(gen *g) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    build_basket_tables(g);
    g->mlo = 0;
    g->mhi = g->opt->members;
    unsigned threads = g->opt->threads;
    if (g->direct && threads > 1) {
        receipts_sharded(g, threads < g->opt->members ? threads : g->opt->members, t0);
        return;
    }
    for (uint32_t rel = 0; rel < g->opt->days && g->rc == KT_OK; rel++) {
        simulate_day(g, (int)rel);
        if (g->opt->progress) {
            clock_gettime(CLOCK_MONOTONIC, &t1);
            double sec = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
            g->opt->progress(g->opt->progress_ctx, rel + 1, g->opt->days, g->receipts_done, g->lines_done, sec);
        }
    }
}
