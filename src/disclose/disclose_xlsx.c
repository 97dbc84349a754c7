/* disclose_xlsx.c -- what a workbook (XLSX/XLSM) hides: hidden and very
 * hidden sheets, hidden rows and columns, white or tiny text, comments,
 * pivot caches (the source data travels with the file), external links,
 * data connections and defined names into hidden data; and the people's
 * records and personal data in all of it.
 *
 * Sheets are streamed through expat cell by cell; only the shared
 * strings table and one byte per cell style are kept in memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disclose/disclose_int.h"

#define ADVICE_HIDDEN_SHEET                                                    \
    "Delete the hidden sheet, or export only the visible sheet as CSV "        \
    "(vigil check-release --clean)."
#define ADVICE_HIDDEN_ROWS                                                     \
    "Delete the hidden rows and columns (unhiding is not enough), or export "  \
    "the visible cells as CSV."
#define ADVICE_PIVOT                                                           \
    "Paste the pivot table as values into a new workbook; the cache holds "    \
    "the full source data."
#define ADVICE_COMMENTS "Delete all comments and notes before publishing."
#define ADVICE_PII                                                             \
    "Check that every item of personal data may lawfully be released; "        \
    "redact what may not."

enum { ST_VISIBLE = 0, ST_HIDDEN, ST_VERY };

struct xsheet {
    char name[128];
    char part[512];
    int state;
};

struct xlsx {
    struct disclose_ctx *c;
    struct disclose_zip *z;
    /* shared strings: string i is sst.data[off[i] .. off[i+1]) */
    struct vigil_buf sst;
    size_t *off;
    size_t noff, capoff;
    int sst_full;
    /* styles: one byte per cellXfs entry (bit 1 white, bit 2 tiny) */
    uint8_t *fontfl;
    size_t nfont, capfont;
    uint8_t *xf;
    size_t nxf, capxf;
    struct xsheet *sh;
    size_t nsh, capsh;
    /* sheet-name lookup for comments: part -> sheet */
    struct {
        char part[512];
        char sheet[128];
    } * cmap;
    size_t ncmap, capcmap;
};

/* ------------------------------------------------------------------ */
/* Shared strings                                                       */
/* ------------------------------------------------------------------ */

struct sst_arg {
    struct xlsx *x;
    int in_si, in_t, in_rph;
};

static int
sst_push_off(struct xlsx *x)
{
    if (VIGIL_GROW(x->off, x->noff, x->capoff) != VIGIL_OK)
        return 0;
    x->off[x->noff++] = x->sst.len;
    return 1;
}

static void
sst_start(void *arg, const char *name, const char **atts)
{
    struct sst_arg *a = arg;
    const char *l = disclose_local(name);

    (void)atts;
    if (strcmp(l, "si") == 0) {
        a->in_si = 1;
        if (!a->x->sst_full && !sst_push_off(a->x))
            a->x->c->nomem = 1;
    } else if (strcmp(l, "rPh") == 0)
        a->in_rph = 1;
    else if (strcmp(l, "t") == 0 && a->in_si && !a->in_rph)
        a->in_t = 1;
}

static void
sst_end(void *arg, const char *name)
{
    struct sst_arg *a = arg;
    const char *l = disclose_local(name);

    if (strcmp(l, "si") == 0)
        a->in_si = 0;
    else if (strcmp(l, "rPh") == 0)
        a->in_rph = 0;
    else if (strcmp(l, "t") == 0)
        a->in_t = 0;
}

static void
sst_text(void *arg, const char *s, int len)
{
    struct sst_arg *a = arg;

    if (!a->in_t || a->x->sst_full)
        return;
    if (vigil_buf_append(&a->x->sst, s, (size_t)len) != VIGIL_OK) {
        /* Over the bound: keep what we have; later strings read empty. */
        a->x->sst_full = 1;
    }
}

static void
load_sst(struct xlsx *x, const char *part)
{
    const struct disclose_zip_entry *e = disclose_zip_find(x->z, part);
    struct sst_arg a = {x, 0, 0, 0};
    struct disclose_xml_cb cb = {sst_start, sst_end, sst_text, &a};
    struct vigil_err err;
    enum vigil_rc rc;

    if (!e)
        return;
    vigil_err_clear(&err);
    rc = disclose_xml_entry(x->c, x->z, e, &cb, &err);
    if (rc != VIGIL_OK)
        disclose_xml_fail(x->c, part, rc, &err);
    if (x->sst_full)
        disclose_add(x->c, VIGIL_DK_HOSTILE, VIGIL_DISCLOSE_BLOCK, part, NULL,
                     NULL, "Split the workbook and check the parts.",
                     "shared strings exceed %zu bytes; later text was not "
                     "inspected",
                     x->c->d->policy.max_strings_bytes);
}

static const char *
sst_get(const struct xlsx *x, const char *idx, size_t n, size_t *len)
{
    int64_t i;

    *len = 0;
    if (!idx || !vigil_parse_i64(idx, n, &i) || i < 0 || (size_t)i >= x->noff ||
        !x->sst.data)
        return "";
    *len = ((size_t)i + 1 < x->noff ? x->off[i + 1] : x->sst.len) - x->off[i];
    return x->sst.data + x->off[i];
}

/* ------------------------------------------------------------------ */
/* Styles: which cell formats give white or tiny text                  */
/* ------------------------------------------------------------------ */

struct sty_arg {
    struct xlsx *x;
    int in_fonts, in_cellxfs, in_font, in_fills, in_fill;
    uint8_t cur;
    /* fills: 1 when solid and not white (white text shows on it) */
    uint8_t *fill;
    size_t nfill, capfill;
    int fill_solid, fill_dark;
    /* number formats that print nothing (";;;") */
    int64_t blankfmt[64];
    size_t nblank;
};

static int
push_u8(uint8_t **arr, size_t *n, size_t *cap, uint8_t v)
{
    if (*n >= 65536)
        return 1;
    if (vigil_grow(arr, cap, *n + 1, 1, 0) != VIGIL_OK)
        return 0;
    (*arr)[(*n)++] = v;
    return 1;
}

static int
is_white(const char *rgb)
{
    size_t n = rgb ? strlen(rgb) : 0;
    return n >= 6 && strcasecmp(rgb + n - 6, "FFFFFF") == 0;
}

