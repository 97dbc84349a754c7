/* Tests for the personal-data recognisers: valid identifiers with real
 * check digits, near-misses that must not match, and header words. */
#include "vigil_test.h"

#include "disclose/pii/pii.h"

struct collect {
    const char *text;
    char out[1024];
    size_t n;
    size_t count;
};

static int
on_match(const struct pii_match *m, void *arg)
{
    struct collect *c = arg;
    int w;

    c->count++;
    w = snprintf(c->out + c->n, sizeof(c->out) - c->n, "%s%s=%.*s",
                 c->n ? "|" : "", disclose_pii_kind_name(m->kind), (int)m->len,
                 c->text + m->start);
    if (w > 0 && (size_t)w < sizeof(c->out) - c->n)
        c->n += (size_t)w;
    return 0;
}

/* Scans text with p and returns "kind=match|kind=match" (static). */
static const char *
scan(const struct disclose_pii *p, const char *text)
{
    static struct collect c;
    size_t n;

    memset(&c, 0, sizeof(c));
    c.text = text;
    n = disclose_pii_scan(p, text, strlen(text), on_match, &c);
    assert_int_equal(n, c.count);
    return c.out;
}

static struct disclose_pii *
plain(void)
{
    struct disclose_pii *p = NULL;
    struct vigil_err err = {0};

    assert_int_equal(disclose_pii_new(&p, NULL, &err), VIGIL_OK);
    return p;
}

static void
test_email(void **state)
{
    struct disclose_pii *p = plain();

    (void)state;
    assert_string_equal(scan(p, "Contact john.smith@met.police.uk today."),
                        "email=john.smith@met.police.uk");
    assert_string_equal(scan(p, "<a.b+tag@example.co.uk>"),
                        "email=a.b+tag@example.co.uk");
    /* No dot in the domain, numeric TLD, double dot, '@' alone. */
    assert_string_equal(scan(p, "user@localhost x@1.2 a..b@x.com @ foo@"), "");
    assert_string_equal(scan(p, ".lead@x.com"), "");
    /* A file name after an '@' in a URL or log line. */
    assert_string_equal(scan(p, "GET /10439739@fsbMessage.html x@logo.PNG"),
                        "");
    disclose_pii_free(p);
}

static void
test_uk_phone(void **state)
{
    struct disclose_pii *p = plain();

    (void)state;
    assert_string_equal(scan(p, "Tel 020 7946 0000."),
                        "uk_phone=020 7946 0000");
    assert_string_equal(scan(p, "mob 07700 900123, 07700900123"),
                        "uk_phone=07700 900123|uk_phone=07700900123");
    assert_string_equal(scan(p, "0161 496 0000 or 01632 960000"),
                        "uk_phone=0161 496 0000|uk_phone=01632 960000");
    assert_string_equal(scan(p, "+44 20 7946 0000 / +44 (0)7700 900123"),
                        "uk_phone=+44 20 7946 0000|"
                        "uk_phone=+44 (0)7700 900123");
    assert_string_equal(scan(p, "(020) 7946 0000"), "uk_phone=(020) 7946 0000");
    assert_string_equal(scan(p, "0300 123 4567"), "uk_phone=0300 123 4567");
    /* 11 digits that are not UK numbers: wrong prefix, odd grouping,
     * inside a longer run, part of a decimal. */
    assert_string_equal(scan(p, "ref 12345678901 09876543210 0207 94 60 000"),
                        "");
    assert_string_equal(scan(p, "x 020794600001 1.02079460000"), "");
    assert_string_equal(scan(p, "07600 900123 0500 123 4567"), "");
    disclose_pii_free(p);
}

static void
test_nino(void **state)
{
    struct disclose_pii *p = plain();

    (void)state;
    assert_string_equal(scan(p, "NI: AB123456C"), "uk_nino=AB123456C");
    assert_string_equal(scan(p, "NI: JG 10 37 52 A."), "uk_nino=JG 10 37 52 A");
    assert_string_equal(scan(p, "ce 123456 d"), "uk_nino=ce 123456 d");
    /* Bad first letter (D), bad second (O), excluded pairs, suffix E,
     * missing suffix, inside a longer word. */
    assert_string_equal(scan(p, "DA123456A AO123456A BG123456A GB123456B"), "");
    assert_string_equal(scan(p, "TN123456A ZZ123456C AB123456E AB123456"), "");
    assert_string_equal(scan(p, "XAB123456C AB123456CX AB1234567C"), "");
    disclose_pii_free(p);
}

