/*
 * xyz.h - A3 XYZ analysis: how steady each item's demand is, by the
 * coefficient of variation of its quantity per week or month; and the
 * ABC-XYZ matrix that crosses it with ABC (abc.h).
 *
 * Definitions (over the filter's days and stores):
 *   range     from the filter's `from` (else the first day with a receipt
 *             that passes the filter) to its `to` (the as-of day); the range's
 *             periods are the weeks (Monday to Sunday) or calendar months that
 *             touch it, P of them; the first and last may be partial
 *   x_p       the item's units in period p: quantity sold minus returned
 *             (qty_milli / 1000); a period without sales counts as 0, over the
 *             whole range (not just from the item's first sale)
 *   mean      sum(x_p) / P
 *   stddev    population standard deviation: sqrt(sum((x_p - mean)^2) / P)
 *   cv        stddev / mean
 * Items whose total is zero or negative are left out (no mean to divide by).
 * Class: X when cv < x, else Y when cv < y, else Z (defaults 0.5 and 1.0).
 * The sums are exact integers (thousandths; squares in 128 bits); cv is then
 * computed in long double.
 * Rows come ordered by external id ascending (bytewise).
 *
 * Items are product groups (kt_alevel). Memory: items x P cells of 8 bytes
 * per thread, capped at KT_XYZ_CELLS_MAX (KT_ENOMEM naming --period beyond).
 * Borrows the context; owns the result until kt_xyz_free.
 */
#ifndef KT_XYZ_H
#define KT_XYZ_H
#include "analytics/actx.h"
#include "analytics/abc.h"

/* Cells (items x periods) per thread: 2^27 x 8 bytes = 1 GB. */
#define KT_XYZ_CELLS_MAX (1u << 27)

typedef enum { KT_XYZ_WEEK, KT_XYZ_MONTH } kt_xyz_period;

kt_rc kt_xyz_parse_period(const char *s, const char *option, kt_xyz_period *out, kt_err *err);

typedef struct kt_xyz_item {
    uint32_t item;             /* group index at the level */
    const char *name;
    int64_t total_milli;       /* sum of x_p, thousandths */
    double mean, stddev, cv;   /* units */
    char cls;                  /* 'X', 'Y', 'Z' */
} kt_xyz_item;

typedef struct kt_xyz_result {
    kt_xyz_item *items;        /* by name */
    size_t n;
    uint32_t periods;          /* P (0 when nothing passes the filter) */
    kt_day first_day, last_day;/* the range */
    size_t memory_bytes;
} kt_xyz_result;

/* 0 < x < y. */
kt_rc kt_xyz_run(kt_actx *a, const kt_afilter *f, kt_alevel level, kt_xyz_period period, double x, double y,
                 int threads, kt_xyz_result *out, kt_err *err);
void kt_xyz_free(kt_xyz_result *r);

/* ---- ABC-XYZ ---- */
/* Cell [abc][xyz] (0..2 each: A/B/C by X/Y/Z): items and the sum of their ABC
 * values. Items with an ABC class but no XYZ class (net units <= 0) and the
 * reverse are left out; total = the sum of the cells' values. */
typedef struct kt_abcxyz {
    uint64_t items[3][3];
    int64_t value[3][3];
    int64_t total;
    size_t nitems;
} kt_abcxyz;

void kt_abcxyz_cross(const kt_abc_result *abc, const kt_xyz_result *xyz, kt_abcxyz *out);

#endif
