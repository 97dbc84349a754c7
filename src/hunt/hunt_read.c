/* hunt_read.c -- a worker reading one file or one part of a file: EVTX
 * through the parse module's reader, line files (plain or gzip) through
 * read() into a bounded sliding buffer, each line decoded and matched.
 * Files are read, never mapped: a log truncated while it is read (logrotate
 * copytruncate) ends early instead of killing the process with SIGBUS,
 * and a rotated .gz streams through zlib with a bound on how much it may
 * expand. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "hunt_int.h"

#define DETECT_LINES 16
#define ARENA_CHUNK  (64u * 1024)
#define ARENA_MAX    (64u * 1024 * 1024)
#define READ_BLOCK   (1024u * 1024)
/* A line up to VIGIL_MAX_LINE (and its newline) always fits beside one
 * read. */
#define BUF_SIZE (READ_BLOCK + VIGIL_MAX_LINE + 2)
/* Bytes looked at to tell the format and a binary file. */
#define HEAD_MAX   (64u * 1024)
#define BINARY_MAX 4096
/* A gzip stream may expand to this many times its size plus GZ_SLACK;
 * past that it is taken for a decompression bomb and not read further
 * (rotated logs compress 5 to 50 times). */
#define GZ_RATIO 200
#define GZ_SLACK (UINT64_C(64) * 1024 * 1024)

