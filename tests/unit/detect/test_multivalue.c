/* test_multivalue.c -- JSON events through the JSON decoder and the
 * matcher together (issue 10): a repeated key is matched on its last copy,
 * as jq shows it; an array of scalars is a multi-valued field that a value
 * matches when any element does, with |all needing each value somewhere
 * and `not` needing no element; the alert names the element that matched.
 * Each case runs twice: with a few literals on the field (the direct
 * search) and with many (the field's own Hyperscan database). */
#include "vigil_test.h"

#include "detect/detect.h"
#include "parse/parse.h"

struct hits {
    int n;
    char ids[8][32];
    char text[8][128]; /* the matched field of the first hit of each */
};

static int
on_match(const struct vigil_detect_match *m, void *arg)
{
    struct hits *h = arg;

    if (h->n < 8) {
        snprintf(h->ids[h->n], sizeof(h->ids[0]), "%s", m->rule->id);
        if (m->nfields)
            snprintf(h->text[h->n], sizeof(h->text[0]), "%.*s",
                     (int)m->fields[0].text_len, m->fields[0].text);
    }
    h->n++;
    return 0;
}

#define RULE(id, det)                                                          \
    "title: " id "\nid: " id "\nlogsource:\n  product: test\n"                 \
    "detection:\n" det "---\n"

/* Rules over CommandLine and process.args; pad adds literals enough for
 * both fields to get a database of their own. */
static const char rules[] = RULE("cmd",
                                 "  sel:\n    CommandLine|contains: mimikatz\n"
                                 "  condition: sel\n")
    RULE("cmd_eq", "  sel:\n    CommandLine: notepad.exe\n"
                   "  condition: sel\n")
        RULE("enc", "  sel:\n    process.args: '-enc'\n  condition: sel\n")
            RULE("enc_all", "  sel:\n    process.args|contains|all:\n"
                            "      - powershell\n      - '-enc'\n"
                            "  condition: sel\n")
                RULE("enc_one",
                     "  sel:\n    process.args|contains: 'powershell -enc'\n"
                     "  condition: sel\n")
                    RULE("no_enc", "  sel:\n    process.name: x\n"
                                   "  neg:\n    process.args: '-enc'\n"
                                   "  condition: sel and not neg\n")
                        RULE("num", "  sel:\n    n|gte: 10\n  condition: sel\n")
                            RULE("ip",
                                 "  sel:\n    related.ip|cidr: 10.1.0.0/16\n"
                                 "  condition: sel\n");

static const char pad[] =
    RULE("pad1", "  sel:\n    CommandLine|contains:\n      - aaa1\n"
                 "      - aaa2\n      - aaa3\n      - aaa4\n      - aaa5\n"
                 "      - aaa6\n  condition: sel\n")
        RULE("pad2", "  sel:\n    process.args|contains:\n      - bbb1\n"
                     "      - bbb2\n      - bbb3\n      - bbb4\n      - bbb5\n"
                     "      - bbb6\n  condition: sel\n");

struct env {
    struct vigil_detect *d;
    struct vigil_detect_ctx *c;
    struct vigil_arena arena;
    struct vigil_event ev;
};

static void
env_open(struct env *e, int many)
{
    struct vigil_detect_opts o;
    struct vigil_err err = {0};
    struct vigil_buf b;

    memset(&o, 0, sizeof(o));
    vigil_buf_init(&b, 1 << 16);
    assert_int_equal(vigil_buf_printf(&b, "%s%s", rules, many ? pad : ""),
                     VIGIL_OK);
    assert_int_equal(vigil_detect_new(&e->d, &o, &err), VIGIL_OK);
    assert_int_equal(vigil_detect_add_mem(e->d, "t.yml", b.data, b.len, &err),
                     VIGIL_OK);
    assert_int_equal(vigil_detect_compile(e->d, &err), VIGIL_OK);
    assert_int_equal(vigil_detect_ctx_new(&e->c, e->d, &err), VIGIL_OK);
    vigil_arena_init(&e->arena, 0, 1 << 20);
    vigil_buf_fini(&b);
}

static void
env_close(struct env *e)
{
    vigil_detect_ctx_free(e->c);
    vigil_detect_free(e->d);
    vigil_arena_fini(&e->arena);
}

