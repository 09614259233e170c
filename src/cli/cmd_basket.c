/*
 * cmd_basket.c - `karta basket`: A5 association rules over receipts or a
 * baskets file (analytics/assoc.h); `karta clusters`: A5 member clusters by
 * category spend shares (analytics/clusters.h).
 */
#include "acli.h"
#include "analytics/assoc.h"
#include "analytics/clusters.h"
#include "core/buf.h"
#include "core/date.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Digits after the point of support, confidence, lift, leverage, conviction. */
#define BASKET_DECIMALS 10

static kt_rc number_opt(const kt_opt *o, size_t no, const char *name, double dflt, double *out, kt_err *err) {
    const char *v = kt_opt_get(o, no, name);
    char field[40];
    snprintf(field, sizeof field, "--%s", name);
    *out = dflt;
    if (!v) return KT_OK;
    char *end;
    double x = strtod(v, &end);
    if (end == v || *end || !isfinite(x)) return kt_fail(err, KT_EUSAGE, field, "want a number, not \"%.40s\"", v);
    *out = x;
    return KT_OK;
}

/* Labels of ITEMS (N) joined by '|' in label order (they are already in it
 * for a rule's lhs; sorted here by RANK when given). */
static void join_labels(kt_buf *b, const kt_assoc_data *d, const uint32_t *items, size_t n) {
    kt_buf_reset(b);
    for (size_t i = 0; i < n; i++) {
        if (i) kt_buf_addc(b, '|');
        kt_buf_adds(b, d->labels[items[i]]);
    }
    kt_buf_addc(b, '\0');
}

static void write_rules(kt_aout *out, const kt_assoc_data *d, const kt_assoc_result *r) {
    static const kt_acol cols[] = {
        {"lhs", KT_ACOL_TEXT, 0},
        {"rhs", KT_ACOL_TEXT, 0},
        {"support", KT_ACOL_REAL, BASKET_DECIMALS},
        {"confidence", KT_ACOL_REAL, BASKET_DECIMALS},
        {"lift", KT_ACOL_REAL, BASKET_DECIMALS},
        {"count", KT_ACOL_INT, 0},
        {"conviction", KT_ACOL_REAL, BASKET_DECIMALS},
        {"leverage", KT_ACOL_REAL, BASKET_DECIMALS},
    };
    kt_aout_table(out, "rules", cols, KT_ARRAY_LEN(cols));
    kt_buf b = {0};
    for (size_t i = 0; i < r->nrules; i++) {
        const kt_assoc_rule *x = &r->rules[i];
        kt_assoc_measures m = kt_assoc_measure(r->n, x->count, x->lhs_count, x->rhs_count);
        join_labels(&b, d, r->lhs + r->lhs_start[i], r->lhs_start[i + 1] - r->lhs_start[i]);
        kt_aout_text(out, b.p);
        kt_aout_text(out, d->labels[x->rhs]);
        kt_aout_real(out, m.support);
        kt_aout_real(out, m.confidence);
        kt_aout_real(out, m.lift);
        kt_aout_int(out, x->count);
        kt_aout_real(out, m.conviction);
        kt_aout_real(out, m.leverage);
        kt_aout_row_end(out);
    }
    kt_buf_free(&b);
}

/* Itemsets in order: count descending, then size, then items' labels. */
static const kt_fp_sets *isort_sets;
static const uint32_t *isort_rank;
static int by_itemset(const void *x, const void *y) {
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    const kt_fp_sets *s = isort_sets;
    if (s->count[a] != s->count[b]) return s->count[a] > s->count[b] ? -1 : 1;
    size_t la = (size_t)(s->start[a + 1] - s->start[a]), lb = (size_t)(s->start[b + 1] - s->start[b]);
    if (la != lb) return la < lb ? -1 : 1;
    for (size_t i = 0; i < la; i++) {
        uint32_t p = isort_rank[s->items[s->start[a] + i]], q = isort_rank[s->items[s->start[b] + i]];
        if (p != q) return p < q ? -1 : 1;
    }
    return 0;
}
static int by_rank_u32(const void *x, const void *y) {
    uint32_t p = isort_rank[*(const uint32_t *)x], q = isort_rank[*(const uint32_t *)y];
    return p < q ? -1 : p > q;
}
static const char *const *lsort_labels;
static int by_label_id(const void *x, const void *y) {
    const char *a = lsort_labels[*(const uint32_t *)x], *b = lsort_labels[*(const uint32_t *)y];
    return strcmp(a ? a : "", b ? b : "");
}

