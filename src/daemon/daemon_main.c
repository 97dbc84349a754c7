/* daemon_main.c -- the daemon's life cycle: configuration, store and bus,
 * the set of components built from the configuration, the signal loop,
 * and reload by building a new set, swapping it in and freeing the old.
 *
 * Signals are blocked in every thread and taken synchronously here with
 * sigtimedwait, so no handler runs inside library code. Components are
 * ticked from this thread every TICK_MS. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon_int.h"

#define TICK_MS 100

/* The running components, one instance per entry of daemon_components. */
struct daemon_set {
    void *inst[DAEMON_MAX_COMPONENTS];
    int started[DAEMON_MAX_COMPONENTS];
};

struct daemon {
    const struct vigil_daemon_opts *opts;
    struct daemon_privs privs;
    struct vigil_daemon_config *cfg;
    struct vigil_daemon_env env;
    struct daemon_links links;
    struct daemon_set set;
    char state[4096];
    char db[4200];
};

static int64_t
mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- sets of components ---- */

static void
set_stop(struct daemon_set *set, const int *skip)
{
    for (size_t i = daemon_ncomponents; i-- > 0;) {
        const struct vigil_component *comp = daemon_components[i];
        if (!set->started[i] || (skip && skip[i]))
            continue;
        if (comp->stop != NULL)
            comp->stop(set->inst[i]);
        set->started[i] = 0;
    }
}

static void
set_free(struct daemon_set *set, const int *skip)
{
    for (size_t i = daemon_ncomponents; i-- > 0;) {
        if (set->inst[i] == NULL || (skip && skip[i]))
            continue;
        daemon_components[i]->free(set->inst[i]);
        set->inst[i] = NULL;
    }
}

/* Builds every component not in skip from cfg; on failure frees what it
 * built. */
static enum vigil_rc
set_build(struct daemon *d, const struct vigil_daemon_config *cfg,
          struct daemon_set *set, const int *skip, struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_OK;

    for (size_t i = 0; i < daemon_ncomponents && rc == VIGIL_OK; i++)
        if (!(skip && skip[i]))
            rc = daemon_components[i]->new (&set->inst[i], &d->env,
                                            cfg->sections[i], err);
    if (rc != VIGIL_OK)
        set_free(set, skip);
    return rc;
}

/* Starts every component not in skip, in order; on failure stops the
 * ones it started. */
static enum vigil_rc
set_start(struct daemon_set *set, const int *skip, struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_OK;

    for (size_t i = 0; i < daemon_ncomponents && rc == VIGIL_OK; i++) {
        const struct vigil_component *comp = daemon_components[i];
        if (skip && skip[i])
            continue;
        if (comp->start != NULL)
            rc = comp->start(set->inst[i], err);
        if (rc == VIGIL_OK)
            set->started[i] = 1;
    }
    if (rc != VIGIL_OK)
        set_stop(set, skip);
    return rc;
}

static void
set_call(struct daemon_set *set, int stats)
{
    for (size_t i = 0; i < daemon_ncomponents; i++) {
        const struct vigil_component *comp = daemon_components[i];
        void (*fn)(void *) = stats ? comp->stats : comp->tick;
        if (fn != NULL && set->inst[i] != NULL)
            fn(set->inst[i]);
    }
}

/* Has every component that has an input reached its end? */
static int
set_done(struct daemon_set *set)
{
    int any = 0;

    for (size_t i = 0; i < daemon_ncomponents; i++) {
        const struct vigil_component *comp = daemon_components[i];
        if (comp->done == NULL || set->inst[i] == NULL)
            continue;
        if (!comp->done(set->inst[i]))
            return 0;
        any = 1;
    }
    return any;
}

static void
flush_store(struct daemon *d)
{
    struct vigil_err err = {0};

    if (vigil_store_flush(d->env.store, &err) != VIGIL_OK)
        vigil_log(VIGIL_LOG_ERROR, 1151, "%s", err.msg);
}

/* ---- reload ---- */

static void
warn_restart_only(const struct vigil_daemon_config *o,
                  const struct vigil_daemon_config *n)
{
    const struct vigil_store_config *os, *ns;

    os = vigil_daemon_config_section(o, "store");
    ns = vigil_daemon_config_section(n, "store");
    if (strcmp(o->state_dir, n->state_dir) != 0 ||
        strcmp(os->backend, ns->backend) != 0 ||
        os->archive_events != ns->archive_events)
        vigil_log(VIGIL_LOG_WARN, 1146,
                  "state_dir, store.backend and store.archive_events take "
                  "effect at the next start");
}

