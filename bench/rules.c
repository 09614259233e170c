/*
 * bench/rules.c - pricing speed of the rule engine, in process: a synthetic
 * program of 50 active rules (rates, multipliers, SKU promos, category, brand,
 * supplier, tier, time and fixed-points rules, daily limits) compiled against
 * a fake in-memory catalogue, 10-line baskets, 5 personal offers per member.
 * Prints baskets per second for each of 5 runs and their median, on one core.
 *
 * Usage: build/bench/rules [BASKETS_PER_RUN]   (bench/rules.sh builds and runs it)
 */
#include "core/date.h"
#include "rules/rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PRODUCTS 2000
#define BRANDS 50
#define SUPPLIERS 30
#define LINES 10
#define OFFERS 5
#define BASKETS 256 /* distinct baskets, priced round-robin: at a checkout the basket is hot in cache */
#define RUNS 5

/* ---- the fake catalogue: P000001..P002000; categories Cdd, Cddgg, Cddggll;
 * brands "Brand N", suppliers "Supplier N", stores "S001".., partners "Partner N" */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int64_t leaf_of(int64_t product) { /* 10 departments x 5 groups x 4 leaves */
    int64_t k = (product * 7919) % 200;
    return (k / 20 + 1) * 10000 + (k / 4 % 5 + 1) * 100 + (k % 4 + 1);
}

static int64_t num_after(const char *s, const char *prefix) {
    size_t n = strlen(prefix);
    if (strncmp(s, prefix, n) != 0 || !s[n]) return -1;
    char *end;
    long long v = strtoll(s + n, &end, 10);
    return *end ? -1 : v;
}

static kt_rc resolve(void *ctx, char kind, const char *name, int64_t *id) {
    (void)ctx;
    int64_t v = -1;
    switch (kind) {
    case 's': v = num_after(name, "P"); if (v > PRODUCTS) v = -1; break;
    case 'c': v = num_after(name, "C"); break;
    case 'b': v = num_after(name, "Brand "); if (v > BRANDS) v = -1; break;
    case 'u': v = num_after(name, "Supplier "); if (v > SUPPLIERS) v = -1; break;
    case 't': v = num_after(name, "S"); break;
    case 'p': v = num_after(name, "Partner "); break;
    default: break;
    }
    if (v <= 0) return KT_ENOTFOUND;
    *id = v;
    return KT_OK;
}

/* ---- the program ------------------------------------------------------------------ */

typedef struct text {
    char *p;
    size_t n, cap;
} text;

static void add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(text *t, const char *fmt, ...) {
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int w = vsnprintf(t->p + t->n, t->cap - t->n, fmt, ap);
        va_end(ap);
        if ((size_t)w < t->cap - t->n) {
            t->n += (size_t)w;
            return;
        }
        t->cap = t->cap * 2 + (size_t)w;
        t->p = realloc(t->p, t->cap);
        if (!t->p) abort();
    }
}

static void skus(text *t, int count) {
    add(t, "\"skus\":[");
    for (int i = 0; i < count; i++) add(t, "%s\"P%06d\"", i ? "," : "", (int)(rnd() % PRODUCTS) + 1);
    add(t, "]");
}

static void category(text *t, int level) {
    int d = (int)(rnd() % 10) + 1, g = (int)(rnd() % 5) + 1, l = (int)(rnd() % 4) + 1;
    if (level == 0) add(t, "\"C%02d\"", d);
    else if (level == 1) add(t, "\"C%02d%02d\"", d, g);
    else add(t, "\"C%02d%02d%02d\"", d, g, l);
}

