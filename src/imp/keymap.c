/*
 * keymap.c - open-addressing hash map from strings to int64 (keymap.h).
 *
 * Layout: `slots` is a power-of-two array of uint32 entry numbers (0 = free,
 * linear probing, at most half full); `entries` holds each key's 64-bit hash,
 * its offset in the key arena and its value, in insertion order; the arena
 * holds the keys back to back, each preceded by its length byte. Growing
 * rehashes only the uint32 slots from the stored hashes, never the keys.
 */
#include "keymap.h"

#include <stdlib.h>
#include <string.h>

typedef struct entry {
    uint64_t hash;
    uint64_t key_off; /* in arena: one length byte, then the key */
    int64_t value;
} entry;

struct kt_keymap {
    uint32_t *slots;
    size_t slot_mask; /* slot count - 1 */
    entry *entries;
    size_t count, entries_cap;
    unsigned char *arena;
    size_t arena_len, arena_cap;
};

#define KEYMAP_SLOTS_MIN 1024

/* FNV-1a, then a final mix so that the low bits (the slot index) depend on
 * every byte of short, similar keys such as "M0000001". */
static uint64_t hash_key(const char *key, size_t len) {
    uint64_t h = kt_hash_bytes(key, len);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    return h;
}

kt_keymap *kt_keymap_new(void) {
    kt_keymap *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->slots = calloc(KEYMAP_SLOTS_MIN, sizeof *m->slots);
    if (!m->slots) {
        free(m);
        return NULL;
    }
    m->slot_mask = KEYMAP_SLOTS_MIN - 1;
    return m;
}

void kt_keymap_free(kt_keymap *m) {
    if (!m) return;
    free(m->slots);
    free(m->entries);
    free(m->arena);
    free(m);
}

static bool key_equal(const kt_keymap *m, const entry *e, const char *key, size_t len) {
    const unsigned char *k = m->arena + e->key_off;
    return k[0] == len && memcmp(k + 1, key, len) == 0;
}

/* Slot holding the key, or the free slot where it would go. */
static size_t find_slot(const kt_keymap *m, uint64_t h, const char *key, size_t len) {
    size_t i = (size_t)h & m->slot_mask;
    for (;;) {
        uint32_t n = m->slots[i];
        if (n == 0) return i;
        const entry *e = &m->entries[n - 1];
        if (e->hash == h && key_equal(m, e, key, len)) return i;
        i = (i + 1) & m->slot_mask;
    }
}

static kt_rc grow_slots(kt_keymap *m) {
    size_t nslots = (m->slot_mask + 1) * 2;
    uint32_t *slots = calloc(nslots, sizeof *slots);
    if (!slots) return KT_ENOMEM;
    size_t mask = nslots - 1;
    for (size_t n = 0; n < m->count; n++) {
        size_t i = (size_t)m->entries[n].hash & mask;
        while (slots[i]) i = (i + 1) & mask;
        slots[i] = (uint32_t)(n + 1);
    }
    free(m->slots);
    m->slots = slots;
    m->slot_mask = mask;
    return KT_OK;
}

static kt_rc reserve(void **p, size_t *cap, size_t need, size_t size) {
    if (need <= *cap) return KT_OK;
    size_t ncap = *cap ? *cap : 1024;
    while (ncap < need) ncap *= 2;
    void *np = realloc(*p, ncap * size);
    if (!np) return KT_ENOMEM;
    *p = np;
    *cap = ncap;
    return KT_OK;
}

kt_rc kt_keymap_put(kt_keymap *m, const char *key, size_t len, int64_t value, int64_t *existing) {
    if (len > KT_KEYMAP_KEY_MAX) return KT_EINVAL;
    uint64_t h = hash_key(key, len);
    size_t i = find_slot(m, h, key, len);
    if (m->slots[i]) {
        if (existing) *existing = m->entries[m->slots[i] - 1].value;
        return KT_EEXIST;
    }
    if (m->count + 1 >= KT_KEYMAP_KEYS_MAX) return KT_ENOMEM;
    if ((m->count + 1) * 2 > m->slot_mask + 1) {
        if (grow_slots(m)) return KT_ENOMEM;
        i = find_slot(m, h, key, len);
    }
    if (reserve((void **)&m->entries, &m->entries_cap, m->count + 1, sizeof *m->entries) ||
        reserve((void **)&m->arena, &m->arena_cap, m->arena_len + len + 1, 1))
        return KT_ENOMEM;
    m->arena[m->arena_len] = (unsigned char)len;
    memcpy(m->arena + m->arena_len + 1, key, len);
    m->entries[m->count] = (entry){h, m->arena_len, value};
    m->arena_len += len + 1;
    m->slots[i] = (uint32_t)(++m->count);
    return KT_OK;
}

bool kt_keymap_get(const kt_keymap *m, const char *key, size_t len, int64_t *value) {
    if (len > KT_KEYMAP_KEY_MAX) return false;
    size_t i = find_slot(m, hash_key(key, len), key, len);
    if (!m->slots[i]) return false;
    *value = m->entries[m->slots[i] - 1].value;
    return true;
}

bool kt_keymap_set(kt_keymap *m, const char *key, size_t len, int64_t value) {
    if (len > KT_KEYMAP_KEY_MAX) return false;
    size_t i = find_slot(m, hash_key(key, len), key, len);
    if (!m->slots[i]) return false;
    m->entries[m->slots[i] - 1].value = value;
    return true;
}

size_t kt_keymap_count(const kt_keymap *m) { return m->count; }

size_t kt_keymap_bytes(const kt_keymap *m) {
    return sizeof *m + (m->slot_mask + 1) * sizeof *m->slots + m->entries_cap * sizeof *m->entries + m->arena_cap;
}
