/* parse_evtx.c -- Windows EVTX files to Events.
 *
 * libevtx walks the chunks and renders each record as XML; expat flattens
 * that XML into the field names Sigma rules use (EventID, Channel,
 * Provider_Name, CommandLine, ...). The rules are in docs/evtx.md.
 *
 * One reader (arena, event, expat parser, buffers) serves a whole file and
 * is reset per record, so the steady state allocates nothing beyond what
 * libevtx itself does per record. Everything is bounded: XML size per
 * record, element depth, attributes per element, arena bytes. A record
 * libevtx or expat refuses is counted in stats->failed and skipped. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <expat.h>
#include <libevtx.h>
#include <zlib.h>

#include "parse.h"

#define EVTX_MAX_XML     (1024 * 1024) /* rendered XML of one record */
#define EVTX_MAX_DEPTH   16            /* element nesting */
#define EVTX_MAX_ATTRS   16            /* attributes of one element */
#define EVTX_MAX_UNNAMED 64            /* unnamed <Data> of one record */
#define EVTX_MAX_NAME    256           /* a flattened field name */
#define EVTX_ARENA_CHUNK (256 * 1024)
#define EVTX_ARENA_MAX   (16 * 1024 * 1024)
#define EVTX_SIGNATURE   "ElfFile" /* 8 bytes with its NUL */

/* Control characters are not allowed in XML 1.0, yet EVTX strings carry
 * them (and \r, which XML would fold). Before expat sees a record, each
 * such byte c becomes the private-use character U+F700+c (EF 9C 80+c),
 * U+FFFE/U+FFFF become U+F720/U+F721; values are mapped back afterwards,
 * so a hostile control character cannot make a record unreadable. */
#define EVTX_MAP_B0 0xEF
#define EVTX_MAP_B1 0x9C

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

struct evtx_frame {
    const char *name; /* static, or NUL-terminated in the arena */
    uint8_t has_child;
    uint8_t kind; /* enum evtx_kind */
};

struct evtx_span {
    const char *p;
    size_t n;
};

struct evtx_reader {
    struct vigil_arena arena;
    struct vigil_event ev;
    XML_Parser xp;
    char *xml; /* libevtx's rendering, reused */
    size_t xml_cap;
    char *map; /* the rendering with control characters mapped */
    size_t map_cap;
    char *text; /* character data of the current element */
    size_t text_len, text_cap;
    const char *why; /* why the current record failed, static */
    int depth;
    int section;
    int bad;
    struct evtx_frame st[EVTX_MAX_DEPTH + 1];
    struct evtx_span unnamed[EVTX_MAX_UNNAMED];
    unsigned nunnamed;
    uint64_t *ids; /* identifiers of allocated records (damaged files) */
    size_t nids;
    vigil_event_fn fn;
    void *arg;
    struct vigil_evtx_stats *stats;
};

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

/* System attributes flattened as Element_Attribute. */
static const struct {
    const char *name;
    int is_int;
} sys_attrs[] = {
    {"Provider_Name", 0},
    {"Provider_Guid", 0},
    {"Provider_EventSourceName", 0},
    {"EventID_Qualifiers", 1},
    {"TimeCreated_SystemTime", 0},
    {"Correlation_ActivityID", 0},
    {"Correlation_RelatedActivityID", 0},
    {"Execution_ProcessID", 1},
    {"Execution_ThreadID", 1},
    {"Execution_ProcessorID", 1},
    {"Execution_SessionID", 1},
    {"Execution_KernelTime", 1},
    {"Execution_UserTime", 1},
    {"Execution_ProcessorTime", 1},
    {"Security_UserID", 0},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The local part of a (possibly prefixed) element or attribute name. */
static const char *
evtx_local(const char *name)
{
    const char *c = strrchr(name, ':');

    return c ? c + 1 : name;
}

static void
evtx_fail(struct evtx_reader *r, const char *why)
{
    if (!r->bad) {
        r->bad = 1;
        r->why = why;
        XML_StopParser(r->xp, XML_FALSE);
    }
}

static char *
evtx_strdup(struct evtx_reader *r, const char *s, size_t n)
{
    char *p = vigil_arena_strndup(&r->arena, s, n);

    if (p == NULL)
        evtx_fail(r, "record exceeds the arena bound");
    return p;
}

/* ------------------------------------------------------------------ */
/* Values                                                               */
/* ------------------------------------------------------------------ */

static int
evtx_is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
}

