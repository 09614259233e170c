/*
 * test_store_commit.c - what the server's commit path relies on in the store
 * and the checkout handle: an insert's id (kt_store_int on "INSERT ...
 * RETURNING id", run as a plain insert) is the row's id; a connection opened
 * KT_STORE_SYNC_LATER commits, is read by others, and kt_store_sync flushes
 * it; the checkout handle's cache of store codes gives the store's id, also
 * past its first growth, and does not keep a store it did not find; the
 * writer's own checkpoint makes the log restart (kept small under a steady
 * stream of commits) without losing anything, and is put off while a reader
 * holds an old snapshot; a read transaction sees one snapshot.
 */
#include "t.h"

#include "catalog/catalog.h"
#include "pos/pos_internal.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int64_t store_id_by_sql(kt_store *st, const char *code) {
    kt_cursor *c;
    kt_err err = {0};
    bool has = false;
    int64_t id = -1;
    kt_val a[] = {KT_VS(code)};
    if (kt_store_query(st, KT_Q_POS_STORE_OF_CODE, a, 1, &c, &err)) return -2;
    if (!kt_store_step(c, &has, &err) && has) id = kt_col_int(c, 0);
    kt_store_end(c);
    return id;
}

KT_TEST(store_insert_ids_and_store_cache) {
    char base[64] = "/tmp/kt-stc-XXXXXX", dir[96];
    kt_err err = {0};
    kt_store *st = NULL, *writer = NULL;
    kt_pos *pos = NULL;
    KT_CHECK(mkdtemp(base) != NULL);
    snprintf(dir, sizeof dir, "%s/data", base);
    KT_CHECK_INT(kt_store_open(dir, KT_STORE_CREATE, &st, &err), KT_OK);
    KT_CHECK_INT(kt_store_open(dir, KT_STORE_SYNC_LATER | KT_STORE_MANUAL_CHECKPOINT, &writer, &err), KT_OK);
    KT_CHECK_INT(kt_pos_open(st, &pos, &err), KT_OK);

    /* 40 stores (the cache starts at 16 slots), added by the sync-later connection */
    int64_t ids[40];
    char code[16];
    KT_CHECK_INT(kt_store_begin(writer, &err), KT_OK);
    for (int i = 0; i < 40; i++) {
        snprintf(code, sizeof code, "S%03d", i + 1);
        kt_shop_def shop = {.code = code, .city = "Москва", .timezone = "Europe/Moscow", .opened_day = KT_DAY_NONE};
        ids[i] = 0;
        KT_CHECK_INT(kt_catalog_store_add(writer, &shop, &ids[i], &err), KT_OK);
        if (i > 0) KT_CHECK_INT(ids[i], ids[i - 1] + 1);
    }
    KT_CHECK_INT(kt_store_commit(writer, &err), KT_OK);
    KT_CHECK_INT(kt_store_sync(writer, &err), KT_OK);
    KT_CHECK_INT(kt_store_sync(writer, &err), KT_OK); /* again: the descriptor is kept */

    /* the ids the inserts returned are the rows' ids, seen by the other connection */
    for (int i = 0; i < 40; i++) {
        snprintf(code, sizeof code, "S%03d", i + 1);
        KT_CHECK_INT(store_id_by_sql(st, code), ids[i]);
    }
    /* looked up twice each: through the store, then from the cache */
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 40; i++) {
            int64_t id = 0, partner = -1;
            snprintf(code, sizeof code, "S%03d", i + 1);
            KT_CHECK_INT(kt_pos_store_of(pos, code, "$.store", &id, &partner, &err), KT_OK);
            KT_CHECK_INT(id, ids[i]);
            KT_CHECK_INT(partner, 0);
        }
    /* a store not found is not cached: once added, it is found */
    int64_t id = 0, partner = 0;
    KT_CHECK_INT(kt_pos_store_of(pos, "S900", "$.store", &id, &partner, &err), KT_ENOTFOUND);
    KT_CHECK_STR(err.field, "$.store");
    kt_shop_def late = {.code = "S900", .city = "Казань", .timezone = "Europe/Moscow", .opened_day = KT_DAY_NONE};
    int64_t late_id = 0;
    KT_CHECK_INT(kt_store_begin(writer, &err), KT_OK);
    KT_CHECK_INT(kt_catalog_store_add(writer, &late, &late_id, &err), KT_OK);
    KT_CHECK_INT(kt_store_commit(writer, &err), KT_OK);
    KT_CHECK_INT(kt_store_sync(writer, &err), KT_OK);
    KT_CHECK_INT(late_id, ids[39] + 1);
    KT_CHECK_INT(kt_pos_store_of(pos, "S900", "$.store", &id, &partner, &err), KT_OK);
    KT_CHECK_INT(id, late_id);

    /* a duplicate code: the insert fails as a duplicate, nothing is returned */
    KT_CHECK_INT(kt_store_begin(writer, &err), KT_OK);
    int64_t dup = -7;
    KT_CHECK_INT(kt_catalog_store_add(writer, &late, &dup, &err), KT_EEXIST);
    kt_store_rollback(writer);

    kt_pos_close(pos);
    kt_store_close(writer);
    kt_store_close(st);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", base);
    KT_CHECK_INT(system(cmd), 0);
}

