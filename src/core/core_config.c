/* core_config.c -- the daemon's YAML configuration, turned into the plain
 * structs of core.h at once.
 *
 * libyaml lives only here. The file is read whole (bounded) and loaded as
 * one document; every key is checked against the tables below so a typo
 * is refused with "file:line: unknown key" instead of being ignored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "core.h"

#define CONFIG_MAX_BYTES (1024 * 1024)
#define CONFIG_MAX_NODES 100000

struct loader {
    const char *name; /* file name for messages */
    yaml_document_t *doc;
    struct vigil_config *cfg;
    struct vigil_err *err;
};

/* ------------------------------------------------------------------ */
/* Durations and sizes                                                  */
/* ------------------------------------------------------------------ */

static int
split_number(const char *s, int64_t *num, const char **unit)
{
    size_t i = 0;

    while (s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == 0 || i > 15 || !vigil_parse_i64(s, i, num))
        return 0;
    while (s[i] == ' ')
        i++;
    *unit = s + i;
    return 1;
}

int
vigil_parse_duration_ms(const char *s, int64_t *ms)
{
    static const struct {
        const char *unit;
        int64_t ms;
    } units[] = {{"", 1000},      {"ms", 1},       {"s", 1000},
                 {"m", 60000},    {"min", 60000},  {"h", 3600000},
                 {"d", 86400000}, {"w", 604800000}};
    int64_t n;
    const char *unit;

    if (s == NULL || !split_number(s, &n, &unit))
        return 0;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strcmp(unit, units[i].unit) == 0) {
            *ms = n * units[i].ms;
            return 1;
        }
    return 0;
}

int
vigil_parse_size(const char *s, int64_t *bytes)
{
    static const struct {
        const char *unit;
        int64_t mul;
    } units[] = {{"", 1},
                 {"B", 1},
                 {"KB", 1000},
                 {"MB", 1000000},
                 {"GB", 1000000000},
                 {"TB", 1000000000000},
                 {"KiB", 1024},
                 {"MiB", 1024 * 1024},
                 {"GiB", 1024LL * 1024 * 1024},
                 {"TiB", 1024LL * 1024 * 1024 * 1024}};
    int64_t n;
    const char *unit;

    if (s == NULL || !split_number(s, &n, &unit))
        return 0;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strcmp(unit, units[i].unit) == 0) {
            if (n > INT64_MAX / units[i].mul)
                return 0;
            *bytes = n * units[i].mul;
            return 1;
        }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Node helpers                                                         */
/* ------------------------------------------------------------------ */

static unsigned long
line_of(const yaml_node_t *n)
{
    return (unsigned long)n->start_mark.line + 1;
}

