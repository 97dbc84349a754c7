/* core.h -- the public surface of vigil's core: error codes, bounded
 * buffers, per-batch arenas, the Event model, time helpers and logging.
 *
 * Every other domain builds on this header and nothing else from core.
 * Ownership rules are stated on each prototype: "borrows" means the
 * callee keeps no reference past the call; "returns owned" means the
 * caller frees with the named function.
 */
#ifndef VIGIL_CORE_H
#define VIGIL_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define VIGIL_VERSION "0.1.0"

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

enum vigil_rc {
    VIGIL_OK = 0,
    VIGIL_ENOMEM,   /* allocation failed */
    VIGIL_EINVAL,   /* caller passed something unusable */
    VIGIL_EIO,      /* the operating system said no */
    VIGIL_EPARSE,   /* input is not in the expected format */
    VIGIL_ELIMIT,   /* input exceeds a configured bound */
    VIGIL_ESTORE,   /* the database failed */
    VIGIL_ENOTFOUND, /* no such thing */
    VIGIL_EUNSUPPORTED, /* understood but not handled */
    VIGIL_END       /* an iterator is exhausted; not an error */
};

/* Details of the first error, in a caller-owned buffer. The first error
 * recorded wins so the root cause is never overwritten by a consequence. */
struct vigil_err {
    enum vigil_rc rc;
    char msg[256];
};

/* Returns a static description of rc. */
const char *vigil_strerror(enum vigil_rc rc);

/* Records rc and a printf-style message in err unless err already holds an
 * error or is NULL. Returns rc so callers can write
 * `return vigil_err_set(err, VIGIL_EPARSE, "...")`. */
enum vigil_rc vigil_err_set(struct vigil_err *err, enum vigil_rc rc,
                            const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clears err for reuse. */
void vigil_err_clear(struct vigil_err *err);

#define VIGIL_TRY(expr)                                                        \
    do {                                                                       \
        rc = (expr);                                                           \
        if (rc != VIGIL_OK)                                                    \
            goto out;                                                          \
    } while (0)

/* ------------------------------------------------------------------ */
/* Bounded growable buffer                                              */
/* ------------------------------------------------------------------ */

/* A byte buffer that grows up to `max` bytes. Growing past max fails with
 * VIGIL_ELIMIT and frees the contents, so a half-built result is never used
 * by mistake. The contents are always NUL-terminated when len > 0. */
struct vigil_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
};

