/*
 * pos_internal.h - helpers shared by the files of src/pos (not a public API).
 */
#ifndef KT_POS_INTERNAL_H
#define KT_POS_INTERNAL_H
#include "pos.h"

#include <jansson.h>

kt_rc kt_pos_store_of(kt_pos *pos, const char *code, const char *field, int64_t *id, int64_t *partner, kt_err *err);
/* A repeat of (store, number): *found and the first answer, or KT_ECONFLICT. */
kt_rc kt_pos_find_previous(kt_pos *pos, int64_t store_id, const char *number, const char *kind, const char *canonical,
                           char **out, bool *found, kt_err *err);
/* Compact JSON text (malloc'd). */
char *kt_pos_dump(json_t *o);

/* Re-price a stored request under a rule version (replay): the points the
 * rules give (offers left out), with `redeemed` points redeemed as recorded. */
kt_rc kt_pos_reprice(kt_pos *pos, const char *json, int64_t version, kt_points redeemed, kt_points *out_rule_points,
                     kt_err *err);

#endif
