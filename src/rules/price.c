/*
 * price.c - kt_rules_price: a basket, what is known of the member and the
 * moment, and the member's offers -> per line the money offers take off, the
 * points that pay for it, the points it earns and the rules and offers behind
 * them. See rules.h for the contract and docs/rules.md for the semantics.
 *
 * The order of work: basket-level conditions once (a bitmap of live rules);
 * per line its exclusions and the bitmap of rules that match it (id-table
 * lookups); money offers; redemption; earning (to a millionth of a point);
 * rounding per line or per receipt; daily limits; totals and the slip.
 * Reads only the compiled rule set, allocates nothing, compares no strings;
 * its scratch lives on the stack (about 90 KB).
 */
#include "rules/rules_int.h"

#include "core/date.h"

#include <string.h>

#define MICRO KT_RULES_MICRO
#define LINE_PC_MAX (KT_RULES_MAX + KT_OFFERS_MAX) /* contributions one line can have before rounding */
#define SORT_MAX (KT_BASKET_LINES_MAX > LINE_PC_MAX ? KT_BASKET_LINES_MAX : LINE_PC_MAX)

/* A points contribution on one line before rounding. */
typedef struct pc {
    int16_t src;                  /* rule index, or -1 - offer index */
    int8_t fk;                    /* funder kind */
    int64_t fid;                  /* funder id */
    int64_t micro;                /* exact points in millionths */
} pc;

typedef struct scratch {
    uint64_t mask[KT_BASKET_LINES_MAX * KT_MASK_WORDS]; /* rules matching each line */
    uint8_t ex[KT_BASKET_LINES_MAX];                    /* exclusion bits of each line */
    uint64_t offers[KT_BASKET_LINES_MAX];               /* offers targeting each line (bit = offer index) */
    int64_t a[SORT_MAX], b[SORT_MAX], c[SORT_MAX], d[SORT_MAX];
    uint16_t idx[SORT_MAX];
    struct { int16_t rule, line; } fixed[KT_RULES_MAX]; /* fixed-points rules granted, on which line */
    int nfixed;
    int16_t offer_line[KT_OFFERS_MAX];                  /* OVER_SPEND offers granted: their line, else -1 */
    kt_points allowance[KT_RULES_MAX];                  /* points left under each rule's daily limit */
    pc pcs[LINE_PC_MAX];
} scratch;
_Static_assert(sizeof(scratch) < 96 * 1024, "rules.h promises about 90 KB of stack");

typedef struct basket {
    const kt_ruleset *rs;
    const kt_price_ctx *ctx;
    const kt_line *lines;
    size_t n;
    kt_line_result *lo;
    kt_price_result *out;
    kt_err *err;
    scratch *s;
    kt_money total;
    int tier;
    int birthday;                 /* -1: not worked out yet */
    int weekday;                  /* 0 = Monday */
    bool earning;                 /* the receipt reaches the program's minimum */
    uint64_t act[KT_MASK_WORDS];  /* rules whose basket-level conditions hold */
    bool need[KT_KIND_COUNT_];    /* id tables this basket must read */
} basket;

static kt_rc overflow(basket *bk, const char *field) {
    return kt_fail(bk->err, KT_EINVAL, field, "the basket's arithmetic overflows");
}

/* ---- small helpers -------------------------------------------------------------- */

static bool has_id(const int64_t *v, size_t n, int64_t id) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && v[lo] == id;
}

static const kt_id_entry *lookup(const kt_id_table *t, int64_t id) {
    if (!t->cap || id <= 0) return NULL;
    size_t h = (size_t)(((uint64_t)id * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & (t->cap - 1);
    while (t->e[h].id != 0) {
        if (t->e[h].id == id) return &t->e[h];
        h = (h + 1) & (t->cap - 1);
    }
    return NULL;
}

static int first_bit(const uint64_t *m, const uint64_t *g, int words) {
    for (int w = 0; w < words; w++) {
        uint64_t x = m[w] & g[w];
        if (x) return w * 64 + __builtin_ctzll(x);
    }
    return -1;
}

static bool in_path(const kt_line *l, int64_t id) {
    if (id <= 0) return false;
    for (int k = 0; k < KT_CATEGORY_DEPTH_MAX && l->category_path[k]; k++)
        if (l->category_path[k] == id) return true;
    return false;
}

/* i comes before j: larger k1, then larger k2, then the earlier item. */
static bool before(const int64_t *k1, const int64_t *k2, uint16_t i, uint16_t j) {
    if (k1[i] != k1[j]) return k1[i] > k1[j];
    if (k2 && k2[i] != k2[j]) return k2[i] > k2[j];
    return i < j;
}

static void sift(uint16_t *idx, size_t root, size_t end, const int64_t *k1, const int64_t *k2) {
    for (;;) {
        size_t c = 2 * root + 1;
        if (c >= end) return;
        if (c + 1 < end && before(k1, k2, idx[c], idx[c + 1])) c++;
        if (!before(k1, k2, idx[root], idx[c])) return;
        uint16_t t = idx[root];
        idx[root] = idx[c];
        idx[c] = t;
        root = c;
    }
}

/* Sort item indexes into "before" order without allocating: insertion sort
 * for the usual few items, heap sort (n log n) for large receipts. */
static void sort_idx(uint16_t *idx, size_t n, const int64_t *k1, const int64_t *k2) {
    if (n < 2) return;
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            uint16_t x = idx[i];
            size_t j = i;
            for (; j > 0 && before(k1, k2, x, idx[j - 1]); j--) idx[j] = idx[j - 1];
            idx[j] = x;
        }
        return;
    }
    for (size_t i = n / 2; i-- > 0;) sift(idx, i, n, k1, k2);
    for (size_t end = n - 1; end > 0; end--) {
        uint16_t t = idx[0];
        idx[0] = idx[end];
        idx[end] = t;
        sift(idx, 0, end, k1, k2);
    }
}

