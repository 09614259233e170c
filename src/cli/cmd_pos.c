/*
 * cmd_pos.c - `karta pos calculate|commit|refund|balance|explain`,
 * `karta rules load|list|activate|show|diff|replay`, `karta offers issue|list`: the
 * checkout documents on stdin and stdout (the same JSON as the HTTP API).
 */
#include "cli.h"
#include "core/date.h"
#include "core/text.h"
#include "pos/pos.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KT_STDIN_MAX (8 * 1024 * 1024)

static kt_rc read_all(FILE *f, const char *name, char **out, size_t *len, kt_err *err) {
    size_t cap = 4096, n = 0;
    char *buf = kt_xmalloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            if (cap >= KT_STDIN_MAX) { free(buf); return kt_fail(err, KT_EINVAL, name, "larger than %d bytes", KT_STDIN_MAX); }
            buf = kt_xrealloc(buf, cap *= 2);
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0) break;
    }
    if (ferror(f)) { free(buf); return kt_fail(err, KT_EIO, name, "read error"); }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return KT_OK;
}

static kt_rc read_file(const char *path, char **out, size_t *len, kt_err *err) {
    if (strcmp(path, "-") == 0) return read_all(stdin, "stdin", out, len, err);
    FILE *f = fopen(path, "rb");
    if (!f) return kt_fail(err, KT_EIO, path, "cannot open");
    kt_rc rc = read_all(f, path, out, len, err);
    fclose(f);
    return rc;
}

static void print_json(const char *text, bool pretty) {
    if (!pretty) { printf("%s\n", text); return; }
    json_t *o = json_loads(text, 0, NULL);
    char *s = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    printf("%s\n", s ? s : text);
    free(s);
    json_decref(o);
}

typedef kt_rc (*doc_fn)(kt_pos *, const char *, size_t, char **, kt_err *);

static int with_pos(int (*body)(kt_pos *, int, char **, kt_err *), int argc, char **argv) {
    kt_err err = {0};
    kt_store *st = NULL;
    kt_pos *pos = NULL;
    kt_rc rc = kt_cli_open(&st, &err);
    if (!rc) rc = kt_pos_open(st, &pos, &err);
    int status = rc ? kt_cli_error(&err) : body(pos, argc, argv, &err);
    kt_pos_close(pos);
    kt_store_close(st);
    return status;
}

static doc_fn doc_op;
static int doc_body(kt_pos *pos, int argc, char **argv, kt_err *err) {
    kt_opt o[] = {{"pretty", KT_OPT_FLAG, "indent the answer", NULL}, {"file", KT_OPT_VALUE, "read the request from FILE (default stdin)", NULL}};
    char *posv[1], *in = NULL, *ans = NULL;
    size_t npos, len;
    kt_rc rc = kt_opts_parse(argc, argv, o, 2, posv, 0, &npos, err);
    const char *file = kt_opt_get(o, 2, "file");
    if (!rc) rc = read_file(file ? file : "-", &in, &len, err);
    if (!rc) rc = doc_op(pos, in, len, &ans, err);
    if (!rc) print_json(ans, kt_opt_get(o, 2, "pretty") != NULL);
    free(in);
    free(ans);
    return rc ? kt_cli_error(err) : 0;
}

static int balance_body(kt_pos *pos, int argc, char **argv, kt_err *err) {
    kt_opt o[] = {{"pretty", KT_OPT_FLAG, "indent the answer", NULL}};
    char *posv[1], *ans = NULL;
    size_t npos;
    kt_rc rc = kt_opts_parse(argc, argv, o, 1, posv, 1, &npos, err);
    if (!rc && npos != 1) rc = kt_fail(err, KT_EUSAGE, "card", "which card (or phone, e-mail, #id)?");
    if (!rc) rc = kt_pos_balance(pos, posv[0], &ans, err);
    if (!rc) print_json(ans, kt_opt_get(o, 1, "pretty") != NULL);
    free(ans);
    return rc ? kt_cli_error(err) : 0;
}

static int explain_body(kt_pos *pos, int argc, char **argv, kt_err *err) {
    kt_opt o[] = {{"pretty", KT_OPT_FLAG, "indent the answer", NULL}};
    char *posv[2], *ans = NULL;
    size_t npos;
    kt_rc rc = kt_opts_parse(argc, argv, o, 1, posv, 2, &npos, err);
    if (!rc && npos != 2) rc = kt_fail(err, KT_EUSAGE, "receipt", "give the store code and the receipt number");
    if (!rc) rc = kt_pos_explain(pos, posv[0], posv[1], &ans, err);
    if (!rc) print_json(ans, kt_opt_get(o, 1, "pretty") != NULL);
    free(ans);
    return rc ? kt_cli_error(err) : 0;
}

