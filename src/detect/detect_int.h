/* detect_int.h -- private structures of the Sigma engine, shared by the
 * files of src/detect only: the bounded YAML tree, the compiled rule
 * representation, the condition tree and the prefilter tables. */
#ifndef VIGIL_DETECT_INT_H
#define VIGIL_DETECT_INT_H

#include <pthread.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "detect/detect.h"

/* ---- limits on hostile rule files ---- */
#define DET_MAX_FILE       (1024 * 1024) /* bytes per rule file */
#define DET_MAX_DEPTH      32            /* YAML nesting */
#define DET_MAX_NODES      100000        /* YAML nodes per file */
#define DET_MAX_VALUES     8192          /* alternatives per field */
#define DET_MAX_EXPAND     1024          /* values after windash/expand */
#define DET_MAX_COND_LEN   4096          /* condition text */
#define DET_MAX_COND_DEPTH 64            /* condition nesting */
#define DET_MAX_COND_NODES 4096
#define DET_MAX_SCALAR     65536 /* one value */
#define DET_MAX_RULES      200000
#define DET_MAX_FIELD_IDS  65536

#define DET_NONE UINT32_MAX

/* ---- YAML tree (detect_yaml.c) ---- */

enum dy_kind { DY_SCALAR = 1, DY_SEQ, DY_MAP };

struct dy_node {
    uint8_t kind;
    uint8_t plain; /* scalar was unquoted (null/true/numbers) */
    int line;
    char *s; /* scalar text, NUL-terminated */
    size_t len;
    uint32_t n; /* children (maps: 2n entries key, value) */
    struct dy_node **kids;
};

/* Parses every document of data into roots (arena-owned). Returns the
 * number of documents in *ndocs. On refusal, *line and msg say where. */
enum vigil_rc detect_yaml_parse(struct vigil_arena *a, const char *data,
                                size_t len, struct dy_node ***docs,
                                size_t *ndocs, int *line, char *msg,
                                size_t msglen);
/* Map lookup by key; NULL when absent or m is not a map. */
struct dy_node *detect_yaml_get(const struct dy_node *m, const char *key);
int detect_yaml_is_null(const struct dy_node *n);

/* ---- compiled rules ---- */

enum det_op {
    OP_EQ = 1,
    OP_CONTAINS,
    OP_STARTS,
    OP_ENDS,
    OP_GLOB,
    OP_RE,
    OP_CIDR,
    OP_LT,
    OP_LTE,
    OP_GT,
    OP_GTE,
    OP_EXISTS,
    OP_NULL,
    OP_FREF, /* sub: EQ/CONTAINS/STARTS/ENDS */
};

struct det_val {
    uint8_t op;
    uint8_t sub; /* OP_FREF: comparison */
    uint8_t cased;
    uint8_t flag; /* OP_EXISTS: wanted; OP_CIDR: prefix */
    uint32_t len;
    char *s; /* lowered unless cased; glob keeps \ escapes */
    pcre2_code *re;
    double num;
    uint32_t fref;     /* field id */
    uint32_t fref_alt; /* its alias when absent (logsource), or DET_NONE */
    uint32_t grp;      /* `all`: values of one group are alternatives */
    uint32_t lit;      /* prefilter literal of this value, or DET_NONE */
    uint8_t net[16];
    /* OP_RE: every match holds need_n copies of the byte need_c (0: no
     * such count); fewer in the text means the regex is not run */
    uint8_t need_c;
    uint16_t need_n;
    /* OP_RE of literal pieces joined by `.*`: the pieces, each ended by a
     * NUL (detect_re.c), or NULL */
    char *seq;
    uint32_t seqlen;
    uint8_t dotall;
};

struct det_item {
    uint32_t field; /* field id, DET_NONE: keyword (any field) */
    uint32_t alt;   /* alias field id used when field is absent */
    uint8_t all;
    uint32_t nvals;
    struct det_val *vals;
    const char *fname; /* for matched-field reports */
};

