/* comp_incident.c -- incidents as a component: owns the `incident:`
 * section, loads the playbooks and the evidence signing key (generated
 * in the state directory the first time), subscribes to the bus's
 * alerts (each goes into the evidence log and, by the grouping rules,
 * into an incident, in the alert's own batch), and once a second seals
 * the evidence queued since (chains and signs it) and checks the
 * regulators' clocks for warnings.
 *
 * Sealing and the clocks run on the daemon's thread with transactions of
 * their own; the alert path only adds statements to batches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon_int.h"
#include "evidence/evidence.h"
#include "incident/incident.h"
#include "respond/respond.h"
#include "parse/parse.h"

struct comp_incident {
    struct vigil_daemon_env denv;
    struct vigil_incident_env env;
    const struct vigil_incident_config *cfg;
    struct vigil_playbooks *playbooks;
    struct vigil_tz *tz;
    struct vigil_evidence_key *key;
    struct vigil_incident_grouper *grouper;
    int sub;
    int64_t last_expire_ns;
    int seal_failed; /* logged once until it works again */
};

/* A clock crossed a warning threshold: the log (message 2220) and, when
 * the response component has duty channels (src/respond), the people on
 * duty. This is the one place clock warnings leave the incident
 * component. */
static void
notify_duty(const struct vigil_clock_warning *w, const char *due,
            const char *left)
{
    struct vigil_respond_msg m = {0};
    struct vigil_err err = {0};
    char subject[256], text[1024], about[64];
    enum vigil_rc rc;

    snprintf(subject, sizeof(subject), "[vigil] INC-%lld: %s %s %s",
             (long long)w->num, w->regime->name,
             w->stage == 3 ? "overdue by" : "due in", left);
    snprintf(text, sizeof(text),
             "Incident INC-%lld (%s)\n%s to %s %s %s (due %s).\n"
             "Draft: vigil incident draft INC-%lld\n",
             (long long)w->num, w->title, w->regime->name, w->regime->regulator,
             w->stage == 3 ? "is overdue by" : "is due in", left, due,
             (long long)w->num);
    snprintf(about, sizeof(about), "INC-%lld", (long long)w->num);
    m.subject = subject;
    m.text = text;
    m.about = about;
    rc = vigil_respond_notify(&m, &err);
    if (rc != VIGIL_OK && rc != VIGIL_ENOTFOUND)
        vigil_log(VIGIL_LOG_WARN, 2231,
                  "incident INC-%lld: the duty was not told of its clock: %s",
                  (long long)w->num, err.msg);
}

static void
clock_warning_notify(const struct vigil_clock_warning *w, void *arg)
{
    char due[48], left[32];

    (void)arg;
    vigil_clock_format(NULL, w->due_ns, due);
    vigil_clock_left(w->left_ns, left, sizeof(left));
    vigil_log(w->stage == 3 ? VIGIL_LOG_ERROR : VIGIL_LOG_WARN, 2220,
              "incident INC-%lld (%s): %s %s %s (due %s, to %s)",
              (long long)w->num, w->title, w->regime->name,
              w->stage == 3 ? "is overdue by" : "is due in",
              left[0] == '-' ? left + 1 : left, due, w->regime->regulator);
    notify_duty(w, due, left[0] == '-' ? left + 1 : left);
}

static void
on_alert(void *arg, const struct vigil_alert *a,
         struct vigil_store_batch *batch)
{
    struct comp_incident *ci = arg;
    struct vigil_err err = {0};

    /* A failure here leaves the alert stored without its incident rows;
     * a statement the batch cannot run fails the batch, which ingest
     * reads again. */
    if (vigil_incident_on_alert(ci->grouper, a, batch, &err) != VIGIL_OK)
        vigil_log(VIGIL_LOG_ERROR, 2212, "incident: alert %s: %s",
                  a->uid ? a->uid : "?", err.msg);
}

static enum vigil_rc
incident_new(void **self, const struct vigil_daemon_env *denv, const void *conf,
             struct vigil_err *err)
{
    struct comp_incident *ci = calloc(1, sizeof(*ci));
    const struct vigil_incident_config *cfg = conf;
    enum vigil_rc rc;

