/* ingest_tail.c -- follows log files matched by glob patterns: complete
 * lines only, rotation by rename and by copytruncate, resume from
 * checkpoints, rotated files read through zlib when they were compressed
 * before vigil finished them.
 *
 * Each followed path has a current stream (the file now at the path) and,
 * after a rename rotation, an old stream: the rotated file, read to its end
 * before the new file is read, so lines come out in the order they were
 * written. The writer keeps appending to the renamed file until it reopens
 * the path (logrotate's `create` signals it after the rename), so the old
 * stream stays open until it has been quiet for the grace period counted
 * from the new file's appearance; only then is the new file read. After a
 * copytruncate, the rest of the file is read from the copy, found in the
 * same directory by its first bytes; what neither file holds any more is
 * counted as lost. Both streams report checkpoints under the same key
 * ("file:<path>"); the dev+inode in the checkpoint tell which file the
 * offset belongs to (for a compressed file, an offset in its uncompressed
 * text). The
 * checkpoint offset is always just past the last complete line handed
 * out, never past bytes still held as a partial line. Files are polled
 * (fstat + pread) rather than watched with inotify: polling also works on
 * NFS and for files that do not exist yet, and its cost is one fstat per
 * file per interval. */
#include <stdio.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "ingest_int.h"

#define TAIL_READ_CHUNK   65536
#define TAIL_DIR_SCAN_MAX 100000

struct tail_stream {
    int fd;             /* -1: none */
    gzFile gz;          /* a gzip file: read through zlib; or NULL */
    uint64_t read_off;  /* bytes of the file read so far */
    uint64_t seen_size; /* its size at the last look */
    /* The copy of a truncated file: where the file was known to end (what
     * the copy lacks of it is lost); 0 for other files. */
    uint64_t expect_end;
    int follow;       /* renamed away: the writer may still append to it */
    int64_t quiet_ms; /* then: when it last grew or the new file appeared */
    struct vigil_checkpoint cp; /* offset: past the last complete line */
    struct vigil_buf part;      /* a line still waiting for its newline */
    int skipping;               /* dropping an overlong line */
    struct ingest_eol eol;      /* how this file ends its lines */
    /* A lingering rotated file (see linger_add): the followed file whose
     * position its lines report; NULL for the others. */
    struct tail_file *owner;
};

#define TAIL_PENDING_MAX 8
#define TAIL_LINGER_MAX  4 /* rotated files still read, per source */

struct tail_file {
    char path[4096];
    struct tail_stream cur;
    struct tail_stream old;
    /* Rotated files never seen, to read whole after old (oldest first). */
    int pending[TAIL_PENDING_MAX];
    size_t npending;
    int seen; /* matched by the latest scan */
};

struct ingest_tail {
    char **globs;
    size_t nglobs;
    size_t max_line;
    int64_t grace_ms;      /* a renamed file is closed after this long quiet */
    uint64_t lost;         /* bytes lost to truncation, not yet taken */
    uint64_t unread;       /* bytes of rotated files let go unread, not taken */
    uint64_t unread_files; /* rotated files that could not be read */
    struct tail_file **files;
    size_t nfiles;
    /* Rotated files still written to after their grace period. */
    struct tail_stream linger[TAIL_LINGER_MAX];
    size_t nlinger;
    char *rbuf;
};

uint64_t
ingest_hash(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ULL;

    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Hash of the first INGEST_FP_LEN bytes; 0 while the file is shorter, as
 * a fingerprint of fewer bytes would change as the file grows. */
static uint64_t
fingerprint(int fd, uint64_t size)
{
    char buf[INGEST_FP_LEN];
    ssize_t n;

    if (size < INGEST_FP_LEN)
        return 0;
    do
        n = pread(fd, buf, sizeof(buf), 0);
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof(buf))
        return 0;
    return ingest_hash(buf, sizeof(buf)) | 1; /* never 0 */
}

static int
is_gzip(int fd)
{
    unsigned char m[2];

    return pread(fd, m, 2, 0) == 2 && m[0] == 0x1f && m[1] == 0x8b;
}

/* A gzip reader of fd's file from its start, leaving fd open; NULL on
 * failure. It reads with read(2) through a dup of fd, which shares fd's
 * file offset: one reader at a time per fd. */
static gzFile
gz_reader(int fd)
{
    int d = dup(fd);
    gzFile g = d >= 0 && lseek(d, 0, SEEK_SET) == 0 ? gzdopen(d, "rb") : NULL;

    if (g == NULL && d >= 0)
        close(d);
    return g;
}

/* The fingerprint of the text: of a gzip file, of its uncompressed
 * start, so that a file compressed after rotation is still recognised. */
static uint64_t
content_fp(int fd, int gz, uint64_t size)
{
    char buf[INGEST_FP_LEN];
    gzFile g;
    int n;

    if (!gz)
        return fingerprint(fd, size);
    if ((g = gz_reader(fd)) == NULL)
        return 0;
    n = gzread(g, buf, sizeof(buf));
    gzclose(g);
    if (n != (int)sizeof(buf))
        return 0;
    return ingest_hash(buf, sizeof(buf)) | 1;
}

static void
stream_init(struct tail_stream *s, size_t max_line)
{
    memset(s, 0, sizeof(*s));
    s->fd = -1;
    vigil_buf_init(&s->part, max_line + 1);
}

static void
stream_close(struct tail_stream *s)
{
    if (s->gz != NULL)
        gzclose(s->gz);
    s->gz = NULL;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    s->skipping = 0;
    vigil_buf_reset(&s->part);
}

static void
stream_key(struct tail_stream *s, const char *path)
{
    if (strlen(path) + 6 <= sizeof(s->cp.key))
        snprintf(s->cp.key, sizeof(s->cp.key), "file:%s", path);
    else
        snprintf(s->cp.key, sizeof(s->cp.key), "file#%016llx",
                 (unsigned long long)ingest_hash(path, strlen(path)));
}

/* Makes s read fd (taken over) from offset. */
static void
stream_start(struct tail_stream *s, int fd, const struct stat *st,
             uint64_t offset)
{
    stream_close(s);
    s->fd = fd;
    s->read_off = offset;
    memset(&s->eol, 0, sizeof(s->eol));
    s->seen_size = (uint64_t)st->st_size;
    s->expect_end = 0;
    s->follow = 0;
    s->quiet_ms = 0;
    s->cp.dev = (uint64_t)st->st_dev;
    s->cp.inode = (uint64_t)st->st_ino;
    s->cp.offset = offset;
    s->cp.fingerprint = fingerprint(fd, (uint64_t)st->st_size);
}

