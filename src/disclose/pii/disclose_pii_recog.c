/* disclose_pii_recog.c -- the built-in personal-data scanners: e-mail,
 * IBAN, National Insurance number, postcode, IP address, the digit-run
 * family (payment card, NHS number, SIN, UK phone, Ontario health card
 * with its version code) and dates next to a birth label, in English,
 * French or Welsh. Other Canadian identifiers are in disclose_pii_ca.c.
 *
 * Each scanner is hand-written, looks at most a few dozen bytes from its
 * start, allocates nothing, and validates structure (prefix letters,
 * area codes, check digits, digit grouping) so that ordinary reference
 * numbers in a document are not reported as personal data. The rules and
 * their reasons are in docs/disclose-pii.md.
 */
#include <string.h>

#include "disclose/pii/disclose_pii_int.h"

/* ------------------------------------------------------------------ */
/* E-mail                                                               */
/* ------------------------------------------------------------------ */

static int
is_local(unsigned char c)
{
    return pii_is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' ||
           c == '-';
}

/* "123@page.html" is a file name in a URL or log, not an address. */
static int
file_suffix(const unsigned char *s, size_t n)
{
    static const char *const ext[] = {
        "html", "htm", "php", "asp", "aspx", "jsp", "js",  "css",  "png", "jpg",
        "jpeg", "gif", "txt", "pdf", "exe",  "dll", "xml", "json", "svg"};
    size_t k, j;

    for (k = 0; k < sizeof(ext) / sizeof(ext[0]); k++) {
        if (strlen(ext[k]) != n)
            continue;
        for (j = 0; j < n && pii_lower(s[j]) == (unsigned char)ext[k][j]; j++)
            ;
        if (j == n)
            return 1;
    }
    return 0;
}

size_t
disclose_pii_email(const char *t, size_t len, size_t i)
{
    const unsigned char *u = (const unsigned char *)t;
    size_t j = i, k, s, end = 0, last = 0, labels = 0;

    if (i > 0 && is_local(u[i - 1]))
        return 0;
    while (j < len && j - i <= 64 && is_local(u[j]))
        j++;
    if (j == i || j - i > 64 || j >= len || u[j] != '@')
        return 0;
    if (u[i] == '.' || u[j - 1] == '.')
        return 0;
    for (k = i + 1; k < j; k++)
        if (u[k] == '.' && u[k - 1] == '.')
            return 0;
    k = j + 1;
    for (;;) {
        s = k;
        while (k < len && k - s <= 63 && (pii_is_alnum(u[k]) || u[k] == '-'))
            k++;
        if (k == s || k - s > 63 || u[s] == '-' || u[k - 1] == '-')
            break;
        labels++;
        end = k;
        last = s;
        if (k + 1 < len && u[k] == '.' && pii_is_alnum(u[k + 1]))
            k++;
        else
            break;
    }
    if (labels < 2 || end - (j + 1) > 253 || end - last < 2)
        return 0;
    for (k = last; k < end; k++)
        if (!pii_is_alpha(u[k]))
            return 0;
    if (file_suffix(u + last, end - last))
        return 0;
    if (end < len && (pii_is_alnum(u[end]) || u[end] == '@' || u[end] == '-'))
        return 0;
    return end - i;
}

/* ------------------------------------------------------------------ */
/* IBAN                                                                 */
/* ------------------------------------------------------------------ */

/* Lengths from the SWIFT IBAN registry for the countries a UK public
 * body is likely to meet; other countries are not reported. */
static const struct {
    char cc[3];
    unsigned char len;
} iban_len[] = {
    {"AD", 24}, {"AE", 23}, {"AT", 20}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"CH", 21}, {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DK", 18}, {"EE", 20},
    {"ES", 24}, {"FI", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22},
    {"GI", 23}, {"GL", 18}, {"GR", 27}, {"HR", 21}, {"HU", 28}, {"IE", 22},
    {"IL", 23}, {"IS", 26}, {"IT", 27}, {"LI", 21}, {"LT", 20}, {"LU", 20},
    {"LV", 21}, {"MC", 27}, {"ME", 22}, {"MK", 19}, {"MT", 31}, {"NL", 18},
    {"NO", 15}, {"PK", 24}, {"PL", 28}, {"PT", 25}, {"RO", 24}, {"RS", 22},
    {"SA", 24}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"TR", 26},
    {"UA", 29}, {"VA", 22}, {"XK", 20},
};

