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
    kt_test_rmtree(dir);
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
        /* receipts ascend by day here: reads take r.day from s.hour's rows per day (batches cut
         * anywhere), the mapping from the file; both the same */
        for (int t = 0; t < 30 && rows; t++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            size_t first = (size_t)(x % rows), n = (size_t)((x >> 32) % 40000) + 1;
            if (first + n > rows) n = rows - first;
            int32_t *day = malloc(n * sizeof *day);
            KT_CHECK_INT(kt_cols_read(c, s, false, KT_COLS_R_DAY, first, n, day, &err), KT_OK);
            if (memcmp(day, r.day + first, n * sizeof *day)) bad++;
            free(day);
        }
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
        kt_test_rmtree(dir);
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
    kt_test_rmtree(dir);
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
    kt_test_rmtree(dir);
    free(dir);
}

/* A segment's SKU summary (s.sku) against its lines read back: per SKU the
 * sums of amounts and quantities and, in compact segments, the receipts with
 * a sale line. January gets more than KT_COLS_SEGMENT_ROWS_MAX lines, so its
 * first segment is closed (summary written then) and its second sealed at
 * commit. Then: a segment of an ordinary writer counts no receipts; an id
 * past KT_COLS_SUM_IDS_MAX means no summary; a missing file is "none"; a
 * damaged one is refused. */
static void check_summary(kt_cols *c, size_t seg, bool compact, size_t *bad, size_t *entries) {
    kt_err err = {0};
    bool found;
    const kt_cols_sku_sum *e;
    size_t n, rows;
    unsigned flags;
    KT_CHECK_INT(kt_cols_sku_summary(c, seg, &found, &e, &n, &flags, &err), KT_OK);
    KT_CHECK(found);
    KT_CHECK_INT(flags, compact ? KT_COLS_SUM_RECEIPTS : 0);
    unsigned cols = 1u << KT_COLS_L_RECEIPT | 1u << KT_COLS_L_SKU | 1u << KT_COLS_L_QTY | 1u << KT_COLS_L_AMOUNT;
    KT_CHECK_INT(kt_cols_read_open(c, seg, true, cols, &rows, &err), KT_OK);
    uint32_t *rec = malloc((rows + 1) * 4), *sku = malloc((rows + 1) * 4);
    int64_t *qty = malloc((rows + 1) * 8), *amount = malloc((rows + 1) * 8);
    KT_CHECK_INT(kt_cols_read(c, seg, true, KT_COLS_L_RECEIPT, 0, rows, rec, &err), KT_OK);
    KT_CHECK_INT(kt_cols_read(c, seg, true, KT_COLS_L_SKU, 0, rows, sku, &err), KT_OK);
    KT_CHECK_INT(kt_cols_read(c, seg, true, KT_COLS_L_QTY, 0, rows, qty, &err), KT_OK);
    KT_CHECK_INT(kt_cols_read(c, seg, true, KT_COLS_L_AMOUNT, 0, rows, amount, &err), KT_OK);
    /* sums by entry: each line's SKU found by binary search in the summary */
    int64_t *sa = calloc(n + 1, 8), *sq = calloc(n + 1, 8);
    uint32_t *sr = calloc(n + 1, 4), *last = calloc(n + 1, 4), *lines = calloc(n + 1, 4);
    for (size_t i = 0; i < rows; i++) {
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (e[mid].sku < sku[i]) lo = mid + 1;
            else hi = mid;
        }
        if (lo == n || e[lo].sku != sku[i]) { (*bad)++; continue; }
        sa[lo] += amount[i];
        sq[lo] += qty[i];
        lines[lo]++;
        if (qty[i] >= 0 && amount[i] >= 0 && last[lo] != rec[i]) { last[lo] = rec[i]; sr[lo]++; }
    }
    for (size_t k = 0; k < n; k++)
        if (!lines[k] || sa[k] != e[k].amount || sq[k] != e[k].qty_milli || (compact ? sr[k] : 0) != e[k].receipts) (*bad)++;
    *entries += n;
    free(rec); free(sku); free(qty); free(amount); free(sa); free(sq); free(sr); free(last); free(lines);
}

