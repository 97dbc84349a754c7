/* Tests for the SQLite store: opening and migrating, refusing a newer
 * schema, atomic batch commits, checkpoints, counters and the queries, on
 * real database files in a temporary directory. */
#include <fcntl.h>

#include "store_test_util.h"

static const struct vigil_store_opts archive = {.archive_events = 1};
static const struct vigil_store_opts readonly = {.readonly = 1};

static int64_t t0; /* 2024-03-01T00:00:00Z */

static void
path_in(char *dst, size_t n, const char *dir, const char *rel)
{
    snprintf(dst, n, "%s/%s", dir, rel);
}

static void
test_open_migrate_reopen(void **state)
{
    char dir[64], path[256], sub[256], wal[300];
    struct vigil_store *s = NULL;
    struct vigil_err err = {0};
    struct stat st;

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    path_in(path, sizeof(path), dir, "state/vigil/store.db");
    assert_int_equal(vigil_store_open(&s, path, &archive, &err), VIGIL_OK);
    assert_int_equal(vigil_store_schema_version(s), 5);
    assert_int_equal(st_events(s), 0);
    assert_int_equal(st_alerts(s), 0);

    /* mkdir -p with 0700, the database and its WAL 0600. */
    path_in(sub, sizeof(sub), dir, "state");
    assert_int_equal(stat(sub, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    path_in(sub, sizeof(sub), dir, "state/vigil");
    assert_int_equal(stat(sub, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(wal, sizeof(wal), "%s-wal", path);
    assert_int_equal(stat(wal, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    vigil_store_close(s);

    /* Re-opening keeps the version and runs no migration again. */
    s = NULL;
    assert_int_equal(vigil_store_open(&s, path, &archive, &err), VIGIL_OK);
    assert_int_equal(vigil_store_schema_version(s), 5);
    vigil_store_close(s);

    s = NULL;
    assert_int_equal(vigil_store_open(&s, path, &readonly, &err), VIGIL_OK);
    assert_int_equal(vigil_store_schema_version(s), 5);
    assert_int_equal(st_events(s), 0);
    vigil_store_close(s);
    st_rmtree(dir);
}

/* Writes a schema version into the database header (user_version is the
 * big-endian 32-bit word at offset 60). The store must be closed. */
static void
poke_user_version(const char *path, uint32_t v)
{
    unsigned char be[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                           (unsigned char)(v >> 8), (unsigned char)v};
    int fd = open(path, O_WRONLY);

    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, be, 4, 60), 4);
    close(fd);
}

static void
test_refuse_future_version(void **state)
{
    char dir[64], path[256];
    struct vigil_store *s = NULL;
    struct vigil_err err = {0};

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    path_in(path, sizeof(path), dir, "store.db");
    assert_int_equal(vigil_store_open(&s, path, &archive, &err), VIGIL_OK);
    vigil_store_close(s);
    poke_user_version(path, 7);

    s = NULL;
    assert_int_equal(vigil_store_open(&s, path, &archive, &err),
                     VIGIL_EUNSUPPORTED);
    assert_null(s);
    assert_non_null(strstr(err.msg, "schema version 7, newer than the 5"));

    vigil_err_clear(&err);
    assert_int_equal(vigil_store_open(&s, path, &readonly, &err),
                     VIGIL_EUNSUPPORTED);
    assert_null(s);
    assert_non_null(strstr(err.msg, "schema version 7"));

    /* The refusal changed nothing: put the version back and it opens. */
    poke_user_version(path, 5);
    vigil_err_clear(&err);
    assert_int_equal(vigil_store_open(&s, path, &archive, &err), VIGIL_OK);
    vigil_store_close(s);
    st_rmtree(dir);
}

/* A store written by the release before schema version 2 (no
 * schema_migrations or component_state) keeps its data and gains the new
 * tables at the first read-write open; a readonly open asks for that. */
static void
test_upgrade_from_v1(void **state)
{
    char dir[64], path[256], out[64];
    struct vigil_store *s = NULL;
    struct vigil_store_batch *b;
    struct vigil_err err = {0};
    struct vigil_checkpoint cp, got;
    void *blob = NULL;
    size_t len = 0;

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    path_in(path, sizeof(path), dir, "store.db");
    assert_int_equal(vigil_store_open(&s, path, &archive, &err), VIGIL_OK);
    memset(&cp, 0, sizeof(cp));
    snprintf(cp.key, sizeof(cp.key), "%s", "file:/var/log/auth.log");
    cp.offset = 77;
    b = vigil_store_batch_new();
    assert_int_equal(vigil_store_batch_set_checkpoint(b, &cp), VIGIL_OK);
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);
    vigil_store_close(s);
    if (!st_sql(path,
                "DROP TABLE schema_migrations; DROP TABLE component_state;"
                "ALTER TABLE counters DROP COLUMN truncated;"
                "DROP INDEX alerts_uid; ALTER TABLE alerts DROP COLUMN uid;"
                "ALTER TABLE counters DROP COLUMN unread;"
                "ALTER TABLE counters DROP COLUMN unread_files;"
                "PRAGMA user_version = 1",
                out, sizeof(out))) {
        printf("SKIP: the sqlite3 CLI is needed to make a version 1 store\n");
        st_rmtree(dir);
        return;
    }

    s = NULL;
    assert_int_equal(vigil_store_open(&s, path, &readonly, &err),
                     VIGIL_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "schema version 1, older than 5"));
    vigil_err_clear(&err);
    assert_int_equal(vigil_store_open(&s, path, &archive, &err), VIGIL_OK);
    assert_int_equal(vigil_store_schema_version(s), 5);
    assert_int_equal(
        vigil_store_checkpoint_get(s, "file:/var/log/auth.log", &got, &err),
        VIGIL_OK);
    assert_int_equal(got.offset, 77);
    b = vigil_store_batch_new();
    assert_int_equal(vigil_store_batch_set_state(b, "c", "k", "v", 1),
                     VIGIL_OK);
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);
    assert_int_equal(vigil_store_state_get(s, "c", "k", &blob, &len, &err),
                     VIGIL_OK);
    free(blob);
    vigil_store_close(s);
    st_rmtree(dir);
}

static void
test_readonly_missing_and_refusals(void **state)
{
    char dir[64], path[256];
    struct vigil_store *s = NULL;
    struct vigil_err err = {0};
    int64_t n = -1;

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    path_in(path, sizeof(path), dir, "none/store.db");
    assert_int_equal(vigil_store_open(&s, path, &readonly, &err),
                     VIGIL_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no store at"));
    /* A read-only open creates nothing. */
    path_in(path, sizeof(path), dir, "none");
    assert_int_equal(access(path, F_OK), -1);

    path_in(path, sizeof(path), dir, "store.db");
    assert_int_equal(vigil_store_open(&s, path, NULL, &err), VIGIL_OK);
    vigil_store_close(s);
    assert_int_equal(vigil_store_open(&s, path, &readonly, &err), VIGIL_OK);
    vigil_err_clear(&err);
    assert_int_equal(vigil_store_commit(s, vigil_store_batch_new(), &err),
                     VIGIL_EINVAL);
    vigil_err_clear(&err);
    assert_int_equal(
        vigil_store_submit(s, vigil_store_batch_new(), NULL, NULL, &err),
        VIGIL_EINVAL);
    vigil_err_clear(&err);
    assert_int_equal(vigil_store_apply_retention(s, 0, &n, &err), VIGIL_EINVAL);
    assert_int_equal(n, 0);
    vigil_store_close(s);
    st_rmtree(dir);
}

static struct vigil_checkpoint
cp_make(const char *key, uint64_t offset)
{
    struct vigil_checkpoint cp;

    memset(&cp, 0, sizeof(cp));
    snprintf(cp.key, sizeof(cp.key), "%s", key);
    cp.dev = 2049;
    cp.inode = 131077;
    cp.offset = offset;
    cp.fingerprint = UINT64_MAX - 5; /* above INT64_MAX on purpose */
    cp.updated_ns = t0 + (int64_t)offset;
    return cp;
}

static void
test_checkpoint_replace(void **state)
{
    char dir[64], path[256];
    struct vigil_store *s = NULL;
    struct vigil_store_batch *b;
    struct vigil_err err = {0};
    struct vigil_checkpoint cp, got;

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    path_in(path, sizeof(path), dir, "store.db");
    assert_int_equal(vigil_store_open(&s, path, &archive, &err), VIGIL_OK);
    assert_int_equal(
        vigil_store_checkpoint_get(s, "file:/var/log/auth.log", &got, &err),
        VIGIL_ENOTFOUND);
    assert_int_equal(err.rc, VIGIL_OK); /* not found is no failure */

    b = vigil_store_batch_new();
    cp = cp_make("file:/var/log/auth.log", 10);
    assert_int_equal(vigil_store_batch_set_checkpoint(b, &cp), 0);
    cp = cp_make("file:/var/log/syslog", 7);
    assert_int_equal(vigil_store_batch_set_checkpoint(b, &cp), 0);
    cp = cp_make("file:/var/log/auth.log", 20); /* replaces 10 */
    assert_int_equal(vigil_store_batch_set_checkpoint(b, &cp), 0);
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);

    assert_int_equal(
        vigil_store_checkpoint_get(s, "file:/var/log/auth.log", &got, &err),
        VIGIL_OK);
    assert_string_equal(got.key, "file:/var/log/auth.log");
    assert_int_equal(got.offset, 20);
    assert_int_equal(got.dev, 2049);
    assert_int_equal(got.inode, 131077);
    assert_true(got.fingerprint == UINT64_MAX - 5);
    assert_int_equal(got.updated_ns, t0 + 20);

    /* A later batch replaces the stored row; the other key stays. */
    b = vigil_store_batch_new();
    cp = cp_make("file:/var/log/auth.log", 30);
    cp.inode = 99;
    assert_int_equal(vigil_store_batch_set_checkpoint(b, &cp), 0);
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);
    assert_int_equal(
        vigil_store_checkpoint_get(s, "file:/var/log/auth.log", &got, &err),
        VIGIL_OK);
    assert_int_equal(got.offset, 30);
    assert_int_equal(got.inode, 99);
    assert_int_equal(
        vigil_store_checkpoint_get(s, "file:/var/log/syslog", &got, &err),
        VIGIL_OK);
    assert_int_equal(got.offset, 7);

    /* An unterminated key is refused. */
    b = vigil_store_batch_new();
    memset(cp.key, 'k', sizeof(cp.key));
    assert_int_equal(vigil_store_batch_set_checkpoint(b, &cp), VIGIL_EINVAL);
    vigil_store_batch_free(b);
    vigil_store_close(s);
    st_rmtree(dir);
}

