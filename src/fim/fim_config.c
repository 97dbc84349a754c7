/* fim_config.c -- the `fim:` section (docs/configuration.md) checked with
 * core's key tables, and the domain's tables in the store. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fim/fim_int.h"

/* ---- schema ---- */

static const struct vigil_store_migration fim_steps[] = {
    {"file baseline",
     "CREATE TABLE fim_files (gen BIGINT NOT NULL, key BYTEA NOT NULL,"
     " type BIGINT NOT NULL, flags BIGINT NOT NULL, size BIGINT NOT NULL,"
     " mode BIGINT NOT NULL, uid BIGINT NOT NULL, gid BIGINT NOT NULL,"
     " ino BIGINT NOT NULL, nlink BIGINT NOT NULL, mtime_ns BIGINT NOT NULL,"
     " ctime_ns BIGINT NOT NULL, sha256 TEXT, link BYTEA,"
     " PRIMARY KEY (gen, key));"
     "CREATE TABLE fim_meta (name TEXT PRIMARY KEY NOT NULL,"
     " value BIGINT NOT NULL);"
     "CREATE TABLE fim_roots (path TEXT PRIMARY KEY NOT NULL);"
     "CREATE TABLE fim_excludes (pattern TEXT PRIMARY KEY NOT NULL);"},
    {"data-loss history",
     "CREATE TABLE fim_store_history (store TEXT NOT NULL,"
     " at_ns BIGINT NOT NULL, bytes BIGINT NOT NULL, items BIGINT NOT NULL,"
     " PRIMARY KEY (store, at_ns));"},
    {"device numbers of device nodes in the baseline",
     "ALTER TABLE fim_files ADD COLUMN rdev BIGINT NOT NULL DEFAULT 0;"},
};

const struct vigil_store_schema vigil_fim_schema = {
    "fim", fim_steps, sizeof(fim_steps) / sizeof(fim_steps[0])};

/* ---- configuration ---- */

static enum vigil_rc
str_list(const struct vigil_conf *c, const struct vigil_conf_node *v,
         char **dst, size_t *n, size_t max, const char *what,
         struct vigil_err *err)
{
    if (v->kind != VIGIL_CONF_SEQ)
        return vigil_conf_fail(c, v, err, "'%s' must be a list", what);
    for (const struct vigil_conf_node *p = v->first; p; p = p->next) {
        if (p->kind != VIGIL_CONF_SCALAR || p->value[0] == '\0' ||
            strlen(p->value) >= 4096)
            return vigil_conf_fail(c, p, err, "'%s' holds non-empty texts",
                                   what);
        if (*n >= max)
            return vigil_conf_fail(c, p, err, "more than %zu in '%s'", max,
                                   what);
        if ((dst[*n] = strdup(p->value)) == NULL)
            return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        (*n)++;
    }
    return VIGIL_OK;
}

static enum vigil_rc
parse_exclude(const struct vigil_conf *c, const struct vigil_conf_node *v,
              void *obj, struct vigil_err *err)
{
    struct vigil_fim_watch *w = obj;

    return str_list(c, v, w->exclude, &w->nexclude, VIGIL_FIM_MAX_EXCLUDE,
                    "exclude", err);
}

static const struct vigil_conf_key watch_keys[] = {
    {.name = "path",
     .type = VIGIL_CT_STR,
     .offset = offsetof(struct vigil_fim_watch, path),
     .size = sizeof(((struct vigil_fim_watch *)0)->path),
     .min = 1},
    {.name = "exclude", .type = VIGIL_CT_CUSTOM, .parse = parse_exclude},
};
static const struct vigil_conf_table watch_table = {
    "fim.watch.", watch_keys, sizeof(watch_keys) / sizeof(watch_keys[0])};

static enum vigil_rc
parse_watch(const struct vigil_conf *c, const struct vigil_conf_node *v,
            void *obj, struct vigil_err *err)
{
    struct vigil_fim_config *cfg = obj;
    enum vigil_rc rc;

    if (v->kind != VIGIL_CONF_SEQ)
        return vigil_conf_fail(c, v, err,
                               "'watch' must be a list of {path, exclude}");
    for (const struct vigil_conf_node *p = v->first; p; p = p->next) {
        struct vigil_fim_watch *w;
        if (p->kind != VIGIL_CONF_MAP)
            return vigil_conf_fail(c, p, err,
                                   "each 'watch' entry is {path, exclude}");
        if (cfg->nwatch >= VIGIL_FIM_MAX_WATCH)
            return vigil_conf_fail(c, p, err, "more than %d trees",
                                   VIGIL_FIM_MAX_WATCH);
        w = &cfg->watch[cfg->nwatch++];
        struct vigil_conf_binding b = {&watch_table, w};
        if ((rc = vigil_conf_apply(c, p, &b, 1, err)) != VIGIL_OK)
            return rc;
        if (w->path[0] != '/')
            return vigil_conf_fail(c, p, err,
                                   "'path' must be an absolute path");
    }
    return VIGIL_OK;
}

