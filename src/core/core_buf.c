/* core_buf.c -- a growable byte buffer with a hard maximum.
 *
 * Overflowing the maximum frees the contents: callers check the return
 * code once and never see a silently truncated result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

void
vigil_buf_init(struct vigil_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void
vigil_buf_fini(struct vigil_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void
vigil_buf_reset(struct vigil_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

enum vigil_rc
vigil_buf_reserve(struct vigil_buf *b, size_t extra)
{
    size_t need, ncap;
    char *p;

    if (extra > b->max || b->len > b->max - extra) {
        vigil_buf_fini(b);
        return VIGIL_ELIMIT;
    }
    need = b->len + extra + 1; /* room for the terminator */
    if (need <= b->cap)
        return VIGIL_OK;
    ncap = b->cap ? b->cap : 256;
    while (ncap < need)
        ncap *= 2;
    if (ncap > b->max + 1)
        ncap = b->max + 1;
    p = realloc(b->data, ncap);
    if (p == NULL) {
        vigil_buf_fini(b);
        return VIGIL_ENOMEM;
    }
    b->data = p;
    b->cap = ncap;
    return VIGIL_OK;
}

enum vigil_rc
vigil_buf_append(struct vigil_buf *b, const void *p, size_t n)
{
    enum vigil_rc rc = vigil_buf_reserve(b, n);

    if (rc != VIGIL_OK)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return VIGIL_OK;
}

enum vigil_rc
vigil_buf_putc(struct vigil_buf *b, char c)
{
    return vigil_buf_append(b, &c, 1);
}

enum vigil_rc
vigil_buf_printf(struct vigil_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    enum vigil_rc rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return VIGIL_EINVAL;
    rc = vigil_buf_reserve(b, (size_t)n);
    if (rc != VIGIL_OK)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return VIGIL_OK;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t
utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len, i;
    unsigned cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, cp = c & 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return len;
}

enum vigil_rc
vigil_buf_json_str(struct vigil_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0, seq;
    enum vigil_rc rc;
    char esc[6];

    /* Worst case every byte becomes \u00XX. */
    if ((rc = vigil_buf_reserve(b, n + 2)) != VIGIL_OK)
        return rc;
    b->data[b->len++] = '"';
    while (i < n) {
        unsigned c = p[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            run++;
            continue;
        }
        if (run && (rc = vigil_buf_append(b, p + i - run, run)) != VIGIL_OK)
            return rc;
        run = 0;
        if (c >= 0x80 && (seq = utf8_seq_len(p + i, n - i)) > 0) {
            if ((rc = vigil_buf_append(b, p + i, seq)) != VIGIL_OK)
                return rc;
            i += seq;
            continue;
        }
        esc[0] = '\\';
        switch (c) {
        case '"':
        case '\\':
            esc[1] = (char)c;
            rc = vigil_buf_append(b, esc, 2);
            break;
        case '\n':
            rc = vigil_buf_append(b, "\\n", 2);
            break;
        case '\r':
            rc = vigil_buf_append(b, "\\r", 2);
            break;
        case '\t':
            rc = vigil_buf_append(b, "\\t", 2);
            break;
        default:
            esc[1] = 'u';
            rc = vigil_buf_append(b, esc, 2);
            if (rc == VIGIL_OK) {
                char h[4] = {'0', '0', hex[c >> 4], hex[c & 15]};
                rc = vigil_buf_append(b, h, 4);
            }
        }
        if (rc != VIGIL_OK)
            return rc;
        i++;
    }
    if (run && (rc = vigil_buf_append(b, p + i - run, run)) != VIGIL_OK)
        return rc;
    return vigil_buf_putc(b, '"');
}
