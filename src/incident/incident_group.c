/* incident_group.c -- the daemon's side of incidents: every alert goes
 * into the evidence log, and an alert at or above incident.min_level
 * joins the incident that saw the same host, user, source address or
 * rule family within incident.window, or opens one from the playbook its
 * tags or rule match, with the playbook's tasks and the clocks its
 * jurisdictions call for.
 *
 * All of it is added to the alert's own batch, so an incident exists
 * exactly when the alert that opened it is stored. Which incident a key
 * belongs to is kept in memory (filled from the open incidents at start),
 * because the batches of the alerts just before may not be committed yet;
 * the statements are guarded, so a batch read again after a refused
 * commit changes nothing twice.
 *
 * Alerts from many sources (spoofed addresses) would each open an
 * incident: after incident.max_open_per_hour incidents opened within an
 * hour, an alert that would open one joins the one "flood" incident
 * instead (opened for it, logged once as 2213), so none is dropped and
 * the list stays readable. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "incident_int.h"

#define GROUP_KEYS_MAX 4
#define GROUPS_MAX     100000
#define HOUR_NS        (3600 * VIGIL_NS_PER_SEC)
#define FLOOD_KEYS     "flood" /* the group_keys of a flood incident */

struct group {
    char uid[VIGIL_UID_LEN + 1];
    int64_t last_ns;
    int sev; /* the incident's severity rank as last set */
};

struct vigil_incident_grouper {
    struct vigil_incident_env env;
    pthread_mutex_t lock;
    struct vigil_hmap *keys; /* "source=203.0.113.9" -> struct group */
    int min_rank;
    /* when the last max_open_per_hour incidents opened (a ring; ring[head]
     * is the oldest once it is full) */
    int64_t *ring;
    size_t ring_cap, ring_n, ring_head;
    struct group flood; /* uid "" until a flood opened one */
};

/* Room for one more incident within the hour. */
static int
ring_room(const struct vigil_incident_grouper *g, int64_t now)
{
    return g->ring_cap == 0 || g->ring_n < g->ring_cap ||
           g->ring[g->ring_head] < now - HOUR_NS;
}

static void
ring_add(struct vigil_incident_grouper *g, int64_t t)
{
    if (g->ring_cap == 0)
        return;
    g->ring[g->ring_head] = t;
    g->ring_head = (g->ring_head + 1) % g->ring_cap;
    if (g->ring_n < g->ring_cap)
        g->ring_n++;
}

static void
group_free(void *v)
{
    free(v);
}

/* The grouping keys of an alert, from its event: "host=web1" and so on. */
static size_t
alert_keys(const struct vigil_incident_grouper *g, const struct vigil_alert *a,
           char keys[GROUP_KEYS_MAX][300])
{
    static const struct {
        int bit;
        const char *name;
        const char *fields[3];
    } dims[] = {
        {VIGIL_GROUP_SOURCE, "source", {"source.ip", "source.address", NULL}},
        {VIGIL_GROUP_USER, "user", {"user.name", "user.target.name", NULL}},
        {VIGIL_GROUP_HOST, "host", {"host.name", "host.hostname", NULL}},
    };
    int bits = incident_group_bits(g->env.cfg);
    json_t *ev = json_loads(a->event_json, 0, NULL);
    json_t *tags = a->tags_json ? json_loads(a->tags_json, 0, NULL) : NULL;
    size_t n = 0;

    for (size_t d = 0; d < sizeof(dims) / sizeof(dims[0]); d++) {
        if (!(bits & dims[d].bit))
            continue;
        for (size_t f = 0; dims[d].fields[f] != NULL; f++) {
            const char *v =
                json_string_value(json_object_get(ev, dims[d].fields[f]));
            if (v != NULL && v[0] != '\0') {
                snprintf(keys[n++], 300, "%s=%s", dims[d].name, v);
                break;
            }
        }
    }
    if (bits & VIGIL_GROUP_RULE) {
        /* the family: the ATT&CK technique without sub-technique, else
         * the rule itself */
        const char *fam = NULL;
        size_t i, len = 0;
        json_t *t;

        json_array_foreach(tags, i, t)
        {
            const char *s = json_string_value(t);
            if (fam == NULL && s != NULL && strncmp(s, "attack.t", 8) == 0 &&
                s[8] >= '0' && s[8] <= '9') {
                fam = s;
                len = strcspn(s, ".") + 1 + strcspn(s + 7, ".");
            }
        }
        if (fam != NULL)
            snprintf(keys[n++], 300, "rule=%.*s", (int)len, fam);
        else
            snprintf(keys[n++], 300, "rule=%s", a->rule_id);
    }
    json_decref(ev);
    json_decref(tags);
    return n;
}

struct seed {
    struct vigil_incident_grouper *g;
    int64_t since;
};

