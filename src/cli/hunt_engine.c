/* hunt_engine.c -- the Sigma engine (src/detect) as `vigil hunt` uses it.
 *
 * The engine keeps correlation state per engine and feeds it in the order
 * events are matched. Hunt matches files in parallel, so that order is not
 * time order. Hence two engines:
 *
 *   det   every rule file; in files that hold correlation rules the
 *         correlation documents are cut out, so their building-block rules
 *         report like any rule. Workers match every event against it; an
 *         event that fires a building block is copied and kept instead of
 *         being reported (Sigma's `generate: false` default).
 *   corr  only the files that hold correlation rules, whole. After the
 *         workers, the kept events of all files are sorted by time and fed
 *         to it from one thread; only its correlation matches are
 *         reported.
 *
 * Limitation: a correlation must be in the same file as the rules it
 * refers to (vigil's pack is written that way; SigmaHQ has none). */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cli.h"
#include "detect/detect.h"
#include "hunt.h"

#define RULE_FILE_MAX   (4u * 1024 * 1024)
#define KEEP_ARENA_MAX  ((size_t)2 * 1024 * 1024 * 1024)
#define KEEP_MAX_EVENTS 20000000u
#define MAX_RULE_FILES  100000

struct hunt_rule {
    const struct vigil_rule_info *ri; /* borrowed from det or corr */
    char **tags;                      /* owned, NULL-terminated */
    int level;
    uint8_t report;    /* passes --min-level and --rule */
    uint8_t corr_base; /* a building block of a correlation file */
    uint8_t ls;        /* LS_* flags from the rule's logsource */
};

enum {
    LS_WINDOWS = 1, /* product: windows */
    LS_LINUX = 2,   /* product: linux */
    LS_NOPROD = 4,  /* no product */
    LS_WEB = 8,     /* category: webserver */
};

struct hunt_engine {
    struct vigil_detect *det;
    struct vigil_detect *corr; /* NULL when no rule file correlates */
    struct hunt_rule *rules;
    size_t nrules, caprules;
    size_t ndet; /* rules[0..ndet) belong to det, the rest to corr */
    /* rule info pointer -> index + 1, open addressing */
    uintptr_t *hkey;
    uint32_t *hval;
    size_t hcap;
    uint32_t nreport;
    char **corr_files; /* owned paths of files cut for det */
    size_t ncorr_files, capcorr_files;
    uint64_t refused;
    int verbose;
    const struct hunt_engine_opts *opts; /* borrowed during open only */
};

/* An event kept for the correlation pass: fields copied into the
 * scratch's keep arena. */
struct hunt_kept {
    int64_t time_ns;
    uint64_t seq;
    uint32_t file;
    uint16_t nfields;
    struct vigil_field *fields;
};

struct hunt_scratch {
    struct hunt_engine *e;
    struct vigil_detect_ctx *ctx;
    struct vigil_arena keep;
    struct hunt_kept *kept;
    size_t nkept, capkept;
    struct vigil_buf matched;
    /* the event being matched */
    hunt_hit_fn fn;
    void *arg;
    uint32_t file;
    uint64_t seq;
    int kept_this;
    int src;        /* enum hunt_source */
    int ev_windows; /* the event has a Channel: a Windows event */
    enum vigil_rc rc;
};

/* ---- rule table ---- */

static size_t
ptr_hash(uintptr_t p, size_t cap)
{
    uint64_t x = (uint64_t)p;

    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x & (cap - 1);
}

