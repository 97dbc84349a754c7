/* store_sqlite.c -- opening and closing the SQLite store, its pragmas,
 * the query functions and archive retention.
 *
 * See store_int.h for which connection each function uses and the mutex
 * that guards it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_int.h"

static const char *const stmt_sql[STORE_ST_N] = {
    [STORE_ST_BEGIN] = "BEGIN IMMEDIATE",
    [STORE_ST_COMMIT] = "COMMIT",
    [STORE_ST_ROLLBACK] = "ROLLBACK",
    [STORE_ST_INS_EVENT] = "INSERT INTO events (time_ns, source_id, json, "
                           "size) VALUES (?1, ?2, ?3, ?4)",
    [STORE_ST_INS_SOURCE] = "INSERT INTO sources (name) VALUES (?1) "
                            "ON CONFLICT (name) DO NOTHING",
    [STORE_ST_GET_SOURCE] = "SELECT id FROM sources WHERE name = ?1",
    [STORE_ST_INS_ALERT] =
        "INSERT INTO alerts (time_ns, rule_id, title, level, tags_json, "
        "event_json, matched_json, source, created_ns) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [STORE_ST_UPS_CHECKPOINT] =
        "INSERT INTO checkpoints (key, dev, inode, offset, fingerprint, "
        "updated_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
        "ON CONFLICT (key) DO UPDATE SET dev = excluded.dev, "
        "inode = excluded.inode, offset = excluded.offset, "
        "fingerprint = excluded.fingerprint, updated_ns = excluded.updated_ns",
    [STORE_ST_UPS_COUNTERS] =
        "INSERT INTO counters (name, events_in, decoded, failed, dropped, "
        "alerts, updated_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
        "ON CONFLICT (name) DO UPDATE SET events_in = excluded.events_in, "
        "decoded = excluded.decoded, failed = excluded.failed, "
        "dropped = excluded.dropped, alerts = excluded.alerts, "
        "updated_ns = excluded.updated_ns",
    [STORE_ST_ADD_TOTALS] = "UPDATE archive_totals SET events = events + ?1, "
                            "bytes = bytes + ?2 WHERE id = 1",
    [STORE_ST_GET_TOTALS] = "SELECT events, bytes FROM archive_totals "
                            "WHERE id = 1",
    [STORE_ST_OLD_BY_AGE] = "SELECT id, size FROM events WHERE time_ns < ?1 "
                            "ORDER BY time_ns, id LIMIT ?2",
    [STORE_ST_OLDEST] = "SELECT id, size FROM events "
                        "ORDER BY time_ns, id LIMIT ?1",
    [STORE_ST_DEL_EVENT] = "DELETE FROM events WHERE id = ?1",
};

/* ---- opening -------------------------------------------------------- */

/* Creates dir and its missing parents with mode (mkdir -p). */
static enum vigil_rc
mkdir_p(const char *dir, mode_t mode, struct vigil_err *err)
{
    char tmp[4096];
    size_t n = strlen(dir), i;

    if (n == 0 || n >= sizeof(tmp))
        return vigil_err_set(err, VIGIL_EINVAL, "store: bad directory '%s'",
                             dir);
    memcpy(tmp, dir, n + 1);
    for (i = 1; i <= n; i++) {
        if (tmp[i] != '/' && tmp[i] != '\0')
            continue;
        tmp[i] = '\0';
        if (mkdir(tmp, mode) != 0 && errno != EEXIST)
            return vigil_err_set(err, VIGIL_EIO,
                                 "store: cannot create directory %s: %s", tmp,
                                 strerror(errno));
        tmp[i] = i < n ? '/' : '\0';
    }
    return VIGIL_OK;
}

/* Creates the state directory (0700) and the database file (0600) so the
 * archive is never readable by other users, whatever the umask. SQLite
 * gives its -wal and -shm files the database file's mode. */