enum vigil_rc
hunt_worker_init(struct hunt_worker *w, struct vigil_err *err)
{
    vigil_arena_init(&w->arena, ARENA_CHUNK, ARENA_MAX);
    hunt_spill_init(&w->spill, w->h->o.tmp_dir);
    w->ev = malloc(sizeof(*w->ev));
    w->buf = malloc(BUF_SIZE);
    if (w->ev == NULL || w->buf == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    return vigil_detect_session_worker(w->h->session, &w->dw, err);
}

void
hunt_worker_fini(struct hunt_worker *w)
{
    free(w->ev);
    free(w->buf);
    free(w->recs.v);
    hunt_tally_fini(&w->eids);
    hunt_tally_fini(&w->logons);
    vigil_arena_fini(&w->arena);
    hunt_spill_fini(&w->spill);
}

/* ---- per-event work ---- */

static enum vigil_rc
on_hit(const struct vigil_detect_alert *a, void *arg)
{
    struct hunt_worker *w = arg;

    atomic_fetch_add_explicit(&w->h->nmatches, 1, memory_order_relaxed);
    return hunt_keep(w, a);
}

static void
count_event(struct hunt_worker *w)
{
    w->events++;
    if (++w->pending_events == 4096) {
        atomic_fetch_add_explicit(&w->h->events, w->pending_events,
                                  memory_order_relaxed);
        w->pending_events = 0;
    }
}

/* Matches one decoded event unless the time window excludes it. */
static enum vigil_rc
hunt_event(struct hunt_worker *w, struct vigil_event *ev)
{
    const struct vigil_hunt_opts *o = &w->h->o;
    enum vigil_rc rc;

    w->seq++;
    count_event(w);
    if (o->since != 0 || o->until != 0) {
        if (ev->time_ns == 0)
            return VIGIL_OK;
        if (o->since != 0 && ev->time_ns < o->since)
            return VIGIL_OK;
        if (o->until != 0 && ev->time_ns >= o->until)
            return VIGIL_OK;
    }
    if ((o->eid_metrics || o->logon_summary) &&
        (rc = hunt_tally_event(w, ev)) != VIGIL_OK)
        return vigil_err_set(&w->err, rc, "counting events: %s",
                             vigil_strerror(rc));
    rc = vigil_detect_worker_match(w->dw, ev, w->file, w->seq, on_hit, w);
    if (rc == VIGIL_ELIMIT && !w->warned_limit) {
        /* Matching goes on; only correlations lose events past here. */
        w->warned_limit = 1;
        hunt_note(w->h, "too many events kept for correlation rules; "
                        "correlations may miss later events (hunt fewer "
                        "files or a shorter --since/--until window)");
    }
    return rc;
}

static enum vigil_rc
evtx_event(struct vigil_event *ev, void *arg)
{
    return hunt_event(arg, ev);
}

static void
hunt_evtx(struct hunt_worker *w, struct hunt_item *it, const char *path)
{
    struct vigil_evtx_stats es = {0};
    struct vigil_evtx_opts eo = {w->h->o.evtx_carve, 0};
    struct vigil_err err = {0};
    struct vigil_event *keep = w->ev;

    if (w->h->o.verbose)
        hunt_note(w->h, "%s: format evtx", path);
    if (vigil_evtx_read(path, &eo, evtx_event, w, &es, &err) != VIGIL_OK) {
        if (w->err.rc == VIGIL_OK) {
            /* The reader's message names the file already. */
            hunt_note(w->h, "%s", err.msg);
            if (es.records == 0)
                w->files_failed++;
        }
    } else if (es.records == 0 && (es.failed != 0 || es.damaged_chunks != 0 ||
                                   vigil_evtx_looks_damaged(path))) {
        /* The reader found nothing to read in a file that should hold
         * records (or none of its records decoded): damaged, not an empty
         * log, so the file counts as unreadable (exit 65). */
        hunt_note(w->h, "%s: damaged EVTX file, no record could be read", path);
        w->files_failed++;
    }
    if (es.damaged_chunks != 0)
        hunt_note(w->h, "%s: %llu damaged EVTX chunk(s) skipped%s", path,
                  (unsigned long long)es.damaged_chunks,
                  eo.carve ? " (carved)" : " (--carve recovers their records)");
    w->ev = keep;
    w->events_failed += es.failed;
    w->bytes += w->h->files[it->file].size;
}

/* ---- line files ---- */

struct src {
    int fd;
    gzFile gz;      /* NULL: plain */
    uint64_t off;   /* next byte of a plain file to read */
    uint64_t total; /* bytes delivered */
    uint64_t limit; /* gzip: decompressed bytes allowed */
    int over;       /* gzip: stopped at limit */
};

/* Reads up to n bytes: >0 read, 0 end, -1 error (message in err). */
static ssize_t
src_read(struct src *s, char *dst, size_t n, struct vigil_err *err)
{
    ssize_t r;

    if (s->gz != NULL) {
        int zr, ze;

        if (n > INT32_MAX)
            n = INT32_MAX;
        if (s->total >= s->limit) {
            s->over = 1;
            return 0;
        }
        if (n > s->limit - s->total)
            n = (size_t)(s->limit - s->total);
        zr = gzread(s->gz, dst, (unsigned)n);
        if (zr < 0 || (zr == 0 && (gzerror(s->gz, &ze), ze != Z_OK))) {
            const char *m = gzerror(s->gz, &ze);

            vigil_err_set(err, VIGIL_EIO, "gzip: %s", m ? m : "read error");
            return -1;
        }
        s->total += (uint64_t)zr;
        return zr;
    }
    do {
        r = pread(s->fd, dst, n, (off_t)s->off);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        vigil_err_set(err, VIGIL_EIO, "%s", strerror(errno));
        return -1;
    }
    s->off += (uint64_t)r;
    s->total += (uint64_t)r;
    return r;
}

/* Fills buf from the start of s until it holds DETECT_LINES lines or
 * HEAD_MAX bytes or the input ends. Returns the bytes, -1 on error. */
static ssize_t
read_head(struct src *s, char *buf, int *eof, struct vigil_err *err)
{
    size_t fill = 0, lines = 0;

    *eof = 0;
    while (fill < HEAD_MAX && lines < DETECT_LINES) {
        ssize_t r = src_read(s, buf + fill, HEAD_MAX - fill, err);
        const char *p;

        if (r < 0)
            return -1;
        if (r == 0) {
            *eof = 1;
            break;
        }
        for (p = buf + fill;
             (p = memchr(p, '\n', (size_t)(buf + fill + r - p))); p++)
            lines++;
        fill += (size_t)r;
    }
    return (ssize_t)fill;
}

static const struct vigil_decoder *
detect_format(const char *p, size_t len)
{
    const char *lines[DETECT_LINES];
    size_t lens[DETECT_LINES], n = 0;
    const char *end = p + len;

    while (p < end && n < DETECT_LINES) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

        if (l > 0 && p[l - 1] == '\r')
            l--;
        if (l > 0) {
            lines[n] = p;
            lens[n] = l;
            n++;
        }
        p = nl ? nl + 1 : end;
    }
    return vigil_decoder_detect(lines, lens, n);
}

/* A NUL byte early on marks a binary file -- unless its lines are in a
 * known format: a log holds NUL padding after a power cut, and that must
 * not hide the lines after it (hunt_lines decides with both). */
static int
looks_binary(const char *p, size_t len)
{
    return memchr(p, '\0', len < BINARY_MAX ? len : BINARY_MAX) != NULL;
}

