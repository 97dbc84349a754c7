/* test_conf.c -- the generic configuration tree and key tables of core:
 * limits on hostile YAML, refusals with file:line, and a domain table
 * applied to a section (types, ranges, defaults, unknown keys). */
#include "vigil_test.h"

#include "core/core.h"

struct sample {
    char name[16];
    int on;
    int64_t count;
    int64_t wait_ms;
    int64_t every_s;
    int64_t size;
    int64_t nested;
    int custom_seen;
};

static enum vigil_rc
parse_custom(const struct vigil_conf *c, const struct vigil_conf_node *v,
             void *obj, struct vigil_err *err)
{
    struct sample *s = obj;

    if (v->kind != VIGIL_CONF_SEQ)
        return vigil_conf_fail(c, v, err, "'custom' must be a list");
    s->custom_seen = (int)v->n;
    return VIGIL_OK;
}

static const struct vigil_conf_key inner_keys[] = {
    {.name = "n",
     .type = VIGIL_CT_INT,
     .offset = offsetof(struct sample, nested),
     .min = 0,
     .max = 9,
     .def = 7},
};
static const struct vigil_conf_table inner = {"sec.", inner_keys, 1};

static const struct vigil_conf_key keys[] = {
    {.name = "name",
     .type = VIGIL_CT_STR,
     .offset = offsetof(struct sample, name),
     .size = 16,
     .min = 1},
    {.name = "on",
     .type = VIGIL_CT_BOOL,
     .offset = offsetof(struct sample, on),
     .def = 1},
    {.name = "count",
     .type = VIGIL_CT_INT,
     .offset = offsetof(struct sample, count),
     .min = 1,
     .max = 100,
     .def = 10},
    {.name = "wait",
     .type = VIGIL_CT_MS,
     .offset = offsetof(struct sample, wait_ms),
     .min = 1,
     .max = 60000,
     .def = 250},
    {.name = "every",
     .type = VIGIL_CT_SECONDS,
     .offset = offsetof(struct sample, every_s),
     .min = 1000,
     .max = 86400000,
     .def = 5},
    {.name = "size",
     .type = VIGIL_CT_SIZE,
     .offset = offsetof(struct sample, size),
     .min = 0,
     .max = INT64_MAX},
    {.name = "sec", .type = VIGIL_CT_SECTION, .sub = &inner},
    {.name = "custom", .type = VIGIL_CT_CUSTOM, .parse = parse_custom},
};
static const struct vigil_conf_table table = {"", keys,
                                              sizeof(keys) / sizeof(keys[0])};

static enum vigil_rc
apply(const char *text, struct sample *s, struct vigil_err *err)
{
    struct vigil_conf *c = NULL;
    struct vigil_conf_binding b = {&table, s};
    enum vigil_rc rc;

    memset(s, 0, sizeof(*s));
    vigil_conf_defaults(&table, s);
    vigil_err_clear(err);
    rc = vigil_conf_parse(&c, "t.yml", text, strlen(text), err);
    if (rc == VIGIL_OK)
        rc = vigil_conf_apply(c, vigil_conf_root(c), &b, 1, err);
    vigil_conf_free(c);
    return rc;
}

static void
test_table(void **state)
{
    struct sample s;
    struct vigil_err err;

    (void)state;
    assert_int_equal(apply("", &s, &err), VIGIL_OK);
    assert_int_equal(s.on, 1);
    assert_int_equal(s.count, 10);
    assert_int_equal(s.wait_ms, 250);
    assert_int_equal(s.every_s, 5);
    assert_int_equal(s.nested, 7);
    assert_int_equal(apply("name: x\non: off\ncount: 100\nwait: 2s\n"
                           "every: 1h\nsize: 2KiB\nsec: {n: 3}\n"
                           "custom: [a, b]\n",
                           &s, &err),
                     VIGIL_OK);
    assert_string_equal(s.name, "x");
    assert_int_equal(s.on, 0);
    assert_int_equal(s.count, 100);
    assert_int_equal(s.wait_ms, 2000);
    assert_int_equal(s.every_s, 3600);
    assert_int_equal(s.size, 2048);
    assert_int_equal(s.nested, 3);
    assert_int_equal(s.custom_seen, 2);
}

struct bad {
    const char *text;
    const char *msg;
};

static void
test_refusals(void **state)
{
    static const struct bad cases[] = {
        {"count: 0\n", "t.yml:1: 'count' must be between 1 and 100"},
        {"name: ''\n", "t.yml:1: 'name' must not be empty"},
        {"name: [a]\n", "t.yml:1: 'name' must be a string"},
        {"name: abcdefghijklmnopq\n",
         "t.yml:1: 'name' is longer than 15 characters"},
        {"wait: 0ms\n", "t.yml:1: 'wait' must be between 1 and 60000 ms"},
        {"\n\nsec:\n  m: 1\n", "t.yml:4: unknown key 'sec.m' (known: n)"},
        {"sec: 5\n", "t.yml:1: 'sec' must be a mapping of keys to values"},
        {"custom: 1\n", "t.yml:1: 'custom' must be a list"},
        {"nope: 1\n",
         "t.yml:1: unknown key 'nope' (known: name, on, count, wait, every, "
         "size, sec, custom)"},
        /* a key that is no plain string (a crash elsewhere, issue 10) */
        {"? [a, b]\n: 1\n", "t.yml:1: keys must be plain strings"},
        {"on: yes\non: no\n", "t.yml:2: duplicate key 'on'"},
        /* signed overflow: 15 digits of weeks do not fit in 63 bits */
        {"every: 999999999999999w\n",
         "t.yml:1: 'every' must be a duration like 30d, 12h, 15m, 45s or "
         "250ms, not '999999999999999w'"},
        {"size: 99999999999999TiB\n",
         "t.yml:1: 'size' must be a size like 10GiB, 500MB or 1048576, not "
         "'99999999999999TiB'"},
    };
    struct sample s;
    struct vigil_err err;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(apply(cases[i].text, &s, &err), VIGIL_EPARSE);
        assert_string_equal(err.msg, cases[i].msg);
    }
}

/* A "billion laughs" of aliases expands while the tree is copied: the
 * node limit stops it, quickly and without exhausting memory. */
static void
test_alias_bomb(void **state)
{
    struct vigil_buf b;
    struct vigil_conf *c = NULL;
    struct vigil_err err = {0};

    (void)state;
    vigil_buf_init(&b, 1 << 20);
    vigil_buf_printf(&b, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 10; i++)
        vigil_buf_printf(&b,
                         "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, "
                         "*a%d, *a%d, *a%d, *a%d]\n",
                         i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
                         i - 1, i - 1, i - 1);
    assert_int_equal(vigil_conf_parse(&c, "bomb.yml", b.data, b.len, &err),
                     VIGIL_ELIMIT);
    assert_null(c);
    assert_non_null(strstr(err.msg, "more than 100000 YAML nodes"));
    vigil_buf_fini(&b);
}

static void
test_depth(void **state)
{
    struct vigil_buf b;
    struct vigil_conf *c = NULL;
    struct vigil_err err = {0};

    (void)state;
    vigil_buf_init(&b, 1 << 20);
    for (int i = 0; i < 40; i++)
        vigil_buf_putc(&b, '[');
    for (int i = 0; i < 40; i++)
        vigil_buf_putc(&b, ']');
    assert_int_equal(vigil_conf_parse(&c, "deep.yml", b.data, b.len, &err),
                     VIGIL_EPARSE);
    assert_non_null(strstr(err.msg, "nested deeper than 32 levels"));
    vigil_buf_fini(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_alias_bomb),
        cmocka_unit_test(test_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
