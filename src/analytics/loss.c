/*
 * loss.c - A11 what members stand to lose (loss.h): three read-only queries
 * of the operational store (expiring lots, open offers, birthday-rule
 * earnings), the active rules' birthday settings, the member profiles.
 */
#include "analytics/loss.h"
#include "core/date.h"
#include "store/store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

const char *const kt_bday_status_names[4] = {NULL, "used", "open", "missed"};

#define BDAY_RULES_MAX 256 /* birthday rules considered (a program has a few) */

typedef struct bday_rules {
    int before, after;
    bool feb29_mar1;
    char *ids[BDAY_RULES_MAX];
    int n;
} bday_rules;

/* The birthday settings and rule ids of the active rules, if any. */
static kt_rc load_rules(kt_store *st, bday_rules *br, kt_err *err) {
    int64_t version;
    bool found;
    kt_rc rc = kt_store_int(st, KT_Q_RULES_ACTIVE, NULL, 0, &version, &found, err);
    if (rc || !found) return rc;
    kt_cursor *c;
    if ((rc = kt_store_query(st, KT_Q_RULES_GET, (kt_val[]){KT_VI(version)}, 1, &c, err))) return rc;
    bool has;
    json_t *doc = NULL;
    if (!(rc = kt_store_step(c, &has, err)) && has && kt_col_text(c, 0)) doc = json_loads(kt_col_text(c, 0), 0, NULL);
    kt_store_end(c);
    if (rc || !doc) return rc;
    json_t *bd = json_object_get(json_object_get(doc, "program"), "birthday");
    if (json_is_integer(json_object_get(bd, "window_days_before")))
        br->before = (int)json_integer_value(json_object_get(bd, "window_days_before"));
    if (json_is_integer(json_object_get(bd, "window_days_after")))
        br->after = (int)json_integer_value(json_object_get(bd, "window_days_after"));
    const char *f = json_string_value(json_object_get(bd, "feb29"));
    br->feb29_mar1 = f && !strcmp(f, "mar1");
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(doc, "rules"), i, r) {
        const char *id = json_string_value(json_object_get(r, "id"));
        if (id && json_is_true(json_object_get(json_object_get(r, "when"), "birthday")) && br->n < BDAY_RULES_MAX)
            br->ids[br->n++] = kt_xstrdup(id);
    }
    json_decref(doc);
    return KT_OK;
}

/* The latest birthday window of BIRTH starting on or before D. */
static void last_window(const bday_rules *br, kt_day birth, kt_day d, kt_day *start, kt_day *end) {
    int by, bm, bd, y, m, dd;
    kt_day_to_civil(birth, &by, &bm, &bd);
    kt_day_to_civil(d, &y, &m, &dd);
    for (int yy = y + 1; yy >= y - 1; yy--) {
        int mm = bm, md = bd;
        if (bm == 2 && bd == 29 && !kt_is_leap(yy)) {
            if (br->feb29_mar1) mm = 3, md = 1;
            else md = 28;
        }
        kt_day b = kt_day_from_civil(yy, mm, md);
        if (b - br->before <= d) {
            *start = b - br->before;
            *end = b + br->after;
            return;
        }
    }
    *start = *end = KT_DAY_NONE; /* not reached: the window of year y - 1 starts before d */
}

static int by_points(const void *p, const void *q) {
    const kt_loss_row *a = p, *b = q;
    if (a->expiring_points != b->expiring_points) return a->expiring_points > b->expiring_points ? -1 : 1;
    return (a->member > b->member) - (a->member < b->member);
}

