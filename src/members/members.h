/*
 * members.h - loyalty members, their cards, consents and favourite category
 * (M1-M5), duplicates and merges (M2).
 *
 * A kt_member is a plain value: fixed-size fields, no pointers, so it can be
 * copied, compared and filled from strings. kt_member_set parses one raw
 * string for a named field with the same rules everywhere (CLI, import, HTTP):
 * phones to E.164, e-mails trimmed and lower-cased, dates YYYY-MM-DD. Every
 * write records who did it (actor) and when; consent and favourite changes
 * keep their history; a merge is recorded in `merges` and the audit log.
 * All writes run inside the caller's store transaction.
 */
#ifndef KT_MEMBERS_H
#define KT_MEMBERS_H
#include "catalog/catalog.h"
#include "core/kt.h"
#include "core/text.h"
#include "store/store.h"

typedef struct kt_member {
    int64_t id;                       /* 0 until inserted */
    char ext_id[KT_CODE_MAX];         /* the previous system's id, optional */
    char name[KT_NAME_MAX];
    char sex;                         /* 'M', 'F' or 0 */
    kt_day birth_day;                 /* KT_DAY_NONE when unknown */
    char city[KT_NAME_MAX];
    char region[KT_NAME_MAX];
    char family_status[16];           /* single|married|divorced|widowed or "" */
    int children;                     /* -1 when unknown */
    int car;                          /* -1 unknown, 0 no, 1 yes */
    char phone[KT_PHONE_MAX];         /* E.164 or "" */
    char email[KT_EMAIL_MAX];         /* normalised or "" */
    kt_day registered_day;
    char reg_store[KT_CODE_MAX];      /* store code or "" */
    char favourite_category[KT_CODE_MAX];
    /* read-only, filled by kt_member_load */
    char state[8];                    /* active|merged */
    int64_t merged_into;
    kt_points balance;
    kt_time created_at, updated_at;
} kt_member;

void kt_member_init(kt_member *m, kt_day registered_day);
/* field: member, name, sex, birth_date, city, region, family_status, children,
 * car, phone, email, registered, reg_store, favourite_category. An empty value
 * clears the field. Errors name `label` (e.g. "members.csv:7: phone" or "--phone"). */
kt_rc kt_member_set(kt_member *m, const char *field, const char *value, const char *label, kt_err *err);

kt_rc kt_member_insert(kt_store *st, kt_member *m, const char *actor, kt_time at, const char *source, kt_err *err);
kt_rc kt_member_load(kt_store *st, int64_t id, kt_member *out, kt_err *err);
/* Writes every field of m (which must have been loaded); records a favourite
 * change and an audit row naming the changed fields. */
kt_rc kt_member_save(kt_store *st, const kt_member *m, const char *actor, kt_time at, kt_err *err);

/* Resolve "#ID" or "id:ID", a card number, an e-mail, an external id or a
 * phone to an active member (a merged member's card leads to the survivor).
 * KT_ENOTFOUND, or KT_ECONFLICT when a phone or e-mail is shared by several
 * members (list them with duplicates; use a card). */
kt_rc kt_member_find(kt_store *st, const char *key, int64_t *out_id, kt_err *err);

typedef enum { KT_CARD_ISSUED, KT_CARD_ACTIVE, KT_CARD_INACTIVE, KT_CARD_BLOCKED } kt_card_state;
kt_rc kt_card_state_parse(const char *s, kt_card_state *out, const char *label, kt_err *err);
const char *kt_card_state_name(kt_card_state s);
kt_rc kt_card_add(kt_store *st, int64_t member, const char *number, kt_card_state state, kt_day issued_day,
                  const char *actor, kt_time at, const char *label, kt_err *err);
kt_rc kt_card_set_state(kt_store *st, const char *number, kt_card_state state, const char *actor,
                        const char *reason, kt_time at, kt_err *err);

/* Channels: sms, email, push, viber, app. Sources: registration, support, app,
 * store, shop, import, merge. */
kt_rc kt_consent_check(const char *channel, const char *source, const char *label, kt_err *err);
kt_rc kt_consent_set(kt_store *st, int64_t member, const char *channel, bool granted, const char *source,
                     kt_time at, kt_err *err);
/* Current consent of one channel: *granted false when never given. */
kt_rc kt_consent_get(kt_store *st, int64_t member, const char *channel, bool *granted, kt_err *err);

/* Merge `merged` into `survivor`: every card moves, every open lot moves with
 * its dates, the balance is summed, consents the survivor never recorded are
 * carried over, empty profile fields are filled, and the merge is recorded. */
kt_rc kt_member_merge(kt_store *st, int64_t survivor, int64_t merged, const char *actor, const char *reason,
                      kt_time at, kt_points *out_points_moved, int64_t *out_cards_moved, kt_err *err);

/* Groups of active members sharing a phone, an e-mail, or a name and birth
 * date. report() gets the rule ("phone", "email", "name+birth_date"), the
 * shared key and the member ids, lowest first. */
typedef void (*kt_dup_report)(void *ctx, const char *rule, const char *key, const int64_t *ids, size_t n);
kt_rc kt_member_duplicates(kt_store *st, kt_dup_report report, void *ctx, int64_t *out_groups, kt_err *err);

#endif
