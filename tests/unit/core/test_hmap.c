/* Tests for SipHash and the hash table: published vectors, full-key
 * comparison under forced collisions, growth, deletion, the bound, and
 * the value free callback. */
#include "vigil_test.h"

#include "core/core_int.h"

static void
test_siphash_vectors(void **state)
{
    uint8_t k[16], zero[16] = {0}, m[15];

    (void)state;
    for (int i = 0; i < 16; i++)
        k[i] = (uint8_t)i;
    for (int i = 0; i < 15; i++)
        m[i] = (uint8_t)i;
    /* the paper's example and the reference code's first vector */
    assert_true(vigil_siphash24(k, m, 15) == 0xa129ca6149be45e5ULL);
    assert_true(vigil_siphash24(k, m, 0) == 0x726fdb47dd0e0e31ULL);
    /* SipHash-1-3 as other implementations publish it */
    assert_true(vigil_siphash13(zero, "", 0) == 0xd1fba762150c532cULL);
    assert_true(vigil_siphash13(zero, "siphash", 7) == 0x8264ceeccb16bcbeULL);
    assert_true(vigil_siphash13(k, m, 0) == 0xabac0158050fc4dcULL);
}

static int freed;
static void
count_free(void *v)
{
    (void)v;
    freed++;
}

/* Every key hashes alike: only the bytes and the length tell them apart,
 * including a key that is a prefix of another and the empty key. */
static void
test_full_key_compare(void **state)
{
    struct vigil_hmap *m;
    struct vigil_err err = {0};
    static int a, b, c, e, l;
    char longk[100];

    (void)state;
    assert_int_equal(vigil_hmap_new(&m, 0, NULL, &err), VIGIL_OK);
    core_hmap_test_collide(m);
    memset(longk, 'x', sizeof(longk));
    assert_int_equal(vigil_hmap_put(m, "alice", 5, &a), VIGIL_OK);
    assert_int_equal(vigil_hmap_put(m, "alicf", 5, &b), VIGIL_OK);
    assert_int_equal(vigil_hmap_put(m, "alic", 4, &c), VIGIL_OK);
    assert_int_equal(vigil_hmap_put(m, "", 0, &e), VIGIL_OK);
    assert_int_equal(vigil_hmap_put(m, longk, sizeof(longk), &l), VIGIL_OK);
    assert_int_equal(vigil_hmap_count(m), 5);
    assert_ptr_equal(vigil_hmap_get(m, "alice", 5), &a);
    assert_ptr_equal(vigil_hmap_get(m, "alicf", 5), &b);
    assert_ptr_equal(vigil_hmap_get(m, "alic", 4), &c);
    assert_ptr_equal(vigil_hmap_get(m, "", 0), &e);
    assert_ptr_equal(vigil_hmap_get(m, longk, sizeof(longk)), &l);
    longk[99] = 'y'; /* a long key differing in its last byte */
    assert_null(vigil_hmap_get(m, longk, sizeof(longk)));
    assert_null(vigil_hmap_get(m, "alice!", 6));
    /* deleting one of the colliding keys leaves the others reachable */
    assert_int_equal(vigil_hmap_del(m, "alicf", 5), 1);
    assert_int_equal(vigil_hmap_del(m, "alicf", 5), 0);
    assert_null(vigil_hmap_get(m, "alicf", 5));
    assert_ptr_equal(vigil_hmap_get(m, "alic", 4), &c);
    assert_ptr_equal(vigil_hmap_get(m, "", 0), &e);
    vigil_hmap_free(m);
}

static void
test_growth_delete_iterate(void **state)
{
    struct vigil_hmap *m;
    struct vigil_err err = {0};
    char key[64];
    size_t pos = 0, seen = 0, klen;
    const void *k;
    void *v;

    (void)state;
    freed = 0;
    assert_int_equal(vigil_hmap_new(&m, 0, count_free, &err), VIGIL_OK);
    for (uintptr_t i = 1; i <= 10000; i++) {
        int n = snprintf(key, sizeof(key), "key-%lu", (unsigned long)i);
        assert_int_equal(vigil_hmap_put(m, key, (size_t)n, (void *)i),
                         VIGIL_OK);
    }
    assert_int_equal(vigil_hmap_count(m), 10000);
    /* replacing a value hands the old one to the callback */
    assert_int_equal(vigil_hmap_put(m, "key-1", 5, (void *)(uintptr_t)7),
                     VIGIL_OK);
    assert_int_equal(freed, 1);
    assert_int_equal(vigil_hmap_count(m), 10000);
    /* delete the odd ones while iterating */
    while (vigil_hmap_next(m, &pos, &k, &klen, &v)) {
        seen++;
        if ((uintptr_t)v % 2)
            assert_int_equal(vigil_hmap_del(m, k, klen), 1);
    }
    assert_int_equal(seen, 10000);
    assert_int_equal(vigil_hmap_count(m), 5000);
    assert_int_equal(freed, 1 + 5000);
    for (uintptr_t i = 1; i <= 10000; i++) {
        int n = snprintf(key, sizeof(key), "key-%lu", (unsigned long)i);
        void *got = vigil_hmap_get(m, key, (size_t)n);
        if (i % 2) /* key-1 too: its new value 7 is odd */
            assert_null(got);
        else
            assert_true(got == (void *)i);
    }
    /* tombstones are reused: churn does not grow the count */
    for (int r = 0; r < 50000; r++) {
        assert_int_equal(vigil_hmap_put(m, "churn", 5, (void *)1), VIGIL_OK);
        assert_int_equal(vigil_hmap_del(m, "churn", 5), 1);
    }
    assert_int_equal(vigil_hmap_count(m), 5000);
    vigil_hmap_free(m);
    assert_int_equal(freed, 1 + 5000 + 50000 + 5000);
    vigil_hmap_free(NULL);
}

static void
test_bound_and_refusals(void **state)
{
    struct vigil_hmap *m;
    struct vigil_err err = {0};

    (void)state;
    assert_int_equal(vigil_hmap_new(&m, 2, NULL, &err), VIGIL_OK);
    assert_int_equal(vigil_hmap_put(m, "a", 1, (void *)1), VIGIL_OK);
    assert_int_equal(vigil_hmap_put(m, "b", 1, (void *)2), VIGIL_OK);
    assert_int_equal(vigil_hmap_put(m, "c", 1, (void *)3), VIGIL_ELIMIT);
    /* replacing an existing key is not a new entry */
    assert_int_equal(vigil_hmap_put(m, "a", 1, (void *)4), VIGIL_OK);
    assert_int_equal(vigil_hmap_put(m, "d", 1, NULL), VIGIL_EINVAL);
    assert_int_equal(vigil_hmap_del(m, "b", 1), 1);
    assert_int_equal(vigil_hmap_put(m, "c", 1, (void *)3), VIGIL_OK);
    assert_int_equal(vigil_hmap_count(m), 2);
    vigil_hmap_free(m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_siphash_vectors),
        cmocka_unit_test(test_full_key_compare),
        cmocka_unit_test(test_growth_delete_iterate),
        cmocka_unit_test(test_bound_and_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
