/* net_flow.c -- bidirectional flows keyed by the 5-tuple, with idle and
 * active timeouts, in a table sized once.
 *
 * The table is an array of entries, a bucket array of chain heads and a
 * list in order of last packet (least recent first). Packets come in
 * time order, so the idle flows are always at the head of that list:
 * expiry and eviction cost O(1) per flow and nothing is allocated per
 * packet. A full table ends its least recent flow (counted as evicted,
 * reported like any other end) rather than dropping the new one. */
#include <stdlib.h>
#include <string.h>

#include "net/net.h"

#define NIL UINT32_MAX

struct entry {
    struct vigil_net_flow f;
    uint32_t hnext;      /* bucket chain, or free list */
    uint32_t prev, next; /* recency list */
    uint32_t bucket;
};

struct vigil_net_flows {
    struct entry *e;
    uint32_t *buckets;
    uint32_t nbuckets_mask;
    uint32_t cap, used, free_head, head, tail;
    uint64_t seed;
    struct vigil_net_flow_opts o;
    vigil_net_flow_fn fn;
    void *arg;
    struct vigil_net_flow_stats st;
    int stop;
};

static uint64_t
mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static uint64_t
endpoint_hash(const uint8_t ip[16], uint16_t port, uint64_t seed)
{
    uint64_t a, b;

    memcpy(&a, ip, 8);
    memcpy(&b, ip + 8, 8);
    return mix(a ^ seed) + mix(b ^ (seed >> 1) ^ ((uint64_t)port << 48));
}

/* The same for both directions: the sum of the endpoints' hashes. */
static uint32_t
flow_bucket(const struct vigil_net_flows *t, const uint8_t *a, uint16_t ap,
            const uint8_t *b, uint16_t bp, uint8_t proto)
{
    uint64_t h = endpoint_hash(a, ap, t->seed) + endpoint_hash(b, bp, t->seed);

    return (uint32_t)mix(h ^ proto) & t->nbuckets_mask;
}

enum vigil_rc
vigil_net_flows_new(struct vigil_net_flows **out,
                    const struct vigil_net_flow_opts *o, vigil_net_flow_fn fn,
                    void *arg, struct vigil_err *err)
{
    struct vigil_net_flows *t;
    size_t nb = 16;
    uint8_t seed[8];

    *out = NULL;
    t = calloc(1, sizeof(*t));
    if (t == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    if (o)
        t->o = *o;
    if (t->o.max_flows == 0)
        t->o.max_flows = 65536;
    if (t->o.max_flows > (1u << 26))
        t->o.max_flows = 1u << 26;
    if (t->o.idle_timeout_ns <= 0)
        t->o.idle_timeout_ns = 60 * VIGIL_NS_PER_SEC;
    if (t->o.active_timeout_ns <= 0)
        t->o.active_timeout_ns = 1800 * VIGIL_NS_PER_SEC;
    while (nb < t->o.max_flows * 2)
        nb <<= 1;
    t->cap = (uint32_t)t->o.max_flows;
    t->e = calloc(t->cap, sizeof(*t->e));
    t->buckets = malloc(nb * sizeof(*t->buckets));
    if (t->e == NULL || t->buckets == NULL) {
        size_t want = t->o.max_flows;

        vigil_net_flows_free(t);
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory for %zu flows",
                             want);
    }
    memset(t->buckets, 0xff, nb * sizeof(*t->buckets));
    t->nbuckets_mask = (uint32_t)(nb - 1);
    for (uint32_t i = 0; i < t->cap; i++)
        t->e[i].hnext = i + 1 < t->cap ? i + 1 : NIL;
    t->free_head = 0;
    t->head = t->tail = NIL;
    /* A random seed so crafted traffic cannot aim at one bucket. */
    {
        char uid[VIGIL_UID_LEN + 1];

        if (vigil_uid_new(uid) == VIGIL_OK)
            memcpy(seed, uid, 8);
        else
            memset(seed, 0x5a, 8);
    }
    memcpy(&t->seed, seed, 8);
    t->fn = fn;
    t->arg = arg;
    *out = t;
    return VIGIL_OK;
}

void
vigil_net_flows_free(struct vigil_net_flows *t)
{
    if (t == NULL)
        return;
    free(t->e);
    free(t->buckets);
    free(t);
}

static void
list_unlink(struct vigil_net_flows *t, uint32_t i)
{
    struct entry *x = &t->e[i];

    if (x->prev != NIL)
        t->e[x->prev].next = x->next;
    else
        t->head = x->next;
    if (x->next != NIL)
        t->e[x->next].prev = x->prev;
    else
        t->tail = x->prev;
}

