/* incident_store.c -- the incident tables and every change made to an
 * incident. A change is one transaction (or, in the daemon, the batch of
 * the alert that caused it) holding the change, its timeline entry and
 * its evidence entry, so the timeline and the signed evidence log never
 * disagree about what happened, when, or who did it. */
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "incident_int.h"

static const struct vigil_store_migration incident_steps[] = {
    {"incidents with alerts, timeline, tasks, services and clocks",
     "CREATE TABLE incident_incidents (uid TEXT PRIMARY KEY NOT NULL,"
     " num BIGINT NOT NULL UNIQUE, title TEXT NOT NULL, kind TEXT NOT NULL,"
     " severity TEXT NOT NULL, status TEXT NOT NULL, owner TEXT NOT NULL,"
     " opened_ns BIGINT NOT NULL, aware_ns BIGINT NOT NULL,"
     " occurred_ns BIGINT NOT NULL DEFAULT 0,"
     " closed_ns BIGINT NOT NULL DEFAULT 0,"
     " last_alert_ns BIGINT NOT NULL DEFAULT 0,"
     " group_keys TEXT NOT NULL DEFAULT '',"
     " personal_data BIGINT NOT NULL DEFAULT 0,"
     " high_risk BIGINT NOT NULL DEFAULT 0,"
     " people BIGINT NOT NULL DEFAULT -1, records BIGINT NOT NULL DEFAULT -1,"
     " summary TEXT NOT NULL DEFAULT '',"
     " data_categories TEXT NOT NULL DEFAULT '',"
     " consequences TEXT NOT NULL DEFAULT '',"
     " measures TEXT NOT NULL DEFAULT '', created_by TEXT NOT NULL);"
     "CREATE INDEX incident_incidents_status ON incident_incidents (status);"
     "CREATE TABLE incident_alerts (incident_uid TEXT NOT NULL"
     " REFERENCES incident_incidents (uid), alert_uid TEXT NOT NULL,"
     " added_ns BIGINT NOT NULL, PRIMARY KEY (incident_uid, alert_uid));"
     "CREATE TABLE incident_timeline (uid TEXT PRIMARY KEY NOT NULL,"
     " incident_uid TEXT NOT NULL REFERENCES incident_incidents (uid),"
     " at_ns BIGINT NOT NULL, actor TEXT NOT NULL, what TEXT NOT NULL,"
     " text TEXT NOT NULL);"
     "CREATE INDEX incident_timeline_at ON incident_timeline"
     " (incident_uid, at_ns);"
     "CREATE TABLE incident_tasks (incident_uid TEXT NOT NULL"
     " REFERENCES incident_incidents (uid), pos BIGINT NOT NULL,"
     " title TEXT NOT NULL, role TEXT NOT NULL, owner TEXT NOT NULL,"
     " phase TEXT NOT NULL, ref TEXT NOT NULL, state TEXT NOT NULL,"
     " updated_ns BIGINT NOT NULL, PRIMARY KEY (incident_uid, pos));"
     "CREATE TABLE incident_services (incident_uid TEXT NOT NULL"
     " REFERENCES incident_incidents (uid), name TEXT NOT NULL,"
     " state TEXT NOT NULL, workaround TEXT NOT NULL,"
     " updated_ns BIGINT NOT NULL, PRIMARY KEY (incident_uid, name));"
     "CREATE TABLE incident_clocks (incident_uid TEXT NOT NULL"
     " REFERENCES incident_incidents (uid), regime TEXT NOT NULL,"
     " due_ns BIGINT NOT NULL, state TEXT NOT NULL, ref TEXT NOT NULL,"
     " done_ns BIGINT NOT NULL, warned BIGINT NOT NULL,"
     " PRIMARY KEY (incident_uid, regime));"},
};
const struct vigil_store_schema vigil_incident_schema = {
    "incident", incident_steps,
    sizeof(incident_steps) / sizeof(incident_steps[0])};

const char *const incident_phases[6] = {"detected",   "triaged",   "contained",
                                        "eradicated", "recovered", "closed"};

int
incident_phase_index(const char *name)
{
    for (int i = 0; name != NULL && i < 6; i++)
        if (strcmp(name, incident_phases[i]) == 0)
            return i;
    return -1;
}

int
incident_level_rank(const char *level)
{
    static const char *const levels[] = {"informational", "low", "medium",
                                         "high", "critical"};

    for (int i = 0; level != NULL && i < 5; i++)
        if (strcasecmp(level, levels[i]) == 0)
            return i;
    return -1;
}

int64_t
incident_now(void)
{
    static atomic_llong last;
    long long now = vigil_time_now(), prev = atomic_load(&last);

    for (;;) {
        long long next = now > prev ? now : prev + 1;
        if (atomic_compare_exchange_weak(&last, &prev, next))
            return next;
    }
}

char *
incident_textf(const char *fmt, ...)
{
    va_list ap;
    char *out;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || (out = malloc((size_t)n + 1)) == NULL)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(out, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return out;
}

