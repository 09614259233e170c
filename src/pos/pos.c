/*
 * pos.c - calculate, commit, refund, balance and explain at the checkout
 * (pos.h). A commit is one store transaction: the receipt and its lines, the
 * redemption, one accrual lot per funder, the per-rule earnings that daily
 * limits read, and the offer uses; the answer is stored with the receipt so a
 * retry gets it byte for byte.
 */
#include "pos.h"
#include "basket.h"
#include "pos_internal.h"
#include "core/buf.h"
#include "core/date.h"
#include "ledger/ledger.h"
#include "members/members.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#define KT_POS_RULESETS_CACHED 16

/* Products, categories, suppliers and partners are never changed in place
 * (only added), so what a kt_pos has looked up stays true: it keeps a cache
 * of each SKU's resolved line attributes and of funder names. A SKU not (yet)
 * known is not cached, so a product added later by another process is seen. */
#define KT_POS_SKU_CACHE_MAX (1u << 22) /* 4 M SKUs: a hypermarket chain has < 200 k */
#define KT_POS_FUNDERS_CACHED 256

/* Stores are never changed in place either: code -> (id, partner) kept the
 * same way, up to KT_POS_STORES_CACHED. */
#define KT_POS_STORES_CACHED 4096

typedef struct store_entry {
    char *code;                       /* NULL: empty slot */
    int64_t id, partner;
} store_entry;

typedef struct sku_entry {
    char *sku;                        /* NULL: empty slot */
    kt_line attrs;                    /* product_id, category path, brand, supplier, flags */
} sku_entry;

struct kt_pos {
    kt_store *st;
    struct { int64_t version; kt_ruleset *rs; } cache[KT_POS_RULESETS_CACHED];
    size_t ncache, next_evict;
    sku_entry *skus;                  /* open addressing, power-of-two capacity */
    size_t sku_cap, sku_count;
    struct { int kind; int64_t id; char code[KT_CODE_MAX + 16]; } funders[KT_POS_FUNDERS_CACHED];
    size_t nfunders;
    store_entry *stores;              /* open addressing, power-of-two capacity */
    size_t store_cap, nstores;
};

static uint64_t hash_str(const char *s) { return kt_hash_bytes(s, strlen(s)); }

static sku_entry *sku_slot(kt_pos *pos, const char *sku) {
    size_t mask = pos->sku_cap - 1, i = (size_t)hash_str(sku) & mask;
    while (pos->skus[i].sku && strcmp(pos->skus[i].sku, sku) != 0) i = (i + 1) & mask;
    return &pos->skus[i];
}

static void sku_put(kt_pos *pos, const char *sku, const kt_line *attrs) {
    if ((pos->sku_count + 1) * 2 > pos->sku_cap) {
        if (pos->sku_cap >= KT_POS_SKU_CACHE_MAX) return; /* full: keep looking up in the store */
        sku_entry *old = pos->skus;
        size_t old_cap = pos->sku_cap;
        pos->sku_cap = old_cap ? old_cap * 2 : 1024;
        pos->skus = kt_xcalloc(pos->sku_cap, sizeof *pos->skus);
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].sku) *sku_slot(pos, old[i].sku) = old[i];
        free(old);
    }
    sku_entry *e = sku_slot(pos, sku);
    KT_ASSERT(!e->sku);
    e->sku = kt_xstrdup(sku);
    e->attrs = *attrs;
    pos->sku_count++;
}

kt_rc kt_pos_open(kt_store *st, kt_pos **out, kt_err *err) {
    KT_UNUSED(err);
    kt_pos *p = kt_xcalloc(1, sizeof *p);
    p->st = st;
    *out = p;
    return KT_OK;
}

void kt_pos_close(kt_pos *pos) {
    if (!pos) return;
    for (size_t i = 0; i < pos->ncache; i++) kt_rules_free(pos->cache[i].rs);
    for (size_t i = 0; i < pos->sku_cap; i++) free(pos->skus[i].sku);
    free(pos->skus);
    for (size_t i = 0; i < pos->store_cap; i++) free(pos->stores[i].code);
    free(pos->stores);
    free(pos);
}

kt_store *kt_pos_store(kt_pos *pos) { return pos->st; }

/* ---- rules ---------------------------------------------------------------- */

static kt_rc resolve(void *ctx, char kind, const char *name, int64_t *id) {
    kt_store *st = ctx;
    kt_query q;
    switch (kind) {
    case 's': q = KT_Q_PRODUCT_BY_SKU; break;
    case 'c': q = KT_Q_CATEGORY_BY_CODE; break;
    case 'b': q = KT_Q_POS_BRAND_BY_NAME; break;
    case 'u': q = KT_Q_POS_SUPPLIER_BY_NAME; break;
    case 't': q = KT_Q_STORE_BY_CODE; break;
    case 'p': q = KT_Q_POS_PARTNER_BY_NAME; break;
    default: return KT_EINTERNAL;
    }
    bool found;
    kt_val a[] = {KT_VS(name)};
    kt_rc rc = kt_store_int(st, q, a, 1, id, &found, NULL);
    if (rc) return rc;
    return found ? KT_OK : KT_ENOTFOUND;
}

kt_rc kt_pos_rules_active(kt_pos *pos, int64_t *out, kt_err *err) {
    bool found;
    kt_rc rc = kt_store_int(pos->st, KT_Q_RULES_ACTIVE, NULL, 0, out, &found, err);
    if (!rc && !found) rc = kt_fail(err, KT_ENOTFOUND, "rules", "no rules are loaded (karta rules load FILE)");
    return rc;
}

kt_rc kt_pos_ruleset(kt_pos *pos, int64_t version, const kt_ruleset **out, kt_err *err) {
    for (size_t i = 0; i < pos->ncache; i++)
        if (pos->cache[i].version == version) { *out = pos->cache[i].rs; return KT_OK; }
    kt_cursor *c;
    bool has;
    kt_val a[] = {KT_VI(version)};
    kt_rc rc = kt_store_query(pos->st, KT_Q_RULES_GET, a, 1, &c, err);
    if (rc) return rc;
    char *doc = NULL;
    rc = kt_store_step(c, &has, err);
    if (!rc && has) doc = kt_xstrdup(kt_col_text(c, 0));
    kt_store_end(c);
    if (!rc && !has) rc = kt_fail(err, KT_ENOTFOUND, "version", "no rule version %lld", (long long)version);
    kt_ruleset *rs = NULL;
    if (!rc) rc = kt_rules_compile(doc, strlen(doc), version, resolve, pos->st, &rs, err);
    free(doc);
    if (rc) return rc;
    size_t slot = pos->ncache < KT_POS_RULESETS_CACHED ? pos->ncache++ : (pos->next_evict++ % KT_POS_RULESETS_CACHED);
    if (pos->cache[slot].rs) kt_rules_free(pos->cache[slot].rs);
    pos->cache[slot].version = version;
    pos->cache[slot].rs = rs;
    *out = rs;
    return KT_OK;
}

