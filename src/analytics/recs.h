/*
 * recs.h - A5/A12 recommendations: for each member, the SKUs they are most
 * likely to buy in the next N days, with a calibrated probability; the two
 * products of A12 (one to keep the member, one to raise the receipt); and an
 * offline evaluation on a time split against two baselines.
 *
 * History. Sale lines (qty > 0) of members with a card that pass the
 * filter, cut at the as-of day T, reduced to purchase days: one event per
 * (member, SKU, day), however many lines or receipts carried it. Returns are
 * left out (a returned purchase still counts as bought).
 *
 * The model "as of day C" (C = T for recommendations) sees events on or
 * before C. For member u and SKU j it holds:
 *   k(u,j)      purchase days of j by u
 *   first, last the first and the last of them; d = C - last
 *   start(u)    u's first purchase day of anything; tenure t = C - start + 1
 * Two kinds of candidates, each with its own score:
 *   repeat   j already bought by u: the member's own rate and cycle,
 *              a   = 1 - exp(-k N / t)     (at least one purchase in N days
 *                                           at u's own rate of j)
 *              due = 1 if k = 1, else 0.5 + 0.5 min(1, (d + N) / g) with the
 *                    mean gap g = (last - first) / (k - 1): 1 when u reaches
 *                    the usual interval within the horizon
 *              score = a * due
 *   similar  j never bought by u: item-based collaborative filtering plus a
 *            popularity prior,
 *              score = sum over i in H(u) with j in nb(i) of sim(i, j)
 *                      + KT_RECS_POPULARITY_WEIGHT * n'(j) / A
 *            where n'(j) is the members who bought j by C and A the members
 *            with any purchase by C. Candidates: the SKUs the neighbour lists
 *            reach and the max(K, 20) SKUs of most buyers.
 * Item-item similarity: cosine of the binary member-item matrix,
 *   sim(i, j) = c(i,j) / sqrt(n(i) n(j)),
 * c(i,j) the members whose history holds both, n(i) the members holding i,
 * where a member's history H(u) is their KT_RECS_HISTORY_MAX items of most
 * purchase days (ties: latest last day, then SKU id), so that one heavy
 * buyer costs O(HISTORY_MAX^2) and not O(items^2). Each item keeps its top M
 * neighbours nb(i) (sim descending, ties by SKU id ascending; M =
 * --neighbours, default 50): memory is M * 8 bytes per SKU.
 * Co-occurrences are counted one item at a time (a row of the item-item
 * matrix into a dense per-thread counter over SKUs, through the inverted
 * lists item -> members), so nothing grows with the number of pairs.
 *
 * Calibration (each kind apart). The model is built as of C' = T - N,
 * candidates are scored as above (each member's top max(K, 20) of each
 * kind), and each gets the label "bought in (C', T]". An isotonic regression
 * (pool adjacent violators over scores sorted ascending, equal scores pooled
 * first) maps score to observed rate. A score s gets the rate of the last
 * block whose lowest score is <= s (the first block below all). At most
 * KT_RECS_CALIBRATION_MEMBERS members take part: those whose index is a
 * multiple of s = ceil(members with history at C' / cap). The model is then rebuilt as of T and its scores
 * mapped through the calibration. A kind with no calibration pair (no member
 * had history at C') gives no rows.
 *
 * Ranking: probability descending, then repeat before similar, then score
 * descending, then fewer days since the last purchase, then SKU external id. Candidates of probability 0
 * are not shown.
 *
 * --two (A12), from a member's top 20 candidates of each kind:
 *   keep   the repeat candidate of highest probability (the product the
 *          member buys and is due again);
 *   raise  among the other candidates whose category the member buys, the
 *          most probable one whose average unit price is above the average
 *          unit price the member paid in that category (weighted by
 *          purchase days); if none, the similar candidate with the largest
 *          probability x price (the receipt grows most).
 * Unit price of a SKU: its sale amount over its quantity in the history.
 *
 * Evaluation (kt_recs_evaluate): test days (T - H, T], training history up
 * to D = T - H; the model is fitted as of D with horizon N = H (so its own
 * calibration uses (D - H, D]). Members evaluated: history at D and at least
 * one purchase in the test days. rel(u) = the SKUs u bought in the test
 * days; a list L of at most K SKUs. With hit(i) = 1 if L[i] in rel:
 *   precision@K = |L n rel| / K
 *   recall@K    = |L n rel| / |rel|
 *   AP@K        = sum_{i<=K} hit(i) * (hits in L[1..i] / i) / min(K, |rel|)
 *   NDCG@K      = DCG / IDCG, DCG = sum_{i<=K} hit(i) / log2(i + 1),
 *                 IDCG = sum_{i<=min(K,|rel|)} 1 / log2(i + 1)
 * each averaged over the members evaluated (MAP = mean of AP). Baselines:
 *   popularity  the K SKUs of most buyers in the training history (ties by
 *               SKU external id), the same list for everyone
 *   buy_again   the member's own SKUs by purchase days descending, then last
 *               day descending, then SKU external id
 *
 * Owns everything it allocates until kt_recs_free. Borrows the analysis
 * context (products and SKU names are loaded by kt_recs_load).
 * Errors: those of the scans; KT_ENOMEM past KT_RECS_EVENTS_MAX events.
 */
#ifndef KT_RECS_H
#define KT_RECS_H
#include "analytics/actx.h"