size_t
disclose_pii_iban(const char *t, size_t len, size_t i)
{
    const unsigned char *u = (const unsigned char *)t;
    char buf[34];
    size_t j = i, n = 0, want = 0, k;
    int spaced = -1, just_spaced = 0;

    if (i + 4 > len || !pii_is_upper(u[i]) || !pii_is_upper(u[i + 1]) ||
        !pii_is_digit(u[i + 2]) || !pii_is_digit(u[i + 3]))
        return 0;
    for (k = 0; k < sizeof(iban_len) / sizeof(iban_len[0]); k++)
        if (iban_len[k].cc[0] == t[i] && iban_len[k].cc[1] == t[i + 1])
            want = iban_len[k].len;
    if (want == 0)
        return 0;
    /* Either no spaces at all or one after every fourth character. */
    while (n < want && j < len) {
        unsigned char c = u[j];
        if (n > 0 && n % 4 == 0 && !just_spaced) {
            if (c == ' ' && spaced != 0) {
                spaced = 1;
                just_spaced = 1;
                j++;
                continue;
            }
            if (spaced == 1)
                break;
            spaced = 0;
        }
        just_spaced = 0;
        if (!pii_is_upper(c) && !pii_is_digit(c))
            break;
        buf[n++] = (char)c;
        j++;
    }
    if (n != want || (j < len && pii_is_alnum(u[j])))
        return 0;
    return disclose_pii_iban_ok(buf, n) ? j - i : 0;
}

/* ------------------------------------------------------------------ */
/* National Insurance number                                            */
/* ------------------------------------------------------------------ */

size_t
disclose_pii_nino(const char *t, size_t len, size_t i)
{
    const unsigned char *u = (const unsigned char *)t;
    static const char *const bad_pairs[] = {"BG", "GB", "NK", "KN",
                                            "TN", "NT", "ZZ"};
    unsigned char a, b, s;
    size_t j, k, nd = 0;

    /* Cheap refusals first: two letters, then a digit or a separator. */
    if (i + 9 > len || !pii_is_alpha(u[i]) || !pii_is_alpha(u[i + 1]) ||
        !(pii_is_digit(u[i + 2]) ||
          ((u[i + 2] == ' ' || u[i + 2] == '-') && pii_is_digit(u[i + 3]))))
        return 0;
    a = (unsigned char)(pii_lower(u[i]) - 32);
    b = (unsigned char)(pii_lower(u[i + 1]) - 32);
    if (strchr("DFIQUV", a) || strchr("DFIOQUV", b))
        return 0;
    for (k = 0; k < sizeof(bad_pairs) / sizeof(bad_pairs[0]); k++)
        if (bad_pairs[k][0] == a && bad_pairs[k][1] == b)
            return 0;
    j = i + 2;
    if (j < len && (u[j] == ' ' || u[j] == '-'))
        j++;
    while (nd < 6 && j < len) {
        if (pii_is_digit(u[j])) {
            nd++;
            j++;
        } else if ((nd == 2 || nd == 4) && (u[j] == ' ' || u[j] == '-') &&
                   j + 1 < len && pii_is_digit(u[j + 1]))
            j++;
        else
            break;
    }
    if (nd != 6 || j >= len)
        return 0;
    if (u[j] == ' ' || u[j] == '-')
        j++;
    if (j >= len)
        return 0;
    s = (unsigned char)(pii_lower(u[j]));
    if (s < 'a' || s > 'd')
        return 0;
    j++;
    if (j < len && pii_is_alnum(u[j]))
        return 0;
    return j - i;
}

/* ------------------------------------------------------------------ */
/* Postcode                                                             */
/* ------------------------------------------------------------------ */

/* The 121 geographic postcode areas plus BF (BFPO) and BX (non-
 * geographic). Checking the area rather than just the letter rules
 * removes most look-alikes ("AB1 2CD" is a real area, "XY1 2AB" is not). */
