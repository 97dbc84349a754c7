/* store_foreign.c -- counts what another system's database holds (the
 * first column of the first row of a query): PostgreSQL through libpq,
 * for the data-loss stores of src/fim. These are never vigil's own
 * store; they live here because only src/store includes a database's
 * headers. */
#include <string.h>

#include <libpq-fe.h>

#include "store/store.h"

enum vigil_rc
vigil_store_foreign_count(const char *dsn, const char *query, int64_t *items,
                          struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_EIO;
    PGconn *c = NULL;
    PGresult *r = NULL;
    const char *v;

    c = PQconnectdb(dsn);
    if (PQstatus(c) != CONNECTION_OK) {
        rc = vigil_err_set(err, VIGIL_EIO, "postgres: %s", PQerrorMessage(c));
        goto out;
    }
    r = PQexec(c, query);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1 ||
        PQnfields(r) < 1) {
        rc = vigil_err_set(err, VIGIL_EIO, "postgres: query: %s",
                           PQresultStatus(r) == PGRES_TUPLES_OK
                               ? "no row"
                               : PQerrorMessage(c));
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
