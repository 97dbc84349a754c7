/* parse_auth.c -- the messages of Linux authentication programs, as
 * syslog carries them: sshd, PAM (pam_unix and friends, from any
 * program), sudo, su, the shadow tools (useradd, usermod, userdel,
 * groupadd, passwd, chpasswd) and systemd-logind.
 *
 * Each recognised message gets event.category (authentication, iam,
 * session, process), event.action and event.outcome plus the ECS fields
 * it names (user.name, source.ip, ...). Field names are a contract with
 * vigil's Sigma rules; the list is in docs/man/vigil-parse.1.md.
 *
 * Choices worth knowing:
 *  - "session opened for user U by V(uid=N)": user.name is U (the
 *    account of the session); the invoking user V goes to
 *    process.real_user.name, ECS's name for the real uid of su/sudo.
 *  - shadow tools: the account acted on is user.target.name (the actor
 *    is not in the message).
 *  - sshd's "message repeated N times: [ ...]" is decoded as its inner
 *    message, so a repeated "Failed password" still counts. */
#include "parse_int.h"

/* Is prog exactly the literal name? */
#define PROG_IS(prog, plen, lit)                                               \
    ((plen) == sizeof(lit) - 1 &&                                              \
     memcmp((prog), "" lit "", sizeof(lit) - 1) == 0)

/* Token [p, first space or end). */
static const char *
tok_end(const char *p, const char *end)
{
    return parse_find(p, end, ' ');
}

/* "[preauth]" at the end marks messages from before authentication. */
static const char *
strip_preauth(struct vigil_event *ev, const char *p, const char *end)
{
    end = parse_rtrim(p, end);
    if (end - p >= 9 && memcmp(end - 9, "[preauth]", 9) == 0) {
        PSTRZ(ev, "ssh.preauth", "true");
        end = parse_rtrim(p, end - 9);
    }
    return end;
}

/* Adds source.ip for an address, source.domain for a name. */
static void
add_remote(struct vigil_event *ev, const char *h, size_t n)
{
    uint8_t ip[16];

    if (n == 0)
        return;
    if (vigil_ip_parse(h, n, ip))
        PIP(ev, "source.ip", h, n);
    else
        PSTR(ev, "source.domain", h, n);
}

/* "IP[:] [port P[:...]]" -> source.ip, source.port. Returns the position
 * after what it used. */
static const char *
ip_port(struct vigil_event *ev, const char *p, const char *end)
{
    const char *q = tok_end(p, end), *ipend = q;

    if (ipend > p && ipend[-1] == ':') /* old "from 1.2.3.4: 11: Bye" */
        ipend--;
    if (ipend > p)
        add_remote(ev, p, (size_t)(ipend - p));
    p = q;
    if (PARSE_LIT(p, end, " port ")) {
        const char *pp = p + 6, *pe = pp;
        while (pe < end && parse_is_digit(*pe))
            pe++;
        if (pe > pp)
            PINT(ev, "source.port", pp, (size_t)(pe - pp));
        p = pe;
    }
    return p;
}

/* "[invalid user ]U from IP[ port P]..." with U found before the last
 * " from " (user names are attacker-chosen and may hold spaces). */
static int
user_from(struct vigil_event *ev, const char *p, const char *end, int *invalid)
{
    const char *from = parse_rsearch(p, end, " from ", 6);

    *invalid = 0;
    if (from == NULL)
        return 0;
    if (PARSE_LIT(p, from, "invalid user ")) {
        *invalid = 1;
        p += 13;
    } else if (PARSE_LIT(p, from, "illegal user ")) {
        *invalid = 1;
        p += 13;
    }
    PSTR(ev, "user.name", p, (size_t)(from - p));
    ip_port(ev, from + 6, end);
    return 1;
}

/* "[authenticating |invalid ]user U IP port P" or "IP port P". */
static void
user_ip_port(struct vigil_event *ev, const char *p, const char *end)
{
    const char *q;

    if (PARSE_LIT(p, end, "authenticating user "))
        p += 20;
    else if (PARSE_LIT(p, end, "invalid user "))
        p += 13;
    else if (PARSE_LIT(p, end, "user "))
        p += 5;
    else {
        ip_port(ev, p, end);
        return;
    }
    q = tok_end(p, end);
    PSTR(ev, "user.name", p, (size_t)(q - p));
    if (q < end)
        ip_port(ev, q + 1, end);
}

/* ------------------------------------------------------------------ */
/* PAM                                                                  */
/* ------------------------------------------------------------------ */

