/* test_cols.c - the column files: header layout, append and publish, abort
 * leaves nothing, month partitions, quantities; import of the Complete
 * Journey sample through a column map (skipped loudly without the data). */
#include "t.h"
#include "cols/cols.h"
#include "cols/cols_import.h"
#include "core/date.h"
#include "store/store.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char *temp_dir(void) {
    char tmpl[] = "/tmp/kt-cols-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

static void rm_rf(const char *dir) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) fprintf(stderr, "  could not remove %s\n", dir);
}

KT_TEST(cols_header_layout) {
    KT_CHECK_INT(sizeof(kt_col_header), 32);
    KT_CHECK_INT(offsetof(kt_col_header, rows), 16);
}

KT_TEST(cols_append_publish_scan) {
    char *dir = temp_dir();
    kt_err err = {0};
    kt_cols_writer *w;
    KT_CHECK_INT(kt_cols_writer_open(dir, &w, &err), KT_OK);
    uint32_t foreign;
    KT_CHECK_INT(kt_cols_writer_dict(w, KT_DICT_MEMBER, "H77", 3, &foreign, &err), KT_OK);
    KT_CHECK_INT(foreign, KT_COLS_FOREIGN | 0);
    kt_day jan = kt_day_from_civil(2026, 1, 31), feb = kt_day_from_civil(2026, 2, 1);
    /* 100000 receipts alternating two months: crosses the flush size */
    for (uint32_t i = 0; i < 100000; i++) {
        kt_cols_receipt_row r = {i + 1, i % 3 ? i % 50 + 1 : foreign, 1, i % 2 ? feb : jan, (uint16_t)(i % 1440), 0, (int64_t)i};
        KT_CHECK_INT(kt_cols_writer_receipt(w, &r, &err), KT_OK);
        kt_cols_line_row l = {i + 1, r.member, 1, 7, r.day, r.minute, 1000, (int64_t)i};
        KT_CHECK_INT(kt_cols_writer_line(w, &l, &err), KT_OK);
    }
    uint64_t nr = 0, nl = 0;
    KT_CHECK_INT(kt_cols_writer_commit(w, &nr, &nl, &err), KT_OK);
    KT_CHECK_INT(nr, 100000);
    KT_CHECK_INT(nl, 100000);

    kt_cols *c;
    KT_CHECK_INT(kt_cols_open(dir, &c, &err), KT_OK);
    KT_CHECK_INT(kt_cols_segment_count(c), 2);
    KT_CHECK_STR(kt_cols_segment_name(c, 0), "2026-01/seg-000001");
    KT_CHECK_STR(kt_cols_segment_name(c, 1), "2026-02/seg-000002");
    KT_CHECK_INT(kt_cols_member_op_max(c), 50);
    KT_CHECK_STR(kt_cols_dict_name(c, KT_DICT_MEMBER, foreign), "H77");
    int64_t sum = 0, lsum = 0;
    for (size_t s = 0; s < kt_cols_segment_count(c); s++) {
        kt_cols_receipts r;
        kt_cols_lines l;
        KT_CHECK_INT(kt_cols_map_receipts(c, s, &r, &err), KT_OK);
        KT_CHECK_INT(kt_cols_map_lines(c, s, &l, &err), KT_OK);
        KT_CHECK_INT(r.rows, 50000);
        for (size_t i = 0; i < r.rows; i++) {
            sum += r.amount[i];
            KT_CHECK(r.day[i] == (s ? feb : jan));
        }
        for (size_t i = 0; i < l.rows; i++) lsum += l.amount[i] + l.qty_milli[i] / 1000 - 1;
    }
    KT_CHECK_INT(sum, 4999950000LL);
    KT_CHECK_INT(lsum, 4999950000LL);
    kt_cols_close(c);

    /* an aborted second import leaves the published data and nothing else */
    KT_CHECK_INT(kt_cols_writer_open(dir, &w, &err), KT_OK);
    KT_CHECK_INT(kt_cols_writer_next_receipt(w), 100001);
    kt_cols_receipt_row r = {100001, 1, 1, kt_day_from_civil(2026, 3, 1), 0, 0, 5};
    KT_CHECK_INT(kt_cols_writer_receipt(w, &r, &err), KT_OK);
    kt_cols_writer_abort(w);
    KT_CHECK_INT(kt_cols_open(dir, &c, &err), KT_OK);
    KT_CHECK_INT(kt_cols_segment_count(c), 2);
    KT_CHECK_INT(kt_cols_receipt_rows(c), 100000);
    kt_cols_close(c);
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/cols/2026-03/.tmp-seg-000003", dir);
    KT_CHECK(stat(path, &st) != 0);

    /* a column file whose size disagrees with the manifest is refused */
    snprintf(path, sizeof path, "%s/cols/2026-01/seg-000001/r.amount", dir);
    KT_CHECK(truncate(path, 32 + 8) == 0);
    KT_CHECK_INT(kt_cols_open(dir, &c, &err), KT_OK);
    kt_cols_receipts rr;
    KT_CHECK_INT(kt_cols_map_receipts(c, 0, &rr, &err), KT_EINVAL);
    kt_cols_close(c);
    rm_rf(dir);
    free(dir);
}

