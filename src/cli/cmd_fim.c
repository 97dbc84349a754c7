/* cmd_fim.c -- `vigil fim baseline PATH...` and `vigil fim check`: the
 * command lines and the printing; the scanning is src/fim's. Paths are
 * printed safely: JSON-escaped with --json (plus the exact bytes in hex
 * for a name that is not UTF-8), and in the table every control byte,
 * every byte that is not valid UTF-8 and the bytes of bidirectional and
 * line-separator code points as \xNN, so a file name cannot forge a line,
 * reorder what is shown or drive the terminal. One baseline at a time per
 * state directory (a lock file in it). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cli.h"
#include "core/core.h"
#include "fim/fim.h"
#include "store/store.h"

#define MAX_EXCLUDE 256
/* check: parts of the trees could not be compared (see the man page) */
#define EXIT_INCOMPLETE 2
/* baseline: another baseline holds the state directory's lock */
#define EXIT_BUSY 75
#define LOCK_NAME "fim-baseline.lock"

enum {
    OPT_STATE_DIR,
    OPT_CONFIG,
    OPT_EXCLUDE,
    OPT_ONE_FS,
    OPT_THREADS,
    OPT_QUIET,
    OPT_JSON,
    OPT_FULL
};

#define COMMON_OPTS                                                            \
    {OPT_STATE_DIR, "state-dir", 0, "DIR",                                     \
     "the state directory holding the store (default: as for `vigil "          \
     "run`)."},                                                                \
        {OPT_CONFIG, "config", 'c', "FILE",                                    \
         "take the state directory from this configuration."},                 \
        {OPT_THREADS, "threads", 0, "N",                                       \
         "hashing threads (default: one per core)."},                          \
    {                                                                          \
        OPT_QUIET, "quiet", 'q', NULL, "no progress line on the terminal."     \
    }

static const struct cli_opt baseline_opts[] = {
    COMMON_OPTS,
    {OPT_EXCLUDE, "exclude", 'x', "PATTERN",
     "skip names matching PATTERN (fnmatch; a pattern with '/' is matched "
     "against the whole path); repeatable. Stored with the baseline."},
    {OPT_ONE_FS, "one-file-system", 0, NULL,
     "do not descend into other file systems."},
};

static const struct cli_opt check_opts[] = {
    COMMON_OPTS,
    {OPT_JSON, "json", 0, NULL, "one JSON object per difference."},
    {OPT_FULL, "full", 0, NULL,
     "hash every file; by default a file whose size, mtime, ctime and inode "
     "are unchanged is trusted."},
};

static void baseline_usage(FILE *out);
static void check_usage(FILE *out);

static const struct cli_cmd baseline_cmd = {
    .name = "fim baseline",
    .synopsis = "usage: vigil fim baseline [--state-dir DIR | -c FILE] "
                "[--exclude PATTERN]...\n"
                "                          [--one-file-system] [--threads N] "
                "PATH...\n",
    .opts = baseline_opts,
    .nopts = CLI_NOPTS(baseline_opts),
    .usage = baseline_usage,
};

static const struct cli_cmd check_cmd = {
    .name = "fim check",
    .synopsis = "usage: vigil fim check [--state-dir DIR | -c FILE] [--json] "
                "[--full]\n"
                "                       [--threads N]\n",
    .opts = check_opts,
    .nopts = CLI_NOPTS(check_opts),
    .usage = check_usage,
};

static void
baseline_usage(FILE *out)
{
    fprintf(out,
            "%s\nRecords type, size, mode, owner, inode, mtime, ctime and "
            "SHA-256 of every file\nunder PATH... in the store, replacing the "
            "previous baseline once complete.\n\n",
            baseline_cmd.synopsis);
    cli_opts_help(out, &baseline_cmd);
    fprintf(out, "\nExit codes: 0 recorded, 64 bad command line, 66 a PATH "
                 "is missing,\n74 store error, 75 another baseline is being "
                 "recorded.\n");
}