struct det_group { /* AND of items */
    uint32_t nitems;
    struct det_item *items;
};

struct det_sel { /* OR of groups */
    char *name;
    uint32_t ngroups;
    struct det_group *groups;
};

enum det_ck { CK_SEL = 1, CK_AND, CK_OR, CK_NOT, CK_TRUE, CK_FALSE };

struct det_cond {
    uint8_t kind;
    uint32_t sel; /* CK_SEL */
    uint32_t n;
    uint32_t *kids; /* node indices */
};

struct det_detection {
    uint32_t nsels;
    struct det_sel *sels;
    uint32_t ncond;
    struct det_cond *cond;
    uint32_t root;
};

/* Parses cond text over the selection names of dt; fills dt->cond.
 * Returns VIGIL_OK or a refusal message in msg. Exposed for fuzzing. */
enum vigil_rc detect_cond_parse(struct vigil_arena *a, struct det_detection *dt,
                                const char *text, char *msg, size_t msglen);

/* Logsource predicate: Channel (and optionally EventID set) alternatives. */
struct det_lsalt {
    const char *channel;  /* NULL: any */
    const char *provider; /* NULL: any */
    uint16_t neids;
    uint16_t eids[12];
};
struct det_alias {
    const char *field;
    const char *alt;
};
struct det_lsmap {
    const char *product, *category, *service;
    uint16_t nalts;
    struct det_lsalt alts[4];
    const struct det_alias *aliases; /* NULL-terminated by field NULL */
};
/* Position of m in the table, and the table's size (per-event caches). */
size_t detect_logsource_index(const struct det_lsmap *m);
size_t detect_logsource_count(void);
#define DET_MAX_LOGSOURCES 128
/* The mapping entry for a logsource, or NULL when none applies. */
const struct det_lsmap *detect_logsource_find(const char *product,
                                              const char *category,
                                              const char *service);

/* Whether an event of no declared family (JSON lines, CEF, raw text)
 * may be shown to a rule of logsource product `product` (borrowed, not
 * NULL): for products with log formats of their own (zeek, aws, azure,
 * macos, cisco, ...) only when the event is such a record (it names the
 * product, or has fields only that product writes); for others (linux, a
 * site's own product) always (detect_logsource.c). A Zeek rule of a
 * service (rdp, dns) runs only on records of that log when the record
 * says which log it is (event.dataset zeek.X, or _path). */
int detect_logsource_product_ok(const char *product, const char *service,
                                const struct vigil_event *ev);

/* Calls add(arg, s, n) with each other form of the raw Sigma value val
 * (len bytes) of field `field` (fl bytes) that Windows may write: an
 * access right's code for its name and back, an integrity level's SID,
 * ... (detect_winmap.c). add returns non-zero to stop; so does this. */
int detect_winmap_alts(const char *field, size_t fl, const char *val,
                       size_t len,
                       int (*add)(void *arg, const char *s, size_t n),
                       void *arg);

enum det_corr_type {
    CORR_EVENT_COUNT = 1,
    CORR_VALUE_COUNT,
    CORR_TEMPORAL,
    CORR_TEMPORAL_ORDERED
};

enum det_cmp { CMP_GT = 1, CMP_GTE, CMP_LT, CMP_LTE, CMP_EQ, CMP_NEQ };

struct det_corr_group; /* detect_corr.c */

/* Sources a correlation tells apart for its budgets (detect_corr.c): slot
 * 0 holds events without a source name and those of sources past the
 * first DET_CORR_SRC - 1. Levels rank groups for eviction: a group's
 * level is its count (capped), the closer to firing the higher. */
#define DET_CORR_SRC 16
#define DET_CORR_LVL 32
struct det_corr_list {
    uint32_t head, tail; /* group indices, DET_NONE when empty */
};

