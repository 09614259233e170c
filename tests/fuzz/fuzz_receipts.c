/*
 * fuzz_receipts.c - libFuzzer entry for receipt history through a column
 * map (`karta import-receipts FILE --map ...`, cols/cols_import.h). Each
 * input is a CSV imported into one data directory (times without an offset
 * taken as +03:00; the first byte's low bit picks decimal or minor-unit
 * money). An import lands whole or not at all: after a failure (which must
 * name the file and line or the file) the published receipt and line counts
 * are unchanged; after a success they grew by what the import reported.
 */
#include "cols/cols.h"
#include "cols/cols_import.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static kt_store *st;
static char dir[] = "/tmp/karta-fuzz-receipts-XXXXXX";
static char path[sizeof dir + 16];

static void cleanup(void) {
    kt_store_close(st);
    char cmd[sizeof dir + 16];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) { /* best effort */ }
}

static void counts(uint64_t *r, uint64_t *l) {
    kt_cols *c;
    kt_err err = {0};
    if (kt_cols_open(dir, &c, &err)) abort();
    *r = kt_cols_receipt_rows(c);
    *l = kt_cols_line_rows(c);
    kt_cols_close(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kt_err err = {0};
    if (!st) {
        if (!mkdtemp(dir)) abort();
        atexit(cleanup);
        snprintf(path, sizeof path, "%s/in.csv", dir);
        if (kt_store_open(dir, KT_STORE_CREATE, &st, &err)) abort();
    }
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    fwrite(data, 1, size, f);
    fclose(f);
    kt_cols_map map;
    char *buf = NULL;
    if (kt_cols_map_parse("receipt=r,member=m,store=s,time=t,sku=k,qty=q,amount=a", &map, &buf, &err)) abort();
    int offset = 180;
    kt_cols_import_opts o = {.data_dir = dir, .path = path, .map = &map, .default_offset_min = &offset,
                             .money_minor = size && (data[0] & 1), .again = true};
    uint64_t r0, l0, r1, l1;
    counts(&r0, &l0);
    kt_cols_import_result res;
    kt_rc rc = kt_cols_import(st, &o, &res, &err);
    counts(&r1, &l1);
    free(buf);
    if (rc) {
        if (rc != KT_EINVAL && rc != KT_EUSAGE && rc != KT_ENOTFOUND) abort();
        if (!err.msg[0] || !err.field[0]) abort();
        if (r1 != r0 || l1 != l0) abort();
    } else if (r1 != r0 + res.receipts || l1 != l0 + res.lines) abort();
    return 0;
}
