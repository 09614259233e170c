/*
 * keymap.h - a string -> int64 hash map for the importer's external keys
 * (member ids, store and category codes), sized for tens of millions of keys.
 *
 * Owns: copies of the keys (in one growing arena) and the table. Borrows
 * nothing. Memory per key is about 32 bytes plus the key: 10 million member
 * ids of 8 characters take about 420 MB. Allocation failure is not fatal:
 * kt_keymap_put returns KT_ENOMEM and the map stays as it was, so the import
 * fails cleanly and rolls back.
 */
#ifndef KT_KEYMAP_H
#define KT_KEYMAP_H
#include "core/kt.h"

#define KT_KEYMAP_KEY_MAX 255          /* longer keys are refused (KT_EINVAL) */
#define KT_KEYMAP_KEYS_MAX (1u << 30)  /* entries are indexed by uint32; half the slots stay free */

typedef struct kt_keymap kt_keymap;

kt_keymap *kt_keymap_new(void); /* NULL when out of memory */
void kt_keymap_free(kt_keymap *m);

/* Add key -> value. KT_EEXIST when the key is present (the value is left as
 * it was and *existing, if not NULL, receives it), KT_ENOMEM, KT_EINVAL for a
 * key over KT_KEYMAP_KEY_MAX bytes. */
kt_rc kt_keymap_put(kt_keymap *m, const char *key, size_t len, int64_t value, int64_t *existing);
/* Replace the value of a present key; false when absent. */
bool kt_keymap_set(kt_keymap *m, const char *key, size_t len, int64_t value);
/* Look up: false when absent. */
bool kt_keymap_get(const kt_keymap *m, const char *key, size_t len, int64_t *value);
size_t kt_keymap_count(const kt_keymap *m);
/* Bytes held (table, entries and key arena), for the benchmark's report. */
size_t kt_keymap_bytes(const kt_keymap *m);

#endif
