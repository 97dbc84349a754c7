/* disclose_check.c -- the disclosure guard's entry points: recognises a
 * file by its content, hands it to the format's inspector, collects the
 * findings and turns them into a verdict. Also the helpers every
 * inspector shares: findings, personal-data counting, tables of people's
 * records and range lists. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disclose/disclose_int.h"

#define MAX_FINDINGS 4096
/* Readings of a package whose entry names repeat (one per copy). */
#define MAX_VIEWS 16

void
vigil_disclose_policy_default(struct vigil_disclose_policy *p)
{
    memset(p, 0, sizeof(*p));
    p->max_records = 50;
    p->max_input_bytes = (size_t)1 << 30;
    p->max_total_inflate = (size_t)16 << 30;
    p->max_part_bytes = (size_t)512 << 20;
    p->max_entries = 20000;
    p->max_ratio = 200;
    p->max_depth = 4;
    p->max_strings_bytes = (size_t)128 << 20;
}

enum vigil_rc
vigil_disclose_new(struct vigil_disclose **out,
                   const struct vigil_disclose_policy *policy,
                   struct vigil_err *err)
{
    struct vigil_disclose *d;
    struct disclose_pii_opts o;
    enum vigil_rc rc;

    *out = NULL;
    d = calloc(1, sizeof(*d));
    if (!d)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    if (policy)
        d->policy = *policy;
    else
        vigil_disclose_policy_default(&d->policy);
    memset(&o, 0, sizeof(o));
    o.custom_patterns = d->policy.custom_patterns;
    o.ncustom_patterns = d->policy.ncustom_patterns;
    o.custom_headers = d->policy.custom_headers;
    o.ncustom_headers = d->policy.ncustom_headers;
    d->custom_headers = d->policy.ncustom_headers > 0;
    /* The arrays are borrowed for this call only. */
    d->policy.custom_patterns = NULL;
    d->policy.ncustom_patterns = 0;
    d->policy.custom_headers = NULL;
    d->policy.ncustom_headers = 0;
    rc = disclose_pii_new(&d->pii, &o, err);
    if (rc != VIGIL_OK) {
        free(d);
        return rc;
    }
    *out = d;
    return VIGIL_OK;
}

void
vigil_disclose_free(struct vigil_disclose *d)
{
    if (!d)
        return;
    disclose_pii_free(d->pii);
    free(d);
}

/* ------------------------------------------------------------------ */
/* Findings                                                             */
/* ------------------------------------------------------------------ */

const char *
disclose_strdup(struct disclose_ctx *c, const char *s, size_t n)
{
    char *p;

    if (!s)
        return NULL;
    p = vigil_arena_strndup(c->arena, s, n);
    if (!p)
        c->nomem = 1;
    return p;
}

static const char *
dupz(struct disclose_ctx *c, const char *s)
{
    return s ? disclose_strdup(c, s, strlen(s)) : NULL;
}

