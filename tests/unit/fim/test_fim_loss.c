/* Tests for the data-loss stores (fim_loss.c) on a real store: the daemon's
 * tick never waits for a measurement (it runs on the stores' thread, whose
 * detection is delivered while the ticking thread goes on), fim_store_history
 * keeps only what `within` needs (older rows and rows past the cap go), and
 * the counters `vigil status` shows follow the measurements. */
#include "vigil_test.h"

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "fim/fim_loss.h"

struct held {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int entered, release, ndetect;
    pthread_t who;
    char title[512];
};

static enum vigil_rc
hold_detect(void *arg, const struct vigil_fim_detection *d)
{
    struct held *h = arg;
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 5;
    pthread_mutex_lock(&h->mu);
    h->entered = 1;
    h->ndetect++;
    h->who = pthread_self();
    snprintf(h->title, sizeof(h->title), "%s", d->title);
    pthread_cond_broadcast(&h->cv);
    /* like a bus that is slow to take it: the tick must not wait */
    while (!h->release)
        if (pthread_cond_timedwait(&h->cv, &h->mu, &until) != 0)
            break;
    pthread_mutex_unlock(&h->mu);
    return VIGIL_OK;
}

static struct vigil_store *
open_store(char *dir, size_t len)
{
    static const struct vigil_store_schema *const schemas[] = {
        &vigil_fim_schema};
    struct vigil_store_opts so = {.schemas = schemas, .nschemas = 1};
    struct vigil_store *s = NULL;
    struct vigil_err err = {0};
    char db[300];

    snprintf(dir, len, "/tmp/vigil-fimloss-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof(db), "%s/vigil.db", dir);
    assert_int_equal(vigil_store_open(&s, db, &so, &err), VIGIL_OK);
    return s;
}

static void
write_file(const char *path, size_t n)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    for (size_t i = 0; i < n; i++)
        fputc('x', f);
    fclose(f);
}

/* Removes what open_store and the tests made. */
static void
clean(const char *dir)
{
    static const char *const names[] = {"recs/a.pdf",   "recs",
                                        "vigil.db",     "vigil.db-wal",
                                        "vigil.db-shm", "vigil.db-journal"};
    char p[300];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
        (void)remove(p);
    }
    (void)rmdir(dir);
}

static int
one_int(const struct vigil_store_value *c, size_t n, void *arg)
{
    if (n >= 1 && c[0].type == VIGIL_SV_INT)
        *(int64_t *)arg = c[0].i;
    return 0;
}

static int64_t
rows(struct vigil_store *s, const char *store)
{
    struct vigil_store_value v = vigil_sv_text(store);
    struct vigil_err err = {0};
    int64_t n = -1;

    assert_int_equal(vigil_store_query(s,
                                       "SELECT count(*) FROM "
                                       "fim_store_history WHERE store = ?",
                                       &v, 1, one_int, &n, &err),
                     VIGIL_OK);
    return n;
}

static void
config(struct vigil_fim_config *cfg, const char *folder)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->nstores = 1;
    snprintf(cfg->stores[0].name, sizeof(cfg->stores[0].name), "recs");
    cfg->stores[0].kind = VIGIL_FIM_STORE_FOLDER;
    snprintf(cfg->stores[0].target, sizeof(cfg->stores[0].target), "%s",
             folder);
    cfg->stores[0].drop_permille = 100;
    cfg->stores[0].within_s = 3600;
    cfg->stores[0].interval_s = 1;
}

/* A measurement that alerts hands its detection over from the stores'
 * thread: the tick has returned (and could tick again) while the sink
 * still holds it. Measured on the tick, the tick would be the sink's
 * caller and wait the sink's 5 s. */
