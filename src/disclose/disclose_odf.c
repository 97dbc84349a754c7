/* disclose_odf.c -- what an OpenDocument file (ODS, ODT, ODP) hides:
 * hidden sheets (a table style with table:display="false"), collapsed
 * rows and columns, annotations, tracked changes (text:tracked-changes),
 * hidden text and sections, white or tiny text, hidden slides, speaker
 * notes and the meta.xml author fields; encrypted packages are refused.
 * content.xml is streamed; repeated rows and columns are counted, never
 * expanded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disclose/disclose_int.h"

enum {
    SF_TABLE_HIDDEN = 1,
    SF_TEXT_HIDDEN = 2,
    SF_WHITE = 4,
    SF_TINY = 8,
    SF_PAGE_HIDDEN = 16
};

#define MAX_STYLES 4096

struct ostyle {
    char name[48];
    uint8_t fl;
};

struct odf {
    struct disclose_ctx *c;
    struct ostyle *st;
    size_t nst;
    int cur_style; /* index while inside style:style, else -1 */
    /* where we are */
    char table[128];
    int table_hidden;
    int in_table;
    uint32_t row;
    unsigned col;
    int row_hidden;
    uint32_t row_rep;
    uint8_t hcol[16384 / 8];
    unsigned ncols;
    struct disclose_table t;
    int in_cell;
    uint8_t cell_fl; /* white / tiny from the cell's style */
    struct vigil_buf cell;
    size_t para;
    /* nesting of special regions */
    int ann, tracked, del, info, hidden, notes, span_flag_depth;
    uint8_t span_fl[64];
    int page_hidden;
    char page[64];
    size_t npages;
    /* per table tallies */
    size_t cells, cells_hrow, cells_hcol;
    struct disclose_ranges hrows, hcols;
    struct disclose_acc acc_all, acc_hrow, acc_hcol;
    /* document tallies */
    size_t ann_n;
    struct disclose_ranges ann_where;
    struct disclose_acc acc_ann;
    char ann_authors[200];
    size_t ann_alen;
    int in_creator;
    size_t ins, dels;
    struct disclose_acc acc_del;
    size_t hidden_n, white_n;
    struct disclose_ranges hid_where, white_where;
    struct disclose_acc acc_hid, acc_white, acc_vis, acc_notes;
    size_t notes_chars;
    size_t hidden_pages;
    char hidden_page_names[200];
    size_t hplen;
    struct vigil_buf txt;
    int spreadsheet;
};

static uint8_t
style_flags(const struct odf *o, const char *name)
{
    if (!name)
        return 0;
    for (size_t i = 0; i < o->nst; i++)
        if (strcmp(o->st[i].name, name) == 0)
            return o->st[i].fl;
    return 0;
}

static void
note_repeat(struct disclose_ranges *r, uint64_t first, uint64_t n)
{
    /* A run of n: one range, counted without expanding it. */
    disclose_ranges_add(r, first);
    if (n > 1) {
        r->last = first + n - 1;
        r->count += n - 1;
    }
}

static uint64_t
rep_attr(const char **atts, const char *name)
{
    const char *v = disclose_attr(atts, name);
    int64_t n;

    if (v && vigil_parse_i64(v, strlen(v), &n) && n > 1 && n < 2000000)
        return (uint64_t)n;
    return 1;
}

static int
cur_flags(const struct odf *o)
{
    int fl = 0;
    for (int i = 0; i < o->span_flag_depth && i < 64; i++)
        fl |= o->span_fl[i];
    return fl;
}

/* Routes a piece of finished text to the right tally. */
static void
route_text(struct odf *o, const char *s, size_t n)
{
    int fl = cur_flags(o);

    if (!n)
        return;
    if (o->ann) {
        disclose_scan(o->c, s, n, &o->acc_ann);
    } else if (o->del) {
        disclose_scan(o->c, s, n, &o->acc_del);
    } else if (o->notes) {
        o->notes_chars += n;
        disclose_scan(o->c, s, n, &o->acc_notes);
    } else if (o->hidden || (fl & SF_TEXT_HIDDEN)) {
        o->hidden_n++;
        disclose_ranges_add(&o->hid_where, o->para);
        disclose_scan(o->c, s, n, &o->acc_hid);
    } else if (o->in_table && o->spreadsheet) {
        /* cell text: tallied per cell at the cell's end */
        if (o->cell.len < 65536)
            vigil_buf_append(&o->cell, s, n);
    } else if (fl & (SF_WHITE | SF_TINY)) {
        o->white_n++;
        disclose_ranges_add(&o->hid_where, o->para);
        disclose_scan(o->c, s, n, &o->acc_white);
    } else if (o->page_hidden) {
        disclose_scan(o->c, s, n, &o->acc_hid);
    } else {
        if (o->in_cell && o->cell.len < 65536)
            vigil_buf_append(&o->cell, s, n);
        disclose_scan(o->c, s, n, &o->acc_vis);
    }
}