static void
add_events(struct vigil_store_batch *b, int from, int n, const char *source)
{
    struct st_ev *e = st_ev_new();
    int i;

    for (i = from; i < from + n; i++)
        assert_int_equal(
            vigil_store_batch_add_event(
                b,
                st_ev_make(e, t0 + (int64_t)i * VIGIL_NS_PER_SEC, i,
                           i % 2 ? "Failed password" : "Accepted publickey"),
                source),
            VIGIL_OK);
    st_ev_free(e);
}

static const struct vigil_alert good_alert = {
    0,
    "5af54681-df95-4c26-854f-2565e13cfab0",
    "SSH brute force",
    "high",
    "[\"attack.t1110\"]",
    "{\"user.name\":\"root\"}",
    "{\"message\":\"Failed password\"}",
    "file:/var/log/auth.log",
    NULL,
    NULL};

static void
test_commit_atomic(void **state)
{
    char dir[64], path[256];
    struct vigil_store *s = NULL;
    struct vigil_store_batch *b;
    struct vigil_err err = {0};
    struct vigil_checkpoint cp, got;
    struct vigil_alert bad = good_alert;

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    path_in(path, sizeof(path), dir, "store.db");
    assert_int_equal(vigil_store_open(&s, path, &archive, &err), VIGIL_OK);

    b = vigil_store_batch_new();
    add_events(b, 0, 5, "file:/var/log/auth.log");
    cp = cp_make("file:/var/log/auth.log", 100);
    assert_int_equal(vigil_store_batch_set_checkpoint(b, &cp), 0);
    assert_int_equal(vigil_store_batch_add_alert(b, &good_alert), 0);
    assert_int_equal(vigil_store_batch_events(b), 5);
    assert_int_equal(vigil_store_batch_alerts(b), 1);
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);

    /* Events, a new source, a good alert, then an alert whose insert
     * fails (a trigger another connection adds while the store is open
     * stands in for a full disk): nothing of the batch may stay. */
    if (!st_inject_failure(path)) {
        printf("SKIP: sqlite3 CLI absent, no failure injected\n");
        vigil_store_close(s);
        st_rmtree(dir);
        skip();
    }
    b = vigil_store_batch_new();
    add_events(b, 5, 50, "file:/var/log/secure");
    cp = cp_make("file:/var/log/auth.log", 200);
    assert_int_equal(vigil_store_batch_set_checkpoint(b, &cp), 0);
    assert_int_equal(vigil_store_batch_add_alert(b, &good_alert), 0);
    bad.rule_id = "boom";
    assert_int_equal(vigil_store_batch_add_alert(b, &bad), 0);
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_ESTORE);
    assert_string_equal(err.msg, "store: storing an alert: injected failure");

    assert_int_equal(st_events(s), 5);
    assert_int_equal(st_alerts(s), 1);
    vigil_err_clear(&err);
    assert_int_equal(
        vigil_store_checkpoint_get(s, "file:/var/log/auth.log", &got, &err),
        VIGIL_OK);
    assert_int_equal(got.offset, 100);

    /* The connection is usable after the rollback. */
    b = vigil_store_batch_new();
    add_events(b, 5, 3, NULL);
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);
    assert_int_equal(st_events(s), 8);

    vigil_store_close(s);
    st_rmtree(dir);
}

