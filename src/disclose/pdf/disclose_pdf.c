/* disclose_pdf.c -- inspects a PDF for what it hides before it is
 * published: metadata (Info and XMP), embedded files, annotations,
 * JavaScript, layers switched off, earlier revisions kept by incremental
 * updates, encryption and damage; then each page's text (see
 * disclose_pdf_text.c).
 *
 * qpdf parses the file; every qpdf call that can fail is followed by an
 * error check that turns the failure into a PDF_F_DAMAGED finding, so a
 * hostile file costs findings, never a crash. Stream data is decoded here
 * with a hard output bound (qpdf's own decoder has none).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "disclose/pdf/disclose_pdf_int.h"

#define DEFAULT_MAX_OBJECTS 1000000
#define DEFAULT_MAX_STREAM  ((size_t)64 << 20)
#define DEFAULT_MAX_TEXT    ((size_t)256 << 20)
/* Name trees: nesting and entries walked. */
#define MAX_TREE_DEPTH   32
#define MAX_TREE_ENTRIES 10000
/* Flate expands at most about 1032:1; a stream whose filters we leave to
 * qpdf is only decoded when even that ratio keeps it inside the bound. */
#define SAFE_RATIO 1100

/* ------------------------------------------------------------------ */
/* Reporting                                                            */
/* ------------------------------------------------------------------ */

static void
vfinding(struct pdf_ctx *c, enum pdf_finding_kind kind, const char *location,
         const char *fmt, va_list ap)
{
    char detail[512];

    vsnprintf(detail, sizeof(detail), fmt, ap);
    if (c->cb != NULL && c->cb->finding != NULL)
        c->cb->finding(c->cb->arg, kind, location, detail);
}

void
disclose_pdf_finding(struct pdf_ctx *c, enum pdf_finding_kind kind,
                     const char *location, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfinding(c, kind, location, fmt, ap);
    va_end(ap);
}

void
disclose_pdf_damage(struct pdf_ctx *c, const char *location, const char *fmt,
                    ...)
{
    va_list ap;

    c->ndamage++;
    if (c->ndamage > PDF_MAX_DAMAGE_FINDINGS + 1)
        return;
    if (c->ndamage == PDF_MAX_DAMAGE_FINDINGS + 1) {
        disclose_pdf_finding(c, PDF_F_DAMAGED, "document",
                             "further structure problems not listed");
        return;
    }
    va_start(ap, fmt);
    vfinding(c, PDF_F_DAMAGED, location, fmt, ap);
    va_end(ap);
}

int
disclose_pdf_qerr(struct pdf_ctx *c, const char *location)
{
    qpdf_error e;

    if (!qpdf_has_error(c->q))
        return 0;
    e = qpdf_get_error(c->q);
    disclose_pdf_damage(c, location, "qpdf: %s",
                        e ? qpdf_get_error_full_text(c->q, e) : "error");
    return 1;
}

void
disclose_pdf_text_out(struct pdf_ctx *c, const char *location, const char *text,
                      size_t len, int hidden)
{
    if (len == 0 || c->text_full)
        return;
    if (len > c->lim.max_text_bytes - c->text_total) {
        len = c->lim.max_text_bytes - c->text_total;
        c->text_full = 1;
        disclose_pdf_damage(c, location,
                            "text limit of %zu bytes reached; the rest of "
                            "the document's text was not checked",
                            c->lim.max_text_bytes);
    }
    c->text_total += len;
    if (len > 0 && c->cb != NULL && c->cb->text != NULL)
        c->cb->text(c->cb->arg, location, text, len, hidden);
}

/* ------------------------------------------------------------------ */
/* Streams                                                              */
/* ------------------------------------------------------------------ */

/* Inflates zlib (or raw deflate) data into at most max bytes. *trunc is
 * set when the output was cut at max or the data was corrupt. */
static unsigned char *
inflate_bounded(const unsigned char *in, size_t inlen, size_t max,
                size_t *outlen, int *trunc)
{
    z_stream z;
    unsigned char *out = NULL;
    size_t cap = 0;
    int zr = Z_OK, raw;

    *outlen = 0;
    *trunc = 0;
    for (raw = 0; raw < 2; raw++) {
        memset(&z, 0, sizeof(z));
        if (inflateInit2(&z, raw ? -15 : 15 + 32) != Z_OK)
            return NULL;
        z.next_in = (Bytef *)(uintptr_t)in;
        z.avail_in = inlen > UINT32_MAX ? UINT32_MAX : (uInt)inlen;
        *outlen = 0;
        do {
            if (*outlen == cap) {
                size_t ncap = cap ? cap * 2 : 65536;
                unsigned char *n;
                if (cap >= max) {
                    *trunc = 1;
                    break;
                }
                if (ncap > max)
                    ncap = max;
                n = realloc(out, ncap + 1);
                if (n == NULL) {
                    inflateEnd(&z);
                    free(out);
                    return NULL;
                }
                out = n;
                cap = ncap;
            }
            z.next_out = out + *outlen;
            z.avail_out = (uInt)(cap - *outlen);
            zr = inflate(&z, Z_NO_FLUSH);
            *outlen = cap - z.avail_out;
        } while (zr == Z_OK);
        inflateEnd(&z);
        /* A header the zlib reader refuses: try raw deflate once. */
        if (zr == Z_DATA_ERROR && *outlen == 0 && raw == 0)
            continue;
        break;
    }
    if (zr != Z_STREAM_END && zr != Z_BUF_ERROR)
        *trunc = 1;
    if (out == NULL)
        out = malloc(1);
    return out;
}