static void
flush_txt(struct odf *o)
{
    if (o->txt.len)
        route_text(o, o->txt.data, o->txt.len);
    vigil_buf_reset(&o->txt);
}

static void
table_end(struct odf *o)
{
    struct disclose_ctx *c = o->c;
    struct vigil_disclose_finding *f;
    char pii[300], cols[200];
    size_t rec = o->t.records;

    disclose_table_columns(&o->t, cols, sizeof(cols));
    c->res->people_records += rec;
    if (!o->spreadsheet) {
        if (rec) {
            f = disclose_add(c, VIGIL_DK_PEOPLE_RECORDS,
                             rec > c->d->policy.max_records
                                 ? VIGIL_DISCLOSE_BLOCK
                                 : VIGIL_DISCLOSE_REVIEW,
                             "content.xml", o->table, NULL,
                             "Publish counts instead of people's records, "
                             "or remove the personal columns.",
                             "table '%s' lists %zu people's records "
                             "(columns: %s)",
                             o->table, rec, cols);
            if (f)
                f->count = rec;
        }
        return;
    }
    if (o->table_hidden) {
        disclose_acc_describe(&o->acc_all, pii, sizeof(pii));
        f = disclose_add(
            c, VIGIL_DK_HIDDEN_SHEET,
            (o->acc_all.total || rec)
                ? VIGIL_DISCLOSE_BLOCK
                : (o->cells ? VIGIL_DISCLOSE_REVIEW : VIGIL_DISCLOSE_REVIEW),
            "content.xml", o->table, NULL,
            "Delete the hidden sheet, or export only the "
            "visible sheet as CSV (vigil check-release --clean).",
            "sheet '%s' is hidden and holds %zu filled cells%s%s", o->table,
            o->cells, pii[0] ? "; personal data: " : "", pii);
        if (f) {
            f->count = rec ? rec : o->cells;
            disclose_finding_pii(f, &o->acc_all);
        }
        return;
    }
    if (o->hrows.count && o->cells_hrow) {
        disclose_acc_describe(&o->acc_hrow, pii, sizeof(pii));
        f = disclose_add(
            c, VIGIL_DK_HIDDEN_ROWS,
            (o->acc_hrow.total || o->t.hidden_records) ? VIGIL_DISCLOSE_BLOCK
                                                       : VIGIL_DISCLOSE_REVIEW,
            "content.xml", o->table, disclose_ranges_str(&o->hrows),
            "Delete the hidden rows and columns, or export the "
            "visible cells as CSV.",
            "%zu hidden row(s) on sheet '%s' (%zu filled cells)%s%s",
            o->hrows.count, o->table, o->cells_hrow,
            pii[0] ? "; personal data: " : "", pii);
        if (f) {
            f->count = o->hrows.count;
            disclose_finding_pii(f, &o->acc_hrow);
        }
    }
    if (o->hcols.count && o->cells_hcol) {
        o->hcols.letters = 1;
        disclose_acc_describe(&o->acc_hcol, pii, sizeof(pii));
        f = disclose_add(
            c, VIGIL_DK_HIDDEN_COLUMNS,
            (o->acc_hcol.total || o->t.hidden_records) ? VIGIL_DISCLOSE_BLOCK
                                                       : VIGIL_DISCLOSE_REVIEW,
            "content.xml", o->table, disclose_ranges_str(&o->hcols),
            "Delete the hidden rows and columns, or export the "
            "visible cells as CSV.",
            "%zu hidden column(s) on sheet '%s' (%zu filled "
            "cells)%s%s",
            o->hcols.count, o->table, o->cells_hcol,
            pii[0] ? "; personal data: " : "", pii);
        if (f) {
            f->count = o->hcols.count;
            disclose_finding_pii(f, &o->acc_hcol);
        }
    }
    if (rec) {
        f = disclose_add(c, VIGIL_DK_PEOPLE_RECORDS,
                         rec > c->d->policy.max_records ? VIGIL_DISCLOSE_BLOCK
                                                        : VIGIL_DISCLOSE_REVIEW,
                         "content.xml", o->table, NULL,
                         "Publish counts instead of people's records, or "
                         "remove the personal columns.",
                         "sheet '%s' lists %zu people's records (columns: %s)",
                         o->table, rec, cols);
        if (f)
            f->count = rec;
    }
}

