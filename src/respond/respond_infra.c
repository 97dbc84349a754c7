/* respond_infra.c -- the addresses this host cannot do without, which no
 * block may name whatever a log line claims: its default gateways (from
 * the kernel's routing tables), its DNS resolvers (/etc/resolv.conf), and
 * the ranges that are never one remote attacker: link-local, multicast and
 * broadcast. A forged "Failed password ... from <gateway>" line would
 * otherwise cut the host off its own network. Read afresh at every check:
 * routes and resolvers change under DHCP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "respond_int.h"

#define ROUTE_LINE_MAX 512

/* 32 hex digits into 16 bytes (the kernel's IPv6 route format). */
static int
hex16(const char *s, uint8_t out[16])
{
    for (int i = 0; i < 16; i++) {
        char pair[3] = {s[2 * i], s[2 * i + 1], '\0'};
        char *end;
        unsigned long v = strtoul(pair, &end, 16);
        if (end != pair + 2)
            return 0;
        out[i] = (uint8_t)v;
    }
    return 1;
}

/* Is ip a gateway in /proc/net/route (IPv4, little-endian hex)? */
static int
ipv4_gateway(const uint8_t ip[16])
{
    char line[ROUTE_LINE_MAX], iface[64];
    unsigned dest, gw, flags;
    int found = 0;
    FILE *f = fopen("/proc/net/route", "re");

    if (f == NULL)
        return 0;
    while (!found && fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "%63s %x %x %x", iface, &dest, &gw, &flags) != 4 ||
            gw == 0)
            continue;
        /* the file prints the address as a host-order number of a
         * network-order value: its bytes are in memory order */
        uint8_t a[4] = {(uint8_t)gw, (uint8_t)(gw >> 8), (uint8_t)(gw >> 16),
                        (uint8_t)(gw >> 24)};
        found = memcmp(ip + 12, a, 4) == 0;
    }
    fclose(f);
    return found;
}

/* Is ip a next hop in /proc/net/ipv6_route? */
static int
ipv6_gateway(const uint8_t ip[16])
{
    char line[ROUTE_LINE_MAX], hop[40];
    uint8_t a[16], zero[16] = {0};
    int found = 0;
    FILE *f = fopen("/proc/net/ipv6_route", "re");

    if (f == NULL)
        return 0;
    while (!found && fgets(line, sizeof(line), f) != NULL) {
        /* dest plen src plen nexthop metric ... */
        if (sscanf(line, "%*32s %*2s %*32s %*2s %32s", hop) != 1 ||
            strlen(hop) != 32 || !hex16(hop, a) || memcmp(a, zero, 16) == 0)
            continue;
        found = memcmp(ip, a, 16) == 0;
    }
    fclose(f);
    return found;
}

/* Is ip a `nameserver` of /etc/resolv.conf? */
static int
resolver(const uint8_t ip[16])
{
    char line[ROUTE_LINE_MAX], addr[64];
    uint8_t a[16];
    int found = 0;
    FILE *f = fopen("/etc/resolv.conf", "re");

    if (f == NULL)
        return 0;
    while (!found && fgets(line, sizeof(line), f) != NULL)
        if (sscanf(line, " nameserver %63s", addr) == 1 &&
            vigil_ip_parse(addr, strlen(addr), a))
            found = memcmp(ip, a, 16) == 0;
    fclose(f);
    return found;
}

static int
is_v4(const uint8_t ip[16])
{
    static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
    return memcmp(ip, mapped, 12) == 0;
}

const char *
respond_infra_address(const uint8_t ip[16])
{
    if (is_v4(ip)) {
        if (ip[12] == 169 && ip[13] == 254)
            return "a link-local address";
        if (ip[12] >= 224)
            return "a multicast or broadcast address";
    } else {
        if (ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80)
            return "a link-local address (an IPv6 router's, often)";
        if (ip[0] == 0xff)
            return "a multicast address";
    }
    if (is_v4(ip) ? ipv4_gateway(ip) : ipv6_gateway(ip))
        return "a gateway of this host";
    if (resolver(ip))
        return "a DNS resolver of this host (/etc/resolv.conf)";
    return NULL;
}
