/* test_gen.c - src/gen (`karta gen`): same options give the same bytes; the
 * files hold what docs/formats.md promises (row counts, cards of existing
 * members, receipt totals, amounts within qty x price, returns of earlier
 * sales of the same store, duplicates, 29 February birthdays, the no-card and
 * return shares, consents only on reachable channels); bad options and
 * existing files are refused. One small chain is generated once and read back
 * with a CSV splitter written here, not with the code under test. */
#include "t.h"
#include "core/date.h"
#include "core/text.h"
#include "gen/gen.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- reading the files back ------------------------------------------------------- */

typedef struct table {
    size_t nrows, ncols;   /* data rows; header not counted */
    char **cells;          /* nrows * ncols, NUL-terminated, unquoted */
    char *header;          /* the header line as written */
    bool ragged;           /* a row had another number of fields */
} table;

static char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (n == cap) buf = realloc(buf, cap *= 2);
        size_t got = fread(buf + n, 1, cap - n, f);
        if (!got) break;
        n += got;
    }
    fclose(f);
    buf = realloc(buf, n + 1);
    buf[n] = 0;
    *len = n;
    return buf;
}

/* RFC 4180 with LF line ends, enough for what the generator writes. */
static bool table_load(table *t, const char *dir, const char *name) {
    memset(t, 0, sizeof *t);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len;
    char *data = read_all(path, &len);
    if (!data) return false;
    char *nl = strchr(data, '\n');
    if (!nl) { free(data); return false; }
    t->header = strndup(data, (size_t)(nl - data));
    t->ncols = 1;
    for (char *c = t->header; *c; c++) t->ncols += *c == ',';
    size_t cap = 1024;
    t->cells = malloc(cap * sizeof *t->cells);
    size_t ncells = 0, in_row = 0;
    char field[4096];
    size_t fl = 0;
    bool quoted = false;
    for (char *p = nl + 1; p < data + len; p++) {
        char c = *p;
        if (quoted) {
            if (c == '"' && p[1] == '"') { field[fl++] = '"'; p++; }
            else if (c == '"') quoted = false;
            else field[fl++] = c;
            continue;
        }
        if (c == '"') { quoted = true; continue; }
        if (c == ',' || c == '\n') {
            if (ncells == cap) t->cells = realloc(t->cells, (cap *= 2) * sizeof *t->cells);
            t->cells[ncells++] = strndup(field, fl);
            fl = 0;
            in_row++;
            if (c == '\n') {
                if (in_row != t->ncols) t->ragged = true;
                in_row = 0;
                t->nrows++;
            }
            continue;
        }
        field[fl++] = c;
    }
    if (in_row || fl) t->ragged = true; /* the file must end with LF */
    free(data);
    if (ncells != t->nrows * t->ncols) t->ragged = true;
    return true;
}

static void table_free(table *t) {
    size_t n = t->nrows * t->ncols;
    for (size_t i = 0; i < n && t->cells; i++) free(t->cells[i]);
    free(t->cells);
    free(t->header);
    memset(t, 0, sizeof *t);
}

static const char *cell(const table *t, size_t row, size_t col) { return t->cells[row * t->ncols + col]; }

static int column(const table *t, const char *name) {
    size_t n = strlen(name);
    const char *h = t->header;
    for (int i = 0;; i++) {
        const char *e = strchr(h, ',');
        size_t l = e ? (size_t)(e - h) : strlen(h);
        if (l == n && memcmp(h, name, n) == 0) return i;
        if (!e) return -1;
        h = e + 1;
    }
}

/* "1234.50" -> 123450; "0.532" (qty) -> 532 with three decimals. */
static int64_t fixed(const char *s, int decimals) {
    int64_t v = 0;
    int frac = -1;
    for (; *s; s++) {
        if (*s == '.') { frac = 0; continue; }
        v = v * 10 + (*s - '0');
        if (frac >= 0) frac++;
    }
    if (frac < 0) frac = 0;
    for (; frac < decimals; frac++) v *= 10;
    return v;
}

