/* parse_json.c -- JSON lines: one object per line, flattened.
 *
 * A zero-copy scanner of our own (jansson would build a tree and copy
 * every string). Rules (docs/parsers.md, "JSON"):
 *  - nested objects become dotted names: {"a":{"b":1}} -> "a.b", and
 *    under an empty key {"":{"b":1}} -> ".b" (never a top-level "b");
 *  - a member replaces every field an earlier member put at or below its
 *    dotted name, so a repeated key is the last one, as jq, jansson and
 *    the analyst read it: {"a":"x","a":"y"} -> a = y, and
 *    {"a":{"b":1},"a":{"c":2}} -> a.c only;
 *  - an array of scalars becomes one field per element, all called by the
 *    array's name and flagged VIGIL_FF_ELEM ({"args":["-e","x"]} -> args
 *    = -e, args = x): a multi-valued field, which a Sigma value matches
 *    when any element does. An array holding an object or an array keeps
 *    its raw JSON text as one field, so nothing is lost and "contains"
 *    matches still work (that text is checked as JSON like the rest of
 *    the line). Null elements and empty arrays add nothing;
 *  - strings point into the line unless they hold a backslash, in which
 *    case they are unescaped into ev->arena (\uXXXX to UTF-8, surrogate
 *    pairs joined; a lone surrogate becomes U+FFFD). \u0000 stays the six
 *    characters of its escape: a NUL never enters a name or a value (a
 *    line with a raw NUL byte is refused before it gets here);
 *  - numbers follow RFC 8259 (no leading zeros); integral ones are INT
 *    fields (kept as text past int64), other numbers keep their text;
 *    true/false are the strings "true"/"false"; null leaves add nothing
 *    (for Sigma a null field and a missing field are the same) but still
 *    replace an earlier member of their name;
 *  - a name ending in ".ip" (or "ip") gets an IP field when it parses;
 *  - a top-level "@timestamp", "timestamp" or "time" in RFC 3339 sets
 *    the event time (the first such field the event keeps).
 * Bounds: 32 levels of objects and arrays (a scalar's own place does
 * not count), dotted names 256 bytes; deeper or longer
 * input is refused (VIGIL_EPARSE). Names are copied into the arena. */
#include "parse_int.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define JSON_MAX_DEPTH 32

struct json_ctx {
    struct vigil_event *ev;
    const char *p, *end;
    /* room for a word loaded at the name's start (name_hash) */
    char path[PARSE_MAX_NAME + 8];
    size_t plen;
    /* A 1024-bit filter of the dotted names (and their dotted prefixes)
     * members have had so far: a member whose name is not in it cannot
     * replace anything, so the search for earlier fields is skipped for
     * nearly every member. */
    uint64_t seen[16];
};

/* A hash of a dotted name for the filter (its top ten bits are used):
 * its length and its first and last eight bytes, a few instructions where
 * hashing every byte cost a tenth of the decoder. Names that agree on all
 * of these ("process.parent.executable", "process.target.executable")
 * only cost a search that finds nothing to replace. */
static inline uint64_t
name_hash(const char *p, size_t n)
{
    uint64_t a, b = 0;

    memcpy(&a, p, 8); /* p is c->path: 8 bytes are there */
    if (n >= 8)
        memcpy(&b, p + n - 8, 8);
    else
        a &= ~0ull >> (63 - 8 * n) >> 1; /* the n bytes of the name */
    return ((a ^ n) * 0x9e3779b97f4a7c15ull ^ b) * 0xc2b2ae3d27d4eb4full;
}

/* Whether h was marked; marks it. */
static inline int
seen_testmark(struct json_ctx *c, uint64_t h)
{
    uint64_t *w = &c->seen[h >> 60], bit = 1ull << (h >> 54 & 63);
    int was = (*w & bit) != 0;

    *w |= bit;
    return was;
}

static inline void
seen_mark(struct json_ctx *c, uint64_t h)
{
    c->seen[h >> 60] |= 1ull << (h >> 54 & 63);
}

/* Drops every field called name or below it (name + "."): what an
 * earlier member of the same dotted name left. Rare: only for repeated
 * keys (and the filter's false positives), so a plain compaction. */
