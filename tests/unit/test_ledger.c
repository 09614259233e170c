/*
 * test_ledger.c - the points ledger: lots, FIFO by expiry, pending points,
 * debt, expiry idempotence, merge transfer, and that `check` catches
 * tampering (a check that cannot fail proves nothing).
 */
#include "t.h"

#include "core/date.h"
#include "ledger/ledger.h"
#include "members/members.h"
#include "store/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct fixture { char base[64], dir[96]; kt_store *st; kt_err err; } fixture;

static void fx_open(fixture *f) {
    snprintf(f->base, sizeof f->base, "/tmp/kt-ledger-XXXXXX");
    KT_CHECK(mkdtemp(f->base) != NULL);
    snprintf(f->dir, sizeof f->dir, "%s/data", f->base);
    KT_CHECK_INT(kt_store_open(f->dir, KT_STORE_CREATE, &f->st, &f->err), KT_OK);
}

static void fx_close(fixture *f) {
    kt_store_close(f->st);
    kt_test_rmtree(f->base);
}

static int64_t add_member(fixture *f, const char *card) {
    kt_member m;
    kt_member_init(&m, kt_day_from_civil(2026, 1, 1));
    KT_CHECK_INT(kt_member_insert(f->st, &m, "test", 1, "registration", &f->err), KT_OK);
    KT_CHECK_INT(kt_card_add(f->st, m.id, card, KT_CARD_ACTIVE, KT_DAY_NONE, "test", 1, "card", &f->err), KT_OK);
    return m.id;
}

static kt_day D(int y, int m, int d) { return kt_day_from_civil(y, m, d); }

static kt_movement mv_on(kt_txn_kind k, kt_day day) {
    return (kt_movement){.kind = k, .at = (kt_time)day * 86400, .day = day, .actor = "test"};
}

static void quiet(void *ctx, const char *what) { (void)ctx; (void)what; }

static int64_t check_count(fixture *f) {
    int64_t v = -1;
    KT_CHECK_INT(kt_ledger_check(f->st, quiet, NULL, &v, &f->err), KT_OK);
    return v;
}

KT_TEST(ledger_fifo_by_expiry) {
    fixture f;
    fx_open(&f);
    KT_CHECK_INT(kt_store_begin(f.st, &f.err), KT_OK);
    int64_t m = add_member(&f, "1001");
    kt_movement a = mv_on(KT_TXN_ACCRUAL, D(2026, 1, 10));
    /* three lots: expiring late, early, never */
    KT_CHECK_INT(kt_ledger_credit(f.st, &a, (kt_member_id)m, 100, "program", a.day, D(2026, 12, 31), NULL, &f.err), KT_OK);
    KT_CHECK_INT(kt_ledger_credit(f.st, &a, (kt_member_id)m, 50, "program", a.day, D(2026, 3, 31), NULL, &f.err), KT_OK);
    KT_CHECK_INT(kt_ledger_credit(f.st, &a, (kt_member_id)m, 30, "partner:Shell", a.day, KT_DAY_NONE, NULL, &f.err), KT_OK);
    kt_movement r = mv_on(KT_TXN_REDEMPTION, D(2026, 2, 1));
    KT_CHECK_INT(kt_ledger_spend(f.st, &r, (kt_member_id)m, 70, "redemption", NULL, &f.err), KT_OK);
    kt_balance b;
    KT_CHECK_INT(kt_ledger_balance(f.st, (kt_member_id)m, D(2026, 2, 1), 60, &b, &f.err), KT_OK);
    KT_CHECK_INT(b.balance, 110);
    KT_CHECK_INT(b.available, 110);
    KT_CHECK_INT(b.expiring, 0);           /* the March lot is spent; December is beyond 60 days */
    KT_CHECK_INT(b.next_expiry, D(2026, 12, 31));
    /* not enough: refused, nothing changes */
    KT_CHECK_INT(kt_ledger_spend(f.st, &r, (kt_member_id)m, 111, "redemption", NULL, &f.err), KT_ENOFUNDS);
    KT_CHECK_INT(kt_ledger_balance(f.st, (kt_member_id)m, D(2026, 2, 1), 60, &b, &f.err), KT_OK);
    KT_CHECK_INT(b.balance, 110);
    KT_CHECK_INT(kt_store_commit(f.st, &f.err), KT_OK);
    KT_CHECK_INT(check_count(&f), 0);
    fx_close(&f);
}

