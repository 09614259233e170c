/*
 * cmd_segments.c - the segmentation analyses over the columnar store:
 * `karta lifecycle` (A2, analytics/lifecycle.h), `karta abc`, `karta xyz` and
 * `karta abc-xyz` (A3, analytics/abc.h, analytics/xyz.h) and `karta
 * preferences` (A4, analytics/prefs.h), each with the shared analysis options
 * (acli.h). Definitions are in the headers and docs/analytics.md.
 */
#include "cli.h"
#include "acli.h"
#include "analytics/abc.h"
#include "analytics/lifecycle.h"
#include "analytics/prefs.h"
#include "analytics/xyz.h"
#include "core/text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPT(o, name) kt_opt_get(o, KT_ARRAY_LEN(o), name)

static const char *const common_usage =
    "[--as-of YYYY-MM-DD] [--from D] [--to D] [--store CODES] [--region NAME] [--format table|csv|json] "
    "[--threads N] [--stats]";

static void usage(const char *head, const kt_opt *o, size_t no) {
    char u[512];
    snprintf(u, sizeof u, "%s %s", head, common_usage);
    kt_opts_help(u, o, no);
}

/* A positive number option (not a share: --x and --y may pass 1). */
static kt_rc positive_opt(const kt_opt *o, size_t no, const char *name, double dflt, double *out, kt_err *err) {
    const char *v = kt_opt_get(o, no, name);
    char field[40];
    snprintf(field, sizeof field, "--%s", name);
    *out = dflt;
    if (!v) return KT_OK;
    char *end;
    double x = strtod(v, &end);
    if (end == v || *end || !(x > 0) || !isfinite(x))
        return kt_fail(err, KT_EUSAGE, field, "want a positive number, not \"%.40s\"", v);
    *out = x;
    return KT_OK;
}

/* --a and --b as millionths, a < b. */
static kt_rc abc_bounds(const kt_opt *o, size_t no, uint32_t *a, uint32_t *b, kt_err *err) {
    double x, y;
    kt_rc rc = kt_acli_share(o, no, "a", 0.80, false, &x, err);
    if (!rc) rc = kt_acli_share(o, no, "b", 0.95, true, &y, err);
    if (rc) return rc;
    *a = (uint32_t)llround(x * 1e6);
    *b = (uint32_t)llround(y * 1e6);
    if (*b <= *a) return kt_fail(err, KT_EUSAGE, "--b", "must be above --a (%.4f)", x);
    return KT_OK;
}

static kt_rc xyz_bounds(const kt_opt *o, size_t no, double *x, double *y, kt_err *err) {
    kt_rc rc = positive_opt(o, no, "x", 0.5, x, err);
    if (!rc) rc = positive_opt(o, no, "y", 1.0, y, err);
    if (!rc && *y <= *x) rc = kt_fail(err, KT_EUSAGE, "--y", "must be above --x (%g)", *x);
    return rc;
}

/* A column for an ABC value: money, units (thousandths as decimals), counts. */
static kt_acol value_col(const char *name, kt_abc_by by) {
    if (by == KT_ABC_BY_REVENUE) return (kt_acol){name, KT_ACOL_MONEY, 0};
    if (by == KT_ABC_BY_UNITS) return (kt_acol){name, KT_ACOL_REAL, 3};
    return (kt_acol){name, KT_ACOL_INT, 0};
}

static void value_cell(kt_aout *out, kt_abc_by by, int64_t v) {
    if (by == KT_ABC_BY_REVENUE) kt_aout_money(out, v);
    else if (by == KT_ABC_BY_UNITS) kt_aout_real(out, (double)v / 1000.0);
    else kt_aout_int(out, v);
}

static double ratio(int64_t a, int64_t b) { return b ? (double)a / (double)b : 0.0; }

/* ---- lifecycle ------------------------------------------------------------------ */
static kt_rc day_count(const kt_opt *o, size_t no, const char *name, int64_t dflt, int32_t *out, kt_err *err) {
    int64_t v;
    kt_rc rc = kt_opt_i64(o, no, name, dflt, 1, 36600, &v, err);
    *out = (int32_t)v;
    return rc;
}