static void
cell_end(struct odf *o)
{
    struct disclose_acc one;
    int hcol = o->col < 16384 && (o->hcol[o->col / 8] & (1u << (o->col % 8)));

    o->in_cell = 0;
    if (!o->cell.len)
        return;
    if (o->spreadsheet) {
        memset(&one, 0, sizeof(one));
        o->cells++;
        disclose_table_scan(&o->t, o->col, o->cell.data, o->cell.len, &one);
        disclose_table_cell(&o->t, o->col, o->cell.data, o->cell.len, hcol,
                            &one);
        disclose_acc_add(&o->acc_all, &one);
        if (o->row_hidden) {
            o->cells_hrow++;
            disclose_acc_add(&o->acc_hrow, &one);
        } else if (hcol) {
            o->cells_hcol++;
            disclose_acc_add(&o->acc_hcol, &one);
        } else if (!o->table_hidden && (o->cell_fl & (SF_WHITE | SF_TINY))) {
            o->white_n++;
            if (o->white_where.len + strlen(o->table) + 24 <
                sizeof(o->white_where.buf)) {
                char cn[8];
                disclose_col_name(o->col, cn, sizeof(cn));
                o->white_where.len += (size_t)snprintf(
                    o->white_where.buf + o->white_where.len,
                    sizeof(o->white_where.buf) - o->white_where.len,
                    "%s%s!%s%u", o->white_where.len ? ", " : "", o->table, cn,
                    o->row);
            }
            disclose_acc_add(&o->acc_white, &one);
        } else if (!o->table_hidden) {
            disclose_acc_add(&o->acc_vis, &one);
        }
    } else {
        disclose_table_cell(&o->t, o->col, o->cell.data, o->cell.len, hcol,
                            &o->acc_vis);
    }
}

