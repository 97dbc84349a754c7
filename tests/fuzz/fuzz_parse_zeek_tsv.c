/* fuzz_parse_zeek_tsv.c -- libFuzzer target: the input as the lines of a
 * Zeek TSV log (header and records) through one vigil_zeek_tsv state, so
 * a hostile header (separators, marks, #fields and #types of any length)
 * meets the records after it. Every event must stay within its bounds. */
#include <stdlib.h>
#include <string.h>

#include "parse/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* every byte read goes here, so nothing reading it is optimised away */
static volatile unsigned sum;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct vigil_zeek_tsv z;
    struct vigil_arena arena;
    struct vigil_event *ev = malloc(sizeof(*ev));
    const char *p = (const char *)data, *end = p + size;

    if (ev == NULL)
        return 0;
    vigil_zeek_tsv_init(&z);
    vigil_arena_init(&arena, 4096, 1 << 20);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;

        vigil_event_init(ev, &arena);
        if (vigil_zeek_tsv_line(&z, ev, p, (size_t)(e - p), NULL) == VIGIL_OK) {
            /* every name and text is read whole: ASan sees any overrun */
            if (ev->nfields > VIGIL_EVENT_MAX_FIELDS)
                abort();
            for (uint16_t i = 0; i < ev->nfields; i++) {
                const struct vigil_field *f = &ev->fields[i];
                for (uint32_t k = 0; k < f->text_len; k++)
                    sum += (unsigned char)f->text[k];
                for (uint16_t k = 0; k < f->name_len; k++)
                    sum += (unsigned char)f->name[k];
            }
        }
        vigil_arena_reset(&arena);
        p = e + 1;
    }
    vigil_arena_fini(&arena);
    free(ev);
    return 0;
}
