/* fuzz_config.c -- libFuzzer target: a YAML configuration through
 * vigil_daemon_config_load_mem (the tree's bounds, every component's key
 * table, duration and size parsers). */
#include <stddef.h>
#include <stdint.h>

#include "daemon/daemon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vigil_daemon_config *cfg = NULL;
    struct vigil_err err = {0};

    if (vigil_daemon_config_load_mem(&cfg, "fuzz.yml", (const char *)data, size,
                                     &err) == VIGIL_OK)
        vigil_daemon_config_free(cfg);
    return 0;
}
