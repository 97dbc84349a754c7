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
 * up to it in order, so a later rule seen first never completes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect_int.h"

#define DET_CORR_MAX_ITEMS 4096

struct det_corr_group {
    uint64_t key;
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
    free(k->index);
    free(k->freel);
    k->groups = NULL;
    k->index = NULL;
    k->freel = NULL;
    k->ngroups = k->capgroups = 0;
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

#define IDX_DEAD UINT32_MAX

/* index slot holding key, or the slot to insert it at (*found = 0) */
static size_t
index_find(const struct det_corr *k, uint64_t key, int *found)
{
    size_t mask = k->index_cap - 1, ins = (size_t)-1;

    for (size_t i = key & mask;; i = (i + 1) & mask) {
        uint32_t e = k->index[i];
        if (e == 0) {
            *found = 0;
            return ins != (size_t)-1 ? ins : i;
        }
        if (e == IDX_DEAD) {
            if (ins == (size_t)-1)
                ins = i;
            continue;
        }
        if (k->groups[e - 1].key == key) {
            *found = 1;
            return i;
        }
    }
}

static int
index_rebuild(struct det_corr *k, size_t cap)
{
    uint32_t *ni = calloc(cap, sizeof(*ni));
    if (!ni)
        return 0;
    free(k->index);
    k->index = ni;
    k->index_cap = cap;
    k->index_dead = 0;
    for (size_t g = 0; g < k->ngroups; g++) {
        if (!k->groups[g].used)
            continue;
        size_t i = k->groups[g].key & (cap - 1);
        while (ni[i])
            i = (i + 1) & (cap - 1);
        ni[i] = (uint32_t)g + 1;
    }
    return 1;
}

static void
index_remove(struct det_corr *k, uint64_t key)
{
    int found;
    size_t i = index_find(k, key, &found);
    if (found) {
        k->index[i] = IDX_DEAD;
        k->index_dead++;
    }
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
        if (g->used && g->last_ns + k->timespan_ns < now) {
            index_remove(k, g->key);
            g->used = 0;
            k->freel[k->nfree++] = (uint32_t)i;
        }
    }
}

static struct det_corr_group *
group_get(struct vigil_detect_ctx *c, struct det_corr *k, uint64_t key,
          const char *text, int64_t now)
{
    const struct vigil_detect *d = detect_ctx_engine(c);
    struct det_corr_group *free_slot = NULL;
    size_t max = d->opts.corr_max_groups;
    int found;

    if (!k->index) {
        size_t cap = 64;
        while (cap < 2 * max && cap < 64)
            cap *= 2;
        k->freel = calloc(max, sizeof(*k->freel));
        if (!k->freel || !index_rebuild(k, cap))
            return NULL;
    }
    size_t slot = index_find(k, key, &found);
    if (found)
        return &k->groups[k->index[slot] - 1];
    if (!k->nfree && k->ngroups >= max)
        sweep(k, now);
    if (k->nfree) {
        free_slot = &k->groups[k->freel[--k->nfree]];
    } else {
        if (k->ngroups >= max) {
            detect_ctx_stats(c)->corr_dropped++;
            return NULL;
        }
        if (k->ngroups == k->capgroups) {
            size_t nc = k->capgroups ? k->capgroups * 2 : 16;
            struct det_corr_group *ng = realloc(k->groups, nc * sizeof(*ng));
            if (!ng)
                return NULL;
            memset(ng + k->capgroups, 0, (nc - k->capgroups) * sizeof(*ng));
            k->groups = ng;
            k->capgroups = nc;
        }
        free_slot = &k->groups[k->ngroups++];
    }
    /* keep the index at most half full, tombstones included */
    if ((k->ngroups + k->index_dead + 1) * 2 > k->index_cap) {
        free_slot->used = 0;
        if (!index_rebuild(k, (k->ngroups + 1) * 4 > k->index_cap
                                  ? k->index_cap * 2
                                  : k->index_cap))
            return NULL;
    }
    slot = index_find(k, key, &found);
    if (k->index[slot] == IDX_DEAD)
        k->index_dead--;
    k->index[slot] = (uint32_t)(free_slot - k->groups) + 1;
    struct det_corr_group *g = free_slot;
    size_t cap = items_cap(k);
    if (!g->t) {
        g->t = calloc(cap, sizeof(*g->t));
        if (k->type == CORR_VALUE_COUNT)
            g->v = calloc(cap, sizeof(*g->v));
        g->valid = calloc(64, 1);
        if (!g->t || !g->valid || (k->type == CORR_VALUE_COUNT && !g->v))
            return NULL;
    }
    g->used = 1;
    g->key = key;
    snprintf(g->keytext, sizeof(g->keytext), "%s", text);
    group_reset(g);
    g->first_ns = now;
    g->last_ns = now;
    return g;
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
    char text[128];
    size_t tl = 0;
    uint64_t key;

    text[0] = '\0';
    for (uint32_t g = 0; g < k->ngroupby; g++) {
        const struct vigil_field *f =
            detect_ctx_field(c, k->groupby_ids[pos * k->ngroupby + g]);
        int w = snprintf(text + tl, sizeof(text) - tl, "%s%s=%.*s",
                         g ? "," : "", k->groupby[g],
                         f ? (int)(f->text_len > 60 ? 60 : f->text_len) : 0,
                         f ? f->text : "");
        if (w < 0 || (size_t)w >= sizeof(text) - tl) {
            tl = sizeof(text) - 1;
            break;
        }
        tl += (size_t)w;
    }
    key = detect_hash(text, tl) | 1;
    struct det_corr_group *g = group_get(c, k, key, text, now);
    if (!g)
        return 0;
    size_t cap = items_cap(k);
    int rc = 0;

    if (closes(k) && now - g->first_ns > k->timespan_ns) {
        /* the window closed: decide it, then start a new one */
        if (g->n && cmp_ok(k, g->n))
            rc = emit(c, cr, ev, g, g->n, fn, arg);
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
                index_remove(k, g->key);
                g->used = 0;
                k->freel[k->nfree++] = (uint32_t)j;
            }
        }
    }
    pthread_mutex_unlock(&d->corr_lock);
    return VIGIL_OK;
}
