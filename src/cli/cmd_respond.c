/* cmd_respond.c -- `vigil respond`: containment by hand. block, isolate,
 * stop, lock and their undoing run in this process (the administrator
 * runs it as root) through the same checks as the daemon's helper, with
 * the management networks and allow-list of the configuration (-c);
 * every action is recorded in the store with who and why. list shows
 * them, undo lifts one by its id. */
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/core.h"
#include "daemon/daemon.h"
#include "respond/respond.h"
#include "store/store.h"

/* Exit codes of its own (also in its --help and man page). */
#define EXIT_FAILED  1  /* the system refused (nft, kill, usermod failed) */
#define EXIT_REFUSED 2  /* vigil's checks refused it */
#define EXIT_NOPERM  77 /* not root */

enum {
    OPT_STATE_DIR,
    OPT_CONFIG,
    OPT_FOR,
    OPT_REASON,
    OPT_DRY_RUN,
    OPT_JSON,
    OPT_LIMIT
};

#define COMMON_OPTS                                                            \
    {OPT_CONFIG, "config", 'c', "FILE",                                        \
     "the daemon's configuration: its response.management and "                \
     "response.allow are never blocked, and its state_dir holds the "          \
     "record."},                                                               \
    {                                                                          \
        OPT_STATE_DIR, "state-dir", 0, "DIR",                                  \
            "the state directory (default: as `vigil run`)."                   \
    }

#define REASON_OPT                                                             \
    {                                                                          \
        OPT_REASON, "reason", 'r', "TEXT",                                     \
            "why, for the record (default: \"by hand\")."                      \
    }
#define DRY_OPT                                                                \
    {                                                                          \
        OPT_DRY_RUN, "dry-run", 'n', NULL,                                     \
            "check and record it, change nothing."                             \
    }
#define FOR_OPT                                                                \
    {                                                                          \
        OPT_FOR, "for", 0, "DURATION",                                         \
            "undo it by itself after DURATION (24h, 30m, 90s); default: "      \
            "until "                                                           \
            "undone."                                                          \
    }

static const struct cli_opt opts_block[] = {COMMON_OPTS, FOR_OPT, REASON_OPT,
                                            DRY_OPT};
static const struct cli_opt opts_plain[] = {COMMON_OPTS, REASON_OPT, DRY_OPT};
static const struct cli_opt opts_list[] = {
    COMMON_OPTS,
    {OPT_JSON, "json", 0, NULL,
     "one JSON object per line: id, action, target, reason, actor, "
     "alert_uid, created, expires, state, detail."},
    {OPT_LIMIT, "limit", 0, "N", "at most N actions, newest first (0: all)."},
};
static const struct cli_opt opts_undo[] = {COMMON_OPTS, REASON_OPT};

struct sub {
    const char *name;
    enum vigil_respond_action action; /* 0: list or undo */
    const char *arg;                  /* the positional's name, or NULL */
    const char *what;
    const struct cli_opt *opts;
    size_t nopts;
};

