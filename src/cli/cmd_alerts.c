/* cmd_alerts.c -- `vigil alerts`: prints the alerts the daemon stored,
 * newest first, as a table (time, level, rule, the fields that matched)
 * or as JSON lines. Opens the store read-only, so it can run beside
 * `vigil run`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "core/core.h"
#include "store/store.h"

#define ALERTS_DEFAULT_LIMIT 50
#define ALERTS_KEYS_WIDTH    100

#define STR_(x) #x
#define STR(x)  STR_(x)

enum { OPT_STATE_DIR, OPT_CONFIG, OPT_JSON, OPT_LIMIT };

static const struct cli_opt opts[] = {
    {OPT_STATE_DIR, "state-dir", 0, "DIR",
     "the daemon's state directory (default: as for `vigil run`: "
     "$VIGIL_STATE_DIR, /var/lib/vigil for root, else "
     "~/.local/state/vigil)."},
    {OPT_CONFIG, "config", 'c', "FILE",
     "take the state directory from this configuration."},
    {OPT_JSON, "json", 0, NULL,
     "one JSON object per line: time, rule_id, title, level, tags, source, "
     "matched (the fields that matched; for correlations also "
     "correlation.count, correlation.group and correlation.events) and "
     "event (the whole event)."},
    {OPT_LIMIT, "limit", 'n', "N",
     "at most N alerts (default " STR(ALERTS_DEFAULT_LIMIT) "; 0: all)."},
};

static void usage(FILE *out);

static const struct cli_cmd cmd = {
    .name = "alerts",
    .synopsis = "usage: vigil alerts [--state-dir DIR | -c FILE] [--json] "
                "[--limit N]\n",
    .opts = opts,
    .nopts = CLI_NOPTS(opts),
    .usage = usage,
};

static void
usage(FILE *out)
{
    fprintf(out,
            "%s\n"
            "Prints the alerts `vigil run` stored, newest first (by the time "
            "of the event\nthat raised them).\n\n",
            cmd.synopsis);
    cli_opts_help(out, &cmd);
    fprintf(out, "\nExit codes: 0 printed (also when there is no alert), 64 "
                 "bad command line,\n66 no store in the state directory, 74 "
                 "store error.\n");
}

struct print_ctx {
    int json;
    uint64_t n;
};

/* "k=v k=v" of the matched fields (correlations: group and count). */
static void
key_fields(const char *matched, char *dst, size_t len)
{
    json_t *root = matched ? json_loads(matched, 0, NULL) : NULL;
    const char *k;
    json_t *v;
    size_t used = 0;

    dst[0] = '\0';
    if (!json_is_object(root)) {
        json_decref(root);
        return;
    }
    json_object_foreach(root, k, v)
    {
        char num[32];
        const char *text = NULL;
        int w;

        if (strcmp(k, "correlation.events") == 0)
            continue;
        if (json_is_string(v)) {
            text = json_string_value(v);
        } else if (json_is_integer(v)) {
            snprintf(num, sizeof(num), "%lld",
                     (long long)json_integer_value(v));
            text = num;
        } else {
            continue;
        }
        if (strcmp(k, "correlation.group") == 0)
            w = snprintf(dst + used, len - used, "%s%s", used ? " " : "", text);
        else if (strcmp(k, "correlation.count") == 0)
            w = snprintf(dst + used, len - used, "%scount=%s", used ? " " : "",
                         text);
        else
            w = snprintf(dst + used, len - used, "%s%s=%s", used ? " " : "", k,
                         text);
        if (w < 0 || (size_t)w >= len - used) {
            if (len > 4)
                memcpy(dst + len - 4, "...", 4);
            break;
        }
        used += (size_t)w;
    }
    /* control characters from hostile logs must not reach the terminal */
    for (char *p = dst; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    json_decref(root);
}

static void
put_json_str(const char *s)
{
    struct vigil_buf b;

    vigil_buf_init(&b, 1024 * 1024);
    if (vigil_buf_json_str(&b, s ? s : "", s ? strlen(s) : 0) == VIGIL_OK)
        fwrite(b.data, 1, b.len, stdout);
    else
        fputs("\"\"", stdout);
    vigil_buf_fini(&b);
}

static int
print_one(const struct vigil_alert *a, void *arg)
{
    struct print_ctx *pc = arg;
    char ts[40];

    vigil_time_format(a->time_ns, ts);
    pc->n++;
    if (pc->json) {
        printf("{\"time\":\"%s\",\"rule_id\":", ts);
        put_json_str(a->rule_id);
        fputs(",\"title\":", stdout);
        put_json_str(a->title);
        fputs(",\"level\":", stdout);
        put_json_str(a->level);
        printf(",\"tags\":%s,\"source\":",
               a->tags_json && a->tags_json[0] ? a->tags_json : "[]");
        put_json_str(a->source);
        printf(",\"matched\":%s,\"event\":%s}\n",
               a->matched_json && a->matched_json[0] ? a->matched_json : "{}",
               a->event_json && a->event_json[0] ? a->event_json : "{}");
    } else {
        char keys[ALERTS_KEYS_WIDTH + 1];
        char title[61];

        key_fields(a->matched_json, keys, sizeof(keys));
        snprintf(title, sizeof(title), "%s", a->title ? a->title : "");
        for (char *p = title; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = '?';
        if (pc->n == 1)
            printf("%-27s %-13s %-44s %s\n", "TIME", "LEVEL", "RULE",
                   "MATCHED");
        printf("%-27s %-13s %-44.60s %s\n", ts, a->level ? a->level : "", title,
               keys);
    }
    return ferror(stdout) ? 1 : 0;
}

int
cmd_alerts(int argc, char **argv)
{
    const char *state_opt = NULL, *cfg_path = NULL;
    struct print_ctx pc = {0};
    int64_t limit = ALERTS_DEFAULT_LIMIT;
    char db[4200];
    struct vigil_store *store = NULL;
    struct vigil_err err = {0};
    int ret = VIGIL_EXIT_OK, c;
    struct cli_opts o;

    cli_opts_start(&o, &cmd, argc, argv);
    while ((c = cli_opts_next(&o)) >= 0) {
        switch (c) {
        case OPT_JSON:
            pc.json = 1;
            break;
        case OPT_STATE_DIR:
            state_opt = o.val;
            break;
        case OPT_CONFIG:
            cfg_path = o.val;
            break;
        case OPT_LIMIT:
            if (!vigil_parse_i64(o.val, strlen(o.val), &limit) || limit < 0)
                return cli_usage_error(
                    &cmd, "--limit wants a number >= 0, not '%s'", o.val);
            break;
        }
    }
    if (c == CLI_OPTS_EXIT)
        return o.exit;
    if (o.nargs > 0)
        return cli_usage_error(&cmd, "unexpected argument '%s'", o.args[0]);
    cli_log_to_stderr(0);
    ret = cli_open_store_readonly("alerts", state_opt, cfg_path, &store, db,
                                  sizeof(db));
    if (ret != VIGIL_EXIT_OK)
        return ret;
    if (vigil_store_alerts_each(store, limit == 0 ? INT64_MAX : limit,
                                print_one, &pc, &err) != VIGIL_OK) {
        fprintf(stderr, "vigil alerts: %s\n", err.msg);
        ret = VIGIL_EXIT_IOERR;
    } else if (!pc.json && pc.n == 0) {
        printf("no alerts in %s\n", db);
    }
    if (fflush(stdout) != 0)
        ret = VIGIL_EXIT_IOERR;
    vigil_store_close(store);
    return ret;
}
