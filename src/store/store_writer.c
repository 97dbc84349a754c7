/* store_writer.c -- committing batches: synchronously, or through the
 * single writer thread that groups whatever is queued into one
 * transaction (group commit).
 *
 * This file knows no database: it reaches the back end through s->be
 * (store_backend.h), so every back end gets the same queue, back-pressure
 * and done callbacks.
 *
 * Grouping is what makes the archive fast: a database's cost is dominated
 * by the per-transaction log write and sync, so the writer takes every batch
 * queued while the previous transaction ran. If a group fails, each of its
 * batches is retried in a transaction of its own, so one bad batch (say,
 * an alert the schema refuses) fails alone and the others are kept;
 * nothing of a failed batch is ever half-stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* ---- one transaction ---------------------------------------------- */

/* Runs the domains' statements of b, in the order they were added. */
static enum vigil_rc
write_execs(struct vigil_store *s, const struct vigil_store_batch *b,
            struct vigil_err *err)
{
    struct vigil_store_value v[VIGIL_STORE_PARAMS_MAX];
    enum vigil_rc rc;

    for (size_t i = 0; i < b->nxs; i++) {
        const struct store_exec_rec *x = &b->xs[i];
        for (size_t k = 0; k < x->n; k++) {
            const struct store_xparam *p = &b->xp[x->first + k];
            v[k].type = p->type;
            v[k].i = p->i;
            v[k].r = p->r;
            v[k].len = p->len;
            v[k].p = p->off == STORE_NOSTR ? NULL : b->strs.data + p->off;
        }
        rc = s->be->stmt(s->conn, 0, b->strs.data + x->sql, v, x->n, NULL, NULL,
                         NULL, err);
        if (rc != VIGIL_OK)
            return rc;
    }
    return VIGIL_OK;
}

/* Writes b (borrowed) through the back end inside the open transaction. */
static enum vigil_rc
apply_one(struct vigil_store *s, const struct vigil_store_batch *b, int64_t now,
          struct vigil_err *err)
{
    const struct store_backend *be = s->be;
    enum vigil_rc rc;

    if (b->broken)
        return vigil_err_set(err, VIGIL_ENOMEM,
                             "store: a batch ran out of memory while it "
                             "was filled; it is not stored");
    if (b->guard != NULL && !b->guard(b->guard_arg))
        return vigil_err_set(err, VIGIL_ESTORE,
                             "store: the batch's producer withdrew it (an "
                             "earlier batch of it failed)");
    if (s->opts.archive_events && b->nskipped > 0)
        return vigil_err_set(err, VIGIL_EINVAL,
                             "store: a batch made for a store that does not "
                             "archive events was committed to one that does");
    /* Only the kinds the batch has: most batches carry no alerts or
     * state, and the daemon's carry no events when it does not archive. */
    if (s->opts.archive_events && b->nev > 0 &&
        (rc = be->write_events(s->conn, b, now, err)) != VIGIL_OK)
        return rc;
    if (b->nal > 0 && (rc = be->write_alerts(s->conn, b, now, err)) != VIGIL_OK)
        return rc;
    if (b->ncp > 0 &&
        (rc = be->write_checkpoints(s->conn, b, now, err)) != VIGIL_OK)
        return rc;
    if (b->nct > 0 &&
        (rc = be->write_counters(s->conn, b, now, err)) != VIGIL_OK)
        return rc;
    if (b->nsv > 0 && (rc = be->write_state(s->conn, b, now, err)) != VIGIL_OK)
        return rc;
    return b->nxs > 0 ? write_execs(s, b, err) : VIGIL_OK;
}

enum vigil_rc
store_apply(struct vigil_store *s, struct vigil_store_batch *const *b, size_t n,
            struct vigil_err *err)
{
    int64_t now = vigil_time_now();
    enum vigil_rc rc;
    size_t i;

