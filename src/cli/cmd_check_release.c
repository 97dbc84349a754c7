/* cmd_check_release.c -- `vigil check-release`: placeholder until its issue
 * lands. */
#include <stdio.h>

#include "cli.h"

int
cmd_check_release(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "vigil check-release: not built yet\n");
    return VIGIL_EXIT_SOFTWARE;
}
