/* fuzz_parse_tz.c -- libFuzzer target for the TZif reader (parse_tz.c):
 * any bytes as a zone file are read or refused, never read past; a zone
 * that loads answers offsets and conversions across the whole range of
 * stamps, and a wall-clock time converted and shown again in the zone
 * is within a day of itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vigil_tz *tz = NULL;
    struct vigil_err err = {0};
    /* an exact-size copy so ASan sees any read past the file */
    uint8_t *copy = malloc(size ? size : 1);

    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    if (vigil_tz_parse(&tz, copy, size, &err) == VIGIL_OK) {
        for (int y = 1900; y <= 2261; y += 7) {
            int64_t l = vigil_time_from_utc(y, 1 + y % 12, 1 + y % 28, y % 24,
                                            y % 60, 0, 0);
            int64_t u = vigil_tz_to_utc(tz, l);
            int32_t off = vigil_tz_offset(tz, u / VIGIL_NS_PER_SEC);
            int64_t back = u + (int64_t)off * VIGIL_NS_PER_SEC;
            if (back - l > 86400 * VIGIL_NS_PER_SEC ||
                l - back > 86400 * VIGIL_NS_PER_SEC)
                abort();
        }
        vigil_tz_free(tz);
    }
    free(copy);
    return 0;
}
