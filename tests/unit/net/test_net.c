/* test_net.c -- the network domain on frames built here: each decoder
 * (VLAN, IPv6 extension headers, TCP/UDP, DNS with compression, the TLS
 * ClientHello's SNI/JA3/JA4, the HTTP Host), every prefix of every frame
 * (no read past the capture: ASan), the flow table (both directions in
 * one flow, idle expiry, eviction counted) and each detector's threshold
 * (one short of it: no alert; at it: one alert). */
#include "vigil_test.h"

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
    };

    return vigil_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
