/* hunt_match.c -- what a hunt keeps of each match until the output: a
 * small sortable record per match, and its details (event JSON, matched
 * fields, host, key fields) appended to the worker's spill. A spill keeps
 * a few MiB in memory and writes the rest to an unlinked temporary file,
 * so a hunt where every line fires does not hold every event in memory
 * (the output order, by event time across files, is only known at the
 * end). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hunt_int.h"
#include "store/store.h" /* struct vigil_alert, the shape of an alert */

#define SPILL_MEM (4u * 1024 * 1024)

#define TRY_RET(e)                                                             \
    do {                                                                       \
        enum vigil_rc rc_ = (e);                                               \
        if (rc_ != VIGIL_OK)                                                   \
            return rc_;                                                        \
    } while (0)

void
hunt_spill_init(struct hunt_spill *s, const char *dir)
{
    memset(s, 0, sizeof(*s));
    s->fd = -1;
    s->dir = dir;
}

void
hunt_spill_fini(struct hunt_spill *s)
{
    if (s->fd >= 0)
        close(s->fd);
    free(s->buf);
    hunt_spill_init(s, s->dir);
}

static enum vigil_rc
spill_open(struct hunt_spill *s, struct vigil_err *err)
{
    const char *dir = s->dir;
    char tmpl[4096];

    if (dir == NULL || dir[0] == '\0')
        dir = getenv("TMPDIR");
    if (dir == NULL || dir[0] == '\0')
        dir = "/tmp";
    /* O_TMPFILE: never visible, gone with the process. */
    s->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (s->fd >= 0)
        return VIGIL_OK;
    if (snprintf(tmpl, sizeof(tmpl), "%s/vigil-hunt.XXXXXX", dir) >=
        (int)sizeof(tmpl))
        return vigil_err_set(err, VIGIL_ELIMIT, "%s: path too long", dir);
    s->fd = mkostemp(tmpl, O_CLOEXEC);
    if (s->fd < 0)
        return vigil_err_set(err, VIGIL_EIO,
                             "cannot create a temporary file in %s: %s", dir,
                             strerror(errno));
    unlink(tmpl);
    return VIGIL_OK;
}

static enum vigil_rc
write_all(int fd, const char *p, size_t n, struct vigil_err *err)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return vigil_err_set(err, VIGIL_EIO,
                                 "writing match details to a temporary "
                                 "file: %s",
                                 w < 0 ? strerror(errno) : "short write");
        p += w;
        n -= (size_t)w;
    }
    return VIGIL_OK;
}

static enum vigil_rc
spill_flush(struct hunt_spill *s, struct vigil_err *err)
{
    if (s->len == 0)
        return VIGIL_OK;
    if (s->fd < 0)
        TRY_RET(spill_open(s, err));
    TRY_RET(write_all(s->fd, s->buf, s->len, err));
    s->flushed += s->len;
    s->len = 0;
    return VIGIL_OK;
}

