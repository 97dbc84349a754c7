/* disclose_pii_header.c -- recognises columns of people's data by their
 * header text ("Surname", "Collar No.", "D.O.B", "NI Number").
 *
 * Headers are normalised (case, punctuation, camelCase) to lower-case
 * words, then compared with a table of phrases. The phrase with the most
 * words wins, so "Victim name" is sensitive rather than a plain name and
 * "IP address" is nothing rather than a postal address; on equal length
 * the earlier table entry wins, which is why sensitive phrases come first.
 */
#include <string.h>

#include "disclose/pii/disclose_pii_int.h"

struct phrase {
    const char *text; /* normalised form */
    enum pii_column col;
};

static const struct phrase phrases[] = {
    /* Words that look like personal columns but are not. */
    {"ip address", PII_COL_NONE},
    {"mac address", PII_COL_NONE},
    {"web address", PII_COL_NONE},
    {"file name", PII_COL_NONE},
    {"filename", PII_COL_NONE},
    {"host name", PII_COL_NONE},
    {"hostname", PII_COL_NONE},
    {"domain name", PII_COL_NONE},
    {"server name", PII_COL_NONE},
    {"computer name", PII_COL_NONE},
    {"device name", PII_COL_NONE},
    {"document name", PII_COL_NONE},
    {"team name", PII_COL_NONE},
    {"company name", PII_COL_NONE},
    {"supplier name", PII_COL_NONE},
    {"organisation name", PII_COL_NONE},
    {"organization name", PII_COL_NONE},
    {"business name", PII_COL_NONE},
    {"product name", PII_COL_NONE},
    {"site name", PII_COL_NONE},
    {"project name", PII_COL_NONE},
    {"station name", PII_COL_NONE},
    {"unit name", PII_COL_NONE},
    {"department name", PII_COL_NONE},
    {"force name", PII_COL_NONE},
    {"rule name", PII_COL_NONE},
    {"sheet name", PII_COL_NONE},
    {"process name", PII_COL_NONE},
    {"service name", PII_COL_NONE},
    {"application name", PII_COL_NONE},
    {"school name", PII_COL_NONE},
    /* Special category and criminal-offence data (UK GDPR Art. 9, 10)
     * and other sensitive roles: first, so ties go to them. */
    {"vetting", PII_COL_SENSITIVE},
    {"vetting level", PII_COL_SENSITIVE},
    {"vetting status", PII_COL_SENSITIVE},
    {"ethnicity", PII_COL_SENSITIVE},
    {"ethnic origin", PII_COL_SENSITIVE},
    {"ethnic group", PII_COL_SENSITIVE},
    {"race", PII_COL_SENSITIVE},
    {"religion", PII_COL_SENSITIVE},
    {"religious belief", PII_COL_SENSITIVE},
    {"faith", PII_COL_SENSITIVE},
    {"health", PII_COL_SENSITIVE},
    {"medical", PII_COL_SENSITIVE},
    {"medical condition", PII_COL_SENSITIVE},
    {"disability", PII_COL_SENSITIVE},
    {"sexual orientation", PII_COL_SENSITIVE},
    {"sexuality", PII_COL_SENSITIVE},
    {"gender identity", PII_COL_SENSITIVE},
    {"criminal record", PII_COL_SENSITIVE},
    {"conviction", PII_COL_SENSITIVE},
    {"convictions", PII_COL_SENSITIVE},
    {"victim", PII_COL_SENSITIVE},
    {"victims", PII_COL_SENSITIVE},
    {"victim name", PII_COL_SENSITIVE},
    {"offence", PII_COL_SENSITIVE},
    {"offences", PII_COL_SENSITIVE},
    {"offender", PII_COL_SENSITIVE},
    {"suspect", PII_COL_SENSITIVE},
    {"witness", PII_COL_SENSITIVE},
    {"complainant", PII_COL_SENSITIVE},
    {"informant", PII_COL_SENSITIVE},
    {"trade union", PII_COL_SENSITIVE},
    {"union membership", PII_COL_SENSITIVE},
    {"political opinion", PII_COL_SENSITIVE},
    {"sickness", PII_COL_SENSITIVE},
    {"sickness absence", PII_COL_SENSITIVE},
    {"sick leave", PII_COL_SENSITIVE},
    {"occupational health", PII_COL_SENSITIVE},
    {"biometric", PII_COL_SENSITIVE},
    {"genetic", PII_COL_SENSITIVE},
    {"pregnancy", PII_COL_SENSITIVE},
    {"nationality", PII_COL_SENSITIVE},
    {"immigration status", PII_COL_SENSITIVE},
    {"safeguarding", PII_COL_SENSITIVE},
    /* National identifiers. */
    {"ni number", PII_COL_NATIONAL_ID},
    {"ni no", PII_COL_NATIONAL_ID},
    {"nino", PII_COL_NATIONAL_ID},
    {"national insurance", PII_COL_NATIONAL_ID},
    {"national insurance number", PII_COL_NATIONAL_ID},
    {"nhs number", PII_COL_NATIONAL_ID},
    {"nhs no", PII_COL_NATIONAL_ID},
    {"chi number", PII_COL_NATIONAL_ID},
    {"sin", PII_COL_NATIONAL_ID},
    {"social insurance number", PII_COL_NATIONAL_ID},
    {"ssn", PII_COL_NATIONAL_ID},
    {"social security number", PII_COL_NATIONAL_ID},
    {"passport", PII_COL_NATIONAL_ID},
    {"passport number", PII_COL_NATIONAL_ID},
    {"passport no", PII_COL_NATIONAL_ID},
    {"driving licence", PII_COL_NATIONAL_ID},
    {"driving license", PII_COL_NATIONAL_ID},
    {"driver licence", PII_COL_NATIONAL_ID},
    {"drivers licence", PII_COL_NATIONAL_ID},
    {"national id", PII_COL_NATIONAL_ID},
    {"identity card", PII_COL_NATIONAL_ID},
    {"pnc id", PII_COL_NATIONAL_ID},
    {"pnc number", PII_COL_NATIONAL_ID},
    {"cro number", PII_COL_NATIONAL_ID},
    {"tax reference", PII_COL_NATIONAL_ID},
    /* Dates of birth. */
    {"date of birth", PII_COL_DOB},
    {"dob", PII_COL_DOB},
    {"birth date", PII_COL_DOB},
    {"birthdate", PII_COL_DOB},
    {"birthday", PII_COL_DOB},
    {"born", PII_COL_DOB},
    /* Contact details. */
    {"email", PII_COL_CONTACT},
    {"e mail", PII_COL_CONTACT},
    {"email address", PII_COL_CONTACT},
    {"e mail address", PII_COL_CONTACT},
    {"phone", PII_COL_CONTACT},
    {"telephone", PII_COL_CONTACT},
    {"tel", PII_COL_CONTACT},
    {"tel no", PII_COL_CONTACT},
    {"phone number", PII_COL_CONTACT},
    {"telephone number", PII_COL_CONTACT},
    {"mobile", PII_COL_CONTACT},
    {"mobile number", PII_COL_CONTACT},
    {"mobile no", PII_COL_CONTACT},
    {"contact number", PII_COL_CONTACT},
    {"contact no", PII_COL_CONTACT},
    {"contact details", PII_COL_CONTACT},
    {"home phone", PII_COL_CONTACT},
    {"work phone", PII_COL_CONTACT},
    {"fax", PII_COL_CONTACT},
    {"next of kin", PII_COL_CONTACT},
    /* Staff identifiers. */
    {"collar", PII_COL_STAFF_ID},
    {"collar no", PII_COL_STAFF_ID},
    {"collar number", PII_COL_STAFF_ID},
    {"warrant", PII_COL_STAFF_ID},
    {"warrant no", PII_COL_STAFF_ID},
    {"warrant number", PII_COL_STAFF_ID},
    {"warrant card", PII_COL_STAFF_ID},
    {"pay no", PII_COL_STAFF_ID},
    {"pay number", PII_COL_STAFF_ID},
    {"payroll", PII_COL_STAFF_ID},
    {"payroll no", PII_COL_STAFF_ID},
    {"payroll number", PII_COL_STAFF_ID},
    {"payroll id", PII_COL_STAFF_ID},
    {"staff id", PII_COL_STAFF_ID},
    {"staff no", PII_COL_STAFF_ID},
    {"staff number", PII_COL_STAFF_ID},
    {"staff ref", PII_COL_STAFF_ID},
    {"employee id", PII_COL_STAFF_ID},
    {"employee no", PII_COL_STAFF_ID},
    {"employee number", PII_COL_STAFF_ID},
    {"employee ref", PII_COL_STAFF_ID},
    {"emp no", PII_COL_STAFF_ID},
    {"personnel number", PII_COL_STAFF_ID},
    {"personnel no", PII_COL_STAFF_ID},
    {"personnel id", PII_COL_STAFF_ID},
    {"force number", PII_COL_STAFF_ID},
    {"shoulder number", PII_COL_STAFF_ID},
    {"badge number", PII_COL_STAFF_ID},
    {"badge no", PII_COL_STAFF_ID},
    {"service number", PII_COL_STAFF_ID},
    {"officer number", PII_COL_STAFF_ID},
    {"officer id", PII_COL_STAFF_ID},
    {"user id", PII_COL_STAFF_ID},
    {"userid", PII_COL_STAFF_ID},
    {"username", PII_COL_STAFF_ID},
    {"user name", PII_COL_STAFF_ID},
    {"login", PII_COL_STAFF_ID},
    {"sam account name", PII_COL_STAFF_ID},
    {"hr number", PII_COL_STAFF_ID},
    /* Postal addresses. */
    {"address", PII_COL_ADDRESS},
    {"home address", PII_COL_ADDRESS},
    {"postal address", PII_COL_ADDRESS},
    {"street", PII_COL_ADDRESS},
    {"street name", PII_COL_ADDRESS},
    {"postcode", PII_COL_ADDRESS},
    {"post code", PII_COL_ADDRESS},
    {"postal code", PII_COL_ADDRESS},
    {"zip", PII_COL_ADDRESS},
    {"zip code", PII_COL_ADDRESS},
    {"zipcode", PII_COL_ADDRESS},
    {"town", PII_COL_ADDRESS},
    {"city", PII_COL_ADDRESS},
    {"house number", PII_COL_ADDRESS},
    {"house name", PII_COL_ADDRESS},
    /* Names. */
    {"name", PII_COL_NAME},
    {"names", PII_COL_NAME},
    {"surname", PII_COL_NAME},
    {"surnames", PII_COL_NAME},
    {"forename", PII_COL_NAME},
    {"forenames", PII_COL_NAME},
    {"first name", PII_COL_NAME},
    {"given name", PII_COL_NAME},
    {"given names", PII_COL_NAME},
    {"family name", PII_COL_NAME},
    {"last name", PII_COL_NAME},
    {"full name", PII_COL_NAME},
    {"middle name", PII_COL_NAME},
    {"maiden name", PII_COL_NAME},
    {"preferred name", PII_COL_NAME},
    {"display name", PII_COL_NAME},
    {"known as", PII_COL_NAME},
    {"initials", PII_COL_NAME},
    {"officer", PII_COL_NAME},
    {"officer name", PII_COL_NAME},
    {"employee name", PII_COL_NAME},
    {"staff name", PII_COL_NAME},
    /* Rank and role. */
    {"rank", PII_COL_RANK},
    {"grade", PII_COL_RANK},
    {"pay grade", PII_COL_RANK},
    {"pay band", PII_COL_RANK},
    {"job title", PII_COL_RANK},
    {"job role", PII_COL_RANK},
    {"position", PII_COL_RANK},
    {"post title", PII_COL_RANK},
};