/* tsv: a Zeek TSV log's header state, or NULL. */
static enum vigil_rc
one_line(struct hunt_worker *w, struct vigil_decoder_auto *fmt,
         struct vigil_zeek_tsv *tsv, const char *p, size_t l)
{
    struct vigil_event *ev = w->ev;
    enum vigil_rc rc;

    if (l == 0 || (l == 1 && p[0] == '\r'))
        return VIGIL_OK;
    vigil_arena_reset(&w->arena);
    vigil_event_init(ev, &w->arena);
    rc = tsv != NULL ? vigil_zeek_tsv_line(tsv, ev, p, l, &w->h->popts)
                     : vigil_decode_auto(fmt, ev, p, l, &w->h->popts);
    if (rc == VIGIL_END)
        return VIGIL_OK; /* a TSV header line: no event */
    if (rc != VIGIL_OK) {
        w->seq++;
        w->events_failed++;
        return VIGIL_OK;
    }
    if (hunt_event(w, ev) != VIGIL_OK && w->err.rc != VIGIL_OK)
        return w->err.rc;
    return VIGIL_OK;
}

/* Reads the header lines at the head of a Zeek TSV log into tsv, so a
 * part that starts past them reads its lines with it. */
static void
tsv_header(struct hunt_worker *w, struct vigil_zeek_tsv *tsv, const char *p,
           size_t len)
{
    const char *end = p + len, *nl;

    vigil_zeek_tsv_init(tsv);
    while (p < end && *p == '#' && (nl = memchr(p, '\n', (size_t)(end - p)))) {
        vigil_arena_reset(&w->arena);
        vigil_event_init(w->ev, &w->arena);
        (void)vigil_zeek_tsv_line(tsv, w->ev, p, (size_t)(nl - p),
                                  &w->h->popts);
        p = nl + 1;
    }
}

/* Hunts the lines starting in it->start..it->end. head holds the first
 * hlen bytes of the file (or of the decompressed stream). Returns 0 when
 * the file is skipped, -1 when it failed. */
static int
hunt_lines(struct hunt_worker *w, const struct hunt_file *hf,
           const struct hunt_item *it, struct src *s, size_t hlen, int eof,
           struct vigil_err *err)
{
    /* Every part detects on the file's first lines: same answer. That is
     * only the first guess: each line is decoded in the format it fits. */
    const struct vigil_decoder *d = detect_format(w->buf, hlen);
    struct vigil_zeek_tsv tsv, *zt = NULL;
    struct vigil_decoder_auto fmt;
    int quiet = it->part > 0; /* say things about a file once */
    char *buf = w->buf;
    size_t fill = hlen;
    uint64_t pos = 0; /* offset of buf[0] in the stream */
    int skipping = 0;

    if (vigil_zeek_tsv_probe(w->buf, hlen)) {
        zt = &tsv;
        tsv_header(w, zt, w->buf, hlen);
        d = vigil_decoder_by_name("zeek");
    }
    fmt = (struct vigil_decoder_auto){d};
    /* Text that is no known log format (a README, a licence) found while
     * searching a folder would only feed keyword rules noise; a file named
     * on the command line is hunted whatever it is, unless binary. */
    if (d == vigil_decoder_by_name("raw") &&
        (!hf->named || looks_binary(w->buf, hlen))) {
        if (w->h->o.verbose && !quiet)
            hunt_note(w->h, "%s: %s, skipped", hf->path,
                      looks_binary(w->buf, hlen) ? "not a log file"
                                                 : "no known log format");
        return 0;
    }
    if (w->h->o.verbose && !quiet)
        hunt_note(w->h, "%s: format %s", hf->path, d->name);
    if (it->start > 0) {
        /* From the byte before the part: the line in progress there is
         * the part before's, up to and with its newline. */
        s->off = it->start - 1;
        pos = s->off;
        fill = 0;
        eof = 0;
        skipping = 1;
    }
    for (;;) {
        const char *p = buf, *end;

        if (!eof && fill < BUF_SIZE) {
            ssize_t r = src_read(s, buf + fill, BUF_SIZE - fill, err);

            if (r < 0)
                return -1;
            if (r == 0)
                eof = 1;
            fill += (size_t)r;
        }
        end = buf + fill;
        if (skipping) { /* the rest of a line that is not ours */
            const char *nl = memchr(p, '\n', fill);

            if (nl == NULL) {
                pos += fill;
                fill = 0;
                /* a line starting past the part is the next part's */
                if (eof || pos >= it->end)
                    break;
                continue;
            }
            p = nl + 1;
            skipping = 0;
        }
        for (;;) {
            const char *nl;

            if (pos + (uint64_t)(p - buf) >= it->end)
                return 1;
            nl = memchr(p, '\n', (size_t)(end - p));
            if (nl == NULL)
                break;
            if (one_line(w, &fmt, zt, p, (size_t)(nl - p)) != VIGIL_OK)
                return 1;
            p = nl + 1;
        }
        if (eof) {
            if (p < end &&
                one_line(w, &fmt, zt, p, (size_t)(end - p)) != VIGIL_OK)
                return 1;
            break;
        }
        if ((size_t)(end - p) > VIGIL_MAX_LINE) {
            /* No newline within the longest line a decoder takes: one
             * record not decoded, the rest of it skipped. */
            w->seq++;
            w->events_failed++;
            skipping = 1;
            pos += fill;
            fill = 0;
        } else {
            fill = (size_t)(end - p);
            pos += (uint64_t)(p - buf);
            memmove(buf, p, fill);
        }
    }
    return 1;
}

