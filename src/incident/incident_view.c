/* incident_view.c -- what is read out of the incident tables: the list,
 * one incident in full, the breach register, the draft notifications
 * filled from an incident, the clocks that need a warning, and the
 * export archive (docs/evidence.md). Everything is built as JSON; the
 * command line prints it as it is (--json) or as tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "incident_int.h"

#define INCIDENT_COLS                                                          \
    "uid, num, title, kind, severity, status, owner, opened_ns, aware_ns,"     \
    " occurred_ns, closed_ns, last_alert_ns, group_keys, personal_data,"       \
    " high_risk, people, records, summary, data_categories, consequences,"     \
    " measures, created_by"

static const char *
txt(const struct vigil_store_value *v)
{
    return v->type == VIGIL_SV_TEXT && v->p != NULL ? v->p : "";
}

static json_t *
when(const struct vigil_incident_env *env, int64_t ns)
{
    char buf[48];

    if (ns == 0)
        return json_null();
    vigil_clock_format(env->tz, ns, buf);
    return json_string(buf);
}

struct rows {
    const struct vigil_incident_env *env;
    json_t *arr;
};

static int
incident_row(const struct vigil_store_value *c, size_t nc, void *arg)
{
    struct rows *r = arg;
    const struct vigil_incident_env *env = r->env;
    json_t *o = json_object();

    json_object_set_new(o, "num", json_integer(c[1].i));
    json_object_set_new(o, "id", json_string(txt(&c[0])));
    json_object_set_new(o, "title", json_string(txt(&c[2])));
    json_object_set_new(o, "kind", json_string(txt(&c[3])));
    json_object_set_new(o, "severity", json_string(txt(&c[4])));
    json_object_set_new(o, "status", json_string(txt(&c[5])));
    json_object_set_new(o, "owner", json_string(txt(&c[6])));
    json_object_set_new(o, "opened", when(env, c[7].i));
    json_object_set_new(o, "opened_ns", json_integer(c[7].i));
    json_object_set_new(o, "aware", when(env, c[8].i));
    json_object_set_new(o, "aware_ns", json_integer(c[8].i));
    json_object_set_new(o, "occurred", when(env, c[9].i));
    json_object_set_new(o, "closed", when(env, c[10].i));
    json_object_set_new(o, "last_alert", when(env, c[11].i));
    json_object_set_new(o, "group_keys", json_string(txt(&c[12])));
    json_object_set_new(o, "personal_data", json_boolean(c[13].i));
    json_object_set_new(o, "high_risk", json_boolean(c[14].i));
    json_object_set_new(o, "people",
                        c[15].i >= 0 ? json_integer(c[15].i) : json_null());
    json_object_set_new(o, "records",
                        c[16].i >= 0 ? json_integer(c[16].i) : json_null());
    json_object_set_new(o, "summary", json_string(txt(&c[17])));
    json_object_set_new(o, "data_categories", json_string(txt(&c[18])));
    json_object_set_new(o, "consequences", json_string(txt(&c[19])));
    json_object_set_new(o, "measures", json_string(txt(&c[20])));
    json_object_set_new(o, "created_by", json_string(txt(&c[21])));
    json_array_append_new(r->arr, o);
    return 0;
}

enum vigil_rc
vigil_incident_list(const struct vigil_incident_env *env, int open_only,
                    char **json, struct vigil_err *err)
{
    struct rows r = {env, json_array()};
    enum vigil_rc rc;

    *json = NULL;
    rc = vigil_store_query(
        env->store,
        open_only
            ? "SELECT " INCIDENT_COLS " FROM incident_incidents WHERE status <>"
              " 'closed' ORDER BY num"
            : "SELECT " INCIDENT_COLS " FROM incident_incidents ORDER BY num",
        NULL, 0, incident_row, &r, err);
    if (rc != VIGIL_OK) {
        json_decref(r.arr);
        return rc;
    }
    if ((*json = incident_dump(r.arr)) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    return VIGIL_OK;
}

static int
task_row(const struct vigil_store_value *c, size_t nc, void *arg)
{
    json_array_append_new(
        arg,
        json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "pos", (json_int_t)c[0].i,
                  "title", txt(&c[1]), "role", txt(&c[2]), "owner", txt(&c[3]),
                  "phase", txt(&c[4]), "ref", txt(&c[5]), "state", txt(&c[6])));
    return 0;
}

static int
service_row(const struct vigil_store_value *c, size_t nc, void *arg)
{
    struct rows *r = arg;
    json_t *o = json_pack("{s:s,s:s,s:s}", "name", txt(&c[0]), "state",
                          txt(&c[1]), "workaround", txt(&c[2]));

    json_object_set_new(o, "updated", when(r->env, c[3].i));
    json_array_append_new(r->arr, o);
    return 0;
}

static int
clock_row(const struct vigil_store_value *c, size_t nc, void *arg)
{
    struct rows *r = arg;
    const struct vigil_regime *g = vigil_regime_get(txt(&c[0]));
    char left[32];
    json_t *o;

    if (g == NULL)
        return 0;
    vigil_clock_left(c[1].i - vigil_time_now(), left, sizeof(left));
    o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "regime", g->id, "name",
                  g->name, "regulator", g->regulator, "state", txt(&c[2]),
                  "ref", txt(&c[3]), "condition", g->condition, "source",
                  g->source);
    json_object_set_new(o, "deadline",
                        json_string(g->kind == VIGIL_DUE_PROMPT
                                        ? "target (the law says promptly / "
                                          "without undue delay)"
                                        : "legal"));
    json_object_set_new(o, "due", when(r->env, c[1].i));
    json_object_set_new(o, "due_ns", json_integer(c[1].i));
    json_object_set_new(o, "left", json_string(left));
    json_object_set_new(o, "done", when(r->env, c[4].i));
    json_array_append_new(r->arr, o);
    return 0;
}

static int
alert_row(const struct vigil_store_value *c, size_t nc, void *arg)
{
    struct rows *r = arg;
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", txt(&c[0]), "rule_id",
                          txt(&c[2]), "title", txt(&c[3]), "level", txt(&c[4]),
                          "source", txt(&c[5]));

    json_object_set_new(o, "time", when(r->env, c[1].i));
    json_object_set_new(o, "time_ns", json_integer(c[1].i));
    if (nc > 6) { /* the export: the event and the matched fields, as the
                     store keeps them (their hash is in the evidence) */
        json_object_set_new(o, "event_json", json_string(txt(&c[6])));
        json_object_set_new(o, "matched_json", json_string(txt(&c[7])));
    }
    json_array_append_new(r->arr, o);
    return 0;
}