/* Split total over n items in proportion to w (>= 0, sum > 0), never giving
 * an item more than cap (sum of caps >= total): the floor of each exact
 * share, then one more each by largest remainder (ties: larger weight, then
 * the earlier item), then what is left in that order up to the caps. rem and
 * idx are scratch of n entries. */
static void apportion(int64_t total, const int64_t *w, const int64_t *cap, size_t n, int64_t *out, int64_t *rem,
                      uint16_t *idx) {
    __int128 sum = 0;
    for (size_t i = 0; i < n; i++) sum += w[i];
    int64_t given = 0;
    for (size_t i = 0; i < n; i++) {
        __int128 x = (__int128)total * w[i];
        out[i] = (int64_t)(x / sum);
        rem[i] = (int64_t)(x % sum);
        KT_ASSERT(out[i] <= cap[i]);
        given += out[i];
        idx[i] = (uint16_t)i;
    }
    int64_t left = total - given;
    if (left == 0) return;
    sort_idx(idx, n, rem, w);
    for (size_t k = 0; k < n && left > 0; k++)
        if (out[idx[k]] < cap[idx[k]]) {
            out[idx[k]]++;
            left--;
        }
    for (size_t k = 0; k < n && left > 0; k++) {
        int64_t room = cap[idx[k]] - out[idx[k]];
        int64_t g = room < left ? room : left;
        out[idx[k]] += g;
        left -= g;
    }
    KT_ASSERT(left == 0);
}

/* x / MICRO rounded as the program says (x >= 0). */
static int64_t round_micro(int64_t x, uint8_t mode) {
    int64_t q = x / MICRO, r = x % MICRO;
    if (mode == KT_ROUND_HALF_UP) return q + (r >= MICRO / 2);
    if (mode == KT_ROUND_CEIL) return q + (r != 0);
    return q;
}

/* Integer points for items of exact values x (millionths, >= 0) summing to
 * target: each gets its floor, and the rest go one each to the items with a
 * fraction, the largest items first (ties: the earlier). */
static void distribute(const int64_t *x, size_t n, int64_t target, int64_t *out, uint16_t *idx) {
    int64_t sum = 0;
    size_t nf = 0;
    for (size_t i = 0; i < n; i++) {
        out[i] = x[i] / MICRO;
        sum += out[i];
        if (x[i] % MICRO) idx[nf++] = (uint16_t)i;
    }
    int64_t left = target - sum;
    KT_ASSERT(left >= 0 && (size_t)left <= nf);
    if (left == 0) return;
    if ((size_t)left == nf) {
        for (size_t k = 0; k < nf; k++) out[idx[k]]++;
    } else if (left <= 2) { /* the usual case: pick the largest once or twice */
        for (int64_t k = 0; k < left; k++) {
            size_t best = (size_t)k;
            for (size_t j = (size_t)k + 1; j < nf; j++)
                if (before(x, NULL, idx[j], idx[best])) best = j;
            uint16_t t = idx[k];
            idx[k] = idx[best];
            idx[best] = t;
            out[idx[k]]++;
        }
    } else {
        sort_idx(idx, nf, x, NULL);
        for (int64_t k = 0; k < left; k++) out[idx[k]]++;
    }
}

/* a * b / c in millionths, rounded up when up; false on overflow. */
static bool muldiv(int64_t a, int64_t b, int64_t c, bool up, int64_t *out) {
    int64_t ab;
    if (kt_mul_i64(a, b, &ab)) {
        int64_t q = ab / c;
        if (up && q * c != ab) q++;
        *out = q;
        return true;
    }
    __int128 x = (__int128)a * b, q = x / c;
    if (up && q * c != x) q++;
    if (q > INT64_MAX) return false;
    *out = (int64_t)q;
    return true;
}

/* ---- basket-level conditions ------------------------------------------------------ */

