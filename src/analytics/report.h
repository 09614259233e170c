/*
 * report.h - the standard reports R1-R14 (`karta report NAME`): each is a
 * function that scans the columnar store through an analysis context
 * (actx.h) and writes one named table (aout.h). The catalogue kt_reports[]
 * names them, says which options each takes, and is what `karta report
 * --list` prints. docs/analytics.md ("Reports") has the same definitions
 * with examples.
 *
 * Common definitions (every report unless it says otherwise):
 *   range      receipts whose local day is in [from, to] (the filter's range,
 *              to cut at the as-of day) at the filter's stores
 *   sale       a receipt without the return flag; a sale line has qty >= 0
 *   receipts   number of sale receipts (returns are not purchases)
 *   sales      money of sale receipts minus money of returns (net), minor
 *              units, each return counted on its own day
 *   units      quantity of lines, sales minus returns, thousandths
 *   buyer      a member (not member 0, "no card") with a sale receipt
 *   member     an index of the member dimension (actx.h); the operational
 *              store's members are known with a profile (sex, birth day,
 *              city, region, registration day and store)
 *   periods    hour 0..23 (of the receipt's local minute); weekday 1..7
 *              (ISO, 1 = Monday); day YYYY-MM-DD; week: its Monday
 *              YYYY-MM-DD; month YYYY-MM
 *   shares     ratios as reals with 4 decimals; absent (null) when the
 *              denominator is 0
 *   averages   money averages, items_per_receipt (2 decimals),
 *              units_per_receipt (3) and receipts_per_member (2) are rounded
 *              half away from zero on integers, so their digits are exact
 *   ranks      1-based row numbers; ties broken by the member's external
 *              id ascending (byte order)
 *   age        full years on the as-of day; bands <18, 18-24, 25-34, 35-44,
 *              45-54, 55-64, 65+, and absent when the birth day is unknown
 *
 * Per report (column lists are the CSV header):
 *   R1 sales             period,receipts,lines,units,sales,members
 *        lines: sale lines; members: distinct buyers. A period appears when
 *        it holds any receipt or line of the range.
 *   R2 points            period,accrued,redeemed,expired,reversed,adjusted,outstanding
 *        from the ledger (member entries by the day of their transaction):
 *        accrued = accruals, redeemed = -redemptions, expired = -expiries,
 *        reversed = -refund reversals, adjusted = openings + corrections +
 *        merges (net), outstanding = all member entries up to the period's
 *        last day (the sum of balances then). Every period from the first
 *        to the last is listed.
 *   R3 demographics      GROUP...,members,buyers,buyer_share,share
 *        members: the operational store's members registered by the as-of
 *        day (with a store filter: registered at those stores), plus buyers
 *        it does not know; buyers in the range;
 *        buyer_share = buyers / members; share = buyers / all buyers listed
 *   R4 activity          period,members,new,buyers,new_buyers,active,active_share
 *        members: registered by the period's last day; new: registered in
 *        the period; buyers: with a sale in the period; new_buyers: whose
 *        first sale ever (to the as-of day, at the filter's stores) is in the
 *        period; active: with a sale in the `days` days ending on the
 *        period's last day (or the as-of day for the last period);
 *        active_share = active / members. Periods run from --from (default:
 *        the start of the period of the first receipt) to the as-of day.
 *   R5 product-loyalty   item[,GROUP...],buyers,repeat_buyers,repeat_share,sales,wallet_share
 *        per item of a level (sku, category, top, brand), from sale lines:
 *        buyers of the item; repeat buyers bought it on two or more
 *        receipts; sales: the item's sale-line money; wallet_share: that
 *        money / the same buyers' sale-line money on every item. Lines of
 *        products without a group at the level are left out.
 *   R6 stock             store,sku,units_sold,sales,avg_daily_units,stock_day,stock,days_cover
 *        (with total: sku,...) units and sales net over the range (default
 *        from: 27 days before to, i.e. four weeks); avg_daily_units = units
 *        / days of the range; stock: the last snapshot on or before the
 *        range's last day; days_cover = stock / avg_daily_units (absent when
 *        nothing sold or no snapshot). Rows: pairs with a sale or a snapshot.
 *   R7 store-dynamics    store,period,receipts,sales,prev_sales,change,change_share
 *        every period of the range for every store with a receipt in it;
 *        prev_sales: the store's sales in the previous period (absent for
 *        the first); change = sales - prev_sales; change_share =
 *        change / prev_sales
 *   R8 sales-by-profile  GROUP...,buyers,receipts,sales,share,avg_receipt,sales_per_buyer
 *        receipts and sales of members (member 0 left out); share = sales /
 *        all sales listed; avg_receipt = sales / receipts
 *   R9 items-per-receipt rank,member,receipts,items,items_per_receipt,units_per_receipt
 *        items: sale lines; ranked by items / receipts, most first (fewest
 *        first with fewest), among members with at least min_receipts sale
 *        receipts; units_per_receipt: sale-line units / receipts
 *   R10 top-receipts     rank,member,receipts,sales     ranked by receipts, most first
 *   R13 top-sales        rank,member,sales,receipts     ranked by sales, most first
 *        both among buyers of the range
 *   R11 inactive         member,registered,last_purchase,days_inactive,receipts,sales
 *        as of the as-of day over all history at the filter's stores:
 *        days_inactive = as-of - last sale day, or - the registration day
 *        for a known member without a sale; listed when >= days; most
 *        inactive first. With a store filter, members without a sale are
 *        listed only when they registered at one of those stores.
 *   R12 store-frequency  store,receipts,card_receipts,members,receipts_per_member,sales,avg_receipt
 *        card_receipts: sale receipts of members; members: distinct buyers
 *        at the store; receipts_per_member = card_receipts / members;
 *        avg_receipt = sales / receipts
 *   R14 registrations    store,period,registrations,buyers,receipts,receipts_here,here_share
 *        members registered in the range at the filter's stores (by the
 *        registration store; members without one appear with no store and
 *        only without a store filter); buyers: of them, with a sale receipt
 *        by the as-of day anywhere; receipts: their sale receipts;
 *        receipts_here: those at their registration store;
 *        here_share = receipts_here / receipts
 * GROUP columns (R3, R5, R8) are any of sex, age (the band), region, city of
 * the member's profile, in the order given; unknown values are absent.
 *
 * Owns nothing between calls. Memory: per-thread accumulators sized by the
 * member, store or period counts; distinct counts use bitsets of members per
 * period (refused above KT_REPORT_BITS_MAX bytes) or sorted pair lists.
 * Errors: those of the scans and the store; KT_EUSAGE for an option value
 * that cannot work (a range too long for distinct counts).
 */
