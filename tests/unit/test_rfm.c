/* test_rfm.c - RFM scoring: quintiles by rank, ties share the lower score;
 * the segment list covers every score; a scan over written columns. */
#include "t.h"
#include "analytics/rfm.h"
#include "cols/cols.h"
#include "core/date.h"

#include <stdlib.h>

KT_TEST(rfm_score_quintiles_and_ties) {
    int64_t v[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    uint8_t s[10];
    kt_rfm_score(v, 10, true, s);
    static const uint8_t want[10] = {1, 1, 2, 2, 3, 3, 4, 4, 5, 5};
    for (int i = 0; i < 10; i++) KT_CHECK_INT(s[i], want[i]);
    kt_rfm_score(v, 10, false, s); /* small is good: 1 is best */
    for (int i = 0; i < 10; i++) KT_CHECK_INT(s[i], want[9 - i]);
    int64_t t[6] = {5, 1, 5, 5, 9, 1}; /* sorted: 1 1 5 5 5 9 -> ranks 0..5 of 6 */
    kt_rfm_score(t, 6, true, s);
    /* 1,1 at ranks 0,1 -> 1; 5,5,5 at ranks 2..4 -> score of rank 2 = floor(10/6)+1 = 2; 9 at rank 5 -> 5 */
    static const uint8_t want_t[6] = {2, 1, 2, 2, 5, 1};
    for (int i = 0; i < 6; i++) KT_CHECK_INT(s[i], want_t[i]);
    int64_t one = 7;
    kt_rfm_score(&one, 1, true, s);
    KT_CHECK_INT(s[0], 1);
}

KT_TEST(rfm_segments_cover_every_score) {
    for (uint8_t r = 1; r <= 5; r++)
        for (uint8_t f = 1; f <= 5; f++)
            for (uint8_t m = 1; m <= 5; m++) KT_CHECK(kt_rfm_segment_of(r, f, m) < kt_rfm_segment_count);
    KT_CHECK_STR(kt_rfm_segments[kt_rfm_segment_of(5, 5, 5)].name, "Champions");
    KT_CHECK_STR(kt_rfm_segments[kt_rfm_segment_of(5, 1, 1)].name, "New");
    KT_CHECK_STR(kt_rfm_segments[kt_rfm_segment_of(1, 5, 5)].name, "Can't lose");
    KT_CHECK_STR(kt_rfm_segments[kt_rfm_segment_of(2, 4, 1)].name, "At risk");
    KT_CHECK_STR(kt_rfm_segments[kt_rfm_segment_of(1, 1, 1)].name, "Lost");
    KT_CHECK_INT(kt_rfm_segment_count, 11);
}

KT_TEST(rfm_scan_threads_agree) {
    char tmpl[] = "/tmp/kt-rfm-XXXXXX";
    char *dir = mkdtemp(tmpl);
    KT_CHECK(dir != NULL);
    if (!dir) return;
    kt_err err = {0};
    kt_cols_writer *w;
    KT_CHECK_INT(kt_cols_writer_open(dir, &w, &err), KT_OK);
    kt_day d0 = kt_day_from_civil(2026, 1, 1);
    /* 300000 receipts of 1000 members over 90 days; every 10th a return */
    for (uint32_t i = 0; i < 300000; i++) {
        uint32_t m = (i * 7919u) % 1001; /* 0..1000: 0 is no card */
        bool ret = i % 10 == 9;
        kt_cols_receipt_row r = {i + 1, m, 1, d0 + (int32_t)(i % 90), 0, ret ? KT_COLS_RETURN : 0,
                                 ret ? -(int64_t)(i % 500) : (int64_t)(i % 1000 + 1)};
        KT_CHECK_INT(kt_cols_writer_receipt(w, &r, &err), KT_OK);
    }
    KT_CHECK_INT(kt_cols_writer_commit(w, NULL, NULL, &err), KT_OK);
    kt_cols *c;
    KT_CHECK_INT(kt_cols_open(dir, &c, &err), KT_OK);
    kt_rfm_result a, b;
    KT_CHECK_INT(kt_rfm_run(c, &(kt_rfm_opts){d0 + 80, 1}, &a, &err), KT_OK);
    KT_CHECK_INT(kt_rfm_run(c, &(kt_rfm_opts){d0 + 80, 2}, &b, &err), KT_OK);
    KT_CHECK_INT(a.n, 1000);
    KT_CHECK_INT(b.n, a.n);
    KT_CHECK(memcmp(a.rows, b.rows, a.n * sizeof *a.rows) == 0);
    /* the same sums by a plain loop */
    int64_t want = 0, got = 0;
    for (uint32_t i = 0; i < 300000; i++) {
        uint32_t m = (i * 7919u) % 1001;
        if (m && (int32_t)(i % 90) <= 80) want += i % 10 == 9 ? -(int64_t)(i % 500) : (int64_t)(i % 1000 + 1);
    }
    for (size_t i = 0; i < a.n; i++) got += a.rows[i].monetary;
    KT_CHECK_INT(got, want);
    kt_rfm_free(&a);
    kt_rfm_free(&b);
    kt_cols_close(c);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    KT_CHECK(system(cmd) == 0);
}
