/* fim_ransom.c -- ransomware scoring: each acting process group (and,
 * where the kernel names no process, one anonymous key) gathers points
 * that decay with a half-life of half the configured window:
 *
 *   an existing file rewritten whose sampled bytes went from not random
 *   (or unknown) to encrypted-looking: random over 256 byte values, or
 *   text uniformly random over its own alphabet (base64, hex: armoured
 *   ciphertext), in any sampled block, since LockBit 3 encrypts only
 *   parts of each file; a header kept intact proves nothing, the
 *   format's structure is checked instead (a .docx's ZIP entries, a
 *   PDF's clear-text objects)                              W_ENTROPY
 *   a new file's content scores nothing (a copy of archives, backups or
 *   a vault destroys nothing); it only arms delete-after-write
 *   a written name with a ransom extension, or a rename that appends
 *   one (never an ordinary lock/temp extension such as git's .lock) W_EXT
 *   a ransom note's name                                    W_NOTE
 *   a deletion after the key wrote encrypted-looking data   W_DELETE
 *   any deletion, an existing file emptied (": > F"), or zeroed or its
 *   blocks punched (fallocate -p): wipers                   W_WIPE
 *   a rename (bursts of them)                              W_RENAME
 *   a canary file touched                                  the threshold
 *   -- nothing but a canary inside version-control metadata (.git/...)
 *
 * Reaching the threshold is one detection per key (again after a quiet
 * window). The weights are chosen so that a script encrypting and
 * renaming reaches the default threshold on its third file, one that
 * only encrypts blocks in place on its ninth and a wiper on its 40th
 * deletion (tests/integration/test_fim_ransomware.sh measures the files
 * damaged).
 *
 * The long window: slower encryption decays away between files (at one
 * file per 3 s the score settles near 93), so encrypted-looking rewrites
 * of existing files are also counted per key and per user with a
 * half-life of FIM_SLOW_HALF_MS; FIM_SLOW_COUNT of them is a detection
 * of its own, one level lower and without a stop (a slow rewriter may
 * be a legitimate tool; the fast path or a canary stops). */
#include <fcntl.h>
#include <fnmatch.h>
#include <stdint.h>
#include <unistd.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "fim/fim_ransom.h"

#define W_ENTROPY 12
#define W_NEW     4
#define W_EXT     30
#define W_NOTE    40
#define W_DELETE  8
#define W_RENAME  3
#define W_WIPE    2.5

/* Families' own extensions: everyday words some families also use are
 * weak_ext below, ".lock" of git, yarn and cargo is ordinary_ext. */
static const char *const ransom_ext[] = {
    "lockbit", "locked", "encrypted", "crypted", "ryk",      "conti",
    "akira",   "royal",  "clop",      "8base",   "blackcat", "alphv",
    "cerber",  "locky",  "wannacry",  "wncry",   "phobos",   "dharma",
    "djvu",    "medusa", "rhysida",   "basta",   "babuk",
};

/* Ransom families' extensions that are also everyday words: they count
 * only appended to a file's whole name (report.pdf -> report.pdf.stop). */
static const char *const weak_ext[] = {
    "enc", "crypt", "crypto", "play", "hive", "stop",
};

/* Ordinary lock, temporary and backup extensions: never ransom ones
 * (git's index.lock, Cargo.lock, a download's .part). */
static const char *const ordinary_ext[] = {
    "lock",    "tmp",        "temp", "swp", "swx",      "part",
    "partial", "crdownload", "bak",  "old", "orig",     "pid",
    "journal", "wal",        "shm",  "new", "download", "lck",
};

static int
in_list(const char *ext, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(ext, v[i]) == 0)
            return 1;
    return 0;
}

#define IN(ext, v) in_list(ext, v, sizeof(v) / sizeof(v[0]))

static const char *
base_name(const char *p)
{
    const char *s = strrchr(p, '/');

    return s ? s + 1 : p;
}

