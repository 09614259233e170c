/*
 * gen_internal.h - what the files of src/gen share (internal; the public
 * contract is gen.h): the generator's state, its records, the limits and
 * shares that shape the data, and the hand-written formatting helpers that
 * keep printf off the hot path.
 *
 *     gen.c            options, files, kt_gen_run
 *     gen_catalogue.c  categories, stores, products
 *     gen_members.c    members, cards, consents, balances
 *     gen_receipts.c   receipts and their lines, day by day
 *     gen_direct.c     --direct: receipts into the columnar store instead of CSV
 *     gen_data.c       the constant reference tables (gen_data.h)
 *
 * Every function takes the one `gen` and writes through its outputs; an I/O
 * error is sticky in gen->rc and later writes are dropped.
 *
 * Determinism rule: at most one random draw per expression. C leaves the order
 * of evaluation of function arguments, initialisers and operands such as
 * `below(g, 7) + below(g, 8)` unspecified, and gcc and clang do pick different
 * orders; draw into named locals first.
 */
#ifndef KT_GEN_INTERNAL_H
#define KT_GEN_INTERNAL_H
#include "gen.h"
#include "gen_data.h"

#include "core/date.h"
#include "core/rng.h"

#include <stdio.h>
#include <string.h>

/* ---- limits ---------------------------------------------------------------- */

#define GEN_OUT_BUF_BYTES (1u << 20)  /* write in 1 MiB blocks */
#define GEN_ROW_BYTES_MAX 4096        /* longest row written (names are < 200 bytes) */
#define GEN_PREFS_MAX 12              /* preferred leaves per member */
#define GEN_CARDS_MAX 3               /* cards per member */
#define GEN_RETURN_LINES_MAX 8        /* lines a return can carry */
#define GEN_RETURN_RING 32            /* daily buckets of pending returns; > longest delay */
#define GEN_RETURN_DELAY_MAX 15       /* days between a sale and its return */
#define GEN_NONE16 UINT16_MAX

_Static_assert(GEN_RETURN_DELAY_MAX < GEN_RETURN_RING, "a return must land in a future bucket");
_Static_assert(KT_GEN_DAYS_MAX < INT16_MAX, "relative days fit the pref record");
_Static_assert(GEN_RETURN_LINES_MAX <= KT_GEN_RECEIPT_LINES_MAX, "returns are receipts too");

/* Shares, in percent or parts per million of the thing they qualify. */
#define GEN_DUP_PPM 10000          /* members who are a second row for an earlier one */
#define GEN_NOCARD_PPM 52000       /* sales without a card */
#define GEN_RETURN_PPM 11000       /* sales returned later (some fall after the period) */
#define GEN_PARTNER_STORE_PER 10   /* one store in ten is a partner outlet */
#define GEN_FEB29_PPM 2500         /* extra 29 February birthdays on top of the calendar's own */

/* ---- model records ------------------------------------------------------------- */

typedef struct gen_leaf {
    uint16_t group;
    uint8_t is_main;         /* main item of an accessory pair */
    uint32_t first, count;   /* its products: [first, first + count) */
    uint32_t zipf_total;     /* sum of its products' popularity weights */
    char code[8];            /* C010302 */
} gen_leaf;

/* The fields of a product that every basket line reads, apart: 20,000
 * products fit a core's cache this way. */
typedef struct gen_hot {
    uint32_t price;
    uint16_t leaf;
    uint8_t weighed, promo;
} gen_hot;

typedef struct gen_product {
    uint32_t price;          /* kopecks per piece, or per kg when weighed */
    uint32_t zipf_cum;       /* cumulative popularity within the leaf, this one included */
    uint16_t leaf;
    uint8_t brand;           /* index into its group's brands */
    uint8_t weighed;
    uint8_t promo;           /* often discounted: a supplier's promo item */
    uint8_t price_len;
    char price_str[14];      /* "89.90" */
    char code[8];            /* "P000123" */
} gen_product;

enum { STORE_HYPER, STORE_SUPER, STORE_SMALL };

typedef struct gen_store {
    uint8_t city;
    uint8_t kind;
    uint8_t partner;
    int offset_min;
    kt_day opened;
    const uint32_t *hour_cum; /* cumulative hour weights, 24 entries */
    char code[8];
    uint8_t code_len;
    char offset_str[8];      /* "+03:00" */
} gen_store;

/* The fields of a store that every visit reads, apart (4 bytes, not 48):
 * 10,000 stores fit a core's cache this way. */
