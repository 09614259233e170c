/*
 * cmd_recs.c - `karta recs`: A5/A12 recommendations per member with a
 * calibrated probability of buying in the next N days, the two products of
 * A12 (--two), and the offline evaluation against baselines (--evaluate).
 * The model and its definitions: analytics/recs.h.
 */
#include "acli.h"
#include "analytics/recs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const source_names[2] = {"repeat", "similar"};

typedef struct print_ctx { kt_acli *cx; kt_recs *r; } print_ctx;

static int print_member(void *ctx, uint32_t member, const kt_recs_item *items, size_t n) {
    print_ctx *p = ctx;
    const char *name = kt_actx_name(p->cx->a, KT_ADIM_MEMBER, member);
    for (size_t i = 0; i < n; i++) {
        kt_aout_text(p->cx->out, name);
        kt_aout_int(p->cx->out, (int64_t)i + 1);
        kt_aout_text(p->cx->out, kt_actx_name(p->cx->a, KT_ADIM_SKU, items[i].sku));
        kt_aout_real(p->cx->out, items[i].probability);
        kt_aout_text(p->cx->out, source_names[items[i].source]);
        kt_aout_real(p->cx->out, items[i].score);
        kt_aout_row_end(p->cx->out);
    }
    return 0;
}

static void print_two(kt_acli *cx, kt_recs *r, kt_recs_scratch *s, uint32_t member) {
    kt_recs_pick pick[2];
    bool has[2];
    static const char *const role[2] = {"keep", "raise"};
    kt_recs_two(r, s, member, pick, has);
    for (int k = 0; k < 2; k++) {
        if (!has[k]) continue;
        kt_aout_text(cx->out, kt_actx_name(cx->a, KT_ADIM_MEMBER, member));
        kt_aout_text(cx->out, role[k]);
        kt_aout_text(cx->out, kt_actx_name(cx->a, KT_ADIM_SKU, pick[k].item.sku));
        kt_aout_real(cx->out, pick[k].item.probability);
        kt_aout_text(cx->out, pick[k].reason);
        kt_aout_row_end(cx->out);
    }
}

static kt_rc find_member(kt_acli *cx, const char *id, uint32_t *out, kt_err *err) {
    kt_rc rc = kt_actx_load_names(cx->a, KT_ADIM_MEMBER, err);
    if (rc) return rc;
    size_t n = kt_actx_count(cx->a, KT_ADIM_MEMBER);
    for (size_t m = 1; m < n; m++) {
        const char *name = kt_actx_name(cx->a, KT_ADIM_MEMBER, (uint32_t)m);
        if (name && !strcmp(name, id)) { *out = (uint32_t)m; return KT_OK; }
    }
    return kt_fail(err, KT_ENOTFOUND, "--member", "no member \"%.60s\" in the history", id);
}

