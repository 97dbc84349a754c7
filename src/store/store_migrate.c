/* store_migrate.c -- the numbered schema migrations of the SQLite store.
 *
 * The schema version lives in PRAGMA user_version (0 = empty database).
 * Each step below moves the schema from version i to i + 1 and runs in
 * its own transaction together with the version bump, so a crash leaves
 * the database at a whole version. Steps are only ever appended: a step
 * that shipped is never edited, later needs get a new step. A database
 * whose version is above the last step was written by a newer vigil and is
 * refused rather than misread.
 */
#include <stdio.h>

#include "store_int.h"

struct store_migration {
    const char *what;
    const char *sql;
};

static const struct store_migration migrations[] = {
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
    /* Incidents, cases and their timelines come as later steps. */
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int
store_schema_latest(void)
{
    return NMIGRATIONS;
}

enum vigil_rc
store_err(struct vigil_err *err, sqlite3 *db, const char *what)
{
    return vigil_err_set(err, VIGIL_ESTORE, "store: %s: %s", what,
                         db ? sqlite3_errmsg(db) : "cannot allocate");
}

enum vigil_rc
store_user_version(sqlite3 *db, int *version, struct vigil_err *err)
{
    sqlite3_stmt *st = NULL;
    enum vigil_rc rc = VIGIL_OK;

    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) !=
            SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        rc = store_err(err, db, "reading the schema version");
    else
        *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc;
}

static enum vigil_rc
exec(sqlite3 *db, const char *sql, const char *what, struct vigil_err *err)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return store_err(err, db, what);
    return VIGIL_OK;
}

enum vigil_rc
store_migrate(sqlite3 *db, const char *path, int *version,
              struct vigil_err *err)
{
    enum vigil_rc rc;
    char sql[64], what[160];
    int v;

    for (;;) {
        /* IMMEDIATE takes the write lock first, so two processes opening
         * the same new store do not both run a step: the second waits,
         * then sees the version the first wrote. */
        if ((rc = exec(db, "BEGIN IMMEDIATE", "starting a migration", err)) !=
            VIGIL_OK)
            return rc;
        if ((rc = store_user_version(db, &v, err)) != VIGIL_OK)
            goto fail;
        if (v > NMIGRATIONS) {
            rc = vigil_err_set(err, VIGIL_EUNSUPPORTED,
                               "store %s has schema version %d, newer than "
                               "the %d this vigil knows; use the vigil "
                               "release that wrote it or a newer one",
                               path, v, NMIGRATIONS);
            goto fail;
        }
        if (v == NMIGRATIONS) {
            if ((rc = exec(db, "COMMIT", "finishing migrations", err)) !=
                VIGIL_OK)
                goto fail;
            *version = v;
            return VIGIL_OK;
        }
        snprintf(what, sizeof(what), "migrating to schema version %d (%s)",
                 v + 1, migrations[v].what);
        snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
        if ((rc = exec(db, migrations[v].sql, what, err)) != VIGIL_OK ||
            (rc = exec(db, sql, what, err)) != VIGIL_OK ||
            (rc = exec(db, "COMMIT", what, err)) != VIGIL_OK)
            goto fail;
        vigil_log(VIGIL_LOG_INFO, STORE_LOG_MIGRATED,
                  "store %s: migrated schema to version %d (%s)", path, v + 1,
                  migrations[v].what);
    }
fail:
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}
