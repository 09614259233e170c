/*
 * cmd_report.c - `karta report NAME` (R1-R14, analytics/report.h),
 * `karta report --list`, and `karta import-stock FILE` (the stock
 * snapshots R6 reads).
 */
#include "acli.h"
#include "analytics/report.h"
#include "core/date.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The columns and the definitions of each report, for --help (report.h has the contract). */
static const char *const report_help[] = {
    [1] = "period,receipts,lines,units,sales,members\n"
          "Per period: sale receipts, sale lines, units and sales net of returns, distinct\n"
          "buyers. --by hour (0..23), weekday (1..7, 1 = Monday), day, week (its Monday) or\n"
          "month (YYYY-MM); default day. Periods without any receipt are left out.",
    [2] = "period,accrued,redeemed,expired,reversed,adjusted,outstanding\n"
          "From the points ledger, by the local day of each movement: accrued, redeemed,\n"
          "expired, reversed (taken back on returns), adjusted (openings, corrections, merges),\n"
          "and outstanding (the sum of all balances at the period's end). Every period from the\n"
          "first movement (or --from) to the last (or --to / --as-of) is listed. Points belong to\n"
          "members, not stores: --store and --region do not apply.",
    [3] = "GROUP...,members,buyers,buyer_share,share\n"
          "Members (registered by the as-of day; with --store/--region, registered at those\n"
          "stores) and buyers (a sale in the range) by profile: --by any of sex, age, region,\n"
          "city (default sex,age). Age bands: <18, 18-24, 25-34, 35-44, 45-54, 55-64, 65+\n"
          "(full years on the as-of day). buyer_share = buyers / members; share = buyers / all\n"
          "buyers listed. Filters --sex, --age-from, --age-to leave out unknown values.",
    [4] = "period,members,new,buyers,new_buyers,active,active_share\n"
          "members registered by the period's end; new registered in it; buyers with a sale\n"
          "in it; new_buyers whose first sale ever is in it; active with a sale in the --days\n"
          "days (default 90) up to the period's end. --by day, week or month (default month).",
    [5] = "item[,GROUP...],buyers,repeat_buyers,repeat_share,sales,wallet_share\n"
          "Per item (--of category (default), top, brand or sku), from sale lines: buyers,\n"
          "repeat buyers (two or more receipts with the item), the item's sales and its share\n"
          "of the same buyers' whole spend. --by sex,age,region,city splits by the buyers'\n"
          "profile; --sex, --age-from, --age-to filter them.",
    [6] = "store,sku,units_sold,sales,avg_daily_units,stock_day,stock,days_cover\n"
          "Units and sales (net) per store and SKU over the range (default: the four weeks\n"
          "to the as-of day), the stock at the last snapshot on or before its end (load them\n"
          "with karta import-stock), days_cover = stock / average daily units. --total: per SKU\n"
          "over the stores (no store column; stock summed).",
    [7] = "store,period,receipts,sales,prev_sales,change,change_share\n"
          "Sales per store and period (--by day, week, month; default month), every period of\n"
          "the range, with the previous period's sales and the change (absent on the first).",
    [8] = "GROUP...,buyers,receipts,sales,share,avg_receipt,sales_per_buyer\n"
          "Sale receipts and net sales of members by profile (--by sex,age,region,city,\n"
          "default sex,age); receipts without a card are left out. share = sales / all sales\n"
          "listed. Filters --sex, --age-from, --age-to.",
    [9] = "rank,member,receipts,items,items_per_receipt,units_per_receipt\n"
          "Members ranked by sale lines per sale receipt, most first (--fewest: fewest first),\n"
          "among those with at least --min-receipts receipts (default 1); --top N (default 100,\n"
          "0: all). Ties by member id.",
    [10] = "rank,member,receipts,sales\n"
           "Members ranked by sale receipts in the range, most first; ties by member id;\n"
           "--top N (default 100, 0: all). sales are net of returns.",
    [11] = "member,registered,last_purchase,days_inactive,receipts,sales\n"
           "Members whose last sale is --days days (default 90) or more before the as-of day,\n"
           "over all history up to it; members who never bought count from their registration.\n"
           "Most inactive first; --top N (default all). --from/--to do not apply (use --as-of).",
    [12] = "store,receipts,card_receipts,members,receipts_per_member,sales,avg_receipt\n"
           "Per store: sale receipts, those with a card, distinct members, receipts per member,\n"
           "net sales and the average receipt.",
    [13] = "rank,member,sales,receipts\n"
           "Members ranked by net sales in the range (among those with a sale receipt), most\n"
           "first; ties by member id; --top N (default 100, 0: all).",
    [14] = "store,period,registrations,buyers,receipts,receipts_here,here_share\n"
           "Members registered in the range per registration store and period (--by day, week,\n"
           "month; default month); of them, buyers (a sale by the as-of day anywhere), their\n"
           "sale receipts and the share made at the store where they registered.",
};

