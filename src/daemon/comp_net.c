/* comp_net.c -- network monitoring as a component: owns the `net:`
 * section (src/net/net_config.c); `prepare` (as root, before privileges
 * are dropped) opens a live capture per configured interface; `start`
 * runs one capture thread per interface, each with its own flow table.
 * Each finished flow becomes an Event on the bus (ECS source.*,
 * destination.*, network.* and Sigma's network_connection / dns names,
 * src/net/net_event.c), so Sigma rules and correlations read traffic as
 * they read logs; the network detectors (scans, beacons, exfiltration,
 * DNS tunnels, IOC lists, new services), shared by every interface, raise
 * their findings as alerts. Every second each thread stores its counters:
 * a counters row "net:IFACE" (packets in, flows, kernel drops) and the
 * whole set as the state ("net", IFACE) that `vigil status` shows.
 *
 * A reload hands the open capture handles to the new instance (they
 * cannot be opened again once privileges are dropped) and applies a new
 * filter; other interfaces, snaplen or buffer need a restart, and the
 * running instance is kept. Detector state starts afresh. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon_int.h"
#include "net/net.h"

#define BATCH_EVENTS 512
#define BATCH_NS     (VIGIL_NS_PER_SEC / 2)
#define REPORT_NS    VIGIL_NS_PER_SEC        /* counters stored this often */
#define WARN_NS      (60 * VIGIL_NS_PER_SEC) /* drop/evict warnings */

/* What prepare opened for the first instance (one daemon start). */
static struct vigil_net_live *prepared[VIGIL_NET_MAX_IFACES];
static char prepared_name[VIGIL_NET_MAX_IFACES][64];
static size_t nprepared;

struct comp_net;

/* One interface: its handle, flow table, thread and pending batch. Only
 * its thread touches the table, the batch and the event. */
struct net_cap {
    struct comp_net *cn;
    char iface[64];
    char source[72]; /* "net:IFACE": the events' and counters' source */
    struct vigil_net_live *live;
    int owned;         /* closed by free (not handed to a reload) */
    int filter_change; /* start applies the configured filter */
    struct vigil_net_flows *flows;
    pthread_t th;
    int running;
    struct vigil_store_batch *batch;
    int64_t batch_at, report_at, expire_at, warned_drop_at, warned_evict_at;
    size_t nev;
    uint64_t alerts, last_drops, last_evicted, err_logged;
    /* what the last report stored */
    uint64_t rep_packets, rep_flows, rep_drops, rep_alerts, rep_evicted;
    int reported;
    struct vigil_net_capture_stats cs;
    struct vigil_arena arena;
    struct vigil_event ev;
};

struct comp_net {
    struct vigil_daemon_env env;
    const struct vigil_net_config *cfg;
    /* The detectors see every interface (a scan spread over two is one
     * scan); det_mu serialises them, and cur says whose batch an alert
     * goes into while it is held. */
    struct vigil_net_detect *det;
    pthread_mutex_t det_mu;
    struct net_cap *cur;
    atomic_int stop;
    size_t ncaps;
    struct net_cap caps[VIGIL_NET_MAX_IFACES];
};

static void
submit(struct net_cap *c)
{
    struct vigil_err err = {0};
    struct vigil_store_batch *b = c->batch;

    if (b == NULL)
        return;
    c->batch = NULL;
    c->nev = 0;
    if (vigil_store_submit(c->cn->env.store, b, NULL, NULL, &err) != VIGIL_OK)
        vigil_log(VIGIL_LOG_WARN, 2302, "net %s: cannot store flows: %s",
                  c->iface, err.msg);
}

static struct vigil_store_batch *
batch_of(struct net_cap *c)
{
    if (c->batch == NULL) {
        c->batch = vigil_store_batch_new_for(c->cn->env.store);
        c->batch_at = vigil_time_now();
    }
    return c->batch;
}

static const char *
level_of(int severity)
{
    static const char *const levels[] = {"low", "low", "medium", "high",
                                         "critical"};

    return levels[severity < 0 ? 0 : severity > 4 ? 4 : severity];
}

