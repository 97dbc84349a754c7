/* cmd_incident.c -- `vigil incident`: list, show, open and change
 * incidents (note, status, assign, task, service, facts, clock, close),
 * print a regulator's draft notification, the breach register, and
 * export one incident as an archive a third party can verify. The work
 * is src/incident's; this file reads options and prints. Each change is
 * sealed into the evidence log at once when the signing key can be read
 * (else the daemon seals it within a second). */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "daemon/daemon.h"
#include "evidence/evidence.h"
#include "incident/incident.h"
#include "parse/parse.h"
#include "store/store.h"

enum {
    OPT_STATE_DIR,
    OPT_CONFIG,
    OPT_JSON,
    OPT_BY,
    OPT_ALL,
    OPT_CSV,
    OPT_TITLE,
    OPT_KIND,
    OPT_SEVERITY,
    OPT_OWNER,
    OPT_AWARE,
    OPT_OCCURRED,
    OPT_PERSONAL,
    OPT_HIGH_RISK,
    OPT_NOTE,
    OPT_ADD,
    OPT_STATE,
    OPT_WORKAROUND,
    OPT_SUMMARY,
    OPT_PEOPLE,
    OPT_RECORDS,
    OPT_CATEGORIES,
    OPT_CONSEQUENCES,
    OPT_MEASURES,
    OPT_REF,
    OPT_OUTPUT,
};

static const struct cli_opt opts[] = {
    {OPT_STATE_DIR, "state-dir", 0, "DIR",
     "the daemon's state directory (default as for `vigil run`)."},
    {OPT_CONFIG, "config", 'c', "FILE",
     "the daemon's configuration: state directory and the incident: "
     "section (jurisdictions, time zone, roles, playbooks)."},
    {OPT_JSON, "json", 0, NULL, "print JSON instead of text."},
    {OPT_BY, "by", 0, "NAME",
     "who makes the change, for the timeline and the evidence log "
     "(default: $SUDO_USER, else the account's name)."},
    {OPT_ALL, "all", 'a', NULL, "list: closed incidents too."},
    {OPT_CSV, "csv", 0, NULL, "register: CSV (RFC 4180) instead of text."},
    {OPT_TITLE, "title", 't', "TEXT", "new: the incident's title."},
    {OPT_KIND, "kind", 'k', "PLAYBOOK",
     "new: the playbook (account-compromise, ransomware, ...; `vigil "
     "incident playbooks` lists them) whose tasks it starts with."},
    {OPT_SEVERITY, "severity", 's', "LEVEL",
     "new: low, medium, high or critical (default: the playbook's)."},
    {OPT_OWNER, "owner", 'o', "NAME", "new, task: who owns it."},
    {OPT_AWARE, "aware", 0, "TIME",
     "new, facts: the moment of awareness (RFC 3339); the clocks count "
     "from it (default: now)."},
    {OPT_OCCURRED, "occurred", 0, "TIME",
     "facts: when the incident began (RFC 3339)."},
    {OPT_PERSONAL, "personal-data", 0, "yes|no",
     "new, facts: personal data is involved (starts the data protection "
     "clocks)."},
    {OPT_HIGH_RISK, "high-risk", 0, "yes|no",
     "facts: a high risk to the people affected."},
    {OPT_NOTE, "note", 'm', "TEXT", "status: a note with the change."},
    {OPT_ADD, "add", 0, "TITLE", "task: add a task."},
    {OPT_STATE, "state", 0, "STATE", "task: open, doing, done or skipped."},
    {OPT_WORKAROUND, "workaround", 'w', "TEXT",
     "service: the workaround told to the public."},
    {OPT_SUMMARY, "summary", 0, "TEXT",
     "facts, close: what happened (close: the closing summary)."},
    {OPT_PEOPLE, "people", 0, "N", "facts: people affected (approximate)."},
    {OPT_RECORDS, "records", 0, "N", "facts: records affected."},
    {OPT_CATEGORIES, "data-categories", 0, "TEXT",
     "facts: the kinds of personal data involved."},
    {OPT_CONSEQUENCES, "consequences", 0, "TEXT",
     "facts: likely consequences for the people affected."},
    {OPT_MEASURES, "measures", 0, "TEXT", "facts: measures taken or proposed."},
    {OPT_REF, "ref", 0, "TEXT",
     "clock: the regulator's reference, or why it is not required."},
    {OPT_OUTPUT, "output", 'O', "FILE",
     "export: write the archive here (default INC-N.json; - for stdout)."},
};

static void usage(FILE *out);

