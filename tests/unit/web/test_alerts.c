/* Tests for the alert queue as the dashboard reads it (src/store/
 * store_alerts.c) and the admin's user calls: the rule filter gives only
 * that rule's alerts, newest first, and its cursor goes on where the page
 * ended; the file and network categories find fim and net:* alerts only; triage
 * counts only alerts that exist and keeps or clears the assignee as asked;
 * counts per rule and per hour; a role change and a token revoked by its id,
 * and an id with a wildcard revokes nothing. */
#include "../store/store_test_util.h"
#include "web/web_int.h"

static const struct vigil_store_schema *const web_list[] = {&vigil_web_schema};

static struct vigil_store *
open_web(char *dir, size_t n)
{
    struct vigil_store_opts o = {.schemas = web_list, .nschemas = 1};
    struct vigil_store *s = NULL;
    struct vigil_err err = {0};
    char path[256];

    st_tmpdir(dir, n);
    snprintf(path, sizeof(path), "%s/v.db", dir);
    assert_int_equal(vigil_store_open(&s, path, &o, &err), VIGIL_OK);
    return s;
}

/* 30 alerts one second apart: rules r0, r1, r2 in turn; every tenth from
 * fim (rule fim.changed); the sixth from a network sensor. uid "u<i>". */
static void
fill(struct vigil_store *s, int64_t t0)
{
    struct vigil_store_batch *b = vigil_store_batch_new();
    struct vigil_err err = {0};

    for (int i = 0; i < 30; i++) {
        char rule[16], uid[16];
        struct vigil_alert a = {0};
        snprintf(rule, sizeof(rule), i % 10 == 9 ? "fim.changed" : "r%d",
                 i % 3);
        snprintf(uid, sizeof(uid), "u%d", i);
        a.time_ns = t0 + (int64_t)i * VIGIL_NS_PER_SEC;
        a.rule_id = rule;
        a.title = "t";
        a.level = i % 2 ? "high" : "low";
        a.event_json = "{}";
        a.source = i % 10 == 9 ? "fim" : i == 5 ? "net:eth0" : "auth";
        a.uid = uid;
        assert_int_equal(vigil_store_batch_add_alert(b, &a), VIGIL_OK);
    }
    assert_int_equal(vigil_store_commit(s, b, &err), VIGIL_OK); /* takes b */
}

struct page {
    char uids[64][16];
    char rules[64][16];
    int n;
    int64_t last_t, last_id;
};

static int
take(const struct vigil_alert_row *r, void *arg)
{
    struct page *p = arg;

    snprintf(p->uids[p->n], sizeof(p->uids[0]), "%s", r->uid);
    snprintf(p->rules[p->n], sizeof(p->rules[0]), "%s", r->rule_id);
    p->n++;
    p->last_t = r->time_ns;
    p->last_id = r->id;
    return 0;
}

static void
test_list(void **state)
{
    char dir[128];
    struct vigil_store *s = open_web(dir, sizeof(dir));
    struct vigil_err err = {0};
    struct vigil_alert_filter f = {.rule = "r1", .limit = 4};
    struct page p = {0}, q = {0};
    int64_t t0 = vigil_time_now() - 3600 * VIGIL_NS_PER_SEC;

    (void)state;
    fill(s, t0);
    assert_int_equal(vigil_store_alert_list(s, &f, take, &p, &err), VIGIL_OK);
    /* r1: i = 1, 4, 7, 10, 13, 16, 22, 25, 28 (19 is fim): newest first */
    assert_int_equal(p.n, 4);
    assert_string_equal(p.uids[0], "u28");
    assert_string_equal(p.uids[3], "u16");
    for (int i = 0; i < p.n; i++)
        assert_string_equal(p.rules[i], "r1");
    f.has_cursor = 1;
    f.cursor_t = p.last_t;
    f.cursor_id = p.last_id;
    f.limit = 50;
    assert_int_equal(vigil_store_alert_list(s, &f, take, &q, &err), VIGIL_OK);
    assert_int_equal(q.n, 5);
    assert_string_equal(q.uids[0], "u13");
    assert_string_equal(q.uids[4], "u1");

    /* oldest first, with since */
    struct vigil_alert_filter g = {.rule = "r1",
                                   .oldest_first = 1,
                                   .since_ns = t0 + 5 * VIGIL_NS_PER_SEC,
                                   .limit = 2};
    memset(&p, 0, sizeof(p));
    assert_int_equal(vigil_store_alert_list(s, &g, take, &p, &err), VIGIL_OK);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.uids[0], "u7");

    /* the file category: fim alerts only */
    struct vigil_alert_filter h = {.category = "file", .limit = 50};
    memset(&p, 0, sizeof(p));
    assert_int_equal(vigil_store_alert_list(s, &h, take, &p, &err), VIGIL_OK);
    assert_int_equal(p.n, 3);
    for (int i = 0; i < p.n; i++)
        assert_string_equal(p.rules[i], "fim.changed");
    h.category = "network";
    memset(&p, 0, sizeof(p));
    assert_int_equal(vigil_store_alert_list(s, &h, take, &p, &err), VIGIL_OK);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.uids[0], "u5");
    /* % and _ in a title search match themselves, not everything */
    struct vigil_alert_filter k = {.text = "_", .limit = 50};
    memset(&p, 0, sizeof(p));
    assert_int_equal(vigil_store_alert_list(s, &k, take, &p, &err), VIGIL_OK);
    assert_int_equal(p.n, 0);
    k.text = "t";
    assert_int_equal(vigil_store_alert_list(s, &k, take, &p, &err), VIGIL_OK);
    assert_int_equal(p.n, 30);
    h.category = "printers";
    assert_int_equal(vigil_store_alert_list(s, &h, take, &p, &err),
                     VIGIL_EINVAL);
    vigil_store_close(s);
    st_rmtree(dir);
}

