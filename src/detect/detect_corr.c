/* detect_corr.c -- Sigma correlation rules (event_count, value_count,
 * temporal, temporal_ordered) over the matches of their base rules, per
 * group-by key, in bounded state that a flood cannot clear away, saved
 * with the checkpoints of the input it came from.
 *
 * Windows: a `gt`/`gte` condition is checked on every match over a
 * sliding window of `timespan`. When it holds, the group's alert window
 * opens at the oldest event of that sliding window; every event of the
 * group up to `timespan` after it is counted into it, and the one alert
 * of the window (count, first and last time) is raised when it ends: on
 * the group's next event past it, on vigil_detect_corr_tick, or live once
 * the group was fed nothing for corr_quiet_ns of wall clock (an attack in
 * progress is reported within seconds). The live daemon sets corr_early:
 * the window's one alert goes out the moment the condition holds, with
 * the count so far, so a response acts within milliseconds; the rest of
 * the window is folded into it without another alert. An `lt`/`lte`/`eq`/`neq`
 * condition can only be decided when the window (opened by the group's
 * first match) closes, on a later match or on vigil_detect_corr_tick.
 * temporal kinds fire on the event that completes them.
 *
 * Suppression: an alert of a group less than corr_suppress_ns (event
 * time) after the group's last raised alert is not raised but counted;
 * the next alert raised carries the count. A group with a suppression
 * running outlives its window, so the suppression is saved and restored
 * with it. temporal_ordered keeps, for each position of
 * its rule list, the start of the latest chain that has matched the rules
 * up to it in order, so a later rule seen first never completes it.
 *
 * Groups are found by their full group-by values (a vigil_hmap key), not
 * by a hash of them: two users whose names hash alike, or share a long
 * prefix, are counted apart.
 *
 * Budgets (docs/rules.md, "Correlation state"): at most corr_max_groups
 * groups per correlation and corr_max_source_groups of them opened by one
 * named source. A new group past a budget takes the place of another: of its
 * own source when that source is at its budget, else of the source
 * holding the most groups; there the group of the lowest level (its count,
 * so the one furthest from firing), least recently fed. Expired groups go
 * first (sweep). A flood of one-off keys thus only ever replaces one-off
 * keys, and never those of another source below its share. Every group
 * dropped is counted and warned about (message 1502, at most once a
 * minute).
 *
 * Saving: each change of a group is written, as a row of the store's
 * component state ("detect", key "c<identity>/<group key>"), into the
 * store batch of the event that changed it -- the batch that carries that
 * event's checkpoint -- and each group dropped is deleted there. The row
 * format is versioned, bounded and checked field by field on load
 * (detect_corr_state_load), for it is read back from disk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "detect/detect_int.h"
#include "store/store.h"

#define DET_CORR_MAX_ITEMS 4096
/* Longest group key: group-by values together. An event whose values are
 * longer is counted as dropped rather than grouped by a cut-off key. */
#define DET_CORR_MAX_KEY (1u << 20)
/* A group key up to this many bytes is written into its row's key in
 * hex; a longer one as its SHA-256 (the row holds the key itself). */
#define DET_STATE_KEY_HEX 400
#define DET_STATE_KEY_MAX (1 + 16 + 1 + 2 * DET_STATE_KEY_HEX + 1)
#define DET_STATE_HEAD_V1 48
#define DET_STATE_HEAD    80
#define DET_STATE_VERSION 2
/* at most one warning 1502 a minute */
#define DET_WARN_EVERY_NS (60LL * 1000000000LL)

struct det_corr_group {
    int used;
    uint8_t src;         /* source slot that opened it */
    uint8_t lvl;         /* list it is on: min(n, DET_CORR_LVL - 1) */
    uint32_t prev, next; /* in its (src, lvl) list, DET_NONE at the ends */
    int64_t first_ns;
    int64_t last_ns;
    /* the alert window (gt/gte): its first event's time, 0 when none is
     * open, and the events counted into it */
    int64_t win_first_ns;
    uint64_t win_count;
    int win_raised;      /* corr_early: the window's alert is already out */
    int64_t alerted_ns;  /* time of the last alert raised, 0: none */
    uint64_t suppressed; /* alerts suppressed since then */
    int64_t fed_wall_ns; /* wall clock of its last event (not saved) */
    char keytext[128];
    uint32_t n;     /* items in use */
    int64_t *t;     /* event times / per-rule times / chain starts */
    uint64_t *v;    /* value_count: value hashes */
    uint8_t *valid; /* temporal(_ordered): per position */
    char *key;      /* the full group key (the index's key) */
    size_t klen, kcap;
    char *rowkey; /* its row's key in the store (state_key) */
    size_t rkcap;
    size_t hint; /* where its row is in the batch last written */
};

void
detect_corr_free(struct det_corr *k)
{
    for (size_t i = 0; i < k->capgroups; i++) {
        free(k->groups[i].t);
        free(k->groups[i].v);
        free(k->groups[i].valid);
        free(k->groups[i].key);
        free(k->groups[i].rowkey);
    }
    free(k->groups);
    vigil_hmap_free(k->index);
    free(k->freel);
    free(k->kbuf);
    free(k->lists);
    free(k->sbuf);
    k->groups = NULL;
    k->index = NULL;
    k->freel = NULL;
    k->kbuf = NULL;
    k->lists = NULL;
    k->sbuf = NULL;
    k->ngroups = k->capgroups = k->kcap = k->scap = k->nused = 0;
}

static int
cmp_ok(const struct det_corr *k, int64_t n)
{
    for (uint8_t i = 0; i < k->ncmp; i++) {
        int64_t v = k->cmpv[i];
        int ok;
        switch (k->cmp[i]) {
        case CMP_GT:
            ok = n > v;
            break;
        case CMP_GTE:
            ok = n >= v;
            break;
        case CMP_LT:
            ok = n < v;
            break;
        case CMP_LTE:
            ok = n <= v;
            break;
        case CMP_EQ:
            ok = n == v;
            break;
        default:
            ok = n != v;
            break;
        }
        if (!ok)
            return 0;
    }
    return 1;
}

