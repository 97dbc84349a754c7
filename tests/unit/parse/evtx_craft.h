/* evtx_craft.h -- builds small EVTX images in memory for tests: one file
 * header, one chunk, records whose binary XML uses inline names, plain
 * text values and templates with typed substitution values. Enough to
 * hand the reader every value type and hostile records (deep nesting,
 * many attributes, control characters, markup in values) that no real
 * log holds. Layout (docs/evtx.md): file header 4096 bytes, chunk 65536
 * bytes with a 512-byte header. */
#ifndef EVTX_CRAFT_H
#define EVTX_CRAFT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CRAFT_FILE_HDR 4096
#define CRAFT_CHUNK    65536
#define CRAFT_SIZE     (CRAFT_FILE_HDR + CRAFT_CHUNK)

struct craft {
    uint8_t img[CRAFT_SIZE];
    size_t pos;       /* chunk-relative write position */
    size_t rec_start; /* chunk-relative start of the open record */
    uint64_t nrecords;
    size_t last_rec; /* chunk-relative start of the last record */
    int overflow;
};

static uint32_t
craft_crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    size_t i;
    int k;

    for (i = 0; i < n; i++) {
        c ^= p[i];
        for (k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static uint8_t *
craft_chunk(struct craft *c)
{
    return c->img + CRAFT_FILE_HDR;
}

static void
craft_put(struct craft *c, const void *p, size_t n)
{
    if (n == 0)
        return; /* a null value has no bytes (and may have no pointer) */
    if (c->pos + n > CRAFT_CHUNK - 8) {
        c->overflow = 1;
        return;
    }
    memcpy(craft_chunk(c) + c->pos, p, n);
    c->pos += n;
}

static void
craft_u8(struct craft *c, uint8_t v)
{
    craft_put(c, &v, 1);
}

static void
craft_u16(struct craft *c, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    craft_put(c, b, 2);
}

static void
craft_u32(struct craft *c, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
                    (uint8_t)(v >> 24)};
    craft_put(c, b, 4);
}

static void
craft_u64(struct craft *c, uint64_t v)
{
    craft_u32(c, (uint32_t)v);
    craft_u32(c, (uint32_t)(v >> 32));
}

static void
craft_patch32(struct craft *c, size_t at, uint32_t v)
{
    uint8_t *p = craft_chunk(c) + at;
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16),
    p[3] = (uint8_t)(v >> 24);
}

/* An inline name: its offset points just past the offset field. */
static void
craft_name(struct craft *c, const char *name)
{
    size_t i, n = strlen(name);
    uint16_t hash = 0;

    for (i = 0; i < n; i++)
        hash = (uint16_t)(hash * 65599u + (uint8_t)name[i]);
    craft_u32(c, (uint32_t)(c->pos + 4));
    craft_u32(c, 0);
    craft_u16(c, hash);
    craft_u16(c, (uint16_t)n);
    for (i = 0; i < n; i++)
        craft_u16(c, (uint8_t)name[i]);
    craft_u16(c, 0);
}

/* Text value; each byte of s is one UTF-16 code unit (Latin-1). */
static void
craft_text(struct craft *c, const char *s)
{
    size_t i, n = strlen(s);

    craft_u8(c, 0x05);
    craft_u8(c, 0x01);
    craft_u16(c, (uint16_t)n);
    for (i = 0; i < n; i++)
        craft_u16(c, (uint8_t)s[i]);
}

/* Text value of raw UTF-16 code units (lone surrogates, U+FFFF, ...). */
static void
craft_text16(struct craft *c, const uint16_t *u, size_t n)
{
    size_t i;

    craft_u8(c, 0x05);
    craft_u8(c, 0x01);
    craft_u16(c, (uint16_t)n);
    for (i = 0; i < n; i++)
        craft_u16(c, u[i]);
}

/* Opens <name ...>; returns where the element's data size goes. Attributes
 * follow with craft_attr, then craft_close_start or craft_close_empty. */
static size_t
craft_open(struct craft *c, const char *name, int has_attrs, size_t *attr_sz)
{
    size_t at;

    craft_u8(c, has_attrs ? 0x41 : 0x01);
    craft_u16(c, 0xFFFF);
    at = c->pos;
    craft_u32(c, 0);
    craft_name(c, name);
    if (has_attrs) {
        *attr_sz = c->pos;
        craft_u32(c, 0);
    }
    return at;
}

static void
craft_attr(struct craft *c, const char *name, const char *value, int more)
{
    craft_u8(c, more ? 0x46 : 0x06);
    craft_name(c, name);
    craft_text(c, value);
}

