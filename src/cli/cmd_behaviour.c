/*
 * cmd_behaviour.c - the behavioural analyses over members' histories
 * (docs/analytics.md): `karta sequences` (A8), `karta first-experience` (A9),
 * `karta interval` (A7), `karta rfmp` (A6), `karta assortment` (A10) and
 * `karta loss` (A11). Each parses its options, builds the histories
 * (analytics/history.h) and writes one table through aout.h.
 */
#include "acli.h"
#include "analytics/assortment.h"
#include "analytics/firstexp.h"
#include "analytics/history.h"
#include "analytics/interval.h"
#include "analytics/loss.h"
#include "core/date.h"
#include "members/members.h"
#include "analytics/rfmp.h"
#include "analytics/sequences.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared ------------------------------------------------------------------------ */

/* Names for sorting (qsort has no context argument in C11). */
static kt_actx *sort_a;
static kt_alevel sort_level;

static int name_cmp(kt_adim d, uint32_t x, uint32_t y) {
    if (x == y) return 0;
    const char *a = kt_actx_name(sort_a, d, x), *b = kt_actx_name(sort_a, d, y);
    int c = strcmp(a ? a : "", b ? b : "");
    return c ? c : (x > y) - (x < y);
}
static int item_cmp(uint32_t x, uint32_t y) {
    if (x == y) return 0;
    const char *a = kt_actx_group_name(sort_a, sort_level, x), *b = kt_actx_group_name(sort_a, sort_level, y);
    int c = strcmp(a ? a : "", b ? b : "");
    return c ? c : (x > y) - (x < y);
}

/* Stable re-sort of ranges of equal keys: sorts N elements of SIZE by CMP
 * only within runs where SAME says the primary key is equal. */
static void sort_ties(void *base, size_t n, size_t size, int (*same)(const void *, const void *),
                      int (*cmp)(const void *, const void *)) {
    char *p = base;
    size_t b = 0;
    while (b < n) {
        size_t e = b + 1;
        while (e < n && same(p + b * size, p + e * size)) e++;
        if (e - b > 1) qsort(p + b * size, e - b, size, cmp);
        b = e;
    }
}

/* Open the context, load what the histories need, build them. */
static kt_rc history_for(kt_acli *cx, kt_alevel level, bool with_amount, kt_history *h, kt_err *err) {
    kt_rc rc = kt_actx_load_products(cx->a, err);
    if (!rc) rc = kt_actx_load_names(cx->a, KT_ADIM_SKU, err);
    if (!rc) rc = kt_actx_load_names(cx->a, KT_ADIM_MEMBER, err);
    kt_history_opts ho = {.level = level, .with_amount = with_amount, .threads = cx->threads};
    if (!rc) rc = kt_history_build(cx->a, &cx->filter, &ho, h, err);
    sort_a = cx->a;
    sort_level = level;
    return rc;
}

static void history_stats(const kt_acli *cx, const kt_history *h, size_t analysis_bytes) {
    if (!cx->stats) return;
    fprintf(stderr, "history: %zu events of %zu members from %llu lines; %.1f MB building, %.1f MB analysis\n",
            h->nevents, h->active, (unsigned long long)h->lines_scanned, h->memory_bytes / 1048576.0,
            analysis_bytes / 1048576.0);
}

static kt_rc level_opt(const kt_opt *o, size_t no, const char *name, kt_alevel dflt, bool allow_brand_top,
                       kt_alevel *out, kt_err *err) {
    const char *v = kt_opt_get(o, no, name);
    char field[32];
    snprintf(field, sizeof field, "--%s", name);
    *out = dflt;
    if (!v) return KT_OK;
    kt_rc rc = kt_actx_parse_level(v, field, out, err);
    if (!rc && !allow_brand_top && *out != KT_ALEVEL_SKU && *out != KT_ALEVEL_CATEGORY)
        rc = kt_fail(err, KT_EUSAGE, field, "want sku or category, not \"%.40s\"", v);
    if (rc) err->code = KT_EUSAGE;
    return rc;
}

static kt_rc positive_real(const kt_opt *o, size_t no, const char *name, double dflt, double max, double *out,
                           kt_err *err) {
    const char *v = kt_opt_get(o, no, name);
    char field[32];
    snprintf(field, sizeof field, "--%s", name);
    *out = dflt;
    if (!v) return KT_OK;
    char *end;
    double x = strtod(v, &end);
    if (end == v || *end || x != x) return kt_fail(err, KT_EUSAGE, field, "want a number, not \"%.40s\"", v);
    if (x <= 0 || x > max) return kt_fail(err, KT_EUSAGE, field, "must be above 0 and at most %g", max);
    *out = x;
    return KT_OK;
}

