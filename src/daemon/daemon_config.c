/* daemon_config.c -- the daemon's configuration: the few keys the daemon
 * itself reads (state_dir, stats_interval) and one section object per
 * component, each filled and checked by the component's own key table.
 * The loaded object is read-only and swapped whole on reload. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon_int.h"

const struct vigil_component *const daemon_components[] = {
    &daemon_comp_store,
    &daemon_comp_incident, /* subscribes to alerts before
                              detect publishes */
    &daemon_comp_detect,
    &daemon_comp_respond, /* subscribed to alerts before
                             sources start */
    &daemon_comp_fim,
    &daemon_comp_net, /* its own threads, like fim */
    &daemon_comp_ingest,
    &daemon_comp_web,
};
const size_t daemon_ncomponents =
    sizeof(daemon_components) / sizeof(daemon_components[0]);
_Static_assert(sizeof(daemon_components) / sizeof(daemon_components[0]) <=
                   DAEMON_MAX_COMPONENTS,
               "raise DAEMON_MAX_COMPONENTS");

#define MS_YEAR (365LL * 86400 * 1000)

static const struct vigil_conf_key root_keys[] = {
    {.name = "state_dir",
     .type = VIGIL_CT_STR,
     .offset = offsetof(struct vigil_daemon_config, state_dir),
     .size = sizeof(((struct vigil_daemon_config *)0)->state_dir)},
    {.name = "stats_interval",
     .type = VIGIL_CT_SECONDS,
     .offset = offsetof(struct vigil_daemon_config, stats_interval_s),
     .min = 0,
     .max = MS_YEAR,
     .def = 300},
    {.name = "user",
     .type = VIGIL_CT_STR,
     .offset = offsetof(struct vigil_daemon_config, user),
     .size = sizeof(((struct vigil_daemon_config *)0)->user),
     .min = 1},
    {.name = "strict_modes",
     .type = VIGIL_CT_BOOL,
     .offset = offsetof(struct vigil_daemon_config, strict_modes),
     .def = 1},
};

static const struct vigil_conf_table root_table = {
    "", root_keys, sizeof(root_keys) / sizeof(root_keys[0])};

void
vigil_daemon_config_free(struct vigil_daemon_config *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < daemon_ncomponents; i++) {
        const struct vigil_component *comp = daemon_components[i];
        if (cfg->sections[i] != NULL && comp->conf_fini != NULL)
            comp->conf_fini(cfg->sections[i]);
        free(cfg->sections[i]);
    }
    free(cfg);
}

/* A configuration with every component's defaults. */
static enum vigil_rc
config_new(struct vigil_daemon_config **out, struct vigil_err *err)
{
    struct vigil_daemon_config *cfg = calloc(1, sizeof(*cfg));

    *out = NULL;
    if (cfg == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    vigil_conf_defaults(&root_table, cfg);
    for (size_t i = 0; i < daemon_ncomponents; i++) {
        const struct vigil_component *comp = daemon_components[i];
        if (comp->conf_size == 0)
            continue;
        if ((cfg->sections[i] = calloc(1, comp->conf_size)) == NULL) {
            vigil_daemon_config_free(cfg);
            return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        }
        if (comp->conf != NULL)
            vigil_conf_defaults(comp->conf, cfg->sections[i]);
    }
    *out = cfg;
    return VIGIL_OK;
}

static enum vigil_rc
config_apply(struct vigil_daemon_config *cfg, const struct vigil_conf *c,
             struct vigil_err *err)
{
    struct vigil_conf_binding b[DAEMON_MAX_COMPONENTS + 1];
    size_t nb = 0;

    b[nb].table = &root_table;
    b[nb++].obj = cfg;
    for (size_t i = 0; i < daemon_ncomponents; i++)
        if (daemon_components[i]->conf != NULL) {
            b[nb].table = daemon_components[i]->conf;
            b[nb++].obj = cfg->sections[i];
        }
    return vigil_conf_apply(c, vigil_conf_root(c), b, nb, err);
}

static enum vigil_rc
config_builtin(struct vigil_daemon_config *cfg, struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_OK;

    for (size_t i = 0; i < daemon_ncomponents && rc == VIGIL_OK; i++)
        if (daemon_components[i]->conf_builtin != NULL)
            rc = daemon_components[i]->conf_builtin(cfg->sections[i], err);
    return rc;
}

/* Builds a configuration from a file (path), a text (text, named name)
 * or, with neither, the built-in sources. */
static enum vigil_rc
config_load(struct vigil_daemon_config **out, const char *path,
            const char *name, const char *text, size_t len,
            struct vigil_err *err)
{
    struct vigil_daemon_config *cfg = NULL;
    struct vigil_conf *c = NULL;
    enum vigil_rc rc;

    *out = NULL;
    if ((rc = config_new(&cfg, err)) != VIGIL_OK)
        return rc;
    if (path != NULL) {
        snprintf(cfg->path, sizeof(cfg->path), "%s", path);
        rc = vigil_conf_read(&c, path, err);
    } else if (text != NULL) {
        rc = vigil_conf_parse(&c, name, text, len, err);
    } else {
        rc = config_builtin(cfg, err);
    }
    if (rc == VIGIL_OK && c != NULL)
        rc = config_apply(cfg, c, err);
    vigil_conf_free(c);
    if (rc != VIGIL_OK) {
        vigil_daemon_config_free(cfg);
        return rc;
    }
    *out = cfg;
    return VIGIL_OK;
}

enum vigil_rc
vigil_daemon_config_load_mem(struct vigil_daemon_config **out, const char *name,
                             const char *text, size_t len,
                             struct vigil_err *err)
{
    return config_load(out, NULL, name, text ? text : "", len, err);
}

enum vigil_rc
vigil_daemon_config_load(struct vigil_daemon_config **out, const char *path,
                         struct vigil_err *err)
{
    return config_load(out, path, NULL, NULL, 0, err);
}

const char *
vigil_daemon_config_path(const struct vigil_daemon_config *cfg)
{
    return cfg->path;
}

const char *
vigil_daemon_config_state_dir(const struct vigil_daemon_config *cfg)
{
    return cfg->state_dir;
}

int64_t
vigil_daemon_config_stats_interval(const struct vigil_daemon_config *cfg)
{
    return cfg->stats_interval_s;
}

const void *
vigil_daemon_config_section(const struct vigil_daemon_config *cfg,
                            const char *component)
{
    for (size_t i = 0; i < daemon_ncomponents; i++)
        if (strcmp(daemon_components[i]->name, component) == 0)
            return cfg->sections[i];
    return NULL;
}