/* Same for a file that may be gzip-compressed (a rotated file, a copy):
 * the offset is then in the uncompressed text. Returns 0, and closes fd,
 * when the file cannot be read or its text is shorter than offset. */
static int
stream_start_any(struct tail_stream *s, int fd, const struct stat *st,
                 uint64_t offset)
{
    char buf[4096];
    uint64_t skipped = 0;
    gzFile g;

    if (!is_gzip(fd)) {
        if (offset > (uint64_t)st->st_size) {
            close(fd);
            return 0;
        }
        stream_start(s, fd, st, offset);
        return 1;
    }
    uint64_t fp = content_fp(fd, 1, 0); /* before g moves the offset */
    if ((g = gz_reader(fd)) == NULL) {
        close(fd);
        return 0;
    }
    while (skipped < offset) {
        uint64_t left = offset - skipped;
        int n =
            gzread(g, buf, left < sizeof(buf) ? (unsigned)left : sizeof(buf));
        if (n <= 0)
            break;
        skipped += (uint64_t)n;
    }
    if (skipped < offset) {
        gzclose(g);
        close(fd);
        return 0;
    }
    stream_start(s, fd, st, offset);
    s->gz = g;
    s->cp.fingerprint = fp;
    return 1;
}

/* ------------------------------------------------------------------ */
/* Lines                                                                */
/* ------------------------------------------------------------------ */

static enum vigil_rc
emit(struct tail_stream *s, const struct ingest_sink *sink, const char *line,
     size_t len, uint64_t off_after, int overlong)
{
    const struct vigil_checkpoint *cp = &s->cp;

    s->cp.offset = off_after;
    if (s->owner != NULL) /* lingering: where the file at the path stands */
        cp = s->owner->old.fd >= 0 ? &s->owner->old.cp : &s->owner->cur.cp;
    if (overlong)
        return sink->overlong ? sink->overlong(sink->arg, cp) : VIGIL_OK;
    return sink->line(sink->arg, line, len, cp);
}

/* A line grown past max_line may be NUL padding (what a power cut
 * leaves where unflushed lines were) in front of a real line: the
 * decoders drop a line's bytes up to its last NUL, so keep only those
 * after the last NUL of the segment [p, p + seg), with that NUL in front
 * as the mark of padding. Returns where they start, or NULL when the
 * segment holds no NUL or its rest is too long too. Only called on
 * overlong lines: costs nothing on the others. */
static const char *
padding_end(const struct ingest_tail *t, const char *p, size_t seg)
{
    const char *z = memrchr(p, '\0', seg);

    return z != NULL && (size_t)(p + seg - z) <= t->max_line ? z : NULL;
}

/* Splits n bytes that start at file offset base into lines. */
static enum vigil_rc
stream_lines(struct ingest_tail *t, struct tail_stream *s,
             const struct ingest_sink *sink, const char *data, size_t n,
             uint64_t base)
{
    const char *p = data, *end = data + n;
    enum vigil_rc rc = VIGIL_OK;

    while (p < end && rc == VIGIL_OK) {
        const char *nl = ingest_eol_find(&s->eol, p, (size_t)(end - p));
        const char *z;
        size_t seg;

        seg = (size_t)((nl ? nl : end) - p);
        if ((s->skipping || s->part.len + seg > t->max_line) &&
            (z = padding_end(t, p, seg)) != NULL) {
            s->skipping = 0;
            vigil_buf_reset(&s->part);
            seg -= (size_t)(z - p);
            p = z;
        }
        if (nl == NULL) {
            if (s->skipping)
                break;
            if (s->part.len + seg > t->max_line) {
                s->skipping = 1;
                vigil_buf_reset(&s->part);
            } else if (vigil_buf_append(&s->part, p, seg) != VIGIL_OK) {
                s->skipping = 1; /* cannot happen below max; stay safe */
                vigil_buf_init(&s->part, t->max_line + 1);
            }
            break;
        }
        uint64_t after = base + (uint64_t)(nl - data) + 1;
        if (s->skipping) {
            s->skipping = 0;
            rc = emit(s, sink, NULL, 0, after, 1);
        } else if (s->part.len > 0) {
            if (s->part.len + seg > t->max_line) {
                vigil_buf_reset(&s->part);
                rc = emit(s, sink, NULL, 0, after, 1);
            } else if (vigil_buf_append(&s->part, p, seg) != VIGIL_OK) {
                vigil_buf_init(&s->part, t->max_line + 1);
                rc = emit(s, sink, NULL, 0, after, 1);
            } else {
                rc = emit(s, sink, s->part.data, s->part.len, after, 0);
                vigil_buf_reset(&s->part);
            }
        } else if (seg > t->max_line) {
            rc = emit(s, sink, NULL, 0, after, 1);
        } else {
            rc = emit(s, sink, p, seg, after, 0);
        }
        p = nl + 1;
    }
    return rc;
}

/* Hands out the bytes after the last newline as a line of their own. */
static enum vigil_rc
stream_flush_partial(struct tail_stream *s, const struct ingest_sink *sink)
{
    enum vigil_rc rc = VIGIL_OK;

    if (s->skipping)
        rc = emit(s, sink, NULL, 0, s->read_off, 1);
    else if (s->part.len > 0)
        rc = emit(s, sink, s->part.data, s->part.len, s->read_off, 0);
    s->skipping = 0;
    vigil_buf_reset(&s->part);
    return rc;
}