/* Compact segments: lines keep receipt, SKU, quantity and amount (32 bits
 * until a value does not fit); member, store, day and minute come from the
 * receipt. Every read (whole segments, batches cut anywhere, mappings) gives
 * back the rows written; a segment is closed on a receipt only; a line that
 * does not follow its receipt is refused. */
/* Count the segments' l.amount files stored in 32 and in 64 bits. */
static void amount_types(const char *dir, const kt_cols *c, int *n32, int *n64) {
    *n32 = *n64 = 0;
    for (size_t s = 0; s < kt_cols_segment_count(c); s++) {
        char path[512];
        snprintf(path, sizeof path, "%s/cols/%s/l.amount", dir, kt_cols_segment_name(c, s));
        FILE *f = fopen(path, "rb");
        kt_col_header h = {{0}, 0, 0, 0, 0, 0};
        if (f && fread(&h, sizeof h, 1, f) == 1) {
            *n32 += h.type == KT_COL_I32;
            *n64 += h.type == KT_COL_I64;
        }
        if (f) fclose(f);
    }
}

/* SEG_ROWS: 0 for the default segment size, else a small one (many segments). */
static void compact_case(bool unbuffered, uint64_t seg_rows) {
    char *dir = temp_dir();
    kt_err err = {0};
    kt_cols_writer *w;
    KT_CHECK_INT(kt_cols_writer_open(dir, &w, &err), KT_OK);
    kt_cols_writer_compact(w);
    if (unbuffered) kt_cols_writer_unbuffered(w);
    if (seg_rows) kt_cols_writer_segment_rows(w, seg_rows);
    kt_day jan = kt_day_from_civil(2026, 1, 1);
    enum { RECEIPTS = 300000 };
    size_t cap = RECEIPTS * 8, nl = 0;
    kt_cols_line_row *want = malloc(cap * sizeof *want);
    uint64_t x = 88172645463325252ull;
    uint32_t id = 10;
    bool big_qty = false; /* given to the first receipt written in one call from the 250,000th */
    for (uint32_t i = 0; i < RECEIPTS; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        id += 1 + (uint32_t)(x % 3); /* ids ascend with gaps */
        kt_cols_receipt_row r = {id, (uint32_t)(x >> 8) % 5000, (uint32_t)(x >> 20) % 30 + 1,
                                 jan + (int32_t)(i * 40 / RECEIPTS), (uint16_t)((x >> 30) % 1440), 0, 0};
        /* odd receipts with their lines in one call, even ones line by line */
        bool batch = i % 2 == 1;
        if (!batch) KT_CHECK_INT(kt_cols_writer_receipt(w, &r, &err), KT_OK);
        int n = (int)((x >> 40) % 8); /* some receipts have no line */
        uint32_t sku[8];
        int64_t qty[8], amount[8];
        for (int k = 0; k < n; k++) {
            kt_cols_line_row l = {id, r.member, r.store, (uint32_t)(x >> (k * 3)) % 900, r.day, r.minute,
                                  1000 * (k + 1), (int64_t)(x >> 45) + k};
            /* one amount and one quantity past 32 bits, late in the first month */
            if (i == 200000 && k == 0) l.amount = 5000000000LL;
            if (i >= 250000 && batch && !big_qty) { l.qty_milli = -3000000000LL; big_qty = true; }
            if (batch) { sku[k] = l.sku; qty[k] = l.qty_milli; amount[k] = l.amount; }
            else KT_CHECK_INT(kt_cols_writer_line(w, &l, &err), KT_OK);
            want[nl++] = l;
        }
        if (batch) KT_CHECK_INT(kt_cols_writer_receipt_lines(w, &r, sku, qty, amount, (size_t)n, &err), KT_OK);
    }
    /* a line of an earlier receipt, a receipt out of order: refused */
    kt_cols_line_row stray = want[0];
    KT_CHECK_INT(kt_cols_writer_line(w, &stray, &err), KT_EINTERNAL);
    kt_cols_receipt_row old = {5, 1, 1, jan, 0, 0, 0};
    KT_CHECK_INT(kt_cols_writer_receipt(w, &old, &err), KT_EINTERNAL);
    uint64_t got_r = 0, got_l = 0;
    KT_CHECK_INT(kt_cols_writer_commit(w, &got_r, &got_l, &err), KT_OK);
    KT_CHECK_INT(got_r, RECEIPTS);
    KT_CHECK_INT(got_l, nl);

    kt_cols *c;
    KT_CHECK_INT(kt_cols_open(dir, &c, &err), KT_OK);
    KT_CHECK(kt_cols_segment_count(c) >= (seg_rows ? 10u : 2u)); /* January and February */
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/cols/2026-01/seg-000001/l.member", dir);
    KT_CHECK(stat(path, &st) != 0); /* not stored */
    snprintf(path, sizeof path, "%s/cols/2026-01/seg-000001/l.sku", dir);
    KT_CHECK(stat(path, &st) == 0);
    size_t at = 0, bad = 0;
    for (size_t s = 0; s < kt_cols_segment_count(c); s++) {
        kt_cols_lines l;
        size_t rows;
        KT_CHECK_INT(kt_cols_map_lines(c, s, &l, &err), KT_OK);
        KT_CHECK_INT(kt_cols_read_open(c, s, true, (1u << KT_COLS_L_N) - 1, &rows, &err), KT_OK);
        KT_CHECK_INT(rows, l.rows);
        for (size_t i = 0; i < l.rows; i++) {
            const kt_cols_line_row *e = &want[at + i];
            if (l.receipt[i] != e->receipt || l.member[i] != e->member || l.store[i] != e->store ||
                l.sku[i] != e->sku || l.day[i] != e->day || l.minute[i] != e->minute ||
                l.qty_milli[i] != e->qty_milli || l.amount[i] != e->amount)
                bad++;
        }
        /* reads of batches cut anywhere, every column */
        for (int t = 0; t < 40 && rows; t++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            size_t first = (size_t)(x % rows), n = (size_t)((x >> 32) % 70000) + 1;
            if (first + n > rows) n = rows - first;
            for (int k = 0; k < KT_COLS_L_N; k++) {
                size_t width = kt_cols_col_width(true, k);
                char *buf = malloc(n * width);
                KT_CHECK_INT(kt_cols_read(c, s, true, k, first, n, buf, &err), KT_OK);
                const char *base = k == KT_COLS_L_RECEIPT ? (const char *)l.receipt : k == KT_COLS_L_MEMBER ? (const char *)l.member
                                 : k == KT_COLS_L_STORE ? (const char *)l.store : k == KT_COLS_L_SKU ? (const char *)l.sku
                                 : k == KT_COLS_L_DAY ? (const char *)l.day : k == KT_COLS_L_MINUTE ? (const char *)l.minute
                                 : k == KT_COLS_L_QTY ? (const char *)l.qty_milli : (const char *)l.amount;
                if (memcmp(buf, base + first * width, n * width)) bad++;
                free(buf);
            }
        }
        at += l.rows;
    }
    KT_CHECK_INT(at, nl);
    KT_CHECK_INT(bad, 0);
    /* each receipt's units and line count are those of its lines (mapped and read) */
    size_t li = 0, checked = 0;
    for (size_t s = 0; s < kt_cols_segment_count(c); s++) {
        kt_cols_receipts r;
        size_t rows;
        KT_CHECK_INT(kt_cols_map_receipts(c, s, &r, &err), KT_OK);
        KT_CHECK(r.units && r.lines);
        KT_CHECK_INT(kt_cols_read_open(c, s, false, (1u << KT_COLS_R_N) - 1, &rows, &err), KT_OK);
        int64_t *units = malloc((rows + 1) * sizeof *units);
        uint16_t *lines = malloc((rows + 1) * sizeof *lines);
        KT_CHECK_INT(kt_cols_read(c, s, false, KT_COLS_R_UNITS, 0, rows, units, &err), KT_OK);
        KT_CHECK_INT(kt_cols_read(c, s, false, KT_COLS_R_LINES, 0, rows, lines, &err), KT_OK);
        for (size_t i = 0; i < r.rows; i++) {
            int64_t u = 0;
            unsigned k = 0;
            for (; li < nl && want[li].receipt == r.receipt[i]; li++) {
                u += want[li].qty_milli;
                k += want[li].qty_milli >= 0;
            }
            if (r.units[i] != u || r.lines[i] != k || units[i] != u || lines[i] != k) bad++;
            checked++;
        }
        free(units);
        free(lines);
    }
    KT_CHECK_INT(checked, RECEIPTS);
    KT_CHECK_INT(li, nl);
    KT_CHECK_INT(bad, 0);
    int n32, n64;
    amount_types(dir, c, &n32, &n64);
    KT_CHECK_INT(n64, 1); /* the one segment with the amount past 32 bits */
    KT_CHECK_INT(n32 + n64, (int)kt_cols_segment_count(c));
    kt_cols_close(c);
    if (seg_rows) {
        free(want);
        rm_rf(dir);
        free(dir);
        return;
    }
    /* the receipt with a quantity past 32 bits (in February) widened February's r.units; January's stayed 32 */
    for (int month = 1; month <= 2; month++) {
        snprintf(path, sizeof path, "%s/cols/2026-0%d/seg-00000%d/r.units", dir, month, month);
        FILE *fu = fopen(path, "rb");
        kt_col_header hu = {{0}, 0, 0, 0, 0, 0};
        KT_CHECK(fu && fread(&hu, sizeof hu, 1, fu) == 1);
        if (fu) fclose(fu);
        KT_CHECK_INT(hu.type, month == 1 ? KT_COL_I32 : KT_COL_I64);
    }
    /* the January segment's amounts were widened to 64 bits, February's stayed 32 */
    snprintf(path, sizeof path, "%s/cols/2026-01/seg-000001/l.amount", dir);
    KT_CHECK(stat(path, &st) == 0 && st.st_size > 0);
    FILE *f = fopen(path, "rb");
    kt_col_header h = {{0}, 0, 0, 0, 0, 0};
    KT_CHECK(f && fread(&h, sizeof h, 1, f) == 1);
    if (f) fclose(f);
    KT_CHECK_INT(h.type, KT_COL_I64);
    snprintf(path, sizeof path, "%s/cols/2026-02/seg-000002/l.amount", dir);
    f = fopen(path, "rb");
    KT_CHECK(f && fread(&h, sizeof h, 1, f) == 1);
    if (f) fclose(f);
    KT_CHECK_INT(h.type, KT_COL_I32);
    free(want);
    rm_rf(dir);
    free(dir);
}