static void
sty_start(void *arg, const char *name, const char **atts)
{
    struct sty_arg *a = arg;
    const char *l = disclose_local(name);

    if (strcmp(l, "fonts") == 0)
        a->in_fonts = 1;
    else if (strcmp(l, "numFmt") == 0) {
        const char *id = disclose_attr(atts, "numFmtId");
        const char *code = disclose_attr(atts, "formatCode");
        int64_t v;
        if (id && code && *code && strspn(code, ";") == strlen(code) &&
            vigil_parse_i64(id, strlen(id), &v) && a->nblank < 64)
            a->blankfmt[a->nblank++] = v;
    } else if (strcmp(l, "cellXfs") == 0)
        a->in_cellxfs = 1;
    else if (strcmp(l, "fills") == 0)
        a->in_fills = 1;
    else if (a->in_fills && strcmp(l, "fill") == 0) {
        a->in_fill = 1;
        a->fill_solid = a->fill_dark = 0;
    } else if (a->in_fill && strcmp(l, "patternFill") == 0) {
        const char *t = disclose_attr(atts, "patternType");
        a->fill_solid = t && strcmp(t, "none") != 0;
    } else if (a->in_fill && strcmp(l, "fgColor") == 0) {
        const char *rgb = disclose_attr(atts, "rgb");
        const char *theme = disclose_attr(atts, "theme");
        a->fill_dark = !(is_white(rgb) || (theme && strcmp(theme, "0") == 0));
    } else if (a->in_fill && strcmp(l, "gradientFill") == 0) {
        a->fill_solid = a->fill_dark = 1;
    } else if (a->in_fonts && strcmp(l, "font") == 0) {
        a->in_font = 1;
        a->cur = 0;
    } else if (a->in_font && strcmp(l, "color") == 0) {
        const char *theme = disclose_attr(atts, "theme");
        if (is_white(disclose_attr(atts, "rgb")) ||
            (theme && strcmp(theme, "0") == 0))
            a->cur |= 1;
    } else if (a->in_font && strcmp(l, "sz") == 0) {
        const char *v = disclose_attr(atts, "val");
        if (v && strtod(v, NULL) < 2.0)
            a->cur |= 2;
    } else if (a->in_cellxfs && strcmp(l, "xf") == 0) {
        const char *f = disclose_attr(atts, "fontId");
        const char *fi = disclose_attr(atts, "fillId");
        int64_t id = 0;
        uint8_t fl = 0;
        if (f && vigil_parse_i64(f, strlen(f), &id) && id >= 0 &&
            (size_t)id < a->x->nfont)
            fl = a->x->fontfl[id];
        /* White text on a coloured fill is a heading, not a hiding place. */
        if (fi && vigil_parse_i64(fi, strlen(fi), &id) && id >= 0 &&
            (size_t)id < a->nfill && a->fill[id])
            fl &= (uint8_t)~1u;
        /* A ";;;" number format shows nothing: as hidden as a tiny font. */
        f = disclose_attr(atts, "numFmtId");
        if (f && vigil_parse_i64(f, strlen(f), &id))
            for (size_t k = 0; k < a->nblank; k++)
                if (a->blankfmt[k] == id)
                    fl |= 2;
        if (!push_u8(&a->x->xf, &a->x->nxf, &a->x->capxf, fl))
            a->x->c->nomem = 1;
    }
}

static void
sty_end(void *arg, const char *name)
{
    struct sty_arg *a = arg;
    const char *l = disclose_local(name);

    if (strcmp(l, "fonts") == 0)
        a->in_fonts = 0;
    else if (strcmp(l, "cellXfs") == 0)
        a->in_cellxfs = 0;
    else if (strcmp(l, "fills") == 0)
        a->in_fills = 0;
    else if (a->in_fill && strcmp(l, "fill") == 0) {
        a->in_fill = 0;
        if (!push_u8(&a->fill, &a->nfill, &a->capfill,
                     (uint8_t)(a->fill_solid && a->fill_dark)))
            a->x->c->nomem = 1;
    } else if (a->in_font && strcmp(l, "font") == 0) {
        a->in_font = 0;
        if (!push_u8(&a->x->fontfl, &a->x->nfont, &a->x->capfont, a->cur))
            a->x->c->nomem = 1;
    }
}

static void
load_styles(struct xlsx *x, const char *part)
{
    const struct disclose_zip_entry *e = disclose_zip_find(x->z, part);
    struct sty_arg a;
    struct disclose_xml_cb cb = {sty_start, sty_end, NULL, &a};
    struct vigil_err err;
    enum vigil_rc rc;

    if (!e)
        return;
    memset(&a, 0, sizeof(a));
    a.x = x;
    vigil_err_clear(&err);
    rc = disclose_xml_entry(x->c, x->z, e, &cb, &err);
    if (rc != VIGIL_OK)
        disclose_xml_fail(x->c, part, rc, &err);
    free(a.fill);
}

/* ------------------------------------------------------------------ */
/* Workbook: sheets, defined names, external references                */
/* ------------------------------------------------------------------ */

struct wb_arg {
    struct xlsx *x;
    const struct disclose_rels *rels;
    int in_dn;
    char dn_name[128];
    int dn_hidden;
    struct vigil_buf dn_text;
    size_t hidden_names;
    char names[400];
    size_t nlen;
    char abspath[300];
};

static void
wb_start(void *arg, const char *name, const char **atts)
{
    struct wb_arg *a = arg;
    const char *l = disclose_local(name);

    if (strcmp(l, "sheet") == 0) {
        struct xsheet *s;
        const char *nm = disclose_attr(atts, "name");
        const char *st = disclose_attr(atts, "state");
        const char *id = disclose_attr(atts, "id");
        const struct disclose_rel *r = disclose_rels_get(a->rels, id);

        if (a->x->nsh >= 4096)
            return;
        if (VIGIL_GROW(a->x->sh, a->x->nsh, a->x->capsh) != VIGIL_OK) {
            a->x->c->nomem = 1;
            return;
        }
        s = &a->x->sh[a->x->nsh++];
        memset(s, 0, sizeof(*s));
        snprintf(s->name, sizeof(s->name), "%s", nm ? nm : "?");
        if (r && strcmp(r->type, "worksheet") == 0)
            snprintf(s->part, sizeof(s->part), "%s", r->target);
        if (st && strcmp(st, "hidden") == 0)
            s->state = ST_HIDDEN;
        else if (st && strcmp(st, "veryHidden") == 0)
            s->state = ST_VERY;
    } else if (strcmp(l, "definedName") == 0) {
        const char *nm = disclose_attr(atts, "name");
        const char *h = disclose_attr(atts, "hidden");
        a->in_dn = 1;
        snprintf(a->dn_name, sizeof(a->dn_name), "%s", nm ? nm : "?");
        a->dn_hidden = h && (strcmp(h, "1") == 0 || strcmp(h, "true") == 0);
        vigil_buf_reset(&a->dn_text);
    } else if (strcmp(l, "absPath") == 0) {
        const char *u = disclose_attr(atts, "url");
        if (u)
            snprintf(a->abspath, sizeof(a->abspath), "%s", u);
    }
}

