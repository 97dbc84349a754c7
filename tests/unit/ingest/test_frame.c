/* test_frame.c -- syslog stream framing (RFC 6587 octet counting and
 * newline framing) and listen-address parsing. */
#include "vigil_test.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include "ingest/ingest_int.h"

struct msgs {
    char m[16][128];
    size_t n;
    size_t oversize;
};

static enum vigil_rc
on_msg(void *arg, const char *msg, size_t len, int oversize)
{
    struct msgs *g = arg;

    if (oversize) {
        g->oversize++;
        return VIGIL_OK;
    }
    assert_true(g->n < 16 && len < 128);
    memcpy(g->m[g->n], msg, len);
    g->m[g->n++][len] = '\0';
    return VIGIL_OK;
}

static void
test_octet_and_newline(void **state)
{
    struct ingest_framer f;
    struct msgs g = {0};
    const char *in = "10 <13>hello\n9 <13>world"
                     "<14>plain line\n2024-01-01 starts with a date\n";

    (void)state;
    ingest_framer_init(&f, 64);
    /* Byte by byte: framing must not depend on how TCP splits data. */
    for (size_t i = 0; i < strlen(in); i++)
        assert_int_equal(ingest_framer_feed(&f, in + i, 1, on_msg, &g),
                         VIGIL_OK);
    assert_int_equal(g.n, 4);
    assert_string_equal(g.m[0], "<13>hello\n");
    assert_string_equal(g.m[1], "<13>world");
    assert_string_equal(g.m[2], "<14>plain line");
    assert_string_equal(g.m[3], "2024-01-01 starts with a date");
    ingest_framer_fini(&f);
}

static void
test_oversize(void **state)
{
    struct ingest_framer f;
    struct msgs g = {0};
    char big[300];

    (void)state;
    memset(big, 'A', sizeof(big));
    ingest_framer_init(&f, 32);
    assert_int_equal(ingest_framer_feed(&f, "100 <", 5, on_msg, &g), VIGIL_OK);
    assert_int_equal(ingest_framer_feed(&f, big, 99, on_msg, &g), VIGIL_OK);
    assert_int_equal(ingest_framer_feed(&f, "5 <1>ok", 7, on_msg, &g),
                     VIGIL_OK);
    assert_int_equal(g.oversize, 1);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.m[0], "<1>ok");
    /* Newline framing: a message longer than max is dropped to its end. */
    assert_int_equal(ingest_framer_feed(&f, "<1>", 3, on_msg, &g), VIGIL_OK);
    assert_int_equal(ingest_framer_feed(&f, big, sizeof(big), on_msg, &g),
                     VIGIL_OK);
    assert_int_equal(ingest_framer_feed(&f, "\n<2>next\n", 9, on_msg, &g),
                     VIGIL_OK);
    assert_int_equal(g.oversize, 2);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.m[1], "<2>next");
    /* End of stream hands out a last line without newline. */
    assert_int_equal(ingest_framer_feed(&f, "<3>last", 7, on_msg, &g),
                     VIGIL_OK);
    assert_int_equal(ingest_framer_finish(&f, on_msg, &g), VIGIL_OK);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.m[2], "<3>last");
    ingest_framer_fini(&f);
}

/* Feeds in whole, then byte by byte: the result must not depend on how
 * the stream is split. */
static void
feed_both(const char *in, size_t max, struct msgs *whole, struct msgs *bytes)
{
    struct ingest_framer f;

    ingest_framer_init(&f, max);
    assert_int_equal(ingest_framer_feed(&f, in, strlen(in), on_msg, whole),
                     VIGIL_OK);
    assert_int_equal(ingest_framer_finish(&f, on_msg, whole), VIGIL_OK);
    for (size_t i = 0; i < strlen(in); i++)
        assert_int_equal(ingest_framer_feed(&f, in + i, 1, on_msg, bytes),
                         VIGIL_OK);
    assert_int_equal(ingest_framer_finish(&f, on_msg, bytes), VIGIL_OK);
    ingest_framer_fini(&f);
    assert_int_equal(whole->n, bytes->n);
    assert_int_equal(whole->oversize, bytes->oversize);
    for (size_t i = 0; i < whole->n; i++)
        assert_string_equal(whole->m[i], bytes->m[i]);
}

/* Issue 9: an octet count longer than its frame swallowed the lines
 * after it (one event, or none when past max). Now the frame counts as
 * one failure and every line after it is a message. */
static void
test_bogus_count(void **state)
{
    static const char *const counts[] = {"500", "60", "999999999"};
    char in[1024];

    (void)state;
    for (size_t c = 0; c < 3; c++) {
        struct msgs g = {0}, b = {0};
        size_t len =
            (size_t)snprintf(in, sizeof(in), "%s <13>bogus count\n", counts[c]);
        for (int i = 0; i < 10; i++)
            len += (size_t)snprintf(in + len, sizeof(in) - len, "<13>line %d\n",
                                    i);
        /* The sender goes on with a well-counted frame. */
        snprintf(in + len, sizeof(in) - len, "9 <13>after");
        feed_both(in, 256, &g, &b);
        assert_int_equal(g.oversize, 1);
        assert_int_equal(g.n, 11);
        assert_string_equal(g.m[0], "<13>line 0");
        assert_string_equal(g.m[9], "<13>line 9");
        assert_string_equal(g.m[10], "<13>after");
    }
}

