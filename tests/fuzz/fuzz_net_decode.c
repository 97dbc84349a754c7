/* fuzz_net_decode.c -- libFuzzer target: one captured frame (its first
 * byte picks the link type: Ethernet, raw IP as libpcap reports it (12)
 * and as files write it (101), Linux cooked v1 and v2, BSD loopback)
 * through the packet decoders, the flow table (with its live on_update
 * path), the detectors and the flow Event; the rest of the input also
 * straight through the DNS, TLS and HTTP parsers and the name
 * normaliser. */
#include <string.h>
#include <stdlib.h>

#include "net/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vigil_net_flows *flows;
static struct vigil_net_detect *det;
static struct vigil_arena arena;

static int
on_update(const struct vigil_net_flow *f, void *arg)
{
    (void)arg;
    vigil_net_detect_update(det, f);
    return 0;
}

static int
on_flow(const struct vigil_net_flow *f, void *arg)
{
    struct vigil_event ev;

    (void)arg;
    vigil_net_detect_flow(det, f);
    vigil_arena_reset(&arena);
    vigil_event_init(&ev, &arena);
    (void)vigil_net_flow_event(f, &ev);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int dlts[8] = {VIGIL_NET_DLT_EN10MB,     VIGIL_NET_DLT_RAW12,
                                VIGIL_NET_DLT_LINUX_SLL,  VIGIL_NET_DLT_NULL,
                                VIGIL_NET_DLT_RAW,        VIGIL_NET_DLT_IPV4,
                                VIGIL_NET_DLT_LINUX_SLL2, VIGIL_NET_DLT_IPV6};
    char name[VIGIL_NET_NAME_MAX];
    struct vigil_net_pkt p;
    struct vigil_net_dns d;
    struct vigil_net_tls t;
    struct vigil_net_http h;
    struct vigil_net_flow_opts fo = {.max_flows = 8, .on_update = on_update};

    if (flows == NULL) {
        vigil_arena_init(&arena, 4096, 1u << 20);
        if (vigil_net_flows_new(&flows, &fo, on_flow, NULL, NULL) != VIGIL_OK ||
            vigil_net_detect_new(&det, NULL, NULL, NULL, NULL) != VIGIL_OK)
            abort();
    }
    if (size < 1)
        return 0;
    if (vigil_net_decode(data + 1, size - 1, (uint32_t)size, dlts[data[0] & 7],
                         (int64_t)data[0] * VIGIL_NS_PER_SEC, &p)) {
        vigil_net_detect_packet(det, &p);
        vigil_net_flows_add(flows, &p);
    }
    (void)vigil_net_dns_parse(data + 1, size - 1, &d);
    (void)vigil_net_tls_parse(data + 1, size - 1, &t);
    (void)vigil_net_http_parse(data + 1, size - 1, &h);
    memcpy(name, data + 1,
           size - 1 < sizeof(name) - 1 ? size - 1 : sizeof(name) - 1);
    name[size - 1 < sizeof(name) - 1 ? size - 1 : sizeof(name) - 1] = '\0';
    (void)vigil_net_name_norm(name);
    vigil_net_flows_flush(flows);
    return 0;
}