static int cmd_lifecycle(int argc, char **argv) {
    kt_opt o[] = {
        KT_ACLI_OPTS,
        {"summary", KT_OPT_FLAG, "one row per stage: stage,members,share,monetary,action", NULL},
        {"new-days", KT_OPT_VALUE, "N: new = first purchase within the last N days (default 30)", NULL},
        {"lapsed-days", KT_OPT_VALUE, "N: lapsed = no purchase in the last N days (default 90)", NULL},
        {"window-days", KT_OPT_VALUE, "N: receipts and monetary count the last N days (default 90)", NULL},
        {"regular-receipts", KT_OPT_VALUE, "N: regular = at least N sale receipts in the window (default 4)", NULL},
        {"regular-budget", KT_OPT_VALUE, "AMOUNT: and at least this monetary in the window (default 2000.00)", NULL},
        {"action-regular", KT_OPT_VALUE, "TEXT: the action printed for regular members", NULL},
        {"action-promising", KT_OPT_VALUE, "TEXT: the action printed for promising members", NULL},
        {"action-new", KT_OPT_VALUE, "TEXT: the action printed for new members", NULL},
        {"action-lapsed", KT_OPT_VALUE, "TEXT: the action printed for lapsed members", NULL},
    };
    size_t no = KT_ARRAY_LEN(o);
    if (kt_cli_wants_help(argc, argv)) {
        usage("lifecycle [--summary] [--new-days N] [--lapsed-days N] [--window-days N] [--regular-receipts N] "
              "[--regular-budget AMOUNT] [--action-STAGE TEXT]", o, no);
        printf("\nMembers with a sale receipt, by stage (as of the as-of day D; first match wins):\n"
               "  lapsed     no purchase in the last lapsed-days days (D - last >= lapsed-days)\n"
               "  new        first purchase within the last new-days days (D - first < new-days)\n"
               "  regular    >= regular-receipts sale receipts and >= regular-budget in the window\n"
               "  promising  every other member\n"
               "receipts and monetary are those of the window (D - window-days + 1 .. D); monetary is\n"
               "sales minus returns. Stages are listed regular, promising, new, lapsed.\n");
        return 0;
    }
    kt_err err = {0};
    kt_acli cx;
    kt_rc rc = kt_acli_start(&cx, o, no, argc, argv, NULL, 0, NULL, &err);
    if (rc) return kt_cli_error(&err);
    kt_lifecycle_opts lo = KT_LIFECYCLE_DEFAULTS;
    rc = day_count(o, no, "new-days", lo.new_days, &lo.new_days, &err);
    if (!rc) rc = day_count(o, no, "lapsed-days", lo.lapsed_days, &lo.lapsed_days, &err);
    if (!rc) rc = day_count(o, no, "window-days", lo.window_days, &lo.window_days, &err);
    if (!rc) rc = kt_opt_i64(o, no, "regular-receipts", lo.regular_receipts, 1, UINT32_MAX, &lo.regular_receipts, &err);
    const char *budget = OPT(o, "regular-budget");
    if (!rc && budget) {
        rc = kt_parse_money(budget, strlen(budget), &lo.regular_budget, &err, "--regular-budget");
        if (rc) err.code = rc = KT_EUSAGE;
        else if (lo.regular_budget < 0) rc = kt_fail(&err, KT_EUSAGE, "--regular-budget", "must not be negative");
    }
    const char *action[KT_STAGE_COUNT_];
    static const char *const action_opt[KT_STAGE_COUNT_] = {"action-regular", "action-promising", "action-new",
                                                            "action-lapsed"};
    for (int s = 0; s < KT_STAGE_COUNT_; s++) {
        action[s] = OPT(o, action_opt[s]) ? OPT(o, action_opt[s]) : kt_stage_actions[s];
        if (!rc && !*action[s]) rc = kt_fail(&err, KT_EUSAGE, "--action", "--%s: an action is a non-empty text", action_opt[s]);
    }
    kt_lifecycle_result r = {0};
    if (!rc) rc = kt_lifecycle_run(cx.a, &cx.filter, &lo, cx.threads, &r, &err);
    if (!rc && OPT(o, "summary")) {
        static const kt_acol cols[] = {{"stage", KT_ACOL_TEXT, 0}, {"members", KT_ACOL_INT, 0},
                                       {"share", KT_ACOL_REAL, 4}, {"monetary", KT_ACOL_MONEY, 0},
                                       {"action", KT_ACOL_TEXT, 0}};
        uint64_t members[KT_STAGE_COUNT_] = {0};
        kt_money monetary[KT_STAGE_COUNT_] = {0};
        for (size_t i = 0; i < r.n && !rc; i++) {
            members[r.rows[i].stage]++;
            if (!kt_add_i64(monetary[r.rows[i].stage], r.rows[i].monetary, &monetary[r.rows[i].stage]))
                rc = kt_fail(&err, KT_EINVAL, "monetary", "a stage's sum does not fit in 64 bits");
        }
        kt_aout_table(cx.out, "stages", cols, KT_ARRAY_LEN(cols));
        for (int s = 0; !rc && r.n && s < KT_STAGE_COUNT_; s++) {
            kt_aout_text(cx.out, kt_stage_names[s]);
            kt_aout_int(cx.out, (int64_t)members[s]);
            kt_aout_real(cx.out, (double)members[s] / (double)r.n);
            kt_aout_money(cx.out, monetary[s]);
            kt_aout_text(cx.out, action[s]);
            kt_aout_row_end(cx.out);
        }
    } else if (!rc) {
        static const kt_acol cols[] = {{"member", KT_ACOL_TEXT, 0},   {"stage", KT_ACOL_TEXT, 0},
                                       {"receipts", KT_ACOL_INT, 0},  {"monetary", KT_ACOL_MONEY, 0},
                                       {"action", KT_ACOL_TEXT, 0}};
        rc = kt_actx_load_names(cx.a, KT_ADIM_MEMBER, &err);
        if (!rc) kt_aout_table(cx.out, "members", cols, KT_ARRAY_LEN(cols));
        for (size_t i = 0; !rc && i < r.n; i++) {
            const kt_lifecycle_row *x = &r.rows[i];
            kt_aout_text(cx.out, kt_actx_name(cx.a, KT_ADIM_MEMBER, x->member));
            kt_aout_text(cx.out, kt_stage_names[x->stage]);
            kt_aout_int(cx.out, x->receipts);
            kt_aout_money(cx.out, x->monetary);
            kt_aout_text(cx.out, action[x->stage]);
            kt_aout_row_end(cx.out);
        }
    }
    if (!rc && cx.stats) fprintf(stderr, "lifecycle: %zu members, %.1f MB accumulators\n", r.n, (double)r.memory_bytes / 1e6);
    kt_lifecycle_free(&r);
    return kt_acli_end(&cx, rc, &err);
}

