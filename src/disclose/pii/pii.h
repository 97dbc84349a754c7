/* pii.h -- personal-data recognisers (private to the disclose domain).
 *
 * Finds personal data in text with validation to keep false alarms down,
 * and recognises columns of people's data by their header words. Pure
 * functions over borrowed text; no allocation per call beyond the
 * recogniser set built once by disclose_pii_new.
 */
#ifndef VIGIL_DISCLOSE_PII_H
#define VIGIL_DISCLOSE_PII_H

#include <stddef.h>

#include "core/core.h"

enum pii_kind {
    PII_EMAIL = 1,
    PII_UK_PHONE,
    PII_UK_NINO,    /* National Insurance number */
    PII_NHS_NUMBER, /* mod-11 checked */
    PII_UK_POSTCODE,
    PII_CA_SIN,        /* Luhn checked */
    PII_PAYMENT_CARD,  /* Luhn checked */
    PII_IBAN,          /* mod-97 checked */
    PII_DATE_OF_BIRTH, /* a date near a birth label */
    PII_IP_ADDRESS,
    PII_CUSTOM,            /* an organisation's own pattern */
    PII_CA_HEALTH,         /* Ontario health card (Luhn, version code) or
                              Quebec RAMQ number (encoded birth date) */
    PII_CA_POSTCODE,       /* Canadian postal code */
    PII_CA_DRIVER_LICENCE, /* Ontario or Quebec driver's licence
                              (encoded birth date) */
    PII_CA_PHONE,          /* Canadian (NANP) number, Canadian area code */
    PII_KIND_COUNT
};

/* Column kinds recognised from header text ("Surname", "Collar No",
 * "Prénom", "Dyddiad geni"). */
enum pii_column {
    PII_COL_NONE = 0,
    PII_COL_NAME,        /* surname, forename, full name, first name */
    PII_COL_RANK,        /* rank, grade, job title */
    PII_COL_STAFF_ID,    /* collar/warrant/pay/payroll/staff/employee number */
    PII_COL_ADDRESS,     /* address, street, postcode, town */
    PII_COL_DOB,         /* date of birth, DOB */
    PII_COL_CONTACT,     /* email, phone, mobile */
    PII_COL_NATIONAL_ID, /* NI number, NHS number, SIN, passport */
    PII_COL_SENSITIVE,   /* vetting, ethnicity, religion, health, sexual
                            orientation, criminal record, victim, offence */
    PII_COL_CUSTOM,
    PII_COL_CODE /* account, ledger or reference code: not personal, and
                    its values hide check-digit identifiers (below) */
};

struct disclose_pii;

/* Organisation additions from the config: extra regexes (PCRE2) and extra
 * header words. Arrays borrowed for the call. */
struct disclose_pii_opts {
    const char *const *custom_patterns;
    size_t ncustom_patterns;
    const char *const *custom_headers;
    size_t ncustom_headers;
};

/* Returns owned *out (free with disclose_pii_free). opts may be NULL. */
enum vigil_rc disclose_pii_new(struct disclose_pii **out,
                               const struct disclose_pii_opts *opts,
                               struct vigil_err *err);
void disclose_pii_free(struct disclose_pii *p);

/* One match: [start, start+len) of the scanned text. */
struct pii_match {
    enum pii_kind kind;
    size_t start;
    size_t len;
};

/* Calls fn for each validated match in text (borrowed); fn returns
 * non-zero to stop. Returns the number of matches reported. */
size_t disclose_pii_scan(const struct disclose_pii *p, const char *text,
                         size_t len,
                         int (*fn)(const struct pii_match *m, void *arg),
                         void *arg);

/* A cell value that is personal data only because of its column: a
 * bare date (or a spreadsheet date serial) under a birth-date header, a
 * Luhn-valid 10-digit health number without its version code under a
 * national-identifier header. Returns the kind, or 0 when the scan would
 * not add it (disjoint from what disclose_pii_scan reports for the same
 * text, so the two can be counted together). text borrowed. */
enum pii_kind disclose_pii_cell(enum pii_column col, const char *text,
                                size_t len);

/* Is a match of kind m over the whole of a cell under column col only a
 * coincidence? A 9-digit ledger code passes the SIN's Luhn check one time
 * in ten, so identifiers found by pattern and check digit alone (SIN, NHS
 * number) are not reported when they are the entire value of a code
 * column. */
int disclose_pii_code_hides(enum pii_column col, enum pii_kind kind);

/* Classifies a column header (borrowed text) written in English, French
 * or Welsh. */
enum pii_column disclose_pii_header(const struct disclose_pii *p,
                                    const char *text, size_t len);

/* Stable names for reports: "email", "uk_nino", "column:name", ... */
const char *disclose_pii_kind_name(enum pii_kind kind);
const char *disclose_pii_column_name(enum pii_column col);

#endif
