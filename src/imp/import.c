/*
 * import.c - `karta import DIR`: the generic CSV chain into the operational
 * store, in one transaction (import.h).
 *
 * Each file is described by a file_spec: its columns (found by header name,
 * in any order) and a row function that validates one row and writes it
 * through the module that owns the table (catalog, members, ledger), so that
 * the importer, the CLI and the HTTP API apply the same rules. A row function
 * reports a fault with err->field = the column; import_file() adds
 * "FILE:LINE: " and either stops (rolling everything back) or, with
 * skip_bad, writes the row to the reject file and goes on. Row functions
 * check everything they can before their first write, so a rejected row
 * leaves nothing behind.
 *
 * External keys other files refer to (category and store codes, member ids)
 * live in keymaps: id when loaded, -(line) when rejected; member ids found in
 * the store (loaded by an earlier import) are cached with a flag.
 */
#include "import.h"
#include "keymap.h"
#include "catalog/catalog.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/text.h"
#include "ledger/ledger.h"
#include "members/members.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define IMPORT_COLS_MAX 16          /* columns of the widest file (members: 14) */
#define IMPORT_PROGRESS_ROWS 1024   /* rows between two looks at the clock */
#define IMPORT_REF_MAX 256          /* a trimmed reference to a member */

/* Member map values: the internal id in the low bits, and two flags. */
#define MEMBER_ID_MASK ((int64_t)0xFFFFFFFFFF)
#define MEMBER_PREEXISTING ((int64_t)1 << 40)     /* found in the store, not loaded now */
#define MEMBER_OPENING_CHECKED ((int64_t)1 << 41) /* had no opening balance before */

const char *const kt_import_file_names[KT_IMPORT_FILES] = {
    "categories.csv", "stores.csv", "products.csv", "members.csv", "cards.csv", "consents.csv", "balances.csv",
};

typedef struct import_ctx import_ctx;
typedef kt_rc (*row_fn)(import_ctx *x, const char *const *v, kt_err *err);

typedef struct file_spec {
    const char *cols[IMPORT_COLS_MAX]; /* NULL-terminated */
    uint32_t required;                 /* bit i: cols[i] must be in the header */
    row_fn row;
} file_spec;

struct import_ctx {
    kt_store *st;
    const kt_import_opts *o;
    kt_import_result *res;
    kt_keymap *categories, *stores, *members; /* code -> id, or -(line) if rejected */
    const char *file;                         /* the file being loaded */
    uint64_t line;                            /* the line of the row being loaded */
    FILE *rejects;
    char rejects_tmp[4096 + 8];
    struct timespec t0;
    char today[11];                           /* o->day as YYYY-MM-DD */
    int64_t opening_account;                  /* the "opening" counter-account, once looked up */
    int64_t opened_min, opened_max;           /* ids of the members opened by kt_ledger_open_new (0: none) */
};

static double since(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static bool blank(const char *s) { return !s || !*s; }

/* Quote s for a message (control bytes and bad UTF-8 as \xNN). */
static const char *q(const char *s, char out[KT_QUOTE_MAX]) {
    kt_text_quote(s, strlen(s), out, KT_QUOTE_MAX);
    return out;
}

/* A reference, trimmed of spaces as kt_member_set trims the key itself. */
static const char *trim_ref(const char *s, char out[IMPORT_REF_MAX]) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    if (n >= IMPORT_REF_MAX) n = IMPORT_REF_MAX - 1;
    memcpy(out, s, n);
    out[n] = 0;
    return out;
}

/* ---- references to rows of earlier files --------------------------------------- */

/* A code that an earlier file rejected: fail naming where. */
static kt_rc check_not_rejected(kt_keymap *map, const char *code, const char *what, const char *file,
                                const char *field, kt_err *err) {
    int64_t v;
    char qb[KT_QUOTE_MAX];
    if (!blank(code) && kt_keymap_get(map, code, strlen(code), &v) && v < 0)
        return kt_fail(err, KT_ENOTFOUND, field, "%s %s was rejected (%s:%lld)", what, q(code, qb), file,
                       (long long)-v);
    return KT_OK;
}

static kt_rc map_put(kt_keymap *map, const char *key, int64_t value, kt_err *err) {
    kt_rc rc = kt_keymap_put(map, key, strlen(key), value, NULL);
    if (rc == KT_ENOMEM) return kt_fail(err, KT_ENOMEM, "import", "out of memory for the key map");
    return KT_OK; /* KT_EEXIST: the first row keeps the key; KT_EINVAL: too long to be a key anyway */
}

