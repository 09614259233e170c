/*
 * test_import.c - src/imp: `karta import` of a small hand-made chain into a
 * temporary store (counts, a member's normalised phone and balance, lots with
 * expiry, a clean `check`), whole-or-nothing on a bad row, --skip-bad and its
 * reject file, reruns refused, and the key map behind the member id mapping.
 */
#include "t.h"

#include "core/date.h"
#include "imp/import.h"
#include "imp/keymap.h"
#include "ledger/ledger.h"
#include "members/members.h"
#include "store/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fixture {
    char root[64];   /* temporary directory: data/, chain/, rejects.csv */
    char data[96], chain[96], rejects[96];
    kt_store *st;
    kt_err err;
} fixture;

static void put_file(const fixture *f, const char *sub, const char *name, const char *text) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", f->root, sub);
    mkdir(path, 0750);
    snprintf(path, sizeof path, "%s/%s/%s", f->root, sub, name);
    FILE *fp = fopen(path, "w");
    KT_CHECK(fp != NULL);
    if (!fp) return;
    fputs(text, fp);
    fclose(fp);
}

static const char CATEGORIES[] = "code,name,parent\nFOOD,Food,\nDAIRY,Dairy,FOOD\nMILK,Milk,DAIRY\n";
static const char STORES[] = "code,name,city,region,timezone,partner,opened\n"
                             "S001,Central,Moscow,Moscow,Europe/Moscow,,2020-01-15\n"
                             "S002,\"Almaty, Abay 1\",Almaty,Almaty,Asia/Almaty,Shell,2021-06-01\n";
static const char PRODUCTS[] = "sku,name,category,brand,supplier,price,unit,alcohol,tobacco\n"
                               "P000001,\"Milk 3.2%, 1 l\",MILK,Prostokvashino,Danone,89.90,pcs,0,0\n"
                               "P000002,Beer,FOOD,Baltika,Carlsberg,120,pcs,1,0\n";
/* columns in another order than the documented one: found by name */
static const char MEMBERS[] =
    "member,phone,email,name,sex,birth_date,city,region,family_status,children,car,registered,reg_store,favourite_category\n"
    "M0000001,8 (912) 345-67-89, Ivan@Mail.RU ,Иван Петров,M,1980-02-29,Moscow,Moscow,married,2,1,2021-03-01,S001,MILK\n"
    "M0000002,+7 701 234 5678,,Анна,F,1991-07-12,Almaty,,single,0,0,2022-05-05,S002,\n"
    "M0000003,,oleg@example.com,Олег,M,,Moscow,,,,,2023-01-10,S001,DAIRY\n";
static const char CARDS[] = "card,member,state,issued\n"
                            "2000000000017,M0000001,active,2021-03-01\n"
                            "2000-0000-0002-4,M0000001,blocked,\n"
                            "2000000000031,M0000002,issued,2022-05-05\n";
static const char CONSENTS[] = "member,channel,granted,at,source\n"
                               "M0000001,sms,1,2021-03-01T10:00:00+03:00,registration\n"
                               "M0000002,email,0,2022-05-05T12:00:00+06:00,store\n";
static const char BALANCES[] = "member,points,expires\n"
                               "M0000001,500,2027-12-31\n"
                               "M0000001,250,\n"
                               "M0000002,120,2026-09-30\n";

static void fx_open(fixture *f) {
    snprintf(f->root, sizeof f->root, "/tmp/kt-import-XXXXXX");
    KT_CHECK(mkdtemp(f->root) != NULL);
    snprintf(f->data, sizeof f->data, "%s/data", f->root);
    snprintf(f->chain, sizeof f->chain, "%s/chain", f->root);
    snprintf(f->rejects, sizeof f->rejects, "%s/rejects.csv", f->root);
    KT_CHECK_INT(kt_store_open(f->data, KT_STORE_CREATE, &f->st, &f->err), KT_OK);
    put_file(f, "chain", "categories.csv", CATEGORIES);
    put_file(f, "chain", "stores.csv", STORES);
    put_file(f, "chain", "products.csv", PRODUCTS);
    put_file(f, "chain", "members.csv", MEMBERS);
    put_file(f, "chain", "cards.csv", CARDS);
    put_file(f, "chain", "consents.csv", CONSENTS);
    put_file(f, "chain", "balances.csv", BALANCES);
}

