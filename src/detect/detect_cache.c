/* detect_cache.c -- keeps the compiled Hyperscan literal databases of a
 * rule set on disk so the next start of the same rules skips compiling
 * them (about 0.5 s of the 0.7 s it takes to load SigmaHQ's Windows rules).
 *
 * A cache file is named by a SHA-256 key over everything the databases
 * are built from (Hyperscan's version, this CPU's platform, every
 * literal, its flags, its id and its field), so a changed rule or a
 * different machine simply misses. The file is
 *   "VIGILHS1" u32 ndb, then per database: u32 field, u64 size, bytes
 *   (hs_serialize_database), then a SHA-256 of all that came before,
 * written to a temporary name and renamed into place. A file that is
 * short, fails its checksum, or that Hyperscan refuses is ignored and the
 * databases are compiled as if there were no cache. Hyperscan's
 * deserializer is not made for hostile input, so the folder and the file
 * must belong to this user and be writable by nobody else. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hs/hs.h>
#include <openssl/evp.h>

#include "detect/detect_int.h"

#define CACHE_MAGIC     "VIGILHS1"
#define CACHE_MAX_BYTES ((size_t)1 << 30)
#define CACHE_KEEP      4 /* newest cache files kept in the folder */

static void
key_add(EVP_MD_CTX *md, const void *p, size_t n)
{
    EVP_DigestUpdate(md, p, n);
}

int
detect_cache_key(const struct vigil_detect *d, const struct det_dbgroup *g,
                 size_t ng, const uint32_t *order, unsigned flags,
                 unsigned char key[32])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    hs_platform_info_t plat;
    const char *ver = hs_version();
    unsigned int len = 0;
    int ok;

    if (md == NULL)
        return 0;
    memset(&plat, 0, sizeof(plat));
    ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
         hs_populate_platform(&plat) == HS_SUCCESS;
    if (ok) {
        key_add(md, CACHE_MAGIC, 8);
        key_add(md, ver, strlen(ver) + 1);
        key_add(md, &plat, sizeof(plat));
        key_add(md, &flags, sizeof(flags));
        for (size_t i = 0; i < ng; i++) {
            key_add(md, &g[i].field, sizeof(g[i].field));
            key_add(md, &g[i].n, sizeof(g[i].n));
            for (uint32_t k = 0; k < g[i].n; k++) {
                const struct det_lit *l = &d->lits[order[g[i].off + k]];
                uint32_t id = order[g[i].off + k];
                key_add(md, &id, sizeof(id));
                key_add(md, &l->len, sizeof(l->len));
                key_add(md, l->s, l->len);
            }
        }
        ok = EVP_DigestFinal_ex(md, key, &len) == 1 && len == 32;
    }
    EVP_MD_CTX_free(md);
    return ok;
}

static void
cache_path(char *dst, size_t len, const char *dir, const unsigned char key[32])
{
    char hex[65];

    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", key[i]);
    snprintf(dst, len, "%s/literals-%s.hsdb", dir, hex);
}

/* Owned by us and writable by nobody else? */
static int
trusted(const struct stat *st)
{
    return st->st_uid == geteuid() && (st->st_mode & 022) == 0;
}

static int
sha_ok(const unsigned char *p, size_t n)
{
    unsigned char sum[32];
    unsigned int len = 0;

    if (n < 32 || EVP_Digest(p, n - 32, sum, &len, EVP_sha256(), NULL) != 1 ||
        len != 32)
        return 0;
    return memcmp(sum, p + n - 32, 32) == 0;
}

/* Reads the whole trusted file at path; returns malloc'd bytes or NULL. */
static unsigned char *
read_trusted(const char *dir, const char *path, size_t *n)
{
    struct stat st;
    unsigned char *buf = NULL;
    size_t got = 0;
    int fd;

    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || !trusted(&st))
        return NULL;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
        return NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !trusted(&st) ||
        st.st_size < 8 + 4 + 32 || (size_t)st.st_size > CACHE_MAX_BYTES ||
        (buf = malloc((size_t)st.st_size)) == NULL) {
        close(fd);
        return NULL;
    }
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got != (size_t)st.st_size) {
        free(buf);
        return NULL;
    }
    *n = got;
    return buf;
}

