/* fuzz_disclose_pdf_text.c -- libFuzzer target for the invariants of
 * vigil's PDF page text (src/disclose/pdf/disclose_pdf_text.c), the
 * in-process half of the PDF differential: poppler's library is not
 * installed where vigil is built (only pdftotext, a program), so
 * tests/fuzz/pdf_text_diff.py compares vigil with pdftotext outside
 * libFuzzer, and this target checks what must hold whatever a page draws.
 *
 * The input is a page content stream (and, after a "\n--\n" line, a
 * ToUnicode CMap), wrapped by pdf_fuzz.h into a two-page PDF whose second
 * page draws PDF_FUZZ_MARKER in plain Helvetica. Invariants (abort()):
 *  - the text and findings are the same when the PDF is inspected again;
 *  - text handed out as hidden on a page comes with a hidden-text finding
 *    for that page (hidden content is never passed over in silence);
 *  - page 2's marker is read as visible text, whatever page 1 did
 *    (unbalanced q/Q, BT, marked content, forms drawing themselves,
 *    broken strings, huge numbers), unless a damage finding says the
 *    document was not read to the end (a limit);
 *  - no more text is handed out than max_text_bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "disclose/pdf/pdf.h"
#include "pdf_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
    uint64_t hash;
    size_t text;
    int damaged;
    int marker;
    /* pages (1 and 2) with hidden text, and with a hidden-text finding */
    int hidden[3], flagged[3];
};

static void
mix(struct seen *s, const void *p, size_t n)
{
    const unsigned char *b = p;

    for (size_t i = 0; i < n; i++)
        s->hash = (s->hash ^ b[i]) * 1099511628211ull;
    s->hash = (s->hash ^ n) * 1099511628211ull;
}

/* 1 or 2 for "page 1" and "page 2" exactly, else 0. */
static int
page_of(const char *loc)
{
    if (strcmp(loc, "page 1") == 0)
        return 1;
    if (strcmp(loc, "page 2") == 0)
        return 2;
    return 0;
}

static void
on_finding(void *arg, enum pdf_finding_kind kind, const char *loc,
           const char *detail)
{
    struct seen *s = arg;

    mix(s, &kind, sizeof(kind));
    mix(s, loc, strlen(loc));
    mix(s, detail, strlen(detail));
    if (kind == PDF_F_DAMAGED)
        s->damaged = 1;
    if (kind == PDF_F_HIDDEN_TEXT)
        s->flagged[page_of(loc)] = 1;
}

static void
on_text(void *arg, const char *loc, const char *text, size_t len, int hidden)
{
    struct seen *s = arg;
    int page = page_of(loc);
    static const char m[] = PDF_FUZZ_MARKER;

    mix(s, loc, strlen(loc));
    mix(s, text, len);
    mix(s, &hidden, sizeof(hidden));
    s->text += len;
    if (hidden)
        s->hidden[page] = 1;
    if (page == 2 && !hidden && len >= sizeof(m) - 1 &&
        memmem(text, len, m, sizeof(m) - 1) != NULL)
        s->marker = 1;
}

static void
inspect(const uint8_t *pdf, size_t len, const struct pdf_limits *lim,
        struct seen *s)
{
    struct pdf_callbacks cb = {on_finding, on_text, NULL, s};
    struct vigil_err err = {0};

    memset(s, 0, sizeof(*s));
    s->hash = 1469598103934665603ull;
    (void)disclose_pdf_inspect(pdf, len, lim, &cb, &err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pdf_limits lim = {20000, 4u << 20, 1u << 20};
    struct seen a, b;
    size_t len = 0;
    uint8_t *pdf = pdf_fuzz_wrap(data, size, 1, &len);

    if (pdf == NULL)
        return 0;
    inspect(pdf, len, &lim, &a);
    inspect(pdf, len, &lim, &b);
    if (a.hash != b.hash)
        abort(); /* not the same twice */
    for (int p = 1; p <= 2; p++)
        if (a.hidden[p] && !a.flagged[p])
            abort(); /* hidden text without a finding */
    if (!a.marker && !a.damaged)
        abort(); /* page 2 lost without a word */
    if (a.text > lim.max_text_bytes)
        abort();
    free(pdf);
    return 0;
}
