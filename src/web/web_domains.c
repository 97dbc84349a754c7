/* web_domains.c -- the handlers over the other domains: incidents (list,
 * detail with timeline, tasks, clocks, services and draft notifications;
 * open, note, status, assign, task, add an alert), response actions
 * (list, trigger, undo), release checks, and the admin's users and API
 * tokens. Incidents and containment go through the running daemon's
 * components (struct vigil_web_probe), which record each change in the
 * incident timeline and the evidence log with the user's name; the rest
 * through the domains' public APIs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disclose/disclose.h"
#include "incident/incident.h"
#include "respond/respond.h"
#include "web_int.h"

#define LIST_MAX 500

static json_t *
body_json(struct web_req *r)
{
    json_t *in = json_loadb(r->body ? r->body : "", r->body_len, 0, NULL);

    if (in != NULL && !json_is_object(in)) {
        json_decref(in);
        in = NULL;
    }
    return in;
}

static const char *
str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* A domain's refusal as an HTTP answer. */
static int
domain_fail(struct web_req *r, const struct vigil_err *err)
{
    switch (err->rc) {
    case VIGIL_EINVAL:
        return web_fail(r, 400, err->msg);
    case VIGIL_ENOTFOUND:
        return web_fail(r, 404, err->msg);
    case VIGIL_ECONFLICT:
        return web_fail(r, 409, err->msg);
    case VIGIL_EPERM:
        return web_fail(r, 403, err->msg);
    case VIGIL_EUNSUPPORTED:
        return web_fail(r, 503, err->msg);
    default:
        vigil_log(VIGIL_LOG_ERROR, 2405, "web: %s %s: %s", r->method, r->path,
                  err->msg);
        return web_fail(r, 500, err->msg[0] ? err->msg : "failed");
    }
}

/* ---- incidents ---- */

/* One call into the incident domain with the user as the actor. */
typedef enum vigil_rc (*inc_fn)(const struct vigil_incident_env *env, void *ctx,
                                struct vigil_err *err);

static enum vigil_rc
with_incidents(struct web_req *r, inc_fn fn, void *ctx, struct vigil_err *err)
{
    const struct vigil_web_probe *p = &r->w->probe;

    if (p->incidents == NULL)
        return vigil_err_set(err, VIGIL_EUNSUPPORTED,
                             "incidents are not configured in this daemon");
    return p->incidents(p->arg, r->who.user, fn, ctx, err);
}

struct inc_call {
    struct web_req *r;
    json_t *in;
    char uid[VIGIL_UID_LEN + 1];
    int64_t num;
    json_t *out;
};

static enum vigil_rc
resolve(const struct vigil_incident_env *env, struct inc_call *c,
        struct vigil_err *err)
{
    return vigil_incident_resolve(env->store, c->r->params[0], c->uid, &c->num,
                                  err);
}

static int
severity_rank(const char *s)
{
    static const char *const order[] = {"low", "medium", "high", "critical"};

    for (int i = 0; i < 4; i++)
        if (s != NULL && strcmp(s, order[i]) == 0)
            return i;
    return -1;
}

struct sort_key {
    const char *field;
    int desc;
};
static struct sort_key sort_by;

static int
cmp_incidents(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_t *fx = json_object_get(x, sort_by.field);
    json_t *fy = json_object_get(y, sort_by.field);
    long long d;

    if (strcmp(sort_by.field, "severity") == 0)
        d = severity_rank(json_string_value(fx)) -
            severity_rank(json_string_value(fy));
    else if (json_is_integer(fx) && json_is_integer(fy))
        d = json_integer_value(fx) < json_integer_value(fy)   ? -1
            : json_integer_value(fx) > json_integer_value(fy) ? 1
                                                              : 0;
    else
        d = strcmp(json_string_value(fx) ? json_string_value(fx) : "",
                   json_string_value(fy) ? json_string_value(fy) : "");
    if (d == 0)
        d = json_integer_value(json_object_get(x, "num")) -
            json_integer_value(json_object_get(y, "num"));
    if (sort_by.desc)
        d = -d;
    return d < 0 ? -1 : d > 0;
}