static const char *const pc_areas =
    " AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW"
    " DA DD DE DG DH DL DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP"
    " HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK"
    " ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK"
    " SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF"
    " WN WR WS WV YO ZE ";

static int
pc_area_ok(const unsigned char *a, size_t n)
{
    char key[5];
    const char *p = pc_areas;

    key[0] = ' ';
    key[1] = (char)a[0];
    if (n == 2)
        key[2] = (char)a[1];
    key[n + 1] = ' ';
    key[n + 2] = '\0';
    return strstr(p, key) != NULL;
}

/* Outward code: A9, A99, A9A, AA9, AA99, AA9A (upper case). */
static int
pc_outward_ok(const unsigned char *o, size_t n)
{
    size_t na = pii_is_upper(o[0]) ? (pii_is_upper(o[1]) ? 2 : 1) : 0;
    size_t rest;

    if (na == 0 || n < na + 1 || n > 4 || !pii_is_digit(o[na]))
        return 0;
    if (!pc_area_ok(o, na))
        return 0;
    rest = n - na - 1;
    if (rest == 0)
        return 1;
    if (rest != 1)
        return 0;
    if (pii_is_digit(o[na + 1]))
        return 1;
    /* A9A: third letter from a short list; AA9A: fourth from another. */
    if (na == 1)
        return strchr("ABCDEFGHJKPSTUW", o[2]) != NULL;
    return strchr("ABEHMNPRVWXY", o[3]) != NULL;
}

static int
pc_inward_ok(const unsigned char *in)
{
    return pii_is_digit(in[0]) && pii_is_upper(in[1]) && pii_is_upper(in[2]) &&
           !strchr("CIKMOV", in[1]) && !strchr("CIKMOV", in[2]);
}

