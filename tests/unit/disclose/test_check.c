/* Tests for the disclosure guard over real documents (calamine and mat2
 * fixtures in the shared corpus) and over hostile input built here:
 * exact findings, locations and verdicts. */
#include "vigil_test.h"

#include <zip.h>

#include "disclose/disclose.h"
#include "disclose/disclose_int.h"
#include "disclose/pii/pii.h"

static struct vigil_disclose *g_d;

static int
setup(void **state)
{
    struct vigil_err err;

    (void)state;
    vigil_err_clear(&err);
    return vigil_disclose_new(&g_d, NULL, &err) == VIGIL_OK ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    vigil_disclose_free(g_d);
    return 0;
}

/* "kind:SEVERITY:sheet:range:count" per finding, joined by " | ". */
static const char *
summary(const struct vigil_disclose_result *r)
{
    static char buf[8192];
    size_t n = 0;

    buf[0] = 0;
    for (size_t i = 0; i < r->nfindings && n < sizeof(buf); i++) {
        const struct vigil_disclose_finding *f = &r->findings[i];
        int w = snprintf(buf + n, sizeof(buf) - n, "%s%s:%s:%s:%s:%zu",
                         i ? " | " : "", vigil_disclose_kind_name(f->kind),
                         vigil_disclose_verdict_name(f->severity),
                         f->sheet ? f->sheet : "", f->range ? f->range : "",
                         f->count);
        if (w > 0)
            n += (size_t)w;
    }
    return buf;
}

static struct vigil_disclose_result *
check_corpus(const char *rel)
{
    char path[1024];
    struct vigil_disclose_result *r = NULL;
    struct vigil_err err;

    if (!vigil_test_corpus_path(path, sizeof(path), rel))
        return NULL;
    vigil_err_clear(&err);
    assert_int_equal(vigil_disclose_check_file(g_d, path, &r, &err), VIGIL_OK);
    return r;
}

static const struct vigil_disclose_finding *
find(const struct vigil_disclose_result *r, enum vigil_disclose_kind k)
{
    for (size_t i = 0; i < r->nfindings; i++)
        if (r->findings[i].kind == k)
            return &r->findings[i];
    return NULL;
}

#define CORPUS_OR_SKIP(r, rel)                                                 \
    struct vigil_disclose_result *r = check_corpus(rel);                       \
    if (!r) {                                                                  \
        skip();                                                                \
        return;                                                                \
    }

static void
test_any_sheets_xlsx(void **state)
{
    const struct vigil_disclose_finding *f;

    (void)state;
    CORPUS_OR_SKIP(r, "calamine/tests/any_sheets.xlsx");
    assert_string_equal(r->format, "xlsx");
    assert_string_equal(summary(r),
                        "metadata:REVIEW:::2 | metadata:REVIEW:::0 | "
                        "hidden_sheet:REVIEW:Hidden:A1:0 | "
                        "very_hidden_sheet:REVIEW:VeryHidden:A1:0");
    f = find(r, VIGIL_DK_VERY_HIDDEN_SHEET);
    assert_string_equal(f->part, "xl/worksheets/sheet3.xml");
    assert_non_null(strstr(r->findings[0].detail, "author 'Алена'"));
    assert_non_null(strstr(r->findings[1].detail, "C:\\Users\\Алена\\Desktop"));
    assert_int_equal(r->verdict, VIGIL_DISCLOSE_REVIEW);
    vigil_disclose_result_free(r);
}

static void
test_any_sheets_ods(void **state)
{
    (void)state;
    CORPUS_OR_SKIP(r, "calamine/tests/any_sheets.ods");
    assert_string_equal(r->format, "ods");
    assert_string_equal(summary(r), "metadata:REVIEW:::2 | "
                                    "hidden_sheet:REVIEW:Hidden::0 | "
                                    "hidden_sheet:REVIEW:VeryHidden::0");
    vigil_disclose_result_free(r);
}

static void
test_errors_hidden_row(void **state)
{
    const struct vigil_disclose_finding *f;

    (void)state;
    CORPUS_OR_SKIP(r, "calamine/tests/errors.xlsx");
    f = find(r, VIGIL_DK_HIDDEN_ROWS);
    assert_non_null(f);
    assert_string_equal(f->sheet, "Feuil1");
    assert_string_equal(f->range, "20");
    assert_int_equal(f->count, 1);
    /* An empty hidden row is reported but does not raise the verdict. */
    assert_int_equal(f->severity, VIGIL_DISCLOSE_PASS);
    f = find(r, VIGIL_DK_EXTERNAL_LINK);
    assert_non_null(f);
    assert_string_equal(f->part, "xl/externalLinks/externalLink1.xml");
    assert_int_equal(r->verdict, VIGIL_DISCLOSE_REVIEW);
    vigil_disclose_result_free(r);
}

