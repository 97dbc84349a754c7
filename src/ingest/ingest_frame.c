/* ingest_frame.c -- splits byte streams into messages: RFC 6587 octet
 * counting and newline framing for syslog over TCP and TLS, newline
 * framing for stdin; and the addresses of the syslog sources: the listen
 * address, senders' addresses and the `allow:` check.
 *
 * Every message is bounded by the framer's max: an oversize message is
 * reported (so it is counted) and dropped up to its end, so one hostile
 * sender cannot make the daemon buffer without limit. A count that does
 * not fit the stream is reported the same way and framing resumes at the
 * next message, so a wrong count loses one frame, not what follows. */
#include <stdio.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ingest_int.h"

#define FRAME_DIGITS_MAX 9 /* octet counts up to 999,999,999 */

void
ingest_framer_init(struct ingest_framer *f, size_t max)
{
    memset(f, 0, sizeof(*f));
    f->max = max;
    /* Room for one whole message, its octet count and a chunk read. */
    vigil_buf_init(&f->buf, max + FRAME_DIGITS_MAX + 2 + 65536);
}

void
ingest_framer_fini(struct ingest_framer *f)
{
    vigil_buf_fini(&f->buf);
}

typedef enum vigil_rc (*frame_fn)(void *arg, const char *msg, size_t len,
                                  int oversize);

/* Can a message start with c? Syslog's "<PRI>", or a JSON object. */
static int
msg_start(char c)
{
    return c == '<' || c == '{';
}

#define NONE ((size_t)-1)

/* Reads an octet-counting header "LEN SP" at d[0..n) whose message starts
 * like one: 1 with *len and *hdr (its size) set, 0 when d holds no
 * header, -1 when more bytes are needed to tell. */
static int
frame_header(const char *d, size_t n, uint64_t *len, size_t *hdr)
{
    size_t i = 0;

    *len = 0;
    if (n == 0 || d[0] < '1' || d[0] > '9')
        return 0;
    while (i < n && i < FRAME_DIGITS_MAX && d[i] >= '0' && d[i] <= '9')
        *len = *len * 10 + (uint64_t)(d[i++] - '0');
    if (i == n)
        return -1;
    if (d[i] != ' ')
        return 0; /* a newline-framed message that starts with a digit */
    if (i + 1 == n)
        return -1;
    if (!msg_start(d[i + 1]))
        return 0;
    *hdr = i + 1;
    return 1;
}

/* Looks for a newline in d[from..to) followed by the start of another
 * message ("<" and a digit) before d[lim]: returns the offset of that
 * message, or NONE. A newline too close to lim to tell sets *partial to
 * its offset (else NONE). */
static size_t
next_start(const char *d, size_t from, size_t to, size_t lim, size_t *partial)
{
    const char *p = d + from;

    *partial = NONE;
    while (from < to && (p = memchr(p, '\n', to - (size_t)(p - d))) != NULL) {
        size_t at = (size_t)(p - d);
        if (at + 2 >= lim) {
            *partial = at;
            return NONE;
        }
        if (p[1] == '<' && p[2] >= '0' && p[2] <= '9')
            return at + 1;
        p++;
    }
    return NONE;
}

/* Syslog over TCP ends messages with "\n"; stdin's lines may end with
 * "\r" alone too (struct ingest_eol). */
static const char *
line_end(struct ingest_framer *f, const char *p, size_t n, int octets)
{
    return octets ? memchr(p, '\n', n) : ingest_eol_find(&f->eol, p, n);
}

/* Frames what is buffered; returns bytes consumed. */
static size_t
frame(struct ingest_framer *f, frame_fn fn, void *arg, int octets,
      enum vigil_rc *rc)
{
    const char *d = f->buf.data;
    size_t n = f->buf.len, pos = 0;

    *rc = VIGIL_OK;
    while (pos < n && *rc == VIGIL_OK) {
        size_t avail = n - pos, partial, at;
        uint64_t len;
        size_t hdr;
        int h;

        if (f->skip > 0) {
            /* An oversize frame, already reported: dropped to its end,
             * unless another message starts before that. */
            size_t k = f->skip < avail ? f->skip : avail;
            at = next_start(d, pos, pos + k, n, &partial);
            if (at != NONE) {
                f->skip = 0;
                pos = at;
                continue;
            }
            if (partial != NONE) {
                f->skip -= partial - pos;
                pos = partial;
                break; /* wait to see what follows the newline */
            }
            f->skip -= k;
            pos += k;
            continue;
        }
        if (f->skip_to_newline) {
            const char *nl = line_end(f, d + pos, avail, octets);
            if (nl == NULL)
                return n;
            f->skip_to_newline = 0;
            pos = (size_t)(nl - d) + 1;
            continue;
        }
        h = octets ? frame_header(d + pos, avail, &len, &hdr) : 0;
        if (h < 0)
            break; /* the count is not complete yet */
        if (h > 0) {
            size_t body = pos + hdr, have = avail - hdr;
            size_t end = len < have ? body + (size_t)len : n;

            if (len > f->max) {
                *rc = fn(arg, NULL, 0, 1);
                f->skip = (size_t)len;
                f->scanned = 0;
                pos = body;
                continue;
            }
            /* A newline then "<DIGIT" inside the frame: the count was
             * wrong. Report the frame and frame again from that message.
             * A body that arrives in pieces is checked once. */
            at = next_start(d, body + f->scanned, end, end, &partial);
            if (at != NONE) {
                *rc = fn(arg, NULL, 0, 1);
                f->scanned = 0;
                pos = at;
                continue;
            }
            if (len > have) {
                f->scanned = (partial != NONE ? partial : end) - body;
                break; /* wait for the rest */
            }
            f->scanned = 0;
            *rc = fn(arg, d + body, (size_t)len, 0);
            pos = end;
            continue;
        }
        const char *nl = line_end(f, d + pos, avail, octets);
        if (nl == NULL) {
            if (avail > f->max) {
                *rc = fn(arg, NULL, 0, 1);
                f->skip_to_newline = 1;
                return n;
            }
            break;
        }
        size_t llen = (size_t)(nl - (d + pos));
        if (llen > f->max)
            *rc = fn(arg, NULL, 0, 1);
        else if (llen > 0 && !(llen == 1 && d[pos] == '\r'))
            *rc = fn(arg, d + pos, llen, 0);
        pos += llen + 1;
    }
    return pos;
}

