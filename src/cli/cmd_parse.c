/* cmd_parse.c -- `vigil parse`: decodes log files (or stdin) and prints
 * each event as one JSON line; with --count it only counts, which is how
 * the ingest benchmark measures the decoders.
 *
 * The reading and decoding is vigil_parse_file (src/parse); here are the
 * options, the JSON output (appended into a buffer flushed every megabyte)
 * and the messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/core.h"
#include "parse/parse.h"

#define FLUSH_AT (1u << 20)

struct parse_run {
    int count_only;
    int verbose;
    struct vigil_parse_file_opts po;
    struct vigil_parse_file_stats st;
    struct vigil_buf out;
    int out_err;
};

enum { OPT_FORMAT, OPT_COUNT, OPT_YEAR, OPT_TIMEZONE, OPT_VERBOSE, OPT_CARVE };

static const struct cli_opt opts[] = {
    {OPT_FORMAT, "format", 'f', "NAME",
     "decode every file as NAME (see below)"},
    {OPT_COUNT, "count", 'c', NULL,
     "decode without printing; print the counts"},
    {OPT_YEAR, "year", 'y', "N",
     "year for syslog stamps that have none (default: the current year, "
     "or last year for dates ahead of now)"},
    {OPT_TIMEZONE, "timezone", 0, "ZONE",
     "zone of syslog stamps that have none (Europe/Berlin, +02:00, local; "
     "default: UTC)"},
    {OPT_VERBOSE, "verbose", 'v', NULL,
     "report the detected format of each file"},
    {OPT_CARVE, "carve", 0, NULL,
     "EVTX: also recover records from slack space and damaged chunks"},
};

static void usage(FILE *f);

static const struct cli_cmd cmd = {
    .name = "parse",
    .synopsis =
        "usage: vigil parse [--format NAME] [--count] [--year N]\n"
        "                   [--timezone ZONE] [--carve] [-v] [FILE...]\n",
    .opts = opts,
    .nopts = CLI_NOPTS(opts),
    .usage = usage,
};

static void
usage(FILE *f)
{
    const char *const *n = vigil_decoder_names();

    fprintf(f,
            "%s\n"
            "Decodes log files and prints each event as one JSON line on "
            "stdout.\nFILE '-' (or no FILE) reads standard input. The format "
            "of each file is\ndetected from its first lines (EVTX files by "
            "their signature) unless\n--format names it.\n\n",
            cmd.synopsis);
    cli_opts_help(f, &cmd);
    fprintf(f, "\nFormats:");
    for (; *n; n++)
        fprintf(f, " %s", *n);
    fprintf(f, "\n\nAt the end, \"N events, M failed\" goes to stderr (to "
               "stdout with --count).\nLines that cannot be decoded are "
               "counted, never fatal.\n\n"
               "Exit status: 0 every line decoded; 65 some lines failed to "
               "decode;\n66 a file is missing or unreadable; 64 bad command "
               "line; 74 output error.\n"
               "See docs/man/vigil-parse.1.md for the field names.\n");
}

static void
flush_out(struct parse_run *r)
{
    if (r->out.len == 0)
        return;
    if (fwrite(r->out.data, 1, r->out.len, stdout) != r->out.len)
        r->out_err = 1;
    vigil_buf_reset(&r->out);
}

/* Appends ev as a JSON line; non-zero once output failed, which stops
 * the read. */
static int
emit(const struct vigil_event *ev, void *arg)
{
    struct parse_run *r = arg;

    if (vigil_event_to_json(ev, &r->out) != VIGIL_OK ||
        vigil_buf_putc(&r->out, '\n') != VIGIL_OK) {
        /* The buffer refused (an enormous event): it freed itself. */
        vigil_buf_init(&r->out, r->out.max);
        r->out_err = 1;
        return 1;
    }
    if (r->out.len >= FLUSH_AT)
        flush_out(r);
    return r->out_err;
}