static void
check_usage(FILE *out)
{
    fprintf(out,
            "%s\nCompares the trees of the baseline with the file system and "
            "prints what was\nadded, removed, modified, changed permissions or "
            "owner, or changed type.\n\n",
            check_cmd.synopsis);
    cli_opts_help(out, &check_cmd);
    fprintf(out, "\nExit codes: 0 nothing changed, 1 something changed, 2 "
                 "nothing changed in what\ncould be checked but parts could "
                 "not be (paths longer than PATH_MAX),\n64 bad command line, "
                 "66 no baseline, 74 store error.\n");
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0; with
 * display set, also 0 for code points a terminal must not get raw. */
static size_t
utf8_seq(const unsigned char *s, size_t n, int display)
{
    size_t len;
    uint32_t cp;

    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xe0) == 0xc0)
        len = 2, cp = s[0] & 0x1f;
    else if ((s[0] & 0xf0) == 0xe0)
        len = 3, cp = s[0] & 0x0f;
    else if ((s[0] & 0xf8) == 0xf0)
        len = 4, cp = s[0] & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    if (!display)
        return len;
    /* C1 controls drive terminals too; bidirectional overrides, isolates
     * and marks reorder what is shown ("invoice\u202Efdp.exe" shows as
     * "invoiceexe.pdf"), line and paragraph separators break lines */
    if ((cp >= 0x80 && cp < 0xa0) || (cp >= 0x202a && cp <= 0x202e) ||
        (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029 ||
        cp == 0x200e || cp == 0x200f || cp == 0x061c)
        return 0;
    return len;
}

static size_t
utf8_len(const unsigned char *s, size_t n)
{
    return utf8_seq(s, n, 1);
}

/* Is p valid UTF-8 (JSON can then carry it exactly)? */
static int
utf8_valid(const char *p)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t n = strlen(p), l;

    for (size_t i = 0; i < n; i += l)
        if ((l = utf8_seq(s + i, n - i, 0)) == 0)
            return 0;
    return 1;
}

static void
print_safe(FILE *out, const char *p)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t n = strlen(p);

    for (size_t i = 0; i < n;) {
        size_t l = s[i] >= 0x20 && s[i] != 0x7f && s[i] != '\\'
                       ? utf8_len(s + i, n - i)
                       : 0;
        if (l == 0) {
            if (s[i] == '\\')
                fputs("\\\\", out);
            else
                fprintf(out, "\\x%02x", s[i]);
            i++;
        } else {
            fwrite(s + i, 1, l, out);
            i += l;
        }
    }
}

static void
progress_cb(uint64_t files, uint64_t bytes, void *arg)
{
    (void)arg;
    fprintf(stderr, "\r%llu files, %llu MiB hashed ", (unsigned long long)files,
            (unsigned long long)(bytes >> 20));
    fflush(stderr);
}

static void
skip_cb(const char *path, const char *why, void *arg)
{
    fprintf(stderr, "vigil fim %s: not walked: ", (const char *)arg);
    print_safe(stderr, path);
    fprintf(stderr, " (%s)\n", why);
}

struct common {
    const char *state, *config;
    int threads, quiet;
};

static int
common_opt(const struct cli_cmd *cmd, struct cli_opts *o, int id,
           struct common *c)
{
    int64_t n;

    switch (id) {
    case OPT_STATE_DIR:
        c->state = o->val;
        return 1;
    case OPT_CONFIG:
        c->config = o->val;
        return 1;
    case OPT_THREADS:
        if (!vigil_parse_i64(o->val, strlen(o->val), &n) || n < 1 || n > 16) {
            cli_usage_error(cmd, "--threads takes 1 to 16, not '%s'", o->val);
            return -1;
        }
        c->threads = (int)n;
        return 1;
    case OPT_QUIET:
        c->quiet = 1;
        return 1;
    }
    return 0;
}

