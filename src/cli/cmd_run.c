/* cmd_run.c -- `vigil run`: placeholder until its issue lands. */
#include <stdio.h>

#include "cli.h"

int
cmd_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "vigil run: not built yet\n");
    return VIGIL_EXIT_SOFTWARE;
}
