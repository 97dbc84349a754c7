/* Tests for the store's writer thread: group commit from several
 * producers, exact counts after flush, a failing batch among good ones,
 * close committing what was queued, and a read-only store reading while
 * the writer writes. */
#include <pthread.h>
#include <stdatomic.h>

#include "store_test_util.h"

static const struct vigil_store_opts archive = {.archive_events = 1};
static const struct vigil_store_opts readonly = {.readonly = 1};

#define PRODUCERS 2
#define BATCHES   500 /* per producer */
#define PER_BATCH 100 /* events per batch: 2 x 500 x 100 = 100k events */

struct done_log {
    atomic_int ok, failed;
    atomic_long order_bad; /* batches of one producer done out of order */
    atomic_int last[PRODUCERS];
};

struct producer {
    struct vigil_store *s;
    struct done_log *log;
    int id;
    enum vigil_rc rc;
};

static struct done_log *g_done; /* set before the producers start */

/* The done argument encodes producer and batch number. */
static void
on_done(enum vigil_rc rc, const char *msg, void *arg)
{
    intptr_t v = (intptr_t)arg;

    (void)msg;
    if (rc == VIGIL_OK)
        atomic_fetch_add(&g_done->ok, 1);
    else
        atomic_fetch_add(&g_done->failed, 1);
    /* Per producer, batches finish in the order they were submitted. */
    if ((int)(v % BATCHES) != atomic_load(&g_done->last[v / BATCHES]) + 1)
        atomic_fetch_add(&g_done->order_bad, 1);
    atomic_store(&g_done->last[v / BATCHES], (int)(v % BATCHES));
}

static void *
produce(void *arg)
{
    struct producer *p = arg;
    struct st_ev *e = st_ev_new();
    struct vigil_checkpoint cp;
    struct vigil_err err = {0};
    int i, k;

    memset(&cp, 0, sizeof(cp));
    snprintf(cp.key, sizeof(cp.key), "file:/producer/%d", p->id);
    p->rc = VIGIL_OK;
    for (i = 0; i < BATCHES && p->rc == VIGIL_OK; i++) {
        struct vigil_store_batch *b = vigil_store_batch_new();
        for (k = 0; k < PER_BATCH; k++) {
            int n = (p->id * BATCHES + i) * PER_BATCH + k;
            assert_int_equal(
                vigil_store_batch_add_event(
                    b,
                    st_ev_make(e, VIGIL_NS_PER_SEC * (1700000000 + n), n,
                               "session opened for user root"),
                    cp.key),
                VIGIL_OK);
        }
        cp.offset = (uint64_t)(i + 1) * 1000;
        assert_int_equal(vigil_store_batch_set_checkpoint(b, &cp), 0);
        p->rc = vigil_store_submit(
            p->s, b, on_done, (void *)(intptr_t)(p->id * BATCHES + i), &err);
    }
    st_ev_free(e);
    return NULL;
}

static void
test_group_commit_two_producers(void **state)
{
    char dir[64], path[256];
    struct vigil_store *s = NULL;
    struct vigil_err err = {0};
    struct producer p[PRODUCERS];
    pthread_t th[PRODUCERS];
    struct vigil_checkpoint cp;
    struct done_log dl;
    int i;

    (void)state;
    memset(&dl, 0, sizeof(dl));
    for (i = 0; i < PRODUCERS; i++)
        atomic_store(&dl.last[i], -1);
    g_done = &dl;
    st_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/store.db", dir);
    assert_int_equal(vigil_store_open(&s, path, &archive, &err), VIGIL_OK);
    for (i = 0; i < PRODUCERS; i++) {
        p[i].s = s;
        p[i].log = &dl;
        p[i].id = i;
        assert_int_equal(pthread_create(&th[i], NULL, produce, &p[i]), 0);
    }
    for (i = 0; i < PRODUCERS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(p[i].rc, VIGIL_OK);
    }
    assert_int_equal(vigil_store_flush(s, &err), VIGIL_OK);
    assert_int_equal(atomic_load(&dl.ok), PRODUCERS * BATCHES);
    assert_int_equal(atomic_load(&dl.failed), 0);
    assert_int_equal(atomic_load(&dl.order_bad), 0);
    assert_int_equal(st_events(s), PRODUCERS * BATCHES * PER_BATCH);
    for (i = 0; i < PRODUCERS; i++) {
        char key[64];
        snprintf(key, sizeof(key), "file:/producer/%d", i);
        assert_int_equal(vigil_store_checkpoint_get(s, key, &cp, &err), 0);
        assert_int_equal(cp.offset, BATCHES * 1000);
    }
    vigil_store_close(s);

    /* The count survives close and re-open, and matches a real scan. */
    s = NULL;
    assert_int_equal(vigil_store_open(&s, path, &readonly, &err), VIGIL_OK);
    assert_int_equal(st_events(s), PRODUCERS * BATCHES * PER_BATCH);
    vigil_store_close(s);
    st_rmtree(dir);
}

