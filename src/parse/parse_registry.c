/* parse_registry.c -- the table of line decoders, format detection and
 * vigil_decode_line, the one entry point callers use per line.
 *
 * Detection sums each decoder's probe score over the sample lines and
 * takes the best average; below 50 the lines are not in any format we
 * know and "raw" is used so nothing is lost. */
#include "parse_int.h"

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

/* Order matters on ties: the more specific format first. */
static const struct vigil_decoder decoders[] = {
    {"syslog", VIGIL_FAMILY_LINUX, parse_syslog_probe, parse_syslog_decode},
    {"auth", VIGIL_FAMILY_LINUX, parse_syslog_probe, parse_syslog_decode},
    {"auditd", VIGIL_FAMILY_LINUX, parse_auditd_probe, parse_auditd_decode},
    {"access", VIGIL_FAMILY_WEB, parse_access_probe, parse_access_decode},
    {"json", VIGIL_FAMILY_GENERIC, parse_json_probe, parse_json_decode},
    {"cef", VIGIL_FAMILY_GENERIC, parse_cef_probe, parse_cef_decode},
    {"evtx", VIGIL_FAMILY_WINDOWS, evtx_probe, evtx_decode},
    {"raw", VIGIL_FAMILY_GENERIC, raw_probe, raw_decode},
};
#define NDECODERS (sizeof(decoders) / sizeof(decoders[0]))

static const char *const names[] = {
    "syslog", "auth", "auditd", "access", "json", "cef", "evtx", "raw", NULL};

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

const struct vigil_decoder *
vigil_decoder_detect(const char *const *lines, const size_t *lens, size_t n)
{
    const struct vigil_decoder *best = vigil_decoder_by_name("raw");
    long best_score = 0;
    size_t used = 0;

    for (size_t j = 0; j < n; j++)
        if (lens[j] > 0 && lens[j] <= VIGIL_MAX_LINE)
            used++;
    if (used == 0)
        return best;
    for (size_t i = 0; i < NDECODERS; i++) {
        const struct vigil_decoder *d = &decoders[i];
        long score = 0;
        if (strcmp(d->name, "auth") == 0 || strcmp(d->name, "raw") == 0 ||
            strcmp(d->name, "evtx") == 0)
            continue;
        for (size_t j = 0; j < n; j++) {
            size_t len = lens[j];
            if (len == 0 || len > VIGIL_MAX_LINE)
                continue;
            if (lines[j][len - 1] == '\r')
                len--;
            score += d->probe(lines[j], len);
        }
        if (score > best_score) {
            best_score = score;
            best = d;
        }
    }
    if (best_score < 50 * (long)used)
        return vigil_decoder_by_name("raw");
    return best;
}

enum vigil_rc
vigil_decode_line(const struct vigil_decoder *d, struct vigil_event *ev,
                  const char *line, size_t len,
                  const struct vigil_parse_opts *opts)
{
    enum vigil_rc rc;

    if (len > 0 && line[len - 1] == '\n')
        len--;
    if (len > 0 && line[len - 1] == '\r')
        len--;
    ev->raw = line;
    ev->family = (uint8_t)d->family;
    ev->raw_len = (uint32_t)(len > UINT32_MAX ? UINT32_MAX : len);
    if (len > VIGIL_MAX_LINE || memchr(line, '\0', len) != NULL) {
        rc = VIGIL_EPARSE;
        goto out;
    }
    rc = d->decode(ev, line, len, opts);
out:
    if (rc != VIGIL_OK) {
        ev->nfields = 0;
        ev->time_ns = 0;
        ev->truncated = 0;
    }
    return rc;
}
