/*
 * rules.h - the loyalty program's rules: a versioned JSON document, validated
 * with errors that name the JSON path, compiled once into lookup tables, and
 * evaluated on a basket with no parsing and no allocation per line.
 *
 * Owns: a compiled rule set (kt_ruleset) and everything inside it, from
 * kt_rules_compile to kt_rules_free. Borrows: the document text (only during
 * compile), the resolver (only during compile), and the basket, context and
 * result passed to kt_rules_price (the result is written into caller memory).
 * Errors: KT_EINVAL with err->field = the JSON path ("$.rules[3].earn.points")
 * and err->msg = the reason; KT_ENOTFOUND when the document names a SKU,
 * category, brand, supplier, store or partner the resolver does not know
 * (field = the JSON path). Pricing never fails for a well-formed basket; a
 * basket whose arithmetic overflows is KT_EINVAL.
 *
 * The document language is specified in docs/rules.md; examples/rules/seed.json
 * is the seed program (P1-P5).
 */
#ifndef KT_RULES_H
#define KT_RULES_H
#include "core/kt.h"

#define KT_RULES_MAX 256          /* rules in one version: a program has tens */
#define KT_RULE_ID_MAX 64         /* "birthday_x4" */
#define KT_BASKET_LINES_MAX 1000  /* lines in one receipt; a hypermarket receipt has < 300 */
#define KT_LINE_CONTRIBS_MAX 8    /* rules/offers credited on one line in the explanation */
#define KT_OFFERS_MAX 64          /* personal offers considered for one basket */
#define KT_CATEGORY_DEPTH_MAX 8   /* levels of the category tree */

typedef struct kt_ruleset kt_ruleset;

/* ---- compile ------------------------------------------------------------- */

/* Names in a rule document are resolved to dense ids when it is compiled.
 * kind: 's' SKU -> product id, 'c' category code -> category id, 'b' brand
 * name -> brand id, 'u' supplier name -> supplier id, 't' store code -> store
 * id, 'p' partner name -> partner id. Return KT_OK and *id, or KT_ENOTFOUND. */
typedef kt_rc (*kt_rules_resolve_fn)(void *ctx, char kind, const char *name, int64_t *id);

/* Parse, validate and compile a document. version is stamped on the set and
 * on every priced result. */
kt_rc kt_rules_compile(const char *json, size_t len, int64_t version, kt_rules_resolve_fn resolve,
                       void *resolve_ctx, kt_ruleset **out, kt_err *err);
void kt_rules_free(kt_ruleset *rs);
int64_t kt_rules_version(const kt_ruleset *rs);

/* Program settings the checkout layer needs outside pricing. */
typedef enum { KT_REFUND_NEGATIVE_BALANCE, KT_REFUND_DEDUCT_FROM_MONEY } kt_refund_policy;
typedef struct kt_program {
    kt_money point_value_minor;   /* money one point pays: 10 kopecks in the seed program */
    int pending_days;             /* earned points become spendable after this many days */
    int expiry_days;              /* a lot's last valid day is this many days after it becomes
                                     spendable (earned day + pending_days); 0: never expires */
    kt_refund_policy refund_policy;
    int tier_window_days;         /* rolling window of spend for tiers; 0: no tiers */
    bool cashback;                /* a cashback program: 1 point = 1 unit of money (point_value_minor 100) */
} kt_program;
const kt_program *kt_rules_program(const kt_ruleset *rs);

/* ---- price ---------------------------------------------------------------- */

/* One basket line, its product already resolved by the caller. */
typedef struct kt_line {
    int64_t product_id;           /* 0: unknown SKU, priced by base rules only */
    int64_t category_path[KT_CATEGORY_DEPTH_MAX]; /* leaf first, then ancestors; 0-terminated */
    int64_t brand_id, supplier_id;/* 0 when none */
    bool alcohol, tobacco;
    int64_t qty_milli;            /* quantity in thousandths (1 piece = 1000; 0.532 kg = 532) */
    kt_money price_minor;         /* unit price */
    kt_money amount_minor;        /* line amount after shelf discounts, before points and offers */
} kt_line;

