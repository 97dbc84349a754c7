/* store_batch.c -- batches: what one slice of work hands to the store.
 *
 * A batch owns a few growable arrays and two text buffers; adding an
 * event serialises it straight into the batch's JSON buffer, so a steady
 * stream costs no allocation per event, only the occasional doubling of a
 * buffer. Records refer to text by offset because the buffers move when
 * they grow.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store_int.h"

struct vigil_store_batch *
vigil_store_batch_new(void)
{
    struct vigil_store_batch *b = calloc(1, sizeof(*b));

    if (b == NULL)
        return NULL;
    vigil_buf_init(&b->json, STORE_BATCH_JSON_MAX);
    vigil_buf_init(&b->strs, STORE_BATCH_JSON_MAX);
    return b;
}

struct vigil_store_batch *
vigil_store_batch_new_for(const struct vigil_store *s)
{
    struct vigil_store_batch *b = vigil_store_batch_new();

    if (b != NULL && s != NULL && !s->opts.archive_events)
        b->no_archive = 1;
    return b;
}

void
vigil_store_batch_free(struct vigil_store_batch *b)
{
    if (b == NULL)
        return;
    vigil_buf_fini(&b->json);
    vigil_buf_fini(&b->strs);
    free(b->ev);
    free(b->al);
    free(b->cp);
    free(b->ct);
    free(b->sv);
    free(b->xs);
    free(b->xp);
    vigil_hmap_free(b->svidx);
    free(b);
}

size_t
vigil_store_batch_events(const struct vigil_store_batch *b)
{
    return b ? b->nev + b->nskipped : 0;
}

size_t
vigil_store_batch_alerts(const struct vigil_store_batch *b)
{
    return b ? b->nal : 0;
}

/* Copies p[0..n) into b->strs; sets *off. The bound is checked first
 * because a failure of the buffer frees it, which would orphan earlier
 * offsets: the batch is then marked broken. */
static enum vigil_rc
put_mem(struct vigil_store_batch *b, const void *p, size_t n, size_t *off)
{
    enum vigil_rc rc;

    if (n >= STORE_BATCH_JSON_MAX - b->strs.len)
        return VIGIL_ELIMIT;
    *off = b->strs.len;
    rc = vigil_buf_append(&b->strs, p, n);
    if (rc != VIGIL_OK)
        b->broken = 1;
    return rc;
}

/* Copies s with its NUL into b->strs; sets *off (STORE_NOSTR for NULL). */
static enum vigil_rc
put_str(struct vigil_store_batch *b, const char *s, size_t *off)
{
    size_t n;

    if (s == NULL) {
        *off = STORE_NOSTR;
        return VIGIL_OK;
    }
    n = strlen(s);
    if (n > STORE_EVENT_JSON_MAX)
        return VIGIL_ELIMIT;
    return put_mem(b, s, n + 1, off);
}

/* The most bytes vigil_event_to_json can write for ev: every byte of a
 * name or text may become a six-byte \u00XX escape. */
static size_t
json_bound(const struct vigil_event *ev)
{
    size_t n = 64; /* braces and the @timestamp member */
    uint16_t i;

    for (i = 0; i < ev->nfields && i < VIGIL_EVENT_MAX_FIELDS; i++)
        n += 6 * ((size_t)ev->fields[i].name_len + ev->fields[i].text_len) + 32;
    return n;
}

