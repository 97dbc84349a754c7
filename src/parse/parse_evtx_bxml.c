/* parse_evtx_bxml.c -- an EVTX record's binary XML straight to Event
 * fields.
 *
 * Walks the tokens of a record (fragment header, elements, attributes,
 * values, CDATA, character and entity references, processing
 * instructions, template instances with their normal and optional
 * substitutions, binary XML nested inside values) and hands each element
 * to the flattening that names fields the way Sigma rules do (EventID,
 * Channel, Provider_Name, CommandLine, ...; docs/evtx.md). No XML text is
 * ever produced or parsed.
 *
 * Names are read once per chunk and cached by their chunk offset;
 * templates are walked in place, their substitution values kept as
 * pointers into the chunk. Everything is bounded: element depth,
 * template nesting, attributes per element, tokens per record, text per
 * value, the record's arena. A record past a bound is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_evtx_int.h"

enum evtx_section {
    SEC_NONE = 0,
    SEC_SYSTEM,
    SEC_EVENTDATA,
    SEC_USERDATA,
    SEC_SKIP /* RenderingInfo, ProcessingErrorData, ... */
};

enum evtx_kind {
    FR_PLAIN = 0,
    FR_SYS_INT,    /* System element whose text is an integer */
    FR_DATA_NAMED, /* <Data Name="X"> */
    FR_DATA_UNNAMED
};

/* Binary XML tokens (0x40 set: "more data follows", attributes). */
enum {
    T_EOF = 0x00,
    T_OPEN = 0x01,
    T_CLOSE_START = 0x02,
    T_CLOSE_EMPTY = 0x03,
    T_END = 0x04,
    T_VALUE = 0x05,
    T_ATTR = 0x06,
    T_CDATA = 0x07,
    T_CHARREF = 0x08,
    T_ENTREF = 0x09,
    T_PI_TARGET = 0x0a,
    T_PI_DATA = 0x0b,
    T_TEMPLATE = 0x0c,
    T_SUBST = 0x0d,
    T_SUBST_OPT = 0x0e,
    T_FRAGMENT = 0x0f
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* Names                                                                */
/* ------------------------------------------------------------------ */

/* System children: static names, and which of them are integers. */
static const struct {
    const char *name;
    int is_int;
} sys_elems[] = {
    {"EventID", 1},   {"Version", 1},  {"Level", 1},       {"Task", 1},
    {"Opcode", 1},    {"Keywords", 0}, {"Channel", 0},     {"EventRecordID", 1},
    {"Computer", 0},  {"Provider", 0}, {"TimeCreated", 0}, {"Correlation", 0},
    {"Execution", 0}, {"Security", 0},
};

/* System attributes flattened as Element_Attribute: element (one of
 * sys_elems, compared by pointer), attribute, field name. */
static const struct {
    const char *elem, *attr, *name;
    int is_int;
} sys_attrs[] = {
    {"Provider", "Name", "Provider_Name", 0},
    {"Provider", "Guid", "Provider_Guid", 0},
    {"Provider", "EventSourceName", "Provider_EventSourceName", 0},
    {"EventID", "Qualifiers", "EventID_Qualifiers", 1},
    {"TimeCreated", "SystemTime", "TimeCreated_SystemTime", 0},
    {"Correlation", "ActivityID", "Correlation_ActivityID", 0},
    {"Correlation", "RelatedActivityID", "Correlation_RelatedActivityID", 0},
    {"Execution", "ProcessID", "Execution_ProcessID", 1},
    {"Execution", "ThreadID", "Execution_ThreadID", 1},
    {"Execution", "ProcessorID", "Execution_ProcessorID", 1},
    {"Execution", "SessionID", "Execution_SessionID", 1},
    {"Execution", "KernelTime", "Execution_KernelTime", 1},
    {"Execution", "UserTime", "Execution_UserTime", 1},
    {"Execution", "ProcessorTime", "Execution_ProcessorTime", 1},
    {"Security", "UserID", "Security_UserID", 0},
};

static void
evtx_fail(struct evtx_rec *r, const char *why)
{
    if (!r->bad) {
        r->arena_full = strstr(why, "arena") != NULL;
        r->bad = 1;
        r->why = why;
    }
}

/* The local part of a (possibly prefixed) element or attribute name. */
static const char *
evtx_local(const char *name)
{
    const char *c = strrchr(name, ':');

    return c ? c + 1 : name;
}

/* The name stored at chunk offset off, as UTF-8: cached for the chunk,
 * or copied into the record's arena when the cache is full. NULL (and
 * the record failed) when it does not fit the chunk. *size: its bytes in
 * the chunk, for skipping a name defined in place. */
static const char *
bx_name(struct evtx_rec *r, uint32_t off, uint32_t *size)
{
    uint32_t slot = (off * 2654435761u) >> 22, i, n;
    struct evtx_sb sb = {NULL, 0, 0, 0};
    char *s;
    const uint8_t *p;

    if ((uint64_t)off + 8 > r->chunk_len)
        goto bad;
    n = evtx_u16(r->chunk + off + 6);
    if ((uint64_t)off + 8 + 2 * (uint64_t)n + 2 > r->chunk_len)
        goto bad;
    *size = 8 + 2 * n + 2;
    for (i = 0; i < 8; i++) {
        struct evtx_name *e = &r->names[(slot + i) & (EVTX_NAME_SLOTS - 1)];
        if (e->off == off + 1)
            return e->s;
        if (e->off == 0) {
            slot = (slot + i) & (EVTX_NAME_SLOTS - 1);
            goto miss;
        }
    }
    slot = EVTX_NAME_SLOTS; /* no free slot nearby: do not cache */
miss:
    p = r->chunk + off + 8;
    if (slot < EVTX_NAME_SLOTS &&
        r->pool_used + 3 * (size_t)n + 1 <= EVTX_NAME_POOL) {
        sb.p = r->pool + r->pool_used;
        sb.cap = 3 * (size_t)n + 1;
        (void)evtx_utf16_put(&sb, p, n);
        sb.p[sb.len] = '\0';
        r->pool_used += sb.len + 1;
        r->names[slot].off = off + 1;
        r->names[slot].len = (uint32_t)sb.len;
        r->names[slot].s = sb.p;
        return sb.p;
    }
    if ((s = vigil_arena_alloc(&r->arena, 3 * (size_t)n + 1)) == NULL) {
        evtx_fail(r, "record exceeds the arena bound");
        return NULL;
    }
    sb.p = s;
    sb.cap = 3 * (size_t)n + 1;
    (void)evtx_utf16_put(&sb, p, n);
    s[sb.len] = '\0';
    return s;
bad:
    evtx_fail(r, "a name lies outside the chunk");
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Fields                                                               */
/* ------------------------------------------------------------------ */

static char *
evtx_strdup(struct evtx_rec *r, const char *s, size_t n)
{
    char *p = vigil_arena_strndup(&r->arena, s, n);

    if (p == NULL)
        evtx_fail(r, "record exceeds the arena bound");
    return p;
}

/* Copies a value into the arena; trim drops trailing white space (element
 * text, see docs/evtx.md). */
static char *
evtx_value(struct evtx_rec *r, const char *s, size_t n, int trim,
           size_t *out_len)
{
    char *d;

    if (trim)
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
                         s[n - 1] == '\n' || s[n - 1] == '\r'))
            n--;
    if ((d = vigil_arena_alloc(&r->arena, n + 1)) == NULL) {
        evtx_fail(r, "record exceeds the arena bound");
        return NULL;
    }
    memcpy(d, s, n);
    d[n] = '\0';
    *out_len = n;
    return d;
}

