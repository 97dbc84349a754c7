/* detect_yaml.c -- turns a Sigma rule file into a small tree with libyaml,
 * bounded in size, depth and node count; refuses anchors/aliases (they
 * allow exponential documents and Sigma does not use them). The only file
 * of src/detect that includes <yaml.h>. */
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "detect/detect_int.h"

struct ystack {
    struct dy_node *node;
    size_t cap;
};

static enum vigil_rc
push_child(struct vigil_arena *a, struct ystack *st, struct dy_node *child)
{
    struct dy_node *p = st->node;

    if (p->n == st->cap) {
        size_t ncap = st->cap ? st->cap * 2 : 8;
        struct dy_node **k = vigil_arena_alloc(a, ncap * sizeof(*k));
        if (!k)
            return VIGIL_ENOMEM;
        if (p->n)
            memcpy(k, p->kids, p->n * sizeof(*k));
        p->kids = k;
        st->cap = ncap;
    }
    p->kids[p->n++] = child;
    return VIGIL_OK;
}

enum vigil_rc
detect_yaml_parse(struct vigil_arena *a, const char *data, size_t len,
                  struct dy_node ***docs_out, size_t *ndocs, int *line,
                  char *msg, size_t msglen)
{
    yaml_parser_t p;
    yaml_event_t ev;
    struct ystack stack[DET_MAX_DEPTH + 1];
    size_t depth = 0, nodes = 0, ndoc = 0, capdoc = 0;
    struct dy_node **docs = NULL;
    enum vigil_rc rc = VIGIL_EPARSE;
    int done = 0;

    *ndocs = 0;
    *line = 1;
    if (len > DET_MAX_FILE) {
        snprintf(msg, msglen, "file is larger than %d bytes", DET_MAX_FILE);
        return VIGIL_ELIMIT;
    }
    if (!yaml_parser_initialize(&p))
        return VIGIL_ENOMEM;
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    while (!done) {
        struct dy_node *n = NULL;

        if (!yaml_parser_parse(&p, &ev)) {
            *line = (int)p.problem_mark.line + 1;
            snprintf(msg, msglen, "YAML: %s%s%s",
                     p.problem ? p.problem : "syntax error",
                     p.context ? " " : "", p.context ? p.context : "");
            goto out;
        }
        *line = (int)ev.start_mark.line + 1;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_ALIAS_EVENT:
            snprintf(msg, msglen, "YAML aliases are not allowed in rules");
            yaml_event_delete(&ev);
            goto out;
        case YAML_SCALAR_EVENT:
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (++nodes > DET_MAX_NODES) {
                snprintf(msg, msglen, "more than %d YAML nodes", DET_MAX_NODES);
                yaml_event_delete(&ev);
                rc = VIGIL_ELIMIT;
                goto out;
            }
            n = vigil_arena_alloc(a, sizeof(*n));
            if (!n) {
                yaml_event_delete(&ev);
                rc = VIGIL_ENOMEM;
                goto out;
            }
            memset(n, 0, sizeof(*n));
            n->line = *line;
            if (ev.type == YAML_SCALAR_EVENT) {
                size_t sl = ev.data.scalar.length;
                if (sl > DET_MAX_SCALAR) {
                    snprintf(msg, msglen, "value longer than %d bytes",
                             DET_MAX_SCALAR);
                    yaml_event_delete(&ev);
                    rc = VIGIL_ELIMIT;
                    goto out;
                }
                n->kind = DY_SCALAR;
                n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                n->s = vigil_arena_strndup(
                    a, (const char *)ev.data.scalar.value, sl);
                n->len = sl;
                if (!n->s) {
                    yaml_event_delete(&ev);
                    rc = VIGIL_ENOMEM;
                    goto out;
                }
            } else {
                n->kind =
                    ev.type == YAML_SEQUENCE_START_EVENT ? DY_SEQ : DY_MAP;
            }
            if (depth == 0) {
                /* document root */
                if (ndoc == capdoc) {
                    size_t nc = capdoc ? capdoc * 2 : 4;
                    struct dy_node **nd =
                        vigil_arena_alloc(a, nc * sizeof(*nd));
                    if (!nd) {
                        yaml_event_delete(&ev);
                        rc = VIGIL_ENOMEM;
                        goto out;
                    }
                    if (ndoc)
                        memcpy(nd, docs, ndoc * sizeof(*nd));
                    docs = nd;
                    capdoc = nc;
                }
                docs[ndoc++] = n;
            } else if (push_child(a, &stack[depth - 1], n) != VIGIL_OK) {
                yaml_event_delete(&ev);
                rc = VIGIL_ENOMEM;
                goto out;
            }
            if (n->kind != DY_SCALAR) {
                if (depth >= DET_MAX_DEPTH) {
                    snprintf(msg, msglen, "YAML nested deeper than %d",
                             DET_MAX_DEPTH);
                    yaml_event_delete(&ev);
                    rc = VIGIL_ELIMIT;
                    goto out;
                }
                stack[depth].node = n;
                stack[depth].cap = 0;
                depth++;
            }
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth > 0) {
                depth--;
                if (stack[depth].node->kind == DY_MAP)
                    stack[depth].node->n /= 2;
            }
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    *docs_out = docs;
    *ndocs = ndoc;
    rc = VIGIL_OK;
out:
    yaml_parser_delete(&p);
    return rc;
}

struct dy_node *
detect_yaml_get(const struct dy_node *m, const char *key)
{
    if (!m || m->kind != DY_MAP)
        return NULL;
    for (uint32_t i = 0; i < m->n; i++) {
        const struct dy_node *k = m->kids[2 * i];
        if (k->kind == DY_SCALAR && strcmp(k->s, key) == 0)
            return m->kids[2 * i + 1];
    }
    return NULL;
}

int
detect_yaml_is_null(const struct dy_node *n)
{
    if (!n)
        return 1;
    if (n->kind != DY_SCALAR || !n->plain)
        return 0;
    return n->len == 0 || strcmp(n->s, "null") == 0 ||
           strcmp(n->s, "Null") == 0 || strcmp(n->s, "NULL") == 0 ||
           strcmp(n->s, "~") == 0;
}
