/* fim_canary.c -- canary files: documents placed in the watched trees
 * that nothing should touch, so that touching one is a detection.
 *
 * A canary with a fixed, documented name is skipped by any tool that
 * knows it (`find ! -name '*canary*'`), so each tree gets its own names:
 * plausible document names (a number-led one that a sorted walk meets
 * first, a lower-case y/z one it meets last) in the tree's root and in
 * its first and last subfolders by name, FIM_CANARY_SLOTS in all, each
 * chosen by HMAC-SHA256 of the tree path, the slot and a generation
 * under a per-tree secret. The secret is kept in the root folder's
 * `trusted.vigil.canary` extended attribute, which only a process with
 * CAP_SYS_ADMIN can read (the daemon at prepare, as root), so the names
 * survive restarts without being written anywhere a user can read;
 * where the file system has no trusted attributes the secret lives for
 * the process only (canaries of an earlier run are then left as
 * ordinary files). The content is an ordinary small document of the
 * name's type (a ZIP-based .docx, a .pdf, a .txt), not a warning.
 *
 * After a detection the canaries that are gone or changed are placed
 * again under the next generation's (fresh) name -- by the daemon as it
 * runs then, after dropping privileges, so only where its user may
 * write (else at the next start). The state is the process's: one
 * monitor per daemon. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <openssl/hmac.h>

#include "fim/fim_canary.h"

#define XATTR   "trusted.vigil.canary"
#define GENS    16 /* generations looked for at start */
#define SEEDLEN 32

struct slot {
    char path[PATH_MAX]; /* "" when none */
    unsigned gen;
    int64_t size, mtime_ns; /* as written */
    int64_t placed_ns;
};

static struct {
    unsigned char seed[VIGIL_FIM_MAX_WATCH][SEEDLEN];
    int have_seed[VIGIL_FIM_MAX_WATCH];
    char folder[VIGIL_FIM_MAX_WATCH][FIM_CANARY_SLOTS / 2][PATH_MAX];
    struct slot slot[VIGIL_FIM_MAX_WATCH][FIM_CANARY_SLOTS];
} cs;

/* ---- names ---- */

static const char *const early_word[] = {
    "Budget",   "Contract", "Invoice",  "Minutes", "Payroll",
    "Proposal", "Report",   "Schedule", "Summary", "Agenda",
};
static const char *const late_word[] = {
    "year-end", "yearly", "zoning", "zone", "youth-programme",
};
static const char *const second_word[] = {
    "review", "draft", "final", "notes", "overview", "signed", "Q3", "2025",
};
static const char *const exts[] = {"docx", "pdf", "txt"};

static void
slot_mac(size_t tree, const char *root, unsigned slot, unsigned gen,
         unsigned char mac[32])
{
    char msg[PATH_MAX + 32];
    unsigned len = 32;
    int n = snprintf(msg, sizeof(msg), "%s\n%u\n%u", root, slot, gen);

    HMAC(EVP_sha256(), cs.seed[tree], SEEDLEN, (const unsigned char *)msg,
         (size_t)(n > 0 ? n : 0), mac, &len);
}

/* The name of slot at gen: even slots sort first, odd ones last. */
static void
slot_name(size_t tree, const char *root, unsigned slot, unsigned gen, char *dst,
          size_t len)
{
    unsigned char h[32];

    slot_mac(tree, root, slot, gen, h);
    const char *w2 = second_word[h[1] % 8];
    const char *ext = exts[h[2] % 3];
    if (slot % 2 == 0)
        snprintf(dst, len, "0%u %s %s.%s", h[3] % 10u, early_word[h[0] % 10],
                 w2, ext);
    else
        snprintf(dst, len, "%s %s %u.%s", late_word[h[0] % 5], w2,
                 2019u + h[3] % 7u, ext);
}

/* ---- content ---- */

static uint32_t
crc32_of(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;

    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static void
put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v & 0xff);
    p[1] = (unsigned char)(v >> 8 & 0xff);
}

static void
put32(unsigned char *p, uint32_t v)
{
    put16(p, v & 0xffff);
    put16(p + 2, v >> 16);
}

/* A ZIP of stored entries (names[i], data[i]) into buf; returns its
 * length, 0 when buf is too small. */
