/* cmd_hunt.c -- `vigil hunt`: runs Sigma rules (SigmaHQ folders and
 * vigil's own pack) over log files and EVTX files found under the given
 * paths, and prints what fired.
 *
 * Files are spread over a pool of worker threads, each with its own
 * decoder state, event, arena and matcher scratch, so nothing is shared on
 * the hot path but two relaxed counters for the progress line. Matches are
 * merged after the pool and sorted by time, then file, then record, so the
 * output does not depend on scheduling. Correlation rules run after the
 * pool over the remembered building-block events of every file, in time
 * order, so they see across files. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "core/core.h"
#include "hunt.h"
#include "parse/parse.h"
#include "store/store.h"

#define DETECT_LINES  16
#define MAX_JOBS      256
#define MAX_RULE_ARGS 64
#define MAX_ID_ARGS   256
#define ARENA_CHUNK   (64u * 1024)
#define ARENA_MAX     (64u * 1024 * 1024)
/* Line files bigger than this are cut into parts for the workers;
 * $VIGIL_HUNT_PART_BYTES overrides it (tests use tiny parts). */
#define PART_SIZE (UINT64_C(64) * 1024 * 1024)

/* One piece of work: a whole file, or one part of a big line file, so one
 * large log is spread over every worker too. A line belongs to the part in
 * which it starts. Record numbers inside part k are counted from k << 40
 * and made file-wide after the pool (fix_records). */
struct hunt_item {
    uint32_t file;
    uint32_t part;
    uint64_t start, end; /* byte range; end UINT64_MAX: to the end */
    uint64_t records;    /* records seen, filled by the worker */
};

#define PART_SHIFT 40
#define PART_MASK  ((UINT64_C(1) << PART_SHIFT) - 1)

struct hunt_run {
    struct hunt_engine *engine;
    struct hunt_files files;
    struct hunt_item *items; /* by file, then part */
    size_t nitems;
    size_t *first_item; /* per file: index of its part 0 */
    size_t *order;      /* item indexes, largest first, for load balance */
    atomic_size_t next;
    atomic_size_t files_done;
    atomic_uint_fast64_t events;
    atomic_uint_fast64_t nmatches;
    int quiet;
    int verbose;
    int64_t since, until;      /* 0: unbounded */
    struct hunt_matches *corr; /* where correlation alerts go */
    struct vigil_parse_opts popts;
};

struct hunt_worker {
    struct hunt_run *run;
    struct hunt_scratch *scratch;
    struct vigil_event *ev;
    struct vigil_arena arena;
    struct hunt_matches matches;
    uint32_t file;
    uint64_t seq;
    uint64_t events, events_failed, bytes;
    uint64_t files_skipped, files_failed;
    uint64_t pending_events; /* not yet added to run->events */
    int warned_limit;
    enum vigil_rc rc; /* first hard failure (memory) */
    struct vigil_err err;
};

enum {
    OPT_RULES,
    OPT_NO_BUILTIN,
    OPT_RULE,
    OPT_MIN_LEVEL,
    OPT_SINCE,
    OPT_UNTIL,
    OPT_JSON,
    OPT_CSV,
    OPT_JOBS,
    OPT_YEAR,
    OPT_STATE_DIR,
    OPT_NO_CACHE,
    OPT_PLACEHOLDER,
    OPT_QUIET,
    OPT_VERBOSE,
    OPT_TIMEZONE
};

