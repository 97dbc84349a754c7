/* store.h -- the embedded store: checkpoints, alerts, the event archive,
 * daemon counters and components' saved state, with versioned migrations
 * for its own tables and for those of other domains.
 *
 * Writes go through batches. A batch gathers the archived events, alerts
 * and source checkpoints of one slice of work; committing it is one
 * transaction, so a checkpoint never advances past events or alerts that
 * are not stored ("no event lost", docs/architecture.md). The daemon hands
 * batches to a single writer thread (vigil_store_submit); one-shot
 * commands commit synchronously (vigil_store_commit).
 *
 * The database is a back end chosen by name at open (docs/store.md):
 * "sqlite" (a file in WAL mode) is the only one built today. Only this
 * domain includes <sqlite3.h>, and within it only the SQLite back end.
 */
#ifndef VIGIL_STORE_H
#define VIGIL_STORE_H

#include <stdint.h>
#include <string.h>

#include "core/core.h"

struct vigil_store;
struct vigil_store_batch;
struct vigil_store_schema;

struct vigil_store_opts {
    int archive_events;        /* store every event, not only alerts */
    int64_t archive_max_age_s; /* delete archived events older; 0 = keep */
    int64_t archive_max_bytes; /* trim oldest events past this; 0 = none */
    int readonly;              /* open for queries only (vigil status) */
    /* The back end, by name: "sqlite" (also when NULL or ""). Another
     * name, or one not built into this binary ("postgres"), is refused
     * with VIGIL_EINVAL naming the choices. Borrowed during the open. */
    const char *backend;
    /* Other domains' tables, migrated after the store's own (see struct
     * vigil_store_schema). A readonly open only checks their versions.
     * Borrowed during the open; NULL when nschemas is 0. */
    const struct vigil_store_schema *const *schemas;
    size_t nschemas;
};

/* One numbered step of a domain's schema: moves the domain's tables from
 * version i to i + 1 (steps[i]). A step that shipped is never edited;
 * later needs get a new step.
 *
 * The SQL must stay in the subset SQLite and PostgreSQL share, because a
 * PostgreSQL back end will run the same text: column types TEXT, BIGINT,
 * DOUBLE PRECISION and BYTEA (binary); PRIMARY KEY, UNIQUE, NOT NULL,
 * CHECK, REFERENCES, DEFAULT with a constant; CREATE TABLE, CREATE INDEX,
 * ALTER TABLE ... ADD COLUMN, INSERT of constant rows; unquoted lower-case
 * names. Not allowed: generated row ids (INTEGER PRIMARY KEY as rowid,
 * AUTOINCREMENT, SERIAL: a domain makes its own keys), WITHOUT ROWID,
 * PRAGMA, ATTACH, either database's own functions. vigil_store_open
 * refuses a step naming the SQLite-only words it can spot. */
struct vigil_store_migration {
    const char *what; /* for the log: "incidents and their notes" */
    const char *sql;  /* one or more statements separated by ';' */
};

/* A domain's tables: its name and ordered steps. The store records the
 * version of each domain in its migrations table and, at a read-write
 * open, applies the missing steps in order, each in one transaction with
 * the version bump. A database at a higher version of the domain than
 * nsteps (written by a newer vigil) is refused, as is, for a readonly
 * open, one at a lower version. Typically a static const object the
 * domain exports. */
struct vigil_store_schema {
    const char *domain; /* [a-z][a-z0-9_]*, at most 63 bytes; not "store" */
    const struct vigil_store_migration *steps;
    size_t nsteps;
};

/* The `store:` section of the configuration (docs/configuration.md). */
struct vigil_store_config {
    char backend[32];          /* store.backend; "" = sqlite */
    int archive_events;        /* store.archive_events */
    int64_t archive_max_age_s; /* store.archive_max_age; 0 = keep */
    int64_t archive_max_bytes; /* store.archive_max_size; 0 = none */
};

/* The key the store claims at the top of the configuration (`store:`),
 * for vigil_conf_apply with a struct vigil_store_config. */
