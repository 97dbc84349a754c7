/* cmd_parse.c -- `vigil parse`: decodes log files (or stdin) and prints
 * each event as one JSON line; with --count it only counts, which is how
 * the ingest benchmark measures the decoders.
 *
 * Files are read in large blocks and cut into lines in place, so a line
 * costs one memchr, one decode and (when printing) one JSON append into a
 * buffer flushed every megabyte. A bad line is counted and skipped, never
 * fatal. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/core.h"
#include "parse/parse.h"

#define READ_BLOCK   (4u * 1024 * 1024)
#define BUF_SIZE     (READ_BLOCK + VIGIL_MAX_LINE + 1)
#define DETECT_LINES 16
#define FLUSH_AT     (1u << 20)

struct parse_run {
    const struct vigil_decoder *forced; /* --format, or NULL: detect */
    int count_only;
    int verbose;
    struct vigil_parse_opts opts;
    struct vigil_buf out;
    struct vigil_arena arena;
    struct vigil_event *ev;
    uint64_t events, failed;
    int out_err;
};

enum { OPT_FORMAT, OPT_COUNT, OPT_YEAR, OPT_VERBOSE };

static const struct cli_opt opts[] = {
    {OPT_FORMAT, "format", 'f', "NAME",
     "decode every file as NAME (see below)"},
    {OPT_COUNT, "count", 'c', NULL,
     "decode without printing; print the counts"},
    {OPT_YEAR, "year", 'y', "N",
     "year for syslog stamps that have none (default: the current year, "
     "or last year for dates ahead of now)"},
    {OPT_VERBOSE, "verbose", 'v', NULL,
     "report the detected format of each file"},
};

static void usage(FILE *f);

static const struct cli_cmd cmd = {
    .name = "parse",
    .synopsis = "usage: vigil parse [--format NAME] [--count] [--year N] [-v] "
                "[FILE...]\n",
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

static void
emit(struct parse_run *r, const struct vigil_event *ev)
{
    if (r->count_only)
        return;
    if (vigil_event_to_json(ev, &r->out) != VIGIL_OK ||
        vigil_buf_putc(&r->out, '\n') != VIGIL_OK) {
        /* The buffer refused (an enormous event): it freed itself. */
        vigil_buf_init(&r->out, r->out.max);
        r->out_err = 1;
        return;
    }
    if (r->out.len >= FLUSH_AT)
        flush_out(r);
}

/* Decodes one line with the forced format, else the one it fits. */
static void
one_line(struct parse_run *r, struct vigil_decoder_auto *fmt, const char *p,
         size_t len)
{
    enum vigil_rc rc;

    if (len && p[len - 1] == '\r')
        len--;
    if (len == 0)
        return; /* blank lines are not events */
    vigil_event_init(r->ev, &r->arena);
    if (r->forced != NULL)
        rc = vigil_decode_line(r->forced, r->ev, p, len, &r->opts);
    else
        rc = vigil_decode_auto(fmt, r->ev, p, len, &r->opts);
    if (rc == VIGIL_OK) {
        r->events++;
        emit(r, r->ev);
    } else {
        r->failed++;
    }
    if (r->arena.used_total)
        vigil_arena_reset(&r->arena);
}

static const struct vigil_decoder *
detect(const char *buf, size_t len)
{
    const char *lines[DETECT_LINES];
    size_t lens[DETECT_LINES], n = 0;
    const char *p = buf, *end = buf + len;

    while (p < end && n < DETECT_LINES) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        if (e > p) {
            lines[n] = p;
            lens[n] = (size_t)(e - p);
            n++;
        }
        p = nl ? nl + 1 : end;
    }
    return vigil_decoder_detect(lines, lens, n);
}

static size_t
count_lines(const char *p, size_t len)
{
    const char *end = p + len;
    size_t n = 0;

    while (n < DETECT_LINES && (p = memchr(p, '\n', (size_t)(end - p)))) {
        p++;
        n++;
    }
    return n;
}

static enum vigil_rc
evtx_event(struct vigil_event *ev, void *arg)
{
    struct parse_run *r = arg;

    r->events++;
    emit(r, ev);
    return r->out_err ? VIGIL_EIO : VIGIL_OK;
}

/* Returns 0, or VIGIL_EXIT_NOINPUT when path cannot be read. */
static int
parse_evtx(struct parse_run *r, const char *path)
{
    struct vigil_evtx_stats st = {0, 0, 0};
    struct vigil_err err = {0};
    enum vigil_rc rc;

    if (r->verbose)
        fprintf(stderr, "vigil parse: %s: format evtx\n", path);
    rc = vigil_evtx_read_file(path, evtx_event, r, &st, &err);
    r->failed += st.failed;
    if (rc == VIGIL_OK && st.records == 0 && st.failed == 0 &&
        vigil_evtx_looks_damaged(path)) {
        /* Nothing read from a file that should hold records. */
        fprintf(stderr,
                "vigil parse: %s: damaged EVTX file, no record could be "
                "read\n",
                path);
        r->failed++;
        return 0;
    }
    if (rc != VIGIL_OK && !r->out_err) {
        fprintf(stderr, "vigil parse: %s\n", err.msg);
        if (st.records == 0) {
            r->failed++;
            return rc == VIGIL_EIO ? VIGIL_EXIT_NOINPUT : 0;
        }
    }
    return 0;
}

