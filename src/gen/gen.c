/*
 * gen.c - `karta gen`: writes a deterministic synthetic retail chain as the
 * generic CSV files of docs/formats.md. See gen.h for the contract and
 * gen_internal.h for how the work is split between the files of src/gen.
 *
 * INTERFACE ROUTINES
 *     kt_gen_defaults   the documented defaults
 *     kt_gen_file_name  "categories.csv", ...
 *     kt_gen_run        validate, refuse to overwrite, write the nine files
 *
 * How it works, in the order of the files:
 *   1. catalogue: the category tree, stores (city, zone, size, partner) and
 *      SKUs (brand, pack, price, weighed or not, Zipf rank in their leaf);
 *   2. members, one pass: profile, cards, consents and opening balance are
 *      written as each member is made, and a compact behaviour record is
 *      kept (visit rate, churn, home store, preferred leaves with repeat
 *      cycles and favourite SKU, pending accessory);
 *   3. receipts, day by day: every member tosses a coin weighted by its rate,
 *      the weekday and the season; the day's visits and due returns are sorted
 *      by time, numbered per store, filled with lines and written (as CSV, or
 *      with --direct into the columnar store: gen_direct.c). A sale
 *      picked for a later return keeps its lines in a ring of daily buckets,
 *      so memory never grows with the number of receipts.
 * Money and quantities are integers (kopecks, grams); every random choice is
 * an integer draw from kt_rng, so output is the same on every machine.
 */
#include "gen_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

static const char *const file_names[KT_GEN_FILE_COUNT] = {
    [KT_GEN_CATEGORIES] = "categories.csv",
    [KT_GEN_STORES] = "stores.csv",
    [KT_GEN_PRODUCTS] = "products.csv",
    [KT_GEN_MEMBERS] = "members.csv",
    [KT_GEN_CARDS] = "cards.csv",
    [KT_GEN_CONSENTS] = "consents.csv",
    [KT_GEN_BALANCES] = "balances.csv",
    [KT_GEN_RECEIPTS] = "receipts.csv",
    [KT_GEN_RECEIPT_LINES] = "receipt_lines.csv",
};

static const char *const file_headers[KT_GEN_FILE_COUNT] = {
    [KT_GEN_CATEGORIES] = "code,name,parent\n",
    [KT_GEN_STORES] = "code,name,city,region,timezone,partner,opened\n",
    [KT_GEN_PRODUCTS] = "sku,name,category,brand,supplier,price,unit,alcohol,tobacco\n",
    [KT_GEN_MEMBERS] = ("member,name,sex,birth_date,city,region,family_status,children,car,phone,email,"
                        "registered,reg_store,favourite_category\n"),
    [KT_GEN_CARDS] = "card,member,state,issued\n",
    [KT_GEN_CONSENTS] = "member,channel,granted,at,source\n",
    [KT_GEN_BALANCES] = "member,points,expires\n",
    [KT_GEN_RECEIPTS] = "receipt,store,time,card,kind,original,total\n",
    [KT_GEN_RECEIPT_LINES] = "receipt,store,line,sku,qty,price,amount\n",
};

/* ---- output files ------------------------------------------------------------------ */

void kt_gen_flush(gen *g, gen_out *o) {
    if (o->len && o->f && !o->discard && g->rc == KT_OK) {
        if (fwrite(o->buf, 1, o->len, o->f) != o->len)
            g->rc = kt_fail(g->err, KT_EIO, o->path, "cannot write: %s", strerror(errno));
    }
    o->bytes += o->len;
    o->len = 0;
}

static kt_rc out_open(gen *g, kt_gen_file f) {
    gen_out *o = &g->out[f];
    snprintf(o->path, sizeof o->path, "%s/%s", g->opt->out_dir ? g->opt->out_dir : "-", file_names[f]);
    o->discard = g->opt->columns_only;
    o->f = o->discard ? NULL : fopen(o->path, "wb");
    if (!o->f && !o->discard) return g->rc = kt_fail(g->err, KT_EIO, o->path, "cannot create: %s", strerror(errno));
    o->buf = kt_xmalloc(GEN_OUT_BUF_BYTES);
    o->len = 0;
    o->rows = 0;
    o->bytes = 0;
    size_t n = strlen(file_headers[f]);
    memcpy(o->buf, file_headers[f], n);
    o->len = n;
    return KT_OK;
}