static kt_rc int_opt(const kt_opt *o, size_t no, const char *name, int64_t dflt, int64_t min, int64_t max,
                     int64_t *out, kt_err *err) {
    kt_rc rc = kt_opt_i64(o, no, name, dflt, min, max, out, err);
    if (rc) err->code = KT_EUSAGE;
    return rc;
}

#define NO (KT_ARRAY_LEN(o))

/* ---- A8 sequences ----------------------------------------------------------------- */
static int seq_same(const void *p, const void *q) {
    return ((const kt_sequence_rule *)p)->members == ((const kt_sequence_rule *)q)->members;
}
static int seq_names(const void *p, const void *q) {
    const kt_sequence_rule *a = p, *b = q;
    int c = item_cmp(a->x, b->x);
    return c ? c : item_cmp(a->y, b->y);
}

static int cmd_sequences(int argc, char **argv) {
    kt_opt o[] = {
        KT_ACLI_OPTS,
        {"window", KT_OPT_VALUE, "W: Y within W days after X, 0..3650 (90 or 90d; default 90)", NULL},
        {"min-support", KT_OPT_VALUE, "S: least share of members, 0..1 (default 0.01)", NULL},
        {"min-confidence", KT_OPT_VALUE, "C: least confidence, 0..1 (default 0.1)", NULL},
        {"level", KT_OPT_VALUE, "sku (default), category, top or brand", NULL},
    };
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help("sequences [--window 90d] [--min-support S] [--min-confidence C] [--level sku|category|brand]", o, NO);
        printf("\nRules \"X, then Y within W days\" over members' histories: a member counts for X -> Y when a\n"
               "receipt after one holding X (never the same receipt) holds Y, at most W days later.\n"
               "support = members / members with a purchase; confidence = members whose X was bought at\n"
               "least W days before the as-of day and followed by Y / members with such an X; lift =\n"
               "confidence / share of members who bought Y; gaps (days from X to the first Y after the\n"
               "member's first qualifying X): quartiles by linear interpolation. docs/analytics.md.\n"
               "\n  CSV: x,y,members,support,x_members,x_then_y,confidence,lift,gap_q1,gap_median,gap_q3\n");
        return 0;
    }
    kt_err err = {0};
    size_t npos;
    int64_t window = 90;
    double support, confidence;
    kt_alevel level;
    kt_rc rc = kt_opts_parse(argc, argv, o, NO, NULL, 0, &npos, &err);
    const char *w = kt_opt_get(o, NO, "window");
    if (!rc && w) rc = kt_hparse_days(w, "--window", 0, 3650, &window, &err);
    if (!rc) rc = kt_acli_share(o, NO, "min-support", 0.01, true, &support, &err);
    if (!rc) rc = kt_acli_share(o, NO, "min-confidence", 0.1, true, &confidence, &err);
    if (!rc) rc = level_opt(o, NO, "level", KT_ALEVEL_SKU, true, &level, &err);
    if (rc) return kt_cli_error(&err);
    kt_acli cx;
    if (kt_acli_start(&cx, o, NO, argc, argv, NULL, 0, NULL, &err)) return kt_cli_error(&err);
    kt_history h;
    kt_sequences_result r = {0};
    rc = history_for(&cx, level, false, &h, &err);
    kt_sequences_opts so = {.window_days = (int)window, .as_of = cx.as_of, .min_support = support,
                            .min_confidence = confidence};
    if (!rc) rc = kt_sequences_run(&h, &so, &r, &err);
    if (!rc) {
        sort_ties(r.rules, r.n, sizeof *r.rules, seq_same, seq_names);
        kt_aout_meta_int(cx.out, "window_days", window);
        kt_aout_meta_int(cx.out, "members", (int64_t)r.members);
        static const kt_acol cols[] = {
            {"x", KT_ACOL_TEXT, 0}, {"y", KT_ACOL_TEXT, 0}, {"members", KT_ACOL_INT, 0},
            {"support", KT_ACOL_REAL, 4}, {"x_members", KT_ACOL_INT, 0}, {"x_then_y", KT_ACOL_INT, 0},
            {"confidence", KT_ACOL_REAL, 4}, {"lift", KT_ACOL_REAL, 4}, {"gap_q1", KT_ACOL_REAL, 2},
            {"gap_median", KT_ACOL_REAL, 2}, {"gap_q3", KT_ACOL_REAL, 2},
        };
        kt_aout_table(cx.out, "sequences", cols, KT_ARRAY_LEN(cols));
        for (size_t i = 0; i < r.n; i++) {
            const kt_sequence_rule *s = &r.rules[i];
            kt_aout_text(cx.out, kt_actx_group_name(cx.a, level, s->x));
            kt_aout_text(cx.out, kt_actx_group_name(cx.a, level, s->y));
            kt_aout_int(cx.out, s->members);
            kt_aout_real(cx.out, s->support);
            kt_aout_int(cx.out, s->x_members);
            kt_aout_int(cx.out, s->x_then_y);
            kt_aout_real(cx.out, s->confidence);
            kt_aout_real(cx.out, s->lift);
            kt_aout_real(cx.out, s->gap_q1);
            kt_aout_real(cx.out, s->gap_median);
            kt_aout_real(cx.out, s->gap_q3);
            kt_aout_row_end(cx.out);
        }
        history_stats(&cx, &h, r.memory_bytes);
        if (cx.stats) fprintf(stderr, "sequences: %zu pairs counted, %zu rules\n", r.pairs_counted, r.n);
    }
    kt_sequences_free(&r);
    kt_history_free(&h);
    return kt_acli_end(&cx, rc, &err);
}