static void fx_close(fixture *f) {
    kt_store_close(f->st);
    kt_test_rmtree(f->root);
}

static kt_day D(int y, int m, int d) { return kt_day_from_civil(y, m, d); }

static kt_import_opts opts_for(const char *dir) {
    return (kt_import_opts){.dir = dir, .actor = "test", .at = (kt_time)D(2026, 1, 1) * 86400, .day = D(2026, 1, 1)};
}

/* One integer from SQL on a second connection (what is committed). */
static int64_t sql_int(const fixture *f, const char *sql) {
    char path[128];
    sqlite3 *db;
    sqlite3_stmt *s;
    int64_t v = -1;
    snprintf(path, sizeof path, "%s/karta.db", f->data);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
        if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return v;
}

/* Every table the import writes, as one number per table. */
static void counts(const fixture *f, int64_t out[10]) {
    static const char *const q[10] = {
        "SELECT COUNT(*) FROM categories", "SELECT COUNT(*) FROM stores", "SELECT COUNT(*) FROM products",
        "SELECT COUNT(*) FROM members", "SELECT COUNT(*) FROM cards", "SELECT COUNT(*) FROM consent_events",
        "SELECT COUNT(*) FROM lots", "SELECT COUNT(*) FROM ledger_entries", "SELECT COUNT(*) FROM imports",
        "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index'",
    };
    for (int i = 0; i < 10; i++) out[i] = sql_int(f, q[i]);
}

static void quiet(void *ctx, const char *what) { (void)ctx; (void)what; }

static int64_t violations(fixture *f) {
    int64_t v = -1;
    KT_CHECK_INT(kt_ledger_check(f->st, quiet, NULL, &v, &f->err), KT_OK);
    return v;
}

