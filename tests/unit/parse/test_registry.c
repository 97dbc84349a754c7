/* Tests for the decoder table, format detection and vigil_decode_line's
 * own rules (CR stripping, NUL bytes, over-long lines, failures leave no
 * fields), plus a garbage sweep over every decoder. */
#include "parse_test.h"

static void
test_names(void **state)
{
    const char *const *n = vigil_decoder_names();
    int count = 0;

    (void)state;
    for (; *n; n++, count++)
        assert_non_null(vigil_decoder_by_name(*n));
    assert_int_equal(count, 8);
    assert_null(vigil_decoder_by_name("nope"));
    assert_null(vigil_decoder_by_name(NULL));
    assert_ptr_equal(vigil_decoder_by_name("auth")->decode,
                     vigil_decoder_by_name("syslog")->decode);
}

static const char *
detect1(const char *a, const char *b)
{
    const char *lines[2] = {a, b};
    size_t lens[2] = {strlen(a), strlen(b)};
    return vigil_decoder_detect(lines, lens, 2)->name;
}

static void
test_detect(void **state)
{
    (void)state;
    assert_string_equal(
        detect1("Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user x from y",
                "Dec 10 06:55:48 LabSZ sshd[24200]: Failed password"),
        "syslog");
    assert_string_equal(detect1("<13>1 2024-01-01T00:00:00Z h a p m - x",
                                "<13>1 2024-01-01T00:00:00Z h a p m - y"),
                        "syslog");
    assert_string_equal(detect1("{\"a\":1}", "{\"b\":2}"), "json");
    assert_string_equal(detect1("type=SYSCALL msg=audit(1.2:3): a=1",
                                "node=x type=PATH msg=audit(1.2:4): b=2"),
                        "auditd");
    assert_string_equal(
        detect1("1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / "
                "HTTP/1.0\" 200 1",
                "1.2.3.4 - bob [10/Oct/2000:13:55:37 -0700] \"GET / "
                "HTTP/1.0\" 404 1"),
        "access");
    assert_string_equal(detect1("CEF:0|a|b|c|d|e|5|src=1.2.3.4",
                                "<1>Jan  1 00:00:00 h CEF:0|a|b|c|d|e|5|"),
                        "cef");
    assert_string_equal(detect1("hello", "world"), "raw");
    assert_string_equal(vigil_decoder_detect(NULL, NULL, 0)->name, "raw");
}

static void
test_decode_line_rules(void **state)
{
    const char nul[] = "Jan  1 00:00:00 h p: a\0b";
    char *big;

    (void)state;
    T_OK("raw", "anything at all\r\n");
    T_FIELD("message", "anything at all");
    assert_int_equal(t_ev->raw_len, 15);

    assert_int_equal(t_decode_n("syslog", nul, sizeof(nul) - 1), VIGIL_EPARSE);
    assert_int_equal(t_ev->nfields, 0);
    assert_int_equal(t_decode_n("raw", nul, sizeof(nul) - 1), VIGIL_EPARSE);

    big = malloc(VIGIL_MAX_LINE + 2);
    memset(big, 'a', VIGIL_MAX_LINE + 1);
    big[VIGIL_MAX_LINE + 1] = '\0';
    assert_int_equal(t_decode("raw", big), VIGIL_EPARSE);
    big[VIGIL_MAX_LINE] = '\0';
    T_OK("raw", big);
    free(big);

    /* A failed decode leaves no fields and no time. */
    assert_int_equal(t_decode("cef", "<13>Jan  1 00:00:00 h p: x"),
                     VIGIL_EPARSE);
    assert_int_equal(t_ev->nfields, 0);
    assert_int_equal(t_ev->time_ns, 0);

    assert_int_equal(t_decode("evtx", "x"), VIGIL_EUNSUPPORTED);
}

/* Every prefix and single-byte mutation of realistic lines through every
 * decoder: must never crash (run under ASan in CI) and fields must lie
 * inside the line or the arena. */
static void
test_garbage_sweep(void **state)
{
    static const char *lines[] = {
        "<86>1 2024-05-06T07:08:09+02:00 b sshd 9 - [m n=\"\\\"v\"] "
        "Accepted publickey for d from 2001:db8::7 port 5 ssh2",
        "Dec 10 07:13:56 LabSZ sshd[24227]: message repeated 5 times: [ "
        "Failed password for root from 5.36.59.76 port 42393 ssh2]",
        "Mar  3 11:00:00 srv sudo[3000]:    alice : TTY=pts/0 ; PWD=/h ; "
        "USER=root ; COMMAND=/bin/x",
        "Mar  3 13:00:01 srv usermod[5001]: add 'b' to shadow group 's'",
        "type=EXECVE msg=audit(1.5:7): argc=2 a0=\"b\" a1=2D63 "
        "msg='a=\"b\" c=d'",
        "v:80 1.2.3.4 - u [10/Oct/2000:13:55:36 -0700] \"GET /?q HTTP/1.1\" "
        "200 1 \"r\\\"\" \"ua\"",
        "{\"a\":{\"b\":[1,{\"c\":\"\\u00e9\\ud83d\\ude00\"}]},\"ip\":\"::1\"}",
        "<1>Jan  1 00:00:00 h CEF:0|a\\|b|c|d|e|f|5|src=1.2.3.4 msg=a\\=b c",
    };
    const char *const *names = vigil_decoder_names();
    char buf[512];

    (void)state;
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        size_t len = strlen(lines[i]);
        for (size_t cut = 0; cut <= len; cut++) {
            for (int mut = -1; mut < 4; mut++) {
                static const char subs[] = {'"', ' ', '\\', '\xff'};
                memcpy(buf, lines[i], len);
                if (mut >= 0 && cut < len)
                    buf[cut] = subs[mut];
                for (const char *const *n = names; *n; n++) {
                    size_t l = mut >= 0 ? len : cut;
                    if (t_decode_n(*n, buf, l) != VIGIL_OK)
                        continue;
                    for (uint16_t k = 0; k < t_ev->nfields; k++) {
                        const struct vigil_field *f = &t_ev->fields[k];
                        assert_true(f->name_len > 0);
                        if (f->text >= buf && f->text < buf + sizeof(buf))
                            assert_true(f->text + f->text_len <= buf + l);
                    }
                }
            }
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_decode_line_rules),
        cmocka_unit_test(test_garbage_sweep),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