KT_COMMAND(lifecycle, "lifecycle", "A2: members by lifecycle stage (regular, promising, new, lapsed) with actions", cmd_lifecycle)

/* ---- abc ---------------------------------------------------------------------------- */
static const char *const abc_of_names[] = {"sku", "category", "top", "brand", "member", "store"};
static const char *const abc_by_names[] = {"revenue", "units", "receipts", "members"};

static int cmd_abc(int argc, char **argv) {
    kt_opt o[] = {
        KT_ACLI_OPTS,
        {"of", KT_OPT_VALUE, "sku (default), category, top, brand, member or store", NULL},
        {"by", KT_OPT_VALUE, "revenue (default), units, receipts or members", NULL},
        {"a", KT_OPT_VALUE, "cumulative share that closes class A (default 0.80)", NULL},
        {"b", KT_OPT_VALUE, "cumulative share that closes class B (default 0.95)", NULL},
    };
    size_t no = KT_ARRAY_LEN(o);
    if (kt_cli_wants_help(argc, argv)) {
        usage("abc [--of sku|category|top|brand|member|store] [--by revenue|units|receipts|members] [--a 0.80] [--b 0.95]",
              o, no);
        printf("\nItems by value descending (ties by id ascending) with share = value / total and\n"
               "cum_share = the running sum / total. An item is A when the cumulative share before it\n"
               "is below --a, else B when below --b, else C: the item that reaches or crosses a\n"
               "boundary is in the upper class. Items with no positive value are left out.\n"
               "revenue = sales minus returns; units = quantity sold minus returned; receipts = sale\n"
               "receipts holding the item; members = distinct members with a sale of it.\n");
        return 0;
    }
    kt_err err = {0};
    kt_acli cx;
    kt_rc rc = kt_acli_start(&cx, o, no, argc, argv, NULL, 0, NULL, &err);
    if (rc) return kt_cli_error(&err);
    kt_abc_of of;
    kt_abc_by by;
    uint32_t a, b;
    rc = kt_abc_parse_of(OPT(o, "of"), "--of", false, &of, &err);
    if (!rc) rc = kt_abc_parse_by(OPT(o, "by"), "--by", &by, &err);
    if (!rc) rc = abc_bounds(o, no, &a, &b, &err);
    kt_abc_result r = {0};
    if (!rc) rc = kt_abc_run(cx.a, &cx.filter, of, by, a, b, cx.threads, &r, &err);
    if (!rc) {
        kt_acol cols[] = {{"item", KT_ACOL_TEXT, 0}, value_col("value", by), {"share", KT_ACOL_REAL, 4},
                          {"cum_share", KT_ACOL_REAL, 4}, {"class", KT_ACOL_TEXT, 0}};
        kt_aout_meta_text(cx.out, "of", abc_of_names[of]);
        kt_aout_meta_text(cx.out, "by", abc_by_names[by]);
        kt_aout_table(cx.out, "items", cols, KT_ARRAY_LEN(cols));
        for (size_t i = 0; i < r.n; i++) {
            const kt_abc_item *it = &r.items[i];
            char cls[2] = {it->cls, 0};
            kt_aout_text(cx.out, it->name);
            value_cell(cx.out, by, it->value);
            kt_aout_real(cx.out, ratio(it->value, r.total));
            kt_aout_real(cx.out, ratio(it->cum_value, r.total));
            kt_aout_text(cx.out, cls);
            kt_aout_row_end(cx.out);
        }
    }
    if (!rc && cx.stats)
        fprintf(stderr, "abc: %zu items, %.1f MB accumulators, %zu segments from their summaries\n", r.n,
                (double)r.memory_bytes / 1e6, r.summary_segments);
    kt_abc_free(&r);
    return kt_acli_end(&cx, rc, &err);
}

