/* fim_scan.c -- `vigil fim baseline` and `vigil fim check`: one streaming
 * pass over the trees, hashing on a pool of threads, in bounded memory.
 *
 * Order is what keeps memory flat. Every path is stored under a key in
 * which '/' becomes the byte 0, so the key order of the table is exactly
 * the order of a depth-first walk whose siblings are sorted by strcmp
 * ("a", "a/x", "a.b"). The walker holds only the sorted names of the
 * folders on the current path; the check reads the table in chunks of
 * CHUNK rows after the last key seen and merges the two sequences like
 * two sorted files. Between them sits a ring of RING slots: the walker
 * fills slots in order, the hashing threads take any slot that needs a
 * hash, and the consumer (insert, or compare and report) empties them in
 * order, so the output order is the walk's whatever the threads do.
 *
 * core's vigil_walk is not used: a scan must prune excluded folders and
 * other file systems, and its visited-folder set grows with the tree.
 *
 * The walker holds a descriptor per folder level and reaches every entry
 * relative to its folder's descriptor (fstatat, openat with O_NOFOLLOW),
 * so a folder swapped for a symbolic link mid-walk cannot lead it, or a
 * hashing thread, elsewhere; the hasher also checks the inode it opened
 * is the one walked. Depth is bounded by memory (a level each) and by
 * PATH_MAX bytes of path; entries beyond that are counted and reported.
 * Pseudo file systems (proc, sysfs, cgroup...) and vigil's own state
 * directory are never walked. A hard-linked inode is hashed once per run
 * and its digest reused for its other names. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "fim/fim_int.h"

#define RING        1024
#define CHUNK       2048
#define TX_ROWS     4000
#define LINK_CACHE  (1u << 15) /* hard-linked inodes remembered per run */
#define MAX_THREADS 16
#define HASH_BUF    (1u << 20)
#define PATH_CAP    (PATH_MAX + 1)

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */
/* ------------------------------------------------------------------ */

int
fim_keycmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;

    for (size_t i = 0; i < n; i++) {
        unsigned ca = (unsigned char)a[i], cb = (unsigned char)b[i];
        if (ca == '/')
            ca = 0;
        if (cb == '/')
            cb = 0;
        if (ca != cb)
            return ca < cb ? -1 : 1;
    }
    return alen < blen ? -1 : alen > blen;
}

int
fim_excluded(const char *path, const char *name, const char *const *pat,
             size_t npat)
{
    for (size_t i = 0; i < npat; i++) {
        if (strchr(pat[i], '/') != NULL) {
            if (fnmatch(pat[i], path, 0) == 0)
                return 1;
        } else if (fnmatch(pat[i], name, FNM_PERIOD) == 0 ||
                   fnmatch(pat[i], name, 0) == 0) {
            return 1;
        }
    }
    return 0;
}

static int64_t
ts_ns(const struct timespec *t)
{
    return (int64_t)t->tv_sec * VIGIL_NS_PER_SEC + t->tv_nsec;
}

static int
type_of(mode_t m)
{
    if (S_ISREG(m))
        return VIGIL_FIM_T_FILE;
    if (S_ISDIR(m))
        return VIGIL_FIM_T_DIR;
    if (S_ISLNK(m))
        return VIGIL_FIM_T_LINK;
    if (S_ISFIFO(m))
        return VIGIL_FIM_T_FIFO;
    if (S_ISSOCK(m))
        return VIGIL_FIM_T_SOCK;
    if (S_ISCHR(m))
        return VIGIL_FIM_T_CHR;
    if (S_ISBLK(m))
        return VIGIL_FIM_T_BLK;
    return VIGIL_FIM_T_OTHER;
}

static int
is_special(int type)
{
    return type == VIGIL_FIM_T_FIFO || type == VIGIL_FIM_T_SOCK ||
           type == VIGIL_FIM_T_CHR || type == VIGIL_FIM_T_BLK ||
           type == VIGIL_FIM_T_OTHER;
}

static void
rec_from_stat(struct vigil_fim_rec *r, const struct stat *st)
{
    r->type = type_of(st->st_mode);
    r->size = (int64_t)st->st_size;
    r->mode = (uint32_t)(st->st_mode & 07777);
    r->uid = st->st_uid;
    r->gid = st->st_gid;
    r->ino = st->st_ino;
    r->nlink = (int64_t)st->st_nlink;
    r->mtime_ns = ts_ns(&st->st_mtim);
    r->ctime_ns = ts_ns(&st->st_ctim);
    r->rdev = S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)
                  ? (uint64_t)st->st_rdev
                  : 0;
}

/* ------------------------------------------------------------------ */
/* The walker                                                           */
/* ------------------------------------------------------------------ */

/* A folder's descriptor, shared by the walker's level and the slots
 * waiting to hash a file in it; closed with the last reference. */
struct dirref {
    int fd;
    atomic_int refs;
};

static struct dirref *
dir_new(int fd)
{
    struct dirref *d = malloc(sizeof(*d));

    if (d == NULL)
        return NULL;
    d->fd = fd;
    atomic_init(&d->refs, 1);
    return d;
}

static void
dir_unref(struct dirref *d)
{
    if (d != NULL && atomic_fetch_sub(&d->refs, 1) == 1) {
        close(d->fd);
        free(d);
    }
}

struct level {
    char *names; /* NUL-separated, sorted through off */
    size_t *off;
    size_t n, i;
    size_t pathlen; /* the folder's path length */
    dev_t dev;
    ino_t ino;
    struct dirref *dir;
    int long_noted; /* a too-long entry was reported */
};

struct walker {
    const char *const *roots;
    size_t nroots, root;
    const char *const *exclude;
    size_t nexclude;
    int one_fs;
    dev_t root_dev;
    char path[PATH_CAP];
    size_t len;
    struct level *lv; /* one per folder on the current path */
    size_t lvcap;
    int depth; /* levels in use */
    int has_state;
    dev_t state_dev;
    ino_t state_ino;
    vigil_fim_skip_fn skip;
    void *skip_arg;
    struct vigil_fim_stats *st;
};

/* What the walker hands out; path is the walker's, valid until the next
 * call. unlisted: a folder whose entries could not be read. dir (NULL
 * for a root) and name: how to reach it without resolving the path. */
struct entry {
    const char *path;
    size_t len;
    struct stat st;
    int unlisted;
    struct dirref *dir;
    const char *name;
};

static const char *cmp_base;

static int
cmp_off(const void *a, const void *b)
{
    return strcmp(cmp_base + *(const size_t *)a, cmp_base + *(const size_t *)b);
}

static void
level_free(struct level *l)
{
    free(l->names);
    free(l->off);
    dir_unref(l->dir);
    memset(l, 0, sizeof(*l));
}

