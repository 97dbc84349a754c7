/* disclose_ooxml.c -- what every Office Open XML package can carry,
 * whatever its application: relationships, document properties (core,
 * app, custom), embedded objects, macros and images with GPS in EXIF.
 * Hands the application part to disclose_xlsx / docx / pptx. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "disclose/disclose_int.h"

#define ADVICE_META                                                            \
    "Remove document properties before publishing (File > Info > Check "       \
    "for Issues > Inspect Document), or use vigil check-release --clean."

void
disclose_clip(const char *s, size_t n, char *dst, size_t dn)
{
    size_t k = 0;

    while (n && (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\r' ||
                 s[n - 1] == '\t'))
        n--;
    for (size_t i = 0; i < n && k + 4 < dn; i++) {
        unsigned char ch = (unsigned char)s[i];
        dst[k++] = (ch < 0x20) ? ' ' : (char)ch;
    }
    if (n + 4 >= dn && k + 4 >= dn && dn > 4) {
        /* Cut on a UTF-8 boundary and mark the cut. */
        while (k > 0 && ((unsigned char)dst[k - 1] & 0xC0) == 0x80)
            k--;
        if (k > 0 && ((unsigned char)dst[k - 1] & 0xC0) == 0xC0)
            k--;
        dst[k++] = '.';
        dst[k++] = '.';
        dst[k++] = '.';
    }
    dst[k] = 0;
}

/* ------------------------------------------------------------------ */
/* Relationships                                                        */
/* ------------------------------------------------------------------ */

void
disclose_rels_path(const char *part, char *dst, size_t n)
{
    const char *slash = strrchr(part, '/');

    if (!slash)
        snprintf(dst, n, "_rels/%s.rels", part);
    else
        snprintf(dst, n, "%.*s/_rels/%s.rels", (int)(slash - part), part,
                 slash + 1);
}

