/* cmd_rules.c -- `vigil rules check|list DIR|FILE...`: load Sigma rules
 * the way the daemon and hunt do, and say what loaded (from where) and
 * what was refused and why (`file:line: message`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
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

static void
usage(FILE *f)
{
    fprintf(f,
            "usage: vigil rules check [--json] DIR|FILE...\n"
            "       vigil rules list [--json] DIR|FILE...\n"
            "\n"
            "check  loads every *.yml/*.yaml below the paths as the daemon\n"
            "       would and prints each rule as loaded or refused with\n"
            "       `file:line: reason`, then a summary. Exit 0 when every\n"
            "       rule loads, 1 when some were refused, 66 when a path is\n"
            "       unreadable.\n"
            "list   prints the loaded rules: id, level, kind, logsource,\n"
            "       file:line, title (tab-separated).\n"
            "Placeholders for |expand: --placeholder NAME=VALUE (repeat).\n"
            "See docs/rules.md.\n");
}

int
cmd_rules(int argc, char **argv)
{
    struct rules_out o;
    struct vigil_detect_opts opts;
    struct vigil_detect *d = NULL;
    struct vigil_err err = {0};
    struct vigil_detect_stats st;
    struct vigil_detect_placeholder ph[64];
    const char *phv[64];
    char phname[64][128];
    size_t nph = 0;
    int rc = VIGIL_EXIT_OK, npaths = 0;

    if (argc < 2 || cli_wants_help(argc, argv)) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? VIGIL_EXIT_USAGE : VIGIL_EXIT_OK;
    }
    memset(&o, 0, sizeof(o));
    o.first = 1;
    if (strcmp(argv[1], "list") == 0)
        o.list = 1;
    else if (strcmp(argv[1], "check") != 0) {
        fprintf(stderr, "vigil rules: unknown action '%s'\n", argv[1]);
        usage(stderr);
        return VIGIL_EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            o.json = 1;
        } else if (strcmp(argv[i], "--placeholder") == 0 && i + 1 < argc) {
            const char *eq = strchr(argv[++i], '=');
            size_t nl = eq ? (size_t)(eq - argv[i]) : 0;
            if (!eq || nl == 0 || nl >= sizeof(phname[0]) || nph == 64) {
                fprintf(stderr, "vigil rules: bad --placeholder '%s'\n",
                        argv[i]);
                return VIGIL_EXIT_USAGE;
            }
            memcpy(phname[nph], argv[i], nl);
            phname[nph][nl] = '\0';
            phv[nph] = eq + 1;
            ph[nph].name = phname[nph];
            ph[nph].values = &phv[nph];
            ph[nph].nvalues = 1;
            nph++;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "vigil rules: unknown option '%s'\n", argv[i]);
            return VIGIL_EXIT_USAGE;
        } else {
            npaths++;
        }
    }
    if (!npaths) {
        usage(stderr);
        return VIGIL_EXIT_USAGE;
    }
    cli_log_to_stderr(0);
    vigil_buf_init(&o.b, 1024 * 1024);
    memset(&opts, 0, sizeof(opts));
    opts.report = on_report;
    opts.report_arg = &o;
    opts.placeholders = ph;
    opts.nplaceholders = nph;
    if (vigil_detect_new(&d, &opts, &err) != VIGIL_OK) {
        fprintf(stderr, "vigil rules: %s\n", err.msg);
        vigil_buf_fini(&o.b);
        return VIGIL_EXIT_SOFTWARE;
    }
    if (o.json)
        printf("{\n  \"rules\": [");
    for (int i = 2; i < argc; i++) {
        if (argv[i][0] == '-') {
            if (strcmp(argv[i], "--placeholder") == 0)
                i++;
            continue;
        }
        if (vigil_detect_add_path(d, argv[i], &err) != VIGIL_OK) {
            fprintf(stderr, "vigil rules: %s\n", err.msg);
            rc = VIGIL_EXIT_NOINPUT;
            vigil_err_clear(&err);
        }
    }
    int compiled = vigil_detect_compile(d, &err) == VIGIL_OK;
    vigil_detect_get_stats(d, &st);
    if (o.json) {
        printf(
            "\n  ],\n  \"files\": %llu, \"loaded\": %llu, \"filters\": "
            "%llu, \"correlations\": %llu, \"refused\": %llu, "
            "\"literals\": %llu, \"unfiltered\": %llu, \"compiled\": %s\n}\n",
            (unsigned long long)st.files, (unsigned long long)st.loaded,
            (unsigned long long)st.filters, (unsigned long long)st.correlations,
            (unsigned long long)st.refused, (unsigned long long)st.literals,
            (unsigned long long)st.unfiltered, compiled ? "true" : "false");
    } else {
        uint64_t total = st.loaded + st.filters + st.correlations + st.refused;
        fprintf(
            o.list ? stderr : stdout,
            "%llu files: %llu rules loaded (%llu detection, %llu "
            "filter, %llu correlation), %llu refused (%.2f%% loaded); "
            "prefilter: %llu literals, %llu rules without one\n",
            (unsigned long long)st.files,
            (unsigned long long)(total - st.refused),
            (unsigned long long)st.loaded, (unsigned long long)st.filters,
            (unsigned long long)st.correlations, (unsigned long long)st.refused,
            total ? 100.0 * (double)(total - st.refused) / (double)total
                  : 100.0,
            (unsigned long long)st.literals, (unsigned long long)st.unfiltered);
    }
    if (!compiled) {
        fprintf(stderr, "vigil rules: %s\n", err.msg);
        rc = VIGIL_EXIT_SOFTWARE;
    } else if (rc == VIGIL_EXIT_OK && st.refused && !o.list) {
        rc = 1;
    }
    vigil_detect_free(d);
    vigil_buf_fini(&o.b);
    return rc;
}