/* conditions that need the whole window */
static int
closes(const struct det_corr *k)
{
    for (uint8_t i = 0; i < k->ncmp; i++)
        if (k->cmp[i] != CMP_GT && k->cmp[i] != CMP_GTE)
            return 1;
    return 0;
}

static size_t
items_cap(const struct det_corr *k)
{
    if (k->type == CORR_TEMPORAL || k->type == CORR_TEMPORAL_ORDERED)
        return k->nrules;
    int64_t m = 0;
    for (uint8_t i = 0; i < k->ncmp; i++)
        if (k->cmpv[i] + 1 > m)
            m = k->cmpv[i] + 1;
    if (m < 1)
        m = 1;
    return m > DET_CORR_MAX_ITEMS ? DET_CORR_MAX_ITEMS : (size_t)m;
}

/* Starts the group's window over; its suppression is kept. */
static void
group_reset(struct det_corr_group *g)
{
    g->n = 0;
    g->first_ns = 0;
    g->win_first_ns = 0;
    g->win_count = 0;
    g->win_raised = 0;
    if (g->valid)
        memset(g->valid, 0, 64);
}

/* the index's value for group i: never NULL */
#define GROUP_REF(i) ((void *)((uintptr_t)(i) + 1))

static struct det_corr_list *
list_of(struct det_corr *k, uint8_t src, uint8_t lvl)
{
    return &k->lists[(size_t)src * DET_CORR_LVL + lvl];
}

static void
lru_unlink(struct det_corr *k, uint32_t i)
{
    struct det_corr_group *g = &k->groups[i];
    struct det_corr_list *l = list_of(k, g->src, g->lvl);

    if (g->prev != DET_NONE)
        k->groups[g->prev].next = g->next;
    else
        l->head = g->next;
    if (g->next != DET_NONE)
        k->groups[g->next].prev = g->prev;
    else
        l->tail = g->prev;
    if (l->head == DET_NONE)
        k->lvlmask[g->src] &= ~(1u << g->lvl);
}

/* Puts group i last (most recently fed) on the list of its level. */
static void
lru_link(struct det_corr *k, uint32_t i)
{
    struct det_corr_group *g = &k->groups[i];
    struct det_corr_list *l;

    /* a group that alerted holds a running suppression: dropping it
     * would let the next burst alert again, so it ranks with the
     * groups closest to firing */
    g->lvl =
        (uint8_t)(g->n < DET_CORR_LVL && g->alerted_ns == 0 ? g->n
                                                            : DET_CORR_LVL - 1);
    l = list_of(k, g->src, g->lvl);
    g->prev = l->tail;
    g->next = DET_NONE;
    if (l->tail != DET_NONE)
        k->groups[l->tail].next = i;
    else
        l->head = i;
    l->tail = i;
    k->lvlmask[g->src] |= 1u << g->lvl;
}

/* The slot of a source name (under corr_lock): 0 for none, and for the
 * sources past the table's first DET_CORR_SRC - 1. */
static uint8_t
src_slot(struct vigil_detect *d, const char *name)
{
    if (name == NULL || name[0] == '\0' || strlen(name) >= 64)
        return 0;
    for (uint32_t i = 1; i < d->ncorr_src; i++)
        if (strcmp(d->corr_src[i], name) == 0)
            return (uint8_t)i;
    if (d->ncorr_src == 0)
        d->ncorr_src = 1;
    if (d->ncorr_src >= DET_CORR_SRC)
        return 0;
    snprintf(d->corr_src[d->ncorr_src], sizeof(d->corr_src[0]), "%s", name);
    return (uint8_t)d->ncorr_src++;
}

/* ---- identity and saved form ---- */

static uint64_t
mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;

    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    h ^= 0xff; /* a separator: ("ab","c") is not ("a","bc") */
    return h * 1099511628211ULL;
}

static uint64_t
mix_s(uint64_t h, const char *s)
{
    return mix(h, s ? s : "", s ? strlen(s) : 0);
}

/* A correlation's identity across runs: its id and everything that
 * decides what its state means (type, condition, window, rules, group-by,
 * value field). Another definition under the same id is another
 * identity, so a changed rule never inherits state it did not build. */
static uint64_t
corr_ident(const struct det_rule *cr)
{
    struct det_corr *k = cr->corr;
    uint64_t h = 1469598103934665603ULL;

    if (k->ident != 0)
        return k->ident;
    h = mix_s(h, cr->info.id);
    h = mix_s(h, cr->info.name);
    h = mix_s(h, cr->info.id[0] ? "" : cr->info.title);
    h = mix(h, &k->type, 1);
    h = mix(h, &k->ncmp, 1);
    for (uint8_t i = 0; i < k->ncmp && i < 2; i++) {
        h = mix(h, &k->cmp[i], 1);
        h = mix(h, &k->cmpv[i], sizeof(k->cmpv[i]));
    }
    h = mix(h, &k->timespan_ns, sizeof(k->timespan_ns));
    for (uint32_t i = 0; i < k->nrules; i++)
        h = mix_s(h, k->refs[i]);
    for (uint32_t i = 0; i < k->ngroupby; i++)
        h = mix_s(h, k->groupby[i]);
    h = mix_s(h, k->vfield);
    k->ident = h ? h : 1;
    return k->ident;
}

/* The row key of a group: "c", the identity in hex, then "/" and the
 * group key in hex, or "#" and its SHA-256 in hex when it is long. */
static int
state_key(uint64_t ident, const char *gk, size_t klen,
          char out[DET_STATE_KEY_MAX])
{
    static const char hx[] = "0123456789abcdef";
    unsigned char sum[32];
    const unsigned char *p = (const unsigned char *)gk;
    size_t n = klen, o;

    out[0] = 'c';
    for (int j = 0; j < 16; j++)
        out[1 + j] = hx[(ident >> (60 - 4 * j)) & 15];
    out[17] = klen <= DET_STATE_KEY_HEX ? '/' : '#';
    o = 18;
    if (klen > DET_STATE_KEY_HEX) {
        unsigned int sl = 0;
        if (EVP_Digest(gk, klen, sum, &sl, EVP_sha256(), NULL) != 1)
            return 0;
        p = sum;
        n = sizeof(sum);
    }
    for (size_t i = 0; i < n; i++) {
        out[o++] = hx[p[i] >> 4];
        out[o++] = hx[p[i] & 15];
    }
    out[o] = '\0';
    return 1;
}

