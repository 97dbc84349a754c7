/* test_group.c -- alerts into incidents, as the daemon does it: alerts
 * sharing a source address, user, host or rule family within the window
 * go to one incident; others open their own; below incident.min_level
 * they only reach the evidence log; the keys chosen by group_by are the
 * only ones used; a restarted grouper finds the open incidents again; the
 * evidence of all of it seals and verifies, and an edit is found. */
#include "vigil_test.h"

#include <unistd.h>

#include "daemon/daemon.h"
#include "evidence/evidence.h"
#include "incident/incident.h"

struct fx {
    char dir[64];
    struct vigil_store *s;
    struct vigil_incident_config cfg;
    struct vigil_playbooks *pb;
    struct vigil_incident_env env;
};

static int
setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct vigil_store_opts o = {0};
    struct vigil_err err = {0};
    char db[128];

    snprintf(f->dir, sizeof(f->dir), "/tmp/vigil-group-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(db, sizeof(db), "%s/vigil.db", f->dir);
    o.schemas = vigil_daemon_schemas(&o.nschemas);
    assert_int_equal(vigil_store_open(&f->s, db, &o, &err), VIGIL_OK);
    vigil_conf_defaults(&vigil_incident_conf, &f->cfg);
    assert_int_equal(vigil_playbooks_load(&f->pb, NULL, &err), VIGIL_OK);
    f->env.store = f->s;
    f->env.cfg = &f->cfg;
    f->env.playbooks = f->pb;
    f->env.actor = "test";
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;
    char cmd[128];

    vigil_store_close(f->s);
    vigil_playbooks_free(f->pb);
    snprintf(cmd, sizeof(cmd), "%s/vigil.db", f->dir);
    unlink(cmd);
    snprintf(cmd, sizeof(cmd), "%s/vigil.db-wal", f->dir);
    unlink(cmd);
    snprintf(cmd, sizeof(cmd), "%s/vigil.db-shm", f->dir);
    unlink(cmd);
    snprintf(cmd, sizeof(cmd), "%s/evidence.key", f->dir);
    unlink(cmd);
    snprintf(cmd, sizeof(cmd), "%s/evidence.pub", f->dir);
    unlink(cmd);
    snprintf(cmd, sizeof(cmd), "%s/evidence.head", f->dir);
    unlink(cmd);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* One alert through the grouper, committed in its own batch. */
static void
alert(struct vigil_incident_grouper *g, struct fx *f, const char *level,
      const char *tags, const char *event)
{
    struct vigil_store_batch *b = vigil_store_batch_new_for(f->s);
    struct vigil_alert a = {0};
    struct vigil_err err = {0};
    char uid[VIGIL_UID_LEN + 1];

    assert_int_equal(vigil_uid_new(uid), VIGIL_OK);
    a.time_ns = vigil_time_now();
    a.rule_id = "r-1";
    a.title = "test alert";
    a.level = level;
    a.tags_json = tags;
    a.event_json = event;
    a.uid = uid;
    assert_int_equal(vigil_store_batch_add_alert(b, &a), VIGIL_OK);
    assert_int_equal(vigil_incident_on_alert(g, &a, b, &err), VIGIL_OK);
    assert_int_equal(vigil_store_commit(f->s, b, &err), VIGIL_OK);
}

static int
count_row(const struct vigil_store_value *c, size_t nc, void *arg)
{
    *(int64_t *)arg = c[0].i;
    return 1;
}

static int64_t
count(struct fx *f, const char *sql)
{
    struct vigil_err err = {0};
    int64_t n = -1;

    assert_int_equal(vigil_store_query(f->s, sql, NULL, 0, count_row, &n, &err),
                     VIGIL_OK);
    return n;
}

static void
test_grouping(void **state)
{
    struct fx *f = *state;
    struct vigil_incident_grouper *g = NULL;
    struct vigil_err err = {0};

    assert_int_equal(vigil_incident_grouper_new(&g, &f->env, &err), VIGIL_OK);
    /* two brute forces from one address: one incident, account-compromise */
    alert(g, f, "high", "[\"attack.t1110.001\"]",
          "{\"source.ip\":\"203.0.113.9\",\"user.name\":\"root\"}");
    alert(g, f, "high", "[\"attack.t1110.001\"]",
          "{\"source.ip\":\"203.0.113.9\",\"user.name\":\"admin\"}");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM incident_incidents"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM incident_alerts"), 2);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM incident_incidents WHERE"
                              " kind = 'account-compromise'"),
                     1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM incident_tasks"), 9);
    /* another address, same user as the second: the same incident */
    alert(g, f, "medium", "[]",
          "{\"source.ip\":\"198.51.100.4\",\"user.name\":\"admin\"}");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM incident_incidents"), 1);
    /* a critical one raises the incident's severity */
    alert(g, f, "critical", "[]", "{\"source.ip\":\"198.51.100.4\"}");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM incident_incidents WHERE"
                              " severity = 'critical'"),
                     1);
    /* nothing in common (other host, user, address and rule family...
     * but the rule id is the family when there is no technique tag: r-1
     * was used with [] above, so give it a technique) */
    alert(g, f, "high", "[\"attack.t1486\"]",
          "{\"source.ip\":\"192.0.2.1\",\"host.name\":\"files1\"}");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM incident_incidents"), 2);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM incident_incidents WHERE"
                              " kind = 'ransomware' AND num = 2"),
                     1);
    /* below min_level (medium): evidence only */
    alert(g, f, "low", "[]", "{\"source.ip\":\"192.0.2.99\"}");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM incident_incidents"), 2);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM evidence_pending WHERE"
                              " kind = 'alert'"),
                     6);
    vigil_incident_grouper_free(g);

    /* a restarted daemon finds the open incident by its keys */
    g = NULL;
    assert_int_equal(vigil_incident_grouper_new(&g, &f->env, &err), VIGIL_OK);
    alert(g, f, "high", "[]", "{\"host.name\":\"files1\"}");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM incident_incidents"), 2);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM incident_alerts x JOIN"
                              " incident_incidents i ON i.uid ="
                              " x.incident_uid WHERE i.num = 2"),
                     2);
    /* after the window, the same keys open a new incident */
    vigil_incident_grouper_expire(g,
                                  vigil_time_now() + 7200 * VIGIL_NS_PER_SEC);
    alert(g, f, "high", "[]", "{\"host.name\":\"files1\"}");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM incident_incidents"), 3);
    vigil_incident_grouper_free(g);
}