/* Remember a rejected key so that rows referring to it say why. */
static void map_reject(import_ctx *x, kt_keymap *map, const char *key) {
    if (!blank(key)) kt_keymap_put(map, key, strlen(key), -(int64_t)x->line, NULL);
}

/* The internal id of member `ref` (a members.csv `member`), from this import
 * or from the store (an earlier import; a merged member is refused: its cards
 * and points belong to the survivor). *value, if not NULL, receives the map
 * value with its flags. */
static kt_rc member_ref(import_ctx *x, const char *raw, int64_t *id, int64_t *value, kt_err *err) {
    char rb[IMPORT_REF_MAX], qb[KT_QUOTE_MAX];
    const char *ref = trim_ref(raw, rb);
    size_t len = strlen(ref);
    int64_t v;
    if (!len) return kt_fail(err, KT_EINVAL, "member", "is required");
    if (kt_keymap_get(x->members, ref, len, &v)) {
        if (v < 0) return kt_fail(err, KT_ENOTFOUND, "member", "member %s was rejected (members.csv:%lld)", q(ref, qb),
                                  (long long)-v);
    } else {
        bool found;
        kt_val a[] = {KT_VS(ref)};
        kt_rc rc = kt_store_int(x->st, KT_Q_MEMBER_BY_EXT, a, 1, &v, &found, err);
        if (rc) return rc;
        if (!found) return kt_fail(err, KT_ENOTFOUND, "member", "no member %s", q(ref, qb));
        kt_member m;
        if ((rc = kt_member_load(x->st, v, &m, err))) return rc;
        if (strcmp(m.state, "active") != 0)
            return kt_fail(err, KT_ECONFLICT, "member", "member %s was merged into member #%lld", q(ref, qb),
                           (long long)m.merged_into);
        v |= MEMBER_PREEXISTING;
        if ((rc = map_put(x->members, ref, v, err))) return rc;
    }
    *id = v & MEMBER_ID_MASK;
    if (value) *value = v;
    return KT_OK;
}

/* ---- categories.csv: code,name,parent ----------------------------------------------- */

enum { CAT_CODE, CAT_NAME, CAT_PARENT };

static kt_rc row_category(import_ctx *x, const char *const *v, kt_err *err) {
    int64_t id;
    kt_rc rc = check_not_rejected(x->categories, v[CAT_PARENT], "category", "categories.csv", "parent", err);
    if (!rc) rc = kt_catalog_category_add(x->st, v[CAT_CODE], v[CAT_NAME], v[CAT_PARENT], &id, err);
    if (!rc) rc = map_put(x->categories, v[CAT_CODE], id, err);
    else if (rc != KT_EEXIST) map_reject(x, x->categories, v[CAT_CODE]); /* a duplicate: the first stands */
    return rc;
}

/* ---- stores.csv: code,name,city,region,timezone,partner,opened ---------------------- */

enum { STO_CODE, STO_NAME, STO_CITY, STO_REGION, STO_TIMEZONE, STO_PARTNER, STO_OPENED };

static kt_rc row_store(import_ctx *x, const char *const *v, kt_err *err) {
    kt_shop_def d = {.code = v[STO_CODE], .name = v[STO_NAME], .city = v[STO_CITY], .region = v[STO_REGION],
                     .timezone = v[STO_TIMEZONE], .partner = v[STO_PARTNER], .opened_day = KT_DAY_NONE};
    int64_t id;
    char qb[KT_QUOTE_MAX];
    kt_rc rc = KT_OK;
    if (!blank(v[STO_OPENED])) rc = kt_day_parse(v[STO_OPENED], strlen(v[STO_OPENED]), &d.opened_day, err, "opened");
    /* a duplicate is found before the partner is written */
    if (!rc && !blank(d.code) && kt_catalog_store_id(x->st, d.code, "code", &id, NULL) == KT_OK)
        rc = kt_fail(err, KT_EEXIST, "code", "store %s already exists", q(d.code, qb));
    if (!rc) rc = kt_catalog_store_add(x->st, &d, &id, err);
    if (!rc) rc = map_put(x->stores, d.code, id, err);
    else if (rc != KT_EEXIST) map_reject(x, x->stores, d.code);
    return rc;
}

/* ---- products.csv: sku,name,category,brand,supplier,price,unit,alcohol,tobacco ------ */

enum { PRO_SKU, PRO_NAME, PRO_CATEGORY, PRO_BRAND, PRO_SUPPLIER, PRO_PRICE, PRO_UNIT, PRO_ALCOHOL, PRO_TOBACCO };

