/*
 * gen_direct.c - `karta gen --direct`: the receipts that gen_receipts.c makes
 * go straight into the columnar store (cols/cols.h) instead of receipts.csv
 * and receipt_lines.csv. Contract in gen.h; see gen_internal.h.
 *
 * INTERFACE ROUTINES
 *     kt_gen_direct_open     take the writer (the store's lock), choose the member mode
 *     kt_gen_direct_begin    size the id caches (members and cards are known by then)
 *     kt_gen_direct_receipt  one receipt and its lines, as import-receipts would store them
 *     kt_gen_direct_finish   commit, or remove what was written
 *
 * What import-receipts would store for the same CSV rows, field by field:
 *   receipt   the writer's next id + the number of receipts so far (same order)
 *   day       the local day of the visit; minute: the local second / 60
 *   amount    the sum of the lines; negated with flags KT_COLS_RETURN on a return
 *   qty_milli grams of a weighed SKU ("0.583" kg), else pieces x 1000
 *   store,sku the operational id of the code, else a dictionary id named by it
 *   member    the member of the card number in the operational store, 0 for no
 *             card or an unknown one; or, when the operational store holds no
 *             card at all, a dictionary id named by the member's external id.
 * Each id is looked up once and cached by the generator's own index, so a run
 * makes at most stores + products + cards look-ups.
 */
#include "gen_internal.h"

#include "cols/cols.h"
#include "core/text.h"
#include "store/store.h"

#include <stdlib.h>

#define UNRESOLVED UINT32_MAX /* a cache slot not looked up yet (no id is UINT32_MAX) */

typedef struct gen_direct {
    kt_cols_writer *w;
    uint32_t next_receipt;
    bool by_card;        /* members through the operational store's cards */
    uint32_t *store_id;  /* by store index */
    uint32_t *sku_id;    /* by product index */
    uint32_t *member_id; /* by card serial (by_card) or by member index */
    size_t nmember_ids;
    uint64_t receipts;
} gen_direct;

static void fill(uint32_t *v, size_t n) {
    for (size_t i = 0; i < n; i++) v[i] = UNRESOLVED;
}

void kt_gen_direct_open(gen *g) {
    gen_direct *d = kt_xcalloc(1, sizeof *d);
    g->direct = d;
    const kt_gen_options *opt = g->opt;
    int64_t cards = 0;
    bool found = false;
    if (opt->store) {
        g->rc = kt_store_int(opt->store, KT_Q_CARD_COUNT, NULL, 0, &cards, &found, g->err);
        if (g->rc) return;
    }
    d->by_card = cards > 0;
    g->rc = kt_cols_writer_open(opt->direct_data, &d->w, g->err);
    if (g->rc) return;
    kt_cols_writer_compact(d->w); /* each receipt's lines follow it */
    kt_cols_writer_unbuffered(d->w); /* ~16 bytes a line that nothing reads before the commit */
    d->next_receipt = kt_cols_writer_next_receipt(d->w);
}

bool kt_gen_direct_by_card(const gen *g) { return g->direct && g->direct->by_card; }

void kt_gen_direct_begin(gen *g) {
    gen_direct *d = g->direct;
    d->store_id = kt_xmalloc(g->opt->stores * sizeof *d->store_id);
    fill(d->store_id, g->opt->stores);
    d->sku_id = kt_xmalloc(g->opt->products * sizeof *d->sku_id);
    fill(d->sku_id, g->opt->products);
    d->nmember_ids = d->by_card ? g->cards : g->opt->members;
    d->member_id = kt_xmalloc((d->nmember_ids ? d->nmember_ids : 1) * sizeof *d->member_id);
    fill(d->member_id, d->nmember_ids);
    /* members named by external id (M0000001): most will come, in the first weeks */
    if (!d->by_card) kt_cols_writer_dict_reserve(d->w, KT_DICT_MEMBER, g->opt->members, (size_t)g->opt->members * 10);
}

/* The operational id of a code (first column of q), else its dictionary id. */
static kt_rc code_id(gen *g, kt_query q, kt_cols_dict_kind kind, const char *code, size_t len, uint32_t *out) {
    char key[16];
    KT_ASSERT(len < sizeof key);
    memcpy(key, code, len);
    key[len] = 0;
    int64_t id = 0;
    bool found = false;
    if (g->opt->store) {
        kt_rc rc = kt_store_int(g->opt->store, q, (kt_val[]){KT_VS(key)}, 1, &id, &found, g->err);
        if (rc) return rc;
    }
    if (found && id > 0 && id < (int64_t)KT_COLS_FOREIGN) {
        *out = (uint32_t)id;
        return KT_OK;
    }
    return kt_cols_writer_dict(g->direct->w, kind, key, len, out, g->err);
}

static kt_rc store_id(gen *g, uint16_t store, uint32_t *out) {
    uint32_t *slot = &g->direct->store_id[store];
    if (*slot == UNRESOLVED) {
        const gen_store *st = &g->stores[store];
        kt_rc rc = code_id(g, KT_Q_STORE_BY_CODE, KT_DICT_STORE, st->code, st->code_len, slot);
        if (rc) { *slot = UNRESOLVED; return rc; }
        if (*slot & KT_COLS_FOREIGN) g->report.direct_dict_ids[KT_DICT_STORE]++;
    }
    *out = *slot;
    return KT_OK;
}

