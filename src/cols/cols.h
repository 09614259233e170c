/*
 * cols.h - the columnar store: receipt headers and receipt lines as column
 * files under DATA/cols/, partitioned by month (docs/internals/columns.md).
 *
 * Owns: the segment files it writes, its manifest and its dictionaries of
 * external ids that the operational store does not know. Borrows: nothing.
 * Ids are dense: a member, store or SKU id below KT_COLS_FOREIGN is the
 * operational store's own id (members.id, stores.id, products.id); an id with
 * KT_COLS_FOREIGN set is entry (id & ~KT_COLS_FOREIGN) of this store's
 * dictionary. Member 0 is "no card / unknown card".
 *
 * Writing: kt_cols_writer_open, append rows in any month order, then
 * kt_cols_writer_commit publishes every segment of the import at once (one
 * rename of the manifest); kt_cols_writer_abort (or a crash) leaves nothing
 * visible. One writer at a time per data directory (an flock on cols/LOCK).
 * Reading: kt_cols_open maps the published segments read-only; the pointers it
 * hands out stay valid until kt_cols_close. Errors: KT_EIO with the path,
 * KT_EINVAL for a file that is not a column file of this version, KT_ENOMEM.
 */
#ifndef KT_COLS_H
#define KT_COLS_H
#include "core/kt.h"

#define KT_COLS_FOREIGN 0x80000000u /* dictionary id flag (see above) */
#define KT_COLS_VERSION 1
/* Rows in one segment before the writer starts the next one for the month:
 * bounds a segment to ~400 MB of line columns, so a scan batch never spans
 * more than one mapping and a crash loses at most one import's work. */
#define KT_COLS_SEGMENT_ROWS_MAX (8u * 1024 * 1024)
/* Dictionary entries per kind: ids must stay below KT_COLS_FOREIGN. */
#define KT_COLS_DICT_MAX (1u << 28)
/* Rows per scan batch (the unit a thread takes at a time). */
#define KT_COLS_BATCH_ROWS 65536

/* Element types of a column. */
typedef enum { KT_COL_U8 = 1, KT_COL_U16 = 2, KT_COL_U32 = 3, KT_COL_I32 = 4, KT_COL_I64 = 5 } kt_col_type;

/* The header at offset 0 of every column file; the values follow at offset
 * 32, native little-endian, rows * width bytes. */
typedef struct kt_col_header {
    char magic[8];      /* "KTCOL\0\0\0" */
    uint32_t version;   /* KT_COLS_VERSION */
    uint32_t type;      /* kt_col_type */
    uint64_t rows;
    uint32_t width;     /* bytes per value, redundant with type: checked on open */
    uint32_t reserved;  /* 0 */
} kt_col_header;
_Static_assert(sizeof(kt_col_header) == 32, "column header is 32 bytes on disk");

/* One receipt (sale or return). Returns have negative amount and flags bit 0. */
#define KT_COLS_RETURN 1u
typedef struct kt_cols_receipt_row {
    uint32_t receipt;   /* dense receipt id, unique in the columnar store */
    uint32_t member;    /* 0: no card or unknown card */
    uint32_t store;
    int32_t day;        /* local calendar day (kt_day) */
    uint16_t minute;    /* local minute of the day, 0..1439 */
    uint8_t flags;      /* KT_COLS_RETURN */
    int64_t amount;     /* minor units; negative for a return */
    /* compact segments only, kept by the writer from the lines that follow: */
    int64_t units;      /* sum of the lines' qty_milli */
    uint16_t lines;     /* lines with qty_milli >= 0 (65,535 at most) */
} kt_cols_receipt_row;

typedef struct kt_cols_line_row {
    uint32_t receipt, member, store, sku;
    int32_t day;
    uint16_t minute;
    int64_t qty_milli;  /* thousandths of a piece or gram; negative for a return */
    int64_t amount;     /* minor units; negative for a return */
} kt_cols_line_row;

/* Mapped columns of one segment (read side). */
typedef struct kt_cols_receipts {
    size_t rows;
    const uint32_t *receipt, *member, *store;
    const int32_t *day;
    const uint16_t *minute;
    const uint8_t *flags;
    const int64_t *amount;
    /* compact segments only (NULL elsewhere): the receipt's sums of its lines
     * (kt_cols_receipt_row), so that totals by receipt need no line scan */
    const int64_t *units;
    const uint16_t *lines;
} kt_cols_receipts;

