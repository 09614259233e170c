/*
 * cols_import.c - receipt history from CSV into the columnar store
 * (cols_import.h): resolves external ids through the operational store with
 * caches, turns times into local day and minute, signs returns, and hands
 * rows to the column writer, which publishes them only if every row was good.
 */
#include "cols/cols_import.h"
#include "cols/cols.h"
#include "cols/cols_fast.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/text.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A receipt seen so far: what its lines inherit. */
typedef struct rinfo {
    uint32_t receipt, member, store;
    int32_t day;
    uint16_t minute;
    uint8_t flags;
    int64_t amount;  /* map mode: sum of the lines */
} rinfo;

typedef struct job {
    kt_store *st;
    kt_cols_writer *w;
    const kt_cols_import_opts *o;
    kt_cols_import_result *res;
    kt_strmap *cards, *members, *stores, *skus, *keys; /* caches; keys: store\x1freceipt -> rinfo index */
    rinfo *rs;
    size_t nrs, caprs;
    char *keybuf;
    size_t keycap;
} job;

/* ---- file fingerprints (repeat imports) ---- */
/* A 64-bit hash of the bytes, eight at a time (multiply, rotate, fold). */
static kt_rc hash_file(const char *path, uint64_t *h, uint64_t *size, kt_err *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return kt_fail(err, KT_EIO, path, "cannot open");
    enum { CHUNK = 1 << 20 };
    unsigned char *buf = kt_xmalloc(CHUNK);
    size_t n;
    while ((n = fread(buf, 1, CHUNK, f)) > 0) {
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            uint64_t v;
            memcpy(&v, buf + i, 8);
            *h = (*h ^ (v * 0x9E3779B97F4A7C15ull));
            *h = ((*h << 27) | (*h >> 37)) * 0xC2B2AE3D27D4EB4Full;
        }
        for (; i < n; i++) *h = (*h ^ buf[i]) * 0x100000001B3ull;
        *size += n;
    }
    bool bad = ferror(f);
    fclose(f);
    free(buf);
    return bad ? kt_fail(err, KT_EIO, path, "read error") : KT_OK;
}

/* "csv-SIZE-HASH" of a mapped file, "dir-SIZE-HASH" of the generic pair. */
static kt_rc fingerprint(const kt_cols_import_opts *o, char *out, kt_err *err) {
    uint64_t h = 0x84222325CBF29CE4ull, size = 0;
    char path[4096];
    kt_rc rc;
    if (o->map) rc = hash_file(o->path, &h, &size, err);
    else {
        snprintf(path, sizeof path, "%s/receipts.csv", o->path);
        rc = hash_file(path, &h, &size, err);
        snprintf(path, sizeof path, "%s/receipt_lines.csv", o->path);
        if (!rc) rc = hash_file(path, &h, &size, err);
    }
    if (!rc) snprintf(out, KT_COLS_FP_MAX, "%s-%llu-%016llx", o->map ? "csv" : "dir", (unsigned long long)size,
                      (unsigned long long)h);
    return rc;
}

kt_rc kt_cols_parse_qty(const char *s, size_t len, int64_t *out_milli, kt_err *err, const char *field) {
    char q[KT_QUOTE_MAX];
    size_t i = (len && s[0] == '-') ? 1 : 0, digits = 0, frac = 0;
    bool dot = false;
    int64_t v = 0;
    for (; i < len; i++) {
        char ch = s[i];
        if (ch == '.' && !dot) { dot = true; continue; }
        if (ch < '0' || ch > '9' || (dot && frac == 3)) goto bad;
        if (!kt_mul_i64(v, 10, &v) || !kt_add_i64(v, ch - '0', &v)) goto bad;
        if (dot) frac++; else digits++;
    }
    if (!digits || (dot && !frac)) goto bad;
    for (; frac < 3; frac++)
        if (!kt_mul_i64(v, 10, &v)) goto bad;
    *out_milli = (len && s[0] == '-') ? -v : v;
    return KT_OK;
bad:
    kt_text_quote(s, len, q, sizeof q);
    return kt_fail(err, KT_EINVAL, field, "not a quantity (want 2 or 0.583, at most 3 decimals): %s", q);
}

