/*
 * fuzz_basket.c - libFuzzer entry for the checkout request parsers
 * (src/pos/basket.h): baskets and refunds. Any bytes: no crash, no leak; a
 * refusal names a JSON path; an accepted basket obeys every limit it checks
 * and its canonical form parses back to the same basket.
 */
#include "pos/basket.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kt_basket b, again;
    kt_refund_req r;
    kt_err err;
    kt_err_clear(&err);
    kt_rc rc = kt_basket_parse((const char *)data, size, &b, &err);
    if (rc) {
        KT_ASSERT(err.field[0] == '$' && err.msg[0]);
    } else {
        KT_ASSERT(b.nlines >= 1 && b.nlines <= KT_BASKET_LINES_MAX);
        for (size_t i = 0; i < b.nlines; i++) {
            KT_ASSERT(b.lines[i].qty_milli > 0 && b.lines[i].qty_milli <= KT_QTY_MILLI_MAX);
            KT_ASSERT(b.lines[i].amount_minor >= 0 && b.lines[i].price_minor >= 0);
        }
        KT_ASSERT(kt_basket_parse(b.canonical, strlen(b.canonical), &again, &err) == KT_OK);
        KT_ASSERT(again.nlines == b.nlines && strcmp(again.canonical, b.canonical) == 0);
        kt_basket_free(&again);
        kt_basket_free(&b);
    }
    kt_err_clear(&err);
    rc = kt_refund_parse((const char *)data, size, &r, &err);
    if (rc) KT_ASSERT(err.field[0] == '$' && err.msg[0]);
    else kt_refund_free(&r);
    return 0;
}
