/* cmd_run.c -- `vigil run`: the daemon. Loads the configuration, opens the
 * store, runs the sources until SIGTERM/SIGINT (or, with --once, until the
 * configured files are read to their end), reloads on SIGHUP.
 *
 * Signals are blocked in every thread and taken synchronously here with
 * sigtimedwait, so no handler runs inside library code. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "core/core.h"
#include "ingest/ingest.h"
#include "store/store.h"

#define RUN_RETENTION_EVERY_S 3600

static void
usage(FILE *out)
{
    fprintf(out,
            "usage: vigil run [-c FILE] [--state-dir DIR] [--once] [-v]\n"
            "\n"
            "Collects logs from the configured sources (files, syslog over "
            "UDP/TCP, the\nsystemd journal, stdin), decodes them, runs "
            "detection and stores events,\nalerts, checkpoints and counters "
            "in DIR/vigil.db (SQLite, WAL mode).\n"
            "\n"
            "Options:\n"
            "  -c, --config FILE   YAML configuration (docs/configuration.md)."
            "\n"
            "                      Without it: the system logs that exist "
            "(/var/log/auth.log,\n"
            "                      secure, syslog, messages), else the "
            "journal.\n"
            "  --state-dir DIR     where the store lives; overrides the "
            "configuration's\n"
            "                      state_dir, $VIGIL_STATE_DIR and the "
            "default\n"
            "                      (/var/lib/vigil for root, else "
            "~/.local/state/vigil).\n"
            "  --once              read the configured files (and stdin, the "
            "journal) to\n"
            "                      their end, store everything and exit; "
            "syslog sources\n"
            "                      are skipped. Checkpoints apply: a second "
            "run reads only\n"
            "                      what was appended since.\n"
            "  -v, --verbose       log debug messages too.\n"
            "  -h, --help          this text.\n"
            "\n"
            "Signals: SIGTERM or SIGINT stop reading, store what was read "
            "and exit 0;\nSIGHUP reloads the configuration (a refused one "
            "is logged and the old one\nkept). Logs go to stderr as "
            "\"vigil: LEVEL [ID] message\" (docs/log-messages.md).\n"
            "\n"
            "Exit codes: 0 stopped cleanly, 64 bad command line, 74 store "
            "or I/O error,\n78 configuration refused.\n");
}

static enum vigil_rc
load_config(const char *path, struct vigil_config *cfg, struct vigil_err *err)
{
    if (path != NULL)
        return vigil_config_load(path, cfg, err);
    return vigil_config_default(cfg, err);
}

static int64_t
mono_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

static void
apply_retention(struct vigil_store *store, const struct vigil_config *cfg)
{
    struct vigil_err err = {0};
    int64_t deleted = 0;

    if (cfg->archive_max_age_s == 0 && cfg->archive_max_bytes == 0)
        return;
    if (vigil_store_apply_retention(store, vigil_time_now(), &deleted, &err) !=
        VIGIL_OK)
        vigil_log(VIGIL_LOG_ERROR, 1143, "retention failed: %s", err.msg);
    else if (deleted > 0)
        vigil_log(VIGIL_LOG_INFO, 1144,
                  "retention removed %lld archived events", (long long)deleted);
}

static void
log_sources(const struct vigil_config *cfg)
{
    static const char *types[] = {"?", "file", "syslog", "journald", "stdin"};

    for (size_t i = 0; i < cfg->nsources; i++) {
        const struct vigil_source_config *s = &cfg->sources[i];
        vigil_log(VIGIL_LOG_INFO, 1140, "source %s: %s%s%s, format %s", s->name,
                  types[s->type], s->npaths ? " " : "",
                  s->npaths ? s->paths[0] : "",
                  s->format[0] ? s->format : "auto");
    }
    if (cfg->nsources == 0)
        vigil_log(VIGIL_LOG_WARN, 1145,
                  "no sources configured: nothing to read");
}

/* Replaces the running pipeline with one for the configuration at path.
 * On any failure the old configuration keeps running. */
static void
reload(const char *path, const char *state, struct vigil_config **cfg,
       struct vigil_ingest **ing, struct vigil_store *store, int once,
       struct run_detect **rd)
{
    struct vigil_config *ncfg = calloc(1, sizeof(*ncfg));
    struct vigil_ingest *ning = NULL;
    struct vigil_err err = {0};
    struct run_detect *nrd = NULL, *use = *rd;

