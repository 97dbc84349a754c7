/* store_sqlite_write.c -- the SQLite back end's writes: one batch's
 * records inside the front end's transaction, and retention's deletes.
 *
 * Every statement is prepared once (store_sqlite.c) and only bound and
 * stepped here, so archiving an event costs one bind-step-reset.
 */
#include <stdio.h>
#include <string.h>

#include "store_sqlite.h"

enum vigil_rc
sq_step_done(struct store_conn *c, enum sq_stmt i, const char *what,
             struct vigil_err *err)
{
    sqlite3_stmt *st = c->st[i];
    int r = sqlite3_step(st);

    /* Bindings stay: every caller binds all parameters before a step. */
    sqlite3_reset(st);
    if (r != SQLITE_DONE) {
        /* sqlite3_errmsg still describes the failed step after reset. */
        return sq_err(err, c->db, what);
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
source_id(struct store_conn *c, const char *name, int64_t *id,
          struct vigil_err *err)
{
    sqlite3_stmt *st = c->st[SQ_GET_SOURCE];
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
            return sq_err(err, c->db, "looking up a source");
        sqlite3_bind_text(c->st[SQ_INS_SOURCE], 1, name, -1, SQLITE_STATIC);
        if ((rc = sq_step_done(c, SQ_INS_SOURCE, "adding a source", err)) !=
            VIGIL_OK)
            return rc;
    }
    return vigil_err_set(err, VIGIL_ESTORE, "store: source '%s' vanished",
                         name);
}

enum vigil_rc
sq_write_events(struct store_conn *c, const struct vigil_store_batch *b,
                int64_t now, struct vigil_err *err)
{
    /* Events of one source share one copy of its name in the batch, so a
     * name's offset stands for it; ids of the last few names are kept to
     * look each up about once per batch. */
    size_t so[STORE_BATCH_SOURCES];
    int64_t sid[STORE_BATCH_SOURCES], src_id = 0, nbytes = 0;
    sqlite3_stmt *st = c->st[SQ_INS_EVENT];
    enum vigil_rc rc;
    size_t nso = 0, i, k;

    (void)now;
    for (i = 0; i < b->nev; i++) {
        const struct store_event_rec *r = &b->ev[i];
        if (r->src != STORE_NOSTR) {
            for (k = 0; k < nso && so[k] != r->src; k++)
                ;
            if (k == nso) {
                if ((rc = source_id(c, store_batch_str(b, r->src), &src_id,
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
        if ((rc = sq_step_done(c, SQ_INS_EVENT, "archiving an event", err)) !=
            VIGIL_OK)
            return rc;
        nbytes += (int64_t)r->len;
    }
    c->tx_events += (int64_t)b->nev;
    c->tx_bytes += nbytes;
    return VIGIL_OK;
}

enum vigil_rc
sq_write_alerts(struct store_conn *c, const struct vigil_store_batch *b,
                int64_t now, struct vigil_err *err)
{
    sqlite3_stmt *st = c->st[SQ_INS_ALERT];
    enum vigil_rc rc;
    size_t i;
    int k;

    for (i = 0; i < b->nal; i++) {
        const struct store_alert_rec *a = &b->al[i];
        sqlite3_bind_int64(st, 1, a->time_ns);
        for (k = 0; k < STORE_A_NSTR; k++)
            bind_str(st, 2 + k, b, a->str[k]);
        sqlite3_bind_int64(st, 2 + STORE_A_NSTR, now);
        if ((rc = sq_step_done(c, SQ_INS_ALERT, "storing an alert", err)) !=
            VIGIL_OK)
            return rc;
    }
    return VIGIL_OK;
}

enum vigil_rc
sq_write_checkpoints(struct store_conn *c, const struct vigil_store_batch *b,
                     int64_t now, struct vigil_err *err)
{
    sqlite3_stmt *st = c->st[SQ_UPS_CHECKPOINT];
    enum vigil_rc rc;
    size_t i;

    for (i = 0; i < b->ncp; i++) {
        const struct vigil_checkpoint *cp = &b->cp[i];
        sqlite3_bind_text(st, 1, cp->key, -1, SQLITE_STATIC);
        /* SQLite integers are signed; the unsigned values round-trip
         * through their two's-complement bit pattern. */
        sqlite3_bind_int64(st, 2, (int64_t)cp->dev);
        sqlite3_bind_int64(st, 3, (int64_t)cp->inode);
        sqlite3_bind_int64(st, 4, (int64_t)cp->offset);
        sqlite3_bind_int64(st, 5, (int64_t)cp->fingerprint);
        sqlite3_bind_int64(st, 6, cp->updated_ns ? cp->updated_ns : now);
        if ((rc = sq_step_done(c, SQ_UPS_CHECKPOINT, "saving a checkpoint",
                               err)) != VIGIL_OK)
            return rc;
    }
    return VIGIL_OK;
}

enum vigil_rc
sq_write_counters(struct store_conn *c, const struct vigil_store_batch *b,
                  int64_t now, struct vigil_err *err)
{
    sqlite3_stmt *st = c->st[SQ_UPS_COUNTERS];
    enum vigil_rc rc;
    size_t i;

    for (i = 0; i < b->nct; i++) {
        const struct vigil_source_counters *ct = &b->ct[i];
        sqlite3_bind_text(st, 1, ct->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (int64_t)ct->events_in);
        sqlite3_bind_int64(st, 3, (int64_t)ct->decoded);
        sqlite3_bind_int64(st, 4, (int64_t)ct->failed);
        sqlite3_bind_int64(st, 5, (int64_t)ct->dropped);
        sqlite3_bind_int64(st, 6, (int64_t)ct->alerts);
        sqlite3_bind_int64(st, 7, now);
        sqlite3_bind_int64(st, 8, (int64_t)ct->truncated);
        sqlite3_bind_int64(st, 9, (int64_t)ct->unread);
        sqlite3_bind_int64(st, 10, (int64_t)ct->unread_files);
        if ((rc = sq_step_done(c, SQ_UPS_COUNTERS, "saving counters", err)) !=
            VIGIL_OK)
            return rc;
    }
    return VIGIL_OK;
}

enum vigil_rc
sq_write_state(struct store_conn *c, const struct vigil_store_batch *b,
               int64_t now, struct vigil_err *err)
{
    enum vigil_rc rc;
    sqlite3_stmt *st;
    size_t i;

    for (i = 0; i < b->nsv; i++) {
        const struct store_state_rec *r = &b->sv[i];
        int put = r->off != STORE_NOSTR;
        st = c->st[put ? SQ_PUT_STATE : SQ_DEL_STATE];
        sqlite3_bind_text(st, 1, store_batch_str(b, r->component), -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(st, 2, store_batch_str(b, r->key), -1, SQLITE_STATIC);
        if (put) {
            /* zeroblob for an empty value: a NULL pointer would bind
             * NULL, which the NOT NULL column refuses. */
            if (r->len == 0)
                sqlite3_bind_zeroblob(st, 3, 0);
            else
                sqlite3_bind_blob64(st, 3, b->strs.data + r->off,
                                    (sqlite3_uint64)r->len, SQLITE_STATIC);
            sqlite3_bind_int64(st, 4, now);
        }
        if ((rc = sq_step_done(c, put ? SQ_PUT_STATE : SQ_DEL_STATE,
                               put ? "saving state" : "deleting state", err)) !=
            VIGIL_OK)
            return rc;
    }
    return VIGIL_OK;
}

/* ---- retention ------------------------------------------------------ */

enum vigil_rc
sq_expire(struct store_conn *c, int by_age, int64_t cutoff_ns,
          int64_t max_bytes, int64_t *deleted, int *done, struct vigil_err *err)
{
    sqlite3_stmt *sel, *tot = c->st[SQ_GET_TOTALS];
    int64_t excess = 0, freed = 0;
    enum vigil_rc rc;
    size_t k = 0, i;
    int r = SQLITE_DONE;

    *deleted = 0;
    *done = 1;
    if (!by_age) {
        r = sqlite3_step(tot);
        if (r == SQLITE_ROW)
            excess = sqlite3_column_int64(tot, 1) - max_bytes;
        sqlite3_reset(tot);
        if (r != SQLITE_ROW)
            return sq_err(err, c->db, "reading archive totals");
        if (excess <= 0)
            return VIGIL_OK;
    }
    sel = c->st[by_age ? SQ_OLD_BY_AGE : SQ_OLDEST];
    if (by_age) {
        sqlite3_bind_int64(sel, 1, cutoff_ns);
        sqlite3_bind_int64(sel, 2, STORE_RETENTION_CHUNK);
    } else {
        sqlite3_bind_int64(sel, 1, STORE_RETENTION_CHUNK);
    }
    while (k < STORE_RETENTION_CHUNK && (by_age || freed < excess) &&
           (r = sqlite3_step(sel)) == SQLITE_ROW) {
        c->rowids[k++] = sqlite3_column_int64(sel, 0);
        freed += sqlite3_column_int64(sel, 1);
    }
    sqlite3_reset(sel);
    sqlite3_clear_bindings(sel);
    if (k < STORE_RETENTION_CHUNK && (by_age || freed < excess) &&
        r != SQLITE_DONE)
        return sq_err(err, c->db, "selecting events to expire");
    for (i = 0; i < k; i++) {
        sqlite3_bind_int64(c->st[SQ_DEL_EVENT], 1, c->rowids[i]);
        if ((rc = sq_step_done(c, SQ_DEL_EVENT, "deleting an expired event",
                               err)) != VIGIL_OK)
            return rc;
    }
    if (k > 0) {
        sqlite3_bind_int64(c->st[SQ_ADD_TOTALS], 1, -(int64_t)k);
        sqlite3_bind_int64(c->st[SQ_ADD_TOTALS], 2, -freed);
        if ((rc = sq_step_done(c, SQ_ADD_TOTALS, "updating archive totals",
                               err)) != VIGIL_OK)
            return rc;
    }
    /* A full chunk may leave more behind; a short one found the end. */
    *done = by_age ? k < STORE_RETENTION_CHUNK
                   : (freed >= excess || k < STORE_RETENTION_CHUNK);
    *deleted = (int64_t)k;
    return VIGIL_OK;
}
