/* hunt_int.h -- what the hunt_*.c files share: the input list and its
 * parts, the rule table, match records and their spill files, and the
 * worker state. Private to src/hunt. */
#ifndef VIGIL_HUNT_INT_H
#define VIGIL_HUNT_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "hunt/hunt.h"
#include "parse/parse.h"

#define HUNT_MAX_FILES 1000000
/* Record numbers inside part k count from k << HUNT_PART_SHIFT and are
 * made file-wide after the pool. */
#define HUNT_PART_SHIFT 40
#define HUNT_PART_MASK  ((UINT64_C(1) << HUNT_PART_SHIFT) - 1)

struct hunt_file {
    char *path; /* owned */
    uint64_t size;
    int named;   /* named on the command line, not found in a folder */
    int refused; /* no regular file: never opened, counted as failed */
};

/* One piece of work: a whole file, or one part of a big plain line file.
 * A line belongs to the part in which it starts. */
struct hunt_item {
    uint32_t file;
    uint32_t part;
    uint64_t start, end; /* byte range; end UINT64_MAX: to the end */
    uint64_t records;    /* records seen, filled by the worker */
};

struct hunt_rule_ent {
    struct vigil_hunt_rule pub;
    char **tags; /* owned, NULL-terminated (pub.tags points here) */
};

/* Match details that wait for the output: a memory buffer that is
 * written to an unlinked temporary file whenever it fills, so memory
 * stays bounded whatever fires. */
struct hunt_spill {
    int fd;           /* -1 until the first write */
    char *buf;        /* owned */
    size_t len;       /* bytes in buf */
    uint64_t flushed; /* bytes in the file; buf continues there */
    const char *dir;  /* borrowed */
};

/* One match, small enough to keep for every match and sort. */
struct hunt_rec {
    int64_t time_ns;
    uint64_t seq;
    uint64_t off;   /* details in spill number `spill` */
    uint32_t file;  /* UINT32_MAX: several files */
    uint32_t rule;  /* engine rule index */
    uint32_t spill; /* worker index; the last one for correlations */
    uint32_t len;   /* 0: no details */
};

/* Counts per key (hunt_tally.c): event ids per channel (column 0) and
 * logons per user, source and type (columns HUNT_LOGON_*). */
#define HUNT_TALLY_COLS 4
enum {
    HUNT_LOGON_OK = 0,
    HUNT_LOGON_FAILED,
    HUNT_LOGON_LOGOFF,
    HUNT_LOGON_EXPLICIT
};
struct hunt_tally_row {
    char *key; /* owned: the values, each ended by a NUL */
    size_t klen;
    uint64_t n[HUNT_TALLY_COLS];
};
struct hunt_tally {
    struct vigil_hmap *map; /* key -> row index + 1 */
    struct hunt_tally_row *v;
    size_t n, cap;
    struct hunt_tally_row other; /* keys past the bound */
    int has_other;
};

struct hunt_recs {
    struct hunt_rec *v; /* owned */
    size_t n, cap;
};

struct hunt_worker {
    struct vigil_hunt *h;
    struct vigil_detect_worker *dw; /* owned by the session */
    struct vigil_event *ev;
    struct vigil_arena arena;
    struct hunt_recs recs;
    struct hunt_spill spill;
    uint32_t index;
    char *buf; /* the read buffer, owned */
    uint32_t file;
    uint64_t seq;
    uint64_t events, events_failed, bytes;
    uint64_t files_skipped, files_failed;
    uint64_t pending_events; /* not yet added to h->events */
    struct hunt_tally eids, logons;
    int warned_limit;
    struct vigil_err err; /* first hard failure (memory, spill) */
};

struct vigil_hunt {
    struct vigil_hunt_opts o;
    /* inputs */
    struct hunt_file *files; /* owned; sorted by path after run starts */
    size_t nfiles, capfiles;
    size_t missing;
    struct hunt_item *items;
    size_t nitems;
    size_t *first_item; /* per file: index of its part 0 */
    size_t *order;      /* item indexes, largest first */
    /* rules */
    char **rule_paths; /* owned */
    size_t nrule_paths, caprule_paths;
    struct vigil_detect *det;
    struct vigil_detect_session *session;
    struct hunt_rule_ent *rules; /* by engine rule index */
    size_t nrules, caprules;
    uint64_t refused;
    int loaded;
    /* the run */
    struct vigil_parse_opts popts;
    struct hunt_worker *workers; /* jobs + 1: the last is correlations' */
    unsigned jobs;
    atomic_size_t next;
    atomic_size_t parts_done;
    atomic_uint_fast64_t events;
    atomic_uint_fast64_t nmatches;
    pthread_mutex_t note_lock;
    struct vigil_hunt_stats st;
    struct hunt_tally eids, logons; /* the workers' merged */
    int ran;
};

/* hunt_run.c */
void hunt_note(struct vigil_hunt *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* hunt_rules.c */
enum vigil_rc hunt_rules_load(struct vigil_hunt *h, struct vigil_err *err);
void hunt_rules_free(struct vigil_hunt *h);

/* hunt_files.c */
void hunt_files_sort(struct vigil_hunt *h);
void hunt_files_free(struct vigil_hunt *h);
/* Cuts plain line files bigger than part bytes into parts; fills items,
 * first_item and order. */
enum vigil_rc hunt_items_make(struct vigil_hunt *h, uint64_t part,
                              struct vigil_err *err);
/* Is the file at path gzip-compressed (by its magic)? */
int hunt_is_gzip(const char *path);

/* hunt_match.c */
void hunt_spill_init(struct hunt_spill *s, const char *dir);
void hunt_spill_fini(struct hunt_spill *s);
/* Keeps alert a as a record of w (details in w's spill unless
 * no_event). */
enum vigil_rc hunt_keep(struct hunt_worker *w,
                        const struct vigil_detect_alert *a);
/* The file-wide record number of seq (parts after the first continue
 * their file's count); valid once every part is read. */
uint64_t hunt_record(const struct vigil_hunt *h, uint32_t file, uint64_t seq);
/* The session's event_id: "PATH#RECORD". arg is the hunt. */
void hunt_event_id(uint32_t file, uint64_t seq, char *buf, size_t len,
                   void *arg);
/* Record numbers of parts after the first continue their file's count;
 * then sorts by time, file, record, rule. */
void hunt_recs_finish(struct vigil_hunt *h, struct hunt_recs *all);
/* Calls fn for each record of all, in order, with its details. */
enum vigil_rc hunt_recs_deliver(struct vigil_hunt *h,
                                const struct hunt_recs *all,
                                vigil_hunt_match_fn fn, void *arg,
                                struct vigil_err *err);

/* hunt_tally.c */
void hunt_tally_init(struct hunt_tally *t);
void hunt_tally_fini(struct hunt_tally *t);
/* Counts ev (borrowed) into w's tables, as the options ask. */
enum vigil_rc hunt_tally_event(struct hunt_worker *w,
                               const struct vigil_event *ev);
/* Adds from's rows to into's. */
enum vigil_rc hunt_tally_merge(struct hunt_tally *into,
                               const struct hunt_tally *from);

/* hunt_read.c */
/* Reads and matches one item (a whole file or one part). */
void hunt_read_item(struct hunt_worker *w, struct hunt_item *it);
enum vigil_rc hunt_worker_init(struct hunt_worker *w, struct vigil_err *err);
void hunt_worker_fini(struct hunt_worker *w);

#endif