static void
drop_below(struct vigil_event *ev, const char *name, size_t n)
{
    uint16_t k = 0;

    for (uint16_t i = 0; i < ev->nfields; i++) {
        const struct vigil_field *f = &ev->fields[i];
        int below = f->name_len >= n && memcmp(f->name, name, n) == 0 &&
                    (f->name_len == n || f->name[n] == '.');
        if (!below)
            ev->fields[k++] = *f;
    }
    ev->nfields = k;
}

static void
skip_ws(struct json_ctx *c)
{
    while (c->p < c->end &&
           (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

/* The first '"', '\\' or third byte (a key's '.', or '"' again for a
 * value) in [p, end), or end: sixteen bytes at a time with SSE2 where
 * there is SSE2 (one pass for all bytes; a memchr call per byte costs
 * more, its set-up dominating on the short strings most members are),
 * else memchr calls. */
static inline const char *
find_special(const char *p, const char *end, char third)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
                  other = _mm_set1_epi8(third);

    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
            _mm_cmpeq_epi8(v, other)));
        if (m)
            return p + __builtin_ctz(m);
        p += 16;
    }
    for (; p < end; p++)
        if (*p == '"' || *p == '\\' || *p == third)
            return p;
    return end;
#else
    const char *q = parse_find(p, end, '"');
    const char *bs = p < q ? memchr(p, '\\', (size_t)(q - p)) : NULL;
    const char *o = p < q ? memchr(p, third, (size_t)(q - p)) : NULL;
    if (bs)
        q = bs;
    return o && o < q ? o : q;
#endif
}

/* Where a key's first dots are (the filter marks the names before them),
 * found by the string scan itself: nearly free, where a pass of its own
 * over every key cost more than the marks. */
#define JSON_KEY_DOTS 8
struct key_dots {
    size_t n;                 /* dots seen, unescaped */
    size_t at[JSON_KEY_DOTS]; /* the first ones, from the key's start */
};

/* Scans a string at c->p ('"'): sets [*s, *s+*n) to its raw content and
 * *esc when it holds a backslash; for a key (dot not NULL) where its
 * unescaped dots are. */
static inline int
scan_str(struct json_ctx *c, const char **s, size_t *n, int *esc,
         struct key_dots *dot)
{
    const char *p = c->p + 1, *end = c->end;

    *esc = 0;
    *s = p;
    for (;;) {
        p = find_special(p, end, dot ? '.' : '"');
        if (p >= end)
            return 0;
        if (*p == '"')
            break;
        if (*p == '.') {
            if (dot->n < JSON_KEY_DOTS)
                dot->at[dot->n] = (size_t)(p - *s);
            dot->n++;
            p++;
            continue;
        }
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
scan_string(struct json_ctx *c, const char **s, size_t *n, int *esc)
{
    return scan_str(c, s, n, esc, NULL);
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
            if (cp == 0) { /* kept as written: never a NUL byte */
                memcpy(o, s + i - 6, 6);
                o += 6;
                continue;
            }
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
    if (*p == '0' && p + 1 < e && parse_is_digit(p[1]))
        return 0; /* no leading zeros (RFC 8259) */
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

/* Whether the escapes of a string's raw content s[0..n) are JSON's. */
static int
escapes_ok(const char *s, size_t n)
{
    unsigned cp;

    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\')
            continue;
        if (++i >= n)
            return 0;
        if (s[i] == 'u') {
            if (i + 5 > n || !hex4(s + i + 1, &cp))
                return 0;
            i += 4;
        } else if (!memchr("\"\\/bfnrt", s[i], 8)) {
            return 0;
        }
    }
    return 1;
}

/* The token of a number, true, false or null at c->p: moves past it and
 * returns its length (0: none). Checked by the caller. */
static size_t
scan_token(struct json_ctx *c)
{
    const char *st = c->p;

    while (c->p < c->end && *c->p != ',' && *c->p != '}' && *c->p != ']' &&
           *c->p != ' ' && *c->p != '\t' && *c->p != '\r' && *c->p != '\n')
        c->p++;
    return (size_t)(c->p - st);
}

/* Whether t[0..n) is a JSON number, true, false or null. */
static int
token_ok(const char *t, size_t n)
{
    int integral;

    return (n == 4 &&
            (memcmp(t, "true", 4) == 0 || memcmp(t, "null", 4) == 0)) ||
           (n == 5 && memcmp(t, "false", 5) == 0) ||
           check_number(t, t + n, &integral);
}

/* After an item of an object or array: 1 when a ',' says another comes,
 * 0 at the closing bracket (consumed), -1 for anything else. */
static inline int
after_item(struct json_ctx *c, char close)
{
    skip_ws(c);
    if (c->p >= c->end)
        return -1;
    if (*c->p == ',') {
        c->p++;
        return 1;
    }
    if (*c->p != close)
        return -1;
    c->p++;
    return 0;
}

/* Skips any value (an array kept as text), checking it as strictly as
 * a value that becomes a field: the text must be JSON; depth-bounded. */
static int
skip_value(struct json_ctx *c, int depth)
{
    const char *s;
    size_t n;
    int esc, more;

    skip_ws(c);
    if (c->p >= c->end)
        return 0;
    switch (*c->p) {
    case '"':
        return scan_string(c, &s, &n, &esc) && (!esc || escapes_ok(s, n));
    case '{':
    case '[': {
        char close = *c->p == '{' ? '}' : ']';
        int obj = close == '}';
        if (depth >= JSON_MAX_DEPTH)
            return 0;
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
                    !scan_string(c, &s, &n, &esc) || (esc && !escapes_ok(s, n)))
                    return 0;
                skip_ws(c);
                if (c->p >= c->end || *c->p != ':')
                    return 0;
                c->p++;
            }
            if (!skip_value(c, depth + 1))
                return 0;
            if ((more = after_item(c, close)) < 0)
                return 0;
            if (!more)
                return 1;
        }
    }
    default: {
        const char *st = c->p;
        return token_ok(st, scan_token(c));
    }
    }
}

