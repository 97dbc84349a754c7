/* disclose_docx.c -- what a Word document (DOCX) or a presentation (PPTX)
 * hides: tracked changes (insertions not yet accepted, deleted text still
 * in the file), hidden text (w:vanish), white or tiny text, comments,
 * speaker notes and hidden slides; and people's records in tables.
 *
 * One streaming handler serves WordprocessingML and DrawingML: both
 * call a run "r", a paragraph "p", text "t" and a table "tbl/tr/tc". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disclose/disclose_int.h"

#define ADVICE_CHANGES                                                         \
    "Accept or reject all changes (Review > Accept All) and turn off "         \
    "tracking, or use vigil check-release --clean."
#define ADVICE_HIDDEN                                                          \
    "Delete the hidden text; formatting it as hidden does not remove it."
#define ADVICE_COMMENTS "Delete all comments (Review > Delete All Comments)."

struct run_ctx {
    struct disclose_ctx *c;
    int pptx;
    size_t para;
    int in_rpr, in_ppr;
    int in_t, in_del_t;
    int ins_depth, del_depth;
    int vanish, white, tiny;
    struct vigil_buf run;
    /* tables (outermost only) */
    int tbl_depth;
    struct disclose_table t;
    uint32_t trow;
    unsigned tcol;
    int in_tc;
    struct vigil_buf cell;
    /* tallies */
    size_t ins, del, hidden_runs, white_runs, tiny_runs;
    struct disclose_ranges pins, phid, pwhite;
    struct disclose_acc acc_vis, acc_del, acc_hid, acc_white;
    char authors[200];
    size_t alen;
    int hidden_slide;
    struct disclose_ranges *anchors; /* comment anchor paragraphs */
    size_t vis_chars;
};

static void
add_author(struct run_ctx *r, const char *a)
{
    size_t n;

    if (!a || !a[0] || strstr(r->authors, a))
        return;
    n = strlen(a);
    if (r->alen + n + 6 >= sizeof(r->authors))
        return;
    r->alen +=
        (size_t)snprintf(r->authors + r->alen, sizeof(r->authors) - r->alen,
                         "%s'%s'", r->alen ? ", " : "", a);
}

static int
val_on(const char **atts)
{
    const char *v = disclose_attr(atts, "val");
    return !v || !(strcmp(v, "0") == 0 || strcmp(v, "false") == 0 ||
                   strcmp(v, "off") == 0);
}

static void
rc_start(void *arg, const char *name, const char **atts)
{
    struct run_ctx *r = arg;
    const char *l = disclose_local(name);

    switch (l[0]) {
    case 'p':
        if (strcmp(l, "p") == 0) {
            r->para++;
            return;
        }
        if (strcmp(l, "pPr") == 0) {
            r->in_ppr = 1;
            return;
        }
        break;
    case 'r':
        if (strcmp(l, "r") == 0) {
            r->vanish = r->white = r->tiny = 0;
            vigil_buf_reset(&r->run);
            return;
        }
        if (strcmp(l, "rPr") == 0) {
            r->in_rpr = 1;
            if (r->pptx) {
                const char *sz = disclose_attr(atts, "sz");
                if (sz && strtod(sz, NULL) < 200)
                    r->tiny = 1;
            }
            return;
        }
        break;
    case 't':
        if (strcmp(l, "t") == 0) {
            r->in_t = 1;
            return;
        }
        if (strcmp(l, "tbl") == 0) {
            if (++r->tbl_depth == 1) {
                disclose_table_init(&r->t, r->c);
                r->trow = 0;
            }
            return;
        }
        if (strcmp(l, "tr") == 0 && r->tbl_depth == 1) {
            disclose_table_row(&r->t, ++r->trow, 0);
            r->tcol = 0;
            return;
        }
        if (strcmp(l, "tc") == 0 && r->tbl_depth == 1) {
            r->in_tc = 1;
            vigil_buf_reset(&r->cell);
            return;
        }
        break;
    case 'i':
        if (strcmp(l, "ins") == 0) {
            r->ins++;
            r->ins_depth += !r->in_rpr;
            add_author(r, disclose_attr(atts, "author"));
            disclose_ranges_add(&r->pins, r->para);
            return;
        }
        break;
    case 'd':
        if (strcmp(l, "del") == 0) {
            r->del++;
            r->del_depth += !r->in_rpr;
            add_author(r, disclose_attr(atts, "author"));
            disclose_ranges_add(&r->pins, r->para);
            return;
        }
        if (strcmp(l, "delText") == 0) {
            r->in_del_t = 1;
            return;
        }
        break;
    case 'm':
        if (strcmp(l, "moveFrom") == 0) {
            r->del++;
            r->del_depth++;
            add_author(r, disclose_attr(atts, "author"));
            return;
        }
        break;
    case 'v':
        if (strcmp(l, "vanish") == 0 && r->in_rpr && !r->in_ppr && val_on(atts))
            r->vanish = 1;
        break;
    case 'c':
        if (r->anchors && strcmp(l, "commentRangeStart") == 0) {
            disclose_ranges_add(r->anchors, r->para);
            return;
        }
        if (strcmp(l, "color") == 0 && r->in_rpr) {
            const char *v = disclose_attr(atts, "val");
            if (v && strcasecmp(v, "FFFFFF") == 0)
                r->white = 1;
        }
        break;
    case 's':
        if (strcmp(l, "sz") == 0 && r->in_rpr && !r->pptx) {
            const char *v = disclose_attr(atts, "val");
            if (v && strtod(v, NULL) < 4) /* half-points: under 2 pt */
                r->tiny = 1;
        } else if (strcmp(l, "srgbClr") == 0 && r->in_rpr) {
            const char *v = disclose_attr(atts, "val");
            if (v && strcasecmp(v, "FFFFFF") == 0)
                r->white = 1;
        } else if (strcmp(l, "sld") == 0) {
            const char *v = disclose_attr(atts, "show");
            if (v && (strcmp(v, "0") == 0 || strcmp(v, "false") == 0))
                r->hidden_slide = 1;
        }
        break;
    }
}

