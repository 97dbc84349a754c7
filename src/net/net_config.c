/* net_config.c -- the daemon's `net:` section (docs/configuration.md,
 * "net"): the interfaces and capture filter, the flow table's bounds and
 * every detector threshold, checked with core's key tables so a wrong
 * value is refused with file:line. The capture filter is compiled here
 * too (against Ethernet), so a typo in it is a configuration error, not a
 * capture thread that fails at start. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "net/net.h"

#define CFG(field) offsetof(struct vigil_net_config, field)
#define MS_DAY     (86400LL * 1000)

static enum vigil_rc
parse_ifaces(const struct vigil_conf *c, const struct vigil_conf_node *v,
             void *obj, struct vigil_err *err)
{
    struct vigil_net_config *cfg = obj;

    if (v->kind != VIGIL_CONF_SEQ)
        return vigil_conf_fail(c, v, err,
                               "'net.interfaces' must be a list of names");
    for (const struct vigil_conf_node *p = v->first; p; p = p->next) {
        size_t n = p->kind == VIGIL_CONF_SCALAR ? strlen(p->value) : 0;

        /* IFNAMSIZ is 16 with the NUL; names are plain (no '/', space) */
        if (n == 0 || n > 15 || strpbrk(p->value, "/ \t:\"\\") != NULL)
            return vigil_conf_fail(c, p, err,
                                   "'net.interfaces' holds interface names "
                                   "(1 to 15 characters, no '/', ':', "
                                   "quote, backslash or space)");
        if (cfg->nifaces >= VIGIL_NET_MAX_IFACES)
            return vigil_conf_fail(c, p, err, "more than %d interfaces",
                                   VIGIL_NET_MAX_IFACES);
        for (size_t i = 0; i < cfg->nifaces; i++)
            if (strcmp(cfg->ifaces[i], p->value) == 0)
                return vigil_conf_fail(c, p, err, "interface '%s' named twice",
                                       p->value);
        memcpy(cfg->ifaces[cfg->nifaces++], p->value, n + 1);
    }
    return VIGIL_OK;
}