/* Adds a field, as an integer when asked and the text is one. Running out
 * of fields only marks the event truncated. */
static void
evtx_add(struct evtx_rec *r, const char *name, const char *v, size_t n,
         int is_int)
{
    int64_t iv;
    enum vigil_rc rc;

    if (is_int && vigil_parse_i64(v, n, &iv))
        rc = vigil_event_add_int(&r->ev, name, v, n, iv);
    else
        rc = vigil_event_add_str(&r->ev, name, v, n);
    if (rc != VIGIL_OK && rc != VIGIL_ELIMIT)
        evtx_fail(r, "cannot add a field");
}

static void
evtx_system_attr(struct evtx_rec *r, const char *elem,
                 const struct evtx_attr *a)
{
    char name[EVTX_MAX_NAME];
    const char *fname = NULL, *val = r->abuf.p + a->voff;
    int is_int = 0;
    size_t i, vlen, el, al;
    char *v;

    if (strncmp(a->name, "xmlns", 5) == 0)
        return;
    for (i = 0; i < NELEM(sys_attrs); i++)
        if (strcmp(sys_attrs[i].attr, a->name) == 0 &&
            strcmp(sys_attrs[i].elem, elem) == 0) {
            fname = sys_attrs[i].name;
            is_int = sys_attrs[i].is_int;
            break;
        }
    if (fname == NULL) {
        el = strlen(elem);
        al = strlen(a->name);
        if (el + 1 + al >= sizeof(name))
            return;
        memcpy(name, elem, el);
        name[el] = '_';
        memcpy(name + el + 1, a->name, al);
        if ((fname = evtx_strdup(r, name, el + 1 + al)) == NULL)
            return;
    }
    if ((v = evtx_value(r, val, a->vlen, 0, &vlen)) == NULL)
        return;
    if (fname == sys_attrs[4].name) { /* TimeCreated_SystemTime */
        int64_t ns;
        if (vigil_time_parse_rfc3339(v, vlen, &ns)) {
            r->ev.time_ns = ns;
            if (vigil_event_add_time(&r->ev, fname, v, vlen, ns) ==
                VIGIL_ENOMEM)
                evtx_fail(r, "cannot add a field");
            return;
        }
    }
    evtx_add(r, fname, v, vlen, is_int);
}

