/* core_ip.c -- IPv4/IPv6 text to bytes and back, and CIDR tests.
 *
 * Written here rather than with inet_pton because field text is not
 * NUL-terminated and copying every address would cost a copy per event. */
#include <stdio.h>
#include <string.h>

#include "core.h"

static int
parse_ipv4(const char *s, size_t len, uint8_t out[4])
{
    size_t i = 0;
    int part;

    for (part = 0; part < 4; part++) {
        unsigned v = 0, digits = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            v = v * 10 + (unsigned)(s[i] - '0');
            if (++digits > 3 || v > 255)
                return 0;
            i++;
        }
        if (digits == 0)
            return 0;
        out[part] = (uint8_t)v;
        if (part < 3) {
            if (i >= len || s[i] != '.')
                return 0;
            i++;
        }
    }
    return i == len;
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int
parse_ipv6(const char *s, size_t len, uint8_t out[16])
{
    uint16_t words[8];
    int nw = 0, gap = -1;
    size_t i = 0;

    if (len < 2 || len > 45)
        return 0;
    if (s[0] == ':') {
        if (s[1] != ':')
            return 0;
        gap = 0;
        i = 2;
    }
    while (i < len) {
        size_t start = i;
        unsigned v = 0;
        int h, digits = 0;
        if (nw >= 8)
            return 0;
        while (i < len && (h = hexval(s[i])) >= 0 && digits < 5) {
            v = v * 16 + (unsigned)h;
            digits++;
            i++;
        }
        if (i < len && s[i] == '.') { /* embedded IPv4 tail */
            uint8_t v4[4];
            if (nw > 6 || !parse_ipv4(s + start, len - start, v4))
                return 0;
            words[nw++] = (uint16_t)(v4[0] << 8 | v4[1]);
            words[nw++] = (uint16_t)(v4[2] << 8 | v4[3]);
            i = len;
            break;
        }
        if (digits == 0 || digits > 4)
            return 0;
        words[nw++] = (uint16_t)v;
        if (i == len)
            break;
        if (s[i] != ':')
            return 0;
        i++;
        if (i < len && s[i] == ':') {
            if (gap >= 0)
                return 0;
            gap = nw;
            i++;
        } else if (i == len) {
            return 0;
        }
    }
    if (gap < 0 && nw != 8)
        return 0;
    if (gap >= 0 && nw > 7)
        return 0;
    memset(out, 0, 16);
    if (gap < 0)
        gap = nw;
    for (int k = 0; k < gap; k++) {
        out[2 * k] = (uint8_t)(words[k] >> 8);
        out[2 * k + 1] = (uint8_t)words[k];
    }
    for (int k = gap, j = 8 - (nw - gap); k < nw; k++, j++) {
        out[2 * j] = (uint8_t)(words[k] >> 8);
        out[2 * j + 1] = (uint8_t)words[k];
    }
    return 1;
}

int
vigil_ip_parse(const char *text, size_t len, uint8_t out[16])
{
    uint8_t v4[4];

    if (len == 0 || len > 45)
        return 0;
    if (memchr(text, ':', len))
        return parse_ipv6(text, len, out);
    if (!parse_ipv4(text, len, v4))
        return 0;
    memset(out, 0, 10);
    out[10] = out[11] = 0xff;
    memcpy(out + 12, v4, 4);
    return 1;
}

static int
is_v4_mapped(const uint8_t ip[16])
{
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0,    0,
                                       0, 0, 0, 0, 0xff, 0xff};
    return memcmp(ip, prefix, 12) == 0;
}

size_t
vigil_ip_format(const uint8_t ip[16], char *dst)
{
    int best = -1, bestlen = 0;
    size_t len = 0;

    if (is_v4_mapped(ip))
        return (size_t)snprintf(dst, 46, "%u.%u.%u.%u", ip[12], ip[13], ip[14],
                                ip[15]);
    /* Find the longest run of zero words (RFC 5952: compress it). */
    for (int k = 0; k < 8; k++) {
        if (ip[2 * k] == 0 && ip[2 * k + 1] == 0) {
            int start = k;
            while (k < 8 && ip[2 * k] == 0 && ip[2 * k + 1] == 0)
                k++;
            if (k - start > bestlen && k - start > 1)
                best = start, bestlen = k - start;
        }
    }
    for (int k = 0; k < 8; k++) {
        const char *sep = (k > 0 && k != best + bestlen) ? ":" : "";
        if (k == best) {
            len += (size_t)snprintf(dst + len, 46 - len, "::");
            k += bestlen - 1;
            continue;
        }
        len += (size_t)snprintf(dst + len, 46 - len, "%s%x", sep,
                                (unsigned)(ip[2 * k] << 8 | ip[2 * k + 1]));
    }
    return len;
}

int
vigil_ip_in_cidr(const uint8_t addr[16], const uint8_t net[16], unsigned prefix)
{
    unsigned bits = prefix, full, rem;

    if (is_v4_mapped(net)) {
        if (!is_v4_mapped(addr) || prefix > 32)
            return 0;
        bits = 96 + prefix;
    } else if (prefix > 128) {
        return 0;
    }
    full = bits / 8;
    rem = bits % 8;
    if (memcmp(addr, net, full) != 0)
        return 0;
    if (rem) {
        uint8_t mask = (uint8_t)(0xff << (8 - rem));
        if ((addr[full] & mask) != (net[full] & mask))
            return 0;
    }
    return 1;
}
