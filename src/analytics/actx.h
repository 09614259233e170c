/*
 * actx.h - what every analysis shares: the opened columnar store (with the
 * checkout's receipts not yet folded into it, P12), the operational store's
 * dimensions (names, product hierarchy, brands, store regions, member
 * profiles), filters by day range, store and region, and a parallel scan of
 * receipt headers or lines a batch at a time.
 *
 * Indexes. Columnar ids (cols.h) are sparse across two ranges (operational
 * ids, dictionary ids with KT_COLS_FOREIGN). Each dimension maps them onto a
 * compact index 0..kt_actx_count()-1 that analyses use to size arrays:
 * operational ids first (index = id), then dictionary ids (index = op_slots +
 * entry). kt_actx_index is a branch and an add. Index 0 of members is "no
 * card": analyses of members skip it.
 *
 * A dictionary id whose external id names a product, store or member of the
 * operational store (imported after the history) resolves to that row's
 * category, brand, region or profile; otherwise it has no category (group
 * KT_ACTX_NONE), no brand, no region and no profile.
 *
 * Owns: the kt_cols handle, the delta of recent checkout receipts, the
 * dimension tables (loaded on first use; not thread-safe to load: call the
 * loading accessors before starting threads - kt_actx_scan does so for
 * nothing, so an analysis calls kt_actx_prepare first). Borrows: nothing.
 * Errors: those of kt_cols_open / kt_store_open; KT_EUSAGE for bad filters.
 */
#ifndef KT_ACTX_H
#define KT_ACTX_H
#include "core/kt.h"
#include "cols/cols.h"

struct kt_store;

#define KT_ACTX_NONE UINT32_MAX
#define KT_ACTX_THREADS_MAX 64

typedef enum { KT_ADIM_MEMBER = KT_DICT_MEMBER, KT_ADIM_STORE = KT_DICT_STORE, KT_ADIM_SKU = KT_DICT_SKU } kt_adim;

/* Product grouping levels. KT_ALEVEL_CATEGORY is the product's own category
 * (the lowest level); KT_ALEVEL_TOP its top-level ancestor. */
typedef enum { KT_ALEVEL_SKU, KT_ALEVEL_CATEGORY, KT_ALEVEL_TOP, KT_ALEVEL_BRAND } kt_alevel;

typedef struct kt_actx kt_actx;

/* Open DATA's columnar store and, if DATA/karta.db exists, the operational
 * store read-only. The receipts the checkout committed after the columns'
 * watermark are loaded as one more in-memory segment (P12). */
kt_rc kt_actx_open(const char *data_dir, kt_actx **out, kt_err *err);
void kt_actx_close(kt_actx *a);
struct kt_cols *kt_actx_cols(kt_actx *a);
/* NULL when there is no operational store. Opened on first use when the
 * caches in DATA/cache (actx.c) answered what opening reads. */
struct kt_store *kt_actx_store(kt_actx *a);
/* The operational store was opened (false: there is none, or the caches were enough). */
bool kt_actx_store_opened(const kt_actx *a);

/* ---- ids and names ---- */
size_t kt_actx_count(const kt_actx *a, kt_adim d);
uint32_t kt_actx_op_slots(const kt_actx *a, kt_adim d);
static inline uint32_t kt_actx_index_of(uint32_t op_slots, uint32_t cols_id) {
    return (cols_id & KT_COLS_FOREIGN) ? op_slots + (cols_id & ~KT_COLS_FOREIGN) : cols_id;
}
uint32_t kt_actx_index(const kt_actx *a, kt_adim d, uint32_t cols_id);
/* External id: member ext_id, else its first card, else the dictionary name,
 * else "#ID"; store code; product SKU. The pointer stays valid until close. */
const char *kt_actx_name(kt_actx *a, kt_adim d, uint32_t index);
/* Load every name of a dimension at once (one query), so that later
 * kt_actx_name calls are lookups. Call before printing many rows. */
kt_rc kt_actx_load_names(kt_actx *a, kt_adim d, kt_err *err);
/* Start that load on a thread of its own when it has to read the store (the
 * cache, if valid, is taken at once), so that it runs beside a scan; the next
 * kt_actx_load_names waits for it and gives its result. Until then the caller
 * must not name members, stores or SKUs nor use kt_actx_store (scans and the
 * other dimensions' loads are fine). */
void kt_actx_load_names_begin(kt_actx *a, kt_adim d);