struct rc_log {
    enum vigil_rc rc[8];
    char msg[8][256];
    int n;
};

static void
record_rc(enum vigil_rc rc, const char *msg, void *arg)
{
    struct rc_log *x = arg;

    x->rc[x->n] = rc;
    snprintf(x->msg[x->n], sizeof(x->msg[0]), "%s", msg ? msg : "");
    x->n++;
}

static struct vigil_store_batch *
batch_of(int n, int bad_alert, const char *key, uint64_t offset)
{
    struct vigil_store_batch *b = vigil_store_batch_new();
    struct st_ev *e = st_ev_new();
    struct vigil_checkpoint cp;
    struct vigil_alert a = {
        1,   bad_alert ? "boom" : "r", "t", "low", NULL, "{}", NULL, NULL, NULL,
        NULL};
    int i;

    for (i = 0; i < n; i++)
        assert_int_equal(
            vigil_store_batch_add_event(b, st_ev_make(e, 1, i, "m"), "src"), 0);
    assert_int_equal(vigil_store_batch_add_alert(b, &a), 0);
    memset(&cp, 0, sizeof(cp));
    snprintf(cp.key, sizeof(cp.key), "%s", key);
    cp.offset = offset;
    assert_int_equal(vigil_store_batch_set_checkpoint(b, &cp), 0);
    st_ev_free(e);
    return b;
}

/* A done callback that holds the writer thread until released, so the
 * batches submitted meanwhile are stored as one group. */
struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int open;
};

static void
wait_at_gate(enum vigil_rc rc, const char *msg, void *arg)
{
    struct gate *g = arg;

    (void)rc;
    (void)msg;
    pthread_mutex_lock(&g->mu);
    while (!g->open)
        pthread_cond_wait(&g->cv, &g->mu);
    pthread_mutex_unlock(&g->mu);
}

static atomic_int group_failed_logs;

static void
count_logs(enum vigil_log_level level, int id, const char *msg, void *arg)
{
    (void)level;
    (void)msg;
    (void)arg;
    if (id == 1402) /* STORE_LOG_GROUP_FAILED */
        atomic_fetch_add(&group_failed_logs, 1);
}

static void
test_failing_batch_among_good(void **state)
{
    char dir[64], path[256];
    struct vigil_store *s = NULL;
    struct vigil_err err = {0};
    struct vigil_checkpoint cp;
    struct rc_log log;
    int round;

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/store.db", dir);
    assert_int_equal(vigil_store_open(&s, path, &archive, &err), VIGIL_OK);
    if (!st_inject_failure(path)) {
        printf("SKIP: sqlite3 CLI absent, no failure injected\n");
        vigil_store_close(s);
        st_rmtree(dir);
        skip();
    }
    vigil_log_set(count_logs, NULL, VIGIL_LOG_DEBUG);
    for (round = 0; round < 2; round++) {
        struct gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                         0};
        memset(&log, 0, sizeof(log));
        /* Round 0 holds the writer so the next three form one group. */
        if (round == 0)
            assert_int_equal(vigil_store_submit(s, batch_of(1, 0, "g", 1),
                                                wait_at_gate, &g, &err),
                             0);
        /* Whether the writer groups them or not, the good ones are
         * stored and the bad one (its alert's insert fails, see
         * st_inject_failure) fails whole, with the database's word. */
        assert_int_equal(vigil_store_submit(s, batch_of(10, 0, "a", 1),
                                            record_rc, &log, &err),
                         0);
        assert_int_equal(vigil_store_submit(s, batch_of(20, 1, "b", 2),
                                            record_rc, &log, &err),
                         0);
        assert_int_equal(vigil_store_submit(s, batch_of(30, 0, "c", 3),
                                            record_rc, &log, &err),
                         0);
        pthread_mutex_lock(&g.mu);
        g.open = 1;
        pthread_cond_broadcast(&g.cv);
        pthread_mutex_unlock(&g.mu);
        vigil_err_clear(&err);
        assert_int_equal(vigil_store_flush(s, &err), VIGIL_ESTORE);
        if (round == 0) /* the group failed and was retried singly */
            assert_int_equal(atomic_load(&group_failed_logs), 1);
        assert_non_null(strstr(err.msg, "1 submitted batch(es) failed"));
        assert_non_null(strstr(err.msg, "injected failure"));
        assert_int_equal(log.n, 3);
        assert_int_equal(log.rc[0], VIGIL_OK);
        assert_int_equal(log.rc[1], VIGIL_ESTORE);
        assert_string_equal(log.msg[1],
                            "store: storing an alert: injected failure");
        assert_int_equal(log.rc[2], VIGIL_OK);
        /* The failure is reported once. */
        vigil_err_clear(&err);
        assert_int_equal(vigil_store_flush(s, &err), VIGIL_OK);
    }
    vigil_log_set(NULL, NULL, VIGIL_LOG_INFO);
    assert_int_equal(st_events(s), 2 * 40 + 1);
    assert_int_equal(st_alerts(s), 2 * 2 + 1);
    assert_int_equal(vigil_store_checkpoint_get(s, "b", &cp, &err),
                     VIGIL_ENOTFOUND);
    assert_int_equal(vigil_store_checkpoint_get(s, "c", &cp, &err), 0);
    assert_int_equal(cp.offset, 3);
    vigil_store_close(s);
    st_rmtree(dir);
}

