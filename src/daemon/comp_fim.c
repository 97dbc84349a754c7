/* comp_fim.c -- file integrity monitoring as a component: owns the `fim:`
 * section; `prepare` (as root, before privileges are dropped) opens the
 * fanotify group, marks the watched trees' mounts and places the canary
 * files; `start` runs src/fim's monitor, whose changes become Events on
 * the bus (so Sigma's Linux file_event / file_change / file_delete /
 * file_rename rules see them) and whose detections (ransomware, a canary
 * touched, a store that lost data) become critical alerts. Events are
 * gathered into a batch submitted every BATCH_EVENTS events or
 * BATCH_NS; a detection is submitted at once.
 *
 * Every second, when something moved, the tick stores what `vigil status`
 * shows, as comp_net does: a counters row "fim" (file events seen in the
 * trees, events emitted, kernel queue overflows, detections) and the
 * state ("fim", "monitor") with the detections by kind and the processes
 * stopped, and ("fim", "store:NAME") per data-loss store (measurements
 * taken and failed, alerts, the last one's time and figures).
 *
 * A reload keeps the running monitor: the fanotify group was opened as
 * root and cannot be opened again once privileges are dropped. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon_int.h"
#include "fim/fim.h"

#define BATCH_EVENTS 512
#define BATCH_NS     (VIGIL_NS_PER_SEC / 2)
#define SOURCE       "fim"
#define REPORT_NS    VIGIL_NS_PER_SEC

/* What prepare opened for the first instance (one daemon start). */
static struct vigil_fim_kernel prepared = {-1, -1};

struct comp_fim {
    struct vigil_daemon_env env;
    const struct vigil_fim_config *cfg;
    struct vigil_fim_monitor *mon;
    pthread_mutex_t mu;
    struct vigil_store_batch *batch;
    int64_t batch_at;
    size_t nev;
    struct vigil_arena arena;
    struct vigil_event ev;
    /* counted under mu, where events and detections pass anyway */
    uint64_t emitted, ransomware, canary, data_loss, other;
    int64_t report_at;
    char *reported; /* what the last report stored (owned) */
};

static void
submit_locked(struct comp_fim *cf)
{
    struct vigil_err err = {0};
    struct vigil_store_batch *b = cf->batch;

    if (b == NULL)
        return;
    cf->batch = NULL;
    cf->nev = 0;
    if (vigil_store_submit(cf->env.store, b, NULL, NULL, &err) != VIGIL_OK)
        vigil_log(VIGIL_LOG_WARN, 2010, "fim: cannot store events: %s",
                  err.msg);
}

static struct vigil_store_batch *
batch_locked(struct comp_fim *cf)
{
    if (cf->batch == NULL) {
        cf->batch = vigil_store_batch_new_for(cf->env.store);
        cf->batch_at = vigil_time_now();
    }
    return cf->batch;
}

/* Sysmon for Linux's event ids, which Sigma's Linux file rules are
 * mapped to (src/detect/detect_logsource.c). */
static int
sysmon_id(const char *action)
{
    if (strcmp(action, "deletion") == 0)
        return 23;
    if (strcmp(action, "modification") == 0)
        return 2;
    return 11; /* creation, and a rename's new name */
}

static void
add_str(struct vigil_event *ev, const char *name, const char *v)
{
    if (v != NULL)
        (void)vigil_event_add_strz(ev, name, v);
}

static enum vigil_rc
on_change(void *arg, const struct vigil_fim_change *c)
{
    struct comp_fim *cf = arg;
    struct vigil_event *ev = &cf->ev;
    struct vigil_store_batch *b;
    const char *name = strrchr(c->path, '/');
    const char *ext;
    enum vigil_rc rc = VIGIL_ENOMEM;

    name = name ? name + 1 : c->path;
    ext = strrchr(name, '.');
    pthread_mutex_lock(&cf->mu);
    if ((b = batch_locked(cf)) == NULL)
        goto out;
    vigil_arena_reset(&cf->arena);
    vigil_event_init(ev, &cf->arena);
    ev->time_ns = c->time_ns;
    ev->family = VIGIL_FAMILY_LINUX;
    add_str(ev, "event.category", "file");
    add_str(ev, "event.module", "fim");
    add_str(ev, "event.action", c->action);
    add_str(ev, "file.path", c->path);
    add_str(ev, "file.name", name);
    if (ext != NULL && ext != name)
        add_str(ev, "file.extension", ext + 1);
    add_str(ev, "file.old_path", c->old_path);
    add_str(ev, "file.hash.sha256", c->sha256);
    if (c->pid > 0)
        (void)vigil_event_add_intv(ev, "process.pid", c->pid);
    add_str(ev, "process.executable", c->exe);
    add_str(ev, "user.name", c->user);
    /* the names Sysmon for Linux gives them, which Sigma rules use */
    add_str(ev, "Channel", "Linux-Sysmon/Operational");
    (void)vigil_event_add_intv(ev, "EventID", sysmon_id(c->action));
    add_str(ev, "TargetFilename", c->path);
    add_str(ev, "Image", c->exe);
    if (c->pid > 0)
        (void)vigil_event_add_intv(ev, "ProcessId", c->pid);
    add_str(ev, "User", c->user);
    rc = vigil_bus_publish_event(cf->env.bus, ev, SOURCE, b);
    if (rc == VIGIL_OK)
        rc = vigil_store_batch_add_event(b, ev, SOURCE);
    cf->nev++;
    cf->emitted++;
    if (cf->nev >= BATCH_EVENTS || vigil_time_now() - cf->batch_at > BATCH_NS)
        submit_locked(cf);
out:
    pthread_mutex_unlock(&cf->mu);
    return rc;
}

