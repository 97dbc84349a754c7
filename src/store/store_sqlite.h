/* store_sqlite.h -- what the files of the SQLite back end share: its
 * connections, prepared statements and error helper. Only the
 * store_sqlite*.c files include this header, and with it <sqlite3.h>.
 *
 * `db` is the one read-write connection (NULL in a readonly store); `qdb`
 * a separate read-only connection for queries. In WAL mode readers never
 * block the writer and see every committed transaction, which is what
 * lets the front end query from any thread while the writer works.
 */
#ifndef VIGIL_STORE_SQLITE_H
#define VIGIL_STORE_SQLITE_H

#include <sqlite3.h>

#include "store_int.h"

enum sq_stmt {
    SQ_BEGIN,
    SQ_COMMIT,
    SQ_ROLLBACK,
    SQ_NTX, /* the above are prepared at open, the rest once migrated */
    SQ_INS_EVENT = SQ_NTX,
    SQ_INS_SOURCE,
    SQ_GET_SOURCE,
    SQ_INS_ALERT,
    SQ_UPS_CHECKPOINT,
    SQ_UPS_COUNTERS,
    SQ_ADD_TOTALS,
    SQ_GET_TOTALS,
    SQ_OLD_BY_AGE,
    SQ_OLDEST,
    SQ_DEL_EVENT,
    SQ_PUT_STATE,
    SQ_DEL_STATE,
    SQ_N
};

/* Domains' statements kept prepared, per connection (store_sqlite_stmt.c). */
#define SQ_CACHE 48

struct sq_cached {
    char *sql; /* owned copy of the text, NULL when the slot is free */
    sqlite3_stmt *st;
    uint64_t used; /* for evicting the least recently used */
};

struct store_conn {
    const char *path; /* borrowed from the store, for messages */
    sqlite3 *db;
    sqlite3_stmt *st[SQ_N];
    /* What the open transaction adds to the archive's running totals,
     * written once at commit rather than once per batch. */
    int64_t tx_events, tx_bytes;
    int64_t *rowids; /* retention scratch, STORE_RETENTION_CHUNK long */
    sqlite3 *qdb;
    struct sq_cached cache[2][SQ_CACHE]; /* [0] db, [1] qdb */
    uint64_t cache_tick;
};

/* Copies sqlite3_errmsg(db) and what was being done into err; returns
 * VIGIL_ESTORE. db is borrowed and may be NULL. */
enum vigil_rc sq_err(struct vigil_err *err, sqlite3 *db, const char *what);

/* Steps statement i of c (a write without result rows), then resets it;
 * on failure copies the error into err. */
enum vigil_rc sq_step_done(struct store_conn *c, enum sq_stmt i,
                           const char *what, struct vigil_err *err);

/* The operations of store_sqlite_write.c and store_sqlite_query.c, for
 * the table in store_sqlite.c; see store_backend.h. */
enum vigil_rc sq_write_events(struct store_conn *c,
                              const struct vigil_store_batch *b, int64_t now,
                              struct vigil_err *err);
enum vigil_rc sq_write_alerts(struct store_conn *c,
                              const struct vigil_store_batch *b, int64_t now,
                              struct vigil_err *err);
enum vigil_rc sq_write_checkpoints(struct store_conn *c,
                                   const struct vigil_store_batch *b,
                                   int64_t now, struct vigil_err *err);
enum vigil_rc sq_write_counters(struct store_conn *c,
                                const struct vigil_store_batch *b, int64_t now,
                                struct vigil_err *err);
enum vigil_rc sq_write_state(struct store_conn *c,
                             const struct vigil_store_batch *b, int64_t now,
                             struct vigil_err *err);
enum vigil_rc sq_expire(struct store_conn *c, int by_age, int64_t cutoff_ns,
                        int64_t max_bytes, int64_t *deleted, int *done,
                        struct vigil_err *err);

enum vigil_rc sq_stmt(struct store_conn *c, int query, const char *sql,
                      const struct vigil_store_value *params, size_t n,
                      vigil_store_row_fn fn, void *arg, int64_t *changes,
                      struct vigil_err *err);
/* Finalizes the kept statements; before the connections close. */
void sq_cache_clear(struct store_conn *c);

enum vigil_rc sq_checkpoint_get(struct store_conn *c, const char *key,
                                struct vigil_checkpoint *cp,
                                struct vigil_err *err);
enum vigil_rc sq_counters_each(struct store_conn *c,
                               int (*fn)(const struct vigil_source_counters *c,
                                         int64_t updated_ns, void *arg),
                               void *arg, struct vigil_err *err);
enum vigil_rc sq_count(struct store_conn *c, int64_t *events, int64_t *alerts,
                       struct vigil_err *err);
enum vigil_rc sq_events_each(struct store_conn *c, const char *needle,
                             int64_t since_ns, int64_t until_ns,
                             int (*fn)(const char *json, size_t len, void *arg),
                             void *arg, struct vigil_err *err);
enum vigil_rc sq_alerts_each(struct store_conn *c, int64_t limit,
                             int (*fn)(const struct vigil_alert *a, void *arg),
                             void *arg, struct vigil_err *err);
enum vigil_rc sq_state_get(struct store_conn *c, const char *component,
                           const char *key, void **blob, size_t *len,
                           struct vigil_err *err);
enum vigil_rc sq_state_each(struct store_conn *c, const char *component,
                            int (*fn)(const char *component, const char *key,
                                      const void *blob, size_t len,
                                      int64_t updated_ns, void *arg),
                            void *arg, struct vigil_err *err);

#endif
