/* parse_evtx_int.h -- internals of vigil's own EVTX reader, shared by
 * parse_evtx.c (file and chunk headers, records, threads, carving),
 * parse_evtx_bxml.c (binary XML tokens, templates, substitutions, and the
 * flattening into Event fields) and parse_evtx_value.c (value types to
 * text). The format notes are in docs/evtx.md. Not a public header. */
#ifndef VIGIL_PARSE_EVTX_INT_H
#define VIGIL_PARSE_EVTX_INT_H

#include <stddef.h>
#include <stdint.h>

#include "parse.h"

#define EVTX_FILE_HDR    4096
#define EVTX_CHUNK_SIZE  65536
#define EVTX_CHUNK_HDR   512
#define EVTX_REC_HDR     24            /* magic, size, id, written time */
#define EVTX_MAX_DEPTH   16            /* element nesting of one record */
#define EVTX_MAX_NEST    8             /* templates / BinXml inside values */
#define EVTX_MAX_ATTRS   16            /* attributes of one element */
#define EVTX_MAX_UNNAMED 64            /* unnamed <Data> of one record */
#define EVTX_MAX_NAME    256           /* a flattened field name */
#define EVTX_MAX_VALS    8192          /* substitution values in flight */
#define EVTX_MAX_TEXT    (1024 * 1024) /* text of one element or attribute */
#define EVTX_MAX_TOKENS  (1u << 16)    /* tokens walked for one record */
/* Tokens walked for one chunk: templates that instantiate each other can
 * multiply a record's tokens, and a chunk holds up to 2,000 records; real
 * chunks walk under 100,000. */
#define EVTX_MAX_CHUNK_TOKENS (1u << 22)
#define EVTX_NAME_SLOTS       1024         /* cached names per chunk */
#define EVTX_NAME_POOL        (128 * 1024) /* bytes of cached names per chunk */
#define EVTX_ARENA_CHUNK      (256 * 1024)
#define EVTX_ARENA_MAX        (16 * 1024 * 1024)

/* Binary XML value types (the low 7 bits; 0x80 marks an array). */
enum evtx_vtype {
    EVTX_V_NULL = 0x00,
    EVTX_V_STRING = 0x01,
    EVTX_V_ANSI = 0x02,
    EVTX_V_I8 = 0x03,
    EVTX_V_U8 = 0x04,
    EVTX_V_I16 = 0x05,
    EVTX_V_U16 = 0x06,
    EVTX_V_I32 = 0x07,
    EVTX_V_U32 = 0x08,
    EVTX_V_I64 = 0x09,
    EVTX_V_U64 = 0x0a,
    EVTX_V_R32 = 0x0b,
    EVTX_V_R64 = 0x0c,
    EVTX_V_BOOL = 0x0d,
    EVTX_V_BINARY = 0x0e,
    EVTX_V_GUID = 0x0f,
    EVTX_V_SIZET = 0x10,
    EVTX_V_FILETIME = 0x11,
    EVTX_V_SYSTIME = 0x12,
    EVTX_V_SID = 0x13,
    EVTX_V_HEX32 = 0x14,
    EVTX_V_HEX64 = 0x15,
    EVTX_V_BXML = 0x21,
    EVTX_V_ARRAY = 0x80
};

/* A growable text buffer with a hard bound (EVTX_MAX_TEXT); grows a few
 * times per reader, never per record. */
struct evtx_sb {
    char *p;
    size_t len, cap;
    int over; /* the bound was hit: the value is incomplete */
};

/* One substitution value: bytes inside the chunk. */
struct evtx_val {
    const uint8_t *p;
    uint32_t n;
    uint8_t type;
};

/* A cached element or attribute name, by its chunk offset. */
struct evtx_name {
    uint32_t off; /* chunk offset + 1; 0: empty slot */
    uint32_t len;
    const char *s; /* NUL-terminated UTF-8 */
};

struct evtx_frame {
    const char *name; /* static, in the name pool, or in the arena */
    const char *raw;  /* the element's name as written */
    uint8_t has_child;
    uint8_t kind;      /* enum evtx_kind in parse_evtx_bxml.c */
    uint8_t opt_empty; /* content was an empty optional substitution */
};

