/* fuzz_parse_auto.c -- libFuzzer target: the input cut into lines (at
 * "\n") and decoded one after the other with one vigil_decode_auto state,
 * so every sequence of formats, junk and NUL padding drives the decoder
 * choice; each event is rendered as JSON so its fields are read back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct vigil_arena arena;
    static struct vigil_event *ev;
    static int ready;
    static const struct vigil_parse_opts opts = {.now_ns =
                                                     1700000000000000000LL};
    struct vigil_decoder_auto a = {NULL};
    const char *p, *end;
    char *copy;

    if (!ready) {
        vigil_arena_init(&arena, 0, 64 << 20);
        ev = malloc(sizeof(*ev));
        ready = ev != NULL;
        if (!ready)
            return 0;
    }
    if ((copy = malloc(size ? size : 1)) == NULL)
        return 0;
    memcpy(copy, data, size);
    for (p = copy, end = copy + size; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        /* Each line in an exact-size copy so ASan sees a read past it. */
        char *line = malloc(len ? len : 1);

        if (line == NULL)
            break;
        memcpy(line, p, len);
        vigil_event_init(ev, &arena);
        if (vigil_decode_auto(&a, ev, line, len, &opts) == VIGIL_OK) {
            struct vigil_buf out;
            vigil_buf_init(&out, 64 << 20);
            (void)vigil_event_to_json(ev, &out);
            vigil_buf_fini(&out);
        }
        vigil_arena_reset(&arena);
        free(line);
        p = nl ? nl + 1 : end;
    }
    free(copy);
    return 0;
}
