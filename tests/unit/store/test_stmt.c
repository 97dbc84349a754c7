/* Tests for domains' own statements: a domain's schema migrated at open,
 * one-off writes and queries with every value type, constraint
 * violations reported as conflicts, transactions that store all or
 * nothing, statements carried in a batch beside its alert, and the ids
 * alerts are given. */
#include "store_test_util.h"

static const struct vigil_store_migration steps[] = {
    {"things", "CREATE TABLE demo_things (id TEXT PRIMARY KEY NOT NULL,"
               " n BIGINT NOT NULL CHECK (n >= 0), r DOUBLE PRECISION,"
               " b BYTEA)"},
};
static const struct vigil_store_schema demo = {"demo", steps, 1};
static const struct vigil_store_schema *const demo_list[] = {&demo};

static const char ins[] = "INSERT INTO demo_things (id, n, r, b) "
                          "VALUES (?, ?, ?, ?)";
static const char sel[] = "SELECT id, n, r, b FROM demo_things "
                          "WHERE n >= ? ORDER BY n";

static struct vigil_store *
open_demo(char *dir, size_t n)
{
    struct vigil_store_opts o = {.schemas = demo_list, .nschemas = 1};
    struct vigil_store *s = NULL;
    struct vigil_err err = {0};
    char path[256];

    st_tmpdir(dir, n);
    snprintf(path, sizeof(path), "%s/v.db", dir);
    assert_int_equal(vigil_store_open(&s, path, &o, &err), VIGIL_OK);
    return s;
}

static enum vigil_rc
put(struct vigil_store *s, const char *id, int64_t n, struct vigil_err *err)
{
    struct vigil_store_value p[4] = {vigil_sv_text(id), vigil_sv_int(n),
                                     vigil_sv_real(0.5),
                                     vigil_sv_blob("\0\1\2", 3)};
    return vigil_store_exec(s, ins, p, 4, NULL, err);
}

struct rows {
    int n;
    char ids[8][16];
    int64_t sum;
};

static int
collect(const struct vigil_store_value *c, size_t n, void *arg)
{
    struct rows *r = arg;

    assert_int_equal(n, 4);
    assert_int_equal(c[0].type, VIGIL_SV_TEXT);
    assert_int_equal(c[1].type, VIGIL_SV_INT);
    assert_int_equal(c[2].type, VIGIL_SV_REAL);
    assert_int_equal(c[3].type, VIGIL_SV_BLOB);
    assert_int_equal(c[3].len, 3);
    assert_memory_equal(c[3].p, "\0\1\2", 3);
    assert_true(c[2].r == 0.5);
    snprintf(r->ids[r->n++ & 7], 16, "%s", c[0].p);
    r->sum += c[1].i;
    return 0;
}

static int
count_rows(struct vigil_store *s)
{
    struct vigil_store_value min = vigil_sv_int(0);
    struct vigil_err err = {0};
    struct rows r = {0};

    assert_int_equal(vigil_store_query(s, sel, &min, 1, collect, &r, &err),
                     VIGIL_OK);
    return r.n;
}

static void
test_exec_and_query(void **state)
{
    struct vigil_store_value min = vigil_sv_int(2);
    struct vigil_err err = {0};
    struct rows r = {0};
    struct vigil_store *s;
    char dir[64];

    (void)state;
    s = open_demo(dir, sizeof(dir));
    assert_int_equal(put(s, "a", 1, &err), VIGIL_OK);
    assert_int_equal(put(s, "b", 2, &err), VIGIL_OK);
    assert_int_equal(put(s, "c", 3, &err), VIGIL_OK);
    assert_int_equal(vigil_store_query(s, sel, &min, 1, collect, &r, &err),
                     VIGIL_OK);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.ids[0], "b");
    assert_string_equal(r.ids[1], "c");
    assert_int_equal(r.sum, 5);
    /* A duplicate key and a failed CHECK are conflicts, not store errors. */
    assert_int_equal(put(s, "a", 9, &err), VIGIL_ECONFLICT);
    err = (struct vigil_err){0};
    assert_int_equal(put(s, "z", -1, &err), VIGIL_ECONFLICT);
    assert_int_equal(count_rows(s), 3);
    /* The wrong number of parameters is refused before anything runs. */
    err = (struct vigil_err){0};
    assert_int_equal(vigil_store_exec(s, ins, &min, 1, NULL, &err),
                     VIGIL_EINVAL);
    vigil_store_close(s);
    st_rmtree(dir);
}

