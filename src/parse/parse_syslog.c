/* parse_syslog.c -- syslog headers: RFC 3164 (BSD, what /var/log/auth.log
 * holds), RFC 3164 with an RFC 3339 stamp (rsyslog's high-precision
 * format) and RFC 5424 with structured data.
 *
 * The header becomes host.name, process.name, process.pid, message and
 * log.syslog.*; the message then goes to parse_auth_message, which
 * recognises the Linux authentication programs. RFC 3164 stamps carry no
 * year and no zone: the year is inferred (parse_time_3164) and the time
 * is read in the source's `timezone:` (opts->tz, parse_tz.c), UTC when
 * none is set. */
#include "parse_int.h"

/* ------------------------------------------------------------------ */
/* Time                                                                 */
/* ------------------------------------------------------------------ */

/* Year of ns since the epoch (Hinnant's civil_from_days, year only). */
static int
year_of(int64_t ns)
{
    int64_t days = ns / (86400 * VIGIL_NS_PER_SEC), z, era, y;
    unsigned doe, yoe, doy, mp, m;

    if (ns < 0 && ns % (86400 * VIGIL_NS_PER_SEC))
        days--;
    z = days + 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = (int64_t)yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    m = mp < 10 ? mp + 3 : mp - 9;
    return (int)(y + (m <= 2));
}

/* The stamp in year y, in the source's zone. */
static int64_t
stamp_in(const struct vigil_parse_opts *opts, int y, int mon, int day, int h,
         int mi, int s, long nsec)
{
    int64_t t = vigil_time_from_utc(y, mon, day, h, mi, s, nsec);

    return opts && opts->tz ? vigil_tz_to_utc(opts->tz, t) : t;
}

int64_t
parse_time_3164(const struct vigil_parse_opts *opts, int mon, int day, int h,
                int mi, int s, long nsec)
{
    int64_t now, t, local;
    int year;

    if (opts && opts->default_year >= PARSE_MIN_YEAR &&
        opts->default_year <= PARSE_MAX_YEAR)
        return stamp_in(opts, opts->default_year, mon, day, h, mi, s, nsec);
    now = opts && opts->now_ns ? opts->now_ns : vigil_time_now();
    /* this year where the logging host is */
    local = now;
    if (opts && opts->tz)
        local += (int64_t)vigil_tz_offset(opts->tz, now / VIGIL_NS_PER_SEC) *
                 VIGIL_NS_PER_SEC;
    year = year_of(local);
    t = stamp_in(opts, year, mon, day, h, mi, s, nsec);
    /* A December line read in January belongs to last year. */
    if (t > now + 86400 * VIGIL_NS_PER_SEC)
        t = stamp_in(opts, year - 1, mon, day, h, mi, s, nsec);
    return t;
}

static int
two_digits(const char *p, int *v)
{
    if (!parse_is_digit(p[0]) || !parse_is_digit(p[1]))
        return 0;
    *v = (p[0] - '0') * 10 + (p[1] - '0');
    return 1;
}

const char *
parse_stamp_3164(const char *p, const char *end,
                 const struct vigil_parse_opts *opts, int64_t *ns)
{
    int mon, day, h, mi, s;
    long frac = 0;

    /* "Mmm dd hh:mm:ss": 15 bytes, day padded with a space or a zero;
     * some senders write an unpadded day ("Mmm d hh:mm:ss"). */
    const char *t; /* the "hh:mm:ss" */
    if (end - p < 14 || p[3] != ' ')
        return NULL;
    mon = vigil_month_from_abbr(p);
    if (mon == 0)
        return NULL;
    if (p[4] == ' ' && parse_is_digit(p[5]) && p[6] == ' ') {
        day = p[5] - '0';
        t = p + 7;
    } else if (parse_is_digit(p[4]) && p[5] == ' ') {
        day = p[4] - '0';
        t = p + 6;
    } else if (two_digits(p + 4, &day) && p[6] == ' ') {
        t = p + 7;
    } else {
        return NULL;
    }
    if (end - t < 8 || t[2] != ':' || t[5] != ':' || !two_digits(t, &h) ||
        !two_digits(t + 3, &mi) || !two_digits(t + 6, &s) || day < 1 ||
        day > 31 || h > 23 || mi > 59 || s > 60)
        return NULL;
    p = t + 8;
    if (p < end && *p == '.') { /* some daemons add milliseconds */
        long scale = 100000000;
        p++;
        while (p < end && parse_is_digit(*p)) {
            frac += (*p - '0') * scale;
            scale /= 10;
            p++;
        }
    }
    *ns = parse_time_3164(opts, mon, day, h, mi, s, frac);
    return p;
}

