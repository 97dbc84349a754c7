/* detect_engine.c -- the engine's life cycle: creation, loading rule files
 * and directories (with per-rule refusal reports), resolving filter and
 * correlation references, field-name interning, stats and teardown. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hs/hs.h>

#include "detect/detect_int.h"

/* Continues d->digest (FNV-1a) over n bytes, then their count, so that
 * consecutive pieces cannot run into each other. */
static void
digest_feed(struct vigil_detect *d, const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = d->digest, len = n;

    for (size_t i = 0; i < n + sizeof(len); i++) {
        h ^= i < n ? b[i] : ((const unsigned char *)&len)[i - n];
        h *= 1099511628211ULL;
    }
    d->digest = h;
}

uint64_t
vigil_detect_digest(const struct vigil_detect *d)
{
    return d->digest;
}

enum vigil_rc
vigil_detect_new(struct vigil_detect **out,
                 const struct vigil_detect_opts *opts, struct vigil_err *err)
{
    struct vigil_detect *d = calloc(1, sizeof(*d));

    *out = NULL;
    if (!d)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    if (opts)
        d->opts = *opts;
    if (!d->opts.corr_max_groups)
        d->opts.corr_max_groups = 65536;
    if (!d->opts.corr_max_source_groups)
        d->opts.corr_max_source_groups = (d->opts.corr_max_groups + 1) / 2;
    if (d->opts.corr_max_source_groups > d->opts.corr_max_groups)
        d->opts.corr_max_source_groups = d->opts.corr_max_groups;
    if (!d->opts.regex_match_limit)
        d->opts.regex_match_limit = 100000;
    d->digest = 1469598103934665603ULL;
    for (size_t i = 0; i < d->opts.nplaceholders; i++) {
        const struct vigil_detect_placeholder *ph = &d->opts.placeholders[i];
        digest_feed(d, ph->name, strlen(ph->name));
        for (size_t j = 0; j < ph->nvalues; j++)
            digest_feed(d, ph->values[j], strlen(ph->values[j]));
    }
    vigil_arena_init(&d->arena, 256 * 1024, (size_t)1 << 31);
    pthread_mutex_init(&d->corr_lock, NULL);
    d->fid_channel = detect_field_id(d, "Channel", 7);
    d->fid_eventid = detect_field_id(d, "EventID", 7);
    d->fid_provider = detect_field_id(d, "Provider_Name", 13);
    if (d->nomem) {
        vigil_detect_free(d);
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    *out = d;
    return VIGIL_OK;
}

void
vigil_detect_free(struct vigil_detect *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nrules; i++)
        if (d->rules[i].corr)
            detect_corr_free(d->rules[i].corr);
    for (size_t i = 0; i < d->nres; i++)
        pcre2_code_free(d->res[i]);
    free(d->res);
    for (size_t i = 0; i < d->nlits; i++)
        free(d->lits[i].keys);
    free(d->lits);
    free(d->lhash);
    free(d->always);
    free(d->fnames);
    free(d->fhash);
    free(d->rules);
    if (d->fdb)
        for (size_t i = 0; i < d->nfnames; i++)
            if (d->fdb[i])
                hs_free_database((hs_database_t *)d->fdb[i]);
    free(d->fdb);
    free(d->fdir);
    free(d->dlits);
    if (d->kwdb)
        hs_free_database((hs_database_t *)d->kwdb);
    if (d->proto_scratch)
        hs_free_scratch((hs_scratch_t *)d->proto_scratch);
    pthread_mutex_destroy(&d->corr_lock);
    vigil_arena_fini(&d->arena);
    free(d);
}

/* ---- field names ---- */

static uint32_t
fhash_find(const struct vigil_detect *d, const char *name, size_t len,
           uint64_t h, size_t *slot)
{
    if (!d->fhash_cap)
        return DET_NONE;
    size_t mask = d->fhash_cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t v = d->fhash[i];
        if (!v) {
            if (slot)
                *slot = i;
            return DET_NONE;
        }
        const struct det_fname *f = &d->fnames[v - 1];
        if (f->hash == h && f->len == len && memcmp(f->name, name, len) == 0)
            return v - 1;
    }
}

/* Hash of a field name: its first and last eight bytes (all of it up to
 * sixteen) and its length, mixed. Every event looks up each of its
 * names, and FNV over every byte cost more than the rest of the lookup;
 * names that differ only in the middle just probe further. */