static const struct cli_opt opts[] = {
    {OPT_RULES, "rules", 'r', "DIR",
     "load Sigma rules from DIR (file or folder, recursive); repeatable"},
    {OPT_NO_BUILTIN, "no-builtin", 0, NULL,
     "do not load vigil's own rule pack"},
    {OPT_RULE, "rule", 0, "ID",
     "only report the rule with this id or title; repeatable"},
    {OPT_MIN_LEVEL, "min-level", 'l', "L",
     "only rules of level L or above: informational, low, medium, high, "
     "critical (default: low)"},
    {OPT_SINCE, "since", 0, "T",
     "only events at or after T (RFC 3339, e.g. 2024-03-01 or "
     "2024-03-01T10:00:00Z)"},
    {OPT_UNTIL, "until", 0, "T",
     "only events before T; events without a time are dropped when --since "
     "or --until is given"},
    {OPT_JSON, "json", 0, NULL,
     "one JSON object per match (rule, matched fields, event, file); the "
     "summary goes to stderr"},
    {OPT_CSV, "csv", 0, NULL,
     "CSV with a header line; the summary goes to stderr"},
    {OPT_JOBS, "jobs", 'j', "N",
     "worker threads (default: one per online core)"},
    {OPT_YEAR, "year", 0, "N", "year for syslog stamps that have none"},
    {OPT_TIMEZONE, "timezone", 0, "ZONE",
     "zone of syslog stamps that have none (Europe/Berlin, +02:00, local; "
     "default: UTC)"},
    {OPT_STATE_DIR, "state-dir", 0, "DIR",
     "where compiled rules are cached (DIR/cache; default: the state "
     "directory, see vigil(1))"},
    {OPT_NO_CACHE, "no-cache", 0, NULL,
     "compile the rules without reading or writing the cache"},
    {OPT_PLACEHOLDER, "placeholder", 0, "NAME=VALUE",
     "a value for %NAME% in rules using |expand (repeatable)"},
    {OPT_QUIET, "quiet", 'q', NULL,
     "no per-match output and no progress line; only the summary"},
    {OPT_VERBOSE, "verbose", 'v', NULL,
     "report each file's detected format and rule load warnings"},
};

static void usage(FILE *f);

static const struct cli_cmd cmd = {
    .name = "hunt",
    .synopsis = "usage: vigil hunt [OPTIONS] PATH...\n",
    .opts = opts,
    .nopts = CLI_NOPTS(opts),
    .usage = usage,
};

static void
usage(FILE *f)
{
    fprintf(f,
            "%s\n"
            "Runs Sigma rules over log files and Windows EVTX files and prints "
            "every match.\nFolders are searched recursively (hidden entries "
            "and symbolic links inside\nfolders are skipped). Each file's "
            "format is detected: EVTX by its signature,\nelse from its first "
            "lines (syslog/auth, auditd, web access, JSON lines, CEF);\n"
            "binary files that are not EVTX are skipped.\n\n"
            "Rules: vigil's own pack (Linux servers, web access logs) is "
            "always loaded\nunless --no-builtin; add SigmaHQ or other rule "
            "folders with --rules.\n\n",
            cmd.synopsis);
    cli_opts_help(f, &cmd);
    fprintf(f,
            "\nOutput: a table (time, level, rule title, host, key fields, "
            "file) sorted by\nevent time then file, then a summary of matches "
            "by level and by ATT&CK tactic.\nA progress line is drawn on "
            "stderr when stderr is a terminal.\n\n"
            "Exit status: 0 no rule fired; 1 at least one rule fired; 64 bad "
            "command line;\n65 some input file could not be read or decoded "
            "at all (matches in the\nother files are still printed); 66 a "
            "PATH or --rules folder does not exist;\n70 internal error; 74 "
            "output error; 78 the rules could not be loaded.\n"
            "See docs/hunt.md and docs/man/vigil-hunt.1.md.\n");
}

/* ---- per-event work ---- */

/* Keeps one alert as a match for the output. */
static enum vigil_rc
keep_alert(const struct vigil_detect_alert *a, int quiet,
           struct hunt_matches *out)
{
    struct hunt_match m;

    memset(&m, 0, sizeof(m));
    m.time_ns = a->alert->time_ns;
    m.file = a->file;
    m.seq = a->seq;
    m.rule = a->rule->index;
    if (!quiet) {
        if (a->event != NULL &&
            (m.event = strdup(a->alert->event_json)) == NULL)
            goto nomem;
        if ((m.matched = strdup(a->alert->matched_json)) == NULL)
            goto nomem;
        if (a->event != NULL && hunt_match_describe(&m, a->event) != VIGIL_OK)
            goto nomem;
    }
    return hunt_matches_push(out, &m);
nomem:
    free(m.event);
    free(m.matched);
    free(m.host);
    free(m.keys);
    return VIGIL_ENOMEM;
}

