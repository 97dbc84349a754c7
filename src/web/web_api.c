/* web_api.c -- the route table and its handlers: the JSON API over
 * alerts (list with filters and keyset paging, detail, bulk triage,
 * counts by level per hour), rules and sources with their counters,
 * status, the web's own audit trail, users, Prometheus metrics, the
 * OpenAPI description made from the table itself, and the dashboard's
 * embedded pages.
 *
 * The other domains' handlers (incidents, response actions, release
 * checks, users) are in web_domains.c; the alert queue's SQL is the
 * store's (store_alerts.c). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"
#include "web_int.h"

#define PAGE_DEFAULT 50
#define PAGE_MAX     500
#define TRIAGE_MAX   500
#define SILENT_NS    (15LL * 60 * 1000000000LL)
#define HOUR_NS      3600000000000LL
/* how long the counts over many alerts (rules, per hour) are kept */
#define CACHE_NS (10LL * 1000000000LL)

int web_h_login(struct web_req *r);
int web_h_logout(struct web_req *r);

static int
store_fail(struct web_req *r, const struct vigil_err *err)
{
    vigil_log(VIGIL_LOG_ERROR, 2405, "web: %s %s: %s", r->method, r->path,
              err->msg);
    return web_fail(r, 500, "store error");
}

/* A JSON string of text (NULL: null) that never fails on bad UTF-8: each
 * byte that does not start a valid sequence becomes U+FFFD, so a row a
 * writer got wrong is shown, not dropped (FIND16 16). */
static json_t *
jstr(const char *text)
{
    json_t *j;
    size_t n, o = 0;
    char *clean;

    if (text == NULL)
        return json_null();
    if ((j = json_string(text)) != NULL)
        return j;
    n = strlen(text);
    if ((clean = malloc(n * 3 + 1)) == NULL)
        return json_null();
    for (size_t i = 0; i < n;) {
        const unsigned char *p = (const unsigned char *)text + i;
        size_t len = p[0] < 0x80             ? 1
                     : (p[0] & 0xE0) == 0xC0 ? 2
                     : (p[0] & 0xF0) == 0xE0 ? 3
                     : (p[0] & 0xF8) == 0xF0 ? 4
                                             : 0;
        int ok = len > 0 && i + len <= n;
        for (size_t k = 1; ok && k < len; k++)
            ok = (p[k] & 0xC0) == 0x80;
        /* overlong forms and surrogates, as jansson refuses them */
        if (ok && len == 2 && p[0] < 0xC2)
            ok = 0;
        if (ok && len == 3 &&
            ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0)))
            ok = 0;
        if (ok && len == 4 &&
            ((p[0] == 0xF0 && p[1] < 0x90) || p[0] > 0xF4 ||
             (p[0] == 0xF4 && p[1] >= 0x90)))
            ok = 0;
        if (ok) {
            memcpy(clean + o, p, len);
            o += len;
            i += len;
        } else {
            memcpy(clean + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        }
    }
    clean[o] = '\0';
    j = json_string(clean);
    free(clean);
    return j != NULL ? j : json_null();
}

static json_t *
json_or_null(const struct vigil_store_value *v)
{
    json_t *j;

    if (v->type != VIGIL_SV_TEXT)
        return json_null();
    j = json_loads(v->p, 0, NULL);
    return j != NULL ? j : jstr(v->p);
}

static json_t *
text_or_null(const struct vigil_store_value *v)
{
    return v->type == VIGIL_SV_TEXT ? jstr(v->p) : json_null();
}

static int
int_arg(struct web_req *r, const char *name, int64_t def, int64_t min,
        int64_t max, int64_t *out)
{
    const char *v = web_arg(r, name);
    char *end = NULL;
    long long n;

    *out = def;
    if (v == NULL)
        return 1;
    n = strtoll(v, &end, 10);
    if (end == v || *end != '\0' || n < min || n > max)
        return 0;
    *out = n;
    return 1;
}

/* ---- alerts ---- */

static int
level_ok(const char *l)
{
    static const char *const levels[] = {"informational", "low", "medium",
                                         "high", "critical"};

    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        if (strcmp(l, levels[i]) == 0)
            return 1;
    return 0;
}

/* The alert queue's SQL is the store's (vigil_store_alert_list and
 * friends, store_alerts.c); here are the request's checks and the JSON. */

