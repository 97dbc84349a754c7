/* incident_config.c -- the `incident:` section: how alerts are grouped,
 * which jurisdictions' clocks run, the time zone calendar deadlines are
 * counted in, when to warn, the playbooks and who holds each role.
 * docs/configuration.md lists the keys. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "incident_int.h"
#include "parse/parse.h"

struct word {
    const char *word;
    int bit;
};

static const struct word group_words[] = {{"host", VIGIL_GROUP_HOST},
                                          {"user", VIGIL_GROUP_USER},
                                          {"source", VIGIL_GROUP_SOURCE},
                                          {"rule", VIGIL_GROUP_RULE}};
static const struct word jur_words[] = {{"uk", VIGIL_JUR_UK},
                                        {"eu", VIGIL_JUR_EU},
                                        {"quebec", VIGIL_JUR_QUEBEC},
                                        {"ontario", VIGIL_JUR_ONTARIO},
                                        {"canada", VIGIL_JUR_CANADA}};

/* A list of words from a table into bits, with INCIDENT_SET (configured:
 * an empty list means none rather than the default). */
static enum vigil_rc
words(const struct vigil_conf *c, const struct vigil_conf_node *v,
      const struct word *table, size_t n, const char *what, const char *known,
      int *out, struct vigil_err *err)
{
    int bits = INCIDENT_SET;

    if (v->kind != VIGIL_CONF_SEQ)
        return vigil_conf_fail(c, v, err, "'%s' must be a list of: %s", what,
                               known);
    for (const struct vigil_conf_node *e = v->first; e; e = e->next) {
        size_t i;
        for (i = 0; i < n && e->kind == VIGIL_CONF_SCALAR; i++)
            if (strcmp(e->value, table[i].word) == 0)
                break;
        if (e->kind != VIGIL_CONF_SCALAR || i == n)
            return vigil_conf_fail(c, e, err, "'%s' takes: %s", what, known);
        bits |= table[i].bit;
    }
    *out = bits;
    return VIGIL_OK;
}

static enum vigil_rc
parse_group_by(const struct vigil_conf *c, const struct vigil_conf_node *v,
               void *obj, struct vigil_err *err)
{
    struct vigil_incident_config *cfg = obj;

    return words(c, v, group_words,
                 sizeof(group_words) / sizeof(group_words[0]), "group_by",
                 "host, user, source, rule", &cfg->group_by, err);
}

static enum vigil_rc
parse_jur(const struct vigil_conf *c, const struct vigil_conf_node *v,
          void *obj, struct vigil_err *err)
{
    struct vigil_incident_config *cfg = obj;

    return words(c, v, jur_words, sizeof(jur_words) / sizeof(jur_words[0]),
                 "jurisdictions", "uk, eu, quebec, ontario, canada",
                 &cfg->jurisdictions, err);
}

/* timezone and min_level are checked here, not when the component
 * starts, so that a wrong value is refused with its file and line (and
 * by vigil check) rather than by a daemon that will not start. */
static enum vigil_rc
parse_tz(const struct vigil_conf *c, const struct vigil_conf_node *v, void *obj,
         struct vigil_err *err)
{
    struct vigil_incident_config *cfg = obj;
    const char *name = v->kind == VIGIL_CONF_SCALAR ? v->value : "";
    struct vigil_err e = {0};
    struct vigil_tz *tz = NULL;
    enum vigil_rc rc = VIGIL_OK;

    if (strlen(name) < sizeof(cfg->timezone))
        rc = vigil_tz_load(&tz, name, &e);
    if (rc == VIGIL_ENOMEM)
        return vigil_err_set(err, rc, "%s", e.msg);
    if (strlen(name) >= sizeof(cfg->timezone) || rc != VIGIL_OK)
        return vigil_conf_fail(c, v, err, "%s",
                               e.msg[0] ? e.msg
                                        : "'timezone' must be a zone name "
                                          "like Europe/London, UTC or +01:00");
    vigil_tz_free(tz);
    snprintf(cfg->timezone, sizeof(cfg->timezone), "%s", name);
    return VIGIL_OK;
}

static enum vigil_rc
parse_level(const struct vigil_conf *c, const struct vigil_conf_node *v,
            void *obj, struct vigil_err *err)
{
    struct vigil_incident_config *cfg = obj;
    const char *name = v->kind == VIGIL_CONF_SCALAR ? v->value : "";

    if (strlen(name) >= sizeof(cfg->min_level) || incident_level_rank(name) < 0)
        return vigil_conf_fail(c, v, err,
                               "'min_level' must be a Sigma level "
                               "(informational, low, medium, high, "
                               "critical)");
    snprintf(cfg->min_level, sizeof(cfg->min_level), "%s", name);
    return VIGIL_OK;
}