/* Purchase days kept in memory: 8 bytes each (4G = 32 GB, past one machine). */
#define KT_RECS_EVENTS_MAX UINT32_MAX
/* Items of a member's history that enter similarity and CF scoring: bounds
 * the work of one member at HISTORY_MAX^2 pairs. */
#define KT_RECS_HISTORY_MAX 200
/* Members whose candidates fit the calibration: 100k members x 40
 * candidates = 4M pairs, sorted once. */
#define KT_RECS_CALIBRATION_MEMBERS 100000
/* Candidates of each kind per member considered for calibration and --two. */
#define KT_RECS_CANDIDATES 20
/* Weight of the popularity share in a similar candidate's score; chosen on
 * the evaluation of docs/analytics.md (3 beat 0, 0.5 and 1 on the real data
 * set and tied on the generated chain). */
#define KT_RECS_POPULARITY_WEIGHT 3.0
#define KT_RECS_TOP_MAX 1000
#define KT_RECS_NEIGHBOURS_MAX 1000
#define KT_RECS_DAYS_MAX 3660

typedef enum { KT_RECS_REPEAT = 0, KT_RECS_SIMILAR = 1 } kt_recs_source;

typedef struct kt_recs_item {
    uint32_t sku;          /* SKU index (kt_actx) */
    uint8_t source;        /* kt_recs_source */
    double score;
    double probability;
    /* repeat candidates: the member's own history of the SKU */
    uint32_t purchase_days;
    int32_t days_since;    /* C - last */
    double gap_days;       /* mean gap, 0 if bought on one day */
} kt_recs_item;

typedef struct kt_recs kt_recs;

typedef struct kt_recs_opts {
    int days;              /* horizon N, 1..KT_RECS_DAYS_MAX */
    int top;               /* K, 1..KT_RECS_TOP_MAX */
    int neighbours;        /* M, 1..KT_RECS_NEIGHBOURS_MAX */
    int threads;           /* 1..KT_ACTX_THREADS_MAX */
} kt_recs_opts;

/* Scan the history (lines passing F, days up to AS_OF) into purchase days. */
kt_rc kt_recs_load(kt_actx *a, const kt_afilter *f, kt_day as_of, const kt_recs_opts *o, kt_recs **out,
                   kt_err *err);
void kt_recs_free(kt_recs *r);

/* Calibrate as of CUT - N and build the model as of CUT (see above). */
kt_rc kt_recs_fit(kt_recs *r, kt_day cut, kt_err *err);
/* Calibration pairs of each kind, and members with history at the cut. */
size_t kt_recs_calibration_pairs(const kt_recs *r, kt_recs_source kind);
size_t kt_recs_active_members(const kt_recs *r);
size_t kt_recs_member_count(const kt_recs *r);
uint64_t kt_recs_events(const kt_recs *r);
size_t kt_recs_memory_bytes(const kt_recs *r);

/* Per-thread scratch for scoring. */
typedef struct kt_recs_scratch kt_recs_scratch;
kt_recs_scratch *kt_recs_scratch_new(const kt_recs *r);
void kt_recs_scratch_free(kt_recs_scratch *s);

/* Member's top K (after kt_recs_fit) into OUT[0..K); returns the count. */
size_t kt_recs_member(const kt_recs *r, kt_recs_scratch *s, uint32_t member, kt_recs_item *out);

/* The two products of A12. OUT[0] keep, OUT[1] raise; *has says which exist. */
typedef struct kt_recs_pick {
    kt_recs_item item;
    char reason[200];
} kt_recs_pick;
void kt_recs_two(const kt_recs *r, kt_recs_scratch *s, uint32_t member, kt_recs_pick out[2], bool has[2]);

/* Every active member's top K, in member index order, computed in parallel a
 * block of members at a time; FN is called once per member with a
 * recommendation, in order, from the calling thread. FN returning nonzero stops. */
typedef int (*kt_recs_each_fn)(void *ctx, uint32_t member, const kt_recs_item *items, size_t n);
kt_rc kt_recs_all(kt_recs *r, kt_recs_each_fn fn, void *ctx, kt_err *err);

/* ---- evaluation ---- */
typedef enum { KT_RECS_MODEL = 0, KT_RECS_POPULARITY = 1, KT_RECS_BUY_AGAIN = 2, KT_RECS_METHODS = 3 } kt_recs_method;
extern const char *const kt_recs_method_names[KT_RECS_METHODS];

typedef struct kt_recs_metrics {
    double precision, recall, map, ndcg;   /* means over the members evaluated */
} kt_recs_metrics;

typedef struct kt_recs_eval {
    kt_day train_to, test_from, test_to;
    size_t members;                        /* members evaluated */
    kt_recs_metrics m[KT_RECS_METHODS];
} kt_recs_eval;

/* Fit as of as_of - HOLDOUT with horizon HOLDOUT, score on (as_of - HOLDOUT, as_of]. */
kt_rc kt_recs_evaluate(kt_recs *r, int holdout_days, kt_recs_eval *out, kt_err *err);

/* One list's metrics (definitions above): HIT[i] = 1 if the i-th item is
 * relevant, N items shown (N <= K), RELEVANT = |rel| > 0. */
kt_recs_metrics kt_recs_list_metrics(const uint8_t *hit, size_t n, size_t k, size_t relevant);

#endif
