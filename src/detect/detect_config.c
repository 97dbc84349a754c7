/* detect_config.c -- detection's own keys in the configuration: the rule
 * folders the daemon loads, whether vigil's pack is among them, and the
 * values of Sigma's %placeholders%, the budgets of correlation groups
 * and how long repeated correlation alerts are suppressed. Checked with
 * core's key tables. */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"

/* rules: [path, ...] -- Sigma rule files or folders for the daemon. */
static enum vigil_rc
parse_rule_dirs(const struct vigil_conf *c, const struct vigil_conf_node *v,
                void *obj, struct vigil_err *err)
{
    struct vigil_detect_config *cfg = obj;

    if (v->kind != VIGIL_CONF_SEQ)
        return vigil_conf_fail(c, v, err,
                               "'rules' must be a list of rule files or "
                               "folders");
    for (const struct vigil_conf_node *p = v->first; p; p = p->next) {
        if (p->kind != VIGIL_CONF_SCALAR || p->value[0] == '\0' ||
            strlen(p->value) >= 4096)
            return vigil_conf_fail(c, p, err,
                                   "each rules entry must be a non-empty "
                                   "path");
        if (cfg->nrule_dirs >= VIGIL_DETECT_MAX_RULE_PATHS)
            return vigil_conf_fail(c, p, err, "more than %d rules entries",
                                   VIGIL_DETECT_MAX_RULE_PATHS);
        if ((cfg->rule_dirs[cfg->nrule_dirs] = strdup(p->value)) == NULL)
            return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        cfg->nrule_dirs++;
    }
    return VIGIL_OK;
}

static enum vigil_rc
add_value(struct vigil_placeholder_config *ph, const char *v,
          struct vigil_err *err)
{
    if ((ph->values[ph->nvalues] = strdup(v)) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    ph->nvalues++;
    return VIGIL_OK;
}

/* One placeholder's values: a value or a list of values, none empty (an
 * empty value would make |expand match empty fields). */
static enum vigil_rc
parse_values(const struct vigil_conf *c, const struct vigil_conf_node *v,
             struct vigil_placeholder_config *ph, struct vigil_err *err)
{
    size_t n = v->kind == VIGIL_CONF_SEQ ? v->n : 1;
    enum vigil_rc rc = VIGIL_OK;

