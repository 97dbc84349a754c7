/* test_tail.c -- the file tailer: complete lines only, rotation by rename
 * (with a writer that reopens late) and by copytruncate (the rest read
 * from the copy, or counted as lost), resume from checkpoints, rotated
 * files compressed before they were read, overlong lines. */
#include "vigil_test.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "ingest/ingest_int.h"

struct got {
    char lines[64][64];
    size_t n;
    size_t overlong;
    struct vigil_checkpoint last;
};

static enum vigil_rc
on_line(void *arg, const char *line, size_t len,
        const struct vigil_checkpoint *cp)
{
    struct got *g = arg;

    assert_true(g->n < 64);
    assert_true(len < 64);
    memcpy(g->lines[g->n], line, len);
    g->lines[g->n][len] = '\0';
    g->n++;
    g->last = *cp;
    return VIGIL_OK;
}

static enum vigil_rc
on_overlong(void *arg, const struct vigil_checkpoint *cp)
{
    struct got *g = arg;

    g->overlong++;
    g->last = *cp;
    return VIGIL_OK;
}

static enum vigil_rc
get_cp(void *arg, const char *key, struct vigil_checkpoint *cp)
{
    const struct vigil_checkpoint *saved = arg;

    if (saved == NULL || strcmp(saved->key, key) != 0)
        return VIGIL_ENOTFOUND;
    *cp = *saved;
    return VIGIL_OK;
}

static char dir[256];
static char path[300];
static int64_t grace_ms; /* rotate_wait of the tailers new_tail makes */

static void
append(const char *p, const char *text)
{
    int fd = open(p, O_WRONLY | O_CREAT | O_APPEND, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static int
setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/vigil-tail-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/app.log", dir);
    return 0;
}

static int
teardown(void **state)
{
    char cmd[600];
    (void)state;
    /* Only the files this test made. */
    snprintf(cmd, sizeof(cmd), "%s/app.log", dir);
    unlink(cmd);
    snprintf(cmd, sizeof(cmd), "%s/app.log.1", dir);
    unlink(cmd);
    snprintf(cmd, sizeof(cmd), "%s/app.log.1.gz", dir);
    unlink(cmd);
    grace_ms = 0;
    rmdir(dir);
    return 0;
}

static struct ingest_tail *
new_tail(size_t max_line)
{
    struct ingest_tail *t = NULL;
    struct vigil_err err = {0};
    char *globs[] = {path};

    assert_int_equal(ingest_tail_new(&t, globs, 1, max_line, grace_ms, &err),
                     VIGIL_OK);
    return t;
}

static void
poll_all(struct ingest_tail *t, struct got *g, int flush)
{
    struct ingest_sink sink = {on_line, on_overlong, g};
    struct vigil_err err = {0};
    size_t bytes;

    do
        assert_int_equal(
            ingest_tail_poll(t, &sink, 1 << 20, flush, &bytes, &err), VIGIL_OK);
    while (bytes > 0);
}

static void
test_partial_lines(void **state)
{
    struct ingest_tail *t = new_tail(1 << 20);
    struct vigil_err err = {0};
    struct got g = {0};

    (void)state;
    append(path, "one\ntw");
    assert_int_equal(ingest_tail_scan(t, get_cp, NULL, &err), VIGIL_OK);
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.lines[0], "one");
    assert_int_equal(g.last.offset, 4); /* not past the half line */
    append(path, "o\nthree\n");
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.lines[1], "two");
    assert_string_equal(g.lines[2], "three");
    assert_int_equal(g.last.offset, 14);
    char key[320];
    snprintf(key, sizeof(key), "file:%s", path);
    assert_string_equal(g.last.key, key);
    ingest_tail_free(t);
}