static uint64_t
name_hash(const char *s, size_t n)
{
    uint64_t a = 0, b = 0, h;

    if (n < 8) {
        memcpy(&a, s, n);
    } else {
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
    }
    h = (a ^ (b * 0x9e3779b97f4a7c15ULL) ^ n) * 0xff51afd7ed558ccdULL;
    return h ^ (h >> 29);
}

uint32_t
detect_field_find(const struct vigil_detect *d, const char *name, size_t len)
{
    return fhash_find(d, name, len, name_hash(name, len), NULL);
}

uint32_t
detect_field_id(struct vigil_detect *d, const char *name, size_t len)
{
    uint64_t h = name_hash(name, len);
    size_t slot = 0;
    uint32_t id = fhash_find(d, name, len, h, &slot);

    if (id != DET_NONE)
        return id;
    if (d->compiled || d->nfnames >= DET_MAX_FIELD_IDS)
        return DET_NONE;
    if ((d->nfnames + 1) * 2 > d->fhash_cap) {
        size_t nc = d->fhash_cap ? d->fhash_cap * 2 : 256;
        uint32_t *nh = calloc(nc, sizeof(*nh));
        if (!nh)
            goto nomem;
        for (size_t i = 0; i < d->nfnames; i++) {
            size_t j = d->fnames[i].hash & (nc - 1);
            while (nh[j])
                j = (j + 1) & (nc - 1);
            nh[j] = (uint32_t)i + 1;
        }
        free(d->fhash);
        d->fhash = nh;
        d->fhash_cap = nc;
        fhash_find(d, name, len, h, &slot);
    }
    if (VIGIL_GROW(d->fnames, d->nfnames, d->capfnames) != VIGIL_OK)
        goto nomem;
    char *c = vigil_arena_strndup(&d->arena, name, len);
    if (!c)
        goto nomem;
    d->fnames[d->nfnames].name = c;
    d->fnames[d->nfnames].len = (uint32_t)len;
    d->fnames[d->nfnames].hash = h;
    d->fhash[slot] = (uint32_t)d->nfnames + 1;
    return (uint32_t)d->nfnames++;
nomem:
    d->nomem++;
    return DET_NONE;
}

/* ---- loading ---- */

static void
report(struct vigil_detect *d, const char *file, int line,
       const struct vigil_rule_info *info, const char *msg)
{
    if (d->opts.report)
        d->opts.report(file, line, info, msg, d->opts.report_arg);
}

/* A Sigma rule, filter or correlation has at least one of these keys;
 * YAML beside rules that has none (SigmaHQ's regression_data/info.yml,
 * CI configuration) is not a rule that failed to load. */
static int
looks_like_rule(const struct dy_node *doc)
{
    static const char *const keys[] = {"title",       "detection", "logsource",
                                       "correlation", "filter",    "action"};

    if (doc->kind != DY_MAP)
        return 1; /* refused with its reason */
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (detect_yaml_get(doc, keys[i]) != NULL)
            return 1;
    return 0;
}