static kt_rc flag(const char *s, bool *out, const char *field, kt_err *err) {
    *out = false;
    return blank(s) ? KT_OK : kt_parse_bool(s, strlen(s), out, err, field);
}

static kt_rc row_product(import_ctx *x, const char *const *v, kt_err *err) {
    kt_product_def d = {.sku = v[PRO_SKU], .name = v[PRO_NAME], .category = v[PRO_CATEGORY], .brand = v[PRO_BRAND],
                        .supplier = v[PRO_SUPPLIER], .unit = v[PRO_UNIT], .price_minor = -1};
    int64_t id;
    char qb[KT_QUOTE_MAX], mb[24];
    kt_rc rc = KT_OK;
    if (!blank(v[PRO_PRICE])) {
        rc = kt_parse_money(v[PRO_PRICE], strlen(v[PRO_PRICE]), &d.price_minor, err, "price");
        if (!rc && d.price_minor < 0) rc = kt_fail(err, KT_EINVAL, "price", "%s is negative", q(v[PRO_PRICE], qb));
        if (!rc && d.price_minor > KT_IMPORT_PRICE_MAX_MINOR) {
            kt_money_format(KT_IMPORT_PRICE_MAX_MINOR, mb);
            rc = kt_fail(err, KT_EINVAL, "price", "%s is absurd (more than %s)", q(v[PRO_PRICE], qb), mb);
        }
    }
    if (!rc) rc = flag(v[PRO_ALCOHOL], &d.alcohol, "alcohol", err);
    if (!rc) rc = flag(v[PRO_TOBACCO], &d.tobacco, "tobacco", err);
    if (!rc) rc = check_not_rejected(x->categories, d.category, "category", "categories.csv", "category", err);
    if (!rc && !blank(d.sku) && kt_catalog_product_id(x->st, d.sku, "sku", &id, NULL) == KT_OK)
        rc = kt_fail(err, KT_EEXIST, "sku", "product %s already exists", q(d.sku, qb));
    if (!rc) rc = kt_catalog_product_add(x->st, &d, &id, err);
    return rc;
}

/* ---- members.csv ---------------------------------------------------------------------- */

enum {
    MEM_MEMBER, MEM_NAME, MEM_SEX, MEM_BIRTH_DATE, MEM_CITY, MEM_REGION, MEM_FAMILY_STATUS, MEM_CHILDREN, MEM_CAR,
    MEM_PHONE, MEM_EMAIL, MEM_REGISTERED, MEM_REG_STORE, MEM_FAVOURITE_CATEGORY, MEM_COLS_
};

static const file_spec specs[KT_IMPORT_FILES]; /* members.csv's column names are kt_member_set's fields */

#define MEMBER_COLS (specs[3].cols)

static kt_rc row_member(import_ctx *x, const char *const *v, kt_err *err) {
    kt_member m;
    char qb[KT_QUOTE_MAX];
    kt_rc rc = KT_OK;
    kt_member_init(&m, x->o->day);
    for (int c = 0; c < MEM_COLS_ && !rc; c++)
        if (v[c][0] || c == MEM_REGISTERED) rc = kt_member_set(&m, MEMBER_COLS[c], v[c], MEMBER_COLS[c], err);
    if (rc) goto rejected;
    if (!m.ext_id[0]) {
        rc = kt_fail(err, KT_EINVAL, "member", "is required");
        goto rejected;
    }
    int64_t prev;
    if (kt_keymap_get(x->members, m.ext_id, strlen(m.ext_id), &prev))
        return prev < 0 ? kt_fail(err, KT_EEXIST, "member", "member %s was already rejected on line %lld", q(m.ext_id, qb),
                                  (long long)-prev)
                        : kt_fail(err, KT_EEXIST, "member", "member %s already exists", q(m.ext_id, qb));
    if ((rc = check_not_rejected(x->stores, m.reg_store, "store", "stores.csv", "reg_store", err)) ||
        (rc = check_not_rejected(x->categories, m.favourite_category, "category", "categories.csv",
                                 "favourite_category", err)))
        goto rejected;
    if ((rc = kt_member_insert(x->st, &m, "import", x->o->at, "import", err))) {
        if (rc == KT_EEXIST) return rc; /* in the store already: not ours to mark */
        goto rejected;
    }
    KT_ASSERT(m.id > 0 && m.id <= MEMBER_ID_MASK);
    return map_put(x->members, m.ext_id, m.id, err);
rejected:
    if (m.ext_id[0]) map_reject(x, x->members, m.ext_id);
    return rc;
}

