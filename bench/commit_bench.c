/*
 * commit_bench.c - durable checkout commits per second through the library
 * path (pos.h), on the SQLite store with synchronous=FULL: one writer
 * committing receipts one by one, then the same writer with group commit
 * (kt_pos_commit_batch, GROUP receipts per transaction).
 *
 * usage: commit_bench DATA_DIR SKU_FILE RECEIPTS GROUP
 * DATA_DIR holds an imported chain with the seed rules loaded; SKU_FILE has
 * one SKU a line and CARD_FILE... (the script bench/commit.sh prepares all).
 */
#include "core/date.h"
#include "pos/pos.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char **load_lines(const char *path, size_t *n) {
    FILE *f = fopen(path, "r");
    if (!f) { perror(path); exit(1); }
    size_t cap = 1024, k = 0;
    char **v = malloc(cap * sizeof *v), line[256];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0]) continue;
        if (k == cap) v = realloc(v, (cap *= 2) * sizeof *v);
        v[k++] = strdup(line);
    }
    fclose(f);
    *n = k;
    return v;
}

static char *basket(char **skus, size_t nsku, char **cards, size_t ncard, const char *prefix, size_t i, size_t *len) {
    char *b = malloc(4096);
    int n = snprintf(b, 4096, "{\"store\":\"S001\",\"receipt\":\"%s-%zu\",\"time\":\"2026-03-01T12:00:00+03:00\",\"card\":\"%s\",\"lines\":[",
                     prefix, i, cards[(i * 7919) % ncard]);
    for (int l = 0; l < 10; l++)
        n += snprintf(b + n, (size_t)(4096 - n), "%s{\"sku\":\"%s\",\"qty\":1,\"price\":%d,\"amount\":%d}", l ? "," : "",
                      skus[(i * 31 + (size_t)l * 131) % nsku], 5000 + l * 731, 5000 + l * 731);
    n += snprintf(b + n, (size_t)(4096 - n), "]}");
    *len = (size_t)n;
    return b;
}

int main(int argc, char **argv) {
    bool group_only = argc == 7 && strcmp(argv[6], "group-only") == 0;
    if (argc != 6 && !group_only) { fprintf(stderr, "usage: commit_bench DATA SKUS CARDS RECEIPTS GROUP\n"); return 2; }
    size_t nsku, ncard, total = (size_t)atol(argv[4]), group = (size_t)atol(argv[5]);
    char **skus = load_lines(argv[2], &nsku), **cards = load_lines(argv[3], &ncard);
    kt_store *st;
    kt_pos *pos;
    kt_err err = {0};
    if (kt_store_open(argv[1], 0, &st, &err) || kt_pos_open(st, &pos, &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
    /* one by one */
    double t0 = now_s();
    size_t ok = 0;
    for (size_t i = 0; i < (group_only ? 0 : total); i++) {
        size_t len;
        char *b = basket(skus, nsku, cards, ncard, "ONE", i, &len), *ans = NULL;
        if (kt_pos_commit(pos, b, len, &ans, &err) == KT_OK) ok++;
        else fprintf(stderr, "commit %zu: %s: %s\n", i, err.field, err.msg);
        free(ans);
        free(b);
    }
    double t1 = now_s();
    printf("commit, one per transaction: %zu receipts in %.2f s = %.0f commits/s\n", ok, t1 - t0, (double)ok / (t1 - t0));
    /* group commit */
    char **bodies = calloc(group, sizeof *bodies), **answers = calloc(group, sizeof *answers);
    size_t *lens = calloc(group, sizeof *lens);
    kt_rc *rcs = calloc(group, sizeof *rcs);
    kt_err *errs = calloc(group, sizeof *errs);
    ok = 0;
    t0 = now_s();
    for (size_t i = 0; i < total; i += group) {
        size_t g = total - i < group ? total - i : group;
        for (size_t k = 0; k < g; k++) bodies[k] = basket(skus, nsku, cards, ncard, "GRP", i + k, &lens[k]);
        if (kt_pos_commit_batch(pos, (const char *const *)bodies, lens, g, answers, rcs, errs, &err)) {
            fprintf(stderr, "batch: %s\n", err.msg);
            return 1;
        }
        for (size_t k = 0; k < g; k++) { ok += rcs[k] == KT_OK; free(answers[k]); free(bodies[k]); }
    }
    t1 = now_s();
    printf("commit, group of %zu per transaction: %zu receipts in %.2f s = %.0f commits/s\n", group, ok, t1 - t0,
           (double)ok / (t1 - t0));
    kt_pos_close(pos);
    kt_store_close(st);
    return 0;
}
