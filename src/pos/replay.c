/*
 * replay.c - `karta rules replay` (P9): what another rule version would have
 * given for past receipts, per member, and - without --dry-run - correcting
 * entries for the difference, so that nothing is ever accrued by hand.
 *
 * Each sale receipt of the period with a member is re-priced from its stored
 * request under the chosen version (offers left out on both sides: they are
 * personal, not rules). Receipts refunded in part or in full are left out:
 * their refunds already reversed what the rules gave them. A replay of the same version and period is posted
 * once: its corrections carry the tag "replay:vN:FROM:TO" and a second run is
 * refused.
 */
#include "core/date.h"
#include "ledger/ledger.h"
#include "pos_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rec { int64_t id, member; kt_points redeemed; char *request; } rec;
typedef struct per_member { int64_t member, receipts; kt_points earned, would; } per_member;

kt_rc kt_pos_replay(kt_pos *pos, kt_day from, kt_day to, int64_t version, bool dry_run, const char *actor,
                    char **out, kt_err *err) {
    kt_store *st = kt_pos_store(pos);
    const kt_ruleset *rs;
    char tag[96], d1[11], d2[11];
    if (to < from) return kt_fail(err, KT_EINVAL, "--to", "is before --from");
    kt_rc rc = kt_pos_ruleset(pos, version, &rs, err);
    if (rc) return rc;
    kt_day_format(from, d1);
    kt_day_format(to, d2);
    snprintf(tag, sizeof tag, "replay:v%lld:%s:%s", (long long)version, d1, d2);
    if (!dry_run) {
        bool found;
        int64_t x;
        kt_val a[] = {KT_VS(tag)};
        if ((rc = kt_store_int(st, KT_Q_REPLAY_DONE, a, 1, &x, &found, err))) return rc;
        if (found) return kt_fail(err, KT_ECONFLICT, "--version", "this replay (%s) was already posted", tag);
    }
    /* read the receipts first: re-pricing runs other statements */
    size_t n = 0, cap = 256;
    rec *recs = kt_xmalloc(cap * sizeof *recs);
    kt_cursor *c;
    kt_val a[] = {KT_VI(from), KT_VI(to)};
    if ((rc = kt_store_query(st, KT_Q_REPLAY_RECEIPTS, a, 2, &c, err))) { free(recs); return rc; }
    for (;;) {
        bool has;
        if ((rc = kt_store_step(c, &has, err)) || !has) break;
        if (n == cap) recs = kt_xrealloc(recs, (cap *= 2) * sizeof *recs);
        recs[n++] = (rec){kt_col_int(c, 0), kt_col_int(c, 3), kt_col_int(c, 5), kt_xstrdup(kt_col_text(c, 4))};
    }
    kt_store_end(c);
    per_member *pm = kt_xcalloc(n ? n : 1, sizeof *pm);
    size_t npm = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        kt_points earned = 0, would = 0;
        kt_val b[] = {KT_VI(recs[i].id)};
        if ((rc = kt_store_int(st, KT_Q_REPLAY_RULE_POINTS, b, 1, &earned, NULL, err))) break;
        if ((rc = kt_pos_reprice(pos, recs[i].request, version, recs[i].redeemed, &would, err))) break;
        if (npm == 0 || pm[npm - 1].member != recs[i].member) pm[npm++].member = recs[i].member;
        pm[npm - 1].receipts++;
        pm[npm - 1].earned += earned;
        pm[npm - 1].would += would;
    }
    if (!rc && !dry_run) rc = kt_store_begin(st, err);
    kt_points total_diff = 0;
    json_t *arr = json_array();
    for (size_t i = 0; i < npm && !rc; i++) {
        kt_points diff = pm[i].would - pm[i].earned;
        total_diff += diff;
        json_t *o = json_object();
        json_object_set_new(o, "member", json_integer(pm[i].member));
        json_object_set_new(o, "receipts", json_integer(pm[i].receipts));
        json_object_set_new(o, "earned", json_integer(pm[i].earned));
        json_object_set_new(o, "would_earn", json_integer(pm[i].would));
        json_object_set_new(o, "difference", json_integer(diff));
        json_array_append_new(arr, o);
        if (dry_run || diff == 0) continue;
        kt_day today = kt_today();
        kt_movement mv = {.kind = KT_TXN_CORRECTION, .at = kt_now(), .day = today, .actor = actor, .rule = tag,
                          .reason = "rules replay: difference to the version now applied"};
        const kt_program *prog = kt_rules_program(rs);
        if (diff > 0)
            rc = kt_ledger_credit(st, &mv, (kt_member_id)pm[i].member, diff, "correction", today,
                                  prog->expiry_days > 0 ? today + prog->expiry_days : KT_DAY_NONE, NULL, err);
        else
            rc = kt_ledger_debit(st, &mv, (kt_member_id)pm[i].member, -diff, "correction", true, NULL, err);
    }
    if (!dry_run && kt_store_in_txn(st)) {
        if (!rc) rc = kt_store_commit(st, err);
        else kt_store_rollback(st);
    }
    json_t *o = json_object();
    json_object_set_new(o, "version", json_integer(version));
    json_object_set_new(o, "from", json_string(d1));
    json_object_set_new(o, "to", json_string(d2));
    json_object_set_new(o, "dry_run", json_boolean(dry_run));
    json_object_set_new(o, "receipts", json_integer((json_int_t)n));
    json_object_set_new(o, "difference", json_integer(total_diff));
    json_object_set_new(o, "members", arr);
    if (!rc) *out = kt_pos_dump(o);
    json_decref(o);
    for (size_t i = 0; i < n; i++) free(recs[i].request);
    free(recs);
    free(pm);
    return rc;
}
