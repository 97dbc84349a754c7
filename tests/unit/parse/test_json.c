/* Tests for the JSON-lines decoder: dotted names, arrays kept as raw
 * text, unescaping into the arena, numbers, timestamps, bounds. */
#include "parse_test.h"

static void
test_nested(void **state)
{
    const struct vigil_field *f;

    (void)state;
    T_OK("json", "{\"@timestamp\":\"2024-04-01T08:09:10.5Z\",\"event\":"
                 "{\"action\":\"logon\",\"code\":4624},\"source\":{\"ip\":"
                 "\"10.0.0.5\",\"port\":51000,\"geo\":{\"country\":\"DE\"}},"
                 "\"tags\":[\"a\",{\"b\":[1,2]}],\"ok\":true,\"no\":false,"
                 "\"gone\":null,\"ratio\":0.25,\"big\":1e3,\"neg\":-7,"
                 "\"empty\":{},\"s\":\"\"}");
    assert_int_equal(t_ev->time_ns,
                     vigil_time_from_utc(2024, 4, 1, 8, 9, 10, 500000000));
    T_FIELD("@timestamp", "2024-04-01T08:09:10.5Z");
    T_FIELD("event.action", "logon");
    T_INT("event.code", 4624);
    T_FIELD("source.ip", "10.0.0.5");
    T_TYPE("source.ip", VIGIL_F_IP);
    T_INT("source.port", 51000);
    T_FIELD("source.geo.country", "DE");
    T_FIELD("tags", "[\"a\",{\"b\":[1,2]}]");
    T_FIELD("ok", "true");
    T_FIELD("no", "false");
    T_ABSENT("gone");
    T_FIELD("ratio", "0.25");
    T_TYPE("ratio", VIGIL_F_STR);
    T_FIELD("big", "1e3");
    T_INT("neg", -7);
    T_ABSENT("empty");
    T_FIELD("s", "");
    assert_int_equal(t_ev->nfields, 13);
    /* Field names are NUL-terminated copies. */
    f = vigil_event_get(t_ev, "source.geo.country");
    assert_int_equal(f->name[f->name_len], '\0');
}

static void
test_escapes(void **state)
{
    const struct vigil_field *f;
    const char line[] = "{\"cmd\":\"C:\\\\Windows\\\\system32\\\\cmd.exe /c "
                        "\\\"whoami\\\"\",\"u\":\"caf\\u00e9 \\ud83d\\ude00 "
                        "\\ud800x\",\"k\\\"ey\":{\"n\\u0041me\":1},"
                        "\"plain\":\"no escapes\",\"ctl\":\"a\\tb\\nc\"}";

    (void)state;
    T_OK("json", line);
    T_FIELD("cmd", "C:\\Windows\\system32\\cmd.exe /c \"whoami\"");
    T_FIELD("u", "caf\xc3\xa9 \xf0\x9f\x98\x80 \xef\xbf\xbdx");
    T_INT("k\"ey.nAme", 1);
    T_FIELD("ctl", "a\tb\nc");
    /* Zero copy when there is nothing to unescape. */
    f = vigil_event_get(t_ev, "plain");
    assert_true(f->text > line && f->text < line + sizeof(line));
    f = vigil_event_get(t_ev, "cmd");
    assert_false(f->text > line && f->text < line + sizeof(line));
}

static void
test_time_keys(void **state)
{
    (void)state;
    T_OK("json", "{\"msg\":\"x\",\"time\":\"2020-01-02 03:04:05+02:00\"}");
    assert_int_equal(t_ev->time_ns,
                     vigil_time_from_utc(2020, 1, 2, 1, 4, 5, 0));
    T_OK("json", "{\"timestamp\":\"yesterday\"}");
    assert_int_equal(t_ev->time_ns, 0);
    T_FIELD("timestamp", "yesterday");
    /* Found by fuzzing: a year past int64 nanoseconds is no time. */
    T_OK("json", "{\"time\":\"9999-01-01T00:00:00Z\"}");
    assert_int_equal(t_ev->time_ns, 0);
    /* Only the top level sets the time. */
    T_OK("json", "{\"a\":{\"time\":\"2020-01-02T03:04:05Z\"}}");
    assert_int_equal(t_ev->time_ns, 0);
    /* ".ip" names that are not addresses stay strings. */
    T_OK("json", "{\"client\":{\"ip\":\"unknown\"},\"ip\":\"::1\"}");
    T_TYPE("client.ip", VIGIL_F_STR);
    T_TYPE("ip", VIGIL_F_IP);
    /* Integers beyond int64 keep their text. */
    T_OK("json", "{\"n\":123456789012345678901234567890}");
    T_TYPE("n", VIGIL_F_STR);
}

static void
test_bounds(void **state)
{
    char deep[400], *p = deep;
    char many[8192];
    size_t n = 0;

    (void)state;
    /* 33 levels of nesting is refused, 32 is fine. */
    for (int i = 0; i < 33; i++)
        p += snprintf(p, 8, "{\"a\":");
    p += snprintf(p, 4, "1");
    for (int i = 0; i < 33; i++)
        *p++ = '}';
    *p = '\0';
    assert_int_equal(t_decode("json", deep), VIGIL_EPARSE);
    assert_int_equal(t_decode("json", deep + 5), VIGIL_EPARSE); /* unbalanced */
    deep[strlen(deep) - 1] = '\0';
    assert_int_equal(t_decode("json", deep + 5), VIGIL_OK);
    T_INT("a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a", 1);

    /* More members than an event holds: kept up to the limit. */
    n += (size_t)snprintf(many, sizeof(many), "{");
    for (int i = 0; i < 200; i++)
        n += (size_t)snprintf(many + n, sizeof(many) - n, "%s\"k%d\":%d",
                              i ? "," : "", i, i);
    snprintf(many + n, sizeof(many) - n, "}");
    T_OK("json", many);
    assert_int_equal(t_ev->nfields, VIGIL_EVENT_MAX_FIELDS);
    assert_true(t_ev->truncated);
    T_INT("k127", 127);
}

static void
test_malformed(void **state)
{
    static const char *bad[] = {
        "",
        "[1,2]",
        "\"str\"",
        "{",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{\"a\":1} x",
        "{\"a\":tru}",
        "{\"a\":01x}",
        "{\"a\":-}",
        "{\"a\":1.}",
        "{\"a\":\"\\q\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"unterminated}",
        "{\"a\":[1,2}",
        "{\"a\":{\"b\":1}",
        "{a:1}",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (t_decode("json", bad[i]) != VIGIL_EPARSE)
            fail_msg("decoded: %s", bad[i]);
        assert_int_equal(t_ev->nfields, 0);
    }
    T_OK("json", "  { \"a\" : [ ] , \"b\" : { } }  ");
    T_FIELD("a", "[ ]");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nested),    cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_time_keys), cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
