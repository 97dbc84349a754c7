/* Tests for overflow-checked array growth. */
#include "vigil_test.h"

#include "core/core.h"

static void
test_grow(void **state)
{
    int *v = NULL;
    size_t n = 0, cap = 0;

    (void)state;
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(VIGIL_GROW(v, n, cap), VIGIL_OK);
        assert_true(cap > n);
        v[n++] = i;
    }
    for (int i = 0; i < 1000; i++)
        assert_int_equal(v[i], i);
    /* new room is zeroed */
    assert_int_equal(vigil_grow(&v, &cap, cap + 1, sizeof(*v), 0), VIGIL_OK);
    assert_int_equal(v[n], 0);
    assert_int_equal(v[cap - 1], 0);
    free(v);
}

static void
test_overflow_refused(void **state)
{
    struct big {
        char b[1 << 20];
    } *v = NULL;
    size_t cap = 0;
    void *p;

    (void)state;
    /* need * elsize wraps size_t: refused before any allocation */
    assert_int_equal(vigil_grow(&v, &cap, SIZE_MAX / 1024, sizeof(*v), 0),
                     VIGIL_ELIMIT);
    assert_null(v);
    assert_int_equal(cap, 0);
    p = malloc(16);
    assert_null(vigil_reallocarray(p, SIZE_MAX / 2, 4));
    /* p is untouched by the refusal */
    memset(p, 1, 16);
    p = vigil_reallocarray(p, 8, 4);
    assert_non_null(p);
    free(p);
    /* the bound is a count of elements */
    {
        int *w = NULL;
        size_t wc = 0;
        assert_int_equal(vigil_grow(&w, &wc, 10, sizeof(*w), 16), VIGIL_OK);
        assert_int_equal(wc, 16);
        assert_int_equal(vigil_grow(&w, &wc, 17, sizeof(*w), 16), VIGIL_ELIMIT);
        assert_int_equal(wc, 16);
        free(w);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow),
        cmocka_unit_test(test_overflow_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