static bool birthday_window(const kt_rules_settings *s, kt_day day, kt_day birth) {
    if (birth == KT_DAY_NONE) return false;
    int by, bm, bd, y, m, d;
    kt_day_to_civil(birth, &by, &bm, &bd);
    kt_day_to_civil(day, &y, &m, &d);
    for (int yy = y - 1; yy <= y + 1; yy++) {
        int mm = bm, dd = bd;
        if (bm == 2 && bd == 29 && !kt_is_leap(yy)) {
            if (s->feb29_mar1) mm = 3, dd = 1;
            else dd = 28;
        }
        int64_t b = kt_day_from_civil(yy, mm, dd);
        if ((int64_t)day >= b - s->birthday_before && (int64_t)day <= b + s->birthday_after) return true;
    }
    return false;
}

static bool basket_match(basket *bk, const kt_rule *r) {
    const kt_price_ctx *ctx = bk->ctx;
    if (r->identified >= 0 && ctx->identified != (r->identified == 1)) return false;
    switch (r->partner_mode) {
    case KT_PS_PARTNER: if (ctx->partner_id == 0) return false; break;
    case KT_PS_OWN: if (ctx->partner_id != 0) return false; break;
    case KT_PS_LIST: if (!has_id(r->partners, r->npartners, ctx->partner_id)) return false; break;
    default: break;
    }
    if (r->nstores && !has_id(r->stores, r->nstores, ctx->store_id)) return false;
    if (r->tier >= 0 && bk->tier != r->tier) return false;
    if (r->tier_min >= 0 && bk->tier < r->tier_min) return false;
    if (r->weekdays && !(r->weekdays & (1u << bk->weekday))) return false;
    if (r->hours_from >= 0) {
        int m = ctx->minute_of_day;
        bool in = r->hours_from < r->hours_to ? (m >= r->hours_from && m < r->hours_to)
                                              : (m >= r->hours_from || m < r->hours_to);
        if (!in) return false;
    }
    if (r->date_from != KT_DAY_NONE && ctx->day < r->date_from) return false;
    if (r->date_to != KT_DAY_NONE && ctx->day > r->date_to) return false;
    if (r->min_receipt_minor > 0 && bk->total < r->min_receipt_minor) return false;
    if (r->birthday >= 0) {
        if (bk->birthday < 0) bk->birthday = birthday_window(&bk->rs->set, ctx->day, ctx->birth_day);
        if (bk->birthday != r->birthday) return false;
    }
    return true;
}

static bool offer_targets(const kt_offer *o, const kt_line *l) {
    switch (o->target) {
    case KT_TARGET_ANY: return true;
    case KT_TARGET_SKU: return l->product_id == o->target_id;
    case KT_TARGET_CATEGORY: return in_path(l, o->target_id);
    case KT_TARGET_BRAND: return l->brand_id == o->target_id;
    }
    return false;
}

/* ---- per line: exclusions and matching rules ---------------------------------------- */

static void or_row(uint64_t *hit, const kt_ruleset *rs, const kt_id_entry *e) {
    if (!e || e->mask < 0) return;
    const uint64_t *row = rs->masks + (size_t)e->mask * KT_MASK_WORDS;
    for (int w = 0; w < rs->nwords; w++) hit[w] |= row[w];
}

static void match_line(basket *bk, size_t i) {
    const kt_ruleset *rs = bk->rs;
    const kt_line *l = &bk->lines[i];
    const int W = rs->nwords;
    uint64_t hit[KT_KIND_COUNT_][KT_MASK_WORDS];
    memset(hit, 0, sizeof hit);
    unsigned ex = (l->alcohol ? rs->set.alcohol_excl : 0u) | (l->tobacco ? rs->set.tobacco_excl : 0u);
    const kt_id_entry *e;
    if (bk->need[KT_KIND_SKU] && (e = lookup(&rs->tab[KT_KIND_SKU], l->product_id))) {
        ex |= e->excl;
        or_row(hit[KT_KIND_SKU], rs, e);
    }
    bool fav = false;
    for (int k = 0; k < KT_CATEGORY_DEPTH_MAX && l->category_path[k]; k++) {
        int64_t c = l->category_path[k];
        if (c == bk->ctx->favourite_category_id) fav = true;
        if (bk->need[KT_KIND_CATEGORY] && (e = lookup(&rs->tab[KT_KIND_CATEGORY], c))) {
            ex |= e->excl;
            or_row(hit[KT_KIND_CATEGORY], rs, e);
        }
    }
    if (bk->need[KT_KIND_BRAND]) or_row(hit[KT_KIND_BRAND], rs, lookup(&rs->tab[KT_KIND_BRAND], l->brand_id));
    if (bk->need[KT_KIND_SUPPLIER]) or_row(hit[KT_KIND_SUPPLIER], rs, lookup(&rs->tab[KT_KIND_SUPPLIER], l->supplier_id));
    if (bk->ctx->favourite_category_id <= 0) fav = false;
    uint64_t targeted = 0;
    for (size_t k = 0; k < bk->ctx->noffers; k++)
        if (offer_targets(&bk->ctx->offers[k], l)) targeted |= UINT64_C(1) << k;
    bk->s->offers[i] = targeted;
    uint64_t *m = &bk->s->mask[i * KT_MASK_WORDS];
    bool earns = bk->earning && !(ex & KT_EX_EARN);
    for (int w = 0; w < W; w++) {
        uint64_t x = bk->act[w];
        for (int k = 0; k < KT_KIND_COUNT_; k++) x &= rs->m_no_list[k][w] | hit[k][w];
        x &= rs->m_fav_none[w] | (fav ? rs->m_fav_true[w] : rs->m_fav_false[w]);
        m[w] = earns ? x : 0;
    }
    bk->s->ex[i] = (uint8_t)ex;
}

