/* fim_ransom.c -- ransomware scoring: each acting process group (and,
 * where the kernel names no process, one anonymous key) gathers points
 * that decay with a half-life of half the configured window:
 *
 *   a rewrite whose sampled bytes look encrypted (any sampled block,
 *   since LockBit 3 encrypts only parts of each file)      W_ENTROPY
 *   the same of a file created moments before (copies of photos and
 *   archives are new files; encrypting them in place is not) W_NEW
 *   -- neither when the extension names a compressed format and the
 *   header is that format's (a .docx starting "PK\3\4")
 *   a written or renamed name with a ransom extension      W_EXT
 *   a ransom note's name                                    W_NOTE
 *   a deletion after the key wrote encrypted-looking data   W_DELETE
 *   a rename (bursts of them)                              W_RENAME
 *   a canary file touched                                  the threshold
 *
 * Reaching the threshold is one detection per key (again after a quiet
 * window). The weights are chosen so that a script encrypting and
 * renaming reaches the default threshold on its third file and one that
 * only encrypts blocks in place on its ninth (tests/integration/
 * test_fim_ransomware.sh measures the files damaged). */
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fim/fim_ransom.h"

#define W_ENTROPY 12
#define W_NEW     4
#define W_EXT     30
#define W_NOTE    40
#define W_DELETE  8
#define W_RENAME  3

static const char *const ransom_ext[] = {
    "lockbit", "locked", "encrypted", "enc",     "crypt",  "crypted",
    "crypto",  "ryk",    "conti",     "akira",   "royal",  "clop",
    "play",    "8base",  "blackcat",  "alphv",   "hive",   "lock",
    "cerber",  "locky",  "wannacry",  "wncry",   "phobos", "dharma",
    "djvu",    "stop",   "medusa",    "rhysida", "basta",  "babuk",
};

static const char *const note_pat[] = {
    "*readme*lockbit*", "*restore*files*", "*decrypt*",      "how_to_*",
    "*how*to*recover*", "*ransom*",        "!!!*",           "*_readme_*",
    "*recover*files*",  "*your*files*",    "*unlock*files*",
};

int
fim_ransom_ext(const char *name)
{
    const char *dot = strrchr(name, '.');

    if (dot == NULL || dot == name)
        return 0;
    for (size_t i = 0; i < sizeof(ransom_ext) / sizeof(ransom_ext[0]); i++)
        if (strcasecmp(dot + 1, ransom_ext[i]) == 0)
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

int
fim_score_add(struct fim_score *s, enum fim_signal sig, const char *path,
              int64_t now, const struct vigil_fim_config *cfg)
{
    double w = 0;

    decay(s, now, cfg->window_ms);
    switch (sig) {
    case FIM_SIG_ENTROPY:
        w = W_ENTROPY;
        s->encrypted++;
        s->last_enc = now;
        break;
    case FIM_SIG_ENTROPY_NEW:
        w = W_NEW;
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
        if (s->last_enc != 0 &&
            now - s->last_enc < cfg->window_ms * 1000000LL) {
            w = W_DELETE;
            s->deletes++;
        }
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
    if (w > 0 && path != NULL) {
        snprintf(s->recent[s->nrecent % FIM_RECENT], sizeof(s->recent[0]), "%s",
                 path);
        s->nrecent++;
    }
    s->score += w;
    if (s->score < (double)cfg->threshold)
        return 0;
    /* one detection per burst: again only after a quiet window */
    if (s->alerted != 0 && now - s->alerted < cfg->window_ms * 1000000LL) {
        s->alerted = now;
        return 0;
    }
    s->alerted = now;
    return 1;
}