static void
test_nhs(void **state)
{
    struct disclose_pii *p = plain();

    (void)state;
    assert_string_equal(scan(p, "NHS 943 476 5919"), "nhs_number=943 476 5919");
    assert_string_equal(scan(p, "NHS 9434765919."), "nhs_number=9434765919");
    /* Wrong check digit; a body whose check would be 10; all ones;
     * odd grouping; inside a longer number. */
    assert_string_equal(scan(p, "943 476 5918 and 9434765910"), "");
    assert_string_equal(scan(p, "1111111111 94 34 76 59 19 19434765919"), "");
    /* Check digit right but outside the issued ranges (2^31 is one). */
    assert_string_equal(scan(p, "2147483648 5000000005 8000000008"), "");
    disclose_pii_free(p);
}

static void
test_postcode(void **state)
{
    struct disclose_pii *p = plain();

    (void)state;
    assert_string_equal(scan(p, "London SW1A 1AA, M1 1AE, B33 8TH"),
                        "uk_postcode=SW1A 1AA|uk_postcode=M1 1AE|"
                        "uk_postcode=B33 8TH");
    assert_string_equal(scan(p, "CR2 6XH DN55 1PT W1A 0AX EC1A1BB GIR 0AA"),
                        "uk_postcode=CR2 6XH|uk_postcode=DN55 1PT|"
                        "uk_postcode=W1A 0AX|uk_postcode=EC1A1BB|"
                        "uk_postcode=GIR 0AA");
    /* Unknown area, Q first, inward C, A9A third letter I, lower case. */
    assert_string_equal(scan(p, "XY1 2AB QA1 1AA SW1 1CA W1I 1AA sw1a 1aa"),
                        "");
    disclose_pii_free(p);
}

static void
test_sin(void **state)
{
    struct disclose_pii *p = plain();

    (void)state;
    assert_string_equal(scan(p, "SIN 130 692 544"), "ca_sin=130 692 544");
    assert_string_equal(scan(p, "SIN 130-692-544"), "ca_sin=130-692-544");
    /* Temporary residents' numbers start with 9. */
    assert_string_equal(scan(p, "NAS 923456784"), "ca_sin=923456784");
    /* Luhn fails; 8 prefix; inside a longer number; 0 is not issued
     * (046 454 286 is the well-known fictitious example). */
    assert_string_equal(scan(p, "130 692 545 800 000 006 1130692544"), "");
    assert_string_equal(scan(p, "SIN 046 454 286"), "");
    disclose_pii_free(p);
}

