/* hunt.h -- hunting after the fact: runs Sigma rules over log files,
 * rotated .gz logs and EVTX files on a pool of worker threads, and hands
 * back every match in a stable order (time, file, record, rule) whatever
 * the number of threads. All detection policy is the detection session's
 * (src/detect); this module finds the inputs and rule files, reads and
 * decodes them, and orders what fired. `vigil hunt` (src/cli) is argument
 * parsing and printing on top of it. docs/hunt.md says how it works. */
#ifndef VIGIL_HUNT_H
#define VIGIL_HUNT_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "detect/detect.h"

/* Severity levels in Sigma order. */
enum vigil_hunt_level {
    VIGIL_HUNT_LEVEL_INFORMATIONAL = 0,
    VIGIL_HUNT_LEVEL_LOW,
    VIGIL_HUNT_LEVEL_MEDIUM,
    VIGIL_HUNT_LEVEL_HIGH,
    VIGIL_HUNT_LEVEL_CRITICAL,
    VIGIL_HUNT_LEVEL_COUNT
};

/* "informational" .. "critical", by enum vigil_hunt_level. */
extern const char *const vigil_hunt_level_names[VIGIL_HUNT_LEVEL_COUNT];
/* Returns the level called name (case-insensitive, "info" too), or -1. */
int vigil_hunt_level_parse(const char *name);

/* Something the user should read (a file skipped, a rule refused, a file
 * that could not be read), without a prefix or a newline. Called on any
 * thread, one call at a time. */
typedef void (*vigil_hunt_note_fn)(const char *msg, void *arg);

struct vigil_hunt_opts {
    const char *const *rule_ids; /* only these rules (id, title or name) */
    size_t nrule_ids;
    int min_level;    /* enum vigil_hunt_level */
    int no_event;     /* matches without event, host and keys (--quiet) */
    int verbose;      /* note each file's format and each refused rule */
    int64_t since;    /* only events at or after (ns); 0: unbounded */
    int64_t until;    /* only events before (ns); 0: unbounded. With either
                         bound, events without a time are left out */
    int default_year; /* for syslog stamps without one; 0: this year */
    const struct vigil_tz *tz; /* RFC 3164 stamps' zone, borrowed; NULL: UTC */
    unsigned jobs;             /* worker threads; 0: one per online core */
    uint64_t part_bytes;       /* line files cut into parts of this size for
                                  the workers; 0: 64 MiB */
    const char *cache_dir;     /* compiled literal databases, or NULL */
    const struct vigil_detect_placeholder *placeholders; /* borrowed */
    size_t nplaceholders;
    const char *tmp_dir; /* where match details spill; NULL: $TMPDIR, /tmp */
    /* a correlation's alerts for one group within this long (event time)
     * after its last one are suppressed and counted; 0: none */
    int64_t suppress_ns;
    int eid_metrics;   /* count event ids per channel (vigil_hunt_each_eid) */
    int logon_summary; /* count logons (vigil_hunt_each_logon) */
    vigil_hunt_note_fn note; /* NULL: notes are dropped */
    void *note_arg;
    int evtx_carve; /* EVTX: also carve slack space (vigil_evtx_opts) */
};

struct vigil_hunt;

/* Returns an owned hunt (vigil_hunt_free) with o copied; the strings and
 * arrays o points at are borrowed until vigil_hunt_free. Loads nothing
 * yet. */
enum vigil_rc vigil_hunt_new(struct vigil_hunt **out,
                             const struct vigil_hunt_opts *o,
                             struct vigil_err *err);
void vigil_hunt_free(struct vigil_hunt *h);

/* Adds an input: a file, or a folder searched recursively (hidden entries
 * and symbolic links inside folders skipped, only regular files taken).
 * A path that does not exist is noted and counted (vigil_hunt_missing);
 * a named path that is no regular file nor folder (a FIFO, a device) is
 * noted and counted as a failed file, never opened. Fails on memory or
 * limits only. */
enum vigil_rc vigil_hunt_add_path(struct vigil_hunt *h, const char *path,
                                  struct vigil_err *err);
/* Adds a rule file or folder (searched recursively, hidden names skipped,
 * links followed; only .yml and .yaml files inside folders). path is
 * copied. Before vigil_hunt_load_rules. */
enum vigil_rc vigil_hunt_add_rules(struct vigil_hunt *h, const char *path,
                                   struct vigil_err *err);
/* Named paths that did not exist. */
size_t vigil_hunt_missing(const struct vigil_hunt *h);

/* Loads and compiles the rules (VIGIL_ENOTFOUND when none would report).
 * Called by vigil_hunt_run when not done before. */
