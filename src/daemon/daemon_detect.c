/* daemon_detect.c -- live detection for the daemon: builds the Sigma engine
 * from vigil's own pack and the configured rule folders, and runs a live
 * detection session (src/detect, detect_session.c) over every event the
 * bus delivers. The session holds the policy -- which rules fire on which
 * kind of log, correlations, the alerts' shape -- that `vigil hunt` shares;
 * this file only publishes its alerts on the bus, into the batch that
 * carries the event's checkpoint (one transaction: a crash neither loses
 * nor repeats an alert). The session saves its correlation groups in the
 * same batches; they are restored at start (daemon_detect_restore) and
 * handed to the next rules in memory on reload (daemon_detect_take). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "daemon_int.h"
#include "detect/detect.h"
#include "store/store.h"

/* Live, a group over its threshold raises its alert once its events
 * have stopped for this long: an attack is reported within a second of
 * its burst, not at the end of its window (docs/rules.md). The next
 * windows of the group fall under correlation.suppress. */
#define DD_CORR_QUIET_NS (150LL * 1000000)

struct daemon_detect {
    struct vigil_detect *d;
    struct vigil_detect_session *s;
    struct vigil_detect_stats st;
    char cache_dir[4200]; /* compiled literal databases, or "" */
    /* the first refused rule, "file:line: why" */
    char first_refused[512];
    struct vigil_detect_corr_stats cst; /* as last written to the store */
    uint64_t dropped_before;            /* by earlier processes and instances */
    uint64_t suppressed_before;         /* alerts suppressed, likewise */
};

/* Where one match's alert goes. */
struct dd_target {
    struct vigil_bus *bus;
    struct vigil_store_batch *batch;
    const char *source;
    size_t n;
};

static void
on_report(const char *file, int line, const struct vigil_rule_info *info,
          const char *msg, void *arg)
{
    struct daemon_detect *dd = arg;

    if (info != NULL)
        return;
    vigil_log(VIGIL_LOG_WARN, 1160, "%s:%d: rule refused: %s", file, line, msg);
    if (dd->first_refused[0] == '\0')
        snprintf(dd->first_refused, sizeof(dd->first_refused), "%s:%d: %s",
                 file, line, msg);
}

/* The configuration's placeholders as the engine takes them; they borrow
 * cfg's strings, which outlive the rule load. */
static size_t
placeholders_of(const struct vigil_detect_config *cfg,
                struct vigil_detect_placeholder *ph)
{
    for (size_t i = 0; i < cfg->nplaceholders; i++) {
        ph[i].name = cfg->placeholders[i].name;
        ph[i].values = (const char *const *)cfg->placeholders[i].values;
        ph[i].nvalues = cfg->placeholders[i].nvalues;
    }
    return cfg->nplaceholders;
}

struct trust_walk {
    uid_t trusted;
    struct vigil_err why; /* the first untrusted entry */
};

static enum vigil_rc
trust_entry(const struct vigil_walk_entry *e, void *arg)
{
    struct trust_walk *t = arg;

    /* a link inside the folder is judged by what it points to */
    if (vigil_path_trusted(e->path, t->trusted, 0, &t->why) != VIGIL_OK)
        return VIGIL_EPERM;
    return VIGIL_OK;
}

/* Every file and folder of a rules path must be trusted: a rule planted
 * by someone else could silence the rest (a filter) or flood alerts. */
static enum vigil_rc
check_rules_path(const char *path, const struct vigil_daemon_env *env,
                 struct vigil_err *err)
{
    struct trust_walk t = {env->trusted, {0}};
    struct vigil_walk_opts wo = {0};
    struct vigil_err e = {0};
    enum vigil_rc rc;

