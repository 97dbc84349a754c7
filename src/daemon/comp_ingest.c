/* comp_ingest.c -- the sources as a component: owns the `ingest` and
 * `sources` keys and runs the ingest pipeline, whose every decoded event
 * is published on the bus with the batch that carries its checkpoint. */
#include <stdlib.h>

#include "daemon_int.h"
#include "ingest/ingest.h"

struct comp_ingest {
    struct vigil_ingest *ing;
    const struct vigil_ingest_config *cfg;
    struct vigil_detector hook; /* publishes to the bus */
};

static enum vigil_rc
publish(void *ctx, const struct vigil_event *ev, const char *source,
        struct vigil_store_batch *batch)
{
    return vigil_bus_publish_event(ctx, ev, source, batch);
}

static enum vigil_rc
conf_builtin(void *conf, struct vigil_err *err)
{
    return vigil_ingest_config_builtin(conf, err);
}

static void
conf_fini(void *conf)
{
    vigil_ingest_config_fini(conf);
}

static void
log_sources(const struct vigil_ingest_config *cfg)
{
    static const char *types[] = {"?", "file", "syslog", "journald", "stdin"};

    for (size_t i = 0; i < cfg->nsources; i++) {
        const struct vigil_source_config *s = &cfg->sources[i];
        vigil_log(VIGIL_LOG_INFO, 1140, "source %s: %s%s%s, format %s", s->name,
                  types[s->type], s->npaths ? " " : "",
                  s->npaths ? s->paths[0] : "",
                  s->format[0] ? s->format : "auto");
    }
    if (cfg->nsources == 0)
        vigil_log(VIGIL_LOG_WARN, 1145,
                  "no sources configured: nothing to read");
}

static void ingest_free(void *self);

static enum vigil_rc
ingest_new(void **self, const struct vigil_daemon_env *env, const void *conf,
           struct vigil_err *err)
{
    struct comp_ingest *ci = calloc(1, sizeof(*ci));
    enum vigil_rc rc;

    if (ci == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    ci->cfg = conf;
    ci->hook.ctx = env->bus;
    ci->hook.on_event = publish;
    rc = vigil_ingest_new(&ci->ing, ci->cfg, env->store, &ci->hook, env->once,
                          err);
    if (rc != VIGIL_OK) {
        ingest_free(ci);
        return rc;
    }
    *self = ci;
    return VIGIL_OK;
}

/* The new sources take over the listening sockets of the running ones
 * they replace (vigil_ingest_adopt), so a reload neither closes a port
 * nor loses what the kernel queued on it. */
static enum vigil_rc
ingest_reload(void *fresh, void *old, struct vigil_err *err)
{
    (void)err;
    vigil_ingest_adopt(((struct comp_ingest *)fresh)->ing,
                       ((struct comp_ingest *)old)->ing);
    return VIGIL_OK;
}

static enum vigil_rc
ingest_start(void *self, struct vigil_err *err)
{
    struct comp_ingest *ci = self;

    log_sources(ci->cfg);
    return vigil_ingest_start(ci->ing, err);
}

static void
ingest_stats(void *self)
{
    vigil_ingest_log_stats(((struct comp_ingest *)self)->ing);
}

static int
ingest_done(void *self)
{
    return vigil_ingest_done(((struct comp_ingest *)self)->ing);
}

static void
ingest_stop(void *self)
{
    vigil_ingest_stop(((struct comp_ingest *)self)->ing);
}

static void
ingest_free(void *self)
{
    struct comp_ingest *ci = self;

    if (ci == NULL)
        return;
    vigil_ingest_free(ci->ing);
    free(ci);
}

const struct vigil_component daemon_comp_ingest = {
    .what = "sources",
    .name = "ingest",
    .conf = &vigil_ingest_conf,
    .conf_size = sizeof(struct vigil_ingest_config),
    .conf_builtin = conf_builtin,
    .conf_fini = conf_fini,
    .new = ingest_new,
    .reload = ingest_reload,
    .start = ingest_start,
    .stats = ingest_stats,
    .done = ingest_done,
    .stop = ingest_stop,
    .free = ingest_free,
};