static void
note_skip(struct walker *w, const char *path, const char *why)
{
    vigil_log(VIGIL_LOG_DEBUG, FIM_LOG_WATCH_FAIL, "fim: not walked: %s: %s",
              path, why);
    if (w->skip != NULL)
        w->skip(path, why, w->skip_arg);
}

/* The type of the file system mounted as dev, from mountinfo, into out;
 * 0 when not found. Only asked when statfs cannot tell (devtmpfs reports
 * tmpfs's magic). */
static int
mount_type(dev_t dev, char *out, size_t len)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    char line[8192], want[48];
    int found = 0;

    if (f == NULL)
        return 0;
    snprintf(want, sizeof(want), "%u:%u ", major(dev), minor(dev));
    while (!found && fgets(line, sizeof(line), f) != NULL) {
        /* id parent maj:min root mountpoint options... - type source ... */
        char *p = strchr(line, ' ');
        p = p != NULL ? strchr(p + 1, ' ') : NULL;
        if (p == NULL || strncmp(p + 1, want, strlen(want)) != 0)
            continue;
        char *t = strstr(p, " - ");
        if (t == NULL)
            continue;
        t += 3;
        snprintf(out, len, "%.*s", (int)strcspn(t, " \n"), t);
        found = 1;
    }
    fclose(f);
    return found;
}

/* Is the folder open as fd (on dev) a pseudo file system, whose entries
 * are the kernel's state, not files (walking /proc or /sys costs much,
 * changes on every run and can block)? Its type's name goes to name. */
int
fim_pseudo_fs(int fd, dev_t dev, char *name, size_t len)
{
    static const struct {
        unsigned long magic;
        const char *name;
    } m[] = {
        {0x9fa0, "proc"},           {0x62656572, "sysfs"},
        {0x27e0eb, "cgroup"},       {0x63677270, "cgroup2"},
        {0x64626720, "debugfs"},    {0x74726163, "tracefs"},
        {0x73636673, "securityfs"}, {0x6165676c, "pstore"},
        {0xcafe4a11, "bpf"},        {0x62656570, "configfs"},
        {0x1cd1, "devpts"},         {0x19800202, "mqueue"},
        {0x65735543, "fusectl"},    {0x42494e4d, "binfmt_misc"},
        {0xde5e81e4, "efivarfs"},   {0xf97cff8c, "selinuxfs"},
        {0x6e736673, "nsfs"},       {0x50495045, "pipefs"},
    };
    struct statfs sf;

    if (fstatfs(fd, &sf) != 0)
        return 0;
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
        if ((unsigned long)sf.f_type == m[i].magic) {
            snprintf(name, len, "%s", m[i].name);
            return 1;
        }
    if ((unsigned long)sf.f_type == 0x01021994 /* tmpfs */ &&
        mount_type(dev, name, len) && strcmp(name, "devtmpfs") == 0)
        return 1;
    return 0;
}

/* Opens and reads the folder e into a new level. 0 on success, -1 when
 * it is not to be walked (reported already), else errno (the folder is
 * then reported as unlisted). */
