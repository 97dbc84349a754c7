/* test_sigma_corr.c -- Sigma correlation rules: event_count and
 * value_count with group-by over a sliding timespan, temporal, and
 * temporal_ordered with its order enforced; windows closed by tick for
 * `lt` conditions; bounded groups. Rules follow the specification's
 * examples (failed logons, many users from one source, recon sequence).
 * Group-by values that once shared a group (a long common prefix, equal
 * hashes) are counted apart. */
#include "vigil_test.h"

#include "core/core_int.h"
#include "detect/detect.h"
#include "detect/detect_int.h"

#define S ((int64_t)1000000000)

static const char base_rules[] =
    "title: Failed logon\nid: fail-1\nname: failed_logon\n"
    "logsource:\n  product: test\n"
    "detection:\n  sel:\n    EventID: 4625\n  condition: sel\n"
    "---\n"
    "title: Successful logon\nid: ok-1\nname: successful_logon\n"
    "logsource:\n  product: test\n"
    "detection:\n  sel:\n    EventID: 4624\n  condition: sel\n"
    "---\n"
    "title: Recon whoami\nid: recon-1\nname: recon_whoami\n"
    "logsource:\n  product: test\n"
    "detection:\n  sel:\n    Image|endswith: whoami.exe\n  condition: sel\n"
    "---\n";

struct hits {
    int n, corr;
    uint64_t count, suppressed;
    int64_t first_ns, time_ns;
    char group[128];
    char last[64];
};

static int
on_match(const struct vigil_detect_match *m, void *arg)
{
    struct hits *h = arg;
    h->n++;
    if (m->group) {
        h->corr++;
        h->count = m->count;
        h->suppressed = m->suppressed;
        h->first_ns = m->first_ns;
        h->time_ns = m->time_ns;
        snprintf(h->group, sizeof(h->group), "%s", m->group);
    }
    snprintf(h->last, sizeof(h->last), "%s", m->rule->id);
    return 0;
}

struct env {
    struct vigil_detect *d;
    struct vigil_detect_ctx *c;
};

static void
setup_env_opts(struct env *e, const char *corr, size_t max_groups,
               int64_t quiet_ns, int64_t suppress_ns)
{
    struct vigil_buf b;
    struct vigil_err err = {0};
    struct vigil_detect_opts o;
    struct vigil_detect_stats st;

    memset(&o, 0, sizeof(o));
    o.corr_max_groups = max_groups;
    /* a window is raised at the tick after its condition holds, so each
     * check below sees it on the event that completed it */
    o.corr_quiet_ns = quiet_ns;
    o.corr_suppress_ns = suppress_ns;
    vigil_buf_init(&b, 1 << 20);
    vigil_buf_printf(&b, "%s%s", base_rules, corr);
    assert_int_equal(vigil_detect_new(&e->d, &o, &err), VIGIL_OK);
    assert_int_equal(vigil_detect_add_mem(e->d, "c.yml", b.data, b.len, &err),
                     VIGIL_OK);
    assert_int_equal(vigil_detect_compile(e->d, &err), VIGIL_OK);
    vigil_detect_get_stats(e->d, &st);
    assert_int_equal(st.refused, 0);
    assert_int_equal(st.correlations, 1);
    assert_int_equal(vigil_detect_ctx_new(&e->c, e->d, &err), VIGIL_OK);
    vigil_buf_fini(&b);
}

static void
setup_env(struct env *e, const char *corr, size_t max_groups)
{
    setup_env_opts(e, corr, max_groups, -1, 0);
}

static void
teardown_env(struct env *e)
{
    vigil_detect_ctx_free(e->c);
    vigil_detect_free(e->d);
}

/* one event at 1000 + t seconds (a zero time would mean "use the clock") */
static void
feed(struct env *e, int64_t t, struct hits *h, const char *k1, const char *v1,
     const char *k2, const char *v2, const char *k3, const char *v3)
{
    static struct vigil_event ev;
    struct vigil_arena a;

    vigil_arena_init(&a, 4096, 1 << 20);
    vigil_event_init(&ev, &a);
    ev.time_ns = (t + 1000) * S;
    if (k1)
        vigil_event_add_strz(&ev, k1, v1);
    if (k2)
        vigil_event_add_strz(&ev, k2, v2);
    if (k3)
        vigil_event_add_strz(&ev, k3, v3);
    assert_int_equal(vigil_detect_match(e->c, &ev, on_match, h, NULL),
                     VIGIL_OK);
    assert_int_equal(vigil_detect_corr_tick(e->c, ev.time_ns, on_match, h),
                     VIGIL_OK);
    vigil_arena_fini(&a);
}

