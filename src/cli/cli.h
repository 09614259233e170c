/*
 * cli.h - command registration and option parsing for `karta COMMAND ...`.
 *
 * A command lives in its own file and registers itself:
 *
 *     static int cmd_gen(int argc, char **argv);
 *     KT_COMMAND(gen, "gen", "write a deterministic synthetic chain as CSV", cmd_gen)
 *
 * argv[0] is the command word; global options (--data DIR, anywhere on the
 * line) are already removed. A command returns the process exit status
 * (kt_exit_code of its kt_rc). Errors go to stderr as
 * "karta: <code>: <field>: <message>" through kt_cli_error.
 */
#ifndef KT_CLI_H
#define KT_CLI_H
#include "core/kt.h"

typedef int (*kt_cmd_fn)(int argc, char **argv);
void kt_cli_register(const char *word, const char *summary, kt_cmd_fn fn);

#define KT_COMMAND(id, word, summary, fn)                                     \
    __attribute__((constructor)) static void kt_cmd_reg_##id(void) {          \
        kt_cli_register(word, summary, fn);                                   \
    }

typedef struct kt_cli_command { const char *word, *summary; kt_cmd_fn fn; } kt_cli_command;
kt_cli_command *kt_cli_commands(size_t *n);
void kt_cli_set_data_dir(const char *dir);

/* The data directory: --data DIR, else $KARTA_DATA, else ./karta-data. */
const char *kt_cli_data_dir(void);

/* Print an error and return its exit status. */
int kt_cli_error(const kt_err *err);

/* Where a command writes its results: stdout, or the stream of an in-process
 * run. Commands that can run in-process write only there. */
#include <stdio.h>
FILE *kt_cli_out(void);
/* Run command WORD on this thread with what it writes to kt_cli_out() going
 * to OUT and the error it would print stored in ERR instead (the server's
 * analytics endpoints). Returns its exit status. */
int kt_cli_run_captured(const char *word, int argc, char **argv, FILE *out, kt_err *err);

/* ---- options ---------------------------------------------------------------
 * Options are "--name value", "--name=value" or, for flags, "--name".
 * Anything else is positional. "--" ends options. Unknown options, a missing
 * value and too many positionals are usage errors naming the option. */
typedef enum { KT_OPT_VALUE, KT_OPT_FLAG } kt_opt_kind;

typedef struct kt_opt {
    const char *name;    /* without the leading "--" */
    kt_opt_kind kind;
    const char *help;
    /* OUT */
    const char *value;   /* NULL when not given (flags: "1" when given) */
} kt_opt;

kt_rc kt_opts_parse(int argc, char **argv, kt_opt *opts, size_t nopts,
                    char **positional, size_t positional_max, size_t *npositional,
                    kt_err *err);
/* Value of option `name` or NULL. */
const char *kt_opt_get(const kt_opt *opts, size_t nopts, const char *name);
/* Print "usage: karta <usage>" and the option help lines to stdout. */
void kt_opts_help(const char *usage, const kt_opt *opts, size_t nopts);
/* True when argv holds --help or -h. */
bool kt_cli_wants_help(int argc, char **argv);

/* Integer option with bounds; absent -> *out = dflt. */
kt_rc kt_opt_i64(const kt_opt *opts, size_t nopts, const char *name, int64_t dflt,
                 int64_t min, int64_t max, int64_t *out, kt_err *err);

/* Open the operational store in the data directory (must exist: karta init). */
struct kt_store;
kt_rc kt_cli_open(struct kt_store **out, kt_err *err);
/* Who is acting: $KARTA_ACTOR, else "cli:$USER". Recorded on every write. */
const char *kt_cli_actor(void);

#endif