    if (!env->strict_modes)
        return VIGIL_OK;
    /* a path that cannot be read is add_path's to report */
    if ((rc = vigil_path_trusted(path, env->trusted, 0, &e)) == VIGIL_EPERM)
        return vigil_err_set(err, rc, "rules %s refused: %s (strict_modes)",
                             path, e.msg);
    if (rc != VIGIL_OK)
        return VIGIL_OK;
    /* the walk the loader makes (detect_engine's add_dir): links
     * followed, or a linked folder's files would load unchecked */
    wo.follow_symlinks = 1;
    wo.skip_hidden = 1;
    rc = vigil_walk(path, &wo, trust_entry, NULL, &t, &e);
    if (rc == VIGIL_EPERM)
        return vigil_err_set(err, rc,
                             "rules %s refused: it holds a file or folder "
                             "that another user owns or can write "
                             "(strict_modes): %s",
                             path, t.why.msg);
    return VIGIL_OK;
}

/* vigil's own pack is installed with the binary (or sits in the source
 * tree it was built from): whoever can change it can change the binary,
 * so checking its owner would add nothing but refuse a checkout made by
 * a user and run with sudo. The configured paths are checked. */
static enum vigil_rc
load_path(struct daemon_detect *dd, const char *path, int pack,
          const struct vigil_daemon_env *env, struct vigil_err *err)
{
    enum vigil_rc rc;

    if (!pack && (rc = check_rules_path(path, env, err)) != VIGIL_OK)
        return rc;
    return vigil_detect_add_path(dd->d, path, err);
}

struct load_ctx {
    struct daemon_detect *dd;
    const struct vigil_daemon_env *env;
    struct vigil_err *err;
};

/* One rule path. A configured path that is missing or unreadable is the
 * configuration's fault (exit 78), not an I/O error of the store. */
static enum vigil_rc
load_one(const char *path, const char *what, void *arg)
{
    struct load_ctx *l = arg;
    char why[sizeof(l->err->msg)];
    int pack = strcmp(what, "configuration") != 0;
    enum vigil_rc rc = load_path(l->dd, path, pack, l->env, l->err);

    if (rc == VIGIL_OK || rc == VIGIL_ENOMEM || rc == VIGIL_EPERM || pack)
        return rc;
    snprintf(why, sizeof(why), "%s", l->err->msg);
    vigil_err_clear(l->err);
    return vigil_err_set(l->err, VIGIL_EPARSE, "rules: %s", why);
}

static enum vigil_rc
load_rules(struct daemon_detect *dd, const struct vigil_detect_config *cfg,
           const struct vigil_daemon_env *env, struct vigil_err *err)
{
    struct load_ctx l = {dd, env, err};
    enum vigil_rc rc;

    if ((rc = vigil_detect_config_paths(cfg, load_one, &l, err)) != VIGIL_OK)
        return rc;
    return vigil_detect_compile(dd->d, err);
}

