/* fuzz_parse_evtx.c -- libFuzzer target for the EVTX reader: any byte
 * image through vigil_evtx_read_mem, every event rendered as JSON so the
 * fields' bounds are exercised too. EVTX images are at least 69632 bytes
 * (file header and one chunk): run with -max_len=139264 or more. Seeds:
 * tests/fuzz/corpus/parse_evtx/ and tests/fuzz/evtx_seeds.sh. */
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
    struct vigil_evtx_stats st = {0, 0, 0};
    struct vigil_err err = {VIGIL_OK, {0}};
    struct vigil_buf out;

    vigil_buf_init(&out, 4 * 1024 * 1024);
    (void)vigil_evtx_read_mem(data, size, on_event, &out, &st, &err);
    vigil_buf_fini(&out);
    return 0;
}
