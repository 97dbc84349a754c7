/* fim_canary.h -- private to src/fim: the canary files (fim_canary.c),
 * placed by vigil_fim_place_canaries (fim.h) and consulted by the
 * monitor (fim_watch.c). */
#ifndef VIGIL_FIM_CANARY_H
#define VIGIL_FIM_CANARY_H

#include "fim/fim_int.h"

/* Canaries per tree: a first and a last by name in the root and in its
 * first and last subfolders. */
#define FIM_CANARY_SLOTS 6
/* inotify reports the daemon's own placing: not a touch for this long */
#define FIM_CANARY_GRACE_NS (2 * VIGIL_NS_PER_SEC)

/* How many canaries are known (placed now or found from an earlier
 * run). */
size_t fim_canary_count(const struct vigil_fim_config *cfg);
/* Is path (borrowed) one of them, at now? */
int fim_canary_is(const struct vigil_fim_config *cfg, const char *path,
                  int64_t now);
/* Places again, under fresh names, the canaries that are gone or
 * changed; returns how many. */
size_t fim_canary_refresh(const struct vigil_fim_config *cfg);
/* The ordinary document written for a canary called name (its extension
 * says which: docx, pdf, else text) into buf; returns its length, 0 when
 * cap is too small. */
size_t fim_canary_content(const char *name, unsigned char *buf, size_t cap);

#endif
