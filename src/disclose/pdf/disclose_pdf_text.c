/* disclose_pdf_text.c -- a small, bounded interpreter for page content
 * streams that recovers the text a reader would see and the text that is
 * there but not visible.
 *
 * It tracks only what decides visibility and words: the font and size
 * (Tf, with the text and graphics matrices' scale), the render mode (Tr),
 * the fill colour (g, rg, k, sc, scn), q/Q, marked content for optional
 * content groups (BDC/EMC), and Form XObjects (Do). Text shown while the
 * render mode is 3 or 7, the fill is white, the size is under 1pt, or an
 * "off" layer is open goes to the hidden stream.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disclose/pdf/disclose_pdf_int.h"

#define MAX_OPS    16
#define MAX_GSTACK 32
#define MAX_MC     64
/* Content bytes interpreted per page, forms included: stops a form that
 * draws itself thousands of times from costing unbounded time. */
#define PAGE_BUDGET (64u << 20)
/* One shown string decodes to at most this much text. */
#define SHOW_MAX        (1u << 20)
#define MAX_DO_PER_PAGE 10000

struct gstate {
    const struct pdf_font *font;
    double size;
    double ctm_scale;
    int render;
    int white;
};

struct operand {
    char type; /* 'f' number, 's' literal, 'x' hex, 'n' name, 'a' array */
    double num;
    size_t off, len;
};

struct run {
    struct pdf_ctx *c;
    struct vigil_buf *vis, *hid, *tmp, *arr;
    struct gstate gs, stack[MAX_GSTACK];
    int sp;
    double tm_scale, tm_y;
    unsigned char mc[MAX_MC]; /* 1 = this marked-content level hides */
    int mcsp, mc_hidden;
    int depth;
    int ndo;
    size_t *budget;
    /* A few font lookups remembered per resource dictionary. */
    char fname[8][32];
    const struct pdf_font *fcache[8];
    int nf;
};

static int
is_ws(uint8_t ch)
{
    return ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t' || ch == '\f' ||
           ch == 0;
}

static int
is_delim(uint8_t ch)
{
    return ch == '(' || ch == ')' || ch == '<' || ch == '>' || ch == '[' ||
           ch == ']' || ch == '{' || ch == '}' || ch == '/' || ch == '%';
}

/* Appends, refusing (not failing) past the buffer's bound: vigil_buf
 * frees itself on overflow, which would lose the page so far. */
static void
put(struct vigil_buf *b, const char *s, size_t n)
{
    if (n == 0 || b->len + n + 1 > b->max)
        return;
    (void)vigil_buf_append(b, s, n);
}

static void
sep(struct run *r, char ch)
{
    struct vigil_buf *bs[2] = {r->vis, r->hid};
    int k;

    for (k = 0; k < 2; k++) {
        struct vigil_buf *b = bs[k];
        if (b->len > 0 && b->data[b->len - 1] != ' ' &&
            b->data[b->len - 1] != '\n')
            put(b, &ch, 1);
        else if (b->len > 0 && ch == '\n' && b->data[b->len - 1] == ' ')
            b->data[b->len - 1] = '\n';
    }
}

/* Literal string bytes (escapes resolved) appended to out. */
static void
unescape(const uint8_t *p, size_t n, struct vigil_buf *out)
{
    size_t i = 0;

    while (i < n) {
        uint8_t ch = p[i++];
        if (ch != '\\' || i >= n) {
            put(out, (const char *)&ch, 1);
            continue;
        }
        ch = p[i++];
        switch (ch) {
        case 'n':
            ch = '\n';
            break;
        case 'r':
            ch = '\r';
            break;
        case 't':
            ch = '\t';
            break;
        case 'b':
            ch = '\b';
            break;
        case 'f':
            ch = '\f';
            break;
        case '\r':
            if (i < n && p[i] == '\n')
                i++;
            continue;
        case '\n':
            continue;
        default:
            if (ch >= '0' && ch <= '7') {
                unsigned v = (unsigned)(ch - '0');
                int k;
                for (k = 0; k < 2 && i < n && p[i] >= '0' && p[i] <= '7'; k++)
                    v = v * 8 + (unsigned)(p[i++] - '0');
                ch = (uint8_t)v;
            }
        }
        put(out, (const char *)&ch, 1);
    }
}