static int
parse_fd(struct parse_run *r, int fd, const char *path, char *buf)
{
    const struct vigil_decoder *d = r->forced;
    struct vigil_decoder_auto fmt = {NULL};
    size_t fill = 0;
    int eof = 0, skipping = 0;

    while (!eof) {
        ssize_t n = read(fd, buf + fill, BUF_SIZE - 1 - fill);
        const char *p, *end;

        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "vigil parse: %s: %s\n", path, strerror(errno));
            return VIGIL_EXIT_NOINPUT;
        }
        if (n == 0)
            eof = 1;
        fill += (size_t)n;
        p = buf;
        end = buf + fill;
        if (skipping) { /* the rest of an over-long line */
            const char *nl = memchr(p, '\n', fill);
            if (nl == NULL) {
                fill = 0;
                continue;
            }
            p = nl + 1;
            skipping = 0;
        }
        if (d == NULL) {
            if (!eof && fill < READ_BLOCK &&
                count_lines(p, (size_t)(end - p)) < DETECT_LINES)
                continue; /* detect on enough lines (a pipe may be slow) */
            d = detect(p, (size_t)(end - p));
            fmt.cur = d; /* a first guess; each line goes its own way */
            if (r->verbose)
                fprintf(stderr, "vigil parse: %s: format %s\n", path, d->name);
        }
        for (;;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            if (nl == NULL)
                break;
            one_line(r, &fmt, p, (size_t)(nl - p));
            p = nl + 1;
        }
        if (eof) {
            if (p < end)
                one_line(r, &fmt, p, (size_t)(end - p));
            break;
        }
        fill = (size_t)(end - p);
        if (fill > VIGIL_MAX_LINE) {
            /* No newline within the longest line we accept. */
            r->failed++;
            skipping = 1;
            fill = 0;
        } else if (fill) {
            memmove(buf, p, fill);
        }
        if (r->out_err)
            break;
    }
    return 0;
}

static int
parse_path(struct parse_run *r, const char *path, char *buf)
{
    struct stat st;
    int fd, rc;

    if (strcmp(path, "-") == 0)
        return parse_fd(r, 0, "(stdin)", buf);
    /* Not blocking, so a FIFO is refused instead of waited on forever
     * (stdin is what `-` is for). */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        fprintf(stderr, "vigil parse: %s: %s\n", path, strerror(errno));
        return VIGIL_EXIT_NOINPUT;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr,
                "vigil parse: %s: not a regular file (use - for stdin)\n",
                path);
        close(fd);
        return VIGIL_EXIT_NOINPUT;
    }
    (void)fcntl(fd, F_SETFL, 0);
    if ((r->forced == NULL || strcmp(r->forced->name, "evtx") == 0) &&
        vigil_evtx_is_file(path)) {
        close(fd);
        return parse_evtx(r, path);
    }
    if (r->forced && strcmp(r->forced->name, "evtx") == 0) {
        close(fd);
        return parse_evtx(r, path);
    }
#ifdef POSIX_FADV_SEQUENTIAL
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    rc = parse_fd(r, fd, path, buf);
    close(fd);
    return rc;
}

int
cmd_parse(int argc, char **argv)
{
    static const char *stdin_only[] = {"-"};
    struct parse_run r;
    struct cli_opts o;
    const char **files = stdin_only;
    char *buf = NULL;
    int nfiles = 1, exit_code = VIGIL_EXIT_OK, missing = 0, c;

    memset(&r, 0, sizeof(r));
    cli_opts_start(&o, &cmd, argc, argv);
    while ((c = cli_opts_next(&o)) >= 0) {
        int64_t y;

        switch (c) {
        case OPT_FORMAT:
            if ((r.forced = vigil_decoder_by_name(o.val)) == NULL)
                return cli_usage_error(&cmd, "unknown format '%s'", o.val);
            break;
        case OPT_YEAR:
            if (!vigil_parse_i64(o.val, strlen(o.val), &y) || y < 1970 ||
                y > 2261)
                return cli_usage_error(&cmd, "--year needs a year "
                                             "(1970-2261)");
            r.opts.default_year = (int)y;
            break;
        case OPT_COUNT:
            r.count_only = 1;
            break;
        case OPT_VERBOSE:
            r.verbose = 1;
            break;
        }
    }
    if (c == CLI_OPTS_EXIT)
        return o.exit;
    if (o.nargs > 0) {
        files = (const char **)o.args;
        nfiles = o.nargs;
    }

    cli_log_to_stderr(r.verbose);
    r.ev = malloc(sizeof(*r.ev));
    buf = malloc(BUF_SIZE);
    if (r.ev == NULL || buf == NULL) {
        fprintf(stderr, "vigil parse: out of memory\n");
        free(r.ev);
        free(buf);
        return VIGIL_EXIT_SOFTWARE;
    }
    vigil_arena_init(&r.arena, 64 * 1024, 64u * 1024 * 1024);
    vigil_buf_init(&r.out, 256u * 1024 * 1024);

    for (int i = 0; i < nfiles && !r.out_err; i++)
        if (parse_path(&r, files[i], buf) == VIGIL_EXIT_NOINPUT)
            missing = 1;
    flush_out(&r);
    if (fflush(stdout) != 0)
        r.out_err = 1;

    if (r.count_only)
        printf("%llu events, %llu failed\n", (unsigned long long)r.events,
               (unsigned long long)r.failed);
    else
        fprintf(stderr, "%llu events, %llu failed\n",
                (unsigned long long)r.events, (unsigned long long)r.failed);
    if (r.out_err) {
        fprintf(stderr, "vigil parse: cannot write output\n");
        exit_code = VIGIL_EXIT_IOERR;
    } else if (missing) {
        exit_code = VIGIL_EXIT_NOINPUT;
    } else if (r.failed) {
        exit_code = VIGIL_EXIT_DATAERR;
    }
    vigil_buf_fini(&r.out);
    vigil_arena_fini(&r.arena);
    free(r.ev);
    free(buf);
    return exit_code;
}