typedef struct gen_store_hot {
    int16_t offset_min;
    uint8_t partner;
    uint8_t profile;         /* index into gen.hour_cum */
} gen_store_hot;

typedef struct gen_pair {
    uint16_t main_leaf, accessory_leaf;
    uint8_t pct, days_min, days_max;
} gen_pair;

/* What a member does; kept for the whole run. */
typedef struct gen_pref {
    uint16_t leaf;
    uint16_t fav;      /* favourite SKU, index within the leaf */
    int16_t last;      /* relative day of the last purchase (negative: before the period) */
    uint8_t cycle;     /* days between purchases */
    uint8_t weight;    /* 1..4 */
} gen_pref;

/* Two cache lines, read at each of its visits (in time order, so at random). */
typedef struct gen_member {
    gen_pref pref[GEN_PREFS_MAX];
    uint64_t avoid;                   /* groups it never buys (bit per group) */
    uint32_t card_first;              /* serial of its first card */
    uint32_t acc_product;             /* pending accessory + 1, or 0 */
    int16_t card_rel[GEN_CARDS_MAX];  /* issue day of each card, relative to the start */
    int16_t acc_due;                  /* relative day the accessory becomes due */
    uint8_t ncards;
    uint8_t basket;                   /* 0 small, 1 medium, 2 big */
    uint8_t npref;
} gen_member;
_Static_assert(sizeof(gen_member) == 128, "a member is two cache lines");

/* What the daily coin needs, apart and packed: the member loop runs every day. */
typedef struct gen_pulse {
    int32_t active_from;              /* relative day of the first possible visit; INT32_MAX never */
    int32_t churn_at;                 /* relative day it stops coming; INT32_MAX never */
    uint32_t visit_ppm;               /* chance of a visit on an ordinary day */
    uint8_t lapsing;                  /* rate fades over the period */
    uint8_t is_new;                   /* registered during the period: first visit that day */
    uint8_t pref_hour;                /* favourite hour, local time */
    uint16_t home, second, partner;   /* store indices; partner GEN_NONE16 when none */
} gen_pulse;

/* Who a member is; kept so that a later duplicate can copy it. */
typedef struct gen_person {
    uint8_t set;          /* name set: 0 Russian, 1 Kazakh */
    uint8_t female;
    uint8_t has_patronymic;
    uint8_t is_dup;
    uint8_t phone_fmt;    /* 0..7, or 255 none */
    uint8_t email_kind;   /* 0 none, else pattern + 1 */
    uint8_t email_domain;
    uint8_t email_case;   /* 0 lower, 1 Capitalised, 2 UPPER */
    uint16_t surname, first, father;
    kt_day birth;         /* KT_DAY_NONE when not given */
    uint64_t phone;       /* ten national digits */
    uint32_t email_suffix;/* 0 none, else a number appended to the local part */
    kt_day registered;
    uint16_t home;
} gen_person;

typedef struct gen_line {
    uint32_t product;
    int32_t qty;          /* pieces, or grams when weighed */
    int64_t amount;       /* kopecks */
} gen_line;

typedef struct gen_return {
    int32_t due;          /* relative day */
    uint32_t member;
    uint32_t card;        /* card serial + 1, or 0 */
    uint16_t store;
    uint8_t nlines;
    kt_day sale_day;
    uint32_t sale_seq;
    gen_line lines[GEN_RETURN_LINES_MAX];
} gen_return;

typedef struct gen_return_bucket { gen_return *v; size_t len, cap; } gen_return_bucket;

typedef struct gen_visit {
    int64_t utc;
    uint32_t member;
    uint32_t ret;         /* 0 for a sale, else index + 1 into today's return bucket */
    uint16_t store;
    uint8_t nocard;
} gen_visit;

typedef struct gen_out {
    FILE *f;
    bool discard;         /* columns_only: rows are made and counted, never written */
    char *buf;
    size_t len;
    uint64_t rows, bytes;
    char path[4096];
} gen_out;