/* one failed logon of user at 1000 + t seconds, no tick */
static void
feed_only(struct env *e, int64_t t, struct hits *h, const char *user)
{
    static struct vigil_event ev;
    struct vigil_arena a;

    vigil_arena_init(&a, 4096, 1 << 20);
    vigil_event_init(&ev, &a);
    ev.time_ns = (t + 1000) * S;
    vigil_event_add_strz(&ev, "EventID", "4625");
    vigil_event_add_strz(&ev, "TargetUserName", user);
    assert_int_equal(vigil_detect_match(e->c, &ev, on_match, h, NULL),
                     VIGIL_OK);
    vigil_arena_fini(&a);
}

static void
test_event_count(void **s)
{
    struct env e;
    struct hits h;
    (void)s;
    setup_env(&e,
              "title: Brute force\nid: bf-1\ncorrelation:\n"
              "  type: event_count\n  rules:\n    - failed_logon\n"
              "  group-by:\n    - TargetUserName\n  timespan: 5m\n"
              "  condition:\n    gte: 3\n",
              0);
    memset(&h, 0, sizeof(h));
    /* two failures for alice, one for bob: nothing yet; the base rule is
     * referenced by a correlation without generate, so it is silent */
    feed(&e, 0, &h, "EventID", "4625", "TargetUserName", "alice", NULL, NULL);
    feed(&e, 10, &h, "EventID", "4625", "TargetUserName", "alice", NULL, NULL);
    feed(&e, 20, &h, "EventID", "4625", "TargetUserName", "bob", NULL, NULL);
    assert_int_equal(h.n, 0);
    /* the third for alice inside 5 minutes fires, grouped */
    feed(&e, 200, &h, "EventID", "4625", "TargetUserName", "alice", NULL, NULL);
    assert_int_equal(h.corr, 1);
    assert_int_equal(h.count, 3);
    assert_string_equal(h.group, "TargetUserName=alice");
    assert_string_equal(h.last, "bf-1");
    /* bob: three failures but spread over more than 5 minutes */
    memset(&h, 0, sizeof(h));
    feed(&e, 400, &h, "EventID", "4625", "TargetUserName", "bob", NULL, NULL);
    feed(&e, 700, &h, "EventID", "4625", "TargetUserName", "bob", NULL, NULL);
    assert_int_equal(h.corr, 0);
    feed(&e, 710, &h, "EventID", "4625", "TargetUserName", "bob", NULL, NULL);
    assert_int_equal(h.corr, 0); /* 400, 700, 710: only 2 within 5m of 710 */
    feed(&e, 720, &h, "EventID", "4625", "TargetUserName", "bob", NULL, NULL);
    assert_int_equal(h.corr, 1);
    teardown_env(&e);
}

static void
test_value_count(void **s)
{
    struct env e;
    struct hits h;
    (void)s;
    setup_env(&e,
              "title: Spray\nid: spray-1\ncorrelation:\n"
              "  type: value_count\n  rules:\n    - failed_logon\n"
              "  group-by:\n    - IpAddress\n  timespan: 1h\n"
              "  condition:\n    gt: 2\n    field: TargetUserName\n",
              0);
    memset(&h, 0, sizeof(h));
    feed(&e, 0, &h, "EventID", "4625", "IpAddress", "10.0.0.1",
         "TargetUserName", "a");
    feed(&e, 1, &h, "EventID", "4625", "IpAddress", "10.0.0.1",
         "TargetUserName", "a");
    feed(&e, 2, &h, "EventID", "4625", "IpAddress", "10.0.0.1",
         "TargetUserName", "b");
    feed(&e, 3, &h, "EventID", "4625", "IpAddress", "10.0.0.2",
         "TargetUserName", "c");
    assert_int_equal(h.corr, 0); /* same user twice counts once */
    feed(&e, 4, &h, "EventID", "4625", "IpAddress", "10.0.0.1",
         "TargetUserName", "c");
    assert_int_equal(h.corr, 1);
    assert_int_equal(h.count, 3);
    assert_string_equal(h.group, "IpAddress=10.0.0.1");
    teardown_env(&e);
}