    if (ci == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    ci->denv = *denv;
    ci->cfg = cfg;
    rc = vigil_tz_load(&ci->tz, cfg->timezone[0] ? cfg->timezone : "UTC", err);
    if (rc == VIGIL_OK)
        rc = vigil_playbooks_load(&ci->playbooks, cfg->playbooks, err);
    if (rc == VIGIL_OK)
        rc = vigil_evidence_key_load(&ci->key, denv->state_dir, err);
    if (rc != VIGIL_OK) {
        vigil_tz_free(ci->tz);
        vigil_playbooks_free(ci->playbooks);
        free(ci);
        return rc;
    }
    ci->env.store = denv->store;
    ci->env.cfg = cfg;
    ci->env.playbooks = ci->playbooks;
    ci->env.tz = ci->tz;
    ci->env.actor = "vigil";
    *self = ci;
    return VIGIL_OK;
}

static void
seal(struct comp_incident *ci)
{
    struct vigil_err err = {0};

    if (vigil_evidence_seal(ci->denv.store, ci->key, NULL, &err) != VIGIL_OK) {
        if (!ci->seal_failed)
            vigil_log(VIGIL_LOG_ERROR, 2203, "evidence: not sealed: %s",
                      err.msg);
        ci->seal_failed = 1;
    } else {
        ci->seal_failed = 0;
    }
}

static enum vigil_rc
incident_start(void *self, struct vigil_err *err)
{
    struct comp_incident *ci = self;
    char pub[VIGIL_EVIDENCE_PUB_HEX + 1];
    enum vigil_rc rc;

    rc = vigil_incident_grouper_new(&ci->grouper, &ci->env, err);
    if (rc != VIGIL_OK)
        return rc;
    if ((ci->sub = vigil_bus_on_alert(ci->denv.bus, on_alert, ci)) == 0)
        return vigil_err_set(err, VIGIL_ELIMIT, "too many bus subscribers");
    vigil_evidence_key_pub(ci->key, pub);
    vigil_log(VIGIL_LOG_INFO, 2200,
              "incidents: %zu playbooks, grouping %s, evidence signed by %s",
              ci->playbooks->n, ci->cfg->auto_open ? "on" : "off", pub);
    seal(ci); /* what commands queued while the daemon was down */
    daemon_link_set(ci->denv.links, DAEMON_LINK_INCIDENT, &ci->env);
    return VIGIL_OK;
}

static void
incident_tick(void *self)
{
    struct comp_incident *ci = self;
    struct vigil_err err = {0};
    int64_t now = vigil_time_now();

    seal(ci);
    if (vigil_incident_clocks_check(&ci->env, now, clock_warning_notify, NULL,
                                    &err) != VIGIL_OK)
        vigil_log(VIGIL_LOG_ERROR, 2221, "incident: checking clocks: %s",
                  err.msg);
    if (now - ci->last_expire_ns > 60 * VIGIL_NS_PER_SEC) {
        vigil_incident_grouper_expire(ci->grouper, now);
        ci->last_expire_ns = now;
    }
}

static void
incident_stop(void *self)
{
    struct comp_incident *ci = self;

    daemon_link_clear(ci->denv.links, DAEMON_LINK_INCIDENT, &ci->env);
    if (ci->sub != 0)
        vigil_bus_unsubscribe(ci->denv.bus, ci->sub);
    ci->sub = 0;
    /* What is committed is sealed now; entries in batches still queued
     * are sealed at the next start (flushing here would take the failure
     * of a batch from the daemon, which reports it at exit). */
    seal(ci);
}

static void
incident_free(void *self)
{
    struct comp_incident *ci = self;

    if (ci == NULL)
        return;
    vigil_incident_grouper_free(ci->grouper);
    vigil_evidence_key_free(ci->key);
    vigil_playbooks_free(ci->playbooks);
    vigil_tz_free(ci->tz);
    free(ci);
}

const struct vigil_component daemon_comp_incident = {
    .name = "incident",
    .what = "playbooks",
    .conf = &vigil_incident_conf,
    .conf_size = sizeof(struct vigil_incident_config),
    .new = incident_new,
    .start = incident_start,
    .tick = incident_tick,
    .stop = incident_stop,
    .free = incident_free,
};
