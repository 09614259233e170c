/*
 * gen_members.c - the members of `karta gen`, in one pass: profile
 * (members.csv), cards (cards.csv), consents per channel (consents.csv) and
 * balances carried over (balances.csv), plus the behaviour record that
 * gen_receipts.c drives. About 1% are duplicates of an earlier member: same
 * name and birth date, the same phone written differently or the same e-mail
 * in another case, their own card. See gen_internal.h.
 */
#include "gen_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

/* ---- members -------------------------------------------------------------------------- */

/* A store of the city, own or partner, other than not_this; SIZE_MAX when there is none. */
static size_t pick_store_in_city(gen *g, unsigned city, bool partner, size_t not_this) {
    uint32_t cnt = g->city_count[city][partner];
    const uint16_t *list = g->by_city + g->city_start[city][partner];
    if (!cnt) return SIZE_MAX;
    uint64_t r = below(g, cnt);
    if (list[r] == not_this) {
        if (cnt == 1) return SIZE_MAX;
        r = (r + 1 + below(g, cnt - 1)) % cnt;
    }
    return list[r];
}

static size_t pick_partner_any(gen *g) {
    return g->npartners ? g->partner_stores[below(g, g->npartners)] : SIZE_MAX;
}

/* Writes the female form of a Russian surname (Cyrillic or Latin). */
static char *put_surname(char *p, const char *s, bool female, bool latin) {
    size_t n = strlen(s);
    if (!female) return put_mem(p, s, n);
    if (!latin) {
        if (n > 8 && (memcmp(s + n - 8, "ский", 8) == 0 || memcmp(s + n - 8, "цкий", 8) == 0)) {
            p = put_mem(p, s, n - 4);
            return put_s(p, "ая");
        }
        if (n > 4 && (memcmp(s + n - 4, "ов", 4) == 0 || memcmp(s + n - 4, "ев", 4) == 0 ||
                      memcmp(s + n - 4, "ёв", 4) == 0 || memcmp(s + n - 4, "ин", 4) == 0 ||
                      memcmp(s + n - 4, "ын", 4) == 0)) {
            p = put_mem(p, s, n);
            return put_s(p, "а");
        }
        return put_mem(p, s, n);
    }
    if (n > 3 && memcmp(s + n - 3, "sky", 3) == 0) {
        p = put_mem(p, s, n - 1);
        return put_s(p, "aya");
    }
    if (n > 2 && (memcmp(s + n - 2, "ov", 2) == 0 || memcmp(s + n - 2, "ev", 2) == 0 ||
                  memcmp(s + n - 2, "in", 2) == 0 || memcmp(s + n - 2, "yn", 2) == 0)) {
        p = put_mem(p, s, n);
        return put_s(p, "a");
    }
    return put_mem(p, s, n);
}

static const gen_name *person_first(const gen_person *ps) {
    return ps->female ? &gen_female_names[ps->set][ps->first] : &gen_male_names[ps->set][ps->first];
}

/* The lower-case address (no spaces, no case games); returns its end. */
static char *put_email_plain(char *p, const gen_person *ps) {
    const char *first = person_first(ps)->latin;
    const char *last = gen_surnames[ps->set][ps->surname].latin;
    char sur[64];
    char *se = put_surname(sur, last, ps->female, true);
    size_t sn = (size_t)(se - sur);
    switch (ps->email_kind - 1) {
    case 0: p = put_s(p, first); *p++ = '.'; p = put_mem(p, sur, sn); break;
    case 1: p = put_mem(p, sur, sn); *p++ = '.'; p = put_s(p, first); break;
    case 2: p = put_s(p, first); p = put_mem(p, sur, sn); break;
    case 3: *p++ = first[0]; *p++ = '.'; p = put_mem(p, sur, sn); break;
    default: p = put_mem(p, sur, sn); *p++ = '_'; p = put_s(p, first); break;
    }
    if (ps->email_suffix) p = put_u64(p, ps->email_suffix);
    *p++ = '@';
    return put_s(p, gen_email_domains[ps->set][ps->email_domain]);
}

/* Remember an address; false when it was taken. */
static bool email_claim(gen *g, const char *s, size_t n) {
    uint64_t h = fnv1a(s, n) | 1; /* 0 marks an empty slot */
    size_t mask = g->email_set_cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        if (g->email_set[i] == h) return false;
        if (!g->email_set[i]) { g->email_set[i] = h; return true; }
    }
}

