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

#include "net/net.h"

#define BEACON_KEEP 64

/* One client's connection starts to one service, oldest first. */
struct beacon {
    uint32_t n;
    int alerted;
    int64_t t[BEACON_KEEP];
};

struct baseline {
    uint64_t flows, bytes;
};

struct vigil_net_detect {
    struct vigil_net_detect_opts o;
    vigil_net_alert_fn fn;
    void *arg;
    struct vigil_hmap *scan_seen, *scan_count, *beacons, *hosts, *dests, *dns,
        *iocs, *services, *alerted;
    int64_t scan_epoch;
    uint64_t learned, dropped;
};

void
vigil_net_detect_defaults(struct vigil_net_detect_opts *o)
{
    if (!o->scan_window_ns)
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
}

enum vigil_rc
vigil_net_detect_new(struct vigil_net_detect **out,
                     const struct vigil_net_detect_opts *o,
                     vigil_net_alert_fn fn, void *arg, struct vigil_err *err)
{
    struct vigil_net_detect *d;
    enum vigil_rc rc = VIGIL_OK;

    *out = NULL;
    if ((d = calloc(1, sizeof(*d))) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    if (o)
        d->o = *o;
    vigil_net_detect_defaults(&d->o);
    d->fn = fn;
    d->arg = arg;
    VIGIL_TRY(vigil_hmap_new(&d->scan_seen, d->o.max_entries, NULL, err));
    VIGIL_TRY(vigil_hmap_new(&d->scan_count, d->o.max_entries, NULL, err));
    VIGIL_TRY(vigil_hmap_new(&d->beacons, d->o.max_entries, free, err));
    VIGIL_TRY(vigil_hmap_new(&d->hosts, d->o.max_entries, free, err));
    VIGIL_TRY(vigil_hmap_new(&d->dests, d->o.max_entries, NULL, err));
    VIGIL_TRY(vigil_hmap_new(&d->dns, d->o.max_entries, NULL, err));
    VIGIL_TRY(vigil_hmap_new(&d->iocs, 0, NULL, err));
    VIGIL_TRY(vigil_hmap_new(&d->services, d->o.max_entries, NULL, err));
    VIGIL_TRY(vigil_hmap_new(&d->alerted, d->o.max_entries, NULL, err));
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
    vigil_hmap_free(d->scan_seen);
    vigil_hmap_free(d->scan_count);
    vigil_hmap_free(d->beacons);
    vigil_hmap_free(d->hosts);
    vigil_hmap_free(d->dests);
    vigil_hmap_free(d->dns);
    vigil_hmap_free(d->iocs);
    vigil_hmap_free(d->services);
    vigil_hmap_free(d->alerted);
    free(d);
}

uint64_t
vigil_net_detect_dropped(const struct vigil_net_detect *d)
{
    return d->dropped;
}

/* Adds one to the counter under key; returns the new count (0 when the
 * table is full, counted as dropped). */
static uintptr_t
bump(struct vigil_net_detect *d, struct vigil_hmap *m, const void *k, size_t kl)
{
    uintptr_t c = (uintptr_t)vigil_hmap_get(m, k, kl) + 1;

    if (vigil_hmap_put(m, k, kl, (void *)c) != VIGIL_OK) {
        d->dropped++;
        return 0;
    }
    return c;
}

/* Inserts key into a set; 1 when it was not there. */
static int
set_add(struct vigil_net_detect *d, struct vigil_hmap *m, const void *k,
        size_t kl)
{
    if (vigil_hmap_get(m, k, kl) != NULL)
        return 0;
    if (vigil_hmap_put(m, k, kl, (void *)1) != VIGIL_OK) {
        d->dropped++;
        return 0;
    }
    return 1;
}

/* Raises an alert once per (kind, subject). */
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
    if (!set_add(d, d->alerted, key, (size_t)kl))
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

/* ---- port scans ---- */

static void
scan_flow(struct vigil_net_detect *d, const struct vigil_net_flow *f)
{
    int64_t epoch = f->first_ns / d->o.scan_window_ns;
    uint8_t k[1 + 8 + 16 + 16 + 2];
    uintptr_t nv, nh;
    char a[64], b[64], subj[160];
    int refused;

    if (f->proto == 6)
        refused =
            (f->cflags & VIGIL_NET_TH_SYN) && !(f->sflags & VIGIL_NET_TH_SYN);
    else if (f->proto == 17)
        refused = f->spkts == 0 && f->app != VIGIL_NET_APP_DNS;
    else
        refused = 0;
    if (!refused)
        return;
    /* Windows of scan_window_ns: the previous one is kept while the
     * current fills, older ones go. */
    if (epoch > d->scan_epoch + 1) {
        vigil_hmap_free(d->scan_seen);
        vigil_hmap_free(d->scan_count);
        d->scan_seen = d->scan_count = NULL;
        if (vigil_hmap_new(&d->scan_seen, d->o.max_entries, NULL, NULL) !=
                VIGIL_OK ||
            vigil_hmap_new(&d->scan_count, d->o.max_entries, NULL, NULL) !=
                VIGIL_OK) {
            d->dropped++;
            return;
        }
    }
    if (epoch > d->scan_epoch)
        d->scan_epoch = epoch;
    if (d->scan_seen == NULL || d->scan_count == NULL)
        return;
    memcpy(k + 1, &epoch, 8);
    memcpy(k + 9, f->caddr, 16);
    memcpy(k + 25, f->saddr, 16);
    memcpy(k + 41, &f->sport, 2);
    k[0] = f->proto;
    if (!set_add(d, d->scan_seen, k, sizeof(k)))
        return;
    /* vertical: (epoch, src, dst) */
    k[0] = 'v';
    nv = bump(d, d->scan_count, k, 41);
    /* horizontal: (epoch, src, port) */
    k[0] = 'h';
    memcpy(k + 25, &f->sport, 2);
    memcpy(k + 27, &f->proto, 1);
    nh = bump(d, d->scan_count, k, 28);
    if (nv >= d->o.scan_ports) {
        snprintf(subj, sizeof(subj), "v|%s|%s", ipstr(f->caddr, a),
                 ipstr(f->saddr, b));
        net_raise(d, "port_scan", subj, 3, f->first_ns, f->caddr, f->saddr, 0,
                  f->proto,
                  "vertical port scan: %s probed %lu ports of %s "
                  "without an answer within %lld s",
                  a, (unsigned long)nv, b,
                  (long long)(d->o.scan_window_ns / VIGIL_NS_PER_SEC));
    }
    if (nh >= d->o.scan_hosts) {
        snprintf(subj, sizeof(subj), "h|%s|%u", ipstr(f->caddr, a),
                 (unsigned)f->sport);
        net_raise(d, "port_scan", subj, 3, f->first_ns, f->caddr, NULL,
                  f->sport, f->proto,
                  "horizontal port scan: %s probed port %u on %lu "
                  "hosts without an answer within %lld s",
                  a, (unsigned)f->sport, (unsigned long)nh,
                  (long long)(d->o.scan_window_ns / VIGIL_NS_PER_SEC));
    }
}

/* ---- beaconing ---- */

static int
cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void
beacon_flow(struct vigil_net_detect *d, const struct vigil_net_flow *f)
{
    uint8_t k[16 + 16 + 2 + 1];
    struct beacon *b;
    int64_t iv[BEACON_KEEP], med;
    size_t n, near = 0, pos;
    char a[64], c[64], subj[160];

    /* Resolvers and time servers are asked at regular times by design;
     * a channel hidden in DNS is the DNS tunnel detector's. */
    if (f->sport == 53 || f->sport == 123 || f->sport == 5353 ||
        f->proto == 1 || f->proto == 58)
        return;
    /* Only a connection that was answered: a scan's probes are not. */
    if (f->proto == 6 && !(f->sflags & VIGIL_NET_TH_SYN))
        return;
    memcpy(k, f->caddr, 16);
    memcpy(k + 16, f->saddr, 16);
    memcpy(k + 32, &f->sport, 2);
    k[34] = f->proto;
    if ((b = vigil_hmap_get(d->beacons, k, sizeof(k))) == NULL) {
        if ((b = calloc(1, sizeof(*b))) == NULL ||
            vigil_hmap_put(d->beacons, k, sizeof(k), b) != VIGIL_OK) {
            free(b);
            d->dropped++;
            return;
        }
    }
    if (b->alerted)
        return;
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
    /* Robust to a few odd gaps (a retry, a session opened by hand):
     * enough intervals lie within beacon_jitter of the median interval
     * and they are at least half of all. */
    n = b->n;
    for (size_t i = 1; i < n; i++)
        iv[i - 1] = b->t[i] - b->t[i - 1];
    qsort(iv, n - 1, sizeof(iv[0]), cmp_i64);
    med = iv[(n - 1) / 2];
    for (size_t i = 0; i + 1 < n; i++)
        if (llabs(iv[i] - med) <= (int64_t)(d->o.beacon_jitter * (double)med))
            near++;
    if (med < d->o.beacon_min_interval_ns || near + 1 < d->o.beacon_min ||
        2 * near < n - 1)
        return;
    b->alerted = 1;
    snprintf(subj, sizeof(subj), "%s|%s|%u|%u", ipstr(f->caddr, a),
             ipstr(f->saddr, c), (unsigned)f->sport, (unsigned)f->proto);
    net_raise(d, "beacon", subj, 3, f->first_ns, f->caddr, f->saddr, f->sport,
              f->proto,
              "beaconing: %s connected to %s port %u every %.1f s (%zu of "
              "%zu intervals within %.0f%%)",
              a, c, (unsigned)f->sport, (double)med / 1e9, near, n - 1,
              100.0 * d->o.beacon_jitter);
}

/* A heartbeat inside one connection: the client's bursts of data at
 * regular intervals (mean and standard deviation: one flow has no room
 * for the intervals themselves). */
static void
heartbeat_flow(struct vigil_net_detect *d, const struct vigil_net_flow *f)
{
    double n, mean, sd;
    char a[64], c[64], subj[160];

    if (f->bursts < d->o.beacon_min || f->sport == 53 || f->sport == 123)
        return;
    n = (double)(f->bursts - 1);
    mean = f->burst_sum / n;
    sd = sqrt(fmax(0, f->burst_sq / n - mean * mean));
    if (mean * 1e9 < (double)d->o.beacon_min_interval_ns ||
        sd / mean > d->o.beacon_jitter)
        return;
    snprintf(subj, sizeof(subj), "%s|%s|%u|%u", ipstr(f->caddr, a),
             ipstr(f->saddr, c), (unsigned)f->sport, (unsigned)f->proto);
    net_raise(d, "beacon", subj, 3, f->first_ns, f->caddr, f->saddr, f->sport,
              f->proto,
              "beaconing: %s sent data to %s port %u every %.1f s in one "
              "connection (%u times, jitter %.0f%%)",
              a, c, (unsigned)f->sport, mean, f->bursts, 100.0 * sd / mean);
}

/* ---- exfiltration ---- */

static void
exfil_flow(struct vigil_net_detect *d, const struct vigil_net_flow *f)
{
    uint8_t k[32];
    struct baseline *h;
    int fresh;
    char a[64], c[64], subj[160];
    double mean;

    memcpy(k, f->caddr, 16);
    memcpy(k + 16, f->saddr, 16);
    fresh = set_add(d, d->dests, k, sizeof(k));
    if ((h = vigil_hmap_get(d->hosts, f->caddr, 16)) == NULL) {
        if ((h = calloc(1, sizeof(*h))) == NULL ||
            vigil_hmap_put(d->hosts, f->caddr, 16, h) != VIGIL_OK) {
            free(h);
            d->dropped++;
            return;
        }
    }
    mean = h->flows ? (double)h->bytes / (double)h->flows : 0;
    if (f->cbytes >= d->o.exfil_bytes) {
        ipstr(f->caddr, a);
        ipstr(f->saddr, c);
        snprintf(subj, sizeof(subj), "%s|%s", a, c);
        if (fresh)
            net_raise(d, "exfiltration", subj, 3, f->first_ns, f->caddr,
                      f->saddr, f->sport, f->proto,
                      "exfiltration: %s sent %llu bytes to %s port %u, a "
                      "destination it had not used",
                      a, (unsigned long long)f->cbytes, c, (unsigned)f->sport);
        else if (h->flows >= d->o.exfil_baseline_flows &&
                 (double)f->cbytes > d->o.exfil_factor * mean)
            net_raise(d, "exfiltration", subj, 3, f->first_ns, f->caddr,
                      f->saddr, f->sport, f->proto,
                      "exfiltration: %s sent %llu bytes to %s port %u, %.0f "
                      "times its mean upload",
                      a, (unsigned long long)f->cbytes, c, (unsigned)f->sport,
                      (double)f->cbytes / (mean > 0 ? mean : 1));
    }
    h->flows++;
    h->bytes += f->cbytes;
}

/* ---- IOC list ---- */

static void
ioc_flow(struct vigil_net_detect *d, const struct vigil_net_flow *f)
{
    char a[64], c[64], subj[400];
    const char *n;

    if (vigil_hmap_count(d->iocs) == 0)
        return;
    ipstr(f->caddr, a);
    ipstr(f->saddr, c);
    for (int side = 0; side < 2; side++) {
        const uint8_t *ip = side ? f->caddr : f->saddr;

        if (vigil_hmap_get(d->iocs, ip, 16)) {
            snprintf(subj, sizeof(subj), "%s|%s", a, c);
            net_raise(d, "ioc", subj, 4, f->first_ns, f->caddr, f->saddr,
                      f->sport, f->proto,
                      "IOC: %s talked to %s (port %u), an address on the IOC "
                      "list",
                      a, c, (unsigned)f->sport);
            return;
        }
    }
    /* The name and each parent domain. */
    for (n = f->name; n && *n;) {
        const char *dot;

        if (vigil_hmap_get(d->iocs, n, strlen(n))) {
            snprintf(subj, sizeof(subj), "%s|%s", a, n);
            net_raise(d, "ioc", subj, 4, f->first_ns, f->caddr, f->saddr,
                      f->sport, f->proto,
                      "IOC: %s contacted %s (%s), a domain on the IOC list", a,
                      f->name, c);
            return;
        }
        dot = strchr(n, '.');
        n = dot ? dot + 1 : NULL;
    }
}

enum vigil_rc
vigil_net_detect_load_iocs(struct vigil_net_detect *d, const char *path,
                           struct vigil_err *err)
{
    char *data = NULL;
    size_t len = 0, i = 0;
    enum vigil_rc rc;

    VIGIL_TRY(vigil_read_file(path, 64u << 20, &data, &len, err));
    while (i < len) {
        size_t s = i, e;
        uint8_t ip[16];
        char v[VIGIL_NET_NAME_MAX];
        size_t vl = 0;

        while (i < len && data[i] != '\n')
            i++;
        e = i++;
        while (s < e && (data[s] == ' ' || data[s] == '\t' || data[s] == '"'))
            s++;
        /* First CSV column, without quotes, blanks and a comment. */
        for (size_t j = s;
             j < e && data[j] != ',' && data[j] != '#' && data[j] != '\r' &&
             data[j] != '"' && data[j] != ' ' && data[j] != '\t';
             j++)
            if (vl + 1 < sizeof(v))
                v[vl++] =
                    (char)((data[j] >= 'A' && data[j] <= 'Z') ? data[j] + 32
                                                              : data[j]);
        v[vl] = '\0';
        if (vl == 0)
            continue;
        if (vigil_ip_parse(v, vl, ip))
            rc = vigil_hmap_put(d->iocs, ip, 16, (void *)1);
        else if (strchr(v, '.') != NULL)
            rc = vigil_hmap_put(d->iocs, v, vl, (void *)1);
        else
            continue; /* a header ("indicator", "value") */
        if (rc != VIGIL_OK) {
            vigil_err_set(err, rc, "%s: too many indicators", path);
            goto out;
        }
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

    if (d->o.new_service_after == 0 || f->proto != 6 ||
        (f->sflags & (VIGIL_NET_TH_SYN | VIGIL_NET_TH_ACK)) !=
            (VIGIL_NET_TH_SYN | VIGIL_NET_TH_ACK))
        return;
    memcpy(k, f->saddr, 16);
    memcpy(k + 16, &f->sport, 2);
    k[18] = f->proto;
    if (!set_add(d, d->services, k, sizeof(k)))
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
    exfil_flow(d, f);
    ioc_flow(d, f);
    service_flow(d, f);
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

void
vigil_net_detect_packet(struct vigil_net_detect *d,
                        const struct vigil_net_pkt *p)
{
    struct vigil_net_dns q;
    const uint8_t *pl = p->payload;
    size_t n = p->payload_len, nl = 0, longest = 0, run = 0, sublen;
    const char *dom;
    char key[VIGIL_NET_NAME_MAX + 2], a[64];
    int dots = 0;

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
    /* The domain: the last two labels (a tunnel lives under a domain
     * its operator registered). */
    dom = q.qname + q.qname_len;
    while (dom > q.qname) {
        if (dom[-1] == '.' && ++dots == 2)
            break;
        dom--;
    }
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
    ipstr(p->src, a);
    if (longest >= d->o.dns_label_len &&
        entropy(q.qname, sublen) >= d->o.dns_entropy) {
        uintptr_t c;

        key[0] = 'e';
        memcpy(key + 1, dom, strlen(dom) + 1);
        c = bump(d, d->dns, key, strlen(key));
        if (c >= d->o.dns_encoded_queries)
            net_raise(d, "dns_tunnel", key, 3, p->time_ns, p->src, p->dst, 53,
                      p->proto,
                      "DNS tunnel: %s sent %lu queries with long encoded "
                      "names (longest label %zu) under %s",
                      a, (unsigned long)c, longest, dom);
    }
    if (q.qtype == 16 || q.qtype == 10) {
        uintptr_t c;

        key[0] = 't';
        memcpy(key + 1, dom, strlen(dom) + 1);
        c = bump(d, d->dns, key, strlen(key));
        if (c >= d->o.dns_txt_queries)
            net_raise(d, "dns_tunnel", key, 3, p->time_ns, p->src, p->dst, 53,
                      p->proto, "DNS tunnel: %s sent %lu %s queries under %s",
                      a, (unsigned long)c, q.qtype == 16 ? "TXT" : "NULL", dom);
    }
    (void)nl;
}
