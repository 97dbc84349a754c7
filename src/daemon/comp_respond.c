/* comp_respond.c -- containment and notification as a component: owns
 * the `response:` section, forks the privileged helper in prepare (as
 * root, before the daemon drops privileges), subscribes to the bus's
 * alerts and acts on them on the publishing thread, and expires actions
 * on tick. A reload that changes what the helper holds (management
 * networks, allow-list, commands) keeps the running instance: those take
 * effect at the next start (src/respond/respond.h). */
#include <stdlib.h>

#include "daemon_int.h"
#include "respond/respond.h"

struct comp_respond {
    struct vigil_respond_engine *eng;
    struct vigil_bus *bus;
    struct daemon_links *links;
    int sub;
};

static void
on_alert(void *arg, const struct vigil_alert *a,
         struct vigil_store_batch *batch)
{
    struct comp_respond *cr = arg;

    vigil_respond_engine_alert(cr->eng, a, batch);
}

static enum vigil_rc
respond_prepare(const void *conf, const char *state_dir, struct vigil_err *err)
{
    (void)state_dir;
    return vigil_respond_prepare(conf, err);
}

static enum vigil_rc
respond_builtin(void *conf, struct vigil_err *err)
{
    (void)conf;
    (void)err;
    return VIGIL_OK; /* nothing is done without a configured policy */
}

static enum vigil_rc
respond_new(void **self, const struct vigil_daemon_env *env, const void *conf,
            struct vigil_err *err)
{
    struct comp_respond *cr = calloc(1, sizeof(*cr));
    enum vigil_rc rc;

    if (cr == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    cr->bus = env->bus;
    cr->links = env->links;
    if ((rc = vigil_respond_engine_new(&cr->eng, conf, env->store, err)) !=
        VIGIL_OK) {
        free(cr);
        return rc;
    }
    *self = cr;
    return VIGIL_OK;
}

static enum vigil_rc
respond_reload(void *fresh, void *old, struct vigil_err *err)
{
    struct comp_respond *cr = fresh;

    (void)old;
    return vigil_respond_engine_reloadable(cr->eng, err);
}

static enum vigil_rc
respond_start(void *self, struct vigil_err *err)
{
    struct comp_respond *cr = self;
    enum vigil_rc rc;

    if ((rc = vigil_respond_engine_start(cr->eng, err)) != VIGIL_OK)
        return rc;
    if ((cr->sub = vigil_bus_on_alert(cr->bus, on_alert, cr)) == 0)
        return vigil_err_set(err, VIGIL_ELIMIT, "too many bus subscribers");
    daemon_link_set(cr->links, DAEMON_LINK_RESPOND, cr->eng);
    return VIGIL_OK;
}

static void
respond_tick(void *self)
{
    struct comp_respond *cr = self;

    vigil_respond_engine_tick(cr->eng);
}

static void
respond_stop(void *self)
{
    struct comp_respond *cr = self;

    daemon_link_clear(cr->links, DAEMON_LINK_RESPOND, cr->eng);
    if (cr->sub != 0)
        vigil_bus_unsubscribe(cr->bus, cr->sub);
    cr->sub = 0;
    vigil_respond_engine_stop(cr->eng);
}

static void
respond_free(void *self)
{
    struct comp_respond *cr = self;

    vigil_respond_engine_free(cr->eng);
    free(cr);
}

const struct vigil_component daemon_comp_respond = {
    .name = "respond",
    .what = "response policies",
    .conf = &vigil_respond_conf,
    .conf_size = sizeof(struct vigil_respond_config),
    .conf_builtin = respond_builtin,
    .prepare = respond_prepare,
    .new = respond_new,
    .reload = respond_reload,
    .start = respond_start,
    .tick = respond_tick,
    .stop = respond_stop,
    .free = respond_free,
};
