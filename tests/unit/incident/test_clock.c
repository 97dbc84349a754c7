/* test_clock.c -- the regulators' clocks: hours are elapsed time across
 * daylight-saving changes (72 hours after 09:00 GMT on the Friday before
 * the clocks go forward is 10:00 BST on Monday), calendar months keep the
 * wall-clock time in the configured zone (NIS2's final report), month
 * ends clamp, a wall-clock time the clocks skipped is read with the
 * offset before the change, North American zones change on other dates;
 * the regime table is complete; the `incident:` section's keys. */
#include "vigil_test.h"

#include "daemon/daemon.h"
#include "incident/incident.h"
#include "parse/parse.h"

#define UTC(y, mo, d, h, mi)                                                   \
    vigil_time_from_utc((y), (mo), (d), (h), (mi), 0, 0)
#define HOURS(n) ((int64_t)(n)*3600 * VIGIL_NS_PER_SEC)

static struct vigil_tz *
zone(const char *name)
{
    struct vigil_tz *tz = NULL;
    struct vigil_err err = {0};

    if (vigil_tz_load(&tz, name, &err) != VIGIL_OK)
        return NULL;
    return tz;
}

static void
check_fmt(const struct vigil_tz *tz, int64_t ns, const char *want)
{
    char buf[48];

    vigil_clock_format(tz, ns, buf);
    assert_string_equal(buf, want);
}

static int64_t
due(const char *regime, int64_t aware, const struct vigil_tz *tz)
{
    const struct vigil_regime *r = vigil_regime_get(regime);

    assert_non_null(r);
    return vigil_regime_due(r, aware, tz, 72 * 3600);
}

static void
test_hours_across_spring_change(void **state)
{
    struct vigil_tz *ldn = zone("Europe/London");
    int64_t aware = UTC(2026, 3, 27, 9, 0); /* Friday 09:00 GMT */

    (void)state;
    if (ldn == NULL) {
        skip();
        return;
    }
    /* clocks go forward on Sunday 29 March: 72 h of elapsed time end at
     * 10:00 local on Monday, not 09:00 */
    assert_int_equal(due("uk-gdpr-33", aware, ldn), aware + HOURS(72));
    check_fmt(ldn, due("uk-gdpr-33", aware, ldn), "2026-03-30T10:00:00+01:00");
    check_fmt(ldn, due("eu-nis2-early", aware, ldn),
              "2026-03-28T09:00:00+00:00");
    check_fmt(ldn, due("uk-nis", aware, ldn), "2026-03-30T10:00:00+01:00");
    /* one month after the 72 h notification, at its wall-clock time */
    check_fmt(ldn, due("eu-nis2-final", aware, ldn),
              "2026-04-30T10:00:00+01:00");
    assert_int_equal(due("eu-nis2-final", aware, ldn), UTC(2026, 4, 30, 9, 0));
    vigil_tz_free(ldn);
}

static void
test_hours_across_autumn_change(void **state)
{
    struct vigil_tz *ldn = zone("Europe/London");
    int64_t aware = UTC(2026, 10, 23, 12, 0); /* 13:00 BST */

    (void)state;
    if (ldn == NULL) {
        skip();
        return;
    }
    /* back on Sunday 25 October: 72 h end at 12:00 GMT, an hour earlier
     * on the wall than the 13:00 awareness */
    check_fmt(ldn, aware, "2026-10-23T13:00:00+01:00");
    check_fmt(ldn, due("uk-gdpr-33", aware, ldn), "2026-10-26T12:00:00+00:00");
    /* a month that spans the change keeps the wall-clock time, so it is
     * an hour longer in elapsed time than the same dates in UTC */
    aware = UTC(2026, 9, 30, 10, 0); /* 11:00 BST */
    check_fmt(ldn, due("eu-nis2-notify", aware, ldn),
              "2026-10-03T11:00:00+01:00");
    check_fmt(ldn, due("eu-nis2-final", aware, ldn),
              "2026-11-03T11:00:00+00:00");
    assert_int_equal(due("eu-nis2-final", aware, ldn), UTC(2026, 11, 3, 11, 0));
    assert_int_equal(due("eu-nis2-final", aware, NULL),
                     UTC(2026, 11, 3, 10, 0));
    vigil_tz_free(ldn);
}

static void
test_north_america(void **state)
{
    struct vigil_tz *tor = zone("America/Toronto");
    struct vigil_tz *mtl = zone("America/Montreal");
    int64_t aware = UTC(2026, 3, 6, 15, 0); /* Friday 10:00 EST */

    (void)state;
    if (tor == NULL) {
        skip();
        return;
    }
    /* Canada moves on 8 March, three weeks before Europe: PIPEDA's "as
     * soon as feasible" counted to a 72 h target ends at 11:00 EDT */
    check_fmt(tor, aware, "2026-03-06T10:00:00-05:00");
    check_fmt(tor, due("ca-pipeda-opc", aware, tor),
              "2026-03-09T11:00:00-04:00");
    if (mtl != NULL) /* Quebec: the same offsets */
        check_fmt(mtl, due("qc-cai", aware, mtl), "2026-03-09T11:00:00-04:00");
    /* records kept 24 months: the same wall-clock time two years on */
    check_fmt(tor, vigil_clock_add_months(tor, aware, 24),
              "2028-03-06T10:00:00-05:00");
    vigil_tz_free(tor);
    vigil_tz_free(mtl);
}