/* ---- cards.csv: card,member,state,issued ------------------------------------------- */

enum { CARD_CARD, CARD_MEMBER, CARD_STATE, CARD_ISSUED };

static kt_rc row_card(import_ctx *x, const char *const *v, kt_err *err) {
    kt_card_state state = KT_CARD_ACTIVE;
    kt_day issued = KT_DAY_NONE;
    int64_t member;
    kt_rc rc = KT_OK;
    if (blank(v[CARD_CARD])) return kt_fail(err, KT_EINVAL, "card", "is required");
    if (!blank(v[CARD_STATE])) rc = kt_card_state_parse(v[CARD_STATE], &state, "state", err);
    if (!rc && !blank(v[CARD_ISSUED])) rc = kt_day_parse(v[CARD_ISSUED], strlen(v[CARD_ISSUED]), &issued, err, "issued");
    if (!rc) rc = member_ref(x, v[CARD_MEMBER], &member, NULL, err);
    if (!rc) rc = kt_card_add(x->st, member, v[CARD_CARD], state, issued, "import", x->o->at, "card", err);
    return rc;
}

/* ---- consents.csv: member,channel,granted,at,source -------------------------------- */

enum { CON_MEMBER, CON_CHANNEL, CON_GRANTED, CON_AT, CON_SOURCE };

static kt_rc row_consent(import_ctx *x, const char *const *v, kt_err *err) {
    const char *source = blank(v[CON_SOURCE]) ? "import" : v[CON_SOURCE];
    bool granted;
    kt_time at;
    int offset;
    int64_t member;
    char qb[KT_QUOTE_MAX];
    kt_rc rc = KT_OK;
    if (blank(v[CON_CHANNEL])) return kt_fail(err, KT_EINVAL, "channel", "is required");
    if ((rc = kt_consent_check(v[CON_CHANNEL], "import", "channel", err)) ||
        (rc = kt_consent_check("sms", source, "source", err)) ||
        (rc = kt_parse_bool(v[CON_GRANTED], strlen(v[CON_GRANTED]), &granted, err, "granted")))
        return rc;
    if (blank(v[CON_AT])) return kt_fail(err, KT_EINVAL, "at", "is required");
    if ((rc = kt_time_parse(v[CON_AT], strlen(v[CON_AT]), NULL, &at, &offset, err, "at"))) return rc;
    if ((rc = member_ref(x, v[CON_MEMBER], &member, NULL, err))) return rc;
    /* the same event twice is a duplicate key (and how a rerun shows) */
    bool found;
    int64_t one;
    kt_val a[] = {KT_VI(member), KT_VS(v[CON_CHANNEL]), KT_VI(at)};
    if ((rc = kt_store_int(x->st, KT_Q_IMPORT_CONSENT_EXISTS, a, KT_ARRAY_LEN(a), &one, &found, err))) return rc;
    if (found) {
        char rb[IMPORT_REF_MAX];
        return kt_fail(err, KT_EEXIST, "at", "member %s already has a consent event for %s at %s", q(trim_ref(v[CON_MEMBER], rb), qb),
                       v[CON_CHANNEL], v[CON_AT]);
    }
    return kt_consent_set(x->st, member, v[CON_CHANNEL], granted, source, at, err);
}

/* ---- balances.csv: member,points,expires ------------------------------------------- */

enum { BAL_MEMBER, BAL_POINTS, BAL_EXPIRES };

