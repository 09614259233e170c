/*
 * cmd_keys.c - `karta keys create|list|revoke`: the HTTP API's keys
 * (server/keys.h). The secret is printed once, on creation; only its hash is
 * kept.
 */
#include "cli.h"
#include "core/date.h"
#include "core/text.h"
#include "server/keys.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static int keys_create(int argc, char **argv) {
    kt_opt o[] = {
        {"name", KT_OPT_VALUE, "who or what holds the key (a till, the shop, a person)", NULL},
        {"role", KT_OPT_VALUE, "pos, app, analyst, marketer or admin", NULL},
        {"store", KT_OPT_VALUE, "pos keys: the store code the key acts for", NULL},
    };
    size_t n = KT_ARRAY_LEN(o), npos;
    if (kt_cli_wants_help(argc, argv)) { kt_opts_help("keys create --name N --role R [--store CODE]", o, n); return 0; }
    kt_err err = {0};
    char *pos[1], secret[KT_KEY_SECRET_LEN + 1];
    kt_store *st = NULL;
    kt_role role;
    int64_t id;
    kt_rc rc = kt_opts_parse(argc, argv, o, n, pos, 0, &npos, &err);
    if (!rc && !kt_opt_get(o, n, "name")) rc = kt_fail(&err, KT_EUSAGE, "--name", "a key needs a name");
    if (!rc && !kt_opt_get(o, n, "role")) rc = kt_fail(&err, KT_EUSAGE, "--role", "a key needs a role");
    if (!rc) rc = kt_role_parse(kt_opt_get(o, n, "role"), &role, &err);
    if (!rc) rc = kt_cli_open(&st, &err);
    if (!rc) rc = kt_key_create(st, kt_opt_get(o, n, "name"), role, kt_opt_get(o, n, "store"), kt_cli_actor(), &id, secret, &err);
    kt_store_close(st);
    if (rc) return kt_cli_error(&err);
    printf("key #%lld (%s) created; its secret, shown only now:\n%s\n", (long long)id, kt_role_name(role), secret);
    return 0;
}

static int keys_list(int argc, char **argv) {
    if (kt_cli_wants_help(argc, argv)) { kt_opts_help("keys list", NULL, 0); return 0; }
    kt_err err = {0};
    char *pos[1];
    size_t npos;
    kt_store *st = NULL;
    kt_cursor *c = NULL;
    bool has;
    kt_rc rc = kt_opts_parse(argc, argv, NULL, 0, pos, 0, &npos, &err);
    if (!rc) rc = kt_cli_open(&st, &err);
    if (!rc) rc = kt_store_query(st, KT_Q_KEY_LIST, NULL, 0, &c, &err);
    if (!rc) {
        printf("%-5s %-24s %-9s %-8s %-25s %s\n", "id", "name", "role", "store", "created", "revoked");
        while (!(rc = kt_store_step(c, &has, &err)) && has) {
            char created[40], revoked[40] = "-";
            kt_time_format(kt_col_int(c, 4), kt_now_offset(), created);
            if (!kt_col_null(c, 5)) kt_time_format(kt_col_int(c, 5), kt_now_offset(), revoked);
            const char *store = kt_col_text(c, 3);
            printf("%-5lld %-24s %-9s %-8s %-25s %s\n", (long long)kt_col_int(c, 0), kt_col_text(c, 1),
                   kt_col_text(c, 2), *store ? store : "-", created, revoked);
        }
        kt_store_end(c);
    }
    kt_store_close(st);
    return rc ? kt_cli_error(&err) : 0;
}

static int keys_revoke(int argc, char **argv) {
    if (kt_cli_wants_help(argc, argv)) { kt_opts_help("keys revoke ID", NULL, 0); return 0; }
    kt_err err = {0};
    char *pos[1];
    size_t npos;
    kt_store *st = NULL;
    int64_t id = 0;
    kt_rc rc = kt_opts_parse(argc, argv, NULL, 0, pos, 1, &npos, &err);
    if (!rc && npos != 1) rc = kt_fail(&err, KT_EUSAGE, "id", "which key? (karta keys list)");
    if (!rc) rc = kt_parse_i64(pos[0], strlen(pos[0]), 1, INT64_MAX, &id, &err, "id");
    if (!rc) rc = kt_cli_open(&st, &err);
    if (!rc) rc = kt_key_revoke(st, id, kt_cli_actor(), &err);
    kt_store_close(st);
    if (rc) return kt_cli_error(&err);
    printf("key #%lld revoked\n", (long long)id);
    return 0;
}

static int cmd_keys(int argc, char **argv) {
    static const struct { const char *word; int (*fn)(int, char **); } subs[] = {
        {"create", keys_create}, {"list", keys_list}, {"revoke", keys_revoke},
    };
    if (argc >= 2)
        for (size_t i = 0; i < KT_ARRAY_LEN(subs); i++)
            if (strcmp(argv[1], subs[i].word) == 0) return subs[i].fn(argc - 1, argv + 1);
    FILE *f = argc >= 2 && kt_cli_wants_help(argc, argv) ? stdout : stderr;
    fprintf(f, "usage: karta keys create --name N --role R [--store CODE] | list | revoke ID\n");
    return f == stdout ? 0 : 2;
}

KT_COMMAND(keys, "keys", "create, list and revoke the HTTP API's keys", cmd_keys)
