/*
 * mhd_dl.c - libmicrohttpd loaded when `karta serve` starts, not when any
 * karta process starts. Linking it outright brings in GnuTLS and eight more
 * libraries whose loading and initialisation cost every command ~10 ms
 * (most of a short analysis). These are the MHD functions the server calls,
 * each forwarding to the library's own, looked up with dlopen/dlsym on the
 * first MHD_start_daemon. A function the server starts to call must be added
 * here (the link fails until it is).
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <microhttpd.h>

#define MHD_LIBRARY "libmicrohttpd.so.12"

static struct {
    struct MHD_Daemon *(*start_va)(unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *, MHD_AccessHandlerCallback,
                                   void *, va_list);
    void (*stop)(struct MHD_Daemon *);
    MHD_socket (*quiesce)(struct MHD_Daemon *);
    const union MHD_DaemonInfo *(*daemon_info)(struct MHD_Daemon *, enum MHD_DaemonInfoType, ...);
    int (*connection_values)(struct MHD_Connection *, enum MHD_ValueKind, MHD_KeyValueIterator, void *);
    const char *(*lookup)(struct MHD_Connection *, enum MHD_ValueKind, const char *);
    enum MHD_Result (*queue)(struct MHD_Connection *, unsigned int, struct MHD_Response *);
    struct MHD_Response *(*from_buffer)(size_t, void *, enum MHD_ResponseMemoryMode);
    void (*destroy)(struct MHD_Response *);
    enum MHD_Result (*add_header)(struct MHD_Response *, const char *, const char *);
    void (*suspend)(struct MHD_Connection *);
    void (*resume)(struct MHD_Connection *);
    int ok;
} mhd;

static pthread_once_t mhd_once = PTHREAD_ONCE_INIT;

static void mhd_load(void) {
    void *h = dlopen(MHD_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!h) h = dlopen("libmicrohttpd.so", RTLD_NOW | RTLD_LOCAL); /* the development link, if the name differs */
    if (!h) {
        fprintf(stderr, "karta: cannot load %s: %s\n", MHD_LIBRARY, dlerror());
        return;
    }
    int ok = 1;
#define SYM(field, name)                                        \
    do {                                                        \
        *(void **)&mhd.field = dlsym(h, name);                  \
        if (!mhd.field) {                                       \
            fprintf(stderr, "karta: %s has no %s\n", MHD_LIBRARY, name); \
            ok = 0;                                             \
        }                                                       \
    } while (0)
    SYM(start_va, "MHD_start_daemon_va");
    SYM(stop, "MHD_stop_daemon");
    SYM(quiesce, "MHD_quiesce_daemon");
    SYM(daemon_info, "MHD_get_daemon_info");
    SYM(connection_values, "MHD_get_connection_values");
    SYM(lookup, "MHD_lookup_connection_value");
    SYM(queue, "MHD_queue_response");
    SYM(from_buffer, "MHD_create_response_from_buffer");
    SYM(destroy, "MHD_destroy_response");
    SYM(add_header, "MHD_add_response_header");
    SYM(suspend, "MHD_suspend_connection");
    SYM(resume, "MHD_resume_connection");
#undef SYM
    mhd.ok = ok;
}

struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc, void *apc_cls,
                                    MHD_AccessHandlerCallback dh, void *dh_cls, ...) {
    pthread_once(&mhd_once, mhd_load);
    if (!mhd.ok) {
        errno = ELIBACC;
        return NULL;
    }
    va_list ap;
    va_start(ap, dh_cls);
    struct MHD_Daemon *d = mhd.start_va(flags, port, apc, apc_cls, dh, dh_cls, ap);
    va_end(ap);
    return d;
}

/* The functions below are only reached through a started daemon (loaded). */
void MHD_stop_daemon(struct MHD_Daemon *daemon) { mhd.stop(daemon); }
MHD_socket MHD_quiesce_daemon(struct MHD_Daemon *daemon) { return mhd.quiesce(daemon); }

/* Every info type the server asks for takes no further argument. */
const union MHD_DaemonInfo *MHD_get_daemon_info(struct MHD_Daemon *daemon, enum MHD_DaemonInfoType info_type, ...) {
    return mhd.daemon_info(daemon, info_type);
}

int MHD_get_connection_values(struct MHD_Connection *connection, enum MHD_ValueKind kind,
                              MHD_KeyValueIterator iterator, void *iterator_cls) {
    return mhd.connection_values(connection, kind, iterator, iterator_cls);
}

const char *MHD_lookup_connection_value(struct MHD_Connection *connection, enum MHD_ValueKind kind, const char *key) {
    return mhd.lookup(connection, kind, key);
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *connection, unsigned int status_code,
                                   struct MHD_Response *response) {
    return mhd.queue(connection, status_code, response);
}

struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buffer, enum MHD_ResponseMemoryMode mode) {
    return mhd.from_buffer(size, buffer, mode);
}

void MHD_destroy_response(struct MHD_Response *response) { mhd.destroy(response); }

enum MHD_Result MHD_add_response_header(struct MHD_Response *response, const char *header, const char *content) {
    return mhd.add_header(response, header, content);
}

void MHD_suspend_connection(struct MHD_Connection *connection) { mhd.suspend(connection); }

void MHD_resume_connection(struct MHD_Connection *connection) { mhd.resume(connection); }