/* ---- offers ---------------------------------------------------------------------------- */

static kt_rc check_offers(const kt_price_ctx *ctx, kt_err *err) {
    if (ctx->noffers > KT_OFFERS_MAX) return kt_fail(err, KT_EINVAL, "offers", "more than %d offers", KT_OFFERS_MAX);
    if (ctx->noffers && !ctx->offers) return kt_fail(err, KT_EINVAL, "offers", "no offers array");
    for (size_t k = 0; k < ctx->noffers; k++) {
        const kt_offer *o = &ctx->offers[k];
        char f[48];
        const char *why = NULL;
        const char *key = "value";
        int64_t v = o->value;
        switch ((int)o->kind) {
        case KT_OFFER_PERCENT_OFF: if (v < 0 || v > 10000) why = "a percent off is 0..10000 basis points"; break;
        case KT_OFFER_AMOUNT_OFF: if (v < 0) why = "money off is not negative"; break;
        case KT_OFFER_POINTS_MULTIPLIER: if (v < 100 || v > 100000) why = "a multiplier is 100..100000 percent"; break;
        case KT_OFFER_POINTS_OVER_SPEND:
            if (v < 0 || v > 1000000000) why = "points are 0..1000000000";
            else if (o->threshold_minor < 0) key = "threshold_minor", why = "a threshold is not negative";
            break;
        default: key = "kind", why = "unknown offer kind"; break;
        }
        if (!why && ((int)o->target < (int)KT_TARGET_ANY || (int)o->target > (int)KT_TARGET_BRAND)) key = "target", why = "unknown target";
        if (!why && o->target != KT_TARGET_ANY && o->target_id <= 0) key = "target_id", why = "a target needs its id";
        if (!why && (o->funder_kind < 0 || o->funder_kind > 2)) key = "funder_kind", why = "0 program, 1 supplier, 2 partner";
        if (why) {
            snprintf(f, sizeof f, "offers[%zu].%s", k, key);
            return kt_fail(err, KT_EINVAL, f, "%s", why);
        }
    }
    return KT_OK;
}

/* Record a contribution on a line. When the line's explanation is full, the
 * contribution joins one with the same funder (so funding stays exact, while
 * the per-rule and per-offer totals stay exact in kt_price_result). */
static kt_rc contrib_push(basket *bk, size_t i, int src, kt_points pts, kt_money disc, int64_t fk, int64_t fid) {
    kt_line_result *lr = &bk->lo[i];
    if (lr->ncontribs < KT_LINE_CONTRIBS_MAX) {
        lr->contribs[lr->ncontribs++] = (kt_contrib){.rule = (int16_t)src, .points = pts, .funder_kind = (int8_t)fk,
                                                      .funder_id = fid, .discount_minor = disc};
        return KT_OK;
    }
    for (int k = 0; k < lr->ncontribs; k++) {
        kt_contrib *c = &lr->contribs[k];
        if (c->funder_kind == fk && c->funder_id == fid) {
            c->points += pts;
            c->discount_minor += disc;
            return KT_OK;
        }
    }
    for (int a = 0; a < lr->ncontribs; a++)
        for (int b = a + 1; b < lr->ncontribs; b++)
            if (lr->contribs[a].funder_kind == lr->contribs[b].funder_kind && lr->contribs[a].funder_id == lr->contribs[b].funder_id) {
                lr->contribs[a].points += lr->contribs[b].points;
                lr->contribs[a].discount_minor += lr->contribs[b].discount_minor;
                memmove(&lr->contribs[b], &lr->contribs[b + 1], (size_t)(lr->ncontribs - b - 1) * sizeof lr->contribs[0]);
                lr->ncontribs--;
                return contrib_push(bk, i, src, pts, disc, fk, fid);
            }
    char f[32];
    snprintf(f, sizeof f, "lines[%zu]", i);
    return kt_fail(bk->err, KT_EINVAL, f, "more than %d funders credited on one line", KT_LINE_CONTRIBS_MAX);
}

/* PERCENT_OFF and AMOUNT_OFF, in the order of the offers; each works on what
 * is left to pay after the ones before it. Excluded lines are not discounted. */
