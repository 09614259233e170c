/*
 * t.h - the unit test harness. A test is
 *
 *     KT_TEST(csv_quotes) { ... KT_CHECK(x == 1); KT_CHECK_STR(a, "b"); ... }
 *
 * in any test_NAME.c file under tests/unit; tests register themselves at start-up and
 * tests/unit/main.c runs them all (or those whose name contains argv[1]).
 * A failed check prints file:line and the expression, and fails the test.
 */
#ifndef KT_T_H
#define KT_T_H
#include <stdio.h>
#include <string.h>

typedef void (*kt_test_fn)(void);
void kt_test_register(const char *name, kt_test_fn fn);
extern int kt_test_failed_checks;
/* Remove a test's temporary directory and everything in it (a failed check if it cannot). */
void kt_test_rmtree(const char *dir);

#define KT_TEST(name)                                                        \
    static void kt_test_##name(void);                                        \
    __attribute__((constructor)) static void kt_test_reg_##name(void) {      \
        kt_test_register(#name, kt_test_##name);                             \
    }                                                                        \
    static void kt_test_##name(void)

#define KT_CHECK(cond)                                                       \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            kt_test_failed_checks++;                                         \
        }                                                                    \
    } while (0)

#define KT_CHECK_INT(a, b)                                                   \
    do {                                                                     \
        long long a_ = (long long)(a), b_ = (long long)(b);                  \
        if (a_ != b_) {                                                      \
            fprintf(stderr, "  %s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, a_, b_); \
            kt_test_failed_checks++;                                         \
        }                                                                    \
    } while (0)

#define KT_CHECK_STR(a, b)                                                   \
    do {                                                                     \
        const char *a_ = (a), *b_ = (b);                                     \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                             \
            fprintf(stderr, "  %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
            kt_test_failed_checks++;                                         \
        }                                                                    \
    } while (0)

#endif