static int
only_flate(qpdf_data q, qpdf_oh dict)
{
    qpdf_oh f = qpdf_oh_get_key(q, dict, "/Filter");
    qpdf_oh p = qpdf_oh_get_key(q, dict, "/DecodeParms");
    qpdf_oh pred;

    if (qpdf_oh_is_array(q, f)) {
        if (qpdf_oh_get_array_n_items(q, f) != 1)
            return 0;
        f = qpdf_oh_get_array_item(q, f, 0);
    }
    if (!qpdf_oh_is_name_and_equals(q, f, "/FlateDecode"))
        return 0;
    if (qpdf_oh_is_array(q, p))
        p = qpdf_oh_get_array_item(q, p, 0);
    pred = qpdf_oh_get_key_if_dict(q, p, "/Predictor");
    return !qpdf_oh_is_integer(q, pred) || qpdf_oh_get_int_value(q, pred) <= 1;
}

unsigned char *
disclose_pdf_stream(struct pdf_ctx *c, qpdf_oh s, const char *location,
                    size_t *len)
{
    qpdf_data q = c->q;
    qpdf_oh dict = qpdf_oh_get_dict(q, s);
    qpdf_oh filter = qpdf_oh_get_key(q, dict, "/Filter");
    unsigned char *raw = NULL, *out;
    size_t rawlen = 0, max = c->lim.max_stream_bytes;
    QPDF_BOOL filtered = QPDF_FALSE;
    int trunc;

    *len = 0;
    if (qpdf_oh_get_stream_data(q, s, qpdf_dl_none, NULL, &raw, &rawlen) !=
            QPDF_SUCCESS ||
        disclose_pdf_qerr(c, location)) {
        free(raw);
        return NULL;
    }
    if (qpdf_oh_is_null(q, filter) ||
        (qpdf_oh_is_array(q, filter) &&
         qpdf_oh_get_array_n_items(q, filter) == 0)) {
        if (rawlen > max) {
            disclose_pdf_damage(c, location,
                                "stream of %zu bytes is over the %zu byte "
                                "limit; checked in part",
                                rawlen, max);
            rawlen = max;
        }
        *len = rawlen;
        return raw;
    }
    if (only_flate(q, dict)) {
        out = inflate_bounded(raw, rawlen, max, len, &trunc);
        free(raw);
        if (out == NULL) {
            disclose_pdf_damage(c, location, "out of memory decoding stream");
            return NULL;
        }
        if (trunc)
            disclose_pdf_damage(c, location,
                                "compressed stream is corrupt or decodes to "
                                "more than %zu bytes; checked in part",
                                max);
        return out;
    }
    free(raw);
    raw = NULL;
    if (rawlen > max / SAFE_RATIO) {
        disclose_pdf_damage(c, location,
                            "stream of %zu bytes with filters that cannot "
                            "be decoded within the %zu byte limit",
                            rawlen, max);
        return NULL;
    }
    if (qpdf_oh_get_stream_data(q, s, qpdf_dl_specialized, &filtered, &raw,
                                &rawlen) != QPDF_SUCCESS ||
        disclose_pdf_qerr(c, location) || !filtered) {
        free(raw);
        if (!filtered)
            disclose_pdf_damage(c, location,
                                "stream uses a filter that cannot be "
                                "decoded; not checked");
        return NULL;
    }
    if (rawlen > max)
        rawlen = max;
    *len = rawlen;
    return raw;
}

/* ------------------------------------------------------------------ */
/* Small helpers over objects                                           */
/* ------------------------------------------------------------------ */

/* Copies the text of a string object as UTF-8 into dst (truncated). */
static size_t
str_value(qpdf_data q, qpdf_oh o, char *dst, size_t cap)
{
    const char *v = NULL;
    size_t n = 0;

    dst[0] = '\0';
    if (!qpdf_oh_is_string(q, o) || !qpdf_oh_get_value_as_utf8(q, o, &v, &n) ||
        v == NULL)
        return 0;
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, v, n);
    dst[n] = '\0';
    /* Embedded NULs would cut the report's sentence short. */
    return strlen(dst);
}