static void
o_start(void *arg, const char *name, const char **atts)
{
    struct odf *o = arg;
    const char *l = disclose_local(name);

    flush_txt(o);
    if (strcmp(name, "style:style") == 0) {
        const char *n = disclose_attr(atts, "name");
        o->cur_style = -1;
        if (n && o->nst < MAX_STYLES) {
            snprintf(o->st[o->nst].name, sizeof(o->st[0].name), "%s", n);
            o->st[o->nst].fl = 0;
            o->cur_style = (int)o->nst++;
        }
        return;
    }
    if (o->cur_style >= 0) {
        uint8_t *fl = &o->st[o->cur_style].fl;
        const char *v;
        if (strcmp(name, "style:table-properties") == 0) {
            v = disclose_attr(atts, "display");
            if (v && strcmp(v, "false") == 0)
                *fl |= SF_TABLE_HIDDEN;
        } else if (strcmp(name, "style:text-properties") == 0) {
            v = disclose_attr(atts, "display");
            if (v && strcmp(v, "none") == 0)
                *fl |= SF_TEXT_HIDDEN;
            v = disclose_attr(atts, "color");
            if (v && strcasecmp(v, "#ffffff") == 0)
                *fl |= SF_WHITE;
            v = disclose_attr(atts, "font-size");
            if (v && strstr(v, "pt") && strtod(v, NULL) < 2.0)
                *fl |= SF_TINY;
        } else if (strcmp(name, "style:drawing-page-properties") == 0) {
            v = disclose_attr(atts, "visibility");
            if (v && strcmp(v, "hidden") == 0)
                *fl |= SF_PAGE_HIDDEN;
        }
        return;
    }
    if (strcmp(name, "table:table") == 0 && !o->in_table) {
        const char *n = disclose_attr(atts, "name");
        o->in_table = 1;
        snprintf(o->table, sizeof(o->table), "%s", n ? n : "?");
        o->table_hidden = !!(style_flags(o, disclose_attr(atts, "style-name")) &
                             SF_TABLE_HIDDEN);
        o->row = 0;
        memset(o->hcol, 0, sizeof(o->hcol));
        o->ncols = 0;
        disclose_table_init(&o->t, o->c);
        o->cells = o->cells_hrow = o->cells_hcol = 0;
        memset(&o->hrows, 0, sizeof(o->hrows));
        memset(&o->hcols, 0, sizeof(o->hcols));
        memset(&o->acc_all, 0, sizeof(o->acc_all));
        memset(&o->acc_hrow, 0, sizeof(o->acc_hrow));
        memset(&o->acc_hcol, 0, sizeof(o->acc_hcol));
        return;
    }
    if (o->in_table && strcmp(name, "table:table-column") == 0) {
        uint64_t n = rep_attr(atts, "number-columns-repeated");
        const char *v = disclose_attr(atts, "visibility");
        if (v && strcmp(v, "visible") != 0) {
            for (uint64_t i = 0; i < n && o->ncols + i < 16384; i++)
                o->hcol[(o->ncols + i) / 8] |=
                    (uint8_t)(1u << ((o->ncols + i) % 8));
            note_repeat(&o->hcols, o->ncols, n);
        }
        o->ncols += (unsigned)(n > 16384 ? 16384 : n);
        return;
    }
    if (o->in_table && strcmp(name, "table:table-row") == 0) {
        const char *v = disclose_attr(atts, "visibility");
        o->row_rep = (uint32_t)rep_attr(atts, "number-rows-repeated");
        o->row++;
        o->col = 0;
        o->row_hidden = v && strcmp(v, "visible") != 0;
        if (o->row_hidden)
            note_repeat(&o->hrows, o->row, o->row_rep);
        disclose_table_row(&o->t, o->row, o->row_hidden);
        return;
    }
    if (o->in_table && (strcmp(name, "table:table-cell") == 0 ||
                        strcmp(name, "table:covered-table-cell") == 0)) {
        /* in_cell doubles as the column repeat, applied at the end */
        uint64_t n = rep_attr(atts, "number-columns-repeated");
        vigil_buf_reset(&o->cell);
        o->in_cell = (int)(n > 16384 ? 16384 : n);
        o->cell_fl = style_flags(o, disclose_attr(atts, "style-name"));
        return;
    }
    if (strcmp(name, "office:annotation") == 0) {
        o->ann++;
        o->ann_n++;
        if (o->spreadsheet && o->in_table) {
            char cn[8], ref[160];
            disclose_col_name(o->col, cn, sizeof(cn));
            snprintf(ref, sizeof(ref), "%s!%s%u", o->table, cn, o->row);
            if (o->ann_where.len + strlen(ref) + 4 < sizeof(o->ann_where.buf))
                o->ann_where.len += (size_t)snprintf(
                    o->ann_where.buf + o->ann_where.len,
                    sizeof(o->ann_where.buf) - o->ann_where.len, "%s%s",
                    o->ann_where.len ? ", " : "", ref);
        } else {
            char ref[32];
            snprintf(ref, sizeof(ref), "paragraph %zu", o->para);
            if (o->ann_where.len + strlen(ref) + 4 < sizeof(o->ann_where.buf))
                o->ann_where.len += (size_t)snprintf(
                    o->ann_where.buf + o->ann_where.len,
                    sizeof(o->ann_where.buf) - o->ann_where.len, "%s%s",
                    o->ann_where.len ? ", " : "", ref);
        }
        return;
    }
    if (o->ann && strcmp(name, "dc:creator") == 0) {
        o->in_creator = 1;
        return;
    }
    if (strcmp(name, "text:tracked-changes") == 0) {
        o->tracked++;
        return;
    }
    if (o->tracked && strcmp(name, "text:insertion") == 0) {
        o->ins++;
        return;
    }
    if (o->tracked && strcmp(name, "text:deletion") == 0) {
        o->dels++;
        o->del++;
        return;
    }
    if (strcmp(name, "office:change-info") == 0) {
        o->info++;
        return;
    }
    if (strcmp(name, "text:hidden-text") == 0 ||
        strcmp(name, "text:hidden-paragraph") == 0) {
        const char *v = disclose_attr(atts, "string-value");
        if (v && *v) {
            o->hidden_n++;
            disclose_ranges_add(&o->hid_where, o->para);
            disclose_scan(o->c, v, strlen(v), &o->acc_hid);
        }
        if (strcmp(name, "text:hidden-paragraph") == 0)
            o->hidden++;
        return;
    }
    if (strcmp(name, "text:section") == 0) {
        const char *v = disclose_attr(atts, "display");
        if (v && strcmp(v, "none") == 0)
            o->hidden++;
        else if (o->hidden)
            o->hidden++;
        return;
    }
    if (strcmp(name, "text:p") == 0 || strcmp(name, "text:h") == 0 ||
        strcmp(name, "text:span") == 0) {
        if (l[0] != 's')
            o->para++;
        if (o->span_flag_depth < 64)
            o->span_fl[o->span_flag_depth] =
                style_flags(o, disclose_attr(atts, "style-name"));
        o->span_flag_depth++;
        return;
    }
    if (strcmp(name, "draw:page") == 0) {
        const char *n = disclose_attr(atts, "name");
        o->npages++;
        snprintf(o->page, sizeof(o->page), "%s", n ? n : "slide");
        o->page_hidden = !!(style_flags(o, disclose_attr(atts, "style-name")) &
                            SF_PAGE_HIDDEN);
        if (o->page_hidden) {
            o->hidden_pages++;
            if (o->hplen + strlen(o->page) + 10 < sizeof(o->hidden_page_names))
                o->hplen += (size_t)snprintf(
                    o->hidden_page_names + o->hplen,
                    sizeof(o->hidden_page_names) - o->hplen, "%sslide %s",
                    o->hplen ? ", " : "", o->page);
        }
        return;
    }
    if (strcmp(name, "presentation:notes") == 0) {
        o->notes++;
        return;
    }
}

