/* parse_file.c -- reads one log file (or stdin) and decodes every event in
 * it: the reading behind `vigil parse`, kept out of the CLI so that only
 * options and printing stay there.
 *
 * Files are read in large blocks and cut into lines in place, so a line
 * costs one memchr and one decode. A bad line is counted and skipped,
 * never fatal. EVTX files (by signature, or when forced) go to the EVTX
 * reader. A line whose decoding runs out of memory stops the read with
 * VIGIL_ENOMEM: it is no bad line. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse/parse.h"

#define READ_BLOCK   (4u * 1024 * 1024)
#define BUF_SIZE     (READ_BLOCK + VIGIL_MAX_LINE + 1)
#define DETECT_LINES 16

/* One file being read. */
struct file_run {
    const struct vigil_parse_file_opts *o;
    vigil_parse_event_fn on_event; /* NULL: count only */
    void *arg;
    struct vigil_parse_file_stats *st;
    struct vigil_arena arena;
    struct vigil_event *ev;
    int stopped; /* on_event asked to stop, or nomem */
    int nomem;   /* a line's decoding ran out of memory: not a bad line */
    /* A Zeek TSV log (it starts with "#separator "): read with the header
     * it carries instead of line by line. */
    int tsv;
    struct vigil_zeek_tsv zeek;
};

/* Decodes one line with the forced format, else the one it fits. */
static void
one_line(struct file_run *r, struct vigil_decoder_auto *fmt, const char *p,
         size_t len)
{
    enum vigil_rc rc;

    if (len && p[len - 1] == '\r')
        len--;
    if (len == 0)
        return; /* blank lines are not events */
    vigil_event_init(r->ev, &r->arena);
    if (r->tsv) {
        rc = vigil_zeek_tsv_line(&r->zeek, r->ev, p, len, &r->o->parse);
        if (rc == VIGIL_END) { /* a header line: no event */
            if (r->arena.used_total)
                vigil_arena_reset(&r->arena);
            return;
        }
    } else if (r->o->forced != NULL)
        rc = vigil_decode_line(r->o->forced, r->ev, p, len, &r->o->parse);
    else
        rc = vigil_decode_auto(fmt, r->ev, p, len, &r->o->parse);
    if (rc == VIGIL_OK) {
        r->st->events++;
        if (r->on_event != NULL && r->on_event(r->ev, r->arg) != 0)
            r->stopped = 1;
    } else if (rc == VIGIL_ENOMEM) {
        r->nomem = 1;
        r->stopped = 1;
    } else {
        r->st->failed++;
    }
    if (r->arena.used_total)
        vigil_arena_reset(&r->arena);
}

static const struct vigil_decoder *
detect(const char *buf, size_t len)
{
    const char *lines[DETECT_LINES];
    size_t lens[DETECT_LINES], n = 0;
    const char *p = buf, *end = buf + len;

    while (p < end && n < DETECT_LINES) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        if (e > p) {
            lines[n] = p;
            lens[n] = (size_t)(e - p);
            n++;
        }
        p = nl ? nl + 1 : end;
    }
    return vigil_decoder_detect(lines, lens, n);
}

static size_t
count_lines(const char *p, size_t len)
{
    const char *end = p + len;
    size_t n = 0;

    while (n < DETECT_LINES && (p = memchr(p, '\n', (size_t)(end - p)))) {
        p++;
        n++;
    }
    return n;
}

static enum vigil_rc
evtx_event(struct vigil_event *ev, void *arg)
{
    struct file_run *r = arg;

    r->st->events++;
    if (r->on_event != NULL && r->on_event(ev, r->arg) != 0) {
        r->stopped = 1;
        return VIGIL_EIO;
    }
    return VIGIL_OK;
}

static void
note(const struct file_run *r, const char *msg)
{
    if (r->o->on_note != NULL)
        r->o->on_note(msg, r->arg);
}

static enum vigil_rc
read_evtx(struct file_run *r, const char *path, struct vigil_err *err)
{
    struct vigil_evtx_stats st = {0};
    struct vigil_evtx_opts eo = {r->o->evtx_carve, 0};
    struct vigil_err e = {0};
    enum vigil_rc rc;

    if (r->o->on_format != NULL)
        r->o->on_format(path, "evtx", r->arg);
    rc = vigil_evtx_read(path, &eo, evtx_event, r, &st, &e);
    r->st->failed += st.failed;
    if (st.damaged_chunks != 0) {
        char msg[4096 + 96];

        snprintf(msg, sizeof(msg), "%s: %llu damaged EVTX chunk(s) skipped%s",
                 path, (unsigned long long)st.damaged_chunks,
                 eo.carve ? " (carved)" : " (--carve recovers their records)");
        note(r, msg);
    }
    if (r->stopped)
        return VIGIL_END;
    if (rc == VIGIL_OK && st.records == 0 && st.failed == 0 &&
        (st.damaged_chunks != 0 || vigil_evtx_looks_damaged(path))) {
        /* Nothing read from a file that should hold records. */
        char msg[4096 + 64];

        snprintf(msg, sizeof(msg),
                 "%s: damaged EVTX file, no record could be read", path);
        note(r, msg);
        r->st->failed++;
        return VIGIL_OK;
    }
    if (rc == VIGIL_OK)
        return VIGIL_OK;
    if (st.records != 0) {
        note(r, e.msg);
        return VIGIL_OK;
    }
    r->st->failed++;
    if (rc != VIGIL_EIO) {
        note(r, e.msg);
        return VIGIL_OK;
    }
    return vigil_err_set(err, rc, "%s", e.msg);
}