struct evtx_span {
    const char *p;
    size_t n;
};

struct evtx_attr {
    const char *name;    /* local name */
    uint32_t voff, vlen; /* value inside struct evtx_rec.abuf */
    int8_t keep;         /* 0: substitutions left it empty: dropped */
    int8_t literal;      /* it has a value of its own (not substituted) */
};

/* Decodes the records of one chunk at a time; one per thread. Everything
 * is allocated once and reused, so the steady state allocates nothing. */
struct evtx_rec {
    struct vigil_arena arena;
    struct vigil_event ev;
    /* the chunk being read */
    const uint8_t *chunk;
    uint32_t chunk_len; /* EVTX_CHUNK_SIZE, less for a carved tail */
    /* names, valid for the chunk */
    struct evtx_name names[EVTX_NAME_SLOTS];
    char *pool;
    size_t pool_used;
    /* substitution values of the template instances being walked */
    struct evtx_val vals[EVTX_MAX_VALS];
    uint32_t nvals;
    uint32_t tokens;       /* walked for this record */
    uint32_t chunk_tokens; /* walked for this chunk */
    int arena_full;        /* the record failed for want of arena */
    /* flattening */
    struct evtx_sb text; /* character data of the current element */
    struct evtx_sb abuf; /* attribute values of the open element */
    struct evtx_attr attrs[EVTX_MAX_ATTRS];
    int nattrs;
    int attrs_depth;       /* depth of the element r->attrs belong to; -1 */
    const char *open_name; /* element whose start tag is being read */
    int in_attr;           /* value tokens go to the last attribute */
    const char *why;       /* why the record failed, static */
    int depth;
    int section;
    int bad;
    struct evtx_frame st[EVTX_MAX_DEPTH + 1];
    struct evtx_span unnamed[EVTX_MAX_UNNAMED];
    unsigned nunnamed;
};

static inline uint16_t
evtx_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t
evtx_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static inline uint64_t
evtx_u64(const uint8_t *p)
{
    return (uint64_t)evtx_u32(p) | (uint64_t)evtx_u32(p + 4) << 32;
}

/* ---- parse_evtx_value.c ---- */

/* Appends n bytes; 0 when the bound is hit (sb->over set). */
int evtx_sb_put(struct evtx_sb *sb, const char *s, size_t n);
void evtx_sb_fini(struct evtx_sb *sb);
/* Appends UTF-16LE text of nchars code units as UTF-8, up to the first
 * NUL; an unpaired surrogate becomes U+FFFD. */
int evtx_utf16_put(struct evtx_sb *sb, const uint8_t *p, size_t nchars);
/* Appends the text of a value of type t (not EVTX_V_BXML) held in the n
 * bytes at p, formatted as docs/evtx.md says. 0: malformed value or
 * bound hit. */
int evtx_value_put(struct evtx_sb *sb, uint8_t t, const uint8_t *p, size_t n);
/* Size of a value of fixed-size type t, 0 if t has no fixed size. */
size_t evtx_value_fixed_size(uint8_t t);
/* "2019-05-12T17:01:50.781015200Z" for a FILETIME; 30 bytes, no NUL. */
size_t evtx_filetime_text(uint64_t ft, char *out);
/* ns since the epoch of a FILETIME. */
int64_t evtx_filetime_ns(uint64_t ft);

/* ---- parse_evtx_bxml.c ---- */

enum vigil_rc evtx_rec_init(struct evtx_rec *r);
void evtx_rec_fini(struct evtx_rec *r);
/* Makes the chunk (borrowed, len bytes) current: forgets cached names. */
void evtx_rec_chunk(struct evtx_rec *r, const uint8_t *chunk, uint32_t len);
/* Decodes the record at chunk offset off (size bytes, header checked by
 * the caller) into r->ev. 0: decoded; -1: malformed (r->why says why). */
int evtx_rec_decode(struct evtx_rec *r, uint32_t off, uint32_t size);

#endif
