/* parse_evtx_value.c -- EVTX binary XML value types to text.
 *
 * Every value type a record can hold (strings, integers, reals, bool,
 * binary, GUID, size_t, FILETIME, SYSTEMTIME, SID, hex integers, and
 * arrays of them) is written as text the way docs/evtx.md says: as vigil
 * wrote them when it read EVTX through libevtx (so rules and tests see the
 * same values), hexadecimal integers in Windows' short form "0x1010".
 * Appends to a bounded buffer; nothing here allocates per value. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_evtx_int.h"

int
evtx_sb_put(struct evtx_sb *sb, const char *s, size_t n)
{
    if (sb->len + n + 1 > sb->cap) {
        size_t want = sb->len + n + 1;
        if (want > EVTX_MAX_TEXT + 1 ||
            vigil_grow(&sb->p, &sb->cap, want, 1, 0) != VIGIL_OK) {
            sb->over = 1;
            return 0;
        }
    }
    memcpy(sb->p + sb->len, s, n);
    sb->len += n;
    return 1;
}

void
evtx_sb_fini(struct evtx_sb *sb)
{
    free(sb->p);
    sb->p = NULL;
    sb->len = sb->cap = 0;
}

/* Makes room for n more bytes; returns where they go, or NULL. */
static char *
sb_room(struct evtx_sb *sb, size_t n)
{
    if (sb->len + n + 1 > sb->cap) {
        size_t want = sb->len + n + 1;
        if (want > EVTX_MAX_TEXT + 1 ||
            vigil_grow(&sb->p, &sb->cap, want, 1, 0) != VIGIL_OK) {
            sb->over = 1;
            return NULL;
        }
    }
    return sb->p + sb->len;
}

int
evtx_utf16_put(struct evtx_sb *sb, const uint8_t *p, size_t nchars)
{
    char *d = sb_room(sb, nchars * 3);
    size_t i;
    char *o = d;

    if (d == NULL)
        return 0;
    for (i = 0; i < nchars; i++) {
        uint32_t c = evtx_u16(p + 2 * i);
        if (c < 0x80) {
            if (c == 0)
                break; /* strings end at their NUL */
            *o++ = (char)c;
            continue;
        }
        if (c < 0x800) {
            *o++ = (char)(0xC0 | c >> 6);
            *o++ = (char)(0x80 | (c & 0x3F));
            continue;
        }
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < nchars) {
            uint32_t lo = evtx_u16(p + 2 * i + 2);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                *o++ = (char)(0xF0 | c >> 18);
                *o++ = (char)(0x80 | ((c >> 12) & 0x3F));
                *o++ = (char)(0x80 | ((c >> 6) & 0x3F));
                *o++ = (char)(0x80 | (c & 0x3F));
                i++;
                continue;
            }
        }
        if (c >= 0xD800 && c <= 0xDFFF)
            c = 0xFFFD; /* unpaired surrogate */
        *o++ = (char)(0xE0 | c >> 12);
        *o++ = (char)(0x80 | ((c >> 6) & 0x3F));
        *o++ = (char)(0x80 | (c & 0x3F));
    }
    sb->len += (size_t)(o - d);
    return 1;
}

/* Code page text: ASCII as it is, other bytes read as Latin-1. */
static int
ansi_put(struct evtx_sb *sb, const uint8_t *p, size_t n)
{
    char *d = sb_room(sb, n * 2), *o = d;
    size_t i;

    if (d == NULL)
        return 0;
    for (i = 0; i < n && p[i]; i++) {
        if (p[i] < 0x80) {
            *o++ = (char)p[i];
        } else {
            *o++ = (char)(0xC0 | p[i] >> 6);
            *o++ = (char)(0x80 | (p[i] & 0x3F));
        }
    }
    sb->len += (size_t)(o - d);
    return 1;
}