static enum vigil_rc
list_body(const struct vigil_incident_env *env, void *ctx,
          struct vigil_err *err)
{
    struct inc_call *c = ctx;
    const char *open = web_arg(c->r, "open");
    char *text = NULL;
    enum vigil_rc rc = vigil_incident_list(
        env, open != NULL && strcmp(open, "1") == 0, &text, err);

    if (rc == VIGIL_OK && (c->out = json_loads(text, 0, NULL)) == NULL)
        rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    free(text);
    return rc;
}

static int
matches(json_t *inc, const char *key, const char *want)
{
    return want == NULL ||
           (json_string_value(json_object_get(inc, key)) &&
            strcmp(json_string_value(json_object_get(inc, key)), want) == 0);
}

/* Incidents are few (tens to thousands): the domain's list is filtered,
 * sorted and paged here. */
int
web_h_incidents(struct web_req *r)
{
    struct vigil_err err = {0};
    struct inc_call c = {.r = r};
    const char *sort = web_arg(r, "sort"), *q = web_arg(r, "q");
    const char *status = web_arg(r, "status");
    const char *sev = web_arg(r, "severity"), *owner = web_arg(r, "owner");
    char *end = NULL;
    long long limit = 50, offset = 0;
    json_t *rows, *inc, *page;
    size_t i, n = 0, total = 0;

    if (web_arg(r, "limit") != NULL &&
        ((limit = strtoll(web_arg(r, "limit"), &end, 10)) < 1 ||
         limit > LIST_MAX || *end != '\0'))
        return web_fail(r, 400, "limit is 1 to 500");
    if (web_arg(r, "offset") != NULL &&
        ((offset = strtoll(web_arg(r, "offset"), &end, 10)) < 0 ||
         *end != '\0'))
        return web_fail(r, 400, "bad offset");
    struct sort_key key = {sort == NULL ? "num" : sort + (sort[0] == '-'),
                           sort == NULL || sort[0] == '-'}; /* newest first */
    if (strcmp(key.field, "num") != 0 && strcmp(key.field, "severity") != 0 &&
        strcmp(key.field, "opened_ns") != 0 && strcmp(key.field, "status") != 0)
        return web_fail(r, 400,
                        "sort is [-]num, severity, opened_ns or status");
    if (with_incidents(r, list_body, &c, &err) != VIGIL_OK)
        return domain_fail(r, &err);
    rows = c.out;
    json_t **v = calloc(json_array_size(rows) + 1, sizeof(*v));
    if (v == NULL) {
        json_decref(rows);
        return web_fail(r, 500, "out of memory");
    }
    json_array_foreach(rows, i, inc)
    {
        const char *title = json_string_value(json_object_get(inc, "title"));
        if (matches(inc, "status", status) && matches(inc, "severity", sev) &&
            matches(inc, "owner", owner) &&
            (q == NULL || (title && strstr(title, q) != NULL)))
            v[n++] = inc;
    }
    /* one request at a time reaches the comparison's key */
    static pthread_mutex_t sort_mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&sort_mu);
    sort_by = key;
    qsort(v, n, sizeof(*v), cmp_incidents);
    pthread_mutex_unlock(&sort_mu);
    page = json_array();
    total = n;
    for (i = (size_t)offset; i < n && i < (size_t)offset + (size_t)limit; i++)
        json_array_append(page, v[i]);
    free(v);
    json_decref(rows);
    r->json =
        json_pack("{s:o,s:I,s:I}", "items", page, "total", (json_int_t)total,
                  "now_ns", (json_int_t)vigil_time_now());
    return 0;
}

static enum vigil_rc
show_body(const struct vigil_incident_env *env, void *ctx,
          struct vigil_err *err)
{
    struct inc_call *c = ctx;
    char *text = NULL;
    json_t *clk, *drafts = json_array();
    size_t i;
    enum vigil_rc rc = resolve(env, c, err);

    if (rc == VIGIL_OK)
        rc = vigil_incident_show(env, c->uid, &text, err);
    if (rc == VIGIL_OK && (c->out = json_loads(text, 0, NULL)) == NULL)
        rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    free(text);
    /* the draft notification of each clock still running */
    json_array_foreach(
        rc == VIGIL_OK ? json_object_get(c->out, "clocks") : NULL, i, clk)
    {
        struct vigil_err e2 = {0};
        char *d = NULL;
        json_t *dj;
        if (vigil_incident_draft(env, c->uid, str(clk, "regime"), &d, &e2) !=
            VIGIL_OK)
            continue;
        if ((dj = json_loads(d, 0, NULL)) != NULL)
            json_array_append_new(drafts, dj);
        free(d);
    }
    if (c->out != NULL) {
        json_object_set_new(c->out, "drafts", drafts);
        json_object_set_new(c->out, "now_ns", json_integer(vigil_time_now()));
    } else {
        json_decref(drafts);
    }
    return rc;
}