static kt_rc money_offers(basket *bk) {
    const kt_price_ctx *ctx = bk->ctx;
    scratch *s = bk->s;
    for (size_t k = 0; k < ctx->noffers; k++) {
        const kt_offer *o = &ctx->offers[k];
        if (o->kind != KT_OFFER_PERCENT_OFF && o->kind != KT_OFFER_AMOUNT_OFF) continue;
        int64_t sum = 0;
        for (size_t i = 0; i < bk->n; i++) {
            bool t = !bk->lo[i].excluded && (s->offers[i] >> k & 1);
            s->a[i] = t ? bk->lines[i].amount_minor - bk->lo[i].offer_discount_minor : 0;
            s->b[i] = 0;
            if (o->kind == KT_OFFER_PERCENT_OFF && s->a[i] > 0)
                s->b[i] = (int64_t)((__int128)s->a[i] * o->value / 10000);
            sum += s->a[i];
        }
        if (o->kind == KT_OFFER_AMOUNT_OFF && sum > 0)
            apportion(o->value < sum ? o->value : sum, s->a, s->a, bk->n, s->b, s->c, s->idx);
        for (size_t i = 0; i < bk->n; i++) {
            if (s->b[i] == 0) continue;
            bk->lo[i].offer_discount_minor += s->b[i];
            bk->out->offer_discount_by_offer[k] += s->b[i];
            kt_rc rc = contrib_push(bk, i, -1 - (int)k, 0, s->b[i], o->funder_kind, o->funder_id);
            if (rc) return rc;
        }
    }
    return KT_OK;
}

/* ---- redemption -------------------------------------------------------------------------- */

static void redeem_points(basket *bk, kt_points redeem) {
    const kt_rules_settings *set = &bk->rs->set;
    const int64_t pv = set->program.point_value_minor;
    scratch *s = bk->s;
    int64_t money = 0, capsum = 0;
    for (size_t i = 0; i < bk->n; i++) {
        s->a[i] = (s->ex[i] & KT_EX_REDEEM) ? 0 : bk->lines[i].amount_minor - bk->lo[i].offer_discount_minor;
        s->b[i] = s->a[i] / pv;
        money += s->a[i];
        capsum += s->b[i];
    }
    kt_points redeemable = 0;
    bool allowed = (bk->ctx->partner_id == 0 || set->redeem_at_partners) && bk->total >= set->redeem_min_receipt_minor;
    if (allowed && money > 0) {
        int64_t by_cap = (int64_t)((__int128)set->cap_share_bp * money / 10000 / pv);
        redeemable = bk->ctx->available_points > 0 ? bk->ctx->available_points : 0;
        if (redeemable > by_cap) redeemable = by_cap;
        if (redeemable > capsum) redeemable = capsum;
    }
    kt_points redeemed = redeem < 0 || redeem > redeemable ? redeemable : redeem;
    if (redeemed > 0) apportion(redeemed, s->a, s->b, bk->n, s->c, s->d, s->idx);
    for (size_t i = 0; i < bk->n; i++) {
        kt_line_result *lr = &bk->lo[i];
        lr->redeemed = redeemed > 0 ? s->c[i] : 0;
        lr->points_discount_minor = lr->redeemed * pv; /* <= the line's money */
        lr->to_pay_minor = bk->lines[i].amount_minor - lr->offer_discount_minor - lr->points_discount_minor;
        KT_ASSERT(lr->to_pay_minor >= 0);
        bk->out->points_discount_minor += lr->points_discount_minor;
        bk->out->to_pay_minor += lr->to_pay_minor;
        bk->out->offer_discount_minor += lr->offer_discount_minor;
    }
    bk->out->redeemable = redeemable;
    bk->out->redeemed = redeemed;
}

/* ---- earning ------------------------------------------------------------------------------ */

static bool line_earns(const basket *bk, size_t i) { return bk->earning && !(bk->s->ex[i] & KT_EX_EARN); }

static void rule_funder(const kt_rule *r, const kt_line *l, const kt_price_ctx *ctx, int8_t *fk, int64_t *fid) {
    *fk = 0;
    *fid = 0;
    switch (r->funder) {
    case KT_FUND_LINE_SUPPLIER: if (l->supplier_id) *fk = 1, *fid = l->supplier_id; break;
    case KT_FUND_STORE_PARTNER: if (ctx->partner_id) *fk = 2, *fid = ctx->partner_id; break;
    case KT_FUND_SUPPLIER: *fk = 1, *fid = r->funder_id; break;
    case KT_FUND_PARTNER: *fk = 2, *fid = r->funder_id; break;
    default: break;
    }
}

/* A rate rule's exact points on a line, in millionths. */
static bool rate_micro(const kt_rule *r, const kt_line *l, int64_t money, bool up, int64_t *out) {
    if (r->per_amount_minor) return muldiv(r->points * MICRO, money, r->per_amount_minor, up, out);
    return muldiv(r->points_per_unit * (MICRO / 1000), l->qty_milli, 1, false, out);
}