KT_COMMAND(sequences, "sequences", "A8 rules \"X, then Y within W days\" over members' histories", cmd_sequences)

/* ---- A9 first experience ---------------------------------------------------------- */
static int fx_same(const void *p, const void *q) {
    const kt_firstexp_row *a = p, *b = q;
    return a->months == b->months && a->members_with == b->members_with &&
           (a->lift == b->lift || (isnan(a->lift) && isnan(b->lift)));
}
static int fx_names(const void *p, const void *q) {
    return item_cmp(((const kt_firstexp_row *)p)->item, ((const kt_firstexp_row *)q)->item);
}

static kt_rc months_opt(const char *v, kt_firstexp_opts *fo, kt_err *err) {
    fo->nmonths = 0;
    if (!v) {
        fo->months[0] = 3;
        fo->months[1] = 6;
        fo->nmonths = 2;
        return KT_OK;
    }
    const char *p = v;
    for (;;) {
        char *end;
        long m = strtol(p, &end, 10);
        if (end == p || (*end && *end != ',') || m < 1 || m > 120)
            return kt_fail(err, KT_EUSAGE, "--months", "want months 1..120 separated by commas (3,6), not \"%.40s\"", v);
        if (fo->nmonths == KT_FIRSTEXP_MONTHS_MAX)
            return kt_fail(err, KT_EUSAGE, "--months", "at most %d values", KT_FIRSTEXP_MONTHS_MAX);
        for (size_t i = 0; i < fo->nmonths; i++)
            if (fo->months[i] == (int)m) return kt_fail(err, KT_EUSAGE, "--months", "%ld is given twice", m);
        fo->months[fo->nmonths++] = (int)m;
        if (!*end) break;
        p = end + 1;
    }
    /* ascending, so that rows come out by months */
    for (size_t i = 1; i < fo->nmonths; i++)
        for (size_t j = i; j > 0 && fo->months[j - 1] > fo->months[j]; j--) {
            int t = fo->months[j];
            fo->months[j] = fo->months[j - 1];
            fo->months[j - 1] = t;
        }
    return KT_OK;
}

static int cmd_first_experience(int argc, char **argv) {
    kt_opt o[] = {
        KT_ACLI_OPTS,
        {"level", KT_OPT_VALUE, "category (default), sku, top or brand", NULL},
        {"months", KT_OPT_VALUE, "M[,M...]: months after the first receipt, 1..120 each (default 3,6)", NULL},
        {"min-members", KT_OPT_VALUE, "N: least cohort members whose first receipt holds the item (default 1)", NULL},
    };
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help("first-experience [--level sku|category|top|brand] [--months 3,6] [--min-members N]", o, NO);
        printf("\nWhich items in members' first receipts go with still being active M months later.\n"
               "Only members whose first receipt is at least M months before the as-of day count; active\n"
               "after M months = a purchase on or after the first day + M months. Retention with and\n"
               "without the item in the first receipt, and lift = with / without. docs/analytics.md.\n"
               "\n  CSV: months,item,members_with,retained_with,retention_with,members_without,\n"
               "       retained_without,retention_without,lift\n");
        return 0;
    }
    kt_err err = {0};
    size_t npos;
    kt_alevel level;
    int64_t min_members;
    kt_firstexp_opts fo = {0};
    kt_rc rc = kt_opts_parse(argc, argv, o, NO, NULL, 0, &npos, &err);
    if (!rc) rc = level_opt(o, NO, "level", KT_ALEVEL_CATEGORY, true, &level, &err);
    if (!rc) rc = months_opt(kt_opt_get(o, NO, "months"), &fo, &err);
    if (!rc) rc = int_opt(o, NO, "min-members", 1, 1, 1000000000, &min_members, &err);
    if (rc) return kt_cli_error(&err);
    kt_acli cx;
    if (kt_acli_start(&cx, o, NO, argc, argv, NULL, 0, NULL, &err)) return kt_cli_error(&err);
    kt_history h;
    kt_firstexp_result r = {0};
    rc = history_for(&cx, level, false, &h, &err);
    if (!rc) {
        fo.as_of = cx.as_of;
        fo.min_members = (uint32_t)min_members;
        kt_firstexp_run(&h, &fo, &r);
        sort_ties(r.rows, r.n, sizeof *r.rows, fx_same, fx_names);
        static const kt_acol cols[] = {
            {"months", KT_ACOL_INT, 0}, {"item", KT_ACOL_TEXT, 0}, {"members_with", KT_ACOL_INT, 0},
            {"retained_with", KT_ACOL_INT, 0}, {"retention_with", KT_ACOL_REAL, 4},
            {"members_without", KT_ACOL_INT, 0}, {"retained_without", KT_ACOL_INT, 0},
            {"retention_without", KT_ACOL_REAL, 4}, {"lift", KT_ACOL_REAL, 4},
        };
        kt_aout_table(cx.out, "first_experience", cols, KT_ARRAY_LEN(cols));
        for (size_t i = 0; i < r.n; i++) {
            const kt_firstexp_row *x = &r.rows[i];
            kt_aout_int(cx.out, x->months);
            kt_aout_text(cx.out, kt_actx_group_name(cx.a, level, x->item));
            kt_aout_int(cx.out, x->members_with);
            kt_aout_int(cx.out, x->retained_with);
            kt_aout_real(cx.out, x->retention_with);
            kt_aout_int(cx.out, x->members_without);
            kt_aout_int(cx.out, x->retained_without);
            kt_aout_real(cx.out, x->retention_without);
            kt_aout_real(cx.out, x->lift);
            kt_aout_row_end(cx.out);
        }
        history_stats(&cx, &h, r.memory_bytes);
    }
    kt_firstexp_free(&r);
    kt_history_free(&h);
    return kt_acli_end(&cx, rc, &err);
}