extern const struct vigil_conf_table vigil_store_conf;

/* Where a source has read to. `key` identifies the source ("file:/var/
 * log/auth.log"); dev+inode identify the file the offset belongs to, so a
 * rotated file is recognised; `fingerprint` (hash of the first bytes)
 * guards against inode reuse. */
struct vigil_checkpoint {
    char key[512];
    uint64_t dev;
    uint64_t inode;
    uint64_t offset;
    uint64_t fingerprint;
    int64_t updated_ns;
};

/* An alert as the detection layer hands it over; all strings borrowed,
 * copied by vigil_store_batch_add_alert. */
struct vigil_alert {
    int64_t time_ns; /* the event's time */
    const char *rule_id;
    const char *title;
    const char *level;        /* informational, low, medium, high, critical */
    const char *tags_json;    /* JSON array, e.g. ["attack.t1110"] or NULL */
    const char *event_json;   /* the matched event as JSON */
    const char *matched_json; /* {"field":"value",...} that matched, or NULL */
    const char *source;       /* source key or name, may be NULL */
    /* The alert's own id, 32 lower-case hex digits (vigil_uid_new), by
     * which incidents and the evidence log name it. NULL: the batch makes
     * one. The bus fills it before any subscriber sees the alert. */
    const char *uid;
    /* The rule's Sigma name, or NULL; carried to the alert subscribers
     * (response policies name rules by it), not stored. */
    const char *rule_name;
};

/* Per-source counters the daemon publishes for `vigil status`. */
struct vigil_source_counters {
    char name[128];
    uint64_t events_in;
    uint64_t decoded;
    uint64_t failed;
    uint64_t dropped;
    uint64_t alerts;
    uint64_t truncated; /* bytes lost to truncation before they were read */
    /* Rotated files: bytes written to them after vigil let them go, and
     * files rotated away that vigil could not read. */
    uint64_t unread;
    uint64_t unread_files;
};

/* Opens (creating if needed) the store at path with the back end
 * opts->backend and migrates its schema, then each domain's of
 * opts->schemas, to the current version. opts (borrowed) may be NULL for
 * the defaults. Returns owned *out (free with vigil_store_close). */
enum vigil_rc vigil_store_open(struct vigil_store **out, const char *path,
                               const struct vigil_store_opts *opts,
                               struct vigil_err *err);
/* Stops the writer thread after committing what was submitted, then
 * closes. NULL-safe. */
void vigil_store_close(struct vigil_store *s);
/* The version of the store's own schema. */
int vigil_store_schema_version(struct vigil_store *s);
/* The name of the back end s uses ("sqlite"); static. */
const char *vigil_store_backend(const struct vigil_store *s);

/* ---- batches ---- */

/* Returns an owned empty batch (free with vigil_store_batch_free, or hand
 * it to vigil_store_submit/commit which take ownership). */
struct vigil_store_batch *vigil_store_batch_new(void);
void vigil_store_batch_free(struct vigil_store_batch *b);
/* Like vigil_store_batch_new, for store s (borrowed): when s does not
 * archive events, vigil_store_batch_add_event only counts them and skips
 * serialising them to JSON. Commit such a batch to s only. */
struct vigil_store_batch *
vigil_store_batch_new_for(const struct vigil_store *s);
/* Number of events and alerts in the batch. */
size_t vigil_store_batch_events(const struct vigil_store_batch *b);
size_t vigil_store_batch_alerts(const struct vigil_store_batch *b);
/* Serialises ev into the batch's archive (ignored when the store does not
 * archive events). ev is borrowed. */
enum vigil_rc vigil_store_batch_add_event(struct vigil_store_batch *b,
                                          const struct vigil_event *ev,
                                          const char *source);
/* Copies alert into the batch. VIGIL_EINVAL when rule_id, title, level
 * or event_json is NULL, or level is not one of the Sigma levels (matched
 * without regard to case, stored in lower case). */