/* Report options and the KT_RO_* flag that allows each. */
static const struct { const char *name; unsigned flag; } option_flags[] = {
    {"from", KT_RO_RANGE},   {"to", KT_RO_RANGE},       {"store", KT_RO_STORE},
    {"region", KT_RO_STORE}, {"top", KT_RO_TOP},        {"fewest", KT_RO_FEWEST},
    {"min-receipts", KT_RO_FEWEST}, {"days", KT_RO_DAYS}, {"sex", KT_RO_PROFILE},
    {"age-from", KT_RO_PROFILE}, {"age-to", KT_RO_PROFILE}, {"of", KT_RO_LEVEL},
    {"total", KT_RO_TOTAL},  {"by", KT_RO_BY_TIME | KT_RO_BY_PERIOD | KT_RO_BY_PROFILE},
};

#define REPORT_OPTS                                                                                              \
    KT_ACLI_OPTS, {"list", KT_OPT_FLAG, "list the reports (name, number, description)", NULL},                  \
        {"by", KT_OPT_VALUE, "periods (hour|weekday|day|week|month) or profile fields (sex,age,region,city)", NULL}, \
        {"top", KT_OPT_VALUE, "N: at most N rows (0: all)", NULL},                                                \
        {"fewest", KT_OPT_FLAG, "items-per-receipt: fewest items first", NULL},                                   \
        {"min-receipts", KT_OPT_VALUE, "N: items-per-receipt: members with at least N receipts (default 1)", NULL}, \
        {"days", KT_OPT_VALUE, "N: inactive: days without a purchase; activity: the active window (default 90)", NULL}, \
        {"sex", KT_OPT_VALUE, "M or F: only members of this sex", NULL},                                         \
        {"age-from", KT_OPT_VALUE, "N: only members at least N years old", NULL},                                \
        {"age-to", KT_OPT_VALUE, "N: only members at most N years old", NULL},                                   \
        {"of", KT_OPT_VALUE, "product-loyalty: category (default), top, brand or sku", NULL},                    \
        {"total", KT_OPT_FLAG, "stock: per SKU over all stores", NULL}

static unsigned option_flag(const char *name) {
    for (size_t i = 0; i < KT_ARRAY_LEN(option_flags); i++)
        if (!strcmp(option_flags[i].name, name)) return option_flags[i].flag;
    return 0; /* common to all */
}

static int print_list(kt_opt *o, size_t no, int argc, char **argv) {
    kt_err err = {0};
    size_t npos;
    char *pos[1];
    kt_aout_format fmt;
    kt_rc rc = kt_opts_parse(argc, argv, o, no, pos, 1, &npos, &err);
    if (!rc) rc = kt_aout_parse_format(kt_opt_get(o, no, "format"), &fmt, &err);
    if (rc) return kt_cli_error(&err);
    kt_aout *out = kt_aout_new(kt_cli_out(), fmt);
    kt_acol cols[] = {{"name", KT_ACOL_TEXT, 0}, {"report", KT_ACOL_TEXT, 0}, {"description", KT_ACOL_TEXT, 0}};
    kt_aout_table(out, "reports", cols, KT_ARRAY_LEN(cols));
    for (size_t i = 0; i < kt_report_count; i++) {
        char num[8];
        snprintf(num, sizeof num, "R%d", kt_reports[i].number);
        kt_aout_text(out, kt_reports[i].name);
        kt_aout_text(out, num);
        kt_aout_text(out, kt_reports[i].summary);
        kt_aout_row_end(out);
    }
    rc = kt_aout_finish(out, &err);
    return rc ? kt_cli_error(&err) : 0;
}

