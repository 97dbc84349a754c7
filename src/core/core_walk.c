/* core_walk.c -- the one directory walker: symbolic links, depth, hidden
 * names, order and loops are decided here once for every command that
 * reads a tree (rule folders, hunt inputs, release checks, the cache).
 *
 * Folders are walked with an explicit stack of frames, one per open
 * level, each holding its folder's names (read whole and closed at once,
 * so at most one directory handle is open and siblings can be sorted).
 * Every folder entered is remembered by device and inode: a link or bind
 * mount leading back into the tree is reported, not followed forever. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define WALK_MAX_PATH 16384

struct frame {
    char **names;
    size_t n, i;
    size_t pathlen; /* the folder's path length in the path buffer */
    unsigned depth; /* the folder's; its entries are depth + 1 */
};

struct walk {
    struct vigil_walk_opts o;
    vigil_walk_fn fn;
    vigil_walk_err_fn on_err;
    void *arg;
    struct vigil_err *err;
    struct vigil_buf path;
    struct frame *stack;
    size_t nstack, capstack;
    struct vigil_hmap *seen; /* dev + inode of folders entered */
    size_t reported;
};

static int
cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Something skipped: the caller hears of it and decides. */
static enum vigil_rc skipped(struct walk *w, enum vigil_rc why,
                             const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static enum vigil_rc
skipped(struct walk *w, enum vigil_rc why, const char *path, const char *fmt,
        ...)
{
    struct vigil_err e;
    enum vigil_rc rc;
    va_list ap;

    if (w->on_err == NULL)
        return VIGIL_OK;
    e.rc = why;
    va_start(ap, fmt);
    vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
    va_end(ap);
    rc = w->on_err(path, &e, w->arg);
    if (rc != VIGIL_OK)
        vigil_err_set(w->err, rc, "%s: %s", path, e.msg);
    return rc;
}

/* Reads the names of the folder at w->path. A folder the system refuses
 * is reported and yields no names, except the root: then nothing can be
 * walked and the walk fails. */
static enum vigil_rc
read_names(struct walk *w, int root, char ***out, size_t *nout)
{
    enum vigil_rc rc = VIGIL_OK;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    DIR *d;

    *out = NULL;
    *nout = 0;
    if ((d = opendir(w->path.data)) == NULL)
        return root
                   ? vigil_err_set(w->err, VIGIL_EIO, "%s: %s", w->path.data,
                                   strerror(errno))
                   : skipped(w, VIGIL_EIO, w->path.data, "%s", strerror(errno));
    for (;;) {
        errno = 0;
        if ((de = readdir(d)) == NULL) {
            if (errno != 0)
                rc = skipped(w, VIGIL_EIO, w->path.data, "%s", strerror(errno));
            break;
        }
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
            (w->o.skip_hidden && de->d_name[0] == '.'))
            continue;
        if (VIGIL_GROW(names, n, cap) != VIGIL_OK ||
            (names[n] = strdup(de->d_name)) == NULL) {
            rc = vigil_err_set(w->err, VIGIL_ENOMEM, "out of memory");
            break;
        }
        n++;
    }
    closedir(d);
    if (rc != VIGIL_OK) {
        free_names(names, n);
        return rc;
    }
    if (w->o.sorted && n > 1)
        qsort(names, n, sizeof(*names), cmp_name);
    *out = names;
    *nout = n;
    return VIGIL_OK;
}

static enum vigil_rc
report(struct walk *w, const char *name, unsigned depth, const struct stat *st)
{
    struct vigil_walk_entry e;

    if (w->o.regular_only && !S_ISREG(st->st_mode))
        return VIGIL_OK;
    if (w->reported >= w->o.max_entries)
        return vigil_err_set(w->err, VIGIL_ELIMIT, "%s: more than %zu entries",
                             w->path.data, w->o.max_entries);
    w->reported++;
    e.path = w->path.data;
    e.name = name;
    e.depth = depth;
    e.st = *st;
    return w->fn(&e, w->arg);
}

/* Opens the folder at w->path (depth `depth`, status st) as a new frame,
 * unless it was entered before. */
