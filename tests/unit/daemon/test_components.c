/* test_components.c -- the daemon's component table is well formed: every
 * component can be built and freed, and no two components (nor the
 * daemon itself) claim the same top-level configuration key, which would
 * make one of them silently deaf to its section. */
#include "vigil_test.h"

#include "daemon/daemon_int.h"

static void
test_table(void **state)
{
    (void)state;
    assert_true(daemon_ncomponents > 0);
    assert_true(daemon_ncomponents <= DAEMON_MAX_COMPONENTS);
    for (size_t i = 0; i < daemon_ncomponents; i++) {
        const struct vigil_component *c = daemon_components[i];
        assert_non_null(c->name);
        assert_non_null(c->what);
        assert_non_null(c->new);
        assert_non_null(c->free);
        assert_true((c->conf == NULL) == (c->conf_size == 0));
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(c->name, daemon_components[j]->name);
    }
}

static void
test_keys_claimed_once(void **state)
{
    static const char *const daemon_keys[] = {"state_dir", "stats_interval"};
    const char *seen[256];
    size_t n = 0;

    (void)state;
    for (size_t k = 0; k < 2; k++)
        seen[n++] = daemon_keys[k];
    for (size_t i = 0; i < daemon_ncomponents; i++) {
        const struct vigil_conf_table *t = daemon_components[i]->conf;
        for (size_t k = 0; t && k < t->n; k++) {
            for (size_t j = 0; j < n; j++)
                assert_string_not_equal(t->keys[k].name, seen[j]);
            assert_true(n < 256);
            seen[n++] = t->keys[k].name;
        }
    }
}

/* Every key of the documented full configuration is claimed by someone:
 * the loader refuses unknown keys, so a load that succeeds proves it. */
static void
test_all_sections_load(void **state)
{
    static const char text[] = "state_dir: /tmp/x\nstats_interval: 1m\n"
                               "store: {archive_events: true}\n"
                               "ingest: {batch_lines: 10}\n"
                               "sources: [{name: in, type: stdin}]\n"
                               "rules: [/tmp]\nbuiltin_rules: false\n"
                               "placeholders: {p: [a]}\n";
    struct vigil_daemon_config *cfg = NULL;
    struct vigil_err err = {0};

    (void)state;
    assert_int_equal(vigil_daemon_config_load_mem(&cfg, "all.yml", text,
                                                  sizeof(text) - 1, &err),
                     VIGIL_OK);
    for (size_t i = 0; i < daemon_ncomponents; i++)
        if (daemon_components[i]->conf_size)
            assert_non_null(
                vigil_daemon_config_section(cfg, daemon_components[i]->name));
    vigil_daemon_config_free(cfg);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_keys_claimed_once),
        cmocka_unit_test(test_all_sections_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
