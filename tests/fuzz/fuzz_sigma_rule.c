/* fuzz_sigma_rule.c -- libFuzzer target for the Sigma rule loader: any
 * bytes as a rule file must load or be refused with a message, never
 * crash, leak or run unbounded; loaded rules are compiled and matched
 * against a fixed event so the compiled form is exercised too. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "detect/detect.h"

static int
on_match(const struct vigil_detect_match *m, void *arg)
{
    (void)m;
    (void)arg;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vigil_detect *d = NULL;
    struct vigil_detect_ctx *c = NULL;
    struct vigil_err err = {0};
    static struct vigil_event ev;
    struct vigil_arena a;

    if (vigil_detect_new(&d, NULL, &err) != VIGIL_OK)
        return 0;
    vigil_detect_add_mem(d, "fuzz.yml", (const char *)data, size, &err);
    if (vigil_detect_compile(d, &err) == VIGIL_OK &&
        vigil_detect_ctx_new(&c, d, &err) == VIGIL_OK) {
        vigil_arena_init(&a, 4096, 1 << 20);
        vigil_event_init(&ev, &a);
        vigil_event_add_strz(&ev, "Channel",
                             "Microsoft-Windows-Sysmon/Operational");
        vigil_event_add_strz(&ev, "EventID", "1");
        vigil_event_add_strz(&ev, "Image", "C:\\Windows\\System32\\cmd.exe");
        vigil_event_add_strz(&ev, "CommandLine",
                             "cmd.exe /c whoami -enc d2hvYW1p");
        vigil_event_add_strz(&ev, "SourceIp", "10.1.2.3");
        vigil_event_add_strz(&ev, "Count", "42");
        ev.time_ns = 1700000000LL * 1000000000LL;
        vigil_detect_match(c, &ev, on_match, NULL, NULL);
        vigil_detect_match(c, &ev, on_match, NULL, NULL);
        vigil_detect_corr_tick(c, ev.time_ns + 86400LL * 1000000000LL, on_match,
                               NULL);
        vigil_arena_fini(&a);
        vigil_detect_ctx_free(c);
    }
    vigil_detect_free(d);
    return 0;
}
