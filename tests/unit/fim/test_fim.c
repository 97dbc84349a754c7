/* Tests for src/fim's pieces that need no daemon: the key order that lets
 * check merge the walk with the table, the entropy measure and its
 * encrypted-looking bar, ransom names, the score table (weights, decay,
 * one detection per burst, canaries), what a stop takes (the actor, its
 * script, its own group and children; never the daemon, whoever started
 * it, a login shell or an allow-listed executable), the configuration
 * section and a baseline/check round trip through a real store. */
#include "vigil_test.h"

#include <ftw.h>
#include <unistd.h>

#include "fim/fim_ransom.h"
#include "fim/fim_stop.h"

static void
test_key_order(void **state)
{
    (void)state;
    /* a folder, its contents, then the sibling that sorts after it by
     * name: the order of a depth-first walk with sorted siblings */
    assert_true(fim_keycmp("a", 1, "a/x", 3) < 0);
    assert_true(fim_keycmp("a/x", 3, "a.b", 3) < 0);
    assert_true(fim_keycmp("a/zzz", 5, "a.b", 3) < 0);
    assert_true(fim_keycmp("a.b", 3, "a", 1) > 0);
    assert_int_equal(fim_keycmp("a/b", 3, "a/b", 3), 0);
    /* bytes above 0x7f compare unsigned */
    assert_true(fim_keycmp("a/\xff", 3, "a/b", 3) > 0);
}

static void
test_entropy(void **state)
{
    unsigned char buf[4096];
    unsigned x = 12345;

    (void)state;
    memset(buf, 'a', sizeof(buf));
    assert_true(vigil_fim_entropy(buf, sizeof(buf)) < 0.001);
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char)("abcdefghijklmnopqrstuvwxyz ,.\n"[i % 30]);
    assert_false(
        fim_looks_encrypted(vigil_fim_entropy(buf, sizeof(buf)), sizeof(buf)));
    for (size_t i = 0; i < sizeof(buf); i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (unsigned char)(x >> 16);
    }
    double e = vigil_fim_entropy(buf, sizeof(buf));
    assert_true(e > 7.9 && e <= 8.0);
    assert_true(fim_looks_encrypted(e, sizeof(buf)));
    /* too short to tell */
    assert_false(fim_looks_encrypted(8.0, 100));
}

static void
test_names(void **state)
{
    (void)state;
    assert_true(fim_ransom_ext("report.docx.lockbit"));
    assert_true(fim_ransom_ext("a.LOCKED"));
    assert_false(fim_ransom_ext("report.docx"));
    assert_false(fim_ransom_ext(".lockbit")); /* a hidden file */
    /* everyday extensions some families also use: git's, yarn's locks */
    assert_false(fim_ransom_ext("index.lock"));
    assert_false(fim_ransom_ext("yarn.lock"));
    assert_false(fim_ransom_ext("song.play"));
    assert_true(fim_ransom_note("README_LOCKBIT.txt"));
    assert_true(fim_ransom_note("HOW_TO_RECOVER_FILES.html"));
    assert_false(fim_ransom_note("README.md"));
    /* a compressed format with its own header is not suspicious; the
     * same name with an encrypted header is */
    assert_true(fim_magic_ok("a.docx", (const unsigned char *)"PK\3\4xx", 6));
    assert_false(fim_magic_ok("a.docx",
                              (const unsigned char *)"\x93\x11"
                                                     "ab",
                              4));
    assert_true(fim_magic_ok("v.mp4",
                             (const unsigned char *)"\0\0\0\x18"
                                                    "ftypmp42",
                             12));
    assert_false(fim_magic_ok("notes.txt", (const unsigned char *)"PK\3\4", 4));
}