static void
evtx_start_system(struct evtx_rec *r, struct evtx_frame *f, const char *local)
{
    size_t i;
    int k;

    for (i = 0; i < NELEM(sys_elems); i++)
        if (strcmp(sys_elems[i].name, local) == 0) {
            f->name = sys_elems[i].name;
            f->kind = sys_elems[i].is_int ? FR_SYS_INT : FR_PLAIN;
            break;
        }
    if (f->name == NULL)
        f->name = local; /* cached for the chunk, or in the arena */
    for (k = 0; k < r->nattrs && !r->bad; k++)
        if (r->attrs[k].keep)
            evtx_system_attr(r, f->name, &r->attrs[k]);
}

/* The value of the attribute called Name of the open element, or NULL. */
static const struct evtx_attr *
evtx_name_attr(struct evtx_rec *r)
{
    int k;

    for (k = 0; k < r->nattrs; k++)
        if (r->attrs[k].keep && strcmp(r->attrs[k].name, "Name") == 0)
            return &r->attrs[k];
    return NULL;
}

/* An element starts: its attributes are in r->attrs. */
static void
sax_start(struct evtx_rec *r, const char *name)
{
    struct evtx_frame *f;
    const char *local = evtx_local(name);
    const struct evtx_attr *a;

    if (r->depth >= EVTX_MAX_DEPTH) {
        evtx_fail(r, "element nesting exceeds the bound");
        return;
    }
    if (r->depth == 0 && r->st[0].has_child) {
        evtx_fail(r, "a second root element");
        return;
    }
    r->st[r->depth].has_child = 1;
    f = &r->st[++r->depth];
    f->name = NULL;
    f->raw = name;
    f->has_child = 0;
    f->kind = FR_PLAIN;
    f->opt_empty = 0;
    r->text.len = 0;
    if (r->depth == 1)
        return;
    if (r->depth == 2) {
        if (strcmp(local, "System") == 0)
            r->section = SEC_SYSTEM;
        else if (strcmp(local, "EventData") == 0)
            r->section = SEC_EVENTDATA;
        else if (strcmp(local, "UserData") == 0)
            r->section = SEC_USERDATA;
        else
            r->section = SEC_SKIP;
        if (r->section == SEC_EVENTDATA && (a = evtx_name_attr(r)) != NULL) {
            size_t n;
            char *v = evtx_value(r, r->abuf.p + a->voff, a->vlen, 0, &n);
            if (v)
                evtx_add(r, "EventData_Name", v, n, 0);
        }
        return;
    }
    if (r->section == SEC_SYSTEM) {
        if (r->depth == 3)
            evtx_start_system(r, f, local);
    } else if (r->section == SEC_EVENTDATA && r->depth == 3 &&
               strcmp(local, "Data") == 0) {
        f->kind = FR_DATA_UNNAMED;
        if ((a = evtx_name_attr(r)) != NULL) {
            size_t n;
            f->kind = FR_DATA_NAMED;
            f->name = evtx_value(r, r->abuf.p + a->voff, a->vlen, 0, &n);
        }
    } else if (r->section == SEC_EVENTDATA || r->section == SEC_USERDATA) {
        /* Other elements (Binary, UserData leaves) go by local name. */
        f->name = local;
    }
}

/* Is character data of the current element wanted? */
static int
sax_wants_text(const struct evtx_rec *r)
{
    return r->depth >= 3 && r->section != SEC_SKIP &&
           !r->st[r->depth].has_child;
}

/* A leaf below UserData (or nested inside EventData) is named by its local
 * name; when that name is taken, by its path below the section joined
 * with '_'. */
