/* hunt_rules.c -- the rules of a hunt: finds the rule files (core's
 * vigil_walk), loads them in one sorted order so rule numbers and thus
 * output order never depend on the file system, and builds the offline
 * detection session (src/detect) that holds every policy. What stays here
 * is what the output needs (each rule's level and tags) and the --rule /
 * --min-level choice. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "hunt_int.h"

#define RULE_FILE_MAX  (4u * 1024 * 1024)
#define MAX_RULE_FILES 100000

const char *const vigil_hunt_level_names[VIGIL_HUNT_LEVEL_COUNT] = {
    "informational", "low", "medium", "high", "critical"};

int
vigil_hunt_level_parse(const char *name)
{
    for (int i = 0; i < VIGIL_HUNT_LEVEL_COUNT; i++)
        if (strcasecmp(name, vigil_hunt_level_names[i]) == 0)
            return i;
    if (strcasecmp(name, "info") == 0)
        return VIGIL_HUNT_LEVEL_INFORMATIONAL;
    return -1;
}

static char **
parse_tags(const char *json)
{
    json_t *a = json_loads(json ? json : "[]", 0, NULL);
    size_t n = json_is_array(a) ? json_array_size(a) : 0, k = 0;
    char **v = calloc(n + 1, sizeof(*v));

    if (v == NULL) {
        json_decref(a);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(a, i));

        if (s != NULL && (v[k] = strdup(s)) != NULL)
            k++;
    }
    json_decref(a);
    return v;
}

static int
wanted(const struct vigil_hunt_opts *o, const struct vigil_rule_info *ri)
{
    if (o->nrule_ids == 0)
        return 1;
    for (size_t i = 0; i < o->nrule_ids; i++)
        if (strcmp(o->rule_ids[i], ri->id) == 0 ||
            strcmp(o->rule_ids[i], ri->title) == 0 ||
            (ri->name[0] != '\0' && strcmp(o->rule_ids[i], ri->name) == 0))
            return 1;
    return 0;
}

struct collect {
    struct vigil_hunt *h;
    enum vigil_rc rc;
};

static void
collect_rule(const struct vigil_rule_info *ri, void *arg)
{
    struct collect *c = arg;
    struct vigil_hunt *h = c->h;
    struct hunt_rule_ent *r;
    int lvl;

    if (c->rc != VIGIL_OK)
        return;
    if (VIGIL_GROW(h->rules, h->nrules, h->caprules) != VIGIL_OK) {
        c->rc = VIGIL_ENOMEM;
        return;
    }
    r = &h->rules[h->nrules];
    memset(r, 0, sizeof(*r));
    r->tags = parse_tags(ri->tags_json);
    if (r->tags == NULL) {
        c->rc = VIGIL_ENOMEM;
        return;
    }
    lvl = vigil_hunt_level_parse(ri->level);
    r->pub.id = ri->id;
    r->pub.title = ri->title;
    r->pub.level = lvl < 0 ? VIGIL_HUNT_LEVEL_MEDIUM : lvl;
    r->pub.tags = (const char *const *)r->tags;
    h->nrules++;
}

/* The session's choice of rules that report: --rule and --min-level. */
static int
session_wants(const struct vigil_rule_info *ri, void *arg)
{
    const struct vigil_hunt *h = arg;

    return ri->index < h->nrules &&
           h->rules[ri->index].pub.level >= h->o.min_level && wanted(&h->o, ri);
}

static void
report(const char *file, int line, const struct vigil_rule_info *info,
       const char *msg, void *arg)
{
    struct vigil_hunt *h = arg;

    if (info != NULL || msg == NULL)
        return;
    h->refused++;
    if (h->o.verbose)
        hunt_note(h, "%s:%d: rule refused: %s", file, line, msg);
}

static enum vigil_rc
load_file(struct vigil_hunt *h, const char *path, struct vigil_err *err)
{
    char *data = NULL;
    size_t len = 0;
    enum vigil_rc rc;
    struct vigil_err ferr = {0};

    rc = vigil_read_file(path, RULE_FILE_MAX, &data, &len, &ferr);
    if (rc != VIGIL_OK) {
        /* One unreadable rule file is a refused rule, not a failed hunt. */
        h->refused++;
        hunt_note(h, "%s", ferr.msg);
        return VIGIL_OK;
    }
    rc = vigil_detect_add_mem(h->det, path, data ? data : "", len, err);
    free(data);
    return rc;
}

struct pathlist {
    char **v;
    size_t n, cap;
    struct vigil_hunt *h;
    struct vigil_err *err;
};

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
is_rule_name(const char *n)
{
    size_t l = strlen(n);

    return (l > 4 && strcmp(n + l - 4, ".yml") == 0) ||
           (l > 5 && strcmp(n + l - 5, ".yaml") == 0);
}

/* A file named as a rule path is loaded whatever its name; inside folders
 * only .yml and .yaml files are. */
static enum vigil_rc
list_entry(const struct vigil_walk_entry *e, void *arg)
{
    struct pathlist *l = arg;
    char real[PATH_MAX];

    if (e->depth > 0 && !is_rule_name(e->name))
        return VIGIL_OK;
    if (l->n >= MAX_RULE_FILES)
        return vigil_err_set(l->err, VIGIL_ELIMIT, "more than %d rule files",
                             MAX_RULE_FILES);
    if (VIGIL_GROW(l->v, l->n, l->cap) != VIGIL_OK)
        return vigil_err_set(l->err, VIGIL_ENOMEM, "out of memory");
    /* Real paths, so a folder named twice loads once. */
    l->v[l->n] = strdup(realpath(e->path, real) ? real : e->path);
    if (l->v[l->n] == NULL)
        return vigil_err_set(l->err, VIGIL_ENOMEM, "out of memory");
    l->n++;
    return VIGIL_OK;
}

