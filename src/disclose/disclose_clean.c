/* disclose_clean.c -- writes a copy of an Office Open XML document
 * without what the guard reports as hidden: hidden sheets, hidden rows
 * and columns, white or tiny cells, pivot caches, comments, external
 * links, document properties, the saved-in folder, and tracked changes
 * (insertions accepted, deletions dropped) and hidden text in Word.
 *
 * Every XML part that changes is streamed through expat and written
 * back element by element (no DOM); the package's relationships and
 * content types are rewritten to drop what points at removed parts, so
 * the copy opens without repair. The zip is rebuilt with libzip in
 * memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "disclose/disclose_int.h"

enum xact { XA_KEEP, XA_DROP, XA_UNWRAP };

#define RW_MAX_DEPTH 300

struct cleaner {
    struct disclose_ctx *c;
    struct disclose_zip *z;
    int kind; /* 'x' workbook, 'd' document, 'p' presentation */
    /* parts to drop (normalised names) */
    char **drop;
    size_t ndrop, capdrop;
    /* workbook */
    char hidden_sheet[64][128];
    int hidden_idx[64];
    size_t nhidden;
    size_t nsheets;
    uint8_t *dn_drop; /* per definedName ordinal */
    size_t ndn, capdn;
    uint8_t *xf;
    size_t nxf;
};

static int
drop_add(struct cleaner *k, const char *name)
{
    if (VIGIL_GROW(k->drop, k->ndrop, k->capdrop) != VIGIL_OK)
        return 0;
    k->drop[k->ndrop] = strdup(name);
    return k->drop[k->ndrop++] != NULL;
}

static int
dropped(const struct cleaner *k, const char *name)
{
    if (name[0] == '/')
        name++;
    for (size_t i = 0; i < k->ndrop; i++)
        if (strcmp(k->drop[i], name) == 0)
            return 1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Streaming rewriter                                                   */
/* ------------------------------------------------------------------ */

struct rw;
typedef enum xact (*rw_decide_fn)(struct rw *w, const char *name,
                                  const char **atts, const char ***newatts);

struct rw {
    struct cleaner *k;
    struct vigil_buf *out;
    rw_decide_fn decide;
    unsigned skip;
    unsigned depth;
    uint8_t kept[RW_MAX_DEPTH];
    int nomem; /* 1: out of memory, 2: past max_part_bytes */
    const char *part;
    /* per-part state */
    uint8_t hcol[16384 / 8];
    int in_rpr, run_hidden, in_run;
    size_t dn_ord;
    int sheet_ord;
    const char *atts_buf[64];
    char attr_val[32];
};

static void
put(struct rw *w, const char *s, size_t n)
{
    enum vigil_rc rc;

    if (!w->nomem && (rc = vigil_buf_append(w->out, s, n)) != VIGIL_OK)
        w->nomem = rc == VIGIL_ELIMIT ? 2 : 1;
}

static void
put_esc(struct rw *w, const char *s, size_t n, int attr)
{
    size_t start = 0;

    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = attr ? "&quot;" : NULL;
            break;
        case '\n':
            rep = attr ? "&#10;" : NULL;
            break;
        case '\r':
            rep = "&#13;";
            break;
        case '\t':
            rep = attr ? "&#9;" : NULL;
            break;
        }
        if (rep) {
            put(w, s + start, i - start);
            put(w, rep, strlen(rep));
            start = i + 1;
        }
    }
    put(w, s + start, n - start);
}