static void
test_close_commits_queue(void **state)
{
    char dir[64], path[256];
    struct vigil_store *s = NULL;
    struct vigil_err err = {0};
    int i;

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/store.db", dir);
    assert_int_equal(vigil_store_open(&s, path, &archive, &err), VIGIL_OK);
    /* More batches than the queue holds: submit must block, not fail. */
    for (i = 0; i < 200; i++)
        assert_int_equal(
            vigil_store_submit(s, batch_of(5, 0, "k", (uint64_t)i + 1), NULL,
                               NULL, &err),
            VIGIL_OK);
    vigil_store_close(s);
    s = NULL;
    assert_int_equal(vigil_store_open(&s, path, &archive, &err), VIGIL_OK);
    assert_int_equal(st_events(s), 200 * 5);
    assert_int_equal(st_alerts(s), 200);
    vigil_store_close(s);
    st_rmtree(dir);
}

struct bg_writer {
    struct vigil_store *s;
    atomic_int stop;
    int batches;
};

static void *
write_until_stopped(void *arg)
{
    struct bg_writer *w = arg;
    struct vigil_err err = {0};

    while (!atomic_load(&w->stop) || w->batches < 20) {
        assert_int_equal(
            vigil_store_submit(w->s,
                               batch_of(50, 0, "bg", (uint64_t)w->batches + 1),
                               NULL, NULL, &err),
            VIGIL_OK);
        w->batches++;
    }
    return NULL;
}

static void
test_readonly_while_writing(void **state)
{
    char dir[64], path[256];
    struct vigil_store *s = NULL, *ro = NULL;
    struct vigil_err err = {0};
    struct bg_writer w;
    pthread_t th;
    int64_t last = 0, now;
    int i, grew = 0;

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/store.db", dir);
    assert_int_equal(vigil_store_open(&s, path, &archive, &err), VIGIL_OK);
    assert_int_equal(vigil_store_open(&ro, path, &readonly, &err), VIGIL_OK);
    memset(&w, 0, sizeof(w));
    w.s = s;
    assert_int_equal(pthread_create(&th, NULL, write_until_stopped, &w), 0);
    /* Reads never fail or go backwards while the writer commits. */
    for (i = 0; i < 200; i++) {
        now = st_events(ro);
        assert_true(now >= last);
        assert_true(now % 50 == 0); /* only whole batches are visible */
        grew += now > last;
        last = now;
        usleep(1000);
    }
    atomic_store(&w.stop, 1);
    pthread_join(th, NULL);
    assert_int_equal(vigil_store_flush(s, &err), VIGIL_OK);
    assert_int_equal(st_events(ro), (int64_t)w.batches * 50);
    assert_true(grew > 0);
    vigil_store_close(ro);
    vigil_store_close(s);
    st_rmtree(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_commit_two_producers),
        cmocka_unit_test(test_failing_batch_among_good),
        cmocka_unit_test(test_close_commits_queue),
        cmocka_unit_test(test_readonly_while_writing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