KT_TEST(cols_compact_segments) { compact_case(false, 0); }

/* The same rows with line files written past the page cache by the I/O
 * thread: one segment a month, then segments of 60,000 rows (each finished
 * as the next starts; a widening in the middle of one). */
KT_TEST(cols_compact_segments_unbuffered) {
    compact_case(true, 0);
    compact_case(true, 60000);
}

KT_TEST(cols_parse_qty) {
    int64_t q = 0;
    kt_err err;
    KT_CHECK_INT(kt_cols_parse_qty("2", 1, &q, &err, "qty"), KT_OK);
    KT_CHECK_INT(q, 2000);
    KT_CHECK_INT(kt_cols_parse_qty("0.583", 5, &q, &err, "qty"), KT_OK);
    KT_CHECK_INT(q, 583);
    KT_CHECK_INT(kt_cols_parse_qty("-1.5", 4, &q, &err, "qty"), KT_OK);
    KT_CHECK_INT(q, -1500);
    KT_CHECK_INT(kt_cols_parse_qty("1.2345", 6, &q, &err, "qty"), KT_EINVAL);
    KT_CHECK_INT(kt_cols_parse_qty("1.", 2, &q, &err, "qty"), KT_EINVAL);
    KT_CHECK_INT(kt_cols_parse_qty("", 0, &q, &err, "qty"), KT_EINVAL);
    KT_CHECK_INT(kt_cols_parse_qty("4.4e-16", 7, &q, &err, "qty"), KT_EINVAL);
}