/* ---- products ---- */
/* Load categories, brands and each SKU's groups (before threads start). */
kt_rc kt_actx_load_products(kt_actx *a, kt_err *err);
/* Group of a SKU index at a level (the SKU index itself at KT_ALEVEL_SKU), or
 * KT_ACTX_NONE (unknown product, no brand). */
uint32_t kt_actx_sku_group(const kt_actx *a, kt_alevel level, uint32_t sku_index);
size_t kt_actx_group_count(const kt_actx *a, kt_alevel level);
/* Category code, top category code, brand name, or the SKU's external id. */
const char *kt_actx_group_name(kt_actx *a, kt_alevel level, uint32_t group);
/* Display name of a category or product (name column), or NULL. */
const char *kt_actx_group_title(const kt_actx *a, kt_alevel level, uint32_t group);
/* Parent of a category group (KT_ALEVEL_CATEGORY numbering), KT_ACTX_NONE at the top. */
uint32_t kt_actx_category_parent(const kt_actx *a, uint32_t category);
/* "sku", "category", "top", "brand" -> level; KT_EUSAGE naming OPTION otherwise. */
kt_rc kt_actx_parse_level(const char *s, const char *option, kt_alevel *out, kt_err *err);

/* ---- stores and members ---- */
kt_rc kt_actx_load_stores(kt_actx *a, kt_err *err);
/* Store's region (else city), or NULL when unknown. */
const char *kt_actx_store_region(const kt_actx *a, uint32_t store_index);

typedef struct kt_actx_member {
    char sex;                 /* 'M', 'F' or 0 */
    kt_day birth_day;         /* KT_DAY_NONE if unknown */
    kt_day registered_day;    /* KT_DAY_NONE for members the operational store does not know */
    uint32_t reg_store;       /* store index or KT_ACTX_NONE */
    const char *city, *region; /* NULL if unknown */
    bool has_favourite;       /* a favourite category is chosen */
} kt_actx_member;
kt_rc kt_actx_load_members(kt_actx *a, kt_err *err);
/* Profile of a member index; NULL when the operational store does not know it. */
const kt_actx_member *kt_actx_member_profile(const kt_actx *a, uint32_t member_index);

/* ---- filters ---- */
typedef struct kt_afilter {
    kt_day from, to;          /* inclusive; from = INT32_MIN, to = the as-of day */
    const uint8_t *store_ok;  /* by store index; NULL: every store */
} kt_afilter;

/* Build a filter. Any argument may be NULL. as_of cuts `to`. stores is a
 * comma-separated list of store codes (an unknown one is KT_ENOTFOUND naming
 * --store); region matches a store's region or city exactly (none matching is
 * KT_ENOTFOUND naming --region). The store mask lives in the context. */
kt_rc kt_actx_filter(kt_actx *a, kt_day as_of, kt_day from, kt_day to, const char *stores, const char *region,
                     kt_afilter *out, kt_err *err);
/* Scans that add into an array by member (in no order) prefetch the entry of
 * the row this far ahead. */
#define KT_AMEMBER_PREFETCH 16

static inline bool kt_afilter_pass(const kt_afilter *f, uint32_t store_index, int32_t day) {
    return day >= f->from && day <= f->to && (!f->store_ok || f->store_ok[store_index]);
}

/* The last day with any receipt (KT_DAY_NONE for an empty store). */
kt_day kt_actx_last_day(kt_actx *a);

/* Zeroed memory for a large accumulator array (free with free()): from 256 kB
 * on, aligned to and advised for 2 MB pages, so that filling it faults once
 * per 2 MB instead of once per 4 kB page (a fault costs ~10 us or more on a
 * virtual machine: 64 of them already cost more than one huge page). */
void *kt_actx_zalloc(size_t n, size_t size);

/* ---- parallel scans ---- */
/* FN is called for contiguous row ranges [begin, end) of one segment, by
 * THREADS threads; STATES[t] is thread t's own state. Ranges are handed out
 * in no particular order: FN must only add into its own state. */
typedef void (*kt_ascan_lines_fn)(void *state, const kt_cols_lines *seg, size_t begin, size_t end);
typedef void (*kt_ascan_receipts_fn)(void *state, const kt_cols_receipts *seg, size_t begin, size_t end);
kt_rc kt_actx_scan_lines(kt_actx *a, int threads, kt_ascan_lines_fn fn, void *const *states, kt_err *err);
kt_rc kt_actx_scan_receipts(kt_actx *a, int threads, kt_ascan_receipts_fn fn, void *const *states, kt_err *err);
/* The same scans reading only the columns in COLS (a mask of 1 << KT_COLS_L_*
 * or KT_COLS_R_*, cols.h): each batch is read into the thread's own buffers
 * (no page faults), and SEG's other columns are NULL. FN indexes rows
 * [begin, end) as with the full scans. */