/* Walks a name tree, calling fn(name, value) for each leaf entry. */
static void
walk_name_tree(struct pdf_ctx *c, qpdf_oh node, int depth, size_t *count,
               void (*fn)(struct pdf_ctx *c, const char *name, qpdf_oh v))
{
    qpdf_data q = c->q;
    qpdf_oh names, kids;
    int n, k;

    if (depth > MAX_TREE_DEPTH || !qpdf_oh_is_dictionary(q, node)) {
        if (depth > MAX_TREE_DEPTH)
            disclose_pdf_damage(c, "name tree", "name tree nested too deep");
        return;
    }
    names = qpdf_oh_get_key(q, node, "/Names");
    if (qpdf_oh_is_array(q, names)) {
        n = qpdf_oh_get_array_n_items(q, names);
        for (k = 0; k + 1 < n; k += 2) {
            char name[256];
            qpdf_oh key = qpdf_oh_get_array_item(q, names, k);
            qpdf_oh val = qpdf_oh_get_array_item(q, names, k + 1);
            if (++*count > MAX_TREE_ENTRIES) {
                disclose_pdf_damage(c, "name tree",
                                    "more than %d name tree entries",
                                    MAX_TREE_ENTRIES);
                return;
            }
            str_value(q, key, name, sizeof(name));
            fn(c, name, val);
            qpdf_oh_release(q, key);
            qpdf_oh_release(q, val);
        }
    }
    kids = qpdf_oh_get_key(q, node, "/Kids");
    if (qpdf_oh_is_array(q, kids)) {
        n = qpdf_oh_get_array_n_items(q, kids);
        for (k = 0; k < n && *count <= MAX_TREE_ENTRIES; k++) {
            qpdf_oh kid = qpdf_oh_get_array_item(q, kids, k);
            walk_name_tree(c, kid, depth + 1, count, fn);
            qpdf_oh_release(q, kid);
            ++*count;
        }
    }
    (void)disclose_pdf_qerr(c, "name tree");
}

/* ------------------------------------------------------------------ */
/* Metadata                                                             */
/* ------------------------------------------------------------------ */

static void
info_dict(struct pdf_ctx *c)
{
    qpdf_data q = c->q;
    qpdf_oh info = qpdf_oh_get_key(q, qpdf_get_trailer(q), "/Info");
    char keys[64][64];
    int nkeys = 0, k;

    if (!qpdf_oh_is_dictionary(q, info))
        return;
    /* Key iteration allows one dictionary at a time and each key is
     * only valid until the next, so the keys are copied first. */
    qpdf_oh_begin_dict_key_iter(q, info);
    while (qpdf_oh_dict_more_keys(q) && nkeys < 64) {
        const char *key = qpdf_oh_dict_next_key(q);
        if (key != NULL)
            snprintf(keys[nkeys++], sizeof(keys[0]), "%s", key);
    }
    for (k = 0; k < nkeys; k++) {
        char val[1024];
        qpdf_oh v = qpdf_oh_get_key(q, info, keys[k]);
        size_t n = str_value(q, v, val, sizeof(val));
        if (n > 0) {
            disclose_pdf_finding(c, PDF_F_METADATA, "Info", "%s: %s",
                                 keys[k] + (keys[k][0] == '/'), val);
            disclose_pdf_text_out(c, "Info", val, n, 1);
        }
        qpdf_oh_release(q, v);
    }
    (void)disclose_pdf_qerr(c, "Info");
}

/* XMP properties that say nothing about people or origins. */
static int
xmp_boring(const char *prop)
{
    return strcmp(prop, "dc:format") == 0 || strcmp(prop, "pdf:Trapped") == 0;
}

static void
xmp_report(struct pdf_ctx *c, const char *prop, const char *val, size_t n)
{
    size_t s = 0, e = n;

    while (s < e && (val[s] == ' ' || val[s] == '\n' || val[s] == '\r' ||
                     val[s] == '\t'))
        s++;
    while (e > s && (val[e - 1] == ' ' || val[e - 1] == '\n' ||
                     val[e - 1] == '\r' || val[e - 1] == '\t'))
        e--;
    if (e == s || xmp_boring(prop))
        return;
    disclose_pdf_finding(c, PDF_F_METADATA, "XMP", "%s: %.*s", prop,
                         (int)(e - s), val + s);
    disclose_pdf_text_out(c, "XMP", val + s, e - s, 1);
}

