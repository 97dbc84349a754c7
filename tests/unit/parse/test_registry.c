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
    assert_int_equal(count, 10); /* with suricata and zeek */
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

    /* Bytes up to the last NUL are padding: what is after it is the line
     * (here "b", no syslog line, but raw text). */
    assert_int_equal(t_decode_n("syslog", nul, sizeof(nul) - 1), VIGIL_EPARSE);
    assert_int_equal(t_ev->nfields, 0);
    assert_int_equal(t_decode_n("raw", nul, sizeof(nul) - 1), VIGIL_OK);
    T_FIELD("message", "b");

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

/* A power cut leaves NUL bytes where the lines vigil had not yet seen
 * were: the line written after them must still decode, and a line that
 * is only padding is refused, not decoded as text. */
static void
test_nul_padding(void **state)
{
    static const char pad[] = "\0\0\0\0Dec 10 06:55:46 h sshd[1]: Failed "
                              "password for root from 1.2.3.4 port 5 ssh2\n";
    static const char cut[] = "Dec 10 06:55:46 h sshd[1]: Fai\0\0\0Dec 10 "
                              "06:55:47 h sshd[2]: Failed password for bob "
                              "from 1.2.3.4 port 6 ssh2";
    static const char only[] = "\0\0\0\0\0\0\r\n";

    (void)state;
    assert_int_equal(t_decode_n("syslog", pad, sizeof(pad) - 1), VIGIL_OK);
    T_FIELD("user.name", "root");
    assert_int_equal(t_ev->raw[0], 'D');
    assert_int_equal(t_decode_n("syslog", cut, sizeof(cut) - 1), VIGIL_OK);
    T_FIELD("user.name", "bob");
    assert_int_equal(t_decode_n("raw", only, sizeof(only) - 1), VIGIL_EPARSE);
    assert_int_equal(t_ev->nfields, 0);
    {
        const char *lines[2] = {only, "\0\0{\"a\":1}"};
        size_t lens[2] = {sizeof(only) - 1, 9};
        assert_string_equal(vigil_decoder_detect(lines, lens, 2)->name, "json");
    }
}

/* Auto-decodes line (NUL bytes allowed, given its length) into t_ev. */
static enum vigil_rc
t_auto_n(struct vigil_decoder_auto *a, const char *line, size_t len)
{
    vigil_arena_reset(&t_arena);
    vigil_event_init(t_ev, &t_arena);
    return vigil_decode_auto(a, t_ev, line, len, &t_opts);
}

static enum vigil_rc
t_auto(struct vigil_decoder_auto *a, const char *line)
{
    return t_auto_n(a, line, strlen(line));
}

/* The format is decided line by line: a junk or binary first line, NUL
 * padding or a line in another format never decides how the lines after
 * it are read. */
static void
test_auto(void **state)
{
    static const char ssh[] =
        "Dec 10 06:55:46 h sshd[1]: Failed password for root from 1.2.3.4 "
        "port 5 ssh2";
    static const char zeros[64] = {0};
    struct vigil_decoder_auto a = {NULL};

    (void)state;
    /* Junk first: kept as text, and the next line is syslog all the same. */
    assert_int_equal(t_auto(&a, "\x01\x02 junk \xff not a log"), VIGIL_OK);
    assert_string_equal(a.cur->name, "raw");
    assert_non_null(vigil_event_get(t_ev, "message"));
    assert_int_equal(t_auto(&a, ssh), VIGIL_OK);
    assert_string_equal(a.cur->name, "syslog");
    T_FIELD("user.name", "root");
    assert_int_equal(t_ev->family, VIGIL_FAMILY_LINUX);

    /* Padding is refused and changes nothing. */
    assert_int_equal(t_auto_n(&a, zeros, sizeof(zeros)), VIGIL_EPARSE);
    assert_string_equal(a.cur->name, "syslog");

    /* Junk inside a syslog stream is a failed syslog line. */
    assert_int_equal(t_auto(&a, "junk in the middle"), VIGIL_EPARSE);
    assert_int_equal(t_ev->nfields, 0);
    assert_string_equal(a.cur->name, "syslog");

    /* Another format: decoded as such, then syslog again. */
    assert_int_equal(t_auto(&a, "{\"user\":{\"name\":\"eve\"}}"), VIGIL_OK);
    T_FIELD("user.name", "eve");
    assert_string_equal(a.cur->name, "json");
    assert_int_equal(t_auto(&a, ssh), VIGIL_OK);
    T_FIELD("user.name", "root");
    assert_string_equal(a.cur->name, "syslog");

    /* CEF behind a syslog header in a syslog stream is read as CEF, the
     * plain lines around it as syslog, and so is a CEF look-alike. */
    for (int i = 0; i < 2; i++) {
        assert_int_equal(
            t_auto(&a, "<1>Jan  1 00:00:00 h CEF:0|a|b|c|d|e|5|src=1.2.3.4"),
            VIGIL_OK);
        T_FIELD("cef.version", "0");
        assert_int_equal(t_auto(&a, ssh), VIGIL_OK);
        T_FIELD("user.name", "root");
        assert_null(vigil_event_get(t_ev, "cef.version"));
    }
    assert_int_equal(t_auto(&a, "<1>Jan  1 00:00:00 h app: CEF:nope"),
                     VIGIL_OK);
    T_FIELD("message", "CEF:nope");
    assert_string_equal(a.cur->name, "syslog");

    /* A first guess of "raw" (from a sample) is no verdict either. */
    a = (struct vigil_decoder_auto){vigil_decoder_by_name("raw")};
    assert_int_equal(t_auto(&a, ssh), VIGIL_OK);
    assert_string_equal(a.cur->name, "syslog");
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
        cmocka_unit_test(test_nul_padding),
        cmocka_unit_test(test_auto),
        cmocka_unit_test(test_garbage_sweep),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