static void
test_scores(void **state)
{
    static struct fim_scores t;
    struct vigil_fim_config cfg = {.threshold = 100, .window_ms = 30000};
    int64_t now = 1000 * VIGIL_NS_PER_SEC;
    struct fim_score *s;
    int fired = 0, at = 0;

    (void)state;
    memset(&t, 0, sizeof(t));
    s = fim_score_get(&t, 42, now);
    assert_ptr_equal(s, fim_score_get(&t, 42, now));
    /* in-place encryption: the ninth file crosses 100 */
    for (int i = 1; i <= 20 && !fired; i++) {
        fired = fim_score_add(s, FIM_SIG_ENTROPY, "f", now + i * 1000000, &cfg);
        at = i;
    }
    assert_true(fired);
    assert_int_equal(at, 9);
    /* the burst goes on: no second detection */
    assert_false(fim_score_add(s, FIM_SIG_ENTROPY, "g", now + 50000000, &cfg));
    /* the same signals spread over an hour decay away on the fast path
     * (the long window's alert is test_fim_score.c's) */
    s = fim_score_get(&t, 7, now);
    fired = 0;
    for (int i = 1; i <= 50; i++)
        fired |= fim_score_add(s, FIM_SIG_ENTROPY, "f",
                               now + (int64_t)i * 60 * VIGIL_NS_PER_SEC,
                               &cfg) == FIM_DETECT_FAST;
    assert_false(fired);
    /* new files with random-looking content (copies of archives of an
     * unknown kind) weigh a third of a rewrite */
    s = fim_score_get(&t, 6, now);
    fired = 0;
    for (int i = 1; i <= 20; i++)
        fired |= fim_score_add(s, FIM_SIG_ENTROPY_NEW, "n", now + i, &cfg);
    assert_false(fired);
    /* a canary alone is enough */
    s = fim_score_get(&t, 8, now);
    assert_true(fim_score_add(s, FIM_SIG_CANARY, "c", now, &cfg));
    /* a deletion counts only after encrypted-looking writes */
    s = fim_score_get(&t, 9, now);
    fim_score_add(s, FIM_SIG_DELETE, "d", now, &cfg);
    assert_int_equal(s->deletes, 0);
    fim_score_add(s, FIM_SIG_ENTROPY, "e", now, &cfg);
    fim_score_add(s, FIM_SIG_DELETE, "d", now, &cfg);
    assert_int_equal(s->deletes, 1);
}

static int
allow_77(int64_t pid, void *arg)
{
    (void)arg;
    return pid == 77;
}

static int
planned(const int64_t *v, size_t n, int64_t pid)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == pid)
            return 1;
    return 0;
}