static enum vigil_rc
on_detect(void *arg, const struct vigil_fim_detection *d)
{
    struct comp_fim *cf = arg;
    struct vigil_finding f = {
        .time_ns = d->time_ns,
        .kind = d->kind,
        .level = d->level,
        .title = d->title,
        .subject = d->subject,
        .detail_json = d->detail_json,
        .source = SOURCE,
    };
    struct vigil_store_batch *b;
    enum vigil_rc rc = VIGIL_ENOMEM;

    pthread_mutex_lock(&cf->mu);
    if (strcmp(d->kind, "fim.canary") == 0)
        cf->canary++;
    else if (strcmp(d->kind, "fim.data_loss") == 0)
        cf->data_loss++;
    else if (strcmp(d->kind, "fim.ransomware") == 0)
        cf->ransomware++;
    else
        cf->other++; /* a watched root lost, say */
    if ((b = batch_locked(cf)) != NULL) {
        rc = vigil_bus_publish_finding(cf->env.bus, &f, b);
        submit_locked(cf);
    }
    pthread_mutex_unlock(&cf->mu);
    return rc;
}

static void
on_flush(void *arg)
{
    struct comp_fim *cf = arg;

    pthread_mutex_lock(&cf->mu);
    submit_locked(cf);
    pthread_mutex_unlock(&cf->mu);
}

static void
conf_fini(void *conf)
{
    vigil_fim_config_fini(conf);
}

static enum vigil_rc
fim_prepare(const void *conf, const char *state_dir, struct vigil_err *err)
{
    const struct vigil_fim_config *cfg = conf;

    if (cfg->canaries)
        vigil_fim_place_canaries(cfg);
    return vigil_fim_kernel_open(cfg, state_dir, &prepared, err);
}

static enum vigil_rc
fim_new(void **self, const struct vigil_daemon_env *env, const void *conf,
        struct vigil_err *err)
{
    struct comp_fim *cf = calloc(1, sizeof(*cf));
    struct vigil_fim_sink sink = {on_change, on_detect, on_flush, NULL};
    enum vigil_rc rc;
    struct vigil_fim_kernel k = prepared;