KT_TEST(import_small_chain) {
    fixture f;
    kt_import_result r;
    fx_open(&f);
    int64_t indexes_before = sql_int(&f, "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index'");
    kt_import_opts o = opts_for(f.chain);
    KT_CHECK_INT(kt_import_dir(f.st, &o, &r, &f.err), KT_OK);
    KT_CHECK_INT(r.rows, 18);
    KT_CHECK_INT(r.loaded, 18);
    KT_CHECK_INT(r.rejected, 0);
    KT_CHECK_INT(r.files[3].loaded, 3);
    KT_CHECK_STR(r.files[3].file, "members.csv");
    KT_CHECK(!r.receipts_present);

    int64_t c[10];
    counts(&f, c);
    KT_CHECK_INT(c[0], 3);
    KT_CHECK_INT(c[1], 2);
    KT_CHECK_INT(c[2], 2);
    KT_CHECK_INT(c[3], 3);
    KT_CHECK_INT(c[4], 3);
    KT_CHECK_INT(c[5], 2);
    KT_CHECK_INT(c[6], 3);
    KT_CHECK_INT(c[8], 1);
    KT_CHECK_INT(c[9], indexes_before); /* the deferred indexes are back */

    /* a member's normalised phone, e-mail and balance */
    int64_t id = 0;
    kt_member m;
    KT_CHECK_INT(kt_member_find(f.st, "M0000001", &id, &f.err), KT_OK);
    KT_CHECK_INT(kt_member_load(f.st, id, &m, &f.err), KT_OK);
    KT_CHECK_STR(m.phone, "+79123456789");
    KT_CHECK_STR(m.email, "ivan@mail.ru");
    KT_CHECK_STR(m.name, "Иван Петров");
    KT_CHECK_STR(m.reg_store, "S001");
    KT_CHECK_STR(m.favourite_category, "MILK");
    KT_CHECK_INT(m.birth_day, D(1980, 2, 29));
    KT_CHECK_INT(m.children, 2);
    KT_CHECK_INT(m.balance, 750);
    /* the card with dashes was normalised and belongs to the same member */
    int64_t by_card = 0;
    KT_CHECK_INT(kt_member_find(f.st, "2000000000024", &by_card, &f.err), KT_OK);
    KT_CHECK_INT(by_card, id);

    /* lots with their expiry: 500 until 2027-12-31, 250 forever */
    kt_balance b;
    KT_CHECK_INT(kt_ledger_balance(f.st, (kt_member_id)id, D(2026, 1, 1), 30, &b, &f.err), KT_OK);
    KT_CHECK_INT(b.balance, 750);
    KT_CHECK_INT(b.available, 750);
    KT_CHECK_INT(b.next_expiry, D(2027, 12, 31));
    KT_CHECK_INT(sql_int(&f, "SELECT COUNT(*) FROM lots WHERE expires_day IS NULL"), 1);
    KT_CHECK_INT(sql_int(&f, "SELECT points FROM lots WHERE expires_day IS NULL"), 250);
    KT_CHECK_INT(sql_int(&f, "SELECT SUM(points) FROM lots WHERE expires_day IS NOT NULL"), 620);
    KT_CHECK_INT(sql_int(&f, "SELECT COUNT(*) FROM ledger_txns WHERE kind = 'opening'"), 3);
    /* the money and the flags */
    KT_CHECK_INT(sql_int(&f, "SELECT price_minor FROM products WHERE sku = 'P000001'"), 8990);
    KT_CHECK_INT(sql_int(&f, "SELECT alcohol FROM products WHERE sku = 'P000002'"), 1);
    KT_CHECK_INT(sql_int(&f, "SELECT utc_offset_min FROM stores WHERE code = 'S002'"), 300);
    KT_CHECK_INT(violations(&f), 0);

    /* expiry burns the lot on its day, and the books still balance */
    int64_t lots = 0, members = 0;
    kt_points burnt = 0;
    KT_CHECK_INT(kt_store_begin(f.st, &f.err), KT_OK);
    KT_CHECK_INT(kt_ledger_expire(f.st, D(2026, 10, 1), 2, "test", &lots, &burnt, &members, &f.err), KT_OK);
    KT_CHECK_INT(kt_store_commit(f.st, &f.err), KT_OK);
    KT_CHECK_INT(burnt, 120);
    KT_CHECK_INT(violations(&f), 0);
    fx_close(&f);
}

