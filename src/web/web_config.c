/* web_config.c -- the `web:` section: where the dashboard listens, its
 * certificate, how long a session lasts and how many failed logins an
 * address may make per minute. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "web_int.h"

static const struct vigil_conf_key web_keys[] = {
    {.name = "enabled",
     .type = VIGIL_CT_BOOL,
     .offset = offsetof(struct vigil_web_config, enabled),
     .def = 1},
    {.name = "listen",
     .type = VIGIL_CT_STR,
     .offset = offsetof(struct vigil_web_config, listen),
     .size = sizeof(((struct vigil_web_config *)0)->listen),
     .min = 1},
    {.name = "cert",
     .type = VIGIL_CT_STR,
     .offset = offsetof(struct vigil_web_config, cert),
     .size = sizeof(((struct vigil_web_config *)0)->cert)},
    {.name = "key",
     .type = VIGIL_CT_STR,
     .offset = offsetof(struct vigil_web_config, key),
     .size = sizeof(((struct vigil_web_config *)0)->key)},
    {.name = "session_ttl",
     .type = VIGIL_CT_SECONDS,
     .offset = offsetof(struct vigil_web_config, session_ttl_s),
     .min = 1000, /* bounds in milliseconds, the value in seconds */
     .max = 30LL * 86400 * 1000,
     .def = 12 * 3600},
    {.name = "login_attempts",
     .type = VIGIL_CT_INT,
     .offset = offsetof(struct vigil_web_config, login_per_minute),
     .min = 1,
     .max = 1000,
     .def = 5},
};

static const struct vigil_conf_table web_section = {
    "web.", web_keys, sizeof(web_keys) / sizeof(web_keys[0])};

static const struct vigil_conf_key top_keys[] = {
    {.name = "web", .type = VIGIL_CT_SECTION, .sub = &web_section},
};

const struct vigil_conf_table vigil_web_conf = {
    "", top_keys, sizeof(top_keys) / sizeof(top_keys[0])};

enum vigil_rc
vigil_web_conf_builtin(void *conf, struct vigil_err *err)
{
    struct vigil_web_config *c = conf;

    (void)err;
    if (c->listen[0] == '\0')
        snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8443");
    return VIGIL_OK;
}
