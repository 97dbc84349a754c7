/* test_respond.c -- the response domain without root: the `response:`
 * section (policies as in the issue, refusals with file:line), the
 * guard's refusals (management, allow-list, loopback, gateways,
 * resolvers, link-local and multicast, pid 1, this
 * process, root's account, malformed requests), which alerts a policy
 * takes, field extraction that a crafted log line cannot steer, the
 * RFC 5424 and CEF lines and the webhook's HMAC. The real firewall, mail
 * and webhook are in tests/integration/test_respond_*.sh. */
#include "vigil_test.h"

#include <stdlib.h>
#include <unistd.h>

#include "core/core.h"
#include "daemon/daemon.h"
#include "evidence/evidence.h"
#include "respond/respond.h"
#include "respond/respond_int.h"
#include "store/store.h"

static struct vigil_respond_config *
load(const char *text, struct vigil_err *err)
{
    struct vigil_daemon_config *dcfg = NULL;
    struct vigil_respond_config *cfg = NULL;

    if (vigil_daemon_config_load_mem(&dcfg, "t.yml", text, strlen(text), err) !=
        VIGIL_OK)
        return NULL;
    cfg = malloc(sizeof(*cfg));
    assert_non_null(cfg);
    *cfg = *(const struct vigil_respond_config *)vigil_daemon_config_section(
        dcfg, "respond");
    vigil_daemon_config_free(dcfg);
    if (vigil_respond_config_check(cfg, err) != VIGIL_OK) {
        free(cfg);
        return NULL;
    }
    return cfg;
}

static const char issue_yaml[] =
    "response:\n"
    "  management: [192.0.2.0/24, \"2001:db8::/32\"]\n"
    "  allow: [198.51.100.10]\n"
    "  policies:\n"
    "    - when: {rule: vigil_ssh_brute_force}\n"
    "      do: [block_source, notify_duty]\n"
    "      for: 1h\n"
    "    - when: {level: high, tag: attack.t1110}\n"
    "      do: [forward, \"run:collect\"]\n"
    "  commands:\n"
    "    collect: [/usr/bin/true, \"{address}\"]\n"
    "  notify:\n"
    "    duty: {email: [soc@example.org], webhook: "
    "https://chat.example.org/hook}\n"
    "    smtp: {url: \"smtp://mail.example.org:587\", from: "
    "vigil@example.org}\n"
    "    webhook_secret: k\n"
    "  forward: {to: \"udp://127.0.0.1:514\", format: cef}\n";

static void
test_config_issue(void **state)
{
    struct vigil_err err = {0};
    struct vigil_respond_config *cfg = load(issue_yaml, &err);

    (void)state;
    assert_non_null(cfg);
    assert_int_equal(cfg->nmanagement, 2);
    assert_int_equal(cfg->management[0].prefix, 24);
    assert_int_equal(cfg->nallow, 1);
    assert_int_equal(cfg->npolicies, 2);
    assert_string_equal(cfg->policies[0].rule, "vigil_ssh_brute_force");
    assert_int_equal(cfg->policies[0].ndo, 2);
    assert_int_equal(cfg->policies[0].what[0], VIGIL_DO_BLOCK_SOURCE);
    assert_int_equal(cfg->policies[0].what[1], VIGIL_DO_NOTIFY_DUTY);
    assert_int_equal(cfg->policies[0].for_s, 3600);
    assert_int_equal(cfg->policies[1].what[1], VIGIL_DO_RUN);
    assert_int_equal(cfg->policies[1].command[1], 0);
    assert_string_equal(cfg->duty_email[0], "soc@example.org");
    assert_int_equal(cfg->smtp_tls, VIGIL_SMTP_STARTTLS);
    assert_string_equal(cfg->forward_format, "cef");
    assert_int_equal(cfg->block_for_s, 3600); /* the default */
    free(cfg);
}

static void
refused(const char *yaml, const char *part)
{
    struct vigil_err err = {0};
    struct vigil_respond_config *cfg = load(yaml, &err);

    if (cfg != NULL || strstr(err.msg, part) == NULL)
        fail_msg("'%s' gave '%s', want '%s'", yaml, err.msg, part);
}