static void
put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void
put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void
put_u64(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, 8); /* one store: this runs for every time saved */
#else
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
#endif
}

static uint16_t
get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t
get_u32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static uint64_t
get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* How many times (t) a group of k saves: all its items, except a
 * closing event_count (a count only) and temporal ones (one per rule). */
static uint32_t
saved_times(const struct det_corr *k, const struct det_corr_group *g)
{
    if (k->type == CORR_TEMPORAL || k->type == CORR_TEMPORAL_ORDERED)
        return k->nrules < 64 ? k->nrules : 64;
    if (k->type == CORR_EVENT_COUNT && closes(k))
        return 0;
    return g->n;
}

/* Builds group i's saved form in k->sbuf; returns its length, 0 when
 * memory ran out. Format (version 2, little-endian):
 *   0  "VCG1"           4  u8 version, u8 type, u8 nrules, u8 srclen
 *   8  u32 key length   12 u16 keytext length, u16 nt (times saved)
 *   16 u32 n            20 u32 0
 *   24 i64 first_ns     32 i64 last_ns    40 u64 valid positions (bits)
 *   48 i64 win_first_ns 56 u64 win_count
 *   64 i64 alerted_ns   72 u64 suppressed
 *   80 source name, group key, keytext, nt i64 times, then for
 *      value_count nt u64 value hashes.
 * Version 1 (written before suppression) ends its head at 48. */
static size_t
group_save(const struct vigil_detect *d, struct det_corr *k, uint32_t i)
{
    const struct det_corr_group *g = &k->groups[i];
    const char *src = g->src ? d->corr_src[g->src] : "";
    size_t sl = strlen(src), tl = strlen(g->keytext);
    uint32_t nt = saved_times(k, g);
    size_t len = DET_STATE_HEAD + sl + g->klen + tl +
                 (size_t)nt * 8 * (k->type == CORR_VALUE_COUNT ? 2 : 1);
    uint64_t mask = 0;
    uint8_t *p;

    if (vigil_grow(&k->sbuf, &k->scap, len, 1, 0) != VIGIL_OK)
        return 0;
    p = k->sbuf;
    memcpy(p, "VCG1", 4);
    p[4] = DET_STATE_VERSION;
    p[5] = k->type;
    p[6] = (uint8_t)k->nrules;
    p[7] = (uint8_t)sl;
    put_u32(p + 8, (uint32_t)g->klen);
    put_u16(p + 12, (uint16_t)tl);
    put_u16(p + 14, (uint16_t)nt);
    put_u32(p + 16, g->n);
    put_u32(p + 20, 0);
    put_u64(p + 24, (uint64_t)g->first_ns);
    put_u64(p + 32, (uint64_t)g->last_ns);
    if (k->type == CORR_TEMPORAL || k->type == CORR_TEMPORAL_ORDERED)
        for (uint32_t j = 0; j < nt; j++)
            if (g->valid[j])
                mask |= 1ULL << j;
    put_u64(p + 40, mask);
    put_u64(p + 48, (uint64_t)g->win_first_ns);
    put_u64(p + 56, g->win_count);
    put_u64(p + 64, (uint64_t)g->alerted_ns);
    put_u64(p + 72, g->suppressed);
    p += DET_STATE_HEAD;
    memcpy(p, src, sl);
    p += sl;
    memcpy(p, g->key, g->klen);
    p += g->klen;
    memcpy(p, g->keytext, tl);
    p += tl;
    for (uint32_t j = 0; j < nt; j++, p += 8)
        put_u64(p, (uint64_t)g->t[j]);
    if (k->type == CORR_VALUE_COUNT)
        for (uint32_t j = 0; j < nt; j++, p += 8)
            put_u64(p, g->v[j]);
    return len;
}

/* Writes group i's row into the batch c feeds (if any): the batch that
 * also carries the checkpoint of the event that changed it. */
static void
group_store(struct vigil_detect_ctx *c, const struct det_rule *cr, uint32_t i)
{
    struct vigil_store_batch *b = detect_ctx_batch(c);
    struct det_corr *k = cr->corr;
    size_t len;

    if (b == NULL || (len = group_save(detect_ctx_engine(c), k, i)) == 0)
        return;
    vigil_store_batch_set_state_hint(b, DET_STATE_COMPONENT,
                                     k->groups[i].rowkey, k->sbuf, len,
                                     &k->groups[i].hint);
}

/* ---- the group table ---- */

/* Lazily allocates what a correlation's table needs. */
static int
table_ready(struct det_corr *k, size_t max)
{
    if (!k->freel && !(k->freel = calloc(max, sizeof(*k->freel))))
        return 0;
    if (!k->index && vigil_hmap_new(&k->index, max, NULL, NULL) != VIGIL_OK)
        return 0;
    if (!k->lists) {
        if (!(k->lists =
                  malloc(sizeof(*k->lists) * DET_CORR_SRC * DET_CORR_LVL)))
            return 0;
        for (size_t j = 0; j < (size_t)DET_CORR_SRC * DET_CORR_LVL; j++)
            k->lists[j].head = k->lists[j].tail = DET_NONE;
    }
    return 1;
}

/* Takes group i out: off the index and its list, its slot freed, and
 * (with a batch) its row deleted. */
static void
group_drop(struct vigil_detect_ctx *c, const struct det_rule *cr, uint32_t i)
{
    struct det_corr *k = cr->corr;
    struct det_corr_group *g = &k->groups[i];
    struct vigil_store_batch *b = c ? detect_ctx_batch(c) : NULL;

    if (b != NULL)
        vigil_store_batch_delete_state(b, DET_STATE_COMPONENT, g->rowkey);
    vigil_hmap_del(k->index, g->key, g->klen);
    lru_unlink(k, i);
    k->nsrc[g->src]--;
    k->nused--;
    g->used = 0;
    k->freel[k->nfree++] = i;
}

/* How long a group that suppressed alerts is kept after its last event,
 * so the next alert raised can say how many were held back. */