#ifndef KT_REPORT_H
#define KT_REPORT_H
#include "core/kt.h"
#include "analytics/actx.h"
#include "analytics/aout.h"

/* Distinct-member bitsets (periods x members / 8 bytes) above this are refused. */
#define KT_REPORT_BITS_MAX ((size_t)4 << 30)
/* Stock snapshots per import are bounded by memory only; the stock file's
 * fields are short codes: */
#define KT_REPORT_STOCK_FIELD_MAX 64

typedef enum { KT_RPER_HOUR, KT_RPER_WEEKDAY, KT_RPER_DAY, KT_RPER_WEEK, KT_RPER_MONTH } kt_rperiod;

/* Profile grouping fields (R3, R5, R8), in the order given. */
typedef enum { KT_RGROUP_SEX, KT_RGROUP_AGE, KT_RGROUP_REGION, KT_RGROUP_CITY } kt_rgroup;
#define KT_RGROUPS_MAX 4

typedef struct kt_report_args {
    kt_afilter filter;        /* range and stores (from acli) */
    kt_day as_of;             /* the as-of day; KT_DAY_NONE on an empty store */
    /* --from, --to, --as-of as given, or KT_DAY_NONE: R2 ends at the ledger's
     * last day and R6 starts four weeks back when they are not given */
    kt_day from_opt, to_opt, as_of_opt;
    int threads;
    kt_rperiod by;            /* R1, R2, R4, R7, R14 */
    kt_rgroup groups[KT_RGROUPS_MAX];
    int ngroups;              /* R3, R5, R8 */
    int64_t top;              /* R9, R10, R11, R13: rows at most (0: all, R11 only) */
    bool fewest;              /* R9 */
    int64_t min_receipts;     /* R9 */
    int64_t days;             /* R4 active window, R11 inactivity */
    char sex;                 /* 'M', 'F' or 0: any (R3, R5, R8) */
    int age_from, age_to;     /* inclusive; -1: no bound */
    kt_alevel level;          /* R5 */
    bool total;               /* R6: per SKU over the stores */
} kt_report_args;

