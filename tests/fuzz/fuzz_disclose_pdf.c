/* fuzz_disclose_pdf.c -- libFuzzer target for PDF inspection, with small
 * limits so each input stays cheap. Callbacks read every byte they are
 * handed so bad pointers or lengths are caught.
 *
 * An input starting with 'C' is not a PDF: the rest is a page content
 * stream and, after a "\n--\n" line, a ToUnicode CMap, wrapped into a
 * valid PDF by pdf_fuzz.h. Mutating whole PDFs rarely gets through qpdf's
 * parser and compression to the content interpreter; this does. Anything
 * else is inspected as a PDF as it is. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disclose/pdf/pdf.h"
#include "pdf_fuzz.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pdf_callbacks cb = {on_finding, on_text, on_attach, NULL};
    struct pdf_limits lim = {20000, 4u << 20, 4u << 20};
    struct vigil_err err = {0};

    if (size > 0 && data[0] == 'C') {
        size_t len = 0;
        uint8_t *pdf = pdf_fuzz_wrap(data + 1, size - 1, 0, &len);
        if (pdf != NULL)
            (void)disclose_pdf_inspect(pdf, len, &lim, &cb, &err);
        free(pdf);
        return 0;
    }
    (void)disclose_pdf_inspect(data, size, &lim, &cb, &err);
    return 0;
}
