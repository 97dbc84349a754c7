/* cmd_version.c -- `vigil version`: the version and linked libraries. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/core.h"

int
cmd_version(int argc, char **argv)
{
    int json = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: vigil version [--json]\n\n"
                   "Prints vigil's version. --json prints it as an object.\n");
            return VIGIL_EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else {
            fprintf(stderr, "vigil version: unknown option '%s'\n", argv[i]);
            return VIGIL_EXIT_USAGE;
        }
    }
    if (json)
        printf("{\"name\":\"vigil\",\"version\":\"%s\"}\n", VIGIL_VERSION);
    else
        printf("vigil %s\n", VIGIL_VERSION);
    return VIGIL_EXIT_OK;
}
