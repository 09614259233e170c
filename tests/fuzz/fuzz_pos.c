/*
 * fuzz_pos.c - libFuzzer entry for the checkout's store-backed request
 * parsers: POST /v1/offers (kt_pos_offers_issue_json) and POST
 * /v1/pos/identify (kt_pos_identify). A store with one category, one store
 * and a member (card 1001, a phone) is made once; the first byte picks the
 * parser. A refused offers document names a JSON path and issues nothing
 * (the member's offer list is unchanged: whole or nothing); identify answers
 * or refuses without crashing or leaking.
 */
#include "catalog/catalog.h"
#include "members/members.h"
#include "pos/pos.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static kt_store *st;
static kt_pos *pos;
static char dir[] = "/tmp/karta-fuzz-pos-XXXXXX";

static void cleanup(void) {
    kt_pos_close(pos);
    kt_store_close(st);
    char cmd[sizeof dir + 16];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) { /* best effort */ }
}

static void setup(void) {
    kt_err err = {0};
    int64_t id;
    if (!mkdtemp(dir)) abort();
    atexit(cleanup);
    if (kt_store_open(dir, KT_STORE_CREATE, &st, &err)) abort();
    if (kt_store_begin(st, &err)) abort();
    if (kt_catalog_category_add(st, "C1", "C", NULL, &id, &err)) abort();
    kt_shop_def s = {.code = "S1", .city = "Москва", .timezone = "Europe/Moscow", .opened_day = KT_DAY_NONE};
    if (kt_catalog_store_add(st, &s, &id, &err)) abort();
    kt_member m;
    kt_member_init(&m, 20454);
    if (kt_member_set(&m, "phone", "+79120000001", "phone", &err)) abort();
    if (kt_member_insert(st, &m, "fuzz", 1767225600, "fuzz", &err)) abort();
    if (kt_card_add(st, m.id, "1001", KT_CARD_ACTIVE, 20454, "fuzz", 1767225600, "card", &err)) abort();
    if (kt_store_commit(st, &err)) abort();
    if (kt_pos_open(st, &pos, &err)) abort();
}

static char *offers(void) {
    char *a = NULL;
    kt_err err = {0};
    if (kt_pos_offers_list(pos, "1001", &a, &err)) abort();
    return a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > 65536) return 0;
    if (!st) setup();
    const char *json = (const char *)data + 1;
    size_t len = size - 1;
    char *answer = NULL;
    kt_err err = {0};
    if (data[0] & 1) {
        kt_rc rc = kt_pos_identify(pos, json, len, &answer, &err);
        if (rc && !err.msg[0]) abort();
        if (!rc && !answer) abort();
    } else {
        char *before = offers();
        kt_rc rc = kt_pos_offers_issue_json(pos, json, len, "fuzz", &answer, &err);
        if (rc) {
            if (!err.msg[0]) abort();
            char *after = offers();
            if (strcmp(before, after)) abort(); /* whole or nothing */
            free(after);
            if (kt_store_in_txn(st)) abort();
        } else if (!answer) abort();
        free(before);
    }
    free(answer);
    return 0;
}
