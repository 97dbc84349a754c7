/* test_net.c -- the network domain on frames built here: each decoder
 * (VLAN, IPv6 extension headers, TCP/UDP, DNS with compression, the TLS
 * ClientHello's SNI/JA3/JA4, the HTTP Host), every prefix of every frame
 * (no read past the capture: ASan), the flow table (both directions in
 * one flow, idle expiry, eviction counted) and each detector's threshold
 * (one short of it: no alert; at it: one alert). */
#include "vigil_test.h"

#include <fcntl.h>
#include <unistd.h>

#include "net/net.h"

struct frame {
    uint8_t b[1600];
    size_t n;
};

static void
put(struct frame *f, const void *p, size_t n)
{
    if (n == 0)
        return; /* p may be NULL: memcpy must not see it */
    memcpy(f->b + f->n, p, n);
    f->n += n;
}

static void
put16(struct frame *f, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    put(f, b, 2);
}

/* Ethernet (optionally VLAN-tagged) + IPv4 + TCP or UDP + payload. */
static void
build4(struct frame *f, int vlan, uint8_t proto, uint32_t src, uint32_t dst,
       uint16_t sp, uint16_t dp, uint8_t flags, const void *pl, size_t pn)
{
    uint8_t mac[12] = {0};
    size_t l4 = proto == 6 ? 20 : 8;
    uint8_t ip[20] = {0x45, 0, 0, 0, 0, 1, 0, 0, 64, proto};

    f->n = 0;
    put(f, mac, 12);
    if (vlan) {
        put16(f, 0x8100);
        put16(f, 7);
    }
    put16(f, 0x0800);
    ip[2] = (uint8_t)((20 + l4 + pn) >> 8);
    ip[3] = (uint8_t)(20 + l4 + pn);
    for (int i = 0; i < 4; i++) {
        ip[12 + i] = (uint8_t)(src >> (24 - 8 * i));
        ip[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
    }
    put(f, ip, 20);
    put16(f, sp);
    put16(f, dp);
    if (proto == 6) {
        uint8_t rest[16] = {0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, 0xff, 0xff};
        put(f, rest, 16);
    } else {
        put16(f, (uint16_t)(8 + pn));
        put16(f, 0);
    }
    put(f, pl, pn);
}

static size_t
dns_query(uint8_t *m, const char *name, uint16_t qtype)
{
    size_t n = 12;
    const char *s = name;

    memset(m, 0, 12);
    m[0] = 0x12;
    m[2] = 1;
    m[5] = 1;
    while (*s) {
        const char *dot = strchr(s, '.');
        size_t l = dot ? (size_t)(dot - s) : strlen(s);
        m[n++] = (uint8_t)l;
        memcpy(m + n, s, l);
        n += l;
        s += l + (dot != NULL);
    }
    m[n++] = 0;
    m[n++] = (uint8_t)(qtype >> 8);
    m[n++] = (uint8_t)qtype;
    m[n++] = 0;
    m[n++] = 1;
    return n;
}

static void
test_decode_ipv4_vlan_dns(void **state)
{
    struct frame f;
    struct vigil_net_pkt p;
    struct vigil_net_dns d;
    uint8_t q[300];
    size_t qn = dns_query(q, "WWW.Example.ORG", 16);

    (void)state;
    build4(&f, 1, 17, 0x0a000001, 0x0a000002, 40000, 53, 0, q, qn);
    assert_int_equal(
        vigil_net_decode(f.b, f.n, (uint32_t)f.n, VIGIL_NET_DLT_EN10MB, 5, &p),
        1);
    assert_int_equal(p.proto, 17);
    assert_int_equal(p.sport, 40000);
    assert_int_equal(p.dport, 53);
    assert_int_equal(p.src[15], 1);
    assert_int_equal(p.src[10], 0xff);
    assert_int_equal(p.payload_len, qn);
    assert_int_equal(vigil_net_dns_parse(p.payload, p.payload_len, &d), 1);
    assert_string_equal(d.qname, "www.example.org");
    assert_int_equal(d.qtype, 16);
    assert_int_equal(d.response, 0);
    /* A compression pointer to itself ends, refused. */
    q[12] = 0xc0;
    q[13] = 12;
    assert_int_equal(vigil_net_dns_parse(q, qn, &d), 0);
}

static void
test_decode_ipv6_ext(void **state)
{
    uint8_t b[14 + 40 + 8 + 8 + 8 + 4] = {0};
    struct vigil_net_pkt p;
    size_t o = 14;

    (void)state;
    b[12] = 0x86;
    b[13] = 0xdd;
    b[o] = 0x60;
    b[o + 5] = 8 + 8 + 8 + 4; /* payload length */
    b[o + 6] = 0;             /* hop-by-hop */
    b[o + 23] = 1;
    b[o + 39] = 2;
    o += 40;
    b[o] = 44; /* hop-by-hop -> fragment */
    o += 8;
    b[o] = 17; /* fragment (offset 0) -> UDP */
    o += 8;
    b[o] = 0x04;
    b[o + 1] = 0xd2; /* 1234 */
    b[o + 3] = 53;
    b[o + 5] = 12;
    assert_int_equal(
        vigil_net_decode(b, sizeof(b), sizeof(b), VIGIL_NET_DLT_EN10MB, 0, &p),
        1);
    assert_int_equal(p.ipv6, 1);
    assert_int_equal(p.proto, 17);
    assert_int_equal(p.sport, 1234);
    assert_int_equal(p.dport, 53);
    assert_int_equal(p.dst[15], 2);
    /* A later fragment: the protocol, no ports. */
    b[14 + 40 + 8 + 3] = 0x08;
    assert_int_equal(
        vigil_net_decode(b, sizeof(b), sizeof(b), VIGIL_NET_DLT_EN10MB, 0, &p),
        1);
    assert_int_equal(p.proto, 17);
    assert_int_equal(p.sport, 0);
}

/* The ClientHello of tests/fuzz/make_seeds.py: GREASE values, SNI,
 * groups, point formats, signature algorithms, ALPN h2, TLS 1.3. */
static size_t
client_hello(uint8_t *out)
{
    static const uint8_t ext[] = {0x0a, 0x0a, 0,   0, /* GREASE */
                                  0,    0,    0,   16,  0,   14,  0,
                                  0,    11,   'E', 'x', 'a', 'm', 'p',
                                  'l',  'e',  '.', 'o', 'r', 'g', /* SNI */
                                  0,    10,   0,   8,   0,   6,   0x1a,
                                  0x1a, 0,    29,  0,   23,     /* groups */
                                  0,    11,   0,   2,   1,   0, /* points */
                                  0,    13,   0,   6,   0,   4,   4,
                                  3,    8,    4, /* sigalgs */
                                  0,    16,   0,   5,   0,   3,   2,
                                  'h',  '2', /* ALPN */
                                  0,    43,   0,   5,   4,   3,   4,
                                  3,    3}; /* versions */
    uint8_t ch[200];
    size_t n = 0;

    ch[n++] = 3;
    ch[n++] = 3;
    memset(ch + n, 0x11, 32);
    n += 32;
    ch[n++] = 0;
    ch[n++] = 0;
    ch[n++] = 6;
    ch[n++] = 0x2a;
    ch[n++] = 0x2a;
    ch[n++] = 0x13;
    ch[n++] = 0x01;
    ch[n++] = 0xc0;
    ch[n++] = 0x2f;
    ch[n++] = 1;
    ch[n++] = 0;
    ch[n++] = 0;
    ch[n++] = sizeof(ext);
    memcpy(ch + n, ext, sizeof(ext));
    n += sizeof(ext);
    out[0] = 0x16;
    out[1] = 3;
    out[2] = 1;
    out[3] = (uint8_t)((n + 4) >> 8);
    out[4] = (uint8_t)(n + 4);
    out[5] = 1;
    out[6] = 0;
    out[7] = (uint8_t)(n >> 8);
    out[8] = (uint8_t)n;
    memcpy(out + 9, ch, n);
    return n + 9;
}

static void
test_tls_http(void **state)
{
    uint8_t b[300];
    size_t n = client_hello(b);
    struct vigil_net_tls t;
    struct vigil_net_http h;
    static const char req[] = "POST /a.php?x=1 HTTP/1.1\r\nUser-Agent: u\r\n"
                              "HOST:  Evil.Example\r\n\r\n";

    (void)state;
    assert_int_equal(vigil_net_tls_parse(b, n, &t), 1);
    assert_string_equal(t.sni, "example.org");
    /* JA3 of "771,4865-49199,0-10-11-13-16-43,29-23,0" (GREASE left out) */
    assert_string_equal(t.ja3, "97737df38853b88c4324af06e211c4a1");
    assert_memory_equal(t.ja4, "t13d0206h2_", 11);
    assert_int_equal(strlen(t.ja4), 10 + 1 + 12 + 1 + 12);
    for (size_t cut = 0; cut < n; cut++)
        (void)vigil_net_tls_parse(b, cut, &t);
    assert_int_equal(
        vigil_net_http_parse((const uint8_t *)req, strlen(req), &h), 1);
    assert_string_equal(h.method, "POST");
    assert_string_equal(h.uri, "/a.php?x=1");
    assert_string_equal(h.host, "evil.example");
    assert_int_equal(
        vigil_net_http_parse((const uint8_t *)"GET / FTP/1", 11, &h), 0);
    for (size_t cut = 0; cut < strlen(req); cut++)
        (void)vigil_net_http_parse((const uint8_t *)req, cut, &h);
}

static void
test_every_prefix(void **state)
{
    struct frame f;
    struct vigil_net_pkt p;
    uint8_t tls[300];
    size_t tn = client_hello(tls);

    (void)state;
    build4(&f, 1, 6, 1, 2, 3, 443, 0x18, tls, tn);
    for (size_t cut = 0; cut <= f.n; cut++) {
        /* A copy of just cut bytes, so ASan sees any read past it. */
        uint8_t *c = malloc(cut ? cut : 1);

        assert_non_null(c);
        memcpy(c, f.b, cut);
        for (int dlt = 0; dlt < 256; dlt += 1)
            (void)vigil_net_decode(c, cut, (uint32_t)cut, dlt, 0, &p);
        if (vigil_net_decode(c, cut, (uint32_t)cut, VIGIL_NET_DLT_EN10MB, 0,
                             &p) &&
            cut < 18 + 20 + 4)
            assert_int_equal(p.dport, 0); /* no TCP ports captured */
        if (vigil_net_decode(c, cut, (uint32_t)cut, VIGIL_NET_DLT_EN10MB, 0,
                             &p) &&
            cut < 18 + 20 + 20)
            assert_int_equal(p.payload_len, 0); /* TCP header incomplete */
        free(c);
    }
}

struct seen {
    int flows, evicted, alerts;
    struct vigil_net_flow last;
    struct vigil_net_detect *det;
    char kinds[512];
};

static int
count_flow(const struct vigil_net_flow *f, void *arg)
{
    struct seen *s = arg;

    s->flows++;
    s->evicted += f->end == VIGIL_NET_END_EVICTED;
    s->last = *f;
    if (s->det)
        vigil_net_detect_flow(s->det, f);
    return 0;
}

static void
count_alert(const struct vigil_net_alert *a, void *arg)
{
    struct seen *s = arg;

    s->alerts++;
    strncat(s->kinds, a->kind, sizeof(s->kinds) - strlen(s->kinds) - 2);
    strncat(s->kinds, " ", sizeof(s->kinds) - strlen(s->kinds) - 1);
}

static void
feed(struct vigil_net_flows *t, struct vigil_net_detect *d, uint8_t proto,
     uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp, uint8_t flags,
     int64_t ns, const void *pl, size_t pn)
{
    struct frame f;
    struct vigil_net_pkt p;

    build4(&f, 0, proto, src, dst, sp, dp, flags, pl, pn);
    assert_int_equal(
        vigil_net_decode(f.b, f.n, (uint32_t)f.n, VIGIL_NET_DLT_EN10MB, ns, &p),
        1);
    if (d)
        vigil_net_detect_packet(d, &p);
    vigil_net_flows_add(t, &p);
}

static void
test_flows(void **state)
{
    struct seen s = {0};
    struct vigil_net_flows *t;
    struct vigil_net_flow_opts o = {.max_flows = 2,
                                    .idle_timeout_ns = 10 * VIGIL_NS_PER_SEC};
    struct vigil_net_flow_stats st;

    (void)state;
    assert_int_equal(vigil_net_flows_new(&t, &o, count_flow, &s, NULL),
                     VIGIL_OK);
    feed(t, NULL, 6, 1, 2, 1000, 80, 0x02, 0, NULL, 0);
    feed(t, NULL, 6, 2, 1, 80, 1000, 0x12, 1, NULL, 0);
    feed(t, NULL, 6, 1, 2, 1000, 80, 0x10, 2, "GET / HTTP/1.0\r\n\r\n", 18);
    assert_int_equal(s.flows, 0);
    /* Past the idle timeout: the flow ends, both directions in it. */
    feed(t, NULL, 17, 3, 4, 5, 6, 0, 20 * VIGIL_NS_PER_SEC, "x", 1);
    assert_int_equal(s.flows, 1);
    assert_int_equal(s.last.cpkts, 2);
    assert_int_equal(s.last.spkts, 1);
    assert_int_equal(s.last.cport, 1000);
    assert_int_equal(s.last.app, VIGIL_NET_APP_HTTP);
    assert_int_equal(s.last.end, VIGIL_NET_END_IDLE);
    /* A third flow in a table of two: the oldest is evicted, counted. */
    feed(t, NULL, 17, 3, 4, 7, 8, 0, 21 * VIGIL_NS_PER_SEC, "x", 1);
    feed(t, NULL, 17, 3, 4, 9, 10, 0, 22 * VIGIL_NS_PER_SEC, "x", 1);
    assert_int_equal(s.evicted, 1);
    assert_int_equal(s.last.cport, 5);
    vigil_net_flows_stats(t, &st);
    assert_int_equal(st.evicted, 1);
    assert_int_equal(st.held, 2);
    vigil_net_flows_flush(t);
    assert_int_equal(s.flows, 4);
    vigil_net_flows_free(t);
}

/* Runs detectors over n connections (kind: 's' refused SYN to port i,
 * 'b' answered connection to one port at times[i], 't' a TXT query). */
static struct seen
run(char kind, int n, const int64_t *times, uint32_t ports_or_hosts)
{
    struct seen s = {0};
    struct vigil_net_flows *t;
    struct vigil_net_detect *d;

    assert_int_equal(vigil_net_flows_new(&t, NULL, count_flow, &s, NULL),
                     VIGIL_OK);
    assert_int_equal(vigil_net_detect_new(&d, NULL, count_alert, &s, NULL),
                     VIGIL_OK);
    s.det = d;
    for (int i = 0; i < n; i++) {
        int64_t ns = times ? times[i] : (int64_t)i * 1000000;

        if (kind == 's') {
            feed(t, d, 6, 0x0a000001,
                 ports_or_hosts ? 0x0a000100u + (uint32_t)i : 0x0a000002, 40000,
                 (uint16_t)(ports_or_hosts ? 22 : 1 + i), 0x02, ns, NULL, 0);
            feed(t, d, 6, 0x0a000002, 0x0a000001, (uint16_t)(1 + i), 40000,
                 0x14, ns, NULL, 0);
        } else if (kind == 'b') {
            feed(t, d, 6, 0x0a000001, 0x5d000001, (uint16_t)(30000 + i), 443,
                 0x02, ns, NULL, 0);
            feed(t, d, 6, 0x5d000001, 0x0a000001, 443, (uint16_t)(30000 + i),
                 0x12, ns + 1000, NULL, 0);
        } else {
            uint8_t q[300];
            char name[128];
            size_t qn;

            snprintf(name, sizeof(name),
                     "%08xq%08xz%08xk%08xp%08xw.t.example.net",
                     (unsigned)(i * 2654435761u), (unsigned)(i * 40503u + 7),
                     (unsigned)(i * 97u + 3), (unsigned)(i * 1234567u),
                     (unsigned)(i ^ 0x5a5a5a5a));
            qn = dns_query(q, name, 16);
            feed(t, d, 17, 0x0a000001, 0x0a000035, (uint16_t)(20000 + i), 53, 0,
                 ns, q, qn);
        }
    }
    vigil_net_flows_flush(t);
    vigil_net_detect_free(d);
    vigil_net_flows_free(t);
    return s;
}

static void
test_detect_scans(void **state)
{
    (void)state;
    /* vertical: 49 refused ports no alert, 50 one */
    assert_int_equal(run('s', 49, NULL, 0).alerts, 0);
    assert_int_equal(run('s', 50, NULL, 0).alerts, 1);
    assert_string_equal(run('s', 300, NULL, 0).kinds, "port_scan ");
    /* horizontal: port 22 on 19 hosts no, 20 yes */
    assert_int_equal(run('s', 19, NULL, 1).alerts, 0);
    assert_int_equal(run('s', 20, NULL, 1).alerts, 1);
}

static void
test_detect_beacon(void **state)
{
    int64_t t[12];
    /* irregular: 1, 3, 8, 20, 21, 50, ... seconds */
    static const int irregular[12] = {0,  1,  4,   12,  32,  33,
                                      83, 90, 160, 161, 300, 301};

    (void)state;
    for (int i = 0; i < 12; i++)
        t[i] = (int64_t)i * 30 * VIGIL_NS_PER_SEC +
               (i % 2 ? 1 : -1) * VIGIL_NS_PER_SEC;
    assert_string_equal(run('b', 12, t, 0).kinds, "beacon ");
    assert_int_equal(run('b', 4, t, 0).alerts, 0); /* too few */
    for (int i = 0; i < 12; i++)
        t[i] = (int64_t)irregular[i] * VIGIL_NS_PER_SEC;
    assert_int_equal(run('b', 12, t, 0).alerts, 0);
}

static void
test_detect_dns_tunnel(void **state)
{
    struct seen s;

    (void)state;
    s = run('t', 19, NULL, 0);
    assert_int_equal(s.alerts, 0);
    s = run('t', 20, NULL, 0);
    assert_string_equal(s.kinds, "dns_tunnel "); /* 20 TXT queries */
    s = run('t', 40, NULL, 0);
    /* and 20 encoded names (the first few are not random enough) */
    assert_string_equal(s.kinds, "dns_tunnel dns_tunnel ");
}

static void
test_detect_exfil_ioc(void **state)
{
    struct seen s = {0};
    struct vigil_net_flows *t;
    struct vigil_net_detect *d;
    struct vigil_err err = {0};
    static uint8_t big[1400];
    char path[] = "/tmp/vigil-ioc-XXXXXX";
    int fd = mkstemp(path);

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "value,kind\n# c\n10.9.9.9,ip\n", 27), 27);
    close(fd);
    assert_int_equal(vigil_net_flows_new(&t, NULL, count_flow, &s, NULL),
                     VIGIL_OK);
    assert_int_equal(vigil_net_detect_new(&d, NULL, count_alert, &s, NULL),
                     VIGIL_OK);
    assert_int_equal(vigil_net_detect_load_iocs(d, path, &err), VIGIL_OK);
    unlink(path);
    s.det = d;
    /* 1 MiB and more up to a new destination. */
    for (int i = 0; i < 800; i++)
        feed(t, d, 6, 0x0a000001, 0x5d000002, 5555, 443, 0x18, i, big,
             sizeof(big));
    feed(t, d, 6, 0x0a000001, 0x0a090909, 1, 80, 0x02, 900, NULL, 0);
    vigil_net_flows_flush(t);
    assert_string_equal(s.kinds, "exfiltration ioc ");
    vigil_net_detect_free(d);
    vigil_net_flows_free(t);
}

