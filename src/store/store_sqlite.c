/* store_sqlite.c -- the SQLite back end: its operations table, opening
 * and closing its connections, pragmas, transactions, schema versions and
 * the store's own tables in SQLite's SQL. Writes are in
 * store_sqlite_write.c, queries in store_sqlite_query.c.
 *
 * The store's own schema version is PRAGMA user_version (0 = empty
 * database), as it was before other domains had tables; domains' versions
 * are rows of schema_migrations.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_sqlite.h"

static const char *const stmt_sql[SQ_N] = {
    [SQ_BEGIN] = "BEGIN IMMEDIATE",
    [SQ_COMMIT] = "COMMIT",
    [SQ_ROLLBACK] = "ROLLBACK",
    [SQ_INS_EVENT] = "INSERT INTO events (time_ns, source_id, json, "
                     "size) VALUES (?1, ?2, ?3, ?4)",
    [SQ_INS_SOURCE] = "INSERT INTO sources (name) VALUES (?1) "
                      "ON CONFLICT (name) DO NOTHING",
    [SQ_GET_SOURCE] = "SELECT id FROM sources WHERE name = ?1",
    [SQ_INS_ALERT] =
        "INSERT INTO alerts (time_ns, rule_id, title, level, tags_json, "
        "event_json, matched_json, source, uid, created_ns) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [SQ_UPS_CHECKPOINT] =
        "INSERT INTO checkpoints (key, dev, inode, offset, fingerprint, "
        "updated_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
        "ON CONFLICT (key) DO UPDATE SET dev = excluded.dev, "
        "inode = excluded.inode, offset = excluded.offset, "
        "fingerprint = excluded.fingerprint, updated_ns = excluded.updated_ns",
    [SQ_UPS_COUNTERS] =
        "INSERT INTO counters (name, events_in, decoded, failed, dropped, "
        "alerts, updated_ns, truncated, unread, unread_files) VALUES (?1, "
        "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (name) DO UPDATE "
        "SET events_in = excluded.events_in, decoded = excluded.decoded, "
        "failed = excluded.failed, dropped = excluded.dropped, "
        "alerts = excluded.alerts, updated_ns = excluded.updated_ns, "
        "truncated = excluded.truncated, unread = excluded.unread, "
        "unread_files = excluded.unread_files",
    [SQ_ADD_TOTALS] = "UPDATE archive_totals SET events = events + ?1, "
                      "bytes = bytes + ?2 WHERE id = 1",
    [SQ_GET_TOTALS] = "SELECT events, bytes FROM archive_totals "
                      "WHERE id = 1",
    [SQ_OLD_BY_AGE] = "SELECT id, size FROM events WHERE time_ns < ?1 "
                      "ORDER BY time_ns, id LIMIT ?2",
    [SQ_OLDEST] = "SELECT id, size FROM events "
                  "ORDER BY time_ns, id LIMIT ?1",
    [SQ_DEL_EVENT] = "DELETE FROM events WHERE id = ?1",
    [SQ_PUT_STATE] =
        "INSERT INTO component_state (component, key, value, updated_ns) "
        "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (component, key) DO UPDATE SET "
        "value = excluded.value, updated_ns = excluded.updated_ns",
    [SQ_DEL_STATE] =
        "DELETE FROM component_state WHERE component = ?1 AND key = ?2",
};

/* The store's own steps. Shipped steps are never edited. */
static const struct vigil_store_migration core_steps[] = {
    /* version 1 */
    {"checkpoints, alerts, sources, event archive, counters",
     "CREATE TABLE checkpoints ("
     "  key TEXT PRIMARY KEY NOT NULL,"
     "  dev INTEGER NOT NULL,"
     "  inode INTEGER NOT NULL,"
     "  offset INTEGER NOT NULL,"
     "  fingerprint INTEGER NOT NULL,"
     "  updated_ns INTEGER NOT NULL"
     ") WITHOUT ROWID;"
     "CREATE TABLE alerts ("
     "  id INTEGER PRIMARY KEY,"
     "  time_ns INTEGER NOT NULL,"
     "  rule_id TEXT NOT NULL,"
     "  title TEXT NOT NULL,"
     "  level TEXT NOT NULL CHECK (level IN ('informational', 'low',"
     "    'medium', 'high', 'critical')),"
     "  tags_json TEXT,"
     "  event_json TEXT NOT NULL,"
     "  matched_json TEXT,"
     "  source TEXT,"
     "  created_ns INTEGER NOT NULL"
     ");"
     "CREATE INDEX alerts_time ON alerts (time_ns);"
     "CREATE INDEX alerts_rule ON alerts (rule_id, time_ns);"
     /* Archived events name their source by number: a source key is
      * often longer than a quarter of the event's JSON. */
     "CREATE TABLE sources ("
     "  id INTEGER PRIMARY KEY,"
     "  name TEXT NOT NULL UNIQUE"
     ");"
     "CREATE TABLE events ("
     "  id INTEGER PRIMARY KEY,"
     "  time_ns INTEGER NOT NULL,"
     "  source_id INTEGER," /* sources.id or NULL */
     "  json TEXT NOT NULL,"
     "  size INTEGER NOT NULL CHECK (size >= 0)"
     ");"
     "CREATE INDEX events_time ON events (time_ns);"
     /* Running totals of the archive so retention and `vigil status`
      * need not scan it; kept by the same transactions that insert and
      * delete events. */
     "CREATE TABLE archive_totals ("
     "  id INTEGER PRIMARY KEY CHECK (id = 1),"
     "  events INTEGER NOT NULL,"
     "  bytes INTEGER NOT NULL"
     ");"
     "INSERT INTO archive_totals VALUES (1, 0, 0);"
     "CREATE TABLE counters ("
     "  name TEXT PRIMARY KEY NOT NULL,"
     "  events_in INTEGER NOT NULL,"
     "  decoded INTEGER NOT NULL,"
     "  failed INTEGER NOT NULL,"
     "  dropped INTEGER NOT NULL,"
     "  alerts INTEGER NOT NULL,"
     "  updated_ns INTEGER NOT NULL"
     ") WITHOUT ROWID;"},
    /* version 2 */
    {"domain schema versions, component state",
     /* Versions of other domains' tables (store_migrate.c); the store's
      * own stays in user_version. */
     "CREATE TABLE schema_migrations ("
     "  domain TEXT PRIMARY KEY NOT NULL,"
     "  version INTEGER NOT NULL CHECK (version >= 0),"
     "  updated_ns INTEGER NOT NULL"
     ") WITHOUT ROWID;"
     /* A rowid table: values may be large, which WITHOUT ROWID tables
      * store badly. */
     "CREATE TABLE component_state ("
     "  component TEXT NOT NULL,"
     "  key TEXT NOT NULL,"
     "  value BLOB NOT NULL,"
     "  updated_ns INTEGER NOT NULL,"
     "  PRIMARY KEY (component, key)"
     ");"},
    /* version 3 */
    {"counters: bytes lost to truncation",
     /* Bytes a source saw in a file but could not read before it was
      * truncated (copytruncate without a copy vigil could find). */
     "ALTER TABLE counters ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0;"},
    /* version 4 */
    {"alerts: their own ids",
     /* Incidents and the evidence log name alerts by an id made where
      * the alert is (vigil_uid_new), not by a row number. */
     "ALTER TABLE alerts ADD COLUMN uid TEXT;"
     "CREATE INDEX alerts_uid ON alerts (uid);"},
    /* version 5 */
    {"counters: rotated files unread",
     /* Bytes written to a rotated file after vigil let it go, and rotated
      * files vigil could not read (compressed with what zlib cannot
      * read, gone before it read them). */
     "ALTER TABLE counters ADD COLUMN unread INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE counters ADD COLUMN unread_files INTEGER NOT NULL "
     "DEFAULT 0;"},
    /* Incidents, cases and their timelines come as later steps. */
};