int
web_h_incident(struct web_req *r)
{
    struct vigil_err err = {0};
    struct inc_call c = {.r = r};

    if (with_incidents(r, show_body, &c, &err) != VIGIL_OK) {
        json_decref(c.out);
        return domain_fail(r, &err);
    }
    r->json = c.out;
    return 0;
}

/* POST /api/incidents {title, severity, kind, alert}: with alert, the
 * alert goes in and gives the title when none is given. */
struct open_ctx {
    struct web_req *r;
    json_t *in;
    char title[512];
    char uid[VIGIL_UID_LEN + 1];
    int64_t num;
};

static int
alert_title(const struct vigil_alert_row *a, void *arg)
{
    struct open_ctx *o = arg;

    snprintf(o->title, sizeof(o->title), "%s", a->title);
    return 1;
}

static enum vigil_rc
open_body(const struct vigil_incident_env *env, void *ctx,
          struct vigil_err *err)
{
    struct open_ctx *o = ctx;
    struct vigil_incident_new n = {0};
    const char *alert = str(o->in, "alert");
    enum vigil_rc rc = VIGIL_OK;

    n.title = str(o->in, "title");
    n.kind = str(o->in, "kind");
    n.severity = str(o->in, "severity");
    n.owner = str(o->in, "owner");
    n.personal_data = -1;
    if (alert != NULL) {
        if ((rc = vigil_store_alert_get(env->store, alert, alert_title, o,
                                        err)) != VIGIL_OK)
            return rc;
        if (o->title[0] == '\0')
            return vigil_err_set(err, VIGIL_ENOTFOUND, "no alert %s", alert);
        if (n.title == NULL || n.title[0] == '\0')
            n.title = o->title;
    }
    rc = vigil_incident_open(env, &n, o->uid, &o->num, err);
    if (rc == VIGIL_OK && alert != NULL)
        rc = vigil_incident_add_alert(env, o->uid, alert, err);
    return rc;
}

int
web_h_incident_open(struct web_req *r)
{
    struct vigil_err err = {0};
    struct open_ctx o = {.r = r, .in = body_json(r)};
    int ret;

    if (o.in == NULL)
        return web_fail(r, 400, "expected {title, severity, kind, alert}");
    if (with_incidents(r, open_body, &o, &err) != VIGIL_OK) {
        ret = domain_fail(r, &err);
    } else {
        web_record_audit(r->w, r->who.user, "incident.open", o.uid, o.in);
        r->json = json_pack("{s:s,s:I}", "id", o.uid, "num", (json_int_t)o.num);
        r->status = 201;
        ret = 0;
    }
    json_decref(o.in);
    return ret;
}

/* The changes on one incident: /api/incidents/{id}/<what>. */
static enum vigil_rc
change_body(const struct vigil_incident_env *env, void *ctx,
            struct vigil_err *err)
{
    struct inc_call *c = ctx;
    const char *what = strrchr(c->r->path, '/') + 1;
    enum vigil_rc rc = resolve(env, c, err);

    if (rc != VIGIL_OK)
        return rc;
    if (strcmp(what, "note") == 0)
        return vigil_incident_note(env, c->uid, str(c->in, "text"), err);
    if (strcmp(what, "status") == 0)
        return str(c->in, "status") == NULL
                   ? vigil_err_set(err, VIGIL_EINVAL, "no status given")
                   : vigil_incident_status(env, c->uid, str(c->in, "status"),
                                           str(c->in, "note"), err);
    if (strcmp(what, "assign") == 0)
        return str(c->in, "owner") == NULL
                   ? vigil_err_set(err, VIGIL_EINVAL, "no owner given")
                   : vigil_incident_assign(env, c->uid, str(c->in, "owner"),
                                           err);
    if (strcmp(what, "alerts") == 0)
        return vigil_incident_add_alert(env, c->uid, str(c->in, "alert"), err);
    if (strcmp(what, "tasks") == 0) {
        json_t *pos = json_object_get(c->in, "pos");
        if (!json_is_integer(pos))
            return vigil_err_set(err, VIGIL_EINVAL, "no task pos given");
        return vigil_incident_task_set(env, c->uid, json_integer_value(pos),
                                       str(c->in, "state"), str(c->in, "owner"),
                                       err);
    }
    return vigil_err_set(err, VIGIL_ENOTFOUND, "no such change");
}

