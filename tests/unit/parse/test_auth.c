/* Tests for the Linux auth message decoders (sshd, PAM, sudo, su, the
 * shadow tools, systemd-logind) on realistic lines, and the loghub Linux
 * sample (su sessions, PAM failures with rhost). */
#include "parse_test.h"

static void
test_sshd(void **state)
{
    (void)state;
    T_OK("auth", "Mar  3 10:00:01 srv sshd[1201]: Accepted password for "
                 "alice from 192.0.2.10 port 52114 ssh2");
    T_CLASS("authentication", "ssh_login", "success");
    T_FIELD("user.name", "alice");
    T_FIELD("source.ip", "192.0.2.10");
    T_TYPE("source.ip", VIGIL_F_IP);
    T_INT("source.port", 52114);
    T_FIELD("auth.method", "password");
    T_ABSENT("event.reason");

    T_OK("auth", "Mar  3 10:00:02 srv sshd[1202]: Accepted "
                 "keyboard-interactive/pam for bob from 198.51.100.4 port "
                 "40022 ssh2");
    T_FIELD("auth.method", "keyboard-interactive/pam");
    T_FIELD("user.name", "bob");

    T_OK("auth", "Mar  3 10:00:03 srv sshd[1203]: Failed password for "
                 "invalid user oracle from 203.0.113.9 port 33210 ssh2");
    T_CLASS("authentication", "ssh_login", "failure");
    T_FIELD("user.name", "oracle");
    T_FIELD("event.reason", "invalid_user");
    T_FIELD("source.ip", "203.0.113.9");
    T_INT("source.port", 33210);

    T_OK("auth", "Mar  3 10:00:03 srv sshd[1203]: Failed publickey for "
                 "root from 203.0.113.9 port 33211 ssh2: RSA "
                 "SHA256:0A1b2C3d");
    T_CLASS("authentication", "ssh_login", "failure");
    T_FIELD("user.name", "root");
    T_FIELD("auth.method", "publickey");
    T_ABSENT("event.reason");

    T_OK("auth", "Mar  3 10:00:04 srv sshd[1204]: Invalid user admin from "
                 "203.0.113.9 port 33300");
    T_CLASS("authentication", "ssh_invalid_user", "failure");
    T_FIELD("user.name", "admin");
    T_INT("source.port", 33300);

    T_OK("auth", "Mar  3 10:00:05 srv sshd[1205]: Received disconnect from "
                 "203.0.113.9 port 33300:11: Bye Bye [preauth]");
    T_CLASS("session", "ssh_disconnect", "unknown");
    T_FIELD("source.ip", "203.0.113.9");
    T_INT("source.port", 33300);
    T_FIELD("ssh.preauth", "true");

    T_OK("auth", "Mar  3 10:00:06 srv sshd[1206]: Disconnected from "
                 "authenticating user root 203.0.113.9 port 33312 "
                 "[preauth]");
    T_CLASS("session", "ssh_disconnect", "unknown");
    T_FIELD("user.name", "root");
    T_FIELD("source.ip", "203.0.113.9");
    T_INT("source.port", 33312);

    T_OK("auth", "Mar  3 10:00:06 srv sshd[1207]: Disconnected from "
                 "invalid user test 2001:db8::5 port 60000 [preauth]");
    T_FIELD("user.name", "test");
    T_FIELD("source.ip", "2001:db8::5");

    T_OK("auth", "Mar  3 10:00:07 srv sshd[1208]: Connection closed by "
                 "authenticating user git 192.0.2.77 port 41000 [preauth]");
    T_CLASS("session", "ssh_disconnect", "unknown");
    T_FIELD("user.name", "git");
    T_FIELD("source.ip", "192.0.2.77");

    T_OK("auth", "Mar  3 10:00:07 srv sshd[1208]: Connection closed by "
                 "192.0.2.78 port 41001");
    T_FIELD("source.ip", "192.0.2.78");
    T_ABSENT("user.name");
    T_ABSENT("ssh.preauth");

    T_OK("auth", "Mar  3 10:00:08 srv sshd[1209]: reverse mapping checking "
                 "getaddrinfo for host-7.example.net [192.0.2.7] failed - "
                 "POSSIBLE BREAK-IN ATTEMPT!");
    T_FIELD("event.action", "ssh_reverse_mapping_failed");
    T_FIELD("source.domain", "host-7.example.net");
    T_FIELD("source.ip", "192.0.2.7");

    T_OK("auth", "Mar  3 10:00:09 srv sshd[1210]: error: maximum "
                 "authentication attempts exceeded for invalid user pi from "
                 "192.0.2.8 port 5555 ssh2 [preauth]");
    T_CLASS("authentication", "ssh_max_auth_exceeded", "failure");
    T_FIELD("user.name", "pi");
    T_FIELD("event.reason", "invalid_user");
    T_INT("source.port", 5555);
    T_FIELD("ssh.preauth", "true");

    /* OpenSSH 9.8 logs from sshd-session. */
    T_OK("auth", "2024-07-01T12:00:00.000000+00:00 srv sshd-session[77]: "
                 "Accepted publickey for ci from 10.1.2.3 port 1022 ssh2: "
                 "ED25519 SHA256:xyz");
    T_CLASS("authentication", "ssh_login", "success");
    T_FIELD("user.name", "ci");

    /* A user name an attacker chose to look like the rest of the line. */
    T_OK("auth", "Mar  3 10:00:10 srv sshd[1211]: Invalid user a from b "
                 "from 192.0.2.9 port 1");
    T_FIELD("user.name", "a from b");
    T_FIELD("source.ip", "192.0.2.9");
}

