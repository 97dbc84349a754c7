/* test_corr_state.c -- correlation groups saved and read back: a group
 * moved to another engine (the reload's hand-over) or written into store
 * batches and restored by a new session (a restart) goes on counting where
 * it was; a changed rule does not take the old state; malformed rows (they
 * come from disk) are refused field by field; the batch that saves a group
 * is the batch of the event that changed it, and a group the tick closes
 * is deleted from the store. */
#include <stdlib.h>
#include <unistd.h>

#include "vigil_test.h"

#include "core/core_int.h"
#include "detect/detect.h"
#include "detect/detect_int.h"
#include "store/store.h"

#define S ((int64_t)1000000000)

static const char base[] =
    "title: Failed logon\nid: fail-1\nname: failed_logon\n"
    "logsource:\n  product: test\n"
    "detection:\n  sel:\n    EventID: 4625\n  condition: sel\n"
    "---\n";

static const char brute3[] =
    "title: Brute force\nid: bf-1\ncorrelation:\n"
    "  type: event_count\n  rules:\n    - failed_logon\n"
    "  group-by:\n    - TargetUserName\n  timespan: 5m\n"
    "  condition:\n    gte: 3\n";

static const char spray3[] =
    "title: Spraying\nid: sp-1\ncorrelation:\n"
    "  type: value_count\n  rules:\n    - failed_logon\n"
    "  group-by:\n    - IpAddress\n  timespan: 5m\n"
    "  condition:\n    field: TargetUserName\n    gte: 3\n";

static int64_t suppress_ns; /* for the engines built next */

static struct vigil_detect *
engine(const char *corr)
{
    struct vigil_detect *d = NULL;
    struct vigil_err err = {0};
    char buf[2048];
    int n = snprintf(buf, sizeof(buf), "%s%s", base, corr);

    struct vigil_detect_opts o;

    /* a window is raised at the tick after its condition holds */
    memset(&o, 0, sizeof(o));
    o.corr_quiet_ns = -1;
    o.corr_suppress_ns = suppress_ns;
    assert_int_equal(vigil_detect_new(&d, &o, &err), VIGIL_OK);
    assert_int_equal(vigil_detect_add_mem(d, "c.yml", buf, (size_t)n, &err),
                     VIGIL_OK);
    assert_int_equal(vigil_detect_compile(d, &err), VIGIL_OK);
    return d;
}

static int ncorr;

static enum vigil_rc
on_alert(const struct vigil_detect_alert *a, void *arg)
{
    (void)arg;
    if (a->rule->kind == VIGIL_RULE_CORRELATION)
        ncorr++;
    return VIGIL_OK;
}

static void
feed(struct vigil_detect_session *s, struct vigil_store_batch *b, int64_t t,
     const char *user, const char *ip)
{
    static struct vigil_event ev;
    struct vigil_arena a;

    vigil_arena_init(&a, 4096, 1 << 20);
    vigil_event_init(&ev, &a);
    ev.time_ns = (t + 1000) * S;
    vigil_event_add_strz(&ev, "EventID", "4625");
    vigil_event_add_strz(&ev, "TargetUserName", user);
    vigil_event_add_strz(&ev, "IpAddress", ip);
    assert_int_equal(
        vigil_detect_session_match_in(s, &ev, "auth", b, on_alert, NULL),
        VIGIL_OK);
    assert_int_equal(vigil_detect_session_close_in(s, b, 0, on_alert, NULL),
                     VIGIL_OK);
    vigil_arena_fini(&a);
}

static struct vigil_detect_session *
session(struct vigil_detect *d)
{
    struct vigil_detect_session *s = NULL;
    struct vigil_err err = {0};

    assert_int_equal(vigil_detect_session_new(&s, d, NULL, &err), VIGIL_OK);
    return s;
}

/* The hand-over of a reload: counting goes on in the new engine. */
static void
test_take(void **st)
{
    struct vigil_detect *d1 = engine(brute3), *d2 = engine(brute3);
    struct vigil_detect *d3 = engine(spray3);
    struct vigil_detect_session *s1 = session(d1), *s2 = session(d2);
    struct vigil_detect_session *s3 = session(d3);
    size_t moved = 9;
    (void)st;

    ncorr = 0;
    feed(s1, NULL, 0, "alice", "10.0.0.1");
    feed(s1, NULL, 1, "alice", "10.0.0.1");
    feed(s1, NULL, 2, "bob", "10.0.0.1");
    assert_int_equal(vigil_detect_session_take(s2, s1, &moved), VIGIL_OK);
    assert_int_equal(moved, 2);
    /* another correlation: nothing of it */
    assert_int_equal(vigil_detect_session_take(s3, s1, &moved), VIGIL_OK);
    assert_int_equal(moved, 0);
    feed(s2, NULL, 3, "alice", "10.0.0.1");
    assert_int_equal(ncorr, 1);
    feed(s2, NULL, 4, "bob", "10.0.0.1");
    assert_int_equal(ncorr, 1); /* bob: 2 */
    vigil_detect_session_free(s1);
    vigil_detect_session_free(s2);
    vigil_detect_session_free(s3);
    vigil_detect_free(d1);
    vigil_detect_free(d2);
    vigil_detect_free(d3);
}