/* "logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4  user=root" */
static void
pam_kv(struct vigil_event *ev, const char *p, const char *end)
{
    while (p < end) {
        const char *k, *eq, *v, *ve;
        p = parse_skip_sp(p, end);
        k = p;
        ve = tok_end(p, end);
        eq = parse_find(k, ve, '=');
        p = ve;
        if (eq >= ve)
            continue;
        v = eq + 1;
        if (eq - k == 4 && memcmp(k, "user", 4) == 0 && ve > v)
            PSTR(ev, "user.name", v, (size_t)(ve - v));
        else if (eq - k == 5 && memcmp(k, "rhost", 5) == 0)
            add_remote(ev, v, (size_t)(ve - v));
    }
}

/* "user U[(uid=N)] by [V](uid=N)" after "session opened for ". */
static void
pam_session_user(struct vigil_event *ev, const char *p, const char *end)
{
    const char *u = p, *by;

    while (p < end && *p != ' ' && *p != '(')
        p++;
    PSTR(ev, "user.name", u, (size_t)(p - u));
    by = parse_search(p, end, " by ", 4);
    if (by) {
        const char *v = by + 4, *ve = v;
        while (ve < end && *ve != '(' && *ve != ' ')
            ve++;
        if (ve > v)
            PSTR(ev, "process.real_user.name", v, (size_t)(ve - v));
    }
}

/* The PAM message body after "pam_x(svc:type): " or "svc(pam_unix): ". */
static void
pam_body(struct vigil_event *ev, const char *svc, size_t slen, const char *p,
         const char *end)
{
    if (PARSE_LIT(p, end, "authentication failure;")) {
        PCLASS(ev, "authentication", "pam_auth_failure", "failure");
        pam_kv(ev, p + 23, end);
    } else if (PARSE_LIT(p, end, "check pass; user unknown")) {
        PCLASS(ev, "authentication", "pam_user_unknown", "failure");
    } else if (PARSE_LIT(p, end, "session opened for user ")) {
        PCLASS(ev, "session", "session_opened", "success");
        pam_session_user(ev, p + 24, end);
    } else if (PARSE_LIT(p, end, "session closed for user ")) {
        const char *u = p + 24, *ue = u;
        PCLASS(ev, "session", "session_closed", "success");
        while (ue < end && *ue != ' ' && *ue != '(')
            ue++;
        PSTR(ev, "user.name", u, (size_t)(ue - u));
    } else if (PARSE_LIT(p, end, "password changed for ")) {
        const char *u = p + 21;
        PCLASS(ev, "iam", "password_changed", "success");
        PSTR(ev, "user.target.name", u, (size_t)(tok_end(u, end) - u));
    }
    if (slen)
        PSTR(ev, "pam.service", svc, slen);
}

/* "pam_unix(sshd:auth): ..." from any program. */
static int
pam_prefixed(struct vigil_event *ev, const char *p, const char *end)
{
    const char *svc, *colon, *close;

    svc = parse_find(p, end, '(');
    if (svc >= end)
        return 0;
    svc++;
    close = parse_find(svc, end, ')');
    colon = parse_find(svc, close, ':');
    if (close >= end || close - svc > 64)
        return 0;
    p = close + 1;
    if (p < end && *p == ':')
        p++;
    p = parse_skip_sp(p, end);
    pam_body(ev, svc, (size_t)(colon - svc), p, end);
    return 1;
}

/* ------------------------------------------------------------------ */
/* sshd                                                                 */
/* ------------------------------------------------------------------ */

