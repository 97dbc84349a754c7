/* cmd_check_release.c -- `vigil check-release`: checks documents before
 * they are published and says per file PASS, REVIEW or BLOCK, what is
 * hidden and where, and what to do; optionally writes a cleaned copy and
 * checks that too, and with --record keeps each verdict in the store for
 * the dashboard. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/core.h"
#include "disclose/disclose.h"
#include "store/store.h"

#define MAX_FILES 100000

enum {
    OPT_JSON,
    OPT_HTML,
    OPT_MAX_RECORDS,
    OPT_PATTERN,
    OPT_HEADER,
    OPT_CLEAN,
    OPT_RECORD,
    OPT_STATE_DIR,
    OPT_CONFIG
};

static const struct cli_opt opts[] = {
    {OPT_JSON, "json", 0, NULL, "one JSON object per file (JSON lines)"},
    {OPT_HTML, "html", 0, "FILE", "also write a self-contained HTML report"},
    {OPT_MAX_RECORDS, "max-records", 0, "N",
     "people's records allowed per file (default 50)"},
    {OPT_PATTERN, "pattern", 0, "REGEX",
     "an organisation's own personal-data pattern (repeatable)"},
    {OPT_HEADER, "header", 0, "WORD",
     "an extra header word for people's data (repeatable)"},
    {OPT_CLEAN, "clean", 0, "OUT",
     "write a copy without hidden content to OUT (a file for one input, a "
     "folder for several) and check the copy"},
    {OPT_RECORD, "record", 0, NULL,
     "record each file's verdict in the store, for the dashboard's release "
     "checks"},
    {OPT_STATE_DIR, "state-dir", 0, "DIR",
     "with --record: the state directory (default: the configuration's)"},
    {OPT_CONFIG, "config", 'c', "FILE", "with --record: the configuration"},
};

static void usage(FILE *out);

static const struct cli_cmd cmd = {
    .name = "check-release",
    .synopsis = "usage: vigil check-release [OPTIONS] FILE|DIR...\n",
    .opts = opts,
    .nopts = CLI_NOPTS(opts),
    .usage = usage,
};

static void
usage(FILE *out)
{
    fprintf(out,
            "%s\n"
            "Checks documents before publication (XLSX/XLSM, DOCX, PPTX, "
            "ODS/ODT/ODP,\nCSV/TSV, text, PDF, ZIP) for hidden sheets, rows "
            "and columns, pivot\ncaches, comments, tracked changes, "
            "metadata, embedded files and personal\ndata. Folders are "
            "checked recursively.\n\n",
            cmd.synopsis);
    cli_opts_help(out, &cmd);
    fprintf(out, "\nExit status: 0 all PASS, 1 some REVIEW, 2 some BLOCK, 64 "
                 "usage, 66 missing\ninput or some not checked, 70 internal "
                 "error, 74 output "
                 "error.\n");
}

struct opts {
    int json;
    int record;
    const char *state, *config;
    const char *html;
    const char *clean;
    int clean_dir;
    struct vigil_disclose_policy pol;
};

struct files {
    char **v;
    size_t n, cap;
};

/* Takes a document the library collected; refuses past MAX_FILES. */
static enum vigil_rc
push(const char *p, void *arg)
{
    struct files *f = arg;

    if (f->n >= MAX_FILES || VIGIL_GROW(f->v, f->n, f->cap) != VIGIL_OK)
        return VIGIL_ELIMIT;
    f->v[f->n] = strdup(p);
    return f->v[f->n] ? (f->n++, VIGIL_OK) : VIGIL_ENOMEM;
}

static void
say_skipped(const char *path, const char *why, void *arg)
{
    (void)arg;
    fprintf(stderr, "vigil check-release: %s: %s\n", path, why);
}