static int
level_push(struct walker *w, const struct entry *e)
{
    struct level *l;
    size_t cap = 0, used = 0, ncap = 0;
    struct dirent *de;
    struct stat fs;
    char type[64];
    DIR *d;
    int e_ = 0, fd, dfd;

    for (int i = 0; i < w->depth; i++)
        if (w->lv[i].dev == e->st.st_dev && w->lv[i].ino == e->st.st_ino)
            return ELOOP; /* a bind mount back into the tree */
    if (vigil_grow(&w->lv, &w->lvcap, (size_t)w->depth + 1, sizeof(*w->lv),
                   0) != VIGIL_OK)
        return ENOMEM;
    /* a root is followed if it is a link: the caller named it */
    fd = e->dir != NULL
             ? openat(e->dir->fd, e->name,
                      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
             : open(w->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    if (fstat(fd, &fs) != 0 || fs.st_dev != e->st.st_dev ||
        fs.st_ino != e->st.st_ino) {
        close(fd);
        return ESTALE; /* replaced since it was walked */
    }
    if (w->depth > 0 && fs.st_dev != w->lv[w->depth - 1].dev &&
        fim_pseudo_fs(fd, fs.st_dev, type, sizeof(type))) {
        char why[96];
        close(fd);
        w->st->pseudo++;
        snprintf(why, sizeof(why), "pseudo file system %s", type);
        note_skip(w, w->path, why);
        return -1;
    }
    if ((dfd = dup(fd)) < 0 || (d = fdopendir(dfd)) == NULL) {
        e_ = errno;
        if (dfd >= 0)
            close(dfd);
        close(fd);
        return e_;
    }
    l = &w->lv[w->depth];
    memset(l, 0, sizeof(*l));
    while ((errno = 0, de = readdir(d)) != NULL) {
        size_t nl = strlen(de->d_name);
        if (de->d_name[0] == '.' &&
            (nl == 1 || (nl == 2 && de->d_name[1] == '.')))
            continue;
        if (vigil_grow(&l->names, &cap, used + nl + 1, 1, 0) != VIGIL_OK ||
            vigil_grow(&l->off, &ncap, l->n + 1, sizeof(size_t), 0) !=
                VIGIL_OK) {
            e_ = ENOMEM;
            break;
        }
        memcpy(l->names + used, de->d_name, nl + 1);
        l->off[l->n++] = used;
        used += nl + 1;
    }
    if (e_ == 0 && errno != 0)
        e_ = errno;
    closedir(d);
    if (e_ == 0 && (l->dir = dir_new(fd)) == NULL)
        e_ = ENOMEM;
    if (e_ != 0) {
        if (l->dir == NULL)
            close(fd);
        level_free(l);
        return e_;
    }
    /* qsort has no context argument in C11: the walker runs on one
     * thread, so a file-level base pointer is safe */
    cmp_base = l->names;
    if (l->n > 1)
        qsort(l->off, l->n, sizeof(size_t), cmp_off);
    l->pathlen = w->len;
    l->dev = e->st.st_dev;
    l->ino = e->st.st_ino;
    w->depth++;
    return 0;
}

static void
walker_fini(struct walker *w)
{
    while (w->depth > 0)
        level_free(&w->lv[--w->depth]);
    free(w->lv);
    w->lv = NULL;
    w->lvcap = 0;
}

/* After an entry that is a folder: descend unless pruned. */
static void
maybe_descend(struct walker *w, struct entry *e)
{
    int r;

    if (!S_ISDIR(e->st.st_mode))
        return;
    if (w->one_fs && e->st.st_dev != w->root_dev)
        return;
    if ((r = level_push(w, e)) == EMFILE || r == ENFILE) {
        /* a descriptor per level: deeper than the process may open is
         * part of the trees not compared, which check must not pass */
        e->unlisted = 1;
        w->st->too_long++;
        note_skip(w, w->path, "too deep for the file descriptors available");
    } else if (r > 0) {
        e->unlisted = 1;
        w->st->skipped++;
        vigil_log(VIGIL_LOG_DEBUG, FIM_LOG_WATCH_FAIL,
                  "fim: cannot list %s: %s", w->path, strerror(r));
    }
}

static int
is_state_dir(const struct walker *w, const struct stat *st)
{
    return w->has_state && S_ISDIR(st->st_mode) && st->st_dev == w->state_dev &&
           st->st_ino == w->state_ino;
}

/* The next entry in key order, or VIGIL_END. */
static enum vigil_rc
walker_next(struct walker *w, struct entry *e)
{
    for (;;) {
        if (w->depth == 0) {
            const char *r;
            size_t rl;
            if (w->root >= w->nroots)
                return VIGIL_END;
            r = w->roots[w->root++];
            rl = strlen(r);
            if (rl >= sizeof(w->path))
                continue;
            memcpy(w->path, r, rl + 1);
            w->len = rl;
            memset(e, 0, sizeof(*e));
            /* the root is followed if it is a link: the caller named it */
            if (stat(w->path, &e->st) != 0) {
                w->st->skipped++;
                continue; /* a vanished root: its rows read as removed */
            }
            if (is_state_dir(w, &e->st)) {
                note_skip(w, w->path, "vigil's state directory");
                continue;
            }
            w->root_dev = e->st.st_dev;
            e->path = w->path;
            e->len = w->len;
            e->name = w->path;
            maybe_descend(w, e);
            return VIGIL_OK;
        }
        struct level *l = &w->lv[w->depth - 1];
        if (l->i >= l->n) {
            w->len = l->pathlen;
            w->path[w->len] = '\0';
            level_free(l);
            w->depth--;
            continue;
        }
        const char *name = l->names + l->off[l->i++];
        size_t nl = strlen(name);
        size_t base = l->pathlen;
        int slash = base > 0 && w->path[base - 1] == '/';
        if (base + !slash + nl >= sizeof(w->path)) {
            /* a key holds at most PATH_MAX bytes: what is deeper is not
             * walked, and said so (check fails on it, never passes) */
            w->st->too_long++;
            if (!l->long_noted) {
                l->long_noted = 1;
                w->path[base] = '\0';
                note_skip(w, w->path,
                          "entries below have paths longer than PATH_MAX "
                          "bytes and are not checked");
            }
            continue;
        }
        w->path[base] = '/';
        memcpy(w->path + base + !slash, name, nl + 1);
        w->len = base + !slash + nl;
        if (w->nexclude > 0 &&
            fim_excluded(w->path, name, w->exclude, w->nexclude))
            continue;
        memset(e, 0, sizeof(*e));
        if (fstatat(l->dir->fd, name, &e->st, AT_SYMLINK_NOFOLLOW) != 0)
            continue; /* vanished since it was listed */
        if (is_state_dir(w, &e->st)) {
            note_skip(w, w->path, "vigil's state directory");
            continue;
        }
        e->path = w->path;
        e->len = w->len;
        e->dir = l->dir;
        e->name = name;
        maybe_descend(w, e);
        return VIGIL_OK;
    }
}

/* Sets up the walker's state-directory exclusion and reporting. */
static void
walker_opts(struct walker *w, const struct vigil_fim_scan_opts *opts)
{
    struct stat st;

    w->skip = opts->skip;
    w->skip_arg = opts->skip_arg;
    if (opts->state_dir != NULL && stat(opts->state_dir, &st) == 0) {
        w->has_state = 1;
        w->state_dev = st.st_dev;
        w->state_ino = st.st_ino;
    }
}

/* ------------------------------------------------------------------ */
/* The ring and the hashing threads                                     */
/* ------------------------------------------------------------------ */

enum slot_state { S_FREE, S_READY, S_NEED, S_HASHING };

struct slot {
    enum slot_state state;
    int has_old, has_cur, unlisted;
    char path[PATH_CAP];
    size_t len;
    struct vigil_fim_rec old, cur;
    char oldlink[PATH_CAP], curlink[PATH_CAP];
    struct stat walked; /* the entry as walked */
    struct dirref *dir; /* a reference while waiting for its hash */
    const char *name;   /* dir's entry: in path, or path itself */
};

/* A hard-linked inode's digest, kept for its other names in this run. */
struct link_ent {
    int state; /* 0 free, 1 being hashed, 2 done */
    dev_t dev;
    ino_t ino;
    int64_t size, mtime_ns, ctime_ns;
    int flags;
    char sha256[65];
};

struct scan {
    struct vigil_store *store;
    const struct vigil_fim_scan_opts *opts;
    struct vigil_fim_stats *st;
    struct slot *ring;
    uint64_t head, tail, next_hash; /* fill at head, drain at tail */
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    int stopping;
    pthread_t th[MAX_THREADS];
    int nth;
    struct link_ent *links; /* LINK_CACHE slots, open addressing */
    size_t nlinks;
    int64_t last_progress;
    /* baseline */
    int64_t gen;
    struct vigil_store_tx *tx;
    size_t tx_rows;
    /* check */
    vigil_fim_diff_fn fn;
    void *arg;
    const char *skip_prefix; /* rows under an unlisted folder */
    size_t skip_len;
    char skip_buf[PATH_CAP];
};

/* The cache entry of the slot's inode (nlink > 1), under sc->mu: done,
 * or claimed for this thread to hash (state 1), waiting while another
 * thread hashes it; NULL when the cache is full. A different size or
 * time is another version: a new entry. */
static struct link_ent *
link_claim(struct scan *sc, struct slot *s)
{
    const struct stat *w = &s->walked;
    size_t h = ((size_t)w->st_ino * 0x9e3779b97f4a7c15ULL ^ (size_t)w->st_dev) &
               (LINK_CACHE - 1);

    if (sc->links == NULL)
        return NULL;
    for (size_t probe = 0; probe < LINK_CACHE; probe++) {
        struct link_ent *e = &sc->links[(h + probe) & (LINK_CACHE - 1)];
        if (e->state == 0) {
            if (sc->nlinks >= LINK_CACHE / 2)
                return NULL; /* keep probes short: hash the rest */
            e->state = 1;
            e->dev = w->st_dev;
            e->ino = w->st_ino;
            e->size = s->cur.size;
            e->mtime_ns = s->cur.mtime_ns;
            e->ctime_ns = s->cur.ctime_ns;
            sc->nlinks++;
            return e;
        }
        if (e->dev != w->st_dev || e->ino != w->st_ino ||
            e->size != s->cur.size || e->mtime_ns != s->cur.mtime_ns ||
            e->ctime_ns != s->cur.ctime_ns)
            continue;
        while (e->state == 1)
            pthread_cond_wait(&sc->done, &sc->mu);
        return e;
    }
    return NULL;
}

static void *
hasher(void *arg)
{
    struct scan *sc = arg;
    unsigned char *buf = malloc(HASH_BUF);

    pthread_mutex_lock(&sc->mu);
    for (;;) {
        struct slot *s = NULL;
        while (!sc->stopping) {
            /* slots before tail were drained (no hash needed) */
            if (sc->next_hash < sc->tail)
                sc->next_hash = sc->tail;
            while (sc->next_hash < sc->head &&
                   sc->ring[sc->next_hash % RING].state != S_NEED)
                sc->next_hash++;
            if (sc->next_hash < sc->head) {
                s = &sc->ring[sc->next_hash % RING];
                sc->next_hash++;
                break;
            }
            pthread_cond_wait(&sc->work, &sc->mu);
        }
        if (s == NULL)
            break;
        s->state = S_HASHING;
        struct link_ent *le = s->cur.nlink > 1 ? link_claim(sc, s) : NULL;
        if (le != NULL && le->state == 2) {
            /* another name of an inode hashed in this run */
            memcpy(s->cur.sha256, le->sha256, sizeof(le->sha256));
            s->cur.flags |= le->flags;
            sc->st->shared++;
            dir_unref(s->dir);
            s->dir = NULL;
            s->state = S_READY;
            pthread_cond_broadcast(&sc->done);
            continue;
        }
        pthread_mutex_unlock(&sc->mu);

        struct vigil_err err = {0};
        struct stat hst;
        uint64_t bytes = 0;
        enum vigil_rc rc =
            buf == NULL ? VIGIL_ENOMEM
                        : fim_hash_at(s->dir != NULL ? s->dir->fd : AT_FDCWD,
                                      s->name, &s->walked, buf, HASH_BUF,
                                      s->cur.sha256, &hst, &bytes, &err);
        if (rc == VIGIL_OK || rc == VIGIL_ECONFLICT) {
            if (rc == VIGIL_OK && type_of(hst.st_mode) == VIGIL_FIM_T_FILE)
                rec_from_stat(&s->cur, &hst); /* the version hashed */
            if (rc != VIGIL_OK) {
                s->cur.sha256[0] = '\0';
                s->cur.flags |= VIGIL_FIM_CHANGING;
            }
        } else {
            s->cur.sha256[0] = '\0';
            s->cur.flags |= VIGIL_FIM_UNREADABLE;
        }
        dir_unref(s->dir);
        s->dir = NULL;

        pthread_mutex_lock(&sc->mu);
        if (le != NULL) {
            memcpy(le->sha256, s->cur.sha256, sizeof(le->sha256));
            le->flags = s->cur.flags;
            le->state = 2;
        }
        sc->st->hashed++;
        sc->st->bytes += bytes;
        if (s->cur.flags & VIGIL_FIM_UNREADABLE)
            sc->st->unreadable++;
        s->state = S_READY;
        pthread_cond_broadcast(&sc->done);
    }
    pthread_mutex_unlock(&sc->mu);
    free(buf);
    return NULL;
}

static enum vigil_rc
scan_start(struct scan *sc, struct vigil_err *err)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int n = sc->opts->threads > 0 ? sc->opts->threads : (int)ncpu;

    if (n < 1)
        n = 1;
    if (n > MAX_THREADS)
        n = MAX_THREADS;
    if ((sc->ring = calloc(RING, sizeof(*sc->ring))) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    /* without it every link is hashed: slower, still right */
    sc->links = calloc(LINK_CACHE, sizeof(*sc->links));
    pthread_mutex_init(&sc->mu, NULL);
    pthread_cond_init(&sc->work, NULL);
    pthread_cond_init(&sc->done, NULL);
    for (int i = 0; i < n; i++) {
        if (pthread_create(&sc->th[i], NULL, hasher, sc) != 0)
            break;
        sc->nth++;
    }
    if (sc->nth == 0)
        return vigil_err_set(err, VIGIL_EIO, "cannot start hashing threads");
    return VIGIL_OK;
}

static void
scan_stop(struct scan *sc)
{
    if (sc->ring == NULL)
        return;
    pthread_mutex_lock(&sc->mu);
    sc->stopping = 1;
    pthread_cond_broadcast(&sc->work);
    pthread_mutex_unlock(&sc->mu);
    for (int i = 0; i < sc->nth; i++)
        pthread_join(sc->th[i], NULL);
    pthread_mutex_destroy(&sc->mu);
    pthread_cond_destroy(&sc->work);
    pthread_cond_destroy(&sc->done);
    for (size_t i = 0; i < RING; i++)
        dir_unref(sc->ring[i].dir);
    free(sc->ring);
    sc->ring = NULL;
    free(sc->links);
    sc->links = NULL;
}

static enum vigil_rc consume(struct scan *sc, struct slot *s,
                             struct vigil_err *err);

/* Empties the oldest slot (waiting for its hash); VIGIL_END when empty. */
static enum vigil_rc
drain_one(struct scan *sc, struct vigil_err *err)
{
    struct slot *s;
    enum vigil_rc rc;

    pthread_mutex_lock(&sc->mu);
    if (sc->tail == sc->head) {
        pthread_mutex_unlock(&sc->mu);
        return VIGIL_END;
    }
    s = &sc->ring[sc->tail % RING];
    while (s->state != S_READY)
        pthread_cond_wait(&sc->done, &sc->mu);
    pthread_mutex_unlock(&sc->mu);
    rc = consume(sc, s, err);
    pthread_mutex_lock(&sc->mu);
    s->state = S_FREE;
    sc->tail++;
    pthread_mutex_unlock(&sc->mu);
    return rc;
}

static void
progress(struct scan *sc)
{
    int64_t now;

    if (sc->opts->progress == NULL || (sc->st->files & 255) != 0)
        return;
    now = vigil_time_now();
    if (now - sc->last_progress < VIGIL_NS_PER_SEC / 5)
        return;
    sc->last_progress = now;
    pthread_mutex_lock(&sc->mu);
    uint64_t bytes = sc->st->bytes;
    pthread_mutex_unlock(&sc->mu);
    sc->opts->progress(sc->st->files, bytes, sc->opts->progress_arg);
}

/* A free slot at the head (draining the oldest when the ring is full). */
static enum vigil_rc
slot_get(struct scan *sc, struct slot **out, struct vigil_err *err)
{
    enum vigil_rc rc;

    if (sc->head - sc->tail >= RING && (rc = drain_one(sc, err)) != VIGIL_OK &&
        rc != VIGIL_END)
        return rc;
    *out = &sc->ring[sc->head % RING];
    memset(&(*out)->old, 0, sizeof((*out)->old));
    memset(&(*out)->cur, 0, sizeof((*out)->cur));
    (*out)->has_old = (*out)->has_cur = (*out)->unlisted = 0;
    (*out)->dir = NULL;
    (*out)->name = (*out)->path;
    return VIGIL_OK;
}

/* Publishes the slot at the head. */
static void
slot_put(struct scan *sc, struct slot *s, int need_hash)
{
    if (need_hash && s->dir != NULL)
        atomic_fetch_add(&s->dir->refs, 1); /* until hashed */
    else
        s->dir = NULL;
    pthread_mutex_lock(&sc->mu);
    s->state = need_hash ? S_NEED : S_READY;
    sc->head++;
    if (need_hash)
        pthread_cond_signal(&sc->work);
    pthread_mutex_unlock(&sc->mu);
}

/* Fills the slot's current side from a walked entry. */
static void
slot_cur(struct slot *s, const struct entry *e)
{
    memcpy(s->path, e->path, e->len + 1);
    s->len = e->len;
    s->has_cur = 1;
    s->unlisted = e->unlisted;
    rec_from_stat(&s->cur, &e->st);
    s->walked = e->st;
    s->dir = e->dir; /* borrowed; slot_put takes a reference to hash */
    s->name = e->dir != NULL ? s->path + (s->len - strlen(e->name)) : s->path;
    if (s->cur.type == VIGIL_FIM_T_LINK) {
        ssize_t n = e->dir != NULL
                        ? readlinkat(e->dir->fd, e->name, s->curlink,
                                     sizeof(s->curlink) - 1)
                        : readlink(e->path, s->curlink, sizeof(s->curlink) - 1);
        s->curlink[n < 0 ? 0 : n] = '\0';
        s->cur.link = s->curlink;
    }
}

/* ------------------------------------------------------------------ */
/* Baseline                                                             */
/* ------------------------------------------------------------------ */

static const char SQL_INSERT[] =
    "INSERT INTO fim_files (gen, key, type, flags, size, mode, uid, gid,"
    " ino, nlink, mtime_ns, ctime_ns, sha256, link, rdev)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

static void
path_to_key(char *dst, const char *path, size_t len)
{
    for (size_t i = 0; i < len; i++)
        dst[i] = path[i] == '/' ? '\0' : path[i];
}

static enum vigil_rc
insert_rec(struct scan *sc, const char *path, size_t len,
           const struct vigil_fim_rec *r, struct vigil_err *err)
{
    char key[PATH_CAP];
    struct vigil_store_value v[15];
    enum vigil_rc rc;

    if (sc->tx == NULL &&
        (rc = vigil_store_tx_begin(sc->store, &sc->tx, err)) != VIGIL_OK)
        return rc;
    path_to_key(key, path, len);
    v[0] = vigil_sv_int(sc->gen);
    v[1] = vigil_sv_blob(key, len);
    v[2] = vigil_sv_int(r->type);
    v[3] = vigil_sv_int(r->flags);
    v[4] = vigil_sv_int(r->size);
    v[5] = vigil_sv_int(r->mode);
    v[6] = vigil_sv_int(r->uid);
    v[7] = vigil_sv_int(r->gid);
    v[8] = vigil_sv_int((int64_t)r->ino);
    v[9] = vigil_sv_int(r->nlink);
    v[10] = vigil_sv_int(r->mtime_ns);
    v[11] = vigil_sv_int(r->ctime_ns);
    v[12] = r->sha256[0] ? vigil_sv_text(r->sha256) : vigil_sv_null();
    v[13] = r->link ? vigil_sv_blob(r->link, strlen(r->link)) : vigil_sv_null();
    v[14] = vigil_sv_int((int64_t)r->rdev);
    if ((rc = vigil_store_tx_exec(sc->tx, SQL_INSERT, v, 15, NULL, err)) !=
        VIGIL_OK)
        return rc;
    if (++sc->tx_rows >= TX_ROWS) {
        struct vigil_store_tx *tx = sc->tx;
        sc->tx = NULL;
        sc->tx_rows = 0;
        return vigil_store_tx_commit(tx, err);
    }
    return VIGIL_OK;
}

static int
row_int(const struct vigil_store_value *cols, size_t ncols, void *arg)
{
    if (ncols > 0 && cols[0].type == VIGIL_SV_INT)
        *(int64_t *)arg = cols[0].i;
    return 0;
}

/* Sorted, without roots inside other roots, absolute and without a
 * trailing '/'. Returns owned strings in *out (free each and the array). */
static enum vigil_rc
norm_roots(const char *const *in, size_t n, char ***out, size_t *nout,
           struct vigil_err *err)
{
    char **r = calloc(n ? n : 1, sizeof(char *));
    size_t k = 0;

    if (r == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char *p = realpath(in[i], NULL);
        if (p == NULL) {
            for (size_t j = 0; j < k; j++)
                free(r[j]);
            free(r);
            return vigil_err_set(err, VIGIL_ENOTFOUND, "%s: %s", in[i],
                                 strerror(errno));
        }
        r[k++] = p;
    }
    /* insertion sort in key order; few roots */
    for (size_t i = 1; i < k; i++)
        for (size_t j = i; j > 0 && fim_keycmp(r[j - 1], strlen(r[j - 1]), r[j],
                                               strlen(r[j])) > 0;
             j--) {
            char *t = r[j];
            r[j] = r[j - 1];
            r[j - 1] = t;
        }
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        size_t pl = m ? strlen(r[m - 1]) : 0;
        int inside =
            m > 0 && (strcmp(r[m - 1], r[i]) == 0 ||
                      (strncmp(r[m - 1], r[i], pl) == 0 &&
                       (r[i][pl] == '/' || (pl == 1 && r[m - 1][0] == '/'))));
        if (inside)
            free(r[i]);
        else
            r[m++] = r[i];
    }
    *out = r;
    *nout = m;
    return VIGIL_OK;
}

static void
free_roots(char **r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(r[i]);
    free(r);
}

static enum vigil_rc
consume_baseline(struct scan *sc, struct slot *s, struct vigil_err *err)
{
    return insert_rec(sc, s->path, s->len, &s->cur, err);
}

enum vigil_rc
vigil_fim_baseline(struct vigil_store *s,
                   const struct vigil_fim_scan_opts *opts,
                   struct vigil_fim_stats *st, struct vigil_err *err)
{
    struct scan sc = {0};
    struct walker w = {0};
    struct entry e;
    char **roots = NULL;
    size_t nroots = 0;
    int64_t cur_gen = 0, max_gen = 0;
    enum vigil_rc rc;
    struct vigil_store_value v[2];

    memset(st, 0, sizeof(*st));
    if (opts->nroots == 0)
        return vigil_err_set(err, VIGIL_EINVAL, "no tree to record");
    VIGIL_TRY(norm_roots(opts->roots, opts->nroots, &roots, &nroots, err));
    rc = vigil_store_query(s, "SELECT value FROM fim_meta WHERE name = 'gen'",
                           NULL, 0, row_int, &cur_gen, err);
    if (rc == VIGIL_OK)
        rc = vigil_store_query(s, "SELECT max(gen) FROM fim_files", NULL, 0,
                               row_int, &max_gen, err);
    if (rc != VIGIL_OK)
        goto out;
    /* what an interrupted baseline left beside the current one */
    v[0] = vigil_sv_int(cur_gen);
    if (max_gen > cur_gen &&
        (rc = vigil_store_exec(s, "DELETE FROM fim_files WHERE gen > ?", v, 1,
                               NULL, err)) != VIGIL_OK)
        goto out;
    sc.gen = cur_gen + 1;
    sc.store = s;
    sc.opts = opts;
    sc.st = st;
    if ((rc = scan_start(&sc, err)) != VIGIL_OK)
        goto out;
    w.roots = (const char *const *)roots;
    w.nroots = nroots;
    w.exclude = opts->exclude;
    w.nexclude = opts->nexclude;
    w.one_fs = opts->one_fs;
    w.st = st;
    walker_opts(&w, opts);
    while ((rc = walker_next(&w, &e)) == VIGIL_OK) {
        struct slot *sl;
        st->files++;
        if ((rc = slot_get(&sc, &sl, err)) != VIGIL_OK)
            goto out;
        slot_cur(sl, &e);
        slot_put(&sc, sl, sl->cur.type == VIGIL_FIM_T_FILE);
        progress(&sc);
    }
    if (rc != VIGIL_END)
        goto out;
    while ((rc = drain_one(&sc, err)) == VIGIL_OK)
        ;
    if (rc != VIGIL_END)
        goto out;
    if (sc.tx == NULL &&
        (rc = vigil_store_tx_begin(s, &sc.tx, err)) != VIGIL_OK)
        goto out;
    /* the switch: roots, patterns and the generation in one transaction */
    rc =
        vigil_store_tx_exec(sc.tx, "DELETE FROM fim_roots", NULL, 0, NULL, err);
    for (size_t i = 0; rc == VIGIL_OK && i < nroots; i++) {
        v[0] = vigil_sv_text(roots[i]);
        rc = vigil_store_tx_exec(
            sc.tx, "INSERT INTO fim_roots (path) VALUES (?)", v, 1, NULL, err);
    }
    if (rc == VIGIL_OK)
        rc = vigil_store_tx_exec(sc.tx, "DELETE FROM fim_excludes", NULL, 0,
                                 NULL, err);
    for (size_t i = 0; rc == VIGIL_OK && i < opts->nexclude; i++) {
        v[0] = vigil_sv_text(opts->exclude[i]);
        rc = vigil_store_tx_exec(
            sc.tx, "INSERT INTO fim_excludes (pattern) VALUES (?)", v, 1, NULL,
            err);
        if (rc == VIGIL_ECONFLICT) { /* the same pattern twice */
            vigil_err_clear(err);
            rc = VIGIL_OK;
        }
    }
    if (rc == VIGIL_OK)
        rc = vigil_store_tx_exec(sc.tx, "DELETE FROM fim_meta", NULL, 0, NULL,
                                 err);
    v[0] = vigil_sv_int(sc.gen);
    if (rc == VIGIL_OK)
        rc = vigil_store_tx_exec(
            sc.tx, "INSERT INTO fim_meta (name, value) VALUES ('gen', ?)", v, 1,
            NULL, err);
    v[0] = vigil_sv_int(opts->one_fs);
    if (rc == VIGIL_OK)
        rc = vigil_store_tx_exec(
            sc.tx, "INSERT INTO fim_meta (name, value) VALUES ('one_fs', ?)", v,
            1, NULL, err);
    if (rc != VIGIL_OK)
        goto out;
    {
        struct vigil_store_tx *tx = sc.tx;
        sc.tx = NULL;
        if ((rc = vigil_store_tx_commit(tx, err)) != VIGIL_OK)
            goto out;
    }
    v[0] = vigil_sv_int(sc.gen);
    rc = vigil_store_exec(s, "DELETE FROM fim_files WHERE gen <> ?", v, 1, NULL,
                          err);
out:
    scan_stop(&sc);
    if (sc.tx != NULL)
        vigil_store_tx_rollback(sc.tx);
    walker_fini(&w);
    free_roots(roots, nroots);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Check                                                                */
/* ------------------------------------------------------------------ */

struct dbrow {
    char *path; /* in the chunk's arena */
    size_t len;
    struct vigil_fim_rec rec;
};

struct dbreader {
    struct vigil_store *s;
    int64_t gen;
    struct vigil_arena arena;
    struct dbrow *rows;
    size_t n, i, cap;
    char last[PATH_CAP]; /* key of the last row read */
    size_t lastlen;
    int started, ended;
    struct vigil_err *err;
};

static int
read_row(const struct vigil_store_value *c, size_t nc, void *arg)
{
    struct dbreader *r = arg;
    struct dbrow *row;

    if (nc < 14 || c[0].type != VIGIL_SV_BLOB || c[0].len >= PATH_CAP)
        return 0;
    if (r->n >= r->cap && vigil_grow(&r->rows, &r->cap, r->n + 1,
                                     sizeof(*r->rows), 0) != VIGIL_OK)
        return 1;
    row = &r->rows[r->n];
    memset(row, 0, sizeof(*row));
    if ((row->path = vigil_arena_alloc(&r->arena, c[0].len + 1)) == NULL)
        return 1;
    for (size_t i = 0; i < c[0].len; i++)
        row->path[i] = c[0].p[i] == '\0' ? '/' : c[0].p[i];
    row->path[c[0].len] = '\0';
    row->len = c[0].len;
    row->rec.type = (int)c[1].i;
    row->rec.flags = (int)c[2].i;
    row->rec.size = c[3].i;
    row->rec.mode = (uint32_t)c[4].i;
    row->rec.uid = (uint32_t)c[5].i;
    row->rec.gid = (uint32_t)c[6].i;
    row->rec.ino = (uint64_t)c[7].i;
    row->rec.nlink = c[8].i;
    row->rec.mtime_ns = c[9].i;
    row->rec.ctime_ns = c[10].i;
    if (c[11].type == VIGIL_SV_TEXT && c[11].len == 64) {
        memcpy(row->rec.sha256, c[11].p, 64);
        row->rec.sha256[64] = '\0';
    }
    if (c[12].type == VIGIL_SV_BLOB || c[12].type == VIGIL_SV_TEXT)
        row->rec.link = vigil_arena_strndup(&r->arena, c[12].p, c[12].len);
    row->rec.rdev = (uint64_t)c[13].i;
    memcpy(r->last, c[0].p, c[0].len);
    r->lastlen = c[0].len;
    r->n++;
    return 0;
}

/* The current row, reading the next chunk when needed; NULL at the end. */
static struct dbrow *
db_peek(struct dbreader *r, enum vigil_rc *rc)
{
    static const char first[] =
        "SELECT key, type, flags, size, mode, uid, gid, ino, nlink, mtime_ns,"
        " ctime_ns, sha256, link, rdev FROM fim_files WHERE gen = ?"
        " ORDER BY key LIMIT 2048";
    static const char next[] =
        "SELECT key, type, flags, size, mode, uid, gid, ino, nlink, mtime_ns,"
        " ctime_ns, sha256, link, rdev FROM fim_files WHERE gen = ? AND key > ?"
        " ORDER BY key LIMIT 2048";
    struct vigil_store_value v[2];

    *rc = VIGIL_OK;
    if (r->i < r->n)
        return &r->rows[r->i];
    if (r->ended)
        return NULL;
    vigil_arena_reset(&r->arena);
    r->n = r->i = 0;
    v[0] = vigil_sv_int(r->gen);
    v[1] = vigil_sv_blob(r->last, r->lastlen);
    *rc = vigil_store_query(r->s, r->started ? next : first, v,
                            r->started ? 2 : 1, read_row, r, r->err);
    r->started = 1;
    if (*rc != VIGIL_OK)
        return NULL;
    if (r->n < CHUNK)
        r->ended = 1;
    return r->n > 0 ? &r->rows[0] : NULL;
}

static void
fill_old(struct slot *s, const struct dbrow *row)
{
    s->has_old = 1;
    s->old = row->rec;
    if (row->rec.link != NULL) {
        snprintf(s->oldlink, sizeof(s->oldlink), "%s", row->rec.link);
        s->old.link = s->oldlink;
    }
}

/* Does the stored record let the fast path trust the file unchanged? */
static int
trusted(const struct vigil_fim_rec *o, const struct vigil_fim_rec *c)
{
    return o->type == VIGIL_FIM_T_FILE && c->type == VIGIL_FIM_T_FILE &&
           o->flags == 0 && o->sha256[0] != '\0' && o->size == c->size &&
           o->mtime_ns == c->mtime_ns && o->ctime_ns == c->ctime_ns &&
           o->ino == c->ino;
}

static enum vigil_rc
consume_check(struct scan *sc, struct slot *s, struct vigil_err *err)
{
    struct vigil_fim_diff d = {0};
    const struct vigil_fim_rec *o = &s->old, *c = &s->cur;
    unsigned ch = 0;

    d.path = s->path;
    if (s->has_cur && !s->has_old) {
        d.kind = VIGIL_FIM_ADDED;
        d.cur = c;
    } else if (s->has_old && !s->has_cur) {
        d.kind = VIGIL_FIM_REMOVED;
        d.old = o;
    } else {
        d.old = o;
        d.cur = c;
        if (o->type != c->type) {
            ch |= VIGIL_FIM_C_TYPE;
        } else {
            if (o->mode != c->mode)
                ch |= VIGIL_FIM_C_MODE;
            if (o->uid != c->uid || o->gid != c->gid)
                ch |= VIGIL_FIM_C_OWNER;
            if (c->type == VIGIL_FIM_T_FILE) {
                int ro = (o->flags & VIGIL_FIM_UNREADABLE) != 0;
                int rc_ = (c->flags & VIGIL_FIM_UNREADABLE) != 0;
                if (o->size != c->size)
                    ch |= VIGIL_FIM_C_SIZE;
                if (ro != rc_)
                    ch |= VIGIL_FIM_C_READ;
                else if (o->sha256[0] && c->sha256[0] &&
                         strcmp(o->sha256, c->sha256) != 0)
                    ch |= VIGIL_FIM_C_CONTENT;
                if (o->ino != c->ino)
                    ch |= VIGIL_FIM_C_INODE;
                if (o->mtime_ns != c->mtime_ns)
                    ch |= VIGIL_FIM_C_MTIME;
            } else if (c->type == VIGIL_FIM_T_LINK) {
                if (strcmp(o->link ? o->link : "", c->link ? c->link : ""))
                    ch |= VIGIL_FIM_C_LINK;
            } else if (is_special(c->type)) {
                /* a device node re-pointed (/dev/null's numbers made
                 * /dev/mem's) reads and writes something else */
                if (o->rdev != c->rdev)
                    ch |= VIGIL_FIM_C_DEVICE;
                if (o->ino != c->ino)
                    ch |= VIGIL_FIM_C_INODE;
                if (o->mtime_ns != c->mtime_ns)
                    ch |= VIGIL_FIM_C_MTIME;
            }
        }
        if (ch == 0)
            return VIGIL_OK;
        d.changes = ch;
        if (ch & VIGIL_FIM_C_TYPE)
            d.kind = VIGIL_FIM_TYPE;
        else if (ch &
                 (VIGIL_FIM_C_CONTENT | VIGIL_FIM_C_SIZE | VIGIL_FIM_C_LINK |
                  VIGIL_FIM_C_READ | VIGIL_FIM_C_DEVICE))
            d.kind = VIGIL_FIM_MODIFIED;
        else if (ch & (VIGIL_FIM_C_MODE | VIGIL_FIM_C_OWNER))
            d.kind = VIGIL_FIM_PERMISSIONS;
        else
            d.kind = VIGIL_FIM_METADATA;
    }
    sc->st->changes++;
    return sc->fn(&d, sc->arg);
}

static enum vigil_rc
consume(struct scan *sc, struct slot *s, struct vigil_err *err)
{
    return sc->fn != NULL ? consume_check(sc, s, err)
                          : consume_baseline(sc, s, err);
}

/* Queues a stored row that the walk did not find. */
static enum vigil_rc
queue_removed(struct scan *sc, const struct dbrow *row, struct vigil_err *err)
{
    struct slot *sl;
    enum vigil_rc rc;

    /* under a folder that could not be listed: unknown, not removed */
    if (sc->skip_prefix != NULL && row->len > sc->skip_len &&
        memcmp(row->path, sc->skip_prefix, sc->skip_len) == 0 &&
        row->path[sc->skip_len] == '/')
        return VIGIL_OK;
    if ((rc = slot_get(sc, &sl, err)) != VIGIL_OK)
        return rc;
    memcpy(sl->path, row->path, row->len + 1);
    sl->len = row->len;
    fill_old(sl, row);
    slot_put(sc, sl, 0);
    return VIGIL_OK;
}

struct strlist {
    char **v;
    size_t n, cap;
};

static int
collect_str(const struct vigil_store_value *c, size_t nc, void *arg)
{
    struct strlist *l = arg;
    char *p;

    if (nc < 1 || c[0].type != VIGIL_SV_TEXT)
        return 0;
    if (vigil_grow(&l->v, &l->cap, l->n + 1, sizeof(char *), 4096) !=
            VIGIL_OK ||
        (p = strndup(c[0].p, c[0].len)) == NULL)
        return 1;
    l->v[l->n++] = p;
    return 0;
}

enum vigil_rc
vigil_fim_check(struct vigil_store *s, const struct vigil_fim_scan_opts *opts,
                vigil_fim_diff_fn fn, void *arg, struct vigil_fim_stats *st,
                struct vigil_err *err)
{
    struct scan sc = {0};
    struct walker w = {0};
    struct dbreader r = {0};
    struct strlist roots = {0}, pats = {0};
    int64_t gen = -1, one_fs = 0;
    struct entry e;
    enum vigil_rc rc, wrc;

    memset(st, 0, sizeof(*st));
    vigil_arena_init(&r.arena, 1 << 16, 0);
    rc = vigil_store_query(s, "SELECT value FROM fim_meta WHERE name = 'gen'",
                           NULL, 0, row_int, &gen, err);
    if (rc == VIGIL_OK)
        rc = vigil_store_query(
            s, "SELECT value FROM fim_meta WHERE name = 'one_fs'", NULL, 0,
            row_int, &one_fs, err);
    if (rc != VIGIL_OK)
        goto out;
    if (gen < 0) {
        rc = vigil_err_set(err, VIGIL_ENOTFOUND,
                           "no baseline: run `vigil fim baseline PATH...` "
                           "first");
        goto out;
    }
    if (vigil_store_query(s, "SELECT path FROM fim_roots", NULL, 0, collect_str,
                          &roots, err) != VIGIL_OK ||
        vigil_store_query(s, "SELECT pattern FROM fim_excludes", NULL, 0,
                          collect_str, &pats, err) != VIGIL_OK) {
        rc = err->rc;
        goto out;
    }
    /* stored roots are normalised already; sort them again in key order */
    for (size_t i = 1; i < roots.n; i++)
        for (size_t j = i;
             j > 0 && fim_keycmp(roots.v[j - 1], strlen(roots.v[j - 1]),
                                 roots.v[j], strlen(roots.v[j])) > 0;
             j--) {
            char *t = roots.v[j];
            roots.v[j] = roots.v[j - 1];
            roots.v[j - 1] = t;
        }
    r.s = s;
    r.gen = gen;
    r.err = err;
    sc.store = s;
    sc.opts = opts;
    sc.st = st;
    sc.fn = fn;
    sc.arg = arg;
    if ((rc = scan_start(&sc, err)) != VIGIL_OK)
        goto out;
    w.roots = (const char *const *)roots.v;
    w.nroots = roots.n;
    w.exclude = (const char *const *)pats.v;
    w.nexclude = pats.n;
    w.one_fs = (int)one_fs;
    w.st = st;
    walker_opts(&w, opts);
    while ((wrc = walker_next(&w, &e)) == VIGIL_OK) {
        struct dbrow *row;
        struct slot *sl;
        int cmp = 1;
        st->files++;
        while ((row = db_peek(&r, &rc)) != NULL &&
               (cmp = fim_keycmp(row->path, row->len, e.path, e.len)) < 0) {
            if ((rc = queue_removed(&sc, row, err)) != VIGIL_OK)
                goto out;
            r.i++;
        }
        if (rc != VIGIL_OK)
            goto out;
        if ((rc = slot_get(&sc, &sl, err)) != VIGIL_OK)
            goto out;
        slot_cur(sl, &e);
        if (row != NULL && cmp == 0) {
            fill_old(sl, row);
            r.i++;
        }
        if (e.unlisted) {
            memcpy(sc.skip_buf, e.path, e.len + 1);
            sc.skip_prefix = sc.skip_buf;
            sc.skip_len = e.len;
        }
        int need = sl->cur.type == VIGIL_FIM_T_FILE;
        if (need && sl->has_old && !opts->full && trusted(&sl->old, &sl->cur)) {
            memcpy(sl->cur.sha256, sl->old.sha256, 65);
            need = 0;
        }
        slot_put(&sc, sl, need);
        progress(&sc);
    }
    if (wrc != VIGIL_END) {
        rc = wrc;
        goto out;
    }
    for (;;) {
        struct dbrow *rw = db_peek(&r, &rc);
        if (rc != VIGIL_OK)
            goto out;
        if (rw == NULL)
            break;
        if ((rc = queue_removed(&sc, rw, err)) != VIGIL_OK)
            goto out;
        r.i++;
    }
    while ((rc = drain_one(&sc, err)) == VIGIL_OK)
        ;
    if (rc == VIGIL_END)
        rc = VIGIL_OK;
out:
    scan_stop(&sc);
    walker_fini(&w);
    vigil_arena_fini(&r.arena);
    free(r.rows);
    for (size_t i = 0; i < roots.n; i++)
        free(roots.v[i]);
    free(roots.v);
    for (size_t i = 0; i < pats.n; i++)
        free(pats.v[i]);
    free(pats.v);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Names                                                                */
/* ------------------------------------------------------------------ */

const char *
vigil_fim_kind_name(enum vigil_fim_kind k)
{
    switch (k) {
    case VIGIL_FIM_ADDED:
        return "added";
    case VIGIL_FIM_REMOVED:
        return "removed";
    case VIGIL_FIM_MODIFIED:
        return "modified";
    case VIGIL_FIM_PERMISSIONS:
        return "permissions";
    case VIGIL_FIM_TYPE:
        return "type";
    case VIGIL_FIM_METADATA:
        return "metadata";
    }
    return "?";
}

void
vigil_fim_changes_str(unsigned changes, char *dst, size_t len)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {
        {VIGIL_FIM_C_TYPE, "type"},       {VIGIL_FIM_C_DEVICE, "device"},
        {VIGIL_FIM_C_CONTENT, "content"}, {VIGIL_FIM_C_SIZE, "size"},
        {VIGIL_FIM_C_LINK, "link"},       {VIGIL_FIM_C_READ, "readable"},
        {VIGIL_FIM_C_MODE, "mode"},       {VIGIL_FIM_C_OWNER, "owner"},
        {VIGIL_FIM_C_INODE, "inode"},     {VIGIL_FIM_C_MTIME, "mtime"},
    };
    size_t used = 0;

    if (len == 0)
        return;
    dst[0] = '\0';
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!(changes & names[i].bit))
            continue;
        int n = snprintf(dst + used, len - used, "%s%s", used ? "," : "",
                         names[i].name);
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
}
