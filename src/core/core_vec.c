/* core_vec.c -- overflow-checked array growth, the one place where vigil
 * computes "count times element size" for realloc. A hand-written
 * `cap * 2` can wrap on a 32-bit count or a huge element and then
 * allocate a block shorter than the code believes. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

void *
vigil_reallocarray(void *p, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    /* realloc(p, 0) may free p; keep the "p untouched on failure" rule */
    return realloc(p, n * size != 0 ? n * size : 1);
}

enum vigil_rc
vigil_grow(void *arrp, size_t *cap, size_t need, size_t elsize, size_t max)
{
    void *old, *p;
    size_t ncap;

    if (need <= *cap)
        return VIGIL_OK;
    if (max == 0 || max > SIZE_MAX / (elsize ? elsize : 1))
        max = SIZE_MAX / (elsize ? elsize : 1);
    if (need > max)
        return VIGIL_ELIMIT;
    ncap = *cap < 8 ? 8 : *cap;
    while (ncap < need)
        ncap = ncap > max / 2 ? max : ncap * 2;
    if (ncap > max)
        ncap = max;
    memcpy(&old, arrp, sizeof(old));
    p = vigil_reallocarray(old, ncap, elsize);
    if (p == NULL)
        return VIGIL_ENOMEM;
    memset((char *)p + *cap * elsize, 0, (ncap - *cap) * elsize);
    memcpy(arrp, &p, sizeof(p));
    *cap = ncap;
    return VIGIL_OK;
}
