/* store_writer.c -- committing batches: synchronously, or through the
 * single writer thread that groups whatever is queued into one
 * transaction (group commit).
 *
 * Grouping is what makes the archive fast: SQLite's cost is dominated by
 * the per-transaction WAL write and sync, so the writer takes every batch
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

enum vigil_rc
store_step_done(struct vigil_store *s, enum store_stmt i, const char *what,
                struct vigil_err *err)
{
    sqlite3_stmt *st = s->st[i];
    int r = sqlite3_step(st);

    /* Bindings stay: every caller binds all parameters before a step. */
    sqlite3_reset(st);
    if (r != SQLITE_DONE) {
        /* sqlite3_errmsg still describes the failed step after reset. */
        return store_err(err, s->db, what);
    }
    return VIGIL_OK;
}

static void
bind_str(sqlite3_stmt *st, int col, const struct vigil_store_batch *b,
         size_t off)
{
    const char *p = store_batch_str(b, off);

    if (p == NULL)
        sqlite3_bind_null(st, col);
    else
        sqlite3_bind_text(st, col, p, -1, SQLITE_STATIC);
}

/* Finds or adds the sources row called name; sets *id. Inside the
 * caller's transaction, so a rollback takes a new row back with it. */
static enum vigil_rc
source_id(struct vigil_store *s, const char *name, int64_t *id,
          struct vigil_err *err)
{
    sqlite3_stmt *st = s->st[STORE_ST_GET_SOURCE];
    enum vigil_rc rc;
    int r, tries;

    for (tries = 0; tries < 2; tries++) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        r = sqlite3_step(st);
        if (r == SQLITE_ROW)
            *id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        if (r == SQLITE_ROW)
            return VIGIL_OK;
        if (r != SQLITE_DONE)
            return store_err(err, s->db, "looking up a source");
        sqlite3_bind_text(s->st[STORE_ST_INS_SOURCE], 1, name, -1,
                          SQLITE_STATIC);
        if ((rc = store_step_done(s, STORE_ST_INS_SOURCE, "adding a source",
                                  err)) != VIGIL_OK)
            return rc;
    }
    return vigil_err_set(err, VIGIL_ESTORE, "store: source '%s' vanished",
                         name);
}