kt_rc kt_pos_rules_load(kt_pos *pos, const char *json, size_t len, const char *actor, const char *note,
                        int64_t *out_version, kt_err *err) {
    kt_ruleset *rs = NULL;
    int64_t version;
    /* validate first, outside the transaction: errors name the JSON path */
    kt_rc rc = kt_rules_compile(json, len, 0, resolve, pos->st, &rs, err);
    kt_rules_free(rs);
    if (rc) return rc;
    char *doc = kt_xmalloc(len + 1);
    memcpy(doc, json, len);
    doc[len] = 0;
    kt_time now = kt_now();
    rc = kt_store_begin(pos->st, err);
    kt_val a[] = {KT_VS(doc), KT_VI(now), KT_VS(actor), KT_VS(note)};
    if (!rc) rc = kt_store_int(pos->st, KT_Q_RULES_INSERT, a, KT_ARRAY_LEN(a), &version, NULL, err);
    kt_val b[] = {KT_VI(0), KT_VI(now)};
    if (!rc) { b[0] = KT_VI(version); rc = kt_store_exec(pos->st, KT_Q_RULES_ACTIVATE, b, 2, err); }
    char object[32], detail[32];
    if (!rc) {
        snprintf(object, sizeof object, "rules:%lld", (long long)version);
        snprintf(detail, sizeof detail, "%zu bytes", len);
        kt_val au[] = {KT_VI(now), KT_VS(actor), KT_VS("rules.load"), KT_VS(object), KT_VS(detail)};
        rc = kt_store_exec(pos->st, KT_Q_AUDIT_INSERT, au, KT_ARRAY_LEN(au), err);
    }
    if (!rc) rc = kt_store_commit(pos->st, err);
    else kt_store_rollback(pos->st);
    free(doc);
    if (!rc) *out_version = version;
    return rc;
}

kt_rc kt_pos_rules_activate(kt_pos *pos, int64_t version, const char *actor, bool *changed, kt_err *err) {
    const kt_ruleset *rs;
    int64_t active = 0;
    bool found;
    *changed = false;
    /* compiled first: a version that no longer fits the catalogue is refused */
    kt_rc rc = kt_pos_ruleset(pos, version, &rs, err);
    if (rc) return rc;
    kt_time now = kt_now();
    rc = kt_store_begin(pos->st, err);
    if (!rc) rc = kt_store_int(pos->st, KT_Q_RULES_ACTIVE, NULL, 0, &active, &found, err);
    if (!rc && found && active == version) { kt_store_rollback(pos->st); return KT_OK; }
    kt_val b[] = {KT_VI(version), KT_VI(now)};
    if (!rc) rc = kt_store_exec(pos->st, KT_Q_RULES_ACTIVATE, b, 2, err);
    if (!rc) {
        char object[32], detail[48];
        snprintf(object, sizeof object, "rules:%lld", (long long)version);
        snprintf(detail, sizeof detail, "was %lld", (long long)active);
        kt_val au[] = {KT_VI(now), KT_VS(actor), KT_VS("rules.activate"), KT_VS(object), KT_VS(detail)};
        rc = kt_store_exec(pos->st, KT_Q_AUDIT_INSERT, au, KT_ARRAY_LEN(au), err);
    }
    if (!rc) rc = kt_store_commit(pos->st, err);
    else kt_store_rollback(pos->st);
    if (!rc) *changed = true;
    return rc;
}

/* ---- pricing -------------------------------------------------------------- */

typedef struct priced {
    kt_basket b;
    int64_t store_id, partner_id, member_id;
    const kt_ruleset *rs;
    kt_line *lines;
    kt_line_result *lr;
    bool *unknown;
    kt_price_result pr;
    kt_offer offers[KT_OFFERS_MAX];
    char offer_funder[KT_OFFERS_MAX][KT_CODE_MAX + 16];
    size_t noffers;
    kt_points balance, available;
    kt_day day;
} priced;

static void priced_free(priced *p) {
    kt_basket_free(&p->b);
    free(p->lines);
    free(p->lr);
    free(p->unknown);
}

static store_entry *store_slot(kt_pos *pos, const char *code) {
    size_t mask = pos->store_cap - 1, i = (size_t)hash_str(code) & mask;
    while (pos->stores[i].code && strcmp(pos->stores[i].code, code) != 0) i = (i + 1) & mask;
    return &pos->stores[i];
}

static void store_put(kt_pos *pos, const char *code, int64_t id, int64_t partner) {
    if (pos->nstores == KT_POS_STORES_CACHED) return; /* full: keep looking up in the store */
    if ((pos->nstores + 1) * 2 > pos->store_cap) {
        store_entry *old = pos->stores;
        size_t old_cap = pos->store_cap;
        pos->store_cap = old_cap ? old_cap * 2 : 16;
        pos->stores = kt_xcalloc(pos->store_cap, sizeof *pos->stores);
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].code) *store_slot(pos, old[i].code) = old[i];
        free(old);
    }
    store_entry *e = store_slot(pos, code);
    KT_ASSERT(!e->code);
    *e = (store_entry){kt_xstrdup(code), id, partner};
    pos->nstores++;
}

kt_rc kt_pos_store_of(kt_pos *pos, const char *code, const char *field, int64_t *id, int64_t *partner, kt_err *err) {
    if (pos->store_cap) {
        const store_entry *e = store_slot(pos, code);
        if (e->code) { *id = e->id; *partner = e->partner; return KT_OK; }
    }
    kt_cursor *c;
    bool has;
    kt_val a[] = {KT_VS(code)};
    kt_rc rc = kt_store_query(pos->st, KT_Q_POS_STORE_OF_CODE, a, 1, &c, err);
    if (rc) return rc;
    rc = kt_store_step(c, &has, err);
    if (!rc && has) { *id = kt_col_int(c, 0); *partner = kt_col_int(c, 2); }
    kt_store_end(c);
    if (!rc && !has) rc = kt_fail(err, KT_ENOTFOUND, field, "no store \"%s\"", code);
    if (!rc) store_put(pos, code, *id, *partner); /* a store not (yet) known is not kept */
    return rc;
}

/* The member behind a card (which must be usable) or a phone; 0 when neither is given. */
static kt_rc identify(kt_pos *pos, const kt_basket *b, int64_t *member, kt_err *err) {
    *member = 0;
    if (b->card[0]) {
        kt_cursor *c;
        bool has;
        char state[16] = "";
        kt_val a[] = {KT_VS(b->card)};
        kt_rc rc = kt_store_query(pos->st, KT_Q_POS_CARD_MEMBER, a, 1, &c, err);
        if (rc) return rc;
        rc = kt_store_step(c, &has, err);
        if (!rc && has) { *member = kt_col_int(c, 0); snprintf(state, sizeof state, "%s", kt_col_text(c, 1)); }
        kt_store_end(c);
        if (rc) return rc;
        if (!has) return kt_fail(err, KT_ENOTFOUND, "$.card", "unknown card %s", b->card);
        if (strcmp(state, "blocked") == 0 || strcmp(state, "inactive") == 0)
            return kt_fail(err, KT_ECONFLICT, "$.card", "card %s is %s", b->card, state);
        return KT_OK;
    }
    if (b->phone[0]) {
        kt_rc rc = kt_member_find(pos->st, b->phone, member, err);
        if (rc) snprintf(err->field, sizeof err->field, "$.phone");
        return rc;
    }
    return KT_OK;
}

