/* net.h -- the public surface of the network domain: packet decoders
 * (Ethernet, VLAN, IPv4, IPv6 with extension headers, TCP, UDP, ICMP,
 * DNS, TLS ClientHello, HTTP request line), bidirectional flows with
 * timeouts and bounded memory, and the detectors that read them (port
 * scans, beaconing, exfiltration, DNS tunnels, IOC lists, new listening
 * services). Captures come from pcap/pcapng files or a live interface
 * through libpcap (net_capture.c).
 *
 * Decoding is zero-copy: a decoded packet borrows the capture's bytes.
 * Nothing on the per-packet path allocates; the flow table and the
 * detectors' tables are sized when they are made. */
#ifndef VIGIL_NET_H
#define VIGIL_NET_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

/* ------------------------------------------------------------------ */
/* Decoded packets                                                      */
/* ------------------------------------------------------------------ */

/* Link types we decode. libpcap's pcap_datalink() returns DLT numbers,
 * which differ from the LINKTYPE numbers written in files for raw IP:
 * LINKTYPE_RAW (101) is DLT_RAW, 12 on Linux and most systems, 14 on
 * OpenBSD; all three are taken as raw IP. */
#define VIGIL_NET_DLT_NULL       0
#define VIGIL_NET_DLT_EN10MB     1
#define VIGIL_NET_DLT_RAW12      12
#define VIGIL_NET_DLT_RAW14      14
#define VIGIL_NET_DLT_RAW        101
#define VIGIL_NET_DLT_LINUX_SLL  113
#define VIGIL_NET_DLT_IPV4       228
#define VIGIL_NET_DLT_IPV6       229
#define VIGIL_NET_DLT_LINUX_SLL2 276

/* 1 when vigil_net_decode decodes link type dlt. */
int vigil_net_dlt_supported(int dlt);

/* Packet times are clamped to [0, VIGIL_NET_TIME_MAX] (2200-01-01) so
 * that sums and differences of times and timeouts cannot overflow. */
#define VIGIL_NET_TIME_MAX (7258118400LL * VIGIL_NS_PER_SEC)

enum vigil_net_app {
    VIGIL_NET_APP_NONE = 0,
    VIGIL_NET_APP_DNS,
    VIGIL_NET_APP_TLS,
    VIGIL_NET_APP_HTTP
};

#define VIGIL_NET_TH_FIN 0x01
#define VIGIL_NET_TH_SYN 0x02
#define VIGIL_NET_TH_RST 0x04
#define VIGIL_NET_TH_PSH 0x08
#define VIGIL_NET_TH_ACK 0x10

/* One packet's headers. Addresses are 16 bytes, IPv4 mapped
 * (::ffff:a.b.c.d) as in struct vigil_field. payload borrows the
 * packet's bytes (as captured: may be shorter than on the wire). */
struct vigil_net_pkt {
    int64_t time_ns;
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    uint8_t proto;     /* IP protocol: 6 TCP, 17 UDP, 1/58 ICMP, ... */
    uint8_t tcp_flags; /* VIGIL_NET_TH_* */
    uint8_t ipv6;
    uint8_t icmp_type;
    uint8_t icmp_code;
    uint8_t frag;           /* IPv4/IPv6: 1 first fragment, 2 a later one */
    uint32_t seq;           /* TCP sequence number */
    uint32_t wire_len;      /* bytes on the wire (IP datagram and link) */
    uint32_t ip_len;        /* IP datagram length its header claims */
    const uint8_t *payload; /* transport payload, borrowed */
    uint32_t payload_len;
};

/* Decodes one captured frame of link type dlt (VIGIL_NET_DLT_*). Returns
 * 1 when it carried IPv4/IPv6 (pkt filled), 0 when it did not or was too
 * short to say (ARP, truncated headers); never reads past caplen. */
int vigil_net_decode(const uint8_t *frame, size_t caplen, uint32_t wire_len,
                     int dlt, int64_t time_ns, struct vigil_net_pkt *pkt);
/* For an ICMP/ICMPv6 error (unreachable, time exceeded): decodes the
 * datagram it quotes into inner (addresses, protocol, ports as that
 * datagram had them). Returns 1 when it could. */
int vigil_net_icmp_quoted(const struct vigil_net_pkt *p,
                          struct vigil_net_pkt *inner);