enum vigil_rc vigil_store_batch_add_alert(struct vigil_store_batch *b,
                                          const struct vigil_alert *alert);
/* Records where a source stands once this batch is stored; a later call
 * for the same key replaces the earlier one. cp is copied. */
enum vigil_rc
vigil_store_batch_set_checkpoint(struct vigil_store_batch *b,
                                 const struct vigil_checkpoint *cp);
/* Replaces the counters rows for these sources in the same transaction. */
enum vigil_rc
vigil_store_batch_set_counters(struct vigil_store_batch *b,
                               const struct vigil_source_counters *c, size_t n);
/* Makes b conditional: just before it is written, on the writer thread,
 * guard(arg) is called, and a zero return refuses the batch (its done
 * callback gets VIGIL_ESTORE) with nothing of it stored. A producer whose
 * batches must commit in order refuses, this way, the batches queued
 * after one that failed. arg is borrowed and must stay valid until the
 * batch's done callback has run. */
void vigil_store_batch_set_guard(struct vigil_store_batch *b,
                                 int (*guard)(void *arg), void *arg);

/* Longest component name or key of saved state, in bytes. */
#define VIGIL_STORE_STATE_KEY_MAX 1024
/* Largest saved state value, in bytes. */
#define VIGIL_STORE_STATE_MAX ((size_t)64 << 20)

/* Saves blob[0..len) as the state of (component, key) when this batch is
 * stored, in the same transaction as its checkpoints: a component keeps
 * what it derived from the input (correlation windows, say) next to the
 * checkpoint of that input, so after a restart the two agree. Replaces
 * an earlier value; within a batch the last call for a key wins. All
 * arguments borrowed and copied. VIGIL_EINVAL for an empty or too long
 * component or key, VIGIL_ELIMIT for a value over VIGIL_STORE_STATE_MAX. */
enum vigil_rc vigil_store_batch_set_state(struct vigil_store_batch *b,
                                          const char *component,
                                          const char *key, const void *blob,
                                          size_t len);
/* vigil_store_batch_set_state for a caller that saves the same key many
 * times per batch: *hint (caller-owned, 0 at first, one per key) remembers
 * where the key's record is, so the next call for it skips the lookup. A
 * hint that does not name the key's record in b (another batch's, say) is
 * ignored and set again. */
enum vigil_rc vigil_store_batch_set_state_hint(struct vigil_store_batch *b,
                                               const char *component,
                                               const char *key,
                                               const void *blob, size_t len,
                                               size_t *hint);
/* Deletes the state of (component, key) when this batch is stored (no
 * error when there is none). Arguments borrowed. */
enum vigil_rc vigil_store_batch_delete_state(struct vigil_store_batch *b,
                                             const char *component,
                                             const char *key);

/* Commits b in one transaction, now, on the calling thread. Takes
 * ownership of b, even on failure. */
enum vigil_rc vigil_store_commit(struct vigil_store *s,
                                 struct vigil_store_batch *b,
                                 struct vigil_err *err);

/* Called on the writer thread once a submitted batch is committed (rc ==
 * VIGIL_OK) or has failed (the batch is then retried by the caller's
 * policy: the daemon stops advancing checkpoints). */
typedef void (*vigil_store_done_fn)(enum vigil_rc rc, const char *msg,
                                    void *arg);
/* Queues b for the writer thread, which groups queued batches into one
 * transaction. Takes ownership of b. Blocks when more than the bounded
 * queue length is pending (back-pressure instead of unbounded memory). */
enum vigil_rc vigil_store_submit(struct vigil_store *s,
                                 struct vigil_store_batch *b,
                                 vigil_store_done_fn done, void *arg,
                                 struct vigil_err *err);
/* Batches queued for the writer thread now (for /metrics). */
size_t vigil_store_queue_depth(struct vigil_store *s);
/* Waits until every submitted batch is committed. */
enum vigil_rc vigil_store_flush(struct vigil_store *s, struct vigil_err *err);

/* ---- queries ---- */

