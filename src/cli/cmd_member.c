/*
 * cmd_member.c - `karta member add|show|update|merge|duplicates`: members,
 * cards, consents and favourite category from the command line (M1-M5).
 */
#include "cli.h"
#include "core/date.h"
#include "core/text.h"
#include "ledger/ledger.h"
#include "members/members.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Profile options shared by add and update: option name -> member field. */
static const struct { const char *opt, *field, *help; } profile_opts[] = {
    {"member", "member", "external member id (from a previous system)"},
    {"name", "name", "full name"},
    {"sex", "sex", "M or F"},
    {"birth-date", "birth_date", "YYYY-MM-DD"},
    {"city", "city", "city"},
    {"region", "region", "region"},
    {"family-status", "family_status", "single, married, divorced or widowed"},
    {"children", "children", "number of children"},
    {"car", "car", "1 or 0"},
    {"phone", "phone", "phone in any common form; stored as E.164"},
    {"email", "email", "e-mail; stored trimmed and lower-cased"},
    {"registered", "registered", "registration date YYYY-MM-DD (default today)"},
    {"reg-store", "reg_store", "store code where the member registered"},
    {"favourite-category", "favourite_category", "category code the member chose"},
};
#define NPROFILE KT_ARRAY_LEN(profile_opts)

enum { X_CARD, X_CONSENT, X_WITHDRAW, X_SOURCE, X_ADD_CARD, X_CARD_STATE, X_FORMAT, X_REASON, NEXTRA };
static const kt_opt extra_opts[NEXTRA] = {
    [X_CARD] = {"card", KT_OPT_VALUE, "card number (add: required)", NULL},
    [X_CONSENT] = {"consent", KT_OPT_VALUE, "channels consented to: sms,email,push,viber,app", NULL},
    [X_WITHDRAW] = {"withdraw", KT_OPT_VALUE, "channels whose consent is withdrawn", NULL},
    [X_SOURCE] = {"source", KT_OPT_VALUE, "where consent was given: registration, support, app, store, shop", NULL},
    [X_ADD_CARD] = {"add-card", KT_OPT_VALUE, "register another card to the member", NULL},
    [X_CARD_STATE] = {"card-state", KT_OPT_VALUE, "NUMBER=issued|active|inactive|blocked", NULL},
    [X_FORMAT] = {"format", KT_OPT_VALUE, "text (default) or json", NULL},
    [X_REASON] = {"reason", KT_OPT_VALUE, "why (recorded with the change)", NULL},
};

typedef struct opts_all {
    kt_opt o[NPROFILE + NEXTRA];
    size_t n;
} opts_all;

static void opts_build(opts_all *a, bool profile, const int *extras, size_t nextras) {
    a->n = 0;
    if (profile)
        for (size_t i = 0; i < NPROFILE; i++)
            a->o[a->n++] = (kt_opt){profile_opts[i].opt, KT_OPT_VALUE, profile_opts[i].help, NULL};
    for (size_t i = 0; i < nextras; i++) a->o[a->n++] = extra_opts[extras[i]];
}

static const char *xget(const opts_all *a, int x) { return kt_opt_get(a->o, a->n, extra_opts[x].name); }

static kt_rc apply_profile(const opts_all *a, kt_member *m, kt_err *err) {
    for (size_t i = 0; i < NPROFILE; i++) {
        const char *v = kt_opt_get(a->o, a->n, profile_opts[i].opt);
        if (!v) continue;
        char label[64];
        snprintf(label, sizeof label, "--%s", profile_opts[i].opt);
        kt_rc rc = kt_member_set(m, profile_opts[i].field, v, label, err);
        if (rc) return rc;
    }
    return KT_OK;
}

/* "sms,email" -> consent events. */
static kt_rc apply_consents(kt_store *st, int64_t member, const char *list, bool granted, const char *source,
                            kt_time at, kt_err *err) {
    char buf[256];
    if (!list) return KT_OK;
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *ch = strtok_r(buf, ",", &save); ch; ch = strtok_r(NULL, ",", &save)) {
        kt_rc rc = kt_consent_check(ch, source, granted ? "--consent" : "--withdraw", err);
        if (!rc) rc = kt_consent_set(st, member, ch, granted, source, at, err);
        if (rc) return rc;
    }
    return KT_OK;
}

static int finish(kt_store *st, kt_rc rc, kt_err *err) {
    if (rc) {
        if (st) kt_store_rollback(st);
        kt_store_close(st);
        return kt_cli_error(err);
    }
    kt_store_close(st);
    return 0;
}