    if (ncfg == NULL)
        return;
    if (load_config(path, ncfg, &err) != VIGIL_OK) {
        vigil_log(VIGIL_LOG_ERROR, 1141,
                  "reload refused, keeping the running configuration: %s",
                  err.msg);
        vigil_config_free(ncfg);
        free(ncfg);
        return;
    }
    if (strcmp(ncfg->state_dir, (*cfg)->state_dir) != 0 ||
        ncfg->archive_events != (*cfg)->archive_events)
        vigil_log(VIGIL_LOG_WARN, 1146,
                  "state_dir and store.archive_events take effect at the "
                  "next start");
    /* Rules: the new ones only if they build and refuse no more rules
     * than the running ones (run_detect.c). */
    if (run_detect_new(&nrd, ncfg, state, &err) != VIGIL_OK ||
        run_detect_worse(nrd, *rd, &err)) {
        vigil_log(VIGIL_LOG_ERROR, 1162,
                  "rules not reloaded, keeping the running ones: %s", err.msg);
        run_detect_free(nrd);
        nrd = NULL;
        vigil_err_clear(&err);
    } else {
        use = nrd;
        run_detect_log(nrd);
    }
    /* Stop the old sources first: their last batches and checkpoints
     * must be stored before the new sources read the checkpoints. */
    vigil_ingest_stop(*ing);
    vigil_store_flush(store, &err);
    vigil_err_clear(&err);
    /* Freed before the new one starts: its sockets hold the ports. */
    vigil_ingest_free(*ing);
    *ing = NULL;
    if (vigil_ingest_new(&ning, ncfg, store, run_detect_hook(use), once,
                         &err) == VIGIL_OK &&
        vigil_ingest_start(ning, &err) == VIGIL_OK) {
        vigil_config_free(*cfg);
        free(*cfg);
        *cfg = ncfg;
        *ing = ning;
        if (use != *rd) {
            run_detect_free(*rd);
            *rd = use;
        }
        vigil_log(VIGIL_LOG_INFO, 1142, "configuration reloaded");
        log_sources(ncfg);
        return;
    }
    vigil_log(VIGIL_LOG_ERROR, 1141,
              "reload failed, going on with the old configuration: %s",
              err.msg);
    vigil_ingest_free(ning);
    vigil_config_free(ncfg);
    free(ncfg);
    vigil_err_clear(&err);
    if (vigil_ingest_new(ing, *cfg, store, run_detect_hook(use), once, &err) !=
            VIGIL_OK ||
        vigil_ingest_start(*ing, &err) != VIGIL_OK) {
        vigil_log(VIGIL_LOG_ERROR, 1141,
                  "cannot restart the old configuration either: %s", err.msg);
        vigil_ingest_free(*ing);
        *ing = NULL;
    }
    if (use != *rd) {
        run_detect_free(*rd);
        *rd = use;
    }
}

