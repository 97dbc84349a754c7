/* fim_ransom.h -- private to src/fim: the ransomware score table
 * (fim_ransom.c), used by the monitor (fim_watch.c) and the unit tests. */
#ifndef VIGIL_FIM_RANSOM_H
#define VIGIL_FIM_RANSOM_H

#include "fim/fim_int.h"

#define FIM_SCORES 256
#define FIM_RECENT 8

enum fim_signal {
    FIM_SIG_ENTROPY,     /* an existing file rewritten */
    FIM_SIG_ENTROPY_NEW, /* a file created moments before */
    FIM_SIG_EXT,
    FIM_SIG_NOTE,
    FIM_SIG_DELETE,
    FIM_SIG_RENAME,
    FIM_SIG_CANARY,
    FIM_SIG_WIPE /* an existing file emptied, zeroed or its blocks punched */
};

/* What fim_score_add found: nothing, a fast burst (critical, stops), or
 * sustained encryption over the long window (an alert one level lower
 * that does not stop, unless a canary was touched). */
#define FIM_DETECT_FAST 1
#define FIM_DETECT_SLOW 2

/* The long window: encrypted-looking rewrites of existing files counted
 * per key (and per user) with a half-life of FIM_SLOW_HALF_MS; reaching
 * FIM_SLOW_COUNT is a detection. */
#define FIM_SLOW_HALF_MS (3LL * 3600 * 1000)
#define FIM_SLOW_COUNT   12

/* What the content of a file looks like, as sampled (fim_sample_fd). */
enum fim_class {
    FIM_CLS_UNKNOWN = 0,
    FIM_CLS_EMPTY,
    FIM_CLS_PLAIN,     /* text, documents, anything not random-looking */
    FIM_CLS_FORMAT,    /* random-looking, but a compressed format whose
                          structure checks out (a real .docx, .jpg) */
    FIM_CLS_ENCRYPTED, /* random-looking bytes */
    FIM_CLS_ARMOURED,  /* base64/hex-like text uniform over its alphabet */
    FIM_CLS_ZERO,      /* every sampled byte zero: zeroed or holes */
    FIM_CLS_GONE       /* deleted (fim_ransom_deleted) */
};

/* A bounded look at a file's content. */
struct fim_sample {
    enum fim_class cls;
    double entropy; /* highest block over 256 symbols, or -1 */
    unsigned char head[16];
    size_t headlen;
};

/* Per path: the class its content had when last seen closed, so that a
 * file that always looked random (a password vault saved again) is not a
 * rewrite into ciphertext. A cache: a miss only makes a file unknown. */
#define FIM_PROFILES 4096

/* One key's score: a process group, or 0 for changes nobody is named
 * for. */
struct fim_score {
    int used;
    int64_t key;
    double score;
    int64_t t;        /* when score was last decayed */
    int64_t alerted;  /* last detection (or signal after it) */
    int64_t last_enc; /* last encrypted-looking write */
    unsigned encrypted, extensions, notes, deletes, renames, canary;
    unsigned wiped;   /* files deleted, emptied, zeroed or punched */
    double slow;      /* long-window count of encrypted-looking rewrites */
    int64_t slow_t;   /* when slow was last decayed */
    int64_t slow_hit; /* last long-window detection */
    int is_slow;      /* the last detection was the long window's */
    char recent[FIM_RECENT][512]; /* the last paths that scored */
    unsigned nrecent;
    /* who, as last seen */
    int64_t pid;
    char exe[256], user[64];
};

struct fim_scores {
    struct fim_score s[FIM_SCORES];
    struct {
        uint64_t h;
        unsigned char cls; /* enum fim_class */
    } prof[FIM_PROFILES];
};

