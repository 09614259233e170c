/*
 * test_pos.c - the checkout library path: group commit (one transaction,
 * each basket landing or failing on its own), idempotent repeats inside a
 * batch, and the ledger invariants afterwards.
 */
#include "t.h"

#include "catalog/catalog.h"
#include "core/date.h"
#include "ledger/ledger.h"
#include "members/members.h"
#include "pos/pos.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void quiet(void *ctx, const char *what) { (void)ctx; (void)what; }

static char *read_text(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    *len = fread(s, 1, (size_t)n, f);
    s[*len] = 0;
    fclose(f);
    return s;
}

KT_TEST(pos_group_commit) {
    char base[64] = "/tmp/kt-pos-XXXXXX", dir[96];
    kt_err err = {0};
    kt_store *st = NULL;
    kt_pos *pos = NULL;
    KT_CHECK(mkdtemp(base) != NULL);
    snprintf(dir, sizeof dir, "%s/data", base);
    KT_CHECK_INT(kt_store_open(dir, KT_STORE_CREATE, &st, &err), KT_OK);
    KT_CHECK_INT(kt_pos_open(st, &pos, &err), KT_OK);
    /* a tiny catalogue with the SKUs the seed program names */
    int64_t id;
    KT_CHECK_INT(kt_store_begin(st, &err), KT_OK);
    KT_CHECK_INT(kt_catalog_category_add(st, "C01", "Молочные", NULL, &id, &err), KT_OK);
    kt_shop_def shop = {.code = "S001", .city = "Москва", .timezone = "Europe/Moscow", .opened_day = KT_DAY_NONE};
    KT_CHECK_INT(kt_catalog_store_add(st, &shop, &id, &err), KT_OK);
    const char *skus[] = {"P000001", "P000002", "P000004", "P000007", "P000013", "MILK"};
    for (size_t i = 0; i < KT_ARRAY_LEN(skus); i++) {
        kt_product_def p = {.sku = skus[i], .category = "C01", .supplier = "Danone", .price_minor = -1};
        KT_CHECK_INT(kt_catalog_product_add(st, &p, &id, &err), KT_OK);
    }
    kt_member m;
    kt_member_init(&m, kt_day_from_civil(2026, 1, 1));
    KT_CHECK_INT(kt_member_insert(st, &m, "test", 1, "registration", &err), KT_OK);
    KT_CHECK_INT(kt_card_add(st, m.id, "1001", KT_CARD_ACTIVE, KT_DAY_NONE, "test", 1, "card", &err), KT_OK);
    KT_CHECK_INT(kt_store_commit(st, &err), KT_OK);
    size_t len = 0;
    char *seed = read_text("examples/rules/seed.json", &len);
    KT_CHECK(seed != NULL);
    int64_t version = 0;
    if (seed) KT_CHECK_INT(kt_pos_rules_load(pos, seed, len, "test", NULL, &version, &err), KT_OK);
    free(seed);
    KT_CHECK_INT(version, 1);

    const char *b1 = "{\"store\":\"S001\",\"receipt\":\"G1\",\"time\":\"2026-03-01T12:00:00+03:00\",\"card\":\"1001\","
                     "\"lines\":[{\"sku\":\"MILK\",\"qty\":1,\"price\":10000,\"amount\":10000}]}";
    const char *b2 = "{\"store\":\"S001\",\"receipt\":\"G2\",\"time\":\"2026-03-01T12:00:00+03:00\",\"card\":\"1001\","
                     "\"lines\":[{\"sku\":\"MILK\",\"qty\":1,\"price\":10000,\"amount\":10000}],\"redeem\":999}";
    const char *b3 = "{\"store\":\"S001\",\"receipt\":\"G3\",\"time\":\"2026-03-01T12:00:00+03:00\",\"card\":\"1001\","
                     "\"lines\":[{\"sku\":\"P000001\",\"qty\":2,\"price\":5000,\"amount\":10000}]}";
    const char *jsons[] = {b1, b2, b3, b1};
    size_t lens[] = {strlen(b1), strlen(b2), strlen(b3), strlen(b1)};
    char *answers[4] = {0};
    kt_rc rcs[4] = {0};
    kt_err errs[4];
    memset(errs, 0, sizeof errs);
    KT_CHECK_INT(kt_pos_commit_batch(pos, jsons, lens, 4, answers, rcs, errs, &err), KT_OK);
    KT_CHECK_INT(rcs[0], KT_OK);
    KT_CHECK_INT(rcs[1], KT_ENOFUNDS);           /* 999 points asked, 10 available */
    KT_CHECK_STR(errs[1].field, "$.redeem");
    KT_CHECK(answers[1] == NULL);
    KT_CHECK_INT(rcs[2], KT_OK);
    KT_CHECK_INT(rcs[3], KT_OK);                 /* the repeat of G1 in the same batch */
    KT_CHECK(answers[0] && answers[3] && strcmp(answers[0], answers[3]) == 0);
    KT_CHECK(answers[2] && strstr(answers[2], "\"earned\":30") != NULL); /* base 10 + promo 2 packs x 10 */
    for (int i = 0; i < 4; i++) free(answers[i]);
    kt_balance bal;
    KT_CHECK_INT(kt_ledger_balance(st, (kt_member_id)m.id, kt_day_from_civil(2026, 3, 1), 0, &bal, &err), KT_OK);
    KT_CHECK_INT(bal.balance, 40);               /* 10 (G1: base) + 30 (G3) */
    int64_t v = -1;
    KT_CHECK_INT(kt_ledger_check(st, quiet, NULL, &v, &err), KT_OK);
    KT_CHECK_INT(v, 0);
    kt_pos_close(pos);
    kt_store_close(st);
    kt_test_rmtree(base);
}