enum vigil_rc vigil_hunt_load_rules(struct vigil_hunt *h,
                                    struct vigil_err *err);
/* After loading: how many rules report; where the literal databases came
 * from (0 compiled, 1 read from the cache, 2 compiled and cached). */
uint32_t vigil_hunt_rule_count(const struct vigil_hunt *h);
int vigil_hunt_cache_state(const struct vigil_hunt *h);

/* A rule as the output shows it; owned by the hunt. */
struct vigil_hunt_rule {
    const char *id;
    const char *title;
    int level;               /* enum vigil_hunt_level */
    const char *const *tags; /* NULL-terminated */
};

/* One rule that fired on one event, or one correlation that fired on a
 * group of events. Valid during the callback only. */
struct vigil_hunt_match {
    int64_t time_ns;  /* 0: the event had no time */
    const char *file; /* NULL: a correlation over several files */
    uint64_t record;  /* record number inside file, from 1 */
    const struct vigil_hunt_rule *rule;
    /* NULL with no_event: */
    const char *event;   /* the event as a JSON object (NULL: none) */
    const char *matched; /* matched fields as a JSON object */
    const char *host;    /* host.name or Computer, or NULL */
    const char *keys;    /* "user=x src=y ..." for a table, or NULL */
    /* the timeline's columns, each NULL when the event has none */
    const char *channel;      /* Channel */
    const char *event_id;     /* EventID */
    const char *user;         /* user.name, TargetUserName, ... */
    const char *source;       /* source.ip, IpAddress, ... */
    const char *command_line; /* process.command_line, CommandLine, ... */
};

/* Return non-OK to stop the run; it returns that result. */
typedef enum vigil_rc (*vigil_hunt_match_fn)(const struct vigil_hunt_match *m,
                                             void *arg);

struct vigil_hunt_stats {
    uint64_t files;         /* hunted */
    uint64_t files_skipped; /* not logs */
    uint64_t files_failed;  /* unreadable, damaged, refused */
    uint64_t events;
    uint64_t events_failed; /* records not decoded */
    uint64_t bytes;
    uint64_t matches;
    uint64_t suppressed; /* correlation alerts held back (suppress_ns) */
    double seconds;      /* reading and matching, rules not counted */
    uint32_t rules;
    /* progress only: parts of files done and in all */
    size_t parts_done, parts;
};

/* Called about five times a second on the caller's thread while the
 * workers run; s is a snapshot (bytes and seconds not filled). */
typedef void (*vigil_hunt_progress_fn)(const struct vigil_hunt_stats *s,
                                       void *arg);

/* Hunts every input, then runs the correlations over all of them in time
 * order, then calls on_match for every match sorted by time, file,
 * record, rule (progress may be NULL). Match details beyond a few MiB per
 * worker wait in an unlinked temporary file, so memory does not grow
 * with the events that fired. Run once per hunt. */
enum vigil_rc vigil_hunt_run(struct vigil_hunt *h,
                             vigil_hunt_progress_fn progress,
                             void *progress_arg, vigil_hunt_match_fn on_match,
                             void *match_arg, struct vigil_err *err);
/* ---- counts over every event (not only what fired), after the run ---- */

/* Events of one event id in one channel ("-": none). */
struct vigil_hunt_eid {
    const char *channel;
    const char *event_id;
    uint64_t count;
};
/* Calls fn for each event id counted (opts.eid_metrics), by channel, most
 * frequent first; a last row "(other)" counts the events of ids past the
 * table's bound (100,000). fn returns non-zero to stop. Strings are valid
 * during the call. VIGIL_ENOMEM. */
enum vigil_rc vigil_hunt_each_eid(const struct vigil_hunt *h,
                                  int (*fn)(const struct vigil_hunt_eid *e,
                                            void *arg),
                                  void *arg);

/* Logons of one user (DOMAIN\user when known) from one source address
 * (or workstation) of one logon type ("-": unknown): Security 4624
 * (success), 4625 (failed), 4634 (logoff), 4648 (explicit credentials,
 * type "explicit") and sshd's logins (type "ssh METHOD"). */
struct vigil_hunt_logon {
    const char *user;
    const char *source;
    const char *type;
    uint64_t success, failed, logoff, explicit_creds;
};
/* Calls fn for each row counted (opts.logon_summary), most failures
 * first, then most events; as vigil_hunt_each_eid otherwise. */
enum vigil_rc vigil_hunt_each_logon(const struct vigil_hunt *h,
                                    int (*fn)(const struct vigil_hunt_logon *l,
                                              void *arg),
                                    void *arg);

/* Totals of the run so far. */
void vigil_hunt_get_stats(const struct vigil_hunt *h,
                          struct vigil_hunt_stats *out);

#endif