enum vigil_rc
incident_text_ok(const char *what, const char *s, struct vigil_err *err)
{
    size_t n = s != NULL ? strlen(s) : 0;
    json_t *j;

    if (n > VIGIL_INCIDENT_TEXT_MAX)
        return vigil_err_set(err, VIGIL_EINVAL,
                             "%s is %zu bytes; at most %d are kept (nothing "
                             "was changed)",
                             what, n, VIGIL_INCIDENT_TEXT_MAX);
    /* the timeline and the evidence log are JSON: UTF-8 only, so that
     * what is stored is what was given */
    if (s != NULL && (j = json_stringn(s, n)) == NULL)
        return vigil_err_set(err, VIGIL_EINVAL,
                             "%s is not UTF-8 text (nothing was changed)",
                             what);
    if (s != NULL)
        json_decref(j);
    return VIGIL_OK;
}

char *
incident_dump(json_t *v)
{
    char *s =
        v != NULL ? json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;

    json_decref(v);
    return s;
}

enum vigil_rc
incident_exec(const struct incident_sink *k, const char *sql,
              const struct vigil_store_value *p, size_t n, int64_t *changes,
              struct vigil_err *err)
{
    enum vigil_rc rc;

    if (k->tx != NULL)
        return vigil_store_tx_exec(k->tx, sql, p, n, changes, err);
    if ((rc = vigil_store_batch_add_exec(k->batch, sql, p, n)) != VIGIL_OK)
        vigil_err_set(err, rc, "incident: adding to the batch: %s",
                      vigil_strerror(rc));
    return rc;
}

enum vigil_rc
incident_evidence(const struct incident_sink *k, const char *kind, json_t *data,
                  const char *actor, struct vigil_err *err)
{
    char *text = json_dumps(data, JSON_COMPACT | JSON_ENSURE_ASCII);
    enum vigil_rc rc;

    if (text == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    rc = k->tx != NULL
             ? vigil_evidence_append_tx(k->tx, kind, text, actor, err)
             : vigil_evidence_append_batch(k->batch, kind, text, actor, err);
    free(text);
    return rc;
}

/* The operating-system account this process runs as, looked up once:
 * recorded beside the actor, which --by lets a person name freely
 * (FIND14 6). */
static char account[128];
static pthread_once_t account_once = PTHREAD_ONCE_INIT;

static void
account_init(void)
{
    struct passwd pw, *res = NULL;
    char buf[1024];

    if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) == 0 && res != NULL)
        snprintf(account, sizeof(account), "%s", res->pw_name);
    else
        snprintf(account, sizeof(account), "uid %u", (unsigned)getuid());
}

