/* net_detect.c -- detectors over flows and DNS packets: port scans
 * (vertical: many refused ports on one host; horizontal: one port
 * refused by many hosts), beaconing (connections to one service at
 * regular intervals), exfiltration (a large upload to a destination the
 * host never used, or far above its usual upload), DNS tunnels (many
 * long high-entropy names, or many TXT/NULL queries, under one domain),
 * IOC lists and new listening services.
 *
 * Each detector judges the technique, never particular addresses: the
 * thresholds are in struct vigil_net_detect_opts (docs/configuration.md).
 * Every table is a vigil_hmap with a maximum; what does not fit is
 * counted (vigil_net_detect_dropped), and each alert is raised once per
 * subject. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/net.h"

#define BEACON_KEEP 64
/* IOC networks (CIDR lines) are scanned in order: kept few. */
#define IOC_NETS_MAX 4096

/* One client's connection starts to one service, oldest first. */
struct beacon {
    uint32_t n;
    int64_t alerted_ns; /* 0: not alerted */
    int64_t t[BEACON_KEEP];
};

struct baseline {
    uint64_t flows, bytes;
};

/* What one host sent to one destination: the volume in the current
 * exfiltration window, and when the destination was first used. */
struct dest {
    uint64_t out, in;
    uint32_t flows;
    int64_t first_ns, win_ns;
    int64_t alerted_ns; /* 0: not alerted (judged again after the alert
                           window, not at every flow) */
};

/* A table in two generations: entries live in `cur`; when the window
 * passes (or `cur` is full) `old` is dropped and `cur` becomes `old`. So
 * every entry ages out, the memory stays bounded, and filling a table
 * (spoofed flows) only pushes older entries out early: new ones always
 * get in, detection goes on. Tables whose entries are "touched" move a
 * looked-up entry from old to cur (it lives while it is used); windowed
 * counters do not (a count is what the last one or two windows saw). */
struct gtab {
    struct vigil_hmap *cur, *old;
    int64_t epoch, window;
    size_t max;
    int owned; /* values are malloc'd, freed when dropped */
};

struct vigil_net_detect {
    struct vigil_net_detect_opts o;
    vigil_net_alert_fn fn;
    void *arg;
    struct gtab scan_seen, scan_count, slow_seen, slow_count, beacons, hosts,
        dests, dns, services, alerted;
    struct vigil_hmap *iocs;
    /* the home networks as masked 64-bit halves, for a cheap test per
     * flow */
    uint64_t home_net[16][2], home_mask[16][2];
    struct vigil_net_cidr *ioc_nets;
    size_t n_ioc_nets;
    uint64_t learned, dropped;
    uint64_t full_rotations, next_full_log;
};

/* A slower scan tier: this many times the fast thresholds within
 * SLOW_WINDOW (a scan paced under the fast window's rate). */
#define SLOW_WINDOW (3600 * VIGIL_NS_PER_SEC)
#define SLOW_FACTOR 10

void
vigil_net_detect_defaults(struct vigil_net_detect_opts *o)
{
    static const char *const home[] = {"10.0.0.0/8", "172.16.0.0/12",
                                       "192.168.0.0/16", "fc00::/7"};

    if (o->scan_window_ns <= 0)
        o->scan_window_ns = 60 * VIGIL_NS_PER_SEC;
    if (!o->scan_ports)
        o->scan_ports = 50;
    if (!o->scan_hosts)
        o->scan_hosts = 20;
    if (!o->beacon_min)
        o->beacon_min = 5;
    if (o->beacon_jitter <= 0)
        o->beacon_jitter = 0.2;
    if (!o->beacon_min_interval_ns)
        o->beacon_min_interval_ns = 2 * VIGIL_NS_PER_SEC;
    if (!o->exfil_bytes)
        o->exfil_bytes = 1u << 20;
    if (o->exfil_factor <= 0)
        o->exfil_factor = 10;
    if (!o->exfil_baseline_flows)
        o->exfil_baseline_flows = 20;
    if (!o->dns_label_len)
        o->dns_label_len = 40;
    if (o->dns_entropy <= 0)
        o->dns_entropy = 3.5;
    if (!o->dns_encoded_queries)
        o->dns_encoded_queries = 20;
    if (!o->dns_txt_queries)
        o->dns_txt_queries = 20;
    if (!o->max_entries)
        o->max_entries = 65536;
    if (o->exfil_window_ns <= 0)
        o->exfil_window_ns = 3600 * VIGIL_NS_PER_SEC;
    if (o->exfil_ratio <= 0)
        o->exfil_ratio = 4;
    if (o->state_window_ns <= 0)
        o->state_window_ns = 3600 * VIGIL_NS_PER_SEC;
    if (o->alert_window_ns <= 0)
        o->alert_window_ns = 86400 * VIGIL_NS_PER_SEC;
    if (o->dns_window_ns <= 0)
        o->dns_window_ns = 60 * VIGIL_NS_PER_SEC;
    if (!o->dns_name_len)
        o->dns_name_len = 52;
    if (!o->beacon_min_near)
        o->beacon_min_near = 6;
    if (o->beacon_max_cv <= 0)
        o->beacon_max_cv = 0.1;
    if (o->nhome == 0)
        for (size_t i = 0; i < sizeof(home) / sizeof(home[0]); i++)
            if (vigil_net_cidr_parse(home[i], strlen(home[i]),
                                     &o->home[o->nhome]))
                o->nhome++;
    if (o->nhome > sizeof(o->home) / sizeof(o->home[0]))
        o->nhome = sizeof(o->home) / sizeof(o->home[0]);
}

