/*
 * test_rules.c - src/rules/: the seed program rule by rule with exact points,
 * the birthday window and 29 February, redemption cap and distribution,
 * rounding per line and per receipt, multipliers, daily limits, tiers, every
 * offer kind, fixed points, the examples in examples/rules/, bad documents
 * with the exact JSON path of the error, bad baskets, and sharing a rule set
 * between threads. Expected figures are worked out by hand in the comments.
 */
#include "t.h"

#include "core/date.h"
#include "rules/rules.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- a fake catalogue ----------------------------------------------------------
 * SKU P000123 -> 123 (unknown above 5000); category C01 -> 1, C0101 -> 101,
 * C010101 -> 10101; store S010 -> 10; brands, suppliers and partners by table. */

static const struct { char kind; const char *name; int64_t id; } names[] = {
    {'b', "Вкуснотеево", 1}, {'b', "Parmalat", 2}, {'b', "Jacobs", 3},
    {'u', "ООО «Центр поставок»", 1}, {'u', "АО «Северная пищевая компания»", 2}, {'u', "ООО «Бакалея-Центр»", 3},
    {'p', "АЗС «Нефтьмаркет»", 1}, {'p', "Аптеки «Здоровье»", 2},
};

static bool digits_id(const char *s, size_t ndigits_min, size_t ndigits_max, int64_t *id) {
    size_t n = strlen(s);
    if (n < ndigits_min || n > ndigits_max) return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    *id = v;
    return v > 0;
}

static kt_rc fake_resolve(void *ctx, char kind, const char *name, int64_t *id) {
    KT_UNUSED(ctx);
    switch (kind) {
    case 's': return name[0] == 'P' && digits_id(name + 1, 6, 6, id) && *id <= 5000 ? KT_OK : KT_ENOTFOUND;
    case 'c': return name[0] == 'C' && digits_id(name + 1, 2, 6, id) && strlen(name) % 2 == 1 ? KT_OK : KT_ENOTFOUND;
    case 't': return name[0] == 'S' && digits_id(name + 1, 3, 3, id) ? KT_OK : KT_ENOTFOUND;
    default: break;
    }
    for (size_t i = 0; i < KT_ARRAY_LEN(names); i++)
        if (names[i].kind == kind && strcmp(names[i].name, name) == 0) {
            *id = names[i].id;
            return KT_OK;
        }
    return KT_ENOTFOUND;
}

/* A line of one piece: product, leaf category as a number (10101 = C010101), amount. */
static kt_line mk(int64_t product, int64_t leaf, kt_money amount) {
    kt_line l;
    memset(&l, 0, sizeof l);
    l.product_id = product;
    int k = 0;
    for (int64_t c = leaf; c > 0; c /= 100) l.category_path[k++] = c;
    if (product == 1 || product == 2 || product == 4) l.brand_id = 1, l.supplier_id = 1;
    else if (product == 7 || product == 13) l.brand_id = 2, l.supplier_id = 2;
    else if (product >= 1300 && product < 1310) l.brand_id = 3, l.supplier_id = 3;
    else l.brand_id = 9, l.supplier_id = 9;
    l.qty_milli = 1000;
    l.price_minor = amount;
    l.amount_minor = amount;
    return l;
}

static kt_day D(int y, int m, int d) { return kt_day_from_civil(y, m, d); }

/* Tuesday 10 March 2026, 10:00, own store S001, an identified member. */
static kt_price_ctx *new_ctx(void) {
    kt_price_ctx *c = calloc(1, sizeof *c);
    c->day = D(2026, 3, 10);
    c->minute_of_day = 600;
    c->store_id = 1;
    c->identified = true;
    c->birth_day = KT_DAY_NONE;
    return c;
}

static kt_ruleset *compile_text(const char *json, kt_rc *rc, kt_err *err) {
    kt_ruleset *rs = NULL;
    *rc = kt_rules_compile(json, strlen(json), 7, fake_resolve, NULL, &rs, err);
    KT_CHECK((*rc == KT_OK) == (rs != NULL));
    return rs;
}

/* Documents in tests are written with ' for " for readability. */
static kt_ruleset *compile_q(const char *q, kt_rc *rc, kt_err *err) {
    size_t n = strlen(q);
    char *s = malloc(n + 1);
    for (size_t i = 0; i <= n; i++) s[i] = q[i] == '\'' ? '"' : q[i];
    kt_ruleset *rs = compile_text(s, rc, err);
    free(s);
    return rs;
}

static kt_ruleset *must_q(const char *q) {
    kt_rc rc;
    kt_err err;
    kt_ruleset *rs = compile_q(q, &rc, &err);
    if (rc) fprintf(stderr, "  compile: %s: %s: %s\n", kt_strerror(rc), err.field, err.msg);
    KT_CHECK_INT(rc, KT_OK);
    return rs;
}

static kt_ruleset *load_example(const char *name) {
    char path[128];
    snprintf(path, sizeof path, "examples/rules/%s", name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "  cannot open %s (run from the repository root)\n", path);
        KT_CHECK(f != NULL);
        return NULL;
    }
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    kt_rc rc;
    kt_err err;
    kt_ruleset *rs = compile_text(buf, &rc, &err);
    if (rc) fprintf(stderr, "  %s: %s: %s: %s\n", path, kt_strerror(rc), err.field, err.msg);
    KT_CHECK_INT(rc, KT_OK);
    return rs;
}

static int rule_index(const kt_ruleset *rs, const char *id) {
    for (size_t i = 0; i < kt_rules_count(rs); i++)
        if (strcmp(kt_rules_rule_id(rs, (int)i), id) == 0) return (int)i;
    fprintf(stderr, "  no rule %s\n", id);
    KT_CHECK(0);
    return -100;
}

#define LINES_MAX 16
typedef struct priced {
    kt_line_result lr[LINES_MAX];
    kt_price_result pr;
    kt_rc rc;
    kt_err err;
} priced;
static priced P;

/* Every result keeps its sums: lines add up to the receipt, contributions to
 * the line, money to the amount; nothing negative. */
static void check_sums(const kt_ruleset *rs, const kt_line *lines, size_t n) {
    kt_points earned = 0, redeemed = 0, by_source = 0;
    kt_money pd = 0, od = 0, pay = 0;
    const int64_t pv = kt_rules_program(rs)->point_value_minor;
    for (size_t i = 0; i < n; i++) {
        const kt_line_result *l = &P.lr[i];
        kt_points c = 0;
        kt_money cd = 0;
        for (int k = 0; k < l->ncontribs; k++) c += l->contribs[k].points, cd += l->contribs[k].discount_minor;
        KT_CHECK_INT(c, l->earned);
        KT_CHECK_INT(cd, l->offer_discount_minor);
        KT_CHECK(l->earned >= 0 && l->redeemed >= 0 && l->to_pay_minor >= 0);
        KT_CHECK_INT(l->points_discount_minor, l->redeemed * pv);
        KT_CHECK_INT(l->to_pay_minor, lines[i].amount_minor - l->offer_discount_minor - l->points_discount_minor);
        earned += l->earned, redeemed += l->redeemed, pd += l->points_discount_minor, od += l->offer_discount_minor;
        pay += l->to_pay_minor;
    }
    for (int r = 0; r < KT_RULES_MAX; r++) by_source += P.pr.earned_by_rule[r];
    for (int o = 0; o < KT_OFFERS_MAX; o++) by_source += P.pr.offer_points_by_offer[o];
    KT_CHECK_INT(P.pr.earned, earned);
    KT_CHECK_INT(by_source, earned);
    KT_CHECK_INT(P.pr.redeemed, redeemed);
    KT_CHECK(P.pr.redeemed <= P.pr.redeemable);
    KT_CHECK_INT(P.pr.points_discount_minor, pd);
    KT_CHECK_INT(P.pr.offer_discount_minor, od);
    KT_CHECK_INT(P.pr.to_pay_minor, pay);
    KT_CHECK_INT(P.pr.rules_version, 7);
}

static kt_rc price(const kt_ruleset *rs, const kt_price_ctx *ctx, const kt_line *lines, size_t n, kt_points redeem) {
    KT_CHECK(n <= LINES_MAX);
    memset(&P, 0xA5, sizeof P); /* results must not depend on what was there */
    P.rc = kt_rules_price(rs, ctx, lines, n, redeem, P.lr, &P.pr, &P.err);
    if (P.rc == KT_OK) check_sums(rs, lines, n);
    return P.rc;
}

/* Points a rule (by id) gave line i, from the explanation. */
static kt_points contrib_of(const kt_ruleset *rs, size_t i, const char *rule) {
    int r = rule_index(rs, rule);
    kt_points sum = 0;
    for (int k = 0; k < P.lr[i].ncontribs; k++)
        if (P.lr[i].contribs[k].rule == r) sum += P.lr[i].contribs[k].points;
    return sum;
}

/* ---- the seed program -------------------------------------------------------------- */