static void out_close(gen *g, kt_gen_file f) {
    gen_out *o = &g->out[f];
    if (!o->f && !o->discard) return;
    kt_gen_flush(g, o);
    if (o->f && fclose(o->f) != 0 && g->rc == KT_OK)
        g->rc = kt_fail(g->err, KT_EIO, o->path, "cannot write: %s", strerror(errno));
    o->f = NULL;
    o->discard = false;
    free(o->buf);
    o->buf = NULL;
    g->report.rows[f] = o->rows;
    g->report.bytes[f] = o->bytes;
}

/* ---- driver ---------------------------------------------------------------------------- */

void kt_gen_defaults(kt_gen_options *opt) {
    memset(opt, 0, sizeof *opt);
    opt->members = 10000;
    opt->stores = 20;
    opt->products = 2000;
    opt->days = 120;
    opt->seed = 1;
    opt->start = kt_day_from_civil(2026, 1, 1);
}

const char *kt_gen_file_name(kt_gen_file file) {
    KT_ASSERT((unsigned)file < KT_GEN_FILE_COUNT);
    return file_names[file];
}

static kt_rc check_options(const kt_gen_options *opt, kt_err *err) {
    if (opt->columns_only && !opt->direct_data)
        return kt_fail(err, KT_EINVAL, "columns-only", "only with --direct (the receipts go to the columns)");
    if (!opt->columns_only && (!opt->out_dir || !*opt->out_dir))
        return kt_fail(err, KT_EINVAL, "out", "an output directory is required");
    if (opt->out_dir && strlen(opt->out_dir) > sizeof ((gen_out *)0)->path - 32)
        return kt_fail(err, KT_EINVAL, "out", "the directory's path is too long");
    if (opt->members < 1 || opt->members > KT_GEN_MEMBERS_MAX)
        return kt_fail(err, KT_EINVAL, "members", "must be 1..%u", KT_GEN_MEMBERS_MAX);
    if (opt->stores < 1 || opt->stores > KT_GEN_STORES_MAX)
        return kt_fail(err, KT_EINVAL, "stores", "must be 1..%u", KT_GEN_STORES_MAX);
    if (opt->products < 1 || opt->products > KT_GEN_PRODUCTS_MAX)
        return kt_fail(err, KT_EINVAL, "products", "must be 1..%u", KT_GEN_PRODUCTS_MAX);
    if (opt->direct_data && !*opt->direct_data) return kt_fail(err, KT_EINVAL, "data", "a data directory is required");
    if (opt->days < 1 || opt->days > KT_GEN_DAYS_MAX)
        return kt_fail(err, KT_EINVAL, "days", "must be 1..%u", KT_GEN_DAYS_MAX);
    if (opt->threads > KT_GEN_THREADS_MAX)
        return kt_fail(err, KT_EINVAL, "threads", "must be 1..%u", KT_GEN_THREADS_MAX);
    if (opt->threads > 1 && !opt->direct_data)
        return kt_fail(err, KT_EINVAL, "threads", "only with --direct (the CSV files are written in one order)");
    int y, m, d;
    kt_day_to_civil(opt->start, &y, &m, &d);
    if (y < 1990 || y > 2100) return kt_fail(err, KT_EINVAL, "start", "must be in the years 1990..2100");
    return KT_OK;
}

/* mkdir -p */
static kt_rc make_dir(const char *path, kt_err *err) {
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf) return kt_fail(err, KT_EINVAL, "out", "path too long");
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != 0) continue;
        char c = buf[i];
        buf[i] = 0;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return kt_fail(err, KT_EIO, buf, "cannot create directory: %s", strerror(errno));
        buf[i] = c;
    }
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return kt_fail(err, KT_EIO, path, "not a directory");
    return KT_OK;
}