    prepared = (struct vigil_fim_kernel){-1, -1};
    if (cf == NULL) {
        if (k.fan_fd >= 0)
            close(k.fan_fd);
        if (k.proc_fd >= 0)
            close(k.proc_fd);
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    cf->env = *env;
    cf->cfg = conf;
    pthread_mutex_init(&cf->mu, NULL);
    vigil_arena_init(&cf->arena, 1 << 14, 1 << 20);
    sink.arg = cf;
    if ((rc = vigil_fim_monitor_new(&cf->mon, conf, &k, env->store, &sink,
                                    err)) != VIGIL_OK) {
        vigil_arena_fini(&cf->arena);
        pthread_mutex_destroy(&cf->mu);
        free(cf);
        return rc;
    }
    *self = cf;
    return VIGIL_OK;
}

static enum vigil_rc
fim_reload(void *fresh, void *old, struct vigil_err *err)
{
    (void)fresh;
    (void)old;
    return vigil_err_set(err, VIGIL_EUNSUPPORTED,
                         "fim: the running monitor is kept; restart vigil to "
                         "change the watched trees");
}

static enum vigil_rc
fim_start(void *self, struct vigil_err *err)
{
    struct comp_fim *cf = self;

    return vigil_fim_monitor_start(cf->mon, err);
}

/* Stores the counters and the state `vigil status` shows, when they
 * changed since the last report. */
static void
report(struct comp_fim *cf)
{
    struct vigil_fim_monitor_stats st;
    struct vigil_source_counters sc;
    struct vigil_store_batch *b;
    struct vigil_buf j;
    size_t mon_len, *ends = NULL;
    char ts[40];

    /* no fim section: no row in every daemon's status */
    if (cf->cfg->nwatch == 0 && cf->cfg->nstores == 0)
        return;
    vigil_fim_monitor_stats(cf->mon, &st);
    vigil_buf_init(&j, 1 << 20);
    pthread_mutex_lock(&cf->mu);
    vigil_buf_printf(
        &j,
        "{\"monitor\":\"%s\",\"trees\":%zu,\"events_seen\":%llu,"
        "\"events_emitted\":%llu,\"overflows\":%llu,\"ransomware\":%llu,"
        "\"canary\":%llu,\"stopped\":%llu,\"data_loss\":%llu}",
        cf->cfg->nwatch > 0 ? vigil_fim_monitor_kind(cf->mon) : "none",
        cf->cfg->nwatch, (unsigned long long)st.seen,
        (unsigned long long)cf->emitted, (unsigned long long)st.overflows,
        (unsigned long long)cf->ransomware, (unsigned long long)cf->canary,
        (unsigned long long)st.stopped, (unsigned long long)cf->data_loss);
    mon_len = j.len;
    memset(&sc, 0, sizeof(sc));
    snprintf(sc.name, sizeof(sc.name), "%s", SOURCE);
    sc.events_in = st.seen;
    sc.decoded = cf->emitted;
    sc.dropped = st.overflows;
    sc.alerts = cf->ransomware + cf->canary + cf->data_loss + cf->other;
    if (st.nstores > 0 && (ends = calloc(st.nstores, sizeof(*ends))) == NULL)
        goto out;
    for (size_t i = 0; i < st.nstores; i++) {
        const struct vigil_fim_store_stats *s = &st.stores[i];
        vigil_time_format(s->last_at, ts);
        vigil_buf_printf(&j, "{\"store\":");
        vigil_buf_json_str(&j, s->name, strlen(s->name));
        vigil_buf_printf(
            &j,
            ",\"measured\":%llu,\"failed\":%llu,\"alerts\":%llu,"
            "\"last_measured\":\"%s\",\"bytes\":%lld,"
            "\"items\":%lld}",
            (unsigned long long)s->measured, (unsigned long long)s->failed,
            (unsigned long long)s->alerts, s->last_at > 0 ? ts : "",
            (long long)s->bytes, (long long)s->items);
        ends[i] = j.len;
    }
    if (j.data == NULL || j.len != strlen(j.data))
        goto out; /* out of memory: next time */
    /* nothing moved: nothing to write */
    if (cf->reported != NULL && strcmp(cf->reported, j.data) == 0)
        goto out;
    if ((b = batch_locked(cf)) == NULL)
        goto out;
    (void)vigil_store_batch_set_counters(b, &sc, 1);
    (void)vigil_store_batch_set_state(b, SOURCE, "monitor", j.data, mon_len);
    for (size_t i = 0, at = mon_len; i < st.nstores; at = ends[i++]) {
        char key[160];
        snprintf(key, sizeof(key), "store:%s", st.stores[i].name);
        (void)vigil_store_batch_set_state(b, SOURCE, key, j.data + at,
                                          ends[i] - at);
    }
    submit_locked(cf);
    free(cf->reported);
    cf->reported = strdup(j.data);
out:
    pthread_mutex_unlock(&cf->mu);
    free(ends);
    vigil_buf_fini(&j);
}

static void
fim_tick(void *self)
{
    struct comp_fim *cf = self;
    int64_t now = vigil_time_now();

    vigil_fim_monitor_tick(cf->mon);
    if (now - cf->report_at >= REPORT_NS) {
        cf->report_at = now;
        report(cf);
    }
}

/* Watching never ends by itself; without trees or stores there is nothing
 * to wait for, and a --once run is not held open by it. */
static int
fim_done(void *self)
{
    struct comp_fim *cf = self;

    return cf->env.once || (cf->cfg->nwatch == 0 && cf->cfg->nstores == 0);
}

static void
fim_stop(void *self)
{
    struct comp_fim *cf = self;

    vigil_fim_monitor_stop(cf->mon);
    report(cf);
    on_flush(cf);
}

static void
fim_free(void *self)
{
    struct comp_fim *cf = self;

    if (cf == NULL)
        return;
    vigil_fim_monitor_free(cf->mon);
    pthread_mutex_lock(&cf->mu);
    vigil_store_batch_free(cf->batch);
    cf->batch = NULL;
    pthread_mutex_unlock(&cf->mu);
    vigil_arena_fini(&cf->arena);
    pthread_mutex_destroy(&cf->mu);
    free(cf->reported);
    free(cf);
}

const struct vigil_component daemon_comp_fim = {
    .name = "fim",
    .what = "watched trees",
    .conf = &vigil_fim_conf,
    .conf_size = sizeof(struct vigil_fim_config),
    .conf_fini = conf_fini,
    .prepare = fim_prepare,
    .new = fim_new,
    .reload = fim_reload,
    .start = fim_start,
    .tick = fim_tick,
    .done = fim_done,
    .stop = fim_stop,
    .free = fim_free,
};
