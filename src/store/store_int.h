/* store_int.h -- what the front-end files of src/store share and nobody
 * else sees: the store and batch structures, limits, log ids, the commit
 * and migration entry points. Database-independent: the back end is
 * reached through s->be (store_backend.h).
 *
 * Threading model (docs/store.md):
 *   - Everything that writes (the writer thread's group commits,
 *     vigil_store_commit, retention) holds `wmu` while it uses the back
 *     end's read-write connection.
 *   - The query functions hold `qmu` (recursive) while they use its query
 *     connection; the back end keeps the two apart so queries from any
 *     thread are safe while the writer works.
 *   - The submit queue is guarded by `mu` and its three conditions.
 */
#ifndef VIGIL_STORE_INT_H
#define VIGIL_STORE_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "store/store.h"
#include "store_backend.h"

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
/* Times opening tries again, 100 ms apart, while SQLite says the WAL
 * is read-only or busy for a moment (store_sqlite.c open_rw). */
#define STORE_OPEN_RETRIES 30

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
    STORE_A_UID,
    STORE_A_NSTR
};

struct store_alert_rec {
    int64_t time_ns;
    size_t str[STORE_A_NSTR]; /* into batch->strs, or STORE_NOSTR */
};

/* A put or delete of saved state; texts and value in batch->strs. */
struct store_state_rec {
    size_t component, key;
    size_t off; /* the value, or STORE_NOSTR for a delete */
    size_t len;
    size_t room; /* bytes at off a later value for the key may reuse */
};

/* A domain's statement in a batch (vigil_store_batch_add_exec): its text
 * in batch->strs and its parameters xp[first .. first + n). */
struct store_exec_rec {
    size_t sql;
    size_t first, n;
};

/* A copied parameter: TEXT and BLOB bytes at off in batch->strs. */
struct store_xparam {
    enum vigil_store_vtype type;
    int64_t i;
    double r;
    size_t off, len;
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
    struct store_state_rec *sv;
    size_t nsv, capsv;
    struct store_exec_rec *xs;
    size_t nxs, capxs;
    struct store_xparam *xp;
    size_t nxp, capxp;
    struct vigil_hmap *svidx;         /* "component\0key" -> record index + 1 */
    size_t srcs[STORE_BATCH_SOURCES]; /* recent source names, for reuse */
    size_t nsrcs;
    int broken;      /* an allocation failed: the batch must not commit */
    int no_archive;  /* made for a store that does not archive events */
    size_t nskipped; /* events counted, not serialised (no_archive) */
    int (*guard)(void *arg); /* NULL, or 0 refuses the batch */
    void *guard_arg;
};

struct store_job {
    struct vigil_store_batch *b;
    vigil_store_done_fn done;
    void *arg;
};

struct vigil_store {
    char path[4096];
    struct vigil_store_opts opts; /* backend: be->name; no schemas */
    int version;

    const struct store_backend *be;
    struct store_conn *conn; /* owned by the back end */
    pthread_mutex_t wmu;     /* writes */
    pthread_mutex_t qmu;     /* queries; recursive */
    int snapshots;           /* open read snapshots (under qmu) */

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

/* Checks that name ("" or NULL: sqlite) is a back end built into this
 * binary; VIGIL_EINVAL with the choices when not. For the configuration,
 * so a bad store.backend is refused with its line, and on reload. */
enum vigil_rc store_backend_check(const char *name, struct vigil_err *err);

/* Checks opts->schemas: well-formed names, no duplicates, steps present
 * and free of the SQLite-only words vigil_store_migration excludes. */
enum vigil_rc store_schemas_check(const struct vigil_store_opts *opts,
                                  struct vigil_err *err);
/* Brings the store's own schema, then each of schemas[0..n) (borrowed),
 * to its newest version on s's read-write connection, one transaction
 * per step; sets s->version. Refuses a database from a newer vigil. */
enum vigil_rc store_migrate(struct vigil_store *s,
                            const struct vigil_store_schema *const *schemas,
                            size_t n, struct vigil_err *err);
/* For a readonly s: checks that the store's schema and each of
 * schemas[0..n) is at the version this binary knows; sets s->version. */
enum vigil_rc store_check_versions(struct vigil_store *s,
                                   const struct vigil_store_schema *const *sc,
                                   size_t n, struct vigil_err *err);

/* Stores batches b[0..n) (borrowed) in one transaction; the caller holds
 * s->wmu. On failure rolls back so nothing of any batch stays. */
enum vigil_rc store_apply(struct vigil_store *s,
                          struct vigil_store_batch *const *b, size_t n,
                          struct vigil_err *err);

/* Stops and joins the writer thread after it has committed the queue.
 * Safe to call when it never started. */
void store_writer_stop(struct vigil_store *s);

/* Returns the NUL-terminated string at off in b->strs, or NULL. */
static inline const char *
store_batch_str(const struct vigil_store_batch *b, size_t off)
{
    return off == STORE_NOSTR ? NULL : b->strs.data + off;
}

/* Whether s may name a component or key of saved state: 1 to
 * VIGIL_STORE_STATE_KEY_MAX bytes. */
static inline int
store_state_name_ok(const char *s)
{
    return s != NULL && s[0] != '\0' &&
           strnlen(s, VIGIL_STORE_STATE_KEY_MAX + 1) <=
               VIGIL_STORE_STATE_KEY_MAX;
}

#endif