/* Resolves target against the folder of part, following "..". */
void
disclose_rels_resolve(const char *part, const char *target, char *dst, size_t n)
{
    char tmp[1024];
    char *segs[64];
    size_t ns = 0, used = 0;
    char *save = NULL, *tok;

    if (target[0] == '/') {
        snprintf(tmp, sizeof(tmp), "%s", target + 1);
    } else {
        const char *slash = strrchr(part, '/');
        if (slash)
            snprintf(tmp, sizeof(tmp), "%.*s/%s", (int)(slash - part), part,
                     target);
        else
            snprintf(tmp, sizeof(tmp), "%s", target);
    }
    for (char *q = tmp; *q; q++)
        if (*q == '\\')
            *q = '/';
    for (tok = strtok_r(tmp, "/", &save); tok;
         tok = strtok_r(NULL, "/", &save)) {
        if (strcmp(tok, ".") == 0)
            continue;
        if (strcmp(tok, "..") == 0) {
            if (ns)
                ns--;
            continue;
        }
        if (ns < 64)
            segs[ns++] = tok;
    }
    dst[0] = 0;
    for (size_t i = 0; i < ns && used < n; i++) {
        int w = snprintf(dst + used, n - used, "%s%s", i ? "/" : "", segs[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

struct rels_arg {
    struct disclose_rels *r;
    const char *part;
    int nomem;
};

static void
rels_start(void *arg, const char *name, const char **atts)
{
    struct rels_arg *a = arg;
    struct disclose_rel *e;
    const char *id, *type, *target, *mode, *slash;

    if (strcmp(disclose_local(name), "Relationship") != 0)
        return;
    id = disclose_attr(atts, "Id");
    type = disclose_attr(atts, "Type");
    target = disclose_attr(atts, "Target");
    mode = disclose_attr(atts, "TargetMode");
    if (!id || !target || a->r->n >= 100000)
        return;
    if (VIGIL_GROW(a->r->r, a->r->n, a->r->cap) != VIGIL_OK) {
        a->nomem = 1;
        return;
    }
    e = &a->r->r[a->r->n++];
    memset(e, 0, sizeof(*e));
    snprintf(e->id, sizeof(e->id), "%s", id);
    slash = type ? strrchr(type, '/') : NULL;
    snprintf(e->type, sizeof(e->type), "%s",
             slash ? slash + 1 : (type ? type : ""));
    e->external = mode && strcmp(mode, "External") == 0;
    if (e->external)
        snprintf(e->target, sizeof(e->target), "%s", target);
    else
        disclose_rels_resolve(a->part, target, e->target, sizeof(e->target));
}

enum vigil_rc
disclose_rels_load(struct disclose_ctx *c, struct disclose_zip *z,
                   const char *part, struct disclose_rels *out,
                   struct vigil_err *err)
{
    char path[1024];
    const struct disclose_zip_entry *e;
    struct rels_arg a = {out, part, 0};
    struct disclose_xml_cb cb = {rels_start, NULL, NULL, &a};
    enum vigil_rc rc;

    memset(out, 0, sizeof(*out));
    disclose_rels_path(part, path, sizeof(path));
    e = disclose_zip_find(z, path);
    if (!e)
        return VIGIL_OK;
    if (c->pkg && c->pkg->z == z && c->pkg->loaded[e - z->e]) {
        /* Read already by the package walk: a copy, owned by out. */
        const struct disclose_rels *k = &c->pkg->rels[e - z->e];
        if (!k->n)
            return VIGIL_OK;
        out->r = malloc(k->n * sizeof(*out->r));
        if (!out->r)
            return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        memcpy(out->r, k->r, k->n * sizeof(*out->r));
        out->n = out->cap = k->n;
        return VIGIL_OK;
    }
    rc = disclose_xml_entry(c, z, e, &cb, err);
    if (a.nomem)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    return rc;
}

void
disclose_rels_fini(struct disclose_rels *r)
{
    free(r->r);
    memset(r, 0, sizeof(*r));
}

const struct disclose_rel *
disclose_rels_get(const struct disclose_rels *r, const char *id)
{
    for (size_t i = 0; id && i < r->n; i++)
        if (strcmp(r->r[i].id, id) == 0)
            return &r->r[i];
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Document properties                                                  */
/* ------------------------------------------------------------------ */

struct props_arg {
    struct disclose_ctx *c;
    int custom;
    char cur[64]; /* element (core/app) or property name (custom) */
    int depth_in; /* inside a property element */
    struct vigil_buf text;
    char summary[700];
    size_t sumlen;
    size_t count;
    struct disclose_acc acc;
};

static void
props_start(void *arg, const char *name, const char **atts)
{
    struct props_arg *a = arg;
    const char *l = disclose_local(name);

    if (a->custom) {
        if (strcmp(l, "property") == 0) {
            const char *n = disclose_attr(atts, "name");
            snprintf(a->cur, sizeof(a->cur), "%s", n ? n : "?");
            a->depth_in = 1;
            vigil_buf_reset(&a->text);
        }
        return;
    }
    snprintf(a->cur, sizeof(a->cur), "%s", l);
    vigil_buf_reset(&a->text);
    a->depth_in = 1;
}

static void
props_text(void *arg, const char *s, int len)
{
    struct props_arg *a = arg;

    if (a->depth_in && a->text.len < 4096)
        vigil_buf_append(&a->text, s, (size_t)len);
}

static void
props_note(struct props_arg *a, const char *label)
{
    char val[96];
    int w;

    disclose_clip(a->text.data ? a->text.data : "", a->text.len, val,
                  sizeof(val));
    if (!val[0])
        return;
    a->count++;
    disclose_scan(a->c, a->text.data, a->text.len, &a->acc);
    if (a->sumlen + 8 >= sizeof(a->summary))
        return;
    w = snprintf(a->summary + a->sumlen, sizeof(a->summary) - a->sumlen,
                 "%s%s '%s'", a->sumlen ? ", " : "", label, val);
    if (w > 0)
        a->sumlen += (size_t)w;
    if (a->sumlen >= sizeof(a->summary))
        a->sumlen = sizeof(a->summary) - 1;
}

static void
props_end(void *arg, const char *name)
{
    struct props_arg *a = arg;
    const char *l = disclose_local(name);
    static const struct {
        const char *el, *label;
    } keep[] = {
        {"creator", "author"},
        {"lastModifiedBy", "last modified by"},
        {"Company", "company"},
        {"Manager", "manager"},
        {"title", "title"},
        {"subject", "subject"},
        {"description", "description"},
        {"keywords", "keywords"},
        {"category", "category"},
        {"HyperlinkBase", "hyperlink base"},
    };

    if (!a->depth_in)
        return;
    if (a->custom) {
        if (strcmp(l, "property") == 0) {
            props_note(a, a->cur);
            a->depth_in = 0;
        }
        return;
    }
    for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
        if (strcmp(l, keep[i].el) == 0)
            props_note(a, keep[i].label);
    a->depth_in = 0;
}

static void
do_props(struct disclose_ctx *c, struct disclose_zip *z, const char *part,
         int custom, struct props_arg *a)
{
    const struct disclose_zip_entry *e = disclose_zip_find(z, part);
    struct disclose_xml_cb cb = {props_start, props_end, props_text, a};
    struct vigil_err err;
    enum vigil_rc rc;

    if (!e)
        return;
    a->custom = custom;
    a->depth_in = 0;
    vigil_err_clear(&err);
    rc = disclose_xml_entry(c, z, e, &cb, &err);
    if (rc != VIGIL_OK)
        disclose_xml_fail(c, part, rc, &err);
}

static void
ooxml_props(struct disclose_ctx *c, struct disclose_zip *z)
{
    struct props_arg a;
    struct vigil_disclose_finding *f;

    memset(&a, 0, sizeof(a));
    a.c = c;
    vigil_buf_init(&a.text, 8192);
    do_props(c, z, "docProps/core.xml", 0, &a);
    do_props(c, z, "docProps/app.xml", 0, &a);
    if (a.count) {
        f = disclose_add(c, VIGIL_DK_METADATA, VIGIL_DISCLOSE_REVIEW,
                         "docProps/core.xml", NULL, NULL, ADVICE_META,
                         "document properties name people or the "
                         "organisation: %s",
                         a.summary);
        if (f)
            f->count = a.count;
        disclose_finding_pii(f, &a.acc);
    }
    memset(&a.acc, 0, sizeof(a.acc));
    a.count = 0;
    a.sumlen = 0;
    a.summary[0] = 0;
    do_props(c, z, "docProps/custom.xml", 1, &a);
    if (a.count) {
        f = disclose_add(c, VIGIL_DK_CUSTOM_PROPERTIES, VIGIL_DISCLOSE_REVIEW,
                         "docProps/custom.xml", NULL, NULL, ADVICE_META,
                         "%zu custom document properties: %s", a.count,
                         a.summary);
        if (f)
            f->count = a.count;
        disclose_finding_pii(f, &a.acc);
    }
    vigil_buf_fini(&a.text);
}

/* ------------------------------------------------------------------ */
/* The package map: every part reached through relationships            */
/* ------------------------------------------------------------------ */

/* A part is found by what the package says it is, not by where it is
 * stored: openpyxl writes comments to xl/comments/comment1.xml, Excel
 * to xl/comments1.xml, and a hostile author anywhere. */
static enum disclose_pk
kind_of_rel(const char *t)
{
    static const struct {
        const char *type;
        enum disclose_pk k;
    } map[] = {
        {"comments", DISCLOSE_PK_COMMENTS},
        {"threadedComment", DISCLOSE_PK_THREADED},
        {"person", DISCLOSE_PK_PERSON},
        {"people", DISCLOSE_PK_PERSON},
        {"commentAuthors", DISCLOSE_PK_PERSON},
        {"authors", DISCLOSE_PK_PERSON},
        {"notesSlide", DISCLOSE_PK_NOTES},
        {"customXml", DISCLOSE_PK_CUSTOMXML},
        {"oleObject", DISCLOSE_PK_EMBED},
        {"package", DISCLOSE_PK_EMBED},
        {"control", DISCLOSE_PK_EMBED},
        {"activeXControlBinary", DISCLOSE_PK_EMBED},
        {"externalLink", DISCLOSE_PK_EXTLINK},
        {"pivotCacheDefinition", DISCLOSE_PK_PIVOTDEF},
        {"vbaProject", DISCLOSE_PK_VBA},
        {"header", DISCLOSE_PK_TEXT},
        {"footer", DISCLOSE_PK_TEXT},
        {"footnotes", DISCLOSE_PK_TEXT},
        {"endnotes", DISCLOSE_PK_TEXT},
        {"slide", DISCLOSE_PK_SLIDE},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(t, map[i].type) == 0)
            return map[i].k;
    return DISCLOSE_PK_NONE;
}

/* By the last segment of the content type, "+xml" aside:
 * "application/vnd.ms-excel.threadedcomments+xml" -> threadedcomments.
 * One compare per known name: this runs for every Default and Override
 * of every package. */
static enum disclose_pk
kind_of_ctype(const char *ct)
{
    static const struct {
        const char *seg;
        enum disclose_pk k;
    } map[] = {
        {"comments", DISCLOSE_PK_COMMENTS},
        {"threadedcomments", DISCLOSE_PK_THREADED},
        {"person", DISCLOSE_PK_PERSON},
        {"people", DISCLOSE_PK_PERSON},
        {"commentAuthors", DISCLOSE_PK_PERSON},
        {"authors", DISCLOSE_PK_PERSON},
        {"notesSlide", DISCLOSE_PK_NOTES},
        {"oleObject", DISCLOSE_PK_EMBED},
        {"activeX", DISCLOSE_PK_EMBED},
        {"externalLink", DISCLOSE_PK_EXTLINK},
        {"pivotCacheDefinition", DISCLOSE_PK_PIVOTDEF},
        {"vbaProject", DISCLOSE_PK_VBA},
    };
    const char *seg = strrchr(ct, '.');
    size_t n;

    seg = seg ? seg + 1 : ct;
    n = strlen(seg);
    if (n > 4 && strcasecmp(seg + n - 4, "+xml") == 0)
        n -= 4;
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strlen(map[i].seg) == n && strncasecmp(seg, map[i].seg, n) == 0)
            return map[i].k;
    return DISCLOSE_PK_NONE;
}

enum disclose_pk
disclose_pkg_kind(const struct disclose_ctx *c, const struct disclose_zip *z,
                  const struct disclose_zip_entry *e)
{
    if (!c->pkg || !c->pkg->kind || e < z->e || e >= z->e + z->n)
        return DISCLOSE_PK_NONE;
    return (enum disclose_pk)c->pkg->kind[e - z->e];
}

#define PKG_MAX_DEFAULTS 256

struct ct_arg {
    struct disclose_zip *z;
    struct disclose_pkg *pkg;
    struct {
        char ext[16];
        uint8_t k;
    } def[PKG_MAX_DEFAULTS];
    size_t ndef;
};

static void
ct_start(void *arg, const char *name, const char **atts)
{
    struct ct_arg *a = arg;
    const char *l = disclose_local(name);
    const char *ct = disclose_attr(atts, "ContentType");
    enum disclose_pk k;

    if (!ct)
        return;
    k = kind_of_ctype(ct);
    if (k == DISCLOSE_PK_NONE)
        return;
    if (strcmp(l, "Override") == 0) {
        const char *pn = disclose_attr(atts, "PartName");
        const struct disclose_zip_entry *e =
            pn ? disclose_zip_find(a->z, pn) : NULL;
        if (e)
            a->pkg->kind[e - a->z->e] = (uint8_t)k;
    } else if (strcmp(l, "Default") == 0 && a->ndef < PKG_MAX_DEFAULTS) {
        const char *ext = disclose_attr(atts, "Extension");
        if (ext && strlen(ext) < sizeof(a->def[0].ext)) {
            snprintf(a->def[a->ndef].ext, sizeof(a->def[0].ext), "%s", ext);
            a->def[a->ndef++].k = (uint8_t)k;
        }
    }
}

static void
pkg_content_types(struct disclose_ctx *c, struct disclose_zip *z,
                  struct disclose_pkg *pkg)
{
    const struct disclose_zip_entry *e =
        disclose_zip_find(z, "[Content_Types].xml");
    struct ct_arg *a;
    struct disclose_xml_cb cb = {ct_start, NULL, NULL, NULL};
    struct vigil_err err;
    enum vigil_rc rc;

    if (!e)
        return;
    pkg->reached[e - z->e] = 1;
    a = calloc(1, sizeof(*a));
    if (!a) {
        c->nomem = 1;
        return;
    }
    a->z = z;
    a->pkg = pkg;
    cb.arg = a;
    vigil_err_clear(&err);
    rc = disclose_xml_entry(c, z, e, &cb, &err);
    if (rc != VIGIL_OK)
        disclose_xml_fail(c, e->name, rc, &err);
    /* Defaults apply where no Override named the part. */
    for (size_t i = 0; i < z->n && a->ndef; i++) {
        const char *dot = strrchr(z->e[i].name, '.');
        if (pkg->kind[i] || !dot || strchr(dot, '/'))
            continue;
        for (size_t k = 0; k < a->ndef; k++)
            if (strcasecmp(dot + 1, a->def[k].ext) == 0)
                pkg->kind[i] = a->def[k].k;
    }
    free(a);
}

/* Marks every copy of e's name (duplicates are reported elsewhere) and
 * returns 1 when e had not been reached before. */
static int
pkg_reach(struct disclose_zip *z, struct disclose_pkg *pkg,
          const struct disclose_zip_entry *e)
{
    size_t i = (size_t)(e - z->e), lo = i, hi = i;
    int fresh = !pkg->reached[i];

    while (lo > 0 && strcasecmp(z->e[lo - 1].name, e->name) == 0)
        lo--;
    while (hi + 1 < z->n && strcasecmp(z->e[hi + 1].name, e->name) == 0)
        hi++;
    for (size_t k = lo; k <= hi; k++)
        pkg->reached[k] = 1;
    return fresh;
}

/* Follows relationships from the package root (_rels/.rels) to every
 * part they reach, breadth first; each part is visited once. */
static void
pkg_walk(struct disclose_ctx *c, struct disclose_zip *z,
         struct disclose_pkg *pkg)
{
    size_t *queue = calloc(z->n + 1, sizeof(*queue));
    size_t head = 0, tail = 0;
    int root = 1;

    if (!queue) {
        c->nomem = 1;
        return;
    }
    while ((root || head < tail) && !c->nomem) {
        const char *part = root ? "" : z->e[queue[head++]].name;
        char rpath[1024];
        const struct disclose_zip_entry *re;
        struct disclose_rels rels;
        struct vigil_err err;
        enum vigil_rc rc;

        root = 0;
        disclose_rels_path(part, rpath, sizeof(rpath));
        re = disclose_zip_find(z, rpath);
        if (!re)
            continue;
        pkg_reach(z, pkg, re);
        vigil_err_clear(&err);
        rc = disclose_rels_load(c, z, part, &rels, &err);
        if (rc != VIGIL_OK)
            disclose_xml_fail(c, re->name, rc, &err);
        else if (!pkg->loaded[re - z->e]) {
            /* Kept for the inspectors, which read some of them again. */
            pkg->rels[re - z->e] = rels;
            pkg->loaded[re - z->e] = 1;
        }
        for (size_t i = 0; i < rels.n; i++) {
            const struct disclose_zip_entry *t;
            enum disclose_pk k;

            if (rels.r[i].external)
                continue;
            t = disclose_zip_find(z, rels.r[i].target);
            if (!t)
                continue;
            k = kind_of_rel(rels.r[i].type);
            if (k != DISCLOSE_PK_NONE)
                pkg->kind[t - z->e] = (uint8_t)k;
            if (pkg_reach(z, pkg, t) && tail < z->n)
                queue[tail++] = (size_t)(t - z->e);
        }
        if (!pkg->loaded[re - z->e] || pkg->rels[re - z->e].r != rels.r)
            disclose_rels_fini(&rels);
    }
    free(queue);
}

/* Allocates the per-entry arrays of pkg for z; 0 when out of memory
 * (pkg_fini still frees what was allocated). */
static int
pkg_init(struct disclose_pkg *pkg, const struct disclose_zip *z)
{
    pkg->z = z;
    pkg->kind = calloc(z->n + 1, 1);
    pkg->reached = calloc(z->n + 1, 1);
    pkg->loaded = calloc(z->n + 1, 1);
    pkg->rels = calloc(z->n + 1, sizeof(*pkg->rels));
    return pkg->kind && pkg->reached && pkg->loaded && pkg->rels;
}

static void
pkg_fini(struct disclose_pkg *pkg)
{
    for (size_t i = 0; pkg->rels && i < pkg->z->n; i++)
        disclose_rels_fini(&pkg->rels[i]);
    free(pkg->rels);
    free(pkg->loaded);
    free(pkg->kind);
    free(pkg->reached);
    memset(pkg, 0, sizeof(*pkg));
}

/* Text and attribute values of an XML part, bounded, for scanning. */
struct grab_arg {
    struct vigil_buf *b;
    size_t people;
    char names[300];
    size_t nlen;
};

#define GRAB_MAX ((size_t)1 << 20)

/* Keeps the first MiB of a part's text: enough to tell personal data is
 * there, bounded whatever the part's size. */
static void
grab_add(struct vigil_buf *b, const char *s, size_t n)
{
    if (b->len + 1 >= GRAB_MAX)
        return;
    if (n > GRAB_MAX - b->len - 1)
        n = GRAB_MAX - b->len - 1;
    vigil_buf_append(b, s, n);
    vigil_buf_putc(b, ' ');
}

static void
grab_start(void *arg, const char *name, const char **atts)
{
    struct grab_arg *a = arg;

    (void)name;
    for (size_t i = 0; atts && atts[i]; i += 2) {
        const char *l = disclose_local(atts[i]);
        grab_add(a->b, atts[i + 1], strlen(atts[i + 1]));
        /* persons: displayName; people.xml: author; cmAuthor: name */
        if (strcmp(l, "displayName") == 0 || strcmp(l, "author") == 0 ||
            (strcmp(l, "name") == 0 &&
             strcmp(disclose_local(name), "cmAuthor") == 0)) {
            char v[64];
            a->people++;
            disclose_clip(atts[i + 1], strlen(atts[i + 1]), v, sizeof(v));
            if (v[0] && a->nlen + strlen(v) + 6 < sizeof(a->names)) {
                int w = snprintf(a->names + a->nlen, sizeof(a->names) - a->nlen,
                                 "%s'%s'", a->nlen ? ", " : "", v);
                if (w > 0)
                    a->nlen += (size_t)w;
            }
        }
    }
}

static void
grab_text(void *arg, const char *s, int len)
{
    struct grab_arg *a = arg;
    grab_add(a->b, s, (size_t)len);
}

/* A part no inspector reads: what it holds decides the severity. */
static void
pkg_loose_part(struct disclose_ctx *c, struct disclose_zip *z,
               const struct disclose_zip_entry *e, int reached,
               enum disclose_pk k, struct vigil_buf *b)
{
    struct vigil_buf text;
    struct grab_arg g;
    struct disclose_xml_cb cb = {grab_start, NULL, grab_text, &g};
    struct disclose_acc acc;
    struct vigil_disclose_finding *f = NULL;
    struct vigil_err err;
    char pii[300];
    const unsigned char *d;
    size_t skip = 0;

    memset(&acc, 0, sizeof(acc));
    memset(&g, 0, sizeof(g));
    vigil_err_clear(&err);
    if (disclose_zip_read(c, z, e, b, c->d->policy.max_part_bytes, &err) !=
        VIGIL_OK) {
        if (!reached)
            disclose_add(c, VIGIL_DK_UNEXPLAINED_PART, VIGIL_DISCLOSE_BLOCK,
                         e->name, NULL, NULL,
                         "Do not publish; re-save the document from its "
                         "application and check again.",
                         "no relationship of the package reaches this part, "
                         "and it cannot be read: %s",
                         err.msg);
        return;
    }
    if (b->len == 0)
        return; /* nothing can hide in an empty part */
    d = (const unsigned char *)b->data;
    vigil_buf_init(&text, GRAB_MAX + 1);
    g.b = &text;
    if (b->len >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF)
        skip = 3;
    while (skip < b->len && (d[skip] == ' ' || d[skip] == '\n' ||
                             d[skip] == '\r' || d[skip] == '\t'))
        skip++;
    if (skip < b->len && d[skip] == '<') {
        vigil_err_clear(&err);
        if (disclose_xml_buf(b->data, b->len, &cb, &err) != VIGIL_OK &&
            !reached) {
            /* Not XML after all: scan the bytes as they are. */
            vigil_buf_reset(&text);
            grab_add(&text, b->data, b->len);
        }
    } else if (!reached && b->len && memchr(b->data, 0, b->len) == NULL) {
        grab_add(&text, b->data, b->len);
    }
    if (text.len)
        disclose_scan(c, text.data, text.len, &acc);
    disclose_acc_describe(&acc, pii, sizeof(pii));
    if (!reached) {
        f = disclose_add(
            c, VIGIL_DK_UNEXPLAINED_PART,
            acc.total ? VIGIL_DISCLOSE_BLOCK : VIGIL_DISCLOSE_REVIEW, e->name,
            NULL, NULL,
            "Find out what the part is and delete it, or re-save the "
            "document from its application and check again.",
            "no relationship of the package reaches this part (%zu bytes); "
            "it may be left-over or planted content that some programs "
            "still read%s%s",
            b->len, pii[0] ? "; personal data: " : "", pii);
        /* A container inside is checked like an embedded object. */
        if (b->len >= 4 &&
            (memcmp(d, "PK\3\4", 4) == 0 || memcmp(d, "%PDF", 4) == 0 ||
             memcmp(d, "\xD0\xCF\x11\xE0", 4) == 0) &&
            c->depth < c->d->policy.max_depth) {
            char path[1024];
            const char *saved = c->member;
            struct disclose_pkg *spkg = c->pkg;

            snprintf(path, sizeof(path), "%s%s%s", saved ? saved : "",
                     saved ? "/" : "", e->name);
            c->member = disclose_strdup(c, path, strlen(path));
            c->depth++;
            c->pkg = NULL;
            disclose_check_any(c, e->name, d, b->len, 0);
            c->pkg = spkg;
            c->depth--;
            c->member = saved;
        }
    } else if (k == DISCLOSE_PK_PERSON && (g.people || acc.total)) {
        f = disclose_add(
            c, VIGIL_DK_METADATA, VIGIL_DISCLOSE_REVIEW, e->name, NULL, NULL,
            "Delete the comments and their authors (File > Info "
            "> Check for Issues > Inspect Document).",
            "the document names %zu comment author(s): %s%s%s", g.people,
            g.names, pii[0] ? "; personal data: " : "", pii);
    } else if (k == DISCLOSE_PK_CUSTOMXML && acc.total) {
        f = disclose_add(c, VIGIL_DK_CUSTOM_PROPERTIES, VIGIL_DISCLOSE_REVIEW,
                         e->name, NULL, NULL, ADVICE_META,
                         "a custom XML part holds personal data: %s", pii);
    }
    if (f) {
        f->count = g.people ? g.people : acc.total;
        disclose_finding_pii(f, &acc);
    }
    vigil_buf_fini(&text);
}

/* After the inspectors: parts no relationship reaches, and reached
 * parts of kinds no inspector reads (people, custom XML). */
static void
pkg_loose(struct disclose_ctx *c, struct disclose_zip *z,
          struct disclose_pkg *pkg)
{
    struct vigil_buf b;

    vigil_buf_init(&b, c->d->policy.max_part_bytes);
    for (size_t i = 0; i < z->n && !c->nomem; i++) {
        const char *n = z->e[i].name;
        size_t nl = strlen(n);
        enum disclose_pk k = (enum disclose_pk)pkg->kind[i];

        if (nl == 0 || n[nl - 1] == '/' || z->e[i].encrypted)
            continue;
        if (pkg->reached[i] && k != DISCLOSE_PK_PERSON &&
            k != DISCLOSE_PK_CUSTOMXML)
            continue;
        pkg_loose_part(c, z, &z->e[i], pkg->reached[i], k, &b);
    }
    vigil_buf_fini(&b);
}

/* ------------------------------------------------------------------ */
/* Package-wide parts                                                   */
/* ------------------------------------------------------------------ */

static int
ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

static void
ooxml_parts(struct disclose_ctx *c, struct disclose_zip *z)
{
    size_t embedded = 0;
    struct vigil_buf b;
    struct vigil_err err;

    vigil_buf_init(&b, c->d->policy.max_part_bytes);
    for (size_t i = 0; i < z->n && !c->nomem; i++) {
        const struct disclose_zip_entry *e = &z->e[i];
        const char *n = e->name;
        enum disclose_pk k = disclose_pkg_kind(c, z, e);

        if (ends_with(n, "vbaProject.bin") || k == DISCLOSE_PK_VBA) {
            disclose_add(c, VIGIL_DK_SCRIPT, VIGIL_DISCLOSE_REVIEW, n, NULL,
                         NULL,
                         "Save as .xlsx/.docx without macros before "
                         "publishing.",
                         "the document carries a VBA macro project");
            continue;
        }
        if (strstr(n, "/embeddings/") || strstr(n, "/activeX/") ||
            k == DISCLOSE_PK_EMBED) {
            embedded++;
            vigil_err_clear(&err);
            if (disclose_zip_read(c, z, e, &b, c->d->policy.max_part_bytes,
                                  &err) != VIGIL_OK)
                continue;
            disclose_add(c, VIGIL_DK_EMBEDDED_OBJECT, VIGIL_DISCLOSE_REVIEW, n,
                         NULL, NULL,
                         "Open the object and check it, or replace it with "
                         "a picture of what should be shown.",
                         "embedded object of %zu bytes travels with the "
                         "document (it may hold the whole source file)",
                         b.len);
            if (c->depth < c->d->policy.max_depth) {
                char path[1024];
                const char *saved = c->member;

                snprintf(path, sizeof(path), "%s%s%s", saved ? saved : "",
                         saved ? "/" : "", n);
                c->member = disclose_strdup(c, path, strlen(path));
                c->depth++;
                disclose_check_any(c, n, (const unsigned char *)b.data, b.len,
                                   0);
                c->depth--;
                c->member = saved;
            }
            continue;
        }
        if ((ends_with(n, ".jpg") || ends_with(n, ".jpeg")) &&
            e->size < ((uint64_t)64 << 20)) {
            vigil_err_clear(&err);
            if (disclose_zip_read(c, z, e, &b, (size_t)64 << 20, &err) ==
                VIGIL_OK)
                disclose_exif(c, n, (const unsigned char *)b.data, b.len);
        }
    }
    vigil_buf_fini(&b);
}

void
disclose_ooxml(struct disclose_ctx *c, struct disclose_zip *z)
{
    const char *fmt;
    struct disclose_pkg pkg;
    struct disclose_pkg *outer = c->pkg; /* an embedded package's parent */

    if (!pkg_init(&pkg, z)) {
        c->nomem = 1;
        goto out;
    }
    c->pkg = &pkg;
    pkg_content_types(c, z, &pkg);
    pkg_walk(c, z, &pkg);
    if (disclose_zip_find(z, "xl/workbook.bin"))
        fmt = "xlsb";
    else if (disclose_zip_find(z, "xl/workbook.xml"))
        fmt = disclose_zip_find(z, "xl/vbaProject.bin") ? "xlsm" : "xlsx";
    else if (disclose_zip_find(z, "word/document.xml"))
        fmt = "docx";
    else if (disclose_zip_find(z, "ppt/presentation.xml"))
        fmt = "pptx";
    else
        fmt = "ooxml";
    if (c->depth == 0)
        c->res->format = fmt;
    ooxml_props(c, z);
    if (strcmp(fmt, "xlsx") == 0 || strcmp(fmt, "xlsm") == 0)
        disclose_xlsx(c, z);
    else if (strcmp(fmt, "docx") == 0)
        disclose_docx(c, z);
    else if (strcmp(fmt, "pptx") == 0)
        disclose_pptx(c, z);
    else if (strcmp(fmt, "xlsb") == 0)
        disclose_add(c, VIGIL_DK_UNSUPPORTED, VIGIL_DISCLOSE_BLOCK, NULL, NULL,
                     NULL,
                     "Save it as .xlsx (or export to CSV) and check again.",
                     "binary workbook (.xlsb) cannot be inspected");
    else
        disclose_add(c, VIGIL_DK_UNSUPPORTED, VIGIL_DISCLOSE_BLOCK, NULL, NULL,
                     NULL, "Convert it to XLSX, DOCX or PDF and check again.",
                     "an Office Open XML package of unknown kind");
    ooxml_parts(c, z);
    pkg_loose(c, z, &pkg);
out:
    c->pkg = outer;
    pkg_fini(&pkg);
}

uint8_t *
disclose_pkg_reached(struct disclose_ctx *c, struct disclose_zip *z)
{
    struct disclose_pkg pkg;
    const struct disclose_zip_entry *ct;
    uint8_t *reached = NULL;

    if (!pkg_init(&pkg, z)) {
        pkg_fini(&pkg);
        return NULL;
    }
    ct = disclose_zip_find(z, "[Content_Types].xml");
    if (ct)
        pkg.reached[ct - z->e] = 1;
    pkg_walk(c, z, &pkg);
    if (!c->nomem) {
        reached = pkg.reached;
        pkg.reached = NULL;
    }
    pkg_fini(&pkg);
    return reached;
}
