/*
 * pairmap.c - the pair -> int64 hash map of pairmap.h: linear probing over a
 * power-of-two table with a multiplicative hash.
 */
#include "analytics/pairmap.h"

#include <stdlib.h>
#include <string.h>

#define EMPTY UINT64_MAX

static inline size_t slot_of(uint64_t key, size_t mask) {
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdull;
    key ^= key >> 33;
    return (size_t)key & mask;
}

void kt_pairmap_init(kt_pairmap *m) { *m = (kt_pairmap){0}; }

void kt_pairmap_free(kt_pairmap *m) {
    free(m->keys);
    free(m->values);
    *m = (kt_pairmap){0};
}

static bool grow(kt_pairmap *m) {
    size_t slots = m->slots ? m->slots * 2 : 1024;
    if (slots > KT_PAIRMAP_SLOTS_MAX) return false;
    uint64_t *keys = malloc(slots * sizeof *keys);
    int64_t *values = malloc(slots * sizeof *values);
    if (!keys || !values) { free(keys); free(values); return false; }
    memset(keys, 0xff, slots * sizeof *keys);
    size_t mask = slots - 1;
    for (size_t i = 0; i < m->slots; i++) {
        if (m->keys[i] == EMPTY) continue;
        size_t s = slot_of(m->keys[i], mask);
        while (keys[s] != EMPTY) s = (s + 1) & mask;
        keys[s] = m->keys[i];
        values[s] = m->values[i];
    }
    free(m->keys);
    free(m->values);
    m->keys = keys;
    m->values = values;
    m->slots = slots;
    return true;
}

bool kt_pairmap_add(kt_pairmap *m, uint64_t key, int64_t v) {
    KT_ASSERT(key != EMPTY);
    if (m->failed) return false;
    if ((m->count + 1) * 2 > m->slots && !grow(m)) { m->failed = true; return false; }
    size_t mask = m->slots - 1, s = slot_of(key, mask);
    while (m->keys[s] != EMPTY) {
        if (m->keys[s] == key) {
            if (__builtin_add_overflow(m->values[s], v, &m->values[s])) m->overflow = true;
            return false;
        }
        s = (s + 1) & mask;
    }
    m->keys[s] = key;
    m->values[s] = v;
    m->count++;
    return true;
}

int64_t kt_pairmap_get(const kt_pairmap *m, uint64_t key) {
    if (!m->slots) return 0;
    size_t mask = m->slots - 1, s = slot_of(key, mask);
    while (m->keys[s] != EMPTY) {
        if (m->keys[s] == key) return m->values[s];
        s = (s + 1) & mask;
    }
    return 0;
}

void kt_pairmap_merge(kt_pairmap *into, const kt_pairmap *from) {
    into->failed |= from->failed;
    into->overflow |= from->overflow;
    for (size_t i = 0; i < from->slots && !into->failed; i++)
        if (from->keys[i] != EMPTY) kt_pairmap_add(into, from->keys[i], from->values[i]);
}

static int by_key(const void *a, const void *b) {
    uint64_t x = ((const kt_pair *)a)->key, y = ((const kt_pair *)b)->key;
    return x < y ? -1 : x > y;
}

kt_pair *kt_pairmap_sorted(const kt_pairmap *m, size_t *n) {
    kt_pair *p = kt_xmalloc((m->count ? m->count : 1) * sizeof *p);
    size_t k = 0;
    for (size_t i = 0; i < m->slots; i++)
        if (m->keys[i] != EMPTY) p[k++] = (kt_pair){m->keys[i], m->values[i]};
    qsort(p, k, sizeof *p, by_key);
    *n = k;
    return p;
}

size_t kt_pairmap_bytes(const kt_pairmap *m) { return m->slots * (sizeof *m->keys + sizeof *m->values); }
