/* net_decode.c -- bounds-checked packet decoders: link layers, IPv4, IPv6
 * with extension headers, TCP/UDP/ICMP, DNS questions, the TLS
 * ClientHello (SNI, JA3 and a JA4-style fingerprint) and the HTTP
 * request line with its Host header.
 *
 * Every read goes through a length checked just before it: captures are
 * untrusted input (tests/fuzz/fuzz_net_decode.c). Nothing here allocates;
 * text is written into the caller's fixed buffers and cut to fit. */
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "net/net.h"

static uint16_t
rd16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static void
map_v4(uint8_t out[16], const uint8_t *a)
{
    memset(out, 0, 10);
    out[10] = 0xff;
    out[11] = 0xff;
    memcpy(out + 12, a, 4);
}

static int
decode_l4(const uint8_t *p, size_t n, struct vigil_net_pkt *pkt)
{
    size_t hl;

    switch (pkt->proto) {
    case 6:
        /* A first fragment may carry only the ports (8 bytes): keep
         * them, so the fragment joins its connection's flow. */
        if (n >= 4) {
            pkt->sport = rd16(p);
            pkt->dport = rd16(p + 2);
        }
        if (n < 20)
            return 1;
        hl = (size_t)(p[12] >> 4) * 4;
        pkt->seq = ((uint32_t)rd16(p + 4) << 16) | rd16(p + 6);
        pkt->tcp_flags = p[13];
        if (hl < 20 || hl > n)
            return 1;
        pkt->payload = p + hl;
        pkt->payload_len = (uint32_t)(n - hl);
        break;
    case 17:
        if (n >= 4) {
            pkt->sport = rd16(p);
            pkt->dport = rd16(p + 2);
        }
        if (n < 8)
            return 1;
        pkt->payload = p + 8;
        pkt->payload_len = (uint32_t)(n - 8);
        break;
    case 1:
    case 58:
        if (n < 4)
            return 1;
        pkt->icmp_type = p[0];
        pkt->icmp_code = p[1];
        pkt->payload = p + 4;
        pkt->payload_len = (uint32_t)(n - 4);
        break;
    default:
        break;
    }
    return 1;
}

static int
decode_ip4(const uint8_t *p, size_t n, struct vigil_net_pkt *pkt)
{
    size_t hl, tot;

    if (n < 20 || (p[0] >> 4) != 4)
        return 0;
    hl = (size_t)(p[0] & 15) * 4;
    tot = rd16(p + 2);
    if (hl < 20 || hl > n)
        return 0;
    if (tot < hl)
        tot = n; /* TSO captures say 0: trust what we have */
    pkt->ip_len = (uint32_t)tot;
    if (tot < n)
        n = tot; /* Ethernet padding */
    pkt->proto = p[9];
    map_v4(pkt->src, p + 12);
    map_v4(pkt->dst, p + 16);
    /* A later fragment has no transport header: it is counted under the
     * host pair (port 0); the first one gives the ports. */
    if ((rd16(p + 6) & 0x1fff) != 0) {
        pkt->frag = 2;
        return 1;
    }
    if (rd16(p + 6) & 0x2000)
        pkt->frag = 1;
    return decode_l4(p + hl, n - hl, pkt);
}

