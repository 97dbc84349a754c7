/* hunt_tally.c -- what responders count over a whole hunt, whatever the
 * rules say: event ids per channel (--eid-metrics) and logons per user,
 * source address and logon type (--logon-summary), from Windows Security
 * events 4624/4625/4634/4648 and sshd's logins. Each worker counts into
 * tables of its own (no lock per event); they are merged after the pool.
 * A table holds at most HUNT_TALLY_MAX keys: the events of keys past it
 * are counted in one "(other)" row, so a hostile file of unique user
 * names cannot grow memory without bound. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hunt_int.h"

#define HUNT_TALLY_MAX   100000
#define HUNT_TALLY_FIELD 256 /* bytes of one value kept in a key */

void
hunt_tally_init(struct hunt_tally *t)
{
    memset(t, 0, sizeof(*t));
}

void
hunt_tally_fini(struct hunt_tally *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].key);
    free(t->v);
    vigil_hmap_free(t->map);
    memset(t, 0, sizeof(*t));
}

/* Adds add[HUNT_TALLY_COLS] to the row of key (klen bytes: the values
 * joined by NULs); keys past the bound go to the "(other)" row. Fails on
 * memory only. */
static enum vigil_rc
tally_add(struct hunt_tally *t, const char *key, size_t klen,
          const uint64_t *add)
{
    struct hunt_tally_row *r;
    void *ref;

    if (t->map == NULL &&
        vigil_hmap_new(&t->map, HUNT_TALLY_MAX, NULL, NULL) != VIGIL_OK)
        return VIGIL_ENOMEM;
    if ((ref = vigil_hmap_get(t->map, key, klen)) != NULL) {
        r = &t->v[(uintptr_t)ref - 1];
    } else if (t->n >= HUNT_TALLY_MAX) {
        r = &t->other;
        t->has_other = 1;
    } else {
        if (VIGIL_GROW(t->v, t->n, t->cap) != VIGIL_OK)
            return VIGIL_ENOMEM;
        r = &t->v[t->n];
        memset(r, 0, sizeof(*r));
        if ((r->key = malloc(klen ? klen : 1)) == NULL)
            return VIGIL_ENOMEM;
        memcpy(r->key, key, klen);
        r->klen = klen;
        if (vigil_hmap_put(t->map, key, klen, (void *)(uintptr_t)(t->n + 1)) !=
            VIGIL_OK) {
            free(r->key);
            return VIGIL_ENOMEM;
        }
        t->n++;
    }
    for (int i = 0; i < HUNT_TALLY_COLS; i++)
        r->n[i] += add[i];
    return VIGIL_OK;
}

/* Appends a value (cut at HUNT_TALLY_FIELD, "-" when absent) and a NUL
 * to key. */
static void
key_put(char *key, size_t *kl, const struct vigil_field *f)
{
    const char *s = f && f->text_len ? f->text : "-";
    size_t n = f && f->text_len ? f->text_len : 1;

    if (n > HUNT_TALLY_FIELD)
        n = HUNT_TALLY_FIELD;
    memcpy(key + *kl, s, n);
    *kl += n;
    key[(*kl)++] = '\0';
}

static const struct vigil_field *
get(const struct vigil_event *ev, const char *name)
{
    return vigil_event_getn(ev, name, strlen(name));
}

/* The first of two fields present and not "-" (4625 writes "-" for what
 * it does not know). */
static const struct vigil_field *
get2(const struct vigil_event *ev, const char *a, const char *b)
{
    const struct vigil_field *f = get(ev, a);

    if (f == NULL || f->text_len == 0 ||
        (f->text_len == 1 && f->text[0] == '-'))
        f = b ? get(ev, b) : NULL;
    return f;
}

static int
is(const struct vigil_field *f, const char *s)
{
    size_t n = strlen(s);

    return f != NULL && f->text_len == n && memcmp(f->text, s, n) == 0;
}

/* One logon row: user (DOMAIN\user when the domain is known), source,
 * type; col is the counter it adds to. */
