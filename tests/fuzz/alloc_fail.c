/* alloc_fail.c -- allocation-failure injection for the parsers, after
 * SQLite's malloc tests. Linked with -Wl,--wrap for malloc, calloc,
 * realloc, strdup, strndup and free, so every allocation made by vigil's
 * own code (the static library) passes through the counters below; the
 * libraries vigil calls (libyaml, PCRE2, ...) keep theirs.
 *
 * For each input: a warm-up run (one-time initialisation), a counting run
 * (n allocations, the reference output), then for N = 1..n a run where
 * the Nth allocation fails. That run must return VIGIL_ENOMEM (in both
 * the return value and the struct vigil_err) -- or, for an input the
 * clean run refuses, that same refusal -- never success with less built
 * and never a parse error for good input; it must leave no allocation
 * behind, and must not crash (ASan and UBSan watch in the sanitizer
 * build); a clean run straight after must give the reference output
 * again, so no half-built state survived the failure.
 *
 * Usage: alloc_fail PARSER PATH...
 *   PARSER: json, syslog, cef, config, sigma, file (JSON lines read by
 *   vigil_parse_file); PATH: seed files or folders
 *   of seeds (one level).
 * Prints one line per parser with the allocation points walked. Exit: 0
 * every point failed cleanly, 1 one did not, 77 no input found. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "detect/detect.h"
#include "parse/parse.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t m, size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t m, size_t n);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
void __wrap_free(void *p);

/* Counting is armed only around a parser run, so the harness's own
 * allocations neither count nor fail. */
static int g_armed;
static unsigned long g_count;   /* allocations attempted while armed */
static unsigned long g_fail_at; /* 1-based allocation to fail; 0: none */
static int g_failed;            /* the injected failure happened */
static long g_live;             /* armed allocations less armed frees */

/* Returns 1 if this allocation must fail. */
static int
inject(void)
{
    if (!g_armed)
        return 0;
    if (++g_count == g_fail_at) {
        g_failed = 1;
        return 1;
    }
    return 0;
}

void *
__wrap_malloc(size_t n)
{
    void *p = inject() ? NULL : __real_malloc(n);
    g_live += g_armed && p != NULL;
    return p;
}

void *
__wrap_calloc(size_t m, size_t n)
{
    void *p = inject() ? NULL : __real_calloc(m, n);
    g_live += g_armed && p != NULL;
    return p;
}

void *
__wrap_realloc(void *p, size_t n)
{
    void *q;

    if (p != NULL && n == 0) {
        __wrap_free(p);
        return NULL;
    }
    if (inject())
        return NULL;
    q = __real_realloc(p, n);
    g_live += g_armed && p == NULL && q != NULL;
    return q;
}

char *
__wrap_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = __wrap_malloc(n);

    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

char *
__wrap_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = __wrap_malloc(len + 1);

    if (p != NULL) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

void
__wrap_free(void *p)
{
    g_live -= g_armed && p != NULL;
    __real_free(p);
}

/* ---- the parsers under test ---- */

/* One run of a parser over text: returns its rc, fills err, and writes a
 * rendering of what it built into out (the harness's, unarmed). */
typedef enum vigil_rc (*parser_fn)(const char *text, size_t len,
                                   struct vigil_err *err,
                                   struct vigil_buf *out);

/* A line decoder, then the event as JSON (the renderer allocates too). */
static enum vigil_rc
run_decoder(const char *name, const char *text, size_t len,
            struct vigil_err *err, struct vigil_buf *out)
{
    static const struct vigil_parse_opts opts = {.now_ns =
                                                     1700000000000000000LL};
    struct vigil_arena arena;
    struct vigil_event ev;
    struct vigil_buf json;
    enum vigil_rc rc;

    /* Small chunks: most field copies take a chunk of their own, so the
     * walk fails them one by one rather than one 64 KiB chunk. */
    vigil_arena_init(&arena, 32, 64 << 20);
    vigil_buf_init(&json, 64 << 20);
    vigil_event_init(&ev, &arena);
    rc = vigil_decode_line(vigil_decoder_by_name(name), &ev, text, len, &opts);
    if (rc == VIGIL_OK)
        rc = vigil_event_to_json(&ev, &json);
    if (rc != VIGIL_OK) /* the decoders return a bare rc */
        (void)vigil_err_set(err, rc, "%s decoder", name);
    g_armed = 0;
    if (rc == VIGIL_OK)
        (void)vigil_buf_append(out, json.data, json.len);
    g_armed = 1;
    vigil_buf_fini(&json);
    vigil_arena_fini(&arena);
    return rc;
}