static enum vigil_rc
prepare_file(const char *path, struct vigil_err *err)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    enum vigil_rc rc;
    int fd;

    if (slash != NULL && slash != path) {
        size_t n = (size_t)(slash - path);
        if (n >= sizeof(dir))
            return vigil_err_set(err, VIGIL_EINVAL, "store: path too long: %s",
                                 path);
        memcpy(dir, path, n);
        dir[n] = '\0';
        if ((rc = mkdir_p(dir, 0700, err)) != VIGIL_OK)
            return rc;
    }
    fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
    else if (errno != EEXIST)
        return vigil_err_set(err, VIGIL_EIO, "store: cannot create %s: %s",
                             path, strerror(errno));
    return VIGIL_OK;
}

static enum vigil_rc
open_conn(sqlite3 **db, const char *path, int flags, struct vigil_err *err)
{
    char what[4200];
    enum vigil_rc rc = VIGIL_OK;

    if (sqlite3_open_v2(path, db, flags | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        snprintf(what, sizeof(what), "cannot open %s", path);
        rc = store_err(err, *db, what);
        sqlite3_close(*db);
        *db = NULL;
        return rc;
    }
    sqlite3_extended_result_codes(*db, 1);
    sqlite3_busy_timeout(*db, STORE_BUSY_TIMEOUT_MS);
    return rc;
}

/* WAL lets `vigil status` and the queries read while the writer writes;
 * synchronous=NORMAL syncs at checkpoints only, which survives a crash of
 * the process (kill -9) but may lose the last transactions on power loss,
 * the usual trade for a log archive. */
static enum vigil_rc
set_pragmas(sqlite3 *db, const char *path, struct vigil_err *err)
{
    sqlite3_stmt *st = NULL;
    enum vigil_rc rc = VIGIL_OK;
    const char *mode;

    /* 16 KiB pages (set before the first table; a no-op later) write the
     * archive with a quarter of the system calls of 4 KiB pages and pack
     * rows a little tighter; larger pages would make the small per-commit
     * updates (checkpoints, counters) write more. */
    if (sqlite3_exec(db, "PRAGMA page_size = 16384", NULL, NULL, NULL) !=
        SQLITE_OK) {
        rc = store_err(err, db, "setting the page size");
        goto out;
    }
    if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, NULL) !=
            SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        rc = store_err(err, db, "setting WAL mode");
        goto out;
    }
    mode = (const char *)sqlite3_column_text(st, 0);
    if (mode == NULL || strcmp(mode, "wal") != 0) {
        rc = vigil_err_set(err, VIGIL_ESTORE,
                           "store %s: cannot use WAL mode (journal mode is "
                           "%s); is it on a network file system?",
                           path, mode ? mode : "unknown");
        goto out;
    }
    /* A 16 MiB page cache (1024 pages) keeps the inner pages of the events
     * table and its time index in memory while the archive grows. */
    if (sqlite3_exec(db,
                     "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
                     "PRAGMA cache_size = -16384",
                     NULL, NULL, NULL) != SQLITE_OK)
        rc = store_err(err, db, "setting pragmas");
out:
    sqlite3_finalize(st);
    return rc;
}

static enum vigil_rc
init_sync(struct vigil_store *s, struct vigil_err *err)
{
    pthread_mutexattr_t ma;
    int e = 0;

    /* Recursive so a query callback may run another query. */
    e |= pthread_mutexattr_init(&ma);
    e |= pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    e |= pthread_mutex_init(&s->qmu, &ma);
    pthread_mutexattr_destroy(&ma);
    e |= pthread_mutex_init(&s->wmu, NULL);
    e |= pthread_mutex_init(&s->mu, NULL);
    e |= pthread_cond_init(&s->cv_work, NULL);
    e |= pthread_cond_init(&s->cv_space, NULL);
    e |= pthread_cond_init(&s->cv_idle, NULL);
    if (e != 0)
        return vigil_err_set(err, VIGIL_ENOMEM, "store: cannot create mutexes");
    return VIGIL_OK;
}