static void choose_email(gen *g, gen_person *ps, uint32_t index) {
    ps->email_kind = (uint8_t)(1 + below(g, 5));
    unsigned u = (unsigned)below(g, 100);
    ps->email_domain = (uint8_t)(u < 40 ? 0 : u < 62 ? 1 : u < 77 ? 2 : u < 84 ? 3 : u < 90 ? 4 : u < 95 ? 5 : u < 98 ? 6 : 7);
    u = (unsigned)below(g, 100);
    ps->email_case = u < 84 ? 0 : u < 97 ? 1 : 2;
    char buf[256];
    int y, m, d;
    kt_day_to_civil(ps->birth == KT_DAY_NONE ? 0 : ps->birth, &y, &m, &d);
    /* Plain, then with the birth year (or its last two digits), then a number that is free. */
    uint32_t candidates[3] = {0, pct(g, 50) ? (uint32_t)y : (uint32_t)(y % 100 + 100), 0};
    if (g->opt->columns_only) { ps->email_suffix = 0; return; } /* no address is written: none to keep unique */
    for (int k = 0;; k++) {
        if (k < 2) ps->email_suffix = candidates[k];
        else ps->email_suffix = (uint32_t)((index * 7919u + 101u + (uint32_t)(k - 2) * 13u) % 9999899u) + 100u;
        if (k == 1 && ps->birth == KT_DAY_NONE) continue;
        char *e = put_email_plain(buf, ps);
        if (email_claim(g, buf, (size_t)(e - buf))) return;
    }
}

static char *put_email(char *p, const gen_person *ps, unsigned casing, bool spaces) {
    char buf[256];
    char *e = put_email_plain(buf, ps);
    if (spaces) *p++ = ' ';
    bool up = true;
    for (char *s = buf; s < e; s++) {
        char c = *s;
        if (casing == 2 || (casing == 1 && up)) c = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
        up = (c == '.' || c == '_' || c == '@');
        *p++ = c;
    }
    if (spaces) *p++ = ' ';
    return p;
}

/* A ten-digit national number written one of the ways people write it. */
static char *put_phone(char *p, uint64_t nat, unsigned fmt) {
    char d[10];
    for (int i = 9; i >= 0; i--) { d[i] = (char)('0' + nat % 10); nat /= 10; }
    switch (fmt) {
    case 0: p = put_s(p, "8 ("); p = put_mem(p, d, 3); p = put_s(p, ") "); p = put_mem(p, d + 3, 3); *p++ = '-';
            p = put_mem(p, d + 6, 2); *p++ = '-'; return put_mem(p, d + 8, 2);
    case 1: p = put_s(p, "+7 "); p = put_mem(p, d, 3); *p++ = ' '; p = put_mem(p, d + 3, 3); *p++ = '-';
            p = put_mem(p, d + 6, 2); *p++ = '-'; return put_mem(p, d + 8, 2);
    case 2: *p++ = '7'; return put_mem(p, d, 10);
    case 3: *p++ = '8'; p = put_mem(p, d, 3); *p++ = '-'; p = put_mem(p, d + 3, 3); *p++ = '-';
            return put_mem(p, d + 6, 4);
    case 4: p = put_s(p, "+7("); p = put_mem(p, d, 3); *p++ = ')'; return put_mem(p, d + 3, 7);
    case 5: *p++ = '8'; return put_mem(p, d, 10);
    case 6: p = put_s(p, "+7"); return put_mem(p, d, 10);
    default: *p++ = '8'; *p++ = '-'; p = put_mem(p, d, 3); *p++ = '-'; p = put_mem(p, d + 3, 3); *p++ = '-';
             p = put_mem(p, d + 6, 2); *p++ = '-'; return put_mem(p, d + 8, 2);
    }
}
#define GEN_PHONE_FORMATS 8

static const uint16_t kz_operators[] = {700, 701, 702, 705, 707, 708, 747, 771, 775, 776, 777, 778};

/* Distinct per (set, serial): the serial is permuted over every (operator, seven
 * digits) pair by an affine map whose factor is prime to the modulus. */
static uint64_t phone_number(unsigned set, uint32_t serial) {
    uint64_t nops = set ? KT_ARRAY_LEN(kz_operators) : 100u;
    uint64_t x = ((uint64_t)serial * 48271u + 7654321u) % (nops * 10000000u);
    uint64_t op = set ? kz_operators[x / 10000000u] : 900u + x / 10000000u;
    return op * 10000000u + x % 10000000u;
}

/* Age at the start of the period, by bands that look like a grocery chain's members. */
static int pick_age(gen *g) {
    static const struct { uint8_t lo, hi, w; } bands[] = {
        {18, 24, 8}, {25, 34, 20}, {35, 44, 22}, {45, 54, 18}, {55, 64, 16}, {65, 74, 11}, {75, 85, 5},
    };
    unsigned u = (unsigned)below(g, 100), acc = 0;
    for (size_t i = 0; i < KT_ARRAY_LEN(bands); i++) {
        acc += bands[i].w;
        if (u < acc) return (int)range(g, bands[i].lo, bands[i].hi);
    }
    return 40;
}