    if ((rc = s->be->begin(s->conn, err)) != VIGIL_OK)
        return rc;
    for (i = 0; i < n; i++)
        if ((rc = apply_one(s, b[i], now, err)) != VIGIL_OK)
            goto fail;
    if ((rc = s->be->commit(s->conn, err)) != VIGIL_OK)
        goto fail;
    return VIGIL_OK;
fail:
    s->be->rollback(s->conn);
    return rc;
}

enum vigil_rc
vigil_store_commit(struct vigil_store *s, struct vigil_store_batch *b,
                   struct vigil_err *err)
{
    enum vigil_rc rc;

    if (s == NULL || b == NULL) {
        vigil_store_batch_free(b);
        return vigil_err_set(err, VIGIL_EINVAL, "store: no store or batch");
    }
    if (s->opts.readonly) {
        vigil_store_batch_free(b);
        return vigil_err_set(err, VIGIL_EINVAL, "store %s is open read-only",
                             s->path);
    }
    pthread_mutex_lock(&s->wmu);
    rc = store_apply(s, &b, 1, err);
    pthread_mutex_unlock(&s->wmu);
    vigil_store_batch_free(b);
    return rc;
}

/* ---- the writer thread -------------------------------------------- */

static void
finish_job(struct vigil_store *s, struct store_job *j, enum vigil_rc rc,
           const char *msg)
{
    if (rc != VIGIL_OK) {
        vigil_log(VIGIL_LOG_ERROR, STORE_LOG_BATCH_FAILED,
                  "store %s: a batch of %zu events and %zu alerts was not "
                  "stored: %s",
                  s->path, j->b->nev, j->b->nal, msg);
        pthread_mutex_lock(&s->mu);
        if (s->failed++ == 0)
            snprintf(s->fail_msg, sizeof(s->fail_msg), "%s", msg);
        pthread_mutex_unlock(&s->mu);
    }
    if (j->done)
        j->done(rc, rc == VIGIL_OK ? NULL : msg, j->arg);
    vigil_store_batch_free(j->b);
    j->b = NULL;
}

static void
run_group(struct vigil_store *s, struct store_job *jobs, size_t n)
{
    struct vigil_store_batch *b[STORE_QUEUE_MAX];
    struct vigil_err err;
    enum vigil_rc rc;
    size_t i;

    for (i = 0; i < n; i++)
        b[i] = jobs[i].b;
    vigil_err_clear(&err);
    pthread_mutex_lock(&s->wmu);
    rc = store_apply(s, b, n, &err);
    pthread_mutex_unlock(&s->wmu);
    if (rc == VIGIL_OK) {
        s->groups++;
        for (i = 0; i < n; i++)
            finish_job(s, &jobs[i], VIGIL_OK, NULL);
        return;
    }
    if (n > 1)
        vigil_log(VIGIL_LOG_WARN, STORE_LOG_GROUP_FAILED,
                  "store %s: group of %zu batches failed (%s); storing "
                  "them one by one",
                  s->path, n, err.msg);
    for (i = 0; i < n; i++) {
        if (n > 1) {
            vigil_err_clear(&err);
            pthread_mutex_lock(&s->wmu);
            rc = store_apply(s, &b[i], 1, &err);
            pthread_mutex_unlock(&s->wmu);
        }
        finish_job(s, &jobs[i], rc, err.msg);
    }
}

