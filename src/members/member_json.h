/*
 * member_json.h - a member as one JSON document: profile, points, cards,
 * current consents and their history, favourite-category history, merges.
 * The CLI and the HTTP API both answer with it. Owns nothing; *out is a new
 * jansson reference the caller releases.
 */
#ifndef KT_MEMBER_JSON_H
#define KT_MEMBER_JSON_H
#include "core/kt.h"
#include "store/store.h"

#include <jansson.h>

kt_rc kt_member_json(kt_store *st, int64_t id, json_t **out, kt_err *err);

#endif