enum vigil_rc
vigil_detect_add_mem(struct vigil_detect *d, const char *name, const char *data,
                     size_t len, struct vigil_err *err)
{
    struct vigil_arena ya;
    struct dy_node **docs = NULL;
    size_t ndocs = 0;
    int line = 1;
    char msg[256];
    enum vigil_rc rc;

    if (d->compiled)
        return vigil_err_set(err, VIGIL_EINVAL,
                             "rules cannot be added after compiling");
    digest_feed(d, name, strlen(name));
    digest_feed(d, data, len);
    d->st.files++;
    vigil_arena_init(&ya, 64 * 1024, 64 * 1024 * 1024);
    msg[0] = '\0';
    rc = detect_yaml_parse(&ya, data, len, &docs, &ndocs, &line, msg,
                           sizeof(msg));
    if (rc == VIGIL_ENOMEM || ya.nomem) {
        /* not the file's fault: the load fails, no rule is refused */
        vigil_arena_fini(&ya);
        return vigil_err_set(err, VIGIL_ENOMEM, "%s: out of memory", name);
    }
    if (rc != VIGIL_OK) {
        if (!msg[0])
            snprintf(msg, sizeof(msg), "%s", vigil_strerror(rc));
        report(d, name, line, NULL, msg);
        d->st.refused++;
        vigil_arena_fini(&ya);
        return VIGIL_OK;
    }
    /* the tree's strings must outlive the parse arena: rules keep
     * pointers into them, so copy the arena's ownership to the engine by
     * chaining it. Simplest correct approach: re-parse into the engine
     * arena. */
    vigil_arena_fini(&ya);
    rc = detect_yaml_parse(&d->arena, data, len, &docs, &ndocs, &line, msg,
                           sizeof(msg));
    if (rc != VIGIL_OK)
        return vigil_err_set(err, rc, "%s: out of memory", name);
    for (size_t i = 0; i < ndocs; i++) {
        if (docs[i]->kind == DY_SCALAR && detect_yaml_is_null(docs[i]))
            continue; /* empty document (trailing ---) */
        if (!looks_like_rule(docs[i])) {
            d->st.skipped++;
            continue;
        }
        rc = detect_rule_load(d, name, docs[i], &line, msg, sizeof(msg));
        if (rc == VIGIL_ENOMEM)
            return vigil_err_set(err, rc, "%s: out of memory", name);
        if (rc == VIGIL_OK) {
            struct det_rule *r = &d->rules[d->nrules - 1];
            r->info.index = (uint32_t)(d->nrules - 1);
            switch (r->info.kind) {
            case VIGIL_RULE_DETECTION:
                d->st.loaded++;
                break;
            case VIGIL_RULE_FILTER:
                d->st.filters++;
                break;
            case VIGIL_RULE_CORRELATION:
                d->st.correlations++;
                break;
            }
            report(d, name, r->info.line, &r->info, NULL);
        } else {
            d->st.refused++;
            report(d, name, line, NULL, msg);
        }
    }
    return VIGIL_OK;
}

static int
is_rule_file(const char *n)
{
    size_t l = strlen(n);
    return (l > 4 && strcmp(n + l - 4, ".yml") == 0) ||
           (l > 5 && strcmp(n + l - 5, ".yaml") == 0);
}

static enum vigil_rc
add_file(struct vigil_detect *d, const char *path, struct vigil_err *err)
{
    char *data = NULL;
    size_t len = 0;
    struct vigil_err e2 = {0};
    enum vigil_rc rc = vigil_read_file(path, DET_MAX_FILE, &data, &len, &e2);

    if (rc != VIGIL_OK) {
        digest_feed(d, path, strlen(path));
        digest_feed(d, "", 0); /* unread: not the text of an empty file */
        digest_feed(d, "", 0);
        d->st.files++;
        d->st.refused++;
        report(d, path, 0, NULL, e2.msg[0] ? e2.msg : vigil_strerror(rc));
        return VIGIL_OK;
    }
    rc = vigil_detect_add_mem(d, path, data ? data : "", len, err);
    free(data);
    return rc;
}

struct add_dir {
    struct vigil_detect *d;
    struct vigil_err *err;
};

static enum vigil_rc
add_dir_entry(const struct vigil_walk_entry *e, void *arg)
{
    struct add_dir *a = arg;

    return is_rule_file(e->name) ? add_file(a->d, e->path, a->err) : VIGIL_OK;
}

/* A folder or link that cannot be read is reported like a refused file:
 * the rules that can be loaded still are. */
static enum vigil_rc
add_dir_skipped(const char *path, const struct vigil_err *why, void *arg)
{
    struct add_dir *a = arg;

    digest_feed(a->d, path, strlen(path));
    report(a->d, path, 0, NULL, why->msg);
    return VIGIL_OK;
}

/* Rule folders: names in order so rules load the same way every time;
 * links are followed (rule packs are often assembled from links) */
static enum vigil_rc
add_dir(struct vigil_detect *d, const char *path, struct vigil_err *err)
{
    static const struct vigil_walk_opts o = {
        .follow_symlinks = 1, .skip_hidden = 1, .regular_only = 1, .sorted = 1};
    struct add_dir a = {d, err};

    return vigil_walk(path, &o, add_dir_entry, add_dir_skipped, &a, err);
}

enum vigil_rc
vigil_detect_add_path(struct vigil_detect *d, const char *path,
                      struct vigil_err *err)
{
    struct stat st;