typedef struct pcs {
    pc *v;
    size_t n;
    int64_t sum;
    bool overflow;
} pcs;

static void pc_add(pcs *p, int src, int8_t fk, int64_t fid, int64_t micro) {
    if (!kt_add_i64(p->sum, micro, &p->sum)) p->overflow = true;
    p->v[p->n++] = (pc){(int16_t)src, fk, fid, micro};
}

static void rule_pc(pcs *p, const basket *bk, const kt_rule *r, size_t i, int64_t micro) {
    int8_t fk;
    int64_t fid;
    rule_funder(r, &bk->lines[i], bk->ctx, &fk, &fid);
    pc_add(p, r->index, fk, fid, micro);
}

/* Every points contribution of line i before rounding, in explanation order:
 * the base (the winning replace rate rule), multipliers of the base (the
 * winning replace multiplier, add multipliers, offers), add rate rules, fixed
 * points granted on this line, OVER_SPEND offers granted on this line. */
static void line_pcs(const basket *bk, size_t i, pcs *p) {
    const kt_ruleset *rs = bk->rs;
    const kt_line *l = &bk->lines[i];
    const uint64_t *m = &bk->s->mask[i * KT_MASK_WORDS];
    const int W = rs->nwords;
    const bool up = rs->set.rounding == KT_ROUND_CEIL;
    p->n = 0;
    p->sum = 0;
    p->overflow = false;
    if (!line_earns(bk, i)) return;
    int64_t money = rs->set.earn_on_paid ? bk->lo[i].to_pay_minor : l->amount_minor, v = 0;
    int64_t base = 0;
    int win = first_bit(m, rs->m_rate_replace, W);
    if (win >= 0) {
        const kt_rule *r = &rs->rules[rs->slot_rule[win]];
        if (!rate_micro(r, l, money, up, &base)) p->overflow = true;
        rule_pc(p, bk, r, i, base);
    }
    if (base > 0) {
        int mw = first_bit(m, rs->m_mult_replace, W);
        if (mw >= 0) {
            const kt_rule *r = &rs->rules[rs->slot_rule[mw]];
            if (!muldiv(base, r->multiplier_pct - 100, 100, up, &v)) p->overflow = true;
            rule_pc(p, bk, r, i, v);
        }
        for (int w = 0; w < W; w++)
            for (uint64_t x = m[w] & rs->m_mult_add[w]; x; x &= x - 1) {
                const kt_rule *r = &rs->rules[rs->slot_rule[w * 64 + __builtin_ctzll(x)]];
                if (!muldiv(base, r->multiplier_pct - 100, 100, up, &v)) p->overflow = true;
                rule_pc(p, bk, r, i, v);
            }
        for (size_t k = 0; k < bk->ctx->noffers; k++) {
            const kt_offer *o = &bk->ctx->offers[k];
            if (o->kind != KT_OFFER_POINTS_MULTIPLIER || !(bk->s->offers[i] >> k & 1)) continue;
            if (!muldiv(base, o->value - 100, 100, up, &v)) p->overflow = true;
            pc_add(p, -1 - (int)k, (int8_t)o->funder_kind, o->funder_id, v);
        }
    }
    for (int w = 0; w < W; w++)
        for (uint64_t x = m[w] & rs->m_rate_add[w]; x; x &= x - 1) {
            const kt_rule *r = &rs->rules[rs->slot_rule[w * 64 + __builtin_ctzll(x)]];
            if (!rate_micro(r, l, money, up, &v)) p->overflow = true;
            rule_pc(p, bk, r, i, v);
        }
    for (int k = 0; k < bk->s->nfixed; k++) {
        if ((size_t)bk->s->fixed[k].line != i) continue;
        const kt_rule *r = &rs->rules[bk->s->fixed[k].rule];
        rule_pc(p, bk, r, i, r->fixed_points * MICRO);
    }
    for (size_t k = 0; k < bk->ctx->noffers; k++)
        if ((size_t)bk->s->offer_line[k] == i) {
            const kt_offer *o = &bk->ctx->offers[k];
            pc_add(p, -1 - (int)k, (int8_t)o->funder_kind, o->funder_id, o->value * MICRO);
        }
}

/* Fixed-points rules and OVER_SPEND offers are once per receipt: decide which
 * apply and the line each lands on (the first line that qualifies). */
