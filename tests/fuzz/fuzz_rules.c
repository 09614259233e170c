/*
 * fuzz_rules.c - libFuzzer entry for src/rules/.
 *
 * Every input is used twice:
 *   1. as a rule document: it compiles or fails with KT_EINVAL / KT_ENOTFOUND
 *      and a message; a document that compiles prices baskets drawn from the
 *      input's bytes without crashing, leaking or breaking a sum;
 *   2. as a basket (lines, member, moment, offers, redeem request) priced
 *      against the seed program (examples/rules/seed.json) and against a
 *      program using every feature (receipt rounding, limits, tiers, fixed
 *      points, multipliers, exclusions).
 * A priced result is never negative, its lines add up to its totals, its
 * contributions to its lines, and to_pay = amount - discounts on every line.
 */
#include "core/date.h"
#include "rules/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- a fake catalogue: P000001..P005000, C + 2/4/6 digits, S + 3 digits,
 * any other name up to 32 bytes not starting with 'x' ---------------------- */

static kt_rc resolve(void *ctx, char kind, const char *name, int64_t *id) {
    (void)ctx;
    size_t n = strlen(name);
    int64_t v = 0;
    if (kind == 's' || kind == 'c' || kind == 't') {
        char lead = kind == 's' ? 'P' : kind == 'c' ? 'C' : 'S';
        if (n < 3 || n > 7 || name[0] != lead) return KT_ENOTFOUND;
        for (size_t i = 1; i < n; i++) {
            if (name[i] < '0' || name[i] > '9') return KT_ENOTFOUND;
            v = v * 10 + (name[i] - '0');
        }
        if (v <= 0 || (kind == 's' && v > 5000)) return KT_ENOTFOUND;
        *id = v;
        return KT_OK;
    }
    if (n == 0 || n > 32 || name[0] == 'x') return KT_ENOTFOUND;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)name[i]) * 16777619u;
    *id = (int64_t)(h % 7) + 1;
    return KT_OK;
}

static const char seed_fallback[] =
    "{\"program\":{\"point_value_minor\":10,\"expiry_days\":365,\"exclude\":{\"alcohol\":true,\"tobacco\":true}},"
    "\"rules\":[{\"id\":\"base\",\"priority\":10,\"stacking\":\"replace\",\"when\":{\"partner_store\":\"none\"},"
    "\"earn\":{\"points\":1,\"per_amount_minor\":1000}},"
    "{\"id\":\"partner_base\",\"priority\":10,\"stacking\":\"replace\",\"when\":{\"partner_store\":\"any\"},"
    "\"earn\":{\"points\":1,\"per_amount_minor\":1000},\"funded_by\":\"partner\"},"
    "{\"id\":\"favourite_x4\",\"priority\":20,\"stacking\":\"replace\",\"when\":{\"favourite_category\":true,"
    "\"partner_store\":\"none\"},\"earn\":{\"points\":4,\"per_amount_minor\":1000}},"
    "{\"id\":\"birthday_x4\",\"priority\":30,\"stacking\":\"replace\",\"when\":{\"birthday\":true,\"partner_store\":\"none\"},"
    "\"earn\":{\"points\":4,\"per_amount_minor\":1000}},"
    "{\"id\":\"supplier_promo\",\"stacking\":\"add\",\"when\":{\"skus\":[\"P000001\",\"P000002\",\"P000004\"]},"
    "\"earn\":{\"points_per_unit\":10},\"funded_by\":\"supplier\"}]}";