static int member_add(int argc, char **argv) {
    static const int extras[] = {X_CARD, X_CONSENT, X_SOURCE};
    opts_all a;
    opts_build(&a, true, extras, KT_ARRAY_LEN(extras));
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help("member add --card NO [profile options] [--consent sms,email]", a.o, a.n);
        return 0;
    }
    kt_err err = {0};
    char *pos[1];
    size_t npos;
    kt_store *st = NULL;
    kt_member m;
    kt_time now = kt_now();
    kt_member_init(&m, kt_today());
    kt_rc rc = kt_opts_parse(argc, argv, a.o, a.n, pos, 0, &npos, &err);
    const char *card = xget(&a, X_CARD), *source = xget(&a, X_SOURCE) ? xget(&a, X_SOURCE) : "registration";
    if (!rc && !card) rc = kt_fail(&err, KT_EUSAGE, "--card", "a member needs a card number");
    if (!rc) rc = apply_profile(&a, &m, &err);
    if (!rc) rc = kt_cli_open(&st, &err);
    if (!rc) rc = kt_store_begin(st, &err);
    if (!rc) rc = kt_member_insert(st, &m, kt_cli_actor(), now, source, &err);
    if (!rc) rc = kt_card_add(st, m.id, card, KT_CARD_ACTIVE, kt_today(), kt_cli_actor(), now, "--card", &err);
    if (!rc) rc = apply_consents(st, m.id, xget(&a, X_CONSENT), true, source, now, &err);
    if (!rc) rc = kt_store_commit(st, &err);
    char card_norm[KT_CARD_MAX];
    if (!rc) rc = kt_card_normalise(card, card_norm, &err, "--card");
    if (!rc) printf("member #%lld added with card %s\n", (long long)m.id, card_norm);
    return finish(st, rc, &err);
}

static void put_opt_str(json_t *o, const char *k, const char *v) {
    json_object_set_new(o, k, v && *v ? json_string(v) : json_null());
}

static json_t *day_json(kt_day d) {
    char b[11];
    if (d == KT_DAY_NONE) return json_null();
    kt_day_format(d, b);
    return json_string(b);
}

static json_t *time_json(kt_time t) {
    char b[32];
    kt_time_format(t, kt_now_offset(), b);
    return json_string(b);
}