static void
rc_text(void *arg, const char *s, int len)
{
    struct run_ctx *r = arg;

    if ((r->in_t || r->in_del_t) && r->run.len < 65536)
        vigil_buf_append(&r->run, s, (size_t)len);
}

static void
rc_run_end(struct run_ctx *r)
{
    const char *s = r->run.data;
    size_t n = r->run.len;
    int blank = 1;

    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            blank = 0;
    if (blank)
        return;
    if (r->del_depth) {
        disclose_scan(r->c, s, n, &r->acc_del);
    } else if (r->vanish) {
        r->hidden_runs++;
        disclose_ranges_add(&r->phid, r->para);
        disclose_scan(r->c, s, n, &r->acc_hid);
    } else if (r->white || r->tiny) {
        if (r->white)
            r->white_runs++;
        else
            r->tiny_runs++;
        disclose_ranges_add(&r->pwhite, r->para);
        disclose_scan(r->c, s, n, &r->acc_white);
    } else {
        r->vis_chars += n;
        disclose_scan(r->c, s, n, &r->acc_vis);
        if (r->in_tc && r->cell.len < 4096)
            vigil_buf_append(&r->cell, s, n);
    }
}

static void
rc_end(void *arg, const char *name)
{
    struct run_ctx *r = arg;
    const char *l = disclose_local(name);

    if (strcmp(l, "t") == 0)
        r->in_t = 0;
    else if (strcmp(l, "delText") == 0)
        r->in_del_t = 0;
    else if (strcmp(l, "rPr") == 0)
        r->in_rpr = 0;
    else if (strcmp(l, "pPr") == 0)
        r->in_ppr = 0;
    else if (strcmp(l, "r") == 0)
        rc_run_end(r);
    else if (strcmp(l, "ins") == 0 && r->ins_depth && !r->in_rpr)
        r->ins_depth--;
    else if ((strcmp(l, "del") == 0 || strcmp(l, "moveFrom") == 0) &&
             r->del_depth && !r->in_rpr)
        r->del_depth--;
    else if (strcmp(l, "tc") == 0 && r->tbl_depth == 1 && r->in_tc) {
        r->in_tc = 0;
        disclose_table_cell(&r->t, r->tcol++, r->cell.data ? r->cell.data : "",
                            r->cell.len, 0, &r->acc_vis);
    } else if (strcmp(l, "tr") == 0 && r->tbl_depth == 1) {
        disclose_table_row_end(&r->t);
    } else if (strcmp(l, "tbl") == 0 && r->tbl_depth) {
        if (--r->tbl_depth == 0 && r->t.records) {
            char cols[200];
            struct vigil_disclose_finding *f;

            disclose_table_columns(&r->t, cols, sizeof(cols));
            r->c->res->people_records += r->t.records;
            f = disclose_add(r->c, VIGIL_DK_PEOPLE_RECORDS,
                             r->t.records > r->c->d->policy.max_records
                                 ? VIGIL_DISCLOSE_BLOCK
                                 : VIGIL_DISCLOSE_REVIEW,
                             NULL, NULL, NULL,
                             "Publish counts instead of people's records, or "
                             "remove the personal columns.",
                             "a table ending at paragraph %zu lists %zu "
                             "people's records (columns: %s)",
                             r->para, r->t.records, cols);
            if (f)
                f->count = r->t.records;
        }
    }
}

