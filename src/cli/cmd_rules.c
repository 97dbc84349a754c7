/* cmd_rules.c -- `vigil rules check|list [DIR|FILE...]`: load Sigma rules
 * the way the daemon and hunt do, and say what loaded (from where) and
 * what was refused and why (`file:line: message`). Without paths it is the
 * daemon's own rule set: vigil's pack and the configuration's `rules:`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "daemon/daemon.h"
#include "core/core.h"
#include "detect/detect.h"

static const char *const kind_names[] = {"detection", "filter", "correlation"};

struct rules_out {
    int json;
    int list;
    int first;
    struct vigil_buf b;
};

static void
json_kv(struct vigil_buf *b, const char *k, const char *v, int comma)
{
    if (comma)
        vigil_buf_putc(b, ',');
    vigil_buf_json_str(b, k, strlen(k));
    vigil_buf_putc(b, ':');
    vigil_buf_json_str(b, v, strlen(v));
}

static void
on_report(const char *file, int line, const struct vigil_rule_info *info,
          const char *msg, void *arg)
{
    struct rules_out *o = arg;

    if (o->list && !info)
        return;
    if (o->json) {
        struct vigil_buf *b = &o->b;
        vigil_buf_reset(b);
        vigil_buf_printf(b, "%s\n    {", o->first ? "" : ",");
        o->first = 0;
        json_kv(b, "status", info ? "loaded" : "refused", 0);
        json_kv(b, "file", file, 1);
        vigil_buf_printf(b, ",\"line\":%d", line);
        if (info) {
            json_kv(b, "kind", kind_names[info->kind], 1);
            json_kv(b, "id", info->id, 1);
            json_kv(b, "title", info->title, 1);
            json_kv(b, "level", info->level, 1);
            json_kv(b, "logsource", info->logsource, 1);
        } else {
            json_kv(b, "message", msg, 1);
        }
        vigil_buf_putc(b, '}');
        if (b->len)
            fwrite(b->data, 1, b->len, stdout);
        return;
    }
    if (o->list) {
        printf("%s\t%s\t%s\t%s\t%s:%d\t%s\n", info->id[0] ? info->id : "-",
               info->level, kind_names[info->kind], info->logsource, file, line,
               info->title);
    } else if (info) {
        printf("ok       %s:%d: %s\n", file, line, info->title);
    } else {
        printf("refused  %s:%d: %s\n", file, line, msg);
    }
}

enum { OPT_CONFIG, OPT_PLACEHOLDER, OPT_JSON };

static const struct cli_opt opts[] = {
    {OPT_CONFIG, "config", 'c', "FILE",
     "the daemon's configuration (rule folders, builtin_rules, "
     "placeholders)"},
    {OPT_PLACEHOLDER, "placeholder", 0, "NAME=VALUE",
     "a value for %NAME% under |expand; repeat for more values or names"},
    {OPT_JSON, "json", 0, NULL, "machine-readable output"},
};

static void usage(FILE *f);

static const struct cli_cmd cmd = {
    .name = "rules",
    .synopsis = "usage: vigil rules [check|list] [OPTIONS] [DIR|FILE...]\n",
    .opts = opts,
    .nopts = CLI_NOPTS(opts),
    .usage = usage,
};

static void
usage(FILE *f)
{
    fprintf(f,
            "%s\n"
            "check  loads every *.yml/*.yaml below the paths as the daemon\n"
            "       would and prints each rule as loaded or refused with\n"
            "       `file:line: reason`, then a summary.\n"
            "list   prints the loaded rules: id, level, kind, logsource,\n"
            "       file:line, title (tab-separated); the default action.\n"
            "\n"
            "Without paths: the rules `vigil run` loads -- vigil's own pack\n"
            "(unless builtin_rules: false) and the configuration's rules:\n"
            "folders -- and how many came from each.\n"
            "\n",
            cmd.synopsis);
    cli_opts_help(f, &cmd);
    fprintf(f, "\nExit status: 0 every rule loads, 1 some were refused "
               "(check),\n64 bad command line, 66 a path is unreadable, 78 "
               "the\nconfiguration was refused. See docs/rules.md.\n");
}

/* Where the rules come from: the paths given, else the daemon's set. */
struct rules_src {
    const char *path;
    const char *what; /* "vigil's pack", "configuration", "argument" */
};

