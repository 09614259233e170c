/*
 * pos.h - checkout processing (P1-P11): calculate, commit and refund a basket,
 * the member's balance, explanations, rule versions and personal offers.
 *
 * Requests and answers are JSON documents, the same on the CLI and over HTTP.
 * A basket: {"store","receipt","time" (ISO 8601 with offset),"card" or
 * "phone","lines":[{"sku","qty","price","amount"}],"redeem","coupons","total"}
 * with money in minor units. See docs/checkout.md.
 *
 * Owns: a kt_pos holds the compiled rule sets it has loaded (by version) and
 * borrows the store (one kt_pos per store connection, one thread at a time).
 * Answers are returned as malloc'd NUL-terminated JSON text the caller frees.
 * Durability: kt_pos_commit and kt_pos_refund return only after the store
 * transaction holding the receipt, its lines, the ledger movements and the
 * offer uses is committed; a repeat of the same (store, receipt) returns the
 * first answer byte for byte and changes nothing; a repeat with another body
 * is KT_ECONFLICT. Bad input is KT_EINVAL with err->field = the JSON path.
 */
#ifndef KT_POS_H
#define KT_POS_H
#include "core/kt.h"
#include "rules/rules.h"
#include "store/store.h"

typedef struct kt_pos kt_pos;

kt_rc kt_pos_open(kt_store *st, kt_pos **out, kt_err *err);
void kt_pos_close(kt_pos *pos);
kt_store *kt_pos_store(kt_pos *pos);

/* ---- rule versions ---- */
/* Validate and compile a document against the store's catalogue, store it as a
 * new version and make it active. OUT: the version. */
kt_rc kt_pos_rules_load(kt_pos *pos, const char *json, size_t len, const char *actor, const char *note,
                        int64_t *out_version, kt_err *err);
kt_rc kt_pos_rules_active(kt_pos *pos, int64_t *out_version, kt_err *err);
/* Make an already loaded version the active one again (a roll-back or a
 * roll-forward), compiled first against today's catalogue; audited. *changed
 * false when it was active already. KT_ENOTFOUND for an unknown version. */
kt_rc kt_pos_rules_activate(kt_pos *pos, int64_t version, const char *actor, bool *changed, kt_err *err);
/* The compiled set of a version (cached; owned by pos). */
kt_rc kt_pos_ruleset(kt_pos *pos, int64_t version, const kt_ruleset **out, kt_err *err);

/* ---- checkout ---- */
kt_rc kt_pos_calculate(kt_pos *pos, const char *json, size_t len, char **answer, kt_err *err);
kt_rc kt_pos_commit(kt_pos *pos, const char *json, size_t len, char **answer, kt_err *err);
/* A refund: {"store","receipt" (the refund's own number),"original" (the sale),
 * "time","lines":[{"line","qty"}]} - lines omitted: everything not yet refunded. */
kt_rc kt_pos_refund(kt_pos *pos, const char *json, size_t len, char **answer, kt_err *err);
/* The same; *repeat when the refund was made before (the first answer returned). */
kt_rc kt_pos_refund_ex(kt_pos *pos, const char *json, size_t len, char **answer, bool *repeat, kt_err *err);
/* Several commits in one store transaction (group commit): each basket lands
 * or fails on its own (savepoints); answers[i] and rcs[i] per basket. */
kt_rc kt_pos_commit_batch(kt_pos *pos, const char *const *jsons, const size_t *lens, size_t n,
                          char **answers, kt_rc *rcs, kt_err *errs, kt_err *err);

/* ---- commit jobs (the server's group commit) ---- */
/* A commit split in three so that only the writes are serial: parse (any
 * thread), price (any thread, on that thread's kt_pos, reading a snapshot) and
 * commit (the writer, inside its open transaction). The caller decides whether
 * the snapshot a job was priced on is still current for its member; when it
 * may not be, kt_pos_job_commit prices it again inside the transaction.
 * A job is used by one thread at a time. */
typedef struct kt_pos_job kt_pos_job;
typedef struct kt_pos_result {
    char *answer;          /* malloc'd answer, NULL on error */
    kt_rc rc;
    kt_err err;
    bool repeat;           /* the receipt was committed before: the first answer, nothing changed */
    int64_t member;        /* 0: anonymous */
    kt_points earned, redeemed;  /* by this commit (0 for a repeat) */
} kt_pos_result;

kt_rc kt_pos_job_parse(const char *json, size_t len, kt_pos_job **out, kt_err *err);
const char *kt_pos_job_store(const kt_pos_job *j);
const char *kt_pos_job_receipt(const kt_pos_job *j);
/* Price under the active rules, or find the first answer of a repeat; the
 * outcome (an error too) is kept in the job. */
void kt_pos_job_price(kt_pos *pos, kt_pos_job *j);
/* The pricing found the receipt committed before with this body: its first
 * answer stands, whatever else has changed. */
bool kt_pos_job_repeat(const kt_pos_job *j);
/* The member the pricing identified (0: none, or not priced). */
int64_t kt_pos_job_member(const kt_pos_job *j);
/* Inside the caller's transaction (and savepoint): write the priced job, or
 * price it again first when `reprice`. The outcome is in *res (res->rc). A
 * repeat (kt_pos_job_repeat) writes nothing and needs no transaction. */
kt_rc kt_pos_job_commit(kt_pos *pos, kt_pos_job *j, bool reprice, kt_pos_result *res);
void kt_pos_job_free(kt_pos_job *j);

/* A member's balance and lots as JSON; key as kt_member_find. */
kt_rc kt_pos_balance(kt_pos *pos, const char *key, char **answer, kt_err *err);
/* Who is at the checkout: {"card": NO} or {"phone": PHONE} -> the member, the
 * card's state, the balance and the number of active personal offers. A
 * blocked or inactive card is KT_ECONFLICT, as at commit. */
kt_rc kt_pos_identify(kt_pos *pos, const char *json, size_t len, char **answer, kt_err *err);
/* A committed receipt with its rule version and per-line contributions. */
kt_rc kt_pos_explain(kt_pos *pos, const char *store_code, const char *receipt, char **answer, kt_err *err);

/* ---- personal offers ---- */
/* CSV: member,code,kind,target,value,threshold,valid_from,valid_to,uses_max,funded_by,campaign.
 * Whole or nothing; errors "file:line: column: reason". OUT: offers created. */
kt_rc kt_pos_offers_issue(kt_pos *pos, const char *path, const char *actor, int64_t *out_count, kt_err *err);
/* The same from JSON, {"offers":[{COLUMN: value, ...}]} with the CSV's column
 * names as keys (strings or integers); whole or nothing, errors name
 * "$.offers[N].COLUMN". Answer: {"issued":N,"offers":[ids]}. */
kt_rc kt_pos_offers_issue_json(kt_pos *pos, const char *json, size_t len, const char *actor, char **answer,
                               kt_err *err);
kt_rc kt_pos_offers_list(kt_pos *pos, const char *key, char **answer, kt_err *err);

/* ---- replay (P9) ---- */
/* Re-price sale receipts of [from, to] under `version` and compare with what
 * they earned. Without dry_run, post one correction per member for the
 * difference (reason names the version and the period). Answer: per member
 * receipts, earned, would_earn, difference. */
kt_rc kt_pos_replay(kt_pos *pos, kt_day from, kt_day to, int64_t version, bool dry_run, const char *actor,
                    char **answer, kt_err *err);

#endif