static enum vigil_rc fail(struct loader *ld, const yaml_node_t *n,
                          const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum vigil_rc
fail(struct loader *ld, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return vigil_err_set(ld->err, VIGIL_EPARSE, "%s:%lu: %s", ld->name,
                         n ? line_of(n) : 1UL, msg);
}

static const char *
scalar(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value
                                       : NULL;
}

static enum vigil_rc
get_str(struct loader *ld, const char *key, yaml_node_t *v, char *dst,
        size_t dstlen)
{
    const char *s = scalar(v);

    if (s == NULL)
        return fail(ld, v, "'%s' must be a string", key);
    if (strlen(s) >= dstlen)
        return fail(ld, v, "'%s' is longer than %zu characters", key,
                    dstlen - 1);
    snprintf(dst, dstlen, "%s", s);
    return VIGIL_OK;
}

static enum vigil_rc
get_bool(struct loader *ld, const char *key, yaml_node_t *v, int *out)
{
    static const char *yes[] = {"true", "yes", "on"};
    static const char *no[] = {"false", "no", "off"};
    const char *s = scalar(v);

    for (size_t i = 0; s && i < 3; i++) {
        if (strcmp(s, yes[i]) == 0) {
            *out = 1;
            return VIGIL_OK;
        }
        if (strcmp(s, no[i]) == 0) {
            *out = 0;
            return VIGIL_OK;
        }
    }
    return fail(ld, v, "'%s' must be true or false, not '%s'", key,
                s ? s : "(not a scalar)");
}

static enum vigil_rc
get_int(struct loader *ld, const char *key, yaml_node_t *v, int64_t lo,
        int64_t hi, int64_t *out)
{
    const char *s = scalar(v);
    int64_t n;

    if (s == NULL || !vigil_parse_i64(s, strlen(s), &n))
        return fail(ld, v, "'%s' must be an integer, not '%s'", key,
                    s ? s : "(not a scalar)");
    if (n < lo || n > hi)
        return fail(ld, v, "'%s' must be between %lld and %lld", key,
                    (long long)lo, (long long)hi);
    *out = n;
    return VIGIL_OK;
}

static enum vigil_rc
get_duration(struct loader *ld, const char *key, yaml_node_t *v, int64_t min_ms,
             int64_t *ms)
{
    const char *s = scalar(v);

    if (s == NULL || !vigil_parse_duration_ms(s, ms))
        return fail(ld, v,
                    "'%s' must be a duration like 30d, 12h, 15m, 45s or "
                    "250ms, not '%s'",
                    key, s ? s : "(not a scalar)");
    if (*ms < min_ms)
        return fail(ld, v, "'%s' must be at least %lld ms", key,
                    (long long)min_ms);
    return VIGIL_OK;
}

/* Iterates the pairs of a mapping node. */
#define FOR_PAIRS(ld, map, k, v, key)                                          \
    for (yaml_node_pair_t *p_ = (map)->data.mapping.pairs.start;               \
         p_ < (map)->data.mapping.pairs.top &&                                 \
         ((k) = yaml_document_get_node((ld)->doc, p_->key)) != NULL &&         \
         ((v) = yaml_document_get_node((ld)->doc, p_->value)) != NULL &&       \
         ((key) = scalar(k)) != NULL;                                          \
         p_++)

static enum vigil_rc
need_map(struct loader *ld, yaml_node_t *n, const char *what)
{
    if (n->type != YAML_MAPPING_NODE)
        return fail(ld, n, "%s must be a mapping of keys to values", what);
    /* Keeps the duplicate check below (quadratic) cheap. */
    if (n->data.mapping.pairs.top - n->data.mapping.pairs.start > 256)
        return fail(ld, n, "%s has more than 256 keys", what);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(ld->doc, p->key);
        if (k == NULL || scalar(k) == NULL)
            return fail(ld, k ? k : n, "keys of %s must be strings", what);
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
            yaml_node_t *k2 = yaml_document_get_node(ld->doc, q->key);
            if (strcmp(scalar(k2), scalar(k)) == 0)
                return fail(ld, k, "duplicate key '%s'", scalar(k));
        }
    }
    return VIGIL_OK;
}

/* ------------------------------------------------------------------ */
/* Sections                                                             */
/* ------------------------------------------------------------------ */

static enum vigil_rc
load_store(struct loader *ld, yaml_node_t *map)
{
    yaml_node_t *k, *v;
    const char *key;
    enum vigil_rc rc;

    if ((rc = need_map(ld, map, "'store'")) != VIGIL_OK)
        return rc;
    FOR_PAIRS(ld, map, k, v, key)
    {
        if (strcmp(key, "archive_events") == 0) {
            rc = get_bool(ld, "store.archive_events", v,
                          &ld->cfg->archive_events);
        } else if (strcmp(key, "archive_max_age") == 0) {
            int64_t ms;
            rc = get_duration(ld, "store.archive_max_age", v, 0, &ms);
            ld->cfg->archive_max_age_s = ms / 1000;
        } else if (strcmp(key, "archive_max_size") == 0) {
            const char *s = scalar(v);
            if (s == NULL || !vigil_parse_size(s, &ld->cfg->archive_max_bytes))
                rc = fail(ld, v,
                          "'store.archive_max_size' must be a size like "
                          "10GiB, 500MB or 1048576, not '%s'",
                          s ? s : "(not a scalar)");
        } else {
            rc = fail(ld, k,
                      "unknown key 'store.%s' (known: archive_events, "
                      "archive_max_age, archive_max_size)",
                      key);
        }
        if (rc != VIGIL_OK)
            return rc;
    }
    return VIGIL_OK;
}