static enum vigil_rc
logon_add(struct hunt_tally *t, const struct vigil_field *dom,
          const struct vigil_field *user, const struct vigil_field *src,
          const struct vigil_field *type, const char *type_text, int col)
{
    char key[3 * (2 * HUNT_TALLY_FIELD + 2) + 8];
    uint64_t add[HUNT_TALLY_COLS] = {0};
    size_t kl = 0;
    struct vigil_field tf;

    if (dom != NULL && dom->text_len > 0 && !is(dom, "-") && user != NULL) {
        size_t n =
            dom->text_len > HUNT_TALLY_FIELD ? HUNT_TALLY_FIELD : dom->text_len;
        memcpy(key, dom->text, n);
        kl = n;
        key[kl++] = '\\';
    }
    key_put(key, &kl, user);
    key_put(key, &kl, src);
    if (type_text != NULL) {
        memset(&tf, 0, sizeof(tf));
        tf.text = type_text;
        tf.text_len = (uint32_t)strlen(type_text);
        type = &tf;
    }
    key_put(key, &kl, type);
    add[col] = 1;
    return tally_add(t, key, kl, add);
}

static enum vigil_rc
logon_event(struct hunt_tally *t, const struct vigil_event *ev)
{
    const struct vigil_field *eid = get(ev, "EventID");
    const struct vigil_field *act;

    if (eid != NULL) {
        const struct vigil_field *ch = get(ev, "Channel");

        if (ch != NULL && !is(ch, "Security"))
            return VIGIL_OK;
        if (is(eid, "4624") || is(eid, "4625"))
            return logon_add(
                t, get(ev, "TargetDomainName"), get(ev, "TargetUserName"),
                get2(ev, "IpAddress", "WorkstationName"), get(ev, "LogonType"),
                NULL, is(eid, "4624") ? HUNT_LOGON_OK : HUNT_LOGON_FAILED);
        if (is(eid, "4634"))
            return logon_add(t, get(ev, "TargetDomainName"),
                             get(ev, "TargetUserName"), NULL,
                             get(ev, "LogonType"), NULL, HUNT_LOGON_LOGOFF);
        if (is(eid, "4648"))
            return logon_add(t, get(ev, "TargetDomainName"),
                             get(ev, "TargetUserName"),
                             get2(ev, "IpAddress", "TargetServerName"), NULL,
                             "explicit", HUNT_LOGON_EXPLICIT);
        return VIGIL_OK;
    }
    /* sshd: event.action ssh_login, type "ssh password", "ssh publickey" */
    act = get(ev, "event.action");
    if (is(act, "ssh_login")) {
        const struct vigil_field *out = get(ev, "event.outcome");
        const struct vigil_field *m = get(ev, "auth.method");
        char type[64];
        int n = snprintf(type, sizeof(type), "ssh %.*s",
                         m ? (int)(m->text_len > 40 ? 40 : m->text_len) : 0,
                         m ? m->text : "");

        if (n > 0 && type[n - 1] == ' ')
            type[n - 1] = '\0';
        if (is(out, "success") || is(out, "failure"))
            return logon_add(
                t, NULL, get(ev, "user.name"), get(ev, "source.ip"), NULL, type,
                is(out, "success") ? HUNT_LOGON_OK : HUNT_LOGON_FAILED);
    }
    return VIGIL_OK;
}

enum vigil_rc
hunt_tally_event(struct hunt_worker *w, const struct vigil_event *ev)
{
    const struct vigil_hunt_opts *o = &w->h->o;
    enum vigil_rc rc = VIGIL_OK;

    if (o->eid_metrics) {
        const struct vigil_field *eid = get(ev, "EventID");

        if (eid != NULL) {
            char key[2 * HUNT_TALLY_FIELD + 4];
            uint64_t add[HUNT_TALLY_COLS] = {1};
            size_t kl = 0;

            key_put(key, &kl, get(ev, "Channel"));
            key_put(key, &kl, eid);
            rc = tally_add(&w->eids, key, kl, add);
        }
    }
    if (rc == VIGIL_OK && o->logon_summary)
        rc = logon_event(&w->logons, ev);
    return rc;
}

enum vigil_rc
hunt_tally_merge(struct hunt_tally *into, const struct hunt_tally *from)
{
    enum vigil_rc rc = VIGIL_OK;

    for (size_t i = 0; i < from->n && rc == VIGIL_OK; i++)
        rc = tally_add(into, from->v[i].key, from->v[i].klen, from->v[i].n);
    if (rc == VIGIL_OK && from->has_other) {
        for (int i = 0; i < HUNT_TALLY_COLS; i++)
            into->other.n[i] += from->other.n[i];
        into->has_other = 1;
    }
    return rc;
}

