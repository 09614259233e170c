/*
 * fuzz_member.c - libFuzzer entry for the member field parser
 * (members.h: kt_member_set), which the CLI, the importer and the HTTP API
 * all use. The first byte picks the field, the rest is the raw value. A value
 * it accepts must be accepted again from its own stored form (where the field
 * is a string) and leave the record in range; a refusal must say why.
 */
#include "members/members.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fields[] = {
    "member", "name", "sex", "birth_date", "city", "region", "family_status", "children",
    "car", "phone", "email", "registered", "reg_store", "favourite_category",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > 4096) return 0;
    const char *field = fields[data[0] % KT_ARRAY_LEN(fields)];
    char value[4100];
    memcpy(value, data + 1, size - 1);
    value[size - 1] = 0;
    kt_member m;
    kt_err err;
    kt_member_init(&m, 20000);
    kt_err_clear(&err);
    kt_rc rc = kt_member_set(&m, field, value, "fuzz", &err);
    if (rc) {
        KT_ASSERT(rc == KT_EINVAL && err.msg[0]);
        return 0;
    }
    KT_ASSERT(m.children >= -1 && m.children <= 20);
    KT_ASSERT(m.car >= -1 && m.car <= 1);
    KT_ASSERT(m.sex == 0 || m.sex == 'M' || m.sex == 'F');
    /* a normalised phone or e-mail is a fixed point */
    if (strcmp(field, "phone") == 0 && m.phone[0]) {
        char again[KT_PHONE_MAX];
        strcpy(again, m.phone);
        KT_ASSERT(kt_member_set(&m, "phone", again, "fuzz", &err) == KT_OK && strcmp(again, m.phone) == 0);
    }
    if (strcmp(field, "email") == 0 && m.email[0]) {
        char again[KT_EMAIL_MAX];
        strcpy(again, m.email);
        KT_ASSERT(kt_member_set(&m, "email", again, "fuzz", &err) == KT_OK && strcmp(again, m.email) == 0);
    }
    if (strcmp(field, "name") == 0) KT_ASSERT(kt_utf8_check(m.name, strlen(m.name)) == strlen(m.name));
    return 0;
}
