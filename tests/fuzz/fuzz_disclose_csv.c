/* fuzz_disclose_csv.c -- libFuzzer target for delimited text as the
 * disclosure guard reads it: any bytes through the encoding step (UTF-8,
 * UTF-16 by its BOM, Windows-1252), the delimiter sniffer, the quoted-
 * field parser with every cell classified as a header and checked in
 * its column's context, then the whole check. Seed it with
 * tests/fuzz/corpus/disclose_csv/. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "disclose/disclose_int.h"

static struct vigil_disclose *g_d;

static void
on_cell(void *arg, uint32_t row, unsigned col, const char *s, size_t n)
{
    enum pii_column c = disclose_pii_header(NULL, s, n);

    (void)arg;
    (void)row;
    (void)col;
    if ((int)c < PII_COL_NONE || c > PII_COL_CODE)
        abort();
    (void)disclose_pii_cell(PII_COL_DOB, s, n);
    (void)disclose_pii_cell(PII_COL_NATIONAL_ID, s, n);
}

static void
on_row(void *arg, uint32_t row)
{
    (void)arg;
    (void)row;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vigil_disclose_result *r = NULL;
    struct vigil_buf conv, scratch;
    struct vigil_err err;
    const char *text;
    size_t n = size;

    if (!g_d) {
        vigil_err_clear(&err);
        if (vigil_disclose_new(&g_d, NULL, &err) != VIGIL_OK)
            return 0;
    }
    vigil_buf_init(&conv, size * 3 + 16);
    vigil_buf_init(&scratch, size + 1);
    text = disclose_as_utf8(data, &n, &conv);
    if (text != NULL) {
        char delim = disclose_csv_sniff(text, n);
        disclose_csv_parse(text, n, delim ? delim : ',', on_cell, on_row, NULL,
                           &scratch);
    }
    vigil_buf_fini(&scratch);
    vigil_buf_fini(&conv);
    vigil_err_clear(&err);
    if (vigil_disclose_check_buffer(g_d, "fuzz.csv", data, size, &r, &err) ==
        VIGIL_OK)
        vigil_disclose_result_free(r);
    return 0;
}
