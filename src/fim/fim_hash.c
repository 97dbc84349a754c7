/* fim_hash.c -- SHA-256 of a file (OpenSSL, which uses the CPU's SHA
 * extensions) and the byte entropy the ransomware scorer samples.
 *
 * A file that changes while it is read would get a hash of no version of
 * it: the file's size, mtime and ctime are compared before and after, and
 * the read is repeated a few times before the file is reported as
 * changing (VIGIL_ECONFLICT) rather than given a wrong hash. A sparse
 * file is hashed over its data extents (SEEK_DATA/SEEK_HOLE), so holes
 * cost nothing; the walker opens files relative to its folder's
 * descriptor and checks the inode is the one it walked. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "fim/fim_int.h"

#define HASH_BUF     (1u << 20)
#define HASH_RETRIES 3

static int
same_version(const struct stat *a, const struct stat *b)
{
    return a->st_size == b->st_size && a->st_ino == b->st_ino &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
           a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Reopens the O_PATH descriptor pfd for reading without resolving a name
 * again, so what is read is the inode already checked; -1 when /proc is
 * not mounted (errno ENOENT) or the open failed. */
static int
reopen_read(int pfd)
{
    int flags = O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
    char p[64];
    int fd;

    snprintf(p, sizeof(p), "/proc/self/fd/%d", pfd);
    /* O_NOATIME keeps a scan from touching every atime, but only the
     * owner (or CAP_FOWNER) may ask for it */
    fd = open(p, flags | O_NOATIME);
    if (fd < 0 && errno == EPERM)
        fd = open(p, flags);
    return fd;
}

static int
open_noatime_at(int dirfd, const char *name)
{
    int flags = O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
    int fd = openat(dirfd, name, flags | O_NOATIME);

    if (fd < 0 && errno == EPERM)
        fd = openat(dirfd, name, flags);
    return fd;
}

static void
digest_hex(const unsigned char md[32], char hex[65])
{
    static const char digits[] = "0123456789abcdef";

    for (unsigned i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}

static void
put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)(v & 0xff);
}

