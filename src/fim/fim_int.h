/* fim_int.h -- private to src/fim: helpers shared by its files. */
#ifndef VIGIL_FIM_INT_H
#define VIGIL_FIM_INT_H

#include <sys/stat.h>

#include "fim/fim.h"

/* Log ids 2000-2099 (docs/log-messages.md). */
#define FIM_LOG_WATCH      2001 /* info: watching trees (fanotify|inotify) */
#define FIM_LOG_WATCH_FAIL 2002 /* warn: a tree could not be watched */
#define FIM_LOG_OVERFLOW   2003 /* warn: the kernel dropped events */
#define FIM_LOG_RANSOM     2004 /* error: ransomware detected */
#define FIM_LOG_STOPPED    2005 /* warn: a process was stopped */
#define FIM_LOG_NOSTOP     2006 /* warn: a process was not stopped (why) */
#define FIM_LOG_CANARY     2007 /* info: canary files placed */
#define FIM_LOG_STORE      2008 /* warn: a data-loss store could not be read */
#define FIM_LOG_DROP       2009 /* error: a store lost a share of its data */

/* Hashes fd from its start into hex (64 digits + NUL), adding the bytes
 * read to *bytes (may be NULL); buf is scratch space. */
enum vigil_rc fim_hash_fd(int fd, unsigned char *buf, size_t buflen,
                          char hex[65], uint64_t *bytes, struct vigil_err *err);
/* Hashes the regular file name under the folder dirfd (borrowed; or
 * AT_FDCWD and a path), not following a link, opened only once it is
 * known to be a regular file and, when walked (may be NULL) is given, the
 * same inode (st_dev, st_ino) as walked; anything else is VIGIL_ECONFLICT
 * "changed while hashed". Otherwise as fim_hash_path. */
enum vigil_rc fim_hash_at(int dirfd, const char *name,
                          const struct stat *walked, unsigned char *buf,
                          size_t buflen, char hex[65], struct stat *st,
                          uint64_t *bytes, struct vigil_err *err);
/* Hashes the regular file at path (not following a link) until two
 * fstat()s around a read agree; *st (may be NULL) gets the version hashed.
 * VIGIL_EIO: unreadable; VIGIL_ECONFLICT: kept changing, or no longer a
 * regular file. */
enum vigil_rc fim_hash_path(const char *path, unsigned char *buf, size_t buflen,
                            char hex[65], struct stat *st, uint64_t *bytes,
                            struct vigil_err *err);

/* Does path (its last component name) match one of the patterns? A
 * pattern holding '/' is matched against the whole path. */
int fim_excluded(const char *path, const char *name, const char *const *pat,
                 size_t npat);

/* Is the folder open as fd (borrowed; on device dev) a pseudo file
 * system: proc, sysfs, devtmpfs, cgroup and the like? Its type's name goes
 * to name. Walks and watches do not descend into them. */
int fim_pseudo_fs(int fd, dev_t dev, char *name, size_t len);

/* Compares two paths in key order: '/' sorts before every other byte, so
 * a depth-first walk with siblings sorted by strcmp yields key order. */
int fim_keycmp(const char *a, size_t alen, const char *b, size_t blen);

#endif
