/* daemon.h -- the daemon (`vigil run`): its configuration and its life
 * cycle. The command line parses options and makes one call here.
 *
 * The daemon is a table of components (daemon_int.h): ingest (sources),
 * detection, the store's housekeeping, and each new capability. Each
 * component owns a section of the configuration, is built from it, started,
 * ticked once a second, stopped and freed. Components talk through an
 * in-process bus of events, alerts and findings. SIGHUP builds a whole new
 * set from the new configuration, swaps it in and frees the old one; a
 * configuration or component that fails to build leaves the running set
 * as it was. docs/architecture.md draws the picture.
 */
#ifndef VIGIL_DAEMON_H
#define VIGIL_DAEMON_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

struct vigil_store_schema;

struct vigil_daemon_config;
struct vigil_detect_config;
struct vigil_ingest_config;

/* Loads the configuration file at path (borrowed), or the built-in one
 * when path is NULL (the system logs that exist, else the journal).
 * Every component checks its own keys; a refused key gives VIGIL_EPARSE
 * with "file:line: message", an unreadable file VIGIL_EIO/VIGIL_ENOTFOUND.
 * Returns owned *out (free with vigil_daemon_config_free). */
enum vigil_rc vigil_daemon_config_load(struct vigil_daemon_config **out,
                                       const char *path, struct vigil_err *err);
/* Same over a YAML text in memory (tests, fuzzing); name is used in
 * messages. text is borrowed. */
enum vigil_rc vigil_daemon_config_load_mem(struct vigil_daemon_config **out,
                                           const char *name, const char *text,
                                           size_t len, struct vigil_err *err);
void vigil_daemon_config_free(struct vigil_daemon_config *cfg);

/* Read-only views into a loaded configuration (borrowed from cfg). */
const char *vigil_daemon_config_path(const struct vigil_daemon_config *cfg);
/* The state_dir key as written, "" when absent. */
const char *
vigil_daemon_config_state_dir(const struct vigil_daemon_config *cfg);
int64_t
vigil_daemon_config_stats_interval(const struct vigil_daemon_config *cfg);
/* A component's section by the component's name ("ingest", "detect",
 * "store"), or NULL; the caller knows its type from the domain header. */
const void *vigil_daemon_config_section(const struct vigil_daemon_config *cfg,
                                        const char *component);

/* Every domain's tables this binary knows, in migration order (the list
 * for vigil_store_opts.schemas of any read-write open); sets *n. Static. */
const struct vigil_store_schema *const *vigil_daemon_schemas(size_t *n);

struct vigil_daemon_opts {
    const char *config_path; /* NULL: the built-in configuration */
    const char *state_dir;   /* NULL: the configuration's, else default */
    int once;                /* read the files to their end and stop */
};

/* Runs the daemon until SIGTERM or SIGINT (or, with once, until every
 * source has ended); SIGHUP reloads. Logs through vigil_log. Returns
 * VIGIL_OK after a clean stop; VIGIL_EPARSE/VIGIL_EINVAL when the
 * configuration or a rule set is refused at start; VIGIL_EIO/VIGIL_ESTORE
 * for the store or I/O; err says why. */
enum vigil_rc vigil_daemon_run(const struct vigil_daemon_opts *opts,
                               struct vigil_err *err);

#endif
