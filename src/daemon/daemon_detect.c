/* daemon_detect.c -- live detection for the daemon: builds the Sigma engine
 * from vigil's own pack and the configured rule folders, matches every
 * event the bus delivers (comp_detect.c subscribes it) and publishes the
 * alerts into the batch that carries the event's checkpoint (one
 * transaction: a crash neither loses nor repeats an alert).
 *
 * Why not the engine's own adapter (vigil_detect_hook): the daemon must
 * keep Windows rules off Linux lines (the engine only filters events that
 * carry a Channel), and a correlation alert must say which events made
 * it. The engine does not report a correlation's building blocks
 * (`generate: false`), but it does count them in *nmatches; an event that
 * matched more rules than were reported fed a correlation, so it is kept
 * in a small ring. When a correlation fires, the ring's events of the same
 * group (by their group-by values) are summarised in the alert.
 *
 * Threads: each pipeline thread takes a scratch (engine context and JSON
 * buffers) from a pool for the duration of one event; the ring has its own
 * lock, taken only for building-block events and correlation alerts. */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"
#include "daemon_int.h"
#include "detect/detect.h"
#include "store/store.h"

#define RD_MAX_SCRATCH  80  /* sources (64) + the tick + margin */
#define RD_RING         512 /* building-block events remembered */
#define RD_RING_JSON    2048
#define RD_RING_MSG     240
#define RD_SUMMARY_MAX  20 /* events listed in one correlation alert */
#define RD_EVENT_JSON   (4u * 1024 * 1024)
#define RD_MATCHED_JSON (1024u * 1024)

struct rd_scratch {
    struct vigil_detect_ctx *dc;
    struct vigil_buf ev_json;
    struct vigil_buf m_json;
};

struct rd_ring_entry {
    int64_t time_ns;
    uint32_t json_len;
    char json[RD_RING_JSON];
    char msg[RD_RING_MSG];
};

struct daemon_detect {
    struct vigil_detect *d;
    struct vigil_detect_stats st;
    pthread_mutex_t lock; /* the scratch pool */
    struct rd_scratch *idle[RD_MAX_SCRATCH];
    size_t nidle, created;
    pthread_mutex_t ring_lock;
    struct rd_ring_entry *ring; /* RD_RING entries */
    size_t ring_next, ring_used;
    /* the newest event time seen: the clock correlation windows close
     * by, so a backlog of old lines is not cut up by the wall clock */
    int64_t max_event_ns;
    char cache_dir[4200]; /* compiled literal databases, or "" */
    /* the first refused rule, "file:line: why" */
    char first_refused[512];
};

/* One hook call. */
struct rd_call {
    struct daemon_detect *rd;
    struct rd_scratch *sc;
    struct vigil_bus *bus;
    struct vigil_store_batch *batch;
    const char *source;
    const struct vigil_event *ev;
    size_t reported; /* detection-rule callbacks, filtered or not */
    size_t alerts;
    enum vigil_rc rc;
};

static void
on_report(const char *file, int line, const struct vigil_rule_info *info,
          const char *msg, void *arg)
{
    struct daemon_detect *rd = arg;

    if (info != NULL)
        return;
    vigil_log(VIGIL_LOG_WARN, 1160, "%s:%d: rule refused: %s", file, line, msg);
    if (rd->first_refused[0] == '\0')
        snprintf(rd->first_refused, sizeof(rd->first_refused), "%s:%d: %s",
                 file, line, msg);
}

static void
scratch_free(struct rd_scratch *sc)
{
    if (sc == NULL)
        return;
    vigil_detect_ctx_free(sc->dc);
    vigil_buf_fini(&sc->ev_json);
    vigil_buf_fini(&sc->m_json);
    free(sc);
}

static struct rd_scratch *
scratch_get(struct daemon_detect *rd)
{
    struct rd_scratch *sc = NULL;
    struct vigil_err err = {0};
    int create = 0;

    pthread_mutex_lock(&rd->lock);
    if (rd->nidle > 0)
        sc = rd->idle[--rd->nidle];
    else if (rd->created < RD_MAX_SCRATCH)
        create = 1, rd->created++;
    pthread_mutex_unlock(&rd->lock);
    if (sc != NULL || !create)
        return sc;
    if ((sc = calloc(1, sizeof(*sc))) != NULL &&
        vigil_detect_ctx_new(&sc->dc, rd->d, &err) == VIGIL_OK) {
        vigil_buf_init(&sc->ev_json, RD_EVENT_JSON);
        vigil_buf_init(&sc->m_json, RD_MATCHED_JSON);
        return sc;
    }
    free(sc);
    pthread_mutex_lock(&rd->lock);
    rd->created--;
    pthread_mutex_unlock(&rd->lock);
    return NULL;
}