KT_TEST(cols_import_completejourney) {
    const char *shared = getenv("KARTA_SHARED");
    char file[1024];
    snprintf(file, sizeof file, "%s/data/completejourney/transactions_sample.csv", shared ? shared : "../shared");
    if (access(file, R_OK) != 0) {
        printf("\n**** SKIPPED unit cols_import_completejourney: %s is absent ****\n\n", file);
        return;
    }
    char *dir = temp_dir();
    kt_err err = {0};
    kt_store *st = NULL;
    KT_CHECK_INT(kt_store_open(dir, KT_STORE_CREATE, &st, &err), KT_OK);
    kt_cols_map map;
    char *buf;
    KT_CHECK_INT(kt_cols_map_parse("receipt=basket_id,member=household_id,store=store_id,time=transaction_timestamp,"
                                   "sku=product_id,qty=quantity,amount=sales_value", &map, &buf, &err), KT_OK);
    int offset = 0;
    kt_cols_import_opts o = {.data_dir = dir, .path = file, .map = &map, .default_offset_min = &offset};
    kt_cols_import_result res;
    /* one row has sales_value 4.440892e-16: whole or nothing stops there */
    KT_CHECK_INT(kt_cols_import(st, &o, &res, &err), KT_EINVAL);
    KT_CHECK(strstr(err.field, "transactions_sample.csv:48832: sales_value") != NULL);
    o.skip_bad = true;
    KT_CHECK_INT(kt_cols_import(st, &o, &res, &err), KT_OK);
    KT_CHECK_INT(res.rejected, 1);
    KT_CHECK_INT(res.lines, 74999);
    KT_CHECK(res.new_members > 0 && res.new_stores > 0 && res.new_skus > 0);
    kt_cols *c;
    KT_CHECK_INT(kt_cols_open(dir, &c, &err), KT_OK);
    KT_CHECK_INT(kt_cols_line_rows(c), 74999);
    KT_CHECK_INT(kt_cols_receipt_rows(c), res.receipts);
    KT_CHECK_INT(kt_cols_dict_count(c, KT_DICT_MEMBER), res.new_members);
    kt_cols_close(c);
    printf("  completejourney: %llu receipts, %llu lines, %llu households\n", (unsigned long long)res.receipts,
           (unsigned long long)res.lines, (unsigned long long)res.new_members);
    free(buf);
    kt_store_close(st);
    rm_rf(dir);
    free(dir);
}
