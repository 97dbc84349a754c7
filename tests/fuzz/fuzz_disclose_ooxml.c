/* fuzz_disclose_ooxml.c -- libFuzzer target for the disclosure guard:
 * any bytes through vigil_disclose_check_buffer (zip containers, OOXML,
 * ODF, CSV, text) and, for zips, through vigil_disclose_clean. Tight
 * bounds keep each run small; a finding is fine, a crash or leak is not.
 * Seed it with OOXML files: tests/fuzz/corpus/disclose_ooxml/ (crafted
 * hostile packages: duplicate names, parts reached only by relationship,
 * parts nothing reaches; made by tests/fuzz/disclose_seeds.sh) or the
 * calamine and mat2 fixtures. */
#include <stddef.h>
#include <stdint.h>

#include "disclose/disclose.h"

static struct vigil_disclose *g_d;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vigil_disclose_result *r = NULL;
    struct vigil_err err;
    struct vigil_buf out;
    const char *ext;

    if (!g_d) {
        struct vigil_disclose_policy p;
        vigil_disclose_policy_default(&p);
        p.max_input_bytes = 4 << 20;
        p.max_total_inflate = 32 << 20;
        p.max_part_bytes = 8 << 20;
        p.max_entries = 2000;
        p.max_strings_bytes = 4 << 20;
        vigil_err_clear(&err);
        if (vigil_disclose_new(&g_d, &p, &err) != VIGIL_OK)
            return 0;
    }
    vigil_err_clear(&err);
    if (vigil_disclose_check_buffer(g_d, "fuzz", data, size, &r, &err) ==
        VIGIL_OK) {
        vigil_buf_init(&out, 1 << 20);
        vigil_disclose_report_json(r, &out);
        vigil_disclose_report_text(r, &out);
        vigil_buf_fini(&out);
        vigil_disclose_result_free(r);
    }
    if (size >= 4 && data[0] == 'P' && data[1] == 'K') {
        vigil_buf_init(&out, 16 << 20);
        vigil_err_clear(&err);
        vigil_disclose_clean(g_d, data, size, &out, &ext, &err);
        vigil_buf_fini(&out);
    }
    return 0;
}