int
cmd_run(int argc, char **argv)
{
    const char *cfg_path = NULL, *state_opt = NULL;
    int once = 0, verbose = 0, ret = VIGIL_EXIT_OK;
    struct vigil_config *cfg = NULL;
    struct vigil_store *store = NULL;
    struct vigil_ingest *ing = NULL;
    struct run_detect *rd = NULL;
    struct vigil_store_opts sopts = {0};
    struct vigil_err err = {0};
    char state[4096], db[4200];
    sigset_t sigs;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return VIGIL_EXIT_OK;
        } else if ((strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) &&
                   i + 1 < argc) {
            cfg_path = argv[++i];
        } else if (strncmp(a, "--config=", 9) == 0) {
            cfg_path = a + 9;
        } else if (strcmp(a, "--state-dir") == 0 && i + 1 < argc) {
            state_opt = argv[++i];
        } else if (strncmp(a, "--state-dir=", 12) == 0) {
            state_opt = a + 12;
        } else if (strcmp(a, "--once") == 0) {
            once = 1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            verbose = 1;
        } else {
            fprintf(stderr, "vigil run: unknown or incomplete option '%s'\n",
                    a);
            usage(stderr);
            return VIGIL_EXIT_USAGE;
        }
    }
    cli_log_to_stderr(verbose);

    if ((cfg = calloc(1, sizeof(*cfg))) == NULL) {
        fprintf(stderr, "vigil run: out of memory\n");
        return VIGIL_EXIT_SOFTWARE;
    }
    if (load_config(cfg_path, cfg, &err) != VIGIL_OK) {
        fprintf(stderr, "vigil run: %s\n", err.msg);
        ret = err.rc == VIGIL_EIO ? VIGIL_EXIT_NOINPUT : VIGIL_EXIT_CONFIG;
        goto out;
    }
    if (vigil_state_dir(state_opt ? state_opt : cfg->state_dir, state,
                        sizeof(state), &err) != VIGIL_OK) {
        fprintf(stderr, "vigil run: %s\n", err.msg);
        ret = VIGIL_EXIT_CONFIG;
        goto out;
    }
    if (cli_mkdir_p(state) != 0) {
        fprintf(stderr, "vigil run: cannot create state directory %s: %s\n",
                state, strerror(errno));
        ret = VIGIL_EXIT_IOERR;
        goto out;
    }
    snprintf(db, sizeof(db), "%s/vigil.db", state);
    sopts.archive_events = cfg->archive_events;
    sopts.archive_max_age_s = cfg->archive_max_age_s;
    sopts.archive_max_bytes = cfg->archive_max_bytes;
    if (vigil_store_open(&store, db, &sopts, &err) != VIGIL_OK) {
        fprintf(stderr, "vigil run: %s\n", err.msg);
        ret = VIGIL_EXIT_IOERR;
        goto out;
    }

    /* Block the signals before any thread starts so all inherit it. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    vigil_log(VIGIL_LOG_INFO, 1147, "vigil %s starting: config %s, store %s",
              VIGIL_VERSION, cfg->path[0] ? cfg->path : "(built-in)", db);
    log_sources(cfg);
    if (run_detect_new(&rd, cfg, state, &err) != VIGIL_OK) {
        fprintf(stderr, "vigil run: %s\n", err.msg);
        ret = VIGIL_EXIT_CONFIG;
        goto out;
    }
    run_detect_log(rd);
    if (vigil_ingest_new(&ing, cfg, store, run_detect_hook(rd), once, &err) !=
            VIGIL_OK ||
        vigil_ingest_start(ing, &err) != VIGIL_OK) {
        fprintf(stderr, "vigil run: %s\n", err.msg);
        ret = err.rc == VIGIL_EINVAL || err.rc == VIGIL_EPARSE
                  ? VIGIL_EXIT_CONFIG
                  : VIGIL_EXIT_IOERR;
        goto out;
    }
    apply_retention(store, cfg);

    if (once) {
        vigil_ingest_wait(ing);
    } else {
        int64_t next_stats = mono_s() + cfg->stats_interval_s;
        int64_t next_retention = mono_s() + RUN_RETENTION_EVERY_S;
        for (;;) {
            struct timespec tmo = {1, 0};
            int sig = sigtimedwait(&sigs, NULL, &tmo);
            if (sig == SIGTERM || sig == SIGINT) {
                vigil_log(VIGIL_LOG_INFO, 1148, "%s: stopping",
                          sig == SIGTERM ? "SIGTERM" : "SIGINT");
                break;
            }
            if (sig == SIGHUP) {
                vigil_log(VIGIL_LOG_INFO, 1149, "SIGHUP: reloading %s",
                          cfg_path ? cfg_path : "the built-in configuration");
                reload(cfg_path, state, &cfg, &ing, store, once, &rd);
                if (ing == NULL) {
                    ret = VIGIL_EXIT_SOFTWARE;
                    break;
                }
                next_stats = mono_s() + cfg->stats_interval_s;
            }
            if (cfg->stats_interval_s > 0 && mono_s() >= next_stats) {
                vigil_ingest_log_stats(ing);
                next_stats = mono_s() + cfg->stats_interval_s;
            }
            if (mono_s() >= next_retention) {
                apply_retention(store, cfg);
                next_retention = mono_s() + RUN_RETENTION_EVERY_S;
            }
            run_detect_tick(rd, store);
            if (vigil_ingest_done(ing)) {
                vigil_log(VIGIL_LOG_INFO, 1150,
                          "every source has ended: stopping");
                break;
            }
        }
    }
    vigil_ingest_stop(ing);
    if (once) /* the input ended: decide the open correlation windows */
        run_detect_finish(rd, store);
    vigil_err_clear(&err);
    if (vigil_store_flush(store, &err) != VIGIL_OK) {
        vigil_log(VIGIL_LOG_ERROR, 1151, "%s", err.msg);
        ret = VIGIL_EXIT_IOERR;
    }
    if (ing != NULL)
        vigil_ingest_log_stats(ing);

out:
    vigil_ingest_free(ing);
    run_detect_free(rd);
    vigil_store_close(store);
    vigil_config_free(cfg);
    free(cfg);
    return ret;
}