/* A personal offer of the member (P7), loaded by the caller. */
typedef enum { KT_OFFER_PERCENT_OFF, KT_OFFER_AMOUNT_OFF, KT_OFFER_POINTS_MULTIPLIER, KT_OFFER_POINTS_OVER_SPEND } kt_offer_kind;
typedef enum { KT_TARGET_ANY, KT_TARGET_SKU, KT_TARGET_CATEGORY, KT_TARGET_BRAND } kt_offer_target;
typedef struct kt_offer {
    int64_t id;
    kt_offer_kind kind;
    kt_offer_target target;
    int64_t target_id;            /* product, category or brand id */
    int64_t value;                /* percent in basis points (1500 = 15%); money off in minor units;
                                     multiplier in percent (200 = x2); points for OVER_SPEND */
    kt_money threshold_minor;     /* OVER_SPEND: spend on target lines at least this */
    int64_t funder_kind;          /* 0 program, 1 supplier, 2 partner: who pays the discount or points */
    int64_t funder_id;
} kt_offer;

/* What the caller knows about the member and the moment. */
typedef struct kt_price_ctx {
    kt_day day;                   /* local calendar day of the receipt at the store */
    int minute_of_day;            /* local 0..1439 */
    int64_t store_id, partner_id; /* partner_id 0 for own stores */
    bool identified;              /* a member is known (card or phone) */
    kt_day birth_day;             /* KT_DAY_NONE if unknown */
    int64_t favourite_category_id;/* 0 if none */
    kt_money tier_spend_minor;    /* the member's spend over the tier window before this receipt */
    kt_points available_points;   /* spendable balance now */
    kt_points earned_today[KT_RULES_MAX]; /* points already earned today per rule index, for daily limits */
    const kt_offer *offers;       /* the member's active offers valid today (coupon ones only if shown) */
    size_t noffers;
} kt_price_ctx;

/* One rule's or offer's part in a line. Only parts that give something are
 * listed. If a line has more than KT_LINE_CONTRIBS_MAX, a part joins an entry
 * with the same funder (funding stays exact; use kt_price_result's per-rule
 * and per-offer totals, which are always exact, for anything by rule or offer). */
typedef struct kt_contrib {
    int16_t rule;                 /* rule index (kt_rules_rule_id), or -1 - offer index */
    kt_points points;
    int8_t funder_kind;           /* 0 program, 1 supplier, 2 partner */
    int64_t funder_id;            /* supplier or partner id */
    kt_money discount_minor;      /* money off the line (PERCENT_OFF, AMOUNT_OFF offers) */
} kt_contrib;

typedef struct kt_line_result {
    kt_points earned;             /* points this line earns */
    kt_points redeemed;           /* points that paid for part of this line */
    kt_money points_discount_minor;  /* = redeemed * point value */
    kt_money offer_discount_minor;   /* personal offers' money off */
    kt_money to_pay_minor;        /* amount - discounts */
    bool excluded;                /* alcohol/tobacco or otherwise excluded from earning and paying */
    uint8_t ncontribs;
    kt_contrib contribs[KT_LINE_CONTRIBS_MAX];
} kt_line_result;

typedef struct kt_price_result {
    int64_t rules_version;
    kt_points earned, redeemable, redeemed;
    kt_money total_minor, points_discount_minor, offer_discount_minor, to_pay_minor;
    kt_points earned_by_rule[KT_RULES_MAX]; /* for daily limits and explanation */
    int tier;                     /* index of the member's tier, -1 none */
    kt_money offer_discount_by_offer[KT_OFFERS_MAX]; /* money off each offer gave (index of ctx->offers) */
    kt_points offer_points_by_offer[KT_OFFERS_MAX];  /* points each offer gave */
    char message[256];            /* slip message in the program's language */
} kt_price_result;

/* Price a basket: earning per line by the rules and offers, then redemption of
 * up to `redeem` points (capped by the available balance and the program's
 * cap; redeem < 0 asks for the most allowed). lines_out has nlines entries.
 * Order of work (docs/rules.md): money offers, redemption, earning (on the
 * money paid when earn_on is "paid"), rounding, daily limits. Allocates
 * nothing; uses about 90 KB of stack. KT_EINVAL names the bad input
 * ("lines[3].amount_minor", "offers[1].value", "minute_of_day"). */
kt_rc kt_rules_price(const kt_ruleset *rs, const kt_price_ctx *ctx, const kt_line *lines, size_t nlines,
                     kt_points redeem, kt_line_result *lines_out, kt_price_result *out, kt_err *err);

/* For explanations: a rule's id string and name by index (NULL out of range). */
const char *kt_rules_rule_id(const kt_ruleset *rs, int index);
const char *kt_rules_rule_name(const kt_ruleset *rs, int index);
size_t kt_rules_count(const kt_ruleset *rs);
/* Tiers in ascending order of spend; a tier's id by index (NULL out of range). */
int kt_rules_tier_count(const kt_ruleset *rs);
const char *kt_rules_tier_id(const kt_ruleset *rs, int tier);

#endif
