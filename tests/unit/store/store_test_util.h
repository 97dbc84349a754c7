/* store_test_util.h -- helpers shared by the store's unit tests: a
 * throw-away directory for real SQLite files and events to archive. */
#ifndef STORE_TEST_UTIL_H
#define STORE_TEST_UTIL_H

#include <ftw.h>
#include <unistd.h>

#include "vigil_test.h"

#include "core/core.h"
#include "store/store.h"

/* A temporary directory, created by st_tmpdir and removed with all its
 * contents by st_rmtree. */
static inline void
st_tmpdir(char *dir, size_t n)
{
    snprintf(dir, n, "%s", "/tmp/vigil-store-test-XXXXXX");
    assert_non_null(mkdtemp(dir));
}

static inline int
st_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static inline void
st_rmtree(const char *dir)
{
    nftw(dir, st_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* An event with a fixed-width JSON form: time t, user.name "u%06d",
 * source.ip 10.0.0.7 and the message text. Owns its arena. */
struct st_ev {
    struct vigil_arena arena;
    struct vigil_event ev;
    char user[16];
};

static inline struct st_ev *
st_ev_new(void)
{
    struct st_ev *e = malloc(sizeof(*e));

    assert_non_null(e);
    vigil_arena_init(&e->arena, 4096, 1 << 20);
    return e;
}

static inline void
st_ev_free(struct st_ev *e)
{
    vigil_arena_fini(&e->arena);
    free(e);
}

static inline struct vigil_event *
st_ev_make(struct st_ev *e, int64_t t, int i, const char *msg)
{
    vigil_arena_reset(&e->arena);
    vigil_event_init(&e->ev, &e->arena);
    e->ev.time_ns = t;
    snprintf(e->user, sizeof(e->user), "u%06d", i);
    assert_int_equal(vigil_event_add_strz(&e->ev, "user.name", e->user), 0);
    assert_int_equal(vigil_event_add_ip(&e->ev, "source.ip", "10.0.0.7", 8), 0);
    assert_int_equal(vigil_event_add_strz(&e->ev, "message", msg), 0);
    return &e->ev;
}

/* The length of ev's JSON form. */
static inline size_t
st_json_len(const struct vigil_event *ev)
{
    struct vigil_buf b;
    size_t n;

    vigil_buf_init(&b, 1 << 20);
    assert_int_equal(vigil_event_to_json(ev, &b), 0);
    n = b.len;
    vigil_buf_fini(&b);
    return n;
}

static inline int64_t
st_events(struct vigil_store *s)
{
    struct vigil_err err = {0};
    int64_t ev = -1, al = -1;

    assert_int_equal(vigil_store_count(s, &ev, &al, &err), VIGIL_OK);
    return ev;
}

static inline int64_t
st_alerts(struct vigil_store *s)
{
    struct vigil_err err = {0};
    int64_t ev = -1, al = -1;

    assert_int_equal(vigil_store_count(s, &ev, &al, &err), VIGIL_OK);
    return al;
}

/* Runs sql on the database at path with the sqlite3 CLI (another
 * connection, as another process would) and puts its output in out.
 * Returns 0 when the CLI is not installed. */
static inline int
st_sql(const char *path, const char *sql, char *out, size_t n)
{
    char cmd[1024];
    FILE *p;
    size_t got;

    if (access("/usr/bin/sqlite3", X_OK) != 0)
        return 0;
    snprintf(cmd, sizeof(cmd), "/usr/bin/sqlite3 '%s' \"%s\"", path, sql);
    p = popen(cmd, "r");
    assert_non_null(p);
    got = fread(out, 1, n - 1, p);
    out[got] = '\0';
    assert_int_equal(pclose(p), 0);
    return 1;
}

/* Makes every alert whose rule_id is 'boom' fail to insert, as a full
 * disk or an I/O error would fail a commit half-way. */
static inline int
st_inject_failure(const char *path)
{
    char out[64];

    return st_sql(path,
                  "CREATE TRIGGER fail_boom BEFORE INSERT ON alerts "
                  "WHEN NEW.rule_id = 'boom' "
                  "BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
                  out, sizeof(out));
}

#endif