static void
test_rotate_rename(void **state)
{
    struct ingest_tail *t = new_tail(1 << 20);
    struct vigil_err err = {0};
    struct got g = {0};
    char old[320];

    (void)state;
    snprintf(old, sizeof(old), "%s.1", path);
    append(path, "a1\na2\n");
    assert_int_equal(ingest_tail_scan(t, get_cp, NULL, &err), VIGIL_OK);
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 2);
    uint64_t old_ino = g.last.inode;
    /* Written before the rename, not yet read; plus a line without its
     * newline that must come out when the old file is finished. */
    append(path, "a3\na4");
    assert_int_equal(rename(path, old), 0);
    append(path, "b1\nb2\n");
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 6);
    assert_string_equal(g.lines[2], "a3");
    assert_string_equal(g.lines[3], "a4");
    assert_string_equal(g.lines[4], "b1");
    assert_string_equal(g.lines[5], "b2");
    assert_true(g.last.inode != old_ino);
    assert_int_equal(g.last.offset, 6);
    ingest_tail_free(t);
}

static void
test_copytruncate(void **state)
{
    struct ingest_tail *t = new_tail(1 << 20);
    struct vigil_err err = {0};
    struct got g = {0};

    (void)state;
    append(path, "x1\nx2\nx3\n");
    assert_int_equal(ingest_tail_scan(t, get_cp, NULL, &err), VIGIL_OK);
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 3);
    assert_int_equal(truncate(path, 0), 0);
    append(path, "y1\n");
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 4);
    assert_string_equal(g.lines[3], "y1");
    assert_int_equal(g.last.offset, 3);
    ingest_tail_free(t);
}

/* A copytruncate whose new content outgrew the old offset before the
 * poll: only the fingerprint of the first bytes tells. */
static void
test_truncate_regrown(void **state)
{
    struct ingest_tail *t = new_tail(1 << 20);
    struct vigil_err err = {0};
    struct got g = {0};
    char line[40], big[2000] = "";

    (void)state;
    for (int i = 0; i < 30; i++) {
        snprintf(line, sizeof(line), "first-%02d-%s\n", i, "padding-padding");
        strncat(big, line, sizeof(big) - strlen(big) - 1);
    }
    append(path, big);
    assert_int_equal(ingest_tail_scan(t, get_cp, NULL, &err), VIGIL_OK);
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 30);
    assert_int_equal(truncate(path, 0), 0);
    for (size_t i = 0; i < strlen(big); i++)
        if (big[i] == 'f')
            big[i] = 'F';
    append(path, big);
    append(path, "more\n");
    g.n = 0;
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 31);
    assert_string_equal(g.lines[0], "First-00-padding-padding");
    assert_string_equal(g.lines[30], "more");
    ingest_tail_free(t);
}

static void
test_resume_checkpoint(void **state)
{
    struct ingest_tail *t = new_tail(1 << 20);
    struct vigil_err err = {0};
    struct got g = {0};
    struct vigil_checkpoint saved;

    (void)state;
    append(path, "r1\nr2\n");
    assert_int_equal(ingest_tail_scan(t, get_cp, NULL, &err), VIGIL_OK);
    poll_all(t, &g, 0);
    saved = g.last;
    ingest_tail_free(t);

    /* More lines while "vigil" is down: only they come out. */
    append(path, "r3\n");
    t = new_tail(1 << 20);
    memset(&g, 0, sizeof(g));
    assert_int_equal(ingest_tail_scan(t, get_cp, &saved, &err), VIGIL_OK);
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.lines[0], "r3");
    saved = g.last;
    ingest_tail_free(t);

    /* Rotated by rename while down, with a line written just before: the
     * rotated file is found by its inode and finished first. */
    char old[320];
    snprintf(old, sizeof(old), "%s.1", path);
    append(path, "r4\n");
    assert_int_equal(rename(path, old), 0);
    append(path, "n1\n");
    t = new_tail(1 << 20);
    memset(&g, 0, sizeof(g));
    assert_int_equal(ingest_tail_scan(t, get_cp, &saved, &err), VIGIL_OK);
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.lines[0], "r4");
    assert_string_equal(g.lines[1], "n1");
    saved = g.last;
    ingest_tail_free(t);

    /* Truncated while down: read again from the start. */
    assert_int_equal(truncate(path, 0), 0);
    append(path, "t\n");
    t = new_tail(1 << 20);
    memset(&g, 0, sizeof(g));
    assert_int_equal(ingest_tail_scan(t, get_cp, &saved, &err), VIGIL_OK);
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.lines[0], "t");
    ingest_tail_free(t);
}