/* ------------------------------------------------------------------ */
/* Header pieces                                                        */
/* ------------------------------------------------------------------ */

/* "<PRI>": returns the position after '>' and sets *pri, or NULL. */
static const char *
parse_pri(const char *p, const char *end, int *pri)
{
    int v = 0, n = 0;

    if (p >= end || *p != '<')
        return NULL;
    p++;
    while (p < end && parse_is_digit(*p) && n < 3) {
        v = v * 10 + (*p - '0');
        p++;
        n++;
    }
    if (n == 0 || p >= end || *p != '>' || v > 191)
        return NULL;
    *pri = v;
    return p + 1;
}

static void
add_pri(struct vigil_event *ev, const char *text, size_t len, int pri)
{
    struct vigil_field *f;

    PINT(ev, "log.syslog.priority", text, len);
    /* The facility and severity texts are digits of the arena-free
     * static table below so no formatting is needed per line. */
    static const char num[] = "0123456789"
                              "1011121314151617181920212223";
    int fac = pri / 8, sev = pri % 8;
    f = parse_push(ev, "log.syslog.facility.code", 24,
                   fac < 10 ? num + fac : num + 10 + 2 * (fac - 10),
                   fac < 10 ? 1 : 2, VIGIL_F_INT);
    if (f)
        f->v.i = fac;
    f = parse_push(ev, "log.syslog.severity.code", 24, num + sev, 1,
                   VIGIL_F_INT);
    if (f)
        f->v.i = sev;
}

/* Token up to the next space. */
static const char *
token_end(const char *p, const char *end)
{
    return parse_find(p, end, ' ');
}

/* RFC 3339 stamp at p (up to the next space): returns the position after
 * it and sets *ns, or NULL. */
static const char *
parse_stamp_iso(const char *p, const char *end, int64_t *ns)
{
    const char *q = token_end(p, end);

    if (q - p < 10 || !parse_rfc3339(p, (size_t)(q - p), ns))
        return NULL;
    return q;
}

/* ------------------------------------------------------------------ */
/* RFC 5424                                                             */
/* ------------------------------------------------------------------ */

/* Unescapes an SD-PARAM value (\" \\ \]) into the arena. */
static const char *
sd_unescape(struct vigil_event *ev, const char *s, size_t n, size_t *outn)
{
    char *d = vigil_arena_alloc(ev->arena, n + 1), *o = d;

    if (d == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n &&
            (s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == ']'))
            i++;
        *o++ = s[i];
    }
    *o = '\0';
    *outn = (size_t)(o - d);
    return d;
}

#define SD_PREFIX "log.syslog.structured_data."

/* Structured data: "-" or one or more "[id k="v" ...]". Returns the
 * position after it, or NULL when malformed. */