KT_COMMAND(first_experience, "first-experience", "A9 first-receipt items against retention after 3 and 6 months",
           cmd_first_experience)

/* ---- A7 interval ------------------------------------------------------------------ */
static int iv_same(const void *p, const void *q) {
    return ((const kt_interval_row *)p)->buyers == ((const kt_interval_row *)q)->buyers;
}
static int iv_names(const void *p, const void *q) {
    return item_cmp(((const kt_interval_row *)p)->item, ((const kt_interval_row *)q)->item);
}

static int cmd_interval(int argc, char **argv) {
    kt_opt o[] = {
        KT_ACLI_OPTS,
        {"of", KT_OPT_VALUE, "sku (default), category, top or brand", NULL},
    };
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help("interval [--of sku|category|top|brand]", o, NO);
        printf("\nDays between a member's consecutive purchase days of an item (several receipts on one\n"
               "day are one purchase day), over all buyers: mean, median and quartiles (linear\n"
               "interpolation); repeat buyers bought it on two or more days. docs/analytics.md.\n"
               "\n  CSV: item,buyers,repeat_buyers,repeat_share,intervals,mean_days,median_days,q1_days,q3_days\n");
        return 0;
    }
    kt_err err = {0};
    size_t npos;
    kt_alevel level;
    kt_rc rc = kt_opts_parse(argc, argv, o, NO, NULL, 0, &npos, &err);
    if (!rc) rc = level_opt(o, NO, "of", KT_ALEVEL_SKU, true, &level, &err);
    if (rc) return kt_cli_error(&err);
    kt_acli cx;
    if (kt_acli_start(&cx, o, NO, argc, argv, NULL, 0, NULL, &err)) return kt_cli_error(&err);
    kt_history h;
    kt_interval_result r = {0};
    rc = history_for(&cx, level, false, &h, &err);
    if (!rc) {
        kt_interval_run(&h, &r);
        sort_ties(r.rows, r.n, sizeof *r.rows, iv_same, iv_names);
        static const kt_acol cols[] = {
            {"item", KT_ACOL_TEXT, 0}, {"buyers", KT_ACOL_INT, 0}, {"repeat_buyers", KT_ACOL_INT, 0},
            {"repeat_share", KT_ACOL_REAL, 4}, {"intervals", KT_ACOL_INT, 0}, {"mean_days", KT_ACOL_REAL, 2},
            {"median_days", KT_ACOL_REAL, 2}, {"q1_days", KT_ACOL_REAL, 2}, {"q3_days", KT_ACOL_REAL, 2},
        };
        kt_aout_table(cx.out, "intervals", cols, KT_ARRAY_LEN(cols));
        for (size_t i = 0; i < r.n; i++) {
            const kt_interval_row *x = &r.rows[i];
            kt_aout_text(cx.out, kt_actx_group_name(cx.a, level, x->item));
            kt_aout_int(cx.out, x->buyers);
            kt_aout_int(cx.out, x->repeat_buyers);
            kt_aout_real(cx.out, x->repeat_share);
            kt_aout_int(cx.out, (int64_t)x->intervals);
            kt_aout_real(cx.out, x->mean_days);
            kt_aout_real(cx.out, x->median_days);
            kt_aout_real(cx.out, x->q1_days);
            kt_aout_real(cx.out, x->q3_days);
            kt_aout_row_end(cx.out);
        }
        history_stats(&cx, &h, r.memory_bytes);
    }
    kt_interval_free(&r);
    kt_history_free(&h);
    return kt_acli_end(&cx, rc, &err);
}

