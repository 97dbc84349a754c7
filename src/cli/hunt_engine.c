/* hunt_engine.c -- `vigil hunt`'s rules: finds and loads the rule files,
 * and runs events through an offline detection session (src/detect,
 * detect_session.c), which holds the policy the daemon shares: which
 * rules fire on which kind of log, correlations across files in time
 * order, the alerts' matched-fields JSON. What stays here is what the
 * output needs: each rule's level and tags, and the --rule / --min-level
 * choice. */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cli.h"
#include "detect/detect.h"
#include "hunt.h"

#define RULE_FILE_MAX  (4u * 1024 * 1024)
#define MAX_RULE_FILES 100000

struct hunt_rule {
    const struct vigil_rule_info *ri; /* borrowed from the engine */
    char **tags;                      /* owned, NULL-terminated */
    int level;
};

struct hunt_engine {
    struct vigil_detect *det;
    struct vigil_detect_session *session;
    struct hunt_rule *rules; /* by engine rule index */
    size_t nrules, caprules;
    uint64_t refused;
    int verbose;
    const struct hunt_engine_opts *opts; /* borrowed during open only */
};

struct hunt_scratch {
    struct vigil_detect_worker *w; /* owned by the session */
};

/* ---- rule table ---- */

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
wanted(const struct hunt_engine_opts *o, const struct vigil_rule_info *ri)
{
    if (o->nids == 0)
        return 1;
    for (size_t i = 0; i < o->nids; i++)
        if (strcmp(o->ids[i], ri->id) == 0 ||
            strcmp(o->ids[i], ri->title) == 0 ||
            (ri->name[0] != '\0' && strcmp(o->ids[i], ri->name) == 0))
            return 1;
    return 0;
}

struct collect {
    struct hunt_engine *e;
    enum vigil_rc rc;
};

static void
collect_rule(const struct vigil_rule_info *ri, void *arg)
{
    struct collect *c = arg;
    struct hunt_engine *e = c->e;
    struct hunt_rule *r;
    int lvl;

    if (c->rc != VIGIL_OK)
        return;
    if (e->nrules == e->caprules) {
        size_t cap = e->caprules ? e->caprules * 2 : 1024;
        struct hunt_rule *v = realloc(e->rules, cap * sizeof(*v));

        if (v == NULL) {
            c->rc = VIGIL_ENOMEM;
            return;
        }
        e->rules = v;
        e->caprules = cap;
    }
    r = &e->rules[e->nrules];
    memset(r, 0, sizeof(*r));
    r->ri = ri;
    r->tags = parse_tags(ri->tags_json);
    if (r->tags == NULL) {
        c->rc = VIGIL_ENOMEM;
        return;
    }
    lvl = hunt_level_parse(ri->level);
    r->level = lvl < 0 ? HUNT_LEVEL_MEDIUM : lvl;
    e->nrules++;
}

/* The session's choice of rules that report: --rule and --min-level. */
static int
session_wants(const struct vigil_rule_info *ri, void *arg)
{
    const struct hunt_engine *e = arg;

    return ri->index < e->nrules &&
           e->rules[ri->index].level >= e->opts->min_level &&
           wanted(e->opts, ri);
}

/* ---- loading ---- */

static void
report(const char *file, int line, const struct vigil_rule_info *info,
       const char *msg, void *arg)
{
    struct hunt_engine *e = arg;

    if (info != NULL || msg == NULL)
        return;
    e->refused++;
    if (e->verbose)
        fprintf(stderr, "vigil hunt: %s:%d: rule refused: %s\n", file, line,
                msg);
}

static enum vigil_rc
load_file(struct hunt_engine *e, const char *path, struct vigil_err *err)
{
    char *data = NULL;
    size_t len = 0;
    enum vigil_rc rc;
    struct vigil_err ferr = {0};

    rc = vigil_read_file(path, RULE_FILE_MAX, &data, &len, &ferr);
    if (rc != VIGIL_OK) {
        /* One unreadable rule file is a refused rule, not a failed hunt. */
        e->refused++;
        fprintf(stderr, "vigil hunt: %s\n", ferr.msg);
        return VIGIL_OK;
    }
    rc = vigil_detect_add_mem(e->det, path, data ? data : "", len, err);
    free(data);
    return rc;
}

struct pathlist {
    char **v;
    size_t n, cap;
};

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum vigil_rc
list_rules(struct pathlist *l, const char *path, int depth,
           struct vigil_err *err)
{
    struct stat st;
    DIR *d;
    struct dirent *de;
    enum vigil_rc rc = VIGIL_OK;

    if (stat(path, &st) != 0)
        return vigil_err_set(err, VIGIL_ENOTFOUND, "%s: no such rule path",
                             path);
    if (!S_ISDIR(st.st_mode) || depth > 32) {
        char real[PATH_MAX];

        if (!S_ISREG(st.st_mode))
            return VIGIL_OK;
        if (l->n == l->cap) {
            size_t cap = l->cap ? l->cap * 2 : 256;
            char **v;

            if (l->n >= MAX_RULE_FILES)
                return vigil_err_set(err, VIGIL_ELIMIT,
                                     "more than %d rule files", MAX_RULE_FILES);
            v = realloc(l->v, cap * sizeof(*v));
            if (v == NULL)
                return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
            l->v = v;
            l->cap = cap;
        }
        /* Real paths, so a folder named twice loads once. */
        l->v[l->n] = strdup(realpath(path, real) ? real : path);
        if (l->v[l->n] == NULL)
            return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        l->n++;
        return VIGIL_OK;
    }
    d = opendir(path);
    if (d == NULL)
        return vigil_err_set(err, VIGIL_EIO, "%s: cannot open", path);
    while ((de = readdir(d)) != NULL && rc == VIGIL_OK) {
        size_t n = strlen(de->d_name);
        char sub[PATH_MAX];
        struct stat s2;

        if (de->d_name[0] == '.')
            continue;
        if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >=
            (int)sizeof(sub))
            continue;
        if (stat(sub, &s2) != 0)
            continue;
        if (S_ISDIR(s2.st_mode))
            rc = list_rules(l, sub, depth + 1, err);
        else if ((n > 4 && strcmp(de->d_name + n - 4, ".yml") == 0) ||
                 (n > 5 && strcmp(de->d_name + n - 5, ".yaml") == 0))
            rc = list_rules(l, sub, 33, err);
    }
    closedir(d);
    return rc;
}

