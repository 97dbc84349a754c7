/* detect_session.c -- one detection session: the policy both the daemon
 * (live) and `vigil hunt` (offline) run events through, so that they
 * raise the same alerts on the same input.
 *
 * It owns:
 *  - which rules may fire on which events: by the family the event's
 *    decoder declares (EVTX: Windows rules; syslog/auth and auditd: Linux
 *    rules; access logs: webserver rules; JSON lines, CEF, raw: Windows
 *    rules when the event has a Channel, every other rule otherwise). The
 *    building blocks of correlations are gated the same way.
 *  - correlation building blocks: the matcher reports them (m->block)
 *    instead of feeding them itself. Live, the session feeds them at once
 *    (events come in time order, more or less, and the correlation alert
 *    lands in the batch of the event that completed it). Offline, workers
 *    see files in parallel, out of time order: each worker keeps its hits
 *    (the event's fields copied once, plus the rule) and finish() feeds
 *    them sorted by time, then file, then record, from one thread.
 *  - the one function that turns a match into a struct vigil_alert
 *    (detect_alert_make), with one JSON shape for the matched fields.
 *  - finish(): closes every open correlation window, so lt/lte/eq
 *    conditions are decided at the end of the input. Windows otherwise
 *    close by event time (the newest event seen), never by the clock.
 *
 * Threads: a worker (engine context and buffers) belongs to one thread at
 * a time; live callers take one from the pool per event. The ring of
 * recent building-block events (named in correlation alerts) has its own
 * lock, taken only for building blocks and correlation alerts. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect/detect_int.h"
#include "ingest/ingest.h"
#include "store/store.h"

#define SES_MAX_WORKERS  80  /* live sources (64) + the tick + margin */
#define SES_RING         512 /* building-block events remembered */
#define SES_RING_JSON    2048
#define SES_RING_MSG     240
#define SES_SUMMARY_MAX  20 /* events listed in one correlation alert */
#define SES_ID_MAX       96
#define SES_EVENT_JSON   (4u * 1024 * 1024)
#define SES_MATCHED_JSON (1024u * 1024)
#define SES_KEEP_MAX     20000000u
#define SES_KEEP_ARENA   ((size_t)2 * 1024 * 1024 * 1024)
#define SES_GROUP_KEYS   8
/* offline, windows are decided every this much event time in the replay */
#define SES_REPLAY_TICK_NS (10LL * 1000000000LL)

enum { LS_WINDOWS = 1, LS_LINUX = 2, LS_WEB = 4 };

/* A building-block hit kept for the replay (offline). The fields are
 * copied once per event and shared by its hits. */
struct ses_kept {
    int64_t time_ns;
    uint64_t seq;
    uint32_t file;
    uint32_t rule;
    uint16_t nfields;
    uint8_t family;
    struct vigil_field *fields;
};

struct ses_ring_entry {
    int64_t time_ns;
    char id[SES_ID_MAX];
    uint32_t json_len;
    char json[SES_RING_JSON];
    char msg[SES_RING_MSG];
};

struct vigil_detect_worker {
    struct vigil_detect_session *s;
    struct vigil_detect_worker *next; /* every worker of the session */
    struct vigil_detect_ctx *ctx;
    struct vigil_buf ev_json;
    struct vigil_buf m_json;
    struct vigil_arena keep;
    struct ses_kept *kept;
    size_t nkept, capkept;
    /* the event being matched */
    const struct vigil_event *ev;
    uint32_t file;
    uint64_t seq;
    struct vigil_field *copy; /* its fields once kept, or NULL */
    int channel;              /* has a Channel field: -1 not looked yet */
    int fed;                  /* it fed a correlation (live) */
    int limited;              /* a hit could not be kept */
    vigil_detect_alert_fn fn;
    void *arg;
    enum vigil_rc rc;
};

struct vigil_detect_session {
    const struct vigil_detect *d;
    struct vigil_detect_session_opts o;
    uint8_t *ls;   /* per rule: LS_* of its logsource */
    uint8_t *mute; /* per rule: raises no alert (opts.wants) */
    uint32_t nalerting;
    pthread_mutex_t lock; /* the worker list and the idle pool */
    struct vigil_detect_worker *all;
    struct vigil_detect_worker *idle[SES_MAX_WORKERS];
    size_t nidle, nworkers;
    pthread_mutex_t ring_lock;
    struct ses_ring_entry *ring;
    size_t ring_next, ring_used;
    int64_t max_event_ns;  /* the clock correlation windows close by */
    int64_t event_tick_ns; /* live: when windows were last decided */
};

/* ---- the alert ---- */

