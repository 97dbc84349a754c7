/* config_test.h -- what the daemon configuration tests share: load a
 * text or the built-in configuration and look at each component's
 * section as the components see it. */
#ifndef VIGIL_CONFIG_TEST_H
#define VIGIL_CONFIG_TEST_H

#include "daemon/daemon.h"
#include "detect/detect.h"
#include "ingest/ingest.h"
#include "store/store.h"

/* The sections of a loaded configuration, as the components see them. */
struct sections {
    struct vigil_daemon_config *cfg;
    const struct vigil_store_config *st;
    const struct vigil_ingest_config *in;
    const struct vigil_detect_config *dt;
};

static inline void
sections_of(struct sections *s)
{
    s->st = vigil_daemon_config_section(s->cfg, "store");
    s->in = vigil_daemon_config_section(s->cfg, "ingest");
    s->dt = vigil_daemon_config_section(s->cfg, "detect");
}

static inline enum vigil_rc
load(const char *text, struct sections *s, struct vigil_err *err)
{
    enum vigil_rc rc;

    vigil_err_clear(err);
    s->cfg = NULL;
    rc = vigil_daemon_config_load_mem(&s->cfg, "vigil.yml", text, strlen(text),
                                      err);
    if (rc == VIGIL_OK)
        sections_of(s);
    return rc;
}

/* The built-in configuration (no file). */
static inline enum vigil_rc
load_builtin(struct sections *s, struct vigil_err *err)
{
    enum vigil_rc rc;

    vigil_err_clear(err);
    if ((rc = vigil_daemon_config_load(&s->cfg, NULL, err)) == VIGIL_OK)
        sections_of(s);
    return rc;
}

static inline void
unload(struct sections *s)
{
    vigil_daemon_config_free(s->cfg);
    s->cfg = NULL;
}

#endif