/* Opens path for reading if it is a regular file; never blocks on a FIFO
 * swapped in since the listing. */
static int
open_regular(const char *path, struct vigil_err *err)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

    if (fd < 0) {
        vigil_err_set(err, VIGIL_EIO, "%s", strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        vigil_err_set(err, VIGIL_EIO, "not a regular file");
        return -1;
    }
    (void)fcntl(fd, F_SETFL, 0);
    return fd;
}

void
hunt_read_item(struct hunt_worker *w, struct hunt_item *it)
{
    const struct hunt_file *hf = &w->h->files[it->file];
    uint64_t first = (uint64_t)it->part << HUNT_PART_SHIFT;
    struct vigil_err err = {0};
    struct src s;
    unsigned char magic[2];
    ssize_t hlen;
    int eof, done;

    w->file = it->file;
    w->seq = first;
    memset(&s, 0, sizeof(s));
    s.fd = -1;
    if (hf->refused) {
        w->files_failed++; /* noted when it was named */
        return;
    }
    if (it->end == UINT64_MAX && vigil_evtx_is_file(hf->path)) {
        hunt_evtx(w, it, hf->path);
        it->records = w->seq - first;
        return;
    }
    s.fd = open_regular(hf->path, &err);
    if (s.fd < 0)
        goto fail;
#ifdef POSIX_FADV_SEQUENTIAL
    posix_fadvise(s.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    if (it->part == 0 && pread(s.fd, magic, 2, 0) == 2 && magic[0] == 0x1f &&
        magic[1] == 0x8b) {
        int fd2 = dup(s.fd);

        s.gz = fd2 >= 0 ? gzdopen(fd2, "rb") : NULL;
        if (s.gz == NULL) {
            if (fd2 >= 0)
                close(fd2);
            vigil_err_set(&err, VIGIL_ENOMEM, "cannot read gzip");
            goto fail;
        }
        gzbuffer(s.gz, 256 * 1024);
        s.limit = hf->size * GZ_RATIO + GZ_SLACK;
    }
    hlen = read_head(&s, w->buf, &eof, &err);
    if (hlen < 0)
        goto fail;
    if (hlen == 0)
        goto out;
    done = hunt_lines(w, hf, it, &s, (size_t)hlen, eof, &err);
    if (done < 0)
        goto fail;
    if (done == 0) {
        if (it->part == 0)
            w->files_skipped++;
        goto out;
    }
    if (s.gz != NULL) {
        w->bytes += s.total;
        if (s.over) {
            hunt_note(w->h,
                      "%s: expands past %llu bytes (%d times its size), "
                      "taken for a decompression bomb; the rest is not read",
                      hf->path, (unsigned long long)s.limit, GZ_RATIO);
            w->files_failed++;
        }
    } else {
        uint64_t s0 = it->start, e0 = it->end;

        if (e0 > s.off)
            e0 = s.off; /* what there was to read (truncated, or the end) */
        w->bytes += e0 > s0 ? e0 - s0 : 0;
    }
    goto out;
fail:
    if (it->part == 0 || s.gz != NULL) {
        hunt_note(w->h, "%s: %s", hf->path, err.msg);
        w->files_failed++;
    }
out:
    it->records = w->seq - first;
    if (s.gz != NULL)
        gzclose(s.gz);
    if (s.fd >= 0)
        close(s.fd);
}