static int
timeline_row(const struct vigil_store_value *c, size_t nc, void *arg)
{
    struct rows *r = arg;
    json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "id", txt(&c[0]), "actor",
                          txt(&c[2]), "what", txt(&c[3]), "text", txt(&c[4]));

    json_object_set_new(o, "at", when(r->env, c[1].i));
    json_object_set_new(o, "at_ns", json_integer(c[1].i));
    json_array_append_new(r->arr, o);
    return 0;
}

/* One incident with everything attached; full adds the alerts' events. */
static enum vigil_rc
show(const struct vigil_incident_env *env, const char *uid, int full,
     json_t **out, struct vigil_err *err)
{
    struct vigil_store_value p = vigil_sv_text(uid);
    struct rows r = {env, json_array()};
    json_t *o = NULL;
    enum vigil_rc rc;
    struct {
        const char *key, *sql;
        vigil_store_row_fn fn;
        int rows;
    } parts[] = {
        {"tasks",
         "SELECT pos, title, role, owner, phase, ref, state FROM "
         "incident_tasks WHERE incident_uid = ? ORDER BY pos",
         task_row, 0},
        {"services",
         "SELECT name, state, workaround, updated_ns FROM incident_services "
         "WHERE incident_uid = ? ORDER BY name",
         service_row, 1},
        {"clocks",
         "SELECT regime, due_ns, state, ref, done_ns FROM incident_clocks "
         "WHERE incident_uid = ? ORDER BY due_ns, regime",
         clock_row, 1},
        {"alerts",
         full ? "SELECT a.uid, a.time_ns, a.rule_id, a.title, a.level,"
                " a.source, a.event_json, a.matched_json FROM incident_alerts x"
                " JOIN alerts a ON a.uid = x.alert_uid WHERE x.incident_uid = ?"
                " ORDER BY a.time_ns, a.uid"
              : "SELECT a.uid, a.time_ns, a.rule_id, a.title, a.level,"
                " a.source FROM incident_alerts x JOIN alerts a ON a.uid ="
                " x.alert_uid WHERE x.incident_uid = ? ORDER BY a.time_ns,"
                " a.uid",
         alert_row, 1},
        {"timeline",
         "SELECT uid, at_ns, actor, what, text FROM incident_timeline WHERE "
         "incident_uid = ? ORDER BY at_ns, uid",
         timeline_row, 1},
    };

    *out = NULL;
    rc = vigil_store_query(env->store,
                           "SELECT " INCIDENT_COLS
                           " FROM incident_incidents WHERE uid = ?",
                           &p, 1, incident_row, &r, err);
    if (rc == VIGIL_OK && json_array_size(r.arr) == 0)
        rc = vigil_err_set(err, VIGIL_ENOTFOUND, "no incident %s", uid);
    if (rc == VIGIL_OK)
        o = json_incref(json_array_get(r.arr, 0));
    json_decref(r.arr);
    for (size_t i = 0; rc == VIGIL_OK && i < sizeof(parts) / sizeof(parts[0]);
         i++) {
        struct rows pr = {env, json_array()};

        rc = vigil_store_query(env->store, parts[i].sql, &p, 1, parts[i].fn,
                               parts[i].rows ? (void *)&pr : (void *)pr.arr,
                               err);
        json_object_set_new(o, parts[i].key, pr.arr);
    }
    if (rc != VIGIL_OK) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return VIGIL_OK;
}

