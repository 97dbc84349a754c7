/* Tests for the syslog decoder: RFC 3164 and 5424 headers, year
 * inference, and the whole loghub OpenSSH sample checked line by line
 * against loghub's own parse labels. */
#include "parse_test.h"

static void
test_3164_header(void **state)
{
    (void)state;
    T_OK("syslog", "<38>Feb  5 07:01:02 web-1 sshd[812]: Server listening "
                   "on 0.0.0.0 port 22.");
    assert_int_equal(t_ev->time_ns,
                     vigil_time_from_utc(2024, 2, 5, 7, 1, 2, 0));
    T_INT("log.syslog.priority", 38);
    T_INT("log.syslog.facility.code", 4);
    T_INT("log.syslog.severity.code", 6);
    T_FIELD("host.name", "web-1");
    T_FIELD("process.name", "sshd");
    T_INT("process.pid", 812);
    T_FIELD("message", "Server listening on 0.0.0.0 port 22.");
    T_ABSENT("event.action");

    /* No host (RFC 3164's own example), tag without pid. */
    T_OK("syslog", "<34>Oct 11 22:14:15 su: 'su root' failed for lonvick "
                   "on /dev/pts/8");
    T_ABSENT("host.name");
    T_FIELD("process.name", "su");
    T_ABSENT("process.pid");
    T_FIELD("message", "'su root' failed for lonvick on /dev/pts/8");
    T_INT("log.syslog.facility.code", 4);
    T_INT("log.syslog.severity.code", 2);

    /* rsyslog high-precision stamps. */
    T_OK("syslog", "2024-03-01T10:20:30.123456+01:00 db2 CRON[4242]: "
                   "(root) CMD (run-parts /etc/cron.hourly)");
    assert_int_equal(t_ev->time_ns,
                     vigil_time_from_utc(2024, 3, 1, 9, 20, 30, 123456000));
    T_FIELD("host.name", "db2");
    T_FIELD("process.name", "CRON");
    T_INT("process.pid", 4242);

    /* An unpadded day. */
    T_OK("syslog", "Mar 3 10:00:01 srv sshd[1201]: x");
    assert_int_equal(t_ev->time_ns,
                     vigil_time_from_utc(2024, 3, 3, 10, 0, 1, 0));
    T_FIELD("host.name", "srv");

    /* Not a tag: all of it is the message. */
    T_OK("syslog", "Jul  7 08:06:15 combo  -- root[2421]: ROOT LOGIN ON tty2");
    T_FIELD("host.name", "combo");
    T_ABSENT("process.name");
    T_FIELD("message", "-- root[2421]: ROOT LOGIN ON tty2");
}

static void
test_year_inference(void **state)
{
    struct vigil_parse_opts saved = t_opts;

    (void)state;
    /* Read on 2025-01-02: a 31 December line is from 2024... */
    t_opts.default_year = 0;
    t_opts.now_ns = vigil_time_from_utc(2025, 1, 2, 0, 0, 0, 0);
    T_OK("syslog", "Dec 31 23:59:59 h p: x");
    assert_int_equal(t_ev->time_ns,
                     vigil_time_from_utc(2024, 12, 31, 23, 59, 59, 0));
    /* ...a line of tomorrow (clock skew) stays this year... */
    T_OK("syslog", "Jan  2 20:00:00 h p: x");
    assert_int_equal(t_ev->time_ns,
                     vigil_time_from_utc(2025, 1, 2, 20, 0, 0, 0));
    /* ...and the default year wins when given. */
    t_opts.default_year = 2019;
    T_OK("syslog", "Dec 31 23:59:59 h p: x");
    assert_int_equal(t_ev->time_ns,
                     vigil_time_from_utc(2019, 12, 31, 23, 59, 59, 0));
    /* An impossible default year is ignored, not overflowed. */
    t_opts.default_year = 99999;
    T_OK("syslog", "Dec 31 23:59:59 h p: x");
    assert_int_equal(t_ev->time_ns,
                     vigil_time_from_utc(2024, 12, 31, 23, 59, 59, 0));
    t_opts = saved;
}