static json_t *
alert_json(const struct vigil_alert_row *a)
{
    struct vigil_store_value m = vigil_sv_text(a->matched_json);
    struct vigil_store_value src = vigil_sv_text(a->source);
    struct vigil_store_value uid = vigil_sv_text(a->uid);
    struct vigil_store_value asg = vigil_sv_text(a->assignee);

    return json_pack("{s:I,s:o,s:I,s:o,s:o,s:o,s:o,s:o,s:s,s:o}", "id",
                     (json_int_t)a->id, "uid", text_or_null(&uid), "time_ns",
                     (json_int_t)a->time_ns, "rule_id", jstr(a->rule_id),
                     "title", jstr(a->title), "level", jstr(a->level), "source",
                     text_or_null(&src), "matched", json_or_null(&m), "state",
                     a->state, "assignee", text_or_null(&asg));
}

struct list_ctx {
    json_t *items;
    int64_t last_t, last_id, rows;
};

/* The cursor comes from the rows read, not the items made, so that a row
 * that could not be shown never ends the walk early. */
static int
list_row(const struct vigil_alert_row *a, void *arg)
{
    struct list_ctx *l = arg;

    l->rows++;
    json_array_append_new(l->items, alert_json(a));
    l->last_t = a->time_ns;
    l->last_id = a->id;
    return 0;
}

/* GET /api/alerts, and the file and network views (category set). */
static int
alert_page(struct web_req *r, const char *category)
{
    struct vigil_err err = {0};
    struct list_ctx l = {json_array(), 0, 0, 0};
    struct vigil_alert_filter f = {0};
    const char *sort = web_arg(r, "sort");
    const char *cursor = web_arg(r, "cursor");
    const char *state = web_arg(r, "state");
    int64_t until;

    f.level = web_arg(r, "level");
    f.rule = web_arg(r, "rule");
    f.state = state;
    f.source = web_arg(r, "source");
    f.text = web_arg(r, "q");
    f.category = category;
    f.oldest_first = sort != NULL && strcmp(sort, "time") == 0;
    if (!int_arg(r, "limit", PAGE_DEFAULT, 1, PAGE_MAX, &f.limit) ||
        !int_arg(r, "since", 0, 0, INT64_MAX, &f.since_ns) ||
        !int_arg(r, "until", INT64_MAX, 1, INT64_MAX, &until) ||
        (sort != NULL && !f.oldest_first && strcmp(sort, "-time") != 0) ||
        (f.level != NULL && !level_ok(f.level)) ||
        (state != NULL && strcmp(state, "new") != 0 &&
         strcmp(state, "acknowledged") != 0 && strcmp(state, "closed") != 0)) {
        json_decref(l.items);
        return web_fail(r, 400, "bad limit, since, until, sort or state");
    }
    f.until_ns = until == INT64_MAX ? 0 : until;
    if (cursor != NULL) {
        char *end = NULL;
        errno = 0;
        f.cursor_t = strtoll(cursor, &end, 10);
        if (end == cursor || *end != '.' || errno != 0 ||
            (f.cursor_id = strtoll(end + 1, &end, 10), *end != '\0') ||
            errno != 0) {
            json_decref(l.items);
            return web_fail(r, 400, "bad cursor");
        }
        f.has_cursor = 1;
    }
    if (vigil_store_alert_list(r->w->store, &f, list_row, &l, &err) !=
        VIGIL_OK) {
        json_decref(l.items);
        return store_fail(r, &err);
    }
    char next[64] = "";
    if (l.rows == f.limit)
        snprintf(next, sizeof(next), "%" PRId64 ".%" PRId64, l.last_t,
                 l.last_id);
    r->json = json_pack("{s:o,s:o}", "items", l.items, "next",
                        next[0] ? json_string(next) : json_null());
    return 0;
}

static int
h_alerts(struct web_req *r)
{
    return alert_page(r, NULL);
}

int
web_h_files(struct web_req *r)
{
    return alert_page(r, "file");
}

int
web_h_network(struct web_req *r)
{
    return alert_page(r, "network");
}

static int
detail_row(const struct vigil_alert_row *a, void *arg)
{
    json_t **out = arg;
    struct vigil_store_value ev = vigil_sv_text(a->event_json);
    struct vigil_store_value tags = vigil_sv_text(a->tags_json);

    *out = alert_json(a);
    json_object_set_new(*out, "event", json_or_null(&ev));
    json_object_set_new(*out, "tags", json_or_null(&tags));
    return 1;
}

static int
h_alert(struct web_req *r)
{
    struct vigil_err err = {0};
    json_t *a = NULL;

    if (vigil_store_alert_get(r->w->store, r->params[0], detail_row, &a,
                              &err) != VIGIL_OK)
        return store_fail(r, &err);
    if (a == NULL)
        return web_fail(r, 404, "no such alert");
    r->json = a;
    return 0;
}