static void receipt_grants(basket *bk) {
    const kt_ruleset *rs = bk->rs;
    scratch *s = bk->s;
    const int W = rs->nwords;
    s->nfixed = 0;
    if (rs->any_fixed) {
        uint64_t any[KT_MASK_WORDS] = {0}, granted[KT_MASK_WORDS] = {0};
        for (size_t i = 0; i < bk->n; i++)
            for (int w = 0; w < W; w++) any[w] |= s->mask[i * KT_MASK_WORDS + w];
        int win = first_bit(any, rs->m_fixed_replace, W);
        for (int w = 0; w < W; w++) granted[w] = any[w] & rs->m_fixed_add[w];
        if (win >= 0) granted[win >> 6] |= UINT64_C(1) << (win & 63);
        for (int w = 0; w < W; w++)
            for (uint64_t x = granted[w]; x; x &= x - 1) {
                int slot = w * 64 + __builtin_ctzll(x);
                size_t i = 0;
                while (!(s->mask[i * KT_MASK_WORDS + w] & (UINT64_C(1) << (slot & 63)))) i++;
                s->fixed[s->nfixed].rule = (int16_t)rs->slot_rule[slot];
                s->fixed[s->nfixed].line = (int16_t)i;
                s->nfixed++;
            }
    }
    for (size_t k = 0; k < bk->ctx->noffers; k++) {
        const kt_offer *o = &bk->ctx->offers[k];
        s->offer_line[k] = -1;
        if (o->kind != KT_OFFER_POINTS_OVER_SPEND) continue;
        int64_t spend = 0;
        int first = -1;
        for (size_t i = 0; i < bk->n; i++) {
            if (!line_earns(bk, i) || !(s->offers[i] >> k & 1)) continue;
            spend += bk->lines[i].amount_minor - bk->lo[i].offer_discount_minor;
            if (first < 0) first = (int)i;
        }
        if (first >= 0 && spend >= o->threshold_minor) s->offer_line[k] = (int16_t)first;
    }
}

static kt_rc earn_points(basket *bk) {
    const kt_ruleset *rs = bk->rs;
    scratch *s = bk->s;
    const uint8_t mode = rs->set.rounding;
    pcs p = {s->pcs, 0, 0, false};
    receipt_grants(bk);
    for (size_t k = 0; k < rs->nlimited; k++) {
        int r = rs->limited[k];
        int64_t lim = rs->rules[r].limit_per_day, today = bk->ctx->earned_today[r];
        s->allowance[r] = today <= 0 ? lim : today >= lim ? 0 : lim - today;
    }
    /* Per receipt: the exact total of each line, the receipt's total rounded
     * once, then handed back to the lines (s->b). */
    if (rs->set.receipt_scope) {
        int64_t sum = 0;
        for (size_t i = 0; i < bk->n; i++) {
            line_pcs(bk, i, &p);
            if (p.overflow || !kt_add_i64(sum, p.sum, &sum)) return overflow(bk, "lines");
            s->a[i] = p.sum;
        }
        distribute(s->a, bk->n, round_micro(sum, mode), s->b, s->idx);
    }
    for (size_t i = 0; i < bk->n; i++) {
        line_pcs(bk, i, &p);
        if (p.overflow) return overflow(bk, "lines");
        if (p.n == 0) continue;
        int64_t target = rs->set.receipt_scope ? s->b[i] : round_micro(p.sum, mode);
        for (size_t k = 0; k < p.n; k++) s->c[k] = p.v[k].micro;
        distribute(s->c, p.n, target, s->d, s->idx);
        kt_line_result *lr = &bk->lo[i];
        for (size_t k = 0; k < p.n; k++) {
            int64_t pts = s->d[k];
            int src = p.v[k].src;
            if (src >= 0 && rs->rules[src].limit_per_day >= 0) {
                if (pts > s->allowance[src]) pts = s->allowance[src];
                s->allowance[src] -= pts;
            }
            if (pts <= 0) continue;
            kt_rc rc = contrib_push(bk, i, src, pts, 0, p.v[k].fk, p.v[k].fid);
            if (rc) return rc;
            lr->earned += pts;
            if (src >= 0) bk->out->earned_by_rule[src] += pts;
            else bk->out->offer_points_by_offer[-1 - src] += pts;
            bk->out->earned += pts; /* <= the rounded receipt total: no overflow */
        }
    }
    return KT_OK;
}

/* ---- the slip ------------------------------------------------------------------------------ */

typedef struct outbuf {
    char *p;
    size_t n, cap;
    bool full;
} outbuf;

static void put(outbuf *o, const char *s, size_t n) {
    if (o->full) return;
    if (o->n + n >= o->cap) {
        n = o->cap - 1 - o->n;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--; /* cut at a character boundary */
        o->full = true;
    }
    memcpy(o->p + o->n, s, n);
    o->n += n;
    o->p[o->n] = 0;
}

static void put_int(outbuf *o, int64_t v, bool money) {
    char b[32];
    size_t n = sizeof b;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    int digits = 0;
    do {
        b[--n] = (char)('0' + u % 10);
        u /= 10;
        if (money && ++digits == 2) b[--n] = '.';
    } while (u || (money && digits < 3));
    if (v < 0) b[--n] = '-';
    put(o, b + n, sizeof b - n);
}