kt_rc kt_loss_run(kt_actx *a, const kt_loss_opts *o, kt_loss_result *out, kt_err *err) {
    memset(out, 0, sizeof *out);
    kt_store *st = kt_actx_store(a);
    if (!st || o->as_of == KT_DAY_NONE) return KT_OK;
    kt_rc rc = kt_actx_load_members(a, err);
    if (rc) return rc;
    size_t slots = kt_actx_op_slots(a, KT_ADIM_MEMBER);
    kt_loss_row *row = kt_xcalloc(slots ? slots : 1, sizeof *row);
    for (size_t i = 0; i < slots; i++) row[i] = (kt_loss_row){.member = (uint32_t)i, .next_expiry = KT_DAY_NONE,
                                                             .birthday_window_end = KT_DAY_NONE};
    bday_rules br = {0};
    kt_cursor *c = NULL;
    bool has;
    kt_day horizon = o->as_of + o->days;
    rc = kt_store_query(st, KT_Q_LOSS_LOTS_EXPIRING, (kt_val[]){KT_VI(o->as_of), KT_VI(horizon)}, 2, &c, err);
    while (!rc && !(rc = kt_store_step(c, &has, err)) && has) {
        int64_t id = kt_col_int(c, 0);
        if (id <= 0 || (uint64_t)id >= slots) continue;
        row[id].expiring_points = kt_col_int(c, 1);
        row[id].next_expiry = (kt_day)kt_col_int(c, 2);
    }
    if (c) kt_store_end(c);
    c = NULL;
    if (!rc) rc = kt_store_query(st, KT_Q_LOSS_OFFERS_OPEN, (kt_val[]){KT_VI(o->as_of), KT_VI(horizon)}, 2, &c, err);
    while (!rc && !(rc = kt_store_step(c, &has, err)) && has) {
        int64_t id = kt_col_int(c, 0);
        if (id <= 0 || (uint64_t)id >= slots) continue;
        row[id].offers_open = (uint32_t)kt_col_int(c, 1);
        row[id].offers_ending = (uint32_t)kt_col_int(c, 2);
        row[id].offer_uses_left = kt_col_int(c, 3);
    }
    if (c) kt_store_end(c);
    c = NULL;
    if (!rc) rc = load_rules(st, &br, err);
    out->birthday_rules = br.n;
    /* birthday-rule earning days by member, in member order */
    size_t nd = 0, dcap = 0;
    struct { uint32_t member; kt_day day; } *earned = NULL;
    if (!rc && br.n) {
        kt_day lo = o->as_of - 366 - br.before - br.after - 2;
        c = NULL;
        rc = kt_store_query(st, KT_Q_LOSS_RULE_EARN_DAYS, (kt_val[]){KT_VI(lo), KT_VI(o->as_of)}, 2, &c, err);
        while (!rc && !(rc = kt_store_step(c, &has, err)) && has) {
            const char *rule = kt_col_text(c, 1);
            bool bday = false;
            for (int k = 0; rule && k < br.n && !bday; k++) bday = !strcmp(rule, br.ids[k]);
            if (!bday) continue;
            if (nd == dcap) {
                dcap = dcap ? dcap * 2 : 256;
                earned = kt_xrealloc(earned, dcap * sizeof *earned);
            }
            earned[nd].member = (uint32_t)kt_col_int(c, 0);
            earned[nd].day = (kt_day)kt_col_int(c, 2);
            nd++;
        }
        if (c) kt_store_end(c);
    }
    size_t e = 0, n = 0;
    for (size_t id = 1; !rc && id < slots; id++) {
        const kt_actx_member *p = kt_actx_member_profile(a, (uint32_t)id);
        while (e < nd && earned[e].member < id) e++;
        if (!p) continue; /* merged, or not a member */
        kt_loss_row *r = &row[id];
        r->no_favourite = !p->has_favourite;
        if (br.n && p->birth_day != KT_DAY_NONE) {
            kt_day ws, we;
            last_window(&br, p->birth_day, o->as_of, &ws, &we);
            if (ws != KT_DAY_NONE && (p->registered_day == KT_DAY_NONE || p->registered_day <= we)) {
                bool used = false;
                for (size_t k = e; k < nd && earned[k].member == id && !used; k++)
                    used = earned[k].day >= ws && earned[k].day <= we;
                r->birthday = used ? KT_BDAY_USED : we >= o->as_of ? KT_BDAY_OPEN : KT_BDAY_MISSED;
                r->birthday_window_end = we;
            }
        }
        if (r->expiring_points > 0 || r->offers_open > 0 || r->no_favourite || r->birthday == KT_BDAY_OPEN ||
            r->birthday == KT_BDAY_MISSED)
            row[n++] = *r;
    }
    free(earned);
    for (int k = 0; k < br.n; k++) free(br.ids[k]);
    if (rc) { free(row); return rc; }
    out->rows = row;
    out->n = n;
    qsort(out->rows, out->n, sizeof *out->rows, by_points);
    return KT_OK;
}

void kt_loss_free(kt_loss_result *r) {
    free(r->rows);
    memset(r, 0, sizeof *r);
}