/* Fills cp for key; VIGIL_ENOTFOUND when the source was never seen. */
enum vigil_rc vigil_store_checkpoint_get(struct vigil_store *s, const char *key,
                                         struct vigil_checkpoint *cp,
                                         struct vigil_err *err);
/* Calls fn for each counters row; fn returns non-zero to stop. */
enum vigil_rc
vigil_store_counters_each(struct vigil_store *s,
                          int (*fn)(const struct vigil_source_counters *c,
                                    int64_t updated_ns, void *arg),
                          void *arg, struct vigil_err *err);
/* Number of archived events and of alerts. */
enum vigil_rc vigil_store_count(struct vigil_store *s, int64_t *events,
                                int64_t *alerts, struct vigil_err *err);
/* Calls fn with each archived event's JSON whose text contains `needle`
 * (NULL: all), oldest first, between since_ns and until_ns (0: open). */
enum vigil_rc vigil_store_events_each(struct vigil_store *s, const char *needle,
                                      int64_t since_ns, int64_t until_ns,
                                      int (*fn)(const char *json, size_t len,
                                                void *arg),
                                      void *arg, struct vigil_err *err);
/* Calls fn with each alert's fields, newest first, at most limit rows. */
enum vigil_rc vigil_store_alerts_each(struct vigil_store *s, int64_t limit,
                                      int (*fn)(const struct vigil_alert *a,
                                                void *arg),
                                      void *arg, struct vigil_err *err);
/* Returns an owned copy of the state of (component, key) in *blob (free
 * with free(); never NULL on success, also for an empty value) and its
 * length in *len; VIGIL_ENOTFOUND, err untouched, when none is saved. */
enum vigil_rc vigil_store_state_get(struct vigil_store *s,
                                    const char *component, const char *key,
                                    void **blob, size_t *len,
                                    struct vigil_err *err);
/* Calls fn for each saved state of component (NULL: of every component),
 * ordered by component then key; fn returns non-zero to stop. What fn
 * gets is borrowed for the call. */
enum vigil_rc vigil_store_state_each(
    struct vigil_store *s, const char *component,
    int (*fn)(const char *component, const char *key, const void *blob,
              size_t len, int64_t updated_ns, void *arg),
    void *arg, struct vigil_err *err);
/* Applies the archive retention policy now (the daemon calls it
 * periodically); sets *deleted. */
enum vigil_rc vigil_store_apply_retention(struct vigil_store *s, int64_t now_ns,
                                          int64_t *deleted,
                                          struct vigil_err *err);

/* ---- the alert queue (store_alerts.c): what the dashboard reads ----
 * Triage lives in the web_triage table of the web domain's schema; an
 * alert without a row there is "new". */

/* A page of alerts: NULL strings and 0 numbers filter nothing. */
struct vigil_alert_filter {
    const char *level, *rule, *state, *source;
    const char *text;     /* part of the title */
    const char *category; /* "file" (fim), "network" (net), or NULL */
    int64_t since_ns;     /* time_ns >= since */
    int64_t until_ns;     /* time_ns < until; 0: no bound */
    int oldest_first;     /* else newest first */
    int has_cursor;       /* continue after (cursor_t, cursor_id) */
    int64_t cursor_t, cursor_id;
    int64_t limit; /* at least 1 */
};

/* One alert; strings borrowed for the callback (uid, source, matched,
 * assignee, event, tags may be NULL; event and tags only from _get). */
struct vigil_alert_row {
    int64_t id, time_ns;
    const char *uid, *rule_id, *title, *level, *source, *matched_json;
    const char *state, *assignee;
    const char *event_json, *tags_json;
};

/* Calls fn per alert of f's page, in f's order; fn returns non-zero to
 * stop. VIGIL_EINVAL for a bad state, category or limit. */
enum vigil_rc vigil_store_alert_list(struct vigil_store *s,
                                     const struct vigil_alert_filter *f,
                                     int (*fn)(const struct vigil_alert_row *r,
                                               void *arg),
                                     void *arg, struct vigil_err *err);