/* The extension of name (after its last dot, not a leading one), or NULL. */
static const char *
ext_of(const char *name)
{
    const char *dot = strrchr(name, '.');

    return dot == NULL || dot == name ? NULL : dot + 1;
}

static const char *const note_pat[] = {
    "*readme*lockbit*", "*restore*files*", "*decrypt*",      "how_to_*",
    "*how*to*recover*", "*ransom*",        "!!!*",           "*_readme_*",
    "*recover*files*",  "*your*files*",    "*unlock*files*",
};

int
fim_ransom_ext(const char *name)
{
    const char *ext = ext_of(base_name(name));

    return ext != NULL && IN(ext, ransom_ext);
}

int
fim_ransom_ext_renamed(const char *old, const char *new)
{
    const char *on = base_name(old), *nn = base_name(new);
    const char *oe = ext_of(on), *ne = ext_of(nn);
    size_t ol = strlen(on);

    if (ne == NULL || IN(ne, ordinary_ext) || fim_vcs_path(new))
        return 0;
    if (oe != NULL && strcasecmp(oe, ne) == 0)
        return 0; /* not new for that file */
    if (IN(ne, ransom_ext))
        return 1;
    /* an everyday word: only as LockBit appends, to a name that had an
     * extension of its own */
    return IN(ne, weak_ext) && oe != NULL && strncmp(nn, on, ol) == 0 &&
           nn[ol] == '.' && nn + ol + 1 == ne;
}

int
fim_vcs_path(const char *path)
{
    static const char *const meta[] = {"/.git/", "/.hg/",    "/.svn/",
                                       "/.bzr/", "/_darcs/", "/.jj/"};

    for (size_t i = 0; i < sizeof(meta) / sizeof(meta[0]); i++)
        if (strstr(path, meta[i]) != NULL)
            return 1;
    return 0;
}

int
fim_ransom_note(const char *name)
{
    for (size_t i = 0; i < sizeof(note_pat) / sizeof(note_pat[0]); i++)
        if (fnmatch(note_pat[i], name, FNM_CASEFOLD) == 0)
            return 1;
    return 0;
}

/* Compressed formats by extension and the bytes they start with (at
 * offset off). */
static const struct {
    const char *ext;
    size_t off;
    const char *magic;
    size_t len;
} magics[] = {
    {"zip", 0, "PK\3\4", 4},
    {"docx", 0, "PK\3\4", 4},
    {"xlsx", 0, "PK\3\4", 4},
    {"pptx", 0, "PK\3\4", 4},
    {"odt", 0, "PK\3\4", 4},
    {"ods", 0, "PK\3\4", 4},
    {"jar", 0, "PK\3\4", 4},
    {"jpg", 0, "\xff\xd8\xff", 3},
    {"jpeg", 0, "\xff\xd8\xff", 3},
    {"png", 0, "\x89PNG", 4},
    {"gif", 0, "GIF8", 4},
    {"pdf", 0, "%PDF", 4},
    {"gz", 0, "\x1f\x8b", 2},
    {"tgz", 0, "\x1f\x8b", 2},
    {"bz2", 0, "BZh", 3},
    {"xz", 0,
     "\xfd"
     "7zXZ",
     5},
    {"zst", 0, "\x28\xb5\x2f\xfd", 4},
    {"7z", 0, "7z\xbc\xaf", 4},
    {"mp4", 4, "ftyp", 4},
    {"mov", 4, "ftyp", 4},
    {"webp", 8, "WEBP", 4},
    {"mp3", 0, "ID3", 3},
};

int
fim_magic_ok(const char *name, const unsigned char *head, size_t n)
{
    const char *dot = strrchr(name, '.');

    if (dot == NULL)
        return 0;
    for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
        if (strcasecmp(dot + 1, magics[i].ext) == 0)
            return n >= magics[i].off + magics[i].len &&
                   memcmp(head + magics[i].off, magics[i].magic,
                          magics[i].len) == 0;
    return 0;
}

