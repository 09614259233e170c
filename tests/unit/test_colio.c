/* test_colio.c - column files past the page cache: what a stream is given is
 * what the file holds, written with O_DIRECT where the file system takes it,
 * and through the page cache when it refuses the writes (EINVAL), without a
 * byte lost or an error. */
#include "t.h"
#include "cols/colio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define PIECE 65549u                    /* appends of an odd size: blocks never line up with them */
#define TOTAL (5u * (1u << 19) + 100u)  /* 2.5 MiB and a tail: two full buffers and a part */

static uint8_t pattern(size_t i) { return (uint8_t)(i * 7 % 251); }

/* Whether this directory's file system takes O_DIRECT at open. */
static int takes_direct(const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/probe", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_DIRECT, 0666);
    if (fd >= 0) close(fd);
    unlink(path);
    return fd >= 0;
}

/* One stream of a 32-byte head and TOTAL bytes of pattern; the file checked
 * byte for byte; the counts of bytes written each way returned. */
static void stream_once(const char *dir, int refuse, unsigned long long *direct, unsigned long long *cached) {
    char path[4096];
    snprintf(path, sizeof path, "%s/col-%d", dir, refuse);
    kt_colio *io = kt_colio_new();
    if (refuse) kt_colio_test_refuse_direct(io);
    kt_err err = {0};
    const char head[32] = "colio test head";
    kt_colstream *s;
    KT_CHECK_INT(kt_colstream_open(io, path, head, sizeof head, false, &s, &err), KT_OK);
    uint8_t *data = malloc(TOTAL);
    for (size_t i = 0; i < TOTAL; i++) data[i] = pattern(i);
    for (size_t at = 0; at < TOTAL; at += PIECE)
        KT_CHECK_INT(kt_colstream_append(s, data + at, TOTAL - at < PIECE ? TOTAL - at : PIECE, &err), KT_OK);
    KT_CHECK_INT(kt_colstream_close(s, &err), KT_OK);
    KT_CHECK_INT(kt_colio_drain(io, &err), KT_OK);
    kt_colio_counts(io, direct, cached);
    kt_colio_free(io);

    FILE *f = fopen(path, "rb");
    KT_CHECK(f != NULL);
    if (!f) { free(data); return; }
    uint8_t *back = malloc(TOTAL + 64);
    size_t n = fread(back, 1, TOTAL + 64, f);
    fclose(f);
    KT_CHECK_INT(n, sizeof head + TOTAL);
    KT_CHECK(memcmp(back, head, sizeof head) == 0);
    KT_CHECK(n == sizeof head + TOTAL && memcmp(back + sizeof head, data, TOTAL) == 0);
    KT_CHECK_INT(*direct + *cached, sizeof head + TOTAL);
    free(back);
    free(data);
}

KT_TEST(colio_direct_and_refused) {
    char tmpl[] = "/tmp/kt-colio-XXXXXX";
    char *dir = mkdtemp(tmpl);
    KT_CHECK(dir != NULL);
    if (!dir) return;
    if (!takes_direct(dir)) {
        /* the refusal below would never be reached: the stream opens without O_DIRECT */
        printf("\n**** SKIPPED unit colio_direct_and_refused: %s does not take O_DIRECT ****\n\n", dir);
        kt_test_rmtree(dir);
        return;
    }
    unsigned long long direct, cached;
    /* taken: the two full 1 MiB buffers go direct, the tail (the last, part-filled buffer) through the cache */
    stream_once(dir, 0, &direct, &cached);
    KT_CHECK_INT(direct, 2u << 20);
    KT_CHECK_INT(cached, 32 + TOTAL - (2u << 20));
    /* refused at the first write: the same file, every byte through the page cache */
    stream_once(dir, 1, &direct, &cached);
    KT_CHECK_INT(direct, 0);
    KT_CHECK_INT(cached, 32 + TOTAL);
    kt_test_rmtree(dir);
}
