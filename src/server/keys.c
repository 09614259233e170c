/*
 * keys.c - API keys (keys.h): SHA-256, secrets from getrandom(2), the
 * api_keys table (migration 3) and the audit rows for creation and revocation.
 */
#include "keys.h"
#include "core/date.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

/* ---- SHA-256, FIPS 180-4 ---- */

static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror32(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void sha_block(uint32_t h[8], const unsigned char *p) {
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = hh + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) + ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
        uint32_t t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

void kt_sha256_hex(const void *data, size_t len, char out[65]) {
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const unsigned char *p = data;
    size_t left = len;
    for (; left >= 64; left -= 64, p += 64) sha_block(h, p);
    unsigned char tail[128] = {0};
    memcpy(tail, p, left);
    tail[left] = 0x80;
    size_t tail_len = left + 9 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++) tail[tail_len - 1 - i] = (unsigned char)(bits >> (8 * i));
    sha_block(h, tail);
    if (tail_len == 128) sha_block(h, tail + 64);
    for (int i = 0; i < 8; i++) snprintf(out + 8 * i, 9, "%08x", h[i]);
}

/* ---- roles ---- */

static const struct { kt_role role; const char *name; } roles[] = {
    {KT_ROLE_POS, "pos"}, {KT_ROLE_APP, "app"}, {KT_ROLE_ANALYST, "analyst"},
    {KT_ROLE_MARKETER, "marketer"}, {KT_ROLE_ADMIN, "admin"},
};

kt_rc kt_role_parse(const char *s, kt_role *out, kt_err *err) {
    for (size_t i = 0; i < KT_ARRAY_LEN(roles); i++)
        if (s && strcmp(s, roles[i].name) == 0) { *out = roles[i].role; return KT_OK; }
    return kt_fail(err, KT_EINVAL, "role", "must be pos, app, analyst, marketer or admin");
}

const char *kt_role_name(kt_role role) {
    for (size_t i = 0; i < KT_ARRAY_LEN(roles); i++)
        if (roles[i].role == role) return roles[i].name;
    return "?";
}

/* ---- keys ---- */

static kt_rc audit(kt_store *st, const char *actor, const char *action, int64_t id, const char *detail, kt_err *err) {
    char object[32];
    snprintf(object, sizeof object, "key:%lld", (long long)id);
    kt_val a[] = {KT_VI(kt_now()), KT_VS(actor), KT_VS(action), KT_VS(object), KT_VS(detail)};
    return kt_store_exec(st, KT_Q_AUDIT_INSERT, a, 5, err);
}

kt_rc kt_key_create(kt_store *st, const char *name, kt_role role, const char *store_code, const char *actor,
                    int64_t *out_id, char secret[KT_KEY_SECRET_LEN + 1], kt_err *err) {
    if (!name || !*name || strlen(name) >= KT_KEY_NAME_MAX)
        return kt_fail(err, KT_EINVAL, "name", "a key needs a name of 1..%d bytes", KT_KEY_NAME_MAX - 1);
    if ((role == KT_ROLE_POS) != (store_code != NULL))
        return kt_fail(err, KT_EINVAL, "store", role == KT_ROLE_POS ? "a pos key needs its store" : "only a pos key has a store");
    unsigned char raw[32];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) return kt_fail(err, KT_EIO, "random", "getrandom failed");
    memcpy(secret, "kt_", 3);
    for (size_t i = 0; i < sizeof raw; i++) snprintf(secret + 3 + 2 * i, 3, "%02x", raw[i]);
    char hash[65], detail[160];
    kt_sha256_hex(secret, KT_KEY_SECRET_LEN, hash);
    int64_t store_id = 0;
    bool found = true;
    kt_rc rc = kt_store_begin(st, err);
    if (!rc && store_code) {
        kt_val a[] = {KT_VS(store_code)};
        rc = kt_store_int(st, KT_Q_STORE_BY_CODE, a, 1, &store_id, &found, err);
        if (!rc && !found) rc = kt_fail(err, KT_ENOTFOUND, "store", "no store %s", store_code);
    }
    if (!rc) {
        kt_val a[] = {KT_VS(name), KT_VS(kt_role_name(role)), KT_VIOPT(store_code, store_id), KT_VS(hash), KT_VI(kt_now())};
        rc = kt_store_int(st, KT_Q_KEY_INSERT, a, 5, out_id, NULL, err);
    }
    snprintf(detail, sizeof detail, "name=%s role=%s%s%s", name, kt_role_name(role), store_code ? " store=" : "",
             store_code ? store_code : "");
    if (!rc) rc = audit(st, actor, "key create", *out_id, detail, err);
    if (!rc) rc = kt_store_commit(st, err);
    if (rc) kt_store_rollback(st);
    return rc;
}

kt_rc kt_key_verify(kt_store *st, const char *secret, kt_key *out, kt_err *err) {
    if (strlen(secret) != KT_KEY_SECRET_LEN) return kt_fail(err, KT_ENOTFOUND, "key", "no such key");
    char hash[65];
    kt_sha256_hex(secret, KT_KEY_SECRET_LEN, hash);
    kt_cursor *c;
    bool has = false;
    kt_val a[] = {KT_VS(hash)};
    kt_rc rc = kt_store_query(st, KT_Q_KEY_BY_HASH, a, 1, &c, err);
    if (rc) return rc;
    if (!(rc = kt_store_step(c, &has, err)) && has) {
        out->id = kt_col_int(c, 0);
        snprintf(out->name, sizeof out->name, "%s", kt_col_text(c, 1));
        rc = kt_role_parse(kt_col_text(c, 2), &out->role, err);
        snprintf(out->store, sizeof out->store, "%s", kt_col_text(c, 3));
    }
    kt_store_end(c);
    if (!rc && !has) rc = kt_fail(err, KT_ENOTFOUND, "key", "no such key");
    return rc;
}

kt_rc kt_key_revoke(kt_store *st, int64_t id, const char *actor, kt_err *err) {
    kt_val a[] = {KT_VI(id), KT_VI(kt_now())};
    kt_rc rc = kt_store_begin(st, err);
    if (!rc) rc = kt_store_exec(st, KT_Q_KEY_REVOKE, a, 2, err);
    if (!rc && kt_store_changes(st) != 1) rc = kt_fail(err, KT_ENOTFOUND, "id", "no active key #%lld", (long long)id);
    if (!rc) rc = audit(st, actor, "key revoke", id, NULL, err);
    if (!rc) rc = kt_store_commit(st, err);
    if (rc) kt_store_rollback(st);
    return rc;
}