static kt_day pick_birth(gen *g) {
    int sy, sm, sd;
    kt_day_to_civil(g->opt->start, &sy, &sm, &sd);
    int year = sy - pick_age(g) - 1;
    if (ppm(g, GEN_FEB29_PPM)) {
        while (!kt_is_leap(year)) year--;
        return kt_day_from_civil(year, 2, 29);
    }
    kt_day jan1 = kt_day_from_civil(year, 1, 1);
    return jan1 + (kt_day)below(g, kt_is_leap(year) ? 366 : 365);
}

static kt_day add_years(kt_day day, int years) {
    int y, m, d;
    kt_day_to_civil(day, &y, &m, &d);
    if (m == 2 && d == 29) d = 28;
    return kt_day_from_civil(y + years, m, d);
}

/* Preferred leaves: groups by popularity and the member's tastes, a leaf with SKUs in each. */
static void choose_prefs(gen *g, gen_member *m, unsigned count) {
    uint32_t cum[64];
    uint32_t acc = 0;
    /* One draw per statement: the order of draws inside one expression is unspecified in C. */
    unsigned fav_dept[2];
    fav_dept[0] = (unsigned)below(g, gen_dept_count);
    fav_dept[1] = (unsigned)below(g, gen_dept_count);
    for (size_t gi = 0; gi < gen_group_count; gi++) {
        uint32_t w = gen_groups[gi].popularity;
        if (gen_groups[gi].dept == fav_dept[0] || gen_groups[gi].dept == fav_dept[1]) w *= 3;
        if (m->avoid >> gi & 1) w = 0;
        if (!(g->groups_stocked >> gi & 1)) w = 0;
        acc += w;
        cum[gi] = acc;
    }
    m->npref = 0;
    if (!acc) return;
    for (unsigned tries = 0; m->npref < count && tries < count * 4; tries++) {
        size_t gi = pick_cum(g, cum, gen_group_count);
        size_t leaf = gi * GEN_GROUP_LEAVES + below(g, GEN_GROUP_LEAVES);
        if (!g->leaves[leaf].count) continue;
        bool have = false;
        for (unsigned k = 0; k < m->npref; k++) have |= m->pref[k].leaf == leaf;
        if (have) continue;
        gen_pref *p = &m->pref[m->npref++];
        p->leaf = (uint16_t)leaf;
        p->fav = (uint16_t)kt_gen_pick_in_leaf(g, leaf);
        unsigned cycle = gen_groups[gi].cycle_days * (unsigned)range(g, 70, 150) / 100;
        p->cycle = (uint8_t)(cycle < 2 ? 2 : cycle > 200 ? 200 : cycle);
        p->weight = (uint8_t)range(g, 1, 4);
        p->last = (int16_t)-(int16_t)below(g, p->cycle + 1u); /* staggered: some are due at once */
    }
}

static const char *const family_names[] = {"single", "married", "divorced", "widowed"};

static unsigned pick_family(gen *g, int age) {
    static const uint8_t table[4][4] = {
        {75, 20, 5, 0}, {30, 55, 14, 1}, {12, 60, 20, 8}, {6, 45, 14, 35},
    };
    const uint8_t *t = table[age < 25 ? 0 : age < 45 ? 1 : age < 65 ? 2 : 3];
    unsigned u = (unsigned)below(g, 100), acc = 0;
    for (unsigned k = 0; k < 4; k++) { acc += t[k]; if (u < acc) return k; }
    return 1;
}

static unsigned pick_children(gen *g, int age) {
    static const uint8_t table[3][5] = {{80, 15, 4, 1, 0}, {30, 35, 25, 8, 2}, {25, 30, 30, 10, 5}};
    const uint8_t *t = table[age < 25 ? 0 : age < 45 ? 1 : 2];
    unsigned u = (unsigned)below(g, 100), acc = 0;
    for (unsigned k = 0; k < 5; k++) { acc += t[k]; if (u < acc) return k; }
    return 0;
}

static void write_consent(gen *g, uint32_t index, const char *channel, bool granted, kt_day day, int sec,
                          const gen_store *st, const char *source) {
    gen_out *o = &g->out[KT_GEN_CONSENTS];
    if (g->opt->columns_only) { o->rows++; return; } /* no file is written */
    char *p = row_begin(g, o);
    p = put_member_code(p, index);
    *p++ = ',';
    p = put_s(p, channel);
    *p++ = ',';
    *p++ = granted ? '1' : '0';
    *p++ = ',';
    p = put_local_time(p, day, sec, st);
    *p++ = ',';
    p = put_s(p, source);
    *p++ = '\n';
    row_end(o, p);
}