static int
one(const struct vigil_alert_row *r, void *arg)
{
    snprintf(arg, 64, "%s/%s", r->state, r->assignee ? r->assignee : "-");
    return 1;
}

static int
rule_count(const char *rule, int64_t last_ns, int64_t count, void *arg)
{
    (void)last_ns;
    if (strcmp(rule, "r0") == 0)
        *(int64_t *)arg = count;
    return 0;
}

static int
hour_count(const char *level, int64_t hour_ns, int64_t count, void *arg)
{
    (void)level;
    (void)hour_ns;
    *(int64_t *)arg += count;
    return 0;
}

static void
test_triage_counts(void **state)
{
    char dir[128], got[64] = "";
    struct vigil_store *s = open_web(dir, sizeof(dir));
    struct vigil_err err = {0};
    const char *uids[] = {"u1", "u2", "nosuch"};
    int64_t n = -1, r0 = 0, total = 0;

    (void)state;
    fill(s, vigil_time_now() - 3600 * VIGIL_NS_PER_SEC);
    assert_int_equal(vigil_store_alert_triage(s, uids, 3, "acknowledged", "ana",
                                              0, "ana", &n, &err),
                     VIGIL_OK);
    assert_int_equal(n, 2);
    assert_int_equal(vigil_store_alert_triage(s, uids, 1, "closed", NULL, 1,
                                              "bob", &n, &err),
                     VIGIL_OK);
    assert_int_equal(vigil_store_alert_get(s, "u1", one, got, &err), VIGIL_OK);
    assert_string_equal(got, "closed/ana"); /* kept */
    assert_int_equal(vigil_store_alert_triage(s, uids + 1, 1, "new", NULL, 0,
                                              "bob", &n, &err),
                     VIGIL_OK);
    assert_int_equal(vigil_store_alert_get(s, "u2", one, got, &err), VIGIL_OK);
    assert_string_equal(got, "new/-"); /* cleared */
    assert_int_equal(
        vigil_store_alert_triage(s, uids, 1, "gone", NULL, 0, "bob", &n, &err),
        VIGIL_EINVAL);
    struct vigil_alert_filter f = {.state = "closed", .limit = 50};
    struct page p = {0};
    assert_int_equal(vigil_store_alert_list(s, &f, take, &p, &err), VIGIL_OK);
    assert_int_equal(p.n, 1);
    assert_int_equal(vigil_store_alert_rules(s, rule_count, &r0, &err),
                     VIGIL_OK);
    assert_int_equal(r0, 9); /* i % 3 == 0 but 9, a fim alert */
    assert_int_equal(vigil_store_alert_hours(s, 0, hour_count, &total, &err),
                     VIGIL_OK);
    assert_int_equal(total, 30);
    vigil_store_close(s);
    st_rmtree(dir);
}

static int
tok_id(const char *id, const char *user, const char *label, int64_t created,
       void *arg)
{
    (void)user;
    (void)label;
    (void)created;
    snprintf(arg, 16, "%s", id);
    return 1;
}

static void
test_role_tokens(void **state)
{
    char dir[128], tok[VIGIL_WEB_TOKEN_LEN + 1], id[16] = "";
    struct vigil_store *s = open_web(dir, sizeof(dir));
    struct vigil_err err = {0};
    struct web_principal who;

    (void)state;
    assert_int_equal(
        vigil_web_user_add(s, "ana", "long enough pw", VIGIL_ROLE_VIEWER, &err),
        VIGIL_OK);
    /* one name whatever its case, and no look-alike with a trailing dot */
    assert_int_equal(
        vigil_web_user_add(s, "ANA", "long enough pw", VIGIL_ROLE_ADMIN, &err),
        VIGIL_ECONFLICT);
    assert_int_equal(
        vigil_web_user_add(s, "ana.", "long enough pw", VIGIL_ROLE_ADMIN, &err),
        VIGIL_EINVAL);
    assert_int_equal(vigil_web_token_new(s, "ana", "ci", tok, &err), VIGIL_OK);
    assert_int_equal(vigil_web_user_role(s, "ana", VIGIL_ROLE_ANALYST, &err),
                     VIGIL_OK);
    assert_int_equal(vigil_web_user_role(s, "bob", VIGIL_ROLE_ANALYST, &err),
                     VIGIL_ENOTFOUND);
    assert_int_equal(web_token_check(s, tok, &who, &err), VIGIL_OK);
    assert_int_equal(who.role, VIGIL_ROLE_ANALYST);
    assert_int_equal(vigil_web_token_each(s, tok_id, id, &err), VIGIL_OK);
    assert_int_equal(strlen(id), 12);
    assert_int_equal(vigil_web_token_revoke(s, "%%%%%%%%%%%%", &err),
                     VIGIL_EINVAL);
    assert_int_equal(vigil_web_token_revoke(s, "000000000000", &err),
                     id[0] == '0' && strcmp(id, "000000000000") == 0
                         ? VIGIL_OK
                         : VIGIL_ENOTFOUND);
    assert_int_equal(web_token_check(s, tok, &who, &err), VIGIL_OK);
    assert_int_equal(vigil_web_token_revoke(s, id, &err), VIGIL_OK);
    assert_int_equal(web_token_check(s, tok, &who, &err), VIGIL_EPERM);
    vigil_store_close(s);
    st_rmtree(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_triage_counts),
        cmocka_unit_test(test_role_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
