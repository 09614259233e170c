/*
 * fuzz_receipts_pair.c - libFuzzer entry for the generic pair
 * (`karta import-receipts DIR`, cols/cols_import.h), differential: the
 * parallel path cut into 64-byte chunks (cols/cols_fast.h) against the
 * serial reader alone (KARTA_IMPORT_CHUNK=0), each into a data directory of
 * its own. The input is split at its first 0xFF byte (or its middle) into
 * receipts.csv and receipt_lines.csv, each after a fixed header. Both must
 * answer the same: the same code, the same error, the same counts, and the
 * same receipts and lines published.
 */
#include "cols/cols.h"
#include "cols/cols_import.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static kt_store *st[2];
static char dir[] = "/tmp/karta-fuzz-pair-XXXXXX";
static char data_dir[2][sizeof dir + 8], in[sizeof dir + 8];

static void cleanup(void) {
    for (int i = 0; i < 2; i++) kt_store_close(st[i]);
    char cmd[sizeof dir + 16];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) { /* best effort */ }
}

static void write_file(const char *name, const char *header, const uint8_t *p, size_t n) {
    char path[sizeof in + 32];
    snprintf(path, sizeof path, "%s/%s", in, name);
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    fputs(header, f);
    fwrite(p, 1, n, f);
    fclose(f);
}

static void counts(const char *d, uint64_t *r, uint64_t *l) {
    kt_cols *c;
    kt_err err = {0};
    if (kt_cols_open(d, &c, &err)) abort();
    *r = kt_cols_receipt_rows(c);
    *l = kt_cols_line_rows(c);
    kt_cols_close(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kt_err err[2] = {{0}, {0}};
    if (!st[0]) {
        if (!mkdtemp(dir)) abort();
        atexit(cleanup);
        snprintf(in, sizeof in, "%s/in", dir);
        if (mkdir(in, 0777)) abort();
        for (int i = 0; i < 2; i++) {
            snprintf(data_dir[i], sizeof data_dir[i], "%s/d%d", dir, i);
            if (mkdir(data_dir[i], 0777) || kt_store_open(data_dir[i], KT_STORE_CREATE, &st[i], &err[i])) abort();
        }
    }
    const uint8_t *cut = memchr(data, 0xFF, size);
    size_t k = cut ? (size_t)(cut - data) : size / 2;
    write_file("receipts.csv", "receipt,store,time,card,kind,total\n", data, k);
    write_file("receipt_lines.csv", "receipt,store,sku,qty,amount\n", data + k + (cut != NULL), size - k - (cut != NULL));
    int offset = 180;
    kt_cols_import_opts o = {.path = in, .default_offset_min = size && (data[0] & 1) ? &offset : NULL,
                             .skip_bad = size > 1 && (data[1] & 1), .again = true};
    kt_cols_import_result res[2];
    kt_rc rc[2];
    uint64_t r0[2], l0[2], r1[2], l1[2];
    for (int i = 0; i < 2; i++) {
        setenv("KARTA_IMPORT_CHUNK", i ? "0" : "64", 1);
        o.data_dir = data_dir[i];
        counts(data_dir[i], &r0[i], &l0[i]);
        rc[i] = kt_cols_import(st[i], &o, &res[i], &err[i]);
        counts(data_dir[i], &r1[i], &l1[i]);
        if (rc[i]) {
            if (!err[i].msg[0] || !err[i].field[0]) abort();
            if (r1[i] != r0[i] || l1[i] != l0[i]) abort();
        } else if (r1[i] != r0[i] + res[i].receipts || l1[i] != l0[i] + res[i].lines) abort();
    }
    if (rc[0] != rc[1] || strcmp(err[0].field, err[1].field) || strcmp(err[0].msg, err[1].msg)) abort();
    if (!rc[0] && (res[0].receipts != res[1].receipts || res[0].lines != res[1].lines ||
                   res[0].rejected != res[1].rejected || res[0].unknown_cards != res[1].unknown_cards ||
                   res[0].new_stores != res[1].new_stores || res[0].new_skus != res[1].new_skus))
        abort();
    if (r1[0] != r1[1] || l1[0] != l1[1]) abort();
    return 0;
}
