/*
 * assortment.h - A10 the role of each SKU in the assortment: core, hit,
 * retaining, niche or random.
 *
 * Measures per SKU (history.h at SKU level with amounts: card holders' sale
 * lines in the filter up to the as-of day D; N members with a purchase):
 *   buyers               members who bought it
 *   member_penetration   buyers / N
 *   receipt_penetration  card receipts holding it / all card receipts
 *   repeat_rate          buyers who bought it on two or more days / buyers
 *   loyal members        members with purchases on at least loyal_days
 *                        distinct days (default 4)
 *   loyal_share          loyal members' spend on it / all spend on it (sale
 *                        line amounts; NaN when the spend is 0)
 *   retention            over members whose first purchase is on or before
 *                        D - retain_days ("eligible"): the share with a
 *                        purchase after D - retain_days ("retained")
 *   retention_lift       retention of the eligible members who bought the
 *                        SKU on or before D - retain_days, over the retention
 *                        of all eligible members; NaN when fewer than
 *                        min_buyers such members or no eligible member is
 *                        retained
 * Classes, the first that holds (over the K SKUs with buyers):
 *   core       among the top top_share of SKUs by buyers (buyers at least
 *              those of the SKU at rank ceil(top_share K), at least 1,
 *              1-based, in buyers-descending order) and repeat_rate >= the median repeat
 *              rate of the K SKUs (type 7)
 *   hit        in that top and repeat_rate below the median: many try it,
 *              few come back for it
 *   retaining  retention_lift >= retain_lift
 *   niche      loyal_share >= the loyal members' share of all spend and
 *              repeat_rate >= the median: a small, devoted following
 *   random     the rest
 * Rows by class in that order, then buyers descending, then SKU index.
 * Memory: 56 bytes per SKU; per member scratch sized by its history.
 */
#ifndef KT_ASSORTMENT_H
#define KT_ASSORTMENT_H
#include "analytics/history.h"

#define KT_ASSORT_TOP_SHARE 0.20    /* default top_share: the most bought fifth of the SKUs */
#define KT_ASSORT_RETAIN_LIFT 1.10  /* default retain_lift: buyers retained 10% more often than all */

typedef enum { KT_ASSORT_CORE, KT_ASSORT_HIT, KT_ASSORT_RETAINING, KT_ASSORT_NICHE, KT_ASSORT_RANDOM } kt_assort_class;
extern const char *const kt_assort_class_names[5];

typedef struct kt_assortment_opts {
    kt_day as_of;
    uint32_t loyal_days;      /* >= 1 */
    int retain_days;          /* >= 1 */
    uint32_t min_buyers;      /* >= 1 */
    double top_share;         /* (0, 1]: the share of SKUs, by buyers, that are core or hit */
    double retain_lift;       /* > 0: the least retention lift of a retaining SKU */
} kt_assortment_opts;

typedef struct kt_assortment_row {
    uint32_t sku;
    uint32_t buyers, repeat_buyers, receipts, early_buyers, early_retained;
    kt_money spend, loyal_spend;
    double member_penetration, receipt_penetration, repeat_rate, loyal_share, retention_lift;
    kt_assort_class cls;
} kt_assortment_row;

typedef struct kt_assortment_result {
    kt_assortment_row *rows;
    size_t n;
    size_t members;           /* N */
    uint64_t receipts;        /* card receipts */
    double median_repeat, loyal_share_all, retention_all;
    uint32_t top_buyers;      /* the buyers threshold of the top */
    size_t memory_bytes;
} kt_assortment_result;

/* The history must be at SKU level with amounts. */
void kt_assortment_run(const kt_history *h, const kt_assortment_opts *o, kt_assortment_result *out);
void kt_assortment_free(kt_assortment_result *r);

#endif