#define VIGIL_NET_NAME_MAX 256

/* A DNS message's first question and what its answers say. */
struct vigil_net_dns {
    uint16_t id;
    uint8_t response;
    uint8_t rcode;
    uint16_t qtype;
    uint16_t ancount;
    char qname[VIGIL_NET_NAME_MAX]; /* dotted, lower case, NUL-ended */
    size_t qname_len;
    /* A response's first A/AAAA address, CNAME/PTR name or TXT string
     * ("" when none); non-printable bytes become '?'. */
    char answer[VIGIL_NET_NAME_MAX];
};
/* Parses a DNS message (UDP payload; for TCP skip the 2-byte length).
 * Returns 1 when a question was read, 0 otherwise. Compression pointers
 * are followed with a hop limit. */
int vigil_net_dns_parse(const uint8_t *p, size_t n, struct vigil_net_dns *out);

/* A TLS ClientHello: server name and JA3/JA4-style fingerprints. */
struct vigil_net_tls {
    char sni[VIGIL_NET_NAME_MAX];
    char ja3[33]; /* MD5 of the JA3 string, hex */
    char ja4[40]; /* JA4-style: t13d1516h2_<12 hex>_<12 hex> */
    uint16_t version;
};
/* Parses a TLS record holding a ClientHello (GREASE values ignored).
 * Returns 1 on success, 0 when p is not one or is cut short. */
int vigil_net_tls_parse(const uint8_t *p, size_t n, struct vigil_net_tls *out);

/* An HTTP/1.x request line and its Host header. */
struct vigil_net_http {
    char method[16];
    char uri[256];
    char host[VIGIL_NET_NAME_MAX];
};
/* Returns 1 when p starts with a request line (METHOD SP URI SP HTTP/).
 * host is the request's target host, normalised (vigil_net_name_norm):
 * the authority of CONNECT or of an absolute URI, else the Host header. */
int vigil_net_http_parse(const uint8_t *p, size_t n,
                         struct vigil_net_http *out);
/* Normalises a host name in place for matching and output: lower case,
 * surrounding blanks, a ":port" (also "[v6]:port" -> v6), trailing dots
 * and a leading "*." or "." removed. Returns the new length. */
size_t vigil_net_name_norm(char *s);

/* ------------------------------------------------------------------ */
/* Flows                                                                */
/* ------------------------------------------------------------------ */

enum vigil_net_end {
    VIGIL_NET_END_IDLE = 0, /* no packet for idle_timeout */
    VIGIL_NET_END_ACTIVE,   /* open longer than active_timeout: cut */
    VIGIL_NET_END_CLOSED,   /* TCP FIN both ways or RST */
    VIGIL_NET_END_EVICTED,  /* table full: the oldest was pushed out */
    VIGIL_NET_END_FLUSH     /* end of capture or shutdown */
};

/* A bidirectional flow. The client (c*) is the side that sent the first
 * packet seen, the server (s*) the other. */
struct vigil_net_flow {
    uint8_t caddr[16], saddr[16];
    uint16_t cport, sport;
    uint8_t proto;
    uint8_t app;            /* enum vigil_net_app */
    uint8_t cflags, sflags; /* TCP flags ORed per direction */
    uint8_t end;            /* enum vigil_net_end, set when it ends */
    uint8_t ipv6;
    uint8_t fin_c, fin_s;
    uint64_t cpkts, spkts, cbytes, sbytes; /* bytes: IP datagrams */
    int64_t first_ns, last_ns;
    /* Client payload bursts (a packet with data after >= 1 s of client
     * silence): their count and the intervals' sum and sum of squares in
     * seconds, for heartbeats inside one long connection. */
    uint32_t bursts;
    int64_t burst_last_ns;
    double burst_sum, burst_sq;
    /* Application details (empty strings when absent). */
    uint16_t dns_qtype;
    uint8_t dns_rcode, dns_answered;
    char name[VIGIL_NET_NAME_MAX]; /* DNS question, TLS SNI or HTTP Host */
    char dns_answer[128];          /* first answer (struct vigil_net_dns) */
    char ja3[33], ja4[40];
    char method[16];
    char uri[256];
    /* Set by the flow table (read by detectors). */
    uint8_t icmp_type;    /* the first ICMP packet's type */
    uint8_t path_answer;  /* 1: an ICMP time-exceeded quoted this flow */
    uint8_t port_unreach; /* 1: an ICMP port/host unreachable did */
    uint8_t resumed;      /* TCP without a handshake seen: it continues a
                             connection (roles from a closed-by-idle flow
                             of the same 5-tuple, or from the ports) */
    uint8_t names;        /* application names seen (every request) */
    uint8_t update;       /* enum vigil_net_update, for on_update */
    uint16_t reasm;       /* ClientHello reassembly slot + 1, or 0 */
    uint32_t next_seq;
    uint64_t next_update_bytes;
    const char *seen_name; /* on_update VIGIL_NET_UPD_NAME: the name */
};

