/* Tests for PDF inspection: the mat2 corpus's dirty.pdf, and PDFs that
 * tests/fixtures/make_pdf_fixtures.py writes at test time (attachment,
 * annotation, JavaScript, hidden layer, hidden text, ToUnicode text,
 * incremental update, encryption, a LibreOffice export). */
#include "vigil_test.h"

#include <sys/wait.h>
#include <unistd.h>

#include "disclose/pdf/disclose_pdf_int.h"
#include "disclose/pdf/pdf.h"
#include "disclose/pii/pii.h"

static char fixdir[256];
static int have_fixtures, have_office;

struct col {
    struct vigil_buf findings; /* "KIND|location|detail\n" */
    struct vigil_buf visible;  /* page text */
    struct vigil_buf hidden;   /* everything with hidden != 0 */
    struct vigil_buf attach;   /* "name:bytes" */
    int counts[16];
};

static const char *const kind_names[] = {
    "",           "METADATA",     "ATTACHMENT",  "ANNOTATION",
    "JAVASCRIPT", "HIDDEN_LAYER", "INCREMENTAL", "HIDDEN_TEXT",
    "ENCRYPTED",  "DAMAGED"};

static void
on_finding(void *arg, enum pdf_finding_kind kind, const char *loc,
           const char *detail)
{
    struct col *c = arg;

    c->counts[kind]++;
    assert_int_equal(vigil_buf_printf(&c->findings, "%s|%s|%s\n",
                                      kind_names[kind], loc, detail),
                     VIGIL_OK);
}

static void
on_text(void *arg, const char *loc, const char *text, size_t len, int hidden)
{
    struct col *c = arg;

    (void)loc;
    assert_int_equal(
        vigil_buf_append(hidden ? &c->hidden : &c->visible, text, len),
        VIGIL_OK);
    assert_int_equal(vigil_buf_putc(hidden ? &c->hidden : &c->visible, '\n'),
                     VIGIL_OK);
}

static void
on_attach(void *arg, const char *name, const void *data, size_t len)
{
    struct col *c = arg;

    assert_int_equal(vigil_buf_printf(&c->attach, "%s:%.*s", name, (int)len,
                                      (const char *)data),
                     VIGIL_OK);
}

static void
col_init(struct col *c)
{
    memset(c, 0, sizeof(*c));
    vigil_buf_init(&c->findings, 1 << 20);
    vigil_buf_init(&c->visible, 1 << 22);
    vigil_buf_init(&c->hidden, 1 << 20);
    vigil_buf_init(&c->attach, 1 << 20);
    /* Empty buffers have no data; keep strstr usable. */
    vigil_buf_putc(&c->findings, '\n');
    vigil_buf_putc(&c->visible, '\n');
    vigil_buf_putc(&c->hidden, '\n');
    vigil_buf_putc(&c->attach, '\n');
}

static void
col_fini(struct col *c)
{
    vigil_buf_fini(&c->findings);
    vigil_buf_fini(&c->visible);
    vigil_buf_fini(&c->hidden);
    vigil_buf_fini(&c->attach);
}

static enum vigil_rc
inspect_file(const char *path, const struct pdf_limits *lim, struct col *c)
{
    struct pdf_callbacks cb = {on_finding, on_text, on_attach, c};
    struct vigil_err err = {0};
    char *data = NULL;
    size_t len = 0;
    enum vigil_rc rc;

    assert_int_equal(vigil_read_file(path, 1 << 26, &data, &len, &err),
                     VIGIL_OK);
    rc = disclose_pdf_inspect(data, len, lim, &cb, &err);
    free(data);
    return rc;
}

static void
fixture(char *dst, size_t n, const char *name)
{
    snprintf(dst, n, "%s/%s", fixdir, name);
}

#define NEED_FIXTURES()                                                        \
    do {                                                                       \
        if (!have_fixtures) {                                                  \
            printf("SKIP: PDF fixtures could not be made (python3, qpdf)\n");  \
            skip();                                                            \
        }                                                                      \
    } while (0)

