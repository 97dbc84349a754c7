/* pdf.h -- PDF structure and text for the disclosure guard (private to
 * the disclose domain), over qpdf's C API.
 *
 * Reports hidden or risky structure as findings and hands every piece of
 * text (page content decoded through the fonts' ToUnicode maps, metadata,
 * annotations, attachments' names) to a text callback so the caller can
 * run the personal-data recognisers over it.
 */
#ifndef VIGIL_DISCLOSE_PDF_H
#define VIGIL_DISCLOSE_PDF_H

#include <stddef.h>

#include "core/core.h"

/* What a PDF can hide; the caller maps these to findings and verdicts. */
enum pdf_finding_kind {
    PDF_F_METADATA = 1, /* Info dictionary or XMP: author, producer... */
    PDF_F_ATTACHMENT,   /* embedded file */
    PDF_F_ANNOTATION,   /* comment, note, markup */
    PDF_F_JAVASCRIPT,   /* document or action JavaScript */
    PDF_F_HIDDEN_LAYER, /* optional content group switched off */
    PDF_F_INCREMENTAL,  /* earlier revision kept by incremental update */
    PDF_F_HIDDEN_TEXT,  /* invisible (render mode 3), white or tiny */
    PDF_F_ENCRYPTED,    /* cannot inspect */
    PDF_F_DAMAGED       /* structure damaged or limits exceeded */
};

struct pdf_callbacks {
    /* location: "page 3", "Info", "attachment staff.xlsx", ...; detail: a
     * sentence for the report. All borrowed for the call. */
    void (*finding)(void *arg, enum pdf_finding_kind kind, const char *location,
                    const char *detail);
    /* hidden != 0 when the text is not visible on the page. */
    void (*text)(void *arg, const char *location, const char *text, size_t len,
                 int hidden);
    /* An embedded file's bytes (borrowed), for recursive checking. */
    void (*attachment)(void *arg, const char *name, const void *data,
                       size_t len);
    void *arg;
};

struct pdf_limits {
    size_t max_objects;      /* default 1,000,000 */
    size_t max_stream_bytes; /* decoded size of one stream, default 64 MiB */
    size_t max_text_bytes;   /* text handed out per document, 256 MiB */
};

/* Inspects the PDF in data (borrowed). Damage and limits become
 * PDF_F_DAMAGED findings, not failures; returns an error only when
 * nothing could be read at all (VIGIL_EPARSE) or memory ran out. */
enum vigil_rc disclose_pdf_inspect(const void *data, size_t len,
                                   const struct pdf_limits *limits,
                                   const struct pdf_callbacks *cb,
                                   struct vigil_err *err);

#endif
