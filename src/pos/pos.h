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
/* The compiled set of a version (cached; owned by pos). */
kt_rc kt_pos_ruleset(kt_pos *pos, int64_t version, const kt_ruleset **out, kt_err *err);

/* ---- checkout ---- */
kt_rc kt_pos_calculate(kt_pos *pos, const char *json, size_t len, char **answer, kt_err *err);
kt_rc kt_pos_commit(kt_pos *pos, const char *json, size_t len, char **answer, kt_err *err);
/* A refund: {"store","receipt" (the refund's own number),"original" (the sale),
 * "time","lines":[{"line","qty"}]} - lines omitted: everything not yet refunded. */
kt_rc kt_pos_refund(kt_pos *pos, const char *json, size_t len, char **answer, kt_err *err);
/* Several commits in one store transaction (group commit): each basket lands
 * or fails on its own (savepoints); answers[i] and rcs[i] per basket. */
kt_rc kt_pos_commit_batch(kt_pos *pos, const char *const *jsons, const size_t *lens, size_t n,
                          char **answers, kt_rc *rcs, kt_err *errs, kt_err *err);

/* A member's balance and lots as JSON; key as kt_member_find. */
kt_rc kt_pos_balance(kt_pos *pos, const char *key, char **answer, kt_err *err);
/* A committed receipt with its rule version and per-line contributions. */
kt_rc kt_pos_explain(kt_pos *pos, const char *store_code, const char *receipt, char **answer, kt_err *err);

/* ---- personal offers ---- */
/* CSV: member,code,kind,target,value,threshold,valid_from,valid_to,uses_max,funded_by,campaign.
 * Whole or nothing; errors "file:line: column: reason". OUT: offers created. */
kt_rc kt_pos_offers_issue(kt_pos *pos, const char *path, const char *actor, int64_t *out_count, kt_err *err);
kt_rc kt_pos_offers_list(kt_pos *pos, const char *key, char **answer, kt_err *err);

/* ---- replay (P9) ---- */
/* Re-price sale receipts of [from, to] under `version` and compare with what
 * they earned. Without dry_run, post one correction per member for the
 * difference (reason names the version and the period). Answer: per member
 * receipts, earned, would_earn, difference. */
kt_rc kt_pos_replay(kt_pos *pos, kt_day from, kt_day to, int64_t version, bool dry_run, const char *actor,
                    char **answer, kt_err *err);

#endif
