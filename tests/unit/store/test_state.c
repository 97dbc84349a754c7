/* Tests for components' saved state: put, replace, delete and get by
 * (component, key), binary values, the order within a batch, and that
 * state commits in the same transaction as the batch's checkpoint, so a
 * failed batch leaves neither. */
#include "store_test_util.h"

static const struct vigil_store_opts plain = {.archive_events = 0};
static const struct vigil_store_opts readonly = {.readonly = 1};

static struct vigil_checkpoint
cp_at(uint64_t offset)
{
    struct vigil_checkpoint cp;

    memset(&cp, 0, sizeof(cp));
    snprintf(cp.key, sizeof(cp.key), "%s", "file:/var/log/auth.log");
    cp.inode = 42;
    cp.offset = offset;
    return cp;
}

/* Asserts (component, key) holds want[0..n), or nothing when want is
 * NULL. */
static void
expect_state(struct vigil_store *s, const char *component, const char *key,
             const void *want, size_t n)
{
    struct vigil_err err = {0};
    void *blob = (void *)1;
    size_t len = 99;

    if (want == NULL) {
        assert_int_equal(
            vigil_store_state_get(s, component, key, &blob, &len, &err),
            VIGIL_ENOTFOUND);
        assert_null(blob);
        assert_int_equal(err.rc, VIGIL_OK); /* an answer, not an error */
        return;
    }
    assert_int_equal(
        vigil_store_state_get(s, component, key, &blob, &len, &err), VIGIL_OK);
    assert_non_null(blob);
    assert_int_equal(len, n);
    if (n > 0)
        assert_memory_equal(blob, want, n);
    free(blob);
}

static void
expect_offset(struct vigil_store *s, int64_t offset)
{
    struct vigil_err err = {0};
    struct vigil_checkpoint got;

    if (offset < 0) {
        assert_int_equal(
            vigil_store_checkpoint_get(s, "file:/var/log/auth.log", &got, &err),
            VIGIL_ENOTFOUND);
        return;
    }
    assert_int_equal(
        vigil_store_checkpoint_get(s, "file:/var/log/auth.log", &got, &err),
        VIGIL_OK);
    assert_int_equal(got.offset, offset);
}

struct seen {
    char rows[8][64];
    int n;
};

static int
each_row(const char *component, const char *key, const void *blob, size_t len,
         int64_t updated_ns, void *arg)
{
    struct seen *x = arg;

    assert_true(updated_ns > 0);
    assert_true(x->n < 8);
    snprintf(x->rows[x->n++], sizeof(x->rows[0]), "%s/%s=%.*s", component, key,
             (int)len, (const char *)blob);
    return 0;
}

static void
test_put_get_delete(void **state)
{
    static const unsigned char bin[] = {0, 1, 0, 255, 'z', 0};
    char dir[64], path[256];
    struct vigil_store *s = NULL;
    struct vigil_store_batch *b;
    struct vigil_err err = {0};
    struct seen seen = {0};

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/store.db", dir);
    assert_int_equal(vigil_store_open(&s, path, &plain, &err), VIGIL_OK);
    expect_state(s, "corr", "window", NULL, 0);

    b = vigil_store_batch_new();
    /* Binary values keep their NUL bytes; an empty value is a value. */
    assert_int_equal(
        vigil_store_batch_set_state(b, "corr", "window", bin, sizeof(bin)),
        VIGIL_OK);
    assert_int_equal(vigil_store_batch_set_state(b, "corr", "empty", NULL, 0),
                     VIGIL_OK);
    /* Within a batch the calls apply in order: the last one wins. */
    assert_int_equal(vigil_store_batch_set_state(b, "dedup", "k", "one", 3),
                     VIGIL_OK);
    assert_int_equal(vigil_store_batch_delete_state(b, "dedup", "k"), VIGIL_OK);
    assert_int_equal(vigil_store_batch_set_state(b, "dedup", "k", "two", 3),
                     VIGIL_OK);
    assert_int_equal(vigil_store_batch_set_state(b, "dedup", "gone", "x", 1),
                     VIGIL_OK);
    assert_int_equal(vigil_store_batch_delete_state(b, "dedup", "gone"),
                     VIGIL_OK);
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);

    expect_state(s, "corr", "window", bin, sizeof(bin));
    expect_state(s, "corr", "empty", "", 0);
    expect_state(s, "dedup", "k", "two", 3);
    expect_state(s, "dedup", "gone", NULL, 0);
    /* Keys are per component. */
    expect_state(s, "dedup", "window", NULL, 0);

    /* A later batch replaces and deletes; a delete of nothing is fine. */
    b = vigil_store_batch_new();
    assert_int_equal(vigil_store_batch_set_state(b, "dedup", "k", "three", 5),
                     VIGIL_OK);
    assert_int_equal(vigil_store_batch_delete_state(b, "corr", "empty"),
                     VIGIL_OK);
    assert_int_equal(vigil_store_batch_delete_state(b, "corr", "never"),
                     VIGIL_OK);
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);
    expect_state(s, "dedup", "k", "three", 5);
    expect_state(s, "corr", "empty", NULL, 0);

    b = vigil_store_batch_new();
    assert_int_equal(vigil_store_batch_set_state(b, "corr", "a", "1", 1),
                     VIGIL_OK);
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);
    assert_int_equal(vigil_store_state_each(s, "corr", each_row, &seen, &err),
                     VIGIL_OK);
    assert_int_equal(seen.n, 2);
    assert_string_equal(seen.rows[0], "corr/a=1");
    assert_string_equal(seen.rows[1], "corr/window=");
    memset(&seen, 0, sizeof(seen));
    assert_int_equal(vigil_store_state_each(s, NULL, each_row, &seen, &err),
                     VIGIL_OK);
    assert_int_equal(seen.n, 3);
    assert_string_equal(seen.rows[2], "dedup/k=three");
    vigil_store_close(s);

    /* Kept across a restart, and readable by a readonly store. */
    s = NULL;
    assert_int_equal(vigil_store_open(&s, path, &readonly, &err), VIGIL_OK);
    expect_state(s, "corr", "window", bin, sizeof(bin));
    expect_state(s, "dedup", "k", "three", 5);
    vigil_store_close(s);
    st_rmtree(dir);
}

