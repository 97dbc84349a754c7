/* fim_loss.h -- private to src/fim: data-loss stores (fim_loss.c). */
#ifndef VIGIL_FIM_LOSS_H
#define VIGIL_FIM_LOSS_H

#include "fim/fim_int.h"

/* fim_store_history keeps, per store, the rows of the last
 * max(2 x within, FIM_LOSS_KEEP_MIN_S) and at most FIM_LOSS_ROWS_MAX. */
#define FIM_LOSS_KEEP_MIN_S 86400
#define FIM_LOSS_ROWS_MAX   200000

struct fim_loss;

/* Returns owned *out for cfg's stores (both borrowed; cfg outlives it). */
enum vigil_rc fim_loss_new(struct fim_loss **out,
                           const struct vigil_fim_config *cfg,
                           struct vigil_store *store, struct vigil_err *err);
/* Called on the daemon's tick: the first call starts the stores' thread,
 * which keeps a copy of *sink (its arg borrowed until fim_loss_stop) and
 * measures every store when due, records the measurement in the store's
 * history and hands a detection to sink when one lost more than its share
 * within its period. Without that thread (it could not start) the stores
 * that are due are measured here. */
void fim_loss_tick(struct fim_loss *l, const struct vigil_fim_sink *sink);
/* Measures, on the calling thread, every store due at now (nanoseconds
 * since the epoch); returns when the next one is due. For the thread and
 * the tests. */
int64_t fim_loss_run_due(struct fim_loss *l, const struct vigil_fim_sink *sink,
                         int64_t now);
/* Ends the stores' thread (a folder being walked is left at once).
 * Idempotent; NULL-safe. */
void fim_loss_stop(struct fim_loss *l);
/* Copies the stores' counters into st->stores and sets st->nstores. */
void fim_loss_stats(struct fim_loss *l, struct vigil_fim_monitor_stats *st);
/* Stops, then frees. NULL-safe. */
void fim_loss_free(struct fim_loss *l);

#endif
