/*
 * test_store_commit.c - what the server's commit path relies on in the store
 * and the checkout handle: an insert's id (kt_store_int on "INSERT ...
 * RETURNING id", run as a plain insert) is the row's id; a connection opened
 * KT_STORE_SYNC_LATER commits, is read by others, and kt_store_sync flushes
 * it; the checkout handle's cache of store codes gives the store's id, also
 * past its first growth, and does not keep a store it did not find.
 */
#include "t.h"

#include "catalog/catalog.h"
#include "pos/pos_internal.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    kt_test_rmtree(base);
}

static void no_report(void *ctx, const char *what) { (void)ctx; (void)what; }

/* A KT_STORE_FK_BY_CHECK connection (the server's writer) does not refuse a
 * row whose parent is missing, where any other connection does; the store's
 * verification (karta check) finds it. */
KT_TEST(store_fk_by_check) {
    char base[64] = "/tmp/kt-fk-XXXXXX", dir[96];
    kt_err err = {0};
    kt_store *st = NULL, *writer = NULL;
    KT_CHECK(mkdtemp(base) != NULL);
    snprintf(dir, sizeof dir, "%s/data", base);
    KT_CHECK_INT(kt_store_open(dir, KT_STORE_CREATE, &st, &err), KT_OK);
    KT_CHECK_INT(kt_store_open(dir, KT_STORE_SYNC_LATER | KT_STORE_FK_BY_CHECK, &writer, &err), KT_OK);
    int64_t faults = -1;
    KT_CHECK_INT(kt_store_verify(st, no_report, NULL, &faults, &err), KT_OK);
    KT_CHECK_INT(faults, 0);
    kt_val orphan[] = {KT_VI(999999), KT_VI(1), KT_VI(5)}; /* an entry of a transaction that does not exist */
    KT_CHECK_INT(kt_store_begin(st, &err), KT_OK);
    KT_CHECK_INT(kt_store_exec(st, KT_Q_ENTRY_ACCOUNT_INSERT, orphan, 3, &err), KT_EINVAL);
    kt_store_rollback(st);
    KT_CHECK_INT(kt_store_begin(writer, &err), KT_OK);
    KT_CHECK_INT(kt_store_exec(writer, KT_Q_ENTRY_ACCOUNT_INSERT, orphan, 3, &err), KT_OK);
    KT_CHECK_INT(kt_store_commit(writer, &err), KT_OK);
    KT_CHECK_INT(kt_store_sync(writer, &err), KT_OK);
    KT_CHECK_INT(kt_store_verify(st, no_report, NULL, &faults, &err), KT_OK);
    KT_CHECK_INT(faults, 1);
    kt_store_close(writer);
    kt_store_close(st);
    kt_test_rmtree(base);
}