KT_COMMAND(abc, "abc", "A3: ABC classes of SKUs, categories, brands, members or stores by a measure", cmd_abc)

/* ---- xyz ------------------------------------------------------------------------------ */
static const char *const period_names[] = {"week", "month"};

static int cmd_xyz(int argc, char **argv) {
    kt_opt o[] = {
        KT_ACLI_OPTS,
        {"of", KT_OPT_VALUE, "sku (default), category, top or brand", NULL},
        {"period", KT_OPT_VALUE, "week (default, Monday to Sunday) or month", NULL},
        {"x", KT_OPT_VALUE, "cv below this is X (default 0.5)", NULL},
        {"y", KT_OPT_VALUE, "cv below this is Y, else Z (default 1.0)", NULL},
    };
    size_t no = KT_ARRAY_LEN(o);
    if (kt_cli_wants_help(argc, argv)) {
        usage("xyz [--of sku|category|top|brand] [--period week|month] [--x 0.5] [--y 1.0]", o, no);
        printf("\nDemand = units sold minus returned per period, over every period that touches the\n"
               "range (--from, else the first day with a receipt, to the as-of day); a period without\n"
               "sales counts as 0. mean and the population stddev over those periods; cv = stddev /\n"
               "mean; X when cv < --x, Y when cv < --y, else Z. Items with no positive demand are\n"
               "left out. periods = the number of periods in the range.\n");
        return 0;
    }
    kt_err err = {0};
    kt_acli cx;
    kt_rc rc = kt_acli_start(&cx, o, no, argc, argv, NULL, 0, NULL, &err);
    if (rc) return kt_cli_error(&err);
    kt_abc_of of;
    kt_xyz_period period;
    double x, y;
    rc = kt_abc_parse_of(OPT(o, "of"), "--of", true, &of, &err);
    if (!rc) rc = kt_xyz_parse_period(OPT(o, "period"), "--period", &period, &err);
    if (!rc) rc = xyz_bounds(o, no, &x, &y, &err);
    kt_xyz_result r = {0};
    if (!rc) rc = kt_xyz_run(cx.a, &cx.filter, kt_abc_level(of), period, x, y, cx.threads, &r, &err);
    if (!rc) {
        static const kt_acol cols[] = {{"item", KT_ACOL_TEXT, 0},  {"periods", KT_ACOL_INT, 0},
                                       {"mean", KT_ACOL_REAL, 3},  {"stddev", KT_ACOL_REAL, 3},
                                       {"cv", KT_ACOL_REAL, 4},    {"class", KT_ACOL_TEXT, 0}};
        kt_aout_meta_text(cx.out, "of", abc_of_names[of]);
        kt_aout_meta_text(cx.out, "period", period_names[period]);
        kt_aout_table(cx.out, "items", cols, KT_ARRAY_LEN(cols));
        for (size_t i = 0; i < r.n; i++) {
            const kt_xyz_item *it = &r.items[i];
            char cls[2] = {it->cls, 0};
            kt_aout_text(cx.out, it->name);
            kt_aout_int(cx.out, r.periods);
            kt_aout_real(cx.out, it->mean);
            kt_aout_real(cx.out, it->stddev);
            kt_aout_real(cx.out, it->cv);
            kt_aout_text(cx.out, cls);
            kt_aout_row_end(cx.out);
        }
    }
    if (!rc && cx.stats)
        fprintf(stderr, "xyz: %zu items, %u periods, %.1f MB accumulators\n", r.n, r.periods, (double)r.memory_bytes / 1e6);
    kt_xyz_free(&r);
    return kt_acli_end(&cx, rc, &err);
}

