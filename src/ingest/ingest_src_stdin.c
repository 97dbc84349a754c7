/* ingest_src_stdin.c -- the stdin source type: splits standard input
 * into lines and hands them to the shared machinery, without
 * checkpoints (a pipe cannot be read again); done at end of input. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "ingest_int.h"
#include "parse/parse.h"

#define STDIN_READ 65536

struct stdin_src {
    struct ingest_framer fr;
    char buf[STDIN_READ];
};

static enum vigil_rc
stdin_open(struct ingest_src *s, void **state, struct vigil_err *err)
{
    struct stdin_src *in = malloc(sizeof(*in));

    (void)s;
    *state = in;
    if (in == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    ingest_framer_init(&in->fr, VIGIL_MAX_LINE);
    return VIGIL_OK;
}

static void
stdin_run(struct ingest_src *s, void *state)
{
    struct stdin_src *in = state;

    while (!ingest_src_stopping(s)) {
        struct vigil_err err = {0};
        struct pollfd pfd = {0, POLLIN, 0};
        int r = poll(&pfd, 1, INGEST_WAIT_MS);

        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0) {
            ingest_src_flush(s, &err);
            continue;
        }
        ssize_t k = read(0, in->buf, sizeof(in->buf));
        if (k < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (k <= 0) {
            ingest_framer_finish(&in->fr, ingest_src_message, s);
            break;
        }
        ingest_lines_feed(&in->fr, in->buf, (size_t)k, ingest_src_message, s);
        ingest_src_flush_due(s, &err);
    }
}

static void
stdin_close(void *state)
{
    struct stdin_src *in = state;

    if (in == NULL)
        return;
    ingest_framer_fini(&in->fr);
    free(in);
}

const struct ingest_source_ops ingest_src_stdin_ops = {
    .type = "stdin",
    .default_format = NULL,
    .open = stdin_open,
    .run = stdin_run,
    .rewind = NULL,
    .close = stdin_close,
};
