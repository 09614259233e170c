/* test_rfm.c - RFM scoring: quintiles by rank, ties share the lower score;
 * thresholds; the segment list covers every score; the configuration's
 * errors name their JSON path; a scan over written columns. */
#include "t.h"
#include "analytics/rfm.h"
#include "cols/cols.h"
#include "analytics/actx.h"
#include "core/date.h"

#include <stdlib.h>
#include <string.h>

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
    kt_rfm_config cfg;
    kt_rfm_config_default(&cfg);
    for (uint8_t r = 1; r <= 5; r++)
        for (uint8_t f = 1; f <= 5; f++)
            for (uint8_t m = 1; m <= 5; m++) KT_CHECK(kt_rfm_segment_of(&cfg, r, f, m) < kt_rfm_segment_count);
    KT_CHECK_STR(kt_rfm_segments[kt_rfm_segment_of(&cfg, 5, 5, 5)].name, "Champions");
    KT_CHECK_STR(kt_rfm_segments[kt_rfm_segment_of(&cfg, 5, 1, 1)].name, "New");
    KT_CHECK_STR(kt_rfm_segments[kt_rfm_segment_of(&cfg, 1, 5, 5)].name, "Can't lose");
    KT_CHECK_STR(kt_rfm_segments[kt_rfm_segment_of(&cfg, 2, 4, 1)].name, "At risk");
    KT_CHECK_STR(kt_rfm_segments[kt_rfm_segment_of(&cfg, 1, 1, 1)].name, "Lost");
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
    kt_actx *c;
    KT_CHECK_INT(kt_actx_open(dir, &c, &err), KT_OK);
    kt_rfm_config cfg;
    kt_rfm_config_default(&cfg);
    kt_afilter f;
    KT_CHECK_INT(kt_actx_filter(c, d0 + 80, KT_DAY_NONE, KT_DAY_NONE, NULL, NULL, &f, &err), KT_OK);
    kt_rfm_result a, b;
    KT_CHECK_INT(kt_rfm_run(c, &f, &cfg, 1, &a, &err), KT_OK);
    KT_CHECK_INT(kt_rfm_run(c, &f, &cfg, 2, &b, &err), KT_OK);
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
    kt_actx_close(c);
    kt_test_rmtree(dir);
}

KT_TEST(rfm_score_thresholds) {
    int64_t rec[6] = {0, 7, 8, 30, 31, 400}, b_r[4] = {7, 14, 30, 90};
    uint8_t s[6];
    kt_rfm_score_breaks(rec, 6, b_r, false, s);
    static const uint8_t want_r[6] = {5, 5, 4, 3, 2, 1};
    for (int i = 0; i < 6; i++) KT_CHECK_INT(s[i], want_r[i]);
    int64_t fr[6] = {1, 2, 3, 5, 9, 10}, b_f[4] = {2, 3, 5, 10};
    kt_rfm_score_breaks(fr, 6, b_f, true, s);
    static const uint8_t want_f[6] = {1, 2, 3, 4, 4, 5};
    for (int i = 0; i < 6; i++) KT_CHECK_INT(s[i], want_f[i]);
}

static const char *config_error(const char *json) {
    static kt_err err;
    kt_rfm_config c;
    memset(&err, 0, sizeof err);
    if (kt_rfm_config_parse(json, strlen(json), &c, &err) == KT_OK) { kt_rfm_config_free(&c); return "ok"; }
    return err.field;
}

KT_TEST(rfm_config_parse_and_errors) {
    kt_rfm_config c;
    kt_err err = {0};
    const char *doc = "{\"scores\": {\"monetary\": [100, 250.5, \"1000.00\", 5000]},"
                      " \"segments\": [{\"name\": \"Top\", \"m\": [5, 5]}, {\"name\": \"Rest\"}]}";
    KT_CHECK_INT(kt_rfm_config_parse(doc, strlen(doc), &c, &err), KT_OK);
    KT_CHECK_INT(c.nsegments, 2);
    KT_CHECK(!c.has_breaks[KT_RFM_R] && !c.has_breaks[KT_RFM_F] && c.has_breaks[KT_RFM_M]);
    KT_CHECK_INT(c.breaks[KT_RFM_M][1], 25050);
    KT_CHECK_INT(c.breaks[KT_RFM_M][2], 100000);
    KT_CHECK_STR(c.segments[kt_rfm_segment_of(&c, 1, 1, 5)].name, "Top");
    KT_CHECK_STR(c.segments[kt_rfm_segment_of(&c, 5, 5, 4)].name, "Rest");
    kt_rfm_config_free(&c);
    KT_CHECK_STR(config_error("{\"segments\": [{\"name\": \"A\", \"r\": [1, 5]}]}"), "ok");
    KT_CHECK_STR(config_error("[1]"), "$");
    KT_CHECK_STR(config_error("{\"segmnts\": []}"), "$.segmnts");
    KT_CHECK_STR(config_error("{\"segments\": []}"), "$.segments");
    KT_CHECK_STR(config_error("{\"segments\": [{\"name\": \"A\", \"r\": [1, 6]}]}"), "$.segments[0].r[1]");
    KT_CHECK_STR(config_error("{\"segments\": [{\"name\": \"A\", \"f\": [3, 2]}]}"), "$.segments[0].f[1]");
    KT_CHECK_STR(config_error("{\"segments\": [{\"name\": \"A\", \"r\": [2, 5]}]}"), "$.segments");
    KT_CHECK_STR(config_error("{\"segments\": [{\"name\": \"A\"}, {\"name\": \"A\"}]}"), "$.segments[1].name");
    KT_CHECK_STR(config_error("{\"segments\": [{\"name\": \"A\", \"x\": 1}]}"), "$.segments[0].x");
    KT_CHECK_STR(config_error("{\"scores\": {\"frequency\": [1, 2, 2, 3]}}"), "$.scores.frequency[2]");
    KT_CHECK_STR(config_error("{\"scores\": {\"monetary\": [1, 2, 3.005, 4]}}"), "$.scores.monetary[2]");
    KT_CHECK_STR(config_error("{\"scores\": {\"recency\": [1, 2, 3, 4]}}"), "$.scores.recency");
    KT_CHECK_STR(config_error("{\"scores\": {\"recency_days\": [1, 2, 3]}}"), "$.scores.recency_days");
}