kt_rc kt_cols_map_parse(const char *spec, kt_cols_map *map, char **buf, kt_err *err) {
    *map = (kt_cols_map){0};
    *buf = kt_xstrdup(spec);
    static const char *const keys[] = {"receipt", "member", "card", "store", "time", "sku", "qty", "amount", "price"};
    const char **slots[] = {&map->receipt, &map->member, &map->card, &map->store, &map->time,
                            &map->sku, &map->qty, &map->amount, &map->price};
    for (char *save = NULL, *tok = strtok_r(*buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq || eq == tok || !eq[1]) return kt_fail(err, KT_EUSAGE, "--map", "want NAME=HEADER, got \"%s\"", tok);
        *eq = 0;
        size_t k = 0;
        while (k < KT_ARRAY_LEN(keys) && strcmp(keys[k], tok)) k++;
        if (k == KT_ARRAY_LEN(keys))
            return kt_fail(err, KT_EUSAGE, "--map", "unknown name \"%s\" (receipt, member, card, store, time, sku, qty, amount, price)", tok);
        if (*slots[k]) return kt_fail(err, KT_EUSAGE, "--map", "\"%s\" given twice", tok);
        *slots[k] = eq + 1;
    }
    const char *missing = !map->receipt ? "receipt" : !map->store ? "store" : !map->time ? "time"
                        : !map->sku ? "sku" : !map->qty ? "qty" : (!map->amount && !map->price) ? "amount" : NULL;
    if (missing) return kt_fail(err, KT_EUSAGE, "--map", "%s=HEADER is required", missing);
    if (map->member && map->card) return kt_fail(err, KT_EUSAGE, "--map", "give member or card, not both");
    return KT_OK;
}

/* Prefix err->field with "FILE:LINE: " (the parsers know only the column). */
static kt_rc at_row(kt_csv *c, kt_rc rc, kt_err *err) {
    if (err && rc) {
        char f[KT_ERR_FIELD_MAX];
        int n = snprintf(f, sizeof f, "%s:%llu: ", kt_csv_name(c), (unsigned long long)kt_csv_line(c));
        if (n > 0 && (size_t)n < sizeof f) {
            size_t rest = strlen(err->field);
            if ((size_t)n + rest >= sizeof f) rest = sizeof f - (size_t)n - 1;
            memcpy(f + n, err->field, rest);
            f[(size_t)n + rest] = 0;
            memcpy(err->field, f, sizeof f);
        }
    }
    return rc;
}

/* Look an external id up: cache, then the operational store, then the
 * columnar dictionary. q: the store query (first column: the id); 0 ids are
 * not used by the store. */
static kt_rc resolve(job *j, kt_strmap *cache, kt_query q, kt_cols_dict_kind kind, uint64_t *new_count,
                     const kt_csv_field *f, uint32_t *out, kt_err *err) {
    if (kt_strmap_get(cache, f->s, f->len, out)) return KT_OK;
    int64_t id = 0;
    bool found = false;
    kt_rc rc = kt_store_int(j->st, q, (kt_val[]){KT_VS(f->s)}, 1, &id, &found, err);
    if (rc) return rc;
    if (found && id > 0 && id < (int64_t)KT_COLS_FOREIGN) *out = (uint32_t)id;
    else {
        rc = kt_cols_writer_dict(j->w, kind, f->s, f->len, out, err);
        if (rc) return rc;
        (*new_count)++;
    }
    kt_strmap_put(cache, f->s, f->len, *out);
    return KT_OK;
}