static enum vigil_rc
load_ingest(struct loader *ld, yaml_node_t *map)
{
    yaml_node_t *k, *v;
    const char *key;
    enum vigil_rc rc;
    struct vigil_config *c = ld->cfg;

    if ((rc = need_map(ld, map, "'ingest'")) != VIGIL_OK)
        return rc;
    FOR_PAIRS(ld, map, k, v, key)
    {
        if (strcmp(key, "batch_lines") == 0) {
            rc = get_int(ld, "ingest.batch_lines", v, 1, 100000,
                         &c->batch_lines);
        } else if (strcmp(key, "batch_time") == 0) {
            rc = get_duration(ld, "ingest.batch_time", v, 1, &c->batch_ms);
        } else if (strcmp(key, "poll_interval") == 0) {
            rc = get_duration(ld, "ingest.poll_interval", v, 1, &c->poll_ms);
        } else if (strcmp(key, "rescan_interval") == 0) {
            int64_t ms;
            rc = get_duration(ld, "ingest.rescan_interval", v, 1000, &ms);
            c->rescan_s = ms / 1000;
        } else {
            rc = fail(ld, k,
                      "unknown key 'ingest.%s' (known: batch_lines, "
                      "batch_time, poll_interval, rescan_interval)",
                      key);
        }
        if (rc != VIGIL_OK)
            return rc;
    }
    return VIGIL_OK;
}

static const char *const known_formats[] = {
    "syslog", "auth", "auditd", "access", "json", "cef", "raw", NULL};