static void
test_temporal(void **s)
{
    struct env e;
    struct hits h;
    (void)s;
    setup_env(&e,
              "title: Fail then success\nid: tmp-1\ncorrelation:\n"
              "  type: temporal\n  rules:\n    - failed_logon\n"
              "    - successful_logon\n  group-by:\n    - TargetUserName\n"
              "  timespan: 1m\n",
              0);
    memset(&h, 0, sizeof(h));
    /* any order within the timespan */
    feed(&e, 0, &h, "EventID", "4624", "TargetUserName", "x", NULL, NULL);
    feed(&e, 30, &h, "EventID", "4625", "TargetUserName", "x", NULL, NULL);
    assert_int_equal(h.corr, 1);
    /* too far apart */
    memset(&h, 0, sizeof(h));
    feed(&e, 100, &h, "EventID", "4625", "TargetUserName", "y", NULL, NULL);
    feed(&e, 200, &h, "EventID", "4624", "TargetUserName", "y", NULL, NULL);
    assert_int_equal(h.corr, 0);
    /* different groups do not combine */
    feed(&e, 300, &h, "EventID", "4625", "TargetUserName", "z1", NULL, NULL);
    feed(&e, 301, &h, "EventID", "4624", "TargetUserName", "z2", NULL, NULL);
    assert_int_equal(h.corr, 0);
    teardown_env(&e);
}

static void
test_temporal_ordered(void **s)
{
    struct env e;
    struct hits h;
    (void)s;
    setup_env(&e,
              "title: Fail, success, recon\nid: ord-1\ncorrelation:\n"
              "  type: temporal_ordered\n  rules:\n    - failed_logon\n"
              "    - successful_logon\n    - recon_whoami\n"
              "  group-by:\n    - Computer\n  timespan: 10m\n",
              0);
    memset(&h, 0, sizeof(h));
    /* wrong order: success, recon, failure -> nothing */
    feed(&e, 0, &h, "EventID", "4624", "Computer", "pc1", NULL, NULL);
    feed(&e, 1, &h, "Image", "C:\\whoami.exe", "Computer", "pc1", NULL, NULL);
    feed(&e, 2, &h, "EventID", "4625", "Computer", "pc1", NULL, NULL);
    assert_int_equal(h.corr, 0);
    /* recon before success: still not in order */
    feed(&e, 3, &h, "Image", "C:\\whoami.exe", "Computer", "pc1", NULL, NULL);
    assert_int_equal(h.corr, 0);
    feed(&e, 4, &h, "EventID", "4624", "Computer", "pc1", NULL, NULL);
    assert_int_equal(h.corr, 0);
    /* now the right order is complete: fail(2) success(4) recon(5) */
    feed(&e, 5, &h, "Image", "C:\\whoami.exe", "Computer", "pc1", NULL, NULL);
    assert_int_equal(h.corr, 1);
    assert_int_equal(h.count, 3);
    assert_string_equal(h.group, "Computer=pc1");
    /* in order but longer than the timespan */
    memset(&h, 0, sizeof(h));
    feed(&e, 1000, &h, "EventID", "4625", "Computer", "pc2", NULL, NULL);
    feed(&e, 1100, &h, "EventID", "4624", "Computer", "pc2", NULL, NULL);
    feed(&e, 1700, &h, "Image", "C:\\whoami.exe", "Computer", "pc2", NULL,
         NULL);
    assert_int_equal(h.corr, 0);
    teardown_env(&e);
}

static void
test_lt_window_and_generate(void **s)
{
    struct env e;
    struct hits h;
    (void)s;
    setup_env(&e,
              "title: Too few logons\nid: few-1\ncorrelation:\n"
              "  type: event_count\n  rules:\n    - successful_logon\n"
              "  group-by:\n    - TargetUserName\n  timespan: 1m\n"
              "  generate: true\n  condition:\n    lt: 3\n",
              0);
    memset(&h, 0, sizeof(h));
    feed(&e, 100, &h, "EventID", "4624", "TargetUserName", "q", NULL, NULL);
    feed(&e, 110, &h, "EventID", "4624", "TargetUserName", "q", NULL, NULL);
    /* generate: true keeps the base rule's own alerts */
    assert_int_equal(h.n, 2);
    assert_int_equal(h.corr, 0);
    /* window not over yet */
    assert_int_equal(
        vigil_detect_corr_tick(e.c, (1000 + 130) * S, on_match, &h), VIGIL_OK);
    assert_int_equal(h.corr, 0);
    assert_int_equal(
        vigil_detect_corr_tick(e.c, (1000 + 161) * S, on_match, &h), VIGIL_OK);
    assert_int_equal(h.corr, 1);
    assert_int_equal(h.count, 2);
    teardown_env(&e);
}

