/* Tests for the login limiter (src/web/web_limit.c): a pair's burst and
 * the attempt given back after a right password, the per-address ceiling
 * and its skip, threads taking at once never exceeding the limit, and a
 * flood of 100,000 other keys neither resetting a locked pair nor getting
 * more attempts than the table's bound. */
#include <pthread.h>

#include "../store/store_test_util.h"
#include "web/web_int.h"

#define L 5

static struct vigil_web *
limiter(struct vigil_web_config *cfg)
{
    struct vigil_web *w = calloc(1, sizeof(*w));

    assert_non_null(w);
    memset(cfg, 0, sizeof(*cfg));
    cfg->login_per_minute = L;
    w->cfg = cfg;
    pthread_mutex_init(&w->mu, NULL);
    return w;
}

static void
done(struct vigil_web *w)
{
    pthread_mutex_destroy(&w->mu);
    free(w);
}

static void
test_pair_and_ceiling(void **state)
{
    struct vigil_web_config cfg;
    struct vigil_web *w = limiter(&cfg);
    struct web_limit_ticket t;
    char name[32];

    (void)state;
    for (int i = 0; i < L; i++)
        assert_int_equal(web_limit_take(w, "192.0.2.1", "ana", 0, &t),
                         WEB_LIMIT_OK);
    assert_int_equal(web_limit_take(w, "192.0.2.1", "ana", 0, &t),
                     WEB_LIMIT_PAIR);
    /* the same name folded, the same pair */
    assert_int_equal(web_limit_take(w, "192.0.2.1", "ANA", 0, &t),
                     WEB_LIMIT_PAIR);
    /* another address, another user: their own buckets */
    assert_int_equal(web_limit_take(w, "192.0.2.2", "ana", 0, &t),
                     WEB_LIMIT_OK);
    assert_int_equal(web_limit_take(w, "192.0.2.1", "bob", 0, &t),
                     WEB_LIMIT_OK);
    /* a right password gives its attempt back */
    web_limit_give_back(w, &t);
    /* the ceiling: 4 L per address, L of them spent on ana */
    int ok = 0;
    for (int i = 0; i < 10 * L; i++) {
        snprintf(name, sizeof(name), "u%d", i);
        if (web_limit_take(w, "192.0.2.1", name, 0, &t) == WEB_LIMIT_OK)
            ok++;
    }
    assert_int_equal(ok, WEB_LIMIT_ADDRESS_FACTOR * L - L);
    assert_int_equal(web_limit_take(w, "192.0.2.1", "carol", 0, &t),
                     WEB_LIMIT_ADDRESS);
    assert_int_equal(web_limit_take(w, "192.0.2.1", "carol", 1, &t),
                     WEB_LIMIT_OK);
    /* an IPv6 /64 is one address for the ceiling */
    ok = 0;
    for (int i = 0; i < 10 * L; i++) {
        char a[64];
        snprintf(a, sizeof(a), "2001:db8::%x", i + 1);
        if (web_limit_take(w, a, "dave", 0, &t) == WEB_LIMIT_OK)
            ok++;
    }
    assert_int_equal(ok, L);
    done(w);
}

struct race {
    struct vigil_web *w;
    int ok;
};

static void *
racer(void *arg)
{
    struct race *r = arg;
    struct web_limit_ticket t;

    for (int i = 0; i < 50; i++)
        if (web_limit_take(r->w, "198.51.100.7", "adm", 0, &t) == WEB_LIMIT_OK)
            r->ok++;
    return NULL;
}

static void
test_threads(void **state)
{
    struct vigil_web_config cfg;
    struct vigil_web *w = limiter(&cfg);
    struct race r[8];
    pthread_t th[8];
    int ok = 0;

    (void)state;
    for (int i = 0; i < 8; i++) {
        r[i] = (struct race){w, 0};
        assert_int_equal(pthread_create(&th[i], NULL, racer, &r[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        ok += r[i].ok;
    }
    /* 400 attempts within far less than the 12 s refill interval */
    assert_int_equal(ok, L);
    done(w);
}

static void
test_flood(void **state)
{
    struct vigil_web_config cfg;
    struct vigil_web *w = limiter(&cfg);
    struct web_limit_ticket t;
    char a[64];
    long ok = 0;

    (void)state;
    for (int i = 0; i < L; i++)
        web_limit_take(w, "203.0.113.9", "adm", 0, &t);
    assert_int_equal(web_limit_take(w, "203.0.113.9", "adm", 0, &t),
                     WEB_LIMIT_PAIR);
    for (int i = 0; i < 100000; i++) {
        snprintf(a, sizeof(a), "10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255,
                 i & 255);
        if (web_limit_take(w, a, "adm", 0, &t) == WEB_LIMIT_OK)
            ok++;
    }
    /* the locked pair was not evicted into a fresh budget */
    assert_int_equal(web_limit_take(w, "203.0.113.9", "adm", 0, &t),
                     WEB_LIMIT_PAIR);
    /* each attempt that passed holds a way of its own or an overflow
     * bucket's token: the table's bound */
    assert_true(ok <= (long)WEB_LIMIT_SETS * (WEB_LIMIT_WAYS + L));
    assert_true(ok > 1000);
    done(w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pair_and_ceiling),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_flood),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
