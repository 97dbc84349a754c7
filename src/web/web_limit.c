/* web_limit.c -- login rate limiting (docs/web.md, "Login rate limiting"):
 * a bounded table of token buckets keyed by (address, user name) and by
 * address alone, and the gate that keeps refused logins from flooding the
 * log and the audit table.
 *
 * Each key's bucket is GCRA (a token bucket kept as one "theoretical
 * arrival time"): `limit` attempts in a burst, then one more every
 * 60/limit seconds; nothing resets at a minute boundary. An attempt is
 * taken from the buckets before the password is hashed (so parallel
 * requests cannot all pass the check) and given back when the password
 * was right.
 *
 * The table holds only a keyed hash of each key (SipHash with a key drawn
 * at start, so no one can choose colliding keys) and its arrival time.
 * A bucket whose arrival time has passed is full: it is the same as no
 * entry, so reusing its slot loses nothing. A slot whose bucket is still
 * draining is never given to another key; when every way of a set is
 * draining, a newcomer is charged to the set's shared overflow bucket,
 * which has the pair limit too. So no eviction ever hands out a fresh
 * budget: the most failures the whole table allows per minute is
 * (ways + 1) x sets x limit. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "web_int.h"

#define MINUTE_NS 60000000000LL
/* Log and audit lines for refused logins per minute (finding 17). */
#define GATE_PER_MINUTE 10

static unsigned char hash_key[crypto_shorthash_KEYBYTES];
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void
make_key(void)
{
    if (sodium_init() < 0)
        return; /* an all-zero key: still a valid SipHash, only guessable */
    randombytes_buf(hash_key, sizeof(hash_key));
}

/* The limiter's notion of an address: an IPv6 client by its /64, which
 * one host usually owns whole; an IPv4-mapped one as IPv4. */
static void
address_key(const char *client, char *out, size_t len)
{
    struct in6_addr a6;

    snprintf(out, len, "%s", client);
    if (inet_pton(AF_INET6, client, &a6) != 1)
        return;
    if (IN6_IS_ADDR_V4MAPPED(&a6)) {
        inet_ntop(AF_INET, &a6.s6_addr[12], out, (socklen_t)len);
        return;
    }
    char net[INET6_ADDRSTRLEN];
    memset(&a6.s6_addr[8], 0, 8);
    if (inet_ntop(AF_INET6, &a6, net, sizeof(net)) != NULL)
        snprintf(out, len, "%s/64", net);
}

static uint64_t
key_hash(const char *kind, const char *addr, const char *user)
{
    char buf[256];
    unsigned char h[crypto_shorthash_BYTES];
    uint64_t v = 0;
    int n;

    /* Names longer than any user's share one pair bucket; letters are
     * folded since names are unique without case. */
    n = snprintf(buf, sizeof(buf), "%s\n%s\n", kind, addr);
    if (user != NULL && n > 0 && (size_t)n < sizeof(buf)) {
        size_t ul = strlen(user);
        if (ul > VIGIL_WEB_USER_MAX)
            user = "\x01long";
        for (const char *p = user; *p != '\0' && (size_t)n < sizeof(buf) - 1;
             p++)
            buf[n++] = (char)tolower((unsigned char)*p);
        buf[n] = '\0';
    }
    pthread_once(&key_once, make_key);
    crypto_shorthash(h, (const unsigned char *)buf, strlen(buf), hash_key);
    memcpy(&v, h, sizeof(v));
    return v | 1; /* 0 marks an empty way */
}

/* The bucket for h: its own way, an idle way taken over, or (*way set
 * to NULL) the set's overflow bucket. Called with w->mu held. */
static int64_t *
bucket(struct web_limiter *L, uint64_t h, int64_t now,
       struct web_limit_way **way)
{
    size_t set = (size_t)(h >> 32) % WEB_LIMIT_SETS;
    struct web_limit_way *ways = L->ways[set];

