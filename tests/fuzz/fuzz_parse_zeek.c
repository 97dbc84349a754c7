/* fuzz_parse_zeek.c -- libFuzzer target: one line through the zeek decoder. */
#include "parse_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return parse_fuzz_one("zeek", data, size);
}