typedef struct kt_cols_lines {
    size_t rows;
    const uint32_t *receipt, *member, *store, *sku;
    const int32_t *day;
    const uint16_t *minute;
    const int64_t *qty_milli, *amount;
} kt_cols_lines;

typedef enum { KT_DICT_MEMBER, KT_DICT_STORE, KT_DICT_SKU, KT_DICT_COUNT_ } kt_cols_dict_kind;

/* ---- string -> u32 hash map (used for dictionaries and import caches) --- */
typedef struct kt_strmap kt_strmap;
kt_strmap *kt_strmap_new(void);
void kt_strmap_free(kt_strmap *m);
/* Found: true and *value set. */
bool kt_strmap_get(const kt_strmap *m, const char *key, size_t len, uint32_t *value);
/* Insert or overwrite; copies the key. */
void kt_strmap_put(kt_strmap *m, const char *key, size_t len, uint32_t value);
size_t kt_strmap_count(const kt_strmap *m);
size_t kt_strmap_bytes(const kt_strmap *m);

/* ---- writing ------------------------------------------------------------ */
typedef struct kt_cols_writer kt_cols_writer;

kt_rc kt_cols_writer_open(const char *data_dir, kt_cols_writer **out, kt_err *err);
/* The first receipt id this import may use (the manifest's next id). */
uint32_t kt_cols_writer_next_receipt(const kt_cols_writer *w);
/* The dictionary id of an external id, adding it if new (kept only on commit). */
kt_rc kt_cols_writer_dict(kt_cols_writer *w, kt_cols_dict_kind kind, const char *ext, size_t len,
                          uint32_t *out_id, kt_err *err);
/* A hint: about COUNT more ids of BYTES in all (names and their ends) will be
 * added to the dictionary; room is made once rather than grown step by step. */
void kt_cols_writer_dict_reserve(kt_cols_writer *w, kt_cols_dict_kind kind, size_t count, size_t bytes);
/* Compact segments (call before the first row): the caller promises that
 * receipts come in ascending id order and each receipt's lines right after it,
 * with its member, store, day and minute. Lines then store only receipt, SKU,
 * quantity and amount (32 bits where they fit); readers take the rest from the
 * receipt. A row that breaks the promise is KT_EINTERNAL. */
void kt_cols_writer_compact(kt_cols_writer *w);
/* After kt_cols_writer_compact, before the first row: a bulk load whose line
 * files nobody reads before the commit. They are written past the page cache
 * (O_DIRECT, where the file system takes it) by an I/O thread (cols/colio.h);
 * a full segment's files are finished as soon as the next one starts. The
 * commit, the files and what readers see are the same as without. */
void kt_cols_writer_unbuffered(kt_cols_writer *w);
/* Tests: segments created from now on are full at ROWS rows of a table
 * (1..KT_COLS_SEGMENT_ROWS_MAX, the default), so that a small load fills many. */
void kt_cols_writer_segment_rows(kt_cols_writer *w, uint64_t rows);
kt_rc kt_cols_writer_receipt(kt_cols_writer *w, const kt_cols_receipt_row *row, kt_err *err);
kt_rc kt_cols_writer_line(kt_cols_writer *w, const kt_cols_line_row *row, kt_err *err);
/* Compact writers: a receipt and its N lines at once (what kt_cols_writer_receipt
 * and N calls of kt_cols_writer_line with the receipt's member, store, day and
 * minute write), the lines given column by column. */
kt_rc kt_cols_writer_receipt_lines(kt_cols_writer *w, const kt_cols_receipt_row *row, const uint32_t *sku,
                                   const int64_t *qty_milli, const int64_t *amount, size_t n, kt_err *err);
/* The same for N rows, in order (what N calls of kt_cols_writer_line write). */
kt_rc kt_cols_writer_lines(kt_cols_writer *w, const kt_cols_line_row *rows, size_t n, kt_err *err);
/* Checkout receipts (operational receipts.id) already in the columns: every
 * id <= the mark (see analytics/actx.h, P12). SET takes effect at commit, in
 * the same manifest rename as the rows, so a fold is never counted twice. */