enum vigil_rc
daemon_detect_new(struct daemon_detect **out,
                  const struct vigil_detect_config *cfg,
                  const struct vigil_daemon_env *env, struct vigil_err *err)
{
    struct vigil_detect_placeholder ph[VIGIL_DETECT_MAX_PLACEHOLDERS];
    struct vigil_detect_opts opts;
    struct daemon_detect *dd;
    enum vigil_rc rc;

    *out = NULL;
    if ((dd = calloc(1, sizeof(*dd))) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    memset(&opts, 0, sizeof(opts));
    opts.report = on_report;
    opts.report_arg = dd;
    opts.placeholders = ph;
    opts.nplaceholders = placeholders_of(cfg, ph);
    opts.corr_max_groups = (size_t)cfg->corr_max_groups;
    opts.corr_max_source_groups = (size_t)cfg->corr_max_source_groups;
    opts.corr_suppress_ns = cfg->corr_suppress_ms * 1000000;
    /* --once: the input's end decides every window, as in vigil hunt */
    opts.corr_quiet_ns = env->once ? 0 : DD_CORR_QUIET_NS;
    /* Live, the alert goes out when the threshold is crossed, so that a
     * response (src/respond) acts within milliseconds of the line. */
    opts.corr_early = !env->once;
    if (vigil_cache_dir(env->state_dir, dd->cache_dir, sizeof(dd->cache_dir)))
        opts.cache_dir = dd->cache_dir;
    if ((rc = vigil_detect_new(&dd->d, &opts, err)) != VIGIL_OK ||
        (rc = load_rules(dd, cfg, env, err)) != VIGIL_OK ||
        (rc = vigil_detect_session_new(&dd->s, dd->d, NULL, err)) != VIGIL_OK) {
        daemon_detect_free(dd);
        return rc;
    }
    vigil_detect_get_stats(dd->d, &dd->st);
    *out = dd;
    return VIGIL_OK;
}

static enum vigil_rc
publish(const struct vigil_detect_alert *da, void *arg)
{
    struct dd_target *t = arg;
    struct vigil_alert a = *da->alert;
    enum vigil_rc rc;

    /* a window raised at a tick belongs to the source of its events */
    a.source = da->source != NULL ? da->source : t->source;
    if ((rc = vigil_bus_publish_alert(t->bus, &a, t->batch)) == VIGIL_OK)
        t->n++;
    return rc;
}

enum vigil_rc
daemon_detect_event(struct daemon_detect *dd, struct vigil_bus *bus,
                    const struct vigil_event *ev, const char *source,
                    struct vigil_store_batch *batch)
{
    struct dd_target t = {bus, batch, source, 0};

    return vigil_detect_session_match_in(dd->s, ev, source, batch, publish, &t);
}

void
daemon_detect_rules(const struct daemon_detect *dd,
                    void (*fn)(const struct vigil_rule_info *r, void *arg),
                    void *arg)
{
    vigil_detect_each_rule(dd->d, fn, arg);
}

void
daemon_detect_log(const struct daemon_detect *dd)
{
    static const char *const cache[] = {
        "", "; literal databases read from the cache",
        "; literal databases compiled and cached"};

    vigil_log(VIGIL_LOG_INFO, 1161,
              "detection: %llu rules, %llu correlations, %llu filters from "
              "%llu files; %llu refused%s",
              (unsigned long long)dd->st.loaded,
              (unsigned long long)dd->st.correlations,
              (unsigned long long)dd->st.filters,
              (unsigned long long)dd->st.files,
              (unsigned long long)dd->st.refused,
              cache[dd->st.cache >= 0 && dd->st.cache <= 2 ? dd->st.cache : 0]);
}

int
daemon_detect_worse(const struct daemon_detect *fresh,
                    const struct daemon_detect *old, struct vigil_err *err)
{
    if (old == NULL || fresh->st.refused <= old->st.refused)
        return 0;
    vigil_err_set(err, VIGIL_EPARSE,
                  "the new rules refuse %llu rules, the running ones %llu "
                  "(first refused: %s)",
                  (unsigned long long)fresh->st.refused,
                  (unsigned long long)old->st.refused, fresh->first_refused);
    return 1;
}

int
daemon_detect_same(const struct daemon_detect *fresh,
                   const struct daemon_detect *old)
{
    return old != NULL &&
           vigil_detect_digest(fresh->d) == vigil_detect_digest(old->d);
}

/* The correlation counters as counters rows (shown by `vigil status`):
 * "correlation", dropped = groups dropped to make room or refused, and
 * "suppressed", alerts = correlation alerts suppressed (correlation.
 * suppress); added to b when they changed since the last time. The rows
 * count for the life of the store: the engine's count starts at 0 with
 * each process and each reload, so what earlier ones counted is added. */
static int
corr_counters(struct daemon_detect *dd, struct vigil_store_batch *b,
              const struct vigil_detect_corr_stats *now)
{
    struct vigil_source_counters c[2];

    if (now->evicted == dd->cst.evicted && now->refused == dd->cst.refused &&
        now->suppressed == dd->cst.suppressed)
        return 0;
    memset(c, 0, sizeof(c));
    snprintf(c[0].name, sizeof(c[0].name), "correlation");
    c[0].dropped = dd->dropped_before + now->evicted + now->refused;
    snprintf(c[1].name, sizeof(c[1].name), "suppressed");
    c[1].alerts = dd->suppressed_before + now->suppressed;
    if (vigil_store_batch_set_counters(b, c, 2) != VIGIL_OK)
        return 0;
    dd->cst = *now;
    return 1;
}

enum vigil_rc
daemon_detect_tick(struct daemon_detect *dd, struct vigil_bus *bus,
                   struct vigil_store *store, int final)
{
    struct dd_target t = {bus, NULL, "correlation", 0};
    struct vigil_detect_corr_stats before, after;
    struct vigil_err err = {0};
    enum vigil_rc rc;
    int changed;

    if (dd->st.correlations == 0)
        return VIGIL_OK;
    if ((t.batch = vigil_store_batch_new_for(store)) == NULL)
        return VIGIL_ENOMEM;
    vigil_detect_corr_get_stats(dd->d, &before);
    /* the groups it closes are deleted from the store in the batch of
     * their alerts */
    rc = vigil_detect_session_close_in(dd->s, t.batch, final, publish, &t);
    vigil_detect_corr_get_stats(dd->d, &after);
    changed = corr_counters(dd, t.batch, &after);
    /* nothing to store: no alert, no group closed, same counters */
    if (rc != VIGIL_OK ||
        (t.n == 0 && before.closed == after.closed && !changed)) {
        vigil_store_batch_free(t.batch);
        return rc;
    }
    return vigil_store_submit(store, t.batch, NULL, NULL, &err);
}

void
daemon_detect_stats(const struct daemon_detect *dd)
{
    struct vigil_detect_corr_stats st;

    if (dd->st.correlations == 0)
        return;
    vigil_detect_corr_get_stats(dd->d, &st);
    vigil_log(VIGIL_LOG_INFO, 1503,
              "correlation: %llu groups open, %llu dropped to make room, "
              "%llu refused, %llu alerts suppressed",
              (unsigned long long)st.groups, (unsigned long long)st.evicted,
              (unsigned long long)st.refused,
              (unsigned long long)st.suppressed);
}

static int
dropped_of(const struct vigil_source_counters *c, int64_t updated_ns, void *arg)
{
    struct daemon_detect *dd = arg;

    (void)updated_ns;
    if (strcmp(c->name, "correlation") == 0)
        dd->dropped_before = c->dropped;
    if (strcmp(c->name, "suppressed") == 0)
        dd->suppressed_before = c->alerts;
    return 0;
}

enum vigil_rc
daemon_detect_restore(struct daemon_detect *dd, struct vigil_store *store,
                      struct vigil_err *err)
{
    size_t restored = 0, discarded = 0;
    enum vigil_rc rc;

    if (dd->st.correlations == 0)
        return VIGIL_OK;
    if ((rc = vigil_store_counters_each(store, dropped_of, dd, err)) !=
        VIGIL_OK)
        return rc;
    rc = vigil_detect_session_restore(dd->s, store, &restored, &discarded, err);
    if (rc == VIGIL_OK && (restored || discarded))
        vigil_log(VIGIL_LOG_INFO, 1504,
                  "correlation: %zu groups restored from the store, %zu "
                  "discarded (their rule changed or is gone)",
                  restored, discarded);
    return rc;
}

void
daemon_detect_take(struct daemon_detect *fresh, struct daemon_detect *old)
{
    size_t moved = 0;

    if (vigil_detect_session_take(fresh->s, old->s, &moved) == VIGIL_OK &&
        moved > 0)
        vigil_log(VIGIL_LOG_INFO, 1505,
                  "correlation: %zu groups handed to the reloaded rules",
                  moved);
    /* fresh's engine counts from 0: old's count goes into the base */
    fresh->dropped_before =
        old->dropped_before + old->cst.evicted + old->cst.refused;
    fresh->suppressed_before = old->suppressed_before + old->cst.suppressed;
}

void
daemon_detect_free(struct daemon_detect *dd)
{
    if (dd == NULL)
        return;
    vigil_detect_session_free(dd->s);
    vigil_detect_free(dd->d);
    free(dd);
}