static void
rec_json(struct vigil_buf *b, const char *name, const struct vigil_fim_rec *r)
{
    vigil_buf_printf(b,
                     ",\"%s\":{\"type\":\"%c\",\"size\":%lld,\"mode\":\"%04o\","
                     "\"uid\":%u,\"gid\":%u,\"inode\":%llu,\"mtime_ns\":%lld",
                     name, r->type, (long long)r->size, r->mode, r->uid, r->gid,
                     (unsigned long long)r->ino, (long long)r->mtime_ns);
    if (r->type == VIGIL_FIM_T_CHR || r->type == VIGIL_FIM_T_BLK)
        vigil_buf_printf(b, ",\"device\":\"%u:%u\"", major((dev_t)r->rdev),
                         minor((dev_t)r->rdev));
    if (r->sha256[0])
        vigil_buf_printf(b, ",\"sha256\":\"%s\"", r->sha256);
    if (r->link) {
        vigil_buf_printf(b, ",\"link\":");
        vigil_buf_json_str(b, r->link, strlen(r->link));
    }
    if (r->flags & VIGIL_FIM_UNREADABLE)
        vigil_buf_printf(b, ",\"unreadable\":true");
    if (r->flags & VIGIL_FIM_CHANGING)
        vigil_buf_printf(b, ",\"changing\":true");
    vigil_buf_putc(b, '}');
}

struct print_ctx {
    int json;
    struct vigil_buf b;
};

static enum vigil_rc
print_diff(const struct vigil_fim_diff *d, void *arg)
{
    struct print_ctx *pc = arg;
    char ch[128];

    vigil_fim_changes_str(d->changes, ch, sizeof(ch));
    if (pc->json) {
        vigil_buf_reset(&pc->b);
        vigil_buf_printf(&pc->b, "{\"change\":\"%s\",\"path\":",
                         vigil_fim_kind_name(d->kind));
        vigil_buf_json_str(&pc->b, d->path, strlen(d->path));
        if (!utf8_valid(d->path)) {
            /* "path" replaced the invalid bytes and may equal another,
             * valid name; the exact bytes tell them apart */
            vigil_buf_printf(&pc->b, ",\"path_hex\":\"");
            for (const unsigned char *q = (const unsigned char *)d->path; *q;
                 q++)
                vigil_buf_printf(&pc->b, "%02x", *q);
            vigil_buf_putc(&pc->b, '"');
        }
        if (d->changes) {
            vigil_buf_printf(&pc->b, ",\"what\":[");
            for (char *p = ch, *q; *p; p = q) {
                q = strchr(p, ',');
                size_t l = q ? (size_t)(q - p) : strlen(p);
                vigil_buf_printf(&pc->b, "%s\"%.*s\"", p == ch ? "" : ",",
                                 (int)l, p);
                q = q ? q + 1 : p + l;
            }
            vigil_buf_putc(&pc->b, ']');
        }
        if (d->old)
            rec_json(&pc->b, "old", d->old);
        if (d->cur)
            rec_json(&pc->b, "new", d->cur);
        vigil_buf_putc(&pc->b, '}');
        fwrite(pc->b.data, 1, pc->b.len, stdout);
        putchar('\n');
    } else {
        printf("%-11s %-22s ", vigil_fim_kind_name(d->kind), ch[0] ? ch : "-");
        print_safe(stdout, d->path);
        putchar('\n');
    }
    return ferror(stdout) ? VIGIL_EIO : VIGIL_OK;
}

static int
rc_exit(enum vigil_rc rc)
{
    switch (rc) {
    case VIGIL_ENOTFOUND:
        return VIGIL_EXIT_NOINPUT;
    case VIGIL_EINVAL:
        return VIGIL_EXIT_USAGE;
    default:
        return VIGIL_EXIT_IOERR;
    }
}

/* Takes the state directory's baseline lock for the whole run into
 * *fd (close to release), writing our pid in it; a second baseline is
 * refused with the holder's pid. Returns 0 or the exit code. */