kt_rc kt_pos_identify(kt_pos *pos, const char *json, size_t len, char **out, kt_err *err) {
    json_t *doc = NULL;
    kt_basket b;
    int64_t member = 0;
    memset(&b, 0, sizeof b);
    kt_rc rc = kt_json_load(json, len, &doc, err);
    if (!rc && !json_is_object(doc)) rc = kt_fail(err, KT_EINVAL, "$", "must be an object {\"card\": NO} or {\"phone\": PHONE}");
    const char *k;
    json_t *v;
    if (!rc) json_object_foreach(doc, k, v) {
        bool card = strcmp(k, "card") == 0;
        if (!card && strcmp(k, "phone") != 0) { rc = kt_fail(err, KT_EINVAL, "$", "unknown key \"%.40s\" (want card or phone)", k); break; }
        if (!json_is_string(v)) { rc = kt_fail(err, KT_EINVAL, card ? "$.card" : "$.phone", "must be a string"); break; }
        rc = card ? kt_card_normalise(json_string_value(v), b.card, err, "$.card")
                  : kt_phone_normalise(json_string_value(v), b.phone, err, "$.phone");
        if (rc) break;
    }
    if (!rc && !b.card[0] && !b.phone[0]) rc = kt_fail(err, KT_EINVAL, "$", "give a card or a phone");
    if (!rc && b.card[0] && b.phone[0]) rc = kt_fail(err, KT_EINVAL, "$.phone", "give a card or a phone, not both");
    json_decref(doc);
    if (!rc) rc = identify(pos, &b, &member, err);
    kt_balance bal;
    kt_day today = kt_today();
    if (!rc) rc = kt_ledger_balance(pos->st, (kt_member_id)member, today, 30, &bal, err);
    int64_t offers = 0;
    if (!rc) {
        kt_cursor *c;
        bool has;
        kt_val a[] = {KT_VI(member), KT_VI(today)};
        if (!(rc = kt_store_query(pos->st, KT_Q_OFFERS_ACTIVE, a, 2, &c, err))) {
            while (!(rc = kt_store_step(c, &has, err)) && has) offers++;
            kt_store_end(c);
        }
    }
    if (rc) return rc;
    json_t *o = json_object();
    json_object_set_new(o, "member", json_integer(member));
    json_object_set_new(o, "identified_by", json_string(b.card[0] ? "card" : "phone"));
    json_object_set_new(o, "balance", json_integer(bal.balance));
    json_object_set_new(o, "available", json_integer(bal.available));
    json_object_set_new(o, "pending", json_integer(bal.pending));
    json_object_set_new(o, "offers", json_integer(offers));
    *out = kt_pos_dump(o);
    json_decref(o);
    return KT_OK;
}

static kt_rc line_product(kt_pos *pos, const char *sku, kt_line *l, bool *unknown, kt_err *err) {
    if (pos->sku_cap) {
        sku_entry *e = sku_slot(pos, sku);
        if (e->sku) { *l = e->attrs; *unknown = false; return KT_OK; }
    }
    kt_cursor *c;
    bool has;
    kt_val a[] = {KT_VS(sku)};
    memset(l->category_path, 0, sizeof l->category_path);
    kt_rc rc = kt_store_query(pos->st, KT_Q_POS_PRODUCT, a, 1, &c, err);
    if (rc) return rc;
    rc = kt_store_step(c, &has, err);
    if (!rc && has) {
        l->product_id = kt_col_int(c, 0);
        l->category_path[0] = kt_col_int(c, 1);
        l->brand_id = kt_col_int(c, 2);
        l->supplier_id = kt_col_int(c, 3);
        l->alcohol = kt_col_int(c, 4) != 0;
        l->tobacco = kt_col_int(c, 5) != 0;
    }
    kt_store_end(c);
    if (rc) return rc;
    *unknown = !has;
    if (!has) { l->product_id = 0; l->brand_id = l->supplier_id = 0; l->alcohol = l->tobacco = false; return KT_OK; }
    for (int d = 1; d < KT_CATEGORY_DEPTH_MAX - 1; d++) {
        int64_t parent = 0;
        bool found;
        kt_val pa[] = {KT_VI(l->category_path[d - 1])};
        if ((rc = kt_store_int(pos->st, KT_Q_POS_CATEGORY_PARENT, pa, 1, &parent, &found, err))) return rc;
        if (!found || parent == 0) break;
        l->category_path[d] = parent;
    }
    sku_put(pos, sku, l);
    return KT_OK;
}

/* "program", "supplier:NAME", "partner:NAME" -> kind and id for the engine. */
static kt_rc parse_funder(kt_pos *pos, const char *f, int64_t *kind, int64_t *id, kt_err *err) {
    *kind = 0;
    *id = 0;
    if (strcmp(f, "program") == 0) return KT_OK;
    kt_query q;
    const char *name;
    if (strncmp(f, "supplier:", 9) == 0) { *kind = 1; q = KT_Q_POS_SUPPLIER_BY_NAME; name = f + 9; }
    else if (strncmp(f, "partner:", 8) == 0) { *kind = 2; q = KT_Q_POS_PARTNER_BY_NAME; name = f + 8; }
    else return kt_fail(err, KT_EINVAL, "funded_by", "must be program, supplier:NAME or partner:NAME, not \"%s\"", f);
    bool found;
    kt_val a[] = {KT_VS(name)};
    kt_rc rc = kt_store_int(pos->st, q, a, 1, id, &found, err);
    if (!rc && !found) rc = kt_fail(err, KT_ENOTFOUND, "funded_by", "no %s \"%s\"", *kind == 1 ? "supplier" : "partner", name);
    return rc;
}

static kt_rc funder_code(kt_pos *pos, int kind, int64_t id, char *out, size_t cap, kt_err *err) {
    if (kind == 0) { snprintf(out, cap, "program"); return KT_OK; }
    for (size_t i = 0; i < pos->nfunders; i++)
        if (pos->funders[i].kind == kind && pos->funders[i].id == id) { snprintf(out, cap, "%s", pos->funders[i].code); return KT_OK; }
    kt_cursor *c;
    bool has;
    kt_val a[] = {KT_VI(id)};
    kt_rc rc = kt_store_query(pos->st, kind == 1 ? KT_Q_POS_SUPPLIER_NAME : KT_Q_POS_PARTNER_NAME, a, 1, &c, err);
    if (rc) return rc;
    rc = kt_store_step(c, &has, err);
    if (!rc && has) snprintf(out, cap, "%s:%s", kind == 1 ? "supplier" : "partner", kt_col_text(c, 0));
    kt_store_end(c);
    if (!rc && has && pos->nfunders < KT_POS_FUNDERS_CACHED) {
        pos->funders[pos->nfunders].kind = kind;
        pos->funders[pos->nfunders].id = id;
        snprintf(pos->funders[pos->nfunders].code, sizeof pos->funders[0].code, "%s", out);
        pos->nfunders++;
    }
    if (!rc && !has) rc = kt_fail(err, KT_EINTERNAL, "funder", "no %s #%lld", kind == 1 ? "supplier" : "partner", (long long)id);
    return rc;
}

