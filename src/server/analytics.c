/*
 * analytics.c - GET /v1/analytics/{analysis}[/{name}]: every analysis of the
 * command line as a read-only JSON endpoint (analyst, marketer, admin).
 *
 * The query string becomes the command's options (?as_of=2026-03-01&segments
 * is `--as-of 2026-03-01 --segments`; underscores become dashes; a key without
 * a value is a flag), {name} its positional argument (`report sales`), and the
 * command runs on this request's thread with its output captured
 * (kt_cli_run_captured) as JSON. Options that name files on the server, the
 * data directory, the output format and help are refused. Errors are the
 * command's own, with the option it names as the field.
 */
#include "analytics.h"
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The analyses served, by command word: read-only, output through kt_cli_out. */
static const char *const served[] = {
    "rfm", "lifecycle", "abc", "xyz", "abc-xyz", "preferences", "report", "basket", "clusters",
    "sequences", "first-experience", "interval", "rfmp", "assortment", "loss", "recs",
};

/* Options an HTTP caller may not pass. */
static const char *const refused[] = {"help", "h", "data", "format", "baskets", "config", "out", "file", "stats"};

#define ARGS_MAX 64

typedef struct args {
    char *v[ARGS_MAX];
    int n;
    bool bad;
    kt_err *err;
} args;

static void push(args *a, const char *s) {
    if (a->n >= ARGS_MAX - 1) { a->bad = true; return; }
    a->v[a->n++] = kt_xstrdup(s);
}

static enum MHD_Result one_arg(void *ctx, enum MHD_ValueKind kind, const char *key, const char *value) {
    (void)kind;
    args *a = ctx;
    if (a->bad) return MHD_NO;
    size_t len = strlen(key);
    if (!len || len > 40 || key[0] == '-') {
        kt_fail(a->err, KT_EUSAGE, "query", "bad parameter name");
        a->bad = true;
        return MHD_NO;
    }
    char opt[48] = "--";
    for (size_t i = 0; i < len; i++) {
        char ch = key[i] == '_' ? '-' : key[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) {
            kt_fail(a->err, KT_EUSAGE, "query", "bad parameter name \"%.40s\"", key);
            a->bad = true;
            return MHD_NO;
        }
        opt[2 + i] = ch;
    }
    opt[2 + len] = 0;
    for (size_t i = 0; i < KT_ARRAY_LEN(refused); i++)
        if (!strcmp(opt + 2, refused[i])) {
            kt_fail(a->err, KT_EUSAGE, key, "not available over HTTP");
            a->bad = true;
            return MHD_NO;
        }
    push(a, opt);
    if (value && *value) push(a, value);
    return MHD_YES;
}

kt_rc kt_server_analytics(kt_call *c, kt_err *err) {
    const char *word = c->param[0], *name = c->param[1];
    bool ok = false;
    for (size_t i = 0; i < KT_ARRAY_LEN(served); i++) ok |= !strcmp(word, served[i]);
    if (!ok) return kt_fail(err, KT_ENOTFOUND, "analysis", "no analysis \"%.40s\"", word);
    args a = {.err = err};
    push(&a, word);
    if (name) {
        if (name[0] == '-') return kt_fail(err, KT_EUSAGE, "name", "bad name");
        push(&a, name);
    }
    push(&a, "--format");
    push(&a, "json");
    MHD_get_connection_values(c->conn, MHD_GET_ARGUMENT_KIND, one_arg, &a);
    kt_rc rc = KT_OK;
    if (a.bad && !err->code) rc = kt_fail(err, KT_EUSAGE, "query", "too many parameters");
    else if (a.bad) rc = err->code;
    char *text = NULL;
    size_t len = 0;
    if (!rc) {
        FILE *f = open_memstream(&text, &len);
        if (!f) rc = kt_fail(err, KT_ENOMEM, "analysis", "no memory for the answer");
        else {
            a.v[a.n] = NULL;
            int status = kt_cli_run_captured(word, a.n, a.v, f, err);
            fclose(f);
            if (status) rc = err->code ? err->code : KT_EINTERNAL;
        }
    }
    for (int i = 0; i < a.n; i++) free(a.v[i]);
    if (rc) { free(text); return rc; }
    c->answer = text;
    return KT_OK;
}