static enum vigil_rc
list_skipped(const char *path, const struct vigil_err *why, void *arg)
{
    struct pathlist *l = arg;

    l->h->refused++;
    hunt_note(l->h, "%s: %s", path, why->msg);
    return VIGIL_OK;
}

/* Rule folders: hidden names skipped, links followed (rule packs are
 * often assembled from links), as the daemon loads them. */
static enum vigil_rc
list_rules(struct pathlist *l, const char *path, struct vigil_err *err)
{
    static const struct vigil_walk_opts o = {
        .follow_symlinks = 1, .skip_hidden = 1, .regular_only = 1};

    return vigil_walk(path, &o, list_entry, list_skipped, l, err);
}

enum vigil_rc
hunt_rules_load(struct vigil_hunt *h, struct vigil_err *err)
{
    struct vigil_detect_opts dopts;
    struct vigil_detect_session_opts so;
    struct pathlist l = {0};
    struct collect c;
    enum vigil_rc rc = VIGIL_OK;

    l.h = h;
    l.err = err;
    memset(&dopts, 0, sizeof(dopts));
    dopts.report = report;
    dopts.report_arg = h;
    dopts.cache_dir = h->o.cache_dir;
    dopts.placeholders = h->o.placeholders;
    dopts.nplaceholders = h->o.nplaceholders;
    dopts.corr_suppress_ns = h->o.suppress_ns;
    VIGIL_TRY(vigil_detect_new(&h->det, &dopts, err));
    for (size_t i = 0; i < h->nrule_paths; i++)
        VIGIL_TRY(list_rules(&l, h->rule_paths[i], err));
    if (l.n > 1) {
        size_t w = 0;

        qsort(l.v, l.n, sizeof(*l.v), cmp_str);
        for (size_t r = 1; r < l.n; r++) {
            if (strcmp(l.v[r], l.v[w]) == 0) {
                free(l.v[r]);
                continue;
            }
            l.v[++w] = l.v[r];
        }
        l.n = w + 1;
    }
    for (size_t i = 0; i < l.n; i++)
        VIGIL_TRY(load_file(h, l.v[i], err));
    VIGIL_TRY(vigil_detect_compile(h->det, err));

    memset(&c, 0, sizeof(c));
    c.h = h;
    vigil_detect_each_rule(h->det, collect_rule, &c);
    if (c.rc != VIGIL_OK) {
        rc = vigil_err_set(err, c.rc, "out of memory");
        goto out;
    }
    memset(&so, 0, sizeof(so));
    so.offline = 1;
    so.no_event_json = h->o.no_event;
    so.wants = session_wants;
    so.event_id = hunt_event_id;
    so.arg = h;
    VIGIL_TRY(vigil_detect_session_new(&h->session, h->det, &so, err));
    if (h->refused > 0 && !h->o.verbose)
        hunt_note(h, "%llu rules refused (see them with -v)",
                  (unsigned long long)h->refused);
    if (vigil_detect_session_alerting(h->session) == 0) {
        rc = vigil_err_set(err, VIGIL_ENOTFOUND,
                           "no rule to run (check --rules, --rule and "
                           "--min-level)");
        goto out;
    }
out:
    for (size_t i = 0; i < l.n; i++)
        free(l.v[i]);
    free(l.v);
    return rc;
}

#define MAX_RULE_PATHS 1024

enum vigil_rc
vigil_hunt_add_rules(struct vigil_hunt *h, const char *path,
                     struct vigil_err *err)
{
    if (h->nrule_paths >= MAX_RULE_PATHS)
        return vigil_err_set(err, VIGIL_ELIMIT, "more than %d rule paths",
                             MAX_RULE_PATHS);
    if (VIGIL_GROW(h->rule_paths, h->nrule_paths, h->caprule_paths) !=
            VIGIL_OK ||
        (h->rule_paths[h->nrule_paths] = strdup(path)) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    h->nrule_paths++;
    return VIGIL_OK;
}

void
hunt_rules_free(struct vigil_hunt *h)
{
    for (size_t i = 0; i < h->nrules; i++) {
        for (size_t t = 0; h->rules[i].tags && h->rules[i].tags[t]; t++)
            free(h->rules[i].tags[t]);
        free(h->rules[i].tags);
    }
    free(h->rules);
    h->rules = NULL;
    h->nrules = h->caprules = 0;
    vigil_detect_session_free(h->session);
    h->session = NULL;
    if (h->det != NULL)
        vigil_detect_free(h->det);
    h->det = NULL;
}

uint32_t
vigil_hunt_rule_count(const struct vigil_hunt *h)
{
    return h->session ? vigil_detect_session_alerting(h->session) : 0;
}

int
vigil_hunt_cache_state(const struct vigil_hunt *h)
{
    struct vigil_detect_stats st;

    if (h->det == NULL)
        return 0;
    vigil_detect_get_stats(h->det, &st);
    return st.cache;
}
