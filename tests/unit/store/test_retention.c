/* Tests for archive retention: by age, by total size, both, with exact
 * remaining counts, across more rows than one deletion chunk. */
#include <pthread.h>

#include "store_test_util.h"

#define N 5000 /* more than two retention chunks */

static int64_t t0;    /* 2024-03-01T00:00:00Z */
static size_t ev_len; /* every test event's JSON has this length */

/* Archives events 0..N-1, event i at t0 + i seconds, committed in
 * blocks of 500 with the newest block first so time order is not
 * insertion order. */
static void
fill(struct vigil_store *s)
{
    struct st_ev *e = st_ev_new();
    struct vigil_err err = {0};
    int blk, i;

    for (blk = N / 500 - 1; blk >= 0; blk--) {
        struct vigil_store_batch *b = vigil_store_batch_new();
        for (i = blk * 500; i < blk * 500 + 500; i++) {
            struct vigil_event *ev =
                st_ev_make(e, t0 + (int64_t)i * VIGIL_NS_PER_SEC, i,
                           "pam_unix(sshd:session): session closed");
            if (ev_len == 0)
                ev_len = st_json_len(ev);
            assert_int_equal(st_json_len(ev), ev_len);
            assert_int_equal(vigil_store_batch_add_event(b, ev, "auth"), 0);
        }
        assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);
    }
    st_ev_free(e);
    assert_int_equal(st_events(s), N);
}

struct first {
    char user[8];
    int n;
};

static int
count_and_first(const char *json, size_t len, void *arg)
{
    struct first *f = arg;
    const char *u = strstr(json, "\"user.name\":\"");

    (void)len;
    if (f->n++ == 0)
        snprintf(f->user, sizeof(f->user), "%.7s", u + 13);
    return 0;
}

static struct first
scan(struct vigil_store *s)
{
    struct vigil_err err = {0};
    struct first f;

    memset(&f, 0, sizeof(f));
    assert_int_equal(
        vigil_store_events_each(s, NULL, 0, 0, count_and_first, &f, &err), 0);
    return f;
}

static struct vigil_store *
open_with(const char *dir, int64_t age_s, int64_t max_bytes)
{
    struct vigil_store_opts o = {.archive_events = 1,
                                 .archive_max_age_s = age_s,
                                 .archive_max_bytes = max_bytes};
    struct vigil_store *s = NULL;
    struct vigil_err err = {0};
    char path[256];

    snprintf(path, sizeof(path), "%s/store.db", dir);
    assert_int_equal(vigil_store_open(&s, path, &o, &err), VIGIL_OK);
    return s;
}

static void
test_by_age(void **state)
{
    struct vigil_store *s;
    struct vigil_err err = {0};
    struct first f;
    int64_t deleted = -1;
    char dir[64];

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    s = open_with(dir, 1000, 0);
    fill(s);
    /* Now is t0 + 4000 s: events before t0 + 3000 s are too old. */
    assert_int_equal(vigil_store_apply_retention(
                         s, t0 + 4000 * VIGIL_NS_PER_SEC, &deleted, &err),
                     VIGIL_OK);
    assert_int_equal(deleted, 3000);
    assert_int_equal(st_events(s), 2000);
    f = scan(s);
    assert_int_equal(f.n, 2000);
    assert_string_equal(f.user, "u003000");

    /* Applying it again at the same time deletes nothing. */
    assert_int_equal(vigil_store_apply_retention(
                         s, t0 + 4000 * VIGIL_NS_PER_SEC, &deleted, &err),
                     VIGIL_OK);
    assert_int_equal(deleted, 0);
    assert_int_equal(st_events(s), 2000);
    vigil_store_close(s);
    st_rmtree(dir);
}

static void
test_by_size(void **state)
{
    struct vigil_store *s;
    struct vigil_err err = {0};
    struct first f;
    int64_t deleted = -1;
    char dir[64];

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    ev_len = 0;
    s = open_with(dir, 0, 0);
    fill(s);
    vigil_store_close(s);

    /* Room for 1000.5 events: the oldest 4000 go, 1000 stay. */
    s = open_with(dir, 0, (int64_t)(1000 * ev_len + ev_len / 2));
    assert_int_equal(vigil_store_apply_retention(s, t0 + 10 * VIGIL_NS_PER_SEC,
                                                 &deleted, &err),
                     VIGIL_OK);
    assert_int_equal(deleted, 4000);
    assert_int_equal(st_events(s), 1000);
    f = scan(s);
    assert_int_equal(f.n, 1000);
    assert_string_equal(f.user, "u004000");
    assert_int_equal(vigil_store_apply_retention(s, 0, &deleted, &err),
                     VIGIL_OK);
    assert_int_equal(deleted, 0);
    vigil_store_close(s);

    /* Exactly at the limit keeps everything; one byte less drops one. */
    s = open_with(dir, 0, (int64_t)(1000 * ev_len));
    assert_int_equal(vigil_store_apply_retention(s, 0, &deleted, &err), 0);
    assert_int_equal(deleted, 0);
    vigil_store_close(s);
    s = open_with(dir, 0, (int64_t)(1000 * ev_len - 1));
    assert_int_equal(vigil_store_apply_retention(s, 0, &deleted, &err), 0);
    assert_int_equal(deleted, 1);
    f = scan(s);
    assert_int_equal(f.n, 999);
    assert_string_equal(f.user, "u004001");
    vigil_store_close(s);
    st_rmtree(dir);
}