static void
rw_start(void *arg, const char *name, const char **atts)
{
    struct rw *w = arg;
    const char **na = atts;
    enum xact act;

    if (w->skip) {
        w->skip++;
        return;
    }
    act = w->decide ? w->decide(w, name, atts, &na) : XA_KEEP;
    if (act == XA_DROP) {
        w->skip = 1;
        return;
    }
    if (w->depth < RW_MAX_DEPTH)
        w->kept[w->depth] = act == XA_KEEP;
    w->depth++;
    if (act != XA_KEEP)
        return;
    put(w, "<", 1);
    put(w, name, strlen(name));
    for (size_t i = 0; na && na[i]; i += 2) {
        put(w, " ", 1);
        put(w, na[i], strlen(na[i]));
        put(w, "=\"", 2);
        put_esc(w, na[i + 1], strlen(na[i + 1]), 1);
        put(w, "\"", 1);
    }
    put(w, ">", 1);
}

static void rw_end_hook(struct rw *w, const char *name);

static void
rw_end(void *arg, const char *name)
{
    struct rw *w = arg;

    if (w->skip) {
        w->skip--;
        return;
    }
    if (w->depth)
        w->depth--;
    rw_end_hook(w, name);
    if (w->depth < RW_MAX_DEPTH && !w->kept[w->depth])
        return;
    put(w, "</", 2);
    put(w, name, strlen(name));
    put(w, ">", 1);
}

static void
rw_text(void *arg, const char *s, int len)
{
    struct rw *w = arg;

    if (!w->skip)
        put_esc(w, s, (size_t)len, 0);
}

/* ------------------------------------------------------------------ */
/* Deciders                                                             */
/* ------------------------------------------------------------------ */

static int
attr_true(const char **atts, const char *n)
{
    const char *v = disclose_attr(atts, n);
    return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
}

static enum xact
d_rels(struct rw *w, const char *name, const char **atts, const char ***na)
{
    char src[1024], tgt[1024];
    const char *t, *mode, *slash;
    size_t n;

    (void)na;
    if (strcmp(disclose_local(name), "Relationship") != 0)
        return XA_KEEP;
    t = disclose_attr(atts, "Target");
    mode = disclose_attr(atts, "TargetMode");
    if (!t)
        return XA_KEEP;
    if (mode && strcmp(mode, "External") == 0) {
        /* External targets are links to other files: drop them from the
         * parts that are themselves links. */
        const char *type = disclose_attr(atts, "Type");
        return type && strstr(type, "externalLinkPath") ? XA_DROP : XA_KEEP;
    }
    /* "xl/worksheets/_rels/sheet1.xml.rels" -> "xl/worksheets/sheet1.xml" */
    slash = strstr(w->part, "_rels/");
    n = slash ? (size_t)(slash - w->part) : 0;
    snprintf(src, sizeof(src), "%.*s%s", (int)n, w->part,
             slash ? slash + 6 : w->part);
    n = strlen(src);
    if (n > 5 && strcmp(src + n - 5, ".rels") == 0)
        src[n - 5] = 0;
    disclose_rels_resolve(src, t, tgt, sizeof(tgt));
    return dropped(w->k, tgt) ? XA_DROP : XA_KEEP;
}

static enum xact
d_types(struct rw *w, const char *name, const char **atts, const char ***na)
{
    const char *p;

    (void)na;
    if (strcmp(disclose_local(name), "Override") != 0)
        return XA_KEEP;
    p = disclose_attr(atts, "PartName");
    return p && dropped(w->k, p) ? XA_DROP : XA_KEEP;
}