/* ---- FIND15: the red team's evasions, each on frames built here ---- */

#define S VIGIL_NS_PER_SEC

static void
test_decode_links(void **state)
{
    struct frame f;
    struct vigil_net_pkt p;
    uint8_t sll2[20 + 60] = {0x08, 0x00};
    uint8_t b[14 + 40 + 9 * 8 + 20] = {0};
    uint8_t q[300];
    size_t qn, o = 14;

    (void)state;
    /* raw IP as libpcap reports it (DLT_RAW 12, 14 on OpenBSD) and as
     * files write it (101) */
    build4(&f, 0, 17, 0x0a000001, 0x0a000002, 5000, 6000, 0, "x", 1);
    for (int dlt = 0; dlt < 3; dlt++) {
        static const int dlts[3] = {VIGIL_NET_DLT_RAW12, VIGIL_NET_DLT_RAW14,
                                    VIGIL_NET_DLT_RAW};
        assert_true(vigil_net_dlt_supported(dlts[dlt]));
        assert_int_equal(vigil_net_decode(f.b + 14, f.n - 14,
                                          (uint32_t)f.n - 14, dlts[dlt], 0, &p),
                         1);
        assert_int_equal(p.dport, 6000);
    }
    /* Linux cooked v2: the protocol first, 20 bytes */
    memcpy(sll2 + 20, f.b + 14, f.n - 14);
    assert_int_equal(vigil_net_decode(sll2, 20 + f.n - 14,
                                      (uint32_t)(20 + f.n - 14),
                                      VIGIL_NET_DLT_LINUX_SLL2, 0, &p),
                     1);
    assert_int_equal(p.sport, 5000);
    assert_false(vigil_net_dlt_supported(147));
    /* times saturate: no overflow downstream */
    vigil_net_decode(f.b, f.n, (uint32_t)f.n, VIGIL_NET_DLT_EN10MB, INT64_MAX,
                     &p);
    assert_true(p.time_ns == VIGIL_NET_TIME_MAX);
    vigil_net_decode(f.b, f.n, (uint32_t)f.n, VIGIL_NET_DLT_EN10MB, -5, &p);
    assert_true(p.time_ns == 0);
    /* a first IPv4 fragment with 8 bytes of TCP still gives the ports */
    build4(&f, 0, 6, 0x0a000001, 0x0a000002, 40000, 80, 0x18, NULL, 0);
    f.b[14 + 6] = 0x20; /* more fragments */
    f.b[14 + 3] = 28;
    assert_int_equal(
        vigil_net_decode(f.b, 14 + 28, 14 + 28, VIGIL_NET_DLT_EN10MB, 0, &p),
        1);
    assert_int_equal(p.dport, 80);
    assert_int_equal(p.frag, 1);
    /* nine destination-options headers before TCP */
    b[12] = 0x86;
    b[13] = 0xdd;
    b[o] = 0x60;
    b[o + 5] = 9 * 8 + 20;
    b[o + 6] = 60;
    o += 40;
    for (int i = 0; i < 9; i++, o += 8)
        b[o] = i < 8 ? 60 : 6;
    b[o + 3] = 80;
    b[o + 12] = 0x50;
    assert_int_equal(
        vigil_net_decode(b, sizeof(b), sizeof(b), VIGIL_NET_DLT_EN10MB, 0, &p),
        1);
    assert_int_equal(p.proto, 6);
    assert_int_equal(p.dport, 80);
    /* DLT_NULL: an address family that is not IP is not IP */
    {
        uint8_t nul[4 + 60] = {7, 0, 0, 0};

        memcpy(nul + 4, f.b + 14, 28);
        assert_int_equal(
            vigil_net_decode(nul, 32, 32, VIGIL_NET_DLT_NULL, 0, &p), 0);
    }
    /* DNS NOTIFY (opcode 4) is DNS; opcode 3 is unassigned */
    qn = dns_query(q, "example.org", 6);
    q[2] = 4 << 3;
    assert_int_equal(vigil_net_dns_parse(q, qn, &(struct vigil_net_dns){0}), 1);
    q[2] = 3 << 3;
    assert_int_equal(vigil_net_dns_parse(q, qn, &(struct vigil_net_dns){0}), 0);
}