static void
test_5424(void **state)
{
    (void)state;
    T_OK("syslog",
         "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - "
         "ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" "
         "eventID=\"1011\"][examplePriority@32473 class=\"high\"] "
         "\xef\xbb\xbf"
         "An application event log entry...");
    assert_int_equal(t_ev->time_ns,
                     vigil_time_from_utc(2003, 10, 11, 22, 14, 15, 3000000));
    T_INT("log.syslog.priority", 165);
    T_INT("log.syslog.facility.code", 20);
    T_INT("log.syslog.severity.code", 5);
    T_INT("log.syslog.version", 1);
    T_FIELD("host.name", "mymachine.example.com");
    T_FIELD("process.name", "evntslog");
    T_ABSENT("process.pid");
    T_FIELD("log.syslog.msgid", "ID47");
    T_FIELD("log.syslog.structured_data.exampleSDID@32473.iut", "3");
    T_FIELD("log.syslog.structured_data.exampleSDID@32473.eventSource",
            "Application");
    T_FIELD("log.syslog.structured_data.exampleSDID@32473.eventID", "1011");
    T_FIELD("log.syslog.structured_data.examplePriority@32473.class", "high");
    T_FIELD("message", "An application event log entry...");

    /* Escapes in SD values are unescaped; auth decoding still applies. */
    T_OK("syslog", "<86>1 2024-05-06T07:08:09+02:00 bastion sshd 991 - "
                   "[meta note=\"a \\\"quoted\\\" \\] value\"] Accepted "
                   "publickey for deploy from 2001:db8::7 port 50122 ssh2: "
                   "ED25519 SHA256:abc");
    T_FIELD("log.syslog.structured_data.meta.note", "a \"quoted\" ] value");
    T_INT("process.pid", 991);
    T_CLASS("authentication", "ssh_login", "success");
    T_FIELD("user.name", "deploy");
    T_FIELD("source.ip", "2001:db8::7");
    T_TYPE("source.ip", VIGIL_F_IP);
    T_INT("source.port", 50122);
    T_FIELD("auth.method", "publickey");

    /* All nil. */
    T_OK("syslog", "<13>1 - - - - - -");
    assert_int_equal(t_ev->time_ns, 0);
    T_FIELD("message", "");
    T_ABSENT("host.name");
}

static void
test_malformed(void **state)
{
    static const char *bad[] = {
        "",
        "hello world",
        "<999>Jan  1 00:00:00 h p: x",
        "<13",
        "Foo 12 10:00:00 h p: x",
        "Jan 32 10:00:00 h p: x",
        "Jan 12 25:00:00 h p: x",
        "Jan 12 10:00",
        "<13>1 2024-01-01T00:00:00Z h a p m [unterminated x=\"1\"",
        "<13>1 2024-01-01T00:00:00Z h a p m [id x=\"1]",
        "<13>1 not-a-time h a p m - msg",
        "<13>1 2024-01-01T00:00:00Z h a",
        /* found by fuzzing: years whose nanoseconds overflow int64 */
        "<13>1 9999-12-31T23:59:59Z h a p m - x",
        "9999-01-01T00:00:00Z h p: x",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (t_decode("syslog", bad[i]) != VIGIL_EPARSE)
            fail_msg("decoded: %s", bad[i]);
        assert_int_equal(t_ev->nfields, 0);
    }
}

/* ---- loghub OpenSSH, line by line against loghub's labels ---- */

/* Splits one CSV record into at most max fields, unescaping "" in quoted
 * fields in place. Returns the number of fields. */
static int
csv_split(char *s, char **out, int max)
{
    int n = 0;

    while (n < max) {
        char *o = s;
        out[n++] = s;
        if (*s == '"') {
            char *r = s + 1;
            for (;;) {
                if (*r == '\0')
                    break;
                if (*r == '"') {
                    if (r[1] == '"') {
                        *o++ = '"';
                        r += 2;
                        continue;
                    }
                    r++;
                    break;
                }
                *o++ = *r++;
            }
            s = r;
        } else {
            while (*s && *s != ',')
                *o++ = *s++;
        }
        if (*s != ',') {
            *o = '\0';
            break;
        }
        s++;
        *o = '\0';
    }
    return n;
}

/* Matches content against a loghub template ("<*>" = a variable) and
 * returns the variables. The last literal must end the content. */
static int
template_vars(const char *tpl, const char *content, char vars[][128], int max)
{
    const char *c = content, *t = tpl, *star;
    int n = 0;
    size_t l;

    star = strstr(t, "<*>");
    l = star ? (size_t)(star - t) : strlen(t);
    if (strncmp(c, t, l) != 0)
        return -1;
    c += l;
    while (star && n < max) {
        const char *next, *lit = star + 3, *m;
        size_t ll;
        next = strstr(lit, "<*>");
        ll = next ? (size_t)(next - lit) : strlen(lit);
        if (ll == 0) {
            m = next ? c : c + strlen(c);
        } else if (next) {
            char tmp[256];
            snprintf(tmp, sizeof(tmp), "%.*s", (int)ll, lit);
            m = strstr(c, tmp);
        } else {
            size_t cl = strlen(c);
            m = cl >= ll && strcmp(c + cl - ll, lit) == 0 ? c + cl - ll : NULL;
        }
        if (m == NULL)
            return -1;
        snprintf(vars[n], 128, "%.*s", (int)(m - c), c);
        /* "rhost=x  user=root": the template has one space, the log two */
        for (size_t k = strlen(vars[n]); k > 0 && vars[n][k - 1] == ' '; k--)
            vars[n][k - 1] = '\0';
        n++;
        c = m + ll;
        star = next;
    }
    return n;
}

struct expect {
    const char *id;
    int user, ip, port, domain; /* variable index, -1: none */
};

