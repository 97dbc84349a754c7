/* disclose_pii_ca.c -- Canadian identifiers: postal codes, Ontario health
 * card numbers (with their version code), Quebec RAMQ health insurance
 * numbers and Ontario and Quebec driver's licence numbers, plus the
 * column-context check (disclose_pii_cell) for values that are personal
 * only under their header.
 *
 * Each scanner validates what the identifier carries -- a Luhn check
 * digit, a birth date, letters Canada Post never uses -- rather than
 * reporting every run of the right shape. Sources in docs/disclose-pii.md.
 */
#include <string.h>

#include "disclose/pii/disclose_pii_int.h"

static unsigned
num2(const unsigned char *d)
{
    return (unsigned)(d[0] - '0') * 10 + (unsigned)(d[1] - '0');
}

/* Day d valid in month m (1-12) of a year ending yy? The century is not
 * known, but it does not matter for 29 February: a year whose last two
 * digits are not a multiple of 4 is never a leap year, and 00 may be
 * (2000). */
static int
day_ok(unsigned yy, unsigned m, unsigned d)
{
    static const unsigned char mdays[] = {31, 29, 31, 30, 31, 30,
                                          31, 31, 30, 31, 30, 31};
    if (m == 2 && d == 29 && yy % 4 != 0)
        return 0;
    return m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1];
}

/* Month as RAMQ and Ontario licences write it: +50 for women. */
static int
sexed_month_day_ok(unsigned yy, unsigned m, unsigned d)
{
    return day_ok(yy, m > 50 ? m - 50 : m, d);
}

static int
end_ok(const unsigned char *u, size_t len, size_t e)
{
    return e >= len || !pii_is_alnum(u[e]);
}

/* Reads n digits from j, allowing one space or hyphen before group g
 * boundaries listed in cuts (digit counts after which a separator may
 * come, 0-terminated). All separators must be the same, or none. Returns
 * the end offset, or 0. */
static size_t
grouped_digits(const unsigned char *u, size_t len, size_t j, size_t n,
               const unsigned char *cuts, unsigned char *d, int *sep)
{
    size_t k = 0;

    while (k < n) {
        if (*cuts && k == *cuts) {
            cuts++;
            if (j < len && (u[j] == ' ' || u[j] == '-')) {
                if (*sep == 0)
                    *sep = u[j];
                else if (*sep != u[j])
                    return 0;
                j++;
            } else if (*sep > 0) {
                return 0;
            } else {
                *sep = -1;
            }
        }
        if (j >= len || !pii_is_digit(u[j]))
            return 0;
        d[k++] = u[j++];
    }
    return j;
}

/* ------------------------------------------------------------------ */
/* Postal code: A9A 9A9                                                 */
/* ------------------------------------------------------------------ */

/* First letters in use (province or region); D F I O Q U are never used
 * anywhere, W and Z never first. */
static int
ca_first(unsigned char c)
{
    return c != 0 && strchr("ABCEGHJKLMNPRSTVXY", c) != NULL;
}

static int
ca_letter(unsigned char c)
{
    return pii_is_upper(c) && strchr("DFIOQU", c) == NULL;
}

size_t
disclose_pii_ca_postcode(const char *t, size_t len, size_t i)
{
    const unsigned char *u = (const unsigned char *)t;
    size_t j = i + 3;

    if (i + 6 > len || !ca_first(u[i]) || !pii_is_digit(u[i + 1]) ||
        !ca_letter(u[i + 2]))
        return 0;
    if (j < len && (u[j] == ' ' || u[j] == '-'))
        j++;
    if (j + 3 > len || !pii_is_digit(u[j]) || !ca_letter(u[j + 1]) ||
        !pii_is_digit(u[j + 2]) || !end_ok(u, len, j + 3))
        return 0;
    return j + 3 - i;
}

/* ------------------------------------------------------------------ */
/* Quebec RAMQ: AAAA YYMM DDNN                                          */
/* ------------------------------------------------------------------ */