/* The group-by values of a correlation match ("k=v,k=v") as the JSON
 * text an event holding them contains: "k":"v" (strings, addresses) or
 * "k":v (numbers). Built once per alert, not per remembered event. */
/* A group's key=value pairs as they appear in an event's JSON. A key
 * that is a correlation alias ("source" for IpAddress) is not a field of
 * the event: then its value alone, as a JSON string value, must be. */
struct ses_needles {
    size_t n;
    char str[SES_GROUP_KEYS][300];
    char num[SES_GROUP_KEYS][300];
    char key[SES_GROUP_KEYS][132];
    char val[SES_GROUP_KEYS][168];
    size_t str_len[SES_GROUP_KEYS], num_len[SES_GROUP_KEYS];
    size_t key_len[SES_GROUP_KEYS], val_len[SES_GROUP_KEYS];
};

static void
needles_build(struct ses_needles *nd, const char *group)
{
    const char *p = group;

    nd->n = 0;
    while (p != NULL && *p != '\0' && nd->n < SES_GROUP_KEYS) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', n);

        if (eq != NULL) {
            int kl = (int)(eq - p), vl = (int)(n - (size_t)kl - 1);
            int w1 = snprintf(nd->str[nd->n], sizeof(nd->str[0]),
                              "\"%.*s\":\"%.*s\"", kl, p, vl, eq + 1);
            int w2 = snprintf(nd->num[nd->n], sizeof(nd->num[0]),
                              "\"%.*s\":%.*s", kl, p, vl, eq + 1);
            int w3 = snprintf(nd->key[nd->n], sizeof(nd->key[0]),
                              "\"%.*s\":", kl, p);
            int w4 = snprintf(nd->val[nd->n], sizeof(nd->val[0]), ":\"%.*s\"",
                              vl, eq + 1);
            if (w1 > 0 && (size_t)w1 < sizeof(nd->str[0]) && w2 > 0 &&
                (size_t)w2 < sizeof(nd->num[0]) && w3 > 0 &&
                (size_t)w3 < sizeof(nd->key[0]) && w4 > 0 &&
                (size_t)w4 < sizeof(nd->val[0])) {
                nd->str_len[nd->n] = (size_t)w1;
                nd->num_len[nd->n] = (size_t)w2;
                nd->key_len[nd->n] = (size_t)w3;
                nd->val_len[nd->n] = (size_t)w4;
                nd->n++;
            }
        }
        p = end ? end + 1 : NULL;
    }
}

/* Does the ring entry hold every group-by value? */
static int
group_matches(const struct ses_ring_entry *e, const struct ses_needles *nd)
{
    for (size_t i = 0; i < nd->n; i++) {
        if (memmem(e->json, e->json_len, nd->str[i], nd->str_len[i]) ||
            memmem(e->json, e->json_len, nd->num[i], nd->num_len[i]))
            continue;
        if (memmem(e->json, e->json_len, nd->key[i], nd->key_len[i]) ||
            !memmem(e->json, e->json_len, nd->val[i], nd->val_len[i]))
            return 0;
    }
    return 1;
}

static enum vigil_rc
put_event_item(struct vigil_buf *b, int64_t t, const char *id, const char *msg,
               size_t len)
{
    char ts[40];
    enum vigil_rc rc = VIGIL_OK;

    vigil_time_format(t, ts);
    VIGIL_TRY(vigil_buf_printf(b, "{\"time\":\"%s\",\"id\":", ts));
    VIGIL_TRY(vigil_buf_json_str(b, id, strlen(id)));
    VIGIL_TRY(vigil_buf_printf(b, ",\"message\":"));
    VIGIL_TRY(vigil_buf_json_str(b, msg, len));
    VIGIL_TRY(vigil_buf_putc(b, '}'));
out:
    return rc;
}

/* Appends ,"correlation.events":[...]: the first events of the match's
 * window the ring still remembers (at most SES_SUMMARY_MAX, the
 * completing one last), oldest first. */
