/* test_config.c -- the daemon configuration: every key, defaults, and
 * "file:line: message" refusals of unknown keys and bad values. */
#include "vigil_test.h"

#include <unistd.h>

#include "core/core.h"

#include "config_test.h"

static void
test_full(void **state)
{
    struct sections cfg;
    struct vigil_err err = {0};
    const char *text =
        "state_dir: /srv/vigil\n"
        "stats_interval: 1m\n"
        "store:\n"
        "  archive_events: true\n"
        "  archive_max_age: 30d\n"
        "  archive_max_size: 10GiB\n"
        "ingest:\n"
        "  batch_lines: 500\n"
        "  batch_time: 100ms\n"
        "  poll_interval: 50ms\n"
        "  rescan_interval: 5s\n"
        "sources:\n"
        "  - name: auth\n"
        "    type: file\n"
        "    paths: [/var/log/auth.log, \"/var/log/app/*.log\"]\n"
        "    format: syslog\n"
        "    year: 2023\n"
        "  - name: net\n"
        "    type: syslog\n"
        "    listen: 127.0.0.1:5514\n"
        "    protocol: tcp\n"
        "    max_message: 8KiB\n"
        "  - name: in\n"
        "    type: stdin\n"
        "    format: auto\n";

    (void)state;
    assert_int_equal(load(text, &cfg, &err), VIGIL_OK);
    assert_string_equal(vigil_daemon_config_state_dir(cfg.cfg), "/srv/vigil");
    assert_int_equal(vigil_daemon_config_stats_interval(cfg.cfg), 60);
    assert_int_equal(cfg.st->archive_events, 1);
    assert_int_equal(cfg.st->archive_max_age_s, 30 * 86400);
    assert_int_equal(cfg.st->archive_max_bytes, 10LL * 1024 * 1024 * 1024);
    assert_int_equal(cfg.in->batch_lines, 500);
    assert_int_equal(cfg.in->batch_ms, 100);
    assert_int_equal(cfg.in->poll_ms, 50);
    assert_int_equal(cfg.in->rescan_s, 5);
    assert_int_equal(cfg.in->nsources, 3);
    assert_string_equal(cfg.in->sources[0].name, "auth");
    assert_int_equal(cfg.in->sources[0].type, VIGIL_SOURCE_FILE);
    assert_int_equal(cfg.in->sources[0].npaths, 2);
    assert_string_equal(cfg.in->sources[0].paths[1], "/var/log/app/*.log");
    assert_string_equal(cfg.in->sources[0].format, "syslog");
    assert_int_equal(cfg.in->sources[0].year, 2023);
    assert_int_equal(cfg.in->sources[1].type, VIGIL_SOURCE_SYSLOG);
    assert_string_equal(cfg.in->sources[1].listen, "127.0.0.1:5514");
    assert_int_equal(cfg.in->sources[1].protocol, VIGIL_PROTO_TCP);
    assert_int_equal(cfg.in->sources[1].max_message, 8192);
    assert_int_equal(cfg.in->sources[2].type, VIGIL_SOURCE_STDIN);
    assert_string_equal(cfg.in->sources[2].format, "");
    unload(&cfg);
}

static void
test_defaults(void **state)
{
    struct sections cfg;
    struct vigil_err err = {0};

    (void)state;
    assert_int_equal(load("sources:\n  - {name: s, type: syslog, listen: "
                          "\":514\"}\n",
                          &cfg, &err),
                     VIGIL_OK);
    assert_int_equal(cfg.st->archive_events, 0);
    assert_int_equal(cfg.st->archive_max_age_s, 0);
    assert_int_equal(vigil_daemon_config_stats_interval(cfg.cfg), 300);
    assert_int_equal(cfg.in->batch_lines, 1000);
    assert_int_equal(cfg.in->batch_ms, 200);
    assert_int_equal(cfg.in->sources[0].protocol, VIGIL_PROTO_UDP);
    assert_int_equal(cfg.in->sources[0].max_message, 65536);
    assert_int_equal(cfg.in->sources[0].rotate_wait_ms, 5000);
    unload(&cfg);

    /* The built-in configuration follows the system logs that exist. */
    assert_int_equal(load_builtin(&cfg, &err), VIGIL_OK);
    assert_string_equal(vigil_daemon_config_path(cfg.cfg), "");
    for (size_t i = 0; i < cfg.in->nsources; i++)
        if (cfg.in->sources[i].type == VIGIL_SOURCE_FILE)
            for (size_t j = 0; j < cfg.in->sources[i].npaths; j++)
                assert_int_equal(access(cfg.in->sources[i].paths[j], F_OK), 0);
    unload(&cfg);
}

struct bad {
    const char *text;
    const char *msg;
};