static void
say_format(const char *path, const char *format, void *arg)
{
    (void)arg;
    fprintf(stderr, "vigil parse: %s: format %s\n", path, format);
}

static void
say_note(const char *msg, void *arg)
{
    (void)arg;
    fprintf(stderr, "vigil parse: %s\n", msg);
}

int
cmd_parse(int argc, char **argv)
{
    static const char *stdin_only[] = {"-"};
    struct parse_run r;
    struct cli_opts o;
    const char **files = stdin_only, *tz_name = NULL;
    struct vigil_tz *tz = NULL;
    struct vigil_err err = {0};
    int nfiles = 1, exit_code = VIGIL_EXIT_OK, missing = 0, c;

    memset(&r, 0, sizeof(r));
    cli_opts_start(&o, &cmd, argc, argv);
    while ((c = cli_opts_next(&o)) >= 0) {
        int64_t y;

        switch (c) {
        case OPT_FORMAT:
            if ((r.po.forced = vigil_decoder_by_name(o.val)) == NULL)
                return cli_usage_error(&cmd, "unknown format '%s'", o.val);
            break;
        case OPT_YEAR:
            if (!vigil_parse_i64(o.val, strlen(o.val), &y) || y < 1970 ||
                y > 2261)
                return cli_usage_error(&cmd, "--year needs a year "
                                             "(1970-2261)");
            r.po.parse.default_year = (int)y;
            break;
        case OPT_TIMEZONE:
            tz_name = o.val;
            break;
        case OPT_COUNT:
            r.count_only = 1;
            break;
        case OPT_VERBOSE:
            r.verbose = 1;
            break;
        case OPT_CARVE:
            r.po.evtx_carve = 1;
            break;
        }
    }
    if (c == CLI_OPTS_EXIT)
        return o.exit;
    /* the same zones and rules as hunt --timezone and a source's
     * timezone: (vigil_tz_load) */
    if (tz_name != NULL && vigil_tz_load(&tz, tz_name, &err) != VIGIL_OK)
        return cli_usage_error(&cmd, "--timezone: %s", err.msg);
    r.po.parse.tz = tz;
    if (o.nargs > 0) {
        files = (const char **)o.args;
        nfiles = o.nargs;
    }

    cli_log_to_stderr(r.verbose);
    if (r.verbose)
        r.po.on_format = say_format;
    r.po.on_note = say_note;
    vigil_buf_init(&r.out, 256u * 1024 * 1024);

    for (int i = 0; i < nfiles && !r.out_err; i++) {
        enum vigil_rc rc;

        vigil_err_clear(&err);
        rc = vigil_parse_file(files[i], &r.po, r.count_only ? NULL : emit, &r,
                              &r.st, &err);
        if (rc == VIGIL_ENOMEM) {
            flush_out(&r);
            fprintf(stderr, "vigil parse: out of memory\n");
            exit_code = VIGIL_EXIT_SOFTWARE;
            goto out;
        }
        if (rc != VIGIL_OK && rc != VIGIL_END) {
            fprintf(stderr, "vigil parse: %s\n", err.msg);
            missing = 1;
        }
    }
    flush_out(&r);
    if (fflush(stdout) != 0)
        r.out_err = 1;

    if (r.count_only)
        printf("%llu events, %llu failed\n", (unsigned long long)r.st.events,
               (unsigned long long)r.st.failed);
    else
        fprintf(stderr, "%llu events, %llu failed\n",
                (unsigned long long)r.st.events,
                (unsigned long long)r.st.failed);
    if (r.out_err) {
        fprintf(stderr, "vigil parse: cannot write output\n");
        exit_code = VIGIL_EXIT_IOERR;
    } else if (missing) {
        exit_code = VIGIL_EXIT_NOINPUT;
    } else if (r.st.failed) {
        exit_code = VIGIL_EXIT_DATAERR;
    }
out:
    vigil_buf_fini(&r.out);
    vigil_tz_free(tz);
    return exit_code;
}