KT_TEST(ledger_pending_and_expiry) {
    fixture f;
    fx_open(&f);
    KT_CHECK_INT(kt_store_begin(f.st, &f.err), KT_OK);
    int64_t m = add_member(&f, "1002");
    kt_movement a = mv_on(KT_TXN_ACCRUAL, D(2026, 1, 10));
    KT_CHECK_INT(kt_ledger_credit(f.st, &a, (kt_member_id)m, 40, "program", D(2026, 1, 24), D(2026, 6, 30), NULL, &f.err), KT_OK);
    KT_CHECK_INT(kt_ledger_credit(f.st, &a, (kt_member_id)m, 25, "program", a.day, D(2026, 1, 31), NULL, &f.err), KT_OK);
    kt_balance b;
    KT_CHECK_INT(kt_ledger_balance(f.st, (kt_member_id)m, D(2026, 1, 15), 30, &b, &f.err), KT_OK);
    KT_CHECK_INT(b.pending, 40);
    KT_CHECK_INT(b.available, 25);
    KT_CHECK_INT(b.expiring, 25);
    kt_movement r = mv_on(KT_TXN_REDEMPTION, D(2026, 1, 15));
    KT_CHECK_INT(kt_ledger_spend(f.st, &r, (kt_member_id)m, 30, "redemption", NULL, &f.err), KT_ENOFUNDS);
    /* the last valid day is still spendable; the day after, expiry burns it */
    r.day = D(2026, 1, 31);
    KT_CHECK_INT(kt_ledger_spend(f.st, &r, (kt_member_id)m, 5, "redemption", NULL, &f.err), KT_OK);
    int64_t lots = 0, members = 0;
    kt_points pts = 0;
    KT_CHECK_INT(kt_ledger_expire(f.st, D(2026, 1, 31), 0, "test", &lots, &pts, &members, &f.err), KT_OK);
    KT_CHECK_INT(pts, 0);
    KT_CHECK_INT(kt_ledger_expire(f.st, D(2026, 2, 1), 0, "test", &lots, &pts, &members, &f.err), KT_OK);
    KT_CHECK_INT(pts, 20);
    KT_CHECK_INT(lots, 1);
    KT_CHECK_INT(kt_ledger_expire(f.st, D(2026, 2, 1), 0, "test", &lots, &pts, &members, &f.err), KT_OK);
    KT_CHECK_INT(pts, 0); /* idempotent */
    KT_CHECK_INT(kt_ledger_balance(f.st, (kt_member_id)m, D(2026, 2, 1), 30, &b, &f.err), KT_OK);
    KT_CHECK_INT(b.balance, 40);
    KT_CHECK_INT(b.available, 40);
    KT_CHECK_INT(kt_store_commit(f.st, &f.err), KT_OK);
    KT_CHECK_INT(check_count(&f), 0);
    fx_close(&f);
}

KT_TEST(ledger_debt_and_merge) {
    fixture f;
    fx_open(&f);
    KT_CHECK_INT(kt_store_begin(f.st, &f.err), KT_OK);
    int64_t a = add_member(&f, "2001"), b = add_member(&f, "2002");
    kt_movement cr = mv_on(KT_TXN_ACCRUAL, D(2026, 1, 10));
    KT_CHECK_INT(kt_ledger_credit(f.st, &cr, (kt_member_id)a, 100, "program", cr.day, KT_DAY_NONE, NULL, &f.err), KT_OK);
    kt_movement rf = mv_on(KT_TXN_REFUND, D(2026, 1, 12));
    /* without permission a shortfall is refused */
    KT_CHECK_INT(kt_ledger_debit(f.st, &rf, (kt_member_id)a, 130, "program", false, NULL, &f.err), KT_ENOFUNDS);
    KT_CHECK_INT(kt_ledger_debit(f.st, &rf, (kt_member_id)a, 130, "program", true, NULL, &f.err), KT_OK);
    kt_balance bal;
    KT_CHECK_INT(kt_ledger_balance(f.st, (kt_member_id)a, rf.day, 30, &bal, &f.err), KT_OK);
    KT_CHECK_INT(bal.balance, -30);
    /* the next accrual pays the debt first */
    KT_CHECK_INT(kt_ledger_credit(f.st, &cr, (kt_member_id)a, 10, "program", cr.day, KT_DAY_NONE, NULL, &f.err), KT_OK);
    KT_CHECK_INT(kt_ledger_balance(f.st, (kt_member_id)a, rf.day, 30, &bal, &f.err), KT_OK);
    KT_CHECK_INT(bal.balance, -20);
    KT_CHECK_INT(bal.available, 0);
    KT_CHECK_INT(kt_ledger_credit(f.st, &cr, (kt_member_id)b, 50, "supplier:Danone", cr.day, D(2026, 9, 1), NULL, &f.err), KT_OK);
    /* merge b (50) into a (-20): the survivor has 30, in one lot keeping its expiry */
    kt_points moved = 0;
    int64_t cards = 0;
    KT_CHECK_INT(kt_member_merge(f.st, a, b, "test", "duplicate", 5, &moved, &cards, &f.err), KT_OK);
    KT_CHECK_INT(moved, 50);
    KT_CHECK_INT(cards, 1);
    KT_CHECK_INT(kt_ledger_balance(f.st, (kt_member_id)a, rf.day, 365, &bal, &f.err), KT_OK);
    KT_CHECK_INT(bal.balance, 30);
    KT_CHECK_INT(bal.next_expiry, D(2026, 9, 1));
    int64_t found = 0;
    KT_CHECK_INT(kt_member_find(f.st, "2002", &found, &f.err), KT_OK);
    KT_CHECK_INT(found, a);
    KT_CHECK_INT(kt_member_merge(f.st, a, b, "test", NULL, 6, NULL, NULL, &f.err), KT_ECONFLICT);
    KT_CHECK_INT(kt_store_commit(f.st, &f.err), KT_OK);
    KT_CHECK_INT(check_count(&f), 0);
    fx_close(&f);
}

