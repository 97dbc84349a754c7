/* test_sigma_conformance.c -- SigmaHQ's regression cases: with every
 * SigmaHQ rule loaded, the rule named by each case's info.yml must match
 * its sample exactly match_count times (at least once when no count is
 * given). Each sample is replayed twice: from its .json rendering
 * (flattened here the way the EVTX reader names fields) and from the
 * .evtx file through vigil_evtx_read_file. Failures are listed with the
 * case path; docs/sigma-conformance.md records the current ones. */
#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vigil_test.h"

/* paths are bounded by the case table; truncation is checked by use */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#include "detect/detect.h"
#include "parse/parse.h"

struct tcase {
    char dir[1024];
    char id[64];
    char path[1024];
    long count; /* -1: at least one */
};

static struct tcase cases[256];
static size_t ncases;
static struct vigil_detect *eng;

static void
trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
}

static void
read_info(const char *dir, const char *file)
{
    char p[2048], line[1024];
    FILE *f;
    int in_meta = 0, in_tests = 0;
    struct tcase *c;

    if (ncases == sizeof(cases) / sizeof(cases[0]))
        return;
    snprintf(p, sizeof(p), "%s/%s", dir, file);
    f = fopen(p, "r");
    if (!f)
        return;
    c = &cases[ncases];
    memset(c, 0, sizeof(*c));
    c->count = -1;
    snprintf(c->dir, sizeof(c->dir), "%s", dir);
    while (fgets(line, sizeof(line), f)) {
        char *s = line;
        trim(line);
        if (strncmp(line, "rule_metadata:", 14) == 0) {
            in_meta = 1;
            in_tests = 0;
            continue;
        }
        if (strncmp(line, "regression_tests_info:", 22) == 0) {
            in_tests = 1;
            in_meta = 0;
            continue;
        }
        while (*s == ' ' || *s == '-')
            s++;
        if (*s == '#')
            continue;
        if (in_meta && strncmp(s, "id: ", 4) == 0 && !c->id[0])
            snprintf(c->id, sizeof(c->id), "%s", s + 4);
        if (in_tests && strncmp(s, "match_count: ", 13) == 0)
            c->count = strtol(s + 13, NULL, 10);
        if (in_tests && strncmp(s, "path: ", 6) == 0 && !c->path[0])
            snprintf(c->path, sizeof(c->path), "%s", s + 6);
    }
    fclose(f);
    if (c->id[0] && c->path[0])
        ncases++;
}