static enum vigil_rc
run_json(const char *text, size_t len, struct vigil_err *err,
         struct vigil_buf *out)
{
    return run_decoder("json", text, len, err, out);
}

static enum vigil_rc
run_syslog(const char *text, size_t len, struct vigil_err *err,
           struct vigil_buf *out)
{
    return run_decoder("syslog", text, len, err, out);
}

static enum vigil_rc
run_cef(const char *text, size_t len, struct vigil_err *err,
        struct vigil_buf *out)
{
    return run_decoder("cef", text, len, err, out);
}

struct file_out {
    struct vigil_buf json;
    enum vigil_rc rc; /* the rendering's own failure, which stops the read */
};

/* Appends an event of a file as a JSON line to the rendering. */
static int
file_event(const struct vigil_event *ev, void *arg)
{
    struct file_out *fo = arg;

    if ((fo->rc = vigil_event_to_json(ev, &fo->json)) == VIGIL_OK)
        fo->rc = vigil_buf_putc(&fo->json, '\n');
    return fo->rc != VIGIL_OK;
}

/* The text as a log file read by vigil_parse_file (the reading behind
 * `vigil parse`): a line whose decoding runs out of memory must stop the
 * read with ENOMEM, not count as a bad line. */
static enum vigil_rc
run_file(const char *text, size_t len, struct vigil_err *err,
         struct vigil_buf *out)
{
    static char path[64];
    struct vigil_parse_file_opts po;
    struct vigil_parse_file_stats st = {0};
    struct file_out fo;
    enum vigil_rc rc = VIGIL_EIO;
    FILE *f;

    g_armed = 0; /* the harness's file, written unarmed */
    if (path[0] == '\0')
        snprintf(path, sizeof(path), "/tmp/alloc_fail.%ld.log", (long)getpid());
    f = fopen(path, "wb");
    if (f != NULL) {
        int wrote = fwrite(text, 1, len, f) == len;
        if (fclose(f) == 0 && wrote) /* closed once, whatever happened */
            rc = VIGIL_OK;
    }
    g_armed = 1;
    if (rc != VIGIL_OK)
        return vigil_err_set(err, rc, "cannot write %s", path);
    memset(&po, 0, sizeof(po));
    po.forced = vigil_decoder_by_name("json");
    po.parse.now_ns = 1700000000000000000LL;
    vigil_buf_init(&fo.json, 64 << 20);
    fo.rc = VIGIL_OK;
    rc = vigil_parse_file(path, &po, file_event, &fo, &st, err);
    if (rc == VIGIL_END && fo.rc != VIGIL_OK)
        rc = vigil_err_set(err, fo.rc, "rendering the events");
    g_armed = 0;
    if (rc == VIGIL_OK) {
        (void)vigil_buf_append(out, fo.json.data, fo.json.len);
        (void)vigil_buf_printf(out, "%llu events, %llu failed\n",
                               (unsigned long long)st.events,
                               (unsigned long long)st.failed);
    }
    (void)unlink(path);
    g_armed = 1;
    vigil_buf_fini(&fo.json);
    return rc;
}

static enum vigil_rc
run_config(const char *text, size_t len, struct vigil_err *err,
           struct vigil_buf *out)
{
    struct vigil_daemon_config *cfg = NULL;
    enum vigil_rc rc;

    (void)out;
    rc = vigil_daemon_config_load_mem(&cfg, "seed.yml", text, len, err);
    vigil_daemon_config_free(cfg);
    return rc;
}

/* A Sigma rule file: loaded and compiled. */
static enum vigil_rc
run_sigma(const char *text, size_t len, struct vigil_err *err,
          struct vigil_buf *out)
{
    struct vigil_detect *d = NULL;
    enum vigil_rc rc;

    (void)out;
    if ((rc = vigil_detect_new(&d, NULL, err)) == VIGIL_OK &&
        (rc = vigil_detect_add_mem(d, "seed.yml", text, len, err)) == VIGIL_OK)
        rc = vigil_detect_compile(d, err);
    vigil_detect_free(d);
    return rc;
}

static const struct {
    const char *name;
    parser_fn fn;
} parsers[] = {
    {"json", run_json},     {"syslog", run_syslog}, {"cef", run_cef},
    {"config", run_config}, {"sigma", run_sigma},   {"file", run_file},
};

/* ---- the walk ---- */

struct walk {
    parser_fn fn;
    unsigned long inputs, points, bad, wrong_rc;
};

/* One armed run failing allocation fail_at (0: none); returns its rc. */
static enum vigil_rc
armed_run(struct walk *w, const char *text, size_t len, unsigned long fail_at,
          struct vigil_err *err, struct vigil_buf *out, long *leaked)
{
    long live = g_live;
    enum vigil_rc rc;

