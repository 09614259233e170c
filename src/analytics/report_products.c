/*
 * report_products.c - the reports over products (report.h): R5 product
 * loyalty, R6 sales and stock, and the import of stock snapshots.
 */
#include "analytics/report_int.h"
#include "catalog/catalog.h"
#include "cols/cols_import.h"
#include "core/csv.h"
#include "core/date.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- R5 product loyalty ------------------------------------------------------------------ */
typedef struct loyal_state {
    const kt_afilter *f;
    kt_actx *a;
    kt_alevel level;
    uint32_t store_slots, member_slots, sku_slots;
    int64_t *spend;           /* sale-line money by member */
    kt_rkvs items;            /* (item, member) -> money, first receipt or -1 */
} loyal_state;

static void loyal_lines(void *state, const kt_cols_lines *seg, size_t begin, size_t end) {
    loyal_state *s = state;
    for (size_t i = begin; i < end; i++) {
        if (!seg->member[i] || seg->qty_milli[i] < 0) continue;
        if (!kt_afilter_pass(s->f, kt_actx_index_of(s->store_slots, seg->store[i]), seg->day[i])) continue;
        uint32_t m = kt_actx_index_of(s->member_slots, seg->member[i]);
        s->spend[m] += seg->amount[i];
        uint32_t item = kt_actx_sku_group(s->a, s->level, kt_actx_index_of(s->sku_slots, seg->sku[i]));
        if (item == KT_ACTX_NONE) continue;
        kt_rkvs_push(&s->items, (uint64_t)item << 32 | m, seg->amount[i], seg->receipt[i]);
    }
}

typedef struct loyal_row { uint32_t item, group; int64_t buyers, repeat, sales, wallet; } loyal_row;
typedef struct loyal_sort { kt_actx *a; kt_alevel level; const uint32_t *group_rank; } loyal_sort;

static int by_item_group(const void *x, const void *y, void *ctx) {
    const loyal_sort *ls = ctx;
    const loyal_row *a = x, *b = y;
    if (a->item != b->item) {
        int c = strcmp(kt_actx_group_name(ls->a, ls->level, a->item), kt_actx_group_name(ls->a, ls->level, b->item));
        if (c) return c;
        return a->item < b->item ? -1 : 1;
    }
    uint32_t ga = ls->group_rank[a->group], gb = ls->group_rank[b->group];
    return ga < gb ? -1 : ga > gb;
}

