/* ingest_frame.c -- splits byte streams into messages: RFC 6587 octet
 * counting and newline framing for syslog over TCP, newline framing for
 * stdin, and the listen-address parser of the syslog sources.
 *
 * Every message is bounded by the framer's max: an oversize message is
 * reported (so it is counted) and dropped up to its end, so one hostile
 * sender cannot make the daemon buffer without limit. */
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
        size_t avail = n - pos;

        if (f->skip > 0) {
            size_t k = f->skip < avail ? f->skip : avail;
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
        if (octets && d[pos] >= '1' && d[pos] <= '9') {
            size_t i = 0;
            uint64_t len = 0;
            while (i < avail && i < FRAME_DIGITS_MAX && d[pos + i] >= '0' &&
                   d[pos + i] <= '9')
                len = len * 10 + (uint64_t)(d[pos + i++] - '0');
            if (i == avail)
                break; /* the count is not complete yet */
            if (d[pos + i] == ' ') {
                size_t hdr = i + 1;
                if (len > f->max) {
                    *rc = fn(arg, NULL, 0, 1);
                    f->skip = (size_t)len;
                    pos += hdr;
                    continue;
                }
                if (avail - hdr < len)
                    break; /* wait for the rest */
                *rc = fn(arg, d + pos + hdr, (size_t)len, 0);
                pos += hdr + (size_t)len;
                continue;
            }
            /* digits not followed by a space: a newline-framed message
             * that happens to start with a digit. */
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
        size_t len = (size_t)(nl - (d + pos));
        if (len > f->max)
            *rc = fn(arg, NULL, 0, 1);
        else if (len > 0 && !(len == 1 && d[pos] == '\r'))
            *rc = fn(arg, d + pos, len, 0);
        pos += len + 1;
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
        size_t len = f->buf.len;
        if (len > f->max)
            rc = fn(arg, NULL, 0, 1);
        else if (!(len == 1 && f->buf.data[0] == '\r'))
            rc = fn(arg, f->buf.data, len, 0);
    }
    vigil_buf_reset(&f->buf);
    f->skip = 0;
    f->skip_to_newline = 0;
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