/* The i-th NUL-ended value of a row's key. */
static const char *
part(const struct hunt_tally_row *r, int i)
{
    const char *p = r->key;

    while (i-- > 0)
        p += strlen(p) + 1;
    return p;
}

static uint64_t
sum(const struct hunt_tally_row *r)
{
    uint64_t s = 0;

    for (int i = 0; i < HUNT_TALLY_COLS; i++)
        s += r->n[i];
    return s;
}

/* eids: by channel, then most frequent first, then event id */
static int
cmp_eid(const void *pa, const void *pb)
{
    const struct hunt_tally_row *a = *(const struct hunt_tally_row *const *)pa;
    const struct hunt_tally_row *b = *(const struct hunt_tally_row *const *)pb;
    int c = strcmp(part(a, 0), part(b, 0));

    if (c != 0)
        return c;
    if (a->n[0] != b->n[0])
        return a->n[0] > b->n[0] ? -1 : 1;
    return strcmp(part(a, 1), part(b, 1));
}

/* logons: most failures first, then most logons, then by key */
static int
cmp_logon(const void *pa, const void *pb)
{
    const struct hunt_tally_row *a = *(const struct hunt_tally_row *const *)pa;
    const struct hunt_tally_row *b = *(const struct hunt_tally_row *const *)pb;
    size_t n = a->klen < b->klen ? a->klen : b->klen;
    int c;

    if (a->n[HUNT_LOGON_FAILED] != b->n[HUNT_LOGON_FAILED])
        return a->n[HUNT_LOGON_FAILED] > b->n[HUNT_LOGON_FAILED] ? -1 : 1;
    if (sum(a) != sum(b))
        return sum(a) > sum(b) ? -1 : 1;
    c = memcmp(a->key, b->key, n);
    return c != 0 ? c : (a->klen > b->klen) - (a->klen < b->klen);
}

static const struct hunt_tally_row **
sorted(const struct hunt_tally *t, int (*cmp)(const void *, const void *))
{
    const struct hunt_tally_row **v = malloc((t->n + 1) * sizeof(*v));

    if (v == NULL)
        return NULL;
    for (size_t i = 0; i < t->n; i++)
        v[i] = &t->v[i];
    if (t->n > 1)
        qsort(v, t->n, sizeof(*v), cmp);
    return v;
}

enum vigil_rc
vigil_hunt_each_eid(const struct vigil_hunt *h,
                    int (*fn)(const struct vigil_hunt_eid *e, void *arg),
                    void *arg)
{
    const struct hunt_tally_row **v = sorted(&h->eids, cmp_eid);
    struct vigil_hunt_eid e;

    if (v == NULL)
        return VIGIL_ENOMEM;
    for (size_t i = 0; i < h->eids.n; i++) {
        e.channel = part(v[i], 0);
        e.event_id = part(v[i], 1);
        e.count = v[i]->n[0];
        if (fn(&e, arg) != 0)
            break;
    }
    if (h->eids.has_other) {
        e.channel = "(other)";
        e.event_id = "-";
        e.count = h->eids.other.n[0];
        fn(&e, arg);
    }
    free(v);
    return VIGIL_OK;
}

enum vigil_rc
vigil_hunt_each_logon(const struct vigil_hunt *h,
                      int (*fn)(const struct vigil_hunt_logon *l, void *arg),
                      void *arg)
{
    const struct hunt_tally_row **v = sorted(&h->logons, cmp_logon);
    struct vigil_hunt_logon l;

    if (v == NULL)
        return VIGIL_ENOMEM;
    for (size_t i = 0; i <= h->logons.n; i++) {
        const struct hunt_tally_row *r = i < h->logons.n ? v[i] : NULL;

        if (r == NULL && !h->logons.has_other)
            break;
        if (r == NULL)
            r = &h->logons.other;
        l.user = r->key ? part(r, 0) : "(other)";
        l.source = r->key ? part(r, 1) : "-";
        l.type = r->key ? part(r, 2) : "-";
        l.success = r->n[HUNT_LOGON_OK];
        l.failed = r->n[HUNT_LOGON_FAILED];
        l.logoff = r->n[HUNT_LOGON_LOGOFF];
        l.explicit_creds = r->n[HUNT_LOGON_EXPLICIT];
        if (fn(&l, arg) != 0)
            break;
    }
    free(v);
    return VIGIL_OK;
}
