/*
 * offers.c - personal offers (P7): issued from a CSV file, whole or nothing,
 * and listed per member (pos.h: kt_pos_offers_issue, kt_pos_offers_list).
 * Applying them at the checkout is the rule engine's work (rules.h); every
 * use is recorded in offer_uses by the commit.
 */
#include "catalog/catalog.h"
#include "core/csv.h"
#include "core/date.h"
#include "members/members.h"
#include "basket.h"
#include "pos_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KT_OFFER_PERCENT_BP_MAX 10000   /* 100% */
#define KT_OFFER_MULTIPLIER_PCT_MAX 10000 /* x100 */
/* Offers one HTTP request may issue: a campaign of more goes as a CSV file. */
#define KT_OFFERS_ISSUE_MAX 10000

enum { C_MEMBER, C_CODE, C_KIND, C_TARGET, C_VALUE, C_THRESHOLD, C_FROM, C_TO, C_USES, C_FUNDED, C_CAMPAIGN, NCOLS };
static const char *const cols[NCOLS] = {"member", "code", "kind", "target", "value", "threshold",
                                        "valid_from", "valid_to", "uses_max", "funded_by", "campaign"};
static const bool required[NCOLS] = {true, false, true, true, true, false, true, true, false, false, false};

/* One offer from its column values (v[c], "" when absent). Errors name
 * "WHERE: column" (CSV) or "WHERE.column" (JSON, where = "$.offers[N]"). */