static enum vigil_rc
load_source(struct loader *ld, yaml_node_t *map, size_t idx)
{
    struct vigil_source_config *s = &ld->cfg->sources[idx];
    yaml_node_t *k, *v, *typen = NULL, *pathsn = NULL, *listenn = NULL;
    yaml_node_t *protn = NULL;
    const char *key;
    char type[32] = "";
    char prot[16] = "";
    enum vigil_rc rc;

    if ((rc = need_map(ld, map, "a source")) != VIGIL_OK)
        return rc;
    FOR_PAIRS(ld, map, k, v, key)
    {
        if (strcmp(key, "name") == 0) {
            rc = get_str(ld, "name", v, s->name, sizeof(s->name));
            if (rc == VIGIL_OK && s->name[0] == '\0')
                rc = fail(ld, v, "'name' must not be empty");
        } else if (strcmp(key, "type") == 0) {
            typen = v;
            rc = get_str(ld, "type", v, type, sizeof(type));
        } else if (strcmp(key, "paths") == 0) {
            pathsn = v;
            if (v->type != YAML_SEQUENCE_NODE)
                rc = fail(ld, v, "'paths' must be a list of glob patterns");
            for (yaml_node_item_t *it = v->data.sequence.items.start;
                 rc == VIGIL_OK && v->type == YAML_SEQUENCE_NODE &&
                 it < v->data.sequence.items.top;
                 it++) {
                yaml_node_t *pn = yaml_document_get_node(ld->doc, *it);
                const char *p = pn ? scalar(pn) : NULL;
                if (p == NULL || *p == '\0' || strlen(p) >= 4096) {
                    rc = fail(ld, pn ? pn : v,
                              "each path must be a non-empty string");
                    break;
                }
                if (s->npaths >= VIGIL_CONFIG_MAX_PATHS) {
                    rc = fail(ld, pn, "more than %d paths",
                              VIGIL_CONFIG_MAX_PATHS);
                    break;
                }
                if ((s->paths[s->npaths] = strdup(p)) == NULL)
                    return vigil_err_set(ld->err, VIGIL_ENOMEM,
                                         "out of memory");
                s->npaths++;
            }
        } else if (strcmp(key, "listen") == 0) {
            listenn = v;
            rc = get_str(ld, "listen", v, s->listen, sizeof(s->listen));
            if (rc == VIGIL_OK && strrchr(s->listen, ':') == NULL)
                rc = fail(ld, v,
                          "'listen' must be host:port, e.g. "
                          "127.0.0.1:5514 or [::1]:514");
        } else if (strcmp(key, "protocol") == 0) {
            protn = v;
            rc = get_str(ld, "protocol", v, prot, sizeof(prot));
            if (rc == VIGIL_OK && strcmp(prot, "udp") == 0)
                s->protocol = VIGIL_PROTO_UDP;
            else if (rc == VIGIL_OK && strcmp(prot, "tcp") == 0)
                s->protocol = VIGIL_PROTO_TCP;
            else if (rc == VIGIL_OK)
                rc = fail(ld, v, "'protocol' must be udp or tcp, not '%s'",
                          prot);
        } else if (strcmp(key, "format") == 0) {
            rc = get_str(ld, "format", v, s->format, sizeof(s->format));
            if (rc == VIGIL_OK && strcmp(s->format, "auto") == 0)
                s->format[0] = '\0';
            int ok = s->format[0] == '\0';
            for (size_t i = 0; !ok && known_formats[i]; i++)
                ok = strcmp(s->format, known_formats[i]) == 0;
            if (rc == VIGIL_OK && !ok)
                rc = fail(ld, v,
                          "unknown format '%s' (known: auto, syslog, auth, "
                          "auditd, access, json, cef, raw)",
                          s->format);
        } else if (strcmp(key, "year") == 0) {
            int64_t y;
            rc = get_int(ld, "year", v, 1970, 9999, &y);
            s->year = (int)y;
        } else if (strcmp(key, "max_message") == 0) {
            const char *str = scalar(v);
            int64_t b = 0;
            if (str == NULL || !vigil_parse_size(str, &b) || b < 480 ||
                b > 1024 * 1024)
                rc = fail(ld, v,
                          "'max_message' must be a size between 480 and "
                          "1MiB, not '%s'",
                          str ? str : "(not a scalar)");
            s->max_message = (size_t)b;
        } else {
            rc = fail(ld, k,
                      "unknown key '%s' in source (known: name, type, "
                      "paths, listen, protocol, max_message, format, year)",
                      key);
        }
        if (rc != VIGIL_OK)
            return rc;
    }

    if (s->name[0] == '\0')
        return fail(ld, map, "a source needs a 'name'");
    for (size_t i = 0; i < idx; i++)
        if (strcmp(ld->cfg->sources[i].name, s->name) == 0)
            return fail(ld, map, "source name '%s' is used twice", s->name);
    if (typen == NULL)
        return fail(ld, map,
                    "source '%s' needs a 'type' (file, syslog, "
                    "journald or stdin)",
                    s->name);
    if (strcmp(type, "file") == 0)
        s->type = VIGIL_SOURCE_FILE;
    else if (strcmp(type, "syslog") == 0)
        s->type = VIGIL_SOURCE_SYSLOG;
    else if (strcmp(type, "journald") == 0)
        s->type = VIGIL_SOURCE_JOURNALD;
    else if (strcmp(type, "stdin") == 0)
        s->type = VIGIL_SOURCE_STDIN;
    else
        return fail(ld, typen,
                    "unknown source type '%s' (known: file, syslog, "
                    "journald, stdin)",
                    type);

    if (s->type == VIGIL_SOURCE_FILE && s->npaths == 0)
        return fail(ld, pathsn ? pathsn : map,
                    "file source '%s' needs at least one entry in 'paths'",
                    s->name);
    if (s->type != VIGIL_SOURCE_FILE && pathsn != NULL)
        return fail(ld, pathsn, "'paths' is only for file sources");
    if (s->type == VIGIL_SOURCE_SYSLOG) {
        if (listenn == NULL)
            return fail(ld, map,
                        "syslog source '%s' needs 'listen' (host:port)",
                        s->name);
        if (s->protocol == 0)
            s->protocol = VIGIL_PROTO_UDP;
        if (s->max_message == 0)
            s->max_message = 65536;
    } else {
        if (listenn != NULL)
            return fail(ld, listenn, "'listen' is only for syslog sources");
        if (protn != NULL)
            return fail(ld, protn, "'protocol' is only for syslog sources");
    }
#ifndef VIGIL_HAVE_SYSTEMD
    if (s->type == VIGIL_SOURCE_JOURNALD)
        return fail(ld, typen,
                    "source '%s': this vigil was built without libsystemd, "
                    "so it cannot read the journal",
                    s->name);
#endif
    return VIGIL_OK;
}

