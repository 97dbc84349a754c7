/* detect.h -- the Sigma detection engine: load SigmaHQ-format rules
 * (detection rules, meta filters, correlation rules), compile them into
 * one prefiltered matcher, and match events against them.
 *
 * An engine is built once (vigil_detect_new, vigil_detect_add_path,
 * vigil_detect_compile) and is then read-only: any number of threads may
 * match with it, each through its own vigil_detect_ctx. Correlation state
 * is shared by the contexts of one engine and guarded by a mutex that is
 * only taken when a rule referenced by a correlation matches.
 *
 * Formats, modifiers and field mapping: docs/rules.md.
 */
#ifndef VIGIL_DETECT_H
#define VIGIL_DETECT_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

struct vigil_detect;
struct vigil_detect_ctx;
struct vigil_store_batch;

enum vigil_rule_kind {
    VIGIL_RULE_DETECTION = 0,
    VIGIL_RULE_FILTER,
    VIGIL_RULE_CORRELATION
};

/* What the engine knows about one loaded rule. All strings are owned by
 * the engine and live as long as it does. */
struct vigil_rule_info {
    enum vigil_rule_kind kind;
    const char *id;   /* "" when the rule has none */
    const char *name; /* Sigma `name`, or "" */
    const char *title;
    const char *level;  /* "medium" when the rule has none */
    const char *status; /* "" when the rule has none */
    const char *file;
    int line;              /* line of the document's first key */
    const char *logsource; /* "product/category/service" as written */
    const char *tags_json; /* JSON array, "[]" when none */
    uint32_t index;        /* position in load order */
};

/* Called for each document of each file: loaded (msg NULL, info set) or
 * refused (info NULL, msg says why; line is the offending YAML line). */
typedef void (*vigil_detect_report_fn)(const char *file, int line,
                                       const struct vigil_rule_info *info,
                                       const char *msg, void *arg);

/* A value for a `|expand` placeholder: %name% expands to each value. */
struct vigil_detect_placeholder {
    const char *name; /* without the % signs */
    const char *const *values;
    size_t nvalues;
};

/* ---- configuration: the top-level keys `rules`, `builtin_rules`,
 * `placeholders` and `correlation` (docs/configuration.md) ---- */

#define VIGIL_DETECT_MAX_RULE_PATHS         64
#define VIGIL_DETECT_MAX_PLACEHOLDERS       64
#define VIGIL_DETECT_MAX_PLACEHOLDER_VALUES 256

/* placeholders: NAME: [value, ...] -- what a Sigma rule's %NAME% expands
 * to under the |expand modifier (site-specific lists: domain controllers,
 * admin workstations, approved countries). */
struct vigil_placeholder_config {
    char name[128]; /* without the % signs */
    char **values;  /* owned, nvalues of them */
    size_t nvalues;
};

struct vigil_detect_config {
    char *rule_dirs[VIGIL_DETECT_MAX_RULE_PATHS]; /* rules: owned */
    size_t nrule_dirs;
    int builtin_rules; /* builtin_rules: load vigil's pack (default 1) */
    struct vigil_placeholder_config placeholders[VIGIL_DETECT_MAX_PLACEHOLDERS];
    size_t nplaceholders;
    /* correlation: max_groups, max_source_groups (0: half of max_groups) */
    int64_t corr_max_groups;
    int64_t corr_max_source_groups;
    /* correlation.suppress: repeated alerts of one correlation for one
     * group within this period are held back and counted (0: off) */
    int64_t corr_suppress_ms;
};

/* The keys detection claims at the top of the configuration, for
 * vigil_conf_apply with a struct vigil_detect_config. */
extern const struct vigil_conf_table vigil_detect_conf;
/* Frees what cfg owns and zeroes it; NULL-safe. */
void vigil_detect_config_fini(struct vigil_detect_config *cfg);

/* The rule paths the daemon loads with cfg, in load order: vigil's pack
 * (unless builtin_rules is false; what = "vigil's pack"), then each
 * configured path (what = "configuration"). fn returns non-OK to stop,
 * which is returned. VIGIL_ENOTFOUND (err says where it was looked for)
 * when the pack is wanted but not installed. Strings are borrowed for
 * the call. */