static enum vigil_rc
apply_one(struct vigil_store *s, const struct vigil_store_batch *b, int64_t now,
          int64_t *nev, int64_t *nbytes, struct vigil_err *err)
{
    enum vigil_rc rc;
    sqlite3_stmt *st;
    size_t i;

    if (b->broken)
        return vigil_err_set(err, VIGIL_ENOMEM,
                             "store: a batch ran out of memory while it "
                             "was filled; it is not stored");
    if (s->opts.archive_events && b->nskipped > 0)
        return vigil_err_set(err, VIGIL_EINVAL,
                             "store: a batch made for a store that does not "
                             "archive events was committed to one that does");
    if (s->opts.archive_events) {
        /* Events of one source share one copy of its name in the batch,
         * so a name's offset stands for it; ids of the last few names
         * are kept to look each up about once per batch. */
        size_t so[STORE_BATCH_SOURCES];
        int64_t sid[STORE_BATCH_SOURCES], src_id = 0;
        size_t nso = 0, k;
        st = s->st[STORE_ST_INS_EVENT];
        for (i = 0; i < b->nev; i++) {
            const struct store_event_rec *r = &b->ev[i];
            if (r->src != STORE_NOSTR) {
                for (k = 0; k < nso && so[k] != r->src; k++)
                    ;
                if (k == nso) {
                    if ((rc = source_id(s, store_batch_str(b, r->src), &src_id,
                                        err)) != VIGIL_OK)
                        return rc;
                    k = nso < STORE_BATCH_SOURCES ? nso++ : i % nso;
                    so[k] = r->src;
                    sid[k] = src_id;
                }
                src_id = sid[k];
            }
            sqlite3_bind_int64(st, 1, r->time_ns);
            if (r->src == STORE_NOSTR)
                sqlite3_bind_null(st, 2);
            else
                sqlite3_bind_int64(st, 2, src_id);
            sqlite3_bind_text(st, 3, b->json.data + r->off, (int)r->len,
                              SQLITE_STATIC);
            sqlite3_bind_int64(st, 4, (int64_t)r->len);
            if ((rc = store_step_done(s, STORE_ST_INS_EVENT,
                                      "archiving an event", err)) != VIGIL_OK)
                return rc;
            *nbytes += (int64_t)r->len;
        }
        *nev += (int64_t)b->nev;
    }
    st = s->st[STORE_ST_INS_ALERT];
    for (i = 0; i < b->nal; i++) {
        const struct store_alert_rec *a = &b->al[i];
        int k;
        sqlite3_bind_int64(st, 1, a->time_ns);
        for (k = 0; k < STORE_A_NSTR; k++)
            bind_str(st, 2 + k, b, a->str[k]);
        sqlite3_bind_int64(st, 2 + STORE_A_NSTR, now);
        if ((rc = store_step_done(s, STORE_ST_INS_ALERT, "storing an alert",
                                  err)) != VIGIL_OK)
            return rc;
    }
    st = s->st[STORE_ST_UPS_CHECKPOINT];
    for (i = 0; i < b->ncp; i++) {
        const struct vigil_checkpoint *c = &b->cp[i];
        sqlite3_bind_text(st, 1, c->key, -1, SQLITE_STATIC);
        /* SQLite integers are signed; the unsigned values round-trip
         * through their two's-complement bit pattern. */
        sqlite3_bind_int64(st, 2, (int64_t)c->dev);
        sqlite3_bind_int64(st, 3, (int64_t)c->inode);
        sqlite3_bind_int64(st, 4, (int64_t)c->offset);
        sqlite3_bind_int64(st, 5, (int64_t)c->fingerprint);
        sqlite3_bind_int64(st, 6, c->updated_ns ? c->updated_ns : now);
        if ((rc = store_step_done(s, STORE_ST_UPS_CHECKPOINT,
                                  "saving a checkpoint", err)) != VIGIL_OK)
            return rc;
    }
    st = s->st[STORE_ST_UPS_COUNTERS];
    for (i = 0; i < b->nct; i++) {
        const struct vigil_source_counters *c = &b->ct[i];
        sqlite3_bind_text(st, 1, c->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (int64_t)c->events_in);
        sqlite3_bind_int64(st, 3, (int64_t)c->decoded);
        sqlite3_bind_int64(st, 4, (int64_t)c->failed);
        sqlite3_bind_int64(st, 5, (int64_t)c->dropped);
        sqlite3_bind_int64(st, 6, (int64_t)c->alerts);
        sqlite3_bind_int64(st, 7, now);
        if ((rc = store_step_done(s, STORE_ST_UPS_COUNTERS, "saving counters",
                                  err)) != VIGIL_OK)
            return rc;
    }
    return VIGIL_OK;
}

enum vigil_rc
store_apply(struct vigil_store *s, struct vigil_store_batch *const *b, size_t n,
            struct vigil_err *err)
{
    int64_t now = vigil_time_now(), nev = 0, nbytes = 0;
    enum vigil_rc rc;
    size_t i;

    if ((rc = store_step_done(s, STORE_ST_BEGIN, "starting a transaction",
                              err)) != VIGIL_OK)
        return rc;
    for (i = 0; i < n; i++)
        if ((rc = apply_one(s, b[i], now, &nev, &nbytes, err)) != VIGIL_OK)
            goto fail;
    if (nev > 0) {
        sqlite3_bind_int64(s->st[STORE_ST_ADD_TOTALS], 1, nev);
        sqlite3_bind_int64(s->st[STORE_ST_ADD_TOTALS], 2, nbytes);
        if ((rc = store_step_done(s, STORE_ST_ADD_TOTALS,
                                  "updating archive totals", err)) != VIGIL_OK)
            goto fail;
    }
    if ((rc = store_step_done(s, STORE_ST_COMMIT, "committing", err)) !=
        VIGIL_OK)
        goto fail;
    return VIGIL_OK;
fail:
    /* After some errors (SQLITE_FULL, IOERR) SQLite has already rolled
     * back; ROLLBACK then fails harmlessly. */
    if (!sqlite3_get_autocommit(s->db)) {
        sqlite3_step(s->st[STORE_ST_ROLLBACK]);
        sqlite3_reset(s->st[STORE_ST_ROLLBACK]);
    }
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
    if (s->db == NULL) {
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
    if (s->db == NULL) {
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
