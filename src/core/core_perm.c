/* core_perm.c -- may a file be trusted? The rule sshd calls StrictModes:
 * what vigil reads its configuration, rules or state from must belong to
 * root or to the account vigil runs as, and nobody else may be able to
 * write it or any folder above it -- otherwise whoever can write there
 * decides what vigil detects (a filter rule planted in a rules folder
 * silenced 20 failed logins). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core.h"

/* One path element: owner and write bits. A folder with the sticky bit
 * owned by root (/tmp) is fine: nobody can replace another's entry. */
static enum vigil_rc
check_one(const char *path, const struct stat *st, uid_t owner,
          struct vigil_err *err)
{
    int sticky_root =
        S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX) && st->st_uid == 0;

    if (st->st_uid != 0 && st->st_uid != owner)
        return vigil_err_set(err, VIGIL_EPERM,
                             "%s belongs to uid %u, not to root or uid %u",
                             path, (unsigned)st->st_uid, (unsigned)owner);
    if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !sticky_root)
        return vigil_err_set(err, VIGIL_EPERM,
                             "%s can be written by %s (mode %04o)", path,
                             (st->st_mode & S_IWOTH) ? "anyone" : "its group",
                             (unsigned)(st->st_mode & 07777));
    return VIGIL_OK;
}

enum vigil_rc
vigil_path_trusted(const char *path, uid_t owner, int nofollow,
                   struct vigil_err *err)
{
    char real[PATH_MAX], *slash;
    struct stat st;
    enum vigil_rc rc;

    if ((nofollow ? lstat(path, &st) : stat(path, &st)) != 0)
        return vigil_err_set(err, errno == ENOENT ? VIGIL_ENOTFOUND : VIGIL_EIO,
                             "%s: %s", path, strerror(errno));
    if (S_ISLNK(st.st_mode))
        return vigil_err_set(err, VIGIL_EPERM,
                             "%s is a symbolic link; refusing to follow it",
                             path);
    if ((rc = check_one(path, &st, owner, err)) != VIGIL_OK)
        return rc;
    /* Every folder above it, symbolic links resolved. */
    if (realpath(path, real) == NULL)
        return vigil_err_set(err, VIGIL_EIO, "%s: %s", path, strerror(errno));
    while ((slash = strrchr(real, '/')) != NULL) {
        if (slash == real)
            slash[1] = '\0';
        else
            *slash = '\0';
        if (stat(real, &st) != 0)
            return vigil_err_set(err, VIGIL_EIO, "%s: %s", real,
                                 strerror(errno));
        if ((rc = check_one(real, &st, owner, err)) != VIGIL_OK)
            return rc;
        if (slash == real)
            break;
    }
    return VIGIL_OK;
}
