/*
 * fuzz_http.c - libFuzzer entry for the server's own request parsing
 * (src/server): the route matcher and the member documents of POST and
 * PATCH /v1/members. The first byte picks which; for the matcher the rest is
 * "METHOD\nPATH". A match must name a route of that method whose path
 * parameters are non-empty single segments; a member document is accepted or
 * refused with a JSON path, never crashing or leaking.
 */
#include "server/server_int.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > 8192) return 0;
    if (data[0] & 1) {
        char buf[8200], scratch[4096];
        memcpy(buf, data + 1, size - 1);
        buf[size - 1] = 0;
        char *nl = strchr(buf, '\n');
        if (!nl) return 0;
        *nl = 0;
        const char *method = buf, *path = nl + 1;
        const char *param[KT_HTTP_PARAMS_MAX] = {0};
        bool known = false;
        size_t r = kt_server_route_find(method, path, scratch, sizeof scratch, param, &known);
        KT_ASSERT(r <= kt_routes_count);
        if (r < kt_routes_count) {
            KT_ASSERT(strcmp(kt_routes[r].method, method) == 0);
            for (int i = 0; i < KT_HTTP_PARAMS_MAX && param[i]; i++) KT_ASSERT(param[i][0] && !strchr(param[i], '/'));
        }
        return 0;
    }
    kt_member m;
    kt_err err;
    json_t *o = NULL;
    kt_member_init(&m, 20000);
    kt_err_clear(&err);
    kt_rc rc = kt_server_member_doc((const char *)data + 1, size - 1, (data[0] & 2) != 0, &m, &o, &err);
    if (rc) KT_ASSERT(err.msg[0] && err.field[0]);
    json_decref(o);
    return 0;
}