static void print_help(const kt_report *rep, const kt_opt *o, size_t no) {
    if (!rep) {
        kt_opts_help("report NAME [options] | report --list", o, no);
        printf("\nThe standard reports R1-R14 over the columnar store (karta import-receipts) and,\n"
               "for points, registrations, profiles and stock, the operational store. NAME is a\n"
               "report's name or its number (r1 ... r14); `karta report NAME --help` shows its\n"
               "columns and options. Money in decimal units; shares with 4 decimals.\n\n");
        for (size_t i = 0; i < kt_report_count; i++)
            printf("  %-18s R%-3d %s\n", kt_reports[i].name, kt_reports[i].number, kt_reports[i].summary);
        printf("\nimport-stock FILE loads the stock snapshots the stock report (R6) reads.\n");
        return;
    }
    char usage[64];
    snprintf(usage, sizeof usage, "report %s [options]", rep->name);
    printf("usage: karta %s\n", usage);
    printf("R%d: %s.\n\ncolumns: %s\n\noptions:\n", rep->number, rep->summary, report_help[rep->number]);
    for (size_t i = 0; i < no; i++) {
        if (!strcmp(o[i].name, "list")) continue;
        unsigned f = option_flag(o[i].name);
        bool common = f == KT_RO_RANGE || f == KT_RO_STORE;
        if (f && !(rep->options & f) && !common) continue;
        char left[64];
        snprintf(left, sizeof left, "--%s%s", o[i].name, o[i].kind == KT_OPT_VALUE ? " V" : "");
        if (f && !(rep->options & f)) printf("  %-26s does not apply to this report\n", left);
        else printf("  %-26s %s\n", left, o[i].help ? o[i].help : "");
    }
    printf("  %-26s %s\n", "--data DIR", "data directory (default $KARTA_DATA or ./karta-data)");
}

/* Report-specific options into R (the common ones come from acli). */
static kt_rc parse_args(const kt_report *rep, const kt_opt *o, size_t no, kt_report_args *r, kt_err *err) {
    for (size_t i = 0; i < no; i++) {
        unsigned f = option_flag(o[i].name);
        if (o[i].value && f && !(rep->options & f)) {
            char field[40];
            snprintf(field, sizeof field, "--%s", o[i].name);
            return kt_fail(err, KT_EUSAGE, field, "does not apply to the %s report (see karta report %s --help)",
                           rep->name, rep->name);
        }
    }
    r->by = rep->by_default;
    r->ngroups = 2;
    r->groups[0] = KT_RGROUP_SEX;
    r->groups[1] = KT_RGROUP_AGE;
    r->level = KT_ALEVEL_CATEGORY;
    r->age_from = r->age_to = -1;
    const char *by = kt_opt_get(o, no, "by"), *sex = kt_opt_get(o, no, "sex"), *of = kt_opt_get(o, no, "of");
    kt_rc rc = KT_OK;
    if (by && (rep->options & KT_RO_BY_PROFILE)) rc = kt_report_parse_groups(by, r->groups, &r->ngroups, err);
    else if (by) rc = kt_report_parse_period(rep, by, &r->by, err);
    if (!rc && !by && rep->number == 5) r->ngroups = 0; /* product loyalty: no split unless asked */
    if (!rc) rc = kt_opt_i64(o, no, "top", rep->top_default, 0, INT32_MAX, &r->top, err);
    if (!rc) rc = kt_opt_i64(o, no, "min-receipts", 1, 1, INT32_MAX, &r->min_receipts, err);
    if (!rc) rc = kt_opt_i64(o, no, "days", rep->days_default, 1, 100000, &r->days, err);
    int64_t af = -1, at = -1;
    if (!rc) rc = kt_opt_i64(o, no, "age-from", -1, 0, 150, &af, err);
    if (!rc) rc = kt_opt_i64(o, no, "age-to", -1, 0, 150, &at, err);
    if (!rc && af >= 0 && at >= 0 && af > at) rc = kt_fail(err, KT_EUSAGE, "--age-from", "is above --age-to");
    r->age_from = (int)af;
    r->age_to = (int)at;
    if (!rc && sex) {
        if (!strcmp(sex, "M") || !strcmp(sex, "m")) r->sex = 'M';
        else if (!strcmp(sex, "F") || !strcmp(sex, "f")) r->sex = 'F';
        else rc = kt_fail(err, KT_EUSAGE, "--sex", "want M or F, not \"%.20s\"", sex);
    }
    if (!rc && of) rc = kt_actx_parse_level(of, "--of", &r->level, err);
    r->fewest = kt_opt_get(o, no, "fewest") != NULL;
    r->total = kt_opt_get(o, no, "total") != NULL;
    if (rc && rc != KT_EUSAGE) err->code = rc = KT_EUSAGE;
    return rc;
}

static kt_day given_day(const kt_opt *o, size_t no, const char *name) {
    const char *v = kt_opt_get(o, no, name);
    kt_day d = KT_DAY_NONE;
    kt_err ignore;
    if (v && kt_day_parse(v, strlen(v), &d, &ignore, name)) d = KT_DAY_NONE;
    return d;
}