/* Why on_update is called with a live flow. */
enum vigil_net_update {
    VIGIL_NET_UPD_NEW = 1, /* its first packet */
    VIGIL_NET_UPD_NAME,    /* a request named a host (seen_name): each
                              HTTP request, each ClientHello, the DNS
                              question */
    VIGIL_NET_UPD_BYTES    /* the client's bytes crossed a multiple of
                              update_bytes */
};

/* Called with each finished flow (borrowed for the call). Returns 0 to go
 * on. */
typedef int (*vigil_net_flow_fn)(const struct vigil_net_flow *f, void *arg);

struct vigil_net_flow_opts {
    size_t max_flows;          /* flows held at once (default 65536) */
    int64_t idle_timeout_ns;   /* default 60 s */
    int64_t active_timeout_ns; /* default 1800 s */
    /* Optional: called (with the table's arg) while a flow is live, see
     * enum vigil_net_update, so IOC and exfiltration alerts need not wait
     * for its end. */
    vigil_net_flow_fn on_update;
    uint64_t update_bytes; /* default 1 MiB */
};

struct vigil_net_flows;
/* Returns owned (free with vigil_net_flows_free) in *out; the table is
 * allocated here, once. */
enum vigil_rc vigil_net_flows_new(struct vigil_net_flows **out,
                                  const struct vigil_net_flow_opts *o,
                                  vigil_net_flow_fn fn, void *arg,
                                  struct vigil_err *err);
void vigil_net_flows_free(struct vigil_net_flows *t);
/* Accounts pkt (borrowed) to its flow; flows idle or past their active
 * time by pkt's time end first. Returns non-zero when the callback asked
 * to stop. */
int vigil_net_flows_add(struct vigil_net_flows *t,
                        const struct vigil_net_pkt *pkt);
/* Ends flows idle at now_ns (a live capture's clock tick). */
int vigil_net_flows_expire(struct vigil_net_flows *t, int64_t now_ns);
/* Ends every flow (VIGIL_NET_END_FLUSH). */
int vigil_net_flows_flush(struct vigil_net_flows *t);

struct vigil_net_flow_stats {
    uint64_t packets, flows, evicted, active_cut, held;
};
void vigil_net_flows_stats(const struct vigil_net_flows *t,
                           struct vigil_net_flow_stats *st);

/* Appends f's ECS fields (source.*, destination.*, network.*, event.*,
 * dns.*, tls.*, http.*, url.*) to ev; text goes into ev's arena. */
enum vigil_rc vigil_net_flow_event(const struct vigil_net_flow *f,
                                   struct vigil_event *ev);

/* ------------------------------------------------------------------ */
/* Detectors                                                            */
/* ------------------------------------------------------------------ */

/* A network: address and prefix length (IPv4 bits for mapped IPv4). */
struct vigil_net_cidr {
    uint8_t net[16];
    unsigned prefix;
};

/* Thresholds (docs/man/vigil-net.1.md, DETECTORS). Zero fields take defaults
 * from vigil_net_detect_defaults. */