static int
first_level(const struct vigil_alert *a, void *arg)
{
    snprintf(arg, 32, "%s", a->level);
    return 1;
}

static void
test_alert_levels(void **state)
{
    char dir[64], path[256], level[32];
    struct vigil_store *s = NULL;
    struct vigil_store_batch *b;
    struct vigil_err err = {0};
    struct vigil_alert a = good_alert;

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    path_in(path, sizeof(path), dir, "store.db");
    assert_int_equal(vigil_store_open(&s, path, &archive, &err), VIGIL_OK);
    b = vigil_store_batch_new();
    /* A level outside Sigma's five is refused when added, so it cannot
     * fail the batch (and its checkpoint) at commit. */
    a.level = "severe";
    assert_int_equal(vigil_store_batch_add_alert(b, &a), VIGIL_EINVAL);
    a.level = "";
    assert_int_equal(vigil_store_batch_add_alert(b, &a), VIGIL_EINVAL);
    a = good_alert;
    a.rule_id = NULL;
    assert_int_equal(vigil_store_batch_add_alert(b, &a), VIGIL_EINVAL);
    a = good_alert;
    a.event_json = NULL;
    assert_int_equal(vigil_store_batch_add_alert(b, &a), VIGIL_EINVAL);
    assert_int_equal(vigil_store_batch_alerts(b), 0);
    a = good_alert;
    a.level = "CriTical";
    assert_int_equal(vigil_store_batch_add_alert(b, &a), VIGIL_OK);
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);
    assert_int_equal(vigil_store_alerts_each(s, 1, first_level, level, &err),
                     VIGIL_OK);
    assert_string_equal(level, "critical");
    vigil_store_close(s);
    st_rmtree(dir);
}