    vigil_err_clear(err);
    g_count = 0;
    g_fail_at = fail_at;
    g_failed = 0;
    g_armed = 1;
    rc = w->fn(text, len, err, out);
    g_armed = 0;
    *leaked = g_live - live;
    return rc;
}

static void
walk_input(struct walk *w, const char *path, const char *text, size_t len)
{
    struct vigil_buf ref, again;
    struct vigil_err err;
    enum vigil_rc ref_rc, rc;
    unsigned long n;
    long leaked;

    vigil_buf_init(&ref, 64 << 20);
    vigil_buf_init(&again, 64 << 20);
    (void)armed_run(w, text, len, 0, &err, &ref, &leaked); /* warm-up */
    vigil_buf_reset(&ref);
    ref_rc = armed_run(w, text, len, 0, &err, &ref, &leaked);
    n = g_count;
    if (leaked != 0) {
        printf("FAIL %s: %ld allocations leaked without a failure\n", path,
               leaked);
        w->bad++;
    }
    for (unsigned long i = 1; i <= n; i++) {
        rc = armed_run(w, text, len, i, &err, &again, &leaked);
        /* ENOMEM, or the refusal the clean run gave (the failed
         * allocation was on the way to that refusal). */
        if (g_failed && !(rc == VIGIL_ENOMEM && err.rc == VIGIL_ENOMEM) &&
            !(ref_rc != VIGIL_OK && rc == ref_rc)) {
            printf("FAIL %s: allocation %lu of %lu failed, rc %s (err %s: "
                   "%s), want ENOMEM\n",
                   path, i, n, vigil_strerror(rc), vigil_strerror(err.rc),
                   err.msg);
            w->wrong_rc++;
            w->bad++;
        }
        if (leaked != 0) {
            printf("FAIL %s: allocation %lu of %lu failed, %ld leaked\n", path,
                   i, n, leaked);
            w->bad++;
        }
        vigil_buf_reset(&again);
        rc = armed_run(w, text, len, 0, &err, &again, &leaked);
        if (rc != ref_rc || again.len != ref.len ||
            (ref.len && memcmp(again.data, ref.data, ref.len) != 0)) {
            printf("FAIL %s: after failing allocation %lu the next run "
                   "differs (rc %s, was %s)\n",
                   path, i, vigil_strerror(rc), vigil_strerror(ref_rc));
            w->bad++;
        }
        vigil_buf_reset(&again);
    }
    w->inputs++;
    w->points += n;
    vigil_buf_fini(&ref);
    vigil_buf_fini(&again);
}

static void
walk_file(struct walk *w, const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    long len;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0 ||
        (text = malloc((size_t)len + 1)) == NULL ||
        fread(text, 1, (size_t)len, f) != (size_t)len) {
        printf("FAIL %s: cannot read\n", path);
        w->bad++;
    } else {
        text[len] = '\0';
        walk_input(w, path, text, (size_t)len);
    }
    free(text);
    if (f != NULL)
        fclose(f);
}

int
main(int argc, char **argv)
{
    struct walk w = {NULL, 0, 0, 0, 0};
    size_t np = sizeof(parsers) / sizeof(parsers[0]);

    for (size_t i = 0; argc > 1 && i < np; i++)
        if (strcmp(argv[1], parsers[i].name) == 0)
            w.fn = parsers[i].fn;
    if (w.fn == NULL) {
        fprintf(stderr, "usage: alloc_fail "
                        "json|syslog|cef|config|sigma|file PATH...\n");
        return 64;
    }
    for (int i = 2; i < argc; i++) {
        struct dirent **ents = NULL;
        struct stat st;
        int n;

        if (stat(argv[i], &st) != 0)
            continue;
        if (!S_ISDIR(st.st_mode)) {
            walk_file(&w, argv[i]);
            continue;
        }
        n = scandir(argv[i], &ents, NULL, alphasort);
        for (int j = 0; j < n; j++) {
            char path[4096];

            if (snprintf(path, sizeof(path), "%s/%s", argv[i],
                         ents[j]->d_name) < (int)sizeof(path) &&
                stat(path, &st) == 0 && S_ISREG(st.st_mode))
                walk_file(&w, path);
            free(ents[j]);
        }
        free(ents);
    }
    printf("%s: %lu inputs, %lu allocation points failed one at a time, "
           "%lu without ENOMEM, %lu problems\n",
           argv[1], w.inputs, w.points, w.wrong_rc, w.bad);
    if (w.bad)
        return 1;
    return w.inputs ? 0 : 77;
}
