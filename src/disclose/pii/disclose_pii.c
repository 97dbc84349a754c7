/* disclose_pii.c -- the personal-data recogniser set: construction with an
 * organisation's own patterns, the single-pass scan that dispatches to the
 * built-in scanners at each word start, and the report names.
 *
 * The scan visits each byte once on the fast path: at the start of a word
 * (a word may hold accented letters, see disclose_pii_fold.c)
 * it asks only the scanners that can begin with that character, and after
 * a miss it skips the rest of the word. Custom patterns (PCRE2, JIT
 * compiled once in disclose_pii_new) run after the built-ins.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "disclose/pii/disclose_pii_int.h"

/* How far after a birth label the date may start ("DOB: ", "born on "). */
#define DOB_WINDOW 32
/* Backtracking bound for custom patterns, so a bad regex on hostile text
 * costs a bounded amount of time. */
#define CUSTOM_MATCH_LIMIT 1000000

struct pii_custom {
    pcre2_code *code;
    pcre2_match_data *md; /* reused by every scan: see disclose_pii_scan */
};

struct disclose_pii {
    struct pii_custom *custom;
    size_t ncustom;
    pcre2_match_context *mctx;
    char **headers; /* normalised custom header phrases, owned */
    size_t nheaders;
};

void
disclose_pii_free(struct disclose_pii *p)
{
    size_t k;

    if (p == NULL)
        return;
    for (k = 0; k < p->ncustom; k++) {
        pcre2_match_data_free(p->custom[k].md);
        pcre2_code_free(p->custom[k].code);
    }
    free(p->custom);
    for (k = 0; k < p->nheaders; k++)
        free(p->headers[k]);
    free(p->headers);
    pcre2_match_context_free(p->mctx);
    free(p);
}

enum vigil_rc
disclose_pii_new(struct disclose_pii **out,
                 const struct disclose_pii_opts *opts, struct vigil_err *err)
{
    struct disclose_pii *p;
    enum vigil_rc rc = VIGIL_ENOMEM;
    size_t k;

    *out = NULL;
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "pii: out of memory");
    if (opts && opts->ncustom_patterns > 0) {
        p->custom = calloc(opts->ncustom_patterns, sizeof(*p->custom));
        p->mctx = pcre2_match_context_create(NULL);
        if (p->custom == NULL || p->mctx == NULL)
            goto nomem;
        pcre2_set_match_limit(p->mctx, CUSTOM_MATCH_LIMIT);
        for (k = 0; k < opts->ncustom_patterns; k++) {
            struct pii_custom *c = &p->custom[k];
            const char *pat = opts->custom_patterns[k];
            int ec;
            PCRE2_SIZE eo;

            if (pat == NULL) {
                rc = vigil_err_set(err, VIGIL_EINVAL,
                                   "pii: custom pattern %zu is empty", k + 1);
                goto fail;
            }
            c->code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0,
                                    &ec, &eo, NULL);
            if (c->code == NULL) {
                PCRE2_UCHAR msg[120];
                pcre2_get_error_message(ec, msg, sizeof(msg));
                rc = vigil_err_set(err, VIGIL_EINVAL,
                                   "pii: custom pattern %zu (%.60s): %s at "
                                   "offset %zu",
                                   k + 1, pat, (const char *)msg, (size_t)eo);
                goto fail;
            }
            p->ncustom = k + 1;
            /* JIT is an optimisation; without it pcre2_match interprets. */
            (void)pcre2_jit_compile(c->code, PCRE2_JIT_COMPLETE);
            c->md = pcre2_match_data_create_from_pattern(c->code, NULL);
            if (c->md == NULL)
                goto nomem;
        }
    }
    if (opts && opts->ncustom_headers > 0) {
        p->headers = calloc(opts->ncustom_headers, sizeof(*p->headers));
        if (p->headers == NULL)
            goto nomem;
        for (k = 0; k < opts->ncustom_headers; k++) {
            const char *h = opts->custom_headers[k];
            char norm[128];
            size_t n;

            if (h == NULL)
                continue;
            n = disclose_pii_normalise(h, strlen(h), norm, sizeof(norm));
            if (n == 0)
                continue;
            p->headers[p->nheaders] = strdup(norm);
            if (p->headers[p->nheaders] == NULL)
                goto nomem;
            p->nheaders++;
        }
    }
    *out = p;
    return VIGIL_OK;
nomem:
    rc = vigil_err_set(err, VIGIL_ENOMEM, "pii: out of memory");
fail:
    disclose_pii_free(p);
    return rc;
}