/* Copies the text of a value into the arena: maps control characters back
 * (see EVTX_MAP_B0), drops trailing white space when trim is set, and
 * writes libevtx's zero-padded hexadecimal integers ("0x00001010") the
 * way Windows renders them ("0x1010"). Returns NULL on arena exhaustion
 * (and fails the record). */
static char *
evtx_value(struct evtx_reader *r, const char *s, size_t n, int trim,
           size_t *out_len)
{
    char *d = vigil_arena_alloc(&r->arena, n + 1);
    size_t i, j = 0, k;

    if (d == NULL) {
        evtx_fail(r, "record exceeds the arena bound");
        return NULL;
    }
    if (memchr(s, EVTX_MAP_B0, n) == NULL) {
        memcpy(d, s, n);
        j = n;
    } else {
        for (i = 0; i < n; i++) {
            unsigned char c2;
            if ((unsigned char)s[i] != EVTX_MAP_B0 || i + 2 >= n ||
                (unsigned char)s[i + 1] != EVTX_MAP_B1) {
                d[j++] = s[i];
                continue;
            }
            c2 = (unsigned char)s[i + 2];
            if (c2 >= 0x80 && c2 <= 0x9F) {
                d[j++] = (char)(c2 - 0x80);
            } else if (c2 == 0xA0 || c2 == 0xA1) {
                d[j++] = (char)0xEF;
                d[j++] = (char)0xBF;
                d[j++] = (char)(c2 == 0xA0 ? 0xBE : 0xBF);
            } else {
                d[j++] = s[i];
                continue;
            }
            i += 2;
        }
    }
    if (trim)
        while (j > 0 && (d[j - 1] == ' ' || d[j - 1] == '\t' ||
                         d[j - 1] == '\n' || d[j - 1] == '\r'))
            j--;
    if ((j == 10 || j == 18) && d[0] == '0' && d[1] == 'x' && d[2] == '0') {
        for (i = 2; i < j && evtx_is_hex(d[i]); i++)
            ;
        if (i == j) {
            for (k = 2; k + 1 < j && d[k] == '0'; k++)
                ;
            memmove(d + 2, d + k, j - k);
            j = 2 + (j - k);
        }
    }
    d[j] = '\0';
    *out_len = j;
    return d;
}

/* Adds a field, as an integer when asked and the text is one. Running out
 * of fields only marks the event truncated. */
