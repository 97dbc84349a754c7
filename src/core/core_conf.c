/* core_conf.c -- the configuration file as a generic tree, and the key
 * tables every domain declares for its own section of it.
 *
 * libyaml lives only here. A file is read whole (bounded), loaded as one
 * document and copied at once into a tree of plain nodes that remember
 * their line, so every later complaint can say "file:line: ...". The tree
 * refuses what no section could use: non-scalar or duplicate keys,
 * documents nested deeper or larger than the limits below (aliases are
 * expanded while copying, so a "billion laughs" file hits the node limit).
 *
 * Core knows no domain's keys: a domain describes its section as a table
 * of {name, type, offset, range, default} (Redis's standardConfig) or a
 * parse function for what a table cannot say, and vigil_conf_apply checks
 * a mapping against the tables bound to it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "core.h"

#define CONF_MAX_BYTES (1024 * 1024)
#define CONF_MAX_NODES 100000
#define CONF_MAX_DEPTH 32
#define CONF_MAX_KEYS  4096 /* entries of one mapping */

struct vigil_conf {
    char name[4096];
    struct vigil_arena arena; /* every node and string */
    struct vigil_conf_node *root;
    size_t nodes;
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

struct conf_unit {
    const char *unit;
    int64_t mul;
};

/* n * the unit's multiplier, refused when it would not fit in 63 bits. */
static int
scale(const char *s, const struct conf_unit *units, size_t nunits, int64_t *out)
{
    int64_t n;
    const char *unit;

    if (s == NULL || !split_number(s, &n, &unit))
        return 0;
    for (size_t i = 0; i < nunits; i++)
        if (strcmp(unit, units[i].unit) == 0) {
            if (n > INT64_MAX / units[i].mul)
                return 0;
            *out = n * units[i].mul;
            return 1;
        }
    return 0;
}

int
vigil_parse_duration_ms(const char *s, int64_t *ms)
{
    static const struct conf_unit units[] = {
        {"", 1000},     {"ms", 1},      {"s", 1000},     {"m", 60000},
        {"min", 60000}, {"h", 3600000}, {"d", 86400000}, {"w", 604800000}};

    return scale(s, units, sizeof(units) / sizeof(units[0]), ms);
}

int
vigil_parse_size(const char *s, int64_t *bytes)
{
    static const struct conf_unit units[] = {
        {"", 1},
        {"B", 1},
        {"KB", 1000},
        {"MB", 1000000},
        {"GB", 1000000000},
        {"TB", 1000000000000},
        {"KiB", 1024},
        {"MiB", 1024 * 1024},
        {"GiB", 1024LL * 1024 * 1024},
        {"TiB", 1024LL * 1024 * 1024 * 1024}};

    return scale(s, units, sizeof(units) / sizeof(units[0]), bytes);
}

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

enum vigil_rc
vigil_conf_fail(const struct vigil_conf *c, const struct vigil_conf_node *n,
                struct vigil_err *err, const char *fmt, ...)
{
    char msg[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return vigil_err_set(err, VIGIL_EPARSE, "%s:%u: %s", c->name,
                         n ? n->line : 1u, msg);
}

const struct vigil_conf_node *
vigil_conf_root(const struct vigil_conf *c)
{
    return c->root;
}

const char *
vigil_conf_name(const struct vigil_conf *c)
{
    return c->name;
}

const struct vigil_conf_node *
vigil_conf_get(const struct vigil_conf_node *map, const char *key)
{
    if (map == NULL || map->kind != VIGIL_CONF_MAP)
        return NULL;
    for (const struct vigil_conf_node *e = map->first; e; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* YAML document -> tree                                                */
/* ------------------------------------------------------------------ */

struct conf_builder {
    struct vigil_conf *c;
    yaml_document_t *doc;
    struct vigil_err *err;
};

static unsigned
yline(const yaml_node_t *n)
{
    return (unsigned)n->start_mark.line + 1;
}

static enum vigil_rc
builder_fail(struct conf_builder *b, const yaml_node_t *n, const char *msg)
{
    return vigil_err_set(b->err, VIGIL_EPARSE, "%s:%u: %s", b->c->name,
                         n ? yline(n) : 1u, msg);
}

static struct vigil_conf_node *
node_new(struct conf_builder *b, const yaml_node_t *y)
{
    struct vigil_conf_node *n;

    if (++b->c->nodes > CONF_MAX_NODES) {
        vigil_err_set(b->err, VIGIL_ELIMIT,
                      "%s:%u: more than %d YAML nodes (with aliases "
                      "expanded)",
                      b->c->name, yline(y), CONF_MAX_NODES);
        return NULL;
    }
    if ((n = vigil_arena_alloc(&b->c->arena, sizeof(*n))) == NULL) {
        vigil_err_set(b->err, VIGIL_ENOMEM, "out of memory");
        return NULL;
    }
    memset(n, 0, sizeof(*n));
    n->line = yline(y);
    return n;
}

static const char *
copy_scalar(struct conf_builder *b, const yaml_node_t *y)
{
    const char *s =
        vigil_arena_strndup(&b->c->arena, (const char *)y->data.scalar.value,
                            y->data.scalar.length);
    if (s == NULL)
        vigil_err_set(b->err, VIGIL_ENOMEM, "out of memory");
    return s;
}

static enum vigil_rc build(struct conf_builder *b, yaml_node_t *y, int depth,
                           struct vigil_conf_node **out);

static void
append(struct vigil_conf_node *parent, struct vigil_conf_node **tail,
       struct vigil_conf_node *child)
{
    if (*tail == NULL)
        parent->first = child;
    else
        (*tail)->next = child;
    *tail = child;
    parent->n++;
}

static enum vigil_rc
build_map(struct conf_builder *b, yaml_node_t *y, int depth,
          struct vigil_conf_node *n)
{
    struct vigil_conf_node *tail = NULL, *child;
    enum vigil_rc rc;

    if (y->data.mapping.pairs.top - y->data.mapping.pairs.start > CONF_MAX_KEYS)
        return builder_fail(b, y, "a mapping has more than 4096 keys");
    for (yaml_node_pair_t *p = y->data.mapping.pairs.start;
         p < y->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(b->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(b->doc, p->value);
        const char *key;

        if (k == NULL || v == NULL)
            return builder_fail(b, y, "broken mapping");
        if (k->type != YAML_SCALAR_NODE)
            return builder_fail(b, k, "keys must be plain strings");
        if ((key = copy_scalar(b, k)) == NULL)
            return b->err->rc;
        for (const struct vigil_conf_node *e = n->first; e; e = e->next)
            if (strcmp(e->key, key) == 0) {
                char msg[160];
                snprintf(msg, sizeof(msg), "duplicate key '%.100s'", key);
                return builder_fail(b, k, msg);
            }
        if ((rc = build(b, v, depth + 1, &child)) != VIGIL_OK)
            return rc;
        child->key = key;
        child->key_line = yline(k);
        append(n, &tail, child);
    }
    return VIGIL_OK;
}

static enum vigil_rc
build(struct conf_builder *b, yaml_node_t *y, int depth,
      struct vigil_conf_node **out)
{
    struct vigil_conf_node *n, *tail = NULL, *child = NULL;
    enum vigil_rc rc;

    if (depth > CONF_MAX_DEPTH)
        return builder_fail(b, y, "nested deeper than 32 levels");
    if ((n = node_new(b, y)) == NULL)
        return b->err->rc;
    *out = n;
    switch (y->type) {
    case YAML_SCALAR_NODE:
        n->kind = VIGIL_CONF_SCALAR;
        n->value = copy_scalar(b, y);
        return n->value ? VIGIL_OK : b->err->rc;
    case YAML_SEQUENCE_NODE:
        n->kind = VIGIL_CONF_SEQ;
        for (yaml_node_item_t *it = y->data.sequence.items.start;
             it < y->data.sequence.items.top; it++) {
            yaml_node_t *v = yaml_document_get_node(b->doc, *it);
            if (v == NULL)
                return builder_fail(b, y, "broken sequence");
            if ((rc = build(b, v, depth + 1, &child)) != VIGIL_OK)
                return rc;
            append(n, &tail, child);
        }
        return VIGIL_OK;
    case YAML_MAPPING_NODE:
        n->kind = VIGIL_CONF_MAP;
        return build_map(b, y, depth, n);
    default:
        return builder_fail(b, y, "empty YAML node");
    }
}

enum vigil_rc
vigil_conf_parse(struct vigil_conf **out, const char *name, const char *text,
                 size_t len, struct vigil_err *err)
{
    struct vigil_conf *c;
    yaml_parser_t parser;
    yaml_document_t doc;
    struct conf_builder b;
    yaml_node_t *root;
    enum vigil_rc rc = VIGIL_OK;

    *out = NULL;
    if (len > CONF_MAX_BYTES)
        return vigil_err_set(err, VIGIL_ELIMIT, "%s:1: larger than %d bytes",
                             name, CONF_MAX_BYTES);
    if ((c = calloc(1, sizeof(*c))) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    snprintf(c->name, sizeof(c->name), "%s", name);
    vigil_arena_init(&c->arena, 64 * 1024, 64 * 1024 * 1024);
    if (!yaml_parser_initialize(&parser)) {
        vigil_conf_free(c);
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        rc = vigil_err_set(err, VIGIL_EPARSE, "%s:%lu: %s", name,
                           (unsigned long)parser.problem_mark.line + 1,
                           parser.problem ? parser.problem : "not valid YAML");
        yaml_parser_delete(&parser);
        vigil_conf_free(c);
        return rc;
    }
    b.c = c;
    b.doc = &doc;
    b.err = err;
    if (doc.nodes.top - doc.nodes.start > CONF_MAX_NODES)
        rc = vigil_err_set(err, VIGIL_ELIMIT, "%s:%u: more than %d YAML nodes",
                           name, yline(doc.nodes.start + CONF_MAX_NODES),
                           CONF_MAX_NODES);
    else if ((root = yaml_document_get_root_node(&doc)) != NULL)
        rc = build(&b, root, 0, &c->root);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (rc != VIGIL_OK) {
        vigil_conf_free(c);
        return rc;
    }
    *out = c;
    return VIGIL_OK;
}

enum vigil_rc
vigil_conf_read(struct vigil_conf **out, const char *path,
                struct vigil_err *err)
{
    char *data = NULL;
    size_t len = 0;
    enum vigil_rc rc;

    *out = NULL;
    if ((rc = vigil_read_file(path, CONF_MAX_BYTES, &data, &len, err)) ==
        VIGIL_ELIMIT) {
        vigil_err_clear(err);
        return vigil_err_set(err, rc, "%s:1: larger than %d bytes", path,
                             CONF_MAX_BYTES);
    }
    if (rc != VIGIL_OK)
        return rc;
    rc = vigil_conf_parse(out, path, data, len, err);
    free(data);
    return rc;
}

void
vigil_conf_free(struct vigil_conf *c)
{
    if (c == NULL)
        return;
    vigil_arena_fini(&c->arena);
    free(c);
}

/* ------------------------------------------------------------------ */
/* Key tables                                                           */
/* ------------------------------------------------------------------ */

void
vigil_conf_defaults(const struct vigil_conf_table *t, void *obj)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct vigil_conf_key *k = &t->keys[i];
        char *at = (char *)obj + k->offset;

        switch (k->type) {
        case VIGIL_CT_BOOL:
            *(int *)at = (int)k->def;
            break;
        case VIGIL_CT_INT:
        case VIGIL_CT_MS:
        case VIGIL_CT_SECONDS:
        case VIGIL_CT_SIZE:
            *(int64_t *)at = k->def;
            break;
        case VIGIL_CT_SECTION:
            vigil_conf_defaults(k->sub, obj);
            break;
        case VIGIL_CT_STR:
        case VIGIL_CT_CUSTOM:
            break;
        }
    }
}

static const char *
scalar_or(const struct vigil_conf_node *v)
{
    return v->kind == VIGIL_CONF_SCALAR ? v->value : "(not a plain value)";
}

/* The key's full name for messages: the table's prefix and the name. */
static void
full_name(const struct vigil_conf_table *t, const struct vigil_conf_key *k,
          char *dst, size_t len)
{
    snprintf(dst, len, "%s%s", t->prefix ? t->prefix : "", k->name);
}

static enum vigil_rc
apply_number(const struct vigil_conf *c, const struct vigil_conf_table *t,
             const struct vigil_conf_key *k, const struct vigil_conf_node *v,
             int64_t *out, struct vigil_err *err)
{
    const char *s = v->kind == VIGIL_CONF_SCALAR ? v->value : NULL;
    char name[160];
    int64_t n = 0;
    int ok;

    full_name(t, k, name, sizeof(name));
    if (k->type == VIGIL_CT_INT)
        ok = s != NULL && vigil_parse_i64(s, strlen(s), &n);
    else if (k->type == VIGIL_CT_SIZE)
        ok = vigil_parse_size(s, &n);
    else
        ok = vigil_parse_duration_ms(s, &n);
    if (!ok)
        return vigil_conf_fail(c, v, err, "'%s' must be %s, not '%s'", name,
                               k->type == VIGIL_CT_INT ? "an integer"
                               : k->type == VIGIL_CT_SIZE
                                   ? "a size like 10GiB, 500MB or 1048576"
                                   : "a duration like 30d, 12h, 15m, 45s "
                                     "or 250ms",
                               scalar_or(v));
    if (n < k->min || n > k->max)
        return vigil_conf_fail(c, v, err,
                               "'%s' must be between %lld and %lld%s", name,
                               (long long)k->min, (long long)k->max,
                               k->type == VIGIL_CT_INT    ? ""
                               : k->type == VIGIL_CT_SIZE ? " bytes"
                                                          : " ms");
    *out = k->type == VIGIL_CT_SECONDS ? n / 1000 : n;
    return VIGIL_OK;
}

static enum vigil_rc
apply_bool(const struct vigil_conf *c, const struct vigil_conf_table *t,
           const struct vigil_conf_key *k, const struct vigil_conf_node *v,
           int *out, struct vigil_err *err)
{
    static const char *const yes[] = {"true", "yes", "on"};
    static const char *const no[] = {"false", "no", "off"};
    char name[160];

    for (size_t i = 0; v->kind == VIGIL_CONF_SCALAR && i < 3; i++) {
        if (strcmp(v->value, yes[i]) == 0)
            return *out = 1, VIGIL_OK;
        if (strcmp(v->value, no[i]) == 0)
            return *out = 0, VIGIL_OK;
    }
    full_name(t, k, name, sizeof(name));
    return vigil_conf_fail(c, v, err, "'%s' must be true or false, not '%s'",
                           name, scalar_or(v));
}

static enum vigil_rc
apply_str(const struct vigil_conf *c, const struct vigil_conf_table *t,
          const struct vigil_conf_key *k, const struct vigil_conf_node *v,
          char *dst, struct vigil_err *err)
{
    char name[160];

    full_name(t, k, name, sizeof(name));
    if (v->kind != VIGIL_CONF_SCALAR)
        return vigil_conf_fail(c, v, err, "'%s' must be a string", name);
    if (strlen(v->value) >= k->size)
        return vigil_conf_fail(c, v, err, "'%s' is longer than %zu characters",
                               name, k->size - 1);
    if (k->min > 0 && v->value[0] == '\0')
        return vigil_conf_fail(c, v, err, "'%s' must not be empty", name);
    snprintf(dst, k->size, "%s", v->value);
    return VIGIL_OK;
}

static enum vigil_rc apply_key(const struct vigil_conf *c,
                               const struct vigil_conf_table *t,
                               const struct vigil_conf_key *k,
                               const struct vigil_conf_node *v, void *obj,
                               struct vigil_err *err);

static enum vigil_rc
apply_section(const struct vigil_conf *c, const struct vigil_conf_table *t,
              const struct vigil_conf_key *k, const struct vigil_conf_node *v,
              void *obj, struct vigil_err *err)
{
    struct vigil_conf_binding b = {k->sub, obj};

    (void)t;
    return vigil_conf_apply(c, v, &b, 1, err);
}

static enum vigil_rc
apply_key(const struct vigil_conf *c, const struct vigil_conf_table *t,
          const struct vigil_conf_key *k, const struct vigil_conf_node *v,
          void *obj, struct vigil_err *err)
{
    char *at = (char *)obj + k->offset;

    switch (k->type) {
    case VIGIL_CT_STR:
        return apply_str(c, t, k, v, at, err);
    case VIGIL_CT_BOOL:
        return apply_bool(c, t, k, v, (int *)at, err);
    case VIGIL_CT_INT:
    case VIGIL_CT_MS:
    case VIGIL_CT_SECONDS:
    case VIGIL_CT_SIZE:
        return apply_number(c, t, k, v, (int64_t *)at, err);
    case VIGIL_CT_SECTION:
        return apply_section(c, t, k, v, obj, err);
    case VIGIL_CT_CUSTOM:
        return k->parse(c, v, obj, err);
    }
    return vigil_conf_fail(c, v, err, "internal: key type %d", (int)k->type);
}

/* "unknown key 'store.x' (known: a, b, c)" from the bound tables. */
static enum vigil_rc
unknown_key(const struct vigil_conf *c, const struct vigil_conf_node *e,
            const struct vigil_conf_binding *b, size_t nb,
            struct vigil_err *err)
{
    struct vigil_buf known;
    const char *prefix = nb > 0 && b[0].table->prefix ? b[0].table->prefix : "";
    enum vigil_rc rc;

    vigil_buf_init(&known, 4096);
    for (size_t i = 0; i < nb; i++)
        for (size_t j = 0; j < b[i].table->n; j++)
            vigil_buf_printf(&known, "%s%s", known.len ? ", " : "",
                             b[i].table->keys[j].name);
    rc = vigil_err_set(err, VIGIL_EPARSE,
                       "%s:%u: unknown key '%s%.100s' "
                       "(known: %.*s)",
                       c->name, e->key_line, prefix, e->key,
                       (int)(known.len < 150 ? known.len : 150),
                       known.data ? known.data : "");
    vigil_buf_fini(&known);
    return rc;
}

enum vigil_rc
vigil_conf_apply(const struct vigil_conf *c, const struct vigil_conf_node *map,
                 const struct vigil_conf_binding *b, size_t nb,
                 struct vigil_err *err)
{
    const char *what = nb > 0 && b[0].table->prefix ? b[0].table->prefix : "";

    if (map == NULL)
        return VIGIL_OK;
    if (map->kind != VIGIL_CONF_MAP && what[0] != '\0')
        return vigil_conf_fail(c, map, err,
                               "'%.*s' must be a mapping of keys to values",
                               (int)strlen(what) - 1, what);
    if (map->kind != VIGIL_CONF_MAP)
        return vigil_conf_fail(c, map, err,
                               "the configuration must be a mapping of keys "
                               "to values");
    for (const struct vigil_conf_node *e = map->first; e; e = e->next) {
        const struct vigil_conf_key *k = NULL;
        size_t i;
        enum vigil_rc rc;

        for (i = 0; i < nb && k == NULL; i++)
            for (size_t j = 0; j < b[i].table->n; j++)
                if (strcmp(b[i].table->keys[j].name, e->key) == 0) {
                    k = &b[i].table->keys[j];
                    break;
                }
        if (k == NULL)
            return unknown_key(c, e, b, nb, err);
        if ((rc = apply_key(c, b[i - 1].table, k, e, b[i - 1].obj, err)) !=
            VIGIL_OK)
            return rc;
    }
    return VIGIL_OK;
}
