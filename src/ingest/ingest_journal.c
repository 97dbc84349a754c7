/* ingest_journal.c -- reads the systemd journal through libsystemd's
 * sd_journal and turns each entry into an RFC 5424 line, so the syslog
 * decoder (and its Linux auth decoding) applies unchanged.
 *
 * Checkpoint: the store's checkpoint has no room for a journal cursor
 * string, so it keeps the entry's realtime stamp (offset, in us) and a hash
 * of its cursor (fingerprint). Resuming seeks to the stamp and skips
 * entries up to and including the one whose cursor hashes the same, so
 * entries sharing a stamp are neither skipped nor read twice. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_int.h"

#ifdef VIGIL_HAVE_SYSTEMD
#include <systemd/sd-journal.h>

struct ingest_journal {
    sd_journal *j;
    struct vigil_buf line;
    int resume; /* still skipping to the checkpoint */
    uint64_t resume_usec;
    uint64_t resume_hash;
};

enum vigil_rc
ingest_journal_open(struct ingest_journal **out,
                    const struct vigil_checkpoint *cp, int from_head,
                    struct vigil_err *err)
{
    struct ingest_journal *jr = calloc(1, sizeof(*jr));
    int r;

    *out = NULL;
    if (jr == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    vigil_buf_init(&jr->line, 1024 * 1024);
    if ((r = sd_journal_open(&jr->j, SD_JOURNAL_LOCAL_ONLY)) < 0) {
        free(jr);
        return vigil_err_set(err, VIGIL_EIO, "journal: cannot open: %s",
                             strerror(-r));
    }
    if (cp != NULL) {
        sd_journal_seek_realtime_usec(jr->j, cp->offset);
        jr->resume = 1;
        jr->resume_usec = cp->offset;
        jr->resume_hash = cp->fingerprint;
    } else if (from_head) {
        sd_journal_seek_head(jr->j);
    } else {
        /* First start of a daemon: only what is logged from now on; the
         * history can be read once with `vigil run --once`. */
        sd_journal_seek_tail(jr->j);
        sd_journal_previous(jr->j);
    }
    *out = jr;
    return VIGIL_OK;
}

void
ingest_journal_close(struct ingest_journal *jr)
{
    if (jr == NULL)
        return;
    sd_journal_close(jr->j);
    vigil_buf_fini(&jr->line);
    free(jr);
}

static int
field(sd_journal *j, const char *name, const char **val, size_t *len)
{
    const void *d;
    size_t n, k = strlen(name);

    if (sd_journal_get_data(j, name, &d, &n) < 0 || n <= k + 1)
        return 0;
    *val = (const char *)d + k + 1;
    *len = n - k - 1;
    return 1;
}

/* Copies a header field, with '-' for missing and no spaces. */
static void
put_token(struct vigil_buf *b, const char *s, size_t n, size_t max)
{
    if (n == 0) {
        vigil_buf_putc(b, '-');
        return;
    }
    for (size_t i = 0; i < n && i < max; i++)
        vigil_buf_putc(b, (s[i] == ' ' || s[i] == '\n') ? '_' : s[i]);
}

enum vigil_rc
ingest_journal_next(struct ingest_journal *jr, const char **line, size_t *len,
                    struct vigil_checkpoint *cp, struct vigil_err *err)
{
    for (;;) {
        int r = sd_journal_next(jr->j);
        uint64_t usec;
        char *cursor = NULL;
        uint64_t h;
        const char *msg, *v;
        size_t msglen, vlen;
        int pri = 13;
        char ts[40];

        if (r < 0)
            return vigil_err_set(err, VIGIL_EIO, "journal: %s", strerror(-r));
        if (r == 0)
            return VIGIL_END;
        if (sd_journal_get_realtime_usec(jr->j, &usec) < 0 ||
            sd_journal_get_cursor(jr->j, &cursor) < 0)
            continue;
        h = ingest_hash(cursor, strlen(cursor)) | 1;
        free(cursor);
        if (jr->resume) {
            if (usec == jr->resume_usec && h != jr->resume_hash)
                continue;
            jr->resume = 0;
            if (usec == jr->resume_usec)
                continue; /* the entry the checkpoint names: done */
        }
        cp->offset = usec;
        cp->fingerprint = h;
        cp->dev = 0;
        cp->inode = 0;
        if (!field(jr->j, "MESSAGE", &msg, &msglen))
            continue;
        if (field(jr->j, "PRIORITY", &v, &vlen) && vlen == 1 && v[0] >= '0' &&
            v[0] <= '7')
            pri = v[0] - '0';
        if (field(jr->j, "SYSLOG_FACILITY", &v, &vlen) && vlen <= 2) {
            int64_t fac;
            if (vigil_parse_i64(v, vlen, &fac) && fac >= 0 && fac < 24)
                pri = (int)fac * 8 + (pri & 7);
            else
                pri = 8 + (pri & 7);
        } else {
            pri = 8 + (pri & 7); /* user */
        }
        vigil_time_format((int64_t)usec * 1000, ts);
        vigil_buf_reset(&jr->line);
        vigil_buf_printf(&jr->line, "<%d>1 %s ", pri, ts);
        if (field(jr->j, "_HOSTNAME", &v, &vlen))
            put_token(&jr->line, v, vlen, 255);
        else
            vigil_buf_putc(&jr->line, '-');
        vigil_buf_putc(&jr->line, ' ');
        if (field(jr->j, "SYSLOG_IDENTIFIER", &v, &vlen) ||
            field(jr->j, "_COMM", &v, &vlen))
            put_token(&jr->line, v, vlen, 48);
        else
            vigil_buf_putc(&jr->line, '-');
        vigil_buf_putc(&jr->line, ' ');
        if (field(jr->j, "SYSLOG_PID", &v, &vlen) ||
            field(jr->j, "_PID", &v, &vlen))
            put_token(&jr->line, v, vlen, 128);
        else
            vigil_buf_putc(&jr->line, '-');
        vigil_buf_append(&jr->line, " - - ", 5);
        /* One event per entry: embedded newlines become spaces. */
        for (size_t i = 0; i < msglen && jr->line.data; i++)
            vigil_buf_putc(&jr->line, msg[i] == '\n' ? ' ' : msg[i]);
        if (jr->line.data == NULL) {
            /* Too long for a line: counted as failed by the caller. */
            vigil_buf_init(&jr->line, 1024 * 1024);
            *line = NULL;
            *len = 0;
            return VIGIL_OK;
        }
        *line = jr->line.data;
        *len = jr->line.len;
        return VIGIL_OK;
    }
}

int
ingest_journal_wait(struct ingest_journal *jr, int timeout_ms)
{
    return sd_journal_wait(jr->j, (uint64_t)timeout_ms * 1000);
}

#else /* !VIGIL_HAVE_SYSTEMD */

enum vigil_rc
ingest_journal_open(struct ingest_journal **out,
                    const struct vigil_checkpoint *cp, int from_head,
                    struct vigil_err *err)
{
    (void)cp, (void)from_head;
    *out = NULL;
    return vigil_err_set(err, VIGIL_EUNSUPPORTED,
                         "journal: vigil was built without libsystemd");
}

void
ingest_journal_close(struct ingest_journal *jr)
{
    (void)jr;
}

enum vigil_rc
ingest_journal_next(struct ingest_journal *jr, const char **line, size_t *len,
                    struct vigil_checkpoint *cp, struct vigil_err *err)
{
    (void)jr, (void)line, (void)len, (void)cp, (void)err;
    return VIGIL_END;
}

int
ingest_journal_wait(struct ingest_journal *jr, int timeout_ms)
{
    (void)jr, (void)timeout_ms;
    return 0;
}

#endif