KT_TEST(rules_seed_base_floor) {
    kt_ruleset *rs = load_example("seed.json");
    kt_price_ctx *ctx = new_ctx();
    kt_line l[] = {mk(3, 10101, 99999)}; /* 999.99 roubles at 1 per 10 roubles = 99.999 -> 99 */
    KT_CHECK_INT(price(rs, ctx, l, 1, 0), KT_OK);
    KT_CHECK_INT(P.lr[0].earned, 99);
    KT_CHECK_INT(P.lr[0].ncontribs, 1);
    KT_CHECK_INT(P.lr[0].contribs[0].rule, rule_index(rs, "base"));
    KT_CHECK_INT(P.lr[0].contribs[0].funder_kind, 0);
    KT_CHECK_INT(P.pr.earned, 99);
    KT_CHECK_INT(P.pr.earned_by_rule[rule_index(rs, "base")], 99);
    KT_CHECK_INT(P.pr.total_minor, 99999);
    KT_CHECK_INT(P.pr.to_pay_minor, 99999);
    KT_CHECK_INT(P.pr.tier, -1);
    KT_CHECK_STR(P.pr.message, "Начислено баллов: 99. Списано баллов: 0 (0.00 руб.).");
    /* 9.99 roubles earn nothing; 10.00 earn one point. */
    l[0].amount_minor = 999;
    KT_CHECK_INT(price(rs, ctx, l, 1, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, 0);
    KT_CHECK_INT(P.lr[0].ncontribs, 0);
    l[0].amount_minor = 1000;
    KT_CHECK_INT(price(rs, ctx, l, 1, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, 1);
    const kt_program *pg = kt_rules_program(rs);
    KT_CHECK_INT(pg->point_value_minor, 10);
    KT_CHECK_INT(pg->expiry_days, 365);
    KT_CHECK_INT(pg->refund_policy, KT_REFUND_NEGATIVE_BALANCE);
    KT_CHECK(!pg->cashback);
    KT_CHECK_INT(kt_rules_version(rs), 7);
    KT_CHECK_STR(kt_rules_rule_name(rs, rule_index(rs, "base")), "1 балл за каждые 10 рублей");
    KT_CHECK(kt_rules_rule_id(rs, 99) == NULL);
    free(ctx);
    kt_rules_free(rs);
}

KT_TEST(rules_seed_birthday) {
    kt_ruleset *rs = load_example("seed.json");
    kt_price_ctx *ctx = new_ctx();
    ctx->birth_day = D(1990, 3, 10);
    kt_line l[] = {mk(3, 10101, 99999)}; /* 4 per 10 roubles: 399.996 -> 399 */
    KT_CHECK_INT(price(rs, ctx, l, 1, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, 399);
    KT_CHECK_INT(contrib_of(rs, 0, "birthday_x4"), 399);
    KT_CHECK_INT(contrib_of(rs, 0, "base"), 0);
    /* The seed's window is the day itself. */
    ctx->birth_day = D(1990, 3, 11);
    KT_CHECK_INT(price(rs, ctx, l, 1, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, 99);
    ctx->birth_day = D(1990, 3, 9);
    KT_CHECK_INT(price(rs, ctx, l, 1, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, 99);
    /* Unknown birth date: no birthday. */
    ctx->birth_day = KT_DAY_NONE;
    KT_CHECK_INT(price(rs, ctx, l, 1, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, 99);
    free(ctx);
    kt_rules_free(rs);
}

static const char *window_doc =
    "{'program':{'point_value_minor':10,'birthday':{'window_days_before':3,'window_days_after':2,'feb29':'%s'}},"
    "'rules':[{'id':'base','stacking':'replace','priority':1,'earn':{'points':1,'per_amount_minor':1000}},"
    "{'id':'bday','stacking':'replace','priority':2,'when':{'birthday':true},'earn':{'points':4,'per_amount_minor':1000}}]}";

static kt_ruleset *window_rules(const char *feb29) {
    char q[1024];
    snprintf(q, sizeof q, window_doc, feb29);
    return must_q(q);
}

static kt_points earned_on(const kt_ruleset *rs, kt_price_ctx *ctx, kt_day day) {
    kt_line l[] = {mk(3, 10101, 10000)}; /* 100 roubles: 10 points, 40 on the birthday */
    ctx->day = day;
    KT_CHECK_INT(price(rs, ctx, l, 1, 0), KT_OK);
    return P.pr.earned;
}

KT_TEST(rules_birthday_window) {
    kt_ruleset *rs = window_rules("feb28");
    kt_price_ctx *ctx = new_ctx();
    ctx->birth_day = D(1985, 6, 15);
    KT_CHECK_INT(earned_on(rs, ctx, D(2026, 6, 11)), 10); /* 4 days before */
    KT_CHECK_INT(earned_on(rs, ctx, D(2026, 6, 12)), 40); /* 3 days before */
    KT_CHECK_INT(earned_on(rs, ctx, D(2026, 6, 15)), 40);
    KT_CHECK_INT(earned_on(rs, ctx, D(2026, 6, 17)), 40); /* 2 days after */
    KT_CHECK_INT(earned_on(rs, ctx, D(2026, 6, 18)), 10);
    /* Across the new year: born 1 January, window from 29 December. */
    ctx->birth_day = D(1985, 1, 1);
    KT_CHECK_INT(earned_on(rs, ctx, D(2025, 12, 28)), 10);
    KT_CHECK_INT(earned_on(rs, ctx, D(2025, 12, 29)), 40);
    KT_CHECK_INT(earned_on(rs, ctx, D(2026, 1, 3)), 40);
    KT_CHECK_INT(earned_on(rs, ctx, D(2026, 1, 4)), 10);
    /* Born 31 December: 2 January is in the window. */
    ctx->birth_day = D(1985, 12, 31);
    KT_CHECK_INT(earned_on(rs, ctx, D(2026, 1, 2)), 40);
    KT_CHECK_INT(earned_on(rs, ctx, D(2026, 1, 3)), 10);
    free(ctx);
    kt_rules_free(rs);
}

/* 29 February in a non-leap year is 28 February or 1 March, as the program says. */
KT_TEST(rules_birthday_feb29) {
    kt_price_ctx *ctx = new_ctx();
    ctx->birth_day = D(2000, 2, 29);
    char q[1024];
    const char *day_only = "{'program':{'point_value_minor':10,'birthday':{'feb29':'%s'}},"
                           "'rules':[{'id':'base','stacking':'replace','priority':1,'earn':{'points':1,'per_amount_minor':1000}},"
                           "{'id':'bday','stacking':'replace','priority':2,'when':{'birthday':true},'earn':{'points':4,'per_amount_minor':1000}}]}";
    snprintf(q, sizeof q, day_only, "feb28");
    kt_ruleset *feb28 = must_q(q);
    snprintf(q, sizeof q, day_only, "mar1");
    kt_ruleset *mar1 = must_q(q);
    KT_CHECK_INT(earned_on(feb28, ctx, D(2025, 2, 28)), 40);
    KT_CHECK_INT(earned_on(feb28, ctx, D(2025, 3, 1)), 10);
    KT_CHECK_INT(earned_on(mar1, ctx, D(2025, 2, 28)), 10);
    KT_CHECK_INT(earned_on(mar1, ctx, D(2025, 3, 1)), 40);
    /* In a leap year it is the 29th under both settings, and only that day. */
    KT_CHECK_INT(earned_on(feb28, ctx, D(2028, 2, 29)), 40);
    KT_CHECK_INT(earned_on(mar1, ctx, D(2028, 2, 29)), 40);
    KT_CHECK_INT(earned_on(feb28, ctx, D(2028, 2, 28)), 10);
    KT_CHECK_INT(earned_on(mar1, ctx, D(2028, 3, 1)), 10);
    /* 2100 is not a leap year. */
    KT_CHECK_INT(earned_on(mar1, ctx, D(2100, 3, 1)), 40);
    kt_rules_free(feb28);
    kt_rules_free(mar1);
    /* With a window, "mar1" moves the whole window. */
    kt_ruleset *w = window_rules("mar1");
    KT_CHECK_INT(earned_on(w, ctx, D(2025, 2, 25)), 10); /* 4 days before 1 March */
    KT_CHECK_INT(earned_on(w, ctx, D(2025, 2, 26)), 40);
    KT_CHECK_INT(earned_on(w, ctx, D(2025, 3, 3)), 40);
    KT_CHECK_INT(earned_on(w, ctx, D(2025, 3, 4)), 10);
    kt_rules_free(w);
    free(ctx);
}

KT_TEST(rules_seed_favourite_category) {
    kt_ruleset *rs = load_example("seed.json");
    kt_price_ctx *ctx = new_ctx();
    ctx->favourite_category_id = 101; /* C0101 milk: any level of the line's path */
    kt_line l[] = {mk(3, 10101, 12345), mk(1302, 70201, 12345)};
    KT_CHECK_INT(price(rs, ctx, l, 2, 0), KT_OK);
    KT_CHECK_INT(P.lr[0].earned, 49); /* 4 * 123.45 / 10 = 49.38 */
    KT_CHECK_INT(contrib_of(rs, 0, "favourite_x4"), 49);
    KT_CHECK_INT(P.lr[1].earned, 12); /* coffee: base 12.345 */
    KT_CHECK_INT(contrib_of(rs, 1, "base"), 12);
    ctx->favourite_category_id = 1; /* the whole department C01 */
    KT_CHECK_INT(price(rs, ctx, l, 2, 0), KT_OK);
    KT_CHECK_INT(P.lr[0].earned, 49);
    ctx->favourite_category_id = 0;
    KT_CHECK_INT(price(rs, ctx, l, 2, 0), KT_OK);
    KT_CHECK_INT(P.lr[0].earned, 12);
    free(ctx);
    kt_rules_free(rs);
}

KT_TEST(rules_seed_birthday_and_favourite_replace) {
    kt_ruleset *rs = load_example("seed.json");
    kt_price_ctx *ctx = new_ctx();
    ctx->favourite_category_id = 101;
    ctx->birth_day = D(1990, 3, 10);
    kt_line l[] = {mk(3, 10101, 10000)};
    KT_CHECK_INT(price(rs, ctx, l, 1, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, 40); /* 4 per 10 roubles, not 8: birthday (priority 30) replaces */
    KT_CHECK_INT(P.lr[0].ncontribs, 1);
    KT_CHECK_INT(contrib_of(rs, 0, "birthday_x4"), 40);
    free(ctx);
    kt_rules_free(rs);
}

KT_TEST(rules_seed_supplier_promo) {
    kt_ruleset *rs = load_example("seed.json");
    kt_price_ctx *ctx = new_ctx();
    kt_line l[] = {mk(1, 10101, 37998), mk(3, 10101, 18999)};
    l[0].qty_milli = 2000; /* two packs of P000001 */
    KT_CHECK_INT(price(rs, ctx, l, 2, 0), KT_OK);
    KT_CHECK_INT(P.lr[0].earned, 37 + 20);
    KT_CHECK_INT(contrib_of(rs, 0, "base"), 37);
    KT_CHECK_INT(contrib_of(rs, 0, "supplier_promo"), 20);
    for (int k = 0; k < P.lr[0].ncontribs; k++)
        if (P.lr[0].contribs[k].rule == rule_index(rs, "supplier_promo")) {
            KT_CHECK_INT(P.lr[0].contribs[k].funder_kind, 1);
            KT_CHECK_INT(P.lr[0].contribs[k].funder_id, 1); /* ООО «Центр поставок» */
        } else
            KT_CHECK_INT(P.lr[0].contribs[k].funder_kind, 0);
    KT_CHECK_INT(P.lr[1].earned, 18); /* P000003 is not a promo SKU */
    KT_CHECK_INT(P.pr.earned_by_rule[rule_index(rs, "supplier_promo")], 20);
    free(ctx);
    kt_rules_free(rs);
}

KT_TEST(rules_seed_partner_store) {
    kt_ruleset *rs = load_example("seed.json");
    kt_price_ctx *ctx = new_ctx();
    ctx->store_id = 10;
    ctx->partner_id = 2; /* Аптеки «Здоровье» */
    ctx->birth_day = D(1990, 3, 10); /* the birthday rate is for own stores */
    kt_line l[] = {mk(0, 0, 54321)};  /* an SKU the chain does not know */
    KT_CHECK_INT(price(rs, ctx, l, 1, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, 54);
    KT_CHECK_INT(P.lr[0].ncontribs, 1);
    KT_CHECK_INT(P.lr[0].contribs[0].rule, rule_index(rs, "partner_base"));
    KT_CHECK_INT(P.lr[0].contribs[0].funder_kind, 2);
    KT_CHECK_INT(P.lr[0].contribs[0].funder_id, 2);
    /* Redemption at partners is allowed in the seed. */
    ctx->available_points = 1000000;
    KT_CHECK_INT(price(rs, ctx, l, 1, -1), KT_OK);
    KT_CHECK_INT(P.pr.redeemable, 5432);
    KT_CHECK_INT(P.pr.redeemed, 5432);
    KT_CHECK_INT(P.lr[0].to_pay_minor, 1);
    KT_CHECK_INT(P.pr.earned, 0); /* earned on the 1 kopeck paid */
    free(ctx);
    kt_rules_free(rs);
}

KT_TEST(rules_seed_alcohol_tobacco) {
    kt_ruleset *rs = load_example("seed.json");
    kt_price_ctx *ctx = new_ctx();
    kt_line l[] = {mk(1589, 90101, 50000), mk(1681, 90501, 30000), mk(3, 10101, 10000)};
    l[0].alcohol = true;
    l[1].tobacco = true;
    ctx->birth_day = D(1990, 3, 10);
    KT_CHECK_INT(price(rs, ctx, l, 3, 0), KT_OK);
    KT_CHECK_INT(P.lr[0].earned, 0);
    KT_CHECK_INT(P.lr[1].earned, 0);
    KT_CHECK(P.lr[0].excluded && P.lr[1].excluded && !P.lr[2].excluded);
    KT_CHECK_INT(P.lr[2].earned, 40);
    /* Only the milk can be paid with points: 100 roubles = 1000 points. */
    ctx->available_points = 100000;
    KT_CHECK_INT(price(rs, ctx, l, 3, -1), KT_OK);
    KT_CHECK_INT(P.pr.redeemable, 1000);
    KT_CHECK_INT(P.pr.redeemed, 1000);
    KT_CHECK_INT(P.lr[0].redeemed, 0);
    KT_CHECK_INT(P.lr[1].redeemed, 0);
    KT_CHECK_INT(P.lr[2].redeemed, 1000);
    KT_CHECK_INT(P.lr[0].to_pay_minor, 50000);
    KT_CHECK_INT(P.lr[1].to_pay_minor, 30000);
    KT_CHECK_INT(P.lr[2].to_pay_minor, 0);
    KT_CHECK_INT(P.pr.to_pay_minor, 80000);
    KT_CHECK_INT(P.pr.earned, 0); /* earn_on "paid": the milk was paid with points */
    /* Asking for more than the cap is clamped; the checkout layer refuses it. */
    KT_CHECK_INT(price(rs, ctx, l, 3, 5000), KT_OK);
    KT_CHECK_INT(P.pr.redeemed, 1000);
    free(ctx);
    kt_rules_free(rs);
}

/* ---- redemption ------------------------------------------------------------------------ */

KT_TEST(rules_redemption_cap_and_distribution) {
    kt_ruleset *rs = must_q("{'program':{'point_value_minor':10,'redemption':{'cap_share_bp':5000}},"
                            "'rules':[{'id':'base','stacking':'replace','earn':{'points':1,'per_amount_minor':1000}}]}");
    kt_price_ctx *ctx = new_ctx();
    ctx->available_points = 100000;
    kt_line l[] = {mk(3, 10101, 3333), mk(5, 10101, 3333), mk(8, 10101, 3334)};
    /* Cap: 50% of 100 roubles = 50 roubles = 500 points. Shares 166.65,
     * 166.65, 166.7: floors 498, the two left go to the largest remainders
     * (line 3, then line 1 before line 2). */
    KT_CHECK_INT(price(rs, ctx, l, 3, -1), KT_OK);
    KT_CHECK_INT(P.pr.redeemable, 500);
    KT_CHECK_INT(P.pr.redeemed, 500);
    KT_CHECK_INT(P.lr[0].redeemed, 167);
    KT_CHECK_INT(P.lr[1].redeemed, 166);
    KT_CHECK_INT(P.lr[2].redeemed, 167);
    KT_CHECK_INT(P.lr[0].to_pay_minor, 1663);
    KT_CHECK_INT(P.pr.points_discount_minor, 5000);
    KT_CHECK_INT(P.pr.to_pay_minor, 5000);
    /* Earned on what was paid: 1663, 1673, 1664 -> 1 point each. */
    KT_CHECK_INT(P.pr.earned, 3);
    /* 100 points: 33.33, 33.33, 33.34 -> 33, 33, 34. */
    KT_CHECK_INT(price(rs, ctx, l, 3, 100), KT_OK);
    KT_CHECK_INT(P.lr[0].redeemed, 33);
    KT_CHECK_INT(P.lr[1].redeemed, 33);
    KT_CHECK_INT(P.lr[2].redeemed, 34);
    /* The balance limits too; a zero request redeems nothing. */
    ctx->available_points = 50;
    KT_CHECK_INT(price(rs, ctx, l, 3, -1), KT_OK);
    KT_CHECK_INT(P.pr.redeemable, 50);
    KT_CHECK_INT(P.pr.redeemed, 50);
    KT_CHECK_INT(price(rs, ctx, l, 3, 0), KT_OK);
    KT_CHECK_INT(P.pr.redeemable, 50);
    KT_CHECK_INT(P.pr.redeemed, 0);
    ctx->available_points = -20; /* a member in debt */
    KT_CHECK_INT(price(rs, ctx, l, 3, -1), KT_OK);
    KT_CHECK_INT(P.pr.redeemed, 0);
    /* Lines of 5 kopecks cannot take a 10-kopeck point each, even together. */
    ctx->available_points = 100;
    kt_line tiny[] = {mk(3, 10101, 5), mk(5, 10101, 5)};
    kt_ruleset *full = must_q("{'program':{'point_value_minor':10},'rules':[]}");
    KT_CHECK_INT(price(full, ctx, tiny, 2, -1), KT_OK);
    KT_CHECK_INT(P.pr.redeemable, 0);
    /* 100%: a receipt of 12.34 roubles takes 123 points, 4 kopecks to pay. */
    kt_line one[] = {mk(3, 10101, 1234)};
    KT_CHECK_INT(price(full, ctx, one, 1, -1), KT_OK);
    KT_CHECK_INT(P.pr.redeemed, 100); /* the balance */
    ctx->available_points = 1000;
    KT_CHECK_INT(price(full, ctx, one, 1, -1), KT_OK);
    KT_CHECK_INT(P.pr.redeemed, 123);
    KT_CHECK_INT(P.pr.to_pay_minor, 4);
    kt_rules_free(full);
    free(ctx);
    kt_rules_free(rs);
}

KT_TEST(rules_redemption_rules) {
    kt_price_ctx *ctx = new_ctx();
    ctx->available_points = 100000;
    kt_line l[] = {mk(3, 10101, 40000), mk(1302, 70201, 10000)};
    /* Not at partners; not below the receipt minimum; exclude_redeem lines still earn. */
    kt_ruleset *rs = must_q("{'program':{'point_value_minor':10,'earn_on':'amount',"
                            "'redemption':{'partner_stores':false,'min_receipt_minor':50000},"
                            "'exclude_redeem':{'categories':['C07']}},"
                            "'rules':[{'id':'base','stacking':'replace','earn':{'points':1,'per_amount_minor':1000}}]}");
    KT_CHECK_INT(price(rs, ctx, l, 2, -1), KT_OK);
    KT_CHECK_INT(P.pr.redeemable, 4000); /* the milk only */
    KT_CHECK_INT(P.lr[1].redeemed, 0);
    KT_CHECK(!P.lr[1].excluded);
    KT_CHECK_INT(P.lr[1].earned, 10);
    KT_CHECK_INT(P.lr[0].earned, 40); /* earn_on "amount": points on the amount before redemption */
    ctx->partner_id = 1;
    KT_CHECK_INT(price(rs, ctx, l, 2, -1), KT_OK);
    KT_CHECK_INT(P.pr.redeemable, 0);
    ctx->partner_id = 0;
    l[0].amount_minor = 39999;
    KT_CHECK_INT(price(rs, ctx, l, 2, -1), KT_OK);
    KT_CHECK_INT(P.pr.redeemable, 0);
    kt_rules_free(rs);
    free(ctx);
}

/* ---- rounding --------------------------------------------------------------------------- */

static kt_points round_case(const char *rounding, const char *scope, kt_points out[3]) {
    char q[512];
    snprintf(q, sizeof q,
             "{'program':{'point_value_minor':10,'rounding':'%s','rounding_scope':'%s'},"
             "'rules':[{'id':'base','stacking':'replace','earn':{'points':1,'per_amount_minor':1000}}]}",
             rounding, scope);
    kt_ruleset *rs = must_q(q);
    kt_price_ctx *ctx = new_ctx();
    kt_line l[] = {mk(3, 10101, 1500), mk(5, 10101, 1500), mk(8, 10101, 1500)}; /* 1.5 points each */
    KT_CHECK_INT(price(rs, ctx, l, 3, 0), KT_OK);
    for (int i = 0; i < 3; i++) out[i] = P.lr[i].earned;
    kt_points e = P.pr.earned;
    free(ctx);
    kt_rules_free(rs);
    return e;
}

KT_TEST(rules_rounding_line_and_receipt) {
    kt_points p[3];
    KT_CHECK_INT(round_case("floor", "line", p), 3);
    KT_CHECK(p[0] == 1 && p[1] == 1 && p[2] == 1);
    KT_CHECK_INT(round_case("floor", "receipt", p), 4); /* 4.5 -> 4; the extra point to the first line */
    KT_CHECK(p[0] == 2 && p[1] == 1 && p[2] == 1);
    KT_CHECK_INT(round_case("round_half_up", "line", p), 6);
    KT_CHECK_INT(round_case("round_half_up", "receipt", p), 5);
    KT_CHECK(p[0] == 2 && p[1] == 2 && p[2] == 1);
    KT_CHECK_INT(round_case("ceil", "line", p), 6);
    KT_CHECK_INT(round_case("ceil", "receipt", p), 5);
}

KT_TEST(rules_rounding_receipt_largest_lines_first) {
    kt_ruleset *rs = must_q("{'program':{'point_value_minor':10,'rounding_scope':'receipt'},"
                            "'rules':[{'id':'base','stacking':'replace','earn':{'points':1,'per_amount_minor':1000}}]}");
    kt_price_ctx *ctx = new_ctx();
    /* 0.6 + 2.7 + 1.2 + 3.0 = 7.5 -> 7: floors 0+2+1+3 = 6; the extra point goes
     * to the largest line with a fraction (2.7), not to 3.0 which has none. */
    kt_line l[] = {mk(3, 10101, 600), mk(5, 10101, 2700), mk(8, 10101, 1200), mk(9, 10101, 3000)};
    KT_CHECK_INT(price(rs, ctx, l, 4, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, 7);
    KT_CHECK_INT(P.lr[0].earned, 0);
    KT_CHECK_INT(P.lr[1].earned, 3);
    KT_CHECK_INT(P.lr[2].earned, 1);
    KT_CHECK_INT(P.lr[3].earned, 3);
    free(ctx);
    kt_rules_free(rs);
}

/* ---- multipliers, limits, fixed points, minimum receipt ------------------------------ */

KT_TEST(rules_multipliers) {
    kt_ruleset *rs = must_q(
        "{'program':{'point_value_minor':10},'rules':["
        "{'id':'base','stacking':'replace','priority':10,'earn':{'points':1,'per_amount_minor':1000}},"
        "{'id':'milk_x2','stacking':'add','when':{'categories':['C0101']},'earn':{'multiplier_pct':200}},"
        "{'id':'p1_x3','stacking':'add','when':{'skus':['P000001']},'earn':{'multiplier_pct':300}},"
        "{'id':'brand_x15','stacking':'replace','priority':5,'when':{'brands':['Вкуснотеево']},'earn':{'multiplier_pct':150}},"
        "{'id':'brand_x5','stacking':'replace','priority':1,'when':{'brands':['Вкуснотеево']},'earn':{'multiplier_pct':500}},"
        "{'id':'bonus','stacking':'add','when':{'skus':['P000001']},'earn':{'points':1,'per_amount_minor':1000}}]}");
    kt_price_ctx *ctx = new_ctx();
    kt_line l[] = {mk(1, 10101, 10000), mk(3, 10101, 10000), mk(1302, 70201, 10000)};
    KT_CHECK_INT(price(rs, ctx, l, 3, 0), KT_OK);
    /* P000001: base 10; x1.5 wins over x5 (priority) +5; x2 +10; x3 +20;
     * the add rule's 10 is not multiplied. */
    KT_CHECK_INT(P.lr[0].earned, 10 + 5 + 10 + 20 + 10);
    KT_CHECK_INT(contrib_of(rs, 0, "brand_x15"), 5);
    KT_CHECK_INT(contrib_of(rs, 0, "brand_x5"), 0);
    KT_CHECK_INT(contrib_of(rs, 0, "p1_x3"), 20);
    KT_CHECK_INT(P.lr[1].earned, 20);
    KT_CHECK_INT(P.lr[2].earned, 10);
    free(ctx);
    kt_rules_free(rs);
}

KT_TEST(rules_daily_limit) {
    kt_ruleset *rs = must_q(
        "{'program':{'point_value_minor':10},'rules':["
        "{'id':'base','stacking':'replace','earn':{'points':1,'per_amount_minor':1000},'limit':{'per_member_per_day':50}},"
        "{'id':'extra','stacking':'add','earn':{'points_per_unit':5},'limit':{'per_member_per_day':12}}]}");
    kt_price_ctx *ctx = new_ctx();
    kt_line l[] = {mk(3, 10101, 10000), mk(5, 10101, 10000), mk(8, 10101, 10000)};
    ctx->earned_today[0] = 30; /* 20 left today: 10 + 10 + 0 */
    KT_CHECK_INT(price(rs, ctx, l, 3, 0), KT_OK);
    KT_CHECK_INT(contrib_of(rs, 0, "base"), 10);
    KT_CHECK_INT(contrib_of(rs, 1, "base"), 10);
    KT_CHECK_INT(contrib_of(rs, 2, "base"), 0);
    KT_CHECK_INT(P.pr.earned_by_rule[0], 20);
    KT_CHECK_INT(P.pr.earned_by_rule[1], 12); /* 5 + 5 + 2 */
    KT_CHECK_INT(contrib_of(rs, 2, "extra"), 2);
    KT_CHECK_INT(P.pr.earned, 32);
    ctx->earned_today[0] = 80; /* over the limit already */
    ctx->earned_today[1] = 12;
    KT_CHECK_INT(price(rs, ctx, l, 3, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, 0);
    free(ctx);
    kt_rules_free(rs);
}

KT_TEST(rules_fixed_points_once_per_receipt) {
    kt_ruleset *rs = must_q(
        "{'program':{'point_value_minor':10},'rules':["
        "{'id':'base','stacking':'replace','earn':{'points':1,'per_amount_minor':1000}},"
        "{'id':'coffee_bonus','stacking':'add','when':{'categories':['C07']},'earn':{'fixed_points':100}},"
        "{'id':'f_low','stacking':'replace','priority':1,'earn':{'fixed_points':50}},"
        "{'id':'f_high','stacking':'replace','priority':2,'when':{'min_receipt_minor':20000},'earn':{'fixed_points':70}}]}");
    kt_price_ctx *ctx = new_ctx();
    kt_line l[] = {mk(3, 10101, 10000), mk(1302, 70201, 10000), mk(1303, 70201, 10000)};
    KT_CHECK_INT(price(rs, ctx, l, 3, 0), KT_OK);
    KT_CHECK_INT(P.lr[0].earned, 10 + 70); /* f_high wins over f_low, on the first line */
    KT_CHECK_INT(P.lr[1].earned, 10 + 100); /* the first coffee line */
    KT_CHECK_INT(P.lr[2].earned, 10);
    KT_CHECK_INT(P.pr.earned_by_rule[rule_index(rs, "f_low")], 0);
    /* Below 200 roubles f_high does not apply; f_low does. */
    KT_CHECK_INT(price(rs, ctx, l, 1, 0), KT_OK);
    KT_CHECK_INT(P.lr[0].earned, 10 + 50);
    free(ctx);
    kt_rules_free(rs);
}

KT_TEST(rules_program_min_receipt) {
    kt_ruleset *rs = load_example("pending_limits.json");
    kt_price_ctx *ctx = new_ctx();
    KT_CHECK_INT(kt_rules_program(rs)->pending_days, 14);
    KT_CHECK_INT(kt_rules_program(rs)->expiry_days, 180);
    kt_line l[] = {mk(3, 10101, 29999)};
    KT_CHECK_INT(price(rs, ctx, l, 1, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, 0);
    l[0].amount_minor = 30000;
    KT_CHECK_INT(price(rs, ctx, l, 1, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, 30);
    free(ctx);
    kt_rules_free(rs);
}

KT_TEST(rules_pending_limits_example) {
    kt_ruleset *rs = load_example("pending_limits.json");
    kt_price_ctx *ctx = new_ctx();
    /* Fuel at the partner station: 2 points a litre, at most 300 a day. */
    ctx->partner_id = 1;
    ctx->store_id = 10;
    kt_line fuel[] = {mk(0, 0, 400000)};
    fuel[0].qty_milli = 80000; /* 80 litres: 160 points */
    KT_CHECK_INT(price(rs, ctx, fuel, 1, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, 160);
    KT_CHECK_INT(P.lr[0].contribs[0].funder_kind, 2);
    ctx->earned_today[rule_index(rs, "fuel_partner")] = 200;
    KT_CHECK_INT(price(rs, ctx, fuel, 1, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, 100);
    /* The January welcome bonus: 100 points once. */
    ctx->partner_id = 0;
    ctx->store_id = 1;
    ctx->day = D(2026, 1, 15);
    kt_line l[] = {mk(3, 10101, 60000), mk(5, 10101, 60000)};
    KT_CHECK_INT(price(rs, ctx, l, 2, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, 60 + 60 + 100);
    KT_CHECK_INT(P.lr[0].earned, 160);
    free(ctx);
    kt_rules_free(rs);
}

/* ---- tiers ------------------------------------------------------------------------------- */

KT_TEST(rules_tiers) {
    kt_ruleset *rs = load_example("tiers.json");
    kt_price_ctx *ctx = new_ctx();
    KT_CHECK_INT(kt_day_weekday(ctx->day), 1); /* Tuesday */
    KT_CHECK_INT(kt_rules_tier_count(rs), 3);
    KT_CHECK_STR(kt_rules_tier_id(rs, 2), "gold");
    kt_line l[] = {mk(3, 10101, 10000), mk(1302, 70201, 10000)};
    ctx->minute_of_day = 12 * 60; /* outside the morning hours */
    ctx->tier_spend_minor = 0;
    KT_CHECK_INT(price(rs, ctx, l, 2, 0), KT_OK);
    KT_CHECK_INT(P.pr.tier, 0);
    KT_CHECK_INT(P.pr.earned, 20);
    ctx->tier_spend_minor = 2999999;
    KT_CHECK_INT(price(rs, ctx, l, 2, 0), KT_OK);
    KT_CHECK_INT(P.pr.tier, 0);
    ctx->tier_spend_minor = 3000000;
    KT_CHECK_INT(price(rs, ctx, l, 2, 0), KT_OK);
    KT_CHECK_INT(P.pr.tier, 1);
    KT_CHECK_INT(P.pr.earned, 40);
    KT_CHECK_STR(P.pr.message, "Ваш уровень: Серебряный. Начислено баллов: 40.");
    ctx->tier_spend_minor = 10000000;
    KT_CHECK_INT(price(rs, ctx, l, 2, 0), KT_OK);
    KT_CHECK_INT(P.pr.tier, 2);
    KT_CHECK_INT(P.lr[0].earned, 30);
    KT_CHECK_INT(P.lr[1].earned, 30 + 50); /* Jacobs coffee: 50 a pack, funded by the supplier */
    KT_CHECK_INT(contrib_of(rs, 1, "gold_coffee"), 50);
    /* Morning hours, tier_min silver: gold qualifies too, x1.5 of the base. */
    ctx->minute_of_day = 10 * 60;
    KT_CHECK_INT(price(rs, ctx, l, 2, 0), KT_OK);
    KT_CHECK_INT(P.lr[0].earned, 45);
    ctx->minute_of_day = 11 * 60; /* "to" is exclusive */
    KT_CHECK_INT(price(rs, ctx, l, 2, 0), KT_OK);
    KT_CHECK_INT(P.lr[0].earned, 30);
    ctx->tier_spend_minor = 0;
    ctx->minute_of_day = 10 * 60;
    KT_CHECK_INT(price(rs, ctx, l, 2, 0), KT_OK);
    KT_CHECK_INT(P.lr[0].earned, 10);
    free(ctx);
    kt_rules_free(rs);
}

KT_TEST(rules_cashback_example) {
    kt_ruleset *rs = load_example("cashback.json");
    kt_price_ctx *ctx = new_ctx();
    const kt_program *pg = kt_rules_program(rs);
    KT_CHECK(pg->cashback);
    KT_CHECK_INT(pg->point_value_minor, 100);
    KT_CHECK_INT(pg->refund_policy, KT_REFUND_DEDUCT_FROM_MONEY);
    /* 5% on milk (C01), 2% on coffee, per receipt: 10 + 2.6 = 12.6 -> 12 roubles. */
    kt_line l[] = {mk(3, 10101, 20000), mk(1302, 70201, 13000)};
    KT_CHECK_INT(price(rs, ctx, l, 2, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, 12);
    KT_CHECK_INT(P.lr[0].earned, 10);
    KT_CHECK_INT(P.lr[1].earned, 2);
    /* Saturday: double. */
    ctx->day = D(2026, 3, 14);
    KT_CHECK_INT(price(rs, ctx, l, 2, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, 25);
    /* Paying with cashback: up to 50% of a receipt of at least 500 roubles. */
    ctx->day = D(2026, 3, 10);
    ctx->available_points = 1000;
    kt_line big[] = {mk(3, 10101, 60001)};
    KT_CHECK_INT(price(rs, ctx, big, 1, -1), KT_OK);
    KT_CHECK_INT(P.pr.redeemed, 300); /* 300.005 roubles -> 300 */
    KT_CHECK_INT(P.pr.points_discount_minor, 30000);
    KT_CHECK_INT(P.pr.earned, 15); /* 5% of 300.01 paid */
    free(ctx);
    kt_rules_free(rs);
}

/* ---- offers ------------------------------------------------------------------------------- */

KT_TEST(rules_offers_every_kind) {
    kt_ruleset *rs = load_example("seed.json");
    kt_price_ctx *ctx = new_ctx();
    kt_offer offers[] = {
        {.id = 100, .kind = KT_OFFER_PERCENT_OFF, .target = KT_TARGET_SKU, .target_id = 3, .value = 1500},
        {.id = 101, .kind = KT_OFFER_AMOUNT_OFF, .target = KT_TARGET_CATEGORY, .target_id = 101, .value = 1000,
         .funder_kind = 1, .funder_id = 1},
        {.id = 102, .kind = KT_OFFER_POINTS_MULTIPLIER, .target = KT_TARGET_BRAND, .target_id = 3, .value = 300},
        {.id = 103, .kind = KT_OFFER_POINTS_OVER_SPEND, .target = KT_TARGET_CATEGORY, .target_id = 1, .value = 100,
         .threshold_minor = 25000},
        {.id = 104, .kind = KT_OFFER_POINTS_OVER_SPEND, .target = KT_TARGET_ANY, .value = 50, .threshold_minor = 100000},
    };
    ctx->offers = offers;
    ctx->noffers = 5;
    kt_line l[] = {mk(1, 10101, 10000), mk(3, 10101, 20000), mk(1302, 70201, 30000)};
    KT_CHECK_INT(price(rs, ctx, l, 3, 0), KT_OK);
    /* 15% off P000003: 3000. Then 10 roubles off milk, split 10000 : 17000 ->
     * 370.37 and 629.63 -> 370 and 630 (largest remainder). */
    KT_CHECK_INT(P.lr[1].offer_discount_minor, 3000 + 630);
    KT_CHECK_INT(P.lr[0].offer_discount_minor, 370);
    KT_CHECK_INT(P.pr.offer_discount_by_offer[0], 3000);
    KT_CHECK_INT(P.pr.offer_discount_by_offer[1], 1000);
    KT_CHECK_INT(P.pr.offer_discount_minor, 4000);
    /* Spend on C01 after money offers: 9630 + 16370 = 26000 >= 25000: 100 points
     * on the first C01 line. Line 1 earns on 96.30 paid: 9 + promo 10 + 100. */
    KT_CHECK_INT(P.lr[0].earned, 9 + 10 + 100);
    KT_CHECK_INT(P.lr[1].earned, 16);
    /* Jacobs x3: 30 + 60. */
    KT_CHECK_INT(P.lr[2].earned, 90);
    KT_CHECK_INT(P.pr.offer_points_by_offer[2], 60);
    KT_CHECK_INT(P.pr.offer_points_by_offer[3], 100);
    KT_CHECK_INT(P.pr.offer_points_by_offer[4], 0);
    KT_CHECK_INT(P.pr.earned, 225);
    /* Contributions name the offers as -1 - index, with their funders. */
    bool seen_amount_off = false, seen_over = false;
    for (int k = 0; k < P.lr[0].ncontribs; k++) {
        const kt_contrib *c = &P.lr[0].contribs[k];
        if (c->rule == -2) {
            seen_amount_off = true;
            KT_CHECK_INT(c->discount_minor, 370);
            KT_CHECK_INT(c->funder_kind, 1);
            KT_CHECK_INT(c->funder_id, 1);
        }
        if (c->rule == -4) {
            seen_over = true;
            KT_CHECK_INT(c->points, 100);
        }
    }
    KT_CHECK(seen_amount_off && seen_over);
    /* Money offers never take a line below zero, and skip excluded lines. */
    offers[1].value = 10000000;
    kt_line wine[] = {mk(3, 10101, 20000), mk(1600, 90201, 50000)};
    wine[1].alcohol = true;
    offers[1].target = KT_TARGET_ANY;
    KT_CHECK_INT(price(rs, ctx, wine, 2, 0), KT_OK);
    KT_CHECK_INT(P.lr[0].to_pay_minor, 0);
    KT_CHECK_INT(P.lr[1].offer_discount_minor, 0);
    KT_CHECK_INT(P.lr[1].to_pay_minor, 50000);
    free(ctx);
    kt_rules_free(rs);
}

/* ---- conditions ------------------------------------------------------------------------------ */

KT_TEST(rules_conditions) {
    /* Each fixed-points rule gives a power of two: the total says which matched. */
    kt_ruleset *rs = must_q(
        "{'program':{'point_value_minor':10},'rules':["
        "{'id':'hours','stacking':'add','when':{'hours':{'from':'22:00','to':'06:00'}},'earn':{'fixed_points':1}},"
        "{'id':'weekend','stacking':'add','when':{'weekdays':[6,7]},'earn':{'fixed_points':2}},"
        "{'id':'march','stacking':'add','when':{'date_from':'2026-03-01','date_to':'2026-03-31'},'earn':{'fixed_points':4}},"
        "{'id':'store','stacking':'add','when':{'stores':['S010','S002']},'earn':{'fixed_points':8}},"
        "{'id':'anon','stacking':'add','when':{'identified':false},'earn':{'fixed_points':16}},"
        "{'id':'pharmacy','stacking':'add','when':{'partner_store':['Аптеки «Здоровье»']},'earn':{'fixed_points':32}},"
        "{'id':'parmalat','stacking':'add','when':{'brands':['Parmalat']},'earn':{'fixed_points':64}},"
        "{'id':'supplier','stacking':'add','when':{'suppliers':['ООО «Бакалея-Центр»']},'earn':{'fixed_points':128}},"
        "{'id':'big','stacking':'add','when':{'min_receipt_minor':100000},'earn':{'fixed_points':256}},"
        "{'id':'not_fav','stacking':'add','when':{'favourite_category':false,'skus':['P000013']},'earn':{'fixed_points':512}}]}");
    kt_price_ctx *ctx = new_ctx();
    kt_line l[] = {mk(3, 10101, 10000)};
    KT_CHECK_INT(price(rs, ctx, l, 1, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, 4);
    ctx->minute_of_day = 23 * 60 + 59;
    ctx->day = D(2026, 3, 14); /* Saturday */
    ctx->store_id = 10;
    ctx->partner_id = 2;
    ctx->identified = false;
    KT_CHECK_INT(price(rs, ctx, l, 1, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, 1 + 2 + 4 + 8 + 16 + 32);
    ctx->minute_of_day = 6 * 60;
    ctx->day = D(2026, 4, 1);
    ctx->store_id = 3;
    ctx->partner_id = 1;
    ctx->identified = true;
    kt_line l2[] = {mk(13, 10101, 10000), mk(1302, 70201, 90000)};
    KT_CHECK_INT(price(rs, ctx, l2, 2, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, 64 + 128 + 256 + 512);
    KT_CHECK_INT(P.lr[0].earned, 64 + 256 + 512);
    ctx->favourite_category_id = 10101;
    KT_CHECK_INT(price(rs, ctx, l2, 2, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, 64 + 128 + 256);
    free(ctx);
    kt_rules_free(rs);
}

/* More contributions than the explanation holds: they join an entry with the
 * same funder, and the per-rule totals stay exact. */
KT_TEST(rules_many_contributions) {
    char q[4096];
    size_t n = (size_t)snprintf(q, sizeof q, "{'program':{'point_value_minor':10},'rules':["
                                             "{'id':'base','stacking':'replace','earn':{'points':1,'per_amount_minor':1000}}");
    for (int i = 0; i < 11; i++)
        n += (size_t)snprintf(q + n, sizeof q - n, ",{'id':'add%d','stacking':'add','earn':{'points_per_unit':%d}}", i, i + 1);
    snprintf(q + n, sizeof q - n, "]}");
    kt_ruleset *rs = must_q(q);
    kt_price_ctx *ctx = new_ctx();
    kt_line l[] = {mk(3, 10101, 10000)};
    KT_CHECK_INT(price(rs, ctx, l, 1, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, 10 + 66);
    KT_CHECK_INT(P.lr[0].ncontribs, KT_LINE_CONTRIBS_MAX);
    for (int i = 0; i < 11; i++) KT_CHECK_INT(P.pr.earned_by_rule[1 + i], i + 1);
    free(ctx);
    kt_rules_free(rs);
}

/* ---- bad documents ------------------------------------------------------------------------- */

typedef struct bad_doc {
    const char *doc;
    kt_rc rc;
    const char *field;
    const char *msg_part;
} bad_doc;

#define PROG "'program':{'point_value_minor':10}"
#define BASE "{'id':'base','stacking':'replace','earn':{'points':1,'per_amount_minor':1000}}"

static const bad_doc bad_docs[] = {
    {"not json", KT_EINVAL, "$", "not a JSON document"},
    {"[]", KT_EINVAL, "$", "expected an object"},
    {"{" PROG ",'rules':[],'rule':[]}", KT_EINVAL, "$.rule", "unknown key (expected one of: program, tiers, rules)"},
    {"{" PROG ",'rules':[],'rules':[]}", KT_EINVAL, "$", "duplicate"},
    {"{'rules':[]}", KT_EINVAL, "$.program", "missing"},
    {"{" PROG "}", KT_EINVAL, "$.rules", "missing"},
    {"{" PROG ",'rules':{}}", KT_EINVAL, "$.rules", "expected an array"},
    {"{'program':{},'rules':[]}", KT_EINVAL, "$.program.point_value_minor", "missing"},
    {"{'program':{'point_value_minor':0},'rules':[]}", KT_EINVAL, "$.program.point_value_minor", "out of range"},
    {"{'program':{'point_value_minor':'10'},'rules':[]}", KT_EINVAL, "$.program.point_value_minor", "found a string"},
    {"{'program':{'point_value_minor':10.5},'rules':[]}", KT_EINVAL, "$.program.point_value_minor", "fraction"},
    {"{'program':{'point_value_minor':10,'cashback':true},'rules':[]}", KT_EINVAL, "$.program.point_value_minor", "must be 100"},
    {"{'program':{'point_value_minor':10,'cashback':1},'rules':[]}", KT_EINVAL, "$.program.cashback", "true or false"},
    {"{'program':{'point_value_minor':10,'rounding':'up'},'rules':[]}", KT_EINVAL, "$.program.rounding", "\"floor\", \"round_half_up\", \"ceil\""},
    {"{'program':{'point_value_minor':10,'rounding_scope':'basket'},'rules':[]}", KT_EINVAL, "$.program.rounding_scope", NULL},
    {"{'program':{'point_value_minor':10,'earn_on':'net'},'rules':[]}", KT_EINVAL, "$.program.earn_on", NULL},
    {"{'program':{'point_value_minor':10,'expiry_days':-1},'rules':[]}", KT_EINVAL, "$.program.expiry_days", NULL},
    {"{'program':{'point_value_minor':10,'pending_days':1000},'rules':[]}", KT_EINVAL, "$.program.pending_days", NULL},
    {"{'program':{'point_value_minor':10,'refund_policy':'keep'},'rules':[]}", KT_EINVAL, "$.program.refund_policy", NULL},
    {"{'program':{'point_value_minor':10,'redemption':{'cap_share_bp':10001}},'rules':[]}", KT_EINVAL, "$.program.redemption.cap_share_bp", NULL},
    {"{'program':{'point_value_minor':10,'redemption':{'cap':5000}},'rules':[]}", KT_EINVAL, "$.program.redemption.cap", "unknown key"},
    {"{'program':{'point_value_minor':10,'redemption':true},'rules':[]}", KT_EINVAL, "$.program.redemption", "expected an object"},
    {"{'program':{'point_value_minor':10,'birthday':{'feb29':'mar2'}},'rules':[]}", KT_EINVAL, "$.program.birthday.feb29", NULL},
    {"{'program':{'point_value_minor':10,'birthday':{'window_days_after':91}},'rules':[]}", KT_EINVAL, "$.program.birthday.window_days_after", NULL},
    {"{'program':{'point_value_minor':10,'exclude':{'alcohol':true,'categories':[]}},'rules':[]}", KT_EINVAL, "$.program.exclude.categories", "empty list"},
    {"{'program':{'point_value_minor':10,'exclude':{'skus':[1]}},'rules':[]}", KT_EINVAL, "$.program.exclude.skus[0]", "expected a string"},
    {"{'program':{'point_value_minor':10,'exclude':{'skus':['']}},'rules':[]}", KT_EINVAL, "$.program.exclude.skus[0]", "empty string"},
    {"{'program':{'point_value_minor':10,'exclude_earn':{'brands':['x']}},'rules':[]}", KT_EINVAL, "$.program.exclude_earn.brands", "unknown key"},
    {"{'program':{'point_value_minor':10,'slip_message':'{earn}'},'rules':[]}", KT_EINVAL, "$.program.slip_message", "unknown placeholder {earn}"},
    {"{'program':{'point_value_minor':10,'slip_message':'a } b'},'rules':[]}", KT_EINVAL, "$.program.slip_message", NULL},
    {"{'program':{'point_value_minor':10,'slip_message':'a { b'},'rules':[]}", KT_EINVAL, "$.program.slip_message", "not closed"},
    {"{" PROG ",'tiers':[{'id':'a','min_spend_minor':0}],'rules':[]}", KT_EINVAL, "$.program.tier_window_days", NULL},
    {"{'program':{'point_value_minor':10,'tier_window_days':365},'tiers':[{'id':'a','min_spend_minor':10},{'id':'b','min_spend_minor':10}],'rules':[]}",
     KT_EINVAL, "$.tiers[1].min_spend_minor", "tiers go up"},
    {"{'program':{'point_value_minor':10,'tier_window_days':365},'tiers':[{'id':'a','min_spend_minor':0},{'id':'a','min_spend_minor':10}],'rules':[]}",
     KT_EINVAL, "$.tiers[1].id", "duplicate tier id"},
    {"{'program':{'point_value_minor':10,'tier_window_days':365},'tiers':[{'id':'a'}],'rules':[]}", KT_EINVAL, "$.tiers[0].min_spend_minor", "missing"},
    {"{'program':{'point_value_minor':10,'tier_window_days':365},'tiers':[{'id':'a','min_spend_minor':0,'rate':2}],'rules':[]}", KT_EINVAL, "$.tiers[0].rate", NULL},
    {"{" PROG ",'rules':[{'stacking':'replace','earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].id", "missing"},
    {"{" PROG ",'rules':[{'id':'','stacking':'replace','earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].id", "empty rule id"},
    {"{" PROG ",'rules':[{'id':'a b','stacking':'replace','earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].id", "letters"},
    {"{" PROG ",'rules':[" BASE "," BASE "]}", KT_EINVAL, "$.rules[1].id", "duplicate rule id \"base\" (also $.rules[0].id)"},
    {"{" PROG ",'rules':[7]}", KT_EINVAL, "$.rules[0]", "expected an object"},
    {"{" PROG ",'rules':[{'id':'a','earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].stacking", "missing"},
    {"{" PROG ",'rules':[{'id':'a','stacking':'stack','earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].stacking", "\"replace\", \"add\""},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add'}]}", KT_EINVAL, "$.rules[0].earn", "missing"},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','priority':1.5,'earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].priority", NULL},
    {"{" PROG ",'rules':[" BASE ",{'id':'b','stacking':'add','earn':{'fixed_points':1}},{'id':'c','stacking':'add','earn':{'pionts':1}}]}",
     KT_EINVAL, "$.rules[2].earn.pionts", "unknown key (expected one of: points, per_amount_minor, points_per_unit, multiplier_pct, fixed_points)"},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','earn':{'points':1}}]}", KT_EINVAL, "$.rules[0].earn.per_amount_minor", "missing"},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','earn':{'per_amount_minor':1000}}]}", KT_EINVAL, "$.rules[0].earn.points", "missing"},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','earn':{'points':1,'per_amount_minor':0}}]}", KT_EINVAL, "$.rules[0].earn.per_amount_minor", "out of range"},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','earn':{'points':1,'per_amount_minor':10,'multiplier_pct':200}}]}",
     KT_EINVAL, "$.rules[0].earn.multiplier_pct", "cannot be combined"},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','earn':{}}]}", KT_EINVAL, "$.rules[0].earn", "expected one effect"},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','earn':{'multiplier_pct':50}}]}", KT_EINVAL, "$.rules[0].earn.multiplier_pct", "out of range"},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','earn':{'points_per_unit':-1}}]}", KT_EINVAL, "$.rules[0].earn.points_per_unit", NULL},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','when':{'sku':['P000001']},'earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].when.sku", "unknown key"},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','when':[],'earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].when", "expected an object"},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','when':{'birthday':'yes'},'earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].when.birthday", NULL},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','when':{'skus':'P000001'},'earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].when.skus", "expected an array"},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','when':{'weekdays':[1,8]},'earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].when.weekdays[1]", NULL},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','when':{'weekdays':[]},'earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].when.weekdays", NULL},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','when':{'hours':{'from':'10:00','to':'25:00'}},'earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].when.hours.to", NULL},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','when':{'hours':{'from':'10:00','to':'10:00'}},'earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].when.hours.to", "empty window"},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','when':{'hours':{'from':'9:00','to':'10:00'}},'earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].when.hours.from", "HH:MM"},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','when':{'hours':{'to':'10:00'}},'earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].when.hours.from", "missing"},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','when':{'date_from':'2026-02-30'},'earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].when.date_from", NULL},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','when':{'date_from':'2026-03-02','date_to':'2026-03-01'},'earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].when.date_to", "before date_from"},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','when':{'tier':'gold'},'earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].when.tier", "no tiers"},
    {"{'program':{'point_value_minor':10,'tier_window_days':30},'tiers':[{'id':'silver','min_spend_minor':0}],'rules':[{'id':'a','stacking':'add','when':{'tier_min':'gold'},'earn':{'fixed_points':1}}]}",
     KT_EINVAL, "$.rules[0].when.tier_min", "unknown tier (expected one of: silver)"},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','when':{'partner_store':'some'},'earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].when.partner_store", NULL},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','when':{'partner_store':[]},'earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].when.partner_store", "empty list"},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','funded_by':'bank','earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].funded_by", NULL},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','funded_by':'supplier:','earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].funded_by", NULL},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','limit':{'per_member_per_day':-5},'earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].limit.per_member_per_day", NULL},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','limit':{'per_day':5},'earn':{'fixed_points':1}}]}", KT_EINVAL, "$.rules[0].limit.per_day", NULL},
    {"{" PROG ",'rules':[],'a b':1}", KT_EINVAL, "$[\"a b\"]", "unknown key"},
    /* Names the catalogue does not know: not found, with the path of the name. */
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','when':{'skus':['P000001','P999999']},'earn':{'fixed_points':1}}]}", KT_ENOTFOUND, "$.rules[0].when.skus[1]", "unknown SKU \"P999999\""},
    {"{'program':{'point_value_minor':10,'exclude':{'categories':['C01','X']}},'rules':[]}", KT_ENOTFOUND, "$.program.exclude.categories[1]", "unknown category"},
    {"{" PROG ",'rules':[" BASE ",{'id':'a','stacking':'add','when':{'brands':['Nope']},'earn':{'fixed_points':1}}]}", KT_ENOTFOUND, "$.rules[1].when.brands[0]", NULL},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','when':{'suppliers':['Nope']},'earn':{'fixed_points':1}}]}", KT_ENOTFOUND, "$.rules[0].when.suppliers[0]", NULL},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','when':{'stores':['X1']},'earn':{'fixed_points':1}}]}", KT_ENOTFOUND, "$.rules[0].when.stores[0]", "unknown store"},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','when':{'partner_store':['Nope']},'earn':{'fixed_points':1}}]}", KT_ENOTFOUND, "$.rules[0].when.partner_store[0]", "unknown partner"},
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','funded_by':'supplier:Nope','earn':{'fixed_points':1}}]}", KT_ENOTFOUND, "$.rules[0].funded_by", "unknown supplier"},
    /* An invalid document is reported before an unknown name (lower error number first). */
    {"{" PROG ",'rules':[{'id':'a','stacking':'add','when':{'skus':['P999999']},'earn':{'fixed_points':1}},{'id':'b'}]}", KT_EINVAL, "$.rules[1].stacking", NULL},
};