enum vigil_rc
hunt_engine_open(struct hunt_engine **out, const struct hunt_engine_opts *o,
                 struct vigil_err *err)
{
    struct hunt_engine *e = calloc(1, sizeof(*e));
    struct vigil_detect_opts dopts;
    struct vigil_detect_session_opts so;
    struct pathlist l = {0};
    struct collect c;
    enum vigil_rc rc = VIGIL_OK;

    *out = NULL;
    if (e == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    e->opts = o;
    e->verbose = !o->quiet;
    memset(&dopts, 0, sizeof(dopts));
    dopts.report = report;
    dopts.report_arg = e;
    dopts.cache_dir = o->cache_dir;
    if (o->placeholders)
        cli_placeholders_apply(o->placeholders, &dopts);
    VIGIL_TRY(vigil_detect_new(&e->det, &dopts, err));
    for (size_t i = 0; i < o->ndirs; i++)
        VIGIL_TRY(list_rules(&l, o->dirs[i], 0, err));
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
        VIGIL_TRY(load_file(e, l.v[i], err));
    VIGIL_TRY(vigil_detect_compile(e->det, err));

    memset(&c, 0, sizeof(c));
    c.e = e;
    vigil_detect_each_rule(e->det, collect_rule, &c);
    if (c.rc != VIGIL_OK) {
        rc = vigil_err_set(err, c.rc, "out of memory");
        goto out;
    }
    memset(&so, 0, sizeof(so));
    so.offline = 1;
    so.no_event_json = o->no_event_json;
    so.wants = session_wants;
    so.arg = e;
    VIGIL_TRY(vigil_detect_session_new(&e->session, e->det, &so, err));
    if (e->refused > 0 && !e->verbose)
        fprintf(stderr, "vigil hunt: %llu rules refused (see them with -v)\n",
                (unsigned long long)e->refused);
    if (vigil_detect_session_alerting(e->session) == 0) {
        rc = vigil_err_set(err, VIGIL_ENOTFOUND,
                           "no rule to run (check --rules, --rule and "
                           "--min-level)");
        goto out;
    }
out:
    for (size_t i = 0; i < l.n; i++)
        free(l.v[i]);
    free(l.v);
    e->opts = NULL;
    if (rc != VIGIL_OK) {
        hunt_engine_close(e);
        return rc;
    }
    *out = e;
    return VIGIL_OK;
}

void
hunt_engine_close(struct hunt_engine *e)
{
    if (e == NULL)
        return;
    for (size_t i = 0; i < e->nrules; i++) {
        for (size_t t = 0; e->rules[i].tags && e->rules[i].tags[t]; t++)
            free(e->rules[i].tags[t]);
        free(e->rules[i].tags);
    }
    free(e->rules);
    vigil_detect_session_free(e->session);
    if (e->det != NULL)
        vigil_detect_free(e->det);
    free(e);
}

uint32_t
hunt_engine_rule_count(const struct hunt_engine *e)
{
    return vigil_detect_session_alerting(e->session);
}

int
hunt_engine_cache_state(const struct hunt_engine *e)
{
    struct vigil_detect_stats st;

    vigil_detect_get_stats(e->det, &st);
    return st.cache;
}

void
hunt_engine_rule_info(uint32_t rule, struct hunt_rule_info *out, void *arg)
{
    const struct hunt_engine *e = arg;
    const struct hunt_rule *r = &e->rules[rule];

    out->id = r->ri->id;
    out->title = r->ri->title;
    out->level = r->level;
    out->tags = (const char *const *)r->tags;
}

/* ---- matching ---- */

enum vigil_rc
hunt_scratch_new(struct hunt_engine *e, struct hunt_scratch **out,
                 struct vigil_err *err)
{
    struct hunt_scratch *s = calloc(1, sizeof(*s));
    enum vigil_rc rc;

    *out = NULL;
    if (s == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    rc = vigil_detect_session_worker(e->session, &s->w, err);
    if (rc != VIGIL_OK) {
        free(s);
        return rc;
    }
    *out = s;
    return VIGIL_OK;
}

void
hunt_scratch_free(struct hunt_scratch *s)
{
    free(s); /* the worker is the session's */
}

enum vigil_rc
hunt_engine_match(struct hunt_engine *e, struct hunt_scratch *s,
                  const struct vigil_event *ev, uint32_t file, uint64_t seq,
                  vigil_detect_alert_fn fn, void *arg)
{
    (void)e;
    return vigil_detect_worker_match(s->w, ev, file, seq, fn, arg);
}

enum vigil_rc
hunt_engine_correlate(struct hunt_engine *e, vigil_detect_alert_fn fn,
                      void *arg, struct vigil_err *err)
{
    enum vigil_rc rc = vigil_detect_session_finish(e->session, fn, arg);

    if (rc != VIGIL_OK)
        vigil_err_set(err, rc, "%s", vigil_strerror(rc));
    return rc;
}