/* Calls fn once with the alert uid in full, or not at all. */
enum vigil_rc vigil_store_alert_get(struct vigil_store *s, const char *uid,
                                    int (*fn)(const struct vigil_alert_row *r,
                                              void *arg),
                                    void *arg, struct vigil_err *err);
/* Alerts since since_ns counted per level and hour, oldest hour first. */
enum vigil_rc vigil_store_alert_hours(struct vigil_store *s, int64_t since_ns,
                                      int (*fn)(const char *level,
                                                int64_t hour_ns, int64_t count,
                                                void *arg),
                                      void *arg, struct vigil_err *err);
/* Per rule id that raised alerts: the newest alert's time and the count. */
enum vigil_rc vigil_store_alert_rules(struct vigil_store *s,
                                      int (*fn)(const char *rule_id,
                                                int64_t last_ns, int64_t count,
                                                void *arg),
                                      void *arg, struct vigil_err *err);
/* Sets the state (new, acknowledged, closed) and assignee (NULL: none;
 * keep_assignee: each alert keeps its own) of the alerts uids[0..n) that
 * exist, by user `by`, in one transaction; *updated gets how many. */
enum vigil_rc vigil_store_alert_triage(struct vigil_store *s,
                                       const char *const *uids, size_t n,
                                       const char *state, const char *assignee,
                                       int keep_assignee, const char *by,
                                       int64_t *updated, struct vigil_err *err);

/* ---- domains' own statements ----
 *
 * A domain keeps its rows in tables of its own schema (struct
 * vigil_store_schema) and reads and writes them through these calls,
 * with `?` parameters, in the SQL subset of struct vigil_store_migration.
 * The back end prepares each text once per connection and keeps it, so a
 * domain should pass the same constant text each time. */

enum vigil_store_vtype {
    VIGIL_SV_NULL,
    VIGIL_SV_INT,
    VIGIL_SV_REAL,
    VIGIL_SV_TEXT,
    VIGIL_SV_BLOB
};

/* A parameter or a column. p is borrowed: a parameter's for the call, a
 * column's for the row callback. A TEXT column's p is NUL-terminated. */
struct vigil_store_value {
    enum vigil_store_vtype type;
    int64_t i;
    double r;
    const char *p;
    size_t len;
};

static inline struct vigil_store_value
vigil_sv_null(void)
{
    struct vigil_store_value v = {VIGIL_SV_NULL, 0, 0, NULL, 0};
    return v;
}
static inline struct vigil_store_value
vigil_sv_int(int64_t i)
{
    struct vigil_store_value v = {VIGIL_SV_INT, i, 0, NULL, 0};
    return v;
}
static inline struct vigil_store_value
vigil_sv_real(double r)
{
    struct vigil_store_value v = {VIGIL_SV_REAL, 0, r, NULL, 0};
    return v;
}
/* NULL s binds SQL NULL. */
static inline struct vigil_store_value
vigil_sv_text(const char *s)
{
    struct vigil_store_value v = {s ? VIGIL_SV_TEXT : VIGIL_SV_NULL, 0, 0, s,
                                  s ? strlen(s) : 0};
    return v;
}
static inline struct vigil_store_value
vigil_sv_blob(const void *p, size_t len)
{
    struct vigil_store_value v = {VIGIL_SV_BLOB, 0, 0, (const char *)p, len};
    return v;
}

/* Most parameters one statement takes. */
#define VIGIL_STORE_PARAMS_MAX 32

/* Called with each result row; cols[0..ncols) borrowed for the call.
 * Returns non-zero to stop. */
typedef int (*vigil_store_row_fn)(const struct vigil_store_value *cols,
                                  size_t ncols, void *arg);

/* Runs one query (a SELECT) on the query connection, calling fn per row.
 * Works on a readonly store too. Queries may nest (fn may query). */