static void
test_stop_plan(void **state)
{
    /* pid, ppid, pgid, sid, tty */
    static const struct fim_pnode ps[] = {
        {1, 0, 1, 1, 0, 0},     {2, 0, 0, 0, 0, 0}, /* kthreadd */
        {9, 2, 0, 0, 0, 0},                         /* a kernel thread */
        {10, 1, 10, 10, 1, 0},  /* a login shell with a terminal */
        {20, 10, 20, 10, 1, 0}, /* the test, its own group (job control) */
        {21, 20, 20, 10, 1, 0}, /* the daemon, started by the test */
        {22, 21, 20, 10, 1, 0}, /* a helper the daemon started */
        {30, 20, 20, 10, 1, 0}, /* ransomware in the test's group */
        {31, 30, 20, 10, 1, 0}, /* its loop subshell */
        {32, 31, 20, 10, 1, 0}, /* openssl: the writer */
        {33, 31, 20, 10, 1, 0}, /* find, feeding the loop */
        {40, 20, 20, 10, 1, 0}, /* an innocent sibling in the same group */
        {50, 20, 50, 50, 0, 0}, /* ransomware in its own session (setsid) */
        {51, 50, 50, 50, 0, 0}, /* its writer */
        {52, 50, 50, 50, 0, 0}, /* another worker of its group */
        {53, 52, 53, 50, 0, 0}, /* a grandchild in a group of its own */
        {77, 50, 50, 50, 0, 0}, /* allow-listed, in that group */
        {78, 77, 50, 50, 0, 0}, /* the allow-listed one's child */
        {60, 10, 60, 10, 1, 0}, /* a job of the login shell, own group */
    };
    size_t n = sizeof(ps) / sizeof(ps[0]);
    int64_t out[32];
    const char *why;
    size_t k;

    (void)state;
    /* without a group of its own: the writer, its loop and the script,
     * with their children, but not the test that started them, its other
     * children, or the daemon */
    k = fim_stop_plan(ps, n, 32, 21, allow_77, NULL, out, 32, &why);
    assert_int_equal(k, 4);
    assert_true(planned(out, k, 30) && planned(out, k, 31) &&
                planned(out, k, 32) && planned(out, k, 33));
    assert_null(why);
    /* its own session and group: the whole group and the descendants,
     * except the allow-listed process and what it started */
    k = fim_stop_plan(ps, n, 51, 21, allow_77, NULL, out, 32, &why);
    assert_int_equal(k, 4);
    assert_true(planned(out, k, 50) && planned(out, k, 51) &&
                planned(out, k, 52) && planned(out, k, 53));
    assert_false(planned(out, k, 77) || planned(out, k, 78));
    /* a job of a login shell: the job, never the shell */
    k = fim_stop_plan(ps, n, 60, 21, allow_77, NULL, out, 32, &why);
    assert_int_equal(k, 1);
    assert_int_equal(out[0], 60);
    /* refused: the daemon, its helper, whoever started it, a login shell,
     * pid 1, a kernel thread, an allow-listed executable, a pid gone */
    static const int64_t refused[] = {21, 22, 20, 10, 1, 9, 77, 99};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        k = fim_stop_plan(ps, n, refused[i], 21, allow_77, NULL, out, 32, &why);
        assert_int_equal(k, 0);
        assert_non_null(why);
    }
    /* the daemon's parent is refused even when it is not a group leader */
    k = fim_stop_plan(ps, n, 30, 31, NULL, NULL, out, 32, &why);
    assert_int_equal(k, 0);
    /* bounded */
    k = fim_stop_plan(ps, n, 51, 21, NULL, NULL, out, 2, &why);
    assert_int_equal(k, 2);
}

static void
test_config(void **state)
{
    static const char yml[] = "fim:\n"
                              "  watch:\n"
                              "    - path: /srv/shared\n"
                              "      exclude: [\"*.tmp\", \"~$*\"]\n"
                              "  ransomware:\n"
                              "    action: stop\n"
                              "    allow: [/usr/bin/rsync]\n"
                              "  stores:\n"
                              "    - name: records\n"
                              "      path: /srv/records\n"
                              "      alert_drop: 10%\n"
                              "      within: 1h\n"
                              "    - name: cases\n"
                              "      postgres: dbname=cases\n"
                              "      query: SELECT count(*) FROM cases\n"
                              "      alert_drop: 0.25\n";
    struct vigil_conf *c = NULL;
    struct vigil_err err = {0};
    static struct vigil_fim_config cfg;
    struct vigil_conf_binding b = {&vigil_fim_conf, &cfg};

    (void)state;
    memset(&cfg, 0, sizeof(cfg));
    vigil_conf_defaults(&vigil_fim_conf, &cfg);
    assert_int_equal(vigil_conf_parse(&c, "t.yml", yml, sizeof(yml) - 1, &err),
                     VIGIL_OK);
    assert_int_equal(vigil_conf_apply(c, vigil_conf_root(c), &b, 1, &err),
                     VIGIL_OK);
    assert_int_equal(cfg.nwatch, 1);
    assert_string_equal(cfg.watch[0].path, "/srv/shared");
    assert_int_equal(cfg.watch[0].nexclude, 2);
    assert_string_equal(cfg.watch[0].exclude[1], "~$*");
    assert_true(cfg.action_stop);
    assert_true(cfg.canaries);
    assert_int_equal(cfg.nallow, 1);
    assert_int_equal(cfg.nstores, 2);
    assert_int_equal(cfg.stores[0].kind, VIGIL_FIM_STORE_FOLDER);
    assert_int_equal(cfg.stores[0].drop_permille, 100);
    assert_int_equal(cfg.stores[0].within_s, 3600);
    assert_int_equal(cfg.stores[1].kind, VIGIL_FIM_STORE_POSTGRES);
    assert_int_equal(cfg.stores[1].drop_permille, 250);
    vigil_fim_config_fini(&cfg);
    vigil_conf_free(c);

    /* refused with the line */
    static const char bad[] = "fim:\n  ransomware:\n    action: kill\n";
    memset(&cfg, 0, sizeof(cfg));
    vigil_err_clear(&err);
    assert_int_equal(vigil_conf_parse(&c, "t.yml", bad, sizeof(bad) - 1, &err),
                     VIGIL_OK);
    assert_int_equal(vigil_conf_apply(c, vigil_conf_root(c), &b, 1, &err),
                     VIGIL_EPARSE);
    assert_non_null(strstr(err.msg, "t.yml:3"));
    vigil_fim_config_fini(&cfg);
    vigil_conf_free(c);
}