struct user_find {
    const char *name;
    int found;
};

static int
user_is(const char *name, enum vigil_web_role role, int64_t created_ns,
        void *arg)
{
    struct user_find *f = arg;

    (void)role;
    (void)created_ns;
    f->found = strcmp(name, f->name) == 0;
    return f->found;
}

/* POST {"uids": [...], "state": "acknowledged", "assignee": "ana"}; no
 * "assignee" keeps each alert's, null clears it. */
static int
h_triage(struct web_req *r)
{
    struct vigil_err err = {0};
    json_t *in = json_loadb(r->body ? r->body : "", r->body_len, 0, NULL);
    json_t *uids = json_object_get(in, "uids");
    const char *state = json_string_value(json_object_get(in, "state"));
    json_t *asg = json_object_get(in, "assignee");
    const char *list[TRIAGE_MAX];
    int64_t total = 0;
    size_t i, n = 0;
    json_t *u;

    if (!json_is_array(uids) || json_array_size(uids) == 0 ||
        json_array_size(uids) > TRIAGE_MAX || state == NULL ||
        (strcmp(state, "new") != 0 && strcmp(state, "acknowledged") != 0 &&
         strcmp(state, "closed") != 0) ||
        (asg != NULL && !json_is_string(asg) && !json_is_null(asg))) {
        json_decref(in);
        return web_fail(r, 400,
                        "expected {\"uids\":[...], \"state\":\"new|"
                        "acknowledged|closed\", \"assignee\":...}");
    }
    json_array_foreach(uids, i, u)
    {
        if (!json_is_string(u) || strlen(json_string_value(u)) > 64) {
            json_decref(in);
            return web_fail(r, 400, "an alert uid is a string of 64 or fewer");
        }
        list[n++] = json_string_value(u);
    }
    /* the assignee is someone who can sign in, or nobody */
    struct user_find uf = {json_string_value(asg), 0};
    if (uf.name != NULL &&
        (vigil_web_user_each(r->w->store, user_is, &uf, &err) != VIGIL_OK ||
         !uf.found)) {
        json_decref(in);
        return err.rc != VIGIL_OK ? store_fail(r, &err)
                                  : web_fail(r, 400, "the assignee is no user");
    }
    if (vigil_store_alert_triage(r->w->store, list, n, state,
                                 json_string_value(asg), asg == NULL,
                                 r->who.user, &total, &err) != VIGIL_OK) {
        json_decref(in);
        return store_fail(r, &err);
    }
    json_t *detail = json_pack("{s:s,s:O,s:O}", "state", state, "assignee",
                               asg ? asg : json_null(), "uids", uids);
    /* a triage that changed nothing is no change to record */
    if (total > 0) {
        web_record_change(r->w, r->who.user, "alerts.triage", state, detail);
        web_triage_incidents(r, list, n, state);
    }
    json_decref(detail);
    json_decref(in);
    r->json = json_pack("{s:I}", "updated", (json_int_t)total);
    return 0;
}

static int
stats_row(const char *level, int64_t hour_ns, int64_t count, void *arg)
{
    json_array_append_new(arg, json_pack("{s:s,s:I,s:I}", "level", level,
                                         "hour_ns", (json_int_t)hour_ns,
                                         "count", (json_int_t)count));
    return 0;
}

static int
h_alert_stats(struct web_req *r)
{
    struct vigil_err err = {0};
    int64_t hours;
    json_t *rows = json_array();

    /* a week at most: the count walks every alert of the period */
    if (!int_arg(r, "hours", 24, 1, 24 * 7, &hours)) {
        json_decref(rows);
        return web_fail(r, 400, "hours is 1 to 168");
    }
    char key[64];
    snprintf(key, sizeof(key), "stats %" PRId64, hours);
    if ((r->json = web_cache_get(r->w, key, CACHE_NS)) != NULL) {
        json_decref(rows);
        return 0;
    }
    if (vigil_store_alert_hours(r->w->store, vigil_time_now() - hours * HOUR_NS,
                                stats_row, rows, &err) != VIGIL_OK) {
        json_decref(rows);
        return store_fail(r, &err);
    }
    r->json =
        json_pack("{s:I,s:o}", "hours", (json_int_t)hours, "buckets", rows);
    if (r->json != NULL)
        web_cache_put(r->w, key, r->json);
    return 0;
}

/* ---- rules, sources, status, actions, users ---- */

/* Every loaded rule (from the running detect component) with its alert
 * count and newest alert; rules that raised alerts but are no longer
 * loaded are listed too, as "loaded": false. */