static const struct sub subs[] = {
    {"block", VIGIL_RA_BLOCK, "ADDR",
     "Drops every packet from ADDR (IPv4 or IPv6) in nftables' table inet "
     "vigil\n(set blocked4 or blocked6, with the kernel expiring it after "
     "--for).",
     opts_block, CLI_NOPTS(opts_block)},
    {"unblock", VIGIL_RA_UNBLOCK, "ADDR",
     "Lifts the block of ADDR and marks its actions undone.", opts_plain,
     CLI_NOPTS(opts_plain)},
    {"isolate", VIGIL_RA_ISOLATE, NULL,
     "Cuts this host off: drops every packet in and out but loopback and "
     "the\nmanagement networks (response.management, which must not be "
     "empty).",
     opts_block, CLI_NOPTS(opts_block)},
    {"unisolate", VIGIL_RA_UNISOLATE, NULL,
     "Ends the isolation and marks it undone.", opts_plain,
     CLI_NOPTS(opts_plain)},
    {"stop", VIGIL_RA_STOP, "PID",
     "Stops process PID (SIGSTOP, then SIGKILL). Never pid 1 or a vigil "
     "process.\nCannot be undone.",
     opts_plain, CLI_NOPTS(opts_plain)},
    {"lock", VIGIL_RA_LOCK, "USER",
     "Locks the local account USER (usermod -L -e 1: no password, no key "
     "login).\nNever root or vigil's own account.",
     opts_block, CLI_NOPTS(opts_block)},
    {"unlock", VIGIL_RA_UNLOCK, "USER",
     "Unlocks USER (usermod -U -e '') and marks its lock undone.", opts_plain,
     CLI_NOPTS(opts_plain)},
    {"list", 0, NULL,
     "Lists the recorded actions, newest first: id, action, target, state, "
     "when,\nexpiry, who or which rule, and why.",
     opts_list, CLI_NOPTS(opts_list)},
    {"undo", 0, "ID",
     "Undoes the active action ID (a block, an isolation, a lock) and "
     "records who\ndid.",
     opts_undo, CLI_NOPTS(opts_undo)},
};
#define NSUBS (sizeof(subs) / sizeof(subs[0]))

static const struct sub *current;
static char synopsis[256];

static void
sub_usage(FILE *out)
{
    fprintf(out, "%s\n%s\n\n", synopsis, current->what);
    {
        struct cli_cmd c = {.opts = current->opts, .nopts = current->nopts};
        cli_opts_help(out, &c);
    }
    fprintf(out, "\nExit codes: 0 done, 1 the system refused it (nft, kill, "
                 "usermod failed),\n2 refused by vigil's checks (management "
                 "or allow-listed address, pid 1,\nvigil itself, root), 64 "
                 "bad command line, 65 not undoable or not active,\n66 no "
                 "such action, 74 store error, 77 not root, 78 "
                 "configuration refused.\n");
}

static void
top_usage(FILE *out)
{
    fprintf(out, "usage: vigil respond COMMAND [OPTIONS] [ARG]\n\n"
                 "Containment by hand, recorded in the store with who and "
                 "why.\n\nCommands:\n");
    for (size_t i = 0; i < NSUBS; i++)
        fprintf(out, "  %-10s %s%s\n", subs[i].name,
                subs[i].arg ? subs[i].arg : "",
                subs[i].action == VIGIL_RA_BLOCK ||
                        subs[i].action == VIGIL_RA_ISOLATE ||
                        subs[i].action == VIGIL_RA_LOCK
                    ? " [--for DURATION]"
                    : "");
    fprintf(out, "\nRun 'vigil respond COMMAND --help' for each one's "
                 "options (man vigil-respond).\n");
}

/* "user root", "user root (sudo from alice)". */
static void
who(char *dst, size_t len)
{
    struct passwd *pw = getpwuid(getuid());
    const char *sudo = getenv("SUDO_USER");

    snprintf(dst, len, "user %s%s%s%s", pw ? pw->pw_name : "?",
             sudo ? " (sudo from " : "", sudo ? sudo : "", sudo ? ")" : "");
}

struct print_ctx {
    int json;
    size_t n;
};

static void
put_json(const char *key, const char *s, int first)
{
    struct vigil_buf b;

    vigil_buf_init(&b, 1024 * 1024);
    if (vigil_buf_json_str(&b, s ? s : "", s ? strlen(s) : 0) == VIGIL_OK)
        printf("%s\"%s\":%s", first ? "" : ",", key, b.data);
    vigil_buf_fini(&b);
}

