/* incident_playbook.c -- playbooks: YAML files (playbooks/NAME.yml, installed
 * with the binary like the rule pack) that say which alerts open an
 * incident of their kind and which tasks, in order and with an owner by
 * role, the incident starts with. Read with core's bounded YAML tree;
 * unknown keys are refused with file:line so a typo does not silently
 * drop a task. docs/incidents.md describes the format. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "incident_int.h"

#define PLAYBOOKS_MAX 64
#define TASKS_MAX     64

int
vigil_playbooks_find_dir(char *dst, size_t len)
{
#ifdef VIGIL_SOURCE_DIR
    return vigil_find_data_dir("VIGIL_PLAYBOOKS_DIR", "playbooks",
                               VIGIL_SOURCE_DIR, dst, len);
#else
    return vigil_find_data_dir("VIGIL_PLAYBOOKS_DIR", "playbooks", NULL, dst,
                               len);
#endif
}

static enum vigil_rc
scalar(const struct vigil_conf *c, const struct vigil_conf_node *v, char *dst,
       size_t len, struct vigil_err *err)
{
    if (v->kind != VIGIL_CONF_SCALAR || v->value[0] == '\0' ||
        strlen(v->value) >= len)
        return vigil_conf_fail(c, v, err,
                               "'%s' must be a text of 1 to %zu bytes",
                               v->key ? v->key : "value", len - 1);
    snprintf(dst, len, "%s", v->value);
    return VIGIL_OK;
}

static enum vigil_rc
list(const struct vigil_conf *c, const struct vigil_conf_node *v,
     char (*dst)[64], char (*dst128)[128], size_t *n, struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_OK;

    if (v->kind != VIGIL_CONF_SEQ || v->n > 16)
        return vigil_conf_fail(c, v, err, "'%s' must be a list of at most 16",
                               v->key);
    for (const struct vigil_conf_node *e = v->first; e && rc == VIGIL_OK;
         e = e->next) {
        rc = dst != NULL ? scalar(c, e, dst[*n], 64, err)
                         : scalar(c, e, dst128[*n], 128, err);
        (*n)++;
    }
    return rc;
}

static enum vigil_rc
task(const struct vigil_conf *c, const struct vigil_conf_node *v,
     struct vigil_playbook_task *t, struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_OK;

    if (v->kind != VIGIL_CONF_MAP)
        return vigil_conf_fail(c, v, err,
                               "a task is a mapping with title, role, phase "
                               "and ref");
    for (const struct vigil_conf_node *e = v->first; e && rc == VIGIL_OK;
         e = e->next) {
        if (strcmp(e->key, "title") == 0)
            rc = scalar(c, e, t->title, sizeof(t->title), err);
        else if (strcmp(e->key, "role") == 0)
            rc = scalar(c, e, t->role, sizeof(t->role), err);
        else if (strcmp(e->key, "phase") == 0) {
            rc = scalar(c, e, t->phase, sizeof(t->phase), err);
            if (rc == VIGIL_OK && incident_phase_index(t->phase) < 0)
                rc = vigil_conf_fail(c, e, err,
                                     "unknown phase '%s' (detected, triaged, "
                                     "contained, eradicated, recovered, "
                                     "closed)",
                                     t->phase);
        } else if (strcmp(e->key, "ref") == 0)
            rc = scalar(c, e, t->ref, sizeof(t->ref), err);
        else
            rc = vigil_conf_fail(c, e, err,
                                 "unknown task key '%s' (known: title, role, "
                                 "phase, ref)",
                                 e->key);
    }
    if (rc == VIGIL_OK && (t->title[0] == '\0' || t->role[0] == '\0'))
        rc = vigil_conf_fail(c, v, err, "a task needs a title and a role");
    return rc;
}

static enum vigil_rc
playbook(const struct vigil_conf *c, struct vigil_playbook *pb,
         struct vigil_err *err)
{
    const struct vigil_conf_node *root = vigil_conf_root(c);
    enum vigil_rc rc = VIGIL_OK;

    if (root == NULL || root->kind != VIGIL_CONF_MAP)
        return vigil_conf_fail(c, root, err, "a playbook is a mapping");
    snprintf(pb->severity, sizeof(pb->severity), "medium");
    for (const struct vigil_conf_node *e = root->first; e && rc == VIGIL_OK;
         e = e->next) {
        if (strcmp(e->key, "id") == 0)
            rc = scalar(c, e, pb->id, sizeof(pb->id), err);
        else if (strcmp(e->key, "title") == 0)
            rc = scalar(c, e, pb->title, sizeof(pb->title), err);
        else if (strcmp(e->key, "severity") == 0) {
            rc = scalar(c, e, pb->severity, sizeof(pb->severity), err);
            if (rc == VIGIL_OK && incident_level_rank(pb->severity) < 1)
                rc = vigil_conf_fail(c, e, err,
                                     "severity is low, medium, high or "
                                     "critical");
        } else if (strcmp(e->key, "personal_data") == 0) {
            if (e->kind != VIGIL_CONF_SCALAR ||
                (strcmp(e->value, "true") != 0 &&
                 strcmp(e->value, "false") != 0))
                rc = vigil_conf_fail(c, e, err,
                                     "personal_data is true or false");
            else
                pb->personal_data = strcmp(e->value, "true") == 0;
        } else if (strcmp(e->key, "match") == 0) {
            if (e->kind != VIGIL_CONF_MAP)
                rc = vigil_conf_fail(c, e, err,
                                     "match is a mapping of tags and rules");
            for (const struct vigil_conf_node *m = e->first;
                 m && rc == VIGIL_OK; m = m->next) {
                if (strcmp(m->key, "tags") == 0)
                    rc = list(c, m, pb->tags, NULL, &pb->ntags, err);
                else if (strcmp(m->key, "rules") == 0)
                    rc = list(c, m, NULL, pb->rules, &pb->nrules, err);
                else
                    rc = vigil_conf_fail(c, m, err,
                                         "unknown match key '%s' (known: "
                                         "tags, rules)",
                                         m->key);
            }
        } else if (strcmp(e->key, "tasks") == 0) {
            if (e->kind != VIGIL_CONF_SEQ || e->n == 0 || e->n > TASKS_MAX)
                return vigil_conf_fail(
                    c, e, err, "tasks is a list of 1 to %d tasks", TASKS_MAX);
            if ((pb->tasks = calloc(e->n, sizeof(*pb->tasks))) == NULL)
                return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
            for (const struct vigil_conf_node *t = e->first;
                 t && rc == VIGIL_OK; t = t->next)
                rc = task(c, t, &pb->tasks[pb->ntasks++], err);
        } else if (strcmp(e->key, "description") == 0 ||
                   strcmp(e->key, "sources") == 0) {
            /* for people: what it is for, the guidance it follows */
        } else {
            rc = vigil_conf_fail(c, e, err,
                                 "unknown key '%s' (known: id, title, "
                                 "description, severity, personal_data, match, "
                                 "sources, tasks)",
                                 e->key);
        }
    }
    if (rc == VIGIL_OK &&
        (pb->id[0] == '\0' || pb->title[0] == '\0' || pb->ntasks == 0))
        rc = vigil_conf_fail(c, root, err,
                             "a playbook needs an id, a title and tasks");
    return rc;
}

