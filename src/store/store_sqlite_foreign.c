/* store_sqlite_foreign.c -- counts what another system's SQLite database
 * holds (the first column of the first row of a query), for the data-loss
 * stores of src/fim. The file belongs to someone else and may be in use:
 * it is opened read-only and never created, the connection refuses every
 * write (query_only), trusts nothing its schema asks for, waits a bounded
 * time for a writer's lock and stops a query that runs too long. It lives
 * here, named store_sqlite*, because only the SQLite back end's files
 * include <sqlite3.h> (tests/unit/store/test_boundary.c). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "store/store.h"

#define FOREIGN_BUSY_MS  1000 /* the tick waits at most this for a lock */
#define FOREIGN_WORK_NS  (5 * VIGIL_NS_PER_SEC)
#define FOREIGN_PROGRESS 10000 /* virtual machine steps between checks */

/* Past the deadline the progress handler interrupts the query. */
static int
over_time(void *arg)
{
    const int64_t *deadline = arg;

    return vigil_time_now() > *deadline;
}

/* Only blanks and semicolons after the statement: a second statement is
 * refused rather than silently ignored. */
static int
only_blanks(const char *p)
{
    for (; *p; p++)
        if (*p != ';' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            return 0;
    return 1;
}

static enum vigil_rc
fail(struct vigil_err *err, enum vigil_rc rc, sqlite3 *db, const char *path,
     const char *what)
{
    return vigil_err_set(err, rc, "sqlite %s: %s: %s", path, what,
                         db != NULL ? sqlite3_errmsg(db) : "out of memory");
}

enum vigil_rc
vigil_store_foreign_sqlite_count(const char *path, const char *query,
                                 int64_t *items, struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_EIO;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    int64_t deadline = vigil_time_now() + FOREIGN_WORK_NS;
    struct stat sb;
    int r;

    /* SQLITE_OPEN_READONLY never creates the file; the stat only makes
     * the message say what is wrong (missing, a folder) */
    if (stat(path, &sb) != 0) {
        rc = vigil_err_set(err, errno == ENOENT ? VIGIL_ENOTFOUND : VIGIL_EIO,
                           "sqlite %s: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(sb.st_mode)) {
        rc = vigil_err_set(err, VIGIL_EINVAL, "sqlite %s: not a regular file",
                           path);
        goto out;
    }
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = fail(err, VIGIL_EIO, db, path, "cannot open");
        goto out;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, FOREIGN_BUSY_MS);
    sqlite3_progress_handler(db, FOREIGN_PROGRESS, over_time, &deadline);
    /* the schema is another system's: no functions with side effects
     * from its views or triggers, no writes through the schema */
    (void)sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    (void)sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    (void)sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
    if (sqlite3_exec(db, "PRAGMA query_only = 1", NULL, NULL, NULL) !=
        SQLITE_OK) {
        rc = fail(err, VIGIL_EIO, db, path, "cannot refuse writes");
        goto out;
    }
    if (sqlite3_prepare_v2(db, query, -1, &st, &tail) != SQLITE_OK ||
        st == NULL) {
        rc = fail(err, VIGIL_EIO, db, path, "query");
        goto out;
    }
    if (!only_blanks(tail) || !sqlite3_stmt_readonly(st)) {
        rc = vigil_err_set(err, VIGIL_EINVAL,
                           "sqlite %s: the query must be one statement that "
                           "only reads (SELECT count(*) ...)",
                           path);
        goto out;
    }
    r = sqlite3_step(st);
    if (r == SQLITE_DONE || (r == SQLITE_ROW && sqlite3_column_count(st) < 1)) {
        rc = vigil_err_set(err, VIGIL_EIO, "sqlite %s: query: no row", path);
        goto out;
    }
    if (r != SQLITE_ROW) {
        rc = fail(err, VIGIL_EIO, db, path,
                  r == SQLITE_INTERRUPT ? "query took longer than 5 s"
                                        : "query");
        goto out;
    }
    if (sqlite3_column_type(st, 0) != SQLITE_INTEGER) {
        rc = vigil_err_set(err, VIGIL_EPARSE,
                           "sqlite %s: the query's first column is not a "
                           "whole number",
                           path);
        goto out;
    }
    *items = sqlite3_column_int64(st, 0);
    rc = VIGIL_OK;
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}
