/* hunt_files.c -- the input file list of `vigil hunt`: named files and
 * folders searched recursively, sorted by path so every run processes and
 * reports in the same order. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hunt.h"

#define HUNT_MAX_DEPTH 32
#define HUNT_MAX_FILES 1000000

static enum vigil_rc
files_push(struct hunt_files *f, const char *path, uint64_t size, int named,
           struct vigil_err *err)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        struct hunt_file *v;

        if (f->n >= HUNT_MAX_FILES)
            return vigil_err_set(err, VIGIL_ELIMIT, "more than %d input files",
                                 HUNT_MAX_FILES);
        v = realloc(f->v, cap * sizeof(*v));
        if (v == NULL)
            return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        f->v = v;
        f->cap = cap;
    }
    f->v[f->n].path = strdup(path);
    if (f->v[f->n].path == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    f->v[f->n].size = size;
    f->v[f->n].named = named;
    f->n++;
    return VIGIL_OK;
}

static enum vigil_rc
walk(struct hunt_files *f, const char *dir, int depth, struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_OK;
    struct dirent *de;
    DIR *d;
    struct vigil_buf p;

    if (depth > HUNT_MAX_DEPTH) {
        fprintf(stderr, "vigil hunt: %s: deeper than %d folders, skipped\n",
                dir, HUNT_MAX_DEPTH);
        return VIGIL_OK;
    }
    d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "vigil hunt: %s: %s\n", dir, strerror(errno));
        return VIGIL_OK;
    }
    vigil_buf_init(&p, 8192);
    while ((de = readdir(d)) != NULL) {
        struct stat st;

        if (de->d_name[0] == '.')
            continue;
        vigil_buf_reset(&p);
        VIGIL_TRY(vigil_buf_printf(&p, "%s%s%s", dir,
                                   dir[strlen(dir) - 1] == '/' ? "" : "/",
                                   de->d_name));
        /* lstat: symbolic links inside folders are not followed. */
        if (lstat(p.data, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            VIGIL_TRY(walk(f, p.data, depth + 1, err));
        else if (S_ISREG(st.st_mode))
            VIGIL_TRY(files_push(f, p.data, (uint64_t)st.st_size, 0, err));
    }
out:
    if (rc == VIGIL_ELIMIT && err->rc == VIGIL_OK)
        vigil_err_set(err, rc, "%s: path too long", dir);
    vigil_buf_fini(&p);
    closedir(d);
    return rc;
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
        return walk(f, path, 0, err);
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