static void
test_names(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {{"Evil.Example:80", "evil.example"},
                 {"evil.example.", "evil.example"},
                 {" evil.example \t", "evil.example"},
                 {"*.evil.example", "evil.example"},
                 {".evil.example", "evil.example"},
                 {"[2001:db8::1]:443", "2001:db8::1"},
                 {"2001:db8::1", "2001:db8::1"}};
    struct vigil_net_http h;
    static const char conn[] = "CONNECT Evil.Example:443 HTTP/1.1\r\n"
                               "Host: evil.example:443\r\n\r\n";
    static const char absu[] = "GET http://user@evil.example:8080/x HTTP/1.1"
                               "\r\nHost: cdn.good.example\r\n\r\n";

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char b[64];

        snprintf(b, sizeof(b), "%s", cases[i].in);
        vigil_net_name_norm(b);
        assert_string_equal(b, cases[i].out);
    }
    assert_int_equal(
        vigil_net_http_parse((const uint8_t *)conn, strlen(conn), &h), 1);
    assert_string_equal(h.host, "evil.example");
    assert_int_equal(
        vigil_net_http_parse((const uint8_t *)absu, strlen(absu), &h), 1);
    assert_string_equal(h.host, "evil.example");
}

/* A flow table and detectors wired as the CLI wires them, on_update
 * included. */
