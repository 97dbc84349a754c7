/* disclose_csv.c -- delimited text (CSV, TSV, semicolon and pipe
 * separated) and plain text, as spreadsheet programs write it around the
 * world: UTF-8 with or without a byte-order mark, UTF-16 with one (Excel's
 * "Unicode text"), and Windows-1252 or Latin-1 (Excel's "CSV" in French,
 * Welsh and other Western locales). Text is brought to UTF-8 first, so
 * the recognisers and header words see one encoding. The delimiter is
 * sniffed from the first lines; the header row names the columns of
 * people's data; every cell goes through the personal-data recognisers. */
#include <stdio.h>
#include <string.h>

#include "disclose/disclose_int.h"

/* ------------------------------------------------------------------ */
/* Encodings                                                            */
/* ------------------------------------------------------------------ */

/* Is d valid UTF-8 (shortest forms, no surrogates, at most U+10FFFF)? */
static int
utf8_valid(const unsigned char *d, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = d[i];
        size_t k, need;
        unsigned cp;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (i + need >= n)
            return 0;
        for (k = 1; k <= need; k++) {
            if ((d[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (d[i + k] & 0x3F);
        }
        if ((need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
        i += need + 1;
    }
    return 1;
}

static enum vigil_rc
put_utf8(struct vigil_buf *b, unsigned cp)
{
    char o[4];
    size_t n;

    if (cp < 0x80) {
        o[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        o[0] = (char)(0xF0 | (cp >> 18));
        o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return vigil_buf_append(b, o, n);
}

/* Windows-1252 0x80..0x9F; the five bytes it leaves undefined keep
 * their Latin-1 (C1 control) meaning, so Latin-1 files decode too. */
static const unsigned short cp1252_hi[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

static enum vigil_rc
from_cp1252(const unsigned char *d, size_t n, struct vigil_buf *out)
{
    enum vigil_rc rc = VIGIL_OK;
    size_t i, s = 0;

    for (i = 0; i < n && rc == VIGIL_OK; i++) {
        if (d[i] < 0x80)
            continue;
        if (i > s)
            rc = vigil_buf_append(out, d + s, i - s);
        if (rc == VIGIL_OK)
            rc = put_utf8(out, d[i] < 0xA0 ? cp1252_hi[d[i] - 0x80] : d[i]);
        s = i + 1;
    }
    if (rc == VIGIL_OK && n > s)
        rc = vigil_buf_append(out, d + s, n - s);
    return rc;
}

/* UTF-16 after its byte-order mark (be: big-endian). An unpaired
 * surrogate becomes U+FFFD. */
static enum vigil_rc
from_utf16(const unsigned char *d, size_t n, int be, struct vigil_buf *out)
{
    enum vigil_rc rc = VIGIL_OK;
    size_t i;

    for (i = 2; i + 1 < n && rc == VIGIL_OK; i += 2) {
        unsigned cp = be ? (unsigned)(d[i] << 8 | d[i + 1])
                         : (unsigned)(d[i + 1] << 8 | d[i]);
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 3 < n) {
            unsigned lo = be ? (unsigned)(d[i + 2] << 8 | d[i + 3])
                             : (unsigned)(d[i + 3] << 8 | d[i + 2]);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 2;
            } else {
                cp = 0xFFFD;
            }
        } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            cp = 0xFFFD;
        }
        rc = put_utf8(out, cp);
    }
    return rc;
}

int
disclose_is_utf16(const unsigned char *d, size_t len)
{
    return len >= 2 &&
           ((d[0] == 0xFF && d[1] == 0xFE) || (d[0] == 0xFE && d[1] == 0xFF));
}

const char *
disclose_as_utf8(const unsigned char *d, size_t *len, struct vigil_buf *conv)
{
    enum vigil_rc rc;

    if (disclose_is_utf16(d, *len))
        rc = from_utf16(d, *len, d[0] == 0xFE, conv);
    else if (!utf8_valid(d, *len))
        rc = from_cp1252(d, *len, conv);
    else
        return (const char *)d;
    if (rc != VIGIL_OK)
        return NULL;
    *len = conv->len;
    return conv->data ? conv->data : "";
}

char
disclose_csv_sniff(const char *data, size_t len)
{
    static const char cand[] = {',', '\t', ';', '|'};
    size_t n = len < 65536 ? len : 65536;
    char best = 0;
    unsigned best_score = 0;

    for (size_t k = 0; k < sizeof(cand); k++) {
        unsigned counts[8] = {0};
        unsigned lines = 0;
        int inq = 0;

        for (size_t i = 0; i < n && lines < 8; i++) {
            char ch = data[i];
            if (ch == '"')
                inq = !inq;
            else if (!inq && ch == cand[k])
                counts[lines]++;
            else if (!inq &&
                     (ch == '\n' ||
                      /* a lone CR ends a line: Mac Excel's
                       * "CSV (Macintosh)" writes no LF */
                      (ch == '\r' && (i + 1 >= len || data[i + 1] != '\n'))))
                lines++;
        }
        /* A single line without newline, or a first line longer than
         * the window (a header of thousands of columns): what was seen
         * of it is the line. */
        if (lines == 0)
            lines = 1;
        if (lines == 0)
            continue;
        /* The same count on each complete line, except that up to three
         * lines at the top may differ: a title row ("Liste du personnel
         * 2024") or a blank line above the header, as people type them
         * into a spreadsheet before saving it as CSV. Those lines are
         * still parsed as rows; the header is found below them. */
        {
            unsigned used = lines;
            unsigned s = used - 1;
            unsigned run;

            while (s > 0 && counts[s - 1] == counts[used - 1])
                s--;
            run = used - s;
            if (counts[used - 1] == 0 || s > 3 ||
                (s > 0 && (run < 2 || run + 3 < used)))
                continue;
            if (counts[s] * run > best_score) {
                best_score = counts[s] * run;
                best = cand[k];
            }
        }
    }
    return best;
}

void
disclose_csv_parse(const char *data, size_t len, char delim,
                   void (*cell)(void *arg, uint32_t row, unsigned col,
                                const char *s, size_t n),
                   void (*row_end)(void *arg, uint32_t row), void *arg,
                   struct vigil_buf *scratch)
{
    uint32_t row = 1;
    unsigned col = 0;
    size_t i = 0;

    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len) {
        vigil_buf_reset(scratch);
        if (data[i] == '"') {
            i++;
            while (i < len) {
                if (data[i] == '"') {
                    if (i + 1 < len && data[i + 1] == '"') {
                        vigil_buf_putc(scratch, '"');
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                vigil_buf_putc(scratch, data[i]);
                i++;
            }
            /* anything after the closing quote up to the delimiter */
            while (i < len && data[i] != delim && data[i] != '\n' &&
                   data[i] != '\r')
                i++;
            cell(arg, row, col, scratch->data ? scratch->data : "",
                 scratch->len);
        } else {
            size_t s = i;
            while (i < len && data[i] != delim && data[i] != '\n' &&
                   data[i] != '\r')
                i++;
            cell(arg, row, col, data + s, i - s);
        }
        if (i < len && data[i] == delim) {
            i++;
            col++;
            if (i == len) {
                row_end(arg, row);
                return;
            }
            continue;
        }
        if (i < len && data[i] == '\r')
            i++;
        if (i < len && data[i] == '\n')
            i++;
        row_end(arg, row);
        row++;
        col = 0;
    }
}

struct csv_arg {
    struct disclose_ctx *c;
    struct disclose_table t;
    struct disclose_acc acc;
    uint32_t rows;
};

static void
csv_cell(void *arg, uint32_t row, unsigned col, const char *s, size_t n)
{
    struct csv_arg *a = arg;

    if (col == 0)
        disclose_table_row(&a->t, row, 0);
    disclose_table_scan(&a->t, col, s, n, &a->acc);
    disclose_table_cell(&a->t, col, s, n, 0, &a->acc);
}

static void
csv_row_end(void *arg, uint32_t row)
{
    struct csv_arg *a = arg;

    a->rows = row;
    disclose_table_row_end(&a->t);
}

void
disclose_csv(struct disclose_ctx *c, const char *data, size_t len)
{
    struct csv_arg a;
    struct vigil_buf scratch;
    char delim = disclose_csv_sniff(data, len);
    struct vigil_disclose_finding *f;
    char pii[300], cols[200];

    memset(&a, 0, sizeof(a));
    a.c = c;
    disclose_table_init(&a.t, c);
    vigil_buf_init(&scratch, len + 1);
    disclose_csv_parse(data, len, delim ? delim : ',', csv_cell, csv_row_end,
                       &a, &scratch);
    vigil_buf_fini(&scratch);
    c->res->people_records += a.t.records;
    if (a.t.records) {
        disclose_table_columns(&a.t, cols, sizeof(cols));
        f = disclose_add(c, VIGIL_DK_PEOPLE_RECORDS,
                         a.t.records > c->d->policy.max_records
                             ? VIGIL_DISCLOSE_BLOCK
                             : VIGIL_DISCLOSE_REVIEW,
                         NULL, NULL, NULL,
                         "Publish counts instead of people's records, or "
                         "remove the personal columns.",
                         "the file lists %zu people's records (columns: %s)",
                         a.t.records, cols);
        if (f) {
            char range[64];
            snprintf(range, sizeof(range), "rows %u-%u", a.t.header_row + 1,
                     a.rows);
            f->range = disclose_strdup(c, range, strlen(range));
            f->count = a.t.records;
        }
    }
    if (a.acc.total) {
        disclose_acc_describe(&a.acc, pii, sizeof(pii));
        f = disclose_add(c, VIGIL_DK_PERSONAL_DATA, VIGIL_DISCLOSE_REVIEW, NULL,
                         NULL, NULL,
                         "Check that every item of personal data may lawfully "
                         "be released; redact what may not.",
                         "cells hold personal data: %s", pii);
        if (f) {
            f->count = a.acc.total;
            disclose_finding_pii(f, &a.acc);
        }
    }
}

void
disclose_text(struct disclose_ctx *c, const char *data, size_t len)
{
    struct disclose_acc acc;
    char pii[300];

    memset(&acc, 0, sizeof(acc));
    disclose_scan(c, data, len, &acc);
    if (acc.total) {
        struct vigil_disclose_finding *f;
        disclose_acc_describe(&acc, pii, sizeof(pii));
        f = disclose_add(c, VIGIL_DK_PERSONAL_DATA, VIGIL_DISCLOSE_REVIEW, NULL,
                         NULL, NULL,
                         "Check that every item of personal data may lawfully "
                         "be released; redact what may not.",
                         "the text holds personal data: %s", pii);
        if (f) {
            f->count = acc.total;
            disclose_finding_pii(f, &acc);
        }
    }
}

void
disclose_delimited(struct disclose_ctx *c, const unsigned char *data,
                   size_t len, int top)
{
    struct vigil_buf conv;
    const char *text;
    size_t n = len;

    /* Grows only by what non-ASCII bytes need: 3 bytes at most for each
     * byte of Windows-1252, and for each two of UTF-16. */
    vigil_buf_init(&conv, len * 3 + 16);
    text = disclose_as_utf8(data, &n, &conv);
    if (text == NULL) {
        c->nomem = 1;
        goto out;
    }
    if (disclose_csv_sniff(text, n)) {
        if (top)
            c->res->format = "csv";
        disclose_csv(c, text, n);
    } else {
        if (top)
            c->res->format = "text";
        disclose_text(c, text, n);
    }
out:
    vigil_buf_fini(&conv);
}