KT_COMMAND(interval, "interval", "A7 days between repeat purchases of a SKU or category; share of repeat buyers",
           cmd_interval)

/* ---- A6 rfmp ---------------------------------------------------------------------- */
/* By the name the output shows (external id, first card, dictionary name),
 * else through the operational store (any card, phone, e-mail, #ID). */
static kt_rc find_member(kt_acli *cx, const char *id, uint32_t *out, kt_err *err) {
    size_t n = kt_actx_count(cx->a, KT_ADIM_MEMBER);
    for (size_t m = 1; m < n; m++) {
        const char *name = kt_actx_name(cx->a, KT_ADIM_MEMBER, (uint32_t)m);
        if (name && !strcmp(name, id)) { *out = (uint32_t)m; return KT_OK; }
    }
    int64_t op;
    kt_err ignore = {0};
    if (kt_actx_store(cx->a) && kt_member_find(kt_actx_store(cx->a), id, &op, &ignore) == KT_OK && op > 0 &&
        (uint64_t)op < kt_actx_op_slots(cx->a, KT_ADIM_MEMBER)) {
        *out = (uint32_t)op;
        return KT_OK;
    }
    return kt_fail(err, KT_ENOTFOUND, "--member", "no member \"%.60s\" (want an external id, card or dictionary name)", id);
}

static int rfmp_names(const void *p, const void *q) {
    return item_cmp(((const kt_rfmp_row *)p)->item, ((const kt_rfmp_row *)q)->item);
}
static int member_names(const void *p, const void *q) {
    return name_cmp(KT_ADIM_MEMBER, *(const uint32_t *)p, *(const uint32_t *)q);
}

