/* Tests for the CEF decoder: header escapes, extension values with
 * spaces and escapes, ECS copies, a syslog header in front. */
#include "parse_test.h"

static void
test_bare(void **state)
{
    (void)state;
    T_OK("cef", "CEF:0|Security|threatmanager|1.0|100|worm successfully "
                "stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232 dpt=445 "
                "suser=alice duser=svc_backup act=blocked msg=Worm "
                "stopped on host\\=web1 path c:\\\\temp\\nnext line "
                "cs1Label=Rule Name cs1=Block SMB rt=1700000000123");
    T_FIELD("cef.version", "0");
    T_FIELD("observer.vendor", "Security");
    T_FIELD("observer.product", "threatmanager");
    T_FIELD("observer.version", "1.0");
    T_FIELD("event.code", "100");
    T_FIELD("message", "worm successfully stopped");
    T_INT("event.severity", 10);
    T_FIELD("cef.src", "10.0.0.1");
    T_FIELD("source.ip", "10.0.0.1");
    T_TYPE("source.ip", VIGIL_F_IP);
    T_FIELD("destination.ip", "2.1.2.2");
    T_INT("source.port", 1232);
    T_INT("destination.port", 445);
    T_FIELD("user.name", "alice");
    T_FIELD("source.user.name", "alice");
    T_FIELD("destination.user.name", "svc_backup");
    T_FIELD("event.action", "blocked");
    T_FIELD("cef.msg", "Worm stopped on host=web1 path c:\\temp\nnext line");
    T_FIELD("cef.cs1Label", "Rule Name");
    T_FIELD("cef.cs1", "Block SMB");
    assert_int_equal(t_ev->time_ns, 1700000000123LL * 1000000);
}

static void
test_header_escapes(void **state)
{
    (void)state;
    T_OK("cef", "CEF:1|Ven\\|dor|Pro\\\\duct|2.3|sig:7|Name with \\| "
                "pipe|High|");
    T_FIELD("observer.vendor", "Ven|dor");
    T_FIELD("observer.product", "Pro\\duct");
    T_FIELD("event.code", "sig:7");
    T_FIELD("message", "Name with | pipe");
    T_FIELD("event.severity", "High");
    T_TYPE("event.severity", VIGIL_F_STR);
    T_ABSENT("cef.src");
}

static void
test_syslog_front(void **state)
{
    (void)state;
    T_OK("cef", "<134>Sep 19 08:26:10 fw01 CEF:0|Palo Alto "
                "Networks|PAN-OS|10.1|THREAT|url|3|src=192.0.2.4 "
                "request=http://evil.example/x?a=1 b=2 shost=pc-17");
    T_FIELD("host.name", "fw01");
    T_ABSENT("process.name");
    T_INT("log.syslog.priority", 134);
    T_FIELD("observer.vendor", "Palo Alto Networks");
    T_FIELD("url.original", "http://evil.example/x?a=1");
    T_FIELD("cef.b", "2");
    T_FIELD("source.domain", "pc-17");
    T_INT("event.severity", 3);
}

static void
test_malformed(void **state)
{
    static const char *bad[] = {
        "",
        "CEF:",
        "CEF:0|a|b|c|d|e|5",
        "CEF:0|a|b|c|d|e",
        "<13>Jan  1 00:00:00 h p: no cef here",
        "hello CEF:0|a|b|c|d|e|5|",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (t_decode("cef", bad[i]) != VIGIL_EPARSE)
            fail_msg("decoded: %s", bad[i]);
    /* A broken extension keeps what precedes it. */
    T_OK("cef", "CEF:0|a|b|c|d|e|5|src=1.2.3.4 =oops x");
    T_FIELD("cef.src", "1.2.3.4 =oops x");
    /* Found by fuzzing: rt past int64 nanoseconds is kept as text only. */
    T_OK("cef", "CEF:0|a|b|c|d|e|5|rt=170000000000123");
    assert_int_equal(t_ev->time_ns, 0);
    T_FIELD("cef.rt", "170000000000123");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bare),
        cmocka_unit_test(test_header_escapes),
        cmocka_unit_test(test_syslog_front),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
