/* cmd_run.c -- `vigil run`: the daemon's options; the daemon itself is
 * src/daemon (vigil_daemon_run). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/core.h"
#include "daemon/daemon.h"

enum { OPT_CONFIG, OPT_STATE_DIR, OPT_ONCE, OPT_VERBOSE };

static const struct cli_opt opts[] = {
    {OPT_CONFIG, "config", 'c', "FILE",
     "YAML configuration (docs/configuration.md).\nWithout it: the system "
     "logs that exist (/var/log/auth.log, secure, syslog, messages), else "
     "the journal."},
    {OPT_STATE_DIR, "state-dir", 0, "DIR",
     "where the store lives; overrides the configuration's state_dir, "
     "$VIGIL_STATE_DIR and the default (/var/lib/vigil for root, else "
     "~/.local/state/vigil)."},
    {OPT_ONCE, "once", 0, NULL,
     "read the configured files (and stdin, the journal) to their end, "
     "store everything and exit; syslog sources are skipped. Checkpoints "
     "apply: a second run reads only what was appended since."},
    {OPT_VERBOSE, "verbose", 'v', NULL, "log debug messages too."},
};

static void usage(FILE *out);

static const struct cli_cmd cmd = {
    .name = "run",
    .synopsis = "usage: vigil run [-c FILE] [--state-dir DIR] [--once] [-v]\n",
    .opts = opts,
    .nopts = CLI_NOPTS(opts),
    .usage = usage,
};

static void
usage(FILE *out)
{
    fprintf(out,
            "%s\n"
            "Collects logs from the configured sources (files, syslog over "
            "UDP/TCP, the\nsystemd journal, stdin), decodes them, runs "
            "detection and stores events,\nalerts, checkpoints and counters "
            "in DIR/vigil.db (SQLite, WAL mode).\n\n",
            cmd.synopsis);
    cli_opts_help(out, &cmd);
    fprintf(out,
            "\nSignals: SIGTERM or SIGINT stop reading, store what was read "
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
    int once = 0, verbose = 0, c;
    struct cli_opts o;
    struct vigil_daemon_opts dopts = {0};
    struct vigil_err err = {0};
    enum vigil_rc rc;

    cli_opts_start(&o, &cmd, argc, argv);
    while ((c = cli_opts_next(&o)) >= 0) {
        switch (c) {
        case OPT_CONFIG:
            cfg_path = o.val;
            break;
        case OPT_STATE_DIR:
            state_opt = o.val;
            break;
        case OPT_ONCE:
            once = 1;
            break;
        case OPT_VERBOSE:
            verbose = 1;
            break;
        }
    }
    if (c == CLI_OPTS_EXIT)
        return o.exit;
    if (o.nargs > 0)
        return cli_usage_error(&cmd, "unexpected argument '%s'", o.args[0]);
    cli_log_to_stderr(verbose);

    dopts.config_path = cfg_path;
    dopts.state_dir = state_opt;
    dopts.once = once;
    if ((rc = vigil_daemon_run(&dopts, &err)) == VIGIL_OK)
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