#define HAS(buf, s)                                                            \
    do {                                                                       \
        if (strstr((buf).data, (s)) == NULL)                                   \
            fail_msg("missing \"%s\" in:\n%s", (s), (buf).data);               \
    } while (0)

static char pii_buf[1024];
static const char *pii_text;

static int
on_pii(const struct pii_match *m, void *arg)
{
    size_t n = strlen(pii_buf);

    (void)arg;
    snprintf(pii_buf + n, sizeof(pii_buf) - n, "%s%s=%.*s", n ? "|" : "",
             disclose_pii_kind_name(m->kind), (int)m->len, pii_text + m->start);
    return 0;
}

/* The personal data found in text, "kind=match|..." (static). */
static const char *
pii_of(const char *text)
{
    struct disclose_pii *p = NULL;
    struct vigil_err err = {0};

    pii_buf[0] = '\0';
    pii_text = text;
    assert_int_equal(disclose_pii_new(&p, NULL, &err), VIGIL_OK);
    disclose_pii_scan(p, text, strlen(text), on_pii, NULL);
    disclose_pii_free(p);
    return pii_buf;
}

static void
test_dirty_pdf(void **state)
{
    char path[512];
    struct col c;

    (void)state;
    VIGIL_NEED_CORPUS(path, "mat2/tests/data/dirty.pdf");
    col_init(&c);
    assert_int_equal(inspect_file(path, NULL, &c), VIGIL_OK);
    /* Values checked with qpdf --show-object=379 and the XMP stream 381. */
    HAS(c.findings, "\nMETADATA|Info|Producer: pdfTeX-1.40.14\n");
    HAS(c.findings, "\nMETADATA|Info|Creator: 'Certified by IEEE PDFeXpress at "
                    "03/19/2016 2:56:07 AM'\n");
    HAS(c.findings, "\nMETADATA|Info|CreationDate: D:20160319025121-07'00'\n");
    HAS(c.findings, "\nMETADATA|Info|PTEX.Fullbanner: This is pdfTeX, "
                    "Version 3.1415926-2.5-1.40.14 (TeX Live 2013/Debian) "
                    "kpathsea version 6.1.1\n");
    HAS(c.findings, "\nMETADATA|XMP|pdf:Producer: pdfTeX-1.40.14\n");
    HAS(c.findings,
        "\nMETADATA|XMP|xmp:CreateDate: 2016-03-19T02:51:21-07:00\n");
    HAS(c.findings, "\nMETADATA|XMP|xmpMM:DocumentID: "
                    "uuid:4a1a79c8-404e-4d38-9580-5bc081036e61\n");
    /* 6 string entries in Info (Trapped is a name), 9 XMP values. */
    assert_int_equal(c.counts[PDF_F_METADATA], 15);
    /* PDFeXpress appended a revision: two xref sections, /Prev. */
    HAS(c.findings, "\nINCREMENTAL|document|2 revisions:");
    assert_int_equal(c.counts[PDF_F_INCREMENTAL], 1);
    assert_int_equal(c.counts[PDF_F_DAMAGED], 0);
    assert_int_equal(c.counts[PDF_F_HIDDEN_TEXT], 0);
    assert_int_equal(c.counts[PDF_F_ATTACHMENT] + c.counts[PDF_F_JAVASCRIPT] +
                         c.counts[PDF_F_ANNOTATION] + c.counts[PDF_F_ENCRYPTED],
                     0);
    /* Page text through the Type1 fonts' /Differences encodings. */
    HAS(c.visible, "\nA Tough call : Mitigating Advanced Code-Reuse "
                   "Attacks At The Binary Level\nVictor van der Veen\n");
    HAS(c.visible, "Vrije Universiteit Amsterdam, The Netherlands");
    col_fini(&c);
}

