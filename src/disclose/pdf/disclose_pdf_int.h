/* disclose_pdf_int.h -- what the PDF inspection files share (private to
 * src/disclose/pdf/): the inspection context, bounded stream decoding,
 * fonts (ToUnicode CMaps and simple encodings) and the page text
 * interpreter.
 */
#ifndef VIGIL_DISCLOSE_PDF_INT_H
#define VIGIL_DISCLOSE_PDF_INT_H

#include <stddef.h>
#include <stdint.h>

#include <qpdf/qpdf-c.h>

#include "disclose/pdf/pdf.h"

/* Most damage findings reported per document; the rest are counted. */
#define PDF_MAX_DAMAGE_FINDINGS 20
/* Fonts parsed per document; further fonts decode as Latin-1. */
#define PDF_MAX_FONTS 512
/* Entries kept from one ToUnicode CMap. */
#define PDF_MAX_CMAP_ENTRIES 65536
/* Content bytes interpreted per document, forms included. */
#define PDF_DOC_CONTENT_BUDGET ((size_t)1 << 30)
/* Form XObjects nested inside page content. */
#define PDF_MAX_FORM_DEPTH 6

struct pdf_cmap_entry {
    uint32_t lo, hi;
    uint16_t dst[4]; /* UTF-16 of the mapping for lo; ranges add to last */
    uint8_t ndst;
    uint8_t nbytes;
};

struct pdf_codespace {
    uint32_t lo, hi;
    uint8_t nbytes;
};

struct pdf_font {
    int objid, gen; /* cache key; 0 for a direct font dictionary */
    int two_byte;   /* composite (Type0) font: 2-byte codes by default */
    struct pdf_codespace cs[8];
    int ncs;
    struct pdf_cmap_entry *map; /* sorted by lo, owned */
    size_t nmap;
    uint16_t enc[256]; /* simple fonts: code -> Unicode, 0 = unmapped */
};

struct pdf_ctx {
    qpdf_data q;
    const struct pdf_callbacks *cb;
    struct pdf_limits lim;
    size_t text_total;      /* text bytes handed out so far */
    int text_full;          /* max_text_bytes reached */
    unsigned ndamage;       /* damage findings so far */
    struct pdf_font *fonts; /* cache, owned */
    size_t nfonts;
    uint32_t *off_ocgs; /* object ids of OCGs switched off, owned */
    size_t noff_ocgs;
    size_t content_budget; /* content bytes left to interpret, document */
    size_t hidden_chars;   /* per page, reset by the page loop */
    unsigned hidden_why;   /* PDF_HIDE_* bits seen on this page */
};

#define PDF_HIDE_INVISIBLE 1u /* render mode 3 or 7 */
#define PDF_HIDE_WHITE     2u /* white fill */
#define PDF_HIDE_TINY      4u /* effective font size below 1pt */
#define PDF_HIDE_LAYER     8u /* inside an optional content group that is off */

/* Reports a finding through the callbacks (NULL-safe). */
void disclose_pdf_finding(struct pdf_ctx *c, enum pdf_finding_kind kind,
                          const char *location, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reports damage (a qpdf error, a limit) at most PDF_MAX_DAMAGE_FINDINGS
 * times per document. */
void disclose_pdf_damage(struct pdf_ctx *c, const char *location,
                         const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* If qpdf holds an error, reports it as damage at location and returns
 * 1; else 0. */
int disclose_pdf_qerr(struct pdf_ctx *c, const char *location);

/* Decoded data of stream s within lim.max_stream_bytes; returns a malloc'd
 * buffer the caller frees, or NULL (damage already reported). */
unsigned char *disclose_pdf_stream(struct pdf_ctx *c, qpdf_oh s,
                                   const char *location, size_t *len);

/* Hands text to cb->text, counting it against lim.max_text_bytes. */
void disclose_pdf_text_out(struct pdf_ctx *c, const char *location,
                           const char *text, size_t len, int hidden);

/* Finds or parses the font whose dictionary is f; never NULL (a
 * fallback font when the cache is full or the font is unusable). */
const struct pdf_font *disclose_pdf_font_get(struct pdf_ctx *c, qpdf_oh f);
void disclose_pdf_fonts_free(struct pdf_ctx *c);

/* Appends the UTF-8 text of string bytes s[0..n) in font f to out. */
void disclose_pdf_font_decode(const struct pdf_font *f, const uint8_t *s,
                              size_t n, struct vigil_buf *out);

/* Parses a ToUnicode CMap program into f (bounded). Exposed for tests
 * and the fuzzer's benefit. */
void disclose_pdf_cmap_parse(struct pdf_font *f, const uint8_t *p, size_t n);

/* Runs the content of page (1-based number pageno) and hands its visible
 * and hidden text to the callbacks; reports hidden text findings. */
void disclose_pdf_page_text(struct pdf_ctx *c, qpdf_oh page, int pageno);

#endif