static size_t
zip_stored(unsigned char *buf, size_t cap, const char *const *names,
           const char *const *data, size_t n)
{
    size_t off = 0, cd, local[8];

    for (size_t i = 0; i < n && i < 8; i++) {
        size_t nl = strlen(names[i]), dl = strlen(data[i]);
        if (off + 30 + nl + dl > cap)
            return 0;
        local[i] = off;
        memset(buf + off, 0, 30);
        memcpy(buf + off, "PK\3\4", 4);
        put16(buf + off + 4, 20);
        put32(buf + off + 14, crc32_of((const unsigned char *)data[i], dl));
        put32(buf + off + 18, (uint32_t)dl);
        put32(buf + off + 22, (uint32_t)dl);
        put16(buf + off + 26, (unsigned)nl);
        memcpy(buf + off + 30, names[i], nl);
        memcpy(buf + off + 30 + nl, data[i], dl);
        off += 30 + nl + dl;
    }
    cd = off;
    for (size_t i = 0; i < n && i < 8; i++) {
        size_t nl = strlen(names[i]), dl = strlen(data[i]);
        if (off + 46 + nl > cap)
            return 0;
        memset(buf + off, 0, 46);
        memcpy(buf + off, "PK\1\2", 4);
        put16(buf + off + 4, 20);
        put16(buf + off + 6, 20);
        put32(buf + off + 16, crc32_of((const unsigned char *)data[i], dl));
        put32(buf + off + 20, (uint32_t)dl);
        put32(buf + off + 24, (uint32_t)dl);
        put16(buf + off + 28, (unsigned)nl);
        put32(buf + off + 42, (uint32_t)local[i]);
        memcpy(buf + off + 46, names[i], nl);
        off += 46 + nl;
    }
    if (off + 22 > cap)
        return 0;
    memset(buf + off, 0, 22);
    memcpy(buf + off, "PK\5\6", 4);
    put16(buf + off + 8, (unsigned)n);
    put16(buf + off + 10, (unsigned)n);
    put32(buf + off + 12, (uint32_t)(off - cd));
    put32(buf + off + 16, (uint32_t)cd);
    return off + 22;
}

static const char text[] =
    "The committee reviewed the figures for the period and agreed the "
    "changes proposed by the working group. Actions: finance to confirm "
    "the revised totals; the secretary to circulate the amended schedule "
    "before the next meeting.";