static enum vigil_rc
put_events(struct vigil_detect_session *s, struct vigil_buf *b,
           const struct vigil_detect_match *m)
{
    size_t idx[SES_SUMMARY_MAX] = {0}, n = 0; /* zeroed for cppcheck */
    struct ses_needles nd;
    size_t want =
        (size_t)(m->count < SES_SUMMARY_MAX ? m->count : SES_SUMMARY_MAX);
    enum vigil_rc rc;
    int first = 1;

    if (m->event != NULL && want > 0)
        want--; /* the completing event is listed last */
    rc = vigil_buf_printf(b, ",\"correlation.events\":[");
    if (s != NULL) {
        needles_build(&nd, m->group);
        pthread_mutex_lock(&s->ring_lock);
        /* oldest first: from the oldest entry the ring holds */
        for (size_t k = s->ring_used; k-- > 0 && n < want;) {
            size_t i = (s->ring_next + SES_RING - 1 - k) % SES_RING;
            const struct ses_ring_entry *e = &s->ring[i];
            if (e->time_ns >= m->first_ns && e->time_ns <= m->time_ns &&
                group_matches(e, &nd))
                idx[n++] = i;
        }
        for (size_t j = 0; rc == VIGIL_OK && j < n; j++) {
            const struct ses_ring_entry *e = &s->ring[idx[j]];
            if (!first)
                rc = vigil_buf_putc(b, ',');
            if (rc == VIGIL_OK)
                rc = put_event_item(b, e->time_ns, e->id, e->msg,
                                    strlen(e->msg));
            first = 0;
        }
        pthread_mutex_unlock(&s->ring_lock);
    }
    if (rc == VIGIL_OK && m->event != NULL) {
        const struct vigil_field *f = vigil_event_get(m->event, "message");
        if (!first)
            rc = vigil_buf_putc(b, ',');
        if (rc == VIGIL_OK)
            rc = put_event_item(b, m->event->time_ns, "", f ? f->text : "",
                                f ? f->text_len : 0);
    }
    if (rc == VIGIL_OK)
        rc = vigil_buf_putc(b, ']');
    return rc;
}

enum vigil_rc
detect_alert_make(struct vigil_detect_session *s,
                  const struct vigil_detect_match *m, int event_json,
                  struct vigil_buf *ev_json, struct vigil_buf *m_json,
                  struct vigil_alert *a)
{
    const struct vigil_rule_info *r = m->rule;
    enum vigil_rc rc = VIGIL_OK;

    vigil_buf_reset(ev_json);
    vigil_buf_reset(m_json);
    if (m->event != NULL && event_json)
        VIGIL_TRY(vigil_event_to_json(m->event, ev_json));
    VIGIL_TRY(vigil_buf_putc(m_json, '{'));
    for (size_t i = 0; i < m->nfields; i++) {
        if (i > 0)
            VIGIL_TRY(vigil_buf_putc(m_json, ','));
        VIGIL_TRY(vigil_buf_json_str(m_json, m->fields[i].name,
                                     m->fields[i].name_len));
        VIGIL_TRY(vigil_buf_putc(m_json, ':'));
        VIGIL_TRY(vigil_buf_json_str(m_json, m->fields[i].text,
                                     m->fields[i].text_len));
    }
    if (r->kind == VIGIL_RULE_CORRELATION) {
        VIGIL_TRY(vigil_buf_printf(m_json, "%s\"correlation.count\":%llu",
                                   m->nfields ? "," : "",
                                   (unsigned long long)m->count));
        if (m->group != NULL) {
            VIGIL_TRY(vigil_buf_printf(m_json, ",\"correlation.group\":"));
            VIGIL_TRY(vigil_buf_json_str(m_json, m->group, strlen(m->group)));
        }
        if (m->first_ns != 0 || m->time_ns != 0) {
            char t0[40], t1[40];
            vigil_time_format(m->first_ns ? m->first_ns : m->time_ns, t0);
            vigil_time_format(m->time_ns, t1);
            VIGIL_TRY(vigil_buf_printf(m_json,
                                       ",\"correlation.first\":\"%s\","
                                       "\"correlation.last\":\"%s\"",
                                       t0, t1));
        }
        VIGIL_TRY(vigil_buf_printf(m_json, ",\"correlation.suppressed\":%llu",
                                   (unsigned long long)m->suppressed));
        VIGIL_TRY(put_events(s, m_json, m));
    }
    VIGIL_TRY(vigil_buf_putc(m_json, '}'));
    memset(a, 0, sizeof(*a));
    a->time_ns = m->time_ns;
    /* an event without a time alerts now, live; offline it stays 0 so
     * the same input gives the same alerts */
    if (a->time_ns == 0 && (s == NULL || !s->o.offline))
        a->time_ns = vigil_time_now();
    a->rule_id = r->id[0] ? r->id : r->title;
    a->rule_name = r->name[0] ? r->name : NULL;
    a->title = r->title;
    a->level = r->level;
    a->tags_json = r->tags_json;
    a->event_json = ev_json->len ? ev_json->data : "{}";
    a->matched_json = m_json->data;
out:
    return rc;
}

/* ---- which rules run where ---- */