struct load_ctx {
    struct vigil_playbooks *p;
};

static enum vigil_rc
load_one(const struct vigil_walk_entry *e, void *arg)
{
    struct load_ctx *lc = arg;
    struct vigil_playbooks *p = lc->p;
    struct vigil_conf *c = NULL;
    struct vigil_err err = {0};
    size_t len = strlen(e->name);
    enum vigil_rc rc;

    if (len < 5 || strcmp(e->name + len - 4, ".yml") != 0)
        return VIGIL_OK;
    if (p->n >= PLAYBOOKS_MAX)
        return VIGIL_ELIMIT;
    if ((rc = vigil_conf_read(&c, e->path, &err)) == VIGIL_OK)
        rc = playbook(c, &p->v[p->n], &err);
    vigil_conf_free(c);
    p->n++; /* counted even when refused, so its tasks are freed */
    if (rc != VIGIL_OK) {
        vigil_log(VIGIL_LOG_ERROR, LOG_INCIDENT_PLAYBK, "playbook refused: %s",
                  err.msg);
        return rc;
    }
    for (size_t i = 0; i + 1 < p->n; i++)
        if (strcmp(p->v[i].id, p->v[p->n - 1].id) == 0) {
            vigil_log(VIGIL_LOG_ERROR, LOG_INCIDENT_PLAYBK,
                      "playbook %s: id '%s' is used twice", e->path,
                      p->v[i].id);
            return VIGIL_ECONFLICT;
        }
    return VIGIL_OK;
}

