/* disclose_pdfglue.c -- turns what the PDF inspector (pdf/pdf.h) reports
 * into findings and verdicts: its structural findings map one to one,
 * its text goes through the personal-data recognisers (hidden text with
 * personal data blocks), and attached files are checked recursively. */
#include <stdio.h>
#include <string.h>

#include "disclose/disclose_int.h"
#include "disclose/pdf/pdf.h"

struct pdf_arg {
    struct disclose_ctx *c;
    struct disclose_acc vis, hid;
    char hid_where[200];
    size_t hlen;
    size_t hidden_text_finding; /* index + 1 of the HIDDEN_TEXT finding */
    /* metadata entries are gathered into one finding */
    size_t nmeta;
    char meta[900];
    size_t mlen;
    char meta_where[64];
    size_t wlen;
};

static void
pdf_finding(void *arg, enum pdf_finding_kind kind, const char *location,
            const char *detail)
{
    struct pdf_arg *a = arg;
    struct disclose_ctx *c = a->c;
    enum vigil_disclose_kind k = VIGIL_DK_DAMAGED;
    enum vigil_disclose_verdict sev = VIGIL_DISCLOSE_REVIEW;
    const char *advice = "Re-create the PDF from its source with only what "
                         "should be published.";
    int page = 0;

    switch (kind) {
    case PDF_F_METADATA:
        a->nmeta++;
        if (location && !strstr(a->meta_where, location) &&
            a->wlen + strlen(location) + 3 < sizeof(a->meta_where))
            a->wlen += (size_t)snprintf(a->meta_where + a->wlen,
                                        sizeof(a->meta_where) - a->wlen, "%s%s",
                                        a->wlen ? ", " : "", location);
        if (detail && a->mlen + strlen(detail) + 8 < sizeof(a->meta))
            a->mlen +=
                (size_t)snprintf(a->meta + a->mlen, sizeof(a->meta) - a->mlen,
                                 "%s%s", a->mlen ? "; " : "", detail);
        return;
    case PDF_F_ATTACHMENT:
        k = VIGIL_DK_ATTACHMENT;
        advice = "Remove attached files; publish them separately only after "
                 "checking them.";
        break;
    case PDF_F_ANNOTATION:
        k = VIGIL_DK_COMMENTS;
        advice = "Delete comments and markup, or flatten and re-check.";
        break;
    case PDF_F_JAVASCRIPT:
        k = VIGIL_DK_SCRIPT;
        advice = "Re-create the PDF without JavaScript.";
        break;
    case PDF_F_HIDDEN_LAYER:
        k = VIGIL_DK_HIDDEN_TEXT;
        advice = "Delete hidden layers or flatten the PDF before publishing.";
        break;
    case PDF_F_INCREMENTAL:
        k = VIGIL_DK_TRACKED_CHANGES;
        advice = "Save a fresh copy (Save As, not Save) so earlier revisions "
                 "are dropped.";
        break;
    case PDF_F_HIDDEN_TEXT:
        k = VIGIL_DK_HIDDEN_TEXT;
        advice = "Redact properly: hidden or covered text is still in the "
                 "file. Use a redaction tool and re-check.";
        break;
    case PDF_F_ENCRYPTED:
        k = VIGIL_DK_ENCRYPTED;
        sev = VIGIL_DISCLOSE_BLOCK;
        advice = "Cannot inspect: remove the password and check again, or "
                 "do not publish.";
        break;
    case PDF_F_DAMAGED:
        k = VIGIL_DK_DAMAGED;
        sev = VIGIL_DISCLOSE_BLOCK;
        advice = "Cannot inspect fully: re-create the PDF from its source "
                 "and check again.";
        break;
    }
    if (location && strncmp(location, "page ", 5) == 0) {
        int64_t p;
        const char *s = location + 5;
        size_t n = strspn(s, "0123456789");
        if (n && vigil_parse_i64(s, n, &p) && p > 0 && p < 1000000)
            page = (int)p;
    }
    {
        struct vigil_disclose_finding *f =
            disclose_add(c, k, sev, location, NULL, NULL, advice, "%s",
                         detail ? detail : "");
        if (f) {
            f->page = page;
            if (k == VIGIL_DK_HIDDEN_TEXT && !a->hidden_text_finding)
                a->hidden_text_finding = c->res->nfindings;
        }
    }
}

