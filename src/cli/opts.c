/*
 * opts.c - option parsing and command registry. See cli.h.
 */
#include "cli.h"
#include "core/text.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

kt_rc kt_opts_parse(int argc, char **argv, kt_opt *opts, size_t nopts,
                    char **positional, size_t positional_max, size_t *npositional,
                    kt_err *err) {
    size_t npos = 0;
    bool opts_done = false;
    for (size_t i = 0; i < nopts; i++) opts[i].value = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_done && strcmp(a, "--") == 0) { opts_done = true; continue; }
        if (!opts_done && a[0] == '-' && a[1] == '-' && a[2]) {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
            kt_opt *o = NULL;
            for (size_t k = 0; k < nopts; k++)
                if (strlen(opts[k].name) == nlen && memcmp(opts[k].name, name, nlen) == 0) { o = &opts[k]; break; }
            if (!o) return kt_fail(err, KT_EUSAGE, a, "unknown option (see %s --help)", argv[0]);
            if (o->kind == KT_OPT_FLAG) {
                if (eq) return kt_fail(err, KT_EUSAGE, a, "option --%s takes no value", o->name);
                o->value = "1";
            } else if (eq) {
                o->value = eq + 1;
            } else {
                if (i + 1 >= argc) return kt_fail(err, KT_EUSAGE, a, "option --%s needs a value", o->name);
                o->value = argv[++i];
            }
            continue;
        }
        if (npos == positional_max)
            return kt_fail(err, KT_EUSAGE, a, "unexpected argument (see %s --help)", argv[0]);
        positional[npos++] = argv[i];
    }
    *npositional = npos;
    return KT_OK;
}

const char *kt_opt_get(const kt_opt *opts, size_t nopts, const char *name) {
    for (size_t i = 0; i < nopts; i++)
        if (strcmp(opts[i].name, name) == 0) return opts[i].value;
    return NULL;
}

void kt_opts_help(const char *usage, const kt_opt *opts, size_t nopts) {
    printf("usage: karta %s\n", usage);
    if (nopts) printf("options:\n");
    for (size_t i = 0; i < nopts; i++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s", opts[i].name, opts[i].kind == KT_OPT_VALUE ? " V" : "");
        printf("  %-26s %s\n", left, opts[i].help ? opts[i].help : "");
    }
    printf("  %-26s %s\n", "--data DIR", "data directory (default $KARTA_DATA or ./karta-data)");
}

bool kt_cli_wants_help(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) break;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return true;
    }
    return false;
}

kt_rc kt_opt_i64(const kt_opt *opts, size_t nopts, const char *name, int64_t dflt,
                 int64_t min, int64_t max, int64_t *out, kt_err *err) {
    const char *v = kt_opt_get(opts, nopts, name);
    if (!v) { *out = dflt; return KT_OK; }
    char field[80];
    snprintf(field, sizeof field, "--%s", name);
    return kt_parse_i64(v, strlen(v), min, max, out, err, field);
}

/* In-process runs (kt_cli_run_captured): this thread's output and error sink. */
static _Thread_local FILE *thread_out;
static _Thread_local kt_err *thread_err;

FILE *kt_cli_out(void) { return thread_out ? thread_out : stdout; }

int kt_cli_error(const kt_err *err) {
    if (thread_err) {
        *thread_err = *err;
        return kt_exit_code(err->code);
    }
    if (err->field[0]) fprintf(stderr, "karta: %s: %s: %s\n", kt_strerror(err->code), err->field, err->msg);
    else fprintf(stderr, "karta: %s: %s\n", kt_strerror(err->code), err->msg);
    return kt_exit_code(err->code);
}

/* ---- registry ---- */
#define KT_COMMANDS_MAX 128

static kt_cli_command commands[KT_COMMANDS_MAX];
static size_t ncommands;
static const char *data_dir;

void kt_cli_register(const char *word, const char *summary, kt_cmd_fn fn) {
    if (ncommands == KT_COMMANDS_MAX) { fprintf(stderr, "karta: too many commands\n"); abort(); }
    commands[ncommands].word = word;
    commands[ncommands].summary = summary;
    commands[ncommands].fn = fn;
    ncommands++;
}

const char *kt_cli_data_dir(void) {
    if (data_dir) return data_dir;
    const char *env = getenv("KARTA_DATA");
    return env && *env ? env : "./karta-data";
}


void kt_cli_set_data_dir(const char *dir) { data_dir = dir; }

int kt_cli_run_captured(const char *word, int argc, char **argv, FILE *out, kt_err *err) {
    kt_cmd_fn fn = NULL;
    for (size_t i = 0; i < ncommands; i++)
        if (!strcmp(commands[i].word, word)) fn = commands[i].fn;
    if (!fn) {
        kt_fail(err, KT_ENOTFOUND, "command", "no command \"%.40s\"", word);
        return kt_exit_code(KT_ENOTFOUND);
    }
    *err = (kt_err){0};
    thread_out = out;
    thread_err = err;
    int status = fn(argc, argv);
    thread_out = NULL;
    thread_err = NULL;
    if (status && !err->code) kt_fail(err, KT_EINTERNAL, word, "failed with status %d", status);
    return status;
}

kt_cli_command *kt_cli_commands(size_t *n) {
    *n = ncommands;
    return commands;
}

kt_rc kt_cli_open(struct kt_store **out, kt_err *err) {
    return kt_store_open(kt_cli_data_dir(), 0, out, err);
}

const char *kt_cli_actor(void) {
    static char actor[96];
    const char *a = getenv("KARTA_ACTOR");
    if (a && *a) return a;
    const char *u = getenv("USER");
    snprintf(actor, sizeof actor, "cli:%s", u && *u ? u : "unknown");
    return actor;
}