    *way = NULL;
    for (size_t i = 0; i < WEB_LIMIT_WAYS && *way == NULL; i++)
        if (ways[i].h == h)
            *way = &ways[i];
    /* A full bucket's way is free; strictly before now, so a way just
     * given to the pair key in this same take is not taken again for
     * the address key. */
    for (size_t i = 0; i < WEB_LIMIT_WAYS && *way == NULL; i++)
        if (ways[i].h == 0 || ways[i].tat < now) {
            *way = &ways[i];
            (*way)->h = h;
            (*way)->tat = now;
        }
    return *way != NULL ? &(*way)->tat : &L->overflow[set];
}

static int64_t
interval(int64_t limit)
{
    return MINUTE_NS / (limit > 0 ? limit : 1);
}

/* Would one more attempt fit in the bucket at tat? */
static int
fits(int64_t tat, int64_t now, int64_t limit)
{
    int64_t t = tat > now ? tat : now;

    return t + interval(limit) - now <= MINUTE_NS;
}

static void
charge(int64_t *tat, int64_t now, int64_t limit)
{
    *tat = (*tat > now ? *tat : now) + interval(limit);
}

enum web_limit_res
web_limit_take(struct vigil_web *w, const char *client, const char *user,
               int skip_address, struct web_limit_ticket *t)
{
    char addr[80];
    int64_t now = vigil_time_now();
    int64_t pair_limit = w->cfg->login_per_minute;
    int64_t addr_limit = pair_limit * WEB_LIMIT_ADDRESS_FACTOR;
    enum web_limit_res res = WEB_LIMIT_OK;
    int64_t *pb, *ab = NULL;
    struct web_limit_way *pw, *aw = NULL;

    memset(t, 0, sizeof(*t));
    address_key(client, addr, sizeof(addr));
    t->pair_h = key_hash("pair", addr, user);
    t->addr_h = key_hash("addr", addr, NULL);
    pthread_mutex_lock(&w->mu);
    pb = bucket(&w->limit, t->pair_h, now, &pw);
    if (!skip_address)
        ab = bucket(&w->limit, t->addr_h, now, &aw);
    if (!fits(*pb, now, pair_limit))
        res = WEB_LIMIT_PAIR;
    else if (ab != NULL && !fits(*ab, now, addr_limit))
        res = WEB_LIMIT_ADDRESS;
    if (res == WEB_LIMIT_OK) {
        charge(pb, now, pair_limit);
        t->pair = pb;
        t->pair_way = pw;
        if (ab != NULL) {
            charge(ab, now, addr_limit);
            t->addr = ab;
            t->addr_way = aw;
        }
    }
    pthread_mutex_unlock(&w->mu);
    return res;
}

/* Gives one attempt back unless the way went to another key meanwhile
 * (its bucket had drained: then there is nothing to give back). */
static void
give(int64_t *tat, const struct web_limit_way *way, uint64_t h, int64_t limit)
{
    if (tat != NULL && (way == NULL || way->h == h))
        *tat -= interval(limit);
}

void
web_limit_give_back(struct vigil_web *w, const struct web_limit_ticket *t)
{
    int64_t pair_limit = w->cfg->login_per_minute;

    pthread_mutex_lock(&w->mu);
    give(t->pair, t->pair_way, t->pair_h, pair_limit);
    give(t->addr, t->addr_way, t->addr_h,
         pair_limit * WEB_LIMIT_ADDRESS_FACTOR);
    pthread_mutex_unlock(&w->mu);
}

int
web_limit_gate(struct vigil_web *w, uint64_t *suppressed)
{
    int64_t now = vigil_time_now();
    int pass;

    *suppressed = 0;
    pthread_mutex_lock(&w->mu);
    if (now - w->gate_start >= MINUTE_NS) {
        *suppressed = w->gate_dropped;
        w->gate_start = now;
        w->gate_count = 0;
        w->gate_dropped = 0;
    }
    pass = w->gate_count < GATE_PER_MINUTE;
    if (pass)
        w->gate_count++;
    else
        w->gate_dropped++;
    pthread_mutex_unlock(&w->mu);
    return pass;
}
