/* pdf_text.c -- prints the page text vigil's PDF inspector recovers
 * (src/disclose/pdf), for pdf_text_diff.py to hold against poppler's
 * pdftotext: one line per piece of page content text, "V " for text a
 * reader sees and "H " for text vigil finds hidden (invisible render
 * mode, white, tiny, an "off" layer), its line breaks turned into spaces.
 * Annotations, metadata, form fields and attachments are not page
 * content (pdftotext does not print them) and are left out.
 * Usage: pdf_text FILE.pdf   Exit: 0, 1 unreadable, 65 refused as no PDF. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disclose/pdf/pdf.h"

static void
on_text(void *arg, const char *loc, const char *text, size_t len, int hidden)
{
    const char *rest;

    (void)arg;
    /* "page N" exactly: not "page N annotation" */
    if (strncmp(loc, "page ", 5) != 0)
        return;
    rest = loc + 5 + strspn(loc + 5, "0123456789");
    if (*rest != '\0')
        return;
    fputs(hidden ? "H " : "V ", stdout);
    for (size_t i = 0; i < len; i++)
        putchar(text[i] == '\n' || text[i] == '\r' ? ' ' : text[i]);
    putchar('\n');
}

int
main(int argc, char **argv)
{
    struct pdf_callbacks cb = {NULL, on_text, NULL, NULL};
    struct pdf_limits lim = {0, 0, 0};
    struct vigil_err err = {0};
    char *data = NULL;
    size_t len = 0;
    int rc = 1;

    if (argc != 2) {
        fprintf(stderr, "usage: pdf_text FILE.pdf\n");
        return 64;
    }
    if (vigil_read_file(argv[1], 64u << 20, &data, &len, &err) != VIGIL_OK) {
        fprintf(stderr, "pdf_text: %s\n", err.msg);
        goto out;
    }
    lim.max_objects = 1000000;
    lim.max_stream_bytes = 64u << 20;
    lim.max_text_bytes = 256u << 20;
    rc = disclose_pdf_inspect(data, len, &lim, &cb, &err) == VIGIL_OK ? 0 : 65;
    if (rc != 0)
        fprintf(stderr, "pdf_text: %s\n", err.msg);
out:
    free(data);
    return rc;
}
