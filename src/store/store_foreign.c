/* store_foreign.c -- counts what another system's database holds (the
 * first column of the first row of a query): PostgreSQL through libpq,
 * for the data-loss stores of src/fim: one statement, in a read-only
 * session, 5 s to connect and 5 s to run (the daemon's tick waits). The
 * SQLite counterpart is store_sqlite_foreign.c. These are never vigil's own
 * store; they live here because only src/store includes a database's
 * headers. */
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "store/store.h"

/* libpq's message without its trailing newline, in a static buffer the
 * caller copies at once (only the daemon's tick measures stores). */
static const char *
pg_msg(const PGconn *c)
{
    static char msg[256];
    size_t n;

    snprintf(msg, sizeof(msg), "%s", c ? PQerrorMessage(c) : "out of memory");
    n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    return msg;
}

enum vigil_rc
vigil_store_foreign_count(const char *dsn, const char *query, int64_t *items,
                          struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_EIO;
    PGconn *c = NULL;
    PGresult *r = NULL;
    const char *v;

    /* later keywords override the DSN's own: a bounded connection, a
     * bounded statement, and a session that cannot write (the query is
     * written by other tools; a data-loss monitor must never lose data) */
    static const char *const keys[] = {"dbname", "connect_timeout", "options",
                                       NULL};
    const char *vals[] = {dsn, "5",
                          "-c statement_timeout=5000 "
                          "-c default_transaction_read_only=on",
                          NULL};

    c = PQconnectdbParams(keys, vals, 1);
    if (c == NULL || PQstatus(c) != CONNECTION_OK) {
        rc = vigil_err_set(err, VIGIL_EIO, "postgres: %s", pg_msg(c));
        goto out;
    }
    /* the extended protocol runs exactly one statement */
    r = PQexecParams(c, query, 0, NULL, NULL, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1 ||
        PQnfields(r) < 1) {
        rc = vigil_err_set(err, VIGIL_EIO, "postgres: query: %s",
                           PQresultStatus(r) == PGRES_TUPLES_OK ? "no row"
                                                                : pg_msg(c));
        goto out;
    }
    v = PQgetvalue(r, 0, 0);
    if (!vigil_parse_i64(v, strlen(v), items)) {
        rc = vigil_err_set(err, VIGIL_EPARSE,
                           "postgres: the query's first column is not a "
                           "number");
        goto out;
    }
    rc = VIGIL_OK;
out:
    PQclear(r);
    PQfinish(c);
    return rc;
}