static enum xact
d_workbook(struct rw *w, const char *name, const char **atts, const char ***na)
{
    const char *l = disclose_local(name);
    struct cleaner *k = w->k;

    if (strcmp(l, "sheet") == 0) {
        const char *st = disclose_attr(atts, "state");
        w->sheet_ord++;
        if (st && (strcmp(st, "hidden") == 0 || strcmp(st, "veryHidden") == 0))
            return XA_DROP;
        return XA_KEEP;
    }
    if (strcmp(l, "definedName") == 0) {
        size_t ord = w->dn_ord++;
        const char *ls = disclose_attr(atts, "localSheetId");
        int64_t id;

        if (ord < k->ndn && k->dn_drop[ord])
            return XA_DROP;
        if (ls && vigil_parse_i64(ls, strlen(ls), &id)) {
            int64_t shift = 0;
            for (size_t i = 0; i < k->nhidden; i++) {
                if (k->hidden_idx[i] == id)
                    return XA_DROP;
                if (k->hidden_idx[i] < id)
                    shift++;
            }
            if (shift) {
                size_t j = 0;
                snprintf(w->attr_val, sizeof(w->attr_val), "%lld",
                         (long long)(id - shift));
                for (size_t i = 0; atts[i] && j + 2 < 64; i += 2) {
                    w->atts_buf[j++] = atts[i];
                    w->atts_buf[j++] =
                        strcmp(disclose_local(atts[i]), "localSheetId") == 0
                            ? w->attr_val
                            : atts[i + 1];
                }
                w->atts_buf[j] = NULL;
                *na = w->atts_buf;
            }
        }
        return XA_KEEP;
    }
    if (strcmp(l, "pivotCaches") == 0 || strcmp(l, "externalReferences") == 0 ||
        strcmp(l, "absPath") == 0 || strcmp(l, "connections") == 0)
        return XA_DROP;
    if (strcmp(l, "bookViews") == 0)
        return XA_DROP; /* activeTab may point at a removed sheet */
    return XA_KEEP;
}

static enum xact
d_sheet(struct rw *w, const char *name, const char **atts, const char ***na)
{
    const char *l = disclose_local(name);

    (void)na;
    if (strcmp(l, "row") == 0) {
        const char *ht = disclose_attr(atts, "ht");
        if (attr_true(atts, "hidden") || (ht && strtod(ht, NULL) < 0.5))
            return XA_DROP;
        return XA_KEEP;
    }
    if (strcmp(l, "c") == 0) {
        const char *r = disclose_attr(atts, "r");
        const char *s = disclose_attr(atts, "s");
        unsigned col;
        uint32_t row;
        int64_t sv;

        if (r && disclose_cell_ref(r, &col, &row) && col < 16384 &&
            (w->hcol[col / 8] & (1u << (col % 8))))
            return XA_DROP;
        if (s && vigil_parse_i64(s, strlen(s), &sv) && sv >= 0 &&
            (size_t)sv < w->k->nxf && w->k->xf[sv])
            return XA_DROP;
        return XA_KEEP;
    }
    if (strcmp(l, "col") == 0) {
        const char *mn = disclose_attr(atts, "min");
        const char *mx = disclose_attr(atts, "max");
        const char *wd = disclose_attr(atts, "width");
        int64_t lo, hi;

        if ((attr_true(atts, "hidden") || (wd && strtod(wd, NULL) < 0.5)) &&
            mn && mx && vigil_parse_i64(mn, strlen(mn), &lo) &&
            vigil_parse_i64(mx, strlen(mx), &hi) && lo >= 1 && hi >= lo) {
            if (hi > 16384)
                hi = 16384;
            for (int64_t i = lo; i <= hi; i++)
                w->hcol[(i - 1) / 8] |= (uint8_t)(1u << ((i - 1) % 8));
            return XA_DROP;
        }
        return XA_KEEP;
    }
    if (strcmp(l, "legacyDrawing") == 0 || strcmp(l, "legacyDrawingHF") == 0)
        return XA_DROP;
    return XA_KEEP;
}

