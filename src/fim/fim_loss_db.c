/* fim_loss_db.c -- a database store's row count: PostgreSQL through
 * libpq. These are other systems' databases, read with the query the
 * configuration gives, never vigil's own store (src/store). A SQLite
 * store would need <sqlite3.h>, which only src/store may include
 * (tests/unit/store/test_boundary.c): it is refused for now. */
#include <string.h>

#include <libpq-fe.h>

#include "fim/fim_loss.h"

enum vigil_rc
fim_loss_db_count(const struct vigil_fim_store_conf *s, int64_t *items,
                  struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_EIO;
    PGconn *c = NULL;
    PGresult *r = NULL;
    const char *v;

    if (s->kind != VIGIL_FIM_STORE_POSTGRES)
        return vigil_err_set(err, VIGIL_EUNSUPPORTED,
                             "SQLite stores are not built into this vigil");
    c = PQconnectdb(s->target);
    if (PQstatus(c) != CONNECTION_OK) {
        rc = vigil_err_set(err, VIGIL_EIO, "postgres: %s", PQerrorMessage(c));
        goto out;
    }
    r = PQexec(c, s->query);
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