static void
test_canada(void **state)
{
    struct disclose_pii *p = plain();

    (void)state;
    /* Postal codes: with or without the space; never D F I O Q U, never
     * W or Z first. */
    assert_string_equal(scan(p, "Ottawa ON K1A 0B1, H3Z2Y7"),
                        "ca_postcode=K1A 0B1|ca_postcode=H3Z2Y7");
    assert_string_equal(scan(p, "D1A 0B1 K1O 0B1 W1A 1A1 Z1A 1A1 k1a 0b1"), "");
    /* Ontario health card: Luhn over 10 digits and a version code. */
    assert_string_equal(scan(p, "OHIP 1234 567 897 AB; 1234-567-897-K"),
                        "ca_health_number=1234 567 897 AB|"
                        "ca_health_number=1234-567-897-K");
    assert_string_equal(scan(p, "1234567897AB 1234567897-XY"),
                        "ca_health_number=1234567897AB|"
                        "ca_health_number=1234567897-XY");
    /* No version code, a wrong check digit, a 3-letter word after it, a
     * separator that is not the number's own. */
    assert_string_equal(scan(p, "1234 567 897, 1234 567 898 AB, "
                                "1234567897 ABC, 1234 567 897-AB"),
                        "");
    /* RAMQ: AAAA YYMM DDNN, month +50 for women. */
    assert_string_equal(scan(p, "NAM TREM 8053 1512 et GAGJ75110218"),
                        "ca_health_number=TREM 8053 1512|"
                        "ca_health_number=GAGJ75110218");
    assert_string_equal(
        scan(p, "GAGJ 7513 0218 GAGJ 7511 3218 GAGJ 75110218 GAG 7511 0218"),
        "");
    /* 29 February only in a year ending in a multiple of 4 (whatever the
     * century): a RAMQ born 29/02/81, or a woman's 29/02/79, is not a
     * date; 29/02/80 and 29/02/00 are. */
    assert_string_equal(scan(p, "TREM 8102 2912 TREM 7952 2912 "
                                "TREM 8002 2912 TREM 0052 2912"),
                        "ca_health_number=TREM 8002 2912|"
                        "ca_health_number=TREM 0052 2912");
    /* The same for the licences' embedded dates: Ontario YYMMDD 810229,
     * Quebec DDMMYY 290281; 1980 was a leap year. */
    assert_string_equal(scan(p, "S1234-56788-10229 T6128-290281-07 "
                                "S1234-56788-00229 T6128-290280-07"),
                        "ca_driver_licence=S1234-56788-00229|"
                        "ca_driver_licence=T6128-290280-07");
    /* Phones: a Canadian area code, an NXX exchange, written as a phone
     * (brackets, hyphen or dot, or a +1 / 1- prefix). */
    assert_string_equal(scan(p, "Tél. : 514 555-0123 ou (613) 555-0199"),
                        "ca_phone=514 555-0123|ca_phone=(613) 555-0199");
    assert_string_equal(scan(p, "+1 819 555 0142, 1-902-555-0100, "
                                "416.555.0175, +1 (867) 555-0111"),
                        "ca_phone=+1 819 555 0142|ca_phone=1-902-555-0100|"
                        "ca_phone=416.555.0175|ca_phone=+1 (867) 555-0111");
    /* A US area code, an N11 or 0/1 exchange, spaces only, too long. */
    assert_string_equal(scan(p, "212-555-0123 613-911-0123 613-055-0123 "
                                "613 555 0123 613-555-01234"),
                        "");
    /* Driver's licences: Ontario YYMMDD at the end, Quebec DDMMYY in the
     * middle. */
    assert_string_equal(scan(p, "S1234-56789-80315 S12345678985315"),
                        "ca_driver_licence=S1234-56789-80315|"
                        "ca_driver_licence=S12345678985315");
    assert_string_equal(scan(p, "permis T6128-100590-07"),
                        "ca_driver_licence=T6128-100590-07");
    assert_string_equal(
        scan(p, "S1234-56789-81315 T6128-350590-07 S1234-5678980315"), "");
    disclose_pii_free(p);
}

static void
test_cell(void **state)
{
    (void)state;
    assert_int_equal(disclose_pii_cell(PII_COL_DOB, " 12/03/1980 ", 12),
                     PII_DATE_OF_BIRTH);
    assert_int_equal(disclose_pii_cell(PII_COL_DOB, "12 mars 1980", 12),
                     PII_DATE_OF_BIRTH);
    assert_int_equal(disclose_pii_cell(PII_COL_DOB, "1980-03-12T00:00:00", 19),
                     PII_DATE_OF_BIRTH);
    assert_int_equal(disclose_pii_cell(PII_COL_DOB, "29292", 5),
                     PII_DATE_OF_BIRTH); /* a spreadsheet serial */
    assert_int_equal(disclose_pii_cell(PII_COL_DOB, "unknown", 7), 0);
    assert_int_equal(disclose_pii_cell(PII_COL_DOB, "12", 2), 0);
    assert_int_equal(disclose_pii_cell(PII_COL_DOB, "12/03/1980 x", 12), 0);
    assert_int_equal(disclose_pii_cell(PII_COL_NAME, "12/03/1980", 10), 0);
    assert_int_equal(disclose_pii_cell(PII_COL_NATIONAL_ID, "1234567897", 10),
                     PII_CA_HEALTH);
    assert_int_equal(disclose_pii_cell(PII_COL_NATIONAL_ID, "1234-567-897", 12),
                     PII_CA_HEALTH);
    /* Luhn fails; an NHS number (the scan's); not under an identifier. */
    assert_int_equal(disclose_pii_cell(PII_COL_NATIONAL_ID, "1234567898", 10),
                     0);
    assert_int_equal(disclose_pii_cell(PII_COL_NATIONAL_ID, "9434765919", 10),
                     0);
    assert_int_equal(disclose_pii_cell(PII_COL_CONTACT, "1234567897", 10), 0);
}

