/* Tests for choosing the store's back end by name and for the schemas
 * other domains register: applied once in order, recorded per domain,
 * a newer database refused, a failing step rolled back whole, and
 * ill-formed schemas refused before anything is created. */
#include "store_test_util.h"

static void
path_in(char *dst, size_t n, const char *dir, const char *rel)
{
    snprintf(dst, n, "%s/%s", dir, rel);
}

/* Expects opening path with opts to fail with rc and a message holding
 * each of the NULL-terminated words, creating nothing at path. */
static void
open_refused(const char *path, const struct vigil_store_opts *opts,
             enum vigil_rc rc, const char *const *words)
{
    struct vigil_store *s = NULL;
    struct vigil_err err = {0};

    assert_int_equal(vigil_store_open(&s, path, opts, &err), rc);
    assert_null(s);
    for (; *words != NULL; words++) {
        if (strstr(err.msg, *words) == NULL)
            fail_msg("'%s' not in: %s", *words, err.msg);
    }
}

static void
test_backend_choice(void **state)
{
    static const char *const pg_words[] = {"'postgres'", "not built",
                                           "choices are: sqlite", NULL};
    static const char *const unknown_words[] = {"unknown back end 'mysql'",
                                                "choices are: sqlite", NULL};
    static const char *const names[] = {NULL, "", "sqlite"};
    struct vigil_store_opts o = {.archive_events = 1};
    char dir[64], path[256];
    struct vigil_store *s;
    struct vigil_err err = {0};
    size_t i;

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    path_in(path, sizeof(path), dir, "a/store.db");
    o.backend = "postgres";
    open_refused(path, &o, VIGIL_EINVAL, pg_words);
    o.backend = "mysql";
    open_refused(path, &o, VIGIL_EINVAL, unknown_words);
    /* Refused before touching the disk: not even the directory. */
    path_in(path, sizeof(path), dir, "a");
    assert_int_equal(access(path, F_OK), -1);

    /* NULL and "" mean the default. The opts copy keeps the back end's
     * own name, not the caller's string. */
    path_in(path, sizeof(path), dir, "a/store.db");
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char name[8] = "";
        if (names[i] != NULL)
            snprintf(name, sizeof(name), "%s", names[i]);
        o.backend = names[i] ? name : NULL;
        s = NULL;
        assert_int_equal(vigil_store_open(&s, path, &o, &err), VIGIL_OK);
        memset(name, 'x', sizeof(name) - 1);
        assert_string_equal(vigil_store_backend(s), "sqlite");
        assert_int_equal(st_events(s), 0);
        vigil_store_close(s);
    }
    st_rmtree(dir);
}

/* ---- domain schemas ---- */

/* Each step of the test domain leaves a mark in component_state, so the
 * public API can tell which steps ran and how often (a second run of a
 * step would also fail: its table exists). */
static const struct vigil_store_migration dom_steps[] = {
    {"items", "CREATE TABLE testdom_items ("
              "  id BIGINT PRIMARY KEY NOT NULL,"
              "  name TEXT NOT NULL"
              ");"
              "INSERT INTO component_state (component, key, value, updated_ns) "
              "VALUES ('testdom', 'step1', 'ran', 0);"},
    {"item tags",
     "CREATE TABLE testdom_tags ("
     "  item_id BIGINT NOT NULL REFERENCES testdom_items (id),"
     "  tag TEXT NOT NULL,"
     "  PRIMARY KEY (item_id, tag)"
     ");"
     "CREATE INDEX testdom_tags_tag ON testdom_tags (tag);"
     "INSERT INTO component_state (component, key, value, updated_ns) "
     "VALUES ('testdom', 'step2', 'ran', 0);"},
    {"item notes",
     "ALTER TABLE testdom_items ADD COLUMN note TEXT;"
     "INSERT INTO component_state (component, key, value, updated_ns) "
     "VALUES ('testdom', 'step3', 'ran', 0);"},
};

/* The test domain's schema with its first n steps. */
static struct vigil_store_schema
dom(size_t n)
{
    struct vigil_store_schema sc = {"testdom", dom_steps, n};
    return sc;
}

static int
count_row(const char *component, const char *key, const void *blob, size_t len,
          int64_t updated_ns, void *arg)
{
    (void)component;
    (void)key;
    (void)updated_ns;
    assert_int_equal(len, 3);
    assert_memory_equal(blob, "ran", 3);
    (*(int *)arg)++;
    return 0;
}

/* How many of the test domain's steps left their mark. */
static int
steps_run(struct vigil_store *s)
{
    struct vigil_err err = {0};
    int n = 0;

    assert_int_equal(vigil_store_state_each(s, "testdom", count_row, &n, &err),
                     VIGIL_OK);
    return n;
}

/* Opens path with the schemas sc[0..n); returns the store or NULL and
 * leaves the error in err. */