/* Characters that join rather than separate: "D.O.B" is "dob",
 * "Forename(s)" is "forenames", "O'Brien" one word. */
static int
is_joiner(unsigned char c)
{
    return c == '.' || c == '(' || c == ')' || c == '\'';
}

size_t
disclose_pii_normalise(const char *text, size_t len, char *dst, size_t cap)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t i, n = 0;
    int space = 0;

    if (cap == 0)
        return 0;
    for (i = 0; i < len && n + 2 < cap; i++) {
        unsigned char c = u[i];
        if (is_joiner(c))
            continue;
        if (!pii_is_alnum(c)) {
            space = n > 0;
            continue;
        }
        /* camelCase: "firstName", "NINumber" become two words. */
        if (n > 0 && !space && i > 0 && pii_is_upper(c) &&
            ((pii_is_alpha(u[i - 1]) && !pii_is_upper(u[i - 1])) ||
             (pii_is_upper(u[i - 1]) && i + 1 < len && pii_is_alpha(u[i + 1]) &&
              !pii_is_upper(u[i + 1]))))
            space = 1;
        if (space) {
            dst[n++] = ' ';
            space = 0;
        }
        dst[n++] = (char)pii_lower(c);
    }
    dst[n] = '\0';
    return n;
}

/* Is phrase p a run of whole words in h? */
static int
has_phrase(const char *h, size_t hl, const char *p)
{
    size_t pl = strlen(p);
    const char *s = h;

    while ((s = strstr(s, p)) != NULL) {
        size_t at = (size_t)(s - h);
        if ((at == 0 || h[at - 1] == ' ') &&
            (at + pl == hl || h[at + pl] == ' '))
            return 1;
        s++;
    }
    return 0;
}