static void
test_pam(void **state)
{
    (void)state;
    T_OK("auth", "Mar  3 10:01:00 srv sshd[1300]: pam_unix(sshd:auth): "
                 "authentication failure; logname= uid=0 euid=0 tty=ssh "
                 "ruser= rhost=192.0.2.50  user=root");
    T_CLASS("authentication", "pam_auth_failure", "failure");
    T_FIELD("user.name", "root");
    T_FIELD("source.ip", "192.0.2.50");
    T_FIELD("pam.service", "sshd");

    T_OK("auth", "Mar  3 10:01:00 srv sshd[1300]: pam_unix(sshd:auth): "
                 "authentication failure; logname= uid=0 euid=0 tty=ssh "
                 "ruser= rhost=scanner.example.org");
    T_FIELD("source.domain", "scanner.example.org");
    T_ABSENT("source.ip");
    T_ABSENT("user.name");

    T_OK("auth", "Mar  3 10:01:01 srv sshd[1300]: pam_unix(sshd:auth): "
                 "check pass; user unknown");
    T_CLASS("authentication", "pam_user_unknown", "failure");

    T_OK("auth", "Mar  3 10:01:02 srv sshd[1300]: PAM 5 more authentication "
                 "failures; logname= uid=0 euid=0 tty=ssh ruser= "
                 "rhost=192.0.2.50  user=root");
    T_CLASS("authentication", "pam_auth_failures", "failure");
    T_INT("pam.failures", 5);
    T_FIELD("user.name", "root");
    T_FIELD("source.ip", "192.0.2.50");

    T_OK("auth", "Mar  3 10:02:00 srv su[2000]: pam_unix(su:session): "
                 "session opened for user root(uid=0) by alice(uid=1000)");
    T_CLASS("session", "session_opened", "success");
    T_FIELD("user.name", "root");
    T_FIELD("process.real_user.name", "alice");
    T_FIELD("pam.service", "su");

    T_OK("auth", "Mar  3 10:02:00 srv CRON[2001]: pam_unix(cron:session): "
                 "session opened for user root by (uid=0)");
    T_FIELD("user.name", "root");
    T_ABSENT("process.real_user.name");

    T_OK("auth", "Mar  3 10:03:00 srv sshd[1300]: pam_unix(sshd:session): "
                 "session closed for user alice");
    T_CLASS("session", "session_closed", "success");
    T_FIELD("user.name", "alice");

    T_OK("auth", "Mar  3 10:04:00 srv passwd[2100]: "
                 "pam_unix(passwd:chauthtok): password changed for carol");
    T_CLASS("iam", "password_changed", "success");
    T_FIELD("user.target.name", "carol");
    T_FIELD("pam.service", "passwd");
}

