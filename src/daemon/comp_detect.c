/* comp_detect.c -- detection as a component: owns the `rules`,
 * `builtin_rules`, `placeholders` and `correlation` keys, subscribes to
 * the bus's events, closes correlation windows on tick (and all of them at
 * the end of a --once run), and on reload keeps the running rules when the
 * new ones are the same (with their open correlation windows) or load
 * worse (with the new sources).
 *
 * Correlation groups outlive the process and the reload: at start they are
 * restored from the store, where every batch saved the changes its events
 * made; on reload to changed rules the running instance, once stopped (its
 * sources stopped first, so nothing feeds it any more), hands its groups
 * to the new one in memory, which then does not read them back. */
#include <stdlib.h>

#include "daemon_int.h"
#include "detect/detect.h"

struct comp_detect {
    struct daemon_detect *dd;
    struct vigil_daemon_env env;
    int sub; /* bus subscription, 0 when not subscribed */
    /* reload: the instance taking over (set on the old one) and the one
     * taken over from (on the new one); cleared by the hand-over */
    struct comp_detect *next, *prev;
    int handed; /* groups came from prev: nothing to restore */
};

static enum vigil_rc
on_event(void *arg, const struct vigil_event *ev, const char *source,
         struct vigil_store_batch *batch)
{
    struct comp_detect *cd = arg;

    return daemon_detect_event(cd->dd, cd->env.bus, ev, source, batch);
}

static void
conf_fini(void *conf)
{
    vigil_detect_config_fini(conf);
}

static enum vigil_rc
detect_new(void **self, const struct vigil_daemon_env *env, const void *conf,
           struct vigil_err *err)
{
    struct comp_detect *cd = calloc(1, sizeof(*cd));
    enum vigil_rc rc;

    if (cd == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    cd->env = *env;
    if ((rc = daemon_detect_new(&cd->dd, conf, env, err)) != VIGIL_OK) {
        free(cd);
        return rc;
    }
    *self = cd;
    return VIGIL_OK;
}

static enum vigil_rc
detect_reload(void *fresh, void *old, struct vigil_err *err)
{
    struct comp_detect *n = fresh, *o = old;

    /* Unchanged rules: keep the running engine, whose correlation windows
     * hold the matches seen so far (a new one would start them empty, and
     * a brute force spread across a SIGHUP would never alert). err stays
     * empty: keeping is not an error. */
    if (daemon_detect_same(n->dd, o->dd))
        return VIGIL_EUNSUPPORTED;
    if (daemon_detect_worse(n->dd, o->dd, err))
        return VIGIL_EUNSUPPORTED;
    /* the hand-over happens when o stops: what its last events change
     * is handed over too */
    o->next = n;
    n->prev = o;
    return VIGIL_OK;
}

static enum vigil_rc
detect_start(void *self, struct vigil_err *err)
{
    struct comp_detect *cd = self;

    enum vigil_rc rc;

    daemon_detect_log(cd->dd);
    if (!cd->handed &&
        (rc = daemon_detect_restore(cd->dd, cd->env.store, err)) != VIGIL_OK)
        return rc;
    if ((cd->sub = vigil_bus_on_event(cd->env.bus, on_event, cd)) == 0)
        return vigil_err_set(err, VIGIL_ELIMIT, "too many bus subscribers");
    daemon_link_set(cd->env.links, DAEMON_LINK_DETECT, cd->dd);
    return VIGIL_OK;
}

static void
detect_tick(void *self)
{
    struct comp_detect *cd = self;

    daemon_detect_tick(cd->dd, cd->env.bus, cd->env.store, 0);
}

static void
detect_stop(void *self)
{
    struct comp_detect *cd = self;

    daemon_link_clear(cd->env.links, DAEMON_LINK_DETECT, cd->dd);
    if (cd->sub != 0)
        vigil_bus_unsubscribe(cd->env.bus, cd->sub);
    cd->sub = 0;
    /* The producers have stopped: at the end of a --once run the input
     * has ended, so every open window has too (lt/eq correlations fire
     * now, as they do in vigil hunt). */
    daemon_detect_tick(cd->dd, cd->env.bus, cd->env.store, cd->env.once);
    if (cd->next != NULL) {
        daemon_detect_take(cd->next->dd, cd->dd);
        cd->next->handed = 1;
        cd->next->prev = NULL;
        cd->next = NULL;
    }
}

static void
detect_stats(void *self)
{
    struct comp_detect *cd = self;

    daemon_detect_stats(cd->dd);
}

static void
detect_free(void *self)
{
    struct comp_detect *cd = self;

    if (cd == NULL)
        return;
    /* a reload refused after this instance was built: the running one
     * must not hand over to it */
    if (cd->prev != NULL)
        cd->prev->next = NULL;
    if (cd->next != NULL)
        cd->next->prev = NULL;
    daemon_detect_free(cd->dd);
    free(cd);
}

const struct vigil_component daemon_comp_detect = {
    .what = "rules",
    .name = "detect",
    .conf = &vigil_detect_conf,
    .conf_size = sizeof(struct vigil_detect_config),
    .conf_fini = conf_fini,
    .new = detect_new,
    .reload = detect_reload,
    .start = detect_start,
    .tick = detect_tick,
    .stats = detect_stats,
    .stop = detect_stop,
    .free = detect_free,
};