static void
sshd_message(struct vigil_event *ev, const char *p, const char *end, int depth)
{
    int invalid;

    if (PARSE_LIT(p, end, "Accepted ") || PARSE_LIT(p, end, "Failed ")) {
        int ok = *p == 'A';
        const char *m = p + (ok ? 9 : 7), *me = tok_end(m, end);
        if (!PARSE_LIT(me, end, " for "))
            return;
        if (ok)
            PCLASS(ev, "authentication", "ssh_login", "success");
        else
            PCLASS(ev, "authentication", "ssh_login", "failure");
        PSTR(ev, "auth.method", m, (size_t)(me - m));
        end = strip_preauth(ev, me, end);
        user_from(ev, me + 5, end, &invalid);
        if (invalid)
            PSTRZ(ev, "event.reason", "invalid_user");
    } else if (PARSE_LIT(p, end, "Invalid user ") ||
               PARSE_LIT(p, end, "Illegal user ")) {
        PCLASS(ev, "authentication", "ssh_invalid_user", "failure");
        end = strip_preauth(ev, p, end);
        if (!user_from(ev, p + 13, end, &invalid))
            PSTR(ev, "user.name", p + 13, (size_t)(end - p - 13));
        PSTRZ(ev, "event.reason", "invalid_user");
    } else if (PARSE_LIT(p, end, "input_userauth_request: invalid user ")) {
        const char *u = p + 37;
        PCLASS(ev, "authentication", "ssh_invalid_user", "failure");
        end = strip_preauth(ev, u, end);
        PSTR(ev, "user.name", u, (size_t)(end - u));
        PSTRZ(ev, "event.reason", "invalid_user");
    } else if (PARSE_LIT(p, end, "Received disconnect from ") ||
               PARSE_LIT(p, end, "error: Received disconnect from ")) {
        p += *p == 'e' ? 32 : 25;
        PCLASS(ev, "session", "ssh_disconnect", "unknown");
        end = strip_preauth(ev, p, end);
        ip_port(ev, p, end);
    } else if (PARSE_LIT(p, end, "Disconnected from ")) {
        PCLASS(ev, "session", "ssh_disconnect", "unknown");
        end = strip_preauth(ev, p, end);
        user_ip_port(ev, p + 18, end);
    } else if (PARSE_LIT(p, end, "Connection closed by ") ||
               PARSE_LIT(p, end, "Connection reset by ")) {
        p += p[11] == 'c' ? 21 : 20;
        PCLASS(ev, "session", "ssh_disconnect", "unknown");
        end = strip_preauth(ev, p, end);
        user_ip_port(ev, p, end);
    } else if (PARSE_LIT(p, end, "reverse mapping checking getaddrinfo for ")) {
        const char *h = p + 41, *he = tok_end(h, end), *ip, *ipe;
        PCLASS(ev, "authentication", "ssh_reverse_mapping_failed", "unknown");
        PSTR(ev, "source.domain", h, (size_t)(he - h));
        if (he + 2 < end && he[1] == '[') {
            ip = he + 2;
            ipe = parse_find(ip, end, ']');
            if (ipe < end)
                PIP(ev, "source.ip", ip, (size_t)(ipe - ip));
        }
    } else if (PARSE_LIT(p, end,
                         "error: maximum authentication attempts exceeded "
                         "for ")) {
        PCLASS(ev, "authentication", "ssh_max_auth_exceeded", "failure");
        end = strip_preauth(ev, p, end);
        user_from(ev, p + 52, end, &invalid);
        if (invalid)
            PSTRZ(ev, "event.reason", "invalid_user");
    } else if (PARSE_LIT(p, end,
                         "Disconnecting: Too many authentication failures")) {
        PCLASS(ev, "authentication", "ssh_max_auth_exceeded", "failure");
        end = strip_preauth(ev, p, end);
        p += 47;
        if (PARSE_LIT(p, end, " for ")) {
            p += 5;
            if (PARSE_LIT(p, end, "invalid user "))
                p += 13;
            PSTR(ev, "user.name", p, (size_t)(tok_end(p, end) - p));
        }
    } else if (PARSE_LIT(p, end, "Disconnecting authenticating user ") ||
               PARSE_LIT(p, end, "Disconnecting invalid user ")) {
        /* OpenSSH >= 8: "... user U IP port P: Too many ..." */
        if (parse_search(p, end, "Too many authentication failures", 32))
            PCLASS(ev, "authentication", "ssh_max_auth_exceeded", "failure");
        else
            PCLASS(ev, "session", "ssh_disconnect", "unknown");
        end = strip_preauth(ev, p, end);
        user_ip_port(ev, p + 14, end);
    } else if (PARSE_LIT(p, end,
                         "Did not receive identification string "
                         "from ")) {
        PCLASS(ev, "session", "ssh_no_identification", "failure");
        ip_port(ev, p + 43, end);
    } else if (PARSE_LIT(p, end, "PAM ")) {
        const char *n = p + 4, *ne = tok_end(n, end);
        if (PARSE_LIT(ne, end, " more authentication failure")) {
            PCLASS(ev, "authentication", "pam_auth_failures", "failure");
            PINT(ev, "pam.failures", n, (size_t)(ne - n));
            pam_kv(ev, parse_find(ne, end, ';'), end);
        }
    } else if (depth == 0 && PARSE_LIT(p, end, "message repeated ")) {
        const char *open = parse_search(p, end, ": [", 3);
        const char *n = p + 17, *ne = tok_end(n, end);
        if (open == NULL)
            return;
        PINT(ev, "log.syslog.repeated", n, (size_t)(ne - n));
        end = parse_rtrim(p, end);
        if (end > open && end[-1] == ']')
            end--;
        sshd_message(ev, parse_skip_sp(open + 3, end), end, 1);
    }
}