/* The member as one JSON document: profile, cards, consents, points, history. */
static kt_rc member_json(kt_store *st, int64_t id, json_t **out, kt_err *err) {
    kt_member m;
    kt_balance bal;
    kt_rc rc = kt_member_load(st, id, &m, err);
    if (!rc) rc = kt_ledger_balance(st, (kt_member_id)id, kt_today(), 30, &bal, err);
    if (rc) return rc;
    json_t *o = json_object();
    char sex[2] = {m.sex, 0};
    json_object_set_new(o, "id", json_integer(m.id));
    put_opt_str(o, "member", m.ext_id);
    json_object_set_new(o, "state", json_string(m.state));
    if (m.merged_into) json_object_set_new(o, "merged_into", json_integer(m.merged_into));
    put_opt_str(o, "name", m.name);
    put_opt_str(o, "sex", sex);
    json_object_set_new(o, "birth_date", day_json(m.birth_day));
    put_opt_str(o, "city", m.city);
    put_opt_str(o, "region", m.region);
    put_opt_str(o, "family_status", m.family_status);
    json_object_set_new(o, "children", m.children >= 0 ? json_integer(m.children) : json_null());
    json_object_set_new(o, "car", m.car >= 0 ? json_boolean(m.car) : json_null());
    put_opt_str(o, "phone", m.phone);
    put_opt_str(o, "email", m.email);
    json_object_set_new(o, "registered", day_json(m.registered_day));
    put_opt_str(o, "reg_store", m.reg_store);
    put_opt_str(o, "favourite_category", m.favourite_category);
    json_t *points = json_object();
    json_object_set_new(points, "balance", json_integer(bal.balance));
    json_object_set_new(points, "available", json_integer(bal.available));
    json_object_set_new(points, "pending", json_integer(bal.pending));
    json_object_set_new(points, "expiring_30_days", json_integer(bal.expiring));
    json_object_set_new(points, "next_expiry", day_json(bal.next_expiry));
    json_object_set_new(o, "points", points);

    kt_cursor *c;
    kt_val a[] = {KT_VI(id)};
    bool has;
    json_t *cards = json_array();
    if (!(rc = kt_store_query(st, KT_Q_CARDS_OF_MEMBER, a, 1, &c, err))) {
        while (!(rc = kt_store_step(c, &has, err)) && has) {
            json_t *cd = json_object();
            json_object_set_new(cd, "number", json_string(kt_col_text(c, 1)));
            json_object_set_new(cd, "state", json_string(kt_col_text(c, 2)));
            json_object_set_new(cd, "issued", kt_col_null(c, 3) ? json_null() : day_json((kt_day)kt_col_int(c, 3)));
            json_array_append_new(cards, cd);
        }
        kt_store_end(c);
    }
    json_object_set_new(o, "cards", cards);
    json_t *consents = json_object();
    if (!rc && !(rc = kt_store_query(st, KT_Q_CONSENTS_CURRENT, a, 1, &c, err))) {
        while (!(rc = kt_store_step(c, &has, err)) && has) {
            json_t *cs = json_object();
            json_object_set_new(cs, "granted", json_boolean(kt_col_int(c, 1)));
            json_object_set_new(cs, "at", time_json(kt_col_int(c, 2)));
            json_object_set_new(cs, "source", json_string(kt_col_text(c, 3)));
            json_object_set_new(consents, kt_col_text(c, 0), cs);
        }
        kt_store_end(c);
    }
    json_object_set_new(o, "consents", consents);
    json_t *hist = json_array();
    if (!rc && !(rc = kt_store_query(st, KT_Q_CONSENT_HISTORY, a, 1, &c, err))) {
        while (!(rc = kt_store_step(c, &has, err)) && has) {
            json_t *h = json_object();
            json_object_set_new(h, "channel", json_string(kt_col_text(c, 0)));
            json_object_set_new(h, "granted", json_boolean(kt_col_int(c, 1)));
            json_object_set_new(h, "at", time_json(kt_col_int(c, 2)));
            json_object_set_new(h, "source", json_string(kt_col_text(c, 3)));
            json_array_append_new(hist, h);
        }
        kt_store_end(c);
    }
    json_object_set_new(o, "consent_history", hist);
    json_t *fav = json_array();
    if (!rc && !(rc = kt_store_query(st, KT_Q_FAVOURITE_HISTORY, a, 1, &c, err))) {
        while (!(rc = kt_store_step(c, &has, err)) && has) {
            json_t *h = json_object();
            put_opt_str(h, "category", kt_col_text(c, 0));
            json_object_set_new(h, "at", time_json(kt_col_int(c, 1)));
            json_object_set_new(h, "source", json_string(kt_col_text(c, 2)));
            json_array_append_new(fav, h);
        }
        kt_store_end(c);
    }
    json_object_set_new(o, "favourite_history", fav);
    json_t *merges = json_array();
    if (!rc && !(rc = kt_store_query(st, KT_Q_MERGES_OF_MEMBER, a, 1, &c, err))) {
        while (!(rc = kt_store_step(c, &has, err)) && has) {
            json_t *h = json_object();
            json_object_set_new(h, "survivor", json_integer(kt_col_int(c, 0)));
            json_object_set_new(h, "merged", json_integer(kt_col_int(c, 1)));
            json_object_set_new(h, "at", time_json(kt_col_int(c, 2)));
            json_object_set_new(h, "actor", json_string(kt_col_text(c, 3)));
            json_object_set_new(h, "cards_moved", json_integer(kt_col_int(c, 4)));
            json_object_set_new(h, "points_moved", json_integer(kt_col_int(c, 5)));
            json_array_append_new(merges, h);
        }
        kt_store_end(c);
    }
    json_object_set_new(o, "merges", merges);
    if (rc) { json_decref(o); return rc; }
    *out = o;
    return KT_OK;
}

/* Text form: "key: value" lines, nested objects flattened with dots, arrays
 * one element a line. */
static void print_text(const char *prefix, json_t *v) {
    const char *k;
    json_t *x;
    size_t i;
    char key[256];
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        json_object_foreach(v, k, x) {
            snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", k);
            print_text(key, x);
        }
        break;
    case JSON_ARRAY:
        if (json_array_size(v) == 0) printf("%s: -\n", prefix);
        json_array_foreach(v, i, x) {
            if (json_is_object(x)) {
                printf("%s[%zu]:", prefix, i);
                const char *kk;
                json_t *xx;
                json_object_foreach(x, kk, xx) {
                    char *s = json_is_string(xx) ? NULL : json_dumps(xx, JSON_ENCODE_ANY);
                    printf(" %s=%s", kk, s ? s : json_string_value(xx));
                    free(s);
                }
                printf("\n");
            }
        }
        break;
    case JSON_STRING: printf("%s: %s\n", prefix, json_string_value(v)); break;
    case JSON_NULL: printf("%s: -\n", prefix); break;
    default: {
        char *s = json_dumps(v, JSON_ENCODE_ANY);
        printf("%s: %s\n", prefix, s);
        free(s);
    }
    }
}

