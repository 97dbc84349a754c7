/* disclose_zip.c -- bounded reading of zip containers (libzip) and
 * streaming XML (expat) for the disclosure guard.
 *
 * Archives are hostile until proven otherwise: the entry count, the
 * declared and the actually inflated sizes and the compression ratio are
 * capped, and XML carrying a DTD or entity declarations is refused
 * outright (OOXML and ODF never need one), which rules out entity
 * expansion attacks whatever expat's own protections are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <expat.h>
#include <zip.h>

#include "disclose/disclose_int.h"

/* Part names as OPC compares them: ASCII case folded, without a leading
 * '/' ('\\' is already '/'). Excel and LibreOffice find "xl/Workbook.xml"
 * for "xl/workbook.xml", so two such entries are the same part. */
static int
name_cmp(const char *a, const char *b)
{
    if (*a == '/')
        a++;
    if (*b == '/')
        b++;
    return strcasecmp(a, b);
}

/* By name, then archive order, so the copies of a name are in the order
 * a reader meets them. */
static int
entry_cmp(const void *a, const void *b)
{
    const struct disclose_zip_entry *x = a, *y = b;
    int d = name_cmp(x->name, y->name);

    if (d)
        return d;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int
key_cmp(const void *key, const void *b)
{
    const struct disclose_zip_entry *y = b;
    return name_cmp(key, y->name);
}

/* Counts names held by more than one entry. */
static void
find_dups(struct disclose_zip *z)
{
    size_t i = 0;

    z->maxcopies = z->n ? 1 : 0;
    while (i < z->n) {
        size_t k = i + 1;

        while (k < z->n && name_cmp(z->e[i].name, z->e[k].name) == 0)
            k++;
        /* Folder entries ("xl/") carry no content to disagree about. */
        if (k - i > 1 && z->e[i].name[strlen(z->e[i].name) - 1] != '/') {
            if (!z->ndup)
                snprintf(z->dupname, sizeof(z->dupname), "%s", z->e[i].name);
            z->ndup++;
            if (k - i > z->maxcopies)
                z->maxcopies = k - i;
        }
        i = k;
    }
}

enum vigil_rc
disclose_zip_open(struct disclose_ctx *c, const void *data, size_t len,
                  struct disclose_zip *z, struct vigil_err *err)
{
    const struct vigil_disclose_policy *p = &c->d->policy;
    zip_error_t ze;
    zip_source_t *src;
    zip_t *za;
    zip_int64_t n;
    uint64_t declared = 0;

    memset(z, 0, sizeof(*z));
    zip_error_init(&ze);
    if (c->path && data == c->top)
        src = zip_source_file_create(c->path, 0, (zip_int64_t)len, &ze);
    else
        src = zip_source_buffer_create(data, len, 0, &ze);
    if (!src) {
        zip_error_fini(&ze);
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    za = zip_open_from_source(src, ZIP_RDONLY, &ze);
    if (!za) {
        enum vigil_rc rc =
            vigil_err_set(err, VIGIL_EPARSE, "%s", zip_error_strerror(&ze));
        zip_source_free(src);
        zip_error_fini(&ze);
        return rc;
    }
    zip_error_fini(&ze);
    z->za = za;
    n = zip_get_num_entries(za, 0);
    if (n < 0 || (uint64_t)n > p->max_entries) {
        vigil_err_set(err, VIGIL_ELIMIT,
                      "archive has %lld entries, more than the %zu allowed "
                      "(zip bomb?)",
                      (long long)n, p->max_entries);
        disclose_zip_close(z);
        return VIGIL_ELIMIT;
    }
    z->e = calloc((size_t)n + 1, sizeof(*z->e));
    if (!z->e) {
        disclose_zip_close(z);
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    for (zip_int64_t i = 0; i < n; i++) {
        zip_stat_t st;
        struct disclose_zip_entry *e;

        zip_stat_init(&st);
        if (zip_stat_index(za, (zip_uint64_t)i, ZIP_FL_ENC_RAW, &st) != 0 ||
            !(st.valid & ZIP_STAT_NAME))
            continue;
        e = &z->e[z->n];
        e->name = strdup(st.name);
        if (!e->name) {
            disclose_zip_close(z);
            return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        }
        /* Some producers write Windows separators (calamine issue 530). */
        for (char *q = e->name; *q; q++)
            if (*q == '\\')
                *q = '/';
        e->index = (uint64_t)i;
        e->size = (st.valid & ZIP_STAT_SIZE) ? st.size : 0;
        e->csize = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
        e->encrypted = (st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
                       st.encryption_method != ZIP_EM_NONE;
        z->n++;
        declared += e->size;
        if (e->size > p->max_total_inflate) {
            vigil_err_set(err, VIGIL_ELIMIT,
                          "entry %s inflates to %llu bytes, more than the %zu "
                          "allowed (zip bomb?)",
                          e->name, (unsigned long long)e->size,
                          p->max_total_inflate);
            disclose_zip_close(z);
            return VIGIL_ELIMIT;
        }
        if (e->size > ((uint64_t)1 << 20) &&
            e->size / (e->csize ? e->csize : 1) > p->max_ratio) {
            vigil_err_set(
                err, VIGIL_ELIMIT,
                "entry %s compresses %llu:1, above the %u:1 limit "
                "(zip bomb?)",
                e->name,
                (unsigned long long)(e->size / (e->csize ? e->csize : 1)),
                p->max_ratio);
            disclose_zip_close(z);
            return VIGIL_ELIMIT;
        }
    }
    if (declared > p->max_total_inflate) {
        vigil_err_set(err, VIGIL_ELIMIT,
                      "archive inflates to %llu bytes, more than the %zu "
                      "allowed (zip bomb?)",
                      (unsigned long long)declared, p->max_total_inflate);
        disclose_zip_close(z);
        return VIGIL_ELIMIT;
    }
    qsort(z->e, z->n, sizeof(*z->e), entry_cmp);
    find_dups(z);
    return VIGIL_OK;
}

void
disclose_zip_close(struct disclose_zip *z)
{
    if (z->za)
        zip_discard(z->za); /* frees the source too */
    for (size_t i = 0; i < z->n; i++)
        free(z->e[i].name);
    free(z->e);
    memset(z, 0, sizeof(*z));
}

const struct disclose_zip_entry *
disclose_zip_find(const struct disclose_zip *z, const char *name)
{
    const struct disclose_zip_entry *e, *end = z->e + z->n;

    if (!z->n)
        return NULL;
    e = bsearch(name, z->e, z->n, sizeof(*z->e), key_cmp);
    if (!e || !z->ndup)
        return e;
    /* The copies of a name sit together: take the one for this view. */
    while (e > z->e && name_cmp(e[-1].name, name) == 0)
        e--;
    for (size_t v = 0;
         v < z->view && e + 1 < end && name_cmp(e[1].name, name) == 0; v++)
        e++;
    return e;
}

enum vigil_rc
disclose_zip_stream(struct disclose_ctx *c, struct disclose_zip *z,
                    const struct disclose_zip_entry *e,
                    int (*fn)(void *arg, const char *p, size_t n), void *arg,
                    struct vigil_err *err)
{
    const struct vigil_disclose_policy *p = &c->d->policy;
    char chunk[65536];
    zip_file_t *zf;
    uint64_t got = 0;
    enum vigil_rc rc = VIGIL_OK;

    if (e->encrypted)
        return vigil_err_set(err, VIGIL_EUNSUPPORTED, "%s is encrypted",
                             e->name);
    zf = zip_fopen_index(z->za, e->index, 0);
    if (!zf)
        return vigil_err_set(err, VIGIL_EPARSE, "%s: %s", e->name,
                             zip_strerror(z->za));
    for (;;) {
        zip_int64_t r = zip_fread(zf, chunk, sizeof(chunk));
        if (r < 0) {
            rc = vigil_err_set(err, VIGIL_EPARSE, "%s: %s (truncated?)",
                               e->name, zip_file_strerror(zf));
            break;
        }
        if (r == 0)
            break;
        got += (uint64_t)r;
        c->inflated += (size_t)r;
        /* Declared sizes can lie: count what really comes out. A part
         * read whole into memory has its own bound (disclose_zip_read). */
        if (c->inflated > p->max_total_inflate ||
            (got > ((uint64_t)1 << 20) &&
             got / (e->csize ? e->csize : 1) > p->max_ratio)) {
            rc = vigil_err_set(err, VIGIL_ELIMIT,
                               "%s inflates past the size or ratio limits "
                               "(zip bomb?)",
                               e->name);
            break;
        }
        if (fn(arg, chunk, (size_t)r))
            break;
    }
    zip_fclose(zf);
    return rc;
}

struct read_arg {
    struct vigil_buf *b;
    size_t max;
    enum vigil_rc rc;
};

static int
read_cb(void *arg, const char *p, size_t n)
{
    struct read_arg *a = arg;

    if (a->b->len + n > a->max) {
        a->rc = VIGIL_ELIMIT;
        return 1;
    }
    a->rc = vigil_buf_append(a->b, p, n);
    return a->rc != VIGIL_OK;
}

enum vigil_rc
disclose_zip_read(struct disclose_ctx *c, struct disclose_zip *z,
                  const struct disclose_zip_entry *e, struct vigil_buf *b,
                  size_t max, struct vigil_err *err)
{
    struct read_arg a = {b, max, VIGIL_OK};
    enum vigil_rc rc;

    vigil_buf_reset(b);
    rc = disclose_zip_stream(c, z, e, read_cb, &a, err);
    if (rc == VIGIL_OK && a.rc != VIGIL_OK)
        rc = vigil_err_set(err,
                           a.rc == VIGIL_ENOMEM ? VIGIL_ENOMEM : VIGIL_ELIMIT,
                           "%s is larger than %zu bytes", e->name, max);
    return rc;
}

/* ------------------------------------------------------------------ */
/* XML                                                                  */
/* ------------------------------------------------------------------ */

#define XML_MAX_DEPTH 256

struct xml_state {
    XML_Parser xp;
    const struct disclose_xml_cb *cb;
    unsigned depth;
    int hostile;
    const char *why;
};

const char *
disclose_local(const char *qname)
{
    const char *p = strchr(qname, ':');
    return p ? p + 1 : qname;
}

const char *
disclose_attr(const char **atts, const char *local)
{
    for (size_t i = 0; atts && atts[i]; i += 2)
        if (strcmp(disclose_local(atts[i]), local) == 0)
            return atts[i + 1];
    return NULL;
}

static void XMLCALL
x_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xml_state *s = ud;

    if (++s->depth > XML_MAX_DEPTH) {
        s->hostile = 1;
        s->why = "XML nested deeper than 256 elements";
        XML_StopParser(s->xp, XML_FALSE);
        return;
    }
    if (s->cb->start)
        s->cb->start(s->cb->arg, name, atts);
}

static void XMLCALL
x_end(void *ud, const XML_Char *name)
{
    struct xml_state *s = ud;

    s->depth--;
    if (s->cb->end)
        s->cb->end(s->cb->arg, name);
}

static void XMLCALL
x_text(void *ud, const XML_Char *t, int len)
{
    struct xml_state *s = ud;

    if (s->cb->text)
        s->cb->text(s->cb->arg, t, len);
}

static void XMLCALL
x_doctype(void *ud, const XML_Char *name, const XML_Char *sys,
          const XML_Char *pub, int has_internal)
{
    struct xml_state *s = ud;

    (void)name;
    (void)sys;
    (void)pub;
    (void)has_internal;
    s->hostile = 1;
    s->why = "XML carries a DTD (entity expansion attack?)";
    XML_StopParser(s->xp, XML_FALSE);
}

static void XMLCALL
x_entity(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
         int vlen, const XML_Char *base, const XML_Char *sys,
         const XML_Char *pub, const XML_Char *notation)
{
    struct xml_state *s = ud;

    (void)name;
    (void)is_param;
    (void)value;
    (void)vlen;
    (void)base;
    (void)sys;
    (void)pub;
    (void)notation;
    s->hostile = 1;
    s->why = "XML declares entities (entity expansion attack?)";
    XML_StopParser(s->xp, XML_FALSE);
}

static int
xml_setup(struct xml_state *s, const struct disclose_xml_cb *cb)
{
    memset(s, 0, sizeof(*s));
    s->cb = cb;
    s->xp = XML_ParserCreate(NULL);
    if (!s->xp)
        return 0;
    XML_SetUserData(s->xp, s);
    XML_SetElementHandler(s->xp, x_start, x_end);
    XML_SetCharacterDataHandler(s->xp, x_text);
    XML_SetStartDoctypeDeclHandler(s->xp, x_doctype);
    XML_SetEntityDeclHandler(s->xp, x_entity);
    XML_SetParamEntityParsing(s->xp, XML_PARAM_ENTITY_PARSING_NEVER);
    return 1;
}

static enum vigil_rc
xml_feed(struct xml_state *s, const char *p, size_t n, int final,
         struct vigil_err *err)
{
    while (n > 0 || final) {
        int chunk = n > (1u << 30) ? (1 << 30) : (int)n;
        int last = final && (size_t)chunk == n;

        if (XML_Parse(s->xp, p, chunk, last) != XML_STATUS_OK) {
            if (s->hostile)
                return vigil_err_set(err, VIGIL_ELIMIT, "%s", s->why);
            return vigil_err_set(err, VIGIL_EPARSE,
                                 "malformed XML at line %lu: %s",
                                 (unsigned long)XML_GetCurrentLineNumber(s->xp),
                                 XML_ErrorString(XML_GetErrorCode(s->xp)));
        }
        p += chunk;
        n -= (size_t)chunk;
        if (last)
            break;
    }
    return VIGIL_OK;
}

struct stream_arg {
    struct xml_state *s;
    struct vigil_err *err;
    enum vigil_rc rc;
};

static int
stream_cb(void *arg, const char *p, size_t n)
{
    struct stream_arg *a = arg;

    a->rc = xml_feed(a->s, p, n, 0, a->err);
    return a->rc != VIGIL_OK;
}

enum vigil_rc
disclose_xml_entry(struct disclose_ctx *c, struct disclose_zip *z,
                   const struct disclose_zip_entry *e,
                   const struct disclose_xml_cb *cb, struct vigil_err *err)
{
    struct xml_state s;
    struct stream_arg a;
    enum vigil_rc rc;

    if (!e)
        return vigil_err_set(err, VIGIL_EPARSE, "a required part is missing");
    if (!xml_setup(&s, cb))
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    a.s = &s;
    a.err = err;
    a.rc = VIGIL_OK;
    rc = disclose_zip_stream(c, z, e, stream_cb, &a, err);
    if (rc == VIGIL_OK)
        rc = a.rc;
    if (rc == VIGIL_OK)
        rc = xml_feed(&s, "", 0, 1, err);
    XML_ParserFree(s.xp);
    return rc;
}

enum vigil_rc
disclose_xml_buf(const char *data, size_t len, const struct disclose_xml_cb *cb,
                 struct vigil_err *err)
{
    struct xml_state s;
    enum vigil_rc rc;

    if (!xml_setup(&s, cb))
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    rc = xml_feed(&s, data, len, 1, err);
    XML_ParserFree(s.xp);
    return rc;
}

void
disclose_xml_fail(struct disclose_ctx *c, const char *part, enum vigil_rc rc,
                  const struct vigil_err *err)
{
    if (rc == VIGIL_ENOMEM) {
        c->nomem = 1;
        return;
    }
    if (rc == VIGIL_ELIMIT)
        disclose_add(c, VIGIL_DK_HOSTILE, VIGIL_DISCLOSE_BLOCK, part, NULL,
                     NULL,
                     "Do not publish; ask the author for a plain copy and "
                     "have the file examined.",
                     "%s", err->msg);
    else
        disclose_add(c, VIGIL_DK_DAMAGED, VIGIL_DISCLOSE_BLOCK, part, NULL,
                     NULL,
                     "Cannot inspect this part: re-save the document from "
                     "its application and check again.",
                     "%s", err->msg);
}
