/* parse_evtx.c -- Windows EVTX reading: placeholder until the libevtx
 * reader lands. */
#include "parse.h"

int
vigil_evtx_is_file(const char *path)
{
    (void)path;
    return 0;
}

enum vigil_rc
vigil_evtx_read_file(const char *path, vigil_event_fn fn, void *arg,
                     struct vigil_evtx_stats *stats, struct vigil_err *err)
{
    (void)fn, (void)arg, (void)stats;
    return vigil_err_set(err, VIGIL_EUNSUPPORTED, "%s: EVTX not built", path);
}

enum vigil_rc
vigil_evtx_read_mem(const void *data, size_t len, vigil_event_fn fn,
                    void *arg, struct vigil_evtx_stats *stats,
                    struct vigil_err *err)
{
    (void)data, (void)len, (void)fn, (void)arg, (void)stats;
    return vigil_err_set(err, VIGIL_EUNSUPPORTED, "EVTX not built");
}
