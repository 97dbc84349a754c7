/* parse_auditd.c -- Linux audit records as auditd writes them to
 * /var/log/audit/audit.log:
 *
 *   [node=HOST ]type=TYPE msg=audit(EPOCH.MS:SEQ): key=value ...
 *
 * Every pair becomes auditd.<key> (quotes removed). The quoted inner
 * msg='...' of USER_* records is split into its own pairs. EXECVE
 * arguments that auditd hex-encoded (they held spaces, quotes or
 * non-ASCII bytes) are decoded into the arena, and a0..aN are joined into
 * process.command_line. Enriched logs (log_format=ENRICHED) separate the
 * translated names with 0x1d; those become auditd.<KEY> too. ECS copies:
 * user.id (uid), process.pid, process.parent.pid, process.executable
 * (exe), process.name (comm), process.working_directory (cwd), user.name
 * (acct), source.ip (addr), host.name (node), event.outcome (res or
 * success). */
#include "parse_int.h"

#define AUDIT_MAX_ARGS 64

struct audit_ctx {
    struct vigil_event *ev;
    int execve;
    uint16_t args[AUDIT_MAX_ARGS]; /* field index of a0..aN, by N */
    int nargs;
};

static int
is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           parse_is_digit(c) || c == '_' || c == '-' || c == '[' || c == ']';
}

/* Decodes an even-length hex string into the arena; NULL if it is not
 * one (the caller keeps the text). */
static const char *
unhex(struct vigil_event *ev, const char *v, size_t n, size_t *outn)
{
    char *d;

    if (n == 0 || n % 2 || n > 1 << 20)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (parse_hexval(v[i]) < 0)
            return NULL;
    d = vigil_arena_alloc(ev->arena, n / 2 + 1);
    if (d == NULL)
        return NULL;
    for (size_t i = 0; i < n / 2; i++)
        d[i] = (char)(parse_hexval(v[2 * i]) << 4 | parse_hexval(v[2 * i + 1]));
    d[n / 2] = '\0';
    *outn = n / 2;
    return d;
}

#define KEY_IS(k, kl, lit)                                                     \
    ((kl) == sizeof(lit) - 1 && memcmp(k, "" lit "", kl) == 0)

static void
add_pair(struct audit_ctx *c, const char *k, size_t kl, const char *v,
         size_t vl, int was_quoted)
{
    struct vigil_event *ev = c->ev;
    char *name;

    /* Unquoted EXECVE arguments are hex. */
    if (c->execve && !was_quoted && kl >= 2 && k[0] == 'a' &&
        parse_is_digit(k[1])) {
        size_t n;
        const char *d = unhex(ev, v, vl, &n);
        if (d) {
            v = d;
            vl = n;
        }
    }
    name = parse_name(ev, "auditd.", 7, k, kl);
    if (name == NULL)
        return;
    if (c->execve && kl >= 2 && k[0] == 'a' && parse_is_digit(k[1])) {
        int64_t idx;
        if (vigil_parse_i64(k + 1, kl - 1, &idx) && idx < AUDIT_MAX_ARGS &&
            idx == c->nargs && ev->nfields < VIGIL_EVENT_MAX_FIELDS)
            c->args[c->nargs++] = ev->nfields;
    }
    parse_str(ev, name, 7 + (kl > PARSE_MAX_NAME ? PARSE_MAX_NAME : kl), v, vl);
    if (KEY_IS(k, kl, "uid"))
        PSTR(ev, "user.id", v, vl);
    else if (KEY_IS(k, kl, "pid"))
        PINT(ev, "process.pid", v, vl);
    else if (KEY_IS(k, kl, "ppid"))
        PINT(ev, "process.parent.pid", v, vl);
    else if (KEY_IS(k, kl, "exe"))
        PSTR(ev, "process.executable", v, vl);
    else if (KEY_IS(k, kl, "comm"))
        PSTR(ev, "process.name", v, vl);
    else if (KEY_IS(k, kl, "cwd"))
        PSTR(ev, "process.working_directory", v, vl);
    else if (KEY_IS(k, kl, "acct"))
        PSTR(ev, "user.name", v, vl);
    else if (KEY_IS(k, kl, "addr") && !(vl == 1 && *v == '?'))
        PIP(ev, "source.ip", v, vl);
    else if (KEY_IS(k, kl, "res") || KEY_IS(k, kl, "success")) {
        if ((vl == 7 && memcmp(v, "success", 7) == 0) ||
            (vl == 3 && memcmp(v, "yes", 3) == 0))
            PSTRZ(ev, "event.outcome", "success");
        else if ((vl == 6 && memcmp(v, "failed", 6) == 0) ||
                 (vl == 2 && memcmp(v, "no", 2) == 0))
            PSTRZ(ev, "event.outcome", "failure");
    }
}