/* Rotated twice while vigil was down, logrotate style (app.log.1 moves
 * to app.log.2): the file the checkpoint names is finished, then the
 * newer rotated file is read whole, then the current one. Older rotated
 * and compressed files are left alone. */
static void
test_double_rotation_while_down(void **state)
{
    struct ingest_tail *t = new_tail(1 << 20);
    struct vigil_err err = {0};
    struct got g = {0};
    struct vigil_checkpoint saved;
    char p1[320], p2[320], p3[320], gz[320];

    (void)state;
    snprintf(p1, sizeof(p1), "%s.1", path);
    snprintf(p2, sizeof(p2), "%s.2", path);
    snprintf(p3, sizeof(p3), "%s.3", path);
    snprintf(gz, sizeof(gz), "%s.4.gz", path);
    append(p3, "ancient\n");
    append(gz, "compressed\n");
    usleep(20000);
    append(path, "a1\n");
    assert_int_equal(ingest_tail_scan(t, get_cp, NULL, &err), VIGIL_OK);
    poll_all(t, &g, 0);
    saved = g.last;
    ingest_tail_free(t);

    append(path, "a2\n");
    assert_int_equal(rename(path, p1), 0);
    usleep(20000);
    append(path, "b1\n");
    assert_int_equal(rename(p1, p2), 0);
    assert_int_equal(rename(path, p1), 0);
    usleep(20000);
    append(path, "c1\n");

    t = new_tail(1 << 20);
    memset(&g, 0, sizeof(g));
    assert_int_equal(ingest_tail_scan(t, get_cp, &saved, &err), VIGIL_OK);
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.lines[0], "a2");
    assert_string_equal(g.lines[1], "b1");
    assert_string_equal(g.lines[2], "c1");
    ingest_tail_free(t);
    unlink(p2);
    unlink(p3);
    unlink(gz);
}

/* The same, both rotations within the file times' resolution (logrotate
 * renames within a millisecond): the names say app.log.1 was rotated
 * after app.log.2, so it is still read, and after it. */
static void
test_double_rotation_same_time(void **state)
{
    struct ingest_tail *t = new_tail(1 << 20);
    struct vigil_err err = {0};
    struct got g = {0};
    struct vigil_checkpoint saved;
    struct timespec same[2] = {{0, UTIME_OMIT}, {0, 0}};
    char p1[320], p2[320];

    (void)state;
    snprintf(p1, sizeof(p1), "%s.1", path);
    snprintf(p2, sizeof(p2), "%s.2", path);
    append(path, "a1\n");
    assert_int_equal(ingest_tail_scan(t, get_cp, NULL, &err), VIGIL_OK);
    poll_all(t, &g, 0);
    saved = g.last;
    ingest_tail_free(t);

    assert_int_equal(rename(path, p1), 0);
    append(path, "b1\n");
    assert_int_equal(rename(p1, p2), 0);
    assert_int_equal(rename(path, p1), 0);
    append(path, "c1\n");
    append(p2, "a2\n");
    same[1].tv_sec = time(NULL);
    assert_int_equal(utimensat(AT_FDCWD, p1, same, 0), 0);
    assert_int_equal(utimensat(AT_FDCWD, p2, same, 0), 0);

    t = new_tail(1 << 20);
    memset(&g, 0, sizeof(g));
    assert_int_equal(ingest_tail_scan(t, get_cp, &saved, &err), VIGIL_OK);
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.lines[0], "a2");
    assert_string_equal(g.lines[1], "b1");
    assert_string_equal(g.lines[2], "c1");
    ingest_tail_free(t);
    unlink(p2);
}

/* logrotate `create`: the file is renamed and a new one created at once,
 * but the writer appends to the renamed file until it reopens. Those
 * lines are read (the old file stays open until quiet for the grace
 * period), and only then the new file. */