static kt_rc resolve_card(job *j, const kt_csv_field *f, uint32_t *out, kt_err *err) {
    if (f->len == 0) { *out = 0; return KT_OK; }
    if (kt_strmap_get(j->cards, f->s, f->len, out)) { if (!*out) j->res->unknown_cards++; return KT_OK; }
    char norm[KT_CARD_MAX];
    kt_err ignore;
    kt_cursor *cur;
    bool has = false;
    *out = 0;
    if (kt_card_normalise(f->s, norm, &ignore, "card") == KT_OK) {
        kt_rc rc = kt_store_query(j->st, KT_Q_CARD_GET, (kt_val[]){KT_VS(norm)}, 1, &cur, err);
        if (rc) return rc;
        rc = kt_store_step(cur, &has, err);
        if (!rc && has) *out = (uint32_t)kt_col_int(cur, 1);
        kt_store_end(cur);
        if (rc) return rc;
    }
    if (!*out) j->res->unknown_cards++;
    kt_strmap_put(j->cards, f->s, f->len, *out);
    return KT_OK;
}

static const char *make_key(job *j, const kt_csv_field *store, const kt_csv_field *receipt, size_t *len) {
    *len = store->len + 1 + receipt->len;
    if (*len > j->keycap) { j->keycap = *len * 2; j->keybuf = kt_xrealloc(j->keybuf, j->keycap); }
    memcpy(j->keybuf, store->s, store->len);
    j->keybuf[store->len] = '\x1f';
    memcpy(j->keybuf + store->len + 1, receipt->s, receipt->len);
    return j->keybuf;
}

static rinfo *new_receipt(job *j, const char *key, size_t klen) {
    if (j->nrs == j->caprs) {
        j->caprs = j->caprs ? j->caprs * 2 : 4096;
        j->rs = kt_xrealloc(j->rs, j->caprs * sizeof *j->rs);
    }
    kt_strmap_put(j->keys, key, klen, (uint32_t)j->nrs);
    rinfo *r = &j->rs[j->nrs];
    *r = (rinfo){0};
    r->receipt = kt_cols_writer_next_receipt(j->w) + (uint32_t)j->nrs;
    j->nrs++;
    return r;
}

static kt_rc parse_local(job *j, const kt_csv_field *f, int32_t *day, uint16_t *minute, kt_err *err) {
    kt_time utc;
    int off;
    kt_rc rc = kt_time_parse(f->s, f->len, j->o->default_offset_min, &utc, &off, err, "time");
    if (rc) {
        if (!j->o->default_offset_min && err) {
            size_t n = strlen(err->msg);
            snprintf(err->msg + n, sizeof err->msg - n, " (for times without an offset give --timezone)");
        }
        return rc;
    }
    int64_t local = utc + (int64_t)off * 60, d = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    *day = (int32_t)d;
    *minute = (uint16_t)((local - d * 86400) / 60);
    return KT_OK;
}

/* Header: index of each wanted column; a missing required one is an error. */
static kt_rc columns(kt_csv *c, const char *const *names, const bool *required, int *idx, size_t n, kt_err *err) {
    const kt_csv_field *f;
    size_t nf;
    kt_rc rc = kt_csv_next(c, &f, &nf, err);
    if (rc) return rc;
    if (nf == 0) return kt_fail(err, KT_EINVAL, kt_csv_name(c), "empty file: no header row");
    for (size_t i = 0; i < n; i++) {
        idx[i] = names[i] ? kt_csv_column(f, nf, names[i]) : -1;
        if (idx[i] < 0 && required[i])
            return kt_fail(err, KT_EINVAL, kt_csv_name(c), "no column \"%s\" in the header", names[i]);
    }
    return KT_OK;
}

#define FIELD(i) (idx[i] >= 0 && (size_t)idx[i] < nf ? &f[idx[i]] : &empty)
static const kt_csv_field empty = {"", 0};

/* A row failed: stop, or count it and go on. */
/* A line takes its receipt's member, store, day and minute, and is appended. */
static kt_rc write_line(job *j, const rinfo *ri, kt_cols_line_row *row, kt_err *err) {
    row->receipt = ri->receipt;
    row->member = ri->member;
    row->store = ri->store;
    row->day = ri->day;
    row->minute = ri->minute;
    j->res->lines++;
    return kt_cols_writer_line(j->w, row, err);
}

