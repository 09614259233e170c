/*
 * cmd_init.c - `karta init`: create a data directory with an empty store at
 * the latest schema version. Running it on an existing store only applies
 * pending migrations.
 */
#include "cli.h"
#include "store/store.h"

#include <stdio.h>

static int cmd_init(int argc, char **argv) {
    kt_err err = {0};
    char *pos[1];
    size_t npos;
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help("init [--data DIR]", NULL, 0);
        return 0;
    }
    kt_rc rc = kt_opts_parse(argc, argv, NULL, 0, pos, 0, &npos, &err);
    kt_store *st = NULL;
    if (!rc) rc = kt_store_open(kt_cli_data_dir(), KT_STORE_CREATE, &st, &err);
    if (rc) return kt_cli_error(&err);
    printf("initialised %s (store %s, schema version %d)\n", kt_cli_data_dir(), kt_store_backend(st),
           kt_store_schema_version(st));
    kt_store_close(st);
    return 0;
}

KT_COMMAND(init, "init", "create a data directory (or migrate an existing one)", cmd_init)