/* A detector's finding as an alert, in the batch of the capture whose
 * packet or flow raised it (det_mu held), stored at once. */
static void
on_alert(const struct vigil_net_alert *a, void *arg)
{
    struct comp_net *cn = arg;
    struct net_cap *c = cn->cur;
    static const uint8_t zero[16];
    char kind[64], subj[160], s[64], d[64];
    struct vigil_buf det;
    struct vigil_store_batch *b;
    struct vigil_finding f = {0};
    enum vigil_rc rc;

    if (c == NULL || (b = batch_of(c)) == NULL)
        return;
    vigil_ip_format(a->src, s);
    vigil_ip_format(a->dst, d);
    snprintf(kind, sizeof(kind), "net.%s", a->kind);
    if (memcmp(a->dst, zero, 16) == 0)
        snprintf(subj, sizeof(subj), "%s", s);
    else if (a->dport)
        snprintf(subj, sizeof(subj), "%s -> %s:%u", s, d, (unsigned)a->dport);
    else
        snprintf(subj, sizeof(subj), "%s -> %s", s, d);
    vigil_buf_init(&det, 4096);
    rc = vigil_buf_printf(&det, "{\"source.ip\":\"%s\"", s);
    if (rc == VIGIL_OK && memcmp(a->dst, zero, 16) != 0)
        rc = vigil_buf_printf(&det, ",\"destination.ip\":\"%s\"", d);
    if (rc == VIGIL_OK && a->dport)
        rc = vigil_buf_printf(&det, ",\"destination.port\":%u",
                              (unsigned)a->dport);
    if (rc == VIGIL_OK)
        rc = vigil_buf_printf(&det,
                              ",\"network.iana_number\":%u,"
                              "\"observer.ingress.interface.name\":",
                              (unsigned)a->proto);
    if (rc == VIGIL_OK)
        rc = vigil_buf_json_str(&det, c->iface, strlen(c->iface));
    if (rc == VIGIL_OK)
        rc = vigil_buf_putc(&det, '}');
    f.time_ns = a->time_ns;
    f.kind = kind;
    f.level = level_of(a->severity);
    f.title = a->msg;
    f.subject = subj;
    f.detail_json = rc == VIGIL_OK ? det.data : NULL;
    f.source = c->source;
    if (vigil_bus_publish_finding(c->cn->env.bus, &f, b) != VIGIL_OK)
        vigil_log(VIGIL_LOG_WARN, 2302, "net %s: cannot store an alert (%s)",
                  c->iface, kind);
    c->alerts++;
    vigil_buf_fini(&det);
    submit(c);
}

/* A finished flow: to the detectors, then as an Event to the bus. */
static int
on_flow(const struct vigil_net_flow *fl, void *arg)
{
    struct net_cap *c = arg;
    struct comp_net *cn = c->cn;
    struct vigil_event *ev = &c->ev;
    struct vigil_store_batch *b;

    pthread_mutex_lock(&cn->det_mu);
    cn->cur = c;
    vigil_net_detect_flow(cn->det, fl);
    cn->cur = NULL;
    pthread_mutex_unlock(&cn->det_mu);
    if (!cn->cfg->events || (b = batch_of(c)) == NULL)
        return 0;
    vigil_arena_reset(&c->arena);
    vigil_event_init(ev, &c->arena);
    if (vigil_net_flow_event(fl, ev) != VIGIL_OK ||
        vigil_event_add_strz(ev, "observer.ingress.interface.name", c->iface) !=
            VIGIL_OK)
        ev->truncated = 1;
    if (vigil_bus_publish_event(cn->env.bus, ev, c->source, b) == VIGIL_OK)
        (void)vigil_store_batch_add_event(b, ev, c->source);
    if (++c->nev >= BATCH_EVENTS)
        submit(c);
    return 0;
}

/* A live flow's news (a name read, an IOC address at its first packet,
 * every MiB sent): the detectors judge it now, not when it ends. */