static kt_rc row_failed(job *j, kt_csv *c, kt_rc rc, kt_err *err) {
    at_row(c, rc, err);
    if (!j->o->skip_bad || rc != KT_EINVAL) return rc;
    if (j->res->rejected++ == 0) j->res->first_rejected = *err;
    kt_err_clear(err);
    return KT_OK;
}

static kt_rc need(const kt_csv_field *f, const char *name, kt_err *err) {
    return f->len ? KT_OK : kt_fail(err, KT_EINVAL, name, "required, empty here");
}

enum { G_RECEIPT, G_STORE, G_TIME, G_CARD, G_KIND, G_TOTAL, G_N };
enum { L_RECEIPT, L_STORE, L_SKU, L_QTY, L_AMOUNT, L_N };

static kt_rc generic_receipts(job *j, const char *path, kt_err *err) {
    static const char *const names[G_N] = {"receipt", "store", "time", "card", "kind", "total"};
    static const bool req[G_N] = {true, true, true, false, true, true};
    int idx[G_N];
    kt_csv *c;
    kt_rc rc = kt_csv_open(path, ',', &c, err);
    if (rc) return rc;
    rc = columns(c, names, req, idx, G_N, err);
    const kt_csv_field *f;
    size_t nf;
    while (!rc && !(rc = kt_csv_next(c, &f, &nf, err)) && nf) {
        const kt_csv_field *kind = FIELD(G_KIND);
        kt_cols_receipt_row row = {0};
        int64_t total = 0;
        size_t klen;
        uint32_t seen;
        kt_rc r = need(FIELD(G_RECEIPT), "receipt", err);
        if (!r) r = need(FIELD(G_STORE), "store", err);
        if (!r) r = parse_local(j, FIELD(G_TIME), &row.day, &row.minute, err);
        if (!r) r = kt_parse_money(FIELD(G_TOTAL)->s, FIELD(G_TOTAL)->len, &total, err, "total");
        if (!r && total < 0) r = kt_fail(err, KT_EINVAL, "total", "negative (a return is kind=return with a positive total)");
        if (!r && strcmp(kind->s, "sale") && strcmp(kind->s, "return"))
            r = kt_fail(err, KT_EINVAL, "kind", "want sale or return");
        const char *key = make_key(j, FIELD(G_STORE), FIELD(G_RECEIPT), &klen);
        if (!r && kt_strmap_get(j->keys, key, klen, &seen))
            r = kt_fail(err, KT_EINVAL, "receipt", "the store's receipt \"%s\" appears twice", FIELD(G_RECEIPT)->s);
        if (!r) r = resolve(j, j->stores, KT_Q_STORE_BY_CODE, KT_DICT_STORE, &j->res->new_stores, FIELD(G_STORE), &row.store, err);
        if (!r) r = resolve_card(j, FIELD(G_CARD), &row.member, err);
        if (r) { rc = row_failed(j, c, r, err); continue; }
        if (kind->s[0] == 'r') { row.flags = KT_COLS_RETURN; total = -total; }
        row.amount = total;
        rinfo *ri = new_receipt(j, key, klen);
        row.receipt = ri->receipt;
        *ri = (rinfo){row.receipt, row.member, row.store, row.day, row.minute, row.flags, total};
        rc = kt_cols_writer_receipt(j->w, &row, err);
    }
    kt_csv_close(c);
    return rc;
}

