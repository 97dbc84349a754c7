/* disclose_csv.c -- delimited text (CSV, TSV, semicolon and pipe
 * separated) and plain text. The delimiter is sniffed from the first
 * lines; the header row names the columns of people's data; every cell
 * goes through the personal-data recognisers. */
#include <stdio.h>
#include <string.h>

#include "disclose/disclose_int.h"

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
            else if (!inq && ch == '\n')
                lines++;
        }
        if (lines == 0 && n == len)
            lines = 1; /* a single line without newline */
        if (lines == 0 || counts[0] == 0)
            continue;
        /* Same count on each complete line. */
        {
            unsigned ok = 1;
            unsigned used = lines < 8 ? lines : 8;
            for (unsigned i = 1; i < used; i++)
                if (counts[i] != counts[0])
                    ok = 0;
            if (ok && counts[0] * used > best_score) {
                best_score = counts[0] * used;
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
    disclose_scan(a->c, s, n, &a->acc);
    disclose_table_cell(&a->t, col, s, n, 0);
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