static enum vigil_rc
feed(struct ingest_framer *f, const char *data, size_t n, frame_fn fn,
     void *arg, int octets)
{
    enum vigil_rc rc = VIGIL_OK;

    while (n > 0 && rc == VIGIL_OK) {
        size_t room = f->buf.max - f->buf.len;
        size_t k = n < room ? n : room;
        size_t used;

        if (vigil_buf_append(&f->buf, data, k) != VIGIL_OK) {
            vigil_buf_init(&f->buf, f->buf.max);
            return VIGIL_ENOMEM;
        }
        data += k;
        n -= k;
        used = frame(f, fn, arg, octets, &rc);
        if (used > 0) {
            memmove(f->buf.data, f->buf.data + used, f->buf.len - used);
            f->buf.len -= used;
            f->buf.data[f->buf.len] = '\0';
        }
    }
    return rc;
}

enum vigil_rc
ingest_framer_feed(struct ingest_framer *f, const char *data, size_t n,
                   frame_fn fn, void *arg)
{
    return feed(f, data, n, fn, arg, 1);
}

enum vigil_rc
ingest_lines_feed(struct ingest_framer *f, const char *data, size_t n,
                  frame_fn fn, void *arg)
{
    return feed(f, data, n, fn, arg, 0);
}

enum vigil_rc
ingest_framer_finish(struct ingest_framer *f, frame_fn fn, void *arg)
{
    enum vigil_rc rc = VIGIL_OK;

    if (f->buf.len > 0 && f->skip == 0 && !f->skip_to_newline) {
        size_t len = f->buf.len, hdr;
        uint64_t flen;
        /* A frame cut short by the end of the stream is no message. */
        if (frame_header(f->buf.data, len, &flen, &hdr) > 0 || len > f->max)
            rc = fn(arg, NULL, 0, 1);
        else if (!(len == 1 && f->buf.data[0] == '\r'))
            rc = fn(arg, f->buf.data, len, 0);
    }
    vigil_buf_reset(&f->buf);
    f->skip = 0;
    f->skip_to_newline = 0;
    f->scanned = 0;
    return rc;
}

int
ingest_parse_listen(const char *text, struct sockaddr_storage *ss,
                    unsigned *sslen)
{
    char host[256];
    const char *colon, *port;
    int64_t p;

    memset(ss, 0, sizeof(*ss));
    if (text[0] == '[') {
        const char *rb = strchr(text, ']');
        if (rb == NULL || rb[1] != ':' ||
            (size_t)(rb - text - 1) >= sizeof(host))
            return 0;
        snprintf(host, sizeof(host), "%.*s", (int)(rb - text - 1), text + 1);
        port = rb + 2;
    } else {
        colon = strrchr(text, ':');
        if (colon == NULL || (size_t)(colon - text) >= sizeof(host))
            return 0;
        snprintf(host, sizeof(host), "%.*s", (int)(colon - text), text);
        port = colon + 1;
    }
    if (!vigil_parse_i64(port, strlen(port), &p) || p < 1 || p > 65535)
        return 0;
    if (host[0] == '\0' || strcmp(host, "*") == 0)
        snprintf(host, sizeof(host), "0.0.0.0");
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)p);
        *sslen = sizeof(*s4);
        return 1;
    }
    if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)p);
        *sslen = sizeof(*s6);
        return 1;
    }
    return 0;
}

int
ingest_peer_set(struct ingest_peer *p, const struct sockaddr *sa)
{
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

    memset(p, 0, sizeof(*p));
    if (sa->sa_family == AF_INET) {
        p->ip[10] = p->ip[11] = 0xff;
        memcpy(p->ip + 12, &s4->sin_addr, 4);
        p->port = ntohs(s4->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        memcpy(p->ip, &s6->sin6_addr, 16);
        p->port = ntohs(s6->sin6_port);
    } else {
        return 0;
    }
    p->text_len = (uint8_t)vigil_ip_format(p->ip, p->text);
    p->port_len = (uint8_t)snprintf(p->port_text, sizeof(p->port_text), "%u",
                                    (unsigned)p->port);
    return 1;
}

int
ingest_peer_allowed(const struct vigil_source_config *sc, const uint8_t ip[16])
{
    for (size_t i = 0; i < sc->nallow; i++)
        if (vigil_ip_in_cidr(ip, sc->allow[i].net, sc->allow[i].prefix))
            return 1;
    return sc->nallow == 0;
}
