/* parse_json.c -- JSON lines: one object per line, flattened.
 *
 * A zero-copy scanner of our own (jansson would build a tree and copy
 * every string). Rules:
 *  - nested objects become dotted names: {"a":{"b":1}} -> "a.b";
 *  - arrays are kept as one field holding their raw JSON text
 *    ({"tags":["x","y"]} -> tags = ["x","y"]), so nothing is lost and
 *    "contains" matches still work;
 *  - strings point into the line unless they hold a backslash, in which
 *    case they are unescaped into ev->arena (\uXXXX to UTF-8, surrogate
 *    pairs joined; a lone surrogate becomes U+FFFD);
 *  - integral numbers are INT fields, other numbers keep their text;
 *    true/false are the strings "true"/"false"; null leaves are skipped
 *    (for Sigma a null field and a missing field are the same);
 *  - a name ending in ".ip" (or "ip") gets an IP field when it parses;
 *  - a top-level "@timestamp", "timestamp" or "time" in RFC 3339 sets
 *    the event time (the first one found).
 * Bounds: nesting depth 32, dotted names 256 bytes; deeper or longer
 * input is refused (VIGIL_EPARSE). Names are copied into the arena. */
#include "parse_int.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define JSON_MAX_DEPTH 32

struct json_ctx {
    struct vigil_event *ev;
    const char *p, *end;
    char path[PARSE_MAX_NAME + 1];
    size_t plen;
    int time_set;
};

static void
skip_ws(struct json_ctx *c)
{
    while (c->p < c->end &&
           (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

/* The first '"' or '\\' in [p, end), or end: sixteen bytes at a time
 * with SSE2 where there is SSE2 (one pass for both bytes; two memchr
 * calls per string cost more, their set-up dominating on the short
 * strings most members are), else two memchr calls. */
static const char *
find_special(const char *p, const char *end)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');

    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)));
        if (m)
            return p + __builtin_ctz(m);
        p += 16;
    }
    for (; p < end; p++)
        if (*p == '"' || *p == '\\')
            return p;
    return end;
#else
    const char *q = parse_find(p, end, '"');
    const char *bs = p < q ? memchr(p, '\\', (size_t)(q - p)) : NULL;
    return bs ? bs : q;
#endif
}

/* Scans a string at c->p ('"'): sets [*s, *s+*n) to its raw content and
 * *esc when it holds a backslash. */
static int
scan_string(struct json_ctx *c, const char **s, size_t *n, int *esc)
{
    const char *p = c->p + 1, *end = c->end;

    *esc = 0;
    *s = p;
    for (;;) {
        p = find_special(p, end);
        if (p >= end)
            return 0;
        if (*p == '"')
            break;
        /* Skip the escape and look again from after it. */
        *esc = 1;
        p += 2;
        if (p > end)
            return 0;
    }
    *n = (size_t)(p - *s);
    c->p = p + 1;
    return 1;
}

static int
hex4(const char *s, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        int h = parse_hexval(s[i]);
        if (h < 0)
            return 0;
        *v = *v << 4 | (unsigned)h;
    }
    return 1;
}

static size_t
put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Unescapes s[0..n) into dst (room for n bytes: unescaping never grows
 * the text). Returns the length, or -1 on a bad escape. */
static ptrdiff_t
unescape(const char *s, size_t n, char *dst)
{
    char *o = dst;
    size_t i = 0;

    while (i < n) {
        unsigned cp, lo;
        if (s[i] != '\\') {
            *o++ = s[i++];
            continue;
        }
        if (i + 1 >= n)
            return -1;
        switch (s[i + 1]) {
        case '"':
            *o++ = '"';
            break;
        case '\\':
            *o++ = '\\';
            break;
        case '/':
            *o++ = '/';
            break;
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'u':
            if (i + 6 > n || !hex4(s + i + 2, &cp))
                return -1;
            i += 6;
            if (cp >= 0xd800 && cp < 0xdc00 && i + 6 <= n && s[i] == '\\' &&
                s[i + 1] == 'u' && hex4(s + i + 2, &lo) && lo >= 0xdc00 &&
                lo < 0xe000) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                i += 6;
            } else if (cp >= 0xd800 && cp < 0xe000) {
                cp = 0xfffd;
            }
            o += put_utf8(o, cp);
            continue;
        default:
            return -1;
        }
        i += 2;
    }
    return o - dst;
}

