/* test_tz.c -- time zones for RFC 3164 stamps (issue 10: they were all
 * taken as UTC). IANA zones from the system's tzdata in both hemispheres,
 * daylight saving's gap and overlap, dates past the file's table (the
 * footer rule), the footer rule's three day forms on hand-built "slim"
 * files, fixed offsets, names that are not zones, malformed files, and
 * the syslog decoder reading a stamp in its source's zone (including the
 * year, which changes at the host's midnight, not UTC's). */
#include "parse_test.h"

#include <stdio.h>

#define NS VIGIL_NS_PER_SEC
#define UTC(y, mo, d, h, mi)                                                   \
    vigil_time_from_utc((y), (mo), (d), (h), (mi), 0, 0)

static struct vigil_tz *
zone(const char *name)
{
    struct vigil_tz *tz = NULL;
    struct vigil_err err = {0};

    if (vigil_tz_load(&tz, name, &err) != VIGIL_OK)
        fail_msg("%s: %s", name, err.msg);
    return tz;
}

static int
have_tzdata(void)
{
    FILE *f = fopen("/usr/share/zoneinfo/Europe/Berlin", "rb");

    if (f)
        fclose(f);
    return f != NULL;
}

/* local wall clock y-mo-d h:mi in tz, as UTC */
static int64_t
at(const struct vigil_tz *tz, int y, int mo, int d, int h, int mi)
{
    return vigil_tz_to_utc(tz, UTC(y, mo, d, h, mi));
}

static void
test_iana(void **state)
{
    (void)state;
    if (!have_tzdata())
        skip();
    struct vigil_tz *be = zone("Europe/Berlin"), *ny = zone("America/New_York"),
                    *sy = zone("Australia/Sydney");

    assert_true(at(be, 2024, 1, 15, 10, 0) == UTC(2024, 1, 15, 9, 0));
    assert_true(at(be, 2024, 7, 15, 10, 0) == UTC(2024, 7, 15, 8, 0));
    /* 02:30 never shown on 31 March: read as +01:00, i.e. 03:30 CEST */
    assert_true(at(be, 2024, 3, 31, 2, 30) == UTC(2024, 3, 31, 1, 30));
    /* 02:30 shown twice on 27 October: the first time (CEST) */
    assert_true(at(be, 2024, 10, 27, 2, 30) == UTC(2024, 10, 27, 0, 30));
    assert_true(at(be, 2024, 10, 27, 3, 0) == UTC(2024, 10, 27, 2, 0));
    /* past the file's table (2037): the footer rule */
    assert_true(at(be, 2100, 7, 1, 12, 0) == UTC(2100, 7, 1, 10, 0));
    assert_true(at(be, 2100, 12, 1, 12, 0) == UTC(2100, 12, 1, 11, 0));
    assert_int_equal(vigil_tz_offset(be, UTC(2024, 7, 1, 0, 0) / NS), 7200);
    /* seconds and fractions are carried over */
    assert_true(vigil_tz_to_utc(be, UTC(2024, 1, 15, 10, 0) + 5 * NS + 123) ==
                UTC(2024, 1, 15, 9, 0) + 5 * NS + 123);

    assert_true(at(ny, 2024, 1, 15, 10, 0) == UTC(2024, 1, 15, 15, 0));
    assert_true(at(ny, 2024, 7, 15, 10, 0) == UTC(2024, 7, 15, 14, 0));
    assert_true(at(ny, 2099, 7, 4, 12, 0) == UTC(2099, 7, 4, 16, 0));

    /* southern hemisphere: summer time over the new year */
    assert_true(at(sy, 2024, 1, 15, 10, 0) == UTC(2024, 1, 14, 23, 0));
    assert_true(at(sy, 2024, 7, 15, 10, 0) == UTC(2024, 7, 15, 0, 0));
    assert_true(at(sy, 2150, 1, 15, 10, 0) == UTC(2150, 1, 14, 23, 0));
    assert_true(at(sy, 2150, 7, 15, 10, 0) == UTC(2150, 7, 15, 0, 0));
    vigil_tz_free(be);
    vigil_tz_free(ny);
    vigil_tz_free(sy);
}