static int cmd_pos(int argc, char **argv) {
    const char *sub = argc >= 2 ? argv[1] : "";
    if (argc >= 2 && kt_cli_wants_help(argc - 1, argv + 1)) {
        printf("usage: karta pos calculate|commit|refund [--file F] [--pretty] < request.json\n"
               "       karta pos balance CARD|PHONE|EMAIL|#ID\n"
               "       karta pos explain STORE RECEIPT\n"
               "Requests and answers are documented in docs/checkout.md.\n");
        return 0;
    }
    if (strcmp(sub, "calculate") == 0) { doc_op = kt_pos_calculate; return with_pos(doc_body, argc - 1, argv + 1); }
    if (strcmp(sub, "commit") == 0) { doc_op = kt_pos_commit; return with_pos(doc_body, argc - 1, argv + 1); }
    if (strcmp(sub, "refund") == 0) { doc_op = kt_pos_refund; return with_pos(doc_body, argc - 1, argv + 1); }
    if (strcmp(sub, "balance") == 0) return with_pos(balance_body, argc - 1, argv + 1);
    if (strcmp(sub, "explain") == 0) return with_pos(explain_body, argc - 1, argv + 1);
    fprintf(stderr, "usage: karta pos calculate|commit|refund|balance|explain ... (karta pos --help)\n");
    return 2;
}

/* ---- rules ---- */

static int rules_load(kt_pos *pos, int argc, char **argv, kt_err *err) {
    kt_opt o[] = {{"note", KT_OPT_VALUE, "why this version (kept with it)", NULL}};
    char *posv[1], *doc = NULL;
    size_t npos, len;
    int64_t version;
    kt_rc rc = kt_opts_parse(argc, argv, o, 1, posv, 1, &npos, err);
    if (!rc && npos != 1) rc = kt_fail(err, KT_EUSAGE, "file", "which rule document?");
    if (!rc) rc = read_file(posv[0], &doc, &len, err);
    if (!rc) rc = kt_pos_rules_load(pos, doc, len, kt_cli_actor(), kt_opt_get(o, 1, "note"), &version, err);
    if (!rc) printf("rules version %lld loaded and active\n", (long long)version);
    free(doc);
    return rc ? kt_cli_error(err) : 0;
}

static int rules_activate(kt_pos *pos, int argc, char **argv, kt_err *err) {
    char *posv[1];
    size_t npos;
    int64_t version;
    bool changed = false;
    kt_rc rc = kt_opts_parse(argc, argv, NULL, 0, posv, 1, &npos, err);
    if (!rc && npos != 1) rc = kt_fail(err, KT_EUSAGE, "version", "which version? (karta rules list)");
    if (!rc) rc = kt_parse_i64(posv[0], strlen(posv[0]), 1, INT64_MAX, &version, err, "version");
    if (!rc) rc = kt_pos_rules_activate(pos, version, kt_cli_actor(), &changed, err);
    if (!rc) printf("rules version %lld %s\n", (long long)version, changed ? "is now active" : "was already active");
    return rc ? kt_cli_error(err) : 0;
}

static int rules_list(kt_pos *pos, int argc, char **argv, kt_err *err) {
    char *posv[1];
    size_t npos;
    kt_cursor *c;
    kt_rc rc = kt_opts_parse(argc, argv, NULL, 0, posv, 0, &npos, err);
    if (!rc) rc = kt_store_query(kt_pos_store(pos), KT_Q_RULES_LIST, NULL, 0, &c, err);
    if (!rc) {
        bool has;
        printf("%-8s %-6s %-25s %-16s %s\n", "version", "active", "loaded", "actor", "note");
        while (!(rc = kt_store_step(c, &has, err)) && has) {
            char t[32];
            kt_time_format(kt_col_int(c, 1), kt_now_offset(), t);
            const char *note = kt_col_text(c, 3);
            printf("%-8lld %-6s %-25s %-16s %s\n", (long long)kt_col_int(c, 0), kt_col_int(c, 4) ? "yes" : "", t,
                   kt_col_text(c, 2), note ? note : "");
        }
        kt_store_end(c);
    }
    return rc ? kt_cli_error(err) : 0;
}