static kt_rc row(kt_pos *pos, const char *const *v, const char *where, bool json, const char *actor, kt_time now,
                 int64_t *out_id, kt_err *err) {
    kt_store *st = kt_pos_store(pos);
    char label[KT_ERR_FIELD_MAX - 8];
#define V(c) (v[c])
#define LABEL(c) (snprintf(label, sizeof label, json ? "%.90s.%s" : "%.90s: %s", where, cols[c]), label)
    int64_t member, value, threshold = 0, uses = 1, target_id = 0;
    kt_day from, to;
    kt_rc rc = kt_member_find(st, V(C_MEMBER), &member, err);
    if (rc) { snprintf(err->field, sizeof err->field, "%.119s", LABEL(C_MEMBER)); return rc; }
    const char *kind = V(C_KIND);
    bool pct = strcmp(kind, "percent_off") == 0, amt = strcmp(kind, "amount_off") == 0,
         mul = strcmp(kind, "points_multiplier") == 0, over = strcmp(kind, "points_over_spend") == 0;
    if (!pct && !amt && !mul && !over)
        return kt_fail(err, KT_EINVAL, LABEL(C_KIND), "must be percent_off, amount_off, points_multiplier or points_over_spend, not \"%s\"", kind);
    const char *t = V(C_TARGET), *tname = NULL, *ttype = "any";
    if (strcmp(t, "any") != 0) {
        const char *colon = strchr(t, ':');
        if (!colon || !colon[1]) return kt_fail(err, KT_EINVAL, LABEL(C_TARGET), "must be any, sku:SKU, category:CODE or brand:NAME, not \"%s\"", t);
        tname = colon + 1;
        bool found = false;
        kt_val a[] = {KT_VS(tname)};
        if (strncmp(t, "sku:", 4) == 0) { ttype = "sku"; rc = kt_store_int(st, KT_Q_PRODUCT_BY_SKU, a, 1, &target_id, &found, err); }
        else if (strncmp(t, "category:", 9) == 0) { ttype = "category"; rc = kt_store_int(st, KT_Q_CATEGORY_BY_CODE, a, 1, &target_id, &found, err); }
        else if (strncmp(t, "brand:", 6) == 0) { ttype = "brand"; rc = kt_store_int(st, KT_Q_POS_BRAND_BY_NAME, a, 1, &target_id, &found, err); }
        else return kt_fail(err, KT_EINVAL, LABEL(C_TARGET), "must be any, sku:SKU, category:CODE or brand:NAME, not \"%s\"", t);
        if (rc) return rc;
        if (!found) return kt_fail(err, KT_ENOTFOUND, LABEL(C_TARGET), "no %s \"%s\"", ttype, tname);
    }
    int64_t vmax = pct ? KT_OFFER_PERCENT_BP_MAX : mul ? KT_OFFER_MULTIPLIER_PCT_MAX : 1000000000;
    if ((rc = kt_parse_i64(V(C_VALUE), strlen(V(C_VALUE)), pct || mul ? 1 : 1, vmax, &value, err, LABEL(C_VALUE)))) return rc;
    if (mul && value <= 100) return kt_fail(err, KT_EINVAL, LABEL(C_VALUE), "a multiplier is in percent and above 100 (200 = x2)");
    if (V(C_THRESHOLD)[0] && (rc = kt_parse_i64(V(C_THRESHOLD), strlen(V(C_THRESHOLD)), 0, (int64_t)1e12, &threshold, err, LABEL(C_THRESHOLD)))) return rc;
    if (over && threshold <= 0) return kt_fail(err, KT_EINVAL, LABEL(C_THRESHOLD), "points_over_spend needs a threshold in minor units");
    if ((rc = kt_day_parse(V(C_FROM), strlen(V(C_FROM)), &from, err, LABEL(C_FROM)))) return rc;
    if ((rc = kt_day_parse(V(C_TO), strlen(V(C_TO)), &to, err, LABEL(C_TO)))) return rc;
    if (to < from) return kt_fail(err, KT_EINVAL, LABEL(C_TO), "is before valid_from");
    if (V(C_USES)[0] && (rc = kt_parse_i64(V(C_USES), strlen(V(C_USES)), 1, 1000000, &uses, err, LABEL(C_USES)))) return rc;
    const char *funder = V(C_FUNDED)[0] ? V(C_FUNDED) : "program";
    if (strcmp(funder, "program") != 0) {
        const char *name = strchr(funder, ':');
        kt_query q = strncmp(funder, "supplier:", 9) == 0 ? KT_Q_POS_SUPPLIER_BY_NAME
                     : strncmp(funder, "partner:", 8) == 0 ? KT_Q_POS_PARTNER_BY_NAME : KT_Q_COUNT_;
        if (q == KT_Q_COUNT_ || !name || !name[1])
            return kt_fail(err, KT_EINVAL, LABEL(C_FUNDED), "must be program, supplier:NAME or partner:NAME, not \"%s\"", funder);
        int64_t id;
        bool found;
        kt_val a[] = {KT_VS(name + 1)};
        if ((rc = kt_store_int(st, q, a, 1, &id, &found, err))) return rc;
        if (!found) return kt_fail(err, KT_ENOTFOUND, LABEL(C_FUNDED), "no %s", funder);
    }
    const char *code = V(C_CODE);
    if (code[0] && (rc = kt_catalog_check_code(code, LABEL(C_CODE), err))) return rc;
    kt_val a[] = {KT_VI(member), code[0] ? KT_VS(code) : KT_VNULL, KT_VS(kind), KT_VS(ttype), KT_VIOPT(target_id, target_id),
                  KT_VS(tname), KT_VI(value), KT_VI(threshold), KT_VI(from), KT_VI(to), KT_VI(uses), KT_VS(funder),
                  V(C_CAMPAIGN)[0] ? KT_VS(V(C_CAMPAIGN)) : KT_VNULL, KT_VI(now), KT_VS(actor)};
    return kt_store_int(st, KT_Q_OFFER_INSERT, a, KT_ARRAY_LEN(a), out_id, NULL, err);
#undef V
#undef LABEL
}

