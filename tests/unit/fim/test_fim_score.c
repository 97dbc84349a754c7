/* Tests for the ransomware scorer's judgement of content and names
 * (fim_ransom.c), one per evasion technique of FIND12: armoured (base64,
 * hex) ciphertext, a format's magic kept over ciphertext, encryption
 * after the header, wipers (emptied, zeroed, mass deletion), a temporary
 * file put in place, slow encryption under the fast threshold, and the
 * false alarms of ordinary work (git's lock files and object churn,
 * copies of compressed or encrypted files, ordinary extensions). */
#include "vigil_test.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fim/fim_ransom.h"

static unsigned rng = 2463534242u;

static unsigned
next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static void
fill_random(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(next() >> 24);
}

/* base64 of n random bytes into out (lines of 64), returns its length */
static size_t
random_b64(char *out, size_t n)
{
    static const char al[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        out[k++] = al[(next() >> 20) & 63];
        if (i % 64 == 63)
            out[k++] = '\n';
    }
    return k;
}

static const char prose[] =
    "The committee met on Tuesday to review the budget for the coming "
    "year. Members agreed that the library's opening hours should be "
    "extended, and asked the treasurer to report on the cost in March.\n";

static size_t
fill_prose(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)prose[i % (sizeof(prose) - 1)];
    return n;
}

static char dir[] = "/tmp/fimscore-unit-XXXXXX";

/* A file named name holding p[0..n); returns an fd open on it. */
static int
file_of(const char *name, const void *p, size_t n)
{
    char path[256];
    int fd;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, p, n), (ssize_t)n);
    return fd;
}

static enum fim_class
class_of(const char *name, const void *p, size_t n)
{
    static unsigned char scratch[4096];
    struct fim_sample smp;
    int fd = file_of(name, p, n);

    fim_sample_fd(fd, name, (int64_t)n, scratch, sizeof(scratch), &smp);
    close(fd);
    return smp.cls;
}

static void
test_armoured(void **state)
{
    static char b[65536];
    static unsigned char raw[8192];
    size_t n;

    (void)state;
    /* base64 of ciphertext: 6 bits per symbol, under the 7.5 bar of
     * bytes, but uniform over its alphabet */
    n = random_b64(b, 8000);
    assert_true(fim_looks_armoured((unsigned char *)b, 4096));
    assert_false(fim_looks_encrypted(vigil_fim_entropy(b, 4096),
                                     4096)); /* what the old code saw */
    assert_int_equal(class_of("report.txt", b, n), FIM_CLS_ARMOURED);
    /* hex of ciphertext */
    for (size_t i = 0; i < 8000; i++)
        b[i] = "0123456789abcdef"[next() >> 28];
    assert_true(fim_looks_armoured((unsigned char *)b, 4096));
    /* prose, and base64 of prose (skewed), are not */
    fill_prose((unsigned char *)b, 8000);
    assert_false(fim_looks_armoured((unsigned char *)b, 4096));
    assert_int_equal(class_of("minutes.txt", b, 8000), FIM_CLS_PLAIN);
    {
        static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"
                                 "rstuvwxyz0123456789+/";
        size_t k = 0;
        fill_prose(raw, 3000);
        for (size_t i = 0; i + 3 <= 3000; i += 3) {
            unsigned v =
                (unsigned)raw[i] << 16 | (unsigned)raw[i + 1] << 8 | raw[i + 2];
            for (int j = 3; j >= 0; j--)
                b[k++] = al[(v >> (6 * j)) & 63];
        }
        assert_false(fim_looks_armoured((unsigned char *)b, k));
    }
    /* a short alphabet (digits of a table) is not a cipher's */
    for (size_t i = 0; i < 4096; i++)
        b[i] = "0123456789"[next() % 10];
    assert_false(fim_looks_armoured((unsigned char *)b, 4096));
}

/* A minimal ZIP: one stored entry of n random bytes (as deflate's output
 * looks), then the central directory's signature. */