size_t
disclose_pii_ramq(const char *t, size_t len, size_t i)
{
    static const unsigned char cuts[] = {4, 0};
    const unsigned char *u = (const unsigned char *)t;
    unsigned char d[8];
    size_t j = i + 4, e;
    int sep = -1;

    if (i + 12 > len || !pii_is_upper(u[i]) || !pii_is_upper(u[i + 1]) ||
        !pii_is_upper(u[i + 2]) || !pii_is_upper(u[i + 3]))
        return 0;
    /* "ABCD 8003 1512": a separator after the letters must be the one
     * between the digit groups too. */
    if (u[j] == ' ' || u[j] == '-')
        sep = u[j++];
    e = grouped_digits(u, len, j, 8, cuts, d, &sep);
    if (e == 0 || !end_ok(u, len, e))
        return 0;
    if (!sexed_month_day_ok(num2(d), num2(d + 2), num2(d + 4)))
        return 0;
    return e - i;
}

/* ------------------------------------------------------------------ */
/* Driver's licences                                                    */
/* ------------------------------------------------------------------ */

/* Ontario: A9999-99999-99999, a surname letter and 14 digits whose last
 * six are the birth date YYMMDD (month +50 for women). Quebec:
 * A9999-999999-99, a surname letter and 12 digits whose middle six are
 * the birth date DDMMYY. */