struct det_corr {
    uint8_t type;
    uint8_t generate;
    uint8_t ncmp;
    uint8_t cmp[2];
    int64_t cmpv[2];
    int64_t timespan_ns;
    uint32_t nrules;
    char **refs;     /* rule names or ids as written */
    uint32_t *rules; /* resolved rule indices */
    uint32_t ngroupby;
    char **groupby;        /* field names */
    uint32_t *groupby_ids; /* [nrules * ngroupby] field ids after aliases */
    uint32_t vfield_id;    /* value_count field per rule: [nrules] */
    uint32_t *vfield_ids;
    char *vfield;
    /* state, guarded by the engine's corr_lock */
    struct det_corr_group *groups;
    size_t ngroups, capgroups;
    struct vigil_hmap *index; /* full group-by key -> group + 1 */
    char *kbuf;               /* the key being looked up */
    size_t kcap;
    uint32_t *freel; /* unused group slots */
    size_t nfree;
    int64_t last_sweep_ns;
    size_t nused;                   /* groups in use */
    uint32_t nsrc[DET_CORR_SRC];    /* groups in use per source slot */
    uint32_t lvlmask[DET_CORR_SRC]; /* levels with a group, per slot */
    struct det_corr_list *lists;    /* [DET_CORR_SRC * DET_CORR_LVL] */
    uint64_t ident;                 /* detect_corr_ident, 0: not yet */
    uint8_t *sbuf;                  /* a group's saved form being built */
    size_t scap;
};

struct det_rule {
    struct vigil_rule_info info;
    struct det_detection det;
    const struct det_lsmap *ls;
    char *ls_product, *ls_category, *ls_service;
    uint32_t nfilters;
    uint32_t *filters; /* rule indices of filters applying */
    uint32_t ncorr;
    uint32_t *corrs;       /* rule indices of correlations fed */
    uint8_t generate;      /* emits its own alerts */
    uint8_t always;        /* no prefilter literal */
    uint32_t nclauses;     /* literal clauses that must all be seen */
    struct det_corr *corr; /* kind == CORRELATION */
    char **filter_refs;    /* kind == FILTER: targets, NULL = any */
    uint32_t nfilter_refs;
};

/* prefilter key: the literal satisfies one clause of a rule; a rule
 * becomes a candidate when all its clauses are satisfied. */
struct det_key {
    uint32_t rule;
    uint32_t clause; /* engine-wide clause id */
};

struct det_lit {
    char *s;
    uint32_t len;
    uint32_t field; /* field id it is scanned in; DET_NONE: any */
    uint32_t nkeys, capkeys;
    struct det_key *keys;
};

struct det_fname {
    char *name;
    uint32_t len;
    uint64_t hash;
};

struct hs_database;
struct hs_scratch;

/* A field's literals searched without Hyperscan: a field with only a few
 * literals costs less to search directly than one hs_scan call, whose
 * fixed cost dominates on the short texts most fields have. */
#define DET_DIRECT_MAX 4
struct det_span {
    uint32_t off, n; /* into vigil_detect.dlits */
};

struct vigil_detect {
    struct vigil_detect_opts opts;
    uint64_t digest;          /* FNV-1a over what was loaded: see .h */
    struct vigil_arena arena; /* everything compiled */
    struct det_rule *rules;
    size_t nrules, caprules;
    /* field names */
    struct det_fname *fnames;
    size_t nfnames, capfnames;
    uint32_t *fhash; /* open addressing: index+1, 0 empty */
    size_t fhash_cap;
    /* literals */
    struct det_lit *lits;
    size_t nlits, caplits;
    uint32_t *lhash;
    size_t lhash_cap;
    size_t nclauses;  /* clauses of all rules */
    uint32_t *always; /* rules with no literal */
    size_t nalways;
    struct hs_database **fdb; /* per field id: its literals, or NULL */
    struct hs_database *kwdb; /* keyword literals: any field */
    struct det_span *fdir;    /* per field id: literals searched directly */
    uint32_t *dlits;          /* literal ids of all fdir spans */
    size_t ndlits;
    struct hs_scratch *proto_scratch;
    pcre2_code **res;
    size_t nres, capres;
    uint32_t fid_channel, fid_eventid, fid_provider;
    /* Allocations that failed where the failure could not be returned
     * (a field id, a prefilter literal set): a load or compile during
     * which this grows fails with VIGIL_ENOMEM, never refuses a rule or
     * builds a weaker prefilter. */
    unsigned long nomem;
    int compiled;
    struct vigil_detect_stats st;
    pthread_mutex_t corr_lock;
    int has_corr;
    /* correlation sources (names of the slots, under corr_lock) and the
     * groups dropped to make room, or refused (atomics) */
    char corr_src[DET_CORR_SRC][64];
    uint32_t ncorr_src;
    uint64_t corr_evicted, corr_refused, corr_closed, corr_suppressed;
    int64_t corr_warn_ns; /* when message 1502 was last logged */
    uint64_t corr_warn_evicted;
};