static kt_rc version_doc(kt_pos *pos, const char *v, json_t **out, int64_t *ver, kt_err *err) {
    int64_t version;
    kt_rc rc = v ? kt_parse_i64(v, strlen(v), 1, INT64_MAX, &version, err, "--version") : kt_pos_rules_active(pos, &version, err);
    if (rc) return rc;
    kt_cursor *c;
    bool has;
    kt_val a[] = {KT_VI(version)};
    if ((rc = kt_store_query(kt_pos_store(pos), KT_Q_RULES_GET, a, 1, &c, err))) return rc;
    rc = kt_store_step(c, &has, err);
    if (!rc && has) *out = json_loads(kt_col_text(c, 0), 0, NULL);
    kt_store_end(c);
    if (!rc && !has) rc = kt_fail(err, KT_ENOTFOUND, "--version", "no rule version %lld", (long long)version);
    if (!rc && !*out) rc = kt_fail(err, KT_EINTERNAL, "--version", "stored document does not parse");
    if (ver) *ver = version;
    return rc;
}

static int rules_show(kt_pos *pos, int argc, char **argv, kt_err *err) {
    kt_opt o[] = {{"version", KT_OPT_VALUE, "version to show (default: the active one)", NULL}};
    char *posv[1];
    size_t npos;
    json_t *doc = NULL;
    kt_rc rc = kt_opts_parse(argc, argv, o, 1, posv, 0, &npos, err);
    if (!rc) rc = version_doc(pos, kt_opt_get(o, 1, "version"), &doc, NULL, err);
    if (!rc) {
        char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("%s\n", s);
        free(s);
    }
    json_decref(doc);
    return rc ? kt_cli_error(err) : 0;
}

/* "path = value" lines of a document, sorted: a diff of two is semantic. */
static void flatten(json_t *v, const char *path, json_t *out) {
    char p[512];
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) {
            snprintf(p, sizeof p, "%s.%s", path, k);
            flatten(x, p, out);
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            snprintf(p, sizeof p, "%s[%zu]", path, i);
            flatten(x, p, out);
        }
    } else {
        char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        json_object_set_new(out, path, json_string(s));
        free(s);
    }
}

static int rules_diff(kt_pos *pos, int argc, char **argv, kt_err *err) {
    char *posv[2];
    size_t npos;
    json_t *a = NULL, *b = NULL, *fa = json_object(), *fb = json_object();
    kt_rc rc = kt_opts_parse(argc, argv, NULL, 0, posv, 2, &npos, err);
    if (!rc && npos != 2) rc = kt_fail(err, KT_EUSAGE, "version", "give two versions");
    if (!rc) rc = version_doc(pos, posv[0], &a, NULL, err);
    if (!rc) rc = version_doc(pos, posv[1], &b, NULL, err);
    int changes = 0;
    if (!rc) {
        flatten(a, "$", fa);
        flatten(b, "$", fb);
        const char *k;
        json_t *x;
        json_object_foreach(fa, k, x) {
            json_t *y = json_object_get(fb, k);
            if (!y) { printf("- %s = %s\n", k, json_string_value(x)); changes++; }
            else if (strcmp(json_string_value(x), json_string_value(y)) != 0) {
                printf("~ %s = %s -> %s\n", k, json_string_value(x), json_string_value(y));
                changes++;
            }
        }
        json_object_foreach(fb, k, x)
            if (!json_object_get(fa, k)) { printf("+ %s = %s\n", k, json_string_value(x)); changes++; }
        printf("%d changes from version %s to %s\n", changes, posv[0], posv[1]);
    }
    json_decref(a);
    json_decref(b);
    json_decref(fa);
    json_decref(fb);
    return rc ? kt_cli_error(err) : 0;
}