static int
on_update(const struct vigil_net_flow *fl, void *arg)
{
    struct net_cap *c = arg;
    struct comp_net *cn = c->cn;

    pthread_mutex_lock(&cn->det_mu);
    cn->cur = c;
    vigil_net_detect_update(cn->det, fl);
    cn->cur = NULL;
    pthread_mutex_unlock(&cn->det_mu);
    return 0;
}

static int
on_packet(const struct vigil_net_pkt *p, void *arg)
{
    struct net_cap *c = arg;
    struct comp_net *cn = c->cn;

    if (p->dport == 53 && p->payload_len) {
        pthread_mutex_lock(&cn->det_mu);
        cn->cur = c;
        vigil_net_detect_packet(cn->det, p);
        cn->cur = NULL;
        pthread_mutex_unlock(&cn->det_mu);
    }
    vigil_net_flows_add(c->flows, p);
    return atomic_load_explicit(&cn->stop, memory_order_relaxed);
}

/* Stores the counters row and the state `vigil status` shows; warns (at
 * most once a minute each) when the kernel dropped packets or the flow
 * table pushed flows out since the last warning. */
static void
report(struct net_cap *c, int64_t now)
{
    struct vigil_net_flow_stats fs;
    struct vigil_net_capture_stats cs;
    struct vigil_source_counters sc;
    struct vigil_store_batch *b;
    struct vigil_buf st;
    uint64_t drops, ddrop, alerts;

    vigil_net_live_stats(c->live, &cs);
    vigil_net_flows_stats(c->flows, &fs);
    /* cs and alerts are read by net_stats on the daemon's thread */
    pthread_mutex_lock(&c->cn->det_mu);
    c->cs = cs;
    alerts = c->alerts;
    ddrop = vigil_net_detect_dropped(c->cn->det);
    pthread_mutex_unlock(&c->cn->det_mu);
    drops = c->cs.kernel_drops + c->cs.if_drops;
    if (drops > c->last_drops && now - c->warned_drop_at >= WARN_NS) {
        vigil_log(VIGIL_LOG_WARN, 2306,
                  "net %s: %llu packets dropped by the kernel, %llu by the "
                  "interface (raise net.buffer or narrow net.filter)",
                  c->iface, (unsigned long long)c->cs.kernel_drops,
                  (unsigned long long)c->cs.if_drops);
        c->warned_drop_at = now;
        c->last_drops = drops;
    }
    if (fs.evicted > c->last_evicted && now - c->warned_evict_at >= WARN_NS) {
        vigil_log(VIGIL_LOG_WARN, 2307,
                  "net %s: flow table full, %llu flows ended early to make "
                  "room (raise net.flows.max)",
                  c->iface, (unsigned long long)fs.evicted);
        c->warned_evict_at = now;
        c->last_evicted = fs.evicted;
    }
    c->report_at = now;
    /* nothing moved (a quiet interface): nothing to write */
    if (cs.packets == c->rep_packets && fs.flows == c->rep_flows &&
        drops == c->rep_drops && alerts == c->rep_alerts &&
        fs.evicted == c->rep_evicted && c->reported)
        return;
    c->rep_packets = cs.packets;
    c->rep_flows = fs.flows;
    c->rep_drops = drops;
    c->rep_alerts = alerts;
    c->rep_evicted = fs.evicted;
    c->reported = 1;
    if ((b = batch_of(c)) == NULL)
        return;
    memset(&sc, 0, sizeof(sc));
    snprintf(sc.name, sizeof(sc.name), "%s", c->source);
    sc.events_in = c->cs.packets;
    sc.decoded = fs.flows;
    sc.dropped = drops;
    sc.alerts = alerts;
    (void)vigil_store_batch_set_counters(b, &sc, 1);
    vigil_buf_init(&st, 4096);
    if (vigil_buf_printf(
            &st,
            "{\"interface\":\"%s\",\"packets\":%llu,\"bytes\":%llu,"
            "\"non_ip\":%llu,\"kernel_drops\":%llu,\"if_drops\":%llu,"
            "\"flows\":%llu,\"flows_open\":%llu,\"evicted\":%llu,"
            "\"active_cut\":%llu,\"detector_dropped\":%llu,\"alerts\":%llu}",
            c->iface, (unsigned long long)c->cs.packets,
            (unsigned long long)c->cs.bytes, (unsigned long long)c->cs.non_ip,
            (unsigned long long)c->cs.kernel_drops,
            (unsigned long long)c->cs.if_drops, (unsigned long long)fs.flows,
            (unsigned long long)fs.held, (unsigned long long)fs.evicted,
            (unsigned long long)fs.active_cut, (unsigned long long)ddrop,
            (unsigned long long)alerts) == VIGIL_OK)
        (void)vigil_store_batch_set_state(b, "net", c->iface, st.data, st.len);
    vigil_buf_fini(&st);
    submit(c);
}

