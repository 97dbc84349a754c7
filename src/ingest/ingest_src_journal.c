/* ingest_src_journal.c -- the journald source type: reads the local
 * systemd journal from its checkpoint (a journal cursor kept under the
 * key "journald:NAME"), or from the head when reading once and the tail
 * otherwise, and hands each entry to the shared machinery as an RFC 5424
 * line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_int.h"

struct journal_src {
    struct ingest_journal *jr;
    struct vigil_checkpoint cp; /* key set; where the journal stands */
};

static enum vigil_rc
journal_open(struct ingest_src *s, void **state, struct vigil_err *err)
{
    struct journal_src *j = calloc(1, sizeof(*j));
    struct vigil_checkpoint cp;
    int have;

    *state = j;
    if (j == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    snprintf(j->cp.key, sizeof(j->cp.key), "journald:%s",
             ingest_src_config(s)->name);
    have = ingest_src_ckpt_get(s, j->cp.key, &cp) == VIGIL_OK;
    return ingest_journal_open(&j->jr, have ? &cp : NULL, ingest_src_once(s),
                               err);
}

static void
journal_run(struct ingest_src *s, void *state)
{
    struct journal_src *j = state;

    while (!ingest_src_stopping(s)) {
        struct vigil_err err = {0};
        const char *line;
        size_t len;
        enum vigil_rc rc =
            ingest_journal_next(j->jr, &line, &len, &j->cp, &err);

        if (rc == VIGIL_OK) {
            ingest_src_line(s, line, len, &j->cp);
            ingest_src_flush_due(s, &err);
            continue;
        }
        if (rc != VIGIL_END)
            vigil_log(VIGIL_LOG_ERROR, 1130, "source %s: %s",
                      ingest_src_config(s)->name, err.msg);
        ingest_src_flush(s, &err);
        if (ingest_src_once(s))
            break;
        ingest_journal_wait(j->jr, INGEST_WAIT_MS);
    }
}

static void
journal_close(void *state)
{
    struct journal_src *j = state;

    if (j == NULL)
        return;
    ingest_journal_close(j->jr);
    free(j);
}

const struct ingest_source_ops ingest_src_journal_ops = {
    .type = "journald",
    .default_format = "syslog",
    .open = journal_open,
    .run = journal_run,
    .rewind = NULL,
    .close = journal_close,
};