static int
streq0(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Is this finding already made (a package re-read through another copy
 * of a duplicated entry finds the same things again)? */
static int
same_finding(const struct vigil_disclose_result *r,
             enum vigil_disclose_kind kind, enum vigil_disclose_verdict sev,
             const char *part, const char *sheet, const char *range,
             const char *detail)
{
    for (size_t i = 0; i < r->nfindings; i++) {
        const struct vigil_disclose_finding *f = &r->findings[i];
        if (f->kind == kind && f->severity == sev && streq0(f->part, part) &&
            streq0(f->sheet, sheet) && streq0(f->range, range) &&
            streq0(f->detail, detail))
            return 1;
    }
    return 0;
}

struct vigil_disclose_finding *
disclose_add(struct disclose_ctx *c, enum vigil_disclose_kind kind,
             enum vigil_disclose_verdict sev, const char *part,
             const char *sheet, const char *range, const char *advice,
             const char *fmt, ...)
{
    struct vigil_disclose_result *r = c->res;
    struct vigil_disclose_finding *f;
    char detail[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    if (c->dedup && same_finding(r, kind, sev, part, sheet, range, detail))
        return NULL;
    /* Past the cap a finding is not listed, but it still counts: a
     * hostile author must not be able to bury a BLOCK under thousands of
     * harmless findings. */
    if (r->nfindings >= MAX_FINDINGS - (c->summary ? 0 : 1)) {
        r->unlisted++;
        if (sev > r->priv->unlisted_worst)
            r->priv->unlisted_worst = sev;
        return NULL;
    }
    if (VIGIL_GROW(r->findings, r->nfindings, r->priv->cap) != VIGIL_OK) {
        c->nomem = 1;
        return NULL;
    }
    f = &r->findings[r->nfindings++];
    memset(f, 0, sizeof(*f));
    f->kind = kind;
    f->severity = sev;
    f->member = c->member;
    f->part = dupz(c, part);
    f->sheet = dupz(c, sheet);
    f->range = dupz(c, range);
    f->detail = dupz(c, detail);
    f->advice = dupz(c, advice);
    return f;
}

void
disclose_finding_pii(struct vigil_disclose_finding *f,
                     const struct disclose_acc *acc)
{
    if (!f || !acc)
        return;
    memcpy(f->pii, acc->n, sizeof(f->pii));
    f->pii_total = acc->total;
}

struct scan_arg {
    struct disclose_acc *acc;
    size_t n;
    int code;        /* the text is a cell of a code column */
    size_t from, to; /* the cell's value without surrounding blanks */
};

static int
scan_cb(const struct pii_match *m, void *arg)
{
    struct scan_arg *s = arg;

    if (s->code && m->start == s->from && m->start + m->len == s->to &&
        disclose_pii_code_hides(PII_COL_CODE, m->kind))
        return 0;
    if (s->acc) {
        if ((size_t)m->kind < VIGIL_DISCLOSE_PII_SLOTS)
            s->acc->n[m->kind]++;
        s->acc->total++;
    }
    s->n++;
    return 0;
}

size_t
disclose_scan(struct disclose_ctx *c, const char *text, size_t len,
              struct disclose_acc *acc)
{
    struct scan_arg s = {acc, 0, 0, 0, 0};

    if (len == 0)
        return 0;
    disclose_pii_scan(c->d->pii, text, len, scan_cb, &s);
    c->res->pii_total += s.n;
    return s.n;
}

size_t
disclose_table_scan(struct disclose_table *t, unsigned col, const char *text,
                    size_t len, struct disclose_acc *acc)
{
    struct scan_arg s = {acc, 0, 0, 0, len};

    if (len == 0)
        return 0;
    s.code = col < DISCLOSE_MAX_COLS && t->code[col];
    while (s.from < len && (text[s.from] == ' ' || text[s.from] == '\t'))
        s.from++;
    while (s.to > s.from && (text[s.to - 1] == ' ' || text[s.to - 1] == '\t'))
        s.to--;
    disclose_pii_scan(t->c->d->pii, text, len, scan_cb, &s);
    t->c->res->pii_total += s.n;
    return s.n;
}

void
disclose_acc_add(struct disclose_acc *dst, const struct disclose_acc *src)
{
    for (size_t i = 0; i < VIGIL_DISCLOSE_PII_SLOTS; i++)
        dst->n[i] += src->n[i];
    dst->total += src->total;
}

void
disclose_acc_describe(const struct disclose_acc *acc, char *dst, size_t n)
{
    size_t used = 0;

    if (n)
        dst[0] = 0;
    for (size_t i = 0; i < VIGIL_DISCLOSE_PII_SLOTS && used < n; i++) {
        const char *name;
        int w;

        if (!acc->n[i])
            continue;
        name = vigil_disclose_pii_name(i);
        w = snprintf(dst + used, n - used, "%s%zu %s", used ? ", " : "",
                     acc->n[i], name ? name : "other");
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* ------------------------------------------------------------------ */
/* Tables                                                               */
/* ------------------------------------------------------------------ */

void
disclose_table_init(struct disclose_table *t, struct disclose_ctx *c)
{
    memset(t, 0, sizeof(*t));
    t->c = c;
}

void
disclose_table_header(struct disclose_table *t, unsigned col, const char *text,
                      size_t len)
{
    enum pii_column k;

    if (col >= DISCLOSE_MAX_COLS)
        return;
    k = disclose_pii_header(t->c->d->pii, text, len);
    t->col[col] = (uint8_t)k;
    t->code[col] = k == PII_COL_CODE;
    t->have_code |= k == PII_COL_CODE;
    t->have_header = 1;
    t->fixed_header = 1;
    if (k == PII_COL_NAME)
        t->has_name_col = 1;
}

void
disclose_table_row(struct disclose_table *t, uint32_t row, int hidden)
{
    t->row_hidden = hidden;
    t->row_named = t->row_other = t->row_pend = t->row_ident = 0;
    t->row_hidden_cell = 0;
    t->row_pend_name = t->row_pend_code = 0;
    if (!t->have_header && !t->fixed_header) {
        memset(t->pend, 0, sizeof(t->pend));
        t->header_row = row;
    }
}

static int
has_letter(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x80 || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z'))
            return 1;
    }
    return 0;
}

void
disclose_table_cell(struct disclose_table *t, unsigned col, const char *text,
                    size_t len, int col_hidden, struct disclose_acc *acc)
{
    size_t i = 0;
    enum pii_kind k;

    while (i < len && (text[i] == ' ' || text[i] == '\t'))
        i++;
    if (i == len || col >= DISCLOSE_MAX_COLS)
        return;
    if (!t->have_header) {
        /* A cell without a letter ("310", "2024-01-31") names no column;
         * the header recognisers cost tens of thousands of instructions
         * a call. Only an organisation's own header words could be
         * letterless. */
        if (t->rows_seen < 20 && len < 80 &&
            (t->c->d->custom_headers || has_letter(text + i, len - i))) {
            enum pii_column k = disclose_pii_header(t->c->d->pii, text, len);
            t->pend[col] = (uint8_t)k;
            if (k == PII_COL_CODE)
                t->row_pend_code = 1;
            else if (k != PII_COL_NONE)
                t->row_pend++;
            if (k == PII_COL_NAME)
                t->row_pend_name = 1;
        }
        return;
    }
    if (t->col[col] == PII_COL_NONE || t->col[col] == PII_COL_CODE)
        return;
    /* "12/03/1980" under "Date de naissance" is a date of birth, which
     * the scan alone cannot know. */
    k = disclose_pii_cell((enum pii_column)t->col[col], text, len);
    if (k != 0) {
        if (acc && (size_t)k < VIGIL_DISCLOSE_PII_SLOTS) {
            acc->n[k]++;
            acc->total++;
        }
        t->c->res->pii_total++;
    }
    /* A number under a name heading is a count ("Count - Name"), not a
     * person. */
    if (t->col[col] == PII_COL_NAME &&
        strspn(text + i, "0123456789.,- ") == len - i)
        return;
    if (t->col[col] == PII_COL_NAME)
        t->row_named++;
    else
        t->row_other++;
    if (t->col[col] != PII_COL_NAME && t->col[col] != PII_COL_SENSITIVE)
        t->row_ident++;
    if (col_hidden)
        t->row_hidden_cell = 1;
}

void
disclose_table_row_end(struct disclose_table *t)
{
    if (!t->have_header) {
        /* Noted per cell: a scan of all 1,024 columns per row cost more
         * than the rest of a small table's check. */
        int named = t->row_pend_name;

        t->rows_seen++;
        /* A budget's "Numéro de compte | Libellé | Montant" names no
         * personal column, so is never taken as the header, but its code
         * column must still be known for disclose_table_scan. The first
         * row naming one is the header; later rows are data ("Compte
         * courant" under Libellé). */
        if (t->row_pend_code && (!t->have_code || t->row_pend >= 2)) {
            for (size_t i = 0; i < DISCLOSE_MAX_COLS; i++)
                t->code[i] = t->pend[i] == PII_COL_CODE;
            t->have_code = 1;
        }
        /* A header: a name column and another personal column, or two
         * personal columns without names (email + phone). Without a name
         * column a record also needs one identifying column (not just
         * "offence" and a count), see disclose_table_row_end below. */
        if (t->row_pend >= 2) {
            memcpy(t->col, t->pend, sizeof(t->col));
            t->have_header = 1;
            t->has_name_col = named;
        }
        return;
    }
    /* Without a name column, sensitive cells alone ("Offence", "Victim"
     * and a count: crime statistics) are not a person; one cell must
     * identify (contact, address, identifier, date of birth). */
    if (t->has_name_col
            ? (t->row_named >= 1 && t->row_named + t->row_other >= 2)
            : (t->row_other >= 2 && t->row_ident >= 1)) {
        t->records++;
        if (t->row_hidden || t->row_hidden_cell)
            t->hidden_records++;
    }
}

void
disclose_table_columns(const struct disclose_table *t, char *dst, size_t n)
{
    size_t used = 0;
    unsigned seen = 0;

    if (n)
        dst[0] = 0;
    for (size_t i = 0; i < DISCLOSE_MAX_COLS && used < n; i++) {
        int w;

        if (t->col[i] == PII_COL_NONE || t->col[i] == PII_COL_CODE ||
            (seen & (1u << t->col[i])))
            continue;
        seen |= 1u << t->col[i];
        w = snprintf(dst + used, n - used, "%s%s", used ? ", " : "",
                     disclose_pii_column_name((enum pii_column)t->col[i]));
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* ------------------------------------------------------------------ */
/* Cell references and range lists                                     */
/* ------------------------------------------------------------------ */

int
disclose_cell_ref(const char *ref, unsigned *col, uint32_t *row)
{
    unsigned c = 0;
    uint64_t r = 0;
    const char *p = ref;

    if (!p)
        return 0;
    while (*p >= 'A' && *p <= 'Z') {
        c = c * 26 + (unsigned)(*p - 'A' + 1);
        if (c > 16384)
            return 0;
        p++;
    }
    while (*p >= '0' && *p <= '9') {
        r = r * 10 + (uint64_t)(*p - '0');
        if (r > 1048576)
            return 0;
        p++;
    }
    if (c == 0 || r == 0 || *p)
        return 0;
    *col = c - 1;
    *row = (uint32_t)r;
    return 1;
}

void
disclose_col_name(unsigned col, char *dst, size_t n)
{
    char tmp[8];
    size_t k = 0;
    unsigned v = col + 1;

    while (v && k < sizeof(tmp)) {
        v--;
        tmp[k++] = (char)('A' + v % 26);
        v /= 26;
    }
    for (size_t i = 0; i < k && i + 1 < n; i++)
        dst[i] = tmp[k - 1 - i];
    dst[k < n ? k : n - 1] = 0;
}

static void
ranges_flush(struct disclose_ranges *r)
{
    char a[16], b[16];
    int w;

    if (!r->open || r->full)
        return;
    if (r->letters) {
        disclose_col_name((unsigned)r->first, a, sizeof(a));
        disclose_col_name((unsigned)r->last, b, sizeof(b));
    } else {
        snprintf(a, sizeof(a), "%llu", (unsigned long long)r->first);
        snprintf(b, sizeof(b), "%llu", (unsigned long long)r->last);
    }
    if (r->len > sizeof(r->buf) - 40) {
        w = snprintf(r->buf + r->len, sizeof(r->buf) - r->len, ", ...");
        r->full = 1;
    } else if (r->first == r->last)
        w = snprintf(r->buf + r->len, sizeof(r->buf) - r->len, "%s%s",
                     r->len ? ", " : "", a);
    else
        w = snprintf(r->buf + r->len, sizeof(r->buf) - r->len, "%s%s-%s",
                     r->len ? ", " : "", a, b);
    if (w > 0)
        r->len += (size_t)w;
    if (r->len >= sizeof(r->buf))
        r->len = sizeof(r->buf) - 1;
    r->open = 0;
}

void
disclose_ranges_add(struct disclose_ranges *r, uint64_t v)
{
    r->count++;
    if (r->open && v == r->last + 1) {
        r->last = v;
        return;
    }
    if (r->open && v <= r->last && v >= r->first)
        return;
    ranges_flush(r);
    r->first = r->last = v;
    r->open = 1;
}

const char *
disclose_ranges_str(struct disclose_ranges *r)
{
    ranges_flush(r);
    r->buf[r->len] = 0;
    return r->buf;
}

/* ------------------------------------------------------------------ */
/* Recognition and dispatch                                             */
/* ------------------------------------------------------------------ */

static int
is_text(const unsigned char *d, size_t len)
{
    size_t n = len < 65536 ? len : 65536, bad = 0;

    if (n >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF)
        return 1;
    for (size_t i = 0; i < n; i++) {
        if (d[i] == 0)
            return 0;
        if (d[i] < 0x20 && d[i] != '\n' && d[i] != '\r' && d[i] != '\t' &&
            d[i] != '\f')
            bad++;
    }
    return bad * 100 <= n;
}

/* UTF-16 text after its byte-order mark: as is_text, on code units, so a
 * binary file that happens to start FF FE is not read as text. */
static int
is_utf16_text(const unsigned char *d, size_t len)
{
    size_t n = len < 65536 ? len : 65536, bad = 0, units = 0;
    int be = d[0] == 0xFE;

    for (size_t i = 2; i + 1 < n; i += 2) {
        unsigned u = be ? (unsigned)(d[i] << 8 | d[i + 1])
                        : (unsigned)(d[i + 1] << 8 | d[i]);
        units++;
        if (u < 0x20 && u != '\n' && u != '\r' && u != '\t' && u != '\f')
            bad++;
    }
    return bad * 100 <= units;
}

/* Does a CFB (OLE2) container hold an EncryptionInfo stream? Names in the
 * directory are UTF-16LE; a scan of the bytes is enough to tell an
 * encrypted OOXML package from a legacy .doc/.xls. */
static int
cfb_has(const unsigned char *d, size_t len, const char *ascii)
{
    size_t n = strlen(ascii);

    for (size_t i = 0; i + 2 * n <= len; i++) {
        size_t k = 0;
        while (k < n && d[i + 2 * k] == (unsigned char)ascii[k] &&
               d[i + 2 * k + 1] == 0)
            k++;
        if (k == n)
            return 1;
    }
    return 0;
}

/* Checks z as an ODF or OOXML package; 0 when it is neither. */
static int
check_package(struct disclose_ctx *c, struct disclose_zip *z)
{
    const struct disclose_zip_entry *e = disclose_zip_find(z, "mimetype");
    struct vigil_err err;

    if (e) {
        struct vigil_buf b;
        int odf;

        vigil_buf_init(&b, 256);
        vigil_err_clear(&err);
        odf = disclose_zip_read(c, z, e, &b, 200, &err) == VIGIL_OK &&
              b.len > 30 &&
              strncmp(b.data, "application/vnd.oasis.opendocument.", 35) == 0;
        if (odf)
            disclose_odf(c, z, b.data);
        vigil_buf_fini(&b);
        if (odf)
            return 1;
    }
    if (disclose_zip_find(z, "[Content_Types].xml")) {
        disclose_ooxml(c, z);
        return 1;
    }
    return 0;
}

static void
check_zip(struct disclose_ctx *c, const char *name, const unsigned char *data,
          size_t len)
{
    struct disclose_zip z;
    struct vigil_err err;
    enum vigil_rc rc;

    vigil_err_clear(&err);
    rc = disclose_zip_open(c, data, len, &z, &err);
    if (rc != VIGIL_OK) {
        if (rc == VIGIL_ENOMEM)
            c->nomem = 1;
        else if (rc == VIGIL_ELIMIT)
            disclose_add(c, VIGIL_DK_HOSTILE, VIGIL_DISCLOSE_BLOCK, NULL, NULL,
                         NULL,
                         "Do not publish; ask the author for a plain copy "
                         "and have the file examined.",
                         "%s", err.msg);
        else
            disclose_add(c, VIGIL_DK_DAMAGED, VIGIL_DISCLOSE_BLOCK, NULL, NULL,
                         NULL,
                         "Cannot inspect: re-save the document from its "
                         "application and check again.",
                         "the archive cannot be read: %s", err.msg);
        if (!c->res->format)
            c->res->format = "zip";
        return;
    }
    if (z.ndup)
        disclose_add(c, VIGIL_DK_AMBIGUOUS, VIGIL_DISCLOSE_BLOCK, z.dupname,
                     NULL, NULL,
                     "Do not publish; ask the author to re-save the document "
                     "from its application and check the new copy.",
                     "ambiguous package: %zu name(s) are held by more than "
                     "one entry (up to %zu copies of '%s'); programs differ "
                     "in which copy they read, so each was checked (up to "
                     "%d copies of a name)",
                     z.ndup, z.maxcopies, z.dupname, MAX_VIEWS);
    for (size_t i = 0; i < z.n; i++)
        if (z.e[i].encrypted) {
            disclose_add(c, VIGIL_DK_ENCRYPTED, VIGIL_DISCLOSE_BLOCK,
                         z.e[i].name, NULL, NULL,
                         "Cannot inspect: remove the password and check "
                         "again, or do not publish.",
                         "the entry is encrypted with a password");
            break;
        }
    /* A package with duplicated names is read once per copy: the first
     * copy of every name, then the second (or the last where there are
     * fewer)... so whichever copy a program picks has been checked. */
    {
        size_t views = z.maxcopies > 1 ? z.maxcopies : 1;
        size_t rec0 = c->res->people_records, pii0 = c->res->pii_total;
        size_t rec = 0, pii = 0;
        int package = 0;

        if (views > MAX_VIEWS)
            views = MAX_VIEWS;
        for (z.view = 0; z.view < views && !c->nomem; z.view++) {
            c->dedup = z.view > 0;
            package = check_package(c, &z);
            if (!package)
                break;
            /* Each reading counts the same people again: keep the
             * largest count of one reading, not their sum. */
            if (c->res->people_records - rec0 > rec)
                rec = c->res->people_records - rec0;
            if (c->res->pii_total - pii0 > pii)
                pii = c->res->pii_total - pii0;
            c->res->people_records = rec0;
            c->res->pii_total = pii0;
        }
        c->res->people_records = rec0 + rec;
        c->res->pii_total = pii0 + pii;
        c->dedup = 0;
        z.view = 0;
        if (package)
            goto out;
    }
    /* A plain archive: check every member. */
    if (!c->res->format)
        c->res->format = "zip";
    if (c->depth >= c->d->policy.max_depth) {
        disclose_add(c, VIGIL_DK_HOSTILE, VIGIL_DISCLOSE_BLOCK, NULL, NULL,
                     NULL, "Unpack the archive and check its files one by one.",
                     "archives nested more than %u deep",
                     c->d->policy.max_depth);
        goto out;
    }
    for (size_t i = 0; i < z.n && !c->nomem; i++) {
        struct vigil_buf b;
        const struct disclose_zip_entry *m = &z.e[i];
        size_t nl = strlen(m->name);

        if (nl == 0 || m->name[nl - 1] == '/' || m->encrypted)
            continue;
        vigil_buf_init(&b, c->d->policy.max_part_bytes);
        vigil_err_clear(&err);
        rc = disclose_zip_read(c, &z, m, &b, c->d->policy.max_part_bytes, &err);
        if (rc == VIGIL_OK) {
            char path[1024];
            const char *saved = c->member;

            snprintf(path, sizeof(path), "%s%s%s", saved ? saved : "",
                     saved ? "/" : "", m->name);
            c->member = disclose_strdup(c, path, strlen(path));
            c->depth++;
            disclose_check_any(c, m->name, (const unsigned char *)b.data, b.len,
                               0);
            c->depth--;
            c->member = saved;
        } else if (rc == VIGIL_ENOMEM) {
            c->nomem = 1;
        } else {
            disclose_add(
                c, rc == VIGIL_ELIMIT ? VIGIL_DK_HOSTILE : VIGIL_DK_DAMAGED,
                VIGIL_DISCLOSE_BLOCK, m->name, NULL, NULL,
                "Do not publish; unpack and check the files one by "
                "one.",
                "%s", err.msg);
        }
        vigil_buf_fini(&b);
        if (rc == VIGIL_ELIMIT)
            break;
    }
out:
    disclose_zip_close(&z);
}

void
disclose_check_any(struct disclose_ctx *c, const char *name,
                   const unsigned char *data, size_t len, int top)
{
    const char **fmt = &c->res->format;

    (void)name;
    if (len >= 4 && memcmp(data, "PK\3\4", 4) == 0) {
        check_zip(c, name, data, len);
        return;
    }
    if (len >= 4 && memcmp(data, "PK\5\6", 4) == 0) {
        if (top)
            *fmt = "zip";
        return; /* empty archive */
    }
    if (len >= 5 && memcmp(data, "%PDF-", 5) == 0) {
        if (top)
            *fmt = "pdf";
        disclose_pdf(c, data, len);
        return;
    }
    if (len >= 8 && memcmp(data, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0) {
        if (cfb_has(data, len, "EncryptionInfo") ||
            cfb_has(data, len, "EncryptedPackage")) {
            if (top)
                *fmt = "encrypted-ooxml";
            disclose_add(c, VIGIL_DK_ENCRYPTED, VIGIL_DISCLOSE_BLOCK, NULL,
                         NULL, NULL,
                         "Cannot inspect: remove the password (File > Info > "
                         "Protect) and check again, or do not publish.",
                         "the document is encrypted with a password "
                         "(EncryptionInfo stream in an OLE container)");
        } else {
            if (top)
                *fmt = "ole";
            disclose_add(c, VIGIL_DK_UNSUPPORTED, VIGIL_DISCLOSE_BLOCK, NULL,
                         NULL, NULL,
                         "Save it as .xlsx/.docx (or export to CSV/PDF) and "
                         "check again.",
                         "legacy binary Office document (.xls/.doc/.ppt) "
                         "cannot be inspected");
        }
        return;
    }
    if (len >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) {
        if (top)
            *fmt = "jpeg";
        disclose_exif(c, name, data, len);
        return;
    }
    if ((len >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0) ||
        (len >= 6 && memcmp(data, "GIF8", 4) == 0)) {
        if (top)
            *fmt = "image";
        return;
    }
    if (len == 0) {
        if (top)
            *fmt = "empty";
        return;
    }
    if (disclose_is_utf16(data, len) ? is_utf16_text(data, len)
                                     : is_text(data, len)) {
        disclose_delimited(c, data, len, top);
        return;
    }
    if (top)
        *fmt = "unknown";
    disclose_add(c, VIGIL_DK_UNSUPPORTED, VIGIL_DISCLOSE_BLOCK, NULL, NULL,
                 NULL,
                 "Convert it to a format vigil reads (PDF, XLSX, DOCX, CSV) "
                 "and check again.",
                 "unrecognised binary file: its content cannot be inspected");
}

static int
result_new(const char *name, size_t len, struct vigil_disclose_result **out)
{
    struct vigil_disclose_result *r = calloc(1, sizeof(*r));

    if (!r)
        return 0;
    r->priv = calloc(1, sizeof(*r->priv));
    if (!r->priv) {
        free(r);
        return 0;
    }
    vigil_arena_init(&r->priv->arena, 16384, (size_t)64 << 20);
    r->name = vigil_arena_strndup(&r->priv->arena, name, strlen(name));
    r->bytes = len;
    *out = r;
    return r->name != NULL;
}

/* Marks r (checked as empty) as refused for its size. */
static void
disclose_oversize(struct vigil_disclose_result *r, size_t size, size_t max)
{
    struct disclose_ctx c;

    memset(&c, 0, sizeof(c));
    c.res = r;
    c.arena = &r->priv->arena;
    r->bytes = size;
    r->format = "unknown";
    disclose_add(&c, VIGIL_DK_HOSTILE, VIGIL_DISCLOSE_BLOCK, NULL, NULL, NULL,
                 "Split the file or check it in parts.",
                 "file of %zu bytes exceeds the %zu byte limit", size, max);
    r->verdict = VIGIL_DISCLOSE_BLOCK;
}

void
vigil_disclose_result_free(struct vigil_disclose_result *r)
{
    if (!r)
        return;
    free(r->findings);
    if (r->priv) {
        vigil_arena_fini(&r->priv->arena);
        free(r->priv);
    }
    free(r);
}

static enum vigil_rc check(struct vigil_disclose *d, const char *name,
                           const void *data, size_t len, const char *path,
                           struct vigil_disclose_result **out,
                           struct vigil_err *err);

enum vigil_rc
vigil_disclose_check_buffer(struct vigil_disclose *d, const char *name,
                            const void *data, size_t len,
                            struct vigil_disclose_result **out,
                            struct vigil_err *err)
{
    return check(d, name, data, len, NULL, out, err);
}

static enum vigil_rc
check(struct vigil_disclose *d, const char *name, const void *data, size_t len,
      const char *path, struct vigil_disclose_result **out,
      struct vigil_err *err)
{
    struct vigil_disclose_result *r = NULL;
    struct disclose_ctx c;

    *out = NULL;
    if (!d || (!data && len))
        return vigil_err_set(err, VIGIL_EINVAL, "no checker or no data");
    if (!result_new(name ? name : "-", len, &r)) {
        vigil_disclose_result_free(r);
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    memset(&c, 0, sizeof(c));
    c.d = d;
    c.res = r;
    c.arena = &r->priv->arena;
    c.path = path;
    c.top = data;
    if (len > d->policy.max_input_bytes) {
        r->format = "unknown";
        disclose_add(&c, VIGIL_DK_HOSTILE, VIGIL_DISCLOSE_BLOCK, NULL, NULL,
                     NULL, "Split the file or raise --max-size.",
                     "file of %zu bytes exceeds the %zu byte limit", len,
                     d->policy.max_input_bytes);
    } else {
        disclose_check_any(&c, r->name, data, len, 1);
    }
    if (c.nomem) {
        vigil_disclose_result_free(r);
        return vigil_err_set(err, VIGIL_ENOMEM,
                             "out of memory while checking %s", name);
    }
    /* The last slot is kept for this summary, so it is always listed. */
    c.summary = 1;
    if (r->people_records > d->policy.max_records)
        disclose_add(&c, VIGIL_DK_PEOPLE_RECORDS, VIGIL_DISCLOSE_BLOCK, NULL,
                     NULL, NULL,
                     "Publish a summary (counts) instead of people's records, "
                     "or redact the personal columns.",
                     "the file holds %zu people's records in all, more than "
                     "the %zu allowed",
                     r->people_records, d->policy.max_records);
    r->verdict = r->priv->unlisted_worst;
    for (size_t i = 0; i < r->nfindings; i++)
        if (r->findings[i].severity > r->verdict)
            r->verdict = r->findings[i].severity;
    if (!r->format)
        r->format = "unknown";
    *out = r;
    return VIGIL_OK;
}

enum vigil_rc
vigil_disclose_check_file(struct vigil_disclose *d, const char *path,
                          struct vigil_disclose_result **out,
                          struct vigil_err *err)
{
    struct stat st;
    void *map = NULL;
    enum vigil_rc rc;
    int fd;

    *out = NULL;
    /* Not blocking: a FIFO is refused below instead of waited on. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return vigil_err_set(err, errno == ENOENT ? VIGIL_ENOTFOUND : VIGIL_EIO,
                             "%s: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return vigil_err_set(err, VIGIL_EIO, "%s: not a regular file", path);
    }
    if ((uint64_t)st.st_size > d->policy.max_input_bytes) {
        close(fd);
        /* Reported as a finding on an empty view of the file. */
        return check(d, path, "", 0, NULL, out, err) == VIGIL_OK
                   ? (disclose_oversize(*out, (size_t)st.st_size,
                                        d->policy.max_input_bytes),
                      VIGIL_OK)
                   : err->rc;
    }
    /* Mapped, not read: a zip is then read through the file so memory
     * does not grow with the size of the document. */
    if (st.st_size > 0) {
        map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            close(fd);
            return vigil_err_set(err, VIGIL_EIO, "%s: %s", path,
                                 strerror(errno));
        }
    }
    close(fd);
    rc = check(d, path, map ? map : "", (size_t)st.st_size, path, out, err);
    if (map)
        munmap(map, (size_t)st.st_size);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Names                                                                */
/* ------------------------------------------------------------------ */

const char *
vigil_disclose_verdict_name(enum vigil_disclose_verdict v)
{
    switch (v) {
    case VIGIL_DISCLOSE_PASS:
        return "PASS";
    case VIGIL_DISCLOSE_REVIEW:
        return "REVIEW";
    case VIGIL_DISCLOSE_BLOCK:
        return "BLOCK";
    }
    return "?";
}

const char *
vigil_disclose_kind_name(enum vigil_disclose_kind k)
{
    static const char *const names[VIGIL_DK_COUNT] = {
        [VIGIL_DK_HIDDEN_SHEET] = "hidden_sheet",
        [VIGIL_DK_VERY_HIDDEN_SHEET] = "very_hidden_sheet",
        [VIGIL_DK_HIDDEN_ROWS] = "hidden_rows",
        [VIGIL_DK_HIDDEN_COLUMNS] = "hidden_columns",
        [VIGIL_DK_PIVOT_CACHE] = "pivot_cache",
        [VIGIL_DK_EXTERNAL_LINK] = "external_link",
        [VIGIL_DK_DATA_CONNECTION] = "data_connection",
        [VIGIL_DK_HIDDEN_NAME] = "hidden_name",
        [VIGIL_DK_COMMENTS] = "comments",
        [VIGIL_DK_TRACKED_CHANGES] = "tracked_changes",
        [VIGIL_DK_HIDDEN_TEXT] = "hidden_text",
        [VIGIL_DK_WHITE_TEXT] = "white_text",
        [VIGIL_DK_TINY_TEXT] = "tiny_text",
        [VIGIL_DK_METADATA] = "metadata",
        [VIGIL_DK_CUSTOM_PROPERTIES] = "custom_properties",
        [VIGIL_DK_EMBEDDED_OBJECT] = "embedded_object",
        [VIGIL_DK_ATTACHMENT] = "attachment",
        [VIGIL_DK_GPS_LOCATION] = "gps_location",
        [VIGIL_DK_SPEAKER_NOTES] = "speaker_notes",
        [VIGIL_DK_PERSONAL_DATA] = "personal_data",
        [VIGIL_DK_PEOPLE_RECORDS] = "people_records",
        [VIGIL_DK_SCRIPT] = "script",
        [VIGIL_DK_ENCRYPTED] = "encrypted",
        [VIGIL_DK_HOSTILE] = "hostile",
        [VIGIL_DK_DAMAGED] = "damaged",
        [VIGIL_DK_UNSUPPORTED] = "unsupported",
        [VIGIL_DK_AMBIGUOUS] = "ambiguous_package",
        [VIGIL_DK_UNEXPLAINED_PART] = "unexplained_part",
    };
    if ((int)k <= 0 || k >= VIGIL_DK_COUNT)
        return "unknown";
    return names[k];
}

const char *
vigil_disclose_pii_name(size_t i)
{
    if (i == 0 || i >= PII_KIND_COUNT || i >= VIGIL_DISCLOSE_PII_SLOTS)
        return NULL;
    return disclose_pii_kind_name((enum pii_kind)i);
}