static void
test_group_by(void **state)
{
    struct fx *f = *state;
    struct vigil_incident_grouper *g = NULL;
    struct vigil_err err = {0};

    f->cfg.group_by = 0x10000 | VIGIL_GROUP_SOURCE; /* group_by: [source] */
    assert_int_equal(vigil_incident_grouper_new(&g, &f->env, &err), VIGIL_OK);
    alert(g, f, "high", "[\"attack.t1110\"]",
          "{\"source.ip\":\"203.0.113.9\",\"user.name\":\"root\"}");
    alert(g, f, "high", "[\"attack.t1110\"]",
          "{\"source.ip\":\"203.0.113.10\",\"user.name\":\"root\"}");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM incident_incidents"), 2);
    vigil_incident_grouper_free(g);
}

/* Alerts from 40 (spoofed) addresses, grouped by source only, with a cap
 * of 5 incidents an hour: 5 incidents and one flood incident holding the
 * other 35 alerts; none dropped. A restarted grouper counts the hour's
 * incidents and finds the flood incident again. */
static void
test_flood(void **state)
{
    struct fx *f = *state;
    struct vigil_incident_grouper *g = NULL;
    struct vigil_err err = {0};
    char ev[128];

    f->cfg.group_by = 0x10000 | VIGIL_GROUP_SOURCE;
    assert_int_equal(f->cfg.max_open_per_hour, 50); /* the default */
    f->cfg.max_open_per_hour = 5;
    assert_int_equal(vigil_incident_grouper_new(&g, &f->env, &err), VIGIL_OK);
    for (int i = 0; i < 40; i++) {
        snprintf(ev, sizeof(ev), "{\"source.ip\":\"198.51.100.%d\"}", i + 1);
        alert(g, f, "high", "[]", ev);
    }
    assert_int_equal(count(f, "SELECT COUNT(*) FROM incident_incidents"), 6);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM incident_alerts"), 40);
    assert_int_equal(
        count(f, "SELECT COUNT(*) FROM incident_alerts x JOIN"
                 " incident_incidents i ON i.uid ="
                 " x.incident_uid WHERE i.group_keys = 'flood'"
                 " AND i.title LIKE 'Alert flood: 5 incidents opened%'"),
        35);
    /* an address already seen still goes to its own incident */
    alert(g, f, "high", "[]", "{\"source.ip\":\"198.51.100.2\"}");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM incident_alerts x JOIN"
                              " incident_incidents i ON i.uid ="
                              " x.incident_uid WHERE i.num = 2"),
                     2);
    vigil_incident_grouper_free(g);
    g = NULL;
    assert_int_equal(vigil_incident_grouper_new(&g, &f->env, &err), VIGIL_OK);
    alert(g, f, "high", "[]", "{\"source.ip\":\"203.0.113.77\"}");
    assert_int_equal(count(f, "SELECT COUNT(*) FROM incident_incidents"), 6);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM incident_alerts x JOIN"
                              " incident_incidents i ON i.uid ="
                              " x.incident_uid WHERE i.group_keys = 'flood'"),
                     36);
    vigil_incident_grouper_free(g);
}

