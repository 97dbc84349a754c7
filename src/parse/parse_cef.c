/* parse_cef.c -- ArcSight Common Event Format, bare or behind a syslog
 * header:
 *
 *   CEF:Version|Vendor|Product|Version|SignatureID|Name|Severity|ext
 *
 * Header fields escape '|' and '\' with a backslash; extension values
 * escape '=', '\', and write newlines as \n / \r. Text is unescaped into
 * the arena only when it holds a backslash. An extension value runs up
 * to the space before the next "key=" (values may hold spaces).
 *
 * Fields: cef.version, observer.vendor, observer.product,
 * observer.version, event.code, message (Name), event.severity, and
 * cef.<key> for each extension pair, plus ECS copies: src/dst ->
 * source.ip/destination.ip, spt/dpt -> source.port/destination.port,
 * suser -> user.name and source.user.name, duser -> destination.user.name,
 * shost/dhost -> source.domain/destination.domain, act -> event.action,
 * request -> url.original, proto -> network.transport, and rt (epoch ms)
 * -> the event time. */
#include "parse_int.h"

/* Unescapes text (header: \| \\ ; extension: \= \\ \n \r) into the
 * arena; other backslashes are kept. */
static const char *
cef_unescape(struct vigil_event *ev, const char *s, size_t n, size_t *outn)
{
    char *d = vigil_arena_alloc(ev->arena, n + 1), *o = d;

    if (d == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n) {
            char c = s[i + 1];
            if (c == '|' || c == '\\' || c == '=') {
                *o++ = c;
                i++;
                continue;
            }
            if (c == 'n' || c == 'r') {
                *o++ = c == 'n' ? '\n' : '\r';
                i++;
                continue;
            }
        }
        *o++ = s[i];
    }
    *o = '\0';
    *outn = (size_t)(o - d);
    return d;
}

static void
add_text(struct vigil_event *ev, const char *name, size_t nlen, const char *s,
         size_t n, enum vigil_ftype type)
{
    if (memchr(s, '\\', n)) {
        s = cef_unescape(ev, s, n, &n);
        if (s == NULL) {
            ev->truncated = 1;
            return;
        }
    }
    if (type == VIGIL_F_INT)
        parse_int(ev, name, nlen, s, n);
    else if (type == VIGIL_F_IP)
        parse_ip(ev, name, nlen, s, n);
    else
        parse_str(ev, name, nlen, s, n);
}

#define ADD(ev, lit, s, n, t)                                                  \
    add_text((ev), "" lit "", sizeof(lit) - 1, (s), (n), (t))

static int
is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           parse_is_digit(c) || c == '_' || c == '.' || c == '-' || c == '[' ||
           c == ']';
}

/* Does a key ("abc=") start at p? Returns the '=' or NULL. */
static const char *
key_at(const char *p, const char *end)
{
    const char *q = p;

    while (q < end && is_key_char(*q) && q - p < 64)
        q++;
    return q > p && q < end && *q == '=' ? q : NULL;
}

#define KEY_IS(k, kl, lit)                                                     \
    ((kl) == sizeof(lit) - 1 && memcmp(k, "" lit "", kl) == 0)

