/*
 * rfm.c - A1 RFM (rfm.h): a parallel scan of the receipt headers through the
 * analysis context into per-member accumulators (one array per thread,
 * merged), then quintile or threshold scores and the first matching segment;
 * the JSON configuration of scores and segments; segment sizes and the
 * migration matrix.
 */
#include "analytics/rfm.h"
#include "core/text.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const kt_rfm_segment kt_rfm_segments[] = {
    /* name                  R     F     M   (first match wins) */
    {"Champions", 4, 5, 4, 5, 4, 5},
    {"Loyal", 3, 5, 3, 5, 1, 5},
    {"Potential loyalist", 4, 5, 2, 2, 1, 5},
    {"New", 5, 5, 1, 1, 1, 5},
    {"Promising", 4, 4, 1, 1, 1, 5},
    {"Need attention", 3, 3, 2, 2, 1, 5},
    {"About to sleep", 3, 3, 1, 1, 1, 5},
    {"At risk", 2, 2, 2, 5, 1, 5},
    {"Can't lose", 1, 1, 4, 5, 1, 5},
    {"Hibernating", 1, 1, 2, 3, 1, 5},
    {"Lost", 1, 5, 1, 5, 1, 5},
};
const size_t kt_rfm_segment_count = KT_ARRAY_LEN(kt_rfm_segments);
_Static_assert(KT_ARRAY_LEN(kt_rfm_segments) <= KT_RFM_SEGMENTS_MAX, "the built-in list fits the limit");

static bool holds(const kt_rfm_segment *s, uint8_t r, uint8_t f, uint8_t m) {
    return r >= s->r_min && r <= s->r_max && f >= s->f_min && f <= s->f_max && m >= s->m_min && m <= s->m_max;
}

uint8_t kt_rfm_segment_of(const kt_rfm_config *cfg, uint8_t r, uint8_t f, uint8_t m) {
    for (size_t i = 0; i < cfg->nsegments; i++)
        if (holds(&cfg->segments[i], r, f, m)) return (uint8_t)i;
    KT_ASSERT(!"a configured list holds every score");
    return 0;
}

/* ---- configuration ----------------------------------------------------------- */
void kt_rfm_config_default(kt_rfm_config *c) {
    *c = (kt_rfm_config){.segments = kt_rfm_segments, .nsegments = kt_rfm_segment_count};
}

void kt_rfm_config_free(kt_rfm_config *c) {
    free(c->owned);
    free(c->names);
    kt_rfm_config_default(c);
}

static const char *const score_key[3] = {"recency_days", "frequency", "monetary"};

static kt_rc parse_break(json_t *v, int dim, const char *path, int64_t *out, kt_err *err) {
    if (dim == KT_RFM_M) {
        if (json_is_string(v)) {
            kt_err e2 = {0};
            if (kt_parse_money(json_string_value(v), json_string_length(v), out, &e2, path))
                return kt_fail(err, KT_EINVAL, path, "want an amount in decimal units (2500.50): %s", e2.msg);
        } else if (json_is_integer(v)) {
            if (!kt_mul_i64(json_integer_value(v), 100, out))
                return kt_fail(err, KT_EINVAL, path, "amount out of range");
        } else if (json_is_real(v)) {
            double x = json_real_value(v) * 100.0;
            if (!(fabs(x) < 9e15)) return kt_fail(err, KT_EINVAL, path, "amount out of range");
            *out = llround(x);
            if (fabs(x - (double)*out) > 1e-6)
                return kt_fail(err, KT_EINVAL, path, "an amount has at most two decimals");
        } else return kt_fail(err, KT_EINVAL, path, "want an amount in decimal units (a number or a string)");
        if (*out < 0) return kt_fail(err, KT_EINVAL, path, "must not be negative");
        return KT_OK;
    }
    if (!json_is_integer(v)) return kt_fail(err, KT_EINVAL, path, "want a whole number");
    *out = json_integer_value(v);
    if (*out < 0 || *out > INT32_MAX) return kt_fail(err, KT_EINVAL, path, "must be between 0 and %d", INT32_MAX);
    return KT_OK;
}