uint64_t kt_cols_writer_op_mark(const kt_cols_writer *w);
/* Files already imported, by a fingerprint (KT_COLS_FP_MAX bytes with the
 * NUL, no blanks): RECORD adds one to the manifest at commit, in the same
 * rename as the rows, so a crashed import can be re-run and a finished one
 * is recognised. */
#define KT_COLS_FP_MAX 64
bool kt_cols_writer_imported(const kt_cols_writer *w, const char *fingerprint);
void kt_cols_writer_record_import(kt_cols_writer *w, const char *fingerprint);
void kt_cols_writer_set_op_mark(kt_cols_writer *w, uint64_t mark);
/* Publish: fsync every file, rename the segment directories into place, write
 * the dictionaries and the manifest (temp, fsync, rename). OUT counts may be NULL. */
kt_rc kt_cols_writer_commit(kt_cols_writer *w, uint64_t *out_receipts, uint64_t *out_lines, kt_err *err);
/* Remove everything this writer wrote; frees it. Safe on NULL. */
void kt_cols_writer_abort(kt_cols_writer *w);

/* ---- reading ------------------------------------------------------------ */
typedef struct kt_cols kt_cols;

/* An absent cols directory opens as an empty store. */
kt_rc kt_cols_open(const char *data_dir, kt_cols **out, kt_err *err);
void kt_cols_close(kt_cols *c);
size_t kt_cols_segment_count(const kt_cols *c);
/* "2026-01/seg-000003" */
const char *kt_cols_segment_name(const kt_cols *c, size_t seg);
/* units and lines are mapped for compact segments, NULL elsewhere. */
kt_rc kt_cols_map_receipts(kt_cols *c, size_t seg, kt_cols_receipts *out, kt_err *err);
kt_rc kt_cols_map_lines(kt_cols *c, size_t seg, kt_cols_lines *out, kt_err *err);
/* Reading row ranges with pread into the caller's buffers instead of mapping
 * (no page faults; the kernel copies from the page cache). Columns are
 * numbered as the fields of kt_cols_receipts / kt_cols_lines after rows
 * (KT_COLS_R_* / KT_COLS_L_*); COLS is a mask of 1 << column. kt_cols_read_open
 * opens those files of segment SEG and checks them (not thread-safe; once per
 * segment before threads start) and gives the segment's rows; kt_cols_read
 * (thread-safe) reads rows [first, first + n) of one opened column into BUF
 * (n x kt_cols_col_width bytes). */
enum { KT_COLS_R_RECEIPT, KT_COLS_R_MEMBER, KT_COLS_R_STORE, KT_COLS_R_DAY, KT_COLS_R_MINUTE, KT_COLS_R_FLAGS,
       KT_COLS_R_AMOUNT, KT_COLS_R_UNITS, KT_COLS_R_LINES, KT_COLS_R_N };
/* Whether segment SEG is compact (kt_cols_writer_compact): its lines hold
 * receipt, SKU, quantity and amount only, and its receipts R_UNITS and R_LINES,
 * which no other segment has (kt_cols_read_open refuses them there). */
bool kt_cols_segment_compact(const kt_cols *c, size_t seg);
enum { KT_COLS_L_RECEIPT, KT_COLS_L_MEMBER, KT_COLS_L_STORE, KT_COLS_L_SKU, KT_COLS_L_DAY, KT_COLS_L_MINUTE,
       KT_COLS_L_QTY, KT_COLS_L_AMOUNT, KT_COLS_L_N };