static void
o_text(void *arg, const char *s, int len)
{
    struct odf *o = arg;

    if (o->info && !o->in_creator)
        return; /* change dates */
    if (o->txt.len < 65536)
        vigil_buf_append(&o->txt, s, (size_t)len);
}

static void
o_end(void *arg, const char *name)
{
    struct odf *o = arg;

    if (o->in_creator && strcmp(name, "dc:creator") == 0) {
        char v[64];
        o->in_creator = 0;
        disclose_clip(o->txt.data ? o->txt.data : "", o->txt.len, v, sizeof(v));
        vigil_buf_reset(&o->txt);
        if (v[0] && !strstr(o->ann_authors, v) &&
            o->ann_alen + strlen(v) + 6 < sizeof(o->ann_authors))
            o->ann_alen +=
                (size_t)snprintf(o->ann_authors + o->ann_alen,
                                 sizeof(o->ann_authors) - o->ann_alen, "%s'%s'",
                                 o->ann_alen ? ", " : "", v);
        return;
    }
    if (o->info && strcmp(name, "dc:creator") == 0) {
        vigil_buf_reset(&o->txt);
        return;
    }
    flush_txt(o);
    if (strcmp(name, "style:style") == 0) {
        o->cur_style = -1;
    } else if (strcmp(name, "table:table") == 0 && o->in_table) {
        table_end(o);
        o->in_table = 0;
    } else if (o->in_table && (strcmp(name, "table:table-cell") == 0 ||
                               strcmp(name, "table:covered-table-cell") == 0)) {
        unsigned rep = (unsigned)(o->in_cell > 0 ? o->in_cell : 1);
        cell_end(o);
        o->col += rep;
    } else if (o->in_table && strcmp(name, "table:table-row") == 0) {
        disclose_table_row_end(&o->t);
        if (o->row_rep > 1)
            o->row += o->row_rep - 1;
        o->row_hidden = 0;
    } else if (strcmp(name, "office:annotation") == 0 && o->ann) {
        o->ann--;
    } else if (strcmp(name, "text:tracked-changes") == 0 && o->tracked) {
        o->tracked--;
    } else if (strcmp(name, "text:deletion") == 0 && o->del) {
        o->del--;
    } else if (strcmp(name, "office:change-info") == 0 && o->info) {
        o->info--;
    } else if ((strcmp(name, "text:hidden-paragraph") == 0 ||
                strcmp(name, "text:section") == 0) &&
               o->hidden) {
        o->hidden--;
    } else if ((strcmp(name, "text:p") == 0 || strcmp(name, "text:h") == 0 ||
                strcmp(name, "text:span") == 0) &&
               o->span_flag_depth) {
        o->span_flag_depth--;
    } else if (strcmp(name, "presentation:notes") == 0 && o->notes) {
        o->notes--;
    } else if (strcmp(name, "draw:page") == 0) {
        o->page_hidden = 0;
    }
}