/* Reads up to budget bytes; sets *eof when the end was reached. */
static enum vigil_rc
stream_read(struct ingest_tail *t, struct tail_stream *s,
            const struct ingest_sink *sink, size_t budget, size_t *used,
            int *eof, struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_OK;

    *eof = 0;
    while (*used < budget && rc == VIGIL_OK) {
        size_t want = budget - *used;
        ssize_t n;

        if (want > TAIL_READ_CHUNK)
            want = TAIL_READ_CHUNK;
        if (s->gz != NULL) {
            /* A damaged or cut compressed file ends where it breaks. */
            n = gzread(s->gz, t->rbuf, (unsigned)want);
            if (n < 0)
                n = 0;
        } else {
            n = pread(s->fd, t->rbuf, want, (off_t)s->read_off);
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return vigil_err_set(err, VIGIL_EIO, "%s: read: %s", s->cp.key,
                                 strerror(errno));
        if (n == 0) {
            *eof = 1;
            break;
        }
        uint64_t base = s->read_off;
        s->read_off += (uint64_t)n;
        *used += (size_t)n;
        /* (A compressed file's is known from the start.) */
        if (s->cp.fingerprint == 0 && s->gz == NULL &&
            s->read_off >= INGEST_FP_LEN)
            s->cp.fingerprint = fingerprint(s->fd, s->read_off);
        rc = stream_lines(t, s, sink, t->rbuf, (size_t)n, base);
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Files                                                                */
/* ------------------------------------------------------------------ */

/* May a symlink lst, leading to a file target, be followed? Only when
 * root or the target's owner made it (the kernel's protected_symlinks
 * rule): whoever can write the log folder could otherwise swap the
 * configured path for a link to a file they cannot read, and the daemon
 * (which keeps CAP_DAC_READ_SEARCH) would read it into the store. */
static int
link_trusted(const struct stat *lst, const struct stat *target)
{
    return !S_ISLNK(lst->st_mode) || lst->st_uid == 0 ||
           lst->st_uid == target->st_uid;
}

/* Opens path, a regular file, read-only; -1 otherwise (errno EPERM for a
 * link link_trusted refuses). flags: 0, or O_NOFOLLOW for a rotated
 * sibling -- rotation never makes a symlink. The path is looked at before
 * and after the open, so a link swapped in between is caught too. */
static int
open_file(const char *path, struct stat *st, int flags)
{
    struct stat before, after;
    int fd;

    if (lstat(path, &before) != 0)
        return -1;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | flags);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        return -1;
    }
    if (lstat(path, &after) != 0 || after.st_ino != before.st_ino ||
        after.st_dev != before.st_dev || !link_trusted(&before, st) ||
        (!S_ISLNK(before.st_mode) && before.st_ino != st->st_ino)) {
        close(fd);
        errno = EPERM;
        return -1;
    }
    return fd;
}

/* Finds the file with cp's dev+inode in path's directory (the rotated
 * file, e.g. auth.log.1) and returns an open fd to it and its name (into
 * name, nsize bytes), or -1. */
static int
find_rotated(const char *path, const struct vigil_checkpoint *cp,
             struct stat *out, char *name, size_t nsize)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    DIR *d;
    struct dirent *de;
    int fd = -1, dfd;
    size_t scanned = 0;

    if (slash == NULL)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    if ((d = opendir(dir)) == NULL)
        return -1;
    dfd = dirfd(d);
    while (fd < 0 && (de = readdir(d)) != NULL &&
           scanned++ < TAIL_DIR_SCAN_MAX) {
        struct stat st;
        if ((uint64_t)de->d_ino != cp->inode)
            continue;
        if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            (uint64_t)st.st_dev != cp->dev ||
            (uint64_t)st.st_ino != cp->inode || !S_ISREG(st.st_mode))
            continue;
        fd = openat(dfd, de->d_name,
                    O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
        if (fd >= 0 && fstat(fd, out) != 0) {
            close(fd);
            fd = -1;
        }
        if (fd >= 0 && cp->fingerprint != 0 &&
            fingerprint(fd, (uint64_t)out->st_size) != cp->fingerprint) {
            close(fd); /* the inode was reused by another file */
            fd = -1;
        }
        if (fd >= 0)
            snprintf(name, nsize, "%s", de->d_name);
    }
    closedir(d);
    return fd;
}

static int64_t
mtime_ns(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * VIGIL_NS_PER_SEC + st->st_mtim.tv_nsec;
}

/* Compressed with something other than gzip, which zlib cannot read. */
static int
is_unreadable_compressed(const char *name)
{
    static const char *const ext[] = {".bz2", ".xz", ".zst",
                                      ".lz4", ".Z",  ".zip"};
    size_t n = strlen(name);

    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
        size_t k = strlen(ext[i]);
        if (n > k && strcmp(name + n - k, ext[i]) == 0)
            return 1;
    }
    return 0;
}

static void
dir_of(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL)
        snprintf(dir, size, ".");
    else if (slash == path)
        snprintf(dir, size, "/");
    else
        snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

static int
followed_by_globs(const struct ingest_tail *t, const char *full)
{
    for (size_t g = 0; g < t->nglobs; g++)
        if (fnmatch(t->globs[g], full, FNM_PATHNAME) == 0)
            return 1;
    return 0;
}

/* The age of a rotated sibling: when it was last written and, for
 * rotations closer together than file times tell apart (a few ms on
 * Linux), its name. */
struct sibling {
    int64_t mtime;
    size_t blen;    /* length of the followed file's name, its prefix */
    char name[256]; /* in the directory; "" for a bare time */
};

/* N of a numbered rotation's suffix (".N", ".N.gz": logrotate's default
 * scheme), or -1 for another one ("-20261206": dateext). */
static long
rot_number(const char *sfx)
{
    char *end;
    long n;

    if (sfx[0] != '.' || sfx[1] < '0' || sfx[1] > '9')
        return -1;
    errno = 0;
    n = strtol(sfx + 1, &end, 10);
    if (errno != 0 || end - sfx > 5 || (*end != '\0' && *end != '.'))
        return -1; /* ".20261206" is a date */
    return n;
}

/* Is sfx, what follows the followed file's name, one a rotation makes:
 * ".1", "-20261206", "_2026-12-06"? ("app.log.bak", "app.logger": no.) */
static int
rot_suffix(const char *sfx)
{
    return sfx[0] != '\0' && strchr(".-_", sfx[0]) != NULL && sfx[1] >= '0' &&
           sfx[1] <= '9';
}

/* < 0 when a is older than b, > 0 when newer. The one written last is
 * the newer: that holds for any naming (logrotate's ".1" is its newest,
 * a script's may be its oldest). Written at the same time (rotations a
 * few ms apart), names of one scheme decide: ".1" is newer than ".2" as
 * logrotate shifts them, "-20261206" newer than "-20261205" (dateext
 * stamps sort as text; logrotate requires it). */