#define DET_SUPPRESSED_KEEP_NS (86400LL * 1000000000LL)

/* Does group g's suppression still run at now, or has it alerts to
 * report? Then it must outlive its window. */
static int
suppressing(const struct vigil_detect *d, const struct det_corr_group *g,
            int64_t now)
{
    int64_t supp = d->opts.corr_suppress_ns;

    return supp > 0 && g->alerted_ns != 0 &&
           (now - g->alerted_ns < supp ||
            (g->suppressed > 0 && now - g->last_ns < DET_SUPPRESSED_KEEP_NS));
}

/* Frees the groups whose window is over; at most once per timespan/8 so
 * a full table under a flood of new keys does not cost O(n) per event.
 * Windows that are decided at close are left to vigil_detect_corr_tick. */
static void
sweep(struct vigil_detect_ctx *c, const struct det_rule *cr, int64_t now)
{
    struct det_corr *k = cr->corr;
    int64_t every = k->timespan_ns / 8;

    if (closes(k) || now - k->last_sweep_ns < every)
        return;
    k->last_sweep_ns = now;
    for (size_t i = 0; i < k->ngroups; i++) {
        struct det_corr_group *g = &k->groups[i];
        /* an open alert window is raised by the tick, and a running
         * suppression is kept, however old their last event */
        if (g->used && g->last_ns + k->timespan_ns < now &&
            g->win_first_ns == 0 && !suppressing(detect_ctx_engine(c), g, now))
            group_drop(c, cr, (uint32_t)i);
    }
}

/* The group to drop from source slot s: lowest level, least recently
 * fed. */
static uint32_t
victim(const struct det_corr *k, uint8_t s)
{
    uint32_t m = k->lvlmask[s];

    if (m == 0)
        return DET_NONE;
    return k->lists[(size_t)s * DET_CORR_LVL + (uint32_t)__builtin_ctz(m)].head;
}

/* Drops group i to make room, counts it and warns (at most once a
 * minute, with the count since the last warning). */
static void
evict(struct vigil_detect_ctx *c, const struct det_rule *cr, uint32_t i,
      int own, size_t budget)
{
    struct vigil_detect *d = (struct vigil_detect *)detect_ctx_engine(c);
    const struct det_corr_group *g = &cr->corr->groups[i];
    uint64_t n = __atomic_add_fetch(&d->corr_evicted, 1, __ATOMIC_RELAXED);
    int64_t now = vigil_time_now();

    detect_ctx_stats(c)->corr_dropped++;
    if (d->corr_warn_ns == 0 || now - d->corr_warn_ns >= DET_WARN_EVERY_NS) {
        vigil_log(VIGIL_LOG_WARN, 1502,
                  "correlation '%s': %s %zu groups; dropped group %s "
                  "(count %u, source %s) to make room; %llu groups dropped "
                  "since the last warning, %llu in all",
                  cr->info.title,
                  own ? "a source reached its budget of"
                      : "the table is full at",
                  budget, g->keytext, g->n, g->src ? d->corr_src[g->src] : "-",
                  (unsigned long long)(n - d->corr_warn_evicted),
                  (unsigned long long)n);
        d->corr_warn_ns = now;
        d->corr_warn_evicted = n;
    }
    group_drop(c, cr, i);
}

/* A slot for a new group of source slot s, making room if a budget is
 * reached; DET_NONE when memory ran out. */
static uint32_t
slot_take(struct vigil_detect_ctx *c, const struct det_rule *cr, uint8_t s,
          int64_t now)
{
    const struct vigil_detect *d = detect_ctx_engine(c);
    struct det_corr *k = cr->corr;
    size_t max = d->opts.corr_max_groups;
    size_t per = d->opts.corr_max_source_groups;

    /* events without a source name (vigil hunt) have the table only */
    if (c != NULL && s != 0 && k->nsrc[s] >= per && victim(k, s) != DET_NONE) {
        evict(c, cr, victim(k, s), 1, per);
    } else if (k->nused >= max) {
        if (c != NULL)
            sweep(c, cr, now);
        if (c != NULL && k->nused >= max) {
            uint8_t h = 0;
            for (uint8_t j = 1; j < DET_CORR_SRC; j++)
                if (k->nsrc[j] > k->nsrc[h])
                    h = j;
            evict(c, cr, victim(k, h), 0, max);
        }
    }
    if (k->nfree)
        return k->freel[--k->nfree];
    if (k->ngroups >= max ||
        VIGIL_GROW(k->groups, k->ngroups, k->capgroups) != VIGIL_OK)
        return DET_NONE;
    memset(&k->groups[k->ngroups], 0, sizeof(k->groups[0]));
    return (uint32_t)k->ngroups++;
}

/* Opens a group of correlation cr for key (klen bytes) of source slot s
 * in slot i: its arrays, its key and row key, on the index and its list.
 * 0 when memory ran out (the slot is given back). */
static int
group_open(const struct det_rule *cr, uint32_t i, const char *key, size_t klen,
           uint8_t s)
{
    struct det_corr *k = cr->corr;
    struct det_corr_group *g = &k->groups[i];
    size_t cap = items_cap(k);
    char rk[DET_STATE_KEY_MAX];

    if (!g->t) {
        g->t = calloc(cap, sizeof(*g->t));
        if (k->type == CORR_VALUE_COUNT)
            g->v = calloc(cap, sizeof(*g->v));
        g->valid = calloc(64, 1);
    }
    if (!g->t || !g->valid || (k->type == CORR_VALUE_COUNT && !g->v) ||
        !state_key(corr_ident(cr), key, klen, rk) ||
        vigil_grow(&g->rowkey, &g->rkcap, strlen(rk) + 1, 1, 0) != VIGIL_OK ||
        vigil_grow(&g->key, &g->kcap, klen ? klen : 1, 1, 0) != VIGIL_OK ||
        vigil_hmap_put(k->index, key, klen, GROUP_REF(i)) != VIGIL_OK) {
        k->freel[k->nfree++] = i;
        return 0;
    }
    memcpy(g->rowkey, rk, strlen(rk) + 1);
    memcpy(g->key, key, klen);
    g->klen = klen;
    g->used = 1;
    g->src = s;
    group_reset(g);
    g->alerted_ns = 0;
    g->suppressed = 0;
    g->fed_wall_ns = 0;
    k->nsrc[s]++;
    k->nused++;
    lru_link(k, i);
    return 1;
}

