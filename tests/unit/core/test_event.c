/* Tests for the event model, its JSON form, IP and time helpers. */
#include "vigil_test.h"

#include "core/core.h"

static void
test_event_json(void **state)
{
    struct vigil_arena arena;
    struct vigil_event *ev = malloc(sizeof(*ev));
    struct vigil_buf out;
    const char line[] = "Failed password for root from 10.0.0.7 port 22";

    (void)state;
    vigil_arena_init(&arena, 0, 1 << 20);
    vigil_buf_init(&out, 4096);
    vigil_event_init(ev, &arena);
    ev->time_ns = vigil_time_from_utc(2024, 2, 29, 13, 5, 9, 123456000);
    assert_int_equal(vigil_event_add_str(ev, "user.name", line + 20, 4), 0);
    assert_int_equal(vigil_event_add_ip(ev, "source.ip", line + 30, 8), 0);
    assert_int_equal(vigil_event_add_int(ev, "source.port", line + 44, 2, 22),
                     0);
    assert_int_equal(vigil_event_add_dyn(ev, "x\"y", 3, "a\nb\x01", 4), 0);
    assert_int_equal(vigil_event_to_json(ev, &out), 0);
    assert_string_equal(out.data,
                        "{\"@timestamp\":\"2024-02-29T13:05:09.123456Z\","
                        "\"user.name\":\"root\",\"source.ip\":\"10.0.0.7\","
                        "\"source.port\":22,\"x\\\"y\":\"a\\nb\\u0001\"}");
    assert_int_equal(vigil_event_get(ev, "source.ip")->type, VIGIL_F_IP);
    assert_null(vigil_event_get(ev, "source"));
    vigil_buf_fini(&out);
    vigil_arena_fini(&arena);
    free(ev);
}

static void
test_event_full(void **state)
{
    struct vigil_arena arena;
    struct vigil_event *ev = malloc(sizeof(*ev));
    int i;

    (void)state;
    vigil_arena_init(&arena, 0, 0);
    vigil_event_init(ev, &arena);
    for (i = 0; i < VIGIL_EVENT_MAX_FIELDS; i++)
        assert_int_equal(vigil_event_add_intv(ev, "n", i), VIGIL_OK);
    assert_int_equal(vigil_event_add_intv(ev, "n", i), VIGIL_ELIMIT);
    assert_true(ev->truncated);
    vigil_arena_fini(&arena);
    free(ev);
}

static void
test_json_invalid_utf8(void **state)
{
    struct vigil_buf out;

    (void)state;
    vigil_buf_init(&out, 100);
    assert_int_equal(vigil_buf_json_str(&out, "\xc3\xa9\xff\xe2\x82", 5), 0);
    assert_string_equal(out.data, "\"\xc3\xa9\\u00ff\\u00e2\\u0082\"");
    vigil_buf_fini(&out);
}

static void
test_buf_limit(void **state)
{
    struct vigil_buf b;

    (void)state;
    vigil_buf_init(&b, 8);
    assert_int_equal(vigil_buf_append(&b, "12345678", 8), VIGIL_OK);
    assert_int_equal(vigil_buf_append(&b, "9", 1), VIGIL_ELIMIT);
    assert_null(b.data);
}

static void
test_ip(void **state)
{
    uint8_t ip[16], net[16];
    char txt[64];

    (void)state;
    assert_true(vigil_ip_parse("192.168.1.20", 12, ip));
    vigil_ip_format(ip, txt);
    assert_string_equal(txt, "192.168.1.20");
    assert_true(vigil_ip_parse("192.168.0.0", 11, net));
    assert_true(vigil_ip_in_cidr(ip, net, 16));
    assert_false(vigil_ip_in_cidr(ip, net, 24));
    assert_false(vigil_ip_parse("256.1.1.1", 9, ip));
    assert_false(vigil_ip_parse("1.2.3", 5, ip));
    assert_false(vigil_ip_parse("1.2.3.4.", 8, ip));
    assert_true(vigil_ip_parse("2001:db8::1", 11, ip));
    vigil_ip_format(ip, txt);
    assert_string_equal(txt, "2001:db8::1");
    assert_true(vigil_ip_parse("::1", 3, ip));
    vigil_ip_format(ip, txt);
    assert_string_equal(txt, "::1");
    assert_true(vigil_ip_parse("fe80::1:2:3:4", 13, ip));
    vigil_ip_format(ip, txt);
    assert_string_equal(txt, "fe80::1:2:3:4");
    assert_true(vigil_ip_parse("1:2:3:4:5:6:7:8", 15, ip));
    vigil_ip_format(ip, txt);
    assert_string_equal(txt, "1:2:3:4:5:6:7:8");
    assert_true(vigil_ip_parse("2001:db8::", 10, ip));
    vigil_ip_format(ip, txt);
    assert_string_equal(txt, "2001:db8::");
    assert_false(vigil_ip_parse("1::2::3", 7, ip));
    assert_false(vigil_ip_parse("12345::", 7, ip));
}

static void
test_time(void **state)
{
    int64_t ns;
    char buf[40];

    (void)state;
    assert_true(vigil_time_parse_rfc3339("2019-03-18T23:12:44.1234Z", 25, &ns));
    vigil_time_format(ns, buf);
    assert_string_equal(buf, "2019-03-18T23:12:44.123400Z");
    assert_true(vigil_time_parse_rfc3339("2019-03-19T01:12:44+02:00", 25, &ns));
    vigil_time_format(ns, buf);
    assert_string_equal(buf, "2019-03-18T23:12:44.000000Z");
    assert_true(vigil_time_parse_rfc3339("1969-12-31 23:59:59", 19, &ns));
    assert_int_equal(ns, -VIGIL_NS_PER_SEC);
    vigil_time_format(ns, buf);
    assert_string_equal(buf, "1969-12-31T23:59:59.000000Z");
    assert_false(vigil_time_parse_rfc3339("2019-13-01", 10, &ns));
    assert_false(vigil_time_parse_rfc3339("9999-01-01T00:00:00Z", 20, &ns));
    assert_false(vigil_time_parse_rfc3339("1000-01-01", 10, &ns));
    assert_false(vigil_time_parse_rfc3339("2019-03-18T23:12", 16, &ns));
    assert_int_equal(vigil_month_from_abbr("Dec"), 12);
    assert_int_equal(vigil_month_from_abbr("Foo"), 0);
}

static void
test_parse_i64(void **state)
{
    int64_t v;

    (void)state;
    assert_true(vigil_parse_i64("-42", 3, &v));
    assert_int_equal(v, -42);
    assert_true(vigil_parse_i64("9223372036854775807", 19, &v));
    assert_false(vigil_parse_i64("9223372036854775808", 19, &v));
    assert_false(vigil_parse_i64("12a", 3, &v));
    assert_false(vigil_parse_i64("", 0, &v));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_json),
        cmocka_unit_test(test_event_full),
        cmocka_unit_test(test_json_invalid_utf8),
        cmocka_unit_test(test_buf_limit),
        cmocka_unit_test(test_ip),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_parse_i64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