static int cmd_rfmp(int argc, char **argv) {
    kt_opt o[] = {
        KT_ACLI_OPTS,
        {"member", KT_OPT_VALUE, "ID: this member only (external id, card or dictionary name)", NULL},
        {"of", KT_OPT_VALUE, "sku (default) or category", NULL},
        {"factor", KT_OPT_VALUE, "F: lapsed when the days since the last purchase exceed F x the expected interval (default 1.5)", NULL},
        {"loyal-days", KT_OPT_VALUE, "L: a product's loyal buyers bought it on at least L days, 2..1000 (default 3)", NULL},
        {"substitutes", KT_OPT_VALUE, "category (default: a SKU's own category; a category's parent), top, brand or none", NULL},
        {"lapsed", KT_OPT_FLAG, "only rows with lapsed = 1", NULL},
    };
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help("rfmp [--member ID] [--of sku|category] [--factor F] [--loyal-days L] [--substitutes LEVEL] [--lapsed]",
                     o, NO);
        printf("\nPer member and product: purchase days, days since the last, the member's own mean interval\n"
               "against the median of the product's loyal buyers' intervals, lapsed (overdue by the\n"
               "factor), and the days after the last purchase on which the member bought a substitute\n"
               "(another product of the same substitute group). docs/analytics.md.\n"
               "\n  CSV: member,item,days_bought,first_purchase,last_purchase,days_since_last,own_interval,\n"
               "       loyal_interval,expected_interval,lapsed,substitute_days\n");
        return 0;
    }
    kt_err err = {0};
    size_t npos;
    kt_alevel level;
    double factor;
    int64_t loyal_days;
    kt_rfmp_sub sub = KT_RFMP_SUB_CATEGORY;
    kt_rc rc = kt_opts_parse(argc, argv, o, NO, NULL, 0, &npos, &err);
    const char *member = kt_opt_get(o, NO, "member"), *s = kt_opt_get(o, NO, "substitutes");
    bool lapsed_only = kt_opt_get(o, NO, "lapsed") != NULL;
    if (!rc) rc = level_opt(o, NO, "of", KT_ALEVEL_SKU, false, &level, &err);
    if (!rc) rc = positive_real(o, NO, "factor", 1.5, 1000, &factor, &err);
    if (!rc) rc = int_opt(o, NO, "loyal-days", 3, 2, 1000, &loyal_days, &err);
    if (!rc && member && !*member) rc = kt_fail(&err, KT_EUSAGE, "--member", "is empty");
    if (!rc && s) {
        if (!strcmp(s, "category")) sub = KT_RFMP_SUB_CATEGORY;
        else if (!strcmp(s, "top")) sub = KT_RFMP_SUB_TOP;
        else if (!strcmp(s, "brand")) sub = KT_RFMP_SUB_BRAND;
        else if (!strcmp(s, "none")) sub = KT_RFMP_SUB_NONE;
        else rc = kt_fail(&err, KT_EUSAGE, "--substitutes", "want category, top, brand or none, not \"%.40s\"", s);
    }
    if (!rc && level == KT_ALEVEL_CATEGORY && sub == KT_RFMP_SUB_BRAND)
        rc = kt_fail(&err, KT_EUSAGE, "--substitutes", "a category has no brand: want category, top or none with --of category");
    if (rc) return kt_cli_error(&err);
    kt_acli cx;
    if (kt_acli_start(&cx, o, NO, argc, argv, NULL, 0, NULL, &err)) return kt_cli_error(&err);
    kt_history h;
    kt_rfmp *p = NULL;
    uint32_t who = 0, *order = NULL;
    rc = history_for(&cx, level, false, &h, &err);
    if (!rc && member) rc = find_member(&cx, member, &who, &err);
    kt_rfmp_opts po = {.as_of = cx.as_of, .factor = factor, .loyal_days = (uint32_t)loyal_days, .substitutes = sub};
    if (!rc) rc = kt_rfmp_prepare(cx.a, &h, &po, &p, &err);
    if (!rc) {
        size_t n = 0;
        order = kt_xmalloc((h.members ? h.members : 1) * sizeof *order);
        if (member) {
            if (who < h.members) order[n++] = who;
        } else {
            for (size_t m = 1; m < h.members; m++)
                if (kt_history_len(&h, m)) order[n++] = (uint32_t)m;
            qsort(order, n, sizeof *order, member_names);
        }
        static const kt_acol cols[] = {
            {"member", KT_ACOL_TEXT, 0}, {"item", KT_ACOL_TEXT, 0}, {"days_bought", KT_ACOL_INT, 0},
            {"first_purchase", KT_ACOL_DAY, 0}, {"last_purchase", KT_ACOL_DAY, 0},
            {"days_since_last", KT_ACOL_INT, 0}, {"own_interval", KT_ACOL_REAL, 2},
            {"loyal_interval", KT_ACOL_REAL, 2}, {"expected_interval", KT_ACOL_REAL, 2},
            {"lapsed", KT_ACOL_INT, 0}, {"substitute_days", KT_ACOL_INT, 0},
        };
        kt_aout_table(cx.out, "rfmp", cols, KT_ARRAY_LEN(cols));
        for (size_t i = 0; i < n; i++) {
            size_t k;
            kt_rfmp_row *rows = (kt_rfmp_row *)kt_rfmp_member(p, order[i], &k);
            if (k) qsort(rows, k, sizeof *rows, rfmp_names);
            const char *name = kt_actx_name(cx.a, KT_ADIM_MEMBER, order[i]);
            for (size_t j = 0; j < k; j++) {
                const kt_rfmp_row *x = &rows[j];
                if (lapsed_only && !x->lapsed) continue;
                kt_aout_text(cx.out, name);
                kt_aout_text(cx.out, kt_actx_group_name(cx.a, level, x->item));
                kt_aout_int(cx.out, x->days_bought);
                kt_aout_day(cx.out, x->first);
                kt_aout_day(cx.out, x->last);
                kt_aout_int(cx.out, x->days_since_last);
                kt_aout_real(cx.out, x->own_interval);
                kt_aout_real(cx.out, x->loyal_interval);
                kt_aout_real(cx.out, x->expected);
                kt_aout_int(cx.out, x->lapsed);
                if (x->substitute_days < 0) kt_aout_null(cx.out);
                else kt_aout_int(cx.out, x->substitute_days);
                kt_aout_row_end(cx.out);
            }
        }
        history_stats(&cx, &h, kt_rfmp_memory(p) + h.members * sizeof *order);
    }
    free(order);
    kt_rfmp_free(p);
    kt_history_free(&h);
    return kt_acli_end(&cx, rc, &err);
}

KT_COMMAND(rfmp, "rfmp", "A6 member x product: last purchase, own vs loyal buyers' interval, lapsed, substitutes",
           cmd_rfmp)

/* ---- A10 assortment --------------------------------------------------------------- */
static int as_same(const void *p, const void *q) {
    const kt_assortment_row *a = p, *b = q;
    return a->cls == b->cls && a->buyers == b->buyers;
}
static int as_names(const void *p, const void *q) {
    return item_cmp(((const kt_assortment_row *)p)->sku, ((const kt_assortment_row *)q)->sku);
}