    if (stat(path, &st) != 0)
        return vigil_err_set(err, VIGIL_EIO, "%s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return add_dir(d, path, err);
    return add_file(d, path, err);
}

/* ---- resolving references ---- */

static uint32_t
find_rule(const struct vigil_detect *d, const char *ref)
{
    for (size_t i = 0; i < d->nrules; i++) {
        const struct det_rule *r = &d->rules[i];
        if (r->info.kind != VIGIL_RULE_DETECTION)
            continue;
        if ((r->info.id[0] && strcmp(r->info.id, ref) == 0) ||
            (r->info.name[0] && strcmp(r->info.name, ref) == 0))
            return (uint32_t)i;
    }
    return DET_NONE;
}

static int
ls_contains(const struct det_rule *rule, const struct det_rule *f)
{
    /* a filter applies when the rule has every logsource field the
     * filter names */
    if (f->ls_product &&
        (!rule->ls_product || strcmp(f->ls_product, rule->ls_product) != 0))
        return 0;
    if (f->ls_category &&
        (!rule->ls_category || strcmp(f->ls_category, rule->ls_category) != 0))
        return 0;
    if (f->ls_service &&
        (!rule->ls_service || strcmp(f->ls_service, rule->ls_service) != 0))
        return 0;
    return 1;
}

static enum vigil_rc
append_u32(struct vigil_detect *d, uint32_t **arr, uint32_t *n, uint32_t v)
{
    uint32_t *na = vigil_arena_alloc(&d->arena, (*n + 1) * sizeof(uint32_t));
    if (!na)
        return VIGIL_ENOMEM;
    if (*n)
        memcpy(na, *arr, *n * sizeof(uint32_t));
    na[(*n)++] = v;
    *arr = na;
    return VIGIL_OK;
}

static enum vigil_rc
resolve(struct vigil_detect *d, struct vigil_err *err)
{
    for (size_t i = 0; i < d->nrules; i++) {
        struct det_rule *f = &d->rules[i];
        if (f->info.kind == VIGIL_RULE_FILTER) {
            for (size_t j = 0; j < d->nrules; j++) {
                struct det_rule *r = &d->rules[j];
                int hit = 0;
                if (r->info.kind != VIGIL_RULE_DETECTION)
                    continue;
                if (!f->nfilter_refs) {
                    hit = 1;
                } else {
                    for (uint32_t k = 0; k < f->nfilter_refs && !hit; k++)
                        hit = (r->info.id[0] &&
                               strcmp(r->info.id, f->filter_refs[k]) == 0) ||
                              (r->info.name[0] &&
                               strcmp(r->info.name, f->filter_refs[k]) == 0);
                }
                if (hit && ls_contains(r, f) &&
                    append_u32(d, &r->filters, &r->nfilters, (uint32_t)i))
                    return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
            }
        } else if (f->info.kind == VIGIL_RULE_CORRELATION) {
            struct det_corr *k = f->corr;
            k->rules =
                vigil_arena_alloc(&d->arena, k->nrules * sizeof(uint32_t));
            if (!k->rules)
                return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
            for (uint32_t j = 0; j < k->nrules; j++) {
                uint32_t ri = find_rule(d, k->refs[j]);
                k->rules[j] = ri;
                if (ri == DET_NONE) {
                    vigil_log(VIGIL_LOG_WARN, 1501,
                              "%s:%d: correlation '%s' refers to unknown "
                              "rule '%s'",
                              f->info.file, f->info.line, f->info.title,
                              k->refs[j]);
                    continue;
                }
                struct det_rule *base = &d->rules[ri];
                if (append_u32(d, &base->corrs, &base->ncorr, (uint32_t)i))
                    return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
                if (!k->generate)
                    base->generate = 0;
                d->has_corr = 1;
            }
        }
    }
    return VIGIL_OK;
}

enum vigil_rc
vigil_detect_compile(struct vigil_detect *d, struct vigil_err *err)
{
    enum vigil_rc rc;

    if (d->compiled)
        return VIGIL_OK;
    rc = resolve(d, err);
    if (rc != VIGIL_OK)
        return rc;
    rc = detect_prefilter_build(d, err);
    if (rc != VIGIL_OK)
        return rc;
    d->compiled = 1;
    return VIGIL_OK;
}

void
vigil_detect_get_stats(const struct vigil_detect *d,
                       struct vigil_detect_stats *st)
{
    *st = d->st;
}

void
vigil_detect_each_rule(const struct vigil_detect *d,
                       void (*fn)(const struct vigil_rule_info *r, void *arg),
                       void *arg)
{
    for (size_t i = 0; i < d->nrules; i++)
        fn(&d->rules[i].info, arg);
}