/* The document for name's extension into buf; returns its length. */
size_t
fim_canary_content(const char *name, unsigned char *buf, size_t cap)
{
    const char *ext = strrchr(name, '.');
    char body[1024];
    int n;

    ext = ext ? ext + 1 : "";
    if (strcmp(ext, "docx") == 0) {
        static const char *const names[] = {"[Content_Types].xml",
                                            "_rels/.rels", "word/document.xml"};
        const char *data[3] = {
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
            "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
            "content-types\"><Default Extension=\"rels\" ContentType=\""
            "application/vnd.openxmlformats-package.relationships+xml\"/>"
            "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            "<Override PartName=\"/word/document.xml\" ContentType=\""
            "application/vnd.openxmlformats-officedocument.wordprocessingml."
            "document.main+xml\"/></Types>",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
            "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/"
            "2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://"
            "schemas.openxmlformats.org/officeDocument/2006/relationships/"
            "officeDocument\" Target=\"word/document.xml\"/></Relationships>",
            body};
        snprintf(body, sizeof(body),
                 "<?xml version=\"1.0\" encoding=\"UTF-8\" "
                 "standalone=\"yes\"?><w:document xmlns:w=\"http://"
                 "schemas.openxmlformats.org/wordprocessingml/2006/main\">"
                 "<w:body><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:body>"
                 "</w:document>",
                 text);
        return zip_stored(buf, cap, names, data, 3);
    }
    if (strcmp(ext, "pdf") == 0) {
        /* one page with one line; the xref offsets are the real ones */
        size_t off[6], len = 0;
        const char *obj[5] = {
            "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
            "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n",
            "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            "/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>\n"
            "endobj\n",
            NULL,
            "5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
            ">>\nendobj\n"};
        char stream[512], o4[640];
        int sl = snprintf(stream, sizeof(stream),
                          "BT /F1 11 Tf 56 780 Td (%.120s) Tj ET", text);
        snprintf(o4, sizeof(o4),
                 "4 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n",
                 sl, stream);
        obj[3] = o4;
        n = snprintf((char *)buf, cap, "%%PDF-1.4\n");
        len = (size_t)n;
        for (int i = 0; i < 5; i++) {
            off[i] = len;
            n = snprintf((char *)buf + len, cap - len, "%s", obj[i]);
            if (n < 0 || (size_t)n >= cap - len)
                return 0;
            len += (size_t)n;
        }
        off[5] = len;
        n = snprintf((char *)buf + len, cap - len,
                     "xref\n0 6\n0000000000 65535 f \n");
        len += (size_t)n;
        for (int i = 0; i < 5; i++) {
            n = snprintf((char *)buf + len, cap - len, "%010zu 00000 n \n",
                         off[i]);
            len += (size_t)n;
        }
        n = snprintf((char *)buf + len, cap - len,
                     "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%zu\n"
                     "%%%%EOF\n",
                     off[5]);
        return n < 0 || (size_t)n >= cap - len ? 0 : len + (size_t)n;
    }
    n = snprintf((char *)buf, cap, "%s\n\n%s\n", text, text);
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* ---- placing ---- */

/* The tree's secret: its root's trusted attribute, or a new one (kept
 * there when the file system allows). */
static void
load_seed(size_t tree, const char *root)
{
    if (cs.have_seed[tree])
        return;
    if (getxattr(root, XATTR, cs.seed[tree], SEEDLEN) != SEEDLEN) {
        if (getrandom(cs.seed[tree], SEEDLEN, 0) != SEEDLEN)
            return;
        if (setxattr(root, XATTR, cs.seed[tree], SEEDLEN, 0) != 0)
            vigil_log(VIGIL_LOG_INFO, FIM_LOG_CANARY,
                      "fim: canary names of %s kept for this run only "
                      "(no trusted attribute: %s)",
                      root, strerror(errno));
    }
    cs.have_seed[tree] = 1;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The folders of a tree that get canaries: its root, then its first and
 * last subfolders by name (not hidden ones). */
static void
pick_folders(size_t tree, const char *root)
{
    DIR *d = opendir(root);
    struct dirent *de;
    char *names[512];
    size_t n = 0;

    for (size_t i = 0; i < FIM_CANARY_SLOTS / 2; i++)
        cs.folder[tree][i][0] = '\0';
    snprintf(cs.folder[tree][0], PATH_MAX, "%s", root);
    while (d != NULL && n < 512 && (de = readdir(d)) != NULL) {
        if (de->d_type != DT_DIR || de->d_name[0] == '.')
            continue;
        if ((names[n] = strdup(de->d_name)) != NULL)
            n++;
    }
    if (d != NULL)
        closedir(d);
    qsort(names, n, sizeof(names[0]), cmp_str);
    if (n > 0)
        snprintf(cs.folder[tree][1], PATH_MAX, "%s/%s", root, names[0]);
    if (n > 1)
        snprintf(cs.folder[tree][2], PATH_MAX, "%s/%s", root, names[n - 1]);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
}

/* Writes slot's canary at generation gen: 1 when placed, 0 when the name
 * is taken (try the next), -1 when it cannot be (logged). */
static int
write_slot(size_t tree, const char *root, unsigned k, unsigned gen)
{
    static unsigned char buf[8192];
    struct slot *s = &cs.slot[tree][k];
    const char *folder = cs.folder[tree][k / 2];
    char name[128], path[PATH_MAX];
    struct stat st;
    size_t len;
    int fd, ok = -1;

    if (folder[0] == '\0')
        return -1;
    slot_name(tree, root, k, gen, name, sizeof(name));
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", folder, name) >=
        sizeof(path))
        return -1;
    len = fim_canary_content(name, buf, sizeof(buf));
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd >= 0 && write(fd, buf, len) == (ssize_t)len && fstat(fd, &st) == 0) {
        snprintf(s->path, sizeof(s->path), "%s", path);
        s->gen = gen;
        s->size = (int64_t)st.st_size;
        s->mtime_ns =
            (int64_t)st.st_mtim.tv_sec * VIGIL_NS_PER_SEC + st.st_mtim.tv_nsec;
        s->placed_ns = 0; /* refresh sets it: inotify is watching then */
        ok = 1;
    } else if (fd < 0 && errno == EEXIST) {
        ok = 0;
    } else {
        vigil_log(VIGIL_LOG_WARN, FIM_LOG_WATCH_FAIL,
                  "fim: cannot place canary %s: %s", path, strerror(errno));
    }
    if (fd >= 0)
        close(fd);
    return ok;
}

