/* detect_corr.c -- Sigma correlation rules (event_count, value_count,
 * temporal, temporal_ordered) over the matches of their base rules, per
 * group-by key, in bounded state: at most corr_max_groups groups per
 * correlation (expired groups are reused, otherwise new groups are counted
 * as dropped), at most DET_CORR_MAX_ITEMS timestamps or values per group.
 *
 * Windows: a `gt`/`gte` condition is checked on every match over a
 * sliding window of `timespan` and the group restarts after it fires; an
 * `lt`/`lte`/`eq`/`neq` condition can only be decided when the window
 * (opened by the group's first match) closes, on a later match or on
 * vigil_detect_corr_tick. temporal_ordered keeps, for each position of
 * its rule list, the start of the latest chain that has matched the rules
 * up to it in order, so a later rule seen first never completes it.
 *
 * Groups are found by their full group-by values (a vigil_hmap key), not
 * by a hash of them: two users whose names hash alike, or share a long
 * prefix, are counted apart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect_int.h"

#define DET_CORR_MAX_ITEMS 4096
/* Longest group key: group-by values together. An event whose values are
 * longer is counted as dropped rather than grouped by a cut-off key. */
#define DET_CORR_MAX_KEY (1u << 20)

struct det_corr_group {
    int used;
    int64_t first_ns;
    int64_t last_ns;
    char keytext[128];
    uint32_t n;     /* items in use */
    int64_t *t;     /* event times / per-rule times / chain starts */
    uint64_t *v;    /* value_count: value hashes */
    uint8_t *valid; /* temporal(_ordered): per position */
};