static enum vigil_rc
load_sources(struct loader *ld, yaml_node_t *seq)
{
    enum vigil_rc rc;

    if (seq->type != YAML_SEQUENCE_NODE)
        return fail(ld, seq, "'sources' must be a list of sources");
    for (yaml_node_item_t *it = seq->data.sequence.items.start;
         it < seq->data.sequence.items.top; it++) {
        yaml_node_t *n = yaml_document_get_node(ld->doc, *it);
        if (n == NULL)
            continue;
        if (ld->cfg->nsources >= VIGIL_CONFIG_MAX_SOURCES)
            return fail(ld, n, "more than %d sources",
                        VIGIL_CONFIG_MAX_SOURCES);
        rc = load_source(ld, n, ld->cfg->nsources);
        ld->cfg->nsources++; /* even on failure, so free sees its paths */
        if (rc != VIGIL_OK)
            return rc;
    }
    return VIGIL_OK;
}

/* rules: [dir, ...] -- Sigma rule files or folders for the daemon. */
static enum vigil_rc
load_rule_dirs(struct loader *ld, yaml_node_t *v)
{
    struct vigil_config *cfg = ld->cfg;

    if (v->type != YAML_SEQUENCE_NODE)
        return fail(ld, v, "'rules' must be a list of rule files or folders");
    for (yaml_node_item_t *it = v->data.sequence.items.start;
         it < v->data.sequence.items.top; it++) {
        yaml_node_t *pn = yaml_document_get_node(ld->doc, *it);
        const char *p = pn ? scalar(pn) : NULL;
        if (p == NULL || *p == '\0' || strlen(p) >= 4096)
            return fail(ld, pn ? pn : v,
                        "each rules entry must be a non-empty path");
        if (cfg->nrule_dirs >= VIGIL_CONFIG_MAX_PATHS)
            return fail(ld, pn, "more than %d rules entries",
                        VIGIL_CONFIG_MAX_PATHS);
        if ((cfg->rule_dirs[cfg->nrule_dirs] = strdup(p)) == NULL)
            return vigil_err_set(ld->err, VIGIL_ENOMEM, "out of memory");
        cfg->nrule_dirs++;
    }
    return VIGIL_OK;
}

/* One placeholder's values: a scalar or a list of scalars. */
static enum vigil_rc
load_placeholder_values(struct loader *ld, yaml_node_t *v,
                        struct vigil_placeholder_config *ph)
{
    yaml_node_item_t *it, *end;

    if (v->type == YAML_SCALAR_NODE && *scalar(v) == '\0')
        return fail(ld, v, "placeholder '%s' has no values", ph->name);
    if (v->type == YAML_SCALAR_NODE) {
        ph->values = calloc(1, sizeof(*ph->values));
        if (ph->values == NULL || (ph->values[0] = strdup(scalar(v))) == NULL)
            return vigil_err_set(ld->err, VIGIL_ENOMEM, "out of memory");
        ph->nvalues = 1;
        return VIGIL_OK;
    }
    if (v->type != YAML_SEQUENCE_NODE)
        return fail(ld, v,
                    "placeholder '%s' must be a value or a list of "
                    "values",
                    ph->name);
    it = v->data.sequence.items.start;
    end = v->data.sequence.items.top;
    if (end - it > VIGIL_CONFIG_MAX_PLACEHOLDER_VALUES)
        return fail(ld, v, "placeholder '%s' has more than %d values", ph->name,
                    VIGIL_CONFIG_MAX_PLACEHOLDER_VALUES);
    if (it == end)
        return fail(ld, v, "placeholder '%s' has no values", ph->name);
    ph->values = calloc((size_t)(end - it), sizeof(*ph->values));
    if (ph->values == NULL)
        return vigil_err_set(ld->err, VIGIL_ENOMEM, "out of memory");
    for (; it < end; it++) {
        yaml_node_t *n = yaml_document_get_node(ld->doc, *it);
        const char *s = n ? scalar(n) : NULL;
        if (s == NULL)
            return fail(ld, n ? n : v,
                        "each value of placeholder '%s' "
                        "must be a plain value",
                        ph->name);
        if ((ph->values[ph->nvalues] = strdup(s)) == NULL)
            return vigil_err_set(ld->err, VIGIL_ENOMEM, "out of memory");
        ph->nvalues++;
    }
    return VIGIL_OK;
}

