/*
 * gen_catalogue.c - the chain's catalogue for `karta gen`: the category tree
 * (categories.csv), stores with their cities, zones, sizes and partners
 * (stores.csv) and SKUs with brand, pack, shelf price and Zipf popularity
 * (products.csv). See gen_internal.h; the tables are in gen_data.c.
 */
#include "gen_internal.h"

#include <stdlib.h>

/* ---- catalogue -------------------------------------------------------------------- */

void kt_gen_tree(gen *g) {
    KT_ASSERT(gen_group_count <= 64); /* avoid masks are 64-bit */
    g->group_code = kt_xcalloc(gen_group_count, sizeof *g->group_code);
    g->nleaves = gen_group_count * GEN_GROUP_LEAVES;
    g->leaves = kt_xcalloc(g->nleaves, sizeof *g->leaves);
    unsigned in_dept[16] = {0};
    KT_ASSERT(gen_dept_count <= 16);
    gen_out *o = &g->out[KT_GEN_CATEGORIES];
    for (size_t d = 0; d < gen_dept_count; d++) {
        char *p = row_begin(g, o);
        *p++ = 'C';
        p = put_2(p, (unsigned)d + 1);
        *p++ = ',';
        p = put_csv(p, gen_dept_names[d]);
        *p++ = ',';
        *p++ = '\n';
        row_end(o, p);
    }
    for (size_t gi = 0; gi < gen_group_count; gi++) {
        const gen_group_def *gd = &gen_groups[gi];
        unsigned k = ++in_dept[gd->dept];
        char *c = g->group_code[gi];
        c[0] = 'C';
        put_2(c + 1, (unsigned)gd->dept + 1);
        put_2(c + 3, k);
        c[5] = 0;
        char *p = row_begin(g, o);
        p = put_mem(p, c, 5);
        *p++ = ',';
        p = put_csv(p, gd->name);
        *p++ = ',';
        p = put_mem(p, c, 3);
        *p++ = '\n';
        row_end(o, p);
    }
    for (size_t gi = 0; gi < gen_group_count; gi++) {
        for (unsigned l = 0; l < GEN_GROUP_LEAVES; l++) {
            gen_leaf *lf = &g->leaves[gi * GEN_GROUP_LEAVES + l];
            lf->group = (uint16_t)gi;
            memcpy(lf->code, g->group_code[gi], 5);
            put_2(lf->code + 5, l + 1);
            lf->code[7] = 0;
            char *p = row_begin(g, o);
            p = put_mem(p, lf->code, 7);
            *p++ = ',';
            p = put_csv(p, gen_groups[gi].leaves[l]);
            *p++ = ',';
            p = put_mem(p, g->group_code[gi], 5);
            *p++ = '\n';
            row_end(o, p);
        }
    }
    /* Each brand has one supplier wherever it appears. */
    g->group_supplier = kt_xcalloc(gen_group_count * GEN_GROUP_BRANDS, 1);
    for (size_t gi = 0; gi < gen_group_count; gi++)
        for (unsigned b = 0; b < GEN_GROUP_BRANDS; b++) {
            const char *brand = gen_groups[gi].brands[b];
            g->group_supplier[gi * GEN_GROUP_BRANDS + b] =
                (uint8_t)(fnv1a(brand, strlen(brand)) % gen_supplier_count);
        }
}

static size_t find_leaf(const char *name) {
    for (size_t gi = 0; gi < gen_group_count; gi++)
        for (unsigned l = 0; l < GEN_GROUP_LEAVES; l++)
            if (strcmp(gen_groups[gi].leaves[l], name) == 0) return gi * GEN_GROUP_LEAVES + l;
    kt_panic(__FILE__, __LINE__, name); /* a typo in gen_pairs */
}

/* A price that looks like a shelf price: whole roubles and .90, .99 or .00. */
static uint32_t shelf_price(gen *g, int64_t kopecks) {
    int64_t rub = kopecks / 100;
    if (rub < 1) rub = 1;
    unsigned u = (unsigned)below(g, 10);
    int64_t kop = u < 6 ? 90 : u < 9 ? 99 : 0;
    return (uint32_t)(rub * 100 + kop);
}

