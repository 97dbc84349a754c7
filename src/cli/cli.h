/* cli.h -- the subcommands of the vigil program and what they share.
 *
 * Each subcommand lives in its own cmd_<name>.c, uses only the public
 * headers of the domains, and returns one of the exit codes below. */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

#include <stdio.h>

#include "core/core.h"

/* Exit codes scripts can rely on (sysexits.h values for failures).
 * Commands that give a verdict (check-release, hunt) document their own
 * 0/1/2 meanings in their --help and man page. */
enum vigil_exit {
    VIGIL_EXIT_OK = 0,
    VIGIL_EXIT_USAGE = 64,    /* bad command line */
    VIGIL_EXIT_DATAERR = 65,  /* input could not be used */
    VIGIL_EXIT_NOINPUT = 66,  /* input file missing or unreadable */
    VIGIL_EXIT_SOFTWARE = 70, /* internal error */
    VIGIL_EXIT_IOERR = 74,    /* store or output failure */
    VIGIL_EXIT_CONFIG = 78    /* configuration refused */
};

int cmd_run(int argc, char **argv);
int cmd_parse(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_hunt(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_check_release(int argc, char **argv);
int cmd_alerts(int argc, char **argv);

/* ---- live detection for `vigil run` (run_detect.c) ---- */
struct run_detect;
struct vigil_detector;
struct vigil_store;
/* Loads vigil's pack (unless cfg->builtin_rules is 0) and cfg->rule_dirs,
 * compiles them once. Refused rules are logged (file:line) and skipped.
 * cfg is borrowed for the call. Returns owned *out (run_detect_free after
 * the pipeline that uses its hook is freed). */
enum vigil_rc run_detect_new(struct run_detect **out,
                             const struct vigil_config *cfg,
                             struct vigil_err *err);
/* The pipeline hook; owned by rd. NULL-safe (NULL: no detection). */
const struct vigil_detector *run_detect_hook(struct run_detect *rd);
/* Logs the rule counts (message 1161). */
void run_detect_log(const struct run_detect *rd);
/* Does the new engine refuse more rules than the running one? Then err
 * says how many and which first (file:line), and a reload keeps ord. */
int run_detect_worse(const struct run_detect *nrd, const struct run_detect *ord,
                     struct vigil_err *err);
/* Closes correlation windows that ended by the newest event time seen
 * (not the wall clock: a backlog of old lines must correlate as it would
 * have live) and submits their alerts to store in a batch of their own. */
enum vigil_rc run_detect_tick(struct run_detect *rd, struct vigil_store *store);
void run_detect_free(struct run_detect *rd);

/* Installs the stderr log callback ("vigil: [1203] message"). */
void cli_log_to_stderr(int verbose);

/* Is argv[i] "-h" or "--help"? */
int cli_wants_help(int argc, char **argv);

#endif