struct rig {
    struct seen s;
    struct vigil_net_flows *t;
    struct vigil_net_detect *d;
};

static int
rig_update(const struct vigil_net_flow *f, void *arg)
{
    struct seen *s = arg;

    vigil_net_detect_update(s->det, f);
    return 0;
}

static void
rig_new(struct rig *r, const struct vigil_net_detect_opts *o)
{
    struct vigil_net_flow_opts fo = {.on_update = rig_update};

    memset(r, 0, sizeof(*r));
    assert_int_equal(vigil_net_flows_new(&r->t, &fo, count_flow, &r->s, NULL),
                     VIGIL_OK);
    assert_int_equal(vigil_net_detect_new(&r->d, o, count_alert, &r->s, NULL),
                     VIGIL_OK);
    r->s.det = r->d;
}

static void
rig_end(struct rig *r)
{
    vigil_net_flows_flush(r->t);
    vigil_net_detect_free(r->d);
    vigil_net_flows_free(r->t);
}

/* n client packets of pn bytes each, then one answer of an bytes. */
static void
upload(struct rig *r, uint32_t c, uint32_t sv, uint16_t cp, uint16_t sp,
       int64_t ns, int n, size_t pn, size_t an)
{
    static uint8_t big[1400];

    for (int i = 0; i < n; i++)
        feed(r->t, r->d, 6, c, sv, cp, sp, 0x18, ns + i, big, pn);
    if (an)
        feed(r->t, r->d, 6, sv, c, sp, cp, 0x18, ns + n, big, an);
}