/* ---- the fixture: one small chain, generated once ----------------------------------- */

#define FIX_MEMBERS 3000
#define FIX_STORES 12
#define FIX_PRODUCTS 400
#define FIX_DAYS 60

static char fix_dir[256];
static kt_gen_report fix_report;
static kt_rc fix_rc = KT_EINTERNAL;

static void make_temp_dir(char *out, size_t size) {
    const char *tmp = getenv("TMPDIR");
    snprintf(out, size, "%s/karta-gen-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(out)) { perror("mkdtemp"); abort(); }
}

static void remove_dir(const char *dir) {
    for (int f = 0; f < KT_GEN_FILE_COUNT; f++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, kt_gen_file_name((kt_gen_file)f));
        unlink(path);
    }
    rmdir(dir);
}

static void fix_options(kt_gen_options *o, const char *dir) {
    kt_gen_defaults(o);
    o->out_dir = dir;
    o->members = FIX_MEMBERS;
    o->stores = FIX_STORES;
    o->products = FIX_PRODUCTS;
    o->days = FIX_DAYS;
    o->seed = 7;
}

static void fixture_cleanup(void) {
    if (fix_dir[0]) remove_dir(fix_dir);
}

static const char *fixture(void) {
    if (fix_dir[0]) return fix_rc == KT_OK ? fix_dir : NULL;
    make_temp_dir(fix_dir, sizeof fix_dir);
    atexit(fixture_cleanup);
    kt_gen_options o;
    fix_options(&o, fix_dir);
    kt_err err;
    kt_err_clear(&err);
    fix_rc = kt_gen_run(&o, &fix_report, &err);
    if (fix_rc) fprintf(stderr, "  kt_gen_run: %s: %s\n", err.field, err.msg);
    return fix_rc == KT_OK ? fix_dir : NULL;
}