static void
scratch_put(struct daemon_detect *rd, struct rd_scratch *sc)
{
    pthread_mutex_lock(&rd->lock);
    rd->idle[rd->nidle++] = sc;
    pthread_mutex_unlock(&rd->lock);
}

/* Is this a Windows rule (logsource product windows)? */
static int
rule_is_windows(const struct vigil_rule_info *r)
{
    return r->logsource != NULL && strncmp(r->logsource, "windows", 7) == 0 &&
           (r->logsource[7] == '/' || r->logsource[7] == '\0');
}

static int
event_is_windows(const struct vigil_event *ev)
{
    return ev != NULL && (vigil_event_get(ev, "Channel") != NULL ||
                          vigil_event_get(ev, "EventID") != NULL);
}

#define RD_GROUP_KEYS 8

/* The group-by values of a correlation match ("k=v,k=v") as the JSON
 * text an event holding them contains: "k":"v" (strings, addresses) or
 * "k":v (numbers). Built once per alert, not per remembered event. */
struct rd_needles {
    size_t n;
    char str[RD_GROUP_KEYS][300];
    char num[RD_GROUP_KEYS][300];
    size_t str_len[RD_GROUP_KEYS], num_len[RD_GROUP_KEYS];
};

static void
needles_build(struct rd_needles *nd, const char *group)
{
    const char *p = group;

    nd->n = 0;
    while (p != NULL && *p != '\0' && nd->n < RD_GROUP_KEYS) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', n);

        if (eq != NULL) {
            int kl = (int)(eq - p), vl = (int)(n - (size_t)kl - 1);
            int w1 = snprintf(nd->str[nd->n], sizeof(nd->str[0]),
                              "\"%.*s\":\"%.*s\"", kl, p, vl, eq + 1);
            int w2 = snprintf(nd->num[nd->n], sizeof(nd->num[0]),
                              "\"%.*s\":%.*s", kl, p, vl, eq + 1);
            if (w1 > 0 && (size_t)w1 < sizeof(nd->str[0]) && w2 > 0 &&
                (size_t)w2 < sizeof(nd->num[0])) {
                nd->str_len[nd->n] = (size_t)w1;
                nd->num_len[nd->n] = (size_t)w2;
                nd->n++;
            }
        }
        p = end ? end + 1 : NULL;
    }
}

/* Does the ring entry hold every group-by value? */
static int
group_matches(const struct rd_ring_entry *e, const struct rd_needles *nd)
{
    for (size_t i = 0; i < nd->n; i++)
        if (!memmem(e->json, e->json_len, nd->str[i], nd->str_len[i]) &&
            !memmem(e->json, e->json_len, nd->num[i], nd->num_len[i]))
            return 0;
    return 1;
}

static enum vigil_rc
put_summary_item(struct vigil_buf *b, int64_t t, const char *msg, size_t len)
{
    char ts[40];
    enum vigil_rc rc;

    vigil_time_format(t, ts);
    rc = vigil_buf_printf(b, "{\"time\":\"%s\",\"message\":", ts);
    if (rc == VIGIL_OK)
        rc = vigil_buf_json_str(b, msg, len);
    if (rc == VIGIL_OK)
        rc = vigil_buf_putc(b, '}');
    return rc;
}

/* Appends ,"correlation.events":[...] -- the group's remembered events
 * (oldest first, at most count - 1 of them) and the completing one. */