static void
walk(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (!d)
        return;
    while ((de = readdir(d))) {
        char p[2048];
        struct stat st;
        if (de->d_name[0] == '.')
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        if (stat(p, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            walk(p);
        else if (strcmp(de->d_name, "info.yml") == 0)
            read_info(dir, de->d_name);
    }
    closedir(d);
}

/* ---- JSON rendering to a vigil event ---- */

static void
add_scalar(struct vigil_event *ev, const char *name, size_t nl, json_t *v)
{
    char buf[64];

    if (json_is_string(v))
        vigil_event_add_dyn(ev, name, nl,
                            vigil_arena_strndup(ev->arena, json_string_value(v),
                                                json_string_length(v)),
                            json_string_length(v));
    else if (json_is_integer(v)) {
        int n = snprintf(buf, sizeof(buf), "%lld",
                         (long long)json_integer_value(v));
        vigil_event_add_dyn(ev, name, nl,
                            vigil_arena_strndup(ev->arena, buf, (size_t)n),
                            (size_t)n);
    } else if (json_is_real(v)) {
        int n = snprintf(buf, sizeof(buf), "%g", json_real_value(v));
        vigil_event_add_dyn(ev, name, nl,
                            vigil_arena_strndup(ev->arena, buf, (size_t)n),
                            (size_t)n);
    } else if (json_is_boolean(v)) {
        const char *t = json_is_true(v) ? "true" : "false";
        vigil_event_add_dyn(ev, name, nl, t, strlen(t));
    }
}

static void
flatten(struct vigil_event *ev, const char *prefix, json_t *o)
{
    const char *k;
    json_t *v;

    json_object_foreach(o, k, v)
    {
        char name[256];
        if (strcmp(k, "#attributes") == 0) {
            const char *ak;
            json_t *av;
            json_object_foreach(v, ak, av)
            {
                if (strncmp(ak, "xmlns", 5) == 0)
                    continue;
                int n = snprintf(name, sizeof(name), "%s_%s", prefix, ak);
                add_scalar(ev, name, (size_t)n, av);
            }
            continue;
        }
        if (json_is_object(v)) {
            flatten(ev, k, v);
            continue;
        }
        add_scalar(ev, k, strlen(k), v);
    }
}

static void
json_to_event(struct vigil_event *ev, json_t *root)
{
    json_t *e = json_object_get(root, "Event");
    json_t *sys = json_object_get(e, "System");
    json_t *data = json_object_get(e, "EventData");
    json_t *ud = json_object_get(e, "UserData");
    const char *k;
    json_t *v;

    if (sys)
        flatten(ev, "", sys);
    if (data && json_is_object(data))
        flatten(ev, "EventData", data);
    if (ud)
        json_object_foreach(ud, k, v) if (json_is_object(v)) flatten(ev, k, v);
    const struct vigil_field *t = vigil_event_get(ev, "TimeCreated_SystemTime");
    if (t)
        vigil_time_parse_rfc3339(t->text, t->text_len, &ev->time_ns);
}

struct counter {
    const char *id;
    long n;
};

static int
on_match(const struct vigil_detect_match *m, void *arg)
{
    struct counter *c = arg;
    if (strcmp(m->rule->id, c->id) == 0)
        c->n++;
    return 0;
}

static long
run_json(struct vigil_detect_ctx *ctx, const char *path, const char *id)
{
    char *data = NULL;
    size_t len = 0, pos = 0;
    struct vigil_err err = {0};
    struct counter cnt = {id, 0};
    struct vigil_arena arena;
    static struct vigil_event ev;

    if (vigil_read_file(path, 64 << 20, &data, &len, &err) != VIGIL_OK)
        return -2;
    vigil_arena_init(&arena, 64 * 1024, 64 << 20);
    while (pos < len) {
        json_error_t je;
        while (pos < len && (data[pos] == ' ' || data[pos] == '\n' ||
                             data[pos] == '\r' || data[pos] == '\t'))
            pos++;
        if (pos >= len)
            break;
        json_t *root =
            json_loadb(data + pos, len - pos, JSON_DISABLE_EOF_CHECK, &je);
        if (!root)
            break;
        pos += je.position;
        vigil_arena_reset(&arena);
        vigil_event_init(&ev, &arena);
        json_to_event(&ev, root);
        vigil_detect_match(ctx, &ev, on_match, &cnt, NULL);
        json_decref(root);
    }
    vigil_arena_fini(&arena);
    free(data);
    return cnt.n;
}

struct evtx_run {
    struct vigil_detect_ctx *ctx;
    struct counter cnt;
};

static enum vigil_rc
on_evtx(struct vigil_event *ev, void *arg)
{
    struct evtx_run *r = arg;
    vigil_detect_match(r->ctx, ev, on_match, &r->cnt, NULL);
    return VIGIL_OK;
}

static long
run_evtx(struct vigil_detect_ctx *ctx, const char *path, const char *id)
{
    struct evtx_run r = {ctx, {id, 0}};
    struct vigil_evtx_stats st = {0};
    struct vigil_err err = {0};

    if (vigil_evtx_read_file(path, on_evtx, &r, &st, &err) != VIGIL_OK)
        return -2;
    return r.cnt.n;
}

static int
ok_count(long got, long want)
{
    return want < 0 ? got >= 1 : got == want;
}

static void
test_conformance(void **state)
{
    char root[1024], rules[1024];
    struct vigil_err err = {0};
    struct vigil_detect_ctx *ctx = NULL;
    size_t pass_json = 0, pass_evtx = 0, n_evtx = 0;
    static const char *const dirs[] = {"rules", "rules-emerging-threats",
                                       "rules-threat-hunting",
                                       "rules-placeholder", "rules-compliance"};

    (void)state;
    VIGIL_NEED_CORPUS(root, "sigmahq-sigma/regression_data");
    assert_int_equal(vigil_detect_new(&eng, NULL, &err), VIGIL_OK);
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        snprintf(rules, sizeof(rules), "%s/sigmahq-sigma/%s",
                 vigil_test_corpus(), dirs[i]);
        assert_int_equal(vigil_detect_add_path(eng, rules, &err), VIGIL_OK);
    }
    assert_int_equal(vigil_detect_compile(eng, &err), VIGIL_OK);
    assert_int_equal(vigil_detect_ctx_new(&ctx, eng, &err), VIGIL_OK);
    walk(root);
    /* 161 cases; cisco_cli_dot1x_disabled has its test entry commented out */
    assert_int_equal(ncases, 160);
    for (size_t i = 0; i < ncases; i++) {
        struct tcase *c = &cases[i];
        char p[4096], jp[4096];
        long got;

        snprintf(p, sizeof(p), "%s/sigmahq-sigma/%s", vigil_test_corpus(),
                 c->path);
        snprintf(jp, sizeof(jp), "%s/%s.json", c->dir, c->id);
        got = run_json(ctx, jp, c->id);
        if (ok_count(got, c->count))
            pass_json++;
        else
            printf("FAIL json %s: rule %s expected %ld matches, got %ld\n",
                   c->dir + strlen(vigil_test_corpus()) + 1, c->id, c->count,
                   got);
        size_t pl = strlen(p);
        if (pl > 5 && strcmp(p + pl - 5, ".evtx") == 0) {
            n_evtx++;
            got = run_evtx(ctx, p, c->id);
            if (ok_count(got, c->count))
                pass_evtx++;
            else
                printf("FAIL evtx %s: rule %s expected %ld matches, got "
                       "%ld\n",
                       c->dir + strlen(vigil_test_corpus()) + 1, c->id,
                       c->count, got);
        }
    }
    printf("conformance: json %zu/%zu passed, evtx %zu/%zu passed\n", pass_json,
           ncases, pass_evtx, n_evtx);
    vigil_detect_ctx_free(ctx);
    vigil_detect_free(eng);
    assert_true(pass_json * 100 >= ncases * 95);
    assert_true(pass_evtx * 100 >= n_evtx * 95);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conformance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
