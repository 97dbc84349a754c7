/* web_api.c -- the route table and its handlers: the JSON API over
 * alerts (list with filters and keyset paging, detail, bulk triage,
 * counts by level per hour), rules and sources with their counters,
 * status, the web's own audit trail, users, Prometheus metrics, the
 * OpenAPI description made from the table itself, and the dashboard's
 * embedded pages.
 *
 * Another domain's endpoints (incidents, response actions, file changes,
 * network findings) are added as entries of web_routes; until then
 * /api/capabilities says they are not configured. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web_int.h"

#define PAGE_DEFAULT 50
#define PAGE_MAX     500
#define TRIAGE_MAX   500
#define SILENT_NS    (15LL * 60 * 1000000000LL)
#define HOUR_NS      3600000000000LL

int web_h_login(struct web_req *r);
int web_h_logout(struct web_req *r);

static int
store_fail(struct web_req *r, const struct vigil_err *err)
{
    vigil_log(VIGIL_LOG_ERROR, 2405, "web: %s %s: %s", r->method, r->path,
              err->msg);
    return web_fail(r, 500, "store error");
}

static json_t *
json_or_null(const struct vigil_store_value *v)
{
    json_t *j;

    if (v->type != VIGIL_SV_TEXT)
        return json_null();
    j = json_loads(v->p, 0, NULL);
    return j != NULL ? j : json_string(v->p);
}

static json_t *
text_or_null(const struct vigil_store_value *v)
{
    return v->type == VIGIL_SV_TEXT ? json_string(v->p) : json_null();
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

/* Keyset paging on (time_ns, id): the cursor is the last row's pair, so
 * a page costs the same at any depth, on the alerts_time index. SQLite
 * seeks with one lower and one upper bound per index, so the caller folds
 * `until` (newest first) or `since` (oldest first) into the cursor and
 * each text has exactly one bound of each kind on time_ns; the OR settles
 * ties. Two constant texts, so each is prepared once. */
#define ALERT_COLS                                                             \
    "SELECT a.id, a.uid, a.time_ns, a.rule_id, a.title, a.level, a.source, "   \
    "a.matched_json, t.state, t.assignee FROM alerts a LEFT JOIN web_triage "  \
    "t ON t.alert_uid = a.uid WHERE (?1 IS NULL OR a.level = ?1) AND (?2 IS "  \
    "NULL OR a.rule_id = ?2) AND (?3 IS NULL OR COALESCE(t.state, 'new') = "   \
    "?3) AND (?4 IS NULL OR a.source = ?4) AND (?5 IS NULL OR a.title LIKE "   \
    "'%' || ?5 || '%') "
static const char sql_alerts_desc[] =
    ALERT_COLS "AND a.time_ns >= ?6 AND a.time_ns <= ?8 AND (a.time_ns < ?8 "
               "OR a.id < ?9) ORDER BY a.time_ns DESC, a.id DESC LIMIT ?10";
static const char sql_alerts_asc[] =
    ALERT_COLS "AND a.time_ns < ?7 AND a.time_ns >= ?8 AND (a.time_ns > ?8 "
               "OR a.id > ?9) ORDER BY a.time_ns ASC, a.id ASC LIMIT ?10";

static json_t *
alert_row(const struct vigil_store_value *c)
{
    return json_pack("{s:I,s:o,s:I,s:s,s:s,s:s,s:o,s:o,s:s,s:o}", "id",
                     (json_int_t)c[0].i, "uid", text_or_null(&c[1]), "time_ns",
                     (json_int_t)c[2].i, "rule_id", c[3].p, "title", c[4].p,
                     "level", c[5].p, "source", text_or_null(&c[6]), "matched",
                     json_or_null(&c[7]), "state",
                     c[8].type == VIGIL_SV_TEXT ? c[8].p : "new", "assignee",
                     text_or_null(&c[9]));
}

struct list_ctx {
    json_t *items;
    int64_t last_t, last_id;
};

static int
list_row(const struct vigil_store_value *c, size_t n, void *arg)
{
    struct list_ctx *l = arg;

    (void)n;
    json_array_append_new(l->items, alert_row(c));
    l->last_t = c[2].i;
    l->last_id = c[0].i;
    return 0;
}