/* Kept components run with their own section: it moves between the two
 * configurations with them, so what runs is always described by the
 * configuration held. */
static void
swap_kept(struct vigil_daemon_config *a, struct vigil_daemon_config *b,
          const int *keep)
{
    for (size_t i = 0; i < daemon_ncomponents; i++)
        if (keep[i]) {
            void *sec = a->sections[i];
            a->sections[i] = b->sections[i];
            b->sections[i] = sec;
        }
}

/* Builds the new set beside the running one. A component that cannot be
 * built, or whose reload asks to keep the running instance, goes on
 * running (keep[i]); a reload that fails otherwise refuses the whole new
 * configuration. */
static enum vigil_rc
reload_build(struct daemon *d, struct vigil_daemon_config *ncfg,
             struct daemon_set *fresh, int *keep)
{
    for (size_t i = 0; i < daemon_ncomponents; i++) {
        const struct vigil_component *comp = daemon_components[i];
        struct vigil_err err = {0};
        enum vigil_rc rc;

        rc = comp->new (&fresh->inst[i], &d->env, ncfg->sections[i], &err);
        if (rc == VIGIL_OK && comp->reload != NULL &&
            (rc = comp->reload(fresh->inst[i], d->set.inst[i], &err)) !=
                VIGIL_OK) {
            comp->free(fresh->inst[i]);
            fresh->inst[i] = NULL;
            if (rc != VIGIL_EUNSUPPORTED) {
                vigil_log(VIGIL_LOG_ERROR, 1141,
                          "reload refused, keeping the running "
                          "configuration: %s",
                          err.msg);
                set_free(fresh, keep);
                return rc;
            }
        }
        if (rc == VIGIL_OK)
            continue;
        if (err.msg[0] == '\0') /* unchanged: nothing to report */
            vigil_log(VIGIL_LOG_INFO, 1163,
                      "%s unchanged, the running ones go on", comp->what);
        else
            vigil_log(VIGIL_LOG_ERROR, 1162,
                      "%s not reloaded, keeping the running ones: %s",
                      comp->what, err.msg);
        keep[i] = 1;
    }
    swap_kept(ncfg, d->cfg, keep);
    return VIGIL_OK;
}

/* Swaps the running set for one built from the configuration at path.
 * Returns non-OK only when nothing runs any more. */
static enum vigil_rc
reload(struct daemon *d)
{
    struct vigil_daemon_config *ncfg = NULL;
    struct daemon_set fresh;
    struct vigil_err err = {0};
    int keep[DAEMON_MAX_COMPONENTS] = {0};

    memset(&fresh, 0, sizeof(fresh));
    if (vigil_daemon_config_load(&ncfg, d->opts->config_path, &err) !=
        VIGIL_OK) {
        vigil_log(VIGIL_LOG_ERROR, 1141,
                  "reload refused, keeping the running configuration: %s",
                  err.msg);
        return VIGIL_OK;
    }
    warn_restart_only(d->cfg, ncfg);
    if (reload_build(d, ncfg, &fresh, keep) != VIGIL_OK) {
        vigil_daemon_config_free(ncfg);
        return VIGIL_OK;
    }
    /* The old instances stop (their last batches and checkpoints stored)
     * and are freed before the new ones start: the new sources read those
     * checkpoints, and the old sockets hold the ports. */
    set_stop(&d->set, keep);
    flush_store(d);
    set_free(&d->set, keep);
    for (size_t i = 0; i < daemon_ncomponents; i++)
        if (keep[i]) {
            fresh.inst[i] = d->set.inst[i];
            fresh.started[i] = d->set.started[i];
        }
    if (set_start(&fresh, keep, &err) == VIGIL_OK) {
        vigil_daemon_config_free(d->cfg);
        d->cfg = ncfg;
        d->set = fresh;
        vigil_log(VIGIL_LOG_INFO, 1142, "configuration reloaded");
        return VIGIL_OK;
    }
    vigil_log(VIGIL_LOG_ERROR, 1141,
              "reload failed, going on with the old configuration: %s",
              err.msg);
    set_free(&fresh, keep);
    swap_kept(ncfg, d->cfg, keep);
    vigil_daemon_config_free(ncfg);
    d->set = fresh;
    vigil_err_clear(&err);
    if (set_build(d, d->cfg, &d->set, keep, &err) != VIGIL_OK ||
        set_start(&d->set, keep, &err) != VIGIL_OK) {
        vigil_log(VIGIL_LOG_ERROR, 1141,
                  "cannot restart the old configuration either: %s", err.msg);
        set_free(&d->set, keep);
        return VIGIL_EIO;
    }
    return VIGIL_OK;
}