static void
test_fixed_and_names(void **state)
{
    struct vigil_tz *tz;
    struct vigil_err err = {0};
    static const char *bad[] = {"",
                                "../etc/passwd",
                                "/etc/passwd",
                                "Europe/../../etc/passwd",
                                ".hidden",
                                "Europe/",
                                "Europe/Berlin;rm",
                                "Nope/Nowhere",
                                "+25:00",
                                "+05:60",
                                "+5"};

    (void)state;
    tz = zone("+05:30");
    assert_true(at(tz, 2024, 1, 15, 10, 0) == UTC(2024, 1, 15, 4, 30));
    vigil_tz_free(tz);
    tz = zone("-0800");
    assert_true(at(tz, 2024, 1, 15, 10, 0) == UTC(2024, 1, 15, 18, 0));
    vigil_tz_free(tz);
    tz = zone("UTC");
    assert_true(at(tz, 2024, 1, 15, 10, 0) == UTC(2024, 1, 15, 10, 0));
    vigil_tz_free(tz);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        vigil_err_clear(&err);
        tz = NULL;
        if (vigil_tz_load(&tz, bad[i], &err) == VIGIL_OK)
            fail_msg("loaded '%s'", bad[i]);
        assert_null(tz);
        assert_true(err.msg[0] != '\0');
    }
}

/* A "slim" TZif v2 file: no transitions, one type (off0), footer. */
static size_t
slim(unsigned char *b, int32_t off0, const char *footer)
{
    size_t n = 0;

    for (int k = 0; k < 2; k++) {
        memset(b + n, 0, 44);
        memcpy(b + n, "TZif2", 5);
        b[n + 39] = 1; /* typecnt */
        b[n + 43] = 4; /* charcnt */
        n += 44;
        b[n++] = (unsigned char)((uint32_t)off0 >> 24);
        b[n++] = (unsigned char)((uint32_t)off0 >> 16);
        b[n++] = (unsigned char)((uint32_t)off0 >> 8);
        b[n++] = (unsigned char)off0;
        b[n++] = 0;
        b[n++] = 0;
        memcpy(b + n, "XXX", 4);
        n += 4;
    }
    n += (size_t)snprintf((char *)b + n, 256, "\n%s\n", footer);
    return n;
}

static struct vigil_tz *
from_bytes(const unsigned char *b, size_t n, enum vigil_rc want)
{
    struct vigil_tz *tz = NULL;
    struct vigil_err err = {0};

    assert_int_equal(vigil_tz_parse(&tz, b, n, &err), want);
    return tz;
}