static const char *
parse_sd(struct vigil_event *ev, const char *p, const char *end)
{
    if (p < end && *p == '-')
        return p + 1;
    if (p >= end || *p != '[')
        return NULL;
    while (p < end && *p == '[') {
        const char *id = ++p, *idend;
        char namebuf[PARSE_MAX_NAME];
        size_t idlen;

        while (p < end && *p != ' ' && *p != ']' && *p != '=' && *p != '"')
            p++;
        idend = p;
        idlen = (size_t)(idend - id);
        if (idlen == 0 || idlen > 64 || p >= end)
            return NULL;
        while (p < end && *p == ' ') {
            const char *k, *v;
            size_t klen, vlen;
            int esc = 0;

            p = parse_skip_sp(p, end);
            if (p < end && *p == ']')
                break;
            k = p;
            while (p < end && *p != '=' && *p != ' ' && *p != ']' && *p != '"')
                p++;
            klen = (size_t)(p - k);
            if (klen == 0 || klen > 64 || end - p < 2 || p[0] != '=' ||
                p[1] != '"')
                return NULL;
            p += 2;
            v = p;
            while (p < end && *p != '"') {
                if (*p == '\\' && p + 1 < end) {
                    esc = 1;
                    p++;
                }
                p++;
            }
            if (p >= end)
                return NULL;
            vlen = (size_t)(p - v);
            p++; /* closing quote */
            {
                size_t n = 0;
                char *name;
                memcpy(namebuf, id, idlen);
                namebuf[idlen] = '.';
                memcpy(namebuf + idlen + 1, k, klen);
                n = idlen + 1 + klen;
                name = parse_name(ev, SD_PREFIX, sizeof(SD_PREFIX) - 1, namebuf,
                                  n);
                if (esc)
                    v = sd_unescape(ev, v, vlen, &vlen);
                if (name && v)
                    parse_str(ev, name, strlen(name), v, vlen);
            }
        }
        if (p >= end || *p != ']')
            return NULL;
        p++;
    }
    return p;
}