static int
rule_index(const struct hunt_engine *e, const struct vigil_rule_info *ri,
           uint32_t *out)
{
    size_t i;

    if (e->hcap == 0)
        return 0;
    for (i = ptr_hash((uintptr_t)ri, e->hcap); e->hkey[i] != 0;
         i = (i + 1) & (e->hcap - 1))
        if (e->hkey[i] == (uintptr_t)ri) {
            *out = e->hval[i];
            return 1;
        }
    return 0;
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
file_is_cut(const struct hunt_engine *e, const char *file)
{
    for (size_t i = 0; i < e->ncorr_files; i++)
        if (strcmp(e->corr_files[i], file) == 0)
            return 1;
    return 0;
}

/* LS_* flags of "product/category/service". */
static uint8_t
logsource_flags(const char *ls)
{
    const char *slash = ls ? strchr(ls, '/') : NULL;
    size_t plen = slash ? (size_t)(slash - ls) : 0;
    uint8_t f = 0;

    if (slash == NULL)
        return LS_NOPROD;
    if (plen == 0)
        f |= LS_NOPROD;
    else if (plen == 7 && strncmp(ls, "windows", 7) == 0)
        f |= LS_WINDOWS;
    else if (plen == 5 && strncmp(ls, "linux", 5) == 0)
        f |= LS_LINUX;
    if (strncmp(slash + 1, "webserver/", 10) == 0)
        f |= LS_WEB;
    return f;
}

/* May rule r report on the current event? Windows events get Windows
 * rules; Linux logs get Linux rules; access logs get webserver rules;
 * other formats get everything but Windows rules (unless the event is a
 * Windows one, e.g. EVTX rendered as JSON). */
static int
source_allows(const struct hunt_scratch *s, const struct hunt_rule *r)
{
    switch (s->src) {
    case HUNT_SRC_WINDOWS:
        return (r->ls & LS_WINDOWS) != 0;
    case HUNT_SRC_LINUX:
        return (r->ls & LS_LINUX) != 0;
    case HUNT_SRC_WEB:
        return (r->ls & LS_WEB) != 0;
    default:
        if (s->ev_windows)
            return (r->ls & LS_WINDOWS) != 0;
        return (r->ls & LS_WINDOWS) == 0;
    }
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
    int from_corr;
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
    /* The correlation engine's detection rules were already collected
     * from det; only its correlations are new. */
    if (c->from_corr && ri->kind != VIGIL_RULE_CORRELATION)
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
    r->corr_base = !c->from_corr && file_is_cut(e, ri->file);
    r->ls = logsource_flags(ri->logsource);
    r->report = ri->kind != VIGIL_RULE_FILTER && !r->corr_base &&
                r->level >= e->opts->min_level && wanted(e->opts, ri);
    if (r->report)
        e->nreport++;
    e->nrules++;
}

static enum vigil_rc
build_index(struct hunt_engine *e)
{
    size_t cap = 64;

    while (cap < e->nrules * 2 + 2)
        cap *= 2;
    e->hkey = calloc(cap, sizeof(*e->hkey));
    e->hval = calloc(cap, sizeof(*e->hval));
    if (e->hkey == NULL || e->hval == NULL)
        return VIGIL_ENOMEM;
    e->hcap = cap;
    for (size_t r = 0; r < e->nrules; r++) {
        size_t i = ptr_hash((uintptr_t)e->rules[r].ri, cap);

        while (e->hkey[i] != 0)
            i = (i + 1) & (cap - 1);
        e->hkey[i] = (uintptr_t)e->rules[r].ri;
        e->hval[i] = (uint32_t)r;
    }
    return VIGIL_OK;
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

/* Does the YAML text hold a top-level `correlation:` key? */
static int
has_correlation(const char *s, size_t n)
{
    const char *p = s, *end = s + n;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));

        if ((size_t)(end - p) >= 12 && memcmp(p, "correlation:", 12) == 0)
            return 1;
        p = nl ? nl + 1 : end;
    }
    return 0;
}

/* Appends to out the documents of s that are not correlations. */
static enum vigil_rc
cut_correlations(const char *s, size_t n, struct vigil_buf *out)
{
    const char *p = s, *end = s + n, *doc = s;
    enum vigil_rc rc = VIGIL_OK;

    for (;;) {
        const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
        const char *next = nl ? nl + 1 : end;
        int sep = p < end && (size_t)(end - p) >= 3 &&
                  memcmp(p, "---", 3) == 0 &&
                  (p + 3 == end || p[3] == '\n' || p[3] == '\r' || p[3] == ' ');

        if (sep || p >= end) {
            if (p > doc && !has_correlation(doc, (size_t)(p - doc))) {
                if (out->len > 0)
                    VIGIL_TRY(vigil_buf_append(out, "---\n", 4));
                VIGIL_TRY(vigil_buf_append(out, doc, (size_t)(p - doc)));
            }
            if (p >= end)
                break;
            doc = next;
        }
        p = next;
    }
out:
    return rc;
}

