/* cli_common.c -- helpers shared by the subcommands. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/core.h"
#include "daemon/daemon.h"
#include "store/store.h"

static void
log_to_stderr(enum vigil_log_level level, int id, const char *msg, void *arg)
{
    static const char *names[] = {"error", "warning", "info", "debug"};

    (void)arg;
    fprintf(stderr, "vigil: %s [%d] %s\n", names[level], id, msg);
}

void
cli_log_to_stderr(int verbose)
{
    vigil_log_set(log_to_stderr, NULL,
                  verbose ? VIGIL_LOG_DEBUG : VIGIL_LOG_INFO);
}

static int
placeholder_add(struct cli_placeholders *p, const char *name, size_t nl,
                const char *value)
{
    size_t i;

    for (i = 0; i < p->n; i++)
        if (strlen(p->name[i]) == nl && memcmp(p->name[i], name, nl) == 0)
            break;
    if (i == p->n) {
        if (p->n == CLI_MAX_PLACEHOLDERS || nl == 0 || nl >= sizeof(p->name[0]))
            return 0;
        memcpy(p->name[i], name, nl);
        p->name[i][nl] = '\0';
        p->nvalues[i] = 0;
        p->n++;
    }
    if (p->nvalues[i] == CLI_MAX_PLACEHOLDER_VALUES)
        return 0;
    p->values[i][p->nvalues[i]++] = value;
    return 1;
}

int
cli_placeholder_arg(struct cli_placeholders *p, const char *arg, char *why,
                    size_t whylen)
{
    const char *eq = strchr(arg, '=');

    if (eq == NULL || eq == arg || memchr(arg, '%', (size_t)(eq - arg))) {
        snprintf(why, whylen,
                 "'%s' is not NAME=VALUE (NAME without %% "
                 "signs)",
                 arg);
        return 0;
    }
    if (!placeholder_add(p, arg, (size_t)(eq - arg), eq + 1)) {
        snprintf(why, whylen,
                 "'%s': at most %d placeholders of %d values, "
                 "names under 128 characters",
                 arg, CLI_MAX_PLACEHOLDERS, CLI_MAX_PLACEHOLDER_VALUES);
        return 0;
    }
    return 1;
}

int
cli_placeholders_from_config(struct cli_placeholders *p,
                             const struct vigil_detect_config *cfg)
{
    for (size_t i = 0; i < cfg->nplaceholders; i++) {
        const struct vigil_placeholder_config *c = &cfg->placeholders[i];
        for (size_t j = 0; j < c->nvalues; j++)
            if (!placeholder_add(p, c->name, strlen(c->name), c->values[j]))
                return 0;
    }
    return 1;
}

void
cli_placeholders_apply(struct cli_placeholders *p,
                       struct vigil_detect_opts *opts)
{
    for (size_t i = 0; i < p->n; i++) {
        p->ph[i].name = p->name[i];
        p->ph[i].values = p->values[i];
        p->ph[i].nvalues = p->nvalues[i];
    }
    opts->placeholders = p->ph;
    opts->nplaceholders = p->n;
}

int
cli_config_exit(enum vigil_rc rc)
{
    return rc == VIGIL_EIO || rc == VIGIL_ENOTFOUND ? VIGIL_EXIT_NOINPUT
           : rc == VIGIL_ENOMEM                     ? VIGIL_EXIT_SOFTWARE
                                                    : VIGIL_EXIT_CONFIG;
}

/* The state directory: state_opt, else the configuration's state_dir,
 * else vigil_state_dir's default. Returns an exit code (0: found). */
static int
state_dir_for(const char *cmd, const char *state_opt, const char *cfg_path,
              char *state, size_t len)
{
    struct vigil_err err = {0};
    struct vigil_daemon_config *cfg = NULL;
    const char *configured;
    enum vigil_rc rc;

    if (state_opt != NULL || cfg_path == NULL) {
        if (vigil_state_dir(state_opt, state, len, &err) == VIGIL_OK)
            return VIGIL_EXIT_OK;
        fprintf(stderr, "vigil %s: %s\n", cmd, err.msg);
        return VIGIL_EXIT_USAGE;
    }
    if ((rc = vigil_daemon_config_load(&cfg, cfg_path, &err)) != VIGIL_OK) {
        fprintf(stderr, "vigil %s: %s\n", cmd, err.msg);
        return cli_config_exit(rc);
    }
    /* Straight from cfg: state may not be both source and destination. */
    configured = vigil_daemon_config_state_dir(cfg);
    rc = vigil_state_dir(configured[0] ? configured : NULL, state, len, &err);
    vigil_daemon_config_free(cfg);
    if (rc != VIGIL_OK) {
        fprintf(stderr, "vigil %s: %s\n", cmd, err.msg);
        return VIGIL_EXIT_CONFIG;
    }
    return VIGIL_EXIT_OK;
}

int
cli_state_dir(const char *cmd, const char *state_opt, const char *cfg_path,
              char *state, size_t len)
{
    return state_dir_for(cmd, state_opt, cfg_path, state, len);
}

int
cli_open_store_readonly(const char *cmd, const char *state_opt,
                        const char *cfg_path, struct vigil_store **out,
                        char *db, size_t dblen)
{
    struct vigil_store_opts opts = {0};
    struct vigil_err err = {0};
    char state[4096];
    int rc;

    *out = NULL;
    rc = state_dir_for(cmd, state_opt, cfg_path, state, sizeof(state));
    if (rc != VIGIL_EXIT_OK)
        return rc;
    if (snprintf(db, dblen, "%s/vigil.db", state) >= (int)dblen) {
        fprintf(stderr, "vigil %s: state directory path too long\n", cmd);
        return VIGIL_EXIT_USAGE;
    }
    opts.readonly = 1;
    if (vigil_store_open(out, db, &opts, &err) == VIGIL_OK)
        return VIGIL_EXIT_OK;
    if (err.rc == VIGIL_ENOTFOUND) {
        fprintf(stderr,
                "vigil %s: no store at %s: has `vigil run` run with this "
                "state directory?\n",
                cmd, db);
        return VIGIL_EXIT_NOINPUT;
    }
    fprintf(stderr, "vigil %s: %s\n", cmd, err.msg);
    return VIGIL_EXIT_IOERR;
}

int
cli_open_store(const char *cmd, const char *state_opt, const char *cfg_path,
               struct vigil_store **out)
{
    struct vigil_store_opts opts = {0};
    struct vigil_err err = {0};
    char state[4096], db[4200];
    int rc;

    *out = NULL;
    rc = state_dir_for(cmd, state_opt, cfg_path, state, sizeof(state));
    if (rc != VIGIL_EXIT_OK)
        return rc;
    if (vigil_mkdir_p(state) != 0) {
        fprintf(stderr, "vigil %s: cannot create %s: %s\n", cmd, state,
                strerror(errno));
        return VIGIL_EXIT_IOERR;
    }
    snprintf(db, sizeof(db), "%s/vigil.db", state);
    opts.schemas = vigil_daemon_schemas(&opts.nschemas);
    if (vigil_store_open(out, db, &opts, &err) == VIGIL_OK)
        return VIGIL_EXIT_OK;
    fprintf(stderr, "vigil %s: %s\n", cmd, err.msg);
    return VIGIL_EXIT_IOERR;
}
