/* cli.h -- the subcommands of the vigil program and what they share.
 *
 * Each subcommand lives in its own cmd_<name>.c, uses only the public
 * headers of the domains, and returns one of the exit codes below. */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

#include <stdio.h>

#include "core/core.h"
#include "detect/detect.h"

struct vigil_store;

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

/* ---- |expand placeholders (cli_common.c) ---- */
#define CLI_MAX_PLACEHOLDERS       64
#define CLI_MAX_PLACEHOLDER_VALUES 256

/* Values for Sigma's %NAME% placeholders, from --placeholder NAME=VALUE
 * (repeatable: values of one name add up) and the configuration's
 * placeholders: key. The strings are borrowed (argv, the configuration):
 * they must outlive the rule load that uses them. About 130 KiB: allocate
 * it (calloc). */
struct cli_placeholders {
    size_t n;
    char name[CLI_MAX_PLACEHOLDERS][128];
    const char *values[CLI_MAX_PLACEHOLDERS][CLI_MAX_PLACEHOLDER_VALUES];
    size_t nvalues[CLI_MAX_PLACEHOLDERS];
    struct vigil_detect_placeholder ph[CLI_MAX_PLACEHOLDERS];
};
/* Adds one NAME=VALUE argument; returns 0 (and writes why into why) when
 * it is malformed or a limit is reached. */
int cli_placeholder_arg(struct cli_placeholders *p, const char *arg, char *why,
                        size_t whylen);
/* Adds every placeholder of cfg (borrowed); returns 0 when a limit is
 * reached. */
int cli_placeholders_from_config(struct cli_placeholders *p,
                                 const struct vigil_detect_config *cfg);
/* Points opts at p's placeholders (p must outlive the rule load). */
void cli_placeholders_apply(struct cli_placeholders *p,
                            struct vigil_detect_opts *opts);

/* Installs the stderr log callback ("vigil: [1203] message"). */
void cli_log_to_stderr(int verbose);


/* Opens the daemon's store read-only for a reporting command (cmd names
 * it in messages): the state directory is state_opt, else cfg_path's
 * state_dir, else the default. Writes the database's path into db.
 * Returns 0 with an owned *out (vigil_store_close), or the exit code after
 * printing why. */
int cli_open_store_readonly(const char *cmd, const char *state_opt,
                            const char *cfg_path, struct vigil_store **out,
                            char *db, size_t dblen);



/* Is argv[i] "-h" or "--help"? */
int cli_wants_help(int argc, char **argv);

#endif