static void *
cap_thread(void *arg)
{
    struct net_cap *c = arg;
    struct comp_net *cn = c->cn;
    struct vigil_err err = {0};
    int64_t now;

    while (!atomic_load(&cn->stop)) {
        enum vigil_rc rc = vigil_net_live_poll(c->live, on_packet, c, &err);

        now = vigil_time_now();
        if (rc == VIGIL_EIO) {
            /* the interface went down or away: said once a minute, and
             * tried again every second, not in a tight loop */
            if (now - (int64_t)c->err_logged >= WARN_NS) {
                vigil_log(VIGIL_LOG_ERROR, 2301, "net %s: %s", c->iface,
                          err.msg);
                c->err_logged = (uint64_t)now;
            }
            vigil_err_clear(&err);
            for (int i = 0; i < 10 && !atomic_load(&cn->stop); i++)
                nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
        }
        if (now - c->expire_at >= VIGIL_NS_PER_SEC) {
            vigil_net_flows_expire(c->flows, now);
            c->expire_at = now;
        }
        if (now - c->report_at >= REPORT_NS)
            report(c, now);
        else if (c->batch != NULL && now - c->batch_at >= BATCH_NS)
            submit(c);
    }
    /* what is open ends here (VIGIL_NET_END_FLUSH) and is stored */
    vigil_net_flows_flush(c->flows);
    report(c, vigil_time_now());
    submit(c);
    return NULL;
}

/* ---- the component ---- */

static void
conf_fini(void *conf)
{
    vigil_net_config_fini(conf);
}

static void
close_prepared(void)
{
    for (size_t i = 0; i < nprepared; i++)
        vigil_net_live_close(prepared[i]);
    nprepared = 0;
}

static enum vigil_rc
net_prepare(const void *conf, const char *state_dir, struct vigil_err *err)
{
    (void)state_dir;
    const struct vigil_net_config *cfg = conf;
    struct vigil_net_live_opts lo;
    enum vigil_rc rc = VIGIL_OK;

    close_prepared();
    vigil_net_config_opts(cfg, NULL, NULL, &lo);
    for (size_t i = 0; i < cfg->nifaces && rc == VIGIL_OK; i++) {
        struct vigil_err e = {0};

        lo.iface = cfg->ifaces[i];
        if ((rc = vigil_net_live_open(&prepared[nprepared], &lo, &e)) !=
            VIGIL_OK) {
            /* a filter the interface's link type refuses is the
             * configuration's fault; the rest (no such interface, no
             * permission) is the system's */
            rc =
                vigil_err_set(err, rc == VIGIL_EINVAL ? VIGIL_EPARSE : rc,
                              "net: cannot capture on %s: %s", lo.iface, e.msg);
            break;
        }
        snprintf(prepared_name[nprepared], sizeof(prepared_name[0]), "%s",
                 lo.iface);
        nprepared++;
        vigil_log(VIGIL_LOG_INFO, 2300,
                  "net %s: capturing (filter \"%s\", snaplen %d, buffer %d "
                  "bytes)",
                  lo.iface, lo.filter, lo.snaplen, lo.buffer_bytes);
    }
    if (rc != VIGIL_OK)
        close_prepared();
    return rc;
}