static void
test_rename_late_reopen(void **state)
{
    struct ingest_tail *t;
    struct vigil_err err = {0};
    struct got g = {0};
    char p1[320];

    (void)state;
    grace_ms = 300;
    t = new_tail(1 << 20);
    snprintf(p1, sizeof(p1), "%s.1", path);
    append(path, "a1\n");
    assert_int_equal(ingest_tail_scan(t, get_cp, NULL, &err), VIGIL_OK);
    poll_all(t, &g, 0);
    assert_int_equal(rename(path, p1), 0);
    append(path, ""); /* logrotate creates the new file */
    poll_all(t, &g, 0);
    usleep(100 * 1000);
    append(p1, "a2\n"); /* the writer has not reopened yet */
    append(path, "b1\n");
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.lines[1], "a2");
    usleep(200 * 1000); /* quiet, but not for 300 ms */
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 2);
    usleep(150 * 1000);
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.lines[2], "b1");
    assert_int_equal(g.last.offset, 3);
    assert_int_equal(ingest_tail_take_lost(t), 0);
    ingest_tail_free(t);
}

/* A writer starved past the grace period: the renamed file is still read
 * when it grows, its lines reporting the new file's position (a restart
 * goes on from there, reading nothing twice); let go by a reset, what it
 * held unread is counted. */
static void
test_linger_after_grace(void **state)
{
    struct ingest_tail *t;
    struct vigil_err err = {0};
    struct got g = {0};
    uint64_t bytes, files;
    struct stat st;
    char p1[320];

    (void)state;
    grace_ms = 100;
    t = new_tail(1 << 20);
    snprintf(p1, sizeof(p1), "%s.1", path);
    append(path, "a1\n");
    assert_int_equal(ingest_tail_scan(t, get_cp, NULL, &err), VIGIL_OK);
    poll_all(t, &g, 0);
    assert_int_equal(rename(path, p1), 0);
    append(path, "b1\n");
    poll_all(t, &g, 0);
    usleep(150 * 1000);
    poll_all(t, &g, 0); /* the grace period is over: the new file */
    assert_int_equal(g.n, 2);
    assert_string_equal(g.lines[1], "b1");
    assert_int_equal(stat(path, &st), 0);
    append(p1, "a2\n"); /* the writer, late */
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.lines[2], "a2");
    assert_int_equal(g.last.inode, (uint64_t)st.st_ino);
    assert_int_equal(g.last.offset, 3);
    append(path, "b2\n");
    append(p1, "a3\n");
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 5);
    assert_int_equal(g.last.offset, 6);
    ingest_tail_take_unread(t, &bytes, &files);
    assert_int_equal(bytes, 0);
    /* Let go with 6 bytes unread (a line and a partial one): counted. */
    append(p1, "a4\na5-");
    ingest_tail_reset(t);
    ingest_tail_take_unread(t, &bytes, &files);
    assert_int_equal(bytes, 6);
    assert_int_equal(files, 0);
    ingest_tail_free(t);
}

static void
copy_file(const char *from, const char *to)
{
    char buf[4096];
    int in = open(from, O_RDONLY), out;
    ssize_t n;

    assert_true(in >= 0);
    out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(out >= 0);
    while ((n = read(in, buf, sizeof(buf))) > 0)
        assert_int_equal(write(out, buf, (size_t)n), n);
    close(in);
    close(out);
}

/* Lines of 24 bytes; 30 are more than the 256 bytes a fingerprint
 * hashes. */
static void
append_lines(const char *p, const char *prefix, int from, int to)
{
    char line[64];

    for (int i = from; i < to; i++) {
        snprintf(line, sizeof(line), "%s-%03d-padding-padding\n", prefix, i);
        append(p, line);
    }
}

/* copytruncate while lines were still unread: they are read from the
 * copy (found by its first bytes), then the file from its start. */