KT_COMMAND(xyz, "xyz", "A3: XYZ classes by the coefficient of variation of weekly or monthly demand", cmd_xyz)

/* ---- abc-xyz ---------------------------------------------------------------------------- */
static int cmd_abc_xyz(int argc, char **argv) {
    kt_opt o[] = {
        KT_ACLI_OPTS,
        {"of", KT_OPT_VALUE, "sku (default), category, top or brand", NULL},
        {"by", KT_OPT_VALUE, "ABC measure: revenue (default), units, receipts or members", NULL},
        {"period", KT_OPT_VALUE, "XYZ period: week (default) or month", NULL},
        {"a", KT_OPT_VALUE, "ABC: cumulative share that closes class A (default 0.80)", NULL},
        {"b", KT_OPT_VALUE, "ABC: cumulative share that closes class B (default 0.95)", NULL},
        {"x", KT_OPT_VALUE, "XYZ: cv below this is X (default 0.5)", NULL},
        {"y", KT_OPT_VALUE, "XYZ: cv below this is Y, else Z (default 1.0)", NULL},
    };
    size_t no = KT_ARRAY_LEN(o);
    if (kt_cli_wants_help(argc, argv)) {
        usage("abc-xyz [--of sku|category|top|brand] [--by revenue|units|receipts|members] [--period week|month] "
              "[--a 0.80] [--b 0.95] [--x 0.5] [--y 1.0]", o, no);
        printf("\nThe 3 x 3 matrix of karta abc and karta xyz over the same items: for each pair of\n"
               "classes the items, the sum of their ABC values and its share of the matrix total.\n"
               "Items that have only one of the two classes are left out. All nine cells are listed\n"
               "(none when there are no items).\n");
        return 0;
    }
    kt_err err = {0};
    kt_acli cx;
    kt_rc rc = kt_acli_start(&cx, o, no, argc, argv, NULL, 0, NULL, &err);
    if (rc) return kt_cli_error(&err);
    kt_abc_of of;
    kt_abc_by by;
    kt_xyz_period period;
    uint32_t a, b;
    double x, y;
    rc = kt_abc_parse_of(OPT(o, "of"), "--of", true, &of, &err);
    if (!rc) rc = kt_abc_parse_by(OPT(o, "by"), "--by", &by, &err);
    if (!rc) rc = kt_xyz_parse_period(OPT(o, "period"), "--period", &period, &err);
    if (!rc) rc = abc_bounds(o, no, &a, &b, &err);
    if (!rc) rc = xyz_bounds(o, no, &x, &y, &err);
    kt_abc_result ra = {0};
    kt_xyz_result rx = {0};
    if (!rc) rc = kt_abc_run(cx.a, &cx.filter, of, by, a, b, cx.threads, &ra, &err);
    if (!rc) rc = kt_xyz_run(cx.a, &cx.filter, kt_abc_level(of), period, x, y, cx.threads, &rx, &err);
    if (!rc) {
        kt_abcxyz m;
        kt_abcxyz_cross(&ra, &rx, &m);
        kt_acol cols[] = {{"abc", KT_ACOL_TEXT, 0}, {"xyz", KT_ACOL_TEXT, 0}, {"items", KT_ACOL_INT, 0},
                          value_col("value", by), {"share", KT_ACOL_REAL, 4}};
        kt_aout_meta_text(cx.out, "of", abc_of_names[of]);
        kt_aout_meta_text(cx.out, "by", abc_by_names[by]);
        kt_aout_meta_text(cx.out, "period", period_names[period]);
        kt_aout_table(cx.out, "matrix", cols, KT_ARRAY_LEN(cols));
        for (int i = 0; m.nitems && i < 3; i++)
            for (int j = 0; j < 3; j++) {
                char c1[2] = {(char)('A' + i), 0}, c2[2] = {(char)('X' + j), 0};
                kt_aout_text(cx.out, c1);
                kt_aout_text(cx.out, c2);
                kt_aout_int(cx.out, (int64_t)m.items[i][j]);
                value_cell(cx.out, by, m.value[i][j]);
                kt_aout_real(cx.out, ratio(m.value[i][j], m.total));
                kt_aout_row_end(cx.out);
            }
    }
    kt_abc_free(&ra);
    kt_xyz_free(&rx);
    return kt_acli_end(&cx, rc, &err);
}