static kt_rc generic_lines(job *j, const char *path, kt_err *err) {
    static const char *const names[L_N] = {"receipt", "store", "sku", "qty", "amount"};
    static const bool req[L_N] = {true, true, true, true, true};
    int idx[L_N];
    kt_csv *c;
    kt_rc rc = kt_csv_open(path, ',', &c, err);
    if (rc) return rc;
    rc = columns(c, names, req, idx, L_N, err);
    const kt_csv_field *f;
    size_t nf;
    while (!rc && !(rc = kt_csv_next(c, &f, &nf, err)) && nf) {
        kt_cols_line_row row = {0};
        size_t klen;
        uint32_t at = 0;
        const char *key = make_key(j, FIELD(L_STORE), FIELD(L_RECEIPT), &klen);
        kt_rc r = KT_OK;
        if (!kt_strmap_get(j->keys, key, klen, &at))
            r = kt_fail(err, KT_EINVAL, "receipt", "\"%s\" of store \"%s\" is not in receipts.csv (or was rejected)",
                        FIELD(L_RECEIPT)->s, FIELD(L_STORE)->s);
        if (!r) r = need(FIELD(L_SKU), "sku", err);
        if (!r) r = kt_cols_parse_qty(FIELD(L_QTY)->s, FIELD(L_QTY)->len, &row.qty_milli, err, "qty");
        if (!r) r = kt_parse_money(FIELD(L_AMOUNT)->s, FIELD(L_AMOUNT)->len, &row.amount, err, "amount");
        if (!r && (row.qty_milli <= 0 || row.amount < 0)) r = kt_fail(err, KT_EINVAL, row.qty_milli <= 0 ? "qty" : "amount", "must be positive");
        if (!r) r = resolve(j, j->skus, KT_Q_PRODUCT_BY_SKU, KT_DICT_SKU, &j->res->new_skus, FIELD(L_SKU), &row.sku, err);
        if (r) { rc = row_failed(j, c, r, err); continue; }
        const rinfo *ri = &j->rs[at];
        if (ri->flags & KT_COLS_RETURN) { row.qty_milli = -row.qty_milli; row.amount = -row.amount; }
        rc = write_line(j, ri, &row, err);
    }
    kt_csv_close(c);
    return rc;
}

enum { M_RECEIPT, M_MEMBER, M_CARD, M_STORE, M_TIME, M_SKU, M_QTY, M_AMOUNT, M_PRICE, M_N };

/* Money as the file writes it: decimal units, or minor units with money_minor. */
static kt_rc money(job *j, const kt_csv_field *f, int64_t *out, const char *column, kt_err *err) {
    if (!j->o->money_minor) return kt_parse_money(f->s, f->len, out, err, column);
    return kt_parse_i64(f->s, f->len, INT64_MIN / 1000, INT64_MAX / 1000, out, err, column);
}