static enum xact
d_word(struct rw *w, const char *name, const char **atts, const char ***na)
{
    const char *l = disclose_local(name);
    size_t n = strlen(l);

    (void)na;
    if (strcmp(l, "ins") == 0 || strcmp(l, "moveTo") == 0)
        return w->in_rpr ? XA_DROP : XA_UNWRAP;
    if (strcmp(l, "del") == 0 || strcmp(l, "moveFrom") == 0)
        return XA_DROP;
    if (n > 6 && strcmp(l + n - 6, "Change") == 0)
        return XA_DROP; /* rPrChange, pPrChange...: formatting history */
    if (strncmp(l, "comment", 7) == 0 || strncmp(l, "moveFromRange", 13) == 0 ||
        strncmp(l, "moveToRange", 11) == 0)
        return XA_DROP;
    if (strcmp(l, "r") == 0) {
        w->in_run = 1;
        w->run_hidden = 0;
        return XA_KEEP;
    }
    if (strcmp(l, "rPr") == 0) {
        w->in_rpr = 1;
        return XA_KEEP;
    }
    if (w->in_rpr && w->in_run) {
        const char *v = disclose_attr(atts, "val");
        if (strcmp(l, "vanish") == 0 &&
            !(v && (strcmp(v, "0") == 0 || strcmp(v, "false") == 0)))
            w->run_hidden = 1;
        else if (strcmp(l, "color") == 0 && v && strcasecmp(v, "FFFFFF") == 0)
            w->run_hidden = 1;
        else if (strcmp(l, "sz") == 0 && v && strtod(v, NULL) < 4)
            w->run_hidden = 1;
    }
    if (w->run_hidden && (strcmp(l, "t") == 0 || strcmp(l, "delText") == 0))
        return XA_DROP;
    return XA_KEEP;
}

static void
rw_end_hook(struct rw *w, const char *name)
{
    const char *l = disclose_local(name);

    if (w->decide == d_word) {
        if (strcmp(l, "rPr") == 0)
            w->in_rpr = 0;
        else if (strcmp(l, "r") == 0)
            w->in_run = 0;
    }
}

