/* cmd_status.c -- `vigil status`: the daemon's per-source counters and
 * the store's totals, read from the store without writing to it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/core.h"
#include "store/store.h"

#define STATUS_MAX_SOURCES 1024
#define STATUS_MAX_NET     64
#define STATUS_MAX_FIM     64 /* the monitor and its data-loss stores */

enum { OPT_STATE_DIR, OPT_CONFIG, OPT_JSON, OPT_EVENTS, OPT_GREP };

static const struct cli_opt opts[] = {
    {OPT_STATE_DIR, "state-dir", 0, "DIR",
     "the daemon's state directory (default: as `vigil run`)."},
    {OPT_CONFIG, "config", 'c', "FILE",
     "take state_dir from this configuration."},
    {OPT_JSON, "json", 0, NULL, "one JSON object instead of a table."},
    {OPT_EVENTS, "events", 0, NULL,
     "print the archived events instead, one JSON object a line, oldest "
     "first (needs store.archive_events)."},
    {OPT_GREP, "grep", 0, "TEXT",
     "with --events: only events whose JSON contains TEXT."},
};

static void usage(FILE *out);

static const struct cli_cmd cmd = {
    .name = "status",
    .synopsis = "usage: vigil status [--state-dir DIR | -c FILE] [--json]\n"
                "       vigil status [--state-dir DIR | -c FILE] --events "
                "[--grep TEXT]\n",
    .opts = opts,
    .nopts = CLI_NOPTS(opts),
    .usage = usage,
};

static void
usage(FILE *out)
{
    fprintf(out,
            "%s\n"
            "Shows what `vigil run` has stored: per source the lines read, "
            "decoded,\nfailed (undecodable, binary, over 1 MiB), dropped "
            "(UDP datagrams the kernel\ndropped, records lost to a store "
            "failure), bytes lost to truncation (a file\ntruncated before "
            "vigil read them, its copy not found), rotated files\nunread "
            "(bytes written to a rotated file after vigil let it go; files "
            "rotated\naway while vigil was stopped that it could not read) "
            "and alerts raised,\nwith the time of the last update; "
            "for each network capture (net:) the\npackets seen, flows, flows "
            "evicted from a full table, packets the kernel\nand the "
            "interface dropped, and alerts; "
            "for file integrity monitoring (fim:)\nthe file events seen in "
            "the watched trees and emitted, kernel queue\noverflows, "
            "ransomware and canary detections, processes stopped, and per\n"
            "data-loss store the measurements taken and failed, alerts and "
            "the last\nmeasurement; "
            "then the number of archived events and\nalerts. The store is "
            "opened read-only; the daemon may keep running.\n\n",
            cmd.synopsis);
    cli_opts_help(out, &cmd);
    fprintf(out, "\nExit codes: 0 shown, 64 bad command line, 66 no store in "
                 "the state\ndirectory (the daemon never ran there), 74 store "
                 "error, 78 configuration\nrefused.\n");
}

struct rows {
    struct vigil_source_counters c[STATUS_MAX_SOURCES];
    int64_t updated[STATUS_MAX_SOURCES];
    size_t n;
    /* the network captures' reports (state "net", one JSON object per
     * interface, src/daemon/comp_net.c), each NUL-terminated */
    char *net[STATUS_MAX_NET];
    int64_t net_updated[STATUS_MAX_NET];
    size_t nnet;
    /* the file monitor's reports (state "fim", src/daemon/comp_fim.c):
     * key "monitor", then "store:NAME" per data-loss store */
    char *fim[STATUS_MAX_FIM];
    int64_t fim_updated[STATUS_MAX_FIM];
    size_t nfim;
};

/* Keeps one JSON object report of a component's state, at most max. */
static int
keep_report(char **dst, int64_t *updated, size_t *n, size_t max,
            const void *blob, size_t len, int64_t updated_ns)
{
    char *s;

    if (*n >= max || len == 0 || len > 4096 || ((const char *)blob)[0] != '{')
        return 0;
    if ((s = malloc(len + 1)) == NULL)
        return 1;
    memcpy(s, blob, len);
    s[len] = '\0';
    updated[*n] = updated_ns;
    dst[(*n)++] = s;
    return 0;
}