/* Does h equal p once spaces are removed from both ("FirstName",
 * "Date_Of_Birth" vs "DateOfBirth")? */
static int
squashed_equal(const char *h, const char *p)
{
    for (;;) {
        while (*h == ' ')
            h++;
        while (*p == ' ')
            p++;
        if (*h != *p)
            return 0;
        if (*h == '\0')
            return 1;
        h++;
        p++;
    }
}

static size_t
words(const char *p)
{
    size_t n = 1;

    for (; *p; p++)
        n += *p == ' ';
    return n;
}

enum pii_column
disclose_pii_header(const struct disclose_pii *p, const char *text, size_t len)
{
    char h[128];
    const char *const *custom;
    size_t hl, k, nc, best_words = 0;
    enum pii_column best = PII_COL_NONE;

    if (text == NULL)
        return PII_COL_NONE;
    hl = disclose_pii_normalise(text, len, h, sizeof(h));
    if (hl == 0)
        return PII_COL_NONE;
    for (k = 0; k < sizeof(phrases) / sizeof(phrases[0]); k++) {
        const char *ph = phrases[k].text;
        size_t w = words(ph);
        if (w > best_words &&
            (has_phrase(h, hl, ph) || squashed_equal(h, ph))) {
            best = phrases[k].col;
            best_words = w;
        }
    }
    nc = disclose_pii_custom_headers(p, &custom);
    for (k = 0; k < nc; k++) {
        size_t w = words(custom[k]);
        if (w > best_words &&
            (has_phrase(h, hl, custom[k]) || squashed_equal(h, custom[k]))) {
            best = PII_COL_CUSTOM;
            best_words = w;
        }
    }
    return best;
}