static kt_rc row_balance(import_ctx *x, const char *const *v, kt_err *err) {
    int64_t points, member, value;
    kt_day expires = KT_DAY_NONE;
    char qb[KT_QUOTE_MAX], rb[IMPORT_REF_MAX];
    const char *p = v[BAL_POINTS];
    kt_rc rc = kt_parse_i64(p, strlen(p), INT64_MIN, INT64_MAX, &points, err, "points");
    if (rc) return rc;
    if (points < 0) return kt_fail(err, KT_EINVAL, "points", "%s is negative (an opening balance cannot be a debt)", q(p, qb));
    if (points > KT_IMPORT_POINTS_MAX)
        return kt_fail(err, KT_EINVAL, "points", "%s is absurd (more than %d points)", q(p, qb), KT_IMPORT_POINTS_MAX);
    if (!blank(v[BAL_EXPIRES])) {
        if ((rc = kt_day_parse(v[BAL_EXPIRES], strlen(v[BAL_EXPIRES]), &expires, err, "expires"))) return rc;
        if (expires < x->o->day)
            return kt_fail(err, KT_EINVAL, "expires", "%s is before the import's day %s: those points have expired",
                           q(v[BAL_EXPIRES], qb), x->today);
    }
    if ((rc = member_ref(x, v[BAL_MEMBER], &member, &value, err))) return rc;
    if ((value & MEMBER_PREEXISTING) && !(value & MEMBER_OPENING_CHECKED)) {
        /* loaded by an earlier import: an opening balance from then is a rerun */
        bool found;
        int64_t one;
        kt_val a[] = {KT_VI(member)};
        if ((rc = kt_store_int(x->st, KT_Q_IMPORT_MEMBER_HAS_OPENING, a, 1, &one, &found, err))) return rc;
        if (found)
            return kt_fail(err, KT_EEXIST, "member", "member %s already has an opening balance",
                           q(trim_ref(v[BAL_MEMBER], rb), qb));
        const char *ref = trim_ref(v[BAL_MEMBER], rb);
        kt_keymap_set(x->members, ref, strlen(ref), value | MEMBER_OPENING_CHECKED);
    }
    if (points == 0) return KT_OK; /* nothing to open */
    kt_movement mv = {.kind = KT_TXN_OPENING, .at = x->o->at, .day = x->o->day, .actor = "import",
                      .reason = "opening balance"};
    if (value & MEMBER_PREEXISTING) /* may be in debt; checked at once */
        return kt_ledger_credit(x->st, &mv, (kt_member_id)member, points, "opening", x->o->day, expires, NULL, err);
    /* created by this import, so never in debt: the bulk path, all checked by kt_ledger_check_members before the commit */
    if (!x->opening_account && (rc = kt_ledger_account(x->st, "opening", &x->opening_account, err))) return rc;
    if ((rc = kt_ledger_open_new(x->st, &mv, (kt_member_id)member, x->opening_account, points, expires, err))) return rc;
    if (!x->opened_min || member < x->opened_min) x->opened_min = member;
    if (member > x->opened_max) x->opened_max = member;
    return KT_OK;
}

/* ---- the files ------------------------------------------------------------------------ */

#define REQ(i) (1u << (i))

static const file_spec specs[KT_IMPORT_FILES] = {
    {{"code", "name", "parent"}, REQ(CAT_CODE) | REQ(CAT_NAME), row_category},
    {{"code", "name", "city", "region", "timezone", "partner", "opened"}, REQ(STO_CODE) | REQ(STO_CITY) | REQ(STO_TIMEZONE),
     row_store},
    {{"sku", "name", "category", "brand", "supplier", "price", "unit", "alcohol", "tobacco"},
     REQ(PRO_SKU) | REQ(PRO_CATEGORY), row_product},
    {{"member", "name", "sex", "birth_date", "city", "region", "family_status", "children", "car", "phone", "email",
      "registered", "reg_store", "favourite_category"},
     REQ(MEM_MEMBER) | REQ(MEM_REGISTERED), row_member},
    {{"card", "member", "state", "issued"}, REQ(CARD_CARD) | REQ(CARD_MEMBER), row_card},
    {{"member", "channel", "granted", "at", "source"}, REQ(CON_MEMBER) | REQ(CON_CHANNEL) | REQ(CON_GRANTED) | REQ(CON_AT),
     row_consent},
    {{"member", "points", "expires"}, REQ(BAL_MEMBER) | REQ(BAL_POINTS), row_balance},
};


/* ---- errors and rejects ---------------------------------------------------------------- */

/* err->field "COLUMN" (or "") becomes "FILE:LINE: COLUMN" (or "FILE:LINE"). */
static void locate(const char *file, uint64_t line, kt_err *err) {
    char f[KT_ERR_FIELD_MAX];
    int n = err->field[0] ? snprintf(f, sizeof f, "%s:%llu: %s", file, (unsigned long long)line, err->field)
                          : snprintf(f, sizeof f, "%s:%llu", file, (unsigned long long)line);
    KT_ASSERT(n > 0); /* a column name is short; a cut one still reads */
    memcpy(err->field, f, sizeof f);
}

/* The CSV reader names the path it opened: keep the file's own name. */
static void relocate_csv(const char *file, kt_err *err) {
    const char *colon = strrchr(err->field, ':');
    char f[KT_ERR_FIELD_MAX];
    snprintf(f, sizeof f, "%s%s", file, colon ? colon : "");
    memcpy(err->field, f, sizeof f);
}