KT_TEST(ledger_check_catches_tampering) {
    fixture f;
    fx_open(&f);
    KT_CHECK_INT(kt_store_begin(f.st, &f.err), KT_OK);
    int64_t m = add_member(&f, "3001");
    kt_movement cr = mv_on(KT_TXN_ACCRUAL, D(2026, 1, 10));
    KT_CHECK_INT(kt_ledger_credit(f.st, &cr, (kt_member_id)m, 100, "program", cr.day, KT_DAY_NONE, NULL, &f.err), KT_OK);
    KT_CHECK_INT(kt_store_commit(f.st, &f.err), KT_OK);
    KT_CHECK_INT(check_count(&f), 0);
    /* a balance edited behind the ledger's back, and a lot remainder */
    sqlite3 *db;
    char path[128];
    snprintf(path, sizeof path, "%s/karta.db", f.dir);
    KT_CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    KT_CHECK(sqlite3_exec(db, "UPDATE members SET balance = balance + 7", NULL, NULL, NULL) == SQLITE_OK);
    KT_CHECK_INT(check_count(&f), 2); /* entries and lots both disagree with the balance */
    KT_CHECK(sqlite3_exec(db, "UPDATE members SET balance = balance - 7; UPDATE lots SET remaining = remaining - 1", NULL, NULL, NULL) == SQLITE_OK);
    KT_CHECK_INT(check_count(&f), 2); /* the lot against its entries, the member against the lots */
    /* entries are append-only */
    KT_CHECK(sqlite3_exec(db, "UPDATE ledger_entries SET points = points + 1", NULL, NULL, NULL) != SQLITE_OK);
    KT_CHECK(sqlite3_exec(db, "DELETE FROM ledger_entries", NULL, NULL, NULL) != SQLITE_OK);
    sqlite3_close(db);
    fx_close(&f);
}

/* Rows of one member's ledger as text, in order, ids replaced by their rank,
 * for comparing two members' ledgers. */
