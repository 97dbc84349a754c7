/* parse_int.h -- helpers shared by the line decoders of src/parse.
 *
 * Everything here is inline and allocation-free: decoders run once per
 * log line and must stay near a microsecond. Field pushes write straight
 * into ev->fields (the struct is public) with the name length known at
 * compile time, which saves the strlen and call of vigil_event_add_*.
 * A full event sets ev->truncated and drops the field; the decoders do not
 * treat that as a failure. */
#ifndef VIGIL_PARSE_INT_H
#define VIGIL_PARSE_INT_H

#include <string.h>

#include "parse.h"

/* Upper bound for names built from input ("auditd.<key>", JSON dotted
 * paths, structured-data ids): longer ones are cut to the field. */
#define PARSE_MAX_NAME 256

/* Does [p, end) start with the literal lit? */
#define PARSE_LIT(p, end, lit)                                                 \
    ((size_t)((end) - (p)) >= sizeof(lit) - 1 &&                               \
     memcmp((p), "" lit "", sizeof(lit) - 1) == 0)

/* Pushes one field; returns it, or NULL (and sets truncated) when full.
 * name and text are borrowed for the life of the batch. */
#define parse_push vigil_event_push

static inline void
parse_str(struct vigil_event *ev, const char *name, size_t name_len,
          const char *text, size_t len)
{
    parse_push(ev, name, name_len, text, len, VIGIL_F_STR);
}

/* An integer field when text is a decimal integer, else a string. */
static inline void
parse_int(struct vigil_event *ev, const char *name, size_t name_len,
          const char *text, size_t len)
{
    int64_t v;
    struct vigil_field *f;

    if (!vigil_parse_i64(text, len, &v)) {
        parse_str(ev, name, name_len, text, len);
        return;
    }
    f = parse_push(ev, name, name_len, text, len, VIGIL_F_INT);
    if (f)
        f->v.i = v;
}

/* An IP field when text is an address, else a string (nothing lost). */
static inline void
parse_ip(struct vigil_event *ev, const char *name, size_t name_len,
         const char *text, size_t len)
{
    uint8_t ip[16];
    struct vigil_field *f;

    if (!vigil_ip_parse(text, len, ip)) {
        parse_str(ev, name, name_len, text, len);
        return;
    }
    f = parse_push(ev, name, name_len, text, len, VIGIL_F_IP);
    if (f)
        memcpy(f->v.ip, ip, 16);
}

/* Literal-name shorthands: the name length is a compile-time constant. */
#define PSTR(ev, lit, t, n)                                                    \
    parse_str((ev), "" lit "", sizeof(lit) - 1, (t), (n))
/* s must be a string literal too ("" s "" refuses anything else, so a
 * pointer can never slip in and be measured with sizeof). */
#define PSTRZ(ev, lit, s)                                                      \
    parse_str((ev), lit, sizeof(lit) - 1, "" s "", sizeof("" s "") - 1)
#define PINT(ev, lit, t, n)                                                    \
    parse_int((ev), "" lit "", sizeof(lit) - 1, (t), (n))
#define PIP(ev, lit, t, n) parse_ip((ev), lit, sizeof(lit) - 1, (t), (n))

/* The three ECS classification fields every recognised message sets. */
#define PCLASS(ev, cat, act, out)                                              \
    do {                                                                       \
        PSTRZ(ev, "event.category", cat);                                      \
        PSTRZ(ev, "event.action", act);                                        \
        PSTRZ(ev, "event.outcome", out);                                       \
    } while (0)

/* Builds "<prefix><name>" NUL-terminated in the arena; NULL when the
 * arena is exhausted (the caller drops the field). Returns arena-owned. */
static inline char *
parse_name(struct vigil_event *ev, const char *prefix, size_t plen,
           const char *name, size_t nlen)
{
    char *p;

    if (nlen > PARSE_MAX_NAME)
        nlen = PARSE_MAX_NAME;
    p = vigil_arena_alloc(ev->arena, plen + nlen + 1);
    if (p == NULL) {
        ev->truncated = 1;
        return NULL;
    }
    memcpy(p, prefix, plen);
    memcpy(p + plen, name, nlen);
    p[plen + nlen] = '\0';
    return p;
}

static inline int
parse_is_digit(char c)
{
    return (unsigned)(c - '0') < 10;
}

static inline int
parse_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Skips spaces; returns the first non-space (or end). */
static inline const char *
parse_skip_sp(const char *p, const char *end)
{
    while (p < end && *p == ' ')
        p++;
    return p;
}

/* Returns the first c in [p, end), or end. */
static inline const char *
parse_find(const char *p, const char *end, char c)
{
    const char *q = p < end ? memchr(p, c, (size_t)(end - p)) : NULL;
    return q ? q : end;
}

/* Returns the first occurrence of lit (length n) in [p, end), or NULL. */
static inline const char *
parse_search(const char *p, const char *end, const char *lit, size_t n)
{
    if (p >= end)
        return NULL;
    return memmem(p, (size_t)(end - p), lit, n);
}