static int
decode_ip6(const uint8_t *p, size_t n, struct vigil_net_pkt *pkt)
{
    size_t off = 40, plen;
    uint8_t nh;

    if (n < 40 || (p[0] >> 4) != 6)
        return 0;
    plen = rd16(p + 4);
    pkt->ipv6 = 1;
    pkt->ip_len = (uint32_t)(plen + 40);
    if (plen + 40 < n && plen != 0)
        n = plen + 40;
    memcpy(pkt->src, p + 8, 16);
    memcpy(pkt->dst, p + 24, 16);
    nh = p[6];
    /* Walked while the bytes last (each header is 8 bytes or more, so
     * the walk is bounded by the packet), not a fixed number of headers:
     * a chain longer than a count limit would hide the transport. */
    for (;;) {
        size_t len;

        switch (nh) {
        case 0:   /* hop-by-hop */
        case 43:  /* routing */
        case 60:  /* destination options */
        case 135: /* mobility */
        case 139: /* HIP */
        case 140: /* shim6 */
            if (off + 8 > n)
                goto unknown;
            len = ((size_t)p[off + 1] + 1) * 8;
            break;
        case 44: /* fragment: only the first carries the transport header */
            if (off + 8 > n)
                goto unknown;
            if ((rd16(p + off + 2) & 0xfff8) != 0) {
                pkt->proto = p[off];
                pkt->frag = 2;
                return 1;
            }
            if (rd16(p + off + 2) & 1)
                pkt->frag = 1;
            len = 8;
            break;
        case 51: /* authentication header */
            if (off + 8 > n)
                goto unknown;
            len = ((size_t)p[off + 1] + 2) * 4;
            break;
        default:
            pkt->proto = nh;
            return decode_l4(p + off, n - off, pkt);
        }
        if (off + len > n)
            goto unknown;
        nh = p[off];
        off += len;
    }
unknown:
    /* Cut short inside the chain: the transport is not known (59 is
     * "no next header"), rather than an extension header's number. */
    pkt->proto = 59;
    return 1;
}

int
vigil_net_dlt_supported(int dlt)
{
    switch (dlt) {
    case VIGIL_NET_DLT_NULL:
    case VIGIL_NET_DLT_EN10MB:
    case VIGIL_NET_DLT_RAW12:
    case VIGIL_NET_DLT_RAW14:
    case VIGIL_NET_DLT_RAW:
    case VIGIL_NET_DLT_LINUX_SLL:
    case VIGIL_NET_DLT_LINUX_SLL2:
    case VIGIL_NET_DLT_IPV4:
    case VIGIL_NET_DLT_IPV6:
        return 1;
    default:
        return 0;
    }
}

int
vigil_net_decode(const uint8_t *f, size_t n, uint32_t wire_len, int dlt,
                 int64_t time_ns, struct vigil_net_pkt *pkt)
{
    uint16_t et;
    size_t off;

    memset(pkt, 0, offsetof(struct vigil_net_pkt, payload));
    pkt->payload = NULL;
    pkt->payload_len = 0;
    pkt->time_ns = time_ns < 0                    ? 0
                   : time_ns > VIGIL_NET_TIME_MAX ? VIGIL_NET_TIME_MAX
                                                  : time_ns;
    pkt->wire_len = wire_len;
    switch (dlt) {
    case VIGIL_NET_DLT_EN10MB:
        if (n < 14)
            return 0;
        et = rd16(f + 12);
        off = 14;
        /* 802.1Q / 802.1ad tags, stacked at most twice (QinQ). */
        for (int i = 0; i < 2 && (et == 0x8100 || et == 0x88a8); i++) {
            if (off + 4 > n)
                return 0;
            et = rd16(f + off + 2);
            off += 4;
        }
        break;
    case VIGIL_NET_DLT_LINUX_SLL:
        if (n < 16)
            return 0;
        et = rd16(f + 14);
        off = 16;
        break;
    case VIGIL_NET_DLT_LINUX_SLL2: /* protocol first, 20 bytes */
        if (n < 20)
            return 0;
        et = rd16(f);
        off = 20;
        break;
    case VIGIL_NET_DLT_NULL: {
        /* The address family in the capturing host's byte order: 2 is
         * IPv4; 24, 28 and 30 are IPv6 on the BSDs and macOS. */
        uint8_t af;

        if (n < 4)
            return 0;
        af = f[0] ? f[0] : f[3];
        if (af == 2)
            et = 0x0800;
        else if (af == 24 || af == 28 || af == 30 || af == 10)
            et = 0x86dd;
        else
            return 0;
        off = 4;
        break;
    }
    case VIGIL_NET_DLT_RAW12:
    case VIGIL_NET_DLT_RAW14:
    case VIGIL_NET_DLT_RAW:
    case VIGIL_NET_DLT_IPV4:
    case VIGIL_NET_DLT_IPV6:
        if (n < 1)
            return 0;
        et = (f[0] >> 4) == 4 ? 0x0800 : 0x86dd;
        off = 0;
        break;
    default:
        return 0;
    }
    if (et == 0x0800)
        return decode_ip4(f + off, n - off, pkt);
    if (et == 0x86dd)
        return decode_ip6(f + off, n - off, pkt);
    return 0;
}