enum vigil_rc vigil_detect_config_paths(const struct vigil_detect_config *cfg,
                                        enum vigil_rc (*fn)(const char *path,
                                                            const char *what,
                                                            void *arg),
                                        void *arg, struct vigil_err *err);

/* Writes the folder of vigil's own rule pack into dst: $VIGIL_RULES_DIR,
 * else share/vigil/rules beside the binary's prefix, else the source
 * tree's rules/, else /usr/share/vigil/rules. Returns 1 when it exists. */
int vigil_detect_find_pack(char *dst, size_t len);

struct vigil_detect_opts {
    vigil_detect_report_fn report; /* may be NULL */
    void *report_arg;
    const struct vigil_detect_placeholder *placeholders; /* borrowed */
    size_t nplaceholders;
    /* Apply logsource predicates even to events with no Channel field
     * (default: such events are not filtered by logsource; see docs). */
    int logsource_strict;
    /* Folder for compiled literal databases kept between runs (borrowed;
     * NULL: compile every time). Created 0700; used only when it and its
     * files belong to this user and nobody else can write them. */
    const char *cache_dir;
    size_t corr_max_groups; /* per correlation rule; 0: 65536 */
    /* per correlation rule and source (the name events are fed with);
     * 0: half of corr_max_groups (docs/rules.md, "Correlation state") */
    size_t corr_max_source_groups;
    uint32_t regex_match_limit; /* PCRE2 match limit; 0: 100000 */
    /* A correlation alert of a group within this long (event time) after
     * the group's last one is suppressed and counted; 0: never. */
    int64_t corr_suppress_ns;
    /* Live: a group whose condition holds raises its alert at a tick
     * once nothing fed it for this long (wall clock), before its window
     * ends; 0: only when the window ends (offline); < 0: at the next
     * tick. */
    int64_t corr_quiet_ns;
    /* Live: raise a gt/gte window's one alert the moment its condition
     * holds (its count so far, the event that made it hold), so that a
     * response acts within milliseconds; the rest of the window is then
     * folded into it without another alert. 0: raise it when the window
     * ends or goes quiet (hunt, run --once: exact counts). */
    int corr_early;
};

/* Returns an owned, empty engine (free with vigil_detect_free). opts is
 * copied (the placeholder arrays it points to are borrowed until
 * vigil_detect_compile returns). */
enum vigil_rc vigil_detect_new(struct vigil_detect **out,
                               const struct vigil_detect_opts *opts,
                               struct vigil_err *err);
void vigil_detect_free(struct vigil_detect *d);

/* Loads one file, or every *.yml / *.yaml below a directory (sorted, so
 * load order is stable). Refused rules are reported and counted, they do
 * not fail the call; only I/O errors on path itself do. path borrowed. */
enum vigil_rc vigil_detect_add_path(struct vigil_detect *d, const char *path,
                                    struct vigil_err *err);
/* Loads rules from memory; name is what reports show as the file. */
enum vigil_rc vigil_detect_add_mem(struct vigil_detect *d, const char *name,
                                   const char *data, size_t len,
                                   struct vigil_err *err);

/* Resolves filter and correlation references and builds the literal
 * prefilter (Hyperscan). After it, only matching calls are allowed. */
enum vigil_rc vigil_detect_compile(struct vigil_detect *d,
                                   struct vigil_err *err);

struct vigil_detect_stats {
    uint64_t files;
    uint64_t loaded; /* detection rules */
    uint64_t filters;
    uint64_t correlations;
    uint64_t refused;
    uint64_t skipped;    /* YAML documents that are not Sigma rules */
    uint64_t literals;   /* distinct literals in the prefilter */
    uint64_t unfiltered; /* rules evaluated for every event */
    int cache;           /* 0 no cache, 1 databases read from it, 2 written */
};
/* A digest of everything the rules were built from: each file's name and
 * text in load order (or that it could not be read) and the
 * placeholders' values. Equal digests: the same rule set, so a reload can
 * keep the running engine and its open correlation windows. Not a
 * security check (FNV-1a). */