static int
name_is_ip(const char *n, size_t len)
{
    return (len == 2 && memcmp(n, "ip", 2) == 0) ||
           (len > 3 && memcmp(n + len - 3, ".ip", 3) == 0);
}

static int parse_object(struct json_ctx *c, int depth);

/* A scalar value at c->p (string, number, true, false, null) as a field
 * called name[0..nlen) (NULL: checked, not kept). Returns 0 on a syntax
 * error. */
/* Inlined: a call per member cost 3% of decoding. */
static inline __attribute__((always_inline)) int
put_scalar(struct json_ctx *c, const char *name, size_t nlen)
{
    struct vigil_event *ev = c->ev;
    const char *s, *v;
    size_t n, vn;
    int esc, integral;

    if (*c->p == '"') {
        if (!scan_string(c, &s, &n, &esc))
            return 0;
        v = string_text(c, s, n, esc, &vn);
        if (v == NULL)
            return 0;
        if (name == NULL)
            return 1;
        if (name_is_ip(name, nlen))
            parse_ip(ev, name, nlen, v, vn);
        else
            parse_str(ev, name, nlen, v, vn);
        return 1;
    }
    s = c->p;
    if ((n = scan_token(c)) == 0)
        return 0;
    if (n == 4 && memcmp(s, "null", 4) == 0)
        return 1;
    if (!((n == 4 && memcmp(s, "true", 4) == 0) ||
          (n == 5 && memcmp(s, "false", 5) == 0))) {
        if (!check_number(s, c->p, &integral))
            return 0;
    } else {
        integral = 0;
    }
    if (name == NULL)
        return 1;
    if (integral)
        parse_int(ev, name, nlen, s, n); /* too big: kept as text */
    else
        parse_str(ev, name, nlen, s, n);
    return 1;
}

/* An array at c->p ('['): its scalars as elements, or its raw text when
 * it holds an object or an array. */
static int
put_array(struct json_ctx *c, const char *name, size_t nlen, int depth)
{
    struct vigil_event *ev = c->ev;
    const char *start = c->p;
    uint16_t first = ev->nfields;
    int more;

    if (depth + 1 >= JSON_MAX_DEPTH)
        return 0;
    c->p++; /* '[' */
    skip_ws(c);
    if (c->p < c->end && *c->p == ']') {
        c->p++;
        return 1;
    }
    for (;;) {
        uint16_t before = ev->nfields;
        skip_ws(c);
        if (c->p >= c->end)
            return 0;
        if (*c->p == '{' || *c->p == '[')
            goto raw;
        if (!put_scalar(c, name, nlen))
            return 0;
        if (ev->nfields > before)
            ev->fields[before].flags = VIGIL_FF_ELEM;
        if ((more = after_item(c, ']')) < 0)
            return 0;
        if (!more)
            return 1;
    }
raw:
    ev->nfields = first;
    c->p = start;
    if (!skip_value(c, depth + 1))
        return 0;
    if (name)
        parse_str(ev, name, nlen, start, (size_t)(c->p - start));
    return 1;
}