static void
test_frame_shapes(void **state)
{
    struct msgs g = {0}, b = {0};

    (void)state;
    /* A count must be followed by a message start; otherwise the line is
     * newline framed. A newline inside a frame that is not followed by a
     * message start is the message's own (a stack trace). A frame cut by
     * the end of the stream is a failure, not a message. */
    feed_both("2024 was a year\n"
              "22 <13>trace\n  at main()\n"
              "30 <13>cut short",
              256, &g, &b);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.m[0], "2024 was a year");
    assert_string_equal(g.m[1], "<13>trace\n  at main()\n");
    assert_int_equal(g.oversize, 1);
}

static void
test_peer(void **state)
{
    struct vigil_source_config sc = {0};
    struct sockaddr_in s4 = {0};
    struct sockaddr_in6 s6 = {0};
    struct ingest_peer p;

    (void)state;
    s4.sin_family = AF_INET;
    s4.sin_port = htons(40000);
    s4.sin_addr.s_addr = htonl(0xC0000207); /* 192.0.2.7 */
    assert_int_equal(ingest_peer_set(&p, (struct sockaddr *)&s4), 1);
    assert_string_equal(p.text, "192.0.2.7");
    assert_int_equal(p.text_len, 9);
    assert_string_equal(p.port_text, "40000");
    assert_int_equal(p.port, 40000);
    /* No allow list: everyone. */
    assert_int_equal(ingest_peer_allowed(&sc, p.ip), 1);
    assert_int_equal(vigil_ip_parse("10.0.0.0", 8, sc.allow[0].net), 1);
    sc.allow[0].prefix = 8;
    sc.nallow = 1;
    assert_int_equal(ingest_peer_allowed(&sc, p.ip), 0);
    assert_int_equal(vigil_ip_parse("192.0.2.0", 9, sc.allow[1].net), 1);
    sc.allow[1].prefix = 24;
    sc.nallow = 2;
    assert_int_equal(ingest_peer_allowed(&sc, p.ip), 1);
    s6.sin6_family = AF_INET6;
    s6.sin6_port = htons(514);
    s6.sin6_addr.s6_addr[15] = 1;
    assert_int_equal(ingest_peer_set(&p, (struct sockaddr *)&s6), 1);
    assert_string_equal(p.text, "::1");
    assert_int_equal(ingest_peer_allowed(&sc, p.ip), 0);
}

/* stdin's lines may end with "\r" alone; "\r\n" and a "\r" inside a
 * line of a "\n" stream keep their meaning. */
static void
test_cr_lines(void **state)
{
    struct ingest_framer f;
    struct msgs g = {0};
    const char *cr = "one\rtwo\r\nthree\rfour";

    (void)state;
    ingest_framer_init(&f, 64);
    for (size_t i = 0; i < strlen(cr); i++)
        assert_int_equal(ingest_lines_feed(&f, cr + i, 1, on_msg, &g),
                         VIGIL_OK);
    assert_int_equal(ingest_framer_finish(&f, on_msg, &g), VIGIL_OK);
    assert_int_equal(g.n, 4);
    assert_string_equal(g.m[0], "one");
    assert_string_equal(g.m[1], "two");
    assert_string_equal(g.m[2], "three");
    assert_string_equal(g.m[3], "four");
    ingest_framer_fini(&f);

    memset(&g, 0, sizeof(g));
    ingest_framer_init(&f, 64);
    assert_int_equal(ingest_lines_feed(&f, "a\rb\nc\r\n", 7, on_msg, &g),
                     VIGIL_OK);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.m[0], "a\rb");
    assert_string_equal(g.m[1], "c\r");
    ingest_framer_fini(&f);
}

static void
test_listen(void **state)
{
    struct sockaddr_storage ss;
    unsigned len;

    (void)state;
    assert_int_equal(ingest_parse_listen("127.0.0.1:5514", &ss, &len), 1);
    assert_int_equal(ss.ss_family, AF_INET);
    assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 5514);
    assert_int_equal(ingest_parse_listen("[::1]:514", &ss, &len), 1);
    assert_int_equal(ss.ss_family, AF_INET6);
    assert_int_equal(ingest_parse_listen(":514", &ss, &len), 1);
    assert_int_equal(ingest_parse_listen("127.0.0.1", &ss, &len), 0);
    assert_int_equal(ingest_parse_listen("127.0.0.1:70000", &ss, &len), 0);
    assert_int_equal(ingest_parse_listen("host.example:514", &ss, &len), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_octet_and_newline),
        cmocka_unit_test(test_oversize),
        cmocka_unit_test(test_bogus_count),
        cmocka_unit_test(test_frame_shapes),
        cmocka_unit_test(test_peer),
        cmocka_unit_test(test_cr_lines),
        cmocka_unit_test(test_listen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