static kt_rc parse_scores(json_t *scores, kt_rfm_config *c, kt_err *err) {
    char path[KT_ERR_FIELD_MAX];
    if (!json_is_object(scores)) return kt_fail(err, KT_EINVAL, "$.scores", "want an object");
    const char *key;
    json_t *v;
    json_object_foreach(scores, key, v) {
        int dim = -1;
        for (int d = 0; d < 3; d++)
            if (!strcmp(key, score_key[d])) dim = d;
        snprintf(path, sizeof path, "$.scores.%.60s", key);
        if (dim < 0) return kt_fail(err, KT_EINVAL, path, "unknown key (recency_days, frequency, monetary)");
        if (!json_is_array(v) || json_array_size(v) != 4)
            return kt_fail(err, KT_EINVAL, path, "want four ascending thresholds [b1, b2, b3, b4]");
        for (size_t i = 0; i < 4; i++) {
            snprintf(path, sizeof path, "$.scores.%s[%zu]", score_key[dim], i);
            kt_rc rc = parse_break(json_array_get(v, i), dim, path, &c->breaks[dim][i], err);
            if (rc) return rc;
            if (i && c->breaks[dim][i] <= c->breaks[dim][i - 1])
                return kt_fail(err, KT_EINVAL, path, "thresholds must be strictly ascending");
        }
        c->has_breaks[dim] = true;
    }
    return KT_OK;
}

static kt_rc parse_range(json_t *seg, const char *key, size_t i, uint8_t *lo, uint8_t *hi, kt_err *err) {
    char path[KT_ERR_FIELD_MAX];
    snprintf(path, sizeof path, "$.segments[%zu].%s", i, key);
    json_t *v = json_object_get(seg, key);
    *lo = 1;
    *hi = 5;
    if (!v) return KT_OK;
    if (!json_is_array(v) || json_array_size(v) != 2)
        return kt_fail(err, KT_EINVAL, path, "want a score range [min, max] within 1..5");
    int64_t b[2];
    for (size_t k = 0; k < 2; k++) {
        json_t *x = json_array_get(v, k);
        snprintf(path, sizeof path, "$.segments[%zu].%s[%zu]", i, key, k);
        if (!json_is_integer(x) || json_integer_value(x) < 1 || json_integer_value(x) > 5)
            return kt_fail(err, KT_EINVAL, path, "want a score 1..5");
        b[k] = json_integer_value(x);
    }
    if (b[0] > b[1]) return kt_fail(err, KT_EINVAL, path, "max is below min");
    *lo = (uint8_t)b[0];
    *hi = (uint8_t)b[1];
    return KT_OK;
}

static kt_rc parse_segments(json_t *list, kt_rfm_config *c, kt_err *err) {
    char path[KT_ERR_FIELD_MAX];
    size_t n = json_is_array(list) ? json_array_size(list) : 0;
    if (!json_is_array(list) || n == 0)
        return kt_fail(err, KT_EINVAL, "$.segments", "want a non-empty array of segments");
    if (n > KT_RFM_SEGMENTS_MAX)
        return kt_fail(err, KT_EINVAL, "$.segments", "at most %d segments", KT_RFM_SEGMENTS_MAX);
    c->owned = kt_xcalloc(n, sizeof *c->owned);
    c->names = kt_xcalloc(n, KT_RFM_SEGMENT_NAME_MAX);
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(list, i);
        snprintf(path, sizeof path, "$.segments[%zu]", i);
        if (!json_is_object(s)) return kt_fail(err, KT_EINVAL, path, "want an object {\"name\": ..., \"r\": [min, max], ...}");
        const char *key;
        json_t *v;
        json_object_foreach(s, key, v) {
            if (strcmp(key, "name") && strcmp(key, "r") && strcmp(key, "f") && strcmp(key, "m")) {
                snprintf(path, sizeof path, "$.segments[%zu].%.60s", i, key);
                return kt_fail(err, KT_EINVAL, path, "unknown key (name, r, f, m)");
            }
        }
        json_t *name = json_object_get(s, "name");
        snprintf(path, sizeof path, "$.segments[%zu].name", i);
        if (!json_is_string(name) || json_string_length(name) == 0)
            return kt_fail(err, KT_EINVAL, path, "want a non-empty name");
        size_t len = json_string_length(name);
        if (len >= KT_RFM_SEGMENT_NAME_MAX || memchr(json_string_value(name), 0, len))
            return kt_fail(err, KT_EINVAL, path, "a name has at most %d bytes and no NUL", KT_RFM_SEGMENT_NAME_MAX - 1);
        char *dst = c->names + i * KT_RFM_SEGMENT_NAME_MAX;
        memcpy(dst, json_string_value(name), len);
        for (size_t k = 0; k < i; k++)
            if (!strcmp(c->owned[k].name, dst)) return kt_fail(err, KT_EINVAL, path, "\"%s\" appears twice", dst);
        kt_rfm_segment *g = &c->owned[i];
        g->name = dst;
        kt_rc rc = parse_range(s, "r", i, &g->r_min, &g->r_max, err);
        if (!rc) rc = parse_range(s, "f", i, &g->f_min, &g->f_max, err);
        if (!rc) rc = parse_range(s, "m", i, &g->m_min, &g->m_max, err);
        if (rc) return rc;
    }
    c->segments = c->owned;
    c->nsegments = n;
    for (uint8_t r = 1; r <= 5; r++)
        for (uint8_t f = 1; f <= 5; f++)
            for (uint8_t m = 1; m <= 5; m++) {
                bool any = false;
                for (size_t i = 0; i < n && !any; i++) any = holds(&c->owned[i], r, f, m);
                if (!any)
                    return kt_fail(err, KT_EINVAL, "$.segments",
                                   "no segment holds R %u, F %u, M %u: every score must match one (end with a "
                                   "segment that holds all, e.g. {\"name\": \"Other\"})", r, f, m);
            }
    return KT_OK;
}

