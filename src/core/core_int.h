/* core_int.h -- core's internals that its unit tests reach for; nothing
 * outside src/core and tests/ includes it. */
#ifndef VIGIL_CORE_INT_H
#define VIGIL_CORE_INT_H

#include "core/core.h"

/* Makes every key of m, those stored and those to come, hash to the same
 * value, so a test can show that keys are told apart by their bytes and
 * not by their hash. Borrows m. */
void core_hmap_test_collide(struct vigil_hmap *m);

#endif
