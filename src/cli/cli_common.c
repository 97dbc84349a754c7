/* cli_common.c -- helpers shared by the subcommands. */
#include <string.h>

#include "cli.h"
#include "core/core.h"

static void
log_to_stderr(enum vigil_log_level level, int id, const char *msg, void *arg)
{
    static const char *names[] = {"error", "warning", "info", "debug"};

    (void)arg;
    fprintf(stderr, "vigil: %s [%d] %s\n", names[level], id, msg);
}

void
cli_log_to_stderr(int verbose)
{
    vigil_log_set(log_to_stderr, NULL,
                  verbose ? VIGIL_LOG_DEBUG : VIGIL_LOG_INFO);
}

int
cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    }
    return 0;
}
