/* parse_registry.c -- the table of line decoders, format detection and
 * the two entry points callers use per line: vigil_decode_line (a format
 * the caller chose) and vigil_decode_auto (the format decided line by
 * line).
 *
 * Detection sums each decoder's probe score over the sample lines and
 * takes the best average; below 50 the lines are not in any format we
 * know and "raw" is used so nothing is lost. Auto-decoding keeps the
 * format of the last lines and only probes when a line does not fit it,
 * so one junk or binary line cannot decide how the lines after it are
 * read, and a steady stream costs one decode per line as with a fixed
 * format. */
#include "parse_int.h"

#define PROBE_MIN 50 /* a probe score below this is "not this format" */

static int
raw_probe(const char *line, size_t len)
{
    (void)line;
    (void)len;
    return 1;
}

static enum vigil_rc
raw_decode(struct vigil_event *ev, const char *line, size_t len,
           const struct vigil_parse_opts *opts)
{
    (void)opts;
    PSTR(ev, "message", line, len);
    return VIGIL_OK;
}

static int
evtx_probe(const char *line, size_t len)
{
    (void)line;
    (void)len;
    return 0;
}

/* EVTX is a file format: lines cannot be decoded one by one. */
static enum vigil_rc
evtx_decode(struct vigil_event *ev, const char *line, size_t len,
            const struct vigil_parse_opts *opts)
{
    (void)ev, (void)line, (void)len, (void)opts;
    return VIGIL_EUNSUPPORTED;
}

/* Order matters on ties: the more specific format first. "raw", the
 * fallback, is last. */
enum {
    D_SYSLOG,
    D_AUTH,
    D_AUDITD,
    D_ACCESS,
    D_EVE,
    D_ZEEK,
    D_JSON,
    D_CEF,
    D_EVTX,
    D_RAW
};
static const struct vigil_decoder decoders[] = {
    [D_SYSLOG] = {"syslog", VIGIL_FAMILY_LINUX, parse_syslog_probe,
                  parse_syslog_decode},
    [D_AUTH] = {"auth", VIGIL_FAMILY_LINUX, parse_syslog_probe,
                parse_syslog_decode},
    [D_AUDITD] = {"auditd", VIGIL_FAMILY_LINUX, parse_auditd_probe,
                  parse_auditd_decode},
    [D_ACCESS] = {"access", VIGIL_FAMILY_WEB, parse_access_probe,
                  parse_access_decode},
    [D_EVE] = {"suricata", VIGIL_FAMILY_GENERIC, parse_eve_probe,
               parse_eve_decode},
    [D_ZEEK] = {"zeek", VIGIL_FAMILY_GENERIC, parse_zeek_probe,
                parse_zeek_decode},
    [D_JSON] = {"json", VIGIL_FAMILY_GENERIC, parse_json_probe,
                parse_json_decode},
    [D_CEF] = {"cef", VIGIL_FAMILY_GENERIC, parse_cef_probe, parse_cef_decode},
    [D_EVTX] = {"evtx", VIGIL_FAMILY_WINDOWS, evtx_probe, evtx_decode},
    [D_RAW] = {"raw", VIGIL_FAMILY_GENERIC, raw_probe, raw_decode},
};
#define NDECODERS (sizeof(decoders) / sizeof(decoders[0]))
#define CEF       (&decoders[D_CEF])
#define RAW       (&decoders[D_RAW])

static const char *const names[] = {"syslog",   "auth", "auditd", "access",
                                    "suricata", "zeek", "json",   "cef",
                                    "evtx",     "raw",  NULL};

const struct vigil_decoder *
vigil_decoder_by_name(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < NDECODERS; i++)
        if (strcmp(decoders[i].name, name) == 0)
            return &decoders[i];
    return NULL;
}

const char *const *
vigil_decoder_names(void)
{
    return names;
}

/* Makes line what decoders see: without its "\n" and "\r", and without
 * NUL padding (everything up to the last NUL byte). Returns 0 when
 * nothing decodable is left: padding only, empty, or over VIGIL_MAX_LINE.
 * Inline: it runs once per line. */
static inline int
line_trim(const char **line, size_t *len)
{
    const char *p = *line, *z;
    size_t n = *len;

    if (n > 0 && p[n - 1] == '\n')
        n--;
    if (n > 0 && p[n - 1] == '\r')
        n--;
    /* Padding first: a run of NULs may be longer than any line. */
    if ((z = memrchr(p, '\0', n)) != NULL) {
        n -= (size_t)(z + 1 - p);
        p = z + 1;
        *line = p;
    }
    *len = n;
    return n > 0 && n <= VIGIL_MAX_LINE;
}

/* The decoders that detection and auto-decoding probe, in table order:
 * not "auth" (an alias), "evtx" (files only) or "raw" (the fallback). */
static const uint8_t probed[] = {D_SYSLOG, D_AUDITD, D_ACCESS, D_EVE,
                                 D_ZEEK,   D_JSON,   D_CEF};
#define NPROBED (sizeof(probed) / sizeof(probed[0]))

const struct vigil_decoder *
vigil_decoder_detect(const char *const *lines, const size_t *lens, size_t n)
{
    const struct vigil_decoder *best = vigil_decoder_by_name("raw");
    long best_score = 0;
    size_t used = 0;

    for (size_t j = 0; j < n; j++) {
        const char *l = lines[j];
        size_t len = lens[j];
        if (line_trim(&l, &len))
            used++;
    }
    if (used == 0)
        return best;
    for (size_t i = 0; i < NPROBED; i++) {
        const struct vigil_decoder *d = &decoders[probed[i]];
        long score = 0;
        for (size_t j = 0; j < n; j++) {
            const char *l = lines[j];
            size_t len = lens[j];
            if (line_trim(&l, &len))
                score += d->probe(l, len);
        }
        if (score > best_score) {
            best_score = score;
            best = d;
        }
    }
    if (best_score < PROBE_MIN * (long)used)
        return vigil_decoder_by_name("raw");
    return best;
}