struct rows {
    char key[1100];
    unsigned char blob[4096];
    size_t len, n;
};

static int
first_row(const char *key, const void *blob, size_t len, int64_t last_ns,
          void *arg)
{
    struct rows *r = arg;
    (void)last_ns;
    if (r->n++ == 0 && len <= sizeof(r->blob)) {
        snprintf(r->key, sizeof(r->key), "%s", key);
        memcpy(r->blob, blob, len);
        r->len = len;
    }
    return 0;
}

/* A value_count group keeps its distinct values; a changed definition
 * under the same id is another identity; malformed rows are refused. */
static void
test_load_checks(void **st)
{
    struct vigil_detect *d1 = engine(spray3), *d2 = engine(spray3);
    struct vigil_detect *d4 =
        engine("title: Spraying\nid: sp-1\ncorrelation:\n"
               "  type: value_count\n  rules:\n    - failed_logon\n"
               "  group-by:\n    - IpAddress\n  timespan: 5m\n"
               "  condition:\n    field: TargetUserName\n    gte: 4\n");
    struct vigil_detect_session *s1 = session(d1), *s2;
    struct rows r;
    unsigned char bad[4096];
    (void)st;

    memset(&r, 0, sizeof(r));
    ncorr = 0;
    feed(s1, NULL, 0, "alice", "10.0.0.9");
    feed(s1, NULL, 1, "bob", "10.0.0.9");
    feed(s1, NULL, 2, "bob", "10.0.0.9");
    detect_corr_state_each(d1, first_row, &r);
    assert_int_equal(r.n, 1);
    assert_true(r.len > 48);
    assert_int_equal(r.key[0], 'c');
    /* the changed rule (gte 4) does not know it */
    assert_int_equal(detect_corr_state_load(d4, r.key, r.blob, r.len),
                     VIGIL_ENOTFOUND);
    /* malformed: every length but the right one, a bad magic, a key that
     * is not the row's, a negative time, an item count past the cap */
    for (size_t n = 0; n < r.len; n++)
        assert_int_equal(detect_corr_state_load(d2, r.key, r.blob, n),
                         VIGIL_EPARSE);
    memcpy(bad, r.blob, r.len);
    bad[0] ^= 1;
    assert_int_equal(detect_corr_state_load(d2, r.key, bad, r.len),
                     VIGIL_EPARSE);
    memcpy(bad, r.blob, r.len);
    bad[80 + 4 + 1] ^= 1; /* after source "auth" and the length: the key */
    assert_int_equal(detect_corr_state_load(d2, r.key, bad, r.len),
                     VIGIL_EPARSE);
    memcpy(bad, r.blob, r.len);
    bad[24 + 7] = 0x80; /* first_ns < 0 */
    assert_int_equal(detect_corr_state_load(d2, r.key, bad, r.len),
                     VIGIL_EPARSE);
    memcpy(bad, r.blob, r.len);
    bad[16] = 7; /* n = 7, nt = 2 */
    assert_int_equal(detect_corr_state_load(d2, r.key, bad, r.len),
                     VIGIL_EPARSE);
    /* the real one loads once; the same group again is refused */
    assert_int_equal(detect_corr_state_load(d2, r.key, r.blob, r.len),
                     VIGIL_OK);
    assert_int_equal(detect_corr_state_load(d2, r.key, r.blob, r.len),
                     VIGIL_EPARSE);
    s2 = session(d2);
    feed(s2, NULL, 3, "bob", "10.0.0.9");
    assert_int_equal(ncorr, 0); /* bob counted once */
    feed(s2, NULL, 4, "carol", "10.0.0.9");
    assert_int_equal(ncorr, 1);
    vigil_detect_session_free(s1);
    vigil_detect_session_free(s2);
    vigil_detect_free(d1);
    vigil_detect_free(d2);
    vigil_detect_free(d4);
}

static int
count_rows(const char *component, const char *key, const void *blob, size_t len,
           int64_t updated_ns, void *arg)
{
    (void)component;
    (void)key;
    (void)blob;
    (void)len;
    (void)updated_ns;
    (*(int *)arg)++;
    return 0;
}

static int
rows_in(struct vigil_store *st)
{
    struct vigil_err err = {0};
    int n = 0;

    assert_int_equal(vigil_store_state_each(st, "detect", count_rows, &n, &err),
                     VIGIL_OK);
    return n;
}

/* A restart: what the committed batches saved is restored; what an
 * uncommitted batch changed is not (its events are read again). */
