/*
 * cmd_catalog.c - `karta store add`, `karta product add`, `karta category add`:
 * hand-made set-ups of the catalogue, next to the bulk import.
 */
#include "catalog/catalog.h"
#include "cli.h"
#include "core/date.h"
#include "core/text.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static int run_add(int argc, char **argv, const char *usage, kt_opt *o, size_t n, size_t npos_want,
                   kt_rc (*add)(kt_store *, char **, kt_opt *, size_t, int64_t *, kt_err *), const char *what) {
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help(usage, o, n);
        return 0;
    }
    kt_err err = {0};
    char *pos[2];
    size_t npos;
    kt_store *st = NULL;
    int64_t id;
    kt_rc rc = kt_opts_parse(argc, argv, o, n, pos, npos_want, &npos, &err);
    if (!rc && npos != npos_want) rc = kt_fail(&err, KT_EUSAGE, what, "missing %s code (see --help)", what);
    if (!rc) rc = kt_cli_open(&st, &err);
    if (!rc) rc = kt_store_begin(st, &err);
    if (!rc) rc = add(st, pos, o, n, &id, &err);
    if (!rc) rc = kt_store_commit(st, &err);
    if (!rc) printf("%s %s added (#%lld)\n", what, pos[0], (long long)id);
    if (rc && st) kt_store_rollback(st);
    kt_store_close(st);
    return rc ? kt_cli_error(&err) : 0;
}

static kt_rc store_add(kt_store *st, char **pos, kt_opt *o, size_t n, int64_t *id, kt_err *err) {
    kt_shop_def d = {.code = pos[0], .name = kt_opt_get(o, n, "name"), .city = kt_opt_get(o, n, "city"),
                     .region = kt_opt_get(o, n, "region"), .timezone = kt_opt_get(o, n, "timezone"),
                     .partner = kt_opt_get(o, n, "partner"), .opened_day = KT_DAY_NONE};
    const char *opened = kt_opt_get(o, n, "opened");
    if (opened) {
        kt_rc rc = kt_day_parse(opened, strlen(opened), &d.opened_day, err, "--opened");
        if (rc) return rc;
    }
    kt_rc rc = kt_catalog_store_add(st, &d, id, err);
    if (rc && strcmp(err->field, "city") == 0) snprintf(err->field, sizeof err->field, "--city");
    if (rc && strcmp(err->field, "timezone") == 0) snprintf(err->field, sizeof err->field, "--timezone");
    return rc;
}

static int cmd_store(int argc, char **argv) {
    kt_opt o[] = {
        {"city", KT_OPT_VALUE, "city (required)", NULL},
        {"timezone", KT_OPT_VALUE, "IANA zone, e.g. Europe/Moscow, Asia/Almaty (required)", NULL},
        {"name", KT_OPT_VALUE, "store name", NULL},
        {"region", KT_OPT_VALUE, "region", NULL},
        {"partner", KT_OPT_VALUE, "partner company, for partner stores", NULL},
        {"opened", KT_OPT_VALUE, "opening date YYYY-MM-DD", NULL},
    };
    if (argc < 2 || strcmp(argv[1], "add") != 0) {
        fprintf(stderr, "usage: karta store add CODE --city CITY --timezone ZONE [--region R --partner NAME]\n");
        return 2;
    }
    return run_add(argc - 1, argv + 1, "store add CODE --city CITY --timezone ZONE [--region R --partner NAME]", o,
                   KT_ARRAY_LEN(o), 1, store_add, "store");
}

static kt_rc flag_bool(kt_opt *o, size_t n, const char *name, bool *out, kt_err *err) {
    const char *v = kt_opt_get(o, n, name);
    char label[32];
    snprintf(label, sizeof label, "--%s", name);
    *out = false;
    return v ? kt_parse_bool(v, strlen(v), out, err, label) : KT_OK;
}

