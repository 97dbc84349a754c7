/* comp_store.c -- the store's housekeeping as a component: owns the
 * `store:` section and applies the archive's retention policy at start
 * and every hour. The store itself is opened by the daemon before any
 * component, since every component writes through it. */
#include <stdlib.h>
#include <time.h>

#include "daemon_int.h"

#define RETENTION_EVERY_S 3600

struct comp_store {
    struct vigil_store *store;
    const struct vigil_store_config *cfg;
    int64_t next_s; /* monotonic */
};

static int64_t
mono_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

static void
apply_retention(struct comp_store *cs)
{
    struct vigil_err err = {0};
    int64_t deleted = 0;

    cs->next_s = mono_s() + RETENTION_EVERY_S;
    if (cs->cfg->archive_max_age_s == 0 && cs->cfg->archive_max_bytes == 0)
        return;
    if (vigil_store_apply_retention(cs->store, vigil_time_now(), &deleted,
                                    &err) != VIGIL_OK)
        vigil_log(VIGIL_LOG_ERROR, 1143, "retention failed: %s", err.msg);
    else if (deleted > 0)
        vigil_log(VIGIL_LOG_INFO, 1144,
                  "retention removed %lld archived events", (long long)deleted);
}

static enum vigil_rc
store_new(void **self, const struct vigil_daemon_env *env, const void *conf,
          struct vigil_err *err)
{
    struct comp_store *cs = calloc(1, sizeof(*cs));

    if (cs == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    cs->store = env->store;
    cs->cfg = conf;
    *self = cs;
    return VIGIL_OK;
}

static enum vigil_rc
store_start(void *self, struct vigil_err *err)
{
    (void)err;
    apply_retention(self);
    return VIGIL_OK;
}

static void
store_tick(void *self)
{
    struct comp_store *cs = self;

    if (mono_s() >= cs->next_s)
        apply_retention(cs);
}

static void
store_free(void *self)
{
    free(self);
}

const struct vigil_component daemon_comp_store = {
    .what = "store settings",
    .name = "store",
    .conf = &vigil_store_conf,
    .conf_size = sizeof(struct vigil_store_config),
    .new = store_new,
    .start = store_start,
    .tick = store_tick,
    .free = store_free,
};