static void
test_footer_rules(void **state)
{
    unsigned char b[512];
    struct vigil_tz *tz;

    (void)state;
    /* Mm.w.d: the US rules */
    tz = from_bytes(b, slim(b, -18000, "EST5EDT,M3.2.0,M11.1.0"), VIGIL_OK);
    assert_true(at(tz, 2024, 7, 15, 10, 0) == UTC(2024, 7, 15, 14, 0));
    assert_true(at(tz, 2024, 1, 15, 10, 0) == UTC(2024, 1, 15, 15, 0));
    assert_true(at(tz, 2024, 3, 10, 3, 0) == UTC(2024, 3, 10, 7, 0));
    assert_true(at(tz, 2024, 3, 10, 1, 59) == UTC(2024, 3, 10, 6, 59));
    vigil_tz_free(tz);
    /* Jn: day 60 is 1 March even in a leap year */
    tz = from_bytes(b, slim(b, -10800, "<-03>3<-02>,J60/2,J300/2"), VIGIL_OK);
    assert_true(at(tz, 2024, 2, 29, 12, 0) == UTC(2024, 2, 29, 15, 0));
    assert_true(at(tz, 2024, 3, 1, 12, 0) == UTC(2024, 3, 1, 14, 0));
    vigil_tz_free(tz);
    /* n: zero-based, 29 February counted */
    tz = from_bytes(b, slim(b, -10800, "<-03>3<-02>,59/2,300/2"), VIGIL_OK);
    assert_true(at(tz, 2024, 2, 29, 12, 0) == UTC(2024, 2, 29, 14, 0));
    assert_true(at(tz, 2023, 2, 28, 12, 0) == UTC(2023, 2, 28, 15, 0));
    assert_true(at(tz, 2023, 3, 1, 12, 0) == UTC(2023, 3, 1, 14, 0));
    vigil_tz_free(tz);
    /* half-hour daylight saving, southern hemisphere (Lord Howe) */
    tz = from_bytes(b, slim(b, 37800, "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0"),
                    VIGIL_OK);
    assert_true(at(tz, 2024, 1, 15, 11, 0) == UTC(2024, 1, 15, 0, 0));
    assert_true(at(tz, 2024, 7, 15, 10, 30) == UTC(2024, 7, 15, 0, 0));
    vigil_tz_free(tz);
    /* no daylight saving at all */
    tz = from_bytes(b, slim(b, 19800, "IST-5:30"), VIGIL_OK);
    assert_true(at(tz, 2024, 7, 15, 10, 0) == UTC(2024, 7, 15, 4, 30));
    vigil_tz_free(tz);
    /* bad rules */
    static const char *bad[] = {"EST5EDT,M13.1.0,M11.1.0",
                                "EST5EDT,M3.6.0,M1.1.0",
                                "EST5EDT,J0,J10",
                                "EST5EDT,M3.2.0",
                                "ES5",
                                "EST5EDT,M3.2.0/200,M11.1.0",
                                "EST99",
                                "<ES>5"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (from_bytes(b, slim(b, 0, bad[i]), VIGIL_EPARSE) != NULL)
            fail_msg("took '%s'", bad[i]);
}

static void
test_malformed(void **state)
{
    unsigned char *b;
    size_t n;
    FILE *f;
    struct vigil_tz *tz;
    struct vigil_err err = {0};

    (void)state;
    if (!have_tzdata())
        skip();
    f = fopen("/usr/share/zoneinfo/Europe/Berlin", "rb");
    assert_non_null(f);
    b = malloc(1 << 16);
    n = fread(b, 1, 1 << 16, f);
    fclose(f);
    assert_true(n > 100);
    /* every cut: refused or read, never read past (ASan) */
    for (size_t k = 0; k < n; k++) {
        unsigned char *c = malloc(k ? k : 1);
        memcpy(c, b, k);
        tz = NULL;
        vigil_err_clear(&err);
        if (vigil_tz_parse(&tz, c, k, &err) == VIGIL_OK)
            vigil_tz_free(tz);
        free(c);
    }
    assert_null(from_bytes(b, 40, VIGIL_EPARSE));
    b[0] = 'X';
    assert_null(from_bytes(b, n, VIGIL_EPARSE));
    b[0] = 'T';
    /* leap seconds in the 64-bit header (at 44 + v1 block + 28) */
    unsigned char save[4];
    uint32_t t1 = (uint32_t)b[32] << 24 | b[33] << 16 | b[34] << 8 | b[35];
    uint32_t ty = (uint32_t)b[36] << 24 | b[37] << 16 | b[38] << 8 | b[39];
    uint32_t ch = (uint32_t)b[40] << 24 | b[41] << 16 | b[42] << 8 | b[43];
    size_t h2 = 44 + t1 * 5 + ty * 6 + ch + b[23] + b[27] + b[31] * 8u;
    assert_memory_equal(b + h2, "TZif", 4);
    memcpy(save, b + h2 + 28, 4);
    b[h2 + 31] = 1;
    tz = NULL;
    assert_int_equal(vigil_tz_parse(&tz, b, n, &err), VIGIL_EUNSUPPORTED);
    memcpy(b + h2 + 28, save, 4);
    /* two transitions swapped */
    unsigned char *t = b + h2 + 44, tmp[8];
    memcpy(tmp, t + 8, 8);
    memcpy(t + 8, t + 16, 8);
    memcpy(t + 16, tmp, 8);
    assert_null(from_bytes(b, n, VIGIL_EPARSE));
    free(b);
}

static void
test_syslog_in_zone(void **state)
{
    struct vigil_parse_opts saved = t_opts;

    (void)state;
    if (!have_tzdata())
        skip();
    struct vigil_tz *be = zone("Europe/Berlin");
    t_opts.tz = be;
    T_OK("syslog", "Mar 10 12:00:00 host sshd[1]: Connection closed");
    assert_true(t_ev->time_ns == UTC(2024, 3, 10, 11, 0));
    T_OK("syslog", "Jul 10 12:00:00.250 host sshd[1]: Connection closed");
    assert_true(t_ev->time_ns == UTC(2024, 7, 10, 10, 0) + NS / 4);
    /* RFC 3339 and RFC 5424 stamps carry their zone: unchanged */
    T_OK("syslog", "2024-07-10T12:00:00Z host sshd[1]: Connection closed");
    assert_true(t_ev->time_ns == UTC(2024, 7, 10, 12, 0));
    /* the year turns at the host's midnight: 00:30 in Berlin on New
     * Year's Day is still 2024 in UTC, and a line from 00:10 is from
     * 2025 Berlin time */
    t_opts.default_year = 0;
    t_opts.now_ns = UTC(2024, 12, 31, 23, 30);
    T_OK("syslog", "Jan  1 00:10:00 host sshd[1]: Connection closed");
    assert_true(t_ev->time_ns == UTC(2024, 12, 31, 23, 10));
    /* without a zone, as before: UTC */
    t_opts.tz = NULL;
    T_OK("syslog", "Jan  1 00:10:00 host sshd[1]: Connection closed");
    assert_true(t_ev->time_ns == UTC(2024, 1, 1, 0, 10));
    t_opts = saved;
    vigil_tz_free(be);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iana),
        cmocka_unit_test(test_fixed_and_names),
        cmocka_unit_test(test_footer_rules),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_syslog_in_zone),
    };
    return cmocka_run_group_tests(tests, t_setup, t_teardown);
}