/* "<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD [MSG]" from after <PRI>. */
static const char *
parse_5424(struct vigil_event *ev, const char *p, const char *end,
           const char **prog, size_t *plen)
{
    const char *t[5], *te[5], *q;
    int64_t ns;
    int i;

    q = token_end(p, end); /* version */
    PINT(ev, "log.syslog.version", p, (size_t)(q - p));
    if (q >= end)
        return NULL;
    p = q + 1;
    for (i = 0; i < 5; i++) { /* stamp host app procid msgid */
        if (p >= end)
            return NULL;
        t[i] = p;
        te[i] = token_end(p, end);
        if (te[i] == p || te[i] >= end)
            return NULL;
        p = te[i] + 1;
    }
    if (!(te[0] - t[0] == 1 && *t[0] == '-')) {
        if (!parse_rfc3339(t[0], (size_t)(te[0] - t[0]), &ns))
            return NULL;
        ev->time_ns = ns;
    }
#define NIL(i) (te[i] - t[i] == 1 && *t[i] == '-')
    if (!NIL(1))
        PSTR(ev, "host.name", t[1], (size_t)(te[1] - t[1]));
    if (!NIL(2)) {
        PSTR(ev, "process.name", t[2], (size_t)(te[2] - t[2]));
        *prog = t[2];
        *plen = (size_t)(te[2] - t[2]);
    }
    if (!NIL(3))
        PINT(ev, "process.pid", t[3], (size_t)(te[3] - t[3]));
    if (!NIL(4))
        PSTR(ev, "log.syslog.msgid", t[4], (size_t)(te[4] - t[4]));
#undef NIL
    p = parse_sd(ev, p, end);
    if (p == NULL)
        return NULL;
    if (p < end && *p != ' ')
        return NULL;
    if (p < end)
        p++;
    if (end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3; /* the BOM RFC 5424 allows before UTF-8 messages */
    return p;
}

/* ------------------------------------------------------------------ */
/* The header                                                           */
/* ------------------------------------------------------------------ */

const char *
parse_syslog_header(struct vigil_event *ev, const char *line, size_t len,
                    const struct vigil_parse_opts *opts, const char **prog,
                    size_t *plen)
{
    const char *p = line, *end = line + len, *q, *tok, *tokend;
    int pri = -1;
    int64_t ns = 0;

    *prog = NULL;
    *plen = 0;
    if (p < end && *p == '<') {
        const char *start = p + 1;
        p = parse_pri(p, end, &pri);
        if (p == NULL)
            return NULL;
        add_pri(ev, start, (size_t)(p - 1 - start), pri);
        /* RFC 5424: a 1-2 digit version and a space. */
        if (end - p >= 2 && parse_is_digit(p[0]) &&
            (p[1] == ' ' ||
             (end - p >= 3 && parse_is_digit(p[1]) && p[2] == ' ')))
            return parse_5424(ev, p, end, prog, plen);
    }
    if (p < end && parse_is_digit(*p))
        q = parse_stamp_iso(p, end, &ns);
    else
        q = parse_stamp_3164(p, end, opts, &ns);
    if (q == NULL)
        return NULL;
    ev->time_ns = ns;
    p = parse_skip_sp(q, end);

    /* Host, unless the token is already the tag ("su:", "sshd[1]:"). */
    tok = p;
    tokend = token_end(p, end);
    if (tokend > tok && tokend[-1] != ':' &&
        memchr(tok, '[', (size_t)(tokend - tok)) == NULL) {
        PSTR(ev, "host.name", tok, (size_t)(tokend - tok));
        p = parse_skip_sp(tokend, end);
    }

    /* Tag: "prog[pid]: " or "prog: ". */
    q = p;
    while (q < end && *q != '[' && *q != ':' && *q != ' ')
        q++;
    if (q > p && q < end && (*q == '[' || *q == ':') && q - p <= 128) {
        const char *tag = p;
        size_t taglen = (size_t)(q - p);

        if (*q == '[') {
            const char *pid = q + 1;
            const char *r = parse_find(pid, end, ']');
            if (r >= end || r - pid > 32)
                return p; /* not a tag after all: all of it is message */
            PSTR(ev, "process.name", tag, taglen);
            PINT(ev, "process.pid", pid, (size_t)(r - pid));
            q = r + 1;
        } else {
            PSTR(ev, "process.name", tag, taglen);
        }
        *prog = tag;
        *plen = taglen;
        if (q < end && *q == ':')
            q++;
        if (q < end && *q == ' ')
            q++;
        return q;
    }
    return p;
}

enum vigil_rc
parse_syslog_decode_cef(struct vigil_event *ev, const char *line, size_t len,
                        const struct vigil_parse_opts *opts, int *cef)
{
    const char *prog, *msg, *end = line + len;
    size_t plen;

    msg = parse_syslog_header(ev, line, len, opts, &prog, &plen);
    if (msg == NULL)
        return VIGIL_EPARSE;
    end = parse_rtrim(msg, end);
    *cef = (prog != NULL && plen == 3 && memcmp(prog, "CEF", 3) == 0) ||
           PARSE_LIT(msg, end, "CEF:");
    PSTR(ev, "message", msg, (size_t)(end - msg));
    if (prog)
        parse_auth_message(ev, prog, plen, msg, (size_t)(end - msg));
    return VIGIL_OK;
}

enum vigil_rc
parse_syslog_decode(struct vigil_event *ev, const char *line, size_t len,
                    const struct vigil_parse_opts *opts)
{
    int cef;

    return parse_syslog_decode_cef(ev, line, len, opts, &cef);
}

int
parse_syslog_probe(const char *line, size_t len)
{
    const char *p = line, *end = line + len;
    int pri, score = 70;
    int64_t ns;
    struct vigil_parse_opts opts = {2000, 0, NULL};

    if (p < end && *p == '<') {
        p = parse_pri(p, end, &pri);
        if (p == NULL)
            return 0;
        if (end - p >= 2 && parse_is_digit(p[0]) && p[1] == ' ')
            return 90;
        score = 85;
    }
    if (p < end && parse_is_digit(*p)) {
        if (end - p < 11 || p[4] != '-' || p[7] != '-' ||
            !parse_stamp_iso(p, end, &ns))
            return 0;
    } else if (!parse_stamp_3164(p, end, &opts, &ns)) {
        return 0;
    }
    return score;
}