static kt_rc load_offers(kt_pos *pos, priced *p, kt_err *err) {
    kt_cursor *c;
    kt_val a[] = {KT_VI(p->member_id), KT_VI(p->day)};
    bool used_coupon[KT_COUPONS_MAX] = {false};
    kt_rc rc = kt_store_query(pos->st, KT_Q_OFFERS_ACTIVE, a, 2, &c, err);
    if (rc) return rc;
    /* read rows first: resolving funders runs other statements */
    typedef struct { int64_t id; char code[KT_COUPON_MAX], kind[24], target[16], funder[KT_CODE_MAX + 16]; int64_t target_id, value, threshold; } row;
    row *rows = kt_xcalloc(KT_OFFERS_MAX, sizeof *rows);
    size_t n = 0;
    for (;;) {
        bool has;
        if ((rc = kt_store_step(c, &has, err)) || !has) break;
        const char *code = kt_col_text(c, 1);
        bool take = !code;
        for (size_t k = 0; code && k < p->b.ncoupons; k++)
            if (strcmp(code, p->b.coupons[k]) == 0) { take = true; used_coupon[k] = true; }
        if (!take || n == KT_OFFERS_MAX) continue;
        row *r = &rows[n++];
        r->id = kt_col_int(c, 0);
        snprintf(r->code, sizeof r->code, "%s", code ? code : "");
        snprintf(r->kind, sizeof r->kind, "%s", kt_col_text(c, 2));
        snprintf(r->target, sizeof r->target, "%s", kt_col_text(c, 3));
        r->target_id = kt_col_int(c, 4);
        r->value = kt_col_int(c, 5);
        r->threshold = kt_col_int(c, 6);
        snprintf(r->funder, sizeof r->funder, "%s", kt_col_text(c, 7));
    }
    kt_store_end(c);
    for (size_t k = 0; !rc && k < p->b.ncoupons; k++)
        if (!used_coupon[k]) {
            char f[48];
            snprintf(f, sizeof f, "$.coupons[%zu]", k);
            rc = kt_fail(err, KT_ENOTFOUND, f, "no valid offer of this member has coupon \"%s\"", p->b.coupons[k]);
        }
    for (size_t i = 0; !rc && i < n; i++) {
        kt_offer *o = &p->offers[i];
        row *r = &rows[i];
        o->id = r->id;
        o->kind = strcmp(r->kind, "percent_off") == 0       ? KT_OFFER_PERCENT_OFF
                  : strcmp(r->kind, "amount_off") == 0      ? KT_OFFER_AMOUNT_OFF
                  : strcmp(r->kind, "points_multiplier") == 0 ? KT_OFFER_POINTS_MULTIPLIER
                                                            : KT_OFFER_POINTS_OVER_SPEND;
        o->target = strcmp(r->target, "sku") == 0        ? KT_TARGET_SKU
                    : strcmp(r->target, "category") == 0 ? KT_TARGET_CATEGORY
                    : strcmp(r->target, "brand") == 0    ? KT_TARGET_BRAND
                                                         : KT_TARGET_ANY;
        o->target_id = r->target_id;
        o->value = r->value;
        o->threshold_minor = r->threshold;
        snprintf(p->offer_funder[i], sizeof p->offer_funder[i], "%s", r->funder);
        rc = parse_funder(pos, r->funder, &o->funder_kind, &o->funder_id, err);
    }
    free(rows);
    if (!rc) p->noffers = n;
    return rc;
}

/* Price an already parsed basket held in p->b (see price_ex). */
static kt_rc price_parsed(kt_pos *pos, int64_t version, bool replay, kt_points redeem_override, priced *p, kt_err *err) {
    kt_rc rc;
    rc = kt_pos_store_of(pos, p->b.store, "$.store", &p->store_id, &p->partner_id, err);
    if (!rc && !version) rc = kt_pos_rules_active(pos, &version, err);
    if (!rc) rc = kt_pos_ruleset(pos, version, &p->rs, err);
    if (!rc) rc = identify(pos, &p->b, &p->member_id, err);
    if (rc) return rc;
    p->day = kt_time_local_day(p->b.at, p->b.offset_min);
    kt_price_ctx *ctx = kt_xcalloc(1, sizeof *ctx);
    ctx->day = p->day;
    ctx->minute_of_day = (int)(((p->b.at + (kt_time)p->b.offset_min * 60) % 86400 + 86400) % 86400 / 60);
    ctx->store_id = p->store_id;
    ctx->partner_id = p->partner_id;
    ctx->birth_day = KT_DAY_NONE;
    if (p->member_id) {
        kt_cursor *c;
        bool has;
        kt_val a[] = {KT_VI(p->member_id)};
        ctx->identified = true;
        if (!(rc = kt_store_query(pos->st, KT_Q_POS_MEMBER_CTX, a, 1, &c, err))) {
            rc = kt_store_step(c, &has, err);
            if (!rc && has) {
                ctx->birth_day = kt_col_null(c, 0) ? KT_DAY_NONE : (kt_day)kt_col_int(c, 0);
                ctx->favourite_category_id = kt_col_int(c, 1);
            }
            kt_store_end(c);
        }
        kt_balance bal;
        if (!rc) rc = kt_ledger_balance(pos->st, (kt_member_id)p->member_id, p->day, 0, &bal, err);
        if (!rc) {
            p->balance = bal.balance;
            p->available = ctx->available_points = bal.available;
        }
        const kt_program *prog = kt_rules_program(p->rs);
        if (!rc && prog->tier_window_days > 0) {
            kt_val t[] = {KT_VI(p->member_id), KT_VI(p->day - prog->tier_window_days), KT_VI(p->day)};
            rc = kt_store_int(pos->st, KT_Q_POS_TIER_SPEND, t, 3, &ctx->tier_spend_minor, NULL, err);
        }
        if (replay) {
            ctx->available_points = INT64_MAX / 4;
            p->b.redeem = redeem_override;
            p->b.ncoupons = 0;
        }
        if (!rc && !replay) {
            kt_val e[] = {KT_VI(p->member_id), KT_VI(p->day)};
            if (!(rc = kt_store_query(pos->st, KT_Q_POS_EARNED_TODAY, e, 2, &c, err))) {
                while (!(rc = kt_store_step(c, &has, err)) && has) {
                    const char *rule = kt_col_text(c, 0);
                    for (size_t i = 0; i < kt_rules_count(p->rs); i++)
                        if (strcmp(kt_rules_rule_id(p->rs, (int)i), rule) == 0) ctx->earned_today[i] += kt_col_int(c, 1);
                }
                kt_store_end(c);
            }
        }
        if (!rc && !replay) rc = load_offers(pos, p, err);
        ctx->offers = p->offers;
        ctx->noffers = p->noffers;
    } else if (p->b.ncoupons) {
        rc = kt_fail(err, KT_EINVAL, "$.coupons", "coupons need an identified member (card or phone)");
    }
    p->lines = kt_xcalloc(p->b.nlines, sizeof *p->lines);
    p->lr = kt_xcalloc(p->b.nlines, sizeof *p->lr);
    p->unknown = kt_xcalloc(p->b.nlines, sizeof *p->unknown);
    for (size_t i = 0; !rc && i < p->b.nlines; i++) {
        kt_line *l = &p->lines[i];
        rc = line_product(pos, p->b.lines[i].sku, l, &p->unknown[i], err);
        l->qty_milli = p->b.lines[i].qty_milli;
        l->price_minor = p->b.lines[i].price_minor;
        l->amount_minor = p->b.lines[i].amount_minor;
    }
    if (!rc) rc = kt_rules_price(p->rs, ctx, p->lines, p->b.nlines, p->member_id ? p->b.redeem : 0, p->lr, &p->pr, err);
    if (!rc && !p->member_id) {
        /* an anonymous receipt: nobody to credit, so nothing is earned */
        p->pr.earned = 0;
        memset(p->pr.earned_by_rule, 0, sizeof p->pr.earned_by_rule);
        for (size_t i = 0; i < p->b.nlines; i++) { p->lr[i].earned = 0; p->lr[i].ncontribs = 0; }
        p->pr.message[0] = 0; /* the program's slip message speaks of points earned */
    }
    if (!rc && !replay && p->b.redeem > 0 && p->pr.redeemed < p->b.redeem)
        rc = kt_fail(err, KT_ENOFUNDS, "$.redeem", "%lld points asked, %lld can be redeemed on this receipt (%lld available)",
                     (long long)p->b.redeem, (long long)p->pr.redeemable, (long long)p->available);
    free(ctx);
    return rc;
}