static void
test_no_archive(void **state)
{
    char dir[64], path[256];
    struct vigil_store *s = NULL;
    struct vigil_store_batch *b;
    struct vigil_err err = {0};
    struct vigil_checkpoint cp, got;

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    path_in(path, sizeof(path), dir, "store.db");
    assert_int_equal(vigil_store_open(&s, path, NULL, &err), VIGIL_OK);
    b = vigil_store_batch_new();
    add_events(b, 0, 10, "x");
    cp = cp_make("x", 42);
    assert_int_equal(vigil_store_batch_set_checkpoint(b, &cp), 0);
    assert_int_equal(vigil_store_batch_add_alert(b, &good_alert), 0);
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);
    assert_int_equal(st_events(s), 0);
    assert_int_equal(st_alerts(s), 1);
    assert_int_equal(vigil_store_checkpoint_get(s, "x", &got, &err), 0);
    assert_int_equal(got.offset, 42);

    /* A batch made for this store only counts its events. */
    b = vigil_store_batch_new_for(s);
    add_events(b, 0, 10, "x");
    assert_int_equal(vigil_store_batch_events(b), 10);
    cp = cp_make("x", 43);
    assert_int_equal(vigil_store_batch_set_checkpoint(b, &cp), 0);
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);
    assert_int_equal(vigil_store_checkpoint_get(s, "x", &got, &err), 0);
    assert_int_equal(got.offset, 43);
    assert_int_equal(st_events(s), 0);
    vigil_store_close(s);

    /* Committed to a store that archives, it is refused, not half kept. */
    s = NULL;
    assert_int_equal(vigil_store_open(&s, path, NULL, &err), VIGIL_OK);
    b = vigil_store_batch_new_for(s);
    add_events(b, 0, 3, "x");
    vigil_store_close(s);
    s = NULL;
    assert_int_equal(vigil_store_open(&s, path, &archive, &err), VIGIL_OK);
    cp = cp_make("x", 44);
    assert_int_equal(vigil_store_batch_set_checkpoint(b, &cp), 0);
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_EINVAL);
    assert_non_null(strstr(err.msg, "does not archive"));
    vigil_err_clear(&err);
    assert_int_equal(vigil_store_checkpoint_get(s, "x", &got, &err), 0);
    assert_int_equal(got.offset, 43);
    vigil_store_close(s);
    st_rmtree(dir);
}