KT_TEST(import_rerun_is_refused) {
    fixture f;
    kt_import_result r;
    int64_t before[10], after[10];
    fx_open(&f);
    kt_import_opts o = opts_for(f.chain);
    KT_CHECK_INT(kt_import_dir(f.st, &o, &r, &f.err), KT_OK);
    counts(&f, before);
    KT_CHECK_INT(kt_import_dir(f.st, &o, &r, &f.err), KT_EEXIST);
    KT_CHECK_STR(f.err.field, "categories.csv:2: code");
    KT_CHECK_STR(f.err.msg, "category \"FOOD\" already exists");
    counts(&f, after);
    for (int i = 0; i < 10; i++) KT_CHECK_INT(after[i], before[i]);

    /* the later files alone: each refuses its first row */
    static const struct { const char *file, *text, *field; } later[] = {
        {"members.csv", MEMBERS, "members.csv:2: member"},
        {"cards.csv", CARDS, "cards.csv:2: card"},
        {"consents.csv", CONSENTS, "consents.csv:2: at"},
        {"balances.csv", BALANCES, "balances.csv:2: member"},
    };
    for (size_t i = 0; i < KT_ARRAY_LEN(later); i++) {
        char sub[32], dir[128];
        snprintf(sub, sizeof sub, "only%zu", i);
        put_file(&f, sub, later[i].file, later[i].text);
        snprintf(dir, sizeof dir, "%s/%s", f.root, sub);
        o = opts_for(dir);
        KT_CHECK_INT(kt_import_dir(f.st, &o, &r, &f.err), KT_EEXIST);
        KT_CHECK_STR(f.err.field, later[i].field);
    }
    counts(&f, after);
    for (int i = 0; i < 10; i++) KT_CHECK_INT(after[i], before[i]);

    /* a new opening balance for a member loaded earlier, who had none: loads once */
    put_file(&f, "more", "balances.csv", "member,points,expires\nM0000003,40,\nM0000003,2,2028-01-01\n");
    char dir[128];
    snprintf(dir, sizeof dir, "%s/more", f.root);
    o = opts_for(dir);
    KT_CHECK_INT(kt_import_dir(f.st, &o, &r, &f.err), KT_OK);
    KT_CHECK_INT(r.loaded, 2);
    KT_CHECK_INT(kt_import_dir(f.st, &o, &r, &f.err), KT_EEXIST);
    KT_CHECK_STR(f.err.msg, "member \"M0000003\" already has an opening balance");
    KT_CHECK_INT(sql_int(&f, "SELECT balance FROM members WHERE ext_id = 'M0000003'"), 42);
    KT_CHECK_INT(violations(&f), 0);

    /* a merged member takes no more cards: they belong to the survivor */
    int64_t m1 = 0, m2 = 0;
    KT_CHECK_INT(kt_member_find(f.st, "M0000001", &m1, &f.err), KT_OK);
    KT_CHECK_INT(kt_member_find(f.st, "M0000002", &m2, &f.err), KT_OK);
    KT_CHECK_INT(kt_store_begin(f.st, &f.err), KT_OK);
    KT_CHECK_INT(kt_member_merge(f.st, m1, m2, "test", "same person", 2, NULL, NULL, &f.err), KT_OK);
    KT_CHECK_INT(kt_store_commit(f.st, &f.err), KT_OK);
    put_file(&f, "merged", "cards.csv", "card,member\n2000000000550,M0000002\n");
    snprintf(dir, sizeof dir, "%s/merged", f.root);
    o = opts_for(dir);
    KT_CHECK_INT(kt_import_dir(f.st, &o, &r, &f.err), KT_ECONFLICT);
    KT_CHECK_STR(f.err.field, "cards.csv:2: member");
    KT_CHECK(strstr(f.err.msg, "was merged into member #") != NULL);
    KT_CHECK_INT(violations(&f), 0);
    fx_close(&f);
}

KT_TEST(import_bad_row_rolls_back) {
    fixture f;
    kt_import_result r;
    int64_t before[10], after[10];
    fx_open(&f);
    counts(&f, before);
    /* the last row of the last file is bad: everything before it goes too */
    put_file(&f, "chain", "balances.csv", "member,points,expires\nM0000001,500,2027-12-31\nM0000002,-7,\n");
    kt_import_opts o = opts_for(f.chain);
    KT_CHECK_INT(kt_import_dir(f.st, &o, &r, &f.err), KT_EINVAL);
    KT_CHECK_STR(f.err.field, "balances.csv:3: points");
    KT_CHECK(strstr(f.err.msg, "negative") != NULL);
    counts(&f, after);
    for (int i = 0; i < 10; i++) KT_CHECK_INT(after[i], before[i]);
    KT_CHECK(!kt_store_in_txn(f.st));

    /* a bad phone in members.csv, and a card of an unknown member */
    put_file(&f, "chain", "balances.csv", BALANCES);
    put_file(&f, "chain", "members.csv",
             "member,name,registered,phone\nM0000001,A,2021-01-01,+79123456789\nM0000002,B,2021-01-01,12-34\n");
    KT_CHECK_INT(kt_import_dir(f.st, &o, &r, &f.err), KT_EINVAL);
    KT_CHECK_STR(f.err.field, "members.csv:3: phone");
    put_file(&f, "chain", "members.csv", "member,name,registered\nM0000001,A,2021-01-01\n");
    KT_CHECK_INT(kt_import_dir(f.st, &o, &r, &f.err), KT_ENOTFOUND);
    KT_CHECK_STR(f.err.field, "cards.csv:4: member");
    KT_CHECK_STR(f.err.msg, "no member \"M0000002\"");
    counts(&f, after);
    for (int i = 0; i < 10; i++) KT_CHECK_INT(after[i], before[i]);

    /* header faults name the column */
    put_file(&f, "chain", "members.csv", "member,name,registered,tier\nM0000001,A,2021-01-01,gold\n");
    KT_CHECK_INT(kt_import_dir(f.st, &o, &r, &f.err), KT_EINVAL);
    KT_CHECK_STR(f.err.field, "members.csv:1");
    KT_CHECK(strstr(f.err.msg, "unknown column \"tier\"") != NULL);
    put_file(&f, "chain", "members.csv", "member,name\nM0000001,A\n");
    KT_CHECK_INT(kt_import_dir(f.st, &o, &r, &f.err), KT_EINVAL);
    KT_CHECK_STR(f.err.msg, "the required column registered is missing");
    counts(&f, after);
    for (int i = 0; i < 10; i++) KT_CHECK_INT(after[i], before[i]);
    fx_close(&f);
}

