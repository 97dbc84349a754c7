/* store_sqlite_query.c -- the SQLite back end's queries, on the read-only
 * connection `qdb`. The front end checks the arguments and holds the
 * store's query mutex; statements are prepared per call because queries
 * are rare next to writes and may nest (a callback may query again).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_sqlite.h"

static enum vigil_rc
q_prepare(struct store_conn *c, const char *sql, sqlite3_stmt **st,
          struct vigil_err *err)
{
    if (sqlite3_prepare_v2(c->qdb, sql, -1, st, NULL) != SQLITE_OK) {
        *st = NULL;
        return sq_err(err, c->qdb, "preparing a query");
    }
    return VIGIL_OK;
}

enum vigil_rc
sq_checkpoint_get(struct store_conn *c, const char *key,
                  struct vigil_checkpoint *cp, struct vigil_err *err)
{
    sqlite3_stmt *st = NULL;
    enum vigil_rc rc;
    size_t n;
    int r;

    n = strlen(key);
    VIGIL_TRY(q_prepare(c,
                        "SELECT dev, inode, offset, fingerprint, updated_ns "
                        "FROM checkpoints WHERE key = ?1",
                        &st, err));
    sqlite3_bind_text(st, 1, key, (int)n, SQLITE_STATIC);
    r = sqlite3_step(st);
    if (r == SQLITE_DONE) {
        rc = VIGIL_ENOTFOUND; /* an answer, not a failure: err untouched */
        goto out;
    }
    if (r != SQLITE_ROW) {
        rc = sq_err(err, c->qdb, "reading a checkpoint");
        goto out;
    }
    memset(cp, 0, sizeof(*cp));
    memcpy(cp->key, key, n + 1);
    cp->dev = (uint64_t)sqlite3_column_int64(st, 0);
    cp->inode = (uint64_t)sqlite3_column_int64(st, 1);
    cp->offset = (uint64_t)sqlite3_column_int64(st, 2);
    cp->fingerprint = (uint64_t)sqlite3_column_int64(st, 3);
    cp->updated_ns = sqlite3_column_int64(st, 4);
    rc = VIGIL_OK;
out:
    sqlite3_finalize(st);
    return rc;
}

/* Steps st to its end, calling row(st, arg) for each row until it returns
 * non-zero. */
static enum vigil_rc
q_each(struct store_conn *c, sqlite3_stmt *st,
       int (*row)(sqlite3_stmt *st, void *arg), void *arg, const char *what,
       struct vigil_err *err)
{
    int r;

    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if (row(st, arg) != 0)
            return VIGIL_OK;
    if (r != SQLITE_DONE)
        return sq_err(err, c->qdb, what);
    return VIGIL_OK;
}

struct counters_ctx {
    int (*fn)(const struct vigil_source_counters *c, int64_t updated_ns,
              void *arg);
    void *arg;
};

static int
counters_row(sqlite3_stmt *st, void *arg)
{
    struct counters_ctx *x = arg;
    struct vigil_source_counters c;
    const char *name = (const char *)sqlite3_column_text(st, 0);

    memset(&c, 0, sizeof(c));
    snprintf(c.name, sizeof(c.name), "%s", name ? name : "");
    c.events_in = (uint64_t)sqlite3_column_int64(st, 1);
    c.decoded = (uint64_t)sqlite3_column_int64(st, 2);
    c.failed = (uint64_t)sqlite3_column_int64(st, 3);
    c.dropped = (uint64_t)sqlite3_column_int64(st, 4);
    c.alerts = (uint64_t)sqlite3_column_int64(st, 5);
    c.truncated = (uint64_t)sqlite3_column_int64(st, 7);
    c.unread = (uint64_t)sqlite3_column_int64(st, 8);
    c.unread_files = (uint64_t)sqlite3_column_int64(st, 9);
    return x->fn(&c, sqlite3_column_int64(st, 6), x->arg);
}

