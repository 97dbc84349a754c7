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
    {"version", cmd_version, "print the version"},
};

static void
usage(FILE *out)
{
    fprintf(out, "usage: vigil COMMAND [OPTIONS] [ARGS]\n\n"
                 "vigil watches logs, files and documents of a public body "
                 "for attacks and\naccidental disclosure.\n\nCommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'vigil COMMAND --help' for a command's options.\n"
                 "Exit codes: 0 success, 64 usage, 65 bad input, 66 missing "
                 "input,\n70 internal error, 74 I/O or store error, 78 "
                 "configuration refused.\n");
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return VIGIL_EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return VIGIL_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(argc - 1, argv + 1);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "vigil: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return VIGIL_EXIT_USAGE;
}