struct vigil_net_detect_opts {
    int64_t scan_window_ns;         /* 60 s */
    uint32_t scan_ports;            /* vertical: 50 failed ports on a host */
    uint32_t scan_hosts;            /* horizontal: 20 failed hosts on a port */
    uint32_t beacon_min;            /* 5 connections or heartbeats */
    double beacon_jitter;           /* 0.2: allowed deviation from the
                                       typical interval, as a fraction */
    int64_t beacon_min_interval_ns; /* 2 s */
    uint64_t exfil_bytes;           /* 1 MiB out in one flow to a new dest */
    double exfil_factor;            /* 10x the host's mean outbound flow */
    uint32_t exfil_baseline_flows;  /* 20 flows before a baseline counts */
    uint32_t dns_label_len;         /* 40: a label this long ... */
    double dns_entropy;             /* 3.5 bits/char ... counts as encoded */
    uint32_t dns_encoded_queries;   /* 20 encoded names under one domain */
    uint32_t dns_txt_queries;       /* 20 TXT/NULL queries to one domain */
    uint32_t new_service_after;     /* learn for N flows first: 0 = off */
    size_t max_entries;             /* per table: 65536 */
    /* Added later; zero takes the default. */
    int64_t exfil_window_ns;  /* 3600 s: upload volume per (host, dest) */
    double exfil_ratio;       /* 4: sent at least 4x what came back */
    int64_t state_window_ns;  /* 3600 s: beacon series, baselines,
                                 destinations unused this long go */
    int64_t alert_window_ns;  /* 86400 s: the same alert again after */
    int64_t dns_window_ns;    /* 60 s: DNS counts are per window */
    uint32_t dns_name_len;    /* 52: so many characters of subdomain
                                 (all labels) also count as long */
    uint32_t beacon_min_near; /* 6 intervals within the jitter, or ... */
    double beacon_max_cv;     /* 0.1: ... all intervals this regular
                                 (standard deviation / mean) */
    /* Home networks (exfiltration goes from them to elsewhere; new
     * services are theirs). nhome 0: RFC 1918 and fc00::/7. */
    struct vigil_net_cidr home[16];
    uint32_t nhome;
};
void vigil_net_detect_defaults(struct vigil_net_detect_opts *o);
/* Parses "10.0.0.0/8", "2001:db8::/32" or an address (a host). Returns 1
 * on success. */
int vigil_net_cidr_parse(const char *text, size_t len,
                         struct vigil_net_cidr *out);

struct vigil_net_alert {
    const char *kind; /* "port_scan", "beacon", "exfiltration",
                         "dns_tunnel", "ioc", "new_service" */
    int64_t time_ns;
    uint8_t src[16], dst[16];
    uint16_t dport;
    uint8_t proto;
    int severity; /* 1 low .. 4 critical */
    char msg[320];
};
typedef void (*vigil_net_alert_fn)(const struct vigil_net_alert *a, void *arg);

struct vigil_net_detect;
/* Returns owned (free with vigil_net_detect_free). o borrowed (copied). */
enum vigil_rc vigil_net_detect_new(struct vigil_net_detect **out,
                                   const struct vigil_net_detect_opts *o,
                                   vigil_net_alert_fn fn, void *arg,
                                   struct vigil_err *err);
void vigil_net_detect_free(struct vigil_net_detect *d);
/* Loads an IOC list: one address, network (CIDR) or domain per line,
 * '#' comments, a UTF-8 BOM skipped; "*.dom" and ".dom" are dom, a URL
 * gives its host. A CSV whose header names a column ip, dst_ip,
 * indicator, ioc, value, domain, host or url takes that column, else the
 * first. Domains match themselves and their subdomains. Says how many
 * were loaded and how many lines refused (log 2390); VIGIL_EPARSE when a
 * non-empty file gives none. */
enum vigil_rc vigil_net_detect_load_iocs(struct vigil_net_detect *d,
                                         const char *path,
                                         struct vigil_err *err);
/* Feeds one finished flow / one packet (DNS) to the detectors. */
void vigil_net_detect_flow(struct vigil_net_detect *d,
                           const struct vigil_net_flow *f);
/* Feeds a live flow (vigil_net_flow_opts.on_update): IOC addresses at
 * its first packet, IOC domains at each name, exfiltration when its
 * upload crosses the threshold. */
void vigil_net_detect_update(struct vigil_net_detect *d,
                             const struct vigil_net_flow *f);
void vigil_net_detect_packet(struct vigil_net_detect *d,
                             const struct vigil_net_pkt *p);
/* Entries dropped because a detector table was full. */
uint64_t vigil_net_detect_dropped(const struct vigil_net_detect *d);

/* ------------------------------------------------------------------ */
/* Captures                                                             */
/* ------------------------------------------------------------------ */