kt_rc kt_rfm_config_parse(const char *json, size_t len, kt_rfm_config *out, kt_err *err) {
    kt_rfm_config_default(out);
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) return kt_fail(err, KT_EINVAL, "$", "not JSON: line %d, column %d: %s", je.line, je.column, je.text);
    kt_rc rc = KT_OK;
    if (!json_is_object(root)) rc = kt_fail(err, KT_EINVAL, "$", "want an object {\"scores\": ..., \"segments\": [...]}");
    const char *key;
    json_t *v;
    if (!rc) json_object_foreach(root, key, v) {
        if (!strcmp(key, "scores")) rc = parse_scores(v, out, err);
        else if (!strcmp(key, "segments")) rc = parse_segments(v, out, err);
        else if (strcmp(key, "comment")) {
            char path[KT_ERR_FIELD_MAX];
            snprintf(path, sizeof path, "$.%.60s", key);
            rc = kt_fail(err, KT_EINVAL, path, "unknown key (scores, segments, comment)");
        }
        if (rc) break;
    }
    json_decref(root);
    if (rc) kt_rfm_config_free(out);
    return rc;
}

/* A configuration file is read whole; this caps it (a list of 64 segments is a few kB). */
#define RFM_CONFIG_BYTES_MAX (1u << 20)

kt_rc kt_rfm_config_load(const char *path, kt_rfm_config *out, kt_err *err) {
    kt_rfm_config_default(out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return kt_fail(err, errno == ENOENT ? KT_ENOTFOUND : KT_EIO, path, "cannot open the configuration file: %s",
                       strerror(errno));
    char *buf = kt_xmalloc(RFM_CONFIG_BYTES_MAX + 1);
    size_t n = fread(buf, 1, RFM_CONFIG_BYTES_MAX + 1, f);
    bool bad = ferror(f);
    fclose(f);
    kt_rc rc;
    if (bad) rc = kt_fail(err, KT_EIO, path, "cannot read the configuration file");
    else if (n > RFM_CONFIG_BYTES_MAX) rc = kt_fail(err, KT_EINVAL, path, "larger than %u bytes", RFM_CONFIG_BYTES_MAX);
    else rc = kt_rfm_config_parse(buf, n, out, err);
    free(buf);
    return rc;
}

/* ---- scores -------------------------------------------------------------------- */
typedef struct ranked { int64_t key; size_t idx; } ranked;

static int by_key(const void *a, const void *b) {
    const ranked *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Scores of a key order: walking KEYS (sorted, low 32 bits the row) the
 * score of a run of equal keys is that of its first position. */
static void score_sorted(const uint64_t *keys, size_t n, uint8_t *scores) {
    uint8_t score = 1;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || keys[i] >> 32 != keys[i - 1] >> 32) score = (uint8_t)((uint64_t)i * 5 / n + 1);
        scores[(uint32_t)keys[i]] = score;
    }
}