static void
test_config_refused(void **state)
{
    (void)state;
    refused("response:\n  management: [192.0.2.0/33]\n",
            "t.yml:2: 'response.management': '192.0.2.0/33'");
    refused("response:\n  policies:\n    - when: {rule: x}\n      do: [nuke]\n",
            "unknown action 'nuke'");
    refused("response:\n  policies:\n    - when: {level: severe}\n"
            "      do: [block_source]\n",
            "'when.level' must be one of");
    refused("response:\n  policies:\n    - when: {rule: x}\n"
            "      do: [\"run:nothere\"]\n",
            "run:nothere names no command");
    refused("response:\n  commands: {x: [rm, -rf]}\n", "absolute path");
    refused("response:\n  notify:\n    duty: {email: [\"a@b>, c@d\"]}\n",
            "is not an e-mail address");
    refused("response:\n  notify:\n    duty: {email: [a@b.org]}\n",
            "needs response.notify.smtp.url");
    /* mail in clear only to a local relay or sink */
    refused("response:\n  notify:\n    duty: {email: [a@b.org]}\n"
            "    smtp: {url: \"smtp://mail.example.org\", from: v@b.org, "
            "tls: none}\n",
            "loopback address only");
    refused("response:\n  policies:\n    - when: {rule: x}\n"
            "      do: [notify_duty]\n",
            "notify_duty needs");
    refused("response:\n  forward: {to: \"http://x\"}\n", "udp://");
    refused("response:\n  nope: 1\n", "unknown key");
}

static void
req(struct respond_req *rq, enum vigil_respond_action a, const char *target)
{
    memset(rq, 0, sizeof(*rq));
    rq->magic = RESPOND_MAGIC;
    rq->op = a;
    snprintf(rq->target, sizeof(rq->target), "%s", target);
}

static void
expect(const struct respond_guard *g, enum vigil_respond_action a,
       const char *target, enum vigil_rc want, const char *part)
{
    struct respond_req rq;
    struct vigil_err err = {0};
    enum vigil_rc rc;

    req(&rq, a, target);
    rc = respond_guard_check(g, &rq, &err);
    if (rc != want || (part && strstr(err.msg, part) == NULL))
        fail_msg("%s %s: rc %d '%s', want %d '%s'", respond_action_name(a),
                 target, rc, err.msg, want, part ? part : "");
}

/* This host's first IPv4 gateway and first resolver, read here without
 * the code under test: a forged log line naming either is refused. */
static void
expect_infra(const struct respond_guard *g)
{
    char line[512], addr[64];
    unsigned gw;
    FILE *f;

    if ((f = fopen("/proc/net/route", "r")) != NULL) {
        while (fgets(line, sizeof(line), f))
            if (sscanf(line, "%*s %*x %x", &gw) == 1 && gw != 0) {
                snprintf(addr, sizeof(addr), "%u.%u.%u.%u", gw & 255,
                         (gw >> 8) & 255, (gw >> 16) & 255, gw >> 24);
                expect(g, VIGIL_RA_BLOCK, addr, VIGIL_EPERM, NULL);
                break;
            }
        fclose(f);
    }
    if ((f = fopen("/etc/resolv.conf", "r")) != NULL) {
        while (fgets(line, sizeof(line), f))
            if (sscanf(line, " nameserver %63s", addr) == 1 &&
                strncmp(addr, "127.", 4) != 0 && strchr(addr, '%') == NULL) {
                expect(g, VIGIL_RA_BLOCK, addr, VIGIL_EPERM, NULL);
                break;
            }
        fclose(f);
    }
}