/* Price a basket under `version` (0: the active one). replay: re-pricing a
 * committed receipt for comparison - no offers, no daily limits, the balance
 * taken as sufficient, `redeem_override` points redeemed. */
static kt_rc price_ex(kt_pos *pos, const char *json, size_t len, int64_t version, bool replay, kt_points redeem_override,
                      priced *p, kt_err *err) {
    memset(p, 0, sizeof *p);
    kt_rc rc = kt_basket_parse(json, len, &p->b, err);
    if (rc) return rc;
    return price_parsed(pos, version, replay, redeem_override, p, err);
}
static kt_rc price(kt_pos *pos, const char *json, size_t len, priced *p, kt_err *err) {
    return price_ex(pos, json, len, 0, false, 0, p, err);
}

kt_rc kt_pos_reprice(kt_pos *pos, const char *json, int64_t version, kt_points redeemed, kt_points *out_rule_points,
                     kt_err *err) {
    priced p;
    kt_rc rc = price_ex(pos, json, strlen(json), version, true, redeemed, &p, err);
    if (!rc) {
        kt_points sum = 0;
        for (size_t i = 0; i < p.b.nlines; i++)
            for (int k = 0; k < p.lr[i].ncontribs; k++)
                if (p.lr[i].contribs[k].rule >= 0) sum += p.lr[i].contribs[k].points;
        *out_rule_points = sum;
    }
    priced_free(&p);
    return rc;
}

/* ---- answers -------------------------------------------------------------- */

/* The answer is written straight into a buffer, in the bytes jansson's
 * compact dump would give (keys in this order, reals as %.17g with a ".0"
 * when they look whole, the same string escapes): a commit's answer is
 * stored and returned byte for byte, and building it as jansson objects
 * first cost more than the pricing. */
static void put_str(kt_buf *o, const char *s) {
    kt_buf_addc(o, '"');
    const unsigned char *run = (const unsigned char *)s, *c = run;
    for (;; c++) {
        if (*c >= 0x20 && *c != '"' && *c != '\\') continue; /* copied as they are, a run at a time */
        if (c > run) kt_buf_add(o, run, (size_t)(c - run));
        run = c + 1;
        switch (*c) {
        case 0: kt_buf_addc(o, '"'); return;
        case '"': kt_buf_add(o, "\\\"", 2); break;
        case '\\': kt_buf_add(o, "\\\\", 2); break;
        case '\b': kt_buf_add(o, "\\b", 2); break;
        case '\f': kt_buf_add(o, "\\f", 2); break;
        case '\n': kt_buf_add(o, "\\n", 2); break;
        case '\r': kt_buf_add(o, "\\r", 2); break;
        case '\t': kt_buf_add(o, "\\t", 2); break;
        default: kt_buf_printf(o, "\\u%04X", *c);
        }
    }
}

/* v in decimal as %lld writes it, into t (at least 21 bytes); returns the length. */
static size_t fmt_int(char *t, int64_t v) {
    char r[24];
    size_t n = 0, len = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do { r[n++] = (char)('0' + u % 10); u /= 10; } while (u);
    if (v < 0) t[len++] = '-';
    while (n) t[len++] = r[--n];
    return len;
}

static void put_int(kt_buf *o, const char *key, int64_t v) {
    char t[24];
    size_t n = fmt_int(t, v);
    kt_buf_addc(o, '"');
    kt_buf_adds(o, key);
    kt_buf_add(o, "\":", 2);
    kt_buf_add(o, t, n);
}

static void put_key(kt_buf *o, const char *key) {
    kt_buf_addc(o, '"');
    kt_buf_adds(o, key);
    kt_buf_add(o, "\":", 2);
}

static void put_qty(kt_buf *o, int64_t milli) {
    char t[40];
    if (milli % 1000 == 0) { kt_buf_add(o, t, fmt_int(t, milli / 1000)); return; }
    snprintf(t, sizeof t, "%.17g", (double)milli / 1000.0);
    if (!strchr(t, '.') && !strchr(t, 'e')) strcat(t, ".0");
    kt_buf_adds(o, t);
}

