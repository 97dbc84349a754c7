/* core_event.c -- the Event: a flat list of typed fields, and its JSON form.
 *
 * Fields borrow their text from the raw record or the batch arena, so
 * decoding a line allocates nothing; see struct vigil_field in core.h. */
#include <stdio.h>
#include <string.h>

#include "core.h"

void
vigil_event_init(struct vigil_event *ev, struct vigil_arena *arena)
{
    ev->time_ns = 0;
    ev->raw = NULL;
    ev->raw_len = 0;
    ev->source_id = 0;
    ev->offset = 0;
    ev->nfields = 0;
    ev->truncated = 0;
    ev->family = VIGIL_FAMILY_GENERIC;
    ev->arena = arena;
}

enum vigil_rc
vigil_event_add_str(struct vigil_event *ev, const char *name, const char *text,
                    size_t len)
{
    return vigil_event_push(ev, name, strlen(name), text, len, VIGIL_F_STR)
               ? VIGIL_OK
               : VIGIL_ELIMIT;
}

enum vigil_rc
vigil_event_add_strz(struct vigil_event *ev, const char *name,
                     const char *textz)
{
    return vigil_event_add_str(ev, name, textz, strlen(textz));
}

enum vigil_rc
vigil_event_add_int(struct vigil_event *ev, const char *name, const char *text,
                    size_t len, int64_t value)
{
    struct vigil_field *f =
        vigil_event_push(ev, name, strlen(name), text, len, VIGIL_F_INT);

    if (f == NULL)
        return VIGIL_ELIMIT;
    f->v.i = value;
    return VIGIL_OK;
}

enum vigil_rc
vigil_event_add_intv(struct vigil_event *ev, const char *name, int64_t value)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof(tmp), "%lld", (long long)value);
    char *text = vigil_arena_strndup(ev->arena, tmp, (size_t)n);

    if (text == NULL)
        return VIGIL_ENOMEM;
    return vigil_event_add_int(ev, name, text, (size_t)n, value);
}

enum vigil_rc
vigil_event_add_ip(struct vigil_event *ev, const char *name, const char *text,
                   size_t len)
{
    uint8_t ip[16];
    struct vigil_field *f;

    if (!vigil_ip_parse(text, len, ip))
        return vigil_event_add_str(ev, name, text, len);
    f = vigil_event_push(ev, name, strlen(name), text, len, VIGIL_F_IP);
    if (f == NULL)
        return VIGIL_ELIMIT;
    memcpy(f->v.ip, ip, 16);
    return VIGIL_OK;
}

enum vigil_rc
vigil_event_add_time(struct vigil_event *ev, const char *name, const char *text,
                     size_t len, int64_t ns)
{
    struct vigil_field *f =
        vigil_event_push(ev, name, strlen(name), text, len, VIGIL_F_TIME);

    if (f == NULL)
        return VIGIL_ELIMIT;
    f->v.i = ns;
    return VIGIL_OK;
}

enum vigil_rc
vigil_event_add_dyn(struct vigil_event *ev, const char *name, size_t name_len,
                    const char *text, size_t len)
{
    char *copy;

    if (ev->nfields >= VIGIL_EVENT_MAX_FIELDS) {
        ev->truncated = 1;
        return VIGIL_ELIMIT;
    }
    copy = vigil_arena_strndup(ev->arena, name, name_len);
    if (copy == NULL)
        return VIGIL_ENOMEM;
    return vigil_event_push(ev, copy, name_len, text, len, VIGIL_F_STR)
               ? VIGIL_OK
               : VIGIL_ELIMIT;
}

const struct vigil_field *
vigil_event_getn(const struct vigil_event *ev, const char *name,
                 size_t name_len)
{
    uint16_t i;

    for (i = 0; i < ev->nfields; i++) {
        const struct vigil_field *f = &ev->fields[i];
        if (f->name_len == name_len && memcmp(f->name, name, name_len) == 0)
            return f;
    }
    return NULL;
}

const struct vigil_field *
vigil_event_get(const struct vigil_event *ev, const char *name)
{
    return vigil_event_getn(ev, name, strlen(name));
}

static int
same_name(const struct vigil_field *a, const struct vigil_field *b)
{
    return a->name_len == b->name_len &&
           (a->name == b->name || memcmp(a->name, b->name, a->name_len) == 0);
}

static enum vigil_rc
field_value_json(const struct vigil_field *f, struct vigil_buf *out)
{
    if (f->type == VIGIL_F_INT) {
        char tmp[24];
        int n = snprintf(tmp, sizeof(tmp), "%lld", (long long)f->v.i);
        return vigil_buf_append(out, tmp, (size_t)n);
    }
    return vigil_buf_json_str(out, f->text, f->text_len);
}

enum vigil_rc
vigil_event_to_json(const struct vigil_event *ev, struct vigil_buf *out)
{
    enum vigil_rc rc;
    char ts[40];
    size_t n;
    uint16_t i;

    if ((rc = vigil_buf_putc(out, '{')) != VIGIL_OK)
        return rc;
    if (ev->time_ns) {
        n = vigil_time_format(ev->time_ns, ts);
        if ((rc = vigil_buf_append(out, "\"@timestamp\":", 13)) != VIGIL_OK ||
            (rc = vigil_buf_json_str(out, ts, n)) != VIGIL_OK)
            return rc;
    }
    for (i = 0; i < ev->nfields; i++) {
        const struct vigil_field *f = &ev->fields[i];
        /* the rest of a run of elements: one more value of the array */
        int more = (f->flags & VIGIL_FF_ELEM) && i > 0 &&
                   (ev->fields[i - 1].flags & VIGIL_FF_ELEM) &&
                   same_name(&ev->fields[i - 1], f);
        int last = !(f->flags & VIGIL_FF_ELEM) || i + 1 == ev->nfields ||
                   !(ev->fields[i + 1].flags & VIGIL_FF_ELEM) ||
                   !same_name(f, &ev->fields[i + 1]);
        if ((ev->time_ns || i > 0) && (rc = vigil_buf_putc(out, ',')))
            return rc;
        if (!more &&
            ((rc = vigil_buf_json_str(out, f->name, f->name_len)) ||
             (rc = vigil_buf_putc(out, ':')) ||
             ((f->flags & VIGIL_FF_ELEM) && (rc = vigil_buf_putc(out, '[')))))
            return rc;
        if ((rc = field_value_json(f, out)))
            return rc;
        if ((f->flags & VIGIL_FF_ELEM) && last &&
            (rc = vigil_buf_putc(out, ']')))
            return rc;
    }
    return vigil_buf_putc(out, '}');
}