/* Decodes line as JSON and matches it; returns the hits. */
static struct hits
run(struct env *e, const char *line)
{
    struct hits h;
    size_t n = 0;

    memset(&h, 0, sizeof(h));
    vigil_arena_reset(&e->arena);
    vigil_event_init(&e->ev, &e->arena);
    assert_int_equal(vigil_decode_line(vigil_decoder_by_name("json"), &e->ev,
                                       line, strlen(line), NULL),
                     VIGIL_OK);
    assert_int_equal(vigil_detect_match(e->c, &e->ev, on_match, &h, &n),
                     VIGIL_OK);
    return h;
}

/* The index of rule id among the hits, or -1. */
static int
hit(const struct hits *h, const char *id)
{
    for (int i = 0; i < h->n && i < 8; i++)
        if (strcmp(h->ids[i], id) == 0)
            return i;
    return -1;
}

static void
check(int many)
{
    struct env e;
    struct hits h;
    int i;

    env_open(&e, many);
    /* the event: the last CommandLine is the one that counts */
    h = run(&e, "{\"CommandLine\":\"notepad.exe\","
                "\"CommandLine\":\"mimikatz sekurlsa::logonpasswords\"}");
    assert_true((i = hit(&h, "cmd")) >= 0);
    assert_string_equal(h.text[i], "mimikatz sekurlsa::logonpasswords");
    assert_int_equal(hit(&h, "cmd_eq"), -1);
    h = run(&e,
            "{\"CommandLine\":\"mimikatz\",\"CommandLine\":\"notepad.exe\"}");
    assert_int_equal(hit(&h, "cmd"), -1);
    assert_true(hit(&h, "cmd_eq") >= 0);

    /* any element; the alert shows the one that matched */
    h = run(&e, "{\"process\":{\"name\":\"x\",\"args\":[\"powershell.exe\","
                "\"-enc\",\"SQBFAFgA\"]}}");
    assert_true((i = hit(&h, "enc")) >= 0);
    assert_string_equal(h.text[i], "-enc");
    assert_true(hit(&h, "enc_all") >= 0);     /* each value in some element */
    assert_int_equal(hit(&h, "enc_one"), -1); /* no element holds both */
    assert_int_equal(hit(&h, "no_enc"), -1);  /* one element is -enc */
    h = run(&e, "{\"process\":{\"name\":\"x\",\"args\":[\"powershell.exe\","
                "\"-nop\"]}}");
    assert_int_equal(hit(&h, "enc"), -1);
    assert_int_equal(hit(&h, "enc_all"), -1);
    assert_true(hit(&h, "no_enc") >= 0); /* no element is -enc */
    /* the element may be the last or the only one */
    h = run(&e, "{\"process\":{\"args\":[\"a\",\"b\",\"-enc\"]}}");
    assert_true(hit(&h, "enc") >= 0);
    h = run(&e, "{\"process\":{\"args\":[\"-enc\"]}}");
    assert_true(hit(&h, "enc") >= 0);
    /* an element text holding both, as the single-value rule wants */
    h = run(&e, "{\"process\":{\"args\":[\"cmd\",\"powershell -enc x\"]}}");
    assert_true(hit(&h, "enc_one") >= 0);
    assert_true(hit(&h, "enc_all") >= 0);
    /* typed elements: numbers and addresses */
    h = run(&e, "{\"n\":[1,2,30],\"related\":{\"ip\":[\"192.0.2.1\","
                "\"10.1.2.3\"]}}");
    assert_true(hit(&h, "num") >= 0);
    assert_true((i = hit(&h, "ip")) >= 0);
    assert_string_equal(h.text[i], "10.1.2.3");
    h = run(&e, "{\"n\":[1,2,3],\"related\":{\"ip\":[\"192.0.2.1\"]}}");
    assert_int_equal(hit(&h, "num"), -1);
    assert_int_equal(hit(&h, "ip"), -1);
    /* the same event again: the remembered scans answer the same */
    h = run(&e, "{\"process\":{\"name\":\"x\",\"args\":[\"powershell.exe\","
                "\"-enc\",\"SQBFAFgA\"]}}");
    assert_true(hit(&h, "enc") >= 0);
    assert_true(hit(&h, "enc_all") >= 0);
    assert_int_equal(hit(&h, "no_enc"), -1);
    env_close(&e);
}

static void
test_direct(void **state)
{
    (void)state;
    check(0);
}

static void
test_database(void **state)
{
    (void)state;
    check(1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_direct),
        cmocka_unit_test(test_database),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
