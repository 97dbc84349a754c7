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
#include <sys/stat.h>

#define VIGIL_VERSION "0.1.0"

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

enum vigil_rc {
    VIGIL_OK = 0,
    VIGIL_ENOMEM,       /* allocation failed */
    VIGIL_EINVAL,       /* caller passed something unusable */
    VIGIL_EIO,          /* the operating system said no */
    VIGIL_EPARSE,       /* input is not in the expected format */
    VIGIL_ELIMIT,       /* input exceeds a configured bound */
    VIGIL_ESTORE,       /* the database failed */
    VIGIL_ENOTFOUND,    /* no such thing */
    VIGIL_EUNSUPPORTED, /* understood but not handled */
    VIGIL_EPERM,        /* refused: not safe to trust or not allowed */
    VIGIL_ECONFLICT,    /* already there, or a constraint says no */
    VIGIL_END           /* an iterator is exhausted; not an error */
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
 * nothing. Allocation past `max` total bytes returns NULL. `nomem` counts
 * the allocations refused because malloc failed (never reset), so a caller
 * that treats a NULL as a bound (a dropped field) can still tell an
 * out-of-memory failure apart and report VIGIL_ENOMEM. */
struct vigil_arena_chunk;
struct vigil_arena {
    struct vigil_arena_chunk *head;
    size_t used_total;
    size_t max;
    size_t chunk_size;
    unsigned long nomem;
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

enum vigil_ftype { VIGIL_F_STR = 1, VIGIL_F_INT, VIGIL_F_IP, VIGIL_F_TIME };

/* One field. Every field keeps its text form (`text`, not NUL-terminated)
 * because Sigma matches on text; typed fields also carry the parsed value.
 * `name` and `text` are borrowed: they point into the raw line, a static
 * string or the batch arena, and live as long as the batch. */
struct vigil_field {
    const char *name;
    const char *text;
    uint32_t text_len;
    uint16_t name_len;
    uint8_t type;  /* enum vigil_ftype */
    uint8_t flags; /* VIGIL_FF_* */
    union {
        int64_t i;      /* VIGIL_F_INT; VIGIL_F_TIME: ns since the epoch */
        uint8_t ip[16]; /* VIGIL_F_IP: IPv6, IPv4 as ::ffff:a.b.c.d */
    } v;
};

/* An element of an array: the fields of one name in a row that carry it
 * are that array's elements, in order (JSON output writes them as one
 * array). Several fields of one name make a multi-valued field: Sigma
 * matches a value when any of them matches (docs/rules.md). */
#define VIGIL_FF_ELEM 1

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
    int64_t time_ns; /* @timestamp; 0 when the source had none */
    const char *raw; /* borrowed original record, may be NULL */
    uint32_t raw_len;
    uint32_t source_id; /* which configured source produced it */
    uint64_t offset;    /* source position just past this record */
    uint16_t nfields;
    uint8_t truncated;
    uint8_t family;            /* enum vigil_log_family, set by the decoder */
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
    f->flags = 0;
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
 * JSON numbers, everything else strings; a run of VIGIL_FF_ELEM fields of
 * one name is one array. */
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

/* May vigil trust path (its configuration, rules, state)? Like sshd's
 * StrictModes: path and every folder above it belong to root or to uid
 * owner, and none can be written by group or others (a root-owned folder
 * with the sticky bit, /tmp, is accepted). With nofollow, path itself must
 * not be a symbolic link. VIGIL_EPERM says which element and why;
 * VIGIL_ENOTFOUND or VIGIL_EIO when it cannot be examined. */
enum vigil_rc vigil_path_trusted(const char *path, uid_t owner, int nofollow,
                                 struct vigil_err *err);

/* A folder of data installed with vigil (NAME: "rules", "playbooks"):
 * $env_var when set (1 if it exists), else share/vigil/NAME beside the
 * binary's prefix, else the source tree's NAME ($VIGIL_SOURCE_DIR, then
 * source_dir, the tree the caller was built from; may be NULL), else
 * /usr/share/vigil/NAME. Returns 1 with the folder in dst, 0 (dst holds
 * the last place tried) when none is there. All borrowed. */
int vigil_find_data_dir(const char *env_var, const char *name,
                        const char *source_dir, char *dst, size_t len);

/* mkdir -p with mode 0700 for what it creates; returns 0 or -1 (errno
 * set). */
int vigil_mkdir_p(const char *path);

/* The folder for compiled rule databases kept between runs:
 * STATE_DIR/cache (state_dir NULL: the default state directory), made if
 * missing. Returns 1 with the path in dst, 0 when there is none to use. */
int vigil_cache_dir(const char *state_dir, char *dst, size_t len);

/* Length of an id from vigil_uid_new, without its NUL. */
#define VIGIL_UID_LEN 32
/* Fills out with a new random id (VIGIL_UID_LEN lower-case hex digits and
 * a NUL) for alerts, incidents and actions: unguessable and unique across
 * machines, so ids from many agents never collide. VIGIL_EIO when the
 * kernel has no randomness to give. */
enum vigil_rc vigil_uid_new(char out[VIGIL_UID_LEN + 1]);

/* ------------------------------------------------------------------ */
/* Growable arrays (core_vec.c)                                         */
/* ------------------------------------------------------------------ */

/* realloc(p, n * size) that fails (NULL, errno ENOMEM, p untouched) when
 * the product overflows instead of allocating a short block. p is taken
 * over on success like realloc's. */
void *vigil_reallocarray(void *p, size_t n, size_t size);

/* Makes room for at least `need` elements of `elsize` bytes in the array
 * whose pointer is at arrp (a `T **`, passed as void * so any element type
 * fits) and whose capacity in elements is *cap. The capacity doubles (at
 * least 8), never past `max` elements (0: no bound but size_t overflow);
 * the new elements are zeroed. Returns VIGIL_OK, VIGIL_ELIMIT when need is
 * over max or the size overflows, VIGIL_ENOMEM; on failure the array and
 * *cap are unchanged and still owned by the caller. */
enum vigil_rc vigil_grow(void *arrp, size_t *cap, size_t need, size_t elsize,
                         size_t max);

/* The common case: room for one more element past n in arr (an lvalue of
 * pointer type) with capacity cap (a size_t lvalue), no bound but
 * overflow. */
#define VIGIL_GROW(arr, n, cap)                                                \
    ((n) < (cap)                                                               \
         ? VIGIL_OK                                                            \
         : vigil_grow(&(arr), &(cap), (size_t)(n) + 1, sizeof(*(arr)), 0))

/* ------------------------------------------------------------------ */
/* Hash table with full keys (core_hmap.c)                              */
/* ------------------------------------------------------------------ */

/* SipHash-1-3 (Aumasson & Bernstein) of p under a 16-byte key: the keyed
 * hash of every vigil_hmap, so input chosen by an attacker (log lines)
 * cannot be made to pile into one bucket. vigil_siphash24 is the paper's
 * SipHash-2-4, the same code with more rounds, for its test vectors. */
uint64_t vigil_siphash13(const uint8_t key[16], const void *p, size_t n);
uint64_t vigil_siphash24(const uint8_t key[16], const void *p, size_t n);

/* A hash table from byte strings (bytes + length, compared in full, so
 * two keys that hash alike stay apart) to non-NULL void * values. The
 * table copies keys; values are the caller's unless a free callback is
 * given, which then runs on each value the table drops (delete, replace,
 * free). Keyed with a random SipHash key per table. At most `max`
 * entries: a put beyond that fails with VIGIL_ELIMIT. Not thread-safe. */
struct vigil_hmap;
typedef void (*vigil_hmap_free_fn)(void *val);

/* Returns owned (free with vigil_hmap_free) in *out. max 0: 1 << 30. */
enum vigil_rc vigil_hmap_new(struct vigil_hmap **out, size_t max,
                             vigil_hmap_free_fn free_val,
                             struct vigil_err *err);
/* Frees every key, every value through the callback, and m; NULL-safe. */
void vigil_hmap_free(struct vigil_hmap *m);
/* Returns the value stored under key (borrowed), or NULL. Allocates
 * nothing. */
void *vigil_hmap_get(const struct vigil_hmap *m, const void *key, size_t klen);
/* Stores val (not NULL) under a copy of key, replacing (and freeing
 * through the callback) an older value. VIGIL_ELIMIT when full,
 * VIGIL_ENOMEM; on failure val is still the caller's. */
enum vigil_rc vigil_hmap_put(struct vigil_hmap *m, const void *key, size_t klen,
                             void *val);
/* Removes key (its value goes to the callback). Returns 1 if it was
 * there. Safe during vigil_hmap_next: nothing moves until the next put. */
int vigil_hmap_del(struct vigil_hmap *m, const void *key, size_t klen);
/* Entries stored. */
size_t vigil_hmap_count(const struct vigil_hmap *m);
/* Iterates in table order (not insertion order): start with *pos = 0;
 * returns 1 and sets key, klen, val (borrowed) per entry, 0 at the end. */
int vigil_hmap_next(const struct vigil_hmap *m, size_t *pos, const void **key,
                    size_t *klen, void **val);

/* ------------------------------------------------------------------ */
/* Directory walk (core_walk.c)                                         */
/* ------------------------------------------------------------------ */

/* How vigil_walk treats a tree. Zeroed means: symbolic links below the
 * root are not followed, hidden names are listed, every kind of entry is
 * reported, readdir order, VIGIL_WALK_MAX_DEPTH, VIGIL_WALK_MAX_ENTRIES. */
struct vigil_walk_opts {
    int follow_symlinks; /* stat instead of lstat below the root */
    int skip_hidden;     /* names starting with '.' */
    int regular_only;    /* report regular files only (still descends) */
    int sorted;          /* siblings by strcmp of their names */
    unsigned max_depth;  /* root's entries are depth 1; 0: default */
    size_t max_entries;  /* reported entries; 0: default */
};

#define VIGIL_WALK_MAX_DEPTH   32
#define VIGIL_WALK_MAX_ENTRIES 1000000

struct vigil_walk_entry {
    const char *path; /* root + "/" + names, borrowed for the call */
    const char *name; /* last component (the root's own path at depth 0) */
    unsigned depth;   /* 0: the root itself when it is not a folder */
    struct stat st;   /* lstat, or stat when following links */
};

/* Called for each entry; a result other than VIGIL_OK stops the walk and
 * becomes its result. */
typedef enum vigil_rc (*vigil_walk_fn)(const struct vigil_walk_entry *e,
                                       void *arg);
/* Called for what is skipped but does not stop the walk, with the path
 * and why (the reason in why->msg, without the path): a folder or entry
 * the system refused (VIGIL_EIO, strerror), a folder already visited
 * through a link or bind mount (VIGIL_EINVAL, a loop), a folder deeper
 * than max_depth or a path too long (VIGIL_ELIMIT). Returning other than
 * VIGIL_OK stops the walk with that result. NULL: skipped silently. */
typedef enum vigil_rc (*vigil_walk_err_fn)(const char *path,
                                           const struct vigil_err *why,
                                           void *arg);

/* Walks root depth first, each folder before its contents, without
 * recursion. A root that is not a folder is reported alone at depth 0
 * (links at the root are always followed: the caller named it). Fails
 * with VIGIL_EIO when root cannot be read, VIGIL_ELIMIT past max_entries,
 * VIGIL_ENOMEM, or what fn / on_err returned; details in err. opts may be
 * NULL; everything is borrowed. */
enum vigil_rc vigil_walk(const char *root, const struct vigil_walk_opts *opts,
                         vigil_walk_fn fn, vigil_walk_err_fn on_err, void *arg,
                         struct vigil_err *err);

/* ------------------------------------------------------------------ */
/* Configuration: a generic tree and key tables (core_conf.c)           */
/* ------------------------------------------------------------------ */

/* The configuration file is loaded once into a tree of plain nodes that
 * keep their line numbers; libyaml stays inside core_conf.c. Core knows
 * no domain's keys: each domain declares a table for its own section and
 * checks it with vigil_conf_apply (docs/configuration.md lists them). */

enum vigil_conf_kind { VIGIL_CONF_SCALAR = 1, VIGIL_CONF_SEQ, VIGIL_CONF_MAP };

/* One node; owned by its struct vigil_conf. Children (the entries of a
 * mapping, the items of a sequence) are linked in file order. */
struct vigil_conf_node {
    enum vigil_conf_kind kind;
    unsigned line;     /* where the value starts */
    const char *key;   /* an entry of a mapping: its key; else NULL */
    unsigned key_line; /* where the key is */
    const char *value; /* scalars: the text */
    const struct vigil_conf_node *first; /* first child */
    const struct vigil_conf_node *next;  /* next sibling */
    size_t n;                            /* number of children */
};

struct vigil_conf;

/* Parses a YAML text (borrowed) named name in messages. Keys must be
 * plain and unique per mapping; depth, node count and size are bounded.
 * Returns owned *out (free with vigil_conf_free). */
enum vigil_rc vigil_conf_parse(struct vigil_conf **out, const char *name,
                               const char *text, size_t len,
                               struct vigil_err *err);
/* Same for the file at path (borrowed); read whole, at most 1 MiB. */
enum vigil_rc vigil_conf_read(struct vigil_conf **out, const char *path,
                              struct vigil_err *err);
void vigil_conf_free(struct vigil_conf *c);
/* The document's root (borrowed), NULL for an empty document. */
const struct vigil_conf_node *vigil_conf_root(const struct vigil_conf *c);
/* The name given at parse (the file's path). */
const char *vigil_conf_name(const struct vigil_conf *c);
/* Sets err to "name:LINE: message" (LINE from n, or 1) and returns
 * VIGIL_EPARSE. */
enum vigil_rc vigil_conf_fail(const struct vigil_conf *c,
                              const struct vigil_conf_node *n,
                              struct vigil_err *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The entry of mapping map (borrowed; NULL-safe) whose key is key, or
 * NULL. */
const struct vigil_conf_node *vigil_conf_get(const struct vigil_conf_node *map,
                                             const char *key);

/* What a key holds and how its text is read. */
enum vigil_conf_type {
    VIGIL_CT_STR = 1, /* char[size]; min > 0: must not be empty */
    VIGIL_CT_BOOL,    /* int: true/false, yes/no, on/off */
    VIGIL_CT_INT,     /* int64_t in [min, max] */
    VIGIL_CT_MS,      /* int64_t milliseconds; "30s", "250ms", "2h" */
    VIGIL_CT_SECONDS, /* int64_t seconds; written and bounded (min, max)
                       * as a duration in milliseconds */
    VIGIL_CT_SIZE,    /* int64_t bytes; "10GiB", "500MB" */
    VIGIL_CT_SECTION, /* a nested mapping checked against sub */
    VIGIL_CT_CUSTOM   /* parse() reads the value itself */
};

struct vigil_conf_table;

/* Reads node v (borrowed) into obj; returns VIGIL_EPARSE with file:line
 * (vigil_conf_fail) when the value is refused. */
typedef enum vigil_rc (*vigil_conf_parse_fn)(const struct vigil_conf *c,
                                             const struct vigil_conf_node *v,
                                             void *obj, struct vigil_err *err);

struct vigil_conf_key {
    const char *name;
    enum vigil_conf_type type;
    size_t offset; /* where the value lives in the section's object */
    size_t size;   /* VIGIL_CT_STR: the buffer's size */
    int64_t min, max;
    int64_t def;                        /* numbers and booleans: the default */
    const struct vigil_conf_table *sub; /* VIGIL_CT_SECTION */
    vigil_conf_parse_fn parse;          /* VIGIL_CT_CUSTOM */
};

/* A domain's keys. prefix ("store.", or "" at the top) names them in
 * messages. */
struct vigil_conf_table {
    const char *prefix;
    const struct vigil_conf_key *keys;
    size_t n;
};

/* A table and the object its offsets point into. */
struct vigil_conf_binding {
    const struct vigil_conf_table *table;
    void *obj;
};

/* Writes every number and boolean default of t (and its sections) into
 * obj; strings and custom keys are left as they are (zeroed objects). */
void vigil_conf_defaults(const struct vigil_conf_table *t, void *obj);

/* Checks every entry of map (NULL: nothing to do) against the keys of the
 * bound tables, in order, and reads each into its object. An entry no
 * table knows is refused: "file:line: unknown key 'x' (known: ...)". */
enum vigil_rc vigil_conf_apply(const struct vigil_conf *c,
                               const struct vigil_conf_node *map,
                               const struct vigil_conf_binding *b, size_t nb,
                               struct vigil_err *err);

/* Parses "30d", "12h", "15m", "45s", "250ms" or plain seconds into
 * milliseconds. Returns 1 on success, 0 otherwise. */
int vigil_parse_duration_ms(const char *s, int64_t *ms);
/* Parses "10GiB", "500MB", "64KiB" or plain bytes. Returns 1 or 0. */
int vigil_parse_size(const char *s, int64_t *bytes);

#endif
