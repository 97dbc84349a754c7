/* disclose_collect.c -- which documents a check-release run covers: the
 * files named, and every file under the folders named. Kept with the
 * guard because it is policy: what is published is what links point at,
 * and nothing is dropped unsaid. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "disclose/disclose.h"

/* One run of vigil_disclose_collect. */
struct collect {
    vigil_disclose_file_fn on_file;
    vigil_disclose_skip_fn on_skipped;
    void *arg;
    size_t collected; /* files on_file took */
    size_t skipped;   /* what could not be checked */
};

static void
skip(struct collect *c, const char *path, const char *why)
{
    if (why != NULL && c->on_skipped != NULL)
        c->on_skipped(path, why, c->arg);
    c->skipped++;
}

/* A file on_file refused was said by it: counted, not said again. */
static void
take(struct collect *c, const char *path)
{
    if (c->on_file(path, c->arg) == VIGIL_OK)
        c->collected++;
    else
        skip(c, path, NULL);
}

static enum vigil_rc
walk_file(const struct vigil_walk_entry *e, void *arg)
{
    struct collect *c = arg;

    if (S_ISDIR(e->st.st_mode))
        return VIGIL_OK;
    if (!S_ISREG(e->st.st_mode))
        skip(c, e->path, "not a regular file, not checked");
    else
        take(c, e->path);
    return VIGIL_OK;
}

static void
skip_err(struct collect *c, const char *path, const struct vigil_err *why)
{
    char msg[sizeof(why->msg) + 32];

    snprintf(msg, sizeof(msg), "%s, not checked", why->msg);
    skip(c, path, msg);
}

/* A folder that cannot be read, a broken link, a loop: files nobody
 * checked, said and counted. */
static enum vigil_rc
walk_skipped(const char *path, const struct vigil_err *why, void *arg)
{
    skip_err(arg, path, why);
    return VIGIL_OK;
}

/* The files under dir in path order, hidden ones too: they are published
 * with the rest. Symbolic links are followed, to files and to folders,
 * because what is published is what they point at (zip -r, cp -L and web
 * servers follow them); a link back up the tree is not followed again. */
static void
walk(struct collect *c, const char *dir)
{
    static const struct vigil_walk_opts o = {.follow_symlinks = 1, .sorted = 1};
    struct vigil_err err = {0};
    size_t before = c->collected;

    if (vigil_walk(dir, &o, walk_file, walk_skipped, c, &err) != VIGIL_OK)
        skip_err(c, dir, &err);
    if (c->collected == before)
        skip(c, dir, "no document found, nothing checked");
}

enum vigil_rc
vigil_disclose_collect(const char *const *paths, size_t n,
                       vigil_disclose_file_fn on_file,
                       vigil_disclose_skip_fn on_skipped, void *arg,
                       struct vigil_err *err)
{
    struct collect c = {on_file, on_skipped, arg, 0, 0};

    for (size_t i = 0; i < n; i++) {
        struct stat st;

        if (stat(paths[i], &st) != 0)
            skip(&c, paths[i], strerror(errno));
        else if (S_ISDIR(st.st_mode))
            walk(&c, paths[i]);
        else if (S_ISREG(st.st_mode))
            take(&c, paths[i]);
        else
            skip(&c, paths[i], "not a regular file, not checked");
    }
    if (c.skipped == 0)
        return VIGIL_OK;
    return vigil_err_set(err, VIGIL_ENOTFOUND, "%zu not checked", c.skipped);
}