static void
test_card(void **state)
{
    struct disclose_pii *p = plain();

    (void)state;
    assert_string_equal(scan(p, "card 4111 1111 1111 1111 exp"),
                        "payment_card=4111 1111 1111 1111");
    assert_string_equal(scan(p, "5555-5555-5555-4444 378282246310005"),
                        "payment_card=5555-5555-5555-4444|"
                        "payment_card=378282246310005");
    assert_string_equal(scan(p, "Amex 3782 822463 10005"),
                        "payment_card=3782 822463 10005");
    /* Luhn fails; unknown issuer (Luhn valid); odd grouping; too long. */
    assert_string_equal(scan(p, "4111 1111 1111 1112 1234567812345670"), "");
    assert_string_equal(scan(p, "411 1111 1111 1111 14111111111111111"), "");
    disclose_pii_free(p);
}

static void
test_iban(void **state)
{
    struct disclose_pii *p = plain();

    (void)state;
    assert_string_equal(scan(p, "IBAN GB82 WEST 1234 5698 7654 32."),
                        "iban=GB82 WEST 1234 5698 7654 32");
    assert_string_equal(scan(p, "DE89370400440532013000"),
                        "iban=DE89370400440532013000");
    /* Wrong check digits; wrong length for GB; mixed spacing; unknown
     * country. */
    assert_string_equal(scan(p, "GB83 WEST 1234 5698 7654 32"), "");
    assert_string_equal(scan(p, "GB82WEST123456987654 GB82 WEST12345698765432"),
                        "");
    assert_string_equal(scan(p, "QQ82WEST12345698765432"), "");
    disclose_pii_free(p);
}

static void
test_dob(void **state)
{
    struct disclose_pii *p = plain();

    (void)state;
    assert_string_equal(scan(p, "DOB: 12/03/1980"), "date_of_birth=12/03/1980");
    assert_string_equal(scan(p, "Date of birth 1 March 1975;"),
                        "date_of_birth=1 March 1975");
    assert_string_equal(scan(p, "she was born on March 3rd, 1961"),
                        "date_of_birth=March 3rd, 1961");
    assert_string_equal(scan(p, "D.O.B. 1980-03-12"),
                        "date_of_birth=1980-03-12");
    assert_string_equal(scan(p, "Birthday: 3rd of March 1961, dob 12-03-80"),
                        "date_of_birth=3rd of March 1961|"
                        "date_of_birth=12-03-80");
    /* Dates without a label, a label with the date too far away, an
     * impossible date. */
    assert_string_equal(scan(p, "Meeting on 12/03/1980 and 1 March 1975"), "");
    assert_string_equal(
        scan(p, "born in a small village a long way from here on 12/03/1980"),
        "");
    assert_string_equal(scan(p, "DOB 31/02/1980"), "");
    /* French and Welsh labels and month names, accents folded. */
    assert_string_equal(scan(p, "Né le 12 mars 1980."),
                        "date_of_birth=12 mars 1980");
    assert_string_equal(scan(p, "née le 1er février 1975"),
                        "date_of_birth=1er février 1975");
    assert_string_equal(scan(p, "Date de naissance\xc2\xa0: 03/04/1990"),
                        "date_of_birth=03/04/1990");
    assert_string_equal(scan(p, "DATE DE NAISSANCE 3 AOÛT 1990"),
                        "date_of_birth=3 AOÛT 1990");
    assert_string_equal(scan(p, "Dyddiad geni: 5 Mehefin 1985"),
                        "date_of_birth=5 Mehefin 1985");
    assert_string_equal(scan(p, "Ganwyd 3ydd Ionawr 1961"),
                        "date_of_birth=3ydd Ionawr 1961");
    /* "o" and the soft-mutated month after it, as Welsh writes a date
     * in a sentence. */
    assert_string_equal(scan(p, "Dyddiad geni: 5ed o Fehefin 1985"),
                        "date_of_birth=5ed o Fehefin 1985");
    assert_string_equal(scan(p, "Ganwyd ar y 1af o Orffennaf 1970"),
                        "date_of_birth=1af o Orffennaf 1970");
    /* "ne le" without its accent is negation; a meeting is no birth. */
    assert_string_equal(scan(p, "il ne le 12 mars 1980"), "");
    assert_string_equal(scan(p, "Réunion le 12 mars 1980"), "");
    disclose_pii_free(p);
}