static void write_itemsets(kt_aout *out, const kt_assoc_data *d, kt_assoc_result *r, uint32_t min_len) {
    static const kt_acol cols[] = {
        {"items", KT_ACOL_TEXT, 0},
        {"size", KT_ACOL_INT, 0},
        {"support", KT_ACOL_REAL, BASKET_DECIMALS},
        {"count", KT_ACOL_INT, 0},
    };
    kt_aout_table(out, "itemsets", cols, KT_ARRAY_LEN(cols));
    kt_fp_sets *s = &r->sets;
    uint32_t *ids = kt_xmalloc((d->item_count ? d->item_count : 1) * sizeof *ids);
    uint32_t *rank = kt_xmalloc((d->item_count ? d->item_count : 1) * sizeof *rank);
    for (uint32_t i = 0; i < d->item_count; i++) ids[i] = i;
    lsort_labels = (const char *const *)d->labels;
    qsort(ids, d->item_count, sizeof *ids, by_label_id);
    for (uint32_t i = 0; i < d->item_count; i++) rank[ids[i]] = i;
    free(ids);
    isort_rank = rank;
    isort_sets = s;
    for (size_t i = 0; i < s->n; i++)
        qsort(s->items + s->start[i], (size_t)(s->start[i + 1] - s->start[i]), sizeof *s->items, by_rank_u32);
    size_t *order = kt_xmalloc((s->n ? s->n : 1) * sizeof *order), n = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->start[i + 1] - s->start[i] >= min_len) order[n++] = i;
    qsort(order, n, sizeof *order, by_itemset);
    kt_buf b = {0};
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        size_t len = (size_t)(s->start[i + 1] - s->start[i]);
        join_labels(&b, d, s->items + s->start[i], len);
        kt_aout_text(out, b.p);
        kt_aout_int(out, (int64_t)len);
        kt_aout_real(out, (double)s->count[i] / (double)r->n);
        kt_aout_int(out, s->count[i]);
        kt_aout_row_end(out);
    }
    kt_buf_free(&b);
    free(order);
    free(rank);
}

