/* disclose_clean.c -- writes a copy of a document without its hidden
 * content (see vigil_disclose_clean in disclose.h). */
#include <string.h>

#include "disclose/disclose_int.h"

enum vigil_rc
vigil_disclose_clean(struct vigil_disclose *d, const void *data, size_t len,
                     struct vigil_buf *out, const char **ext,
                     struct vigil_err *err)
{
    (void)d;
    (void)data;
    (void)len;
    (void)out;
    *ext = NULL;
    return vigil_err_set(err, VIGIL_EUNSUPPORTED, "not yet");
}