static void
test_issue_530_comments(void **state)
{
    size_t comments = 0, parts = 0;

    (void)state;
    CORPUS_OR_SKIP(r, "calamine/tests/issue_530.xlsx");
    for (size_t i = 0; i < r->nfindings; i++)
        if (r->findings[i].kind == VIGIL_DK_COMMENTS) {
            comments += r->findings[i].count;
            parts++;
            /* backslash zip names come out as forward slashes */
            assert_non_null(strstr(r->findings[i].part, "xl/comments"));
        }
    assert_int_equal(parts, 9);
    assert_int_equal(comments, 11);
    assert_string_equal(find(r, VIGIL_DK_COMMENTS)->range, "Q4");
    assert_non_null(find(r, VIGIL_DK_CUSTOM_PROPERTIES));
    /* White headings on a coloured fill are not hidden text. */
    assert_null(find(r, VIGIL_DK_WHITE_TEXT));
    vigil_disclose_result_free(r);
}

static void
test_header_row_custom(void **state)
{
    const struct vigil_disclose_finding *f;

    (void)state;
    CORPUS_OR_SKIP(r, "calamine/tests/header-row.xlsx");
    f = find(r, VIGIL_DK_CUSTOM_PROPERTIES);
    assert_non_null(f);
    assert_int_equal(f->count, 7);
    assert_string_equal(f->part, "docProps/custom.xml");
    assert_non_null(
        strstr(find(r, VIGIL_DK_METADATA)->detail, "author 'Fox Kiester'"));
    vigil_disclose_result_free(r);
}

static void
test_with_annotation_ods(void **state)
{
    const struct vigil_disclose_finding *f;

    (void)state;
    CORPUS_OR_SKIP(r, "calamine/tests/with-annotation.ods");
    f = find(r, VIGIL_DK_COMMENTS);
    assert_non_null(f);
    assert_int_equal(f->count, 1);
    assert_string_equal(f->range, "table1!A1");
    assert_non_null(strstr(f->detail, "'Marc Schreiber'"));
    vigil_disclose_result_free(r);
}

static void
test_mat2_comment_docx(void **state)
{
    const struct vigil_disclose_finding *f;

    (void)state;
    CORPUS_OR_SKIP(r, "mat2/tests/data/comment.docx");
    /* word/people.xml (reached by its relationship) names the author. */
    assert_string_equal(summary(r),
                        "metadata:REVIEW:::2 | comments:REVIEW::paragraph 1:1 "
                        "| metadata:REVIEW:::1");
    f = find(r, VIGIL_DK_COMMENTS);
    assert_string_equal(f->part, "word/comments.xml");
    assert_string_equal(f->range, "paragraph 1");
    assert_non_null(strstr(f->detail, "'Alex Marchant'"));
    assert_string_equal(r->findings[2].part, "word/people.xml");
    vigil_disclose_result_free(r);
}

static void
test_mat2_revision_docx(void **state)
{
    const struct vigil_disclose_finding *f;

    (void)state;
    CORPUS_OR_SKIP(r, "mat2/tests/data/revision.docx");
    f = find(r, VIGIL_DK_TRACKED_CHANGES);
    assert_non_null(f);
    assert_int_equal(f->count, 10);
    assert_non_null(strstr(f->detail, "9 tracked insertion(s) and 1 "
                                      "deletion(s)"));
    assert_string_equal(f->range, "paragraph 1-2, 4-6");
    assert_string_equal(f->part, "word/document.xml");
    vigil_disclose_result_free(r);
}

static void
test_mat2_revision_odt(void **state)
{
    const struct vigil_disclose_finding *f;

    (void)state;
    CORPUS_OR_SKIP(r, "mat2/tests/data/revision.odt");
    assert_string_equal(r->format, "odt");
    f = find(r, VIGIL_DK_TRACKED_CHANGES);
    assert_non_null(f);
    assert_int_equal(f->count, 2);
    vigil_disclose_result_free(r);
}

static void
test_mat2_dirty_metadata(void **state)
{
    (void)state;
    {
        CORPUS_OR_SKIP(r, "mat2/tests/data/dirty.odt");
        assert_string_equal(summary(r), "metadata:REVIEW:::2");
        assert_non_null(
            strstr(r->findings[0].detail, "initial-creator 'jvoisin'"));
        vigil_disclose_result_free(r);
    }
    {
        CORPUS_OR_SKIP(r, "mat2/tests/data/dirty.docx");
        assert_string_equal(summary(r), "metadata:REVIEW:::2");
        assert_non_null(strstr(r->findings[0].detail,
                               "author 'julien voisin', last modified by "
                               "'Julien Voisin'"));
        vigil_disclose_result_free(r);
    }
}

static void
test_mat2_dirty_pdf(void **state)
{
    const struct vigil_disclose_finding *f;

    (void)state;
    CORPUS_OR_SKIP(r, "mat2/tests/data/dirty.pdf");
    assert_string_equal(r->format, "pdf");
    assert_string_equal(summary(r),
                        "tracked_changes:REVIEW:::0 | metadata:REVIEW:::15");
    f = find(r, VIGIL_DK_METADATA);
    assert_string_equal(f->part, "Info, XMP");
    assert_non_null(strstr(f->detail, "Producer: pdfTeX-1.40.14"));
    assert_int_equal(r->verdict, VIGIL_DISCLOSE_REVIEW);
    vigil_disclose_result_free(r);
}