static void
test_scan_without_syn(void **state)
{
    static const uint8_t probes[4] = {0x01, 0x00, 0x29, 0x10};

    (void)state;
    for (int k = 0; k < 4; k++)
        for (int n = 49; n <= 50; n++) {
            struct rig r;

            rig_new(&r, NULL);
            for (int i = 0; i < n; i++) {
                feed(r.t, r.d, 6, 0x0a000042, 0x0a000014, 50000,
                     (uint16_t)(1 + i), probes[k], i * 1000, NULL, 0);
                feed(r.t, r.d, 6, 0x0a000014, 0x0a000042, (uint16_t)(1 + i),
                     50000, 0x14, i * 1000 + 1, NULL, 0);
            }
            rig_end(&r);
            assert_int_equal(r.s.alerts, n == 50);
        }
}

static void
test_full_tables_age(void **state)
{
    struct vigil_net_detect_opts o = {.max_entries = 512,
                                      .alert_window_ns = 100 * S};
    struct rig r;
    int64_t t = 0;

    (void)state;
    rig_new(&r, &o);
    /* 11: many unanswered flows fill the scan tables... */
    for (uint32_t i = 0; i < 3000; i++)
        feed(r.t, r.d, 17, 0x0b000000 + i, 0x0a0000fe, 1900, 1900, 0, i,
             "M-SEARCH", 8);
    /* 12: ... and one-way spoofed packets the others */
    for (uint32_t i = 0; i < 3000; i++)
        feed(r.t, r.d, 17, 0x0a010000 + i, 0x5e000000 + i, 4000, 443, 0,
             3000 + i, "x", 1);
    vigil_net_flows_flush(r.t);
    assert_int_equal(r.s.alerts, 0);
    assert_true(vigil_net_detect_dropped(r.d) > 0); /* said, not silent */
    /* a scan, a beacon and an upload still alert */
    t = 10 * S;
    for (int i = 0; i < 60; i++) {
        feed(r.t, r.d, 6, 0x0a000042, 0x0a000014, 50000, (uint16_t)(1 + i),
             0x02, t + i, NULL, 0);
        feed(r.t, r.d, 6, 0x0a000014, 0x0a000042, (uint16_t)(1 + i), 50000,
             0x14, t + i + 1, NULL, 0);
    }
    for (int i = 0; i < 8; i++) {
        feed(r.t, r.d, 6, 0x0a000005, 0x5d000077, (uint16_t)(30000 + i), 443,
             0x02, t + i * 10 * S, NULL, 0);
        feed(r.t, r.d, 6, 0x5d000077, 0x0a000005, 443, (uint16_t)(30000 + i),
             0x12, t + i * 10 * S + 1000, NULL, 0);
    }
    upload(&r, 0x0a000006, 0x5d0000c8, 41000, 443, t, 1600, 1400, 40);
    vigil_net_flows_flush(r.t);
    assert_int_equal(r.s.alerts, 3);
    assert_non_null(strstr(r.s.kinds, "port_scan"));
    assert_non_null(strstr(r.s.kinds, "beacon"));
    assert_non_null(strstr(r.s.kinds, "exfiltration"));
    /* the same alert again once alert_window_ns has passed */
    upload(&r, 0x0a000006, 0x5d0000c8, 41001, 443, 400 * S, 1600, 1400, 40);
    rig_end(&r);
    assert_int_equal(r.s.alerts, 4);
    assert_non_null(strstr(r.s.kinds, "beacon exfiltration "));
}