static int
h_alerts(struct web_req *r)
{
    struct vigil_err err = {0};
    struct list_ctx l = {json_array(), 0, 0};
    int64_t limit, since, until, ct = 0, cid = 0;
    const char *sort = web_arg(r, "sort");
    const char *cursor = web_arg(r, "cursor");
    const char *level = web_arg(r, "level"), *state = web_arg(r, "state");
    int asc = sort != NULL && strcmp(sort, "time") == 0;

    if (!int_arg(r, "limit", PAGE_DEFAULT, 1, PAGE_MAX, &limit) ||
        !int_arg(r, "since", 0, 0, INT64_MAX, &since) ||
        !int_arg(r, "until", INT64_MAX, 0, INT64_MAX, &until) ||
        (sort != NULL && !asc && strcmp(sort, "-time") != 0) ||
        (level != NULL && !level_ok(level)) ||
        (state != NULL && strcmp(state, "new") != 0 &&
         strcmp(state, "acknowledged") != 0 && strcmp(state, "closed") != 0)) {
        json_decref(l.items);
        return web_fail(r, 400, "bad limit, since, until, sort or state");
    }
    if (cursor != NULL &&
        sscanf(cursor, "%" SCNd64 ".%" SCNd64, &ct, &cid) != 2) {
        json_decref(l.items);
        return web_fail(r, 400, "bad cursor");
    }
    if (cursor == NULL) {
        ct = asc ? INT64_MIN : INT64_MAX;
        cid = asc ? INT64_MIN : INT64_MAX;
    }
    /* until and since fold into the cursor (see sql_alerts_desc). */
    if (!asc && until - 1 < ct) {
        ct = until - 1;
        cid = INT64_MAX;
    } else if (asc && since > ct) {
        ct = since;
        cid = INT64_MIN;
    }
    struct vigil_store_value p[] = {vigil_sv_text(level),
                                    vigil_sv_text(web_arg(r, "rule")),
                                    vigil_sv_text(state),
                                    vigil_sv_text(web_arg(r, "source")),
                                    vigil_sv_text(web_arg(r, "q")),
                                    vigil_sv_int(since),
                                    vigil_sv_int(until),
                                    vigil_sv_int(ct),
                                    vigil_sv_int(cid),
                                    vigil_sv_int(limit)};
    if (vigil_store_query(r->w->store, asc ? sql_alerts_asc : sql_alerts_desc,
                          p, 10, list_row, &l, &err) != VIGIL_OK) {
        json_decref(l.items);
        return store_fail(r, &err);
    }
    char next[64] = "";
    if ((int64_t)json_array_size(l.items) == limit)
        snprintf(next, sizeof(next), "%" PRId64 ".%" PRId64, l.last_t,
                 l.last_id);
    r->json = json_pack("{s:o,s:o}", "items", l.items, "next",
                        next[0] ? json_string(next) : json_null());
    return 0;
}

static int
detail_row(const struct vigil_store_value *c, size_t n, void *arg)
{
    json_t **out = arg;

    (void)n;
    *out = alert_row(c);
    json_object_set_new(*out, "event", json_or_null(&c[10]));
    json_object_set_new(*out, "tags", json_or_null(&c[11]));
    return 1;
}

static int
h_alert(struct web_req *r)
{
    struct vigil_err err = {0};
    json_t *a = NULL;
    struct vigil_store_value p[] = {vigil_sv_text(r->params[0])};

    if (vigil_store_query(
            r->w->store,
            "SELECT a.id, a.uid, a.time_ns, a.rule_id, a.title, a.level, "
            "a.source, a.matched_json, t.state, t.assignee, a.event_json, "
            "a.tags_json FROM alerts a LEFT JOIN web_triage t ON t.alert_uid "
            "= a.uid WHERE a.uid = ?",
            p, 1, detail_row, &a, &err) != VIGIL_OK)
        return store_fail(r, &err);
    if (a == NULL)
        return web_fail(r, 404, "no such alert");
    r->json = a;
    return 0;
}

/* POST {"uids": [...], "state": "acknowledged", "assignee": "ana"}; no
 * "assignee" keeps each alert's, null clears it. */
