/* cli_opts.c -- the one option parser of every vigil command (see the
 * convention in cli.h): builds getopt_long's tables from a command's
 * option table, turns getopt's error returns into vigil's messages and
 * exit code, and prints the "Options:" part of --help from the same
 * table, so what --help lists and what is accepted cannot drift apart.
 *
 * getopt_long runs in RETURN_IN_ORDER mode ("-" first in the short
 * string): positionals come back one by one and are gathered at the front
 * of argv, which keeps their order and ignores POSIXLY_CORRECT. The
 * dispatcher (stop_at_arg) runs in REQUIRE_ORDER ("+") instead. A leading
 * ":" makes a missing value distinguishable from an unknown option. */
#include <stdarg.h>
#include <string.h>

#include "cli.h"

/* Long options return LONG_BASE + their index, short ones their letter:
 * the two spellings of one option stay apart, which error messages and
 * the abbreviation check need. */
#define LONG_BASE 256
#define HELP_COL  24 /* widest "-x, --name VALUE" beside its help */
#define HELP_WRAP 79

static const struct cli_opt help_opt = {-1, "help", 'h', NULL, "this text"};

static const struct cli_opt *
opt_at(const struct cli_cmd *cmd, size_t i)
{
    return i < cmd->nopts ? &cmd->opts[i] : &help_opt;
}

static void
prefix(FILE *out, const struct cli_cmd *cmd)
{
    if (cmd->name != NULL)
        fprintf(out, "vigil %s: ", cmd->name);
    else
        fputs("vigil: ", out);
}

static int
usage_error_v(const struct cli_cmd *cmd, const char *fmt, va_list ap)
{
    prefix(stderr, cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n%sRun 'vigil%s%s --help' for the options.\n",
            cmd->synopsis, cmd->name ? " " : "", cmd->name ? cmd->name : "");
    return VIGIL_EXIT_USAGE;
}

int
cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = usage_error_v(cmd, fmt, ap);
    va_end(ap);
    return rc;
}