/* The basket parser's fast path and its jansson path agree: same outcome, same
 * error, same fields and canonical text, on the common shape and around it. */
#include "pos/basket.h"

static void same_basket(const char *doc) {
    kt_basket a, b;
    kt_err ea = {0}, eb = {0};
    kt_rc ra = kt_basket_parse(doc, strlen(doc), &a, &ea);
    kt_rc rb = kt_basket_parse_json(doc, strlen(doc), &b, &eb);
    KT_CHECK_INT(ra, rb);
    if (ra != rb) { fprintf(stderr, "  document: %s\n", doc); return; }
    if (ra) {
        KT_CHECK_STR(ea.field, eb.field);
        KT_CHECK_STR(ea.msg, eb.msg);
        return;
    }
    KT_CHECK_STR(a.canonical, b.canonical);
    KT_CHECK_STR(a.store, b.store);
    KT_CHECK_STR(a.receipt, b.receipt);
    KT_CHECK_STR(a.card, b.card);
    KT_CHECK_STR(a.phone, b.phone);
    KT_CHECK_INT(a.at, b.at);
    KT_CHECK_INT(a.offset_min, b.offset_min);
    KT_CHECK_INT(a.redeem, b.redeem);
    KT_CHECK_INT(a.ncoupons, b.ncoupons);
    KT_CHECK_INT(a.nlines, b.nlines);
    for (size_t i = 0; i < a.ncoupons && i < b.ncoupons; i++) KT_CHECK_STR(a.coupons[i], b.coupons[i]);
    for (size_t i = 0; i < a.nlines && i < b.nlines; i++) {
        KT_CHECK_STR(a.lines[i].sku, b.lines[i].sku);
        KT_CHECK_INT(a.lines[i].qty_milli, b.lines[i].qty_milli);
        KT_CHECK_INT(a.lines[i].price_minor, b.lines[i].price_minor);
        KT_CHECK_INT(a.lines[i].amount_minor, b.lines[i].amount_minor);
    }
    kt_basket_free(&a);
    kt_basket_free(&b);
}

