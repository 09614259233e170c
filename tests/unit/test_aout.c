/* test_aout.c - the analysis output writer in its three formats. */
#include "t.h"
#include "analytics/aout.h"

#include <math.h>
#include <stdlib.h>

static const kt_acol cols[] = {
    {"member", KT_ACOL_TEXT, 0}, {"n", KT_ACOL_INT, 0}, {"sales", KT_ACOL_MONEY, 0},
    {"share", KT_ACOL_REAL, 2},  {"day", KT_ACOL_DAY, 0},
};

static char *render(kt_aout_format fmt, bool two_tables) {
    char *p = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&p, &n);
    kt_aout *o = kt_aout_new(f, fmt);
    kt_aout_meta_day(o, "as_of", 20513); /* 2026-03-01 */
    kt_aout_table(o, "rows", cols, 5);
    kt_aout_text(o, "Аня, \"A\"");
    kt_aout_int(o, 12);
    kt_aout_money(o, -1505);
    kt_aout_real(o, 0.126);
    kt_aout_day(o, 20513);
    kt_aout_row_end(o);
    kt_aout_text(o, "b");
    kt_aout_int(o, 3);
    kt_aout_money(o, 200000);
    kt_aout_real(o, NAN);
    kt_aout_day(o, KT_DAY_NONE);
    kt_aout_row_end(o);
    if (two_tables) kt_aout_table(o, "empty", cols, 2);
    kt_err err = {0};
    KT_CHECK_INT(kt_aout_finish(o, &err), KT_OK);
    fclose(f);
    return p;
}

KT_TEST(aout_csv) {
    char *s = render(KT_AOUT_CSV, false);
    KT_CHECK_STR(s, "member,n,sales,share,day\n"
                    "\"Аня, \"\"A\"\"\",12,-15.05,0.13,2026-03-01\n"
                    "b,3,2000.00,,\n");
    free(s);
}

KT_TEST(aout_json) {
    char *s = render(KT_AOUT_JSON, true);
    KT_CHECK_STR(s, "{\n \"as_of\":\"2026-03-01\",\n \"rows\":[\n"
                    "  {\"member\":\"Аня, \\\"A\\\"\", \"n\":12, \"sales\":-15.05, \"share\":0.13, \"day\":\"2026-03-01\"},\n"
                    "  {\"member\":\"b\", \"n\":3, \"sales\":2000.00, \"share\":null, \"day\":null}\n ],\n"
                    " \"empty\":[]\n}\n");
    free(s);
}

KT_TEST(aout_table_aligns_by_characters) {
    char *s = render(KT_AOUT_TABLE, false);
    KT_CHECK_STR(s, "member     n    sales  share  day\n"
                    "Аня, \"A\"  12   -15.05   0.13  2026-03-01\n"
                    "b          3  2000.00\n");
    free(s);
}

KT_TEST(aout_wrong_cell_count_is_an_error) {
    char *p = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&p, &n);
    kt_aout *o = kt_aout_new(f, KT_AOUT_CSV);
    kt_aout_table(o, "t", cols, 2);
    kt_aout_text(o, "x");
    kt_aout_row_end(o);
    kt_err err = {0};
    KT_CHECK_INT(kt_aout_finish(o, &err), KT_EINTERNAL);
    fclose(f);
    free(p);
    kt_aout_format fmt;
    KT_CHECK_INT(kt_aout_parse_format("xml", &fmt, &err), KT_EUSAGE);
    KT_CHECK_STR(err.field, "--format");
}

/* Rows formatted in forks and joined in order give the bytes of one writer,
 * in every format: forks of no row, a join before any row of the table (JSON
 * drops the fork's leading comma), pieces of uneven sizes, a second table. */
static void fork_row(kt_aout *o, int i) {
    char name[32];
    snprintf(name, sizeof name, i % 7 ? "m%d" : "m,%d", i); /* some need CSV quotes */
    kt_aout_text(o, name);
    kt_aout_int(o, i * 37 - 500);
    kt_aout_money(o, (int64_t)i * 1234567 - 99);
    if (i % 5) kt_aout_real(o, i / 7.0);
    else kt_aout_null(o);
    kt_aout_day(o, 20000 + i % 300);
    kt_aout_row_end(o);
}

static char *render_rows(kt_aout_format fmt, const int *cuts, size_t ncuts) {
    char *p = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&p, &n);
    kt_aout *o = kt_aout_new(f, fmt);
    for (int t = 0; t < 2; t++) {
        kt_aout_table(o, t ? "second" : "rows", cols, 5);
        /* rows [cuts[k], cuts[k + 1]): even pieces into O itself, odd ones into a fork joined after */
        for (size_t k = 0; k + 1 < ncuts; k++) {
            kt_aout *w = ncuts > 2 && k % 2 ? kt_aout_fork(o) : o;
            for (int i = cuts[k]; i < cuts[k + 1]; i++) fork_row(w, i + t);
            if (w != o) kt_aout_join(o, w);
        }
    }
    kt_err err = {0};
    KT_CHECK_INT(kt_aout_finish(o, &err), KT_OK);
    fclose(f);
    return p;
}

KT_TEST(aout_fork_join) {
    static const int whole[] = {0, 500};
    static const int pieces[][8] = {{0, 0, 1, 1, 90, 91, 400, 500}, {0, 3, 3, 250, 251, 251, 499, 500}};
    for (int fmt = KT_AOUT_TABLE; fmt <= KT_AOUT_JSON; fmt++) {
        char *want = render_rows((kt_aout_format)fmt, whole, 2);
        for (size_t c = 0; c < 2; c++) {
            char *got = render_rows((kt_aout_format)fmt, pieces[c], 8);
            KT_CHECK(want && got && strcmp(want, got) == 0);
            free(got);
        }
        KT_CHECK(strlen(want) > 500 * 20);
        free(want);
    }
}
