/* Tests for the directory walker: order, hidden names, links and loops,
 * depth and entry bounds, other file kinds, a folder the system refuses
 * (reported, not fatal), and callbacks that stop the walk. */
#include "vigil_test.h"

#include <ftw.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"

struct seen {
    char root[256];
    char list[2048]; /* relative paths, one per line */
    int nerr;
    enum vigil_rc lasterr;
    char errmsg[600];
    enum vigil_rc err_result; /* what on_err returns */
    int stop_after;           /* fn returns VIGIL_END after this many */
    int n;
};

static enum vigil_rc
on_entry(const struct vigil_walk_entry *e, void *arg)
{
    struct seen *s = arg;
    size_t rl = strlen(s->root);
    const char *rel = strncmp(e->path, s->root, rl) == 0 && e->path[rl] == '/'
                          ? e->path + rl + 1
                          : e->path;
    size_t l = strlen(s->list);

    snprintf(s->list + l, sizeof(s->list) - l, "%s%s\n", rel,
             S_ISDIR(e->st.st_mode)    ? "/"
             : S_ISLNK(e->st.st_mode)  ? "@"
             : S_ISFIFO(e->st.st_mode) ? "|"
                                       : "");
    if (++s->n == s->stop_after)
        return VIGIL_END;
    return VIGIL_OK;
}

static enum vigil_rc
on_err(const char *path, const struct vigil_err *why, void *arg)
{
    struct seen *s = arg;

    s->nerr++;
    s->lasterr = why->rc;
    snprintf(s->errmsg, sizeof(s->errmsg), "%s: %s", path, why->msg);
    return s->err_result;
}

static void
mk(const char *root, const char *rel, int dir)
{
    char p[512];
    FILE *f;

    snprintf(p, sizeof(p), "%s/%s", root, rel);
    if (dir) {
        assert_int_equal(mkdir(p, 0755), 0);
        return;
    }
    f = fopen(p, "w");
    assert_non_null(f);
    fputs("x\n", f);
    fclose(f);
}

static void
ln(const char *root, const char *target, const char *rel)
{
    char p[512];

    snprintf(p, sizeof(p), "%s/%s", root, rel);
    assert_int_equal(symlink(target, p), 0);
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP)
        chmod(p, 0755);
    return remove(p);
}

static int
setup(void **state)
{
    struct seen *s = calloc(1, sizeof(*s));
    char p[512];

    snprintf(s->root, sizeof(s->root), "/tmp/vigil-walk-XXXXXX");
    assert_non_null(mkdtemp(s->root));
    chmod(s->root, 0755);
    mk(s->root, "b.txt", 0);
    mk(s->root, "a", 1);
    mk(s->root, "a/x.log", 0);
    mk(s->root, "a/.hidden", 0);
    mk(s->root, "a/deep", 1);
    mk(s->root, "a/deep/d1", 1);
    mk(s->root, "a/deep/d1/d2", 1);
    mk(s->root, "a/deep/d1/d2/f.txt", 0);
    mk(s->root, ".hid", 1);
    mk(s->root, ".hid/h.txt", 0);
    mk(s->root, "c", 1);
    ln(s->root, ".", "loop");
    ln(s->root, "b.txt", "link.txt");
    snprintf(p, sizeof(p), "%s/fifo", s->root);
    assert_int_equal(mkfifo(p, 0644), 0);
    *state = s;
    return 0;
}