static void
craft_end_attrs(struct craft *c, size_t attr_sz)
{
    craft_patch32(c, attr_sz, (uint32_t)(c->pos - attr_sz - 4));
}

static void
craft_close_start(struct craft *c)
{
    craft_u8(c, 0x02);
}

/* Ends an element opened at size_at (after its content). */
static void
craft_end(struct craft *c, size_t size_at)
{
    craft_u8(c, 0x04);
    craft_patch32(c, size_at, (uint32_t)(c->pos - size_at - 4));
}

static void
craft_empty(struct craft *c, size_t size_at)
{
    craft_u8(c, 0x03);
    craft_patch32(c, size_at, (uint32_t)(c->pos - size_at - 4));
}

/* <name>text</name> */
static void
craft_leaf(struct craft *c, const char *name, const char *text)
{
    size_t at = craft_open(c, name, 0, NULL);

    craft_close_start(c);
    craft_text(c, text);
    craft_end(c, at);
}

/* <Data Name="name">text</Data>; name NULL: unnamed. */
static void
craft_data(struct craft *c, const char *name, const char *text)
{
    size_t sz = 0, at = craft_open(c, "Data", name != NULL, &sz);

    if (name) {
        craft_attr(c, "Name", name, 0);
        craft_end_attrs(c, sz);
    }
    craft_close_start(c);
    craft_text(c, text);
    craft_end(c, at);
}

/* One substitution value of a crafted template. */
struct craft_val {
    const char *name; /* <Data Name="name"> */
    uint8_t type;     /* binary XML value type */
    int optional;     /* optional substitution (0x0e) */
    const void *data;
    uint16_t size;
};

/* A template instance defined in place, whose body is one
 * <Data Name="v[i].name">%i</Data> per value, and its values. */
static void
craft_template(struct craft *c, const struct craft_val *v, size_t n)
{
    size_t i, size_at, body, sz = 0, at;

    craft_u8(c, 0x0c);
    craft_u8(c, 0x01);
    craft_u32(c, 0);
    craft_u32(c, (uint32_t)(c->pos + 4)); /* the definition follows */
    craft_u32(c, 0);                      /* next template */
    for (i = 0; i < 16; i++)
        craft_u8(c, (uint8_t)(0xA0 + i)); /* GUID */
    size_at = c->pos;
    craft_u32(c, 0);
    body = c->pos;
    craft_u8(c, 0x0F);
    craft_u8(c, 1);
    craft_u8(c, 1);
    craft_u8(c, 0);
    for (i = 0; i < n; i++) {
        at = craft_open(c, "Data", 1, &sz);
        craft_attr(c, "Name", v[i].name, 0);
        craft_end_attrs(c, sz);
        craft_close_start(c);
        craft_u8(c, v[i].optional ? 0x0e : 0x0d);
        craft_u16(c, (uint16_t)i);
        craft_u8(c, v[i].type);
        craft_end(c, at);
    }
    craft_u8(c, 0x00);
    craft_patch32(c, size_at, (uint32_t)(c->pos - body));
    craft_u32(c, (uint32_t)n);
    for (i = 0; i < n; i++) {
        craft_u16(c, v[i].size);
        craft_u8(c, v[i].type);
        craft_u8(c, 0);
    }
    for (i = 0; i < n; i++)
        craft_put(c, v[i].data, v[i].size);
}

static void
craft_init(struct craft *c)
{
    memset(c, 0, sizeof(*c));
    c->pos = 512;
}

/* Starts a record and writes <Event><System>...</System>; the caller
 * writes EventData/UserData and calls craft_record_end(c, event_at). */
static size_t
craft_record_begin(struct craft *c, int event_id, const char *channel)
{
    char num[16];
    size_t ev, sys, sz = 0, at;

    c->rec_start = c->pos;
    c->nrecords++;
    craft_u32(c, 0x00002a2a);
    craft_u32(c, 0); /* size, patched */
    craft_u64(c, c->nrecords);
    craft_u64(c, 132000000000000000ull); /* 2019-04-16 */
    craft_u8(c, 0x0F);                   /* fragment header */
    craft_u8(c, 1);
    craft_u8(c, 1);
    craft_u8(c, 0);
    ev = craft_open(c, "Event", 0, NULL);
    craft_close_start(c);
    sys = craft_open(c, "System", 0, NULL);
    craft_close_start(c);
    at = craft_open(c, "Provider", 1, &sz);
    craft_attr(c, "Name", "Craft-Provider", 0);
    craft_end_attrs(c, sz);
    craft_empty(c, at);
    snprintf(num, sizeof(num), "%d", event_id);
    craft_leaf(c, "EventID", num);
    snprintf(num, sizeof(num), "%llu", (unsigned long long)c->nrecords);
    craft_leaf(c, "EventRecordID", num);
    craft_leaf(c, "Channel", channel);
    craft_leaf(c, "Computer", "craft.example");
    craft_end(c, sys);
    return ev;
}

