/* store_migrate.c -- the migration runner: brings the store's own tables
 * and those of other domains to the versions this binary knows.
 *
 * Each schema (the store's own, from the back end, then each domain's
 * from vigil_store_opts.schemas) is an ordered list of steps; step i moves
 * it from version i to i + 1 and runs in its own transaction together
 * with the version bump, so a crash leaves every schema at a whole
 * version. The transaction takes the write lock from the start, so two
 * processes opening the same new store do not both run a step: the second
 * waits, then sees the version the first wrote. A database at a higher
 * version than the steps reach was written by a newer vigil and is
 * refused rather than misread.
 *
 * Database-independent: versions are read and written, and steps run,
 * through the back end (store_backend.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "store_int.h"

/* Longest domain name, in bytes. */
#define DOMAIN_MAX 63
/* Reserved for the store's own schema, which a back end without
 * user_version (PostgreSQL) records among the domains' versions. */
#define CORE_DOMAIN "store"

/* Words of SQLite's dialect that PostgreSQL does not take. A cheap guard,
 * not a parser: it catches the habits of someone who tried their step on
 * SQLite only. */
static const char *const sqlite_only[] = {
    "WITHOUT ROWID", "AUTOINCREMENT", "PRAGMA", "ATTACH", "INSERT OR",
};

static int
domain_name_ok(const char *d)
{
    size_t i;

    if (d == NULL || d[0] < 'a' || d[0] > 'z')
        return 0;
    for (i = 0; d[i] != '\0'; i++)
        if (i >= DOMAIN_MAX || !((d[i] >= 'a' && d[i] <= 'z') ||
                                 (d[i] >= '0' && d[i] <= '9') || d[i] == '_'))
            return 0;
    return strcmp(d, CORE_DOMAIN) != 0;
}

