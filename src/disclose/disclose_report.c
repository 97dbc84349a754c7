/* disclose_report.c -- the disclosure guard's reports: plain text for a
 * terminal, JSON for scripts and a self-contained HTML page a records
 * officer can read (inline CSS, every piece of document text escaped). */
#include <stdio.h>
#include <string.h>

#include "disclose/disclose_int.h"

static void
location(const struct vigil_disclose_finding *f, char *dst, size_t n)
{
    size_t used = 0;
    int w;

#define ADD(...)                                                               \
    do {                                                                       \
        if (used < n) {                                                        \
            w = snprintf(dst + used, n - used, __VA_ARGS__);                   \
            if (w > 0)                                                         \
                used += (size_t)w;                                             \
        }                                                                      \
    } while (0)
    dst[0] = 0;
    if (f->member)
        ADD("%s", f->member);
    if (f->sheet)
        ADD("%s%s '%s'", used ? ", " : "",
            strncmp(f->sheet, "slide", 5) == 0 ||
                    strncmp(f->sheet, "notes", 5) == 0
                ? "in"
                : "sheet",
            f->sheet);
    if (f->range && f->range[0])
        ADD("%s%s%s", used ? ", " : "",
            f->kind == VIGIL_DK_HIDDEN_ROWS      ? "rows "
            : f->kind == VIGIL_DK_HIDDEN_COLUMNS ? "columns "
                                                 : "",
            f->range);
    if (f->page)
        ADD("%spage %d", used ? ", " : "", f->page);
    if (f->part)
        ADD("%s[%s]", used ? " " : "", f->part);
#undef ADD
}

enum vigil_rc
vigil_disclose_report_text(const struct vigil_disclose_result *r,
                           struct vigil_buf *out)
{
    enum vigil_rc rc = VIGIL_OK;
    char loc[1024];

    rc = vigil_buf_printf(out, "%s: %s (%s, %zu bytes)", r->name,
                          vigil_disclose_verdict_name(r->verdict), r->format,
                          r->bytes);
    if (rc == VIGIL_OK && r->verdict == VIGIL_DISCLOSE_BLOCK)
        rc = vigil_buf_printf(out, " -- do not publish");
    if (rc == VIGIL_OK)
        rc = vigil_buf_printf(out, "\n");
    for (size_t i = 0; i < r->nfindings && rc == VIGIL_OK; i++) {
        const struct vigil_disclose_finding *f = &r->findings[i];
        location(f, loc, sizeof(loc));
        rc = vigil_buf_printf(
            out,
            "  %-6s %s: %s\n         where: %s\n"
            "         do:    %s\n",
            vigil_disclose_verdict_name(f->severity),
            vigil_disclose_kind_name(f->kind), f->detail ? f->detail : "",
            loc[0] ? loc : "whole file", f->advice ? f->advice : "");
    }
    if (rc == VIGIL_OK && r->unlisted)
        rc = vigil_buf_printf(out,
                              "  ... and %zu more finding(s) not listed; the "
                              "verdict counts them\n",
                              r->unlisted);
    if (rc == VIGIL_OK && r->nfindings == 0)
        rc = vigil_buf_printf(out, "  nothing hidden found\n");
    return rc;
}

static enum vigil_rc
json_kv(struct vigil_buf *o, const char *k, const char *v, int comma)
{
    enum vigil_rc rc = vigil_buf_printf(o, "%s\"%s\":", comma ? "," : "", k);
    if (rc != VIGIL_OK)
        return rc;
    if (!v)
        return vigil_buf_append(o, "null", 4);
    return vigil_buf_json_str(o, v, strlen(v));
}

enum vigil_rc
vigil_disclose_report_json(const struct vigil_disclose_result *r,
                           struct vigil_buf *out)
{
    enum vigil_rc rc;

    rc = vigil_buf_putc(out, '{');
    if (rc == VIGIL_OK)
        rc = json_kv(out, "file", r->name, 0);
    if (rc == VIGIL_OK)
        rc = json_kv(out, "format", r->format, 1);
    if (rc == VIGIL_OK)
        rc =
            json_kv(out, "verdict", vigil_disclose_verdict_name(r->verdict), 1);
    if (rc == VIGIL_OK)
        rc = vigil_buf_printf(out,
                              ",\"bytes\":%zu,\"people_records\":%zu,"
                              "\"pii_total\":%zu,\"unlisted\":%zu,"
                              "\"findings\":[",
                              r->bytes, r->people_records, r->pii_total,
                              r->unlisted);
    for (size_t i = 0; i < r->nfindings && rc == VIGIL_OK; i++) {
        const struct vigil_disclose_finding *f = &r->findings[i];
        int first = 1;

        rc = vigil_buf_printf(out, "%s{", i ? "," : "");
        if (rc == VIGIL_OK)
            rc = json_kv(out, "kind", vigil_disclose_kind_name(f->kind), 0);
        if (rc == VIGIL_OK)
            rc = json_kv(out, "severity",
                         vigil_disclose_verdict_name(f->severity), 1);
        if (rc == VIGIL_OK)
            rc = json_kv(out, "member", f->member, 1);
        if (rc == VIGIL_OK)
            rc = json_kv(out, "part", f->part, 1);
        if (rc == VIGIL_OK)
            rc = json_kv(out, "sheet", f->sheet, 1);
        if (rc == VIGIL_OK)
            rc = json_kv(out, "range", f->range, 1);
        if (rc == VIGIL_OK)
            rc = vigil_buf_printf(out, ",\"page\":%d,\"count\":%zu", f->page,
                                  f->count);
        if (rc == VIGIL_OK)
            rc = json_kv(out, "detail", f->detail, 1);
        if (rc == VIGIL_OK)
            rc = json_kv(out, "advice", f->advice, 1);
        if (rc == VIGIL_OK)
            rc = vigil_buf_printf(out, ",\"pii\":{");
        for (size_t k = 0; k < VIGIL_DISCLOSE_PII_SLOTS && rc == VIGIL_OK;
             k++) {
            const char *nm = vigil_disclose_pii_name(k);
            if (!f->pii[k] || !nm)
                continue;
            rc = vigil_buf_printf(out, "%s\"%s\":%zu", first ? "" : ",", nm,
                                  f->pii[k]);
            first = 0;
        }
        if (rc == VIGIL_OK)
            rc = vigil_buf_printf(out, "}}");
    }
    if (rc == VIGIL_OK)
        rc = vigil_buf_printf(out, "]}");
    return rc;
}

