/*
 * rng.h - a small deterministic generator (xoshiro256** seeded by splitmix64).
 * Same seed, same sequence, on every machine. Not for secrets.
 */
#ifndef KT_RNG_H
#define KT_RNG_H
#include "kt.h"

typedef struct kt_rng { uint64_t s[4]; } kt_rng;

void kt_rng_seed(kt_rng *r, uint64_t seed);

/* Inline: the generator draws several per receipt line. */
static inline uint64_t kt_rng_rotl_(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t kt_rng_next(kt_rng *r) {
    uint64_t *s = r->s;
    uint64_t result = kt_rng_rotl_(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = kt_rng_rotl_(s[3], 45);
    return result;
}

/* Uniform in [0, n), n > 0, without modulo bias: Lemire's multiply-and-reject
 * (the high half of x * n is uniform once the low half is outside the short
 * first bucket). */
static inline uint64_t kt_rng_below(kt_rng *r, uint64_t n) {
    KT_ASSERT(n > 0);
    unsigned __int128 m = (unsigned __int128)kt_rng_next(r) * n;
    uint64_t low = (uint64_t)m;
    if (__builtin_expect(low < n, 0)) {
        uint64_t threshold = -n % n; /* 2^64 mod n */
        while (low < threshold) {
            m = (unsigned __int128)kt_rng_next(r) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}
/* Uniform double in [0, 1). */
double kt_rng_unit(kt_rng *r);
/* Normal(0,1) by Box-Muller. */
double kt_rng_normal(kt_rng *r);

#endif