static enum vigil_rc
open_writer(struct vigil_store *s, struct vigil_err *err)
{
    enum vigil_rc rc;
    int i;

    if ((rc = prepare_file(s->path, err)) != VIGIL_OK ||
        (rc = open_conn(&s->db, s->path,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err)) !=
            VIGIL_OK ||
        (rc = set_pragmas(s->db, s->path, err)) != VIGIL_OK ||
        (rc = store_migrate(s->db, s->path, &s->version, err)) != VIGIL_OK)
        return rc;
    for (i = 0; i < STORE_ST_N; i++)
        if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1,
                               SQLITE_PREPARE_PERSISTENT, &s->st[i],
                               NULL) != SQLITE_OK)
            return store_err(err, s->db, "preparing statements");
    s->rowids = malloc(STORE_RETENTION_CHUNK * sizeof(*s->rowids));
    if (s->rowids == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "store: out of memory");
    return VIGIL_OK;
}

static enum vigil_rc
open_reader(struct vigil_store *s, struct vigil_err *err)
{
    struct stat st;
    enum vigil_rc rc;
    int v, latest = store_schema_latest();

    if (s->opts.readonly && stat(s->path, &st) != 0)
        return vigil_err_set(err, VIGIL_ENOTFOUND,
                             "store: no store at %s (vigil run creates it): "
                             "%s",
                             s->path, strerror(errno));
    if ((rc = open_conn(&s->qdb, s->path, SQLITE_OPEN_READONLY, err)) !=
        VIGIL_OK)
        return rc;
    if (!s->opts.readonly)
        return VIGIL_OK;
    if ((rc = store_user_version(s->qdb, &v, err)) != VIGIL_OK)
        return rc;
    if (v == 0)
        return vigil_err_set(err, VIGIL_ENOTFOUND,
                             "store %s is empty or not a vigil store", s->path);
    if (v > latest)
        return vigil_err_set(err, VIGIL_EUNSUPPORTED,
                             "store %s has schema version %d, newer than the "
                             "%d this vigil knows; use the vigil release that "
                             "wrote it or a newer one",
                             s->path, v, latest);
    if (v < latest)
        return vigil_err_set(err, VIGIL_EUNSUPPORTED,
                             "store %s has schema version %d, older than %d; "
                             "start `vigil run` once to migrate it",
                             s->path, v, latest);
    s->version = v;
    return VIGIL_OK;
}

static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

/* SQLite's memory statistics take a global mutex on every allocation;
 * vigil never reads them. This must precede SQLite's initialisation, so
 * it runs once before the first connection; if SQLite is already
 * initialised the call is refused harmlessly. */
static void
sqlite_setup(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

enum vigil_rc
vigil_store_open(struct vigil_store **out, const char *path,
                 const struct vigil_store_opts *opts, struct vigil_err *err)
{
    struct vigil_store *s = NULL;
    enum vigil_rc rc;
    size_t n;

    if (out == NULL || path == NULL || *path == '\0')
        return vigil_err_set(err, VIGIL_EINVAL, "store: no path");
    *out = NULL;
    n = strlen(path);
    if (n >= sizeof(s->path))
        return vigil_err_set(err, VIGIL_EINVAL, "store: path too long");
    pthread_once(&sqlite_once, sqlite_setup);
    if ((s = calloc(1, sizeof(*s))) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "store: out of memory");
    if ((rc = init_sync(s, err)) != VIGIL_OK) {
        free(s);
        return rc;
    }
    memcpy(s->path, path, n + 1);
    if (opts != NULL)
        s->opts = *opts;
    if (!s->opts.readonly)
        VIGIL_TRY(open_writer(s, err));
    VIGIL_TRY(open_reader(s, err));
    *out = s;
    s = NULL;
    rc = VIGIL_OK;
out:
    vigil_store_close(s);
    return rc;
}

void
vigil_store_close(struct vigil_store *s)
{
    int i;

    if (s == NULL)
        return;
    store_writer_stop(s);
    for (i = 0; i < STORE_ST_N; i++)
        sqlite3_finalize(s->st[i]);
    if (s->qdb != NULL && sqlite3_close(s->qdb) != SQLITE_OK)
        vigil_log(VIGIL_LOG_WARN, STORE_LOG_CLOSE,
                  "store %s: query connection did not close: %s", s->path,
                  sqlite3_errmsg(s->qdb));
    /* The read-write connection closes last: as the last connection it
     * checkpoints the WAL into the database and removes it. */
    if (s->db != NULL) {
        sqlite3_exec(s->db, "PRAGMA optimize", NULL, NULL, NULL);
        if (sqlite3_close(s->db) != SQLITE_OK)
            vigil_log(VIGIL_LOG_WARN, STORE_LOG_CLOSE,
                      "store %s: did not close: %s", s->path,
                      sqlite3_errmsg(s->db));
    }
    free(s->rowids);
    pthread_mutex_destroy(&s->qmu);
    pthread_mutex_destroy(&s->wmu);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv_work);
    pthread_cond_destroy(&s->cv_space);
    pthread_cond_destroy(&s->cv_idle);
    free(s);
}