    if (v->kind == VIGIL_CONF_MAP)
        return vigil_conf_fail(c, v, err,
                               "placeholder '%s' must be a value or a list of "
                               "values",
                               ph->name);
    if (n == 0 || (v->kind == VIGIL_CONF_SCALAR && v->value[0] == '\0'))
        return vigil_conf_fail(c, v, err, "placeholder '%s' has no values",
                               ph->name);
    if (n > VIGIL_DETECT_MAX_PLACEHOLDER_VALUES)
        return vigil_conf_fail(c, v, err,
                               "placeholder '%s' has more than %d values",
                               ph->name, VIGIL_DETECT_MAX_PLACEHOLDER_VALUES);
    if ((ph->values = calloc(n, sizeof(*ph->values))) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    if (v->kind == VIGIL_CONF_SCALAR)
        return add_value(ph, v->value, err);
    for (const struct vigil_conf_node *e = v->first; e && rc == VIGIL_OK;
         e = e->next) {
        if (e->kind != VIGIL_CONF_SCALAR || e->value[0] == '\0')
            return vigil_conf_fail(c, e, err,
                                   "each value of placeholder '%s' must be a "
                                   "non-empty plain value",
                                   ph->name);
        rc = add_value(ph, e->value, err);
    }
    return rc;
}

/* placeholders: {NAME: value | [value, ...]} */
static enum vigil_rc
parse_placeholders(const struct vigil_conf *c, const struct vigil_conf_node *v,
                   void *obj, struct vigil_err *err)
{
    struct vigil_detect_config *cfg = obj;
    enum vigil_rc rc;

    if (v->kind != VIGIL_CONF_MAP)
        return vigil_conf_fail(c, v, err,
                               "'placeholders' must be a mapping of names to "
                               "values");
    for (const struct vigil_conf_node *e = v->first; e; e = e->next) {
        struct vigil_placeholder_config *ph;

        if (e->key[0] == '\0' || strchr(e->key, '%') != NULL ||
            strlen(e->key) >= sizeof(ph->name))
            return vigil_conf_fail(c, e, err,
                                   "placeholder names are written without %% "
                                   "signs and are 1 to 127 characters long");
        if (cfg->nplaceholders >= VIGIL_DETECT_MAX_PLACEHOLDERS)
            return vigil_conf_fail(c, e, err, "more than %d placeholders",
                                   VIGIL_DETECT_MAX_PLACEHOLDERS);
        ph = &cfg->placeholders[cfg->nplaceholders++];
        snprintf(ph->name, sizeof(ph->name), "%s", e->key);
        if ((rc = parse_values(c, e, ph, err)) != VIGIL_OK)
            return rc;
    }
    return VIGIL_OK;
}

/* correlation: the budgets of correlation groups (docs/rules.md,
 * "Correlation state"). */
static const struct vigil_conf_key corr_keys[] = {
    {.name = "max_groups",
     .type = VIGIL_CT_INT,
     .offset = offsetof(struct vigil_detect_config, corr_max_groups),
     .min = 16,
     .max = 16 * 1024 * 1024,
     .def = 65536},
    {.name = "max_source_groups",
     .type = VIGIL_CT_INT,
     .offset = offsetof(struct vigil_detect_config, corr_max_source_groups),
     .min = 0,
     .max = 16 * 1024 * 1024,
     .def = 0},
    /* one alert per rule and group in this long; 0: every window alerts */
    {.name = "suppress",
     .type = VIGIL_CT_MS,
     .offset = offsetof(struct vigil_detect_config, corr_suppress_ms),
     .min = 0,
     .max = 30LL * 86400 * 1000,
     .def = 3600 * 1000},
};

static const struct vigil_conf_table corr_table = {
    "correlation.", corr_keys, sizeof(corr_keys) / sizeof(corr_keys[0])};

static const struct vigil_conf_key keys[] = {
    {.name = "rules", .type = VIGIL_CT_CUSTOM, .parse = parse_rule_dirs},
    {.name = "builtin_rules",
     .type = VIGIL_CT_BOOL,
     .offset = offsetof(struct vigil_detect_config, builtin_rules),
     .def = 1},
    {.name = "placeholders",
     .type = VIGIL_CT_CUSTOM,
     .parse = parse_placeholders},
    {.name = "correlation", .type = VIGIL_CT_SECTION, .sub = &corr_table},
};

const struct vigil_conf_table vigil_detect_conf = {
    "", keys, sizeof(keys) / sizeof(keys[0])};

void
vigil_detect_config_fini(struct vigil_detect_config *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < cfg->nrule_dirs; i++)
        free(cfg->rule_dirs[i]);
    for (size_t i = 0; i < cfg->nplaceholders; i++) {
        for (size_t j = 0; j < cfg->placeholders[i].nvalues; j++)
            free(cfg->placeholders[i].values[j]);
        free(cfg->placeholders[i].values);
    }
    memset(cfg, 0, sizeof(*cfg));
}

enum vigil_rc
vigil_detect_config_paths(const struct vigil_detect_config *cfg,
                          enum vigil_rc (*fn)(const char *path,
                                              const char *what, void *arg),
                          void *arg, struct vigil_err *err)
{
    char pack[PATH_MAX];
    enum vigil_rc rc;

    if (cfg->builtin_rules) {
        if (!vigil_detect_find_pack(pack, sizeof(pack)))
            return vigil_err_set(err, VIGIL_ENOTFOUND,
                                 "vigil's rule pack not found (looked for "
                                 "share/vigil/rules beside the binary and "
                                 "the source tree's rules/); set "
                                 "builtin_rules: false to run without it");
        if ((rc = fn(pack, "vigil's pack", arg)) != VIGIL_OK)
            return rc;
    }
    for (size_t i = 0; i < cfg->nrule_dirs; i++)
        if ((rc = fn(cfg->rule_dirs[i], "configuration", arg)) != VIGIL_OK)
            return rc;
    return VIGIL_OK;
}