static void
craft_record_end(struct craft *c, size_t event_at)
{
    uint32_t size;

    craft_end(c, event_at);
    craft_u8(c, 0x00); /* end of fragment */
    while ((c->pos - c->rec_start + 4) % 8)
        craft_u8(c, 0);
    size = (uint32_t)(c->pos - c->rec_start + 4);
    craft_u32(c, size);
    craft_patch32(c, c->rec_start + 4, size);
    c->last_rec = c->rec_start;
}

/* Recomputes a chunk header's two checksums: the event records' (from
 * the header to the free-space offset) and the header's own. */
static void
craft_chunk_crcs(uint8_t *k)
{
    uint32_t free_off = (uint32_t)k[48] | (uint32_t)k[49] << 8 |
                        (uint32_t)k[50] << 16 | (uint32_t)k[51] << 24;
    uint8_t tmp[512 - 8];
    uint32_t crc = craft_crc32(k + 512, free_off - 512);
    int i;

    for (i = 0; i < 4; i++)
        k[52 + i] = (uint8_t)(crc >> (8 * i));
    memcpy(tmp, k, 120);
    memcpy(tmp + 120, k + 128, 512 - 128);
    crc = craft_crc32(tmp, 120 + 512 - 128);
    for (i = 0; i < 4; i++)
        k[124 + i] = (uint8_t)(crc >> (8 * i));
}

/* Recomputes the file header's checksum. */
static void
craft_file_crc(uint8_t *f)
{
    uint32_t crc = craft_crc32(f, 120);
    int i;

    for (i = 0; i < 4; i++)
        f[124 + i] = (uint8_t)(crc >> (8 * i));
}

/* Writes both headers and their checksums; returns the image size. */
static size_t
craft_finish(struct craft *c)
{
    uint8_t *f = c->img, *k = craft_chunk(c);
    uint32_t crc;
    uint8_t tmp[512 - 8];

#define PUT64(p, v)                                                            \
    do {                                                                       \
        uint64_t v_ = (v);                                                     \
        int i_;                                                                \
        for (i_ = 0; i_ < 8; i_++)                                             \
            (p)[i_] = (uint8_t)(v_ >> (8 * i_));                               \
    } while (0)
#define PUT32(p, v) PUT64_32(p, v)
#define PUT64_32(p, v)                                                         \
    do {                                                                       \
        uint32_t v_ = (v);                                                     \
        (p)[0] = (uint8_t)v_, (p)[1] = (uint8_t)(v_ >> 8),                     \
        (p)[2] = (uint8_t)(v_ >> 16), (p)[3] = (uint8_t)(v_ >> 24);            \
    } while (0)
    memcpy(f, "ElfFile", 8);
    PUT64(f + 8, 0);
    PUT64(f + 16, 0);
    PUT64(f + 24, c->nrecords + 1);
    PUT32(f + 32, 128);
    f[36] = 1, f[37] = 0; /* minor 1 */
    f[38] = 3, f[39] = 0; /* major 3 */
    f[40] = 0x00, f[41] = 0x10;
    f[42] = 1, f[43] = 0; /* one chunk */
    PUT32(f + 124, craft_crc32(f, 120));

    memcpy(k, "ElfChnk", 8);
    PUT64(k + 8, 1);
    PUT64(k + 16, c->nrecords);
    PUT64(k + 24, 1);
    PUT64(k + 32, c->nrecords);
    PUT32(k + 40, 128);
    PUT32(k + 44, (uint32_t)c->last_rec);
    PUT32(k + 48, (uint32_t)c->pos);
    PUT32(k + 52, craft_crc32(k + 512, c->pos - 512));
    memcpy(tmp, k, 120);
    memcpy(tmp + 120, k + 128, 512 - 128);
    crc = craft_crc32(tmp, 120 + 512 - 128);
    PUT32(k + 124, crc);
#undef PUT64
#undef PUT32
#undef PUT64_32
    return CRAFT_SIZE;
}

#endif
