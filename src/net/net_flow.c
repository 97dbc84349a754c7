/* net_flow.c -- bidirectional flows keyed by the 5-tuple, with idle and
 * active timeouts, in a table sized once.
 *
 * The table is an array of entries, a bucket array of chain heads and a
 * list in order of last packet (least recent first). Packets come in
 * time order, so the idle flows are always at the head of that list:
 * expiry and eviction cost O(1) per flow and nothing is allocated per
 * packet. A full table ends its least recent flow (counted as evicted,
 * reported like any other end) rather than dropping the new one.
 *
 * Two small side tables, sized with the flow table: the TCP connections
 * that ended idle (not closed), so that one resuming after a pause keeps
 * its client and server whoever speaks first; and the buffers that gather
 * a TLS ClientHello sent over several segments (a post-quantum key share
 * makes it larger than one), shared by all flows. */
#include <stdlib.h>
#include <string.h>

#include "net/net.h"

#define NIL UINT32_MAX

/* ClientHello reassembly: a record is at most 16 KiB + its header. */
#define REASM_SLOTS 32
#define REASM_MAX   (16384 + 5)
/* Connections remembered after an idle end. */
#define RECENT_SLOTS 4096
/* Names (requests, ClientHellos) a flow reports to on_update. */
#define NAMES_MAX 32

struct reasm {
    uint32_t owner; /* flow entry, or NIL */
    uint32_t len;
    uint8_t buf[REASM_MAX];
};

struct recent {
    uint8_t caddr[16], saddr[16];
    uint16_t cport, sport;
    uint8_t used;
};

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
    struct reasm *rs;
    uint32_t rs_next; /* the slot taken when all are busy */
    struct recent *recent;
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
    /* Bounded so that time + timeout cannot overflow (times are at most
     * VIGIL_NET_TIME_MAX). */
    if (t->o.idle_timeout_ns > 1000000 * VIGIL_NS_PER_SEC)
        t->o.idle_timeout_ns = 1000000 * VIGIL_NS_PER_SEC;
    if (t->o.active_timeout_ns > 1000000 * VIGIL_NS_PER_SEC)
        t->o.active_timeout_ns = 1000000 * VIGIL_NS_PER_SEC;
    if (t->o.update_bytes == 0)
        t->o.update_bytes = 1u << 20;
    while (nb < t->o.max_flows * 2)
        nb <<= 1;
    t->cap = (uint32_t)t->o.max_flows;
    t->e = calloc(t->cap, sizeof(*t->e));
    t->buckets = malloc(nb * sizeof(*t->buckets));
    t->rs = malloc(REASM_SLOTS * sizeof(*t->rs));
    t->recent = calloc(RECENT_SLOTS, sizeof(*t->recent));
    if (t->e == NULL || t->buckets == NULL || t->rs == NULL ||
        t->recent == NULL) {
        size_t want = t->o.max_flows;

        vigil_net_flows_free(t);
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory for %zu flows",
                             want);
    }
    memset(t->buckets, 0xff, nb * sizeof(*t->buckets));
    for (uint32_t i = 0; i < REASM_SLOTS; i++)
        t->rs[i].owner = NIL;
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
    free(t->rs);
    free(t->recent);
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

static uint32_t
recent_slot(const struct vigil_net_flows *t, const struct vigil_net_flow *f)
{
    return flow_bucket(t, f->caddr, f->cport, f->saddr, f->sport, f->proto) &
           (RECENT_SLOTS - 1);
}

static void
note_name(struct vigil_net_flows *t, struct vigil_net_flow *f, const char *name)
{
    if (f->name[0] == '\0')
        memcpy(f->name, name, strlen(name) + 1);
    if (name[0] == '\0' || t->o.on_update == NULL || f->names >= NAMES_MAX)
        return;
    f->names++;
    f->update = VIGIL_NET_UPD_NAME;
    f->seen_name = name;
    if (!t->stop && t->o.on_update(f, t->arg) != 0)
        t->stop = 1;
    f->seen_name = NULL;
}

/* Parses a ClientHello (whole, or cut short: then its fingerprints would
 * be wrong and are left out) into f. */