static int
collect_net(const char *component, const char *key, const void *blob,
            size_t len, int64_t updated_ns, void *arg)
{
    struct rows *r = arg;

    (void)component;
    (void)key;
    return keep_report(r->net, r->net_updated, &r->nnet, STATUS_MAX_NET, blob,
                       len, updated_ns);
}

static int
collect_fim(const char *component, const char *key, const void *blob,
            size_t len, int64_t updated_ns, void *arg)
{
    struct rows *r = arg;

    (void)component;
    if (strcmp(key, "monitor") != 0 && strncmp(key, "store:", 6) != 0)
        return 0;
    return keep_report(r->fim, r->fim_updated, &r->nfim, STATUS_MAX_FIM, blob,
                       len, updated_ns);
}

/* A number of a report (0 when absent). */
static unsigned long long
net_num(const char *json, const char *name)
{
    char key[64];
    const char *p;

    snprintf(key, sizeof(key), "\"%s\":", name);
    p = strstr(json, key);
    return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

/* A string of a report, up to its closing quote (escapes kept). */
static void
json_strv(const char *json, const char *name, char *out, size_t outsz)
{
    char key[64];
    const char *p;
    size_t n = 0;

    snprintf(key, sizeof(key), "\"%s\":\"", name);
    if ((p = strstr(json, key)) != NULL)
        for (p += strlen(key);
             p[n] && (p[n] != '"' || (n > 0 && p[n - 1] == '\\')) &&
             n + 1 < outsz;
             n++)
            out[n] = p[n];
    out[n] = '\0';
}

static void
net_iface(const char *json, char *out, size_t outsz)
{
    json_strv(json, "interface", out, outsz);
}

static int
collect(const struct vigil_source_counters *c, int64_t updated_ns, void *arg)
{
    struct rows *r = arg;

    if (r->n >= STATUS_MAX_SOURCES)
        return 1;
    r->c[r->n] = *c;
    r->updated[r->n++] = updated_ns;
    return 0;
}

static int
print_event(const char *json, size_t len, void *arg)
{
    (void)arg;
    fwrite(json, 1, len, stdout);
    putchar('\n');
    return ferror(stdout) ? 1 : 0;
}

/* The monitor's report among the fim reports, or NULL. */
static const char *
fim_monitor(const struct rows *r)
{
    for (size_t i = 0; i < r->nfim; i++)
        if (strncmp(r->fim[i], "{\"monitor\":", 11) == 0)
            return r->fim[i];
    return NULL;
}

static size_t
mon_at(const struct rows *r, const char *mon)
{
    size_t i = 0;

    while (i < r->nfim && r->fim[i] != mon)
        i++;
    return i;
}

static int
print_json(const char *db, int version, const struct rows *r, int64_t events,
           int64_t alerts)
{
    struct vigil_buf b;
    char ts[40];
    int ok;

    vigil_buf_init(&b, 16 * 1024 * 1024);
    vigil_buf_printf(&b, "{\"store\":");
    vigil_buf_json_str(&b, db, strlen(db));
    vigil_buf_printf(&b,
                     ",\"schema_version\":%d,\"events\":%lld,\"alerts\":%lld,"
                     "\"sources\":[",
                     version, (long long)events, (long long)alerts);
    for (size_t i = 0; i < r->n; i++) {
        const struct vigil_source_counters *c = &r->c[i];
        vigil_time_format(r->updated[i], ts);
        vigil_buf_printf(&b, "%s{\"name\":", i ? "," : "");
        vigil_buf_json_str(&b, c->name, strlen(c->name));
        vigil_buf_printf(
            &b,
            ",\"events_in\":%llu,\"decoded\":%llu,\"failed\":%llu,"
            "\"dropped\":%llu,\"truncated_bytes\":%llu,"
            "\"unread_bytes\":%llu,\"unread_files\":%llu,\"alerts\":%llu,"
            "\"updated\":\"%s\"}",
            (unsigned long long)c->events_in, (unsigned long long)c->decoded,
            (unsigned long long)c->failed, (unsigned long long)c->dropped,
            (unsigned long long)c->truncated, (unsigned long long)c->unread,
            (unsigned long long)c->unread_files, (unsigned long long)c->alerts,
            ts);
    }
    vigil_buf_printf(&b, "],\"net\":[");
    for (size_t i = 0; i < r->nnet; i++) {
        /* the report, with the time it was stored */
        vigil_time_format(r->net_updated[i], ts);
        vigil_buf_printf(&b, "%s%.*s,\"updated\":\"%s\"}", i ? "," : "",
                         (int)(strlen(r->net[i]) - 1), r->net[i], ts);
    }
    /* the monitor's report, with its stores' in a list */
    vigil_buf_printf(&b, "],\"fim\":");
    const char *mon = fim_monitor(r);
    if (mon == NULL) {
        vigil_buf_printf(&b, "null");
    } else {
        vigil_time_format(r->fim_updated[mon_at(r, mon)], ts);
        vigil_buf_printf(&b, "%.*s,\"updated\":\"%s\",\"stores\":[",
                         (int)(strlen(mon) - 1), mon, ts);
        for (size_t i = 0, n = 0; i < r->nfim; i++) {
            if (r->fim[i] == mon)
                continue;
            vigil_time_format(r->fim_updated[i], ts);
            vigil_buf_printf(&b, "%s%.*s,\"updated\":\"%s\"}", n++ ? "," : "",
                             (int)(strlen(r->fim[i]) - 1), r->fim[i], ts);
        }
        vigil_buf_printf(&b, "]}");
    }
    ok = vigil_buf_printf(&b, "}\n") == VIGIL_OK;
    if (ok)
        fwrite(b.data, 1, b.len, stdout);
    vigil_buf_fini(&b);
    return ok ? VIGIL_EXIT_OK : VIGIL_EXIT_SOFTWARE;
}

static void
print_table(const char *db, const struct rows *r, int64_t events,
            int64_t alerts)
{
    char ts[40];

    printf("store: %s\n\n", db);
    printf("%-24s %12s %12s %10s %10s %12s %12s %8s  %s\n", "SOURCE", "IN",
           "DECODED", "FAILED", "DROPPED", "TRUNC_BYTES", "UNREAD_BYTES",
           "ALERTS", "UPDATED");
    for (size_t i = 0; i < r->n; i++) {
        const struct vigil_source_counters *c = &r->c[i];
        vigil_time_format(r->updated[i], ts);
        ts[19] = '\0'; /* to the second */
        printf("%-24.24s %12llu %12llu %10llu %10llu %12llu %12llu %8llu  "
               "%sZ\n",
               c->name, (unsigned long long)c->events_in,
               (unsigned long long)c->decoded, (unsigned long long)c->failed,
               (unsigned long long)c->dropped, (unsigned long long)c->truncated,
               (unsigned long long)c->unread, (unsigned long long)c->alerts,
               ts);
        if (c->unread_files > 0)
            printf("%-24s %llu rotated file(s) could not be read\n", "",
                   (unsigned long long)c->unread_files);
    }
    if (r->n == 0)
        printf("(no source has reported yet)\n");
    if (r->nnet > 0) {
        printf("\n%-16s %14s %12s %10s %12s %10s %8s  %s\n", "CAPTURE",
               "PACKETS", "FLOWS", "EVICTED", "KERNEL_DROPS", "IF_DROPS",
               "ALERTS", "UPDATED");
        for (size_t i = 0; i < r->nnet; i++) {
            const char *j = r->net[i];
            char name[64];

            net_iface(j, name, sizeof(name));
            vigil_time_format(r->net_updated[i], ts);
            ts[19] = '\0';
            printf("%-16.16s %14llu %12llu %10llu %12llu %10llu %8llu  %sZ\n",
                   name, net_num(j, "packets"), net_num(j, "flows"),
                   net_num(j, "evicted"), net_num(j, "kernel_drops"),
                   net_num(j, "if_drops"), net_num(j, "alerts"), ts);
        }
    }
    const char *mon = fim_monitor(r);
    if (mon != NULL) {
        char kind[16];

        json_strv(mon, "monitor", kind, sizeof(kind));
        vigil_time_format(r->fim_updated[mon_at(r, mon)], ts);
        ts[19] = '\0';
        printf("\n%-10s %12s %12s %9s %10s %7s %8s %9s  %s\n", "FIM", "SEEN",
               "EMITTED", "OVERFLOWS", "RANSOMWARE", "CANARY", "STOPPED",
               "DATA_LOSS", "UPDATED");
        printf("%-10.10s %12llu %12llu %9llu %10llu %7llu %8llu %9llu  %sZ\n",
               kind, net_num(mon, "events_seen"),
               net_num(mon, "events_emitted"), net_num(mon, "overflows"),
               net_num(mon, "ransomware"), net_num(mon, "canary"),
               net_num(mon, "stopped"), net_num(mon, "data_loss"), ts);
        for (size_t i = 0, n = 0; i < r->nfim; i++) {
            char name[64], last[40];
            const char *j = r->fim[i];

            if (j == mon)
                continue;
            if (n++ == 0)
                printf("%-24s %10s %8s %8s %16s %12s  %s\n", "STORE",
                       "MEASURED", "FAILED", "ALERTS", "BYTES", "ITEMS",
                       "LAST_MEASURED");
            json_strv(j, "store", name, sizeof(name));
            json_strv(j, "last_measured", last, sizeof(last));
            if (last[0] != '\0' && strlen(last) > 19)
                snprintf(last + 19, sizeof(last) - 19, "Z");
            printf("%-24.24s %10llu %8llu %8llu %16llu %12llu  %s\n", name,
                   net_num(j, "measured"), net_num(j, "failed"),
                   net_num(j, "alerts"), net_num(j, "bytes"),
                   net_num(j, "items"), last[0] ? last : "-");
        }
    }
    printf("\narchived events: %lld\nalerts: %lld\n", (long long)events,
           (long long)alerts);
}

int
cmd_status(int argc, char **argv)
{
    const char *state_opt = NULL, *cfg_path = NULL;
    int json = 0, events_only = 0, ret = VIGIL_EXIT_OK, c;
    struct cli_opts o;
    const char *needle = NULL;
    char db[4200];
    struct vigil_store *store = NULL;
    struct vigil_err err = {0};
    struct rows *rows = NULL;
    int64_t events = 0, alerts = 0;

    cli_opts_start(&o, &cmd, argc, argv);
    while ((c = cli_opts_next(&o)) >= 0) {
        switch (c) {
        case OPT_JSON:
            json = 1;
            break;
        case OPT_EVENTS:
            events_only = 1;
            break;
        case OPT_GREP:
            needle = o.val;
            events_only = 1;
            break;
        case OPT_STATE_DIR:
            state_opt = o.val;
            break;
        case OPT_CONFIG:
            cfg_path = o.val;
            break;
        }
    }
    if (c == CLI_OPTS_EXIT)
        return o.exit;
    if (o.nargs > 0)
        return cli_usage_error(&cmd, "unexpected argument '%s'", o.args[0]);
    cli_log_to_stderr(0);
    ret = cli_open_store_readonly("status", state_opt, cfg_path, &store, db,
                                  sizeof(db));
    if (ret != VIGIL_EXIT_OK)
        return ret;
    if (events_only) {
        if (vigil_store_events_each(store, needle, 0, 0, print_event, NULL,
                                    &err) != VIGIL_OK) {
            fprintf(stderr, "vigil status: %s\n", err.msg);
            ret = VIGIL_EXIT_IOERR;
        }
        if (fflush(stdout) != 0)
            ret = VIGIL_EXIT_IOERR;
        goto out;
    }
    if ((rows = calloc(1, sizeof(*rows))) == NULL) {
        ret = VIGIL_EXIT_SOFTWARE;
        goto out;
    }
    if (vigil_store_counters_each(store, collect, rows, &err) != VIGIL_OK ||
        vigil_store_state_each(store, "net", collect_net, rows, &err) !=
            VIGIL_OK ||
        vigil_store_state_each(store, "fim", collect_fim, rows, &err) !=
            VIGIL_OK ||
        vigil_store_count(store, &events, &alerts, &err) != VIGIL_OK) {
        fprintf(stderr, "vigil status: %s\n", err.msg);
        ret = VIGIL_EXIT_IOERR;
        goto out;
    }
    if (json)
        ret = print_json(db, vigil_store_schema_version(store), rows, events,
                         alerts);
    else
        print_table(db, rows, events, alerts);
out:
    for (size_t i = 0; rows != NULL && i < rows->nnet; i++)
        free(rows->net[i]);
    for (size_t i = 0; rows != NULL && i < rows->nfim; i++)
        free(rows->fim[i]);
    free(rows);
    vigil_store_close(store);
    return ret;
}
