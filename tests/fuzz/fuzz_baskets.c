/*
 * fuzz_baskets.c - libFuzzer entry for the baskets file parser and the rule
 * miner (src/analytics/assoc.c, src/analytics/fpgrowth.c).
 *
 * A parse either fails with KT_EINVAL naming "FILE:LINE" or gives one basket
 * per line with trimmed, non-empty, distinct labels free of commas. Parsed
 * baskets are mined (support from the first byte, confidence 0.5, up to four
 * items) and every rule is checked against counts taken by brute force over
 * the baskets: the rule's count, its lhs count, its rhs count, the minimum
 * count and the confidence threshold, and no rule twice.
 */
#include "analytics/assoc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Baskets holding every item of ITEMS (N) and, unless NONE, EXTRA. */
static uint32_t count_of(const kt_assoc_data *d, const uint32_t *items, size_t n, uint32_t extra) {
    uint32_t c = 0;
    for (size_t b = 0; b < d->n; b++) {
        bool all = true;
        for (size_t i = 0; i <= n && all; i++) {
            uint32_t want = i < n ? items[i] : extra;
            if (i == n && extra == UINT32_MAX) break;
            bool found = false;
            for (uint64_t k = d->start[b]; k < d->start[b + 1] && !found; k++) found = d->items[k] == want;
            all = found;
        }
        if (all) c++;
    }
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    double support = 0.05 + (double)(data[0] % 16) / 20.0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    kt_assoc_data d;
    kt_err err = {0};
    if (kt_assoc_parse("fuzz.txt", text, len, &d, &err) != KT_OK) {
        KT_ASSERT(err.code == KT_EINVAL && strncmp(err.field, "fuzz.txt:", 9) == 0 && err.msg[0]);
        return 0;
    }
    size_t lines = 0;
    for (size_t i = 0; i < len; i++) lines += text[i] == '\n';
    if (len && text[len - 1] != '\n') lines++;
    KT_ASSERT(d.n == lines);
    for (uint32_t i = 0; i < d.item_count; i++) {
        const char *l = d.labels[i];
        size_t n = strlen(l);
        KT_ASSERT(n > 0 && !strchr(l, ',') && l[0] != ' ' && l[0] != '\t' && l[n - 1] != ' ' && l[n - 1] != '\t');
        for (uint32_t j = 0; j < i; j++) KT_ASSERT(strcmp(d.labels[j], l) != 0);
    }
    for (uint64_t k = 0; k < d.start[d.n]; k++) KT_ASSERT(d.items[k] < d.item_count);

    kt_assoc_opts o = {.min_support = support, .min_confidence = 0.5, .min_len = 1, .max_len = 4, .threads = 2};
    kt_assoc_result r;
    KT_ASSERT(kt_assoc_rules(&d, &o, &r, &err) == KT_OK);
    KT_ASSERT(r.min_count == kt_assoc_min_count(d.n, support));
    for (size_t i = 0; i < r.nrules; i++) {
        const kt_assoc_rule *x = &r.rules[i];
        const uint32_t *lhs = r.lhs + r.lhs_start[i];
        size_t n = r.lhs_start[i + 1] - r.lhs_start[i];
        KT_ASSERT(n + 1 <= 4);
        KT_ASSERT(x->count == count_of(&d, lhs, n, x->rhs));
        KT_ASSERT(x->lhs_count == (n ? count_of(&d, lhs, n, UINT32_MAX) : (uint32_t)d.n));
        KT_ASSERT(x->rhs_count == count_of(&d, &x->rhs, 1, UINT32_MAX));
        KT_ASSERT(x->count >= r.min_count);
        KT_ASSERT((double)x->count / (double)x->lhs_count >= 0.5 - 1e-12);
        for (size_t k = 0; k < n; k++) {
            KT_ASSERT(lhs[k] != x->rhs);
            if (k) KT_ASSERT(strcmp(d.labels[lhs[k - 1]], d.labels[lhs[k]]) < 0);
        }
        for (size_t j = 0; j < i; j++) {
            size_t m = r.lhs_start[j + 1] - r.lhs_start[j];
            KT_ASSERT(!(r.rules[j].rhs == x->rhs && m == n && memcmp(r.lhs + r.lhs_start[j], lhs, n * sizeof *lhs) == 0));
        }
    }
    kt_assoc_result_free(&r);
    kt_assoc_data_free(&d);
    return 0;
}