static int
hexv(uint8_t ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch |= 0x20;
    return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

static void
unhex(const uint8_t *p, size_t n, struct vigil_buf *out)
{
    size_t i;
    int hi = -1;

    for (i = 0; i < n; i++) {
        int h = hexv(p[i]);
        if (h < 0)
            continue;
        if (hi < 0) {
            hi = h;
        } else {
            char b = (char)(hi * 16 + h);
            put(out, &b, 1);
            hi = -1;
        }
    }
    if (hi >= 0) {
        char b = (char)(hi * 16);
        put(out, &b, 1);
    }
}

/* Decodes string operand o through the current font into r->tmp. */
static void
decode_string(struct run *r, const uint8_t *p, const struct operand *o,
              struct vigil_buf *dst)
{
    struct vigil_buf raw;

    vigil_buf_init(&raw, SHOW_MAX);
    if (o->type == 's')
        unescape(p + o->off, o->len, &raw);
    else
        unhex(p + o->off, o->len, &raw);
    if (raw.len > 0 && r->gs.font != NULL)
        disclose_pdf_font_decode(r->gs.font, (const uint8_t *)raw.data, raw.len,
                                 dst);
    vigil_buf_fini(&raw);
}

static unsigned
hidden_now(const struct run *r)
{
    unsigned why = 0;
    double eff = fabs(r->gs.size) * r->tm_scale * r->gs.ctm_scale;

    if (r->gs.render == 3 || r->gs.render == 7)
        why |= PDF_HIDE_INVISIBLE;
    if (r->gs.white && (r->gs.render == 0 || r->gs.render == 4))
        why |= PDF_HIDE_WHITE;
    if (eff < 1.0)
        why |= PDF_HIDE_TINY;
    if (r->mc_hidden > 0)
        why |= PDF_HIDE_LAYER;
    return why;
}

/* Moves decoded text from tmp to the visible or hidden stream. */
static void
emit(struct run *r, struct vigil_buf *text)
{
    unsigned why;

    if (text->len == 0)
        return;
    why = hidden_now(r);
    if (why) {
        put(r->hid, text->data, text->len);
        r->c->hidden_chars += text->len;
        r->c->hidden_why |= why;
    } else {
        put(r->vis, text->data, text->len);
    }
    vigil_buf_reset(text);
}

static const struct pdf_font *
font_named(struct run *r, qpdf_oh res, const uint8_t *name, size_t n)
{
    qpdf_data q = r->c->q;
    char key[34];
    qpdf_oh fonts, fo;
    const struct pdf_font *f;
    int k;

    if (n == 0 || n > 31)
        return NULL;
    for (k = 0; k < r->nf; k++)
        if (strlen(r->fname[k]) == n && memcmp(r->fname[k], name, n) == 0)
            return r->fcache[k];
    key[0] = '/';
    memcpy(key + 1, name, n);
    key[n + 1] = '\0';
    fonts = qpdf_oh_get_key_if_dict(q, res, "/Font");
    fo = qpdf_oh_get_key_if_dict(q, fonts, key);
    f = disclose_pdf_font_get(r->c, fo);
    qpdf_oh_release(q, fo);
    qpdf_oh_release(q, fonts);
    (void)disclose_pdf_qerr(r->c, "font");
    k = r->nf < 8 ? r->nf++ : 7;
    memcpy(r->fname[k], name, n);
    r->fname[k][n] = '\0';
    r->fcache[k] = f;
    return f;
}

/* Is the marked content named by /OC /name (a Properties entry) an
 * optional content group that is switched off? */
static int
oc_off(struct run *r, qpdf_oh res, const uint8_t *name, size_t n)
{
    qpdf_data q = r->c->q;
    char key[66];
    qpdf_oh props, ocg;
    uint32_t id;
    size_t k;
    int off = 0;

    if (r->c->noff_ocgs == 0 || n == 0 || n > 64)
        return 0;
    key[0] = '/';
    memcpy(key + 1, name, n);
    key[n + 1] = '\0';
    props = qpdf_oh_get_key_if_dict(q, res, "/Properties");
    ocg = qpdf_oh_get_key_if_dict(q, props, key);
    if (qpdf_oh_is_indirect(q, ocg)) {
        id = (uint32_t)qpdf_oh_get_object_id(q, ocg);
        for (k = 0; k < r->c->noff_ocgs; k++)
            if (r->c->off_ocgs[k] == id)
                off = 1;
    }
    qpdf_oh_release(q, ocg);
    qpdf_oh_release(q, props);
    (void)disclose_pdf_qerr(r->c, "optional content");
    return off;
}

static void run_content(struct run *r, const uint8_t *p, size_t n, qpdf_oh res);

static void
do_xobject(struct run *r, qpdf_oh res, const uint8_t *name, size_t n)
{
    struct pdf_ctx *c = r->c;
    qpdf_data q = c->q;
    char key[66];
    qpdf_oh xos, xo, xd, fres;
    unsigned char *data;
    size_t len = 0;

    if (n == 0 || n > 64 || r->depth >= PDF_MAX_FORM_DEPTH || *r->budget == 0)
        return;
    /* Each lookup holds qpdf handles until the page ends, so the number
     * of XObjects drawn per page is capped. */
    if (++r->ndo > MAX_DO_PER_PAGE) {
        if (r->ndo == MAX_DO_PER_PAGE + 1)
            disclose_pdf_damage(c, "content",
                                "more than %d XObjects drawn on one page; "
                                "the rest were not read",
                                MAX_DO_PER_PAGE);
        return;
    }
    key[0] = '/';
    memcpy(key + 1, name, n);
    key[n + 1] = '\0';
    xos = qpdf_oh_get_key_if_dict(q, res, "/XObject");
    xo = qpdf_oh_get_key_if_dict(q, xos, key);
    xd = qpdf_oh_is_stream(q, xo) ? qpdf_oh_get_dict(q, xo) : xo;
    if (qpdf_oh_is_stream(q, xo) &&
        qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q, xd, "/Subtype"),
                                   "/Form")) {
        data = disclose_pdf_stream(c, xo, "form", &len);
        if (data != NULL) {
            struct gstate saved = r->gs;
            double tms = r->tm_scale;
            fres = qpdf_oh_get_key(q, xd, "/Resources");
            if (!qpdf_oh_is_dictionary(q, fres))
                fres = res;
            r->depth++;
            r->nf = 0; /* font names are local to the form's resources */
            run_content(r, data, len, fres);
            r->depth--;
            r->nf = 0;
            r->gs = saved;
            r->tm_scale = tms;
            free(data);
        }
    }
    qpdf_oh_release(q, xo);
    qpdf_oh_release(q, xos);
    (void)disclose_pdf_qerr(c, "form");
}