static const struct expect expects[] = {
    {"E1", 0, 1, 2, -1},    {"E8", 0, 1, 2, -1},    {"E9", 0, 1, 2, -1},
    {"E10", 0, 1, 2, -1},   {"E12", 0, -1, -1, -1}, {"E13", 0, 1, -1, -1},
    {"E14", -1, 1, 2, -1},  {"E19", -1, 2, -1, -1}, {"E20", 3, 2, -1, -1},
    {"E22", 0, -1, -1, -1}, {"E23", 0, -1, -1, -1}, {"E24", -1, 0, -1, -1},
    {"E25", -1, 0, -1, -1}, {"E26", -1, 0, -1, -1}, {"E2", -1, 0, -1, -1},
    {"E3", -1, 0, -1, -1},  {"E27", -1, 1, -1, 0},
};

static void
check_ip_or_domain(const char *v, int line)
{
    uint8_t ip[16];
    const char *name =
        vigil_ip_parse(v, strlen(v), ip) ? "source.ip" : "source.domain";
    t_field_at("OpenSSH_2k.log", line, name, v);
}

static void
test_openssh_corpus(void **state)
{
    char path[512], csvpath[512];
    size_t len, clen, n;
    char *data, *csv;
    const char *p, *end, *cp, *cend, *line;
    int lineno = 0, failed_pw = 0, accepted = 0, invalid = 0, checked = 0;
    int actions = 0;

    (void)state;
    VIGIL_NEED_CORPUS(path, "loghub/OpenSSH/OpenSSH_2k.log");
    VIGIL_NEED_CORPUS(csvpath, "loghub/OpenSSH/OpenSSH_2k.log_structured.csv");
    data = t_read(path, &len);
    csv = t_read(csvpath, &clen);
    p = data;
    end = data + len;
    cp = csv;
    cend = csv + clen;
    t_next_line(&cp, cend, &line, &n); /* header */
    while (t_next_line(&p, end, &line, &n)) {
        char rec[4096], *f[10], vars[8][128];
        const char *cl = NULL;
        size_t cn = 0;
        int nf, nv;

        lineno++;
        assert_int_equal(t_decode_n("syslog", line, n), VIGIL_OK);
        assert_true(t_next_line(&cp, cend, &cl, &cn));
        assert_true(cn < sizeof(rec));
        memcpy(rec, cl, cn);
        rec[cn] = '\0';
        if (cn && rec[cn - 1] == '\r')
            rec[cn - 1] = '\0';
        nf = csv_split(rec, f, 10);
        assert_int_equal(nf, 9);
        assert_int_equal(atoll(f[0]) == lineno, 1);
        t_field_at("OpenSSH_2k.log", lineno, "host.name", f[4]);
        t_int_at("OpenSSH_2k.log", lineno, "process.pid", atoll(f[5]));
        t_field_at("OpenSSH_2k.log", lineno, "message", f[6]);
        t_field_at("OpenSSH_2k.log", lineno, "process.name", "sshd");
        if (vigil_event_get(t_ev, "event.action"))
            actions++;
        for (size_t k = 0; k < sizeof(expects) / sizeof(expects[0]); k++) {
            const struct expect *e = &expects[k];
            if (strcmp(e->id, f[7]) != 0)
                continue;
            nv = template_vars(f[8], f[6], vars, 8);
            if (nv < 0)
                fail_msg("line %d: template %s does not match", lineno, f[8]);
            if (e->user >= 0)
                t_field_at("OpenSSH_2k.log", lineno, "user.name",
                           vars[e->user]);
            if (e->ip >= 0)
                check_ip_or_domain(vars[e->ip], lineno);
            if (e->port >= 0)
                t_int_at("OpenSSH_2k.log", lineno, "source.port",
                         atoll(vars[e->port]));
            if (e->domain >= 0)
                t_field_at("OpenSSH_2k.log", lineno, "source.domain",
                           vars[e->domain]);
            checked++;
        }
        {
            const struct vigil_field *a = vigil_event_get(t_ev, "event.action");
            const struct vigil_field *o =
                vigil_event_get(t_ev, "event.outcome");
            const struct vigil_field *m = vigil_event_get(t_ev, "auth.method");
            if (a && a->text_len == 9 && memcmp(a->text, "ssh_login", 9) == 0) {
                if (o->text[0] == 's')
                    accepted++;
                else if (m && m->text_len == 8 &&
                         memcmp(m->text, "password", 8) == 0)
                    failed_pw++;
            }
            if (strncmp(f[6], "Invalid user ", 13) == 0) {
                T_CLASS("authentication", "ssh_invalid_user", "failure");
                invalid++;
            }
        }
    }
    assert_int_equal(lineno, 2000);
    /* SOURCES.md: 520 'Failed password' (2 of them inside "message
     * repeated"), 113 'Invalid user', 1 'Accepted'. */
    assert_int_equal(failed_pw, 520);
    assert_int_equal(invalid, 113);
    assert_int_equal(accepted, 1);
    assert_int_equal(checked, 1797);
    assert_int_equal(actions, 1992);
    free(data);
    free(csv);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_3164_header),
        cmocka_unit_test(test_year_inference),
        cmocka_unit_test(test_5424),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_openssh_corpus),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