/* Finds slot k's canary of an earlier run (any of the first GENS
 * generations), or places generation 0's. */
static void
find_or_place(size_t tree, const char *root, unsigned k)
{
    struct slot *s = &cs.slot[tree][k];
    const char *folder = cs.folder[tree][k / 2];
    char name[128], path[PATH_MAX];
    struct stat st;
    unsigned last = 0;

    s->path[0] = '\0';
    if (folder[0] == '\0')
        return;
    for (unsigned g = 0; g < GENS; g++) {
        slot_name(tree, root, k, g, name, sizeof(name));
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", folder, name) >=
            sizeof(path))
            return;
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            snprintf(s->path, sizeof(s->path), "%s", path);
            s->gen = g;
            s->size = (int64_t)st.st_size;
            s->mtime_ns = (int64_t)st.st_mtim.tv_sec * VIGIL_NS_PER_SEC +
                          st.st_mtim.tv_nsec;
            last = g + 1;
        }
    }
    if (s->path[0] == '\0')
        (void)write_slot(tree, root, k, last);
}

void
vigil_fim_place_canaries(const struct vigil_fim_config *cfg)
{
    for (size_t i = 0; i < cfg->nwatch; i++) {
        load_seed(i, cfg->watch[i].path);
        if (!cs.have_seed[i])
            continue;
        pick_folders(i, cfg->watch[i].path);
        for (unsigned k = 0; k < FIM_CANARY_SLOTS; k++)
            find_or_place(i, cfg->watch[i].path, k);
    }
}

size_t
fim_canary_count(const struct vigil_fim_config *cfg)
{
    size_t n = 0;

    for (size_t i = 0; i < cfg->nwatch; i++)
        for (unsigned k = 0; k < FIM_CANARY_SLOTS; k++)
            n += cs.slot[i][k].path[0] != '\0';
    return n;
}

int
fim_canary_is(const struct vigil_fim_config *cfg, const char *path, int64_t now)
{
    for (size_t i = 0; i < cfg->nwatch; i++)
        for (unsigned k = 0; k < FIM_CANARY_SLOTS; k++) {
            const struct slot *s = &cs.slot[i][k];
            /* the daemon's own placing, seen by inotify, is not a touch */
            if (s->path[0] && strcmp(s->path, path) == 0)
                return now - s->placed_ns > FIM_CANARY_GRACE_NS;
        }
    return 0;
}

size_t
fim_canary_refresh(const struct vigil_fim_config *cfg)
{
    size_t n = 0;

    for (size_t i = 0; i < cfg->nwatch; i++)
        for (unsigned k = 0; k < FIM_CANARY_SLOTS; k++) {
            struct slot *s = &cs.slot[i][k];
            struct stat st;
            if (s->path[0] == '\0' || !cs.have_seed[i])
                continue;
            if (lstat(s->path, &st) == 0 && S_ISREG(st.st_mode) &&
                (int64_t)st.st_size == s->size &&
                (int64_t)st.st_mtim.tv_sec * VIGIL_NS_PER_SEC +
                        st.st_mtim.tv_nsec ==
                    s->mtime_ns)
                continue;
            /* gone or changed: a fresh name, the next generation's */
            for (unsigned g = s->gen + 1; g < s->gen + GENS; g++) {
                int r = write_slot(i, cfg->watch[i].path, k, g);
                if (r == 1) {
                    s->placed_ns = vigil_time_now();
                    n++;
                }
                if (r != 0)
                    break;
            }
        }
    if (n > 0)
        vigil_log(VIGIL_LOG_INFO, FIM_LOG_CANARY,
                  "fim: %zu canary files placed again under new names", n);
    return n;
}