/* Appends XML text with the predefined and numeric entities resolved. */
static size_t
xml_text(const char *p, size_t n, char *dst, size_t dl, size_t cap)
{
    size_t i = 0;

    while (i < n && dl + 5 < cap) {
        if (p[i] == '&') {
            const char *semi = memchr(p + i, ';', n - i < 12 ? n - i : 12);
            if (semi != NULL) {
                size_t el = (size_t)(semi - (p + i)) + 1;
                const char *ent = p + i;
                unsigned long cp = 0;
                if (el == 5 && memcmp(ent, "&amp;", 5) == 0)
                    dst[dl++] = '&';
                else if (el == 4 && memcmp(ent, "&lt;", 4) == 0)
                    dst[dl++] = '<';
                else if (el == 4 && memcmp(ent, "&gt;", 4) == 0)
                    dst[dl++] = '>';
                else if (el == 6 && memcmp(ent, "&quot;", 6) == 0)
                    dst[dl++] = '"';
                else if (el == 6 && memcmp(ent, "&apos;", 6) == 0)
                    dst[dl++] = '\'';
                else if (el > 3 && ent[1] == '#') {
                    size_t k = 2;
                    int base = 10;
                    if (ent[2] == 'x' || ent[2] == 'X') {
                        base = 16;
                        k = 3;
                    }
                    for (; k + 1 < el; k++) {
                        int ch = ent[k], d = -1;
                        if (ch >= '0' && ch <= '9')
                            d = ch - '0';
                        else if (base == 16 && (ch | 0x20) >= 'a' &&
                                 (ch | 0x20) <= 'f')
                            d = (ch | 0x20) - 'a' + 10;
                        if (d < 0)
                            break;
                        cp = cp * (unsigned long)base + (unsigned long)d;
                        if (cp > 0x10ffff)
                            break;
                    }
                    if (cp >= 0x20 && cp < 0x80)
                        dst[dl++] = (char)cp;
                    else if (cp >= 0x80 && cp < 0x800) {
                        dst[dl++] = (char)(0xc0 | (cp >> 6));
                        dst[dl++] = (char)(0x80 | (cp & 0x3f));
                    } else if (cp >= 0x800 && cp < 0x10000 &&
                               !(cp >= 0xd800 && cp < 0xe000)) {
                        dst[dl++] = (char)(0xe0 | (cp >> 12));
                        dst[dl++] = (char)(0x80 | ((cp >> 6) & 0x3f));
                        dst[dl++] = (char)(0x80 | (cp & 0x3f));
                    }
                } else {
                    dst[dl++] = '&';
                    i++;
                    continue;
                }
                i += el;
                continue;
            }
        }
        dst[dl++] = p[i++];
    }
    dst[dl] = '\0';
    return dl;
}

#define XMP_DEPTH 32

/* A small XMP reader: reports leaf elements' text ("dc:creator" for an
 * rdf:li inside dc:creator) and property attributes on rdf:Description.
 * It is not a full XML parser; it only needs to find values. */
static void
xmp_scan(struct pdf_ctx *c, const char *p, size_t n)
{
    char stack[XMP_DEPTH][64];
    int child[XMP_DEPTH];
    int sp = 0;
    char text[1024];
    size_t tl = 0, i = 0;

    while (i < n) {
        if (p[i] != '<') {
            const char *lt = memchr(p + i, '<', n - i);
            size_t e = lt ? (size_t)(lt - p) : n;
            if (sp > 0)
                tl = xml_text(p + i, e - i, text, tl, sizeof(text));
            i = e;
            continue;
        }
        if (i + 1 < n && (p[i + 1] == '?' || p[i + 1] == '!')) {
            const char *gt = memchr(p + i, '>', n - i);
            i = gt ? (size_t)(gt - p) + 1 : n;
            continue;
        }
        if (i + 1 < n && p[i + 1] == '/') {
            const char *gt = memchr(p + i, '>', n - i);
            if (sp > 0) {
                sp--;
                if (sp < XMP_DEPTH && !child[sp] && tl > 0) {
                    const char *prop = stack[sp];
                    int k;
                    for (k = sp; k >= 0 && k < XMP_DEPTH &&
                                 strncmp(stack[k], "rdf:", 4) == 0;
                         k--)
                        prop = k > 0 ? stack[k - 1] : prop;
                    if (strncmp(prop, "rdf:", 4) != 0 &&
                        strncmp(prop, "x:", 2) != 0)
                        xmp_report(c, prop, text, tl);
                }
            }
            tl = 0;
            i = gt ? (size_t)(gt - p) + 1 : n;
            continue;
        }
        /* A start tag: name, attributes, maybe "/>". */
        {
            size_t s = ++i, e;
            int self = 0;
            char name[64];
            const char *gt = memchr(p + i, '>', n - i);
            size_t end = gt ? (size_t)(gt - p) : n;

            while (i < end && p[i] != ' ' && p[i] != '\n' && p[i] != '\r' &&
                   p[i] != '\t' && p[i] != '/')
                i++;
            snprintf(name, sizeof(name), "%.*s", (int)(i - s), p + s);
            self = end > s && p[end - 1] == '/';
            /* Attributes: prefix:Name="value". */
            while (i < end) {
                size_t as, ae, vs;
                char q;
                while (i < end && (p[i] == ' ' || p[i] == '\n' ||
                                   p[i] == '\r' || p[i] == '\t'))
                    i++;
                as = i;
                while (i < end && p[i] != '=' && p[i] != ' ')
                    i++;
                ae = i;
                if (i >= end || p[i] != '=' || i + 1 >= end) {
                    i++;
                    continue;
                }
                i++;
                q = p[i];
                if (q != '"' && q != '\'')
                    continue;
                vs = ++i;
                while (i < end && p[i] != q)
                    i++;
                if (ae > as && memchr(p + as, ':', ae - as) != NULL &&
                    strncmp(p + as, "rdf:", 4) != 0 &&
                    strncmp(p + as, "xmlns", 5) != 0 &&
                    strncmp(p + as, "xml:", 4) != 0 &&
                    strncmp(p + as, "x:", 2) != 0) {
                    char prop[64], val[1024];
                    size_t vl;
                    snprintf(prop, sizeof(prop), "%.*s", (int)(ae - as),
                             p + as);
                    vl = xml_text(p + vs, i - vs, val, 0, sizeof(val));
                    xmp_report(c, prop, val, vl);
                }
                i++;
            }
            i = end < n ? end + 1 : n;
            e = 0;
            (void)e;
            if (sp > 0 && sp <= XMP_DEPTH)
                child[sp - 1] = 1;
            if (!self) {
                if (sp < XMP_DEPTH) {
                    snprintf(stack[sp], sizeof(stack[sp]), "%s", name);
                    child[sp] = 0;
                }
                sp++;
            }
            tl = 0;
        }
    }
}