/* A full table makes room by dropping the group furthest from firing
 * (lowest count, least recently fed), never by refusing the new one: a
 * flood of one-off keys cannot push out a group that is building up, and
 * a group opened during the flood still completes. Every drop counts. */
static void
test_bounded_groups(void **s)
{
    struct env e;
    struct hits h;
    struct vigil_detect_ctx_stats st;
    struct vigil_detect_corr_stats cs;
    char user[32];
    (void)s;
    setup_env(&e,
              "title: Brute force\nid: bf-1\ncorrelation:\n"
              "  type: event_count\n  rules:\n    - failed_logon\n"
              "  group-by:\n    - TargetUserName\n  timespan: 5m\n"
              "  condition:\n    gte: 3\n",
              4);
    memset(&h, 0, sizeof(h));
    feed(&e, 0, &h, "EventID", "4625", "TargetUserName", "alice", NULL, NULL);
    feed(&e, 1, &h, "EventID", "4625", "TargetUserName", "alice", NULL, NULL);
    /* 4 groups (no source name: no source budget): 10 one-off users,
     * the first 3 fit */
    for (int i = 0; i < 10; i++) {
        snprintf(user, sizeof(user), "u%d", i);
        feed(&e, 2 + i, &h, "EventID", "4625", "TargetUserName", user, NULL,
             NULL);
    }
    vigil_detect_ctx_get_stats(e.c, &st);
    assert_int_equal(st.corr_dropped, 7);
    vigil_detect_corr_get_stats(e.d, &cs);
    assert_int_equal(cs.evicted, 7);
    assert_int_equal(cs.refused, 0);
    assert_int_equal(cs.groups, 4);
    /* alice (count 2) outlived the flood: her third failure fires */
    feed(&e, 20, &h, "EventID", "4625", "TargetUserName", "alice", NULL, NULL);
    assert_int_equal(h.corr, 1);
    assert_string_equal(h.group, "TargetUserName=alice");
    /* the last one-off user opened during the flood still completes */
    feed(&e, 21, &h, "EventID", "4625", "TargetUserName", "u9", NULL, NULL);
    feed(&e, 22, &h, "EventID", "4625", "TargetUserName", "u9", NULL, NULL);
    assert_int_equal(h.corr, 2);
    assert_string_equal(h.group, "TargetUserName=u9");
    teardown_env(&e);
}

/* A flood on one source, its keys even seen twice (ranking above a new
 * group), neither refuses nor pushes out the group another source opens
 * in the middle of it: the flooding source pays with its own groups. */
static void
udp_flood(struct env *e, struct hits *h, int from, int n)
{
    char user[32];

    detect_ctx_io(e->c, "udp", NULL);
    for (int i = from; i < from + n; i++) {
        snprintf(user, sizeof(user), "spoof%d", i);
        feed(e, 1 + i, h, "EventID", "4625", "TargetUserName", user, NULL,
             NULL);
        feed(e, 1 + i, h, "EventID", "4625", "TargetUserName", user, NULL,
             NULL);
    }
}

static void
test_source_budget(void **s)
{
    struct env e;
    struct hits h;
    (void)s;
    setup_env(&e,
              "title: Brute force\nid: bf-1\ncorrelation:\n"
              "  type: event_count\n  rules:\n    - failed_logon\n"
              "  group-by:\n    - TargetUserName\n  timespan: 5m\n"
              "  condition:\n    gte: 3\n",
              8);
    memset(&h, 0, sizeof(h));
    udp_flood(&e, &h, 0, 100);
    detect_ctx_io(e.c, "files", NULL);
    feed(&e, 150, &h, "EventID", "4625", "TargetUserName", "bob", NULL, NULL);
    udp_flood(&e, &h, 150, 100);
    assert_int_equal(h.corr, 0);
    detect_ctx_io(e.c, "files", NULL);
    feed(&e, 260, &h, "EventID", "4625", "TargetUserName", "bob", NULL, NULL);
    feed(&e, 261, &h, "EventID", "4625", "TargetUserName", "bob", NULL, NULL);
    assert_int_equal(h.corr, 1);
    assert_string_equal(h.group, "TargetUserName=bob");
    detect_ctx_io(e.c, NULL, NULL);
    teardown_env(&e);
}