static void
list_append(struct vigil_net_flows *t, uint32_t i)
{
    struct entry *x = &t->e[i];

    x->prev = t->tail;
    x->next = NIL;
    if (t->tail != NIL)
        t->e[t->tail].next = i;
    else
        t->head = i;
    t->tail = i;
}

/* Reports and frees entry i. */
static void
end_flow(struct vigil_net_flows *t, uint32_t i, enum vigil_net_end why)
{
    struct entry *x = &t->e[i];
    uint32_t *pp = &t->buckets[x->bucket];

    while (*pp != i)
        pp = &t->e[*pp].hnext;
    *pp = x->hnext;
    list_unlink(t, i);
    if (why == VIGIL_NET_END_IDLE &&
        ((x->f.fin_c && x->f.fin_s) ||
         ((x->f.cflags | x->f.sflags) & VIGIL_NET_TH_RST)))
        why = VIGIL_NET_END_CLOSED;
    x->f.end = (uint8_t)why;
    t->st.flows++;
    if (why == VIGIL_NET_END_EVICTED)
        t->st.evicted++;
    else if (why == VIGIL_NET_END_ACTIVE)
        t->st.active_cut++;
    if (t->fn && !t->stop && t->fn(&x->f, t->arg) != 0)
        t->stop = 1;
    x->hnext = t->free_head;
    t->free_head = i;
    t->used--;
}

int
vigil_net_flows_expire(struct vigil_net_flows *t, int64_t now)
{
    while (t->head != NIL &&
           t->e[t->head].f.last_ns + t->o.idle_timeout_ns < now)
        end_flow(t, t->head, VIGIL_NET_END_IDLE);
    return t->stop;
}

int
vigil_net_flows_flush(struct vigil_net_flows *t)
{
    while (t->head != NIL)
        end_flow(t, t->head, VIGIL_NET_END_FLUSH);
    return t->stop;
}

static void
app_detect(struct vigil_net_flow *f, const struct vigil_net_pkt *p, int fromc)
{
    const uint8_t *pl = p->payload;
    size_t n = p->payload_len;

    if ((p->sport == 53 || p->dport == 53 || p->sport == 5353 ||
         p->dport == 5353) &&
        (f->app == VIGIL_NET_APP_NONE || f->app == VIGIL_NET_APP_DNS)) {
        struct vigil_net_dns d;

        if (p->proto == 6) {
            if (n < 2)
                return;
            pl += 2;
            n -= 2;
        }
        if (!vigil_net_dns_parse(pl, n, &d))
            return;
        f->app = VIGIL_NET_APP_DNS;
        if (!d.response && f->name[0] == '\0') {
            memcpy(f->name, d.qname, d.qname_len + 1);
            f->dns_qtype = d.qtype;
        } else if (d.response) {
            f->dns_rcode = d.rcode;
            f->dns_answered = d.ancount > 0;
            if (d.answer[0] != '\0' && f->dns_answer[0] == '\0') {
                /* cut to fit: a long CNAME or TXT keeps its start */
                size_t al = strnlen(d.answer, sizeof(f->dns_answer) - 1);
                memcpy(f->dns_answer, d.answer, al);
                f->dns_answer[al] = '\0';
            }
            if (f->name[0] == '\0') {
                memcpy(f->name, d.qname, d.qname_len + 1);
                f->dns_qtype = d.qtype;
            }
        }
        return;
    }
    if (f->app != VIGIL_NET_APP_NONE || !fromc || p->proto != 6)
        return;
    if (n >= 6 && pl[0] == 0x16 && pl[1] == 3) {
        struct vigil_net_tls tl;

        if (vigil_net_tls_parse(pl, n, &tl)) {
            f->app = VIGIL_NET_APP_TLS;
            memcpy(f->name, tl.sni, sizeof(f->name));
            memcpy(f->ja3, tl.ja3, sizeof(f->ja3));
            memcpy(f->ja4, tl.ja4, sizeof(f->ja4));
        }
    } else if (n >= 4 && pl[0] >= 'A' && pl[0] <= 'Z') {
        struct vigil_net_http h;

        if (vigil_net_http_parse(pl, n, &h)) {
            f->app = VIGIL_NET_APP_HTTP;
            memcpy(f->name, h.host, sizeof(f->name));
            memcpy(f->method, h.method, sizeof(f->method));
            memcpy(f->uri, h.uri, sizeof(f->uri));
        }
    }
}