static void
test_evidence_of_it(void **state)
{
    struct fx *f = *state;
    struct vigil_incident_grouper *g = NULL;
    struct vigil_evidence_key *key = NULL;
    struct vigil_evidence_verdict v;
    struct vigil_err err = {0};
    uint8_t pub[32];
    int64_t sealed = 0, changes = 0;

    assert_int_equal(vigil_incident_grouper_new(&g, &f->env, &err), VIGIL_OK);
    alert(g, f, "high", "[]", "{\"source.ip\":\"203.0.113.9\"}");
    vigil_incident_grouper_free(g);
    assert_int_equal(vigil_evidence_key_load(&key, f->dir, &err), VIGIL_OK);
    assert_int_equal(vigil_evidence_seal(f->s, key, &sealed, &err), VIGIL_OK);
    assert_int_equal(sealed, 3); /* opened, the alert, its timeline entry */
    assert_int_equal(vigil_evidence_pub_read(f->dir, pub, &err), VIGIL_OK);
    assert_int_equal(vigil_evidence_verify(f->s, pub, &v, &err), VIGIL_OK);
    assert_int_equal(v.bad, 0);
    assert_int_equal(v.entries, 3);
    /* queued straight, sealed on top */
    assert_int_equal(vigil_evidence_append(f->s, "respond.block",
                                           "{\"ip\":\"203.0.113.9\"}", "vigil",
                                           &err),
                     VIGIL_OK);
    assert_int_equal(
        vigil_evidence_append(f->s, "bad\nkind", "{}", "vigil", &err),
        VIGIL_EINVAL);
    assert_int_equal(vigil_evidence_seal(f->s, key, &sealed, &err), VIGIL_OK);
    assert_int_equal(sealed, 1);
    assert_int_equal(vigil_evidence_verify(f->s, pub, &v, &err), VIGIL_OK);
    assert_int_equal(v.bad, 0);
    assert_int_equal(v.entries, 4);
    /* an edit is found and named */
    assert_int_equal(
        vigil_store_exec(f->s,
                         "UPDATE evidence_log SET actor = 'eve' WHERE seq = 2",
                         NULL, 0, &changes, &err),
        VIGIL_OK);
    assert_int_equal(vigil_evidence_verify(f->s, pub, &v, &err), VIGIL_OK);
    assert_int_equal(v.bad, 2);
    /* sealing does not build on a log whose head is gone */
    assert_int_equal(vigil_store_exec(f->s, "DELETE FROM evidence_head", NULL,
                                      0, &changes, &err),
                     VIGIL_OK);
    assert_int_equal(vigil_evidence_append(f->s, "x", "{}", "vigil", &err),
                     VIGIL_OK);
    assert_int_equal(vigil_evidence_seal(f->s, key, &sealed, &err),
                     VIGIL_EPERM);
    vigil_evidence_key_free(key);
}

/* Path of name in f->dir into out. */
static void
in_dir(const struct fx *f, const char *name, char *out, size_t len)
{
    snprintf(out, len, "%s/%s", f->dir, name);
}

/* Runs one writing statement on f's store. */
static void
sql(struct fx *f, const char *text)
{
    struct vigil_err err = {0};

    assert_int_equal(vigil_store_exec(f->s, text, NULL, 0, NULL, &err),
                     VIGIL_OK);
}

/* FIND14 13: a log, head and anchor deleted together are never anchored
 * afresh by the next seal; only a store marked at migration as begun
 * before anchors is, and once. */
