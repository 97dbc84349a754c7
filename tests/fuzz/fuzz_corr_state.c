/* fuzz_corr_state.c -- libFuzzer target for saved correlation groups,
 * which the daemon reads back from its store at start: the input is one
 * selector byte (which of five correlations: event_count with a sliding
 * and with a closing window, value_count, temporal, temporal_ordered) and
 * a row's value. The row's key is made from the group key the value
 * declares, as the daemon writes it, so the fuzzer gets past the key check
 * to every field. A row must be restored or refused; a restored group is
 * saved again, and closed by a tick that decides its window. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "detect/detect.h"
#include "detect/detect_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char rules[] =
    "title: f\nid: f-1\nname: failed\nlogsource:\n  product: test\n"
    "detection:\n  sel:\n    EventID: 4625\n  condition: sel\n---\n"
    "title: s\nid: s-1\nname: success\nlogsource:\n  product: test\n"
    "detection:\n  sel:\n    EventID: 4624\n  condition: sel\n---\n"
    "title: c1\nid: c-1\ncorrelation:\n  type: event_count\n"
    "  rules: [failed]\n  group-by: [U]\n  timespan: 5m\n"
    "  condition:\n    gte: 3\n---\n"
    "title: c2\nid: c-2\ncorrelation:\n  type: event_count\n"
    "  rules: [failed]\n  group-by: [U]\n  timespan: 5m\n"
    "  condition:\n    lt: 2\n---\n"
    "title: c3\nid: c-3\ncorrelation:\n  type: value_count\n"
    "  rules: [failed]\n  group-by: [IP]\n  timespan: 5m\n"
    "  condition:\n    field: U\n    gte: 3\n---\n"
    "title: c4\nid: c-4\ncorrelation:\n  type: temporal\n"
    "  rules: [failed, success]\n  group-by: [U]\n  timespan: 5m\n---\n"
    "title: c5\nid: c-5\ncorrelation:\n  type: temporal_ordered\n"
    "  rules: [failed, success]\n  group-by: [U]\n  timespan: 5m\n";

#define NCORR 5

static struct vigil_detect *d;
static struct vigil_detect_ctx *c;
static char prefix[NCORR][20]; /* "c<identity>/" of each correlation */
static size_t nprefix;

static int
get_prefix(const char *key, const void *blob, size_t len, int64_t last_ns,
           void *arg)
{
    (void)blob;
    (void)len;
    (void)last_ns;
    (void)arg;
    if (nprefix < NCORR)
        snprintf(prefix[nprefix++], sizeof(prefix[0]), "%.18s", key);
    return 0;
}

static int
resave(const char *key, const void *blob, size_t len, int64_t last_ns,
       void *arg)
{
    (void)key;
    (void)blob;
    (void)last_ns;
    *(size_t *)arg += len;
    return 0;
}

static int
init(void)
{
    struct vigil_err err = {0};
    static struct vigil_event ev;
    struct vigil_arena a;

    if (vigil_detect_new(&d, NULL, &err) != VIGIL_OK ||
        vigil_detect_add_mem(d, "c.yml", rules, sizeof(rules) - 1, &err) !=
            VIGIL_OK ||
        vigil_detect_compile(d, &err) != VIGIL_OK ||
        vigil_detect_ctx_new(&c, d, &err) != VIGIL_OK)
        return 0;
    /* one group in each, to learn the identities the keys start with */
    vigil_arena_init(&a, 4096, 1 << 20);
    vigil_event_init(&ev, &a);
    ev.time_ns = 1000000000000LL;
    vigil_event_add_strz(&ev, "EventID", "4625");
    vigil_event_add_strz(&ev, "U", "u");
    vigil_event_add_strz(&ev, "IP", "1.2.3.4");
    vigil_detect_match(c, &ev, NULL, NULL, NULL);
    detect_corr_state_each(d, get_prefix, NULL);
    vigil_detect_corr_tick(c, INT64_MAX, NULL, NULL);
    vigil_arena_fini(&a);
    return nprefix == NCORR;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready = -1;
    char key[1 + 16 + 1 + 800 + 1];
    size_t o, klen, sl, saved = 0;

    if (ready < 0)
        ready = init();
    if (!ready || size < 1 || size > 65536)
        return 0;
    o = (size_t)snprintf(key, sizeof(key), "%s", prefix[data[0] % NCORR]);
    data++;
    size--;
    /* the group key where the value says it is, in hex as the daemon
     * writes it (past 400 bytes the key is a digest: left wrong) */
    if (size >= 48) {
        sl = data[7];
        klen = (size_t)data[8] | (size_t)data[9] << 8 | (size_t)data[10] << 16 |
               (size_t)data[11] << 24;
        if (klen <= 400 && 48 + sl + klen <= size)
            for (size_t i = 0; i < klen; i++)
                o += (size_t)snprintf(key + o, sizeof(key) - o, "%02x",
                                      data[48 + sl + i]);
    }
    if (detect_corr_state_load(d, key, data, size) == VIGIL_OK) {
        detect_corr_state_each(d, resave, &saved);
        if (saved == 0)
            __builtin_trap(); /* a restored group is not saved again */
    }
    vigil_detect_corr_tick(c, INT64_MAX, NULL, NULL);
    return 0;
}