static enum vigil_rc
parse_monitor(const struct vigil_conf *c, const struct vigil_conf_node *v,
              void *obj, struct vigil_err *err)
{
    static const char *const names[] = {"auto", "fanotify", "inotify"};
    struct vigil_fim_config *cfg = obj;

    for (int i = 0; v->kind == VIGIL_CONF_SCALAR && i < 3; i++)
        if (strcmp(v->value, names[i]) == 0) {
            cfg->monitor = i;
            return VIGIL_OK;
        }
    return vigil_conf_fail(c, v, err, "'monitor' is auto, fanotify or inotify");
}

static enum vigil_rc
parse_action(const struct vigil_conf *c, const struct vigil_conf_node *v,
             void *obj, struct vigil_err *err)
{
    struct vigil_fim_config *cfg = obj;
    const char *s = v->kind == VIGIL_CONF_SCALAR ? v->value : "";

    if (strcmp(s, "alert") == 0)
        cfg->action_stop = 0;
    else if (strcmp(s, "stop") == 0)
        cfg->action_stop = 1;
    else
        return vigil_conf_fail(c, v, err, "'action' is alert or stop");
    return VIGIL_OK;
}

static enum vigil_rc
parse_allow(const struct vigil_conf *c, const struct vigil_conf_node *v,
            void *obj, struct vigil_err *err)
{
    struct vigil_fim_config *cfg = obj;
    enum vigil_rc rc;

    rc = str_list(c, v, cfg->allow, &cfg->nallow, VIGIL_FIM_MAX_ALLOW, "allow",
                  err);
    for (size_t i = 0; rc == VIGIL_OK && i < cfg->nallow; i++)
        if (cfg->allow[i][0] != '/')
            return vigil_conf_fail(c, v, err,
                                   "'allow' lists absolute executable paths");
    return rc;
}

static const struct vigil_conf_key ransom_keys[] = {
    {.name = "action", .type = VIGIL_CT_CUSTOM, .parse = parse_action},
    {.name = "allow", .type = VIGIL_CT_CUSTOM, .parse = parse_allow},
    {.name = "canaries",
     .type = VIGIL_CT_BOOL,
     .offset = offsetof(struct vigil_fim_config, canaries),
     .def = 1},
    {.name = "window",
     .type = VIGIL_CT_MS,
     .offset = offsetof(struct vigil_fim_config, window_ms),
     .min = 1000,
     .max = 3600 * 1000,
     .def = 30 * 1000},
    {.name = "threshold",
     .type = VIGIL_CT_INT,
     .offset = offsetof(struct vigil_fim_config, threshold),
     .min = 10,
     .max = 100000,
     .def = 100},
};
static const struct vigil_conf_table ransom_table = {
    "fim.ransomware.", ransom_keys,
    sizeof(ransom_keys) / sizeof(ransom_keys[0])};

/* "10%" or "0.1" into per mille. */
static int
parse_share(const char *s, int64_t *permille)
{
    size_t n = strlen(s);
    char *end;
    double d;

    if (n == 0)
        return 0;
    d = strtod(s, &end);
    if (end == s)
        return 0;
    if (*end == '%' && end[1] == '\0')
        d /= 100;
    else if (*end != '\0')
        return 0;
    if (!(d > 0 && d <= 1))
        return 0;
    *permille = (int64_t)(d * 1000 + 0.5);
    return *permille > 0;
}

static enum vigil_rc
parse_store(const struct vigil_conf *c, const struct vigil_conf_node *m,
            struct vigil_fim_store_conf *s, struct vigil_err *err)
{
    const struct vigil_conf_node *q = NULL;