static int cmd_basket(int argc, char **argv) {
    kt_opt o[] = {
        KT_ACLI_OPTS,
        {"min-support", KT_OPT_VALUE, "minimum support of a rule's items together, 0 < S <= 1 (default 0.1)", NULL},
        {"min-confidence", KT_OPT_VALUE, "minimum confidence, 0 <= C <= 1 (default 0.8)", NULL},
        {"min-len", KT_OPT_VALUE, "fewest items in lhs + rhs (default 1: rules with an empty lhs too)", NULL},
        {"max-len", KT_OPT_VALUE, "most items in lhs + rhs (default 10, at most 64)", NULL},
        {"level", KT_OPT_VALUE, "items are sku (default), category or brand", NULL},
        {"rhs", KT_OPT_VALUE, "only rules with this item on the right", NULL},
        {"baskets", KT_OPT_VALUE, "FILE: mine this file, one basket a line, items comma-separated", NULL},
        {"itemsets", KT_OPT_FLAG, "print the frequent itemsets (of --min-len to --max-len items) instead", NULL},
    };
    size_t no = KT_ARRAY_LEN(o);
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help("basket [--min-support S] [--min-confidence C] [--min-len N] [--max-len N] "
                     "[--level sku|category|brand] [--rhs ITEM] [--baskets FILE] [--itemsets]", o, no);
        printf("\nA5 association rules lhs => rhs, as R's arules apriori() finds them with the same\n"
               "parameters (docs/analytics.md): support of the whole rule, one item on the right,\n"
               "lengths counting lhs and rhs, the minimum count ceil(N * S).\n"
               "Baskets are the receipts' sale lines (returns left out) with items at --level, or\n"
               "the lines of --baskets FILE. CSV columns:\n"
               "  lhs,rhs,support,confidence,lift,count,conviction,leverage\n"
               "lhs items joined by '|' in byte order of their labels; numbers with 10 decimals;\n"
               "conviction Inf when the confidence is 1. Rules by lift, confidence, count descending.\n");
        return 0;
    }
    kt_err err = {0};
    size_t npos;
    kt_rc rc = kt_opts_parse(argc, argv, o, no, NULL, 0, &npos, &err);
    if (rc) return kt_cli_error(&err);
    const char *file = kt_opt_get(o, no, "baskets");
    kt_assoc_opts bo = {.rhs = kt_opt_get(o, no, "rhs")};
    int64_t min_len = 1, max_len = 10;
    bool itemsets = kt_opt_get(o, no, "itemsets") != NULL;
    rc = number_opt(o, no, "min-support", 0.1, &bo.min_support, &err);
    if (!rc) rc = number_opt(o, no, "min-confidence", 0.8, &bo.min_confidence, &err);
    if (!rc) rc = kt_opt_i64(o, no, "min-len", 1, 1, KT_ASSOC_LEN_MAX, &min_len, &err);
    if (!rc) rc = kt_opt_i64(o, no, "max-len", 10, 1, KT_ASSOC_LEN_MAX, &max_len, &err);
    if (!rc && itemsets && bo.rhs) rc = kt_fail(&err, KT_EUSAGE, "--rhs", "not with --itemsets");
    if (!rc && itemsets && kt_opt_get(o, no, "min-confidence"))
        rc = kt_fail(&err, KT_EUSAGE, "--min-confidence", "not with --itemsets");
    bo.min_len = (uint32_t)min_len;
    bo.max_len = (uint32_t)max_len;
    if (!rc && !(bo.min_support > 0 && bo.min_support <= 1))
        rc = kt_fail(&err, KT_EUSAGE, "--min-support", "must be above 0 and at most 1");
    if (!rc && !(bo.min_confidence >= 0 && bo.min_confidence <= 1))
        rc = kt_fail(&err, KT_EUSAGE, "--min-confidence", "must be from 0 to 1");
    if (!rc && bo.min_len > bo.max_len) rc = kt_fail(&err, KT_EUSAGE, "--min-len", "must not exceed --max-len");
    if (!rc && file) {
        static const char *const store_only[] = {"as-of", "from", "to", "store", "region", "level"};
        for (size_t i = 0; i < KT_ARRAY_LEN(store_only) && !rc; i++)
            if (kt_opt_get(o, no, store_only[i]))
                rc = kt_fail(&err, KT_EUSAGE, "--baskets", "--%s applies to receipts, not to a baskets file",
                             store_only[i]);
    }
    kt_alevel level = KT_ALEVEL_SKU;
    const char *lv = kt_opt_get(o, no, "level");
    if (!rc && lv) rc = kt_actx_parse_level(lv, "--level", &level, &err);
    if (rc) return kt_cli_error(&err);

    kt_assoc_data d;
    kt_assoc_result res = {0};
    if (file) {
        double t0 = kt_mono_seconds();
        int64_t threads = 2;
        kt_aout_format fmt;
        rc = kt_aout_parse_format(kt_opt_get(o, no, "format"), &fmt, &err);
        if (!rc) rc = kt_opt_i64(o, no, "threads", 2, 1, KT_ACTX_THREADS_MAX, &threads, &err);
        if (!rc) rc = kt_assoc_read_file(file, &d, &err);
        if (rc) return kt_cli_error(&err);
        bo.threads = (int)threads;
        rc = kt_assoc_rules(&d, &bo, &res, &err);
        if (!rc) {
            kt_aout *out = kt_aout_new(kt_cli_out(), fmt);
            kt_aout_meta_int(out, "baskets", (int64_t)d.n);
            kt_aout_meta_int(out, "min_count", res.min_count);
            if (itemsets) write_itemsets(out, &d, &res, bo.min_len);
            else write_rules(out, &d, &res);
            rc = kt_aout_finish(out, &err);
        }
        if (!rc && kt_opt_get(o, no, "stats"))
            fprintf(stderr, "%zu baskets, %u items, minimum count %u; %zu itemsets, %zu rules; %.3f s\n", d.n,
                    d.item_count, res.min_count, res.sets.n, res.nrules, kt_mono_seconds() - t0);
        kt_assoc_result_free(&res);
        kt_assoc_data_free(&d);
        return rc ? kt_cli_error(&err) : 0;
    }

    kt_acli cx;
    if (kt_acli_start(&cx, o, no, argc, argv, NULL, 0, NULL, &err)) return kt_cli_error(&err);
    bo.threads = cx.threads;
    rc = kt_assoc_from_store(cx.a, &cx.filter, level, cx.threads, &d, &err);
    if (!rc) {
        rc = kt_assoc_rules(&d, &bo, &res, &err);
        if (!rc) {
            kt_aout_meta_int(cx.out, "baskets", (int64_t)d.n);
            kt_aout_meta_int(cx.out, "min_count", res.min_count);
            if (itemsets) write_itemsets(cx.out, &d, &res, bo.min_len);
            else write_rules(cx.out, &d, &res);
        }
        if (!rc && cx.stats)
            fprintf(stderr, "%zu baskets%s, %u items, minimum count %u; %zu itemsets, %zu rules; miner memory %.1f MB\n",
                    d.n, d.regrouped ? " (lines regrouped by receipt)" : "", d.item_count, res.min_count, res.sets.n,
                    res.nrules, (double)res.sets.memory_bytes / 1e6);
        kt_assoc_result_free(&res);
        kt_assoc_data_free(&d);
    }
    return kt_acli_end(&cx, rc, &err);
}