/* ---- hostile input built in memory ---- */

static struct vigil_disclose_result *
check_buf(const void *p, size_t n)
{
    struct vigil_disclose_result *r = NULL;
    struct vigil_err err;

    vigil_err_clear(&err);
    assert_int_equal(vigil_disclose_check_buffer(g_d, "mem", p, n, &r, &err),
                     VIGIL_OK);
    return r;
}

/* Builds a zip in memory from name/content pairs; returns malloc'd. */
static void *
make_zip(const char *const *parts, size_t nparts, size_t *len)
{
    zip_error_t ze;
    zip_source_t *src;
    zip_t *za;
    zip_stat_t st;
    void *out;

    zip_error_init(&ze);
    src = zip_source_buffer_create(NULL, 0, 0, &ze);
    za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    zip_source_keep(src);
    for (size_t i = 0; i < nparts; i++) {
        zip_source_t *s = zip_source_buffer(za, parts[2 * i + 1],
                                            strlen(parts[2 * i + 1]), 0);
        zip_file_add(za, parts[2 * i], s, 0);
    }
    zip_close(za);
    zip_source_stat(src, &st);
    zip_source_open(src);
    out = malloc(st.size);
    *len = (size_t)zip_source_read(src, out, st.size);
    zip_source_close(src);
    zip_source_free(src);
    zip_error_fini(&ze);
    return out;
}

/* The relationships every workbook built here carries: root ->
 * workbook -> one sheet (a part nothing reaches is itself a finding). */
#define ROOT_RELS                                                              \
    "<Relationships><Relationship Id=\"r1\" Type=\"http://x/officeDocument\" " \
    "Target=\"xl/workbook.xml\"/></Relationships>"
#define WB_RELS                                                                \
    "<Relationships><Relationship Id=\"rId1\" Type=\"http://x/worksheet\" "    \
    "Target=\"worksheets/sheet1.xml\"/></Relationships>"

static void
test_entity_expansion_refused(void **state)
{
    static const char *const parts[] = {
        "_rels/.rels",
        ROOT_RELS,
        "[Content_Types].xml",
        "<Types xmlns=\"x\"/>",
        "xl/workbook.xml",
        ("<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY a \"aaaa\"><!ENTITY b "
         "\"&a;&a;&a;&a;&a;&a;&a;&a;\">]><workbook>&b;</workbook>"),
    };
    size_t len;
    void *z = make_zip(parts, 3, &len);
    struct vigil_disclose_result *r = check_buf(z, len);

    assert_string_equal(summary(r), "hostile:BLOCK:::0");
    assert_non_null(strstr(r->findings[0].detail, "DTD"));
    assert_int_equal(r->verdict, VIGIL_DISCLOSE_BLOCK);
    vigil_disclose_result_free(r);
    free(z);
}

static void
test_zip_bomb_refused(void **state)
{
    size_t n = (size_t)8 << 20, len;
    char *zeros = malloc(n + 1);
    const char *parts[2];
    void *z;
    struct vigil_disclose_result *r;

    (void)state;
    memset(zeros, '0', n);
    zeros[n] = 0;
    parts[0] = "a.csv";
    parts[1] = zeros;
    z = make_zip(parts, 1, &len);
    r = check_buf(z, len);
    assert_int_equal(r->verdict, VIGIL_DISCLOSE_BLOCK);
    assert_int_equal(r->findings[0].kind, VIGIL_DK_HOSTILE);
    assert_non_null(strstr(r->findings[0].detail, "zip bomb"));
    vigil_disclose_result_free(r);
    free(z);
    free(zeros);
}

/* Issue 10: findings past the listing cap (4,096) still count. 4,200
 * text files each holding an e-mail address (REVIEW each) are listed
 * first; the CSV of 60 people after them is BLOCK, and so is the file. */