static void
xmp(struct pdf_ctx *c, qpdf_oh root)
{
    qpdf_data q = c->q;
    qpdf_oh m = qpdf_oh_get_key(q, root, "/Metadata");
    unsigned char *data;
    size_t len = 0;

    if (!qpdf_oh_is_stream(q, m))
        return;
    data = disclose_pdf_stream(c, m, "XMP", &len);
    if (data == NULL)
        return;
    xmp_scan(c, (const char *)data, len);
    free(data);
}

/* ------------------------------------------------------------------ */
/* Attachments, JavaScript, annotations, layers                         */
/* ------------------------------------------------------------------ */

static void
filespec(struct pdf_ctx *c, const char *key, qpdf_oh fs, const char *where)
{
    qpdf_data q = c->q;
    char name[256], loc[320];
    qpdf_oh ef, st;
    unsigned char *data = NULL;
    size_t len = 0;

    if (!qpdf_oh_is_dictionary(q, fs)) {
        if (qpdf_oh_is_string(q, fs)) { /* a reference to an outside file */
            str_value(q, fs, name, sizeof(name));
            disclose_pdf_finding(c, PDF_F_ATTACHMENT, where,
                                 "link to external file \"%s\"", name);
        }
        return;
    }
    if (str_value(q, qpdf_oh_get_key(q, fs, "/UF"), name, sizeof(name)) == 0 &&
        str_value(q, qpdf_oh_get_key(q, fs, "/F"), name, sizeof(name)) == 0)
        snprintf(name, sizeof(name), "%s", key && *key ? key : "unnamed");
    snprintf(loc, sizeof(loc), "attachment %s", name);
    ef = qpdf_oh_get_key(q, fs, "/EF");
    st = qpdf_oh_get_key_if_dict(q, ef, "/F");
    if (!qpdf_oh_is_stream(q, st))
        st = qpdf_oh_get_key_if_dict(q, ef, "/UF");
    if (qpdf_oh_is_stream(q, st))
        data = disclose_pdf_stream(c, st, loc, &len);
    disclose_pdf_finding(c, PDF_F_ATTACHMENT, loc,
                         "embedded file \"%s\" (%zu bytes)%s%s", name, len,
                         where[0] ? " in " : "", where);
    disclose_pdf_text_out(c, loc, name, strlen(name), 1);
    {
        char desc[512];
        size_t dl =
            str_value(q, qpdf_oh_get_key(q, fs, "/Desc"), desc, sizeof(desc));
        disclose_pdf_text_out(c, loc, desc, dl, 1);
    }
    if (data != NULL && c->cb != NULL && c->cb->attachment != NULL)
        c->cb->attachment(c->cb->arg, name, data, len);
    free(data);
    (void)disclose_pdf_qerr(c, loc);
}

static void
on_embedded(struct pdf_ctx *c, const char *name, qpdf_oh v)
{
    filespec(c, name, v, "");
}

/* An action (or chain of /Next actions) that runs JavaScript. */
static void
action(struct pdf_ctx *c, qpdf_oh a, const char *loc, const char *what,
       int depth)
{
    qpdf_data q = c->q;
    qpdf_oh js, next;

    if (depth > 8 || !qpdf_oh_is_dictionary(q, a))
        return;
    js = qpdf_oh_get_key(q, a, "/JS");
    if (qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q, a, "/S"),
                                   "/JavaScript") ||
        !qpdf_oh_is_null(q, js)) {
        unsigned char *data = NULL;
        const char *sv = NULL;
        size_t len = 0;

        if (qpdf_oh_is_stream(q, js)) {
            data = disclose_pdf_stream(c, js, loc, &len);
            sv = (const char *)data;
        } else if (qpdf_oh_is_string(q, js)) {
            sv = qpdf_oh_get_binary_string_value(q, js, &len);
        }
        char tloc[96];
        disclose_pdf_finding(c, PDF_F_JAVASCRIPT, loc,
                             "%s runs JavaScript (%zu bytes)", what, len);
        snprintf(tloc, sizeof(tloc), "%.48s JavaScript", loc);
        if (sv != NULL)
            disclose_pdf_text_out(c, tloc, sv, len, 1);
        free(data);
    }
    next = qpdf_oh_get_key(q, a, "/Next");
    if (qpdf_oh_is_dictionary(q, next))
        action(c, next, loc, what, depth + 1);
    else if (qpdf_oh_is_array(q, next)) {
        int k, n = qpdf_oh_get_array_n_items(q, next);
        for (k = 0; k < n && k < 64; k++)
            action(c, qpdf_oh_get_array_item(q, next, k), loc, what, depth + 1);
    }
    (void)disclose_pdf_qerr(c, loc);
}