KT_COMMAND(basket, "basket", "A5 association rules (arules apriori semantics) over receipts or a baskets file", cmd_basket)

/* ---- clusters --------------------------------------------------------------------- */
typedef struct top_share { uint32_t group; double share; } top_share;

/* The TOPN largest shares of CENTRE (ties: lower group). */
static size_t top_groups(const double *centre, size_t groups, top_share *top, size_t topn) {
    size_t n = 0;
    for (size_t g = 0; g < groups; g++) {
        if (!(centre[g] > 0)) continue;
        size_t at = n < topn ? n : topn;
        while (at > 0 && top[at - 1].share < centre[g]) at--;
        if (at >= topn) continue;
        size_t last = n < topn ? n : topn - 1;
        memmove(top + at + 1, top + at, (last - at) * sizeof *top);
        top[at] = (top_share){(uint32_t)g, centre[g]};
        if (n < topn) n++;
    }
    return n;
}

static int cmd_clusters(int argc, char **argv) {
    kt_opt o[] = {
        KT_ACLI_OPTS,
        {"k", KT_OPT_VALUE, "number of clusters, 1..100 (default 5)", NULL},
        {"level", KT_OPT_VALUE, "shares by top (default) category or by the product's own category", NULL},
        {"seed", KT_OPT_VALUE, "seed of the k-means++ start (default 1)", NULL},
        {"members", KT_OPT_FLAG, "print each member's cluster instead of the clusters", NULL},
        {"top", KT_OPT_VALUE, "categories named per cluster (default 3)", NULL},
    };
    size_t no = KT_ARRAY_LEN(o);
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help("clusters [--k K] [--level top|category] [--seed N] [--members] [--top N]", o, no);
        printf("\nA5 groups of members who buy alike: k-means (k-means++ start) over each member's\n"
               "spend shares by category (docs/analytics.md). CSV columns:\n"
               "  cluster,members,member_share,spend,avg_spend,top_categories\n"
               "  with --members: member,cluster,spend,top_category,top_share\n"
               "top_categories: CODE:share|CODE:share... of the cluster's mean shares, largest first.\n");
        return 0;
    }
    kt_err err = {0};
    kt_acli cx;
    if (kt_acli_start(&cx, o, no, argc, argv, NULL, 0, NULL, &err)) return kt_cli_error(&err);
    int64_t k = 5, seed = 1, topn = 3;
    kt_alevel level = KT_ALEVEL_TOP;
    kt_rc rc = kt_opt_i64(o, no, "k", 5, 1, KT_CLUSTERS_K_MAX, &k, &err);
    if (!rc) rc = kt_opt_i64(o, no, "seed", 1, 0, INT64_MAX, &seed, &err);
    if (!rc) rc = kt_opt_i64(o, no, "top", 3, 1, 20, &topn, &err);
    const char *lv = kt_opt_get(o, no, "level");
    if (!rc && lv) {
        rc = kt_actx_parse_level(lv, "--level", &level, &err);
        if (!rc && level != KT_ALEVEL_TOP && level != KT_ALEVEL_CATEGORY)
            rc = kt_fail(&err, KT_EUSAGE, "--level", "must be top or category");
    }
    kt_clusters_result r = {0};
    if (!rc) {
        kt_clusters_opts co = {(uint32_t)k, level, (uint64_t)seed, cx.threads};
        rc = kt_clusters_run(cx.a, &cx.filter, &co, &r, &err);
    }
    if (!rc) rc = kt_actx_load_names(cx.a, KT_ADIM_MEMBER, &err);
    if (!rc) {
        kt_aout_meta_int(cx.out, "members", (int64_t)r.n);
        kt_aout_meta_int(cx.out, "k", r.k);
        kt_aout_meta_int(cx.out, "iterations", r.iterations);
        top_share top[20];
        kt_buf b = {0};
        if (kt_opt_get(o, no, "members")) {
            static const kt_acol cols[] = {
                {"member", KT_ACOL_TEXT, 0}, {"cluster", KT_ACOL_INT, 0}, {"spend", KT_ACOL_MONEY, 0},
                {"top_category", KT_ACOL_TEXT, 0}, {"top_share", KT_ACOL_REAL, 4},
            };
            kt_aout_table(cx.out, "members", cols, KT_ARRAY_LEN(cols));
            double *v = kt_xmalloc((r.groups ? r.groups : 1) * sizeof *v);
            for (size_t i = 0; i < r.n; i++) {
                for (size_t g = 0; g < r.groups; g++) v[g] = r.share[i * r.groups + g];
                size_t nt = top_groups(v, r.groups, top, 1);
                kt_aout_text(cx.out, kt_actx_name(cx.a, KT_ADIM_MEMBER, r.member[i]));
                kt_aout_int(cx.out, (int64_t)r.cluster[i] + 1);
                kt_aout_money(cx.out, r.spend[i]);
                kt_aout_text(cx.out, nt ? kt_actx_group_name(cx.a, level, top[0].group) : NULL);
                kt_aout_real(cx.out, nt ? top[0].share : NAN);
                kt_aout_row_end(cx.out);
            }
            free(v);
        } else {
            static const kt_acol cols[] = {
                {"cluster", KT_ACOL_INT, 0},   {"members", KT_ACOL_INT, 0},   {"member_share", KT_ACOL_REAL, 4},
                {"spend", KT_ACOL_MONEY, 0},   {"avg_spend", KT_ACOL_MONEY, 0}, {"top_categories", KT_ACOL_TEXT, 0},
            };
            kt_aout_table(cx.out, "clusters", cols, KT_ARRAY_LEN(cols));
            for (uint32_t c = 0; c < r.k; c++) {
                size_t nt = top_groups(r.centre + (size_t)c * r.groups, r.groups, top, (size_t)topn);
                kt_buf_reset(&b);
                for (size_t t = 0; t < nt; t++) {
                    char share[32];
                    snprintf(share, sizeof share, ":%.4f", top[t].share);
                    if (t) kt_buf_addc(&b, '|');
                    kt_buf_adds(&b, kt_actx_group_name(cx.a, level, top[t].group));
                    kt_buf_adds(&b, share);
                }
                kt_buf_addc(&b, '\0');
                kt_money avg = r.total[c] / (kt_money)r.size[c], rem = r.total[c] % (kt_money)r.size[c];
                if (2 * rem >= (kt_money)r.size[c]) avg++; /* half up (spends are positive) */
                kt_aout_int(cx.out, (int64_t)c + 1);
                kt_aout_int(cx.out, (int64_t)r.size[c]);
                kt_aout_real(cx.out, (double)r.size[c] / (double)r.n);
                kt_aout_money(cx.out, r.total[c]);
                kt_aout_money(cx.out, avg);
                kt_aout_text(cx.out, b.p);
                kt_aout_row_end(cx.out);
            }
        }
        kt_buf_free(&b);
    }
    kt_clusters_free(&r);
    return kt_acli_end(&cx, rc, &err);
}

KT_COMMAND(clusters, "clusters", "A5 member clusters by category spend shares (k-means)", cmd_clusters)
