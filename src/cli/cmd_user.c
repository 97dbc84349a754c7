/* cmd_user.c -- `vigil user add|del|passwd|role|list|token|tokens|
 * revoke`: the people and
 * scripts allowed into the dashboard and the REST API (src/web). Writes
 * to the daemon's store beside a running daemon; a password comes from
 * the terminal without echo, or from stdin with --password-stdin. */
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "core/core.h"
#include "store/store.h"
#include "web/web.h"

enum { OPT_STATE_DIR, OPT_CONFIG, OPT_ROLE, OPT_PASSWORD_STDIN, OPT_LABEL };

static const struct cli_opt opts[] = {
    {OPT_STATE_DIR, "state-dir", 0, "DIR",
     "the daemon's state directory (default: as for `vigil run`)."},
    {OPT_CONFIG, "config", 'c', "FILE",
     "take the state directory from this configuration."},
    {OPT_ROLE, "role", 'r', "ROLE",
     "viewer (reads), analyst (also triages) or admin (also manages "
     "users); for add, default viewer."},
    {OPT_PASSWORD_STDIN, "password-stdin", 0, NULL,
     "read the password from the first line of stdin (for scripts)."},
    {OPT_LABEL, "label", 0, "TEXT", "for token: what the token is for."},
};

static void usage(FILE *out);

static const struct cli_cmd cmd = {
    .name = "user",
    .synopsis = "usage: vigil user add NAME [--role ROLE] [--password-stdin]\n"
                "       vigil user passwd NAME [--password-stdin]\n"
                "       vigil user del NAME\n"
                "       vigil user list\n"
                "       vigil user role NAME --role ROLE\n"
                "       vigil user token NAME [--label TEXT]\n"
                "       vigil user tokens\n"
                "       vigil user revoke TOKEN_ID\n",
    .opts = opts,
    .nopts = CLI_NOPTS(opts),
    .usage = usage,
};

static void
usage(FILE *out)
{
    fprintf(out,
            "%s\nManages who may use the dashboard and the REST API. "
            "Passwords need %d to %d\ncharacters and are stored as "
            "argon2id hashes. `token` prints a new API\ntoken (for "
            "`Authorization: Bearer`) once; only its hash is kept. `tokens`"
            "\nlists them by id (the start of the hash), `revoke` ends one; "
            "`passwd` and\n`role` end the user's sessions, not their "
            "tokens.\n\n",
            cmd.synopsis, VIGIL_WEB_PASSWORD_MIN, VIGIL_WEB_PASSWORD_MAX);
    cli_opts_help(out, &cmd);
    fprintf(
        out,
        "\nExit codes: 0 done, 64 bad command line, 65 refused "
        "(name taken or unknown,\npassword too short or too long), 74 store "
        "error.\n");
}

/* The password buffers: the longest password, its newline and the NUL,
 * plus one byte so that a longer line is seen as longer, never cut. */
#define PW_BUF (VIGIL_WEB_PASSWORD_MAX + 3)

/* Reads one line into buf without its newline; 0 at end of input or when
 * the line is longer than VIGIL_WEB_PASSWORD_MAX (said on stderr). */
static int
read_line(FILE *in, char *buf, size_t len)
{
    size_t n;

    if (fgets(buf, (int)len, in) == NULL)
        return 0;
    n = strcspn(buf, "\r\n");
    buf[n] = '\0';
    if (n > VIGIL_WEB_PASSWORD_MAX) {
        sodium_memzero(buf, len);
        fprintf(stderr, "vigil user: a password is at most %d characters\n",
                VIGIL_WEB_PASSWORD_MAX);
        return 0;
    }
    return 1;
}

static int
prompt(const char *what, char *buf, size_t len)
{
    struct termios old, quiet;
    int ok;

    fprintf(stderr, "%s: ", what);
    fflush(stderr);
    if (tcgetattr(STDIN_FILENO, &old) != 0)
        return 0;
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    ok = read_line(stdin, buf, len);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fputc('\n', stderr);
    return ok;
}

static int
get_password(int from_stdin, char *buf, size_t len)
{
    char again[PW_BUF];
    int ok;

    if (from_stdin)
        return read_line(stdin, buf, len);
    if (!isatty(STDIN_FILENO)) {
        fprintf(stderr, "vigil user: no terminal to ask the password on; "
                        "use --password-stdin\n");
        return 0;
    }
    if (!prompt("Password", buf, len) || !prompt("Again", again, sizeof(again)))
        return 0;
    ok = strcmp(buf, again) == 0;
    sodium_memzero(again, sizeof(again));
    if (!ok)
        fprintf(stderr, "vigil user: the passwords differ\n");
    return ok;
}

static int
print_user(const char *name, enum vigil_web_role role, int64_t created_ns,
           void *arg)
{
    time_t t = (time_t)(created_ns / 1000000000LL);
    struct tm tm;
    char when[32];

    (void)arg;
    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf("%-24s %-8s %s\n", name, vigil_web_role_name(role), when);
    return 0;
}

