/*
 * basket.h - checkout request documents parsed and validated, with errors
 * naming the JSON path ("$.lines[2].qty"). Internal to src/pos.
 */
#ifndef KT_BASKET_H
#define KT_BASKET_H
#include "catalog/catalog.h"
#include "core/kt.h"
#include "core/text.h"
#include "rules/rules.h"

#include <jansson.h>

#define KT_COUPONS_MAX 16
#define KT_COUPON_MAX 64
#define KT_QTY_MILLI_MAX ((int64_t)100000 * 1000)   /* 100,000 pieces or kg on one line is absurd */
#define KT_PRICE_MINOR_MAX ((kt_money)100000000 * 100) /* 100 million roubles per unit */

typedef struct kt_basket_line {
    char sku[KT_CODE_MAX];
    int64_t qty_milli;
    kt_money price_minor, amount_minor;
} kt_basket_line;

typedef struct kt_basket {
    char store[KT_CODE_MAX];
    char receipt[KT_CODE_MAX];
    kt_time at;
    int offset_min;
    char card[KT_CARD_MAX];
    char phone[KT_PHONE_MAX];
    kt_points redeem;             /* -1: as much as allowed */
    size_t ncoupons;
    char coupons[KT_COUPONS_MAX][KT_COUPON_MAX];
    size_t nlines;
    kt_basket_line *lines;        /* malloc'd, nlines */
    char *canonical;              /* the request, compact with sorted keys: idempotency compares it */
} kt_basket;

kt_rc kt_basket_parse(const char *json, size_t len, kt_basket *out, kt_err *err);
/* The same through jansson alone (kt_basket_parse takes the common case
 * without it and gives the same result): for tests that compare the two. */
kt_rc kt_basket_parse_json(const char *json, size_t len, kt_basket *out, kt_err *err);
void kt_basket_free(kt_basket *b);

typedef struct kt_refund_line { int64_t line; int64_t qty_milli; } kt_refund_line; /* qty -1: all left */
typedef struct kt_refund_req {
    char store[KT_CODE_MAX], receipt[KT_CODE_MAX], original[KT_CODE_MAX];
    kt_time at;
    int offset_min;
    size_t nlines;                /* 0: everything not yet refunded */
    kt_refund_line *lines;
    char *canonical;
} kt_refund_req;

kt_rc kt_refund_parse(const char *json, size_t len, kt_refund_req *out, kt_err *err);
void kt_refund_free(kt_refund_req *r);

/* Shared helpers. */
kt_rc kt_json_load(const char *json, size_t len, json_t **out, kt_err *err);
kt_rc kt_json_qty_milli(json_t *v, const char *path, int64_t *out, kt_err *err);

#endif