/* ---- start, loop, stop ---- */

/* What a failure at start means to the caller (daemon.h). */
static enum vigil_rc
start_failure(enum vigil_rc rc)
{
    return rc == VIGIL_EIO || rc == VIGIL_ESTORE || rc == VIGIL_ENOMEM
               ? rc
               : VIGIL_EPARSE;
}

/* The database and its WAL files must not be symbolic links: whoever
 * planted one would choose where the store writes (SQLite's NOFOLLOW is
 * the backstop; this says why in words). */
static enum vigil_rc
no_links(const char *db, struct vigil_err *err)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    char path[4300];
    struct stat st;

    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s%s", db, suffix[i]);
        if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
            return vigil_err_set(err, VIGIL_EPERM,
                                 "%s is a symbolic link; refusing to follow "
                                 "it",
                                 path);
    }
    return VIGIL_OK;
}

static enum vigil_rc
open_store(struct daemon *d, struct vigil_err *err)
{
    const struct vigil_store_config *sc =
        vigil_daemon_config_section(d->cfg, "store");
    struct vigil_store_opts so = {0};
    const char *state = d->opts->state_dir;
    enum vigil_rc rc;

    if (state == NULL && d->cfg->state_dir[0] != '\0')
        state = d->cfg->state_dir;
    if ((rc = vigil_state_dir(state, d->state, sizeof(d->state), err)) !=
        VIGIL_OK)
        return VIGIL_EPARSE;
    if (vigil_mkdir_p(d->state) != 0)
        return vigil_err_set(err, VIGIL_EIO,
                             "cannot create state directory %s: %s", d->state,
                             strerror(errno));
    if ((rc = daemon_state_check(&d->privs, d->state, err)) != VIGIL_OK &&
        (rc != VIGIL_EPERM || d->cfg->strict_modes))
        return rc == VIGIL_EPERM ? VIGIL_EPARSE : rc;
    for (size_t i = 0; i < daemon_ncomponents; i++) {
        const struct vigil_component *comp = daemon_components[i];
        if (comp->prepare != NULL &&
            (rc = comp->prepare(d->cfg->sections[i], d->state, err)) !=
                VIGIL_OK)
            return rc;
    }
    /* Everything the daemon writes from here on belongs to its account. */
    if ((rc = daemon_privs_drop(&d->privs, err)) != VIGIL_OK ||
        (rc = daemon_sandbox(err)) != VIGIL_OK)
        return rc;
    if (snprintf(d->db, sizeof(d->db), "%s/vigil.db", d->state) >=
        (int)sizeof(d->db))
        return vigil_err_set(err, VIGIL_EPARSE, "state directory too long");
    if ((rc = no_links(d->db, err)) != VIGIL_OK)
        return VIGIL_EPARSE;
    so.backend = sc->backend;
    so.schemas = vigil_daemon_schemas(&so.nschemas);
    so.archive_events = sc->archive_events;
    so.archive_max_age_s = sc->archive_max_age_s;
    so.archive_max_bytes = sc->archive_max_bytes;
    /* An unknown back end is a configuration error, the rest I/O. */
    if ((rc = vigil_store_open(&d->env.store, d->db, &so, err)) != VIGIL_OK)
        return rc == VIGIL_ENOMEM   ? rc
               : rc == VIGIL_EINVAL ? VIGIL_EPARSE
                                    : VIGIL_EIO;
    d->env.state_dir = d->state;
    return VIGIL_OK;
}

/* Waits for signals, ticking the components ten times a second (a
 * correlation window is raised at a tick once its group went quiet:
 * daemon_detect.c), until a stop is asked for or every source has
 * ended. */