/* Returns the unescaped text of a string (arena when escaped). */
static const char *
string_text(struct json_ctx *c, const char *s, size_t n, int esc, size_t *outn)
{
    char *d;
    ptrdiff_t m;

    if (!esc) {
        *outn = n;
        return s;
    }
    d = vigil_arena_alloc(c->ev->arena, n + 1);
    if (d == NULL)
        return NULL;
    m = unescape(s, n, d);
    if (m < 0)
        return NULL;
    d[m] = '\0';
    *outn = (size_t)m;
    return d;
}

/* Skips any value (used for arrays); depth-bounded. */
static int
skip_value(struct json_ctx *c, int depth)
{
    const char *s;
    size_t n;
    int esc;

    if (depth > JSON_MAX_DEPTH)
        return 0;
    skip_ws(c);
    if (c->p >= c->end)
        return 0;
    switch (*c->p) {
    case '"':
        return scan_string(c, &s, &n, &esc);
    case '{':
    case '[': {
        char close = *c->p == '{' ? '}' : ']';
        int obj = close == '}';
        c->p++;
        skip_ws(c);
        if (c->p < c->end && *c->p == close) {
            c->p++;
            return 1;
        }
        for (;;) {
            if (obj) {
                skip_ws(c);
                if (c->p >= c->end || *c->p != '"' ||
                    !scan_string(c, &s, &n, &esc))
                    return 0;
                skip_ws(c);
                if (c->p >= c->end || *c->p != ':')
                    return 0;
                c->p++;
            }
            if (!skip_value(c, depth + 1))
                return 0;
            skip_ws(c);
            if (c->p >= c->end)
                return 0;
            if (*c->p == ',') {
                c->p++;
                continue;
            }
            if (*c->p != close)
                return 0;
            c->p++;
            return 1;
        }
    }
    default: {
        const char *st = c->p;
        while (c->p < c->end && *c->p != ',' && *c->p != '}' && *c->p != ']' &&
               *c->p != ' ' && *c->p != '\t' && *c->p != '\r' && *c->p != '\n')
            c->p++;
        return c->p > st;
    }
    }
}

/* Validates a JSON number at [s, e); sets *integral. */
static int
check_number(const char *s, const char *e, int *integral)
{
    const char *p = s;

    *integral = 1;
    if (p < e && *p == '-')
        p++;
    if (p >= e || !parse_is_digit(*p))
        return 0;
    while (p < e && parse_is_digit(*p))
        p++;
    if (p < e && *p == '.') {
        *integral = 0;
        p++;
        if (p >= e || !parse_is_digit(*p))
            return 0;
        while (p < e && parse_is_digit(*p))
            p++;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        *integral = 0;
        p++;
        if (p < e && (*p == '+' || *p == '-'))
            p++;
        if (p >= e || !parse_is_digit(*p))
            return 0;
        while (p < e && parse_is_digit(*p))
            p++;
    }
    return p == e;
}

static int
name_is_ip(const char *n, size_t len)
{
    return (len == 2 && memcmp(n, "ip", 2) == 0) ||
           (len > 3 && memcmp(n + len - 3, ".ip", 3) == 0);
}

static int parse_object(struct json_ctx *c, int depth);