/* Who ran the check, for the record: $SUDO_USER, else the account. */
static void
record_who(char *dst, size_t len)
{
    const char *s = getenv("SUDO_USER");
    struct passwd *pw;

    if (s != NULL && s[0] != '\0')
        snprintf(dst, len, "%s", s);
    else if ((pw = getpwuid(getuid())) != NULL)
        snprintf(dst, len, "%s", pw->pw_name);
    else
        snprintf(dst, len, "uid %u", (unsigned)getuid());
    for (char *p = dst; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
}

static int
exit_for(enum vigil_disclose_verdict v)
{
    return v == VIGIL_DISCLOSE_BLOCK ? 2 : v == VIGIL_DISCLOSE_REVIEW ? 1 : 0;
}

static int
write_all(const char *path, const char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    int ok;

    if (!fp)
        return 0;
    ok = fwrite(data, 1, len, fp) == len;
    ok = (fclose(fp) == 0) && ok;
    return ok;
}

/* Writes and re-checks a cleaned copy; returns its verdict or -1. */
static int
clean_one(struct vigil_disclose *d, const struct opts *o, const char *path,
          struct vigil_buf *out)
{
    char *data = NULL;
    size_t len = 0;
    struct vigil_buf copy;
    struct vigil_err err;
    struct vigil_disclose_result *r = NULL;
    const char *ext = NULL;
    char dst[4096];
    int ret = -1;

    vigil_err_clear(&err);
    if (vigil_read_file(path, o->pol.max_input_bytes, &data, &len, &err) !=
        VIGIL_OK) {
        fprintf(stderr, "vigil check-release: %s\n", err.msg);
        return -1;
    }
    vigil_buf_init(&copy, o->pol.max_input_bytes);
    if (vigil_disclose_clean(d, data, len, &copy, &ext, &err) != VIGIL_OK) {
        fprintf(stderr, "vigil check-release: cannot clean %s: %s\n", path,
                err.msg);
        goto out;
    }
    if (o->clean_dir) {
        const char *base = strrchr(path, '/');
        char stem[1024];
        char *dot;

        snprintf(stem, sizeof(stem), "%s", base ? base + 1 : path);
        dot = strrchr(stem, '.');
        if (dot)
            *dot = 0;
        snprintf(dst, sizeof(dst), "%s/%s.clean.%s", o->clean, stem, ext);
    } else {
        snprintf(dst, sizeof(dst), "%s", o->clean);
    }
    if (!write_all(dst, copy.data ? copy.data : "", copy.len)) {
        fprintf(stderr, "vigil check-release: cannot write %s: %s\n", dst,
                strerror(errno));
        ret = -2;
        goto out;
    }
    vigil_err_clear(&err);
    if (vigil_disclose_check_buffer(d, dst, copy.data ? copy.data : "",
                                    copy.len, &r, &err) != VIGIL_OK) {
        fprintf(stderr, "vigil check-release: %s\n", err.msg);
        goto out;
    }
    if (o->json) {
        vigil_buf_printf(out, "{\"cleaned_from\":");
        vigil_buf_json_str(out, path, strlen(path));
        vigil_buf_printf(out, ",\"result\":");
        vigil_disclose_report_json(r, out);
        vigil_buf_printf(out, "}\n");
    } else {
        vigil_buf_printf(out, "cleaned copy of %s written to %s:\n", path, dst);
        vigil_disclose_report_text(r, out);
    }
    ret = (int)r->verdict;
out:
    vigil_disclose_result_free(r);
    vigil_buf_fini(&copy);
    free(data);
    return ret;
}

int
cmd_check_release(int argc, char **argv)
{
    struct opts o;
    struct cli_opts co;
    struct files f = {0};
    const char *pats[64], *hdrs[64];
    size_t npats = 0, nhdrs = 0;
    struct vigil_disclose *d = NULL;
    struct vigil_disclose_result **res = NULL;
    struct vigil_store *store = NULL;
    char who[128];
    struct vigil_err err;
    struct vigil_buf out;
    int c, worst = 0, ret = VIGIL_EXIT_OK, missing = 0;

    memset(&o, 0, sizeof(o));
    vigil_disclose_policy_default(&o.pol);
    cli_opts_start(&co, &cmd, argc, argv);
    while ((c = cli_opts_next(&co)) >= 0) {
        switch (c) {
        case OPT_JSON:
            o.json = 1;
            break;
        case OPT_HTML:
            o.html = co.val;
            break;
        case OPT_CLEAN:
            o.clean = co.val;
            break;
        case OPT_RECORD:
            o.record = 1;
            break;
        case OPT_STATE_DIR:
            o.state = co.val;
            break;
        case OPT_CONFIG:
            o.config = co.val;
            break;
        case OPT_MAX_RECORDS: {
            int64_t v;
            if (!vigil_parse_i64(co.val, strlen(co.val), &v) || v < 0)
                return cli_usage_error(&cmd, "--max-records wants a number");
            o.pol.max_records = (size_t)v;
            break;
        }
        case OPT_PATTERN:
            if (npats < 64)
                pats[npats++] = co.val;
            break;
        case OPT_HEADER:
            if (nhdrs < 64)
                hdrs[nhdrs++] = co.val;
            break;
        }
    }
    if (c == CLI_OPTS_EXIT)
        return co.exit;
    if (co.nargs == 0)
        return cli_usage_error(&cmd, "no FILE or DIR given");
    cli_log_to_stderr(0);
    vigil_err_clear(&err);
    if (vigil_disclose_collect((const char *const *)co.args, (size_t)co.nargs,
                               push, say_skipped, &f, &err) != VIGIL_OK)
        missing = 1;
    if (o.clean) {
        struct stat st;
        o.clean_dir =
            f.n > 1 || (stat(o.clean, &st) == 0 && S_ISDIR(st.st_mode));
        if (f.n > 1 && !(stat(o.clean, &st) == 0 && S_ISDIR(st.st_mode))) {
            fprintf(stderr, "vigil check-release: --clean OUT must be an "
                            "existing folder when checking several files\n");
            ret = VIGIL_EXIT_USAGE;
            goto out;
        }
    }
    o.pol.custom_patterns = pats;
    o.pol.ncustom_patterns = npats;
    o.pol.custom_headers = hdrs;
    o.pol.ncustom_headers = nhdrs;
    vigil_err_clear(&err);
    if (vigil_disclose_new(&d, &o.pol, &err) != VIGIL_OK) {
        fprintf(stderr, "vigil check-release: %s\n", err.msg);
        ret = VIGIL_EXIT_USAGE;
        goto out;
    }
    record_who(who, sizeof(who));
    if (o.record &&
        (ret = cli_open_store("check-release", o.state, o.config, &store)) != 0)
        goto out;
    res = calloc(f.n + 1, sizeof(*res));
    if (!res) {
        ret = VIGIL_EXIT_SOFTWARE;
        goto out;
    }
    vigil_buf_init(&out, (size_t)256 << 20);
    for (size_t i = 0; i < f.n; i++) {
        vigil_err_clear(&err);
        if (vigil_disclose_check_file(d, f.v[i], &res[i], &err) != VIGIL_OK) {
            fprintf(stderr, "vigil check-release: %s: %s\n", f.v[i], err.msg);
            if (err.rc == VIGIL_ENOMEM) {
                ret = VIGIL_EXIT_SOFTWARE;
                vigil_buf_fini(&out);
                goto out;
            }
            missing = 1;
            continue;
        }
        vigil_buf_reset(&out);
        if (o.json) {
            vigil_disclose_report_json(res[i], &out);
            vigil_buf_putc(&out, '\n');
        } else {
            vigil_disclose_report_text(res[i], &out);
        }
        if ((int)res[i]->verdict > worst)
            worst = (int)res[i]->verdict;
        vigil_err_clear(&err);
        if (store != NULL &&
            vigil_disclose_record(store, res[i], who, &err) != VIGIL_OK) {
            fprintf(stderr, "vigil check-release: %s: not recorded: %s\n",
                    f.v[i], err.msg);
            ret = VIGIL_EXIT_IOERR;
        }
        if (o.clean && res[i]->verdict != VIGIL_DISCLOSE_PASS) {
            int v = clean_one(d, &o, f.v[i], &out);
            if (v == -2)
                ret = VIGIL_EXIT_IOERR;
        }
        fwrite(out.data ? out.data : "", 1, out.len, stdout);
        if (!o.html) {
            /* Only the HTML report needs every result at the end. */
            vigil_disclose_result_free(res[i]);
            res[i] = NULL;
        }
    }
    fflush(stdout);
    if (o.html) {
        size_t k = 0;
        vigil_buf_reset(&out);
        for (size_t i = 0; i < f.n; i++)
            if (res[i])
                res[k++] = res[i];
        for (size_t i = k; i < f.n; i++)
            res[i] = NULL;
        if (vigil_disclose_report_html(
                (const struct vigil_disclose_result *const *)res, k, &out) !=
                VIGIL_OK ||
            !write_all(o.html, out.data ? out.data : "", out.len)) {
            fprintf(stderr, "vigil check-release: cannot write %s\n", o.html);
            ret = VIGIL_EXIT_IOERR;
        }
    }
    vigil_buf_fini(&out);
    if (ret == VIGIL_EXIT_OK)
        ret = missing ? VIGIL_EXIT_NOINPUT : exit_for(worst);
out:
    for (size_t i = 0; i < f.n; i++) {
        if (res)
            vigil_disclose_result_free(res[i]);
        free(f.v[i]);
    }
    free(res);
    free(f.v);
    vigil_disclose_free(d);
    vigil_store_close(store);
    return ret;
}