static int cmd_assortment(int argc, char **argv) {
    kt_opt o[] = {
        KT_ACLI_OPTS,
        {"loyal-days", KT_OPT_VALUE, "L: loyal members bought on at least L days, 1..1000 (default 4)", NULL},
        {"retain-days", KT_OPT_VALUE, "R: retained = a purchase in the last R days, 1..3650 (default 30)", NULL},
        {"min-buyers", KT_OPT_VALUE, "B: least eligible buyers for a retention lift, 1..1000000 (default 10)", NULL},
        {"top-share", KT_OPT_VALUE, "S: the top share of SKUs by buyers that are core or hit, above 0, at most 1 (default 0.2)",
         NULL},
        {"retain-lift", KT_OPT_VALUE, "X: the least retention lift of a retaining SKU, above 0, at most 1000 (default 1.1)",
         NULL},
    };
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help("assortment [--loyal-days L] [--retain-days R] [--min-buyers B] [--top-share S] [--retain-lift X]",
                     o, NO);
        printf("\nEach SKU as core, hit, retaining, niche or random (the first that holds):\n"
               "  core       in the top S (20%%) of SKUs by buyers, repeat rate at least the median\n"
               "  hit        in the top S by buyers, repeat rate below the median\n"
               "  retaining  its early buyers are retained at least X (1.10) times as often as all members\n"
               "  niche      loyal members' share of its spend at least their share of all spend, and\n"
               "             repeat rate at least the median\n"
               "  random     the rest\n"
               "Definitions: docs/analytics.md.\n"
               "\n  CSV: sku,class,buyers,member_penetration,receipt_penetration,repeat_rate,loyal_share,\n"
               "       retention_lift,spend\n");
        return 0;
    }
    kt_err err = {0};
    size_t npos;
    int64_t loyal_days, retain_days, min_buyers;
    double top_share, retain_lift;
    kt_rc rc = kt_opts_parse(argc, argv, o, NO, NULL, 0, &npos, &err);
    if (!rc) rc = int_opt(o, NO, "loyal-days", 4, 1, 1000, &loyal_days, &err);
    const char *rd = kt_opt_get(o, NO, "retain-days");
    retain_days = 30;
    if (!rc && rd) rc = kt_hparse_days(rd, "--retain-days", 1, 3650, &retain_days, &err);
    if (!rc) rc = int_opt(o, NO, "min-buyers", 10, 1, 1000000, &min_buyers, &err);
    if (!rc) rc = positive_real(o, NO, "top-share", KT_ASSORT_TOP_SHARE, 1, &top_share, &err);
    if (!rc) rc = positive_real(o, NO, "retain-lift", KT_ASSORT_RETAIN_LIFT, 1000, &retain_lift, &err);
    if (rc) return kt_cli_error(&err);
    kt_acli cx;
    if (kt_acli_start(&cx, o, NO, argc, argv, NULL, 0, NULL, &err)) return kt_cli_error(&err);
    kt_history h;
    kt_assortment_result r = {0};
    rc = history_for(&cx, KT_ALEVEL_SKU, true, &h, &err);
    if (!rc) {
        kt_assortment_opts ao = {.as_of = cx.as_of, .loyal_days = (uint32_t)loyal_days, .retain_days = (int)retain_days,
                                 .min_buyers = (uint32_t)min_buyers, .top_share = top_share,
                                 .retain_lift = retain_lift};
        kt_assortment_run(&h, &ao, &r);
        sort_ties(r.rows, r.n, sizeof *r.rows, as_same, as_names);
        kt_aout_meta_int(cx.out, "members", (int64_t)r.members);
        kt_aout_meta_int(cx.out, "top_buyers", r.top_buyers);
        static const kt_acol cols[] = {
            {"sku", KT_ACOL_TEXT, 0}, {"class", KT_ACOL_TEXT, 0}, {"buyers", KT_ACOL_INT, 0},
            {"member_penetration", KT_ACOL_REAL, 4}, {"receipt_penetration", KT_ACOL_REAL, 4},
            {"repeat_rate", KT_ACOL_REAL, 4}, {"loyal_share", KT_ACOL_REAL, 4}, {"retention_lift", KT_ACOL_REAL, 4},
            {"spend", KT_ACOL_MONEY, 0},
        };
        kt_aout_table(cx.out, "assortment", cols, KT_ARRAY_LEN(cols));
        for (size_t i = 0; i < r.n; i++) {
            const kt_assortment_row *x = &r.rows[i];
            kt_aout_text(cx.out, kt_actx_group_name(cx.a, KT_ALEVEL_SKU, x->sku));
            kt_aout_text(cx.out, kt_assort_class_names[x->cls]);
            kt_aout_int(cx.out, x->buyers);
            kt_aout_real(cx.out, x->member_penetration);
            kt_aout_real(cx.out, x->receipt_penetration);
            kt_aout_real(cx.out, x->repeat_rate);
            kt_aout_real(cx.out, x->loyal_share);
            kt_aout_real(cx.out, x->retention_lift);
            kt_aout_money(cx.out, x->spend);
            kt_aout_row_end(cx.out);
        }
        history_stats(&cx, &h, r.memory_bytes);
    }
    kt_assortment_free(&r);
    kt_history_free(&h);
    return kt_acli_end(&cx, rc, &err);
}

