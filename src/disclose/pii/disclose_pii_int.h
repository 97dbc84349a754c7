/* disclose_pii_int.h -- what the personal-data recogniser files share
 * (private to src/disclose/pii/): the built-in scanners, each a pure
 * function over borrowed text that returns the length of a validated match
 * starting at a given position, or 0.
 */
#ifndef VIGIL_DISCLOSE_PII_INT_H
#define VIGIL_DISCLOSE_PII_INT_H

#include <stddef.h>

#include "disclose/pii/pii.h"

/* Character classes on bytes; bytes >= 0x80 count as neither. */
static inline int
pii_is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static inline int
pii_is_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

static inline int
pii_is_alpha(unsigned char c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static inline int
pii_is_alnum(unsigned char c)
{
    return pii_is_digit(c) || pii_is_alpha(c);
}

static inline unsigned char
pii_lower(unsigned char c)
{
    return pii_is_alpha(c) ? (unsigned char)(c | 0x20) : c;
}

/* Accent and case folding (disclose_pii_fold.c). The character at u[i]
 * (UTF-8) as lower-case ASCII: up to two letters or one digit into out,
 * their count in *nout (0 when it is not a letter or digit, or an
 * unknown letter). Returns the bytes it takes, at least 1. */
size_t disclose_pii_fold(const unsigned char *u, size_t len, size_t i,
                         char out[2], size_t *nout);
/* Length of an apostrophe (' or U+2019) at i, or 0. */
size_t disclose_pii_apostrophe(const unsigned char *u, size_t len, size_t i);
/* Does folded text at i spell w (lower-case ASCII letters and digits;
 * any other character of w, such as a space, matches only itself)?
 * Returns the bytes matched, or 0. */
size_t disclose_pii_match_word(const unsigned char *u, size_t len, size_t i,
                               const char *w);
/* Is there a letter (accented or not) at i? */
int disclose_pii_letter_at(const unsigned char *u, size_t len, size_t i);

/* Check digits over ASCII digit strings (no separators). */
int disclose_pii_luhn_ok(const unsigned char *d, size_t n);
int disclose_pii_nhs_ok(const unsigned char *d);   /* 10 digits */
int disclose_pii_iban_ok(const char *s, size_t n); /* no spaces */

/* Scanners. t/len is the whole text (borrowed) so they can look behind
 * for word boundaries; i is where the candidate starts. Each returns the
 * match length, or 0. */
size_t disclose_pii_email(const char *t, size_t len, size_t i);
size_t disclose_pii_iban(const char *t, size_t len, size_t i);
size_t disclose_pii_nino(const char *t, size_t len, size_t i);
size_t disclose_pii_postcode(const char *t, size_t len, size_t i);
size_t disclose_pii_ip(const char *t, size_t len, size_t i);
/* Digit runs: payment card, NHS number, SIN or UK phone (with 0, +44 or
 * "(0...)" prefixes). Sets *kind. */
size_t disclose_pii_number(const char *t, size_t len, size_t i,
                           enum pii_kind *kind);
/* Canadian identifiers (disclose_pii_ca.c). */
size_t disclose_pii_ca_postcode(const char *t, size_t len, size_t i);
size_t disclose_pii_ramq(const char *t, size_t len, size_t i);
size_t disclose_pii_ca_licence(const char *t, size_t len, size_t i);
/* A Canadian phone number at i ("(613) 555-0123", "514 555-0123",
 * "+1 613 555 0123", "1-819-555-0199"): its length or 0. */
size_t disclose_pii_ca_phone(const char *t, size_t len, size_t i);
/* An Ontario health card version code (one or two capitals, after an
 * optional sep, the number's own group separator) at e, where the
 * number ends: its length or 0. */
size_t disclose_pii_ca_version_code(const char *t, size_t len, size_t e,
                                    char sep);
/* 10 ASCII digits that are an NHS number: issued block and modulus 11. */
int disclose_pii_nhs_number_ok(const unsigned char *d);
/* A birth label ("DOB", "date of birth", "born") at i: returns its length
 * or 0. */
size_t disclose_pii_dob_label(const char *t, size_t len, size_t i);
/* A calendar date at i ("12/03/1980", "1980-03-12", "12 March 1980",
 * "March 12, 1980"): returns its length or 0. */
size_t disclose_pii_date(const char *t, size_t len, size_t i);

/* Header text normalised for comparison: lower-case ASCII words of
 * letters (accents folded) and digits separated by single spaces, written
 * NUL-terminated into dst (cap bytes, truncated). Returns its length. */
size_t disclose_pii_normalise(const char *text, size_t len, char *dst,
                              size_t cap);

/* The normalised custom header phrases of p (borrowed); returns count. */
size_t disclose_pii_custom_headers(const struct disclose_pii *p,
                                   const char *const **out);

#endif
