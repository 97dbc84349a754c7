/* test_bus.c -- the daemon's in-process bus: events reach every event
 * subscriber with their batch, alerts are added to the batch once and
 * reach the alert subscribers, findings become alerts, unsubscribed
 * components hear nothing, and the subscriber table is bounded. */
#include "vigil_test.h"

#include "daemon/daemon_int.h"

struct seen {
    int events;
    int alerts;
    const struct vigil_store_batch *batch;
    char last_rule[64];
    char last_level[16];
    enum vigil_rc answer;
};

static enum vigil_rc
on_event(void *arg, const struct vigil_event *ev, const char *source,
         struct vigil_store_batch *batch)
{
    struct seen *s = arg;

    (void)ev;
    assert_string_equal(source, "src");
    s->events++;
    s->batch = batch;
    return s->answer;
}

static void
on_alert(void *arg, const struct vigil_alert *a, struct vigil_store_batch *b)
{
    struct seen *s = arg;

    s->alerts++;
    s->batch = b;
    snprintf(s->last_rule, sizeof(s->last_rule), "%s", a->rule_id);
    snprintf(s->last_level, sizeof(s->last_level), "%s", a->level);
}

static void
test_events(void **state)
{
    struct vigil_bus *bus;
    struct vigil_err err = {0};
    struct vigil_store_batch *b = vigil_store_batch_new();
    struct vigil_event ev;
    struct seen one = {0}, two = {0};
    int id1, id2;

    (void)state;
    memset(&ev, 0, sizeof(ev));
    assert_int_equal(vigil_bus_new(&bus, &err), VIGIL_OK);
    id1 = vigil_bus_on_event(bus, on_event, &one);
    id2 = vigil_bus_on_event(bus, on_event, &two);
    assert_true(id1 > 0 && id2 > 0 && id1 != id2);
    assert_int_equal(vigil_bus_publish_event(bus, &ev, "src", b), VIGIL_OK);
    assert_int_equal(one.events, 1);
    assert_int_equal(two.events, 1);
    assert_ptr_equal(one.batch, b);
    /* A failing subscriber does not starve the next; its error wins. */
    one.answer = VIGIL_ENOMEM;
    assert_int_equal(vigil_bus_publish_event(bus, &ev, "src", b), VIGIL_ENOMEM);
    assert_int_equal(two.events, 2);
    vigil_bus_unsubscribe(bus, id1);
    assert_int_equal(vigil_bus_publish_event(bus, &ev, "src", b), VIGIL_OK);
    assert_int_equal(one.events, 2);
    assert_int_equal(two.events, 3);
    vigil_bus_free(bus);
    vigil_store_batch_free(b);
}

static void
test_alerts_and_findings(void **state)
{
    struct vigil_bus *bus;
    struct vigil_err err = {0};
    struct vigil_store_batch *b = vigil_store_batch_new();
    struct seen s = {0};
    struct vigil_alert a = {0};
    struct vigil_finding f = {0};
    uint64_t na, nf;

    (void)state;
    assert_int_equal(vigil_bus_new(&bus, &err), VIGIL_OK);
    assert_true(vigil_bus_on_alert(bus, on_alert, &s) > 0);
    a.rule_id = "r1";
    a.title = "T";
    a.level = "high";
    a.event_json = "{}";
    assert_int_equal(vigil_bus_publish_alert(bus, &a, b), VIGIL_OK);
    assert_int_equal(vigil_store_batch_alerts(b), 1);
    assert_int_equal(s.alerts, 1);
    /* A refused alert is neither stored nor announced. */
    a.level = "apocalyptic";
    assert_int_equal(vigil_bus_publish_alert(bus, &a, b), VIGIL_EINVAL);
    assert_int_equal(vigil_store_batch_alerts(b), 1);
    assert_int_equal(s.alerts, 1);
    f.kind = "disclose.hidden_sheet";
    f.level = "critical";
    f.title = "Hidden sheet with personal data";
    f.subject = "foi-response.xlsx";
    f.detail_json = "{\"sheet\":\"Staff\"}";
    assert_int_equal(vigil_bus_publish_finding(bus, &f, b), VIGIL_OK);
    assert_int_equal(vigil_store_batch_alerts(b), 2);
    assert_string_equal(s.last_rule, "disclose.hidden_sheet");
    assert_string_equal(s.last_level, "critical");
    vigil_bus_counts(bus, &na, &nf);
    assert_int_equal(na, 2);
    assert_int_equal(nf, 1);
    vigil_bus_free(bus);
    vigil_store_batch_free(b);
}

static void
test_bounded(void **state)
{
    struct vigil_bus *bus;
    struct vigil_err err = {0};
    struct seen s = {0};

    (void)state;
    assert_int_equal(vigil_bus_new(&bus, &err), VIGIL_OK);
    for (int i = 0; i < VIGIL_BUS_MAX_SUBSCRIBERS; i++)
        assert_true(vigil_bus_on_event(bus, on_event, &s) > 0);
    assert_int_equal(vigil_bus_on_alert(bus, on_alert, &s), 0);
    vigil_bus_free(bus);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_alerts_and_findings),
        cmocka_unit_test(test_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
