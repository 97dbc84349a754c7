/* store_stmt.c -- the front end of domains' own statements: one-off
 * queries and writes, and transactions a domain runs itself. Checks the
 * arguments and takes the store's locks; the back end's `stmt` operation
 * prepares, binds and steps (store_backend.h).
 */
#include <pthread.h>
#include <stdlib.h>

#include "store_int.h"

struct vigil_store_tx {
    struct vigil_store *s; /* borrowed; its wmu is held while tx lives */
};

static enum vigil_rc
check_args(const struct vigil_store *s, const char *sql,
           const struct vigil_store_value *params, size_t n,
           struct vigil_err *err)
{
    if (s == NULL || sql == NULL || (params == NULL && n > 0))
        return vigil_err_set(err, VIGIL_EINVAL, "store: bad arguments");
    if (n > VIGIL_STORE_PARAMS_MAX)
        return vigil_err_set(err, VIGIL_ELIMIT,
                             "store: %zu parameters, at most %d", n,
                             VIGIL_STORE_PARAMS_MAX);
    return VIGIL_OK;
}

static enum vigil_rc
check_writable(const struct vigil_store *s, struct vigil_err *err)
{
    if (s->opts.readonly)
        return vigil_err_set(err, VIGIL_EINVAL, "store %s is open read-only",
                             s->path);
    return VIGIL_OK;
}

enum vigil_rc
vigil_store_query(struct vigil_store *s, const char *sql,
                  const struct vigil_store_value *params, size_t nparams,
                  vigil_store_row_fn fn, void *arg, struct vigil_err *err)
{
    enum vigil_rc rc;

    if ((rc = check_args(s, sql, params, nparams, err)) != VIGIL_OK)
        return rc;
    pthread_mutex_lock(&s->qmu);
    rc = s->be->stmt(s->conn, 1, sql, params, nparams, fn, arg, NULL, err);
    pthread_mutex_unlock(&s->qmu);
    return rc;
}

enum vigil_rc
vigil_store_snapshot_begin(struct vigil_store *s, struct vigil_err *err)
{
    enum vigil_rc rc;

    if (s == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store: no store");
    pthread_mutex_lock(&s->qmu);
    /* a deferred BEGIN: the snapshot is taken by the first read; one
     * nested in another is part of it */
    rc = s->snapshots > 0
             ? VIGIL_OK
             : s->be->stmt(s->conn, 1, "BEGIN", NULL, 0, NULL, NULL, NULL, err);
    if (rc != VIGIL_OK)
        pthread_mutex_unlock(&s->qmu);
    else
        s->snapshots++;
    return rc;
}

void
vigil_store_snapshot_end(struct vigil_store *s)
{
    struct vigil_err e = {0};

    /* nothing was written: ending the read cannot lose anything */
    if (--s->snapshots == 0)
        (void)s->be->stmt(s->conn, 1, "COMMIT", NULL, 0, NULL, NULL, NULL, &e);
    pthread_mutex_unlock(&s->qmu);
}

enum vigil_rc
vigil_store_exec(struct vigil_store *s, const char *sql,
                 const struct vigil_store_value *params, size_t nparams,
                 int64_t *changes, struct vigil_err *err)
{
    struct vigil_store_tx *tx;
    enum vigil_rc rc;

    if ((rc = check_args(s, sql, params, nparams, err)) != VIGIL_OK ||
        (rc = vigil_store_tx_begin(s, &tx, err)) != VIGIL_OK)
        return rc;
    if ((rc = vigil_store_tx_exec(tx, sql, params, nparams, changes, err)) !=
        VIGIL_OK) {
        vigil_store_tx_rollback(tx);
        return rc;
    }
    return vigil_store_tx_commit(tx, err);
}

enum vigil_rc
vigil_store_tx_begin(struct vigil_store *s, struct vigil_store_tx **tx,
                     struct vigil_err *err)
{
    enum vigil_rc rc;

    *tx = NULL;
    if (s == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store: no store");
    if ((rc = check_writable(s, err)) != VIGIL_OK)
        return rc;
    if ((*tx = malloc(sizeof(**tx))) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "store: out of memory");
    (*tx)->s = s;
    pthread_mutex_lock(&s->wmu);
    if ((rc = s->be->begin(s->conn, err)) != VIGIL_OK) {
        pthread_mutex_unlock(&s->wmu);
        free(*tx);
        *tx = NULL;
    }
    return rc;
}

enum vigil_rc
vigil_store_tx_exec(struct vigil_store_tx *tx, const char *sql,
                    const struct vigil_store_value *params, size_t nparams,
                    int64_t *changes, struct vigil_err *err)
{
    enum vigil_rc rc;

    if (tx == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store: no transaction");
    if ((rc = check_args(tx->s, sql, params, nparams, err)) != VIGIL_OK)
        return rc;
    return tx->s->be->stmt(tx->s->conn, 0, sql, params, nparams, NULL, NULL,
                           changes, err);
}

enum vigil_rc
vigil_store_tx_query(struct vigil_store_tx *tx, const char *sql,
                     const struct vigil_store_value *params, size_t nparams,
                     vigil_store_row_fn fn, void *arg, struct vigil_err *err)
{
    enum vigil_rc rc;

    if (tx == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store: no transaction");
    if ((rc = check_args(tx->s, sql, params, nparams, err)) != VIGIL_OK)
        return rc;
    return tx->s->be->stmt(tx->s->conn, 0, sql, params, nparams, fn, arg, NULL,
                           err);
}

enum vigil_rc
vigil_store_tx_commit(struct vigil_store_tx *tx, struct vigil_err *err)
{
    struct vigil_store *s;
    enum vigil_rc rc;

    if (tx == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store: no transaction");
    s = tx->s;
    if ((rc = s->be->commit(s->conn, err)) != VIGIL_OK)
        s->be->rollback(s->conn);
    pthread_mutex_unlock(&s->wmu);
    free(tx);
    return rc;
}

void
vigil_store_tx_rollback(struct vigil_store_tx *tx)
{
    if (tx == NULL)
        return;
    tx->s->be->rollback(tx->s->conn);
    pthread_mutex_unlock(&tx->s->wmu);
    free(tx);
}