static char *program(int *nrules) {
    text t = {malloc(1024), 0, 1024};
    int n = 0;
    add(&t, "{\"program\":{\"point_value_minor\":10,\"rounding\":\"floor\",\"rounding_scope\":\"line\","
            "\"earn_on\":\"paid\",\"expiry_days\":365,\"tier_window_days\":365,"
            "\"exclude\":{\"alcohol\":true,\"tobacco\":true,\"categories\":[\"C1005\"]},"
            "\"birthday\":{\"window_days_before\":3,\"window_days_after\":3}},"
            "\"tiers\":[{\"id\":\"base\",\"min_spend_minor\":0},{\"id\":\"silver\",\"min_spend_minor\":3000000},"
            "{\"id\":\"gold\",\"min_spend_minor\":10000000}],\"rules\":[");
#define RULE(...) do { add(&t, "%s{\"id\":\"r%02d\",", n ? "," : "", n); add(&t, __VA_ARGS__); add(&t, "}"); n++; } while (0)
    RULE("\"priority\":10,\"stacking\":\"replace\",\"when\":{\"partner_store\":\"none\"},\"earn\":{\"points\":1,\"per_amount_minor\":1000}");
    RULE("\"priority\":10,\"stacking\":\"replace\",\"when\":{\"partner_store\":\"any\"},\"earn\":{\"points\":1,\"per_amount_minor\":1000},\"funded_by\":\"partner\"");
    RULE("\"priority\":30,\"stacking\":\"replace\",\"when\":{\"birthday\":true},\"earn\":{\"points\":4,\"per_amount_minor\":1000}");
    RULE("\"priority\":20,\"stacking\":\"replace\",\"when\":{\"favourite_category\":true},\"earn\":{\"points\":4,\"per_amount_minor\":1000}");
    RULE("\"priority\":15,\"stacking\":\"replace\",\"when\":{\"tier\":\"silver\"},\"earn\":{\"points\":2,\"per_amount_minor\":1000}");
    RULE("\"priority\":16,\"stacking\":\"replace\",\"when\":{\"tier\":\"gold\"},\"earn\":{\"points\":3,\"per_amount_minor\":1000}");
    for (int i = 0; i < 12; i++) { /* category rates and bonuses */
        add(&t, "%s{\"id\":\"r%02d\",\"priority\":%d,\"stacking\":\"%s\",\"when\":{\"categories\":[", n ? "," : "", n, 11 + i,
            i % 3 ? "add" : "replace");
        category(&t, i % 3);
        add(&t, ",");
        category(&t, 2);
        add(&t, "]},\"earn\":{\"points\":%d,\"per_amount_minor\":%d}}", 1 + i % 3, 1000 * (1 + i % 2));
        n++;
    }
    for (int i = 0; i < 4; i++) { /* category multipliers */
        add(&t, ",{\"id\":\"r%02d\",\"stacking\":\"%s\",\"priority\":%d,\"when\":{\"categories\":[", n, i % 2 ? "add" : "replace", i);
        category(&t, 1);
        add(&t, "]},\"earn\":{\"multiplier_pct\":%d}}", 150 + 50 * i);
        n++;
    }
    for (int i = 0; i < 12; i++) { /* supplier promos on SKUs */
        add(&t, ",{\"id\":\"r%02d\",\"stacking\":\"add\",\"when\":{", n);
        skus(&t, 10 + i * 2);
        add(&t, "},\"earn\":{\"points_per_unit\":%d},\"funded_by\":\"supplier\"}", 5 + i);
        n++;
    }
    for (int i = 0; i < 5; i++) { /* brands */
        add(&t, ",{\"id\":\"r%02d\",\"stacking\":\"add\",\"when\":{\"brands\":[\"Brand %d\",\"Brand %d\"]},"
                "\"earn\":{\"multiplier_pct\":%d},\"funded_by\":\"supplier:Supplier %d\"}",
            n, i * 3 + 1, i * 3 + 2, 120 + 20 * i, i + 1);
        n++;
    }
    for (int i = 0; i < 3; i++) { /* suppliers */
        add(&t, ",{\"id\":\"r%02d\",\"stacking\":\"add\",\"when\":{\"suppliers\":[\"Supplier %d\"]},"
                "\"earn\":{\"points\":1,\"per_amount_minor\":2000},\"funded_by\":\"supplier\"}", n, 10 + i);
        n++;
    }
    RULE("\"stacking\":\"add\",\"when\":{\"weekdays\":[6,7]},\"earn\":{\"multiplier_pct\":200}");
    RULE("\"stacking\":\"add\",\"when\":{\"hours\":{\"from\":\"08:00\",\"to\":\"11:00\"},\"tier_min\":\"silver\"},\"earn\":{\"multiplier_pct\":150}");
    RULE("\"stacking\":\"add\",\"when\":{\"date_from\":\"2026-01-01\",\"date_to\":\"2026-12-31\",\"stores\":[\"S001\",\"S002\",\"S003\"]},"
         "\"earn\":{\"points\":1,\"per_amount_minor\":5000}");
    RULE("\"stacking\":\"replace\",\"priority\":1,\"when\":{\"min_receipt_minor\":100000},\"earn\":{\"fixed_points\":50},"
         "\"limit\":{\"per_member_per_day\":50}");
    RULE("\"stacking\":\"add\",\"when\":{\"identified\":true,\"categories\":[\"C02\"]},\"earn\":{\"fixed_points\":20}");
    RULE("\"stacking\":\"add\",\"when\":{\"categories\":[\"C0301\",\"C0402\"]},\"earn\":{\"points_per_unit\":3},"
         "\"limit\":{\"per_member_per_day\":100}");
    RULE("\"stacking\":\"add\",\"priority\":5,\"when\":{\"brands\":[\"Brand 40\"],\"weekdays\":[1,2,3,4,5]},\"earn\":{\"points_per_unit\":25},"
         "\"funded_by\":\"supplier\"");
    RULE("\"stacking\":\"add\",\"when\":{\"partner_store\":[\"Partner 1\",\"Partner 2\"]},\"earn\":{\"points\":1,\"per_amount_minor\":1000},"
         "\"funded_by\":\"partner\"");
#undef RULE
    add(&t, "]}");
    *nrules = n;
    return t.p;
}