static void
test_guard(void **state)
{
    struct vigil_err err = {0};
    struct vigil_respond_config *cfg = load(issue_yaml, &err);
    struct respond_guard *g = malloc(sizeof(*g));
    struct respond_req rq;
    char self[32];

    (void)state;
    assert_non_null(cfg);
    respond_guard_init(g, cfg);
    expect(g, VIGIL_RA_BLOCK, "203.0.113.9", VIGIL_OK, NULL);
    expect(g, VIGIL_RA_BLOCK, "2001:db9::1", VIGIL_OK, NULL);
    expect(g, VIGIL_RA_BLOCK, "192.0.2.77", VIGIL_EPERM, "management");
    expect(g, VIGIL_RA_BLOCK, "2001:db8::5", VIGIL_EPERM, "management");
    expect(g, VIGIL_RA_BLOCK, "198.51.100.10", VIGIL_EPERM, "allow-listed");
    expect(g, VIGIL_RA_BLOCK, "127.0.0.2", VIGIL_EPERM, "loopback");
    expect(g, VIGIL_RA_BLOCK, "::1", VIGIL_EPERM, "loopback");
    expect(g, VIGIL_RA_BLOCK, "0.0.0.0", VIGIL_EPERM, "unspecified");
    expect(g, VIGIL_RA_BLOCK, "169.254.0.7", VIGIL_EPERM, "link-local");
    expect(g, VIGIL_RA_BLOCK, "fe80::1", VIGIL_EPERM, "link-local");
    expect(g, VIGIL_RA_BLOCK, "224.0.0.251", VIGIL_EPERM, "multicast");
    expect(g, VIGIL_RA_BLOCK, "255.255.255.255", VIGIL_EPERM, "broadcast");
    expect(g, VIGIL_RA_BLOCK, "ff02::1", VIGIL_EPERM, "multicast");
    expect_infra(g);
    expect(g, VIGIL_RA_BLOCK, "1.2.3.4 timeout 1s }; flush ruleset",
           VIGIL_EINVAL, "not an IP address");
    expect(g, VIGIL_RA_STOP, "1", VIGIL_EPERM, "pid 1");
    snprintf(self, sizeof(self), "%d", (int)getpid());
    expect(g, VIGIL_RA_STOP, self, VIGIL_EPERM, "vigil itself");
    expect(g, VIGIL_RA_STOP, "-5", VIGIL_EINVAL, NULL);
    expect(g, VIGIL_RA_STOP, "12ab", VIGIL_EINVAL, NULL);
    expect(g, VIGIL_RA_LOCK, "root", VIGIL_EPERM, "root");
    expect(g, VIGIL_RA_LOCK, "-oops", VIGIL_EINVAL, NULL);
    expect(g, VIGIL_RA_LOCK, "no_such_user_xyz", VIGIL_ENOTFOUND, NULL);
    expect(g, VIGIL_RA_ISOLATE, "", VIGIL_OK, NULL);
    /* a request that is not one: wrong magic, unterminated, bad index */
    req(&rq, VIGIL_RA_BLOCK, "203.0.113.9");
    rq.magic = 0;
    assert_int_equal(respond_guard_check(g, &rq, &err), VIGIL_EINVAL);
    req(&rq, VIGIL_RA_BLOCK, "203.0.113.9");
    memset(rq.target, 'a', sizeof(rq.target));
    assert_int_equal(respond_guard_check(g, &rq, &err), VIGIL_EINVAL);
    req(&rq, VIGIL_RA_RUN, "");
    rq.command = 5;
    assert_int_equal(respond_guard_check(g, &rq, &err), VIGIL_EINVAL);
    req(&rq, 99, "");
    assert_int_equal(respond_guard_check(g, &rq, &err), VIGIL_EINVAL);
    /* isolation without a management network would cut everyone off */
    cfg->nmanagement = 0;
    respond_guard_init(g, cfg);
    expect(g, VIGIL_RA_ISOLATE, "", VIGIL_EPERM, "no management network");
    free(g);
    free(cfg);
}

static void
test_policy_match(void **state)
{
    struct vigil_respond_policy p;
    struct vigil_alert a = {0};

    (void)state;
    a.rule_id = "c2e3974e-7702-4e98-80e8-b063a70dd225";
    a.rule_name = "vigil_ssh_brute_force";
    a.title = "SSH brute force from one address";
    a.level = "high";
    a.tags_json = "[\"attack.credential-access\",\"attack.t1110.001\"]";
    memset(&p, 0, sizeof(p));
    snprintf(p.rule, sizeof(p.rule), "vigil_ssh_brute_force");
    assert_true(respond_policy_matches(&p, &a));
    snprintf(p.rule, sizeof(p.rule), "%s", a.rule_id);
    assert_true(respond_policy_matches(&p, &a));
    snprintf(p.rule, sizeof(p.rule), "vigil_ssh_root_login");
    assert_false(respond_policy_matches(&p, &a));
    memset(&p, 0, sizeof(p));
    snprintf(p.level, sizeof(p.level), "medium");
    assert_true(respond_policy_matches(&p, &a));
    snprintf(p.level, sizeof(p.level), "critical");
    assert_false(respond_policy_matches(&p, &a));
    memset(&p, 0, sizeof(p));
    snprintf(p.tag, sizeof(p.tag), "attack.t1110");
    assert_true(respond_policy_matches(&p, &a));
    snprintf(p.tag, sizeof(p.tag), "attack.t111"); /* not a parent */
    assert_false(respond_policy_matches(&p, &a));
}

