/* detect_re.c -- a linear matcher for the regular expressions that are
 * only literal pieces joined by `.*` ('\+.*\+.*\+ ...'). PCRE backtracks
 * through every way to place the pieces, which on a long command line
 * costs milliseconds per event; taking each piece at its first occurrence
 * after the previous one decides the same question in one pass (if any
 * placement exists, the leftmost one does). Texts whose bytes could make
 * the answers differ (newlines for `.`, bytes above 0x7f for UTF rules)
 * are left to PCRE. */
#include <string.h>

#include "detect/detect_int.h"

/* Bytes PCRE may treat specially in a subject: newline conventions (`.`
 * does not cross them) and anything not ASCII. */
static int
plain_byte(unsigned char c, int dotall)
{
    if (c >= 0x80)
        return 0;
    if (dotall)
        return 1;
    return c != '\n' && c != '\r' && c != '\v' && c != '\f';
}

static int
is_meta(char c)
{
    return strchr("\\^$.|?*+()[]{}", c) != NULL;
}

static int
is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

static int
is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int
detect_re_seq(struct vigil_arena *a, const char *re, uint32_t n, int caseless,
              char **out, uint32_t *outlen)
{
    char buf[1024];
    uint32_t bl = 0, pieces = 0;
    int open = 0; /* a piece has characters */

    *out = NULL;
    *outlen = 0;
    if (n >= sizeof(buf))
        return 0;
    for (uint32_t i = 0; i < n; i++) {
        char c = re[i];
        if (c == '.') {
            /* only a plain greedy `.*`: lazy gives the same answer but
             * possessive does not */
            if (i + 1 >= n || re[i + 1] != '*')
                return 0;
            i++;
            if (i + 1 < n && (re[i + 1] == '?' || re[i + 1] == '+'))
                return 0;
            if (open) {
                buf[bl++] = '\0';
                open = 0;
            }
            continue;
        }
        if (c == '\\') {
            if (i + 1 >= n || is_alnum(re[i + 1]))
                return 0; /* \d, \x41 ...: not a plain character */
            c = re[++i];
        } else if (is_meta(c)) {
            return 0;
        }
        /* caseless letters may match non-ASCII characters (the Kelvin
         * sign for k); a quantified character is not a plain piece */
        if ((unsigned char)c >= 0x80 || c == '\0' || (caseless && is_letter(c)))
            return 0;
        if (i + 1 < n && re[i + 1] && strchr("?*+{", re[i + 1]))
            return 0;
        if (!open)
            pieces++;
        open = 1;
        buf[bl++] = c;
    }
    if (!pieces)
        return 0;
    if (open)
        buf[bl++] = '\0';
    *out = vigil_arena_alloc(a, bl);
    if (!*out)
        return 0;
    memcpy(*out, buf, bl);
    *outlen = bl;
    return 1;
}

int
detect_re_seq_match(const char *seq, uint32_t len, int dotall, const char *t,
                    size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!plain_byte((unsigned char)t[i], dotall))
            return -1;
    size_t pos = 0;
    for (uint32_t k = 0; k < len;) {
        size_t pl = strlen(seq + k);
        const char *hit = memmem(t + pos, n - pos, seq + k, pl);
        if (!hit)
            return 0;
        pos = (size_t)(hit - t) + pl;
        k += (uint32_t)pl + 1;
    }
    return 1;
}