static enum vigil_rc
put_summary(struct daemon_detect *rd, struct vigil_buf *b,
            const struct vigil_detect_match *m)
{
    size_t idx[RD_SUMMARY_MAX], n = 0;
    struct rd_needles nd;
    size_t want = m->count > 1 ? (size_t)m->count - 1 : 0;
    enum vigil_rc rc;
    int first = 1;

    if (want > RD_SUMMARY_MAX - 1)
        want = RD_SUMMARY_MAX - 1;
    needles_build(&nd, m->group);
    rc = vigil_buf_printf(b, ",\"correlation.events\":[");
    pthread_mutex_lock(&rd->ring_lock);
    for (size_t k = 0; k < rd->ring_used && n < want; k++) {
        size_t i = (rd->ring_next + RD_RING - 1 - k) % RD_RING;
        if (group_matches(&rd->ring[i], &nd))
            idx[n++] = i;
    }
    while (rc == VIGIL_OK && n > 0) {
        const struct rd_ring_entry *e = &rd->ring[idx[--n]];
        if (!first)
            rc = vigil_buf_putc(b, ',');
        if (rc == VIGIL_OK)
            rc = put_summary_item(b, e->time_ns, e->msg, strlen(e->msg));
        first = 0;
    }
    pthread_mutex_unlock(&rd->ring_lock);
    if (rc == VIGIL_OK && m->event != NULL) {
        const struct vigil_field *f = vigil_event_get(m->event, "message");
        if (!first)
            rc = vigil_buf_putc(b, ',');
        if (rc == VIGIL_OK)
            rc = put_summary_item(b, m->event->time_ns, f ? f->text : "",
                                  f ? f->text_len : 0);
    }
    if (rc == VIGIL_OK)
        rc = vigil_buf_putc(b, ']');
    return rc;
}

static int
on_match(const struct vigil_detect_match *m, void *arg)
{
    struct rd_call *c = arg;
    struct rd_scratch *sc = c->sc;
    struct vigil_alert a;
    enum vigil_rc rc = VIGIL_OK;

    if (m->rule->kind != VIGIL_RULE_CORRELATION) {
        c->reported++;
        if (rule_is_windows(m->rule) != event_is_windows(m->event))
            return 0; /* a rule for another kind of log */
    }
    vigil_buf_reset(&sc->ev_json);
    vigil_buf_reset(&sc->m_json);
    if (m->event != NULL)
        rc = vigil_event_to_json(m->event, &sc->ev_json);
    if (rc == VIGIL_OK)
        rc = vigil_buf_putc(&sc->m_json, '{');
    for (size_t i = 0; i < m->nfields && rc == VIGIL_OK; i++) {
        if (i > 0)
            rc = vigil_buf_putc(&sc->m_json, ',');
        if (rc == VIGIL_OK)
            rc = vigil_buf_json_str(&sc->m_json, m->fields[i].name,
                                    m->fields[i].name_len);
        if (rc == VIGIL_OK)
            rc = vigil_buf_putc(&sc->m_json, ':');
        if (rc == VIGIL_OK)
            rc = vigil_buf_json_str(&sc->m_json, m->fields[i].text,
                                    m->fields[i].text_len);
    }
    if (rc == VIGIL_OK && m->rule->kind == VIGIL_RULE_CORRELATION) {
        rc = vigil_buf_printf(&sc->m_json, "%s\"correlation.count\":%llu",
                              m->nfields ? "," : "",
                              (unsigned long long)m->count);
        if (rc == VIGIL_OK && m->group != NULL) {
            rc = vigil_buf_printf(&sc->m_json, ",\"correlation.group\":");
            if (rc == VIGIL_OK)
                rc =
                    vigil_buf_json_str(&sc->m_json, m->group, strlen(m->group));
        }
        if (rc == VIGIL_OK)
            rc = put_summary(c->rd, &sc->m_json, m);
    }
    if (rc == VIGIL_OK)
        rc = vigil_buf_putc(&sc->m_json, '}');
    if (rc != VIGIL_OK) {
        c->rc = rc;
        return 1;
    }
    memset(&a, 0, sizeof(a));
    a.time_ns =
        m->event && m->event->time_ns ? m->event->time_ns : vigil_time_now();
    a.rule_id = m->rule->id[0] ? m->rule->id : m->rule->title;
    a.title = m->rule->title;
    a.level = m->rule->level;
    a.tags_json = m->rule->tags_json;
    a.event_json = sc->ev_json.len ? sc->ev_json.data : "{}";
    a.matched_json = sc->m_json.data;
    a.source = c->source;
    if ((rc = vigil_bus_publish_alert(c->bus, &a, c->batch)) != VIGIL_OK) {
        c->rc = rc;
        return 1;
    }
    c->alerts++;
    return 0;
}