enum vigil_rc vigil_store_query(struct vigil_store *s, const char *sql,
                                const struct vigil_store_value *params,
                                size_t nparams, vigil_store_row_fn fn,
                                void *arg, struct vigil_err *err);
/* A read snapshot: every query this thread runs between begin and end
 * sees the store as of the first of them, so rows read by several
 * queries (a log and its head) agree although writers commit meanwhile.
 * Holds the query lock: other threads' queries wait until end. Works on
 * a readonly store. Every successful begin needs one end; one begun
 * inside another is part of it. */
enum vigil_rc vigil_store_snapshot_begin(struct vigil_store *s,
                                         struct vigil_err *err);
void vigil_store_snapshot_end(struct vigil_store *s);
/* Runs one writing statement in a transaction of its own. *changes (may
 * be NULL) gets the rows it changed. A UNIQUE, CHECK or foreign-key
 * violation is VIGIL_ECONFLICT. */
enum vigil_rc vigil_store_exec(struct vigil_store *s, const char *sql,
                               const struct vigil_store_value *params,
                               size_t nparams, int64_t *changes,
                               struct vigil_err *err);

/* A transaction of a domain's statements: everything in it is stored
 * together or not at all. It holds the store's write lock (the writer
 * thread waits), so keep it short: split a large load into transactions
 * of some thousands of rows. */
struct vigil_store_tx;
/* Returns owned *tx: end it with commit or rollback. */
enum vigil_rc vigil_store_tx_begin(struct vigil_store *s,
                                   struct vigil_store_tx **tx,
                                   struct vigil_err *err);
enum vigil_rc vigil_store_tx_exec(struct vigil_store_tx *tx, const char *sql,
                                  const struct vigil_store_value *params,
                                  size_t nparams, int64_t *changes,
                                  struct vigil_err *err);
/* A query inside the transaction: sees what it wrote. fn must not use tx. */
enum vigil_rc vigil_store_tx_query(struct vigil_store_tx *tx, const char *sql,
                                   const struct vigil_store_value *params,
                                   size_t nparams, vigil_store_row_fn fn,
                                   void *arg, struct vigil_err *err);
/* Both take ownership of tx and free it; after a failed commit nothing
 * of it is stored. */
enum vigil_rc vigil_store_tx_commit(struct vigil_store_tx *tx,
                                    struct vigil_err *err);
void vigil_store_tx_rollback(struct vigil_store_tx *tx);

/* Adds a writing statement to batch b, run in the batch's transaction
 * after its events, alerts, checkpoints, counters and state, in the order
 * added: a component stores what it derived from an alert together with
 * the alert. sql and params are copied. A statement that fails fails the
 * batch. */
enum vigil_rc vigil_store_batch_add_exec(struct vigil_store_batch *b,
                                         const char *sql,
                                         const struct vigil_store_value *params,
                                         size_t nparams);

/* Counts what another system's PostgreSQL database holds: the first
 * column of the first row of query (borrowed), run on a connection to dsn
 * (libpq's connection string), in a read-only session, one statement,
 * at most 5 s to connect and 5 s to run. For src/fim's data-loss stores;
 * never vigil's own store. VIGIL_EIO when it cannot connect or the query
 * fails (or would write), VIGIL_EPARSE when the value is not a number. */
enum vigil_rc vigil_store_foreign_count(const char *dsn, const char *query,
                                        int64_t *items, struct vigil_err *err);

/* The same for another system's SQLite file at path (borrowed), opened
 * read-only (never created, every write refused), waiting at most 1 s for
 * a writer's lock and 5 s for the query, which must be one statement that
 * only reads. VIGIL_ENOTFOUND when the file is missing, VIGIL_EINVAL when
 * it is no regular file or the query would write, VIGIL_EIO when it cannot
 * be opened, is locked, damaged or the query fails, VIGIL_EPARSE when the
 * value is not a whole number. */
enum vigil_rc vigil_store_foreign_sqlite_count(const char *path,
                                               const char *query,
                                               int64_t *items,
                                               struct vigil_err *err);

#endif