static const char everything[] =
    "{\"program\":{\"point_value_minor\":7,\"rounding\":\"round_half_up\",\"rounding_scope\":\"receipt\","
    "\"earn_on\":\"amount\",\"min_receipt_minor\":500,\"tier_window_days\":90,"
    "\"exclude\":{\"alcohol\":true,\"categories\":[\"C0905\"]},\"exclude_earn\":{\"skus\":[\"P000005\"]},"
    "\"exclude_redeem\":{\"categories\":[\"C07\"],\"tobacco\":true},"
    "\"redemption\":{\"cap_share_bp\":3333,\"partner_stores\":false,\"min_receipt_minor\":1000},"
    "\"birthday\":{\"window_days_before\":5,\"window_days_after\":5,\"feb29\":\"mar1\"},"
    "\"slip_message\":\"{tier}: +{earned} -{redeemed} ({points_discount}) {to_pay} {total} {offer_discount} {redeemable} {{}}\"},"
    "\"tiers\":[{\"id\":\"a\",\"min_spend_minor\":0},{\"id\":\"b\",\"min_spend_minor\":100000}],"
    "\"rules\":[{\"id\":\"base\",\"priority\":1,\"stacking\":\"replace\",\"earn\":{\"points\":3,\"per_amount_minor\":997}},"
    "{\"id\":\"unit\",\"priority\":2,\"stacking\":\"replace\",\"when\":{\"categories\":[\"C0101\"]},\"earn\":{\"points_per_unit\":3}},"
    "{\"id\":\"tier_b\",\"priority\":3,\"stacking\":\"replace\",\"when\":{\"tier_min\":\"b\"},\"earn\":{\"points\":7,\"per_amount_minor\":1001}},"
    "{\"id\":\"x2\",\"stacking\":\"add\",\"when\":{\"weekdays\":[1,3,5,7]},\"earn\":{\"multiplier_pct\":200}},"
    "{\"id\":\"x15\",\"stacking\":\"replace\",\"when\":{\"hours\":{\"from\":\"20:00\",\"to\":\"08:00\"}},\"earn\":{\"multiplier_pct\":150},"
    "\"limit\":{\"per_member_per_day\":40}},"
    "{\"id\":\"brand\",\"stacking\":\"add\",\"when\":{\"brands\":[\"B1\",\"B2\"]},\"earn\":{\"points\":1,\"per_amount_minor\":3},"
    "\"funded_by\":\"supplier:ACME\",\"limit\":{\"per_member_per_day\":1000}},"
    "{\"id\":\"sup\",\"stacking\":\"add\",\"when\":{\"suppliers\":[\"U1\"],\"identified\":true},\"earn\":{\"points_per_unit\":1},"
    "\"funded_by\":\"supplier\"},"
    "{\"id\":\"fx\",\"stacking\":\"replace\",\"when\":{\"min_receipt_minor\":5000,\"birthday\":true},\"earn\":{\"fixed_points\":500}},"
    "{\"id\":\"fy\",\"stacking\":\"add\",\"when\":{\"favourite_category\":true,\"partner_store\":[\"Partner\"]},"
    "\"earn\":{\"fixed_points\":5},\"funded_by\":\"partner\"},"
    "{\"id\":\"st\",\"stacking\":\"add\",\"when\":{\"stores\":[\"S001\",\"S003\"],\"date_from\":\"2026-01-01\","
    "\"date_to\":\"2026-06-30\",\"skus\":[\"P000001\",\"P000009\"]},\"earn\":{\"points\":1,\"per_amount_minor\":1}}]}";

static kt_ruleset *programs[2];

static kt_ruleset *must_compile(const char *doc, size_t len) {
    kt_ruleset *rs = NULL;
    kt_err err;
    if (kt_rules_compile(doc, len, 1, resolve, NULL, &rs, &err) != KT_OK) {
        fprintf(stderr, "fuzz_rules: built-in program does not compile: %s: %s\n", err.field, err.msg);
        abort();
    }
    return rs;
}

static void init(void) {
    if (programs[0]) return;
    FILE *f = fopen("examples/rules/seed.json", "rb");
    if (f) {
        static char buf[1 << 16];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        programs[0] = must_compile(buf, n);
    } else {
        programs[0] = must_compile(seed_fallback, strlen(seed_fallback));
    }
    programs[1] = must_compile(everything, strlen(everything));
}

/* ---- bytes -> a basket ------------------------------------------------------ */

typedef struct reader {
    const uint8_t *p;
    size_t n, i;
} reader;

static uint64_t take(reader *r, int bytes) {
    uint64_t v = 0;
    for (int k = 0; k < bytes; k++) v = v << 8 | (r->i < r->n ? r->p[r->i++] : 0);
    return v;
}

#define FUZZ_LINES_MAX 24
#define FUZZ_OFFERS_MAX 6

typedef struct basket {
    kt_price_ctx ctx;
    kt_offer offers[FUZZ_OFFERS_MAX];
    kt_line lines[FUZZ_LINES_MAX];
    size_t n;
    kt_points redeem;
} basket;

static kt_money money_of(reader *r) {
    uint8_t m = (uint8_t)take(r, 1);
    uint64_t v = take(r, 2);
    switch (m % 8) {
    case 0: return (kt_money)(v % 100);
    case 6: return (kt_money)(take(r, 8) & INT64_MAX);  /* anything, up to overflow */
    case 7: return (kt_money)(v * 1000000000);
    default: return (kt_money)(v * (m % 4 + 1) * 10);
    }
}

