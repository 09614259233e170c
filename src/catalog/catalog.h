/*
 * catalog.h - the chain's catalogue in the operational store: categories (a
 * tree), stores (with time zone and partner), products (with category, brand,
 * supplier, price and the alcohol/tobacco flags the rules need).
 *
 * Callers own the strings they pass; nothing is kept. Inputs are validated
 * here (codes, zones, prices) so that the CLI, the importer and the HTTP API
 * give the same errors, each naming the field.
 */
#ifndef KT_CATALOG_H
#define KT_CATALOG_H
#include "core/kt.h"
#include "store/store.h"

#define KT_CODE_MAX 64      /* store codes, SKUs, category codes */
#define KT_NAME_MAX 256     /* names of products, stores, brands, in bytes */

kt_rc kt_catalog_check_code(const char *code, const char *field, kt_err *err);
kt_rc kt_catalog_check_name(const char *name, const char *field, kt_err *err);

/* parent_code NULL or "" for a top-level category. */
kt_rc kt_catalog_category_add(kt_store *st, const char *code, const char *name, const char *parent_code,
                              int64_t *out_id, kt_err *err);
/* *out_id = 0 and KT_ENOTFOUND when absent (err names `field`). */
kt_rc kt_catalog_category_id(kt_store *st, const char *code, const char *field, int64_t *out_id, kt_err *err);

typedef struct kt_shop_def {
    const char *code, *name, *city, *region, *timezone, *partner; /* name, region, partner optional */
    kt_day opened_day;                                            /* KT_DAY_NONE if unknown */
} kt_shop_def;
kt_rc kt_catalog_store_add(kt_store *st, const kt_shop_def *d, int64_t *out_id, kt_err *err);
kt_rc kt_catalog_store_id(kt_store *st, const char *code, const char *field, int64_t *out_id, kt_err *err);

typedef struct kt_product_def {
    const char *sku, *name, *category, *brand, *supplier, *unit; /* name, brand, supplier optional; unit "pcs"|"kg" or NULL */
    kt_money price_minor;                                        /* -1 if unknown */
    bool alcohol, tobacco;
} kt_product_def;
kt_rc kt_catalog_product_add(kt_store *st, const kt_product_def *d, int64_t *out_id, kt_err *err);
kt_rc kt_catalog_product_id(kt_store *st, const char *sku, const char *field, int64_t *out_id, kt_err *err);

#endif