typedef struct gen {
    const kt_gen_options *opt;
    kt_err *err;
    kt_rc rc;                         /* sticky: the first error wins */
    kt_rng rng;
    gen_out out[KT_GEN_FILE_COUNT];
    kt_gen_report report;

    /* catalogue */
    gen_leaf *leaves;
    size_t nleaves;
    char (*group_code)[6];
    uint8_t *group_supplier;          /* [group * GEN_GROUP_BRANDS + brand] */
    gen_product *products;
    uint32_t *zipf_cum;               /* products' zipf_cum again, packed: the hot search reads only it */
    struct gen_hot *hot;              /* what baskets read of each product, packed (8 bytes, not 40) */
    gen_store *stores;
    gen_store_hot *store_hot;         /* by store index, see gen_store_hot */
    uint16_t *own_stores;             /* stores that are not partners */
    size_t nown;
    uint16_t *partner_stores;
    size_t npartners;
    uint16_t *by_city;                /* store indices by (city, partner) */
    uint32_t city_start[32][2], city_count[32][2];
    uint32_t *home_cum;               /* cumulative home-store weights over own_stores */
    uint8_t *leaf_chance;             /* [month x nleaves]: % that a due preferred leaf is bought */
    uint64_t basket_seen;             /* bit product % 64 of each product in the basket being built */
    uint64_t groups_stocked;          /* bit per group: a leaf of it has SKUs (kt_gen_members) */
    uint32_t hour_cum[3][24];
    uint32_t *leaf_cum[12];           /* per month: cumulative impulse weights over leaves */
    uint32_t basket_cum[3][KT_GEN_RECEIPT_LINES_MAX];
    gen_pair pairs[8];
    size_t npairs;

    /* members */
    gen_member *members;              /* 64-byte aligned inside members_mem */
    void *members_mem;
    size_t members_map_len;           /* members_mem is a mapping of this length; 0: calloc'd */
    gen_pulse *pulse;
    gen_person *people;
    uint64_t *email_set;              /* open addressing of e-mail hashes */
    size_t email_set_cap;
    uint32_t cards;

    /* receipts */
    uint32_t mlo, mhi;                /* the members this gen simulates: [mlo, mhi) */
    struct gen_sink *sink;            /* a shard (gen_receipts.c): receipts go here, else out or direct */
    gen_return_bucket ring[GEN_RETURN_RING];
    gen_visit *visits;
    size_t nvisits, visits_cap;
    uint32_t *store_seq;
    uint64_t receipts_done, lines_done; /* for progress */

    struct gen_direct *direct;        /* --direct: the columnar sink, else NULL */
} gen;

/* ---- stages (one file each) --------------------------------------------------- */

void kt_gen_tree(gen *g);       /* categories.csv */
void kt_gen_stores(gen *g);     /* stores.csv */
void kt_gen_products(gen *g);   /* products.csv */
uint32_t kt_gen_pick_in_leaf(gen *g, size_t leaf);
void kt_gen_members(gen *g);    /* members, cards, consents, balances */
void kt_gen_receipts(gen *g);   /* receipts, receipt_lines */
void kt_gen_flush(gen *g, gen_out *o);

/* --direct (gen_direct.c): open takes the columnar store's lock before
 * anything is generated; begin sizes the id caches once members exist; each
 * receipt goes to the writer; finish commits (ok) or removes what was
 * written. Errors are sticky in g->rc. */
void kt_gen_direct_open(gen *g);
void kt_gen_direct_begin(gen *g);
/* Whether members are found through the operational store's cards (else by index). */
bool kt_gen_direct_by_card(const gen *g);
void kt_gen_direct_receipt(gen *g, kt_day day, int minute, uint16_t store, uint32_t member, uint32_t card,
                           bool is_return, const gen_line *lines, int n);
void kt_gen_direct_finish(gen *g, bool commit);

/* ---- small helpers ----------------------------------------------------------- */

static inline uint64_t below(gen *g, uint64_t n) { return kt_rng_below(&g->rng, n); }
static inline bool pct(gen *g, unsigned p) { return kt_rng_below(&g->rng, 100) < p; }
static inline bool ppm(gen *g, uint32_t p) { return kt_rng_below(&g->rng, 1000000) < p; }
static inline int64_t range(gen *g, int64_t lo, int64_t hi) { /* inclusive */
    return lo + (int64_t)kt_rng_below(&g->rng, (uint64_t)(hi - lo + 1));
}

/* Index of the first cumulative weight above a draw in [0, cum[n-1]). */
static inline size_t pick_cum(gen *g, const uint32_t *cum, size_t n) {
    uint32_t u = (uint32_t)below(g, cum[n - 1]);
    /* the first i with cum[i] > u, searched without branches (the answer is in [lo, lo + len)) */
    size_t lo = 0, len = n;
    while (len > 1) {
        size_t half = len / 2;
        lo = cum[lo + half - 1] <= u ? lo + half : lo;
        len -= half;
    }
    return lo;
}

static inline uint64_t fnv1a(const char *s, size_t n) {
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++) { h ^= (unsigned char)s[i]; h *= 0x100000001b3u; }
    return h;
}

