/* vigil_test.h -- what every unit test needs besides cmocka: where the
 * shared corpus is, a clear skip line when it is absent, and an exit
 * status CTest understands: 77 (skipped) when a case called skip() and
 * none failed, so a missing corpus or tool never passes silently. */
#ifndef VIGIL_TEST_H
#define VIGIL_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

/* Cases that called skip() in this program. */
static int vigil_test_skipped;

#undef skip
#define skip() (vigil_test_skipped++, _skip(__FILE__, __LINE__))

/* Failed cases -> 1, else skipped cases -> 77 (SKIP_RETURN_CODE), else 0. */
static inline int
vigil_test_status(int failed)
{
    if (failed != 0)
        return 1;
    return vigil_test_skipped ? 77 : 0;
}

#undef cmocka_run_group_tests
#define cmocka_run_group_tests(group, setup, teardown)                         \
    vigil_test_status(_cmocka_run_group_tests(                                 \
        #group, group, sizeof(group) / sizeof((group)[0]), setup, teardown))

/* The corpus root: $VIGIL_CORPUS, else ../shared/data from the checkout. */
static inline const char *
vigil_test_corpus(void)
{
    const char *c = getenv("VIGIL_CORPUS");
    return c && *c ? c : "../shared/data";
}

/* Writes <corpus>/<rel> into dst; returns 1 if it exists, else prints a
 * skip line and returns 0. */
static inline int
vigil_test_corpus_path(char *dst, size_t n, const char *rel)
{
    struct stat st;

    snprintf(dst, n, "%s/%s", vigil_test_corpus(), rel);
    if (stat(dst, &st) == 0)
        return 1;
    printf("SKIP: corpus file %s is absent (set VIGIL_CORPUS)\n", dst);
    return 0;
}

/* Use at the top of a test: skips it when the corpus file is missing. */
#define VIGIL_NEED_CORPUS(dst, rel)                                            \
    do {                                                                       \
        if (!vigil_test_corpus_path((dst), sizeof(dst), (rel))) {              \
            skip();                                                            \
            return;                                                            \
        }                                                                      \
    } while (0)

#endif