static char *slurp(const char *path) {
    FILE *fp = fopen(path, "r");
    if (!fp) return NULL;
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = 0;
    fclose(fp);
    return buf;
}

KT_TEST(import_skip_bad_writes_rejects) {
    fixture f;
    kt_import_result r;
    fx_open(&f);
    put_file(&f, "chain", "members.csv",
             "member,name,registered,children,reg_store\n"
             "M0000001,A,2021-01-01,2,S001\n"
             "M0000002,\"Bad, kids\",2021-01-01,99,S001\n"
             "M0000003,C,2021-01-01,,S009\n");
    put_file(&f, "chain", "cards.csv", "card,member\n2000000000017,M0000001\n2000000000024,M0000002\n"
                                       "2000000000031,M0000003\n2000000000048,M0000001\n");
    put_file(&f, "chain", "consents.csv", "member,channel,granted,at\nM0000001,sms,1,2021-01-01T10:00:00Z\n"
                                          "M0000002,sms,1,2021-01-01T10:00:00Z\n");
    put_file(&f, "chain", "balances.csv", "member,points,expires\nM0000001,10,\nM0000002,20,\nM0000001,999999999999,\n");
    kt_import_opts o = opts_for(f.chain);
    o.skip_bad = true;
    o.rejects_path = f.rejects;
    KT_CHECK_INT(kt_import_dir(f.st, &o, &r, &f.err), KT_OK);
    KT_CHECK_INT(r.files[3].loaded, 1);
    KT_CHECK_INT(r.files[3].rejected, 2);
    KT_CHECK_INT(r.files[4].loaded, 2);
    KT_CHECK_INT(r.files[4].rejected, 2);
    KT_CHECK_INT(r.files[5].rejected, 1);
    KT_CHECK_INT(r.files[6].loaded, 1);
    KT_CHECK_INT(r.files[6].rejected, 2);
    KT_CHECK_INT(r.rejected, 7);
    KT_CHECK_STR(r.rejects_path, f.rejects);
    KT_CHECK_INT(sql_int(&f, "SELECT COUNT(*) FROM members"), 1);
    KT_CHECK_INT(sql_int(&f, "SELECT COUNT(*) FROM cards"), 2);
    KT_CHECK_INT(sql_int(&f, "SELECT balance FROM members"), 10);
    KT_CHECK_INT(sql_int(&f, "SELECT rejected FROM imports"), 7);
    KT_CHECK_INT(violations(&f), 0);

    const char *rej = slurp(f.rejects);
    KT_CHECK(rej != NULL);
    if (rej) {
        KT_CHECK(strncmp(rej, "file,line,column,reason,raw\n", 28) == 0);
        KT_CHECK(strstr(rej, "members.csv,3,children,\"\"\"99\"\" is out of range (0..20)\","
                             "\"M0000002,\"\"Bad, kids\"\",2021-01-01,99,S001\"\n") != NULL);
        KT_CHECK(strstr(rej, "members.csv,4,reg_store,\"no store \"\"S009\"\"\",\"M0000003,C,2021-01-01,,S009\"\n") != NULL);
        KT_CHECK(strstr(rej, "cards.csv,3,member,\"member \"\"M0000002\"\" was rejected (members.csv:3)\"") != NULL);
        KT_CHECK(strstr(rej, "cards.csv,4,member,\"member \"\"M0000003\"\" was rejected (members.csv:4)\"") != NULL);
        KT_CHECK(strstr(rej, "consents.csv,3,member,") != NULL);
        KT_CHECK(strstr(rej, "balances.csv,3,member,") != NULL);
        KT_CHECK(strstr(rej, "balances.csv,4,points,\"\"\"999999999999\"\" is absurd") != NULL);
    }
    KT_CHECK(access(f.rejects, F_OK) == 0);
    char tmp[128];
    snprintf(tmp, sizeof tmp, "%s.tmp", f.rejects);
    KT_CHECK(access(tmp, F_OK) != 0);

    /* a file that is not CSV stops the import even with skip_bad, and no reject file is left */
    unlink(f.rejects);
    put_file(&f, "bad", "categories.csv", "code,name,parent\nX,\"open quote,\n");
    char dir[128];
    snprintf(dir, sizeof dir, "%s/bad", f.root);
    o.dir = dir;
    KT_CHECK_INT(kt_import_dir(f.st, &o, &r, &f.err), KT_EINVAL);
    KT_CHECK_STR(f.err.field, "categories.csv:2");
    KT_CHECK(access(f.rejects, F_OK) != 0);
    KT_CHECK(access(tmp, F_OK) != 0);
    fx_close(&f);
}