static void
test_copytruncate_reads_copy(void **state)
{
    struct ingest_tail *t = new_tail(1 << 20);
    struct vigil_err err = {0};
    struct got g = {0};
    char p1[320];

    (void)state;
    snprintf(p1, sizeof(p1), "%s.1", path);
    append_lines(path, "old", 0, 20);
    assert_int_equal(ingest_tail_scan(t, get_cp, NULL, &err), VIGIL_OK);
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 20);
    append_lines(path, "old", 20, 30);
    copy_file(path, p1);
    assert_int_equal(truncate(path, 0), 0);
    append(path, "new\n");
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 31);
    assert_string_equal(g.lines[20], "old-020-padding-padding");
    assert_string_equal(g.lines[29], "old-029-padding-padding");
    assert_string_equal(g.lines[30], "new");
    assert_int_equal(ingest_tail_take_lost(t), 0);
    ingest_tail_free(t);
}

/* copytruncate without a copy vigil can find (another folder): what was
 * seen in the file but not read is counted as lost, to the byte. */
static void
test_truncate_loss_counted(void **state)
{
    struct ingest_tail *t = new_tail(1 << 20);
    struct ingest_sink sink;
    struct vigil_err err = {0};
    struct got g = {0};
    size_t bytes;

    (void)state;
    sink.line = on_line;
    sink.overlong = on_overlong;
    sink.arg = &g;
    append_lines(path, "old", 0, 30); /* 30 x 24 bytes */
    assert_int_equal(ingest_tail_scan(t, get_cp, NULL, &err), VIGIL_OK);
    /* Read 100 bytes: 4 whole lines (96 bytes) and part of the fifth. */
    assert_int_equal(ingest_tail_poll(t, &sink, 100, 0, &bytes, &err),
                     VIGIL_OK);
    assert_int_equal(g.n, 4);
    assert_int_equal(truncate(path, 0), 0);
    append(path, "new\n");
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 5);
    assert_string_equal(g.lines[4], "new");
    assert_int_equal(ingest_tail_take_lost(t), 30 * 24 - 96);
    assert_int_equal(ingest_tail_take_lost(t), 0); /* taken once */
    ingest_tail_free(t);
}

/* Rotated and gzip-compressed while vigil was stopped, before its end was
 * read: the rest is read from the .gz (a new inode, found by its text),
 * then the new file. */
static void
test_rotated_compressed_while_down(void **state)
{
    struct ingest_tail *t = new_tail(1 << 20);
    struct vigil_err err = {0};
    struct got g = {0};
    struct vigil_checkpoint saved;
    char gzpath[320], buf[4096];
    gzFile z;
    int fd;
    ssize_t n;

    (void)state;
    snprintf(gzpath, sizeof(gzpath), "%s.1.gz", path);
    append_lines(path, "old", 0, 20);
    assert_int_equal(ingest_tail_scan(t, get_cp, NULL, &err), VIGIL_OK);
    poll_all(t, &g, 0);
    saved = g.last;
    ingest_tail_free(t);

    append_lines(path, "old", 20, 25);
    fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_non_null(z = gzopen(gzpath, "wb"));
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        assert_int_equal(gzwrite(z, buf, (unsigned)n), (int)n);
    assert_int_equal(gzclose(z), Z_OK);
    close(fd);
    assert_int_equal(unlink(path), 0);
    append(path, "new\n");

    t = new_tail(1 << 20);
    memset(&g, 0, sizeof(g));
    assert_int_equal(ingest_tail_scan(t, get_cp, &saved, &err), VIGIL_OK);
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 6);
    assert_string_equal(g.lines[0], "old-020-padding-padding");
    assert_string_equal(g.lines[4], "old-024-padding-padding");
    assert_string_equal(g.lines[5], "new");
    ingest_tail_free(t);
}

static void
test_overlong(void **state)
{
    struct ingest_tail *t = new_tail(16);
    struct vigil_err err = {0};
    struct got g = {0};

    (void)state;
    append(path, "short\n0123456789abcdefXYZ\nok\n0123456789");
    assert_int_equal(ingest_tail_scan(t, get_cp, NULL, &err), VIGIL_OK);
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.overlong, 1);
    assert_string_equal(g.lines[1], "ok");
    append(path, "abcdefghij\nafter\n"); /* the held part grows too long */
    poll_all(t, &g, 0);
    assert_int_equal(g.overlong, 2);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.lines[2], "after");
    /* One-shot flush hands out a last line without newline. */
    append(path, "tail");
    poll_all(t, &g, 1);
    assert_int_equal(g.n, 4);
    assert_string_equal(g.lines[3], "tail");
    ingest_tail_free(t);
}