static int
h_triage(struct web_req *r)
{
    struct vigil_err err = {0};
    struct vigil_store_tx *tx = NULL;
    json_t *in = json_loadb(r->body ? r->body : "", r->body_len, 0, NULL);
    json_t *uids = json_object_get(in, "uids");
    const char *state = json_string_value(json_object_get(in, "state"));
    json_t *asg = json_object_get(in, "assignee");
    int64_t changed = 0, total = 0;
    size_t i;
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
    if (vigil_store_tx_begin(r->w->store, &tx, &err) != VIGIL_OK)
        goto fail;
    json_array_foreach(uids, i, u)
    {
        struct vigil_store_value p[] = {
            vigil_sv_text(json_string_value(u)),   vigil_sv_text(state),
            vigil_sv_text(json_string_value(asg)), vigil_sv_text(r->who.user),
            vigil_sv_int(vigil_time_now()),        vigil_sv_int(asg == NULL)};
        if (!json_is_string(u))
            continue;
        /* Only alerts that exist are triaged. */
        if (vigil_store_tx_exec(
                tx,
                "INSERT INTO web_triage (alert_uid, state, assignee, "
                "updated_by, updated_ns) SELECT uid, ?2, ?3, ?4, ?5 FROM "
                "alerts WHERE uid = ?1 ON CONFLICT (alert_uid) DO UPDATE SET "
                "state = excluded.state, assignee = CASE WHEN ?6 = 1 THEN "
                "web_triage.assignee ELSE excluded.assignee END, "
                "updated_by = excluded.updated_by, updated_ns = "
                "excluded.updated_ns",
                p, 6, &changed, &err) != VIGIL_OK) {
            vigil_store_tx_rollback(tx);
            goto fail;
        }
        total += changed;
    }
    if (vigil_store_tx_commit(tx, &err) != VIGIL_OK)
        goto fail;
    json_t *detail = json_pack("{s:s,s:O,s:O}", "state", state, "assignee",
                               asg ? asg : json_null(), "uids", uids);
    web_record_change(r->w, r->who.user, "alerts.triage", state, detail);
    json_decref(detail);
    json_decref(in);
    r->json = json_pack("{s:I}", "updated", (json_int_t)total);
    return 0;
fail:
    json_decref(in);
    return store_fail(r, &err);
}

static int
stats_row(const struct vigil_store_value *c, size_t n, void *arg)
{
    (void)n;
    json_array_append_new(arg, json_pack("{s:s,s:I,s:I}", "level", c[0].p,
                                         "hour_ns", (json_int_t)(c[1].i),
                                         "count", (json_int_t)c[2].i));
    return 0;
}

static int
h_alert_stats(struct web_req *r)
{
    struct vigil_err err = {0};
    int64_t hours;
    json_t *rows = json_array();

    if (!int_arg(r, "hours", 24, 1, 24 * 90, &hours)) {
        json_decref(rows);
        return web_fail(r, 400, "hours is 1 to 2160");
    }
    int64_t now = vigil_time_now();
    struct vigil_store_value p[] = {vigil_sv_int(HOUR_NS),
                                    vigil_sv_int(now - hours * HOUR_NS)};
    if (vigil_store_query(r->w->store,
                          "SELECT level, (time_ns / ?1) * ?1 AS h, COUNT(*) "
                          "FROM alerts WHERE time_ns >= ?2 GROUP BY level, h "
                          "ORDER BY h",
                          p, 2, stats_row, rows, &err) != VIGIL_OK) {
        json_decref(rows);
        return store_fail(r, &err);
    }
    r->json =
        json_pack("{s:I,s:o}", "hours", (json_int_t)hours, "buckets", rows);
    return 0;
}

/* ---- rules, sources, status, actions, users ---- */

static int
rule_row(const struct vigil_store_value *c, size_t n, void *arg)
{
    (void)n;
    json_array_append_new(arg, json_pack("{s:s,s:s,s:s,s:I,s:I}", "rule_id",
                                         c[0].p, "title", c[1].p, "level",
                                         c[2].p, "alerts", (json_int_t)c[3].i,
                                         "last_ns", (json_int_t)c[4].i));
    return 0;
}

static int
h_rules(struct web_req *r)
{
    struct vigil_err err = {0};
    json_t *rows = json_array();

    if (vigil_store_query(r->w->store,
                          "SELECT rule_id, MAX(title), MAX(level), COUNT(*), "
                          "MAX(time_ns) FROM alerts GROUP BY rule_id ORDER BY "
                          "COUNT(*) DESC",
                          NULL, 0, rule_row, rows, &err) != VIGIL_OK) {
        json_decref(rows);
        return store_fail(r, &err);
    }
    r->json = json_pack("{s:o}", "items", rows);
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

/* What the dashboard shows for the domains that are not built into this
 * binary yet: a page saying so, never made-up data. */
static int
h_capabilities(struct web_req *r)
{
    static const char *const absent[] = {"incidents", "respond", "fim", "net",
                                         "release_checks"};
    json_t *o =
        json_pack("{s:b,s:b,s:b}", "alerts", 1, "rules", 1, "sources", 1);

    for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
        json_object_set_new(o, absent[i], json_false());
    r->json = o;
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
     "Rules that raised alerts, with counts", "rules", NULL},
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
