/* fim_hash.c -- SHA-256 of a file (OpenSSL, which uses the CPU's SHA
 * extensions) and the byte entropy the ransomware scorer samples.
 *
 * A file that changes while it is read would get a hash of no version of
 * it: the file's size, mtime and ctime are compared before and after, and
 * the read is repeated a few times before the file is reported as
 * changing (VIGIL_ECONFLICT) rather than given a wrong hash. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
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

static int
open_noatime(const char *path)
{
    int flags = O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
    /* O_NOATIME keeps a scan from touching every atime, but only the
     * owner (or CAP_FOWNER) may ask for it */
    int fd = open(path, flags | O_NOATIME);

    if (fd < 0 && errno == EPERM)
        fd = open(path, flags);
    return fd;
}

enum vigil_rc
fim_hash_fd(int fd, unsigned char *buf, size_t buflen, char hex[65],
            uint64_t *bytes, struct vigil_err *err)
{
    static const char digits[] = "0123456789abcdef";
    enum vigil_rc rc = VIGIL_EIO;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char md[32];
    unsigned mdlen = 0;
    uint64_t total = 0;
    ssize_t n;

    if (ctx == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        rc = vigil_err_set(err, VIGIL_EIO, "SHA-256 unavailable");
        goto out;
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
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    for (unsigned i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
    if (bytes != NULL)
        *bytes += total;
    rc = VIGIL_OK;
out:
    EVP_MD_CTX_free(ctx);
    return rc;
}

enum vigil_rc
fim_hash_path(const char *path, unsigned char *buf, size_t buflen, char hex[65],
              struct stat *st, uint64_t *bytes, struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_EIO;
    struct stat before, after;
    int fd = open_noatime(path);

    if (fd < 0)
        return vigil_err_set(err, VIGIL_EIO, "%s", strerror(errno));
    if (fstat(fd, &before) != 0) {
        rc = vigil_err_set(err, VIGIL_EIO, "%s", strerror(errno));
        goto out;
    }
    if (!S_ISREG(before.st_mode)) {
        /* replaced between the walk and the open */
        rc = vigil_err_set(err, VIGIL_ECONFLICT, "no longer a regular file");
        goto out;
    }
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    for (int tries = 0; tries < HASH_RETRIES; tries++) {
        if ((rc = fim_hash_fd(fd, buf, buflen, hex, bytes, err)) != VIGIL_OK)
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