enum vigil_rc
sq_counters_each(struct store_conn *c,
                 int (*fn)(const struct vigil_source_counters *c,
                           int64_t updated_ns, void *arg),
                 void *arg, struct vigil_err *err)
{
    struct counters_ctx x = {fn, arg};
    sqlite3_stmt *st = NULL;
    enum vigil_rc rc;

    VIGIL_TRY(q_prepare(c,
                        "SELECT name, events_in, decoded, failed, dropped, "
                        "alerts, updated_ns, truncated, unread, "
                        "unread_files FROM counters "
                        "ORDER BY name",
                        &st, err));
    rc = q_each(c, st, counters_row, &x, "reading counters", err);
out:
    sqlite3_finalize(st);
    return rc;
}

enum vigil_rc
sq_count(struct store_conn *c, int64_t *events, int64_t *alerts,
         struct vigil_err *err)
{
    sqlite3_stmt *st = NULL;
    enum vigil_rc rc;

    /* One statement, so both numbers come from the same snapshot. */
    VIGIL_TRY(q_prepare(c,
                        "SELECT (SELECT events FROM archive_totals "
                        "WHERE id = 1), (SELECT count(*) FROM alerts)",
                        &st, err));
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = sq_err(err, c->qdb, "counting");
        goto out;
    }
    if (events)
        *events = sqlite3_column_int64(st, 0);
    if (alerts)
        *alerts = sqlite3_column_int64(st, 1);
    rc = VIGIL_OK;
out:
    sqlite3_finalize(st);
    return rc;
}

struct events_ctx {
    int (*fn)(const char *json, size_t len, void *arg);
    void *arg;
};

static int
events_row(sqlite3_stmt *st, void *arg)
{
    struct events_ctx *x = arg;
    const char *json = (const char *)sqlite3_column_text(st, 0);
    int n = sqlite3_column_bytes(st, 0);

    return x->fn(json ? json : "", json ? (size_t)n : 0, x->arg);
}

enum vigil_rc
sq_events_each(struct store_conn *c, const char *needle, int64_t since_ns,
               int64_t until_ns,
               int (*fn)(const char *json, size_t len, void *arg), void *arg,
               struct vigil_err *err)
{
    struct events_ctx x = {fn, arg};
    sqlite3_stmt *st = NULL;
    enum vigil_rc rc;
    char sql[256];

    /* Only the conditions asked for, so the planner can use the time
     * index for a range. instr() is a byte-wise, case-sensitive search. */
    snprintf(sql, sizeof(sql),
             "SELECT json FROM events WHERE 1%s%s%s ORDER BY time_ns, id",
             needle ? " AND instr(json, ?1) > 0" : "",
             since_ns ? " AND time_ns >= ?2" : "",
             until_ns ? " AND time_ns < ?3" : "");
    VIGIL_TRY(q_prepare(c, sql, &st, err));
    if (needle)
        sqlite3_bind_text(st, 1, needle, -1, SQLITE_STATIC);
    if (since_ns)
        sqlite3_bind_int64(st, 2, since_ns);
    if (until_ns)
        sqlite3_bind_int64(st, 3, until_ns);
    rc = q_each(c, st, events_row, &x, "reading archived events", err);
out:
    sqlite3_finalize(st);
    return rc;
}

struct alerts_ctx {
    int (*fn)(const struct vigil_alert *a, void *arg);
    void *arg;
};

static int
alerts_row(sqlite3_stmt *st, void *arg)
{
    struct alerts_ctx *x = arg;
    struct vigil_alert a;

    a.time_ns = sqlite3_column_int64(st, 0);
    a.rule_id = (const char *)sqlite3_column_text(st, 1);
    a.title = (const char *)sqlite3_column_text(st, 2);
    a.level = (const char *)sqlite3_column_text(st, 3);
    a.tags_json = (const char *)sqlite3_column_text(st, 4);
    a.event_json = (const char *)sqlite3_column_text(st, 5);
    a.matched_json = (const char *)sqlite3_column_text(st, 6);
    a.source = (const char *)sqlite3_column_text(st, 7);
    a.uid = (const char *)sqlite3_column_text(st, 8);
    return x->fn(&a, x->arg);
}