static void
test_ip(void **state)
{
    struct disclose_pii *p = plain();

    (void)state;
    assert_string_equal(scan(p, "from 192.168.10.7. and 2001:db8::1:"),
                        "ip_address=192.168.10.7|ip_address=2001:db8::1");
    assert_string_equal(scan(p, "[::1] fe80::a:b"),
                        "ip_address=::1|ip_address=fe80::a:b");
    /* Version strings, a clock, a MAC address, bad octets. */
    assert_string_equal(scan(p, "v1.2.3 1.2.3.4.5 12:30:45 00:1a:2b:3c:4d:5e"),
                        "");
    assert_string_equal(scan(p, "300.1.1.1"), "");
    disclose_pii_free(p);
}

static void
test_custom_and_stop(void **state)
{
    const char *pats[] = {"\\bWR[0-9]{6}\\b"};
    const char *heads[] = {"Call Sign"};
    struct disclose_pii_opts o = {pats, 1, heads, 1};
    struct disclose_pii *p = NULL;
    struct vigil_err err = {0};
    const char *bad[] = {"(unclosed"};
    struct disclose_pii_opts ob = {bad, 1, NULL, 0};

    (void)state;
    assert_int_equal(disclose_pii_new(&p, &o, &err), VIGIL_OK);
    assert_string_equal(scan(p, "ref WR123456 by a@b.org; WR1234567"),
                        "email=a@b.org|custom=WR123456");
    assert_int_equal(disclose_pii_header(p, "CALLSIGN", 8), PII_COL_CUSTOM);
    assert_int_equal(disclose_pii_header(p, "Call-sign", 9), PII_COL_CUSTOM);
    disclose_pii_free(p);

    p = (struct disclose_pii *)1;
    assert_int_equal(disclose_pii_new(&p, &ob, &err), VIGIL_EINVAL);
    assert_null(p);
    assert_non_null(strstr(err.msg, "custom pattern 1"));
}

static int
stop_first(const struct pii_match *m, void *arg)
{
    (void)m;
    (void)arg;
    return 1;
}

static void
test_stop_and_names(void **state)
{
    struct disclose_pii *p = plain();
    const char *t = "a@b.org c@d.org";

    (void)state;
    assert_int_equal(disclose_pii_scan(p, t, strlen(t), stop_first, NULL), 1);
    assert_int_equal(disclose_pii_scan(p, t, strlen(t), NULL, NULL), 2);
    assert_int_equal(disclose_pii_scan(NULL, t, 7, NULL, NULL), 1);
    assert_string_equal(disclose_pii_kind_name(PII_UK_NINO), "uk_nino");
    assert_string_equal(disclose_pii_column_name(PII_COL_NAME), "column:name");
    disclose_pii_free(p);
}