static enum vigil_rc
on_hit(const struct vigil_detect_alert *a, void *arg)
{
    struct hunt_worker *w = arg;
    enum vigil_rc rc;

    atomic_fetch_add_explicit(&w->run->nmatches, 1, memory_order_relaxed);
    rc = keep_alert(a, w->run->quiet, &w->matches);
    if (rc != VIGIL_OK)
        return vigil_err_set(&w->err, rc, "out of memory keeping matches");
    return VIGIL_OK;
}

/* Correlation alerts, after the workers. */
static enum vigil_rc
on_corr(const struct vigil_detect_alert *a, void *arg)
{
    struct hunt_run *r = arg;

    return keep_alert(a, r->quiet, r->corr);
}

static void
count_event(struct hunt_worker *w)
{
    w->events++;
    if (++w->pending_events == 4096) {
        atomic_fetch_add_explicit(&w->run->events, w->pending_events,
                                  memory_order_relaxed);
        w->pending_events = 0;
    }
}

/* Matches one decoded event unless the time window excludes it. */
static enum vigil_rc
hunt_event(struct hunt_worker *w, struct vigil_event *ev)
{
    const struct hunt_run *r = w->run;
    enum vigil_rc rc;

    w->seq++;
    count_event(w);
    if (r->since != 0 || r->until != 0) {
        if (ev->time_ns == 0)
            return VIGIL_OK;
        if (r->since != 0 && ev->time_ns < r->since)
            return VIGIL_OK;
        if (r->until != 0 && ev->time_ns >= r->until)
            return VIGIL_OK;
    }
    rc = hunt_engine_match(r->engine, w->scratch, ev, w->file, w->seq, on_hit,
                           w);
    if (rc == VIGIL_ELIMIT && !w->warned_limit) {
        /* Matching goes on; only correlations lose events past here. */
        w->warned_limit = 1;
        fprintf(stderr,
                "vigil hunt: too many events kept for correlation rules; "
                "correlations may miss later events (hunt fewer files or "
                "a shorter --since/--until window)\n");
    }
    return rc;
}

static enum vigil_rc
evtx_event(struct vigil_event *ev, void *arg)
{
    struct hunt_worker *w = arg;
    enum vigil_rc rc;

    w->ev = ev;
    rc = hunt_event(w, ev);
    return rc == VIGIL_OK ? VIGIL_OK : rc;
}

static const struct vigil_decoder *
detect_format(const char *p, size_t len)
{
    const char *lines[DETECT_LINES];
    size_t lens[DETECT_LINES], n = 0;
    const char *end = p + len;

    while (p < end && n < DETECT_LINES) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

        if (l > 0 && p[l - 1] == '\r')
            l--;
        if (l > 0) {
            lines[n] = p;
            lens[n] = l;
            n++;
        }
        p = nl ? nl + 1 : end;
    }
    return vigil_decoder_detect(lines, lens, n);
}

static int
looks_binary(const char *p, size_t len)
{
    return memchr(p, '\0', len < 4096 ? len : 4096) != NULL;
}

/* Hunts the lines that start inside it->start..it->end of the file mapped
 * at data. Returns 0 when the file was skipped. */
