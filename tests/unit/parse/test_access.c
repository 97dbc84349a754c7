/* Tests for the access-log decoder: combined/common formats, a vhost
 * prefix, odd request lines, and the elastic-examples Apache log. */
#include "parse_test.h"

static void
test_combined(void **state)
{
    (void)state;
    T_OK("access", "83.149.9.216 - - [17/May/2015:10:05:03 +0000] \"GET "
                   "/presentations/logstash-monitorama-2013/images/"
                   "kibana-search.png HTTP/1.1\" 200 203023 "
                   "\"http://semicomplete.com/presentations/"
                   "logstash-monitorama-2013/\" \"Mozilla/5.0 (Macintosh; "
                   "Intel Mac OS X 10_9_1)\"");
    assert_int_equal(t_ev->time_ns,
                     vigil_time_from_utc(2015, 5, 17, 10, 5, 3, 0));
    T_FIELD("source.ip", "83.149.9.216");
    T_TYPE("source.ip", VIGIL_F_IP);
    T_ABSENT("user.name");
    T_FIELD("http.request.method", "GET");
    T_FIELD("url.original", "/presentations/logstash-monitorama-2013/images/"
                            "kibana-search.png");
    T_FIELD("url.path", "/presentations/logstash-monitorama-2013/images/"
                        "kibana-search.png");
    T_ABSENT("url.query");
    T_FIELD("http.version", "1.1");
    T_INT("http.response.status_code", 200);
    T_INT("http.response.body.bytes", 203023);
    T_FIELD("http.request.referrer",
            "http://semicomplete.com/presentations/logstash-monitorama-2013/");
    T_FIELD("user_agent.original",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1)");
    T_FIELD("event.category", "web");
    T_FIELD("event.outcome", "success");

    /* nginx, a user, a query, a zone offset, escaped quotes in the UA. */
    T_OK("access", "2001:db8::9 - admin [01/Feb/2024:23:30:00 -0130] "
                   "\"POST /wp-login.php?redirect_to=%2Fwp-admin HTTP/2.0\" "
                   "401 512 \"-\" \"curl/8.5 \\\"x\\\"\"");
    assert_int_equal(t_ev->time_ns,
                     vigil_time_from_utc(2024, 2, 2, 1, 0, 0, 0));
    T_FIELD("source.ip", "2001:db8::9");
    T_FIELD("user.name", "admin");
    T_FIELD("http.request.method", "POST");
    T_FIELD("url.path", "/wp-login.php");
    T_FIELD("url.query", "redirect_to=%2Fwp-admin");
    T_FIELD("http.version", "2.0");
    T_INT("http.response.status_code", 401);
    T_ABSENT("http.request.referrer");
    T_FIELD("user_agent.original", "curl/8.5 \\\"x\\\"");
    T_FIELD("event.outcome", "failure");
}

static void
test_common_vhost_odd(void **state)
{
    (void)state;
    /* common: no referrer or agent; "-" bytes. */
    T_OK("access", "10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET "
                   "/apache_pb.gif HTTP/1.0\" 304 -");
    T_INT("http.response.status_code", 304);
    T_ABSENT("http.response.body.bytes");
    T_ABSENT("user_agent.original");
    assert_int_equal(t_ev->time_ns,
                     vigil_time_from_utc(2000, 10, 10, 20, 55, 36, 0));

    /* vhost_combined */
    T_OK("access", "www.example.org:443 192.0.2.1 - - [10/Oct/2023:13:55:36 "
                   "+0000] \"GET /a HTTP/1.1\" 200 10 \"-\" \"UA\"");
    T_FIELD("url.domain", "www.example.org");
    T_INT("url.port", 443);
    T_FIELD("source.ip", "192.0.2.1");
    T_FIELD("url.path", "/a");

    /* A scanner's garbage request line. */
    T_OK("access", "192.0.2.2 - - [10/Oct/2023:13:55:36 +0000] "
                   "\"\\x16\\x03\\x01\\x00\" 400 226 \"-\" \"-\"");
    T_ABSENT("http.request.method");
    T_FIELD("url.original", "\\x16\\x03\\x01\\x00");
    T_INT("http.response.status_code", 400);
    T_ABSENT("user_agent.original");

    /* Empty request. */
    T_OK("access", "192.0.2.3 - - [10/Oct/2023:13:55:36 +0000] \"-\" 408 0 "
                   "\"-\" \"-\"");
    T_ABSENT("url.original");
    T_INT("http.response.body.bytes", 0);
}

static void
test_malformed(void **state)
{
    static const char *bad[] = {
        "",
        "1.2.3.4",
        "1.2.3.4 - - [10/Oct/2023:13:55:36 +0000]",
        "1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] \"GET / HTTP/1.1",
        "1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] \"GET / HTTP/1.1\" abc 1",
        "1.2.3.4 - - [10/Xyz/2023:13:55:36 +0000] \"GET /\" 200 1",
        "1.2.3.4 - - [10/Oct/2023 13:55:36 +0000] \"GET /\" 200 1",
        "a b c d e [10/Oct/2023:13:55:36 +0000] \"GET /\" 200 1",
        /* found by fuzzing: a year whose nanoseconds overflow int64 */
        "1.2.3.4 - - [10/Oct/9999:13:55:36 +0000] \"GET /\" 200 1",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (t_decode("access", bad[i]) != VIGIL_EPARSE)
            fail_msg("decoded: %s", bad[i]);
}

static void
test_apache_corpus(void **state)
{
    char path[512];
    size_t len, n, nip = 0;
    char *data;
    const char *p, *end, *line;
    int lines = 0, st[600] = {0};
    static uint8_t ips[2000][16];

    (void)state;
    VIGIL_NEED_CORPUS(path, "elastic-examples/Common Data Formats/apache_logs/"
                            "apache_logs");
    data = t_read(path, &len);
    p = data;
    end = data + len;
    while (t_next_line(&p, end, &line, &n)) {
        const struct vigil_field *s, *ip;
        size_t k;
        lines++;
        assert_int_equal(t_decode_n("access", line, n), VIGIL_OK);
        s = vigil_event_get(t_ev, "http.response.status_code");
        assert_non_null(s);
        assert_true(s->v.i >= 100 && s->v.i < 600);
        st[s->v.i]++;
        ip = vigil_event_get(t_ev, "source.ip");
        assert_int_equal(ip->type, VIGIL_F_IP);
        for (k = 0; k < nip; k++)
            if (memcmp(ips[k], ip->v.ip, 16) == 0)
                break;
        if (k == nip && nip < 2000)
            memcpy(ips[nip++], ip->v.ip, 16);
    }
    assert_int_equal(lines, 10000);
    /* SOURCES.md: status 200 9,126 / 304 445 / 404 213 / 301 164 /
     * 206 45 / 500 3, from 1,753 client IPs. */
    assert_int_equal(st[200], 9126);
    assert_int_equal(st[304], 445);
    assert_int_equal(st[404], 213);
    assert_int_equal(st[301], 164);
    assert_int_equal(st[206], 45);
    assert_int_equal(st[500], 3);
    assert_int_equal(st[403] + st[416], 4);
    assert_int_equal(nip, 1753);
    free(data);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_combined),
        cmocka_unit_test(test_common_vhost_odd),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_apache_corpus),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