uint64_t vigil_detect_digest(const struct vigil_detect *d);

void vigil_detect_get_stats(const struct vigil_detect *d,
                            struct vigil_detect_stats *st);

/* Calls fn for every loaded rule (all kinds), in load order. */
void vigil_detect_each_rule(const struct vigil_detect *d,
                            void (*fn)(const struct vigil_rule_info *r,
                                       void *arg),
                            void *arg);

/* ---- matching ---- */

/* One field that took part in a match (borrowed from the event). */
struct vigil_detect_field {
    const char *name;
    const char *text;
    uint32_t name_len;
    uint32_t text_len;
};

#define VIGIL_DETECT_MAX_MATCHED 16

/* One match, valid during the callback only. For a correlation match
 * `event` is the event that completed it (NULL when a window closed in
 * vigil_detect_corr_tick), `group` the group-by values
 * ("k=v,k=v") and `count` the count that met the condition: for an
 * event_count or value_count over a threshold (gt/gte), one alert per
 * group and window, raised when the window ends, counting every event of
 * the window. time_ns is the event's time, or for a closed window the
 * time of its last event; first_ns the time of the window's first event.
 * suppressed: alerts of this rule and group held back (corr_suppress_ns)
 * since the last one raised.
 * block and alerts are set by a detection session's matcher only (the
 * rule feeds correlations; it also alerts on its own). */
struct vigil_detect_match {
    const struct vigil_rule_info *rule;
    const struct vigil_event *event;
    size_t nfields;
    struct vigil_detect_field fields[VIGIL_DETECT_MAX_MATCHED];
    const char *group;
    const char *source; /* correlations: the source that opened the group
                           (vigil_detect_session_match_in), or NULL */
    uint64_t count;
    uint64_t suppressed;
    int64_t time_ns;
    int64_t first_ns;
    uint8_t block;
    uint8_t alerts;
};

/* Return 0 to go on, non-zero to stop matching this event. */
typedef int (*vigil_detect_match_fn)(const struct vigil_detect_match *m,
                                     void *arg);

/* Returns an owned per-thread context (free with vigil_detect_ctx_free).
 * d is borrowed and must outlive the context. */
enum vigil_rc vigil_detect_ctx_new(struct vigil_detect_ctx **out,
                                   const struct vigil_detect *d,
                                   struct vigil_err *err);
void vigil_detect_ctx_free(struct vigil_detect_ctx *c);

/* Matches ev (borrowed) against every rule; calls fn per matching rule
 * and per correlation rule whose condition this event completes. Sets
 * *nmatches (may be NULL). Allocates nothing. */
enum vigil_rc vigil_detect_match(struct vigil_detect_ctx *c,
                                 const struct vigil_event *ev,
                                 vigil_detect_match_fn fn, void *arg,
                                 size_t *nmatches);

/* Closes correlation windows that ended before now_ns and reports the
 * ones whose condition holds at close (lt/lte/eq conditions). */
enum vigil_rc vigil_detect_corr_tick(struct vigil_detect_ctx *c, int64_t now_ns,
                                     vigil_detect_match_fn fn, void *arg);

struct vigil_detect_ctx_stats {
    uint64_t events;
    uint64_t candidates; /* rule evaluations after the prefilter */
    uint64_t matches;
    uint64_t corr_matches;
    uint64_t regex_limit;  /* regex evaluations stopped by a limit */
    uint64_t corr_dropped; /* correlation groups refused (table full) */
};
void vigil_detect_ctx_get_stats(const struct vigil_detect_ctx *c,
                                struct vigil_detect_ctx_stats *st);

/* Correlation groups of an engine: in use now, dropped to make room for
 * new ones (a budget was reached; message 1502), refused (a key too
 * long, or memory), and closed by vigil_detect_corr_tick; and the
 * correlation alerts suppressed. */