static enum vigil_rc
parse_filter(const struct vigil_conf *c, const struct vigil_conf_node *v,
             void *obj, struct vigil_err *err)
{
    struct vigil_net_config *cfg = obj;
    struct bpf_program prog;
    pcap_t *dead;
    enum vigil_rc rc = VIGIL_OK;

    if (v->kind != VIGIL_CONF_SCALAR || strlen(v->value) >= sizeof(cfg->filter))
        return vigil_conf_fail(c, v, err,
                               "'net.filter' must be a BPF expression of at "
                               "most %zu bytes",
                               sizeof(cfg->filter) - 1);
    if ((dead = pcap_open_dead(DLT_EN10MB, 65535)) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    if (pcap_compile(dead, &prog, v->value, 1, PCAP_NETMASK_UNKNOWN) < 0)
        rc = vigil_conf_fail(c, v, err, "'net.filter': %s", pcap_geterr(dead));
    else
        pcap_freecode(&prog);
    pcap_close(dead);
    if (rc == VIGIL_OK)
        memcpy(cfg->filter, v->value, strlen(v->value) + 1);
    return rc;
}

static enum vigil_rc
parse_iocs(const struct vigil_conf *c, const struct vigil_conf_node *v,
           void *obj, struct vigil_err *err)
{
    struct vigil_net_config *cfg = obj;

    if (v->kind != VIGIL_CONF_SEQ)
        return vigil_conf_fail(c, v, err, "'net.ioc' must be a list of files");
    for (const struct vigil_conf_node *p = v->first; p; p = p->next) {
        if (p->kind != VIGIL_CONF_SCALAR || p->value[0] != '/' ||
            strlen(p->value) >= 4096)
            return vigil_conf_fail(c, p, err,
                                   "'net.ioc' holds absolute file paths");
        if (cfg->niocs >= VIGIL_NET_MAX_IOCS)
            return vigil_conf_fail(c, p, err, "more than %d IOC files",
                                   VIGIL_NET_MAX_IOCS);
        if ((cfg->iocs[cfg->niocs] = strdup(p->value)) == NULL)
            return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        cfg->niocs++;
    }
    return VIGIL_OK;
}

/* A decimal number in [lo, hi]. */
static enum vigil_rc
parse_real(const struct vigil_conf *c, const struct vigil_conf_node *v,
           const char *name, double lo, double hi, double *out,
           struct vigil_err *err)
{
    char *end = NULL;
    double d = 0;

    if (v->kind == VIGIL_CONF_SCALAR && v->value[0] != '\0')
        d = strtod(v->value, &end);
    if (end == NULL || *end != '\0' || !isfinite(d) || d < lo || d > hi)
        return vigil_conf_fail(c, v, err, "'%s' must be a number from %g to %g",
                               name, lo, hi);
    *out = d;
    return VIGIL_OK;
}

static enum vigil_rc
parse_jitter(const struct vigil_conf *c, const struct vigil_conf_node *v,
             void *obj, struct vigil_err *err)
{
    return parse_real(c, v, "net.beacon.jitter", 0.01, 1,
                      &((struct vigil_net_config *)obj)->beacon_jitter, err);
}

static enum vigil_rc
parse_factor(const struct vigil_conf *c, const struct vigil_conf_node *v,
             void *obj, struct vigil_err *err)
{
    return parse_real(c, v, "net.exfil.factor", 1, 1e6,
                      &((struct vigil_net_config *)obj)->exfil_factor, err);
}

static enum vigil_rc
parse_entropy(const struct vigil_conf *c, const struct vigil_conf_node *v,
              void *obj, struct vigil_err *err)
{
    return parse_real(c, v, "net.dns_tunnel.entropy", 1, 8,
                      &((struct vigil_net_config *)obj)->dns_entropy, err);
}

static enum vigil_rc
parse_ratio(const struct vigil_conf *c, const struct vigil_conf_node *v,
            void *obj, struct vigil_err *err)
{
    return parse_real(c, v, "net.exfil.ratio", 1, 1e6,
                      &((struct vigil_net_config *)obj)->exfil_ratio, err);
}

/* net.home: the site's own networks, whose hosts can be exfiltrated from
 * and whose servers' new services are judged. */
static enum vigil_rc
parse_home(const struct vigil_conf *c, const struct vigil_conf_node *v,
           void *obj, struct vigil_err *err)
{
    struct vigil_net_config *cfg = obj;
    size_t max = sizeof(cfg->home) / sizeof(cfg->home[0]);

    if (v->kind != VIGIL_CONF_SEQ)
        return vigil_conf_fail(c, v, err,
                               "'net.home' must be a list of networks");
    for (const struct vigil_conf_node *p = v->first; p; p = p->next) {
        if (cfg->nhome >= max)
            return vigil_conf_fail(c, p, err, "more than %zu home networks",
                                   max);
        if (p->kind != VIGIL_CONF_SCALAR ||
            !vigil_net_cidr_parse(p->value, strlen(p->value),
                                  &cfg->home[cfg->nhome]))
            return vigil_conf_fail(c, p, err,
                                   "'net.home' holds networks such as "
                                   "10.0.0.0/8 or 2001:db8::/32");
        cfg->nhome++;
    }
    return VIGIL_OK;
}

#define INT_KEY(nm, field, lo, hi, d)                                          \
    {                                                                          \
        .name = nm, .type = VIGIL_CT_INT, .offset = CFG(field), .min = lo,     \
        .max = hi, .def = d                                                    \
    }
#define MS_KEY(nm, field, lo, hi, d)                                           \
    {                                                                          \
        .name = nm, .type = VIGIL_CT_MS, .offset = CFG(field), .min = lo,      \
        .max = hi, .def = d                                                    \
    }
#define TABLE(name, prefix, keys)                                              \
    static const struct vigil_conf_table name = {                              \
        prefix, keys, sizeof(keys) / sizeof(keys[0])}

static const struct vigil_conf_key flow_keys[] = {
    INT_KEY("max", max_flows, 1024, 4 << 20, 65536),
    MS_KEY("idle_timeout", idle_timeout_ms, 1000, 3600 * 1000, 60 * 1000),
    MS_KEY("active_timeout", active_timeout_ms, 10 * 1000, MS_DAY, 1800 * 1000),
};
TABLE(flow_table, "net.flows.", flow_keys);

static const struct vigil_conf_key scan_keys[] = {
    MS_KEY("window", scan_window_ms, 1000, MS_DAY, 60 * 1000),
    INT_KEY("ports", scan_ports, 2, 65535, 50),
    INT_KEY("hosts", scan_hosts, 2, 1 << 24, 20),
};
TABLE(scan_table, "net.scan.", scan_keys);

static const struct vigil_conf_key beacon_keys[] = {
    INT_KEY("connections", beacon_min, 3, 64, 5),
    {.name = "jitter", .type = VIGIL_CT_CUSTOM, .parse = parse_jitter},
    MS_KEY("min_interval", beacon_min_interval_ms, 100, MS_DAY, 2000),
};
TABLE(beacon_table, "net.beacon.", beacon_keys);

static const struct vigil_conf_key exfil_keys[] = {
    {.name = "bytes",
     .type = VIGIL_CT_SIZE,
     .offset = CFG(exfil_bytes),
     .min = 1024,
     .max = INT64_MAX,
     .def = 1 << 20},
    {.name = "factor", .type = VIGIL_CT_CUSTOM, .parse = parse_factor},
    INT_KEY("baseline_flows", exfil_baseline_flows, 1, 1 << 30, 20),
    MS_KEY("window", exfil_window_ms, 60 * 1000, MS_DAY, 3600 * 1000),
    {.name = "ratio", .type = VIGIL_CT_CUSTOM, .parse = parse_ratio},
};
TABLE(exfil_table, "net.exfil.", exfil_keys);

static const struct vigil_conf_key dns_keys[] = {
    INT_KEY("label_length", dns_label_len, 8, 63, 40),
    {.name = "entropy", .type = VIGIL_CT_CUSTOM, .parse = parse_entropy},
    INT_KEY("encoded_queries", dns_encoded_queries, 1, 1 << 30, 20),
    INT_KEY("txt_queries", dns_txt_queries, 1, 1 << 30, 20),
    MS_KEY("window", dns_window_ms, 10 * 1000, MS_DAY, 60 * 1000),
};
TABLE(dns_table, "net.dns_tunnel.", dns_keys);

static const struct vigil_conf_key net_keys[] = {
    {.name = "interfaces", .type = VIGIL_CT_CUSTOM, .parse = parse_ifaces},
    {.name = "filter", .type = VIGIL_CT_CUSTOM, .parse = parse_filter},
    INT_KEY("snaplen", snaplen, 64, 262144, 262144),
    {.name = "buffer",
     .type = VIGIL_CT_SIZE,
     .offset = CFG(buffer),
     .min = 1 << 20,
     .max = 1 << 30,
     .def = 16 << 20},
    {.name = "events", .type = VIGIL_CT_BOOL, .offset = CFG(events), .def = 1},
    {.name = "flows", .type = VIGIL_CT_SECTION, .sub = &flow_table},
    {.name = "scan", .type = VIGIL_CT_SECTION, .sub = &scan_table},
    {.name = "beacon", .type = VIGIL_CT_SECTION, .sub = &beacon_table},
    {.name = "exfil", .type = VIGIL_CT_SECTION, .sub = &exfil_table},
    {.name = "dns_tunnel", .type = VIGIL_CT_SECTION, .sub = &dns_table},
    {.name = "ioc", .type = VIGIL_CT_CUSTOM, .parse = parse_iocs},
    {.name = "home", .type = VIGIL_CT_CUSTOM, .parse = parse_home},
    INT_KEY("new_service_after", new_service_after, 0, 1 << 30, 0),
    INT_KEY("max_entries", max_entries, 1024, 4 << 20, 65536),
};
TABLE(net_table, "net.", net_keys);

static const struct vigil_conf_key top_keys[] = {
    {.name = "net", .type = VIGIL_CT_SECTION, .sub = &net_table},
};

const struct vigil_conf_table vigil_net_conf = {
    "", top_keys, sizeof(top_keys) / sizeof(top_keys[0])};

void
vigil_net_config_fini(struct vigil_net_config *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->niocs; i++)
        free(c->iocs[i]);
    c->niocs = 0;
}

