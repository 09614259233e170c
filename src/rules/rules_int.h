/*
 * rules_int.h - inside the rule engine: the validated document (parse.c),
 * the compiled rule set (compile.c) and what pricing reads from it (price.c).
 * Not for use outside src/rules/; the contract is rules.h.
 *
 * A rule set is immutable once kt_rules_compile returns it: pricing only
 * reads it, so threads may share one.
 */
#ifndef KT_RULES_INT_H
#define KT_RULES_INT_H
#include "rules/rules.h"

#include <jansson.h>

#define KT_TIERS_MAX 16            /* tiers of a program: real ones have 3-5 */
#define KT_RULE_TEXT_MAX 200       /* bytes of a rule or tier name and of one list entry (a SKU, a supplier) */
#define KT_RULE_LIST_MAX 100000    /* entries of one list: a promo over a whole department */
#define KT_SLIP_MAX 200            /* bytes of the slip template: the message must fit its 256 bytes */
#define KT_SLIP_SEGMENTS_MAX 64    /* literal pieces and placeholders of the slip template */
#define KT_RULES_MICRO 1000000     /* fine precision: points are computed in millionths, then rounded */
#define KT_MASK_WORDS (KT_RULES_MAX / 64) /* a set of rules is a bitmap over their slots */
#define KT_DAYS_WINDOW_MAX 90      /* birthday window on either side */
_Static_assert(KT_RULES_MAX % 64 == 0, "rule bitmaps are whole words");
_Static_assert(KT_RULES_MAX <= INT16_MAX, "kt_contrib.rule holds a rule index");
_Static_assert(KT_OFFERS_MAX <= 64, "the offers targeting a line are a 64-bit set");
_Static_assert(KT_BASKET_LINES_MAX <= UINT16_MAX, "line indexes are 16-bit in scratch arrays");

enum kt_rules_rounding { KT_ROUND_FLOOR, KT_ROUND_HALF_UP, KT_ROUND_CEIL };

/* What an effect does; the group is also the unit of "replace". */
enum kt_rules_group { KT_GROUP_RATE, KT_GROUP_MULT, KT_GROUP_FIXED };

/* Who pays a rule's points. */
enum kt_rules_funder {
    KT_FUND_PROGRAM,        /* "program" */
    KT_FUND_LINE_SUPPLIER,  /* "supplier": the line's product supplier */
    KT_FUND_STORE_PARTNER,  /* "partner": the store's partner */
    KT_FUND_SUPPLIER,       /* "supplier:NAME" */
    KT_FUND_PARTNER,        /* "partner:NAME" */
};

/* when.partner_store */
enum kt_rules_partner_cond { KT_PS_ANY_STORE, KT_PS_PARTNER, KT_PS_OWN, KT_PS_LIST };

/* Exclusion bits of a line. */
#define KT_EX_EARN 1u
#define KT_EX_REDEEM 2u

/* Id tables: one per kind of name that a line carries. */
enum kt_rules_kind { KT_KIND_SKU, KT_KIND_CATEGORY, KT_KIND_BRAND, KT_KIND_SUPPLIER, KT_KIND_COUNT_ };

/* Slip template placeholders. */
enum kt_slip_var {
    KT_SLIP_TEXT, KT_SLIP_EARNED, KT_SLIP_REDEEMED, KT_SLIP_REDEEMABLE, KT_SLIP_TOTAL, KT_SLIP_TO_PAY,
    KT_SLIP_POINTS_DISCOUNT, KT_SLIP_OFFER_DISCOUNT, KT_SLIP_TIER,
};

/* A list of names borrowed from the parsed JSON (valid until it is freed). */
typedef struct kt_rules_names {
    const char **v;
    size_t n;
} kt_rules_names;

typedef struct kt_rules_excl_doc {
    bool alcohol, tobacco;
    kt_rules_names categories, skus;
} kt_rules_excl_doc;

/* One rule, as the engine evaluates it. Names of basket-level lists are
 * resolved into the sorted id arrays by compile.c. */
typedef struct kt_rule {
    char id[KT_RULE_ID_MAX];
    char *name;                   /* owned by the rule set */
    int index;                    /* position in the document */
    int slot;                     /* position in the bitmaps (group, stacking, priority order) */
    int64_t priority;
    uint8_t group;                /* enum kt_rules_group */
    bool replace;                 /* stacking: "replace" (true) or "add" */
    /* effect */
    int64_t points, per_amount_minor; /* points per that much money (per_amount_minor > 0) */
    int64_t points_per_unit;      /* per 1000 qty_milli */
    int64_t multiplier_pct;       /* 100..100000 */
    int64_t fixed_points;
    /* funding */
    uint8_t funder;               /* enum kt_rules_funder */
    int64_t funder_id;            /* KT_FUND_SUPPLIER / KT_FUND_PARTNER */
    int64_t limit_per_day;        /* points per member per day; < 0: no limit */
    /* basket-level conditions */
    bool has_basket_cond;
    int8_t birthday, identified;  /* -1: no condition, else the required value */
    uint8_t partner_mode;         /* enum kt_rules_partner_cond */
    int64_t *partners, *stores;   /* sorted, unique; owned */
    size_t npartners, nstores;
    int tier, tier_min;           /* tier index, -1: no condition */
    uint8_t weekdays;             /* bit d-1 for ISO weekday d; 0: any */
    int hours_from, hours_to;     /* minutes, [from, to) wrapping past midnight; -1: any */
    kt_day date_from, date_to;    /* KT_DAY_NONE: open */
    int64_t min_receipt_minor;    /* 0: none */
    /* line-level conditions other than the id lists (which live in the id tables) */
    int8_t favourite;             /* -1: no condition */
    bool has_list[KT_KIND_COUNT_];/* the rule has a skus/categories/brands/suppliers condition */
} kt_rule;