static void
test_dirty_limits(void **state)
{
    char path[512];
    struct col c;
    struct pdf_limits lim = {100, 0, 0};
    struct pdf_limits lim2 = {0, 0, 1000};

    (void)state;
    VIGIL_NEED_CORPUS(path, "mat2/tests/data/dirty.pdf");
    col_init(&c);
    assert_int_equal(inspect_file(path, &lim, &c), VIGIL_OK);
    HAS(c.findings, "\nDAMAGED|document|declares 384 objects, over the limit "
                    "of 100; not inspected\n");
    col_fini(&c);
    col_init(&c);
    assert_int_equal(inspect_file(path, &lim2, &c), VIGIL_OK);
    HAS(c.findings, "text limit of 1000 bytes reached");
    assert_true(c.visible.len + c.hidden.len <= 1000 + 64);
    col_fini(&c);
}

static void
test_attachment(void **state)
{
    char path[512];
    struct col c;

    (void)state;
    NEED_FIXTURES();
    fixture(path, sizeof(path), "attach.pdf");
    col_init(&c);
    assert_int_equal(inspect_file(path, NULL, &c), VIGIL_OK);
    assert_string_equal(c.findings.data,
                        "\nATTACHMENT|attachment staff.csv|embedded file "
                        "\"staff.csv\" (34 bytes)\n");
    assert_string_equal(c.attach.data,
                        "\nstaff.csv:Name,NI number\nJane Doe,AB123456C\n");
    assert_string_equal(pii_of(c.attach.data), "uk_nino=AB123456C");
    col_fini(&c);
}

static void
test_annotation(void **state)
{
    char path[512];
    struct col c;

    (void)state;
    NEED_FIXTURES();
    fixture(path, sizeof(path), "annot.pdf");
    col_init(&c);
    assert_int_equal(inspect_file(path, NULL, &c), VIGIL_OK);
    assert_string_equal(c.findings.data,
                        "\nANNOTATION|page 1|Text annotation by \"J. Bloggs\" "
                        "with 25 bytes of text\n"
                        "ANNOTATION|page 1|redaction marked but not applied: "
                        "the text underneath is still in the file\n");
    assert_string_equal(pii_of(c.hidden.data), "uk_phone=07700 900123");
    col_fini(&c);
}

static void
test_javascript(void **state)
{
    char path[512];
    struct col c;

    (void)state;
    NEED_FIXTURES();
    fixture(path, sizeof(path), "js.pdf");
    col_init(&c);
    assert_int_equal(inspect_file(path, NULL, &c), VIGIL_OK);
    assert_string_equal(c.findings.data,
                        "\nJAVASCRIPT|document|document script \"init\" runs "
                        "JavaScript (19 bytes)\n"
                        "JAVASCRIPT|document|opening the document runs "
                        "JavaScript (24 bytes)\n");
    HAS(c.hidden, "\nthis.print({bUI:false});\n");
    col_fini(&c);
}

static void
test_hidden_layer(void **state)
{
    char path[512];
    struct col c;

    (void)state;
    NEED_FIXTURES();
    fixture(path, sizeof(path), "layer.pdf");
    col_init(&c);
    assert_int_equal(inspect_file(path, NULL, &c), VIGIL_OK);
    assert_string_equal(c.findings.data,
                        "\nHIDDEN_LAYER|layer Reviewer notes|layer \"Reviewer "
                        "notes\" is switched off: its content is in the file "
                        "but not shown\n"
                        "HIDDEN_TEXT|page 1|32 bytes of text a reader does "
                        "not see (inside a hidden layer)\n");
    assert_string_equal(c.visible.data, "\nQuarterly report\n\n");
    assert_string_equal(pii_of(c.hidden.data), "email=sam.jones@example.org");
    col_fini(&c);
}