enum vigil_rc
vigil_store_batch_add_event(struct vigil_store_batch *b,
                            const struct vigil_event *ev, const char *source)
{
    struct store_event_rec *r;
    enum vigil_rc rc;
    size_t start, src;

    if (b == NULL || ev == NULL)
        return VIGIL_EINVAL;
    if (b->broken)
        return VIGIL_ENOMEM;
    if (b->no_archive) {
        b->nskipped++;
        return VIGIL_OK;
    }
    /* The bound is checked before writing because an overflowing
     * vigil_buf drops its contents: every event already in the batch. */
    if (json_bound(ev) > STORE_BATCH_JSON_MAX - b->json.len)
        return VIGIL_ELIMIT;
    if ((rc = VIGIL_GROW(b->ev, b->nev, b->capev)) != VIGIL_OK)
        return rc;
    src = STORE_NOSTR;
    if (source != NULL) {
        size_t i;
        for (i = 0; i < b->nsrcs; i++)
            if (strcmp(b->strs.data + b->srcs[i], source) == 0)
                break;
        if (i < b->nsrcs) {
            src = b->srcs[i];
        } else {
            if ((rc = put_str(b, source, &src)) != VIGIL_OK)
                return rc;
            /* Remember it, forgetting the oldest when full. */
            if (b->nsrcs < STORE_BATCH_SOURCES)
                b->nsrcs++;
            memmove(b->srcs + 1, b->srcs, (b->nsrcs - 1) * sizeof(b->srcs[0]));
            b->srcs[0] = src;
        }
    }
    start = b->json.len;
    rc = vigil_event_to_json(ev, &b->json);
    if (rc != VIGIL_OK) {
        b->broken = 1;
        return rc;
    }
    if (b->json.len - start > STORE_EVENT_JSON_MAX) {
        b->json.len = start;
        b->json.data[start] = '\0';
        return VIGIL_ELIMIT;
    }
    r = &b->ev[b->nev++];
    /* An event without a timestamp is archived at the time it was seen,
     * so age-based retention does not drop it at once. */
    r->time_ns = ev->time_ns ? ev->time_ns : vigil_time_now();
    r->off = start;
    r->len = b->json.len - start;
    r->src = src;
    return VIGIL_OK;
}

/* The Sigma levels the alerts table accepts. A level outside them is
 * refused here, where only that alert is lost, rather than at commit,
 * where the schema's CHECK would fail the whole batch and with it the
 * checkpoint, again on every retry. */
static const char *
canonical_level(const char *level)
{
    static const char *const levels[] = {"informational", "low", "medium",
                                         "high", "critical"};
    size_t i;

    for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        if (strcasecmp(level, levels[i]) == 0)
            return levels[i];
    return NULL;
}

enum vigil_rc
vigil_store_batch_add_alert(struct vigil_store_batch *b,
                            const struct vigil_alert *a)
{
    const char *s[STORE_A_NSTR];
    char uid[VIGIL_UID_LEN + 1];
    struct store_alert_rec r;
    enum vigil_rc rc;
    int i;

    if (b == NULL || a == NULL || a->rule_id == NULL || a->title == NULL ||
        a->level == NULL || a->event_json == NULL)
        return VIGIL_EINVAL;
    if (b->broken)
        return VIGIL_ENOMEM;
    if ((rc = VIGIL_GROW(b->al, b->nal, b->capal)) != VIGIL_OK)
        return rc;
    s[STORE_A_RULE_ID] = a->rule_id;
    s[STORE_A_TITLE] = a->title;
    if ((s[STORE_A_LEVEL] = canonical_level(a->level)) == NULL)
        return VIGIL_EINVAL;
    s[STORE_A_TAGS] = a->tags_json;
    s[STORE_A_EVENT] = a->event_json;
    s[STORE_A_MATCHED] = a->matched_json;
    s[STORE_A_SOURCE] = a->source;
    s[STORE_A_UID] = a->uid;
    if (a->uid == NULL) {
        if ((rc = vigil_uid_new(uid)) != VIGIL_OK)
            return rc;
        s[STORE_A_UID] = uid;
    }
    r.time_ns = a->time_ns;
    for (i = 0; i < STORE_A_NSTR; i++)
        if ((rc = put_str(b, s[i], &r.str[i])) != VIGIL_OK)
            return rc;
    b->al[b->nal++] = r;
    return VIGIL_OK;
}

