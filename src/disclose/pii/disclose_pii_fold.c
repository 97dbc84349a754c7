/* disclose_pii_fold.c -- accent- and case-folding of UTF-8 letters to
 * ASCII, so that French and Welsh words ("Prénom", "Téléphone", "Ffôn",
 * "Dyddiad geni") compare with one table of plain phrases and month
 * names whatever accents, case or encoding form the writer used.
 *
 * Only the Latin letters those languages (and names in them) use are
 * folded: Latin-1 Supplement, Latin Extended-A and the Welsh w/y with
 * grave, acute and diaeresis from Latin Extended Additional. Anything
 * else is "not a letter" to the callers, as before.
 */
#include <string.h>

#include "disclose/pii/disclose_pii_int.h"

/* Base letter of U+00C0..U+017F; '*' marks the two-letter ligatures
 * (ae, ss, ij, oe), '.' a character that is not a letter (x, ÷, þ). */
static const char latin_base[] =
    "aaaaaa*ceeeeiiiidnooooo.ouuuuy.*aaaaaa*ceeeeiiiidnooooo.ouuuuy.y"
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii**jjkkkllllllllll"
    "nnnnnnnnnoooooo**rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

static size_t
ligature(unsigned cp, char out[2])
{
    switch (cp) {
    case 0xC6:
    case 0xE6:
        memcpy(out, "ae", 2);
        break;
    case 0xDF:
        memcpy(out, "ss", 2);
        break;
    case 0x132:
    case 0x133:
        memcpy(out, "ij", 2);
        break;
    default:
        memcpy(out, "oe", 2);
        break;
    }
    return 2;
}

size_t
disclose_pii_fold(const unsigned char *u, size_t len, size_t i, char out[2],
                  size_t *nout)
{
    unsigned char c = u[i];
    unsigned cp;

    *nout = 0;
    if (c < 0x80) {
        if (pii_is_alnum(c)) {
            out[0] = (char)pii_lower(c);
            *nout = 1;
        }
        return 1;
    }
    /* Two-byte forms: C3 80..BF is U+00C0..U+00FF, C4/C5 U+0100..U+017F. */
    if (c >= 0xC3 && c <= 0xC5 && i + 1 < len && (u[i + 1] & 0xC0) == 0x80) {
        cp = ((unsigned)(c & 0x1F) << 6) | (u[i + 1] & 0x3F);
        if (cp >= 0xC0 && cp < 0x180) {
            char b = latin_base[cp - 0xC0];
            if (b == '*')
                *nout = ligature(cp, out);
            else if (b != '.') {
                out[0] = b;
                *nout = 1;
            }
        }
        return 2;
    }
    /* E1 BA 80..85 (W with grave, acute, diaeresis) and E1 BB B2..B3
     * (Y with grave): Welsh. */
    if (c == 0xE1 && i + 2 < len && (u[i + 1] & 0xC0) == 0x80 &&
        (u[i + 2] & 0xC0) == 0x80) {
        if (u[i + 1] == 0xBA && u[i + 2] >= 0x80 && u[i + 2] <= 0x85) {
            out[0] = 'w';
            *nout = 1;
        } else if (u[i + 1] == 0xBB && (u[i + 2] == 0xB2 || u[i + 2] == 0xB3)) {
            out[0] = 'y';
            *nout = 1;
        }
        return 3;
    }
    /* Any other sequence: skip it whole so callers never split one. */
    if (c >= 0xC0) {
        size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2, k = 1;
        while (k < n && i + k < len && (u[i + k] & 0xC0) == 0x80)
            k++;
        return k;
    }
    return 1;
}

/* Is the byte sequence at i an apostrophe: ' or U+2019 (E2 80 99), which
 * French and Welsh word processors write for it? Returns its length. */
size_t
disclose_pii_apostrophe(const unsigned char *u, size_t len, size_t i)
{
    if (u[i] == '\'')
        return 1;
    if (u[i] == 0xE2 && i + 2 < len && u[i + 1] == 0x80 && u[i + 2] == 0x99)
        return 3;
    return 0;
}

size_t
disclose_pii_match_word(const unsigned char *u, size_t len, size_t i,
                        const char *w)
{
    const unsigned char *k = (const unsigned char *)w;
    size_t j = i;

    /* Called at most word starts of a scan: ASCII is compared directly,
     * only accented letters go through the fold. */
    while (*k) {
        char f[2];
        size_t nf, step;

        if (j >= len)
            return 0;
        if (u[j] < 0x80) {
            /* spaces and punctuation ("d.o.b.") match themselves */
            if ((pii_is_alnum(*k) ? pii_lower(u[j]) : u[j]) != *k)
                return 0;
            j++;
            k++;
            continue;
        }
        step = disclose_pii_fold(u, len, j, f, &nf);
        if (nf == 0 || (unsigned char)f[0] != k[0] ||
            (nf == 2 && (unsigned char)f[1] != k[1]))
            return 0;
        k += nf;
        j += step;
    }
    return j - i;
}

int
disclose_pii_letter_at(const unsigned char *u, size_t len, size_t i)
{
    char f[2];
    size_t nf;

    if (i >= len)
        return 0;
    (void)disclose_pii_fold(u, len, i, f, &nf);
    return nf > 0 && !pii_is_digit((unsigned char)f[0]);
}