/* A key saved many times in one batch is one record, the last value (a
 * longer value than the record's room included); the hint skips the
 * lookup, and a hint from another batch is ignored, not trusted. */
static void
test_hint(void **state)
{
    char dir[64], path[256];
    struct vigil_store *s = NULL;
    struct vigil_store_batch *b, *b2;
    struct vigil_err err = {0};
    size_t ha = 0, hb = 0;

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/store.db", dir);
    assert_int_equal(vigil_store_open(&s, path, &plain, &err), VIGIL_OK);
    b = vigil_store_batch_new();
    b2 = vigil_store_batch_new();
    assert_int_equal(
        vigil_store_batch_set_state_hint(b, "corr", "a", "1234", 4, &ha),
        VIGIL_OK);
    assert_int_equal(ha, 1);
    assert_int_equal(
        vigil_store_batch_set_state_hint(b, "corr", "b", "x", 1, &hb),
        VIGIL_OK);
    assert_int_equal(hb, 2);
    assert_int_equal(
        vigil_store_batch_set_state_hint(b, "corr", "a", "12", 2, &ha),
        VIGIL_OK);
    assert_int_equal(
        vigil_store_batch_set_state_hint(b, "corr", "a", "123456", 6, &ha),
        VIGIL_OK);
    /* b's hint of "b" names another key's record in b2 (or none) */
    assert_int_equal(vigil_store_batch_set_state(b2, "corr", "z", "z", 1),
                     VIGIL_OK);
    assert_int_equal(vigil_store_batch_set_state(b2, "corr", "other", "o", 1),
                     VIGIL_OK);
    assert_int_equal(
        vigil_store_batch_set_state_hint(b2, "corr", "b", "y", 1, &hb),
        VIGIL_OK);
    assert_int_equal(hb, 3);
    assert_int_equal(vigil_store_batch_delete_state(b, "corr", "b"), VIGIL_OK);
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);
    expect_state(s, "corr", "a", "123456", 6);
    expect_state(s, "corr", "b", NULL, 0);
    assert_int_equal(vigil_store_commit(s, b2, &err), VIGIL_OK);
    expect_state(s, "corr", "b", "y", 1);
    expect_state(s, "corr", "other", "o", 1);
    vigil_store_close(s);
    st_rmtree(dir);
}