static void slip(const kt_ruleset *rs, kt_price_result *out) {
    outbuf o = {out->message, 0, sizeof out->message, false};
    out->message[0] = 0;
    for (int k = 0; k < rs->set.nsegs; k++) {
        const kt_slip_segment *g = &rs->set.segs[k];
        switch (g->var) {
        case KT_SLIP_TEXT: put(&o, rs->set.slip + g->off, g->len); break;
        case KT_SLIP_EARNED: put_int(&o, out->earned, false); break;
        case KT_SLIP_REDEEMED: put_int(&o, out->redeemed, false); break;
        case KT_SLIP_REDEEMABLE: put_int(&o, out->redeemable, false); break;
        case KT_SLIP_TOTAL: put_int(&o, out->total_minor, true); break;
        case KT_SLIP_TO_PAY: put_int(&o, out->to_pay_minor, true); break;
        case KT_SLIP_POINTS_DISCOUNT: put_int(&o, out->points_discount_minor, true); break;
        case KT_SLIP_OFFER_DISCOUNT: put_int(&o, out->offer_discount_minor, true); break;
        case KT_SLIP_TIER:
            if (out->tier >= 0) put(&o, rs->tiers[out->tier].name, strlen(rs->tiers[out->tier].name));
            break;
        default: break;
        }
    }
}

/* ---- the interface --------------------------------------------------------------------------- */

kt_rc kt_rules_price(const kt_ruleset *rs, const kt_price_ctx *ctx, const kt_line *lines, size_t nlines,
                     kt_points redeem, kt_line_result *lines_out, kt_price_result *out, kt_err *err) {
    if (!rs || !ctx || !out || (nlines && (!lines || !lines_out)))
        return kt_fail(err, KT_EINVAL, "", "kt_rules_price needs a rule set, a context, lines and results");
    if (nlines > KT_BASKET_LINES_MAX)
        return kt_fail(err, KT_EINVAL, "lines", "more than %d lines in one receipt", KT_BASKET_LINES_MAX);
    if (ctx->minute_of_day < 0 || ctx->minute_of_day > 24 * 60 - 1)
        return kt_fail(err, KT_EINVAL, "minute_of_day", "expected 0..1439");
    kt_rc rc = check_offers(ctx, err);
    if (rc) return rc;
    scratch s;
    basket bk = {.rs = rs, .ctx = ctx, .lines = lines, .n = nlines, .lo = lines_out, .out = out, .err = err, .s = &s,
                 .tier = -1, .birthday = -1, .weekday = kt_day_weekday(ctx->day)};
    memset(out, 0, sizeof *out);
    out->rules_version = rs->version;
    for (size_t i = 0; i < nlines; i++) {
        const kt_line *l = &lines[i];
        if (l->amount_minor < 0 || l->qty_milli < 0 || l->price_minor < 0) {
            char f[48];
            snprintf(f, sizeof f, "lines[%zu].%s", i,
                     l->amount_minor < 0 ? "amount_minor" : l->qty_milli < 0 ? "qty_milli" : "price_minor");
            return kt_fail(err, KT_EINVAL, f, "negative");
        }
        if (!kt_add_i64(bk.total, l->amount_minor, &bk.total)) return overflow(&bk, "lines");
    }
    out->total_minor = bk.total;
    for (int t = 0; t < rs->ntiers; t++)
        if (ctx->tier_spend_minor >= rs->tiers[t].min_spend_minor) bk.tier = t;
    out->tier = bk.tier;
    bk.earning = bk.total >= rs->set.min_receipt_minor;

    /* Basket-level conditions: once per receipt. */
    const int W = rs->nwords;
    memcpy(bk.act, rs->m_basket_free, sizeof bk.act);
    for (size_t k = 0; k < rs->nbasket_rules; k++) {
        int slot = rs->basket_rules[k];
        if (basket_match(&bk, &rs->rules[rs->slot_rule[slot]])) bk.act[slot >> 6] |= UINT64_C(1) << (slot & 63);
    }
    for (int k = 0; k < KT_KIND_COUNT_; k++) {
        bool used = false;
        for (int w = 0; w < W; w++) used |= (bk.act[w] & ~rs->m_no_list[k][w]) != 0;
        bk.need[k] = rs->tab[k].n > 0 && (used || rs->tab_needed[k]);
    }

    for (size_t i = 0; i < nlines; i++) {
        match_line(&bk, i);
        kt_line_result *lr = &lines_out[i];
        lr->earned = lr->redeemed = 0;
        lr->points_discount_minor = lr->offer_discount_minor = 0;
        lr->to_pay_minor = lines[i].amount_minor;
        lr->excluded = (s.ex[i] & (KT_EX_EARN | KT_EX_REDEEM)) == (KT_EX_EARN | KT_EX_REDEEM);
        lr->ncontribs = 0;
    }
    rc = money_offers(&bk);
    if (!rc) {
        redeem_points(&bk, redeem);
        rc = earn_points(&bk);
    }
    if (rc) return rc;
    slip(rs, out);
    return KT_OK;
}