static void
wb_text(void *arg, const char *s, int len)
{
    struct wb_arg *a = arg;

    if (a->in_dn && a->dn_text.len < 2048)
        vigil_buf_append(&a->dn_text, s, (size_t)len);
}

/* Does the formula text refer to sheet name ('Name'! or Name!)? */
int
disclose_refers_to(const char *f, const char *sheet)
{
    size_t n = strlen(sheet);

    for (const char *p = f; p && *p; p++) {
        if (*p == '\'' && strncmp(p + 1, sheet, n) == 0 && p[n + 1] == '\'' &&
            p[n + 2] == '!')
            return 1;
        if (strncmp(p, sheet, n) == 0 && p[n] == '!' &&
            (p == f || strchr("=,(:+-*/ &", p[-1])))
            return 1;
    }
    return 0;
}

static void
wb_end(void *arg, const char *name)
{
    struct wb_arg *a = arg;
    const char *into = NULL;

    if (!a->in_dn || strcmp(disclose_local(name), "definedName") != 0)
        return;
    a->in_dn = 0;
    /* Excel hides its own _xlnm names (filters, print areas). */
    if (strncmp(a->dn_name, "_xlnm.", 6) == 0)
        return;
    for (size_t i = 0; i < a->x->nsh && a->dn_text.data; i++)
        if (a->x->sh[i].state != ST_VISIBLE &&
            disclose_refers_to(a->dn_text.data, a->x->sh[i].name))
            into = a->x->sh[i].name;
    if (!a->dn_hidden && !into)
        return;
    a->hidden_names++;
    if (a->nlen + 8 < sizeof(a->names)) {
        int w = snprintf(a->names + a->nlen, sizeof(a->names) - a->nlen,
                         "%s%s%s%s%s", a->nlen ? ", " : "", a->dn_name,
                         into ? " -> hidden sheet '" : "", into ? into : "",
                         into ? "'" : "");
        if (w > 0)
            a->nlen += (size_t)w;
        if (a->nlen >= sizeof(a->names))
            a->nlen = sizeof(a->names) - 1;
    }
}

/* ------------------------------------------------------------------ */
/* One worksheet                                                        */
/* ------------------------------------------------------------------ */

struct sh_arg {
    struct xlsx *x;
    const struct xsheet *s;
    struct disclose_table t;
    uint8_t hcol[16384 / 8];
    struct disclose_ranges hrows, hcols, white, tiny;
    uint32_t row;
    int row_hidden;
    unsigned next_col;
    /* current cell */
    int in_c, in_v, in_t;
    unsigned col;
    char type[16];
    unsigned style;
    struct vigil_buf val;
    /* counts */
    size_t cells, cells_hrow, cells_hcol, cells_white, cells_tiny;
    struct disclose_acc acc_vis, acc_hrow, acc_hcol, acc_white, acc_all;
    char dim[64];
    int has_legacy_drawing;
};

static void
sh_start(void *arg, const char *name, const char **atts)
{
    struct sh_arg *a = arg;
    const char *l = disclose_local(name);

    if (strcmp(l, "c") == 0) {
        const char *r = disclose_attr(atts, "r");
        const char *t = disclose_attr(atts, "t");
        const char *s = disclose_attr(atts, "s");
        uint32_t row;
        int64_t sv = 0;

        a->in_c = 1;
        a->col = a->next_col;
        if (r && !disclose_cell_ref(r, &a->col, &row))
            a->col = a->next_col;
        a->next_col = a->col + 1;
        {
            /* hot path: a plain copy, no printf */
            size_t tl = t ? strlen(t) : 1;
            if (tl >= sizeof(a->type))
                tl = sizeof(a->type) - 1;
            memcpy(a->type, t ? t : "n", tl);
            a->type[tl] = 0;
        }
        a->style = 0;
        if (s && vigil_parse_i64(s, strlen(s), &sv) && sv >= 0 && sv < 65536)
            a->style = (unsigned)sv;
        vigil_buf_reset(&a->val);
    } else if (a->in_c && strcmp(l, "v") == 0) {
        a->in_v = 1;
    } else if (a->in_c && strcmp(l, "t") == 0) {
        a->in_t = 1;
    } else if (strcmp(l, "row") == 0) {
        const char *r = disclose_attr(atts, "r");
        const char *h = disclose_attr(atts, "hidden");
        const char *ht = disclose_attr(atts, "ht");
        int64_t rv;

        if (r && vigil_parse_i64(r, strlen(r), &rv) && rv > 0)
            a->row = (uint32_t)rv;
        else
            a->row++;
        a->next_col = 0;
        a->row_hidden =
            (h && (strcmp(h, "1") == 0 || strcmp(h, "true") == 0)) ||
            (ht && strtod(ht, NULL) < 0.5);
        if (a->row_hidden)
            disclose_ranges_add(&a->hrows, a->row);
        disclose_table_row(&a->t, a->row, a->row_hidden);
    } else if (strcmp(l, "col") == 0) {
        const char *mn = disclose_attr(atts, "min");
        const char *mx = disclose_attr(atts, "max");
        const char *h = disclose_attr(atts, "hidden");
        const char *w = disclose_attr(atts, "width");
        int64_t lo, hi;

        if (!mn || !mx || !vigil_parse_i64(mn, strlen(mn), &lo) ||
            !vigil_parse_i64(mx, strlen(mx), &hi) || lo < 1 || hi < lo)
            return;
        if ((h && (strcmp(h, "1") == 0 || strcmp(h, "true") == 0)) ||
            (w && strtod(w, NULL) < 0.5)) {
            if (hi > 16384)
                hi = 16384;
            for (int64_t i = lo; i <= hi; i++) {
                a->hcol[(i - 1) / 8] |= (uint8_t)(1u << ((i - 1) % 8));
                disclose_ranges_add(&a->hcols, (uint64_t)(i - 1));
            }
        }
    } else if (strcmp(l, "dimension") == 0) {
        const char *r = disclose_attr(atts, "ref");
        if (r)
            snprintf(a->dim, sizeof(a->dim), "%s", r);
    } else if (strcmp(l, "legacyDrawing") == 0) {
        a->has_legacy_drawing = 1;
    }
}

