/* Checks the store's boundaries in the source tree: <sqlite3.h> is
 * included only by the SQLite back end's files in src/store, so every
 * other domain, and the store's own database-independent front end,
 * stays free of SQLite (docs/store.md). Reads $VIGIL_SOURCE_DIR, which
 * CTest sets. */
#include <ftw.h>

#include "store_test_util.h"

static char root[4096];
static size_t nfiles, nincludes;
static char offenders[2048];

/* Whether the file at rel (relative to the checkout) may include
 * <sqlite3.h>: the back end's files, named store_sqlite*. */
static int
allowed(const char *rel)
{
    return strncmp(rel, "src/store/store_sqlite", 22) == 0;
}

/* Whether text includes sqlite3.h: an #include line naming it, with any
 * spacing ("# include", <> or ""). */
static int
includes_sqlite(const char *text)
{
    const char *p = text;

    while ((p = strstr(p, "sqlite3.h")) != NULL) {
        const char *line = p;
        while (line > text && line[-1] != '\n')
            line--;
        while (*line == ' ' || *line == '\t')
            line++;
        if (*line == '#') {
            line++;
            while (*line == ' ' || *line == '\t')
                line++;
            if (strncmp(line, "include", 7) == 0)
                return 1;
        }
        p += 9;
    }
    return 0;
}

static int
visit(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    const char *rel = path + strlen(root) + 1;
    size_t n = strlen(path);
    char *text;
    FILE *f;

    (void)ftw;
    if (flag != FTW_F || n < 3 ||
        (strcmp(path + n - 2, ".c") != 0 && strcmp(path + n - 2, ".h") != 0))
        return 0;
    nfiles++;
    text = malloc((size_t)sb->st_size + 1);
    assert_non_null(text);
    f = fopen(path, "r");
    assert_non_null(f);
    text[fread(text, 1, (size_t)sb->st_size, f)] = '\0';
    fclose(f);
    if (includes_sqlite(text)) {
        nincludes++;
        if (!allowed(rel)) {
            size_t used = strlen(offenders);
            snprintf(offenders + used, sizeof(offenders) - used, " %s", rel);
        }
    }
    free(text);
    return 0;
}

static void
test_sqlite_only_in_backend(void **state)
{
    /* The program and its benchmarks; a test may open the database
     * itself to inject a fault (test_sources.c's failing trigger). */
    static const char *const dirs[] = {"src", "bench"};
    const char *src = getenv("VIGIL_SOURCE_DIR");
    char dir[4200];
    size_t i;

    (void)state;
    if (src == NULL || *src == '\0') {
        printf("SKIP: VIGIL_SOURCE_DIR is not set (run under ctest)\n");
        return;
    }
    snprintf(root, sizeof(root), "%s", src);
    for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        snprintf(dir, sizeof(dir), "%s/%s", root, dirs[i]);
        assert_int_equal(nftw(dir, visit, 16, FTW_PHYS), 0);
    }
    if (offenders[0] != '\0')
        fail_msg("sqlite3.h included outside the SQLite back end:%s",
                 offenders);
    /* The walk saw the tree and the check matches real includes: the
     * back end itself includes the header. */
    assert_true(nfiles > 50);
    assert_true(nincludes >= 1);
}

static void
test_include_matcher(void **state)
{
    (void)state;
    assert_true(includes_sqlite("#include <sqlite3.h>\n"));
    assert_true(includes_sqlite("x\n  #  include \"sqlite3.h\"\n"));
    assert_false(
        includes_sqlite("/* Only this domain includes <sqlite3.h> */"));
    assert_false(includes_sqlite("#include <stdio.h>\n"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_include_matcher),
        cmocka_unit_test(test_sqlite_only_in_backend),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