enum vigil_rc
vigil_playbooks_load(struct vigil_playbooks **out, const char *dir,
                     struct vigil_err *err)
{
    struct vigil_walk_opts wo = {
        .skip_hidden = 1, .regular_only = 1, .sorted = 1, .max_depth = 1};
    struct vigil_playbooks *p = calloc(1, sizeof(*p));
    struct load_ctx lc = {p};
    char found[4096];
    enum vigil_rc rc;

    *out = NULL;
    if (p == NULL || (p->v = calloc(PLAYBOOKS_MAX, sizeof(*p->v))) == NULL) {
        free(p);
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    if (dir == NULL || dir[0] == '\0') {
        if (!vigil_playbooks_find_dir(found, sizeof(found))) {
            *out = p; /* none installed: incidents without playbooks */
            return VIGIL_OK;
        }
        dir = found;
    }
    rc = vigil_walk(dir, &wo, load_one, NULL, &lc, err);
    if (rc != VIGIL_OK) {
        vigil_err_set(err, rc, "playbooks in %s: %s", dir,
                      rc == VIGIL_ELIMIT ? "too many"
                                         : "a file was refused "
                                           "(see the log)");
        vigil_playbooks_free(p);
        return rc;
    }
    *out = p;
    return VIGIL_OK;
}

void
vigil_playbooks_free(struct vigil_playbooks *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i].tasks);
    free(p->v);
    free(p);
}

const struct vigil_playbook *
vigil_playbooks_get(const struct vigil_playbooks *p, const char *id)
{
    for (size_t i = 0; p != NULL && id != NULL && i < p->n; i++)
        if (strcmp(p->v[i].id, id) == 0)
            return &p->v[i];
    return NULL;
}

static int
prefix(const char *s, const char *pre)
{
    return strncmp(s, pre, strlen(pre)) == 0;
}

const struct vigil_playbook *
vigil_playbooks_match(const struct vigil_playbooks *p, const char *rule_id,
                      const char *tags_json)
{
    json_t *tags = tags_json ? json_loads(tags_json, 0, NULL) : NULL;
    const struct vigil_playbook *hit = NULL;

    for (size_t i = 0; p != NULL && i < p->n && hit == NULL; i++) {
        const struct vigil_playbook *pb = &p->v[i];

        for (size_t r = 0; r < pb->nrules && hit == NULL && rule_id; r++)
            if (prefix(rule_id, pb->rules[r]))
                hit = pb;
        for (size_t t = 0; t < pb->ntags && hit == NULL; t++) {
            size_t k;
            json_t *v;

            json_array_foreach(tags, k, v)
            {
                if (json_is_string(v) &&
                    prefix(json_string_value(v), pb->tags[t])) {
                    hit = pb;
                    break;
                }
            }
        }
    }
    json_decref(tags);
    return hit;
}