/* placeholders: {NAME: value | [value, ...]} -- |expand values. */
static enum vigil_rc
load_placeholders(struct loader *ld, yaml_node_t *map)
{
    struct vigil_config *cfg = ld->cfg;
    yaml_node_t *k, *v;
    const char *key;
    enum vigil_rc rc;

    if ((rc = need_map(ld, map, "'placeholders'")) != VIGIL_OK)
        return rc;
    FOR_PAIRS(ld, map, k, v, key)
    {
        struct vigil_placeholder_config *ph;

        if (*key == '\0' || strchr(key, '%') != NULL || strlen(key) >= 128)
            return fail(ld, k,
                        "placeholder names are written without %% "
                        "signs and are 1 to 127 characters long");
        if (cfg->nplaceholders >= VIGIL_CONFIG_MAX_PLACEHOLDERS)
            return fail(ld, k, "more than %d placeholders",
                        VIGIL_CONFIG_MAX_PLACEHOLDERS);
        ph = &cfg->placeholders[cfg->nplaceholders++];
        snprintf(ph->name, sizeof(ph->name), "%s", key);
        if ((rc = load_placeholder_values(ld, v, ph)) != VIGIL_OK)
            return rc;
    }
    return VIGIL_OK;
}

static enum vigil_rc
load_root(struct loader *ld, yaml_node_t *root)
{
    yaml_node_t *k, *v;
    const char *key;
    enum vigil_rc rc;

    if (root == NULL)
        return VIGIL_OK; /* empty file: defaults, no sources */
    if ((rc = need_map(ld, root, "the configuration")) != VIGIL_OK)
        return rc;
    FOR_PAIRS(ld, root, k, v, key)
    {
        if (strcmp(key, "state_dir") == 0) {
            rc = get_str(ld, "state_dir", v, ld->cfg->state_dir,
                         sizeof(ld->cfg->state_dir));
        } else if (strcmp(key, "stats_interval") == 0) {
            int64_t ms;
            rc = get_duration(ld, "stats_interval", v, 0, &ms);
            ld->cfg->stats_interval_s = ms / 1000;
        } else if (strcmp(key, "store") == 0) {
            rc = load_store(ld, v);
        } else if (strcmp(key, "ingest") == 0) {
            rc = load_ingest(ld, v);
        } else if (strcmp(key, "sources") == 0) {
            rc = load_sources(ld, v);
        } else if (strcmp(key, "rules") == 0) {
            rc = load_rule_dirs(ld, v);
        } else if (strcmp(key, "builtin_rules") == 0) {
            rc = get_bool(ld, "builtin_rules", v, &ld->cfg->builtin_rules);
        } else if (strcmp(key, "placeholders") == 0) {
            rc = load_placeholders(ld, v);
        } else {
            rc = fail(ld, k,
                      "unknown key '%s' (known: state_dir, stats_interval, "
                      "store, ingest, sources, rules, builtin_rules, "
                      "placeholders)",
                      key);
        }
        if (rc != VIGIL_OK)
            return rc;
    }
    return VIGIL_OK;
}

/* ------------------------------------------------------------------ */
/* Entry points                                                         */
/* ------------------------------------------------------------------ */

static void
set_defaults(struct vigil_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->archive_events = 0;
    cfg->stats_interval_s = 300;
    cfg->batch_lines = 1000;
    cfg->batch_ms = 200;
    cfg->poll_ms = 250;
    cfg->rescan_s = 10;
    cfg->builtin_rules = 1;
}