/* Reads [off, end) of fd into the digest; -1 with errno on failure. */
static int
hash_range(EVP_MD_CTX *ctx, int fd, off_t off, off_t end, unsigned char *buf,
           size_t buflen, uint64_t *total)
{
    while (off < end) {
        size_t want =
            (uint64_t)(end - off) < buflen ? (size_t)(end - off) : buflen;
        ssize_t n = pread(fd, buf, want, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break; /* shrunk meanwhile: the version check sees it */
        EVP_DigestUpdate(ctx, buf, (size_t)n);
        off += n;
        *total += (uint64_t)n;
    }
    return 0;
}

/* A sparse file: "vigil-sparse" then, per data extent, its offset and
 * length (8 bytes each, big-endian) and its bytes, then the size. Holes
 * cost nothing, so a 1 TiB file of holes hashes in microseconds; moving
 * data into a hole changes the map and so the digest. */
static int
hash_sparse(EVP_MD_CTX *ctx, int fd, off_t size, unsigned char *buf,
            size_t buflen, uint64_t *total)
{
    static const char tag[] = "vigil-sparse";
    unsigned char hdr[16];
    off_t pos = 0;

    EVP_DigestUpdate(ctx, tag, sizeof(tag));
    while (pos < size) {
        off_t data = lseek(fd, pos, SEEK_DATA);
        if (data < 0 && errno == ENXIO)
            break; /* only a hole left */
        if (data < 0)
            return -1;
        off_t hole = lseek(fd, data, SEEK_HOLE);
        if (hole < 0)
            return -1;
        if (hole > size)
            hole = size;
        put_u64(hdr, (uint64_t)data);
        put_u64(hdr + 8, (uint64_t)(hole - data));
        EVP_DigestUpdate(ctx, hdr, sizeof(hdr));
        if (hash_range(ctx, fd, data, hole, buf, buflen, total) != 0)
            return -1;
        pos = hole;
    }
    put_u64(hdr, (uint64_t)size);
    EVP_DigestUpdate(ctx, hdr, 8);
    return 0;
}

/* fim_hash_fd for a file whose size is known (< 0: fstat it). */
static enum vigil_rc
hash_fd_size(int fd, off_t size, unsigned char *buf, size_t buflen,
             char hex[65], uint64_t *bytes, struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_EIO;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char md[32];
    unsigned mdlen = 0;
    uint64_t total = 0;
    struct stat st;
    off_t hole = -1;
    ssize_t n;

    if (size < 0) {
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
            size = st.st_size;
        else
            size = 0;
    }

    if (ctx == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        rc = vigil_err_set(err, VIGIL_EIO, "SHA-256 unavailable");
        goto out;
    }
    /* a hole before the end: hash the data extents only */
    if (size > 0)
        hole = lseek(fd, 0, SEEK_HOLE);
    if (hole >= 0 && hole < size) {
        if (hash_sparse(ctx, fd, size, buf, buflen, &total) != 0) {
            rc = vigil_err_set(err, VIGIL_EIO, "%s", strerror(errno));
            goto out;
        }
        goto done;
    }
    if (lseek(fd, 0, SEEK_SET) < 0 && errno != ESPIPE) {
        rc = vigil_err_set(err, VIGIL_EIO, "%s", strerror(errno));
        goto out;
    }
    for (;;) {
        n = read(fd, buf, buflen);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = vigil_err_set(err, VIGIL_EIO, "%s", strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        EVP_DigestUpdate(ctx, buf, (size_t)n);
        total += (uint64_t)n;
    }
done:
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    digest_hex(md, hex);
    if (bytes != NULL)
        *bytes += total;
    rc = VIGIL_OK;
out:
    EVP_MD_CTX_free(ctx);
    return rc;
}

enum vigil_rc
fim_hash_fd(int fd, unsigned char *buf, size_t buflen, char hex[65],
            uint64_t *bytes, struct vigil_err *err)
{
    return hash_fd_size(fd, -1, buf, buflen, hex, bytes, err);
}

static int
same_inode(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Opens name under dirfd for reading, never opening anything but the
 * regular file expected (walked, may be NULL): first as O_PATH, which
 * opens nothing, checked, then reopened through /proc/self/fd. A FIFO or
 * device put there meanwhile is never opened (a FIFO's open can block,
 * a device's has side effects). -1 with *rc set when refused. */
static int
open_checked(int dirfd, const char *name, const struct stat *walked,
             struct stat *ps_out, enum vigil_rc *rc, struct vigil_err *err)
{
    struct stat ps, fs;
    int pfd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    int fd = -1;

    if (pfd < 0) {
        *rc = errno == ENOENT || errno == ELOOP
                  ? vigil_err_set(err, VIGIL_ECONFLICT,
                                  "changed while hashed (%s)", strerror(errno))
                  : vigil_err_set(err, VIGIL_EIO, "%s", strerror(errno));
        return -1;
    }
    if (fstat(pfd, &ps) != 0) {
        *rc = vigil_err_set(err, VIGIL_EIO, "%s", strerror(errno));
        goto out;
    }
    if (!S_ISREG(ps.st_mode) || (walked != NULL && !same_inode(&ps, walked))) {
        /* replaced between the walk and the open */
        *rc = vigil_err_set(err, VIGIL_ECONFLICT, "changed while hashed");
        goto out;
    }
    *ps_out = ps;
    /* /proc/self/fd/N is the inode pfd holds: no need to check again */
    if ((fd = reopen_read(pfd)) >= 0)
        goto out;
    if (errno != ENOENT) {
        *rc = vigil_err_set(err, VIGIL_EIO, "%s", strerror(errno));
        goto out;
    }
    /* no /proc: by name, checked after (a device swapped in within this
     * window is opened, never read) */
    fd = open_noatime_at(dirfd, name);
    if (fd < 0) {
        *rc = vigil_err_set(err, VIGIL_EIO, "%s", strerror(errno));
        goto out;
    }
    if (fstat(fd, &fs) != 0 || !same_inode(&fs, &ps)) {
        close(fd);
        fd = -1;
        *rc = vigil_err_set(err, VIGIL_ECONFLICT, "changed while hashed");
    }
out:
    close(pfd);
    return fd;
}

enum vigil_rc
fim_hash_at(int dirfd, const char *name, const struct stat *walked,
            unsigned char *buf, size_t buflen, char hex[65], struct stat *st,
            uint64_t *bytes, struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_EIO;
    struct stat before, after;
    int fd = open_checked(dirfd, name, walked, &before, &rc, err);

    if (fd < 0)
        return rc;
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    for (int tries = 0; tries < HASH_RETRIES; tries++) {
        if ((rc = hash_fd_size(fd, before.st_size, buf, buflen, hex, bytes,
                               err)) != VIGIL_OK)
            goto out;
        if (fstat(fd, &after) != 0) {
            rc = vigil_err_set(err, VIGIL_EIO, "%s", strerror(errno));
            goto out;
        }
        if (same_version(&before, &after)) {
            if (st != NULL)
                *st = after;
            rc = VIGIL_OK;
            goto out;
        }
        before = after;
    }
    if (st != NULL)
        *st = after;
    rc = vigil_err_set(err, VIGIL_ECONFLICT, "kept changing while hashed");
out:
    close(fd);
    return rc;
}

enum vigil_rc
fim_hash_path(const char *path, unsigned char *buf, size_t buflen, char hex[65],
              struct stat *st, uint64_t *bytes, struct vigil_err *err)
{
    return fim_hash_at(AT_FDCWD, path, NULL, buf, buflen, hex, st, bytes, err);
}

enum vigil_rc
vigil_fim_hash_file(const char *path, char hex[65], uint64_t *bytes,
                    struct vigil_err *err)
{
    unsigned char *buf = malloc(HASH_BUF);
    enum vigil_rc rc;

    if (buf == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    rc = fim_hash_path(path, buf, HASH_BUF, hex, NULL, bytes, err);
    free(buf);
    return rc;
}

double
vigil_fim_entropy(const void *p, size_t n)
{
    const unsigned char *s = p;
    size_t count[256] = {0};
    double h = 0;

    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        count[s[i]]++;
    for (int i = 0; i < 256; i++) {
        if (count[i] == 0)
            continue;
        double q = (double)count[i] / (double)n;
        h -= q * log2(q);
    }
    return h;
}