#define KT_COLS_MAX_N ((int)KT_COLS_L_N > (int)KT_COLS_R_N ? (int)KT_COLS_L_N : (int)KT_COLS_R_N) /* columns of either table */
kt_rc kt_cols_read_open(kt_cols *c, size_t seg, bool lines, unsigned cols, size_t *rows, kt_err *err);
kt_rc kt_cols_read(const kt_cols *c, size_t seg, bool lines, int col, uint64_t first, size_t n, void *buf, kt_err *err);
size_t kt_cols_col_width(bool lines, int col);
uint64_t kt_cols_receipt_rows(const kt_cols *c);
uint64_t kt_cols_line_rows(const kt_cols *c);
/* Highest operational member id that appears (0 if none). */
uint32_t kt_cols_member_op_max(const kt_cols *c);
size_t kt_cols_dict_count(const kt_cols *c, kt_cols_dict_kind kind);
/* The published op_mark (see kt_cols_writer_set_op_mark). */
uint64_t kt_cols_op_mark(const kt_cols *c);
/* The same, reading only the manifest (cheap enough to poll). */
kt_rc kt_cols_read_op_mark(const char *data_dir, uint64_t *out, kt_err *err);
/* The receipt id the next import starts at: every published receipt id is below it. */
uint32_t kt_cols_next_receipt(const kt_cols *c);
/* ---- SKU summaries ------------------------------------------------------- */
/* What a segment's lines add up to per SKU, written by the writer into the
 * segment (file s.sku) before the segment is published, so that sums over
 * whole segments (ABC of products by revenue, units or receipts) need not
 * read the lines. Revenue and units add up over segments; receipts do too,
 * since a segment that counts them (KT_COLS_SUM_RECEIPTS: compact ones) holds
 * every line of its receipts. A segment may have none (written before
 * summaries existed, a SKU id past KT_COLS_SUM_IDS_MAX, a sum that does not
 * fit): readers then scan its lines. */
#define KT_COLS_SUM_RECEIPTS 1u /* the summary's receipts are counted */
/* Dense SKU ids per kind (operational, dictionary) a writer keeps sums for:
 * 2^18 x 32 bytes = 8 MB per kind and open segment at most. */
#define KT_COLS_SUM_IDS_MAX (1u << 18)
typedef struct kt_cols_sku_sum {
    uint32_t sku;       /* columnar SKU id; entries ascend by it */
    uint32_t receipts;  /* receipts with a sale line of it (qty >= 0, amount >= 0), if counted */
    int64_t amount;     /* sum of its lines' amounts (returns negative) */
    int64_t qty_milli;  /* sum of its lines' quantities */
} kt_cols_sku_sum;
_Static_assert(sizeof(kt_cols_sku_sum) == 24, "a summary entry is 24 bytes on disk");
/* Segment SEG's summary: *FOUND false (and *N 0) when it has none. The
 * entries stay valid until kt_cols_close; *FLAGS gets KT_COLS_SUM_*. Not
 * thread-safe (call before a scan's threads start). KT_EINVAL for a file
 * that is not a summary of this segment. */
kt_rc kt_cols_sku_summary(kt_cols *c, size_t seg, bool *found, const kt_cols_sku_sum **entries, size_t *n,
                          unsigned *flags, kt_err *err);

/* What a segment's receipts add up to per local day and hour (file s.hour,
 * written as s.sku is): for reports of receipts by period over whole
 * segments without reading their amounts, units and line counts. Units and
 * lines are the receipts' (KT_COLS_SUM_UNITS: compact segments, which store
 * them); other segments' lines must be scanned for those. */
#define KT_COLS_SUM_UNITS 1u /* the summary's units and lines are counted */
/* The segment's receipts ascend by day: the summary's rows per day give
 * each receipt's day, and readers take r.day from it instead of the file
 * (kt_cols_read; the file is still written, for mappings and older readers). */
#define KT_COLS_SUM_DAY_ORDER 2u
typedef struct kt_cols_hour_sum {
    int32_t day;        /* local day; entries ascend by (day, hour), empty ones left out */
    uint32_t hour;      /* 0..23, of the receipt's minute */
    int64_t rows;       /* receipts, returns included */
    int64_t receipts;   /* receipts without the return flag */
    int64_t amount;     /* sum of the receipts' amounts (returns negative) */
    int64_t units;      /* sum of r.units, if counted */
    int64_t lines;      /* sum of r.lines, if counted */
} kt_cols_hour_sum;
_Static_assert(sizeof(kt_cols_hour_sum) == 48, "an hour summary entry is 48 bytes on disk");
/* As kt_cols_sku_summary, for s.hour (*FLAGS: KT_COLS_SUM_UNITS). */
kt_rc kt_cols_hour_summary(kt_cols *c, size_t seg, bool *found, const kt_cols_hour_sum **entries, size_t *n,
                           unsigned *flags, kt_err *err);

/* External id of a dictionary id (with KT_COLS_FOREIGN set), or NULL. */
const char *kt_cols_dict_name(const kt_cols *c, kt_cols_dict_kind kind, uint32_t id);

#endif
