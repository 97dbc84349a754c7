/* parse_tz.c -- time zones for the stamps that carry none (RFC 3164).
 *
 * A zone is read once, when the configuration or the command line names
 * it, from its TZif file (RFC 8536, as zic writes them under
 * /usr/share/zoneinfo) into one sorted table of transitions: UTC second
 * -> offset from then on. The footer's POSIX TZ rule extends the table
 * year by year to PARSE_MAX_YEAR, so "slim" files and dates past 2037 are
 * right too. The table never changes after loading, so every source
 * thread reads it without a lock; glibc's localtime_r would need the
 * process-wide TZ switched per source, which is not thread-safe.
 *
 * The file is input like any other: sizes, counts, offsets and the order
 * of transitions are checked (a malformed file is refused, never read
 * past), zones counting leap seconds ("right/") are refused, and names are
 * plain relative paths under the zone folder. */
#include <stdio.h>
#include <stdlib.h>

#include "parse_int.h"

#define TZ_MAX_FILE  (256 * 1024)
#define TZ_MAX_TIMES 4096
#define TZ_MAX_TYPES 256
#define TZ_MAX_CHARS 4096
#define TZ_MAX_OFF   (26 * 3600) /* RFC 8536: -89999..93599 */
#define TZ_MAX_NAME  128
#define TZ_SPAN      (TZ_MAX_OFF + 3600) /* a local time is within this of UTC */

struct vigil_tz {
    size_t n;     /* transitions */
    int64_t *at;  /* UTC seconds, strictly ascending */
    int32_t *off; /* offset from at[i] on */
    int32_t off0; /* before at[0] */
};

/* ---- lookup ---- */