/* ------------------------------------------------------------------ */
/* sudo                                                                 */
/* ------------------------------------------------------------------ */

/* "U : [reason ; ]TTY=t ; PWD=p ; USER=R ; COMMAND=c" */
static void
sudo_message(struct vigil_event *ev, const char *p, const char *end)
{
    const char *sep, *u;
    int first = 1, failed = 0;

    p = parse_skip_sp(p, end);
    u = p;
    sep = parse_search(p, end, " : ", 3);
    if (sep == NULL || sep - u > 256)
        return;
    PSTRZ(ev, "event.category", "process");
    PSTRZ(ev, "event.action", "sudo_command");
    /* event.outcome is pushed now and filled in once the items are read. */
    struct vigil_field *outcome =
        parse_push(ev, "event.outcome", 13, "success", 7, VIGIL_F_STR);
    PSTR(ev, "user.name", u, (size_t)(sep - u));
    p = sep + 3;
    while (p < end) {
        const char *ie, *eq;
        if (PARSE_LIT(p, end, "COMMAND=")) {
            PSTR(ev, "process.command_line", p + 8,
                 (size_t)(parse_rtrim(p + 8, end) - p - 8));
            break;
        }
        ie = parse_search(p, end, " ; ", 3);
        if (ie == NULL)
            ie = end;
        eq = parse_find(p, ie, '=');
        if (PARSE_LIT(p, ie, "TTY="))
            PSTR(ev, "process.tty.name", p + 4, (size_t)(ie - p - 4));
        else if (PARSE_LIT(p, ie, "PWD="))
            PSTR(ev, "process.working_directory", p + 4, (size_t)(ie - p - 4));
        else if (PARSE_LIT(p, ie, "USER="))
            PSTR(ev, "user.target.name", p + 5, (size_t)(ie - p - 5));
        else if (first && eq >= ie) {
            failed = 1;
            if (parse_search(p, ie, "incorrect password attempt", 26))
                PSTRZ(ev, "event.reason", "incorrect_password");
            else if (PARSE_LIT(p, ie, "user NOT in sudoers"))
                PSTRZ(ev, "event.reason", "not_in_sudoers");
            else if (PARSE_LIT(p, ie, "command not allowed"))
                PSTRZ(ev, "event.reason", "command_not_allowed");
            else
                PSTR(ev, "event.reason", p, (size_t)(ie - p));
        }
        first = 0;
        p = ie < end ? ie + 3 : end;
    }
    if (failed && outcome) {
        outcome->text = "failure";
        outcome->text_len = 7;
    }
}

/* ------------------------------------------------------------------ */
/* su                                                                   */
/* ------------------------------------------------------------------ */

static void
su_class(struct vigil_event *ev, int ok, const char *u, size_t ulen,
         const char *r, size_t rlen)
{
    if (ok)
        PCLASS(ev, "authentication", "su", "success");
    else
        PCLASS(ev, "authentication", "su", "failure");
    PSTR(ev, "user.name", u, ulen);
    PSTR(ev, "user.target.name", r, rlen);
}

static void
su_message(struct vigil_event *ev, const char *p, const char *end)
{
    const char *r, *by;

    end = parse_rtrim(p, end);
    if (PARSE_LIT(p, end, "Successful su for ") ||
        PARSE_LIT(p, end, "FAILED su for ")) {
        int ok = *p == 'S';
        r = p + (ok ? 18 : 14);
        by = parse_search(r, end, " by ", 4);
        if (by)
            su_class(ev, ok, by + 4, (size_t)(end - by - 4), r,
                     (size_t)(by - r));
    } else if (end - p > 2 && (p[0] == '+' || p[0] == '-') && p[1] == ' ') {
        /* "+ pts/0 alice:root" */
        const char *t = tok_end(p + 2, end), *c;
        if (t >= end)
            return;
        c = parse_find(t + 1, end, ':');
        if (c < end)
            su_class(ev, p[0] == '+', t + 1, (size_t)(c - t - 1), c + 1,
                     (size_t)(end - c - 1));
    } else if (PARSE_LIT(p, end, "(to ") ||
               PARSE_LIT(p, end, "FAILED SU (to ")) {
        int ok = *p == '(';
        const char *u, *on;
        r = p + (ok ? 4 : 14);
        by = parse_find(r, end, ')');
        if (by >= end || by + 2 > end)
            return;
        u = by + 2;
        on = parse_search(u, end, " on ", 4);
        if (on == NULL)
            on = end;
        su_class(ev, ok, u, (size_t)(on - u), r, (size_t)(by - r));
    }
}