static struct vigil_store *
open_with(const char *path, int readonly,
          const struct vigil_store_schema *const *sc, size_t n,
          struct vigil_err *err)
{
    struct vigil_store_opts o = {.readonly = readonly};
    struct vigil_store *s = NULL;

    o.schemas = sc;
    o.nschemas = n;
    vigil_err_clear(err);
    if (vigil_store_open(&s, path, &o, err) != VIGIL_OK)
        assert_null(s);
    return s;
}

static void
test_domain_migrations(void **state)
{
    struct vigil_store_schema v1 = dom(1), v2 = dom(2), v3 = dom(3);
    const struct vigil_store_schema *p1[] = {&v1}, *p2[] = {&v2}, *p3[] = {&v3};
    char dir[64], path[256], out[256];
    struct vigil_err err = {0};
    struct vigil_store *s;

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    path_in(path, sizeof(path), dir, "store.db");

    /* A new store: the store's own tables, then the domain's step 1. */
    assert_non_null(s = open_with(path, 0, p1, 1, &err));
    assert_int_equal(vigil_store_schema_version(s), 5);
    assert_int_equal(steps_run(s), 1);
    vigil_store_close(s);

    /* Reopening runs nothing again (step 1's CREATE TABLE would fail). */
    assert_non_null(s = open_with(path, 0, p1, 1, &err));
    assert_int_equal(steps_run(s), 1);
    vigil_store_close(s);

    /* A newer binary adds step 2 only. */
    assert_non_null(s = open_with(path, 0, p2, 1, &err));
    assert_int_equal(steps_run(s), 2);
    vigil_store_close(s);
    if (st_sql(path, "SELECT domain || ':' || version FROM schema_migrations",
               out, sizeof(out)))
        assert_string_equal(out, "testdom:2\n");

    /* The older binary is refused rather than misreading version 2, by
     * both a read-write and a readonly open. */
    assert_null(open_with(path, 0, p1, 1, &err));
    assert_int_equal(err.rc, VIGIL_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "domain 'testdom' at schema version 2, "
                                    "newer than the 1"));
    assert_null(open_with(path, 1, p1, 1, &err));
    assert_int_equal(err.rc, VIGIL_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "newer than the 1"));

    /* Readonly: the matching version opens; an older database is sent to
     * `vigil run` and left unmigrated. */
    assert_non_null(s = open_with(path, 1, p2, 1, &err));
    assert_int_equal(steps_run(s), 2);
    vigil_store_close(s);
    assert_null(open_with(path, 1, p3, 1, &err));
    assert_int_equal(err.rc, VIGIL_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "older than 3; start `vigil run`"));

    /* A caller that lists no schemas leaves the domain's tables alone. */
    assert_non_null(s = open_with(path, 0, NULL, 0, &err));
    assert_int_equal(steps_run(s), 2);
    vigil_store_close(s);

    assert_non_null(s = open_with(path, 0, p3, 1, &err));
    assert_int_equal(steps_run(s), 3);
    vigil_store_close(s);
    st_rmtree(dir);
}

/* A step that fails half-way leaves nothing of itself: its first table is
 * not there and the version did not move, so a fixed step runs cleanly. */
static void
test_domain_step_fails(void **state)
{
    static const struct vigil_store_migration bad[] = {
        {"first", "CREATE TABLE faildom_a (id BIGINT PRIMARY KEY NOT NULL);"},
        {"second",
         "CREATE TABLE faildom_b (id BIGINT PRIMARY KEY NOT NULL);"
         "INSERT INTO component_state (component, key, value, updated_ns) "
         "VALUES ('faildom', 'b', 'x', 0);"
         "CREATE TABLE faildom_c (id BIGINT PRIMARY KEY NOT NULL,);"},
    };
    static const struct vigil_store_migration good[] = {
        {"first", "CREATE TABLE faildom_a (id BIGINT PRIMARY KEY NOT NULL);"},
        {"second",
         "CREATE TABLE faildom_b (id BIGINT PRIMARY KEY NOT NULL);"
         "INSERT INTO component_state (component, key, value, updated_ns) "
         "VALUES ('faildom', 'b', 'x', 0);"},
    };
    const struct vigil_store_schema sbad = {"faildom", bad, 2},
                                    sgood = {"faildom", good, 2};
    const struct vigil_store_schema *pbad[] = {&sbad}, *pgood[] = {&sgood};
    char dir[64], path[256], out[256];
    struct vigil_err err = {0};
    struct vigil_store *s;
    void *blob = NULL;
    size_t len = 0;

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    path_in(path, sizeof(path), dir, "store.db");
    assert_null(open_with(path, 0, pbad, 1, &err));
    assert_int_equal(err.rc, VIGIL_ESTORE);
    assert_non_null(strstr(
        err.msg, "migrating domain faildom to schema version 2 (second)"));
    assert_non_null(strstr(err.msg, "syntax error"));
    if (st_sql(path, "SELECT domain || ':' || version FROM schema_migrations",
               out, sizeof(out)))
        assert_string_equal(out, "faildom:1\n");

    assert_non_null(s = open_with(path, 0, pgood, 1, &err));
    assert_int_equal(
        vigil_store_state_get(s, "faildom", "b", &blob, &len, &err), VIGIL_OK);
    free(blob);
    vigil_store_close(s);
    st_rmtree(dir);
}