static void
test_hidden_text(void **state)
{
    char path[512];
    struct col c;

    (void)state;
    NEED_FIXTURES();
    fixture(path, sizeof(path), "hidden.pdf");
    col_init(&c);
    assert_int_equal(inspect_file(path, NULL, &c), VIGIL_OK);
    assert_string_equal(c.findings.data,
                        "\nHIDDEN_TEXT|page 1|52 bytes of text a reader does "
                        "not see (invisible render mode, white text, font "
                        "size under 1pt)\n");
    /* 1pt font scaled 12x by the text matrix is visible. */
    assert_string_equal(c.visible.data,
                        "\nQuarterly report\nLarge via matrix\n\n");
    assert_string_equal(pii_of(c.hidden.data),
                        "uk_nino=AB 12 34 56 C|email=jane.doe@example.org|"
                        "nhs_number=943 476 5919");
    col_fini(&c);
}

static void
test_tounicode(void **state)
{
    char path[512];
    struct col c;

    (void)state;
    NEED_FIXTURES();
    fixture(path, sizeof(path), "tounicode.pdf");
    col_init(&c);
    assert_int_equal(inspect_file(path, NULL, &c), VIGIL_OK);
    assert_string_equal(c.findings.data, "\n");
    /* Codes are character + 0x100: only the CMap gives this text. */
    assert_string_equal(c.visible.data,
                        "\nNI AB123456C mail jo@example.org AB\n\n");
    assert_string_equal(pii_of(c.visible.data),
                        "uk_nino=AB123456C|email=jo@example.org");
    col_fini(&c);
}

static void
test_xmp(void **state)
{
    char path[512];
    struct col c;

    (void)state;
    NEED_FIXTURES();
    fixture(path, sizeof(path), "xmp.pdf");
    col_init(&c);
    assert_int_equal(inspect_file(path, NULL, &c), VIGIL_OK);
    /* rdf:li values are named after their property; dc:format is left
     * out as it says nothing about anyone. */
    assert_string_equal(c.findings.data,
                        "\nMETADATA|XMP|pdf:Producer: Acme PDF & Co\n"
                        "METADATA|XMP|dc:creator: Jane Doe\n"
                        "METADATA|XMP|dc:creator: John Roe\n"
                        "METADATA|XMP|dc:title: Staff list\n");
    col_fini(&c);
}

static void
test_form_xobject(void **state)
{
    char path[512];
    struct col c;

    (void)state;
    NEED_FIXTURES();
    fixture(path, sizeof(path), "form.pdf");
    col_init(&c);
    assert_int_equal(inspect_file(path, NULL, &c), VIGIL_OK);
    assert_string_equal(c.findings.data, "\n");
    assert_string_equal(c.visible.data, "\nForm text 07700 900123\n\n");
    assert_string_equal(pii_of(c.visible.data), "uk_phone=07700 900123");
    col_fini(&c);
}

static void
test_form_field(void **state)
{
    char path[512];
    struct col c;

    (void)state;
    NEED_FIXTURES();
    fixture(path, sizeof(path), "formfield.pdf");
    col_init(&c);
    assert_int_equal(inspect_file(path, NULL, &c), VIGIL_OK);
    assert_string_equal(c.findings.data, "\n");
    assert_string_equal(pii_of(c.visible.data), "email=pat.lee@example.org");
    col_fini(&c);
}

static void
test_incremental(void **state)
{
    char path[512];
    struct col c;

    (void)state;
    NEED_FIXTURES();
    fixture(path, sizeof(path), "incremental.pdf");
    col_init(&c);
    assert_int_equal(inspect_file(path, NULL, &c), VIGIL_OK);
    assert_string_equal(c.findings.data,
                        "\nINCREMENTAL|document|2 revisions: the file was "
                        "updated incrementally and earlier versions of its "
                        "content may be recoverable\n"
                        "METADATA|Info|Author: Jane Doe\n"
                        "METADATA|Info|Title: Revised\n");
    col_fini(&c);
}