static void
test_sudo(void **state)
{
    (void)state;
    T_OK("auth", "Mar  3 11:00:00 srv sudo[3000]:    alice : TTY=pts/0 ; "
                 "PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl "
                 "restart nginx");
    T_CLASS("process", "sudo_command", "success");
    T_FIELD("user.name", "alice");
    T_FIELD("user.target.name", "root");
    T_FIELD("process.working_directory", "/home/alice");
    T_FIELD("process.command_line", "/usr/bin/systemctl restart nginx");
    T_FIELD("process.tty.name", "pts/0");
    T_ABSENT("event.reason");

    T_OK("auth", "Mar  3 11:00:01 srv sudo[3001]:      bob : 3 incorrect "
                 "password attempts ; TTY=pts/1 ; PWD=/tmp ; USER=root ; "
                 "COMMAND=/bin/bash -c id; whoami");
    T_CLASS("process", "sudo_command", "failure");
    T_FIELD("user.name", "bob");
    T_FIELD("event.reason", "incorrect_password");
    T_FIELD("process.command_line", "/bin/bash -c id; whoami");

    T_OK("auth", "Mar  3 11:00:02 srv sudo[3002]:     mallory : user NOT in "
                 "sudoers ; TTY=pts/2 ; PWD=/home/mallory ; USER=root ; "
                 "COMMAND=/bin/cat /etc/shadow");
    T_CLASS("process", "sudo_command", "failure");
    T_FIELD("user.name", "mallory");
    T_FIELD("event.reason", "not_in_sudoers");
    T_FIELD("user.target.name", "root");
}

static void
test_su(void **state)
{
    (void)state;
    T_OK("auth", "Mar  3 12:00:00 srv su[4000]: Successful su for root by "
                 "alice");
    T_CLASS("authentication", "su", "success");
    T_FIELD("user.name", "alice");
    T_FIELD("user.target.name", "root");

    T_OK("auth", "Mar  3 12:00:01 srv su[4001]: FAILED su for root by eve");
    T_CLASS("authentication", "su", "failure");
    T_FIELD("user.name", "eve");

    T_OK("auth", "Mar  3 12:00:02 srv su[4002]: + pts/3 alice:postgres");
    T_CLASS("authentication", "su", "success");
    T_FIELD("user.name", "alice");
    T_FIELD("user.target.name", "postgres");

    T_OK("auth", "Mar  3 12:00:03 srv su[4003]: - pts/3 eve:root");
    T_CLASS("authentication", "su", "failure");

    T_OK("auth", "Mar  3 12:00:04 srv su[4004]: (to root) alice on pts/0");
    T_CLASS("authentication", "su", "success");
    T_FIELD("user.name", "alice");
    T_FIELD("user.target.name", "root");
}

static void
test_shadow_tools(void **state)
{
    (void)state;
    T_OK("auth", "Mar  3 13:00:00 srv useradd[5000]: new user: "
                 "name=backdoor, UID=1001, GID=1001, home=/home/backdoor, "
                 "shell=/bin/bash, from=/dev/pts/0");
    T_CLASS("iam", "user_created", "success");
    T_FIELD("user.target.name", "backdoor");
    T_INT("user.target.id", 1001);

    T_OK("auth", "Mar  3 13:00:00 srv useradd[5000]: new group: "
                 "name=backdoor, GID=1001");
    T_CLASS("iam", "group_created", "success");
    T_FIELD("group.name", "backdoor");
    T_INT("group.id", 1001);

    T_OK("auth", "Mar  3 13:00:01 srv usermod[5001]: add 'backdoor' to "
                 "group 'sudo'");
    T_CLASS("iam", "user_added_to_group", "success");
    T_FIELD("user.target.name", "backdoor");
    T_FIELD("group.name", "sudo");

    T_OK("auth", "Mar  3 13:00:01 srv usermod[5001]: add 'backdoor' to "
                 "shadow group 'sudo'");
    T_FIELD("event.action", "user_added_to_group");
    T_FIELD("group.name", "sudo");

    T_OK("auth", "Mar  3 13:00:02 srv userdel[5002]: delete user "
                 "'backdoor'");
    T_CLASS("iam", "user_deleted", "success");
    T_FIELD("user.target.name", "backdoor");

    T_OK("auth", "Mar  3 13:00:03 srv groupadd[5003]: group added to "
                 "/etc/group: name=ops, GID=1002");
    T_CLASS("iam", "group_created", "success");
    T_FIELD("group.name", "ops");

    T_OK("auth", "Mar  3 13:00:04 srv passwd[5004]: password changed for "
                 "dave");
    T_CLASS("iam", "password_changed", "success");
    T_FIELD("user.target.name", "dave");

    T_OK("auth", "Mar  3 13:00:05 srv chpasswd[5005]: password changed for "
                 "erin");
    T_FIELD("event.action", "password_changed");
    T_FIELD("user.target.name", "erin");

    T_OK("auth", "Mar  3 13:00:07 srv gpasswd[5006]: user mallory added by "
                 "root to group docker");
    T_CLASS("iam", "user_added_to_group", "success");
    T_FIELD("user.target.name", "mallory");
    T_FIELD("user.name", "root");
    T_FIELD("group.name", "docker");
    T_OK("auth", "Mar  3 13:00:08 srv gpasswd[5007]: user mallory removed "
                 "by root from group docker");
    T_CLASS("iam", "user_removed_from_group", "success");
    T_FIELD("group.name", "docker");

    /* Other programs saying the same words are not account changes. */
    T_OK("auth", "Mar  3 13:00:06 srv myapp[1]: new user: name=x, UID=1");
    T_ABSENT("event.action");
}