static void
test_exfil_volume(void **state)
{
    struct rig r;
    static const int at[10] = {0, 13, 50, 61, 130, 170, 171, 260, 300, 420};
    static uint8_t media[1200];

    (void)state;
    /* 3: ten flows of 280 KB each to a new destination: the sum counts */
    rig_new(&r, NULL);
    for (int i = 0; i < 10; i++)
        upload(&r, 0x0a000001, 0x5d000009, (uint16_t)(40000 + i), 443,
               (int64_t)at[i] * S, 200, 1400, 40);
    rig_end(&r);
    assert_string_equal(r.s.kinds, "exfiltration ");
    /* 26: a two-way call, an upload from outside to a home server, and
     * between home hosts: none */
    rig_new(&r, NULL);
    for (int i = 0; i < 1600; i++) {
        feed(r.t, r.d, 17, 0x0a000001, 0x34700a14, 50000, 3478, 0, i * 1000,
             media, sizeof(media));
        feed(r.t, r.d, 17, 0x34700a14, 0x0a000001, 3478, 50000, 0, i * 1000 + 1,
             media, sizeof(media));
    }
    upload(&r, 0x5d000005, 0x0a000002, 50123, 443, 5 * S, 1600, 1400, 40);
    upload(&r, 0x0a000003, 0x0a000004, 50124, 443, 6 * S, 1600, 1400, 40);
    rig_end(&r);
    assert_int_equal(r.s.alerts, 0);
}

