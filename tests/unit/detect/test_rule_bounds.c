/* test_rule_bounds.c -- the rule loader refuses, with the offending line,
 * correlation documents a hostile author can write to crash it or to make
 * it overflow (issue 10): a non-scalar key in `condition:`, a timespan
 * whose nanoseconds pass INT64_MAX, a count near INT64_MAX. Under the
 * ASan+UBSan build any of these would abort the test instead. */
#include "vigil_test.h"

#include "detect/detect.h"
#include "detect/detect_int.h"

static const char base[] =
    "title: Failed logon\nid: fail-1\nname: failed_logon\n"
    "logsource:\n  product: test\n"
    "detection:\n  sel:\n    EventID: 4625\n  condition: sel\n"
    "---\n";

struct seen {
    int refused, line;
    char msg[256];
};

static void
on_report(const char *file, int line, const struct vigil_rule_info *info,
          const char *msg, void *arg)
{
    struct seen *s = arg;

    (void)file;
    if (info)
        return;
    s->refused++;
    s->line = line;
    snprintf(s->msg, sizeof(s->msg), "%s", msg);
}

/* Loads base + corr and returns what the loader refused. */
static struct seen
load(const char *corr)
{
    struct vigil_detect *d = NULL;
    struct vigil_detect_opts o;
    struct vigil_err err = {0};
    struct seen s = {0};
    char text[2048];
    int n = snprintf(text, sizeof(text), "%s%s", base, corr);

    memset(&o, 0, sizeof(o));
    o.report = on_report;
    o.report_arg = &s;
    assert_int_equal(vigil_detect_new(&d, &o, &err), VIGIL_OK);
    assert_int_equal(vigil_detect_add_mem(d, "c.yml", text, (size_t)n, &err),
                     VIGIL_OK);
    /* compiling what was kept must not trip over what was refused */
    assert_int_equal(vigil_detect_compile(d, &err), VIGIL_OK);
    vigil_detect_free(d);
    return s;
}

#define CORR_HEAD                                                              \
    "title: Brute force\nid: bf-1\n"                                           \
    "correlation:\n  type: event_count\n  rules:\n    - failed_logon\n"        \
    "  group-by:\n    - IpAddress\n"

static void
test_condition_key_not_scalar(void **state)
{
    (void)state;
    /* line 21 of the file: the key that is a sequence */
    struct seen s = load(CORR_HEAD "  timespan: 5m\n"
                                   "  condition:\n    ? [gte, lt]\n    : 3\n");
    assert_int_equal(s.refused, 1);
    assert_int_equal(s.line, 21);
    assert_non_null(strstr(s.msg, "keys must be text"));
    s = load(CORR_HEAD "  timespan: 5m\n"
                       "  condition:\n    ? {gte: 1}\n    : 3\n");
    assert_int_equal(s.refused, 1);
    assert_int_equal(s.line, 21);
}

static void
test_timespan_bounded(void **state)
{
    int64_t ns = 0;

    (void)state;
    struct seen s = load(CORR_HEAD "  timespan: 100000y\n"
                                   "  condition:\n    gte: 3\n");
    assert_int_equal(s.refused, 1);
    assert_int_equal(s.line, 19);
    assert_non_null(strstr(s.msg, "timespan"));
    /* each unit bounded by the same 10 years */
    assert_false(detect_timespan("11y", &ns));
    assert_false(detect_timespan("131M", &ns));
    assert_false(detect_timespan("522w", &ns));
    assert_false(detect_timespan("3651d", &ns));
    assert_false(detect_timespan("999999999999999w", &ns));
    assert_true(detect_timespan("10y", &ns));
    assert_true(ns == 3650LL * 86400 * 1000000000LL);
    assert_true(detect_timespan("315360000s", &ns));
    assert_true(detect_timespan("5m", &ns));
    assert_true(ns == 300LL * 1000000000LL);
}

static void
test_count_bounded(void **state)
{
    (void)state;
    struct seen s =
        load(CORR_HEAD "  timespan: 5m\n"
                       "  condition:\n    gte: 9223372036854775807\n");
    assert_int_equal(s.refused, 1);
    assert_int_equal(s.line, 21);
    assert_non_null(strstr(s.msg, "outside"));
    s = load(CORR_HEAD "  timespan: 5m\n  condition:\n    gt: -1\n");
    assert_int_equal(s.refused, 1);
    s = load(CORR_HEAD "  timespan: 5m\n  condition:\n    gte: 1000000000\n");
    assert_int_equal(s.refused, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_condition_key_not_scalar),
        cmocka_unit_test(test_timespan_bounded),
        cmocka_unit_test(test_count_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