struct collect {
    char users[64][8];
    int n;
    int stop_at;
};

static int
collect_event(const char *json, size_t len, void *arg)
{
    struct collect *c = arg;
    const char *u = strstr(json, "\"user.name\":\"");

    assert_int_equal(strlen(json), len);
    assert_non_null(u);
    assert_true(c->n < 64);
    memcpy(c->users[c->n], u + 13, 7);
    c->users[c->n][7] = '\0';
    c->n++;
    return c->stop_at && c->n == c->stop_at;
}

static void
test_events_each(void **state)
{
    char dir[64], path[256];
    struct vigil_store *s = NULL;
    struct vigil_store_batch *b;
    struct vigil_err err = {0};
    struct collect c;
    int64_t sec = VIGIL_NS_PER_SEC;

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    path_in(path, sizeof(path), dir, "store.db");
    assert_int_equal(vigil_store_open(&s, path, &archive, &err), VIGIL_OK);
    /* Committed newest first, so "oldest first" is the query's doing. */
    b = vigil_store_batch_new();
    add_events(b, 10, 10, "b");
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);
    b = vigil_store_batch_new();
    add_events(b, 0, 10, "a");
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);

    memset(&c, 0, sizeof(c));
    assert_int_equal(
        vigil_store_events_each(s, NULL, 0, 0, collect_event, &c, &err), 0);
    assert_int_equal(c.n, 20);
    assert_string_equal(c.users[0], "u000000");
    assert_string_equal(c.users[19], "u000019");

    memset(&c, 0, sizeof(c));
    assert_int_equal(
        vigil_store_events_each(s, "u000013", 0, 0, collect_event, &c, &err),
        0);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.users[0], "u000013");

    /* Odd events say "Failed password": 10 of 20, 3 of them in [5, 11). */
    memset(&c, 0, sizeof(c));
    assert_int_equal(vigil_store_events_each(s, "Failed password", 0, 0,
                                             collect_event, &c, &err),
                     0);
    assert_int_equal(c.n, 10);
    memset(&c, 0, sizeof(c));
    assert_int_equal(vigil_store_events_each(s, "Failed password", t0 + 5 * sec,
                                             t0 + 11 * sec, collect_event, &c,
                                             &err),
                     0);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.users[0], "u000005");
    assert_string_equal(c.users[2], "u000009");

    /* since is inclusive, until exclusive; each bound alone. */
    memset(&c, 0, sizeof(c));
    assert_int_equal(vigil_store_events_each(s, NULL, t0 + 17 * sec, 0,
                                             collect_event, &c, &err),
                     0);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.users[0], "u000017");
    memset(&c, 0, sizeof(c));
    assert_int_equal(vigil_store_events_each(s, NULL, 0, t0 + 2 * sec,
                                             collect_event, &c, &err),
                     0);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.users[1], "u000001");

    /* Case matters; a needle that is nowhere finds nothing. */
    memset(&c, 0, sizeof(c));
    assert_int_equal(vigil_store_events_each(s, "failed password", 0, 0,
                                             collect_event, &c, &err),
                     0);
    assert_int_equal(c.n, 0);

    /* The callback stops the walk. */
    memset(&c, 0, sizeof(c));
    c.stop_at = 4;
    assert_int_equal(
        vigil_store_events_each(s, NULL, 0, 0, collect_event, &c, &err), 0);
    assert_int_equal(c.n, 4);
    vigil_store_close(s);
    st_rmtree(dir);
}