static void
test_refusals(void **state)
{
    static const struct bad cases[] = {
        {"state_dir: /x\nfoo: 1\n",
         "vigil.yml:2: unknown key 'foo' (known: state_dir, stats_interval, "
         "user, strict_modes, store, incident, rules, builtin_rules, "
         "placeholders, correlation, response, fim, net, ingest, sources, "
         ")"}, /* the list is cut at 150 characters */
        {"store:\n  archive_events: maybe\n",
         "vigil.yml:2: 'store.archive_events' must be true or false, not "
         "'maybe'"},
        {"store:\n  archive_max_age: 30 days\n",
         "vigil.yml:2: 'store.archive_max_age' must be a duration like 30d, "
         "12h, 15m, 45s or 250ms, not '30 days'"},
        {"store:\n\n  archive_max_size: 10 gigs\n",
         "vigil.yml:3: 'store.archive_max_size' must be a size like 10GiB, "
         "500MB or 1048576, not '10 gigs'"},
        {"store:\n  archive: yes\n", "vigil.yml:2: unknown key 'store.archive' "
                                     "(known: backend, archive_events, "
                                     "archive_max_age, archive_max_size)"},
        {"sources:\n  - name: a\n    type: pipe\n",
         "vigil.yml:3: unknown source type 'pipe' (known: file, syslog, "
         "journald, stdin)"},
        {"sources:\n  - name: a\n    type: file\n",
         "vigil.yml:2: file source 'a' needs at least one entry in 'paths'"},
        {"sources:\n  - name: a\n    type: syslog\n    listen: 1.2.3.4:5\n"
         "    protocol: sctp\n",
         "vigil.yml:5: 'protocol' must be udp, tcp or tls, not 'sctp'"},
        {"sources:\n  - name: a\n    type: file\n    paths: [/x]\n"
         "    format: xml\n",
         "vigil.yml:5: unknown format 'xml' (known: auto, syslog, auth, "
         "auditd, access, json, cef, raw)"},
        {"sources:\n  - name: a\n    type: file\n    paths: [/x]\n"
         "    pahts: [/y]\n",
         "vigil.yml:5: unknown key 'pahts' (known: name, type, paths, listen, "
         "protocol, max_message, format, allow, max_connections, "
         "max_per_address, idle_timeout, tls, year, rotate_wait, timezone)"},
        {"sources:\n  - name: a\n    type: syslog\n    listen: :5\n"
         "    rotate_wait: 1s\n",
         "vigil.yml:5: 'rotate_wait' is only for file sources"},
        {"sources:\n  - {name: a, type: stdin}\n  - {name: a, type: stdin}\n",
         "vigil.yml:3: source name 'a' is used twice"},
        {"sources:\n  - name: a\n    type: file\n    paths: [/x]\n"
         "    year: 12\n",
         "vigil.yml:5: 'year' must be between 1970 and 9999"},
        {"ingest:\n  batch_lines: lots\n",
         "vigil.yml:2: 'ingest.batch_lines' must be an integer, not 'lots'"},
        {"stats_interval: 5\nstats_interval: 6\n",
         "vigil.yml:2: duplicate key 'stats_interval'"},
        {"sources: [a\n", NULL}, /* YAML syntax error: message from libyaml */
        {"- just\n- a list\n",
         "vigil.yml:1: the configuration must be a mapping of keys to values"},
    };
    struct sections cfg;
    struct vigil_err err;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(load(cases[i].text, &cfg, &err), VIGIL_EPARSE);
        if (cases[i].msg)
            assert_string_equal(err.msg, cases[i].msg);
        else
            assert_true(strncmp(err.msg, "vigil.yml:", 10) == 0);
        unload(&cfg);
    }
}

static void
test_units(void **state)
{
    int64_t v;

    (void)state;
    assert_true(vigil_parse_duration_ms("250ms", &v) && v == 250);
    assert_true(vigil_parse_duration_ms("12h", &v) && v == 12 * 3600000LL);
    assert_true(vigil_parse_duration_ms("45", &v) && v == 45000);
    assert_false(vigil_parse_duration_ms("h", &v));
    assert_false(vigil_parse_duration_ms("-5s", &v));
    assert_true(vigil_parse_size("500MB", &v) && v == 500000000);
    assert_true(vigil_parse_size("64KiB", &v) && v == 65536);
    assert_false(vigil_parse_size("99999999999999TiB", &v));
}

static void
test_file_errors(void **state)
{
    struct sections cfg;
    struct vigil_err err = {0};

    (void)state;
    assert_int_equal(
        vigil_daemon_config_load(&cfg.cfg, "/nonexistent/vigil.yml", &err),
        VIGIL_EIO);
    assert_true(strncmp(err.msg, "/nonexistent/vigil.yml: ", 24) == 0);
    unload(&cfg);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full),        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_refusals),    cmocka_unit_test(test_units),
        cmocka_unit_test(test_file_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