static int
sibling_cmp(const struct sibling *a, const struct sibling *b)
{
    size_t la = strlen(a->name), lb = strlen(b->name);
    const char *sa = a->name + (a->blen < la ? a->blen : la);
    const char *sb = b->name + (b->blen < lb ? b->blen : lb);
    long na, nb;

    if (a->mtime != b->mtime)
        return a->mtime < b->mtime ? -1 : 1;
    if (!rot_suffix(sa) || !rot_suffix(sb))
        return 0; /* a bare time, or a name no rotation made */
    na = rot_number(sa);
    nb = rot_number(sb);
    if (na >= 0 && nb >= 0)
        return na > nb ? -1 : na < nb;
    return na < 0 && nb < 0 ? strcmp(sa, sb) : 0;
}

static void
sibling_set(struct sibling *s, const struct stat *st, const char *name,
            const char *path)
{
    const char *slash = strrchr(path, '/');

    s->mtime = mtime_ns(st);
    s->blen = strlen(slash ? slash + 1 : path);
    snprintf(s->name, sizeof(s->name), "%s", name);
}

/* Finds, among path's rotated siblings ("app.log.1", "app.log.1.gz", not
 * the files the globs follow anyway, not inode skip_ino), the newest whose
 * text starts as cp's did and holds at least cp's offset: the rotated file
 * after gzip gave it a new inode, or the copy copytruncate made. Returns
 * an open fd, its stat and its age (who, may be NULL), or -1. */
static int
find_by_text(const struct ingest_tail *t, const char *path,
             const struct vigil_checkpoint *cp, uint64_t skip_ino,
             struct stat *out, struct sibling *who)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t blen = strlen(base), scanned = 0;
    int64_t best_mtime = 0;
    int best = -1;
    struct dirent *de;
    DIR *d;

    if (cp->fingerprint == 0)
        return -1; /* under 256 bytes: nothing to recognise it by */
    dir_of(path, dir, sizeof(dir));
    if ((d = opendir(dir)) == NULL)
        return -1;
    while ((de = readdir(d)) != NULL && scanned++ < TAIL_DIR_SCAN_MAX) {
        char full[8192];
        struct stat st;
        int fd, gz;

        if (strncmp(de->d_name, base, blen) != 0 || de->d_name[blen] == '\0' ||
            is_unreadable_compressed(de->d_name))
            continue;
        snprintf(full, sizeof(full), "%s/%s", dir, de->d_name);
        if (followed_by_globs(t, full) ||
            (fd = open_file(full, &st, O_NOFOLLOW)) < 0)
            continue;
        gz = is_gzip(fd);
        if ((uint64_t)st.st_ino == skip_ino ||
            (!gz && (uint64_t)st.st_size < cp->offset) ||
            mtime_ns(&st) < best_mtime ||
            content_fp(fd, gz, (uint64_t)st.st_size) != cp->fingerprint) {
            close(fd);
            continue;
        }
        if (best >= 0)
            close(best);
        best = fd;
        best_mtime = mtime_ns(&st);
        *out = st;
        if (who != NULL)
            sibling_set(who, &st, de->d_name, path);
    }
    closedir(d);
    return best;
}

/* How find_newer's log lines say when the rotations it catches up on
 * happened. */
#define WHEN_STOPPED "while vigil was stopped"
#define WHEN_BEHIND  "while vigil was behind"

/* While vigil was stopped the file may have been rotated more than once:
 * the rotated siblings ("auth.log.1", "auth.log-20240101",
 * "auth.log.2.gz"; not files the globs follow anyway) newer than since --
 * the file the checkpoint names, or the checkpoint's time when that file
 * is gone -- hold lines never read (names as rotations make them:
 * rot_suffix). Queues them on f, oldest first.
 * skip_ino and skip_fp name the file the checkpoint names (compressed, it
 * has another inode but the same text), cur_ino the file at the path.
 * What cannot be read -- compressed with what zlib does not read, or more
 * than TAIL_PENDING_MAX files -- is counted and reported: its lines are
 * missing. */
static void
find_newer(struct ingest_tail *t, struct tail_file *f, uint64_t skip_ino,
           uint64_t skip_fp, uint64_t cur_ino, const struct sibling *since,
           const char *when)
{
    char dir[4096];
    const char *slash = strrchr(f->path, '/');
    const char *base = slash ? slash + 1 : f->path;
    size_t blen = strlen(base);
    struct sibling found[TAIL_PENDING_MAX];
    int fds[TAIL_PENDING_MAX];
    size_t n = 0, scanned = 0, skipped = 0;
    struct dirent *de;
    DIR *d;

    dir_of(f->path, dir, sizeof(dir));
    if ((d = opendir(dir)) == NULL)
        return;
    while ((de = readdir(d)) != NULL && scanned++ < TAIL_DIR_SCAN_MAX) {
        char full[8192];
        struct sibling sib;
        struct stat st;
        size_t old = 0;
        int fd;

        if (strncmp(de->d_name, base, blen) != 0 ||
            !rot_suffix(de->d_name + blen))
            continue;
        snprintf(full, sizeof(full), "%s/%s", dir, de->d_name);
        if (followed_by_globs(t, full) || lstat(full, &st) != 0 ||
            !S_ISREG(st.st_mode) || (uint64_t)st.st_ino == skip_ino ||
            (uint64_t)st.st_ino == cur_ino)
            continue;
        sibling_set(&sib, &st, de->d_name, f->path);
        if (sibling_cmp(&sib, since) <= 0)
            continue; /* read before the checkpoint */
        if (is_unreadable_compressed(de->d_name)) {
            t->unread_files++;
            vigil_log(VIGIL_LOG_WARN, 1116,
                      "%s: %s was rotated %s and compressed in a format "
                      "vigil cannot read; lines written to it may be "
                      "missing",
                      f->path, full, when);
            continue;
        }
        if ((fd = open_file(full, &st, O_NOFOLLOW)) < 0)
            continue;
        /* gzip keeps the time: the file the checkpoint names, compressed,
         * is recognised by its text (and finished by file_start). */
        if (skip_fp != 0 &&
            content_fp(fd, is_gzip(fd), (uint64_t)st.st_size) == skip_fp) {
            close(fd);
            continue;
        }
        if (n < TAIL_PENDING_MAX) {
            found[n] = sib;
            fds[n++] = fd;
            continue;
        }
        /* Too many: keep the newest, the ones the writer may still use. */
        skipped++;
        for (size_t i = 1; i < n; i++)
            if (sibling_cmp(&found[i], &found[old]) < 0)
                old = i;
        if (sibling_cmp(&sib, &found[old]) < 0) {
            close(fd);
            continue;
        }
        close(fds[old]);
        found[old] = sib;
        fds[old] = fd;
    }
    closedir(d);
    if (skipped > 0) {
        t->unread_files += skipped;
        vigil_log(VIGIL_LOG_WARN, 1107,
                  "%s: more than %d rotated files to catch up on; reading the "
                  "newest %d, the lines of %zu older ones are missing",
                  f->path, TAIL_PENDING_MAX, TAIL_PENDING_MAX, skipped);
    }
    for (size_t i = 1; i < n; i++) /* oldest first; n is small */
        for (size_t j = i; j > 0 && sibling_cmp(&found[j], &found[j - 1]) < 0;
             j--) {
            struct sibling s = found[j];
            int fd = fds[j];
            found[j] = found[j - 1];
            fds[j] = fds[j - 1];
            found[j - 1] = s;
            fds[j - 1] = fd;
        }
    for (size_t i = 0; i < n; i++) {
        if (f->npending == TAIL_PENDING_MAX) {
            close(fds[i]);
            continue;
        }
        f->pending[f->npending++] = fds[i];
        vigil_log(VIGIL_LOG_INFO, 1108, "%s: reading %s/%s, rotated %s",
                  f->path, dir, found[i].name, when);
    }
}