static void
rule_loaded(const struct vigil_rule_info *ri, void *arg)
{
    json_t *o = arg;
    const char *key = ri->id[0] ? ri->id : ri->title;
    json_t *tags = json_loads(ri->tags_json, 0, NULL);

    json_object_set_new(o, key,
                        json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:b,s:o}",
                                  "rule_id", key, "title", ri->title, "level",
                                  ri->level, "status", ri->status, "file",
                                  ri->file, "alerts", (json_int_t)0, "last_ns",
                                  (json_int_t)0, "loaded", 1, "tags",
                                  tags ? tags : json_array()));
}

static int
rule_counted(const char *rule_id, int64_t last_ns, int64_t count, void *arg)
{
    json_t *o = arg, *e = json_object_get(o, rule_id);

    if (e == NULL) {
        e = json_pack("{s:s,s:s,s:s,s:b}", "rule_id", rule_id, "title", "",
                      "level", "", "loaded", 0);
        json_object_set_new(o, rule_id, e);
    }
    json_object_set_new(e, "alerts", json_integer(count));
    json_object_set_new(e, "last_ns", json_integer(last_ns));
    return 0;
}

static int
by_alerts(const void *a, const void *b)
{
    json_int_t x =
        json_integer_value(json_object_get(*(json_t *const *)a, "alerts"));
    json_int_t y =
        json_integer_value(json_object_get(*(json_t *const *)b, "alerts"));

    return x < y ? 1 : x > y ? -1 : 0;
}

static int
h_rules(struct web_req *r)
{
    struct vigil_err err = {0};
    const struct vigil_web_probe *pr = &r->w->probe;
    json_t *all, *rows, *v;
    const char *k;
    int loaded = 0;

    if ((r->json = web_cache_get(r->w, "rules", CACHE_NS)) != NULL)
        return 0;
    all = json_object();
    rows = json_array();
    if (pr->rules != NULL &&
        pr->rules(pr->arg, rule_loaded, all, &err) == VIGIL_OK)
        loaded = 1;
    if (vigil_store_alert_rules(r->w->store, rule_counted, all, &err) !=
        VIGIL_OK) {
        json_decref(all);
        json_decref(rows);
        return store_fail(r, &err);
    }
    json_object_foreach(all, k, v)
    {
        json_array_append(rows, v);
    }
    json_decref(all);
    if (json_array_size(rows) > 1) {
        size_t n = json_array_size(rows);
        json_t **tmp = malloc(n * sizeof(*tmp));
        if (tmp != NULL) {
            for (size_t i = 0; i < n; i++)
                tmp[i] = json_incref(json_array_get(rows, i));
            qsort(tmp, n, sizeof(*tmp), by_alerts);
            json_array_clear(rows);
            for (size_t i = 0; i < n; i++)
                json_array_append_new(rows, tmp[i]);
            free(tmp);
        }
    }
    r->json =
        json_pack("{s:b,s:o}", "loaded_from_daemon", loaded, "items", rows);
    if (r->json != NULL)
        web_cache_put(r->w, "rules", r->json);
    return 0;
}

static int
source_row(const struct vigil_source_counters *c, int64_t updated_ns, void *arg)
{
    int silent = vigil_time_now() - updated_ns > SILENT_NS;

    json_array_append_new(
        arg,
        json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:s}", "name", c->name,
                  "events_in", (json_int_t)c->events_in, "decoded",
                  (json_int_t)c->decoded, "failed", (json_int_t)c->failed,
                  "dropped", (json_int_t)c->dropped, "alerts",
                  (json_int_t)c->alerts, "truncated", (json_int_t)c->truncated,
                  "updated_ns", (json_int_t)updated_ns, "health",
                  silent ? "silent" : "healthy"));
    return 0;
}

static int
h_sources(struct web_req *r)
{
    struct vigil_err err = {0};
    json_t *rows = json_array();

    if (vigil_store_counters_each(r->w->store, source_row, rows, &err) !=
        VIGIL_OK) {
        json_decref(rows);
        return store_fail(r, &err);
    }
    r->json = json_pack("{s:o}", "items", rows);
    return 0;
}

static void
bus_counts(struct vigil_web *w, uint64_t *alerts, uint64_t *findings)
{
    *alerts = *findings = 0;
    if (w->probe.bus_counts != NULL)
        w->probe.bus_counts(w->probe.arg, alerts, findings);
}

