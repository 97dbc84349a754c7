/* Tests for the JSON-lines decoder: dotted names, arrays of scalars as
 * elements and others kept as raw text, a repeated key read as its last
 * copy, unescaping into the arena (\u0000 never a NUL), numbers,
 * timestamps, bounds. */
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
    /* the leaf's type does not move the bound: a string at 33 levels is
     * refused as a number is */
    p = deep;
    for (int i = 0; i < 33; i++)
        p += snprintf(p, 8, "{\"a\":");
    p += snprintf(p, 4, "\"x\"");
    for (int i = 0; i < 33; i++)
        *p++ = '}';
    *p = '\0';
    assert_int_equal(t_decode("json", deep), VIGIL_EPARSE);
    deep[strlen(deep) - 1] = '\0';
    assert_int_equal(t_decode("json", deep + 5), VIGIL_OK);

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
        /* found by fuzz_parse_json_diff: RFC 8259 refuses them, vigil
         * took them (a leading zero; inside an array kept as text, a
         * bare word, a bad escape, a leading zero) */
        "{\"a\":01}",
        "{\"a\":[{\"x\":1},garbage]}",
        "{\"a\":[{\"x\":1},\"\\q\"]}",
        "{\"a\":[{\"x\":1},{\"k\\x\":1}]}",
        "{\"a\":[[1],-01]}",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (t_decode("json", bad[i]) != VIGIL_EPARSE)
            fail_msg("decoded: %s", bad[i]);
        assert_int_equal(t_ev->nfields, 0);
    }
    T_OK("json", "  { \"a\" : [ ] , \"b\" : { } }  ");
    T_ABSENT("a"); /* no element: like null */
    assert_int_equal(t_ev->nfields, 0);
}

/* The i-th field called name (0: the first), or NULL. */
static const struct vigil_field *
nth(const char *name, int i)
{
    for (uint16_t k = 0; k < t_ev->nfields; k++) {
        const struct vigil_field *f = &t_ev->fields[k];
        if (f->name_len == strlen(name) &&
            memcmp(f->name, name, f->name_len) == 0 && i-- == 0)
            return f;
    }
    return NULL;
}

static int
count(const char *name)
{
    int n = 0;

    while (nth(name, n))
        n++;
    return n;
}

/* Issue 10: jq, jansson and the analyst read a repeated key as its last
 * copy; so does the decoder, and nothing of the earlier copy remains. */
static void
test_duplicate_keys(void **state)
{
    (void)state;
    T_OK("json", "{\"CommandLine\":\"notepad.exe\",\"x\":1,"
                 "\"CommandLine\":\"mimikatz sekurlsa::logonpasswords\"}");
    T_FIELD("CommandLine", "mimikatz sekurlsa::logonpasswords");
    assert_int_equal(count("CommandLine"), 1);
    T_INT("x", 1);
    assert_int_equal(t_ev->nfields, 2);
    /* found by fuzz_parse_json_diff: an object under an empty key was
     * merged into the top level, so its CommandLine replaced the one jq
     * and jansson see; it is ".CommandLine" */
    T_OK("json", "{\"CommandLine\":\"mimikatz\","
                 "\"\":{\"CommandLine\":\"notepad.exe\"}}");
    T_FIELD("CommandLine", "mimikatz");
    T_FIELD(".CommandLine", "notepad.exe");
    assert_int_equal(t_ev->nfields, 2);
    /* a repeated object replaces the whole earlier object */
    T_OK("json", "{\"a\":{\"b\":1,\"c\":{\"d\":2}},\"z\":0,\"a\":{\"e\":3}}");
    T_ABSENT("a.b");
    T_ABSENT("a.c.d");
    T_INT("a.e", 3);
    assert_int_equal(t_ev->nfields, 2);
    /* and a scalar an object, and the other way round */
    T_OK("json", "{\"a\":{\"b\":1},\"a\":\"s\"}");
    T_FIELD("a", "s");
    T_ABSENT("a.b");
    T_OK("json", "{\"a\":\"s\",\"a\":{\"b\":1}}");
    T_ABSENT("a");
    T_INT("a.b", 1);
    /* inside a nested object too; a later null removes */
    T_OK("json", "{\"p\":{\"u\":\"bob\",\"u\":\"root\"},\"q\":1,\"q\":null}");
    T_FIELD("p.u", "root");
    assert_int_equal(count("p.u"), 1);
    T_ABSENT("q");
    /* a flattened name written twice: the last one too */
    T_OK("json", "{\"a.b\":1,\"a\":{\"b\":2}}");
    T_INT("a.b", 2);
    assert_int_equal(count("a.b"), 1);
    /* a member replaces what dotted keys put below its name, however
     * the dot is written */
    T_OK("json", "{\"a.b\":1,\"x\":0,\"a\":\"s\"}");
    T_FIELD("a", "s");
    T_ABSENT("a.b");
    T_OK("json", "{\"a\\u002eb.c\":1,\"a.b\":{\"d\":2}}");
    T_ABSENT("a.b.c");
    T_INT("a.b.d", 2);
    T_OK("json", "{\"averyveryverylongname.b\":1,\"averyveryverylongname\":2}");
    T_INT("averyveryverylongname", 2);
    T_ABSENT("averyveryverylongname.b");
    /* names that only share a prefix are left alone */
    T_OK("json", "{\"ab\":1,\"a\":2,\"a.bc\":3,\"a.b\":4}");
    T_INT("ab", 1);
    T_INT("a", 2);
    T_INT("a.bc", 3);
    T_INT("a.b", 4);
    /* an array replaced by a scalar, and a scalar by an array */
    T_OK("json", "{\"t\":[\"x\",\"y\"],\"t\":\"z\"}");
    assert_int_equal(count("t"), 1);
    T_FIELD("t", "z");
    T_OK("json", "{\"t\":\"z\",\"t\":[\"x\",\"y\"]}");
    assert_int_equal(count("t"), 2);
    T_FIELD("t", "x");
    /* the time comes from the last copy */
    T_OK("json", "{\"@timestamp\":\"2020-01-01T00:00:00Z\","
                 "\"@timestamp\":\"2021-01-01T00:00:00Z\"}");
    assert_int_equal(t_ev->time_ns,
                     vigil_time_from_utc(2021, 1, 1, 0, 0, 0, 0));
    /* many distinct keys (the filter full of bits) lose nothing */
    char many[4096];
    size_t n = (size_t)snprintf(many, sizeof(many), "{");
    for (int i = 0; i < 120; i++)
        n += (size_t)snprintf(many + n, sizeof(many) - n, "%s\"key%d\":%d",
                              i ? "," : "", i, i);
    snprintf(many + n, sizeof(many) - n, "}");
    T_OK("json", many);
    assert_int_equal(t_ev->nfields, 120);
    T_INT("key0", 0);
    T_INT("key119", 119);
}