static enum vigil_rc
loop(struct daemon *d, const sigset_t *sigs)
{
    int64_t every = d->cfg->stats_interval_s * 1000;
    int64_t next_stats = mono_ms() + every;
    int64_t next_tick = mono_ms() + TICK_MS;

    for (;;) {
        /* --once polls often: the sources end by themselves */
        struct timespec tmo = {0, 20 * 1000 * 1000};
        struct timespec sec = {0, TICK_MS * 1000 * 1000};
        int sig = sigtimedwait(sigs, NULL, d->opts->once ? &tmo : &sec);

        if (sig == SIGTERM || sig == SIGINT) {
            vigil_log(VIGIL_LOG_INFO, 1148, "%s: stopping",
                      sig == SIGTERM ? "SIGTERM" : "SIGINT");
            return VIGIL_OK;
        }
        if (sig == SIGHUP && !d->opts->once) {
            vigil_log(VIGIL_LOG_INFO, 1149, "SIGHUP: reloading %s",
                      d->opts->config_path ? d->opts->config_path
                                           : "the built-in configuration");
            if (reload(d) != VIGIL_OK)
                return VIGIL_EUNSUPPORTED; /* nothing runs any more */
            every = d->cfg->stats_interval_s * 1000;
            next_stats = mono_ms() + every;
        }
        if (every > 0 && mono_ms() >= next_stats) {
            set_call(&d->set, 1);
            next_stats = mono_ms() + every;
        }
        if (mono_ms() >= next_tick) {
            set_call(&d->set, 0);
            next_tick = mono_ms() + TICK_MS;
        }
        if (set_done(&d->set)) {
            if (!d->opts->once)
                vigil_log(VIGIL_LOG_INFO, 1150,
                          "every source has ended: stopping");
            return VIGIL_OK;
        }
    }
}

static enum vigil_rc
run(struct daemon *d, struct vigil_err *err)
{
    sigset_t sigs;
    enum vigil_rc rc;

    if ((rc = vigil_daemon_config_load(&d->cfg, d->opts->config_path, err)) !=
        VIGIL_OK)
        return rc == VIGIL_EIO || rc == VIGIL_ENOTFOUND ? VIGIL_ENOTFOUND
               : rc == VIGIL_ENOMEM                     ? rc
                                                        : VIGIL_EPARSE;
    if ((rc = daemon_privs_plan(d->cfg, &d->privs, err)) != VIGIL_OK)
        return rc;
    if (d->cfg->strict_modes && d->cfg->path[0] != '\0' &&
        (rc = vigil_path_trusted(d->cfg->path, d->privs.uid, 0, err)) !=
            VIGIL_OK)
        return rc == VIGIL_EPERM ? VIGIL_EPARSE : rc;
    d->env.strict_modes = d->cfg->strict_modes;
    d->env.trusted = d->privs.uid ? d->privs.uid : geteuid();
    if ((rc = open_store(d, err)) != VIGIL_OK)
        return rc;
    if ((rc = vigil_bus_new(&d->env.bus, err)) != VIGIL_OK)
        return rc;
    d->env.once = d->opts->once;

    /* Blocked before any thread starts, so every thread inherits it. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    vigil_log(VIGIL_LOG_INFO, 1147, "vigil %s starting: config %s, store %s",
              VIGIL_VERSION, d->cfg->path[0] ? d->cfg->path : "(built-in)",
              d->db);
    if ((rc = set_build(d, d->cfg, &d->set, NULL, err)) != VIGIL_OK)
        return start_failure(rc);
    if ((rc = set_start(&d->set, NULL, err)) != VIGIL_OK)
        return start_failure(rc);
    if ((rc = loop(d, &sigs)) != VIGIL_OK)
        vigil_err_set(err, rc,
                      "a reload failed and the old configuration "
                      "could not be restarted");
    set_stop(&d->set, NULL);
    if (vigil_store_flush(d->env.store, err) != VIGIL_OK) {
        vigil_log(VIGIL_LOG_ERROR, 1151, "%s", err->msg);
        rc = VIGIL_EIO;
    }
    set_call(&d->set, 1);
    return rc;
}

enum vigil_rc
vigil_daemon_run(const struct vigil_daemon_opts *opts, struct vigil_err *err)
{
    struct daemon *d = calloc(1, sizeof(*d));
    enum vigil_rc rc;

    if (d == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    d->opts = opts;
    pthread_rwlock_init(&d->links.lock, NULL);
    d->env.links = &d->links;
    rc = run(d, err);
    set_stop(&d->set, NULL);
    set_free(&d->set, NULL);
    vigil_store_close(d->env.store);
    vigil_bus_free(d->env.bus);
    vigil_daemon_config_free(d->cfg);
    pthread_rwlock_destroy(&d->links.lock);
    free(d);
    return rc;
}