static const char brute3[] =
    "title: Brute force\nid: bf-1\ncorrelation:\n"
    "  type: event_count\n  rules:\n    - failed_logon\n"
    "  group-by:\n    - TargetUserName\n  timespan: 5m\n"
    "  condition:\n    gte: 3\n";

/* Groups used to be keyed by a hash of "field=value" with each value cut
 * at 60 bytes: two users with the same first 60 bytes were one group and
 * two failures of one plus one of the other fired. */
static void
test_long_values_apart(void **s)
{
    struct env e;
    struct hits h;
    char u1[100], u2[100];
    (void)s;
    memset(u1, 'a', sizeof(u1) - 1);
    u1[sizeof(u1) - 1] = '\0';
    memcpy(u2, u1, sizeof(u2));
    u2[80] = 'b';
    setup_env(&e, brute3, 0);
    memset(&h, 0, sizeof(h));
    feed(&e, 0, &h, "EventID", "4625", "TargetUserName", u1, NULL, NULL);
    feed(&e, 1, &h, "EventID", "4625", "TargetUserName", u1, NULL, NULL);
    feed(&e, 2, &h, "EventID", "4625", "TargetUserName", u2, NULL, NULL);
    assert_int_equal(h.corr, 0);
    feed(&e, 3, &h, "EventID", "4625", "TargetUserName", u1, NULL, NULL);
    assert_int_equal(h.corr, 1);
    assert_int_equal(h.count, 3);
    teardown_env(&e);
}

/* With every group key hashing alike (as colliding 64-bit hashes did, and
 * an attacker choosing user names could arrange), groups stay apart. */
static void
test_colliding_hashes_apart(void **s)
{
    struct env e;
    struct hits h;
    struct det_corr *k = NULL;
    (void)s;
    setup_env(&e, brute3, 0);
    memset(&h, 0, sizeof(h));
    feed(&e, 0, &h, "EventID", "4625", "TargetUserName", "alice", NULL, NULL);
    for (size_t i = 0; i < e.d->nrules; i++)
        if (e.d->rules[i].corr)
            k = e.d->rules[i].corr;
    assert_non_null(k);
    assert_non_null(k->index);
    core_hmap_test_collide(k->index);
    feed(&e, 1, &h, "EventID", "4625", "TargetUserName", "bob", NULL, NULL);
    feed(&e, 2, &h, "EventID", "4625", "TargetUserName", "bob", NULL, NULL);
    assert_int_equal(h.corr, 0); /* one group would have reached 3 here */
    feed(&e, 3, &h, "EventID", "4625", "TargetUserName", "alice", NULL, NULL);
    assert_int_equal(h.corr, 0);
    feed(&e, 4, &h, "EventID", "4625", "TargetUserName", "alice", NULL, NULL);
    assert_int_equal(h.corr, 1);
    assert_string_equal(h.group, "TargetUserName=alice");
    feed(&e, 5, &h, "EventID", "4625", "TargetUserName", "bob", NULL, NULL);
    assert_int_equal(h.corr, 2);
    assert_string_equal(h.group, "TargetUserName=bob");
    teardown_env(&e);
}

/* A missing group-by field is its own group, apart from an empty one. */
static void
test_missing_vs_empty(void **s)
{
    struct env e;
    struct hits h;
    (void)s;
    setup_env(&e, brute3, 0);
    memset(&h, 0, sizeof(h));
    feed(&e, 0, &h, "EventID", "4625", "TargetUserName", "", NULL, NULL);
    feed(&e, 1, &h, "EventID", "4625", "TargetUserName", "", NULL, NULL);
    feed(&e, 2, &h, "EventID", "4625", NULL, NULL, NULL, NULL);
    assert_int_equal(h.corr, 0);
    feed(&e, 3, &h, "EventID", "4625", "TargetUserName", "", NULL, NULL);
    assert_int_equal(h.corr, 1);
    teardown_env(&e);
}

