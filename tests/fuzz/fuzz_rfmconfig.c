/*
 * fuzz_rfmconfig.c - libFuzzer entry for the RFM configuration document
 * (kt_rfm_config_parse, docs/analytics.md). A document either parses or fails
 * with KT_EINVAL and a message naming a JSON path; one that parses has
 * strictly ascending breaks, 1..64 segments with valid ranges and unique
 * names, and every one of the 125 score triples finds its segment.
 */
#include "analytics/rfm.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    kt_rfm_config c;
    kt_err err = {0};
    kt_rfm_config_default(&c);
    kt_rc rc = kt_rfm_config_parse((const char *)data, size, &c, &err);
    if (rc) {
        if (rc != KT_EINVAL && rc != KT_EUSAGE) abort();
        if (!err.msg[0]) abort();
        kt_rfm_config_free(&c);
        return 0;
    }
    for (int d = 0; d < 3; d++)
        if (c.has_breaks[d])
            for (int i = 1; i < 4; i++)
                if (c.breaks[d][i] <= c.breaks[d][i - 1]) abort();
    if (c.nsegments < 1 || c.nsegments > KT_RFM_SEGMENTS_MAX) abort();
    for (size_t i = 0; i < c.nsegments; i++) {
        const kt_rfm_segment *s = &c.segments[i];
        if (!s->name || !s->name[0] || strlen(s->name) >= KT_RFM_SEGMENT_NAME_MAX) abort();
        if (s->r_min < 1 || s->r_max > 5 || s->r_min > s->r_max) abort();
        if (s->f_min < 1 || s->f_max > 5 || s->f_min > s->f_max) abort();
        if (s->m_min < 1 || s->m_max > 5 || s->m_min > s->m_max) abort();
        for (size_t j = 0; j < i; j++)
            if (!strcmp(c.segments[j].name, s->name)) abort();
    }
    for (int r = 1; r <= 5; r++)
        for (int f = 1; f <= 5; f++)
            for (int m = 1; m <= 5; m++) {
                bool found = false;
                for (size_t i = 0; i < c.nsegments && !found; i++) {
                    const kt_rfm_segment *s = &c.segments[i];
                    found = r >= s->r_min && r <= s->r_max && f >= s->f_min && f <= s->f_max && m >= s->m_min &&
                            m <= s->m_max;
                }
                if (!found) abort();
            }
    kt_rfm_config_free(&c);
    return 0;
}