int
web_h_incident_change(struct web_req *r)
{
    struct vigil_err err = {0};
    struct inc_call c = {.r = r, .in = body_json(r)};
    char action[64];
    int ret;

    if (c.in == NULL)
        return web_fail(r, 400, "expected a JSON object");
    if (with_incidents(r, change_body, &c, &err) != VIGIL_OK) {
        ret = domain_fail(r, &err);
    } else {
        snprintf(action, sizeof(action), "incident.%s",
                 strrchr(r->path, '/') + 1);
        web_record_audit(r->w, r->who.user, action, c.uid, c.in);
        r->json = json_pack("{s:s}", "id", c.uid);
        ret = 0;
    }
    json_decref(c.in);
    return ret;
}

/* Triage of alerts that belong to incidents: a line in each incident's
 * timeline (and so its evidence) with the user (FIND16 8). */
struct triage_note {
    const char *const *uids;
    size_t n;
    const char *state;
};

struct triage_one {
    const struct vigil_incident_env *env;
    const char *alert, *state;
    enum vigil_rc rc;
    struct vigil_err *err;
};

static int
note_triage(const char *uid, void *arg)
{
    struct triage_one *t = arg;
    char text[160];

    snprintf(text, sizeof(text), "alert %s triaged: %s", t->alert, t->state);
    t->rc = vigil_incident_note(t->env, uid, text, t->err);
    return t->rc != VIGIL_OK;
}

static enum vigil_rc
triage_body(const struct vigil_incident_env *env, void *ctx,
            struct vigil_err *err)
{
    struct triage_note *tn = ctx;
    enum vigil_rc rc = VIGIL_OK;

    for (size_t i = 0; i < tn->n && rc == VIGIL_OK; i++) {
        struct triage_one t = {env, tn->uids[i], tn->state, VIGIL_OK, err};
        rc = vigil_incident_of_alert(env->store, tn->uids[i], note_triage, &t,
                                     err);
        if (rc == VIGIL_OK)
            rc = t.rc;
    }
    return rc;
}

void
web_triage_incidents(struct web_req *r, const char *const *uids, size_t n,
                     const char *state)
{
    struct vigil_err err = {0};
    struct triage_note tn = {uids, n, state};
    enum vigil_rc rc = with_incidents(r, triage_body, &tn, &err);

    if (rc != VIGIL_OK && rc != VIGIL_EUNSUPPORTED)
        vigil_log(VIGIL_LOG_WARN, 2412,
                  "web: the triage is not in every incident's timeline: %s",
                  err.msg);
}

/* ---- response actions ---- */

static int
action_row(const struct vigil_respond_row *a, void *arg)
{
    json_array_append_new(
        arg, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:s,s:s}", "id", a->id,
                       "action", a->action, "target", a->target, "reason",
                       a->reason ? a->reason : "", "actor",
                       a->actor ? a->actor : "", "alert", a->alert_uid,
                       "created_ns", (json_int_t)a->created_ns, "expires_ns",
                       (json_int_t)a->expires_ns, "state", a->state, "detail",
                       a->detail ? a->detail : ""));
    return 0;
}

int
web_h_respond_list(struct web_req *r)
{
    struct vigil_err err = {0};
    json_t *rows = json_array();
    const char *l = web_arg(r, "limit");
    char *end = NULL;
    long long limit = l ? strtoll(l, &end, 10) : 100;

    if (l != NULL && (*end != '\0' || limit < 1 || limit > LIST_MAX)) {
        json_decref(rows);
        return web_fail(r, 400, "limit is 1 to 500");
    }
    if (vigil_respond_list(r->w->store, limit, action_row, rows, &err) !=
        VIGIL_OK) {
        json_decref(rows);
        return domain_fail(r, &err);
    }
    r->json = json_pack("{s:o,s:b}", "items", rows, "can_act",
                        r->w->probe.running != NULL &&
                            r->w->probe.running(r->w->probe.arg, "respond"));
    return 0;
}