static void
test_store_restart(void **st)
{
    char dir[] = "/tmp/vigil-corrstate-XXXXXX", path[128];
    struct vigil_store *store = NULL;
    struct vigil_err err = {0};
    struct vigil_detect *d1 = engine(brute3), *d2 = engine(brute3);
    struct vigil_detect_session *s1 = session(d1), *s2 = session(d2);
    struct vigil_store_batch *b;
    size_t restored = 0, discarded = 0;
    (void)st;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/vigil.db", dir);
    assert_int_equal(vigil_store_open(&store, path, NULL, &err), VIGIL_OK);
    ncorr = 0;
    b = vigil_store_batch_new();
    feed(s1, b, 0, "alice", "10.0.0.1");
    feed(s1, b, 1, "alice", "10.0.0.1");
    feed(s1, b, 1, "dave", "10.0.0.1");
    assert_int_equal(vigil_store_commit(store, b, &err), VIGIL_OK);
    assert_int_equal(rows_in(store), 2);
    /* lost in the crash: never committed */
    b = vigil_store_batch_new();
    feed(s1, b, 2, "carol", "10.0.0.1");
    vigil_store_batch_free(b);

    assert_int_equal(
        vigil_detect_session_restore(s2, store, &restored, &discarded, &err),
        VIGIL_OK);
    assert_int_equal(restored, 2);
    assert_int_equal(discarded, 0);
    b = vigil_store_batch_new();
    feed(s2, b, 3, "alice", "10.0.0.1");
    assert_int_equal(ncorr, 1);
    feed(s2, b, 4, "carol", "10.0.0.1");
    feed(s2, b, 5, "carol", "10.0.0.1");
    assert_int_equal(ncorr, 1); /* carol: 2, the lost one not counted */
    assert_int_equal(vigil_store_commit(store, b, &err), VIGIL_OK);
    assert_int_equal(rows_in(store), 3);
    /* an hour later the tick closes every window: rows deleted with it */
    b = vigil_store_batch_new();
    feed(s2, b, 3600, "erin", "10.0.0.1");
    assert_int_equal(vigil_detect_session_close_in(s2, b, 0, on_alert, NULL),
                     VIGIL_OK);
    assert_int_equal(vigil_store_commit(store, b, &err), VIGIL_OK);
    assert_int_equal(rows_in(store), 1);

    vigil_detect_session_free(s1);
    vigil_detect_session_free(s2);
    vigil_detect_free(d1);
    vigil_detect_free(d2);
    /* a rule changed: the next start discards its rows */
    d1 = engine(spray3);
    s1 = session(d1);
    assert_int_equal(
        vigil_detect_session_restore(s1, store, &restored, &discarded, &err),
        VIGIL_OK);
    assert_int_equal(restored, 0);
    assert_int_equal(discarded, 1);
    assert_int_equal(rows_in(store), 0);
    vigil_detect_session_free(s1);
    vigil_detect_free(d1);
    vigil_store_close(store);
    for (int i = 0; i < 3; i++) {
        static const char *const ext[] = {"", "-wal", "-shm"};
        snprintf(path, sizeof(path), "%s/vigil.db%s", dir, ext[i]);
        unlink(path);
    }
    assert_int_equal(rmdir(dir), 0);
}

/* A group whose alert was raised is kept (and saved) while its
 * suppression runs: a restarted engine suppresses the next burst too. */
static void
test_suppression_restored(void **st)
{
    struct vigil_detect *d1, *d2;
    struct vigil_detect_session *s1, *s2;
    struct vigil_detect_corr_stats cs;
    struct rows r;
    (void)st;

    suppress_ns = 3600 * S;
    d1 = engine(brute3);
    d2 = engine(brute3);
    suppress_ns = 0;
    s1 = session(d1);
    s2 = session(d2);
    memset(&r, 0, sizeof(r));
    ncorr = 0;
    for (int i = 0; i < 3; i++)
        feed(s1, NULL, i, "alice", "10.0.0.1");
    assert_int_equal(ncorr, 1);
    /* the window was raised and ended (the tick in feed): without its
     * suppression the group would be gone */
    detect_corr_state_each(d1, first_row, &r);
    assert_int_equal(r.n, 1);
    assert_int_equal(detect_corr_state_load(d2, r.key, r.blob, r.len),
                     VIGIL_OK);
    for (int i = 0; i < 3; i++)
        feed(s2, NULL, 600 + i, "alice", "10.0.0.1");
    assert_int_equal(ncorr, 1);
    vigil_detect_corr_get_stats(d2, &cs);
    assert_int_equal(cs.suppressed, 1);
    vigil_detect_session_free(s1);
    vigil_detect_session_free(s2);
    vigil_detect_free(d1);
    vigil_detect_free(d2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_take),
        cmocka_unit_test(test_load_checks),
        cmocka_unit_test(test_store_restart),
        cmocka_unit_test(test_suppression_restored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