/* Issue 10: an array of scalars is a multi-valued field, one field per
 * element flagged VIGIL_FF_ELEM; arrays holding objects or arrays keep
 * their raw text. */
static void
test_arrays(void **state)
{
    struct vigil_buf b;

    (void)state;
    T_OK("json", "{\"process\":{\"args\":[\"powershell.exe\",\"-enc\","
                 "\"SQBFAFgA\"]},\"n\":[1,\"two\",null,true],"
                 "\"related\":{\"ip\":[\"10.0.0.1\",\"::1\"]},"
                 "\"mix\":[\"a\",{\"b\":1}],\"nest\":[[1],2],\"one\":[\"x\"]}");
    assert_int_equal(count("process.args"), 3);
    assert_memory_equal(nth("process.args", 1)->text, "-enc", 4);
    assert_int_equal(nth("process.args", 1)->text_len, 4);
    assert_true(nth("process.args", 2)->flags & VIGIL_FF_ELEM);
    assert_int_equal(count("n"), 3); /* null adds nothing */
    assert_int_equal(nth("n", 0)->type, VIGIL_F_INT);
    assert_int_equal(nth("n", 2)->text_len, 4);
    assert_int_equal(count("related.ip"), 2);
    assert_int_equal(nth("related.ip", 1)->type, VIGIL_F_IP);
    T_FIELD("mix", "[\"a\",{\"b\":1}]");
    assert_int_equal(count("mix"), 1);
    assert_false(vigil_event_get(t_ev, "mix")->flags & VIGIL_FF_ELEM);
    T_FIELD("nest", "[[1],2]");
    T_FIELD("one", "x");
    /* the JSON output writes the elements back as arrays */
    vigil_buf_init(&b, 1 << 16);
    assert_int_equal(vigil_event_to_json(t_ev, &b), VIGIL_OK);
    assert_non_null(b.data);
    assert_true(b.len > 0);
    const char want[] =
        "{\"process.args\":[\"powershell.exe\",\"-enc\",\"SQBFAFgA\"],"
        "\"n\":[1,\"two\",\"true\"],\"related.ip\":[\"10.0.0.1\",\"::1\"],"
        "\"mix\":\"[\\\"a\\\",{\\\"b\\\":1}]\",\"nest\":\"[[1],2]\","
        "\"one\":[\"x\"]}";
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.data, want, b.len);
    vigil_buf_fini(&b);
    /* an array too long for the event keeps what fits, and says so */
    char big[2048];
    size_t n = (size_t)snprintf(big, sizeof(big), "{\"a\":[");
    for (int i = 0; i < 200; i++)
        n +=
            (size_t)snprintf(big + n, sizeof(big) - n, "%s%d", i ? "," : "", i);
    snprintf(big + n, sizeof(big) - n, "]}");
    T_OK("json", big);
    assert_int_equal(t_ev->nfields, VIGIL_EVENT_MAX_FIELDS);
    assert_true(t_ev->truncated);
    /* malformed elements are still refused */
    assert_int_equal(t_decode("json", "{\"a\":[1,}"), VIGIL_EPARSE);
    assert_int_equal(t_decode("json", "{\"a\":[1 2]}"), VIGIL_EPARSE);
    assert_int_equal(t_decode("json", "{\"a\":[\"x\",tru]}"), VIGIL_EPARSE);
    assert_int_equal(t_decode("json", "{\"a\":[\"x\",{]}"), VIGIL_EPARSE);
}

/* Issue 10: \u0000 made NUL bytes inside names and values; it now stays
 * the six characters of its escape. */
static void
test_nul_escape(void **state)
{
    (void)state;
    T_OK("json", "{\"Image\":\"evil.exe\\u0000C:\\\\ok.exe\","
                 "\"Comm\\u0000and\":\"x\",\"l\":[\"a\\u0000\"]}");
    T_FIELD("Image", "evil.exe\\u0000C:\\ok.exe");
    T_FIELD("Comm\\u0000and", "x");
    T_FIELD("l", "a\\u0000");
    for (uint16_t i = 0; i < t_ev->nfields; i++) {
        const struct vigil_field *f = &t_ev->fields[i];
        assert_null(memchr(f->name, '\0', f->name_len));
        assert_null(memchr(f->text, '\0', f->text_len));
    }
    /* other escapes of control characters are still unescaped */
    T_OK("json", "{\"c\":\"\\u0001\\u001f\"}");
    T_FIELD("c", "\x01\x1f");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nested),    cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_time_keys), cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_malformed), cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_arrays),    cmocka_unit_test(test_nul_escape),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