static void make_basket(reader *r, basket *b) {
    static const int64_t leaves[] = {10101, 10102, 70201, 90101, 90501, 50101, 0, 1};
    memset(b, 0, sizeof *b);
    kt_price_ctx *c = &b->ctx;
    c->day = kt_day_from_civil(2026, 1, 1) + (kt_day)take(r, 2) % 800 - 100;
    c->minute_of_day = (int)(take(r, 2) % 1440);
    uint8_t flags = (uint8_t)take(r, 1);
    c->partner_id = flags & 1 ? (int64_t)(take(r, 1) % 8) : 0;
    c->store_id = (int64_t)(take(r, 1) % 5);
    c->identified = flags & 2;
    c->birth_day = flags & 4 ? c->day - (kt_day)(take(r, 2) % 20000) : KT_DAY_NONE;
    if (flags & 8) c->birth_day = kt_day_from_civil(2000, 2, 29);
    c->favourite_category_id = flags & 16 ? leaves[take(r, 1) % 8] / (flags & 32 ? 100 : 1) : 0;
    c->tier_spend_minor = (kt_money)take(r, 3);
    c->available_points = flags & 64 ? (kt_points)(take(r, 8) & INT64_MAX) : (kt_points)take(r, 2) - 100;
    for (int k = 0; k < 12; k++) c->earned_today[k] = (kt_points)take(r, 1) - 10;
    uint8_t nr = (uint8_t)take(r, 1);
    b->redeem = nr % 4 == 0 ? -1 : nr % 4 == 1 ? 0 : nr % 4 == 2 ? (kt_points)take(r, 2) : (kt_points)(take(r, 8) & INT64_MAX);
    size_t no = take(r, 1) % (FUZZ_OFFERS_MAX + 1);
    for (size_t k = 0; k < no; k++) {
        kt_offer *o = &b->offers[k];
        uint8_t x = (uint8_t)take(r, 1);
        o->id = (int64_t)k + 1;
        o->kind = (kt_offer_kind)(x % 4);
        o->target = (kt_offer_target)(x / 4 % 4);
        o->target_id = o->target == KT_TARGET_ANY ? 0 : o->target == KT_TARGET_CATEGORY ? leaves[take(r, 1) % 6] : (int64_t)(take(r, 1) % 10) + 1;
        int64_t v = (int64_t)take(r, 2);
        switch (o->kind) {
        case KT_OFFER_PERCENT_OFF: o->value = v % 10001; break;
        case KT_OFFER_AMOUNT_OFF: o->value = x & 128 ? (int64_t)(take(r, 8) & INT64_MAX) : v; break;
        case KT_OFFER_POINTS_MULTIPLIER: o->value = 100 + v % 1000; break;
        default: o->value = v; o->threshold_minor = (kt_money)take(r, 2) * 10; break;
        }
        if ((x & 0x70) == 0x70) o->value = -o->value - 1; /* sometimes invalid */
        o->funder_kind = (int64_t)(take(r, 1) % 3);
        o->funder_id = o->funder_kind ? 5 : 0;
    }
    c->offers = b->offers;
    c->noffers = no;
    b->n = take(r, 1) % (FUZZ_LINES_MAX + 1);
    for (size_t i = 0; i < b->n; i++) {
        kt_line *l = &b->lines[i];
        uint8_t x = (uint8_t)take(r, 1);
        l->product_id = (int64_t)(x % 16);
        int64_t leaf = leaves[take(r, 1) % 8];
        int k = 0;
        for (int64_t cat = leaf; cat > 0 && k < KT_CATEGORY_DEPTH_MAX; cat /= 100) l->category_path[k++] = cat;
        l->brand_id = (int64_t)(take(r, 1) % 9);
        l->supplier_id = (int64_t)(take(r, 1) % 9);
        l->alcohol = x & 16;
        l->tobacco = x & 32;
        l->qty_milli = x & 64 ? (int64_t)take(r, 3) : 1000 * (int64_t)(take(r, 1) % 5);
        l->amount_minor = money_of(r);
        l->price_minor = l->amount_minor;
        if ((x & 0xC0) == 0xC0 && (take(r, 1) & 7) == 0) l->amount_minor = -1; /* sometimes invalid */
    }
}

/* ---- the invariants ----------------------------------------------------------- */