/* Makes the next queued rotated file the old stream. */
static int
next_pending(struct tail_file *f)
{
    struct stat st;

    while (f->npending > 0) {
        int fd = f->pending[0];
        memmove(f->pending, f->pending + 1,
                (f->npending - 1) * sizeof(f->pending[0]));
        f->npending--;
        if (fstat(fd, &st) != 0) {
            close(fd);
            continue;
        }
        if (stream_start_any(&f->old, fd, &st, 0)) {
            /* The newest rotated file may still be written to. */
            f->old.follow = f->npending == 0;
            f->old.quiet_ms = ingest_mono_ms();
            return 1;
        }
    }
    return 0;
}

/* Finds the file a checkpoint names among path's rotated siblings: by
 * its inode (unless that is the inode at the path: same), or by its text
 * when it was compressed or copied since. Starts f->old at the checkpoint
 * and fills *who with the file's age; 1 if found. */
static int
start_rotated(struct ingest_tail *t, struct tail_file *f,
              const struct vigil_checkpoint *cp, int same, uint64_t cur_ino,
              struct sibling *who)
{
    char name[256];
    struct stat ost;
    int ofd = -1;

    if (!same)
        ofd = find_rotated(f->path, cp, &ost, name, sizeof(name));
    if (ofd >= 0)
        sibling_set(who, &ost, name, f->path);
    else
        ofd = find_by_text(t, f->path, cp, cur_ino, &ost, who);
    if (ofd < 0 || !stream_start_any(&f->old, ofd, &ost, cp->offset))
        return 0;
    f->old.follow = 1;
    f->old.quiet_ms = ingest_mono_ms();
    return 1;
}

/* Decides where a newly followed file starts. */
static void
file_start(struct ingest_tail *t, struct tail_file *f, ingest_ckpt_get_fn get,
           void *arg)
{
    struct vigil_checkpoint cp;
    struct sibling since;
    struct stat st;
    int fd = open_file(f->path, &st, 0);
    int have = get && get(arg, f->cur.cp.key, &cp) == VIGIL_OK;
    int same, found;
    uint64_t cur_ino = fd >= 0 ? (uint64_t)st.st_ino : 0;

    if (!have) {
        if (fd >= 0)
            stream_start(&f->cur, fd, &st, 0);
        return;
    }
    same = fd >= 0 && cp.dev == (uint64_t)st.st_dev && cp.inode == cur_ino;
    if (same) {
        uint64_t fp = fingerprint(fd, (uint64_t)st.st_size);
        if (cp.offset <= (uint64_t)st.st_size &&
            (cp.fingerprint == 0 || fp == cp.fingerprint)) {
            stream_start(&f->cur, fd, &st, cp.offset);
            if (f->cur.cp.fingerprint == 0)
                f->cur.cp.fingerprint = fp;
            return;
        }
    }
    /* The file vigil was reading is no longer (all) at the path: renamed
     * by one or more rotations and maybe compressed since, or truncated
     * by copytruncate (same inode; or a new file got the inode the
     * rotated file freed when it was compressed). Its rest is in a
     * rotated sibling, found by inode or text; the siblings rotated after
     * it come next, oldest first; the file at the path last, from its
     * start. */
    memset(&since, 0, sizeof(since));
    found = start_rotated(t, f, &cp, same, cur_ino, &since);
    if (!found)
        since.mtime = cp.updated_ns;
    if (found || cp.updated_ns > 0)
        find_newer(t, f, found ? f->old.cp.inode : cp.inode, cp.fingerprint,
                   cur_ino, &since, WHEN_STOPPED);
    if (found && same && f->npending == 0) {
        f->old.follow = 0; /* a copy: nothing writes to it */
        vigil_log(VIGIL_LOG_INFO, 1104,
                  "%s was truncated or rewritten while vigil was stopped; "
                  "reading it from the start",
                  f->path);
        vigil_log(VIGIL_LOG_INFO, 1109,
                  "%s: reading the rest of the truncated file from its "
                  "copy",
                  f->path);
    } else if (found) {
        /* Files rotated after it are older than the one at the path. */
        f->old.follow = f->npending == 0;
        vigil_log(VIGIL_LOG_INFO, 1105,
                  "%s was rotated while vigil was stopped; finishing the "
                  "rotated file from offset %llu first",
                  f->path, (unsigned long long)cp.offset);
    } else if (same) {
        vigil_log(VIGIL_LOG_INFO, 1104,
                  "%s was truncated or rewritten while vigil was stopped; "
                  "reading it from the start",
                  f->path);
        next_pending(f);
    } else if (fd >= 0) {
        t->unread_files++;
        vigil_log(VIGIL_LOG_WARN, 1117,
                  "%s was rotated while vigil was stopped and the rotated "
                  "file (read up to offset %llu) is gone or unreadable; "
                  "lines written to it after that may be missing",
                  f->path, (unsigned long long)cp.offset);
        next_pending(f);
    } else {
        next_pending(f);
    }
    if (fd >= 0)
        stream_start(&f->cur, fd, &st, 0);
}

