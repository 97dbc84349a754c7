/* fim_loss.h -- private to src/fim: data-loss stores (fim_loss.c). */
#ifndef VIGIL_FIM_LOSS_H
#define VIGIL_FIM_LOSS_H

#include "fim/fim_int.h"

struct fim_loss;

/* Returns owned *out for cfg's stores (both borrowed; cfg outlives it). */
enum vigil_rc fim_loss_new(struct fim_loss **out,
                           const struct vigil_fim_config *cfg,
                           struct vigil_store *store, struct vigil_err *err);
/* Measures every store that is due, records the measurement in the
 * store's history and hands a detection to sink when one lost more than
 * its share within its period. */
void fim_loss_tick(struct fim_loss *l, const struct vigil_fim_sink *sink);
void fim_loss_free(struct fim_loss *l);

#endif