static void
test_logind(void **state)
{
    (void)state;
    T_OK("auth", "Mar  3 14:00:00 srv systemd-logind[600]: New session 42 "
                 "of user alice.");
    T_CLASS("session", "session_start", "success");
    T_FIELD("user.name", "alice");
    T_FIELD("session.id", "42");

    T_OK("auth", "Mar  3 14:10:00 srv systemd-logind[600]: Session 42 "
                 "logged out. Waiting for processes to exit.");
    T_CLASS("session", "session_logout", "success");
    T_FIELD("session.id", "42");

    T_OK("auth", "Mar  3 14:10:01 srv systemd-logind[600]: Removed session "
                 "42.");
    T_CLASS("session", "session_end", "success");
    T_FIELD("session.id", "42");
}

/* loghub Linux_2k: old Red Hat tags "sshd(pam_unix)[pid]" and
 * "su(pam_unix)[pid]", CRLF line ends. */
static void
test_linux_corpus(void **state)
{
    char path[512];
    size_t len, n;
    char *data;
    const char *p, *end, *line;
    int lines = 0, pam_fail = 0, pam_fail_rhost = 0, su_open = 0, su_close = 0,
        unknown = 0;

    (void)state;
    VIGIL_NEED_CORPUS(path, "loghub/Linux/Linux_2k.log");
    data = t_read(path, &len);
    p = data;
    end = data + len;
    while (t_next_line(&p, end, &line, &n)) {
        const struct vigil_field *a, *s;
        lines++;
        assert_int_equal(t_decode_n("auth", line, n), VIGIL_OK);
        T_FIELD("host.name", "combo");
        a = vigil_event_get(t_ev, "event.action");
        s = vigil_event_get(t_ev, "pam.service");
        if (a == NULL)
            continue;
        if (a->text_len == 16 && memcmp(a->text, "pam_auth_failure", 16) == 0) {
            pam_fail++;
            if (vigil_event_get(t_ev, "source.ip") ||
                vigil_event_get(t_ev, "source.domain"))
                pam_fail_rhost++;
        } else if (a->text_len == 16 &&
                   memcmp(a->text, "pam_user_unknown", 16) == 0) {
            unknown++;
        } else if (s && s->text_len == 2 && memcmp(s->text, "su", 2) == 0) {
            if (a->text[8] == 'o')
                su_open++;
            else
                su_close++;
            assert_non_null(vigil_event_get(t_ev, "user.name"));
        }
    }
    assert_int_equal(lines, 2000);
    /* SOURCES.md: 490 PAM 'authentication failure' lines; all but one
     * (gdm, "rhost=" empty) name the remote host. */
    assert_int_equal(pam_fail, 490);
    assert_int_equal(pam_fail_rhost, 489);
    assert_int_equal(unknown, 117);
    /* ...and 172 su lines: 86 sessions opened and closed. */
    assert_int_equal(su_open, 86);
    assert_int_equal(su_close, 86);

    /* One line in full. */
    T_OK("auth", "Jun 15 12:12:34 combo sshd(pam_unix)[23397]: "
                 "authentication failure; logname= uid=0 euid=0 "
                 "tty=NODEVssh ruser= rhost=218.188.2.4 \r");
    T_CLASS("authentication", "pam_auth_failure", "failure");
    T_FIELD("pam.service", "sshd");
    T_FIELD("process.name", "sshd(pam_unix)");
    T_INT("process.pid", 23397);
    T_FIELD("source.ip", "218.188.2.4");
    T_FIELD("message", "authentication failure; logname= uid=0 euid=0 "
                       "tty=NODEVssh ruser= rhost=218.188.2.4");
    free(data);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sshd),         cmocka_unit_test(test_pam),
        cmocka_unit_test(test_sudo),         cmocka_unit_test(test_su),
        cmocka_unit_test(test_shadow_tools), cmocka_unit_test(test_logind),
        cmocka_unit_test(test_linux_corpus),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