static const char *
evtx_leaf_name(struct evtx_rec *r)
{
    char name[EVTX_MAX_NAME];
    size_t n = 0, l;
    int d;

    if (vigil_event_get(&r->ev, r->st[r->depth].name) == NULL)
        return r->st[r->depth].name;
    for (d = 3; d <= r->depth; d++) {
        const char *part = r->st[d].name;
        if (part == NULL)
            continue;
        l = strlen(part);
        if (n + l + 2 > sizeof(name))
            return r->st[r->depth].name;
        if (n)
            name[n++] = '_';
        memcpy(name + n, part, l);
        n += l;
    }
    return evtx_strdup(r, name, n);
}

static void
evtx_leaf(struct evtx_rec *r, struct evtx_frame *f)
{
    const char *name;
    size_t n;
    char *v;

    if (r->section == SEC_SYSTEM) {
        if (r->depth != 3 || r->text.len == 0 || f->name == NULL)
            return;
        if ((v = evtx_value(r, r->text.p, r->text.len, 1, &n)) != NULL)
            evtx_add(r, f->name, v, n, f->kind == FR_SYS_INT);
        return;
    }
    if (r->section != SEC_EVENTDATA && r->section != SEC_USERDATA)
        return;
    if ((v = evtx_value(r, r->text.p, r->text.len, 1, &n)) == NULL)
        return;
    if (f->kind == FR_DATA_UNNAMED) {
        if (r->nunnamed < EVTX_MAX_UNNAMED) {
            r->unnamed[r->nunnamed].p = v;
            r->unnamed[r->nunnamed].n = n;
            r->nunnamed++;
        } else {
            r->ev.truncated = 1;
        }
        return;
    }
    if (f->name == NULL)
        return;
    name = r->section == SEC_EVENTDATA && r->depth == 3 ? f->name
                                                        : evtx_leaf_name(r);
    if (name)
        evtx_add(r, name, v, n, 0);
}

/* Unnamed <Data> values: one becomes `Data`; several become `Data` (all of
 * them joined with '\n', so Sigma's `Data|contains` sees every value) and
 * `Data_1` .. `Data_N`. */
static void
evtx_flush_unnamed(struct evtx_rec *r)
{
    size_t total = 0, i, n;
    char *joined, *p;
    char name[16];

    if (r->nunnamed == 0)
        return;
    if (r->nunnamed == 1) {
        evtx_add(r, "Data", r->unnamed[0].p, r->unnamed[0].n, 0);
        r->nunnamed = 0;
        return;
    }
    for (i = 0; i < r->nunnamed; i++)
        total += r->unnamed[i].n + 1;
    if ((joined = vigil_arena_alloc(&r->arena, total)) == NULL) {
        evtx_fail(r, "record exceeds the arena bound");
        return;
    }
    for (p = joined, i = 0; i < r->nunnamed; i++) {
        memcpy(p, r->unnamed[i].p, r->unnamed[i].n);
        p += r->unnamed[i].n;
        *p++ = i + 1 < r->nunnamed ? '\n' : '\0';
    }
    evtx_add(r, "Data", joined, total - 1, 0);
    for (i = 0; i < r->nunnamed && !r->bad; i++) {
        n = (size_t)snprintf(name, sizeof(name), "Data_%zu", i + 1);
        if (vigil_event_add_dyn(&r->ev, name, n, r->unnamed[i].p,
                                r->unnamed[i].n) == VIGIL_ENOMEM)
            evtx_fail(r, "record exceeds the arena bound");
    }
    r->nunnamed = 0;
}

static void
sax_end(struct evtx_rec *r)
{
    struct evtx_frame *f;

    if (r->depth <= 0) {
        evtx_fail(r, "an end tag without an element");
        return;
    }
    f = &r->st[r->depth];
    /* An element whose only content was an empty optional substitution
     * is not there (Windows leaves it out of the rendering). */
    if (r->depth >= 3 && !f->has_child && !(f->opt_empty && r->text.len == 0))
        evtx_leaf(r, f);
    if (r->depth == 2) {
        if (r->section == SEC_EVENTDATA)
            evtx_flush_unnamed(r);
        r->section = SEC_NONE;
    }
    r->depth--;
    r->text.len = 0;
}

/* ------------------------------------------------------------------ */
/* Tokens                                                               */
/* ------------------------------------------------------------------ */

static struct evtx_sb *bx_text_sink(struct evtx_rec *r);

/* Where the value tokens at this point go: the attribute being read, the
 * current element's text, or nowhere (text nobody keeps is not even
 * converted). */
static struct evtx_sb *
bx_sink(struct evtx_rec *r)
{
    if (r->in_attr)
        return &r->abuf;
    return bx_text_sink(r);
}

