/* store_config.c -- the store's own section of the configuration
 * (`store:`): what the archive keeps and for how long. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "store_int.h"

#define MS_CENTURY (100LL * 365 * 86400 * 1000)

/* store.backend: one built into this binary, checked here so that a
 * wrong name is refused with its line, at start and on reload alike. */
static enum vigil_rc
parse_backend(const struct vigil_conf *c, const struct vigil_conf_node *v,
              void *obj, struct vigil_err *err)
{
    struct vigil_store_config *sc = obj;
    struct vigil_err why = {0};

    if (v->kind != VIGIL_CONF_SCALAR || v->value[0] == '\0' ||
        strlen(v->value) >= sizeof(sc->backend))
        return vigil_conf_fail(c, v, err,
                               "'store.backend' must be the name of a back "
                               "end, e.g. sqlite");
    if (store_backend_check(v->value, &why) != VIGIL_OK)
        return vigil_conf_fail(c, v, err, "%s", why.msg);
    snprintf(sc->backend, sizeof(sc->backend), "%s", v->value);
    return VIGIL_OK;
}

static const struct vigil_conf_key store_keys[] = {
    {.name = "backend", .type = VIGIL_CT_CUSTOM, .parse = parse_backend},
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