static int
seed_row(const struct vigil_store_value *c, size_t nc, void *arg)
{
    struct seed *s = arg;
    const char *keys = c[1].type == VIGIL_SV_TEXT ? c[1].p : "";

    if (strcmp(keys, FLOOD_KEYS) == 0) {
        snprintf(s->g->flood.uid, sizeof(s->g->flood.uid), "%s", c[0].p);
        s->g->flood.last_ns = c[2].i;
        s->g->flood.sev = incident_level_rank(c[3].p);
        return 0;
    }
    while (*keys) {
        size_t len = strcspn(keys, "\n");
        struct group *gr = calloc(1, sizeof(*gr));

        if (gr == NULL)
            return 1;
        snprintf(gr->uid, sizeof(gr->uid), "%s", c[0].p);
        gr->last_ns = c[2].i;
        gr->sev = incident_level_rank(c[3].p);
        if (len == 0 || vigil_hmap_put(s->g->keys, keys, len, gr) != VIGIL_OK)
            free(gr);
        keys += len + (keys[len] == '\n');
    }
    return 0;
}

static int
ring_row(const struct vigil_store_value *c, size_t nc, void *arg)
{
    ring_add(arg, c[0].i);
    return 0;
}

enum vigil_rc
vigil_incident_grouper_new(struct vigil_incident_grouper **out,
                           const struct vigil_incident_env *env,
                           struct vigil_err *err)
{
    struct vigil_incident_grouper *g = calloc(1, sizeof(*g));
    struct vigil_store_value p;
    struct seed s;
    enum vigil_rc rc;

    *out = NULL;
    if (g == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    g->env = *env;
    g->min_rank = incident_level_rank(
        env->cfg->min_level[0] ? env->cfg->min_level : "medium");
    if (g->min_rank < 0) {
        free(g);
        return vigil_err_set(err, VIGIL_EINVAL,
                             "incident.min_level '%s' is not a Sigma level",
                             env->cfg->min_level);
    }
    pthread_mutex_init(&g->lock, NULL);
    if ((rc = vigil_hmap_new(&g->keys, GROUPS_MAX, group_free, err)) !=
        VIGIL_OK) {
        vigil_incident_grouper_free(g);
        return rc;
    }
    /* open incidents whose window is still open */
    s.g = g;
    s.since = vigil_time_now() - env->cfg->window_s * VIGIL_NS_PER_SEC;
    p = vigil_sv_int(s.since);
    rc = vigil_store_query(env->store,
                           "SELECT uid, group_keys, last_alert_ns, severity"
                           " FROM incident_incidents WHERE status <> 'closed'"
                           " AND last_alert_ns >= ? ORDER BY last_alert_ns",
                           &p, 1, seed_row, &s, err);
    /* what the daemon opened within the hour counts against the cap */
    g->ring_cap = (size_t)env->cfg->max_open_per_hour;
    if (rc == VIGIL_OK && g->ring_cap > 0 &&
        (g->ring = calloc(g->ring_cap, sizeof(*g->ring))) == NULL)
        rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    p = vigil_sv_int(vigil_time_now() - HOUR_NS);
    if (rc == VIGIL_OK && g->ring_cap > 0)
        rc = vigil_store_query(env->store,
                               "SELECT opened_ns FROM incident_incidents"
                               " WHERE created_by = 'vigil' AND opened_ns >= ?"
                               " AND group_keys <> '" FLOOD_KEYS "'"
                               " ORDER BY opened_ns",
                               &p, 1, ring_row, g, err);
    if (rc != VIGIL_OK) {
        vigil_incident_grouper_free(g);
        return rc;
    }
    *out = g;
    return VIGIL_OK;
}

void
vigil_incident_grouper_free(struct vigil_incident_grouper *g)
{
    if (g == NULL)
        return;
    vigil_hmap_free(g->keys);
    pthread_mutex_destroy(&g->lock);
    free(g->ring);
    free(g);
}

void
vigil_incident_grouper_expire(struct vigil_incident_grouper *g, int64_t now_ns)
{
    int64_t before = now_ns - g->env.cfg->window_s * VIGIL_NS_PER_SEC;
    const void *key;
    size_t pos = 0, klen;
    void *val;

    pthread_mutex_lock(&g->lock);
    while (vigil_hmap_next(g->keys, &pos, &key, &klen, &val))
        if (((struct group *)val)->last_ns < before)
            vigil_hmap_del(g->keys, key, klen);
    pthread_mutex_unlock(&g->lock);
}

static json_t *
alert_evidence(const struct vigil_alert *a, const char *incident)
{
    const char *m = a->matched_json;
    uint8_t h[32];
    char hex[65];
    json_t *d;

    crypto_hash_sha256(h, (const uint8_t *)a->event_json,
                       strlen(a->event_json));
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    d = json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:s}", "alert", a->uid, "rule_id",
                  a->rule_id, "title", a->title, "level", a->level, "time_ns",
                  (json_int_t)a->time_ns, "source", a->source ? a->source : "",
                  "event_sha256", hex);
    /* the matched fields too, so an archive's matched_json is proved (as
     * the export shows it: "" when there are none) */
    crypto_hash_sha256(h, (const uint8_t *)(m != NULL ? m : ""),
                       m != NULL ? strlen(m) : 0);
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    if (d != NULL)
        json_object_set_new(d, "matched_sha256", json_string(hex));
    if (d != NULL && incident != NULL)
        json_object_set_new(d, "incident", json_string(incident));
    return d;
}

