/* fuzz_config.c -- libFuzzer target: a YAML configuration through
 * vigil_config_load_mem (every key check, duration and size parser). */
#include <stdint.h>
#include <stddef.h>

#include "core/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct vigil_config cfg;
    struct vigil_err err = {0};

    vigil_config_load_mem("fuzz.yml", (const char *)data, size, &cfg, &err);
    vigil_config_free(&cfg);
    return 0;
}