/* Two domains migrate in the order listed, so the second may refer to
 * the first's tables. */
static void
test_domain_order(void **state)
{
    static const struct vigil_store_migration a[] = {
        {"hosts", "CREATE TABLE ordera_hosts (name TEXT PRIMARY KEY NOT "
                  "NULL);"}};
    static const struct vigil_store_migration b[] = {
        {"host notes", "CREATE TABLE orderb_notes ("
                       "  host TEXT NOT NULL REFERENCES ordera_hosts (name),"
                       "  note TEXT NOT NULL);"
                       "INSERT INTO ordera_hosts VALUES ('web1');"
                       "INSERT INTO orderb_notes VALUES ('web1', 'ok');"}};
    const struct vigil_store_schema sa = {"ordera", a, 1},
                                    sb = {"orderb", b, 1};
    const struct vigil_store_schema *ab[] = {&sa, &sb}, *ba[] = {&sb, &sa};
    char dir[64], path[256];
    struct vigil_err err = {0};
    struct vigil_store *s;

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    path_in(path, sizeof(path), dir, "ba.db");
    assert_null(open_with(path, 0, ba, 2, &err));
    assert_int_equal(err.rc, VIGIL_ESTORE);
    assert_non_null(strstr(err.msg, "no such table: ordera_hosts"));
    path_in(path, sizeof(path), dir, "ab.db");
    assert_non_null(s = open_with(path, 0, ab, 2, &err));
    vigil_store_close(s);
    st_rmtree(dir);
}

static void
test_schema_refusals(void **state)
{
    static const struct vigil_store_migration ok[] = {
        {"t", "CREATE TABLE refdom_t (k TEXT PRIMARY KEY NOT NULL);"}};
    static const struct vigil_store_migration sqlite_only[] = {
        {"t", "create table refdom_t (k text primary key) without rowid;"}};
    static const struct vigil_store_migration autoinc[] = {
        {"t", "CREATE TABLE refdom_t (id INTEGER PRIMARY KEY AUTOINCREMENT);"}};
    static const struct vigil_store_migration nosql[] = {{"t", NULL}};
    static const struct {
        struct vigil_store_schema sc;
        const char *word;
    } bad[] = {
        {{"Refdom", ok, 1}, "domain name"},
        {{"store", ok, 1}, "not 'store'"},
        {{"", ok, 1}, "domain name"},
        {{"1refdom", ok, 1}, "domain name"},
        {{"ref-dom", ok, 1}, "domain name"},
        {{"a123456789012345678901234567890123456789012345678901234567890123",
          ok, 1},
         "at most 63"},
        {{NULL, ok, 1}, "domain name"},
        {{"refdom", NULL, 1}, "has no steps"},
        {{"refdom", nosql, 1}, "step 1 has no SQL"},
        {{"refdom", sqlite_only, 1}, "uses WITHOUT ROWID"},
        {{"refdom", autoinc, 1}, "uses AUTOINCREMENT"},
    };
    const struct vigil_store_schema dup = {"refdom", ok, 1};
    const struct vigil_store_schema *twice[] = {&dup, &dup};
    char dir[64], path[256];
    struct vigil_err err = {0};
    size_t i;

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    path_in(path, sizeof(path), dir, "x/store.db");
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const struct vigil_store_schema *one[] = {&bad[i].sc};
        assert_null(open_with(path, 0, one, 1, &err));
        assert_int_equal(err.rc, VIGIL_EINVAL);
        if (strstr(err.msg, bad[i].word) == NULL)
            fail_msg("case %zu: '%s' not in: %s", i, bad[i].word, err.msg);
    }
    assert_null(open_with(path, 0, twice, 2, &err));
    assert_int_equal(err.rc, VIGIL_EINVAL);
    assert_non_null(strstr(err.msg, "'refdom' is listed twice"));
    assert_null(open_with(path, 0, NULL, 1, &err));
    assert_int_equal(err.rc, VIGIL_EINVAL);
    /* Checked before anything is created. */
    path_in(path, sizeof(path), dir, "x");
    assert_int_equal(access(path, F_OK), -1);
    st_rmtree(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backend_choice),
        cmocka_unit_test(test_domain_migrations),
        cmocka_unit_test(test_domain_step_fails),
        cmocka_unit_test(test_domain_order),
        cmocka_unit_test(test_schema_refusals),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
