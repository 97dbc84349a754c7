/* fuzz_disclose_pii.c -- libFuzzer target for the personal-data
 * recognisers: the input is scanned as text and each line classified as
 * a column header; every match must lie inside the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "disclose/pii/pii.h"

static struct disclose_pii *pii;
static size_t text_len;

static int
on_match(const struct pii_match *m, void *arg)
{
    (void)arg;
    if (m->len == 0 || m->start > text_len || m->len > text_len - m->start ||
        m->kind < PII_EMAIL || m->kind >= PII_KIND_COUNT)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *t = (const char *)data;
    size_t i = 0;

    if (pii == NULL) {
        static const char *const pats[] = {"\\bWR[0-9]{6}\\b", "(a|b)*c"};
        static const char *const heads[] = {"Call Sign"};
        struct disclose_pii_opts o = {pats, 2, heads, 1};
        struct vigil_err err = {0};
        if (disclose_pii_new(&pii, &o, &err) != VIGIL_OK)
            abort();
    }
    text_len = size;
    (void)disclose_pii_scan(pii, t, size, on_match, NULL);
    while (i < size) {
        const char *nl = memchr(t + i, '\n', size - i);
        size_t e = nl ? (size_t)(nl - t) : size;
        enum pii_column c = disclose_pii_header(pii, t + i, e - i);
        if ((int)c < PII_COL_NONE || c > PII_COL_CODE)
            abort();
        i = e + 1;
    }
    return 0;
}
