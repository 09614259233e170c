/*
 * catalog.c - categories, stores and products (catalog.h).
 */
#include "catalog.h"
#include "core/date.h"
#include "core/text.h"

#include <string.h>

kt_rc kt_catalog_check_code(const char *code, const char *field, kt_err *err) {
    size_t n = code ? strlen(code) : 0;
    if (n == 0) return kt_fail(err, KT_EINVAL, field, "is required");
    if (n >= KT_CODE_MAX) return kt_fail(err, KT_EINVAL, field, "longer than %d bytes", KT_CODE_MAX - 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)code[i];
        if (c <= ' ' || c == 0x7f || c == ',' || c == '"' || c == ';')
            return kt_fail(err, KT_EINVAL, field, "\"%s\" has a space, control character, comma, quote or semicolon", code);
    }
    if (kt_utf8_check(code, n) != n) return kt_fail(err, KT_EINVAL, field, "is not valid UTF-8");
    return KT_OK;
}

kt_rc kt_catalog_check_name(const char *name, const char *field, kt_err *err) {
    size_t n = name ? strlen(name) : 0;
    if (n >= KT_NAME_MAX) return kt_fail(err, KT_EINVAL, field, "longer than %d bytes", KT_NAME_MAX - 1);
    if (kt_utf8_check(name ? name : "", n) != n) return kt_fail(err, KT_EINVAL, field, "is not valid UTF-8");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < ' ') return kt_fail(err, KT_EINVAL, field, "has a control character");
    return KT_OK;
}

static const char *opt(const char *s) { return s && *s ? s : NULL; }

static kt_rc lookup(kt_store *st, kt_query q, const char *key, const char *what, const char *field,
                    int64_t *out_id, kt_err *err) {
    bool found;
    kt_val a[] = {KT_VS(key)};
    *out_id = 0;
    kt_rc rc = kt_store_int(st, q, a, 1, out_id, &found, err);
    if (!rc && !found) rc = kt_fail(err, KT_ENOTFOUND, field, "no %s \"%s\"", what, key);
    return rc;
}

kt_rc kt_catalog_category_id(kt_store *st, const char *code, const char *field, int64_t *out_id, kt_err *err) {
    return lookup(st, KT_Q_CATEGORY_BY_CODE, code, "category", field, out_id, err);
}

kt_rc kt_catalog_store_id(kt_store *st, const char *code, const char *field, int64_t *out_id, kt_err *err) {
    return lookup(st, KT_Q_STORE_BY_CODE, code, "store", field, out_id, err);
}

kt_rc kt_catalog_product_id(kt_store *st, const char *sku, const char *field, int64_t *out_id, kt_err *err) {
    return lookup(st, KT_Q_PRODUCT_BY_SKU, sku, "product", field, out_id, err);
}

kt_rc kt_catalog_category_add(kt_store *st, const char *code, const char *name, const char *parent_code,
                              int64_t *out_id, kt_err *err) {
    kt_rc rc = kt_catalog_check_code(code, "code", err);
    if (!rc) rc = kt_catalog_check_name(name, "name", err);
    if (rc) return rc;
    if (!name || !*name) return kt_fail(err, KT_EINVAL, "name", "is required");
    int64_t parent_id = 0, level = 1;
    if (opt(parent_code)) {
        kt_cursor *c;
        bool has;
        kt_val a[] = {KT_VS(parent_code)};
        if ((rc = kt_store_query(st, KT_Q_CATEGORY_BY_CODE, a, 1, &c, err))) return rc;
        rc = kt_store_step(c, &has, err);
        if (!rc && has) { parent_id = kt_col_int(c, 0); level = kt_col_int(c, 1) + 1; }
        kt_store_end(c);
        if (rc) return rc;
        if (!has) return kt_fail(err, KT_ENOTFOUND, "parent", "no category \"%s\" (parents come before children)", parent_code);
        if (level > 8) return kt_fail(err, KT_EINVAL, "parent", "the category tree is deeper than 8 levels");
    }
    kt_val a[] = {KT_VS(code), KT_VS(name), parent_id ? KT_VI(parent_id) : KT_VNULL, KT_VI(level)};
    rc = kt_store_int(st, KT_Q_CATEGORY_INSERT, a, KT_ARRAY_LEN(a), out_id, NULL, err);
    if (rc == KT_EEXIST) rc = kt_fail(err, KT_EEXIST, "code", "category \"%s\" already exists", code);
    return rc;
}