enum vigil_rc
vigil_store_batch_set_checkpoint(struct vigil_store_batch *b,
                                 const struct vigil_checkpoint *cp)
{
    enum vigil_rc rc;
    size_t i;

    if (b == NULL || cp == NULL || cp->key[0] == '\0' ||
        memchr(cp->key, '\0', sizeof(cp->key)) == NULL)
        return VIGIL_EINVAL;
    for (i = 0; i < b->ncp; i++) {
        if (strcmp(b->cp[i].key, cp->key) == 0) {
            b->cp[i] = *cp;
            return VIGIL_OK;
        }
    }
    if ((rc = VIGIL_GROW(b->cp, b->ncp, b->capcp)) != VIGIL_OK)
        return rc;
    b->cp[b->ncp++] = *cp;
    return VIGIL_OK;
}

void
vigil_store_batch_set_guard(struct vigil_store_batch *b,
                            int (*guard)(void *arg), void *arg)
{
    b->guard = guard;
    b->guard_arg = arg;
}

enum vigil_rc
vigil_store_batch_set_counters(struct vigil_store_batch *b,
                               const struct vigil_source_counters *c, size_t n)
{
    enum vigil_rc rc;
    size_t i, j;

    if (b == NULL || (c == NULL && n > 0))
        return VIGIL_EINVAL;
    for (i = 0; i < n; i++)
        if (c[i].name[0] == '\0' ||
            memchr(c[i].name, '\0', sizeof(c[i].name)) == NULL)
            return VIGIL_EINVAL;
    for (i = 0; i < n; i++) {
        for (j = 0; j < b->nct; j++)
            if (strcmp(b->ct[j].name, c[i].name) == 0)
                break;
        if (j == b->nct) {
            if ((rc = VIGIL_GROW(b->ct, b->nct, b->capct)) != VIGIL_OK)
                return rc;
            b->nct++;
        }
        b->ct[j] = c[i];
    }
    return VIGIL_OK;
}

/* Adds a put (blob non-NULL or len 0 with put set) or a delete. One
 * record per (component, key): a later call replaces the earlier one's
 * record (reusing its bytes when the new value fits), so a component that
 * saves a value on every event costs the store one row per batch. */
/* Replaces record old's value (a delete when !put). */
static enum vigil_rc
state_replace(struct vigil_store_batch *b, struct store_state_rec *old, int put,
              const void *blob, size_t len)
{
    enum vigil_rc rc;

    if (!put) {
        old->off = STORE_NOSTR;
        old->len = 0;
    } else if (old->off != STORE_NOSTR && len <= old->room) {
        if (len > 0)
            memcpy(b->strs.data + old->off, blob, len);
        old->len = len;
    } else {
        if ((rc = put_mem(b, blob, len, &old->off)) != VIGIL_OK)
            return rc;
        old->len = old->room = len;
    }
    return VIGIL_OK;
}

/* Is record i (hint - 1) the one of (component, key)? */
static struct store_state_rec *
state_hinted(struct vigil_store_batch *b, const char *component,
             const char *key, size_t hint)
{
    struct store_state_rec *r;

    if (hint == 0 || hint > b->nsv)
        return NULL;
    r = &b->sv[hint - 1];
    if (strcmp(b->strs.data + r->key, key) != 0 ||
        strcmp(b->strs.data + r->component, component) != 0)
        return NULL;
    return r;
}