static void
odf_findings(struct odf *o)
{
    struct disclose_ctx *c = o->c;
    struct vigil_disclose_finding *f;
    char pii[300];

    if (o->ann_n) {
        o->ann_where.buf[o->ann_where.len] = 0;
        disclose_acc_describe(&o->acc_ann, pii, sizeof(pii));
        f = disclose_add(c, VIGIL_DK_COMMENTS,
                         o->acc_ann.total ? VIGIL_DISCLOSE_BLOCK
                                          : VIGIL_DISCLOSE_REVIEW,
                         "content.xml", NULL, o->ann_where.buf,
                         "Delete all comments before publishing.",
                         "%zu annotation(s) (comments)%s%s%s%s", o->ann_n,
                         o->ann_alen ? " by " : "", o->ann_authors,
                         pii[0] ? "; personal data: " : "", pii);
        if (f) {
            f->count = o->ann_n;
            disclose_finding_pii(f, &o->acc_ann);
        }
    }
    if (o->ins || o->dels) {
        disclose_acc_describe(&o->acc_del, pii, sizeof(pii));
        f = disclose_add(
            c, VIGIL_DK_TRACKED_CHANGES,
            o->acc_del.total ? VIGIL_DISCLOSE_BLOCK : VIGIL_DISCLOSE_REVIEW,
            "content.xml", NULL, NULL,
            "Accept or reject all changes (Edit > Track Changes "
            "> Accept All) and turn off recording.",
            "%zu tracked insertion(s) and %zu deletion(s) remain "
            "in the file%s%s",
            o->ins, o->dels,
            pii[0] ? "; deleted text holds personal data: " : "", pii);
        if (f) {
            f->count = o->ins + o->dels;
            disclose_finding_pii(f, &o->acc_del);
        }
    }
    if (o->hidden_n) {
        char range[300];
        snprintf(range, sizeof(range), "paragraph %s",
                 disclose_ranges_str(&o->hid_where));
        disclose_acc_describe(&o->acc_hid, pii, sizeof(pii));
        f = disclose_add(
            c, VIGIL_DK_HIDDEN_TEXT,
            o->acc_hid.total ? VIGIL_DISCLOSE_BLOCK : VIGIL_DISCLOSE_REVIEW,
            "content.xml", NULL, range, "Delete the hidden text and sections.",
            "%zu piece(s) of hidden text%s%s", o->hidden_n,
            pii[0] ? "; personal data: " : "", pii);
        if (f) {
            f->count = o->hidden_n;
            disclose_finding_pii(f, &o->acc_hid);
        }
    }
    if (o->white_n) {
        disclose_acc_describe(&o->acc_white, pii, sizeof(pii));
        o->white_where.buf[o->white_where.len] = 0;
        f = disclose_add(
            c, VIGIL_DK_WHITE_TEXT,
            o->acc_white.total ? VIGIL_DISCLOSE_BLOCK : VIGIL_DISCLOSE_REVIEW,
            "content.xml", NULL, o->white_where.len ? o->white_where.buf : NULL,
            "Delete text that is not meant to be read.",
            "%zu piece(s) of white or tiny text%s%s", o->white_n,
            pii[0] ? "; personal data: " : "", pii);
        if (f)
            disclose_finding_pii(f, &o->acc_white);
    }
    if (o->hidden_pages) {
        f = disclose_add(
            c, VIGIL_DK_HIDDEN_TEXT,
            o->acc_hid.total ? VIGIL_DISCLOSE_BLOCK : VIGIL_DISCLOSE_REVIEW,
            "content.xml", o->hidden_page_names, NULL,
            "Delete the hidden slides before publishing.",
            "%zu hidden slide(s): %s", o->hidden_pages, o->hidden_page_names);
        if (f)
            f->count = o->hidden_pages;
    }
    if (o->notes_chars) {
        disclose_acc_describe(&o->acc_notes, pii, sizeof(pii));
        f = disclose_add(c, VIGIL_DK_SPEAKER_NOTES,
                         o->acc_notes.total ? VIGIL_DISCLOSE_BLOCK
                                            : VIGIL_DISCLOSE_REVIEW,
                         "content.xml", NULL, NULL,
                         "Delete speaker notes or publish as PDF without "
                         "notes.",
                         "speaker notes travel with the presentation%s%s",
                         pii[0] ? "; personal data: " : "", pii);
        if (f)
            disclose_finding_pii(f, &o->acc_notes);
    }
    if (o->acc_vis.total) {
        disclose_acc_describe(&o->acc_vis, pii, sizeof(pii));
        f = disclose_add(c, VIGIL_DK_PERSONAL_DATA, VIGIL_DISCLOSE_REVIEW,
                         "content.xml", NULL, NULL,
                         "Check that every item of personal data may lawfully "
                         "be released; redact what may not.",
                         "visible content holds personal data: %s", pii);
        if (f) {
            f->count = o->acc_vis.total;
            disclose_finding_pii(f, &o->acc_vis);
        }
    }
}