static void
test_findings_cap_counts_all(void **state)
{
    enum { NTXT = 4200 };
    const char **parts = calloc(2 * (NTXT + 1), sizeof(*parts));
    char(*names)[32] = calloc(NTXT, sizeof(*names));
    struct vigil_buf csv;
    struct vigil_disclose_result *r;
    struct vigil_buf rep;
    size_t len;
    void *z;

    (void)state;
    vigil_buf_init(&csv, 1 << 20);
    vigil_buf_printf(&csv, "Full name,Email,Phone\n");
    for (int i = 0; i < 60; i++)
        vigil_buf_printf(&csv,
                         "Ann Smith%d,ann.smith%d@example.org,07700 900%03d\n",
                         i, i, i);
    for (int i = 0; i < NTXT; i++) {
        snprintf(names[i], sizeof(names[i]), "a%05d.txt", i);
        parts[2 * i] = names[i];
        parts[2 * i + 1] = "Contact: officer@example.org\n";
    }
    parts[2 * NTXT] = "people.csv";
    parts[2 * NTXT + 1] = csv.data;
    z = make_zip(parts, NTXT + 1, &len);
    r = check_buf(z, len);
    assert_int_equal(r->nfindings, 4096);
    assert_true(r->unlisted > 0);
    assert_int_equal(r->verdict, VIGIL_DISCLOSE_BLOCK);
    /* The closing summary keeps its listed slot. */
    assert_int_equal(r->findings[r->nfindings - 1].kind,
                     VIGIL_DK_PEOPLE_RECORDS);
    assert_int_equal(r->findings[r->nfindings - 1].severity,
                     VIGIL_DISCLOSE_BLOCK);
    vigil_buf_init(&rep, 8 << 20);
    assert_int_equal(vigil_disclose_report_text(r, &rep), VIGIL_OK);
    assert_non_null(strstr(rep.data, "more finding(s) not listed"));
    vigil_buf_reset(&rep);
    assert_int_equal(vigil_disclose_report_json(r, &rep), VIGIL_OK);
    assert_non_null(strstr(rep.data, "\"unlisted\":"));
    vigil_buf_fini(&rep);
    vigil_disclose_result_free(r);
    free(z);
    vigil_buf_fini(&csv);
    free(names);
    free(parts);
}

/* Writes data to $VIGIL_DISCLOSE_SEED_DIR/name when set: how the fuzz
 * seeds in tests/fuzz/corpus/disclose_ooxml/ are made
 * (tests/fuzz/disclose_seeds.sh). */
static void
maybe_write_seed(const char *name, const void *data, size_t len)
{
    const char *dir = getenv("VIGIL_DISCLOSE_SEED_DIR");
    char path[1024];
    FILE *f;

    if (dir == NULL || *dir == '\0')
        return;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* Replaces every occurrence of from by to (same length) in p: libzip
 * will not write two entries of one name, so they are renamed after. */
static void
rename_in(void *p, size_t len, const char *from, const char *to)
{
    size_t n = strlen(from);
    char *b = p;

    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(b + i, from, n) == 0)
            memcpy(b + i, to, n);
}

#define CT_XLSX                                                                \
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"           \
    "content-types\"/>"
#define WB_ONE                                                                 \
    "<workbook><sheets><sheet name=\"Public\" r:id=\"rId1\"/></sheets>"        \
    "</workbook>"
#define SHEET_EMAILS                                                           \
    "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>"   \
    "jo.bloggs@example.org</t></is></c></row></sheetData></worksheet>"

/* Issue 10: two entries named xl/workbook.xml. One program reads the
 * first, another the last (LibreOffice), which hides a sheet: the
 * package is BLOCKed as ambiguous and every copy is read. */
static void
test_duplicate_entries(void **state)
{
    static const char *const parts[] = {
        "_rels/.rels",
        ROOT_RELS,
        "[Content_Types].xml",
        CT_XLSX,
        "xl/_rels/workbook.xml.rels",
        "<Relationships><Relationship Id=\"rId1\" Type=\"http://x/worksheet\" "
        "Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" "
        "Type=\"http://x/worksheet\" Target=\"worksheets/sheet2.xml\"/>"
        "</Relationships>",
        "xl/workbook.xml",
        WB_ONE,
        "xl/worksheets/sheet1.xml",
        "<worksheet><sheetData/></worksheet>",
        "xl/worksheets/sheet2.xml",
        SHEET_EMAILS,
        "xl/workbook.xmQ",
        ("<workbook><sheets><sheet name=\"Public\" r:id=\"rId1\"/><sheet "
         "name=\"Secret\" state=\"hidden\" "
         "r:id=\"rId2\"/></sheets></workbook>"),
    };
    struct vigil_disclose_result *r;
    const struct vigil_disclose_finding *f;
    struct vigil_buf out;
    struct vigil_err err;
    const char *ext;
    size_t len;
    void *z = make_zip(parts, 7, &len);

    (void)state;
    rename_in(z, len, "xl/workbook.xmQ", "xl/workbook.xml");
    maybe_write_seed("dup-workbook.xlsx", z, len);
    r = check_buf(z, len);
    f = find(r, VIGIL_DK_AMBIGUOUS);
    assert_non_null(f);
    assert_int_equal(f->severity, VIGIL_DISCLOSE_BLOCK);
    assert_string_equal(f->part, "xl/workbook.xml");
    assert_non_null(strstr(f->detail, "ambiguous package"));
    /* The second copy was read too: its hidden sheet is found. */
    f = find(r, VIGIL_DK_HIDDEN_SHEET);
    assert_non_null(f);
    assert_string_equal(f->sheet, "Secret");
    assert_int_equal(f->severity, VIGIL_DISCLOSE_BLOCK);
    assert_int_equal(r->verdict, VIGIL_DISCLOSE_BLOCK);
    vigil_disclose_result_free(r);

    /* Names differing only in case are one part to Office. */
    free(z);
    z = make_zip(parts, 7, &len);
    rename_in(z, len, "xl/workbook.xmQ", "xl/WORKBOOK.xml");
    maybe_write_seed("dup-case.xlsx", z, len);
    r = check_buf(z, len);
    assert_non_null(find(r, VIGIL_DK_AMBIGUOUS));
    assert_non_null(find(r, VIGIL_DK_HIDDEN_SHEET));
    vigil_disclose_result_free(r);

    /* Which copy to clean is the ambiguity itself: refused. */
    vigil_err_clear(&err);
    vigil_buf_init(&out, 1 << 20);
    assert_int_equal(vigil_disclose_clean(g_d, z, len, &out, &ext, &err),
                     VIGIL_EUNSUPPORTED);
    vigil_buf_fini(&out);
    free(z);
}

