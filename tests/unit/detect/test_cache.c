/* test_cache.c -- the on-disk cache of compiled literal databases
 * (detect_cache.c): written on the first compile, read back on the next,
 * the same matches either way; a damaged, truncated or foreign file and an
 * untrusted folder are ignored (the rules are compiled as without a
 * cache); old files are pruned to the newest four. */
#include "vigil_test.h"

#include <dirent.h>
#include <unistd.h>

#include "detect/detect.h"

/* Six CommandLine literals (over the direct-search limit, so a Hyperscan
 * database is built for the field) and two keywords; %d makes rule sets
 * that differ. */
static const char *const RULE =
    "title: Cache test %d\n"
    "logsource: {product: windows, category: process_creation}\n"
    "detection:\n"
    "  sel:\n"
    "    CommandLine|contains:\n"
    "      - 'whoami /priv'\n"
    "      - 'net user'\n"
    "      - 'vssadmin delete'\n"
    "      - 'bcdedit /set'\n"
    "      - 'wevtutil cl'\n"
    "      - 'marker-%d'\n"
    "  kw:\n"
    "    - 'mimikatz'\n"
    "    - 'sekurlsa'\n"
    "  condition: sel or kw\n";

static char g_dir[256];

static int
count_files(void)
{
    DIR *dh = opendir(g_dir);
    struct dirent *de;
    int n = 0;

    if (dh == NULL)
        return -1;
    while ((de = readdir(dh)) != NULL)
        n += strncmp(de->d_name, "literals-", 9) == 0;
    closedir(dh);
    return n;
}

/* The one cache file's path (asserts there is exactly one). */
static void
only_file(char *dst, size_t n)
{
    DIR *dh = opendir(g_dir);
    struct dirent *de;
    int found = 0;

    assert_non_null(dh);
    while ((de = readdir(dh)) != NULL)
        if (strncmp(de->d_name, "literals-", 9) == 0) {
            snprintf(dst, n, "%s/%s", g_dir, de->d_name);
            found++;
        }
    closedir(dh);
    assert_int_equal(found, 1);
}

static int
on_match(const struct vigil_detect_match *m, void *arg)
{
    (void)m;
    (*(int *)arg)++;
    return 0;
}

/* Builds rule set `which` with or without the cache; returns the cache
 * state (vigil_detect_stats.cache) and the matches over three events. */
static int
build_and_match(int which, int use_cache, int *matches)
{
    struct vigil_detect_opts o;
    struct vigil_detect *d = NULL;
    struct vigil_detect_ctx *c = NULL;
    struct vigil_detect_stats st;
    struct vigil_err err = {0};
    struct vigil_event ev;
    struct vigil_arena a;
    static const char *const lines[] = {
        "cmd.exe /c vssadmin delete shadows /all",
        "powershell -c Invoke-Mimikatz", "notepad.exe report.txt"};
    char yaml[2048];

    snprintf(yaml, sizeof(yaml), RULE, which, which);
    memset(&o, 0, sizeof(o));
    o.cache_dir = use_cache ? g_dir : NULL;
    assert_int_equal(vigil_detect_new(&d, &o, &err), VIGIL_OK);
    assert_int_equal(vigil_detect_add_mem(d, "c.yml", yaml, strlen(yaml), &err),
                     VIGIL_OK);
    assert_int_equal(vigil_detect_compile(d, &err), VIGIL_OK);
    vigil_detect_get_stats(d, &st);
    assert_int_equal(st.loaded, 1);
    assert_int_equal(vigil_detect_ctx_new(&c, d, &err), VIGIL_OK);
    *matches = 0;
    for (size_t i = 0; i < 3; i++) {
        vigil_arena_init(&a, 4096, 1 << 20);
        vigil_event_init(&ev, &a);
        vigil_event_add_strz(&ev, "Channel",
                             "Microsoft-Windows-Sysmon/Operational");
        vigil_event_add_strz(&ev, "EventID", "1");
        vigil_event_add_strz(&ev, "CommandLine", lines[i]);
        assert_int_equal(vigil_detect_match(c, &ev, on_match, matches, NULL),
                         VIGIL_OK);
        vigil_arena_fini(&a);
    }
    vigil_detect_ctx_free(c);
    vigil_detect_free(d);
    return st.cache;
}

static int
setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof(g_dir), "/tmp/vigil-cache-test-XXXXXX");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int
teardown(void **state)
{
    DIR *dh = opendir(g_dir);
    struct dirent *de;
    char p[512];

    (void)state;
    while (dh && (de = readdir(dh)) != NULL)
        if (de->d_name[0] != '.') {
            snprintf(p, sizeof(p), "%s/%s", g_dir, de->d_name);
            unlink(p);
        }
    if (dh)
        closedir(dh);
    rmdir(g_dir);
    return 0;
}

static void
test_written_then_read(void **state)
{
    int plain, first, second;

    (void)state;
    assert_int_equal(build_and_match(1, 0, &plain), 0);
    assert_int_equal(plain, 2);
    assert_int_equal(build_and_match(1, 1, &first), 2); /* compiled, saved */
    assert_int_equal(count_files(), 1);
    assert_int_equal(build_and_match(1, 1, &second), 1); /* read back */
    assert_int_equal(first, plain);
    assert_int_equal(second, plain);
}

static void
test_damaged_ignored(void **state)
{
    char path[512];
    int m;
    FILE *f;
    long size;

    (void)state;
    assert_int_equal(build_and_match(1, 1, &m), 1);
    only_file(path, sizeof(path));
    /* one byte flipped in the middle: the checksum fails */
    f = fopen(path, "r+b");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, size / 2, SEEK_SET);
    int ch = fgetc(f);
    fseek(f, size / 2, SEEK_SET);
    fputc(ch ^ 0x5a, f);
    fclose(f);
    assert_int_equal(build_and_match(1, 1, &m), 2); /* compiled again */
    assert_int_equal(m, 2);
    /* cut short */
    assert_int_equal(truncate(path, size / 3), 0);
    assert_int_equal(build_and_match(1, 1, &m), 2);
    assert_int_equal(m, 2);
    assert_int_equal(build_and_match(1, 1, &m), 1);
}

static void
test_untrusted_folder_unused(void **state)
{
    int m;

    (void)state;
    assert_int_equal(chmod(g_dir, 0777), 0);
    assert_int_equal(build_and_match(1, 1, &m),
                     0); /* neither read nor written */
    assert_int_equal(m, 2);
    assert_int_equal(chmod(g_dir, 0700), 0);
    assert_int_equal(build_and_match(1, 1, &m), 1);
}

static void
test_pruned_to_four(void **state)
{
    int m;

    (void)state;
    for (int which = 2; which < 8; which++) {
        assert_int_equal(build_and_match(which, 1, &m), 2);
        assert_int_equal(m, 2);
    }
    assert_int_equal(count_files(), 4);
    /* the newest is kept */
    assert_int_equal(build_and_match(7, 1, &m), 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_written_then_read),
        cmocka_unit_test(test_damaged_ignored),
        cmocka_unit_test(test_untrusted_folder_unused),
        cmocka_unit_test(test_pruned_to_four),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
