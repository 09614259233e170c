/*
 * rng.h - a small deterministic generator (xoshiro256** seeded by splitmix64).
 * Same seed, same sequence, on every machine. Not for secrets.
 */
#ifndef KT_RNG_H
#define KT_RNG_H
#include "kt.h"

typedef struct kt_rng { uint64_t s[4]; } kt_rng;

void kt_rng_seed(kt_rng *r, uint64_t seed);
uint64_t kt_rng_next(kt_rng *r);
/* Uniform in [0, n), n > 0, without modulo bias. */
uint64_t kt_rng_below(kt_rng *r, uint64_t n);
/* Uniform double in [0, 1). */
double kt_rng_unit(kt_rng *r);
/* Normal(0,1) by Box-Muller. */
double kt_rng_normal(kt_rng *r);

#endif