#define RULES_MAX_SRC (VIGIL_DETECT_MAX_RULE_PATHS + 1)

/* The daemon's rule paths, gathered; the pack's path is only borrowed
 * for the call that names it, so it is copied. */
struct rules_srcs {
    struct rules_src *src;
    size_t *nsrc;
    char pack[4096];
};

static enum vigil_rc
add_src(const char *path, const char *what, void *arg)
{
    struct rules_srcs *r = arg;

    if (*r->nsrc >= RULES_MAX_SRC)
        return VIGIL_ELIMIT;
    if (strcmp(what, "vigil's pack") == 0) {
        snprintf(r->pack, sizeof(r->pack), "%s", path);
        path = r->pack;
    }
    r->src[(*r->nsrc)++] = (struct rules_src){path, what};
    return VIGIL_OK;
}

static uint64_t
rules_count(const struct vigil_detect_stats *st)
{
    return st->loaded + st->filters + st->correlations;
}

static void
print_summary(const struct rules_out *o, const struct vigil_detect_stats *st,
              int compiled)
{
    uint64_t total = rules_count(st) + st->refused;

    if (o->json) {
        printf("\n  ],\n  \"files\": %llu, \"loaded\": %llu, \"filters\": "
               "%llu, \"correlations\": %llu, \"refused\": %llu, "
               "\"skipped\": %llu, \"literals\": %llu, \"unfiltered\": %llu, "
               "\"compiled\": %s\n}\n",
               (unsigned long long)st->files, (unsigned long long)st->loaded,
               (unsigned long long)st->filters,
               (unsigned long long)st->correlations,
               (unsigned long long)st->refused, (unsigned long long)st->skipped,
               (unsigned long long)st->literals,
               (unsigned long long)st->unfiltered, compiled ? "true" : "false");
        return;
    }
    fprintf(
        o->list ? stderr : stdout,
        "%llu files: %llu rules loaded (%llu detection, %llu "
        "filter, %llu correlation), %llu refused (%.2f%% loaded); "
        "prefilter: %llu literals, %llu rules without one\n",
        (unsigned long long)st->files, (unsigned long long)rules_count(st),
        (unsigned long long)st->loaded, (unsigned long long)st->filters,
        (unsigned long long)st->correlations, (unsigned long long)st->refused,
        total ? 100.0 * (double)rules_count(st) / (double)total : 100.0,
        (unsigned long long)st->literals, (unsigned long long)st->unfiltered);
    if (st->skipped)
        fprintf(o->list ? stderr : stdout,
                "%llu YAML documents skipped: not Sigma rules (no title, "
                "logsource, detection or correlation)\n",
                (unsigned long long)st->skipped);
}

struct rules_args {
    const char *cfg_path;
    struct cli_placeholders *ph;
    struct rules_src src[RULES_MAX_SRC]; /* the paths given */
    size_t npaths;
};

/* Options into o and a (argv[0]: the action or "rules"); returns an
 * exit code, or -1 to go on. */
static int
parse_args(int argc, char **argv, struct rules_out *o, struct rules_args *a)
{
    struct cli_opts co;
    char why[256];
    int c;

    cli_opts_start(&co, &cmd, argc, argv);
    while ((c = cli_opts_next(&co)) >= 0) {
        switch (c) {
        case OPT_JSON:
            o->json = 1;
            break;
        case OPT_CONFIG:
            a->cfg_path = co.val;
            break;
        case OPT_PLACEHOLDER:
            if (!cli_placeholder_arg(a->ph, co.val, why, sizeof(why)))
                return cli_usage_error(&cmd, "--placeholder %s", why);
            break;
        }
    }
    if (c == CLI_OPTS_EXIT)
        return co.exit;
    if (co.nargs > RULES_MAX_SRC) {
        fprintf(stderr, "vigil rules: at most %d paths\n", RULES_MAX_SRC);
        return VIGIL_EXIT_USAGE;
    }
    for (int i = 0; i < co.nargs; i++)
        a->src[a->npaths++] = (struct rules_src){co.args[i], "argument"};
    return -1;
}

/* Loads every source into d; prints where each one's rules came from
 * (to stderr with list, so the table stays one rule a line). */