static size_t
make_zip(unsigned char *z, size_t n)
{
    static const char name[] = "word/document.xml";
    size_t nl = sizeof(name) - 1, k = 0;

    memcpy(z, "PK\3\4", 4);
    memset(z + 4, 0, 26);
    z[4] = 20; /* version 2.0 */
    z[8] = 8;  /* deflate */
    z[18] = (unsigned char)(n & 0xff);
    z[19] = (unsigned char)(n >> 8 & 0xff);
    z[20] = (unsigned char)(n >> 16 & 0xff);
    z[26] = (unsigned char)nl;
    memcpy(z + 30, name, nl);
    k = 30 + nl;
    fill_random(z + k, n);
    k += n;
    memcpy(z + k, "PK\1\2", 4);
    memset(z + k + 4, 0, 60);
    return k + 64;
}

static void
test_formats(void **state)
{
    static unsigned char b[40000];
    size_t n;

    (void)state;
    /* a real ZIP-based document is random-looking by nature */
    n = make_zip(b, 20000);
    assert_int_equal(class_of("budget.docx", b, n), FIM_CLS_FORMAT);
    /* ciphertext behind a kept "PK\3\4" (FIND12 7): the old check passed
     * it on its magic alone */
    fill_random(b, sizeof(b));
    memcpy(b, "PK\3\4", 4);
    assert_true(fim_magic_ok("budget.docx", b, 4));
    assert_int_equal(class_of("budget.docx", b, 20000), FIM_CLS_ENCRYPTED);
    /* a PDF: objects in clear text, %%EOF at the end */
    fill_random(b, sizeof(b));
    memcpy(b, "%PDF-1.7\n1 0 obj\n<< /Length 19000 >>\nstream\n", 44);
    memcpy(b + 20000 - 30, "\nendstream\nendobj\n%%EOF\n", 24);
    assert_int_equal(class_of("scan.pdf", b, 20000), FIM_CLS_FORMAT);
    fill_random(b, sizeof(b));
    memcpy(b, "%PDF-1.7\n", 9);
    assert_int_equal(class_of("scan.pdf", b, 20000), FIM_CLS_ENCRYPTED);
    /* a JPEG: a chain of marker segments, then the scan */
    fill_random(b, sizeof(b));
    memcpy(b,
           "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01"
           "\x00\x00\xff\xdb\x00\x04\x00\x00\xff\xda\x00\x08",
           30);
    assert_int_equal(class_of("photo.jpg", b, 20000), FIM_CLS_FORMAT);
    fill_random(b, sizeof(b));
    memcpy(b, "\xff\xd8\xff", 3);
    assert_int_equal(class_of("photo.jpg", b, 20000), FIM_CLS_ENCRYPTED);
    /* a header in clear, the rest encrypted: blocks after it are sampled */
    fill_prose(b, 4096);
    fill_random(b + 4096, 20000);
    assert_int_equal(class_of("notes.txt", b, 24096), FIM_CLS_ENCRYPTED);
    /* only the first 4 KiB encrypted (LockBit 3's partial mode) */
    fill_random(b, 4096);
    fill_prose(b + 4096, 30000);
    assert_int_equal(class_of("notes.txt", b, 34096), FIM_CLS_ENCRYPTED);
    /* emptied, zeroed (or holes punched: they read as zeros) */
    assert_int_equal(class_of("notes.txt", b, 0), FIM_CLS_EMPTY);
    memset(b, 0, 30000);
    assert_int_equal(class_of("notes.txt", b, 30000), FIM_CLS_ZERO);
}