static enum vigil_rc
read_lines(struct file_run *r, int fd, const char *path, char *buf,
           struct vigil_err *err)
{
    const struct vigil_decoder *d = r->o->forced;
    struct vigil_decoder_auto fmt = {NULL};
    size_t fill = 0;
    int eof = 0, skipping = 0, pos0 = 1;

    while (!eof) {
        ssize_t n = read(fd, buf + fill, BUF_SIZE - 1 - fill);
        const char *p, *end;

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return vigil_err_set(err, VIGIL_EIO, "%s: %s", path,
                                 strerror(errno));
        }
        if (n == 0)
            eof = 1;
        fill += (size_t)n;
        p = buf;
        end = buf + fill;
        if (skipping) { /* the rest of an over-long line */
            const char *nl = memchr(p, '\n', fill);
            if (nl == NULL) {
                fill = 0;
                continue;
            }
            p = nl + 1;
            skipping = 0;
        }
        if (pos0 && (d == NULL || strcmp(d->name, "zeek") == 0) &&
            vigil_zeek_tsv_probe(p, (size_t)(end - p))) {
            r->tsv = 1;
            vigil_zeek_tsv_init(&r->zeek);
            d = vigil_decoder_by_name("zeek");
            if (r->o->on_format != NULL)
                r->o->on_format(path, "zeek (TSV)", r->arg);
        }
        pos0 = 0;
        if (d == NULL) {
            if (!eof && fill < READ_BLOCK &&
                count_lines(p, (size_t)(end - p)) < DETECT_LINES)
                continue; /* detect on enough lines (a pipe may be slow) */
            d = detect(p, (size_t)(end - p));
            fmt.cur = d; /* a first guess; each line goes its own way */
            if (r->o->on_format != NULL)
                r->o->on_format(path, d->name, r->arg);
        }
        for (;;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            if (nl == NULL || r->stopped)
                break;
            one_line(r, &fmt, p, (size_t)(nl - p));
            p = nl + 1;
        }
        if (r->stopped)
            break;
        if (eof) {
            if (p < end)
                one_line(r, &fmt, p, (size_t)(end - p));
            break;
        }
        fill = (size_t)(end - p);
        if (fill > VIGIL_MAX_LINE) {
            /* No newline within the longest line we accept. */
            r->st->failed++;
            skipping = 1;
            fill = 0;
        } else if (fill) {
            memmove(buf, p, fill);
        }
    }
    if (r->nomem)
        return vigil_err_set(err, VIGIL_ENOMEM, "%s: out of memory", path);
    return r->stopped ? VIGIL_END : VIGIL_OK;
}

static int
is_evtx(const struct vigil_decoder *forced)
{
    return forced != NULL && strcmp(forced->name, "evtx") == 0;
}

enum vigil_rc
vigil_parse_file(const char *path, const struct vigil_parse_file_opts *o,
                 vigil_parse_event_fn on_event, void *arg,
                 struct vigil_parse_file_stats *st, struct vigil_err *err)
{
    struct file_run r = {o, on_event, arg, st, {0}, NULL, 0, 0, 0, {0}};
    struct stat sb;
    const char *name = path;
    char *buf = NULL;
    int fd = -1;
    enum vigil_rc rc = VIGIL_OK;

    if (strcmp(path, "-") == 0) {
        name = "(stdin)";
    } else {
        /* Not blocking, so a FIFO is refused instead of waited on forever
         * (stdin is what `-` is for). */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
            return vigil_err_set(err, VIGIL_EIO, "%s: %s", path,
                                 strerror(errno));
        if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            rc =
                vigil_err_set(err, VIGIL_EIO,
                              "%s: not a regular file (use - for stdin)", path);
            goto out;
        }
        (void)fcntl(fd, F_SETFL, 0);
        if (is_evtx(o->forced) ||
            (o->forced == NULL && vigil_evtx_is_file(path))) {
            rc = read_evtx(&r, path, err);
            goto out;
        }
#ifdef POSIX_FADV_SEQUENTIAL
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    }
    r.ev = malloc(sizeof(*r.ev));
    buf = malloc(BUF_SIZE);
    if (r.ev == NULL || buf == NULL) {
        rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        goto out;
    }
    vigil_arena_init(&r.arena, 64 * 1024, 64u * 1024 * 1024);
    rc = read_lines(&r, fd < 0 ? 0 : fd, name, buf, err);
    vigil_arena_fini(&r.arena);
out:
    if (fd >= 0)
        close(fd);
    free(buf);
    free(r.ev);
    return rc;
}