static int
load_sources(struct vigil_detect *d, const struct rules_out *o,
             const struct rules_src *src, size_t nsrc, int show)
{
    struct vigil_err err = {0};
    struct vigil_detect_stats before, after;
    int rc = VIGIL_EXIT_OK;

    for (size_t i = 0; i < nsrc; i++) {
        vigil_detect_get_stats(d, &before);
        if (vigil_detect_add_path(d, src[i].path, &err) != VIGIL_OK) {
            fprintf(stderr, "vigil rules: %s\n", err.msg);
            rc = VIGIL_EXIT_NOINPUT;
            vigil_err_clear(&err);
            continue;
        }
        vigil_detect_get_stats(d, &after);
        if (show && !o->json)
            fprintf(o->list ? stderr : stdout,
                    "from %s (%s): %llu rules, %llu refused\n", src[i].path,
                    src[i].what,
                    (unsigned long long)(rules_count(&after) -
                                         rules_count(&before)),
                    (unsigned long long)(after.refused - before.refused));
    }
    return rc;
}

int
cmd_rules(int argc, char **argv)
{
    struct rules_out o;
    struct rules_args a;
    struct vigil_daemon_config *cfg = NULL;
    const struct vigil_detect_config *dcfg = NULL;
    struct rules_srcs r; /* outlives the load: a.src points into it */
    struct vigil_detect_opts opts;
    struct vigil_detect *d = NULL;
    struct vigil_err err = {0};
    struct vigil_detect_stats st;
    int rc, first = 0, from_daemon;

    memset(&o, 0, sizeof(o));
    memset(&a, 0, sizeof(a));
    o.first = 1;
    o.list = 1;
    /* The action, if any, is the first word; the options follow it. */
    if (argc >= 2 && strcmp(argv[1], "check") == 0) {
        o.list = 0;
        first = 1;
    } else if (argc >= 2 && strcmp(argv[1], "list") == 0) {
        first = 1;
    } else if (argc >= 2 && argv[1][0] != '-') {
        return cli_usage_error(&cmd, "unknown action '%s'", argv[1]);
    }
    if ((a.ph = calloc(1, sizeof(*a.ph))) == NULL) {
        fprintf(stderr, "vigil rules: out of memory\n");
        return VIGIL_EXIT_SOFTWARE;
    }
    if ((rc = parse_args(argc - first, argv + first, &o, &a)) >= 0)
        goto out;
    rc = VIGIL_EXIT_OK;
    from_daemon = a.npaths == 0;
    if (a.cfg_path != NULL || from_daemon) {
        enum vigil_rc lrc = vigil_daemon_config_load(&cfg, a.cfg_path, &err);

        if (lrc != VIGIL_OK) {
            fprintf(stderr, "vigil rules: %s\n", err.msg);
            rc = cli_config_exit(lrc);
            goto out;
        }
        dcfg = vigil_daemon_config_section(cfg, "detect");
        cli_placeholders_from_config(a.ph, dcfg);
    }
    if (from_daemon) {
        r.src = a.src;
        r.nsrc = &a.npaths;
        if (vigil_detect_config_paths(dcfg, add_src, &r, &err) != VIGIL_OK) {
            fprintf(stderr, "vigil rules: %s\n", err.msg);
            rc = VIGIL_EXIT_NOINPUT;
            goto out;
        }
    }
    cli_log_to_stderr(0);
    vigil_buf_init(&o.b, 1024 * 1024);
    memset(&opts, 0, sizeof(opts));
    opts.report = on_report;
    opts.report_arg = &o;
    cli_placeholders_apply(a.ph, &opts);
    if (vigil_detect_new(&d, &opts, &err) != VIGIL_OK) {
        fprintf(stderr, "vigil rules: %s\n", err.msg);
        rc = VIGIL_EXIT_SOFTWARE;
        goto out;
    }
    if (o.json)
        printf("{\n  \"rules\": [");
    rc = load_sources(d, &o, a.src, a.npaths, from_daemon || a.npaths > 1);
    int compiled = vigil_detect_compile(d, &err) == VIGIL_OK;
    vigil_detect_get_stats(d, &st);
    print_summary(&o, &st, compiled);
    if (!compiled) {
        fprintf(stderr, "vigil rules: %s\n", err.msg);
        rc = VIGIL_EXIT_SOFTWARE;
    } else if (rc == VIGIL_EXIT_OK && st.refused && !o.list) {
        rc = 1;
    }
out:
    vigil_detect_free(d);
    vigil_buf_fini(&o.b);
    vigil_daemon_config_free(cfg);
    free(a.ph);
    return rc;
}