struct vigil_detect_corr_stats {
    uint64_t groups;
    uint64_t evicted;
    uint64_t refused;
    uint64_t closed;
    uint64_t suppressed; /* alerts held back by corr_suppress_ns */
};
void vigil_detect_corr_get_stats(const struct vigil_detect *d,
                                 struct vigil_detect_corr_stats *st);

/* ---- store adapter ---- */

/* Matches ev and adds one alert per match to batch (vigil_store_batch_
 * add_alert), with the event and matched fields as JSON. source may be
 * NULL. Sets *nalerts (may be NULL). */
enum vigil_rc vigil_detect_to_store(struct vigil_detect_ctx *c,
                                    const struct vigil_event *ev,
                                    struct vigil_store_batch *batch,
                                    const char *source, size_t *nalerts,
                                    struct vigil_err *err);

/* A hook for the ingest pipeline (struct vigil_detector, ingest.h): each
 * call takes a matcher context from a pool (one per concurrent caller,
 * created on demand, at most max_threads; 0: 64), so sources on several
 * threads match in parallel. Returns owned *out (free with
 * vigil_detect_hook_free after the pipeline is gone); d is borrowed. */
struct vigil_detect_hook;
struct vigil_detector;
enum vigil_rc vigil_detect_hook_new(struct vigil_detect_hook **out,
                                    const struct vigil_detect *d,
                                    size_t max_threads, struct vigil_err *err);
void vigil_detect_hook_free(struct vigil_detect_hook *h);
/* Fills det (caller-owned) so the pipeline calls into h. */
void vigil_detect_hook_fill(struct vigil_detect_hook *h,
                            struct vigil_detector *det);

/* ---- the detection session ---- */

/* What the daemon and `vigil hunt` both run events through, so they raise
 * the same alerts on the same input (detect_session.c): which rules fire
 * on which kind of log (the event's family, see docs/hunt.md), the
 * correlation building blocks, one JSON shape for an alert's matched
 * fields, and closing correlation windows at the end of the input.
 *
 * Live (the daemon): events of several threads, correlations fed as they
 * come; their alerts go with the event that completed them. Offline
 * (hunt): each thread matches with a worker of its own, building-block
 * hits are kept and fed in time order (then file, then record) by
 * vigil_detect_session_finish. */
struct vigil_detect_session;
struct vigil_detect_worker;
struct vigil_alert;
struct vigil_store;

struct vigil_detect_session_opts {
    int offline;       /* hunt: correlations replayed at finish */
    int no_event_json; /* alerts carry "{}" for the event (hunt --quiet) */
    /* Which rules raise alerts (NULL: all but filters); called once per
     * rule by vigil_detect_session_new. Muted rules still feed their
     * correlations. */
    int (*wants)(const struct vigil_rule_info *r, void *arg);
    void *arg;
    /* Offline: writes the name of the event at file and seq (as given to
     * vigil_detect_worker_match) into buf, as correlation alerts list
     * their events' ids; called from vigil_detect_session_finish. NULL:
     * "FILE:SEQ". Live the id is "SOURCE@OFFSET" (the source's position
     * just past the event). */
    void (*event_id)(uint32_t file, uint64_t seq, char *buf, size_t len,
                     void *arg);
};

/* One alert, valid during the callback only. */
struct vigil_detect_alert {
    const struct vigil_alert *alert; /* as the store keeps it; no source */
    const struct vigil_rule_info *rule;
    const struct vigil_event *event; /* NULL: a correlation window closed */
    uint32_t file;      /* the caller's file and record of event (offline), */
    uint64_t seq;       /* UINT32_MAX and 0 when there is no event */
    const char *group;  /* correlations: the group-by values, else NULL */
    const char *source; /* correlations: the group's source, or NULL */
    uint64_t count;     /* correlations: the events (or values) counted */
};

/* Return non-OK to stop: the error is returned by the matching call. */
typedef enum vigil_rc (*vigil_detect_alert_fn)(
    const struct vigil_detect_alert *a, void *arg);

/* Returns an owned session (vigil_detect_session_free) over the compiled
 * engine d (borrowed; must outlive it). o is copied. */
