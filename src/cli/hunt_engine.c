/* hunt_engine.c -- the rule engine as `vigil hunt` uses it. Until the Sigma
 * engine (src/detect) lands this only says so. */
#include <stdlib.h>

#include "hunt.h"

enum vigil_rc
hunt_engine_open(struct hunt_engine **out, const struct hunt_engine_opts *o,
                 struct vigil_err *err)
{
    (void)o;
    *out = NULL;
    return vigil_err_set(err, VIGIL_EUNSUPPORTED,
                         "the Sigma engine is not built into this vigil");
}

void
hunt_engine_close(struct hunt_engine *e)
{
    (void)e;
}

uint32_t
hunt_engine_rule_count(const struct hunt_engine *e)
{
    (void)e;
    return 0;
}

void
hunt_engine_rule_info(uint32_t rule, struct hunt_rule_info *out, void *arg)
{
    (void)rule;
    (void)arg;
    out->id = "";
    out->title = "";
    out->level = 0;
    out->tags = NULL;
}

enum vigil_rc
hunt_scratch_new(struct hunt_engine *e, struct hunt_scratch **out,
                 struct vigil_err *err)
{
    (void)e;
    *out = NULL;
    return vigil_err_set(err, VIGIL_EUNSUPPORTED, "no engine");
}

void
hunt_scratch_free(struct hunt_scratch *s)
{
    (void)s;
}

enum vigil_rc
hunt_engine_match(struct hunt_engine *e, struct hunt_scratch *s,
                  const struct vigil_event *ev, uint32_t file, uint64_t seq,
                  hunt_hit_fn fn, void *arg)
{
    (void)e, (void)s, (void)ev, (void)file, (void)seq, (void)fn, (void)arg;
    return VIGIL_EUNSUPPORTED;
}

enum vigil_rc
hunt_engine_correlate(struct hunt_engine *e, struct hunt_scratch *const *s,
                      size_t n, struct hunt_matches *out, struct vigil_err *err)
{
    (void)e, (void)s, (void)n, (void)out, (void)err;
    return VIGIL_OK;
}