static int
same_dir(const struct vigil_net_flow *f, const struct vigil_net_pkt *p)
{
    return f->cport == p->sport && f->sport == p->dport &&
           memcmp(f->caddr, p->src, 16) == 0 &&
           memcmp(f->saddr, p->dst, 16) == 0;
}

static int
rev_dir(const struct vigil_net_flow *f, const struct vigil_net_pkt *p)
{
    return f->cport == p->dport && f->sport == p->sport &&
           memcmp(f->caddr, p->dst, 16) == 0 &&
           memcmp(f->saddr, p->src, 16) == 0;
}

int
vigil_net_flows_add(struct vigil_net_flows *t, const struct vigil_net_pkt *p)
{
    uint32_t b, i;
    int fromc = 1;
    struct vigil_net_flow *f;
    uint16_t sp = p->sport, dp = p->dport;

    t->st.packets++;
    if (t->head != NIL &&
        t->e[t->head].f.last_ns + t->o.idle_timeout_ns < p->time_ns)
        vigil_net_flows_expire(t, p->time_ns);
    b = flow_bucket(t, p->src, sp, p->dst, dp, p->proto);
    for (i = t->buckets[b]; i != NIL; i = t->e[i].hnext) {
        f = &t->e[i].f;
        if (f->proto != p->proto)
            continue;
        if (same_dir(f, p))
            break;
        if (rev_dir(f, p)) {
            fromc = 0;
            break;
        }
    }
    if (i != NIL) {
        f = &t->e[i].f;
        /* A new connection on the ports of a closed one, or a flow open
         * past the active timeout, starts over. */
        if (p->time_ns - f->first_ns > t->o.active_timeout_ns) {
            end_flow(t, i, VIGIL_NET_END_ACTIVE);
            i = NIL;
        } else if (p->proto == 6 &&
                   (p->tcp_flags & (VIGIL_NET_TH_SYN | VIGIL_NET_TH_ACK)) ==
                       VIGIL_NET_TH_SYN &&
                   ((f->fin_c && f->fin_s) ||
                    ((f->cflags | f->sflags) & VIGIL_NET_TH_RST))) {
            end_flow(t, i, VIGIL_NET_END_CLOSED);
            i = NIL;
        }
    }
    if (i == NIL) {
        if (t->free_head == NIL)
            end_flow(t, t->head, VIGIL_NET_END_EVICTED);
        i = t->free_head;
        t->free_head = t->e[i].hnext;
        t->used++;
        f = &t->e[i].f;
        memset(f, 0, offsetof(struct vigil_net_flow, name));
        f->name[0] = f->dns_answer[0] = f->ja3[0] = f->ja4[0] = f->method[0] =
            f->uri[0] = '\0';
        memcpy(f->caddr, p->src, 16);
        memcpy(f->saddr, p->dst, 16);
        f->cport = sp;
        f->sport = dp;
        f->proto = p->proto;
        f->ipv6 = p->ipv6;
        f->first_ns = p->time_ns;
        fromc = 1;
        t->e[i].bucket = b;
        t->e[i].hnext = t->buckets[b];
        t->buckets[b] = i;
        list_append(t, i);
    } else if (t->tail != i) {
        list_unlink(t, i);
        list_append(t, i);
    }
    f = &t->e[i].f;
    if (p->time_ns > f->last_ns)
        f->last_ns = p->time_ns;
    if (fromc) {
        if (p->payload_len > 0 &&
            (f->bursts == 0 ||
             p->time_ns - f->burst_last_ns >= VIGIL_NS_PER_SEC)) {
            if (f->bursts > 0) {
                double iv = (double)(p->time_ns - f->burst_last_ns) / 1e9;
                f->burst_sum += iv;
                f->burst_sq += iv * iv;
            }
            f->bursts++;
        }
        if (p->payload_len > 0)
            f->burst_last_ns = p->time_ns;
        f->cpkts++;
        f->cbytes += p->ip_len;
        f->cflags |= p->tcp_flags;
        if (p->tcp_flags & VIGIL_NET_TH_FIN)
            f->fin_c = 1;
    } else {
        f->spkts++;
        f->sbytes += p->ip_len;
        f->sflags |= p->tcp_flags;
        if (p->tcp_flags & VIGIL_NET_TH_FIN)
            f->fin_s = 1;
    }
    if (p->payload_len > 0 &&
        (f->app == VIGIL_NET_APP_NONE || f->app == VIGIL_NET_APP_DNS))
        app_detect(f, p, fromc);
    return t->stop;
}

void
vigil_net_flows_stats(const struct vigil_net_flows *t,
                      struct vigil_net_flow_stats *st)
{
    *st = t->st;
    st->held = t->used;
}