/* The entry for key (the oldest entry is reused when the table is full). */
struct fim_score *fim_score_get(struct fim_scores *t, int64_t key, int64_t now);
/* Adds a signal about path (borrowed, may be NULL) at now; returns
 * FIM_DETECT_FAST when the score crosses cfg->threshold (once per burst),
 * FIM_DETECT_SLOW when the long window's count reaches FIM_SLOW_COUNT
 * (once per FIM_SLOW_HALF_MS), else 0. s->is_slow tells which. Changes
 * inside version-control metadata (.git/, .hg/, .svn/) weigh nothing but
 * a canary: git's lock files and object churn are not ransomware. */
int fim_score_add(struct fim_score *s, enum fim_signal sig, const char *path,
                  int64_t now, const struct vigil_fim_config *cfg);

/* Is name's extension a known ransomware one (words that are also
 * everyday extensions, such as .lock or .stop, are not)? Is name a
 * ransom note's? */
int fim_ransom_ext(const char *name);
/* Was old renamed to new (names or paths, borrowed) as ransomware does:
 * new's extension a ransom one, not an ordinary lock/temp extension, and
 * not old's own; an everyday word (.stop, .play, .hive...) only when
 * appended to old's whole name (report.pdf -> report.pdf.stop)? */
int fim_ransom_ext_renamed(const char *old, const char *new);
/* Is path inside version-control metadata (/.git/, /.hg/, /.svn/...)? */
int fim_vcs_path(const char *path);

/* Samples fd (borrowed, a regular file of size bytes whose name gives
 * the expected format): up to 4 blocks of buflen bytes spread over the
 * file, the first ones after the header (LockBit 3 encrypts only parts
 * of a file, and a kept header proves nothing), plus a few bounded reads
 * to check a ZIP/PDF/JPEG/PNG's structure. buf is scratch space
 * (>= 4096 bytes). */
void fim_sample_fd(int fd, const char *name, int64_t size, unsigned char *buf,
                   size_t buflen, struct fim_sample *out);
/* Does the text block p[0..n) look like armoured ciphertext: printable
 * without spaces, from an alphabet of 16 or more symbols (hex, base32,
 * base64, ascii85) with an entropy near log2 of the alphabet's size
 * (6 bits for base64), i.e. uniformly random over it? */
int fim_looks_armoured(const unsigned char *p, size_t n);
/* Was the file fd (borrowed) born after since_ns and less than within_ns
 * before now (statx's birth time; 0 where the file system keeps none)?
 * A new file whose creation inotify missed -- one in a folder created
 * moments before, whose watch came too late -- is still new. */
int fim_born_recently(int fd, int64_t since_ns, int64_t now, int64_t within_ns);
/* The signal a closed write of path means (created: inotify saw path
 * created moments before), or -1 for none; remembers its class in t.
 * A new file scores nothing on its content (a copy destroys nothing);
 * an existing file scores FIM_SIG_ENTROPY when it went from not random
 * (or unknown) to encrypted/armoured, FIM_SIG_WIPE when it was emptied or
 * zeroed. */
int fim_judge_write(struct fim_scores *t, const char *path,
                    const struct fim_sample *smp, int created);
/* path (borrowed) was deleted: written again under the same name, it is
 * a replacement of the file, not a new one. */
void fim_ransom_deleted(struct fim_scores *t, const char *path);
/* The long window per user: adds sig (only FIM_SIG_ENTROPY counts) to
 * the user's key in t; returns FIM_DETECT_SLOW and *out the key's entry
 * once the user's count reaches FIM_SLOW_COUNT, else 0. */
int fim_score_user(struct fim_scores *t, uint32_t uid, enum fim_signal sig,
                   const char *path, int64_t now,
                   const struct vigil_fim_config *cfg, struct fim_score **out);
int fim_ransom_note(const char *name);
/* Is name's extension a compressed format whose header head[0..n) has
 * (then high entropy is its nature, not encryption)? 0 when the format
 * is unknown or the header does not match (an encrypted header). */
int fim_magic_ok(const char *name, const unsigned char *head, size_t n);
/* Does a sample of sample bytes with this entropy look encrypted? */
int fim_looks_encrypted(double entropy, size_t sample);

#endif