static enum vigil_rc
load_file(struct hunt_engine *e, const char *path, struct vigil_err *err)
{
    char *data = NULL;
    size_t len = 0;
    enum vigil_rc rc;
    struct vigil_err ferr = {0};
    struct vigil_buf cut;

    vigil_buf_init(&cut, RULE_FILE_MAX);
    rc = vigil_read_file(path, RULE_FILE_MAX, &data, &len, &ferr);
    if (rc != VIGIL_OK) {
        /* One unreadable rule file is a refused rule, not a failed hunt. */
        e->refused++;
        fprintf(stderr, "vigil hunt: %s\n", ferr.msg);
        return VIGIL_OK;
    }
    if (!has_correlation(data, len)) {
        rc = vigil_detect_add_mem(e->det, path, data, len, err);
        goto out;
    }
    if (e->ncorr_files == e->capcorr_files) {
        size_t cap = e->capcorr_files ? e->capcorr_files * 2 : 16;
        char **v = realloc(e->corr_files, cap * sizeof(*v));

        if (v == NULL) {
            rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
            goto out;
        }
        e->corr_files = v;
        e->capcorr_files = cap;
    }
    if ((e->corr_files[e->ncorr_files] = strdup(path)) == NULL) {
        rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        goto out;
    }
    e->ncorr_files++;
    if (e->corr == NULL) {
        struct vigil_detect_opts o;

        memset(&o, 0, sizeof(o));
        o.report = report;
        o.report_arg = e;
        VIGIL_TRY(vigil_detect_new(&e->corr, &o, err));
    }
    VIGIL_TRY(vigil_detect_add_mem(e->corr, path, data, len, err));
    rc = cut_correlations(data, len, &cut);
    if (rc != VIGIL_OK) {
        rc = vigil_err_set(err, rc, "%s: too large", path);
        goto out;
    }
    if (cut.len > 0)
        rc = vigil_detect_add_mem(e->det, path, cut.data, cut.len, err);
out:
    vigil_buf_fini(&cut);
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
    if (e->corr != NULL)
        VIGIL_TRY(vigil_detect_compile(e->corr, err));

    memset(&c, 0, sizeof(c));
    c.e = e;
    vigil_detect_each_rule(e->det, collect_rule, &c);
    e->ndet = e->nrules;
    if (e->corr != NULL && c.rc == VIGIL_OK) {
        c.from_corr = 1;
        vigil_detect_each_rule(e->corr, collect_rule, &c);
    }
    if (c.rc != VIGIL_OK) {
        rc = vigil_err_set(err, c.rc, "out of memory");
        goto out;
    }
    if (build_index(e) != VIGIL_OK) {
        rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        goto out;
    }
    if (e->refused > 0 && !e->verbose)
        fprintf(stderr, "vigil hunt: %llu rules refused (see them with -v)\n",
                (unsigned long long)e->refused);
    if (e->nreport == 0) {
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
    free(e->hkey);
    free(e->hval);
    for (size_t i = 0; i < e->ncorr_files; i++)
        free(e->corr_files[i]);
    free(e->corr_files);
    if (e->det != NULL)
        vigil_detect_free(e->det);
    if (e->corr != NULL)
        vigil_detect_free(e->corr);
    free(e);
}

uint32_t
hunt_engine_rule_count(const struct hunt_engine *e)
{
    return e->nreport;
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
    s->e = e;
    vigil_arena_init(&s->keep, 1 << 20, KEEP_ARENA_MAX);
    vigil_buf_init(&s->matched, 1 << 20);
    rc = vigil_detect_ctx_new(&s->ctx, e->det, err);
    if (rc != VIGIL_OK) {
        hunt_scratch_free(s);
        return rc;
    }
    *out = s;
    return VIGIL_OK;
}

void
hunt_scratch_set_source(struct hunt_scratch *s, enum hunt_source src)
{
    s->src = (int)src;
}

void
hunt_scratch_free(struct hunt_scratch *s)
{
    if (s == NULL)
        return;
    if (s->ctx != NULL)
        vigil_detect_ctx_free(s->ctx);
    vigil_arena_fini(&s->keep);
    vigil_buf_fini(&s->matched);
    free(s->kept);
    free(s);
}

static enum vigil_rc
keep_event(struct hunt_scratch *s, const struct vigil_event *ev)
{
    struct hunt_kept *k;
    struct vigil_field *f;

    if (s->nkept >= KEEP_MAX_EVENTS)
        return VIGIL_ELIMIT;
    if (s->nkept == s->capkept) {
        size_t cap = s->capkept ? s->capkept * 2 : 1024;
        struct hunt_kept *v = realloc(s->kept, cap * sizeof(*v));

        if (v == NULL)
            return VIGIL_ENOMEM;
        s->kept = v;
        s->capkept = cap;
    }
    f = vigil_arena_alloc(&s->keep, (size_t)ev->nfields * sizeof(*f) + 1);
    if (f == NULL)
        return VIGIL_ELIMIT;
    for (uint16_t i = 0; i < ev->nfields; i++) {
        const struct vigil_field *src = &ev->fields[i];

        f[i] = *src;
        f[i].name = vigil_arena_strndup(&s->keep, src->name, src->name_len);
        f[i].text = vigil_arena_strndup(&s->keep, src->text, src->text_len);
        if (f[i].name == NULL || f[i].text == NULL)
            return VIGIL_ELIMIT;
    }
    k = &s->kept[s->nkept++];
    k->time_ns = ev->time_ns;
    k->seq = s->seq;
    k->file = s->file;
    k->nfields = ev->nfields;
    k->fields = f;
    return VIGIL_OK;
}

/* {"Image":"...","CommandLine":"..."} of the fields that took part. */
static const char *
matched_json(struct vigil_buf *b, const struct vigil_detect_match *m)
{
    enum vigil_rc rc = VIGIL_OK;

    vigil_buf_reset(b);
    VIGIL_TRY(vigil_buf_putc(b, '{'));
    for (size_t i = 0; i < m->nfields; i++) {
        if (i > 0)
            VIGIL_TRY(vigil_buf_putc(b, ','));
        VIGIL_TRY(
            vigil_buf_json_str(b, m->fields[i].name, m->fields[i].name_len));
        VIGIL_TRY(vigil_buf_putc(b, ':'));
        VIGIL_TRY(
            vigil_buf_json_str(b, m->fields[i].text, m->fields[i].text_len));
    }
    if (m->group != NULL) {
        if (m->nfields > 0)
            VIGIL_TRY(vigil_buf_putc(b, ','));
        VIGIL_TRY(vigil_buf_append(b, "\"correlation.group\":", 20));
        VIGIL_TRY(vigil_buf_json_str(b, m->group, strlen(m->group)));
        VIGIL_TRY(vigil_buf_printf(b, ",\"correlation.count\":%llu",
                                   (unsigned long long)m->count));
    }
    VIGIL_TRY(vigil_buf_putc(b, '}'));
out:
    return rc == VIGIL_OK ? b->data : NULL;
}

static int
on_match(const struct vigil_detect_match *m, void *arg)
{
    struct hunt_scratch *s = arg;
    const struct hunt_rule *r;
    uint32_t idx;

    if (!rule_index(s->e, m->rule, &idx))
        return 0;
    r = &s->e->rules[idx];
    if (m->rule->kind == VIGIL_RULE_CORRELATION)
        return 0; /* correlations run in time order, after the workers */
    if (!source_allows(s, r))
        return 0;
    if (r->corr_base) {
        if (!s->kept_this) {
            s->kept_this = 1;
            s->rc = keep_event(s, m->event);
        }
        return s->rc != VIGIL_OK;
    }
    if (!r->report)
        return 0;
    s->rc = s->fn(idx, matched_json(&s->matched, m), s->arg);
    return s->rc != VIGIL_OK;
}

enum vigil_rc
hunt_engine_match(struct hunt_engine *e, struct hunt_scratch *s,
                  const struct vigil_event *ev, uint32_t file, uint64_t seq,
                  hunt_hit_fn fn, void *arg)
{
    enum vigil_rc rc;

    (void)e;
    s->fn = fn;
    s->arg = arg;
    s->file = file;
    s->seq = seq;
    s->kept_this = 0;
    s->rc = VIGIL_OK;
    s->ev_windows =
        s->src == HUNT_SRC_OTHER && vigil_event_get(ev, "Channel") != NULL;
    rc = vigil_detect_match(s->ctx, ev, on_match, s, NULL);
    return s->rc != VIGIL_OK ? s->rc : rc;
}

/* ---- correlation pass ---- */

struct corr_pass {
    struct hunt_engine *e;
    struct hunt_matches *out;
    const struct hunt_kept *k;
    struct vigil_buf json;
    struct vigil_buf matched;
    enum vigil_rc rc;
};

static int
cmp_kept(const void *pa, const void *pb)
{
    const struct hunt_kept *a = *(const struct hunt_kept *const *)pa;
    const struct hunt_kept *b = *(const struct hunt_kept *const *)pb;

    if (a->time_ns != b->time_ns)
        return a->time_ns < b->time_ns ? -1 : 1;
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    return a->seq < b->seq ? -1 : (a->seq > b->seq);
}

static int
on_corr(const struct vigil_detect_match *m, void *arg)
{
    struct corr_pass *p = arg;
    struct hunt_match hm;
    const char *mj;
    uint32_t idx;

    if (m->rule->kind != VIGIL_RULE_CORRELATION ||
        !rule_index(p->e, m->rule, &idx) || !p->e->rules[idx].report)
        return 0;
    memset(&hm, 0, sizeof(hm));
    hm.rule = idx;
    hm.file = p->k ? p->k->file : UINT32_MAX;
    hm.seq = p->k ? p->k->seq : 0;
    if (m->event != NULL) {
        hm.time_ns = m->event->time_ns;
        vigil_buf_reset(&p->json);
        if (vigil_event_to_json(m->event, &p->json) == VIGIL_OK &&
            p->json.len > 0)
            hm.event = strndup(p->json.data, p->json.len);
        if (hunt_match_describe(&hm, m->event) != VIGIL_OK)
            p->rc = VIGIL_ENOMEM;
    }
    mj = matched_json(&p->matched, m);
    if (mj != NULL)
        hm.matched = strdup(mj);
    if (p->rc == VIGIL_OK)
        p->rc = hunt_matches_push(p->out, &hm);
    return p->rc != VIGIL_OK;
}

enum vigil_rc
hunt_engine_correlate(struct hunt_engine *e, struct hunt_scratch *const *s,
                      size_t n, struct hunt_matches *out, struct vigil_err *err)
{
    struct vigil_detect_ctx *ctx = NULL;
    const struct hunt_kept **all = NULL;
    size_t total = 0, k = 0;
    struct vigil_event *ev = NULL;
    struct vigil_arena arena;
    struct corr_pass p;
    enum vigil_rc rc = VIGIL_OK;

    if (e->corr == NULL)
        return VIGIL_OK;
    for (size_t i = 0; i < n; i++)
        total += s[i] ? s[i]->nkept : 0;
    memset(&p, 0, sizeof(p));
    p.e = e;
    p.out = out;
    vigil_buf_init(&p.json, 4u << 20);
    vigil_buf_init(&p.matched, 1u << 20);
    vigil_arena_init(&arena, 4096, 1 << 20);
    all = calloc(total ? total : 1, sizeof(*all));
    ev = malloc(sizeof(*ev));
    if (all == NULL || ev == NULL) {
        rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; s[i] && j < s[i]->nkept; j++)
            all[k++] = &s[i]->kept[j];
    qsort(all, total, sizeof(*all), cmp_kept);
    VIGIL_TRY(vigil_detect_ctx_new(&ctx, e->corr, err));
    for (k = 0; k < total; k++) {
        const struct hunt_kept *kp = all[k];

        vigil_arena_reset(&arena);
        vigil_event_init(ev, &arena);
        memcpy(ev->fields, kp->fields, kp->nfields * sizeof(*kp->fields));
        ev->nfields = kp->nfields;
        ev->time_ns = kp->time_ns;
        p.k = kp;
        rc = vigil_detect_match(ctx, ev, on_corr, &p, NULL);
        if (p.rc != VIGIL_OK)
            rc = p.rc;
        if (rc != VIGIL_OK) {
            vigil_err_set(err, rc, "correlation failed");
            goto out;
        }
    }
    /* Windows still open at the end: lt/lte conditions report now. */
    p.k = NULL;
    rc = vigil_detect_corr_tick(ctx, INT64_MAX, on_corr, &p);
    if (p.rc != VIGIL_OK)
        rc = p.rc;
    if (rc != VIGIL_OK)
        vigil_err_set(err, rc, "correlation failed");
out:
    if (ctx != NULL)
        vigil_detect_ctx_free(ctx);
    free(all);
    free(ev);
    vigil_arena_fini(&arena);
    vigil_buf_fini(&p.json);
    vigil_buf_fini(&p.matched);
    return rc;
}