static void
sh_text(void *arg, const char *s, int len)
{
    struct sh_arg *a = arg;

    if ((a->in_v || a->in_t) && a->val.len < 65536)
        vigil_buf_append(&a->val, s, (size_t)len);
}

static void
sh_cell(struct sh_arg *a)
{
    const char *text = a->val.data ? a->val.data : "";
    size_t len = a->val.len;
    int hcol = a->col < 16384 && (a->hcol[a->col / 8] & (1u << (a->col % 8)));
    struct disclose_acc one;
    uint8_t fl = a->style < a->x->nxf ? a->x->xf[a->style] : 0;

    if (a->type[0] == 's' && a->type[1] == 0) {
        text = sst_get(a->x, text, len, &len);
    } else if (strcmp(a->type, "b") == 0 || strcmp(a->type, "e") == 0) {
        len = 0;
    }
    if (len == 0)
        return;
    a->cells++;
    memset(&one, 0, sizeof(one));
    disclose_table_scan(&a->t, a->col, text, len, &one);
    disclose_table_cell(&a->t, a->col, text, len, hcol, &one);
    disclose_acc_add(&a->acc_all, &one);
    if (a->row_hidden) {
        a->cells_hrow++;
        disclose_acc_add(&a->acc_hrow, &one);
    } else if (hcol) {
        a->cells_hcol++;
        disclose_acc_add(&a->acc_hcol, &one);
    } else if (fl) {
        char ref[24], cn[8];
        disclose_col_name(a->col, cn, sizeof(cn));
        snprintf(ref, sizeof(ref), "%s%u", cn, a->row);
        disclose_acc_add(&a->acc_white, &one);
        if (fl & 1) {
            a->cells_white++;
        } else {
            a->cells_tiny++;
        }
        /* Keep the first few cell references for the location. */
        if ((fl & 1 ? a->cells_white : a->cells_tiny) <= 8) {
            struct disclose_ranges *r = (fl & 1) ? &a->white : &a->tiny;
            if (r->len + 16 < sizeof(r->buf)) {
                int w = snprintf(r->buf + r->len, sizeof(r->buf) - r->len,
                                 "%s%s", r->len ? ", " : "", ref);
                if (w > 0)
                    r->len += (size_t)w;
            }
        }
    } else {
        disclose_acc_add(&a->acc_vis, &one);
    }
}

static void
sh_end(void *arg, const char *name)
{
    struct sh_arg *a = arg;
    const char *l = disclose_local(name);

    if (strcmp(l, "v") == 0)
        a->in_v = 0;
    else if (strcmp(l, "t") == 0)
        a->in_t = 0;
    else if (strcmp(l, "c") == 0 && a->in_c) {
        a->in_c = 0;
        sh_cell(a);
    } else if (strcmp(l, "row") == 0) {
        disclose_table_row_end(&a->t);
        a->row_hidden = 0;
    }
}

static enum vigil_disclose_verdict
sev_for(size_t cells, const struct disclose_acc *acc, size_t records)
{
    if (acc->total || records)
        return VIGIL_DISCLOSE_BLOCK;
    return cells ? VIGIL_DISCLOSE_REVIEW : VIGIL_DISCLOSE_PASS;
}

static void
sheet_findings(struct xlsx *x, struct sh_arg *a)
{
    struct disclose_ctx *c = x->c;
    const struct xsheet *s = a->s;
    struct vigil_disclose_finding *f;
    char cols[200], pii[300];
    size_t records = a->t.records;

    disclose_table_columns(&a->t, cols, sizeof(cols));
    c->res->people_records += records;
    if (s->state != ST_VISIBLE) {
        disclose_acc_describe(&a->acc_all, pii, sizeof(pii));
        {
            char rec[300];
            enum vigil_disclose_verdict sev =
                sev_for(a->cells, &a->acc_all, records);
            rec[0] = 0;
            if (records)
                snprintf(rec, sizeof(rec),
                         "; %zu people's records (columns: %s)", records, cols);
            /* Hidden structure is worth a look even when empty. */
            if (sev < VIGIL_DISCLOSE_REVIEW)
                sev = VIGIL_DISCLOSE_REVIEW;
            f = disclose_add(
                c,
                s->state == ST_VERY ? VIGIL_DK_VERY_HIDDEN_SHEET
                                    : VIGIL_DK_HIDDEN_SHEET,
                sev, s->part, s->name, a->dim[0] ? a->dim : NULL,
                ADVICE_HIDDEN_SHEET,
                "sheet '%s' is %s and holds %zu filled cells%s%s%s", s->name,
                s->state == ST_VERY
                    ? "very hidden (cannot be unhidden from Excel's menus)"
                    : "hidden",
                a->cells, rec, pii[0] ? "; personal data: " : "", pii);
        }
        if (f) {
            f->count = records ? records : a->cells;
            disclose_finding_pii(f, &a->acc_all);
        }
        return;
    }
    if (a->hrows.count) {
        disclose_acc_describe(&a->acc_hrow, pii, sizeof(pii));
        f = disclose_add(
            c, VIGIL_DK_HIDDEN_ROWS,
            sev_for(a->cells_hrow, &a->acc_hrow, a->t.hidden_records), s->part,
            s->name, disclose_ranges_str(&a->hrows), ADVICE_HIDDEN_ROWS,
            "%zu hidden row%s on sheet '%s' (%zu filled cells)%s%s",
            a->hrows.count, a->hrows.count == 1 ? "" : "s", s->name,
            a->cells_hrow, pii[0] ? "; personal data: " : "", pii);
        if (f) {
            f->count = a->hrows.count;
            disclose_finding_pii(f, &a->acc_hrow);
        }
    }
    if (a->hcols.count) {
        disclose_acc_describe(&a->acc_hcol, pii, sizeof(pii));
        a->hcols.letters = 1;
        f = disclose_add(
            c, VIGIL_DK_HIDDEN_COLUMNS,
            sev_for(a->cells_hcol, &a->acc_hcol, a->t.hidden_records), s->part,
            s->name, disclose_ranges_str(&a->hcols), ADVICE_HIDDEN_ROWS,
            "%zu hidden column%s on sheet '%s' (%zu filled "
            "cells)%s%s",
            a->hcols.count, a->hcols.count == 1 ? "" : "s", s->name,
            a->cells_hcol, pii[0] ? "; personal data: " : "", pii);
        if (f) {
            f->count = a->hcols.count;
            disclose_finding_pii(f, &a->acc_hcol);
        }
    }
    if (a->cells_white || a->cells_tiny) {
        struct disclose_ranges *r = a->cells_white ? &a->white : &a->tiny;
        r->buf[r->len < sizeof(r->buf) ? r->len : sizeof(r->buf) - 1] = 0;
        disclose_acc_describe(&a->acc_white, pii, sizeof(pii));
        f = disclose_add(
            c, a->cells_white ? VIGIL_DK_WHITE_TEXT : VIGIL_DK_TINY_TEXT,
            a->acc_white.total ? VIGIL_DISCLOSE_BLOCK : VIGIL_DISCLOSE_REVIEW,
            s->part, s->name, r->buf,
            "Delete text that is not meant to be read; do not rely on its "
            "colour or size.",
            "%zu cell%s on sheet '%s' %s%s%s", a->cells_white + a->cells_tiny,
            a->cells_white + a->cells_tiny == 1 ? "" : "s", s->name,
            a->cells_white ? "in white font (invisible on white)"
                           : "in a font under 2 pt or a ';;;' number format "
                             "that shows nothing",
            pii[0] ? "; personal data: " : "", pii);
        if (f) {
            f->count = a->cells_white + a->cells_tiny;
            disclose_finding_pii(f, &a->acc_white);
        }
    }
    if (records) {
        f = disclose_add(c, VIGIL_DK_PEOPLE_RECORDS,
                         records > c->d->policy.max_records
                             ? VIGIL_DISCLOSE_BLOCK
                             : VIGIL_DISCLOSE_REVIEW,
                         s->part, s->name, a->dim[0] ? a->dim : NULL,
                         "Publish counts instead of people's records, or "
                         "remove the personal columns.",
                         "sheet '%s' lists %zu people's records (columns: %s)",
                         s->name, records, cols);
        if (f)
            f->count = records;
    }
    if (a->acc_vis.total) {
        disclose_acc_describe(&a->acc_vis, pii, sizeof(pii));
        f = disclose_add(c, VIGIL_DK_PERSONAL_DATA, VIGIL_DISCLOSE_REVIEW,
                         s->part, s->name, NULL, ADVICE_PII,
                         "visible cells on sheet '%s' hold personal data: %s",
                         s->name, pii);
        if (f) {
            f->count = a->acc_vis.total;
            disclose_finding_pii(f, &a->acc_vis);
        }
    }
}