static void
test_tx_all_or_nothing(void **state)
{
    struct vigil_store_value p[4] = {vigil_sv_text("t1"), vigil_sv_int(1),
                                     vigil_sv_null(), vigil_sv_blob("", 0)};
    struct vigil_store_tx *tx = NULL;
    struct vigil_err err = {0};
    struct vigil_store *s;
    char dir[64];

    (void)state;
    s = open_demo(dir, sizeof(dir));
    assert_int_equal(vigil_store_tx_begin(s, &tx, &err), VIGIL_OK);
    assert_int_equal(vigil_store_tx_exec(tx, ins, p, 4, NULL, &err), VIGIL_OK);
    vigil_store_tx_rollback(tx);
    assert_int_equal(count_rows(s), 0);

    assert_int_equal(vigil_store_tx_begin(s, &tx, &err), VIGIL_OK);
    p[2] = vigil_sv_real(0.5);
    p[3] = vigil_sv_blob("\0\1\2", 3);
    assert_int_equal(vigil_store_tx_exec(tx, ins, p, 4, NULL, &err), VIGIL_OK);
    p[0] = vigil_sv_text("t2");
    assert_int_equal(vigil_store_tx_exec(tx, ins, p, 4, NULL, &err), VIGIL_OK);
    assert_int_equal(vigil_store_tx_commit(tx, &err), VIGIL_OK);
    assert_int_equal(count_rows(s), 2);
    vigil_store_close(s);
    st_rmtree(dir);
}

static int
uid_of(const struct vigil_alert *a, void *arg)
{
    snprintf(arg, VIGIL_UID_LEN + 1, "%s", a->uid ? a->uid : "");
    return 1;
}

static void
test_batch_exec_with_alert(void **state)
{
    struct vigil_alert a = {.time_ns = 1,
                            .rule_id = "r",
                            .title = "t",
                            .level = "high",
                            .event_json = "{}"};
    struct vigil_store_value p[4] = {vigil_sv_text("from-batch"),
                                     vigil_sv_int(7), vigil_sv_real(0.5),
                                     vigil_sv_blob("\0\1\2", 3)};
    struct vigil_store_batch *b;
    struct vigil_err err = {0};
    char uid[VIGIL_UID_LEN + 1] = "";
    int64_t events = 0, alerts = 0;
    struct vigil_store *s;
    char dir[64];

    (void)state;
    s = open_demo(dir, sizeof(dir));
    /* A failing statement fails the whole batch: the alert is not kept. */
    assert_int_equal(put(s, "from-batch", 1, &err), VIGIL_OK);
    b = vigil_store_batch_new();
    assert_int_equal(vigil_store_batch_add_alert(b, &a), VIGIL_OK);
    assert_int_equal(vigil_store_batch_add_exec(b, ins, p, 4), VIGIL_OK);
    assert_int_not_equal(vigil_store_commit(s, b, &err), VIGIL_OK);
    assert_int_equal(vigil_store_count(s, &events, &alerts, &err), VIGIL_OK);
    assert_int_equal(alerts, 0);

    p[0] = vigil_sv_text("second");
    b = vigil_store_batch_new();
    assert_int_equal(vigil_store_batch_add_alert(b, &a), VIGIL_OK);
    assert_int_equal(vigil_store_batch_add_exec(b, ins, p, 4), VIGIL_OK);
    err = (struct vigil_err){0};
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);
    assert_int_equal(count_rows(s), 2);
    /* The batch gave the alert an id of its own. */
    assert_int_equal(vigil_store_alerts_each(s, 1, uid_of, uid, &err),
                     VIGIL_OK);
    assert_int_equal(strlen(uid), VIGIL_UID_LEN);
    assert_int_equal(strspn(uid, "0123456789abcdef"), VIGIL_UID_LEN);
    vigil_store_close(s);
    st_rmtree(dir);
}

/* A query run from inside the row callback of the same text. */
struct nest {
    struct vigil_store *s;
    int outer, inner;
};

static int
inner_row(const struct vigil_store_value *c, size_t n, void *arg)
{
    (void)c;
    (void)n;
    ((struct nest *)arg)->inner++;
    return 0;
}

static int
outer_row(const struct vigil_store_value *c, size_t n, void *arg)
{
    struct vigil_store_value min = vigil_sv_int(0);
    struct nest *x = arg;
    struct vigil_err err = {0};

    (void)c;
    (void)n;
    x->outer++;
    assert_int_equal(vigil_store_query(x->s, sel, &min, 1, inner_row, x, &err),
                     VIGIL_OK);
    return 0;
}

static void
test_nested_query(void **state)
{
    struct vigil_store_value min = vigil_sv_int(0);
    struct vigil_err err = {0};
    struct nest x = {0};
    char dir[64];

    (void)state;
    x.s = open_demo(dir, sizeof(dir));
    assert_int_equal(put(x.s, "a", 1, &err), VIGIL_OK);
    assert_int_equal(put(x.s, "b", 2, &err), VIGIL_OK);
    assert_int_equal(vigil_store_query(x.s, sel, &min, 1, outer_row, &x, &err),
                     VIGIL_OK);
    assert_int_equal(x.outer, 2);
    assert_int_equal(x.inner, 4);
    vigil_store_close(x.s);
    st_rmtree(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exec_and_query),
        cmocka_unit_test(test_tx_all_or_nothing),
        cmocka_unit_test(test_batch_exec_with_alert),
        cmocka_unit_test(test_nested_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
