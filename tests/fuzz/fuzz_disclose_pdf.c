/* fuzz_disclose_pdf.c -- libFuzzer target for PDF inspection, with small
 * limits so each input stays cheap. Callbacks read every byte they are
 * handed so bad pointers or lengths are caught.
 *
 * An input starting with 'C' is not a PDF: the rest is a page content
 * stream and, after a "\n--\n" line, a ToUnicode CMap, wrapped here into a
 * valid PDF (fonts, a form XObject that draws itself, an optional content
 * group that is off). Mutating whole PDFs rarely gets through qpdf's
 * parser and compression to the content interpreter; this does. Anything
 * else is inspected as a PDF as it is. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disclose/pdf/pdf.h"

static volatile unsigned sink;

static void
touch(const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t k;

    for (k = 0; k < n; k++)
        sink += b[k];
}

static void
on_finding(void *arg, enum pdf_finding_kind kind, const char *loc,
           const char *detail)
{
    (void)arg;
    sink += (unsigned)kind;
    while (*loc)
        sink += (unsigned char)*loc++;
    while (*detail)
        sink += (unsigned char)*detail++;
}

static void
on_text(void *arg, const char *loc, const char *text, size_t len, int hidden)
{
    (void)arg;
    (void)loc;
    sink += (unsigned)hidden;
    touch(text, len);
}

static void
on_attach(void *arg, const char *name, const void *data, size_t len)
{
    (void)arg;
    (void)name;
    touch(data, len);
}

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

static uint8_t *
wrap(const uint8_t *d, size_t n, size_t *len)
{
    static const char sep[] = "\n--\n";
    const uint8_t *cm = NULL;
    size_t cn = 0, k;
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
    obj(&o, 2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", NULL, 0);
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
    k = o.n;
    puts_(&o, "xref\n0 10\n0000000000 65535 f \n");
    for (n = 1; n <= 9; n++) {
        snprintf(tail, sizeof(tail), "%010zu 00000 n \n", o.off[n]);
        puts_(&o, tail);
    }
    snprintf(tail, sizeof(tail),
             "trailer\n<< /Size 10 /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
             k);
    puts_(&o, tail);
    *len = o.n;
    return o.p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pdf_callbacks cb = {on_finding, on_text, on_attach, NULL};
    struct pdf_limits lim = {20000, 4u << 20, 4u << 20};
    struct vigil_err err = {0};

    if (size > 0 && data[0] == 'C') {
        size_t len = 0;
        uint8_t *pdf = wrap(data + 1, size - 1, &len);
        if (pdf != NULL)
            (void)disclose_pdf_inspect(pdf, len, &lim, &cb, &err);
        free(pdf);
        return 0;
    }
    (void)disclose_pdf_inspect(data, size, &lim, &cb, &err);
    return 0;
}