static void
append_n(const char *p, const char *data, size_t n)
{
    int fd = open(p, O_WRONLY | O_CREAT | O_APPEND, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
}

/* NUL padding longer than a line (a power cut leaves as many NULs as
 * there were unflushed bytes) in front of a real line: the line after
 * the padding is handed on, with one NUL in front for the decoder to
 * drop, instead of being skipped with the padding as one overlong line.
 * Padding alone is one line ("\0"), which the pipeline counts as failed. */
static void
test_nul_padding(void **state)
{
    struct ingest_tail *t = new_tail(16);
    struct vigil_err err = {0};
    struct got g = {0};
    char zeros[40] = {0};
    char junk[20];

    (void)state;
    memset(junk, 'A', sizeof(junk));
    append(path, "first\n");
    append_n(path, zeros, sizeof(zeros));
    append(path, "hello\n");
    assert_int_equal(ingest_tail_scan(t, get_cp, NULL, &err), VIGIL_OK);
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.overlong, 0);
    assert_int_equal(g.lines[1][0], '\0');
    assert_string_equal(g.lines[1] + 1, "hello");
    assert_int_equal(g.last.offset, 6 + 40 + 6);
    append_n(path, zeros, sizeof(zeros)); /* padding alone, across reads */
    poll_all(t, &g, 0);
    append(path, "\n");
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 3);
    assert_int_equal(g.lines[2][0], '\0');
    assert_int_equal(g.lines[2][1], '\0');
    append_n(path, junk, sizeof(junk)); /* a cut line, padding, a line */
    append_n(path, zeros, sizeof(zeros));
    append(path, "bye\n");
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 4);
    assert_int_equal(g.overlong, 0);
    assert_string_equal(g.lines[3] + 1, "bye");
    assert_int_equal(g.last.offset, 6 + 40 + 6 + 40 + 1 + 20 + 40 + 4);
    ingest_tail_free(t);
}

/* Lines ending with "\r" alone (old Mac OS, some network devices) are
 * lines, across reads and with the checkpoint past each; "\r\n" leaves
 * only an empty line (no record). A "\r" inside a line of a "\n" file
 * does not cut it. */
static void
test_cr_lines(void **state)
{
    struct ingest_tail *t = new_tail(1 << 20);
    struct vigil_err err = {0};
    struct got g = {0};
    char lf[320];
    char *globs[] = {lf};

    (void)state;
    append(path, "one\rtwo\rthr");
    assert_int_equal(ingest_tail_scan(t, get_cp, NULL, &err), VIGIL_OK);
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.lines[0], "one");
    assert_string_equal(g.lines[1], "two");
    assert_int_equal(g.last.offset, 8);
    append(path, "ee\r\nfour\r");
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 5);
    assert_string_equal(g.lines[2], "three");
    assert_string_equal(g.lines[3], "");
    assert_string_equal(g.lines[4], "four");
    assert_int_equal(g.last.offset, 20);
    ingest_tail_free(t);

    snprintf(lf, sizeof(lf), "%s.1", path);
    append(lf, "a\rb\nc\r\n");
    memset(&g, 0, sizeof(g));
    assert_int_equal(ingest_tail_new(&t, globs, 1, 1 << 20, 0, &err), VIGIL_OK);
    assert_int_equal(ingest_tail_scan(t, get_cp, NULL, &err), VIGIL_OK);
    poll_all(t, &g, 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.lines[0], "a\rb");
    assert_string_equal(g.lines[1], "c\r"); /* the decoder strips it */
    ingest_tail_free(t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_partial_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotate_rename, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copytruncate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncate_regrown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume_checkpoint, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_double_rotation_while_down, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_overlong, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cr_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nul_padding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_double_rotation_same_time, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_linger_after_grace, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_rename_late_reopen, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_copytruncate_reads_copy, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_truncate_loss_counted, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_rotated_compressed_while_down,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