KT_TEST(import_keymap) {
    kt_keymap *m = kt_keymap_new();
    KT_CHECK(m != NULL);
    if (!m) return;
    char key[32];
    enum { N = 300000 };
    for (int i = 0; i < N; i++) {
        int n = snprintf(key, sizeof key, "M%07d", i);
        KT_CHECK_INT(kt_keymap_put(m, key, (size_t)n, i * 3, NULL), KT_OK);
    }
    KT_CHECK_INT(kt_keymap_count(m), N);
    int bad = 0;
    for (int i = 0; i < N; i++) {
        int n = snprintf(key, sizeof key, "M%07d", i);
        int64_t v = -1;
        if (!kt_keymap_get(m, key, (size_t)n, &v) || v != i * 3) bad++;
    }
    KT_CHECK_INT(bad, 0);
    int64_t old = 0, v = 0;
    KT_CHECK_INT(kt_keymap_put(m, "M0000007", 8, 1, &old), KT_EEXIST);
    KT_CHECK_INT(old, 21);
    KT_CHECK(kt_keymap_set(m, "M0000007", 8, -5));
    KT_CHECK(kt_keymap_get(m, "M0000007", 8, &v));
    KT_CHECK_INT(v, -5);
    KT_CHECK(!kt_keymap_get(m, "M9999999", 8, &v));
    KT_CHECK(!kt_keymap_get(m, "M000000", 7, &v)); /* a prefix is another key */
    KT_CHECK(!kt_keymap_set(m, "nope", 4, 1));
    KT_CHECK_INT(kt_keymap_put(m, "", 0, 9, NULL), KT_OK); /* the empty key is a key */
    KT_CHECK(kt_keymap_get(m, "", 0, &v) && v == 9);
    char long_key[KT_KEYMAP_KEY_MAX + 2];
    memset(long_key, 'x', sizeof long_key);
    KT_CHECK_INT(kt_keymap_put(m, long_key, sizeof long_key, 1, NULL), KT_EINVAL);
    KT_CHECK(kt_keymap_bytes(m) > (size_t)N * 16);
    kt_keymap_free(m);
}