static int
opis(const uint8_t *p, size_t n, const char *op)
{
    return n == strlen(op) && memcmp(p, op, n) == 0;
}

static double
num(const struct operand *ops, int nops, int from_end)
{
    int k = nops - from_end;

    return k >= 0 && ops[k].type == 'f' ? ops[k].num : 0.0;
}

static int
all_nums(const struct operand *ops, int nops, int want)
{
    int k;

    if (nops < want)
        return 0;
    for (k = nops - want; k < nops; k++)
        if (ops[k].type != 'f')
            return 0;
    return 1;
}

static void
set_fill(struct run *r, const struct operand *ops, int nops)
{
    int k, cnt = 0;

    for (k = nops - 1; k >= 0 && ops[k].type == 'f' && cnt < 4; k--)
        cnt++;
    if (cnt == 1)
        r->gs.white = num(ops, nops, 1) >= 0.99;
    else if (cnt == 3)
        r->gs.white = num(ops, nops, 1) >= 0.99 && num(ops, nops, 2) >= 0.99 &&
                      num(ops, nops, 3) >= 0.99;
    else if (cnt == 4)
        r->gs.white = num(ops, nops, 1) <= 0.01 && num(ops, nops, 2) <= 0.01 &&
                      num(ops, nops, 3) <= 0.01 && num(ops, nops, 4) <= 0.01;
    else
        r->gs.white = 0; /* a pattern or unknown space: assume visible */
}