/* The sink of a value written in place (not substituted). */
static struct evtx_sb *
bx_literal_sink(struct evtx_rec *r)
{
    if (r->in_attr) {
        r->attrs[r->nattrs - 1].literal = 1;
        return &r->abuf;
    }
    return bx_text_sink(r);
}

static struct evtx_sb *
bx_text_sink(struct evtx_rec *r)
{
    if (r->open_name == NULL && sax_wants_text(r))
        return &r->text;
    return NULL;
}

static void
bx_attr_done(struct evtx_rec *r)
{
    if (r->in_attr) {
        struct evtx_attr *a = &r->attrs[r->nattrs - 1];
        a->vlen = (uint32_t)(r->abuf.len - a->voff);
        /* An attribute whose substitutions were all empty is left out,
         * as Windows renders it (<Correlation/>, no ActivityID="") */
        a->keep = a->vlen > 0 || a->literal;
        r->in_attr = 0;
    }
}

/* The start tag ends (close_empty: and the element with it). */
static void
bx_close_start(struct evtx_rec *r, int close_empty)
{
    const char *name = r->open_name;

    if (name == NULL) {
        evtx_fail(r, "a start tag closed outside an element");
        return;
    }
    bx_attr_done(r);
    r->open_name = NULL;
    sax_start(r, name);
    r->attrs_depth = r->depth;
    if (close_empty && !r->bad)
        sax_end(r);
}

static int bx_walk(struct evtx_rec *r, uint32_t pos, uint32_t end,
                   uint32_t vbase, uint32_t nv, int nest, uint32_t *out);

/* An array as an element's content: Windows renders one element per
 * item (<Data>a</Data><Data>b</Data>), so the element is ended and
 * started again, with its attributes, between items. */
static void
bx_array_elements(struct evtx_rec *r, const struct evtx_val *v)
{
    uint8_t t = (uint8_t)(v->type & 0x7F);
    size_t fixed = evtx_value_fixed_size(t), i = 0, item = 0;
    const char *raw = r->st[r->depth].raw;
    int attrs_ok = r->attrs_depth == r->depth;

    if (t == EVTX_V_SIZET)
        fixed = 8;
    while (i < v->n && !r->bad) {
        size_t j = i, next;
        struct evtx_sb *sink;
        if (t == EVTX_V_STRING) {
            while (j + 1 < v->n && evtx_u16(v->p + j) != 0)
                j += 2;
            next = j + 2;
        } else if (t == EVTX_V_ANSI) {
            while (j < v->n && v->p[j] != 0)
                j++;
            next = j + 1;
        } else if (fixed && i + fixed <= v->n) {
            j = i + fixed;
            next = j;
        } else {
            return; /* a malformed array: left out */
        }
        if (item++ > 0) {
            sax_end(r);
            if (!attrs_ok)
                r->nattrs = 0;
            if (r->bad)
                return;
            sax_start(r, raw);
            r->attrs_depth = r->depth;
            attrs_ok = 1;
        }
        if ((sink = bx_sink(r)) != NULL &&
            !evtx_value_put(sink, t, v->p + i, j - i) && sink->over)
            evtx_fail(r, "a value exceeds the text bound");
        i = next;
    }
}

/* A substitution: value number id of the template instance being walked. */
static void
bx_subst(struct evtx_rec *r, uint16_t id, int optional, uint32_t vbase,
         uint32_t nv, int nest)
{
    const struct evtx_val *v;
    struct evtx_sb *sink;
    uint32_t done;

    if (id >= nv) {
        /* Windows writes no value for an optional substitution past the
         * instance's list; a normal one must have its value. */
        if (!optional)
            evtx_fail(r, "a substitution without a value");
        return;
    }
    v = &r->vals[vbase + id];
    if (optional && (v->type == EVTX_V_NULL || v->n == 0)) {
        if (!r->in_attr && r->open_name == NULL)
            r->st[r->depth].opt_empty = 1;
        return;
    }
    if (v->type == EVTX_V_BXML) {
        uint32_t off = (uint32_t)(v->p - r->chunk);
        if (r->in_attr || r->open_name != NULL)
            return; /* markup cannot be an attribute's value */
        (void)bx_walk(r, off, off + v->n, r->nvals, 0, nest + 1, &done);
        return;
    }
    if ((v->type & EVTX_V_ARRAY) && !r->in_attr && r->open_name == NULL &&
        r->depth >= 1) {
        bx_array_elements(r, v);
        return;
    }
    if ((sink = bx_sink(r)) == NULL)
        return;
    if (!evtx_value_put(sink, v->type, v->p, v->n)) {
        if (sink->over)
            evtx_fail(r, "a value exceeds the text bound");
        /* A malformed value (a SID shorter than its count says) is left
         * out rather than failing the whole record. */
    }
}