/* The group key as shown in alerts ("user=alice,src=10.0.0.1"), values
 * cut at 60 bytes and the whole at the group's keytext. */
static void
key_text(struct vigil_detect_ctx *c, const struct det_corr *k, uint32_t pos,
         char *text, size_t size)
{
    size_t tl = 0;

    text[0] = '\0';
    for (uint32_t g = 0; g < k->ngroupby; g++) {
        const struct vigil_field *f =
            detect_ctx_field(c, k->groupby_ids[pos * k->ngroupby + g]);
        int w = snprintf(text + tl, size - tl, "%s%s=%.*s", g ? "," : "",
                         k->groupby[g],
                         f ? (int)(f->text_len > 60 ? 60 : f->text_len) : 0,
                         f ? f->text : "");
        if (w < 0 || (size_t)w >= size - tl)
            break;
        tl += (size_t)w;
    }
}

/* The group of the key in k->kbuf (klen bytes, built by key_build for
 * position pos), created if new; DET_NONE when memory ran out. */
static uint32_t
group_get(struct vigil_detect_ctx *c, const struct det_rule *cr, uint32_t pos,
          size_t klen, int64_t now)
{
    struct vigil_detect *d = (struct vigil_detect *)detect_ctx_engine(c);
    struct det_corr *k = cr->corr;
    uint8_t s;
    uint32_t i;
    void *ref;

    if (!table_ready(k, d->opts.corr_max_groups))
        return DET_NONE;
    if ((ref = vigil_hmap_get(k->index, k->kbuf, klen)) != NULL)
        return (uint32_t)((uintptr_t)ref - 1);
    s = src_slot(d, detect_ctx_source(c));
    if ((i = slot_take(c, cr, s, now)) == DET_NONE ||
        !group_open(cr, i, k->kbuf, klen, s))
        return DET_NONE;
    struct det_corr_group *g = &k->groups[i];
    key_text(c, k, pos, g->keytext, sizeof(g->keytext));
    g->first_ns = now;
    g->last_ns = now;
    return i;
}

/* Appends n bytes to the key being built; 0 when it would pass
 * DET_CORR_MAX_KEY or memory ran out. */
static int
key_put(struct det_corr *k, size_t *kl, const void *p, size_t n)
{
    if (vigil_grow(&k->kbuf, &k->kcap, *kl + n, 1, DET_CORR_MAX_KEY) !=
        VIGIL_OK)
        return 0;
    memcpy(k->kbuf + *kl, p, n);
    *kl += n;
    return 1;
}

/* The group key of the event: for each group-by field its value's length
 * plus one (0: no such field), as a base-128 varint, then the value. The
 * lengths keep ("a,b", "c") apart from ("a", "b,c"). Builds in k->kbuf,
 * which stays allocated: a steady stream allocates nothing here. */