static const struct cli_cmd cmd = {
    .name = "incident",
    .synopsis =
        "usage: vigil incident list [--all]\n"
        "       vigil incident show ID\n"
        "       vigil incident new --title TEXT [--kind PLAYBOOK] "
        "[--severity LEVEL]\n"
        "                          [--owner NAME] [--aware TIME]\n"
        "                          [--personal-data yes|no]\n"
        "       vigil incident note ID TEXT\n"
        "       vigil incident status ID PHASE [--note TEXT]\n"
        "       vigil incident assign ID OWNER\n"
        "       vigil incident task ID --add TITLE [--owner NAME]\n"
        "       vigil incident task ID N [--state STATE] [--owner NAME]\n"
        "       vigil incident service ID NAME STATE [--workaround TEXT]\n"
        "       vigil incident facts ID [--summary TEXT] [--people N] ...\n"
        "       vigil incident clock ID REGIME running|met|not-required "
        "[--ref TEXT]\n"
        "       vigil incident close ID [--summary TEXT]\n"
        "       vigil incident draft ID REGIME\n"
        "       vigil incident register [--csv]\n"
        "       vigil incident export ID [--output FILE]\n"
        "       vigil incident playbooks\n"
        "  (each with [--state-dir DIR | -c FILE] [--json] [--by NAME])\n",
    .opts = opts,
    .nopts = CLI_NOPTS(opts),
    .usage = usage,
};

static void
usage(FILE *out)
{
    fprintf(out,
            "%s\nIncidents group alerts (automatically in `vigil run`, or by "
            "hand) and carry\nthem through the NIST SP 800-61 phases: "
            "detected, triaged, contained,\neradicated, recovered, closed. "
            "ID is the number (7 or INC-7) or the id.\nEvery change goes "
            "into the timeline and the signed evidence log.\n\n",
            cmd.synopsis);
    cli_opts_help(out, &cmd);
    fprintf(out, "\nExit codes: 0 done, 64 bad command line or value, 65 "
                 "refused (conflict),\n66 no such incident or store, 74 store "
                 "or output error, 78 configuration\nrefused.\n");
}

/* Everything a subcommand needs. */
struct ictx {
    const char *state_opt, *cfg_path, *by;
    int json, all, csv;
    const char *title, *kind, *severity, *owner, *note, *add, *state;
    const char *workaround, *summary, *categories, *consequences, *measures;
    const char *ref, *output;
    int64_t aware_ns, occurred_ns, people, records;
    int personal, high_risk;
    char state_dir[4096];
    char actor[128];
    struct vigil_daemon_config *dcfg;
    struct vigil_incident_config defaults;
    struct vigil_playbooks *playbooks;
    struct vigil_tz *tz;
    struct vigil_store *store;
    struct vigil_incident_env env;
};

static int
exit_for(enum vigil_rc rc)
{
    switch (rc) {
    case VIGIL_OK:
        return VIGIL_EXIT_OK;
    case VIGIL_EINVAL:
        return VIGIL_EXIT_USAGE;
    case VIGIL_ENOTFOUND:
        return VIGIL_EXIT_NOINPUT;
    case VIGIL_ECONFLICT:
    case VIGIL_EPARSE:
        return VIGIL_EXIT_DATAERR;
    case VIGIL_ENOMEM:
        return VIGIL_EXIT_SOFTWARE;
    default:
        return VIGIL_EXIT_IOERR;
    }
}

static int
fail(const struct vigil_err *err)
{
    fprintf(stderr, "vigil incident: %s\n", err->msg);
    return exit_for(err->rc);
}

/* Who makes the change; 0 when --by is longer than the evidence log
 * keeps (it is refused, not cut). */