#define KT_ASCAN_COL(c) (1u << (c))
kt_rc kt_actx_scan_lines_cols(kt_actx *a, int threads, unsigned cols, kt_ascan_lines_fn fn, void *const *states,
                              kt_err *err);
kt_rc kt_actx_scan_receipts_cols(kt_actx *a, int threads, unsigned cols, kt_ascan_receipts_fn fn,
                                 void *const *states, kt_err *err);
/* The same, but the day column (in COLS) is not read from the segments whose
 * whole month lies within [F->from, F->to]: in their batches SEG->day is NULL
 * (every row passes F's days). For scans that read the day only to filter. */
/* The same (F may be NULL: every day read) over the segments that are not
 * compact and the checkout's receipts: for scans whose totals by receipt come from the receipts'
 * KT_COLS_R_UNITS and KT_COLS_R_LINES where the segment is compact (those
 * columns may be asked of any receipt scan: their view pointers are NULL in
 * the batches of other segments). */
kt_rc kt_actx_scan_wide_lines_days(kt_actx *a, int threads, unsigned cols, const kt_afilter *f, kt_ascan_lines_fn fn,
                                   void *const *states, kt_err *err);
kt_rc kt_actx_scan_lines_days(kt_actx *a, int threads, unsigned cols, const kt_afilter *f, kt_ascan_lines_fn fn,
                              void *const *states, kt_err *err);
kt_rc kt_actx_scan_receipts_days(kt_actx *a, int threads, unsigned cols, const kt_afilter *f,
                                 kt_ascan_receipts_fn fn, void *const *states, kt_err *err);
/* kt_actx_scan_lines_days / kt_actx_scan_receipts_days (F may be NULL) that
 * do not read the columns in DROP[seg] (a mask as COLS) of file segment seg:
 * their view pointers are NULL in its batches, and a segment left with none
 * of COLS is not scanned at all (its files not even opened). The checkout
 * delta is always scanned whole. For analyses that took those segments'
 * sums from their summaries (kt_cols_sku_summary, kt_cols_hour_summary). */
kt_rc kt_actx_scan_lines_drop(kt_actx *a, int threads, unsigned cols, const kt_afilter *f, const unsigned *drop,
                              kt_ascan_lines_fn fn, void *const *states, kt_err *err);
kt_rc kt_actx_scan_receipts_drop(kt_actx *a, int threads, unsigned cols, const kt_afilter *f, const unsigned *drop,
                                 kt_ascan_receipts_fn fn, void *const *states, kt_err *err);
/* Whether every day of file segment SEG's month lies within [FROM, TO]
 * (segments are named by their month and hold its days only). */
bool kt_actx_segment_within(const kt_actx *a, size_t seg, kt_day from, kt_day to);
/* Threads for a scan of receipt headers into per-thread arrays by member (at
 * most THREADS): one per KT_AMEMBER_ROWS_PER_THREAD receipts, at least one.
 * Below that, zeroing and merging one more array costs more than the share
 * of the scan it takes over (1.5 M receipts: one thread is as fast as two). */
#define KT_AMEMBER_ROWS_PER_THREAD 4000000
int kt_actx_member_threads(kt_actx *a, int threads);
/* Total rows (published segments plus the checkout delta). */
uint64_t kt_actx_line_rows(kt_actx *a);
uint64_t kt_actx_receipt_rows(kt_actx *a);

/* ---- the checkout delta (P12) ---- */
/* Receipts the checkout committed after the columns' op mark, as a segment
 * (receipt ids from kt_cols_next_receipt on, the ids a fold gives them); OP_MAX is the highest operational receipt id among them (0: none).
 * A SKU neither the catalogue nor the dictionary knows has a dictionary-style
 * id past the dictionary's end: kt_actx_delta_sku names it (NULL otherwise). */
void kt_actx_delta(kt_actx *a, kt_cols_receipts *r, kt_cols_lines *l, uint64_t *op_max);
const char *kt_actx_delta_sku(const kt_actx *a, uint32_t cols_id);

#endif
