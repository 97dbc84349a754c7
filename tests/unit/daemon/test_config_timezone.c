/* test_config_timezone.c -- a source's `timezone:` (issue 10: RFC 3164
 * stamps were all taken as UTC): the zone is read when the configuration
 * loads, a name that is no zone is refused with its line, and the zone
 * reaches the decoder through the source's parse options. */
#include "vigil_test.h"

#include <stdio.h>

#include "core/core.h"
#include "parse/parse.h"

#include "config_test.h"

static void
test_timezone(void **state)
{
    struct sections cfg;
    struct vigil_err err;
    struct vigil_arena a;
    struct vigil_event ev;
    FILE *f = fopen("/usr/share/zoneinfo/Europe/Berlin", "rb");
    static const char line[] =
        "Jul 10 12:00:00 host sshd[1]: Connection closed";

    (void)state;
    if (f == NULL)
        skip();
    fclose(f);
    assert_int_equal(load("sources:\n  - name: a\n    type: file\n"
                          "    paths: [/x]\n    year: 2024\n"
                          "    timezone: Europe/Berlin\n"
                          "  - name: b\n    type: file\n    paths: [/y]\n",
                          &cfg, &err),
                     VIGIL_OK);
    assert_int_equal(cfg.in->nsources, 2);
    assert_non_null(cfg.in->sources[0].tz);
    assert_string_equal(cfg.in->sources[0].timezone, "Europe/Berlin");
    assert_null(cfg.in->sources[1].tz);
    /* what the pipeline hands the decoder */
    struct vigil_parse_opts o = {(int)cfg.in->sources[0].year, 0,
                                 cfg.in->sources[0].tz};
    vigil_arena_init(&a, 0, 1 << 20);
    vigil_event_init(&ev, &a);
    assert_int_equal(vigil_decode_line(vigil_decoder_by_name("syslog"), &ev,
                                       line, sizeof(line) - 1, &o),
                     VIGIL_OK);
    assert_true(ev.time_ns == vigil_time_from_utc(2024, 7, 10, 10, 0, 0, 0));
    vigil_arena_fini(&a);
    unload(&cfg);

    static const char *bad[] = {"Mars/Olympus_Mons", "../../etc/passwd",
                                "[Europe/Berlin]"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text),
                 "sources:\n  - name: a\n    type: file\n    paths: [/x]\n"
                 "    timezone: %s\n",
                 bad[i]);
        assert_int_equal(load(text, &cfg, &err), VIGIL_EPARSE);
        if (strncmp(err.msg, "vigil.yml:5: ", 13) != 0)
            fail_msg("%s: %s", bad[i], err.msg);
        unload(&cfg);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timezone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