/* A rule as parsed: the rule plus the names it mentions. */
typedef struct kt_rule_doc {
    kt_rule r;
    const char *name;             /* borrowed; copied by compile */
    const char *funder_name;      /* "supplier:NAME" / "partner:NAME" */
    kt_rules_names partners, stores;
    kt_rules_names lists[KT_KIND_COUNT_];
} kt_rule_doc;

typedef struct kt_tier {
    char id[KT_RULE_ID_MAX];
    char *name;                   /* owned by the rule set; NULL in a doc (borrowed there via name_doc) */
    const char *name_doc;
    kt_money min_spend_minor;
} kt_tier;

typedef struct kt_slip_segment {
    uint8_t var;                  /* enum kt_slip_var */
    uint16_t off, len;            /* literal text in the template */
} kt_slip_segment;

/* Program settings (the pricing side of "program"). */
typedef struct kt_rules_settings {
    kt_program program;
    bool cashback;
    uint8_t rounding;             /* enum kt_rules_rounding */
    bool receipt_scope;           /* rounding_scope "receipt" */
    bool earn_on_paid;            /* earn_on "paid" */
    kt_money min_receipt_minor;   /* below it nothing is earned */
    uint8_t alcohol_excl, tobacco_excl; /* KT_EX_* bits */
    int64_t cap_share_bp;
    bool redeem_at_partners;
    kt_money redeem_min_receipt_minor;
    int birthday_before, birthday_after;
    bool feb29_mar1;
    char slip[KT_SLIP_MAX + 1];
    kt_slip_segment segs[KT_SLIP_SEGMENTS_MAX];
    int nsegs;
} kt_rules_settings;

/* The validated document. */
typedef struct kt_rules_doc {
    kt_rules_settings set;
    kt_rules_excl_doc excl[3];    /* [0] both, [1] earn only, [2] redeem only */
    kt_tier tiers[KT_TIERS_MAX];
    int ntiers;
    kt_rule_doc *rules;
    size_t nrules;
} kt_rules_doc;

/* parse.c: validate a parsed JSON document into *doc (which borrows strings
 * from root). On error *doc is freed and err names the JSON path. */
kt_rc kt_rules_parse(const json_t *root, kt_rules_doc *doc, kt_err *err);
void kt_rules_doc_free(kt_rules_doc *doc);

/* An id table entry: an id a rule or an exclusion names. */
typedef struct kt_id_entry {
    int64_t id;
    int32_t mask;                 /* row in kt_ruleset.masks, -1: no rule names this id */
    uint8_t excl;                 /* KT_EX_* bits */
} kt_id_entry;

typedef struct kt_id_table {
    kt_id_entry *e;               /* open addressing, linear probing; id 0 never stored */
    size_t cap;                   /* power of two, or 0 when empty */
    size_t n;
} kt_id_table;

struct kt_ruleset {
    int64_t version;
    kt_rules_settings set;
    kt_tier tiers[KT_TIERS_MAX];
    int ntiers;
    kt_rule *rules;               /* document order */
    size_t nrules;
    uint16_t slot_rule[KT_RULES_MAX]; /* rule index of each slot */
    int nwords;                   /* words of a rule bitmap in use */
    /* bitmaps over slots */
    uint64_t m_rate_replace[KT_MASK_WORDS], m_rate_add[KT_MASK_WORDS];
    uint64_t m_mult_replace[KT_MASK_WORDS], m_mult_add[KT_MASK_WORDS];
    uint64_t m_fixed_replace[KT_MASK_WORDS], m_fixed_add[KT_MASK_WORDS];
    uint64_t m_basket_free[KT_MASK_WORDS];          /* rules without basket-level conditions */
    uint64_t m_no_list[KT_KIND_COUNT_][KT_MASK_WORDS]; /* rules without that list */
    uint64_t m_fav_none[KT_MASK_WORDS], m_fav_true[KT_MASK_WORDS], m_fav_false[KT_MASK_WORDS];
    uint16_t *basket_rules;       /* slots of rules with basket-level conditions, in slot order */
    size_t nbasket_rules;
    uint16_t *limited;            /* indexes of rules with a daily limit */
    size_t nlimited;
    bool any_fixed;
    /* ids named by rules and exclusions */
    kt_id_table tab[KT_KIND_COUNT_];
    bool tab_needed[KT_KIND_COUNT_]; /* the table has exclusions, so it is read for every line */
    uint64_t *masks;              /* rows of nwords words */
};

#endif
