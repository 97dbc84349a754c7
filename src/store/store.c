/* store.c -- the store's database-independent front: choosing the back
 * end by name, opening and closing, the query functions' argument checks
 * and locking, and retention's loop of short transactions.
 *
 * See store_int.h for the mutex each function holds and store_backend.h
 * for what the back end is promised.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* Every back end vigil knows, built or not, so a configuration naming one
 * that this binary lacks gets told so rather than "unknown". */
static const struct {
    const char *name;
    const struct store_backend *be; /* NULL: not built in */
} backends[] = {
    {"sqlite", &store_sqlite_backend},
    {"postgres", NULL},
};

#define NBACKENDS (sizeof(backends) / sizeof(backends[0]))

/* Lists the back ends built into this binary, for messages. */
static void
built_list(char *buf, size_t n)
{
    size_t i, len = 0;

    buf[0] = '\0';
    for (i = 0; i < NBACKENDS; i++) {
        int w;
        if (backends[i].be == NULL)
            continue;
        w = snprintf(buf + len, n - len, "%s%s", len ? ", " : "",
                     backends[i].name);
        if (w < 0 || (size_t)w >= n - len)
            break;
        len += (size_t)w;
    }
}

static enum vigil_rc
find_backend(const char *name, const struct store_backend **out,
             struct vigil_err *err)
{
    char built[128];
    size_t i;

    if (name == NULL || name[0] == '\0')
        name = "sqlite";
    built_list(built, sizeof(built));
    for (i = 0; i < NBACKENDS; i++) {
        if (strcmp(backends[i].name, name) != 0)
            continue;
        if (backends[i].be == NULL)
            return vigil_err_set(err, VIGIL_EINVAL,
                                 "store: back end '%s' is not built into "
                                 "this vigil; the choices are: %s",
                                 name, built);
        *out = backends[i].be;
        return VIGIL_OK;
    }
    return vigil_err_set(err, VIGIL_EINVAL,
                         "store: unknown back end '%.64s'; the choices are: "
                         "%s",
                         name, built);
}

static enum vigil_rc
init_sync(struct vigil_store *s, struct vigil_err *err)
{
    pthread_mutexattr_t ma;
    int e = 0;

    /* Recursive so a query callback may run another query. */
    e |= pthread_mutexattr_init(&ma);
    e |= pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    e |= pthread_mutex_init(&s->qmu, &ma);
    pthread_mutexattr_destroy(&ma);
    e |= pthread_mutex_init(&s->wmu, NULL);
    e |= pthread_mutex_init(&s->mu, NULL);
    e |= pthread_cond_init(&s->cv_work, NULL);
    e |= pthread_cond_init(&s->cv_space, NULL);
    e |= pthread_cond_init(&s->cv_idle, NULL);
    if (e != 0)
        return vigil_err_set(err, VIGIL_ENOMEM, "store: cannot create mutexes");
    return VIGIL_OK;
}

enum vigil_rc
store_backend_check(const char *name, struct vigil_err *err)
{
    const struct store_backend *be;

    return find_backend(name, &be, err);
}

enum vigil_rc
vigil_store_open(struct vigil_store **out, const char *path,
                 const struct vigil_store_opts *opts, struct vigil_err *err)
{
    static const struct vigil_store_opts defaults;
    const struct store_backend *be = NULL;
    struct vigil_store *s = NULL;
    enum vigil_rc rc;
    size_t n;

    if (out == NULL || path == NULL || *path == '\0')
        return vigil_err_set(err, VIGIL_EINVAL, "store: no path");
    *out = NULL;
    if (opts == NULL)
        opts = &defaults;
    n = strlen(path);
    if (n >= sizeof(s->path))
        return vigil_err_set(err, VIGIL_EINVAL, "store: path too long");
    if ((rc = find_backend(opts->backend, &be, err)) != VIGIL_OK ||
        (rc = store_schemas_check(opts, err)) != VIGIL_OK)
        return rc;
    if ((s = calloc(1, sizeof(*s))) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "store: out of memory");
    if ((rc = init_sync(s, err)) != VIGIL_OK) {
        free(s);
        return rc;
    }
    memcpy(s->path, path, n + 1);
    s->opts = *opts;
    s->opts.backend = be->name;
    s->opts.schemas = NULL; /* borrowed only for the open */
    s->opts.nschemas = 0;
    s->be = be;
    VIGIL_TRY(be->open(s, &s->conn, err));
    if (s->opts.readonly) {
        VIGIL_TRY(store_check_versions(s, opts->schemas, opts->nschemas, err));
    } else {
        VIGIL_TRY(store_migrate(s, opts->schemas, opts->nschemas, err));
        VIGIL_TRY(be->ready(s->conn, err));
    }
    *out = s;
    s = NULL;
    rc = VIGIL_OK;
out:
    vigil_store_close(s);
    return rc;
}