/* meta.xml: author fields and user-defined properties. */
struct meta {
    struct disclose_ctx *c;
    char cur[64];
    int in;
    int user;
    struct vigil_buf t;
    char sum[600], usum[600];
    size_t slen, ulen, n, un;
    struct disclose_acc acc;
};

static void
m_start(void *arg, const char *name, const char **atts)
{
    struct meta *m = arg;

    m->in = 0;
    vigil_buf_reset(&m->t);
    if (strcmp(name, "meta:initial-creator") == 0 ||
        strcmp(name, "dc:creator") == 0 ||
        strcmp(name, "meta:printed-by") == 0 || strcmp(name, "dc:title") == 0 ||
        strcmp(name, "dc:subject") == 0 ||
        strcmp(name, "dc:description") == 0 ||
        strcmp(name, "meta:keyword") == 0) {
        snprintf(m->cur, sizeof(m->cur), "%s", disclose_local(name));
        m->in = 1;
        m->user = 0;
    } else if (strcmp(name, "meta:user-defined") == 0) {
        const char *n = disclose_attr(atts, "name");
        snprintf(m->cur, sizeof(m->cur), "%s", n ? n : "?");
        m->in = 1;
        m->user = 1;
    }
}

static void
m_text(void *arg, const char *s, int len)
{
    struct meta *m = arg;
    if (m->in && m->t.len < 4096)
        vigil_buf_append(&m->t, s, (size_t)len);
}

static void
m_end(void *arg, const char *name)
{
    struct meta *m = arg;
    char v[96];
    char *sum;
    size_t *len;

    (void)name;
    if (!m->in)
        return;
    m->in = 0;
    disclose_clip(m->t.data ? m->t.data : "", m->t.len, v, sizeof(v));
    if (!v[0])
        return;
    disclose_scan(m->c, m->t.data, m->t.len, &m->acc);
    sum = m->user ? m->usum : m->sum;
    len = m->user ? &m->ulen : &m->slen;
    if (m->user)
        m->un++;
    else
        m->n++;
    if (*len + strlen(m->cur) + strlen(v) + 8 < sizeof(m->sum))
        *len += (size_t)snprintf(sum + *len, sizeof(m->sum) - *len, "%s%s '%s'",
                                 *len ? ", " : "", m->cur, v);
}

static void
odf_meta(struct disclose_ctx *c, struct disclose_zip *z)
{
    const struct disclose_zip_entry *e = disclose_zip_find(z, "meta.xml");
    struct meta m;
    struct disclose_xml_cb cb = {m_start, m_end, m_text, &m};
    struct vigil_err err;
    enum vigil_rc rc;

    if (!e)
        return;
    memset(&m, 0, sizeof(m));
    m.c = c;
    vigil_buf_init(&m.t, 8192);
    vigil_err_clear(&err);
    rc = disclose_xml_entry(c, z, e, &cb, &err);
    if (rc != VIGIL_OK)
        disclose_xml_fail(c, "meta.xml", rc, &err);
    if (m.n) {
        struct vigil_disclose_finding *f = disclose_add(
            c, VIGIL_DK_METADATA, VIGIL_DISCLOSE_REVIEW, "meta.xml", NULL, NULL,
            "Remove personal information from the document properties "
            "(File > Properties > Reset, and Tools > Options > Security > "
            "Remove personal information on saving).",
            "document properties name people: %s", m.sum);
        if (f) {
            f->count = m.n;
            disclose_finding_pii(f, &m.acc);
        }
    }
    if (m.un) {
        struct vigil_disclose_finding *f = disclose_add(
            c, VIGIL_DK_CUSTOM_PROPERTIES, VIGIL_DISCLOSE_REVIEW, "meta.xml",
            NULL, NULL, "Delete the custom properties (File > Properties).",
            "%zu custom document properties: %s", m.un, m.usum);
        if (f)
            f->count = m.un;
    }
    vigil_buf_fini(&m.t);
}