/* OUT: the answer; rules_at[i], rules_len[i]: line i's "rules" array in it. */
static kt_rc answer_write(kt_pos *pos, const priced *p, bool committed, kt_buf *o, size_t *rules_at, size_t *rules_len,
                          kt_err *err) {
    kt_buf_addc(o, '{');
    put_key(o, "store"); put_str(o, p->b.store); kt_buf_addc(o, ',');
    put_key(o, "receipt"); put_str(o, p->b.receipt);
    kt_buf_adds(o, committed ? ",\"committed\":true," : ",\"committed\":false,");
    put_int(o, "rules_version", p->pr.rules_version); kt_buf_addc(o, ',');
    if (p->member_id) put_int(o, "member", p->member_id);
    else kt_buf_adds(o, "\"member\":null");
    kt_buf_addc(o, ',');
    put_int(o, "total", p->pr.total_minor); kt_buf_addc(o, ',');
    put_int(o, "offer_discount", p->pr.offer_discount_minor); kt_buf_addc(o, ',');
    put_int(o, "points_discount", p->pr.points_discount_minor); kt_buf_addc(o, ',');
    put_int(o, "to_pay", p->pr.to_pay_minor); kt_buf_addc(o, ',');
    put_int(o, "earned", p->pr.earned); kt_buf_addc(o, ',');
    put_int(o, "redeemable", p->pr.redeemable); kt_buf_addc(o, ',');
    put_int(o, "redeemed", p->pr.redeemed); kt_buf_addc(o, ',');
    put_int(o, "balance_before", p->balance); kt_buf_addc(o, ',');
    put_int(o, "balance", p->balance - p->pr.redeemed + p->pr.earned);
    kt_buf_adds(o, ",\"lines\":[");
    for (size_t i = 0; i < p->b.nlines; i++) {
        const kt_line_result *lr = &p->lr[i];
        if (i) kt_buf_addc(o, ',');
        kt_buf_addc(o, '{');
        put_int(o, "line", (int64_t)i + 1);
        kt_buf_adds(o, ",\"sku\":"); put_str(o, p->b.lines[i].sku);
        kt_buf_adds(o, ",\"qty\":"); put_qty(o, p->b.lines[i].qty_milli); kt_buf_addc(o, ',');
        put_int(o, "amount", p->b.lines[i].amount_minor); kt_buf_addc(o, ',');
        put_int(o, "offer_discount", lr->offer_discount_minor); kt_buf_addc(o, ',');
        put_int(o, "points_discount", lr->points_discount_minor); kt_buf_addc(o, ',');
        put_int(o, "to_pay", lr->to_pay_minor); kt_buf_addc(o, ',');
        put_int(o, "earned", lr->earned); kt_buf_addc(o, ',');
        put_int(o, "redeemed", lr->redeemed);
        if (lr->excluded) kt_buf_adds(o, ",\"excluded\":true");
        if (p->unknown[i]) kt_buf_adds(o, ",\"unknown_sku\":true");
        kt_buf_adds(o, ",\"rules\":");
        if (rules_at) rules_at[i] = o->len;
        kt_buf_addc(o, '[');
        for (int k = 0; k < lr->ncontribs; k++) {
            const kt_contrib *c = &lr->contribs[k];
            char funder[KT_CODE_MAX + 16];
            kt_rc rc = funder_code(pos, c->funder_kind, c->funder_id, funder, sizeof funder, err);
            if (rc) return rc;
            if (k) kt_buf_addc(o, ',');
            kt_buf_addc(o, '{');
            if (c->rule >= 0) { put_key(o, "rule"); put_str(o, kt_rules_rule_id(p->rs, c->rule)); }
            else put_int(o, "offer", p->offers[-1 - c->rule].id);
            kt_buf_addc(o, ',');
            put_int(o, "points", c->points);
            kt_buf_adds(o, ",\"funded_by\":"); put_str(o, funder);
            kt_buf_addc(o, '}');
        }
        kt_buf_addc(o, ']');
        if (rules_len) rules_len[i] = o->len - rules_at[i];
        kt_buf_addc(o, '}');
    }
    kt_buf_adds(o, "],\"message\":"); put_str(o, p->pr.message);
    kt_buf_addc(o, '}');
    return KT_OK;
}

char *kt_pos_dump(json_t *o) {
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    KT_ASSERT(s);
    return s;
}

kt_rc kt_pos_calculate(kt_pos *pos, const char *json, size_t len, char **out, kt_err *err) {
    priced p;
    kt_buf o;
    kt_buf_init(&o);
    kt_rc rc = price(pos, json, len, &p, err);
    if (!rc) rc = answer_write(pos, &p, false, &o, NULL, NULL, err);
    if (!rc) *out = kt_xstrdup(o.p);
    kt_buf_free(&o);
    priced_free(&p);
    return rc;
}

/* ---- commit --------------------------------------------------------------- */

/* A repeat of (store, receipt): the first answer, or a conflict. */
kt_rc kt_pos_find_previous(kt_pos *pos, int64_t store_id, const char *number, const char *kind, const char *canonical,
                           char **out, bool *found, kt_err *err) {
    kt_cursor *c;
    bool has;
    kt_val a[] = {KT_VI(store_id), KT_VS(number)};
    *found = false;
    kt_rc rc = kt_store_query(pos->st, KT_Q_POS_RECEIPT_FIND, a, 2, &c, err);
    if (rc) return rc;
    rc = kt_store_step(c, &has, err);
    if (!rc && has) {
        *found = true;
        if (strcmp(kt_col_text(c, 1), kind) != 0 || strcmp(kt_col_text(c, 2), canonical) != 0)
            rc = kt_fail(err, KT_ECONFLICT, "$.receipt",
                         "receipt %s was already committed at this store with a different body", number);
        else *out = kt_xstrdup(kt_col_text(c, 3));
    }
    kt_store_end(c);
    return rc;
}

/* The committed answer of a priced basket as text, with each line's
 * contributions as the text receipt_lines keeps (both malloc'd). */
static kt_rc answer_texts(kt_pos *pos, const priced *p, char **text, char ***contribs, kt_err *err) {
    size_t n = p->b.nlines ? p->b.nlines : 1;
    size_t *at = kt_xcalloc(n, sizeof *at), *len = kt_xcalloc(n, sizeof *len);
    kt_buf o;
    kt_buf_init(&o);
    kt_rc rc = answer_write(pos, p, true, &o, at, len, err);
    if (!rc) {
        char **cs = kt_xcalloc(n, sizeof *cs);
        for (size_t i = 0; i < p->b.nlines; i++) {
            cs[i] = kt_xmalloc(len[i] + 1);
            memcpy(cs[i], o.p + at[i], len[i]);
            cs[i][len[i]] = 0;
        }
        *contribs = cs;
        *text = kt_xstrdup(o.p);
    }
    kt_buf_free(&o);
    free(at);
    free(len);
    return rc;
}

static void contribs_free(char **cs, size_t n) {
    if (!cs) return;
    for (size_t i = 0; i < n; i++) free(cs[i]);
    free(cs);
}

/* Rows of one table inserted with as few statements as possible: q[k] inserts
 * 2^k rows of ncols values each (k = 0..3); v holds nrows * ncols values. */
#define KT_LINE_COLS 14
#define KT_EARN_COLS 6
static const kt_query line_inserts[4] = {KT_Q_POS_LINE_INSERT, KT_Q_POS_LINES_INSERT_2, KT_Q_POS_LINES_INSERT_4, KT_Q_POS_LINES_INSERT_8};
static const kt_query earn_inserts[4] = {KT_Q_POS_EARN_INSERT, KT_Q_POS_EARNS_INSERT_2, KT_Q_POS_EARNS_INSERT_4, KT_Q_POS_EARNS_INSERT_8};

static kt_rc insert_rows(kt_store *st, const kt_query q[4], const kt_val *v, size_t nrows, size_t ncols, kt_err *err) {
    kt_rc rc = KT_OK;
    while (!rc && nrows > 0) {
        int k = nrows >= 8 ? 3 : nrows >= 4 ? 2 : nrows >= 2 ? 1 : 0;
        size_t n = (size_t)1 << k;
        rc = kt_store_exec(st, q[k], v, n * ncols, err);
        v += n * ncols;
        nrows -= n;
    }
    return rc;
}

/* Write a priced sale: the receipt with its answer, its lines, the ledger
 * movements, the per-rule earnings and the offer uses. KT_EEXIST when the
 * receipt number is taken at this store (nothing written). */
