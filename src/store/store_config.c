/* store_config.c -- the store's own section of the configuration
 * (`store:`): what the archive keeps and for how long. */
#include <stddef.h>

#include "store.h"

#define MS_CENTURY (100LL * 365 * 86400 * 1000)

static const struct vigil_conf_key store_keys[] = {
    {.name = "backend",
     .type = VIGIL_CT_STR,
     .offset = offsetof(struct vigil_store_config, backend),
     .size = sizeof(((struct vigil_store_config *)0)->backend),
     .min = 1},
    {.name = "archive_events",
     .type = VIGIL_CT_BOOL,
     .offset = offsetof(struct vigil_store_config, archive_events),
     .def = 0},
    {.name = "archive_max_age",
     .type = VIGIL_CT_SECONDS,
     .offset = offsetof(struct vigil_store_config, archive_max_age_s),
     .min = 0,
     .max = MS_CENTURY},
    {.name = "archive_max_size",
     .type = VIGIL_CT_SIZE,
     .offset = offsetof(struct vigil_store_config, archive_max_bytes),
     .min = 0,
     .max = INT64_MAX},
};

static const struct vigil_conf_table store_section = {
    "store.", store_keys, sizeof(store_keys) / sizeof(store_keys[0])};

static const struct vigil_conf_key top_keys[] = {
    {.name = "store", .type = VIGIL_CT_SECTION, .sub = &store_section},
};

const struct vigil_conf_table vigil_store_conf = {
    "", top_keys, sizeof(top_keys) / sizeof(top_keys[0])};