size_t
disclose_pii_postcode(const char *t, size_t len, size_t i)
{
    const unsigned char *u = (const unsigned char *)t;
    size_t r1 = 0, r2 = 0;

    while (i + r1 < len && r1 < 8 && pii_is_alnum(u[i + r1]))
        r1++;
    if (i + r1 < len && pii_is_alnum(u[i + r1]))
        return 0;
    if (r1 >= 2 && r1 <= 4 && i + r1 + 4 <= len && u[i + r1] == ' ') {
        const unsigned char *in = u + i + r1 + 1;
        while (i + r1 + 1 + r2 < len && r2 < 4 && pii_is_alnum(in[r2]))
            r2++;
        if (r2 == 3) {
            if (r1 == 3 && memcmp(u + i, "GIR 0AA", 7) == 0)
                return 7;
            if (pc_outward_ok(u + i, r1) && pc_inward_ok(in))
                return r1 + 4;
        }
    }
    if (r1 >= 5 && r1 <= 7) {
        if (r1 == 6 && memcmp(u + i, "GIR0AA", 6) == 0)
            return 6;
        if (pc_outward_ok(u + i, r1 - 3) && pc_inward_ok(u + i + r1 - 3))
            return r1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* IP addresses                                                         */
/* ------------------------------------------------------------------ */

static int
is_hex(unsigned char c)
{
    return pii_is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

size_t
disclose_pii_ip(const char *t, size_t len, size_t i)
{
    const unsigned char *u = (const unsigned char *)t;
    uint8_t ip[16];
    size_t j = i, dots = 0, colons = 0, hex = 0;

    if (i > 0 && (pii_is_alnum(u[i - 1]) || u[i - 1] == '.' ||
                  u[i - 1] == ':' || u[i - 1] == '-'))
        return 0;
    while (j < len && j - i < 46 &&
           (is_hex(u[j]) || u[j] == '.' || u[j] == ':')) {
        dots += u[j] == '.';
        colons += u[j] == ':';
        hex += is_hex(u[j]);
        j++;
    }
    if (j - i >= 46 || (j < len && pii_is_alnum(u[j])))
        return 0;
    /* A sentence's full stop or a trailing colon is not part of it. */
    while (j > i && (u[j - 1] == '.' || u[j - 1] == ':') &&
           !(j - i >= 2 && u[j - 1] == ':' && u[j - 2] == ':')) {
        dots -= u[j - 1] == '.';
        colons -= u[j - 1] == ':';
        j--;
    }
    if (hex == 0)
        return 0;
    if (colons == 0 && dots != 3)
        return 0;
    if (colons > 0 && colons < 2)
        return 0;
    /* "1.2.3.4.5" is a version string, not an address with junk. */
    if (j < len && u[j] == '.' && j + 1 < len && pii_is_digit(u[j + 1]))
        return 0;
    return vigil_ip_parse(t + i, j - i, ip) ? j - i : 0;
}

/* ------------------------------------------------------------------ */
/* Digit runs: card, NHS number, SIN, UK phone                          */
/* ------------------------------------------------------------------ */

#define RUN_MAXD 24
#define RUN_MAXG 8

/* Digits in groups separated by single spaces or hyphens. */
struct digit_run {
    unsigned char d[RUN_MAXD];
    size_t nd;
    size_t ng;
    size_t gend[RUN_MAXG];        /* text offset just past each group */
    unsigned char glen[RUN_MAXG]; /* digits in each group */
    unsigned char gcum[RUN_MAXG]; /* digits up to and including it */
};

static void
gather(const unsigned char *u, size_t len, size_t j, struct digit_run *r)
{
    memset(r, 0, sizeof(*r));
    while (r->ng < RUN_MAXG) {
        size_t s = j;
        while (j < len && pii_is_digit(u[j]) && r->nd < RUN_MAXD)
            r->d[r->nd++] = u[j++];
        if (j < len && pii_is_digit(u[j]))
            return; /* too long: this group cannot end a match */
        if (j == s)
            return;
        r->gend[r->ng] = j;
        r->glen[r->ng] = (unsigned char)(j - s);
        r->gcum[r->ng] = (unsigned char)r->nd;
        r->ng++;
        if (j + 1 < len && (u[j] == ' ' || u[j] == '-') &&
            pii_is_digit(u[j + 1]))
            j++;
        else
            return;
    }
}

/* Is the text right after a match a word boundary for a number? */
static int
num_end_ok(const unsigned char *u, size_t len, size_t e)
{
    if (e >= len)
        return 1;
    if (pii_is_alnum(u[e]))
        return 0;
    if ((u[e] == '.' || u[e] == ',' || u[e] == '/') && e + 1 < len &&
        pii_is_digit(u[e + 1]))
        return 0;
    return 1;
}

static int
all_same(const unsigned char *d, size_t n)
{
    size_t k;

    for (k = 1; k < n; k++)
        if (d[k] != d[0])
            return 0;
    return 1;
}

static unsigned
prefix(const unsigned char *d, size_t n)
{
    unsigned v = 0;
    size_t k;

    for (k = 0; k < n; k++)
        v = v * 10 + (unsigned)(d[k] - '0');
    return v;
}

/* Issuer identification ranges of the major card schemes, with the
 * lengths each scheme issues. */
static int
card_iin_ok(const unsigned char *d, size_t n)
{
    unsigned p2 = prefix(d, 2), p3 = prefix(d, 3), p4 = prefix(d, 4);

    if (d[0] == '4')
        return n == 13 || n == 16 || n == 19; /* Visa */
    if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720))
        return n == 16; /* Mastercard */
    if (p2 == 34 || p2 == 37)
        return n == 15; /* Amex */
    if (p4 == 6011 || (p3 >= 644 && p3 <= 649) || p2 == 65)
        return n >= 16; /* Discover */
    if ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39)
        return n >= 14; /* Diners */
    if (p4 >= 3528 && p4 <= 3589)
        return n >= 16; /* JCB */
    if (p2 == 62)
        return n >= 16; /* UnionPay */
    if (p4 == 5018 || p4 == 5020 || p4 == 5038 || p4 == 5893 || p4 == 6304 ||
        p4 == 6759 || (p4 >= 6761 && p4 <= 6763))
        return 1; /* Maestro */
    return 0;
}

/* Numbers are issued in blocks: England, Wales and the Isle of Man 4xx,
 * 6xx, 7xx (and 9xx, which holds the published examples); Northern
 * Ireland 320-399; Scotland's CHI numbers start with a DDMMYY birth date.
 * Outside those, a mod-11-valid 10-digit number is more likely a counter
 * (2147483648 passes the check). */
