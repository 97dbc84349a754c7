/* test_sigma_store.c -- the detection-to-store adapters: matches become
 * alerts in a store batch (vigil_detect_to_store) and the ingest hook
 * (struct vigil_detector) does the same from the pipeline's side. */
#include <unistd.h>

#include "vigil_test.h"

#include "detect/detect.h"
#include "ingest/ingest.h"
#include "store/store.h"

static const char rules[] =
    "title: Whoami\nid: w-1\nlevel: high\ntags:\n  - attack.discovery\n"
    "logsource:\n  product: windows\n  category: process_creation\n"
    "detection:\n  sel:\n    Image|endswith: '\\whoami.exe'\n"
    "  condition: sel\n";

struct seen {
    int n;
    char rule[64], level[32], tags[128], matched[256];
};

static int
on_alert(const struct vigil_alert *a, void *arg)
{
    struct seen *s = arg;
    s->n++;
    snprintf(s->rule, sizeof(s->rule), "%s", a->rule_id);
    snprintf(s->level, sizeof(s->level), "%s", a->level);
    snprintf(s->tags, sizeof(s->tags), "%s", a->tags_json ? a->tags_json : "");
    snprintf(s->matched, sizeof(s->matched), "%s",
             a->matched_json ? a->matched_json : "");
    return 0;
}

static void
test_to_store_and_hook(void **state)
{
    struct vigil_detect *d = NULL;
    struct vigil_detect_ctx *c = NULL;
    struct vigil_store *st = NULL;
    struct vigil_store_opts so;
    struct vigil_err err = {0};
    struct vigil_arena a;
    static struct vigil_event ev;
    char path[] = "/tmp/vigil-sigma-store-XXXXXX";
    char db[64];
    size_t n = 0;
    (void)state;

    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    snprintf(db, sizeof(db), "%s", path);
    memset(&so, 0, sizeof(so));
    assert_int_equal(vigil_store_open(&st, db, &so, &err), VIGIL_OK);
    assert_int_equal(vigil_detect_new(&d, NULL, &err), VIGIL_OK);
    assert_int_equal(
        vigil_detect_add_mem(d, "w.yml", rules, strlen(rules), &err), VIGIL_OK);
    assert_int_equal(vigil_detect_compile(d, &err), VIGIL_OK);
    assert_int_equal(vigil_detect_ctx_new(&c, d, &err), VIGIL_OK);

    vigil_arena_init(&a, 4096, 1 << 20);
    vigil_event_init(&ev, &a);
    ev.time_ns = 1700000000LL * VIGIL_NS_PER_SEC;
    vigil_event_add_strz(&ev, "Channel",
                         "Microsoft-Windows-Sysmon/Operational");
    vigil_event_add_strz(&ev, "EventID", "1");
    vigil_event_add_strz(&ev, "Image", "C:\\Windows\\System32\\whoami.exe");

    struct vigil_store_batch *b = vigil_store_batch_new();
    assert_non_null(b);
    assert_int_equal(vigil_detect_to_store(c, &ev, b, "test", &n, &err),
                     VIGIL_OK);
    assert_int_equal(n, 1);
    assert_int_equal(vigil_store_batch_alerts(b), 1);

    /* the pipeline hook adds the same alert to the same batch */
    struct vigil_detect_hook *h = NULL;
    struct vigil_detector det;
    assert_int_equal(vigil_detect_hook_new(&h, d, 4, &err), VIGIL_OK);
    vigil_detect_hook_fill(h, &det);
    assert_int_equal(det.on_event(det.ctx, &ev, "test", b), VIGIL_OK);
    assert_int_equal(vigil_store_batch_alerts(b), 2);
    assert_int_equal(vigil_store_commit(st, b, &err), VIGIL_OK);

    struct seen s;
    memset(&s, 0, sizeof(s));
    assert_int_equal(vigil_store_alerts_each(st, 10, on_alert, &s, &err),
                     VIGIL_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.rule, "w-1");
    assert_string_equal(s.level, "high");
    assert_string_equal(s.tags, "[\"attack.discovery\"]");
    assert_string_equal(
        s.matched, "{\"Image\":\"C:\\\\Windows\\\\System32\\\\whoami.exe\"}");

    vigil_detect_hook_free(h);
    vigil_arena_fini(&a);
    vigil_detect_ctx_free(c);
    vigil_detect_free(d);
    vigil_store_close(st);
    unlink(db);
    snprintf(db, sizeof(db), "%s-wal", path);
    unlink(db);
    snprintf(db, sizeof(db), "%s-shm", path);
    unlink(db);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_to_store_and_hook),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