kt_rc kt_report_product_loyalty(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err) {
    kt_rgrouper *g = kt_rgrouper_new(a, r);
    kt_acol cols[KT_RGROUPS_MAX + 6];
    int nc = 0;
    cols[nc++] = (kt_acol){"item", KT_ACOL_TEXT, 0};
    kt_rgrouper_columns(g, cols + nc);
    nc += r->ngroups;
    cols[nc++] = (kt_acol){"buyers", KT_ACOL_INT, 0};
    cols[nc++] = (kt_acol){"repeat_buyers", KT_ACOL_INT, 0};
    cols[nc++] = (kt_acol){"repeat_share", KT_ACOL_REAL, 4};
    cols[nc++] = (kt_acol){"sales", KT_ACOL_MONEY, 0};
    cols[nc++] = (kt_acol){"wallet_share", KT_ACOL_REAL, 4};
    size_t nm = kt_actx_count(a, KT_ADIM_MEMBER);
    void **st = NULL;
    kt_rkvs **parts = NULL, items;
    kt_rkvs_init(&items, kt_rkv_sum_distinct_b);
    kt_rc rc = kt_actx_load_products(a, err);
    if (!rc) rc = kt_actx_load_members(a, err);
    kt_aout_table(out, "product_loyalty", cols, (size_t)nc);
    if (rc) goto done;
    st = kt_report_states(r->threads, sizeof(loyal_state));
    parts = kt_xcalloc((size_t)r->threads, sizeof *parts);
    for (int t = 0; t < r->threads; t++) {
        loyal_state *s = st[t];
        *s = (loyal_state){&r->filter, a, r->level, kt_actx_op_slots(a, KT_ADIM_STORE), kt_actx_op_slots(a, KT_ADIM_MEMBER),
                           kt_actx_op_slots(a, KT_ADIM_SKU), kt_xcalloc(nm ? nm : 1, sizeof(int64_t)), {0}};
        kt_rkvs_init(&s->items, kt_rkv_sum_distinct_b);
        parts[t] = &s->items;
    }
    rc = kt_actx_scan_lines(a, r->threads, loyal_lines, st, err);
    kt_rkvs_gather(&items, parts, r->threads);
    if (rc) goto done;
    int64_t *spend = ((loyal_state *)st[0])->spend;
    for (int t = 1; t < r->threads; t++) {
        const int64_t *x = ((loyal_state *)st[t])->spend;
        for (size_t i = 0; i < nm; i++) spend[i] += x[i];
    }
    /* (item, group) rows: items arrive sorted, so one item's groups are together */
    loyal_row *rows = NULL;
    size_t nrows = 0, cap = 0, item_start = 0;
    uint32_t cur = KT_ACTX_NONE;
    for (size_t i = 0; i < items.n; i++) {
        const kt_rkv *x = &items.v[i];
        uint32_t item = (uint32_t)(x->key >> 32), m = (uint32_t)x->key;
        const kt_actx_member *p = kt_actx_member_profile(a, m);
        if (!kt_rgrouper_pass(g, p)) continue;
        uint32_t grp = kt_rgrouper_group(g, p);
        if (item != cur) {
            cur = item;
            item_start = nrows;
        }
        loyal_row *row = NULL;
        for (size_t k = item_start; k < nrows; k++)
            if (rows[k].group == grp) { row = &rows[k]; break; }
        if (!row) {
            if (nrows == cap) {
                cap = cap ? cap * 2 : 256;
                rows = kt_xrealloc(rows, cap * sizeof *rows);
            }
            row = &rows[nrows++];
            *row = (loyal_row){item, grp, 0, 0, 0, 0};
        }
        row->buyers++;
        row->repeat += x->b == -1;
        row->sales += x->a;
        row->wallet += spend[m];
    }
    size_t ng = kt_rgrouper_count(g);
    uint32_t *order = kt_xmalloc((ng ? ng : 1) * sizeof *order), *grank = kt_xmalloc((ng ? ng : 1) * sizeof *grank);
    for (size_t i = 0; i < ng; i++) order[i] = (uint32_t)i;
    kt_rgrouper_sort(g, order, ng);
    for (size_t i = 0; i < ng; i++) grank[order[i]] = (uint32_t)i;
    loyal_sort ls = {a, r->level, grank};
    if (nrows) qsort_r(rows, nrows, sizeof *rows, by_item_group, &ls);
    for (size_t i = 0; i < nrows; i++) {
        const loyal_row *x = &rows[i];
        kt_aout_text(out, kt_actx_group_name(a, r->level, x->item));
        kt_rgrouper_cells(g, out, x->group);
        kt_aout_int(out, x->buyers);
        kt_aout_int(out, x->repeat);
        kt_aout_real(out, kt_report_ratio((double)x->repeat, (double)x->buyers));
        kt_aout_money(out, x->sales);
        kt_aout_real(out, kt_report_ratio((double)x->sales, (double)x->wallet));
        kt_aout_row_end(out);
    }
    free(order);
    free(grank);
    free(rows);
done:
    if (st)
        for (int t = 0; t < r->threads; t++) free(((loyal_state *)st[t])->spend);
    kt_report_states_free(st, r->threads);
    free(parts);
    kt_rkvs_free(&items);
    kt_rgrouper_free(g);
    return rc;
}

/* ---- R6 sales and stock -------------------------------------------------------------------- */
#define STOCK_DEFAULT_DAYS 28

typedef struct stock_state {
    const kt_afilter *f;
    uint32_t store_slots, sku_slots;
    bool total;
    kt_rkvs sold;             /* (store, sku) or (0, sku) -> units, money */
} stock_state;