/* Field name interning. Returns the id, or DET_NONE when full. */
uint32_t detect_field_id(struct vigil_detect *d, const char *name, size_t len);
/* Lookup without inserting (matching time). */
uint32_t detect_field_find(const struct vigil_detect *d, const char *name,
                           size_t len);

/* Compiles one rule document into d->rules (detect_rule.c). Refusals are
 * returned with a message and the line. */
enum vigil_rc detect_rule_load(struct vigil_detect *d, const char *file,
                               const struct dy_node *doc, int *line, char *msg,
                               size_t msglen);

/* Builds the Hyperscan database and rule literal keys (detect_prefilter.c) */
enum vigil_rc detect_prefilter_build(struct vigil_detect *d,
                                     struct vigil_err *err);

/* A run of characters every match of regex re must contain (top level
 * only); returns its length written to buf, or 0. *need_c / *need_n: the
 * punctuation byte every match holds most often, and how often (0, 0
 * when nothing is known). */
uint32_t detect_re_literal(const char *re, uint32_t n, char *buf, uint32_t cap,
                           uint8_t *need_c, uint16_t *need_n);

/* One Hyperscan database to build: the literals order[off .. off+n) of
 * one field (DET_NONE: keywords). */
struct det_dbgroup {
    uint32_t field;
    uint32_t off;
    uint32_t n;
};

/* The on-disk cache of compiled databases (detect_cache.c). The key is a
 * SHA-256 over everything the databases are built from; 0 when it cannot
 * be computed. */
int detect_cache_key(const struct vigil_detect *d, const struct det_dbgroup *g,
                     size_t ng, const uint32_t *order, unsigned flags,
                     unsigned char key[32]);
/* Fills dbs[ng] (owned by the caller) from dir; 1 when all were read back,
 * 0 (and nothing filled) otherwise. */
int detect_cache_load(const char *dir, const unsigned char key[32],
                      const struct det_dbgroup *g, size_t ng,
                      struct hs_database **dbs);
/* Best effort: writes dbs (borrowed) under key into dir (created 0700);
 * returns 1 when the file was written. */
int detect_cache_save(const char *dir, const unsigned char key[32],
                      const struct det_dbgroup *g, size_t ng,
                      struct hs_database *const *dbs);

/* Whether regex re is literal pieces joined by `.*` (caseless: only when
 * no piece has a letter); if so *out (arena) gets the pieces, each ended
 * by a NUL, *outlen their bytes. */
int detect_re_seq(struct vigil_arena *a, const char *re, uint32_t n,
                  int caseless, char **out, uint32_t *outlen);
/* The answer PCRE gives for such a regex over t: 1 or 0, or -1 when t
 * has bytes this matcher leaves to PCRE. */
int detect_re_seq_match(const char *seq, uint32_t len, int dotall,
                        const char *t, size_t n);

/* Glob match of a lowered pattern with * ? and \ escapes (detect_eval.c). */
int detect_glob(const char *p, size_t plen, const char *s, size_t slen,
                int cased);