static int
nhs_range_ok(const unsigned char *d)
{
    unsigned dd = prefix(d, 2), mm = prefix(d + 2, 2);

    if (d[0] == '4' || d[0] == '6' || d[0] == '7' || d[0] == '9')
        return 1;
    if (d[0] == '3' && d[1] >= '2')
        return 1;
    return dd >= 1 && dd <= 31 && mm >= 1 && mm <= 12;
}

int
disclose_pii_nhs_number_ok(const unsigned char *d)
{
    return nhs_range_ok(d) && disclose_pii_nhs_ok(d);
}

static int
groups_are(const struct digit_run *r, size_t k, const char *want)
{
    size_t g;

    if (strlen(want) != k)
        return 0;
    for (g = 0; g < k; g++)
        if (r->glen[g] != (unsigned char)(want[g] - '0'))
            return 0;
    return 1;
}

static int
card_groups_ok(const struct digit_run *r, size_t k, size_t n)
{
    size_t g;

    if (k == 1)
        return 1;
    if ((n == 15 && groups_are(r, k, "465")) ||
        (n == 14 && groups_are(r, k, "464")))
        return 1;
    for (g = 0; g + 1 < k; g++)
        if (r->glen[g] != 4)
            return 0;
    return r->glen[k - 1] >= 1 && r->glen[k - 1] <= 4;
}

/* d is a national number with its leading 0, n digits. */
static int
uk_phone_prefix_ok(const unsigned char *d, size_t n)
{
    if (n != 11 || d[0] != '0')
        return 0;
    switch (d[1]) {
    case '1':
        return 1;
    case '2':
        return strchr("03489", d[2]) != NULL;
    case '3':
        return strchr("0347", d[2]) != NULL;
    case '7':
        return d[2] != '6' && d[2] != '0';
    }
    return 0;
}

static const char *const phone_groups[] = {"56", "344", "434", "533",
                                           "47", "38",  "245", "2333"};

static int
phone_groups_ok(const struct digit_run *r, size_t k)
{
    size_t g;

    if (k == 1)
        return 1;
    for (g = 0; g < sizeof(phone_groups) / sizeof(phone_groups[0]); g++)
        if (groups_are(r, k, phone_groups[g]))
            return 1;
    return 0;
}

/* "+44 20 7946 0000", "+44 (0)7700 900123", "+447700900123". */
static size_t
phone_intl(const unsigned char *u, size_t len, size_t i)
{
    struct digit_run r;
    unsigned char nat[11];
    size_t j = i + 3, k;

    if (i + 3 >= len || u[i + 1] != '4' || u[i + 2] != '4')
        return 0;
    if (u[j] == ' ' || u[j] == '-')
        j++;
    if (j + 3 <= len && memcmp(u + j, "(0)", 3) == 0) {
        j += 3;
        if (j < len && u[j] == ' ')
            j++;
    }
    if (j >= len || !pii_is_digit(u[j]))
        return 0;
    gather(u, len, j, &r);
    for (k = r.ng; k > 0; k--) {
        if (r.gcum[k - 1] != 10)
            continue;
        if (!num_end_ok(u, len, r.gend[k - 1]))
            continue;
        nat[0] = '0';
        memcpy(nat + 1, r.d, 10);
        return uk_phone_prefix_ok(nat, 11) ? r.gend[k - 1] - i : 0;
    }
    return 0;
}

/* "(020) 7946 0000", "(01632) 960000". */
static size_t
phone_paren(const unsigned char *u, size_t len, size_t i)
{
    struct digit_run r;
    unsigned char nat[RUN_MAXD];
    size_t j = i + 1, np, k;

    while (j < len && j - i <= 6 && pii_is_digit(u[j]))
        j++;
    np = j - i - 1;
    if (np < 3 || np > 5 || j + 2 >= len || u[j] != ')')
        return 0;
    j++;
    if (u[j] == ' ')
        j++;
    if (!pii_is_digit(u[j]))
        return 0;
    gather(u, len, j, &r);
    if (np + r.nd > sizeof(nat))
        return 0;
    memcpy(nat, u + i + 1, np);
    memcpy(nat + np, r.d, r.nd);
    for (k = r.ng; k > 0; k--) {
        if (np + r.gcum[k - 1] != 11)
            continue;
        if (!num_end_ok(u, len, r.gend[k - 1]))
            continue;
        return uk_phone_prefix_ok(nat, 11) ? r.gend[k - 1] - i : 0;
    }
    return 0;
}

