/* comp_detect.c -- detection as a component: owns the `rules`,
 * `builtin_rules` and `placeholders` keys, subscribes to the bus's events,
 * closes correlation windows on tick (and all of them at the end of a
 * --once run), and on reload keeps the running rules when the new ones
 * are the same (with their open correlation windows) or load worse. */
#include <stdlib.h>

#include "daemon_int.h"
#include "detect/detect.h"

struct comp_detect {
    struct daemon_detect *dd;
    struct vigil_daemon_env env;
    int sub; /* bus subscription, 0 when not subscribed */
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
    return VIGIL_OK;
}

static enum vigil_rc
detect_start(void *self, struct vigil_err *err)
{
    struct comp_detect *cd = self;

    daemon_detect_log(cd->dd);
    if ((cd->sub = vigil_bus_on_event(cd->env.bus, on_event, cd)) == 0)
        return vigil_err_set(err, VIGIL_ELIMIT, "too many bus subscribers");
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

    if (cd->sub != 0)
        vigil_bus_unsubscribe(cd->env.bus, cd->sub);
    cd->sub = 0;
    /* The producers have stopped: at the end of a --once run the input
     * has ended, so every open window has too (lt/eq correlations fire
     * now, as they do in vigil hunt). */
    daemon_detect_tick(cd->dd, cd->env.bus, cd->env.store, cd->env.once);
}

static void
detect_free(void *self)
{
    struct comp_detect *cd = self;

    if (cd == NULL)
        return;
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
    .stop = detect_stop,
    .free = detect_free,
};
