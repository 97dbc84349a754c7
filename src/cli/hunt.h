/* hunt.h -- pieces of `vigil hunt` shared by its cmd_hunt.c and hunt_*.c
 * files: the list of input files, the match records the workers produce
 * and the output writers. Private to src/cli. */
#ifndef VIGIL_CLI_HUNT_H
#define VIGIL_CLI_HUNT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/core.h"
#include "detect/detect.h"

/* ---- input files ---- */

struct hunt_file {
    char *path; /* owned */
    uint64_t size;
    int named; /* named on the command line, not found in a folder */
};

struct hunt_files {
    struct hunt_file *v; /* owned; sorted by path */
    size_t n, cap;
    size_t missing; /* named paths that do not exist */
};

/* Adds path (a file, or a folder searched recursively; hidden entries and
 * symbolic links inside folders are skipped so a hunt never loops).
 * Missing paths are reported on stderr and counted in f->missing. */
enum vigil_rc hunt_files_add(struct hunt_files *f, const char *path,
                             struct vigil_err *err);
/* Sorts by path and drops duplicates. */
void hunt_files_sort(struct hunt_files *f);
void hunt_files_fini(struct hunt_files *f);

/* ---- matches ---- */

/* Severity levels in Sigma order; index into hunt_level_names. */
enum hunt_level {
    HUNT_LEVEL_INFORMATIONAL = 0,
    HUNT_LEVEL_LOW,
    HUNT_LEVEL_MEDIUM,
    HUNT_LEVEL_HIGH,
    HUNT_LEVEL_CRITICAL,
    HUNT_LEVEL_COUNT
};

extern const char *const hunt_level_names[HUNT_LEVEL_COUNT];
/* Returns the level called name (case-insensitive), or -1. */
int hunt_level_parse(const char *name);

/* One rule that fired on one event (or one correlation that fired on a
 * group of events). Strings are owned (free with hunt_match_fini). */
struct hunt_match {
    int64_t time_ns;
    uint32_t file; /* index into hunt_files.v; UINT32_MAX: several files */
    uint64_t seq;  /* record number inside the file */
    uint32_t rule; /* rule index in the engine */
    char *event;   /* event as a JSON object, or NULL (--quiet) */
    char *matched; /* matched fields as a JSON object, or NULL */
    char *host;    /* host.name / Computer, or NULL */
    char *keys;    /* "user=x src=y ..." summary for the table, or NULL */
};

struct hunt_matches {
    struct hunt_match *v; /* owned */
    size_t n, cap;
};

/* Appends a copy of *m (taking ownership of its strings, even on
 * failure). */
enum vigil_rc hunt_matches_push(struct hunt_matches *ms, struct hunt_match *m);
/* Moves every match of src to the end of dst; src is left empty. */
enum vigil_rc hunt_matches_move(struct hunt_matches *dst,
                                struct hunt_matches *src);
/* Sorts by time, then file, then record, then rule. */
void hunt_matches_sort(struct hunt_matches *ms);
void hunt_matches_fini(struct hunt_matches *ms);

/* Fills the host and keys of m from ev (borrowed). */
enum vigil_rc hunt_match_describe(struct hunt_match *m,
                                  const struct vigil_event *ev);

/* ---- rules as the output needs them ---- */

struct hunt_rule_info {
    const char *id;          /* borrowed from the engine */
    const char *title;       /* borrowed */
    int level;               /* enum hunt_level */
    const char *const *tags; /* borrowed, NULL-terminated, may be NULL */
};

typedef void (*hunt_rule_info_fn)(uint32_t rule, struct hunt_rule_info *out,
                                  void *arg);

/* ---- the rule engine, as hunt uses it (hunt_engine.c) ---- */

struct hunt_engine;
struct hunt_scratch;

struct cli_placeholders;

struct hunt_engine_opts {
    const char *const *dirs; /* rule files or folders, borrowed */
    size_t ndirs;
    const char *const *ids; /* --rule filters (id or title), borrowed */
    size_t nids;
    int min_level;         /* enum hunt_level */
    int quiet;             /* report rule load problems only as a count */
    int no_event_json;     /* alerts without the event's JSON (--quiet) */
    const char *cache_dir; /* compiled literal databases, or NULL */
    struct cli_placeholders *placeholders; /* --placeholder, borrowed */
};

/* Loads and compiles the rules. Returns owned (hunt_engine_close). */
enum vigil_rc hunt_engine_open(struct hunt_engine **out,
                               const struct hunt_engine_opts *o,
                               struct vigil_err *err);
void hunt_engine_close(struct hunt_engine *e);
/* How many rules will report (correlation building blocks excluded). */
uint32_t hunt_engine_rule_count(const struct hunt_engine *e);
/* Where the literal databases came from: 0 compiled (no cache), 1 read
 * from the cache, 2 compiled and written to it. */
int hunt_engine_cache_state(const struct hunt_engine *e);
/* hunt_rule_info_fn over the engine (arg is the engine); rule is the
 * alert's a->rule->index. */
void hunt_engine_rule_info(uint32_t rule, struct hunt_rule_info *out,
                           void *arg);

/* Per-thread matching state. Returns owned (hunt_scratch_free). */
enum vigil_rc hunt_scratch_new(struct hunt_engine *e, struct hunt_scratch **out,
                               struct vigil_err *err);
void hunt_scratch_free(struct hunt_scratch *s);
/* Runs every rule over ev (borrowed), record seq of file; calls fn for
 * each alert (vigil_detect_worker_match). */
enum vigil_rc hunt_engine_match(struct hunt_engine *e, struct hunt_scratch *s,
                                const struct vigil_event *ev, uint32_t file,
                                uint64_t seq, vigil_detect_alert_fn fn,
                                void *arg);
/* After every file: the correlations, over the building blocks of every
 * file in time order, and the windows still open; fn per alert. */
enum vigil_rc hunt_engine_correlate(struct hunt_engine *e,
                                    vigil_detect_alert_fn fn, void *arg,
                                    struct vigil_err *err);

/* ---- output ---- */

enum hunt_format { HUNT_OUT_TABLE = 0, HUNT_OUT_JSON, HUNT_OUT_CSV };

struct hunt_totals {
    uint64_t files;
    uint64_t files_skipped;
    uint64_t files_failed;
    uint64_t events;
    uint64_t events_failed;
    uint64_t bytes;
    double seconds;
    uint32_t rules;
};

/* Writes every match of ms (in its order) to out in the given format.
 * Returns VIGIL_EIO when the stream fails. */
enum vigil_rc hunt_write_matches(FILE *out, enum hunt_format fmt,
                                 const struct hunt_matches *ms,
                                 const struct hunt_files *files,
                                 hunt_rule_info_fn info, void *arg);
/* Writes the summary: totals, matches by level and by ATT&CK tactic. */
void hunt_write_summary(FILE *out, const struct hunt_matches *ms,
                        const struct hunt_totals *t, hunt_rule_info_fn info,
                        void *arg);

#endif