static void
tls_take(struct vigil_net_flows *t, struct vigil_net_flow *f, const uint8_t *pl,
         size_t n, int whole)
{
    struct vigil_net_tls tl;

    if (!vigil_net_tls_parse(pl, n, &tl))
        return;
    if (f->app == VIGIL_NET_APP_NONE)
        f->app = VIGIL_NET_APP_TLS;
    if (whole && f->ja3[0] == '\0') {
        memcpy(f->ja3, tl.ja3, sizeof(f->ja3));
        memcpy(f->ja4, tl.ja4, sizeof(f->ja4));
    }
    note_name(t, f, tl.sni);
}

/* Ends f's reassembly: parses what was gathered. */
static void
reasm_end(struct vigil_net_flows *t, struct vigil_net_flow *f, int whole)
{
    struct reasm *r = &t->rs[f->reasm - 1];

    f->reasm = 0;
    r->owner = NIL;
    tls_take(t, f, r->buf, r->len, whole);
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
    if (x->f.reasm)
        reasm_end(t, &x->f, 0);
    /* An established TCP connection gone quiet: remembered, so that
     * its next packet (whoever sends it) keeps the roles. */
    if (why == VIGIL_NET_END_IDLE && x->f.proto == 6 && x->f.spkts &&
        x->f.cpkts && !x->f.fin_c && !x->f.fin_s &&
        !((x->f.cflags | x->f.sflags) & VIGIL_NET_TH_RST)) {
        struct recent *r = &t->recent[recent_slot(t, &x->f)];

        memcpy(r->caddr, x->f.caddr, 16);
        memcpy(r->saddr, x->f.saddr, 16);
        r->cport = x->f.cport;
        r->sport = x->f.sport;
        r->used = 1;
    }
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
app_dns(struct vigil_net_flows *t, struct vigil_net_flow *f,
        const struct vigil_net_pkt *p)
{
    const uint8_t *pl = p->payload;
    size_t n = p->payload_len;
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
    if (d.response) {
        f->dns_rcode = d.rcode;
        f->dns_answered = d.ancount > 0;
        if (d.answer[0] != '\0' && f->dns_answer[0] == '\0') {
            /* cut to fit: a long CNAME or TXT keeps its start */
            size_t al = strnlen(d.answer, sizeof(f->dns_answer) - 1);
            memcpy(f->dns_answer, d.answer, al);
            f->dns_answer[al] = '\0';
        }
    }
    if (f->name[0] == '\0') {
        f->dns_qtype = d.qtype;
        note_name(t, f, d.qname);
    }
}

/* A client segment of a ClientHello being gathered. */
static void
reasm_add(struct vigil_net_flows *t, struct vigil_net_flow *f,
          const struct vigil_net_pkt *p)
{
    struct reasm *r = &t->rs[f->reasm - 1];
    size_t need = 5 + (((size_t)r->buf[3] << 8) | r->buf[4]);
    size_t take = p->payload_len;
    int32_t ahead = (int32_t)(p->seq - f->next_seq);

    if (ahead < 0)
        return; /* a retransmission of what we have */
    if (ahead > 0) {
        reasm_end(t, f, 0); /* a gap: lost segment */
        return;
    }
    if (take > need - r->len)
        take = need - r->len;
    memcpy(r->buf + r->len, p->payload, take);
    r->len += (uint32_t)take;
    f->next_seq += p->payload_len;
    if (r->len >= need)
        reasm_end(t, f, 1);
}

/* The first client segment of a ClientHello: parsed now if whole, else
 * gathered in a slot (the least recently taken one when all are busy:
 * its flow keeps what it had, without fingerprints). */
static void
tls_start(struct vigil_net_flows *t, uint32_t i, struct vigil_net_flow *f,
          const struct vigil_net_pkt *p)
{
    size_t need = 5 + (((size_t)p->payload[3] << 8) | p->payload[4]);
    struct reasm *r;
    uint32_t s;

    if (p->payload_len >= need || p->payload[5] != 1 || need > REASM_MAX) {
        tls_take(t, f, p->payload, p->payload_len, p->payload_len >= need);
        return;
    }
    s = t->rs_next;
    t->rs_next = (t->rs_next + 1) % REASM_SLOTS;
    for (uint32_t k = 0; k < REASM_SLOTS; k++)
        if (t->rs[(s + k) % REASM_SLOTS].owner == NIL) {
            s = (s + k) % REASM_SLOTS;
            break;
        }
    r = &t->rs[s];
    if (r->owner != NIL)
        reasm_end(t, &t->e[r->owner].f, 0);
    r->owner = i;
    r->len = p->payload_len;
    memcpy(r->buf, p->payload, p->payload_len);
    f->reasm = (uint16_t)(s + 1);
    f->next_seq = p->seq + p->payload_len;
}

/* What a client payload says: every HTTP request and ClientHello of a
 * flow is read (a keep-alive connection's later requests, the TLS inside
 * a proxy's CONNECT, a decoy's real request after it), the first gives
 * the flow's name. */
static void
app_detect(struct vigil_net_flows *t, uint32_t i, struct vigil_net_flow *f,
           const struct vigil_net_pkt *p, int fromc)
{
    const uint8_t *pl = p->payload;
    size_t n = p->payload_len;

    if ((p->sport == 53 || p->dport == 53 || p->sport == 5353 ||
         p->dport == 5353) &&
        (f->app == VIGIL_NET_APP_NONE || f->app == VIGIL_NET_APP_DNS)) {
        app_dns(t, f, p);
        return;
    }
    if (!fromc || p->proto != 6 || f->app == VIGIL_NET_APP_DNS)
        return;
    if (f->reasm) {
        reasm_add(t, f, p);
        return;
    }
    if (f->names >= NAMES_MAX && f->app != VIGIL_NET_APP_NONE)
        return;
    if (n >= 6 && pl[0] == 0x16 && pl[1] == 3) {
        tls_start(t, i, f, p);
    } else if (n >= 4 && pl[0] >= 'A' && pl[0] <= 'Z') {
        struct vigil_net_http h;

        if (vigil_net_http_parse(pl, n, &h)) {
            if (f->app == VIGIL_NET_APP_NONE) {
                f->app = VIGIL_NET_APP_HTTP;
                memcpy(f->method, h.method, sizeof(f->method));
                memcpy(f->uri, h.uri, sizeof(f->uri));
            }
            note_name(t, f, h.host);
        }
    }
}

/* 16-byte address equality in two 8-byte loads (memcmp stays a call). */
static int
ip_eq(const uint8_t *a, const uint8_t *b)
{
    uint64_t a0, a1, b0, b1;

    memcpy(&a0, a, 8);
    memcpy(&a1, a + 8, 8);
    memcpy(&b0, b, 8);
    memcpy(&b1, b + 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

static int
same_dir(const struct vigil_net_flow *f, const struct vigil_net_pkt *p)
{
    return f->cport == p->sport && f->sport == p->dport &&
           ip_eq(f->caddr, p->src) && ip_eq(f->saddr, p->dst);
}

static int
rev_dir(const struct vigil_net_flow *f, const struct vigil_net_pkt *p)
{
    return f->cport == p->dport && f->sport == p->sport &&
           ip_eq(f->caddr, p->dst) && ip_eq(f->saddr, p->src);
}

/* The entry of the flow a packet src:sp -> dst:dp belongs to, and in
 * *fromc whether src is its client; NIL when there is none. */
static inline uint32_t
find(const struct vigil_net_flows *t, const struct vigil_net_pkt *p, uint32_t b,
     int *fromc)
{
    for (uint32_t i = t->buckets[b]; i != NIL; i = t->e[i].hnext) {
        const struct vigil_net_flow *f = &t->e[i].f;

        if (f->proto != p->proto)
            continue;
        if (same_dir(f, p)) {
            *fromc = 1;
            return i;
        }
        if (rev_dir(f, p)) {
            *fromc = 0;
            return i;
        }
    }
    return NIL;
}

/* An ICMP error quoting a datagram of a flow: the flow's probe was
 * answered by the path (time exceeded: a traceroute) or refused. */
static void
icmp_answer(struct vigil_net_flows *t, const struct vigil_net_pkt *p)
{
    struct vigil_net_pkt in;
    uint32_t i;
    int fromc;

    if (!vigil_net_icmp_quoted(p, &in))
        return;
    i = find(t, &in,
             flow_bucket(t, in.src, in.sport, in.dst, in.dport, in.proto),
             &fromc);
    if (i == NIL)
        return;
    if ((p->proto == 1 && p->icmp_type == 11) ||
        (p->proto == 58 && p->icmp_type == 3))
        t->e[i].f.path_answer = 1;
    else
        t->e[i].f.port_unreach = 1;
}

/* The client of a TCP flow whose handshake was not seen (a capture that
 * starts late, a connection quiet past the idle timeout): 1 when the
 * packet's sender is. A SYN-ACK comes from the server; a connection
 * remembered from an idle end keeps its roles; data from a service port
 * (below 1024) to an ephemeral one comes from the server. */
static int
sender_is_client(const struct vigil_net_flows *t, const struct vigil_net_pkt *p,
                 uint8_t *resumed)
{
    uint8_t fl = p->tcp_flags & (VIGIL_NET_TH_SYN | VIGIL_NET_TH_ACK);
    const struct recent *r;

    if (fl == VIGIL_NET_TH_SYN)
        return 1;
    if (fl == (VIGIL_NET_TH_SYN | VIGIL_NET_TH_ACK))
        return 0;
    r = &t->recent[flow_bucket(t, p->src, p->sport, p->dst, p->dport, 6) &
                   (RECENT_SLOTS - 1)];
    if (r->used && r->cport == p->sport && r->sport == p->dport &&
        memcmp(r->caddr, p->src, 16) == 0 &&
        memcmp(r->saddr, p->dst, 16) == 0) {
        *resumed = 1;
        return 1;
    }
    if (r->used && r->cport == p->dport && r->sport == p->sport &&
        memcmp(r->caddr, p->dst, 16) == 0 &&
        memcmp(r->saddr, p->src, 16) == 0) {
        *resumed = 1;
        return 0;
    }
    if (p->payload_len > 0 && p->sport < 1024 && p->dport >= 1024) {
        *resumed = 1;
        return 0;
    }
    if (p->payload_len > 0)
        *resumed = 1;
    return 1;
}

int
vigil_net_flows_add(struct vigil_net_flows *t, const struct vigil_net_pkt *p)
{
    uint32_t b, i;
    int fromc = 1;
    struct vigil_net_flow *f;

    t->st.packets++;
    if (t->head != NIL &&
        t->e[t->head].f.last_ns + t->o.idle_timeout_ns < p->time_ns)
        vigil_net_flows_expire(t, p->time_ns);
    if (p->proto == 1 || p->proto == 58)
        icmp_answer(t, p);
    b = flow_bucket(t, p->src, p->sport, p->dst, p->dport, p->proto);
    i = find(t, p, b, &fromc);
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
        uint8_t resumed = 0;

        fromc = p->proto == 6 ? sender_is_client(t, p, &resumed) : 1;
        if (t->free_head == NIL)
            end_flow(t, t->head, VIGIL_NET_END_EVICTED);
        i = t->free_head;
        t->free_head = t->e[i].hnext;
        t->used++;
        f = &t->e[i].f;
        memset(f, 0, offsetof(struct vigil_net_flow, name));
        f->name[0] = f->dns_answer[0] = f->ja3[0] = f->ja4[0] = f->method[0] =
            f->uri[0] = '\0';
        memset(&f->icmp_type, 0,
               sizeof(*f) - offsetof(struct vigil_net_flow, icmp_type));
        memcpy(f->caddr, fromc ? p->src : p->dst, 16);
        memcpy(f->saddr, fromc ? p->dst : p->src, 16);
        f->cport = fromc ? p->sport : p->dport;
        f->sport = fromc ? p->dport : p->sport;
        f->proto = p->proto;
        f->ipv6 = p->ipv6;
        f->icmp_type = p->icmp_type;
        f->resumed = resumed;
        f->first_ns = p->time_ns;
        f->next_update_bytes = t->o.update_bytes;
        t->e[i].bucket = b;
        t->e[i].hnext = t->buckets[b];
        t->buckets[b] = i;
        list_append(t, i);
        if (t->o.on_update && !t->stop) {
            f->update = VIGIL_NET_UPD_NEW;
            if (t->o.on_update(f, t->arg) != 0)
                t->stop = 1;
        }
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
        if (f->cbytes >= f->next_update_bytes && t->o.on_update) {
            while (f->next_update_bytes <= f->cbytes)
                f->next_update_bytes += t->o.update_bytes;
            f->update = VIGIL_NET_UPD_BYTES;
            if (!t->stop && t->o.on_update(f, t->arg) != 0)
                t->stop = 1;
        }
    } else {
        f->spkts++;
        f->sbytes += p->ip_len;
        f->sflags |= p->tcp_flags;
        if (p->tcp_flags & VIGIL_NET_TH_FIN)
            f->fin_s = 1;
    }
    if (p->payload_len > 0)
        app_detect(t, i, f, p, fromc);
    return t->stop;
}

void
vigil_net_flows_stats(const struct vigil_net_flows *t,
                      struct vigil_net_flow_stats *st)
{
    *st = t->st;
    st->held = t->used;
}