/* Correlation (detect_corr.c). */
struct det_ctx_view;
int detect_corr_feed(struct vigil_detect_ctx *c, uint32_t rule,
                     const struct vigil_event *ev, vigil_detect_match_fn fn,
                     void *arg);
void detect_corr_free(struct det_corr *k);
/* The source name and the store batch (both borrowed, either NULL) of
 * what c feeds next: group budgets count per source, and every change
 * to a correlation group is saved in the batch (detect_corr.c). */
void detect_ctx_io(struct vigil_detect_ctx *c, const char *source,
                   struct vigil_store_batch *batch);
const char *detect_ctx_source(const struct vigil_detect_ctx *c);
struct vigil_store_batch *detect_ctx_batch(const struct vigil_detect_ctx *c);

/* Saved correlation groups (detect_corr.c). The component and key prefix
 * of their rows in the store's component state. */
#define DET_STATE_COMPONENT "detect"
/* Applies one saved group (key, blob: untrusted, from disk) to d's
 * correlation of the same identity. VIGIL_OK: restored; VIGIL_ENOTFOUND:
 * no such correlation here (a changed or removed rule); VIGIL_EPARSE: the
 * row is malformed; VIGIL_ELIMIT: the table is full. */
enum vigil_rc detect_corr_state_load(struct vigil_detect *d, const char *key,
                                     const void *blob, size_t len);
/* Calls fn with the key and saved form of every group of every
 * correlation of d (under its lock); fn returns non-zero to stop. */
enum vigil_rc detect_corr_state_each(struct vigil_detect *d,
                                     int (*fn)(const char *key,
                                               const void *blob, size_t len,
                                               int64_t last_ns, void *arg),
                                     void *arg);

/* Field lookup for the current event of a context (detect_match.c). */
const struct vigil_field *detect_ctx_field(struct vigil_detect_ctx *c,
                                           uint32_t fid);
struct vigil_detect_ctx_stats *detect_ctx_stats(struct vigil_detect_ctx *c);
/* From now on a match of a rule that feeds correlations is reported with
 * m->block set (m->alerts: whether it also alerts) and feeds nothing
 * until the caller passes it to detect_ctx_feed. */
void detect_ctx_defer_corr(struct vigil_detect_ctx *c);
/* Feeds ev (borrowed) to the correlations of rule; bind: ev is not the
 * event being matched (a replay), so make it the context's current one
 * first. Correlations it completes are reported to fn. */
enum vigil_rc detect_ctx_feed(struct vigil_detect_ctx *c, uint32_t rule,
                              const struct vigil_event *ev, int bind,
                              vigil_detect_match_fn fn, void *arg);
const struct vigil_detect *detect_ctx_engine(struct vigil_detect_ctx *c);

/* Turns a match into an alert (a->source not set): the one place that
 * builds an alert's matched-fields JSON -- the fields that took part,
 * then for correlations "correlation.count", "correlation.group" and
 * "correlation.events" (the group's building-block events s remembers, s
 * may be NULL). Strings point into ev_json / m_json or the engine.
 * (detect_session.c) */
struct vigil_alert;
struct vigil_buf;
enum vigil_rc detect_alert_make(struct vigil_detect_session *s,
                                const struct vigil_detect_match *m,
                                int event_json, struct vigil_buf *ev_json,
                                struct vigil_buf *m_json,
                                struct vigil_alert *a);

/* Parses a Sigma timespan ("30s", "5m", "1h", "2d", "1w"), at most
 * DET_MAX_TIMESPAN_S seconds. */
#define DET_MAX_TIMESPAN_S (3650LL * 86400)
/* Largest count a correlation condition may compare with. */
#define DET_CORR_MAX_COUNT 1000000000
int detect_timespan(const char *s, int64_t *ns);

/* 64-bit FNV-1a. */
static inline uint64_t
detect_hash(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static inline unsigned char
detect_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

#endif
