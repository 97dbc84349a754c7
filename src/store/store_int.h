/* store_int.h -- what the files of src/store share and nobody else sees:
 * the store and batch structures, the prepared statements, the group
 * commit and the migration runner.
 *
 * Threading model (docs/store.md):
 *   - `db` is the one read-write connection. Every use of it (the writer
 *     thread's group commits, vigil_store_commit, retention) holds `wmu`.
 *   - `qdb` is a separate read-only connection for the query functions,
 *     held under `qmu`. In WAL mode readers never block the writer and see
 *     every committed transaction, so queries from any thread are safe
 *     while the writer works. A readonly store has only `qdb`.
 *   - The submit queue is guarded by `mu` and its three conditions.
 */
#ifndef VIGIL_STORE_INT_H
#define VIGIL_STORE_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Stable log message ids of the store (docs/store.md). */
#define STORE_LOG_MIGRATED     1401 /* schema migrated to a version */
#define STORE_LOG_GROUP_FAILED 1402 /* group commit failed, retrying singly */
#define STORE_LOG_BATCH_FAILED 1403 /* a submitted batch failed */
#define STORE_LOG_RETENTION    1404 /* retention deleted archived events */
#define STORE_LOG_CLOSE        1405 /* close did not finish cleanly */

/* Batches the writer may hold queued before submit blocks. */
#define STORE_QUEUE_MAX 64
/* Largest JSON text of one archived event. */
#define STORE_EVENT_JSON_MAX (1u << 20)
/* Largest total JSON text one batch may gather. */
#define STORE_BATCH_JSON_MAX ((size_t)256 << 20)
/* Rows retention deletes per transaction, so the writer waits little. */
#define STORE_RETENTION_CHUNK 2048
/* How long a connection waits for another's lock, in ms. */
#define STORE_BUSY_TIMEOUT_MS 5000

/* Source names a batch remembers so events share one copy. */
#define STORE_BATCH_SOURCES 8

/* Offsets into a batch's string buffer; this value marks NULL. */
#define STORE_NOSTR SIZE_MAX

struct store_event_rec {
    int64_t time_ns;
    size_t off; /* into batch->json */
    size_t len;
    size_t src; /* into batch->strs, or STORE_NOSTR */
};

enum store_alert_str {
    STORE_A_RULE_ID,
    STORE_A_TITLE,
    STORE_A_LEVEL,
    STORE_A_TAGS,
    STORE_A_EVENT,
    STORE_A_MATCHED,
    STORE_A_SOURCE,
    STORE_A_NSTR
};

struct store_alert_rec {
    int64_t time_ns;
    size_t str[STORE_A_NSTR]; /* into batch->strs, or STORE_NOSTR */
};

struct vigil_store_batch {
    struct vigil_buf json; /* every event's JSON, back to back */
    struct vigil_buf strs; /* NUL-terminated copied strings */
    struct store_event_rec *ev;
    size_t nev, capev;
    struct store_alert_rec *al;
    size_t nal, capal;
    struct vigil_checkpoint *cp;
    size_t ncp, capcp;
    struct vigil_source_counters *ct;
    size_t nct, capct;
    size_t srcs[STORE_BATCH_SOURCES]; /* recent source names, for reuse */
    size_t nsrcs;
    int broken;      /* an allocation failed: the batch must not commit */
    int no_archive;  /* made for a store that does not archive events */
    size_t nskipped; /* events counted, not serialised (no_archive) */
};

enum store_stmt {
    STORE_ST_BEGIN,
    STORE_ST_COMMIT,
    STORE_ST_ROLLBACK,
    STORE_ST_INS_EVENT,
    STORE_ST_INS_SOURCE,
    STORE_ST_GET_SOURCE,
    STORE_ST_INS_ALERT,
    STORE_ST_UPS_CHECKPOINT,
    STORE_ST_UPS_COUNTERS,
    STORE_ST_ADD_TOTALS,
    STORE_ST_GET_TOTALS,
    STORE_ST_OLD_BY_AGE,
    STORE_ST_OLDEST,
    STORE_ST_DEL_EVENT,
    STORE_ST_N
};

struct store_job {
    struct vigil_store_batch *b;
    vigil_store_done_fn done;
    void *arg;
};

struct vigil_store {
    char path[4096];
    struct vigil_store_opts opts;
    int version;

    sqlite3 *db; /* read-write; NULL when readonly; under wmu */
    sqlite3_stmt *st[STORE_ST_N];
    pthread_mutex_t wmu;
    int64_t *rowids; /* retention scratch, STORE_RETENTION_CHUNK long */

    sqlite3 *qdb; /* read-only, for queries; under qmu */
    pthread_mutex_t qmu;

    pthread_mutex_t mu;
    pthread_cond_t cv_work;  /* the queue has jobs or stop is set */
    pthread_cond_t cv_space; /* the queue has room */
    pthread_cond_t cv_idle;  /* the queue is empty and the writer idle */
    struct store_job q[STORE_QUEUE_MAX];
    size_t qhead, qlen;
    int busy, stop, started;
    pthread_t writer;
    uint64_t failed; /* batches failed since the last flush */
    char fail_msg[256];
    uint64_t groups; /* group transactions committed */
};

/* Copies sqlite3_errmsg(db) and what was being done into err; returns
 * VIGIL_ESTORE. db is borrowed and may be NULL. */
enum vigil_rc store_err(struct vigil_err *err, sqlite3 *db, const char *what);

/* Brings db (read-write, borrowed) to the newest schema version, one
 * transaction per step; sets *version. Refuses a database from a newer
 * vigil. path is only for messages. */
enum vigil_rc store_migrate(sqlite3 *db, const char *path, int *version,
                            struct vigil_err *err);
/* The newest schema version this binary knows. */
int store_schema_latest(void);
/* Reads PRAGMA user_version of db (borrowed). */
enum vigil_rc store_user_version(sqlite3 *db, int *version,
                                 struct vigil_err *err);

/* Stores batches b[0..n) (borrowed) in one transaction on s->db; the
 * caller holds s->wmu. On failure rolls back so nothing of any batch
 * stays. */
enum vigil_rc store_apply(struct vigil_store *s,
                          struct vigil_store_batch *const *b, size_t n,
                          struct vigil_err *err);

/* Steps statement i of s (a write without result rows), then resets it;
 * on failure copies the error into err. */
enum vigil_rc store_step_done(struct vigil_store *s, enum store_stmt i,
                              const char *what, struct vigil_err *err);

/* Stops and joins the writer thread after it has committed the queue.
 * Safe to call when it never started. */
void store_writer_stop(struct vigil_store *s);

/* Returns the NUL-terminated string at off in b->strs, or NULL. */
static inline const char *
store_batch_str(const struct vigil_store_batch *b, size_t off)
{
    return off == STORE_NOSTR ? NULL : b->strs.data + off;
}

#endif