/* ---- baskets ------------------------------------------------------------------------ */

typedef struct basket {
    kt_price_ctx *ctx;
    kt_offer offers[OFFERS];
    kt_line lines[LINES];
    kt_points redeem;
} basket;

static void make_line(kt_line *l) {
    memset(l, 0, sizeof *l);
    int64_t p = (int64_t)(rnd() % PRODUCTS) + 1;
    int64_t leaf = leaf_of(p);
    l->product_id = p;
    l->category_path[0] = leaf;
    l->category_path[1] = leaf / 100;
    l->category_path[2] = leaf / 10000;
    l->brand_id = p % BRANDS + 1;
    l->supplier_id = p % SUPPLIERS + 1;
    l->alcohol = leaf / 10000 == 10 && leaf / 100 % 100 <= 2;
    l->tobacco = leaf / 10000 == 10 && leaf / 100 % 100 == 3;
    l->qty_milli = rnd() % 4 == 0 ? (int64_t)(rnd() % 3000) + 100 : 1000 * (int64_t)(rnd() % 3 + 1);
    l->price_minor = (int64_t)(rnd() % 100000) + 1000;
    l->amount_minor = l->price_minor * l->qty_milli / 1000;
}

static void make_basket(basket *b, kt_day today) {
    kt_price_ctx *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->day = today + (kt_day)(rnd() % 7);
    c->minute_of_day = (int)(rnd() % 1440);
    c->store_id = (int64_t)(rnd() % 20) + 1;
    c->partner_id = rnd() % 10 == 0 ? (int64_t)(rnd() % 3) + 1 : 0;
    c->identified = true;
    c->birth_day = rnd() % 20 == 0 ? c->day - 365 * 30 : kt_day_from_civil(1980, 1, 1) + (kt_day)(rnd() % 10000);
    c->favourite_category_id = (int64_t)(rnd() % 10 + 1) * 100 + (int64_t)(rnd() % 5) + 1;
    c->tier_spend_minor = (kt_money)(rnd() % 15000000);
    c->available_points = (kt_points)(rnd() % 5000);
    b->offers[0] = (kt_offer){1, KT_OFFER_PERCENT_OFF, KT_TARGET_SKU, (int64_t)(rnd() % PRODUCTS) + 1, 1500, 0, 1, 3};
    b->offers[1] = (kt_offer){2, KT_OFFER_AMOUNT_OFF, KT_TARGET_CATEGORY, (int64_t)(rnd() % 10) + 1, 5000, 0, 0, 0};
    b->offers[2] = (kt_offer){3, KT_OFFER_POINTS_MULTIPLIER, KT_TARGET_BRAND, (int64_t)(rnd() % BRANDS) + 1, 300, 0, 1, 7};
    b->offers[3] = (kt_offer){4, KT_OFFER_POINTS_OVER_SPEND, KT_TARGET_CATEGORY, (int64_t)(rnd() % 10) + 1, 200, 50000, 0, 0};
    b->offers[4] = (kt_offer){5, KT_OFFER_PERCENT_OFF, KT_TARGET_CATEGORY, (int64_t)(rnd() % 50) + 101, 1000, 0, 0, 0};
    c->offers = b->offers;
    c->noffers = OFFERS;
    for (int i = 0; i < LINES; i++) make_line(&b->lines[i]);
    b->redeem = rnd() % 4 == 0 ? -1 : 0;
    b->ctx = c;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    long per_run = argc > 1 ? atol(argv[1]) : 2000000;
    if (per_run <= 0) per_run = 2000000;
    int nrules;
    char *doc = program(&nrules);
    kt_ruleset *rs = NULL;
    kt_err err;
    double t0 = now_seconds();
    kt_rc rc = kt_rules_compile(doc, strlen(doc), 1, resolve, NULL, &rs, &err);
    double compile_ms = (now_seconds() - t0) * 1000;
    if (rc) {
        fprintf(stderr, "bench: the program does not compile: %s: %s\n", err.field, err.msg);
        return 1;
    }
    basket *bs = calloc(BASKETS, sizeof *bs);
    if (!bs) abort();
    kt_day today = kt_day_from_civil(2026, 3, 9);
    for (int i = 0; i < BASKETS; i++) make_basket(&bs[i], today);
    kt_line_result lr[LINES];
    kt_price_result *pr = malloc(sizeof *pr);
    /* Check once that every basket prices, and what the program gives. */
    kt_points earned = 0, redeemed = 0;
    for (int i = 0; i < BASKETS; i++) {
        if (kt_rules_price(rs, bs[i].ctx, bs[i].lines, LINES, bs[i].redeem, lr, pr, &err) != KT_OK) {
            fprintf(stderr, "bench: basket %d: %s: %s\n", i, err.field, err.msg);
            return 1;
        }
        earned += pr->earned, redeemed += pr->redeemed;
    }
    printf("rules: %d rules (%zu bytes of JSON) compiled in %.2f ms; %d lines a basket, %d offers;"
           " %.1f points earned and %.1f redeemed per basket on average\n",
           nrules, strlen(doc), compile_ms, LINES, OFFERS, (double)earned / BASKETS, (double)redeemed / BASKETS);
    double rates[RUNS];
    kt_points sink = 0;
    for (int run = 0; run < RUNS; run++) {
        double start = now_seconds();
        for (long k = 0; k < per_run; k++) {
            basket *b = &bs[k % BASKETS];
            kt_rules_price(rs, b->ctx, b->lines, LINES, b->redeem, lr, pr, &err);
            sink += pr->earned;
        }
        double secs = now_seconds() - start;
        rates[run] = (double)per_run / secs;
        printf("rules: run %d: %ld baskets in %.3f s = %.0f baskets/s\n", run + 1, per_run, secs, rates[run]);
    }
    if (sink < 0) printf("impossible\n"); /* keeps the loop's results alive */
    qsort(rates, RUNS, sizeof rates[0], cmp_double);
    printf("rules: median %.0f baskets/s (%.0f lines/s) on one core\n", rates[RUNS / 2], rates[RUNS / 2] * LINES);
    for (int i = 0; i < BASKETS; i++) free(bs[i].ctx);
    free(bs);
    free(pr);
    free(doc);
    kt_rules_free(rs);
    return 0;
}