static int
h_status(struct web_req *r)
{
    struct vigil_err err = {0};
    int64_t events = 0, alerts = 0;
    uint64_t pub = 0, findings = 0;

    if (vigil_store_count(r->w->store, &events, &alerts, &err) != VIGIL_OK)
        return store_fail(r, &err);
    bus_counts(r->w, &pub, &findings);
    r->json = json_pack(
        "{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:{s:s,s:s}}", "version",
        VIGIL_VERSION, "store", vigil_store_backend(r->w->store), "started_ns",
        (json_int_t)r->w->started_ns, "events_archived", (json_int_t)events,
        "alerts", (json_int_t)alerts, "alerts_published", (json_int_t)pub,
        "findings_published", (json_int_t)findings, "queue_depth",
        (json_int_t)vigil_store_queue_depth(r->w->store), "you", "user",
        r->who.user, "role", vigil_web_role_name(r->who.role));
    return 0;
}

static int
action_row(const struct vigil_store_value *c, size_t n, void *arg)
{
    (void)n;
    json_array_append_new(
        arg, json_pack("{s:I,s:s,s:s,s:o,s:o}", "time_ns", (json_int_t)c[0].i,
                       "user", c[1].p, "action", c[2].p, "subject",
                       text_or_null(&c[3]), "detail", json_or_null(&c[4])));
    return 0;
}

static int
h_actions(struct web_req *r)
{
    struct vigil_err err = {0};
    json_t *rows = json_array();
    int64_t limit;

    if (!int_arg(r, "limit", PAGE_DEFAULT, 1, PAGE_MAX, &limit)) {
        json_decref(rows);
        return web_fail(r, 400, "bad limit");
    }
    struct vigil_store_value p[] = {vigil_sv_int(limit)};
    if (vigil_store_query(r->w->store,
                          "SELECT time_ns, user_name, action, subject, "
                          "detail_json FROM web_audit ORDER BY time_ns DESC "
                          "LIMIT ?",
                          p, 1, action_row, rows, &err) != VIGIL_OK) {
        json_decref(rows);
        return store_fail(r, &err);
    }
    r->json = json_pack("{s:o}", "items", rows);
    return 0;
}

static int
user_row(const char *name, enum vigil_web_role role, int64_t created_ns,
         void *arg)
{
    json_array_append_new(arg, json_pack("{s:s,s:s,s:I}", "name", name, "role",
                                         vigil_web_role_name(role),
                                         "created_ns", (json_int_t)created_ns));
    return 0;
}

static int
h_users(struct web_req *r)
{
    struct vigil_err err = {0};
    json_t *rows = json_array();

    if (vigil_web_user_each(r->w->store, user_row, rows, &err) != VIGIL_OK) {
        json_decref(rows);
        return store_fail(r, &err);
    }
    r->json = json_pack("{s:o}", "items", rows);
    return 0;
}

static int
h_session(struct web_req *r)
{
    r->json = json_pack("{s:s,s:s,s:s}", "user", r->who.user, "role",
                        vigil_web_role_name(r->who.role), "csrf", r->who.csrf);
    return 0;
}

/* Which views have something behind them: incidents and containment when
 * their components run in this daemon; files, network and release checks
 * read the store, which every daemon has. The dashboard says "not
 * configured" for the others, never shows made-up data. */
static int
h_capabilities(struct web_req *r)
{
    const struct vigil_web_probe *p = &r->w->probe;
    int inc = p->running != NULL && p->running(p->arg, "incidents");
    int resp = p->running != NULL && p->running(p->arg, "respond");

    r->json = json_pack("{s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:b}", "alerts", 1,
                        "rules", 1, "sources", 1, "incidents", inc, "respond",
                        resp, "fim", 1, "net", 1, "release_checks", 1);
    return 0;
}

/* ---- metrics ---- */

struct metrics_ctx {
    char *buf;
    size_t len, cap;
    int oom;
};

static void mprintf(struct metrics_ctx *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
mprintf(struct metrics_ctx *m, const char *fmt, ...)
{
    va_list ap;
    int n;

    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(m->buf + m->len, m->cap - m->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            m->oom = 1;
            return;
        }
        if ((size_t)n < m->cap - m->len)
            break;
        char *nb = realloc(m->buf, m->cap * 2 + (size_t)n);
        if (nb == NULL) {
            m->oom = 1;
            return;
        }
        m->buf = nb;
        m->cap = m->cap * 2 + (size_t)n;
    }
    m->len += (size_t)n;
}

/* Prometheus label values escape \ " and newline. */
static void
label(const char *in, char *out, size_t len)
{
    size_t o = 0;

    for (; *in && o + 3 < len; in++) {
        if (*in == '\\' || *in == '"' || *in == '\n') {
            out[o++] = '\\';
            out[o++] = *in == '\n' ? 'n' : *in;
        } else {
            out[o++] = *in;
        }
    }
    out[o] = '\0';
}