KT_TEST(pos_basket_fast_path_agrees) {
#define L1 "{\"sku\":\"P1\",\"qty\":2,\"price\":1000,\"amount\":1990}"
#define T "\"time\":\"2026-03-01T10:00:00+03:00\""
    static const char *const docs[] = {
        "{\"store\":\"S001\",\"receipt\":\"r1\"," T ",\"card\":\"7800 0000-0000 0001\",\"lines\":[" L1 "," L1 "]}",
        " { \"lines\" : [ " L1 " ] , \"store\" : \"S1\" , " T " , \"receipt\" : \"a/b\" , \"total\" : 1990 } \n",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"phone\":\"8 (912) 345-67-89\",\"redeem\":\"max\",\"coupons\":[\"A\",\"B\"],\"lines\":[" L1 "]}",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"redeem\":0,\"coupons\":[],\"lines\":[" L1 "]}",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"card\":\"1001\",\"redeem\":15,\"lines\":[" L1 "]}",
        /* refused, or left to jansson */
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"redeem\":15,\"lines\":[" L1 "]}",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"redeem\":\"all\",\"lines\":[" L1 "]}",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"card\":\"1001\",\"phone\":\"+79123456789\",\"lines\":[" L1 "]}",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"card\":\"\",\"lines\":[" L1 "]}",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"card\":null,\"lines\":[" L1 "]}",
        "{\"store\":\"S1\",\"store\":\"S2\",\"receipt\":\"r\"," T ",\"lines\":[" L1 "]}",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"lines\":[" L1 "],\"extra\":1}",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"lines\":[]}",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T "}",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"lines\":[{\"sku\":\"P\",\"qty\":1,\"price\":10,\"amount\":11}]}",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"lines\":[{\"sku\":\"P\",\"qty\":0,\"price\":10,\"amount\":0}]}",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"lines\":[{\"sku\":\"P\",\"qty\":1.5,\"price\":10,\"amount\":15}]}",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"lines\":[{\"sku\":\"P\",\"qty\":1e0,\"price\":10,\"amount\":10}]}",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"lines\":[{\"sku\":\"P\",\"qty\":01,\"price\":10,\"amount\":10}]}",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"lines\":[{\"sku\":\"P\",\"qty\":-1,\"price\":10,\"amount\":10}]}",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"lines\":[{\"sku\":\"P\",\"qty\":1,\"price\":10000000001,\"amount\":10}]}",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"lines\":[{\"sku\":\"P\",\"qty\":1,\"price\":1000000000000000000000,\"amount\":10}]}",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"lines\":[{\"sku\":\"P\",\"sku\":\"Q\",\"qty\":1,\"price\":10,\"amount\":10}]}",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"lines\":[{\"sku\":\"P\",\"qty\":1,\"price\":10}]}",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"lines\":[" L1 "],\"total\":1}",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"lines\":[" L1 "],\"total\":-1990}",
        "{\"store\":\"S\\u0031\",\"receipt\":\"r\"," T ",\"lines\":[" L1 "]}",
        "{\"store\":\"Магазин\",\"receipt\":\"r\"," T ",\"lines\":[" L1 "]}",
        "{\"store\":\"S1\",\"receipt\":\"r r\"," T ",\"lines\":[" L1 "]}",
        "{\"store\":\"S1\",\"receipt\":\"r\",\"time\":\"yesterday\",\"lines\":[" L1 "]}",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"lines\":[" L1 "]} x",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"lines\":[" L1 "]",
        "{\"store\":\"S1\",\"receipt\":\"r\"," T ",\"lines\":[" L1 ",]}",
        "{\"store\":\"S1\",,\"receipt\":\"r\"," T ",\"lines\":[" L1 "]}",
        "{}",
        "[]",
        "",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) same_basket(docs[i]);
    /* and on thousands of mutants of the accepted ones: bytes replaced (by JSON's own characters more
     * often than not), deleted or duplicated */
    static const char alphabet[] = "{}[]:,\"\\ 0123456789-.eE+nulltruefalse\t\nskuqtyprice";
    uint64_t r = 42;
    char m[1024];
    for (int round = 0; round < 6000; round++) {
        const char *seed = docs[round % 5];
        size_t n = strlen(seed);
        memcpy(m, seed, n + 1);
        for (int k = 0; k < 1 + round % 3; k++) {
            r = r * 6364136223846793005ull + 1442695040888963407ull;
            size_t at = (size_t)(r >> 33) % n;
            unsigned op = (unsigned)(r >> 20) % 4;
            char c = op == 3 ? (char)((r >> 8) & 0xff) : alphabet[(r >> 8) % (sizeof alphabet - 1)];
            if (op == 0 && n > 1) { memmove(m + at, m + at + 1, n - at); n--; }
            else if (op == 1 && n + 1 < sizeof m) { memmove(m + at + 1, m + at, n - at + 1); n++; }
            else m[at] = c ? c : ' ';
        }
        same_basket(m);
    }
#undef L1
#undef T
}

/* What the server's writer relies on in the store: its own checkpoint makes the log restart (kept
 * small under a steady stream of commits) without losing anything, and is put off while a reader
 * holds an old snapshot; a read transaction sees one snapshot and refuses writes. */
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
        if (round % 2) {
            /* the background's checkpoint (copies and flushes the database), twice: the second copies nothing */
            bool copied = false;
            KT_CHECK(kt_store_log_frames(writer) > 0);
            KT_CHECK_INT(kt_store_checkpoint(reader, &copied, &err), KT_OK);
            KT_CHECK(copied);
            KT_CHECK_INT(kt_store_checkpoint(reader, &copied, &err), KT_OK);
            KT_CHECK(!copied);
        }
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
    kt_test_rmtree(base);
}
