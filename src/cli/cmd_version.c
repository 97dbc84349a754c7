/* cmd_version.c -- `vigil version`: the version and linked libraries. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/core.h"

enum { OPT_JSON };

static const struct cli_opt opts[] = {
    {OPT_JSON, "json", 0, NULL, "print it as a JSON object"},
};

static void usage(FILE *out);

static const struct cli_cmd cmd = {
    .name = "version",
    .synopsis = "usage: vigil version [--json]\n",
    .opts = opts,
    .nopts = CLI_NOPTS(opts),
    .usage = usage,
};

static void
usage(FILE *out)
{
    fprintf(out, "%s\nPrints vigil's version.\n\n", cmd.synopsis);
    cli_opts_help(out, &cmd);
}

int
cmd_version(int argc, char **argv)
{
    struct cli_opts o;
    int json = 0, c;

    cli_opts_start(&o, &cmd, argc, argv);
    while ((c = cli_opts_next(&o)) >= 0)
        json = 1; /* OPT_JSON, the only one */
    if (c == CLI_OPTS_EXIT)
        return o.exit;
    if (o.nargs > 0)
        return cli_usage_error(&cmd, "unexpected argument '%s'", o.args[0]);
    if (json)
        printf("{\"name\":\"vigil\",\"version\":\"%s\"}\n", VIGIL_VERSION);
    else
        printf("vigil %s\n", VIGIL_VERSION);
    return VIGIL_EXIT_OK;
}