/* Last occurrence of lit (length n) in [p, end), or NULL. */
static inline const char *
parse_rsearch(const char *p, const char *end, const char *lit, size_t n)
{
    const char *q;

    if ((size_t)(end - p) < n)
        return NULL;
    for (q = end - n; q >= p; q--)
        if (*q == lit[0] && memcmp(q, lit, n) == 0)
            return q;
    return NULL;
}

/* Trims trailing spaces and tabs. */
static inline const char *
parse_rtrim(const char *p, const char *end)
{
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    return end;
}

/* ---- calendar ---- */

/* Years an int64 of nanoseconds can hold with room for a zone offset;
 * stamps outside are refused rather than overflowing. */
#define PARSE_MIN_YEAR 1900
#define PARSE_MAX_YEAR 2261

/* vigil_time_parse_rfc3339 restricted to PARSE_MIN_YEAR..MAX_YEAR. */
static inline int
parse_rfc3339(const char *s, size_t len, int64_t *ns)
{
    int y = 0;

    if (len < 4)
        return 0;
    for (int i = 0; i < 4; i++) {
        if (!parse_is_digit(s[i]))
            return 0;
        y = y * 10 + (s[i] - '0');
    }
    if (y < PARSE_MIN_YEAR || y > PARSE_MAX_YEAR)
        return 0;
    return vigil_time_parse_rfc3339(s, len, ns);
}

/* ns since the epoch of an RFC 3164 stamp (no year): opts->default_year,
 * else the year of opts->now_ns (or the clock), taking last year when
 * the result would be more than a day in the future. */
int64_t parse_time_3164(const struct vigil_parse_opts *opts, int mon, int day,
                        int h, int mi, int s, long nsec);

/* Parses "Mmm dd hh:mm:ss" (day space- or zero-padded) at p: returns the
 * position after it and sets *ns, or NULL. */
const char *parse_stamp_3164(const char *p, const char *end,
                             const struct vigil_parse_opts *opts, int64_t *ns);

/* ---- decoders (parse_<format>.c) ---- */

/* Decodes the message of a syslog record for the Linux auth programs
 * (prog is the syslog tag). Adds fields when it recognises the message;
 * unknown messages are not an error. All borrowed. */
void parse_auth_message(struct vigil_event *ev, const char *prog, size_t plen,
                        const char *msg, size_t mlen);

int parse_syslog_probe(const char *line, size_t len);
enum vigil_rc parse_syslog_decode(struct vigil_event *ev, const char *line,
                                  size_t len,
                                  const struct vigil_parse_opts *opts);
/* parse_syslog_decode that also says (*cef, 0 or 1) whether the record
 * may carry CEF: its program name is "CEF" ("host CEF:0|...") or its
 * message starts with "CEF:". Auto-decoding reads such lines again as
 * CEF; the check costs two compares on what the decoder found anyway. */
enum vigil_rc parse_syslog_decode_cef(struct vigil_event *ev, const char *line,
                                      size_t len,
                                      const struct vigil_parse_opts *opts,
                                      int *cef);
/* Decodes only the syslog header at the front of line and returns the
 * position of the message (used by CEF behind a syslog header); NULL when
 * there is no header. Adds the header fields to ev. */
const char *parse_syslog_header(struct vigil_event *ev, const char *line,
                                size_t len, const struct vigil_parse_opts *opts,
                                const char **prog, size_t *plen);

int parse_auditd_probe(const char *line, size_t len);
enum vigil_rc parse_auditd_decode(struct vigil_event *ev, const char *line,
                                  size_t len,
                                  const struct vigil_parse_opts *opts);
int parse_access_probe(const char *line, size_t len);
enum vigil_rc parse_access_decode(struct vigil_event *ev, const char *line,
                                  size_t len,
                                  const struct vigil_parse_opts *opts);
/* Suricata EVE JSON and Zeek JSON logs (parse_sensor.c): the JSON
 * decoder, then the sensors' names renamed to ECS. */
int parse_eve_probe(const char *line, size_t len);
enum vigil_rc parse_eve_decode(struct vigil_event *ev, const char *line,
                               size_t len, const struct vigil_parse_opts *opts);
/* The ECS renames, time and event.* of a Zeek record decoded into ev
 * (JSON or TSV); dataset ("zeek.conn"; copied) or NULL to guess it from
 * the fields. */
enum vigil_rc parse_zeek_ecs(struct vigil_event *ev, const char *dataset);
int parse_zeek_probe(const char *line, size_t len);
enum vigil_rc parse_zeek_decode(struct vigil_event *ev, const char *line,
                                size_t len,
                                const struct vigil_parse_opts *opts);
int parse_json_probe(const char *line, size_t len);
enum vigil_rc parse_json_decode(struct vigil_event *ev, const char *line,
                                size_t len,
                                const struct vigil_parse_opts *opts);
int parse_cef_probe(const char *line, size_t len);
enum vigil_rc parse_cef_decode(struct vigil_event *ev, const char *line,
                               size_t len, const struct vigil_parse_opts *opts);

#endif