void vigil_buf_init(struct vigil_buf *b, size_t max);
void vigil_buf_fini(struct vigil_buf *b);
void vigil_buf_reset(struct vigil_buf *b); /* len = 0, keeps memory */
enum vigil_rc vigil_buf_reserve(struct vigil_buf *b, size_t extra);
enum vigil_rc vigil_buf_append(struct vigil_buf *b, const void *p, size_t n);
enum vigil_rc vigil_buf_putc(struct vigil_buf *b, char c);
enum vigil_rc vigil_buf_printf(struct vigil_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal, quotes included. Invalid UTF-8 bytes
 * are written as \u00XX escapes of the byte so output stays valid JSON. */
enum vigil_rc vigil_buf_json_str(struct vigil_buf *b, const char *s, size_t n);

/* ------------------------------------------------------------------ */
/* Arena                                                                */
/* ------------------------------------------------------------------ */

/* A bump allocator for everything that lives as long as one batch of
 * events. Reset keeps the first chunk so a steady stream allocates
 * nothing. Allocation past `max` total bytes returns NULL. */
struct vigil_arena_chunk;
struct vigil_arena {
    struct vigil_arena_chunk *head;
    size_t used_total;
    size_t max;
    size_t chunk_size;
};

void vigil_arena_init(struct vigil_arena *a, size_t chunk_size, size_t max);
void vigil_arena_fini(struct vigil_arena *a);
void vigil_arena_reset(struct vigil_arena *a);
/* Returns memory owned by the arena (8-byte aligned), or NULL. */
void *vigil_arena_alloc(struct vigil_arena *a, size_t n);
/* Returns a NUL-terminated copy owned by the arena, or NULL. */
char *vigil_arena_strndup(struct vigil_arena *a, const char *s, size_t n);

/* ------------------------------------------------------------------ */
/* Event model                                                          */
/* ------------------------------------------------------------------ */

enum vigil_ftype {
    VIGIL_F_STR = 1,
    VIGIL_F_INT,
    VIGIL_F_IP,
    VIGIL_F_TIME
};

/* One field. Every field keeps its text form (`text`, not NUL-terminated)
 * because Sigma matches on text; typed fields also carry the parsed value.
 * `name` and `text` are borrowed: they point into the raw line, a static
 * string or the batch arena, and live as long as the batch. */
struct vigil_field {
    const char *name;
    const char *text;
    uint32_t text_len;
    uint16_t name_len;
    uint8_t type; /* enum vigil_ftype */
    union {
        int64_t i;     /* VIGIL_F_INT; VIGIL_F_TIME: ns since the epoch */
        uint8_t ip[16]; /* VIGIL_F_IP: IPv6, IPv4 as ::ffff:a.b.c.d */
    } v;
};

#define VIGIL_EVENT_MAX_FIELDS 128

/* The kind of log an event was decoded from, as its decoder declares it
 * (parse.h); detection keeps rules written for one kind of log off the
 * others (docs/hunt.md, "Which rules run where"). */
enum vigil_log_family {
    VIGIL_FAMILY_GENERIC = 0, /* JSON lines, CEF, raw: judged by fields */
    VIGIL_FAMILY_WINDOWS,     /* EVTX */
    VIGIL_FAMILY_LINUX,       /* syslog/auth, auditd */
    VIGIL_FAMILY_WEB          /* web server access logs */
};

/* An event: a flat list of fields with ECS-style dotted names ("source.ip",
 * "user.name"); Windows events keep native names ("EventID", "Image").
 * The first VIGIL_EVENT_MAX_FIELDS fields are kept; further ones set
 * `truncated` so nothing is silently lost. */
struct vigil_event {
    int64_t time_ns;      /* @timestamp; 0 when the source had none */
    const char *raw;      /* borrowed original record, may be NULL */
    uint32_t raw_len;
    uint32_t source_id;   /* which configured source produced it */
    uint64_t offset;      /* source position just past this record */
    uint16_t nfields;
    uint8_t truncated;
    uint8_t family;       /* enum vigil_log_family, set by the decoder */
    struct vigil_arena *arena; /* borrowed; where decoders copy text */
    struct vigil_field fields[VIGIL_EVENT_MAX_FIELDS];
};

/* Prepares ev for a new record; arena is borrowed for the batch. */
void vigil_event_init(struct vigil_event *ev, struct vigil_arena *arena);

/* Appends a field and returns it (value zeroed) for the caller to fill, or
 * NULL when the event is full (ev->truncated is then set). Inline because
 * decoders call it for every field of every line: with a compile-time
 * name length it costs a few stores. name and text are borrowed. */
static inline struct vigil_field *
vigil_event_push(struct vigil_event *ev, const char *name, size_t name_len,
                 const char *text, size_t len, enum vigil_ftype type)
{
    struct vigil_field *f;

    if (ev->nfields >= VIGIL_EVENT_MAX_FIELDS || name_len > UINT16_MAX ||
        len > UINT32_MAX) {
        ev->truncated = 1;
        return NULL;
    }
    f = &ev->fields[ev->nfields++];
    f->name = name;
    f->name_len = (uint16_t)name_len;
    f->text = text;
    f->text_len = (uint32_t)len;
    f->type = (uint8_t)type;
    f->v.i = 0;
    return f;
}

/* Adders. Names and text are borrowed (see struct vigil_field). They
 * return VIGIL_ELIMIT when the event is full (and set ev->truncated). */
enum vigil_rc vigil_event_add_str(struct vigil_event *ev, const char *name,
                                  const char *text, size_t len);
enum vigil_rc vigil_event_add_strz(struct vigil_event *ev, const char *name,
                                   const char *textz);
enum vigil_rc vigil_event_add_int(struct vigil_event *ev, const char *name,
                                  const char *text, size_t len, int64_t value);
/* Adds an integer whose text is formatted into the arena. */
enum vigil_rc vigil_event_add_intv(struct vigil_event *ev, const char *name,
                                   int64_t value);
/* Parses text as IPv4/IPv6; if it is not an address the field is added as a
 * plain string so nothing is lost. */
enum vigil_rc vigil_event_add_ip(struct vigil_event *ev, const char *name,
                                 const char *text, size_t len);
enum vigil_rc vigil_event_add_time(struct vigil_event *ev, const char *name,
                                   const char *text, size_t len, int64_t ns);
/* Adds a field whose name is not static: the name is copied to the arena. */
enum vigil_rc vigil_event_add_dyn(struct vigil_event *ev, const char *name,
                                  size_t name_len, const char *text,
                                  size_t len);

/* Returns the first field called name, or NULL. Borrowed. */
const struct vigil_field *vigil_event_get(const struct vigil_event *ev,
                                          const char *name);
const struct vigil_field *vigil_event_getn(const struct vigil_event *ev,
                                           const char *name, size_t name_len);

/* Appends ev as one JSON object (no newline) with flat dotted keys:
 * "@timestamp" first (RFC 3339, UTC), then fields in order. Integers are
 * JSON numbers, everything else strings. */
enum vigil_rc vigil_event_to_json(const struct vigil_event *ev,
                                  struct vigil_buf *out);

/* ------------------------------------------------------------------ */
/* IP addresses                                                         */
/* ------------------------------------------------------------------ */

/* Parses dotted IPv4 or RFC 4291 IPv6 text into 16 bytes (IPv4 mapped).
 * Returns 1 on success, 0 when text is not an address. */
int vigil_ip_parse(const char *text, size_t len, uint8_t out[16]);
/* Writes the canonical text form; returns its length. dst >= 46 bytes. */
size_t vigil_ip_format(const uint8_t ip[16], char *dst);
/* Is addr inside net/prefix? prefix counts IPv4 bits for mapped IPv4. */
int vigil_ip_in_cidr(const uint8_t addr[16], const uint8_t net[16],
                     unsigned prefix);

/* ------------------------------------------------------------------ */
/* Time                                                                 */
/* ------------------------------------------------------------------ */

#define VIGIL_NS_PER_SEC 1000000000LL

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t vigil_days_from_civil(int64_t y, unsigned m, unsigned d);
/* ns since the epoch of a UTC calendar time. The caller keeps y within
 * 1678..2261, the range int64 nanoseconds can hold. */
int64_t vigil_time_from_utc(int y, int mon, int day, int h, int min, int s,
                            long nsec);
/* Parses RFC 3339 / ISO 8601 ("2024-01-02T03:04:05.123Z", "+01:00", space
 * instead of T, no zone = UTC). Returns 1 and sets *ns, or 0 (also for
 * years outside 1678..2261). */
int vigil_time_parse_rfc3339(const char *s, size_t len, int64_t *ns);
/* Writes "YYYY-MM-DDTHH:MM:SS.mmmmmmZ" (micro-seconds); returns length.
 * dst >= 32 bytes. */
size_t vigil_time_format(int64_t ns, char *dst);
/* Wall clock now, ns since the epoch. */
int64_t vigil_time_now(void);
/* Month abbreviation ("Jan".."Dec") to 1..12, or 0. */
int vigil_month_from_abbr(const char *s);

/* ------------------------------------------------------------------ */
/* Logging                                                              */
/* ------------------------------------------------------------------ */

enum vigil_log_level {
    VIGIL_LOG_ERROR = 0,
    VIGIL_LOG_WARN,
    VIGIL_LOG_INFO,
    VIGIL_LOG_DEBUG
};

/* The library never prints: it hands each message, with a stable numeric
 * id from docs/log-messages.md, to the callback set here (the CLI sets one
 * at start-up, before threads). Without one, messages are discarded. */
typedef void (*vigil_log_fn)(enum vigil_log_level level, int id,
                             const char *msg, void *arg);
void vigil_log_set(vigil_log_fn fn, void *arg, enum vigil_log_level max);
void vigil_log(enum vigil_log_level level, int id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */
/* ------------------------------------------------------------------ */

/* Parses a decimal integer of exactly len bytes (optional leading '-').
 * Returns 1 and sets *out, or 0 on any non-digit or overflow. */
int vigil_parse_i64(const char *s, size_t len, int64_t *out);

/* Reads a whole file up to max bytes into a buffer owned by the caller
 * (free with free()). Sets *len. */
enum vigil_rc vigil_read_file(const char *path, size_t max, char **data,
                              size_t *len, struct vigil_err *err);

/* The state directory every command uses: --state-dir, else
 * $VIGIL_STATE_DIR, else /var/lib/vigil for root, else
 * $XDG_STATE_HOME/vigil or ~/.local/state/vigil. Writes into dst. */
enum vigil_rc vigil_state_dir(const char *override, char *dst, size_t dstlen,
                              struct vigil_err *err);

/* ------------------------------------------------------------------ */
/* Configuration (daemon branch; implemented in core_config.c)          */
/* ------------------------------------------------------------------ */

/* The daemon's configuration as plain structs: libyaml stays inside
 * core_config.c. Every key is documented in docs/configuration.md. A
 * loaded configuration is read-only and swapped whole on reload. */

enum vigil_source_type {
    VIGIL_SOURCE_FILE = 1, /* tail files matching glob patterns */
    VIGIL_SOURCE_SYSLOG,   /* receive syslog over UDP or TCP */
    VIGIL_SOURCE_JOURNALD, /* read the systemd journal */
    VIGIL_SOURCE_STDIN     /* read lines from standard input */
};

enum vigil_protocol {
    VIGIL_PROTO_UDP = 1,
    VIGIL_PROTO_TCP
};

#define VIGIL_CONFIG_MAX_SOURCES 64
#define VIGIL_CONFIG_MAX_PATHS 64

struct vigil_source_config {
    char name[128];              /* unique; names counters and archive */
    enum vigil_source_type type;
    char *paths[VIGIL_CONFIG_MAX_PATHS]; /* file: glob patterns, owned */
    size_t npaths;
    char listen[256];            /* syslog: "host:port" */
    enum vigil_protocol protocol; /* syslog */
    size_t max_message;          /* syslog: longest message kept, bytes */
    char format[32];             /* decoder name; "" = detect */
    int year;                    /* RFC 3164 year; 0 = infer */
};

#define VIGIL_CONFIG_MAX_PLACEHOLDERS 64
#define VIGIL_CONFIG_MAX_PLACEHOLDER_VALUES 256

/* placeholders: NAME: [value, ...] -- what a Sigma rule's %NAME% expands
 * to under the |expand modifier (site-specific lists: domain controllers,
 * admin workstations, approved countries). */
struct vigil_placeholder_config {
    char name[128];  /* without the % signs */
    char **values;   /* owned, nvalues of them */
    size_t nvalues;
};

struct vigil_config {
    char path[4096];             /* file it came from; "" = built-in */
    char state_dir[4096];        /* "" = vigil_state_dir() rule */
    int archive_events;          /* store.archive_events */
    int64_t archive_max_age_s;   /* store.archive_max_age; 0 = keep */
    int64_t archive_max_bytes;   /* store.archive_max_size; 0 = none */
    int64_t stats_interval_s;    /* counters logged every N s; 0 = never */
    int64_t batch_lines;         /* ingest.batch_lines */
    int64_t batch_ms;            /* ingest.batch_ms */
    int64_t poll_ms;             /* ingest.poll_ms: file poll interval */
    int64_t rescan_s;            /* ingest.rescan_interval: glob re-scan */
    struct vigil_source_config sources[VIGIL_CONFIG_MAX_SOURCES];
    size_t nsources;
    char *rule_dirs[VIGIL_CONFIG_MAX_PATHS]; /* rules: Sigma dirs, owned */
    size_t nrule_dirs;
    int builtin_rules; /* builtin_rules: load vigil's pack (default 1) */
    struct vigil_placeholder_config placeholders[VIGIL_CONFIG_MAX_PLACEHOLDERS];
    size_t nplaceholders;
};

/* Fills cfg with the built-in configuration: the system log files that
 * exist (/var/log/auth.log, secure, syslog, messages) and, when none does
 * and vigil was built with libsystemd, the journal. Free with
 * vigil_config_free. */
enum vigil_rc vigil_config_default(struct vigil_config *cfg,
                                   struct vigil_err *err);
/* Loads the YAML file at path (borrowed) into cfg (caller-owned; free
 * with vigil_config_free, also after a failure). Unknown keys and bad
 * values fail with VIGIL_EPARSE and "path:line: message" in err. */
enum vigil_rc vigil_config_load(const char *path, struct vigil_config *cfg,
                                struct vigil_err *err);
/* Same over a YAML text held in memory (tests, fuzzing); name is used in
 * error messages. text is borrowed. */
enum vigil_rc vigil_config_load_mem(const char *name, const char *text,
                                    size_t len, struct vigil_config *cfg,
                                    struct vigil_err *err);
/* Frees what cfg owns and zeroes it; NULL-safe. */
void vigil_config_free(struct vigil_config *cfg);
/* Parses "30d", "12h", "15m", "45s", "250ms" or plain seconds into
 * milliseconds. Returns 1 on success, 0 otherwise. */
int vigil_parse_duration_ms(const char *s, int64_t *ms);
/* Parses "10GiB", "500MB", "64KiB" or plain bytes. Returns 1 or 0. */
int vigil_parse_size(const char *s, int64_t *bytes);

#endif
