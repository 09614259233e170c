/*
 * acli.c - shared set-up of analysis commands (acli.h).
 */
#include "acli.h"
#include "core/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static kt_rc day_opt(const kt_opt *o, size_t no, const char *name, kt_day *out, kt_err *err) {
    const char *v = kt_opt_get(o, no, name);
    *out = KT_DAY_NONE;
    if (!v) return KT_OK;
    char field[32];
    snprintf(field, sizeof field, "--%s", name);
    kt_rc rc = kt_day_parse(v, strlen(v), out, err, field);
    if (rc) err->code = KT_EUSAGE;
    return rc;
}

kt_rc kt_acli_start(kt_acli *cx, kt_opt *o, size_t no, int argc, char **argv, char **pos, size_t npos_max,
                    size_t *npos, kt_err *err) {
    *cx = (kt_acli){.threads = 2, .started = kt_mono_seconds()};
    size_t np_local;
    kt_rc rc = kt_opts_parse(argc, argv, o, no, pos, npos_max, npos ? npos : &np_local, err);
    kt_day as_of = KT_DAY_NONE, from, to;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int64_t threads = cores < 1 ? 1 : cores > KT_ACTX_THREADS_MAX ? KT_ACTX_THREADS_MAX : cores;
    if (!rc) rc = kt_aout_parse_format(kt_opt_get(o, no, "format"), &cx->format, err);
    if (!rc) rc = day_opt(o, no, "as-of", &as_of, err);
    if (!rc) rc = day_opt(o, no, "from", &from, err);
    if (!rc) rc = day_opt(o, no, "to", &to, err);
    if (!rc && (rc = kt_opt_i64(o, no, "threads", threads, 1, KT_ACTX_THREADS_MAX, &threads, err))) err->code = rc = KT_EUSAGE;
    if (rc) return rc;
    cx->threads = (int)threads;
    cx->stats = kt_opt_get(o, no, "stats") != NULL;
    rc = kt_actx_open(kt_cli_data_dir(), &cx->a, err);
    if (!rc && as_of == KT_DAY_NONE) as_of = kt_actx_last_day(cx->a);
    if (!rc && as_of == KT_DAY_NONE) as_of = to; /* an empty store: the given --to, if any */
    cx->as_of = as_of;
    if (!rc)
        rc = kt_actx_filter(cx->a, as_of, from, to, kt_opt_get(o, no, "store"), kt_opt_get(o, no, "region"),
                            &cx->filter, err);
    if (rc) {
        kt_actx_close(cx->a);
        cx->a = NULL;
        return rc;
    }
    cx->out = kt_aout_new(kt_cli_out(), cx->format);
    kt_aout_meta_day(cx->out, "as_of", cx->as_of);
    return KT_OK;
}

int kt_acli_end(kt_acli *cx, kt_rc rc, kt_err *err) {
    if (cx->out && rc) {
        kt_aout_discard(cx->out);
        cx->out = NULL;
    }
    if (cx->out) {
        kt_err ferr = {0};
        kt_rc frc = kt_aout_finish(cx->out, &ferr);
        if (!rc && frc) { rc = frc; *err = ferr; }
        cx->out = NULL;
    }
    if (!rc && cx->stats && cx->a)
    {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        fprintf(stderr, "%llu receipts, %llu lines in the store; %d threads; %.3f s; peak memory %.1f MB%s\n",
                (unsigned long long)kt_actx_receipt_rows(cx->a), (unsigned long long)kt_actx_line_rows(cx->a),
                cx->threads, kt_mono_seconds() - cx->started, (double)ru.ru_maxrss / 1024.0,
                kt_actx_store_opened(cx->a) ? "" : "; operational store not opened");
    }
    kt_actx_close(cx->a);
    cx->a = NULL;
    return rc ? kt_cli_error(err) : 0;
}

kt_rc kt_acli_share(const kt_opt *o, size_t no, const char *name, double dflt, bool allow_edges, double *out,
                    kt_err *err) {
    const char *v = kt_opt_get(o, no, name);
    char field[40];
    snprintf(field, sizeof field, "--%s", name);
    *out = dflt;
    if (!v) return KT_OK;
    char *end;
    double x = strtod(v, &end);
    if (end == v || *end || x != x)
        return kt_fail(err, KT_EUSAGE, field, "want a number between 0 and 1, not \"%.40s\"", v);
    if (allow_edges ? (x < 0 || x > 1) : (x <= 0 || x >= 1))
        return kt_fail(err, KT_EUSAGE, field, "must be %s 0 and 1", allow_edges ? "between" : "strictly between");
    *out = x;
    return KT_OK;
}