    s->within_s = 3600;
    s->interval_s = 60;
    s->drop_permille = 100;
    for (const struct vigil_conf_node *e = m->first; e; e = e->next) {
        const char *val = e->kind == VIGIL_CONF_SCALAR ? e->value : NULL;
        int64_t ms;
        if (val == NULL)
            return vigil_conf_fail(c, e, err, "'%s' must be a text", e->key);
        if (strcmp(e->key, "name") == 0) {
            if (!val[0] || strlen(val) >= sizeof(s->name))
                return vigil_conf_fail(c, e, err, "'name' is 1 to 127 bytes");
            snprintf(s->name, sizeof(s->name), "%s", val);
        } else if (strcmp(e->key, "path") == 0 ||
                   strcmp(e->key, "sqlite") == 0 ||
                   strcmp(e->key, "postgres") == 0) {
            if (s->kind != 0)
                return vigil_conf_fail(
                    c, e, err, "a store is one of path, sqlite or postgres");
            s->kind = e->key[0] == 'p' && e->key[1] == 'a'
                          ? VIGIL_FIM_STORE_FOLDER
                      : e->key[0] == 's' ? VIGIL_FIM_STORE_SQLITE
                                         : VIGIL_FIM_STORE_POSTGRES;
            if (!val[0] || strlen(val) >= sizeof(s->target))
                return vigil_conf_fail(c, e, err, "'%s' is empty or too long",
                                       e->key);
            snprintf(s->target, sizeof(s->target), "%s", val);
        } else if (strcmp(e->key, "query") == 0) {
            if (strlen(val) >= sizeof(s->query))
                return vigil_conf_fail(c, e, err, "'query' is too long");
            snprintf(s->query, sizeof(s->query), "%s", val);
            q = e;
        } else if (strcmp(e->key, "alert_drop") == 0) {
            if (!parse_share(val, &s->drop_permille))
                return vigil_conf_fail(
                    c, e, err, "'alert_drop' is a share like 10%% or 0.1");
        } else if (strcmp(e->key, "within") == 0 ||
                   strcmp(e->key, "interval") == 0) {
            if (!vigil_parse_duration_ms(val, &ms) || ms < 1000)
                return vigil_conf_fail(
                    c, e, err, "'%s' is a duration of at least 1s", e->key);
            if (e->key[0] == 'w')
                s->within_s = ms / 1000;
            else
                s->interval_s = ms / 1000;
        } else {
            return vigil_conf_fail(c, e, err,
                                   "unknown key '%s' (known: name, path, "
                                   "sqlite, postgres, query, alert_drop, "
                                   "within, interval)",
                                   e->key);
        }
    }
    if (s->name[0] == '\0' || s->kind == 0)
        return vigil_conf_fail(c, m, err,
                               "a store needs a name and one of path, "
                               "sqlite or postgres");
    if (s->kind != VIGIL_FIM_STORE_FOLDER && s->query[0] == '\0')
        return vigil_conf_fail(c, m, err,
                               "store '%s' needs a query (SELECT count(*) "
                               "...)",
                               s->name);
    if (s->kind == VIGIL_FIM_STORE_FOLDER && q != NULL)
        return vigil_conf_fail(c, q, err, "'query' is for database stores");
    return VIGIL_OK;
}

static enum vigil_rc
parse_stores(const struct vigil_conf *c, const struct vigil_conf_node *v,
             void *obj, struct vigil_err *err)
{
    struct vigil_fim_config *cfg = obj;
    enum vigil_rc rc;

    if (v->kind != VIGIL_CONF_SEQ)
        return vigil_conf_fail(c, v, err, "'stores' must be a list");
    for (const struct vigil_conf_node *p = v->first; p; p = p->next) {
        if (p->kind != VIGIL_CONF_MAP)
            return vigil_conf_fail(c, p, err, "each store is a mapping");
        if (cfg->nstores >= VIGIL_FIM_MAX_STORES)
            return vigil_conf_fail(c, p, err, "more than %d stores",
                                   VIGIL_FIM_MAX_STORES);
        if ((rc = parse_store(c, p, &cfg->stores[cfg->nstores], err)) !=
            VIGIL_OK)
            return rc;
        for (size_t i = 0; i < cfg->nstores; i++)
            if (strcmp(cfg->stores[i].name, cfg->stores[cfg->nstores].name) ==
                0)
                return vigil_conf_fail(c, p, err, "two stores named '%s'",
                                       cfg->stores[i].name);
        cfg->nstores++;
    }
    return VIGIL_OK;
}

static const struct vigil_conf_key fim_keys[] = {
    {.name = "watch", .type = VIGIL_CT_CUSTOM, .parse = parse_watch},
    {.name = "monitor", .type = VIGIL_CT_CUSTOM, .parse = parse_monitor},
    {.name = "ransomware", .type = VIGIL_CT_SECTION, .sub = &ransom_table},
    {.name = "stores", .type = VIGIL_CT_CUSTOM, .parse = parse_stores},
};
static const struct vigil_conf_table fim_table = {
    "fim.", fim_keys, sizeof(fim_keys) / sizeof(fim_keys[0])};

static const struct vigil_conf_key top_keys[] = {
    {.name = "fim", .type = VIGIL_CT_SECTION, .sub = &fim_table},
};

const struct vigil_conf_table vigil_fim_conf = {
    "", top_keys, sizeof(top_keys) / sizeof(top_keys[0])};

void
vigil_fim_config_fini(struct vigil_fim_config *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->nwatch; i++)
        for (size_t j = 0; j < c->watch[i].nexclude; j++)
            free(c->watch[i].exclude[j]);
    for (size_t i = 0; i < c->nallow; i++)
        free(c->allow[i]);
    c->nwatch = c->nallow = 0;
}