static enum vigil_rc
enter(struct walk *w, const struct stat *st, unsigned depth)
{
    struct frame *f;
    uint64_t id[2] = {(uint64_t)st->st_dev, (uint64_t)st->st_ino};
    enum vigil_rc rc;

    if (vigil_hmap_get(w->seen, id, sizeof(id)) != NULL)
        return skipped(w, VIGIL_EINVAL, w->path.data,
                       "folder already visited (a loop)");
    /* the map only needs a non-NULL value: the key is the point */
    rc = vigil_hmap_put(w->seen, id, sizeof(id), w);
    if (rc != VIGIL_OK)
        return vigil_err_set(w->err, rc, "%s: too many folders", w->path.data);
    if ((rc = VIGIL_GROW(w->stack, w->nstack, w->capstack)) != VIGIL_OK)
        return vigil_err_set(w->err, rc, "out of memory");
    f = &w->stack[w->nstack];
    memset(f, 0, sizeof(*f));
    f->pathlen = w->path.len;
    f->depth = depth;
    if ((rc = read_names(w, depth == 0, &f->names, &f->n)) != VIGIL_OK)
        return rc;
    w->nstack++;
    return VIGIL_OK;
}

/* Takes the next name of the top frame: builds its path, reports it and
 * enters it when it is a folder. */
static enum vigil_rc
step(struct walk *w)
{
    struct frame *f = &w->stack[w->nstack - 1];
    const char *name = f->names[f->i++];
    unsigned depth = f->depth + 1;
    size_t base = f->pathlen;
    struct stat st;
    enum vigil_rc rc;
    int r;

    w->path.len = base;
    w->path.data[base] = '\0';
    /* checked here so the buffer never reaches its maximum (where it
     * would free itself) and a long name only skips itself */
    if (base + 1 + strlen(name) >= WALK_MAX_PATH)
        return skipped(w, VIGIL_ELIMIT, w->path.data,
                       "path of entry '%.64s' too long", name);
    if (base == 0 || w->path.data[base - 1] != '/')
        rc = vigil_buf_putc(&w->path, '/');
    else
        rc = VIGIL_OK;
    if (rc == VIGIL_OK)
        rc = vigil_buf_append(&w->path, name, strlen(name));
    if (rc != VIGIL_OK)
        return vigil_err_set(w->err, rc, "out of memory");
    r = w->o.follow_symlinks ? stat(w->path.data, &st)
                             : lstat(w->path.data, &st);
    if (r != 0)
        return skipped(w, VIGIL_EIO, w->path.data, "%s", strerror(errno));
    if ((rc = report(w, name, depth, &st)) != VIGIL_OK)
        return rc;
    if (!S_ISDIR(st.st_mode))
        return VIGIL_OK;
    if (depth >= w->o.max_depth)
        return skipped(w, VIGIL_ELIMIT, w->path.data,
                       "deeper than %u folders, skipped", w->o.max_depth);
    return enter(w, &st, depth);
}

enum vigil_rc
vigil_walk(const char *root, const struct vigil_walk_opts *opts,
           vigil_walk_fn fn, vigil_walk_err_fn on_err, void *arg,
           struct vigil_err *err)
{
    static const struct vigil_walk_opts zero;
    struct walk w;
    struct stat st;
    enum vigil_rc rc;

    memset(&w, 0, sizeof(w));
    w.o = opts ? *opts : zero;
    if (w.o.max_depth == 0)
        w.o.max_depth = VIGIL_WALK_MAX_DEPTH;
    if (w.o.max_entries == 0)
        w.o.max_entries = VIGIL_WALK_MAX_ENTRIES;
    w.fn = fn;
    w.on_err = on_err;
    w.arg = arg;
    w.err = err;
    /* the buffer frees itself when a path outgrows it; never use it
     * after a failed append without re-initialising */
    vigil_buf_init(&w.path, WALK_MAX_PATH);
    VIGIL_TRY(vigil_buf_append(&w.path, root, strlen(root)));
    if (stat(root, &st) != 0) {
        rc = vigil_err_set(err, VIGIL_EIO, "%s: %s", root, strerror(errno));
        goto out;
    }
    if (!S_ISDIR(st.st_mode)) {
        rc = report(&w, root, 0, &st);
        goto out;
    }
    VIGIL_TRY(vigil_hmap_new(&w.seen, 0, NULL, err));
    VIGIL_TRY(enter(&w, &st, 0));
    while (w.nstack > 0) {
        struct frame *f = &w.stack[w.nstack - 1];
        if (f->i == f->n) {
            free_names(f->names, f->n);
            w.nstack--;
            continue;
        }
        VIGIL_TRY(step(&w));
    }
    rc = VIGIL_OK;
out:
    if (rc != VIGIL_OK) /* a no-op when a step said more already */
        vigil_err_set(err, rc, "%s: %s", root, vigil_strerror(rc));
    while (w.nstack > 0) {
        w.nstack--;
        free_names(w.stack[w.nstack].names, w.stack[w.nstack].n);
    }
    free(w.stack);
    vigil_hmap_free(w.seen);
    vigil_buf_fini(&w.path);
    return rc;
}
