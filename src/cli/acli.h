/*
 * acli.h - the options every analysis command shares (--format, --as-of,
 * --from, --to, --store, --region, --threads, --stats) and their set-up:
 * open the analysis context, build the filter, start the output.
 *
 *   kt_opt o[] = { KT_ACLI_OPTS, {"top", KT_OPT_VALUE, "...", NULL} };
 *   kt_acli cx;
 *   if (kt_acli_start(&cx, o, KT_ARRAY_LEN(o), argc, argv, pos, npos_max, &npos, &err)) return kt_cli_error(&err);
 *   ... scan with cx.filter, write with cx.out ...
 *   return kt_acli_end(&cx, rc, &err);   (finishes the output, closes, prints the error if any)
 */
#ifndef KT_ACLI_H
#define KT_ACLI_H
#include "cli.h"
#include "analytics/actx.h"
#include "analytics/aout.h"

#define KT_ACLI_OPTS                                                                                          \
    {"format", KT_OPT_VALUE, "table (default), csv or json", NULL},                                           \
    {"as-of", KT_OPT_VALUE, "YYYY-MM-DD: analyse as on this day; later receipts are left out (default: the last day with a receipt)", NULL}, \
    {"from", KT_OPT_VALUE, "YYYY-MM-DD: only receipts on or after this day", NULL},                            \
    {"to", KT_OPT_VALUE, "YYYY-MM-DD: only receipts on or before this day", NULL},                             \
    {"store", KT_OPT_VALUE, "CODE[,CODE...]: only these stores", NULL},                                        \
    {"region", KT_OPT_VALUE, "only stores of this region (or city)", NULL},                                    \
    {"threads", KT_OPT_VALUE, "scan threads (default: one per core)", NULL},                                              \
    {"stats", KT_OPT_FLAG, "print rows scanned, memory and time to stderr", NULL}

#define KT_ACLI_NOPTS 8

typedef struct kt_acli {
    kt_actx *a;
    kt_afilter filter;
    kt_day as_of;             /* the as-of day (given, or the last day with a receipt) */
    int threads;
    bool stats;
    kt_aout_format format;
    kt_aout *out;             /* writes to kt_cli_out() */
    double started;           /* monotonic seconds, for --stats */
} kt_acli;

/* Parse argv against O (which must contain KT_ACLI_OPTS), open the context,
 * build the filter and the output (with "as_of" as JSON meta). On error
 * everything is released and the error is in ERR. */
kt_rc kt_acli_start(kt_acli *cx, kt_opt *o, size_t no, int argc, char **argv, char **pos, size_t npos_max,
                    size_t *npos, kt_err *err);
/* Finish the output (if RC is 0), print --stats, close everything; returns the
 * process exit status (printing ERR when RC or the finish failed). */
int kt_acli_end(kt_acli *cx, kt_rc rc, kt_err *err);
/* Parse a share option (0 < x < 1 or 0 <= x <= 1 with allow_edges) with a default. */
kt_rc kt_acli_share(const kt_opt *o, size_t no, const char *name, double dflt, bool allow_edges, double *out,
                    kt_err *err);

#endif