static void csv_put(FILE *f, const char *s, size_t len) {
    bool quote = false;
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        fwrite(s, 1, len, f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"') fputc('"', f);
        fputc(s[i], f);
    }
    fputc('"', f);
}

static kt_rc reject(import_ctx *x, const kt_err *why, const kt_csv_field *fields, size_t nfields, kt_err *err) {
    FILE *f = x->rejects;
    char line[24];
    int n = snprintf(line, sizeof line, "%llu", (unsigned long long)x->line);
    csv_put(f, x->file, strlen(x->file));
    fputc(',', f);
    fwrite(line, 1, (size_t)n, f);
    fputc(',', f);
    csv_put(f, why->field, strlen(why->field));
    fputc(',', f);
    csv_put(f, why->msg, strlen(why->msg));
    fputc(',', f);
    /* the raw record, written back as one CSV line and quoted as a whole */
    char *raw = NULL;
    size_t raw_len = 0;
    FILE *m = open_memstream(&raw, &raw_len);
    if (!m) return kt_fail(err, KT_ENOMEM, "import", "out of memory writing a reject");
    for (size_t k = 0; k < nfields; k++) {
        if (k) fputc(',', m);
        csv_put(m, fields[k].s, fields[k].len);
    }
    fclose(m);
    csv_put(f, raw, raw_len);
    free(raw);
    fputc('\n', f);
    if (ferror(f)) return kt_fail(err, KT_EIO, x->o->rejects_path ? x->o->rejects_path : "--rejects", "cannot write the reject file");
    return KT_OK;
}

/* fatal: no row boundary or no store state can be trusted after these */
static bool fatal(kt_rc rc) {
    return rc == KT_ESTORE || rc == KT_ENOMEM || rc == KT_EIO || rc == KT_EINTERNAL || rc == KT_EINVARIANT;
}

/* ---- one file ------------------------------------------------------------------------- */

static kt_rc read_header(import_ctx *x, const file_spec *fs, kt_csv *c, int col_of[IMPORT_COLS_MAX], size_t *width,
                         kt_err *err) {
    const kt_csv_field *f;
    size_t nf;
    char qb[KT_QUOTE_MAX];
    kt_rc rc = kt_csv_next(c, &f, &nf, err);
    if (rc) {
        relocate_csv(x->file, err);
        return rc;
    }
    if (nf == 0) return kt_fail(err, KT_EINVAL, x->file, "the file is empty: want a header row");
    char field[KT_ERR_FIELD_MAX];
    snprintf(field, sizeof field, "%s:%llu", x->file, (unsigned long long)kt_csv_line(c));
    for (int i = 0; i < IMPORT_COLS_MAX; i++) col_of[i] = -1;
    for (size_t k = 0; k < nf; k++) {
        int i = 0;
        while (fs->cols[i] && strcmp(fs->cols[i], f[k].s) != 0) i++;
        if (fs->cols[i] && col_of[i] >= 0) return kt_fail(err, KT_EINVAL, field, "column %s appears twice", fs->cols[i]);
        if (fs->cols[i]) col_of[i] = (int)k;
    }
    /* a renamed column is both missing and unknown: the missing one says more */
    for (int i = 0; fs->cols[i]; i++)
        if ((fs->required & REQ(i)) && col_of[i] < 0)
            return kt_fail(err, KT_EINVAL, field, "the required column %s is missing", fs->cols[i]);
    for (size_t k = 0; k < nf; k++) {
        int i = 0;
        while (fs->cols[i] && strcmp(fs->cols[i], f[k].s) != 0) i++;
        if (!fs->cols[i]) {
            char expected[512] = "";
            for (int j = 0; fs->cols[j]; j++) {
                strcat(expected, j ? ", " : "");
                strcat(expected, fs->cols[j]);
            }
            return kt_fail(err, KT_EINVAL, field, "unknown column %s (%s has: %s)", q(f[k].s, qb), x->file, expected);
        }
    }
    *width = nf;
    return KT_OK;
}

static void progress(import_ctx *x, kt_csv *c, const kt_import_file_stats *fst, uint64_t size, struct timespec *last) {
    double period = x->o->progress_seconds > 0 ? x->o->progress_seconds : 2.0;
    if (since(last) < period) return;
    clock_gettime(CLOCK_MONOTONIC, last);
    x->o->progress(x->o->progress_ctx, x->file, fst->rows, kt_csv_offset(c), size, since(&x->t0));
}

