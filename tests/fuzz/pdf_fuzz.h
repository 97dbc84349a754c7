/* pdf_fuzz.h -- wraps a fuzzed page content stream into a valid PDF, for
 * the PDF fuzz targets: d[0..n) is the content and, after a "\n--\n"
 * line, a ToUnicode CMap. Page 1 draws the content with two fonts (a
 * simple one with /Differences and the CMap, a composite Identity-H one),
 * through a form XObject that draws the same content (so itself), with an
 * optional content group that is off; with marker, page 2 draws
 * PDF_FUZZ_MARKER visibly, which whatever page 1 does must not lose. */
#ifndef VIGIL_PDF_FUZZ_H
#define VIGIL_PDF_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PDF_FUZZ_MARKER "VIGILPAGETWOMARKER"
#define PDF_FUZZ_MARKER_PAGE                                                   \
    "BT /F1 12 Tf 72 700 Td (" PDF_FUZZ_MARKER ") Tj ET"

struct out {
    uint8_t *p;
    size_t n, cap;
    size_t off[16];
};

static void
put(struct out *o, const void *d, size_t n)
{
    if (o->n + n <= o->cap) {
        memcpy(o->p + o->n, d, n);
        o->n += n;
    }
}

static void
puts_(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

static void
obj(struct out *o, int num, const char *dict, const uint8_t *st, size_t sn)
{
    char head[64];

    o->off[num] = o->n;
    snprintf(head, sizeof(head), "%d 0 obj\n", num);
    puts_(o, head);
    puts_(o, dict);
    if (st != NULL) {
        snprintf(head, sizeof(head), " /Length %zu >>\nstream\n", sn);
        puts_(o, head);
        put(o, st, sn);
        puts_(o, "\nendstream");
    }
    puts_(o, "\nendobj\n");
}

/* Returns the PDF (malloc'd, free with free; *len its size), or NULL. */
static uint8_t *
pdf_fuzz_wrap(const uint8_t *d, size_t n, int marker, size_t *len)
{
    static const char sep[] = "\n--\n";
    const uint8_t *cm = NULL;
    size_t cn = 0, k, nobj;
    struct out o;
    char tail[128];

    for (k = 0; k + 4 <= n; k++)
        if (memcmp(d + k, sep, 4) == 0) {
            cm = d + k + 4;
            cn = n - k - 4;
            n = k;
            break;
        }
    o.cap = 2 * (n + cn) + 4096;
    o.p = malloc(o.cap);
    o.n = 0;
    if (o.p == NULL)
        return NULL;
    puts_(&o, "%PDF-1.7\n");
    obj(&o, 1,
        "<< /Type /Catalog /Pages 2 0 R /OCProperties << /OCGs [8 0 R] "
        "/D << /OFF [8 0 R] >> >> >>",
        NULL, 0);
    obj(&o, 2,
        marker ? "<< /Type /Pages /Kids [3 0 R 10 0 R] /Count 2 >>"
               : "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        NULL, 0);
    obj(&o, 3,
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources "
        "<< /Font << /F1 4 0 R /F2 5 0 R >> /XObject << /X1 7 0 R >> "
        "/Properties << /oc1 8 0 R >> >> /Contents 6 0 R >>",
        NULL, 0);
    obj(&o, 4,
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding "
        "<< /BaseEncoding /WinAnsiEncoding /Differences [65 /A /B /uni0041 "
        "/fi /eacute] >> /ToUnicode 9 0 R >>",
        NULL, 0);
    obj(&o, 5,
        "<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H "
        "/ToUnicode 9 0 R >>",
        NULL, 0);
    obj(&o, 6, "<<", d, n);
    obj(&o, 7, "<< /Type /XObject /Subtype /Form /BBox [0 0 10 10]", d, n);
    obj(&o, 8, "<< /Type /OCG /Name (off) >>", NULL, 0);
    obj(&o, 9, "<<", cm ? cm : (const uint8_t *)"", cn);
    if (marker) {
        obj(&o, 10,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            "/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 "
            "/BaseFont /Helvetica /Encoding /WinAnsiEncoding >> >> >> "
            "/Contents 11 0 R >>",
            NULL, 0);
        obj(&o, 11, "<<", (const uint8_t *)PDF_FUZZ_MARKER_PAGE,
            strlen(PDF_FUZZ_MARKER_PAGE));
    }
    nobj = marker ? 12 : 10;
    k = o.n;
    snprintf(tail, sizeof(tail), "xref\n0 %zu\n0000000000 65535 f \n", nobj);
    puts_(&o, tail);
    for (n = 1; n < nobj; n++) {
        snprintf(tail, sizeof(tail), "%010zu 00000 n \n", o.off[n]);
        puts_(&o, tail);
    }
    snprintf(tail, sizeof(tail),
             "trailer\n<< /Size %zu /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
             nobj, k);
    puts_(&o, tail);
    *len = o.n;
    return o.p;
}

#endif
