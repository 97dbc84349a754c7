/* fuzz_parse_auditd.c -- libFuzzer target: one line through the auditd decoder.
 */
#include "parse_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return parse_fuzz_one("auditd", data, size);
}