int
fim_looks_encrypted(double entropy, size_t sample)
{
    /* random bytes: about 8 - 255 / (2 n ln 2) bits per byte in a
     * sample of n, so short samples get a lower bar */
    if (sample >= 4096)
        return entropy >= 7.5;
    if (sample >= 1024)
        return entropy >= 7.2;
    if (sample >= 256)
        return entropy >= 6.2;
    return 0;
}

/* ---- content ---- */

static uint16_t
le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* A ZIP (docx, xlsx, odt, jar...): the first local header's fields are
 * plausible, its name printable, and what follows its data is another
 * ZIP record. Encrypting after a kept "PK\3\4" breaks the fields. */
static int
zip_ok(int fd, int64_t size, const unsigned char *h, size_t n)
{
    unsigned char nx[4];

    if (n < 30 || memcmp(h, "PK\3\4", 4) != 0)
        return 0;
    uint16_t ver = le16(h + 4), flags = le16(h + 6), method = le16(h + 8);
    uint32_t csize = le32(h + 18);
    uint16_t nlen = le16(h + 26), xlen = le16(h + 28);
    if (ver > 100 || (method != 0 && method != 8 && method != 9 &&
                      method != 12 && method != 14 && method != 93 &&
                      method != 95 && method != 98 && method != 99))
        return 0;
    if (nlen == 0 || nlen > 1024 || 30 + (size_t)nlen > n)
        return 0;
    for (size_t i = 0; i < nlen; i++)
        if (h[30 + i] < 0x20 || h[30 + i] == 0x7f)
            return 0;
    if (flags & 8)
        return 1; /* sizes after the data (streamed): no jump to check */
    int64_t next = 30 + (int64_t)nlen + xlen + csize;
    if (next + 4 > size)
        return 0;
    if (pread(fd, nx, 4, (off_t)next) != 4 || nx[0] != 'P' || nx[1] != 'K')
        return 0;
    return (nx[2] == 3 && nx[3] == 4) || (nx[2] == 1 && nx[3] == 2) ||
           (nx[2] == 5 && nx[3] == 6) || (nx[2] == 7 && nx[3] == 8) ||
           (nx[2] == 6 && nx[3] == 6);
}

/* Does p[0..n) hold tok? */
static int
has_token(const unsigned char *p, size_t n, const char *tok)
{
    size_t l = strlen(tok);

    for (size_t i = 0; i + l <= n; i++)
        if (memcmp(p + i, tok, l) == 0)
            return 1;
    return 0;
}

/* A PDF: "%PDF-d.d", objects in clear text in its first block, and
 * "%%EOF" near its end. */
static int
pdf_ok(int fd, int64_t size, const unsigned char *h, size_t n,
       unsigned char *buf)
{
    if (n < 16 || memcmp(h, "%PDF-", 5) != 0 || h[5] < '1' || h[5] > '9' ||
        h[6] != '.' || !has_token(h, n, " obj"))
        return 0;
    off_t off = size > 1024 ? (off_t)(size - 1024) : 0;
    ssize_t r = pread(fd, buf, 1024, off);
    return r > 0 && has_token(buf, (size_t)r, "%%EOF");
}

/* A JPEG: after SOI, a chain of marker segments each starting with 0xFF,
 * followed within the first block up to the first scan or 8 segments. */
static int
jpeg_ok(const unsigned char *h, size_t n)
{
    size_t i = 2;

    if (n < 4 || h[0] != 0xff || h[1] != 0xd8)
        return 0;
    for (int k = 0; k < 8; k++) {
        if (i + 4 > n)
            return k > 0;
        if (h[i] != 0xff || h[i + 1] < 0xc0 || h[i + 1] == 0xff)
            return 0;
        if (h[i + 1] == 0xda)
            return 1;
        size_t len = (size_t)h[i + 2] << 8 | h[i + 3];
        if (len < 2)
            return 0;
        i += 2 + len;
    }
    return 1;
}

/* A PNG: the signature, an IHDR of 13 bytes and a next chunk whose type is
 * four letters. */