static uint8_t
ls_flags(const struct det_rule *r)
{
    uint8_t f = 0;

    if (r->ls_product != NULL && strcasecmp(r->ls_product, "windows") == 0)
        f |= LS_WINDOWS;
    if (r->ls_product != NULL && strcasecmp(r->ls_product, "linux") == 0)
        f |= LS_LINUX;
    if (r->ls_category != NULL && strcasecmp(r->ls_category, "webserver") == 0)
        f |= LS_WEB;
    return f;
}

/* May the rule fire on the worker's current event? */
static int
allowed(struct vigil_detect_worker *w, uint32_t rule)
{
    uint8_t ls = w->s->ls[rule];

    switch (w->ev->family) {
    case VIGIL_FAMILY_WINDOWS:
        return (ls & LS_WINDOWS) != 0;
    case VIGIL_FAMILY_LINUX:
        return (ls & LS_LINUX) != 0;
    case VIGIL_FAMILY_WEB:
        return (ls & LS_WEB) != 0;
    default:
        /* a Windows event rendered as JSON is a Windows event */
        if (w->channel < 0)
            w->channel = vigil_event_getn(w->ev, "Channel", 7) != NULL;
        if (w->channel)
            return (ls & LS_WINDOWS) != 0;
        /* a product's rule only on that product's records (a Zeek rule's
         * `not selection` holds for any other line) */
        const char *pr = w->s->d->rules[rule].ls_product;
        return (ls & LS_WINDOWS) == 0 &&
               (pr == NULL || detect_logsource_product_ok(
                                  pr, w->s->d->rules[rule].ls_service, w->ev));
    }
}

/* ---- matching ---- */

static int
emit(struct vigil_detect_worker *w, const struct vigil_detect_match *m)
{
    struct vigil_detect_session *s = w->s;
    struct vigil_detect_alert da;
    struct vigil_alert a = {0};
    enum vigil_rc rc;

    rc = detect_alert_make(s, m, !s->o.no_event_json, &w->ev_json, &w->m_json,
                           &a);
    if (rc == VIGIL_OK && w->fn != NULL) {
        da.alert = &a;
        da.rule = m->rule;
        da.event = m->event;
        da.file = m->event ? w->file : UINT32_MAX;
        da.seq = m->event ? w->seq : 0;
        da.group = m->rule->kind == VIGIL_RULE_CORRELATION ? m->group : NULL;
        da.source = m->source;
        da.count = m->count;
        rc = w->fn(&da, w->arg);
    }
    if (rc != VIGIL_OK && w->rc == VIGIL_OK)
        w->rc = rc;
    return rc != VIGIL_OK;
}

static int
on_corr(const struct vigil_detect_match *m, void *arg)
{
    struct vigil_detect_worker *w = arg;

    if (w->s->mute[m->rule->index])
        return 0;
    return emit(w, m);
}

static enum vigil_rc
keep_hit(struct vigil_detect_worker *w, uint32_t rule)
{
    const struct vigil_event *ev = w->ev;
    struct ses_kept *k;

    if (w->nkept >= SES_KEEP_MAX)
        return VIGIL_ELIMIT;
    if (w->nkept == w->capkept) {
        size_t cap = w->capkept ? w->capkept * 2 : 1024;
        struct ses_kept *v = realloc(w->kept, cap * sizeof(*v));

        if (v == NULL)
            return VIGIL_ENOMEM;
        w->kept = v;
        w->capkept = cap;
    }
    if (w->copy == NULL) {
        struct vigil_field *f =
            vigil_arena_alloc(&w->keep, (size_t)ev->nfields * sizeof(*f) + 1);

        if (f == NULL)
            return VIGIL_ELIMIT;
        for (uint16_t i = 0; i < ev->nfields; i++) {
            const struct vigil_field *src = &ev->fields[i];

            f[i] = *src;
            f[i].name = vigil_arena_strndup(&w->keep, src->name, src->name_len);
            f[i].text = vigil_arena_strndup(&w->keep, src->text, src->text_len);
            if (f[i].name == NULL || f[i].text == NULL)
                return VIGIL_ELIMIT;
        }
        w->copy = f;
    }
    k = &w->kept[w->nkept++];
    k->time_ns = ev->time_ns;
    k->seq = w->seq;
    k->file = w->file;
    k->rule = rule;
    k->nfields = ev->nfields;
    k->family = ev->family;
    k->fields = w->copy;
    return VIGIL_OK;
}