KT_COMMAND(abc_xyz, "abc-xyz", "A3: the ABC-XYZ matrix (items and value by ABC and XYZ class)", cmd_abc_xyz)

/* ---- preferences ------------------------------------------------------------------------ */
/* "CODE:0.1234;CODE:0.0567" */
static void shares_text(kt_actx *a, kt_alevel level, const kt_prefs_share *s, size_t n, char *buf, size_t size) {
    size_t len = 0;
    buf[0] = 0;
    for (size_t i = 0; i < n && len < size; i++) {
        int w = snprintf(buf + len, size - len, "%s%s:%.4f", i ? ";" : "", kt_actx_group_name(a, level, s[i].group),
                         s[i].share);
        if (w < 0) break;
        len += (size_t)w;
    }
}

static kt_rc find_member(kt_actx *a, const char *id, uint32_t *out, kt_err *err) {
    kt_rc rc = kt_actx_load_names(a, KT_ADIM_MEMBER, err);
    if (rc) return rc;
    size_t n = kt_actx_count(a, KT_ADIM_MEMBER);
    for (size_t i = 1; i < n; i++)
        if (!strcmp(kt_actx_name(a, KT_ADIM_MEMBER, (uint32_t)i), id)) { *out = (uint32_t)i; return KT_OK; }
    return kt_fail(err, KT_ENOTFOUND, "--member", "no member \"%.60s\" in the history", id);
}

