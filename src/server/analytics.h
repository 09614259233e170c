/*
 * analytics.h - the analyses as read-only JSON endpoints (analytics.c):
 * GET /v1/analytics/{analysis}[/{name}] with the command's options as query
 * parameters. param[0] is the analysis, param[1] the optional name.
 */
#ifndef KT_SERVER_ANALYTICS_H
#define KT_SERVER_ANALYTICS_H
#include "server_int.h"

kt_rc kt_server_analytics(kt_call *c, kt_err *err);

#endif