/* ---- formatting: hand-written, no printf on the hot path --------------------------- */

static const char gen_digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static inline char *put_mem(char *p, const char *s, size_t n) { memcpy(p, s, n); return p + n; }
static inline char *put_s(char *p, const char *s) { return put_mem(p, s, strlen(s)); }

static inline char *put_u64(char *p, uint64_t v) {
    char tmp[24];
    char *e = tmp + sizeof tmp, *q = e;
    while (v >= 100) {
        unsigned d = (unsigned)(v % 100) * 2;
        v /= 100;
        *--q = gen_digit_pairs[d + 1];
        *--q = gen_digit_pairs[d];
    }
    if (v >= 10) {
        unsigned d = (unsigned)v * 2;
        *--q = gen_digit_pairs[d + 1];
        *--q = gen_digit_pairs[d];
    } else {
        *--q = (char)('0' + v);
    }
    return put_mem(p, q, (size_t)(e - q));
}

/* At least `width` digits, zero-padded; more if the number needs them. */
static inline char *put_zpad(char *p, uint64_t v, int width) {
    int digits = 1;
    for (uint64_t t = v; t >= 10; t /= 10) digits++;
    for (; digits < width; width--) *p++ = '0';
    return put_u64(p, v);
}

static inline char *put_2(char *p, unsigned v) {
    p[0] = gen_digit_pairs[v * 2];
    p[1] = gen_digit_pairs[v * 2 + 1];
    return p + 2;
}

/* Kopecks as decimal roubles with two decimals. */
static inline char *put_money(char *p, int64_t kopecks) {
    KT_ASSERT(kopecks >= 0);
    p = put_u64(p, (uint64_t)kopecks / 100);
    *p++ = '.';
    return put_2(p, (unsigned)(kopecks % 100));
}

static inline char *put_day(char *p, kt_day day) {
    int y, m, d;
    kt_day_to_civil(day, &y, &m, &d);
    p = put_zpad(p, (uint64_t)y, 4);
    *p++ = '-';
    p = put_2(p, (unsigned)m);
    *p++ = '-';
    return put_2(p, (unsigned)d);
}

/* "YYYY-MM-DDTHH:MM:SS+HH:MM" for a local day and second of that day. */
static inline char *put_local_time(char *p, kt_day day, int sec, const gen_store *st) {
    p = put_day(p, day);
    *p++ = 'T';
    p = put_2(p, (unsigned)(sec / 3600));
    *p++ = ':';
    p = put_2(p, (unsigned)(sec / 60 % 60));
    *p++ = ':';
    p = put_2(p, (unsigned)(sec % 60));
    return put_mem(p, st->offset_str, 6);
}

/* A text field, quoted as RFC 4180 asks when it holds a comma, quote or line end. */
static inline char *put_csv(char *p, const char *s) {
    if (!strpbrk(s, ",\"\r\n")) return put_s(p, s);
    *p++ = '"';
    for (; *s; s++) {
        if (*s == '"') *p++ = '"';
        *p++ = *s;
    }
    *p++ = '"';
    return p;
}

/* Room for one row; returns where to write it. */
static inline char *row_begin(gen *g, gen_out *o) {
    if (o->len > GEN_OUT_BUF_BYTES - GEN_ROW_BYTES_MAX) kt_gen_flush(g, o);
    return o->buf + o->len;
}

static inline void row_end(gen_out *o, char *p) {
    KT_ASSERT(p - (o->buf + o->len) <= GEN_ROW_BYTES_MAX);
    o->len = (size_t)(p - o->buf);
    o->rows++;
}

/* Card number: 7800, eleven digits permuted from the serial, a Luhn check digit. */
static inline char *put_card(char *p, uint32_t serial) {
    uint64_t body = ((uint64_t)serial * 61803398873u + 31415926535u) % 100000000000u;
    char d[16] = {'7', '8', '0', '0'};
    for (int i = 14; i >= 4; i--) { d[i] = (char)('0' + body % 10); body /= 10; }
    unsigned sum = 0;
    for (int i = 14; i >= 0; i--) {
        unsigned v = (unsigned)(d[i] - '0');
        if ((14 - i) % 2 == 0) { v *= 2; if (v > 9) v -= 9; }
        sum += v;
    }
    d[15] = (char)('0' + (10 - sum % 10) % 10);
    return put_mem(p, d, 16);
}

static inline char *put_member_code(char *p, uint32_t index) {
    *p++ = 'M';
    return put_zpad(p, index + 1u, 7);
}

#endif