/* The decoders treat an arena that gives nothing as a bound (the field
 * is dropped, or the line refused): a malloc failure behind it must not
 * pass for a decoded line or a broken one. rc of a decoding that began
 * when the arena had failed nomem0 times: VIGIL_ENOMEM (ev emptied) when
 * it failed since. */
static enum vigil_rc
decoded(struct vigil_event *ev, unsigned long nomem0, enum vigil_rc rc)
{
    if (ev->arena != NULL && ev->arena->nomem != nomem0)
        rc = VIGIL_ENOMEM;
    if (rc != VIGIL_OK) {
        ev->nfields = 0;
        ev->time_ns = 0;
        ev->truncated = 0;
    }
    return rc;
}

static unsigned long
nomem_now(const struct vigil_event *ev)
{
    return ev->arena != NULL ? ev->arena->nomem : 0;
}

/* Decodes the trimmed line with d; on failure ev holds no fields. */
static enum vigil_rc
decode_with(const struct vigil_decoder *d, struct vigil_event *ev,
            const char *line, size_t len, const struct vigil_parse_opts *opts)
{
    unsigned long nomem0 = nomem_now(ev);

    ev->raw = line;
    ev->raw_len = (uint32_t)len;
    ev->family = (uint8_t)d->family;
    return decoded(ev, nomem0, d->decode(ev, line, len, opts));
}

/* A line that cannot be decoded at all: ev keeps the line, no fields. */
static enum vigil_rc
refuse(const struct vigil_decoder *d, struct vigil_event *ev, const char *line,
       size_t len)
{
    ev->raw = line;
    ev->raw_len = (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len);
    ev->family = (uint8_t)d->family;
    ev->nfields = 0;
    ev->time_ns = 0;
    ev->truncated = 0;
    return VIGIL_EPARSE;
}

enum vigil_rc
vigil_decode_line(const struct vigil_decoder *d, struct vigil_event *ev,
                  const char *line, size_t len,
                  const struct vigil_parse_opts *opts)
{
    if (!line_trim(&line, &len))
        return refuse(d, ev, line, len);
    return decode_with(d, ev, line, len, opts);
}

/* decode_with for the current decoder of a stream. CEF travels behind a
 * syslog header, which the syslog decoder reads too: a syslog record
 * that may carry CEF is read again as CEF, and as syslog when it is no
 * CEF after all. */
static enum vigil_rc
decode_cur(const struct vigil_decoder *d, struct vigil_event *ev,
           const char *line, size_t len, const struct vigil_parse_opts *opts)
{
    unsigned long nomem0 = nomem_now(ev);
    enum vigil_rc rc;
    int cef = 0;

    if (d->decode != parse_syslog_decode)
        return decode_with(d, ev, line, len, opts);
    ev->raw = line;
    ev->raw_len = (uint32_t)len;
    ev->family = (uint8_t)d->family;
    rc =
        decoded(ev, nomem0, parse_syslog_decode_cef(ev, line, len, opts, &cef));
    if (rc == VIGIL_OK && cef &&
        (rc = decode_with(CEF, ev, line, len, opts)) != VIGIL_OK &&
        rc != VIGIL_ENOMEM)
        rc = decode_with(d, ev, line, len, opts);
    return rc;
}

enum vigil_rc
vigil_decode_auto(struct vigil_decoder_auto *a, struct vigil_event *ev,
                  const char *line, size_t len,
                  const struct vigil_parse_opts *opts)
{
    const struct vigil_decoder *raw = RAW;
    const struct vigil_decoder *cur = a->cur;
    int score[NPROBED];
    enum vigil_rc rc;

    if (!line_trim(&line, &len))
        return refuse(cur ? cur : raw, ev, line, len);
    /* The steady state: the line is in the format of the lines before. */
    if (cur != NULL && cur != raw &&
        ((rc = decode_cur(cur, ev, line, len, opts)) == VIGIL_OK ||
         rc == VIGIL_ENOMEM))
        return rc;
    /* Every other format that claims the line, best score first; each
     * decoder is probed and tried at most once. */
    for (size_t i = 0; i < NPROBED; i++) {
        const struct vigil_decoder *d = &decoders[probed[i]];
        score[i] =
            cur == NULL || d->decode != cur->decode ? d->probe(line, len) : 0;
    }
    for (;;) {
        size_t best = NPROBED;
        for (size_t i = 0; i < NPROBED; i++)
            if (score[i] >= PROBE_MIN &&
                (best == NPROBED || score[i] > score[best]))
                best = i;
        if (best == NPROBED)
            break;
        score[best] = 0;
        rc = decode_with(&decoders[probed[best]], ev, line, len, opts);
        if (rc == VIGIL_ENOMEM)
            return rc;
        if (rc == VIGIL_OK) {
            a->cur = &decoders[probed[best]];
            return VIGIL_OK;
        }
    }
    /* Nothing fits: a broken line of a known format is a failed line;
     * text in no known format is kept as it is. */
    if (cur != NULL && cur != raw)
        return refuse(cur, ev, line, len);
    a->cur = raw;
    return decode_with(raw, ev, line, len, opts);
}