/* Under the lock: the incident of one of keys seen within the window, or
 * NULL. */
static struct group *
find(struct vigil_incident_grouper *g, char keys[][300], size_t n, int64_t t)
{
    int64_t win = g->env.cfg->window_s * VIGIL_NS_PER_SEC;

    for (size_t i = 0; i < n; i++) {
        struct group *gr = vigil_hmap_get(g->keys, keys[i], strlen(keys[i]));
        if (gr != NULL && t - gr->last_ns <= win && gr->last_ns - t <= win)
            return gr;
    }
    return NULL;
}

/* Under the lock: the alert joins gr (NULL: a new incident, *opened),
 * every key of it now leading there; uid gets the incident's id. */
static enum vigil_rc
join(struct vigil_incident_grouper *g, const struct incident_sink *kp,
     const struct vigil_alert *a, char keys[][300], size_t n, int64_t now,
     int rank, struct group **grp, int *opened_out, char *uid,
     struct vigil_err *err)
{
    struct vigil_store_value p[2];
    struct group *gr = *grp;
    int opened = 0;
    enum vigil_rc rc = VIGIL_OK;

    if (gr == NULL) {
        if ((gr = calloc(1, sizeof(*gr))) == NULL ||
            vigil_uid_new(gr->uid) != VIGIL_OK) {
            free(gr);
            return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        }
        gr->sev = rank < 1 ? 1 : rank;
        opened = 1;
        ring_add(g, now);
    }
    gr->last_ns = now;
    snprintf(uid, VIGIL_UID_LEN + 1, "%s", gr->uid);
    /* every key of this alert now leads to the incident */
    for (size_t i = 0; i < n; i++) {
        struct group *cp = vigil_hmap_get(g->keys, keys[i], strlen(keys[i]));

        if (cp == gr)
            continue;
        if ((cp = malloc(sizeof(*cp))) == NULL)
            break;
        *cp = *gr;
        if (vigil_hmap_put(g->keys, keys[i], strlen(keys[i]), cp) != VIGIL_OK)
            free(cp);
    }
    if (opened) /* the copies hold it; the original is not in the table */
        free(gr), gr = NULL;
    /* severity follows the worst alert */
    if (!opened) {
        int raise = 0;
        for (size_t i = 0; i < n; i++) {
            struct group *cp =
                vigil_hmap_get(g->keys, keys[i], strlen(keys[i]));
            if (cp != NULL && rank > cp->sev) {
                cp->sev = rank;
                raise = 1;
            }
        }
        if (raise) {
            p[0] = vigil_sv_text(a->level);
            p[1] = vigil_sv_text(uid);
            rc = incident_exec(kp,
                               "UPDATE incident_incidents SET severity = ?"
                               " WHERE uid = ?",
                               p, 2, NULL, err);
        }
    }
    *grp = gr;
    *opened_out = opened;
    return rc;
}

enum vigil_rc
vigil_incident_on_alert(struct vigil_incident_grouper *g,
                        const struct vigil_alert *a,
                        struct vigil_store_batch *batch, struct vigil_err *err)
{
    struct incident_sink k = {.batch = batch};
    char keys[GROUP_KEYS_MAX][300], joined[GROUP_KEYS_MAX * 301];
    char uid[VIGIL_UID_LEN + 1], *text, ftitle[160];
    const struct vigil_playbook *pb;
    struct incident_creation c = {0};
    struct vigil_store_value p[4];
    struct group *gr;
    int rank = incident_level_rank(a->level), opened = 0, flood = 0;
    int64_t now = vigil_time_now();
    size_t n, used = 0;
    json_t *ev;
    enum vigil_rc rc = VIGIL_OK;

    if (!g->env.cfg->auto_open || rank < g->min_rank || a->uid == NULL) {
        ev = alert_evidence(a, NULL);
        rc = ev ? incident_evidence(&k, "alert", ev, "vigil", err)
                : vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        json_decref(ev);
        return rc;
    }
    n = alert_keys(g, a, keys);
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(joined + used, sizeof(joined) - used, "%s%s",
                                 i ? "\n" : "", keys[i]);
    pb = vigil_playbooks_match(g->env.playbooks, a->rule_id, a->tags_json);

