/* cli.h -- the subcommands of the vigil program and what they share.
 *
 * Each subcommand lives in its own cmd_<name>.c, uses only the public
 * headers of the domains, and returns one of the exit codes below. */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

#include <stdio.h>

#include "core/core.h"
#include "detect/detect.h"

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
 * compiles them once (the literal databases cached in state_dir/cache).
 * Refused rules are logged (file:line) and skipped. cfg and state_dir are
 * borrowed for the call. Returns owned *out (run_detect_free after the
 * pipeline that uses its hook is freed). */
enum vigil_rc run_detect_new(struct run_detect **out,
                             const struct vigil_config *cfg,
                             const char *state_dir, struct vigil_err *err);
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
/* The end of the input (`vigil run --once`): decides every correlation
 * window still open (lt/lte/eq conditions report here) and submits the
 * alerts to store. Call before the final store flush. */
enum vigil_rc run_detect_finish(struct run_detect *rd,
                                struct vigil_store *store);
void run_detect_free(struct run_detect *rd);

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
                                 const struct vigil_config *cfg);
/* Points opts at p's placeholders (p must outlive the rule load). */
void cli_placeholders_apply(struct cli_placeholders *p,
                            struct vigil_detect_opts *opts);

/* Installs the stderr log callback ("vigil: [1203] message"). */
void cli_log_to_stderr(int verbose);

/* Writes the folder of vigil's own rule pack into dst (see cli_common.c
 * for the order it is looked for in); returns 1 when it exists. */
int cli_find_builtin_rules(char *dst, size_t len);

/* Opens the daemon's store read-only for a reporting command (cmd names
 * it in messages): the state directory is state_opt, else cfg_path's
 * state_dir, else the default. Writes the database's path into db.
 * Returns 0 with an owned *out (vigil_store_close), or the exit code after
 * printing why. */
int cli_open_store_readonly(const char *cmd, const char *state_opt,
                            const char *cfg_path, struct vigil_store **out,
                            char *db, size_t dblen);

/* mkdir -p with mode 0700; returns 0 or -1 (errno set). */
int cli_mkdir_p(const char *path);

/* The folder for compiled rule databases kept between runs:
 * STATE_DIR/cache (state_dir NULL: the default state directory), made if
 * missing. Returns 1 with the path in dst, 0 when there is none to use. */
int cli_cache_dir(const char *state_dir, char *dst, size_t len);

/* Is argv[i] "-h" or "--help"? */
int cli_wants_help(int argc, char **argv);

#endif