void kt_rfm_score(const int64_t *values, size_t n, bool higher_is_better, uint8_t *scores) {
    if (!n) return;
    /* key = value or -value (worst first), taken modulo 2^64 from the lowest */
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = (higher_is_better ? (uint64_t)values[i] : -(uint64_t)values[i]) ^ ((uint64_t)1 << 63);
        if (k < lo) lo = k;
        if (k > hi) hi = k;
    }
    if (n <= UINT32_MAX && (hi - lo < ((uint64_t)1 << 16) || hi - lo <= n / 2)) {
        /* A small range (days, counts): no sort. The score of a value is that
         * of the first position of its run, the number of smaller values. */
        size_t range = (size_t)(hi - lo) + 1;
        uint32_t *first = kt_xcalloc(range, sizeof *first);
        for (size_t i = 0; i < n; i++)
            first[((higher_is_better ? (uint64_t)values[i] : -(uint64_t)values[i]) ^ ((uint64_t)1 << 63)) - lo]++;
        uint64_t at = 0;
        for (size_t k = 0; k < range; k++) {
            uint32_t c = first[k];
            first[k] = (uint32_t)(at * 5 / n + 1); /* the score of key k */
            at += c;
        }
        for (size_t i = 0; i < n; i++)
            scores[i] = (uint8_t)first[((higher_is_better ? (uint64_t)values[i] : -(uint64_t)values[i]) ^ ((uint64_t)1 << 63)) - lo];
        free(first);
        return;
    }
    if (hi - lo >= ((uint64_t)1 << 32) || n > UINT32_MAX) {
        ranked *r = kt_xmalloc(n * sizeof *r);
        for (size_t i = 0; i < n; i++) r[i] = (ranked){higher_is_better ? values[i] : -values[i], i};
        qsort(r, n, sizeof *r, by_key); /* worst first */
        uint8_t score = 1;
        for (size_t i = 0; i < n; i++) {
            if (i == 0 || r[i].key != r[i - 1].key) score = (uint8_t)((uint64_t)i * 5 / n + 1);
            scores[r[i].idx] = score;
        }
        free(r);
        return;
    }
    /* A range below 2^32: (key - lo) << 32 | row, radix-sorted on the key's
     * bits only, 11 bits a pass (stable; one to three passes). */
    uint64_t *a = kt_actx_zalloc(n, sizeof *a), *b = kt_actx_zalloc(n, sizeof *b);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = (higher_is_better ? (uint64_t)values[i] : -(uint64_t)values[i]) ^ ((uint64_t)1 << 63);
        a[i] = (k - lo) << 32 | (uint64_t)i;
    }
    int bits = hi == lo ? 0 : 64 - __builtin_clzll(hi - lo);
    size_t count[2048];
    for (int shift = 32; shift < 32 + bits; shift += 11) {
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++) count[(a[i] >> shift) & 2047]++;
        size_t sum = 0;
        for (size_t d = 0; d < 2048; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) b[count[(a[i] >> shift) & 2047]++] = a[i];
        uint64_t *t = a;
        a = b;
        b = t;
    }
    score_sorted(a, n, scores);
    free(a);
    free(b);
}

void kt_rfm_score_breaks(const int64_t *values, size_t n, const int64_t breaks[4], bool higher_is_better,
                         uint8_t *scores) {
    for (size_t i = 0; i < n; i++) {
        uint8_t s = 1;
        if (higher_is_better) {
            for (int k = 0; k < 4; k++) s += values[i] >= breaks[k];
        } else {
            s = 5;
            for (int k = 0; k < 4; k++) s -= values[i] > breaks[k];
        }
        scores[i] = s;
    }
}

/* ---- scan ------------------------------------------------------------------------ */
typedef struct acc {
    int32_t first, last;       /* sale days */
    uint32_t frequency;
    uint32_t overflow;         /* sticky: money did not fit */
    int64_t monetary, max_receipt;
} acc;

typedef struct shared {
    const kt_afilter *filter;
    uint32_t member_slots, store_slots;
} shared;

typedef struct state {
    const shared *sh;
    acc *acc;
} state;