int
vigil_store_schema_version(struct vigil_store *s)
{
    return s ? s->version : 0;
}

/* ---- queries (qdb under qmu) ----------------------------------------- */

static enum vigil_rc
q_prepare(struct vigil_store *s, const char *sql, sqlite3_stmt **st,
          struct vigil_err *err)
{
    if (sqlite3_prepare_v2(s->qdb, sql, -1, st, NULL) != SQLITE_OK) {
        *st = NULL;
        return store_err(err, s->qdb, "preparing a query");
    }
    return VIGIL_OK;
}

enum vigil_rc
vigil_store_checkpoint_get(struct vigil_store *s, const char *key,
                           struct vigil_checkpoint *cp, struct vigil_err *err)
{
    sqlite3_stmt *st = NULL;
    enum vigil_rc rc;
    size_t n;
    int r;

    if (s == NULL || key == NULL || cp == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store: bad arguments");
    n = strlen(key);
    if (n >= sizeof(cp->key))
        return vigil_err_set(err, VIGIL_EINVAL,
                             "store: checkpoint key too long");
    pthread_mutex_lock(&s->qmu);
    VIGIL_TRY(q_prepare(s,
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
        rc = store_err(err, s->qdb, "reading a checkpoint");
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
    pthread_mutex_unlock(&s->qmu);
    return rc;
}

/* Steps st to its end, calling row(st, arg) for each row until it returns
 * non-zero. */
static enum vigil_rc
q_each(struct vigil_store *s, sqlite3_stmt *st,
       int (*row)(sqlite3_stmt *st, void *arg), void *arg, const char *what,
       struct vigil_err *err)
{
    int r;

    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if (row(st, arg) != 0)
            return VIGIL_OK;
    if (r != SQLITE_DONE)
        return store_err(err, s->qdb, what);
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
    return x->fn(&c, sqlite3_column_int64(st, 6), x->arg);
}

enum vigil_rc
vigil_store_counters_each(struct vigil_store *s,
                          int (*fn)(const struct vigil_source_counters *c,
                                    int64_t updated_ns, void *arg),
                          void *arg, struct vigil_err *err)
{
    struct counters_ctx x = {fn, arg};
    sqlite3_stmt *st = NULL;
    enum vigil_rc rc;

    if (s == NULL || fn == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store: bad arguments");
    pthread_mutex_lock(&s->qmu);
    VIGIL_TRY(q_prepare(s,
                        "SELECT name, events_in, decoded, failed, dropped, "
                        "alerts, updated_ns FROM counters ORDER BY name",
                        &st, err));
    rc = q_each(s, st, counters_row, &x, "reading counters", err);
out:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->qmu);
    return rc;
}

enum vigil_rc
vigil_store_count(struct vigil_store *s, int64_t *events, int64_t *alerts,
                  struct vigil_err *err)
{
    sqlite3_stmt *st = NULL;
    enum vigil_rc rc;

    if (s == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store: no store");
    pthread_mutex_lock(&s->qmu);
    /* One statement, so both numbers come from the same snapshot. */
    VIGIL_TRY(q_prepare(s,
                        "SELECT (SELECT events FROM archive_totals "
                        "WHERE id = 1), (SELECT count(*) FROM alerts)",
                        &st, err));
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = store_err(err, s->qdb, "counting");
        goto out;
    }
    if (events)
        *events = sqlite3_column_int64(st, 0);
    if (alerts)
        *alerts = sqlite3_column_int64(st, 1);
    rc = VIGIL_OK;
out:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->qmu);
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
vigil_store_events_each(struct vigil_store *s, const char *needle,
                        int64_t since_ns, int64_t until_ns,
                        int (*fn)(const char *json, size_t len, void *arg),
                        void *arg, struct vigil_err *err)
{
    struct events_ctx x = {fn, arg};
    sqlite3_stmt *st = NULL;
    enum vigil_rc rc;
    char sql[256];

    if (s == NULL || fn == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store: bad arguments");
    /* Only the conditions asked for, so the planner can use the time
     * index for a range. instr() is a byte-wise, case-sensitive search. */
    snprintf(sql, sizeof(sql),
             "SELECT json FROM events WHERE 1%s%s%s ORDER BY time_ns, id",
             needle ? " AND instr(json, ?1) > 0" : "",
             since_ns ? " AND time_ns >= ?2" : "",
             until_ns ? " AND time_ns < ?3" : "");
    pthread_mutex_lock(&s->qmu);
    VIGIL_TRY(q_prepare(s, sql, &st, err));
    if (needle)
        sqlite3_bind_text(st, 1, needle, -1, SQLITE_STATIC);
    if (since_ns)
        sqlite3_bind_int64(st, 2, since_ns);
    if (until_ns)
        sqlite3_bind_int64(st, 3, until_ns);
    rc = q_each(s, st, events_row, &x, "reading archived events", err);
out:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->qmu);
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
    return x->fn(&a, x->arg);
}

enum vigil_rc
vigil_store_alerts_each(struct vigil_store *s, int64_t limit,
                        int (*fn)(const struct vigil_alert *a, void *arg),
                        void *arg, struct vigil_err *err)
{
    struct alerts_ctx x = {fn, arg};
    sqlite3_stmt *st = NULL;
    enum vigil_rc rc;

    if (s == NULL || fn == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store: bad arguments");
    pthread_mutex_lock(&s->qmu);
    VIGIL_TRY(q_prepare(s,
                        "SELECT time_ns, rule_id, title, level, tags_json, "
                        "event_json, matched_json, source FROM alerts "
                        "ORDER BY time_ns DESC, id DESC LIMIT ?1",
                        &st, err));
    sqlite3_bind_int64(st, 1, limit > 0 ? limit : -1);
    rc = q_each(s, st, alerts_row, &x, "reading alerts", err);
out:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->qmu);
    return rc;
}

/* ---- retention (db under wmu, one chunk per transaction) -------------- */

/* Deletes, in one transaction, at most one chunk of the oldest archived
 * events: those older than cutoff_ns (by_age), or as many as bring the
 * archive's total JSON bytes down to max_bytes. Adds the rows deleted to
 * *deleted and sets *done when nothing is left to delete. */
static enum vigil_rc
retention_chunk(struct vigil_store *s, int by_age, int64_t cutoff_ns,
                int64_t *deleted, int *done, struct vigil_err *err)
{
    sqlite3_stmt *sel, *tot = s->st[STORE_ST_GET_TOTALS];
    int64_t excess = 0, freed = 0;
    enum vigil_rc rc;
    size_t k = 0, i;
    int r = SQLITE_DONE;

    *done = 1;
    pthread_mutex_lock(&s->wmu);
    VIGIL_TRY(store_step_done(s, STORE_ST_BEGIN, "starting retention", err));
    if (!by_age) {
        r = sqlite3_step(tot);
        if (r == SQLITE_ROW)
            excess = sqlite3_column_int64(tot, 1) - s->opts.archive_max_bytes;
        sqlite3_reset(tot);
        if (r != SQLITE_ROW) {
            rc = store_err(err, s->db, "reading archive totals");
            goto fail;
        }
        if (excess <= 0)
            goto commit;
    }
    sel = s->st[by_age ? STORE_ST_OLD_BY_AGE : STORE_ST_OLDEST];
    if (by_age) {
        sqlite3_bind_int64(sel, 1, cutoff_ns);
        sqlite3_bind_int64(sel, 2, STORE_RETENTION_CHUNK);
    } else {
        sqlite3_bind_int64(sel, 1, STORE_RETENTION_CHUNK);
    }
    while (k < STORE_RETENTION_CHUNK && (by_age || freed < excess) &&
           (r = sqlite3_step(sel)) == SQLITE_ROW) {
        s->rowids[k++] = sqlite3_column_int64(sel, 0);
        freed += sqlite3_column_int64(sel, 1);
    }
    sqlite3_reset(sel);
    sqlite3_clear_bindings(sel);
    if (k < STORE_RETENTION_CHUNK && (by_age || freed < excess) &&
        r != SQLITE_DONE) {
        rc = store_err(err, s->db, "selecting events to expire");
        goto fail;
    }
    for (i = 0; i < k; i++) {
        sqlite3_bind_int64(s->st[STORE_ST_DEL_EVENT], 1, s->rowids[i]);
        if ((rc = store_step_done(s, STORE_ST_DEL_EVENT,
                                  "deleting an expired event", err)) !=
            VIGIL_OK)
            goto fail;
    }
    if (k > 0) {
        sqlite3_bind_int64(s->st[STORE_ST_ADD_TOTALS], 1, -(int64_t)k);
        sqlite3_bind_int64(s->st[STORE_ST_ADD_TOTALS], 2, -freed);
        if ((rc = store_step_done(s, STORE_ST_ADD_TOTALS,
                                  "updating archive totals", err)) != VIGIL_OK)
            goto fail;
    }
    /* A full chunk may leave more behind; a short one found the end. */
    *done = by_age ? k < STORE_RETENTION_CHUNK
                   : (freed >= excess || k < STORE_RETENTION_CHUNK);
commit:
    if ((rc = store_step_done(s, STORE_ST_COMMIT, "committing retention",
                              err)) != VIGIL_OK)
        goto fail;
    *deleted += (int64_t)k;
    goto out;
fail:
    *done = 1;
    if (!sqlite3_get_autocommit(s->db)) {
        sqlite3_step(s->st[STORE_ST_ROLLBACK]);
        sqlite3_reset(s->st[STORE_ST_ROLLBACK]);
    }
out:
    pthread_mutex_unlock(&s->wmu);
    return rc;
}

enum vigil_rc
vigil_store_apply_retention(struct vigil_store *s, int64_t now_ns,
                            int64_t *deleted, struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_OK;
    int64_t n = 0;
    int done;

    if (deleted)
        *deleted = 0;
    if (s == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store: no store");
    if (s->db == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store %s is open read-only",
                             s->path);
    /* The write mutex is released between chunks so queued batches get
     * their turn while a large backlog expires. */
    if (s->opts.archive_max_age_s > 0 &&
        s->opts.archive_max_age_s < INT64_MAX / VIGIL_NS_PER_SEC) {
        int64_t cutoff = now_ns - s->opts.archive_max_age_s * VIGIL_NS_PER_SEC;
        do
            rc = retention_chunk(s, 1, cutoff, &n, &done, err);
        while (rc == VIGIL_OK && !done);
    }
    if (rc == VIGIL_OK && s->opts.archive_max_bytes > 0) {
        do
            rc = retention_chunk(s, 0, 0, &n, &done, err);
        while (rc == VIGIL_OK && !done);
    }
    if (n > 0)
        vigil_log(VIGIL_LOG_DEBUG, STORE_LOG_RETENTION,
                  "store %s: retention deleted %lld archived events", s->path,
                  (long long)n);
    if (deleted)
        *deleted = n;
    return rc;
}