static bool same_file(const char *a_dir, const char *b_dir, const char *name) {
    char a[1024], b[1024];
    snprintf(a, sizeof a, "%s/%s", a_dir, name);
    snprintf(b, sizeof b, "%s/%s", b_dir, name);
    size_t la, lb;
    char *x = read_all(a, &la), *y = read_all(b, &lb);
    bool same = x && y && la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

/* ---- tests ---------------------------------------------------------------------------- */

KT_TEST(gen_same_options_same_bytes) {
    const char *dir = fixture();
    KT_CHECK(dir != NULL);
    if (!dir) return;
    char again[256], other[256];
    make_temp_dir(again, sizeof again);
    make_temp_dir(other, sizeof other);
    kt_gen_options o;
    kt_err err;
    fix_options(&o, again);
    KT_CHECK_INT(kt_gen_run(&o, NULL, &err), KT_OK);
    fix_options(&o, other);
    o.seed = 8;
    KT_CHECK_INT(kt_gen_run(&o, NULL, &err), KT_OK);
    for (int f = 0; f < KT_GEN_FILE_COUNT; f++) {
        const char *name = kt_gen_file_name((kt_gen_file)f);
        if (!same_file(dir, again, name)) {
            fprintf(stderr, "  %s differs between two runs\n", name);
            KT_CHECK(false);
        }
    }
    /* The catalogue tree is fixed; what the seed drives changes. */
    KT_CHECK(same_file(dir, other, "categories.csv"));
    KT_CHECK(!same_file(dir, other, "members.csv"));
    KT_CHECK(!same_file(dir, other, "receipt_lines.csv"));
    remove_dir(again);
    remove_dir(other);
}

KT_TEST(gen_headers_and_row_counts) {
    const char *dir = fixture();
    if (!dir) { KT_CHECK(dir != NULL); return; }
    static const char *const headers[KT_GEN_FILE_COUNT] = {
        "code,name,parent",
        "code,name,city,region,timezone,partner,opened",
        "sku,name,category,brand,supplier,price,unit,alcohol,tobacco",
        ("member,name,sex,birth_date,city,region,family_status,children,car,phone,email,registered,reg_store,"
         "favourite_category"),
        "card,member,state,issued",
        "member,channel,granted,at,source",
        "member,points,expires",
        "receipt,store,time,card,kind,original,total",
        "receipt,store,line,sku,qty,price,amount",
    };
    for (int f = 0; f < KT_GEN_FILE_COUNT; f++) {
        table t;
        KT_CHECK(table_load(&t, dir, kt_gen_file_name((kt_gen_file)f)));
        KT_CHECK_STR(t.header, headers[f]);
        KT_CHECK(!t.ragged);
        KT_CHECK_INT(t.nrows, fix_report.rows[f]);
        KT_CHECK(t.nrows > 0);
        table_free(&t);
    }
    KT_CHECK_INT(fix_report.rows[KT_GEN_MEMBERS], FIX_MEMBERS);
    KT_CHECK_INT(fix_report.rows[KT_GEN_STORES], FIX_STORES);
    KT_CHECK_INT(fix_report.rows[KT_GEN_PRODUCTS], FIX_PRODUCTS);
    KT_CHECK(fix_report.rows[KT_GEN_CARDS] >= FIX_MEMBERS);
    /* About 6 lines per receipt. */
    uint64_t lines = fix_report.rows[KT_GEN_RECEIPT_LINES], receipts = fix_report.rows[KT_GEN_RECEIPTS];
    KT_CHECK(lines > receipts * 4 && lines < receipts * 9);
}

KT_TEST(gen_categories_are_a_three_level_tree) {
    const char *dir = fixture();
    if (!dir) { KT_CHECK(dir != NULL); return; }
    table c, p;
    KT_CHECK(table_load(&c, dir, "categories.csv"));
    KT_CHECK(table_load(&p, dir, "products.csv"));
    size_t levels[4] = {0};
    for (size_t i = 0; i < c.nrows; i++) {
        const char *code = cell(&c, i, 0), *parent = cell(&c, i, 2);
        size_t len = strlen(code);
        KT_CHECK(len == 3 || len == 5 || len == 7);
        levels[(len - 1) / 2]++;
        if (len == 3) { KT_CHECK_STR(parent, ""); continue; }
        KT_CHECK(strlen(parent) == len - 2 && strncmp(parent, code, len - 2) == 0);
        bool found = false; /* parents come first */
        for (size_t j = 0; j < i && !found; j++) found = strcmp(cell(&c, j, 0), parent) == 0;
        KT_CHECK(found);
    }
    KT_CHECK(levels[1] >= 8 && levels[1] <= 12);
    KT_CHECK(levels[2] >= levels[1] * 4);
    KT_CHECK(levels[3] >= levels[2] * 3);
    /* Products sit on leaves; alcohol and tobacco exist. */
    int cat = column(&p, "category"), alc = column(&p, "alcohol"), tob = column(&p, "tobacco"), unit = column(&p, "unit");
    size_t nalc = 0, ntob = 0, nkg = 0;
    for (size_t i = 0; i < p.nrows; i++) {
        KT_CHECK_INT(strlen(cell(&p, i, (size_t)cat)), 7);
        nalc += strcmp(cell(&p, i, (size_t)alc), "1") == 0;
        ntob += strcmp(cell(&p, i, (size_t)tob), "1") == 0;
        nkg += strcmp(cell(&p, i, (size_t)unit), "kg") == 0;
        KT_CHECK(strcmp(cell(&p, i, (size_t)unit), "kg") == 0 || strcmp(cell(&p, i, (size_t)unit), "pcs") == 0);
    }
    KT_CHECK(nalc > 0);
    KT_CHECK(ntob > 0);
    KT_CHECK(nkg > 0);
    table_free(&c);
    table_free(&p);
}

static int luhn_ok(const char *s) {
    size_t n = strlen(s);
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned v = (unsigned)(s[n - 1 - i] - '0');
        if (i % 2) { v *= 2; if (v > 9) v -= 9; }
        sum += v;
    }
    return sum % 10 == 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static bool in_sorted(char **v, size_t n, const char *key) {
    return bsearch(&key, v, n, sizeof *v, cmp_str) != NULL;
}

KT_TEST(gen_cards_belong_to_members) {
    const char *dir = fixture();
    if (!dir) { KT_CHECK(dir != NULL); return; }
    table m, c;
    KT_CHECK(table_load(&m, dir, "members.csv"));
    KT_CHECK(table_load(&c, dir, "cards.csv"));
    char **ids = malloc(m.nrows * sizeof *ids);
    for (size_t i = 0; i < m.nrows; i++) ids[i] = (char *)cell(&m, i, 0);
    qsort(ids, m.nrows, sizeof *ids, cmp_str);
    char **cards = malloc(c.nrows * sizeof *cards);
    size_t bad_member = 0, bad_number = 0, states[4] = {0};
    for (size_t i = 0; i < c.nrows; i++) {
        const char *card = cell(&c, i, 0), *state = cell(&c, i, 2);
        cards[i] = (char *)card;
        if (!in_sorted(ids, m.nrows, cell(&c, i, 1))) bad_member++;
        if (strlen(card) != 16 || strncmp(card, "7800", 4) != 0 || !luhn_ok(card)) bad_number++;
        if (!strcmp(state, "issued")) states[0]++;
        else if (!strcmp(state, "active")) states[1]++;
        else if (!strcmp(state, "inactive")) states[2]++;
        else if (!strcmp(state, "blocked")) states[3]++;
        else KT_CHECK(false);
    }
    KT_CHECK_INT(bad_member, 0);
    KT_CHECK_INT(bad_number, 0);
    KT_CHECK(states[0] && states[1] && states[2] && states[3]);
    qsort(cards, c.nrows, sizeof *cards, cmp_str);
    size_t dups = 0;
    for (size_t i = 1; i < c.nrows; i++) dups += strcmp(cards[i - 1], cards[i]) == 0;
    KT_CHECK_INT(dups, 0);
    /* Members ids are unique too. */
    dups = 0;
    for (size_t i = 1; i < m.nrows; i++) dups += strcmp(ids[i - 1], ids[i]) == 0;
    KT_CHECK_INT(dups, 0);
    free(ids);
    free(cards);
    table_free(&m);
    table_free(&c);
}

/* Receipts keyed "store/receipt" for lookups. */
typedef struct rkey { char key[48]; size_t row; } rkey;
static int cmp_rkey(const void *a, const void *b) { return strcmp(((const rkey *)a)->key, ((const rkey *)b)->key); }

KT_TEST(gen_receipts_add_up) {
    const char *dir = fixture();
    if (!dir) { KT_CHECK(dir != NULL); return; }
    table r, l, p, s;
    KT_CHECK(table_load(&r, dir, "receipts.csv"));
    KT_CHECK(table_load(&l, dir, "receipt_lines.csv"));
    KT_CHECK(table_load(&p, dir, "products.csv"));
    KT_CHECK(table_load(&s, dir, "stores.csv"));
    /* Lines come right after their receipt's predecessor's lines, in receipt order. */
    size_t li = 0, bad_total = 0, bad_amount = 0, bad_price = 0, bad_line_no = 0, bad_sku = 0, bad_qty = 0, bad_offset = 0;
    size_t nlines_max = 0;
    for (size_t i = 0; i < r.nrows; i++) {
        const char *no = cell(&r, i, 0), *store = cell(&r, i, 1);
        int64_t sum = 0;
        size_t n = 0;
        while (li < l.nrows && !strcmp(cell(&l, li, 0), no) && !strcmp(cell(&l, li, 1), store)) {
            n++;
            if (fixed(cell(&l, li, 2), 0) != (int64_t)n) bad_line_no++;
            const char *sku = cell(&l, li, 3);
            long idx = strtol(sku + 1, NULL, 10) - 1;
            if (sku[0] != 'P' || idx < 0 || (size_t)idx >= p.nrows || strcmp(cell(&p, (size_t)idx, 0), sku)) {
                bad_sku++;
            } else {
                bool kg = !strcmp(cell(&p, (size_t)idx, 6), "kg");
                const char *qs = cell(&l, li, 4);
                if (kg != (strchr(qs, '.') != NULL) || (kg && strlen(strchr(qs, '.')) != 4)) bad_qty++;
                if (strcmp(cell(&p, (size_t)idx, 5), cell(&l, li, 5))) bad_price++; /* the shelf price */
            }
            int64_t price = fixed(cell(&l, li, 5), 2), amount = fixed(cell(&l, li, 6), 2);
            int64_t qty_milli = fixed(cell(&l, li, 4), 3);
            int64_t full = (qty_milli * price + 500) / 1000; /* qty x price rounded to kopecks */
            if (amount > full || amount <= 0) bad_amount++;
            sum += amount;
            li++;
        }
        if (n > nlines_max) nlines_max = n;
        if (n == 0 || sum != fixed(cell(&r, i, 6), 2)) bad_total++;
        /* The time carries the store's offset. */
        long sidx = strtol(store + 1, NULL, 10) - 1;
        const char *zone = cell(&s, (size_t)sidx, 4), *t = cell(&r, i, 2);
        int off;
        kt_err err;
        KT_CHECK_INT(kt_zone_offset(zone, &off, &err, "timezone"), KT_OK);
        char want[32];
        snprintf(want, sizeof want, "%c%02d:%02d", off < 0 ? '-' : '+', abs(off) / 60, abs(off) % 60);
        if (strlen(t) != 25 || strcmp(t + 19, want)) bad_offset++;
    }
    KT_CHECK_INT(li, l.nrows);
    KT_CHECK_INT(bad_total, 0);
    KT_CHECK_INT(bad_amount, 0);
    KT_CHECK_INT(bad_price, 0);
    KT_CHECK_INT(bad_line_no, 0);
    KT_CHECK_INT(bad_sku, 0);
    KT_CHECK_INT(bad_qty, 0);
    KT_CHECK_INT(bad_offset, 0);
    KT_CHECK(nlines_max <= KT_GEN_RECEIPT_LINES_MAX);
    table_free(&r);
    table_free(&l);
    table_free(&p);
    table_free(&s);
}

KT_TEST(gen_returns_refer_to_earlier_sales) {
    const char *dir = fixture();
    if (!dir) { KT_CHECK(dir != NULL); return; }
    table r;
    KT_CHECK(table_load(&r, dir, "receipts.csv"));
    rkey *keys = malloc(r.nrows * sizeof *keys);
    for (size_t i = 0; i < r.nrows; i++) {
        snprintf(keys[i].key, sizeof keys[i].key, "%s/%s", cell(&r, i, 1), cell(&r, i, 0));
        keys[i].row = i;
    }
    qsort(keys, r.nrows, sizeof *keys, cmp_rkey);
    size_t dup_numbers = 0;
    for (size_t i = 1; i < r.nrows; i++) dup_numbers += strcmp(keys[i - 1].key, keys[i].key) == 0;
    KT_CHECK_INT(dup_numbers, 0);
    size_t returns = 0, nocard = 0, bad = 0;
    for (size_t i = 0; i < r.nrows; i++) {
        const char *kind = cell(&r, i, 4), *orig = cell(&r, i, 5);
        nocard += !cell(&r, i, 3)[0];
        if (!strcmp(kind, "sale")) { if (orig[0]) bad++; continue; }
        KT_CHECK_STR(kind, "return");
        returns++;
        rkey k;
        snprintf(k.key, sizeof k.key, "%s/%s", cell(&r, i, 1), orig);
        rkey *hit = bsearch(&k, keys, r.nrows, sizeof *keys, cmp_rkey);
        if (!hit || hit->row >= i || strcmp(cell(&r, hit->row, 4), "sale") ||
            strcmp(cell(&r, hit->row, 3), cell(&r, i, 3)) ||   /* same card (or none) */
            strcmp(cell(&r, hit->row, 2), cell(&r, i, 2)) >= 0 ||
            fixed(cell(&r, hit->row, 6), 2) < fixed(cell(&r, i, 6), 2))
            bad++;
    }
    KT_CHECK_INT(bad, 0);
    KT_CHECK_INT(returns, fix_report.returns);
    KT_CHECK_INT(nocard, fix_report.receipts_without_card);
    /* About 1% returns and 5% without a card. */
    double rs = (double)returns / (double)r.nrows, ns = (double)nocard / (double)r.nrows;
    if (rs < 0.006 || rs > 0.016) fprintf(stderr, "  return share %.4f\n", rs);
    if (ns < 0.035 || ns > 0.065) fprintf(stderr, "  no-card share %.4f\n", ns);
    KT_CHECK(rs >= 0.006 && rs <= 0.016);
    KT_CHECK(ns >= 0.035 && ns <= 0.065);
    free(keys);
    table_free(&r);
}

KT_TEST(gen_members_duplicates_and_birthdays) {
    const char *dir = fixture();
    if (!dir) { KT_CHECK(dir != NULL); return; }
    table m;
    KT_CHECK(table_load(&m, dir, "members.csv"));
    int name = column(&m, "name"), birth = column(&m, "birth_date"), phone = column(&m, "phone"),
        email = column(&m, "email"), sex = column(&m, "sex");
    rkey *keys = malloc(m.nrows * sizeof *keys);
    size_t feb29 = 0, bad_phone = 0, bad_email = 0, formats_seen = 0, no_sex = 0;
    bool fmt[4] = {false};
    for (size_t i = 0; i < m.nrows; i++) {
        snprintf(keys[i].key, sizeof keys[i].key, "%.30s|%s", cell(&m, i, (size_t)birth), cell(&m, i, (size_t)name));
        keys[i].row = i;
        feb29 += strlen(cell(&m, i, (size_t)birth)) == 10 && !strcmp(cell(&m, i, (size_t)birth) + 4, "-02-29");
        no_sex += !cell(&m, i, (size_t)sex)[0];
        char out[KT_EMAIL_MAX];
        kt_err err;
        const char *ph = cell(&m, i, (size_t)phone), *em = cell(&m, i, (size_t)email);
        if (ph[0] && kt_phone_normalise(ph, out, &err, "phone")) bad_phone++;
        if (em[0] && kt_email_normalise(em, out, &err, "email")) bad_email++;
        fmt[0] |= ph[0] == '8' && ph[1] == ' ';
        fmt[1] |= ph[0] == '+' && ph[2] == ' ';
        fmt[2] |= ph[0] == '7' && strlen(ph) == 11;
        fmt[3] |= strchr(em, ' ') != NULL;
    }
    for (int k = 0; k < 4; k++) formats_seen += fmt[k];
    KT_CHECK_INT(bad_phone, 0); /* not --dirty: every phone and e-mail is valid */
    KT_CHECK_INT(bad_email, 0);
    KT_CHECK_INT(formats_seen, 4);
    KT_CHECK(no_sex > 0);
    if (feb29 < 3) fprintf(stderr, "  only %zu members born on 29 February\n", feb29);
    KT_CHECK(feb29 >= 3);
    /* Duplicates: same name and birth date, the same phone or e-mail once normalised. */
    qsort(keys, m.nrows, sizeof *keys, cmp_rkey);
    size_t pairs = 0, linked = 0, written_apart = 0;
    for (size_t i = 1; i < m.nrows; i++) {
        if (strcmp(keys[i - 1].key, keys[i].key) || keys[i].key[0] == '|') continue;
        pairs++;
        size_t a = keys[i - 1].row, b = keys[i].row;
        char x[KT_EMAIL_MAX], y[KT_EMAIL_MAX];
        kt_err err;
        const char *pa = cell(&m, a, (size_t)phone), *pb = cell(&m, b, (size_t)phone);
        const char *ea = cell(&m, a, (size_t)email), *eb = cell(&m, b, (size_t)email);
        bool same_phone = pa[0] && pb[0] && !kt_phone_normalise(pa, x, &err, "phone") &&
                          !kt_phone_normalise(pb, y, &err, "phone") && !strcmp(x, y);
        bool same_email = ea[0] && eb[0] && !kt_email_normalise(ea, x, &err, "email") &&
                          !kt_email_normalise(eb, y, &err, "email") && !strcmp(x, y);
        linked += same_phone || same_email;
        written_apart += (same_phone && strcmp(pa, pb)) || (same_email && strcmp(ea, eb));
    }
    KT_CHECK_INT(pairs, fix_report.duplicate_members);
    KT_CHECK_INT(linked, pairs);
    KT_CHECK(written_apart * 10 >= pairs * 9); /* a different format or case, nearly always */
    KT_CHECK(pairs >= FIX_MEMBERS / 200 && pairs <= FIX_MEMBERS / 50);
    free(keys);
    table_free(&m);
}

KT_TEST(gen_consents_only_on_reachable_channels) {
    const char *dir = fixture();
    if (!dir) { KT_CHECK(dir != NULL); return; }
    table m, c, b;
    KT_CHECK(table_load(&m, dir, "members.csv"));
    KT_CHECK(table_load(&c, dir, "consents.csv"));
    KT_CHECK(table_load(&b, dir, "balances.csv"));
    int phone = column(&m, "phone"), email = column(&m, "email");
    size_t bad = 0, withdrawals = 0;
    for (size_t i = 0; i < c.nrows; i++) {
        long idx = strtol(cell(&c, i, 0) + 1, NULL, 10) - 1;
        if (idx < 0 || (size_t)idx >= m.nrows) { bad++; continue; }
        const char *ch = cell(&c, i, 1), *at = cell(&c, i, 3), *src = cell(&c, i, 4);
        if ((!strcmp(ch, "sms") || !strcmp(ch, "viber")) && !cell(&m, (size_t)idx, (size_t)phone)[0]) bad++;
        if (!strcmp(ch, "email") && !cell(&m, (size_t)idx, (size_t)email)[0]) bad++;
        if (strcmp(ch, "sms") && strcmp(ch, "email") && strcmp(ch, "push") && strcmp(ch, "viber")) bad++;
        if (strcmp(src, "registration") && strcmp(src, "support") && strcmp(src, "app") && strcmp(src, "store")) bad++;
        if (strlen(at) != 25 || at[10] != 'T') bad++;
        /* A withdrawal follows a grant of the same channel, later. */
        if (!strcmp(cell(&c, i, 2), "0") && i > 0 && !strcmp(cell(&c, i - 1, 0), cell(&c, i, 0)) &&
            !strcmp(cell(&c, i - 1, 1), ch) && !strcmp(cell(&c, i - 1, 2), "1")) {
            withdrawals++;
            if (strcmp(cell(&c, i - 1, 3), at) >= 0) bad++;
        }
    }
    KT_CHECK_INT(bad, 0);
    KT_CHECK(withdrawals > 0);
    /* Opening balances for about 30% of those registered before the period. */
    KT_CHECK(b.nrows > FIX_MEMBERS / 6 && b.nrows < FIX_MEMBERS / 2);
    table_free(&m);
    table_free(&c);
    table_free(&b);
}

KT_TEST(gen_refuses_to_overwrite) {
    const char *dir = fixture();
    if (!dir) { KT_CHECK(dir != NULL); return; }
    kt_gen_options o;
    fix_options(&o, dir);
    o.members = 10;
    o.days = 2;
    kt_err err;
    kt_err_clear(&err);
    KT_CHECK_INT(kt_gen_run(&o, NULL, &err), KT_EEXIST);
    KT_CHECK(strstr(err.field, "categories.csv") != NULL);
    /* Nothing was touched. */
    table m;
    KT_CHECK(table_load(&m, dir, "members.csv"));
    KT_CHECK_INT(m.nrows, FIX_MEMBERS);
    table_free(&m);
    /* --force writes into another directory's existing files just the same. */
    char other[256];
    make_temp_dir(other, sizeof other);
    o.out_dir = other;
    KT_CHECK_INT(kt_gen_run(&o, NULL, &err), KT_OK);
    KT_CHECK_INT(kt_gen_run(&o, NULL, &err), KT_EEXIST);
    o.force = true;
    kt_gen_report rep;
    KT_CHECK_INT(kt_gen_run(&o, &rep, &err), KT_OK);
    KT_CHECK_INT(rep.rows[KT_GEN_MEMBERS], 10);
    remove_dir(other);
}

KT_TEST(gen_rejects_bad_options) {
    kt_gen_options o;
    kt_err err;
    kt_gen_defaults(&o);
    KT_CHECK_INT(o.members, 10000);
    KT_CHECK_INT(o.stores, 20);
    KT_CHECK_INT(o.products, 2000);
    KT_CHECK_INT(o.days, 120);
    o.out_dir = "/nonexistent-karta-test";
    o.members = 0;
    KT_CHECK_INT(kt_gen_run(&o, NULL, &err), KT_EINVAL);
    KT_CHECK_STR(err.field, "members");
    o.members = 10;
    o.days = KT_GEN_DAYS_MAX + 1;
    KT_CHECK_INT(kt_gen_run(&o, NULL, &err), KT_EINVAL);
    KT_CHECK_STR(err.field, "days");
    o.days = 10;
    o.stores = 0;
    KT_CHECK_INT(kt_gen_run(&o, NULL, &err), KT_EINVAL);
    KT_CHECK_STR(err.field, "stores");
    o.stores = 3;
    o.products = KT_GEN_PRODUCTS_MAX + 1;
    KT_CHECK_INT(kt_gen_run(&o, NULL, &err), KT_EINVAL);
    KT_CHECK_STR(err.field, "products");
    o.products = 10;
    o.out_dir = NULL;
    KT_CHECK_INT(kt_gen_run(&o, NULL, &err), KT_EINVAL);
    KT_CHECK_STR(err.field, "out");
}

KT_TEST(gen_tiny_and_odd_sizes) {
    /* One member, one store, one product, one day; and fewer SKUs than leaves. */
    static const uint32_t sizes[][4] = {{1, 1, 1, 1}, {50, 3, 17, 9}, {200, 7, 250, 400}};
    for (size_t k = 0; k < KT_ARRAY_LEN(sizes); k++) {
        char dir[256];
        make_temp_dir(dir, sizeof dir);
        kt_gen_options o;
        kt_gen_defaults(&o);
        o.out_dir = dir;
        o.members = sizes[k][0];
        o.stores = sizes[k][1];
        o.products = sizes[k][2];
        o.days = sizes[k][3];
        o.dirty = true;
        kt_err err;
        kt_gen_report rep;
        KT_CHECK_INT(kt_gen_run(&o, &rep, &err), KT_OK);
        KT_CHECK_INT(rep.rows[KT_GEN_MEMBERS], sizes[k][0]);
        KT_CHECK_INT(rep.rows[KT_GEN_STORES], sizes[k][1]);
        KT_CHECK_INT(rep.rows[KT_GEN_PRODUCTS], sizes[k][2]);
        table l;
        KT_CHECK(table_load(&l, dir, "receipt_lines.csv"));
        KT_CHECK(!l.ragged);
        KT_CHECK_INT(l.nrows, rep.rows[KT_GEN_RECEIPT_LINES]);
        table_free(&l);
        remove_dir(dir);
    }
}
