/*
 * abc.h - A3 ABC analysis: items (SKUs, categories, top categories, brands,
 * members or stores) ranked by a measure and split into classes A, B, C at
 * cumulative shares, from the columnar store through actx.h with its filters.
 *
 * Measures (over the filter's days and stores):
 *   revenue   sales minus returns, minor units (line amounts; for members and
 *             stores the receipt totals, which are the sums of their lines)
 *   units     quantity sold minus returned, thousandths (qty_milli of lines)
 *   receipts  sale receipts holding the item (a receipt counts once however
 *             many of its lines hold it); for members and stores their sale
 *             receipts
 *   members   distinct members (not member 0) with a sale line of the item
 *             (for stores: with a sale receipt there); not defined for members
 * A sale line is one with qty_milli >= 0 and amount >= 0 (a return's lines
 * are negative). Lines of a product without a category (brand) are left out
 * at the category and top (brand) levels. Items whose value is zero or
 * negative are left out: they hold no share of the total.
 *
 * Order and classes: items by value descending, ties by external id ascending
 * (bytewise). total = the sum of the values; cum_share of an item = the sum of
 * the values up to and including it / total. An item is A when the cumulative
 * share BEFORE it is below a, else B when that is below b, else C: the item
 * that reaches or crosses a boundary belongs to the upper class, so class A is
 * never empty and holds at least the share a. The comparisons are exact
 * (integers scaled by a and b in millionths).
 *
 * Borrows the context; owns the result until kt_abc_free. Errors: those of
 * the scan; KT_EUSAGE for --by members with --of member; KT_EINVAL for an
 * overflow; KT_ENOMEM when the distinct pairs (receipts, members) do not fit.
 */
#ifndef KT_ABC_H
#define KT_ABC_H
#include "analytics/actx.h"

typedef enum { KT_ABC_OF_SKU, KT_ABC_OF_CATEGORY, KT_ABC_OF_TOP, KT_ABC_OF_BRAND, KT_ABC_OF_MEMBER,
               KT_ABC_OF_STORE } kt_abc_of;
typedef enum { KT_ABC_BY_REVENUE, KT_ABC_BY_UNITS, KT_ABC_BY_RECEIPTS, KT_ABC_BY_MEMBERS } kt_abc_by;

/* "sku", "category", "top", "brand", "member", "store" (OPTION names the option in errors). */
kt_rc kt_abc_parse_of(const char *s, const char *option, bool products_only, kt_abc_of *out, kt_err *err);
/* "revenue", "units", "receipts", "members". */
kt_rc kt_abc_parse_by(const char *s, const char *option, kt_abc_by *out, kt_err *err);
/* The product level of a product item kind. */
kt_alevel kt_abc_level(kt_abc_of of);

typedef struct kt_abc_item {
    uint32_t item;             /* group (actx.h levels) or member / store index */
    const char *name;          /* external id; valid until the context closes */
    int64_t value;             /* > 0 */
    int64_t cum_value;         /* sum of values up to and including this item */
    char cls;                  /* 'A', 'B', 'C' */
} kt_abc_item;

typedef struct kt_abc_result {
    kt_abc_item *items;        /* ranked */
    size_t n;
    int64_t total;
    size_t memory_bytes;
    size_t summary_segments;   /* segments whose sums came from their SKU summaries (cols.h), not a scan */
} kt_abc_result;

/* a_millionths < b_millionths <= 1000000. */
kt_rc kt_abc_run(kt_actx *a, const kt_afilter *f, kt_abc_of of, kt_abc_by by, uint32_t a_millionths,
                 uint32_t b_millionths, int threads, kt_abc_result *out, kt_err *err);
void kt_abc_free(kt_abc_result *r);

/* Value of every item (indexed by item, 0 for absent) and the items' names:
 * the measure without ranking (used by kt_abc_run and the ABC-XYZ matrix).
 * *values has *count entries; caller frees. Products by revenue or units
 * (and SKUs by receipts) without a store filter take the segments whose
 * month lies wholly in the days from their SKU summaries where they have one
 * (the same sums as a scan of their lines), *SUMMARY_SEGMENTS of them (may
 * be NULL). */
kt_rc kt_abc_measure(kt_actx *a, const kt_afilter *f, kt_abc_of of, kt_abc_by by, int threads, int64_t **values,
                     size_t *count, size_t *memory_bytes, size_t *summary_segments, kt_err *err);
/* Name of an item. */
const char *kt_abc_item_name(kt_actx *a, kt_abc_of of, uint32_t item);

#endif