static void
test_event_too_large(void **state)
{
    char dir[64], path[256];
    struct vigil_store *s = NULL;
    struct vigil_store_batch *b;
    struct vigil_err err = {0};
    struct st_ev *e = st_ev_new();
    size_t big = (size_t)2 << 20;
    char *text = malloc(big);

    (void)state;
    assert_non_null(text);
    memset(text, 'A', big);
    st_tmpdir(dir, sizeof(dir));
    path_in(path, sizeof(path), dir, "store.db");
    assert_int_equal(vigil_store_open(&s, path, &archive, &err), VIGIL_OK);
    b = vigil_store_batch_new();
    assert_int_equal(
        vigil_store_batch_add_event(b, st_ev_make(e, t0, 1, "first"), "a"), 0);
    /* A 2 MiB field is over the 1 MiB an archived event may take: refused,
     * and the events already in the batch are kept. */
    st_ev_make(e, t0, 2, "second");
    assert_int_equal(vigil_event_add_str(&e->ev, "big", text, big), 0);
    assert_int_equal(vigil_store_batch_add_event(b, &e->ev, "a"), VIGIL_ELIMIT);
    assert_int_equal(vigil_store_batch_events(b), 1);
    assert_int_equal(
        vigil_store_batch_add_event(b, st_ev_make(e, t0, 3, "third"), "a"), 0);
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);
    assert_int_equal(st_events(s), 2);
    vigil_store_close(s);
    st_ev_free(e);
    free(text);
    st_rmtree(dir);
}

static void
test_sources_interned(void **state)
{
    char dir[64], path[256], out[512];
    struct vigil_store *s = NULL;
    struct vigil_store_batch *b;
    struct vigil_err err = {0};
    struct st_ev *e = st_ev_new();
    static const char *const src[] = {"file:/var/log/auth.log",
                                      "file:/var/log/syslog", NULL};
    int i, k;

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    path_in(path, sizeof(path), dir, "store.db");
    assert_int_equal(vigil_store_open(&s, path, &archive, &err), VIGIL_OK);
    for (k = 0; k < 2; k++) {
        b = vigil_store_batch_new();
        for (i = 0; i < 30; i++)
            assert_int_equal(vigil_store_batch_add_event(
                                 b, st_ev_make(e, t0 + i, i, "m"), src[i % 3]),
                             0);
        assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);
    }
    st_ev_free(e);
    assert_int_equal(st_events(s), 60);
    vigil_store_close(s);
    if (st_sql(path,
               "SELECT coalesce(s.name, '-'), count(*) FROM events e "
               "LEFT JOIN sources s ON s.id = e.source_id GROUP BY 1 "
               "ORDER BY 1; SELECT count(*) FROM sources",
               out, sizeof(out)))
        assert_string_equal(out, "-|20\nfile:/var/log/auth.log|20\n"
                                 "file:/var/log/syslog|20\n2\n");
    else
        printf("SKIP: sqlite3 CLI absent, source rows not inspected\n");
    st_rmtree(dir);
}

struct ctr_seen {
    struct vigil_source_counters c[4];
    int64_t updated[4];
    int n;
};

static int
collect_counters(const struct vigil_source_counters *c, int64_t updated_ns,
                 void *arg)
{
    struct ctr_seen *x = arg;

    assert_true(x->n < 4);
    x->updated[x->n] = updated_ns;
    x->c[x->n++] = *c;
    return 0;
}