static void
test_no_heal_of_a_wiped_log(void **state)
{
    struct fx *f = *state;
    struct vigil_evidence_key *key = NULL;
    struct vigil_evidence_verdict v;
    struct vigil_evidence_anchor a;
    struct vigil_err err = {0};
    uint8_t pub[32];
    char path[128];
    int64_t sealed = 0;

    assert_int_equal(vigil_evidence_key_load(&key, f->dir, &err), VIGIL_OK);
    assert_int_equal(vigil_evidence_pub_read(f->dir, pub, &err), VIGIL_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(vigil_evidence_append(f->s, "x", "{}", "t", &err),
                         VIGIL_OK);
    assert_int_equal(vigil_evidence_seal(f->s, key, &sealed, &err), VIGIL_OK);
    assert_int_equal(sealed, 3);
    sql(f, "DELETE FROM evidence_log");
    sql(f, "DELETE FROM evidence_head");
    in_dir(f, "evidence.head", path, sizeof(path));
    assert_int_equal(unlink(path), 0);
    /* nothing pending and something pending: both refuse */
    assert_int_equal(vigil_evidence_seal(f->s, key, &sealed, &err),
                     VIGIL_EPERM);
    assert_non_null(strstr(err.msg, "not upgraded"));
    assert_int_equal(vigil_evidence_append(f->s, "x", "{}", "t", &err),
                     VIGIL_OK);
    assert_int_equal(vigil_evidence_seal(f->s, key, &sealed, &err),
                     VIGIL_EPERM);
    assert_int_equal(vigil_evidence_anchor_read(f->dir, &a, &err),
                     VIGIL_ENOTFOUND);
    assert_int_equal(
        vigil_evidence_verify_anchored(f->s, pub, f->dir, &v, &err), VIGIL_OK);
    assert_int_not_equal(v.bad, 0);
    /* a store upgraded from a vigil without anchors: anchored once */
    sql(f, "DELETE FROM evidence_pending");
    sql(f, "INSERT INTO evidence_upgrade VALUES ('anchor')");
    assert_int_equal(vigil_evidence_seal(f->s, key, &sealed, &err), VIGIL_OK);
    assert_int_equal(vigil_evidence_anchor_read(f->dir, &a, &err), VIGIL_OK);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(vigil_evidence_seal(f->s, key, &sealed, &err),
                     VIGIL_EPERM);
    vigil_evidence_key_free(key);
}

/* FIND14 8 and 9: a lost key is not replaced by a new one while a key's
 * traces are there; evidence.pub follows the key loaded; temporary files
 * of killed writers are removed. */
static void
test_key_loss(void **state)
{
    struct fx *f = *state;
    struct vigil_evidence_key *key = NULL;
    struct vigil_err err = {0};
    char path[128], keep[128], pubhex[65], got[80] = "";
    FILE *fp;

    assert_int_equal(vigil_evidence_key_load(&key, f->dir, &err), VIGIL_OK);
    vigil_evidence_key_pub(key, pubhex);
    vigil_evidence_key_free(key);
    key = NULL;
    in_dir(f, "evidence.key", path, sizeof(path));
    in_dir(f, "evidence.key.saved", keep, sizeof(keep));
    assert_int_equal(rename(path, keep), 0);
    assert_int_equal(vigil_evidence_key_load(&key, f->dir, &err), VIGIL_EPERM);
    assert_null(key);
    assert_non_null(strstr(err.msg, "restore"));
    assert_int_equal(access(path, F_OK), -1);
    /* the key put back, evidence.pub replaced meanwhile: rewritten */
    assert_int_equal(rename(keep, path), 0);
    in_dir(f, "evidence.pub", keep, sizeof(keep));
    assert_non_null(fp = fopen(keep, "w"));
    fprintf(fp, "%064d\n", 0);
    fclose(fp);
    in_dir(f, "evidence.head.tmp.AbCdEf", keep, sizeof(keep));
    assert_non_null(fp = fopen(keep, "w"));
    fclose(fp);
    assert_int_equal(vigil_evidence_key_load(&key, f->dir, &err), VIGIL_OK);
    assert_int_equal(access(keep, F_OK), -1);
    in_dir(f, "evidence.pub", keep, sizeof(keep));
    assert_non_null(fp = fopen(keep, "r"));
    assert_non_null(fgets(got, sizeof(got), fp));
    fclose(fp);
    assert_int_equal(strncmp(got, pubhex, 64), 0);
    vigil_evidence_key_free(key);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_grouping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_by, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flood, setup, teardown),
        cmocka_unit_test_setup_teardown(test_evidence_of_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_heal_of_a_wiped_log, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_key_loss, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