static int
print_row(const struct vigil_respond_row *r, void *arg)
{
    struct print_ctx *pc = arg;
    char created[40], expires[40] = "-";

    vigil_time_format(r->created_ns, created);
    if (r->expires_ns > 0)
        vigil_time_format(r->expires_ns, expires);
    if (pc->json) {
        putchar('{');
        put_json("id", r->id, 1);
        put_json("action", r->action, 0);
        put_json("target", r->target, 0);
        put_json("reason", r->reason, 0);
        put_json("actor", r->actor, 0);
        put_json("alert_uid", r->alert_uid, 0);
        put_json("created", created, 0);
        put_json("expires", r->expires_ns > 0 ? expires : "", 0);
        put_json("state", r->state, 0);
        put_json("detail", r->detail, 0);
        printf("}\n");
    } else {
        char why[61];
        if (pc->n == 0)
            printf("%-32s %-9s %-24s %-8s %-20s %-20s %-24s %s\n", "ID",
                   "ACTION", "TARGET", "STATE", "WHEN", "EXPIRES", "WHO",
                   "WHY");
        snprintf(why, sizeof(why), "%s", r->reason);
        for (char *p = why; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = '?';
        created[19] = '\0';
        expires[19] = '\0';
        printf("%-32s %-9s %-24.40s %-8s %-20s %-20s %-24.40s %s\n", r->id,
               r->action, r->target, r->state, created, expires, r->actor, why);
    }
    pc->n++;
    return ferror(stdout) ? 1 : 0;
}

static int
exit_for(enum vigil_rc rc)
{
    switch (rc) {
    case VIGIL_OK:
        return VIGIL_EXIT_OK;
    case VIGIL_EPERM:
        return EXIT_REFUSED;
    case VIGIL_EINVAL:
        return VIGIL_EXIT_USAGE;
    case VIGIL_ENOTFOUND:
        return VIGIL_EXIT_NOINPUT;
    case VIGIL_ECONFLICT:
        return VIGIL_EXIT_DATAERR;
    case VIGIL_ESTORE:
        return VIGIL_EXIT_IOERR;
    default:
        return EXIT_FAILED;
    }
}

int
cmd_respond(int argc, char **argv)
{
    const char *state_opt = NULL, *cfg_path = NULL, *reason = "by hand";
    struct vigil_daemon_config *dcfg = NULL;
    struct vigil_respond_config *rcfg = NULL;
    struct vigil_store *store = NULL;
    struct vigil_err err = {0};
    struct print_ctx pc = {0};
    int64_t for_s = 0, limit = 0;
    int dry = 0, ret = VIGIL_EXIT_OK, c;
    char actor[200], id[VIGIL_UID_LEN + 1] = "";
    struct cli_cmd cmd = {0};
    struct cli_opts o;
    enum vigil_rc rc;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        top_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? VIGIL_EXIT_USAGE : VIGIL_EXIT_OK;
    }
    for (size_t i = 0; i < NSUBS && current == NULL; i++)
        if (strcmp(argv[1], subs[i].name) == 0)
            current = &subs[i];
    if (current == NULL) {
        fprintf(stderr, "vigil respond: unknown command '%s'\n", argv[1]);
        top_usage(stderr);
        return VIGIL_EXIT_USAGE;
    }
    snprintf(synopsis, sizeof(synopsis),
             "usage: vigil respond %s [-c FILE] [--state-dir DIR]%s%s%s\n",
             current->name,
             current->opts == opts_block ? " [--for DURATION]" : "",
             current->arg ? " " : "", current->arg ? current->arg : "");
    cmd.name = "respond";
    cmd.synopsis = synopsis;
    cmd.opts = current->opts;
    cmd.nopts = current->nopts;
    cmd.usage = sub_usage;
    cli_opts_start(&o, &cmd, argc - 1, argv + 1);
    while ((c = cli_opts_next(&o)) >= 0) {
        switch (c) {
        case OPT_STATE_DIR:
            state_opt = o.val;
            break;
        case OPT_CONFIG:
            cfg_path = o.val;
            break;
        case OPT_FOR:
            if (!vigil_respond_parse_for(o.val, &for_s))
                return cli_usage_error(&cmd,
                                       "--for wants a duration like 24h, 30m "
                                       "or 90s, not '%s'",
                                       o.val);
            break;
        case OPT_REASON:
            reason = o.val;
            break;
        case OPT_DRY_RUN:
            dry = 1;
            break;
        case OPT_JSON:
            pc.json = 1;
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
    if (o.nargs != (current->arg ? 1 : 0))
        return cli_usage_error(&cmd,
                               current->arg ? "wants one %s"
                                            : "takes no "
                                              "argument%s",
                               current->arg ? current->arg : "");
    cli_log_to_stderr(0);
    signal(SIGPIPE, SIG_IGN);
    if (strcmp(current->name, "list") != 0 && !dry && geteuid() != 0) {
        fprintf(stderr,
                "vigil respond %s: needs root (it changes the "
                "firewall, processes or accounts)\n",
                current->name);
        return EXIT_NOPERM;
    }
    if ((rc = vigil_daemon_config_load(&dcfg, cfg_path, &err)) != VIGIL_OK) {
        fprintf(stderr, "vigil respond: %s\n", err.msg);
        return cli_config_exit(rc);
    }
    rcfg = malloc(sizeof(*rcfg));
    if (rcfg == NULL) {
        ret = VIGIL_EXIT_SOFTWARE;
        goto out;
    }
    *rcfg = *(const struct vigil_respond_config *)vigil_daemon_config_section(
        dcfg, "respond");
    if (vigil_respond_config_check(rcfg, &err) != VIGIL_OK) {
        fprintf(stderr, "vigil respond: %s\n", err.msg);
        ret = VIGIL_EXIT_CONFIG;
        goto out;
    }
    /* list is for anyone who can read the store; the rest writes */
    if (geteuid() != 0 && strcmp(current->name, "list") == 0) {
        char db[4200];
        ret = cli_open_store_readonly("respond", state_opt, cfg_path, &store,
                                      db, sizeof(db));
    } else {
        ret = cli_open_store("respond", state_opt, cfg_path, &store);
    }
    if (ret != VIGIL_EXIT_OK)
        goto out;
    who(actor, sizeof(actor));
    /* what expired while no daemon ran is undone before anything else */
    if (geteuid() == 0 && vigil_respond_expire(store, rcfg, vigil_time_now(),
                                               NULL, &err) != VIGIL_OK) {
        fprintf(stderr, "vigil respond: %s\n", err.msg);
        vigil_err_clear(&err);
    }
    if (strcmp(current->name, "list") == 0) {
        if (vigil_respond_list(store, limit, print_row, &pc, &err) !=
            VIGIL_OK) {
            fprintf(stderr, "vigil respond: %s\n", err.msg);
            ret = VIGIL_EXIT_IOERR;
        } else if (!pc.json && pc.n == 0) {
            printf("no actions recorded\n");
        }
    } else if (strcmp(current->name, "undo") == 0) {
        rc = vigil_respond_undo(store, rcfg, o.args[0], actor, &err);
        if (rc == VIGIL_OK)
            printf("undone: %s\n", o.args[0]);
        else
            fprintf(stderr, "vigil respond undo: %s\n", err.msg);
        ret = exit_for(rc);
    } else {
        struct vigil_respond_request req = {0};
        req.action = current->action;
        req.target = current->arg ? o.args[0] : NULL;
        req.for_s = for_s;
        req.reason = reason;
        req.actor = actor;
        req.dry_run = dry;
        rc = vigil_respond_act(store, rcfg, &req, id, &err);
        if (rc == VIGIL_OK)
            printf("%s%s %s: %s (action %s)\n", dry ? "dry run: " : "",
                   current->name, req.target ? req.target : "host",
                   dry ? "allowed" : "done", id);
        else if (id[0])
            fprintf(stderr, "vigil respond %s: %s%s (recorded as %s)\n",
                    current->name, rc == VIGIL_EPERM ? "refused: " : "",
                    err.msg, id);
        else
            fprintf(stderr, "vigil respond %s: %s\n", current->name, err.msg);
        ret = exit_for(rc);
    }
    if (fflush(stdout) != 0)
        ret = VIGIL_EXIT_IOERR;
out:
    vigil_store_close(store);
    free(rcfg);
    vigil_daemon_config_free(dcfg);
    return ret;
}
