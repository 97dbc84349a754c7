/* cmd_run.c -- `vigil run`: the daemon's options; the daemon itself is
 * src/daemon (vigil_daemon_run). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/core.h"
#include "daemon/daemon.h"

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

int
cmd_run(int argc, char **argv)
{
    const char *cfg_path = NULL, *state_opt = NULL;
    int once = 0, verbose = 0;
    struct vigil_daemon_opts opts = {0};
    struct vigil_err err = {0};
    enum vigil_rc rc;

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

    opts.config_path = cfg_path;
    opts.state_dir = state_opt;
    opts.once = once;
    if ((rc = vigil_daemon_run(&opts, &err)) == VIGIL_OK)
        return VIGIL_EXIT_OK;
    fprintf(stderr, "vigil run: %s\n", err.msg);
    switch (rc) {
    case VIGIL_ENOTFOUND:
        return VIGIL_EXIT_NOINPUT;
    case VIGIL_EPARSE:
    case VIGIL_EINVAL:
        return VIGIL_EXIT_CONFIG;
    case VIGIL_EIO:
    case VIGIL_ESTORE:
        return VIGIL_EXIT_IOERR;
    default:
        return VIGIL_EXIT_SOFTWARE;
    }
}