/* key=value pairs in [p, end). depth 0 may descend once into msg='...'. */
static int
parse_pairs(struct audit_ctx *c, const char *p, const char *end, int depth)
{
    while (p < end) {
        const char *k, *v;
        size_t kl;

        while (p < end && (*p == ' ' || *p == '\x1d'))
            p++;
        if (p >= end)
            break;
        k = p;
        while (p < end && is_key_char(*p))
            p++;
        kl = (size_t)(p - k);
        if (kl == 0 || p >= end || *p != '=') {
            /* Not a pair (free text such as "ausearch" notes): skip a
             * word rather than failing the record. */
            while (p < end && *p != ' ' && *p != '\x1d')
                p++;
            continue;
        }
        p++;
        if (p < end && (*p == '"' || *p == '\'')) {
            char qc = *p;
            const char *q = parse_find(p + 1, end, qc);
            if (q >= end)
                return 0; /* unterminated quote: a cut record */
            v = p + 1;
            if (qc == '\'' && depth == 0 && KEY_IS(k, kl, "msg")) {
                if (!parse_pairs(c, v, q, 1))
                    return 0;
            } else {
                add_pair(c, k, kl, v, (size_t)(q - v), 1);
            }
            p = q + 1;
        } else {
            v = p;
            while (p < end && *p != ' ' && *p != '\x1d')
                p++;
            add_pair(c, k, kl, v, (size_t)(p - v), 0);
        }
    }
    return 1;
}

/* Joins the EXECVE arguments into process.command_line. */
static void
add_command_line(struct audit_ctx *c)
{
    struct vigil_event *ev = c->ev;
    size_t total = 0;
    char *d, *o;

    if (c->nargs == 0)
        return;
    for (int i = 0; i < c->nargs; i++)
        total += ev->fields[c->args[i]].text_len + 1;
    d = vigil_arena_alloc(ev->arena, total);
    if (d == NULL) {
        ev->truncated = 1;
        return;
    }
    o = d;
    for (int i = 0; i < c->nargs; i++) {
        const struct vigil_field *f = &ev->fields[c->args[i]];
        if (i)
            *o++ = ' ';
        memcpy(o, f->text, f->text_len);
        o += f->text_len;
    }
    PSTR(ev, "process.command_line", d, (size_t)(o - d));
}

enum vigil_rc
parse_auditd_decode(struct vigil_event *ev, const char *line, size_t len,
                    const struct vigil_parse_opts *opts)
{
    const char *p = line, *end = line + len, *t, *te, *secs, *ms, *seq, *q;
    struct audit_ctx c;
    int64_t s, frac = 0;

    (void)opts;
    c.ev = ev;
    c.nargs = 0;
    if (PARSE_LIT(p, end, "node=")) {
        const char *h = p + 5, *he = parse_find(h, end, ' ');
        if (he >= end)
            return VIGIL_EPARSE;
        PSTR(ev, "host.name", h, (size_t)(he - h));
        p = he + 1;
    }
    if (!PARSE_LIT(p, end, "type="))
        return VIGIL_EPARSE;
    t = p + 5;
    te = parse_find(t, end, ' ');
    if (te == t || te >= end || !PARSE_LIT(te, end, " msg=audit("))
        return VIGIL_EPARSE;
    secs = te + 11;
    for (q = secs; q < end && parse_is_digit(*q); q++)
        ;
    if (q == secs || q >= end || *q != '.' ||
        !vigil_parse_i64(secs, (size_t)(q - secs), &s) ||
        s > 9000000000LL) /* year 2255: past it ns overflow */
        return VIGIL_EPARSE;
    ms = ++q;
    for (; q < end && parse_is_digit(*q); q++)
        ;
    if (q == ms || q - ms > 9 || q >= end || *q != ':')
        return VIGIL_EPARSE;
    for (const char *d = ms; d < q; d++)
        frac = frac * 10 + (*d - '0');
    for (ptrdiff_t i = q - ms; i < 9; i++)
        frac *= 10;
    seq = ++q;
    for (; q < end && parse_is_digit(*q); q++)
        ;
    if (q == seq || !PARSE_LIT(q, end, "):"))
        return VIGIL_EPARSE;
    ev->time_ns = s * VIGIL_NS_PER_SEC + frac;
    PSTR(ev, "auditd.type", t, (size_t)(te - t));
    PINT(ev, "auditd.sequence", seq, (size_t)(q - seq));
    c.execve = te - t == 6 && memcmp(t, "EXECVE", 6) == 0;
    if (!parse_pairs(&c, q + 2, end, 0))
        return VIGIL_EPARSE;
    if (c.execve)
        add_command_line(&c);
    return VIGIL_OK;
}

int
parse_auditd_probe(const char *line, size_t len)
{
    const char *end = line + len;

    if (!PARSE_LIT(line, end, "type=") && !PARSE_LIT(line, end, "node="))
        return 0;
    return parse_search(line, end, " msg=audit(", 11) ? 95 : 0;
}
