/*
 * cmd_member.c - `karta member add|show|update|merge|duplicates`: members,
 * cards, consents and favourite category from the command line (M1-M5).
 */
#include "cli.h"
#include "core/date.h"
#include "core/text.h"
#include "ledger/ledger.h"
#include "members/member_json.h"
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
    if (!rc) rc = kt_member_json(st, id, &doc, &err);
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
