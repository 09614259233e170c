/*
 * rng.c - xoshiro256** (Blackman and Vigna, 2018) seeded by splitmix64.
 * See rng.h. Integer-only apart from kt_rng_unit and kt_rng_normal, so the
 * sequence of kt_rng_next / kt_rng_below is the same on every machine.
 */
#include "rng.h"

#include <math.h>


static uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void kt_rng_seed(kt_rng *r, uint64_t seed) {
    uint64_t sm = seed;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&sm);
    /* splitmix64 is a bijection of its counter, so four outputs are never all
     * zero (the one state xoshiro cannot leave); keep the check anyway. */
    KT_ASSERT(r->s[0] | r->s[1] | r->s[2] | r->s[3]);
}

double kt_rng_unit(kt_rng *r) {
    return (double)(kt_rng_next(r) >> 11) * 0x1.0p-53;
}

double kt_rng_normal(kt_rng *r) {
    /* u1 in (0, 1] so that log(u1) is finite. */
    double u1 = 1.0 - kt_rng_unit(r);
    double u2 = kt_rng_unit(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}