/* The hot loop: one range of receipt headers into one thread's accumulators. */
static void scan_range(void *arg, const kt_cols_receipts *seg, size_t begin, size_t end) {
    state *st = arg;
    const kt_afilter *f = st->sh->filter;
    uint32_t mslots = st->sh->member_slots, sslots = st->sh->store_slots;
    acc *a = st->acc;
    const uint32_t *member = seg->member;
    for (size_t i = begin; i < end; i++) {
        /* members come in no order: fetch the accumulator a few rows ahead */
        if (i + KT_AMEMBER_PREFETCH < end) __builtin_prefetch(&a[kt_actx_index_of(mslots, member[i + KT_AMEMBER_PREFETCH])], 1);
        uint32_t m = member[i];
        if (m == 0 || seg->day[i] < f->from || seg->day[i] > f->to) continue;
        if (f->store_ok && !f->store_ok[kt_actx_index_of(sslots, seg->store[i])]) continue;
        acc *x = &a[kt_actx_index_of(mslots, m)];
        int32_t day = seg->day[i];
        int64_t amount = seg->amount[i];
        if (__builtin_add_overflow(x->monetary, amount, &x->monetary)) x->overflow = 1;
        if (seg->flags[i] & KT_COLS_RETURN) continue;
        if (x->frequency == 0 || day < x->first) x->first = day;
        if (x->frequency == 0 || day > x->last) x->last = day;
        if (x->frequency == 0 || amount > x->max_receipt) x->max_receipt = amount;
        x->frequency++;
    }
}

static int64_t round_div(int64_t a, int64_t b) {
    int64_t q = a / b, r = a % b;
    if (2 * (r < 0 ? -r : r) >= b) q += a < 0 ? -1 : 1;
    return q;
}

static void merge(acc *a, const acc *b, size_t slots) {
    for (size_t i = 0; i < slots; i++) {
        if (b[i].frequency == 0 && b[i].monetary == 0 && !b[i].overflow) continue;
        acc *x = &a[i];
        if (__builtin_add_overflow(x->monetary, b[i].monetary, &x->monetary)) x->overflow = 1;
        x->overflow |= b[i].overflow;
        if (!b[i].frequency) continue;
        if (!x->frequency || b[i].first < x->first) x->first = b[i].first;
        if (!x->frequency || b[i].last > x->last) x->last = b[i].last;
        if (!x->frequency || b[i].max_receipt > x->max_receipt) x->max_receipt = b[i].max_receipt;
        x->frequency += b[i].frequency;
    }
}

static void score_dim(const kt_rfm_config *cfg, int dim, const int64_t *v, size_t n, bool higher, uint8_t *sc) {
    if (cfg->has_breaks[dim]) kt_rfm_score_breaks(v, n, cfg->breaks[dim], higher, sc);
    else kt_rfm_score(v, n, higher, sc);
}