static void
do_sheet(struct xlsx *x, const struct xsheet *s)
{
    const struct disclose_zip_entry *e = disclose_zip_find(x->z, s->part);
    struct sh_arg *a;
    struct disclose_xml_cb cb;
    struct vigil_err err;
    enum vigil_rc rc;

    if (!e)
        return;
    a = calloc(1, sizeof(*a));
    if (!a) {
        x->c->nomem = 1;
        return;
    }
    a->x = x;
    a->s = s;
    disclose_table_init(&a->t, x->c);
    vigil_buf_init(&a->val, 1 << 20);
    cb.start = sh_start;
    cb.end = sh_end;
    cb.text = sh_text;
    cb.arg = a;
    vigil_err_clear(&err);
    rc = disclose_xml_entry(x->c, x->z, e, &cb, &err);
    if (rc != VIGIL_OK)
        disclose_xml_fail(x->c, s->part, rc, &err);
    sheet_findings(x, a);
    vigil_buf_fini(&a->val);
    free(a);
}

/* ------------------------------------------------------------------ */
/* Comments (legacy notes and threaded comments)                       */
/* ------------------------------------------------------------------ */

struct cm_arg {
    struct disclose_ctx *c;
    int in_author, in_text, threaded;
    size_t n;
    struct disclose_ranges refs;
    char authors[200];
    size_t alen;
    struct vigil_buf text;
    struct disclose_acc acc;
};

static void
cm_start(void *arg, const char *name, const char **atts)
{
    struct cm_arg *a = arg;
    const char *l = disclose_local(name);

    if (strcmp(l, "author") == 0) {
        a->in_author = 1;
        vigil_buf_reset(&a->text);
    } else if (strcmp(l, "comment") == 0 || strcmp(l, "threadedComment") == 0) {
        const char *r = disclose_attr(atts, "ref");
        a->n++;
        if (r && a->refs.len + 12 < sizeof(a->refs.buf) && a->n <= 12) {
            int w = snprintf(a->refs.buf + a->refs.len,
                             sizeof(a->refs.buf) - a->refs.len, "%s%s",
                             a->refs.len ? ", " : "", r);
            if (w > 0)
                a->refs.len += (size_t)w;
        }
        a->in_text = 1;
        vigil_buf_reset(&a->text);
    }
}

static void
cm_text(void *arg, const char *s, int len)
{
    struct cm_arg *a = arg;

    if ((a->in_author || a->in_text) && a->text.len < 65536)
        vigil_buf_append(&a->text, s, (size_t)len);
}

static void
cm_end(void *arg, const char *name)
{
    struct cm_arg *a = arg;
    const char *l = disclose_local(name);

    if (a->in_author && strcmp(l, "author") == 0) {
        char v[64];
        a->in_author = 0;
        disclose_clip(a->text.data ? a->text.data : "", a->text.len, v,
                      sizeof(v));
        if (v[0] && a->alen + strlen(v) + 4 < sizeof(a->authors)) {
            int w = snprintf(a->authors + a->alen, sizeof(a->authors) - a->alen,
                             "%s%s", a->alen ? ", " : "", v);
            if (w > 0)
                a->alen += (size_t)w;
        }
    } else if (a->in_text && (strcmp(l, "comment") == 0 ||
                              strcmp(l, "threadedComment") == 0)) {
        a->in_text = 0;
        if (a->text.len)
            disclose_scan(a->c, a->text.data, a->text.len, &a->acc);
    }
}

static const char *
sheet_of_part(const struct xlsx *x, const char *part)
{
    for (size_t i = 0; i < x->ncmap; i++)
        if (strcmp(x->cmap[i].part, part) == 0)
            return x->cmap[i].sheet;
    return NULL;
}

