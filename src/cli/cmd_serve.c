/*
 * cmd_serve.c - `karta serve [--listen ADDR:PORT]`: the HTTP JSON API
 * (server/server.h, docs/openapi.yaml) on the data directory's store, until
 * SIGTERM or SIGINT.
 */
#include "cli.h"
#include "server/server.h"

#include <stdio.h>
#include <stdlib.h>

static int cmd_serve(int argc, char **argv) {
    kt_opt o[] = {
        {"listen", KT_OPT_VALUE, "ADDR:PORT to listen on (default 127.0.0.1:8080; port 0: any free port)", NULL},
        {"threads", KT_OPT_VALUE, "request threads: parsing, pricing, answers (a commit waiting for its group holds none) (default 32)", NULL},
        {"rate", KT_OPT_VALUE, "requests per second per key (default 100000; 0: no limit)", NULL},
        {"no-group-commit", KT_OPT_FLAG, "commit each receipt in its own transaction", NULL},
        {"ready-file", KT_OPT_VALUE, "write ADDR:PORT to FILE once listening (for scripts)", NULL},
        {"log-pages", KT_OPT_VALUE, "write-ahead log pages (4 KiB) at which the writer starts the log over (default 16384)", NULL},
    };
    size_t n = KT_ARRAY_LEN(o), npos;
    if (kt_cli_wants_help(argc, argv)) { kt_opts_help("serve [--listen ADDR:PORT] [--threads N] [--rate N]", o, n); return 0; }
    kt_err err = {0};
    char *pos[1];
    int64_t threads = 0, rate = 0, log_pages = 0;
    kt_server_options so;
    kt_server_defaults(&so);
    kt_rc rc = kt_opts_parse(argc, argv, o, n, pos, 0, &npos, &err);
    if (!rc) rc = kt_opt_i64(o, n, "threads", so.threads, 1, 256, &threads, &err);
    if (!rc) rc = kt_opt_i64(o, n, "rate", (int64_t)so.rate_per_key, 0, 100000000, &rate, &err);
    if (!rc) rc = kt_opt_i64(o, n, "log-pages", so.log_pages, 16, 1 << 24, &log_pages, &err);
    if (rc) return kt_cli_error(&err);
    so.data_dir = kt_cli_data_dir();
    if (kt_opt_get(o, n, "listen")) so.listen = kt_opt_get(o, n, "listen");
    so.threads = (int)threads;
    so.rate_per_key = (double)rate;
    so.log_pages = (int)log_pages;
    so.group_commit = kt_opt_get(o, n, "no-group-commit") == NULL;
    so.ready_file = kt_opt_get(o, n, "ready-file");
    rc = kt_server_run(&so, &err);
    return rc ? kt_cli_error(&err) : 0;
}

KT_COMMAND(serve, "serve", "serve the HTTP JSON API (docs/openapi.yaml) until SIGTERM", cmd_serve)