KT_COMMAND(assortment, "assortment", "A10 each SKU as core, hit, retaining, niche or random", cmd_assortment)

/* ---- A11 loss --------------------------------------------------------------------- */
static int loss_same(const void *p, const void *q) {
    return ((const kt_loss_row *)p)->expiring_points == ((const kt_loss_row *)q)->expiring_points;
}
static int loss_names(const void *p, const void *q) {
    return name_cmp(KT_ADIM_MEMBER, ((const kt_loss_row *)p)->member, ((const kt_loss_row *)q)->member);
}

static int cmd_loss(int argc, char **argv) {
    kt_opt o[] = {
        KT_ACLI_OPTS,
        {"days", KT_OPT_VALUE, "N: horizon for expiring points and ending offers, 0..3650 (default 30)", NULL},
    };
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help("loss [--days N] [--as-of YYYY-MM-DD]", o, NO);
        printf("\nPer member, from the operational store: points in open lots whose last valid day is within\n"
               "the next N days (as `karta points balance` counts expiring), personal offers valid today\n"
               "with uses left (and those ending within N days), no favourite category chosen, and the\n"
               "last birthday window's bonus (used, open, missed). --as-of defaults to today.\n"
               "Definitions: docs/analytics.md.\n"
               "\n  CSV: member,expiring_points,next_expiry,offers_open,offers_ending,offer_uses_left,\n"
               "       no_favourite,birthday_bonus,birthday_window_end\n");
        return 0;
    }
    kt_err err = {0};
    size_t npos;
    int64_t days = 30;
    kt_rc rc = kt_opts_parse(argc, argv, o, NO, NULL, 0, &npos, &err);
    const char *d = kt_opt_get(o, NO, "days");
    if (!rc && d) rc = kt_hparse_days(d, "--days", 0, 3650, &days, &err);
    static const char *const unused[] = {"--from", "--to", "--store", "--region"};
    for (size_t i = 0; !rc && i < KT_ARRAY_LEN(unused); i++)
        if (kt_opt_get(o, NO, unused[i] + 2))
            rc = kt_fail(&err, KT_EUSAGE, unused[i], "does not apply: loss reads the ledger and the offers as of one day");
    if (rc) return kt_cli_error(&err);
    kt_acli cx;
    if (kt_acli_start(&cx, o, NO, argc, argv, NULL, 0, NULL, &err)) return kt_cli_error(&err);
    kt_loss_result r = {0};
    kt_loss_opts lo = {.as_of = kt_opt_get(o, NO, "as-of") ? cx.as_of : kt_today(), .days = (int)days};
    rc = kt_actx_load_names(cx.a, KT_ADIM_MEMBER, &err);
    if (!rc) rc = kt_loss_run(cx.a, &lo, &r, &err);
    if (!rc) {
        sort_a = cx.a;
        sort_ties(r.rows, r.n, sizeof *r.rows, loss_same, loss_names);
        kt_aout_meta_day(cx.out, "day", lo.as_of);
        kt_aout_meta_int(cx.out, "days", days);
        static const kt_acol cols[] = {
            {"member", KT_ACOL_TEXT, 0}, {"expiring_points", KT_ACOL_INT, 0}, {"next_expiry", KT_ACOL_DAY, 0},
            {"offers_open", KT_ACOL_INT, 0}, {"offers_ending", KT_ACOL_INT, 0}, {"offer_uses_left", KT_ACOL_INT, 0},
            {"no_favourite", KT_ACOL_INT, 0}, {"birthday_bonus", KT_ACOL_TEXT, 0},
            {"birthday_window_end", KT_ACOL_DAY, 0},
        };
        kt_aout_table(cx.out, "loss", cols, KT_ARRAY_LEN(cols));
        for (size_t i = 0; i < r.n; i++) {
            const kt_loss_row *x = &r.rows[i];
            kt_aout_text(cx.out, kt_actx_name(cx.a, KT_ADIM_MEMBER, x->member));
            kt_aout_int(cx.out, x->expiring_points);
            kt_aout_day(cx.out, x->next_expiry);
            kt_aout_int(cx.out, x->offers_open);
            kt_aout_int(cx.out, x->offers_ending);
            kt_aout_int(cx.out, x->offer_uses_left);
            kt_aout_int(cx.out, x->no_favourite);
            kt_aout_text(cx.out, kt_bday_status_names[x->birthday]);
            kt_aout_day(cx.out, x->birthday_window_end);
            kt_aout_row_end(cx.out);
        }
    }
    kt_loss_free(&r);
    return kt_acli_end(&cx, rc, &err);
}

KT_COMMAND(loss, "loss", "A11 per member: points about to expire, unused offers and benefits", cmd_loss)