static int
png_ok(const unsigned char *h, size_t n)
{
    if (n < 41 || memcmp(h, "\x89PNG\r\n\x1a\n", 8) != 0 ||
        memcmp(h + 8, "\0\0\0\x0dIHDR", 8) != 0)
        return 0;
    for (int i = 37; i < 41; i++)
        if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z')))
            return 0;
    return 1;
}

/* Is the file's random-looking content its format's nature? The formats
 * with a structure check must pass it; the others (gzip, xz, mp4...) are
 * trusted on their magic, as before. */
static int
format_ok(int fd, const char *name, int64_t size, const unsigned char *h,
          size_t n, unsigned char *buf)
{
    const char *ext = ext_of(base_name(name));

    if (ext == NULL || !fim_magic_ok(name, h, n))
        return 0;
    if (n >= 4 && memcmp(h, "PK\3\4", 4) == 0)
        return zip_ok(fd, size, h, n);
    if (n >= 4 && memcmp(h, "%PDF", 4) == 0)
        return pdf_ok(fd, size, h, n, buf);
    if (n >= 3 && memcmp(h, "\xff\xd8\xff", 3) == 0)
        return jpeg_ok(h, n);
    if (n >= 4 && memcmp(h, "\x89PNG", 4) == 0)
        return png_ok(h, n);
    return 1;
}

int
fim_looks_armoured(const unsigned char *p, size_t n)
{
    unsigned cnt[128] = {0};
    size_t used = 0, k = 0;
    double h = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (c == '\n' || c == '\r')
            continue;
        if (c <= 0x20 || c >= 0x7f)
            return 0; /* words, or binary */
        if (cnt[c]++ == 0)
            k++;
        used++;
    }
    if (used < 512 || k < 16)
        return 0;
    for (size_t c = 0; c < 128; c++)
        if (cnt[c] != 0) {
            double f = (double)cnt[c] / (double)used;
            h -= f * log2(f);
        }
    /* a random sample of `used` symbols from k falls short of log2(k) by
     * about (k - 1) / (2 used ln 2); text is far below (English letters:
     * 4.1 bits over 60 symbols, log2 = 5.9) */
    return h >= log2((double)k) - 0.15 -
                    (double)(k - 1) / (2.0 * (double)used * log(2.0));
}

static int
all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

#define SAMPLE_BLOCKS 4

void
fim_sample_fd(int fd, const char *name, int64_t size, unsigned char *buf,
              size_t buflen, struct fim_sample *out)
{
    size_t blk = buflen < 4096 ? buflen : 4096;
    int enc = 0, arm = 0, zero = 1, any = 0;

    memset(out, 0, sizeof(*out));
    out->entropy = -1;
    if (size <= 0) {
        out->cls = FIM_CLS_EMPTY;
        return;
    }
    for (int i = 0; i < SAMPLE_BLOCKS; i++) {
        /* block 0 at the start; the others spread from right after it
         * to the end */
        off_t off = 0;
        if (i > 0 && size > (int64_t)blk) {
            int64_t span = size - (int64_t)blk;
            off = (off_t)(i == 1 ? (span < (int64_t)blk ? span : (int64_t)blk)
                                 : span * i / (SAMPLE_BLOCKS - 1));
        }
        ssize_t n = pread(fd, buf, blk, off);
        if (n <= 0)
            break;
        any = 1;
        if (i == 0) {
            out->headlen =
                (size_t)n < sizeof(out->head) ? (size_t)n : sizeof(out->head);
            memcpy(out->head, buf, out->headlen);
        }
        double e = vigil_fim_entropy(buf, (size_t)n);
        if (e > out->entropy)
            out->entropy = e;
        if (zero && !all_zero(buf, (size_t)n))
            zero = 0;
        if (fim_looks_encrypted(e, (size_t)n))
            enc = 1;
        else if (fim_looks_armoured(buf, (size_t)n))
            arm = 1;
        if (size <= (int64_t)blk)
            break;
    }
    if (!any) {
        out->cls = FIM_CLS_UNKNOWN;
        return;
    }
    if (zero) {
        out->cls = FIM_CLS_ZERO;
        return;
    }
    if (enc || arm) {
        /* the header again, whole, for the structure check */
        ssize_t n = pread(fd, buf, blk, 0);
        if (enc && n > 0 && format_ok(fd, name, size, buf, (size_t)n, buf))
            out->cls = FIM_CLS_FORMAT;
        else
            out->cls = enc ? FIM_CLS_ENCRYPTED : FIM_CLS_ARMOURED;
        return;
    }
    out->cls = FIM_CLS_PLAIN;
}

