/* fuzz_ingest_frame.c -- libFuzzer target: a TCP syslog stream through
 * the RFC 6587 framer, cut into reads at places chosen by the input, with
 * a small message limit so the oversize paths run too. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "ingest/ingest_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum vigil_rc
on_msg(void *arg, const char *msg, size_t len, int oversize)
{
    size_t *total = arg;
    volatile char sink = 0;

    if (!oversize && len > 0)
        sink = msg[0] ^ msg[len - 1]; /* every byte handed out is valid */
    (void)sink;
    *total += len;
    return VIGIL_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ingest_framer f;
    size_t total = 0, pos = 0;
    unsigned step;

    if (size < 1)
        return 0;
    step = (unsigned)data[0] % 17 + 1;
    ingest_framer_init(&f, 64);
    for (pos = 1; pos < size; pos += step) {
        size_t n = size - pos < step ? size - pos : step;
        if (data[0] & 0x80)
            ingest_lines_feed(&f, (const char *)data + pos, n, on_msg, &total);
        else
            ingest_framer_feed(&f, (const char *)data + pos, n, on_msg, &total);
    }
    ingest_framer_finish(&f, on_msg, &total);
    ingest_framer_fini(&f);
    return 0;
}
