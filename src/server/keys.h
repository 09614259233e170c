/*
 * keys.h - API keys for `karta serve`: roles, hashed secrets, creation,
 * look-up and revocation (`karta keys`), and the SHA-256 they are hashed with.
 *
 * A secret is "kt_" followed by 64 hex digits from the kernel's random source;
 * it is shown once, when created, and only its SHA-256 (hex) is stored. A pos
 * key is bound to one store and acts only for it; the other roles are chain
 * wide. Staff roles (analyst, marketer, admin) have their writes audited.
 * Functions run on the caller's store; creation and revocation open their own
 * transaction and write an audit row. Errors: KT_EINVAL for a bad role or
 * name, KT_ENOTFOUND for an unknown store, key or secret.
 */
#ifndef KT_KEYS_H
#define KT_KEYS_H
#include "core/kt.h"
#include "catalog/catalog.h"
#include "store/store.h"

typedef enum kt_role {
    KT_ROLE_POS = 1,      /* a checkout or a store: calculate, commit, refund for its own store */
    KT_ROLE_APP = 2,      /* a system: the shop, the mobile app */
    KT_ROLE_ANALYST = 4,  /* staff: reads */
    KT_ROLE_MARKETER = 8, /* staff: rules and offers */
    KT_ROLE_ADMIN = 16,   /* staff: everything */
} kt_role;

#define KT_ROLES_STAFF (KT_ROLE_ANALYST | KT_ROLE_MARKETER | KT_ROLE_ADMIN)
#define KT_KEY_SECRET_LEN 67 /* "kt_" + 64 hex digits */
#define KT_KEY_NAME_MAX 64

typedef struct kt_key {
    int64_t id;
    char name[KT_KEY_NAME_MAX];
    kt_role role;
    char store[KT_CODE_MAX]; /* pos keys: the store code; else "" */
} kt_key;

kt_rc kt_role_parse(const char *s, kt_role *out, kt_err *err);
const char *kt_role_name(kt_role role);

/* OUT: id and the secret (NUL-terminated), shown to the caller once. */
kt_rc kt_key_create(kt_store *st, const char *name, kt_role role, const char *store_code, const char *actor,
                    int64_t *out_id, char secret[KT_KEY_SECRET_LEN + 1], kt_err *err);
/* The active key whose secret this is, or KT_ENOTFOUND. */
kt_rc kt_key_verify(kt_store *st, const char *secret, kt_key *out, kt_err *err);
kt_rc kt_key_revoke(kt_store *st, int64_t id, const char *actor, kt_err *err);

/* SHA-256 (FIPS 180-4) of data as 64 lower-case hex digits and a NUL. */
void kt_sha256_hex(const void *data, size_t len, char out[65]);

#endif
