/* hunt_out.h -- how `vigil hunt` prints: each match as it is handed over
 * (a table, JSON lines or CSV) and the closing summary by level and by
 * ATT&CK tactic. Private to src/cli; the hunt itself is src/hunt. */
#ifndef VIGIL_CLI_HUNT_OUT_H
#define VIGIL_CLI_HUNT_OUT_H

#include <stdio.h>

#include "hunt/hunt.h"

enum hunt_format { HUNT_OUT_TABLE = 0, HUNT_OUT_JSON, HUNT_OUT_CSV };

#define HUNT_MAX_TACTICS 32

struct hunt_tally {
    char name[48];
    uint64_t n;
};

struct hunt_out {
    FILE *out;
    enum hunt_format fmt;
    int quiet;    /* count matches, print none */
    int timeline; /* matches as timeline rows (key fields in columns) */
    int header;   /* the header line is written */
    uint64_t n;
    uint64_t by_level[VIGIL_HUNT_LEVEL_COUNT];
    struct hunt_tally tactics[HUNT_MAX_TACTICS];
    size_t ntactics;
    struct vigil_buf b; /* scratch */
};

/* out is borrowed. */
void hunt_out_init(struct hunt_out *o, FILE *out, enum hunt_format fmt,
                   int quiet);
void hunt_out_fini(struct hunt_out *o);
/* vigil_hunt_match_fn (arg: the struct hunt_out): counts m and writes it.
 * Text from logs, rules and file names is written with control
 * characters escaped in the table and CSV, so a log line cannot drive the
 * terminal. */
enum vigil_rc hunt_out_match(const struct vigil_hunt_match *m, void *arg);
/* After the last match: VIGIL_EIO when the stream failed. */
enum vigil_rc hunt_out_end(struct hunt_out *o);
/* After the run: the event ids per channel (--eid-metrics) and the
 * logons (--logon-summary) of h (borrowed), in o's format. VIGIL_EIO
 * when the stream failed. */
enum vigil_rc hunt_out_eids(struct hunt_out *o, const struct vigil_hunt *h);
enum vigil_rc hunt_out_logons(struct hunt_out *o, const struct vigil_hunt *h);
/* Writes the summary: totals, matches by level and by ATT&CK tactic. */
void hunt_out_summary(const struct hunt_out *o, FILE *out,
                      const struct vigil_hunt_stats *t);

#endif