static void
add_ext(struct vigil_event *ev, const char *k, size_t kl, const char *v,
        size_t vl)
{
    char *name = parse_name(ev, "cef.", 4, k, kl);

    if (name == NULL)
        return;
    add_text(ev, name, strlen(name), v, vl, VIGIL_F_STR);
    if (KEY_IS(k, kl, "src"))
        ADD(ev, "source.ip", v, vl, VIGIL_F_IP);
    else if (KEY_IS(k, kl, "dst"))
        ADD(ev, "destination.ip", v, vl, VIGIL_F_IP);
    else if (KEY_IS(k, kl, "spt"))
        ADD(ev, "source.port", v, vl, VIGIL_F_INT);
    else if (KEY_IS(k, kl, "dpt"))
        ADD(ev, "destination.port", v, vl, VIGIL_F_INT);
    else if (KEY_IS(k, kl, "suser")) {
        ADD(ev, "user.name", v, vl, VIGIL_F_STR);
        ADD(ev, "source.user.name", v, vl, VIGIL_F_STR);
    } else if (KEY_IS(k, kl, "duser"))
        ADD(ev, "destination.user.name", v, vl, VIGIL_F_STR);
    else if (KEY_IS(k, kl, "shost"))
        ADD(ev, "source.domain", v, vl, VIGIL_F_STR);
    else if (KEY_IS(k, kl, "dhost"))
        ADD(ev, "destination.domain", v, vl, VIGIL_F_STR);
    else if (KEY_IS(k, kl, "act"))
        ADD(ev, "event.action", v, vl, VIGIL_F_STR);
    else if (KEY_IS(k, kl, "request"))
        ADD(ev, "url.original", v, vl, VIGIL_F_STR);
    else if (KEY_IS(k, kl, "proto"))
        ADD(ev, "network.transport", v, vl, VIGIL_F_STR);
    else if (KEY_IS(k, kl, "rt")) {
        int64_t ms;
        if (vl >= 10 && vl <= 13 && vigil_parse_i64(v, vl, &ms) && ms > 0 &&
            ms < 9000000000000LL)
            ev->time_ns = ms * 1000000;
    }
}

static void
parse_extension(struct vigil_event *ev, const char *p, const char *end)
{
    p = parse_skip_sp(p, end);
    while (p < end) {
        const char *eq = key_at(p, end), *v, *q;
        if (eq == NULL)
            return; /* free text where a key should be: stop here */
        v = eq + 1;
        /* The value ends at the last space before the next unescaped
         * "key=". */
        q = v;
        for (;;) {
            q = parse_find(q, end, ' ');
            if (q >= end)
                break;
            if (key_at(parse_skip_sp(q, end), end))
                break;
            q++;
        }
        add_ext(ev, p, (size_t)(eq - p), v, (size_t)(parse_rtrim(v, q) - v));
        p = parse_skip_sp(q, end);
    }
}

/* Finds the end of the header field at p (an unescaped '|'). */
static const char *
field_end(const char *p, const char *end)
{
    while (p < end && *p != '|') {
        if (*p == '\\' && p + 1 < end)
            p++;
        p++;
    }
    return p;
}

enum vigil_rc
parse_cef_decode(struct vigil_event *ev, const char *line, size_t len,
                 const struct vigil_parse_opts *opts)
{
    static const char *const names[7] = {"cef.version",      "observer.vendor",
                                         "observer.product", "observer.version",
                                         "event.code",       "message",
                                         "event.severity"};
    const char *p = line, *end = line + len, *f[7], *fe[7];

    if (!PARSE_LIT(p, end, "CEF:")) {
        const char *prog;
        size_t plen;
        p = parse_syslog_header(ev, line, len, opts, &prog, &plen);
        if (p == NULL)
            return VIGIL_EPARSE;
        if (prog && plen == 3 && memcmp(prog, "CEF", 3) == 0) {
            /* "host CEF:0|...": the header reader took "CEF" for the
             * program name; it is the start of the message. */
            if (ev->nfields && ev->fields[ev->nfields - 1].text == prog)
                ev->nfields--;
            p = prog;
        }
        p = parse_search(p, end, "CEF:", 4);
        if (p == NULL)
            return VIGIL_EPARSE;
    }
    p += 4;
    for (int i = 0; i < 7; i++) {
        f[i] = p;
        fe[i] = field_end(p, end);
        if (fe[i] >= end)
            return VIGIL_EPARSE;
        p = fe[i] + 1;
    }
    for (int i = 0; i < 7; i++)
        add_text(ev, names[i], strlen(names[i]), f[i], (size_t)(fe[i] - f[i]),
                 i == 6 ? VIGIL_F_INT : VIGIL_F_STR);
    parse_extension(ev, p, parse_rtrim(p, end));
    return VIGIL_OK;
}

int
parse_cef_probe(const char *line, size_t len)
{
    const char *end = line + len, *c;

    if (PARSE_LIT(line, end, "CEF:"))
        return 99;
    /* The header first: it fails fast on most lines that are not CEF,
     * the search does not. */
    if (!parse_syslog_probe(line, len))
        return 0;
    c = parse_search(line, end < line + 512 ? end : line + 512, "CEF:", 4);
    return c ? 95 : 0;
}
