/* main.c -- the vigil program: dispatches to one subcommand per file. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/core.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"run", cmd_run, "collect logs, detect and store alerts (the daemon)"},
    {"parse", cmd_parse, "decode log files and print events as JSON lines"},
    {"hunt", cmd_hunt, "run Sigma rules over collected logs and EVTX files"},
    {"rules", cmd_rules, "list or check Sigma rules"},
    {"check-release", cmd_check_release,
     "check documents for hidden personal data before publishing"},
    {"status", cmd_status, "show the daemon's per-source counters"},
    {"alerts", cmd_alerts, "show the alerts the daemon stored"},
    {"respond", cmd_respond,
     "block, isolate, stop, lock by hand; list and undo actions"},
    {"fim", cmd_fim, "record files' baseline and check them for changes"},
    {"incident", cmd_incident,
     "incidents: cases, playbooks, regulators' clocks, register, export"},
    {"evidence", cmd_evidence, "verify the signed evidence log"},
    {"net", cmd_net, "flows and network alerts from captures or an interface"},
    {"user", cmd_user, "manage the users of the dashboard and REST API"},
    {"version", cmd_version, "print the version"},
};

enum { OPT_VERSION };

static const struct cli_opt opts[] = {
    {OPT_VERSION, "version", 0, NULL,
     "print the version (as `vigil version`; --version --json too)"},
};

static void usage(FILE *out);

static const struct cli_cmd cmd = {
    .synopsis = "usage: vigil COMMAND [OPTIONS] [ARGS]\n",
    .opts = opts,
    .nopts = CLI_NOPTS(opts),
    .usage = usage,
    .stop_at_arg = 1,
};

static void
usage(FILE *out)
{
    fprintf(out,
            "%s\nvigil watches logs, files and documents of a public body "
            "for attacks and\naccidental disclosure.\n\nCommands:\n",
            cmd.synopsis);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
    fputc('\n', out);
    cli_opts_help(out, &cmd);
    fprintf(out, "\nRun 'vigil COMMAND --help' for a command's options; "
                 "every command takes\n--name=VALUE or --name VALUE, -xVALUE "
                 "or -x VALUE, and -- to end the options.\n"
                 "Exit codes: 0 success, 64 usage, 65 bad input, 66 missing "
                 "input,\n70 internal error, 74 I/O or store error, 78 "
                 "configuration refused.\n");
}

int
main(int argc, char **argv)
{
    struct cli_opts o;
    int c;

    cli_opts_start(&o, &cmd, argc, argv);
    /* Options before the command only; the rest is the command's. */
    c = cli_opts_next(&o);
    if (c == OPT_VERSION) {
        /* What follows are `vigil version`'s options, "--version"
         * standing in for its argv[0]. */
        int first = optind - 1;
        return cmd_version(argc - first, argv + first);
    }
    if (c == CLI_OPTS_EXIT)
        return o.exit;
    if (o.nargs == 0) {
        usage(stderr);
        return VIGIL_EXIT_USAGE;
    }
    if (strcmp(o.args[0], "help") == 0) {
        usage(stdout);
        return VIGIL_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(o.args[0], commands[i].name) == 0)
            return commands[i].fn(o.nargs, o.args);
    return cli_usage_error(&cmd, "unknown command '%s'", o.args[0]);
}