enum vigil_rc vigil_detect_session_new(
    struct vigil_detect_session **out, const struct vigil_detect *d,
    const struct vigil_detect_session_opts *o, struct vigil_err *err);
/* Frees the session and all its workers. */
void vigil_detect_session_free(struct vigil_detect_session *s);
/* How many rules can raise alerts (not filters, not muted, not silent
 * building blocks). */
uint32_t vigil_detect_session_alerting(const struct vigil_detect_session *s);

/* A matcher for one thread at a time; owned by the session (freed with
 * it; offline its kept hits are needed by finish). */
enum vigil_rc vigil_detect_session_worker(struct vigil_detect_session *s,
                                          struct vigil_detect_worker **out,
                                          struct vigil_err *err);
/* Matches ev (borrowed); calls fn for every alert it raises. file and seq
 * say where ev is (offline: order and the alert's position). Returns
 * VIGIL_ELIMIT when a building block could not be kept (too many): the
 * other alerts were raised, correlations miss the event. Allocates
 * nothing per event but the kept hits (offline). */
enum vigil_rc vigil_detect_worker_match(struct vigil_detect_worker *w,
                                        const struct vigil_event *ev,
                                        uint32_t file, uint64_t seq,
                                        vigil_detect_alert_fn fn, void *arg);
/* Live, from any thread: vigil_detect_worker_match with a pooled worker. */
enum vigil_rc vigil_detect_session_match(struct vigil_detect_session *s,
                                         const struct vigil_event *ev,
                                         vigil_detect_alert_fn fn, void *arg);
/* Live, as vigil_detect_session_match, for an event of the named source
 * (borrowed; NULL: none) whose checkpoint batch will carry: every change
 * it makes to a correlation group is saved in batch (borrowed; NULL:
 * nothing saved), so the groups stored always agree with the checkpoints
 * stored (docs/rules.md, "Correlation state"). */
enum vigil_rc vigil_detect_session_match_in(struct vigil_detect_session *s,
                                            const struct vigil_event *ev,
                                            const char *source,
                                            struct vigil_store_batch *batch,
                                            vigil_detect_alert_fn fn,
                                            void *arg);
/* Live: vigil_detect_session_tick (final: _finish) saving the groups it
 * closes (their rows deleted) in batch (borrowed; NULL: nothing saved). */
enum vigil_rc vigil_detect_session_close_in(struct vigil_detect_session *s,
                                            struct vigil_store_batch *batch,
                                            int final, vigil_detect_alert_fn fn,
                                            void *arg);
/* Live, at start: loads the correlation groups saved in store (borrowed)
 * into s, whose engine has no groups yet. Saved groups of correlations s
 * does not have (removed, or changed: another identity), malformed ones
 * and those past a budget are deleted from the store. Sets *restored and
 * *discarded (may be NULL). */
enum vigil_rc vigil_detect_session_restore(struct vigil_detect_session *s,
                                           struct vigil_store *store,
                                           size_t *restored, size_t *discarded,
                                           struct vigil_err *err);
/* Reload: moves the correlation groups of from (borrowed; no longer
 * matching) into s (no groups yet), for the correlations of the same
 * identity, in memory; the others are left out. Sets *moved (may be
 * NULL). */
enum vigil_rc vigil_detect_session_take(struct vigil_detect_session *s,
                                        struct vigil_detect_session *from,
                                        size_t *moved);
/* The session's engine (borrowed). */
const struct vigil_detect *
vigil_detect_session_engine(const struct vigil_detect_session *s);

/* Live: decides the correlation windows that ended before the newest
 * event time seen (not the clock: a backlog correlates as it would have
 * live). No-op offline. */
enum vigil_rc vigil_detect_session_tick(struct vigil_detect_session *s,
                                        vigil_detect_alert_fn fn, void *arg);
/* The end of the input: offline, feeds the kept building blocks in time
 * order; then decides every open correlation window (lt/lte/eq report
 * here). Call once no worker is matching. */
enum vigil_rc vigil_detect_session_finish(struct vigil_detect_session *s,
                                          vigil_detect_alert_fn fn, void *arg);

#endif