static void
test_refusals(void **state)
{
    char key[VIGIL_STORE_STATE_KEY_MAX + 2];
    struct vigil_store_batch *b = vigil_store_batch_new();
    struct vigil_err err = {0};
    void *blob;
    size_t len;

    (void)state;
    memset(key, 'k', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0'; /* one byte over */
    assert_int_equal(vigil_store_batch_set_state(b, "", "k", "v", 1),
                     VIGIL_EINVAL);
    assert_int_equal(vigil_store_batch_set_state(b, "c", "", "v", 1),
                     VIGIL_EINVAL);
    assert_int_equal(vigil_store_batch_set_state(b, NULL, "k", "v", 1),
                     VIGIL_EINVAL);
    assert_int_equal(vigil_store_batch_set_state(b, "c", key, "v", 1),
                     VIGIL_EINVAL);
    assert_int_equal(vigil_store_batch_set_state(b, key, "k", "v", 1),
                     VIGIL_EINVAL);
    assert_int_equal(vigil_store_batch_set_state(b, "c", "k", NULL, 1),
                     VIGIL_EINVAL);
    assert_int_equal(vigil_store_batch_delete_state(b, "c", NULL),
                     VIGIL_EINVAL);
    /* The size is checked before a byte is read. */
    assert_int_equal(vigil_store_batch_set_state(b, "c", "k", "v",
                                                 VIGIL_STORE_STATE_MAX + 1),
                     VIGIL_ELIMIT);
    key[sizeof(key) - 2] = '\0'; /* exactly the limit */
    assert_int_equal(vigil_store_batch_set_state(b, "c", key, "v", 1),
                     VIGIL_OK);
    vigil_store_batch_free(b);
    assert_int_equal(vigil_store_state_get(NULL, "c", "k", &blob, &len, &err),
                     VIGIL_EINVAL);
}

/* A batch whose commit fails keeps neither its checkpoint nor its state,
 * and leaves the earlier ones as they were: once when the failure comes
 * before the checkpoint is written (an alert), once after it (the
 * state). Failures are injected with triggers another connection adds. */
static void
test_state_with_checkpoint(void **state)
{
    static const struct vigil_alert boom = {0,    "boom", "t",  "low", NULL,
                                            "{}", NULL,   NULL, NULL,  NULL};
    char dir[64], path[256], out[64];
    struct vigil_store *s = NULL;
    struct vigil_store_batch *b;
    struct vigil_err err = {0};
    struct vigil_checkpoint cp;

    (void)state;
    st_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/store.db", dir);
    assert_int_equal(vigil_store_open(&s, path, &plain, &err), VIGIL_OK);
    if (!st_inject_failure(path) ||
        !st_sql(path,
                "CREATE TRIGGER fail_state BEFORE INSERT ON component_state "
                "WHEN NEW.key = 'boom' "
                "BEGIN SELECT RAISE(ABORT, 'injected state failure'); END",
                out, sizeof(out))) {
        printf("SKIP: the sqlite3 CLI is needed to inject failures\n");
        vigil_store_close(s);
        st_rmtree(dir);
        return;
    }

    /* Together: both or neither. */
    b = vigil_store_batch_new();
    cp = cp_at(100);
    assert_int_equal(vigil_store_batch_set_checkpoint(b, &cp), VIGIL_OK);
    assert_int_equal(vigil_store_batch_set_state(b, "corr", "w", "at100", 5),
                     VIGIL_OK);
    assert_int_equal(vigil_store_batch_add_alert(b, &boom), VIGIL_OK);
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_ESTORE);
    assert_non_null(strstr(err.msg, "injected failure"));
    expect_offset(s, -1);
    expect_state(s, "corr", "w", NULL, 0);

    b = vigil_store_batch_new();
    assert_int_equal(vigil_store_batch_set_checkpoint(b, &cp), VIGIL_OK);
    assert_int_equal(vigil_store_batch_set_state(b, "corr", "w", "at100", 5),
                     VIGIL_OK);
    vigil_err_clear(&err);
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK);
    expect_offset(s, 100);
    expect_state(s, "corr", "w", "at100", 5);

    /* The state fails after the checkpoint was written: the checkpoint
     * goes back with it, and the earlier pair stays. */
    b = vigil_store_batch_new();
    cp = cp_at(200);
    assert_int_equal(vigil_store_batch_set_checkpoint(b, &cp), VIGIL_OK);
    assert_int_equal(vigil_store_batch_set_state(b, "corr", "w", "at200", 5),
                     VIGIL_OK);
    assert_int_equal(vigil_store_batch_set_state(b, "corr", "boom", "x", 1),
                     VIGIL_OK);
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_ESTORE);
    assert_non_null(strstr(err.msg, "saving state: injected state failure"));
    expect_offset(s, 100);
    expect_state(s, "corr", "w", "at100", 5);

    /* Through the writer thread: a group holding the failing batch falls
     * back to single batches; the good one keeps its pair. */
    b = vigil_store_batch_new();
    assert_int_equal(vigil_store_batch_set_checkpoint(b, &cp), VIGIL_OK);
    assert_int_equal(vigil_store_batch_set_state(b, "corr", "boom", "x", 1),
                     VIGIL_OK);
    assert_int_equal(vigil_store_submit(s, b, NULL, NULL, &err), VIGIL_OK);
    b = vigil_store_batch_new();
    cp = cp_at(300);
    assert_int_equal(vigil_store_batch_set_checkpoint(b, &cp), VIGIL_OK);
    assert_int_equal(vigil_store_batch_set_state(b, "corr", "w", "at300", 5),
                     VIGIL_OK);
    assert_int_equal(vigil_store_submit(s, b, NULL, NULL, &err), VIGIL_OK);
    vigil_err_clear(&err);
    assert_int_equal(vigil_store_flush(s, &err), VIGIL_ESTORE);
    assert_non_null(strstr(err.msg, "1 submitted batch(es) failed"));
    expect_offset(s, 300);
    expect_state(s, "corr", "w", "at300", 5);
    expect_state(s, "corr", "boom", NULL, 0);
    vigil_store_close(s);
    st_rmtree(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_delete),
        cmocka_unit_test(test_hint),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_state_with_checkpoint),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
