/* ingest.h -- the daemon's sources and pipeline: files (tailing, rotation,
 * checkpoints), syslog over UDP/TCP/TLS, the systemd journal and stdin,
 * decoded into Events, handed to a detection hook and stored in batches.
 *
 * Each configured source runs on its own thread:
 *
 *   read lines -> vigil_decode_line (the source's decoder, configured or
 *   detected from its first line) -> detector hook (may add alerts to the
 *   batch) -> batch (archived events, alerts, checkpoints, counters)
 *   -> vigil_store_submit
 *
 * A batch closes after ingest.batch_lines lines or ingest.batch_time, or
 * as soon as the source has nothing more to read. The event memory of a
 * batch lives in one arena reset per batch. A file source's checkpoint is
 * part of the batch that holds its lines, so it is stored in the same
 * transaction; if the store reports a failed batch, the source waits for
 * the queue to drain and reads again from the last committed checkpoint,
 * so no line is lost or stored twice. Network sources cannot be re-read:
 * what the store refused is counted as dropped.
 */
#ifndef VIGIL_INGEST_H
#define VIGIL_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "store/store.h"

/* ---- configuration: the top-level keys `ingest` and `sources` ---- */

enum vigil_source_type {
    VIGIL_SOURCE_FILE = 1, /* tail files matching glob patterns */
    VIGIL_SOURCE_SYSLOG,   /* receive syslog over UDP, TCP or TLS */
    VIGIL_SOURCE_JOURNALD, /* read the systemd journal */
    VIGIL_SOURCE_STDIN     /* read lines from standard input */
};

enum vigil_protocol {
    VIGIL_PROTO_UDP = 1,
    VIGIL_PROTO_TCP,
    VIGIL_PROTO_TLS /* RFC 5425: octet-counted frames over TLS */
};

#define VIGIL_INGEST_MAX_SOURCES 64
#define VIGIL_INGEST_MAX_PATHS   64
#define VIGIL_INGEST_MAX_ALLOW   64

/* One network of a syslog source's `allow:` list, in the form
 * vigil_ip_in_cidr takes (IPv4 mapped, prefix in IPv4 bits for it). */
struct vigil_ingest_cidr {
    uint8_t net[16];
    unsigned prefix;
};

struct vigil_tz; /* parse/parse.h */

struct vigil_source_config {
    char name[128]; /* unique; names counters and archive */
    enum vigil_source_type type;
    char *paths[VIGIL_INGEST_MAX_PATHS]; /* file: glob patterns, owned */
    size_t npaths;
    char listen[256];             /* syslog: "host:port" */
    enum vigil_protocol protocol; /* syslog */
    size_t max_message;           /* syslog: longest message kept, bytes */
    /* syslog: senders accepted (none: every sender) */
    struct vigil_ingest_cidr allow[VIGIL_INGEST_MAX_ALLOW];
    size_t nallow;
    /* syslog over TCP and TLS */
    int64_t max_connections; /* open at once; the longest idle makes room */
    int64_t max_per_address; /* open at once from one address */
    int64_t idle_ms;         /* a connection silent this long is closed */
    /* syslog over TLS (the `tls:` section): PEM file paths */
    char tls_cert[1024];
    char tls_key[1024];
    char tls_ca[1024]; /* "": client certificates are not asked for */
    int tls_require_client_cert;
    int64_t tls_handshake_ms; /* a handshake not done by then is dropped */
    char format[32];          /* decoder name; "" = detect */
    int64_t year;             /* RFC 3164 year; 0 = infer */
    int64_t rotate_wait_ms;   /* file: rotate_wait, see ingest_tail.c */
    /* RFC 3164 stamps' zone (`timezone:`), read at load; NULL: UTC.
     * Owned: vigil_ingest_config_fini frees it. */
    struct vigil_tz *tz;
    char timezone[64]; /* its name as written, for messages */
};

struct vigil_ingest_config {
    struct vigil_source_config sources[VIGIL_INGEST_MAX_SOURCES];
    size_t nsources;
    int64_t batch_lines; /* ingest.batch_lines */
    int64_t batch_ms;    /* ingest.batch_time */
    int64_t poll_ms;     /* ingest.poll_interval: file poll interval */
    int64_t rescan_s;    /* ingest.rescan_interval: glob re-scan */
};

