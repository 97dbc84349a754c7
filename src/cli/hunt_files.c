/* hunt_files.c -- the input file list of `vigil hunt`: named files and
 * folders searched recursively, sorted by path so every run processes and
 * reports in the same order. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hunt.h"

#define HUNT_MAX_FILES 1000000

static enum vigil_rc
files_push(struct hunt_files *f, const char *path, uint64_t size, int named,
           struct vigil_err *err)
{
    if (f->n >= HUNT_MAX_FILES)
        return vigil_err_set(err, VIGIL_ELIMIT, "more than %d input files",
                             HUNT_MAX_FILES);
    if (VIGIL_GROW(f->v, f->n, f->cap) != VIGIL_OK)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    f->v[f->n].path = strdup(path);
    if (f->v[f->n].path == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    f->v[f->n].size = size;
    f->v[f->n].named = named;
    f->n++;
    return VIGIL_OK;
}

struct walk_arg {
    struct hunt_files *f;
    struct vigil_err *err;
};

static enum vigil_rc
walk_file(const struct vigil_walk_entry *e, void *arg)
{
    struct walk_arg *a = arg;

    return files_push(a->f, e->path, (uint64_t)e->st.st_size, 0, a->err);
}

/* What cannot be read is said and skipped: the rest is still hunted. */
static enum vigil_rc
walk_skipped(const char *path, const struct vigil_err *why, void *arg)
{
    (void)arg;
    fprintf(stderr, "vigil hunt: %s: %s\n", path, why->msg);
    return VIGIL_OK;
}

/* Folders: regular files below, hidden names and links left out (a link
 * inside a folder is not something the user named). */
static enum vigil_rc
walk(struct hunt_files *f, const char *dir, struct vigil_err *err)
{
    static const struct vigil_walk_opts o = {
        .skip_hidden = 1, .regular_only = 1, .max_entries = HUNT_MAX_FILES};
    struct walk_arg a = {f, err};

    return vigil_walk(dir, &o, walk_file, walk_skipped, &a, err);
}

enum vigil_rc
hunt_files_add(struct hunt_files *f, const char *path, struct vigil_err *err)
{
    struct stat st;

    if (stat(path, &st) != 0) {
        fprintf(stderr, "vigil hunt: %s: %s\n", path, strerror(errno));
        f->missing++;
        return VIGIL_OK;
    }
    if (S_ISDIR(st.st_mode))
        return walk(f, path, err);
    return files_push(f, path, (uint64_t)st.st_size, 1, err);
}

static int
cmp_file(const void *a, const void *b)
{
    return strcmp(((const struct hunt_file *)a)->path,
                  ((const struct hunt_file *)b)->path);
}

void
hunt_files_sort(struct hunt_files *f)
{
    size_t w = 0;

    if (f->n == 0)
        return;
    qsort(f->v, f->n, sizeof(*f->v), cmp_file);
    for (size_t r = 1; r < f->n; r++) {
        if (strcmp(f->v[r].path, f->v[w].path) == 0) {
            f->v[w].named |= f->v[r].named;
            free(f->v[r].path);
            continue;
        }
        f->v[++w] = f->v[r];
    }
    f->n = w + 1;
}

void
hunt_files_fini(struct hunt_files *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->v[i].path);
    free(f->v);
    memset(f, 0, sizeof(*f));
}
