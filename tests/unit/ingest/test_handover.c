/* test_handover.c -- what a reload passes from a running pipeline to the
 * one replacing it (vigil_ingest_adopt), driven through a test-only
 * source type: only a source with the same name and type is handed
 * anything, the new source's open receives it, a handover no source took
 * is released, and the new pipeline's counters go on from the old one's
 * last batch, not from what the store held when it was built. */
#include "vigil_test.h"

#include <stdatomic.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "ingest/ingest_int.h"

/* What the test sources do and saw. */
static struct {
    atomic_int gen;       /* bumped by feed: each running source ... */
    atomic_int n;         /* ... hands over this many events ... */
    atomic_int acks;      /* ... and counts itself here */
    int handed, released; /* hand_over calls that gave something */
    char got[4][128];     /* per open: the name whose token it inherited */
    int nopens;
} T;

/* A handover token: which source handed it. */
struct token {
    char name[128];
};

struct tsrc {
    const struct vigil_source_config *sc;
    struct token *inherited;
    int seen; /* the last gen handled */
    struct vigil_arena arena;
    struct vigil_event ev;
};

static enum vigil_rc
t_open(struct ingest_src *s, void **state, struct vigil_err *err)
{
    struct tsrc *t = calloc(1, sizeof(*t));

    *state = t;
    if (t == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    t->sc = ingest_src_config(s);
    t->seen = atomic_load(&T.gen);
    vigil_arena_init(&t->arena, 4096, 1 << 20);
    t->inherited = ingest_src_inherited(s);
    if (T.nopens < 4)
        snprintf(T.got[T.nopens++], sizeof(T.got[0]), "%s",
                 t->inherited ? t->inherited->name : "-");
    return VIGIL_OK;
}

/* Hands over the events each feed asks for in one batch, until
 * stopped. */
static void
t_run(struct ingest_src *s, void *state)
{
    struct tsrc *t = state;
    struct vigil_err err = {0};

    while (!ingest_src_stopping(s)) {
        int gen = atomic_load(&T.gen);
        if (gen != t->seen) {
            for (int i = 0; i < atomic_load(&T.n); i++) {
                vigil_arena_reset(&t->arena);
                vigil_event_init(&t->ev, &t->arena);
                vigil_event_push(&t->ev, "message", 7, "x", 1, VIGIL_F_STR);
                ingest_src_event(s, &t->ev, NULL);
            }
            ingest_src_flush(s, &err);
            t->seen = gen;
            atomic_fetch_add(&T.acks, 1);
        }
        ingest_sleep_ms(5);
    }
}

static void
t_close(void *state)
{
    struct tsrc *t = state;

    if (t == NULL)
        return;
    if (t->inherited != NULL) {
        T.released++;
        free(t->inherited);
    }
    vigil_arena_fini(&t->arena);
    free(t);
}

static void *
t_hand_over(void *state, const struct vigil_source_config *next)
{
    struct tsrc *t = state;
    struct token *k = calloc(1, sizeof(*k));

    if (k != NULL) {
        snprintf(k->name, sizeof(k->name), "%s", t->sc->name);
        (void)next;
        T.handed++;
    }
    return k;
}

static void
t_release(void *handed)
{
    T.released++;
    free(handed);
}

/* Registered as the stdin type: the configurations below name it. */
static const struct ingest_source_ops t_ops = {
    .type = "stdin",
    .open = t_open,
    .run = t_run,
    .close = t_close,
    .hand_over = t_hand_over,
    .release = t_release,
};
static const struct ingest_source_ops *const table[] = {&t_ops, NULL};

static char dir[256], dbpath[300];
static struct vigil_store *store;
static struct vigil_ingest_config old_cfg, new_cfg;

static void
sources(struct vigil_ingest_config *cfg, const char *a, const char *b)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->batch_lines = 100;
    cfg->batch_ms = 60 * 1000;
    cfg->poll_ms = 10;
    cfg->rescan_s = 1;
    cfg->nsources = 2;
    snprintf(cfg->sources[0].name, sizeof(cfg->sources[0].name), "%s", a);
    snprintf(cfg->sources[1].name, sizeof(cfg->sources[1].name), "%s", b);
    cfg->sources[0].type = cfg->sources[1].type = VIGIL_SOURCE_STDIN;
}