/* Keeps ev (it fed a correlation) for later correlation summaries. */
static void
remember(struct daemon_detect *rd, struct rd_scratch *sc,
         const struct vigil_event *ev)
{
    const struct vigil_field *f = vigil_event_get(ev, "message");
    struct rd_ring_entry *e;
    size_t n;

    vigil_buf_reset(&sc->ev_json);
    if (vigil_event_to_json(ev, &sc->ev_json) != VIGIL_OK)
        return;
    pthread_mutex_lock(&rd->ring_lock);
    e = &rd->ring[rd->ring_next];
    rd->ring_next = (rd->ring_next + 1) % RD_RING;
    if (rd->ring_used < RD_RING)
        rd->ring_used++;
    e->time_ns = ev->time_ns;
    n = sc->ev_json.len < RD_RING_JSON ? sc->ev_json.len : RD_RING_JSON;
    memcpy(e->json, sc->ev_json.data, n);
    e->json_len = (uint32_t)n;
    n = f ? f->text_len : 0;
    if (n >= RD_RING_MSG)
        n = RD_RING_MSG - 1;
    if (n > 0)
        memcpy(e->msg, f->text, n);
    e->msg[n] = '\0';
    pthread_mutex_unlock(&rd->ring_lock);
}

enum vigil_rc
daemon_detect_event(struct daemon_detect *rd, struct vigil_bus *bus,
                    const struct vigil_event *ev, const char *source,
                    struct vigil_store_batch *batch)
{
    struct rd_call c;
    size_t found = 0;
    enum vigil_rc rc;