/* The keys ingest claims at the top of the configuration (`ingest:`,
 * `sources:`), for vigil_conf_apply with a struct vigil_ingest_config. */
extern const struct vigil_conf_table vigil_ingest_conf;

/* Fills cfg (caller-owned, zeroed) with the built-in sources: the system
 * log files that exist (/var/log/auth.log, secure, syslog, messages) and,
 * when none does and vigil was built with libsystemd, the journal. */
enum vigil_rc vigil_ingest_config_builtin(struct vigil_ingest_config *cfg,
                                          struct vigil_err *err);
/* Frees what cfg owns; NULL-safe. */
void vigil_ingest_config_fini(struct vigil_ingest_config *cfg);

/* The detection hook the CLI wires in (NULL: store events only).
 *
 * on_event is called once for every decoded event, on the reader thread
 * of the source that produced it, before the event is archived. ev, its
 * fields and source are borrowed for the call only. It adds whatever
 * alerts it raises with vigil_store_batch_add_alert(batch, ...), so they
 * are committed in the same transaction as the source's checkpoint; the
 * pipeline counts them (per source) from the batch. A non-OK return is
 * logged and counted; the event is still archived and reading goes on.
 *
 * Sources run concurrently: unless `serialize` is set, on_event must be
 * safe to call from several threads at once. With serialize, the pipeline
 * holds one lock around every call.
 *
 * ctx is borrowed: the hook must outlive the vigil_ingest using it. */
struct vigil_detector {
    void *ctx;
    enum vigil_rc (*on_event)(void *ctx, const struct vigil_event *ev,
                              const char *source,
                              struct vigil_store_batch *batch);
    int serialize;
};

struct vigil_ingest;

/* Builds the pipeline for cfg's sources. cfg, store and det (may be NULL)
 * are borrowed and must outlive the returned object. With once, file,
 * stdin and journal sources are read to their end and syslog sources are
 * skipped (offline use). Loads checkpoints and counters from the store.
 * Returns owned *out (free with vigil_ingest_free). */
enum vigil_rc vigil_ingest_new(struct vigil_ingest **out,
                               const struct vigil_ingest_config *cfg,
                               struct vigil_store *store,
                               const struct vigil_detector *det, int once,
                               struct vigil_err *err);

/* Opens the listening sockets and the journal (errors such as an address
 * in use are reported here) and starts one thread per source. */
enum vigil_rc vigil_ingest_start(struct vigil_ingest *ing,
                                 struct vigil_err *err);

/* In once mode: waits until every source has read to its end. Otherwise
 * returns at once. */
void vigil_ingest_wait(struct vigil_ingest *ing);

/* Has every source finished (stdin at its end, once-mode sources read
 * to their end)? A daemon whose sources are all done can exit. */
int vigil_ingest_done(struct vigil_ingest *ing);

/* On SIGHUP, with fresh built and not started and old still running
 * (both borrowed): each source of fresh takes over what the source of old
 * with the same name and type can hand over (a syslog source's listening
 * socket, with the datagrams and connections the kernel queued, when
 * protocol and listen address are the same). old closes none of it when
 * it stops; fresh reads on from it when it starts, and frees it if it
 * never starts. Returns the number of sources that took something over. */
size_t vigil_ingest_adopt(struct vigil_ingest *fresh, struct vigil_ingest *old);

/* Stops reading, submits the last partial batches and joins the threads.
 * The caller then flushes the store. Safe to call twice. */
void vigil_ingest_stop(struct vigil_ingest *ing);

/* Stops if needed and frees; NULL-safe. */
void vigil_ingest_free(struct vigil_ingest *ing);

/* Copies up to max sources' counters into out (caller-owned); returns
 * the number of sources. */
size_t vigil_ingest_counters(struct vigil_ingest *ing,
                             struct vigil_source_counters *out, size_t max);

/* Logs one line per source with its counters (message 1110). */
void vigil_ingest_log_stats(struct vigil_ingest *ing);

#endif