static kt_rc upsert_name(kt_store *st, kt_query q, const char *name, const char *field, int64_t *out, kt_err *err) {
    *out = 0;
    if (!opt(name)) return KT_OK;
    kt_rc rc = kt_catalog_check_name(name, field, err);
    if (rc) return rc;
    kt_val a[] = {KT_VS(name)};
    return kt_store_int(st, q, a, 1, out, NULL, err);
}

kt_rc kt_catalog_store_add(kt_store *st, const kt_shop_def *d, int64_t *out_id, kt_err *err) {
    int offset;
    int64_t partner_id;
    kt_rc rc = kt_catalog_check_code(d->code, "code", err);
    if (!rc && !opt(d->city)) rc = kt_fail(err, KT_EINVAL, "city", "is required");
    if (!rc) rc = kt_catalog_check_name(d->city, "city", err);
    if (!rc) rc = kt_catalog_check_name(d->name, "name", err);
    if (!rc) rc = kt_catalog_check_name(d->region, "region", err);
    if (!rc && !opt(d->timezone)) rc = kt_fail(err, KT_EINVAL, "timezone", "is required");
    if (!rc) rc = kt_zone_offset(d->timezone, &offset, err, "timezone");
    if (!rc) rc = upsert_name(st, KT_Q_PARTNER_UPSERT, d->partner, "partner", &partner_id, err);
    if (rc) return rc;
    kt_val a[] = {KT_VS(d->code), KT_VS(opt(d->name)), KT_VS(d->city), KT_VS(opt(d->region)), KT_VS(d->timezone),
                  KT_VI(offset), partner_id ? KT_VI(partner_id) : KT_VNULL,
                  d->opened_day == KT_DAY_NONE ? KT_VNULL : KT_VI(d->opened_day)};
    rc = kt_store_int(st, KT_Q_STORE_INSERT, a, KT_ARRAY_LEN(a), out_id, NULL, err);
    if (rc == KT_EEXIST) rc = kt_fail(err, KT_EEXIST, "code", "store \"%s\" already exists", d->code);
    return rc;
}

kt_rc kt_catalog_product_add(kt_store *st, const kt_product_def *d, int64_t *out_id, kt_err *err) {
    int64_t category_id, brand_id, supplier_id;
    const char *unit = opt(d->unit) ? d->unit : "pcs";
    kt_rc rc = kt_catalog_check_code(d->sku, "sku", err);
    if (!rc) rc = kt_catalog_check_name(d->name, "name", err);
    if (!rc && strcmp(unit, "pcs") != 0 && strcmp(unit, "kg") != 0)
        rc = kt_fail(err, KT_EINVAL, "unit", "must be pcs or kg, not \"%s\"", unit);
    if (!rc && d->price_minor < -1) rc = kt_fail(err, KT_EINVAL, "price", "must not be negative");
    if (!rc && !opt(d->category)) rc = kt_fail(err, KT_EINVAL, "category", "is required");
    if (!rc) rc = kt_catalog_category_id(st, d->category, "category", &category_id, err);
    if (!rc) rc = upsert_name(st, KT_Q_BRAND_UPSERT, d->brand, "brand", &brand_id, err);
    if (!rc) rc = upsert_name(st, KT_Q_SUPPLIER_UPSERT, d->supplier, "supplier", &supplier_id, err);
    if (rc) return rc;
    kt_val a[] = {KT_VS(d->sku), KT_VS(opt(d->name)), KT_VI(category_id), brand_id ? KT_VI(brand_id) : KT_VNULL,
                  supplier_id ? KT_VI(supplier_id) : KT_VNULL, d->price_minor >= 0 ? KT_VI(d->price_minor) : KT_VNULL,
                  KT_VS(unit), KT_VI(d->alcohol), KT_VI(d->tobacco)};
    rc = kt_store_int(st, KT_Q_PRODUCT_INSERT, a, KT_ARRAY_LEN(a), out_id, NULL, err);
    if (rc == KT_EEXIST) rc = kt_fail(err, KT_EEXIST, "sku", "product \"%s\" already exists", d->sku);
    return rc;
}