/* The segment's hour summary (s.hour) against its receipts read back. */
static void check_hours(kt_cols *c, size_t seg, bool compact, size_t *bad, size_t *entries) {
    kt_err err = {0};
    bool found;
    const kt_cols_hour_sum *e;
    size_t n, rows;
    unsigned flags;
    KT_CHECK_INT(kt_cols_hour_summary(c, seg, &found, &e, &n, &flags, &err), KT_OK);
    KT_CHECK(found);
    KT_CHECK_INT(flags & KT_COLS_SUM_UNITS, compact ? KT_COLS_SUM_UNITS : 0);
    unsigned cols = 1u << KT_COLS_R_DAY | 1u << KT_COLS_R_MINUTE | 1u << KT_COLS_R_FLAGS | 1u << KT_COLS_R_AMOUNT |
                    (compact ? 1u << KT_COLS_R_UNITS | 1u << KT_COLS_R_LINES : 0u);
    KT_CHECK_INT(kt_cols_read_open(c, seg, false, cols, &rows, &err), KT_OK);
    int32_t *day = malloc((rows + 1) * 4);
    uint16_t *minute = malloc((rows + 1) * 2), *lines = calloc(rows + 1, 2);
    uint8_t *fl = malloc(rows + 1);
    int64_t *amount = malloc((rows + 1) * 8), *units = calloc(rows + 1, 8);
    KT_CHECK_INT(kt_cols_read(c, seg, false, KT_COLS_R_DAY, 0, rows, day, &err), KT_OK);
    KT_CHECK_INT(kt_cols_read(c, seg, false, KT_COLS_R_MINUTE, 0, rows, minute, &err), KT_OK);
    KT_CHECK_INT(kt_cols_read(c, seg, false, KT_COLS_R_FLAGS, 0, rows, fl, &err), KT_OK);
    KT_CHECK_INT(kt_cols_read(c, seg, false, KT_COLS_R_AMOUNT, 0, rows, amount, &err), KT_OK);
    if (compact) {
        KT_CHECK_INT(kt_cols_read(c, seg, false, KT_COLS_R_UNITS, 0, rows, units, &err), KT_OK);
        KT_CHECK_INT(kt_cols_read(c, seg, false, KT_COLS_R_LINES, 0, rows, lines, &err), KT_OK);
    }
    bool ascending = true; /* what KT_COLS_SUM_DAY_ORDER says */
    for (size_t i = 1; i < rows; i++) ascending &= day[i] >= day[i - 1];
    KT_CHECK_INT(flags & KT_COLS_SUM_DAY_ORDER, ascending ? KT_COLS_SUM_DAY_ORDER : 0);
    kt_cols_hour_sum *want = calloc(31 * 24, sizeof *want);
    int32_t lo = INT32_MAX;
    for (size_t i = 0; i < rows; i++) lo = day[i] < lo ? day[i] : lo;
    for (size_t i = 0; i < rows; i++) {
        kt_cols_hour_sum *h = &want[(size_t)(day[i] - lo) * 24 + minute[i] / 60];
        h->day = day[i];
        h->hour = minute[i] / 60u;
        h->rows++;
        h->receipts += !(fl[i] & KT_COLS_RETURN);
        h->amount += amount[i];
        h->units += units[i];
        h->lines += lines[i];
    }
    size_t k = 0;
    for (size_t b = 0; b < 31 * 24; b++) {
        if (!want[b].rows) continue;
        if (k >= n || memcmp(&want[b], &e[k], sizeof *e)) (*bad)++;
        k++;
    }
    if (k != n) (*bad)++;
    *entries += n;
    free(day); free(minute); free(lines); free(fl); free(amount); free(units); free(want);
}