int
detect_cache_load(const char *dir, const unsigned char key[32],
                  const struct det_dbgroup *g, size_t ng, hs_database_t **dbs)
{
    char path[4200];
    unsigned char *buf;
    size_t n = 0, pos = 12;
    uint32_t ndb;
    size_t i;

    cache_path(path, sizeof(path), dir, key);
    if ((buf = read_trusted(dir, path, &n)) == NULL)
        return 0;
    memcpy(&ndb, buf + 8, 4);
    if (memcmp(buf, CACHE_MAGIC, 8) != 0 || ndb != ng || !sha_ok(buf, n)) {
        free(buf);
        return 0;
    }
    n -= 32;
    for (i = 0; i < ng; i++) {
        uint32_t field;
        uint64_t size;
        if (n - pos < 12)
            break;
        memcpy(&field, buf + pos, 4);
        memcpy(&size, buf + pos + 4, 8);
        pos += 12;
        if (field != g[i].field || size > n - pos ||
            hs_deserialize_database((const char *)buf + pos, (size_t)size,
                                    &dbs[i]) != HS_SUCCESS)
            break;
        pos += (size_t)size;
    }
    free(buf);
    if (i == ng && pos == n)
        return 1;
    for (size_t k = 0; k < ng && k <= i; k++) {
        if (dbs[k])
            hs_free_database(dbs[k]);
        dbs[k] = NULL;
    }
    return 0;
}

static int
older(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec ||
           (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

struct prune {
    struct old {
        char path[4200];
        struct timespec mtime;
    } keep[CACHE_KEEP + 1];
    size_t nkeep;
};

static enum vigil_rc
prune_entry(const struct vigil_walk_entry *e, void *arg)
{
    struct prune *p = arg;
    size_t nl = strlen(e->name), j;

    if (strncmp(e->name, "literals-", 9) != 0 || nl < 14 ||
        strcmp(e->name + nl - 5, ".hsdb") != 0 ||
        strlen(e->path) >= sizeof(p->keep[0].path))
        return VIGIL_OK;
    /* insert by mtime, newest first; what falls off the end goes */
    for (j = p->nkeep; j > 0 && older(&p->keep[j - 1].mtime, &e->st.st_mtim);
         j--)
        p->keep[j] = p->keep[j - 1];
    snprintf(p->keep[j].path, sizeof(p->keep[j].path), "%s", e->path);
    p->keep[j].mtime = e->st.st_mtim;
    if (++p->nkeep == CACHE_KEEP + 1) {
        unlink(p->keep[CACHE_KEEP].path);
        p->nkeep--;
    }
    return VIGIL_OK;
}

/* Removes all but the CACHE_KEEP newest literals-*.hsdb files of dir. */
static void
prune(const char *dir)
{
    static const struct vigil_walk_opts o = {.regular_only = 1, .max_depth = 1};
    struct prune *p = calloc(1, sizeof(*p));
    struct vigil_err err = {0};

    /* best effort: the cache works without pruning */
    if (p != NULL)
        (void)vigil_walk(dir, &o, prune_entry, NULL, p, &err);
    free(p);
}

static int
write_all(int fd, const void *p, size_t n, EVP_MD_CTX *md)
{
    const char *c = p;

    if (md != NULL && EVP_DigestUpdate(md, p, n) != 1)
        return 0;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w <= 0)
            return 0;
        c += w;
        n -= (size_t)w;
    }
    return 1;
}

/* Writes one serialized database: field, size, bytes. */
static int
write_db(int fd, EVP_MD_CTX *md, uint32_t field, const hs_database_t *db)
{
    char *bytes = NULL;
    size_t size = 0;
    uint64_t size64;
    int ok;

    if (hs_serialize_database(db, &bytes, &size) != HS_SUCCESS)
        return 0;
    size64 = size;
    ok = write_all(fd, &field, 4, md) && write_all(fd, &size64, 8, md) &&
         write_all(fd, bytes, size, md);
    free(bytes);
    return ok;
}

int
detect_cache_save(const char *dir, const unsigned char key[32],
                  const struct det_dbgroup *g, size_t ng,
                  hs_database_t *const *dbs)
{
    char path[4200], tmp[4300];
    unsigned char sum[32];
    unsigned int len = 0;
    uint32_t ndb = (uint32_t)ng;
    struct stat st;
    EVP_MD_CTX *md;
    int fd, ok;

    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return 0;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || !trusted(&st))
        return 0;
    cache_path(path, sizeof(path), dir, key);
    snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
    if ((fd = mkstemp(tmp)) < 0)
        return 0;
    if ((md = EVP_MD_CTX_new()) == NULL) {
        close(fd);
        unlink(tmp);
        return 0;
    }
    ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
         write_all(fd, CACHE_MAGIC, 8, md) && write_all(fd, &ndb, 4, md);
    for (size_t i = 0; ok && i < ng; i++)
        ok = write_db(fd, md, g[i].field, dbs[i]);
    ok = ok && EVP_DigestFinal_ex(md, sum, &len) == 1 &&
         write_all(fd, sum, 32, NULL);
    EVP_MD_CTX_free(md);
    if (close(fd) != 0 || !ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return 0;
    }
    prune(dir);
    return 1;
}