static kt_rc record_sale(kt_pos *pos, priced *p, const char *text, char *const *contribs, kt_err *err) {
    const kt_program *prog = kt_rules_program(p->rs);
    int64_t receipt_id;
    char ref[2 * KT_CODE_MAX + 2];
    kt_time now = kt_now();
    snprintf(ref, sizeof ref, "%s/%s", p->b.store, p->b.receipt);
    kt_val a[] = {KT_VI(p->store_id), KT_VS(p->b.receipt), KT_VS("sale"), KT_VNULL,
                  KT_VIOPT(p->member_id, p->member_id), KT_VI(p->b.at), KT_VI(p->b.offset_min), KT_VI(p->day),
                  KT_VI(p->pr.rules_version), KT_VI(p->pr.total_minor), KT_VI(p->pr.to_pay_minor),
                  KT_VI(p->member_id ? p->pr.earned : 0), KT_VI(p->pr.redeemed), KT_VS(p->b.canonical), KT_VS(text)};
    kt_rc rc = kt_store_int(pos->st, KT_Q_POS_RECEIPT_INSERT_ANSWERED, a, KT_ARRAY_LEN(a), &receipt_id, NULL, err);
    if (rc) return rc;
    kt_val *lv = kt_xmalloc(p->b.nlines * KT_LINE_COLS * sizeof *lv);
    for (size_t i = 0; i < p->b.nlines; i++) {
        const kt_line_result *lr = &p->lr[i];
        kt_val l[KT_LINE_COLS] = {KT_VI(receipt_id), KT_VI(i + 1), KT_VS(p->b.lines[i].sku), KT_VIOPT(p->lines[i].product_id, p->lines[i].product_id),
                                  KT_VI(p->b.lines[i].qty_milli), KT_VI(p->b.lines[i].price_minor), KT_VI(p->b.lines[i].amount_minor),
                                  KT_VI(lr->earned), KT_VI(lr->redeemed), KT_VI(lr->points_discount_minor),
                                  KT_VI(lr->offer_discount_minor), KT_VI(lr->to_pay_minor), KT_VNULL, KT_VS(contribs[i])};
        memcpy(lv + i * KT_LINE_COLS, l, sizeof l);
    }
    rc = insert_rows(pos->st, line_inserts, lv, p->b.nlines, KT_LINE_COLS, err);
    free(lv);
    if (!rc && p->member_id) {
        kt_member_id m = (kt_member_id)p->member_id;
        if (p->pr.redeemed > 0) {
            kt_movement mv = {.kind = KT_TXN_REDEMPTION, .at = now, .day = p->day, .actor = "pos", .receipt = ref,
                              .reason = "paid with points"};
            rc = kt_ledger_spend(pos->st, &mv, m, p->pr.redeemed, "redemption", NULL, err);
        }
        /* one lot per funder; per-rule earnings for daily limits and explanations */
        typedef struct { int kind; int64_t id; kt_points points; } fund;
        fund funds[32];
        size_t nf = 0;
        for (size_t i = 0; !rc && i < p->b.nlines; i++)
            for (int k = 0; k < p->lr[i].ncontribs; k++) {
                const kt_contrib *c = &p->lr[i].contribs[k];
                size_t f = 0;
                while (f < nf && !(funds[f].kind == c->funder_kind && funds[f].id == c->funder_id)) f++;
                if (f == nf) {
                    if (nf == KT_ARRAY_LEN(funds)) { rc = kt_fail(err, KT_EINVAL, "$.lines", "more than 32 funders on one receipt"); break; }
                    funds[nf++] = (fund){c->funder_kind, c->funder_id, 0};
                }
                funds[f].points += c->points;
            }
        kt_day avail = p->day + prog->pending_days;
        kt_day expires = prog->expiry_days > 0 ? avail + prog->expiry_days : KT_DAY_NONE;
        char fcode[KT_ARRAY_LEN(funds)][KT_CODE_MAX + 16];
        kt_credit credits[KT_ARRAY_LEN(funds)];
        size_t nc = 0;
        for (size_t f = 0; !rc && f < nf; f++) {
            if (funds[f].points <= 0) continue;
            if ((rc = funder_code(pos, funds[f].kind, funds[f].id, fcode[nc], sizeof fcode[nc], err))) break;
            credits[nc] = (kt_credit){fcode[nc], funds[f].points, avail, expires};
            nc++;
        }
        char rulev[32];
        snprintf(rulev, sizeof rulev, "v%lld", (long long)p->pr.rules_version);
        kt_movement mv = {.kind = KT_TXN_ACCRUAL, .at = now, .day = p->day, .actor = "pos", .receipt = ref,
                          .reason = "purchase", .rule = rulev};
        if (!rc) rc = kt_ledger_credits(pos->st, &mv, m, credits, nc, NULL, err);
        kt_val *ev = kt_xmalloc((nc + kt_rules_count(p->rs) + 1) * KT_EARN_COLS * sizeof *ev);
        size_t ne = 0;
        for (size_t f = 0; !rc && f < nc; f++) {
            kt_val e[KT_EARN_COLS] = {KT_VI(receipt_id), KT_VI(m), KT_VI(p->day), KT_VS("*receipt"), KT_VS(fcode[f]), KT_VI(credits[f].points)};
            memcpy(ev + ne++ * KT_EARN_COLS, e, sizeof e);
        }
        for (size_t r = 0; !rc && r < kt_rules_count(p->rs); r++) {
            if (!p->pr.earned_by_rule[r]) continue;
            kt_val e[KT_EARN_COLS] = {KT_VI(receipt_id), KT_VI(m), KT_VI(p->day), KT_VS(kt_rules_rule_id(p->rs, (int)r)), KT_VS("-"),
                                      KT_VI(p->pr.earned_by_rule[r])};
            memcpy(ev + ne++ * KT_EARN_COLS, e, sizeof e);
        }
        /* the funders' rows first, then the rules', as one statement or a few */
        if (!rc) rc = insert_rows(pos->st, earn_inserts, ev, ne, KT_EARN_COLS, err);
        free(ev);
        /* offer uses, with what each gave: recorded for measurement */
        for (size_t o = 0; !rc && o < p->noffers; o++) {
            kt_money discount = p->pr.offer_discount_by_offer[o];
            kt_points pts = p->pr.offer_points_by_offer[o];
            if (discount == 0 && pts == 0) continue;
            kt_val u[] = {KT_VI(p->offers[o].id)};
            if ((rc = kt_store_exec(pos->st, KT_Q_OFFER_USE, u, 1, err))) break;
            if (kt_store_changes(pos->st) != 1) {
                rc = kt_fail(err, KT_ECONFLICT, "offer", "offer %lld was used up meanwhile", (long long)p->offers[o].id);
                break;
            }
            kt_val ui[] = {KT_VI(p->offers[o].id), KT_VI(receipt_id), KT_VI(m), KT_VI(discount), KT_VI(pts), KT_VI(now)};
            rc = kt_store_exec(pos->st, KT_Q_OFFER_USE_INSERT, ui, KT_ARRAY_LEN(ui), err);
        }
    }
    return rc;
}

/* ---- commit jobs: parsed and priced outside the writer ---- */

struct kt_pos_job {
    priced p;
    bool priced;          /* kt_pos_job_price ran */
    kt_rc rc;             /* its outcome */
    kt_err err;
    bool repeat;          /* the receipt was committed before: answer is the first answer */
    char *answer;         /* the committed answer (or the first one) */
    char **contribs;      /* per line, for receipt_lines */
};

