/* web_config.c -- the `web:` section: where the dashboard listens, its
 * certificate, the host names it answers to, how long a session lasts
 * and how many failed logins an (address, user) pair may make per minute. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "web_int.h"

/* hostnames: [dash.example.org, ...]: names a browser may send in Host
 * (web_http.c host_ok). A name, not a pattern: no wildcards. */
static enum vigil_rc
parse_hostnames(const struct vigil_conf *c, const struct vigil_conf_node *v,
                void *obj, struct vigil_err *err)
{
    struct vigil_web_config *cfg = obj;

    if (v->kind != VIGIL_CONF_SEQ)
        return vigil_conf_fail(c, v, err,
                               "web.hostnames must be a list of host names");
    cfg->nhostnames = 0;
    for (const struct vigil_conf_node *e = v->first; e; e = e->next) {
        size_t n = e->kind == VIGIL_CONF_SCALAR ? strlen(e->value) : 0;

        if (n == 0 || n >= sizeof(cfg->hostnames[0]) ||
            strspn(e->value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
                             "WXYZ0123456789.-[]:") != n)
            return vigil_conf_fail(c, e, err,
                                   "web.hostnames: '%s' is not a host name "
                                   "or address",
                                   e->value ? e->value : "");
        if (cfg->nhostnames >= VIGIL_WEB_HOSTNAMES_MAX)
            return vigil_conf_fail(c, e, err,
                                   "web.hostnames: more than %d names",
                                   VIGIL_WEB_HOSTNAMES_MAX);
        snprintf(cfg->hostnames[cfg->nhostnames++], sizeof(cfg->hostnames[0]),
                 "%s", e->value);
    }
    return VIGIL_OK;
}

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
    {.name = "hostnames", .type = VIGIL_CT_CUSTOM, .parse = parse_hostnames},
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

int
vigil_web_conf_equal(const struct vigil_web_config *a,
                     const struct vigil_web_config *b)
{
    if (a->enabled != b->enabled || strcmp(a->listen, b->listen) != 0 ||
        strcmp(a->cert, b->cert) != 0 || strcmp(a->key, b->key) != 0 ||
        a->session_ttl_s != b->session_ttl_s ||
        a->login_per_minute != b->login_per_minute ||
        a->nhostnames != b->nhostnames)
        return 0;
    for (size_t i = 0; i < a->nhostnames; i++)
        if (strcmp(a->hostnames[i], b->hostnames[i]) != 0)
            return 0;
    return 1;
}