static void
test_encrypted(void **state)
{
    char path[512];
    struct col c;

    (void)state;
    NEED_FIXTURES();
    fixture(path, sizeof(path), "encrypted.pdf");
    col_init(&c);
    assert_int_equal(inspect_file(path, NULL, &c), VIGIL_OK);
    assert_string_equal(c.findings.data,
                        "\nENCRYPTED|document|encrypted with a password: "
                        "cannot inspect\n");
    assert_string_equal(c.visible.data, "\n");
    col_fini(&c);

    fixture(path, sizeof(path), "restricted.pdf");
    col_init(&c);
    assert_int_equal(inspect_file(path, NULL, &c), VIGIL_OK);
    assert_string_equal(c.findings.data,
                        "\nENCRYPTED|document|encrypted, but opens without a "
                        "password; inspected\n"
                        "METADATA|Info|Author: Jane Doe\n");
    assert_string_equal(pii_of(c.visible.data), "uk_nino=AB123456C");
    col_fini(&c);
}

static void
test_office(void **state)
{
    char path[512];
    struct col c;

    (void)state;
    NEED_FIXTURES();
    if (!have_office) {
        printf("SKIP: LibreOffice did not produce office.pdf\n");
        skip();
    }
    fixture(path, sizeof(path), "office.pdf");
    col_init(&c);
    assert_int_equal(inspect_file(path, NULL, &c), VIGIL_OK);
    HAS(c.findings, "\nMETADATA|Info|Author: Jane Doe\n");
    HAS(c.findings, "\nMETADATA|Info|Title: FOI response 2024-117\n");
    HAS(c.findings, "\nMETADATA|Info|Creator: Writer\n");
    HAS(c.findings, "\nMETADATA|Info|Producer: LibreOffice");
    assert_int_equal(c.counts[PDF_F_DAMAGED], 0);
    /* LibreOffice subsets fonts and writes ToUnicode maps. */
    HAS(c.visible, "Officer: Jane Doe, NI number QQ 12 34 56 C is invalid "
                   "but JG103752A is not.");
    assert_string_equal(pii_of(c.visible.data),
                        "uk_nino=JG103752A|email=jane.doe@example.org|"
                        "uk_phone=020 7946 0000");
    col_fini(&c);
}

static void
test_damaged(void **state)
{
    char path[512], *data = NULL, *sx;
    size_t len = 0;
    struct col c;
    struct vigil_err err = {0};
    struct pdf_callbacks cb = {on_finding, on_text, on_attach, NULL};

    (void)state;
    NEED_FIXTURES();
    fixture(path, sizeof(path), "plain.pdf");
    assert_int_equal(vigil_read_file(path, 1 << 20, &data, &len, &err),
                     VIGIL_OK);
    /* Point startxref at nothing: qpdf rebuilds the table and says so. */
    sx = memmem(data, len, "startxref\n", 10);
    assert_non_null(sx);
    memcpy(sx + 10, "999", 3);
    col_init(&c);
    cb.arg = &c;
    assert_int_equal(disclose_pdf_inspect(data, len, NULL, &cb, &err),
                     VIGIL_OK);
    HAS(c.findings, "\nDAMAGED|document|qpdf: document: file is damaged\n");
    HAS(c.findings, "\nDAMAGED|document|qpdf: document: Attempting to "
                    "reconstruct cross-reference table\n");
    HAS(c.findings, "\nMETADATA|Info|Author: Jane Doe\n");
    assert_string_equal(pii_of(c.visible.data), "uk_nino=AB123456C");
    col_fini(&c);
    free(data);
}

static void
test_not_pdf(void **state)
{
    struct pdf_callbacks cb = {on_finding, on_text, on_attach, NULL};
    struct vigil_err err = {0};
    struct col c;
    const char junk[] = "%PDF-1.4\nthis is not really a PDF at all\n";

    (void)state;
    assert_int_equal(disclose_pdf_inspect("hello world", 11, NULL, &cb, &err),
                     VIGIL_EPARSE);
    col_init(&c);
    cb.arg = &c;
    vigil_err_clear(&err);
    assert_int_equal(
        disclose_pdf_inspect(junk, sizeof(junk) - 1, NULL, &cb, &err),
        VIGIL_EPARSE);
    assert_non_null(strstr(err.msg, "pdf: "));
    col_fini(&c);
}