/* One alert per group and window: 30 failures in a burst are one alert
 * counting 30 with the burst's first and last time, raised when the
 * window ends (not on the third failure, not 28 times); a second burst
 * within the suppression period is counted, not raised; a burst after it
 * is raised and carries that count. */
static void
test_window_and_suppress(void **s)
{
    struct env e;
    struct hits h;
    struct vigil_detect_corr_stats cs;
    (void)s;
    setup_env_opts(&e, brute3, 0, 0, 3600 * S);
    memset(&h, 0, sizeof(h));
    for (int i = 0; i < 30; i++)
        feed_only(&e, i * 5, &h, "alice");
    assert_int_equal(h.corr, 0); /* the window is open */
    assert_int_equal(
        vigil_detect_corr_tick(e.c, (1000 + 299) * S, on_match, &h), VIGIL_OK);
    assert_int_equal(h.corr, 0); /* 5 minutes after the first: not yet */
    assert_int_equal(
        vigil_detect_corr_tick(e.c, (1000 + 301) * S, on_match, &h), VIGIL_OK);
    assert_int_equal(h.corr, 1);
    assert_int_equal(h.count, 30);
    assert_true(h.first_ns == 1000 * S);
    assert_true(h.time_ns == (1000 + 145) * S);
    assert_int_equal(h.suppressed, 0);
    /* a second burst 10 minutes later: suppressed, counted */
    for (int i = 0; i < 10; i++)
        feed_only(&e, 900 + i, &h, "alice");
    assert_int_equal(
        vigil_detect_corr_tick(e.c, (1000 + 1300) * S, on_match, &h), VIGIL_OK);
    assert_int_equal(h.corr, 1);
    vigil_detect_corr_get_stats(e.d, &cs);
    assert_int_equal(cs.suppressed, 1);
    assert_int_equal(cs.groups, 1); /* kept for its suppression */
    /* two hours later: raised again, with the one held back */
    for (int i = 0; i < 4; i++)
        feed_only(&e, 7300 + i, &h, "alice");
    assert_int_equal(
        vigil_detect_corr_tick(e.c, (1000 + 7700) * S, on_match, &h), VIGIL_OK);
    assert_int_equal(h.corr, 2);
    assert_int_equal(h.count, 4);
    assert_int_equal(h.suppressed, 1);
    teardown_env(&e);
}

/* suppress 0: every window alerts */
static void
test_suppress_off(void **s)
{
    struct env e;
    struct hits h;
    (void)s;
    setup_env_opts(&e, brute3, 0, 0, 0);
    memset(&h, 0, sizeof(h));
    for (int i = 0; i < 3; i++)
        feed_only(&e, i, &h, "alice");
    for (int i = 0; i < 3; i++)
        feed_only(&e, 400 + i, &h, "alice"); /* ends the first window */
    assert_int_equal(h.corr, 1);
    assert_int_equal(vigil_detect_corr_tick(e.c, INT64_MAX, on_match, &h),
                     VIGIL_OK);
    assert_int_equal(h.corr, 2);
    assert_int_equal(h.suppressed, 0);
    teardown_env(&e);
}

static void
test_refused_correlation(void **s)
{
    struct vigil_detect *d = NULL;
    struct vigil_err err = {0};
    struct vigil_detect_stats st;
    const char *y = "title: x\ncorrelation:\n  type: event_count\n"
                    "  rules: [a]\n  timespan: 5 minutes\n"
                    "  condition:\n    gte: 1\n";
    (void)s;
    assert_int_equal(vigil_detect_new(&d, NULL, &err), VIGIL_OK);
    assert_int_equal(vigil_detect_add_mem(d, "x.yml", y, strlen(y), &err),
                     VIGIL_OK);
    vigil_detect_get_stats(d, &st);
    assert_int_equal(st.refused, 1);
    vigil_detect_free(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_count),
        cmocka_unit_test(test_value_count),
        cmocka_unit_test(test_temporal),
        cmocka_unit_test(test_temporal_ordered),
        cmocka_unit_test(test_lt_window_and_generate),
        cmocka_unit_test(test_bounded_groups),
        cmocka_unit_test(test_source_budget),
        cmocka_unit_test(test_long_values_apart),
        cmocka_unit_test(test_colliding_hashes_apart),
        cmocka_unit_test(test_missing_vs_empty),
        cmocka_unit_test(test_window_and_suppress),
        cmocka_unit_test(test_suppress_off),
        cmocka_unit_test(test_refused_correlation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