size_t
evtx_value_fixed_size(uint8_t t)
{
    switch (t) {
    case EVTX_V_I8:
    case EVTX_V_U8:
        return 1;
    case EVTX_V_I16:
    case EVTX_V_U16:
        return 2;
    case EVTX_V_I32:
    case EVTX_V_U32:
    case EVTX_V_R32:
    case EVTX_V_BOOL:
    case EVTX_V_HEX32:
        return 4;
    case EVTX_V_I64:
    case EVTX_V_U64:
    case EVTX_V_R64:
    case EVTX_V_FILETIME:
    case EVTX_V_HEX64:
        return 8;
    case EVTX_V_GUID:
    case EVTX_V_SYSTIME:
        return 16;
    default:
        return 0;
    }
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
static void
civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;

    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void
put_digits(char *o, uint64_t v, int n)
{
    while (n-- > 0) {
        o[n] = (char)('0' + v % 10);
        v /= 10;
    }
}

size_t
evtx_filetime_text(uint64_t ft, char *out)
{
    uint64_t secs = ft / 10000000u, frac = ft % 10000000u;
    int64_t days = (int64_t)(secs / 86400u) - 134774; /* 1601 -> 1970 */
    uint64_t sod = secs % 86400u;
    int64_t y;
    unsigned m, d;

    civil(days, &y, &m, &d);
    put_digits(out, (uint64_t)y, 4);
    out[4] = '-';
    put_digits(out + 5, m, 2);
    out[7] = '-';
    put_digits(out + 8, d, 2);
    out[10] = 'T';
    put_digits(out + 11, sod / 3600, 2);
    out[13] = ':';
    put_digits(out + 14, sod / 60 % 60, 2);
    out[16] = ':';
    put_digits(out + 17, sod % 60, 2);
    out[19] = '.';
    put_digits(out + 20, frac * 100, 9);
    out[29] = 'Z';
    return 30;
}

int64_t
evtx_filetime_ns(uint64_t ft)
{
    return ((int64_t)(ft / 10000000u) - INT64_C(11644473600)) *
               INT64_C(1000000000) +
           (int64_t)(ft % 10000000u) * 100;
}

static int put_fmt(struct evtx_sb *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
put_fmt(struct evtx_sb *sb, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        return 0;
    return evtx_sb_put(sb, tmp, (size_t)n);
}

/* Decimal without printf: integers are most of the values of a record. */
static int
put_u64(struct evtx_sb *sb, uint64_t v, int neg)
{
    char tmp[24];
    int i = (int)sizeof(tmp);

    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (neg)
        tmp[--i] = '-';
    return evtx_sb_put(sb, tmp + i, sizeof(tmp) - (size_t)i);
}

static int
put_i64(struct evtx_sb *sb, int64_t v)
{
    return v < 0 ? put_u64(sb, 0 - (uint64_t)v, 1)
                 : put_u64(sb, (uint64_t)v, 0);
}

static int
put_hex(struct evtx_sb *sb, uint64_t v)
{
    static const char hx[] = "0123456789abcdef";
    char tmp[20];
    int i = (int)sizeof(tmp);

    do {
        tmp[--i] = hx[v & 15];
        v >>= 4;
    } while (v);
    tmp[--i] = 'x';
    tmp[--i] = '0';
    return evtx_sb_put(sb, tmp + i, sizeof(tmp) - (size_t)i);
}

/* {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}: the first three groups are
 * little-endian numbers, the last two bytes as stored. By hand: a record
 * has several GUIDs and printf was a fifth of the decoding time. */
static int
put_guid(struct evtx_sb *sb, const uint8_t *p)
{
    static const char hx[] = "0123456789ABCDEF";
    static const uint8_t order[16] = {3, 2, 1,  0,  5,  4,  7,  6,
                                      8, 9, 10, 11, 12, 13, 14, 15};
    char t[38], *o = t;
    int i;

    *o++ = '{';
    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        *o++ = hx[p[order[i]] >> 4];
        *o++ = hx[p[order[i]] & 15];
    }
    *o++ = '}';
    return evtx_sb_put(sb, t, sizeof(t));
}

static int
put_sid(struct evtx_sb *sb, const uint8_t *p, size_t n)
{
    uint64_t auth = 0;
    unsigned i, count;

    if (n < 8)
        return 0;
    count = p[1];
    if (8 + 4 * (size_t)count > n)
        return 0;
    for (i = 0; i < 6; i++)
        auth = auth << 8 | p[2 + i];
    if (!put_fmt(sb, "S-%u-", p[0]))
        return 0;
    if (auth >> 32) {
        if (!put_fmt(sb, "0x%012" PRIX64, auth))
            return 0;
    } else if (!put_u64(sb, auth, 0)) {
        return 0;
    }
    for (i = 0; i < count; i++)
        if (!evtx_sb_put(sb, "-", 1) ||
            !put_u64(sb, evtx_u32(p + 8 + 4 * i), 0))
            return 0;
    return 1;
}

static int
put_real(struct evtx_sb *sb, double d)
{
    return put_fmt(sb, "%.*g", 17, d);
}

/* One element of a fixed-size type (size already checked). */
static int
put_fixed(struct evtx_sb *sb, uint8_t t, const uint8_t *p)
{
    switch (t) {
    case EVTX_V_I8:
        return put_i64(sb, (int8_t)p[0]);
    case EVTX_V_U8:
        return put_u64(sb, p[0], 0);
    case EVTX_V_I16:
        return put_i64(sb, (int16_t)evtx_u16(p));
    case EVTX_V_U16:
        return put_u64(sb, evtx_u16(p), 0);
    case EVTX_V_I32:
        return put_i64(sb, (int32_t)evtx_u32(p));
    case EVTX_V_U32:
        return put_u64(sb, evtx_u32(p), 0);
    case EVTX_V_I64:
        return put_i64(sb, (int64_t)evtx_u64(p));
    case EVTX_V_U64:
        return put_u64(sb, evtx_u64(p), 0);
    case EVTX_V_R32: {
        uint32_t u = evtx_u32(p);
        float f;
        memcpy(&f, &u, sizeof(f));
        return put_fmt(sb, "%.*g", 9, (double)f);
    }
    case EVTX_V_R64: {
        uint64_t u = evtx_u64(p);
        double d;
        memcpy(&d, &u, sizeof(d));
        return put_real(sb, d);
    }
    case EVTX_V_BOOL:
        return evtx_u32(p) ? evtx_sb_put(sb, "true", 4)
                           : evtx_sb_put(sb, "false", 5);
    case EVTX_V_HEX32:
        return put_hex(sb, evtx_u32(p));
    case EVTX_V_HEX64:
        return put_hex(sb, evtx_u64(p));
    case EVTX_V_GUID:
        return put_guid(sb, p);
    case EVTX_V_FILETIME: {
        char tmp[32];
        size_t n = evtx_filetime_text(evtx_u64(p), tmp);
        return evtx_sb_put(sb, tmp, n);
    }
    case EVTX_V_SYSTIME:
        return put_fmt(sb, "%04u-%02u-%02uT%02u:%02u:%02u.%03u000000Z",
                       evtx_u16(p), evtx_u16(p + 2), evtx_u16(p + 6),
                       evtx_u16(p + 8), evtx_u16(p + 10), evtx_u16(p + 12),
                       evtx_u16(p + 14));
    default:
        return 0;
    }
}

static int
put_binary(struct evtx_sb *sb, const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789ABCDEF";
    char *d = sb_room(sb, 2 * n);
    size_t i;

    if (d == NULL)
        return 0;
    for (i = 0; i < n; i++) {
        d[2 * i] = hx[p[i] >> 4];
        d[2 * i + 1] = hx[p[i] & 15];
    }
    sb->len += 2 * n;
    return 1;
}

/* One value of a scalar type taking all n bytes. */
static int
put_scalar(struct evtx_sb *sb, uint8_t t, const uint8_t *p, size_t n)
{
    size_t fixed = evtx_value_fixed_size(t);

    switch (t) {
    case EVTX_V_NULL:
        return 1;
    case EVTX_V_STRING:
        return evtx_utf16_put(sb, p, n / 2);
    case EVTX_V_ANSI:
        return ansi_put(sb, p, n);
    case EVTX_V_BINARY:
        return put_binary(sb, p, n);
    case EVTX_V_SID:
        return put_sid(sb, p, n);
    case EVTX_V_SIZET:
        if (n == 4)
            return put_hex(sb, evtx_u32(p));
        if (n == 8)
            return put_hex(sb, evtx_u64(p));
        return 0;
    default:
        break;
    }
    if (fixed == 0 || n != fixed)
        return 0;
    return put_fixed(sb, t, p);
}

/* Arrays: the elements joined with ", " (strings are NUL-separated
 * UTF-16 in the value, fixed-size elements follow each other). */
static int
put_array(struct evtx_sb *sb, uint8_t t, const uint8_t *p, size_t n)
{
    size_t fixed = evtx_value_fixed_size(t), i = 0, k = 0;

    if (t == EVTX_V_STRING) {
        while (i + 1 < n) {
            size_t j = i;
            while (j + 1 < n && evtx_u16(p + j) != 0)
                j += 2;
            if ((k++ && !evtx_sb_put(sb, ", ", 2)) ||
                !evtx_utf16_put(sb, p + i, (j - i) / 2))
                return 0;
            i = j + 2;
        }
        return 1;
    }
    if (t == EVTX_V_ANSI) {
        while (i < n) {
            size_t j = i;
            while (j < n && p[j] != 0)
                j++;
            if ((k++ && !evtx_sb_put(sb, ", ", 2)) ||
                !ansi_put(sb, p + i, j - i))
                return 0;
            i = j + 1;
        }
        return 1;
    }
    if (t == EVTX_V_SIZET)
        fixed = 8; /* no size in the value: 64-bit logs */
    if (fixed == 0 || n % fixed)
        return 0;
    for (i = 0; i < n; i += fixed) {
        if (i && !evtx_sb_put(sb, ", ", 2))
            return 0;
        if (t == EVTX_V_SIZET ? !put_hex(sb, evtx_u64(p + i))
                              : !put_fixed(sb, t, p + i))
            return 0;
    }
    return 1;
}

int
evtx_value_put(struct evtx_sb *sb, uint8_t t, const uint8_t *p, size_t n)
{
    if (t & EVTX_V_ARRAY)
        return put_array(sb, (uint8_t)(t & 0x7F), p, n);
    return put_scalar(sb, t, p, n);
}