/* A line in the incident's timeline for an action taken from its page. */
struct note_ctx {
    const char *ref;
    char text[600];
};

static enum vigil_rc
note_body(const struct vigil_incident_env *env, void *ctx,
          struct vigil_err *err)
{
    struct note_ctx *n = ctx;
    char uid[VIGIL_UID_LEN + 1];
    int64_t num;
    enum vigil_rc rc =
        vigil_incident_resolve(env->store, n->ref, uid, &num, err);

    return rc == VIGIL_OK ? vigil_incident_note(env, uid, n->text, err) : rc;
}

static void
note_incident(struct web_req *r, const char *ref, const char *text)
{
    struct vigil_err err = {0};
    struct note_ctx n = {ref, ""};

    if (ref == NULL)
        return;
    snprintf(n.text, sizeof(n.text), "%s", text);
    if (with_incidents(r, note_body, &n, &err) != VIGIL_OK)
        vigil_log(VIGIL_LOG_WARN, 2412,
                  "web: the action is not in incident %s's timeline: %s", ref,
                  err.msg);
}

static const struct {
    const char *name;
    enum vigil_respond_action a;
} action_names[] = {
    {"block", VIGIL_RA_BLOCK},     {"unblock", VIGIL_RA_UNBLOCK},
    {"isolate", VIGIL_RA_ISOLATE}, {"unisolate", VIGIL_RA_UNISOLATE},
    {"stop", VIGIL_RA_STOP},       {"lock", VIGIL_RA_LOCK},
    {"unlock", VIGIL_RA_UNLOCK},
};

struct state_ctx {
    const char *id;
    char state[16];
};

static int
state_of(const struct vigil_respond_row *a, void *arg)
{
    struct state_ctx *st = arg;

    if (strcmp(a->id, st->id) != 0)
        return 0;
    snprintf(st->state, sizeof(st->state), "%s", a->state);
    return 1;
}

/* POST /api/respond/actions {action, target, for, reason, alert,
 * incident, dry_run} */
int
web_h_respond_act(struct web_req *r)
{
    struct vigil_err err = {0};
    const struct vigil_web_probe *p = &r->w->probe;
    json_t *in = body_json(r);
    struct vigil_respond_request req = {0};
    const char *name = str(in, "action"), *forv = str(in, "for");
    char id[VIGIL_UID_LEN + 1] = "", actor[VIGIL_WEB_USER_MAX + 8], text[600];
    enum vigil_rc rc;
    int ret = 0;

    for (size_t i = 0;
         name && i < sizeof(action_names) / sizeof(action_names[0]); i++)
        if (strcmp(name, action_names[i].name) == 0)
            req.action = action_names[i].a;
    if (in == NULL || req.action == 0 ||
        (forv != NULL && !vigil_respond_parse_for(forv, &req.for_s))) {
        json_decref(in);
        return web_fail(r, 400,
                        "expected {action: block|unblock|isolate|unisolate|"
                        "stop|lock|unlock, target, for: \"1h\", reason}");
    }
    req.target = str(in, "target");
    if ((req.target == NULL || req.target[0] == '\0') &&
        req.action != VIGIL_RA_ISOLATE && req.action != VIGIL_RA_UNISOLATE) {
        json_decref(in);
        return web_fail(r, 400, "this action needs a target");
    }
    if (p->respond_act == NULL) {
        json_decref(in);
        return web_fail(r, 503, "response is not configured in this daemon");
    }
    snprintf(actor, sizeof(actor), "user %s", r->who.user);
    req.reason = str(in, "reason") ? str(in, "reason") : "from the dashboard";
    req.actor = actor;
    req.alert_uid = str(in, "alert");
    req.dry_run = json_is_true(json_object_get(in, "dry_run"));
    rc = p->respond_act(p->arg, &req, id, &err);
    /* the record says what happened (active, done, dry-run, refused) */
    struct state_ctx st = {id, "failed"};

    if (id[0] != '\0') {
        struct vigil_err e2 = {0};
        vigil_respond_list(r->w->store, 50, state_of, &st, &e2);
    }
    snprintf(text, sizeof(text), "%s %s: %s (action %s)%s%s", name,
             req.target ? req.target : "host", st.state, id[0] ? id : "-",
             rc == VIGIL_OK ? "" : ": ", rc == VIGIL_OK ? "" : err.msg);
    note_incident(r, str(in, "incident"), text);
    web_record_audit(r->w, r->who.user, "respond.act", id[0] ? id : NULL, in);
    if (rc != VIGIL_OK && id[0] == '\0')
        ret = domain_fail(r, &err);
    else
        r->json = json_pack("{s:s,s:s,s:s}", "id", id, "state", st.state,
                            "detail", rc == VIGIL_OK ? "" : err.msg);
    if (rc == VIGIL_EPERM)
        r->status = 403;
    else if (rc != VIGIL_OK && id[0] != '\0')
        r->status = 502;
    json_decref(in);
    return ret;
}