size_t
disclose_pii_number(const char *t, size_t len, size_t i, enum pii_kind *kind)
{
    const unsigned char *u = (const unsigned char *)t;
    struct digit_run r;
    size_t k;

    *kind = PII_UK_PHONE;
    if (i > 0) {
        unsigned char p = u[i - 1];
        if (pii_is_alnum(p) || (p == '+' && u[i] != '('))
            return 0;
        /* Part of "12-345", "3.14159" or "1,234": not a number of its own. */
        if ((p == '.' || p == ',' || p == '-' || p == '/') && i >= 2 &&
            pii_is_digit(u[i - 2]))
            return 0;
    }
    if ((k = disclose_pii_ca_phone(t, len, i)) > 0) {
        *kind = PII_CA_PHONE;
        return k;
    }
    if (u[i] == '+')
        return phone_intl(u, len, i);
    if (u[i] == '(')
        return phone_paren(u, len, i);
    gather(u, len, i, &r);
    for (k = r.ng; k > 0; k--) {
        size_t n = r.gcum[k - 1], e = r.gend[k - 1], v;

        /* Ontario health card: 10 digits, contiguous or 4-3-3, Luhn,
         * followed by its version code ("1234 567 890 AB"). Without the
         * code a Luhn-valid 10-digit number is too common to report. */
        if (k == r.ng && n == 10 && (k == 1 || groups_are(&r, k, "433")) &&
            !all_same(r.d, n) && disclose_pii_luhn_ok(r.d, n) &&
            (v = disclose_pii_ca_version_code(
                 t, len, e, k == 1 ? '-' : (char)u[r.gend[0]])) > 0) {
            *kind = PII_CA_HEALTH;
            return e + v - i;
        }
        if (k == r.ng && !num_end_ok(u, len, e))
            continue;
        if (n >= 13 && n <= 19 && card_groups_ok(&r, k, n) &&
            !all_same(r.d, n) && card_iin_ok(r.d, n) &&
            disclose_pii_luhn_ok(r.d, n)) {
            *kind = PII_PAYMENT_CARD;
            return e - i;
        }
        if (n == 11 && phone_groups_ok(&r, k) && uk_phone_prefix_ok(r.d, n)) {
            *kind = PII_UK_PHONE;
            return e - i;
        }
        if (n == 10 && (k == 1 || groups_are(&r, k, "334")) &&
            !all_same(r.d, n) && nhs_range_ok(r.d) &&
            disclose_pii_nhs_ok(r.d)) {
            *kind = PII_NHS_NUMBER;
            return e - i;
        }
        /* SIN: first digit 1-7 by province of registration, 9 for
         * temporary residents; 0 and 8 are not issued to people. */
        if (n == 9 && (k == 1 || groups_are(&r, k, "333")) && r.d[0] != '8' &&
            r.d[0] != '0' && !all_same(r.d, n) &&
            disclose_pii_luhn_ok(r.d, n)) {
            *kind = PII_CA_SIN;
            return e - i;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Dates of birth                                                       */
/* ------------------------------------------------------------------ */

static int
match_ci(const unsigned char *u, size_t len, size_t i, const char *w)
{
    size_t n = strlen(w), k;

    if (i + n > len)
        return 0;
    for (k = 0; k < n; k++)
        if (pii_lower(u[i + k]) != (unsigned char)w[k])
            return 0;
    return 1;
}

size_t
disclose_pii_dob_label(const char *t, size_t len, size_t i)
{
    /* Folded (accents, case) as disclose_pii_match_word compares them:
     * English, French ("né le", "né(e) le"), Welsh. */
    static const char *const labels[] = {
        "date of birth",  "birth date", "birthdate",
        "d.o.b.",         "d.o.b",      "dob",
        "born",           "birthday",   "date de naissance",
        "date naissance", "naissance",  "ddn",
        "ne(e) le",       "nee le",     "ne le",
        "dyddiad geni",   "ganwyd",     "geni",
    };
    const unsigned char *u = (const unsigned char *)t;
    size_t k, n;

    for (k = 0; k < sizeof(labels) / sizeof(labels[0]); k++) {
        if ((unsigned char)labels[k][0] != pii_lower(u[i]) ||
            (n = disclose_pii_match_word(u, len, i, labels[k])) == 0)
            continue;
        /* "né le" needs its accent: plain "ne le" is French negation. */
        if (labels[k][0] == 'n' && labels[k][1] == 'e' &&
            (i + 1 >= len || u[i + 1] < 0x80))
            continue;
        if (!disclose_pii_letter_at(u, len, i + n) &&
            (i + n >= len || !pii_is_digit(u[i + n])))
            return n;
    }
    return 0;
}

/* Full month names, folded: English, French, Welsh ("mai" is both). */
static const struct {
    const char *name;
    unsigned char month;
} months[] = {
    {"january", 1},
    {"february", 2},
    {"march", 3},
    {"april", 4},
    {"may", 5},
    {"june", 6},
    {"july", 7},
    {"august", 8},
    {"september", 9},
    {"october", 10},
    {"november", 11},
    {"december", 12},
    {"janvier", 1},
    {"fevrier", 2},
    {"mars", 3},
    {"avril", 4},
    {"mai", 5},
    {"juin", 6},
    {"juillet", 7},
    {"aout", 8},
    {"septembre", 9},
    {"octobre", 10},
    {"novembre", 11},
    {"decembre", 12},
    {"ionawr", 1},
    {"chwefror", 2},
    {"mawrth", 3},
    {"ebrill", 4},
    {"mehefin", 6},
    {"gorffennaf", 7},
    {"awst", 8},
    {"medi", 9},
    {"hydref", 10},
    {"tachwedd", 11},
    {"rhagfyr", 12},
    /* Welsh soft mutation after "o" ("5ed o Fehefin"): M > F, G > -,
     * T > D, Rh > R. */
    {"fawrth", 3},
    {"fai", 5},
    {"fehefin", 6},
    {"orffennaf", 7},
    {"fedi", 9},
    {"dachwedd", 11},
    {"ragfyr", 12},
};

/* Abbreviations, each optionally followed by a full stop. */
static const struct {
    const char *name;
    unsigned char month;
} month_abbr[] = {
    {"jan", 1},   {"feb", 2},  {"mar", 3},   {"apr", 4},   {"jun", 6},
    {"jul", 7},   {"aug", 8},  {"sept", 9},  {"sep", 9},   {"oct", 10},
    {"nov", 11},  {"dec", 12}, {"janv", 1},  {"fevr", 2},  {"fev", 2},
    {"avr", 4},   {"juil", 7}, {"ion", 1},   {"chwef", 2}, {"maw", 3},
    {"ebr", 4},   {"meh", 6},  {"gorff", 7}, {"hyd", 10},  {"tach", 11},
    {"rhag", 12},
};

/* Month name (full or abbreviated) at i: 1..12 and *n, or 0. */
static int
month_name(const unsigned char *u, size_t len, size_t i, size_t *n)
{
    size_t m, e;

    for (m = 0; m < sizeof(months) / sizeof(months[0]); m++) {
        e = disclose_pii_match_word(u, len, i, months[m].name);
        if (e > 0 && !disclose_pii_letter_at(u, len, i + e)) {
            *n = e;
            return months[m].month;
        }
    }
    for (m = 0; m < sizeof(month_abbr) / sizeof(month_abbr[0]); m++) {
        e = disclose_pii_match_word(u, len, i, month_abbr[m].name);
        if (e == 0 || disclose_pii_letter_at(u, len, i + e))
            continue;
        if (i + e < len && u[i + e] == '.')
            e++;
        *n = e;
        return month_abbr[m].month;
    }
    return 0;
}

/* Reads 1..max digits at *j; returns the count. */
static size_t
read_num(const unsigned char *u, size_t len, size_t *j, size_t max, unsigned *v)
{
    size_t s = *j;

    *v = 0;
    while (*j < len && *j - s < max && pii_is_digit(u[*j]))
        *v = *v * 10 + (unsigned)(u[(*j)++] - '0');
    if (*j < len && pii_is_digit(u[*j]))
        return 0;
    return *j - s;
}

static int
ymd_ok(unsigned y, size_t ylen, unsigned m, unsigned d)
{
    static const unsigned char mdays[] = {31, 29, 31, 30, 31, 30,
                                          31, 31, 30, 31, 30, 31};
    if (ylen == 4 && (y < 1900 || y > 2099))
        return 0;
    if (ylen != 4 && ylen != 2)
        return 0;
    return m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1];
}

static size_t
skip_ordinal(const unsigned char *u, size_t len, size_t j)
{
    /* English; French "1er"; Welsh "1af", "2il", "3ydd", "5ed", "8fed",
     * "11eg". */
    static const char *const suf[] = {"st", "nd",  "rd",  "th", "er", "af",
                                      "il", "ydd", "fed", "ed", "eg"};
    size_t k, n;

    for (k = 0; k < sizeof(suf) / sizeof(suf[0]); k++) {
        n = strlen(suf[k]);
        if (match_ci(u, len, j, suf[k]) &&
            (j + n >= len || !pii_is_alpha(u[j + n])))
            return j + n;
    }
    return j;
}

size_t
disclose_pii_date(const char *t, size_t len, size_t i)
{
    const unsigned char *u = (const unsigned char *)t;
    size_t j = i, n1, n2, n3, ml;
    unsigned a, b, c;
    int m;

    if (pii_is_digit(u[i])) {
        n1 = read_num(u, len, &j, 4, &a);
        if (n1 == 4 && j < len && (u[j] == '-' || u[j] == '/')) {
            unsigned char sep = u[j++];
            n2 = read_num(u, len, &j, 2, &b);
            if (n2 == 0 || j >= len || u[j] != sep)
                return 0;
            j++;
            n3 = read_num(u, len, &j, 2, &c);
            if (n3 == 0 || !ymd_ok(a, 4, b, c) || !num_end_ok(u, len, j))
                return 0;
            return j - i;
        }
        if (n1 < 1 || n1 > 2 || j >= len)
            return 0;
        if (u[j] == '/' || u[j] == '-' || u[j] == '.') {
            unsigned char sep = u[j++];
            n2 = read_num(u, len, &j, 2, &b);
            if (n2 == 0 || j >= len || u[j] != sep)
                return 0;
            j++;
            n3 = read_num(u, len, &j, 4, &c);
            if (n3 == 0 || !num_end_ok(u, len, j))
                return 0;
            /* Day first as in the UK; month first when only that fits. */
            if (ymd_ok(c, n3, b, a) || ymd_ok(c, n3, a, b))
                return j - i;
            return 0;
        }
        j = skip_ordinal(u, len, j);
        if (j < len && u[j] == ' ')
            j++;
        if (match_ci(u, len, j, "of "))
            j += 3;
        else if (match_ci(u, len, j, "o ")) /* Welsh "5ed o Fehefin" */
            j += 2;
        m = month_name(u, len, j, &ml);
        if (m == 0)
            return 0;
        j += ml;
        if (j < len && u[j] == ',')
            j++;
        if (j >= len || u[j] != ' ')
            return 0;
        j++;
        n3 = read_num(u, len, &j, 4, &c);
        if (n3 != 4 || !ymd_ok(c, 4, (unsigned)m, a) ||
            (j < len && pii_is_alnum(u[j])))
            return 0;
        return j - i;
    }
    m = month_name(u, len, i, &ml);
    if (m == 0)
        return 0;
    j = i + ml;
    if (j >= len || u[j] != ' ')
        return 0;
    j++;
    n1 = read_num(u, len, &j, 2, &a);
    if (n1 == 0)
        return 0;
    j = skip_ordinal(u, len, j);
    if (j < len && u[j] == ',')
        j++;
    if (j >= len || u[j] != ' ')
        return 0;
    j++;
    n3 = read_num(u, len, &j, 4, &c);
    if (n3 != 4 || !ymd_ok(c, 4, (unsigned)m, a) ||
        (j < len && pii_is_alnum(u[j])))
        return 0;
    return j - i;
}
