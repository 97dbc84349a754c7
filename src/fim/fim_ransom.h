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
    FIM_SIG_CANARY
};

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
    char recent[FIM_RECENT][512]; /* the last paths that scored */
    unsigned nrecent;
    /* who, as last seen */
    int64_t pid;
    char exe[256], user[64];
};

struct fim_scores {
    struct fim_score s[FIM_SCORES];
};

/* The entry for key (the oldest entry is reused when the table is full). */
struct fim_score *fim_score_get(struct fim_scores *t, int64_t key, int64_t now);
/* Adds a signal about path (borrowed, may be NULL) at now; returns 1
 * when the score crosses cfg->threshold (once per burst). */
int fim_score_add(struct fim_score *s, enum fim_signal sig, const char *path,
                  int64_t now, const struct vigil_fim_config *cfg);

/* Is name's extension a known ransomware one? Is name a ransom note's? */
int fim_ransom_ext(const char *name);
int fim_ransom_note(const char *name);
/* Is name's extension a compressed format whose header head[0..n) has
 * (then high entropy is its nature, not encryption)? 0 when the format
 * is unknown or the header does not match (an encrypted header). */
int fim_magic_ok(const char *name, const unsigned char *head, size_t n);
/* Does a sample of sample bytes with this entropy look encrypted? */
int fim_looks_encrypted(double entropy, size_t sample);

#endif