static void
test_roles_across_idle(void **state)
{
    struct rig r;

    (void)state;
    /* 23: handshake, 70 s of silence, the server speaks first, then the
     * client uploads: the client stays the client */
    rig_new(&r, NULL);
    feed(r.t, r.d, 6, 0x0a000005, 0xc000027b, 50000, 443, 0x02, 0, NULL, 0);
    feed(r.t, r.d, 6, 0xc000027b, 0x0a000005, 443, 50000, 0x12, 1000, NULL, 0);
    feed(r.t, r.d, 6, 0x0a000005, 0xc000027b, 50000, 443, 0x10, 2000, NULL, 0);
    feed(r.t, r.d, 6, 0xc000027b, 0x0a000005, 443, 50000, 0x18, 70 * S, "x", 1);
    upload(&r, 0x0a000005, 0xc000027b, 50000, 443, 71 * S, 1600, 1400, 0);
    vigil_net_flows_flush(r.t);
    assert_int_equal(r.s.last.cport, 50000);
    assert_int_equal(r.s.last.resumed, 1);
    rig_end(&r);
    assert_string_equal(r.s.kinds, "exfiltration ");
}

static void
test_live_alerts(void **state)
{
    struct rig r;
    struct vigil_err err = {0};
    char path[] = "/tmp/vigil-ioc-XXXXXX";
    int fd = mkstemp(path);
    static const char req[] = "GET / HTTP/1.1\r\nHost: a.bad.example\r\n\r\n";
    static const char list[] = "\xef\xbb\xbf"
                               "10.9.0.0/16\n"
                               "*.bad.example # comment\n"
                               "http://worse.example/x.exe\n"
                               "not an indicator\n";

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, list, sizeof(list) - 1),
                     (ssize_t)sizeof(list) - 1);
    close(fd);
    rig_new(&r, NULL);
    /* 10: BOM, CIDR, *.domain, URL */
    assert_int_equal(vigil_net_detect_load_iocs(r.d, path, &err), VIGIL_OK);
    /* 35: at the first packet, not at the flow's end */
    feed(r.t, r.d, 6, 0x0a000001, 0x0a090909, 1, 4444, 0x02, 0, NULL, 0);
    assert_int_equal(r.s.alerts, 1);
    /* at the request naming the domain */
    feed(r.t, r.d, 6, 0x0a000001, 0x5d000001, 2, 80, 0x18, 1, req, strlen(req));
    assert_int_equal(r.s.alerts, 2);
    /* 9: the second request of a keep-alive connection */
    feed(r.t, r.d, 6, 0x0a000001, 0x5d000002, 3, 80, 0x18, 2,
         "GET / HTTP/1.1\r\nHost: ok.example\r\n\r\n", 37);
    feed(r.t, r.d, 6, 0x0a000001, 0x5d000002, 3, 80, 0x18, 3,
         "GET / HTTP/1.1\r\nHost: WORSE.example.\r\n\r\n", 40);
    assert_int_equal(r.s.alerts, 3);
    rig_end(&r);
    assert_int_equal(r.s.alerts, 3);
    /* a list with no indicator is an error */
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_int_equal(write(fd, "nothing here\n", 13), 13);
    close(fd);
    rig_new(&r, NULL);
    assert_int_equal(vigil_net_detect_load_iocs(r.d, path, &err), VIGIL_EPARSE);
    rig_end(&r);
    unlink(path);
}