static int
take_lock(const char *state, int *fd)
{
    char path[4200], pid[32] = "";
    ssize_t n;

    if (vigil_mkdir_p(state) != 0) {
        fprintf(stderr, "vigil fim baseline: cannot create %s: %s\n", state,
                strerror(errno));
        return VIGIL_EXIT_IOERR;
    }
    snprintf(path, sizeof(path), "%s/%s", state, LOCK_NAME);
    for (;;) {
        struct stat a, b;
        *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (*fd < 0) {
            fprintf(stderr, "vigil fim baseline: %s: %s\n", path,
                    strerror(errno));
            return VIGIL_EXIT_IOERR;
        }
        if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            n = pread(*fd, pid, sizeof(pid) - 1, 0);
            pid[n > 0 ? n : 0] = '\0';
            pid[strcspn(pid, "\n")] = '\0';
            close(*fd);
            *fd = -1;
            if (e == EWOULDBLOCK) {
                fprintf(stderr,
                        "vigil fim baseline: a baseline is being recorded "
                        "by pid %s in %s\n",
                        pid[0] ? pid : "?", state);
                return EXIT_BUSY;
            }
            fprintf(stderr, "vigil fim baseline: %s: %s\n", path, strerror(e));
            return VIGIL_EXIT_IOERR;
        }
        /* the holder before us may have removed the file after we opened
         * it: then our lock is on a name nobody else sees */
        if (fstat(*fd, &a) == 0 && stat(path, &b) == 0 &&
            a.st_ino == b.st_ino && a.st_dev == b.st_dev)
            break;
        close(*fd);
    }
    snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    if (ftruncate(*fd, 0) != 0 ||
        pwrite(*fd, pid, strlen(pid), 0) != (ssize_t)strlen(pid)) {
        /* the lock holds without the pid; the message then says "?" */
    }
    return 0;
}

static int
do_baseline(int argc, char **argv)
{
    struct cli_opts o;
    struct common c = {0};
    const char *excl[MAX_EXCLUDE];
    size_t nexcl = 0;
    struct vigil_fim_scan_opts so = {0};
    struct vigil_fim_stats st;
    struct vigil_err err = {0};
    struct vigil_store *s = NULL;
    char state[4096];
    int id, r, ex, lockfd = -1;

    cli_opts_start(&o, &baseline_cmd, argc, argv);
    while ((id = cli_opts_next(&o)) >= 0) {
        if ((r = common_opt(&baseline_cmd, &o, id, &c)) < 0)
            return VIGIL_EXIT_USAGE;
        if (r)
            continue;
        if (id == OPT_EXCLUDE) {
            if (nexcl >= MAX_EXCLUDE)
                return cli_usage_error(&baseline_cmd, "too many --exclude");
            excl[nexcl++] = o.val;
        } else if (id == OPT_ONE_FS) {
            so.one_fs = 1;
        }
    }
    if (id == CLI_OPTS_EXIT)
        return o.exit;
    if (o.nargs == 0)
        return cli_usage_error(&baseline_cmd, "which trees? (PATH...)");
    for (int i = 0; i < o.nargs; i++)
        if (access(o.args[i], F_OK) != 0) {
            fprintf(stderr, "vigil fim baseline: %s: %s\n", o.args[i],
                    strerror(errno));
            return VIGIL_EXIT_NOINPUT;
        }
    if ((ex = cli_state_dir("fim baseline", c.state, c.config, state,
                            sizeof(state))) != 0)
        return ex;
    if ((ex = take_lock(state, &lockfd)) != 0)
        return ex;
    if ((ex = cli_open_store("fim baseline", c.state, c.config, &s)) != 0)
        goto out;
    so.roots = (const char *const *)o.args;
    so.state_dir = state;
    so.skip = skip_cb;
    so.skip_arg = "baseline";
    so.nroots = (size_t)o.nargs;
    so.exclude = excl;
    so.nexclude = nexcl;
    so.threads = c.threads;
    if (!c.quiet && isatty(2))
        so.progress = progress_cb;
    enum vigil_rc rc = vigil_fim_baseline(s, &so, &st, &err);
    if (so.progress)
        fputc('\n', stderr);
    vigil_store_close(s);
    if (rc != VIGIL_OK) {
        fprintf(stderr, "vigil fim baseline: %s\n", err.msg);
        ex = rc_exit(rc);
        goto out;
    }
    fprintf(stderr,
            "vigil fim baseline: %llu entries, %llu files hashed (%llu MiB), "
            "%llu hard links reused, %llu unreadable, %llu folders skipped, "
            "%llu pseudo file systems not walked\n",
            (unsigned long long)st.files, (unsigned long long)st.hashed,
            (unsigned long long)(st.bytes >> 20), (unsigned long long)st.shared,
            (unsigned long long)st.unreadable, (unsigned long long)st.skipped,
            (unsigned long long)st.pseudo);
    if (st.too_long > 0)
        fprintf(stderr,
                "vigil fim baseline: warning: %llu entries not recorded: "
                "their paths are longer than PATH_MAX bytes (or too deep for "
                "the open file limit)\n",
                (unsigned long long)st.too_long);
    ex = VIGIL_EXIT_OK;
out:
    if (lockfd >= 0) {
        char lp[4200];
        snprintf(lp, sizeof(lp), "%s/%s", state, LOCK_NAME);
        (void)unlink(lp); /* under the lock: the next one creates it */
        close(lockfd);
    }
    return ex;
}