static int
hunt_lines(struct hunt_worker *w, const struct hunt_file *hf,
           const struct hunt_item *it, const char *data, size_t len)
{
    /* Every part detects on the file's first lines: same answer. */
    const struct vigil_decoder *d = detect_format(data, len);
    struct vigil_event *ev = w->ev;
    const char *p = data, *end = data + len;
    int quiet = it->part > 0; /* say things about a file once */

    /* Text that is no known log format (a README, a licence) found while
     * searching a folder would only feed keyword rules noise; a file named
     * on the command line is hunted whatever it is. */
    if (!hf->named && d == vigil_decoder_by_name("raw")) {
        if (w->run->verbose && !quiet)
            fprintf(stderr, "vigil hunt: %s: no known log format, skipped\n",
                    hf->path);
        return 0;
    }
    if (w->run->verbose && !quiet)
        fprintf(stderr, "vigil hunt: %s: format %s\n", hf->path, d->name);
    if (it->start > 0 && it->start < len) {
        p = data + it->start;
        if (p[-1] != '\n') { /* the line in progress is the part before's */
            const char *nl = memchr(p, '\n', (size_t)(end - p));

            p = nl ? nl + 1 : end;
        }
    } else if (it->start >= len) {
        p = end;
    }
    if (it->end < len)
        end = data + it->end; /* lines starting before end, read past it */
    while (p < end) {
        const char *fend = data + len;
        const char *nl = memchr(p, '\n', (size_t)(fend - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(fend - p);

        if (l > 0 && !(l == 1 && p[0] == '\r')) {
            vigil_arena_reset(&w->arena);
            vigil_event_init(ev, &w->arena);
            if (vigil_decode_line(d, ev, p, l, &w->run->popts) == VIGIL_OK) {
                if (hunt_event(w, ev) != VIGIL_OK && w->err.rc != VIGIL_OK)
                    return 1;
            } else {
                w->seq++;
                w->events_failed++;
            }
        }
        p = nl ? nl + 1 : fend;
    }
    return 1;
}

static void
hunt_file(struct hunt_worker *w, struct hunt_item *it)
{
    size_t idx = it->file;
    const char *path = w->run->files.v[idx].path;
    uint64_t first = (uint64_t)it->part << PART_SHIFT;
    struct vigil_err err = {0};
    struct stat st;
    void *map;
    int fd;

    w->file = (uint32_t)idx;
    w->seq = first;
    if (it->end == UINT64_MAX && vigil_evtx_is_file(path)) {
        struct vigil_evtx_stats es = {0, 0, 0};
        struct vigil_event *keep = w->ev;

        if (w->run->verbose)
            fprintf(stderr, "vigil hunt: %s: format evtx\n", path);
        if (vigil_evtx_read_file(path, evtx_event, w, &es, &err) != VIGIL_OK &&
            w->err.rc == VIGIL_OK) {
            /* The reader's message names the file already. */
            fprintf(stderr, "vigil hunt: %s\n", err.msg);
            if (es.records == 0)
                w->files_failed++;
        }
        w->ev = keep;
        w->events_failed += es.failed;
        w->bytes += w->run->files.v[idx].size;
        it->records = w->seq - first;
        return;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (it->part == 0) {
            fprintf(stderr, "vigil hunt: %s: %s\n", path, strerror(errno));
            w->files_failed++;
        }
        if (fd >= 0)
            close(fd);
        return;
    }
    if (st.st_size == 0) {
        close(fd);
        return;
    }
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        if (it->part == 0) {
            fprintf(stderr, "vigil hunt: %s: %s\n", path, strerror(errno));
            w->files_failed++;
        }
        return;
    }
    madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
    if (looks_binary(map, (size_t)st.st_size)) {
        if (w->run->verbose && it->part == 0)
            fprintf(stderr, "vigil hunt: %s: not a log file, skipped\n", path);
        if (it->part == 0)
            w->files_skipped++;
    } else if (hunt_lines(w, &w->run->files.v[idx], it, map,
                          (size_t)st.st_size)) {
        uint64_t s0 = it->start, e0 = it->end;

        if (e0 > (uint64_t)st.st_size)
            e0 = (uint64_t)st.st_size;
        w->bytes += e0 > s0 ? e0 - s0 : 0;
    } else if (it->part == 0) {
        w->files_skipped++;
    }
    it->records = w->seq - first;
    munmap(map, (size_t)st.st_size);
}

static void *
worker_main(void *arg)
{
    struct hunt_worker *w = arg;
    struct hunt_run *r = w->run;

    for (;;) {
        size_t i = atomic_fetch_add(&r->next, 1);

        if (i >= r->nitems || w->err.rc != VIGIL_OK)
            break;
        hunt_file(w, &r->items[r->order[i]]);
        atomic_fetch_add_explicit(&r->events, w->pending_events,
                                  memory_order_relaxed);
        w->pending_events = 0;
        atomic_fetch_add(&r->files_done, 1);
    }
    atomic_fetch_add_explicit(&r->events, w->pending_events,
                              memory_order_relaxed);
    w->pending_events = 0;
    return NULL;
}

/* ---- command line ---- */

static int
parse_time_arg(const char *s, int64_t *out)
{
    size_t n = strlen(s);
    char tmp[64];

    if (n == 10) { /* a bare date: midnight UTC */
        snprintf(tmp, sizeof(tmp), "%sT00:00:00Z", s);
        s = tmp;
        n = strlen(tmp);
    }
    return vigil_time_parse_rfc3339(s, n, out);
}

static int
parse_uint(const char *s, long min, long max, long *out)
{
    int64_t v;

    if (!vigil_parse_i64(s, strlen(s), &v) || v < min || v > max)
        return 0;
    *out = (long)v;
    return 1;
}

static int
cmp_size_desc(const void *a, const void *b, void *arg)
{
    const struct hunt_run *r = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    const struct hunt_item *ix = &r->items[x], *iy = &r->items[y];
    uint64_t sx =
        ix->end == UINT64_MAX ? r->files.v[ix->file].size : ix->end - ix->start;
    uint64_t sy =
        iy->end == UINT64_MAX ? r->files.v[iy->file].size : iy->end - iy->start;

    if (sx != sy)
        return sx > sy ? -1 : 1;
    return x < y ? -1 : (x > y);
}

/* Cuts line files bigger than part_size into parts (EVTX files are read
 * whole by libevtx). Returns 0 when out of memory. */
static int
make_items(struct hunt_run *r, uint64_t part_size)
{
    size_t n = 0, k = 0;

    for (size_t f = 0; f < r->files.n; f++) {
        uint64_t sz = r->files.v[f].size;

        n += sz > part_size ? (size_t)((sz + part_size - 1) / part_size) : 1;
    }
    r->items = calloc(n ? n : 1, sizeof(*r->items));
    r->first_item = calloc(r->files.n ? r->files.n : 1, sizeof(*r->first_item));
    r->order = calloc(n ? n : 1, sizeof(*r->order));
    if (!r->items || !r->first_item || !r->order)
        return 0;
    for (size_t f = 0; f < r->files.n; f++) {
        uint64_t sz = r->files.v[f].size;
        uint32_t parts = 1;

        if (sz > part_size && !vigil_evtx_is_file(r->files.v[f].path))
            parts = (uint32_t)((sz + part_size - 1) / part_size);
        r->first_item[f] = k;
        for (uint32_t p = 0; p < parts; p++, k++) {
            r->items[k].file = (uint32_t)f;
            r->items[k].part = p;
            r->items[k].start = parts == 1 ? 0 : p * part_size;
            r->items[k].end = parts == 1
                                  ? UINT64_MAX
                                  : (p + 1 == parts ? sz : (p + 1) * part_size);
        }
    }
    r->nitems = k;
    for (size_t i = 0; i < k; i++)
        r->order[i] = i;
    qsort_r(r->order, k, sizeof(*r->order), cmp_size_desc, r);
    return 1;
}

/* Record numbers of parts after the first continue their file's count. */
static void
fix_records(const struct hunt_run *r, struct hunt_matches *ms)
{
    for (size_t i = 0; i < ms->n; i++) {
        struct hunt_match *m = &ms->v[i];
        uint64_t part = m->seq >> PART_SHIFT, base = 0;
        size_t first;

        if (part == 0 || m->file >= r->files.n)
            continue;
        first = r->first_item[m->file];
        for (uint64_t p = 0; p < part; p++)
            base += r->items[first + p].records;
        m->seq = base + (m->seq & PART_MASK);
    }
}

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
progress(struct hunt_run *r, double t0, int final)
{
    fprintf(stderr, "\rhunt: %zu/%zu files, %llu events, %llu matches, %.1f s",
            atomic_load(&r->files_done), r->nitems,
            (unsigned long long)atomic_load(&r->events),
            (unsigned long long)atomic_load(&r->nmatches), now_s() - t0);
    if (final)
        fputs("\r\033[K", stderr);
    fflush(stderr);
}

int
cmd_hunt(int argc, char **argv)
{
    static struct cli_placeholders ph; /* large; one hunt per process */
    const char *rule_dirs[MAX_RULE_ARGS + 1];
    const char *ids[MAX_ID_ARGS];
    size_t ndirs = 0, nids = 0;
    char builtin[PATH_MAX];
    int no_builtin = 0, no_cache = 0, min_level = HUNT_LEVEL_LOW, verbose = 0;
    const char *state_opt = NULL, *tz_name = NULL;
    struct vigil_tz *tz = NULL;
    char cache_dir[4200];
    enum hunt_format fmt = HUNT_OUT_TABLE;
    long jobs = 0, year = 0;
    uint64_t part_size = PART_SIZE;
    struct hunt_run run;
    struct hunt_worker *workers = NULL;
    pthread_t *threads = NULL;
    struct hunt_matches all = {0};
    struct hunt_totals tot;
    struct hunt_engine_opts eo;
    struct vigil_err err = {0};
    int ret = VIGIL_EXIT_SOFTWARE, show_progress, np, c;
    struct cli_opts o;
    size_t started = 0;
    double t0;

    memset(&run, 0, sizeof(run));
    memset(&tot, 0, sizeof(tot));
    cli_opts_start(&o, &cmd, argc, argv);
    while ((c = cli_opts_next(&o)) >= 0) {
        const char *v = o.val;
        int64_t t;
        char why[256];

        switch (c) {
        case OPT_NO_BUILTIN:
            no_builtin = 1;
            break;
        case OPT_NO_CACHE:
            no_cache = 1;
            break;
        case OPT_JSON:
            fmt = HUNT_OUT_JSON;
            break;
        case OPT_CSV:
            fmt = HUNT_OUT_CSV;
            break;
        case OPT_QUIET:
            run.quiet = 1;
            break;
        case OPT_VERBOSE:
            verbose = 1;
            break;
        case OPT_RULES:
            if (ndirs == MAX_RULE_ARGS)
                return cli_usage_error(&cmd, "at most %d --rules",
                                       MAX_RULE_ARGS);
            rule_dirs[ndirs++] = v;
            break;
        case OPT_RULE:
            if (nids == MAX_ID_ARGS)
                return cli_usage_error(&cmd, "at most %d --rule", MAX_ID_ARGS);
            ids[nids++] = v;
            break;
        case OPT_MIN_LEVEL:
            min_level = hunt_level_parse(v);
            if (min_level < 0)
                return cli_usage_error(&cmd,
                                       "unknown level '%s' (informational, "
                                       "low, medium, high, critical)",
                                       v);
            break;
        case OPT_SINCE:
        case OPT_UNTIL:
            if (!parse_time_arg(v, &t))
                return cli_usage_error(&cmd,
                                       "--%s '%s': not a time (use "
                                       "2024-03-01 or 2024-03-01T10:00:00Z)",
                                       c == OPT_SINCE ? "since" : "until", v);
            if (c == OPT_SINCE)
                run.since = t ? t : 1;
            else
                run.until = t ? t : 1;
            break;
        case OPT_JOBS:
            if (!parse_uint(v, 1, MAX_JOBS, &jobs))
                return cli_usage_error(&cmd, "--jobs wants 1..%d", MAX_JOBS);
            break;
        case OPT_STATE_DIR:
            state_opt = v;
            break;
        case OPT_PLACEHOLDER:
            if (!cli_placeholder_arg(&ph, v, why, sizeof(why)))
                return cli_usage_error(&cmd, "--placeholder %s", why);
            break;
        case OPT_YEAR:
            if (!parse_uint(v, 1970, 9999, &year))
                return cli_usage_error(&cmd, "--year wants 1970..9999");
            break;
        case OPT_TIMEZONE:
            tz_name = v;
            break;
        }
    }
    if (c == CLI_OPTS_EXIT)
        return o.exit;
    /* The paths, gathered at the front of argv. */
    np = 1 + o.nargs;
    if (np == 1)
        return cli_usage_error(&cmd, "no PATH given");
    cli_log_to_stderr(verbose);
    run.verbose = verbose;
    run.popts.default_year = (int)year;
    /* read once here; the workers share it read-only (parse_tz.c) */
    if (tz_name != NULL && vigil_tz_load(&tz, tz_name, &err) != VIGIL_OK)
        return cli_usage_error(&cmd, "--timezone: %s", err.msg);
    run.popts.tz = tz;

    /* Every named path must exist before any work is done. */
    for (int k = 1; k < np; k++) {
        if (hunt_files_add(&run.files, argv[k], &err) != VIGIL_OK) {
            fprintf(stderr, "vigil hunt: %s\n", err.msg);
            goto out;
        }
    }
    for (size_t k = 0; k < ndirs; k++) {
        struct stat st;

        if (stat(rule_dirs[k], &st) != 0) {
            fprintf(stderr, "vigil hunt: --rules %s: %s\n", rule_dirs[k],
                    strerror(errno));
            run.files.missing++;
        }
    }
    if (run.files.missing > 0) {
        ret = VIGIL_EXIT_NOINPUT;
        goto out;
    }
    hunt_files_sort(&run.files);

    if (!no_builtin) {
        if (vigil_detect_find_pack(builtin, sizeof(builtin))) {
            rule_dirs[ndirs++] = builtin;
            if (verbose)
                fprintf(stderr, "vigil hunt: vigil's own rules: %s\n", builtin);
        } else
            fprintf(stderr, "vigil hunt: vigil's own rule pack was not found "
                            "(looked for share/vigil/rules beside the "
                            "binary); set VIGIL_RULES_DIR\n");
    }
    if (ndirs == 0) {
        fprintf(stderr, "vigil hunt: no rules: give --rules DIR\n");
        ret = VIGIL_EXIT_USAGE;
        goto out;
    }
    memset(&eo, 0, sizeof(eo));
    eo.dirs = rule_dirs;
    eo.ndirs = ndirs;
    eo.ids = ids;
    eo.nids = nids;
    eo.min_level = min_level;
    eo.quiet = !verbose;
    eo.no_event_json = run.quiet;
    if (!no_cache && vigil_cache_dir(state_opt, cache_dir, sizeof(cache_dir)))
        eo.cache_dir = cache_dir;
    eo.placeholders = &ph;
    t0 = now_s();
    if (hunt_engine_open(&run.engine, &eo, &err) != VIGIL_OK) {
        fprintf(stderr, "vigil hunt: %s\n", err.msg);
        ret = VIGIL_EXIT_CONFIG;
        goto out;
    }
    if (verbose) {
        static const char *const cache[] = {"not cached", "read from the cache",
                                            "compiled and cached"};
        int cs = hunt_engine_cache_state(run.engine);
        fprintf(stderr,
                "vigil hunt: %u rules loaded in %.2f s (literal databases "
                "%s%s%s)\n",
                hunt_engine_rule_count(run.engine), now_s() - t0,
                cache[cs >= 0 && cs <= 2 ? cs : 0], eo.cache_dir ? " in " : "",
                eo.cache_dir ? eo.cache_dir : "");
    }

    if (jobs == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);

        jobs = n < 1 ? 1 : (n > MAX_JOBS ? MAX_JOBS : n);
    }
    {
        const char *ps = getenv("VIGIL_HUNT_PART_BYTES");
        int64_t v;

        if (ps != NULL && vigil_parse_i64(ps, strlen(ps), &v) && v > 0)
            part_size = (uint64_t)v;
    }
    if (!make_items(&run, part_size)) {
        fprintf(stderr, "vigil hunt: out of memory\n");
        goto out;
    }
    if ((size_t)jobs > run.nitems)
        jobs = run.nitems > 0 ? (long)run.nitems : 1;
    workers = calloc((size_t)jobs, sizeof(*workers));
    threads = calloc((size_t)jobs, sizeof(*threads));
    if (!workers || !threads) {
        fprintf(stderr, "vigil hunt: out of memory\n");
        goto out;
    }

    for (long k = 0; k < jobs; k++) {
        struct hunt_worker *w = &workers[k];

        w->run = &run;
        vigil_arena_init(&w->arena, ARENA_CHUNK, ARENA_MAX);
        w->ev = malloc(sizeof(*w->ev));
        if (w->ev == NULL) {
            fprintf(stderr, "vigil hunt: out of memory\n");
            goto out;
        }
        if (hunt_scratch_new(run.engine, &w->scratch, &err) != VIGIL_OK) {
            fprintf(stderr, "vigil hunt: %s\n", err.msg);
            goto out;
        }
    }

    show_progress = !run.quiet && isatty(STDERR_FILENO);
    t0 = now_s();
    for (; started < (size_t)jobs; started++) {
        if (pthread_create(&threads[started], NULL, worker_main,
                           &workers[started]) != 0) {
            fprintf(stderr, "vigil hunt: cannot start a thread\n");
            break;
        }
    }
    if (started == 0)
        goto out;
    if (show_progress) {
        while (atomic_load(&run.files_done) < run.nitems) {
            int stop = 0;

            progress(&run, t0, 0);
            for (int s = 0; s < 20 && !stop; s++) {
                struct timespec ts = {0, 10 * 1000 * 1000};

                nanosleep(&ts, NULL);
                stop = atomic_load(&run.files_done) >= run.nitems;
            }
            for (size_t k = 0; k < started && !stop; k++)
                stop = workers[k].err.rc != VIGIL_OK;
            if (stop)
                break;
        }
    }
    for (size_t k = 0; k < started; k++)
        pthread_join(threads[k], NULL);
    if (show_progress)
        progress(&run, t0, 1);

    for (size_t k = 0; k < started; k++) {
        struct hunt_worker *w = &workers[k];

        if (w->err.rc != VIGIL_OK) {
            fprintf(stderr, "vigil hunt: %s\n", w->err.msg);
            goto out;
        }
        tot.events += w->events;
        tot.events_failed += w->events_failed;
        tot.bytes += w->bytes;
        tot.files_skipped += w->files_skipped;
        tot.files_failed += w->files_failed;
        if (hunt_matches_move(&all, &w->matches) != VIGIL_OK) {
            fprintf(stderr, "vigil hunt: out of memory\n");
            goto out;
        }
    }
    run.corr = &all;
    if (hunt_engine_correlate(run.engine, on_corr, &run, &err) != VIGIL_OK) {
        fprintf(stderr, "vigil hunt: correlation: %s\n", err.msg);
        goto out;
    }
    tot.seconds = now_s() - t0;
    tot.files = run.files.n - tot.files_skipped - tot.files_failed;
    tot.rules = hunt_engine_rule_count(run.engine);
    fix_records(&run, &all);
    hunt_matches_sort(&all);

    if (!run.quiet &&
        hunt_write_matches(stdout, fmt, &all, &run.files, hunt_engine_rule_info,
                           run.engine) != VIGIL_OK) {
        fprintf(stderr, "vigil hunt: writing the output failed\n");
        ret = VIGIL_EXIT_IOERR;
        goto out;
    }
    hunt_write_summary(fmt == HUNT_OUT_TABLE && !run.quiet ? stdout : stderr,
                       &all, &tot, hunt_engine_rule_info, run.engine);
    if (fflush(stdout) != 0) {
        ret = VIGIL_EXIT_IOERR;
        goto out;
    }
    if (tot.files_failed > 0)
        ret = VIGIL_EXIT_DATAERR;
    else
        ret = all.n > 0 ? 1 : VIGIL_EXIT_OK;
out:
    for (long k = 0; workers != NULL && k < jobs; k++) {
        hunt_scratch_free(workers[k].scratch);
        free(workers[k].ev);
        vigil_arena_fini(&workers[k].arena);
        hunt_matches_fini(&workers[k].matches);
    }
    free(workers);
    free(threads);
    free(run.order);
    free(run.items);
    free(run.first_item);
    hunt_matches_fini(&all);
    if (run.engine != NULL)
        hunt_engine_close(run.engine);
    hunt_files_fini(&run.files);
    vigil_tz_free(tz);
    return ret;
}