static int
print_token(const char *id, const char *user, const char *label,
            int64_t created_ns, void *arg)
{
    time_t t = (time_t)(created_ns / 1000000000LL);
    struct tm tm;
    char when[32];

    (void)arg;
    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf("%-12s %-24s %s %s\n", id, user, when, label);
    return 0;
}

static int
exit_for(enum vigil_rc rc)
{
    return rc == VIGIL_EINVAL || rc == VIGIL_ECONFLICT || rc == VIGIL_ENOTFOUND
               ? VIGIL_EXIT_DATAERR
               : VIGIL_EXIT_IOERR;
}

int
cmd_user(int argc, char **argv)
{
    struct cli_opts o;
    const char *state = NULL, *config = NULL, *label = NULL;
    enum vigil_web_role role = VIGIL_ROLE_VIEWER;
    int from_stdin = 0, c, ex = VIGIL_EXIT_OK;
    struct vigil_store *store = NULL;
    struct vigil_err err = {0};
    enum vigil_rc rc = VIGIL_OK;
    char pw[PW_BUF] = "";
    const char *verb, *name;
    int role_given = 0;

    cli_opts_start(&o, &cmd, argc, argv);
    while ((c = cli_opts_next(&o)) != CLI_OPTS_END) {
        switch (c) {
        case CLI_OPTS_EXIT:
            return o.exit;
        case OPT_STATE_DIR:
            state = o.val;
            break;
        case OPT_CONFIG:
            config = o.val;
            break;
        case OPT_ROLE:
            role_given = 1;
            if ((role = vigil_web_role_parse(o.val)) == VIGIL_ROLE_NONE)
                return cli_usage_error(&cmd,
                                       "no role '%s' (viewer, analyst, "
                                       "admin)",
                                       o.val);
            break;
        case OPT_PASSWORD_STDIN:
            from_stdin = 1;
            break;
        case OPT_LABEL:
            label = o.val;
            break;
        }
    }
    if (o.nargs < 1)
        return cli_usage_error(&cmd, "which: add, del, passwd, list, token?");
    verb = o.args[0];
    name = o.nargs > 1 ? o.args[1] : NULL;
    if (strcmp(verb, "list") == 0 || strcmp(verb, "tokens") == 0 ? o.nargs != 1
                                                                 : o.nargs != 2)
        return cli_usage_error(&cmd, "wrong number of arguments for '%s'",
                               verb);
    if (strcmp(verb, "add") != 0 && strcmp(verb, "del") != 0 &&
        strcmp(verb, "passwd") != 0 && strcmp(verb, "list") != 0 &&
        strcmp(verb, "token") != 0 && strcmp(verb, "tokens") != 0 &&
        strcmp(verb, "revoke") != 0 && strcmp(verb, "role") != 0)
        return cli_usage_error(&cmd, "unknown action '%s'", verb);
    if (strcmp(verb, "role") == 0 && !role_given)
        return cli_usage_error(&cmd, "role needs --role ROLE");
    if ((strcmp(verb, "add") == 0 || strcmp(verb, "passwd") == 0) &&
        !get_password(from_stdin, pw, sizeof(pw)))
        return VIGIL_EXIT_DATAERR;
    if ((ex = cli_open_store("user", state, config, &store)) != 0)
        goto out;
    if (strcmp(verb, "add") == 0) {
        if ((rc = vigil_web_user_add(store, name, pw, role, &err)) == VIGIL_OK)
            printf("added %s (%s)\n", name, vigil_web_role_name(role));
    } else if (strcmp(verb, "passwd") == 0) {
        if ((rc = vigil_web_user_passwd(store, name, pw, &err)) == VIGIL_OK)
            printf("password of %s changed; their sessions ended\n", name);
    } else if (strcmp(verb, "del") == 0) {
        if ((rc = vigil_web_user_del(store, name, &err)) == VIGIL_OK)
            printf("deleted %s\n", name);
    } else if (strcmp(verb, "list") == 0) {
        rc = vigil_web_user_each(store, print_user, NULL, &err);
    } else if (strcmp(verb, "role") == 0) {
        if ((rc = vigil_web_user_role(store, name, role, &err)) == VIGIL_OK)
            printf("%s is now %s; their sessions ended\n", name,
                   vigil_web_role_name(role));
    } else if (strcmp(verb, "tokens") == 0) {
        rc = vigil_web_token_each(store, print_token, NULL, &err);
    } else if (strcmp(verb, "revoke") == 0) {
        if ((rc = vigil_web_token_revoke(store, name, &err)) == VIGIL_OK)
            printf("token %s revoked\n", name);
    } else {
        char tok[VIGIL_WEB_TOKEN_LEN + 1];
        if ((rc = vigil_web_token_new(store, name, label, tok, &err)) ==
            VIGIL_OK)
            printf("%s\n", tok);
        sodium_memzero(tok, sizeof(tok));
    }
    if (rc != VIGIL_OK) {
        fprintf(stderr, "vigil user: %s\n", err.msg);
        ex = exit_for(rc);
    }
out:
    sodium_memzero(pw, sizeof(pw));
    vigil_store_close(store);
    return ex;
}
