/* fuzz_parse_evtx.c -- libFuzzer target for vigil's EVTX reader: any byte
 * image through vigil_evtx_read_image, once reading the allocated records
 * and once carving slack space too, every event rendered as JSON so the
 * fields' bounds are exercised. An image is read from its 4 KiB file
 * header and whole 64 KiB chunks (a partial last chunk only by carving):
 * run with -max_len=139264 or more. Seeds: tests/fuzz/corpus/parse_evtx/
 * (make_seeds.py, the unit test's crafted images) and
 * tests/fuzz/evtx_seeds.sh (chunks of real logs, not committed). */
#include <stddef.h>
#include <stdint.h>

#include "parse/parse.h"

static enum vigil_rc
on_event(struct vigil_event *ev, void *arg)
{
    struct vigil_buf *out = arg;

    vigil_buf_reset(out);
    (void)vigil_event_to_json(ev, out);
    return VIGIL_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vigil_evtx_opts o = {0, 1};
    struct vigil_buf out;
    int carve;

    vigil_buf_init(&out, 4 * 1024 * 1024);
    for (carve = 0; carve < 2; carve++) {
        struct vigil_evtx_stats st = {0};
        struct vigil_err err = {VIGIL_OK, {0}};
        o.carve = carve;
        (void)vigil_evtx_read_image(data, size, &o, on_event, &out, &st, &err);
    }
    vigil_buf_fini(&out);
    return 0;
}