/* A template instance at pos: its definition (in place or earlier in the
 * chunk) walked with its substitution values. */
static uint32_t
bx_template(struct evtx_rec *r, uint32_t pos, uint32_t end, int nest)
{
    const uint8_t *c = r->chunk;
    uint32_t def, body, bsize, nv, i, vpos, base = r->nvals, done;

    if ((uint64_t)pos + 10 > end)
        goto bad;
    def = evtx_u32(c + pos + 6);
    pos += 10;
    if ((uint64_t)def + 24 > r->chunk_len)
        goto bad;
    bsize = evtx_u32(c + def + 20);
    body = def + 24;
    if ((uint64_t)body + bsize > r->chunk_len)
        goto bad;
    if (def == pos) { /* defined here: skip over the definition */
        if ((uint64_t)body + bsize > end)
            goto bad;
        pos = body + bsize;
    }
    if ((uint64_t)pos + 4 > end)
        goto bad;
    nv = evtx_u32(c + pos);
    pos += 4;
    if (nv > EVTX_MAX_VALS - r->nvals || (uint64_t)pos + 4 * (uint64_t)nv > end)
        goto bad;
    vpos = pos + 4 * nv;
    for (i = 0; i < nv; i++) {
        struct evtx_val *v = &r->vals[base + i];
        uint16_t size = evtx_u16(c + pos + 4 * i);
        if ((uint64_t)vpos + size > end)
            goto bad;
        v->p = c + vpos;
        v->n = size;
        v->type = c[pos + 4 * i + 2];
        vpos += size;
    }
    r->nvals = base + nv;
    if (bx_walk(r, body, body + bsize, base, nv, nest + 1, &done) != 0) {
        r->nvals = base;
        return 0;
    }
    r->nvals = base;
    return vpos;
bad:
    evtx_fail(r, "a template instance does not fit its record");
    return 0;
}

/* Reads a name reference at pos (4 bytes), skipping a name defined in
 * place; returns the name (NULL: failed) and moves *pos past it. */
static const char *
bx_name_ref(struct evtx_rec *r, uint32_t *pos, uint32_t end)
{
    uint32_t off, size = 0;
    const char *s;

    if ((uint64_t)*pos + 4 > end) {
        evtx_fail(r, "a name reference past the end");
        return NULL;
    }
    off = evtx_u32(r->chunk + *pos);
    *pos += 4;
    if ((s = bx_name(r, off, &size)) == NULL)
        return NULL;
    if (off == *pos) {
        if ((uint64_t)*pos + size > end) {
            evtx_fail(r, "a name past the end");
            return NULL;
        }
        *pos += size;
    }
    return s;
}

/* Could a name be at chunk offset off, referenced from pos (name_at:
 * where a name defined in place would start)? Names lie past the chunk
 * header, before the reference or right at it. */
static int
bx_name_plausible(const struct evtx_rec *r, uint32_t off, uint32_t pos,
                  uint32_t name_at)
{
    return off >= EVTX_CHUNK_HDR && (off < pos || off == name_at) &&
           (uint64_t)off + 8 <= r->chunk_len &&
           (uint64_t)off + 10 + 2 * (uint64_t)evtx_u16(r->chunk + off + 6) <=
               r->chunk_len;
}

/* An element's start at pos: token, dependency identifier (u16), data
 * size (u32), name reference. Some writers leave the dependency
 * identifier out; the name reference tells which layout it is. Returns
 * the position of the name reference, 0 on failure. */
static uint32_t
bx_open_name(struct evtx_rec *r, uint32_t pos, uint32_t end)
{
    if ((uint64_t)pos + 11 <= end &&
        bx_name_plausible(r, evtx_u32(r->chunk + pos + 7), pos, pos + 11))
        return pos + 7;
    if ((uint64_t)pos + 9 <= end &&
        bx_name_plausible(r, evtx_u32(r->chunk + pos + 5), pos, pos + 9))
        return pos + 5;
    evtx_fail(r, "an element without a readable name");
    return 0;
}

/* Appends the UTF-16 text of a counted string at pos to the current sink
 * (or skips it); returns the position past it, 0 on failure. */