static void stock_lines(void *state, const kt_cols_lines *seg, size_t begin, size_t end) {
    stock_state *s = state;
    for (size_t i = begin; i < end; i++) {
        uint32_t store = kt_actx_index_of(s->store_slots, seg->store[i]);
        if (!kt_afilter_pass(s->f, store, seg->day[i])) continue;
        uint64_t key = (uint64_t)(s->total ? 0 : store) << 32 | kt_actx_index_of(s->sku_slots, seg->sku[i]);
        kt_rkvs_push(&s->sold, key, seg->qty_milli[i], seg->amount[i]);
    }
}

/* Snapshots: a = quantity, b = day; summed over stores (total), the latest day is shown. */
static void stock_merge(kt_rkv *x, const kt_rkv *y) {
    x->a += y->a;
    if (y->b > x->b) x->b = y->b;
}

typedef struct stock_row { uint64_t key; int64_t units, sales, stock; kt_day stock_day; } stock_row;
typedef struct stock_sort { kt_actx *a; const uint32_t *store_rank; } stock_sort;

static int by_store_sku(const void *x, const void *y, void *ctx) {
    const stock_sort *ss = ctx;
    const stock_row *a = x, *b = y;
    uint32_t sa = (uint32_t)(a->key >> 32), sb = (uint32_t)(b->key >> 32);
    if (sa != sb) return ss->store_rank[sa] < ss->store_rank[sb] ? -1 : 1;
    int c = strcmp(kt_actx_name(ss->a, KT_ADIM_SKU, (uint32_t)a->key), kt_actx_name(ss->a, KT_ADIM_SKU, (uint32_t)b->key));
    return c ? c : (a->key < b->key ? -1 : a->key > b->key);
}