kt_rc kt_pos_offers_issue(kt_pos *pos, const char *path, const char *actor, int64_t *out_count, kt_err *err) {
    kt_csv *csv;
    const kt_csv_field *f;
    size_t nf;
    int idx[NCOLS];
    int64_t count = 0;
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    kt_rc rc = kt_csv_open(path, ',', &csv, err);
    if (rc) return rc;
    rc = kt_csv_next(csv, &f, &nf, err);
    if (!rc && nf == 0) rc = kt_fail(err, KT_EINVAL, name, "the file is empty (want a header row)");
    for (int c = 0; !rc && c < NCOLS; c++) {
        idx[c] = kt_csv_column(f, nf, cols[c]);
        if (idx[c] < 0 && required[c]) rc = kt_fail(err, KT_EINVAL, name, "missing column \"%s\"", cols[c]);
    }
    for (size_t i = 0; !rc && i < nf; i++) {
        bool known = false;
        for (int c = 0; c < NCOLS; c++) known |= strcmp(f[i].s, cols[c]) == 0;
        if (!known) rc = kt_fail(err, KT_EINVAL, name, "unknown column \"%s\"", f[i].s);
    }
    size_t header_n = nf;
    if (!rc) rc = kt_store_begin(kt_pos_store(pos), err);
    if (rc) { kt_csv_close(csv); return rc; }
    kt_time now = kt_now();
    while (!rc) {
        if ((rc = kt_csv_next(csv, &f, &nf, err)) || nf == 0) break;
        char where[128];
        snprintf(where, sizeof where, "%s:%llu", name, (unsigned long long)kt_csv_line(csv));
        if (nf != header_n) { rc = kt_fail(err, KT_EINVAL, where, "%zu fields, the header has %zu", nf, header_n); break; }
        const char *v[NCOLS];
        for (int c = 0; c < NCOLS; c++) v[c] = idx[c] >= 0 ? f[idx[c]].s : "";
        int64_t id;
        rc = row(pos, v, where, false, actor, now, &id, err);
        count++;
    }
    kt_csv_close(csv);
    if (!rc) rc = kt_store_commit(kt_pos_store(pos), err);
    else kt_store_rollback(kt_pos_store(pos));
    if (!rc) *out_count = count;
    return rc;
}

kt_rc kt_pos_offers_issue_json(kt_pos *pos, const char *json, size_t len, const char *actor, char **answer,
                               kt_err *err) {
    json_t *doc = NULL, *ids = json_array();
    kt_rc rc = kt_json_load(json, len, &doc, err);
    json_t *list = rc ? NULL : json_object_get(doc, "offers");
    if (!rc && !json_is_object(doc)) rc = kt_fail(err, KT_EINVAL, "$", "must be an object {\"offers\": [...]}");
    if (!rc && json_object_size(doc) != 1) rc = kt_fail(err, KT_EINVAL, "$", "takes one key, \"offers\"");
    if (!rc && (!json_is_array(list) || json_array_size(list) == 0))
        rc = kt_fail(err, KT_EINVAL, "$.offers", "must be a non-empty array of offers");
    if (!rc && json_array_size(list) > KT_OFFERS_ISSUE_MAX)
        rc = kt_fail(err, KT_EINVAL, "$.offers", "at most %d offers per request", KT_OFFERS_ISSUE_MAX);
    if (!rc) rc = kt_store_begin(kt_pos_store(pos), err);
    if (rc) { json_decref(doc); json_decref(ids); return rc; }
    kt_time now = kt_now();
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o) {
        char where[32], text[NCOLS][32], path[64];
        const char *v[NCOLS];
        const char *k;
        json_t *x;
        snprintf(where, sizeof where, "$.offers[%zu]", i);
        if (!json_is_object(o)) { rc = kt_fail(err, KT_EINVAL, where, "must be an object"); break; }
        for (int c = 0; c < NCOLS; c++) v[c] = "";
        json_object_foreach(o, k, x) {
            int c = 0;
            while (c < NCOLS && strcmp(k, cols[c]) != 0) c++;
            snprintf(path, sizeof path, "%s.%.20s", where, k);
            if (c == NCOLS) { rc = kt_fail(err, KT_EINVAL, path, "unknown key (want %s, ...)", cols[0]); break; }
            if (json_is_string(x)) v[c] = json_string_value(x);
            else if (json_is_integer(x)) { snprintf(text[c], sizeof text[c], "%lld", (long long)json_integer_value(x)); v[c] = text[c]; }
            else if (!json_is_null(x)) { rc = kt_fail(err, KT_EINVAL, path, "must be a string or an integer"); break; }
        }
        for (int c = 0; !rc && c < NCOLS; c++)
            if (required[c] && !v[c][0]) {
                snprintf(path, sizeof path, "%s.%s", where, cols[c]);
                rc = kt_fail(err, KT_EINVAL, path, "is required");
            }
        int64_t id = 0;
        if (!rc) rc = row(pos, v, where, true, actor, now, &id, err);
        if (rc) break;
        json_array_append_new(ids, json_integer(id));
    }
    if (!rc) rc = kt_store_commit(kt_pos_store(pos), err);
    else kt_store_rollback(kt_pos_store(pos));
    json_decref(doc);
    if (rc) { json_decref(ids); return rc; }
    json_t *a = json_object();
    json_object_set_new(a, "issued", json_integer((json_int_t)json_array_size(ids)));
    json_object_set_new(a, "offers", ids);
    *answer = kt_pos_dump(a);
    json_decref(a);
    return KT_OK;
}

