/* cli.h -- the subcommands of the vigil program and what they share.
 *
 * Each subcommand lives in its own cmd_<name>.c, uses only the public
 * headers of the domains, and returns one of the exit codes below. */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

#include <stdio.h>

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

/* Installs the stderr log callback ("vigil: [1203] message"). */
void cli_log_to_stderr(int verbose);

/* Is argv[i] "-h" or "--help"? */
int cli_wants_help(int argc, char **argv);

#endif