static int rules_replay(kt_pos *pos, int argc, char **argv, kt_err *err) {
    kt_opt o[] = {{"from", KT_OPT_VALUE, "first local day of receipts (required)", NULL},
                  {"to", KT_OPT_VALUE, "last local day of receipts (required)", NULL},
                  {"version", KT_OPT_VALUE, "rule version to replay them under (required)", NULL},
                  {"dry-run", KT_OPT_FLAG, "show the differences, post nothing", NULL},
                  {"pretty", KT_OPT_FLAG, "indent the answer", NULL}};
    size_t n = KT_ARRAY_LEN(o), npos;
    char *posv[1], *ans = NULL;
    kt_day from, to;
    int64_t version;
    kt_rc rc = kt_opts_parse(argc, argv, o, n, posv, 0, &npos, err);
    const char *f = kt_opt_get(o, n, "from"), *t = kt_opt_get(o, n, "to"), *v = kt_opt_get(o, n, "version");
    if (!rc && (!f || !t || !v)) rc = kt_fail(err, KT_EUSAGE, !f ? "--from" : !t ? "--to" : "--version", "is required");
    if (!rc) rc = kt_day_parse(f, strlen(f), &from, err, "--from");
    if (!rc) rc = kt_day_parse(t, strlen(t), &to, err, "--to");
    if (!rc) rc = kt_parse_i64(v, strlen(v), 1, INT64_MAX, &version, err, "--version");
    if (!rc) rc = kt_pos_replay(pos, from, to, version, kt_opt_get(o, n, "dry-run") != NULL, kt_cli_actor(), &ans, err);
    if (!rc) print_json(ans, kt_opt_get(o, n, "pretty") != NULL);
    free(ans);
    return rc ? kt_cli_error(err) : 0;
}

static int cmd_rules(int argc, char **argv) {
    const char *sub = argc >= 2 ? argv[1] : "";
    if (strcmp(sub, "load") == 0) return with_pos(rules_load, argc - 1, argv + 1);
    if (strcmp(sub, "list") == 0) return with_pos(rules_list, argc - 1, argv + 1);
    if (strcmp(sub, "activate") == 0) return with_pos(rules_activate, argc - 1, argv + 1);
    if (strcmp(sub, "show") == 0) return with_pos(rules_show, argc - 1, argv + 1);
    if (strcmp(sub, "diff") == 0) return with_pos(rules_diff, argc - 1, argv + 1);
    if (strcmp(sub, "replay") == 0) return with_pos(rules_replay, argc - 1, argv + 1);
    bool help = argc >= 2 && kt_cli_wants_help(argc - 1, argv + 1);
    fprintf(help ? stdout : stderr,
            "usage: karta rules load FILE [--note TEXT] | list | activate VERSION | show [--version N] | diff A B |\n"
            "       replay --from D --to D --version N [--dry-run]   (the language: docs/rules.md)\n");
    return help ? 0 : 2;
}

static int offers_issue(kt_pos *pos, int argc, char **argv, kt_err *err) {
    char *posv[1];
    size_t npos;
    int64_t count = 0;
    kt_rc rc = kt_opts_parse(argc, argv, NULL, 0, posv, 1, &npos, err);
    if (!rc && npos != 1) rc = kt_fail(err, KT_EUSAGE, "file", "which CSV file of offers?");
    if (!rc) rc = kt_pos_offers_issue(pos, posv[0], kt_cli_actor(), &count, err);
    if (!rc) printf("%lld offers issued\n", (long long)count);
    return rc ? kt_cli_error(err) : 0;
}

static int offers_list(kt_pos *pos, int argc, char **argv, kt_err *err) {
    kt_opt o[] = {{"pretty", KT_OPT_FLAG, "indent the answer", NULL}};
    char *posv[1], *ans = NULL;
    size_t npos;
    kt_rc rc = kt_opts_parse(argc, argv, o, 1, posv, 1, &npos, err);
    if (!rc && npos != 1) rc = kt_fail(err, KT_EUSAGE, "card", "whose offers (card, phone, e-mail, #id)?");
    if (!rc) rc = kt_pos_offers_list(pos, posv[0], &ans, err);
    if (!rc) print_json(ans, kt_opt_get(o, 1, "pretty") != NULL);
    free(ans);
    return rc ? kt_cli_error(err) : 0;
}

static int cmd_offers(int argc, char **argv) {
    const char *sub = argc >= 2 ? argv[1] : "";
    if (strcmp(sub, "issue") == 0) return with_pos(offers_issue, argc - 1, argv + 1);
    if (strcmp(sub, "list") == 0) return with_pos(offers_list, argc - 1, argv + 1);
    bool help = argc >= 2 && kt_cli_wants_help(argc - 1, argv + 1);
    fprintf(help ? stdout : stderr,
            "usage: karta offers issue FILE.csv | list CARD\n"
            "  CSV columns: member,code,kind,target,value,threshold,valid_from,valid_to,uses_max,funded_by,campaign\n");
    return help ? 0 : 2;
}

KT_COMMAND(pos, "pos", "checkout: calculate, commit, refund, balance, explain (JSON)", cmd_pos)
KT_COMMAND(rules, "rules", "rule versions: load, list, activate, show, diff, replay", cmd_rules)
KT_COMMAND(offers, "offers", "personal offers: issue from CSV, list a member's", cmd_offers)