static void
test_json_field(void **state)
{
    char out[64];

    (void)state;
    assert_true(respond_json_field(
        "{\"message\":\"x\",\"source.ip\":\"203.0.113.9\",\"process.pid\":42}",
        "source.ip", out, sizeof(out)));
    assert_string_equal(out, "203.0.113.9");
    assert_true(respond_json_field("{\"process.pid\":42}", "process.pid", out,
                                   sizeof(out)));
    assert_string_equal(out, "42");
    /* a log line that writes the key into its message cannot choose the
     * address: inside a string the quotes are escaped */
    assert_false(respond_json_field(
        "{\"message\":\"\\\"source.ip\\\":\\\"192.0.2.1\\\"\"}", "source.ip",
        out, sizeof(out)));
    assert_false(respond_json_field("{\"source.ip\":\"a\\\"b\"}", "source.ip",
                                    out, sizeof(out)));
}

/* A correlation's alert carries no event ("event":{}): the address is its
 * group, but only a group of source.ip alone names it. */
static void
test_alert_address(void **state)
{
    struct vigil_alert a;
    char out[64];

    (void)state;
    memset(&a, 0, sizeof(a));
    a.event_json = "{}";
    a.matched_json = "{\"correlation.count\":12,\"correlation.group\":"
                     "\"source.ip=203.0.113.5\",\"correlation.events\":[]}";
    assert_true(respond_alert_address(&a, out, sizeof(out)));
    assert_string_equal(out, "203.0.113.5");
    a.event_json = "{\"source.ip\":\"2001:db9::1\"}";
    assert_true(respond_alert_address(&a, out, sizeof(out)));
    assert_string_equal(out, "2001:db9::1");
    /* another key's value cannot spell the address */
    a.event_json = "{}";
    a.matched_json = "{\"correlation.group\":\"user.name=x,source.ip=192.0.2.1"
                     "\"}";
    assert_false(respond_alert_address(&a, out, sizeof(out)));
    a.matched_json = "{\"correlation.group\":\"source.ip=198.51.100.7,"
                     "user.name=x\"}";
    assert_false(respond_alert_address(&a, out, sizeof(out)));
    assert_string_equal(out, "");
    a.matched_json = "{\"correlation.group\":\"source.ip=not-an-ip\"}";
    assert_false(respond_alert_address(&a, out, sizeof(out)));
}

static void
test_forward_format(void **state)
{
    struct vigil_respond_config *cfg = calloc(1, sizeof(*cfg));
    struct vigil_alert a = {0};
    struct vigil_buf b;

    (void)state;
    a.time_ns = 1700000000LL * VIGIL_NS_PER_SEC;
    a.rule_id = "r\"1]";
    a.title = "bad|title\nnext";
    a.level = "high";
    a.uid = "u1";
    a.event_json = "{\"source.ip\":\"203.0.113.9\"}";
    snprintf(cfg->forward_format, sizeof(cfg->forward_format), "rfc5424");
    vigil_buf_init(&b, 65536);
    assert_int_equal(respond_forward_format(cfg, &a, &b), VIGIL_OK);
    /* authpriv.err, SD-PARAM values escaped, no line break */
    assert_memory_equal(b.data, "<83>1 2023-11-14T22:13:20", 25);
    assert_non_null(strstr(b.data, "rule=\"r\\\"1\\]\" level=\"high\" "
                                   "src=\"203.0.113.9\"] bad|title next"));
    vigil_buf_fini(&b);
    snprintf(cfg->forward_format, sizeof(cfg->forward_format), "cef");
    vigil_buf_init(&b, 65536);
    assert_int_equal(respond_forward_format(cfg, &a, &b), VIGIL_OK);
    assert_non_null(strstr(b.data, "CEF:0|vigil|vigil|"));
    assert_non_null(strstr(b.data, "|r\"1]|bad\\|title next|8|rt=1700000000000 "
                                   "src=203.0.113.9 cs1Label=alertUid cs1=u1"));
    assert_null(strchr(b.data, '\n'));
    vigil_buf_fini(&b);
    free(cfg);
}