KT_TEST(rules_bad_documents) {
    for (size_t i = 0; i < KT_ARRAY_LEN(bad_docs); i++) {
        const bad_doc *b = &bad_docs[i];
        kt_rc rc;
        kt_err err;
        memset(&err, 0, sizeof err);
        kt_ruleset *rs = compile_q(b->doc, &rc, &err);
        bool ok = rc == b->rc && err.code == b->rc && strcmp(err.field, b->field) == 0 &&
                  (!b->msg_part || strstr(err.msg, b->msg_part)) && rs == NULL;
        if (!ok) fprintf(stderr, "  case %zu %s\n    got %s at %s: %s\n", i, b->doc, kt_strerror(rc), err.field, err.msg);
        KT_CHECK(ok);
        kt_rules_free(rs);
    }
}

KT_TEST(rules_too_many_rules) {
    size_t cap = 64 * (KT_RULES_MAX + 2);
    char *q = malloc(cap);
    size_t n = (size_t)snprintf(q, cap, "{" PROG ",'rules':[");
    for (int i = 0; i <= KT_RULES_MAX; i++)
        n += (size_t)snprintf(q + n, cap - n, "%s{'id':'r%d','stacking':'add','earn':{'fixed_points':1}}", i ? "," : "", i);
    snprintf(q + n, cap - n, "]}");
    kt_rc rc;
    kt_err err;
    kt_ruleset *rs = compile_q(q, &rc, &err);
    KT_CHECK_INT(rc, KT_EINVAL);
    KT_CHECK_STR(err.field, "$.rules");
    KT_CHECK(rs == NULL);
    /* Exactly the limit compiles, and bitmaps past the first word work. */
    char *last = strstr(q, ",{'id':'r256'");
    KT_CHECK(last != NULL);
    if (last) strcpy(last, "]}");
    rs = compile_q(q, &rc, &err);
    KT_CHECK_INT(rc, KT_OK);
    if (rs) {
        kt_price_ctx *ctx = new_ctx();
        kt_line l[] = {mk(3, 10101, 10000)};
        KT_CHECK_INT(price(rs, ctx, l, 1, 0), KT_OK);
        KT_CHECK_INT(P.pr.earned, KT_RULES_MAX);
        KT_CHECK_INT(P.pr.earned_by_rule[KT_RULES_MAX - 1], 1);
        free(ctx);
    }
    kt_rules_free(rs);
    free(q);
}

