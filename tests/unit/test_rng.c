/* test_rng.c - src/core/rng.c: the exact sequence, bounds, uniformity. */
#include "t.h"
#include "core/rng.h"

#include <math.h>

/* Expected values from an independent model of splitmix64 + xoshiro256**;
 * splitmix64(0) starting with 0xe220a8397b1dcdaf is the published value. */
KT_TEST(rng_known_sequence) {
    kt_rng r;
    kt_rng_seed(&r, 0);
    KT_CHECK(r.s[0] == 0xe220a8397b1dcdafu);
    KT_CHECK(r.s[1] == 0x6e789e6aa1b965f4u);
    KT_CHECK(r.s[2] == 0x06c45d188009454fu);
    KT_CHECK(r.s[3] == 0xf88bb8a8724c81ecu);
    static const uint64_t want0[] = {0x99ec5f36cb75f2b4u, 0xbf6e1f784956452au, 0x1a5f849d4933e6e0u,
                                     0x6aa594f1262d2d2cu, 0xbba5ad4a1f842e59u};
    for (size_t i = 0; i < 5; i++) KT_CHECK(kt_rng_next(&r) == want0[i]);
    kt_rng_seed(&r, 42);
    static const uint64_t want42[] = {0x15780b2e0c2ec716u, 0x6104d9866d113a7eu, 0xae17533239e499a1u,
                                      0xecb8ad4703b360a1u, 0xfde6dc7fe2ec5e64u};
    for (size_t i = 0; i < 5; i++) KT_CHECK(kt_rng_next(&r) == want42[i]);
}

KT_TEST(rng_same_seed_same_sequence) {
    kt_rng a, b, c;
    kt_rng_seed(&a, 12345);
    kt_rng_seed(&b, 12345);
    kt_rng_seed(&c, 12346);
    int same_as_c = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = kt_rng_next(&a);
        KT_CHECK(x == kt_rng_next(&b));
        if (x == kt_rng_next(&c)) same_as_c++;
    }
    KT_CHECK_INT(same_as_c, 0);
}

KT_TEST(rng_below_bounds_and_uniformity) {
    kt_rng r;
    kt_rng_seed(&r, 7);
    KT_CHECK_INT(kt_rng_below(&r, 1), 0);
    int counts[10] = {0};
    const int draws = 100000;
    for (int i = 0; i < draws; i++) {
        uint64_t x = kt_rng_below(&r, 10);
        KT_CHECK(x < 10);
        if (x < 10) counts[x]++;
    }
    /* Expected 10000 each; sd is about 95, so +-600 is over 6 sd. */
    for (int k = 0; k < 10; k++) KT_CHECK(counts[k] > 9400 && counts[k] < 10600);
    /* A bound just over half the range is where modulo bias would show: the
     * low half would come up twice as often. */
    uint64_t n = (UINT64_MAX / 2) + (UINT64_MAX / 4);
    int low = 0;
    for (int i = 0; i < 20000; i++) {
        uint64_t x = kt_rng_below(&r, n);
        KT_CHECK(x < n);
        if (x < n / 2) low++;
    }
    KT_CHECK(low > 9400 && low < 10600);
    for (int i = 0; i < 1000; i++) KT_CHECK(kt_rng_below(&r, UINT64_MAX) < UINT64_MAX);
}

KT_TEST(rng_unit_and_normal) {
    kt_rng r;
    kt_rng_seed(&r, 99);
    double sum = 0, sum_sq = 0;
    const int draws = 200000;
    for (int i = 0; i < draws; i++) {
        double u = kt_rng_unit(&r);
        KT_CHECK(u >= 0.0 && u < 1.0);
    }
    for (int i = 0; i < draws; i++) {
        double x = kt_rng_normal(&r);
        KT_CHECK(isfinite(x));
        sum += x;
        sum_sq += x * x;
    }
    double mean = sum / draws, var = sum_sq / draws - mean * mean;
    KT_CHECK(fabs(mean) < 0.02);
    KT_CHECK(fabs(var - 1.0) < 0.02);
}
