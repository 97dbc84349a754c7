/* Tests for the canary files (fim_canary.c): several per tree, in the
 * root and in subfolders, one sorting first and one last, names that
 * say nothing of vigil and differ between trees, ordinary document
 * content, and a fresh name when one is deleted or changed. */
#include "vigil_test.h"

#include <dirent.h>
#include <ftw.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fim/fim_canary.h"
#include "fim/fim_ransom.h"

static char base[] = "/tmp/fimscore-canary-XXXXXX";

static int
cmp_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The regular files directly in dir, sorted, into names (n returned). */
static size_t
files_in(const char *dir, char names[][256], size_t max)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t n = 0;

    assert_non_null(d);
    while ((de = readdir(d)) != NULL && n < max)
        if (de->d_type == DT_REG)
            snprintf(names[n++], 256, "%s", de->d_name);
    closedir(d);
    qsort(names, n, 256, cmp_name);
    return n;
}

static void
touch(const char *dir, const char *name)
{
    char p[512];
    int fd;

    snprintf(p, sizeof(p), "%s/%s", dir, name);
    fd = open(p, O_WRONLY | O_CREAT, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "a memo\n", 7), 7);
    close(fd);
}

static void
test_canaries(void **state)
{
    static struct vigil_fim_config cfg;
    static char names[64][256], again[64][256];
    char t1[300], t2[300], sub[400], p[700];
    int64_t later = vigil_time_now() + 10 * VIGIL_NS_PER_SEC;
    size_t n;

    (void)state;
    snprintf(t1, sizeof(t1), "%s/t1", base);
    snprintf(t2, sizeof(t2), "%s/t2", base);
    assert_int_equal(mkdir(t1, 0755), 0);
    assert_int_equal(mkdir(t2, 0755), 0);
    for (int i = 0; i < 3; i++) {
        snprintf(sub, sizeof(sub), "%s/%c-dept", t1, 'a' + i);
        assert_int_equal(mkdir(sub, 0755), 0);
        touch(sub, "Budget 2024.txt");
    }
    touch(t1, "Minutes March.txt");
    touch(t1, "Agenda.txt");
    memset(&cfg, 0, sizeof(cfg));
    cfg.canaries = 1;
    cfg.nwatch = 2;
    snprintf(cfg.watch[0].path, sizeof(cfg.watch[0].path), "%s", t1);
    snprintf(cfg.watch[1].path, sizeof(cfg.watch[1].path), "%s", t2);
    vigil_fim_place_canaries(&cfg);
    /* root and first and last subfolders: 6; t2 has no subfolder: 2 */
    assert_int_equal(fim_canary_count(&cfg), 8);
    n = files_in(t1, names, 64);
    assert_int_equal(n, 4);
    /* a sorted walk meets one first and one last */
    assert_true(fim_canary_is(
        &cfg, (snprintf(p, sizeof(p), "%s/%s", t1, names[0]), p), later));
    assert_true(fim_canary_is(
        &cfg, (snprintf(p, sizeof(p), "%s/%s", t1, names[n - 1]), p), later));
    assert_false(fim_canary_is(
        &cfg, (snprintf(p, sizeof(p), "%s/%s", t1, "Agenda.txt"), p), later));
    for (size_t i = 0; i < n; i++) {
        assert_null(strstr(names[i], "canary"));
        assert_null(strstr(names[i], "vigil"));
    }
    /* a subfolder's, the middle one has none */
    snprintf(sub, sizeof(sub), "%s/a-dept", t1);
    assert_int_equal(files_in(sub, again, 64), 3);
    snprintf(sub, sizeof(sub), "%s/b-dept", t1);
    assert_int_equal(files_in(sub, again, 64), 1);
    /* another tree, other names */
    n = files_in(t2, again, 64);
    assert_int_equal(n, 2);
    assert_string_not_equal(again[0], names[0]);
    /* placing again (a restart) finds them: nothing new */
    vigil_fim_place_canaries(&cfg);
    assert_int_equal(files_in(t1, again, 64), 4);
    /* deleted: placed again under a fresh name */
    snprintf(p, sizeof(p), "%s/%s", t1, names[0]);
    assert_int_equal(unlink(p), 0);
    assert_int_equal(fim_canary_refresh(&cfg), 1);
    assert_false(fim_canary_is(&cfg, p, later));
    n = files_in(t1, again, 64);
    assert_int_equal(n, 4);
    assert_string_not_equal(again[0], names[0]);
    /* still one that sorts first */
    snprintf(p, sizeof(p), "%s/%s", t1, again[0]);
    assert_true(fim_canary_is(&cfg, p, later));
    /* the daemon's own placing is not a touch for a moment */
    assert_false(fim_canary_is(&cfg, p, vigil_time_now()));
}

static void
test_content(void **state)
{
    static unsigned char buf[8192];
    size_t n;

    (void)state;
    n = fim_canary_content("01 Budget review.docx", buf, sizeof(buf));
    assert_true(n > 300);
    assert_memory_equal(buf, "PK\3\4", 4);
    assert_memory_equal(buf + n - 22, "PK\5\6", 4);
    n = fim_canary_content("zoning notes 2021.pdf", buf, sizeof(buf));
    assert_memory_equal(buf, "%PDF-1.4", 8);
    assert_non_null(memmem(buf, n, "%%EOF", 5));
    assert_non_null(memmem(buf, n, " obj", 4));
    n = fim_canary_content("yearly draft 2020.txt", buf, sizeof(buf));
    assert_true(n > 100);
    assert_null(memmem(buf, n, "vigil", 5));
    assert_false(fim_looks_armoured(buf, n));
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(path);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canaries),
        cmocka_unit_test(test_content),
    };
    int rc;

    if (mkdtemp(base) == NULL)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
