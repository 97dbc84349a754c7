/* cmd_hunt.c -- `vigil hunt`: placeholder until its issue lands. */
#include <stdio.h>

#include "cli.h"

int
cmd_hunt(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "vigil hunt: not built yet\n");
    return VIGIL_EXIT_SOFTWARE;
}