static void
test_judge(void **state)
{
    static struct fim_scores t;
    struct fim_sample plain = {.cls = FIM_CLS_PLAIN};
    struct fim_sample arm = {.cls = FIM_CLS_ARMOURED};
    struct fim_sample enc = {.cls = FIM_CLS_ENCRYPTED};
    struct fim_sample fmt = {.cls = FIM_CLS_FORMAT};
    struct fim_sample empty = {.cls = FIM_CLS_EMPTY};
    struct fim_sample zero = {.cls = FIM_CLS_ZERO};

    (void)state;
    memset(&t, 0, sizeof(t));
    /* an existing file rewritten from text into armoured ciphertext */
    assert_int_equal(fim_judge_write(&t, "/s/a.txt", &plain, 1), -1);
    assert_int_equal(fim_judge_write(&t, "/s/a.txt", &arm, 0), FIM_SIG_ENTROPY);
    /* a file that already looked random (a vault saved again): not */
    assert_int_equal(fim_judge_write(&t, "/s/a.txt", &arm, 0), -1);
    assert_int_equal(fim_judge_write(&t, "/s/v.kdbx", &enc, 0),
                     FIM_SIG_ENTROPY); /* unknown before: counts */
    assert_int_equal(fim_judge_write(&t, "/s/v.kdbx", &enc, 0), -1);
    /* a new file is a copy: nothing destroyed */
    assert_int_equal(fim_judge_write(&t, "/s/b.gpg", &enc, 1),
                     FIM_SIG_ENTROPY_NEW);
    /* deleted, then written again under its name: a replacement */
    fim_judge_write(&t, "/s/c.txt", &plain, 0);
    fim_ransom_deleted(&t, "/s/c.txt");
    assert_int_equal(fim_judge_write(&t, "/s/c.txt", &enc, 1), FIM_SIG_ENTROPY);
    /* a real document saved: not */
    assert_int_equal(fim_judge_write(&t, "/s/d.docx", &fmt, 0), -1);
    /* wipers: ": > F", zeros or punched holes */
    assert_int_equal(fim_judge_write(&t, "/s/e.txt", &empty, 0), FIM_SIG_WIPE);
    assert_int_equal(fim_judge_write(&t, "/s/e.txt", &empty, 0), -1);
    assert_int_equal(fim_judge_write(&t, "/s/f.txt", &zero, 0), FIM_SIG_WIPE);
    /* a new empty file (touch) is not */
    assert_int_equal(fim_judge_write(&t, "/s/g.txt", &empty, 1), -1);
}

static void
test_born(void **state)
{
    int64_t now = vigil_time_now();
    int fd = file_of("born.txt", "x", 1);
    struct statx stx;

    (void)state;
    if (statx(fd, "", AT_EMPTY_PATH, STATX_BTIME, &stx) != 0 ||
        !(stx.stx_mask & STATX_BTIME)) {
        close(fd);
        skip(); /* this file system keeps no birth time */
    }
    /* born after the monitor started, moments ago: new */
    assert_true(fim_born_recently(fd, now - VIGIL_NS_PER_SEC,
                                  now + VIGIL_NS_PER_SEC,
                                  10 * VIGIL_NS_PER_SEC));
    /* before the monitor started, or long ago: an existing file */
    assert_false(fim_born_recently(fd, now + VIGIL_NS_PER_SEC,
                                   now + 2 * VIGIL_NS_PER_SEC,
                                   10 * VIGIL_NS_PER_SEC));
    assert_false(fim_born_recently(fd, now - VIGIL_NS_PER_SEC,
                                   now + 60 * VIGIL_NS_PER_SEC,
                                   10 * VIGIL_NS_PER_SEC));
    close(fd);
}

static void
test_extensions(void **state)
{
    (void)state;
    /* git and package managers' lock files are not ransom extensions */
    assert_false(fim_ransom_ext("index.lock"));
    assert_false(fim_ransom_ext("Cargo.lock"));
    assert_false(fim_ransom_ext_renamed("/s/.git/index", "/s/.git/index.lock"));
    assert_false(fim_ransom_ext_renamed("/s/a/x.txt", "/s/a/x.txt.lock"));
    assert_false(fim_ransom_ext_renamed("/s/a/x.txt", "/s/a/x.tmp"));
    /* LockBit's pattern, and an everyday word appended to a whole name */
    assert_true(
        fim_ransom_ext_renamed("/s/report.pdf", "/s/report.pdf.lockbit"));
    assert_true(fim_ransom_ext_renamed("/s/report.pdf", "/s/report.pdf.stop"));
    assert_false(fim_ransom_ext_renamed("/s/game", "/s/game.play"));
    assert_false(fim_ransom_ext("song.play"));
    /* not new for that file */
    assert_false(fim_ransom_ext_renamed("/s/a.lockbit", "/s/b.lockbit"));
    assert_true(fim_vcs_path("/srv/x/.git/objects/ab/cdef"));
    assert_false(fim_vcs_path("/srv/x/gitignore"));
}