/* Spreadsheets save "Unicode text" as UTF-16: say so rather than "invalid UTF-8". */
static kt_rc check_not_utf16(import_ctx *x, const char *path, kt_err *err) {
    unsigned char bom[2];
    FILE *f = fopen(path, "rb");
    if (!f) return kt_fail(err, KT_EIO, x->file, "cannot open: %s", strerror(errno));
    size_t n = fread(bom, 1, 2, f);
    fclose(f);
    if (n == 2 && ((bom[0] == 0xFF && bom[1] == 0xFE) || (bom[0] == 0xFE && bom[1] == 0xFF)))
        return kt_fail(err, KT_EINVAL, x->file, "the file is UTF-16: save it as UTF-8");
    return KT_OK;
}

static kt_rc import_file(import_ctx *x, int which, kt_err *err) {
    const file_spec *fs = &specs[which];
    kt_import_file_stats *fst = &x->res->files[which];
    char path[4096 + 32];
    struct stat sb;
    struct timespec t0, last;
    kt_csv *c = NULL;
    int col_of[IMPORT_COLS_MAX];
    size_t width = 0;
    kt_rc rc;

    x->file = fst->file;
    x->line = 0;
    snprintf(path, sizeof path, "%s/%s", x->o->dir, fst->file);
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT) return KT_OK; /* files are optional */
        return kt_fail(err, KT_EIO, fst->file, "cannot read %s: %s", path, strerror(errno));
    }
    fst->present = true;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    last = t0;
    if ((rc = check_not_utf16(x, path, err))) return rc;
    if ((rc = kt_csv_open(path, ',', &c, err))) return rc;
    if ((rc = read_header(x, fs, c, col_of, &width, err))) goto done;
    for (;;) {
        const kt_csv_field *f;
        size_t nf;
        const char *v[IMPORT_COLS_MAX];
        kt_err why;
        if ((rc = kt_csv_next(c, &f, &nf, err))) {
            relocate_csv(x->file, err);
            goto done;
        }
        if (nf == 0) break;
        x->line = kt_csv_line(c);
        fst->rows++;
        kt_err_clear(&why);
        if (nf != width) {
            rc = kt_fail(&why, KT_EINVAL, "", "%zu fields, but the header has %zu", nf, width);
        } else {
            for (int i = 0; i < IMPORT_COLS_MAX; i++) v[i] = col_of[i] >= 0 ? f[col_of[i]].s : "";
            rc = fs->row(x, v, &why);
        }
        if (rc) {
            if (fatal(rc) || !x->o->skip_bad) {
                locate(x->file, x->line, &why);
                *err = why;
                goto done;
            }
            if ((rc = reject(x, &why, f, nf, err))) goto done;
            fst->rejected++;
        } else {
            fst->loaded++;
        }
        if (x->o->progress && fst->rows % IMPORT_PROGRESS_ROWS == 0) progress(x, c, fst, (uint64_t)sb.st_size, &last);
    }
    rc = KT_OK;
done:
    kt_csv_close(c);
    fst->seconds = since(&t0);
    return rc;
}

/* ---- the import ------------------------------------------------------------------------ */

static void default_rejects(const char *dir, char *out, size_t cap) {
    char real[PATH_MAX];
    if (realpath(dir, real)) {
        char *slash = strrchr(real, '/');
        if (slash && slash != real) *slash = 0;
        else strcpy(real, "");
        if (snprintf(out, cap, "%s/import-rejects.csv", real) < (int)cap) return;
    }
    if (snprintf(out, cap, "%s/../import-rejects.csv", dir) >= (int)cap) snprintf(out, cap, "import-rejects.csv");
}

static kt_rc open_rejects(import_ctx *x, kt_err *err) {
    kt_import_result *r = x->res;
    if (x->o->rejects_path) snprintf(r->rejects_path, sizeof r->rejects_path, "%s", x->o->rejects_path);
    else default_rejects(x->o->dir, r->rejects_path, sizeof r->rejects_path);
    snprintf(x->rejects_tmp, sizeof x->rejects_tmp, "%s.tmp", r->rejects_path);
    x->rejects = fopen(x->rejects_tmp, "w");
    if (!x->rejects) return kt_fail(err, KT_EIO, "--rejects", "cannot write %s: %s", x->rejects_tmp, strerror(errno));
    fputs("file,line,column,reason,raw\n", x->rejects);
    return KT_OK;
}

/* Before the commit: the reject file is complete and on disk under its name.
 * A crash between this and the commit leaves a reject file for an import
 * that did not land; the rerun rewrites it. */