kt_rc kt_report_stock(kt_actx *a, const kt_report_args *r, kt_aout *out, kt_err *err) {
    kt_acol cols[] = {{"store", KT_ACOL_TEXT, 0},        {"sku", KT_ACOL_TEXT, 0},         {"units_sold", KT_ACOL_REAL, 3},
                      {"sales", KT_ACOL_MONEY, 0},       {"avg_daily_units", KT_ACOL_REAL, 3}, {"stock_day", KT_ACOL_DAY, 0},
                      {"stock", KT_ACOL_REAL, 3},        {"days_cover", KT_ACOL_REAL, 1}};
    int skip = r->total ? 1 : 0;
    kt_aout_table(out, "stock", cols + skip, KT_ARRAY_LEN(cols) - (size_t)skip);
    kt_afilter f = r->filter;
    if (f.to == KT_DAY_NONE || f.to == INT32_MAX) return KT_OK; /* no receipts and no --to: no range */
    if (r->from_opt == KT_DAY_NONE) f.from = f.to - (STOCK_DEFAULT_DAYS - 1);
    if (f.from > f.to) return KT_OK;
    int64_t days = (int64_t)f.to - f.from + 1;

    void **st = kt_report_states(r->threads, sizeof(stock_state));
    kt_rkvs **parts = kt_xcalloc((size_t)r->threads, sizeof *parts), sold, snaps;
    kt_rkvs_init(&sold, kt_rkv_sum);
    kt_rkvs_init(&snaps, stock_merge);
    for (int t = 0; t < r->threads; t++) {
        stock_state *s = st[t];
        *s = (stock_state){&f, kt_actx_op_slots(a, KT_ADIM_STORE), kt_actx_op_slots(a, KT_ADIM_SKU), r->total, {0}};
        kt_rkvs_init(&s->sold, kt_rkv_sum);
        parts[t] = &s->sold;
    }
    kt_rc rc = kt_actx_scan_lines(a, r->threads, stock_lines, st, err);
    kt_rkvs_gather(&sold, parts, r->threads);
    free(parts);
    kt_report_states_free(st, r->threads);

    /* last snapshots (operational ids are the indexes) */
    kt_store *db = kt_actx_store(a);
    size_t nstores = kt_actx_count(a, KT_ADIM_STORE), nskus = kt_actx_count(a, KT_ADIM_SKU);
    if (!rc && db) {
        kt_cursor *cur;
        bool has;
        rc = kt_store_query(db, KT_Q_STOCK_LAST, (kt_val[]){KT_VI(f.to)}, 1, &cur, err);
        if (!rc) {
            while (!(rc = kt_store_step(cur, &has, err)) && has) {
                int64_t store = kt_col_int(cur, 0), sku = kt_col_int(cur, 1);
                if (store < 0 || (size_t)store >= nstores || sku < 0 || (size_t)sku >= nskus) continue;
                if (f.store_ok && !f.store_ok[store]) continue;
                kt_rkvs_push(&snaps, (uint64_t)(r->total ? 0 : store) << 32 | (uint64_t)sku, kt_col_int(cur, 3),
                             kt_col_int(cur, 2));
            }
            kt_store_end(cur);
        }
        kt_rkvs_compact(&snaps);
    }
    if (rc) goto done;

    /* join the two sorted lists */
    stock_row *rows = kt_xmalloc((sold.n + snaps.n + 1) * sizeof *rows);
    size_t n = 0, i = 0, j = 0;
    while (i < sold.n || j < snaps.n) {
        stock_row row = {0, 0, 0, -1, KT_DAY_NONE};
        uint64_t ki = i < sold.n ? sold.v[i].key : UINT64_MAX, kj = j < snaps.n ? snaps.v[j].key : UINT64_MAX;
        row.key = ki < kj ? ki : kj;
        if (ki == row.key) {
            row.units = sold.v[i].a;
            row.sales = sold.v[i].b;
            i++;
        }
        if (kj == row.key) {
            row.stock = snaps.v[j].a;
            row.stock_day = (kt_day)snaps.v[j].b;
            j++;
        }
        rows[n++] = row;
    }
    kt_err ignore;
    kt_actx_load_names(a, KT_ADIM_SKU, &ignore);
    uint32_t *rank = kt_report_store_ranks(a);
    stock_sort ss = {a, rank};
    qsort_r(rows, n, sizeof *rows, by_store_sku, &ss);
    for (size_t k = 0; k < n; k++) {
        const stock_row *x = &rows[k];
        double avg = (double)x->units / 1000.0 / (double)days;
        if (!r->total) kt_aout_text(out, kt_actx_name(a, KT_ADIM_STORE, (uint32_t)(x->key >> 32)));
        kt_aout_text(out, kt_actx_name(a, KT_ADIM_SKU, (uint32_t)x->key));
        kt_aout_real(out, (double)x->units / 1000.0);
        kt_aout_money(out, x->sales);
        kt_aout_real(out, avg);
        kt_aout_day(out, x->stock_day);
        if (x->stock < 0) kt_aout_null(out);
        else kt_aout_real(out, (double)x->stock / 1000.0);
        if (x->stock < 0 || x->units <= 0) kt_aout_null(out);
        else kt_aout_real(out, (double)x->stock / 1000.0 / avg);
        kt_aout_row_end(out);
    }
    free(rank);
    free(rows);
done:
    kt_rkvs_free(&sold);
    kt_rkvs_free(&snaps);
    return rc;
}

/* ---- import-stock ---------------------------------------------------------------------------- */
enum { SK_STORE, SK_SKU, SK_DATE, SK_QTY, SK_N };