/* While a renamed file waits out its grace period: notes the new file's
 * appearance (the writer has reopened, or will soon), which starts the
 * period again, and a second rotation, which queues the unread file. */
static void
watch_path(struct tail_file *f, int64_t now)
{
    struct stat st;
    int fd;

    if (stat(f->path, &st) != 0)
        return;
    if (f->cur.fd >= 0 && (uint64_t)st.st_dev == f->cur.cp.dev &&
        (uint64_t)st.st_ino == f->cur.cp.inode)
        return;
    if ((uint64_t)st.st_dev == f->old.cp.dev &&
        (uint64_t)st.st_ino == f->old.cp.inode)
        return; /* renamed back */
    if ((fd = open_file(f->path, &st, 0)) < 0)
        return;
    if (f->cur.fd >= 0) {
        /* Rotated again before the first one went quiet: the file in
         * between is read whole after the old one (it is unread). */
        if (f->npending < TAIL_PENDING_MAX && f->cur.read_off == 0) {
            f->pending[f->npending++] = f->cur.fd;
            f->cur.fd = -1;
        }
        stream_close(&f->cur);
    }
    stream_start(&f->cur, fd, &st, 0);
    f->old.quiet_ms = now;
}

/* The old stream is done: its last line (nothing will complete it any
 * more), what it lacked of a truncated file counted as lost. */
static enum vigil_rc
old_finish(struct ingest_tail *t, struct tail_file *f,
           const struct ingest_sink *sink)
{
    enum vigil_rc rc = stream_flush_partial(&f->old, sink);

    if (rc == VIGIL_OK && f->old.expect_end > f->old.read_off) {
        t->lost += f->old.expect_end - f->old.read_off;
        vigil_log(VIGIL_LOG_WARN, 1115,
                  "%s: %llu bytes written before the truncation are not in "
                  "its copy; they are lost",
                  f->path,
                  (unsigned long long)(f->old.expect_end - f->old.read_off));
    }
    stream_close(&f->old);
    return rc;
}

/* Lets go of lingering file i. With a sink, what it holds now is read and
 * its last partial line handed out first; what could not be read is
 * counted as unread and reported, with why it was let go. */
static enum vigil_rc
linger_drop(struct ingest_tail *t, size_t i, const struct ingest_sink *sink,
            const char *why)
{
    struct tail_stream *s = &t->linger[i];
    struct vigil_err err = {0};
    enum vigil_rc rc = VIGIL_OK;
    uint64_t size = s->read_off, unread;
    struct stat st;

    if (fstat(s->fd, &st) == 0 && (uint64_t)st.st_size > size)
        size = (uint64_t)st.st_size;
    if (sink != NULL && size > s->read_off) {
        size_t used = 0;
        int eof;
        rc = stream_read(t, s, sink, (size_t)(size - s->read_off), &used, &eof,
                         &err);
    }
    if (sink != NULL && rc == VIGIL_OK)
        rc = stream_flush_partial(s, sink);
    /* Bytes held as a partial line are unread too: nothing hands them out. */
    unread = (size > s->read_off ? size - s->read_off : 0) + s->part.len;
    if (unread > 0) {
        t->unread += unread;
        vigil_log(VIGIL_LOG_WARN, 1118,
                  "%s: stopped reading its rotated file (inode %llu) %s with "
                  "%llu bytes written to it not read; they are lost",
                  s->owner->path, (unsigned long long)s->cp.inode, why,
                  (unsigned long long)unread);
    }
    stream_close(s);
    vigil_buf_fini(&s->part);
    memmove(&t->linger[i], &t->linger[i + 1],
            (t->nlinger - i - 1) * sizeof(t->linger[0]));
    t->nlinger--;
    return rc;
}

/* The renamed file f->old has been quiet for the grace period, but the
 * writer may not be done with it: one starved of CPU, or slow to reopen,
 * still appends to it. While it exists under its rotated name it is kept
 * open and read as it grows (linger_poll) -- at most TAIL_LINGER_MAX per
 * source, the oldest let go to make room -- and the file at the path is
 * read meanwhile. Its lines report the position of the file being read at
 * the path (emit): a restart goes on from there and never reads anything
 * twice, but does not go back to a lingering file. Returns 1 when f->old
 * became a lingering file. */
static int
linger_add(struct ingest_tail *t, struct tail_file *f,
           const struct ingest_sink *sink)
{
    struct tail_stream *s;
    struct stat st;

    if (t->grace_ms == 0 || !f->old.follow || f->old.gz != NULL ||
        f->cur.fd < 0 || fstat(f->old.fd, &st) != 0 || st.st_nlink == 0)
        return 0;
    if (t->nlinger == TAIL_LINGER_MAX &&
        linger_drop(t, 0, sink, "to make room for a newer one") != VIGIL_OK)
        return 0;
    s = &t->linger[t->nlinger++];
    *s = f->old; /* takes over its fd and partial line */
    s->owner = f;
    stream_init(&f->old, t->max_line);
    stream_key(&f->old, f->path);
    return 1;
}

/* Reads the lingering files that grew, at most budget bytes each; lets go
 * of those deleted (or compressed) and quiet for the grace period. */
static enum vigil_rc
linger_poll(struct ingest_tail *t, const struct ingest_sink *sink,
            size_t budget, size_t *used, struct vigil_err *err)
{
    int64_t now = ingest_mono_ms();
    enum vigil_rc rc;

    for (size_t i = 0; i < t->nlinger;) {
        struct tail_stream *s = &t->linger[i];
        struct stat st;
        int eof = 1;

        if (fstat(s->fd, &st) != 0)
            return vigil_err_set(err, VIGIL_EIO, "%s: fstat: %s",
                                 s->owner->path, strerror(errno));
        if ((uint64_t)st.st_size > s->read_off) {
            size_t u = 0;
            rc = stream_read(t, s, sink, budget, &u, &eof, err);
            *used += u;
            if (rc != VIGIL_OK)
                return rc;
            if (u > 0)
                s->quiet_ms = now;
        }
        if (st.st_nlink == 0 && eof && now - s->quiet_ms >= t->grace_ms) {
            if ((rc = linger_drop(t, i, sink, "once deleted")) != VIGIL_OK)
                return rc;
            continue;
        }
        i++;
    }
    return VIGIL_OK;
}