size_t
disclose_pii_ca_licence(const char *t, size_t len, size_t i)
{
    static const unsigned char on_cuts[] = {4, 9, 0};
    static const unsigned char qc_cuts[] = {4, 10, 0};
    const unsigned char *u = (const unsigned char *)t;
    unsigned char d[14];
    size_t e;
    int sep = 0;

    if (i + 13 > len || !pii_is_upper(u[i]) || !pii_is_digit(u[i + 1]))
        return 0;
    e = grouped_digits(u, len, i + 1, 14, on_cuts, d, &sep);
    if (e > 0 && end_ok(u, len, e) &&
        sexed_month_day_ok(num2(d + 8), num2(d + 10), num2(d + 12)))
        return e - i;
    sep = 0;
    e = grouped_digits(u, len, i + 1, 12, qc_cuts, d, &sep);
    if (e > 0 && end_ok(u, len, e) &&
        sexed_month_day_ok(num2(d + 8), num2(d + 6), num2(d + 4)))
        return e - i;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Phone numbers                                                        */
/* ------------------------------------------------------------------ */

/* Canada's geographic area codes (CRTC / Canadian Numbering
 * Administrator), overlays included. A NANP number elsewhere is not
 * reported: US numbers are out of scope and 3-3-4 digit runs are common. */
static const char ca_area_codes[] =
    " 204 226 236 249 250 257 263 289 306 343 354 365 367 368 382 387 403"
    " 416 418 428 431 437 438 450 468 474 506 514 519 548 579 581 584 587"
    " 604 613 639 647 672 683 705 709 742 753 778 780 782 807 819 825 867"
    " 873 879 902 905 942 ";

static int
phone_sep(unsigned char c)
{
    return c == ' ' || c == '-' || c == '.';
}

/* n digits at *j into v; 0 when they are not all there. */
static int
digits_at(const unsigned char *u, size_t len, size_t *j, size_t n, char *v)
{
    size_t k;

    for (k = 0; k < n; k++, (*j)++) {
        if (*j >= len || !pii_is_digit(u[*j]))
            return 0;
        v[k] = (char)u[*j];
    }
    return 1;
}

size_t
disclose_pii_ca_phone(const char *t, size_t len, size_t i)
{
    const unsigned char *u = (const unsigned char *)t;
    char area[6], exch[3], line[4];
    size_t j = i;
    int prefixed = 0, paren = 0;
    unsigned char s1 = 0, s2;

    if (u[j] == '+' || (u[j] == '1' && j + 1 < len && phone_sep(u[j + 1]))) {
        if (u[j] == '+' && (j + 1 >= len || u[++j] != '1'))
            return 0;
        j++;
        if (j < len && phone_sep(u[j]))
            j++;
        prefixed = 1;
    }
    if (j < len && u[j] == '(') {
        paren = 1;
        j++;
    }
    area[0] = ' ';
    if (!digits_at(u, len, &j, 3, area + 1))
        return 0;
    if (paren) {
        if (j >= len || u[j] != ')')
            return 0;
        j++;
        if (j < len && u[j] == ' ')
            j++;
    } else {
        if (j >= len || !phone_sep(u[j]))
            return 0;
        s1 = u[j++];
    }
    if (!digits_at(u, len, &j, 3, exch) || j >= len || !phone_sep(u[j]))
        return 0;
    s2 = u[j++];
    if (!digits_at(u, len, &j, 4, line))
        return 0;
    if (j < len &&
        (pii_is_alnum(u[j]) || ((u[j] == '.' || u[j] == ',' || u[j] == '-') &&
                                j + 1 < len && pii_is_digit(u[j + 1]))))
        return 0;
    /* "613 555 0123" with spaces only is also how NHS numbers are
     * written: a phone needs a prefix, brackets or a hyphen or dot. */
    if (!prefixed && !paren && s1 == ' ' && s2 == ' ')
        return 0;
    area[4] = ' ';
    area[5] = '\0';
    if (strstr(ca_area_codes, area) == NULL)
        return 0;
    /* Exchange: NXX, not N11 (service codes such as 911). */
    if (exch[0] < '2' || (exch[1] == '1' && exch[2] == '1'))
        return 0;
    return j - i;
}

/* ------------------------------------------------------------------ */
/* Ontario health card                                                  */
/* ------------------------------------------------------------------ */

size_t
disclose_pii_ca_version_code(const char *t, size_t len, size_t e, char sep)
{
    const unsigned char *u = (const unsigned char *)t;
    size_t j = e, n = 0;

    if (j < len && u[j] == (unsigned char)sep)
        j++;
    while (j < len && n < 3 && pii_is_upper(u[j])) {
        j++;
        n++;
    }
    if (n == 0 || n > 2 || !end_ok(u, len, j))
        return 0;
    return j - e;
}

/* 10 digits, contiguous or 4-3-3, at d (n bytes of text): copies the
 * digits into out. Returns 1 if the text is exactly that. */
static int
health_digits(const unsigned char *u, size_t n, unsigned char *out)
{
    static const unsigned char cuts[] = {4, 7, 0};
    int sep = 0;

    return grouped_digits(u, n, 0, 10, cuts, out, &sep) == n;
}

/* ------------------------------------------------------------------ */
/* Values personal because of their column                              */
/* ------------------------------------------------------------------ */

/* A spreadsheet date serial: whole days since 1899-12-30, 367 (1901)
 * to 73050 (2099), as xlsx stores a date cell. */
static int
date_serial(const unsigned char *u, size_t n)
{
    unsigned v = 0;
    size_t k = 0;

    while (k < n && k < 6 && pii_is_digit(u[k]))
        v = v * 10 + (unsigned)(u[k++] - '0');
    if (k == 0 || (k < n && u[k] != '.'))
        return 0;
    if (k < n) { /* "29221.0": a fraction of zero only */
        for (k++; k < n; k++)
            if (u[k] != '0')
                return 0;
    }
    return v >= 367 && v <= 73050;
}

/* Where a trailing time of day ("1980-03-12T00:00:00", "12/03/1980
 * 00:00", as exports of date columns write it) starts in u[0..n), or n
 * when there is none. */
static size_t
time_tail(const unsigned char *u, size_t n)
{
    size_t k = n, colons = 0;

    while (k > 0 &&
           (pii_is_digit(u[k - 1]) || u[k - 1] == ':' || u[k - 1] == '.')) {
        colons += u[k - 1] == ':';
        k--;
    }
    if (colons == 0 || k == 0 || k == n || (u[k - 1] != 'T' && u[k - 1] != ' '))
        return n;
    return k - 1;
}

enum pii_kind
disclose_pii_cell(enum pii_column col, const char *text, size_t len)
{
    const unsigned char *u = (const unsigned char *)text;
    unsigned char d[10];
    size_t s = 0, n;

    if (text == NULL)
        return 0;
    while (s < len && (u[s] == ' ' || u[s] == '\t'))
        s++;
    while (len > s && (u[len - 1] == ' ' || u[len - 1] == '\t' ||
                       u[len - 1] == '\r' || u[len - 1] == '\n'))
        len--;
    if (s == len || len - s > 64)
        return 0;
    if (col == PII_COL_DOB) {
        if (date_serial(u + s, len - s))
            return PII_DATE_OF_BIRTH;
        len = s + time_tail(u + s, len - s);
        n = disclose_pii_date(text, len, s);
        return n > 0 && s + n == len ? PII_DATE_OF_BIRTH : 0;
    }
    if (col == PII_COL_NATIONAL_ID && health_digits(u + s, len - s, d) &&
        disclose_pii_luhn_ok(d, 10)) {
        size_t k;
        for (k = 1; k < 10 && d[k] == d[0]; k++)
            ;
        /* A contiguous NHS number is the scan's already. */
        if (k == 10 || (len - s == 10 && disclose_pii_nhs_number_ok(d)))
            return 0;
        return PII_CA_HEALTH;
    }
    return 0;
}