KT_TEST(rules_no_resolver) {
    kt_ruleset *rs = NULL;
    kt_err err;
    const char *doc = "{\"program\":{\"point_value_minor\":10},\"rules\":[{\"id\":\"a\",\"stacking\":\"add\","
                      "\"when\":{\"skus\":[\"P000001\"]},\"earn\":{\"fixed_points\":1}}]}";
    KT_CHECK_INT(kt_rules_compile(doc, strlen(doc), 1, NULL, NULL, &rs, &err), KT_ENOTFOUND);
    KT_CHECK_STR(err.field, "$.rules[0].when.skus[0]");
    KT_CHECK(rs == NULL);
    /* Not a document at all; a NUL inside the text. */
    KT_CHECK_INT(kt_rules_compile("{\"program\"\0", 11, 1, fake_resolve, NULL, &rs, &err), KT_EINVAL);
    KT_CHECK_INT(kt_rules_compile("", 0, 1, fake_resolve, NULL, &rs, &err), KT_EINVAL);
    KT_CHECK_STR(err.field, "$");
}

/* ---- bad baskets ------------------------------------------------------------------------------ */

KT_TEST(rules_bad_baskets) {
    kt_ruleset *rs = load_example("seed.json");
    kt_price_ctx *ctx = new_ctx();
    kt_line l[] = {mk(3, 10101, 10000), mk(5, 10101, 10000)};
    l[1].amount_minor = -1;
    KT_CHECK_INT(price(rs, ctx, l, 2, 0), KT_EINVAL);
    KT_CHECK_STR(P.err.field, "lines[1].amount_minor");
    l[1].amount_minor = 1;
    l[1].qty_milli = -1000;
    KT_CHECK_INT(price(rs, ctx, l, 2, 0), KT_EINVAL);
    KT_CHECK_STR(P.err.field, "lines[1].qty_milli");
    l[1].qty_milli = 1000;
    l[0].amount_minor = INT64_MAX;
    KT_CHECK_INT(price(rs, ctx, l, 2, 0), KT_EINVAL); /* the total overflows */
    l[0].amount_minor = 10000;
    kt_offer bad = {.id = 1, .kind = KT_OFFER_PERCENT_OFF, .value = 10001};
    ctx->offers = &bad;
    ctx->noffers = 1;
    KT_CHECK_INT(price(rs, ctx, l, 2, 0), KT_EINVAL);
    KT_CHECK_STR(P.err.field, "offers[0].value");
    bad = (kt_offer){.id = 1, .kind = KT_OFFER_POINTS_MULTIPLIER, .target = KT_TARGET_SKU, .value = 200};
    KT_CHECK_INT(price(rs, ctx, l, 2, 0), KT_EINVAL);
    KT_CHECK_STR(P.err.field, "offers[0].target_id");
    ctx->noffers = KT_OFFERS_MAX + 1;
    KT_CHECK_INT(price(rs, ctx, l, 2, 0), KT_EINVAL);
    ctx->noffers = 0;
    ctx->minute_of_day = 1440;
    KT_CHECK_INT(price(rs, ctx, l, 2, 0), KT_EINVAL);
    KT_CHECK_STR(P.err.field, "minute_of_day");
    ctx->minute_of_day = 0;
    kt_line_result lr[1];
    kt_price_result pr;
    kt_err err;
    KT_CHECK_INT(kt_rules_price(rs, ctx, l, KT_BASKET_LINES_MAX + 1, 0, lr, &pr, &err), KT_EINVAL);
    /* An empty basket is fine. */
    KT_CHECK_INT(price(rs, ctx, l, 0, -1), KT_OK);
    KT_CHECK_INT(P.pr.earned, 0);
    /* Huge amounts: earning that overflows is an error, never a wrap. Points
     * are worked in millionths, so a line can earn up to about 9.2e12 points. */
    kt_line huge[] = {mk(3, 10101, INT64_MAX / 2)};
    KT_CHECK_INT(price(rs, ctx, huge, 1, 0), KT_EINVAL);
    KT_CHECK_STR(P.err.field, "lines");
    huge[0].amount_minor = INT64_C(1000000000000000); /* ten trillion roubles: 1e12 points */
    KT_CHECK_INT(price(rs, ctx, huge, 1, 0), KT_OK);
    KT_CHECK_INT(P.pr.earned, INT64_C(1000000000000));
    ctx->available_points = INT64_MAX;
    KT_CHECK_INT(price(rs, ctx, huge, 1, -1), KT_OK);
    KT_CHECK_INT(P.pr.redeemed, INT64_C(100000000000000));
    ctx->available_points = 0;
    free(ctx);
    kt_rules_free(rs);
}