int
vigil_net_icmp_quoted(const struct vigil_net_pkt *p,
                      struct vigil_net_pkt *inner)
{
    /* After type, code and checksum: 4 unused bytes (IPv4 time exceeded
     * and unreachable; ICMPv6 alike), then the quoted datagram. */
    int err4 = p->proto == 1 && (p->icmp_type == 3 || p->icmp_type == 11);
    int err6 = p->proto == 58 && (p->icmp_type == 1 || p->icmp_type == 3);

    if ((!err4 && !err6) || p->payload_len < 4 + 20)
        return 0;
    memset(inner, 0, offsetof(struct vigil_net_pkt, payload));
    inner->payload = NULL;
    inner->payload_len = 0;
    inner->time_ns = p->time_ns;
    if (err4)
        return decode_ip4(p->payload + 4, p->payload_len - 4, inner) &&
               inner->sport != 0;
    return decode_ip6(p->payload + 4, p->payload_len - 4, inner) &&
           inner->sport != 0;
}

/* ---- DNS ---- */

/* Reads the name at *pos into out (dotted, lower case); follows at most
 * 16 compression pointers. Returns 1, with *pos past the name in the
 * message. */
static int
dns_name(const uint8_t *m, size_t n, size_t *pos, char *out, size_t outsz,
         size_t *outlen)
{
    size_t p = *pos, o = 0, end = 0;
    int jumped = 0, done = 0;

    for (int hops = 0; hops < 16;) {
        uint8_t l;

        if (p >= n)
            return 0;
        l = m[p];
        if (l == 0) {
            if (!jumped)
                end = p + 1;
            done = 1;
            break;
        }
        if ((l & 0xc0) == 0xc0) {
            if (p + 1 >= n)
                return 0;
            if (!jumped)
                end = p + 2;
            jumped = 1;
            p = ((size_t)(l & 0x3f) << 8) | m[p + 1];
            hops++;
            continue;
        }
        if ((l & 0xc0) != 0 || p + 1 + l > n)
            return 0;
        if (o > 0 && o + 1 < outsz)
            out[o++] = '.';
        for (size_t i = 0; i < l && o + 1 < outsz; i++) {
            uint8_t c = m[p + 1 + i];

            if (c >= 'A' && c <= 'Z')
                c = (uint8_t)(c + 32);
            else if (c < 0x21 || c > 0x7e)
                c = '?';
            out[o++] = (char)c;
        }
        p += 1 + (size_t)l;
    }
    if (!done || end == 0)
        return 0;
    out[o] = '\0';
    *outlen = o;
    *pos = end;
    return 1;
}

/* The first answer record of an address or a name (A, AAAA, CNAME, PTR,
 * TXT's first string) as text in out->answer; records of other types
 * before it are skipped (at most 16). */
