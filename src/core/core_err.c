/* core_err.c -- error codes and the caller-owned error buffer. */
#include <stdio.h>
#include <string.h>

#include "core.h"

const char *
vigil_strerror(enum vigil_rc rc)
{
    switch (rc) {
    case VIGIL_OK:
        return "ok";
    case VIGIL_ENOMEM:
        return "out of memory";
    case VIGIL_EINVAL:
        return "invalid argument";
    case VIGIL_EIO:
        return "input/output error";
    case VIGIL_EPARSE:
        return "parse error";
    case VIGIL_ELIMIT:
        return "limit exceeded";
    case VIGIL_ESTORE:
        return "store error";
    case VIGIL_ENOTFOUND:
        return "not found";
    case VIGIL_EUNSUPPORTED:
        return "unsupported";
    case VIGIL_EPERM:
        return "not permitted";
    case VIGIL_ECONFLICT:
        return "conflict";
    case VIGIL_END:
        return "end";
    }
    return "unknown error";
}

enum vigil_rc
vigil_err_set(struct vigil_err *err, enum vigil_rc rc, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || err->rc != VIGIL_OK)
        return rc;
    err->rc = rc;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return rc;
}

void
vigil_err_clear(struct vigil_err *err)
{
    if (err == NULL)
        return;
    err->rc = VIGIL_OK;
    err->msg[0] = '\0';
}