enum vigil_rc
incident_record(const struct incident_sink *k, const char *uid,
                const char *tl_uid, const char *actor, const char *what,
                const char *text, json_t *extra, struct vigil_err *err)
{
    char own[VIGIL_UID_LEN + 1], kind[64], *text_data;
    struct vigil_store_value p[8];
    int64_t at = incident_now();
    json_t *data;
    enum vigil_rc rc;

    if (tl_uid == NULL) {
        if (vigil_uid_new(own) != VIGIL_OK)
            return vigil_err_set(err, VIGIL_EIO, "no random bytes for an id");
        tl_uid = own;
    }
    /* The evidence entry names the incident and the timeline entry, and
     * repeats what the timeline says, so an export can show that every
     * timeline entry is in the signed log. It goes first: when the
     * timeline entry is there already (a guarded record written again),
     * neither is written twice. */
    data = extra != NULL ? json_deep_copy(extra) : json_object();
    if (data == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    json_object_set_new(data, "incident", json_string(uid));
    json_object_set_new(data, "timeline", json_string(tl_uid));
    json_object_set_new(data, "at_ns", json_integer(at));
    json_object_set_new(data, "what", json_string(what));
    json_object_set_new(data, "text", json_string(text));
    pthread_once(&account_once, account_init);
    json_object_set_new(data, "account", json_string(account));
    snprintf(kind, sizeof(kind), "incident.%s", what);
    text_data = json_dumps(data, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(data);
    if (text_data == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    p[0] = vigil_sv_text(tl_uid);
    rc = vigil_evidence_append_unless(
        k->tx, k->batch, kind, text_data, actor,
        "SELECT 1 FROM incident_timeline WHERE uid = ?", p, 1, err);
    free(text_data);
    if (rc != VIGIL_OK)
        return rc;
    p[0] = vigil_sv_text(tl_uid);
    p[1] = vigil_sv_text(uid);
    p[2] = vigil_sv_int(at);
    p[3] = vigil_sv_text(actor);
    p[4] = vigil_sv_text(what);
    p[5] = vigil_sv_text(text);
    p[6] = vigil_sv_text(tl_uid);
    return incident_exec(k,
                         "INSERT INTO incident_timeline (uid, incident_uid, "
                         "at_ns, actor, what, text) SELECT ?, ?, ?, ?, ?, ? "
                         "WHERE NOT EXISTS (SELECT 1 FROM incident_timeline "
                         "WHERE uid = ?)",
                         p, 7, NULL, err);
}

/* ---- creation ---- */

static const char *
regime_applies(const struct vigil_incident_config *cfg,
               const struct vigil_regime *r, int personal)
{
    if (!(incident_jur_bits(cfg) & r->jurisdiction))
        return NULL;
    if (r->personal && !personal)
        return NULL;
    if (r->essential && !cfg->essential_service)
        return NULL;
    return r->id;
}

enum vigil_rc
incident_clocks_sync(const struct vigil_incident_env *env,
                     const struct incident_sink *k, const char *uid,
                     int64_t aware_ns, int personal_data, int move,
                     struct vigil_err *err)
{
    const struct vigil_regime *r;
    size_t n;
    enum vigil_rc rc = VIGIL_OK;

    r = vigil_regimes(&n);
    for (size_t i = 0; i < n && rc == VIGIL_OK; i++) {
        struct vigil_store_value p[6];
        int64_t due;

        if (regime_applies(env->cfg, &r[i], personal_data) == NULL)
            continue;
        due = vigil_regime_due(&r[i], aware_ns, env->tz, env->cfg->prompt_s);
        p[0] = vigil_sv_text(uid);
        p[1] = vigil_sv_text(r[i].id);
        p[2] = vigil_sv_int(due);
        p[3] = vigil_sv_text(uid);
        p[4] = vigil_sv_text(r[i].id);
        rc = incident_exec(k,
                           "INSERT INTO incident_clocks (incident_uid, regime,"
                           " due_ns, state, ref, done_ns, warned) SELECT ?, ?,"
                           " ?, 'running', '', 0, 0 WHERE NOT EXISTS (SELECT 1"
                           " FROM incident_clocks WHERE incident_uid = ? AND"
                           " regime = ?)",
                           p, 5, NULL, err);
        if (rc != VIGIL_OK || !move)
            continue;
        p[0] = vigil_sv_int(due);
        p[1] = vigil_sv_text(uid);
        p[2] = vigil_sv_text(r[i].id);
        rc = incident_exec(k,
                           "UPDATE incident_clocks SET due_ns = ?, warned = 0"
                           " WHERE incident_uid = ? AND regime = ? AND state ="
                           " 'running' AND due_ns <> ?",
                           (struct vigil_store_value[]){p[0], p[1], p[2], p[0]},
                           4, NULL, err);
    }
    return rc;
}

enum vigil_rc
incident_create(const struct vigil_incident_env *env,
                const struct incident_creation *c,
                const struct incident_sink *k, struct vigil_err *err)
{
    struct vigil_store_value p[14];
    char tl[VIGIL_UID_LEN + 16], *text;
    json_t *extra;
    enum vigil_rc rc;

    p[0] = vigil_sv_text(c->uid);
    p[1] = vigil_sv_text(c->title);
    p[2] = vigil_sv_text(c->kind);
    p[3] = vigil_sv_text(c->severity);
    p[4] = vigil_sv_text(c->owner ? c->owner : "");
    p[5] = vigil_sv_int(c->opened_ns);
    p[6] = vigil_sv_int(c->aware_ns);
    p[7] = vigil_sv_int(c->last_alert_ns);
    p[8] = vigil_sv_text(c->group_keys ? c->group_keys : "");
    p[9] = vigil_sv_int(c->personal_data);
    p[10] = vigil_sv_text(c->actor);
    p[11] = vigil_sv_text(c->uid);
    rc = incident_exec(
        k,
        "INSERT INTO incident_incidents (uid, num, title, kind, severity,"
        " status, owner, opened_ns, aware_ns, last_alert_ns, group_keys,"
        " personal_data, created_by) SELECT ?, m.n, ?, ?, ?, 'detected', ?,"
        " ?, ?, ?, ?, ?, ? FROM (SELECT COALESCE(MAX(num), 0) + 1 AS n FROM"
        " incident_incidents) AS m WHERE NOT EXISTS (SELECT 1 FROM"
        " incident_incidents WHERE uid = ?)",
        (struct vigil_store_value[]){p[0], p[1], p[2], p[3], p[4], p[5], p[6],
                                     p[7], p[8], p[9], p[10], p[11]},
        12, NULL, err);
    if (rc != VIGIL_OK)
        return rc;
    snprintf(tl, sizeof(tl), "%s.opened", c->uid);
    text =
        incident_textf("opened: %s (%s, %s)", c->title, c->kind, c->severity);
    extra =
        json_pack("{s:s,s:s,s:s,s:I,s:s}", "title", c->title, "kind", c->kind,
                  "severity", c->severity, "aware_ns", (json_int_t)c->aware_ns,
                  "group_keys", c->group_keys ? c->group_keys : "");
    rc = text != NULL && extra != NULL
             ? incident_record(k, c->uid, tl, c->actor, "opened", text, extra,
                               err)
             : vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    json_decref(extra);
    free(text);
    for (size_t i = 0; rc == VIGIL_OK && c->pb != NULL && i < c->pb->ntasks;
         i++) {
        const struct vigil_playbook_task *t = &c->pb->tasks[i];

        p[0] = vigil_sv_text(c->uid);
        p[1] = vigil_sv_int((int64_t)i + 1);
        p[2] = vigil_sv_text(t->title);
        p[3] = vigil_sv_text(t->role);
        p[4] = vigil_sv_text(incident_role_person(env->cfg, t->role));
        p[5] = vigil_sv_text(t->phase[0] ? t->phase : "triaged");
        p[6] = vigil_sv_text(t->ref);
        p[7] = vigil_sv_int(c->opened_ns);
        p[8] = vigil_sv_text(c->uid);
        p[9] = vigil_sv_int((int64_t)i + 1);
        rc = incident_exec(k,
                           "INSERT INTO incident_tasks (incident_uid, pos,"
                           " title, role, owner, phase, ref, state,"
                           " updated_ns) SELECT ?, ?, ?, ?, ?, ?, ?, 'open',"
                           " ? WHERE NOT EXISTS (SELECT 1 FROM incident_tasks"
                           " WHERE incident_uid = ? AND pos = ?)",
                           p, 10, NULL, err);
    }
    if (rc == VIGIL_OK)
        rc = incident_clocks_sync(env, k, c->uid, c->aware_ns, c->personal_data,
                                  0, err);
    return rc;
}

/* ---- changes by hand ---- */

struct row_ctx {
    int found;
    int64_t num, aware_ns, pos, personal;
    char text[256];
};

static int
first_row(const struct vigil_store_value *c, size_t nc, void *arg)
{
    struct row_ctx *r = arg;

    r->found = 1;
    for (size_t i = 0; i < nc; i++) {
        if (i == 0 && c[i].type == VIGIL_SV_INT)
            r->num = c[i].i;
        if (c[i].type == VIGIL_SV_TEXT && r->text[0] == '\0')
            snprintf(r->text, sizeof(r->text), "%s", c[i].p);
        if (i == 1 && c[i].type == VIGIL_SV_INT)
            r->aware_ns = c[i].i;
        if (i == 2 && c[i].type == VIGIL_SV_INT)
            r->personal = c[i].i;
    }
    return 1;
}

enum vigil_rc
vigil_incident_resolve(struct vigil_store *s, const char *ref,
                       char uid[VIGIL_UID_LEN + 1], int64_t *num,
                       struct vigil_err *err)
{
    struct row_ctx r = {0};
    const char *digits = ref;
    char like[VIGIL_UID_LEN + 2];
    struct vigil_store_value p;
    int64_t n;
    size_t len;
    enum vigil_rc rc;

    if (strncasecmp(ref, "INC-", 4) == 0)
        digits = ref + 4;
    len = strlen(digits);
    if (len > 0 && len < 10 && vigil_parse_i64(digits, len, &n)) {
        p = vigil_sv_int(n);
        rc = vigil_store_query(s,
                               "SELECT num, uid FROM incident_incidents WHERE "
                               "num = ?",
                               &p, 1, first_row, &r, err);
    } else if (len >= 8 && len <= VIGIL_UID_LEN &&
               strspn(digits, "0123456789abcdef") == len) {
        snprintf(like, sizeof(like), "%s%%", digits);
        p = vigil_sv_text(like);
        rc = vigil_store_query(s,
                               "SELECT num, uid FROM incident_incidents WHERE "
                               "uid LIKE ? ORDER BY num",
                               &p, 1, first_row, &r, err);
    } else {
        return vigil_err_set(err, VIGIL_EINVAL,
                             "'%s' is not an incident number (7, INC-7) or "
                             "id",
                             ref);
    }
    if (rc != VIGIL_OK)
        return rc;
    if (!r.found)
        return vigil_err_set(err, VIGIL_ENOTFOUND, "no incident %s", ref);
    snprintf(uid, VIGIL_UID_LEN + 1, "%.32s", r.text);
    if (num != NULL)
        *num = r.num;
    return VIGIL_OK;
}

/* Runs body(k, arg) in a transaction of its own. */
static enum vigil_rc
in_tx(const struct vigil_incident_env *env,
      enum vigil_rc (*body)(const struct vigil_incident_env *env,
                            const struct incident_sink *k, void *arg,
                            struct vigil_err *err),
      void *arg, struct vigil_err *err)
{
    struct incident_sink k = {0};
    enum vigil_rc rc;

    if ((rc = vigil_store_tx_begin(env->store, &k.tx, err)) != VIGIL_OK)
        return rc;
    rc = body(env, &k, arg, err);
    if (rc != VIGIL_OK) {
        vigil_store_tx_rollback(k.tx);
        return rc;
    }
    return vigil_store_tx_commit(k.tx, err);
}

static enum vigil_rc
current(const struct incident_sink *k, const char *uid, const char *col_sql,
        struct row_ctx *r, struct vigil_err *err)
{
    struct vigil_store_value p = vigil_sv_text(uid);
    enum vigil_rc rc;

    memset(r, 0, sizeof(*r));
    rc = vigil_store_tx_query(k->tx, col_sql, &p, 1, first_row, r, err);
    if (rc == VIGIL_OK && !r->found)
        rc = vigil_err_set(err, VIGIL_ENOTFOUND, "no incident %s", uid);
    return rc;
}

struct open_args {
    const struct vigil_incident_new *n;
    char *uid;
    int64_t *num;
};

static enum vigil_rc
open_body(const struct vigil_incident_env *env, const struct incident_sink *k,
          void *arg, struct vigil_err *err)
{
    struct open_args *a = arg;
    const struct vigil_incident_new *n = a->n;
    const struct vigil_playbook *pb = NULL;
    struct incident_creation c = {0};
    struct row_ctx r;
    enum vigil_rc rc;

    if (n->kind != NULL && strcmp(n->kind, "generic") != 0 &&
        (pb = vigil_playbooks_get(env->playbooks, n->kind)) == NULL)
        return vigil_err_set(err, VIGIL_EINVAL,
                             "no playbook '%s' (vigil incident new --help "
                             "lists them)",
                             n->kind);
    if (n->severity != NULL && incident_level_rank(n->severity) < 1)
        return vigil_err_set(err, VIGIL_EINVAL,
                             "severity is low, medium, high or critical, not "
                             "'%s'",
                             n->severity);
    if (vigil_uid_new(a->uid) != VIGIL_OK)
        return vigil_err_set(err, VIGIL_EIO, "no random bytes for an id");
    c.uid = a->uid;
    c.title = n->title;
    c.kind = pb ? pb->id : "generic";
    c.severity = n->severity ? n->severity : pb ? pb->severity : "medium";
    c.owner = n->owner;
    c.actor = env->actor;
    c.opened_ns = incident_now();
    c.aware_ns = n->aware_ns ? n->aware_ns : c.opened_ns;
    c.personal_data = n->personal_data >= 0 ? n->personal_data
                      : pb                  ? pb->personal_data
                                            : 0;
    c.pb = pb;
    if ((rc = incident_create(env, &c, k, err)) != VIGIL_OK)
        return rc;
    rc = current(k, a->uid, "SELECT num FROM incident_incidents WHERE uid = ?",
                 &r, err);
    if (rc == VIGIL_OK)
        *a->num = r.num;
    return rc;
}

enum vigil_rc
vigil_incident_open(const struct vigil_incident_env *env,
                    const struct vigil_incident_new *n,
                    char uid[VIGIL_UID_LEN + 1], int64_t *num,
                    struct vigil_err *err)
{
    struct open_args a = {n, uid, num};

    if (n->title == NULL || n->title[0] == '\0')
        return vigil_err_set(err, VIGIL_EINVAL, "an incident needs a title");
    if (incident_text_ok("the title", n->title, err) != VIGIL_OK ||
        incident_text_ok("the owner", n->owner, err) != VIGIL_OK)
        return err->rc;
    return in_tx(env, open_body, &a, err);
}

/* A simple change: one UPDATE (may be NULL) and its record. */
struct change {
    const char *uid;
    const char *sql;
    struct vigil_store_value p[8];
    size_t np;
    const char *what;
    char *text; /* owned (incident_textf); NULL: out of memory */
    json_t *extra;
    int must_change;  /* the UPDATE must touch a row */
    const char *none; /* message when it touched none */
};

static enum vigil_rc
change_body(const struct vigil_incident_env *env, const struct incident_sink *k,
            void *arg, struct vigil_err *err)
{
    struct change *ch = arg;
    struct row_ctx r;
    int64_t changes = 0;
    enum vigil_rc rc;

    rc = current(k, ch->uid, "SELECT num FROM incident_incidents WHERE uid = ?",
                 &r, err);
    if (rc == VIGIL_OK && ch->sql != NULL)
        rc = incident_exec(k, ch->sql, ch->p, ch->np, &changes, err);
    if (rc == VIGIL_OK && ch->text == NULL)
        rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    if (rc == VIGIL_OK && ch->must_change && changes == 0)
        rc = vigil_err_set(err, VIGIL_ENOTFOUND, "%s", ch->none);
    if (rc == VIGIL_OK)
        rc = incident_record(k, ch->uid, NULL, env->actor, ch->what, ch->text,
                             ch->extra, err);
    return rc;
}

static enum vigil_rc
run_change(const struct vigil_incident_env *env, struct change *ch,
           struct vigil_err *err)
{
    enum vigil_rc rc = in_tx(env, change_body, ch, err);

    json_decref(ch->extra);
    free(ch->text);
    return rc;
}

enum vigil_rc
vigil_incident_note(const struct vigil_incident_env *env, const char *uid,
                    const char *text, struct vigil_err *err)
{
    struct change ch = {.uid = uid, .what = "note"};

    if (text == NULL || text[0] == '\0')
        return vigil_err_set(err, VIGIL_EINVAL, "an empty note");
    if (incident_text_ok("the note", text, err) != VIGIL_OK)
        return err->rc;
    ch.text = incident_textf("%s", text);
    return run_change(env, &ch, err);
}

enum vigil_rc
vigil_incident_status(const struct vigil_incident_env *env, const char *uid,
                      const char *phase, const char *note,
                      struct vigil_err *err)
{
    struct change ch = {.uid = uid, .what = "status"};
    int64_t now = incident_now();

    if (incident_phase_index(phase) < 0)
        return vigil_err_set(err, VIGIL_EINVAL,
                             "'%s' is not a phase (detected, triaged, "
                             "contained, eradicated, recovered, closed)",
                             phase);
    ch.sql = "UPDATE incident_incidents SET status = ?, closed_ns = CASE "
             "WHEN ? = 'closed' THEN ? ELSE 0 END WHERE uid = ?";
    ch.p[0] = vigil_sv_text(phase);
    ch.p[1] = vigil_sv_text(phase);
    ch.p[2] = vigil_sv_int(now);
    ch.p[3] = vigil_sv_text(uid);
    ch.np = 4;
    if (incident_text_ok("the note", note, err) != VIGIL_OK)
        return err->rc;
    ch.text = incident_textf("status: %s%s%s", phase, note ? ": " : "",
                             note ? note : "");
    ch.extra = json_pack("{s:s}", "status", phase);
    return run_change(env, &ch, err);
}

enum vigil_rc
vigil_incident_assign(const struct vigil_incident_env *env, const char *uid,
                      const char *owner, struct vigil_err *err)
{
    struct change ch = {.uid = uid, .what = "assign"};

    if (owner == NULL || owner[0] == '\0')
        return vigil_err_set(err, VIGIL_EINVAL, "assign to whom?");
    ch.sql = "UPDATE incident_incidents SET owner = ? WHERE uid = ?";
    ch.p[0] = vigil_sv_text(owner);
    ch.p[1] = vigil_sv_text(uid);
    ch.np = 2;
    if (incident_text_ok("the owner", owner, err) != VIGIL_OK)
        return err->rc;
    ch.text = incident_textf("owner: %s", owner);
    ch.extra = json_pack("{s:s}", "owner", owner);
    return run_change(env, &ch, err);
}

struct task_args {
    const char *uid, *title, *owner;
    int64_t *pos;
};

static int
max_row(const struct vigil_store_value *c, size_t nc, void *arg)
{
    *(int64_t *)arg = c[0].type == VIGIL_SV_INT ? c[0].i : 0;
    return 1;
}

static enum vigil_rc
task_add_body(const struct vigil_incident_env *env,
              const struct incident_sink *k, void *arg, struct vigil_err *err)
{
    struct task_args *a = arg;
    struct vigil_store_value p[8];
    struct row_ctx r;
    char *text;
    int64_t pos = 0;
    json_t *extra;
    enum vigil_rc rc;

    rc = current(k, a->uid, "SELECT num FROM incident_incidents WHERE uid = ?",
                 &r, err);
    p[0] = vigil_sv_text(a->uid);
    if (rc == VIGIL_OK)
        rc = vigil_store_tx_query(k->tx,
                                  "SELECT MAX(pos) FROM incident_tasks WHERE "
                                  "incident_uid = ?",
                                  p, 1, max_row, &pos, err);
    if (rc != VIGIL_OK)
        return rc;
    pos++;
    p[1] = vigil_sv_int(pos);
    p[2] = vigil_sv_text(a->title);
    p[3] = vigil_sv_text(a->owner ? a->owner : "");
    p[4] = vigil_sv_int(incident_now());
    rc = incident_exec(k,
                       "INSERT INTO incident_tasks (incident_uid, pos, title,"
                       " role, owner, phase, ref, state, updated_ns) VALUES"
                       " (?, ?, ?, '', ?, '', '', 'open', ?)",
                       p, 5, NULL, err);
    text = incident_textf("task %lld added: %s", (long long)pos, a->title);
    extra = json_pack("{s:I,s:s}", "task", (json_int_t)pos, "title", a->title);
    if (rc == VIGIL_OK && (text == NULL || extra == NULL))
        rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    if (rc == VIGIL_OK)
        rc = incident_record(k, a->uid, NULL, env->actor, "task", text, extra,
                             err);
    json_decref(extra);
    free(text);
    *a->pos = pos;
    return rc;
}

enum vigil_rc
vigil_incident_task_add(const struct vigil_incident_env *env, const char *uid,
                        const char *title, const char *owner, int64_t *pos,
                        struct vigil_err *err)
{
    struct task_args a = {uid, title, owner, pos};

    if (title == NULL || title[0] == '\0')
        return vigil_err_set(err, VIGIL_EINVAL, "a task needs a title");
    if (incident_text_ok("the task's title", title, err) != VIGIL_OK ||
        incident_text_ok("the owner", owner, err) != VIGIL_OK)
        return err->rc;
    return in_tx(env, task_add_body, &a, err);
}

static int
one_of(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s, *words) == 0)
            return 1;
    return 0;
}

enum vigil_rc
vigil_incident_task_set(const struct vigil_incident_env *env, const char *uid,
                        int64_t pos, const char *state, const char *owner,
                        struct vigil_err *err)
{
    static const char *const states[] = {"open", "doing", "done", "skipped",
                                         NULL};
    struct change ch = {
        .uid = uid, .what = "task", .must_change = 1, .none = "no such task"};

    if (state != NULL && !one_of(state, states))
        return vigil_err_set(err, VIGIL_EINVAL,
                             "a task is open, doing, done or skipped, not "
                             "'%s'",
                             state);
    if (state == NULL && owner == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "nothing to change");
    ch.sql = "UPDATE incident_tasks SET state = COALESCE(?, state), owner = "
             "COALESCE(?, owner), updated_ns = ? WHERE incident_uid = ? AND "
             "pos = ?";
    ch.p[0] = vigil_sv_text(state);
    ch.p[1] = vigil_sv_text(owner);
    ch.p[2] = vigil_sv_int(incident_now());
    ch.p[3] = vigil_sv_text(uid);
    ch.p[4] = vigil_sv_int(pos);
    ch.np = 5;
    if (incident_text_ok("the owner", owner, err) != VIGIL_OK)
        return err->rc;
    ch.text = incident_textf("task %lld:%s%s%s%s", (long long)pos,
                             state ? " " : "", state ? state : "",
                             owner ? " owner " : "", owner ? owner : "");
    ch.extra = json_pack("{s:I,s:s?,s:s?}", "task", (json_int_t)pos, "state",
                         state, "owner", owner);
    return run_change(env, &ch, err);
}

struct service_args {
    const char *uid, *name, *state, *workaround;
};

static enum vigil_rc
service_body(const struct vigil_incident_env *env,
             const struct incident_sink *k, void *arg, struct vigil_err *err)
{
    struct service_args *a = arg;
    struct vigil_store_value p[5];
    struct row_ctx r;
    int64_t changes = 0, now = incident_now();
    char *text;
    json_t *extra;
    enum vigil_rc rc;

    rc = current(k, a->uid, "SELECT num FROM incident_incidents WHERE uid = ?",
                 &r, err);
    p[0] = vigil_sv_text(a->state);
    p[1] = vigil_sv_text(a->workaround);
    p[2] = vigil_sv_int(now);
    p[3] = vigil_sv_text(a->uid);
    p[4] = vigil_sv_text(a->name);
    if (rc == VIGIL_OK)
        rc = incident_exec(k,
                           "UPDATE incident_services SET state = ?, workaround"
                           " = COALESCE(?, workaround), updated_ns = ? WHERE"
                           " incident_uid = ? AND name = ?",
                           p, 5, &changes, err);
    if (rc == VIGIL_OK && changes == 0) {
        p[0] = vigil_sv_text(a->uid);
        p[1] = vigil_sv_text(a->name);
        p[2] = vigil_sv_text(a->state);
        p[3] = vigil_sv_text(a->workaround ? a->workaround : "");
        p[4] = vigil_sv_int(now);
        rc = incident_exec(k,
                           "INSERT INTO incident_services (incident_uid, name,"
                           " state, workaround, updated_ns) VALUES (?, ?, ?,"
                           " ?, ?)",
                           p, 5, NULL, err);
    }
    if (rc != VIGIL_OK)
        return rc;
    text = incident_textf("service %s: %s%s%s", a->name, a->state,
                          a->workaround ? "; public workaround: " : "",
                          a->workaround ? a->workaround : "");
    extra = json_pack("{s:s,s:s,s:s?}", "service", a->name, "state", a->state,
                      "workaround", a->workaround);
    rc = text != NULL && extra != NULL
             ? incident_record(k, a->uid, NULL, env->actor, "service", text,
                               extra, err)
             : vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    json_decref(extra);
    free(text);
    return rc;
}

enum vigil_rc
vigil_incident_service(const struct vigil_incident_env *env, const char *uid,
                       const char *name, const char *state,
                       const char *workaround, struct vigil_err *err)
{
    static const char *const states[] = {"down", "degraded", "restored",
                                         "operational", NULL};
    struct service_args a = {uid, name, state, workaround};

    if (name == NULL || name[0] == '\0')
        return vigil_err_set(err, VIGIL_EINVAL, "which service?");
    if (incident_text_ok("the service's name", name, err) != VIGIL_OK ||
        incident_text_ok("the workaround", workaround, err) != VIGIL_OK)
        return err->rc;
    if (state == NULL || !one_of(state, states))
        return vigil_err_set(err, VIGIL_EINVAL,
                             "a service is down, degraded, restored or "
                             "operational");
    return in_tx(env, service_body, &a, err);
}

enum vigil_rc
vigil_incident_clock(const struct vigil_incident_env *env, const char *uid,
                     const char *regime, const char *state, const char *ref,
                     struct vigil_err *err)
{
    static const char *const states[] = {"running", "met", "not-required",
                                         NULL};
    struct change ch = {.uid = uid,
                        .what = "clock",
                        .must_change = 1,
                        .none = "this incident has no such clock (vigil "
                                "incident show lists its clocks)"};
    const struct vigil_regime *r = vigil_regime_get(regime);

    if (r == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "unknown regime '%s'",
                             regime ? regime : "");
    if (state == NULL || !one_of(state, states))
        return vigil_err_set(err, VIGIL_EINVAL,
                             "a clock is running, met or not-required");
    ch.sql = "UPDATE incident_clocks SET state = ?, ref = ?, done_ns = ? "
             "WHERE incident_uid = ? AND regime = ?";
    ch.p[0] = vigil_sv_text(state);
    ch.p[1] = vigil_sv_text(ref ? ref : "");
    ch.p[2] = vigil_sv_int(strcmp(state, "running") == 0 ? 0 : incident_now());
    ch.p[3] = vigil_sv_text(uid);
    ch.p[4] = vigil_sv_text(regime);
    ch.np = 5;
    if (incident_text_ok("the reference", ref, err) != VIGIL_OK)
        return err->rc;
    ch.text = incident_textf("clock %s (%s): %s%s%s", regime, r->name, state,
                             ref ? " - " : "", ref ? ref : "");
    ch.extra = json_pack("{s:s,s:s,s:s?}", "regime", regime, "state", state,
                         "ref", ref);
    return run_change(env, &ch, err);
}

struct facts_args {
    const char *uid;
    const struct vigil_incident_facts *f;
};

static enum vigil_rc
facts_body(const struct vigil_incident_env *env, const struct incident_sink *k,
           void *arg, struct vigil_err *err)
{
    struct facts_args *a = arg;
    const struct vigil_incident_facts *f = a->f;
    struct vigil_store_value p[VIGIL_STORE_PARAMS_MAX];
    struct row_ctx r;
    json_t *extra;
    enum vigil_rc rc;

    rc = current(k, a->uid,
                 "SELECT num, aware_ns, personal_data FROM incident_incidents "
                 "WHERE uid = ?",
                 &r, err);
    if (rc != VIGIL_OK)
        return rc;
    p[0] = vigil_sv_text(f->summary);
    p[1] = vigil_sv_text(f->data_categories);
    p[2] = vigil_sv_text(f->consequences);
    p[3] = vigil_sv_text(f->measures);
    p[4] = f->people >= 0 ? vigil_sv_int(f->people) : vigil_sv_null();
    p[5] = f->records >= 0 ? vigil_sv_int(f->records) : vigil_sv_null();
    p[6] = f->personal_data >= 0 ? vigil_sv_int(f->personal_data)
                                 : vigil_sv_null();
    p[7] = f->high_risk >= 0 ? vigil_sv_int(f->high_risk) : vigil_sv_null();
    p[8] = f->aware_ns > 0 ? vigil_sv_int(f->aware_ns) : vigil_sv_null();
    p[9] = f->occurred_ns > 0 ? vigil_sv_int(f->occurred_ns) : vigil_sv_null();
    p[10] = vigil_sv_text(a->uid);
    rc = incident_exec(
        k,
        "UPDATE incident_incidents SET summary = COALESCE(?, summary),"
        " data_categories = COALESCE(?, data_categories),"
        " consequences = COALESCE(?, consequences),"
        " measures = COALESCE(?, measures), people = COALESCE(?, people),"
        " records = COALESCE(?, records),"
        " personal_data = COALESCE(?, personal_data),"
        " high_risk = COALESCE(?, high_risk),"
        " aware_ns = COALESCE(?, aware_ns),"
        " occurred_ns = COALESCE(?, occurred_ns) WHERE uid = ?",
        p, 11, NULL, err);
    if (rc == VIGIL_OK &&
        (f->aware_ns > 0 || (f->personal_data == 1 && r.personal == 0)))
        rc = incident_clocks_sync(
            env, k, a->uid, f->aware_ns > 0 ? f->aware_ns : r.aware_ns,
            f->personal_data >= 0 ? f->personal_data : (int)r.personal,
            f->aware_ns > 0, err);
    if (rc != VIGIL_OK)
        return rc;
    extra = json_pack("{s:s?,s:s?,s:s?,s:s?}", "summary", f->summary,
                      "data_categories", f->data_categories, "consequences",
                      f->consequences, "measures", f->measures);
    if (f->people >= 0)
        json_object_set_new(extra, "people", json_integer(f->people));
    if (f->records >= 0)
        json_object_set_new(extra, "records", json_integer(f->records));
    if (f->personal_data >= 0)
        json_object_set_new(extra, "personal_data",
                            json_boolean(f->personal_data));
    if (f->high_risk >= 0)
        json_object_set_new(extra, "high_risk", json_boolean(f->high_risk));
    if (f->aware_ns > 0)
        json_object_set_new(extra, "aware_ns", json_integer(f->aware_ns));
    if (f->occurred_ns > 0)
        json_object_set_new(extra, "occurred_ns", json_integer(f->occurred_ns));
    {
        char *facts = json_dumps(extra, JSON_COMPACT | JSON_SORT_KEYS);
        char *text = facts ? incident_textf("facts: %s", facts) : NULL;

        rc = text != NULL ? incident_record(k, a->uid, NULL, env->actor,
                                            "facts", text, extra, err)
                          : vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        free(facts);
        free(text);
    }
    json_decref(extra);
    return rc;
}

enum vigil_rc
vigil_incident_facts(const struct vigil_incident_env *env, const char *uid,
                     const struct vigil_incident_facts *f,
                     struct vigil_err *err)
{
    struct facts_args a = {uid, f};

    if (incident_text_ok("the summary", f->summary, err) != VIGIL_OK ||
        incident_text_ok("the data categories", f->data_categories, err) !=
            VIGIL_OK ||
        incident_text_ok("the consequences", f->consequences, err) !=
            VIGIL_OK ||
        incident_text_ok("the measures", f->measures, err) != VIGIL_OK)
        return err->rc;
    return in_tx(env, facts_body, &a, err);
}

enum vigil_rc
vigil_incident_close(const struct vigil_incident_env *env, const char *uid,
                     const char *summary, struct vigil_err *err)
{
    struct change ch = {.uid = uid, .what = "closed"};

    ch.sql = "UPDATE incident_incidents SET status = 'closed', closed_ns = ?,"
             " measures = CASE WHEN ? IS NULL THEN measures ELSE ? END"
             " WHERE uid = ?";
    ch.p[0] = vigil_sv_int(incident_now());
    ch.p[1] = vigil_sv_text(summary);
    ch.p[2] = vigil_sv_text(summary);
    ch.p[3] = vigil_sv_text(uid);
    ch.np = 4;
    if (incident_text_ok("the summary", summary, err) != VIGIL_OK)
        return err->rc;
    ch.text = incident_textf("closed%s%s", summary ? ": " : "",
                             summary ? summary : "");
    ch.extra = json_pack("{s:s,s:s?}", "status", "closed", "summary", summary);
    return run_change(env, &ch, err);
}