static int
teardown(void **state)
{
    struct seen *s = *state;

    nftw(s->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(s);
    return 0;
}

static enum vigil_rc
walk(struct seen *s, const struct vigil_walk_opts *o)
{
    struct vigil_err err = {0};

    s->list[0] = '\0';
    s->n = 0;
    s->nerr = 0;
    s->errmsg[0] = '\0';
    return vigil_walk(s->root, o, on_entry, on_err, s, &err);
}

static void
test_sorted_regular_hidden(void **state)
{
    struct seen *s = *state;
    struct vigil_walk_opts o = {
        .sorted = 1, .skip_hidden = 1, .regular_only = 1};

    assert_int_equal(walk(s, &o), VIGIL_OK);
    /* depth first, siblings by name; links neither listed nor followed */
    assert_string_equal(s->list, "a/deep/d1/d2/f.txt\na/x.log\nb.txt\n");
    assert_int_equal(s->nerr, 0);
}

static void
test_every_kind(void **state)
{
    struct seen *s = *state;
    struct vigil_walk_opts o = {.sorted = 1};

    assert_int_equal(walk(s, &o), VIGIL_OK);
    assert_string_equal(s->list, ".hid/\n.hid/h.txt\na/\na/.hidden\na/deep/\n"
                                 "a/deep/d1/\na/deep/d1/d2/\n"
                                 "a/deep/d1/d2/f.txt\na/x.log\nb.txt\nc/\n"
                                 "fifo|\nlink.txt@\nloop@\n");
}

static void
test_follow_loop(void **state)
{
    struct seen *s = *state;
    struct vigil_walk_opts o = {
        .sorted = 1, .skip_hidden = 1, .regular_only = 1, .follow_symlinks = 1};

    /* the link back to the root is reported once, the walk goes on */
    assert_int_equal(walk(s, &o), VIGIL_OK);
    assert_string_equal(s->list,
                        "a/deep/d1/d2/f.txt\na/x.log\nb.txt\nlink.txt\n");
    assert_int_equal(s->nerr, 1);
    assert_int_equal(s->lasterr, VIGIL_EINVAL);
    assert_non_null(strstr(s->errmsg, "/loop: folder already visited"));
    /* an error callback that says stop, stops */
    s->err_result = VIGIL_EINVAL;
    assert_int_equal(walk(s, &o), VIGIL_EINVAL);
    s->err_result = VIGIL_OK;
}

static void
test_depth_and_entries(void **state)
{
    struct seen *s = *state;
    struct vigil_walk_opts o = {
        .sorted = 1, .skip_hidden = 1, .regular_only = 1, .max_depth = 2};

    assert_int_equal(walk(s, &o), VIGIL_OK);
    assert_string_equal(s->list, "a/x.log\nb.txt\n");
    assert_int_equal(s->nerr, 1);
    assert_int_equal(s->lasterr, VIGIL_ELIMIT);
    assert_non_null(strstr(s->errmsg, "/a/deep: deeper than 2"));
    o.max_depth = 0;
    o.max_entries = 2;
    assert_int_equal(walk(s, &o), VIGIL_ELIMIT);
    /* the callback stops the walk with its own result */
    o.max_entries = 0;
    s->stop_after = 1;
    assert_int_equal(walk(s, &o), VIGIL_END);
    assert_string_equal(s->list, "a/deep/d1/d2/f.txt\n");
    s->stop_after = 0;
}

static void
test_root_forms(void **state)
{
    struct seen *s = *state;
    struct vigil_err err = {0};
    char p[512];

    /* a file as root is the only entry, at depth 0 */
    snprintf(p, sizeof(p), "%s/b.txt", s->root);
    s->list[0] = '\0';
    assert_int_equal(vigil_walk(p, NULL, on_entry, on_err, s, &err), VIGIL_OK);
    assert_non_null(strstr(s->list, "b.txt\n"));
    snprintf(p, sizeof(p), "%s/missing", s->root);
    assert_int_equal(vigil_walk(p, NULL, on_entry, on_err, s, &err), VIGIL_EIO);
    assert_non_null(strstr(err.msg, "missing"));
}

/* A folder the system refuses: reported, its siblings still walked. Run
 * as an unprivileged user, since root reads any folder. */
static int
walk_locked(struct seen *s)
{
    struct vigil_walk_opts o = {
        .sorted = 1, .skip_hidden = 1, .regular_only = 1};

    if (walk(s, &o) != VIGIL_OK)
        return 1;
    if (strcmp(s->list, "a/deep/d1/d2/f.txt\na/x.log\nb.txt\n") != 0)
        return 2;
    if (s->nerr != 1 || s->lasterr != VIGIL_EIO ||
        strstr(s->errmsg, "/locked: Permission denied") == NULL)
        return 3;
    return 0;
}

static void
test_permission_denied(void **state)
{
    struct seen *s = *state;
    char p[512];
    int status;
    pid_t pid;

    mk(s->root, "locked", 1);
    mk(s->root, "locked/secret.txt", 0);
    snprintf(p, sizeof(p), "%s/locked", s->root);
    assert_int_equal(chmod(p, 0), 0);
    if (geteuid() != 0) {
        assert_int_equal(walk_locked(s), 0);
        return;
    }
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0)
            _exit(9);
        _exit(walk_locked(s));
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sorted_regular_hidden, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_every_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_follow_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_depth_and_entries, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_root_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_permission_denied, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