static kt_rc finish_rejects(import_ctx *x, kt_err *err) {
    FILE *f = x->rejects;
    x->rejects = NULL;
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    if (ok && rename(x->rejects_tmp, x->res->rejects_path) == 0) return KT_OK;
    kt_rc rc = kt_fail(err, KT_EIO, "--rejects", "cannot write %s: %s", x->res->rejects_path, strerror(errno));
    unlink(x->rejects_tmp);
    return rc;
}

kt_rc kt_import_dir(kt_store *st, const kt_import_opts *o, kt_import_result *out, kt_err *err) {
    import_ctx x = {.st = st, .o = o, .res = out};
    struct stat sb;
    kt_rc rc = KT_OK;
    memset(out, 0, sizeof *out);
    clock_gettime(CLOCK_MONOTONIC, &x.t0);
    kt_day_format(o->day, x.today);
    for (int i = 0; i < KT_IMPORT_FILES; i++) out->files[i].file = kt_import_file_names[i];

    if (stat(o->dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return kt_fail(err, KT_ENOTFOUND, o->dir, "no such directory");
    int present = 0;
    char path[4096 + 32];
    for (int i = 0; i < KT_IMPORT_FILES; i++) {
        snprintf(path, sizeof path, "%s/%s", o->dir, kt_import_file_names[i]);
        present += stat(path, &sb) == 0;
    }
    static const char *const later[] = {"receipts.csv", "receipt_lines.csv"};
    for (size_t i = 0; i < KT_ARRAY_LEN(later); i++) {
        snprintf(path, sizeof path, "%s/%s", o->dir, later[i]);
        out->receipts_present |= stat(path, &sb) == 0;
    }
    if (!present)
        return kt_fail(err, KT_ENOTFOUND, o->dir, "holds none of categories.csv, stores.csv, products.csv, "
                       "members.csv, cards.csv, consents.csv, balances.csv");

    x.categories = kt_keymap_new();
    x.stores = kt_keymap_new();
    x.members = kt_keymap_new();
    if (!x.categories || !x.stores || !x.members) {
        rc = kt_fail(err, KT_ENOMEM, "import", "out of memory for the key maps");
        goto done;
    }
    if (o->skip_bad && (rc = open_rejects(&x, err))) goto done;
    if ((rc = kt_store_begin(st, err))) goto done;
    /* Into empty tables, indexes are built once at the end rather than row
     * by row (about 30% faster). Not deferred: the indexes the import itself
     * searches (consent_events and lots: the consent duplicate check and the
     * ledger's own invariant check; ledger_txns: the opening balance check). */
    static const char *const bulk_tables[] = {"members", "favourite_events", "cards", "card_events",
                                              "products", "ledger_entries", NULL};
    if ((rc = kt_store_bulk_begin(st, bulk_tables, NULL, err))) goto done;
    for (int i = 0; i < KT_IMPORT_FILES && !rc; i++) {
        rc = import_file(&x, i, err);
        out->rows += out->files[i].rows;
        out->loaded += out->files[i].loaded;
        out->rejected += out->files[i].rejected;
    }
    /* the member invariant of every member given an opening balance in bulk, at once */
    if (!rc && x.opened_max) rc = kt_ledger_check_members(st, (kt_member_id)x.opened_min, (kt_member_id)x.opened_max, err);
    if (!rc) {
        char real[PATH_MAX];
        const char *source = realpath(o->dir, real) ? real : o->dir;
        kt_val a[] = {KT_VS(source), KT_VI(o->at), KT_VI(out->loaded), KT_VI(out->rejected),
                      KT_VS(o->actor ? o->actor : "import")};
        rc = kt_store_exec(st, KT_Q_IMPORT_INSERT, a, KT_ARRAY_LEN(a), err);
    }
    if (!rc) rc = kt_store_bulk_end(st, err);
    bool rejects_written = false;
    if (!rc && x.rejects) rejects_written = (rc = finish_rejects(&x, err)) == KT_OK;
    if (!rc) rc = kt_store_commit(st, err);
    if (rc && rejects_written) unlink(out->rejects_path); /* they explain an import that did not land */
done:
    if (kt_store_in_txn(st)) kt_store_rollback(st);
    if (x.rejects) {
        fclose(x.rejects);
        unlink(x.rejects_tmp);
    }
    if (x.members) out->member_map_bytes = kt_keymap_bytes(x.members);
    kt_keymap_free(x.categories);
    kt_keymap_free(x.stores);
    kt_keymap_free(x.members);
    out->seconds = since(&x.t0);
    return rc;
}