enum vigil_rc
sq_err(struct vigil_err *err, sqlite3 *db, const char *what)
{
    return vigil_err_set(err, VIGIL_ESTORE, "store: %s: %s", what,
                         db ? sqlite3_errmsg(db) : "cannot allocate");
}

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

    /* NOFOLLOW: a vigil.db that is a symbolic link is refused, so whoever
     * could plant one cannot make the store write somewhere else. */
    if (sqlite3_open_v2(path, db,
                        flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
                        NULL) != SQLITE_OK) {
        snprintf(what, sizeof(what), "cannot open %s", path);
        rc = sq_err(err, *db, what);
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
        rc = sq_err(err, db, "setting the page size");
        goto out;
    }
    if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, NULL) !=
            SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        rc = sq_err(err, db, "setting WAL mode");
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
        rc = sq_err(err, db, "setting pragmas");
out:
    sqlite3_finalize(st);
    return rc;
}

/* Opens the read-write connection in WAL mode. A command opening the
 * store at the same moment (`vigil status` polling while the daemon
 * starts) can leave the WAL index briefly unusable for a writer: SQLite
 * then answers SQLITE_READONLY (or BUSY) while setting WAL mode. That
 * passes within moments, so it is tried again for up to
 * STORE_OPEN_RETRIES x 100 ms before the daemon gives up; the error
 * names SQLite's extended code. */