int
fim_born_recently(int fd, int64_t since_ns, int64_t now, int64_t within_ns)
{
    struct statx stx;

    if (statx(fd, "", AT_EMPTY_PATH, STATX_BTIME, &stx) != 0 ||
        !(stx.stx_mask & STATX_BTIME))
        return 0;
    int64_t born = (int64_t)stx.stx_btime.tv_sec * VIGIL_NS_PER_SEC +
                   stx.stx_btime.tv_nsec;
    return born > since_ns && now - born < within_ns;
}

/* ---- per-path classes ---- */

static uint64_t
path_key(const char *p)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a: a cache, not a table an
                                            attacker can fill one bucket of */
    for (; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h | 1; /* 0 is a free slot */
}

static int
prev_class(const struct fim_scores *t, uint64_t h)
{
    size_t i = h % FIM_PROFILES;

    return t->prof[i].h == h ? t->prof[i].cls : FIM_CLS_UNKNOWN;
}

static void
set_class(struct fim_scores *t, uint64_t h, enum fim_class c)
{
    size_t i = h % FIM_PROFILES;

    t->prof[i].h = h;
    t->prof[i].cls = (unsigned char)c;
}

int
fim_judge_write(struct fim_scores *t, const char *path,
                const struct fim_sample *smp, int created)
{
    uint64_t h = path_key(path);
    int prev = prev_class(t, h);
    int sig = -1;

    set_class(t, h, smp->cls);
    switch (smp->cls) {
    case FIM_CLS_ENCRYPTED:
    case FIM_CLS_ARMOURED:
        /* deleted, then written again under its name: a replacement */
        if (created && prev != FIM_CLS_GONE)
            sig = FIM_SIG_ENTROPY_NEW;
        else if (prev != FIM_CLS_ENCRYPTED && prev != FIM_CLS_ARMOURED)
            sig = FIM_SIG_ENTROPY;
        break;
    case FIM_CLS_EMPTY:
    case FIM_CLS_ZERO:
        if (!created && prev != (int)smp->cls && prev != FIM_CLS_EMPTY &&
            prev != FIM_CLS_GONE)
            sig = FIM_SIG_WIPE;
        break;
    default:
        break;
    }
    return sig;
}

static void
decay(struct fim_score *s, int64_t now, int64_t window_ms)
{
    double half = (double)window_ms * 1e6 / 2;

    if (s->t != 0 && now > s->t)
        s->score *= pow(0.5, (double)(now - s->t) / half);
    s->t = now;
}

struct fim_score *
fim_score_get(struct fim_scores *t, int64_t key, int64_t now)
{
    struct fim_score *old = NULL;

    for (size_t i = 0; i < FIM_SCORES; i++) {
        struct fim_score *s = &t->s[i];
        if (s->used && s->key == key)
            return s;
        if (old == NULL || !s->used || (old->used && s->t < old->t))
            old = s;
    }
    memset(old, 0, sizeof(*old));
    old->used = 1;
    old->key = key;
    old->t = now;
    return old;
}

/* The long window's count: decayed with its own half-life. */
static void
slow_decay(struct fim_score *s, int64_t now)
{
    double half = (double)FIM_SLOW_HALF_MS * 1e6;

    if (s->slow_t != 0 && now > s->slow_t)
        s->slow *= pow(0.5, (double)(now - s->slow_t) / half);
    s->slow_t = now;
}