/* Issue 10: comments are found by the relationship that reaches them,
 * wherever they are stored; a part nothing reaches is REVIEW, BLOCK when
 * it holds personal data. */
static void
test_parts_by_relationship(void **state)
{
    static const char *const parts[] = {
        "_rels/.rels",
        ROOT_RELS,
        "[Content_Types].xml",
        CT_XLSX,
        "xl/_rels/workbook.xml.rels",
        WB_RELS,
        "xl/workbook.xml",
        WB_ONE,
        "xl/worksheets/sheet1.xml",
        "<worksheet><sheetData/></worksheet>",
        "xl/worksheets/_rels/sheet1.xml.rels",
        "<Relationships><Relationship Id=\"c\" Type=\"http://x/comments\" "
        "Target=\"/xl/notes/staff.xml\"/></Relationships>",
        "xl/notes/staff.xml",
        "<comments><authors><author>HR</author></authors><commentList>"
        "<comment ref=\"B2\" authorId=\"0\"><text><t>Jo Bloggs, "
        "jo.bloggs@example.org, 07700 900123</t></text></comment>"
        "</commentList></comments>",
        "xl/stash.xml",
        "<x><y>ann.other@example.org</y></x>",
        "xl/leftover.xml",
        "<x>nothing personal</x>",
    };
    struct vigil_disclose_result *r;
    const struct vigil_disclose_finding *f;
    size_t len, unexplained = 0;
    void *z = make_zip(parts, 9, &len);

    (void)state;
    maybe_write_seed("parts-by-rels.xlsx", z, len);
    r = check_buf(z, len);
    f = find(r, VIGIL_DK_COMMENTS);
    assert_non_null(f);
    assert_string_equal(f->part, "xl/notes/staff.xml");
    assert_string_equal(f->sheet, "Public");
    assert_int_equal(f->severity, VIGIL_DISCLOSE_BLOCK);
    assert_int_equal(f->pii_total, 2);
    for (size_t i = 0; i < r->nfindings; i++) {
        f = &r->findings[i];
        if (f->kind != VIGIL_DK_UNEXPLAINED_PART)
            continue;
        unexplained++;
        if (strcmp(f->part, "xl/stash.xml") == 0)
            assert_int_equal(f->severity, VIGIL_DISCLOSE_BLOCK);
        else
            assert_string_equal(f->part, "xl/leftover.xml"),
                assert_int_equal(f->severity, VIGIL_DISCLOSE_REVIEW);
    }
    assert_int_equal(unexplained, 2);
    vigil_disclose_result_free(r);
    free(z);
}

/* Issue 10's list: threaded comments, persons, custom XML, embedded
 * objects and external links are found by the relationship that reaches
 * them too, stored where no reader of fixed names looks. */
