/*
 * compile.c - a validated rule document -> an immutable kt_ruleset.
 *
 * Names are resolved to ids through the caller's resolver; rules get bitmap
 * slots ordered by (effect group, stacking, priority, document order), so the
 * lowest set bit of a group's "replace" bitmap is the rule that wins; every
 * SKU, category, brand and supplier that a rule or an exclusion names goes into
 * an id table (open addressing) holding the bitmap of the rules naming it and
 * the exclusion bits. Pricing (price.c) then needs no strings at all.
 * Also kt_rules_compile itself and the accessors of rules.h.
 */
#include "rules/rules_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char kind_letter[KT_KIND_COUNT_] = {'s', 'c', 'b', 'u'};
static const char *const kind_list_key[KT_KIND_COUNT_] = {"skus", "categories", "brands", "suppliers"};
static const char *const kind_word[KT_KIND_COUNT_] = {"SKU", "category", "brand", "supplier"};

/* ---- names -> ids ------------------------------------------------------------- */

typedef struct resolver {
    kt_rules_resolve_fn fn;
    void *ctx;
} resolver;

static kt_rc resolve_name(const resolver *rv, char kind, const char *what, const char *name, const char *path,
                          int64_t *id, kt_err *err) {
    *id = 0;
    kt_rc rc = rv->fn ? rv->fn(rv->ctx, kind, name, id) : KT_ENOTFOUND;
    if (rc == KT_ENOTFOUND) return kt_fail(err, KT_ENOTFOUND, path, "unknown %s \"%s\"", what, name);
    if (rc != KT_OK) return kt_fail(err, rc, path, "could not resolve %s \"%s\": %s", what, name, kt_strerror(rc));
    if (*id <= 0)
        return kt_fail(err, KT_EINTERNAL, path, "the resolver gave %s \"%s\" the id %lld (ids are positive)", what, name,
                       (long long)*id);
    return KT_OK;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A basket-level list (stores, partners) -> sorted unique ids. */
static kt_rc resolve_list(const resolver *rv, char kind, const char *what, const kt_rules_names *names, size_t rule,
                          const char *key, int64_t **out, size_t *nout, kt_err *err) {
    *out = NULL;
    *nout = 0;
    if (!names->n) return KT_OK;
    int64_t *ids = kt_xcalloc(names->n, sizeof *ids);
    for (size_t i = 0; i < names->n; i++) {
        char path[KT_ERR_FIELD_MAX];
        snprintf(path, sizeof path, "$.rules[%zu].when.%s[%zu]", rule, key, i);
        kt_rc rc = resolve_name(rv, kind, what, names->v[i], path, &ids[i], err);
        if (rc) {
            free(ids);
            return rc;
        }
    }
    qsort(ids, names->n, sizeof *ids, cmp_i64);
    size_t n = 0;
    for (size_t i = 0; i < names->n; i++)
        if (n == 0 || ids[n - 1] != ids[i]) ids[n++] = ids[i];
    *out = ids;
    *nout = n;
    return KT_OK;
}

/* ---- id tables ------------------------------------------------------------------ */

static size_t id_hash(int64_t id, size_t cap) {
    return (size_t)(((uint64_t)id * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & (cap - 1);
}

static void table_init(kt_id_table *t, size_t expected) {
    size_t cap = 8;
    while (cap < expected * 2) cap *= 2;
    t->e = kt_xcalloc(cap, sizeof *t->e);
    t->cap = cap;
    t->n = 0;
}

static kt_id_entry *table_upsert(kt_id_table *t, int64_t id) {
    size_t h = id_hash(id, t->cap);
    while (t->e[h].id != 0 && t->e[h].id != id) h = (h + 1) & (t->cap - 1);
    if (t->e[h].id == 0) {
        KT_ASSERT(t->n + 1 < t->cap);
        t->e[h] = (kt_id_entry){id, -1, 0};
        t->n++;
    }
    return &t->e[h];
}

typedef struct builder {
    kt_ruleset *rs;
    resolver rv;
    size_t nmask_rows, cap_mask_rows;
} builder;

static void set_bit(uint64_t *m, int slot) { m[slot >> 6] |= UINT64_C(1) << (slot & 63); }

static kt_rc add_names(builder *b, int kind, const kt_rules_names *names, const char *path_fmt, size_t rule, int slot,
                       uint8_t excl, kt_err *err) {
    kt_ruleset *rs = b->rs;
    for (size_t i = 0; i < names->n; i++) {
        char path[KT_ERR_FIELD_MAX];
        if (slot >= 0) snprintf(path, sizeof path, path_fmt, rule, kind_list_key[kind], i);
        else snprintf(path, sizeof path, path_fmt, kind_list_key[kind], i);
        int64_t id;
        kt_rc rc = resolve_name(&b->rv, kind_letter[kind], kind_word[kind], names->v[i], path, &id, err);
        if (rc) return rc;
        kt_id_entry *e = table_upsert(&rs->tab[kind], id);
        e->excl |= excl;
        if (slot < 0) continue;
        if (e->mask < 0) {
            if (b->nmask_rows == b->cap_mask_rows) {
                b->cap_mask_rows = b->cap_mask_rows ? b->cap_mask_rows * 2 : 64;
                rs->masks = kt_xrealloc(rs->masks, b->cap_mask_rows * KT_MASK_WORDS * sizeof *rs->masks);
            }
            memset(rs->masks + b->nmask_rows * KT_MASK_WORDS, 0, KT_MASK_WORDS * sizeof *rs->masks);
            e->mask = (int32_t)b->nmask_rows++;
        }
        set_bit(rs->masks + (size_t)e->mask * KT_MASK_WORDS, slot);
    }
    return KT_OK;
}

/* ---- slots ---------------------------------------------------------------------- */

static int cmp_slot(const void *a, const void *b) {
    const kt_rule *x = *(const kt_rule *const *)a, *y = *(const kt_rule *const *)b;
    if (x->group != y->group) return x->group < y->group ? -1 : 1;
    if (x->replace != y->replace) return x->replace ? -1 : 1;
    if (x->priority != y->priority) return x->priority > y->priority ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

static kt_rc build(kt_rules_doc *doc, int64_t version, const resolver *rv, kt_ruleset **out, kt_err *err) {
    kt_ruleset *rs = kt_xcalloc(1, sizeof *rs);
    builder b = {rs, *rv, 0, 0};
    kt_rc rc = KT_OK;
    rs->version = version;
    rs->set = doc->set;
    rs->ntiers = doc->ntiers;
    for (int i = 0; i < doc->ntiers; i++) {
        rs->tiers[i] = doc->tiers[i];
        rs->tiers[i].name = kt_xstrdup(doc->tiers[i].name_doc ? doc->tiers[i].name_doc : doc->tiers[i].id);
        rs->tiers[i].name_doc = NULL;
    }
    rs->nrules = doc->nrules;
    rs->rules = kt_xcalloc(doc->nrules ? doc->nrules : 1, sizeof *rs->rules);
    for (size_t i = 0; i < doc->nrules; i++) {
        rs->rules[i] = doc->rules[i].r;
        rs->rules[i].name = kt_xstrdup(doc->rules[i].name ? doc->rules[i].name : doc->rules[i].r.id);
    }
    rs->nwords = doc->nrules ? (int)((doc->nrules + 63) / 64) : 1;

    /* Slots: group, replace before add, priority descending, document order. */
    kt_rule *order[KT_RULES_MAX];
    for (size_t i = 0; i < rs->nrules; i++) order[i] = &rs->rules[i];
    qsort(order, rs->nrules, sizeof order[0], cmp_slot);
    rs->basket_rules = kt_xcalloc(rs->nrules ? rs->nrules : 1, sizeof *rs->basket_rules);
    rs->limited = kt_xcalloc(rs->nrules ? rs->nrules : 1, sizeof *rs->limited);
    for (size_t i = 0; i < rs->nrules; i++)
        if (rs->rules[i].limit_per_day >= 0) rs->limited[rs->nlimited++] = (uint16_t)i;
    for (size_t s = 0; s < rs->nrules; s++) {
        kt_rule *r = order[s];
        int slot = (int)s;
        r->slot = slot;
        rs->slot_rule[s] = (uint16_t)r->index;
        switch (r->group) {
        case KT_GROUP_RATE: set_bit(r->replace ? rs->m_rate_replace : rs->m_rate_add, slot); break;
        case KT_GROUP_MULT: set_bit(r->replace ? rs->m_mult_replace : rs->m_mult_add, slot); break;
        default: set_bit(r->replace ? rs->m_fixed_replace : rs->m_fixed_add, slot); break;
        }
        if (!r->has_basket_cond) set_bit(rs->m_basket_free, slot);
        else rs->basket_rules[rs->nbasket_rules++] = (uint16_t)slot;
        for (int k = 0; k < KT_KIND_COUNT_; k++)
            if (!r->has_list[k]) set_bit(rs->m_no_list[k], slot);
        set_bit(r->favourite < 0 ? rs->m_fav_none : r->favourite ? rs->m_fav_true : rs->m_fav_false, slot);
        if (r->group == KT_GROUP_FIXED) rs->any_fixed = true;
    }

    /* Id tables, sized for every name they may hold. */
    size_t expected[KT_KIND_COUNT_] = {0};
    for (int x = 0; x < 3; x++) {
        expected[KT_KIND_SKU] += doc->excl[x].skus.n;
        expected[KT_KIND_CATEGORY] += doc->excl[x].categories.n;
    }
    for (size_t i = 0; i < doc->nrules; i++)
        for (int k = 0; k < KT_KIND_COUNT_; k++) expected[k] += doc->rules[i].lists[k].n;
    for (int k = 0; k < KT_KIND_COUNT_; k++)
        if (expected[k]) table_init(&rs->tab[k], expected[k]);

    /* Exclusions. */
    static const char *const excl_key[3] = {"exclude", "exclude_earn", "exclude_redeem"};
    static const uint8_t excl_bits[3] = {KT_EX_EARN | KT_EX_REDEEM, KT_EX_EARN, KT_EX_REDEEM};
    for (int x = 0; !rc && x < 3; x++) {
        char fmt[64];
        snprintf(fmt, sizeof fmt, "$.program.%s.%%s[%%zu]", excl_key[x]);
        if (doc->excl[x].alcohol) rs->set.alcohol_excl |= excl_bits[x];
        if (doc->excl[x].tobacco) rs->set.tobacco_excl |= excl_bits[x];
        rc = add_names(&b, KT_KIND_CATEGORY, &doc->excl[x].categories, fmt, 0, -1, excl_bits[x], err);
        if (!rc) rc = add_names(&b, KT_KIND_SKU, &doc->excl[x].skus, fmt, 0, -1, excl_bits[x], err);
        if (doc->excl[x].categories.n) rs->tab_needed[KT_KIND_CATEGORY] = true;
        if (doc->excl[x].skus.n) rs->tab_needed[KT_KIND_SKU] = true;
    }

    /* Rules, in document order so that the first unknown name is reported. */
    for (size_t i = 0; !rc && i < doc->nrules; i++) {
        kt_rule_doc *rd = &doc->rules[i];
        kt_rule *r = &rs->rules[i];
        rc = resolve_list(&b.rv, 'p', "partner", &rd->partners, i, "partner_store", &r->partners, &r->npartners, err);
        if (!rc) rc = resolve_list(&b.rv, 't', "store", &rd->stores, i, "stores", &r->stores, &r->nstores, err);
        for (int k = 0; !rc && k < KT_KIND_COUNT_; k++)
            rc = add_names(&b, k, &rd->lists[k], "$.rules[%zu].when.%s[%zu]", i, r->slot, 0, err);
        if (!rc && rd->funder_name) {
            char path[KT_ERR_FIELD_MAX];
            snprintf(path, sizeof path, "$.rules[%zu].funded_by", i);
            bool supplier = r->funder == KT_FUND_SUPPLIER;
            rc = resolve_name(&b.rv, supplier ? 'u' : 'p', supplier ? "supplier" : "partner", rd->funder_name, path,
                              &r->funder_id, err);
        }
    }
    if (rc) {
        kt_rules_free(rs);
        return rc;
    }
    *out = rs;
    return KT_OK;
}

/* ---- the interface ----------------------------------------------------------------- */

kt_rc kt_rules_compile(const char *json, size_t len, int64_t version, kt_rules_resolve_fn resolve, void *resolve_ctx,
                       kt_ruleset **out, kt_err *err) {
    kt_err_clear(err);
    if (!out) return kt_fail(err, KT_EINVAL, "", "no place for the rule set");
    *out = NULL;
    if (!json) return kt_fail(err, KT_EINVAL, "$", "no rule document");
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) return kt_fail(err, KT_EINVAL, "$", "not a JSON document: line %d, column %d: %s", je.line, je.column, je.text);
    kt_rules_doc doc;
    kt_rc rc = kt_rules_parse(root, &doc, err);
    if (!rc) {
        resolver rv = {resolve, resolve_ctx};
        rc = build(&doc, version, &rv, out, err);
        kt_rules_doc_free(&doc);
    }
    json_decref(root);
    return rc;
}

void kt_rules_free(kt_ruleset *rs) {
    if (!rs) return;
    for (size_t i = 0; i < rs->nrules; i++) {
        free(rs->rules[i].name);
        free(rs->rules[i].partners);
        free(rs->rules[i].stores);
    }
    for (int i = 0; i < rs->ntiers; i++) free(rs->tiers[i].name);
    for (int k = 0; k < KT_KIND_COUNT_; k++) free(rs->tab[k].e);
    free(rs->rules);
    free(rs->basket_rules);
    free(rs->limited);
    free(rs->masks);
    free(rs);
}

int64_t kt_rules_version(const kt_ruleset *rs) { return rs->version; }
const kt_program *kt_rules_program(const kt_ruleset *rs) { return &rs->set.program; }
size_t kt_rules_count(const kt_ruleset *rs) { return rs->nrules; }

const char *kt_rules_rule_id(const kt_ruleset *rs, int index) {
    if (index < 0 || (size_t)index >= rs->nrules) return NULL;
    return rs->rules[index].id;
}

const char *kt_rules_rule_name(const kt_ruleset *rs, int index) {
    if (index < 0 || (size_t)index >= rs->nrules) return NULL;
    return rs->rules[index].name;
}

int kt_rules_tier_count(const kt_ruleset *rs) { return rs->ntiers; }

const char *kt_rules_tier_id(const kt_ruleset *rs, int tier) {
    if (tier < 0 || tier >= rs->ntiers) return NULL;
    return rs->tiers[tier].id;
}
