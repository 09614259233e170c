/* main.c - runs every registered unit test; prints one line per test and a
 * closing "N passed, N failed". Exit status 1 if any failed. */
#include "t.h"
#include <stdlib.h>

#define KT_TESTS_MAX 4096
static struct { const char *name; kt_test_fn fn; } tests[KT_TESTS_MAX];
static int ntests;
int kt_test_failed_checks;

void kt_test_register(const char *name, kt_test_fn fn) {
    if (ntests == KT_TESTS_MAX) { fprintf(stderr, "too many tests\n"); abort(); }
    tests[ntests].name = name;
    tests[ntests].fn = fn;
    ntests++;
}

void kt_test_rmtree(const char *dir) {
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    KT_CHECK(system(cmd) == 0);
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv) {
    int passed = 0, failed = 0;
    qsort(tests, (size_t)ntests, sizeof tests[0], by_name);
    for (int i = 0; i < ntests; i++) {
        if (argc > 1 && !strstr(tests[i].name, argv[1])) continue;
        int before = kt_test_failed_checks;
        tests[i].fn();
        if (kt_test_failed_checks == before) { passed++; printf("ok   unit %s\n", tests[i].name); }
        else { failed++; printf("FAIL unit %s\n", tests[i].name); }
        fflush(stdout);
    }
    printf("unit: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