/* Additional-actions dictionary: every trigger may hold an action. */
static void
aa_dict(struct pdf_ctx *c, qpdf_oh aa, const char *loc, const char *what)
{
    qpdf_data q = c->q;
    char keys[32][32];
    int nkeys = 0, k;

    if (!qpdf_oh_is_dictionary(q, aa))
        return;
    qpdf_oh_begin_dict_key_iter(q, aa);
    while (qpdf_oh_dict_more_keys(q) && nkeys < 32) {
        const char *key = qpdf_oh_dict_next_key(q);
        if (key != NULL)
            snprintf(keys[nkeys++], sizeof(keys[0]), "%s", key);
    }
    for (k = 0; k < nkeys; k++) {
        char w[128];
        snprintf(w, sizeof(w), "%.60s trigger %.31s", what, keys[k]);
        action(c, qpdf_oh_get_key(q, aa, keys[k]), loc, w, 0);
    }
}

static void
on_javascript(struct pdf_ctx *c, const char *name, qpdf_oh v)
{
    char what[300];

    snprintf(what, sizeof(what), "document script \"%s\"", name);
    action(c, v, "document", what, 0);
}

static void
annotations(struct pdf_ctx *c, qpdf_oh page, int pageno)
{
    qpdf_data q = c->q;
    qpdf_oh annots = qpdf_oh_get_key(q, page, "/Annots");
    char loc[48], aloc[64];
    int n, k;

    if (!qpdf_oh_is_array(q, annots))
        return;
    snprintf(loc, sizeof(loc), "page %d", pageno);
    snprintf(aloc, sizeof(aloc), "page %d annotation", pageno);
    n = qpdf_oh_get_array_n_items(q, annots);
    for (k = 0; k < n && k < 100000; k++) {
        qpdf_oh a = qpdf_oh_get_array_item(q, annots, k);
        qpdf_oh st;
        char sub[64] = "", contents[4096], author[256];
        size_t cl, al;

        if (!qpdf_oh_is_dictionary(q, a))
            continue;
        st = qpdf_oh_get_key(q, a, "/Subtype");
        /* Copied: qpdf's strings last only until its next call. */
        if (qpdf_oh_is_name(q, st)) {
            const char *nm = qpdf_oh_get_name(q, st);
            snprintf(sub, sizeof(sub), "%s", nm[0] == '/' ? nm + 1 : nm);
        }
        action(c, qpdf_oh_get_key(q, a, "/A"), loc, "annotation", 0);
        aa_dict(c, qpdf_oh_get_key(q, a, "/AA"), loc, "annotation");
        if (strcmp(sub, "FileAttachment") == 0) {
            filespec(c, "", qpdf_oh_get_key(q, a, "/FS"), loc);
            continue;
        }
        if (strcmp(sub, "Link") == 0 || strcmp(sub, "Popup") == 0 ||
            strcmp(sub, "Widget") == 0)
            continue;
        cl = str_value(q, qpdf_oh_get_key(q, a, "/Contents"), contents,
                       sizeof(contents));
        al = str_value(q, qpdf_oh_get_key(q, a, "/T"), author, sizeof(author));
        if (strcmp(sub, "Redact") == 0)
            disclose_pdf_finding(c, PDF_F_ANNOTATION, loc,
                                 "redaction marked but not applied: the "
                                 "text underneath is still in the file");
        else if (cl > 0 || al > 0)
            disclose_pdf_finding(c, PDF_F_ANNOTATION, loc,
                                 "%s annotation%s%s%s with %zu bytes of text",
                                 sub, al ? " by \"" : "", al ? author : "",
                                 al ? "\"" : "", cl);
        disclose_pdf_text_out(c, aloc, author, al, 1);
        disclose_pdf_text_out(c, aloc, contents, cl, 1);
    }
    (void)disclose_pdf_qerr(c, loc);
}

/* Interactive form fields: a filled-in value is drawn from the field's
 * appearance stream, which the page interpreter does not read, so the
 * values are handed out as page text here. */
