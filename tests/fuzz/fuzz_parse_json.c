/* fuzz_parse_json.c -- libFuzzer target: one line through the json
 * decoder, which must keep the rules of docs/parsers.md (issue 10): no NUL
 * byte in a name or a value, and a name on two fields only when they are
 * elements of one array, side by side. */
#include "parse_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
same(const struct vigil_field *a, const struct vigil_field *b)
{
    return a->name_len == b->name_len &&
           memcmp(a->name, b->name, a->name_len) == 0;
}

static void
check(const struct vigil_event *ev)
{
    for (uint16_t i = 0; i < ev->nfields; i++) {
        const struct vigil_field *f = &ev->fields[i];
        if (memchr(f->name, '\0', f->name_len) ||
            memchr(f->text, '\0', f->text_len))
            abort();
        for (uint16_t j = i + 1; j < ev->nfields; j++) {
            if (!same(f, &ev->fields[j]))
                continue;
            /* elements of one array: every field between them too */
            for (uint16_t k = i; k <= j; k++)
                if (!(ev->fields[k].flags & VIGIL_FF_ELEM) ||
                    !same(f, &ev->fields[k]))
                    abort();
        }
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return parse_fuzz_check("json", data, size, check);
}
