/* run_detect.c -- live detection for `vigil run`: builds the Sigma engine
 * from vigil's own pack and the configured rule folders and hands the
 * ingest pipeline the hook of a live detection session (src/detect,
 * detect_session.c). The session holds the policy -- which rules fire on
 * which kind of log, correlations, the alerts' shape -- that `vigil hunt`
 * shares; alerts go into the batch that carries the event's checkpoint
 * (one transaction: a crash neither loses nor repeats an alert). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/core.h"
#include "detect/detect.h"
#include "ingest/ingest.h"
#include "store/store.h"

struct run_detect {
    struct vigil_detect *d;
    struct vigil_detect_session *s;
    struct vigil_detector det;
    struct vigil_detect_stats st;
    char cache_dir[4200]; /* compiled literal databases, or "" */
    /* the first refused rule, "file:line: why" */
    char first_refused[512];
};

static void
on_report(const char *file, int line, const struct vigil_rule_info *info,
          const char *msg, void *arg)
{
    struct run_detect *rd = arg;

    if (info != NULL)
        return;
    vigil_log(VIGIL_LOG_WARN, 1160, "%s:%d: rule refused: %s", file, line, msg);
    if (rd->first_refused[0] == '\0')
        snprintf(rd->first_refused, sizeof(rd->first_refused), "%s:%d: %s",
                 file, line, msg);
}

enum vigil_rc
run_detect_new(struct run_detect **out, const struct vigil_config *cfg,
               const char *state_dir, struct vigil_err *err)
{
    struct vigil_detect_opts opts;
    struct cli_placeholders *ph = NULL;
    struct run_detect *rd;
    char builtin[PATH_MAX];
    enum vigil_rc rc = VIGIL_OK;

    *out = NULL;
    if ((rd = calloc(1, sizeof(*rd))) == NULL ||
        (ph = calloc(1, sizeof(*ph))) == NULL) {
        free(rd);
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    memset(&opts, 0, sizeof(opts));
    opts.report = on_report;
    opts.report_arg = rd;
    /* the configuration's placeholders: limits equal the config's, so
     * this cannot fill up */
    cli_placeholders_from_config(ph, cfg);
    cli_placeholders_apply(ph, &opts);
    if (cli_cache_dir(state_dir, rd->cache_dir, sizeof(rd->cache_dir)))
        opts.cache_dir = rd->cache_dir;
    if ((rc = vigil_detect_new(&rd->d, &opts, err)) != VIGIL_OK)
        goto fail;
    if (cfg->builtin_rules) {
        if (!cli_find_builtin_rules(builtin, sizeof(builtin))) {
            rc = vigil_err_set(err, VIGIL_ENOTFOUND,
                               "vigil's rule pack not found (looked for "
                               "share/vigil/rules beside the binary and "
                               "the source tree's rules/); set "
                               "builtin_rules: false to run without it");
            goto fail;
        }
        if ((rc = vigil_detect_add_path(rd->d, builtin, err)) != VIGIL_OK)
            goto fail;
    }
    for (size_t i = 0; i < cfg->nrule_dirs; i++)
        if ((rc = vigil_detect_add_path(rd->d, cfg->rule_dirs[i], err)) !=
            VIGIL_OK)
            goto fail;
    if ((rc = vigil_detect_compile(rd->d, err)) != VIGIL_OK)
        goto fail;
    vigil_detect_get_stats(rd->d, &rd->st);
    if ((rc = vigil_detect_session_new(&rd->s, rd->d, NULL, err)) != VIGIL_OK)
        goto fail;
    vigil_detect_session_hook(rd->s, &rd->det);
    free(ph); /* placeholders are expanded while rules load */
    *out = rd;
    return VIGIL_OK;
fail:
    free(ph);
    run_detect_free(rd);
    return rc;
}

const struct vigil_detector *
run_detect_hook(struct run_detect *rd)
{
    return rd ? &rd->det : NULL;
}

void
run_detect_log(const struct run_detect *rd)
{
    if (rd == NULL)
        return;
    static const char *const cache[] = {
        "", "; literal databases read from the cache",
        "; literal databases compiled and cached"};
    vigil_log(VIGIL_LOG_INFO, 1161,
              "detection: %llu rules, %llu correlations, %llu filters from "
              "%llu files; %llu refused%s",
              (unsigned long long)rd->st.loaded,
              (unsigned long long)rd->st.correlations,
              (unsigned long long)rd->st.filters,
              (unsigned long long)rd->st.files,
              (unsigned long long)rd->st.refused,
              cache[rd->st.cache >= 0 && rd->st.cache <= 2 ? rd->st.cache : 0]);
}

int
run_detect_worse(const struct run_detect *nrd, const struct run_detect *ord,
                 struct vigil_err *err)
{
    if (ord == NULL || nrd->st.refused <= ord->st.refused)
        return 0;
    vigil_err_set(err, VIGIL_EPARSE,
                  "the new rules refuse %llu rules, the running ones %llu "
                  "(first refused: %s)",
                  (unsigned long long)nrd->st.refused,
                  (unsigned long long)ord->st.refused, nrd->first_refused);
    return 1;
}

enum vigil_rc
run_detect_tick(struct run_detect *rd, struct vigil_store *store)
{
    struct vigil_err err = {0};

    return rd ? vigil_detect_session_close_to_store(rd->s, store, 0, &err)
              : VIGIL_OK;
}

enum vigil_rc
run_detect_finish(struct run_detect *rd, struct vigil_store *store)
{
    struct vigil_err err = {0};

    return rd ? vigil_detect_session_close_to_store(rd->s, store, 1, &err)
              : VIGIL_OK;
}

void
run_detect_free(struct run_detect *rd)
{
    if (rd == NULL)
        return;
    vigil_detect_session_free(rd->s);
    vigil_detect_free(rd->d);
    free(rd);
}