static void
test_other_parts_by_relationship(void **state)
{
    static const char *const parts[] = {
        "_rels/.rels",
        ("<Relationships><Relationship Id=\"r1\" "
         "Type=\"http://x/officeDocument\" Target=\"xl/workbook.xml\"/>"
         "<Relationship Id=\"r2\" Type=\"http://x/customXml\" "
         "Target=\"/misc/bag.xml\"/></Relationships>"),
        "[Content_Types].xml",
        CT_XLSX,
        "xl/_rels/workbook.xml.rels",
        ("<Relationships><Relationship Id=\"rId1\" Type=\"http://x/worksheet\" "
         "Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" "
         "Type=\"http://x/person\" Target=\"/xl/who/list.xml\"/>"
         "<Relationship Id=\"rId3\" Type=\"http://x/externalLink\" "
         "Target=\"/xl/far/away.xml\"/></Relationships>"),
        "xl/workbook.xml",
        WB_ONE,
        "xl/worksheets/sheet1.xml",
        "<worksheet><sheetData/></worksheet>",
        "xl/worksheets/_rels/sheet1.xml.rels",
        ("<Relationships><Relationship Id=\"t\" "
         "Type=\"http://x/threadedComment\" Target=\"/xl/talk/t.xml\"/>"
         "<Relationship Id=\"o\" Type=\"http://x/oleObject\" "
         "Target=\"/xl/blobs/thing.bin\"/></Relationships>"),
        "xl/talk/t.xml",
        ("<ThreadedComments><threadedComment ref=\"C3\" id=\"{1}\">"
         "<text>Ring Sam Green on 07700 900456 or sam.green@example.org"
         "</text></threadedComment></ThreadedComments>"),
        "xl/who/list.xml",
        ("<personList><person displayName=\"Ann Other\" id=\"{2}\" "
         "userId=\"ann.other@example.org\" providerId=\"AD\"/></personList>"),
        "misc/bag.xml",
        "<data><owner>pat.doe@example.org</owner></data>",
        "xl/blobs/thing.bin",
        "OLE bytes",
        "xl/far/away.xml",
        "<externalLink><externalBook r:id=\"x\"/></externalLink>",
    };
    struct vigil_disclose_result *r;
    size_t len;
    void *z = make_zip(parts, 11, &len);
    int threaded = 0, person = 0, custom = 0, embed = 0, link = 0;

    (void)state;
    maybe_write_seed("other-parts-by-rels.xlsx", z, len);
    r = check_buf(z, len);
    for (size_t i = 0; i < r->nfindings; i++) {
        const struct vigil_disclose_finding *f = &r->findings[i];
        /* nothing of these is an unexplained part: each is reached */
        if (f->kind == VIGIL_DK_UNEXPLAINED_PART)
            fail_msg("%s unexplained", f->part);
        if (strcmp(f->part, "xl/talk/t.xml") == 0)
            threaded = f->kind == VIGIL_DK_COMMENTS &&
                       f->severity == VIGIL_DISCLOSE_BLOCK;
        else if (strcmp(f->part, "xl/who/list.xml") == 0)
            person = f->severity >= VIGIL_DISCLOSE_REVIEW;
        else if (strcmp(f->part, "misc/bag.xml") == 0)
            custom = f->kind == VIGIL_DK_CUSTOM_PROPERTIES &&
                     f->severity >= VIGIL_DISCLOSE_REVIEW;
        else if (strcmp(f->part, "xl/blobs/thing.bin") == 0)
            embed = f->kind == VIGIL_DK_EMBEDDED_OBJECT;
        else if (strcmp(f->part, "xl/far/away.xml") == 0)
            link = f->kind == VIGIL_DK_EXTERNAL_LINK;
    }
    assert_true(threaded);
    assert_true(person);
    assert_true(custom);
    assert_true(embed);
    assert_true(link);
    vigil_disclose_result_free(r);
    free(z);
}

/* An empty part (found by fuzzing: its copy leaked) is carried into the
 * clean copy as an empty part; the leak check of the sanitizer build is
 * what fails if its buffer is lost again. */
static void
test_clean_empty_part(void **state)
{
    static const char *const parts[] = {
        "_rels/.rels",
        ROOT_RELS,
        "[Content_Types].xml",
        "<Types xmlns=\"x\"/>",
        "xl/workbook.xml",
        ("<workbook><sheets><sheet name=\"a\" r:id=\"r1\"/></sheets>"
         "</workbook>"),
        "xl/empty.bin",
        "",
    };
    struct vigil_disclose_result *r;
    struct vigil_err err;
    struct vigil_buf out;
    const char *ext = NULL;
    size_t len;
    void *z = make_zip(parts, 4, &len);

    (void)state;
    vigil_err_clear(&err);
    vigil_buf_init(&out, 1 << 20);
    assert_int_equal(vigil_disclose_clean(g_d, z, len, &out, &ext, &err),
                     VIGIL_OK);
    assert_string_equal(ext, "xlsx");
    r = check_buf(out.data, out.len);
    assert_int_equal(r->verdict, VIGIL_DISCLOSE_PASS);
    vigil_disclose_result_free(r);
    vigil_buf_fini(&out);
    free(z);
}

/* A sheet larger than the in-memory part limit is streamed, not refused:
 * real 100 MB workbooks carry a gigabyte of sheet XML. Scaled down here
 * (a 1 MiB part limit, a 3 MiB sheet); the total inflate bound still
 * stops it when it is set below the sheet's size. */
static void
test_big_sheet_streamed(void **state)
{
    struct vigil_disclose_policy p;
    struct vigil_disclose *d = NULL;
    struct vigil_disclose_result *r = NULL;
    struct vigil_err err;
    struct vigil_buf sheet;
    const char *parts[10];
    size_t len;
    void *z;

    (void)state;
    vigil_buf_init(&sheet, 8 << 20);
    vigil_buf_printf(&sheet, "<worksheet><sheetData>");
    for (unsigned i = 1; sheet.len < (3u << 20); i++)
        vigil_buf_printf(&sheet,
                         "<row r=\"%u\"><c r=\"A%u\"><v>%u</v></c>"
                         "</row>",
                         i, i, (i * 7919u) % 100003u);
    vigil_buf_printf(&sheet, "</sheetData></worksheet>");
    parts[0] = "xl/workbook.xml";
    parts[1] = "<workbook><sheets><sheet name=\"Counts\" r:id=\"rId1\"/>"
               "</sheets></workbook>";
    parts[2] = "xl/worksheets/sheet1.xml";
    parts[3] = sheet.data;
    parts[4] = "[Content_Types].xml";
    parts[5] = "<Types xmlns=\"x\"/>";
    parts[6] = "_rels/.rels";
    parts[7] = ROOT_RELS;
    parts[8] = "xl/_rels/workbook.xml.rels";
    parts[9] = WB_RELS;
    z = make_zip(parts, 5, &len);
    vigil_disclose_policy_default(&p);
    p.max_part_bytes = 1 << 20;
    vigil_err_clear(&err);
    assert_int_equal(vigil_disclose_new(&d, &p, &err), VIGIL_OK);
    assert_int_equal(vigil_disclose_check_buffer(d, "big", z, len, &r, &err),
                     VIGIL_OK);
    assert_string_equal(r->format, "xlsx");
    assert_null(find(r, VIGIL_DK_HOSTILE));
    assert_int_equal(r->verdict, VIGIL_DISCLOSE_PASS);
    vigil_disclose_result_free(r);
    vigil_disclose_free(d);

    p.max_total_inflate = 2 << 20;
    assert_int_equal(vigil_disclose_new(&d, &p, &err), VIGIL_OK);
    assert_int_equal(vigil_disclose_check_buffer(d, "big", z, len, &r, &err),
                     VIGIL_OK);
    assert_non_null(find(r, VIGIL_DK_HOSTILE));
    assert_int_equal(r->verdict, VIGIL_DISCLOSE_BLOCK);
    vigil_disclose_result_free(r);
    vigil_disclose_free(d);
    vigil_buf_fini(&sheet);
    free(z);
}