/* roles: {incident-lead: "Ann Smith", dpo: "..."} */
static enum vigil_rc
parse_roles(const struct vigil_conf *c, const struct vigil_conf_node *v,
            void *obj, struct vigil_err *err)
{
    struct vigil_incident_config *cfg = obj;

    if (v->kind != VIGIL_CONF_MAP)
        return vigil_conf_fail(c, v, err, "'roles' must map roles to people");
    for (const struct vigil_conf_node *e = v->first; e; e = e->next) {
        if (cfg->nroles >= VIGIL_INCIDENT_ROLES_MAX)
            return vigil_conf_fail(c, e, err, "more than %d roles",
                                   VIGIL_INCIDENT_ROLES_MAX);
        if (e->kind != VIGIL_CONF_SCALAR || e->value[0] == '\0' ||
            strlen(e->key) >= sizeof(cfg->role[0]) ||
            strlen(e->value) >= sizeof(cfg->person[0]))
            return vigil_conf_fail(c, e, err,
                                   "each role (up to 63 bytes) names one "
                                   "person (up to 127 bytes)");
        snprintf(cfg->role[cfg->nroles], sizeof(cfg->role[0]), "%s", e->key);
        snprintf(cfg->person[cfg->nroles], sizeof(cfg->person[0]), "%s",
                 e->value);
        cfg->nroles++;
    }
    return VIGIL_OK;
}

#define OFF(f) offsetof(struct vigil_incident_config, f)
#define SZ(f)  sizeof(((struct vigil_incident_config *)0)->f)
#define MS_H   (3600LL * 1000)

static const struct vigil_conf_key keys[] = {
    {.name = "auto", .type = VIGIL_CT_BOOL, .offset = OFF(auto_open), .def = 1},
    {.name = "window",
     .type = VIGIL_CT_SECONDS,
     .offset = OFF(window_s),
     .min = 1000,
     .max = 90 * 24 * MS_H,
     .def = 3600},
    {.name = "group_by", .type = VIGIL_CT_CUSTOM, .parse = parse_group_by},
    {.name = "min_level", .type = VIGIL_CT_CUSTOM, .parse = parse_level},
    {.name = "jurisdictions", .type = VIGIL_CT_CUSTOM, .parse = parse_jur},
    {.name = "essential_service",
     .type = VIGIL_CT_BOOL,
     .offset = OFF(essential_service),
     .def = 0},
    {.name = "timezone", .type = VIGIL_CT_CUSTOM, .parse = parse_tz},
    {.name = "warn_before",
     .type = VIGIL_CT_SECONDS,
     .offset = OFF(warn_first_s),
     .min = 0,
     .max = 30 * 24 * MS_H,
     .def = 24 * 3600},
    {.name = "warn_last",
     .type = VIGIL_CT_SECONDS,
     .offset = OFF(warn_last_s),
     .min = 0,
     .max = 30 * 24 * MS_H,
     .def = 3600},
    {.name = "prompt_target",
     .type = VIGIL_CT_SECONDS,
     .offset = OFF(prompt_s),
     .min = 1000,
     .max = 365 * 24 * MS_H,
     .def = 72 * 3600},
    {.name = "playbooks",
     .type = VIGIL_CT_STR,
     .offset = OFF(playbooks),
     .size = SZ(playbooks)},
    {.name = "organisation",
     .type = VIGIL_CT_STR,
     .offset = OFF(organisation),
     .size = SZ(organisation)},
    {.name = "contact",
     .type = VIGIL_CT_STR,
     .offset = OFF(contact),
     .size = SZ(contact)},
    {.name = "roles", .type = VIGIL_CT_CUSTOM, .parse = parse_roles},
    {.name = "max_open_per_hour",
     .type = VIGIL_CT_INT,
     .offset = OFF(max_open_per_hour),
     .min = 0,
     .max = 100000,
     .def = 50},
};

static const struct vigil_conf_table section = {"incident.", keys,
                                                sizeof(keys) / sizeof(keys[0])};

static const struct vigil_conf_key top[] = {
    {.name = "incident", .type = VIGIL_CT_SECTION, .sub = &section},
};

const struct vigil_conf_table vigil_incident_conf = {"", top, 1};

int
incident_group_bits(const struct vigil_incident_config *cfg)
{
    if (!(cfg->group_by & INCIDENT_SET))
        return VIGIL_GROUP_HOST | VIGIL_GROUP_USER | VIGIL_GROUP_SOURCE |
               VIGIL_GROUP_RULE;
    return cfg->group_by & ~INCIDENT_SET;
}

int
incident_jur_bits(const struct vigil_incident_config *cfg)
{
    if (!(cfg->jurisdictions & INCIDENT_SET))
        return VIGIL_JUR_UK;
    return cfg->jurisdictions & ~INCIDENT_SET;
}

const char *
incident_role_person(const struct vigil_incident_config *cfg, const char *role)
{
    for (size_t i = 0; cfg != NULL && i < cfg->nroles; i++)
        if (strcmp(cfg->role[i], role) == 0)
            return cfg->person[i];
    return "";
}