static void
test_off_the_tick(void **state)
{
    char dir[64], folder[128];
    struct vigil_fim_config cfg;
    struct vigil_err err = {0};
    struct fim_loss *l = NULL;
    struct held h = {.mu = PTHREAD_MUTEX_INITIALIZER,
                     .cv = PTHREAD_COND_INITIALIZER};
    struct vigil_fim_sink sink = {NULL, hold_detect, NULL, &h};
    struct vigil_store *s = open_store(dir, sizeof(dir));
    struct vigil_store_value v[4];
    struct vigil_fim_monitor_stats st;
    struct timespec t0, t1;

    (void)state;
    snprintf(folder, sizeof(folder), "%s/recs", dir);
    assert_int_equal(mkdir(folder, 0755), 0);
    char p[200];
    snprintf(p, sizeof(p), "%s/a.pdf", folder);
    write_file(p, 1000);
    config(&cfg, folder);
    /* a minute ago the store held far more: the first measurement alerts */
    v[0] = vigil_sv_text("recs");
    v[1] = vigil_sv_int(vigil_time_now() - 60 * VIGIL_NS_PER_SEC);
    v[2] = vigil_sv_int(100000);
    v[3] = vigil_sv_int(100);
    assert_int_equal(vigil_store_exec(s,
                                      "INSERT INTO fim_store_history "
                                      "(store, at_ns, bytes, items) VALUES "
                                      "(?, ?, ?, ?)",
                                      v, 4, NULL, &err),
                     VIGIL_OK);
    assert_int_equal(fim_loss_new(&l, &cfg, s, &err), VIGIL_OK);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    fim_loss_tick(l, &sink);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* the tick came back at once, before the sink let go */
    assert_true((t1.tv_sec - t0.tv_sec) * 1000 +
                    (t1.tv_nsec - t0.tv_nsec) / 1000000 <
                2000);
    pthread_mutex_lock(&h.mu);
    while (!h.entered)
        pthread_cond_wait(&h.cv, &h.mu);
    assert_false(pthread_equal(h.who, pthread_self()));
    assert_non_null(strstr(h.title, "store recs lost"));
    h.release = 1;
    pthread_cond_broadcast(&h.cv);
    pthread_mutex_unlock(&h.mu);
    /* the counters `vigil status` shows */
    for (int i = 0; i < 100; i++) {
        fim_loss_stats(l, &st);
        if (st.stores[0].alerts == 1)
            break;
        usleep(20000);
    }
    fim_loss_stats(l, &st);
    assert_int_equal(st.nstores, 1);
    assert_string_equal(st.stores[0].name, "recs");
    assert_true(st.stores[0].measured >= 1);
    assert_int_equal(st.stores[0].alerts, 1);
    assert_int_equal(st.stores[0].items, 1);
    assert_int_equal(st.stores[0].bytes, 1000);
    assert_true(st.stores[0].last_at > 0);
    fim_loss_free(l); /* stops the thread */
    vigil_store_close(s);
    clean(dir);
}

/* Rows older than max(2 x within, a day) go, and past FIM_LOSS_ROWS_MAX
 * the oldest go; what `within` needs stays. */
static void
test_prune(void **state)
{
    char dir[64], folder[128];
    struct vigil_fim_config cfg;
    struct vigil_err err = {0};
    struct fim_loss *l = NULL;
    struct vigil_fim_sink sink = {0};
    struct vigil_store *s = open_store(dir, sizeof(dir));
    struct vigil_store_value v[3];
    int64_t now = vigil_time_now();
    int64_t day = 86400 * VIGIL_NS_PER_SEC;

    (void)state;
    snprintf(folder, sizeof(folder), "%s/recs", dir);
    assert_int_equal(mkdir(folder, 0755), 0);
    config(&cfg, folder);
    /* 10 rows 3 days old, 10 from 2 hours ago, and another store's old */
    v[0] = vigil_sv_text("recs");
    for (int i = 0; i < 20; i++) {
        v[1] = vigil_sv_int(i < 10 ? now - 3 * day + i
                                   : now - 7200 * VIGIL_NS_PER_SEC + i);
        assert_int_equal(vigil_store_exec(s,
                                          "INSERT INTO fim_store_history "
                                          "(store, at_ns, bytes, items) "
                                          "VALUES (?, ?, 0, 0)",
                                          v, 2, NULL, &err),
                         VIGIL_OK);
    }
    v[0] = vigil_sv_text("other");
    v[1] = vigil_sv_int(now - 3 * day);
    assert_int_equal(vigil_store_exec(s,
                                      "INSERT INTO fim_store_history "
                                      "(store, at_ns, bytes, items) "
                                      "VALUES (?, ?, 0, 0)",
                                      v, 2, NULL, &err),
                     VIGIL_OK);
    assert_int_equal(fim_loss_new(&l, &cfg, s, &err), VIGIL_OK);
    (void)fim_loss_run_due(l, &sink, now);
    /* the old ones went; the 10 of 2 h ago and the new one stay */
    assert_int_equal(rows(s, "recs"), 11);
    assert_int_equal(rows(s, "other"), 1); /* not ours */
    fim_loss_free(l);

    /* past the cap (a fresh instance checks it at once) */
    v[0] = vigil_sv_text("recs");
    v[1] = vigil_sv_int(now - 3600 * VIGIL_NS_PER_SEC);
    v[2] = vigil_sv_int(FIM_LOSS_ROWS_MAX + 100);
    assert_int_equal(
        vigil_store_exec(s,
                         "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT "
                         "n + 1 FROM c WHERE n < ?3) INSERT INTO "
                         "fim_store_history (store, at_ns, bytes, items) "
                         "SELECT ?1, ?2 + n, 0, 0 FROM c",
                         v, 3, NULL, &err),
        VIGIL_OK);
    assert_int_equal(rows(s, "recs"), 11 + FIM_LOSS_ROWS_MAX + 100);
    assert_int_equal(fim_loss_new(&l, &cfg, s, &err), VIGIL_OK);
    (void)fim_loss_run_due(l, &sink, now + VIGIL_NS_PER_SEC);
    assert_int_equal(rows(s, "recs"), FIM_LOSS_ROWS_MAX);
    fim_loss_free(l);
    vigil_store_close(s);
    clean(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_off_the_tick),
        cmocka_unit_test(test_prune),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