/* One member value, its name being c->path[0..plen). */
static int
parse_member(struct json_ctx *c, int depth)
{
    struct vigil_event *ev = c->ev;
    const char *s, *v;
    char *name;
    size_t n, vn;
    int esc, integral;

    skip_ws(c);
    if (c->p >= c->end)
        return 0;
    switch (*c->p) {
    case '{':
        return parse_object(c, depth + 1);
    case '[':
        s = c->p;
        if (!skip_value(c, depth + 1))
            return 0;
        name = parse_name(ev, c->path, c->plen, "", 0);
        if (name)
            parse_str(ev, name, c->plen, s, (size_t)(c->p - s));
        return 1;
    case '"':
        if (!scan_string(c, &s, &n, &esc))
            return 0;
        v = string_text(c, s, n, esc, &vn);
        if (v == NULL)
            return 0;
        name = parse_name(ev, c->path, c->plen, "", 0);
        if (name == NULL)
            return 1;
        if (name_is_ip(name, c->plen))
            parse_ip(ev, name, c->plen, v, vn);
        else
            parse_str(ev, name, c->plen, v, vn);
        if (depth == 0 && !c->time_set &&
            ((c->plen == 10 && memcmp(name, "@timestamp", 10) == 0) ||
             (c->plen == 9 && memcmp(name, "timestamp", 9) == 0) ||
             (c->plen == 4 && memcmp(name, "time", 4) == 0))) {
            int64_t ns;
            if (parse_rfc3339(v, vn, &ns)) {
                ev->time_ns = ns;
                c->time_set = 1;
            }
        }
        return 1;
    default:
        s = c->p;
        if (!skip_value(c, depth + 1))
            return 0;
        n = (size_t)(c->p - s);
        if (n == 4 && memcmp(s, "null", 4) == 0)
            return 1;
        if (!((n == 4 && memcmp(s, "true", 4) == 0) ||
              (n == 5 && memcmp(s, "false", 5) == 0))) {
            if (!check_number(s, c->p, &integral))
                return 0;
        } else {
            integral = 0;
        }
        name = parse_name(ev, c->path, c->plen, "", 0);
        if (name == NULL)
            return 1;
        if (integral)
            parse_int(ev, name, c->plen, s, n); /* too big: kept as text */
        else
            parse_str(ev, name, c->plen, s, n);
        return 1;
    }
}

/* An object at c->p ('{'); member names extend c->path. */
static int
parse_object(struct json_ctx *c, int depth)
{
    size_t base = c->plen;

    if (depth > JSON_MAX_DEPTH)
        return 0;
    c->p++; /* '{' */
    skip_ws(c);
    if (c->p < c->end && *c->p == '}') {
        c->p++;
        return 1;
    }
    for (;;) {
        const char *s;
        size_t n, kn, need;
        int esc;

        skip_ws(c);
        if (c->p >= c->end || *c->p != '"' || !scan_string(c, &s, &n, &esc))
            return 0;
        need = base + (base ? 1 : 0) + n;
        if (need > PARSE_MAX_NAME)
            return 0;
        c->plen = base;
        if (base)
            c->path[c->plen++] = '.';
        if (esc) {
            ptrdiff_t m = unescape(s, n, c->path + c->plen);
            if (m < 0)
                return 0;
            kn = (size_t)m;
        } else {
            memcpy(c->path + c->plen, s, n);
            kn = n;
        }
        c->plen += kn;
        skip_ws(c);
        if (c->p >= c->end || *c->p != ':')
            return 0;
        c->p++;
        if (!parse_member(c, depth))
            return 0;
        skip_ws(c);
        if (c->p >= c->end)
            return 0;
        if (*c->p == ',') {
            c->p++;
            continue;
        }
        if (*c->p != '}')
            return 0;
        c->p++;
        c->plen = base;
        return 1;
    }
}

enum vigil_rc
parse_json_decode(struct vigil_event *ev, const char *line, size_t len,
                  const struct vigil_parse_opts *opts)
{
    struct json_ctx c;

    (void)opts;
    c.ev = ev;
    c.p = line;
    c.end = line + len;
    c.plen = 0;
    c.time_set = 0;
    skip_ws(&c);
    if (c.p >= c.end || *c.p != '{')
        return VIGIL_EPARSE;
    /* The top level is depth 0; members of nested objects are deeper. */
    if (!parse_object(&c, 0))
        return VIGIL_EPARSE;
    skip_ws(&c);
    return c.p == c.end ? VIGIL_OK : VIGIL_EPARSE;
}

int
parse_json_probe(const char *line, size_t len)
{
    size_t i = 0;

    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i < len && line[i] == '{')
        return i + 1 < len && (line[i + 1] == '"' || line[i + 1] == ' ' ||
                               line[i + 1] == '}')
                   ? 95
                   : 60;
    return 0;
}
