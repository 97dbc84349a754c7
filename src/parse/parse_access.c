/* parse_access.c -- Apache/nginx access logs: "common" and "combined",
 * with or without a leading virtual host ("%v:%p" / "%v").
 *
 *   [vhost[:port] ]IP IDENT USER [dd/Mon/yyyy:HH:MM:SS +zzzz]
 *       "METHOD URL HTTP/x.y" STATUS BYTES ["REFERRER" "USER-AGENT"]
 *
 * Quoted fields keep their text as logged (Apache writes a quote inside
 * as \"; the backslash is kept: Sigma rules for web logs match the logged
 * form). A request line that is not "METHOD URL PROTO" (a scanner sending
 * garbage) goes to url.original whole. */
#include "parse_int.h"

static const char *
tok_end(const char *p, const char *end)
{
    return parse_find(p, end, ' ');
}

/* A quoted field starting at p ('"'): sets [*s, *e) to the content and
 * returns the position after the closing quote, or NULL. */
static const char *
quoted(const char *p, const char *end, const char **s, const char **e)
{
    const char *q;

    if (p >= end || *p != '"')
        return NULL;
    q = ++p;
    for (;;) {
        q = parse_find(q, end, '"');
        if (q >= end)
            return NULL;
        /* A quote preceded by an odd number of backslashes is escaped. */
        size_t bs = 0;
        while (q - bs > p && q[-1 - (ptrdiff_t)bs] == '\\')
            bs++;
        if (bs % 2 == 0)
            break;
        q++;
    }
    *s = p;
    *e = q;
    return q + 1;
}

static int
num2(const char *p)
{
    if (!parse_is_digit(p[0]) || !parse_is_digit(p[1]))
        return -1;
    return (p[0] - '0') * 10 + (p[1] - '0');
}

/* "[10/Oct/2000:13:55:36 -0700]" at p: returns position after ']'. */
static const char *
clf_time(const char *p, const char *end, int64_t *ns)
{
    int d, mon, y, h, mi, s, oh, om, sign;
    const char *q;

    if (end - p < 28 || p[0] != '[' || p[3] != '/' || p[7] != '/' ||
        p[12] != ':' || p[15] != ':' || p[18] != ':' || p[21] != ' ' ||
        (p[22] != '+' && p[22] != '-') || p[27] != ']')
        return NULL;
    d = num2(p + 1);
    mon = vigil_month_from_abbr(p + 4);
    y = num2(p + 8) * 100 + num2(p + 10);
    h = num2(p + 13);
    mi = num2(p + 16);
    s = num2(p + 19);
    oh = num2(p + 23);
    om = num2(p + 25);
    if (d < 1 || d > 31 || mon == 0 || num2(p + 8) < 0 || num2(p + 10) < 0 ||
        y < PARSE_MIN_YEAR || y > PARSE_MAX_YEAR || h < 0 || h > 23 || mi < 0 ||
        mi > 59 || s < 0 || s > 60 || oh < 0 || om < 0)
        return NULL;
    sign = p[22] == '-' ? -1 : 1;
    *ns = vigil_time_from_utc(y, mon, d, h, mi, s, 0) -
          (int64_t)sign * (oh * 3600 + om * 60) * VIGIL_NS_PER_SEC;
    q = p + 28;
    return q;
}

static void
add_request(struct vigil_event *ev, const char *s, const char *e)
{
    const char *m = s, *me = tok_end(s, e), *u, *ue, *v, *q;

    if (me >= e || me == m) {
        if (e > s && !(e - s == 1 && *s == '-'))
            PSTR(ev, "url.original", s, (size_t)(e - s));
        return;
    }
    u = me + 1;
    /* The URL is everything up to the last space (URLs are not supposed
     * to hold spaces, but broken clients send them). */
    v = parse_rsearch(u, e, " ", 1);
    if (v == NULL || !PARSE_LIT(v + 1, e, "HTTP/")) {
        PSTR(ev, "http.request.method", m, (size_t)(me - m));
        PSTR(ev, "url.original", u, (size_t)(e - u));
        return;
    }
    ue = v;
    PSTR(ev, "http.request.method", m, (size_t)(me - m));
    PSTR(ev, "url.original", u, (size_t)(ue - u));
    q = parse_find(u, ue, '?');
    PSTR(ev, "url.path", u, (size_t)(q - u));
    if (q < ue)
        PSTR(ev, "url.query", q + 1, (size_t)(ue - q - 1));
    PSTR(ev, "http.version", v + 6, (size_t)(e - v - 6));
}