/* The report named on a line that also holds --help (which the option parser refuses). */
static const kt_report *named_report(int argc, char **argv, const kt_opt *o, size_t no) {
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] != '-') return kt_report_find(argv[i]);
        if (argv[i][1] != '-' || strchr(argv[i], '=')) continue;
        for (size_t k = 0; k < no; k++)
            if (!strcmp(argv[i] + 2, o[k].name) && o[k].kind == KT_OPT_VALUE) i++; /* skip its value */
    }
    return NULL;
}

static int cmd_report(int argc, char **argv) {
    kt_opt o[] = {REPORT_OPTS};
    size_t no = KT_ARRAY_LEN(o), npos = 0;
    char *pos[1] = {NULL};
    kt_err err = {0};
    kt_rc rc = kt_opts_parse(argc, argv, o, no, pos, 1, &npos, &err);
    if (kt_cli_wants_help(argc, argv)) {
        print_help(named_report(argc, argv, o, no), o, no);
        return 0;
    }
    const kt_report *rep = npos ? kt_report_find(pos[0]) : NULL;
    if (rc) return kt_cli_error(&err);
    if (kt_opt_get(o, no, "list")) {
        if (npos) return kt_cli_error(&(kt_err){KT_EUSAGE, "--list", "takes no report name"});
        return print_list(o, no, argc, argv);
    }
    if (!npos)
        return kt_cli_error(&(kt_err){KT_EUSAGE, "NAME", "which report? (karta report --list shows them)"});
    if (!rep) {
        kt_fail(&err, KT_EUSAGE, "NAME", "no report \"%.40s\" (karta report --list shows them)", pos[0]);
        return kt_cli_error(&err);
    }
    kt_report_args r = {0};
    if ((rc = parse_args(rep, o, no, &r, &err))) return kt_cli_error(&err);
    kt_acli cx;
    if ((rc = kt_acli_start(&cx, o, no, argc, argv, pos, 1, &npos, &err))) return kt_cli_error(&err);
    r.filter = cx.filter;
    r.as_of = cx.as_of;
    r.threads = cx.threads;
    r.from_opt = given_day(o, no, "from");
    r.to_opt = given_day(o, no, "to");
    r.as_of_opt = given_day(o, no, "as-of");
    kt_aout_meta_text(cx.out, "report", rep->name);
    rc = rep->run(cx.a, &r, cx.out, &err);
    return kt_acli_end(&cx, rc, &err);
}

KT_COMMAND(report, "report", "R1-R14: the standard reports (karta report --list)", cmd_report)

/* ---- import-stock ------------------------------------------------------------------------- */
static int cmd_import_stock(int argc, char **argv) {
    if (kt_cli_wants_help(argc, argv)) {
        kt_opts_help("import-stock FILE", NULL, 0);
        printf("\nLoads stock snapshots for the stock report (karta report stock, R6): a CSV with the\n"
               "header store,sku,date,qty (any order, no other columns), one row per store, SKU and\n"
               "day: the quantity on hand at the end of that day (pieces, or kilograms with up to\n"
               "three decimals; >= 0). Store and SKU must exist. A snapshot already stored for the\n"
               "same store, SKU and day is replaced; the same key twice in one file is an error.\n"
               "The file lands whole or not at all; an error names FILE:LINE: COLUMN.\n");
        return 0;
    }
    kt_err err = {0};
    char *pos[1];
    size_t npos;
    kt_rc rc = kt_opts_parse(argc, argv, NULL, 0, pos, 1, &npos, &err);
    if (!rc && npos != 1) rc = kt_fail(&err, KT_EUSAGE, "FILE", "which file? (see --help)");
    if (rc) return kt_cli_error(&err);
    kt_store *st = NULL;
    kt_stock_import_result res;
    rc = kt_cli_open(&st, &err);
    if (!rc) rc = kt_report_stock_import(st, pos[0], &res, &err);
    kt_store_close(st);
    if (rc) return kt_cli_error(&err);
    char d1[16] = "-", d2[16] = "-";
    if (res.first_day != KT_DAY_NONE) kt_day_format(res.first_day, d1);
    if (res.last_day != KT_DAY_NONE) kt_day_format(res.last_day, d2);
    printf("stock snapshots %llu (replaced %llu), days %s..%s\n", (unsigned long long)res.rows,
           (unsigned long long)res.replaced, d1, d2);
    return 0;
}

KT_COMMAND(import_stock, "import-stock", "load stock snapshots (store, SKU, date, quantity) for the stock report", cmd_import_stock)