static int
key_build(struct vigil_detect_ctx *c, struct det_corr *k, uint32_t pos,
          size_t *klen)
{
    size_t kl = 0;

    for (uint32_t g = 0; g < k->ngroupby; g++) {
        const struct vigil_field *f =
            detect_ctx_field(c, k->groupby_ids[pos * k->ngroupby + g]);
        uint64_t n = f ? (uint64_t)f->text_len + 1 : 0;
        uint8_t vi[10];
        size_t nv = 0;
        do {
            vi[nv++] = (uint8_t)((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
            n >>= 7;
        } while (n);
        if (!key_put(k, &kl, vi, nv) ||
            (f && f->text_len && !key_put(k, &kl, f->text, f->text_len)))
            return 0;
    }
    *klen = kl;
    return 1;
}

/* Raises group g's alert unless a suppression holds it back: then it is
 * counted, and the next alert raised carries the count. ev is the event
 * that completed it, NULL for a window that ended (its time: the last
 * event's); first_ns the window's first event. */
static int
emit(struct vigil_detect_ctx *c, const struct det_rule *cr,
     const struct vigil_event *ev, struct det_corr_group *g, uint64_t count,
     int64_t first_ns, vigil_detect_match_fn fn, void *arg)
{
    struct vigil_detect *d = (struct vigil_detect *)detect_ctx_engine(c);
    int64_t supp = d->opts.corr_suppress_ns;
    struct vigil_detect_match m;

    memset(&m, 0, sizeof(m));
    m.time_ns = ev ? ev->time_ns : g->last_ns;
    if (supp > 0 && g->alerted_ns != 0 && m.time_ns >= g->alerted_ns &&
        m.time_ns - g->alerted_ns < supp) {
        g->suppressed++;
        __atomic_add_fetch(&d->corr_suppressed, 1, __ATOMIC_RELAXED);
        return 0;
    }
    m.rule = &cr->info;
    m.event = ev;
    m.group = g->keytext;
    m.source = g->src ? d->corr_src[g->src] : NULL;
    m.count = count;
    m.first_ns = first_ns ? first_ns : m.time_ns;
    m.suppressed = g->suppressed;
    g->alerted_ns = m.time_ns ? m.time_ns : 1;
    g->suppressed = 0;
    detect_ctx_stats(c)->corr_matches++;
    return fn ? fn(&m, arg) : 0;
}

/* Raises the group's open alert window (gt/gte) and starts over. */
static int
window_end(struct vigil_detect_ctx *c, const struct det_rule *cr,
           struct det_corr_group *g, vigil_detect_match_fn fn, void *arg)
{
    int rc = g->win_raised
                 ? 0
                 : emit(c, cr, NULL, g, g->win_count, g->win_first_ns, fn, arg);

    group_reset(g);
    return rc;
}

/* The window of g has just opened on ev: with corr_early, its alert goes
 * out now (live response), else when the window ends. */
static int
window_opened(struct vigil_detect_ctx *c, const struct det_rule *cr,
              struct det_corr_group *g, const struct vigil_event *ev,
              vigil_detect_match_fn fn, void *arg)
{
    struct vigil_detect *d = (struct vigil_detect *)detect_ctx_engine(c);

    if (!d->opts.corr_early)
        return 0;
    g->win_raised = 1;
    return emit(c, cr, ev, g, g->win_count, g->win_first_ns, fn, arg);
}

/* The oldest of the group's n times */
static int64_t
oldest(const struct det_corr_group *g, int64_t now)
{
    int64_t t = now;

    for (uint32_t i = 0; i < g->n; i++)
        if (g->t[i] < t)
            t = g->t[i];
    return t;
}

/* one correlation, one base-rule match at position pos */
static int
feed_one(struct vigil_detect_ctx *c, const struct det_rule *cr, uint32_t pos,
         const struct vigil_event *ev, int64_t now, vigil_detect_match_fn fn,
         void *arg)
{
    struct det_corr *k = cr->corr;
    size_t klen;

    uint32_t gi;

    if (!key_build(c, k, pos, &klen) ||
        (gi = group_get(c, cr, pos, klen, now)) == DET_NONE) {
        struct vigil_detect *d = (struct vigil_detect *)detect_ctx_engine(c);
        __atomic_add_fetch(&d->corr_refused, 1, __ATOMIC_RELAXED);
        detect_ctx_stats(c)->corr_dropped++;
        return 0;
    }
    struct det_corr_group *g = &k->groups[gi];
    size_t cap = items_cap(k);
    int rc = 0;

    if (closes(k) && now - g->first_ns > k->timespan_ns) {
        /* the window closed: decide it, then start a new one. The
         * alert is the closed window's (its time its last event's), not
         * the event that opens the next one. */
        if (g->n && cmp_ok(k, g->n))
            rc = emit(c, cr, NULL, g, g->n, g->first_ns, fn, arg);
        group_reset(g);
        g->first_ns = now;
    }
    if (g->win_first_ns != 0 && now - g->win_first_ns > k->timespan_ns)
        rc = window_end(c, cr, g, fn, arg); /* this event starts anew */
    g->last_ns = now;
    g->fed_wall_ns = vigil_time_now();
    if (g->win_first_ns != 0) {
        /* the alert window is open: the event is one more of it */
        g->win_count++;
        goto fed;
    }
    switch (k->type) {
    case CORR_EVENT_COUNT: {
        if (closes(k)) {
            if (g->n < DET_CORR_MAX_ITEMS)
                g->n++; /* the window is decided when it closes */
            break;
        }
        /* sliding window: drop times older than the timespan */
        uint32_t keep = 0;
        for (uint32_t i = 0; i < g->n; i++)
            if (now - g->t[i] <= k->timespan_ns)
                g->t[keep++] = g->t[i];
        g->n = keep;
        if (g->n < cap) {
            g->t[g->n++] = now;
        } else {
            memmove(g->t, g->t + 1, (cap - 1) * sizeof(*g->t));
            g->t[cap - 1] = now;
        }
        if (cmp_ok(k, g->n)) {
            g->win_first_ns = oldest(g, now);
            g->win_count = g->n;
            rc = window_opened(c, cr, g, ev, fn, arg);
        }
        break;
    }
    case CORR_VALUE_COUNT: {
        const struct vigil_field *f = detect_ctx_field(c, k->vfield_ids[pos]);
        if (!f)
            break;
        uint64_t h = detect_hash(f->text, f->text_len);
        uint32_t keep = 0, seen = 0;
        for (uint32_t i = 0; i < g->n; i++) {
            if (!closes(k) && now - g->t[i] > k->timespan_ns)
                continue;
            g->t[keep] = g->t[i];
            g->v[keep] = g->v[i];
            if (g->v[keep] == h) {
                g->t[keep] = now;
                seen = 1;
            }
            keep++;
        }
        g->n = keep;
        if (!seen && g->n < cap) {
            g->t[g->n] = now;
            g->v[g->n++] = h;
        }
        if (!closes(k) && cmp_ok(k, g->n)) {
            /* distinct values so far; the window's later events are
             * counted one each, new values or not */
            g->win_first_ns = oldest(g, now);
            g->win_count = g->n;
            rc = window_opened(c, cr, g, ev, fn, arg);
        }
        break;
    }
    case CORR_TEMPORAL: {
        g->t[pos] = now;
        g->valid[pos] = 1;
        uint32_t n = 0;
        for (uint32_t i = 0; i < k->nrules && i < 64; i++)
            if (g->valid[i] && now - g->t[i] <= k->timespan_ns)
                n++;
        g->n = n;
        if (!closes(k) && cmp_ok(k, n)) {
            rc = emit(c, cr, ev, g, n, 0, fn, arg);
            group_reset(g);
        }
        break;
    }
    case CORR_TEMPORAL_ORDERED: {
        /* positions are handled from the end so one event never
         * advances two steps of the same chain */
        if (pos == 0) {
            g->t[0] = now;
            g->valid[0] = 1;
        } else if (g->valid[pos - 1] && now - g->t[pos - 1] <= k->timespan_ns) {
            g->t[pos] = g->t[pos - 1];
            g->valid[pos] = 1;
        }
        if (pos == k->nrules - 1 && g->valid[pos] &&
            now - g->t[pos] <= k->timespan_ns) {
            rc = emit(c, cr, ev, g, k->nrules, g->t[pos], fn, arg);
            group_reset(g);
        }
        break;
    }
    }
fed:
    /* its level may have changed; it is now the most recently fed */
    lru_unlink(k, gi);
    lru_link(k, gi);
    group_store(c, cr, gi);
    return rc;
}

int
detect_corr_feed(struct vigil_detect_ctx *c, uint32_t rule,
                 const struct vigil_event *ev, vigil_detect_match_fn fn,
                 void *arg)
{
    struct vigil_detect *d = (struct vigil_detect *)detect_ctx_engine(c);
    const struct det_rule *base = &d->rules[rule];
    int64_t now = ev->time_ns ? ev->time_ns : vigil_time_now();
    int stop = 0;

    pthread_mutex_lock(&d->corr_lock);
    for (uint32_t i = 0; i < base->ncorr && !stop; i++) {
        const struct det_rule *cr = &d->rules[base->corrs[i]];
        const struct det_corr *k = cr->corr;
        for (uint32_t p = k->nrules; p-- > 0 && !stop;)
            if (k->rules[p] == rule)
                stop = feed_one(c, cr, p, ev, now, fn, arg);
    }
    pthread_mutex_unlock(&d->corr_lock);
    return stop;
}

enum vigil_rc
vigil_detect_corr_tick(struct vigil_detect_ctx *c, int64_t now_ns,
                       vigil_detect_match_fn fn, void *arg)
{
    struct vigil_detect *d = (struct vigil_detect *)detect_ctx_engine(c);
    int64_t quiet = d->opts.corr_quiet_ns;
    int64_t wall = quiet > 0 ? vigil_time_now() : 0;

    if (!d->has_corr)
        return VIGIL_OK;
    pthread_mutex_lock(&d->corr_lock);
    for (size_t i = 0; i < d->nrules; i++) {
        struct det_rule *cr = &d->rules[i];
        struct det_corr *k = cr->corr;
        if (!k)
            continue;
        for (size_t j = 0; j < k->ngroups; j++) {
            struct det_corr_group *g = &k->groups[j];
            int changed = 0;
            if (!g->used)
                continue;
            if (g->win_first_ns != 0 &&
                (now_ns - g->win_first_ns > k->timespan_ns || quiet < 0 ||
                 (quiet > 0 && wall - g->fed_wall_ns >= quiet))) {
                window_end(c, cr, g, fn, arg);
                changed = 1;
            } else if (g->first_ns != 0 &&
                       now_ns - g->first_ns > k->timespan_ns && closes(k)) {
                if (cmp_ok(k, g->n))
                    emit(c, cr, NULL, g, g->n, g->first_ns, fn, arg);
                group_reset(g);
                changed = 1;
            }
            if (g->win_first_ns == 0 &&
                (now_ns - g->last_ns > k->timespan_ns || closes(k)) &&
                (now_ns - g->first_ns > k->timespan_ns || g->first_ns == 0) &&
                !suppressing(d, g, now_ns)) {
                group_drop(c, cr, (uint32_t)j);
                d->corr_closed++;
            } else if (changed) {
                lru_unlink(k, (uint32_t)j); /* its level changed */
                lru_link(k, (uint32_t)j);
                group_store(c, cr, (uint32_t)j);
            }
        }
    }
    pthread_mutex_unlock(&d->corr_lock);
    return VIGIL_OK;
}

/* ---- saved state: load, walk, counters ---- */

#define DET_STATE_TIME_MAX ((int64_t)1 << 62) /* keeps `now - t` defined */

static int
hex_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;

    for (int i = 0; i < 16; i++) {
        char ch = s[i];
        int x = ch >= '0' && ch <= '9'   ? ch - '0'
                : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                                         : -1;
        if (x < 0)
            return 0;
        v = (v << 4) | (uint64_t)x;
    }
    *out = v;
    return 1;
}

static int
time_ok(int64_t t)
{
    return t >= 0 && t <= DET_STATE_TIME_MAX;
}

/* The correlation of d whose identity is written at the start of a row
 * key, or NULL. */
static struct det_rule *
corr_by_key(struct vigil_detect *d, const char *key)
{
    uint64_t id;

    if (key == NULL || key[0] != 'c' || strnlen(key, 18) < 18 ||
        !hex_u64(key + 1, &id))
        return NULL;
    for (size_t i = 0; i < d->nrules; i++)
        if (d->rules[i].corr && corr_ident(&d->rules[i]) == id)
            return &d->rules[i];
    return NULL;
}

/* Checks a saved group against correlation k; on success fills the
 * pointers into blob. */
struct det_saved {
    const char *src, *key, *text;
    const uint8_t *t, *v;
    size_t sl, klen, tl;
    uint32_t nt, n;
    int64_t first_ns, last_ns;
    uint64_t mask;
    int64_t win_first_ns, alerted_ns;
    uint64_t win_count, suppressed;
};

static int
saved_parse(const struct det_corr *k, const uint8_t *p, size_t len,
            struct det_saved *sv)
{
    size_t want, per;
    uint32_t ntemp = k->nrules < 64 ? k->nrules : 64;

    size_t head;

    if (p == NULL || len < DET_STATE_HEAD_V1 || memcmp(p, "VCG1", 4) != 0 ||
        (p[4] != 1 && p[4] != DET_STATE_VERSION) || p[5] != k->type ||
        p[6] != (uint8_t)k->nrules || get_u32(p + 20) != 0)
        return 0;
    head = p[4] == 1 ? DET_STATE_HEAD_V1 : DET_STATE_HEAD;
    if (len < head)
        return 0;
    sv->win_first_ns = sv->alerted_ns = 0;
    sv->win_count = sv->suppressed = 0;
    if (head == DET_STATE_HEAD) {
        sv->win_first_ns = (int64_t)get_u64(p + 48);
        sv->win_count = get_u64(p + 56);
        sv->alerted_ns = (int64_t)get_u64(p + 64);
        sv->suppressed = get_u64(p + 72);
        if (!time_ok(sv->win_first_ns) || !time_ok(sv->alerted_ns) ||
            sv->win_count > ((uint64_t)1 << 62) ||
            sv->suppressed > ((uint64_t)1 << 62))
            return 0;
    }
    sv->sl = p[7];
    sv->klen = get_u32(p + 8);
    sv->tl = get_u16(p + 12);
    sv->nt = get_u16(p + 14);
    sv->n = get_u32(p + 16);
    sv->first_ns = (int64_t)get_u64(p + 24);
    sv->last_ns = (int64_t)get_u64(p + 32);
    sv->mask = get_u64(p + 40);
    if (sv->sl >= 64 || sv->klen > DET_CORR_MAX_KEY || sv->tl >= 128 ||
        !time_ok(sv->first_ns) || !time_ok(sv->last_ns))
        return 0;
    per = k->type == CORR_VALUE_COUNT ? 16 : 8;
    want = head + sv->sl + sv->klen + sv->tl + (size_t)sv->nt * per;
    if (want != len)
        return 0;
    if (k->type == CORR_TEMPORAL || k->type == CORR_TEMPORAL_ORDERED) {
        if (sv->nt != ntemp || sv->n > ntemp ||
            (ntemp < 64 && (sv->mask >> ntemp) != 0))
            return 0;
    } else if (sv->mask != 0) {
        return 0;
    } else if (k->type == CORR_EVENT_COUNT && closes(k)) {
        if (sv->nt != 0 || sv->n > DET_CORR_MAX_ITEMS)
            return 0;
    } else if (sv->nt != sv->n || sv->n > items_cap(k)) {
        return 0;
    }
    sv->src = (const char *)p + head;
    sv->key = sv->src + sv->sl;
    sv->text = sv->key + sv->klen;
    sv->t = (const uint8_t *)sv->text + sv->tl;
    sv->v = sv->t + (size_t)sv->nt * 8;
    if (memchr(sv->src, '\0', sv->sl) || memchr(sv->text, '\0', sv->tl))
        return 0;
    for (uint32_t j = 0; j < sv->nt; j++)
        if (!time_ok((int64_t)get_u64(sv->t + (size_t)j * 8)))
            return 0;
    return 1;
}

static enum vigil_rc
state_load_locked(struct vigil_detect *d, struct det_rule *cr, const char *key,
                  const uint8_t *p, size_t len)
{
    struct det_corr *k = cr->corr;
    struct det_saved sv;
    char want[DET_STATE_KEY_MAX], src[64];
    size_t max = d->opts.corr_max_groups;
    uint32_t i;
    uint8_t s;

    if (!saved_parse(k, p, len, &sv) ||
        !state_key(corr_ident(cr), sv.key, sv.klen, want) ||
        strcmp(want, key) != 0)
        return VIGIL_EPARSE;
    if (!table_ready(k, max))
        return VIGIL_ENOMEM;
    if (vigil_hmap_get(k->index, sv.key, sv.klen) != NULL)
        return VIGIL_EPARSE; /* the same group twice */
    memcpy(src, sv.src, sv.sl);
    src[sv.sl] = '\0';
    s = src_slot(d, src);
    if (k->nused >= max ||
        (s != 0 && k->nsrc[s] >= d->opts.corr_max_source_groups))
        return VIGIL_ELIMIT;
    if (k->nfree) {
        i = k->freel[--k->nfree];
    } else {
        if (VIGIL_GROW(k->groups, k->ngroups, k->capgroups) != VIGIL_OK)
            return VIGIL_ENOMEM;
        memset(&k->groups[k->ngroups], 0, sizeof(k->groups[0]));
        i = (uint32_t)k->ngroups++;
    }
    if (!group_open(cr, i, sv.key, sv.klen, s))
        return VIGIL_ENOMEM;
    struct det_corr_group *g = &k->groups[i];
    memcpy(g->keytext, sv.text, sv.tl);
    g->keytext[sv.tl] = '\0';
    g->first_ns = sv.first_ns;
    g->last_ns = sv.last_ns;
    g->win_first_ns = sv.win_first_ns;
    g->win_count = sv.win_count;
    g->alerted_ns = sv.alerted_ns;
    g->suppressed = sv.suppressed;
    g->fed_wall_ns = vigil_time_now();
    g->n = sv.n;
    for (uint32_t j = 0; j < sv.nt; j++) {
        g->t[j] = (int64_t)get_u64(sv.t + (size_t)j * 8);
        if (k->type == CORR_VALUE_COUNT)
            g->v[j] = get_u64(sv.v + (size_t)j * 8);
        if (k->type == CORR_TEMPORAL || k->type == CORR_TEMPORAL_ORDERED)
            g->valid[j] = (uint8_t)((sv.mask >> j) & 1);
    }
    lru_unlink(k, i);
    lru_link(k, i);
    return VIGIL_OK;
}

enum vigil_rc
detect_corr_state_load(struct vigil_detect *d, const char *key,
                       const void *blob, size_t len)
{
    struct det_rule *cr;
    enum vigil_rc rc;

    pthread_mutex_lock(&d->corr_lock);
    if ((cr = corr_by_key(d, key)) == NULL)
        rc = VIGIL_ENOTFOUND;
    else
        rc = state_load_locked(d, cr, key, blob, len);
    pthread_mutex_unlock(&d->corr_lock);
    return rc;
}

enum vigil_rc
detect_corr_state_each(struct vigil_detect *d,
                       int (*fn)(const char *key, const void *blob, size_t len,
                                 int64_t last_ns, void *arg),
                       void *arg)
{
    enum vigil_rc rc = VIGIL_OK;
    int stop = 0;

    pthread_mutex_lock(&d->corr_lock);
    for (size_t i = 0; i < d->nrules && !stop; i++) {
        struct det_rule *cr = &d->rules[i];
        struct det_corr *k = cr->corr;
        if (k == NULL)
            continue;
        for (size_t j = 0; j < k->ngroups && !stop; j++) {
            struct det_corr_group *g = &k->groups[j];
            size_t len;
            if (!g->used)
                continue;
            if ((len = group_save(d, k, (uint32_t)j)) == 0) {
                rc = VIGIL_ENOMEM;
                stop = 1;
                break;
            }
            stop = fn(g->rowkey, k->sbuf, len, g->last_ns, arg);
        }
    }
    pthread_mutex_unlock(&d->corr_lock);
    return rc;
}

void
vigil_detect_corr_get_stats(const struct vigil_detect *cd,
                            struct vigil_detect_corr_stats *st)
{
    struct vigil_detect *d = (struct vigil_detect *)cd;

    memset(st, 0, sizeof(*st));
    pthread_mutex_lock(&d->corr_lock);
    for (size_t i = 0; i < d->nrules; i++)
        if (d->rules[i].corr)
            st->groups += d->rules[i].corr->nused;
    pthread_mutex_unlock(&d->corr_lock);
    st->evicted = __atomic_load_n(&d->corr_evicted, __ATOMIC_RELAXED);
    st->refused = __atomic_load_n(&d->corr_refused, __ATOMIC_RELAXED);
    st->suppressed = __atomic_load_n(&d->corr_suppressed, __ATOMIC_RELAXED);
    pthread_mutex_lock(&d->corr_lock);
    st->closed = d->corr_closed;
    pthread_mutex_unlock(&d->corr_lock);
}