static int cmd_recs(int argc, char **argv) {
    kt_opt o[] = {
        KT_ACLI_OPTS,
        {"member", KT_OPT_VALUE, "ID: this member only (external id, card or dictionary name)", NULL},
        {"all", KT_OPT_FLAG, "every member with a history (the default)", NULL},
        {"top", KT_OPT_VALUE, "K: recommendations per member, 1..1000 (default 10)", NULL},
        {"days", KT_OPT_VALUE, "N: horizon of the probability, 1..3660 days (default 28)", NULL},
        {"neighbours", KT_OPT_VALUE, "M: similar items kept per item, 1..1000 (default 50)", NULL},
        {"two", KT_OPT_FLAG, "the two products of A12 per member: keep and raise, with a reason each", NULL},
        {"evaluate", KT_OPT_FLAG, "precision, recall, MAP and NDCG at K on a time split, with two baselines", NULL},
        {"holdout-days", KT_OPT_VALUE, "H: with --evaluate, test on the last H days, 1..3660 (default 28)", NULL},
    };
    size_t no = KT_ARRAY_LEN(o);
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help("recs [--member ID | --all] [--top K] [--days N] [--two] | recs --evaluate [--holdout-days H] "
                     "[--top K]",
                     o, no);
        printf("\nPer member, the SKUs most likely bought in the next N days, with that probability:\n"
               "repeat candidates (bought before; scored by the member's own rate and cycle) and\n"
               "similar candidates (item-based collaborative filtering, cosine over members'\n"
               "histories, top M neighbours per item). Scores are calibrated to probabilities by\n"
               "isotonic regression on a time split: the model as of T-N against purchases in\n"
               "(T-N, T]. Definitions: docs/analytics.md, section Recommendations.\n"
               "\n"
               "  CSV: member,rank,sku,probability,source,score\n"
               "  --two: member,role,sku,probability,reason   (role keep or raise)\n"
               "  --evaluate: method,k,members,precision,recall,map,ndcg\n");
        return 0;
    }
    kt_err err = {0};
    size_t npos;
    int64_t top = 10, days = 28, neighbours = 50, holdout = 28;
    kt_rc rc = kt_opts_parse(argc, argv, o, no, NULL, 0, &npos, &err);
    const char *member = kt_opt_get(o, no, "member");
    bool all = kt_opt_get(o, no, "all"), two = kt_opt_get(o, no, "two"), evaluate = kt_opt_get(o, no, "evaluate");
    if (!rc) rc = kt_opt_i64(o, no, "top", 10, 1, KT_RECS_TOP_MAX, &top, &err);
    if (!rc) rc = kt_opt_i64(o, no, "days", 28, 1, KT_RECS_DAYS_MAX, &days, &err);
    if (!rc) rc = kt_opt_i64(o, no, "neighbours", 50, 1, KT_RECS_NEIGHBOURS_MAX, &neighbours, &err);
    if (!rc) rc = kt_opt_i64(o, no, "holdout-days", 28, 1, KT_RECS_DAYS_MAX, &holdout, &err);
    if (rc) err.code = KT_EUSAGE;
    if (!rc && member && all) rc = kt_fail(&err, KT_EUSAGE, "--member", "give --member ID or --all, not both");
    if (!rc && member && !*member) rc = kt_fail(&err, KT_EUSAGE, "--member", "is empty");
    if (!rc && evaluate && (member || all))
        rc = kt_fail(&err, KT_EUSAGE, member ? "--member" : "--all", "--evaluate scores every member");
    if (!rc && evaluate && two) rc = kt_fail(&err, KT_EUSAGE, "--two", "not with --evaluate");
    if (!rc && evaluate && kt_opt_get(o, no, "days"))
        rc = kt_fail(&err, KT_EUSAGE, "--days", "not with --evaluate (the horizon is --holdout-days)");
    if (!rc && !evaluate && kt_opt_get(o, no, "holdout-days"))
        rc = kt_fail(&err, KT_EUSAGE, "--holdout-days", "only with --evaluate");
    if (rc) return kt_cli_error(&err);

    kt_acli cx;
    if (kt_acli_start(&cx, o, no, argc, argv, NULL, 0, NULL, &err)) return kt_cli_error(&err);
    kt_recs_opts ro = {.days = (int)(evaluate ? holdout : days), .top = (int)top, .neighbours = (int)neighbours,
                       .threads = cx.threads};
    kt_recs *r = NULL;
    kt_recs_scratch *s = NULL;
    uint32_t who = 0;
    rc = kt_recs_load(cx.a, &cx.filter, cx.as_of, &ro, &r, &err);
    if (!rc && member) rc = find_member(&cx, member, &who, &err);
    if (!rc && !member) rc = kt_actx_load_names(cx.a, KT_ADIM_MEMBER, &err);
    if (rc) goto done;

    if (evaluate) {
        kt_recs_eval ev;
        rc = kt_recs_evaluate(r, (int)holdout, &ev, &err);
        if (rc) goto done;
        kt_aout_meta_int(cx.out, "holdout_days", holdout);
        kt_aout_meta_day(cx.out, "train_to", ev.train_to);
        kt_aout_meta_day(cx.out, "test_from", ev.test_from);
        kt_aout_meta_day(cx.out, "test_to", ev.test_to);
        static const kt_acol cols[] = {{"method", KT_ACOL_TEXT, 0},   {"k", KT_ACOL_INT, 0},
                                       {"members", KT_ACOL_INT, 0},   {"precision", KT_ACOL_REAL, 4},
                                       {"recall", KT_ACOL_REAL, 4},   {"map", KT_ACOL_REAL, 4},
                                       {"ndcg", KT_ACOL_REAL, 4}};
        kt_aout_table(cx.out, "evaluation", cols, KT_ARRAY_LEN(cols));
        for (int k = 0; k < KT_RECS_METHODS && ev.members; k++) {
            kt_aout_text(cx.out, kt_recs_method_names[k]);
            kt_aout_int(cx.out, top);
            kt_aout_int(cx.out, (int64_t)ev.members);
            kt_aout_real(cx.out, ev.m[k].precision);
            kt_aout_real(cx.out, ev.m[k].recall);
            kt_aout_real(cx.out, ev.m[k].map);
            kt_aout_real(cx.out, ev.m[k].ndcg);
            kt_aout_row_end(cx.out);
        }
    } else {
        rc = kt_recs_fit(r, cx.as_of, &err);
        if (rc) goto done;
        kt_aout_meta_int(cx.out, "days", days);
        kt_aout_meta_int(cx.out, "calibration_pairs_repeat", (int64_t)kt_recs_calibration_pairs(r, KT_RECS_REPEAT));
        kt_aout_meta_int(cx.out, "calibration_pairs_similar", (int64_t)kt_recs_calibration_pairs(r, KT_RECS_SIMILAR));
        if (two) {
            static const kt_acol cols[] = {{"member", KT_ACOL_TEXT, 0}, {"role", KT_ACOL_TEXT, 0},
                                           {"sku", KT_ACOL_TEXT, 0},    {"probability", KT_ACOL_REAL, 4},
                                           {"reason", KT_ACOL_TEXT, 0}};
            kt_aout_table(cx.out, "two", cols, KT_ARRAY_LEN(cols));
            s = kt_recs_scratch_new(r);
            if (member) print_two(&cx, r, s, who);
            else
                for (size_t m = 1; m < kt_recs_member_count(r); m++) print_two(&cx, r, s, (uint32_t)m);
        } else {
            static const kt_acol cols[] = {{"member", KT_ACOL_TEXT, 0},      {"rank", KT_ACOL_INT, 0},
                                           {"sku", KT_ACOL_TEXT, 0},         {"probability", KT_ACOL_REAL, 4},
                                           {"source", KT_ACOL_TEXT, 0},      {"score", KT_ACOL_REAL, 4}};
            kt_aout_table(cx.out, "recommendations", cols, KT_ARRAY_LEN(cols));
            print_ctx p = {&cx, r};
            if (member) {
                kt_recs_item *items = kt_xmalloc((size_t)top * sizeof *items);
                s = kt_recs_scratch_new(r);
                print_member(&p, who, items, kt_recs_member(r, s, who, items));
                free(items);
            } else {
                rc = kt_recs_all(r, print_member, &p, &err);
            }
        }
    }
    if (!rc && cx.stats)
        fprintf(stderr, "recs: %llu purchase days of %zu members (%zu active at the cut); calibration pairs %zu "
                        "repeat, %zu similar; memory %.1f MB\n",
                (unsigned long long)kt_recs_events(r), kt_recs_member_count(r), kt_recs_active_members(r),
                kt_recs_calibration_pairs(r, KT_RECS_REPEAT), kt_recs_calibration_pairs(r, KT_RECS_SIMILAR),
                (double)kt_recs_memory_bytes(r) / 1e6);
done:
    kt_recs_scratch_free(s);
    kt_recs_free(r);
    return kt_acli_end(&cx, rc, &err);
}

KT_COMMAND(recs, "recs", "A5/A12 recommendations with calibrated probabilities; --two; --evaluate", cmd_recs)