static int cmd_preferences(int argc, char **argv) {
    kt_opt o[] = {
        KT_ACLI_OPTS,
        {"member", KT_OPT_VALUE, "ID: only this member (by the id the analyses print)", NULL},
        {"top", KT_OPT_VALUE, "N: categories and brands listed per member (default 3, at most 20)", NULL},
        {"level", KT_OPT_VALUE, "category level: top (default, the department) or category (the product's own)", NULL},
    };
    size_t no = KT_ARRAY_LEN(o);
    if (kt_cli_wants_help(argc, argv)) {
        usage("preferences [--member ID] [--top N] [--level top|category]", o, no);
        printf("\ntop_categories and top_brands: CODE:SHARE;... by share of the member's spend (sales\n"
               "minus returns), largest first. weekday, hour_band and store: the most frequent among\n"
               "the member's sale receipts, with their share of them. Hour bands (local time):\n");
        for (int b = 0; b < KT_PREFS_BANDS; b++)
            printf("  %-10s %02u:00-%02u:00\n", kt_prefs_bands[b].name, kt_prefs_bands[b].from_minute / 60,
                   kt_prefs_bands[b].to_minute / 60);
        return 0;
    }
    kt_err err = {0};
    kt_acli cx;
    kt_rc rc = kt_acli_start(&cx, o, no, argc, argv, NULL, 0, NULL, &err);
    if (rc) return kt_cli_error(&err);
    int64_t top;
    kt_prefs_opts po = {KT_ALEVEL_TOP, 3, KT_ACTX_NONE};
    rc = kt_opt_i64(o, no, "top", 3, 1, KT_PREFS_TOP_MAX, &top, &err);
    po.top_n = (int)top;
    const char *level = OPT(o, "level");
    if (!rc && level) {
        if (!strcmp(level, "category")) po.category_level = KT_ALEVEL_CATEGORY;
        else if (strcmp(level, "top")) rc = kt_fail(&err, KT_EUSAGE, "--level", "want top or category, not \"%.40s\"", level);
    }
    if (!rc && OPT(o, "member")) rc = find_member(cx.a, OPT(o, "member"), &po.member, &err);
    kt_prefs_result r = {0};
    if (!rc) rc = kt_prefs_run(cx.a, &cx.filter, &po, cx.threads, &r, &err);
    if (!rc) rc = kt_actx_load_names(cx.a, KT_ADIM_MEMBER, &err);
    if (!rc) {
        static const kt_acol cols[] = {
            {"member", KT_ACOL_TEXT, 0},      {"top_categories", KT_ACOL_TEXT, 0}, {"top_brands", KT_ACOL_TEXT, 0},
            {"weekday", KT_ACOL_TEXT, 0},     {"weekday_share", KT_ACOL_REAL, 4},  {"hour_band", KT_ACOL_TEXT, 0},
            {"hour_band_share", KT_ACOL_REAL, 4}, {"store", KT_ACOL_TEXT, 0},     {"store_share", KT_ACOL_REAL, 4}};
        kt_aout_table(cx.out, "members", cols, KT_ARRAY_LEN(cols));
        char buf[KT_PREFS_TOP_MAX * 160];
        for (size_t i = 0; i < r.n; i++) {
            const kt_prefs_row *x = &r.rows[i];
            kt_aout_text(cx.out, kt_actx_name(cx.a, KT_ADIM_MEMBER, x->member));
            shares_text(cx.a, po.category_level, x->cats, x->ncats, buf, sizeof buf);
            kt_aout_text(cx.out, buf);
            shares_text(cx.a, KT_ALEVEL_BRAND, x->brands, x->nbrands, buf, sizeof buf);
            kt_aout_text(cx.out, buf);
            kt_aout_text(cx.out, kt_prefs_weekdays[x->weekday]);
            kt_aout_real(cx.out, x->weekday_share);
            kt_aout_text(cx.out, kt_prefs_bands[x->band].name);
            kt_aout_real(cx.out, x->band_share);
            kt_aout_text(cx.out, kt_actx_name(cx.a, KT_ADIM_STORE, x->store));
            kt_aout_real(cx.out, x->store_share);
            kt_aout_row_end(cx.out);
        }
    }
    if (!rc && cx.stats) fprintf(stderr, "preferences: %zu members, %.1f MB accumulators\n", r.n, (double)r.memory_bytes / 1e6);
    kt_prefs_free(&r);
    return kt_acli_end(&cx, rc, &err);
}

KT_COMMAND(preferences, "preferences", "A4: each member's top categories and brands, weekday, hour band and store", cmd_preferences)