static void
run_part(struct disclose_ctx *c, struct disclose_zip *z,
         const struct disclose_zip_entry *e, int pptx, const char *sheet,
         int notes, struct disclose_ranges *anchors)
{
    struct run_ctx *r = calloc(1, sizeof(*r));
    struct disclose_xml_cb cb = {rc_start, rc_end, rc_text, r};
    struct vigil_disclose_finding *f;
    struct vigil_err err;
    enum vigil_rc rc;
    char pii[300];
    size_t nf0 = c->res->nfindings;

    if (!r) {
        c->nomem = 1;
        return;
    }
    r->c = c;
    r->pptx = pptx;
    r->anchors = anchors;
    vigil_buf_init(&r->run, 1 << 17);
    vigil_buf_init(&r->cell, 8192);
    vigil_err_clear(&err);
    rc = disclose_xml_entry(c, z, e, &cb, &err);
    if (rc != VIGIL_OK)
        disclose_xml_fail(c, e->name, rc, &err);
    /* Table findings were added without a part: fill it in. */
    for (size_t i = nf0; i < c->res->nfindings; i++)
        if (!c->res->findings[i].part)
            c->res->findings[i].part =
                disclose_strdup(c, e->name, strlen(e->name));
    if (r->ins || r->del) {
        char range[300];
        disclose_acc_describe(&r->acc_del, pii, sizeof(pii));
        snprintf(range, sizeof(range), "paragraph %s",
                 disclose_ranges_str(&r->pins));
        f = disclose_add(
            c, VIGIL_DK_TRACKED_CHANGES,
            (r->acc_del.total) ? VIGIL_DISCLOSE_BLOCK : VIGIL_DISCLOSE_REVIEW,
            e->name, sheet, range, ADVICE_CHANGES,
            "%zu tracked insertion(s) and %zu deletion(s) "
            "remain in the file%s%s%s%s",
            r->ins, r->del, r->alen ? " by " : "", r->authors,
            pii[0] ? "; deleted text holds personal data: " : "", pii);
        if (f) {
            f->count = r->ins + r->del;
            disclose_finding_pii(f, &r->acc_del);
        }
    }
    if (r->hidden_runs) {
        char range[300];
        disclose_acc_describe(&r->acc_hid, pii, sizeof(pii));
        snprintf(range, sizeof(range), "paragraph %s",
                 disclose_ranges_str(&r->phid));
        f = disclose_add(
            c, VIGIL_DK_HIDDEN_TEXT,
            r->acc_hid.total ? VIGIL_DISCLOSE_BLOCK : VIGIL_DISCLOSE_REVIEW,
            e->name, sheet, range, ADVICE_HIDDEN,
            "%zu run(s) of hidden text (formatted as hidden)%s%s",
            r->hidden_runs, pii[0] ? "; personal data: " : "", pii);
        if (f) {
            f->count = r->hidden_runs;
            disclose_finding_pii(f, &r->acc_hid);
        }
    }
    if (r->white_runs || r->tiny_runs) {
        char range[300];
        disclose_acc_describe(&r->acc_white, pii, sizeof(pii));
        snprintf(range, sizeof(range), "paragraph %s",
                 disclose_ranges_str(&r->pwhite));
        f = disclose_add(
            c, r->white_runs ? VIGIL_DK_WHITE_TEXT : VIGIL_DK_TINY_TEXT,
            r->acc_white.total ? VIGIL_DISCLOSE_BLOCK : VIGIL_DISCLOSE_REVIEW,
            e->name, sheet, range,
            "Delete text that is not meant to be read; do not "
            "rely on its colour or size.",
            "%zu run(s) of %s text%s%s", r->white_runs + r->tiny_runs,
            r->white_runs ? "white" : "tiny (under 2 pt)",
            pii[0] ? "; personal data: " : "", pii);
        if (f) {
            f->count = r->white_runs + r->tiny_runs;
            disclose_finding_pii(f, &r->acc_white);
        }
    }
    if (r->hidden_slide) {
        disclose_acc_describe(&r->acc_vis, pii, sizeof(pii));
        f = disclose_add(
            c, VIGIL_DK_HIDDEN_TEXT,
            r->acc_vis.total ? VIGIL_DISCLOSE_BLOCK : VIGIL_DISCLOSE_REVIEW,
            e->name, sheet, NULL, "Delete the hidden slide before publishing.",
            "%s is hidden in the slide show but travels with "
            "the file%s%s",
            sheet ? sheet : "a slide", pii[0] ? "; personal data: " : "", pii);
        if (f)
            disclose_finding_pii(f, &r->acc_vis);
    } else if (notes && r->vis_chars) {
        disclose_acc_describe(&r->acc_vis, pii, sizeof(pii));
        f = disclose_add(c, VIGIL_DK_SPEAKER_NOTES,
                         r->acc_vis.total ? VIGIL_DISCLOSE_BLOCK
                                          : VIGIL_DISCLOSE_REVIEW,
                         e->name, sheet, NULL,
                         "Delete speaker notes or publish as PDF without "
                         "notes.",
                         "speaker notes travel with the presentation%s%s",
                         pii[0] ? "; personal data: " : "", pii);
        if (f)
            disclose_finding_pii(f, &r->acc_vis);
    } else if (r->acc_vis.total) {
        disclose_acc_describe(&r->acc_vis, pii, sizeof(pii));
        f = disclose_add(c, VIGIL_DK_PERSONAL_DATA, VIGIL_DISCLOSE_REVIEW,
                         e->name, sheet, NULL,
                         "Check that every item of personal data may "
                         "lawfully be released; redact what may not.",
                         "visible text holds personal data: %s", pii);
        if (f) {
            f->count = r->acc_vis.total;
            disclose_finding_pii(f, &r->acc_vis);
        }
    }
    vigil_buf_fini(&r->run);
    vigil_buf_fini(&r->cell);
    free(r);
}