static int refuse(struct cli_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
refuse(struct cli_opts *o, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    o->exit = usage_error_v(o->cmd, fmt, ap);
    va_end(ap);
    return CLI_OPTS_EXIT;
}

void
cli_opts_start(struct cli_opts *o, const struct cli_cmd *cmd, int argc,
               char **argv)
{
    size_t n = 0, i;

    memset(o, 0, sizeof(*o));
    o->cmd = cmd;
    o->argc = argc;
    o->argv = argv;
    o->shorts[n++] = cmd->stop_at_arg ? '+' : '-';
    o->shorts[n++] = ':';
    for (i = 0; i <= cmd->nopts && i <= CLI_OPTS_MAX; i++) {
        const struct cli_opt *op = opt_at(cmd, i);

        o->lo[i].name = op->name;
        o->lo[i].has_arg = op->value ? required_argument : no_argument;
        o->lo[i].val = LONG_BASE + (int)i;
        if (op->letter) {
            o->shorts[n++] = op->letter;
            if (op->value)
                o->shorts[n++] = ':';
        }
    }
    /* lo[i] and shorts[n] stay zero: the terminators. */
    /* optind = 0 makes glibc start over entirely, also forgetting a
     * half-read bundle (-qx) an earlier parse stopped in. */
    optind = 0;
    opterr = 0;
}

/* Which option (its index; nopts: --help) did getopt return? */
static size_t
index_of(const struct cli_opts *o, int c)
{
    size_t i;

    if (c >= LONG_BASE)
        return (size_t)(c - LONG_BASE);
    for (i = 0; i < o->cmd->nopts; i++)
        if (o->cmd->opts[i].letter == c)
            break;
    return i;
}

/* The "--name[=value]" word getopt just consumed for a long option. */
static const char *
long_word(const struct cli_opts *o)
{
    if (optarg != NULL && optind >= 2 && optarg == o->argv[optind - 1])
        return o->argv[optind - 2];
    return o->argv[optind - 1];
}

static int
failed(struct cli_opts *o, int c)
{
    size_t i = index_of(o, optopt);
    const char *w;

    if (c == ':' && optopt >= LONG_BASE)
        return refuse(o, "option '--%s' needs a value",
                      opt_at(o->cmd, i)->name);
    if (c == ':')
        return refuse(o, "option '-%c' needs a value", optopt);
    if (optopt >= LONG_BASE)
        return refuse(o, "option '--%s' takes no value",
                      opt_at(o->cmd, i)->name);
    if (optopt != 0)
        return refuse(o, "unknown option '-%c'", optopt);
    /* An unknown or ambiguous long option: optind is past it. */
    w = optind >= 1 && optind <= o->argc ? o->argv[optind - 1] : "?";
    return refuse(o, "unknown option '%.*s'", (int)strcspn(w, "="), w);
}

static void
positionals(struct cli_opts *o)
{
    if (o->cmd->stop_at_arg) {
        o->args = o->argv + optind;
        o->nargs = o->argc - optind;
        return;
    }
    /* After "--" the rest are positionals; they move down behind the
     * ones gathered so far (never up: nothing is overwritten). */
    for (int i = optind; i < o->argc; i++)
        o->argv[1 + o->nargs++] = o->argv[i];
    o->args = o->argv + 1;
}

int
cli_opts_next(struct cli_opts *o)
{
    const struct cli_opt *op;
    size_t i;
    int c;

    o->val = NULL;
    if (o->cmd->nopts > CLI_OPTS_MAX) {
        prefix(stderr, o->cmd);
        fputs("too many options in the table\n", stderr);
        o->exit = VIGIL_EXIT_SOFTWARE;
        return CLI_OPTS_EXIT;
    }
    for (;;) {
        c = getopt_long(o->argc, o->argv, o->shorts, o->lo, NULL);
        if (c != 1)
            break;
        /* A positional, in RETURN_IN_ORDER mode: gathered at the front
         * (1 + nargs < optind, so nothing unread is overwritten). */
        o->argv[1 + o->nargs++] = optarg;
    }
    if (c == -1) {
        positionals(o);
        return CLI_OPTS_END;
    }
    if (c == '?' || c == ':')
        return failed(o, c);
    i = index_of(o, c);
    op = opt_at(o->cmd, i);
    if (c >= LONG_BASE) {
        const char *w = long_word(o) + 2;
        size_t typed = strcspn(w, "=");

        if (typed != strlen(op->name))
            return refuse(o, "unknown option '--%.*s' (did you mean '--%s'?)",
                          (int)typed, w, op->name);
    }
    if (op == &help_opt) {
        o->cmd->usage(stdout);
        o->exit = VIGIL_EXIT_OK;
        return CLI_OPTS_EXIT;
    }
    o->val = optarg;
    return op->id;
}

/* "-x, --name VALUE" (or four spaces instead of "-x, ") into dst. */
static size_t
left_part(const struct cli_opt *op, char *dst, size_t len)
{
    int n =
        snprintf(dst, len, "%c%c%c --%s%s%s", op->letter ? '-' : ' ',
                 op->letter ? op->letter : ' ', op->letter ? ',' : ' ',
                 op->name, op->value ? " " : "", op->value ? op->value : "");

    return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

/* Writes text from column col (the cursor is there), wrapped at
 * HELP_WRAP; a '\n' in text starts a new line. */
static void
wrap(FILE *out, const char *text, size_t col)
{
    size_t at = col;

    while (*text) {
        size_t w = strcspn(text, " \n");

        if (at > col && at + 1 + w > HELP_WRAP) {
            fprintf(out, "\n%*s", (int)col, "");
            at = col;
        } else if (at > col) {
            fputc(' ', out);
            at++;
        }
        fwrite(text, 1, w, out);
        at += w;
        text += w;
        if (*text == '\n') {
            fprintf(out, "\n%*s", (int)col, "");
            at = col;
        }
        while (*text == ' ' || *text == '\n')
            text++;
    }
    fputc('\n', out);
}

void
cli_opts_help(FILE *out, const struct cli_cmd *cmd)
{
    char left[160];
    size_t col = 0, i, n;

    for (i = 0; i <= cmd->nopts; i++) {
        n = left_part(opt_at(cmd, i), left, sizeof(left));
        if (n <= HELP_COL && n > col)
            col = n;
    }
    col += 4; /* two spaces before, two after */
    fputs("Options:\n", out);
    for (i = 0; i <= cmd->nopts; i++) {
        const struct cli_opt *op = opt_at(cmd, i);

        n = left_part(op, left, sizeof(left));
        if (n + 4 > col)
            fprintf(out, "  %s\n%*s", left, (int)col, "");
        else
            fprintf(out, "  %-*s", (int)(col - 2), left);
        wrap(out, op->help, col);
    }
}