void
vigil_store_close(struct vigil_store *s)
{
    if (s == NULL)
        return;
    store_writer_stop(s);
    if (s->be != NULL)
        s->be->close(s->conn);
    pthread_mutex_destroy(&s->qmu);
    pthread_mutex_destroy(&s->wmu);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv_work);
    pthread_cond_destroy(&s->cv_space);
    pthread_cond_destroy(&s->cv_idle);
    free(s);
}

int
vigil_store_schema_version(struct vigil_store *s)
{
    return s ? s->version : 0;
}

const char *
vigil_store_backend(const struct vigil_store *s)
{
    return s ? s->be->name : NULL;
}

/* ---- queries (under qmu) -------------------------------------------- */

enum vigil_rc
vigil_store_checkpoint_get(struct vigil_store *s, const char *key,
                           struct vigil_checkpoint *cp, struct vigil_err *err)
{
    enum vigil_rc rc;

    if (s == NULL || key == NULL || cp == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store: bad arguments");
    if (strlen(key) >= sizeof(cp->key))
        return vigil_err_set(err, VIGIL_EINVAL,
                             "store: checkpoint key too long");
    pthread_mutex_lock(&s->qmu);
    rc = s->be->checkpoint_get(s->conn, key, cp, err);
    pthread_mutex_unlock(&s->qmu);
    return rc;
}

enum vigil_rc
vigil_store_counters_each(struct vigil_store *s,
                          int (*fn)(const struct vigil_source_counters *c,
                                    int64_t updated_ns, void *arg),
                          void *arg, struct vigil_err *err)
{
    enum vigil_rc rc;

    if (s == NULL || fn == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store: bad arguments");
    pthread_mutex_lock(&s->qmu);
    rc = s->be->counters_each(s->conn, fn, arg, err);
    pthread_mutex_unlock(&s->qmu);
    return rc;
}

enum vigil_rc
vigil_store_count(struct vigil_store *s, int64_t *events, int64_t *alerts,
                  struct vigil_err *err)
{
    enum vigil_rc rc;

    if (s == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store: no store");
    pthread_mutex_lock(&s->qmu);
    rc = s->be->count(s->conn, events, alerts, err);
    pthread_mutex_unlock(&s->qmu);
    return rc;
}

enum vigil_rc
vigil_store_events_each(struct vigil_store *s, const char *needle,
                        int64_t since_ns, int64_t until_ns,
                        int (*fn)(const char *json, size_t len, void *arg),
                        void *arg, struct vigil_err *err)
{
    enum vigil_rc rc;

    if (s == NULL || fn == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store: bad arguments");
    pthread_mutex_lock(&s->qmu);
    rc = s->be->events_each(s->conn, needle, since_ns, until_ns, fn, arg, err);
    pthread_mutex_unlock(&s->qmu);
    return rc;
}

enum vigil_rc
vigil_store_alerts_each(struct vigil_store *s, int64_t limit,
                        int (*fn)(const struct vigil_alert *a, void *arg),
                        void *arg, struct vigil_err *err)
{
    enum vigil_rc rc;

    if (s == NULL || fn == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store: bad arguments");
    pthread_mutex_lock(&s->qmu);
    rc = s->be->alerts_each(s->conn, limit, fn, arg, err);
    pthread_mutex_unlock(&s->qmu);
    return rc;
}

enum vigil_rc
vigil_store_state_get(struct vigil_store *s, const char *component,
                      const char *key, void **blob, size_t *len,
                      struct vigil_err *err)
{
    enum vigil_rc rc;

    if (s == NULL || !store_state_name_ok(component) ||
        !store_state_name_ok(key) || blob == NULL || len == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store: bad arguments");
    *blob = NULL;
    *len = 0;
    pthread_mutex_lock(&s->qmu);
    rc = s->be->state_get(s->conn, component, key, blob, len, err);
    pthread_mutex_unlock(&s->qmu);
    return rc;
}

enum vigil_rc
vigil_store_state_each(struct vigil_store *s, const char *component,
                       int (*fn)(const char *component, const char *key,
                                 const void *blob, size_t len,
                                 int64_t updated_ns, void *arg),
                       void *arg, struct vigil_err *err)
{
    enum vigil_rc rc;

    if (s == NULL || fn == NULL ||
        (component != NULL && !store_state_name_ok(component)))
        return vigil_err_set(err, VIGIL_EINVAL, "store: bad arguments");
    pthread_mutex_lock(&s->qmu);
    rc = s->be->state_each(s->conn, component, fn, arg, err);
    pthread_mutex_unlock(&s->qmu);
    return rc;
}

/* ---- retention (under wmu, one chunk per transaction) ---------------- */

/* Expires one chunk in a transaction of its own; adds what it deleted to
 * *deleted and sets *done when nothing is left. */
static enum vigil_rc
retention_chunk(struct vigil_store *s, int by_age, int64_t cutoff_ns,
                int64_t *deleted, int *done, struct vigil_err *err)
{
    const struct store_backend *be = s->be;
    enum vigil_rc rc;
    int64_t k = 0;

    *done = 1;
    pthread_mutex_lock(&s->wmu);
    if ((rc = be->begin(s->conn, err)) != VIGIL_OK)
        goto out;
    if ((rc = be->expire(s->conn, by_age, cutoff_ns, s->opts.archive_max_bytes,
                         &k, done, err)) != VIGIL_OK ||
        (rc = be->commit(s->conn, err)) != VIGIL_OK) {
        *done = 1;
        be->rollback(s->conn);
        goto out;
    }
    *deleted += k;
out:
    pthread_mutex_unlock(&s->wmu);
    return rc;
}

enum vigil_rc
vigil_store_apply_retention(struct vigil_store *s, int64_t now_ns,
                            int64_t *deleted, struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_OK;
    int64_t n = 0;
    int done;

    if (deleted)
        *deleted = 0;
    if (s == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store: no store");
    if (s->opts.readonly)
        return vigil_err_set(err, VIGIL_EINVAL, "store %s is open read-only",
                             s->path);
    /* The write mutex is released between chunks so queued batches get
     * their turn while a large backlog expires. */
    if (s->opts.archive_max_age_s > 0 &&
        s->opts.archive_max_age_s < INT64_MAX / VIGIL_NS_PER_SEC) {
        int64_t cutoff = now_ns - s->opts.archive_max_age_s * VIGIL_NS_PER_SEC;
        do
            rc = retention_chunk(s, 1, cutoff, &n, &done, err);
        while (rc == VIGIL_OK && !done);
    }
    if (rc == VIGIL_OK && s->opts.archive_max_bytes > 0) {
        do
            rc = retention_chunk(s, 0, 0, &n, &done, err);
        while (rc == VIGIL_OK && !done);
    }
    if (n > 0)
        vigil_log(VIGIL_LOG_DEBUG, STORE_LOG_RETENTION,
                  "store %s: retention deleted %lld archived events", s->path,
                  (long long)n);
    if (deleted)
        *deleted = n;
    return rc;
}
