/* Tests for fim_hash.c's defences (FIND12): a file swapped between the
 * walk and the hash is "changed while hashed", never hashed as the other
 * file; a FIFO or device at the name is never opened; a parent folder
 * swapped for a symbolic link cannot redirect a hash relative to the
 * folder's descriptor; a sparse file is hashed over its data extents
 * (holes not read) into a digest that still tells where the data is. */
#include "vigil_test.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fim/fim_int.h"

#define BUFSZ (1u << 16)

static unsigned char buf[BUFSZ];

static void
put(const char *path, const char *text)
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
test_swapped(void **state)
{
    char dir[] = "/tmp/vigil-fimhash-XXXXXX", p[300], q[300], hex[65];
    struct vigil_err err = {0};
    struct stat walked, hst;
    uint64_t bytes = 0;
    int dfd;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(p, sizeof(p), "%s/a", dir);
    snprintf(q, sizeof(q), "%s/other", dir);
    put(p, "abc");
    assert_int_equal(lstat(p, &walked), 0);
    dfd = open(dir, O_RDONLY | O_DIRECTORY);
    assert_true(dfd >= 0);

    /* the walked inode: hashed, SHA-256("abc") */
    assert_int_equal(
        fim_hash_at(dfd, "a", &walked, buf, BUFSZ, hex, &hst, &bytes, &err),
        VIGIL_OK);
    assert_string_equal(
        hex,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    /* another file renamed over it after the walk */
    put(q, "secret");
    assert_int_equal(rename(q, p), 0);
    assert_int_equal(
        fim_hash_at(dfd, "a", &walked, buf, BUFSZ, hex, &hst, &bytes, &err),
        VIGIL_ECONFLICT);
    assert_non_null(strstr(err.msg, "changed while hashed"));

    /* a FIFO at the name: refused without opening it (an open for
     * reading would block) */
    assert_int_equal(unlink(p), 0);
    assert_int_equal(mkfifo(p, 0600), 0);
    assert_int_equal(
        fim_hash_at(dfd, "a", NULL, buf, BUFSZ, hex, &hst, &bytes, &err),
        VIGIL_ECONFLICT);

    /* the folder swapped for a link to elsewhere: the descriptor still
     * names the folder that was walked */
    assert_int_equal(unlink(p), 0);
    put(p, "abc");
    snprintf(q, sizeof(q), "%s.moved", dir);
    assert_int_equal(rename(dir, q), 0);
    assert_int_equal(mkdir(dir, 0700), 0);
    put(p, "elsewhere");
    assert_int_equal(
        fim_hash_at(dfd, "a", NULL, buf, BUFSZ, hex, &hst, &bytes, &err),
        VIGIL_OK);
    assert_string_equal(
        hex,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    close(dfd);
    assert_int_equal(nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
    assert_int_equal(nftw(q, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void
test_sparse(void **state)
{
    char dir[] = "/tmp/vigil-fimhash-XXXXXX", p[300], h1[65], h2[65];
    struct vigil_err err = {0};
    uint64_t bytes = 0;
    int fd;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(p, sizeof(p), "%s/huge", dir);
    /* 1 TiB apparent size, one byte of data in the middle */
    fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)1 << 40), 0);
    assert_int_equal(pwrite(fd, "x", 1, (off_t)1 << 39), 1);
    close(fd);
    assert_int_equal(fim_hash_path(p, buf, BUFSZ, h1, NULL, &bytes, &err),
                     VIGIL_OK);
    /* only the data extent was read (a block or so), not the holes */
    assert_true(bytes < (1u << 20));

    /* the same byte elsewhere: another digest */
    fd = open(p, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)1 << 40), 0);
    assert_int_equal(pwrite(fd, "x", 1, ((off_t)1 << 39) + (1 << 20)), 1);
    close(fd);
    assert_int_equal(fim_hash_path(p, buf, BUFSZ, h2, NULL, &bytes, &err),
                     VIGIL_OK);
    assert_string_not_equal(h1, h2);
    assert_int_equal(unlink(p), 0);
    assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_swapped),
        cmocka_unit_test(test_sparse),
    };
    return vigil_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
