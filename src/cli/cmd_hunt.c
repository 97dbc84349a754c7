/* cmd_hunt.c -- `vigil hunt`: the command line of src/hunt, which runs
 * Sigma rules (SigmaHQ folders and vigil's own pack) over log files and
 * EVTX files found under the given paths; hunt_out.c prints what fired. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "core/core.h"
#include "hunt/hunt.h"
#include "parse/parse.h"
#include "hunt_out.h"
#include "store/store.h"

#define MAX_JOBS      256
#define MAX_RULE_ARGS 64
#define MAX_ID_ARGS   256

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
    OPT_TIMEZONE,
    OPT_SUPPRESS,
    OPT_TIMELINE,
    OPT_FORMAT,
    OPT_LOGON_SUMMARY,
    OPT_EID_METRICS,
    OPT_CARVE
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
    {OPT_FORMAT, "format", 0, "FMT",
     "table (default), json or csv: the output of matches, --timeline, "
     "--logon-summary and --eid-metrics"},
    {OPT_TIMELINE, "timeline", 0, NULL,
     "every event a rule matched, in time order, one row each: time, level, "
     "rule, computer, channel, event id, user, source address, command line"},
    {OPT_LOGON_SUMMARY, "logon-summary", 0, NULL,
     "count successful and failed logons, logoffs and explicit-credential "
     "logons per user, source address and logon type (Security 4624, 4625, "
     "4634, 4648; sshd) instead of printing matches"},
    {OPT_EID_METRICS, "eid-metrics", 0, NULL,
     "count the events of each event id per channel instead of printing "
     "matches"},
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
    {OPT_SUPPRESS, "suppress", 0, "DURATION",
     "one alert per correlation rule and group in DURATION (event time; "
     "30m, 1h, 0: every window alerts; default 1h); the others are "
     "counted"},
    {OPT_VERBOSE, "verbose", 'v', NULL,
     "report each file's detected format and rule load warnings"},
    {OPT_CARVE, "carve", 0, NULL,
     "EVTX: also recover records from slack space and damaged chunks "
     "(may bring back stale records of another log)"},
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
            "For responders (Windows event logs above all):\n"
            "  vigil hunt --timeline --format csv evtx/ > timeline.csv\n"
            "  vigil hunt --logon-summary evtx/    logons per user, source, "
            "type\n"
            "  vigil hunt --eid-metrics evtx/      events per channel and "
            "event id\n"
            "The timeline and the reports print in --format table, json "
            "(one object a line)\nor csv; with them the summary goes to "
            "stderr.\n\n"
            "Exit status: 0 no rule fired; 1 at least one rule fired; 64 bad "
            "command line;\n65 some input file could not be read or decoded "
            "at all (matches in the\nother files are still printed); 66 a "
            "PATH or --rules folder does not exist;\n70 internal error; 74 "
            "output error; 78 the rules could not be loaded.\n"
            "See docs/hunt.md and docs/man/vigil-hunt.1.md.\n");
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

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
note(const char *msg, void *arg)
{
    (void)arg;
    fprintf(stderr, "vigil hunt: %s\n", msg);
}

struct progress_arg {
    double t0;
};

static void
progress(const struct vigil_hunt_stats *s, void *arg)
{
    const struct progress_arg *p = arg;

    fprintf(stderr, "\rhunt: %zu/%zu files, %llu events, %llu matches, %.1f s",
            s->parts_done, s->parts, (unsigned long long)s->events,
            (unsigned long long)s->matches, now_s() - p->t0);
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
    int no_builtin = 0, no_cache = 0, min_level = VIGIL_HUNT_LEVEL_LOW;
    int verbose = 0, quiet = 0, timeline = 0, logons = 0, eids = 0, carve = 0;
    const char *state_opt = NULL, *tz_name = NULL;
    struct vigil_tz *tz = NULL;
    char cache_dir[4200];
    enum hunt_format fmt = HUNT_OUT_TABLE;
    long jobs = 0, year = 0;
    int64_t since = 0, until = 0, suppress_ms = 3600 * 1000;
    struct vigil_hunt *hunt = NULL;
    struct vigil_hunt_opts ho;
    struct vigil_hunt_stats tot;
    struct hunt_out out;
    struct progress_arg pa;
    struct vigil_err err = {0};
    int ret = VIGIL_EXIT_SOFTWARE, show_progress, np, c;
    struct cli_opts o;
    struct vigil_detect_opts dopts_ph;
    size_t missing;
    double t0;

    hunt_out_init(&out, stdout, HUNT_OUT_TABLE, 0);
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
            quiet = 1;
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
            min_level = vigil_hunt_level_parse(v);
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
                since = t ? t : 1;
            else
                until = t ? t : 1;
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
        case OPT_FORMAT:
            if (strcmp(v, "table") == 0)
                fmt = HUNT_OUT_TABLE;
            else if (strcmp(v, "json") == 0)
                fmt = HUNT_OUT_JSON;
            else if (strcmp(v, "csv") == 0)
                fmt = HUNT_OUT_CSV;
            else
                return cli_usage_error(&cmd,
                                       "--format '%s': table, json or csv", v);
            break;
        case OPT_TIMELINE:
            timeline = 1;
            break;
        case OPT_LOGON_SUMMARY:
            logons = 1;
            break;
        case OPT_EID_METRICS:
            eids = 1;
            break;
        case OPT_SUPPRESS:
            if (!vigil_parse_duration_ms(v, &suppress_ms) || suppress_ms < 0)
                return cli_usage_error(&cmd,
                                       "--suppress '%s': not a duration "
                                       "(30m, 1h, 0)",
                                       v);
            break;
        case OPT_CARVE:
            carve = 1;
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

    memset(&ho, 0, sizeof(ho));
    ho.rule_ids = ids;
    ho.nrule_ids = nids;
    ho.min_level = min_level;
    /* the reports replace the matches' output, unless with --timeline */
    if ((logons || eids) && !timeline)
        quiet = 1;
    ho.no_event = quiet;
    ho.eid_metrics = eids;
    ho.logon_summary = logons;
    ho.verbose = verbose;
    ho.evtx_carve = carve;
    ho.since = since;
    ho.until = until;
    ho.default_year = (int)year;
    ho.suppress_ns = suppress_ms * 1000000;
    /* read once here; the workers share it read-only (parse_tz.c) */
    if (tz_name != NULL && vigil_tz_load(&tz, tz_name, &err) != VIGIL_OK) {
        ret = cli_usage_error(&cmd, "--timezone: %s", err.msg);
        goto out;
    }
    ho.tz = tz;
    ho.jobs = (unsigned)jobs;
    {
        const char *ps = getenv("VIGIL_HUNT_PART_BYTES"); /* for tests */
        int64_t v;

        if (ps != NULL && vigil_parse_i64(ps, strlen(ps), &v) && v > 0)
            ho.part_bytes = (uint64_t)v;
    }
    if (!no_cache && vigil_cache_dir(state_opt, cache_dir, sizeof(cache_dir)))
        ho.cache_dir = cache_dir;
    cli_placeholders_apply(&ph, &dopts_ph);
    ho.placeholders = dopts_ph.placeholders;
    ho.nplaceholders = dopts_ph.nplaceholders;
    ho.note = note;
    if (vigil_hunt_new(&hunt, &ho, &err) != VIGIL_OK) {
        fprintf(stderr, "vigil hunt: %s\n", err.msg);
        goto out;
    }

    /* Every named path must exist before any work is done. */
    for (int k = 1; k < np; k++) {
        if (vigil_hunt_add_path(hunt, argv[k], &err) != VIGIL_OK) {
            fprintf(stderr, "vigil hunt: %s\n", err.msg);
            goto out;
        }
    }
    missing = vigil_hunt_missing(hunt);
    for (size_t k = 0; k < ndirs; k++) {
        struct stat st;

        if (stat(rule_dirs[k], &st) != 0) {
            fprintf(stderr, "vigil hunt: --rules %s: %s\n", rule_dirs[k],
                    strerror(errno));
            missing++;
        }
    }
    if (missing > 0) {
        ret = VIGIL_EXIT_NOINPUT;
        goto out;
    }

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
    for (size_t k = 0; k < ndirs; k++) {
        if (vigil_hunt_add_rules(hunt, rule_dirs[k], &err) != VIGIL_OK) {
            fprintf(stderr, "vigil hunt: %s\n", err.msg);
            goto out;
        }
    }
    t0 = now_s();
    if (vigil_hunt_load_rules(hunt, &err) != VIGIL_OK) {
        fprintf(stderr, "vigil hunt: %s\n", err.msg);
        ret = VIGIL_EXIT_CONFIG;
        goto out;
    }
    if (verbose) {
        static const char *const cache[] = {"not cached", "read from the cache",
                                            "compiled and cached"};
        int cs = vigil_hunt_cache_state(hunt);
        fprintf(stderr,
                "vigil hunt: %u rules loaded in %.2f s (literal databases "
                "%s%s%s)\n",
                vigil_hunt_rule_count(hunt), now_s() - t0,
                cache[cs >= 0 && cs <= 2 ? cs : 0], ho.cache_dir ? " in " : "",
                ho.cache_dir ? ho.cache_dir : "");
    }

    hunt_out_fini(&out);
    hunt_out_init(&out, stdout, fmt, quiet);
    out.timeline = timeline;
    show_progress = !quiet && isatty(STDERR_FILENO);
    pa.t0 = now_s();
    if (vigil_hunt_run(hunt, show_progress ? progress : NULL, &pa,
                       hunt_out_match, &out, &err) != VIGIL_OK) {
        if (show_progress)
            fputs("\r\033[K", stderr);
        if (err.rc == VIGIL_EIO && ferror(stdout)) {
            fprintf(stderr, "vigil hunt: writing the output failed\n");
            ret = VIGIL_EXIT_IOERR;
        } else
            fprintf(stderr, "vigil hunt: %s\n", err.msg);
        goto out;
    }
    if (show_progress)
        fputs("\r\033[K", stderr);
    vigil_hunt_get_stats(hunt, &tot);
    if (hunt_out_end(&out) != VIGIL_OK) {
        fprintf(stderr, "vigil hunt: writing the output failed\n");
        ret = VIGIL_EXIT_IOERR;
        goto out;
    }
    if ((eids && hunt_out_eids(&out, hunt) != VIGIL_OK) ||
        (eids && logons && fmt == HUNT_OUT_TABLE && fputc('\n', stdout) < 0) ||
        (logons && hunt_out_logons(&out, hunt) != VIGIL_OK)) {
        fprintf(stderr, "vigil hunt: writing the output failed\n");
        ret = VIGIL_EXIT_IOERR;
        goto out;
    }
    hunt_out_summary(
        &out, fmt == HUNT_OUT_TABLE && !quiet && !timeline ? stdout : stderr,
        &tot);
    if (fflush(stdout) != 0) {
        ret = VIGIL_EXIT_IOERR;
        goto out;
    }
    if (tot.files_failed > 0)
        ret = VIGIL_EXIT_DATAERR;
    else
        ret = tot.matches > 0 ? 1 : VIGIL_EXIT_OK;
out:
    hunt_out_fini(&out);
    vigil_hunt_free(hunt);
    vigil_tz_free(tz);
    return ret;
}