static void
do_comments(struct xlsx *x, const struct disclose_zip_entry *e, int threaded)
{
    struct cm_arg a;
    struct disclose_xml_cb cb = {cm_start, cm_end, cm_text, &a};
    struct vigil_disclose_finding *f;
    struct vigil_err err;
    enum vigil_rc rc;
    char pii[300];
    const char *sheet = sheet_of_part(x, e->name);

    memset(&a, 0, sizeof(a));
    a.c = x->c;
    a.threaded = threaded;
    vigil_buf_init(&a.text, 1 << 17);
    vigil_err_clear(&err);
    rc = disclose_xml_entry(x->c, x->z, e, &cb, &err);
    if (rc != VIGIL_OK)
        disclose_xml_fail(x->c, e->name, rc, &err);
    if (a.n) {
        a.refs.buf[a.refs.len] = 0;
        disclose_acc_describe(&a.acc, pii, sizeof(pii));
        f = disclose_add(
            x->c, VIGIL_DK_COMMENTS,
            a.acc.total ? VIGIL_DISCLOSE_BLOCK : VIGIL_DISCLOSE_REVIEW, e->name,
            sheet, a.refs.buf, ADVICE_COMMENTS, "%zu %s%s%s%s%s%s%s", a.n,
            threaded ? "threaded comment(s)" : "comment(s)/note(s)",
            sheet ? " on sheet '" : "", sheet ? sheet : "", sheet ? "'" : "",
            a.alen ? " by " : "", a.authors,
            pii[0] ? (a.acc.total ? "; personal data: " : "") : "");
        if (f) {
            f->count = a.n;
            disclose_finding_pii(f, &a.acc);
            if (pii[0]) {
                /* Append what kind of personal data in the detail. */
                char d[1024];
                snprintf(d, sizeof(d), "%s%s", f->detail, pii);
                f->detail = disclose_strdup(x->c, d, strlen(d));
            }
        }
    }
    vigil_buf_fini(&a.text);
}

static void
map_sheet_rels(struct xlsx *x)
{
    struct vigil_err err;

    for (size_t i = 0; i < x->nsh; i++) {
        struct disclose_rels rels;

        if (!x->sh[i].part[0])
            continue;
        vigil_err_clear(&err);
        if (disclose_rels_load(x->c, x->z, x->sh[i].part, &rels, &err) !=
            VIGIL_OK) {
            disclose_rels_fini(&rels);
            continue;
        }
        for (size_t k = 0; k < rels.n; k++) {
            if (VIGIL_GROW(x->cmap, x->ncmap, x->capcmap) != VIGIL_OK) {
                x->c->nomem = 1;
                break;
            }
            snprintf(x->cmap[x->ncmap].part, sizeof(x->cmap[0].part), "%s",
                     rels.r[k].target);
            snprintf(x->cmap[x->ncmap].sheet, sizeof(x->cmap[0].sheet), "%s",
                     x->sh[i].name);
            x->ncmap++;
        }
        disclose_rels_fini(&rels);
    }
}

/* ------------------------------------------------------------------ */
/* Pivot caches                                                         */
/* ------------------------------------------------------------------ */

#define PV_MAX_FIELDS 1024

struct pv_field {
    /* shared items: item i at items.data[off[i]] (NUL-separated) */
    size_t *off;
    size_t n, cap;
};

struct pv_arg {
    struct xlsx *x;
    struct disclose_table t;
    struct vigil_buf items; /* all shared items, NUL-terminated each */
    struct pv_field *f;
    size_t nf, capf;
    int in_shared;
    char src_sheet[128], src_ref[64], src_name[128];
    char fieldnames[300];
    size_t fnlen;
    /* records */
    size_t nrec;
    unsigned field;
    struct disclose_acc acc;
    size_t items_total;
    int items_full;
};

static void
pv_item(struct pv_arg *a, const char *v)
{
    struct pv_field *f;
    size_t n = strlen(v);

    if (!a->nf)
        return;
    f = &a->f[a->nf - 1];
    a->items_total++;
    if (a->items_full)
        return;
    if (VIGIL_GROW(f->off, f->n, f->cap) != VIGIL_OK) {
        a->x->c->nomem = 1;
        return;
    }
    f->off[f->n++] = a->items.len;
    if (vigil_buf_append(&a->items, v, n + 1) != VIGIL_OK)
        a->items_full = 1;
}

static void
pvd_start(void *arg, const char *name, const char **atts)
{
    struct pv_arg *a = arg;
    const char *l = disclose_local(name);

    if (strcmp(l, "worksheetSource") == 0) {
        const char *s = disclose_attr(atts, "sheet");
        const char *r = disclose_attr(atts, "ref");
        const char *n = disclose_attr(atts, "name");
        snprintf(a->src_sheet, sizeof(a->src_sheet), "%s", s ? s : "");
        snprintf(a->src_ref, sizeof(a->src_ref), "%s", r ? r : "");
        snprintf(a->src_name, sizeof(a->src_name), "%s", n ? n : "");
    } else if (strcmp(l, "cacheField") == 0) {
        const char *n = disclose_attr(atts, "name");

        if (a->nf >= PV_MAX_FIELDS)
            return;
        if (VIGIL_GROW(a->f, a->nf, a->capf) != VIGIL_OK) {
            a->x->c->nomem = 1;
            return;
        }
        memset(&a->f[a->nf], 0, sizeof(*a->f));
        a->nf++;
        if (n) {
            disclose_table_header(&a->t, (unsigned)(a->nf - 1), n, strlen(n));
            if (a->fnlen + strlen(n) + 8 < sizeof(a->fieldnames)) {
                int w = snprintf(a->fieldnames + a->fnlen,
                                 sizeof(a->fieldnames) - a->fnlen, "%s%s",
                                 a->fnlen ? ", " : "", n);
                if (w > 0)
                    a->fnlen += (size_t)w;
            }
        }
    } else if (strcmp(l, "sharedItems") == 0) {
        a->in_shared = 1;
    } else if (a->in_shared && (strcmp(l, "s") == 0 || strcmp(l, "n") == 0 ||
                                strcmp(l, "d") == 0)) {
        const char *v = disclose_attr(atts, "v");
        pv_item(a, v ? v : "");
    } else if (a->in_shared && (strcmp(l, "m") == 0 || strcmp(l, "b") == 0 ||
                                strcmp(l, "e") == 0)) {
        pv_item(a, "");
    }
}

static void
pvd_end(void *arg, const char *name)
{
    struct pv_arg *a = arg;

    if (strcmp(disclose_local(name), "sharedItems") == 0)
        a->in_shared = 0;
}

