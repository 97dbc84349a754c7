/* cmd_rules.c -- `vigil rules`: placeholder until its issue lands. */
#include <stdio.h>

#include "cli.h"

int
cmd_rules(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "vigil rules: not built yet\n");
    return VIGIL_EXIT_SOFTWARE;
}