/* Appends n bytes; *off is where they are. */
static enum vigil_rc
spill_put(struct hunt_spill *s, const char *p, size_t n, uint64_t *off,
          struct vigil_err *err)
{
    if (s->buf == NULL && (s->buf = malloc(SPILL_MEM)) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    if (s->len + n > SPILL_MEM)
        TRY_RET(spill_flush(s, err));
    if (n > SPILL_MEM) {
        if (s->fd < 0)
            TRY_RET(spill_open(s, err));
        TRY_RET(write_all(s->fd, p, n, err));
        *off = s->flushed;
        s->flushed += n;
        return VIGIL_OK;
    }
    memcpy(s->buf + s->len, p, n);
    *off = s->flushed + s->len;
    s->len += n;
    return VIGIL_OK;
}

static enum vigil_rc
spill_get(const struct hunt_spill *s, uint64_t off, char *dst, size_t n,
          struct vigil_err *err)
{
    if (off >= s->flushed) {
        memcpy(dst, s->buf + (off - s->flushed), n);
        return VIGIL_OK;
    }
    while (n > 0) {
        ssize_t r = pread(s->fd, dst, n, (off_t)off);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return vigil_err_set(err, VIGIL_EIO,
                                 "reading match details back: %s",
                                 r < 0 ? strerror(errno) : "short read");
        dst += r;
        off += (uint64_t)r;
        n -= (size_t)r;
    }
    return VIGIL_OK;
}

/* ---- describing an event for a table ---- */

/* The fields worth a glance, Linux/ECS names first, then the Windows
 * names; the label is what a table prints. */
static const struct {
    const char *label;
    const char *names[4];
} key_fields[] = {
    {"user", {"user.name", "TargetUserName", "SubjectUserName", "User"}},
    {"src", {"source.ip", "IpAddress", "SourceAddress", "SourceIp"}},
    {"action", {"event.action", NULL, NULL, NULL}},
    {"cmd", {"process.command_line", "CommandLine", "ScriptBlockText", NULL}},
    {"image", {"Image", "NewProcessName", "ServiceFileName", NULL}},
    {"url", {"url.original", NULL, NULL, NULL}},
    {"event", {"EventID", NULL, NULL, NULL}},
};

/* Appends "user=x src=y ..." (cut at the buffer's bound). */
static enum vigil_rc
describe_keys(struct vigil_buf *b, const struct vigil_event *ev)
{
    enum vigil_rc rc = VIGIL_OK;
    size_t start = b->len;

    for (size_t i = 0; i < sizeof(key_fields) / sizeof(key_fields[0]); i++) {
        for (size_t j = 0; j < 4 && key_fields[i].names[j] != NULL; j++) {
            const struct vigil_field *f =
                vigil_event_get(ev, key_fields[i].names[j]);
            size_t n;

            if (f == NULL || f->text_len == 0)
                continue;
            n = f->text_len > 120 ? 120 : f->text_len;
            if (b->len > start)
                VIGIL_TRY(vigil_buf_putc(b, ' '));
            VIGIL_TRY(vigil_buf_printf(b, "%s=%.*s", key_fields[i].label,
                                       (int)n, f->text));
            if (n < f->text_len)
                VIGIL_TRY(vigil_buf_append(b, "...", 3));
            break;
        }
    }
out:
    return rc == VIGIL_ELIMIT ? VIGIL_OK : rc;
}

/* The first of key_fields[i]'s names the event has (not empty), or NULL:
 * the timeline's columns. */
static const struct vigil_field *
key_field(const struct vigil_event *ev, size_t i)
{
    for (size_t j = 0; j < 4 && key_fields[i].names[j] != NULL; j++) {
        const struct vigil_field *f =
            vigil_event_get(ev, key_fields[i].names[j]);

        if (f != NULL && f->text_len > 0)
            return f;
    }
    return NULL;
}

enum { KEY_USER = 0, KEY_SRC = 1, KEY_CMD = 3 };

/* Details: nine strings, each a presence byte then the text and a NUL:
 * event, matched, host, keys, then the timeline's channel, event id,
 * user, source address and command line. */
static enum vigil_rc
put_str(struct vigil_buf *b, const char *s, size_t n)
{
    enum vigil_rc rc;

    if (s == NULL)
        return vigil_buf_putc(b, 0);
    n = strnlen(s, n); /* printed as C strings: a NUL ends them anyway */
    if ((rc = vigil_buf_putc(b, 1)) != VIGIL_OK ||
        (rc = vigil_buf_append(b, s, n)) != VIGIL_OK)
        return rc;
    return vigil_buf_putc(b, 0);
}

static enum vigil_rc
details(struct vigil_buf *b, const struct vigil_detect_alert *a)
{
    const struct vigil_event *ev = a->event;
    const struct vigil_field *host = NULL;
    const char *ev_json = ev ? a->alert->event_json : NULL;
    struct vigil_buf keys;
    enum vigil_rc rc;

    if (ev != NULL) {
        host = vigil_event_get(ev, "host.name");
        if (host == NULL)
            host = vigil_event_get(ev, "Computer");
    }
    vigil_buf_init(&keys, 4096);
    rc = ev ? describe_keys(&keys, ev) : VIGIL_OK;
    if (rc == VIGIL_OK && ev == NULL && a->group != NULL)
        rc = vigil_buf_printf(&keys, "%s count=%llu", a->group,
                              (unsigned long long)a->count);
    if (rc == VIGIL_ELIMIT)
        rc = VIGIL_OK;
    if (rc == VIGIL_OK)
        rc = put_str(b, ev_json, ev_json ? strlen(ev_json) : 0);
    if (rc == VIGIL_OK)
        rc = put_str(b, a->alert->matched_json, strlen(a->alert->matched_json));
    if (rc == VIGIL_OK)
        rc = put_str(b, host ? host->text : NULL, host ? host->text_len : 0);
    if (rc == VIGIL_OK)
        rc = put_str(b, keys.len ? keys.data : NULL, keys.len);
    {
        const struct vigil_field *col[5] = {NULL, NULL, NULL, NULL, NULL};

        if (ev != NULL) {
            col[0] = vigil_event_get(ev, "Channel");
            col[1] = vigil_event_get(ev, "EventID");
            col[2] = key_field(ev, KEY_USER);
            col[3] = key_field(ev, KEY_SRC);
            col[4] = key_field(ev, KEY_CMD);
        }
        for (size_t i = 0; i < 5 && rc == VIGIL_OK; i++)
            rc = put_str(b, col[i] ? col[i]->text : NULL,
                         col[i] ? col[i]->text_len : 0);
    }
    vigil_buf_fini(&keys);
    return rc;
}

enum vigil_rc
hunt_keep(struct hunt_worker *w, const struct vigil_detect_alert *a)
{
    struct hunt_rec r;
    struct vigil_buf b;
    enum vigil_rc rc = VIGIL_OK;

    memset(&r, 0, sizeof(r));
    r.time_ns = a->alert->time_ns;
    r.file = a->file;
    r.seq = a->seq;
    r.rule = a->rule->index;
    r.spill = w->index;
    if (!w->h->o.no_event) {
        vigil_buf_init(&b, UINT32_MAX);
        rc = details(&b, a);
        if (rc == VIGIL_OK)
            rc = spill_put(&w->spill, b.data, b.len, &r.off, &w->err);
        r.len = (uint32_t)b.len;
        vigil_buf_fini(&b);
        if (rc != VIGIL_OK)
            return vigil_err_set(&w->err, rc, "keeping a match: %s",
                                 vigil_strerror(rc));
    }
    if (VIGIL_GROW(w->recs.v, w->recs.n, w->recs.cap) != VIGIL_OK)
        return vigil_err_set(&w->err, VIGIL_ENOMEM,
                             "out of memory keeping matches");
    w->recs.v[w->recs.n++] = r;
    return VIGIL_OK;
}

static int
cmp_rec(const void *pa, const void *pb)
{
    const struct hunt_rec *a = pa, *b = pb;

    if (a->time_ns != b->time_ns)
        return a->time_ns < b->time_ns ? -1 : 1;
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    if (a->rule != b->rule)
        return a->rule < b->rule ? -1 : 1;
    return 0;
}

uint64_t
hunt_record(const struct vigil_hunt *h, uint32_t file, uint64_t seq)
{
    uint64_t part = seq >> HUNT_PART_SHIFT, base = 0;
    size_t first;

    if (part == 0 || file >= h->nfiles)
        return seq;
    first = h->first_item[file];
    for (uint64_t p = 0; p < part; p++)
        base += h->items[first + p].records;
    return base + (seq & HUNT_PART_MASK);
}

void
hunt_event_id(uint32_t file, uint64_t seq, char *buf, size_t len, void *arg)
{
    const struct vigil_hunt *h = arg;

    snprintf(buf, len, "%s#%llu", file < h->nfiles ? h->files[file].path : "",
             (unsigned long long)hunt_record(h, file, seq));
}

void
hunt_recs_finish(struct vigil_hunt *h, struct hunt_recs *all)
{
    for (size_t i = 0; i < all->n; i++) {
        struct hunt_rec *m = &all->v[i];

        m->seq = hunt_record(h, m->file, m->seq);
    }
    if (all->n > 1)
        qsort(all->v, all->n, sizeof(*all->v), cmp_rec);
}

/* The next string of details at *p (NULL when absent). */
static const char *
next_str(const char **p)
{
    const char *s = *p;

    if (*s++ == 0) {
        *p = s;
        return NULL;
    }
    *p = s + strlen(s) + 1;
    return s;
}

enum vigil_rc
hunt_recs_deliver(struct vigil_hunt *h, const struct hunt_recs *all,
                  vigil_hunt_match_fn fn, void *arg, struct vigil_err *err)
{
    char *buf = NULL;
    size_t cap = 0;
    enum vigil_rc rc = VIGIL_OK;

    for (size_t i = 0; i < all->n && rc == VIGIL_OK; i++) {
        const struct hunt_rec *r = &all->v[i];
        struct vigil_hunt_match m;

        memset(&m, 0, sizeof(m));
        m.time_ns = r->time_ns;
        m.file = r->file < h->nfiles ? h->files[r->file].path : NULL;
        m.record = r->seq;
        m.rule = &h->rules[r->rule].pub;
        if (r->len > 0) {
            const char *p;

            if (r->len > cap) {
                char *nb = realloc(buf, r->len);

                if (nb == NULL) {
                    rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
                    break;
                }
                buf = nb;
                cap = r->len;
            }
            rc = spill_get(&h->workers[r->spill].spill, r->off, buf, r->len,
                           err);
            if (rc != VIGIL_OK)
                break;
            p = buf;
            m.event = next_str(&p);
            m.matched = next_str(&p);
            m.host = next_str(&p);
            m.keys = next_str(&p);
            m.channel = next_str(&p);
            m.event_id = next_str(&p);
            m.user = next_str(&p);
            m.source = next_str(&p);
            m.command_line = next_str(&p);
        }
        rc = fn(&m, arg);
        if (rc != VIGIL_OK)
            vigil_err_set(err, rc, "%s", vigil_strerror(rc));
    }
    free(buf);
    return rc;
}