enum vigil_rc
store_schemas_check(const struct vigil_store_opts *opts, struct vigil_err *err)
{
    size_t i, j, k;

    if (opts->nschemas > 0 && opts->schemas == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store: schemas missing");
    for (i = 0; i < opts->nschemas; i++) {
        const struct vigil_store_schema *sc = opts->schemas[i];
        if (sc == NULL || !domain_name_ok(sc->domain))
            return vigil_err_set(err, VIGIL_EINVAL,
                                 "store: schema %zu: the domain name must be "
                                 "[a-z][a-z0-9_]*, at most %d bytes, and not "
                                 "'%s'",
                                 i, DOMAIN_MAX, CORE_DOMAIN);
        for (j = 0; j < i; j++)
            if (strcmp(opts->schemas[j]->domain, sc->domain) == 0)
                return vigil_err_set(err, VIGIL_EINVAL,
                                     "store: domain '%s' is listed twice",
                                     sc->domain);
        if (sc->nsteps > 0 && sc->steps == NULL)
            return vigil_err_set(err, VIGIL_EINVAL,
                                 "store: domain '%s' has no steps", sc->domain);
        if (sc->nsteps > (size_t)INT32_MAX)
            return vigil_err_set(err, VIGIL_EINVAL,
                                 "store: domain '%s' has too many steps",
                                 sc->domain);
        for (j = 0; j < sc->nsteps; j++) {
            const struct vigil_store_migration *m = &sc->steps[j];
            if (m->sql == NULL || m->what == NULL)
                return vigil_err_set(err, VIGIL_EINVAL,
                                     "store: domain '%s' step %zu has no "
                                     "SQL or description",
                                     sc->domain, j + 1);
            for (k = 0; k < sizeof(sqlite_only) / sizeof(sqlite_only[0]); k++)
                if (strcasestr(m->sql, sqlite_only[k]) != NULL)
                    return vigil_err_set(
                        err, VIGIL_EINVAL,
                        "store: domain '%s' step %zu uses %s, which only "
                        "SQLite knows; keep to the portable subset "
                        "(store.h, struct vigil_store_migration)",
                        sc->domain, j + 1, sqlite_only[k]);
        }
    }
    return VIGIL_OK;
}

static enum vigil_rc
refuse_newer(struct vigil_store *s, const char *domain, int v, int known,
             struct vigil_err *err)
{
    return vigil_err_set(err, VIGIL_EUNSUPPORTED,
                         "store %s has %s%s%sschema version %d, newer than "
                         "the %d this vigil knows; use the vigil release "
                         "that wrote it or a newer one",
                         s->path, domain ? "domain '" : "",
                         domain ? domain : "", domain ? "' at " : "", v, known);
}

/* Migrates one schema: domain (NULL: the store's own) with steps[0..n);
 * sets *version. */
static enum vigil_rc
migrate_one(struct vigil_store *s, const char *domain,
            const struct vigil_store_migration *steps, int n, int *version,
            struct vigil_err *err)
{
    const struct store_backend *be = s->be;
    enum vigil_rc rc;
    char what[256];
    int v;

    for (;;) {
        if ((rc = be->begin(s->conn, err)) != VIGIL_OK)
            return rc;
        if ((rc = be->version_get(s->conn, domain, &v, err)) != VIGIL_OK)
            goto fail;
        if (v > n) {
            rc = refuse_newer(s, domain, v, n, err);
            goto fail;
        }
        if (v == n) {
            if ((rc = be->commit(s->conn, err)) != VIGIL_OK)
                goto fail;
            *version = v;
            return VIGIL_OK;
        }
        snprintf(what, sizeof(what),
                 "migrating %s%s%sto schema version %d (%s)",
                 domain ? "domain " : "", domain ? domain : "",
                 domain ? " " : "", v + 1, steps[v].what);
        if ((rc = be->exec(s->conn, steps[v].sql, what, err)) != VIGIL_OK ||
            (rc = be->version_set(s->conn, domain, v + 1, err)) != VIGIL_OK ||
            (rc = be->commit(s->conn, err)) != VIGIL_OK)
            goto fail;
        vigil_log(VIGIL_LOG_INFO, STORE_LOG_MIGRATED,
                  "store %s: migrated %s%s%sschema to version %d (%s)", s->path,
                  domain ? "domain " : "", domain ? domain : "",
                  domain ? " " : "", v + 1, steps[v].what);
    }
fail:
    be->rollback(s->conn);
    return rc;
}

enum vigil_rc
store_migrate(struct vigil_store *s,
              const struct vigil_store_schema *const *schemas, size_t n,
              struct vigil_err *err)
{
    enum vigil_rc rc;
    size_t i;
    int v;

    if ((rc = migrate_one(s, NULL, s->be->core_steps, (int)s->be->ncore_steps,
                          &s->version, err)) != VIGIL_OK)
        return rc;
    for (i = 0; i < n; i++)
        if ((rc = migrate_one(s, schemas[i]->domain, schemas[i]->steps,
                              (int)schemas[i]->nsteps, &v, err)) != VIGIL_OK)
            return rc;
    return VIGIL_OK;
}

enum vigil_rc
store_check_versions(struct vigil_store *s,
                     const struct vigil_store_schema *const *sc, size_t n,
                     struct vigil_err *err)
{
    enum vigil_rc rc;
    size_t i;
    int v, latest = (int)s->be->ncore_steps;

    if ((rc = s->be->version_get(s->conn, NULL, &v, err)) != VIGIL_OK)
        return rc;
    if (v == 0)
        return vigil_err_set(err, VIGIL_ENOTFOUND,
                             "store %s is empty or not a vigil store", s->path);
    if (v > latest)
        return refuse_newer(s, NULL, v, latest, err);
    if (v < latest)
        return vigil_err_set(err, VIGIL_EUNSUPPORTED,
                             "store %s has schema version %d, older than %d; "
                             "start `vigil run` once to migrate it",
                             s->path, v, latest);
    s->version = v;
    for (i = 0; i < n; i++) {
        if ((rc = s->be->version_get(s->conn, sc[i]->domain, &v, err)) !=
            VIGIL_OK)
            return rc;
        if (v > (int)sc[i]->nsteps)
            return refuse_newer(s, sc[i]->domain, v, (int)sc[i]->nsteps, err);
        if (v < (int)sc[i]->nsteps)
            return vigil_err_set(err, VIGIL_EUNSUPPORTED,
                                 "store %s has domain '%s' at schema version "
                                 "%d, older than %d; start `vigil run` once "
                                 "to migrate it",
                                 s->path, sc[i]->domain, v, (int)sc[i]->nsteps);
    }
    return VIGIL_OK;
}