static void
test_counters(void **state)
{
    char dir[64], path[256];
    struct vigil_store *s = NULL, *ro = NULL;
    struct vigil_store_batch *b;
    struct vigil_err err = {0};
    struct vigil_source_counters c[2];
    struct ctr_seen seen;
    int64_t before = vigil_time_now();

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    path_in(path, sizeof(path), dir, "store.db");
    assert_int_equal(vigil_store_open(&s, path, &archive, &err), VIGIL_OK);
    memset(c, 0, sizeof(c));
    snprintf(c[0].name, sizeof(c[0].name), "syslog");
    c[0].events_in = 1000;
    c[0].decoded = 990;
    c[0].failed = 10;
    c[0].dropped = 3;
    c[0].alerts = 2;
    snprintf(c[1].name, sizeof(c[1].name), "auth");
    c[1].events_in = UINT64_C(1) << 40;
    c[1].decoded = 5;
    b = vigil_store_batch_new();
    assert_int_equal(vigil_store_batch_set_counters(b, c, 2), 0);
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);

    c[0].events_in = 2000;
    b = vigil_store_batch_new();
    assert_int_equal(vigil_store_batch_set_counters(b, c, 1), 0);
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);

    /* Read through a second, read-only store as `vigil status` does. */
    assert_int_equal(vigil_store_open(&ro, path, &readonly, &err), VIGIL_OK);
    memset(&seen, 0, sizeof(seen));
    assert_int_equal(
        vigil_store_counters_each(ro, collect_counters, &seen, &err), 0);
    assert_int_equal(seen.n, 2);
    assert_string_equal(seen.c[0].name, "auth");
    assert_true(seen.c[0].events_in == UINT64_C(1) << 40);
    assert_int_equal(seen.c[0].decoded, 5);
    assert_string_equal(seen.c[1].name, "syslog");
    assert_int_equal(seen.c[1].events_in, 2000);
    assert_int_equal(seen.c[1].decoded, 990);
    assert_int_equal(seen.c[1].failed, 10);
    assert_int_equal(seen.c[1].dropped, 3);
    assert_int_equal(seen.c[1].alerts, 2);
    assert_true(seen.updated[1] >= before);
    assert_true(seen.updated[1] <= vigil_time_now());
    vigil_store_close(ro);
    vigil_store_close(s);
    st_rmtree(dir);
}

struct alert_seen {
    char rule[8][64];
    int64_t t[8];
    int null_tags[8];
    int n;
};

static int
collect_alert(const struct vigil_alert *a, void *arg)
{
    struct alert_seen *x = arg;

    assert_true(x->n < 8);
    snprintf(x->rule[x->n], sizeof(x->rule[0]), "%s", a->rule_id);
    x->t[x->n] = a->time_ns;
    x->null_tags[x->n] = a->tags_json == NULL;
    assert_string_equal(a->title, "SSH brute force");
    assert_string_equal(a->event_json, "{\"user.name\":\"root\"}");
    x->n++;
    return 0;
}

static void
test_alerts_each(void **state)
{
    char dir[64], path[256], rule[32];
    struct vigil_store *s = NULL;
    struct vigil_store_batch *b;
    struct vigil_err err = {0};
    struct vigil_alert a = good_alert;
    struct alert_seen seen;
    int i;

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    path_in(path, sizeof(path), dir, "store.db");
    assert_int_equal(vigil_store_open(&s, path, &archive, &err), VIGIL_OK);
    b = vigil_store_batch_new();
    for (i = 0; i < 5; i++) {
        snprintf(rule, sizeof(rule), "rule-%d", i);
        a.rule_id = rule;
        a.time_ns = t0 + (i == 2 ? 100 : i); /* rule-2 is the newest */
        a.tags_json = i == 3 ? NULL : "[]";
        assert_int_equal(vigil_store_batch_add_alert(b, &a), 0);
    }
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);
    memset(&seen, 0, sizeof(seen));
    assert_int_equal(vigil_store_alerts_each(s, 3, collect_alert, &seen, &err),
                     0);
    assert_int_equal(seen.n, 3);
    assert_string_equal(seen.rule[0], "rule-2");
    assert_int_equal(seen.t[0], t0 + 100);
    assert_string_equal(seen.rule[1], "rule-4");
    assert_string_equal(seen.rule[2], "rule-3");
    assert_true(seen.null_tags[2]);
    assert_false(seen.null_tags[1]);
    memset(&seen, 0, sizeof(seen));
    assert_int_equal(vigil_store_alerts_each(s, 0, collect_alert, &seen, &err),
                     0);
    assert_int_equal(seen.n, 5);
    assert_string_equal(seen.rule[4], "rule-0");
    vigil_store_close(s);
    st_rmtree(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_migrate_reopen),
        cmocka_unit_test(test_refuse_future_version),
        cmocka_unit_test(test_upgrade_from_v1),
        cmocka_unit_test(test_readonly_missing_and_refusals),
        cmocka_unit_test(test_checkpoint_replace),
        cmocka_unit_test(test_commit_atomic),
        cmocka_unit_test(test_alert_levels),
        cmocka_unit_test(test_no_archive),
        cmocka_unit_test(test_sources_interned),
        cmocka_unit_test(test_event_too_large),
        cmocka_unit_test(test_events_each),
        cmocka_unit_test(test_counters),
        cmocka_unit_test(test_alerts_each),
    };

    t0 = vigil_time_from_utc(2024, 3, 1, 0, 0, 0, 0);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