int
vigil_net_cidr_parse(const char *text, size_t len, struct vigil_net_cidr *out)
{
    const char *slash = memchr(text, '/', len);
    size_t al = slash ? (size_t)(slash - text) : len;
    unsigned prefix = 0, max;

    if (!vigil_ip_parse(text, al, out->net))
        return 0;
    max = memcmp(out->net, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0 ? 32 : 128;
    if (slash == NULL) {
        out->prefix = max;
        return 1;
    }
    if (al + 1 >= len || len - al - 1 > 3)
        return 0;
    for (size_t i = al + 1; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return 0;
        prefix = prefix * 10 + (unsigned)(text[i] - '0');
    }
    if (prefix > max)
        return 0;
    out->prefix = prefix;
    return 1;
}

static int
is_v4(const uint8_t ip[16])
{
    static const uint8_t pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

    return memcmp(ip, pre, 12) == 0;
}

static void
gtab_drop(struct vigil_hmap *m, int owned)
{
    size_t pos = 0, kl;
    const void *k;
    void *v;

    if (m == NULL)
        return;
    while (owned && vigil_hmap_next(m, &pos, &k, &kl, &v))
        free(v);
    vigil_hmap_free(m);
}

static enum vigil_rc
gtab_init(struct gtab *g, int64_t window, size_t max, int owned,
          struct vigil_err *err)
{
    g->window = window;
    g->max = max;
    g->owned = owned;
    return vigil_hmap_new(&g->cur, max, NULL, err);
}

static void
gtab_free(struct gtab *g)
{
    gtab_drop(g->cur, g->owned);
    gtab_drop(g->old, g->owned);
}

/* cur becomes old, the former old goes. 0 when no new table could be
 * made (then the table is empty, not stuck full). */
static int
gtab_rotate(struct vigil_net_detect *d, struct gtab *g)
{
    gtab_drop(g->old, g->owned);
    g->old = g->cur;
    if (vigil_hmap_new(&g->cur, g->max, NULL, NULL) != VIGIL_OK) {
        d->dropped++;
        return 0;
    }
    return 1;
}

/* Ages g to time t: a window passed moves cur to old, two drop both. */
static void
gtab_tick(struct vigil_net_detect *d, struct gtab *g, int64_t t)
{
    int64_t e = t / g->window;

    if (e <= g->epoch)
        return;
    if (g->cur == NULL || (gtab_rotate(d, g) && e > g->epoch + 1))
        gtab_rotate(d, g);
    g->epoch = e;
}

/* The value under key in either generation; with touch, one found in old
 * moves to cur. */
static void *
gtab_get(struct gtab *g, const void *k, size_t kl, int touch)
{
    void *v = g->cur ? vigil_hmap_get(g->cur, k, kl) : NULL;

    if (v != NULL || g->old == NULL)
        return v;
    v = vigil_hmap_get(g->old, k, kl);
    if (v != NULL && touch && g->cur && vigil_hmap_count(g->cur) < g->max &&
        vigil_hmap_put(g->cur, k, kl, v) == VIGIL_OK)
        vigil_hmap_del(g->old, k, kl);
    return v;
}

/* Stores v under key in cur (rotating first when cur is full). Returns
 * 0, counted as dropped, when it cannot: v is then still the caller's. */
static int
gtab_put(struct vigil_net_detect *d, struct gtab *g, const void *k, size_t kl,
         void *v)
{
    if (g->cur && vigil_hmap_get(g->cur, k, kl) == NULL &&
        vigil_hmap_count(g->cur) >= g->max) {
        /* Full before its window passed (a flood): the older generation
         * goes early, counted and said (at the 1st, 10th, 100th... time,
         * so a flood cannot flood the log). */
        d->dropped += g->old ? vigil_hmap_count(g->old) : 0;
        if (++d->full_rotations == d->next_full_log) {
            d->next_full_log *= 10;
            vigil_log(VIGIL_LOG_WARN, 2391,
                      "net: a detector table of %zu entries filled up before "
                      "its window passed (%llu times): older entries were "
                      "dropped early",
                      g->max, (unsigned long long)d->full_rotations);
        }
        gtab_rotate(d, g);
    }
    if (g->cur == NULL || vigil_hmap_put(g->cur, k, kl, v) != VIGIL_OK) {
        d->dropped++;
        return 0;
    }
    return 1;
}

enum vigil_rc
vigil_net_detect_new(struct vigil_net_detect **out,
                     const struct vigil_net_detect_opts *o,
                     vigil_net_alert_fn fn, void *arg, struct vigil_err *err)
{
    struct vigil_net_detect *d;
    enum vigil_rc rc = VIGIL_OK;
    size_t m;

    *out = NULL;
    if ((d = calloc(1, sizeof(*d))) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    if (o)
        d->o = *o;
    vigil_net_detect_defaults(&d->o);
    d->fn = fn;
    d->arg = arg;
    d->next_full_log = 1;
    m = d->o.max_entries;
    for (uint32_t i = 0; i < d->o.nhome; i++) {
        uint8_t mask[16] = {0};
        unsigned bits = d->o.home[i].prefix;

        if (is_v4(d->o.home[i].net))
            bits += 96;
        for (unsigned b = 0; b < bits && b < 128; b++)
            mask[b / 8] |= (uint8_t)(0x80 >> (b % 8));
        memcpy(d->home_mask[i], mask, 16);
        memcpy(d->home_net[i], d->o.home[i].net, 16);
        d->home_net[i][0] &= d->home_mask[i][0];
        d->home_net[i][1] &= d->home_mask[i][1];
    }
    VIGIL_TRY(gtab_init(&d->scan_seen, d->o.scan_window_ns, m, 0, err));
    VIGIL_TRY(gtab_init(&d->scan_count, d->o.scan_window_ns, m, 0, err));
    VIGIL_TRY(gtab_init(&d->slow_seen, SLOW_WINDOW, m, 0, err));
    VIGIL_TRY(gtab_init(&d->slow_count, SLOW_WINDOW, m, 0, err));
    VIGIL_TRY(gtab_init(&d->beacons, d->o.state_window_ns, m, 1, err));
    VIGIL_TRY(gtab_init(&d->hosts, d->o.state_window_ns, m, 1, err));
    VIGIL_TRY(gtab_init(&d->dests, d->o.state_window_ns, m, 1, err));
    VIGIL_TRY(gtab_init(&d->dns, d->o.dns_window_ns, m, 0, err));
    VIGIL_TRY(gtab_init(&d->services, d->o.alert_window_ns, m, 0, err));
    VIGIL_TRY(gtab_init(&d->alerted, d->o.alert_window_ns, m, 0, err));
    VIGIL_TRY(vigil_hmap_new(&d->iocs, 0, NULL, err));
out:
    if (rc != VIGIL_OK)
        vigil_net_detect_free(d);
    else
        *out = d;
    return rc;
}

void
vigil_net_detect_free(struct vigil_net_detect *d)
{
    if (d == NULL)
        return;
    gtab_free(&d->scan_seen);
    gtab_free(&d->scan_count);
    gtab_free(&d->slow_seen);
    gtab_free(&d->slow_count);
    gtab_free(&d->beacons);
    gtab_free(&d->hosts);
    gtab_free(&d->dests);
    gtab_free(&d->dns);
    gtab_free(&d->services);
    gtab_free(&d->alerted);
    vigil_hmap_free(d->iocs);
    free(d->ioc_nets);
    free(d);
}

uint64_t
vigil_net_detect_dropped(const struct vigil_net_detect *d)
{
    return d->dropped;
}

/* A windowed counter: adds one under key and returns the count over both
 * generations (a sliding window of one to two windows). */
static uintptr_t
bump(struct vigil_net_detect *d, struct gtab *g, const void *k, size_t kl)
{
    uintptr_t c = (uintptr_t)(g->cur ? vigil_hmap_get(g->cur, k, kl) : NULL);
    uintptr_t o = (uintptr_t)(g->old ? vigil_hmap_get(g->old, k, kl) : NULL);

    if (!gtab_put(d, g, k, kl, (void *)(c + 1)))
        return 0;
    return c + 1 + o;
}

/* Inserts key into a set; 1 when it was in neither generation. */
static int
set_add(struct vigil_net_detect *d, struct gtab *g, const void *k, size_t kl,
        int touch)
{
    if (gtab_get(g, k, kl, touch) != NULL)
        return 0;
    return gtab_put(d, g, k, kl, (void *)1);
}

/* Raises an alert once per (kind, subject) per alert window (one to two
 * alert_window_ns). */
static void net_raise(struct vigil_net_detect *d, const char *kind,
                      const char *subject, int severity, int64_t t,
                      const uint8_t *src, const uint8_t *dst, uint16_t dport,
                      uint8_t proto, const char *fmt, ...)
    __attribute__((format(printf, 10, 11)));

static void
net_raise(struct vigil_net_detect *d, const char *kind, const char *subject,
          int severity, int64_t t, const uint8_t *src, const uint8_t *dst,
          uint16_t dport, uint8_t proto, const char *fmt, ...)
{
    struct vigil_net_alert a;
    char key[400];
    int kl = snprintf(key, sizeof(key), "%s|%s", kind, subject);
    va_list ap;

    if (kl < 0 || (size_t)kl >= sizeof(key))
        kl = (int)sizeof(key) - 1;
    gtab_tick(d, &d->alerted, t);
    if (!set_add(d, &d->alerted, key, (size_t)kl, 0))
        return;
    memset(&a, 0, sizeof(a));
    a.kind = kind;
    a.time_ns = t;
    a.severity = severity;
    if (src)
        memcpy(a.src, src, 16);
    if (dst)
        memcpy(a.dst, dst, 16);
    a.dport = dport;
    a.proto = proto;
    va_start(ap, fmt);
    vsnprintf(a.msg, sizeof(a.msg), fmt, ap);
    va_end(ap);
    if (d->fn)
        d->fn(&a, d->arg);
}

static const char *
ipstr(const uint8_t ip[16], char *buf)
{
    vigil_ip_format(ip, buf);
    return buf;
}

/* Multicast and broadcast: not a peer that answers (no C2, no exfil). */
static int
is_group(const uint8_t ip[16])
{
    if (is_v4(ip))
        return (ip[12] & 0xf0) == 0xe0 || (ip[12] == 255 && ip[13] == 255 &&
                                           ip[14] == 255 && ip[15] == 255);
    return ip[0] == 0xff;
}

static int
is_home(const struct vigil_net_detect *d, const uint8_t ip[16])
{
    uint64_t a[2];

    memcpy(a, ip, 16);
    for (uint32_t i = 0; i < d->o.nhome; i++)
        if ((a[0] & d->home_mask[i][0]) == d->home_net[i][0] &&
            (a[1] & d->home_mask[i][1]) == d->home_net[i][1])
            return 1;
    return 0;
}

/* A source as the detectors count it: an IPv6 host picks any address of
 * its /64 at will, so the /64 is one source. */
static void
source_key(const uint8_t ip[16], uint8_t out[16])
{
    memcpy(out, ip, 16);
    if (!is_v4(ip))
        memset(out + 8, 0, 8);
}

/* ---- port scans ---- */

/* Was f a probe nobody answered? TCP: the client never completed a
 * handshake: a SYN with no SYN-ACK, or no SYN at all (FIN, NULL, Xmas,
 * ACK, Maimon probes) answered by nothing or a RST only. UDP: no reply
 * (an ICMP time exceeded means the path answered: a traceroute hop, not
 * a probe of the target). ICMP: an echo request with no reply. */
static int
probe(const struct vigil_net_flow *f)
{
    if (is_group(f->saddr))
        return 0;
    switch (f->proto) {
    case 6:
        if (f->resumed)
            return 0;
        if (f->cflags & VIGIL_NET_TH_SYN)
            return !(f->sflags & VIGIL_NET_TH_SYN);
        return f->cpkts <= 3 &&
               (f->spkts == 0 || (f->sflags & VIGIL_NET_TH_RST));
    case 17:
        return f->spkts == 0 && f->app != VIGIL_NET_APP_DNS && !f->path_answer;
    case 1:
        return f->spkts == 0 && f->icmp_type == 8;
    case 58:
        return f->spkts == 0 && f->icmp_type == 128;
    default:
        return 0;
    }
}

/* Counts f in one tier (seen: distinct probes; count: per (source,
 * target), (source, port) and (target, port from any source)) and
 * alerts at the tier's thresholds. */
static void
scan_tier(struct vigil_net_detect *d, const struct vigil_net_flow *f,
          struct gtab *seen, struct gtab *count, uint32_t ports, uint32_t hosts,
          int64_t window)
{
    uint8_t k[1 + 16 + 16 + 2], src[16];
    uintptr_t nv = 0, nh, nt = 0;
    char a[64], b[64], subj[160];
    int icmp = f->proto == 1 || f->proto == 58;

    gtab_tick(d, seen, f->first_ns);
    gtab_tick(d, count, f->first_ns);
    source_key(f->caddr, src);
    k[0] = f->proto;
    memcpy(k + 1, src, 16);
    memcpy(k + 17, f->saddr, 16);
    memcpy(k + 33, &f->sport, 2);
    if (!set_add(d, seen, k, sizeof(k), 0))
        return;
    /* horizontal: (source, port) */
    k[0] = 'h';
    memcpy(k + 17, &f->sport, 2);
    k[19] = f->proto;
    nh = bump(d, count, k, 20);
    if (!icmp) {
        /* vertical: (source, target) */
        k[0] = 'v';
        memcpy(k + 17, f->saddr, 16);
        nv = bump(d, count, k, 33);
        /* a target's ports probed from any source (many sources, or
         * addresses rotated within a /64) */
        k[0] = 'P';
        memcpy(k + 1, f->saddr, 16);
        memcpy(k + 17, &f->sport, 2);
        k[19] = f->proto;
        if (set_add(d, seen, k, 20, 0)) {
            k[0] = 't';
            nt = bump(d, count, k, 17);
        }
    }
    /* Raised when a count reaches its threshold (each probe adds one),
     * not at every probe past it: formatting an alert that is already
     * raised would cost a scan's every flow. */
    if (nv == ports) {
        snprintf(subj, sizeof(subj), "v|%s|%s", ipstr(src, a),
                 ipstr(f->saddr, b));
        net_raise(d, "port_scan", subj, 3, f->first_ns, f->caddr, f->saddr, 0,
                  f->proto,
                  "vertical port scan: %s probed %lu ports of %s "
                  "without an answer within %lld s",
                  ipstr(f->caddr, a), (unsigned long)nv, b,
                  (long long)(2 * window / VIGIL_NS_PER_SEC));
    }
    /* Only when no single source explains it (it would have its own
     * vertical alert). */
    if (nt == 2 * ports && nv < ports) {
        snprintf(subj, sizeof(subj), "t|%s", ipstr(f->saddr, b));
        net_raise(d, "port_scan", subj, 3, f->first_ns, f->caddr, f->saddr, 0,
                  f->proto,
                  "distributed port scan: %lu ports of %s probed without "
                  "an answer within %lld s (latest from %s)",
                  (unsigned long)nt, b,
                  (long long)(2 * window / VIGIL_NS_PER_SEC),
                  ipstr(f->caddr, a));
    }
    if (nh == hosts) {
        snprintf(subj, sizeof(subj), "h|%s|%u|%u", ipstr(src, a),
                 (unsigned)f->sport, (unsigned)f->proto);
        if (icmp)
            net_raise(d, "port_scan", subj, 3, f->first_ns, f->caddr, NULL, 0,
                      f->proto,
                      "ping sweep: %s sent echo requests to %lu hosts "
                      "without an answer within %lld s",
                      ipstr(f->caddr, a), (unsigned long)nh,
                      (long long)(2 * window / VIGIL_NS_PER_SEC));
        else
            net_raise(d, "port_scan", subj, 3, f->first_ns, f->caddr, NULL,
                      f->sport, f->proto,
                      "horizontal port scan: %s probed port %u on %lu "
                      "hosts without an answer within %lld s",
                      ipstr(f->caddr, a), (unsigned)f->sport, (unsigned long)nh,
                      (long long)(2 * window / VIGIL_NS_PER_SEC));
    }
}

static void
scan_flow(struct vigil_net_detect *d, const struct vigil_net_flow *f)
{
    if (!probe(f))
        return;
    /* Sliding windows (two generations), and a slower tier for scans
     * paced under the fast one. */
    scan_tier(d, f, &d->scan_seen, &d->scan_count, d->o.scan_ports,
              d->o.scan_hosts, d->o.scan_window_ns);
    scan_tier(d, f, &d->slow_seen, &d->slow_count,
              d->o.scan_ports * SLOW_FACTOR, d->o.scan_hosts * SLOW_FACTOR,
              SLOW_WINDOW);
}

/* ---- beaconing ---- */

static int
cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Periodic by design, left to other detectors: DNS (the tunnel
 * detector), NTP, mDNS; ICMP; multicast and broadcast. Judged by what
 * the flow is, not by port alone: a TCP channel on port 53 is a
 * candidate. */
static int
beacon_skip(const struct vigil_net_flow *f)
{
    return f->app == VIGIL_NET_APP_DNS || f->proto == 1 || f->proto == 58 ||
           is_group(f->saddr) ||
           (f->proto == 17 && (f->sport == 123 || f->sport == 5353));
}

static void
beacon_flow(struct vigil_net_detect *d, const struct vigil_net_flow *f)
{
    uint8_t k[1 + 16 + VIGIL_NET_NAME_MAX + 2 + 1];
    size_t kl;
    struct beacon *b;
    int64_t iv[BEACON_KEEP], med;
    size_t n, near = 0, pos;
    char a[64], c[64], subj[VIGIL_NET_NAME_MAX + 160];
    double mean = 0, var = 0, cv;
    int connect = strcmp(f->method, "CONNECT") == 0 && f->name[0] != '\0';
    int internal = !connect && is_home(d, f->caddr) && is_home(d, f->saddr);

    if (beacon_skip(f))
        return;
    /* Only an answered connection: a scan's probes are not, nor spoofed
     * one-way UDP (which must not fill this table). A TCP connection
     * resumed after a pause (no handshake) is a check-in too. */
    if (f->proto == 6 && !(f->sflags & VIGIL_NET_TH_SYN) &&
        !(f->resumed && f->spkts > 0))
        return;
    if (f->spkts == 0)
        return;
    gtab_tick(d, &d->beacons, f->first_ns);
    /* Through a proxy every site is one (client, proxy, port): the site
     * asked for with CONNECT is the service. */
    k[0] = connect ? 'C' : 'A';
    memcpy(k + 1, f->caddr, 16);
    if (connect) {
        size_t nl = strlen(f->name);

        memcpy(k + 17, f->name, nl);
        kl = 17 + nl;
    } else {
        memcpy(k + 17, f->saddr, 16);
        kl = 33;
    }
    memcpy(k + kl, &f->sport, 2);
    k[kl + 2] = f->proto;
    kl += 3;
    if ((b = gtab_get(&d->beacons, k, kl, 1)) == NULL) {
        if ((b = calloc(1, sizeof(*b))) == NULL) {
            d->dropped++;
            return;
        }
        if (!gtab_put(d, &d->beacons, k, kl, b)) {
            free(b);
            return;
        }
    }
    if (b->alerted_ns) {
        if (f->first_ns - b->alerted_ns < d->o.alert_window_ns)
            return;
        b->alerted_ns = 0;
        b->n = 0;
    }
    /* Kept in time order by insertion (flows end out of start order:
     * idle timeouts, eviction), mostly at the end. */
    if (b->n == BEACON_KEEP) {
        if (f->first_ns <= b->t[0])
            return;
        memmove(b->t, b->t + 1, (BEACON_KEEP - 1) * sizeof(b->t[0]));
        b->n--;
    }
    pos = b->n;
    while (pos > 0 && b->t[pos - 1] > f->first_ns) {
        b->t[pos] = b->t[pos - 1];
        pos--;
    }
    b->t[pos] = f->first_ns;
    b->n++;
    /* Judged when a start extends the series by a plausible interval: a
     * burst of connections (a brute force, a page's resources) costs no
     * sorting. */
    if (b->n < d->o.beacon_min || pos + 1 != b->n ||
        b->t[pos] - b->t[pos - 1] <
            (int64_t)((1 - d->o.beacon_jitter) *
                      (double)d->o.beacon_min_interval_ns))
        return;
    n = b->n;
    for (size_t i = 1; i < n; i++) {
        iv[i - 1] = b->t[i] - b->t[i - 1];
        mean += (double)iv[i - 1];
    }
    mean /= (double)(n - 1);
    for (size_t i = 0; i + 1 < n; i++)
        var += ((double)iv[i] - mean) * ((double)iv[i] - mean);
    cv = sqrt(var / (double)(n - 1)) / (mean > 0 ? mean : 1);
    qsort(iv, n - 1, sizeof(iv[0]), cmp_i64);
    med = iv[(n - 1) / 2];
    for (size_t i = 0; i + 1 < n; i++)
        if (llabs(iv[i] - med) <= (int64_t)(d->o.beacon_jitter * (double)med))
            near++;
    /* Two ways to be periodic, both needing more than chance gives
     * random (Poisson) connections: every interval very regular (a
     * timer: coefficient of variation <= beacon_max_cv), or, robust to a
     * few odd gaps (a retry, a session opened by hand), beacon_min_near
     * intervals within beacon_jitter of the median and at least half of
     * all. With 4-5 intervals "4 within 20 %" happens by chance. */
    if (med < d->o.beacon_min_interval_ns ||
        !(cv <= d->o.beacon_max_cv ||
          (near >= d->o.beacon_min_near && 2 * near >= n - 1)))
        return;
    b->alerted_ns = f->first_ns > 0 ? f->first_ns : 1;
    internal = !connect && is_home(d, f->caddr) && is_home(d, f->saddr);
    snprintf(subj, sizeof(subj), "%s|%s|%u|%u", ipstr(f->caddr, a),
             connect ? f->name : ipstr(f->saddr, c), (unsigned)f->sport,
             (unsigned)f->proto);
    ipstr(f->saddr, c);
    /* Between two home hosts it is more often a scraper or a health
     * check than a C2 channel: still said, with less weight. */
    net_raise(d, "beacon", subj, internal ? 2 : 3, f->first_ns, f->caddr,
              f->saddr, f->sport, f->proto,
              "beaconing: %s connected to %s%s%s port %u every %.1f s (%zu "
              "of %zu intervals within %.0f%%)%s",
              a, connect ? f->name : c, connect ? " through the proxy " : "",
              connect ? c : "", (unsigned)f->sport, (double)med / 1e9, near,
              n - 1, 100.0 * d->o.beacon_jitter,
              internal ? " between home hosts" : "");
}

/* A heartbeat inside one connection: the client's bursts of data at
 * regular intervals (mean and standard deviation: one flow has no room
 * for the intervals themselves). */
static void
heartbeat_flow(struct vigil_net_detect *d, const struct vigil_net_flow *f)
{
    double n, mean, sd;
    char a[64], c[64], subj[160];

    if (f->bursts < d->o.beacon_min || beacon_skip(f))
        return;
    n = (double)(f->bursts - 1);
    mean = f->burst_sum / n;
    sd = sqrt(fmax(0, f->burst_sq / n - mean * mean));
    if (mean * 1e9 < (double)d->o.beacon_min_interval_ns ||
        sd / mean > d->o.beacon_jitter)
        return;
    snprintf(subj, sizeof(subj), "%s|%s|%u|%u", ipstr(f->caddr, a),
             ipstr(f->saddr, c), (unsigned)f->sport, (unsigned)f->proto);
    net_raise(d, "beacon", subj,
              is_home(d, f->caddr) && is_home(d, f->saddr) ? 2 : 3, f->first_ns,
              f->caddr, f->saddr, f->sport, f->proto,
              "beaconing: %s sent data to %s port %u every %.1f s in one "
              "connection (%u times, jitter %.0f%%)",
              a, c, (unsigned)f->sport, mean, f->bursts, 100.0 * sd / mean);
}

/* ---- exfiltration ---- */

/* The bytes f carried out of the home networks: from a home client to an
 * outside server, or from a home server's ephemeral port to an outside
 * service port (roles seen the wrong way round). 0 otherwise. */
static int
outbound(const struct vigil_net_detect *d, const struct vigil_net_flow *f,
         const uint8_t **host, const uint8_t **peer, uint64_t *out,
         uint64_t *in)
{
    if (is_group(f->saddr) || is_group(f->caddr))
        return 0;
    if (is_home(d, f->caddr) && !is_home(d, f->saddr)) {
        *host = f->caddr;
        *peer = f->saddr;
        *out = f->cbytes;
        *in = f->sbytes;
        return 1;
    }
    if (is_home(d, f->saddr) && !is_home(d, f->caddr) && f->sport >= 1024 &&
        f->cport < 1024) {
        *host = f->saddr;
        *peer = f->caddr;
        *out = f->sbytes;
        *in = f->cbytes;
        return 1;
    }
    return 0;
}

/* Judges (and with final, records) f's upload: the volume the host sent
 * to that destination within exfil_window_ns, this flow included, so an
 * upload cut into many flows counts whole. */
static void
exfil_judge(struct vigil_net_detect *d, const struct vigil_net_flow *f,
            int final)
{
    uint8_t k[32];
    const uint8_t *host, *peer;
    uint64_t out, in, vol, vin;
    struct baseline *h;
    struct dest *e;
    char a[64], c[64], subj[160];
    double mean, per;
    int64_t t = final ? f->first_ns : f->last_ns;

    if (!outbound(d, f, &host, &peer, &out, &in))
        return;
    gtab_tick(d, &d->dests, t);
    gtab_tick(d, &d->hosts, t);
    memcpy(k, host, 16);
    memcpy(k + 16, peer, 16);
    if ((e = gtab_get(&d->dests, k, sizeof(k), 1)) == NULL) {
        if ((e = calloc(1, sizeof(*e))) == NULL) {
            d->dropped++;
            return;
        }
        e->first_ns = e->win_ns = f->first_ns;
        if (!gtab_put(d, &d->dests, k, sizeof(k), e)) {
            free(e);
            return;
        }
    }
    if (t - e->win_ns > d->o.exfil_window_ns) {
        e->out = e->in = 0;
        e->flows = 0;
        e->win_ns = t;
    }
    if ((h = gtab_get(&d->hosts, host, 16, 1)) == NULL) {
        if ((h = calloc(1, sizeof(*h))) == NULL) {
            d->dropped++;
            return;
        }
        if (!gtab_put(d, &d->hosts, host, 16, h)) {
            free(h);
            return;
        }
    }
    vol = e->out + out;
    vin = e->in + in;
    mean = h->flows ? (double)h->bytes / (double)h->flows : 0;
    per = (double)vol / (double)(e->flows + 1);
    if (e->alerted_ns && t - e->alerted_ns >= d->o.alert_window_ns)
        e->alerted_ns = 0;
    /* An upload dominates its traffic (a call or a download does not). */
    if (!e->alerted_ns && vol >= d->o.exfil_bytes &&
        (double)vol >= d->o.exfil_ratio * (double)vin &&
        (f->first_ns - e->first_ns <= d->o.exfil_window_ns ||
         (h->flows >= d->o.exfil_baseline_flows &&
          per > d->o.exfil_factor * mean))) {
        /* first used within the window: a new destination */
        int fresh = f->first_ns - e->first_ns <= d->o.exfil_window_ns;

        e->alerted_ns = t > 0 ? t : 1;
        ipstr(host, a);
        ipstr(peer, c);
        snprintf(subj, sizeof(subj), "%s|%s", a, c);
        if (fresh)
            net_raise(d, "exfiltration", subj, 3, t, host, peer,
                      host == f->caddr ? f->sport : f->cport, f->proto,
                      "exfiltration: %s sent %llu bytes in %u flows to %s, a "
                      "destination it had not used",
                      a, (unsigned long long)vol, e->flows + 1, c);
        else
            net_raise(d, "exfiltration", subj, 3, t, host, peer,
                      host == f->caddr ? f->sport : f->cport, f->proto,
                      "exfiltration: %s sent %llu bytes in %u flows to %s, "
                      "%.0f times its mean upload",
                      a, (unsigned long long)vol, e->flows + 1, c,
                      per / (mean > 0 ? mean : 1));
    }
    if (!final)
        return;
    e->out = vol;
    e->in = vin;
    e->flows++;
    h->flows++;
    h->bytes += out;
}

/* ---- IOC list ---- */

static void
ioc_addr(struct vigil_net_detect *d, const struct vigil_net_flow *f)
{
    char a[64], c[64], subj[160];

    for (int side = 0; side < 2; side++) {
        const uint8_t *ip = side ? f->caddr : f->saddr;
        int hit = vigil_hmap_get(d->iocs, ip, 16) != NULL;

        for (size_t i = 0; !hit && i < d->n_ioc_nets; i++)
            hit =
                vigil_ip_in_cidr(ip, d->ioc_nets[i].net, d->ioc_nets[i].prefix);
        if (!hit)
            continue;
        ipstr(f->caddr, a);
        ipstr(f->saddr, c);
        snprintf(subj, sizeof(subj), "%s|%s", a, c);
        net_raise(d, "ioc", subj, 4, f->first_ns, f->caddr, f->saddr, f->sport,
                  f->proto,
                  "IOC: %s talked to %s (port %u), an address on the IOC list",
                  a, c, (unsigned)f->sport);
        return;
    }
}

/* The name (normalised here too: callers may pass raw text) and each
 * parent domain. */
static void
ioc_name(struct vigil_net_detect *d, const struct vigil_net_flow *f,
         const char *name, int64_t t)
{
    char nm[VIGIL_NET_NAME_MAX], a[64], c[64], subj[400];
    size_t len = strlen(name);

    if (len == 0 || len >= sizeof(nm))
        return;
    memcpy(nm, name, len + 1);
    vigil_net_name_norm(nm);
    for (const char *n = nm; n && *n;) {
        const char *dot;

        if (vigil_hmap_get(d->iocs, n, strlen(n))) {
            ipstr(f->caddr, a);
            ipstr(f->saddr, c);
            snprintf(subj, sizeof(subj), "%s|%s", a, n);
            net_raise(d, "ioc", subj, 4, t, f->caddr, f->saddr, f->sport,
                      f->proto,
                      "IOC: %s contacted %s (%s), a domain on the IOC list", a,
                      nm, c);
            return;
        }
        dot = strchr(n, '.');
        n = dot ? dot + 1 : NULL;
    }
}

static void
ioc_flow(struct vigil_net_detect *d, const struct vigil_net_flow *f)
{
    if (vigil_hmap_count(d->iocs) == 0 && d->n_ioc_nets == 0)
        return;
    ioc_addr(d, f);
    ioc_name(d, f, f->name, f->first_ns);
}

/* One CSV field (quotes removed) at column col of line s..e into v. */
static size_t
csv_field(const char *s, const char *e, size_t col, char *v, size_t vsz)
{
    size_t c = 0, k = 0;
    int q = 0;

    for (const char *p = s; p < e; p++) {
        if (*p == '"') {
            q = !q;
            continue;
        }
        if (*p == ',' && !q) {
            if (c++ == col)
                break;
            continue;
        }
        if (c == col && k + 1 < vsz)
            v[k++] = *p;
    }
    v[k] = '\0';
    /* blanks around */
    while (k && (v[k - 1] == ' ' || v[k - 1] == '\t' || v[k - 1] == '\r'))
        v[--k] = '\0';
    {
        size_t b = 0;
        while (b < k && (v[b] == ' ' || v[b] == '\t'))
            b++;
        memmove(v, v + b, k - b + 1);
        k -= b;
    }
    return k;
}

static int
header_name(const char *v)
{
    static const char *const names[] = {
        "ip",     "dst_ip", "ip_address", "indicator", "ioc",     "value",
        "domain", "host",   "hostname",   "url",       "address", "dst_host"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcasecmp(v, names[i]) == 0)
            return 1;
    return 0;
}

/* Adds one indicator: 1 stored, 0 not an indicator, -1 table full. */
static int
ioc_add(struct vigil_net_detect *d, char *v)
{
    uint8_t ip[16];
    struct vigil_net_cidr net;
    char *p;
    size_t vl;

    /* A URL gives its host. */
    if ((p = strstr(v, "://")) != NULL) {
        char *e;

        memmove(v, p + 3, strlen(p + 3) + 1);
        if ((e = strpbrk(v, "/?#")) != NULL)
            *e = '\0';
        if ((e = strrchr(v, '@')) != NULL)
            memmove(v, e + 1, strlen(e + 1) + 1);
    }
    vl = strlen(v);
    if (vigil_ip_parse(v, vl, ip))
        return vigil_hmap_put(d->iocs, ip, 16, (void *)1) == VIGIL_OK ? 1 : -1;
    if (strchr(v, '/') && vigil_net_cidr_parse(v, vl, &net)) {
        struct vigil_net_cidr *nn;

        if (d->n_ioc_nets >= IOC_NETS_MAX)
            return -1;
        nn = realloc(d->ioc_nets, (d->n_ioc_nets + 1) * sizeof(*nn));
        if (nn == NULL)
            return -1;
        d->ioc_nets = nn;
        d->ioc_nets[d->n_ioc_nets++] = net;
        return 1;
    }
    vl = vigil_net_name_norm(v);
    if (vigil_ip_parse(v, vl, ip)) /* [v6]:port, a.b.c.d:port */
        return vigil_hmap_put(d->iocs, ip, 16, (void *)1) == VIGIL_OK ? 1 : -1;
    if (vl < 3 || strchr(v, '.') == NULL || strpbrk(v, " \t/\\\"'<>") != NULL)
        return 0;
    return vigil_hmap_put(d->iocs, v, vl, (void *)1) == VIGIL_OK ? 1 : -1;
}

enum vigil_rc
vigil_net_detect_load_iocs(struct vigil_net_detect *d, const char *path,
                           struct vigil_err *err)
{
    char *data = NULL;
    size_t len = 0, i = 0, col = 0, loaded = 0, refused = 0, lines = 0;
    int header_seen = 0;
    enum vigil_rc rc;

    VIGIL_TRY(vigil_read_file(path, 64u << 20, &data, &len, err));
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        i = 3; /* a UTF-8 byte order mark */
    while (i < len) {
        size_t s = i, e;
        char v[VIGIL_NET_NAME_MAX];
        const char *hash;
        int r;

        while (i < len && data[i] != '\n')
            i++;
        e = i++;
        while (s < e && (data[s] == ' ' || data[s] == '\t'))
            s++;
        while (e > s && (data[e - 1] == '\r' || data[e - 1] == ' ' ||
                         data[e - 1] == '\t'))
            e--;
        if (s == e || data[s] == '#')
            continue;
        /* A comment after the value (" # ..."): a URL's '#' fragment
         * has no blank before it. */
        if ((hash = memchr(data + s, '#', e - s)) != NULL && hash > data + s &&
            (hash[-1] == ' ' || hash[-1] == '\t')) {
            e = (size_t)(hash - data);
            while (e > s && (data[e - 1] == ' ' || data[e - 1] == '\t'))
                e--;
        }
        lines++;
        /* The first line of a CSV may be its header: the column whose
         * name says it holds the indicator. */
        if (!header_seen && memchr(data + s, ',', e - s) != NULL) {
            size_t ncol = 1;
            int named = 0;

            for (size_t j = s; j < e; j++)
                ncol += data[j] == ',';
            for (size_t c = 0; c < ncol && c < 64 && !named; c++) {
                csv_field(data + s, data + e, c, v, sizeof(v));
                if (header_name(v)) {
                    col = c;
                    named = 1;
                }
            }
            header_seen = 1;
            if (named) {
                lines--;
                continue;
            }
        }
        header_seen = 1;
        csv_field(data + s, data + e, col, v, sizeof(v));
        r = v[0] ? ioc_add(d, v) : 0;
        if (r < 0) {
            rc = vigil_err_set(err, VIGIL_ELIMIT, "%s: too many indicators",
                               path);
            goto out;
        }
        if (r > 0)
            loaded++;
        else
            refused++;
    }
    /* A header the names above do not know is refused as a line; a file
     * with lines and no indicator is an error, not an empty list. */
    vigil_log(VIGIL_LOG_INFO, 2390,
              "net: %s: %zu indicators loaded, %zu lines refused", path, loaded,
              refused);
    if (loaded == 0 && lines > 0) {
        rc = vigil_err_set(err, VIGIL_EPARSE,
                           "%s: no indicator in %zu lines (one address, "
                           "network or domain per line, or a CSV column)",
                           path, lines);
        goto out;
    }
    rc = VIGIL_OK;
out:
    free(data);
    return rc;
}

/* ---- new listening services ---- */

static void
service_flow(struct vigil_net_detect *d, const struct vigil_net_flow *f)
{
    uint8_t k[19];
    char a[64], subj[160];

    /* A service of the monitored networks (a website a client visits is
     * not one), answering a real connection (a scan's answered SYN that
     * the scanner resets is not). */
    if (d->o.new_service_after == 0 || f->proto != 6 ||
        (f->sflags & (VIGIL_NET_TH_SYN | VIGIL_NET_TH_ACK)) !=
            (VIGIL_NET_TH_SYN | VIGIL_NET_TH_ACK) ||
        !is_home(d, f->saddr) ||
        ((f->cflags & VIGIL_NET_TH_RST) && f->cpkts <= 3))
        return;
    gtab_tick(d, &d->services, f->first_ns);
    memcpy(k, f->saddr, 16);
    memcpy(k + 16, &f->sport, 2);
    k[18] = f->proto;
    if (!set_add(d, &d->services, k, sizeof(k), 1))
        return;
    if (d->learned++ < d->o.new_service_after)
        return;
    snprintf(subj, sizeof(subj), "%s|%u", ipstr(f->saddr, a),
             (unsigned)f->sport);
    net_raise(d, "new_service", subj, 2, f->first_ns, f->caddr, f->saddr,
              f->sport, f->proto,
              "new listening service: %s answered on TCP port %u for the first "
              "time",
              a, (unsigned)f->sport);
}

void
vigil_net_detect_flow(struct vigil_net_detect *d,
                      const struct vigil_net_flow *f)
{
    scan_flow(d, f);
    beacon_flow(d, f);
    heartbeat_flow(d, f);
    exfil_judge(d, f, 1);
    ioc_flow(d, f);
    service_flow(d, f);
}

void
vigil_net_detect_update(struct vigil_net_detect *d,
                        const struct vigil_net_flow *f)
{
    int iocs = vigil_hmap_count(d->iocs) != 0 || d->n_ioc_nets != 0;

    switch (f->update) {
    case VIGIL_NET_UPD_NEW:
        if (iocs)
            ioc_addr(d, f);
        break;
    case VIGIL_NET_UPD_NAME:
        if (iocs && f->seen_name)
            ioc_name(d, f, f->seen_name, f->last_ns);
        break;
    case VIGIL_NET_UPD_BYTES:
        exfil_judge(d, f, 0);
        break;
    default:
        break;
    }
}

/* ---- DNS tunnels ---- */

static double
entropy(const char *s, size_t n)
{
    unsigned cnt[256] = {0};
    double h = 0;

    for (size_t i = 0; i < n; i++)
        cnt[(unsigned char)s[i]]++;
    for (int i = 0; i < 256; i++)
        if (cnt[i]) {
            double p = (double)cnt[i] / (double)n;
            h -= p * log2(p);
        }
    return h;
}

/* The registered domain of name (a pointer into it): the last two labels,
 * or three under a public suffix of two labels. A full public-suffix
 * list is not shipped; the rule covers the common case: a country-code
 * TLD whose second level is a generic registry label (co.uk, com.au,
 * gov.uk, ac.jp, gc.ca, Canadian provinces such as qc.ca), and a few
 * hosting suffixes that give each customer a name (amazonaws.com,
 * github.io). */
static const char *
reg_domain(const char *name, size_t len)
{
    static const char *const second[] = {
        "co", "com", "net", "org", "gov", "edu", "ac",   "gob", "mil", "nic",
        "ne", "or",  "go",  "gc",  "ltd", "plc", "sch",  "nhs", "biz", "info",
        "ab", "bc",  "mb",  "nb",  "nl",  "ns",  "nt",   "nu",  "on",  "pe",
        "qc", "sk",  "yk",  "gv",  "lg",  "ed",  "govt", "res", "int", "mod"};
    static const char *const hosting[] = {
        "amazonaws.com",     "cloudfront.net", "github.io", "herokuapp.com",
        "azurewebsites.net", "duckdns.org",    "ngrok.io",  "appspot.com",
        "blogspot.com",      "workers.dev",    "pages.dev", "no-ip.org"};
    const char *lab[4] = {NULL, NULL, NULL, NULL};
    int nl = 0;
    size_t tl;

    /* starts of the last four labels, last first */
    for (const char *p = name + len; p > name && nl < 4; p--)
        if (p[-1] == '.')
            lab[nl++] = p;
    if (nl < 4)
        lab[nl++] = name;
    if (nl < 2)
        return name;
    tl = strlen(lab[0]);
    if (nl >= 3) {
        size_t sl = (size_t)(lab[0] - lab[1]) - 1;

        if (tl == 2)
            for (size_t i = 0; i < sizeof(second) / sizeof(second[0]); i++)
                if (strlen(second[i]) == sl &&
                    memcmp(lab[1], second[i], sl) == 0)
                    return lab[2];
        for (size_t i = 0; i < sizeof(hosting) / sizeof(hosting[0]); i++)
            if (strcmp(lab[1], hosting[i]) == 0)
                return lab[2];
    }
    return lab[1];
}

void
vigil_net_detect_packet(struct vigil_net_detect *d,
                        const struct vigil_net_pkt *p)
{
    struct vigil_net_dns q;
    const uint8_t *pl = p->payload;
    size_t n = p->payload_len, nl = 0, longest = 0, run = 0, sublen, dl;
    const char *dom;
    char key[1 + 16 + VIGIL_NET_NAME_MAX], a[64];
    uint8_t src[16];
    double thr;

    if (p->dport != 53 || (p->proto != 17 && p->proto != 6) || n == 0)
        return;
    if (p->proto == 6) {
        if (n < 2)
            return;
        pl += 2;
        n -= 2;
    }
    if (!vigil_net_dns_parse(pl, n, &q) || q.response || q.qname_len == 0)
        return;
    /* The domain: the registered one (a tunnel lives under a domain its
     * operator registered); counted per client and domain. */
    dom = reg_domain(q.qname, q.qname_len);
    dl = strlen(dom);
    sublen = (size_t)(dom - q.qname);
    for (size_t i = 0; i < sublen; i++) {
        if (q.qname[i] == '.') {
            run = 0;
            continue;
        }
        if (++run > longest)
            longest = run;
        nl++;
    }
    gtab_tick(d, &d->dns, p->time_ns);
    source_key(p->src, src);
    memcpy(key + 1, src, 16);
    memcpy(key + 17, dom, dl);
    ipstr(p->src, a);
    /* Encoded data: a long label, or a long subdomain in several shorter
     * labels; random-looking (a long name in a small alphabet, such as
     * decimal digits, is allowed a little less entropy). */
    thr = nl >= 100 ? d->o.dns_entropy - 0.3 : d->o.dns_entropy;
    if ((longest >= d->o.dns_label_len || nl >= d->o.dns_name_len) &&
        entropy(q.qname, sublen) >= thr) {
        uintptr_t c;

        key[0] = 'e';
        c = bump(d, &d->dns, key, 17 + dl);
        if (c == d->o.dns_encoded_queries) {
            char subj[VIGIL_NET_NAME_MAX + 80];

            snprintf(subj, sizeof(subj), "e|%s|%s", a, dom);
            net_raise(d, "dns_tunnel", subj, 3, p->time_ns, p->src, p->dst, 53,
                      p->proto,
                      "DNS tunnel: %s sent %lu queries with long encoded "
                      "names (longest label %zu) under %s",
                      a, (unsigned long)c, longest, dom);
        }
    }
    if (q.qtype == 16 || q.qtype == 10) {
        uintptr_t c;

        key[0] = 't';
        c = bump(d, &d->dns, key, 17 + dl);
        if (c == d->o.dns_txt_queries) {
            char subj[VIGIL_NET_NAME_MAX + 80];

            snprintf(subj, sizeof(subj), "t|%s|%s", a, dom);
            net_raise(d, "dns_tunnel", subj, 3, p->time_ns, p->src, p->dst, 53,
                      p->proto, "DNS tunnel: %s sent %lu %s queries under %s",
                      a, (unsigned long)c, q.qtype == 16 ? "TXT" : "NULL", dom);
        }
    }
}