static void
operator(struct run *r, const uint8_t *p, const uint8_t *op, size_t n,
         struct operand *ops, int nops, qpdf_oh res)
{
    if (opis(op, n, "BT")) {
        r->tm_scale = 1.0;
        r->tm_y = 0;
    } else if (opis(op, n, "ET")) {
        sep(r, '\n');
    } else if (opis(op, n, "Tf") && nops >= 2 && ops[nops - 2].type == 'n') {
        r->gs.font =
            font_named(r, res, p + ops[nops - 2].off, ops[nops - 2].len);
        r->gs.size = num(ops, nops, 1);
    } else if (opis(op, n, "Tr") && nops >= 1) {
        r->gs.render = (int)num(ops, nops, 1);
    } else if (opis(op, n, "g") || opis(op, n, "rg") || opis(op, n, "k") ||
               opis(op, n, "sc") || opis(op, n, "scn")) {
        set_fill(r, ops, nops);
    } else if (opis(op, n, "q")) {
        if (r->sp < MAX_GSTACK)
            r->stack[r->sp] = r->gs;
        r->sp++;
    } else if (opis(op, n, "Q")) {
        if (r->sp > 0 && --r->sp < MAX_GSTACK)
            r->gs = r->stack[r->sp];
    } else if (opis(op, n, "cm") && all_nums(ops, nops, 6)) {
        double det = num(ops, nops, 6) * num(ops, nops, 3) -
                     num(ops, nops, 5) * num(ops, nops, 4);
        double s = r->gs.ctm_scale * sqrt(fabs(det));
        r->gs.ctm_scale = isfinite(s) ? s : 1.0;
    } else if (opis(op, n, "Tm") && all_nums(ops, nops, 6)) {
        double det = num(ops, nops, 6) * num(ops, nops, 3) -
                     num(ops, nops, 5) * num(ops, nops, 4);
        double y = num(ops, nops, 1);
        r->tm_scale = isfinite(det) ? sqrt(fabs(det)) : 1.0;
        sep(r, fabs(y - r->tm_y) > 0.01 ? '\n' : ' ');
        r->tm_y = y;
    } else if ((opis(op, n, "Td") || opis(op, n, "TD")) && nops >= 2) {
        sep(r, num(ops, nops, 1) != 0.0 ? '\n' : ' ');
    } else if (opis(op, n, "T*")) {
        sep(r, '\n');
    } else if (opis(op, n, "Tj") || opis(op, n, "'") || opis(op, n, "\"")) {
        if (op[0] != 'T')
            sep(r, '\n');
        if (nops >= 1 &&
            (ops[nops - 1].type == 's' || ops[nops - 1].type == 'x')) {
            decode_string(r, p, &ops[nops - 1], r->tmp);
            emit(r, r->tmp);
        }
    } else if (opis(op, n, "TJ")) {
        emit(r, r->arr);
    } else if (opis(op, n, "Do") && nops >= 1 && ops[nops - 1].type == 'n') {
        do_xobject(r, res, p + ops[nops - 1].off, ops[nops - 1].len);
    } else if (opis(op, n, "BMC") || opis(op, n, "BDC")) {
        int off = 0;
        if (opis(op, n, "BDC") && nops >= 2 && ops[nops - 2].type == 'n' &&
            opis(p + ops[nops - 2].off, ops[nops - 2].len, "OC") &&
            ops[nops - 1].type == 'n')
            off = oc_off(r, res, p + ops[nops - 1].off, ops[nops - 1].len);
        if (r->mcsp < MAX_MC)
            r->mc[r->mcsp] = (unsigned char)off;
        r->mcsp++;
        r->mc_hidden += off;
    } else if (opis(op, n, "EMC")) {
        if (r->mcsp > 0) {
            r->mcsp--;
            if (r->mcsp < MAX_MC)
                r->mc_hidden -= r->mc[r->mcsp];
        }
    }
    if (!opis(op, n, "TJ"))
        vigil_buf_reset(r->arr);
}

/* Skips an inline image's data: from after "ID" to "EI" standing alone. */
static size_t
skip_inline_image(const uint8_t *p, size_t n, size_t i)
{
    for (; i + 2 <= n; i++)
        if (p[i] == 'E' && p[i + 1] == 'I' && i > 0 && is_ws(p[i - 1]) &&
            (i + 2 == n || is_ws(p[i + 2]) || is_delim(p[i + 2])))
            return i + 2;
    return n;
}

static double
parse_num(const uint8_t *s, size_t n)
{
    double v = 0, scale = 0.1;
    size_t i = 0;
    int neg = 0, frac = 0;

    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    for (; i < n; i++) {
        if (s[i] == '.') {
            frac = 1;
        } else if (s[i] >= '0' && s[i] <= '9') {
            if (frac) {
                v += (s[i] - '0') * scale;
                scale /= 10;
            } else if (v < 1e15) {
                v = v * 10 + (s[i] - '0');
            }
        }
    }
    return neg ? -v : v;
}

