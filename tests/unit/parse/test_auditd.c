/* Tests for the auditd decoder: SYSCALL, EXECVE with hex arguments,
 * USER_LOGIN with an inner msg='...', node= prefix, enriched format. */
#include "parse_test.h"

static void
test_syscall(void **state)
{
    (void)state;
    T_OK("auditd",
         "type=SYSCALL msg=audit(1364481363.243:24287): arch=c000003e "
         "syscall=2 success=no exit=-13 a0=7fffd19c5592 a1=0 a2=7fffd19c4b50 "
         "a3=a items=1 ppid=2686 pid=3538 auid=1000 uid=1000 gid=1000 "
         "euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 "
         "tty=pts0 ses=1 comm=\"cat\" exe=\"/bin/cat\" "
         "subj=unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023 "
         "key=\"sshd_config\"");
    assert_int_equal(t_ev->time_ns,
                     1364481363LL * VIGIL_NS_PER_SEC + 243000000LL);
    T_FIELD("auditd.type", "SYSCALL");
    T_INT("auditd.sequence", 24287);
    T_FIELD("auditd.syscall", "2");
    T_FIELD("auditd.a0", "7fffd19c5592"); /* registers stay hex */
    T_FIELD("auditd.comm", "cat");
    T_FIELD("auditd.exe", "/bin/cat");
    T_FIELD("auditd.key", "sshd_config");
    T_FIELD("user.id", "1000");
    T_INT("process.pid", 3538);
    T_INT("process.parent.pid", 2686);
    T_FIELD("process.executable", "/bin/cat");
    T_FIELD("process.name", "cat");
    T_FIELD("event.outcome", "failure");
}

static void
test_execve(void **state)
{
    (void)state;
    /* a2 is hex because it holds spaces: "echo hi > /tmp/x". */
    T_OK("auditd", "node=web01 type=EXECVE msg=audit(1700000000.5:77): "
                   "argc=3 a0=\"bash\" a1=\"-c\" "
                   "a2=6563686F206869203E202F746D702F78");
    T_FIELD("host.name", "web01");
    assert_int_equal(t_ev->time_ns,
                     1700000000LL * VIGIL_NS_PER_SEC + 500000000LL);
    T_FIELD("auditd.type", "EXECVE");
    T_INT("auditd.sequence", 77);
    T_FIELD("auditd.argc", "3");
    T_FIELD("auditd.a0", "bash");
    T_FIELD("auditd.a2", "echo hi > /tmp/x");
    T_FIELD("process.command_line", "bash -c echo hi > /tmp/x");
}

static void
test_user_login(void **state)
{
    (void)state;
    T_OK("auditd",
         "type=USER_LOGIN msg=audit(1700000100.123:901): pid=4410 uid=0 "
         "auid=4294967295 ses=4294967295 "
         "subj=system_u:system_r:sshd_t:s0-s0:c0.c1023 msg='op=login "
         "acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=? addr=192.0.2.66 "
         "terminal=ssh res=failed'\x1dUID=\"root\" AUID=\"unset\"");
    T_FIELD("auditd.type", "USER_LOGIN");
    T_FIELD("auditd.op", "login");
    T_FIELD("auditd.acct", "root");
    T_FIELD("user.name", "root");
    T_FIELD("auditd.addr", "192.0.2.66");
    T_FIELD("source.ip", "192.0.2.66");
    T_TYPE("source.ip", VIGIL_F_IP);
    T_FIELD("auditd.hostname", "?");
    T_FIELD("auditd.res", "failed");
    T_FIELD("event.outcome", "failure");
    T_FIELD("auditd.UID", "root");
    T_FIELD("auditd.AUID", "unset");
    T_ABSENT("auditd.msg");
}

static void
test_malformed(void **state)
{
    static const char *bad[] = {
        "",
        "type=SYSCALL",
        "type=SYSCALL msg=audit(",
        "type=SYSCALL msg=audit(abc.1:2): x=1",
        "type=SYSCALL msg=audit(1.:2): x=1",
        "type=SYSCALL msg=audit(1.2:): x=1",
        "type=SYSCALL msg=audit(1.2:3) x=1",
        "type=SYSCALL msg=audit(1.2:3): comm=\"unterminated",
        "node=x",
        "kernel: audit: type=1400",
        /* found by fuzzing: seconds whose nanoseconds overflow int64 */
        "type=X msg=audit(13644813363.1:2): a=b",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (t_decode("auditd", bad[i]) != VIGIL_EPARSE)
            fail_msg("decoded: %s", bad[i]);
    /* Odd but harmless: free words are skipped. */
    T_OK("auditd", "type=X msg=audit(1.2:3): junk k=v");
    T_FIELD("auditd.k", "v");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syscall),
        cmocka_unit_test(test_execve),
        cmocka_unit_test(test_user_login),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