/* The file at the path was truncated under the reader (copytruncate):
 * what was not read yet is read from the copy when one is found, else
 * counted as lost. fd/st: the file now at the path. */
static void
truncated(struct ingest_tail *t, struct tail_file *f, int fd,
          const struct stat *st)
{
    struct tail_stream *c = &f->cur;
    uint64_t known = c->seen_size > c->read_off ? c->seen_size : c->read_off;
    struct sibling copy;
    struct stat cst;
    int cfd = find_by_text(t, f->path, &c->cp, c->cp.inode, &cst, &copy);

    if (cfd >= 0 && stream_start_any(&f->old, cfd, &cst, c->cp.offset)) {
        f->old.expect_end = known;
        vigil_log(VIGIL_LOG_INFO, 1102,
                  "%s was truncated (copytruncate); reading the rest from "
                  "its copy, then the file from the start",
                  f->path);
        /* A reader that fell behind may have missed more than one
         * truncation: the copies made after this one hold lines the file
         * no longer has. They come next, oldest first. */
        find_newer(t, f, (uint64_t)cst.st_ino, c->cp.fingerprint,
                   (uint64_t)st->st_ino, &copy, WHEN_BEHIND);
    } else if (known > c->cp.offset) {
        t->lost += known - c->cp.offset;
        vigil_log(VIGIL_LOG_WARN, 1115,
                  "%s was truncated (copytruncate) before %llu bytes of it "
                  "were read, and no copy of it was found; they are lost",
                  f->path, (unsigned long long)(known - c->cp.offset));
    } else {
        vigil_log(VIGIL_LOG_INFO, 1102,
                  "%s was truncated (copytruncate); reading it from the "
                  "start",
                  f->path);
    }
    stream_start(c, fd, st, 0);
}