static void
run_content(struct run *r, const uint8_t *p, size_t n, qpdf_oh res)
{
    struct operand ops[MAX_OPS];
    int nops = 0, arr_depth = 0, dict_depth = 0;
    size_t i = 0;

    /* Every run costs at least a little, so empty forms drawn over and
     * over still use the budget up. */
    if (n + 256 > *r->budget) {
        if (*r->budget > 0)
            disclose_pdf_damage(r->c, "content",
                                "content over the interpretation budget; "
                                "text is incomplete");
        n = *r->budget > 256 ? *r->budget - 256 : 0;
        *r->budget = 0;
        if (n == 0)
            return;
    } else {
        *r->budget -= n + 256;
    }
    vigil_buf_reset(r->arr);
    while (i < n) {
        uint8_t ch = p[i];
        struct operand o;

        memset(&o, 0, sizeof(o));
        if (is_ws(ch)) {
            i++;
            continue;
        }
        if (ch == '%') {
            while (i < n && p[i] != '\n' && p[i] != '\r')
                i++;
            continue;
        }
        if (ch == '(') {
            int nest = 1;
            size_t s = ++i;
            while (i < n && nest > 0) {
                if (p[i] == '\\')
                    i++;
                else if (p[i] == '(')
                    nest++;
                else if (p[i] == ')')
                    nest--;
                i++;
            }
            if (i > n)
                i = n;
            o.type = 's';
            o.off = s;
            o.len = (nest == 0 ? i - 1 : i) - s;
        } else if (ch == '<' && i + 1 < n && p[i + 1] == '<') {
            dict_depth++;
            i += 2;
            continue;
        } else if (ch == '>' && i + 1 < n && p[i + 1] == '>') {
            if (dict_depth > 0)
                dict_depth--;
            i += 2;
            if (dict_depth == 0)
                o.type = 'd';
            else
                continue;
        } else if (ch == '<') {
            size_t s = ++i;
            while (i < n && p[i] != '>')
                i++;
            o.type = 'x';
            o.off = s;
            o.len = i - s;
            if (i < n)
                i++;
        } else if (ch == '[') {
            arr_depth++;
            if (arr_depth == 1 && dict_depth == 0)
                vigil_buf_reset(r->arr);
            i++;
            continue;
        } else if (ch == ']') {
            if (arr_depth > 0)
                arr_depth--;
            i++;
            if (arr_depth > 0)
                continue;
            o.type = 'a';
        } else if (ch == '/') {
            size_t s = ++i;
            while (i < n && !is_ws(p[i]) && !is_delim(p[i]))
                i++;
            o.type = 'n';
            o.off = s;
            o.len = i - s;
        } else if (ch == '{' || ch == '}' || ch == ')' || ch == '>') {
            i++;
            continue;
        } else {
            size_t s = i;
            while (i < n && !is_ws(p[i]) && !is_delim(p[i]))
                i++;
            if (i == s)
                i++;
            if ((p[s] >= '0' && p[s] <= '9') || p[s] == '-' || p[s] == '+' ||
                p[s] == '.') {
                o.type = 'f';
                o.num = parse_num(p + s, i - s);
            } else if (dict_depth > 0) {
                continue;
            } else if (arr_depth > 0) {
                continue; /* true/false/null inside an array */
            } else {
                if (opis(p + s, i - s, "BI")) {
                    size_t k = i;
                    while (k + 2 <= n && !(p[k] == 'I' && p[k + 1] == 'D' &&
                                           is_ws(p[k - 1]) &&
                                           (k + 2 == n || is_ws(p[k + 2]))))
                        k++;
                    i = skip_inline_image(p, n, k + 2 < n ? k + 3 : n);
                    nops = 0;
                    continue;
                }
                operator(r, p, p + s, i - s, ops, nops, res);
                nops = 0;
                continue;
            }
        }
        if (dict_depth > 0)
            continue;
        if (arr_depth > 0) {
            /* Inside a TJ array: strings are text, big negative
             * adjustments are the gaps between words. */
            if (o.type == 's' || o.type == 'x') {
                decode_string(r, p, &o, r->arr);
            } else if (o.type == 'f' && o.num < -180 && r->arr->len > 0 &&
                       r->arr->data[r->arr->len - 1] != ' ') {
                put(r->arr, " ", 1);
            }
            continue;
        }
        if (nops == MAX_OPS) {
            memmove(ops, ops + 1, (MAX_OPS - 1) * sizeof(ops[0]));
            nops--;
        }
        ops[nops++] = o;
    }
}