static void
test_scores(void **state)
{
    static struct fim_scores t;
    struct vigil_fim_config cfg = {.threshold = 100, .window_ms = 30000};
    int64_t now = 1000 * VIGIL_NS_PER_SEC;
    struct fim_score *s, *u;
    int fired = 0, at = 0;

    (void)state;
    memset(&t, 0, sizeof(t));
    /* copying 50 compressed or encrypted files in: no detection */
    s = fim_score_get(&t, 5, now);
    for (int i = 0; i < 50; i++)
        fired |= fim_score_add(s, FIM_SIG_ENTROPY_NEW, "/s/x.gpg",
                               now + i * 1000000, &cfg);
    assert_false(fired);
    /* git's churn: renames of lock files, deletions of loose objects */
    s = fim_score_get(&t, 4, now);
    for (int i = 0; i < 100; i++) {
        fired |= fim_score_add(s, FIM_SIG_RENAME, "/s/r/.git/index",
                               now + i * 1000000, &cfg);
        fired |= fim_score_add(s, FIM_SIG_DELETE, "/s/r/.git/objects/ab/cd",
                               now + i * 1000000, &cfg);
        fired |= fim_score_add(s, FIM_SIG_EXT, "/s/r/.git/HEAD.lock",
                               now + i * 1000000, &cfg);
    }
    assert_false(fired);
    assert_true(s->score < 1);
    /* a wiper: deleting files en masse, nothing written */
    s = fim_score_get(&t, 3, now);
    for (int i = 1; i <= 60 && !fired; i++) {
        fired = fim_score_add(s, FIM_SIG_DELETE, "/s/doc", now + i * 10000000LL,
                              &cfg);
        at = i;
    }
    assert_int_equal(fired, FIM_DETECT_FAST);
    assert_true(at <= 42);
    /* emptying files (": > F") too */
    s = fim_score_get(&t, 2, now);
    fired = 0;
    for (int i = 1; i <= 60 && !fired; i++)
        fired = fim_score_add(s, FIM_SIG_WIPE, "/s/doc", now + i * 10000000LL,
                              &cfg);
    assert_int_equal(fired, FIM_DETECT_FAST);
    /* slow encryption, one file every 3.1 s: never the fast path, but the
     * long window's alert by the 12th file */
    s = fim_score_get(&t, 9, now);
    fired = 0;
    at = 0;
    for (int i = 1; i <= 14 && !fired; i++) {
        fired = fim_score_add(s, FIM_SIG_ENTROPY, "/s/doc",
                              now + (int64_t)i * 3100 * 1000000, &cfg);
        at = i;
    }
    assert_int_equal(fired, FIM_DETECT_SLOW);
    assert_true(s->is_slow);
    assert_int_equal(at, FIM_SLOW_COUNT);
    /* ... and per user, when each file is a new process group */
    fired = 0;
    at = 0;
    for (int i = 1; i <= 14 && !fired; i++) {
        int64_t when = now + (int64_t)i * 3100 * 1000000;
        s = fim_score_get(&t, 1000 + i, when);
        assert_int_equal(fim_score_add(s, FIM_SIG_ENTROPY, "/s/d", when, &cfg),
                         0);
        fired =
            fim_score_user(&t, 65534, FIM_SIG_ENTROPY, "/s/d", when, &cfg, &u);
        at = i;
    }
    assert_int_equal(fired, FIM_DETECT_SLOW);
    assert_true(u->is_slow);
    assert_int_equal(at, FIM_SLOW_COUNT);
    /* once per long window */
    assert_int_equal(fim_score_user(&t, 65534, FIM_SIG_ENTROPY, "/s/d",
                                    now + 60 * VIGIL_NS_PER_SEC, &cfg, &u),
                     0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_armoured),   cmocka_unit_test(test_formats),
        cmocka_unit_test(test_judge),      cmocka_unit_test(test_born),
        cmocka_unit_test(test_extensions), cmocka_unit_test(test_scores),
    };
    static const char *const names[] = {
        "report.txt", "minutes.txt", "budget.docx", "scan.pdf",
        "photo.jpg",  "notes.txt",   "born.txt"};
    char p[256];
    int rc;

    if (mkdtemp(dir) == NULL)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
    return rc;
}