static kt_rc mapped(job *j, kt_err *err) {
    const kt_cols_map *m = j->o->map;
    const char *names[M_N] = {m->receipt, m->member, m->card, m->store, m->time, m->sku, m->qty, m->amount, m->price};
    bool req[M_N];
    for (int i = 0; i < M_N; i++) req[i] = names[i] != NULL;
    int idx[M_N];
    kt_csv *c;
    kt_rc rc = kt_csv_open(j->o->path, ',', &c, err);
    if (rc) return rc;
    rc = columns(c, names, req, idx, M_N, err);
    const kt_csv_field *f;
    size_t nf;
    while (!rc && !(rc = kt_csv_next(c, &f, &nf, err)) && nf) {
        kt_cols_line_row row = {0};
        size_t klen;
        uint32_t at;
        int64_t price = 0;
        kt_rc r = need(FIELD(M_RECEIPT), "receipt", err);
        if (!r) r = need(FIELD(M_STORE), "store", err);
        if (!r) r = need(FIELD(M_SKU), "sku", err);
        if (!r) r = parse_local(j, FIELD(M_TIME), &row.day, &row.minute, err);
        if (!r) r = kt_cols_parse_qty(FIELD(M_QTY)->s, FIELD(M_QTY)->len, &row.qty_milli, err, m->qty);
        if (!r && m->amount) r = money(j, FIELD(M_AMOUNT), &row.amount, m->amount, err);
        if (!r && !m->amount) {
            r = money(j, FIELD(M_PRICE), &price, m->price, err);
            /* amount = qty x price, half up to the minor unit */
            int64_t t;
            if (!r && !kt_mul_i64(price, row.qty_milli, &t)) r = kt_fail(err, KT_EINVAL, m->price, "amount out of range");
            if (!r) row.amount = (t >= 0 ? t + 500 : t - 500) / 1000;
        }
        if (!r) r = resolve(j, j->stores, KT_Q_STORE_BY_CODE, KT_DICT_STORE, &j->res->new_stores, FIELD(M_STORE), &row.store, err);
        if (!r) r = resolve(j, j->skus, KT_Q_PRODUCT_BY_SKU, KT_DICT_SKU, &j->res->new_skus, FIELD(M_SKU), &row.sku, err);
        if (!r && m->member && FIELD(M_MEMBER)->len)
            r = resolve(j, j->members, KT_Q_MEMBER_BY_EXT, KT_DICT_MEMBER, &j->res->new_members, FIELD(M_MEMBER), &row.member, err);
        if (!r && m->card) r = resolve_card(j, FIELD(M_CARD), &row.member, err);
        if (r) { rc = row_failed(j, c, r, err); continue; }
        const char *key = make_key(j, FIELD(M_STORE), FIELD(M_RECEIPT), &klen);
        rinfo *ri;
        if (kt_strmap_get(j->keys, key, klen, &at)) ri = &j->rs[at];
        else {
            ri = new_receipt(j, key, klen);
            ri->member = row.member;
            ri->store = row.store;
            ri->day = row.day;
            ri->minute = row.minute;
        }
        if (!kt_add_i64(ri->amount, row.amount, &ri->amount)) { rc = at_row(c, kt_fail(err, KT_EINVAL, m->amount, "receipt total out of range"), err); break; }
        /* a line belongs where its receipt is: same member, store, day, minute */
        rc = write_line(j, ri, &row, err);
    }
    kt_csv_close(c);
    for (size_t i = 0; i < j->nrs && !rc; i++) {
        const rinfo *ri = &j->rs[i];
        kt_cols_receipt_row row = {ri->receipt, ri->member, ri->store, ri->day, ri->minute,
                                   ri->amount < 0 ? KT_COLS_RETURN : 0, ri->amount};
        rc = kt_cols_writer_receipt(j->w, &row, err);
    }
    return rc;
}

kt_rc kt_cols_import(kt_store *st, const kt_cols_import_opts *o, kt_cols_import_result *res, kt_err *err) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    *res = (kt_cols_import_result){0};
    bool serial = true;
    kt_rc frc = kt_cols_fast_import(st, o, res, &serial, err); /* clean generic files, in parallel */
    if (!serial) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        res->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        return frc;
    }
    *res = (kt_cols_import_result){0};
    job j = {.st = st, .o = o, .res = res};
    char fp[KT_COLS_FP_MAX];
    kt_rc rc = fingerprint(o, fp, err);
    if (!rc) rc = kt_cols_writer_open(o->data_dir, &j.w, err);
    if (rc) return rc;
    if (kt_cols_writer_imported(j.w, fp) && !o->again) {
        kt_cols_writer_abort(j.w);
        return kt_fail(err, KT_EEXIST, o->path, "these receipts were imported before (same content); --again imports them once more");
    }
    kt_cols_writer_record_import(j.w, fp);
    j.cards = kt_strmap_new();
    j.members = kt_strmap_new();
    j.stores = kt_strmap_new();
    j.skus = kt_strmap_new();
    j.keys = kt_strmap_new();
    if (o->map) rc = mapped(&j, err);
    else {
        char path[4096];
        snprintf(path, sizeof path, "%s/receipts.csv", o->path);
        rc = generic_receipts(&j, path, err);
        snprintf(path, sizeof path, "%s/receipt_lines.csv", o->path);
        if (!rc) rc = generic_lines(&j, path, err);
    }
    uint64_t receipts = 0, lines = 0;
    if (!rc) rc = kt_cols_writer_commit(j.w, &receipts, &lines, err);
    else kt_cols_writer_abort(j.w);
    res->receipts = receipts;
    res->lines = lines;
    kt_strmap_free(j.cards);
    kt_strmap_free(j.members);
    kt_strmap_free(j.stores);
    kt_strmap_free(j.skus);
    kt_strmap_free(j.keys);
    free(j.rs);
    free(j.keybuf);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    res->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return rc;
}