static void job_clear(kt_pos_job *j);

kt_rc kt_pos_job_parse(const char *json, size_t len, kt_pos_job **out, kt_err *err) {
    kt_pos_job *j = kt_xmalloc(sizeof *j);
    job_clear(j);
    kt_rc rc = kt_basket_parse(json, len, &j->p.b, err);
    if (rc) { kt_pos_job_free(j); return rc; }
    *out = j;
    return KT_OK;
}

const char *kt_pos_job_store(const kt_pos_job *j) { return j->p.b.store; }
const char *kt_pos_job_receipt(const kt_pos_job *j) { return j->p.b.receipt; }
bool kt_pos_job_repeat(const kt_pos_job *j) { return j->priced && !j->rc && j->repeat; }
int64_t kt_pos_job_member(const kt_pos_job *j) { return j->priced && !j->rc ? j->p.member_id : 0; }

/* A job with nothing in it, but for the offers (13 KB with their funders,
 * valid up to noffers): zeroing the whole job, at its start and at each
 * pricing, was a tenth of a request thread's time in memset. */
static void job_clear(kt_pos_job *j) {
    _Static_assert(offsetof(priced, offer_funder) > offsetof(priced, offers) &&
                   offsetof(priced, noffers) > offsetof(priced, offer_funder), "priced: offers, funders, then the rest");
    memset(&j->p, 0, offsetof(priced, offers));
    memset((char *)&j->p + offsetof(priced, noffers), 0, sizeof j->p - offsetof(priced, noffers));
    j->priced = j->repeat = false;
    j->rc = KT_OK;
    kt_err_clear(&j->err);
    j->answer = NULL;
    j->contribs = NULL;
}

/* Forget a pricing (keep the parsed basket). */
static void job_reset(kt_pos_job *j) {
    kt_basket b = j->p.b;
    free(j->p.lines);
    free(j->p.lr);
    free(j->p.unknown);
    contribs_free(j->contribs, b.nlines);
    free(j->answer);
    job_clear(j);
    j->p.b = b;
}

void kt_pos_job_free(kt_pos_job *j) {
    if (!j) return;
    job_reset(j);
    kt_basket_free(&j->p.b);
    free(j);
}

void kt_pos_job_price(kt_pos *pos, kt_pos_job *j) {
    int64_t partner;
    bool found = false;
    job_reset(j);
    j->priced = true;
    kt_rc rc = kt_pos_store_of(pos, j->p.b.store, "$.store", &j->p.store_id, &partner, &j->err);
    if (rc) { j->rc = rc; return; }
    /* A receipt is priced without asking first whether its number is taken:
     * the receipt's insert finds that out (KT_EEXIST in kt_pos_job_commit,
     * answered with the first answer or the conflict), so a new receipt, the
     * common case, costs one index lookup fewer. A receipt that does not
     * price may be the retry of one that did, which keeps its first answer. */
    rc = price_parsed(pos, 0, false, 0, &j->p, &j->err);
    if (!rc) rc = answer_texts(pos, &j->p, &j->answer, &j->contribs, &j->err);
    if (rc) {
        char *first = NULL;
        kt_err perr = {0};
        kt_rc prc = kt_pos_find_previous(pos, j->p.store_id, j->p.b.receipt, "sale", j->p.b.canonical, &first, &found, &perr);
        if (prc) { rc = prc; j->err = perr; }  /* the same number with another body, or the store failing */
        else if (found) { rc = KT_OK; kt_err_clear(&j->err); free(j->answer); j->answer = first; j->repeat = true; }
    }
    j->rc = rc;
}

kt_rc kt_pos_job_commit(kt_pos *pos, kt_pos_job *j, bool reprice, kt_pos_result *res) {
    memset(res, 0, sizeof *res);
    if (reprice || !j->priced) { KT_ASSERT(kt_store_in_txn(pos->st)); kt_pos_job_price(pos, j); }
    kt_rc rc = j->rc;
    if (rc) { res->err = j->err; goto out; }
    if (!j->repeat) {
        KT_ASSERT(kt_store_in_txn(pos->st)); /* a repeat's answer stands; anything else is written */
        rc = record_sale(pos, &j->p, j->answer, j->contribs, &res->err);
        if (rc == KT_EEXIST) {
            /* committed meanwhile (another process): the first answer, or a conflict */
            bool found = false;
            char *first = NULL;
            kt_err_clear(&res->err);
            rc = kt_pos_find_previous(pos, j->p.store_id, j->p.b.receipt, "sale", j->p.b.canonical, &first, &found, &res->err);
            if (!rc && !found) rc = kt_fail(&res->err, KT_EINTERNAL, "$.receipt", "receipt vanished");
            if (!rc) { free(j->answer); j->answer = first; j->repeat = true; }
            else free(first);
        }
    }
    if (!rc) {
        res->answer = kt_xstrdup(j->answer);
        res->repeat = j->repeat;
        res->member = j->p.member_id;
        if (!j->repeat) { res->earned = j->p.member_id ? j->p.pr.earned : 0; res->redeemed = j->p.pr.redeemed; }
    }
out:
    res->rc = rc;
    return rc;
}

/* One commit inside an open transaction: the request is parsed once. */
static kt_rc commit_in_txn(kt_pos *pos, const char *json, size_t len, kt_pos_result *res, kt_err *err) {
    kt_pos_job *j;
    kt_rc rc = kt_pos_job_parse(json, len, &j, err);
    if (rc) { memset(res, 0, sizeof *res); res->rc = rc; res->err = *err; return rc; }
    rc = kt_pos_job_commit(pos, j, true, res);
    if (rc) *err = res->err;
    kt_pos_job_free(j);
    return rc;
}

kt_rc kt_pos_commit(kt_pos *pos, const char *json, size_t len, char **out, kt_err *err) {
    kt_pos_result res;
    kt_rc rc = kt_store_begin(pos->st, err);
    if (rc) return rc;
    *out = NULL;
    rc = commit_in_txn(pos, json, len, &res, err);
    if (!rc) rc = kt_store_commit(pos->st, err);
    else kt_store_rollback(pos->st);
    if (rc) free(res.answer);
    else *out = res.answer;
    return rc;
}

kt_rc kt_pos_commit_batch(kt_pos *pos, const char *const *jsons, const size_t *lens, size_t n,
                          char **answers, kt_rc *rcs, kt_err *errs, kt_err *err) {
    kt_rc rc = kt_store_begin(pos->st, err);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) answers[i] = NULL;
    for (size_t i = 0; i < n && !rc; i++) {
        kt_pos_result res;
        if ((rc = kt_store_savepoint(pos->st, err))) break;
        rcs[i] = commit_in_txn(pos, jsons[i], lens[i], &res, &errs[i]);
        if (rcs[i]) { free(res.answer); rc = kt_store_savepoint_rollback(pos->st, err); }
        else { answers[i] = res.answer; rc = kt_store_savepoint_release(pos->st, err); }
    }
    if (!rc) rc = kt_store_commit(pos->st, err);
    else kt_store_rollback(pos->st);
    if (rc)
        for (size_t i = 0; i < n; i++) { free(answers[i]); answers[i] = NULL; }
    return rc;
}