enum vigil_rc
parse_access_decode(struct vigil_event *ev, const char *line, size_t len,
                    const struct vigil_parse_opts *opts)
{
    const char *p = line, *end = line + len, *t[4], *te[4], *s, *e;
    const char *status, *statuse, *bytes, *bytese;
    int n = 0, first, code;
    int64_t ns;

    (void)opts;
    /* Up to four tokens before the '[' of the time. */
    while (n < 4 && p < end && *p != '[') {
        t[n] = p;
        te[n] = tok_end(p, end);
        if (te[n] == p || te[n] >= end)
            return VIGIL_EPARSE;
        p = te[n] + 1;
        n++;
    }
    if (n < 3 || p >= end || *p != '[')
        return VIGIL_EPARSE;
    first = n - 3; /* 1 when a vhost leads */
    p = clf_time(p, end, &ns);
    if (p == NULL || !PARSE_LIT(p, end, " \""))
        return VIGIL_EPARSE;
    p = quoted(p + 1, end, &s, &e);
    if (p == NULL || !PARSE_LIT(p, end, " "))
        return VIGIL_EPARSE;
    status = p + 1;
    statuse = tok_end(status, end);
    if (statuse - status != 3 || !parse_is_digit(status[0]) ||
        !parse_is_digit(status[1]) || !parse_is_digit(status[2]))
        return VIGIL_EPARSE;
    code = (status[0] - '0') * 100 + (status[1] - '0') * 10 + (status[2] - '0');
    bytes = bytese = statuse;
    if (statuse < end) {
        bytes = statuse + 1;
        bytese = tok_end(bytes, end);
    }

    ev->time_ns = ns;
    if (first) {
        const char *c = parse_find(t[0], te[0], ':');
        PSTR(ev, "url.domain", t[0], (size_t)(c - t[0]));
        if (c < te[0])
            PINT(ev, "url.port", c + 1, (size_t)(te[0] - c - 1));
    }
    PIP(ev, "source.ip", t[first], (size_t)(te[first] - t[first]));
    if (!(te[first + 2] - t[first + 2] == 1 && *t[first + 2] == '-'))
        PSTR(ev, "user.name", t[first + 2],
             (size_t)(te[first + 2] - t[first + 2]));
    add_request(ev, s, e);
    PINT(ev, "http.response.status_code", status, 3);
    if (bytese > bytes && !(bytese - bytes == 1 && *bytes == '-'))
        PINT(ev, "http.response.body.bytes", bytes, (size_t)(bytese - bytes));
    p = bytese;
    if (PARSE_LIT(p, end, " \"") && (p = quoted(p + 1, end, &s, &e))) {
        if (!(e - s == 1 && *s == '-'))
            PSTR(ev, "http.request.referrer", s, (size_t)(e - s));
        if (PARSE_LIT(p, end, " \"") && quoted(p + 1, end, &s, &e) &&
            !(e - s == 1 && *s == '-'))
            PSTR(ev, "user_agent.original", s, (size_t)(e - s));
    }
    PSTRZ(ev, "event.category", "web");
    if (code < 400)
        PSTRZ(ev, "event.outcome", "success");
    else
        PSTRZ(ev, "event.outcome", "failure");
    return VIGIL_OK;
}

int
parse_access_probe(const char *line, size_t len)
{
    const char *p = line, *end = line + len;
    int n = 0;
    int64_t ns;

    while (n < 4 && p < end && *p != '[') {
        const char *q = tok_end(p, end);
        if (q == p || q >= end)
            return 0;
        p = q + 1;
        n++;
    }
    if (n < 3 || !clf_time(p, end, &ns))
        return 0;
    return PARSE_LIT(p + 28, end, " \"") ? 90 : 0;
}