static kt_rc product_add(kt_store *st, char **pos, kt_opt *o, size_t n, int64_t *id, kt_err *err) {
    kt_product_def d = {.sku = pos[0], .name = kt_opt_get(o, n, "name"), .category = kt_opt_get(o, n, "category"),
                        .brand = kt_opt_get(o, n, "brand"), .supplier = kt_opt_get(o, n, "supplier"),
                        .unit = kt_opt_get(o, n, "unit"), .price_minor = -1};
    const char *price = kt_opt_get(o, n, "price");
    kt_rc rc = KT_OK;
    if (price) rc = kt_parse_money(price, strlen(price), &d.price_minor, err, "--price");
    if (!rc && price && d.price_minor < 0) rc = kt_fail(err, KT_EINVAL, "--price", "must not be negative");
    if (!rc) rc = flag_bool(o, n, "alcohol", &d.alcohol, err);
    if (!rc) rc = flag_bool(o, n, "tobacco", &d.tobacco, err);
    if (!rc) rc = kt_catalog_product_add(st, &d, id, err);
    if (rc && (strcmp(err->field, "category") == 0 || strcmp(err->field, "unit") == 0)) {
        char f[KT_ERR_FIELD_MAX];
        memcpy(f, err->field, sizeof f);
        snprintf(err->field, sizeof err->field, "--%.100s", f);
    }
    return rc;
}

static int cmd_product(int argc, char **argv) {
    kt_opt o[] = {
        {"category", KT_OPT_VALUE, "category code (required)", NULL},
        {"name", KT_OPT_VALUE, "product name", NULL},
        {"brand", KT_OPT_VALUE, "brand", NULL},
        {"supplier", KT_OPT_VALUE, "supplier (funds its promo points)", NULL},
        {"price", KT_OPT_VALUE, "shelf price in roubles, e.g. 89.90", NULL},
        {"unit", KT_OPT_VALUE, "pcs (default) or kg", NULL},
        {"alcohol", KT_OPT_VALUE, "1 if alcohol (earns and takes no points)", NULL},
        {"tobacco", KT_OPT_VALUE, "1 if tobacco (earns and takes no points)", NULL},
    };
    if (argc < 2 || strcmp(argv[1], "add") != 0) {
        fprintf(stderr, "usage: karta product add SKU --category CODE [--name --brand --supplier --price --alcohol 1 --tobacco 1]\n");
        return 2;
    }
    return run_add(argc - 1, argv + 1, "product add SKU --category CODE [options]", o, KT_ARRAY_LEN(o), 1,
                   product_add, "product");
}

static kt_rc category_add(kt_store *st, char **pos, kt_opt *o, size_t n, int64_t *id, kt_err *err) {
    const char *name = kt_opt_get(o, n, "name");
    kt_rc rc = kt_catalog_category_add(st, pos[0], name ? name : pos[0], kt_opt_get(o, n, "parent"), id, err);
    if (rc && strcmp(err->field, "parent") == 0) snprintf(err->field, sizeof err->field, "--parent");
    return rc;
}

static int cmd_category(int argc, char **argv) {
    kt_opt o[] = {
        {"name", KT_OPT_VALUE, "category name (default: the code)", NULL},
        {"parent", KT_OPT_VALUE, "parent category code", NULL},
    };
    if (argc < 2 || strcmp(argv[1], "add") != 0) {
        fprintf(stderr, "usage: karta category add CODE [--name NAME --parent CODE]\n");
        return 2;
    }
    return run_add(argc - 1, argv + 1, "category add CODE [--name NAME --parent CODE]", o, KT_ARRAY_LEN(o), 1,
                   category_add, "category");
}

KT_COMMAND(store, "store", "add a store (code, city, time zone, partner)", cmd_store)
KT_COMMAND(product, "product", "add a product (SKU, category, brand, supplier, flags)", cmd_product)
KT_COMMAND(category, "category", "add a category to the tree", cmd_category)