static void
test_hmac(void **state)
{
    char hex[65];

    (void)state;
    /* RFC 4231, test case 2 */
    respond_hmac_hex("Jefe", "what do ya want for nothing?", 28, hex);
    assert_string_equal(
        hex,
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void
test_parse_for(void **state)
{
    int64_t s;

    (void)state;
    assert_true(vigil_respond_parse_for("24h", &s));
    assert_int_equal(s, 86400);
    assert_true(vigil_respond_parse_for("90s", &s));
    assert_int_equal(s, 90);
    assert_false(vigil_respond_parse_for("0s", &s));
    assert_false(vigil_respond_parse_for("soon", &s));
}

/* ---- the record agrees with the firewall (fake executor, real store) ---- */

struct fake {
    int n;
    struct respond_req last;
    int64_t for_of_restored; /* for_s of the last block restored */
};

static enum vigil_rc
fake_exec(void *arg, const struct respond_req *rq, struct vigil_err *err)
{
    struct fake *f = arg;

    (void)err;
    f->n++;
    f->last = *rq;
    return VIGIL_OK;
}

struct state_q {
    char state[16];
};

static int
take_state(const struct vigil_store_value *c, size_t n, void *arg)
{
    struct state_q *q = arg;

    if (n > 0 && c[0].p != NULL)
        snprintf(q->state, sizeof(q->state), "%s", (const char *)c[0].p);
    return 1;
}

static const char *
state_of(struct vigil_store *s, const char *id, struct state_q *q)
{
    struct vigil_store_value p = vigil_sv_text(id);
    struct vigil_err err = {0};

    q->state[0] = '\0';
    assert_int_equal(vigil_store_query(s,
                                       "SELECT state FROM respond_actions"
                                       " WHERE id = ?",
                                       &p, 1, take_state, q, &err),
                     VIGIL_OK);
    return q->state;
}

static void
do_act(struct vigil_store *s, struct fake *f, enum vigil_respond_action a,
       const char *target, int64_t for_s, char *id)
{
    struct vigil_respond_request r = {0};
    struct vigil_err err = {0};

    r.action = a;
    r.target = target;
    r.for_s = for_s;
    r.reason = "test";
    r.actor = "user test";
    assert_int_equal(respond_do(s, NULL, fake_exec, f, &r, -1, id, &err),
                     VIGIL_OK);
}

static void
test_record_consistent(void **state)
{
    /* actions are recorded with their evidence entries */
    const struct vigil_store_schema *schemas[] = {&vigil_evidence_schema,
                                                  &vigil_respond_schema};
    struct vigil_store_opts o = {.schemas = schemas, .nschemas = 2};
    struct vigil_store *s = NULL;
    struct vigil_err err = {0};
    struct fake f = {0};
    struct state_q q;
    char dir[64], path[128], perm[VIGIL_UID_LEN + 1], id[VIGIL_UID_LEN + 1];
    size_t n = 0;

    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/vigil-respond-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/store.db", dir);
    assert_int_equal(vigil_store_open(&s, path, &o, &err), VIGIL_OK);

    /* a block until undone, then the same address for an hour (another
     * spelling, as a log line may write it): the firewall must keep it
     * until undone, not let it go after the hour */
    do_act(s, &f, VIGIL_RA_BLOCK, "::FFFF:203.0.113.9", 0, perm);
    do_act(s, &f, VIGIL_RA_BLOCK, "203.0.113.9", 3600, id);
    assert_int_equal(f.last.for_s, 0);
    /* unblocking one spelling lifts the blocks recorded under another */
    do_act(s, &f, VIGIL_RA_UNBLOCK, "203.0.113.9", 0, id);
    assert_string_equal(state_of(s, perm, &q), "undone");

    /* at a restart the longest block of an address is the one in force,
     * whatever order they were made in */
    do_act(s, &f, VIGIL_RA_BLOCK, "2001:db9::7", 7200, id);
    do_act(s, &f, VIGIL_RA_BLOCK, "2001:DB9::7", 60, id);
    assert_true(f.last.for_s > 3600);
    assert_int_equal(respond_restore_with(s, fake_exec, &f, &n, &err),
                     VIGIL_OK);
    assert_int_equal(n, 2);
    assert_string_equal(f.last.target, "2001:db9::7");
    assert_true(f.last.for_s > 3600);
    vigil_store_close(s);
    for (size_t i = 0; i < 3; i++) {
        static const char *const ext[] = {"", "-wal", "-shm"};
        snprintf(path, sizeof(path), "%s/store.db%s", dir, ext[i]);
        unlink(path);
    }
    rmdir(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_issue),
        cmocka_unit_test(test_config_refused),
        cmocka_unit_test(test_guard),
        cmocka_unit_test(test_policy_match),
        cmocka_unit_test(test_json_field),
        cmocka_unit_test(test_alert_address),
        cmocka_unit_test(test_forward_format),
        cmocka_unit_test(test_hmac),
        cmocka_unit_test(test_parse_for),
        cmocka_unit_test(test_record_consistent),
    };
    return vigil_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
