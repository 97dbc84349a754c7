/* disclose_ooxml.c -- what every Office Open XML package can carry,
 * whatever its application: relationships, document properties (core,
 * app, custom), embedded objects, macros and images with GPS in EXIF.
 * Hands the application part to disclose_xlsx / docx / pptx. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

        if (ends_with(n, "vbaProject.bin")) {
            disclose_add(c, VIGIL_DK_SCRIPT, VIGIL_DISCLOSE_REVIEW, n, NULL,
                         NULL,
                         "Save as .xlsx/.docx without macros before "
                         "publishing.",
                         "the document carries a VBA macro project");
            continue;
        }
        if (strstr(n, "/embeddings/") || strstr(n, "/activeX/")) {
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
}