static uint32_t
bx_counted_text(struct evtx_rec *r, uint32_t pos, uint32_t end)
{
    uint32_t n;
    struct evtx_sb *sink;

    if ((uint64_t)pos + 2 > end)
        goto bad;
    n = evtx_u16(r->chunk + pos);
    pos += 2;
    if ((uint64_t)pos + 2 * (uint64_t)n > end)
        goto bad;
    if ((sink = bx_literal_sink(r)) != NULL &&
        !evtx_utf16_put(sink, r->chunk + pos, n))
        evtx_fail(r, "a value exceeds the text bound");
    return pos + 2 * n;
bad:
    evtx_fail(r, "a value past the end");
    return 0;
}

static void
bx_put_codepoint(struct evtx_rec *r, uint32_t c)
{
    struct evtx_sb *sink = bx_literal_sink(r);
    uint8_t u[4];

    if (sink == NULL)
        return;
    if (c >= 0xD800 && c <= 0xDFFF)
        c = 0xFFFD;
    u[0] = (uint8_t)c, u[1] = (uint8_t)(c >> 8);
    if (!evtx_utf16_put(sink, u, 1))
        evtx_fail(r, "a value exceeds the text bound");
}

/* An entity reference: the five XML entities as their characters, any
 * other as written (&name;). */