void
disclose_pdf_page_text(struct pdf_ctx *c, qpdf_oh page, int pageno)
{
    qpdf_data q = c->q;
    struct vigil_buf vis, hid, tmp, arr, all;
    struct run r;
    char loc[48];
    size_t budget =
        c->content_budget < PAGE_BUDGET ? c->content_budget : PAGE_BUDGET;
    size_t start_budget = budget;
    size_t cap = c->lim.max_text_bytes;
    qpdf_oh res, contents;
    int k, nc;

    snprintf(loc, sizeof(loc), "page %d", pageno);
    if (cap > ((size_t)64 << 20))
        cap = (size_t)64 << 20;
    vigil_buf_init(&vis, cap + 1);
    vigil_buf_init(&hid, cap + 1);
    vigil_buf_init(&tmp, SHOW_MAX);
    vigil_buf_init(&arr, SHOW_MAX);
    vigil_buf_init(&all, c->lim.max_stream_bytes + 2);
    memset(&r, 0, sizeof(r));
    r.c = c;
    r.vis = &vis;
    r.hid = &hid;
    r.tmp = &tmp;
    r.arr = &arr;
    r.gs.size = 12;
    r.gs.ctm_scale = 1.0;
    r.tm_scale = 1.0;
    r.budget = &budget;
    c->hidden_chars = 0;
    c->hidden_why = 0;

    res = qpdf_oh_get_key(q, page, "/Resources");
    contents = qpdf_oh_get_key(q, page, "/Contents");
    /* Page content may be split over several streams at any token
     * boundary, so they are joined before interpreting. */
    nc = qpdf_oh_is_array(q, contents) ? qpdf_oh_get_array_n_items(q, contents)
                                       : 1;
    for (k = 0; k < nc && k < 10000; k++) {
        qpdf_oh s = qpdf_oh_is_array(q, contents)
                        ? qpdf_oh_get_array_item(q, contents, k)
                        : contents;
        unsigned char *data;
        size_t len = 0;

        if (!qpdf_oh_is_stream(q, s))
            continue;
        data = disclose_pdf_stream(c, s, loc, &len);
        if (data != NULL) {
            if (all.len + len + 1 > all.max)
                disclose_pdf_damage(c, loc,
                                    "page content larger than %zu "
                                    "bytes; text is incomplete",
                                    c->lim.max_stream_bytes);
            else {
                put(&all, (const char *)data, len);
                put(&all, "\n", 1);
            }
            free(data);
        }
    }
    (void)disclose_pdf_qerr(c, loc);
    if (all.len > 0)
        run_content(&r, (const uint8_t *)all.data, all.len, res);
    c->content_budget -= start_budget - budget;
    if (vis.len > 0)
        disclose_pdf_text_out(c, loc, vis.data, vis.len, 0);
    if (hid.len > 0)
        disclose_pdf_text_out(c, loc, hid.data, hid.len, 1);
    if (c->hidden_chars > 0) {
        static const char *const why_text[] = {
            "invisible render mode", "white text", "font size under 1pt",
            "inside a hidden layer"};
        char why[128];
        size_t wl = 0;
        for (k = 0; k < 4; k++) {
            if (!(c->hidden_why & (1u << k)))
                continue;
            int w = snprintf(why + wl, sizeof(why) - wl, "%s%s", wl ? ", " : "",
                             why_text[k]);
            if (w > 0 && (size_t)w < sizeof(why) - wl)
                wl += (size_t)w;
        }
        disclose_pdf_finding(c, PDF_F_HIDDEN_TEXT, loc,
                             "%zu bytes of text a reader does not see (%s)",
                             c->hidden_chars, why);
    }
    vigil_buf_fini(&vis);
    vigil_buf_fini(&hid);
    vigil_buf_fini(&tmp);
    vigil_buf_fini(&arr);
    vigil_buf_fini(&all);
}