static int
metric_source(const struct vigil_source_counters *c, int64_t updated_ns,
              void *arg)
{
    struct metrics_ctx *m = arg;
    char l[300];

    (void)updated_ns;
    label(c->name, l, sizeof(l));
    mprintf(m, "vigil_events_in_total{source=\"%s\"} %" PRIu64 "\n", l,
            c->events_in);
    mprintf(m, "vigil_events_dropped_total{source=\"%s\"} %" PRIu64 "\n", l,
            c->dropped);
    mprintf(m, "vigil_events_failed_total{source=\"%s\"} %" PRIu64 "\n", l,
            c->failed);
    return 0;
}

static int
h_metrics(struct web_req *r)
{
    struct vigil_err err = {0};
    struct metrics_ctx m = {malloc(4096), 0, 4096, 0};
    int64_t events = 0, alerts = 0;
    uint64_t pub = 0, findings = 0, cum = 0;
    struct vigil_web *w = r->w;

    if (m.buf == NULL)
        return web_fail(r, 500, "out of memory");
    mprintf(&m, "# TYPE vigil_events_in_total counter\n"
                "# TYPE vigil_events_dropped_total counter\n"
                "# TYPE vigil_events_failed_total counter\n");
    if (vigil_store_counters_each(w->store, metric_source, &m, &err) !=
            VIGIL_OK ||
        vigil_store_count(w->store, &events, &alerts, &err) != VIGIL_OK) {
        free(m.buf);
        return store_fail(r, &err);
    }
    bus_counts(w, &pub, &findings);
    mprintf(&m,
            "# TYPE vigil_alerts_stored gauge\nvigil_alerts_stored %" PRId64
            "\n# TYPE vigil_alerts_published_total counter\n"
            "vigil_alerts_published_total %" PRIu64
            "\n# TYPE vigil_findings_published_total counter\n"
            "vigil_findings_published_total %" PRIu64
            "\n# TYPE vigil_store_queue_depth gauge\n"
            "vigil_store_queue_depth %zu\n",
            alerts, pub, findings, vigil_store_queue_depth(w->store));
    pthread_mutex_lock(&w->mu);
    mprintf(&m,
            "# TYPE vigil_http_requests_total counter\n"
            "vigil_http_requests_total %" PRIu64 "\n"
            "# TYPE vigil_http_refused_total counter\n"
            "vigil_http_refused_total %" PRIu64 "\n"
            "# TYPE vigil_http_request_duration_seconds histogram\n",
            w->requests, w->refused);
    for (size_t b = 0; b <= WEB_LAT_BUCKETS; b++) {
        cum += w->lat_count[b];
        if (b < WEB_LAT_BUCKETS)
            mprintf(&m,
                    "vigil_http_request_duration_seconds_bucket{le=\"%g\"} "
                    "%" PRIu64 "\n",
                    web_lat_bounds[b], cum);
        else
            mprintf(&m,
                    "vigil_http_request_duration_seconds_bucket{le=\"+Inf\"} "
                    "%" PRIu64 "\nvigil_http_request_duration_seconds_sum "
                    "%.6f\nvigil_http_request_duration_seconds_count "
                    "%" PRIu64 "\n",
                    cum, w->lat_sum, cum);
    }
    pthread_mutex_unlock(&w->mu);
    if (m.oom) {
        free(m.buf);
        return web_fail(r, 500, "out of memory");
    }
    r->text = m.buf;
    r->text_len = m.len;
    r->ctype = "text/plain; version=0.0.4";
    return 0;
}

/* ---- pages and OpenAPI ---- */

static int
serve_asset(struct web_req *r, const char *name)
{
    for (size_t i = 0; i < web_nassets; i++)
        if (strcmp(web_assets[i].name, name) == 0) {
            r->raw = web_assets[i].data;
            r->raw_len = web_assets[i].len;
            r->ctype = web_assets[i].mime;
            return 0;
        }
    return web_fail(r, 404, "not found");
}

static int
h_app(struct web_req *r)
{
    return serve_asset(r, "app.html");
}
static int
h_login_page(struct web_req *r)
{
    return serve_asset(r, "login.html");
}
static int
h_asset(struct web_req *r)
{
    /* The {name} route is for the signed-in; the login page's own assets
     * have public routes of their own, listed first. */
    return serve_asset(r, r->params[0]);
}
static int
h_public_asset(struct web_req *r)
{
    return serve_asset(r, r->path + strlen("/assets/"));
}

static int
h_openapi(struct web_req *r)
{
    r->json = web_openapi();
    return r->json == NULL ? web_fail(r, 500, "out of memory") : 0;
}