void kt_gen_products(gen *g) {
    const kt_gen_options *opt = g->opt;
    size_t n = opt->products;
    g->products = kt_xcalloc(n, sizeof *g->products);
    g->zipf_cum = kt_xcalloc(n, sizeof *g->zipf_cum);
    g->hot = kt_xcalloc(n, sizeof *g->hot);
    /* Leaves share the SKUs by their group's popularity (plus a floor), largest remainder. */
    uint64_t wsum = 0;
    for (size_t l = 0; l < g->nleaves; l++) wsum += gen_groups[g->leaves[l].group].popularity + 15u;
    uint64_t given = 0;
    uint64_t *rem = kt_xcalloc(g->nleaves, sizeof *rem);
    for (size_t l = 0; l < g->nleaves; l++) {
        uint64_t w = gen_groups[g->leaves[l].group].popularity + 15u;
        g->leaves[l].count = (uint32_t)(n * w / wsum);
        rem[l] = n * w % wsum;
        given += g->leaves[l].count;
    }
    while (given < n) { /* the largest remainders, ties to the earlier leaf */
        size_t best = 0;
        for (size_t l = 1; l < g->nleaves; l++) if (rem[l] > rem[best]) best = l;
        g->leaves[best].count++;
        rem[best] = 0;
        given++;
    }
    free(rem);

    gen_out *o = &g->out[KT_GEN_PRODUCTS];
    uint32_t next = 0;
    uint8_t used[GEN_GROUP_BRANDS][GEN_PACKS + 1]; /* how often a (brand, pack) name was used */
    for (size_t l = 0; l < g->nleaves; l++) {
        gen_leaf *lf = &g->leaves[l];
        const gen_group_def *gd = &gen_groups[lf->group];
        lf->first = next;
        memset(used, 0, sizeof used);
        uint32_t cum = 0;
        for (uint32_t r = 0; r < lf->count; r++) {
            gen_product *pr = &g->products[next];
            pr->leaf = (uint16_t)l;
            /* Prefer a brand and pack not yet in the leaf, so that names differ. */
            unsigned brand = 0, pack = 0, weighed = 0;
            for (int attempt = 0; attempt < 8; attempt++) {
                brand = (unsigned)below(g, GEN_GROUP_BRANDS);
                weighed = gd->weighed_pct && pct(g, gd->weighed_pct);
                pack = weighed ? GEN_PACKS : (unsigned)below(g, GEN_PACKS);
                if (!used[brand][pack]) break;
            }
            unsigned dup_no = ++used[brand][pack];
            pr->brand = (uint8_t)brand;
            pr->weighed = (uint8_t)weighed;
            pr->promo = pct(g, 7);
            if (weighed) {
                pr->price = shelf_price(g, range(g, gd->kg_price_min_kopecks, gd->kg_price_max_kopecks));
            } else {
                int64_t base = range(g, gd->price_min_kopecks, gd->price_max_kopecks);
                pr->price = shelf_price(g, base * gen_pack_sets[gd->pack_set][pack].price_pct / 100);
            }
            char *e = put_money(pr->price_str, pr->price);
            pr->price_len = (uint8_t)(e - pr->price_str);
            /* Zipf within the leaf: the r-th most popular sells 1/(r+1) of the first. */
            cum += 1000000u / (r + 1);
            pr->zipf_cum = cum;
            g->zipf_cum[pr - g->products] = cum;
            g->hot[pr - g->products] = (gen_hot){pr->price, pr->leaf, pr->weighed, pr->promo};

            char name[512];
            char *q = name;
            q = put_s(q, gd->leaves[l % GEN_GROUP_LEAVES]);
            *q++ = ' ';
            q = put_s(q, gd->brands[brand]);
            *q++ = ' ';
            q = put_s(q, weighed ? "вес." : gen_pack_sets[gd->pack_set][pack].label);
            if (dup_no > 1) { q = put_s(q, " №"); q = put_u64(q, dup_no); }
            *q = 0;

            pr->code[0] = 'P';
            char *ce = put_zpad(pr->code + 1, next + 1u, 6);
            KT_ASSERT(ce == pr->code + 7); /* six digits: KT_GEN_PRODUCTS_MAX */
            char *p = row_begin(g, o);
            p = put_mem(p, pr->code, 7);
            *p++ = ',';
            p = put_csv(p, name);
            *p++ = ',';
            p = put_mem(p, lf->code, 7);
            *p++ = ',';
            p = put_csv(p, gd->brands[brand]);
            *p++ = ',';
            p = put_csv(p, gen_suppliers[g->group_supplier[lf->group * GEN_GROUP_BRANDS + brand]]);
            *p++ = ',';
            p = put_mem(p, pr->price_str, pr->price_len);
            p = put_s(p, weighed ? ",kg," : ",pcs,");
            *p++ = (gd->flags & GEN_FLAG_ALCOHOL) ? '1' : '0';
            *p++ = ',';
            *p++ = (gd->flags & GEN_FLAG_TOBACCO) ? '1' : '0';
            *p++ = '\n';
            row_end(o, p);
            next++;
        }
        lf->zipf_total = cum;
    }
    KT_ASSERT(next == n);

    /* Accessory pairs whose two leaves both have SKUs. */
    for (size_t i = 0; i < gen_pair_count && g->npairs < KT_ARRAY_LEN(g->pairs); i++) {
        size_t a = find_leaf(gen_pairs[i].main_leaf), b = find_leaf(gen_pairs[i].accessory_leaf);
        if (!g->leaves[a].count || !g->leaves[b].count) continue;
        gen_pair *pp = &g->pairs[g->npairs++];
        pp->main_leaf = (uint16_t)a;
        pp->accessory_leaf = (uint16_t)b;
        pp->pct = gen_pairs[i].pct;
        pp->days_min = gen_pairs[i].days_min;
        pp->days_max = gen_pairs[i].days_max;
        g->leaves[a].is_main = 1;
    }

    /* Impulse picks: leaves by group popularity and the month's season. */
    for (int m = 0; m < 12; m++) {
        uint32_t *cum = kt_xcalloc(g->nleaves, sizeof *cum);
        uint32_t acc = 0;
        for (size_t l = 0; l < g->nleaves; l++) {
            const gen_group_def *gd = &gen_groups[g->leaves[l].group];
            if (g->leaves[l].count) acc += (uint32_t)gd->popularity * gen_season_pct[gd->season][m];
            cum[l] = acc;
        }
        g->leaf_cum[m] = cum;
    }
}