static void net_free(void *self);

static enum vigil_rc
net_new(void **self, const struct vigil_daemon_env *env, const void *conf,
        struct vigil_err *err)
{
    const struct vigil_net_config *cfg = conf;
    struct comp_net *cn = calloc(1, sizeof(*cn));
    struct vigil_net_flow_opts fo;
    struct vigil_net_detect_opts dopts;
    enum vigil_rc rc = VIGIL_OK;

    if (cn == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    cn->env = *env;
    cn->cfg = cfg;
    pthread_mutex_init(&cn->det_mu, NULL);
    atomic_init(&cn->stop, 0);
    vigil_net_config_opts(cfg, &fo, &dopts, NULL);
    fo.on_update = on_update;
    if ((rc = vigil_net_detect_new(&cn->det, &dopts, on_alert, cn, err)) !=
        VIGIL_OK)
        goto out;
    for (size_t i = 0; i < cfg->niocs && rc == VIGIL_OK; i++)
        rc = vigil_net_detect_load_iocs(cn->det, cfg->iocs[i], err);
    for (size_t i = 0; i < cfg->nifaces && rc == VIGIL_OK; i++) {
        struct net_cap *c = &cn->caps[cn->ncaps++];

        c->cn = cn;
        snprintf(c->iface, sizeof(c->iface), "%s", cfg->ifaces[i]);
        snprintf(c->source, sizeof(c->source), "net:%s", cfg->ifaces[i]);
        vigil_arena_init(&c->arena, 1 << 14, 1 << 20);
        /* the handle prepare opened at this daemon start; on reload
         * there is none and net_reload hands over the running one */
        for (size_t k = 0; k < nprepared; k++)
            if (prepared[k] != NULL &&
                strcmp(prepared_name[k], c->iface) == 0) {
                c->live = prepared[k];
                c->owned = 1;
                prepared[k] = NULL;
            }
        rc = vigil_net_flows_new(&c->flows, &fo, on_flow, c, err);
    }
out:
    close_prepared(); /* any the configuration no longer names */
    if (rc != VIGIL_OK) {
        net_free(cn);
        return rc;
    }
    *self = cn;
    return VIGIL_OK;
}

/* Hands the running capture handles to fresh when it captures on the
 * same interfaces with the same snaplen and buffer (a new filter is
 * applied at start); otherwise the running instance is kept. */
static enum vigil_rc
net_reload(void *fresh, void *old, struct vigil_err *err)
{
    struct comp_net *f = fresh, *o = old;

    if (f->ncaps != o->ncaps || f->cfg->snaplen != o->cfg->snaplen ||
        f->cfg->buffer != o->cfg->buffer)
        return vigil_err_set(err, VIGIL_EUNSUPPORTED,
                             "net: capture on other interfaces, or with "
                             "another snaplen or buffer, needs a restart");
    for (size_t i = 0; i < f->ncaps; i++)
        if (strcmp(f->caps[i].iface, o->caps[i].iface) != 0 ||
            o->caps[i].live == NULL)
            return vigil_err_set(err, VIGIL_EUNSUPPORTED,
                                 "net: capture on other interfaces needs a "
                                 "restart");
    for (size_t i = 0; i < f->ncaps; i++) {
        /* the old thread goes on reading it until its stop; then only the
         * new one does */
        f->caps[i].live = o->caps[i].live;
        f->caps[i].owned = 1;
        f->caps[i].filter_change = strcmp(f->cfg->filter, o->cfg->filter) != 0;
        pthread_mutex_lock(&o->det_mu);
        f->caps[i].alerts = o->caps[i].alerts;
        pthread_mutex_unlock(&o->det_mu);
        o->caps[i].owned = 0;
    }
    if (f->ncaps > 0)
        vigil_log(VIGIL_LOG_INFO, 2304,
                  "net: %zu capture(s) handed to the new configuration; the "
                  "detectors start afresh",
                  f->ncaps);
    return VIGIL_OK;
}

static void net_stop(void *self);

static enum vigil_rc
net_start(void *self, struct vigil_err *err)
{
    struct comp_net *cn = self;
    enum vigil_rc rc = VIGIL_OK;

    atomic_store(&cn->stop, 0);
    for (size_t i = 0; i < cn->ncaps && rc == VIGIL_OK; i++) {
        struct net_cap *c = &cn->caps[i];
        struct vigil_err e = {0};

        if (c->live == NULL) {
            rc = vigil_err_set(err, VIGIL_EIO,
                               "net %s: no capture handle (restart vigil)",
                               c->iface);
            break;
        }
        if (c->filter_change &&
            vigil_net_live_set_filter(c->live, cn->cfg->filter, &e) != VIGIL_OK)
            vigil_log(VIGIL_LOG_WARN, 2305,
                      "net %s: the new filter was refused, the capture goes "
                      "on with the old one: %s",
                      c->iface, e.msg);
        c->report_at = c->expire_at = vigil_time_now();
        if (pthread_create(&c->th, NULL, cap_thread, c) != 0) {
            rc = vigil_err_set(err, VIGIL_EIO,
                               "net %s: cannot start the capture thread",
                               c->iface);
            break;
        }
        c->running = 1;
    }
    if (rc != VIGIL_OK)
        net_stop(cn);
    return rc;
}

static void
net_stats(void *self)
{
    struct comp_net *cn = self;

    /* the numbers of each thread's last report (a second old at most) */
    for (size_t i = 0; i < cn->ncaps; i++) {
        const struct net_cap *c = &cn->caps[i];
        struct vigil_net_capture_stats cs;
        uint64_t alerts;

        pthread_mutex_lock(&cn->det_mu);
        cs = c->cs;
        alerts = c->alerts;
        pthread_mutex_unlock(&cn->det_mu);
        vigil_log(VIGIL_LOG_INFO, 2303,
                  "net %s: %llu packets, %llu dropped by the kernel, %llu by "
                  "the interface, %llu alerts",
                  c->iface, (unsigned long long)cs.packets,
                  (unsigned long long)cs.kernel_drops,
                  (unsigned long long)cs.if_drops, (unsigned long long)alerts);
    }
}

/* Capturing never ends by itself; without interfaces there is nothing to
 * wait for, and a --once run is not held open by it. */
static int
net_done(void *self)
{
    struct comp_net *cn = self;

    return cn->env.once || cn->ncaps == 0;
}

static void
net_stop(void *self)
{
    struct comp_net *cn = self;

    atomic_store(&cn->stop, 1);
    for (size_t i = 0; i < cn->ncaps; i++)
        if (cn->caps[i].running) {
            pthread_join(cn->caps[i].th, NULL);
            cn->caps[i].running = 0;
        }
}

static void
net_free(void *self)
{
    struct comp_net *cn = self;

    if (cn == NULL)
        return;
    net_stop(cn);
    for (size_t i = 0; i < cn->ncaps; i++) {
        struct net_cap *c = &cn->caps[i];

        vigil_net_flows_free(c->flows);
        vigil_store_batch_free(c->batch);
        vigil_arena_fini(&c->arena);
        if (c->owned)
            vigil_net_live_close(c->live);
    }
    vigil_net_detect_free(cn->det);
    pthread_mutex_destroy(&cn->det_mu);
    free(cn);
}

const struct vigil_component daemon_comp_net = {
    .name = "net",
    .what = "network captures",
    .conf = &vigil_net_conf,
    .conf_size = sizeof(struct vigil_net_config),
    .conf_fini = conf_fini,
    .prepare = net_prepare,
    .new = net_new,
    .reload = net_reload,
    .start = net_start,
    .stats = net_stats,
    .done = net_done,
    .stop = net_stop,
    .free = net_free,
};