static void
test_truncated_and_encrypted(void **state)
{
    static const unsigned char ole[] = {
        0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0,   0,   'E', 0,   'n',
        0,    'c',  0,    'r',  0,    'y',  0,    'p',  0,   't', 0,   'i', 0,
        'o',  0,    'n',  0,    'I',  0,    'n',  0,    'f', 0,   'o', 0};
    struct vigil_disclose_result *r;

    (void)state;
    r = check_buf(ole, sizeof(ole));
    assert_string_equal(r->format, "encrypted-ooxml");
    assert_string_equal(summary(r), "encrypted:BLOCK:::0");
    vigil_disclose_result_free(r);
    r = check_buf("PK\3\4\x14\0\0\0\x08\0", 10);
    assert_string_equal(summary(r), "damaged:BLOCK:::0");
    vigil_disclose_result_free(r);
}

static void
test_csv_people(void **state)
{
    static const char csv[] = "Surname;Forename;Collar number\n"
                              "Smith;Ann;PC1001\nJones;Bob;PC1002\n"
                              "Patel;Cara;PC1003\n";
    static const char counts[] = "Quarter,Requests\nQ1,310\nQ2,295\n";
    struct vigil_disclose_result *r;

    (void)state;
    r = check_buf(csv, sizeof(csv) - 1);
    assert_string_equal(r->format, "csv");
    assert_int_equal(r->people_records, 3);
    assert_string_equal(summary(r), "people_records:REVIEW::rows 2-4:3");
    vigil_disclose_result_free(r);
    r = check_buf(counts, sizeof(counts) - 1);
    assert_int_equal(r->verdict, VIGIL_DISCLOSE_PASS);
    assert_int_equal(r->nfindings, 0);
    vigil_disclose_result_free(r);
}

/* The same French table in Windows-1252, in UTF-16LE with its BOM and in
 * UTF-8 with a BOM: headers found, dates under "Date de naissance"
 * counted, a quoted address with a line break kept in its cell. */