static enum vigil_rc
file_poll(struct ingest_tail *t, struct tail_file *f,
          const struct ingest_sink *sink, size_t budget, int flush,
          size_t *used, struct vigil_err *err)
{
    struct stat st;
    enum vigil_rc rc;
    int eof;

    for (int round = 0; round < TAIL_PENDING_MAX + 3; round++) {
        if (f->old.fd >= 0) {
            size_t before = *used;
            rc = stream_read(t, &f->old, sink, budget, used, &eof, err);
            if (rc != VIGIL_OK)
                return rc;
            if (*used > before)
                f->old.quiet_ms = ingest_mono_ms();
            if (!eof)
                return VIGIL_OK; /* budget spent; go on next time */
            if (f->old.follow && !flush && t->grace_ms > 0) {
                int64_t now = ingest_mono_ms();
                watch_path(f, now);
                if (now - f->old.quiet_ms < t->grace_ms)
                    return VIGIL_OK; /* the writer may not be done */
            }
            if ((flush || !linger_add(t, f, sink)) &&
                (rc = old_finish(t, f, sink)) != VIGIL_OK)
                return rc;
            if (next_pending(f))
                continue;
        }

        if (stat(f->path, &st) != 0) {
            if (f->cur.fd >= 0) {
                /* Renamed or deleted: read what remains of it. */
                struct tail_stream tmp = f->old;
                f->old = f->cur;
                f->cur = tmp;
                f->old.follow = 1;
                f->old.quiet_ms = ingest_mono_ms();
                continue;
            }
            return VIGIL_OK;
        }
        if (f->cur.fd >= 0 && ((uint64_t)st.st_dev != f->cur.cp.dev ||
                               (uint64_t)st.st_ino != f->cur.cp.inode)) {
            struct tail_stream tmp = f->old;
            f->old = f->cur;
            f->cur = tmp;
            f->old.follow = 1;
            f->old.quiet_ms = ingest_mono_ms();
            vigil_log(VIGIL_LOG_INFO, 1101,
                      "%s was rotated; finishing the old file, then "
                      "reading the new one",
                      f->path);
        }
        if (f->cur.fd < 0) {
            int fd = open_file(f->path, &st, 0);
            if (fd < 0)
                return VIGIL_OK;
            stream_start(&f->cur, fd, &st, 0);
        }
        if (f->old.fd < 0)
            break;
    }
    if (f->cur.fd < 0 || f->old.fd >= 0)
        return VIGIL_OK;

    if (fstat(f->cur.fd, &st) != 0)
        return vigil_err_set(err, VIGIL_EIO, "%s: fstat: %s", f->path,
                             strerror(errno));
    uint64_t size = (uint64_t)st.st_size;
    int trunc = size < f->cur.read_off;
    if (!trunc && size > f->cur.read_off && f->cur.cp.fingerprint != 0)
        trunc = fingerprint(f->cur.fd, size) != f->cur.cp.fingerprint;
    if (trunc) {
        int fd = open_file(f->path, &st, 0);
        if (fd < 0) {
            stream_close(&f->cur);
            return VIGIL_OK;
        }
        truncated(t, f, fd, &st);
        if (f->old.fd >= 0)
            return file_poll(t, f, sink, budget, flush, used, err);
        size = (uint64_t)st.st_size;
    }
    f->cur.seen_size = size;
    if (f->cur.read_off >= size && !flush)
        return VIGIL_OK;
    rc = stream_read(t, &f->cur, sink, budget, used, &eof, err);
    if (rc == VIGIL_OK && eof && flush)
        rc = stream_flush_partial(&f->cur, sink);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Public (to the folder) API                                           */
/* ------------------------------------------------------------------ */

enum vigil_rc
ingest_tail_new(struct ingest_tail **out, char *const *globs, size_t nglobs,
                size_t max_line, int64_t grace_ms, struct vigil_err *err)
{
    struct ingest_tail *t = calloc(1, sizeof(*t));

    *out = NULL;
    if (t == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    t->max_line = max_line;
    t->grace_ms = grace_ms;
    t->globs = calloc(nglobs ? nglobs : 1, sizeof(char *));
    t->files = calloc(INGEST_MAX_FILES, sizeof(*t->files));
    t->rbuf = malloc(TAIL_READ_CHUNK);
    if (t->globs == NULL || t->files == NULL || t->rbuf == NULL)
        goto nomem;
    for (size_t i = 0; i < nglobs; i++) {
        if ((t->globs[i] = strdup(globs[i])) == NULL)
            goto nomem;
        t->nglobs++;
    }
    *out = t;
    return VIGIL_OK;
nomem:
    ingest_tail_free(t);
    return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
}

/* Frees f, letting go of its lingering files (why: for the message). */
static void
file_free(struct ingest_tail *t, struct tail_file *f, const char *why)
{
    for (size_t i = 0; i < t->nlinger;)
        if (t->linger[i].owner != f || linger_drop(t, i, NULL, why) != VIGIL_OK)
            i++;
    for (size_t i = 0; i < f->npending; i++)
        close(f->pending[i]);
    stream_close(&f->cur);
    stream_close(&f->old);
    vigil_buf_fini(&f->cur.part);
    vigil_buf_fini(&f->old.part);
    free(f);
}

void
ingest_tail_reset(struct ingest_tail *t)
{
    for (size_t i = 0; i < t->nfiles; i++)
        file_free(t, t->files[i], "to read again from the checkpoints");
    t->nfiles = 0;
}

void
ingest_tail_free(struct ingest_tail *t)
{
    if (t == NULL)
        return;
    if (t->files)
        ingest_tail_reset(t);
    for (size_t i = 0; i < t->nglobs; i++)
        free(t->globs[i]);
    free(t->globs);
    free(t->files);
    free(t->rbuf);
    free(t);
}

size_t
ingest_tail_nfiles(const struct ingest_tail *t)
{
    return t->nfiles;
}

uint64_t
ingest_tail_take_lost(struct ingest_tail *t)
{
    uint64_t n = t->lost;

    t->lost = 0;
    return n;
}

void
ingest_tail_take_unread(struct ingest_tail *t, uint64_t *bytes, uint64_t *files)
{
    *bytes = t->unread;
    *files = t->unread_files;
    t->unread = t->unread_files = 0;
}

enum vigil_rc
ingest_tail_stop(struct ingest_tail *t, const struct ingest_sink *sink)
{
    enum vigil_rc rc = VIGIL_OK;

    while (t->nlinger > 0) {
        enum vigil_rc r = linger_drop(t, 0, sink, "as vigil stops");
        if (r != VIGIL_OK) {
            rc = r;
            sink = NULL; /* refused: count the rest */
        }
    }
    return rc;
}

static struct tail_file *
find_file(struct ingest_tail *t, const char *path)
{
    for (size_t i = 0; i < t->nfiles; i++)
        if (strcmp(t->files[i]->path, path) == 0)
            return t->files[i];
    return NULL;
}

enum vigil_rc
ingest_tail_scan(struct ingest_tail *t, ingest_ckpt_get_fn get, void *arg,
                 struct vigil_err *err)
{
    for (size_t i = 0; i < t->nfiles; i++)
        t->files[i]->seen = 0;
    for (size_t g = 0; g < t->nglobs; g++) {
        glob_t gl;
        int r = glob(t->globs[g], GLOB_NOSORT | GLOB_BRACE, NULL, &gl);
        /* A literal path that does not exist yet is followed anyway, so
         * it is picked up from its first line when it appears. */
        int literal = strpbrk(t->globs[g], "*?[{") == NULL;
        size_t n = r == 0 ? gl.gl_pathc : 0;

        for (size_t i = 0; i < n + (size_t)(literal && n == 0); i++) {
            const char *path = i < n ? gl.gl_pathv[i] : t->globs[g];
            struct tail_file *f = find_file(t, path);
            struct stat st;

            if (f == NULL) {
                if (strlen(path) >= sizeof(f->path))
                    continue;
                if (i < n && (stat(path, &st) != 0 || !S_ISREG(st.st_mode)))
                    continue;
                if (t->nfiles >= INGEST_MAX_FILES) {
                    vigil_log(VIGIL_LOG_WARN, 1103,
                              "%s: more than %d files match; ignoring the "
                              "rest",
                              t->globs[g], INGEST_MAX_FILES);
                    break;
                }
                if ((f = calloc(1, sizeof(*f))) == NULL) {
                    if (r == 0)
                        globfree(&gl);
                    return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
                }
                snprintf(f->path, sizeof(f->path), "%s", path);
                stream_init(&f->cur, t->max_line);
                stream_init(&f->old, t->max_line);
                stream_key(&f->cur, f->path);
                stream_key(&f->old, f->path);
                file_start(t, f, get, arg);
                t->files[t->nfiles++] = f;
            }
            f->seen = 1;
        }
        if (r == 0)
            globfree(&gl);
    }
    /* Forget files that no longer match and have nothing left to read. */
    for (size_t i = 0; i < t->nfiles;) {
        struct tail_file *f = t->files[i];
        struct stat st;
        if (!f->seen && f->old.fd < 0 &&
            (f->cur.fd < 0 || stat(f->path, &st) != 0)) {
            if (f->cur.fd >= 0) {
                i++; /* let poll finish the deleted file first */
                continue;
            }
            file_free(t, f, "as its path is no longer followed");
            t->files[i] = t->files[--t->nfiles];
            continue;
        }
        i++;
    }
    return VIGIL_OK;
}

enum vigil_rc
ingest_tail_poll(struct ingest_tail *t, const struct ingest_sink *sink,
                 size_t max_bytes, int at_eof_flush, size_t *bytes,
                 struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_OK;

    *bytes = 0;
    for (size_t i = 0; i < t->nfiles && rc == VIGIL_OK; i++) {
        size_t used = 0;
        rc = file_poll(t, t->files[i], sink, max_bytes, at_eof_flush, &used,
                       err);
        *bytes += used;
    }
    if (rc == VIGIL_OK && t->nlinger > 0) {
        size_t used = 0;
        rc = linger_poll(t, sink, max_bytes, &used, err);
        *bytes += used;
    }
    return rc;
}