static void
pdf_text(void *arg, const char *location, const char *text, size_t len,
         int hidden)
{
    struct pdf_arg *a = arg;

    if (hidden) {
        if (disclose_scan(a->c, text, len, &a->hid) && location &&
            !strstr(a->hid_where, location) &&
            a->hlen + strlen(location) + 4 < sizeof(a->hid_where))
            a->hlen += (size_t)snprintf(a->hid_where + a->hlen,
                                        sizeof(a->hid_where) - a->hlen, "%s%s",
                                        a->hlen ? ", " : "", location);
    } else {
        disclose_scan(a->c, text, len, &a->vis);
    }
}

static void
pdf_attachment(void *arg, const char *name, const void *data, size_t len)
{
    struct pdf_arg *a = arg;
    struct disclose_ctx *c = a->c;
    char path[1024];
    const char *saved = c->member;

    if (c->depth >= c->d->policy.max_depth)
        return;
    snprintf(path, sizeof(path), "%s%s%s", saved ? saved : "", saved ? "/" : "",
             name ? name : "attachment");
    c->member = disclose_strdup(c, path, strlen(path));
    c->depth++;
    disclose_check_any(c, name, data, len, 0);
    c->depth--;
    c->member = saved;
}

void
disclose_pdf(struct disclose_ctx *c, const unsigned char *data, size_t len)
{
    struct pdf_arg a;
    struct pdf_callbacks cb;
    struct pdf_limits lim;
    struct vigil_err err;
    enum vigil_rc rc;
    char pii[300];

    memset(&a, 0, sizeof(a));
    a.c = c;
    cb.finding = pdf_finding;
    cb.text = pdf_text;
    cb.attachment = pdf_attachment;
    cb.arg = &a;
    lim.max_objects = 1000000;
    lim.max_stream_bytes = (size_t)64 << 20;
    lim.max_text_bytes = (size_t)256 << 20;
    vigil_err_clear(&err);
    rc = disclose_pdf_inspect(data, len, &lim, &cb, &err);
    if (rc == VIGIL_ENOMEM) {
        c->nomem = 1;
        return;
    }
    if (rc != VIGIL_OK) {
        disclose_add(c, VIGIL_DK_DAMAGED, VIGIL_DISCLOSE_BLOCK, NULL, NULL,
                     NULL,
                     "Cannot inspect: re-create the PDF from its source and "
                     "check again.",
                     "the PDF cannot be read: %s", err.msg);
        return;
    }
    if (a.nmeta) {
        struct vigil_disclose_finding *f = disclose_add(
            c, VIGIL_DK_METADATA, VIGIL_DISCLOSE_REVIEW,
            a.meta_where[0] ? a.meta_where : NULL, NULL, NULL,
            "Remove the document information and XMP metadata (sanitise on "
            "export) before publishing.",
            "%zu metadata entries: %s", a.nmeta, a.meta);
        if (f)
            f->count = a.nmeta;
    }
    if (a.hid.total) {
        struct vigil_disclose_finding *f;
        disclose_acc_describe(&a.hid, pii, sizeof(pii));
        f = disclose_add(c, VIGIL_DK_HIDDEN_TEXT, VIGIL_DISCLOSE_BLOCK,
                         a.hid_where[0] ? a.hid_where : NULL, NULL, NULL,
                         "Redact properly with a redaction tool; the hidden "
                         "text can be copied out of the file.",
                         "text that is not visible on the page holds "
                         "personal data: %s",
                         pii);
        if (f) {
            f->count = a.hid.total;
            disclose_finding_pii(f, &a.hid);
        }
    }
    if (a.vis.total) {
        struct vigil_disclose_finding *f;
        disclose_acc_describe(&a.vis, pii, sizeof(pii));
        f = disclose_add(c, VIGIL_DK_PERSONAL_DATA, VIGIL_DISCLOSE_REVIEW, NULL,
                         NULL, NULL,
                         "Check that every item of personal data may lawfully "
                         "be released; redact what may not.",
                         "the text holds personal data: %s", pii);
        if (f) {
            f->count = a.vis.total;
            disclose_finding_pii(f, &a.vis);
        }
    }
}