static void ledger_shape(fixture *f, int64_t m, char *out, size_t cap) {
    sqlite3 *db;
    char path[128], sql[512];
    snprintf(path, sizeof path, "%s/karta.db", f->dir);
    KT_CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    snprintf(sql, sizeof sql,
             "SELECT t.kind || ':' || COALESCE(a.code, 'member') || ':' || e.points || ':' || (e.lot_id IS NOT NULL)"
             " || ':' || COALESCE(l.remaining, '-') || ':' || COALESCE(l.expires_day, '-')"
             " FROM ledger_entries e JOIN ledger_txns t ON t.id = e.txn_id LEFT JOIN accounts a ON a.id = e.account_id"
             " LEFT JOIN lots l ON l.id = e.lot_id WHERE t.member_id = %lld ORDER BY e.id",
             (long long)m);
    sqlite3_stmt *s;
    KT_CHECK(sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK);
    size_t n = 0;
    out[0] = 0;
    while (sqlite3_step(s) == SQLITE_ROW) n += (size_t)snprintf(out + n, cap - n, "%s;", (const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(db);
}

static kt_points ledger_balance_of(fixture *f, int64_t m) {
    kt_balance b;
    KT_CHECK_INT(kt_ledger_balance(f->st, (kt_member_id)m, D(2026, 1, 5), 365, &b, &f->err), KT_OK);
    return b.balance;
}

/* kt_ledger_credits writes what the same credits one by one would: each its
 * own transaction and lot, a debt repaid by the first, one balance. */
KT_TEST(ledger_credits_as_one_by_one) {
    fixture f;
    fx_open(&f);
    KT_CHECK_INT(kt_store_begin(f.st, &f.err), KT_OK);
    int64_t a = add_member(&f, "4001"), b = add_member(&f, "4002");
    kt_movement cr = mv_on(KT_TXN_ACCRUAL, D(2026, 1, 10)), rf = mv_on(KT_TXN_REFUND, D(2026, 1, 11));
    kt_credit cs[] = {{"program", 20, D(2026, 1, 10), D(2026, 6, 30)},
                      {"partner:Shell", 25, D(2026, 1, 24), KT_DAY_NONE},
                      {"supplier:Danone", 40, D(2026, 1, 10), D(2026, 3, 31)}};
    for (int i = 0; i < 2; i++) {
        kt_member_id m = (kt_member_id)(i ? b : a);
        KT_CHECK_INT(kt_ledger_credit(f.st, &cr, m, 10, "program", cr.day, KT_DAY_NONE, NULL, &f.err), KT_OK);
        KT_CHECK_INT(kt_ledger_debit(f.st, &rf, m, 40, "program", true, NULL, &f.err), KT_OK); /* a debt of 30 */
    }
    int64_t txns[3] = {0};
    KT_CHECK_INT(kt_ledger_credits(f.st, &cr, (kt_member_id)a, cs, 3, txns, &f.err), KT_OK);
    KT_CHECK(txns[0] > 0 && txns[1] > txns[0] && txns[2] > txns[1]);
    for (int i = 0; i < 3; i++)
        KT_CHECK_INT(kt_ledger_credit(f.st, &cr, (kt_member_id)b, cs[i].points, cs[i].funder, cs[i].available_day,
                                      cs[i].expires_day, NULL, &f.err), KT_OK);
    /* no credits: nothing written */
    KT_CHECK_INT(kt_ledger_credits(f.st, &cr, (kt_member_id)a, cs, 0, NULL, &f.err), KT_OK);
    KT_CHECK_INT(kt_store_commit(f.st, &f.err), KT_OK);
    kt_balance ba, bb;
    KT_CHECK_INT(kt_ledger_balance(f.st, (kt_member_id)a, D(2026, 1, 30), 365, &ba, &f.err), KT_OK);
    KT_CHECK_INT(kt_ledger_balance(f.st, (kt_member_id)b, D(2026, 1, 30), 365, &bb, &f.err), KT_OK);
    KT_CHECK_INT(ba.balance, 55); /* 85 credited, 30 of it repaying the debt */
    KT_CHECK_INT(ba.balance, bb.balance);
    KT_CHECK_INT(ba.available, bb.available);
    KT_CHECK_INT(ba.next_expiry, bb.next_expiry);
    char sa[2048], sb[2048];
    ledger_shape(&f, a, sa, sizeof sa);
    ledger_shape(&f, b, sb, sizeof sb);
    KT_CHECK_STR(sa, sb);
    /* the first credit repays the debt: 20 to the debt, no lot */
    KT_CHECK(strstr(sa, "accrual:member:20:0:-:-;accrual:program:-20:0:-:-;") != NULL);
    /* without debt the lot's entry, then the counter-account's */
    char want[128];
    snprintf(want, sizeof want, ";accrual:member:40:1:40:%d;accrual:supplier:Danone:-40:0:-:-;", (int)D(2026, 3, 31));
    KT_CHECK(strstr(sa, want) != NULL);
    KT_CHECK_INT(check_count(&f), 0);
    /* a bad credit among good ones fails the call; the caller rolls back */
    kt_credit bad[] = {{"program", 5, D(2026, 1, 10), KT_DAY_NONE}, {"program", 0, D(2026, 1, 10), KT_DAY_NONE}};
    KT_CHECK_INT(kt_store_begin(f.st, &f.err), KT_OK);
    KT_CHECK_INT(kt_ledger_credits(f.st, &cr, (kt_member_id)a, bad, 2, NULL, &f.err), KT_EINVAL);
    kt_store_rollback(f.st);
    KT_CHECK_INT(kt_ledger_balance(f.st, (kt_member_id)a, D(2026, 1, 30), 365, &ba, &f.err), KT_OK);
    KT_CHECK_INT(ba.balance, 55);
    fx_close(&f);
}

/* An import's bulk opening balance writes what kt_ledger_credit writes, and
 * the range check passes the members it opened (and a debtor), but aborts on
 * a member whose balance disagrees with the lots. */
KT_TEST(ledger_open_new_as_credit) {
    fixture f;
    fx_open(&f);
    KT_CHECK_INT(kt_store_begin(f.st, &f.err), KT_OK);
    int64_t a = add_member(&f, "5001"), b = add_member(&f, "5002"), c = add_member(&f, "5003");
    kt_movement op = mv_on(KT_TXN_OPENING, D(2026, 1, 5));
    int64_t opening = 0;
    KT_CHECK_INT(kt_ledger_account(f.st, "opening", &opening, &f.err), KT_OK);
    KT_CHECK_INT(kt_ledger_open_new(f.st, &op, (kt_member_id)a, opening, 300, D(2026, 12, 31), &f.err), KT_OK);
    KT_CHECK_INT(kt_ledger_open_new(f.st, &op, (kt_member_id)a, opening, 45, KT_DAY_NONE, &f.err), KT_OK);
    KT_CHECK_INT(kt_ledger_credit(f.st, &op, (kt_member_id)b, 300, "opening", op.day, D(2026, 12, 31), NULL, &f.err), KT_OK);
    KT_CHECK_INT(kt_ledger_credit(f.st, &op, (kt_member_id)b, 45, "opening", op.day, KT_DAY_NONE, NULL, &f.err), KT_OK);
    /* refused as kt_ledger_credit refuses, before writing */
    KT_CHECK_INT(kt_ledger_open_new(f.st, &op, (kt_member_id)a, opening, 0, KT_DAY_NONE, &f.err), KT_EINVAL);
    KT_CHECK_INT(kt_ledger_open_new(f.st, &op, (kt_member_id)a, opening, 5, D(2026, 1, 4), &f.err), KT_EINVAL);
    KT_CHECK_STR(f.err.field, "expires");
    /* a debtor in the range: its invariant is the other form (negative, no open lot) */
    kt_movement rf = mv_on(KT_TXN_REFUND, D(2026, 1, 6));
    KT_CHECK_INT(kt_ledger_debit(f.st, &rf, (kt_member_id)c, 70, "program", true, NULL, &f.err), KT_OK);
    KT_CHECK_INT(kt_ledger_check_members(f.st, (kt_member_id)a, (kt_member_id)c, &f.err), KT_OK);
    KT_CHECK_INT(kt_store_commit(f.st, &f.err), KT_OK);
    char sa[2048], sb[2048];
    ledger_shape(&f, a, sa, sizeof sa);
    ledger_shape(&f, b, sb, sizeof sb);
    KT_CHECK_STR(sa, sb);
    char want[128];
    snprintf(want, sizeof want, "opening:member:300:1:300:%d;opening:opening:-300:0:-:-;", (int)D(2026, 12, 31));
    KT_CHECK(strstr(sa, want) != NULL);
    kt_balance ba, bb;
    KT_CHECK_INT(kt_ledger_balance(f.st, (kt_member_id)a, D(2026, 1, 5), 365, &ba, &f.err), KT_OK);
    KT_CHECK_INT(kt_ledger_balance(f.st, (kt_member_id)b, D(2026, 1, 5), 365, &bb, &f.err), KT_OK);
    KT_CHECK_INT(ba.balance, 345);
    KT_CHECK_INT(ba.available, bb.available);
    KT_CHECK_INT(ba.next_expiry, bb.next_expiry);
    KT_CHECK_INT(check_count(&f), 0);
    /* in a child, on its own connection, in a transaction never committed:
     * one more consistent opening passes the check; a balance moved without
     * a lot makes it abort */
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        kt_store *st;
        kt_err err;
        if (kt_store_open(f.dir, 0, &st, &err) || kt_store_begin(st, &err)) _exit(2);
        if (kt_ledger_open_new(st, &op, (kt_member_id)b, opening, 1, KT_DAY_NONE, &err)) _exit(3);
        if (kt_ledger_check_members(st, (kt_member_id)a, (kt_member_id)c, &err)) _exit(4);
        kt_val v[] = {KT_VI(b), KT_VI(1), KT_VI(0)};
        if (kt_store_exec(st, KT_Q_MEMBER_BALANCE_ADD, v, 3, &err)) _exit(5);
        kt_ledger_check_members(st, (kt_member_id)a, (kt_member_id)c, &err);
        _exit(0);
    }
    int status = 0;
    KT_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    KT_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    KT_CHECK_INT(ledger_balance_of(&f, b), 345); /* nothing of the child's landed */
    fx_close(&f);
}