static void
form_fields(struct pdf_ctx *c, qpdf_oh fields, int depth, size_t *count)
{
    qpdf_data q = c->q;
    int n, k;

    if (depth > 16 || !qpdf_oh_is_array(q, fields))
        return;
    n = qpdf_oh_get_array_n_items(q, fields);
    for (k = 0; k < n && *count < MAX_TREE_ENTRIES; k++, ++*count) {
        qpdf_oh f = qpdf_oh_get_array_item(q, fields, k);
        char name[128], val[4096], loc[160];
        size_t vl;

        if (!qpdf_oh_is_dictionary(q, f))
            continue;
        if (str_value(q, qpdf_oh_get_key(q, f, "/T"), name, sizeof(name)) == 0)
            snprintf(name, sizeof(name), "unnamed");
        vl = str_value(q, qpdf_oh_get_key(q, f, "/V"), val, sizeof(val));
        if (vl > 0) {
            snprintf(loc, sizeof(loc), "form field %s", name);
            disclose_pdf_text_out(c, loc, val, vl, 0);
        }
        form_fields(c, qpdf_oh_get_key(q, f, "/Kids"), depth + 1, count);
    }
    (void)disclose_pdf_qerr(c, "form fields");
}

static void
layers(struct pdf_ctx *c, qpdf_oh root)
{
    qpdf_data q = c->q;
    qpdf_oh ocp = qpdf_oh_get_key(q, root, "/OCProperties");
    qpdf_oh d = qpdf_oh_get_key_if_dict(q, ocp, "/D");
    qpdf_oh off = qpdf_oh_get_key_if_dict(q, d, "/OFF");
    qpdf_oh list = off;
    int base_off, n, k;

    if (!qpdf_oh_is_dictionary(q, d))
        return;
    /* With /BaseState /OFF every group not listed in /ON starts hidden. */
    base_off = qpdf_oh_is_name_and_equals(
        q, qpdf_oh_get_key(q, d, "/BaseState"), "/OFF");
    if (base_off)
        list = qpdf_oh_get_key(q, ocp, "/OCGs");
    if (!qpdf_oh_is_array(q, list))
        return;
    n = qpdf_oh_get_array_n_items(q, list);
    if (n > 0 && c->off_ocgs == NULL)
        c->off_ocgs = calloc((size_t)(n < 4096 ? n : 4096), sizeof(uint32_t));
    for (k = 0; k < n && k < 4096 && c->off_ocgs != NULL; k++) {
        qpdf_oh g = qpdf_oh_get_array_item(q, list, k);
        char name[256];
        uint32_t id;

        if (!qpdf_oh_is_indirect(q, g))
            continue;
        id = (uint32_t)qpdf_oh_get_object_id(q, g);
        if (base_off) {
            qpdf_oh on = qpdf_oh_get_key(q, d, "/ON");
            int m, j, listed = 0;
            m = qpdf_oh_is_array(q, on) ? qpdf_oh_get_array_n_items(q, on) : 0;
            for (j = 0; j < m && j < 4096 && !listed; j++)
                listed = qpdf_oh_get_object_id(
                             q, qpdf_oh_get_array_item(q, on, j)) == (int)id;
            if (listed)
                continue;
        }
        c->off_ocgs[c->noff_ocgs++] = id;
        if (str_value(q, qpdf_oh_get_key(q, g, "/Name"), name, sizeof(name)) ==
            0)
            snprintf(name, sizeof(name), "unnamed");
        {
            char loc[300];
            snprintf(loc, sizeof(loc), "layer %s", name);
            disclose_pdf_finding(c, PDF_F_HIDDEN_LAYER, loc,
                                 "layer \"%s\" is switched off: its content "
                                 "is in the file but not shown",
                                 name);
            disclose_pdf_text_out(c, loc, name, strlen(name), 1);
        }
    }
    (void)disclose_pdf_qerr(c, "layers");
}

/* Each revision of a PDF ends with "startxref"; an incremental update
 * appends one more. A linearized file has two for one revision. */
static void
revisions(struct pdf_ctx *c, const char *data, size_t len)
{
    qpdf_data q = c->q;
    size_t n = 0, i = 0;
    const char *p;

    while (i < len && (p = memmem(data + i, len - i, "startxref", 9)) != NULL) {
        n++;
        i = (size_t)(p - data) + 9;
    }
    if (qpdf_is_linearized(q) && n > 1)
        n--;
    if (n < 2 && !qpdf_is_linearized(q) &&
        qpdf_oh_has_key(q, qpdf_get_trailer(q), "/Prev"))
        n = 2;
    if (n > 1)
        disclose_pdf_finding(c, PDF_F_INCREMENTAL, "document",
                             "%zu revisions: the file was updated "
                             "incrementally and earlier versions of its "
                             "content may be recoverable",
                             n);
}

static void
drain_warnings(struct pdf_ctx *c)
{
    while (qpdf_more_warnings(c->q)) {
        qpdf_error w = qpdf_next_warning(c->q);
        if (w == NULL)
            break;
        disclose_pdf_damage(c, "document", "qpdf: %s",
                            qpdf_get_error_full_text(c->q, w));
    }
}

/* ------------------------------------------------------------------ */
/* Entry point                                                          */
/* ------------------------------------------------------------------ */

