/* net_event.c -- a finished flow as an Event with ECS fields, so Sigma
 * rules and correlations read flows as they read logs:
 * source.* is the side that sent first (the client), destination.* the
 * other; network.* says the transport, the application and the totals. */
#include <string.h>

#include "net/net.h"

static const char *
transport_name(uint8_t proto)
{
    switch (proto) {
    case 6:
        return "tcp";
    case 17:
        return "udp";
    case 1:
        return "icmp";
    case 58:
        return "ipv6-icmp";
    case 132:
        return "sctp";
    case 47:
        return "gre";
    default:
        return NULL;
    }
}

static const char *const end_names[] = {"idle", "active_timeout", "closed",
                                        "evicted", "flush"};

static enum vigil_rc
add_ip(struct vigil_event *ev, const char *name, const uint8_t ip[16])
{
    char tmp[64];
    size_t n = vigil_ip_format(ip, tmp);
    char *t = vigil_arena_strndup(ev->arena, tmp, n);
    struct vigil_field *f;

    if (t == NULL)
        return VIGIL_ENOMEM;
    f = vigil_event_push(ev, name, strlen(name), t, n, VIGIL_F_IP);
    if (f == NULL)
        return VIGIL_ELIMIT;
    memcpy(f->v.ip, ip, 16);
    return VIGIL_OK;
}

static enum vigil_rc
add_text(struct vigil_event *ev, const char *name, const char *s)
{
    size_t n = strlen(s);
    char *t;

    if (n == 0)
        return VIGIL_OK;
    if ((t = vigil_arena_strndup(ev->arena, s, n)) == NULL)
        return VIGIL_ENOMEM;
    return vigil_event_add_str(ev, name, t, n);
}

static enum vigil_rc
add_time(struct vigil_event *ev, const char *name, int64_t ns)
{
    char tmp[40];
    size_t n = vigil_time_format(ns, tmp);
    char *t = vigil_arena_strndup(ev->arena, tmp, n);

    if (t == NULL)
        return VIGIL_ENOMEM;
    return vigil_event_add_time(ev, name, t, n, ns);
}

/* Sigma's names for a connection (Sysmon event 3, which SigmaHQ's
 * `category: network_connection` rules are written for): the client is
 * the side that initiated it. Hostnames come from the TLS server name or
 * the HTTP Host, never from a reverse lookup. */
static enum vigil_rc
sigma_conn(const struct vigil_net_flow *f, const char *tr,
           struct vigil_event *ev)
{
    enum vigil_rc rc = VIGIL_OK;

    VIGIL_TRY(add_ip(ev, "SourceIp", f->caddr));
    VIGIL_TRY(add_ip(ev, "DestinationIp", f->saddr));
    if (f->proto == 6 || f->proto == 17 || f->proto == 132) {
        VIGIL_TRY(vigil_event_add_intv(ev, "SourcePort", f->cport));
        VIGIL_TRY(vigil_event_add_intv(ev, "DestinationPort", f->sport));
    }
    if (tr)
        VIGIL_TRY(vigil_event_add_strz(ev, "Protocol", tr));
    VIGIL_TRY(vigil_event_add_strz(ev, "Initiated", "true"));
    VIGIL_TRY(
        vigil_event_add_strz(ev, "SourceIsIpv6", f->ipv6 ? "true" : "false"));
    VIGIL_TRY(vigil_event_add_strz(ev, "DestinationIsIpv6",
                                   f->ipv6 ? "true" : "false"));
    if (f->app == VIGIL_NET_APP_TLS || f->app == VIGIL_NET_APP_HTTP)
        VIGIL_TRY(add_text(ev, "DestinationHostname", f->name));
out:
    return rc;
}

/* A DNS type's name as Sigma's `category: dns` rules write record_type. */
static const char *
qtype_name(uint16_t t)
{
    static const struct {
        uint16_t code;
        const char *name;
    } types[] = {{1, "A"},       {2, "NS"},    {5, "CNAME"},  {6, "SOA"},
                 {10, "NULL"},   {12, "PTR"},  {15, "MX"},    {16, "TXT"},
                 {28, "AAAA"},   {33, "SRV"},  {35, "NAPTR"}, {43, "DS"},
                 {48, "DNSKEY"}, {64, "SVCB"}, {65, "HTTPS"}, {252, "AXFR"},
                 {255, "ANY"}};

    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (types[i].code == t)
            return types[i].name;
    return NULL;
}

/* Sigma's `category: dns` names (query, answer, record_type: the names
 * of SigmaHQ's rules/network/dns) and Sysmon event 22's QueryName and
 * QueryResults, so a `dns_query` rule's selection reads them too. */
static enum vigil_rc
sigma_dns(const struct vigil_net_flow *f, struct vigil_event *ev)
{
    enum vigil_rc rc = VIGIL_OK;
    const char *tn = qtype_name(f->dns_qtype);

    VIGIL_TRY(add_text(ev, "query", f->name));
    VIGIL_TRY(add_text(ev, "QueryName", f->name));
    if (tn)
        VIGIL_TRY(vigil_event_add_strz(ev, "record_type", tn));
    else
        VIGIL_TRY(vigil_event_add_intv(ev, "record_type", f->dns_qtype));
    VIGIL_TRY(add_text(ev, "answer", f->dns_answer));
    VIGIL_TRY(add_text(ev, "QueryResults", f->dns_answer));
out:
    return rc;
}