static enum vigil_rc
html_esc(struct vigil_buf *o, const char *s)
{
    enum vigil_rc rc = VIGIL_OK;

    for (; s && *s && rc == VIGIL_OK; s++) {
        switch (*s) {
        case '<':
            rc = vigil_buf_append(o, "&lt;", 4);
            break;
        case '>':
            rc = vigil_buf_append(o, "&gt;", 4);
            break;
        case '&':
            rc = vigil_buf_append(o, "&amp;", 5);
            break;
        case '"':
            rc = vigil_buf_append(o, "&quot;", 6);
            break;
        case '\'':
            rc = vigil_buf_append(o, "&#39;", 5);
            break;
        default:
            rc = vigil_buf_putc(o, *s);
        }
    }
    return rc;
}

enum vigil_rc
vigil_disclose_report_html(const struct vigil_disclose_result *const *r,
                           size_t n, struct vigil_buf *out)
{
    enum vigil_rc rc;
    size_t counts[3] = {0, 0, 0};
    char loc[1024];

    for (size_t i = 0; i < n; i++)
        counts[r[i]->verdict]++;
    rc = vigil_buf_printf(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
        "'none'; style-src 'unsafe-inline'\">"
        "<title>vigil check-release report</title><style>"
        "body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;"
        "color:#222}h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;"
        "word-break:break-all}.v{display:inline-block;padding:.15em .6em;"
        "border-radius:.3em;font-weight:bold;color:#fff}"
        ".PASS{background:#2e7d32}.REVIEW{background:#b26a00}"
        ".BLOCK{background:#c62828}table{border-collapse:collapse;"
        "width:100%%}td,th{border:1px solid #ccc;padding:.4em;"
        "vertical-align:top;text-align:left}th{background:#f3f3f3}"
        ".adv{color:#1a4d8f}.sum{margin:1em 0}</style></head><body>\n"
        "<h1>Disclosure check before publication</h1>\n"
        "<p class=\"sum\">%zu file(s): %zu BLOCK (do not publish), %zu REVIEW "
        "(check before publishing), %zu PASS.</p>\n",
        n, counts[2], counts[1], counts[0]);
    for (size_t i = 0; i < n && rc == VIGIL_OK; i++) {
        const struct vigil_disclose_result *x = r[i];
        rc = vigil_buf_printf(out, "<h2><span class=\"v %s\">%s</span> ",
                              vigil_disclose_verdict_name(x->verdict),
                              vigil_disclose_verdict_name(x->verdict));
        if (rc == VIGIL_OK)
            rc = html_esc(out, x->name);
        if (rc == VIGIL_OK)
            rc = vigil_buf_printf(out,
                                  "</h2>\n<p>Format %s, %zu bytes, %zu "
                                  "people's records, %zu items of personal "
                                  "data.</p>\n",
                                  x->format, x->bytes, x->people_records,
                                  x->pii_total);
        if (rc == VIGIL_OK && x->nfindings == 0)
            rc = vigil_buf_printf(out, "<p>Nothing hidden was found.</p>\n");
        if (rc == VIGIL_OK && x->nfindings)
            rc = vigil_buf_printf(out,
                                  "<table><tr><th>Severity</th><th>What</th>"
                                  "<th>Where</th><th>What to do</th></tr>\n");
        for (size_t k = 0; k < x->nfindings && rc == VIGIL_OK; k++) {
            const struct vigil_disclose_finding *f = &x->findings[k];
            location(f, loc, sizeof(loc));
            rc = vigil_buf_printf(out,
                                  "<tr><td><span class=\"v %s\">%s</span></td>"
                                  "<td><b>%s</b>: ",
                                  vigil_disclose_verdict_name(f->severity),
                                  vigil_disclose_verdict_name(f->severity),
                                  vigil_disclose_kind_name(f->kind));
            if (rc == VIGIL_OK)
                rc = html_esc(out, f->detail);
            if (rc == VIGIL_OK)
                rc = vigil_buf_printf(out, "</td><td>");
            if (rc == VIGIL_OK)
                rc = html_esc(out, loc[0] ? loc : "whole file");
            if (rc == VIGIL_OK)
                rc = vigil_buf_printf(out, "</td><td class=\"adv\">");
            if (rc == VIGIL_OK)
                rc = html_esc(out, f->advice);
            if (rc == VIGIL_OK)
                rc = vigil_buf_printf(out, "</td></tr>\n");
        }
        if (rc == VIGIL_OK && x->nfindings)
            rc = vigil_buf_printf(out, "</table>\n");
        if (rc == VIGIL_OK && x->unlisted)
            rc = vigil_buf_printf(out,
                                  "<p>%zu more finding(s) not listed; the "
                                  "verdict counts them.</p>\n",
                                  x->unlisted);
    }
    if (rc == VIGIL_OK)
        rc = vigil_buf_printf(out, "<p>Made by vigil %s.</p></body></html>\n",
                              VIGIL_VERSION);
    return rc;
}