/* Consents per channel the member can be reached on, with later grants and withdrawals. */
static void make_consents(gen *g, uint32_t index, const gen_person *ps, bool has_phone, bool has_email,
                          bool has_app, bool viber) {
    const gen_store *st = &g->stores[ps->home];
    kt_day last_day = g->opt->start + (kt_day)g->opt->days - 1;
    static const char *const channels[4] = {"sms", "email", "push", "viber"};
    static const char *const later_sources[3] = {"app", "support", "store"};
    bool can[4] = {has_phone, has_email, has_app, has_phone && viber};
    int reg_sec = (int)range(g, 9 * 3600, 21 * 3600);
    for (unsigned c = 0; c < 4; c++) {
        if (!can[c]) continue;
        unsigned u = (unsigned)below(g, 100);
        kt_day day = ps->registered;
        int sec = reg_sec;
        bool granted;
        const char *source = c == 2 ? "app" : "registration";
        if (u < 62) {
            granted = true;
        } else if (u < 72) {
            granted = false;
        } else if (u < 84) {
            if (ps->registered >= last_day) continue;
            day = ps->registered + (kt_day)range(g, 1, last_day - ps->registered < 400 ? last_day - ps->registered : 400);
            sec = (int)range(g, 8 * 3600, 22 * 3600);
            granted = true;
            source = c == 2 ? "app" : later_sources[below(g, 3)];
        } else {
            continue;
        }
        write_consent(g, index, channels[c], granted, day, sec, st, source);
        if (granted && pct(g, 9) && day < last_day) {
            kt_day wday = day + (kt_day)range(g, 1, last_day - day);
            int wsec = (int)range(g, 8 * 3600, 22 * 3600);
            const char *wsource = pct(g, 60) ? "app" : "support";
            write_consent(g, index, channels[c], false, wday, wsec, st, wsource);
        }
    }
}

typedef struct member_ctx {
    size_t pets_group, shave_group;
    uint32_t phone_serial[GEN_NAME_SETS];
    uint32_t lo;              /* first member of the range being made */
    uint64_t alcohol_groups, tobacco_groups; /* bit gi: gen_groups[gi] has the flag */
} member_ctx;

static void member_one(gen *g, member_ctx *c, uint32_t i);
static void members_sharded(gen *g, const member_ctx *c, unsigned threads);

void kt_gen_members(gen *g) {
    const kt_gen_options *opt = g->opt;
    uint32_t n = opt->members;
    /* Visits read members at random: on 2 MB pages a 40 M-member array (5 GB)
     * needs 2,500 TLB entries instead of 1.2 M. */
    size_t bytes = ((size_t)n + 1) * sizeof *g->members, huge = (size_t)2 << 20;
    bytes = (bytes + huge - 1) / huge * huge;
    /* Fresh anonymous pages are zero: no memset here, so the pages are first
     * touched (and cleared by the kernel) by the shards that fill them, in
     * parallel, not by this thread alone (5 GB at the month's scale). */
    size_t len = bytes + huge;
    void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map != MAP_FAILED) {
        g->members_mem = map;
        g->members_map_len = len;
        uintptr_t at = ((uintptr_t)map + huge - 1) / huge * huge;
        madvise((void *)at, bytes, MADV_HUGEPAGE);
        g->members = (gen_member *)at;
    } else {
        g->members_mem = kt_xcalloc(1, bytes); /* aborts if that fails too */
        g->members_map_len = 0;
        g->members = g->members_mem;
    }
    g->pulse = kt_xcalloc(n, sizeof *g->pulse);
    size_t pets_group = SIZE_MAX, shave_group = SIZE_MAX;
    for (size_t gi = 0; gi < gen_group_count; gi++) {
        if (strcmp(gen_groups[gi].name, "Товары для животных") == 0) pets_group = gi;
        if (strcmp(gen_groups[gi].name, "Бритьё") == 0) shave_group = gi;
    }
    g->people = kt_xcalloc(n, sizeof *g->people);
    member_ctx c = {pets_group, shave_group, {0, 0}, 0, 0, 0};
    KT_ASSERT(gen_group_count <= 64);
    g->groups_stocked = 0;
    for (size_t gi = 0; gi < gen_group_count; gi++) {
        if (gen_groups[gi].flags & GEN_FLAG_ALCOHOL) c.alcohol_groups |= (uint64_t)1 << gi;
        if (gen_groups[gi].flags & GEN_FLAG_TOBACCO) c.tobacco_groups |= (uint64_t)1 << gi;
        for (unsigned l = 0; l < GEN_GROUP_LEAVES; l++)
            if (g->leaves[gi * GEN_GROUP_LEAVES + l].count) g->groups_stocked |= (uint64_t)1 << gi;
    }
    unsigned threads = opt->threads < n ? opt->threads : n;
    if (threads > 1 && opt->columns_only && g->direct && !kt_gen_direct_by_card(g)) {
        members_sharded(g, &c, threads);
        return;
    }
    g->email_set_cap = 1024;
    while (g->email_set_cap < (size_t)n * 2) g->email_set_cap *= 2;
    g->email_set = kt_xcalloc(g->email_set_cap, sizeof *g->email_set);
    for (uint32_t i = 0; i < n; i++) member_one(g, &c, i);
}