kt_rc kt_report_stock_import(kt_store *st, const char *path, kt_stock_import_result *out, kt_err *err) {
    static const char *const names[SK_N] = {"store", "sku", "date", "qty"};
    *out = (kt_stock_import_result){0, 0, KT_DAY_NONE, KT_DAY_NONE};
    kt_csv *c = NULL;
    const kt_csv_field *fl;
    size_t nf, ncols = 0;
    int col[SK_N];
    char field[KT_ERR_FIELD_MAX];
    kt_strmap *seen = NULL;
    kt_rc rc = kt_csv_open(path, ',', &c, err);
    if (rc) return rc;
    const char *name = kt_csv_name(c);
    if ((rc = kt_csv_next(c, &fl, &nf, err))) goto done;
    if (!nf) {
        rc = kt_fail(err, KT_EINVAL, name, "empty file: want the header store,sku,date,qty");
        goto done;
    }
    for (int k = 0; k < SK_N; k++) col[k] = -1;
    for (size_t i = 0; i < nf; i++) {
        int k = 0;
        while (k < SK_N && strcmp(fl[i].s, names[k])) k++;
        snprintf(field, sizeof field, "%.80s:1: %.30s", name, fl[i].s);
        if (k == SK_N) { rc = kt_fail(err, KT_EINVAL, field, "unknown column (want store,sku,date,qty)"); goto done; }
        if (col[k] >= 0) { rc = kt_fail(err, KT_EINVAL, field, "column repeated"); goto done; }
        col[k] = (int)i;
    }
    ncols = nf;
    for (int k = 0; k < SK_N; k++)
        if (col[k] < 0) {
            snprintf(field, sizeof field, "%.80s:1", name);
            rc = kt_fail(err, KT_EINVAL, field, "missing column %s (want store,sku,date,qty)", names[k]);
            goto done;
        }
    seen = kt_strmap_new();
    if ((rc = kt_store_begin(st, err))) goto done;
    kt_time now = kt_now();
    for (;;) {
        if ((rc = kt_csv_next(c, &fl, &nf, err)) || !nf) break;
        unsigned long long line = (unsigned long long)kt_csv_line(c);
        if (nf != ncols) {
            snprintf(field, sizeof field, "%.80s:%llu", name, line);
            rc = kt_fail(err, KT_EINVAL, field, "%zu fields, the header has %zu", nf, ncols);
            break;
        }
        int64_t store, product, qty;
        kt_day day;
#define SK_FIELD(k) (snprintf(field, sizeof field, "%.80s:%llu: %s", name, line, names[k]), field)
        if (!fl[col[SK_STORE]].len) { rc = kt_fail(err, KT_EINVAL, SK_FIELD(SK_STORE), "required"); break; }
        if ((rc = kt_catalog_store_id(st, fl[col[SK_STORE]].s, SK_FIELD(SK_STORE), &store, err))) break;
        if (!fl[col[SK_SKU]].len) { rc = kt_fail(err, KT_EINVAL, SK_FIELD(SK_SKU), "required"); break; }
        if ((rc = kt_catalog_product_id(st, fl[col[SK_SKU]].s, SK_FIELD(SK_SKU), &product, err))) break;
        if ((rc = kt_day_parse(fl[col[SK_DATE]].s, fl[col[SK_DATE]].len, &day, err, SK_FIELD(SK_DATE)))) break;
        if ((rc = kt_cols_parse_qty(fl[col[SK_QTY]].s, fl[col[SK_QTY]].len, &qty, err, SK_FIELD(SK_QTY)))) break;
        if (qty < 0) { rc = kt_fail(err, KT_EINVAL, SK_FIELD(SK_QTY), "a stock quantity is >= 0"); break; }
        char key[64];
        int klen = snprintf(key, sizeof key, "%lld/%lld/%d", (long long)store, (long long)product, (int)day);
        uint32_t prev;
        if (kt_strmap_get(seen, key, (size_t)klen, &prev)) {
            rc = kt_fail(err, KT_EINVAL, SK_FIELD(SK_DATE), "the same store, sku and date as line %u", prev);
            break;
        }
        kt_strmap_put(seen, key, (size_t)klen, (uint32_t)line);
#undef SK_FIELD
        int64_t old;
        bool found;
        kt_val args[] = {KT_VI(store), KT_VI(product), KT_VI(day), KT_VI(qty), KT_VI(now)};
        if ((rc = kt_store_int(st, KT_Q_STOCK_GET, args, 3, &old, &found, err))) break;
        if ((rc = kt_store_exec(st, KT_Q_STOCK_PUT, args, 5, err))) break;
        out->rows++;
        out->replaced += found;
        if (out->first_day == KT_DAY_NONE || day < out->first_day) out->first_day = day;
        if (out->last_day == KT_DAY_NONE || day > out->last_day) out->last_day = day;
    }
    if (rc) kt_store_rollback(st);
    else rc = kt_store_commit(st, err);
done:
    if (rc) *out = (kt_stock_import_result){0, 0, KT_DAY_NONE, KT_DAY_NONE};
    kt_strmap_free(seen);
    kt_csv_close(c);
    return rc;
}
