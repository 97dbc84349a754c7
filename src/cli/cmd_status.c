/* cmd_status.c -- `vigil status`: placeholder until its issue lands. */
#include <stdio.h>

#include "cli.h"

int
cmd_status(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "vigil status: not built yet\n");
    return VIGIL_EXIT_SOFTWARE;
}