enum vigil_rc
vigil_incident_show(const struct vigil_incident_env *env, const char *uid,
                    char **json, struct vigil_err *err)
{
    json_t *o;
    enum vigil_rc rc = show(env, uid, 0, &o, err);

    *json = NULL;
    if (rc == VIGIL_OK && (*json = incident_dump(o)) == NULL)
        rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    return rc;
}

/* ---- the breach register ---- */

static const char *
str_of(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

enum vigil_rc
vigil_incident_register(const struct vigil_incident_env *env, char **json,
                        struct vigil_err *err)
{
    struct rows r = {env, json_array()};
    json_t *out = json_array(), *inc;
    size_t i;
    enum vigil_rc rc;

    *json = NULL;
    /* Every personal data breach, reportable or not: Art. 33(5), Quebec's
     * register and PIPEDA's records all cover those not reported too. */
    rc = vigil_store_query(env->store,
                           "SELECT " INCIDENT_COLS
                           " FROM incident_incidents WHERE personal_data = 1"
                           " ORDER BY num",
                           NULL, 0, incident_row, &r, err);
    json_array_foreach(r.arr, i, inc)
    {
        json_t *full = NULL, *row, *clk, *notes = json_array();
        int64_t aware = json_integer_value(json_object_get(inc, "aware_ns"));
        int64_t keep = 0;
        size_t j;

        if (rc != VIGIL_OK ||
            (rc = show(env, str_of(inc, "id"), 0, &full, err)) != VIGIL_OK) {
            json_decref(notes);
            break;
        }
        json_array_foreach(json_object_get(full, "clocks"), j, clk)
        {
            char line[400];
            snprintf(line, sizeof(line), "%s: %s%s%s", str_of(clk, "regime"),
                     str_of(clk, "state"), str_of(clk, "ref")[0] ? " " : "",
                     str_of(clk, "ref"));
            json_array_append_new(notes, json_string(line));
        }
        /* How long the entry must be kept: PIPEDA 24 months (Breach of
         * Security Safeguards Regulations s. 6), Quebec 5 years from
         * awareness (Regulation respecting confidentiality incidents s.
         * 7); UK GDPR sets no period. */
        if (incident_jur_bits(env->cfg) & VIGIL_JUR_CANADA)
            keep = vigil_clock_add_months(env->tz, aware, 24);
        if (incident_jur_bits(env->cfg) & VIGIL_JUR_QUEBEC) {
            int64_t q = vigil_clock_add_months(env->tz, aware, 60);
            keep = q > keep ? q : keep;
        }
        row = json_pack(
            "{s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:o}",
            "num", json_object_get(inc, "num"), "id",
            json_object_get(inc, "id"), "title", json_object_get(inc, "title"),
            "kind", json_object_get(inc, "kind"), "occurred",
            json_object_get(inc, "occurred"), "aware",
            json_object_get(inc, "aware"), "summary",
            json_object_get(inc, "summary"), "data_categories",
            json_object_get(inc, "data_categories"), "people",
            json_object_get(inc, "people"), "records",
            json_object_get(inc, "records"), "consequences",
            json_object_get(inc, "consequences"), "measures",
            json_object_get(inc, "measures"), "high_risk",
            json_object_get(inc, "high_risk"), "status",
            json_object_get(inc, "status"), "notifications", notes);
        json_object_set_new(row, "keep_until",
                            keep ? when(env, keep) : json_string(""));
        json_array_append_new(out, row);
        json_decref(full);
    }
    json_decref(r.arr);
    if (rc != VIGIL_OK) {
        json_decref(out);
        return rc;
    }
    if ((*json = incident_dump(out)) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    return VIGIL_OK;
}

/* ---- drafts ---- */

static int
has(const char *field, const char *word)
{
    return strstr(field, word) != NULL;
}

static const char *const TODO = "[to complete]";

/* The value of one field a regulator asks for, from the incident. */
static void
fill(const struct vigil_incident_env *env, json_t *inc, const char *field,
     int64_t due_ns, char *dst, size_t len)
{
    const char *summary = str_of(inc, "summary");
    const char *about = summary[0] ? summary : str_of(inc, "title");
    json_t *people = json_object_get(inc, "people");
    json_t *records = json_object_get(inc, "records");
    const char *occurred = str_of(inc, "occurred");

    if (!occurred[0] && json_array_size(json_object_get(inc, "alerts")) > 0)
        occurred =
            str_of(json_array_get(json_object_get(inc, "alerts"), 0), "time");
    if (has(field, "delay")) {
        snprintf(dst, len, "%s",
                 vigil_time_now() > due_ns ? "[explain why the report is late]"
                                           : "none: within the deadline");
    } else if (has(field, "organisation's name") || has(field, "operator") ||
               has(field, "name of the organisation")) {
        snprintf(dst, len, "%s",
                 env->cfg->organisation[0] ? env->cfg->organisation : TODO);
    } else if (has(field, "contact")) {
        snprintf(dst, len, "%s%s%s",
                 env->cfg->contact[0] ? env->cfg->contact : TODO,
                 env->cfg->organisation[0] ? ", " : "", env->cfg->organisation);
    } else if (has(field, "number of people") ||
               has(field, "number of persons") ||
               has(field, "number of individuals")) {
        if (json_is_integer(people))
            snprintf(dst, len, "%lld%s%s",
                     (long long)json_integer_value(people),
                     str_of(inc, "data_categories")[0] ? "; data: " : "",
                     str_of(inc, "data_categories"));
        else
            snprintf(dst, len, "%s", TODO);
    } else if (has(field, "records")) {
        if (json_is_integer(records))
            snprintf(dst, len, "%lld", (long long)json_integer_value(records));
        else
            snprintf(dst, len, "%s", TODO);
    } else if (has(field, "personal information") ||
               has(field, "personal data")) {
        snprintf(dst, len, "%s",
                 str_of(inc, "data_categories")[0]
                     ? str_of(inc, "data_categories")
                     : TODO);
    } else if (has(field, "consequences") || has(field, "risk of serious")) {
        snprintf(dst, len, "%s",
                 str_of(inc, "consequences")[0] ? str_of(inc, "consequences")
                                                : TODO);
    } else if (has(field, "measures") || has(field, "steps taken") ||
               has(field, "steps the individual") || has(field, "mitigation")) {
        json_t *t;
        size_t i, used;

        used = (size_t)snprintf(dst, len, "%s", str_of(inc, "measures"));
        json_array_foreach(json_object_get(inc, "tasks"), i, t)
        {
            if (strcmp(str_of(t, "state"), "done") != 0 || used >= len)
                continue;
            used += (size_t)snprintf(dst + used, len - used, "%s%s",
                                     used ? "; " : "", str_of(t, "title"));
        }
        if (used == 0)
            snprintf(dst, len, "%s", TODO);
    } else if (has(field, "aware")) {
        snprintf(dst, len, "%s", str_of(inc, "aware"));
    } else if (has(field, "date or period") || has(field, "day or period") ||
               has(field, "time the incident")) {
        snprintf(dst, len, "%s", occurred[0] ? occurred : TODO);
    } else if (has(field, "duration")) {
        snprintf(dst, len, "from %s to %s", occurred[0] ? occurred : TODO,
                 str_of(inc, "closed")[0] ? str_of(inc, "closed") : "ongoing");
    } else if (has(field, "unlawful or malicious")) {
        snprintf(dst, len, "%s",
                 strcmp(str_of(inc, "kind"), "accidental-disclosure") == 0
                     ? "no: an accidental disclosure"
                     : "suspected: yes");
    } else if (has(field, "indicators")) {
        snprintf(dst, len, "%s",
                 str_of(inc, "group_keys")[0] ? str_of(inc, "group_keys")
                                              : TODO);
    } else if (has(field, "threat or root cause")) {
        snprintf(dst, len, "%s", str_of(inc, "kind"));
    } else if (has(field, "cross-border")) {
        snprintf(dst, len, "[to assess]");
    } else if (has(field, "nature") || has(field, "circumstances") ||
               has(field, "description") ||
               has(field, "significant incident") || has(field, "update") ||
               has(field, "initial assessment")) {
        snprintf(dst, len, "%s (incident INC-%lld, %s severity, status %s)",
                 about,
                 (long long)json_integer_value(json_object_get(inc, "num")),
                 str_of(inc, "severity"), str_of(inc, "status"));
    } else {
        snprintf(dst, len, "%s", TODO);
    }
    /* the notation of a list: one line per field */
    for (char *q = dst; *q; q++)
        if (*q == '\n')
            *q = ' ';
}

enum vigil_rc
vigil_incident_draft(const struct vigil_incident_env *env, const char *uid,
                     const char *regime, char **json, struct vigil_err *err)
{
    const struct vigil_regime *g = vigil_regime_get(regime);
    json_t *inc = NULL, *clk, *fields, *out, *mine = NULL;
    struct vigil_buf text;
    char value[2048];
    size_t i;
    enum vigil_rc rc;

    *json = NULL;
    if (g == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "unknown regime '%s'",
                             regime ? regime : "");
    if ((rc = show(env, uid, 0, &inc, err)) != VIGIL_OK)
        return rc;
    json_array_foreach(json_object_get(inc, "clocks"), i, clk)
    {
        if (strcmp(str_of(clk, "regime"), regime) == 0)
            mine = clk;
    }
    if (mine == NULL) {
        json_decref(inc);
        return vigil_err_set(err, VIGIL_ENOTFOUND,
                             "incident %s has no %s clock (its jurisdictions "
                             "and kind do not call for it)",
                             uid, regime);
    }
    vigil_buf_init(&text, 1 << 20);
    fields = json_array();
    vigil_buf_printf(&text,
                     "To: %s\nRegarding: %s\nIncident: INC-%lld %s\n"
                     "Due: %s (%s)\nOwed when: %s\nUnder: %s\n\n",
                     g->regulator, g->name,
                     (long long)json_integer_value(json_object_get(inc, "num")),
                     str_of(inc, "title"), str_of(mine, "due"),
                     str_of(mine, "deadline"), g->condition, g->source);
    for (size_t f = 0; g->fields[f] != NULL; f++) {
        fill(env, inc, g->fields[f],
             json_integer_value(json_object_get(mine, "due_ns")), value,
             sizeof(value));
        json_array_append_new(fields, json_pack("{s:s,s:s}", "name",
                                                g->fields[f], "value", value));
        vigil_buf_printf(&text, "%s:\n    %s\n", g->fields[f], value);
    }
    out =
        json_pack("{s:s,s:s,s:s,s:O,s:O,s:o}", "regime", g->id, "name", g->name,
                  "to", g->regulator, "due", json_object_get(mine, "due"),
                  "state", json_object_get(mine, "state"), "fields", fields);
    json_object_set_new(out, "text",
                        json_stringn(text.data ? text.data : "", text.len));
    vigil_buf_fini(&text);
    json_decref(inc);
    if ((*json = incident_dump(out)) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    return VIGIL_OK;
}

/* ---- warnings ---- */

struct due_row {
    char uid[VIGIL_UID_LEN + 1];
    char title[256];
    char regime[32];
    int64_t num, due_ns, warned;
};

struct due_list {
    struct due_row *v;
    size_t n, cap;
};

static int
due_row(const struct vigil_store_value *c, size_t nc, void *arg)
{
    struct due_list *l = arg;
    struct due_row *d;

    if (VIGIL_GROW(l->v, l->n + 1, l->cap) != VIGIL_OK)
        return 1;
    d = &l->v[l->n++];
    snprintf(d->uid, sizeof(d->uid), "%s", txt(&c[0]));
    d->num = c[1].i;
    snprintf(d->title, sizeof(d->title), "%s", txt(&c[2]));
    snprintf(d->regime, sizeof(d->regime), "%s", txt(&c[3]));
    d->due_ns = c[4].i;
    d->warned = c[5].i;
    return 0;
}

enum vigil_rc
vigil_incident_clocks_check(const struct vigil_incident_env *env,
                            int64_t now_ns,
                            void (*fn)(const struct vigil_clock_warning *w,
                                       void *arg),
                            void *arg, struct vigil_err *err)
{
    struct vigil_store_value p =
        vigil_sv_int(now_ns + env->cfg->warn_first_s * VIGIL_NS_PER_SEC);
    struct due_list l = {0};
    enum vigil_rc rc;

    /* Cheap: only clocks inside the first warning's reach, not yet
     * warned at the last stage. */
    rc = vigil_store_query(env->store,
                           "SELECT c.incident_uid, i.num, i.title, c.regime,"
                           " c.due_ns, c.warned FROM incident_clocks c JOIN"
                           " incident_incidents i ON i.uid = c.incident_uid"
                           " WHERE c.state = 'running' AND c.warned < 3 AND"
                           " c.due_ns <= ? ORDER BY c.due_ns",
                           &p, 1, due_row, &l, err);
    for (size_t i = 0; rc == VIGIL_OK && i < l.n; i++) {
        struct due_row *d = &l.v[i];
        int64_t left = d->due_ns - now_ns;
        int stage = left <= 0                                          ? 3
                    : left <= env->cfg->warn_last_s * VIGIL_NS_PER_SEC ? 2
                                                                       : 1;
        struct vigil_clock_warning w = {
            d->num,    d->uid, d->title, vigil_regime_get(d->regime),
            d->due_ns, left,   stage};
        struct vigil_store_value q[3];
        struct incident_sink k = {0};
        char text[512], due[48], lefts[32];
        json_t *extra;

        if (stage <= d->warned || w.regime == NULL)
            continue;
        vigil_clock_format(env->tz, d->due_ns, due);
        vigil_clock_left(left, lefts, sizeof(lefts));
        snprintf(text, sizeof(text), "%s: %s %s (due %s)", w.regime->name,
                 stage == 3 ? "overdue by" : "due in",
                 lefts[0] == '-' ? lefts + 1 : lefts, due);
        if ((rc = vigil_store_tx_begin(env->store, &k.tx, err)) != VIGIL_OK)
            break;
        q[0] = vigil_sv_int(stage);
        q[1] = vigil_sv_text(d->uid);
        q[2] = vigil_sv_text(d->regime);
        rc = incident_exec(&k,
                           "UPDATE incident_clocks SET warned = ? WHERE"
                           " incident_uid = ? AND regime = ?",
                           q, 3, NULL, err);
        extra = json_pack("{s:s,s:i,s:I}", "regime", d->regime, "stage", stage,
                          "due_ns", (json_int_t)d->due_ns);
        if (rc == VIGIL_OK)
            rc = incident_record(&k, d->uid, NULL, "vigil", "warning", text,
                                 extra, err);
        json_decref(extra);
        if (rc != VIGIL_OK) {
            vigil_store_tx_rollback(k.tx);
            break;
        }
        if ((rc = vigil_store_tx_commit(k.tx, err)) != VIGIL_OK)
            break;
        fn(&w, arg);
    }
    free(l.v);
    return rc;
}

/* ---- export ---- */

struct export_ctx {
    const char *uid;
    json_t *alerts;  /* alert ids of the incident */
    json_t *entries; /* the evidence, others reduced to their hashes */
    json_t *sealed;  /* "t:ID" / "a:ID" of the records sealed: others are
                        still pending and left out of the archive */
    int failed;
};

static int
belongs(struct export_ctx *x, const struct vigil_evidence_entry *e)
{
    json_t *d = json_loads(e->data, 0, NULL);
    const char *inc = json_string_value(json_object_get(d, "incident"));
    const char *alert = json_string_value(json_object_get(d, "alert"));
    int yes = inc != NULL && strcmp(inc, x->uid) == 0;
    size_t i;
    json_t *a;

    json_array_foreach(x->alerts, i, a)
    {
        if (!yes && alert != NULL && strcmp(json_string_value(a), alert) == 0)
            yes = 1;
    }
    json_decref(d);
    return yes;
}

static int
export_entry(const struct vigil_evidence_entry *e, void *arg)
{
    struct export_ctx *x = arg;
    json_t *o;

    if (belongs(x, e)) {
        json_t *d = json_loads(e->data, 0, NULL);
        const char *t = json_string_value(json_object_get(d, "timeline"));
        const char *al = json_string_value(json_object_get(d, "alert"));
        char key[300];

        if (t != NULL) {
            snprintf(key, sizeof(key), "t:%s", t);
            json_object_set_new(x->sealed, key, json_true());
        }
        if (al != NULL && strcmp(e->kind, "alert") == 0) {
            snprintf(key, sizeof(key), "a:%s", al);
            json_object_set_new(x->sealed, key, json_true());
        }
        json_decref(d);
    }
    if (belongs(x, e))
        o = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "seq",
                      (json_int_t)e->seq, "time_ns", (json_int_t)e->time_ns,
                      "kind", e->kind, "actor", e->actor, "data", e->data,
                      "prev", e->prev, "hash", e->hash, "sig", e->sig);
    else
        o = json_pack("{s:I,s:s,s:s,s:s,s:b}", "seq", (json_int_t)e->seq,
                      "prev", e->prev, "hash", e->hash, "sig", e->sig,
                      "redacted", 1);
    if (o == NULL || json_array_append_new(x->entries, o) != 0) {
        x->failed = 1;
        return 1;
    }
    return 0;
}

/* The records of list (borrowed) whose evidence entry is sealed: those
 * still pending are the next seal's, not this archive's. Returns a new
 * array (NULL when out of memory). */
static json_t *
sealed_only(json_t *list, const char *prefix, json_t *sealed)
{
    json_t *out = json_array(), *r;
    size_t i;
    char key[300];

    json_array_foreach(list, i, r)
    {
        const char *id = json_string_value(json_object_get(r, "id"));

        snprintf(key, sizeof(key), "%s%s", prefix, id ? id : "");
        if (json_object_get(sealed, key) != NULL)
            json_array_append(out, r);
    }
    return out;
}

enum vigil_rc
vigil_incident_export(const struct vigil_incident_env *env, const char *uid,
                      const char *pub_hex, char **json, struct vigil_err *err)
{
    struct export_ctx x = {uid, json_array(), json_array(), json_object(), 0};
    struct vigil_evidence_head head;
    json_t *inc = NULL, *out = NULL, *a;
    char now[48];
    size_t i;
    enum vigil_rc rc;

    *json = NULL;
    /* The incident, its timeline and alerts, the log and its head from
     * one snapshot, so that a seal or an alert committing meanwhile
     * cannot leave the archive with a head past its entries or a record
     * without its entry (FIND14 12). */
    if ((rc = vigil_store_snapshot_begin(env->store, err)) != VIGIL_OK)
        goto out;
    rc = show(env, uid, 1, &inc, err);
    if (rc == VIGIL_OK) {
        json_array_foreach(json_object_get(inc, "alerts"), i, a)
        {
            json_array_append(x.alerts, json_object_get(a, "id"));
        }
        rc = vigil_evidence_each(env->store, export_entry, &x, &head, err);
    }
    vigil_store_snapshot_end(env->store);
    if (rc == VIGIL_OK && x.failed)
        rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    if (rc == VIGIL_OK) {
        json_t *timeline =
            sealed_only(json_object_get(inc, "timeline"), "t:", x.sealed);
        json_t *alerts =
            sealed_only(json_object_get(inc, "alerts"), "a:", x.sealed);

        json_object_del(inc, "timeline");
        json_object_del(inc, "alerts");
        vigil_clock_format(NULL, vigil_time_now(), now);
        out = json_pack("{s:s,s:s,s:o,s:o,s:o,s:{s:s,s:{s:I,s:s,s:s,s:s},s:O}}",
                        "format", "vigil-incident-export-1", "exported", now,
                        "incident", inc, "timeline", timeline, "alerts", alerts,
                        "evidence", "public_key", pub_hex, "head", "seq",
                        (json_int_t)head.seq, "hash", head.hash, "sig",
                        head.sig, "pub", head.pub, "entries", x.entries);
        inc = NULL;
        if (out == NULL)
            rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    }
out:
    json_decref(inc);
    json_decref(x.alerts);
    json_decref(x.entries);
    json_decref(x.sealed);
    if (rc == VIGIL_OK &&
        (*json = json_dumps(out, JSON_INDENT(1) | JSON_ENSURE_ASCII)) == NULL)
        rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    json_decref(out);
    return rc;
}