static void *
writer_main(void *arg)
{
    struct vigil_store *s = arg;
    struct store_job jobs[STORE_QUEUE_MAX];
    size_t n, i;

    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (s->qlen == 0 && !s->stop)
            pthread_cond_wait(&s->cv_work, &s->mu);
        if (s->qlen == 0)
            break; /* stop, and everything queued is stored */
        n = s->qlen;
        for (i = 0; i < n; i++)
            jobs[i] = s->q[(s->qhead + i) % STORE_QUEUE_MAX];
        s->qhead = (s->qhead + n) % STORE_QUEUE_MAX;
        s->qlen = 0;
        s->busy = 1;
        pthread_cond_broadcast(&s->cv_space);
        pthread_mutex_unlock(&s->mu);

        run_group(s, jobs, n);

        pthread_mutex_lock(&s->mu);
        s->busy = 0;
        if (s->qlen == 0)
            pthread_cond_broadcast(&s->cv_idle);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

enum vigil_rc
vigil_store_submit(struct vigil_store *s, struct vigil_store_batch *b,
                   vigil_store_done_fn done, void *arg, struct vigil_err *err)
{
    struct store_job *j;
    int e;

    if (s == NULL || b == NULL) {
        vigil_store_batch_free(b);
        return vigil_err_set(err, VIGIL_EINVAL, "store: no store or batch");
    }
    if (s->opts.readonly) {
        vigil_store_batch_free(b);
        return vigil_err_set(err, VIGIL_EINVAL, "store %s is open read-only",
                             s->path);
    }
    pthread_mutex_lock(&s->mu);
    if (s->started && pthread_equal(pthread_self(), s->writer) &&
        s->qlen == STORE_QUEUE_MAX) {
        /* Waiting here would wait for ourselves. */
        pthread_mutex_unlock(&s->mu);
        vigil_store_batch_free(b);
        return vigil_err_set(err, VIGIL_EINVAL,
                             "store: queue full and vigil_store_submit "
                             "called from a done callback");
    }
    if (!s->started && !s->stop) {
        e = pthread_create(&s->writer, NULL, writer_main, s);
        if (e != 0) {
            pthread_mutex_unlock(&s->mu);
            vigil_store_batch_free(b);
            return vigil_err_set(err, VIGIL_EIO,
                                 "store: cannot start the writer thread: %s",
                                 strerror(e));
        }
        s->started = 1;
    }
    while (s->qlen == STORE_QUEUE_MAX && !s->stop)
        pthread_cond_wait(&s->cv_space, &s->mu);
    if (s->stop) {
        pthread_mutex_unlock(&s->mu);
        vigil_store_batch_free(b);
        return vigil_err_set(err, VIGIL_EINVAL, "store %s is closing", s->path);
    }
    j = &s->q[(s->qhead + s->qlen) % STORE_QUEUE_MAX];
    j->b = b;
    j->done = done;
    j->arg = arg;
    s->qlen++;
    pthread_cond_signal(&s->cv_work);
    pthread_mutex_unlock(&s->mu);
    return VIGIL_OK;
}

enum vigil_rc
vigil_store_flush(struct vigil_store *s, struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_OK;
    uint64_t failed;
    char msg[256];

    if (s == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store: no store");
    pthread_mutex_lock(&s->mu);
    if (s->started && pthread_equal(pthread_self(), s->writer)) {
        pthread_mutex_unlock(&s->mu);
        return vigil_err_set(err, VIGIL_EINVAL,
                             "store: vigil_store_flush called from a done "
                             "callback");
    }
    while (s->qlen > 0 || s->busy)
        pthread_cond_wait(&s->cv_idle, &s->mu);
    failed = s->failed;
    memcpy(msg, s->fail_msg, sizeof(msg));
    s->failed = 0;
    s->fail_msg[0] = '\0';
    pthread_mutex_unlock(&s->mu);
    if (failed > 0)
        rc = vigil_err_set(err, VIGIL_ESTORE,
                           "store: %llu submitted batch(es) failed since "
                           "the last flush; first: %s",
                           (unsigned long long)failed, msg);
    return rc;
}

void
store_writer_stop(struct vigil_store *s)
{
    int started;

    pthread_mutex_lock(&s->mu);
    s->stop = 1;
    started = s->started;
    pthread_cond_broadcast(&s->cv_work);
    pthread_cond_broadcast(&s->cv_space);
    pthread_mutex_unlock(&s->mu);
    if (started)
        pthread_join(s->writer, NULL);
    s->started = 0;
}

size_t
vigil_store_queue_depth(struct vigil_store *s)
{
    size_t n;

    pthread_mutex_lock(&s->mu);
    n = s->qlen;
    pthread_mutex_unlock(&s->mu);
    return n;
}