static void check(const kt_ruleset *rs, const basket *b) {
    static kt_line_result lr[FUZZ_LINES_MAX];
    static kt_price_result pr;
    kt_err err;
    memset(lr, 0x5A, sizeof lr);
    memset(&pr, 0x5A, sizeof pr);
    kt_rc rc = kt_rules_price(rs, &b->ctx, b->lines, b->n, b->redeem, lr, &pr, &err);
    if (rc != KT_OK) {
        KT_ASSERT(rc == KT_EINVAL && err.code == KT_EINVAL && err.msg[0]);
        return;
    }
    const int64_t pv = kt_rules_program(rs)->point_value_minor;
    kt_points earned = 0, redeemed = 0, by_source = 0;
    kt_money total = 0, pd = 0, od = 0, pay = 0;
    for (size_t i = 0; i < b->n; i++) {
        const kt_line_result *l = &lr[i];
        const kt_money amount = b->lines[i].amount_minor;
        KT_ASSERT(l->earned >= 0 && l->redeemed >= 0 && l->offer_discount_minor >= 0);
        KT_ASSERT(l->to_pay_minor >= 0 && l->to_pay_minor <= amount);
        KT_ASSERT(l->points_discount_minor == l->redeemed * pv);
        KT_ASSERT(l->to_pay_minor == amount - l->offer_discount_minor - l->points_discount_minor);
        KT_ASSERT(l->ncontribs <= KT_LINE_CONTRIBS_MAX);
        if (l->excluded) KT_ASSERT(l->earned == 0 && l->redeemed == 0 && l->offer_discount_minor == 0);
        kt_points c = 0;
        kt_money cd = 0;
        for (int k = 0; k < l->ncontribs; k++) {
            const kt_contrib *x = &l->contribs[k];
            KT_ASSERT(x->points >= 0 && x->discount_minor >= 0 && (x->points > 0 || x->discount_minor > 0));
            KT_ASSERT(x->funder_kind >= 0 && x->funder_kind <= 2);
            KT_ASSERT(x->rule >= -(int)b->ctx.noffers && x->rule < (int)kt_rules_count(rs));
            c += x->points;
            cd += x->discount_minor;
        }
        KT_ASSERT(c == l->earned && cd == l->offer_discount_minor);
        earned += l->earned, redeemed += l->redeemed, total += amount;
        pd += l->points_discount_minor, od += l->offer_discount_minor, pay += l->to_pay_minor;
    }
    for (int k = 0; k < KT_RULES_MAX; k++) {
        KT_ASSERT(pr.earned_by_rule[k] >= 0);
        if ((size_t)k >= kt_rules_count(rs)) KT_ASSERT(pr.earned_by_rule[k] == 0);
        by_source += pr.earned_by_rule[k];
    }
    for (int k = 0; k < KT_OFFERS_MAX; k++) {
        KT_ASSERT(pr.offer_points_by_offer[k] >= 0 && pr.offer_discount_by_offer[k] >= 0);
        by_source += pr.offer_points_by_offer[k];
    }
    KT_ASSERT(pr.earned == earned && by_source == earned);
    KT_ASSERT(pr.redeemed == redeemed && pr.redeemed <= pr.redeemable);
    KT_ASSERT(pr.redeemable <= (b->ctx.available_points > 0 ? b->ctx.available_points : 0));
    if (b->redeem >= 0) KT_ASSERT(pr.redeemed <= b->redeem);
    KT_ASSERT(pr.total_minor == total && pr.points_discount_minor == pd && pr.offer_discount_minor == od);
    KT_ASSERT(pr.to_pay_minor == pay);
    KT_ASSERT(pr.rules_version == kt_rules_version(rs));
    KT_ASSERT(pr.tier >= -1 && pr.tier < kt_rules_tier_count(rs));
    KT_ASSERT(memchr(pr.message, 0, sizeof pr.message) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    init();
    /* 1. The input as a rule document. */
    kt_ruleset *rs = NULL;
    kt_err err;
    kt_rc rc = kt_rules_compile((const char *)data, size, 42, resolve, NULL, &rs, &err);
    if (rc != KT_OK) {
        KT_ASSERT(rs == NULL && (rc == KT_EINVAL || rc == KT_ENOTFOUND) && err.code == rc && err.msg[0]);
        KT_ASSERT(err.field[0] == '$');
    } else {
        KT_ASSERT(rs != NULL && kt_rules_count(rs) <= KT_RULES_MAX);
        for (size_t i = 0; i < kt_rules_count(rs); i++) KT_ASSERT(kt_rules_rule_id(rs, (int)i)[0]);
        static basket b;
        for (size_t off = 0; off < 4; off++) {
            reader r = {data, size, (size * 7 + off * 131) % (size + 1)};
            make_basket(&r, &b);
            check(rs, &b);
        }
        kt_rules_free(rs);
    }
    /* 2. The input as a basket, against the seed and the everything program. */
    static basket b;
    reader r = {data, size, 0};
    make_basket(&r, &b);
    check(programs[0], &b);
    check(programs[1], &b);
    return 0;
}
