/* comp_web.c -- the dashboard and REST API (src/web) as a component: owns
 * the `web:` section. The socket is opened in prepare (as root, before
 * the privilege drop) for a port below 1024 or a key only root may read,
 * else in start. A server that cannot listen (the port taken) is logged
 * and the daemon goes on collecting and detecting without it: the
 * dashboard is a window on the work, not the work. Not started with
 * --once. */
#include <stdlib.h>
#include <string.h>

#include "daemon_int.h"
#include "incident/incident.h"
#include "respond/respond.h"
#include "web/web.h"

struct comp_web {
    const struct vigil_web_config *cfg; /* borrowed: the section */
    struct vigil_web *web;
    struct vigil_web_probe probe;
    struct vigil_bus *bus;
    struct daemon_links *links;
    int running;
};

static void
web_bus_counts(void *arg, uint64_t *alerts, uint64_t *findings)
{
    struct comp_web *cw = arg;

    vigil_bus_counts(cw->bus, alerts, findings);
}

/* The dashboard acts through the running components (daemon_links.c):
 * each call holds the link, so the component cannot stop under it. */
static enum vigil_rc
not_running(const char *what, struct vigil_err *err)
{
    return vigil_err_set(err, VIGIL_EUNSUPPORTED, "%s not running", what);
}

static enum vigil_rc
web_incidents(void *arg, const char *actor,
              enum vigil_rc (*fn)(const struct vigil_incident_env *env,
                                  void *ctx, struct vigil_err *err),
              void *ctx, struct vigil_err *err)
{
    struct comp_web *cw = arg;
    const struct vigil_incident_env *env =
        daemon_link_get(cw->links, DAEMON_LINK_INCIDENT);
    struct vigil_incident_env mine;
    enum vigil_rc rc;

    if (env == NULL) {
        rc = not_running("incidents are", err);
    } else {
        mine = *env;
        mine.actor = actor;
        rc = fn(&mine, ctx, err);
    }
    daemon_link_put(cw->links);
    return rc;
}

static enum vigil_rc
web_respond_act(void *arg, const struct vigil_respond_request *req,
                char id[VIGIL_UID_LEN + 1], struct vigil_err *err)
{
    struct comp_web *cw = arg;
    struct vigil_respond_engine *e =
        (void *)daemon_link_get(cw->links, DAEMON_LINK_RESPOND);
    enum vigil_rc rc = e == NULL
                           ? not_running("response is", err)
                           : vigil_respond_engine_request(e, req, id, err);

    daemon_link_put(cw->links);
    return rc;
}

static enum vigil_rc
web_respond_undo(void *arg, const char *id, const char *actor,
                 struct vigil_err *err)
{
    struct comp_web *cw = arg;
    struct vigil_respond_engine *e =
        (void *)daemon_link_get(cw->links, DAEMON_LINK_RESPOND);
    enum vigil_rc rc = e == NULL ? not_running("response is", err)
                                 : vigil_respond_engine_undo(e, id, actor, err);

    daemon_link_put(cw->links);
    return rc;
}

static int
web_running(void *arg, const char *what)
{
    struct comp_web *cw = arg;
    int on = daemon_link_get(cw->links, strcmp(what, "respond") == 0
                                            ? DAEMON_LINK_RESPOND
                                            : DAEMON_LINK_INCIDENT) != NULL;

    daemon_link_put(cw->links);
    return on;
}

static enum vigil_rc
web_rules(void *arg, void (*fn)(const struct vigil_rule_info *r, void *ctx),
          void *ctx, struct vigil_err *err)
{
    struct comp_web *cw = arg;
    const struct daemon_detect *dd =
        daemon_link_get(cw->links, DAEMON_LINK_DETECT);
    enum vigil_rc rc = VIGIL_OK;

    if (dd == NULL)
        rc = not_running("detection is", err);
    else
        daemon_detect_rules(dd, fn, ctx);
    daemon_link_put(cw->links);
    return rc;
}

static enum vigil_rc
web_prepare(const void *conf, const char *state_dir, struct vigil_err *err)
{
    (void)state_dir;
    return vigil_web_prepare(conf, err);
}

static enum vigil_rc
web_new(void **self, const struct vigil_daemon_env *env, const void *conf,
        struct vigil_err *err)
{
    const struct vigil_web_config *cfg = conf;
    struct comp_web *cw = calloc(1, sizeof(*cw));
    enum vigil_rc rc;

    if (cw == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    cw->cfg = cfg;
    cw->bus = env->bus;
    cw->links = env->links;
    cw->probe.state_dir = env->state_dir;
    cw->probe.bus_counts = web_bus_counts;
    cw->probe.incidents = web_incidents;
    cw->probe.respond_act = web_respond_act;
    cw->probe.respond_undo = web_respond_undo;
    cw->probe.rules = web_rules;
    cw->probe.running = web_running;
    cw->probe.arg = cw;
    if (cfg->enabled && !env->once &&
        (rc = vigil_web_new(&cw->web, env->store, cfg, &cw->probe, err)) !=
            VIGIL_OK) {
        free(cw);
        return rc;
    }
    *self = cw;
    return VIGIL_OK;
}

/* The running server keeps its socket and sessions across a reload: an
 * unchanged section is said at info (1163), a changed one is told to
 * need a restart (1162). */
static enum vigil_rc
web_reload(void *fresh, void *old, struct vigil_err *err)
{
    const struct comp_web *f = fresh, *o = old;

    if (vigil_web_conf_equal(f->cfg, o->cfg))
        return VIGIL_EUNSUPPORTED;
    return vigil_err_set(err, VIGIL_EUNSUPPORTED,
                         "the web: section changed; the web server keeps its "
                         "settings until a restart");
}

static enum vigil_rc
web_start(void *self, struct vigil_err *err)
{
    struct comp_web *cw = self;
    struct vigil_err why = {0};

    (void)err;
    if (cw->web == NULL)
        return VIGIL_OK;
    if (vigil_web_start(cw->web, &why) != VIGIL_OK) {
        vigil_log(VIGIL_LOG_ERROR, 2402, "web: dashboard not started: %s",
                  why.msg);
        return why.rc == VIGIL_EPERM || why.rc == VIGIL_EINVAL ||
                       why.rc == VIGIL_EUNSUPPORTED
                   ? vigil_err_set(err, why.rc, "%s", why.msg)
                   : VIGIL_OK;
    }
    cw->running = 1;
    return VIGIL_OK;
}

static void
web_stop(void *self)
{
    struct comp_web *cw = self;

    if (cw->web != NULL)
        vigil_web_stop(cw->web);
}

static void
web_free(void *self)
{
    struct comp_web *cw = self;

    vigil_web_free(cw->web);
    free(cw);
}

const struct vigil_component daemon_comp_web = {
    .name = "web",
    .what = "dashboard",
    .conf = &vigil_web_conf,
    .conf_size = sizeof(struct vigil_web_config),
    .conf_builtin = vigil_web_conf_builtin,
    .prepare = web_prepare,
    .new = web_new,
    .reload = web_reload,
    .start = web_start,
    .stop = web_stop,
    .free = web_free,
};