static void
test_header(void **state)
{
    static const struct {
        const char *h;
        enum pii_column col;
    } cases[] = {
        {"Surname", PII_COL_NAME},
        {"Forename(s)", PII_COL_NAME},
        {"FirstName", PII_COL_NAME},
        {"Collar No.", PII_COL_STAFF_ID},
        {"Warrant number", PII_COL_STAFF_ID},
        {"Pay No", PII_COL_STAFF_ID},
        {"Payroll number", PII_COL_STAFF_ID},
        {"Staff ID", PII_COL_STAFF_ID},
        {"EMPLOYEE_ID", PII_COL_STAFF_ID},
        {"Rank", PII_COL_RANK},
        {"Job Title", PII_COL_RANK},
        {"Date of Birth", PII_COL_DOB},
        {"D.O.B", PII_COL_DOB},
        {"DateOfBirth", PII_COL_DOB},
        {"Home address", PII_COL_ADDRESS},
        {"Post code", PII_COL_ADDRESS},
        {"NI Number", PII_COL_NATIONAL_ID},
        {"NINumber", PII_COL_NATIONAL_ID},
        {"NHS No", PII_COL_NATIONAL_ID},
        {"Vetting level", PII_COL_SENSITIVE},
        {"Ethnicity", PII_COL_SENSITIVE},
        {"Victim name", PII_COL_SENSITIVE},
        {"Victim surname", PII_COL_SENSITIVE},
        {"E-mail address", PII_COL_CONTACT},
        {"Mobile", PII_COL_CONTACT},
        {"IP address", PII_COL_NONE},
        {"Supplier name", PII_COL_NONE},
        {"Amount", PII_COL_NONE},
        {"Filename", PII_COL_NONE},
        {"Ranking", PII_COL_NONE},
        {"", PII_COL_NONE},
        {" -- ", PII_COL_NONE},
        /* French: accents and case folded, elided articles split. */
        {"Nom", PII_COL_NAME},
        {"Prénom", PII_COL_NAME},
        {"PRÉNOM(S)", PII_COL_NAME},
        {"Nom de famille", PII_COL_NAME},
        {"Date de naissance", PII_COL_DOB},
        {"Né(e) le", PII_COL_DOB},
        {"Téléphone", PII_COL_CONTACT},
        {"N° de téléphone", PII_COL_CONTACT},
        {"Tél.", PII_COL_CONTACT},
        {"Courriel", PII_COL_CONTACT},
        {"Adresse", PII_COL_ADDRESS},
        {"Code postal", PII_COL_ADDRESS},
        {"NAS", PII_COL_NATIONAL_ID},
        {"Numéro d'assurance sociale", PII_COL_NATIONAL_ID},
        {"Numéro d\u2019assurance maladie", PII_COL_NATIONAL_ID},
        {"Carte santé", PII_COL_NATIONAL_ID},
        {"Matricule", PII_COL_STAFF_ID},
        {"Nom d'utilisateur", PII_COL_STAFF_ID},
        {"Victime", PII_COL_SENSITIVE},
        {"Nom de la victime", PII_COL_SENSITIVE},
        {"Plaignant", PII_COL_SENSITIVE},
        {"Infraction", PII_COL_SENSITIVE},
        {"Santé", PII_COL_SENSITIVE},
        {"Adresse IP", PII_COL_NONE},
        {"Nom du fichier", PII_COL_NONE},
        {"Numéro de compte", PII_COL_CODE},
        {"N° de compte", PII_COL_CODE},
        {"Code comptable", PII_COL_CODE},
        {"Rhif cyfrif", PII_COL_CODE},
        {"Account number", PII_COL_CODE},
        {"Nom du compte", PII_COL_NONE},
        {"Poste budgétaire", PII_COL_NONE},
        {"Montant (€)", PII_COL_NONE},
        /* Welsh, with its circumflexes and "'r". */
        {"Enw", PII_COL_NAME},
        {"Cyfenw", PII_COL_NAME},
        {"Enw cyntaf", PII_COL_NAME},
        {"Dyddiad geni", PII_COL_DOB},
        {"Cyfeiriad", PII_COL_ADDRESS},
        {"Cod post", PII_COL_ADDRESS},
        {"E-bost", PII_COL_CONTACT},
        {"Cyfeiriad e-bost", PII_COL_CONTACT},
        {"Ffôn", PII_COL_CONTACT},
        {"Rhif ffôn", PII_COL_CONTACT},
        {"Rhif Yswiriant Gwladol", PII_COL_NATIONAL_ID},
        {"Rhif coler", PII_COL_STAFF_ID},
        {"Dioddefwr", PII_COL_SENSITIVE},
        {"Enw'r dioddefwr", PII_COL_SENSITIVE},
        {"Enw\u2019r cwmni", PII_COL_NONE},
        {"Cyfeiriad IP", PII_COL_NONE},
        /* Canadian English. */
        {"Health card number", PII_COL_NATIONAL_ID},
    };
    struct disclose_pii *p = plain();
    size_t k;

    (void)state;
    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        enum pii_column got =
            disclose_pii_header(p, cases[k].h, strlen(cases[k].h));
        if (got != cases[k].col)
            fail_msg("header \"%s\": got %s, want %s", cases[k].h,
                     disclose_pii_column_name(got),
                     disclose_pii_column_name(cases[k].col));
    }
    assert_int_equal(disclose_pii_header(NULL, "Surname", 7), PII_COL_NAME);
    disclose_pii_free(p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_email),
        cmocka_unit_test(test_uk_phone),
        cmocka_unit_test(test_nino),
        cmocka_unit_test(test_nhs),
        cmocka_unit_test(test_postcode),
        cmocka_unit_test(test_sin),
        cmocka_unit_test(test_canada),
        cmocka_unit_test(test_cell),
        cmocka_unit_test(test_card),
        cmocka_unit_test(test_iban),
        cmocka_unit_test(test_dob),
        cmocka_unit_test(test_ip),
        cmocka_unit_test(test_custom_and_stop),
        cmocka_unit_test(test_stop_and_names),
        cmocka_unit_test(test_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