/* Header classification needs the custom phrases. */
size_t
disclose_pii_custom_headers(const struct disclose_pii *p,
                            const char *const **out)
{
    if (p == NULL) {
        *out = NULL;
        return 0;
    }
    *out = (const char *const *)p->headers;
    return p->nheaders;
}

struct scan_state {
    int (*fn)(const struct pii_match *m, void *arg);
    void *arg;
    size_t count;
    int stop;
};

static void
report(struct scan_state *s, enum pii_kind kind, size_t start, size_t len)
{
    struct pii_match m;

    m.kind = kind;
    m.start = start;
    m.len = len;
    s->count++;
    if (s->fn && s->fn(&m, s->arg))
        s->stop = 1;
}

/* A birth label at i: looks for a date starting within DOB_WINDOW bytes
 * after it. Returns where scanning resumes (past the date), or 0. */
static size_t
scan_dob(struct scan_state *s, const char *t, size_t len, size_t i)
{
    size_t lab = disclose_pii_dob_label(t, len, i), q, end, n;

    if (lab == 0)
        return 0;
    end = i + lab + DOB_WINDOW;
    if (end > len)
        end = len;
    for (q = i + lab; q < end; q++) {
        unsigned char c = (unsigned char)t[q];
        if (!pii_is_alnum(c) || pii_is_alnum((unsigned char)t[q - 1]))
            continue;
        n = disclose_pii_date(t, len, q);
        if (n > 0) {
            report(s, PII_DATE_OF_BIRTH, q, n);
            return q + n;
        }
    }
    return 0;
}

/* Tries every built-in scanner that can start with t[i]; returns the
 * match length and kind, or 0. */
static size_t
scan_at(const char *t, size_t len, size_t i, size_t at, enum pii_kind *kind)
{
    unsigned char c = (unsigned char)t[i];
    size_t n;

    /* at: the next '@' at or after i. A local part is at most 64 bytes,
     * so most words are ruled out without looking at them. */
    if (at < len && at - i <= 64 && (n = disclose_pii_email(t, len, i)) > 0) {
        *kind = PII_EMAIL;
        return n;
    }
    if (pii_is_upper(c)) {
        if ((n = disclose_pii_iban(t, len, i)) > 0) {
            *kind = PII_IBAN;
            return n;
        }
        if ((n = disclose_pii_postcode(t, len, i)) > 0) {
            *kind = PII_UK_POSTCODE;
            return n;
        }
        if ((n = disclose_pii_ca_postcode(t, len, i)) > 0) {
            *kind = PII_CA_POSTCODE;
            return n;
        }
        if ((n = disclose_pii_ramq(t, len, i)) > 0) {
            *kind = PII_CA_HEALTH;
            return n;
        }
        if ((n = disclose_pii_ca_licence(t, len, i)) > 0) {
            *kind = PII_CA_DRIVER_LICENCE;
            return n;
        }
    }
    if (pii_is_alpha(c) && (n = disclose_pii_nino(t, len, i)) > 0) {
        *kind = PII_UK_NINO;
        return n;
    }
    if ((pii_is_digit(c) || (pii_lower(c) >= 'a' && pii_lower(c) <= 'f')) &&
        (n = disclose_pii_ip(t, len, i)) > 0) {
        *kind = PII_IP_ADDRESS;
        return n;
    }
    if (pii_is_digit(c))
        return disclose_pii_number(t, len, i, kind);
    return 0;
}

static void
scan_custom(const struct disclose_pii *p, struct scan_state *s,
            const char *text, size_t len)
{
    size_t k;

    for (k = 0; k < p->ncustom && !s->stop; k++) {
        const struct pii_custom *c = &p->custom[k];
        PCRE2_SIZE off = 0, *ov;
        int r;

        while (off <= len && !s->stop) {
            r = pcre2_match(c->code, (PCRE2_SPTR)text, len, off, 0, c->md,
                            p->mctx);
            if (r < 0)
                break; /* no match, or the match limit: stop this pattern */
            ov = pcre2_get_ovector_pointer(c->md);
            if (ov[1] > ov[0])
                report(s, PII_CUSTOM, ov[0], ov[1] - ov[0]);
            off = ov[1] > off ? ov[1] : off + 1;
        }
    }
}

/* Where the word at i ends: letters (accented too) and digits. */
static size_t
word_end(const char *t, size_t len, size_t i)
{
    const unsigned char *u = (const unsigned char *)t;
    char f[2];
    size_t nf, step;

    while (i < len) {
        if (pii_is_alnum(u[i])) {
            i++;
            continue;
        }
        if (u[i] < 0x80)
            break;
        step = disclose_pii_fold(u, len, i, f, &nf);
        if (nf == 0)
            break;
        i += step;
    }
    return i;
}