/* POST /api/respond/actions/{id}/undo {incident} */
int
web_h_respond_undo(struct web_req *r)
{
    struct vigil_err err = {0};
    const struct vigil_web_probe *p = &r->w->probe;
    json_t *in = body_json(r);
    char actor[VIGIL_WEB_USER_MAX + 8], text[600];
    enum vigil_rc rc;
    int ret = 0;

    if (p->respond_undo == NULL) {
        json_decref(in);
        return web_fail(r, 503, "response is not configured in this daemon");
    }
    snprintf(actor, sizeof(actor), "user %s", r->who.user);
    rc = p->respond_undo(p->arg, r->params[0], actor, &err);
    snprintf(text, sizeof(text), "undo of action %s: %s%s%s", r->params[0],
             rc == VIGIL_OK ? "done" : "failed", rc == VIGIL_OK ? "" : ": ",
             rc == VIGIL_OK ? "" : err.msg);
    if (rc == VIGIL_OK || rc == VIGIL_EIO || rc == VIGIL_EPERM)
        note_incident(r, str(in, "incident"), text);
    if (rc == VIGIL_OK) {
        web_record_audit(r->w, r->who.user, "respond.undo", r->params[0], in);
        r->json =
            json_pack("{s:s,s:s}", "id", r->params[0], "outcome", "undone");
    } else {
        ret = domain_fail(r, &err);
    }
    json_decref(in);
    return ret;
}

/* ---- release checks ---- */

static int
check_row(const struct vigil_disclose_check_row *c, void *arg)
{
    json_array_append_new(
        arg, json_pack("{s:I,s:s,s:s,s:s,s:I,s:s}", "time_ns",
                       (json_int_t)c->time_ns, "file", c->file, "format",
                       c->format, "verdict", c->verdict, "findings",
                       (json_int_t)c->findings, "user", c->user));
    return 0;
}

int
web_h_release_checks(struct web_req *r)
{
    struct vigil_err err = {0};
    json_t *rows = json_array();
    const char *v = web_arg(r, "verdict");

    if (v != NULL && strcmp(v, "PASS") != 0 && strcmp(v, "REVIEW") != 0 &&
        strcmp(v, "BLOCK") != 0) {
        json_decref(rows);
        return web_fail(r, 400, "verdict is PASS, REVIEW or BLOCK");
    }
    if (vigil_disclose_checks_each(r->w->store, v, LIST_MAX, check_row, rows,
                                   &err) != VIGIL_OK) {
        json_decref(rows);
        return domain_fail(r, &err);
    }
    r->json = json_pack("{s:o}", "items", rows);
    return 0;
}

/* ---- users and API tokens (admin) ---- */

static int
user_change_done(struct web_req *r, enum vigil_rc rc,
                 const struct vigil_err *err, const char *action,
                 const char *subject, json_t *detail)
{
    if (rc != VIGIL_OK)
        return domain_fail(r, err);
    web_record_change(r->w, r->who.user, action, subject, detail);
    r->json = json_pack("{s:s}", "user", subject);
    return 0;
}