/* Comments parts (word/comments.xml, ppt/comments/...): count, authors
 * and personal data in the text. */
struct cmt {
    struct disclose_ctx *c;
    size_t n;
    int depth_in;
    struct vigil_buf text;
    struct disclose_acc acc;
    char authors[200];
    size_t alen;
};

static void
cmt_start(void *arg, const char *name, const char **atts)
{
    struct cmt *m = arg;
    const char *l = disclose_local(name);

    if (strcmp(l, "comment") == 0 || strcmp(l, "cm") == 0) {
        const char *a = disclose_attr(atts, "author");
        m->n++;
        if (a && !strstr(m->authors, a) &&
            m->alen + strlen(a) + 6 < sizeof(m->authors))
            m->alen += (size_t)snprintf(m->authors + m->alen,
                                        sizeof(m->authors) - m->alen, "%s'%s'",
                                        m->alen ? ", " : "", a);
    }
}

static void
cmt_text(void *arg, const char *s, int len)
{
    struct cmt *m = arg;

    if (m->text.len < (1u << 20))
        vigil_buf_append(&m->text, s, (size_t)len);
}

static void
cmt_end(void *arg, const char *name)
{
    struct cmt *m = arg;
    const char *l = disclose_local(name);

    if ((strcmp(l, "p") == 0 || strcmp(l, "comment") == 0 ||
         strcmp(l, "cm") == 0) &&
        m->text.len) {
        disclose_scan(m->c, m->text.data, m->text.len, &m->acc);
        vigil_buf_reset(&m->text);
    }
}

static void
comments_part(struct disclose_ctx *c, struct disclose_zip *z,
              const struct disclose_zip_entry *e,
              struct disclose_ranges *anchors)
{
    char where[300];

