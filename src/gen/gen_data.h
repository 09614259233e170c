/*
 * gen_data.h - the fixed reference tables behind `karta gen` (internal to
 * src/gen): the category tree with its price, pack and repeat-cycle profile,
 * brands, suppliers, cities with their zones, streets, partners, people's
 * names with their Latin spellings, e-mail domains, accessory pairs and the
 * calendar profiles. Plain constant data; defined in gen_data.c, read only by
 * gen.c. Nothing here depends on the seed.
 */
#ifndef KT_GEN_DATA_H
#define KT_GEN_DATA_H
#include "core/kt.h"

#define GEN_GROUP_LEAVES 4  /* leaves under every level-2 group */
#define GEN_GROUP_BRANDS 5  /* brands a group's SKUs are spread over */
#define GEN_PACKS 4         /* pack sizes in a pack set */

enum { GEN_SEASON_NONE, GEN_SEASON_SUMMER, GEN_SEASON_WINTER, GEN_SEASON_NEWYEAR, GEN_SEASON_COUNT };
enum { GEN_FLAG_ALCOHOL = 1, GEN_FLAG_TOBACCO = 2 };

typedef struct gen_pack {
    const char *label;  /* "900 мл" */
    uint16_t price_pct; /* price of this pack against the group's base price, percent */
} gen_pack;

typedef struct gen_group_def {
    uint8_t dept;                               /* index into gen_dept_names */
    const char *name;
    const char *leaves[GEN_GROUP_LEAVES];
    const char *brands[GEN_GROUP_BRANDS];
    int32_t price_min_kopecks, price_max_kopecks;       /* base price of the smallest pack */
    int32_t kg_price_min_kopecks, kg_price_max_kopecks; /* per kg, for weighed SKUs */
    uint8_t weighed_pct;                        /* share of the group's SKUs sold by weight */
    uint16_t grams_min, grams_max;              /* weight of one line of a weighed SKU */
    uint8_t cycle_days;                         /* typical days between two purchases */
    uint8_t popularity;                         /* relative chance to be in a basket, 1..100 */
    uint8_t season;                             /* GEN_SEASON_* */
    uint8_t pack_set;                           /* index into gen_pack_sets */
    uint8_t qty_max;                            /* most pieces on one line */
    uint8_t flags;                              /* GEN_FLAG_* */
} gen_group_def;

typedef struct gen_pair_def {
    const char *main_leaf, *accessory_leaf; /* leaf names, resolved at start-up */
    uint8_t pct;                            /* chance that a buyer of the main item comes back for it */
    uint8_t days_min, days_max;             /* when */
} gen_pair_def;

typedef struct gen_city {
    const char *name, *region, *zone;
    uint8_t kazakh; /* names and phones follow Kazakhstan */
} gen_city;

typedef struct gen_name {
    const char *name;                  /* Cyrillic */
    const char *latin;                 /* for e-mail addresses */
    const char *patronymic_m, *patronymic_f; /* from this name as a father's name (male names only) */
} gen_name;

extern const char *const gen_dept_names[];
extern const size_t gen_dept_count;
extern const gen_group_def gen_groups[];
extern const size_t gen_group_count;
extern const gen_pack gen_pack_sets[][GEN_PACKS];
extern const gen_pair_def gen_pairs[];
extern const size_t gen_pair_count;
extern const char *const gen_suppliers[];
extern const size_t gen_supplier_count;

extern const gen_city gen_cities[];
extern const size_t gen_city_count;
extern const uint8_t gen_store_city_order[];    /* the first stores' cities, to cover the zones */
extern const size_t gen_store_city_order_count;
extern const uint8_t gen_city_weight[];          /* later stores: cities by weight */
extern const char *const gen_streets[];
extern const size_t gen_street_count;
extern const char *const gen_partners[];
extern const size_t gen_partner_count;

/* Name sets: 0 Russian, 1 Kazakh. */
#define GEN_NAME_SETS 2
extern const gen_name *const gen_male_names[GEN_NAME_SETS];
extern const size_t gen_male_count[GEN_NAME_SETS];
extern const gen_name *const gen_female_names[GEN_NAME_SETS];
extern const size_t gen_female_count[GEN_NAME_SETS];
extern const gen_name *const gen_surnames[GEN_NAME_SETS]; /* male form; the female form is derived */
extern const size_t gen_surname_count[GEN_NAME_SETS];
extern const char *const gen_email_domains[GEN_NAME_SETS][8];

/* Calendar profiles, percent: 100 is an ordinary day. */
extern const uint8_t gen_weekday_pct[7];                     /* Monday first */
extern const uint8_t gen_month_pct[12];
extern const uint8_t gen_season_pct[GEN_SEASON_COUNT][12];
/* Hour-of-day weights in store local time. */
extern const uint16_t gen_hours_day[24];     /* ordinary store, 08:00-23:00 */
extern const uint16_t gen_hours_allday[24];  /* 24-hour store */
extern const uint16_t gen_hours_partner[24]; /* partner outlet, 09:00-21:00 */

#endif