static int
on_match(const struct vigil_detect_match *m, void *arg)
{
    struct vigil_detect_worker *w = arg;
    struct vigil_detect_session *s = w->s;
    uint32_t rule = m->rule->index;

    if (!allowed(w, rule))
        return 0; /* a rule for another kind of log */
    if (m->block) {
        if (s->o.offline) {
            enum vigil_rc rc = keep_hit(w, rule);

            if (rc == VIGIL_ENOMEM) {
                w->rc = rc;
                return 1;
            }
            if (rc != VIGIL_OK)
                w->limited = 1;
        } else {
            w->fed = 1;
            detect_ctx_feed(w->ctx, rule, w->ev, 0, on_corr, w);
            if (w->rc != VIGIL_OK)
                return 1;
        }
        if (!m->alerts)
            return 0;
    }
    if (s->mute[rule])
        return 0;
    return emit(w, m);
}

/* Remembers ev (it fed a correlation) for the alerts' event lists. */
static void
ring_push(struct vigil_detect_worker *w, const struct vigil_event *ev)
{
    struct vigil_detect_session *s = w->s;
    const struct vigil_field *f = vigil_event_get(ev, "message");
    struct ses_ring_entry *e;
    size_t n;

    char id[SES_ID_MAX];

    vigil_buf_reset(&w->ev_json);
    if (vigil_event_to_json(ev, &w->ev_json) != VIGIL_OK)
        return;
    if (s->o.offline && s->o.event_id != NULL) {
        id[0] = '\0';
        s->o.event_id(w->file, w->seq, id, sizeof(id), s->o.arg);
    } else if (s->o.offline) {
        snprintf(id, sizeof(id), "%u:%llu", w->file,
                 (unsigned long long)w->seq);
    } else {
        const char *src = detect_ctx_source(w->ctx);
        snprintf(id, sizeof(id), "%s@%llu", src ? src : "",
                 (unsigned long long)ev->offset);
    }
    pthread_mutex_lock(&s->ring_lock);
    e = &s->ring[s->ring_next];
    s->ring_next = (s->ring_next + 1) % SES_RING;
    if (s->ring_used < SES_RING)
        s->ring_used++;
    e->time_ns = ev->time_ns;
    memcpy(e->id, id, sizeof(id));
    n = w->ev_json.len < SES_RING_JSON ? w->ev_json.len : SES_RING_JSON;
    memcpy(e->json, w->ev_json.data, n);
    e->json_len = (uint32_t)n;
    n = f ? f->text_len : 0;
    if (n >= SES_RING_MSG)
        n = SES_RING_MSG - 1;
    if (n > 0)
        memcpy(e->msg, f->text, n);
    e->msg[n] = '\0';
    pthread_mutex_unlock(&s->ring_lock);
}