static void
test_cmap_parse(void **state)
{
    const char cm[] = "begincodespacerange <00> <7F> <8000> <FFFF> "
                      "endcodespacerange\n"
                      "2 beginbfchar <41> <0058> <8001> <D83DDE00> endbfchar\n"
                      "1 beginbfrange <8010> <8012> [<0061> <0062> <0063>] "
                      "endbfrange\n";
    struct pdf_font f;
    struct vigil_buf out;
    const uint8_t s[] = {0x41, 0x80, 0x01, 0x80, 0x12, 0x42};

    (void)state;
    memset(&f, 0, sizeof(f));
    vigil_buf_init(&out, 100);
    disclose_pdf_cmap_parse(&f, (const uint8_t *)cm, sizeof(cm) - 1);
    assert_int_equal(f.ncs, 2);
    assert_int_equal(f.nmap, 5);
    /* 0x41 -> X, 0x8001 -> U+1F600 (surrogate pair), 0x8012 -> c, 0x42
     * unmapped in a font without an encoding -> nothing. */
    disclose_pdf_font_decode(&f, s, sizeof(s), &out);
    assert_int_equal(out.len, 6);
    assert_memory_equal(out.data,
                        "X\xf0\x9f\x98\x80"
                        "c",
                        6);
    vigil_buf_fini(&out);
    free(f.map);
}

/* Runs argv and waits; returns its exit status, or -1. */
static int
run(char *const argv[])
{
    pid_t pid = fork();
    int st = 0;

    if (pid < 0)
        return -1;
    if (pid == 0) {
        execvp(argv[0], argv);
        _exit(127);
    }
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

static int
setup(void **state)
{
    const char *src = getenv("VIGIL_SOURCE_DIR");
    char script[512], probe[512];
    struct stat st;

    (void)state;
    snprintf(fixdir, sizeof(fixdir), "/tmp/vigil-pdf-XXXXXX");
    if (mkdtemp(fixdir) == NULL)
        return 0;
    snprintf(script, sizeof(script), "%s/tests/fixtures/make_pdf_fixtures.py",
             src && *src ? src : ".");
    {
        char *argv[] = {"python3", script, fixdir, NULL};
        if (run(argv) != 0) {
            printf("SKIP: %s failed\n", script);
            return 0;
        }
    }
    fixture(probe, sizeof(probe), "encrypted.pdf");
    have_fixtures = stat(probe, &st) == 0;
    fixture(probe, sizeof(probe), "office.pdf");
    have_office = stat(probe, &st) == 0;
    return 0;
}

static int
teardown(void **state)
{
    char *argv[] = {"rm", "-rf", fixdir, NULL};

    (void)state;
    if (fixdir[0] != '\0' && strncmp(fixdir, "/tmp/vigil-pdf-", 15) == 0)
        (void)run(argv);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dirty_pdf),   cmocka_unit_test(test_dirty_limits),
        cmocka_unit_test(test_attachment),  cmocka_unit_test(test_annotation),
        cmocka_unit_test(test_javascript),  cmocka_unit_test(test_hidden_layer),
        cmocka_unit_test(test_hidden_text), cmocka_unit_test(test_tounicode),
        cmocka_unit_test(test_xmp),         cmocka_unit_test(test_form_xobject),
        cmocka_unit_test(test_form_field),  cmocka_unit_test(test_incremental),
        cmocka_unit_test(test_encrypted),   cmocka_unit_test(test_office),
        cmocka_unit_test(test_damaged),     cmocka_unit_test(test_not_pdf),
        cmocka_unit_test(test_cmap_parse),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