static int member_show(int argc, char **argv) {
    static const int extras[] = {X_FORMAT};
    opts_all a;
    opts_build(&a, false, extras, KT_ARRAY_LEN(extras));
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help("member show CARD|PHONE|EMAIL|MEMBER|#ID [--format text|json]", a.o, a.n);
        return 0;
    }
    kt_err err = {0};
    char *pos[1];
    size_t npos;
    kt_store *st = NULL;
    int64_t id;
    json_t *doc = NULL;
    kt_rc rc = kt_opts_parse(argc, argv, a.o, a.n, pos, 1, &npos, &err);
    const char *fmt = xget(&a, X_FORMAT) ? xget(&a, X_FORMAT) : "text";
    if (!rc && npos != 1) rc = kt_fail(&err, KT_EUSAGE, "member", "which member? give a card, phone, e-mail or #id");
    if (!rc && strcmp(fmt, "text") && strcmp(fmt, "json")) rc = kt_fail(&err, KT_EUSAGE, "--format", "must be text or json");
    if (!rc) rc = kt_cli_open(&st, &err);
    if (!rc) rc = kt_member_find(st, pos[0], &id, &err);
    if (!rc) rc = member_json(st, id, &doc, &err);
    if (!rc) {
        if (strcmp(fmt, "json") == 0) {
            char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            printf("%s\n", s);
            free(s);
        } else {
            print_text("", doc);
        }
        json_decref(doc);
    }
    return finish(st, rc, &err);
}

static int member_update(int argc, char **argv) {
    static const int extras[] = {X_CONSENT, X_WITHDRAW, X_SOURCE, X_ADD_CARD, X_CARD_STATE, X_REASON};
    opts_all a;
    opts_build(&a, true, extras, KT_ARRAY_LEN(extras));
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help("member update CARD|PHONE|EMAIL|MEMBER|#ID [profile options] [--consent LIST] [--withdraw LIST]"
                     " [--add-card NO] [--card-state NO=STATE]", a.o, a.n);
        return 0;
    }
    kt_err err = {0};
    char *pos[1];
    size_t npos;
    kt_store *st = NULL;
    int64_t id;
    kt_member m;
    kt_time now = kt_now();
    kt_rc rc = kt_opts_parse(argc, argv, a.o, a.n, pos, 1, &npos, &err);
    const char *source = xget(&a, X_SOURCE) ? xget(&a, X_SOURCE) : "support";
    if (!rc && npos != 1) rc = kt_fail(&err, KT_EUSAGE, "member", "which member? give a card, phone, e-mail or #id");
    if (!rc) rc = kt_cli_open(&st, &err);
    if (!rc) rc = kt_store_begin(st, &err);
    if (!rc) rc = kt_member_find(st, pos[0], &id, &err);
    if (!rc) rc = kt_member_load(st, id, &m, &err);
    if (!rc) rc = apply_profile(&a, &m, &err);
    if (!rc) rc = kt_member_save(st, &m, kt_cli_actor(), now, &err);
    if (!rc) rc = apply_consents(st, id, xget(&a, X_CONSENT), true, source, now, &err);
    if (!rc) rc = apply_consents(st, id, xget(&a, X_WITHDRAW), false, source, now, &err);
    if (!rc && xget(&a, X_ADD_CARD))
        rc = kt_card_add(st, id, xget(&a, X_ADD_CARD), KT_CARD_ACTIVE, kt_today(), kt_cli_actor(), now, "--add-card", &err);
    if (!rc && xget(&a, X_CARD_STATE)) {
        char buf[128];
        kt_card_state cs;
        snprintf(buf, sizeof buf, "%s", xget(&a, X_CARD_STATE));
        char *eq = strchr(buf, '=');
        int64_t owner;
        if (!eq) rc = kt_fail(&err, KT_EUSAGE, "--card-state", "want NUMBER=STATE");
        else {
            *eq = 0;
            rc = kt_card_state_parse(eq + 1, &cs, "--card-state", &err);
            if (!rc) rc = kt_member_find(st, buf, &owner, &err);
            if (!rc && owner != id) rc = kt_fail(&err, KT_ECONFLICT, "--card-state", "card %s belongs to another member", buf);
            if (!rc) rc = kt_card_set_state(st, buf, cs, kt_cli_actor(), xget(&a, X_REASON), now, &err);
        }
    }
    if (!rc) rc = kt_store_commit(st, &err);
    if (!rc) printf("member #%lld updated\n", (long long)id);
    return finish(st, rc, &err);
}