kt_rc kt_pos_offers_list(kt_pos *pos, const char *key, char **out, kt_err *err) {
    kt_store *st = kt_pos_store(pos);
    int64_t id;
    kt_rc rc = kt_member_find(st, key, &id, err);
    if (rc) return rc;
    kt_cursor *c;
    kt_val a[] = {KT_VI(id)};
    json_t *arr = json_array();
    kt_day today = kt_today();
    if (!(rc = kt_store_query(st, KT_Q_OFFERS_OF_MEMBER, a, 1, &c, err))) {
        bool has;
        while (!(rc = kt_store_step(c, &has, err)) && has) {
            char d1[11], d2[11];
            json_t *o = json_object();
            kt_day from = (kt_day)kt_col_int(c, 7), to = (kt_day)kt_col_int(c, 8);
            int64_t uses = kt_col_int(c, 9), max = kt_col_int(c, 10);
            kt_day_format(from, d1);
            kt_day_format(to, d2);
            json_object_set_new(o, "offer", json_integer(kt_col_int(c, 0)));
            json_object_set_new(o, "coupon", kt_col_null(c, 1) ? json_null() : json_string(kt_col_text(c, 1)));
            json_object_set_new(o, "kind", json_string(kt_col_text(c, 2)));
            json_object_set_new(o, "target", json_string(kt_col_text(c, 3)));
            json_object_set_new(o, "target_name", kt_col_null(c, 4) ? json_null() : json_string(kt_col_text(c, 4)));
            json_object_set_new(o, "value", json_integer(kt_col_int(c, 5)));
            json_object_set_new(o, "threshold", json_integer(kt_col_int(c, 6)));
            json_object_set_new(o, "valid_from", json_string(d1));
            json_object_set_new(o, "valid_to", json_string(d2));
            json_object_set_new(o, "uses", json_integer(uses));
            json_object_set_new(o, "uses_max", json_integer(max));
            json_object_set_new(o, "funded_by", json_string(kt_col_text(c, 11)));
            json_object_set_new(o, "campaign", kt_col_null(c, 12) ? json_null() : json_string(kt_col_text(c, 12)));
            json_object_set_new(o, "active", json_boolean(from <= today && today <= to && uses < max));
            json_array_append_new(arr, o);
        }
        kt_store_end(c);
    }
    json_t *o = json_object();
    json_object_set_new(o, "member", json_integer(id));
    json_object_set_new(o, "offers", arr);
    if (!rc) *out = kt_pos_dump(o);
    json_decref(o);
    return rc;
}