/* Zipf pick of a SKU in a leaf with SKUs: its index within the leaf. */
uint32_t kt_gen_pick_in_leaf(gen *g, size_t leaf) {
    const gen_leaf *lf = &g->leaves[leaf];
    KT_ASSERT(lf->count > 0);
    uint32_t u = (uint32_t)below(g, lf->zipf_total);
    const uint32_t *cum = g->zipf_cum + lf->first;
    /* the first product with zipf_cum > u, without branches (as pick_cum) */
    uint32_t lo = 0, len = lf->count;
    while (len > 1) {
        uint32_t half = len / 2;
        lo = cum[lo + half - 1] <= u ? lo + half : lo;
        len -= half;
    }
    return lo;
}

void kt_gen_stores(gen *g) {
    const kt_gen_options *opt = g->opt;
    uint32_t n = opt->stores;
    g->stores = kt_xcalloc(n, sizeof *g->stores);
    g->store_hot = kt_xcalloc(n, sizeof *g->store_hot);
    g->own_stores = kt_xcalloc(n, sizeof *g->own_stores);
    g->home_cum = kt_xcalloc(n, sizeof *g->home_cum);
    g->store_seq = kt_xcalloc(n, sizeof *g->store_seq);
    g->partner_stores = kt_xcalloc(n, sizeof *g->partner_stores);
    g->by_city = kt_xcalloc(n, sizeof *g->by_city);

    /* Hour profiles. */
    const uint16_t *profiles[3] = {gen_hours_day, gen_hours_allday, gen_hours_partner};
    for (int k = 0; k < 3; k++) {
        uint32_t acc = 0;
        for (int h = 0; h < 24; h++) { acc += profiles[k][h]; g->hour_cum[k][h] = acc; }
    }

    /* Cities past the fixed opening list: smooth weighted round robin. */
    int32_t cur[32] = {0};
    int32_t total = 0;
    KT_ASSERT(gen_city_count <= 32);
    for (size_t c = 0; c < gen_city_count; c++) total += gen_city_weight[c];

    gen_out *o = &g->out[KT_GEN_STORES];
    unsigned partners_used = 0;
    for (uint32_t i = 0; i < n; i++) {
        gen_store *st = &g->stores[i];
        if (i < gen_store_city_order_count) {
            st->city = gen_store_city_order[i];
        } else {
            size_t best = 0;
            for (size_t c = 0; c < gen_city_count; c++) {
                cur[c] += gen_city_weight[c];
                if (cur[c] > cur[best]) best = c;
            }
            cur[best] -= total;
            st->city = (uint8_t)best;
        }
        st->partner = (i + 1) % GEN_PARTNER_STORE_PER == 0 || (n >= 5 && n < GEN_PARTNER_STORE_PER && i == n - 1);
        unsigned u = (unsigned)below(g, 100);
        st->kind = u < 15 ? STORE_HYPER : u < 65 ? STORE_SUPER : STORE_SMALL;
        bool allday = !st->partner && st->kind == STORE_SMALL && pct(g, 30);
        unsigned profile = st->partner ? 2 : allday ? 1 : 0;
        st->hour_cum = g->hour_cum[profile];
        kt_err zerr;
        if (kt_zone_offset(gen_cities[st->city].zone, &st->offset_min, &zerr, "timezone") != KT_OK)
            kt_panic(__FILE__, __LINE__, "gen_cities holds a zone date.c does not know");
        g->store_hot[i] = (gen_store_hot){(int16_t)st->offset_min, st->partner, (uint8_t)profile};
        int off = st->offset_min < 0 ? -st->offset_min : st->offset_min;
        st->offset_str[0] = st->offset_min < 0 ? '-' : '+';
        put_2(st->offset_str + 1, (unsigned)(off / 60));
        st->offset_str[3] = ':';
        put_2((char *)st->offset_str + 4, (unsigned)(off % 60));
        char *e = st->code;
        *e++ = 'S';
        e = put_zpad(e, i + 1u, 3);
        st->code_len = (uint8_t)(e - st->code);
        if (!st->partner) {
            uint32_t w = st->kind == STORE_HYPER ? 5 : st->kind == STORE_SUPER ? 3 : 1;
            g->home_cum[g->nown] = (g->nown ? g->home_cum[g->nown - 1] : 0) + w;
            g->own_stores[g->nown++] = (uint16_t)i;
        }

        char name[512];
        char *q = name;
        const char *partner = NULL;
        if (st->partner) {
            partner = gen_partners[partners_used++ % gen_partner_count];
            q = put_s(q, partner);
        } else {
            q = put_s(q, st->kind == STORE_HYPER ? "Гипермаркет Карта" : st->kind == STORE_SUPER ? "Супермаркет Карта"
                                                                                                : "Карта у дома");
        }
        q = put_s(q, ", ");
        q = put_s(q, gen_streets[below(g, gen_street_count)]);
        q = put_s(q, ", ");
        q = put_u64(q, (uint64_t)range(g, 1, 150));
        *q = 0;
        kt_day opened = opt->start - (kt_day)range(g, 30, 3000);
        st->opened = opened;
        if (st->partner) g->partner_stores[g->npartners++] = (uint16_t)i;

        char *p = row_begin(g, o);
        p = put_mem(p, st->code, st->code_len);
        *p++ = ',';
        p = put_csv(p, name);
        *p++ = ',';
        p = put_csv(p, gen_cities[st->city].name);
        *p++ = ',';
        p = put_csv(p, gen_cities[st->city].region);
        *p++ = ',';
        p = put_s(p, gen_cities[st->city].zone);
        *p++ = ',';
        if (partner) p = put_csv(p, partner);
        *p++ = ',';
        p = put_day(p, opened);
        *p++ = '\n';
        row_end(o, p);
    }
    KT_ASSERT(g->nown > 0);

    /* Stores by city, own and partner apart (a counting sort). */
    for (uint32_t i = 0; i < n; i++) g->city_count[g->stores[i].city][g->stores[i].partner]++;
    uint32_t at = 0;
    for (size_t c = 0; c < gen_city_count; c++)
        for (int k = 0; k < 2; k++) { g->city_start[c][k] = at; at += g->city_count[c][k]; }
    uint32_t fill[32][2] = {{0}};
    for (uint32_t i = 0; i < n; i++) {
        const gen_store *st = &g->stores[i];
        g->by_city[g->city_start[st->city][st->partner] + fill[st->city][st->partner]++] = (uint16_t)i;
    }
}