static long long file_size(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

static kt_rc add_stores(kt_store *st, int from, int n, kt_err *err) {
    char code[16];
    kt_rc rc = kt_store_begin(st, err);
    for (int i = from; i < from + n && !rc; i++) {
        int64_t id;
        snprintf(code, sizeof code, "L%05d", i);
        kt_shop_def shop = {.code = code, .city = "Москва", .timezone = "Europe/Moscow", .opened_day = KT_DAY_NONE};
        rc = kt_catalog_store_add(st, &shop, &id, err);
    }
    if (!rc) rc = kt_store_commit(st, err);
    else kt_store_rollback(st);
    return rc;
}

static int64_t count_stores(kt_store *st) {
    int64_t n = -1;
    kt_store_int(st, KT_Q_STORE_COUNT, NULL, 0, &n, NULL, NULL);
    return n;
}

KT_TEST(store_log_restart) {
    char base[64] = "/tmp/kt-slr-XXXXXX", dir[96], wal[128];
    kt_err err = {0};
    kt_store *reader = NULL, *writer = NULL;
    KT_CHECK(mkdtemp(base) != NULL);
    snprintf(dir, sizeof dir, "%s/data", base);
    snprintf(wal, sizeof wal, "%s/karta.db-wal", dir);
    KT_CHECK_INT(kt_store_open(dir, KT_STORE_CREATE | KT_STORE_READER, &reader, &err), KT_OK);
    KT_CHECK_INT(kt_store_open(dir, KT_STORE_SYNC_LATER | KT_STORE_MANUAL_CHECKPOINT, &writer, &err), KT_OK);
    bool done = true;
    /* below the threshold nothing happens */
    KT_CHECK_INT(add_stores(writer, 0, 50, &err), KT_OK);
    KT_CHECK_INT(kt_store_log_restart(writer, 1 << 20, &done, &err), KT_OK);
    KT_CHECK(!done);
    /* a reader's snapshot in the log puts the restart off (and sees only what it saw) */
    KT_CHECK_INT(kt_store_read_begin(reader, &err), KT_OK);
    int64_t before = count_stores(reader);
    KT_CHECK_INT(add_stores(writer, 50, 50, &err), KT_OK);
    KT_CHECK_INT(count_stores(reader), before);
    KT_CHECK_INT(kt_store_begin(reader, &err), KT_EINTERNAL); /* no writing inside it */
    KT_CHECK_INT(kt_store_log_restart(writer, 1, &done, &err), KT_OK);
    KT_CHECK(!done);
    kt_store_read_end(reader);
    KT_CHECK_INT(count_stores(reader), before + 50);
    /* rounds of commits, each followed by the writer's checkpoint: the log stops growing */
    long long size_after_first = -1;
    for (int round = 0; round < 20; round++) {
        KT_CHECK_INT(add_stores(writer, 100 + round * 200, 200, &err), KT_OK);
        KT_CHECK_INT(kt_store_sync(writer, &err), KT_OK);
        KT_CHECK_INT(kt_store_log_restart(writer, 1, &done, &err), KT_OK);
        KT_CHECK(done);
        if (round == 1) size_after_first = file_size(wal);
    }
    KT_CHECK(size_after_first > 0);
    KT_CHECK(file_size(wal) <= 2 * size_after_first); /* 20 rounds appended would be ~20 times it */
    KT_CHECK_INT(count_stores(reader), 100 + 20 * 200);
    kt_store_close(writer);
    /* everything is there for a new connection too */
    kt_store *again = NULL;
    KT_CHECK_INT(kt_store_open(dir, 0, &again, &err), KT_OK);
    KT_CHECK_INT(count_stores(again), 100 + 20 * 200);
    kt_store_close(again);
    kt_store_close(reader);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", base);
    KT_CHECK(system(cmd) == 0);
}