const struct web_route web_routes[] = {
    /* public: the login page, its assets, the API description, login */
    {"GET", "/login", WEB_PUBLIC, h_login_page, "The login page", "dashboard",
     NULL},
    {"GET", "/assets/login.js", WEB_PUBLIC, h_public_asset,
     "The login page's script", "dashboard", NULL},
    {"GET", "/assets/app.css", WEB_PUBLIC, h_public_asset,
     "The dashboard's style sheet", "dashboard", NULL},
    {"GET", "/api/openapi.json", WEB_PUBLIC, h_openapi, "This description",
     "meta", NULL},
    {"POST", "/api/login", WEB_PUBLIC, web_h_login,
     "Log in with {user, password}; sets the session cookie, returns the "
     "CSRF token",
     "auth", NULL},
    /* everything else needs a session or a token */
    {"GET", "/", WEB_VIEWER, h_app, "The dashboard", "dashboard", NULL},
    {"GET", "/assets/{name}", WEB_VIEWER, h_asset, "The dashboard's assets",
     "dashboard", NULL},
    {"POST", "/api/logout", WEB_VIEWER, web_h_logout, "Ends the session",
     "auth", NULL},
    {"GET", "/api/session", WEB_VIEWER, h_session,
     "Who is signed in, the role and the CSRF token", "auth", NULL},
    {"GET", "/api/alerts", WEB_VIEWER, h_alerts,
     "Alerts, newest first, filtered and paged by cursor", "alerts",
     "level,rule,state,source,q,since,until,sort,limit,cursor"},
    {"GET", "/api/alerts/stats", WEB_VIEWER, h_alert_stats,
     "Alerts by level per hour", "alerts", "hours"},
    {"POST", "/api/alerts/triage", WEB_ANALYST, h_triage,
     "Sets the state and assignee of alerts {uids, state, assignee}", "alerts",
     NULL},
    {"GET", "/api/alerts/{uid}", WEB_VIEWER, h_alert,
     "One alert with its matched event and fields", "alerts", NULL},
    {"GET", "/api/rules", WEB_VIEWER, h_rules,
     "Every loaded rule, and rules that raised alerts, with alert counts",
     "rules", NULL},
    {"GET", "/api/files", WEB_VIEWER, web_h_files,
     "File changes: alerts from file integrity monitoring", "files",
     "level,rule,state,q,since,until,sort,limit,cursor"},
    {"GET", "/api/network", WEB_VIEWER, web_h_network,
     "Network findings: alerts from the network detectors", "network",
     "level,rule,state,q,since,until,sort,limit,cursor"},
    {"GET", "/api/incidents", WEB_VIEWER, web_h_incidents,
     "Incidents, filtered, sorted and paged", "incidents",
     "status,severity,owner,q,open,sort,limit,offset"},
    {"POST", "/api/incidents", WEB_ANALYST, web_h_incident_open,
     "Opens an incident {title, severity, kind, owner, alert}", "incidents",
     NULL},
    {"GET", "/api/incidents/{id}", WEB_VIEWER, web_h_incident,
     "One incident: timeline, tasks, clocks, services, alerts, drafts",
     "incidents", NULL},
    {"POST", "/api/incidents/{id}/note", WEB_ANALYST, web_h_incident_change,
     "Adds a note {text}", "incidents", NULL},
    {"POST", "/api/incidents/{id}/status", WEB_ANALYST, web_h_incident_change,
     "Moves it to a phase {status, note}", "incidents", NULL},
    {"POST", "/api/incidents/{id}/assign", WEB_ANALYST, web_h_incident_change,
     "Gives it an owner {owner}", "incidents", NULL},
    {"POST", "/api/incidents/{id}/tasks", WEB_ANALYST, web_h_incident_change,
     "Sets a task's state or owner {pos, state, owner}", "incidents", NULL},
    {"POST", "/api/incidents/{id}/alerts", WEB_ANALYST, web_h_incident_change,
     "Adds a stored alert {alert}", "incidents", NULL},
    {"GET", "/api/respond/actions", WEB_VIEWER, web_h_respond_list,
     "Response actions, newest first", "respond", "limit"},
    {"POST", "/api/respond/actions", WEB_ANALYST, web_h_respond_act,
     "Blocks, isolates, stops or locks {action, target, for, reason, alert, "
     "incident, dry_run}",
     "respond", NULL},
    {"POST", "/api/respond/actions/{id}/undo", WEB_ANALYST, web_h_respond_undo,
     "Undoes an active action {incident}", "respond", NULL},
    {"GET", "/api/release-checks", WEB_VIEWER, web_h_release_checks,
     "Documents checked before release (vigil check-release --record)",
     "release", "verdict"},
    {"GET", "/api/sources", WEB_VIEWER, h_sources,
     "Sources with their counters, healthy or silent", "sources", NULL},
    {"GET", "/api/status", WEB_VIEWER, h_status, "The daemon's status",
     "status", NULL},
    {"GET", "/api/actions", WEB_VIEWER, h_actions,
     "The last changes made through the web, with their users", "status",
     "limit"},
    {"GET", "/api/capabilities", WEB_VIEWER, h_capabilities,
     "Which capabilities this daemon has configured", "status", NULL},
    {"GET", "/api/users", WEB_ADMIN, h_users, "Users and their roles", "auth",
     NULL},
    {"POST", "/api/users", WEB_ADMIN, web_h_user_add,
     "Adds a user {name, password, role}", "auth", NULL},
    {"POST", "/api/users/{name}/role", WEB_ADMIN, web_h_user_change,
     "Sets a user's role {role}", "auth", NULL},
    {"POST", "/api/users/{name}/password", WEB_ADMIN, web_h_user_change,
     "Sets a user's password {password}", "auth", NULL},
    {"POST", "/api/users/{name}/delete", WEB_ADMIN, web_h_user_change,
     "Deletes a user with their sessions and tokens", "auth", NULL},
    {"GET", "/api/tokens", WEB_ADMIN, web_h_tokens, "API tokens (ids only)",
     "auth", NULL},
    {"POST", "/api/tokens", WEB_ADMIN, web_h_token_new,
     "Makes an API token {user, label}; shown once", "auth", NULL},
    {"POST", "/api/tokens/{id}/revoke", WEB_ADMIN, web_h_token_revoke,
     "Revokes an API token", "auth", NULL},
    {"GET", "/metrics", WEB_VIEWER, h_metrics, "Prometheus metrics", "meta",
     NULL},
};
const size_t web_nroutes = sizeof(web_routes) / sizeof(web_routes[0]);