    if (ev->time_ns > 0) {
        int64_t seen = __atomic_load_n(&rd->max_event_ns, __ATOMIC_RELAXED);
        while (ev->time_ns > seen && !__atomic_compare_exchange_n(
                                         &rd->max_event_ns, &seen, ev->time_ns,
                                         1, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            ;
    }
    memset(&c, 0, sizeof(c));
    c.rd = rd;
    c.bus = bus;
    c.batch = batch;
    c.source = source;
    c.ev = ev;
    if ((c.sc = scratch_get(rd)) == NULL)
        return VIGIL_ENOMEM;
    rc = vigil_detect_match(c.sc->dc, ev, on_match, &c, &found);
    if (rc == VIGIL_OK)
        rc = c.rc;
    /* matched rules the engine did not report: correlation building
     * blocks */
    if (rc == VIGIL_OK && found > c.reported)
        remember(rd, c.sc, ev);
    scratch_put(rd, c.sc);
    return rc;
}

/* The configuration's placeholders as the engine takes them; borrow
 * cfg's strings, so cfg must outlive the rule load. */
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

enum vigil_rc
daemon_detect_new(struct daemon_detect **out,
                  const struct vigil_detect_config *cfg, const char *state_dir,
                  struct vigil_err *err)
{
    struct vigil_detect_opts opts;
    struct vigil_detect_placeholder *ph = NULL;
    struct daemon_detect *rd;
    char builtin[PATH_MAX];
    enum vigil_rc rc = VIGIL_OK;

    *out = NULL;
    if ((rd = calloc(1, sizeof(*rd))) == NULL ||
        (rd->ring = calloc(RD_RING, sizeof(*rd->ring))) == NULL ||
        (ph = calloc(VIGIL_DETECT_MAX_PLACEHOLDERS, sizeof(*ph))) == NULL) {
        if (rd != NULL)
            free(rd->ring);
        free(rd);
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&rd->lock, NULL);
    pthread_mutex_init(&rd->ring_lock, NULL);
    memset(&opts, 0, sizeof(opts));
    opts.report = on_report;
    opts.report_arg = rd;
    opts.placeholders = ph;
    opts.nplaceholders = placeholders_of(cfg, ph);
    if (vigil_cache_dir(state_dir, rd->cache_dir, sizeof(rd->cache_dir)))
        opts.cache_dir = rd->cache_dir;
    if ((rc = vigil_detect_new(&rd->d, &opts, err)) != VIGIL_OK)
        goto fail;
    if (cfg->builtin_rules) {
        if (!vigil_detect_find_pack(builtin, sizeof(builtin))) {
            rc = vigil_err_set(err, VIGIL_ENOTFOUND,
                               "vigil's rule pack not found (looked for "
                               "share/vigil/rules beside the binary and "
                               "the source tree's rules/); set "
                               "builtin_rules: false to run without it");
            goto fail;
        }
        if ((rc = vigil_detect_add_path(rd->d, builtin, err)) != VIGIL_OK)
            goto fail;
    }
    for (size_t i = 0; i < cfg->nrule_dirs; i++)
        if ((rc = vigil_detect_add_path(rd->d, cfg->rule_dirs[i], err)) !=
            VIGIL_OK)
            goto fail;
    if ((rc = vigil_detect_compile(rd->d, err)) != VIGIL_OK)
        goto fail;
    vigil_detect_get_stats(rd->d, &rd->st);
    free(ph); /* placeholders are expanded while rules load */
    *out = rd;
    return VIGIL_OK;
fail:
    free(ph);
    daemon_detect_free(rd);
    return rc;
}

void
daemon_detect_log(const struct daemon_detect *rd)
{
    if (rd == NULL)
        return;
    static const char *const cache[] = {
        "", "; literal databases read from the cache",
        "; literal databases compiled and cached"};
    vigil_log(VIGIL_LOG_INFO, 1161,
              "detection: %llu rules, %llu correlations, %llu filters from "
              "%llu files; %llu refused%s",
              (unsigned long long)rd->st.loaded,
              (unsigned long long)rd->st.correlations,
              (unsigned long long)rd->st.filters,
              (unsigned long long)rd->st.files,
              (unsigned long long)rd->st.refused,
              cache[rd->st.cache >= 0 && rd->st.cache <= 2 ? rd->st.cache : 0]);
}

int
daemon_detect_worse(const struct daemon_detect *nrd,
                    const struct daemon_detect *ord, struct vigil_err *err)
{
    if (ord == NULL || nrd->st.refused <= ord->st.refused)
        return 0;
    vigil_err_set(err, VIGIL_EPARSE,
                  "the new rules refuse %llu rules, the running ones %llu "
                  "(first refused: %s)",
                  (unsigned long long)nrd->st.refused,
                  (unsigned long long)ord->st.refused, nrd->first_refused);
    return 1;
}

enum vigil_rc
daemon_detect_tick(struct daemon_detect *rd, struct vigil_bus *bus,
                   struct vigil_store *store, int final)
{
    struct vigil_store_batch *b;
    struct rd_call c;
    struct vigil_err err = {0};
    enum vigil_rc rc;

    if (rd == NULL || rd->st.correlations == 0 ||
        __atomic_load_n(&rd->max_event_ns, __ATOMIC_RELAXED) == 0)
        return VIGIL_OK;
    memset(&c, 0, sizeof(c));
    c.rd = rd;
    c.bus = bus;
    if ((c.sc = scratch_get(rd)) == NULL)
        return VIGIL_ENOMEM;
    if ((b = vigil_store_batch_new_for(store)) == NULL) {
        scratch_put(rd, c.sc);
        return VIGIL_ENOMEM;
    }
    c.batch = b;
    c.source = "correlation";
    /* At the end of the input every window has ended; INT64_MAX / 2 keeps
     * the engine's window arithmetic clear of overflow. */
    rc = vigil_detect_corr_tick(
        c.sc->dc,
        final ? INT64_MAX / 2
              : __atomic_load_n(&rd->max_event_ns, __ATOMIC_RELAXED),
        on_match, &c);
    scratch_put(rd, c.sc);
    if (rc == VIGIL_OK)
        rc = c.rc;
    if (rc != VIGIL_OK || c.alerts == 0) {
        vigil_store_batch_free(b);
        return rc;
    }
    return vigil_store_submit(store, b, NULL, NULL, &err);
}

void
daemon_detect_free(struct daemon_detect *rd)
{
    if (rd == NULL)
        return;
    for (size_t i = 0; i < rd->nidle; i++)
        scratch_free(rd->idle[i]);
    vigil_detect_free(rd->d);
    pthread_mutex_destroy(&rd->lock);
    pthread_mutex_destroy(&rd->ring_lock);
    free(rd->ring);
    free(rd);
}