/* One member value, its name being c->path[0..plen). */
static int
parse_member(struct json_ctx *c, int depth)
{
    struct vigil_event *ev = c->ev;
    char *name;

    skip_ws(c);
    if (c->p >= c->end)
        return 0;
    if (*c->p == '{')
        return parse_object(c, depth + 1);
    /* a field dropped for want of arena room still has its value checked */
    name = parse_name(ev, c->path, c->plen, "", 0);
    if (*c->p == '[')
        return put_array(c, name, c->plen, depth);
    return put_scalar(c, name, c->plen);
}

/* An object at c->p ('{'); member names extend c->path. */
static int
parse_object(struct json_ctx *c, int depth)
{
    size_t base = c->plen;
    int more;

    if (depth >= JSON_MAX_DEPTH)
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
        uint64_t h;
        struct key_dots dot;
        int esc;

        skip_ws(c);
        dot.n = 0;
        if (c->p >= c->end || *c->p != '"' || !scan_str(c, &s, &n, &esc, &dot))
            return 0;
        /* nested members get their dot even under an empty key: "" + "a"
         * is ".a", never "a", which would replace a top-level "a" */
        need = base + (depth ? 1 : 0) + n;
        if (need > PARSE_MAX_NAME)
            return 0;
        c->plen = base;
        if (depth)
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
        /* a dotted key marks its prefixes too: a later member of a
         * prefix's name replaces what it adds */
        if (!esc && dot.n <= JSON_KEY_DOTS) {
            for (size_t i = 0; i < dot.n; i++)
                seen_mark(c, name_hash(c->path, c->plen + dot.at[i]));
        } else if (memchr(c->path + c->plen, '.', kn)) {
            for (size_t i = c->plen; i < c->plen + kn; i++)
                if (c->path[i] == '.')
                    seen_mark(c, name_hash(c->path, i));
        }
        c->plen += kn;
        h = name_hash(c->path, c->plen);
        if (seen_testmark(c, h))
            drop_below(c->ev, c->path, c->plen);
        skip_ws(c);
        if (c->p >= c->end || *c->p != ':')
            return 0;
        c->p++;
        if (!parse_member(c, depth))
            return 0;
        if ((more = after_item(c, '}')) < 0)
            return 0;
        if (!more) {
            c->plen = base;
            return 1;
        }
    }
}

/* The event time: the first top-level "@timestamp", "timestamp" or
 * "time" string the event kept that is an RFC 3339 stamp. Looked for
 * after decoding, as a repeated key may have replaced an earlier one. */
static void
set_time(struct vigil_event *ev)
{
    for (uint16_t i = 0; i < ev->nfields; i++) {
        const struct vigil_field *f = &ev->fields[i];
        int64_t ns;
        if (f->type != VIGIL_F_STR || (f->flags & VIGIL_FF_ELEM) ||
            !((f->name_len == 10 && memcmp(f->name, "@timestamp", 10) == 0) ||
              (f->name_len == 9 && memcmp(f->name, "timestamp", 9) == 0) ||
              (f->name_len == 4 && memcmp(f->name, "time", 4) == 0)))
            continue;
        if (parse_rfc3339(f->text, f->text_len, &ns)) {
            ev->time_ns = ns;
            return;
        }
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
    memset(c.seen, 0, sizeof(c.seen));
    skip_ws(&c);
    if (c.p >= c.end || *c.p != '{')
        return VIGIL_EPARSE;
    /* The top level is depth 0; members of nested objects are deeper. */
    if (!parse_object(&c, 0))
        return VIGIL_EPARSE;
    skip_ws(&c);
    if (c.p != c.end)
        return VIGIL_EPARSE;
    set_time(ev);
    return VIGIL_OK;
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
