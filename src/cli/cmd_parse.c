/* cmd_parse.c -- `vigil parse`: placeholder until its issue lands. */
#include <stdio.h>

#include "cli.h"

int
cmd_parse(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "vigil parse: not built yet\n");
    return VIGIL_EXIT_SOFTWARE;
}