static void
test_month_ends_and_gaps(void **state)
{
    struct vigil_tz *ldn = zone("Europe/London");
    struct vigil_tz *ist = zone("+05:30");

    (void)state;
    /* month ends clamp; leap years */
    assert_int_equal(vigil_clock_add_months(NULL, UTC(2026, 1, 31, 12, 0), 1),
                     UTC(2026, 2, 28, 12, 0));
    assert_int_equal(vigil_clock_add_months(NULL, UTC(2028, 1, 31, 12, 0), 1),
                     UTC(2028, 2, 29, 12, 0));
    assert_int_equal(vigil_clock_add_months(NULL, UTC(2026, 12, 15, 0, 0), 1),
                     UTC(2027, 1, 15, 0, 0));
    assert_int_equal(vigil_clock_add_months(NULL, UTC(2026, 11, 30, 8, 0), 60),
                     UTC(2031, 11, 30, 8, 0));
    assert_non_null(ist);
    check_fmt(ist, UTC(2026, 3, 27, 9, 0), "2026-03-27T14:30:00+05:30");
    vigil_tz_free(ist);
    if (ldn == NULL) {
        skip();
        return;
    }
    /* 01:30 on 29 March 2026 never happened in London (01:00 -> 02:00):
     * read with the offset before the change, it is 01:30 UTC */
    assert_int_equal(vigil_clock_add_months(ldn, UTC(2026, 1, 29, 1, 30), 2),
                     UTC(2026, 3, 29, 1, 30));
    /* a day before, an ordinary one */
    assert_int_equal(vigil_clock_add_months(ldn, UTC(2026, 1, 28, 1, 30), 2),
                     UTC(2026, 3, 28, 1, 30));
    vigil_tz_free(ldn);
}

static void
test_left(void **state)
{
    char buf[32];

    (void)state;
    vigil_clock_left(HOURS(71) + 59 * 60 * VIGIL_NS_PER_SEC, buf, sizeof(buf));
    assert_string_equal(buf, "2d 23h");
    vigil_clock_left(HOURS(5) + 7 * 60 * VIGIL_NS_PER_SEC, buf, sizeof(buf));
    assert_string_equal(buf, "5h 7m");
    vigil_clock_left(-HOURS(1) - 5 * 60 * VIGIL_NS_PER_SEC, buf, sizeof(buf));
    assert_string_equal(buf, "-1h 5m");
    vigil_clock_left(30 * VIGIL_NS_PER_SEC, buf, sizeof(buf));
    assert_string_equal(buf, "0m");
}

static void
test_regimes(void **state)
{
    const struct vigil_regime *r;
    size_t n;
    int seen = 0;

    (void)state;
    r = vigil_regimes(&n);
    assert_true(n >= 12);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(r[i].source);
        assert_true(strlen(r[i].source) > 10);
        assert_non_null(r[i].fields[0]);
        assert_ptr_equal(vigil_regime_get(r[i].id), &r[i]);
        if (r[i].kind == VIGIL_DUE_MONTH)
            assert_non_null(vigil_regime_get(r[i].after));
        seen |= r[i].jurisdiction;
    }
    assert_int_equal(seen, VIGIL_JUR_UK | VIGIL_JUR_EU | VIGIL_JUR_QUEBEC |
                               VIGIL_JUR_ONTARIO | VIGIL_JUR_CANADA);
    assert_int_equal(vigil_regime_get("uk-gdpr-33")->hours, 72);
    assert_int_equal(vigil_regime_get("eu-nis2-early")->hours, 24);
    assert_int_equal(vigil_regime_get("qc-cai")->kind, VIGIL_DUE_PROMPT);
    assert_null(vigil_regime_get("us-hipaa"));
}

static void
test_config(void **state)
{
    static const char good[] = "incident:\n"
                               "  window: 30m\n"
                               "  group_by: [source, user]\n"
                               "  jurisdictions: [uk, quebec]\n"
                               "  timezone: Europe/London\n"
                               "  roles: {dpo: Dev}\n";
    static const char bad_word[] = "incident:\n  group_by: [colour]\n";
    static const char bad_key[] = "incident:\n  windw: 30m\n";
    struct vigil_daemon_config *cfg = NULL;
    const struct vigil_incident_config *ic;
    struct vigil_err err = {0};

    (void)state;
    assert_int_equal(vigil_daemon_config_load_mem(&cfg, "t.yml", good,
                                                  sizeof(good) - 1, &err),
                     VIGIL_OK);
    ic = vigil_daemon_config_section(cfg, "incident");
    assert_non_null(ic);
    assert_int_equal(ic->window_s, 1800);
    assert_int_equal(ic->group_by & 0xff,
                     VIGIL_GROUP_SOURCE | VIGIL_GROUP_USER);
    assert_int_equal(ic->jurisdictions & 0xff, VIGIL_JUR_UK | VIGIL_JUR_QUEBEC);
    assert_int_equal(ic->warn_first_s, 24 * 3600);
    assert_int_equal(ic->auto_open, 1);
    assert_string_equal(ic->role[0], "dpo");
    vigil_daemon_config_free(cfg);
    cfg = NULL;
    assert_int_equal(vigil_daemon_config_load_mem(&cfg, "t.yml", bad_word,
                                                  sizeof(bad_word) - 1, &err),
                     VIGIL_EPARSE);
    assert_non_null(strstr(err.msg, "t.yml:2"));
    vigil_err_clear(&err);
    assert_int_equal(vigil_daemon_config_load_mem(&cfg, "t.yml", bad_key,
                                                  sizeof(bad_key) - 1, &err),
                     VIGIL_EPARSE);
    assert_non_null(strstr(err.msg, "windw"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hours_across_spring_change),
        cmocka_unit_test(test_hours_across_autumn_change),
        cmocka_unit_test(test_north_america),
        cmocka_unit_test(test_month_ends_and_gaps),
        cmocka_unit_test(test_left),
        cmocka_unit_test(test_regimes),
        cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