struct vigil_net_capture_stats {
    uint64_t packets, bytes, non_ip;
    uint64_t kernel_drops, if_drops; /* live capture only */
};

/* Called with each decoded packet (borrowed). Returns 0 to go on. */
typedef int (*vigil_net_pkt_fn)(const struct vigil_net_pkt *p, void *arg);

/* Reads a pcap or pcapng file, decoding each frame and calling fn for
 * the IP ones. VIGIL_ENOTFOUND/VIGIL_EIO when it cannot be opened,
 * VIGIL_EPARSE when it is not a capture. */
enum vigil_rc vigil_net_read_file(const char *path, vigil_net_pkt_fn fn,
                                  void *arg, struct vigil_net_capture_stats *st,
                                  struct vigil_err *err);

struct vigil_net_live_opts {
    const char *iface;
    const char *filter; /* BPF, may be NULL */
    int snaplen;        /* default 262144 */
    int buffer_bytes;   /* default 16 MiB */
    int no_promisc;     /* 1: only the host's own traffic */
};
struct vigil_net_live;
/* Opens and activates a live capture (needs CAP_NET_RAW: the daemon does
 * this in its prepare step). Returns owned (vigil_net_live_close). */
enum vigil_rc vigil_net_live_open(struct vigil_net_live **out,
                                  const struct vigil_net_live_opts *o,
                                  struct vigil_err *err);
void vigil_net_live_close(struct vigil_net_live *l);
/* Reads what is there (waits up to about 200 ms), calling fn per packet.
 * Returns VIGIL_OK, VIGIL_END when fn asked to stop, VIGIL_EIO. */
enum vigil_rc vigil_net_live_poll(struct vigil_net_live *l, vigil_net_pkt_fn fn,
                                  void *arg, struct vigil_err *err);
/* Replaces the capture filter (filter "" or NULL: everything); the
 * running one is kept on failure. */
enum vigil_rc vigil_net_live_set_filter(struct vigil_net_live *l,
                                        const char *filter,
                                        struct vigil_err *err);
/* Packets, and the kernel's drop counters. */
void vigil_net_live_stats(struct vigil_net_live *l,
                          struct vigil_net_capture_stats *st);

/* ------------------------------------------------------------------ */
/* The daemon's `net:` section (net_config.c, docs/configuration.md)    */
/* ------------------------------------------------------------------ */

#define VIGIL_NET_MAX_IFACES 16
#define VIGIL_NET_MAX_IOCS   16

/* Numbers are int64_t (durations in ms, sizes in bytes) as core's key
 * tables write them; vigil_net_config_opts turns them into the
 * libraries' options. */
struct vigil_net_config {
    char ifaces[VIGIL_NET_MAX_IFACES][64]; /* interfaces */
    size_t nifaces;
    char filter[1024]; /* BPF, "" = everything */
    int64_t snaplen, buffer;
    int events; /* publish finished flows as events */
    int64_t max_flows, idle_timeout_ms, active_timeout_ms;
    int64_t scan_window_ms, scan_ports, scan_hosts;
    int64_t beacon_min, beacon_min_interval_ms;
    double beacon_jitter;
    int64_t exfil_bytes, exfil_baseline_flows;
    double exfil_factor;
    int64_t dns_label_len, dns_encoded_queries, dns_txt_queries;
    double dns_entropy;
    int64_t new_service_after, max_entries;
    int64_t exfil_window_ms, dns_window_ms;
    double exfil_ratio;
    struct vigil_net_cidr home[16]; /* net.home; none: RFC 1918 + ULA */
    size_t nhome;
    char *iocs[VIGIL_NET_MAX_IOCS]; /* owned paths */
    size_t niocs;
};

/* The `net` key's table. A double left 0 takes the detector's default
 * (vigil_net_detect_defaults). */
extern const struct vigil_conf_table vigil_net_conf;
/* Frees what c owns (not c). NULL-safe. */
void vigil_net_config_fini(struct vigil_net_config *c);
/* Fills the flow, detector and live-capture options from c (borrowed;
 * lo->iface and lo->filter borrow c's strings). */
void vigil_net_config_opts(const struct vigil_net_config *c,
                           struct vigil_net_flow_opts *fo,
                           struct vigil_net_detect_opts *dopts,
                           struct vigil_net_live_opts *lo);

#endif