static void
evtx_add(struct evtx_reader *r, const char *name, const char *v, size_t n,
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

/* ------------------------------------------------------------------ */
/* Flattening                                                           */
/* ------------------------------------------------------------------ */

static void
evtx_system_attr(struct evtx_reader *r, const char *elem, const char *attr,
                 const char *val)
{
    char name[EVTX_MAX_NAME];
    const char *fname = NULL;
    int is_int = 0, n;
    size_t i, vlen;
    char *v;

    n = snprintf(name, sizeof(name), "%s_%s", elem, evtx_local(attr));
    if (n < 0 || (size_t)n >= sizeof(name) || strncmp(attr, "xmlns", 5) == 0)
        return;
    for (i = 0; i < NELEM(sys_attrs); i++)
        if (strcmp(sys_attrs[i].name, name) == 0) {
            fname = sys_attrs[i].name;
            is_int = sys_attrs[i].is_int;
            break;
        }
    if (fname == NULL && (fname = evtx_strdup(r, name, (size_t)n)) == NULL)
        return;
    if ((v = evtx_value(r, val, strlen(val), 0, &vlen)) == NULL)
        return;
    if (strcmp(fname, "TimeCreated_SystemTime") == 0) {
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
evtx_start_system(struct evtx_reader *r, struct evtx_frame *f,
                  const char *local, const XML_Char **atts)
{
    size_t i;

    for (i = 0; i < NELEM(sys_elems); i++)
        if (strcmp(sys_elems[i].name, local) == 0) {
            f->name = sys_elems[i].name;
            f->kind = sys_elems[i].is_int ? FR_SYS_INT : FR_PLAIN;
            break;
        }
    if (f->name == NULL &&
        (f->name = evtx_strdup(r, local, strlen(local))) == NULL)
        return;
    for (i = 0; atts[i] && !r->bad; i += 2)
        evtx_system_attr(r, f->name, atts[i], atts[i + 1]);
}

static void XMLCALL
evtx_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct evtx_reader *r = ud;
    struct evtx_frame *f;
    const char *local = evtx_local(name);
    size_t nat = 0, i;

    if (r->bad)
        return;
    while (atts[nat])
        nat += 2;
    if (r->depth >= EVTX_MAX_DEPTH || nat / 2 > EVTX_MAX_ATTRS) {
        evtx_fail(r, "element nesting or attributes exceed the bounds");
        return;
    }
    r->st[r->depth].has_child = 1;
    f = &r->st[++r->depth];
    f->name = NULL;
    f->has_child = 0;
    f->kind = FR_PLAIN;
    r->text_len = 0;
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
        if (r->section == SEC_EVENTDATA)
            for (i = 0; atts[i]; i += 2)
                if (strcmp(atts[i], "Name") == 0) {
                    size_t n;
                    char *v =
                        evtx_value(r, atts[i + 1], strlen(atts[i + 1]), 0, &n);
                    if (v)
                        evtx_add(r, "EventData_Name", v, n, 0);
                }
        return;
    }
    if (r->section == SEC_SYSTEM) {
        if (r->depth == 3)
            evtx_start_system(r, f, local, atts);
    } else if (r->section == SEC_EVENTDATA && r->depth == 3 &&
               strcmp(local, "Data") == 0) {
        f->kind = FR_DATA_UNNAMED;
        for (i = 0; atts[i]; i += 2)
            if (strcmp(atts[i], "Name") == 0) {
                size_t n;
                f->kind = FR_DATA_NAMED;
                f->name =
                    evtx_value(r, atts[i + 1], strlen(atts[i + 1]), 0, &n);
                break;
            }
    } else if (r->section == SEC_EVENTDATA || r->section == SEC_USERDATA) {
        /* Other elements (Binary, UserData leaves) go by local name. */
        f->name = evtx_strdup(r, local, strlen(local));
    }
}

static void XMLCALL
evtx_chars(void *ud, const XML_Char *s, int len)
{
    struct evtx_reader *r = ud;
    size_t need;

    if (r->bad || r->depth < 3 || r->section == SEC_SKIP ||
        r->st[r->depth].has_child || len <= 0)
        return;
    need = r->text_len + (size_t)len;
    /* Bounded by the record's XML size; grows only a few times per file. */
    if (vigil_grow(&r->text, &r->text_cap, need, 1, 0) != VIGIL_OK) {
        evtx_fail(r, "out of memory");
        return;
    }
    memcpy(r->text + r->text_len, s, (size_t)len);
    r->text_len = need;
}

/* Does the event already hold a field called name? */
static int
evtx_has(const struct evtx_reader *r, const char *name)
{
    return vigil_event_get(&r->ev, name) != NULL;
}

/* A leaf below UserData (or nested inside EventData) is named by its local
 * name; when that name is taken, by its path below the section joined
 * with '_'. */
static const char *
evtx_leaf_name(struct evtx_reader *r)
{
    char name[EVTX_MAX_NAME];
    size_t n = 0, l;
    int d;

    if (!evtx_has(r, r->st[r->depth].name))
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
evtx_leaf(struct evtx_reader *r, struct evtx_frame *f)
{
    const char *name;
    size_t n;
    char *v;

    if (r->section == SEC_SYSTEM) {
        if (r->depth != 3 || r->text_len == 0 || f->name == NULL)
            return;
        if ((v = evtx_value(r, r->text, r->text_len, 1, &n)) != NULL)
            evtx_add(r, f->name, v, n, f->kind == FR_SYS_INT);
        return;
    }
    if (r->section != SEC_EVENTDATA && r->section != SEC_USERDATA)
        return;
    if ((v = evtx_value(r, r->text, r->text_len, 1, &n)) == NULL)
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
evtx_flush_unnamed(struct evtx_reader *r)
{
    size_t total = 0, i, n;
    char *joined, *p;
    char name[16];

    if (r->nunnamed == 0)
        return;
    if (r->nunnamed == 1) {
        evtx_add(r, "Data", r->unnamed[0].p, r->unnamed[0].n, 0);
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

static void XMLCALL
evtx_end(void *ud, const XML_Char *name)
{
    struct evtx_reader *r = ud;
    struct evtx_frame *f;

    (void)name;
    if (r->bad || r->depth <= 0)
        return;
    f = &r->st[r->depth];
    if (r->depth >= 3 && !f->has_child)
        evtx_leaf(r, f);
    if (r->depth == 2) {
        if (r->section == SEC_EVENTDATA)
            evtx_flush_unnamed(r);
        r->section = SEC_NONE;
    }
    r->depth--;
    r->text_len = 0;
}

/* libevtx never writes a DOCTYPE; one in a record means hostile input, so
 * no DTD (and so no entity) is ever processed. */
static void XMLCALL
evtx_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
             const XML_Char *pubid, int has_internal_subset)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    evtx_fail(ud, "record XML has a DOCTYPE");
}

static void XMLCALL
evtx_entity(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
            int value_len, const XML_Char *base, const XML_Char *sysid,
            const XML_Char *pubid, const XML_Char *notation)
{
    (void)name, (void)is_param, (void)value, (void)value_len, (void)base;
    (void)sysid, (void)pubid, (void)notation;
    evtx_fail(ud, "record XML declares an entity");
}

/* ------------------------------------------------------------------ */
/* Records                                                              */
/* ------------------------------------------------------------------ */

static int
evtx_needs_map(const unsigned char *u, size_t i, size_t n)
{
    return (u[i] < 0x20 && u[i] != '\n' && u[i] != '\t') ||
           (u[i] == 0xEF && i + 2 < n && u[i + 1] == 0xBF &&
            (u[i + 2] == 0xBE || u[i + 2] == 0xBF));
}

/* Maps the bytes XML refuses (see EVTX_MAP_B0). Returns the text to parse:
 * xml itself when nothing needed mapping; NULL when out of memory. */
static const char *
evtx_map_xml(struct evtx_reader *r, const char *xml, size_t n, size_t *out_len)
{
    const unsigned char *u = (const unsigned char *)xml;
    size_t i, j = 0, first = n;

    for (i = 0; i < n; i++)
        if ((u[i] < 0x20 || u[i] == 0xEF) && evtx_needs_map(u, i, n)) {
            first = i;
            break;
        }
    if (first == n) {
        *out_len = n;
        return xml;
    }
    /* At most 3 bytes out per byte in. */
    if (vigil_grow(&r->map, &r->map_cap, 3 * n, 1, 0) != VIGIL_OK)
        return NULL;
    memcpy(r->map, xml, first);
    j = first;
    for (i = first; i < n; i++) {
        if (!evtx_needs_map(u, i, n)) {
            r->map[j++] = xml[i];
            continue;
        }
        r->map[j++] = (char)EVTX_MAP_B0;
        r->map[j++] = (char)EVTX_MAP_B1;
        if (u[i] < 0x20) {
            r->map[j++] = (char)(0x80 + u[i]);
        } else {
            r->map[j++] = (char)(u[i + 2] == 0xBE ? 0xA0 : 0xA1);
            i += 2;
        }
    }
    *out_len = j;
    return r->map;
}

static void
evtx_parser_setup(struct evtx_reader *r)
{
    XML_SetUserData(r->xp, r);
    XML_SetElementHandler(r->xp, evtx_start, evtx_end);
    XML_SetCharacterDataHandler(r->xp, evtx_chars);
    XML_SetStartDoctypeDeclHandler(r->xp, evtx_doctype);
    XML_SetEntityDeclHandler(r->xp, evtx_entity);
    XML_SetParamEntityParsing(r->xp, XML_PARAM_ENTITY_PARSING_NEVER);
}

/* Decodes one record and hands it to the callback. A record that cannot
 * be decoded is counted and skipped (VIGIL_OK); only the callback's
 * verdict or running out of memory stops the file. */
static enum vigil_rc
evtx_record(struct evtx_reader *r, libevtx_record_t *rec, uint64_t index,
            int recovered)
{
    libevtx_error_t *e = NULL;
    size_t size = 0, n, raw_len;
    const char *doc;

    if (libevtx_record_get_utf8_xml_string_size(rec, &size, &e) != 1 ||
        size < 2 || size > EVTX_MAX_XML)
        goto bad;
    if (vigil_grow(&r->xml, &r->xml_cap, size, 1, 0) != VIGIL_OK)
        return VIGIL_ENOMEM;
    if (libevtx_record_get_utf8_xml_string(rec, (uint8_t *)r->xml, size, &e) !=
        1)
        goto bad;
    raw_len = strnlen(r->xml, size);
    if ((doc = evtx_map_xml(r, r->xml, raw_len, &n)) == NULL)
        return VIGIL_ENOMEM;

    vigil_arena_reset(&r->arena);
    vigil_event_init(&r->ev, &r->arena);
    r->ev.family = VIGIL_FAMILY_WINDOWS;
    r->ev.raw = r->xml;
    r->ev.raw_len = (uint32_t)raw_len;
    /* libevtx gives no record offsets; the position is the 1-based index
     * of the allocated record (0 for recovered ones). */
    r->ev.offset = index;
    r->depth = 0;
    r->section = SEC_NONE;
    r->bad = 0;
    r->why = NULL;
    r->nunnamed = 0;
    r->text_len = 0;
    r->st[0].has_child = 0;
    XML_ParserReset(r->xp, "UTF-8");
    evtx_parser_setup(r);
    if (XML_Parse(r->xp, doc, (int)n, XML_TRUE) != XML_STATUS_OK || r->bad ||
        r->ev.nfields == 0)
        goto bad;
    r->stats->records++;
    if (recovered)
        r->stats->recovered++;
    return r->fn(&r->ev, r->arg);
bad:
    if (e)
        libevtx_error_free(&e);
    r->stats->failed++;
    return VIGIL_OK;
}

static int
evtx_cmp_id(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static void
evtx_reader_free(struct evtx_reader *r)
{
    if (r == NULL)
        return;
    if (r->xp)
        XML_ParserFree(r->xp);
    vigil_arena_fini(&r->arena);
    free(r->xml);
    free(r->map);
    free(r->text);
    free(r->ids);
    free(r);
}

static void
evtx_errmsg(libevtx_error_t *e, char *dst, size_t n)
{
    char *p;

    dst[0] = '\0';
    if (e == NULL || libevtx_error_sprint(e, dst, n) < 0)
        snprintf(dst, n, "unreadable");
    for (p = dst; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

/* Reads the file libevtx opens at libpath; label names it in messages. */
static enum vigil_rc
evtx_read(const char *libpath, const char *label, vigil_event_fn fn, void *arg,
          struct vigil_evtx_stats *stats, struct vigil_err *err)
{
    libevtx_file_t *file = NULL;
    libevtx_error_t *e = NULL;
    libevtx_record_t *rec = NULL;
    struct evtx_reader *r = NULL;
    enum vigil_rc rc = VIGIL_OK;
    char msg[160];
    int i, nrec = 0, nrecov = 0, damaged;
    uint64_t id = 0;

    if ((r = calloc(1, sizeof(*r))) == NULL) {
        rc = vigil_err_set(err, VIGIL_ENOMEM, "%s: out of memory", label);
        goto out;
    }
    vigil_arena_init(&r->arena, EVTX_ARENA_CHUNK, EVTX_ARENA_MAX);
    r->fn = fn;
    r->arg = arg;
    r->stats = stats;
    r->xp = XML_ParserCreate("UTF-8");
    if (r->xp == NULL) {
        rc = vigil_err_set(err, VIGIL_ENOMEM, "%s: out of memory", label);
        goto out;
    }
    if (libevtx_file_initialize(&file, &e) != 1 ||
        libevtx_file_open(file, libpath, LIBEVTX_OPEN_READ, &e) != 1) {
        evtx_errmsg(e, msg, sizeof(msg));
        rc = vigil_err_set(err, VIGIL_EPARSE,
                           "%s: not a readable EVTX file: %s", label, msg);
        goto out;
    }
    if (libevtx_file_get_number_of_records(file, &nrec, &e) != 1)
        nrec = 0;
    /* libevtx also "recovers" records from slack space: in a healthy file
     * that is stale data (a filtered export keeps the old chunks: other
     * channels, other hosts), which must not reach detection. Only in a
     * damaged file do recovered records give back what would otherwise be
     * lost; there, records that are also allocated are skipped. */
    damaged = libevtx_file_is_corrupted(file, NULL) == 1;
    if (damaged && nrec > 0 &&
        (r->ids = malloc((size_t)nrec * sizeof(*r->ids))) == NULL) {
        rc = VIGIL_ENOMEM;
        goto out;
    }
    for (i = 0; i < nrec; i++) {
        if (libevtx_file_get_record_by_index(file, i, &rec, &e) != 1) {
            if (e)
                libevtx_error_free(&e);
            stats->failed++;
            continue;
        }
        if (r->ids && libevtx_record_get_identifier(rec, &id, NULL) == 1)
            r->ids[r->nids++] = id;
        rc = evtx_record(r, rec, (uint64_t)i + 1, 0);
        libevtx_record_free(&rec, NULL);
        if (rc != VIGIL_OK)
            goto out;
    }
    if (!damaged ||
        libevtx_file_get_number_of_recovered_records(file, &nrecov, &e) != 1)
        nrecov = 0;
    if (r->nids)
        qsort(r->ids, r->nids, sizeof(*r->ids), evtx_cmp_id);
    for (i = 0; i < nrecov; i++) {
        if (libevtx_file_get_recovered_record_by_index(file, i, &rec, &e) !=
            1) {
            if (e)
                libevtx_error_free(&e);
            stats->failed++;
            continue;
        }
        if (libevtx_record_get_identifier(rec, &id, NULL) != 1 ||
            r->nids == 0 ||
            bsearch(&id, r->ids, r->nids, sizeof(id), evtx_cmp_id) == NULL)
            rc = evtx_record(r, rec, 0, 1);
        libevtx_record_free(&rec, NULL);
        if (rc != VIGIL_OK)
            goto out;
    }
out:
    if (rc == VIGIL_ENOMEM)
        vigil_err_set(err, rc, "%s: out of memory", label);
    else if (rc != VIGIL_OK && err && err->rc == VIGIL_OK)
        vigil_err_set(err, rc, "%s: stopped by the event handler", label);
    if (e)
        libevtx_error_free(&e);
    if (file) {
        libevtx_file_close(file, NULL);
        libevtx_file_free(&file, NULL);
    }
    evtx_reader_free(r);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Public                                                               */
/* ------------------------------------------------------------------ */

int
vigil_evtx_is_file(const char *path)
{
    char sig[8];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    ssize_t n;

    if (fd < 0)
        return 0;
    n = read(fd, sig, sizeof(sig));
    close(fd);
    return n == (ssize_t)sizeof(sig) &&
           memcmp(sig, EVTX_SIGNATURE, sizeof(sig)) == 0;
}

/* For reporting only (the reader is the judge of records): the file
 * header is 4 KiB whose first 120 bytes are covered by a CRC32 at offset
 * 124, and a log holds at least one 64 KiB chunk right after it, even an
 * empty one. */
int
vigil_evtx_looks_damaged(const char *path)
{
    unsigned char h[4096 + 8];
    uint32_t crc;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

    if (fd < 0)
        return 0; /* not ours to say: the reader reported the open */
    n = pread(fd, h, sizeof(h), 0);
    close(fd);
    if (n < (ssize_t)sizeof(h))
        return 1;
    crc = (uint32_t)h[124] | (uint32_t)h[125] << 8 | (uint32_t)h[126] << 16 |
          (uint32_t)h[127] << 24;
    if (crc32(0L, h, 120) != crc)
        return 1;
    return memcmp(h + 4096, "ElfChnk", 8) != 0;
}

enum vigil_rc
vigil_evtx_read_file(const char *path, vigil_event_fn fn, void *arg,
                     struct vigil_evtx_stats *stats, struct vigil_err *err)
{
    struct stat st;
    char sig[8];
    ssize_t n;
    int fd;

    if (path == NULL || fn == NULL || stats == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "evtx: missing argument");
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return vigil_err_set(err, VIGIL_EIO, "%s: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return vigil_err_set(err, VIGIL_EIO, "%s: not a regular file", path);
    }
    n = read(fd, sig, sizeof(sig));
    close(fd);
    if (n != (ssize_t)sizeof(sig) ||
        memcmp(sig, EVTX_SIGNATURE, sizeof(sig)) != 0)
        return vigil_err_set(err, VIGIL_EPARSE,
                             "%s: not an EVTX file (no ElfFile signature)",
                             path);
    return evtx_read(path, path, fn, arg, stats, err);
}

/* libevtx reads through file paths only (its memory-range IO needs
 * libbfio's headers and ties us to libbfio's ABI), so the image goes into
 * an anonymous memory file that libevtx opens by its /proc path: the same
 * code path as real files, which is what the fuzzer should exercise. */
enum vigil_rc
vigil_evtx_read_mem(const void *data, size_t len, vigil_event_fn fn, void *arg,
                    struct vigil_evtx_stats *stats, struct vigil_err *err)
{
    char path[64];
    const char *p = data;
    size_t done = 0;
    enum vigil_rc rc;
    int fd;

    if ((data == NULL && len) || fn == NULL || stats == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "evtx: missing argument");
    if (len < sizeof(EVTX_SIGNATURE) ||
        memcmp(data, EVTX_SIGNATURE, sizeof(EVTX_SIGNATURE)) != 0)
        return vigil_err_set(err, VIGIL_EPARSE,
                             "evtx image: no ElfFile signature");
    fd = memfd_create("vigil-evtx", MFD_CLOEXEC);
    if (fd < 0)
        return vigil_err_set(err, VIGIL_EIO, "evtx image: memfd_create: %s",
                             strerror(errno));
    while (done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = vigil_err_set(err, VIGIL_EIO, "evtx image: write: %s",
                               strerror(errno));
            close(fd);
            return rc;
        }
        done += (size_t)n;
    }
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    rc = evtx_read(path, "evtx image", fn, arg, stats, err);
    close(fd);
    return rc;
}