/* How many transitions are at or before t. */
static size_t
tz_upto(const struct vigil_tz *tz, int64_t t)
{
    size_t lo = 0, hi = tz->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->at[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int32_t
vigil_tz_offset(const struct vigil_tz *tz, int64_t utc_s)
{
    size_t k = tz_upto(tz, utc_s);

    return k ? tz->off[k - 1] : tz->off0;
}

int64_t
vigil_tz_to_utc(const struct vigil_tz *tz, int64_t local_ns)
{
    int64_t l = local_ns / VIGIL_NS_PER_SEC, best = 0;
    int32_t cand[8];
    size_t nc = 0;
    int found = 0;

    if (local_ns % VIGIL_NS_PER_SEC < 0)
        l--;
    /* The offsets that can apply: the one in effect well before, and
     * each taken up by a transition near enough. */
    size_t k = tz_upto(tz, l - TZ_SPAN);
    cand[nc++] = k ? tz->off[k - 1] : tz->off0;
    for (; k < tz->n && nc < 8 && tz->at[k] <= l + TZ_SPAN; k++)
        cand[nc++] = tz->off[k];
    /* The UTC times at which the wall clock showed l; when it showed it
     * twice (clocks set back), the first. */
    for (size_t i = 0; i < nc; i++) {
        int64_t u = l - cand[i];
        if (vigil_tz_offset(tz, u) == cand[i] && (!found || u < best)) {
            best = u;
            found = 1;
        }
    }
    /* never shown (clocks set forward over it): read with the offset
     * before the change, which lands after it */
    if (!found)
        best = l - cand[0];
    return local_ns - (l - best) * VIGIL_NS_PER_SEC;
}

/* ---- POSIX TZ rule (the TZif footer) ---- */

struct tz_rule {
    char kind;    /* 'M', 'J' or 'n' (zero-based day) */
    int m, w, d;  /* M: month, week 1..5, weekday 0..6; J/n: day in d */
    int32_t time; /* seconds after local midnight (may be < 0 or > 24h) */
};

struct tz_posix {
    int32_t std, dst; /* UTC offsets (east positive) */
    int has_dst;
    struct tz_rule start, end;
};

/* [+-]hh[:mm[:ss]] at *p, hours up to maxh; sets *v in seconds. */
static int
posix_hms(const char **p, const char *end, int maxh, int32_t *v)
{
    const char *s = *p;
    int sign = 1, part[3] = {0, 0, 0}, k = 0;

    if (s < end && (*s == '+' || *s == '-'))
        sign = *s++ == '-' ? -1 : 1;
    for (;;) {
        int digits = 0, x = 0;
        while (s < end && parse_is_digit(*s) && digits < 3) {
            x = x * 10 + (*s++ - '0');
            digits++;
        }
        if (digits == 0 || (k > 0 && (digits != 2 || x > 59)))
            return 0;
        part[k++] = x;
        if (k == 3 || s >= end || *s != ':')
            break;
        s++;
    }
    if (part[0] > maxh)
        return 0;
    *v = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
    *p = s;
    return 1;
}

/* A zone abbreviation: <...> or three or more letters. */
static int
posix_name(const char **p, const char *end)
{
    const char *s = *p;
    size_t n = 0;

    if (s < end && *s == '<') {
        s++;
        while (s < end && *s != '>' &&
               (parse_is_digit(*s) || *s == '+' || *s == '-' ||
                ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z')))
            s++, n++;
        if (s >= end || *s != '>' || n < 3)
            return 0;
        *p = s + 1;
        return 1;
    }
    while (s < end && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'z')
        s++, n++;
    *p = s;
    return n >= 3;
}

static int
posix_rule(const char **p, const char *end, struct tz_rule *r)
{
    const char *s = *p;
    int64_t v;

    r->time = 2 * 3600;
    if (s < end && *s == 'M') {
        int f[3], k = 0;
        s++;
        for (;;) {
            const char *st = s;
            while (s < end && parse_is_digit(*s) && s - st < 2)
                s++;
            if (s == st || !vigil_parse_i64(st, (size_t)(s - st), &v))
                return 0;
            f[k++] = (int)v;
            if (k == 3)
                break;
            if (s >= end || *s != '.')
                return 0;
            s++;
        }
        if (f[0] < 1 || f[0] > 12 || f[1] < 1 || f[1] > 5 || f[2] > 6)
            return 0;
        r->kind = 'M';
        r->m = f[0];
        r->w = f[1];
        r->d = f[2];
    } else {
        const char *st;
        r->kind = 'n';
        if (s < end && *s == 'J') {
            r->kind = 'J';
            s++;
        }
        st = s;
        while (s < end && parse_is_digit(*s) && s - st < 3)
            s++;
        if (s == st || !vigil_parse_i64(st, (size_t)(s - st), &v) ||
            (r->kind == 'J' ? v < 1 || v > 365 : v > 365))
            return 0;
        r->d = (int)v;
    }
    if (s < end && *s == '/') {
        s++;
        if (!posix_hms(&s, end, 167, &r->time))
            return 0;
    }
    *p = s;
    return 1;
}

/* Parses a TZ string such as "CET-1CEST,M3.5.0,M10.5.0/3". */
static int
posix_parse(const char *s, const char *end, struct tz_posix *z)
{
    int32_t o;

    memset(z, 0, sizeof(*z));
    if (!posix_name(&s, end) || !posix_hms(&s, end, 24, &o))
        return 0;
    z->std = -o; /* POSIX counts west of Greenwich as positive */
    if (s == end)
        return 1;
    if (!posix_name(&s, end))
        return 0;
    z->has_dst = 1;
    z->dst = z->std + 3600;
    if (s < end && *s != ',') {
        if (!posix_hms(&s, end, 24, &o))
            return 0;
        z->dst = -o;
    }
    if (s == end) { /* POSIX's default rules (the US ones) */
        z->start = (struct tz_rule){'M', 3, 2, 0, 7200};
        z->end = (struct tz_rule){'M', 11, 1, 0, 7200};
        return 1;
    }
    if (*s++ != ',' || !posix_rule(&s, end, &z->start) || s >= end ||
        *s++ != ',' || !posix_rule(&s, end, &z->end))
        return 0;
    return s == end;
}

static int
is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since the epoch of the day rule r names in year y. */
static int64_t
rule_day(const struct tz_rule *r, int64_t y)
{
    if (r->kind == 'J') /* 1..365, February 29th never counted */
        return vigil_days_from_civil(y, 1, 1) + r->d - 1 +
               (is_leap(y) && r->d >= 60);
    if (r->kind == 'n')
        return vigil_days_from_civil(y, 1, 1) + r->d;
    int64_t first = vigil_days_from_civil(y, (unsigned)r->m, 1);
    int64_t next = r->m == 12 ? vigil_days_from_civil(y + 1, 1, 1)
                              : vigil_days_from_civil(y, (unsigned)r->m + 1, 1);
    /* 1970-01-01 was a Thursday (4) */
    int64_t wd = ((first % 7) + 7 + 4) % 7;
    int64_t day = first + (r->d - wd + 7) % 7 + 7 * (r->w - 1);
    while (day >= next) /* week 5: the last one */
        day -= 7;
    return day;
}

/* ---- TZif ---- */

static uint32_t
be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static int64_t
be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_hdr {
    char version;
    uint32_t isut, isstd, leap, time, type, chars;
};

static int
tzif_header(const unsigned char *p, size_t len, struct tzif_hdr *h)
{
    if (len < 44 || memcmp(p, "TZif", 4) != 0)
        return 0;
    h->version = (char)p[4];
    h->isut = be32(p + 20);
    h->isstd = be32(p + 24);
    h->leap = be32(p + 28);
    h->time = be32(p + 32);
    h->type = be32(p + 36);
    h->chars = be32(p + 40);
    return h->type >= 1 && h->type <= TZ_MAX_TYPES && h->time <= TZ_MAX_TIMES &&
           h->chars <= TZ_MAX_CHARS && (h->isut == 0 || h->isut == h->type) &&
           (h->isstd == 0 || h->isstd == h->type) && h->leap <= TZ_MAX_TIMES;
}

/* Bytes of a data block after its header; tsize: 4 (v1) or 8. */
static size_t
tzif_block(const struct tzif_hdr *h, size_t tsize)
{
    return h->time * (tsize + 1) + h->type * 6 + h->chars +
           h->leap * (tsize + 4) + h->isstd + h->isut;
}

void
vigil_tz_free(struct vigil_tz *tz)
{
    free(tz);
}

/* A zone with room for n transitions; NULL when out of memory. */
static struct vigil_tz *
tz_alloc(size_t n)
{
    struct vigil_tz *tz =
        malloc(sizeof(*tz) + n * (sizeof(int64_t) + sizeof(int32_t)));

    if (tz == NULL)
        return NULL;
    tz->n = 0;
    tz->at = (int64_t *)(void *)(tz + 1);
    tz->off = (int32_t *)(void *)(tz->at + n);
    tz->off0 = 0;
    return tz;
}

/* Appends the footer rule's transitions after the table's last, one pair
 * a year up to PARSE_MAX_YEAR. */
static void
tz_extend(struct vigil_tz *tz, const struct tz_posix *z, size_t cap)
{
    int64_t y0 = 1970;

    if (tz->n) {
        int64_t last = tz->at[tz->n - 1];
        if (last > (int64_t)(PARSE_MAX_YEAR - 1970 + 1) * 366 * 86400)
            return;
        y0 = 1970 + (last < 0 ? -1 : last / (366 * 86400)); /* at or before */
    }
    for (int64_t y = y0; y <= PARSE_MAX_YEAR; y++) {
        int64_t a = rule_day(&z->start, y) * 86400 + z->start.time - z->std;
        int64_t b = rule_day(&z->end, y) * 86400 + z->end.time - z->dst;
        int64_t t[2] = {a < b ? a : b, a < b ? b : a};
        int32_t o[2] = {a < b ? z->dst : z->std, a < b ? z->std : z->dst};
        for (int k = 0; k < 2; k++) {
            if (tz->n == cap || (tz->n && t[k] <= tz->at[tz->n - 1]))
                continue;
            tz->at[tz->n] = t[k];
            tz->off[tz->n++] = o[k];
        }
    }
}

enum vigil_rc
vigil_tz_parse(struct vigil_tz **out, const void *data, size_t len,
               struct vigil_err *err)
{
    const unsigned char *p = data, *blk, *types, *idx;
    struct tzif_hdr h;
    struct tz_posix z;
    struct vigil_tz *tz;
    size_t tsize = 4, size, cap;
    int have_rule = 0;

    *out = NULL;
    if (!tzif_header(p, len, &h))
        return vigil_err_set(err, VIGIL_EPARSE, "not a TZif zone file");
    size = tzif_block(&h, 4);
    if (len - 44 < size)
        return vigil_err_set(err, VIGIL_EPARSE, "zone file cut short");
    blk = p + 44;
    if (h.version >= '2') {
        /* the 64-bit block that follows, and its footer */
        const unsigned char *q = blk + size;
        size_t left = len - 44 - size;
        if (!tzif_header(q, left, &h))
            return vigil_err_set(err, VIGIL_EPARSE,
                                 "zone file: bad second header");
        tsize = 8;
        size = tzif_block(&h, 8);
        if (left - 44 < size)
            return vigil_err_set(err, VIGIL_EPARSE, "zone file cut short");
        blk = q + 44;
        const char *f = (const char *)blk + size, *fend = (const char *)p + len;
        if (f < fend && *f == '\n') {
            const char *nl = memchr(f + 1, '\n', (size_t)(fend - f - 1));
            if (nl == NULL || (nl > f + 1 && !posix_parse(f + 1, nl, &z)))
                return vigil_err_set(err, VIGIL_EPARSE,
                                     "zone file: bad TZ rule in its footer");
            have_rule = nl > f + 1 && z.has_dst;
        }
    }
    if (h.leap)
        return vigil_err_set(err, VIGIL_EUNSUPPORTED,
                             "zones counting leap seconds are not supported");
    idx = blk + h.time * tsize;
    types = idx + h.time;
    for (uint32_t i = 0; i < h.type; i++) {
        int32_t o = (int32_t)be32(types + 6 * i);
        if (o < -TZ_MAX_OFF || o > TZ_MAX_OFF || types[6 * i + 4] > 1)
            return vigil_err_set(err, VIGIL_EPARSE,
                                 "zone file: offset out of range");
    }
    cap = h.time + (have_rule ? 2 * (size_t)(PARSE_MAX_YEAR - 1900 + 2) : 0);
    if ((tz = tz_alloc(cap)) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    /* before the first transition: the first type (RFC 8536 3.2) */
    tz->off0 = (int32_t)be32(types);
    for (uint32_t i = 0; i < h.time; i++) {
        int64_t t = tsize == 8 ? be64(blk + 8 * i)
                               : (int64_t)(int32_t)be32(blk + 4 * i);
        if (idx[i] >= h.type || (i && t <= tz->at[i - 1])) {
            vigil_tz_free(tz);
            return vigil_err_set(err, VIGIL_EPARSE,
                                 "zone file: transitions out of order");
        }
        tz->at[i] = t;
        tz->off[i] = (int32_t)be32(types + 6 * idx[i]);
    }
    tz->n = h.time;
    if (have_rule)
        tz_extend(tz, &z, cap);
    *out = tz;
    return VIGIL_OK;
}

/* "UTC", "Z", "GMT", or an offset "+05:30", "-0800", "+02". */
static int
fixed_offset(const char *s, int32_t *off)
{
    size_t n = strlen(s);
    int h, m = 0;

    if (strcmp(s, "UTC") == 0 || strcmp(s, "Z") == 0 || strcmp(s, "GMT") == 0) {
        *off = 0;
        return 1;
    }
    if ((n != 3 && n != 5 && n != 6) || (s[0] != '+' && s[0] != '-') ||
        !parse_is_digit(s[1]) || !parse_is_digit(s[2]))
        return 0;
    h = (s[1] - '0') * 10 + (s[2] - '0');
    if (n > 3) {
        const char *mm = s + (n == 6 ? 4 : 3);
        if ((n == 6 && s[3] != ':') || !parse_is_digit(mm[0]) ||
            !parse_is_digit(mm[1]))
            return 0;
        m = (mm[0] - '0') * 10 + (mm[1] - '0');
    }
    if (h > 23 || m > 59)
        return 0;
    *off = (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    return 1;
}

/* An IANA name: relative, no "." or ".." component, plain characters. */
static int
zone_name_ok(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > TZ_MAX_NAME || s[0] == '/' || s[n - 1] == '/')
        return 0;
    for (const char *c = s; *c; c++) {
        if (!(parse_is_digit(*c) ||
              ((*c | 0x20) >= 'a' && (*c | 0x20) <= 'z') || *c == '_' ||
              *c == '-' || *c == '+' || *c == '/' || *c == '.'))
            return 0;
        /* a component starting with '.' ("..", hidden files) */
        if (*c == '.' && (c == s || c[-1] == '/'))
            return 0;
    }
    return 1;
}

enum vigil_rc
vigil_tz_load(struct vigil_tz **out, const char *name, struct vigil_err *err)
{
    const char *dir = getenv("TZDIR");
    struct vigil_err e = {0};
    char path[512];
    char *data = NULL;
    size_t len = 0;
    int32_t off;
    enum vigil_rc rc;

    *out = NULL;
    if (fixed_offset(name, &off)) {
        if ((*out = tz_alloc(0)) == NULL)
            return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        (*out)->off0 = off;
        return VIGIL_OK;
    }
    if (strcmp(name, "local") == 0) {
        snprintf(path, sizeof(path), "/etc/localtime");
    } else {
        if (!zone_name_ok(name))
            return vigil_err_set(err, VIGIL_EINVAL,
                                 "'%.64s' is not a time zone name (like "
                                 "Europe/Berlin, UTC, +02:00 or local)",
                                 name);
        if (dir == NULL || dir[0] != '/')
            dir = "/usr/share/zoneinfo";
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
            sizeof(path))
            return vigil_err_set(err, VIGIL_EINVAL, "zone folder too long");
    }
    rc = vigil_read_file(path, TZ_MAX_FILE, &data, &len, &e);
    if (rc != VIGIL_OK) /* out of memory stays so: it is no bad name */
        return vigil_err_set(err, rc == VIGIL_ENOMEM ? rc : VIGIL_EINVAL,
                             "time zone '%.64s': %s", name, e.msg);
    rc = vigil_tz_parse(out, data, len, &e);
    free(data);
    if (rc != VIGIL_OK)
        return vigil_err_set(err, rc, "time zone '%.64s' (%s): %s", name, path,
                             e.msg);
    return VIGIL_OK;
}