typedef kt_rc (*kt_report_fn)(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err);

/* Which options a report takes (besides --format, --as-of, --threads, --stats). */
enum {
    KT_RO_RANGE = 1 << 0,     /* --from/--to */
    KT_RO_STORE = 1 << 1,     /* --store/--region */
    KT_RO_BY_TIME = 1 << 2,   /* --by hour|weekday|day|week|month (R1) */
    KT_RO_BY_PERIOD = 1 << 3, /* --by day|week|month */
    KT_RO_BY_PROFILE = 1 << 4,/* --by sex,age,region,city */
    KT_RO_PROFILE = 1 << 5,   /* --sex, --age-from, --age-to */
    KT_RO_TOP = 1 << 6,
    KT_RO_FEWEST = 1 << 7,    /* --fewest, --min-receipts */
    KT_RO_DAYS = 1 << 8,
    KT_RO_LEVEL = 1 << 9,     /* --of */
    KT_RO_TOTAL = 1 << 10,
};

typedef struct kt_report {
    const char *name;         /* "sales" */
    int number;               /* 1 for R1 */
    const char *summary;      /* one line */
    const char *table;        /* the JSON key of its table */
    unsigned options;         /* KT_RO_* */
    kt_rperiod by_default;
    int64_t top_default, days_default;
    kt_report_fn run;
} kt_report;

extern const kt_report kt_reports[];
extern const size_t kt_report_count;

/* By name ("sales") or number ("r1", "R1"); NULL when unknown. */
const kt_report *kt_report_find(const char *name);
/* "hour", ... -> period, allowed by the report's KT_RO_BY_* (KT_EUSAGE naming --by). */
kt_rc kt_report_parse_period(const kt_report *rep, const char *s, kt_rperiod *out, kt_err *err);
/* "sex,age" -> groups (KT_EUSAGE naming --by). */
kt_rc kt_report_parse_groups(const char *s, kt_rgroup *groups, int *ngroups, kt_err *err);

/* The reports (see above). */
kt_rc kt_report_sales(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err);
kt_rc kt_report_points(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err);
kt_rc kt_report_demographics(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err);
kt_rc kt_report_activity(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err);
kt_rc kt_report_product_loyalty(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err);
kt_rc kt_report_stock(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err);
kt_rc kt_report_store_dynamics(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err);
kt_rc kt_report_sales_by_profile(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err);
kt_rc kt_report_items_per_receipt(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err);
kt_rc kt_report_top_receipts(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err);
kt_rc kt_report_inactive(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err);
kt_rc kt_report_store_frequency(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err);
kt_rc kt_report_top_sales(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err);
kt_rc kt_report_registrations(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err);

/* ---- stock snapshots (R6) ---- */
struct kt_store;
typedef struct kt_stock_import_result {
    uint64_t rows;            /* snapshots written (new or replaced) */
    uint64_t replaced;        /* of them, replacing a stored snapshot of the same store, SKU and day */
    kt_day first_day, last_day;
} kt_stock_import_result;

/* Load a CSV with the header store,sku,date,qty (any order, no other
 * columns): one snapshot per row, the quantity on hand at the end of that
 * day (pieces or kilograms, up to three decimals, >= 0). Store and SKU must
 * exist. A snapshot of a store, SKU and day already stored is replaced; the
 * same key twice in one file is an error. One transaction: the file lands
 * whole or not at all; errors name FILE:LINE: COLUMN. */
kt_rc kt_report_stock_import(struct kt_store *st, const char *path, kt_stock_import_result *out, kt_err *err);

#endif