static int member_merge(int argc, char **argv) {
    static const int extras[] = {X_REASON};
    opts_all a;
    opts_build(&a, false, extras, KT_ARRAY_LEN(extras));
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help("member merge SURVIVOR MERGED [--reason TEXT]   (each a card, phone, e-mail or #id)", a.o, a.n);
        return 0;
    }
    kt_err err = {0};
    char *pos[2];
    size_t npos;
    kt_store *st = NULL;
    int64_t s, m, cards = 0;
    kt_points points = 0;
    kt_rc rc = kt_opts_parse(argc, argv, a.o, a.n, pos, 2, &npos, &err);
    if (!rc && npos != 2) rc = kt_fail(&err, KT_EUSAGE, "member", "give the surviving member and the member merged into it");
    if (!rc) rc = kt_cli_open(&st, &err);
    if (!rc) rc = kt_store_begin(st, &err);
    if (!rc) rc = kt_member_find(st, pos[0], &s, &err);
    if (!rc) rc = kt_member_find(st, pos[1], &m, &err);
    if (!rc) rc = kt_member_merge(st, s, m, kt_cli_actor(), xget(&a, X_REASON), kt_now(), &points, &cards, &err);
    if (!rc) rc = kt_store_commit(st, &err);
    if (!rc)
        printf("member #%lld merged into #%lld: %lld cards and %lld points moved\n", (long long)m, (long long)s,
               (long long)cards, (long long)points);
    return finish(st, rc, &err);
}

typedef struct dup_ctx { bool csv; } dup_ctx;

static void dup_print(void *ctx, const char *rule, const char *key, const int64_t *ids, size_t n) {
    dup_ctx *d = ctx;
    if (d->csv) {
        for (size_t i = 0; i < n; i++) printf("%s,\"%s\",%lld\n", rule, key, (long long)ids[i]);
        return;
    }
    printf("%-16s %-32s", rule, key);
    for (size_t i = 0; i < n; i++) printf(" #%lld", (long long)ids[i]);
    printf("\n");
}

static int member_duplicates(int argc, char **argv) {
    static const int extras[] = {X_FORMAT};
    opts_all a;
    opts_build(&a, false, extras, KT_ARRAY_LEN(extras));
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help("member duplicates [--format text|csv]   (same phone, e-mail, or name and birth date)", a.o, a.n);
        return 0;
    }
    kt_err err = {0};
    char *pos[1];
    size_t npos;
    kt_store *st = NULL;
    int64_t groups = 0;
    kt_rc rc = kt_opts_parse(argc, argv, a.o, a.n, pos, 0, &npos, &err);
    const char *fmt = xget(&a, X_FORMAT) ? xget(&a, X_FORMAT) : "text";
    if (!rc && strcmp(fmt, "text") && strcmp(fmt, "csv")) rc = kt_fail(&err, KT_EUSAGE, "--format", "must be text or csv");
    dup_ctx d = {strcmp(fmt, "csv") == 0};
    if (!rc) rc = kt_cli_open(&st, &err);
    if (!rc && d.csv) printf("rule,key,member\n");
    if (!rc) rc = kt_member_duplicates(st, dup_print, &d, &groups, &err);
    if (!rc && !d.csv) printf("%lld groups of possible duplicates\n", (long long)groups);
    return finish(st, rc, &err);
}

static int cmd_member(int argc, char **argv) {
    static const struct { const char *word; int (*fn)(int, char **); } subs[] = {
        {"add", member_add}, {"show", member_show}, {"update", member_update},
        {"merge", member_merge}, {"duplicates", member_duplicates},
    };
    if (argc >= 2)
        for (size_t i = 0; i < KT_ARRAY_LEN(subs); i++)
            if (strcmp(argv[1], subs[i].word) == 0) return subs[i].fn(argc - 1, argv + 1);
    FILE *f = argc >= 2 && kt_cli_wants_help(argc, argv) ? stdout : stderr;
    fprintf(f, "usage: karta member add|show|update|merge|duplicates ... (karta member add --help)\n");
    return f == stdout ? 0 : 2;
}

KT_COMMAND(member, "member", "add, show, update, merge members; list duplicates", cmd_member)