/* Rewrites one part through decide into out. */
static enum vigil_rc
rewrite(struct cleaner *k, const struct disclose_zip_entry *e,
        rw_decide_fn decide, struct vigil_buf *out, struct vigil_err *err)
{
    struct rw *w = calloc(1, sizeof(*w));
    struct disclose_xml_cb cb = {rw_start, rw_end, rw_text, NULL};
    static const char decl[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n";
    enum vigil_rc rc;

    if (!w)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    w->k = k;
    w->out = out;
    w->decide = decide;
    w->part = e->name;
    cb.arg = w;
    vigil_buf_reset(out);
    put(w, decl, sizeof(decl) - 1);
    rc = disclose_xml_entry(k->c, k->z, e, &cb, err);
    /* a cleaned part is built in memory, within max_part_bytes */
    if (rc == VIGIL_OK && w->nomem == 2)
        rc = vigil_err_set(err, VIGIL_ELIMIT,
                           "%s is too large to clean in memory (over %zu "
                           "bytes); export the visible data as CSV instead",
                           e->name, k->c->d->policy.max_part_bytes);
    else if (rc == VIGIL_OK && w->nomem)
        rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    free(w);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Planning what to drop                                                */
/* ------------------------------------------------------------------ */

static int
has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

struct plan_wb {
    struct cleaner *k;
    const struct disclose_rels *rels;
    int in_dn;
    struct vigil_buf t;
    int dn_hidden;
    char dn_name[128];
};

static void
pw_start(void *arg, const char *name, const char **atts)
{
    struct plan_wb *p = arg;
    const char *l = disclose_local(name);
    struct cleaner *k = p->k;

    if (strcmp(l, "sheet") == 0) {
        const char *st = disclose_attr(atts, "state");
        const char *nm = disclose_attr(atts, "name");
        const struct disclose_rel *r =
            disclose_rels_get(p->rels, disclose_attr(atts, "id"));
        if (st &&
            (strcmp(st, "hidden") == 0 || strcmp(st, "veryHidden") == 0) &&
            k->nhidden < 64) {
            snprintf(k->hidden_sheet[k->nhidden], 128, "%s", nm ? nm : "");
            k->hidden_idx[k->nhidden++] = (int)k->nsheets;
            if (r) {
                char rp[1024];
                drop_add(k, r->target);
                disclose_rels_path(r->target, rp, sizeof(rp));
                drop_add(k, rp);
            }
        }
        k->nsheets++;
    } else if (strcmp(l, "definedName") == 0) {
        const char *nm = disclose_attr(atts, "name");
        p->in_dn = 1;
        p->dn_hidden = attr_true(atts, "hidden");
        snprintf(p->dn_name, sizeof(p->dn_name), "%s", nm ? nm : "");
        vigil_buf_reset(&p->t);
    }
}

static void
pw_text(void *arg, const char *s, int len)
{
    struct plan_wb *p = arg;
    if (p->in_dn && p->t.len < 4096)
        vigil_buf_append(&p->t, s, (size_t)len);
}

static void
pw_end(void *arg, const char *name)
{
    struct plan_wb *p = arg;
    struct cleaner *k = p->k;
    uint8_t drop = 0;

    if (!p->in_dn || strcmp(disclose_local(name), "definedName") != 0)
        return;
    p->in_dn = 0;
    if (p->dn_hidden && strncmp(p->dn_name, "_xlnm.", 6) != 0)
        drop = 1;
    for (size_t i = 0; i < k->nhidden && p->t.data; i++)
        if (disclose_refers_to(p->t.data, k->hidden_sheet[i]))
            drop = 1;
    if (p->t.data && strstr(p->t.data, "[") && strstr(p->t.data, "]!"))
        drop = 1; /* into an external workbook */
    if (VIGIL_GROW(k->dn_drop, k->ndn, k->capdn) != VIGIL_OK)
        return;
    k->dn_drop[k->ndn++] = drop;
}

static enum vigil_rc
plan(struct cleaner *k, struct vigil_err *err)
{
    static const char *const always[] = {
        "docProps/core.xml",           "docProps/app.xml",
        "docProps/custom.xml",         "xl/calcChain.xml",
        "xl/connections.xml",          "word/comments.xml",
        "word/commentsExtended.xml",   "word/commentsIds.xml",
        "word/commentsExtensible.xml", "word/people.xml",
        "ppt/commentAuthors.xml"};
    static const char *const prefixes[] = {
        "xl/comments",       "xl/threadedComments/",
        "xl/persons/",       "xl/drawings/vmlDrawing",
        "xl/pivotCache/",    "xl/pivotTables/",
        "xl/externalLinks/", "customXml/",
        "ppt/comments/",     "ppt/notesSlides/",
        "xl/queryTables/"};
    enum vigil_rc rc = VIGIL_OK;

    for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++)
        if (!drop_add(k, always[i]))
            return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    for (size_t i = 0; i < k->z->n; i++)
        for (size_t j = 0; j < sizeof(prefixes) / sizeof(prefixes[0]); j++)
            if (has_prefix(k->z->e[i].name, prefixes[j]) &&
                !drop_add(k, k->z->e[i].name))
                return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    {
        /* Parts no relationship reaches are not part of the document
         * any program shows: they go (and with them what was planted). */
        uint8_t *reached = disclose_pkg_reached(k->c, k->z);
        int ok = reached != NULL;

        for (size_t i = 0; ok && i < k->z->n; i++) {
            const char *n = k->z->e[i].name;
            if (!reached[i] && n[0] && n[strlen(n) - 1] != '/' &&
                !drop_add(k, n))
                ok = 0;
        }
        free(reached);
        if (!ok)
            return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    if (k->kind == 'x') {
        struct disclose_rels rels;
        struct plan_wb p;
        struct disclose_xml_cb cb = {pw_start, pw_end, pw_text, &p};

        rc = disclose_rels_load(k->c, k->z, "xl/workbook.xml", &rels, err);
        if (rc != VIGIL_OK) {
            disclose_rels_fini(&rels);
            return rc;
        }
        memset(&p, 0, sizeof(p));
        p.k = k;
        p.rels = &rels;
        vigil_buf_init(&p.t, 8192);
        rc = disclose_xml_entry(
            k->c, k->z, disclose_zip_find(k->z, "xl/workbook.xml"), &cb, err);
        vigil_buf_fini(&p.t);
        disclose_rels_fini(&rels);
        k->xf = disclose_xlsx_xf_flags(k->c, k->z, &k->nxf);
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Package rebuild                                                      */
/* ------------------------------------------------------------------ */

static rw_decide_fn
decider_for(const struct cleaner *k, const char *n)
{
    size_t len = strlen(n);

    if (len > 5 && strcmp(n + len - 5, ".rels") == 0)
        return d_rels;
    if (strcmp(n, "[Content_Types].xml") == 0)
        return d_types;
    if (k->kind == 'x') {
        if (strcmp(n, "xl/workbook.xml") == 0)
            return d_workbook;
        if (has_prefix(n, "xl/worksheets/") && !strchr(n + 14, '/'))
            return d_sheet;
    }
    if (k->kind == 'd' &&
        (strcmp(n, "word/document.xml") == 0 || has_prefix(n, "word/header") ||
         has_prefix(n, "word/footer") || strcmp(n, "word/footnotes.xml") == 0 ||
         strcmp(n, "word/endnotes.xml") == 0))
        return d_word;
    return NULL;
}

static int
by_index(const void *a, const void *b)
{
    const struct disclose_zip_entry *const *x = a, *const *y = b;
    return (*x)->index < (*y)->index ? -1 : (*x)->index > (*y)->index;
}

static enum vigil_rc
rebuild(struct cleaner *k, struct vigil_buf *out, struct vigil_err *err)
{
    zip_error_t ze;
    zip_source_t *src;
    zip_t *za;
    const struct disclose_zip_entry **order = NULL;
    struct vigil_buf part;
    enum vigil_rc rc = VIGIL_OK;

    zip_error_init(&ze);
    src = zip_source_buffer_create(NULL, 0, 0, &ze);
    if (!src) {
        zip_error_fini(&ze);
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    if (!za) {
        zip_source_free(src);
        zip_error_fini(&ze);
        return vigil_err_set(err, VIGIL_EIO, "cannot create the copy");
    }
    zip_source_keep(src);
    order = calloc(k->z->n + 1, sizeof(*order));
    vigil_buf_init(&part, k->c->d->policy.max_part_bytes);
    if (!order) {
        rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < k->z->n; i++)
        order[i] = &k->z->e[i];
    qsort(order, k->z->n, sizeof(*order), by_index);
    for (size_t i = 0; i < k->z->n && rc == VIGIL_OK; i++) {
        const struct disclose_zip_entry *e = order[i];
        rw_decide_fn fn;
        zip_source_t *s;
        void *copy;
        size_t nl = strlen(e->name);

        if (dropped(k, e->name) || (nl && e->name[nl - 1] == '/'))
            continue;
        fn = decider_for(k, e->name);
        if (fn)
            rc = rewrite(k, e, fn, &part, err);
        else
            rc = disclose_zip_read(k->c, k->z, e, &part,
                                   k->c->d->policy.max_part_bytes, err);
        if (rc != VIGIL_OK)
            break;
        /* libzip keeps (and later frees) no buffer for an empty part, so
         * an empty part is added without one */
        copy = part.len ? malloc(part.len) : NULL;
        if (part.len && !copy) {
            rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
            break;
        }
        if (part.len)
            memcpy(copy, part.data, part.len);
        s = zip_source_buffer(za, copy, part.len, copy != NULL);
        if (!s) {
            free(copy);
            rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
            break;
        }
        /* Backslash names are written back with forward slashes. */
        if (zip_file_add(za, e->name, s, ZIP_FL_ENC_UTF_8) < 0) {
            zip_source_free(s);
            rc = vigil_err_set(err, VIGIL_EIO, "%s", zip_strerror(za));
            break;
        }
    }
fail:
    vigil_buf_fini(&part);
    free(order);
    if (rc != VIGIL_OK) {
        zip_discard(za);
        zip_source_free(src);
        zip_error_fini(&ze);
        return rc;
    }
    if (zip_close(za) != 0) {
        rc = vigil_err_set(err, VIGIL_EIO, "%s", zip_strerror(za));
        zip_discard(za);
        zip_source_free(src);
        zip_error_fini(&ze);
        return rc;
    }
    if (zip_source_open(src) == 0) {
        char buf[65536];
        zip_int64_t r;
        while ((r = zip_source_read(src, buf, sizeof(buf))) > 0)
            if (vigil_buf_append(out, buf, (size_t)r) != VIGIL_OK) {
                rc = vigil_err_set(err, VIGIL_ELIMIT, "copy too large");
                break;
            }
        zip_source_close(src);
    } else {
        rc = vigil_err_set(err, VIGIL_EIO, "cannot read the copy back");
    }
    zip_source_free(src);
    zip_error_fini(&ze);
    return rc;
}

enum vigil_rc
vigil_disclose_clean(struct vigil_disclose *d, const void *data, size_t len,
                     struct vigil_buf *out, const char **ext,
                     struct vigil_err *err)
{
    struct vigil_disclose_result res;
    struct vigil_disclose_result_int priv;
    struct disclose_ctx c;
    struct disclose_zip z;
    struct cleaner k;
    enum vigil_rc rc;

    *ext = NULL;
    if (len < 4 || memcmp(data, "PK\3\4", 4) != 0)
        return vigil_err_set(err, VIGIL_EUNSUPPORTED,
                             "only Office Open XML documents (XLSX, DOCX, "
                             "PPTX) can be cleaned; edit this file by hand");
    memset(&res, 0, sizeof(res));
    memset(&priv, 0, sizeof(priv));
    memset(&c, 0, sizeof(c));
    vigil_arena_init(&priv.arena, 4096, (size_t)16 << 20);
    res.priv = &priv;
    c.d = d;
    c.res = &res;
    c.arena = &priv.arena;
    rc = disclose_zip_open(&c, data, len, &z, err);
    if (rc != VIGIL_OK) {
        vigil_arena_fini(&priv.arena);
        return rc;
    }
    memset(&k, 0, sizeof(k));
    k.c = &c;
    k.z = &z;
    if (z.ndup) {
        /* Which copy would be cleaned is the very ambiguity. */
        rc = vigil_err_set(err, VIGIL_EUNSUPPORTED,
                           "ambiguous package: '%s' is held by more than one "
                           "entry; re-save it from its application first",
                           z.dupname);
    } else if (disclose_zip_find(&z, "xl/workbook.xml")) {
        k.kind = 'x';
        *ext = disclose_zip_find(&z, "xl/vbaProject.bin") ? "xlsm" : "xlsx";
    } else if (disclose_zip_find(&z, "word/document.xml")) {
        k.kind = 'd';
        *ext = "docx";
    } else if (disclose_zip_find(&z, "ppt/presentation.xml")) {
        k.kind = 'p';
        *ext = "pptx";
    } else {
        rc = vigil_err_set(err, VIGIL_EUNSUPPORTED,
                           "only Office Open XML documents (XLSX, DOCX, "
                           "PPTX) can be cleaned");
    }
    if (rc == VIGIL_OK)
        rc = plan(&k, err);
    if (rc == VIGIL_OK)
        rc = rebuild(&k, out, err);
    for (size_t i = 0; i < k.ndrop; i++)
        free(k.drop[i]);
    free(k.drop);
    free(k.dn_drop);
    free(k.xf);
    free(res.findings);
    disclose_zip_close(&z);
    vigil_arena_fini(&priv.arena);
    if (rc != VIGIL_OK)
        *ext = NULL;
    return rc;
}