/* ------------------------------------------------------------------ */
/* shadow tools                                                         */
/* ------------------------------------------------------------------ */

/* Value of "key=" in a ", "-separated list like "name=x, UID=1001". */
static int
kv_comma(const char *p, const char *end, const char *key, size_t klen,
         const char **v, size_t *vlen)
{
    const char *k = p;

    while ((k = parse_search(k, end, key, klen)) != NULL) {
        if (k == p || k[-1] == ' ') {
            const char *e = parse_find(k + klen, end, ',');
            *v = k + klen;
            *vlen = (size_t)(e - *v);
            return 1;
        }
        k += klen;
    }
    return 0;
}

/* 'X' quoted with single quotes: returns the content and the position
 * after the closing quote, or NULL. */
static const char *
quoted(const char *p, const char *end, const char **s, size_t *n)
{
    const char *q;

    if (p >= end || *p != '\'')
        return NULL;
    q = parse_find(p + 1, end, '\'');
    if (q >= end)
        return NULL;
    *s = p + 1;
    *n = (size_t)(q - p - 1);
    return q + 1;
}

static void
iam_message(struct vigil_event *ev, const char *p, const char *end)
{
    const char *v, *g, *q;
    size_t vlen, glen;

    end = parse_rtrim(p, end);
    if (PARSE_LIT(p, end, "new user: ")) {
        PCLASS(ev, "iam", "user_created", "success");
        if (kv_comma(p, end, "name=", 5, &v, &vlen))
            PSTR(ev, "user.target.name", v, vlen);
        if (kv_comma(p, end, "UID=", 4, &v, &vlen))
            PINT(ev, "user.target.id", v, vlen);
    } else if (PARSE_LIT(p, end, "new group: ") ||
               PARSE_LIT(p, end, "group added to ")) {
        PCLASS(ev, "iam", "group_created", "success");
        if (kv_comma(p, end, "name=", 5, &v, &vlen))
            PSTR(ev, "group.name", v, vlen);
        if (kv_comma(p, end, "GID=", 4, &v, &vlen))
            PINT(ev, "group.id", v, vlen);
    } else if (PARSE_LIT(p, end, "add '")) {
        /* "add 'U' to group 'G'" / "add 'U' to shadow group 'G'" */
        q = quoted(p + 4, end, &v, &vlen);
        if (q == NULL)
            return;
        if (PARSE_LIT(q, end, " to group "))
            q += 10;
        else if (PARSE_LIT(q, end, " to shadow group "))
            q += 17;
        else
            return;
        if (quoted(q, end, &g, &glen) == NULL)
            return;
        PCLASS(ev, "iam", "user_added_to_group", "success");
        PSTR(ev, "user.target.name", v, vlen);
        PSTR(ev, "group.name", g, glen);
    } else if (PARSE_LIT(p, end, "delete '")) {
        q = quoted(p + 7, end, &v, &vlen);
        if (q == NULL || !(PARSE_LIT(q, end, " from group ") ||
                           PARSE_LIT(q, end, " from shadow group ")))
            return;
        q += q[6] == 's' ? 19 : 12;
        if (quoted(q, end, &g, &glen) == NULL)
            return;
        PCLASS(ev, "iam", "user_removed_from_group", "success");
        PSTR(ev, "user.target.name", v, vlen);
        PSTR(ev, "group.name", g, glen);
    } else if (PARSE_LIT(p, end, "user ")) {
        /* gpasswd: "user U added by A to group G" /
         * "user U removed by A from group G" */
        const char *u = p + 5, *ue = tok_end(u, end), *a, *ae;
        int added;
        if (PARSE_LIT(ue, end, " added by "))
            added = 1, a = ue + 10;
        else if (PARSE_LIT(ue, end, " removed by "))
            added = 0, a = ue + 12;
        else
            return;
        ae = tok_end(a, end);
        if (added ? !PARSE_LIT(ae, end, " to group ")
                  : !PARSE_LIT(ae, end, " from group "))
            return;
        g = ae + (added ? 10 : 12);
        if (added)
            PCLASS(ev, "iam", "user_added_to_group", "success");
        else
            PCLASS(ev, "iam", "user_removed_from_group", "success");
        PSTR(ev, "user.target.name", u, (size_t)(ue - u));
        PSTR(ev, "user.name", a, (size_t)(ae - a));
        PSTR(ev, "group.name", g, (size_t)(end - g));
    } else if (PARSE_LIT(p, end, "delete user '")) {
        if (quoted(p + 12, end, &v, &vlen) == NULL)
            return;
        PCLASS(ev, "iam", "user_deleted", "success");
        PSTR(ev, "user.target.name", v, vlen);
    } else if (PARSE_LIT(p, end, "password changed for ")) {
        v = p + 21;
        PCLASS(ev, "iam", "password_changed", "success");
        PSTR(ev, "user.target.name", v, (size_t)(tok_end(v, end) - v));
    } else if (PARSE_LIT(p, end, "change user '")) {
        q = quoted(p + 12, end, &v, &vlen);
        if (q == NULL || !PARSE_LIT(q, end, " password"))
            return;
        PCLASS(ev, "iam", "password_changed", "success");
        PSTR(ev, "user.target.name", v, vlen);
    }
}

