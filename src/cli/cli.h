/* cli.h -- the subcommands of the vigil program and what they share.
 *
 * Each subcommand lives in its own cmd_<name>.c, uses only the public
 * headers of the domains, and returns one of the exit codes below. */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

#include <getopt.h>
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
int cmd_respond(int argc, char **argv);
int cmd_fim(int argc, char **argv);
int cmd_incident(int argc, char **argv);
int cmd_evidence(int argc, char **argv);
int cmd_net(int argc, char **argv);
int cmd_user(int argc, char **argv);

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

/* The exit code for a configuration that did not load (rc from
 * vigil_daemon_config_load): 66 when the file cannot be read, as `vigil
 * run` does, 78 when it is refused. */
int cli_config_exit(enum vigil_rc rc);

/* Opens the daemon's store read-only for a reporting command (cmd names
 * it in messages): the state directory is state_opt, else cfg_path's
 * state_dir, else the default. Writes the database's path into db.
 * Returns 0 with an owned *out (vigil_store_close), or the exit code after
 * printing why. */
/* Like cli_open_store_readonly, for a command that writes (vigil
 * incident, vigil respond): opens read-write, creating the state
 * directory and store if missing and migrating every domain's tables
 * (vigil_daemon_schemas), beside a running daemon. */
int cli_open_store(const char *cmd, const char *state_opt, const char *cfg_path,
                   struct vigil_store **out);

/* The state directory a command uses (as cli_open_store finds it) into
 * state; returns 0 or the exit code after printing why. */
int cli_state_dir(const char *cmd, const char *state_opt, const char *cfg_path,
                  char *state, size_t len);

int cli_open_store_readonly(const char *cmd, const char *state_opt,
                            const char *cfg_path, struct vigil_store **out,
                            char *db, size_t dblen);

/* ---- command-line options (cli_opts.c) ----
 * Every command declares its options in a table and reads them with
 * cli_opts_next (getopt_long underneath), so all accept the same forms:
 * --name=V, --name V, -xV, -x V, bundled flags (-qv) and `--` ending the
 * options. Options and positional arguments may be mixed (also under
 * POSIXLY_CORRECT); the positionals keep their order. Long names must be
 * written in full: no GNU abbreviations, which a new option could make
 * ambiguous under a script. -h/--help is added to every table. Errors
 * read "vigil CMD: unknown option '--x'" or "vigil CMD: option '--rules'
 * needs a value", then the synopsis; the exit code is 64. */

/* One option. */
struct cli_opt {
    int id;            /* what cli_opts_next returns for it (>= 0) */
    const char *name;  /* long name without "--"; every option has one */
    char letter;       /* short letter, or 0 */
    const char *value; /* the value's name in --help ("DIR"); NULL: a flag */
    const char *help;  /* one paragraph, wrapped by cli_opts_help; a '\n'
                          starts a new line */
};

/* A command's command line. */
struct cli_cmd {
    const char *name;     /* "hunt" (messages say "vigil hunt: "); NULL:
                             vigil itself */
    const char *synopsis; /* the "usage: vigil hunt ..." line(s), each
                             ending in '\n' */
    const struct cli_opt *opts;
    size_t nopts;
    void (*usage)(FILE *out); /* the whole --help text */
    /* The first positional ends the options (the dispatcher: the rest
     * belongs to the subcommand). */
    int stop_at_arg;
};

#define CLI_OPTS_MAX  32
#define CLI_NOPTS(a)  (sizeof(a) / sizeof((a)[0]))
#define CLI_OPTS_END  (-1) /* no more options: see args, nargs */
#define CLI_OPTS_EXIT (-2) /* --help printed or a refused line: return exit */

/* Parser state for one command line; on the caller's stack. */
struct cli_opts {
    const struct cli_cmd *cmd; /* borrowed */
    int argc;
    char **argv;     /* borrowed; reordered in place */
    const char *val; /* the value of the option just returned, or NULL */
    char **args;     /* after CLI_OPTS_END: the positional arguments, */
    int nargs;       /* (in argv) in the order given */
    int exit;        /* after CLI_OPTS_EXIT: the command's exit code */
    struct option lo[CLI_OPTS_MAX + 2]; /* getopt_long's table */
    char shorts[3 * CLI_OPTS_MAX + 8];
};

/* Starts reading argv (argv[0] is the command's name) against cmd (both
 * borrowed; they must outlive o). Resets getopt's global state, so
 * commands may be parsed one after another in one process. */
void cli_opts_start(struct cli_opts *o, const struct cli_cmd *cmd, int argc,
                    char **argv);
/* The id of the next option (its value in o->val), CLI_OPTS_END, or
 * CLI_OPTS_EXIT after printing the help to stdout (exit 0) or an error
 * to stderr (exit 64). */
int cli_opts_next(struct cli_opts *o);
/* Prints "Options:" and the table, -h/--help last, wrapped to 79
 * columns: the part of a command's --help that parsing relies on. */
void cli_opts_help(FILE *out, const struct cli_cmd *cmd);
/* Prints "vigil CMD: MESSAGE", the synopsis and where the help is, for
 * a value the command refuses; returns VIGIL_EXIT_USAGE. */
int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