enum vigil_rc
sq_alerts_each(struct store_conn *c, int64_t limit,
               int (*fn)(const struct vigil_alert *a, void *arg), void *arg,
               struct vigil_err *err)
{
    struct alerts_ctx x = {fn, arg};
    sqlite3_stmt *st = NULL;
    enum vigil_rc rc;

    VIGIL_TRY(q_prepare(c,
                        "SELECT time_ns, rule_id, title, level, tags_json, "
                        "event_json, matched_json, source, uid FROM alerts "
                        "ORDER BY time_ns DESC, id DESC LIMIT ?1",
                        &st, err));
    sqlite3_bind_int64(st, 1, limit > 0 ? limit : -1);
    rc = q_each(c, st, alerts_row, &x, "reading alerts", err);
out:
    sqlite3_finalize(st);
    return rc;
}

enum vigil_rc
sq_state_get(struct store_conn *c, const char *component, const char *key,
             void **blob, size_t *len, struct vigil_err *err)
{
    sqlite3_stmt *st = NULL;
    enum vigil_rc rc;
    const void *p;
    size_t n;
    int r;

    VIGIL_TRY(q_prepare(c,
                        "SELECT value FROM component_state "
                        "WHERE component = ?1 AND key = ?2",
                        &st, err));
    sqlite3_bind_text(st, 1, component, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    r = sqlite3_step(st);
    if (r == SQLITE_DONE) {
        rc = VIGIL_ENOTFOUND; /* an answer, not a failure: err untouched */
        goto out;
    }
    if (r != SQLITE_ROW) {
        rc = sq_err(err, c->qdb, "reading state");
        goto out;
    }
    p = sqlite3_column_blob(st, 0);
    n = (size_t)sqlite3_column_bytes(st, 0);
    /* One byte more so an empty value still has a pointer to return. */
    if ((*blob = malloc(n + 1)) == NULL) {
        rc = vigil_err_set(err, VIGIL_ENOMEM, "store: out of memory");
        goto out;
    }
    if (n > 0)
        memcpy(*blob, p, n);
    *len = n;
    rc = VIGIL_OK;
out:
    sqlite3_finalize(st);
    return rc;
}

struct state_ctx {
    int (*fn)(const char *component, const char *key, const void *blob,
              size_t len, int64_t updated_ns, void *arg);
    void *arg;
};

static int
state_row(sqlite3_stmt *st, void *arg)
{
    struct state_ctx *x = arg;
    const char *comp = (const char *)sqlite3_column_text(st, 0);
    const char *key = (const char *)sqlite3_column_text(st, 1);
    /* The blob's bytes are fetched before its length, as SQLite asks. */
    const void *p = sqlite3_column_blob(st, 2);
    size_t n = (size_t)sqlite3_column_bytes(st, 2);

    return x->fn(comp ? comp : "", key ? key : "", p ? p : "", n,
                 sqlite3_column_int64(st, 3), x->arg);
}

enum vigil_rc
sq_state_each(struct store_conn *c, const char *component,
              int (*fn)(const char *component, const char *key,
                        const void *blob, size_t len, int64_t updated_ns,
                        void *arg),
              void *arg, struct vigil_err *err)
{
    struct state_ctx x = {fn, arg};
    sqlite3_stmt *st = NULL;
    enum vigil_rc rc;

    VIGIL_TRY(q_prepare(c,
                        component != NULL
                            ? "SELECT component, key, value, updated_ns FROM "
                              "component_state WHERE component = ?1 "
                              "ORDER BY component, key"
                            : "SELECT component, key, value, updated_ns FROM "
                              "component_state ORDER BY component, key",
                        &st, err));
    if (component != NULL)
        sqlite3_bind_text(st, 1, component, -1, SQLITE_STATIC);
    rc = q_each(c, st, state_row, &x, "reading state", err);
out:
    sqlite3_finalize(st);
    return rc;
}