struct seen {
    int n;
    char kinds[16][64];
};

static enum vigil_rc
collect(const struct vigil_fim_diff *d, void *arg)
{
    struct seen *s = arg;
    const char *name = strrchr(d->path, '/');

    if (s->n < 16)
        snprintf(s->kinds[s->n++], 64, "%s %s", vigil_fim_kind_name(d->kind),
                 name ? name + 1 : d->path);
    return VIGIL_OK;
}

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void
test_round_trip(void **state)
{
    char dir[] = "/tmp/vigil-fimunit-XXXXXX", tree[256], db[256], p[300];
    static const struct vigil_store_schema *const schemas[] = {
        &vigil_fim_schema};
    struct vigil_store_opts so = {.schemas = schemas, .nschemas = 1};
    struct vigil_store *s = NULL;
    struct vigil_err err = {0};
    struct vigil_fim_stats st;
    struct seen seen = {0};

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(tree, sizeof(tree), "%s/t", dir);
    snprintf(db, sizeof(db), "%s/vigil.db", dir);
    assert_int_equal(mkdir(tree, 0755), 0);
    /* enough files for several chunks, transactions and ring turns */
    for (int i = 0; i < 2500; i++) {
        snprintf(p, sizeof(p), "%s/f%05d", tree, i);
        write_file(p, "x");
    }
    snprintf(p, sizeof(p), "%s/a.b", tree);
    write_file(p, "dot");
    snprintf(p, sizeof(p), "%s/a", tree);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof(p), "%s/a/zzz", tree);
    write_file(p, "inside");
    assert_int_equal(vigil_store_open(&s, db, &so, &err), VIGIL_OK);

    const char *roots[] = {tree};
    struct vigil_fim_scan_opts o = {.roots = roots, .nroots = 1, .threads = 2};
    assert_int_equal(vigil_fim_baseline(s, &o, &st, &err), VIGIL_OK);
    assert_int_equal(st.files, 2504);
    assert_int_equal(st.hashed, 2502);
    struct vigil_fim_scan_opts co = {.threads = 2};
    assert_int_equal(vigil_fim_check(s, &co, collect, &seen, &st, &err),
                     VIGIL_OK);
    assert_int_equal(seen.n, 0);

    snprintf(p, sizeof(p), "%s/a/zzz", tree);
    write_file(p, "changed");
    snprintf(p, sizeof(p), "%s/f02499", tree);
    assert_int_equal(unlink(p), 0);
    snprintf(p, sizeof(p), "%s/a.c", tree);
    write_file(p, "new");
    assert_int_equal(vigil_fim_check(s, &co, collect, &seen, &st, &err),
                     VIGIL_OK);
    assert_int_equal(seen.n, 3);
    assert_string_equal(seen.kinds[0], "modified zzz");
    assert_string_equal(seen.kinds[1], "added a.c");
    assert_string_equal(seen.kinds[2], "removed f02499");
    vigil_store_close(s);

    assert_int_equal(nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_order), cmocka_unit_test(test_entropy),
        cmocka_unit_test(test_names),     cmocka_unit_test(test_scores),
        cmocka_unit_test(test_config),    cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_stop_plan),
    };
    return vigil_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