    struct cmt m;
    struct disclose_xml_cb cb = {cmt_start, cmt_end, cmt_text, &m};
    struct vigil_err err;
    enum vigil_rc rc;
    char pii[300];

    memset(&m, 0, sizeof(m));
    m.c = c;
    vigil_buf_init(&m.text, 1 << 20);
    vigil_err_clear(&err);
    rc = disclose_xml_entry(c, z, e, &cb, &err);
    if (rc != VIGIL_OK)
        disclose_xml_fail(c, e->name, rc, &err);
    where[0] = 0;
    if (anchors && anchors->count)
        snprintf(where, sizeof(where), "paragraph %s",
                 disclose_ranges_str(anchors));
    if (m.n) {
        struct vigil_disclose_finding *f;
        disclose_acc_describe(&m.acc, pii, sizeof(pii));
        f = disclose_add(
            c, VIGIL_DK_COMMENTS,
            m.acc.total ? VIGIL_DISCLOSE_BLOCK : VIGIL_DISCLOSE_REVIEW, e->name,
            NULL, where[0] ? where : NULL, ADVICE_COMMENTS,
            "%zu comment(s)%s%s%s%s", m.n, m.alen ? " by " : "", m.authors,
            pii[0] ? "; personal data: " : "", pii);
        if (f) {
            f->count = m.n;
            disclose_finding_pii(f, &m.acc);
        }
    }
    vigil_buf_fini(&m.text);
}

static int
part_like(const char *n, const char *prefix, const char *suffix)
{
    size_t a = strlen(n), p = strlen(prefix), s = strlen(suffix);

    return a >= p + s && strncmp(n, prefix, p) == 0 &&
           strcmp(n + a - s, suffix) == 0 && !strchr(n + p, '/');
}

void
disclose_docx(struct disclose_ctx *c, struct disclose_zip *z)
{
    const struct disclose_zip_entry *e;
    struct disclose_ranges anchors;

    memset(&anchors, 0, sizeof(anchors));
    e = disclose_zip_find(z, "word/document.xml");
    if (e)
        run_part(c, z, e, 0, NULL, 0, &anchors);
    for (size_t i = 0; i < z->n && !c->nomem; i++) {
        const char *n = z->e[i].name;
        /* What the package says a part is, or where Word puts it. */
        enum disclose_pk k = disclose_pkg_kind(c, z, &z->e[i]);
        if (k == DISCLOSE_PK_TEXT || part_like(n, "word/header", ".xml") ||
            part_like(n, "word/footer", ".xml") ||
            strcmp(n, "word/footnotes.xml") == 0 ||
            strcmp(n, "word/endnotes.xml") == 0)
            run_part(c, z, &z->e[i], 0, NULL, 0, NULL);
        else if (k == DISCLOSE_PK_COMMENTS ||
                 strcmp(n, "word/comments.xml") == 0)
            comments_part(c, z, &z->e[i], &anchors);
    }
}

void
disclose_pptx(struct disclose_ctx *c, struct disclose_zip *z)
{
    for (size_t i = 0; i < z->n && !c->nomem; i++) {
        const char *n = z->e[i].name;
        enum disclose_pk k = disclose_pkg_kind(c, z, &z->e[i]);
        char label[64];

        if (part_like(n, "ppt/slides/slide", ".xml")) {
            snprintf(label, sizeof(label), "slide %.*s", (int)(strlen(n) - 20),
                     n + 16);
            run_part(c, z, &z->e[i], 1, label, 0, NULL);
        } else if (k == DISCLOSE_PK_SLIDE) {
            /* A slide stored where PowerPoint would not put it. */
            run_part(c, z, &z->e[i], 1, "slide", 0, NULL);
        } else if (part_like(n, "ppt/notesSlides/notesSlide", ".xml")) {
            snprintf(label, sizeof(label), "notes %.*s", (int)(strlen(n) - 30),
                     n + 26);
            run_part(c, z, &z->e[i], 1, label, 1, NULL);
        } else if (k == DISCLOSE_PK_NOTES) {
            run_part(c, z, &z->e[i], 1, "notes", 1, NULL);
        } else if (k == DISCLOSE_PK_COMMENTS ||
                   part_like(n, "ppt/comments/", ".xml")) {
            comments_part(c, z, &z->e[i], NULL);
        }
    }
}