/* Not safe to run concurrently on one disclose_pii that has custom
 * patterns (their match data is shared); build one set per thread. */
size_t
disclose_pii_scan(const struct disclose_pii *p, const char *text, size_t len,
                  int (*fn)(const struct pii_match *m, void *arg), void *arg)
{
    struct scan_state s = {fn, arg, 0, 0};
    size_t i = 0, n, r, at = 0;
    int at_known = 0;
    const char *pa;
    enum pii_kind kind;

    if (text == NULL)
        return 0;
    while (i < len && !s.stop) {
        unsigned char c = (unsigned char)text[i];

        if (pii_is_alnum(c)) {
            unsigned char lc = pii_lower(c);

            if (!at_known || at < i) {
                pa = memchr(text + i, '@', len - i);
                at = pa ? (size_t)(pa - text) : len;
                at_known = 1;
            }
            n = scan_at(text, len, i, at, &kind);
            if (n > 0) {
                report(&s, kind, i, n);
                i += n;
                continue;
            }
            if ((lc == 'b' || lc == 'd' || lc == 'g' || lc == 'n') &&
                (r = scan_dob(&s, text, len, i)) > 0) {
                i = r;
                continue;
            }
            i = word_end(text, len, i);
            continue;
        }
        if (c >= 0x80) {
            /* An accented letter starts a word none of the scanners
             * begins with ("Élodie"); anything else (a no-break space
             * before "12 mars") separates. */
            char f[2];
            size_t nf, step = disclose_pii_fold((const unsigned char *)text,
                                                len, i, f, &nf);
            i = nf > 0 ? word_end(text, len, i) : i + step;
            continue;
        }
        if (c == '+' || c == '(') {
            n = disclose_pii_number(text, len, i, &kind);
            if (n > 0) {
                report(&s, kind, i, n);
                i += n;
                continue;
            }
        } else if (c == ':' && i + 1 < len && text[i + 1] == ':') {
            n = disclose_pii_ip(text, len, i);
            if (n > 0) {
                report(&s, PII_IP_ADDRESS, i, n);
                i += n;
                continue;
            }
        }
        i++;
    }
    if (p != NULL && !s.stop)
        scan_custom(p, &s, text, len);
    return s.count;
}

const char *
disclose_pii_kind_name(enum pii_kind kind)
{
    switch (kind) {
    case PII_EMAIL:
        return "email";
    case PII_UK_PHONE:
        return "uk_phone";
    case PII_UK_NINO:
        return "uk_nino";
    case PII_NHS_NUMBER:
        return "nhs_number";
    case PII_UK_POSTCODE:
        return "uk_postcode";
    case PII_CA_SIN:
        return "ca_sin";
    case PII_PAYMENT_CARD:
        return "payment_card";
    case PII_IBAN:
        return "iban";
    case PII_DATE_OF_BIRTH:
        return "date_of_birth";
    case PII_IP_ADDRESS:
        return "ip_address";
    case PII_CUSTOM:
        return "custom";
    case PII_CA_HEALTH:
        return "ca_health_number";
    case PII_CA_POSTCODE:
        return "ca_postcode";
    case PII_CA_DRIVER_LICENCE:
        return "ca_driver_licence";
    case PII_CA_PHONE:
        return "ca_phone";
    case PII_KIND_COUNT:
        break;
    }
    return "unknown";
}

const char *
disclose_pii_column_name(enum pii_column col)
{
    switch (col) {
    case PII_COL_NONE:
        return "column:none";
    case PII_COL_NAME:
        return "column:name";
    case PII_COL_RANK:
        return "column:rank";
    case PII_COL_STAFF_ID:
        return "column:staff_id";
    case PII_COL_ADDRESS:
        return "column:address";
    case PII_COL_DOB:
        return "column:dob";
    case PII_COL_CONTACT:
        return "column:contact";
    case PII_COL_NATIONAL_ID:
        return "column:national_id";
    case PII_COL_SENSITIVE:
        return "column:sensitive";
    case PII_COL_CUSTOM:
        return "column:custom";
    case PII_COL_CODE:
        return "column:code";
    }
    return "column:unknown";
}

int
disclose_pii_code_hides(enum pii_column col, enum pii_kind kind)
{
    return col == PII_COL_CODE &&
           (kind == PII_CA_SIN || kind == PII_NHS_NUMBER);
}
