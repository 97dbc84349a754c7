/* disclose_pii_check.c -- check-digit arithmetic for the personal-data
 * recognisers: Luhn (payment cards, Canadian SIN), NHS modulus 11 and
 * IBAN modulus 97. These are what turn "a run of digits" into "almost
 * certainly an identifier", so they are kept small and exact.
 */
#include "disclose/pii/disclose_pii_int.h"

/* Luhn over n ASCII digits: doubling every second digit from the right. */
int
disclose_pii_luhn_ok(const unsigned char *d, size_t n)
{
    unsigned sum = 0;
    size_t k;

    for (k = 0; k < n; k++) {
        unsigned v = (unsigned)(d[n - 1 - k] - '0');
        if (k & 1) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
    }
    return n > 0 && sum % 10 == 0;
}

/* NHS number: weights 10..2 over the first nine digits; the check digit
 * is 11 - (sum mod 11), where 11 means 0 and 10 means "no valid number
 * has this body". */
int
disclose_pii_nhs_ok(const unsigned char *d)
{
    unsigned sum = 0, check;
    int k;

    for (k = 0; k < 9; k++)
        sum += (unsigned)(d[k] - '0') * (unsigned)(10 - k);
    check = 11 - sum % 11;
    if (check == 11)
        check = 0;
    if (check == 10)
        return 0;
    return check == (unsigned)(d[9] - '0');
}

/* IBAN: move the first four characters to the end, read letters as
 * 10..35, and the whole number must be 1 modulo 97 (ISO 13616). Done
 * digit by digit so no big integers are needed. */
int
disclose_pii_iban_ok(const char *s, size_t n)
{
    unsigned r = 0;
    size_t k;

    if (n < 5)
        return 0;
    for (k = 0; k < n; k++) {
        unsigned char c = (unsigned char)s[(k + 4) % n];
        if (pii_is_digit(c))
            r = (r * 10 + (unsigned)(c - '0')) % 97;
        else if (pii_is_upper(c))
            r = (r * 100 + (unsigned)(c - 'A' + 10)) % 97;
        else
            return 0;
    }
    return r == 1;
}
