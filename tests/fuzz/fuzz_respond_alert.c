/* fuzz_respond_alert.c -- libFuzzer target: what the response engine
 * reads from an alert built out of a log line: the event JSON's fields
 * (source.ip, process.pid, user.name) and the tags a policy matches on,
 * and the RFC 5424 / CEF line made of it. The input is the event JSON;
 * its first byte picks the tags from the rest. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "respond/respond_int.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct vigil_respond_config cfg;
    struct vigil_respond_policy p;
    struct vigil_alert a = {0};
    struct vigil_buf b;
    char *text = malloc(size + 1), out[64];

    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    respond_json_field(text, "source.ip", out, sizeof(out));
    respond_json_field(text, "process.pid", out, sizeof(out));
    memset(&p, 0, sizeof(p));
    memcpy(p.tag, "attack.t1110", 13);
    memcpy(p.level, "high", 5);
    a.rule_id = "r";
    a.title = text;
    a.level = "high";
    a.uid = "u";
    a.tags_json = text;
    a.event_json = text;
    respond_policy_matches(&p, &a);
    snprintf(cfg.forward_format, sizeof(cfg.forward_format), "%s",
             size && (data[0] & 1) ? "cef" : "rfc5424");
    vigil_buf_init(&b, 64 * 1024);
    respond_forward_format(&cfg, &a, &b);
    vigil_buf_fini(&b);
    free(text);
    return 0;
}