enum vigil_rc
vigil_net_flow_event(const struct vigil_net_flow *f, struct vigil_event *ev)
{
    enum vigil_rc rc = VIGIL_OK;
    const char *tr = transport_name(f->proto);
    char flags[8];
    size_t k = 0;
    uint8_t fl = f->cflags | f->sflags;

    ev->time_ns = f->first_ns;
    ev->family = VIGIL_FAMILY_GENERIC;
    VIGIL_TRY(vigil_event_add_strz(ev, "event.kind", "event"));
    VIGIL_TRY(vigil_event_add_strz(ev, "event.category", "network"));
    VIGIL_TRY(vigil_event_add_strz(ev, "event.type", "connection"));
    VIGIL_TRY(vigil_event_add_strz(ev, "event.action", "network_flow"));
    VIGIL_TRY(vigil_event_add_strz(ev, "event.reason",
                                   end_names[f->end < 5 ? f->end : 0]));
    VIGIL_TRY(add_time(ev, "event.start", f->first_ns));
    VIGIL_TRY(add_time(ev, "event.end", f->last_ns));
    VIGIL_TRY(
        vigil_event_add_intv(ev, "event.duration", f->last_ns - f->first_ns));
    VIGIL_TRY(add_ip(ev, "source.ip", f->caddr));
    VIGIL_TRY(add_ip(ev, "destination.ip", f->saddr));
    if (f->proto == 6 || f->proto == 17 || f->proto == 132) {
        VIGIL_TRY(vigil_event_add_intv(ev, "source.port", f->cport));
        VIGIL_TRY(vigil_event_add_intv(ev, "destination.port", f->sport));
    }
    VIGIL_TRY(vigil_event_add_intv(ev, "source.packets", (int64_t)f->cpkts));
    VIGIL_TRY(vigil_event_add_intv(ev, "source.bytes", (int64_t)f->cbytes));
    VIGIL_TRY(
        vigil_event_add_intv(ev, "destination.packets", (int64_t)f->spkts));
    VIGIL_TRY(
        vigil_event_add_intv(ev, "destination.bytes", (int64_t)f->sbytes));
    VIGIL_TRY(
        vigil_event_add_strz(ev, "network.type", f->ipv6 ? "ipv6" : "ipv4"));
    if (tr)
        VIGIL_TRY(vigil_event_add_strz(ev, "network.transport", tr));
    else
        VIGIL_TRY(vigil_event_add_intv(ev, "network.iana_number", f->proto));
    VIGIL_TRY(vigil_event_add_strz(ev, "network.direction", "unknown"));
    VIGIL_TRY(vigil_event_add_intv(ev, "network.packets",
                                   (int64_t)(f->cpkts + f->spkts)));
    VIGIL_TRY(vigil_event_add_intv(ev, "network.bytes",
                                   (int64_t)(f->cbytes + f->sbytes)));
    if (f->proto == 6) {
        static const char letters[] = "FSRPAU";
        for (int b = 0; b < 6; b++)
            if (fl & (1u << b))
                flags[k++] = letters[b];
        flags[k] = '\0';
        VIGIL_TRY(add_text(ev, "network.tcp_flags", flags));
    }
    VIGIL_TRY(sigma_conn(f, tr, ev));
    switch (f->app) {
    case VIGIL_NET_APP_DNS:
        VIGIL_TRY(vigil_event_add_strz(ev, "network.protocol", "dns"));
        VIGIL_TRY(add_text(ev, "dns.question.name", f->name));
        VIGIL_TRY(
            vigil_event_add_intv(ev, "dns.question.type_code", f->dns_qtype));
        if (f->spkts)
            VIGIL_TRY(vigil_event_add_intv(ev, "dns.response_code_number",
                                           f->dns_rcode));
        VIGIL_TRY(add_text(ev, "dns.answers.data", f->dns_answer));
        VIGIL_TRY(sigma_dns(f, ev));
        break;
    case VIGIL_NET_APP_TLS:
        VIGIL_TRY(vigil_event_add_strz(ev, "network.protocol", "tls"));
        VIGIL_TRY(add_text(ev, "tls.client.server_name", f->name));
        VIGIL_TRY(add_text(ev, "destination.domain", f->name));
        VIGIL_TRY(add_text(ev, "tls.client.ja3", f->ja3));
        VIGIL_TRY(add_text(ev, "tls.client.ja4", f->ja4));
        break;
    case VIGIL_NET_APP_HTTP:
        VIGIL_TRY(vigil_event_add_strz(ev, "network.protocol", "http"));
        VIGIL_TRY(add_text(ev, "http.request.method", f->method));
        VIGIL_TRY(add_text(ev, "url.original", f->uri));
        VIGIL_TRY(add_text(ev, "url.domain", f->name));
        VIGIL_TRY(add_text(ev, "destination.domain", f->name));
        break;
    default:
        break;
    }
out:
    return rc;
}