KT_TEST(cols_sku_summaries) {
    char *dir = temp_dir();
    kt_err err = {0};
    kt_cols_writer *w;
    KT_CHECK_INT(kt_cols_writer_open(dir, &w, &err), KT_OK);
    kt_cols_writer_compact(w);
    kt_day jan = kt_day_from_civil(2026, 1, 1), feb = kt_day_from_civil(2026, 2, 1);
    uint64_t x = 88172645463325252ull;
    uint32_t id = 1;
    size_t lines = 0;
    kt_cols_line_row *l = malloc(64 * sizeof *l);
    while (lines < KT_COLS_SEGMENT_ROWS_MAX + 300000) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        bool in_feb = lines > KT_COLS_SEGMENT_ROWS_MAX + 200000;
        kt_cols_receipt_row r = {id, 7, 1, in_feb ? feb : jan + (int32_t)(x % 31), (uint16_t)(x % 1440), 0, 0};
        int n = (int)(x >> 50) % 48 + 1;
        for (int k = 0; k < n; k++) {
            uint64_t y = x >> (k % 40);
            /* operational and dictionary SKU ids; a SKU twice in a receipt; returns and zero amounts */
            uint32_t sku = k == 1 ? l[0].sku : (y & 1) ? KT_COLS_FOREIGN | (uint32_t)(y % 700) : (uint32_t)(y % 900) + 1;
            int64_t qty = (y % 17 == 0) ? -1000 : 1000 * (int64_t)(y % 5), amount = (y % 17 == 0) ? -250 : (int64_t)(y % 20000);
            l[k] = (kt_cols_line_row){id, r.member, r.store, sku, r.day, r.minute, qty, amount};
            r.amount += amount;
        }
        KT_CHECK_INT(kt_cols_writer_receipt(w, &r, &err), KT_OK);
        KT_CHECK_INT(kt_cols_writer_lines(w, l, (size_t)n, &err), KT_OK);
        lines += (size_t)n;
        id++;
    }
    free(l);
    KT_CHECK_INT(kt_cols_writer_commit(w, NULL, NULL, &err), KT_OK);
    /* an ordinary writer: no receipt counts; one with an id past the summaries' range: no summary */
    for (int pass = 0; pass < 2; pass++) {
        KT_CHECK_INT(kt_cols_writer_open(dir, &w, &err), KT_OK);
        for (uint32_t i = 0; i < 5000; i++) {
            kt_cols_receipt_row r = {id + i, 0, 1, kt_day_from_civil(2026, 3 + pass, 2), 600, 0, 10};
            kt_cols_line_row ln = {id + i, 0, 1, pass && i == 4000 ? KT_COLS_SUM_IDS_MAX : i % 300 + 1, r.day, 600,
                                   1000, 10};
            KT_CHECK_INT(kt_cols_writer_receipt(w, &r, &err), KT_OK);
            KT_CHECK_INT(kt_cols_writer_line(w, &ln, &err), KT_OK);
            KT_CHECK_INT(kt_cols_writer_line(w, &ln, &err), KT_OK);
        }
        KT_CHECK_INT(kt_cols_writer_commit(w, NULL, NULL, &err), KT_OK);
        id += 5000;
    }

    kt_cols *c;
    KT_CHECK_INT(kt_cols_open(dir, &c, &err), KT_OK);
    KT_CHECK_INT(kt_cols_segment_count(c), 5); /* January twice, February, March, April */
    KT_CHECK_STR(kt_cols_segment_name(c, 1), "2026-01/seg-000002");
    size_t bad = 0, entries = 0;
    for (size_t s = 0; s < 4; s++) check_summary(c, s, s < 3, &bad, &entries);
    KT_CHECK_INT(bad, 0);
    size_t hours = 0;
    for (size_t s = 0; s < 5; s++) check_hours(c, s, s < 3, &bad, &hours);
    KT_CHECK_INT(bad, 0);
    KT_CHECK(hours > 31 * 24); /* January: every hour of every day, twice */
    KT_CHECK(entries > 3 * 700); /* ~800 SKUs a segment (the draws above hit half the ids) */
    bool found;
    const kt_cols_sku_sum *e;
    size_t n;
    unsigned flags;
    KT_CHECK_INT(kt_cols_sku_summary(c, 4, &found, &e, &n, &flags, &err), KT_OK);
    KT_CHECK(!found); /* April: a SKU id past the range */
    kt_cols_close(c);
    /* missing: none; damaged: refused */
    char path[512];
    snprintf(path, sizeof path, "%s/cols/2026-03/seg-000004/s.sku", dir);
    KT_CHECK_INT(truncate(path, 40), 0);
    snprintf(path, sizeof path, "%s/cols/2026-02/seg-000003/s.sku", dir);
    KT_CHECK_INT(unlink(path), 0);
    KT_CHECK_INT(kt_cols_open(dir, &c, &err), KT_OK);
    KT_CHECK_INT(kt_cols_sku_summary(c, 2, &found, &e, &n, &flags, &err), KT_OK);
    KT_CHECK(!found && n == 0);
    KT_CHECK_INT(kt_cols_sku_summary(c, 3, &found, &e, &n, &flags, &err), KT_EINVAL);
    kt_err_clear(&err);
    kt_cols_close(c);
    kt_test_rmtree(dir);
    free(dir);
}