/* One member: who, where, how they shop, their cards and files' rows. Draws
 * only from G (a shard's copy in members_sharded); a duplicate copies an
 * earlier member of the same range [c->lo, i). */
static void member_one(gen *g, member_ctx *c, uint32_t i) {
    const kt_gen_options *opt = g->opt;
    size_t pets_group = c->pets_group, shave_group = c->shave_group;
    uint32_t *phone_serial = c->phone_serial;
    kt_day start = opt->start, end = opt->start + (kt_day)opt->days; /* end: first day after */
    gen_out *om = &g->out[KT_GEN_MEMBERS], *oc = &g->out[KT_GEN_CARDS], *ob = &g->out[KT_GEN_BALANCES];
    {
        gen_person *ps = &g->people[i];
        gen_member *m = &g->members[i];
        gen_pulse *pu = &g->pulse[i];
        const gen_person *orig = NULL;
        if (i - c->lo >= 20 && ppm(g, GEN_DUP_PPM)) {
            for (int t = 0; t < 8 && !orig; t++) {
                const gen_person *o = &g->people[c->lo + below(g, i - c->lo)];
                if (!o->is_dup && o->birth != KT_DAY_NONE && (o->phone_fmt != 255 || o->email_kind)) orig = o;
            }
        }

        /* Home store first: it decides the city, hence the names and phones. */
        if (orig) {
            size_t s = pick_store_in_city(g, g->stores[orig->home].city, false, SIZE_MAX);
            ps->home = (uint16_t)(s == SIZE_MAX ? orig->home : s);
        } else {
            ps->home = g->own_stores[pick_cum(g, g->home_cum, g->nown)];
        }
        const gen_city *city = &gen_cities[g->stores[ps->home].city];

        bool sex_shown = true;
        int age;
        if (orig) {
            *ps = (gen_person){.set = orig->set, .female = orig->female, .has_patronymic = orig->has_patronymic,
                               .is_dup = 1, .surname = orig->surname, .first = orig->first, .father = orig->father,
                               .birth = orig->birth, .home = ps->home, .phone_fmt = 255};
            int y0, m0, d0, y1, m1, d1;
            kt_day_to_civil(start, &y0, &m0, &d0);
            kt_day_to_civil(ps->birth, &y1, &m1, &d1);
            age = y0 - y1;
            /* The same phone written differently, and/or the same e-mail in another case. */
            if (orig->phone_fmt != 255) {
                ps->phone = orig->phone;
                ps->phone_fmt = (uint8_t)((orig->phone_fmt + 1 + below(g, GEN_PHONE_FORMATS - 1)) % GEN_PHONE_FORMATS);
            }
            if (orig->email_kind && (orig->phone_fmt == 255 || pct(g, 50))) {
                ps->email_kind = orig->email_kind;
                ps->email_domain = orig->email_domain;
                ps->email_suffix = orig->email_suffix;
                ps->email_case = (uint8_t)((orig->email_case + 1 + below(g, 2)) % 3);
            }
            g->report.duplicate_members++;
        } else {
            ps->set = (uint8_t)(city->kazakh && pct(g, 55));
            ps->female = pct(g, 56);
            ps->surname = (uint16_t)below(g, gen_surname_count[ps->set]);
            ps->first = (uint16_t)below(g, ps->female ? gen_female_count[ps->set] : gen_male_count[ps->set]);
            ps->father = (uint16_t)below(g, gen_male_count[ps->set]);
            ps->has_patronymic = pct(g, 92);
            ps->birth = pick_birth(g);
            int y0, m0, d0, y1, m1, d1;
            kt_day_to_civil(start, &y0, &m0, &d0);
            kt_day_to_civil(ps->birth, &y1, &m1, &d1);
            age = y0 - y1;
            ps->phone_fmt = 255;
            if (pct(g, 86)) {
                ps->phone = phone_number(ps->set, phone_serial[ps->set]++);
                ps->phone_fmt = (uint8_t)below(g, GEN_PHONE_FORMATS);
            }
            if (pct(g, 1)) ps->birth = KT_DAY_NONE; /* some never said */
            if (pct(g, 58)) choose_email(g, ps, i);
        }
        sex_shown = !pct(g, 2);

        /* Registration: before the period (not before the store opened, not before 18),
         * or during it for new members; a duplicate after the original. */
        uint16_t reg_store = ps->home;
        if (pct(g, 8)) reg_store = g->own_stores[below(g, g->nown)];
        kt_day opened = g->stores[reg_store].opened;
        unsigned u = (unsigned)below(g, 100);
        kt_day reg;
        if (orig) {
            kt_day lo = orig->registered + 30;
            if (lo < opened) lo = opened;
            reg = lo < end ? lo + (kt_day)below(g, (uint64_t)(end - lo)) : end - 1;
        } else if (u < 16) {
            reg = start + (kt_day)below(g, opt->days);
        } else {
            reg = start - 1 - (kt_day)below(g, 1460);
            kt_day lo = opened;
            if (ps->birth != KT_DAY_NONE) {
                kt_day adult = add_years(ps->birth, 18);
                if (adult > lo) lo = adult;
            }
            if (reg < lo) reg = lo < start ? lo + (kt_day)below(g, (uint64_t)(start - lo)) : start - 1;
        }
        ps->registered = reg;

        /* Behaviour. */
        pu->home = ps->home;
        size_t s2 = pick_store_in_city(g, g->stores[ps->home].city, false, ps->home);
        pu->second = (uint16_t)(s2 == SIZE_MAX ? ps->home : s2);
        size_t sp = pick_store_in_city(g, g->stores[ps->home].city, true, SIZE_MAX);
        if (sp == SIZE_MAX) sp = pick_partner_any(g);
        pu->partner = (uint16_t)(sp == SIZE_MAX ? GEN_NONE16 : sp);
        pu->pref_hour = (uint8_t)range(g, 9, 21);
        pu->is_new = reg >= start;
        pu->active_from = pu->is_new ? reg - start : 0;
        pu->churn_at = INT32_MAX;
        bool dormant = pct(g, 4);
        unsigned cls = (unsigned)below(g, 100);
        unsigned npref;
        if (cls < 6) {
            pu->visit_ppm = (uint32_t)range(g, 285000, 570000);
            m->basket = (uint8_t)(pct(g, 50) ? 0 : pct(g, 80) ? 1 : 2);
            npref = (unsigned)range(g, 8, GEN_PREFS_MAX);
        } else if (cls < 28) {
            pu->visit_ppm = (uint32_t)range(g, 100000, 215000);
            unsigned b = (unsigned)below(g, 100);
            m->basket = (uint8_t)(b < 30 ? 0 : b < 80 ? 1 : 2);
            npref = (unsigned)range(g, 7, GEN_PREFS_MAX);
        } else if (cls < 68) {
            pu->visit_ppm = (uint32_t)range(g, 50000, 100000);
            unsigned b = (unsigned)below(g, 100);
            m->basket = (uint8_t)(b < 25 ? 0 : b < 75 ? 1 : 2);
            npref = (unsigned)range(g, 5, 10);
        } else {
            pu->visit_ppm = (uint32_t)range(g, 10000, 33000);
            unsigned b = (unsigned)below(g, 100);
            m->basket = (uint8_t)(b < 20 ? 0 : b < 70 ? 1 : 2);
            npref = (unsigned)range(g, 4, 8);
        }
        if (pct(g, pu->is_new ? 20 : 25)) {
            int32_t from = pu->active_from;
            pu->churn_at = from + 1 + (int32_t)below(g, (uint64_t)(opt->days - (uint32_t)from));
        } else if (pct(g, 15)) {
            pu->lapsing = 1;
        }
        if (dormant) pu->active_from = INT32_MAX;
        /* Tastes: no alcohol, no tobacco, no pets, no shaving for many. */
        bool no_alcohol = pct(g, 40), no_tobacco = !pct(g, 22), no_pets = !pct(g, 35), no_shave = !pct(g, ps->female ? 10 : 60);
        m->avoid |= (no_alcohol ? c->alcohol_groups : 0) | (no_tobacco ? c->tobacco_groups : 0) |
                    (no_pets && pets_group != SIZE_MAX ? (uint64_t)1 << pets_group : 0) |
                    (no_shave && shave_group != SIZE_MAX ? (uint64_t)1 << shave_group : 0);
        choose_prefs(g, m, npref);

        /* Cards: the first at registration; some replaced later, the old one inactive or blocked. */
        m->card_first = g->cards;
        kt_day card_day[GEN_CARDS_MAX] = {reg};
        m->ncards = 1;
        unsigned extra = pct(g, 13) ? (pct(g, 20) ? 2 : 1) : 0;
        for (unsigned k = 0; k < extra; k++) {
            kt_day lo = card_day[m->ncards - 1] + 30;
            if (lo >= end) break;
            card_day[m->ncards] = lo + (kt_day)below(g, (uint64_t)(end - lo));
            m->ncards++;
        }
        g->cards += m->ncards;
        for (unsigned k = 0; k < m->ncards; k++) m->card_rel[k] = (int16_t)(card_day[k] - start);

        bool has_phone = ps->phone_fmt != 255, has_email = ps->email_kind != 0;
        if (opt->columns_only) {
            /* No file is written: the same draws as below, no text. */
            if (!pct(g, 15)) (void)pick_family(g, age);
            if (!pct(g, 20)) (void)pick_children(g, age);
            if (!pct(g, 25)) (void)pct(g, 45);
            if (opt->dirty && ppm(g, 6000)) { (void)below(g, 5); has_phone = false; }
            if (has_email && opt->dirty && ppm(g, 5000)) { (void)pct(g, 50); has_email = false; }
            else if (has_email) (void)pct(g, 3);
            if (m->npref) (void)pct(g, 60);
            om->rows++;
            for (unsigned k = 0; k + 1 < m->ncards; k++) (void)pct(g, 35);
            oc->rows += m->ncards;
        } else {
            /* members.csv */
            char *p = row_begin(g, om);
            p = put_member_code(p, i);
            *p++ = ',';
            p = put_surname(p, gen_surnames[ps->set][ps->surname].name, ps->female, false);
            *p++ = ' ';
            p = put_s(p, person_first(ps)->name);
            if (ps->has_patronymic) {
                *p++ = ' ';
                const gen_name *father = &gen_male_names[ps->set][ps->father];
                p = put_s(p, ps->female ? father->patronymic_f : father->patronymic_m);
            }
            *p++ = ',';
            if (sex_shown) *p++ = ps->female ? 'F' : 'M';
            *p++ = ',';
            if (ps->birth != KT_DAY_NONE) p = put_day(p, ps->birth);
            *p++ = ',';
            p = put_csv(p, city->name);
            *p++ = ',';
            p = put_csv(p, city->region);
            *p++ = ',';
            if (!pct(g, 15)) p = put_s(p, family_names[pick_family(g, age)]);
            *p++ = ',';
            if (!pct(g, 20)) p = put_u64(p, pick_children(g, age));
            *p++ = ',';
            if (!pct(g, 25)) *p++ = pct(g, 45) ? '1' : '0';
            *p++ = ',';
            if (opt->dirty && ppm(g, 6000)) {
                static const char *const bad[] = {"345-67-89", "+7 912 345", "8 (9", "не указан", "12345"};
                p = put_s(p, bad[below(g, KT_ARRAY_LEN(bad))]);
                has_phone = false;
            } else if (has_phone) {
                p = put_phone(p, ps->phone, ps->phone_fmt);
            }
            *p++ = ',';
            if (has_email && opt->dirty && ppm(g, 5000)) {
                char buf[256];
                char *e = put_email_plain(buf, ps);
                *e = 0;
                char *at = strchr(buf, '@');
                if (pct(g, 50)) *at = '.';                          /* no '@' */
                else { char *dot = strrchr(at, '.'); memmove(dot, dot + 1, strlen(dot)); } /* no dot after '@' */
                p = put_s(p, buf);
                has_email = false;
            } else if (has_email) {
                p = put_email(p, ps, ps->email_case, pct(g, 3));
            }
            *p++ = ',';
            p = put_day(p, reg);
            *p++ = ',';
            p = put_mem(p, g->stores[reg_store].code, g->stores[reg_store].code_len);
            *p++ = ',';
            if (m->npref && pct(g, 60)) {
                unsigned best = 0;
                for (unsigned k = 1; k < m->npref; k++) if (m->pref[k].weight > m->pref[best].weight) best = k;
                p = put_mem(p, g->group_code[g->leaves[m->pref[best].leaf].group], 5);
            }
            *p++ = '\n';
            row_end(om, p);

            /* cards.csv */
            for (unsigned k = 0; k < m->ncards; k++) {
                p = row_begin(g, oc);
                p = put_card(p, m->card_first + k);
                *p++ = ',';
                p = put_member_code(p, i);
                *p++ = ',';
                if (k + 1 < m->ncards) p = put_s(p, pct(g, 35) ? "blocked" : "inactive");
                else p = put_s(p, dormant ? "issued" : "active");
                *p++ = ',';
                p = put_day(p, card_day[k]);
                *p++ = '\n';
                row_end(oc, p);
            }
        }

        /* consents.csv */
        bool has_app = pct(g, 35);
        bool viber = pct(g, 40);
        make_consents(g, i, ps, has_phone, has_email, has_app, viber);

        /* balances.csv: points carried over from the previous system. */
        bool balance = reg < start && pct(g, 30);
        if (balance && opt->columns_only) {
            (void)below(g, 1000);
            if (pct(g, 70)) (void)range(g, 30, 365);
            ob->rows++;
        } else if (balance) {
            char *p = row_begin(g, ob);
            p = put_member_code(p, i);
            *p++ = ',';
            uint64_t v = below(g, 1000);
            p = put_u64(p, 10 + v * v / 200);
            *p++ = ',';
            if (pct(g, 70)) p = put_day(p, start + (kt_day)range(g, 30, 365));
            *p++ = '\n';
            row_end(ob, p);
        }

        /* The person behind a duplicate often stops using the old card. */
        if (orig && reg >= start && pct(g, 60)) {
            gen_pulse *opu = &g->pulse[orig - g->people];
            int32_t at = reg - start;
            if (at < opu->churn_at) opu->churn_at = at;
        }
    }
}

