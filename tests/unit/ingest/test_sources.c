/* test_sources.c -- the shared machinery of the ingest pipeline, driven
 * through a test-only source type registered in the ops table: a source
 * that builds its events itself and hands them over with checkpoints, as
 * a packet or file-integrity source would. It has no batching, checkpoint
 * or recovery code of its own; these tests show the pipeline's does the
 * work: batches closed by size and by time, checkpoints stored with the
 * batch and found again by open, counters kept across runs, a failed
 * commit read again from the committed checkpoint (nothing lost, nothing
 * twice, nothing counted twice), a batch queued after a refused one
 * refused too, open's failures reported by vigil_ingest_start. */
#include "vigil_test.h"

#include <pthread.h>
#include <sqlite3.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "ingest/ingest_int.h"

#define MAX_EVENTS 64

/* What the test source does, set by each test. */
static struct {
    size_t total;          /* events 0..total-1, event i at position i */
    enum vigil_rc open_rc; /* open fails (or ends) with this */
    int until_committed;   /* at the end, wait for the store's verdict */
    int sleep_after;       /* due test: pause after this many events */
    /* Observed. */
    pthread_t open_thread;
    size_t start; /* where open resumed (the checkpoint) */
    int runs, rewinds, closes;
    size_t in_batch[MAX_EVENTS * 2]; /* events already in the batch */
    size_t ncalls;
    struct vigil_source_counters mid; /* published counters mid-run */
    int mid_set;
    int64_t t0, mid_ms; /* pipeline built; the "not due" look, after t0 */
    int bad_hook;       /* the hook saw a wrong name, id or time */
} T;

static char dir[256], dbpath[300];
static struct vigil_store *store;
static struct vigil_ingest *ing;
static sqlite3 *trap_db; /* holds the failure trigger, dropped on rewind */

struct evsrc {
    size_t pos; /* next event to hand over */
    struct vigil_arena arena;
    struct vigil_event ev;
    char text[32];
};

static void
resume(struct ingest_src *s, struct evsrc *e)
{
    struct vigil_checkpoint cp;

    e->pos = ingest_src_ckpt_get(s, "test:events", &cp) == VIGIL_OK
                 ? (size_t)cp.offset
                 : 0;
}

