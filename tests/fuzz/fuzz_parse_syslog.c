/* fuzz_parse_syslog.c -- libFuzzer target: one line through the syslog decoder
 * (RFC 3164/5424 headers and the Linux auth messages). */
#include "parse_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return parse_fuzz_one("syslog", data, size);
}