static enum vigil_rc
open_rw(struct store_conn *c, const char *path, struct vigil_err *err)
{
    enum vigil_rc rc;
    int code = 0;

    for (int attempt = 0;; attempt++) {
        rc = open_conn(&c->db, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                       err);
        if (rc != VIGIL_OK)
            return rc;
        if ((rc = set_pragmas(c->db, path, err)) == VIGIL_OK)
            return VIGIL_OK;
        code = sqlite3_extended_errcode(c->db);
        if (((code & 0xff) != SQLITE_READONLY &&
             (code & 0xff) != SQLITE_BUSY) ||
            attempt >= STORE_OPEN_RETRIES)
            break;
        sqlite3_close(c->db);
        c->db = NULL;
        usleep(100 * 1000);
    }
    if (code != 0) {
        char msg[sizeof(err->msg)];
        memcpy(msg, err->msg, sizeof(msg));
        vigil_err_set(err, rc, "%s (SQLite code %d)", msg, code);
    }
    return rc;
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

static enum vigil_rc
sq_open(const struct vigil_store *s, struct store_conn **out,
        struct vigil_err *err)
{
    struct store_conn *c;
    struct stat sb;
    enum vigil_rc rc;
    int i;

    pthread_once(&sqlite_once, sqlite_setup);
    if ((c = calloc(1, sizeof(*c))) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "store: out of memory");
    *out = c;
    c->path = s->path;
    if (!s->opts.readonly) {
        if ((rc = prepare_file(s->path, err)) != VIGIL_OK ||
            (rc = open_rw(c, s->path, err)) != VIGIL_OK)
            return rc;
        /* The transaction statements come first: migrations need them
         * before the tables the others name exist. */
        for (i = 0; i < SQ_NTX; i++)
            if (sqlite3_prepare_v3(c->db, stmt_sql[i], -1,
                                   SQLITE_PREPARE_PERSISTENT, &c->st[i],
                                   NULL) != SQLITE_OK)
                return sq_err(err, c->db, "preparing statements");
    } else if (stat(s->path, &sb) != 0) {
        return vigil_err_set(err, VIGIL_ENOTFOUND,
                             "store: no store at %s (vigil run creates it): "
                             "%s",
                             s->path, strerror(errno));
    }
    return open_conn(&c->qdb, s->path, SQLITE_OPEN_READONLY, err);
}

static enum vigil_rc
sq_ready(struct store_conn *c, struct vigil_err *err)
{
    int i;

    for (i = SQ_NTX; i < SQ_N; i++)
        if (sqlite3_prepare_v3(c->db, stmt_sql[i], -1,
                               SQLITE_PREPARE_PERSISTENT, &c->st[i],
                               NULL) != SQLITE_OK)
            return sq_err(err, c->db, "preparing statements");
    c->rowids = malloc(STORE_RETENTION_CHUNK * sizeof(*c->rowids));
    if (c->rowids == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "store: out of memory");
    return VIGIL_OK;
}

static void
sq_close(struct store_conn *c)
{
    int i;

    if (c == NULL)
        return;
    for (i = 0; i < SQ_N; i++)
        sqlite3_finalize(c->st[i]);
    sq_cache_clear(c);
    if (c->qdb != NULL && sqlite3_close(c->qdb) != SQLITE_OK)
        vigil_log(VIGIL_LOG_WARN, STORE_LOG_CLOSE,
                  "store %s: query connection did not close: %s", c->path,
                  sqlite3_errmsg(c->qdb));
    /* The read-write connection closes last: as the last connection it
     * checkpoints the WAL into the database and removes it. */
    if (c->db != NULL) {
        sqlite3_exec(c->db, "PRAGMA optimize", NULL, NULL, NULL);
        if (sqlite3_close(c->db) != SQLITE_OK)
            vigil_log(VIGIL_LOG_WARN, STORE_LOG_CLOSE,
                      "store %s: did not close: %s", c->path,
                      sqlite3_errmsg(c->db));
    }
    free(c->rowids);
    free(c);
}

/* ---- transactions --------------------------------------------------- */

/* Begins the writer's transaction. The first one after the daemon opened
 * the store can meet the same passing SQLITE_READONLY (or BUSY) as
 * open_rw when a command opens the store at that moment (`vigil status`
 * polled by a script while the daemon starts): tried again the same way. */
static enum vigil_rc
sq_begin(struct store_conn *c, struct vigil_err *err)
{
    enum vigil_rc rc;

    c->tx_events = 0;
    c->tx_bytes = 0;
    for (int attempt = 0;; attempt++) {
        int code;
        rc = sq_step_done(c, SQ_BEGIN, "starting a transaction", err);
        code = sqlite3_extended_errcode(c->db) & 0xff;
        if (rc == VIGIL_OK ||
            (code != SQLITE_READONLY && code != SQLITE_BUSY) ||
            attempt >= STORE_OPEN_RETRIES)
            return rc;
        vigil_err_clear(err);
        usleep(100 * 1000);
    }
}

static enum vigil_rc
sq_commit(struct store_conn *c, struct vigil_err *err)
{
    enum vigil_rc rc;

    if (c->tx_events > 0) {
        sqlite3_bind_int64(c->st[SQ_ADD_TOTALS], 1, c->tx_events);
        sqlite3_bind_int64(c->st[SQ_ADD_TOTALS], 2, c->tx_bytes);
        if ((rc = sq_step_done(c, SQ_ADD_TOTALS, "updating archive totals",
                               err)) != VIGIL_OK)
            return rc;
    }
    return sq_step_done(c, SQ_COMMIT, "committing", err);
}

static void
sq_rollback(struct store_conn *c)
{
    /* After some errors (SQLITE_FULL, IOERR) SQLite has already rolled
     * back; there is then nothing to do. */
    if (!sqlite3_get_autocommit(c->db)) {
        sqlite3_step(c->st[SQ_ROLLBACK]);
        sqlite3_reset(c->st[SQ_ROLLBACK]);
    }
    c->tx_events = 0;
    c->tx_bytes = 0;
}

/* ---- schema --------------------------------------------------------- */

static enum vigil_rc
sq_version_get(struct store_conn *c, const char *domain, int *version,
               struct vigil_err *err)
{
    sqlite3 *db = c->db != NULL ? c->db : c->qdb;
    sqlite3_stmt *st = NULL;
    enum vigil_rc rc = VIGIL_OK;
    int r;

    if (sqlite3_prepare_v2(db,
                           domain == NULL ? "PRAGMA user_version"
                                          : "SELECT version FROM "
                                            "schema_migrations WHERE "
                                            "domain = ?1",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = sq_err(err, db, "reading the schema version");
        goto out;
    }
    if (domain != NULL)
        sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
    r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *version = sqlite3_column_int(st, 0);
    else if (r == SQLITE_DONE && domain != NULL)
        *version = 0; /* never migrated */
    else
        rc = sq_err(err, db, "reading the schema version");
out:
    sqlite3_finalize(st);
    return rc;
}

static enum vigil_rc
sq_exec(struct store_conn *c, const char *sql, const char *what,
        struct vigil_err *err)
{
    if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return sq_err(err, c->db, what);
    return VIGIL_OK;
}

static enum vigil_rc
sq_version_set(struct store_conn *c, const char *domain, int version,
               struct vigil_err *err)
{
    sqlite3_stmt *st = NULL;
    enum vigil_rc rc = VIGIL_OK;
    char sql[64];

    if (domain == NULL) {
        snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version);
        return sq_exec(c, sql, "recording the schema version", err);
    }
    if (sqlite3_prepare_v2(c->db,
                           "INSERT INTO schema_migrations (domain, version, "
                           "updated_ns) VALUES (?1, ?2, ?3) "
                           "ON CONFLICT (domain) DO UPDATE SET "
                           "version = excluded.version, "
                           "updated_ns = excluded.updated_ns",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = sq_err(err, c->db, "recording a schema version");
        goto out;
    }
    sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, version);
    sqlite3_bind_int64(st, 3, vigil_time_now());
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = sq_err(err, c->db, "recording a schema version");
out:
    sqlite3_finalize(st);
    return rc;
}

const struct store_backend store_sqlite_backend = {
    .name = "sqlite",
    .open = sq_open,
    .ready = sq_ready,
    .close = sq_close,
    .core_steps = core_steps,
    .ncore_steps = sizeof(core_steps) / sizeof(core_steps[0]),
    .version_get = sq_version_get,
    .version_set = sq_version_set,
    .exec = sq_exec,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .write_events = sq_write_events,
    .write_alerts = sq_write_alerts,
    .write_checkpoints = sq_write_checkpoints,
    .write_counters = sq_write_counters,
    .write_state = sq_write_state,
    .expire = sq_expire,
    .checkpoint_get = sq_checkpoint_get,
    .counters_each = sq_counters_each,
    .count = sq_count,
    .events_each = sq_events_each,
    .alerts_each = sq_alerts_each,
    .state_get = sq_state_get,
    .state_each = sq_state_each,
    .stmt = sq_stmt,
};
