/* parse_fuzz.h -- the body shared by the line-decoder fuzz targets:
 * decode the input as one line with the named decoder, then render the
 * event as JSON so every field's text is read back. */
#ifndef VIGIL_PARSE_FUZZ_H
#define VIGIL_PARSE_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse.h"

/* check (may be NULL) is called on each decoded event: a target's own
 * invariants, which abort when broken. */
static int
parse_fuzz_check(const char *format, const uint8_t *data, size_t size,
                 void (*check)(const struct vigil_event *ev))
{
    static struct vigil_arena arena;
    static struct vigil_event *ev;
    static int ready;
    /* Fixed "now" so a crash reproduces whatever the date. */
    static const struct vigil_parse_opts opts = {0, 1700000000000000000LL,
                                                 NULL};
    const struct vigil_decoder *d = vigil_decoder_by_name(format);
    struct vigil_buf out;
    char *line;

    if (!ready) {
        vigil_arena_init(&arena, 0, 64 << 20);
        ev = malloc(sizeof(*ev));
        ready = ev != NULL;
        if (!ready)
            return 0;
    }
    /* An exact-size copy so ASan sees any read past the line. */
    line = malloc(size ? size : 1);
    if (line == NULL)
        return 0;
    memcpy(line, data, size);
    vigil_event_init(ev, &arena);
    if (vigil_decode_line(d, ev, line, size, &opts) == VIGIL_OK) {
        if (check)
            check(ev);
        vigil_buf_init(&out, 64 << 20);
        (void)vigil_event_to_json(ev, &out);
        vigil_buf_fini(&out);
    }
    vigil_arena_reset(&arena);
    free(line);
    return 0;
}

static inline int
parse_fuzz_one(const char *format, const uint8_t *data, size_t size)
{
    return parse_fuzz_check(format, data, size, NULL);
}

#endif