/* POST /api/users {name, password, role} */
int
web_h_user_add(struct web_req *r)
{
    struct vigil_err err = {0};
    json_t *in = body_json(r);
    const char *name = str(in, "name"), *pw = str(in, "password");
    enum vigil_web_role role = vigil_web_role_parse(str(in, "role"));
    int ret;

    if (name == NULL || pw == NULL || role == VIGIL_ROLE_NONE) {
        json_decref(in);
        return web_fail(r, 400, "expected {name, password, role}");
    }
    json_t *d = json_pack("{s:s}", "role", vigil_web_role_name(role));
    ret = user_change_done(
        r, vigil_web_user_add(r->w->store, name, pw, role, &err), &err,
        "user.add", name, d);
    if (ret == 0 && r->status == 200)
        r->status = 201;
    json_decref(d);
    json_decref(in);
    return ret;
}

/* POST /api/users/{name}/role {role}, /password {password}, /delete */
int
web_h_user_change(struct web_req *r)
{
    struct vigil_err err = {0};
    json_t *in = body_json(r), *d = NULL;
    const char *what = strrchr(r->path, '/') + 1, *name = r->params[0];
    enum vigil_rc rc;
    int ret;

    if (in == NULL && strcmp(what, "delete") != 0)
        return web_fail(r, 400, "expected a JSON object");
    if (strcmp(what, "role") == 0) {
        enum vigil_web_role role = vigil_web_role_parse(str(in, "role"));
        rc = role == VIGIL_ROLE_NONE
                 ? vigil_err_set(&err, VIGIL_EINVAL,
                                 "role is viewer, analyst or admin")
                 : vigil_web_user_role(r->w->store, name, role, &err);
        d = json_pack("{s:s}", "role", vigil_web_role_name(role));
    } else if (strcmp(what, "password") == 0) {
        rc = str(in, "password") == NULL
                 ? vigil_err_set(&err, VIGIL_EINVAL, "no password given")
                 : vigil_web_user_passwd(r->w->store, name, str(in, "password"),
                                         &err);
    } else {
        /* the last admin cannot remove themselves by accident */
        rc = strcmp(name, r->who.user) == 0
                 ? vigil_err_set(&err, VIGIL_ECONFLICT,
                                 "you cannot delete yourself")
                 : vigil_web_user_del(r->w->store, name, &err);
    }
    char action[32];
    snprintf(action, sizeof(action), "user.%s", what);
    ret = user_change_done(r, rc, &err, action, name, d);
    json_decref(d);
    json_decref(in);
    return ret;
}

static int
token_row(const char *id, const char *user, const char *label,
          int64_t created_ns, void *arg)
{
    json_array_append_new(arg, json_pack("{s:s,s:s,s:s,s:I}", "id", id, "user",
                                         user, "label", label, "created_ns",
                                         (json_int_t)created_ns));
    return 0;
}

int
web_h_tokens(struct web_req *r)
{
    struct vigil_err err = {0};
    json_t *rows = json_array();

    if (vigil_web_token_each(r->w->store, token_row, rows, &err) != VIGIL_OK) {
        json_decref(rows);
        return domain_fail(r, &err);
    }
    r->json = json_pack("{s:o}", "items", rows);
    return 0;
}

/* POST /api/tokens {user, label}: the token is shown this once. */
int
web_h_token_new(struct web_req *r)
{
    struct vigil_err err = {0};
    json_t *in = body_json(r);
    char tok[VIGIL_WEB_TOKEN_LEN + 1];
    const char *user = str(in, "user");
    int ret = 0;

    if (user == NULL) {
        json_decref(in);
        return web_fail(r, 400, "expected {user, label}");
    }
    if (vigil_web_token_new(r->w->store, user, str(in, "label"), tok, &err) !=
        VIGIL_OK) {
        ret = domain_fail(r, &err);
    } else {
        json_t *d = json_pack("{s:s?}", "label", str(in, "label"));
        web_record_change(r->w, r->who.user, "token.new", user, d);
        json_decref(d);
        r->json = json_pack("{s:s,s:s}", "token", tok, "user", user);
        r->status = 201;
    }
    memset(tok, 0, sizeof(tok));
    json_decref(in);
    return ret;
}

int
web_h_token_revoke(struct web_req *r)
{
    struct vigil_err err = {0};

    if (vigil_web_token_revoke(r->w->store, r->params[0], &err) != VIGIL_OK)
        return domain_fail(r, &err);
    web_record_change(r->w, r->who.user, "token.revoke", r->params[0], NULL);
    r->json = json_pack("{s:s}", "id", r->params[0]);
    return 0;
}