kt_rc kt_rfm_run(kt_actx *a, const kt_afilter *f, const kt_rfm_config *cfg, int threads, kt_rfm_result *out,
                 kt_err *err) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    *out = (kt_rfm_result){.as_of = f->to};
    threads = kt_actx_member_threads(a, threads > KT_ACTX_THREADS_MAX ? KT_ACTX_THREADS_MAX : threads);
    shared sh = {f, kt_actx_op_slots(a, KT_ADIM_MEMBER), kt_actx_op_slots(a, KT_ADIM_STORE)};
    size_t slots = kt_actx_count(a, KT_ADIM_MEMBER);
    state st[KT_ACTX_THREADS_MAX];
    void *states[KT_ACTX_THREADS_MAX];
    for (int t = 0; t < threads; t++) {
        st[t] = (state){&sh, kt_actx_zalloc(slots, sizeof(acc))};
        states[t] = &st[t];
    }
    out->memory_bytes = (size_t)threads * slots * sizeof(acc);
    out->receipts_scanned = kt_actx_receipt_rows(a);
    unsigned cols = KT_ASCAN_COL(KT_COLS_R_MEMBER) | KT_ASCAN_COL(KT_COLS_R_DAY) | KT_ASCAN_COL(KT_COLS_R_FLAGS) | KT_ASCAN_COL(KT_COLS_R_AMOUNT) | (f->store_ok ? KT_ASCAN_COL(KT_COLS_R_STORE) : 0u);
    kt_rc rc = kt_actx_scan_receipts_cols(a, threads, cols, scan_range, states, err);
    if (rc) goto done;
    acc *x = st[0].acc;
    for (int t = 1; t < threads; t++) merge(x, st[t].acc, slots);
    size_t n = 0;
    for (size_t i = 1; i < slots; i++) {
        if (x[i].overflow) { rc = kt_fail(err, KT_EINVAL, "monetary", "a member's sum of receipts overflows"); goto done; }
        n += x[i].frequency > 0;
    }
    out->rows = kt_actx_zalloc(n, sizeof *out->rows);
    for (size_t i = 1; i < slots; i++) {
        if (!x[i].frequency) continue;
        kt_rfm_row *r = &out->rows[out->n++];
        r->member = (uint32_t)i;
        r->frequency = x[i].frequency;
        r->monetary = x[i].monetary;
        r->max_receipt = x[i].max_receipt;
        r->avg_receipt = round_div(x[i].monetary, x[i].frequency);
        r->first_day = x[i].first;
        r->last_day = x[i].last;
        r->recency_days = out->as_of - x[i].last;
    }
    int64_t *v = kt_actx_zalloc(n, sizeof *v);
    uint8_t *sc = kt_actx_zalloc(n, 1);
    for (size_t i = 0; i < n; i++) v[i] = out->rows[i].recency_days;
    score_dim(cfg, KT_RFM_R, v, n, false, sc);
    for (size_t i = 0; i < n; i++) out->rows[i].r = sc[i];
    for (size_t i = 0; i < n; i++) v[i] = out->rows[i].frequency;
    score_dim(cfg, KT_RFM_F, v, n, true, sc);
    for (size_t i = 0; i < n; i++) out->rows[i].f = sc[i];
    for (size_t i = 0; i < n; i++) v[i] = out->rows[i].monetary;
    score_dim(cfg, KT_RFM_M, v, n, true, sc);
    uint8_t seg_of[125]; /* by (r - 1) * 25 + (f - 1) * 5 + m - 1 */
    for (uint8_t rs = 1; rs <= 5; rs++)
        for (uint8_t fs = 1; fs <= 5; fs++)
            for (uint8_t ms = 1; ms <= 5; ms++)
                seg_of[(rs - 1) * 25 + (fs - 1) * 5 + ms - 1] = kt_rfm_segment_of(cfg, rs, fs, ms);
    for (size_t i = 0; i < n; i++) {
        kt_rfm_row *r = &out->rows[i];
        r->m = sc[i];
        r->segment = seg_of[(r->r - 1) * 25 + (r->f - 1) * 5 + r->m - 1];
    }
    free(v);
    free(sc);
done:
    for (int t = 0; t < threads; t++) free(st[t].acc);
    if (rc) kt_rfm_free(out);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return rc;
}

void kt_rfm_free(kt_rfm_result *r) {
    free(r->rows);
    r->rows = NULL;
    r->n = 0;
}

/* ---- sizes and migration ------------------------------------------------------------- */
bool kt_rfm_sizes(const kt_rfm_result *r, const kt_rfm_config *cfg, uint64_t *members, kt_money *monetary) {
    memset(members, 0, cfg->nsegments * sizeof *members);
    memset(monetary, 0, cfg->nsegments * sizeof *monetary);
    bool ok = true;
    for (size_t i = 0; i < r->n; i++) {
        members[r->rows[i].segment]++;
        if (!kt_add_i64(monetary[r->rows[i].segment], r->rows[i].monetary, &monetary[r->rows[i].segment])) ok = false;
    }
    return ok;
}

void kt_rfm_migration(const kt_rfm_result *from, const kt_rfm_result *to, size_t nsegments, uint64_t *counts) {
    size_t w = nsegments + 1, i = 0, j = 0;
    memset(counts, 0, w * w * sizeof *counts);
    while (i < from->n || j < to->n) {
        uint32_t a = i < from->n ? from->rows[i].member : UINT32_MAX, b = j < to->n ? to->rows[j].member : UINT32_MAX;
        if (a == b) counts[from->rows[i++].segment * w + to->rows[j++].segment]++;
        else if (a < b) counts[from->rows[i++].segment * w + nsegments]++;
        else counts[nsegments * w + to->rows[j++].segment]++;
    }
}
