/* disclose_pdf_font.c -- turns the bytes of PDF text strings into
 * Unicode: ToUnicode CMaps (bfchar/bfrange, codespace ranges) for any
 * font, and WinAnsi/Standard encodings with /Differences glyph names for
 * simple fonts. Fonts are parsed once per document and cached by object
 * number, since every page of a report uses the same few fonts.
 */
#include <stdlib.h>
#include <string.h>

#include "disclose/pdf/disclose_pdf_int.h"

/* ------------------------------------------------------------------ */
/* Encodings                                                            */
/* ------------------------------------------------------------------ */

/* WinAnsiEncoding 0x80..0x9f (the rest is ASCII and Latin-1). */
static const uint16_t winansi_80[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

static void
enc_winansi(uint16_t enc[256])
{
    int k;

    memset(enc, 0, 256 * sizeof(enc[0]));
    for (k = 0x20; k < 0x7f; k++)
        enc[k] = (uint16_t)k;
    for (k = 0x80; k < 0xa0; k++)
        enc[k] = winansi_80[k - 0x80];
    for (k = 0xa0; k < 0x100; k++)
        enc[k] = (uint16_t)k;
}

static void
enc_standard(uint16_t enc[256])
{
    int k;

    memset(enc, 0, 256 * sizeof(enc[0]));
    for (k = 0x20; k < 0x7f; k++)
        enc[k] = (uint16_t)k;
    enc[0x27] = 0x2019;
    enc[0x60] = 0x2018;
    enc[0xae] = 0xfb01;
    enc[0xaf] = 0xfb02;
    enc[0xb1] = 0x2013;
    enc[0xd0] = 0x2014;
}

/* Glyph names that ordinary documents use; single letters map to
 * themselves, "uniXXXX" and "uXXXX" to their code point. */
static const struct {
    const char *name;
    uint16_t cp;
} glyphs[] = {
    {"space", ' '},
    {"exclam", '!'},
    {"quotedbl", '"'},
    {"numbersign", '#'},
    {"dollar", '$'},
    {"percent", '%'},
    {"ampersand", '&'},
    {"quotesingle", '\''},
    {"quoteright", 0x2019},
    {"parenleft", '('},
    {"parenright", ')'},
    {"asterisk", '*'},
    {"plus", '+'},
    {"comma", ','},
    {"hyphen", '-'},
    {"minus", '-'},
    {"period", '.'},
    {"slash", '/'},
    {"zero", '0'},
    {"one", '1'},
    {"two", '2'},
    {"three", '3'},
    {"four", '4'},
    {"five", '5'},
    {"six", '6'},
    {"seven", '7'},
    {"eight", '8'},
    {"nine", '9'},
    {"colon", ':'},
    {"semicolon", ';'},
    {"less", '<'},
    {"equal", '='},
    {"greater", '>'},
    {"question", '?'},
    {"at", '@'},
    {"bracketleft", '['},
    {"backslash", '\\'},
    {"bracketright", ']'},
    {"asciicircum", '^'},
    {"underscore", '_'},
    {"grave", '`'},
    {"quoteleft", 0x2018},
    {"braceleft", '{'},
    {"bar", '|'},
    {"braceright", '}'},
    {"asciitilde", '~'},
    {"endash", 0x2013},
    {"emdash", 0x2014},
    {"quotedblleft", 0x201C},
    {"quotedblright", 0x201D},
    {"bullet", 0x2022},
    {"fi", 0xFB01},
    {"fl", 0xFB02},
    {"ff", 0xFB00},
    {"ffi", 0xFB03},
    {"ffl", 0xFB04},
    {"dotlessi", 0x0131},
    {"germandbls", 0x00DF},
    {"sterling", 0x00A3},
    {"Euro", 0x20AC},
    {"eacute", 0x00E9},
    {"egrave", 0x00E8},
    {"agrave", 0x00E0},
    {"ccedilla", 0x00E7},
    {"odieresis", 0x00F6},
    {"udieresis", 0x00FC},
    {"adieresis", 0x00E4},
    {"Eacute", 0x00C9},
    {"nbspace", 0x00A0},
};

static int
hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch |= 0x20;
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

static uint16_t
glyph_cp(const char *n)
{
    size_t k, len = strlen(n);

    if (len == 1 &&
        ((n[0] >= 'a' && n[0] <= 'z') || (n[0] >= 'A' && n[0] <= 'Z')))
        return (uint16_t)n[0];
    if ((len == 7 && memcmp(n, "uni", 3) == 0) || (len == 5 && n[0] == 'u')) {
        unsigned v = 0;
        for (k = len - 4; k < len; k++) {
            int h = hexval((unsigned char)n[k]);
            if (h < 0)
                return 0;
            v = v * 16 + (unsigned)h;
        }
        return (uint16_t)v;
    }
    for (k = 0; k < sizeof(glyphs) / sizeof(glyphs[0]); k++)
        if (strcmp(glyphs[k].name, n) == 0)
            return glyphs[k].cp;
    return 0;
}

/* ------------------------------------------------------------------ */
/* ToUnicode CMaps                                                      */
/* ------------------------------------------------------------------ */

struct cm_tok {
    int type; /* 0 end, 'h' hex string, 'k' keyword, '[' ']', 'n' other */
    uint8_t b[8];
    size_t nb;   /* bytes of a hex string (up to 8 kept) */
    size_t full; /* bytes it really had */
    const uint8_t *s;
    size_t slen;
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

static size_t
cm_next(const uint8_t *p, size_t n, size_t i, struct cm_tok *t)
{
    memset(t, 0, sizeof(*t));
    for (;;) {
        while (i < n && is_ws(p[i]))
            i++;
        if (i < n && p[i] == '%') {
            while (i < n && p[i] != '\n' && p[i] != '\r')
                i++;
            continue;
        }
        break;
    }
    if (i >= n)
        return i;
    if (p[i] == '<' && (i + 1 >= n || p[i + 1] != '<')) {
        int hi = -1;
        i++;
        t->type = 'h';
        for (; i < n && p[i] != '>'; i++) {
            int h = hexval(p[i]);
            if (h < 0)
                continue;
            if (hi < 0) {
                hi = h;
                continue;
            }
            if (t->nb < sizeof(t->b))
                t->b[t->nb++] = (uint8_t)(hi * 16 + h);
            t->full++;
            hi = -1;
        }
        if (hi >= 0) { /* odd digit count: a trailing 0 is implied */
            if (t->nb < sizeof(t->b))
                t->b[t->nb++] = (uint8_t)(hi * 16);
            t->full++;
        }
        return i < n ? i + 1 : i;
    }
    if (p[i] == '[' || p[i] == ']') {
        t->type = p[i];
        return i + 1;
    }
    t->type = 'n';
    t->s = p + i;
    if (p[i] == '/' || p[i] == '<' || p[i] == '>' || is_delim(p[i]))
        i++;
    while (i < n && !is_ws(p[i]) && !is_delim(p[i]))
        i++;
    t->slen = (size_t)(p + i - t->s);
    if (t->slen > 0 && ((t->s[0] >= 'a' && t->s[0] <= 'z') ||
                        (t->s[0] >= 'A' && t->s[0] <= 'Z')))
        t->type = 'k';
    return i;
}

static int
kw(const struct cm_tok *t, const char *w)
{
    return t->type == 'k' && t->slen == strlen(w) &&
           memcmp(t->s, w, t->slen) == 0;
}

static uint32_t
tok_code(const struct cm_tok *t)
{
    uint32_t v = 0;
    size_t k;

    for (k = 0; k < t->nb && k < 4; k++)
        v = (v << 8) | t->b[k];
    return v;
}

static int
add_entry(struct pdf_font *f, size_t *cap, uint32_t lo, uint32_t hi,
          uint8_t nbytes, const struct cm_tok *dst)
{
    struct pdf_cmap_entry *e;
    size_t k;

    if (f->nmap >= PDF_MAX_CMAP_ENTRIES || hi < lo || dst->nb < 2)
        return 0;
    if (vigil_grow(&f->map, cap, f->nmap + 1, sizeof(*f->map), 0) != VIGIL_OK)
        return 0;
    e = &f->map[f->nmap++];
    memset(e, 0, sizeof(*e));
    e->lo = lo;
    e->hi = hi;
    e->nbytes = nbytes;
    for (k = 0; k + 1 < dst->nb && e->ndst < 4; k += 2)
        e->dst[e->ndst++] = (uint16_t)((dst->b[k] << 8) | dst->b[k + 1]);
    return 1;
}

static int
cmp_entry(const void *a, const void *b)
{
    const struct pdf_cmap_entry *x = a, *y = b;

    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

void
disclose_pdf_cmap_parse(struct pdf_font *f, const uint8_t *p, size_t n)
{
    struct cm_tok t, a, b, d;
    size_t i = 0, cap = f->nmap;
    int mode = 0; /* 1 codespace, 2 bfchar, 3 bfrange */

    while (i < n) {
        size_t before = i;
        i = cm_next(p, n, i, &t);
        if (t.type == 0 || i == before)
            break;
        if (kw(&t, "begincodespacerange")) {
            mode = 1;
        } else if (kw(&t, "beginbfchar")) {
            mode = 2;
        } else if (kw(&t, "beginbfrange")) {
            mode = 3;
        } else if (t.type == 'k' && t.slen > 3 && memcmp(t.s, "end", 3) == 0) {
            mode = 0;
        } else if (t.type == 'h' && mode == 1) {
            i = cm_next(p, n, i, &a);
            if (a.type == 'h' && t.full >= 1 && t.full <= 4 &&
                f->ncs < (int)(sizeof(f->cs) / sizeof(f->cs[0]))) {
                f->cs[f->ncs].lo = tok_code(&t);
                f->cs[f->ncs].hi = tok_code(&a);
                f->cs[f->ncs].nbytes = (uint8_t)t.full;
                f->ncs++;
            }
        } else if (t.type == 'h' && mode == 2) {
            i = cm_next(p, n, i, &d);
            if (d.type == 'h' && t.full >= 1 && t.full <= 4)
                add_entry(f, &cap, tok_code(&t), tok_code(&t), (uint8_t)t.full,
                          &d);
        } else if (t.type == 'h' && mode == 3) {
            uint32_t lo = tok_code(&t), hi, k;
            i = cm_next(p, n, i, &b);
            if (b.type != 'h')
                continue;
            hi = tok_code(&b);
            i = cm_next(p, n, i, &d);
            if (t.full < 1 || t.full > 4 || hi < lo || hi - lo > 65535)
                continue;
            if (d.type == 'h') {
                add_entry(f, &cap, lo, hi, (uint8_t)t.full, &d);
            } else if (d.type == '[') {
                for (k = lo;; k++) {
                    i = cm_next(p, n, i, &a);
                    if (a.type != 'h')
                        break;
                    if (k <= hi)
                        add_entry(f, &cap, k, k, (uint8_t)t.full, &a);
                }
            }
        }
    }
    if (f->nmap > 1)
        qsort(f->map, f->nmap, sizeof(*f->map), cmp_entry);
}

static const struct pdf_cmap_entry *
cmap_find(const struct pdf_font *f, uint32_t code, size_t nbytes)
{
    size_t lo = 0, hi = f->nmap, k, back;

    /* Rightmost entry with e.lo <= code, then a few before it in case
     * ranges overlap or code widths differ. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (f->map[mid].lo <= code)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (k = lo, back = 0; k > 0 && back < 8; k--, back++) {
        const struct pdf_cmap_entry *e = &f->map[k - 1];
        if (e->hi >= code && e->nbytes == nbytes)
            return e;
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Decoding                                                             */
/* ------------------------------------------------------------------ */

static void
put_cp(struct vigil_buf *out, uint32_t cp)
{
    char u[4];
    size_t n;

    if (cp < 0x20 || cp == 0x7f || (cp >= 0xd800 && cp <= 0xdfff) ||
        cp == 0xfffd || cp > 0x10ffff) {
        if (cp == '\t' || cp == '\n' || cp == '\r')
            (void)vigil_buf_putc(out, ' ');
        return;
    }
    /* Ligatures become letters so "ofﬁce" is searchable as "office". */
    if (cp >= 0xfb00 && cp <= 0xfb04) {
        static const char *const lig[] = {"ff", "fi", "fl", "ffi", "ffl"};
        (void)vigil_buf_append(out, lig[cp - 0xfb00], strlen(lig[cp - 0xfb00]));
        return;
    }
    if (cp == 0xa0)
        cp = ' ';
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (char)(0xf0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    (void)vigil_buf_append(out, u, n);
}

static void
put_utf16(struct vigil_buf *out, const uint16_t *u, size_t n)
{
    size_t k;

    for (k = 0; k < n; k++) {
        uint32_t cp = u[k];
        if (cp >= 0xd800 && cp < 0xdc00 && k + 1 < n && u[k + 1] >= 0xdc00 &&
            u[k + 1] < 0xe000) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (u[k + 1] - 0xdc00);
            k++;
        }
        put_cp(out, cp);
    }
}

/* How many bytes the code at s takes: the first codespace range that
 * holds it, else the font's default width. */
static size_t
code_len(const struct pdf_font *f, const uint8_t *s, size_t n)
{
    size_t nb;
    int k;

    for (nb = 1; nb <= 4 && nb <= n; nb++) {
        uint32_t code = 0;
        size_t j;
        for (j = 0; j < nb; j++)
            code = (code << 8) | s[j];
        for (k = 0; k < f->ncs; k++)
            if (f->cs[k].nbytes == nb && code >= f->cs[k].lo &&
                code <= f->cs[k].hi)
                return nb;
    }
    nb = f->two_byte ? 2 : 1;
    return nb <= n ? nb : n;
}

void
disclose_pdf_font_decode(const struct pdf_font *f, const uint8_t *s, size_t n,
                         struct vigil_buf *out)
{
    size_t i = 0;

    while (i < n) {
        size_t nb = code_len(f, s + i, n - i), j;
        uint32_t code = 0;
        const struct pdf_cmap_entry *e = NULL;

        for (j = 0; j < nb; j++)
            code = (code << 8) | s[i + j];
        i += nb;
        if (f->nmap > 0)
            e = cmap_find(f, code, nb);
        if (e != NULL) {
            uint16_t u[4];
            memcpy(u, e->dst, sizeof(u));
            if (e->ndst > 0)
                u[e->ndst - 1] = (uint16_t)(u[e->ndst - 1] + (code - e->lo));
            put_utf16(out, u, e->ndst);
        } else if (!f->two_byte && code < 256) {
            put_cp(out, f->enc[code]);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Loading fonts through qpdf                                           */
/* ------------------------------------------------------------------ */

static void
load_simple_encoding(struct pdf_ctx *c, qpdf_oh font, struct pdf_font *f)
{
    qpdf_data q = c->q;
    qpdf_oh e = qpdf_oh_get_key(q, font, "/Encoding");
    qpdf_oh base = e, diffs;
    int n, k, code = -1;

    enc_standard(f->enc);
    if (qpdf_oh_is_dictionary(q, e))
        base = qpdf_oh_get_key(q, e, "/BaseEncoding");
    if (qpdf_oh_is_name_and_equals(q, base, "/WinAnsiEncoding") ||
        qpdf_oh_is_name_and_equals(q, base, "/MacRomanEncoding") ||
        (!qpdf_oh_is_name(q, base) &&
         qpdf_oh_is_name_and_equals(q, qpdf_oh_get_key(q, font, "/Subtype"),
                                    "/TrueType")))
        enc_winansi(f->enc);
    if (!qpdf_oh_is_dictionary(q, e))
        return;
    diffs = qpdf_oh_get_key(q, e, "/Differences");
    if (!qpdf_oh_is_array(q, diffs))
        return;
    n = qpdf_oh_get_array_n_items(q, diffs);
    for (k = 0; k < n && k < 4096; k++) {
        qpdf_oh it = qpdf_oh_get_array_item(q, diffs, k);
        if (qpdf_oh_is_integer(q, it)) {
            long long v = qpdf_oh_get_int_value(q, it);
            code = v >= 0 && v < 256 ? (int)v : -1;
        } else if (qpdf_oh_is_name(q, it) && code >= 0 && code < 256) {
            const char *nm = qpdf_oh_get_name(q, it);
            f->enc[code] = glyph_cp(nm[0] == '/' ? nm + 1 : nm);
            code++;
        }
        qpdf_oh_release(q, it);
    }
}

static const struct pdf_font fallback_font = {.two_byte = 0};

const struct pdf_font *
disclose_pdf_font_get(struct pdf_ctx *c, qpdf_oh fo)
{
    qpdf_data q = c->q;
    struct pdf_font *f;
    int id = 0, gen = 0;
    size_t k;
    qpdf_oh tu;

    if (!qpdf_oh_is_dictionary(q, fo))
        return &fallback_font;
    if (qpdf_oh_is_indirect(q, fo)) {
        id = qpdf_oh_get_object_id(q, fo);
        gen = qpdf_oh_get_generation(q, fo);
        for (k = 0; k < c->nfonts; k++)
            if (c->fonts[k].objid == id && c->fonts[k].gen == gen)
                return &c->fonts[k];
    }
    if (c->nfonts >= PDF_MAX_FONTS)
        return &fallback_font;
    if (c->fonts == NULL) {
        c->fonts = calloc(PDF_MAX_FONTS, sizeof(*c->fonts));
        if (c->fonts == NULL)
            return &fallback_font;
    }
    f = &c->fonts[c->nfonts];
    free(f->map); /* a direct font parsed into this slot before */
    memset(f, 0, sizeof(*f));
    f->objid = id;
    f->gen = gen;
    f->two_byte = qpdf_oh_is_name_and_equals(
        q, qpdf_oh_get_key(q, fo, "/Subtype"), "/Type0");
    if (!f->two_byte)
        load_simple_encoding(c, fo, f);
    tu = qpdf_oh_get_key(q, fo, "/ToUnicode");
    if (qpdf_oh_is_stream(q, tu)) {
        size_t len = 0;
        unsigned char *data = disclose_pdf_stream(c, tu, "font", &len);
        if (data != NULL) {
            disclose_pdf_cmap_parse(f, data, len);
            free(data);
        }
    }
    (void)disclose_pdf_qerr(c, "font");
    /* Only cache fonts that can be found again; a direct dictionary is
     * parsed each time it is selected. */
    if (id != 0)
        c->nfonts++;
    return f;
}

void
disclose_pdf_fonts_free(struct pdf_ctx *c)
{
    size_t k;

    if (c->fonts == NULL)
        return;
    for (k = 0; k < c->nfonts; k++)
        free(c->fonts[k].map);
    /* A direct font left in the next slot may own a map too. */
    if (c->nfonts < PDF_MAX_FONTS)
        free(c->fonts[c->nfonts].map);
    free(c->fonts);
    c->fonts = NULL;
    c->nfonts = 0;
}