/* Counts an encrypted-looking rewrite in s's long window: FIM_DETECT_SLOW
 * when it reaches FIM_SLOW_COUNT (once per half-life). */
static int
slow_add(struct fim_score *s, int64_t now)
{
    slow_decay(s, now);
    s->slow += 1;
    /* the FIM_SLOW_COUNT-th within a fraction of the half-life */
    if (s->slow < FIM_SLOW_COUNT - 0.5)
        return 0;
    if (s->slow_hit != 0 && now - s->slow_hit < FIM_SLOW_HALF_MS * 1000000LL)
        return 0;
    s->slow_hit = now;
    return FIM_DETECT_SLOW;
}

static void
remember(struct fim_score *s, const char *path)
{
    if (path == NULL)
        return;
    snprintf(s->recent[s->nrecent % FIM_RECENT], sizeof(s->recent[0]), "%s",
             path);
    s->nrecent++;
}

int
fim_score_add(struct fim_score *s, enum fim_signal sig, const char *path,
              int64_t now, const struct vigil_fim_config *cfg)
{
    double w = 0;
    int slow = 0;

    decay(s, now, cfg->window_ms);
    if (sig != FIM_SIG_CANARY && path != NULL && fim_vcs_path(path))
        return 0;
    switch (sig) {
    case FIM_SIG_ENTROPY:
        w = W_ENTROPY;
        s->encrypted++;
        s->last_enc = now;
        slow = slow_add(s, now);
        /* a key the fast path already caught needs no slow alert */
        if (s->alerted != 0)
            slow = 0;
        break;
    case FIM_SIG_ENTROPY_NEW:
        /* a copy destroys nothing: it only arms delete-after-write */
        s->encrypted++;
        s->last_enc = now;
        break;
    case FIM_SIG_EXT:
        w = W_EXT;
        s->extensions++;
        break;
    case FIM_SIG_NOTE:
        w = s->notes++ == 0 ? W_NOTE : 0;
        break;
    case FIM_SIG_DELETE:
        w = W_WIPE;
        s->wiped++;
        if (s->last_enc != 0 &&
            now - s->last_enc < cfg->window_ms * 1000000LL) {
            w += W_DELETE;
            s->deletes++;
        }
        break;
    case FIM_SIG_WIPE:
        w = W_WIPE;
        s->wiped++;
        break;
    case FIM_SIG_RENAME:
        w = W_RENAME;
        s->renames++;
        break;
    case FIM_SIG_CANARY:
        w = (double)cfg->threshold;
        s->canary++;
        break;
    }
    if (w > 0 || slow)
        remember(s, path);
    s->score += w;
    if (s->score < (double)cfg->threshold) {
        s->is_slow = slow != 0;
        return slow;
    }
    s->is_slow = 0;
    /* one detection per burst: again only after a quiet window */
    if (s->alerted != 0 && now - s->alerted < cfg->window_ms * 1000000LL) {
        s->alerted = now;
        return 0;
    }
    s->alerted = now;
    return FIM_DETECT_FAST;
}

int
fim_score_user(struct fim_scores *t, uint32_t uid, enum fim_signal sig,
               const char *path, int64_t now,
               const struct vigil_fim_config *cfg, struct fim_score **out)
{
    /* users' keys are negative: process groups are positive, the
     * anonymous key 0 */
    struct fim_score *u = fim_score_get(t, -1 - (int64_t)uid, now);
    int r;

    (void)cfg;
    *out = u;
    if (sig != FIM_SIG_ENTROPY || (path != NULL && fim_vcs_path(path)))
        return 0;
    u->t = now; /* kept from reuse while the user is active */
    u->encrypted++;
    r = slow_add(u, now);
    if (r != 0) {
        remember(u, path);
        u->is_slow = 1;
    }
    return r;
}

void
fim_ransom_deleted(struct fim_scores *t, const char *path)
{
    set_class(t, path_key(path), FIM_CLS_GONE);
}
