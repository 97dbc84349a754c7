/* ingest_src_file.c -- the file source type: follows the files matching
 * the source's globs with the tailer (rotation, truncation, resuming
 * from checkpoints) and hands their lines to the shared machinery. After
 * a failed commit it reads again from the committed checkpoints.
 *
 * Idle, it waits up to ingest.poll_interval, but wakes as soon as inotify
 * says a file of a watched folder whose name fits a pattern changed: a
 * line appended to auth.log reaches detection (and containment) in about
 * a millisecond instead of half a poll interval on average. The poll
 * stays the rule (NFS, folders that appear later); inotify only ends the
 * wait early. */
#include <errno.h>
#include <fnmatch.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "ingest_int.h"
#include "parse/parse.h"

#define FILE_READ_BUDGET (1024 * 1024) /* bytes per file per poll */

struct file_src {
    struct ingest_tail *tail;
    int ino; /* inotify descriptor, -1 without */
    const struct vigil_source_config *sc;
};

/* Watches the folder of each literal-folder pattern (the file itself may
 * not exist yet, or be replaced by rotation). */
static void
watch_open(struct file_src *f)
{
    f->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    for (size_t i = 0; f->ino >= 0 && i < f->sc->npaths; i++) {
        const char *p = f->sc->paths[i], *slash = strrchr(p, '/');
        char dir[4096];

        if (slash == NULL || (size_t)(slash - p) >= sizeof(dir))
            continue;
        memcpy(dir, p, (size_t)(slash - p));
        dir[slash - p] = '\0';
        if (dir[0] == '\0')
            dir[0] = '/', dir[1] = '\0';
        if (strpbrk(dir, "*?[") == NULL)
            inotify_add_watch(f->ino, dir,
                              IN_MODIFY | IN_CREATE | IN_MOVED_TO |
                                  IN_CLOSE_WRITE);
    }
}

/* Does an inotify event name one of the source's files? */
static int
watched_name(const struct file_src *f, const char *name)
{
    for (size_t i = 0; i < f->sc->npaths; i++) {
        const char *slash = strrchr(f->sc->paths[i], '/');
        const char *base = slash ? slash + 1 : f->sc->paths[i];
        if (fnmatch(base, name, FNM_PERIOD) == 0)
            return 1;
    }
    return 0;
}

/* Waits up to ms, less when one of the files changes. */
static void
file_wait(struct file_src *f, int64_t ms)
{
    struct timespec ts;
    int64_t now, end;

    if (f->ino < 0) {
        ingest_sleep_ms(ms);
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &ts);
    now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    end = now + ms;
    while (now < end) {
        struct pollfd p = {f->ino, POLLIN, 0};
        char buf[4096] __attribute__((aligned(8)));
        int woke = 0;
        ssize_t n;

        if (poll(&p, 1, (int)(end - now)) <= 0)
            return; /* time is up (or a signal: the caller looks again) */
        while ((n = read(f->ino, buf, sizeof(buf))) > 0)
            for (char *q = buf; q < buf + n;) {
                const struct inotify_event *e = (const void *)q;
                if (e->len > 0 && watched_name(f, e->name))
                    woke = 1;
                q += sizeof(*e) + e->len;
            }
        if (woke)
            return;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    }
}

static void
file_log(struct ingest_src *s, const struct vigil_err *err)
{
    vigil_log(VIGIL_LOG_ERROR, 1114, "source %s: %s",
              ingest_src_config(s)->name, err->msg);
}

/* Moves the tailer's loss counts to the source's counters. */
static void
take_counts(struct ingest_src *s, struct file_src *f)
{
    uint64_t lost = ingest_tail_take_lost(f->tail), bytes, files;

    if (lost > 0)
        ingest_src_add_truncated(s, lost);
    ingest_tail_take_unread(f->tail, &bytes, &files);
    if (bytes > 0 || files > 0)
        ingest_src_add_unread(s, bytes, files);
}

static enum vigil_rc
file_open(struct ingest_src *s, void **state, struct vigil_err *err)
{
    const struct vigil_source_config *sc = ingest_src_config(s);
    struct file_src *f = calloc(1, sizeof(*f));
    enum vigil_rc rc;

    *state = f;
    if (f == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    f->sc = sc;
    watch_open(f);
    if ((rc = ingest_tail_new(&f->tail, sc->paths, sc->npaths, VIGIL_MAX_LINE,
                              sc->rotate_wait_ms, err)) != VIGIL_OK)
        return rc;
    rc = ingest_tail_scan(f->tail, ingest_src_ckpt_get, s, err);
    take_counts(s, f);
    if (rc == VIGIL_OK && ingest_tail_nfiles(f->tail) == 0)
        vigil_log(VIGIL_LOG_WARN, 1106,
                  "source %s: no file matches its paths yet", sc->name);
    return rc;
}

static void
file_rewind(struct ingest_src *s, void *state)
{
    struct file_src *f = state;
    struct vigil_err err = {0};

    ingest_tail_reset(f->tail);
    if (ingest_tail_scan(f->tail, ingest_src_ckpt_get, s, &err) != VIGIL_OK)
        file_log(s, &err);
}

static void
file_run(struct ingest_src *s, void *state)
{
    struct file_src *f = state;
    const struct vigil_ingest_config *cfg = ingest_src_settings(s);
    struct ingest_sink sink;
    int64_t next_scan = ingest_mono_ms() + cfg->rescan_s * 1000;

    ingest_src_sink(s, &sink);
    while (!ingest_src_stopping(s)) {
        struct vigil_err err = {0};
        size_t bytes = 0;
        enum vigil_rc rc;

        if (ingest_src_recover(s))
            continue;
        if (ingest_mono_ms() >= next_scan) {
            if (ingest_tail_scan(f->tail, ingest_src_ckpt_get, s, &err) !=
                VIGIL_OK)
                file_log(s, &err);
            next_scan = ingest_mono_ms() + cfg->rescan_s * 1000;
        }
        rc =
            ingest_tail_poll(f->tail, &sink, FILE_READ_BUDGET, 0, &bytes, &err);
        take_counts(s, f);
        if (rc != VIGIL_OK) {
            /* A refused line is no read error: recovery follows. */
            if (!ingest_src_failed(s))
                file_log(s, &err);
            ingest_sleep_ms(cfg->poll_ms);
            continue;
        }
        if (bytes > 0) {
            ingest_src_flush_due(s, &err);
            continue;
        }
        if (ingest_src_once(s)) {
            rc = ingest_tail_poll(f->tail, &sink, FILE_READ_BUDGET, 1, &bytes,
                                  &err);
            if (rc == VIGIL_OK && bytes > 0)
                continue; /* appended meanwhile: keep reading */
            break;
        }
        ingest_src_flush(s, &err);
        file_wait(f, cfg->poll_ms);
    }
    /* Rotated files still read are not gone back to after a restart. */
    ingest_tail_stop(f->tail, &sink);
    take_counts(s, f);
}

static void
file_close(void *state)
{
    struct file_src *f = state;

    if (f == NULL)
        return;
    ingest_tail_free(f->tail);
    if (f->ino >= 0)
        close(f->ino);
    free(f);
}

const struct ingest_source_ops ingest_src_file_ops = {
    .type = "file",
    .default_format = NULL,
    .open = file_open,
    .run = file_run,
    .rewind = file_rewind,
    .close = file_close,
};