void
detect_corr_free(struct det_corr *k)
{
    for (size_t i = 0; i < k->capgroups; i++) {
        free(k->groups[i].t);
        free(k->groups[i].v);
        free(k->groups[i].valid);
    }
    free(k->groups);
    vigil_hmap_free(k->index);
    free(k->freel);
    free(k->kbuf);
    k->groups = NULL;
    k->index = NULL;
    k->freel = NULL;
    k->kbuf = NULL;
    k->ngroups = k->capgroups = k->kcap = 0;
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

static void
group_reset(struct det_corr_group *g)
{
    g->n = 0;
    g->first_ns = 0;
    if (g->valid)
        memset(g->valid, 0, 64);
}

/* the index's value for group i: never NULL */
#define GROUP_REF(i) ((void *)((uintptr_t)(i) + 1))

/* Drops the index entries of the groups no longer in use. */
static void
index_purge(struct det_corr *k)
{
    size_t pos = 0, klen;
    const void *key;
    void *v;

    while (vigil_hmap_next(k->index, &pos, &key, &klen, &v))
        if (!k->groups[(uintptr_t)v - 1].used)
            vigil_hmap_del(k->index, key, klen);
}

/* Gives group i back: unused, its slot on the free list. */
static void
group_release(struct det_corr *k, size_t i)
{
    k->groups[i].used = 0;
    k->freel[k->nfree++] = (uint32_t)i;
}

/* Frees the groups whose window is over; at most once per timespan/8 so
 * a full table under a flood of new keys does not cost O(n) per event.
 * Windows that are decided at close are left to vigil_detect_corr_tick. */
static void
sweep(struct det_corr *k, int64_t now)
{
    int64_t every = k->timespan_ns / 8;

    if (closes(k) || now - k->last_sweep_ns < every)
        return;
    k->last_sweep_ns = now;
    for (size_t i = 0; i < k->ngroups; i++) {
        struct det_corr_group *g = &k->groups[i];
        if (g->used && g->last_ns + k->timespan_ns < now)
            group_release(k, i);
    }
    index_purge(k);
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
 * position pos), created if new; NULL when the table is full or memory
 * ran out. */
static struct det_corr_group *
group_get(struct vigil_detect_ctx *c, struct det_corr *k, uint32_t pos,
          size_t klen, int64_t now)
{
    const struct vigil_detect *d = detect_ctx_engine(c);
    const char *key = k->kbuf;
    size_t max = d->opts.corr_max_groups, i;
    void *ref;

    if (!k->freel && !(k->freel = calloc(max, sizeof(*k->freel))))
        return NULL;
    if (!k->index && vigil_hmap_new(&k->index, max, NULL, NULL) != VIGIL_OK)
        return NULL;
    if ((ref = vigil_hmap_get(k->index, key, klen)) != NULL)
        return &k->groups[(uintptr_t)ref - 1];
    if (!k->nfree && k->ngroups >= max)
        sweep(k, now);
    if (k->nfree) {
        i = k->freel[--k->nfree];
    } else {
        if (k->ngroups >= max) {
            detect_ctx_stats(c)->corr_dropped++;
            return NULL;
        }
        if (VIGIL_GROW(k->groups, k->ngroups, k->capgroups) != VIGIL_OK)
            return NULL;
        i = k->ngroups++;
    }
    struct det_corr_group *g = &k->groups[i];
    size_t cap = items_cap(k);
    if (!g->t) {
        g->t = calloc(cap, sizeof(*g->t));
        if (k->type == CORR_VALUE_COUNT)
            g->v = calloc(cap, sizeof(*g->v));
        g->valid = calloc(64, 1);
    }
    if (!g->t || !g->valid || (k->type == CORR_VALUE_COUNT && !g->v) ||
        vigil_hmap_put(k->index, key, klen, GROUP_REF(i)) != VIGIL_OK) {
        group_release(k, i);
        return NULL;
    }
    g->used = 1;
    key_text(c, k, pos, g->keytext, sizeof(g->keytext));
    group_reset(g);
    g->first_ns = now;
    g->last_ns = now;
    return g;
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

static int
emit(struct vigil_detect_ctx *c, const struct det_rule *cr,
     const struct vigil_event *ev, const struct det_corr_group *g,
     uint64_t count, vigil_detect_match_fn fn, void *arg)
{
    struct vigil_detect_match m;

    memset(&m, 0, sizeof(m));
    m.rule = &cr->info;
    m.event = ev;
    m.group = g->keytext;
    m.count = count;
    m.time_ns = ev ? ev->time_ns : g->last_ns;
    detect_ctx_stats(c)->corr_matches++;
    return fn ? fn(&m, arg) : 0;
}

/* one correlation, one base-rule match at position pos */
static int
feed_one(struct vigil_detect_ctx *c, const struct det_rule *cr, uint32_t pos,
         const struct vigil_event *ev, int64_t now, vigil_detect_match_fn fn,
         void *arg)
{
    struct det_corr *k = cr->corr;
    size_t klen;

    if (!key_build(c, k, pos, &klen)) {
        detect_ctx_stats(c)->corr_dropped++;
        return 0;
    }
    struct det_corr_group *g = group_get(c, k, pos, klen, now);
    if (!g)
        return 0;
    size_t cap = items_cap(k);
    int rc = 0;

    if (closes(k) && now - g->first_ns > k->timespan_ns) {
        /* the window closed: decide it, then start a new one. The
         * alert is the closed window's (its time its last event's), not
         * the event that opens the next one. */
        if (g->n && cmp_ok(k, g->n))
            rc = emit(c, cr, NULL, g, g->n, fn, arg);
        group_reset(g);
        g->first_ns = now;
    }
    g->last_ns = now;
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
            rc = emit(c, cr, ev, g, g->n, fn, arg);
            group_reset(g);
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
            rc = emit(c, cr, ev, g, g->n, fn, arg);
            group_reset(g);
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
            rc = emit(c, cr, ev, g, n, fn, arg);
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
            rc = emit(c, cr, ev, g, k->nrules, fn, arg);
            group_reset(g);
        }
        break;
    }
    }
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

    if (!d->has_corr)
        return VIGIL_OK;
    pthread_mutex_lock(&d->corr_lock);
    for (size_t i = 0; i < d->nrules; i++) {
        struct det_rule *cr = &d->rules[i];
        struct det_corr *k = cr->corr;
        size_t released = 0;
        if (!k)
            continue;
        for (size_t j = 0; j < k->ngroups; j++) {
            struct det_corr_group *g = &k->groups[j];
            if (!g->used || now_ns - g->first_ns <= k->timespan_ns)
                continue;
            if (closes(k) && cmp_ok(k, g->n)) {
                struct vigil_detect_match m;
                memset(&m, 0, sizeof(m));
                m.rule = &cr->info;
                m.group = g->keytext;
                m.count = g->n;
                m.time_ns = g->last_ns;
                detect_ctx_stats(c)->corr_matches++;
                if (fn)
                    fn(&m, arg);
            }
            if (now_ns - g->last_ns > k->timespan_ns || closes(k)) {
                group_reset(g);
                group_release(k, j);
                released++;
            }
        }
        if (released)
            index_purge(k);
    }
    pthread_mutex_unlock(&d->corr_lock);
    return VIGIL_OK;
}