enum vigil_rc
vigil_detect_worker_match(struct vigil_detect_worker *w,
                          const struct vigil_event *ev, uint32_t file,
                          uint64_t seq, vigil_detect_alert_fn fn, void *arg)
{
    struct vigil_detect_session *s = w->s;
    enum vigil_rc rc;

    if (ev->time_ns > 0) {
        int64_t seen = __atomic_load_n(&s->max_event_ns, __ATOMIC_RELAXED);
        while (ev->time_ns > seen && !__atomic_compare_exchange_n(
                                         &s->max_event_ns, &seen, ev->time_ns,
                                         1, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            ;
    }
    w->ev = ev;
    w->file = file;
    w->seq = seq;
    w->copy = NULL;
    w->channel = -1;
    w->fed = 0;
    w->limited = 0;
    w->fn = fn;
    w->arg = arg;
    w->rc = VIGIL_OK;
    rc = vigil_detect_match(w->ctx, ev, on_match, w, NULL);
    if (rc == VIGIL_OK)
        rc = w->rc;
    if (rc == VIGIL_OK && w->fed)
        ring_push(w, ev);
    if (rc == VIGIL_OK && w->limited)
        rc = VIGIL_ELIMIT;
    return rc;
}

/* ---- the session ---- */

static void
worker_free(struct vigil_detect_worker *w)
{
    vigil_detect_ctx_free(w->ctx);
    vigil_buf_fini(&w->ev_json);
    vigil_buf_fini(&w->m_json);
    vigil_arena_fini(&w->keep);
    free(w->kept);
    free(w);
}

enum vigil_rc
vigil_detect_session_new(struct vigil_detect_session **out,
                         const struct vigil_detect *d,
                         const struct vigil_detect_session_opts *o,
                         struct vigil_err *err)
{
    struct vigil_detect_session *s = calloc(1, sizeof(*s));
    size_t n = d->nrules;

    *out = NULL;
    if (s == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    if (o != NULL)
        s->o = *o;
    s->d = d;
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->ring_lock, NULL);
    s->ls = calloc(n + 1, 1);
    s->mute = calloc(n + 1, 1);
    s->ring = calloc(SES_RING, sizeof(*s->ring));
    if (s->ls == NULL || s->mute == NULL || s->ring == NULL) {
        vigil_detect_session_free(s);
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const struct det_rule *r = &d->rules[i];

        s->ls[i] = ls_flags(r);
        s->mute[i] = r->info.kind == VIGIL_RULE_FILTER ||
                     (s->o.wants != NULL && !s->o.wants(&r->info, s->o.arg));
        if (!s->mute[i] && r->generate)
            s->nalerting++;
    }
    s->o.wants = NULL; /* called here only; o.arg stays for event_id */
    *out = s;
    return VIGIL_OK;
}

void
vigil_detect_session_free(struct vigil_detect_session *s)
{
    if (s == NULL)
        return;
    while (s->all != NULL) {
        struct vigil_detect_worker *w = s->all;

        s->all = w->next;
        worker_free(w);
    }
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->ring_lock);
    free(s->ls);
    free(s->mute);
    free(s->ring);
    free(s);
}

uint32_t
vigil_detect_session_alerting(const struct vigil_detect_session *s)
{
    return s->nalerting;
}

enum vigil_rc
vigil_detect_session_worker(struct vigil_detect_session *s,
                            struct vigil_detect_worker **out,
                            struct vigil_err *err)
{
    struct vigil_detect_worker *w = calloc(1, sizeof(*w));
    enum vigil_rc rc;

    *out = NULL;
    if (w == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    w->s = s;
    vigil_buf_init(&w->ev_json, SES_EVENT_JSON);
    vigil_buf_init(&w->m_json, SES_MATCHED_JSON);
    vigil_arena_init(&w->keep, 1 << 20, SES_KEEP_ARENA);
    if ((rc = vigil_detect_ctx_new(&w->ctx, s->d, err)) != VIGIL_OK) {
        worker_free(w);
        return rc;
    }
    detect_ctx_defer_corr(w->ctx);
    pthread_mutex_lock(&s->lock);
    w->next = s->all;
    s->all = w;
    s->nworkers++;
    pthread_mutex_unlock(&s->lock);
    *out = w;
    return VIGIL_OK;
}

/* A worker from the idle pool, or a new one (live callers). */
static struct vigil_detect_worker *
pool_get(struct vigil_detect_session *s)
{
    struct vigil_detect_worker *w = NULL;
    struct vigil_err err = {0};
    int create = 0;

    pthread_mutex_lock(&s->lock);
    if (s->nidle > 0)
        w = s->idle[--s->nidle];
    else if (s->nworkers < SES_MAX_WORKERS)
        create = 1;
    pthread_mutex_unlock(&s->lock);
    if (w == NULL && create)
        vigil_detect_session_worker(s, &w, &err);
    return w;
}

static void
pool_put(struct vigil_detect_session *s, struct vigil_detect_worker *w)
{
    pthread_mutex_lock(&s->lock);
    s->idle[s->nidle++] = w;
    pthread_mutex_unlock(&s->lock);
}

static enum vigil_rc close_windows(struct vigil_detect_session *s,
                                   int64_t now_ns, int finish,
                                   struct vigil_store_batch *batch,
                                   vigil_detect_alert_fn fn, void *arg);

/* Live: every SES_REPLAY_TICK_NS of event time, the windows that ended
 * are decided at once, as hunt's replay does, not only at the daemon's
 * tick: a backlog read in one go then gives the alerts (and their event
 * lists) hunt gives. One caller at a time does it. */
static enum vigil_rc
event_tick(struct vigil_detect_session *s, struct vigil_store_batch *batch,
           vigil_detect_alert_fn fn, void *arg)
{
    int64_t now = __atomic_load_n(&s->max_event_ns, __ATOMIC_RELAXED);
    int64_t last = __atomic_load_n(&s->event_tick_ns, __ATOMIC_RELAXED);

    if (now - last <= SES_REPLAY_TICK_NS ||
        !__atomic_compare_exchange_n(&s->event_tick_ns, &last, now, 0,
                                     __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        return VIGIL_OK;
    return close_windows(s, now, 0, batch, fn, arg);
}

enum vigil_rc
vigil_detect_session_match_in(struct vigil_detect_session *s,
                              const struct vigil_event *ev, const char *source,
                              struct vigil_store_batch *batch,
                              vigil_detect_alert_fn fn, void *arg)
{
    struct vigil_detect_worker *w = pool_get(s);
    enum vigil_rc rc;

    if (w == NULL)
        return VIGIL_ENOMEM;
    detect_ctx_io(w->ctx, source, batch);
    rc = vigil_detect_worker_match(w, ev, UINT32_MAX, 0, fn, arg);
    detect_ctx_io(w->ctx, NULL, NULL);
    pool_put(s, w);
    if (rc == VIGIL_OK && s->d->has_corr && !s->o.offline)
        rc = event_tick(s, batch, fn, arg);
    return rc;
}

enum vigil_rc
vigil_detect_session_match(struct vigil_detect_session *s,
                           const struct vigil_event *ev,
                           vigil_detect_alert_fn fn, void *arg)
{
    return vigil_detect_session_match_in(s, ev, NULL, NULL, fn, arg);
}

static int
cmp_kept(const void *pa, const void *pb)
{
    const struct ses_kept *a = *(const struct ses_kept *const *)pa;
    const struct ses_kept *b = *(const struct ses_kept *const *)pb;

    if (a->time_ns != b->time_ns)
        return a->time_ns < b->time_ns ? -1 : 1;
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    return a->rule < b->rule ? -1 : (a->rule > b->rule);
}

/* Offline: feeds every kept hit of every worker in time order. */
static enum vigil_rc
replay(struct vigil_detect_session *s, struct vigil_detect_worker *w)
{
    const struct ses_kept **all = NULL;
    struct vigil_event *ev = malloc(sizeof(*ev));
    struct vigil_arena arena;
    size_t total = 0, k = 0;
    int64_t ticked = 0;
    enum vigil_rc rc = VIGIL_OK;

    vigil_arena_init(&arena, 4096, 1 << 20);
    for (const struct vigil_detect_worker *x = s->all; x; x = x->next)
        total += x->nkept;
    all = calloc(total ? total : 1, sizeof(*all));
    if (all == NULL || ev == NULL) {
        rc = VIGIL_ENOMEM;
        goto out;
    }
    for (const struct vigil_detect_worker *x = s->all; x; x = x->next)
        for (size_t j = 0; j < x->nkept; j++)
            all[k++] = &x->kept[j];
    qsort(all, total, sizeof(*all), cmp_kept);
    vigil_event_init(ev, &arena);
    for (k = 0; k < total && rc == VIGIL_OK; k++) {
        const struct ses_kept *h = all[k];
        int first = k == 0 || all[k - 1]->fields != h->fields;
        int last = k + 1 == total || all[k + 1]->fields != h->fields;

        /* windows end by event time as they would live, while the ring
         * still holds their events for the alerts' lists */
        if (first && h->time_ns - ticked > SES_REPLAY_TICK_NS) {
            w->ev = NULL;
            rc = vigil_detect_corr_tick(w->ctx, h->time_ns, on_corr, w);
            if (rc == VIGIL_OK)
                rc = w->rc;
            if (rc != VIGIL_OK)
                break;
            ticked = h->time_ns;
        }

        if (first) {
            memcpy(ev->fields, h->fields, h->nfields * sizeof(*h->fields));
            ev->nfields = h->nfields;
            ev->time_ns = h->time_ns;
            ev->family = h->family;
        }
        w->ev = ev;
        w->file = h->file;
        w->seq = h->seq;
        detect_ctx_feed(w->ctx, h->rule, ev, first, on_corr, w);
        rc = w->rc;
        if (rc == VIGIL_OK && last)
            ring_push(w, ev);
    }
out:
    free(all);
    free(ev);
    vigil_arena_fini(&arena);
    return rc;
}

/* Decides the correlation windows that ended before now_ns. */
static enum vigil_rc
close_windows(struct vigil_detect_session *s, int64_t now_ns, int finish,
              struct vigil_store_batch *batch, vigil_detect_alert_fn fn,
              void *arg)
{
    struct vigil_detect_worker *w;
    enum vigil_rc rc = VIGIL_OK;

    if (!s->d->has_corr)
        return VIGIL_OK;
    if ((w = pool_get(s)) == NULL)
        return VIGIL_ENOMEM;
    w->fn = fn;
    w->arg = arg;
    w->rc = VIGIL_OK;
    if (finish && s->o.offline)
        rc = replay(s, w);
    w->ev = NULL;
    w->file = UINT32_MAX;
    w->seq = 0;
    detect_ctx_io(w->ctx, NULL, batch);
    if (rc == VIGIL_OK)
        rc = vigil_detect_corr_tick(w->ctx, now_ns, on_corr, w);
    if (rc == VIGIL_OK)
        rc = w->rc;
    detect_ctx_io(w->ctx, NULL, NULL);
    pool_put(s, w);
    return rc;
}

enum vigil_rc
vigil_detect_session_close_in(struct vigil_detect_session *s,
                              struct vigil_store_batch *batch, int final,
                              vigil_detect_alert_fn fn, void *arg)
{
    int64_t now = __atomic_load_n(&s->max_event_ns, __ATOMIC_RELAXED);

    if (final)
        return close_windows(s, INT64_MAX, 1, batch, fn, arg);
    if (s->o.offline || now == 0)
        return VIGIL_OK;
    return close_windows(s, now, 0, batch, fn, arg);
}

enum vigil_rc
vigil_detect_session_tick(struct vigil_detect_session *s,
                          vigil_detect_alert_fn fn, void *arg)
{
    return vigil_detect_session_close_in(s, NULL, 0, fn, arg);
}

enum vigil_rc
vigil_detect_session_finish(struct vigil_detect_session *s,
                            vigil_detect_alert_fn fn, void *arg)
{
    return vigil_detect_session_close_in(s, NULL, 1, fn, arg);
}

/* ---- correlation state across restarts and reloads ---- */

/* Windows close by the newest event time seen: a restored group must
 * not hold that clock back. */
static void
clock_at_least(struct vigil_detect_session *s, int64_t t)
{
    int64_t seen = __atomic_load_n(&s->max_event_ns, __ATOMIC_RELAXED);

    while (t > seen &&
           !__atomic_compare_exchange_n(&s->max_event_ns, &seen, t, 1,
                                        __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
}

struct ses_restore {
    struct vigil_detect_session *s;
    struct vigil_store_batch *drop; /* rows deleted: not ours any more */
    size_t restored, discarded;
    enum vigil_rc rc;
};

static int
restore_one(const char *component, const char *key, const void *blob,
            size_t len, int64_t updated_ns, void *arg)
{
    struct ses_restore *r = arg;
    enum vigil_rc rc;

    (void)component;
    (void)updated_ns;
    rc = detect_corr_state_load((struct vigil_detect *)r->s->d, key, blob, len);
    if (rc == VIGIL_OK) {
        r->restored++;
        return 0;
    }
    if (rc == VIGIL_ENOMEM) {
        r->rc = rc;
        return 1;
    }
    r->discarded++;
    if (vigil_store_batch_delete_state(r->drop, DET_STATE_COMPONENT, key) !=
        VIGIL_OK)
        r->rc = VIGIL_ENOMEM;
    return r->rc != VIGIL_OK;
}

static int
clock_of(const char *key, const void *blob, size_t len, int64_t last_ns,
         void *arg)
{
    (void)key;
    (void)blob;
    (void)len;
    clock_at_least(arg, last_ns);
    return 0;
}

enum vigil_rc
vigil_detect_session_restore(struct vigil_detect_session *s,
                             struct vigil_store *store, size_t *restored,
                             size_t *discarded, struct vigil_err *err)
{
    struct ses_restore r = {s, NULL, 0, 0, VIGIL_OK};
    enum vigil_rc rc = VIGIL_OK;

    if (!s->d->has_corr)
        goto out;
    if ((r.drop = vigil_store_batch_new_for(store)) == NULL) {
        rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        goto out;
    }
    rc = vigil_store_state_each(store, DET_STATE_COMPONENT, restore_one, &r,
                                err);
    if (rc == VIGIL_OK && r.rc != VIGIL_OK)
        rc = vigil_err_set(err, r.rc, "restoring correlation state: %s",
                           vigil_strerror(r.rc));
    detect_corr_state_each((struct vigil_detect *)s->d, clock_of, s);
    if (rc == VIGIL_OK && r.discarded > 0) {
        rc = vigil_store_commit(store, r.drop, err);
        r.drop = NULL;
    }
out:
    vigil_store_batch_free(r.drop);
    if (restored)
        *restored = r.restored;
    if (discarded)
        *discarded = r.discarded;
    return rc;
}

struct ses_take {
    struct vigil_detect *to;
    size_t moved;
};

static int
take_one(const char *key, const void *blob, size_t len, int64_t last_ns,
         void *arg)
{
    struct ses_take *t = arg;

    (void)last_ns;
    if (detect_corr_state_load(t->to, key, blob, len) == VIGIL_OK)
        t->moved++;
    return 0;
}

enum vigil_rc
vigil_detect_session_take(struct vigil_detect_session *s,
                          struct vigil_detect_session *from, size_t *moved)
{
    struct ses_take t = {(struct vigil_detect *)s->d, 0};
    enum vigil_rc rc = VIGIL_OK;

    if (s->d->has_corr && from->d->has_corr)
        rc = detect_corr_state_each((struct vigil_detect *)from->d, take_one,
                                    &t);
    clock_at_least(s, __atomic_load_n(&from->max_event_ns, __ATOMIC_RELAXED));
    if (moved)
        *moved = t.moved;
    return rc;
}

const struct vigil_detect *
vigil_detect_session_engine(const struct vigil_detect_session *s)
{
    return s->d;
}