static void
pvr_start(void *arg, const char *name, const char **atts)
{
    struct pv_arg *a = arg;
    const char *l = disclose_local(name);
    const char *v;

    if (strcmp(l, "r") == 0) {
        a->nrec++;
        a->field = 0;
        disclose_table_row(&a->t, (uint32_t)a->nrec, 0);
        return;
    }
    if (strcmp(l, "pivotCacheRecords") == 0)
        return;
    v = disclose_attr(atts, "v");
    if (strcmp(l, "x") == 0) {
        int64_t i;
        if (v && vigil_parse_i64(v, strlen(v), &i) && i >= 0 &&
            a->field < a->nf && (size_t)i < a->f[a->field].n) {
            const char *s = a->items.data + a->f[a->field].off[i];
            disclose_table_scan(&a->t, a->field, s, strlen(s), &a->acc);
            disclose_table_cell(&a->t, a->field, s, strlen(s), 0, &a->acc);
        }
    } else if (v) {
        disclose_table_scan(&a->t, a->field, v, strlen(v), &a->acc);
        disclose_table_cell(&a->t, a->field, v, strlen(v), 0, &a->acc);
    }
    a->field++;
}

static void
pvr_end(void *arg, const char *name)
{
    struct pv_arg *a = arg;

    if (strcmp(disclose_local(name), "r") == 0)
        disclose_table_row_end(&a->t);
}

static void
do_pivot(struct xlsx *x, const struct disclose_zip_entry *def)
{
    struct pv_arg *a = calloc(1, sizeof(*a));
    struct disclose_xml_cb cb = {pvd_start, pvd_end, NULL, a};
    struct disclose_rels rels;
    struct vigil_err err;
    const char *recpart = NULL;
    struct vigil_disclose_finding *f;
    char pii[300], cols[200], where[300];
    enum vigil_rc rc;

    if (!a) {
        x->c->nomem = 1;
        return;
    }
    a->x = x;
    disclose_table_init(&a->t, x->c);
    vigil_buf_init(&a->items, x->c->d->policy.max_strings_bytes);
    vigil_err_clear(&err);
    rc = disclose_xml_entry(x->c, x->z, def, &cb, &err);
    if (rc != VIGIL_OK)
        disclose_xml_fail(x->c, def->name, rc, &err);
    vigil_err_clear(&err);
    if (disclose_rels_load(x->c, x->z, def->name, &rels, &err) == VIGIL_OK) {
        for (size_t i = 0; i < rels.n; i++)
            if (strcmp(rels.r[i].type, "pivotCacheRecords") == 0) {
                const struct disclose_zip_entry *re =
                    disclose_zip_find(x->z, rels.r[i].target);
                if (re) {
                    struct disclose_xml_cb rcb = {pvr_start, pvr_end, NULL, a};
                    recpart = re->name;
                    vigil_err_clear(&err);
                    rc = disclose_xml_entry(x->c, x->z, re, &rcb, &err);
                    if (rc != VIGIL_OK)
                        disclose_xml_fail(x->c, re->name, rc, &err);
                }
            }
    }
    disclose_rels_fini(&rels);
    if (!a->nrec && a->items.data) {
        /* No records part (saveData off): the shared items still carry
         * every distinct source value. */
        for (size_t k = 0; k < a->nf; k++)
            for (size_t i = 0; i < a->f[k].n; i++) {
                const char *s = a->items.data + a->f[k].off[i];
                disclose_scan(x->c, s, strlen(s), &a->acc);
            }
    }
    x->c->res->people_records += a->t.records;
    disclose_acc_describe(&a->acc, pii, sizeof(pii));
    disclose_table_columns(&a->t, cols, sizeof(cols));
    if (a->src_sheet[0])
        snprintf(where, sizeof(where), "'%s'!%s", a->src_sheet, a->src_ref);
    else if (a->src_name[0])
        snprintf(where, sizeof(where), "%s", a->src_name);
    else
        snprintf(where, sizeof(where), "an external source");
    f = disclose_add(
        x->c, VIGIL_DK_PIVOT_CACHE,
        (a->acc.total || a->t.records || (a->t.has_name_col && a->nrec))
            ? VIGIL_DISCLOSE_BLOCK
            : VIGIL_DISCLOSE_REVIEW,
        recpart ? recpart : def->name, a->src_sheet[0] ? a->src_sheet : NULL,
        a->src_ref[0] ? a->src_ref : NULL, ADVICE_PIVOT,
        "pivot cache copies %zu source records from %s (fields: "
        "%s)%s%zu%s%s%s%s",
        a->nrec, where, a->fieldnames, a->t.records ? "; " : "", a->t.records,
        a->t.records ? " people's records, columns: " : "",
        a->t.records ? cols : "", pii[0] ? "; personal data: " : "", pii);
    if (f) {
        f->count = a->nrec;
        disclose_finding_pii(f, &a->acc);
    }
    if (f && !a->t.records && f->detail) {
        /* Drop the stray "0" left by the optional records clause. */
        char d[1024];
        snprintf(d, sizeof(d),
                 "pivot cache copies %zu source records from %s (fields: "
                 "%s)%s%s",
                 a->nrec, where, a->fieldnames,
                 pii[0] ? "; personal data: " : "", pii);
        f->detail = disclose_strdup(x->c, d, strlen(d));
    }
    for (size_t i = 0; i < a->nf; i++)
        free(a->f[i].off);
    free(a->f);
    vigil_buf_fini(&a->items);
    free(a);
}

/* ------------------------------------------------------------------ */
/* External links and connections                                      */
/* ------------------------------------------------------------------ */

struct conn_arg {
    size_t n;
    char names[300];
    size_t len;
};

static void
conn_start(void *arg, const char *name, const char **atts)
{
    struct conn_arg *a = arg;

    if (strcmp(disclose_local(name), "connection") == 0) {
        const char *n = disclose_attr(atts, "name");
        a->n++;
        if (n && a->len + strlen(n) + 4 < sizeof(a->names)) {
            int w = snprintf(a->names + a->len, sizeof(a->names) - a->len,
                             "%s'%s'", a->len ? ", " : "", n);
            if (w > 0)
                a->len += (size_t)w;
        }
    }
}

static int
ends_with_rels(const char *n)
{
    size_t l = strlen(n);
    return l >= 5 && strcmp(n + l - 5, ".rels") == 0;
}