static void
test_csv_encodings(void **state)
{
    /* "Nom;Prénom;Date de naissance;Adresse" in Windows-1252 (é = E9). */
    static const char cp1252[] =
        "Nom;Pr\xe9nom;Date de naissance;Adresse\r\n"
        "C\xf4t\xe9;\xc9lodie;12/03/1980;\"4, rue de "
        "l'\xc9glise\r\nGatineau\"\r\n"
        "Roy;Fran\xe7ois;01/11/1975;\"9; chemin du Lac\nQu\xe9"
        "bec\"\r\n";
    static const char utf8bom[] = "\xef\xbb\xbf"
                                  "Cyfenw|Enw cyntaf|Dyddiad geni\n"
                                  "Pritchard|Si\xc3\xa2n|3 Mawrth 1961\n"
                                  "Bowen|Iolo|1961-03-04T00:00:00\n";
    const char *const header = "Nom\tPr\xe9nom\tDate de naissance\n"
                               "Roy\tAnn\t12/03/1980\n";
    unsigned char u16[128];
    struct vigil_disclose_result *r;
    const struct vigil_disclose_finding *f;
    size_t n = 2, k;

    (void)state;
    /* The conversions themselves: Windows-1252's 0x80-0x9F (euro sign,
     * typographic apostrophe), Latin-1 above; UTF-16 surrogate pairs and
     * a lone surrogate; valid UTF-8 passed through untouched. */
    {
        static const unsigned char w[] = "\x80 l\x92\xe9t\xe9 \x81";
        static const unsigned char utf8[] = "\xc3\xa9xy";
        static const unsigned char be[] = {0xFE, 0xFF, 0xD8, 0x3D, 0xDE,
                                           0x00, 0x00, 0x41, 0xDC, 0x00};
        struct vigil_buf conv;
        const char *t;
        size_t len = sizeof(w) - 1;

        vigil_buf_init(&conv, 1024);
        t = disclose_as_utf8(w, &len, &conv);
        assert_int_equal(len, 16);
        assert_memory_equal(t,
                            "\xe2\x82\xac l\xe2\x80\x99\xc3\xa9t\xc3\xa9 "
                            "\xc2\x81",
                            16);
        vigil_buf_reset(&conv);
        len = sizeof(be);
        t = disclose_as_utf8(be, &len, &conv);
        assert_int_equal(len, 8);
        assert_memory_equal(t,
                            "\xf0\x9f\x98\x80"
                            "A\xef\xbf\xbd",
                            8);
        len = 4;
        assert_ptr_equal(disclose_as_utf8(utf8, &len, &conv), utf8);
        vigil_buf_fini(&conv);
    }
    r = check_buf(cp1252, sizeof(cp1252) - 1);
    assert_string_equal(r->format, "csv");
    assert_int_equal(r->people_records, 2);
    assert_string_equal(summary(r), "people_records:REVIEW::rows 2-3:2 | "
                                    "personal_data:REVIEW:::2");
    f = find(r, VIGIL_DK_PERSONAL_DATA);
    assert_int_equal(f->pii[PII_DATE_OF_BIRTH], 2);
    vigil_disclose_result_free(r);

    r = check_buf(utf8bom, sizeof(utf8bom) - 1);
    assert_int_equal(r->people_records, 2);
    f = find(r, VIGIL_DK_PERSONAL_DATA);
    assert_non_null(f);
    assert_int_equal(f->pii[PII_DATE_OF_BIRTH], 2);
    vigil_disclose_result_free(r);

    /* UTF-16LE: FF FE, then each Windows-1252 byte as a code unit. */
    u16[0] = 0xFF;
    u16[1] = 0xFE;
    for (k = 0; header[k] && n + 2 <= sizeof(u16); k++) {
        u16[n++] = (unsigned char)header[k];
        u16[n++] = 0;
    }
    r = check_buf(u16, n);
    assert_string_equal(r->format, "csv");
    assert_int_equal(r->people_records, 1);
    f = find(r, VIGIL_DK_PERSONAL_DATA);
    assert_non_null(f);
    assert_int_equal(f->pii[PII_DATE_OF_BIRTH], 1);
    vigil_disclose_result_free(r);

    /* A binary file that merely starts FF FE is not UTF-16 text. */
    memset(u16 + 2, 0, sizeof(u16) - 2);
    u16[9] = 0x01;
    r = check_buf(u16, sizeof(u16));
    assert_string_equal(r->format, "unknown");
    assert_int_equal(r->verdict, VIGIL_DISCLOSE_BLOCK);
    vigil_disclose_result_free(r);
}

static void
test_reports_escape(void **state)
{
    static const char csv[] = "Name,Email\n<b>Ann</b>,ann@example.org\n";
    struct vigil_disclose_result *r;
    const struct vigil_disclose_result *arr[1];
    struct vigil_buf b;

    (void)state;
    r = check_buf(csv, sizeof(csv) - 1);
    arr[0] = r;
    vigil_buf_init(&b, 1 << 20);
    assert_int_equal(vigil_disclose_report_html(arr, 1, &b), VIGIL_OK);
    assert_null(strstr(b.data, "<b>Ann"));
    assert_non_null(strstr(b.data, "REVIEW"));
    vigil_buf_reset(&b);
    assert_int_equal(vigil_disclose_report_json(r, &b), VIGIL_OK);
    assert_non_null(strstr(b.data, "\"pii\":{\"email\":1}"));
    vigil_buf_fini(&b);
    vigil_disclose_result_free(r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_any_sheets_xlsx),
        cmocka_unit_test(test_any_sheets_ods),
        cmocka_unit_test(test_errors_hidden_row),
        cmocka_unit_test(test_issue_530_comments),
        cmocka_unit_test(test_header_row_custom),
        cmocka_unit_test(test_with_annotation_ods),
        cmocka_unit_test(test_mat2_comment_docx),
        cmocka_unit_test(test_mat2_revision_docx),
        cmocka_unit_test(test_mat2_revision_odt),
        cmocka_unit_test(test_mat2_dirty_metadata),
        cmocka_unit_test(test_mat2_dirty_pdf),
        cmocka_unit_test(test_entity_expansion_refused),
        cmocka_unit_test(test_zip_bomb_refused),
        cmocka_unit_test(test_clean_empty_part),
        cmocka_unit_test(test_big_sheet_streamed),
        cmocka_unit_test(test_truncated_and_encrypted),
        cmocka_unit_test(test_csv_people),
        cmocka_unit_test(test_csv_encodings),
        cmocka_unit_test(test_reports_escape),
        cmocka_unit_test(test_findings_cap_counts_all),
        cmocka_unit_test(test_duplicate_entries),
        cmocka_unit_test(test_parts_by_relationship),
        cmocka_unit_test(test_other_parts_by_relationship),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