static void
test_age_then_size(void **state)
{
    struct vigil_store *s;
    struct vigil_err err = {0};
    struct first f;
    int64_t deleted = -1;
    char dir[64];

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    ev_len = 0;
    /* Age keeps events from t0 + 1000 s on (4000); size keeps 2500. */
    s = open_with(dir, 4000, 0);
    fill(s);
    vigil_store_close(s);
    s = open_with(dir, 4000, (int64_t)(2500 * ev_len));
    assert_int_equal(vigil_store_apply_retention(
                         s, t0 + 5000 * VIGIL_NS_PER_SEC, &deleted, &err),
                     VIGIL_OK);
    assert_int_equal(deleted, 2500);
    f = scan(s);
    assert_int_equal(f.n, 2500);
    assert_string_equal(f.user, "u002500");
    assert_int_equal(st_events(s), 2500);
    vigil_store_close(s);
    st_rmtree(dir);
}

struct feeder {
    struct vigil_store *s;
    int batches;
};

/* Submits batches of 100 events at increasing times. */
static void *
feed(void *arg)
{
    struct feeder *f = arg;
    struct st_ev *e = st_ev_new();
    struct vigil_err err = {0};
    int i, k;

    for (i = 0; i < f->batches; i++) {
        struct vigil_store_batch *b = vigil_store_batch_new();
        for (k = 0; k < 100; k++) {
            int n = i * 100 + k;
            assert_int_equal(
                vigil_store_batch_add_event(
                    b,
                    st_ev_make(e, t0 + (int64_t)n * VIGIL_NS_PER_SEC, n,
                               "pam_unix(sshd:session): session closed"),
                    "auth"),
                0);
        }
        assert_int_equal(vigil_store_submit(f->s, b, NULL, NULL, &err), 0);
    }
    st_ev_free(e);
    return NULL;
}

/* Retention running while the writer thread stores batches keeps the
 * running totals exact: afterwards they match a scan, and the archive
 * holds exactly the newest events that fit. */
static void
test_while_writing(void **state)
{
    struct vigil_store *s;
    struct vigil_err err = {0};
    struct feeder f;
    struct first fi;
    pthread_t th;
    int64_t deleted, total = 0;
    char dir[64], want[8];
    int i;

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    ev_len = 0;
    {
        struct st_ev *e = st_ev_new();
        ev_len = st_json_len(st_ev_make(e, t0, 0,
                                        "pam_unix(sshd:session): "
                                        "session closed"));
        st_ev_free(e);
    }
    s = open_with(dir, 0, (int64_t)(3000 * ev_len));
    f.s = s;
    f.batches = 150; /* 15000 events */
    assert_int_equal(pthread_create(&th, NULL, feed, &f), 0);
    for (i = 0; i < 50; i++) {
        assert_int_equal(vigil_store_apply_retention(s, 0, &deleted, &err), 0);
        total += deleted;
        usleep(2000);
    }
    pthread_join(th, NULL);
    assert_int_equal(vigil_store_flush(s, &err), VIGIL_OK);
    assert_int_equal(vigil_store_apply_retention(s, 0, &deleted, &err), 0);
    total += deleted;
    assert_int_equal(total, 12000);
    assert_int_equal(st_events(s), 3000);
    fi = scan(s);
    assert_int_equal(fi.n, 3000);
    snprintf(want, sizeof(want), "u%06d", 12000);
    assert_string_equal(fi.user, want);
    vigil_store_close(s);
    st_rmtree(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_by_age),
        cmocka_unit_test(test_by_size),
        cmocka_unit_test(test_age_then_size),
        cmocka_unit_test(test_while_writing),
    };

    t0 = vigil_time_from_utc(2024, 3, 1, 0, 0, 0, 0);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