static int
setup(void **state)
{
    static const struct vigil_store_opts opts = {0};
    struct vigil_err err = {0};

    (void)state;
    memset(&T, 0, sizeof(T));
    snprintf(dir, sizeof(dir), "/tmp/vigil-handover-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(dbpath, sizeof(dbpath), "%s/vigil.db", dir);
    assert_int_equal(vigil_store_open(&store, dbpath, &opts, &err), VIGIL_OK);
    sources(&old_cfg, "a", "b");
    sources(&new_cfg, "b", "c");
    return 0;
}

static int
teardown(void **state)
{
    char p[400];

    (void)state;
    vigil_store_close(store);
    store = NULL;
    unlink(dbpath);
    snprintf(p, sizeof(p), "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", dbpath);
    unlink(p);
    rmdir(dir);
    return 0;
}

/* Asks the two running sources for n events each and waits until they
 * are stored. */
static void
feed(int n)
{
    struct vigil_err err = {0};

    atomic_store(&T.n, n);
    atomic_store(&T.acks, 0);
    atomic_fetch_add(&T.gen, 1);
    while (atomic_load(&T.acks) < 2)
        ingest_sleep_ms(5);
    assert_int_equal(vigil_store_flush(store, &err), VIGIL_OK);
}

static void
test_same_name_only(void **state)
{
    struct vigil_ingest *old = NULL, *fresh = NULL;
    struct vigil_err err = {0};

    (void)state;
    assert_int_equal(
        ingest_new_with(&old, &old_cfg, store, NULL, 0, table, &err), VIGIL_OK);
    assert_int_equal(vigil_ingest_start(old, &err), VIGIL_OK);
    assert_int_equal(
        ingest_new_with(&fresh, &new_cfg, store, NULL, 0, table, &err),
        VIGIL_OK);
    /* b is in both; a is gone and c is new. */
    assert_int_equal(vigil_ingest_adopt(fresh, old), 1);
    assert_int_equal(T.handed, 1);
    vigil_ingest_free(old);
    T.nopens = 0;
    assert_int_equal(vigil_ingest_start(fresh, &err), VIGIL_OK);
    assert_int_equal(T.nopens, 2);
    assert_string_equal(T.got[0], "b"); /* new b took old b's */
    assert_string_equal(T.got[1], "-"); /* c had nothing to take */
    vigil_ingest_free(fresh);
    assert_int_equal(T.released, 1); /* by the source that took it */
}

static void
test_not_started_releases(void **state)
{
    struct vigil_ingest *old = NULL, *fresh = NULL;
    struct vigil_err err = {0};

    (void)state;
    assert_int_equal(
        ingest_new_with(&old, &old_cfg, store, NULL, 0, table, &err), VIGIL_OK);
    assert_int_equal(vigil_ingest_start(old, &err), VIGIL_OK);
    assert_int_equal(
        ingest_new_with(&fresh, &new_cfg, store, NULL, 0, table, &err),
        VIGIL_OK);
    assert_int_equal(vigil_ingest_adopt(fresh, old), 1);
    /* A refused reload: the new pipeline is freed, never started. */
    vigil_ingest_free(fresh);
    assert_int_equal(T.released, 1);
    vigil_ingest_free(old);
}

static void
test_counters_go_on(void **state)
{
    struct vigil_ingest *old = NULL, *fresh = NULL;
    struct vigil_source_counters c[2];
    struct vigil_err err = {0};

    (void)state;
    assert_int_equal(
        ingest_new_with(&old, &old_cfg, store, NULL, 0, table, &err), VIGIL_OK);
    assert_int_equal(vigil_ingest_start(old, &err), VIGIL_OK);
    feed(5); /* a and b: 5 each */
    assert_int_equal(
        ingest_new_with(&fresh, &new_cfg, store, NULL, 0, table, &err),
        VIGIL_OK);
    vigil_ingest_adopt(fresh, old);
    feed(3); /* the old pipeline runs on while the new one is built */
    vigil_ingest_stop(old);
    assert_int_equal(vigil_store_flush(store, &err), VIGIL_OK);
    vigil_ingest_free(old);
    assert_int_equal(vigil_ingest_start(fresh, &err), VIGIL_OK);
    feed(1);
    vigil_ingest_stop(fresh);
    assert_int_equal(vigil_store_flush(store, &err), VIGIL_OK);
    assert_int_equal(vigil_ingest_counters(fresh, c, 2), 2);
    assert_string_equal(c[0].name, "b");
    assert_int_equal(c[0].events_in, 5 + 3 + 1);
    assert_string_equal(c[1].name, "c");
    assert_int_equal(c[1].events_in, 1);
    vigil_ingest_free(fresh);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_same_name_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_started_releases, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_counters_go_on, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