static enum vigil_rc
add_state(struct vigil_store_batch *b, const char *component, const char *key,
          int put, const void *blob, size_t len, size_t *hint)
{
    char hk[2 * VIGIL_STORE_STATE_KEY_MAX + 2];
    size_t cl, kl;
    struct store_state_rec r, *old;
    enum vigil_rc rc;
    void *ref;

    if (b == NULL || !store_state_name_ok(component) ||
        !store_state_name_ok(key) || (put && blob == NULL && len > 0))
        return VIGIL_EINVAL;
    if (len > VIGIL_STORE_STATE_MAX)
        return VIGIL_ELIMIT;
    if (b->broken)
        return VIGIL_ENOMEM;
    if (hint != NULL && (old = state_hinted(b, component, key, *hint)) != NULL)
        return state_replace(b, old, put, blob, len);
    cl = strlen(component) + 1;
    kl = strlen(key);
    memcpy(hk, component, cl);
    memcpy(hk + cl, key, kl);
    if (b->svidx == NULL &&
        (rc = vigil_hmap_new(&b->svidx, 0, NULL, NULL)) != VIGIL_OK)
        return rc;
    if ((ref = vigil_hmap_get(b->svidx, hk, cl + kl)) != NULL) {
        if (hint != NULL)
            *hint = (uintptr_t)ref;
        return state_replace(b, &b->sv[(uintptr_t)ref - 1], put, blob, len);
    }
    if ((rc = VIGIL_GROW(b->sv, b->nsv, b->capsv)) != VIGIL_OK)
        return rc;
    r.off = STORE_NOSTR;
    r.len = r.room = len;
    if ((rc = put_str(b, component, &r.component)) != VIGIL_OK ||
        (rc = put_str(b, key, &r.key)) != VIGIL_OK ||
        (put && (rc = put_mem(b, blob, len, &r.off)) != VIGIL_OK))
        return rc;
    if ((rc = vigil_hmap_put(b->svidx, hk, cl + kl,
                             (void *)(uintptr_t)(b->nsv + 1))) != VIGIL_OK) {
        b->broken = 1;
        return rc;
    }
    b->sv[b->nsv++] = r;
    if (hint != NULL)
        *hint = b->nsv;
    return VIGIL_OK;
}

enum vigil_rc
vigil_store_batch_set_state(struct vigil_store_batch *b, const char *component,
                            const char *key, const void *blob, size_t len)
{
    return add_state(b, component, key, 1, blob, len, NULL);
}

enum vigil_rc
vigil_store_batch_set_state_hint(struct vigil_store_batch *b,
                                 const char *component, const char *key,
                                 const void *blob, size_t len, size_t *hint)
{
    return add_state(b, component, key, 1, blob, len, hint);
}

enum vigil_rc
vigil_store_batch_delete_state(struct vigil_store_batch *b,
                               const char *component, const char *key)
{
    return add_state(b, component, key, 0, NULL, 0, NULL);
}

enum vigil_rc
vigil_store_batch_add_exec(struct vigil_store_batch *b, const char *sql,
                           const struct vigil_store_value *params,
                           size_t nparams)
{
    struct store_exec_rec r;
    enum vigil_rc rc;

    if (b == NULL || sql == NULL || (params == NULL && nparams > 0) ||
        nparams > VIGIL_STORE_PARAMS_MAX)
        return VIGIL_EINVAL;
    if (b->broken)
        return VIGIL_ENOMEM;
    if ((rc = VIGIL_GROW(b->xs, b->nxs, b->capxs)) != VIGIL_OK ||
        (rc = put_str(b, sql, &r.sql)) != VIGIL_OK)
        goto fail;
    r.first = b->nxp;
    r.n = nparams;
    for (size_t i = 0; i < nparams; i++) {
        struct store_xparam x = {params[i].type, params[i].i, params[i].r,
                                 STORE_NOSTR, params[i].len};
        if ((rc = VIGIL_GROW(b->xp, b->nxp, b->capxp)) != VIGIL_OK)
            goto fail;
        size_t nul;
        /* Bytes then a NUL, so TEXT reads back terminated. */
        if ((x.type == VIGIL_SV_TEXT || x.type == VIGIL_SV_BLOB) &&
            ((rc = put_mem(b, params[i].p ? params[i].p : "", x.len, &x.off)) !=
                 VIGIL_OK ||
             (rc = put_mem(b, "", 1, &nul)) != VIGIL_OK))
            goto fail;
        b->xp[b->nxp++] = x;
    }
    b->xs[b->nxs++] = r;
    return VIGIL_OK;
fail:
    /* A half-added statement must never run: the batch is spoiled. */
    b->broken = 1;
    return rc;
}