static enum vigil_rc
ev_open(struct ingest_src *s, void **state, struct vigil_err *err)
{
    struct evsrc *e = calloc(1, sizeof(*e));

    *state = e;
    T.open_thread = pthread_self();
    if (e == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    vigil_arena_init(&e->arena, 4096, 1 << 20);
    if (T.open_rc != VIGIL_OK)
        return T.open_rc == VIGIL_END
                   ? VIGIL_END
                   : vigil_err_set(err, T.open_rc, "test source: boom");
    resume(s, e);
    T.start = e->pos;
    return VIGIL_OK;
}

static void
ev_rewind(struct ingest_src *s, void *state)
{
    T.rewinds++;
    if (trap_db != NULL) {
        sqlite3_exec(trap_db, "DROP TRIGGER fail_from_20", NULL, NULL, NULL);
        sqlite3_close(trap_db);
        trap_db = NULL;
    }
    resume(s, state);
}

/* Hands over event pos; event pos is "ev-NNN" and the checkpoint after
 * it is pos + 1 -- except every fifth, handed over without one (the next
 * event's checkpoint covers it). */
static enum vigil_rc
hand_over(struct ingest_src *s, struct evsrc *e)
{
    struct vigil_checkpoint cp = {0};
    int n = snprintf(e->text, sizeof(e->text), "ev-%03zu", e->pos);

    vigil_arena_reset(&e->arena);
    vigil_event_init(&e->ev, &e->arena);
    vigil_event_push(&e->ev, "message", 7, e->text, (size_t)n, VIGIL_F_STR);
    e->ev.offset = e->pos + 1;
    snprintf(cp.key, sizeof(cp.key), "test:events");
    cp.offset = e->pos + 1;
    return ingest_src_event(s, &e->ev, e->pos % 5 == 2 ? NULL : &cp);
}

static void
ev_run(struct ingest_src *s, void *state)
{
    struct evsrc *e = state;
    struct vigil_err err = {0};

    T.runs++;
    while (!ingest_src_stopping(s)) {
        if (ingest_src_recover(s))
            continue;
        if (e->pos == T.total) {
            if (!T.until_committed)
                break;
            /* A source that must know its lines are stored before it
             * ends (a finished file) waits for the store's verdict. */
            ingest_src_flush(s, &err);
            vigil_store_flush(store, &err);
            if (!ingest_src_failed(s))
                break;
            continue;
        }
        if (hand_over(s, e) != VIGIL_OK)
            continue; /* not stored: recovery, then again */
        e->pos++;
        if (T.sleep_after != 0 && e->pos == (size_t)T.sleep_after) {
            ingest_src_flush_due(s, &err); /* not due yet */
            vigil_ingest_counters(ing, &T.mid, 1);
            T.mid_ms = ingest_mono_ms() - T.t0;
            usleep(400 * 1000);
            ingest_src_flush_due(s, &err); /* due now */
            vigil_store_flush(store, &err);
            T.mid_set = 1;
        }
    }
}

static void
ev_close(void *state)
{
    struct evsrc *e = state;

    T.closes++;
    if (e == NULL)
        return;
    vigil_arena_fini(&e->arena);
    free(e);
}

/* Registered under the name of the configuration's stdin type: the
 * configuration can only name the built-in types, and this table holds
 * nothing else, so the source configured as stdin runs this type. */
static const struct ingest_source_ops events_ops = {
    .type = "stdin",
    .open = ev_open,
    .run = ev_run,
    .rewind = ev_rewind,
    .close = ev_close,
};
static const struct ingest_source_ops *const table[] = {&events_ops, NULL};

/* The detection hook: notes how many events the batch held before each
 * event, and raises an alert on every event ending in 0 or 5. */
static enum vigil_rc
on_event(void *ctx, const struct vigil_event *ev, const char *source,
         struct vigil_store_batch *batch)
{
    struct vigil_alert a = {0};
    const struct vigil_field *f = &ev->fields[0];

    (void)ctx;
    /* Checked on the test's thread: cmocka cannot fail from this one. */
    if (strcmp(source, "events") != 0 || ev->source_id != 0 ||
        ev->time_ns == 0 /* the pipeline stamps it */)
        T.bad_hook++;
    if (T.ncalls < MAX_EVENTS * 2)
        T.in_batch[T.ncalls++] = vigil_store_batch_events(batch);
    if (f->text[f->text_len - 1] != '0' && f->text[f->text_len - 1] != '5')
        return VIGIL_OK;
    a.time_ns = ev->time_ns;
    a.rule_id = "test-rule";
    a.title = "every fifth";
    a.level = "low";
    a.event_json = "{}";
    return vigil_store_batch_add_alert(batch, &a);
}

static const struct vigil_detector det = {NULL, on_event, 0};

static struct vigil_ingest_config cfg;

static int
setup(void **state)
{
    static const struct vigil_store_opts opts = {.archive_events = 1};
    struct vigil_err err = {0};

    (void)state;
    memset(&T, 0, sizeof(T));
    T.open_rc = VIGIL_OK;
    snprintf(dir, sizeof(dir), "/tmp/vigil-sources-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(dbpath, sizeof(dbpath), "%s/vigil.db", dir);
    assert_int_equal(vigil_store_open(&store, dbpath, &opts, &err), VIGIL_OK);
    memset(&cfg, 0, sizeof(cfg));
    cfg.batch_lines = 10;
    cfg.batch_ms = 60 * 1000; /* only size and the end close batches */
    cfg.poll_ms = 10;
    cfg.rescan_s = 1;
    cfg.nsources = 1;
    snprintf(cfg.sources[0].name, sizeof(cfg.sources[0].name), "events");
    cfg.sources[0].type = VIGIL_SOURCE_STDIN;
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    vigil_ingest_free(ing);
    ing = NULL;
    vigil_store_close(store);
    store = NULL;
    unlink(dbpath);
    char p[400];
    snprintf(p, sizeof(p), "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", dbpath);
    unlink(p);
    rmdir(dir);
    return 0;
}

/* Runs the source once to its end and flushes the store. */
static void
run_once(void)
{
    struct vigil_err err = {0};

    vigil_ingest_free(ing);
    T.t0 = ingest_mono_ms();
    assert_int_equal(ingest_new_with(&ing, &cfg, store, &det, 1, table, &err),
                     VIGIL_OK);
    assert_int_equal(vigil_ingest_start(ing, &err), VIGIL_OK);
    vigil_ingest_wait(ing);
    assert_true(vigil_ingest_done(ing));
    vigil_ingest_stop(ing);
    assert_int_equal(vigil_store_flush(store, &err), VIGIL_OK);
    assert_int_equal(T.bad_hook, 0);
}

static int64_t
archived(void)
{
    int64_t events = 0, alerts = 0;
    struct vigil_err err = {0};

    assert_int_equal(vigil_store_count(store, &events, &alerts, &err),
                     VIGIL_OK);
    return events;
}

static uint64_t
committed_offset(void)
{
    struct vigil_checkpoint cp;
    struct vigil_err err = {0};

    assert_int_equal(
        vigil_store_checkpoint_get(store, "test:events", &cp, &err), VIGIL_OK);
    return cp.offset;
}

static int
count_json(const char *json, size_t len, void *arg)
{
    (void)json;
    (void)len;
    (*(int *)arg)++;
    return 0;
}

/* How many archived events say "ev-NNN". */
static int
archived_copies(size_t n)
{
    char needle[32];
    int got = 0;
    struct vigil_err err = {0};

    snprintf(needle, sizeof(needle), "\"ev-%03zu\"", n);
    assert_int_equal(
        vigil_store_events_each(store, needle, 0, 0, count_json, &got, &err),
        VIGIL_OK);
    return got;
}

static void
test_batches_checkpoints_counters(void **state)
{
    struct vigil_source_counters c;

    (void)state;
    T.total = 25;
    run_once();
    /* open ran on the caller's thread, run once, and found no checkpoint. */
    assert_true(pthread_equal(T.open_thread, pthread_self()));
    assert_int_equal(T.runs, 1);
    assert_int_equal(T.start, 0);
    /* Batches of batch_lines events: the hook saw 0..9, 0..9, 0..4. */
    assert_int_equal(T.ncalls, 25);
    for (size_t i = 0; i < 25; i++)
        assert_int_equal(T.in_batch[i], i % 10);
    /* Counters: in, decoded and the alerts the hook added. */
    assert_int_equal(vigil_ingest_counters(ing, &c, 1), 1);
    assert_string_equal(c.name, "events");
    assert_int_equal(c.events_in, 25);
    assert_int_equal(c.decoded, 25);
    assert_int_equal(c.failed, 0);
    assert_int_equal(c.alerts, 5);
    /* Stored: every event once, the checkpoint after the last one. */
    assert_int_equal(archived(), 25);
    assert_int_equal(committed_offset(), 25);
    for (size_t i = 0; i < 25; i++)
        assert_int_equal(archived_copies(i), 1);

    /* A second run resumes at the committed checkpoint, and its counters
     * go on from the stored ones. */
    T.total = 30;
    T.ncalls = 0;
    run_once();
    assert_int_equal(T.start, 25);
    assert_int_equal(T.ncalls, 5);
    vigil_ingest_counters(ing, &c, 1);
    assert_int_equal(c.events_in, 30);
    assert_int_equal(c.alerts, 6);
    assert_int_equal(archived(), 30);
    assert_int_equal(committed_offset(), 30);
    vigil_ingest_free(ing);
    ing = NULL;
    assert_int_equal(T.closes, 2);
}

static void
test_flush_when_due(void **state)
{
    (void)state;
    cfg.batch_lines = 1000;
    cfg.batch_ms = 300;
    T.total = 5;
    T.sleep_after = 3;
    run_once();
    assert_true(T.mid_set);
    /* Before batch_time nothing was submitted (unless this machine was
     * too slow to look in time); after it the three events were. */
    if (T.mid_ms < cfg.batch_ms)
        assert_int_equal(T.mid.events_in, 0);
    assert_int_equal(T.in_batch[3], 0); /* the fourth opened a new batch */
    assert_int_equal(archived(), 5);
    assert_int_equal(committed_offset(), 5);
}

/* The counters stored for the source "events". */
static int
stored_row(const struct vigil_source_counters *c, int64_t updated_ns, void *arg)
{
    (void)updated_ns;
    if (strcmp(c->name, "events") == 0)
        *(struct vigil_source_counters *)arg = *c;
    return 0;
}

static void
assert_counted_once(uint64_t n)
{
    struct vigil_source_counters c, st = {0};
    struct vigil_err err = {0};

    vigil_ingest_counters(ing, &c, 1);
    assert_int_equal(c.events_in, n);
    assert_int_equal(c.decoded, n);
    assert_int_equal(c.alerts, n / 5); /* every event ending in 0 or 5 */
    assert_int_equal(vigil_store_counters_each(store, stored_row, &st, &err),
                     VIGIL_OK);
    assert_int_equal(st.events_in, n);
    assert_int_equal(st.decoded, n);
}

static void
test_failed_commit_read_again(void **state)
{
    char *msg = NULL;

    (void)state;
    /* From the batch whose checkpoint is 20 on, the store refuses every
     * batch (as with a full disk) until the source rewinds. */
    assert_int_equal(sqlite3_open(dbpath, &trap_db), SQLITE_OK);
    sqlite3_busy_timeout(trap_db, 5000);
    assert_int_equal(
        sqlite3_exec(trap_db,
                     "CREATE TRIGGER fail_from_20 BEFORE INSERT ON "
                     "checkpoints WHEN NEW.offset >= 20 BEGIN "
                     "SELECT RAISE(ABORT, 'injected'); END",
                     NULL, NULL, &msg),
        SQLITE_OK);
    T.total = 30;
    T.until_committed = 1;
    run_once();
    assert_null(trap_db);
    assert_true(T.rewinds >= 1);
    /* Nothing lost, nothing twice. */
    assert_int_equal(committed_offset(), 30);
    assert_int_equal(archived(), 30);
    for (size_t i = 0; i < 30; i++)
        assert_int_equal(archived_copies(i), 1);
    /* Events read again are not counted again. */
    assert_counted_once(30);
}

/* Holds the database's write lock for a while, so the batches the
 * source submits meanwhile are committed as one group. */
static void *
hold_write_lock(void *arg)
{
    sqlite3 *db = NULL;

    (void)arg;
    if (sqlite3_open(dbpath, &db) == SQLITE_OK &&
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK) {
        usleep(500 * 1000);
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    }
    sqlite3_close(db);
    return NULL;
}

/* Only the batch whose checkpoint is 20 is refused, in a group with the
 * next one. The store retries them one by one; the next one must not
 * commit (its checkpoint would skip events 10..19): it is refused as
 * well, and both are read again. */
static void
test_later_batch_refused(void **state)
{
    char *msg = NULL;
    pthread_t th;

    (void)state;
    assert_int_equal(sqlite3_open(dbpath, &trap_db), SQLITE_OK);
    sqlite3_busy_timeout(trap_db, 5000);
    assert_int_equal(
        sqlite3_exec(trap_db,
                     "CREATE TRIGGER fail_from_20 BEFORE INSERT ON "
                     "checkpoints WHEN NEW.offset = 20 BEGIN "
                     "SELECT RAISE(ABORT, 'injected'); END",
                     NULL, NULL, &msg),
        SQLITE_OK);
    assert_int_equal(pthread_create(&th, NULL, hold_write_lock, NULL), 0);
    usleep(100 * 1000);
    T.total = 30;
    T.until_committed = 1;
    run_once();
    pthread_join(th, NULL);
    assert_true(T.rewinds >= 1);
    assert_int_equal(committed_offset(), 30);
    assert_int_equal(archived(), 30);
    for (size_t i = 0; i < 30; i++)
        assert_int_equal(archived_copies(i), 1);
    assert_counted_once(30);
}

static void
test_open_fails(void **state)
{
    struct vigil_err err = {0};

    (void)state;
    T.open_rc = VIGIL_EIO;
    assert_int_equal(ingest_new_with(&ing, &cfg, store, &det, 0, table, &err),
                     VIGIL_OK);
    assert_int_equal(vigil_ingest_start(ing, &err), VIGIL_EIO);
    assert_non_null(strstr(err.msg, "boom"));
    assert_int_equal(T.runs, 0);
    vigil_ingest_free(ing);
    ing = NULL;
    assert_int_equal(T.closes, 1); /* the half-open state is freed */
}

static void
test_open_nothing_to_read(void **state)
{
    struct vigil_err err = {0};

    (void)state;
    T.open_rc = VIGIL_END;
    assert_int_equal(ingest_new_with(&ing, &cfg, store, &det, 0, table, &err),
                     VIGIL_OK);
    assert_int_equal(vigil_ingest_start(ing, &err), VIGIL_OK);
    assert_true(vigil_ingest_done(ing));
    assert_int_equal(T.runs, 0);
}

static void
test_unknown_type(void **state)
{
    struct vigil_err err = {0};

    (void)state;
    cfg.sources[0].type = VIGIL_SOURCE_FILE;
    assert_int_equal(ingest_new_with(&ing, &cfg, store, &det, 0, table, &err),
                     VIGIL_EINVAL);
    assert_null(ing);
    assert_non_null(strstr(err.msg, "unknown type 'file'"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_batches_checkpoints_counters,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush_when_due, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_commit_read_again, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_later_batch_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_open_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_nothing_to_read, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unknown_type, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