/* ------------------------------------------------------------------ */
/* systemd-logind                                                       */
/* ------------------------------------------------------------------ */

static void
logind_message(struct vigil_event *ev, const char *p, const char *end)
{
    const char *n, *ne;

    end = parse_rtrim(p, end);
    if (end > p && end[-1] == '.')
        end--;
    if (PARSE_LIT(p, end, "New session ")) {
        n = p + 12;
        ne = tok_end(n, end);
        if (!PARSE_LIT(ne, end, " of user "))
            return;
        PCLASS(ev, "session", "session_start", "success");
        PSTR(ev, "user.name", ne + 9, (size_t)(end - ne - 9));
        PSTR(ev, "session.id", n, (size_t)(ne - n));
    } else if (PARSE_LIT(p, end, "Removed session ")) {
        n = p + 16;
        PCLASS(ev, "session", "session_end", "success");
        PSTR(ev, "session.id", n, (size_t)(end - n));
    } else if (PARSE_LIT(p, end, "Session ")) {
        n = p + 8;
        ne = tok_end(n, end);
        if (!PARSE_LIT(ne, end, " logged out"))
            return;
        PCLASS(ev, "session", "session_logout", "success");
        PSTR(ev, "session.id", n, (size_t)(ne - n));
    }
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                             */
/* ------------------------------------------------------------------ */

void
parse_auth_message(struct vigil_event *ev, const char *prog, size_t plen,
                   const char *msg, size_t mlen)
{
    const char *end = msg + mlen;

    if (mlen == 0 || plen == 0)
        return;
    /* Old Red Hat style tag: "sshd(pam_unix)[123]: authentication ..." */
    if (plen > 10 && memcmp(prog + plen - 10, "(pam_unix)", 10) == 0) {
        pam_body(ev, prog, plen - 10, msg, end);
        return;
    }
    if (msg[0] == 'p' && PARSE_LIT(msg, end, "pam_") &&
        pam_prefixed(ev, msg, end))
        return;
    switch (prog[0]) {
    case 's':
        if (plen >= 4 && memcmp(prog, "sshd", 4) == 0) /* sshd-session */
            sshd_message(ev, msg, end, 0);
        else if (PROG_IS(prog, plen, "sudo"))
            sudo_message(ev, msg, end);
        else if (PROG_IS(prog, plen, "su"))
            su_message(ev, msg, end);
        else if (PROG_IS(prog, plen, "systemd-logind"))
            logind_message(ev, msg, end);
        break;
    case 'u':
        if (PROG_IS(prog, plen, "useradd") || PROG_IS(prog, plen, "usermod") ||
            PROG_IS(prog, plen, "userdel"))
            iam_message(ev, msg, end);
        break;
    case 'g':
        if (PROG_IS(prog, plen, "groupadd") ||
            PROG_IS(prog, plen, "groupmod") ||
            PROG_IS(prog, plen, "groupdel") || PROG_IS(prog, plen, "gpasswd"))
            iam_message(ev, msg, end);
        break;
    case 'p':
        if (PROG_IS(prog, plen, "passwd"))
            iam_message(ev, msg, end);
        break;
    case 'c':
        if (PROG_IS(prog, plen, "chpasswd") || PROG_IS(prog, plen, "chage"))
            iam_message(ev, msg, end);
        break;
    default:
        break;
    }
}
