/* core_log.c -- hands log messages to the callback the program set.
 *
 * The callback is set once at start-up, before any thread starts, and is
 * read-only afterwards; that is the only process-wide state in core. */
#include <stdio.h>

#include "core.h"

static vigil_log_fn log_fn;
static void *log_arg;
static enum vigil_log_level log_max = VIGIL_LOG_INFO;

void
vigil_log_set(vigil_log_fn fn, void *arg, enum vigil_log_level max)
{
    log_fn = fn;
    log_arg = arg;
    log_max = max;
}

void
vigil_log(enum vigil_log_level level, int id, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    if (log_fn == NULL || level > log_max)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* Messages quote names and text others choose (a file named
     * "a.log.1\nvigil: error [1301] ..." in a log folder): a control byte
     * would forge a line of the daemon's log or drive the terminal. */
    for (char *p = msg; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    log_fn(level, id, msg, log_arg);
}