void
disclose_odf(struct disclose_ctx *c, struct disclose_zip *z,
             const char *mimetype)
{
    const struct disclose_zip_entry *e;
    struct odf *o;
    struct vigil_buf b;
    struct vigil_err err;
    enum vigil_rc rc;
    const char *kind = mimetype + 35;
    const char *fmt = "odf";

    if (strncmp(kind, "spreadsheet", 11) == 0)
        fmt = "ods";
    else if (strncmp(kind, "text", 4) == 0)
        fmt = "odt";
    else if (strncmp(kind, "presentation", 12) == 0)
        fmt = "odp";
    if (c->depth == 0)
        c->res->format = fmt;
    e = disclose_zip_find(z, "META-INF/manifest.xml");
    if (e) {
        vigil_buf_init(&b, (size_t)4 << 20);
        vigil_err_clear(&err);
        if (disclose_zip_read(c, z, e, &b, (size_t)4 << 20, &err) == VIGIL_OK &&
            b.data && strstr(b.data, "encryption-data")) {
            disclose_add(c, VIGIL_DK_ENCRYPTED, VIGIL_DISCLOSE_BLOCK,
                         "META-INF/manifest.xml", NULL, NULL,
                         "Cannot inspect: remove the password (File > Save "
                         "As, untick 'Save with password') and check again.",
                         "the document is encrypted with a password");
            vigil_buf_fini(&b);
            return;
        }
        vigil_buf_fini(&b);
    }
    odf_meta(c, z);
    e = disclose_zip_find(z, "content.xml");
    if (!e) {
        disclose_add(c, VIGIL_DK_DAMAGED, VIGIL_DISCLOSE_BLOCK, NULL, NULL,
                     NULL, "Re-save the document and check again.",
                     "the OpenDocument package has no content.xml");
        return;
    }
    o = calloc(1, sizeof(*o));
    if (o)
        o->st = calloc(MAX_STYLES + 1, sizeof(*o->st));
    if (!o || !o->st) {
        if (o)
            free(o->st);
        free(o);
        c->nomem = 1;
        return;
    }
    o->c = c;
    o->cur_style = -1;
    o->spreadsheet = strcmp(fmt, "ods") == 0;
    vigil_buf_init(&o->cell, 65536 + 1);
    vigil_buf_init(&o->txt, 65536 + 16);
    {
        struct disclose_xml_cb cb = {o_start, o_end, o_text, o};
        vigil_err_clear(&err);
        rc = disclose_xml_entry(c, z, e, &cb, &err);
        if (rc != VIGIL_OK)
            disclose_xml_fail(c, "content.xml", rc, &err);
    }
    odf_findings(o);
    vigil_buf_fini(&o->cell);
    vigil_buf_fini(&o->txt);
    free(o->st);
    free(o);
    /* Pictures may carry GPS; embedded objects are checked as parts. */
    vigil_buf_init(&b, (size_t)64 << 20);
    for (size_t i = 0; i < z->n && !c->nomem; i++) {
        const char *n = z->e[i].name;
        size_t nl = strlen(n);
        if (strncmp(n, "Pictures/", 9) == 0 && nl > 4 &&
            (strcasecmp(n + nl - 4, ".jpg") == 0 ||
             strcasecmp(n + nl - 5, ".jpeg") == 0)) {
            vigil_err_clear(&err);
            if (disclose_zip_read(c, z, &z->e[i], &b, (size_t)64 << 20, &err) ==
                VIGIL_OK)
                disclose_exif(c, n, (const unsigned char *)b.data, b.len);
        } else if (strncmp(n, "Object ", 7) == 0 && nl > 11 &&
                   strcmp(n + nl - 11, "content.xml") == 0) {
            /* Charts are stored as objects too; they only draw the
             * sheet's own cells. */
            vigil_err_clear(&err);
            if (disclose_zip_read(c, z, &z->e[i], &b, (size_t)64 << 20, &err) ==
                    VIGIL_OK &&
                b.data && strstr(b.data, "<office:chart"))
                continue;
            disclose_add(c, VIGIL_DK_EMBEDDED_OBJECT, VIGIL_DISCLOSE_REVIEW, n,
                         NULL, NULL,
                         "Open the object and check it, or replace it with a "
                         "picture.",
                         "an embedded object travels with the document");
        }
    }
    vigil_buf_fini(&b);
}