void
vigil_net_config_opts(const struct vigil_net_config *c,
                      struct vigil_net_flow_opts *fo,
                      struct vigil_net_detect_opts *d,
                      struct vigil_net_live_opts *lo)
{
    const int64_t ms = VIGIL_NS_PER_SEC / 1000;

    if (fo != NULL) {
        memset(fo, 0, sizeof(*fo));
        fo->max_flows = (size_t)c->max_flows;
        fo->idle_timeout_ns = c->idle_timeout_ms * ms;
        fo->active_timeout_ns = c->active_timeout_ms * ms;
    }
    if (d != NULL) {
        memset(d, 0, sizeof(*d));
        d->scan_window_ns = c->scan_window_ms * ms;
        d->scan_ports = (uint32_t)c->scan_ports;
        d->scan_hosts = (uint32_t)c->scan_hosts;
        d->beacon_min = (uint32_t)c->beacon_min;
        d->beacon_jitter = c->beacon_jitter;
        d->beacon_min_interval_ns = c->beacon_min_interval_ms * ms;
        d->exfil_bytes = (uint64_t)c->exfil_bytes;
        d->exfil_factor = c->exfil_factor;
        d->exfil_baseline_flows = (uint32_t)c->exfil_baseline_flows;
        d->dns_label_len = (uint32_t)c->dns_label_len;
        d->dns_entropy = c->dns_entropy;
        d->dns_encoded_queries = (uint32_t)c->dns_encoded_queries;
        d->dns_txt_queries = (uint32_t)c->dns_txt_queries;
        d->new_service_after = (uint32_t)c->new_service_after;
        d->max_entries = (size_t)c->max_entries;
        d->exfil_window_ns = c->exfil_window_ms * ms;
        d->exfil_ratio = c->exfil_ratio;
        d->dns_window_ns = c->dns_window_ms * ms;
        memcpy(d->home, c->home, sizeof(d->home));
        d->nhome = (uint32_t)c->nhome;
        vigil_net_detect_defaults(d);
    }
    if (lo != NULL) {
        memset(lo, 0, sizeof(*lo));
        lo->filter = c->filter;
        lo->snaplen = (int)c->snaplen;
        lo->buffer_bytes = (int)c->buffer;
    }
}