    pthread_mutex_lock(&g->lock);
    gr = find(g, keys, n, now);
    if (gr == NULL && !ring_room(g, now)) {
        /* a flood: the flood incident of this window, or a new one */
        flood = 1;
        if (g->flood.uid[0] == '\0' ||
            now - g->flood.last_ns > g->env.cfg->window_s * VIGIL_NS_PER_SEC) {
            if (vigil_uid_new(g->flood.uid) != VIGIL_OK) {
                g->flood.uid[0] = '\0';
                pthread_mutex_unlock(&g->lock);
                return vigil_err_set(err, VIGIL_EIO, "no random bytes");
            }
            g->flood.sev = rank < 3 ? 3 : rank;
            opened = 1;
        } else if (rank > g->flood.sev) {
            g->flood.sev = rank;
            p[0] = vigil_sv_text(a->level);
            p[1] = vigil_sv_text(g->flood.uid);
            rc = incident_exec(&k,
                               "UPDATE incident_incidents SET severity = ?"
                               " WHERE uid = ?",
                               p, 2, NULL, err);
        }
        g->flood.last_ns = now;
        snprintf(uid, sizeof(uid), "%s", g->flood.uid);
    } else {
        rc = join(g, &k, a, keys, n, now, rank, &gr, &opened, uid, err);
    }
    pthread_mutex_unlock(&g->lock);

    /* The creation is guarded, so it is added with every alert: if the
     * batch that opened the incident was refused, the next one opens it. */
    c.uid = uid;
    c.title = a->title;
    c.kind = pb ? pb->id : "generic";
    c.severity = pb && incident_level_rank(pb->severity) > rank ? pb->severity
                 : rank >= 1                                    ? a->level
                                                                : "low";
    c.owner = incident_role_person(g->env.cfg, "incident-lead");
    c.group_keys = joined;
    c.actor = "vigil";
    c.opened_ns = now;
    c.aware_ns = now;
    c.last_alert_ns = now;
    c.personal_data = pb ? pb->personal_data : 0;
    c.pb = pb;
    if (flood) {
        snprintf(ftitle, sizeof(ftitle),
                 "Alert flood: %lld incidents opened within an "
                 "hour; the alerts that would open more are gathered here",
                 (long long)g->env.cfg->max_open_per_hour);
        c.title = ftitle;
        c.kind = "generic";
        c.severity = rank > 3 ? a->level : "high";
        c.group_keys = FLOOD_KEYS;
        c.personal_data = 0;
        c.pb = NULL;
    }
    if (rc == VIGIL_OK)
        rc = incident_create(&g->env, &c, &k, err);
    p[0] = vigil_sv_text(uid);
    p[1] = vigil_sv_text(a->uid);
    p[2] = vigil_sv_int(now);
    if (rc == VIGIL_OK)
        rc = incident_exec(&k,
                           "INSERT INTO incident_alerts (incident_uid,"
                           " alert_uid, added_ns) VALUES (?, ?, ?)",
                           p, 3, NULL, err);
    p[0] = vigil_sv_int(now);
    p[1] = vigil_sv_text(uid);
    p[2] = vigil_sv_int(now);
    if (rc == VIGIL_OK)
        rc = incident_exec(&k,
                           "UPDATE incident_incidents SET last_alert_ns = ?"
                           " WHERE uid = ? AND last_alert_ns < ?",
                           p, 3, NULL, err);
    if (rc == VIGIL_OK && (ev = alert_evidence(a, uid)) != NULL) {
        rc = incident_evidence(&k, "alert", ev, "vigil", err);
        json_decref(ev);
    }
    text = incident_textf("alert: %s (%s, rule %s)", a->title, a->level,
                          a->rule_id);
    if (rc == VIGIL_OK && text == NULL)
        rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    if (rc == VIGIL_OK) {
        ev = json_pack("{s:s}", "alert", a->uid);
        rc = incident_record(&k, uid, NULL, "vigil", "alert", text, ev, err);
        json_decref(ev);
    }
    free(text);
    if (rc == VIGIL_OK && opened && flood)
        vigil_log(VIGIL_LOG_WARN, LOG_INCIDENT_FLOOD,
                  "incident %.8s opened for an alert flood: %lld incidents "
                  "opened within the hour (incident.max_open_per_hour); "
                  "alerts that would open more join it",
                  uid, (long long)g->env.cfg->max_open_per_hour);
    else if (rc == VIGIL_OK && opened)
        vigil_log(VIGIL_LOG_WARN, LOG_INCIDENT_OPENED,
                  "incident %.8s opened: %s (%s, playbook %s) on %s", uid,
                  a->title, c.severity, c.kind,
                  n ? keys[0] : "no grouping key");
    return rc;
}
