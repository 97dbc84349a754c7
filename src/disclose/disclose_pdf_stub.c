/* disclose_pdf_stub.c -- TEMPORARY stand-in for the PDF inspector until
 * branch piipdf lands src/disclose/pdf; delete this file on that merge.
 * Weak, so a real disclose_pdf_inspect linked beside it wins. */
#include "disclose/pdf/pdf.h"

__attribute__((weak)) enum vigil_rc
disclose_pdf_inspect(const void *data, size_t len,
                     const struct pdf_limits *limits,
                     const struct pdf_callbacks *cb, struct vigil_err *err)
{
    (void)data;
    (void)len;
    (void)limits;
    (void)cb;
    return vigil_err_set(err, VIGIL_EUNSUPPORTED,
                         "PDF inspection is not built in");
}