static void
test_beacon_evidence(void **state)
{
    int64_t t[10];
    static const double loose[5] = {0, 9.7, 21.7, 33.9, 48.2};
    struct rig r;

    (void)state;
    /* 8c: five starts, four intervals within 20 % of the median but not
     * regular (random traffic does that): not enough */
    for (int i = 0; i < 5; i++)
        t[i] = (int64_t)(loose[i] * 1e9);
    assert_int_equal(run('b', 5, t, 0).alerts, 0);
    /* a timer: five starts 30 s apart */
    for (int i = 0; i < 5; i++)
        t[i] = (int64_t)i * 30 * S;
    assert_int_equal(run('b', 5, t, 0).alerts, 1);
    /* 8b: multicast every 60 s */
    rig_new(&r, NULL);
    for (int i = 0; i < 10; i++)
        feed(r.t, r.d, 17, 0x0a000001, 0xeffffffa, (uint16_t)(40000 + i), 1900,
             0, (int64_t)i * 60 * S, "M-SEARCH", 8);
    rig_end(&r);
    assert_int_equal(r.s.alerts, 0);
}

static void
test_new_service_home(void **state)
{
    struct vigil_net_detect_opts o = {.new_service_after = 1};
    struct rig r;

    (void)state;
    /* 22: websites visited are not services of ours; a home server's
     * new port is */
    rig_new(&r, &o);
    for (uint32_t i = 0; i < 5; i++) {
        feed(r.t, r.d, 6, 0x0a000001, 0x5d000100 + i, 40000, 443, 0x02,
             (int64_t)i, NULL, 0);
        feed(r.t, r.d, 6, 0x5d000100 + i, 0x0a000001, 443, 40000, 0x12,
             (int64_t)i + 1, NULL, 0);
    }
    for (uint16_t p = 0; p < 2; p++) {
        feed(r.t, r.d, 6, 0x0a000001, 0x0a000032, 41000, (uint16_t)(22 + p),
             0x02, 100 + p, NULL, 0);
        feed(r.t, r.d, 6, 0x0a000032, 0x0a000001, (uint16_t)(22 + p), 41000,
             0x12, 100 + p + 1, NULL, 0);
    }
    rig_end(&r);
    assert_string_equal(r.s.kinds, "new_service ");
}

static void
test_dns_window(void **state)
{
    struct rig r;
    uint8_t q[300];
    size_t qn = dns_query(q, "_spf.google.com", 16);

    (void)state;
    /* 7: 25 TXT lookups, one every 12 minutes: not a tunnel */
    rig_new(&r, NULL);
    for (int i = 0; i < 25; i++)
        feed(r.t, r.d, 17, 0x0a000019, 0x0a000035, (uint16_t)(20000 + i), 53, 0,
             (int64_t)i * 720 * S, q, qn);
    rig_end(&r);
    assert_int_equal(r.s.alerts, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_ipv4_vlan_dns),
        cmocka_unit_test(test_decode_ipv6_ext),
        cmocka_unit_test(test_tls_http),
        cmocka_unit_test(test_every_prefix),
        cmocka_unit_test(test_flows),
        cmocka_unit_test(test_detect_scans),
        cmocka_unit_test(test_detect_beacon),
        cmocka_unit_test(test_detect_dns_tunnel),
        cmocka_unit_test(test_detect_exfil_ioc),
        cmocka_unit_test(test_decode_links),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_scan_without_syn),
        cmocka_unit_test(test_full_tables_age),
        cmocka_unit_test(test_exfil_volume),
        cmocka_unit_test(test_roles_across_idle),
        cmocka_unit_test(test_live_alerts),
        cmocka_unit_test(test_beacon_evidence),
        cmocka_unit_test(test_new_service_home),
        cmocka_unit_test(test_dns_window),
    };

    return vigil_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