static void gen_free(gen *g) {
    for (int f = 0; f < KT_GEN_FILE_COUNT; f++) {
        if (g->out[f].f) fclose(g->out[f].f);
        free(g->out[f].buf);
    }
    free(g->leaves);
    free(g->group_code);
    free(g->group_supplier);
    free(g->products);
    free(g->zipf_cum);
    free(g->hot);
    free(g->stores);
    free(g->store_hot);
    free(g->own_stores);
    free(g->partner_stores);
    free(g->by_city);
    free(g->home_cum);
    for (int m = 0; m < 12; m++) free(g->leaf_cum[m]);
    free(g->leaf_chance);
    if (g->members_map_len) munmap(g->members_mem, g->members_map_len);
    else free(g->members_mem);
    free(g->pulse);
    free(g->people);
    free(g->email_set);
    for (int k = 0; k < GEN_RETURN_RING; k++) free(g->ring[k].v);
    free(g->visits);
    free(g->store_seq);
    kt_gen_direct_finish(g, false);
}

/* The receipt files are not written in direct mode. */
static bool writes_file(const kt_gen_options *opt, int f) {
    if (opt->columns_only) return false;
    return !opt->direct_data || (f != KT_GEN_RECEIPTS && f != KT_GEN_RECEIPT_LINES);
}

kt_rc kt_gen_run(const kt_gen_options *opt, kt_gen_report *report, kt_err *err) {
    kt_rc rc = check_options(opt, err);
    if (rc) return rc;
    if (!opt->force) {
        for (int f = 0; f < KT_GEN_FILE_COUNT; f++) {
            if (!writes_file(opt, f)) continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", opt->out_dir, file_names[f]);
            struct stat sb;
            if (stat(path, &sb) == 0)
                return kt_fail(err, KT_EEXIST, path, "file exists (use --force to overwrite)");
        }
    }
    gen *g = kt_xcalloc(1, sizeof *g);
    g->opt = opt;
    g->err = err;
    kt_rng_seed(&g->rng, opt->seed);
    g->report.direct = opt->direct_data != NULL;
    if (opt->direct_data) { /* fail on a busy store before writing anything */
        kt_gen_direct_open(g);
        if (g->rc) goto done;
    }
    if (!opt->columns_only && (g->rc = make_dir(opt->out_dir, err))) goto done;

    if (out_open(g, KT_GEN_CATEGORIES)) goto done;
    kt_gen_tree(g);
    out_close(g, KT_GEN_CATEGORIES);

    if (g->rc || out_open(g, KT_GEN_STORES)) goto done;
    kt_gen_stores(g);
    out_close(g, KT_GEN_STORES);

    if (g->rc || out_open(g, KT_GEN_PRODUCTS)) goto done;
    kt_gen_products(g);
    out_close(g, KT_GEN_PRODUCTS);

    if (g->rc || out_open(g, KT_GEN_MEMBERS) || out_open(g, KT_GEN_CARDS) || out_open(g, KT_GEN_CONSENTS) ||
        out_open(g, KT_GEN_BALANCES))
        goto done;
    kt_gen_members(g);
    out_close(g, KT_GEN_MEMBERS);
    out_close(g, KT_GEN_CARDS);
    out_close(g, KT_GEN_CONSENTS);
    out_close(g, KT_GEN_BALANCES);

    if (g->rc) goto done;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (opt->direct_data) {
        kt_gen_direct_begin(g);
        kt_gen_receipts(g);
        kt_gen_direct_finish(g, true);
    } else {
        if (out_open(g, KT_GEN_RECEIPTS) || out_open(g, KT_GEN_RECEIPT_LINES)) goto done;
        kt_gen_receipts(g);
        out_close(g, KT_GEN_RECEIPTS);
        out_close(g, KT_GEN_RECEIPT_LINES);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    g->report.receipts_seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

done:
    rc = g->rc;
    if (report) *report = g->report;
    gen_free(g);
    free(g);
    return rc;
}
