/* incident_link.c -- an alert added to an incident by a person (the web
 * dashboard's "create incident from this alert", or "add to incident"):
 * the link, the incident's last-alert time and a timeline entry naming
 * the alert, with its evidence entry, in one transaction. */
#include <stdio.h>
#include <string.h>

#include "incident_int.h"

struct found {
    int n;
    char title[256], level[32], rule[128];
};

static int
alert_found(const struct vigil_store_value *c, size_t nc, void *arg)
{
    struct found *f = arg;

    (void)nc;
    f->n = 1;
    snprintf(f->title, sizeof(f->title), "%s",
             c[0].p ? (const char *)c[0].p : "");
    snprintf(f->level, sizeof(f->level), "%s",
             c[1].p ? (const char *)c[1].p : "");
    snprintf(f->rule, sizeof(f->rule), "%s",
             c[2].p ? (const char *)c[2].p : "");
    return 1;
}

static int
incident_found(const struct vigil_store_value *c, size_t nc, void *arg)
{
    (void)c;
    (void)nc;
    *(int *)arg = 1;
    return 1;
}

enum vigil_rc
vigil_incident_add_alert(const struct vigil_incident_env *env, const char *uid,
                         const char *alert_uid, struct vigil_err *err)
{
    struct incident_sink k = {0};
    struct vigil_store_value p[3];
    struct found f = {0};
    int64_t now = incident_now(), changed = 0;
    int inc = 0;
    char text[600];
    json_t *extra;
    enum vigil_rc rc;

    if (alert_uid == NULL || alert_uid[0] == '\0')
        return vigil_err_set(err, VIGIL_EINVAL, "no alert given");
    if ((rc = vigil_store_tx_begin(env->store, &k.tx, err)) != VIGIL_OK)
        return rc;
    p[0] = vigil_sv_text(uid);
    rc = vigil_store_tx_query(k.tx,
                              "SELECT 1 FROM incident_incidents WHERE uid = ?",
                              p, 1, incident_found, &inc, err);
    if (rc == VIGIL_OK && !inc)
        rc = vigil_err_set(err, VIGIL_ENOTFOUND, "no incident %s", uid);
    p[0] = vigil_sv_text(alert_uid);
    if (rc == VIGIL_OK)
        rc = vigil_store_tx_query(
            k.tx, "SELECT title, level, rule_id FROM alerts WHERE uid = ?", p,
            1, alert_found, &f, err);
    if (rc == VIGIL_OK && !f.n)
        rc = vigil_err_set(err, VIGIL_ENOTFOUND, "no alert %s", alert_uid);
    p[0] = vigil_sv_text(uid);
    p[1] = vigil_sv_text(alert_uid);
    p[2] = vigil_sv_int(now);
    if (rc == VIGIL_OK)
        rc = incident_exec(&k,
                           "INSERT INTO incident_alerts (incident_uid,"
                           " alert_uid, added_ns) VALUES (?, ?, ?) ON CONFLICT"
                           " DO NOTHING",
                           p, 3, &changed, err);
    if (rc == VIGIL_OK && changed == 0)
        rc =
            vigil_err_set(err, VIGIL_ECONFLICT,
                          "alert %s is in incident %s already", alert_uid, uid);
    p[0] = vigil_sv_int(now);
    p[1] = vigil_sv_text(uid);
    p[2] = vigil_sv_int(now);
    if (rc == VIGIL_OK)
        rc = incident_exec(&k,
                           "UPDATE incident_incidents SET last_alert_ns = ?"
                           " WHERE uid = ? AND last_alert_ns < ?",
                           p, 3, NULL, err);
    snprintf(text, sizeof(text), "alert added: %s (%s, rule %s)", f.title,
             f.level, f.rule);
    if (rc == VIGIL_OK) {
        extra = json_pack("{s:s}", "alert", alert_uid);
        rc = extra == NULL ? vigil_err_set(err, VIGIL_ENOMEM, "out of memory")
                           : incident_record(&k, uid, NULL, env->actor, "alert",
                                             text, extra, err);
        json_decref(extra);
    }
    if (rc != VIGIL_OK) {
        vigil_store_tx_rollback(k.tx);
        return rc;
    }
    return vigil_store_tx_commit(k.tx, err);
}

struct of_ctx {
    int (*fn)(const char *uid, void *arg);
    void *arg;
};

static int
of_row(const struct vigil_store_value *c, size_t nc, void *arg)
{
    struct of_ctx *o = arg;

    (void)nc;
    return o->fn(c[0].p, o->arg);
}

enum vigil_rc
vigil_incident_of_alert(struct vigil_store *s, const char *alert_uid,
                        int (*fn)(const char *uid, void *arg), void *arg,
                        struct vigil_err *err)
{
    struct of_ctx o = {fn, arg};
    struct vigil_store_value p = vigil_sv_text(alert_uid);

    return vigil_store_query(s,
                             "SELECT incident_uid FROM incident_alerts WHERE "
                             "alert_uid = ? ORDER BY incident_uid",
                             &p, 1, of_row, &o, err);
}