/* A large basket: every line priced, sums hold, per-receipt rounding across 1000 lines. */
KT_TEST(rules_large_basket) {
    kt_ruleset *rs = must_q("{'program':{'point_value_minor':10,'rounding_scope':'receipt','rounding':'round_half_up'},"
                            "'rules':[{'id':'base','stacking':'replace','earn':{'points':1,'per_amount_minor':1000}}]}");
    kt_price_ctx *ctx = new_ctx();
    ctx->available_points = 1000000;
    size_t n = KT_BASKET_LINES_MAX;
    kt_line *l = calloc(n, sizeof *l);
    kt_line_result *lr = calloc(n, sizeof *lr);
    kt_price_result *pr = calloc(1, sizeof *pr);
    kt_money total = 0;
    for (size_t i = 0; i < n; i++) {
        l[i] = mk((int64_t)i % 50 + 1, 10101, (kt_money)(i * 37 % 1000) + 150);
        total += l[i].amount_minor;
    }
    kt_err err;
    KT_CHECK_INT(kt_rules_price(rs, ctx, l, n, 12345, lr, pr, &err), KT_OK);
    KT_CHECK_INT(pr->total_minor, total);
    KT_CHECK_INT(pr->redeemed, 12345);
    kt_points e = 0, r = 0;
    kt_money paid = 0;
    for (size_t i = 0; i < n; i++) e += lr[i].earned, r += lr[i].redeemed, paid += lr[i].to_pay_minor;
    KT_CHECK_INT(e, pr->earned);
    KT_CHECK_INT(r, 12345);
    KT_CHECK_INT(paid, total - 123450);
    /* Per receipt: the total is the rounded sum of what was paid at 1 per 10 roubles. */
    KT_CHECK_INT(pr->earned, (paid + 500) / 1000);
    free(l);
    free(lr);
    free(pr);
    free(ctx);
    kt_rules_free(rs);
}