static kt_rc sku_id(gen *g, uint32_t product, uint32_t *out) {
    uint32_t *slot = &g->direct->sku_id[product];
    if (*slot == UNRESOLVED) {
        kt_rc rc = code_id(g, KT_Q_PRODUCT_BY_SKU, KT_DICT_SKU, g->products[product].code, 7, slot);
        if (rc) { *slot = UNRESOLVED; return rc; }
        if (*slot & KT_COLS_FOREIGN) g->report.direct_dict_ids[KT_DICT_SKU]++;
    }
    *out = *slot;
    return KT_OK;
}

/* card: serial + 1, 0 for none; member: the generator's index. */
static kt_rc member_id(gen *g, uint32_t member, uint32_t card, uint32_t *out) {
    gen_direct *d = g->direct;
    if (!card) { *out = 0; return KT_OK; }
    uint32_t key = d->by_card ? card - 1 : member;
    KT_ASSERT(key < d->nmember_ids);
    uint32_t *slot = &d->member_id[key];
    if (*slot != UNRESOLVED) { *out = *slot; return KT_OK; }
    kt_rc rc = KT_OK;
    if (d->by_card) {
        char number[20], norm[KT_CARD_MAX];
        char *e = put_card(number, card - 1);
        *e = 0;
        kt_err ignore;
        *slot = 0;
        if (kt_card_normalise(number, norm, &ignore, "card") == KT_OK) {
            kt_cursor *cur;
            bool has = false;
            rc = kt_store_query(g->opt->store, KT_Q_CARD_GET, (kt_val[]){KT_VS(norm)}, 1, &cur, g->err);
            if (rc) return rc;
            rc = kt_store_step(cur, &has, g->err);
            if (!rc && has) {
                int64_t id = kt_col_int(cur, 1);
                if (id > 0 && id < (int64_t)KT_COLS_FOREIGN) *slot = (uint32_t)id;
            }
            kt_store_end(cur);
        }
    } else {
        char code[16];
        char *e = put_member_code(code, member);
        rc = kt_cols_writer_dict(d->w, KT_DICT_MEMBER, code, (size_t)(e - code), slot, g->err);
        if (!rc) g->report.direct_dict_ids[KT_DICT_MEMBER]++;
    }
    if (rc) { *slot = UNRESOLVED; return rc; }
    *out = *slot;
    return KT_OK;
}

void kt_gen_direct_receipt(gen *g, kt_day day, int minute, uint16_t store, uint32_t member, uint32_t card,
                           bool is_return, const gen_line *lines, int n) {
    gen_direct *d = g->direct;
    if (g->rc) return;
    KT_ASSERT(minute >= 0 && minute < 1440 && n > 0);
    kt_cols_receipt_row r = {0};
    if ((g->rc = store_id(g, store, &r.store)) || (g->rc = member_id(g, member, card, &r.member))) return;
    r.receipt = d->next_receipt + (uint32_t)d->receipts;
    r.day = (int32_t)day;
    r.minute = (uint16_t)minute;
    int64_t total = 0;
    for (int i = 0; i < n; i++) total += lines[i].amount;
    r.flags = is_return ? KT_COLS_RETURN : 0;
    r.amount = is_return ? -total : total;
    uint32_t sku[KT_GEN_RECEIPT_LINES_MAX];
    int64_t qty[KT_GEN_RECEIPT_LINES_MAX], amount[KT_GEN_RECEIPT_LINES_MAX];
    KT_ASSERT(n <= KT_GEN_RECEIPT_LINES_MAX);
    for (int i = 0; i < n; i++) {
        const gen_line *l = &lines[i];
        if ((g->rc = sku_id(g, l->product, &sku[i]))) return;
        /* grams of a weighed SKU are thousandths of a kilogram */
        int64_t qty_milli = g->hot[l->product].weighed ? (int64_t)l->qty : (int64_t)l->qty * 1000;
        qty[i] = is_return ? -qty_milli : qty_milli;
        amount[i] = is_return ? -l->amount : l->amount;
    }
    if ((g->rc = kt_cols_writer_receipt_lines(d->w, &r, sku, qty, amount, (size_t)n, g->err))) return;
    d->receipts++;
}

void kt_gen_direct_finish(gen *g, bool commit) {
    gen_direct *d = g->direct;
    if (!d) return;
    if (d->w) {
        if (commit && g->rc == KT_OK) {
            uint64_t receipts = 0, lines = 0;
            g->rc = kt_cols_writer_commit(d->w, &receipts, &lines, g->err); /* frees the writer either way */
            if (!g->rc) {
                g->report.rows[KT_GEN_RECEIPTS] = receipts;
                g->report.rows[KT_GEN_RECEIPT_LINES] = lines;
            }
        } else {
            kt_cols_writer_abort(d->w);
        }
        d->w = NULL;
    }
    free(d->store_id);
    free(d->sku_id);
    free(d->member_id);
    free(d);
    g->direct = NULL;
}
