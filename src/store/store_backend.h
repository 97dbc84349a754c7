/* store_backend.h -- the interface between the store's front end and a
 * database back end, private to src/store.
 *
 * The front end (store.c, store_batch.c, store_writer.c, store_migrate.c)
 * owns everything that does not depend on the database: batches, the
 * writer thread and its group commit, argument checks, locking, the
 * migration runner and the retention loop. A back end is a table of
 * operations on its connections, in the manner of OpenSMTPD's queue
 * backends: SQLite is store_sqlite*.c; a PostgreSQL one would be
 * store_pg*.c with its own table, listed in store.c (docs/store.md, "Adding
 * a back end").
 *
 * What the front end guarantees each operation:
 *   - open runs first, close last, on one thread, nothing else running.
 *   - Schema, transaction and write operations use the read-write
 *     connection, one caller at a time (the front end holds the store's
 *     write mutex), only in a store not opened readonly. Writes and
 *     version_set/exec run between begin and commit or rollback.
 *   - Query operations use the query connection under the store's
 *     recursive query mutex: a query callback may run another query, so
 *     a back end must allow nested queries on that connection. Arguments
 *     are already checked (non-NULL, lengths within the public limits).
 *   - Batches handed over are valid and not broken; events are written
 *     only when the store archives them.
 * Every operation that fails fills err with the database's own message.
 */
#ifndef VIGIL_STORE_BACKEND_H
#define VIGIL_STORE_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* A back end's connections, statements and transaction state. */
struct store_conn;

struct store_backend {
    const char *name; /* as vigil_store_opts.backend names it */

    /* ---- life cycle ---- */

    /* Connects for s (borrowed: reads s->path and s->opts): a read-write
     * connection, creating the database if needed, unless readonly, and a
     * query connection. A readonly open of a missing database is
     * VIGIL_ENOTFOUND. Leaves the schema alone. Returns owned *out, free
     * with close (also after a failed open, when *out is set). */
    enum vigil_rc (*open)(const struct vigil_store *s, struct store_conn **out,
                          struct vigil_err *err);
    /* Read-write only: called once the schema is current and before any
     * write, to prepare what depends on the tables. */
    enum vigil_rc (*ready)(struct store_conn *c, struct vigil_err *err);
    /* Closes the connections. NULL-safe. */
    void (*close)(struct store_conn *c);

    /* ---- schema ---- */

    /* The store's own tables in this back end's SQL, step i moving
     * version i to i + 1. Back ends agree on what each version holds. */
    const struct vigil_store_migration *core_steps;
    size_t ncore_steps;
    /* Sets *version of domain (NULL: the store's own schema), 0 when it
     * never migrated. Inside a transaction on the read-write connection,
     * or, in a readonly store, on the query connection. */
    enum vigil_rc (*version_get)(struct store_conn *c, const char *domain,
                                 int *version, struct vigil_err *err);
    /* Records the version of domain (NULL: the store's own). */
    enum vigil_rc (*version_set)(struct store_conn *c, const char *domain,
                                 int version, struct vigil_err *err);
    /* Runs sql (one or more statements); what says why, for err. */
    enum vigil_rc (*exec)(struct store_conn *c, const char *sql,
                          const char *what, struct vigil_err *err);

    /* ---- transactions ---- */

    /* Starts a transaction holding the database's write lock from the
     * start, so concurrent openers migrate one after the other. */
    enum vigil_rc (*begin)(struct store_conn *c, struct vigil_err *err);
    enum vigil_rc (*commit)(struct store_conn *c, struct vigil_err *err);
    /* Undoes what the open transaction wrote; harmless when the database
     * already rolled back or none is open. */
    void (*rollback)(struct store_conn *c);

    /* ---- writes: one batch's records, borrowed; now is the commit's
     * time for rows that keep when they were written ---- */

    enum vigil_rc (*write_events)(struct store_conn *c,
                                  const struct vigil_store_batch *b,
                                  int64_t now, struct vigil_err *err);
    enum vigil_rc (*write_alerts)(struct store_conn *c,
                                  const struct vigil_store_batch *b,
                                  int64_t now, struct vigil_err *err);
    enum vigil_rc (*write_checkpoints)(struct store_conn *c,
                                       const struct vigil_store_batch *b,
                                       int64_t now, struct vigil_err *err);
    enum vigil_rc (*write_counters)(struct store_conn *c,
                                    const struct vigil_store_batch *b,
                                    int64_t now, struct vigil_err *err);
    /* Puts and deletes in the batch's order, so the last for a key wins. */
    enum vigil_rc (*write_state)(struct store_conn *c,
                                 const struct vigil_store_batch *b, int64_t now,
                                 struct vigil_err *err);
    /* Deletes at most STORE_RETENTION_CHUNK of the oldest archived events:
     * with by_age those older than cutoff_ns, otherwise as many as bring
     * the archive's JSON bytes down to max_bytes. Sets *deleted, and *done
     * when nothing is left to delete. */
    enum vigil_rc (*expire)(struct store_conn *c, int by_age, int64_t cutoff_ns,
                            int64_t max_bytes, int64_t *deleted, int *done,
                            struct vigil_err *err);

    /* ---- queries: the semantics of the public functions of the same
     * names in store.h ---- */

    enum vigil_rc (*checkpoint_get)(struct store_conn *c, const char *key,
                                    struct vigil_checkpoint *cp,
                                    struct vigil_err *err);
    enum vigil_rc (*counters_each)(
        struct store_conn *c,
        int (*fn)(const struct vigil_source_counters *c, int64_t updated_ns,
                  void *arg),
        void *arg, struct vigil_err *err);
    /* Both numbers from one snapshot. */
    enum vigil_rc (*count)(struct store_conn *c, int64_t *events,
                           int64_t *alerts, struct vigil_err *err);
    enum vigil_rc (*events_each)(struct store_conn *c, const char *needle,
                                 int64_t since_ns, int64_t until_ns,
                                 int (*fn)(const char *json, size_t len,
                                           void *arg),
                                 void *arg, struct vigil_err *err);
    enum vigil_rc (*alerts_each)(struct store_conn *c, int64_t limit,
                                 int (*fn)(const struct vigil_alert *a,
                                           void *arg),
                                 void *arg, struct vigil_err *err);
    enum vigil_rc (*state_get)(struct store_conn *c, const char *component,
                               const char *key, void **blob, size_t *len,
                               struct vigil_err *err);
    enum vigil_rc (*state_each)(struct store_conn *c, const char *component,
                                int (*fn)(const char *component,
                                          const char *key, const void *blob,
                                          size_t len, int64_t updated_ns,
                                          void *arg),
                                void *arg, struct vigil_err *err);

    /* ---- domains' statements (vigil_store_query, _exec, _tx_*) ---- */

    /* Runs sql with params[0..n): on the query connection when query,
     * else on the read-write one inside the open transaction. Calls fn
     * (may be NULL) per row; sets *changes (may be NULL). A constraint
     * violation is VIGIL_ECONFLICT. Keeps the prepared text for the next
     * call with the same text. */
    enum vigil_rc (*stmt)(struct store_conn *c, int query, const char *sql,
                          const struct vigil_store_value *params, size_t n,
                          vigil_store_row_fn fn, void *arg, int64_t *changes,
                          struct vigil_err *err);
};

/* The back ends built into this binary (store_sqlite.c). */
extern const struct store_backend store_sqlite_backend;

#endif