enum vigil_rc
vigil_config_load_mem(const char *name, const char *text, size_t len,
                      struct vigil_config *cfg, struct vigil_err *err)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    struct loader ld = {name, &doc, cfg, err};
    enum vigil_rc rc;

    set_defaults(cfg);
    if (len > CONFIG_MAX_BYTES)
        return vigil_err_set(err, VIGIL_ELIMIT, "%s: larger than %d bytes",
                             name, CONFIG_MAX_BYTES);
    if (!yaml_parser_initialize(&parser))
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        rc = vigil_err_set(err, VIGIL_EPARSE, "%s:%lu: %s", name,
                           (unsigned long)parser.problem_mark.line + 1,
                           parser.problem ? parser.problem : "not valid YAML");
        yaml_parser_delete(&parser);
        return rc;
    }
    if (doc.nodes.top - doc.nodes.start > CONFIG_MAX_NODES)
        rc = vigil_err_set(err, VIGIL_ELIMIT, "%s: more than %d YAML nodes",
                           name, CONFIG_MAX_NODES);
    else
        rc = load_root(&ld, yaml_document_get_root_node(&doc));
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc;
}

enum vigil_rc
vigil_config_load(const char *path, struct vigil_config *cfg,
                  struct vigil_err *err)
{
    char *data = NULL;
    size_t len = 0;
    enum vigil_rc rc;

    set_defaults(cfg);
    rc = vigil_read_file(path, CONFIG_MAX_BYTES, &data, &len, err);
    if (rc != VIGIL_OK)
        return rc;
    rc = vigil_config_load_mem(path, data, len, cfg, err);
    snprintf(cfg->path, sizeof(cfg->path), "%s", path);
    free(data);
    return rc;
}

static int
journal_present(void)
{
    struct stat st;

    return stat("/run/log/journal", &st) == 0 ||
           stat("/var/log/journal", &st) == 0;
}

enum vigil_rc
vigil_config_default(struct vigil_config *cfg, struct vigil_err *err)
{
    static const char *const files[] = {"/var/log/auth.log", "/var/log/secure",
                                        "/var/log/syslog", "/var/log/messages"};
    struct vigil_source_config *s;

    set_defaults(cfg);
    s = &cfg->sources[0];
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        if (access(files[i], F_OK) != 0)
            continue;
        if ((s->paths[s->npaths] = strdup(files[i])) == NULL) {
            vigil_config_free(cfg);
            return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        }
        s->npaths++;
    }
    if (s->npaths > 0) {
        snprintf(s->name, sizeof(s->name), "system-logs");
        s->type = VIGIL_SOURCE_FILE;
        cfg->nsources = 1;
    }
    /* The journal only when no syslog file exists: where rsyslog writes
     * the files from the journal, reading both would report every event
     * (and raise every alert) twice. */
    (void)journal_present;
#ifdef VIGIL_HAVE_SYSTEMD
    if (cfg->nsources == 0 && journal_present()) {
        s = &cfg->sources[cfg->nsources++];
        snprintf(s->name, sizeof(s->name), "journal");
        s->type = VIGIL_SOURCE_JOURNALD;
    }
#endif
    return VIGIL_OK;
}

void
vigil_config_free(struct vigil_config *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < cfg->nsources && i < VIGIL_CONFIG_MAX_SOURCES; i++)
        for (size_t j = 0; j < cfg->sources[i].npaths; j++)
            free(cfg->sources[i].paths[j]);
    for (size_t i = 0; i < cfg->nrule_dirs && i < VIGIL_CONFIG_MAX_PATHS; i++)
        free(cfg->rule_dirs[i]);
    for (size_t i = 0; i < cfg->nplaceholders; i++) {
        for (size_t j = 0; j < cfg->placeholders[i].nvalues; j++)
            free(cfg->placeholders[i].values[j]);
        free(cfg->placeholders[i].values);
    }
    memset(cfg, 0, sizeof(*cfg));
}
