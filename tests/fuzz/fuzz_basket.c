/*
 * fuzz_basket.c - libFuzzer entry for the checkout request parsers
 * (src/pos/basket.h): baskets and refunds. Any bytes: no crash, no leak; a
 * refusal names a JSON path; an accepted basket obeys every limit it checks
 * and its canonical form parses back to the same basket; the parser's fast
 * path and the jansson path agree on every document (accepted or not, and on
 * every field and the canonical text of an accepted one).
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
    kt_basket slow;
    kt_err serr;
    kt_rc src = kt_basket_parse_json((const char *)data, size, &slow, &serr);
    KT_ASSERT((rc == KT_OK) == (src == KT_OK));
    if (rc) {
        KT_ASSERT(rc == src && strcmp(err.field, serr.field) == 0 && strcmp(err.msg, serr.msg) == 0);
    } else {
        KT_ASSERT(strcmp(b.canonical, slow.canonical) == 0);
        KT_ASSERT(strcmp(b.store, slow.store) == 0 && strcmp(b.receipt, slow.receipt) == 0);
        KT_ASSERT(strcmp(b.card, slow.card) == 0 && strcmp(b.phone, slow.phone) == 0);
        KT_ASSERT(b.at == slow.at && b.offset_min == slow.offset_min && b.redeem == slow.redeem);
        KT_ASSERT(b.ncoupons == slow.ncoupons && b.nlines == slow.nlines);
        for (size_t i = 0; i < b.ncoupons; i++) KT_ASSERT(strcmp(b.coupons[i], slow.coupons[i]) == 0);
        for (size_t i = 0; i < b.nlines; i++)
            KT_ASSERT(strcmp(b.lines[i].sku, slow.lines[i].sku) == 0 && b.lines[i].qty_milli == slow.lines[i].qty_milli &&
                      b.lines[i].price_minor == slow.lines[i].price_minor && b.lines[i].amount_minor == slow.lines[i].amount_minor);
        kt_basket_free(&slow);
    }
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
