/* fuzz_parse_cef.c -- libFuzzer target: one line through the cef decoder. */
#include "parse_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return parse_fuzz_one("cef", data, size);
}
