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