static void
bx_put_entity(struct evtx_rec *r, const char *name)
{
    static const struct {
        const char *name;
        char c;
    } ents[] = {
        {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
    struct evtx_sb *sink = bx_literal_sink(r);
    size_t i;
    int ok = 1;

    if (sink == NULL)
        return;
    for (i = 0; i < NELEM(ents); i++)
        if (strcmp(ents[i].name, name) == 0) {
            if (!evtx_sb_put(sink, &ents[i].c, 1))
                evtx_fail(r, "a value exceeds the text bound");
            return;
        }
    ok = evtx_sb_put(sink, "&", 1) && evtx_sb_put(sink, name, strlen(name)) &&
         evtx_sb_put(sink, ";", 1);
    if (!ok)
        evtx_fail(r, "a value exceeds the text bound");
}

/* Walks the tokens in [pos, end) until the fragment's end token (or end),
 * with the substitution values vals[vbase .. vbase+nv). *out: where the
 * walk stopped. Returns 0, or -1 with the record failed. */
static int
bx_walk(struct evtx_rec *r, uint32_t pos, uint32_t end, uint32_t vbase,
        uint32_t nv, int nest, uint32_t *out)
{
    const uint8_t *c = r->chunk;

    if (nest > EVTX_MAX_NEST) {
        evtx_fail(r, "templates nest too deep");
        return -1;
    }
    if (end > r->chunk_len) {
        evtx_fail(r, "binary XML past the chunk");
        return -1;
    }
    while (pos < end && !r->bad) {
        uint8_t tok = c[pos];
        const char *name;

        if (++r->tokens > EVTX_MAX_TOKENS ||
            ++r->chunk_tokens > EVTX_MAX_CHUNK_TOKENS) {
            evtx_fail(r, "too many tokens");
            break;
        }
        switch (tok & 0xBF) {
        case T_EOF:
            *out = pos + 1;
            return 0;
        case T_FRAGMENT:
            pos += 4;
            break;
        case T_OPEN:
            if (r->open_name != NULL) {
                evtx_fail(r, "an element opened inside a start tag");
                break;
            }
            if ((pos = bx_open_name(r, pos, end)) == 0 ||
                (name = bx_name_ref(r, &pos, end)) == NULL)
                break;
            if (tok & 0x40)
                pos += 4; /* attribute list size */
            r->open_name = name;
            r->attrs_depth = -1;
            r->nattrs = 0;
            r->abuf.len = 0;
            r->in_attr = 0;
            break;
        case T_CLOSE_START:
        case T_CLOSE_EMPTY:
            bx_close_start(r, (tok & 0xBF) == T_CLOSE_EMPTY);
            pos++;
            break;
        case T_END:
            if (r->open_name != NULL) {
                evtx_fail(r, "an end tag inside a start tag");
                break;
            }
            sax_end(r);
            pos++;
            break;
        case T_ATTR:
            pos++;
            if (r->open_name == NULL) {
                evtx_fail(r, "an attribute outside a start tag");
                break;
            }
            bx_attr_done(r);
            if (r->nattrs >= EVTX_MAX_ATTRS) {
                evtx_fail(r, "attributes exceed the bound");
                break;
            }
            if ((name = bx_name_ref(r, &pos, end)) == NULL)
                break;
            r->attrs[r->nattrs].name = evtx_local(name);
            r->attrs[r->nattrs].voff = (uint32_t)r->abuf.len;
            r->attrs[r->nattrs].vlen = 0;
            r->attrs[r->nattrs].keep = 1;
            r->attrs[r->nattrs].literal = 0;
            r->nattrs++;
            r->in_attr = 1;
            break;
        case T_VALUE: {
            uint8_t t;
            size_t fixed;
            struct evtx_sb *sink;
            if ((uint64_t)pos + 2 > end) {
                evtx_fail(r, "a value past the end");
                break;
            }
            t = c[pos + 1];
            pos += 2;
            if (t == EVTX_V_STRING) {
                pos = bx_counted_text(r, pos, end);
                break;
            }
            fixed = evtx_value_fixed_size(t);
            if (fixed == 0 || (uint64_t)pos + fixed > end) {
                evtx_fail(r, "a value of unknown size");
                break;
            }
            if ((sink = bx_literal_sink(r)) != NULL &&
                !evtx_value_put(sink, t, c + pos, fixed) && sink->over)
                evtx_fail(r, "a value exceeds the text bound");
            pos += (uint32_t)fixed;
            break;
        }
        case T_CDATA:
            pos = bx_counted_text(r, pos + 1, end);
            break;
        case T_CHARREF:
            if ((uint64_t)pos + 3 > end) {
                evtx_fail(r, "a character reference past the end");
                break;
            }
            bx_put_codepoint(r, evtx_u16(c + pos + 1));
            pos += 3;
            break;
        case T_ENTREF:
            pos++;
            if ((name = bx_name_ref(r, &pos, end)) != NULL)
                bx_put_entity(r, name);
            break;
        case T_PI_TARGET:
            pos++;
            (void)bx_name_ref(r, &pos, end);
            break;
        case T_PI_DATA: {
            /* Instructions carry no event data: skipped. */
            uint32_t n;
            if ((uint64_t)pos + 3 > end) {
                evtx_fail(r, "a processing instruction past the end");
                break;
            }
            n = evtx_u16(c + pos + 1);
            pos += 3 + 2 * n;
            break;
        }
        case T_TEMPLATE:
            pos = bx_template(r, pos, end, nest);
            break;
        case T_SUBST:
        case T_SUBST_OPT:
            if ((uint64_t)pos + 4 > end) {
                evtx_fail(r, "a substitution past the end");
                break;
            }
            bx_subst(r, evtx_u16(c + pos + 1), (tok & 0xBF) == T_SUBST_OPT,
                     vbase, nv, nest);
            pos += 4;
            break;
        default:
            evtx_fail(r, "an unknown binary XML token");
            break;
        }
    }
    *out = pos;
    return r->bad ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Records                                                              */
/* ------------------------------------------------------------------ */

enum vigil_rc
evtx_rec_init(struct evtx_rec *r)
{
    memset(r, 0, sizeof(*r));
    vigil_arena_init(&r->arena, EVTX_ARENA_CHUNK, EVTX_ARENA_MAX);
    r->pool = malloc(EVTX_NAME_POOL);
    return r->pool ? VIGIL_OK : VIGIL_ENOMEM;
}

void
evtx_rec_fini(struct evtx_rec *r)
{
    vigil_arena_fini(&r->arena);
    free(r->pool);
    evtx_sb_fini(&r->text);
    evtx_sb_fini(&r->abuf);
}

void
evtx_rec_chunk(struct evtx_rec *r, const uint8_t *chunk, uint32_t len)
{
    r->chunk = chunk;
    r->chunk_len = len;
    memset(r->names, 0, sizeof(r->names));
    r->pool_used = 0;
    r->chunk_tokens = 0;
}

int
evtx_rec_decode(struct evtx_rec *r, uint32_t off, uint32_t size)
{
    uint32_t done = 0;

    vigil_event_init(&r->ev, &r->arena);
    r->ev.family = VIGIL_FAMILY_WINDOWS;
    r->depth = 0;
    r->section = SEC_NONE;
    r->bad = 0;
    r->why = NULL;
    r->nunnamed = 0;
    r->text.len = 0;
    r->text.over = 0;
    r->abuf.len = 0;
    r->abuf.over = 0;
    r->nattrs = 0;
    r->in_attr = 0;
    r->open_name = NULL;
    r->nvals = 0;
    r->tokens = 0;
    r->arena_full = 0;
    r->st[0].has_child = 0;
    if (bx_walk(r, off + EVTX_REC_HDR, off + size - 4, 0, 0, 0, &done) != 0)
        return -1;
    if (r->depth != 0 || r->open_name != NULL || r->ev.nfields == 0) {
        evtx_fail(r, r->ev.nfields ? "unbalanced elements" : "no fields");
        return -1;
    }
    return 0;
}
