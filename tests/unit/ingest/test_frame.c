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
    assert_int_equal(ingest_framer_feed(&f, "100 ", 4, on_msg, &g), VIGIL_OK);
    assert_int_equal(ingest_framer_feed(&f, big, 100, on_msg, &g), VIGIL_OK);
    assert_int_equal(ingest_framer_feed(&f, "2 ok", 4, on_msg, &g), VIGIL_OK);
    assert_int_equal(g.oversize, 1);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.m[0], "ok");
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
        cmocka_unit_test(test_cr_lines),
        cmocka_unit_test(test_listen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