/* ---- members in parallel (--direct --columns-only --threads N) ------------------------- */

/* Each shard makes a range of members with its own random stream, e-mail set,
 * phone and card serials (ranges apart: a member's cards are numbered from
 * i x GEN_CARDS_MAX) and file buffers (nothing is written: columns only, so no
 * row order to keep). Members read only the catalogue and their own range. */
typedef struct mshard {
    gen g;
    member_ctx c;
    uint32_t hi;
    pthread_t thread;
} mshard;

static void *mshard_run(void *arg) {
    mshard *m = arg;
    for (uint32_t i = m->c.lo; i < m->hi; i++) member_one(&m->g, &m->c, i);
    return NULL;
}

static void members_sharded(gen *g, const member_ctx *c, unsigned threads) {
    uint32_t n = g->opt->members;
    mshard *v = kt_xcalloc(threads, sizeof *v);
    uint64_t base = kt_rng_next(&g->rng);
    for (unsigned s = 0; s < threads; s++) {
        mshard *m = &v[s];
        m->g = *g;
        m->c = *c;
        m->c.lo = (uint32_t)((uint64_t)n * s / threads);
        m->hi = (uint32_t)((uint64_t)n * (s + 1) / threads);
        kt_rng_seed(&m->g.rng, base + 0x632be59bd9b4e019ull * (s + 1));
        for (int k = 0; k < GEN_NAME_SETS; k++) m->c.phone_serial[k] = m->c.lo; /* serials apart */
        m->g.cards = m->c.lo * GEN_CARDS_MAX;
        m->g.report = (kt_gen_report){0};
        m->g.email_set_cap = 1024;
        while (m->g.email_set_cap < (size_t)(m->hi - m->c.lo) * 2) m->g.email_set_cap *= 2;
        m->g.email_set = kt_xcalloc(m->g.email_set_cap, sizeof *m->g.email_set);
        for (int f = 0; f < KT_GEN_FILE_COUNT; f++) {
            m->g.out[f].buf = g->out[f].buf ? kt_xmalloc(GEN_OUT_BUF_BYTES) : NULL;
            m->g.out[f].len = 0;
            m->g.out[f].rows = m->g.out[f].bytes = 0;
        }
    }
    unsigned started = 0;
    for (; started < threads; started++)
        if (pthread_create(&v[started].thread, NULL, mshard_run, &v[started])) break;
    for (unsigned s = started; s < threads; s++) mshard_run(&v[s]); /* no thread: here */
    for (unsigned s = 0; s < started; s++) pthread_join(v[s].thread, NULL);
    for (unsigned s = 0; s < threads; s++) {
        mshard *m = &v[s];
        g->report.duplicate_members += m->g.report.duplicate_members;
        for (int f = 0; f < KT_GEN_FILE_COUNT; f++) {
            g->out[f].rows += m->g.out[f].rows;
            g->out[f].bytes += m->g.out[f].bytes + m->g.out[f].len;
            free(m->g.out[f].buf);
        }
        free(m->g.email_set);
    }
    g->cards = n * GEN_CARDS_MAX;
    free(v);
}