/* ---- threads share one compiled set ------------------------------------------------------------ */

typedef struct thread_arg {
    const kt_ruleset *rs;
    kt_points earned;
    int failures;
} thread_arg;

static void *price_many(void *p) {
    thread_arg *a = p;
    kt_price_ctx *ctx = new_ctx();
    ctx->favourite_category_id = 101;
    kt_line l[] = {mk(1, 10101, 12345), mk(1302, 70201, 54321), mk(1589, 90101, 10000)};
    l[2].alcohol = true;
    kt_line_result lr[3];
    kt_price_result *pr = malloc(sizeof *pr);
    kt_err err;
    for (int i = 0; i < 2000; i++) {
        if (kt_rules_price(a->rs, ctx, l, 3, 0, lr, pr, &err) != KT_OK || pr->earned != a->earned) a->failures++;
    }
    free(pr);
    free(ctx);
    return NULL;
}

KT_TEST(rules_shared_between_threads) {
    kt_ruleset *rs = load_example("seed.json");
    if (!rs) return;
    /* 4 * 123.45 / 10 = 49 + promo 10; 54 for the coffee; the wine earns nothing. */
    thread_arg args[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (thread_arg){rs, 49 + 10 + 54, 0};
        KT_CHECK(pthread_create(&th[i], NULL, price_many, &args[i]) == 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        KT_CHECK_INT(args[i].failures, 0);
    }
    kt_rules_free(rs);
}