static void
do_links(struct xlsx *x)
{
    struct vigil_err err;

    for (size_t i = 0; i < x->z->n; i++) {
        const struct disclose_zip_entry *e = &x->z->e[i];
        struct disclose_rels rels;
        const char *target = "";

        if (disclose_pkg_kind(x->c, x->z, e) != DISCLOSE_PK_EXTLINK &&
            (strncmp(e->name, "xl/externalLinks/externalLink", 29) != 0 ||
             strchr(e->name + 29, '/') || ends_with_rels(e->name)))
            continue;
        vigil_err_clear(&err);
        if (disclose_rels_load(x->c, x->z, e->name, &rels, &err) == VIGIL_OK &&
            rels.n)
            target = rels.r[0].target;
        disclose_add(x->c, VIGIL_DK_EXTERNAL_LINK, VIGIL_DISCLOSE_REVIEW,
                     e->name, NULL, NULL,
                     "Break the link (Data > Edit Links > Break Link); it "
                     "reveals file locations and may cache the other "
                     "workbook's values.",
                     "the workbook links to another file: %s",
                     target[0] ? target : "(target not named)");
        disclose_rels_fini(&rels);
    }
    {
        const struct disclose_zip_entry *e =
            disclose_zip_find(x->z, "xl/connections.xml");
        struct conn_arg a;
        struct disclose_xml_cb cb = {conn_start, NULL, NULL, &a};

        if (!e)
            return;
        memset(&a, 0, sizeof(a));
        vigil_err_clear(&err);
        if (disclose_xml_entry(x->c, x->z, e, &cb, &err) != VIGIL_OK)
            return;
        if (a.n) {
            struct vigil_disclose_finding *f = disclose_add(
                x->c, VIGIL_DK_DATA_CONNECTION, VIGIL_DISCLOSE_REVIEW, e->name,
                NULL, NULL,
                "Remove the connections (Data > Queries & Connections); "
                "connection strings name servers and may hold credentials.",
                "%zu data connection(s): %s", a.n, a.names);
            if (f)
                f->count = a.n;
        }
    }
}

/* ------------------------------------------------------------------ */
/* The workbook                                                         */
/* ------------------------------------------------------------------ */

void
disclose_xlsx(struct disclose_ctx *c, struct disclose_zip *z)
{
    struct xlsx x;
    struct disclose_rels rels;
    struct wb_arg wa;
    struct disclose_xml_cb cb = {wb_start, wb_end, wb_text, &wa};
    struct vigil_err err;
    enum vigil_rc rc;
    const char *sst_part = "xl/sharedStrings.xml";
    const char *sty_part = "xl/styles.xml";

    memset(&x, 0, sizeof(x));
    x.c = c;
    x.z = z;
    vigil_buf_init(&x.sst, c->d->policy.max_strings_bytes);
    vigil_err_clear(&err);
    rc = disclose_rels_load(c, z, "xl/workbook.xml", &rels, &err);
    if (rc != VIGIL_OK)
        disclose_xml_fail(c, "xl/_rels/workbook.xml.rels", rc, &err);
    for (size_t i = 0; i < rels.n; i++) {
        if (strcmp(rels.r[i].type, "sharedStrings") == 0)
            sst_part = rels.r[i].target;
        else if (strcmp(rels.r[i].type, "styles") == 0)
            sty_part = rels.r[i].target;
    }
    memset(&wa, 0, sizeof(wa));
    wa.x = &x;
    wa.rels = &rels;
    vigil_buf_init(&wa.dn_text, 4096);
    vigil_err_clear(&err);
    rc = disclose_xml_entry(c, z, disclose_zip_find(z, "xl/workbook.xml"), &cb,
                            &err);
    if (rc != VIGIL_OK)
        disclose_xml_fail(c, "xl/workbook.xml", rc, &err);
    if (wa.hidden_names) {
        struct vigil_disclose_finding *f = disclose_add(
            c, VIGIL_DK_HIDDEN_NAME, VIGIL_DISCLOSE_REVIEW, "xl/workbook.xml",
            NULL, NULL,
            "Delete names that point at hidden data (Formulas > Name "
            "Manager).",
            "%zu defined name(s) hidden or pointing into hidden sheets: %s",
            wa.hidden_names, wa.names);
        if (f)
            f->count = wa.hidden_names;
    }
    if (wa.abspath[0])
        disclose_add(c, VIGIL_DK_METADATA, VIGIL_DISCLOSE_REVIEW,
                     "xl/workbook.xml", NULL, NULL,
                     "Re-save a copy from a neutral folder or use --clean; "
                     "the path can name the author.",
                     "the workbook records the folder it was saved in: %s",
                     wa.abspath);
    vigil_buf_fini(&wa.dn_text);
    load_sst(&x, sst_part);
    load_styles(&x, sty_part);
    for (size_t i = 0; i < x.nsh && !c->nomem; i++)
        do_sheet(&x, &x.sh[i]);
    map_sheet_rels(&x);
    for (size_t i = 0; i < z->n && !c->nomem; i++) {
        const char *n = z->e[i].name;
        /* What the package says a part is, or where Excel puts it. */
        enum disclose_pk k = disclose_pkg_kind(c, z, &z->e[i]);
        if (k == DISCLOSE_PK_COMMENTS ||
            (k == DISCLOSE_PK_NONE && strncmp(n, "xl/comments", 11) == 0 &&
             !strchr(n + 3, '/')))
            do_comments(&x, &z->e[i], 0);
        else if (k == DISCLOSE_PK_THREADED ||
                 (k == DISCLOSE_PK_NONE &&
                  strncmp(n, "xl/threadedComments/", 20) == 0 &&
                  !strchr(n + 20, '/')))
            do_comments(&x, &z->e[i], 1);
        else if (k == DISCLOSE_PK_PIVOTDEF ||
                 (k == DISCLOSE_PK_NONE &&
                  strncmp(n, "xl/pivotCache/pivotCacheDefinition", 34) == 0 &&
                  !strchr(n + 14, '/')))
            do_pivot(&x, &z->e[i]);
    }
    do_links(&x);
    disclose_rels_fini(&rels);
    vigil_buf_fini(&x.sst);
    free(x.off);
    free(x.fontfl);
    free(x.xf);
    free(x.sh);
    free(x.cmap);
}

uint8_t *
disclose_xlsx_xf_flags(struct disclose_ctx *c, struct disclose_zip *z,
                       size_t *n)
{
    struct xlsx x;

    memset(&x, 0, sizeof(x));
    x.c = c;
    x.z = z;
    load_styles(&x, "xl/styles.xml");
    free(x.fontfl);
    *n = x.nxf;
    return x.xf;
}
