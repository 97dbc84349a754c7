/* test_config_rules.c -- the detection keys of the daemon configuration:
 * `rules` (Sigma rule files or folders), `builtin_rules` and
 * `placeholders` (|expand values), their defaults and "file:line:
 * message" refusals. */
#include "vigil_test.h"

#include "core/core.h"

#include "config_test.h"

static void
test_defaults(void **state)
{
    struct sections cfg;
    struct vigil_err err = {0};

    (void)state;
    assert_int_equal(load("state_dir: /tmp/x\n", &cfg, &err), VIGIL_OK);
    assert_int_equal(cfg.dt->builtin_rules, 1);
    assert_int_equal(cfg.dt->nrule_dirs, 0);
    unload(&cfg);
    assert_int_equal(load_builtin(&cfg, &err), VIGIL_OK);
    assert_int_equal(cfg.dt->builtin_rules, 1);
    unload(&cfg);
}

static void
test_keys(void **state)
{
    struct sections cfg;
    struct vigil_err err = {0};

    (void)state;
    assert_int_equal(
        load("rules: [/etc/vigil/rules, \"/opt/sigma/rules/linux\"]\n"
             "builtin_rules: false\n",
             &cfg, &err),
        VIGIL_OK);
    assert_int_equal(cfg.dt->builtin_rules, 0);
    assert_int_equal(cfg.dt->nrule_dirs, 2);
    assert_string_equal(cfg.dt->rule_dirs[0], "/etc/vigil/rules");
    assert_string_equal(cfg.dt->rule_dirs[1], "/opt/sigma/rules/linux");
    unload(&cfg);
}

static void
test_placeholders(void **state)
{
    struct sections cfg;
    struct vigil_err err = {0};

    (void)state;
    assert_int_equal(load("placeholders:\n"
                          "  dc_machine_accounts: ['DC01$', 'DC02$']\n"
                          "  Admins_Workstations: ADMIN-PC1\n",
                          &cfg, &err),
                     VIGIL_OK);
    assert_int_equal(cfg.dt->nplaceholders, 2);
    assert_string_equal(cfg.dt->placeholders[0].name, "dc_machine_accounts");
    assert_int_equal(cfg.dt->placeholders[0].nvalues, 2);
    assert_string_equal(cfg.dt->placeholders[0].values[1], "DC02$");
    assert_string_equal(cfg.dt->placeholders[1].name, "Admins_Workstations");
    assert_int_equal(cfg.dt->placeholders[1].nvalues, 1);
    assert_string_equal(cfg.dt->placeholders[1].values[0], "ADMIN-PC1");
    unload(&cfg);
}

static void
test_refusals(void **state)
{
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"rules: /etc/vigil/rules\n",
         "vigil.yml:1: 'rules' must be a list of rule files or folders"},
        {"rules:\n  - /a\n  - \"\"\n",
         "vigil.yml:3: each rules entry must be a non-empty path"},
        {"builtin_rules: maybe\n",
         "vigil.yml:1: 'builtin_rules' must be true or false, not 'maybe'"},
        {"placeholders: [a]\n",
         "vigil.yml:1: 'placeholders' must be a mapping of names to values"},
        {"placeholders:\n  '%dc%': x\n",
         "vigil.yml:2: placeholder names are written without % signs and "
         "are 1 to 127 characters long"},
        {"placeholders:\n  dc: {a: 1}\n",
         "vigil.yml:2: placeholder 'dc' must be a value or a list of values"},
        {"placeholders:\n  dc: []\n",
         "vigil.yml:2: placeholder 'dc' has no values"},
        {"placeholders:\n  dc: ''\n",
         "vigil.yml:2: placeholder 'dc' has no values"},
        {"placeholders:\n  dc: [a, [b]]\n",
         "vigil.yml:2: each value of placeholder 'dc' must be a non-empty "
         "plain value"},
        {"placeholders:\n  dc: a\n  dc: b\n",
         "vigil.yml:3: duplicate key 'dc'"},
    };
    struct sections cfg;
    struct vigil_err err;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(load(cases[i].text, &cfg, &err), VIGIL_EPARSE);
        assert_string_equal(err.msg, cases[i].msg);
        unload(&cfg);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_placeholders),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