json_t *
web_openapi(void)
{
    json_t *paths = json_object();
    json_t *doc = json_pack(
        "{s:s,s:{s:s,s:s},s:o,s:{s:{s:{s:s,s:s,s:s},s:{s:s,s:s}}}}", "openapi",
        "3.0.3", "info", "title", "vigil", "version", VIGIL_VERSION, "paths",
        paths, "components", "securitySchemes", "session", "type", "apiKey",
        "in", "cookie", "name", "vigil_session", "token", "type", "http",
        "scheme", "bearer");

    for (size_t i = 0; doc != NULL && i < web_nroutes; i++) {
        const struct web_route *rt = &web_routes[i];
        json_t *item = json_object_get(paths, rt->pattern);
        json_t *params = json_array();
        char m[8];
        size_t k;

        if (item == NULL) {
            item = json_object();
            json_object_set_new(paths, rt->pattern, item);
        }
        for (const char *p = strchr(rt->pattern, '{'); p;
             p = strchr(p + 1, '{')) {
            char name[64];
            size_t n = strcspn(p + 1, "}");
            snprintf(name, sizeof(name), "%.*s", (int)n, p + 1);
            json_array_append_new(params,
                                  json_pack("{s:s,s:s,s:b,s:{s:s}}", "name",
                                            name, "in", "path", "required", 1,
                                            "schema", "type", "string"));
        }
        for (const char *q = rt->query; q && *q;) {
            size_t n = strcspn(q, ",");
            char name[64];
            snprintf(name, sizeof(name), "%.*s", (int)n, q);
            json_array_append_new(
                params, json_pack("{s:s,s:s,s:{s:s}}", "name", name, "in",
                                  "query", "schema", "type", "string"));
            q += n + (q[n] == ',');
        }
        for (k = 0; k < sizeof(m) - 1 && rt->method[k]; k++)
            m[k] = (char)(rt->method[k] | 0x20);
        m[k] = '\0';
        json_object_set_new(
            item, m,
            json_pack(
                "{s:s,s:[s],s:o,s:o,s:{s:{s:s}},s:s}", "summary", rt->summary,
                "tags", rt->tag, "parameters", params, "security",
                rt->access == WEB_PUBLIC
                    ? json_array()
                    : json_pack("[{s:[]},{s:[]}]", "session", "token"),
                "responses", "200", "description", "OK", "x-vigil-role",
                rt->access == WEB_PUBLIC
                    ? "public"
                    : vigil_web_role_name((enum vigil_web_role)rt->access)));
    }
    return doc;
}