static void
dns_answer(const uint8_t *m, size_t n, size_t pos, struct vigil_net_dns *out)
{
    char skip[VIGIL_NET_NAME_MAX];
    size_t sl, rdl;
    uint16_t type;

    for (unsigned i = 0; i < out->ancount && i < 16; i++) {
        if (!dns_name(m, n, &pos, skip, sizeof(skip), &sl) || pos + 10 > n)
            return;
        type = rd16(m + pos);
        rdl = rd16(m + pos + 8);
        pos += 10;
        if (pos + rdl > n)
            return;
        if (type == 1 && rdl == 4) {
            uint8_t ip[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
            memcpy(ip + 12, m + pos, 4);
            vigil_ip_format(ip, out->answer);
            return;
        }
        if (type == 28 && rdl == 16) {
            vigil_ip_format(m + pos, out->answer);
            return;
        }
        if (type == 5 || type == 12) {
            size_t q = pos;
            if (!dns_name(m, n, &q, out->answer, sizeof(out->answer), &sl))
                out->answer[0] = '\0';
            return;
        }
        if (type == 16 && rdl > 0) {
            size_t l = m[pos], o = 0;
            if (l + 1 > rdl)
                return;
            for (size_t k = 0; k < l && o + 1 < sizeof(out->answer); k++) {
                uint8_t c = m[pos + 1 + k];
                out->answer[o++] = c < 0x20 || c > 0x7e ? '?' : (char)c;
            }
            out->answer[o] = '\0';
            return;
        }
        pos += rdl;
    }
}

int
vigil_net_dns_parse(const uint8_t *p, size_t n, struct vigil_net_dns *out)
{
    size_t pos = 12;

    if (n < 12 || rd16(p + 4) == 0 || ((p[2] >> 3) & 15) > 5 ||
        ((p[2] >> 3) & 15) == 3)
        return 0; /* no question, or not QUERY..UPDATE (3 is unassigned) */
    out->id = rd16(p);
    out->response = p[2] >> 7;
    out->rcode = p[3] & 15;
    out->ancount = rd16(p + 6);
    if (!dns_name(p, n, &pos, out->qname, sizeof(out->qname),
                  &out->qname_len) ||
        pos + 4 > n)
        return 0;
    out->qtype = rd16(p + pos);
    out->answer[0] = '\0';
    if (out->response && out->ancount > 0 && rd16(p + 4) == 1)
        dns_answer(p, n, pos + 4, out);
    return 1;
}

/* ---- TLS ClientHello ---- */

static int
grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

struct txt {
    char *b;
    size_t len, cap;
};

static void
txt_put(struct txt *t, const char *s, size_t n)
{
    if (t->len + n >= t->cap)
        n = t->len + 1 < t->cap ? t->cap - t->len - 1 : 0;
    memcpy(t->b + t->len, s, n);
    t->len += n;
    t->b[t->len] = '\0';
}

static void
txt_u16(struct txt *t, uint16_t v, int hex, int sep)
{
    char tmp[8];
    int k = 0;

    if (sep)
        tmp[k++] = (char)sep;
    if (hex) {
        static const char hx[] = "0123456789abcdef";
        for (int s = 12; s >= 0; s -= 4)
            tmp[k++] = hx[(v >> s) & 15];
    } else {
        char d[6];
        int m = 0;
        do {
            d[m++] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        while (m)
            tmp[k++] = d[--m];
    }
    txt_put(t, tmp, (size_t)k);
}

static void
hex_digest(const char *md, const char *s, size_t n, char *out, size_t hexlen)
{
    unsigned char h[EVP_MAX_MD_SIZE];
    unsigned int hl = 0;
    static const char hx[] = "0123456789abcdef";

    out[0] = '\0';
    if (!EVP_Digest(s, n, h, &hl, EVP_get_digestbyname(md), NULL))
        return;
    for (size_t i = 0; i < hexlen / 2 && i < hl; i++) {
        out[2 * i] = hx[h[i] >> 4];
        out[2 * i + 1] = hx[h[i] & 15];
    }
    out[hexlen] = '\0';
}

static void
sort16(uint16_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
            uint16_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
}

#define TLS_MAXV 128

int
vigil_net_tls_parse(const uint8_t *p, size_t n, struct vigil_net_tls *out)
{
    uint16_t ciph[TLS_MAXV], ext[TLS_MAXV], grp[TLS_MAXV], sig[TLS_MAXV];
    uint8_t pf[32];
    size_t nc = 0, ne = 0, ng = 0, ns = 0, npf = 0, pos, end, l;
    uint16_t best = 0;
    char alpn[2] = {'0', '0'};
    char s3[2048], s4[1024];
    struct txt t = {s3, 0, sizeof(s3)};

    memset(out, 0, sizeof(*out));
    if (n < 5 + 4 + 38 || p[0] != 0x16 || p[1] != 3 || p[5] != 1)
        return 0;
    /* Only what was captured of the record is read. */
    end = 9 + (((size_t)p[6] << 16) | ((size_t)p[7] << 8) | p[8]);
    if (end > n)
        end = n;
    out->version = rd16(p + 9);
    pos = 9 + 2 + 32;
    if (pos + 1 > end)
        return 0;
    pos += 1 + p[pos]; /* session id */
    if (pos + 2 > end)
        return 0;
    l = rd16(p + pos);
    pos += 2;
    if (pos + l > end)
        return 0;
    for (size_t i = 0; i + 1 < l; i += 2) {
        uint16_t v = rd16(p + pos + i);
        if (!grease(v) && nc < TLS_MAXV)
            ciph[nc++] = v;
    }
    pos += l;
    if (pos + 1 > end)
        return 0;
    pos += 1 + p[pos]; /* compression methods */
    if (pos + 2 <= end) {
        size_t eend = pos + 2 + rd16(p + pos);

        if (eend > end)
            eend = end;
        pos += 2;
        while (pos + 4 <= eend) {
            uint16_t et = rd16(p + pos);
            size_t el = rd16(p + pos + 2);
            const uint8_t *e = p + pos + 4;

            if (pos + 4 + el > eend)
                break;
            pos += 4 + el;
            if (grease(et))
                continue;
            if (ne < TLS_MAXV)
                ext[ne++] = et;
            if (et == 0 && el >= 5 && e[2] == 0) {
                size_t hl = rd16(e + 3), k = 0;
                if (hl > el - 5)
                    hl = el - 5;
                for (size_t i = 0; i < hl && k + 1 < sizeof(out->sni); i++) {
                    uint8_t c = e[5 + i];
                    if (c >= 'A' && c <= 'Z')
                        c = (uint8_t)(c + 32);
                    out->sni[k++] = (c < 0x21 || c > 0x7e) ? '?' : (char)c;
                }
                out->sni[k] = '\0';
                vigil_net_name_norm(out->sni);
            } else if (et == 10 && el >= 2) {
                for (size_t i = 2; i + 1 < el && i - 2 < rd16(e); i += 2)
                    if (!grease(rd16(e + i)) && ng < TLS_MAXV)
                        grp[ng++] = rd16(e + i);
            } else if (et == 11 && el >= 1) {
                for (size_t i = 1; i < el && i - 1 < e[0] && npf < 32; i++)
                    pf[npf++] = e[i];
            } else if (et == 13 && el >= 2) {
                for (size_t i = 2; i + 1 < el && i - 2 < rd16(e); i += 2)
                    if (ns < TLS_MAXV)
                        sig[ns++] = rd16(e + i);
            } else if (et == 16 && el >= 4) {
                size_t al = e[2];
                if (al > 0 && 3 + al <= el) {
                    alpn[0] = (char)e[3];
                    alpn[1] = (char)e[2 + al];
                }
            } else if (et == 43 && el >= 1) {
                for (size_t i = 1; i + 1 < el && i - 1 < e[0]; i += 2) {
                    uint16_t v = rd16(e + i);
                    if (!grease(v) && v > best)
                        best = v;
                }
            }
        }
    }

    /* JA3: version,ciphers,extensions,groups,point formats (decimal). */
    txt_u16(&t, out->version, 0, 0);
    txt_put(&t, ",", 1);
    for (size_t i = 0; i < nc; i++)
        txt_u16(&t, ciph[i], 0, i ? '-' : 0);
    txt_put(&t, ",", 1);
    for (size_t i = 0; i < ne; i++)
        txt_u16(&t, ext[i], 0, i ? '-' : 0);
    txt_put(&t, ",", 1);
    for (size_t i = 0; i < ng; i++)
        txt_u16(&t, grp[i], 0, i ? '-' : 0);
    txt_put(&t, ",", 1);
    for (size_t i = 0; i < npf; i++)
        txt_u16(&t, pf[i], 0, i ? '-' : 0);
    hex_digest("MD5", t.b, t.len, out->ja3, 32);

    /* JA4-style: a readable prefix, then truncated SHA-256 of the sorted
     * ciphers and of the sorted extensions (without SNI and ALPN) with
     * the signature algorithms in order. */
    {
        uint16_t v = best ? best : out->version;
        const char *ver = v == 0x0304   ? "13"
                          : v == 0x0303 ? "12"
                          : v == 0x0302 ? "11"
                          : v == 0x0301 ? "10"
                                        : "00";
        char a[16], hb[13], hc[13];
        size_t k = 0;
        int sni = out->sni[0] != '\0';
        size_t nx = 0;

        sort16(ciph, nc);
        t = (struct txt){s4, 0, sizeof(s4)};
        for (size_t i = 0; i < nc; i++)
            txt_u16(&t, ciph[i], 1, i ? ',' : 0);
        hex_digest("SHA256", t.b, t.len, hb, 12);
        for (size_t i = 0; i < ne; i++)
            if (ext[i] != 0 && ext[i] != 16)
                ext[nx++] = ext[i];
        sort16(ext, nx);
        t = (struct txt){s4, 0, sizeof(s4)};
        for (size_t i = 0; i < nx; i++)
            txt_u16(&t, ext[i], 1, i ? ',' : 0);
        if (ns)
            txt_put(&t, "_", 1);
        for (size_t i = 0; i < ns; i++)
            txt_u16(&t, sig[i], 1, i ? ',' : 0);
        hex_digest("SHA256", t.b, t.len, hc, 12);
        a[k++] = 't';
        a[k++] = ver[0];
        a[k++] = ver[1];
        a[k++] = sni ? 'd' : 'i';
        a[k++] = (char)('0' + (nc > 99 ? 99 : nc) / 10);
        a[k++] = (char)('0' + (nc > 99 ? 99 : nc) % 10);
        a[k++] = (char)('0' + (ne > 99 ? 99 : ne) / 10);
        a[k++] = (char)('0' + (ne > 99 ? 99 : ne) % 10);
        a[k++] = (alpn[0] >= 0x21 && alpn[0] <= 0x7e) ? alpn[0] : '9';
        a[k++] = (alpn[1] >= 0x21 && alpn[1] <= 0x7e) ? alpn[1] : '9';
        a[k] = '\0';
        t = (struct txt){out->ja4, 0, sizeof(out->ja4)};
        txt_put(&t, a, k);
        txt_put(&t, "_", 1);
        txt_put(&t, hb, strlen(hb));
        txt_put(&t, "_", 1);
        txt_put(&t, hc, strlen(hc));
    }
    return 1;
}

/* ---- HTTP ---- */

static void
copy_text(char *dst, size_t dstsz, const uint8_t *s, size_t n)
{
    size_t k = 0;

    for (size_t i = 0; i < n && k + 1 < dstsz; i++)
        dst[k++] = (s[i] < 0x20 || s[i] > 0x7e) ? '?' : (char)s[i];
    dst[k] = '\0';
}

size_t
vigil_net_name_norm(char *s)
{
    size_t n = strlen(s), b = 0;
    char *colon;

    while (b < n && (s[b] == ' ' || s[b] == '\t'))
        b++;
    if (b)
        memmove(s, s + b, n - b + 1), n -= b;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    if (s[0] == '[') {
        /* [v6] or [v6]:port */
        char *e = strchr(s, ']');

        if (e != NULL) {
            n = (size_t)(e - s - 1);
            memmove(s, s + 1, n);
            s[n] = '\0';
        }
    } else if ((colon = strchr(s, ':')) != NULL &&
               strchr(colon + 1, ':') == NULL) {
        /* name:port (one colon: more is a bare IPv6 address) */
        n = (size_t)(colon - s);
        s[n] = '\0';
    }
    while (n && s[n - 1] == '.')
        s[--n] = '\0';
    if (n >= 2 && s[0] == '*' && s[1] == '.')
        memmove(s, s + 2, n - 1), n -= 2;
    else if (n >= 1 && s[0] == '.')
        memmove(s, s + 1, n), n -= 1;
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
            s[i] = (char)(s[i] + 32);
    return n;
}

/* The authority of an absolute URI ("http://host:port/path"), or of
 * CONNECT's "host:port"; 0 when the URI is a path. */
static int
uri_host(const uint8_t *u, size_t n, int connect, char *out, size_t outsz)
{
    size_t s = 0, e;

    if (!connect) {
        for (; s + 2 < n && s < 10 && u[s] != ':'; s++)
            if (!((u[s] >= 'a' && u[s] <= 'z') || (u[s] >= 'A' && u[s] <= 'Z')))
                return 0;
        if (s + 2 >= n || u[s] != ':' || u[s + 1] != '/' || u[s + 2] != '/')
            return 0;
        s += 3;
    }
    for (e = s; e < n && u[e] != '/' && u[e] != '?' && u[e] != '#'; e++)
        ;
    /* userinfo@ is not the host */
    for (size_t i = e; i > s; i--)
        if (u[i - 1] == '@') {
            s = i;
            break;
        }
    if (e == s)
        return 0;
    copy_text(out, outsz, u + s, e - s);
    vigil_net_name_norm(out);
    return out[0] != '\0';
}

int
vigil_net_http_parse(const uint8_t *p, size_t n, struct vigil_net_http *out)
{
    size_t m = 0, u, ue, eol;
    int from_uri;

    while (m < n && m < 15 && p[m] >= 'A' && p[m] <= 'Z')
        m++;
    if (m < 3 || m >= n || p[m] != ' ')
        return 0;
    u = m + 1;
    for (ue = u; ue < n && p[ue] != ' ' && p[ue] != '\r' && p[ue] != '\n'; ue++)
        ;
    if (ue == u || ue + 6 > n || memcmp(p + ue, " HTTP/", 6) != 0)
        return 0;
    copy_text(out->method, sizeof(out->method), p, m);
    copy_text(out->uri, sizeof(out->uri), p + u, ue - u);
    out->host[0] = '\0';
    /* The target a proxy is asked for is the real destination, whatever
     * the Host header says. */
    from_uri = uri_host(p + u, ue - u, m == 7 && memcmp(p, "CONNECT", 7) == 0,
                        out->host, sizeof(out->host));
    /* Header lines up to the blank line or the end of the capture. */
    for (eol = ue; !from_uri && eol + 1 < n;) {
        size_t ls, le;

        while (eol < n && p[eol] != '\n')
            eol++;
        ls = ++eol;
        if (ls >= n || p[ls] == '\r' || p[ls] == '\n')
            break;
        for (le = ls; le < n && p[le] != '\r' && p[le] != '\n'; le++)
            ;
        if (le - ls > 5 && strncasecmp((const char *)p + ls, "host:", 5) == 0) {
            size_t v = ls + 5;
            while (v < le && (p[v] == ' ' || p[v] == '\t'))
                v++;
            copy_text(out->host, sizeof(out->host), p + v, le - v);
            vigil_net_name_norm(out->host);
            break;
        }
        eol = le;
    }
    return 1;
}
