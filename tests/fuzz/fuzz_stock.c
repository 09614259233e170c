/*
 * fuzz_stock.c - libFuzzer entry for the stock snapshot file of
 * `karta import-stock` (kt_report_stock_import). A store with stores S1, S2
 * and products P1, P2 is made once; each input is written to a file and
 * imported. The import succeeds or fails with a usage/invalid/not-found
 * error naming FILE:LINE or the file; a failed import leaves the stock table
 * exactly as it was (whole or nothing), and a successful one holds at most
 * the 4 x (days) keys the catalogue allows.
 */
#include "analytics/report.h"
#include "catalog/catalog.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static kt_store *st;
static char dir[] = "/tmp/karta-fuzz-stock-XXXXXX";
static char path[sizeof dir + 16];

static int64_t fingerprint(void) {
    /* the sum of (rowid-free) keys and quantities: changes with any row */
    kt_cursor *cur;
    kt_err err = {0};
    int64_t h = 0;
    if (kt_store_query(st, KT_Q_STOCK_LAST, (kt_val[]){KT_VI(INT32_MAX)}, 1, &cur, &err)) abort();
    bool has;
    while (!kt_store_step(cur, &has, &err) && has)
        h = h * 31 + kt_col_int(cur, 0) * 7 + kt_col_int(cur, 1) * 13 + kt_col_int(cur, 2) * 17 + kt_col_int(cur, 3);
    kt_store_end(cur);
    return h;
}

static void cleanup(void) {
    static const char *const files[] = {"in.csv", "karta.db", "karta.db-wal", "karta.db-shm"};
    char p[sizeof dir + 32];
    kt_store_close(st);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

static void setup(void) {
    if (!mkdtemp(dir)) abort();
    atexit(cleanup);
    snprintf(path, sizeof path, "%s/in.csv", dir);
    kt_err err = {0};
    int64_t id;
    if (kt_store_open(dir, KT_STORE_CREATE, &st, &err)) abort();
    if (kt_store_begin(st, &err)) abort();
    if (kt_catalog_category_add(st, "C1", "C", NULL, &id, &err)) abort();
    for (int i = 1; i <= 2; i++) {
        char code[8], sku[8];
        snprintf(code, sizeof code, "S%d", i);
        snprintf(sku, sizeof sku, "P%d", i);
        kt_shop_def s = {.code = code, .city = "Москва", .timezone = "Europe/Moscow", .opened_day = KT_DAY_NONE};
        kt_product_def p = {.sku = sku, .category = "C1", .price_minor = -1};
        if (kt_catalog_store_add(st, &s, &id, &err) || kt_catalog_product_add(st, &p, &id, &err)) abort();
    }
    if (kt_store_commit(st, &err)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!st) setup();
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    fwrite(data, 1, size, f);
    fclose(f);
    int64_t before = fingerprint();
    kt_stock_import_result r;
    kt_err err = {0};
    kt_rc rc = kt_report_stock_import(st, path, &r, &err);
    if (rc) {
        if (rc != KT_EINVAL && rc != KT_EUSAGE && rc != KT_ENOTFOUND && rc != KT_EEXIST) abort();
        if (!err.msg[0]) abort();
        if (fingerprint() != before) abort(); /* whole or nothing */
        if (kt_store_in_txn(st)) abort();
    } else if (r.replaced > r.rows) abort();
    return 0;
}
