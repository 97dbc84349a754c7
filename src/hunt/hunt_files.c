/* hunt_files.c -- the inputs of a hunt: named files and folders searched
 * recursively, sorted by path so every run reads and reports in the same
 * order, and the parts the workers take (big plain line files are cut so
 * one large log is spread over every worker too). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hunt_int.h"

static enum vigil_rc
files_push(struct vigil_hunt *h, const char *path, uint64_t size, int named,
           int refused, struct vigil_err *err)
{
    struct hunt_file *f;

    if (h->nfiles >= HUNT_MAX_FILES)
        return vigil_err_set(err, VIGIL_ELIMIT, "more than %d input files",
                             HUNT_MAX_FILES);
    if (VIGIL_GROW(h->files, h->nfiles, h->capfiles) != VIGIL_OK)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    f = &h->files[h->nfiles];
    f->path = strdup(path);
    if (f->path == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    f->size = size;
    f->named = named;
    f->refused = refused;
    h->nfiles++;
    return VIGIL_OK;
}

struct walk_arg {
    struct vigil_hunt *h;
    struct vigil_err *err;
};

static enum vigil_rc
walk_file(const struct vigil_walk_entry *e, void *arg)
{
    struct walk_arg *a = arg;

    return files_push(a->h, e->path, (uint64_t)e->st.st_size, 0, 0, a->err);
}

/* What cannot be read is said and skipped: the rest is still hunted. */
static enum vigil_rc
walk_skipped(const char *path, const struct vigil_err *why, void *arg)
{
    struct walk_arg *a = arg;

    hunt_note(a->h, "%s: %s", path, why->msg);
    return VIGIL_OK;
}

enum vigil_rc
vigil_hunt_add_path(struct vigil_hunt *h, const char *path,
                    struct vigil_err *err)
{
    /* Folders: regular files below (a FIFO there would block the hunt),
     * hidden names and links left out (a link inside a folder is not
     * something the user named). */
    static const struct vigil_walk_opts o = {
        .skip_hidden = 1, .regular_only = 1, .max_entries = HUNT_MAX_FILES};
    struct walk_arg a = {h, err};
    struct stat st;

    if (stat(path, &st) != 0) {
        hunt_note(h, "%s: %s", path, strerror(errno));
        h->missing++;
        return VIGIL_OK;
    }
    if (S_ISDIR(st.st_mode))
        return vigil_walk(path, &o, walk_file, walk_skipped, &a, err);
    if (!S_ISREG(st.st_mode)) {
        /* Opening a FIFO waits for a writer forever; a device may never
         * end. Refused here, counted as a file that could not be read. */
        hunt_note(h,
                  "%s: not a regular file (FIFO, socket or device), "
                  "not read",
                  path);
        return files_push(h, path, 0, 1, 1, err);
    }
    return files_push(h, path, (uint64_t)st.st_size, 1, 0, err);
}

size_t
vigil_hunt_missing(const struct vigil_hunt *h)
{
    return h->missing;
}

static int
cmp_file(const void *a, const void *b)
{
    return strcmp(((const struct hunt_file *)a)->path,
                  ((const struct hunt_file *)b)->path);
}

void
hunt_files_sort(struct vigil_hunt *h)
{
    size_t w = 0;

    if (h->nfiles == 0)
        return;
    qsort(h->files, h->nfiles, sizeof(*h->files), cmp_file);
    for (size_t r = 1; r < h->nfiles; r++) {
        if (strcmp(h->files[r].path, h->files[w].path) == 0) {
            h->files[w].named |= h->files[r].named;
            free(h->files[r].path);
            continue;
        }
        h->files[++w] = h->files[r];
    }
    h->nfiles = w + 1;
}

void
hunt_files_free(struct vigil_hunt *h)
{
    for (size_t i = 0; i < h->nfiles; i++)
        free(h->files[i].path);
    free(h->files);
    free(h->items);
    free(h->first_item);
    free(h->order);
}

int
hunt_is_gzip(const char *path)
{
    unsigned char m[2];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    ssize_t n;

    if (fd < 0)
        return 0;
    n = pread(fd, m, sizeof(m), 0);
    close(fd);
    return n == 2 && m[0] == 0x1f && m[1] == 0x8b;
}

static int
cmp_size_desc(const void *a, const void *b, void *arg)
{
    const struct vigil_hunt *h = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    const struct hunt_item *ix = &h->items[x], *iy = &h->items[y];
    uint64_t sx =
        ix->end == UINT64_MAX ? h->files[ix->file].size : ix->end - ix->start;
    uint64_t sy =
        iy->end == UINT64_MAX ? h->files[iy->file].size : iy->end - iy->start;

    if (sx != sy)
        return sx > sy ? -1 : 1;
    return x < y ? -1 : (x > y);
}

enum vigil_rc
hunt_items_make(struct vigil_hunt *h, uint64_t part, struct vigil_err *err)
{
    size_t n = 0, k = 0;

    for (size_t f = 0; f < h->nfiles; f++) {
        uint64_t sz = h->files[f].size;

        n += sz > part ? (size_t)((sz + part - 1) / part) : 1;
    }
    h->items = calloc(n ? n : 1, sizeof(*h->items));
    h->first_item = calloc(h->nfiles ? h->nfiles : 1, sizeof(*h->first_item));
    h->order = calloc(n ? n : 1, sizeof(*h->order));
    if (!h->items || !h->first_item || !h->order)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    for (size_t f = 0; f < h->nfiles; f++) {
        const struct hunt_file *hf = &h->files[f];
        uint64_t sz = hf->size;
        uint32_t parts = 1;

        /* EVTX files are read whole (the reader splits them by chunk),
         * gzip streams from the start. */
        if (sz > part && !vigil_evtx_is_file(hf->path) &&
            !hunt_is_gzip(hf->path))
            parts = (uint32_t)((sz + part - 1) / part);
        h->first_item[f] = k;
        for (uint32_t p = 0; p < parts; p++, k++) {
            h->items[k].file = (uint32_t)f;
            h->items[k].part = p;
            h->items[k].start = parts == 1 ? 0 : p * part;
            h->items[k].end = parts == 1
                                  ? UINT64_MAX
                                  : (p + 1 == parts ? sz : (p + 1) * part);
        }
    }
    h->nitems = k;
    for (size_t i = 0; i < k; i++)
        h->order[i] = i;
    qsort_r(h->order, k, sizeof(*h->order), cmp_size_desc, h);
    return VIGIL_OK;
}