static int
do_check(int argc, char **argv)
{
    struct cli_opts o;
    struct common c = {0};
    struct vigil_fim_scan_opts so = {0};
    struct vigil_fim_stats st;
    struct vigil_err err = {0};
    struct vigil_store *s = NULL;
    struct print_ctx pc = {0};
    char state[4096], db[4200];
    int id, r, ex;

    cli_opts_start(&o, &check_cmd, argc, argv);
    while ((id = cli_opts_next(&o)) >= 0) {
        if ((r = common_opt(&check_cmd, &o, id, &c)) < 0)
            return VIGIL_EXIT_USAGE;
        if (r)
            continue;
        if (id == OPT_JSON)
            pc.json = 1;
        else if (id == OPT_FULL)
            so.full = 1;
    }
    if (id == CLI_OPTS_EXIT)
        return o.exit;
    if (o.nargs > 0)
        return cli_usage_error(&check_cmd,
                               "check takes no PATH: it checks the trees of "
                               "the baseline");
    if ((ex = cli_state_dir("fim check", c.state, c.config, state,
                            sizeof(state))) != 0)
        return ex;
    /* a fresh state directory has no baseline: say so without creating
     * a store as a side effect */
    snprintf(db, sizeof(db), "%s/vigil.db", state);
    if (access(db, F_OK) != 0) {
        fprintf(stderr,
                "vigil fim check: no baseline in %s: run `vigil fim "
                "baseline PATH...` first\n",
                state);
        return VIGIL_EXIT_NOINPUT;
    }
    if ((ex = cli_open_store("fim check", c.state, c.config, &s)) != 0)
        return ex;
    so.threads = c.threads;
    so.state_dir = state;
    so.skip = skip_cb;
    so.skip_arg = "check";
    if (!c.quiet && isatty(2) && !isatty(1))
        so.progress = progress_cb;
    vigil_buf_init(&pc.b, 1 << 20);
    enum vigil_rc rc = vigil_fim_check(s, &so, print_diff, &pc, &st, &err);
    if (so.progress)
        fputc('\n', stderr);
    vigil_buf_fini(&pc.b);
    vigil_store_close(s);
    if (fflush(stdout) != 0 && rc == VIGIL_OK)
        return VIGIL_EXIT_IOERR;
    if (rc != VIGIL_OK) {
        fprintf(stderr, "vigil fim check: %s\n", err.msg);
        return rc_exit(rc);
    }
    if (st.too_long > 0)
        fprintf(stderr,
                "vigil fim check: warning: %llu entries not checked: their "
                "paths are longer than PATH_MAX bytes (or too deep for the "
                "open file limit)\n",
                (unsigned long long)st.too_long);
    if (st.changes > 0)
        return 1;
    return st.too_long > 0 ? EXIT_INCOMPLETE : VIGIL_EXIT_OK;
}

/* The walk holds a descriptor per folder level: allow what the hard
 * limit allows, so depth is bounded by PATH_MAX rather than by 1024. */
static void
raise_nofile(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int
cmd_fim(int argc, char **argv)
{
    raise_nofile();
    if (argc >= 2 && strcmp(argv[1], "baseline") == 0)
        return do_baseline(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "check") == 0)
        return do_check(argc - 1, argv + 1);
    if (argc >= 2 &&
        (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: vigil fim baseline [OPTIONS] PATH...\n"
               "       vigil fim check [--json] [--full]\n"
               "See `vigil fim baseline --help` and `vigil fim check "
               "--help`.\n");
        return VIGIL_EXIT_OK;
    }
    fprintf(stderr, "vigil fim: which? baseline or check (vigil fim "
                    "--help)\n");
    return VIGIL_EXIT_USAGE;
}