static int
who(struct ictx *x)
{
    const char *s = x->by ? x->by : getenv("SUDO_USER");
    struct passwd *pw;

    if (s != NULL && strlen(s) >= sizeof(x->actor))
        return 0;
    if (s != NULL && s[0] != '\0') {
        snprintf(x->actor, sizeof(x->actor), "%s", s);
    } else if ((pw = getpwuid(getuid())) != NULL) {
        snprintf(x->actor, sizeof(x->actor), "%s", pw->pw_name);
    } else {
        snprintf(x->actor, sizeof(x->actor), "uid %u", (unsigned)getuid());
    }
    for (char *p = x->actor; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return 1;
}

/* Configuration, playbooks, time zone and the store (read-only for the
 * subcommands that only read, so they run as any account that can read
 * the daemon's store). */
static int
setup(struct ictx *x, int readonly)
{
    char db[4200];
    struct vigil_err err = {0};
    const struct vigil_incident_config *cfg = NULL;
    enum vigil_rc rc;
    int ret;

    ret = cli_state_dir("incident", x->state_opt, x->cfg_path, x->state_dir,
                        sizeof(x->state_dir));
    if (ret != VIGIL_EXIT_OK)
        return ret;
    if (x->cfg_path != NULL) {
        if ((rc = vigil_daemon_config_load(&x->dcfg, x->cfg_path, &err)) !=
            VIGIL_OK) {
            fprintf(stderr, "vigil incident: %s\n", err.msg);
            return cli_config_exit(rc);
        }
        cfg = vigil_daemon_config_section(x->dcfg, "incident");
    }
    if (cfg == NULL) {
        vigil_conf_defaults(&vigil_incident_conf, &x->defaults);
        cfg = &x->defaults;
    }
    if ((rc = vigil_tz_load(&x->tz, cfg->timezone[0] ? cfg->timezone : "UTC",
                            &err)) != VIGIL_OK ||
        (rc = vigil_playbooks_load(&x->playbooks, cfg->playbooks, &err)) !=
            VIGIL_OK) {
        fprintf(stderr, "vigil incident: %s\n", err.msg);
        return VIGIL_EXIT_CONFIG;
    }
    if (readonly == 2) /* the playbooks need no store */
        ret = VIGIL_EXIT_OK;
    else if (readonly)
        ret = cli_open_store_readonly("incident", x->state_opt, x->cfg_path,
                                      &x->store, db, sizeof(db));
    else
        ret = cli_open_store("incident", x->state_opt, x->cfg_path, &x->store);
    if (ret != VIGIL_EXIT_OK)
        return ret;
    /* "vigil" is the daemon's name in the timeline and the evidence log:
     * a person does not take it (FIND14 6) */
    if (x->by != NULL && strcmp(x->by, "vigil") == 0)
        return cli_usage_error(&cmd, "--by vigil is reserved for the daemon");
    if (!who(x))
        return cli_usage_error(&cmd, "--by is at most %zu bytes",
                               sizeof(x->actor) - 1);
    x->env.store = x->store;
    x->env.cfg = cfg;
    x->env.playbooks = x->playbooks;
    x->env.tz = x->tz;
    x->env.actor = x->actor;
    return VIGIL_EXIT_OK;
}

static void
teardown(struct ictx *x)
{
    vigil_store_close(x->store);
    vigil_playbooks_free(x->playbooks);
    vigil_tz_free(x->tz);
    vigil_daemon_config_free(x->dcfg);
}

/* Chains and signs what this command queued; a key that cannot be read
 * (the daemon's, run as another account) leaves it to the daemon. */
static void
seal(struct ictx *x)
{
    struct vigil_evidence_key *key = NULL;
    struct vigil_err err = {0};

    if (vigil_evidence_key_load(&key, x->state_dir, &err) != VIGIL_OK ||
        vigil_evidence_seal(x->store, key, NULL, &err) != VIGIL_OK)
        fprintf(stderr,
                "vigil incident: warning: evidence not sealed now (%s); the "
                "daemon seals it when it runs\n",
                err.msg);
    vigil_evidence_key_free(key);
}

/* ---- printing ---- */

static const char *
s_of(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* Text from the store may come from hostile logs (an alert's title, a
 * user name): what reaches the terminal is whole UTF-8 characters other
 * than controls (C0, DEL and C1, U+0080..U+009F, which some terminals
 * read as ESC [ and the like), line and paragraph separators and the
 * bidirectional overrides that reorder what is shown; anything else,
 * and bytes that are not UTF-8 (a lone 0x9b is CSI to an 8-bit
 * terminal), is shown as '?'. Sets *len to the bytes of the character
 * at s (at least 1); returns 1 when they may be printed as they are. */
static int
term_char(const unsigned char *s, size_t *len)
{
    uint32_t cp;
    size_t n, i;

    *len = 1;
    if (s[0] < 0x80)
        return s[0] >= 0x20 && s[0] != 0x7f;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        n = 2;
        cp = s[0] & 0x1f;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        n = 3;
        cp = s[0] & 0x0f;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        n = 4;
        cp = s[0] & 0x07;
    } else {
        return 0; /* a continuation byte alone, or never valid */
    }
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    *len = n;
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0; /* overlong, out of range, surrogate */
    return !(cp <= 0x9f || cp == 0x200e || cp == 0x200f || cp == 0x2028 ||
             cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
             (cp >= 0x2066 && cp <= 0x2069));
}

/* s for the terminal (term_char), whole; with width > 0, cut or padded
 * to width characters (a table's column). keep_lines: line breaks stay
 * (a draft). */
static void
put_term(const char *s, int width, int keep_lines)
{
    const unsigned char *u = (const unsigned char *)(s ? s : "");
    int shown = 0;
    size_t len;

    while (*u != '\0' && (width <= 0 || shown < width)) {
        if (keep_lines && *u == '\n') {
            putchar('\n');
            u++;
            continue;
        }
        if (term_char(u, &len))
            fwrite(u, 1, len, stdout);
        else
            putchar('?');
        u += len;
        shown++;
    }
    for (; shown < width; shown++)
        putchar(' ');
}

static void
put_lines(const char *s)
{
    put_term(s, 0, 1);
}

static void
put(const char *s, int width)
{
    put_term(s, width, 0);
}

static void
print_list(json_t *arr)
{
    size_t i;
    json_t *o;

    if (json_array_size(arr) == 0) {
        printf("no incidents\n");
        return;
    }
    printf("%-7s %-9s %-11s %-20s %-16s %s\n", "ID", "SEVERITY", "STATUS",
           "KIND", "OWNER", "TITLE");
    json_array_foreach(arr, i, o)
    {
        printf("INC-%-3lld ",
               (long long)json_integer_value(json_object_get(o, "num")));
        put(s_of(o, "severity"), 9);
        putchar(' ');
        put(s_of(o, "status"), 11);
        putchar(' ');
        put(s_of(o, "kind"), 20);
        putchar(' ');
        put(s_of(o, "owner")[0] ? s_of(o, "owner") : "-", 16);
        putchar(' ');
        put(s_of(o, "title"), 0);
        putchar('\n');
    }
}

static void
print_show(json_t *o)
{
    size_t i;
    json_t *e;

    printf("INC-%lld  ",
           (long long)json_integer_value(json_object_get(o, "num")));
    put(s_of(o, "title"), 0);
    printf("\n  id %s\n  kind %s  severity %s  status %s  owner ",
           s_of(o, "id"), s_of(o, "kind"), s_of(o, "severity"),
           s_of(o, "status"));
    put(s_of(o, "owner")[0] ? s_of(o, "owner") : "-", 0);
    printf("\n  opened %s  aware %s%s%s\n", s_of(o, "opened"), s_of(o, "aware"),
           s_of(o, "closed")[0] ? "  closed " : "", s_of(o, "closed"));
    printf("  personal data %s  high risk %s  people %s  alerts %zu\n",
           json_is_true(json_object_get(o, "personal_data")) ? "yes" : "no",
           json_is_true(json_object_get(o, "high_risk")) ? "yes" : "no",
           json_is_integer(json_object_get(o, "people")) ? "known" : "unknown",
           json_array_size(json_object_get(o, "alerts")));
    if (s_of(o, "summary")[0]) {
        printf("  summary: ");
        put(s_of(o, "summary"), 0);
        putchar('\n');
    }
    printf("\nClocks (from the moment of awareness):\n");
    if (json_array_size(json_object_get(o, "clocks")) == 0)
        printf("  none for the configured jurisdictions\n");
    json_array_foreach(json_object_get(o, "clocks"), i, e)
    {
        printf("  %-17s %-13s due %s  %s%s  %s\n", s_of(e, "regime"),
               s_of(e, "state"), s_of(e, "due"),
               strcmp(s_of(e, "state"), "running") == 0 ? s_of(e, "left") : "",
               strcmp(s_of(e, "state"), "running") == 0 ? " left" : "",
               s_of(e, "name"));
    }
    printf("\nTasks:\n");
    json_array_foreach(json_object_get(o, "tasks"), i, e)
    {
        printf("  %2lld [%-7s] ",
               (long long)json_integer_value(json_object_get(e, "pos")),
               s_of(e, "state"));
        put(s_of(e, "title"), 0);
        printf(" (");
        put(s_of(e, "role")[0] ? s_of(e, "role") : "task", 0);
        if (s_of(e, "owner")[0]) {
            printf(": ");
            put(s_of(e, "owner"), 0);
        }
        printf(")\n");
    }
    if (json_array_size(json_object_get(o, "services")) > 0)
        printf("\nAffected services:\n");
    json_array_foreach(json_object_get(o, "services"), i, e)
    {
        printf("  ");
        put(s_of(e, "name"), 24);
        printf(" %-12s ", s_of(e, "state"));
        put(s_of(e, "workaround"), 0);
        putchar('\n');
    }
    printf("\nTimeline:\n");
    json_array_foreach(json_object_get(o, "timeline"), i, e)
    {
        printf("  %s  ", s_of(e, "at"));
        put(s_of(e, "actor"), 12);
        putchar(' ');
        put(s_of(e, "text"), 0);
        putchar('\n');
    }
}

/* A CSV field (RFC 4180): quoted when it holds a comma, quote or line
 * break; a leading = + - @ (or a tab or carriage return, which some
 * spreadsheets skip before reading a formula) is prefixed with ' so a
 * spreadsheet does not run it as a formula. */
static void
csv_field(const char *s, int last)
{
    int quote = strpbrk(s, ",\"\r\n") != NULL;

    if (quote)
        putchar('"');
    if (s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL)
        putchar('\'');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    if (quote)
        putchar('"');
    putchar(last ? '\n' : ',');
}

static void
print_register(json_t *arr, int csv)
{
    static const char *const cols[] = {"num",
                                       "title",
                                       "kind",
                                       "occurred",
                                       "aware",
                                       "summary",
                                       "data_categories",
                                       "people",
                                       "records",
                                       "consequences",
                                       "measures",
                                       "high_risk",
                                       "notifications",
                                       "status",
                                       "keep_until"};
    size_t n = sizeof(cols) / sizeof(cols[0]), i;
    struct vigil_buf joined;
    json_t *o;

    if (!csv) {
        if (json_array_size(arr) == 0)
            printf("the register is empty (no personal data breach)\n");
        json_array_foreach(arr, i, o)
        {
            for (size_t c = 0; c < n; c++) {
                json_t *v = json_object_get(o, cols[c]);
                char *t =
                    json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY);
                printf("  %-16s ", cols[c]);
                put(json_is_string(v) ? json_string_value(v) : t ? t : "", 0);
                putchar('\n');
                free(t);
            }
            putchar('\n');
        }
        return;
    }
    vigil_buf_init(&joined, (size_t)1 << 26);
    for (size_t c = 0; c < n; c++)
        csv_field(cols[c], c + 1 == n);
    json_array_foreach(arr, i, o)
    {
        for (size_t c = 0; c < n; c++) {
            json_t *v = json_object_get(o, cols[c]);
            char num[32];
            const char *t = "";

            if (json_is_string(v)) {
                t = json_string_value(v);
            } else if (json_is_integer(v)) {
                snprintf(num, sizeof(num), "%lld",
                         (long long)json_integer_value(v));
                t = num;
            } else if (json_is_boolean(v)) {
                t = json_is_true(v) ? "yes" : "no";
            } else if (json_is_array(v)) {
                size_t k;
                json_t *e;

                vigil_buf_reset(&joined);
                json_array_foreach(v, k, e)
                {
                    const char *js = json_string_value(e);

                    vigil_buf_printf(&joined, "%s%s", k ? "; " : "",
                                     js ? js : "");
                }
                t = joined.len > 0 ? joined.data : "";
            }
            csv_field(t, c + 1 == n);
        }
    }
    vigil_buf_fini(&joined);
}

/* ---- subcommands ---- */

static int
show_after(struct ictx *x, const char *uid, const char *done)
{
    struct vigil_err err = {0};
    char *text = NULL;
    json_t *o;
    int ret = VIGIL_EXIT_OK;

    seal(x);
    if (!x->json) {
        /* done repeats the command's own text: masked as show masks it */
        put(done, 0);
        putchar('\n');
        return ret;
    }
    if (vigil_incident_show(&x->env, uid, &text, &err) != VIGIL_OK)
        return fail(&err);
    o = json_loads(text, 0, NULL);
    json_dumpf(o, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
    putchar('\n');
    json_decref(o);
    free(text);
    return ret;
}

static int
parse_yes(const char *v, int *out)
{
    if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
        *out = 1;
    else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
        *out = 0;
    else
        return 0;
    return 1;
}

/* The archive of docs/evidence.md: what is queued sealed first, then
 * the incident's export with the anchor (STATE/evidence.head) added
 * beside the head, so the archive alone shows it was not cut back.
 * Returns owned *out (free with free()). */
static enum vigil_rc
export_text(struct ictx *x, const char *uid, char **out, struct vigil_err *err)
{
    struct vigil_evidence_key *key = NULL;
    struct vigil_evidence_anchor an;
    char pub[VIGIL_EVIDENCE_PUB_HEX + 1], *text = NULL;
    json_t *o = NULL, *ev;
    enum vigil_rc rc;

    *out = NULL;
    rc = vigil_evidence_key_load(&key, x->state_dir, err);
    if (rc == VIGIL_OK)
        rc = vigil_evidence_seal(x->store, key, NULL, err);
    /* The anchor before the store: moved only after a commit, it is
     * never ahead of the snapshot the export reads next. */
    if (rc == VIGIL_OK)
        rc = vigil_evidence_anchor_read(x->state_dir, &an, err);
    if (rc == VIGIL_OK) {
        vigil_evidence_key_pub(key, pub);
        rc = vigil_incident_export(&x->env, uid, pub, &text, err);
    }
    vigil_evidence_key_free(key);
    if (rc == VIGIL_OK) {
        o = json_loads(text, 0, NULL);
        ev = json_object_get(o, "evidence");
        if (ev == NULL ||
            json_object_set_new(ev, "anchor",
                                json_pack("{s:I,s:s,s:I,s:s}", "seq",
                                          (json_int_t)an.seq, "hash", an.hash,
                                          "time_ns", (json_int_t)an.time_ns,
                                          "sig", an.sig)) != 0 ||
            (*out = json_dumps(o, JSON_INDENT(1) | JSON_ENSURE_ASCII)) == NULL)
            rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    json_decref(o);
    free(text);
    return rc;
}

/* Writes the archive to a new file (an existing one is not replaced);
 * on any error the partial file is removed, so no half archive is left
 * to be handed over. */
static int
write_archive(const char *path, const char *text)
{
    FILE *f = fopen(path, "wx");
    int ok, e;

    if (f == NULL) {
        fprintf(stderr, "vigil incident: cannot create %s: %s\n", path,
                strerror(errno));
        return VIGIL_EXIT_IOERR;
    }
    ok = fputs(text, f) != EOF && fputc('\n', f) != EOF && fflush(f) == 0 &&
         fsync(fileno(f)) == 0;
    e = errno;
    if (fclose(f) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    if (!ok) {
        unlink(path);
        fprintf(stderr,
                "vigil incident: writing %s: %s (the partial archive was "
                "removed)\n",
                path, strerror(e));
        return VIGIL_EXIT_IOERR;
    }
    return VIGIL_EXIT_OK;
}

static int
run(struct ictx *x, const char *sub, char **args, int nargs)
{
    struct vigil_err err = {0};
    char uid[VIGIL_UID_LEN + 1], done[1400];
    int64_t num = 0;
    char *text = NULL;
    json_t *o;
    enum vigil_rc rc = VIGIL_OK;
    int need = 0, mode, ret = VIGIL_EXIT_OK;

    /* how many positional arguments each takes (after the subcommand) */
    if (strcmp(sub, "list") == 0 || strcmp(sub, "register") == 0 ||
        strcmp(sub, "new") == 0 || strcmp(sub, "playbooks") == 0)
        need = 0;
    else if (strcmp(sub, "show") == 0 || strcmp(sub, "close") == 0 ||
             strcmp(sub, "export") == 0 || strcmp(sub, "facts") == 0)
        need = 1;
    else if (strcmp(sub, "note") == 0 || strcmp(sub, "status") == 0 ||
             strcmp(sub, "assign") == 0 || strcmp(sub, "draft") == 0)
        need = 2;
    else if (strcmp(sub, "task") == 0)
        need = x->add ? 1 : 2;
    else if (strcmp(sub, "service") == 0 || strcmp(sub, "clock") == 0)
        need = 3;
    else
        return cli_usage_error(&cmd, "unknown subcommand '%s'", sub);
    if (nargs != need)
        return cli_usage_error(&cmd, "%s takes %d argument%s, not %d", sub,
                               need, need == 1 ? "" : "s", nargs);
    mode = strcmp(sub, "playbooks") == 0 ? 2
           : strcmp(sub, "list") == 0 || strcmp(sub, "show") == 0 ||
                   strcmp(sub, "register") == 0 || strcmp(sub, "draft") == 0
               ? 1
               : 0;
    if ((ret = setup(x, mode)) != VIGIL_EXIT_OK) {
        teardown(x);
        return ret;
    }
    if (need > 0 && (rc = vigil_incident_resolve(x->store, args[0], uid, &num,
                                                 &err)) != VIGIL_OK) {
        /* nothing more to do */
    } else if (strcmp(sub, "list") == 0) {
        if ((rc = vigil_incident_list(&x->env, !x->all, &text, &err)) ==
            VIGIL_OK) {
            o = json_loads(text, 0, NULL);
            if (x->json) {
                json_dumpf(o, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
                putchar('\n');
            } else {
                print_list(o);
            }
            json_decref(o);
        }
    } else if (strcmp(sub, "show") == 0) {
        if ((rc = vigil_incident_show(&x->env, uid, &text, &err)) == VIGIL_OK) {
            o = json_loads(text, 0, NULL);
            if (x->json) {
                json_dumpf(o, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
                putchar('\n');
            } else {
                print_show(o);
            }
            json_decref(o);
        }
    } else if (strcmp(sub, "playbooks") == 0) {
        json_t *arr = json_array();
        for (size_t i = 0; i < x->playbooks->n; i++) {
            const struct vigil_playbook *pb = &x->playbooks->v[i];
            if (x->json)
                json_array_append_new(
                    arr, json_pack("{s:s,s:s,s:s,s:b,s:I}", "id", pb->id,
                                   "title", pb->title, "severity", pb->severity,
                                   "personal_data", pb->personal_data, "tasks",
                                   (json_int_t)pb->ntasks));
            else
                printf("%-24s %-9s %2zu tasks  %s\n", pb->id, pb->severity,
                       pb->ntasks, pb->title);
        }
        if (x->json) {
            json_dumpf(arr, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
            putchar('\n');
        }
        json_decref(arr);
    } else if (strcmp(sub, "new") == 0) {
        struct vigil_incident_new n = {x->title, x->kind,     x->severity,
                                       x->owner, x->aware_ns, x->personal};
        if (x->title == NULL) {
            teardown(x);
            return cli_usage_error(&cmd, "new needs --title");
        }
        rc = vigil_incident_open(&x->env, &n, uid, &num, &err);
        snprintf(done, sizeof(done), "INC-%lld opened (%s)", (long long)num,
                 uid);
        if (rc == VIGIL_OK)
            ret = show_after(x, uid, done);
    } else if (strcmp(sub, "note") == 0) {
        rc = vigil_incident_note(&x->env, uid, args[1], &err);
        snprintf(done, sizeof(done), "INC-%lld: note added", (long long)num);
        if (rc == VIGIL_OK)
            ret = show_after(x, uid, done);
    } else if (strcmp(sub, "status") == 0) {
        rc = vigil_incident_status(&x->env, uid, args[1], x->note, &err);
        snprintf(done, sizeof(done), "INC-%lld: status %s", (long long)num,
                 args[1]);
        if (rc == VIGIL_OK)
            ret = show_after(x, uid, done);
    } else if (strcmp(sub, "assign") == 0) {
        rc = vigil_incident_assign(&x->env, uid, args[1], &err);
        snprintf(done, sizeof(done), "INC-%lld: owner %.1000s", (long long)num,
                 args[1]);
        if (rc == VIGIL_OK)
            ret = show_after(x, uid, done);
    } else if (strcmp(sub, "task") == 0) {
        int64_t pos = 0;
        if (x->add != NULL) {
            rc = vigil_incident_task_add(&x->env, uid, x->add, x->owner, &pos,
                                         &err);
        } else if (!vigil_parse_i64(args[1], strlen(args[1]), &pos) ||
                   pos < 1) {
            teardown(x);
            return cli_usage_error(&cmd, "a task number, not '%s'", args[1]);
        } else {
            rc = vigil_incident_task_set(&x->env, uid, pos, x->state, x->owner,
                                         &err);
        }
        snprintf(done, sizeof(done), "INC-%lld: task %lld %s", (long long)num,
                 (long long)pos, x->add ? "added" : "updated");
        if (rc == VIGIL_OK)
            ret = show_after(x, uid, done);
    } else if (strcmp(sub, "service") == 0) {
        rc = vigil_incident_service(&x->env, uid, args[1], args[2],
                                    x->workaround, &err);
        snprintf(done, sizeof(done), "INC-%lld: service %.200s %.20s",
                 (long long)num, args[1], args[2]);
        if (rc == VIGIL_OK)
            ret = show_after(x, uid, done);
    } else if (strcmp(sub, "clock") == 0) {
        rc = vigil_incident_clock(&x->env, uid, args[1], args[2], x->ref, &err);
        snprintf(done, sizeof(done), "INC-%lld: clock %.40s %.20s",
                 (long long)num, args[1], args[2]);
        if (rc == VIGIL_OK)
            ret = show_after(x, uid, done);
    } else if (strcmp(sub, "facts") == 0) {
        struct vigil_incident_facts f = {
            x->summary,  x->categories, x->consequences, x->measures,
            x->people,   x->records,    x->personal,     x->high_risk,
            x->aware_ns, x->occurred_ns};
        rc = vigil_incident_facts(&x->env, uid, &f, &err);
        snprintf(done, sizeof(done), "INC-%lld: facts recorded",
                 (long long)num);
        if (rc == VIGIL_OK)
            ret = show_after(x, uid, done);
    } else if (strcmp(sub, "close") == 0) {
        rc = vigil_incident_close(&x->env, uid, x->summary, &err);
        snprintf(done, sizeof(done), "INC-%lld closed", (long long)num);
        if (rc == VIGIL_OK)
            ret = show_after(x, uid, done);
    } else if (strcmp(sub, "draft") == 0) {
        if ((rc = vigil_incident_draft(&x->env, uid, args[1], &text, &err)) ==
            VIGIL_OK) {
            o = json_loads(text, 0, NULL);
            if (x->json) {
                json_dumpf(o, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
                putchar('\n');
            } else {
                put_lines(s_of(o, "text"));
            }
            json_decref(o);
        }
    } else if (strcmp(sub, "register") == 0) {
        if ((rc = vigil_incident_register(&x->env, &text, &err)) == VIGIL_OK) {
            o = json_loads(text, 0, NULL);
            if (x->json) {
                json_dumpf(o, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
                putchar('\n');
            } else {
                print_register(o, x->csv);
            }
            json_decref(o);
        }
    } else if (strcmp(sub, "export") == 0) {
        if ((rc = export_text(x, uid, &text, &err)) == VIGIL_OK) {
            if (x->output != NULL && strcmp(x->output, "-") == 0) {
                fputs(text, stdout);
                putchar('\n');
            } else {
                char path[4200];

                if (x->output != NULL)
                    snprintf(path, sizeof(path), "%s", x->output);
                else
                    snprintf(path, sizeof(path), "INC-%lld.json",
                             (long long)num);
                if ((ret = write_archive(path, text)) == VIGIL_EXIT_OK)
                    printf("INC-%lld exported to %s\n", (long long)num, path);
            }
        }
    }
    free(text);
    if (rc != VIGIL_OK)
        ret = fail(&err);
    if (fflush(stdout) != 0)
        ret = VIGIL_EXIT_IOERR;
    teardown(x);
    return ret;
}

/* A moment of awareness or of occurrence: not in the future (a typo in
 * the year would otherwise push every regulator's deadline out of sight;
 * a minute is left for clocks that differ) and after 1970 (0 means "not
 * given" to the store). */
static int
time_opt(const char *v, int64_t *ns)
{
    return vigil_time_parse_rfc3339(v, strlen(v), ns) && *ns > 0 &&
           *ns <= vigil_time_now() + 60 * VIGIL_NS_PER_SEC;
}

/* Two digits at p as a number, or -1. */
static int
two(const char *p)
{
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
        return -1;
    return (p[0] - '0') * 10 + (p[1] - '0');
}

/* Why v is not a moment a legal clock may count from, or NULL: the date
 * and time must exist as written (30 February and second 60 are not
 * moved silently) and the zone must be given (Z or an offset), since a
 * local time can be ambiguous or skipped at a clock change (FIND14 10). */
static const char *
time_why(const char *v)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    size_t n = strlen(v);
    int y, mo, d, h, mi, sec;
    const char *z;

    if (n < 19 || v[4] != '-' || v[7] != '-' ||
        (v[10] != 'T' && v[10] != 't' && v[10] != ' ') || v[13] != ':' ||
        v[16] != ':')
        return "is not YYYY-MM-DDTHH:MM:SS with Z or an offset";
    y = two(v) * 100 + two(v + 2);
    mo = two(v + 5);
    d = two(v + 8);
    h = two(v + 11);
    mi = two(v + 14);
    sec = two(v + 17);
    if (y < 0 || two(v) < 0 || mo < 1 || mo > 12 || d < 1 ||
        d > mdays[mo - 1] ||
        (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
        return "is not a date that exists";
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
        return "is not a time that exists";
    z = v + 19;
    if (*z == '.')
        for (z++; *z >= '0' && *z <= '9'; z++)
            ;
    if (*z == '\0')
        return "has no zone: give Z or an offset (+01:00), since a local "
               "time can be ambiguous or skipped at a clock change";
    return NULL;
}

int
cmd_incident(int argc, char **argv)
{
    struct ictx *x = calloc(1, sizeof(*x));
    struct cli_opts o;
    int c, ret;

    if (x == NULL)
        return VIGIL_EXIT_SOFTWARE;
    x->people = x->records = -1;
    x->personal = x->high_risk = -1;
    cli_opts_start(&o, &cmd, argc, argv);
    while ((c = cli_opts_next(&o)) >= 0) {
        const char *v = o.val;
        int bad = 0;

        switch (c) {
        case OPT_STATE_DIR:
            x->state_opt = v;
            break;
        case OPT_CONFIG:
            x->cfg_path = v;
            break;
        case OPT_JSON:
            x->json = 1;
            break;
        case OPT_BY:
            x->by = v;
            break;
        case OPT_ALL:
            x->all = 1;
            break;
        case OPT_CSV:
            x->csv = 1;
            break;
        case OPT_TITLE:
            x->title = v;
            break;
        case OPT_KIND:
            x->kind = v;
            break;
        case OPT_SEVERITY:
            x->severity = v;
            break;
        case OPT_OWNER:
            x->owner = v;
            break;
        case OPT_NOTE:
            x->note = v;
            break;
        case OPT_ADD:
            x->add = v;
            break;
        case OPT_STATE:
            x->state = v;
            break;
        case OPT_WORKAROUND:
            x->workaround = v;
            break;
        case OPT_SUMMARY:
            x->summary = v;
            break;
        case OPT_CATEGORIES:
            x->categories = v;
            break;
        case OPT_CONSEQUENCES:
            x->consequences = v;
            break;
        case OPT_MEASURES:
            x->measures = v;
            break;
        case OPT_REF:
            x->ref = v;
            break;
        case OPT_OUTPUT:
            x->output = v;
            break;
        case OPT_AWARE:
        case OPT_OCCURRED: {
            int64_t *t = c == OPT_AWARE ? &x->aware_ns : &x->occurred_ns;
            const char *why = time_why(v);

            if (why == NULL && !time_opt(v, t))
                why = vigil_time_parse_rfc3339(v, strlen(v), t) && *t > 0
                          ? "is in the future"
                          : "is not a time vigil can keep (1970 or later)";
            if (why != NULL) {
                free(x);
                return cli_usage_error(&cmd, "option --%s: '%s' %s",
                                       opts[c].name, v, why);
            }
            break;
        }
        case OPT_PERSONAL:
            bad = !parse_yes(v, &x->personal);
            break;
        case OPT_HIGH_RISK:
            bad = !parse_yes(v, &x->high_risk);
            break;
        case OPT_PEOPLE:
            bad = !vigil_parse_i64(v, strlen(v), &x->people) || x->people < 0;
            break;
        case OPT_RECORDS:
            bad = !vigil_parse_i64(v, strlen(v), &x->records) || x->records < 0;
            break;
        }
        if (bad) {
            free(x);
            return cli_usage_error(&cmd, "option --%s refuses '%s'",
                                   opts[c].name, v);
        }
    }
    if (c == CLI_OPTS_EXIT) {
        free(x);
        return o.exit;
    }
    if (o.nargs == 0) {
        free(x);
        return cli_usage_error(&cmd, "which subcommand?");
    }
    cli_log_to_stderr(0);
    ret = run(x, o.args[0], o.args + 1, o.nargs - 1);
    free(x);
    return ret;
}