enum vigil_rc
disclose_pdf_inspect(const void *data, size_t len,
                     const struct pdf_limits *limits,
                     const struct pdf_callbacks *cb, struct vigil_err *err)
{
    struct pdf_ctx c;
    enum vigil_rc rc = VIGIL_OK;
    QPDF_ERROR_CODE qr;
    qpdf_oh root, trailer, names, tree;
    long long size;
    int npages, k;

    memset(&c, 0, sizeof(c));
    c.cb = cb;
    c.content_budget = PDF_DOC_CONTENT_BUDGET;
    if (limits != NULL)
        c.lim = *limits;
    if (c.lim.max_objects == 0)
        c.lim.max_objects = DEFAULT_MAX_OBJECTS;
    if (c.lim.max_stream_bytes == 0)
        c.lim.max_stream_bytes = DEFAULT_MAX_STREAM;
    if (c.lim.max_text_bytes == 0)
        c.lim.max_text_bytes = DEFAULT_MAX_TEXT;
    if (data == NULL || len < 8 ||
        memmem(data, len < 1024 ? len : 1024, "%PDF-", 5) == NULL)
        return vigil_err_set(err, VIGIL_EPARSE, "pdf: no %%PDF- header");

    c.q = qpdf_init();
    if (c.q == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "pdf: out of memory");
    qpdf_silence_errors(c.q);
    qpdf_set_suppress_warnings(c.q, QPDF_TRUE);
    qr = qpdf_read_memory(c.q, "document", data, (unsigned long long)len, "");
    if (qr & QPDF_ERRORS) {
        qpdf_error e = qpdf_get_error(c.q);
        enum qpdf_error_code_e code =
            e ? qpdf_get_error_code(c.q, e) : qpdf_e_internal;
        if (code == qpdf_e_password) {
            disclose_pdf_finding(&c, PDF_F_ENCRYPTED, "document",
                                 "encrypted with a password: cannot inspect");
        } else {
            rc = vigil_err_set(err, VIGIL_EPARSE, "pdf: %s",
                               e ? qpdf_get_error_full_text(c.q, e)
                                 : "unreadable");
        }
        goto out;
    }
    drain_warnings(&c);
    trailer = qpdf_get_trailer(c.q);
    size = qpdf_oh_get_int_value(c.q, qpdf_oh_get_key(c.q, trailer, "/Size"));
    if (size > 0 && (unsigned long long)size > c.lim.max_objects) {
        disclose_pdf_damage(&c, "document",
                            "declares %lld objects, over the limit of %zu; "
                            "not inspected",
                            size, c.lim.max_objects);
        goto out;
    }
    if (qpdf_is_encrypted(c.q))
        disclose_pdf_finding(&c, PDF_F_ENCRYPTED, "document",
                             "encrypted, but opens without a password; "
                             "inspected");
    revisions(&c, data, len);
    info_dict(&c);
    root = qpdf_get_root(c.q);
    (void)disclose_pdf_qerr(&c, "document");
    xmp(&c, root);
    layers(&c, root);
    {
        size_t count = 0;
        form_fields(
            &c,
            qpdf_oh_get_key_if_dict(
                c.q, qpdf_oh_get_key(c.q, root, "/AcroForm"), "/Fields"),
            0, &count);
    }
    names = qpdf_oh_get_key(c.q, root, "/Names");
    tree = qpdf_oh_get_key_if_dict(c.q, names, "/EmbeddedFiles");
    if (qpdf_oh_is_dictionary(c.q, tree)) {
        size_t count = 0;
        walk_name_tree(&c, tree, 0, &count, on_embedded);
    }
    tree = qpdf_oh_get_key_if_dict(c.q, names, "/JavaScript");
    if (qpdf_oh_is_dictionary(c.q, tree)) {
        size_t count = 0;
        walk_name_tree(&c, tree, 0, &count, on_javascript);
    }
    action(&c, qpdf_oh_get_key(c.q, root, "/OpenAction"), "document",
           "opening the document", 0);
    aa_dict(&c, qpdf_oh_get_key(c.q, root, "/AA"), "document", "document");
    (void)disclose_pdf_qerr(&c, "document");
    qpdf_oh_release_all(c.q);

    qpdf_push_inherited_attributes_to_page(c.q);
    (void)disclose_pdf_qerr(&c, "page tree");
    npages = qpdf_get_num_pages(c.q);
    if (npages < 0 || disclose_pdf_qerr(&c, "page tree"))
        npages = 0;
    for (k = 0; k < npages && (size_t)k < c.lim.max_objects; k++) {
        char loc[48];
        qpdf_oh page = qpdf_get_page_n(c.q, (size_t)k);

        snprintf(loc, sizeof(loc), "page %d", k + 1);
        if (disclose_pdf_qerr(&c, loc))
            continue;
        annotations(&c, page, k + 1);
        aa_dict(&c, qpdf_oh_get_key(c.q, page, "/AA"), loc, "page");
        disclose_pdf_page_text(&c, page, k + 1);
        drain_warnings(&c);
        qpdf_oh_release_all(c.q);
    }
    drain_warnings(&c);
out:
    disclose_pdf_fonts_free(&c);
    free(c.off_ocgs);
    qpdf_cleanup(&c.q);
    return rc;
}
