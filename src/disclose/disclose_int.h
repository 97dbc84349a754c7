/* disclose_int.h -- what the files of the disclosure guard share: the
 * per-check context, finding helpers, bounded zip and XML readers and
 * the table analyser that counts people's records. Private to
 * src/disclose. */
#ifndef VIGIL_DISCLOSE_INT_H
#define VIGIL_DISCLOSE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "disclose/disclose.h"
#include "disclose/pii/pii.h"

struct vigil_disclose {
    struct vigil_disclose_policy policy;
    struct disclose_pii *pii;
    int custom_headers; /* the organisation gave its own header words */
};

struct vigil_disclose_result_int {
    struct vigil_arena arena;
    size_t cap;
    /* The worst severity among findings past the cap (see unlisted). */
    enum vigil_disclose_verdict unlisted_worst;
};

/* Personal data counted in one scope (a sheet, the comments...). */
struct disclose_acc {
    size_t n[VIGIL_DISCLOSE_PII_SLOTS];
    size_t total;
};

/* One check in progress. */
struct disclose_ctx {
    struct vigil_disclose *d;
    struct vigil_disclose_result *res;
    struct vigil_arena *arena; /* the result's */
    const char *member;        /* archive path prefix, NULL at top */
    unsigned depth;
    size_t inflated; /* bytes inflated so far, all containers */
    /* The checked file when it is on disk: its zip is then read through
     * the file (libzip file source), not through the mapped bytes. */
    const char *path;
    const void *top;
    int nomem;
    /* Set while a package is re-read through another copy of its
     * duplicated entries: findings equal to one already made are not
     * added again. */
    int dedup;
    /* Set for the file's closing summary, which may take the last
     * listed slot (every other finding stops one short of the cap). */
    int summary;
    /* The OOXML package being checked (relationships, content types),
     * NULL outside disclose_ooxml. */
    struct disclose_pkg *pkg;
};

/* Adds a finding; strings are copied into the result. detail is a
 * printf format. Returns the finding (valid until the next add) or NULL
 * when memory ran out (ctx->nomem set). */
struct vigil_disclose_finding *
disclose_add(struct disclose_ctx *c, enum vigil_disclose_kind kind,
             enum vigil_disclose_verdict sev, const char *part,
             const char *sheet, const char *range, const char *advice,
             const char *fmt, ...) __attribute__((format(printf, 8, 9)));
/* Copies counts of acc into f. */
void disclose_finding_pii(struct vigil_disclose_finding *f,
                          const struct disclose_acc *acc);
/* Copy of s owned by the result ("" when NULL). */
const char *disclose_strdup(struct disclose_ctx *c, const char *s, size_t n);

/* Runs the recognisers over text, counting into acc (may be NULL) and
 * the result's total. Returns matches found. */
size_t disclose_scan(struct disclose_ctx *c, const char *text, size_t len,
                     struct disclose_acc *acc);
void disclose_acc_add(struct disclose_acc *dst, const struct disclose_acc *src);
/* "3 email, 2 uk_nino" into dst. */
void disclose_acc_describe(const struct disclose_acc *acc, char *dst, size_t n);

/* Checks one buffer at the current depth (recursion entry for archives
 * and embedded objects). name is the member name for locations. */
void disclose_check_any(struct disclose_ctx *c, const char *name,
                        const unsigned char *data, size_t len, int top);

/* ------------------------------------------------------------------ */
/* Bounded zip                                                          */
/* ------------------------------------------------------------------ */

struct disclose_zip_entry {
    char *name; /* normalised: '\\' -> '/', owned */
    uint64_t index;
    uint64_t size;
    uint64_t csize;
    int encrypted;
};

/* Entries are sorted by name as OPC compares part names (ASCII case
 * folded, '\\' as '/', no leading '/'), copies of one name in archive
 * order. */
struct disclose_zip {
    void *za; /* zip_t */
    struct disclose_zip_entry *e;
    size_t n;
    /* Names held by more than one entry, and the most copies of one. */
    size_t ndup;
    size_t maxcopies;
    char dupname[256]; /* the first such name, for the finding */
    /* Which copy disclose_zip_find returns (0 first, clamped to last). */
    size_t view;
};

/* Opens data (borrowed; must outlive the zip). Checks entry count,
 * declared sizes and ratios; a refusal is reported as a finding by the
 * caller using the message in err (rc VIGIL_ELIMIT for hostile input,
 * VIGIL_EPARSE for damage). */
enum vigil_rc disclose_zip_open(struct disclose_ctx *c, const void *data,
                                size_t len, struct disclose_zip *z,
                                struct vigil_err *err);
void disclose_zip_close(struct disclose_zip *z);
/* Entry by normalised name (copy z->view of it), or NULL. */
const struct disclose_zip_entry *disclose_zip_find(const struct disclose_zip *z,
                                                   const char *name);
/* Streams an entry in chunks to fn (return non-zero to stop), counting
 * against the inflate bounds. */
enum vigil_rc disclose_zip_stream(struct disclose_ctx *c,
                                  struct disclose_zip *z,
                                  const struct disclose_zip_entry *e,
                                  int (*fn)(void *arg, const char *p, size_t n),
                                  void *arg, struct vigil_err *err);
/* Reads a whole entry (bounded by max) into b (reset first). */
enum vigil_rc disclose_zip_read(struct disclose_ctx *c, struct disclose_zip *z,
                                const struct disclose_zip_entry *e,
                                struct vigil_buf *b, size_t max,
                                struct vigil_err *err);

/* ------------------------------------------------------------------ */
/* Streaming XML (expat, no DTDs, bounded depth)                       */
/* ------------------------------------------------------------------ */

struct disclose_xml_cb {
    /* name is the qualified name ("w:ins"); atts NULL-terminated pairs */
    void (*start)(void *arg, const char *name, const char **atts);
    void (*end)(void *arg, const char *name);
    void (*text)(void *arg, const char *s, int len);
    void *arg;
};

/* Parses an entry, streaming. A DTD, an entity declaration, nesting past
 * 256 or malformed XML stop the parse: VIGIL_ELIMIT (hostile) or
 * VIGIL_EPARSE with the reason in err. */
enum vigil_rc disclose_xml_entry(struct disclose_ctx *c, struct disclose_zip *z,
                                 const struct disclose_zip_entry *e,
                                 const struct disclose_xml_cb *cb,
                                 struct vigil_err *err);
enum vigil_rc disclose_xml_buf(const char *data, size_t len,
                               const struct disclose_xml_cb *cb,
                               struct vigil_err *err);
/* Local part of a qualified name. */
const char *disclose_local(const char *qname);
/* Attribute value by local name, or NULL. */
const char *disclose_attr(const char **atts, const char *local);
/* Reports a failed part parse as a DAMAGED/HOSTILE finding. */
void disclose_xml_fail(struct disclose_ctx *c, const char *part,
                       enum vigil_rc rc, const struct vigil_err *err);

/* ------------------------------------------------------------------ */
/* Tables: header row -> columns of people's data -> records           */
/* ------------------------------------------------------------------ */

#define DISCLOSE_MAX_COLS 1024

struct disclose_table {
    struct disclose_ctx *c;
    uint8_t col[DISCLOSE_MAX_COLS]; /* enum pii_column per column */
    uint8_t pend[DISCLOSE_MAX_COLS];
    uint8_t code[DISCLOSE_MAX_COLS]; /* 1: header names a code column */
    int have_code;
    int have_header;
    int fixed_header;   /* header given (pivot cache fields) */
    unsigned rows_seen; /* rows examined for a header */
    uint32_t header_row;
    int has_name_col;
    /* current row */
    int row_hidden;
    unsigned row_named, row_other, row_pend, row_ident;
    int row_pend_name;   /* a cell of this row names a name column */
    int row_pend_code;   /* a cell of this row names a code column */
    int row_hidden_cell; /* a personal cell in a hidden column */
    size_t records;
    size_t hidden_records;
};

void disclose_table_init(struct disclose_table *t, struct disclose_ctx *c);
/* Fixes the header from known field names (pivot caches). */
void disclose_table_header(struct disclose_table *t, unsigned col,
                           const char *text, size_t len);
void disclose_table_row(struct disclose_table *t, uint32_t row, int hidden);
/* disclose_scan for a table cell: leaves out identifiers that are the
 * whole value of a code column (disclose_pii_code_hides). t borrowed. */
size_t disclose_table_scan(struct disclose_table *t, unsigned col,
                           const char *text, size_t len,
                           struct disclose_acc *acc);
/* acc (may be NULL) counts what is personal because of its column
 * (disclose_pii_cell): the caller's count for this cell's scope, which
 * disclose_scan has just filled from the same text. */
void disclose_table_cell(struct disclose_table *t, unsigned col,
                         const char *text, size_t len, int col_hidden,
                         struct disclose_acc *acc);
void disclose_table_row_end(struct disclose_table *t);
/* Names of the classified columns, "Surname (name), Rank (rank)" style
 * is not kept; this gives "name, rank, staff_id". */
void disclose_table_columns(const struct disclose_table *t, char *dst,
                            size_t n);

/* ------------------------------------------------------------------ */
/* Formats                                                              */
/* ------------------------------------------------------------------ */

void disclose_ooxml(struct disclose_ctx *c, struct disclose_zip *z);
void disclose_xlsx(struct disclose_ctx *c, struct disclose_zip *z);
void disclose_docx(struct disclose_ctx *c, struct disclose_zip *z);
void disclose_pptx(struct disclose_ctx *c, struct disclose_zip *z);
void disclose_odf(struct disclose_ctx *c, struct disclose_zip *z,
                  const char *mimetype);
void disclose_csv(struct disclose_ctx *c, const char *data, size_t len);
void disclose_text(struct disclose_ctx *c, const char *data, size_t len);
void disclose_pdf(struct disclose_ctx *c, const unsigned char *data,
                  size_t len);
/* JPEG bytes: reports GPS tags in EXIF as a finding at part. */
void disclose_exif(struct disclose_ctx *c, const char *part,
                   const unsigned char *data, size_t len);
/* Text of any encoding spreadsheets write (UTF-8 with or without BOM,
 * UTF-16 with BOM, Windows-1252/Latin-1), checked as CSV when a
 * delimiter is found, else as plain text; sets the format when top. */
void disclose_delimited(struct disclose_ctx *c, const unsigned char *data,
                        size_t len, int top);
/* Does d start with a UTF-16 byte-order mark? */
int disclose_is_utf16(const unsigned char *d, size_t len);
/* d as UTF-8: d itself when it is valid UTF-8, else converted (UTF-16
 * by its BOM, otherwise Windows-1252) into conv, which the caller
 * initialised and frees. Updates *len. NULL when conv's bound is hit. */
const char *disclose_as_utf8(const unsigned char *d, size_t *len,
                             struct vigil_buf *conv);
/* Is this CSV-like? Returns the delimiter or 0. */
char disclose_csv_sniff(const char *data, size_t len);
/* Splits CSV; calls cell(row, col, text, len) with unquoted text and
 * row_end(row). Bounded by the data. Unquoting uses scratch (reset per
 * cell). */
void disclose_csv_parse(const char *data, size_t len, char delim,
                        void (*cell)(void *arg, uint32_t row, unsigned col,
                                     const char *s, size_t n),
                        void (*row_end)(void *arg, uint32_t row), void *arg,
                        struct vigil_buf *scratch);

/* "A1"-style reference helpers. */
int disclose_cell_ref(const char *ref, unsigned *col, uint32_t *row);
void disclose_col_name(unsigned col, char *dst, size_t n);

/* ------------------------------------------------------------------ */
/* OOXML package map: what relationships and content types say        */
/* ------------------------------------------------------------------ */

/* What a part is, from the relationship that reaches it or, failing
 * that, its content type: the parts that can hide content wherever
 * they are stored. */
enum disclose_pk {
    DISCLOSE_PK_NONE = 0,
    DISCLOSE_PK_COMMENTS, /* legacy comments / notes (any application) */
    DISCLOSE_PK_THREADED, /* threaded comments (Excel 365) */
    DISCLOSE_PK_PERSON,   /* people who commented (persons, people.xml) */
    DISCLOSE_PK_NOTES,    /* presentation notes */
    DISCLOSE_PK_CUSTOMXML,
    DISCLOSE_PK_EMBED,   /* OLE object, embedded package, ActiveX */
    DISCLOSE_PK_EXTLINK, /* external workbook link */
    DISCLOSE_PK_PIVOTDEF,
    DISCLOSE_PK_VBA,
    DISCLOSE_PK_TEXT, /* header, footer, footnotes, endnotes (Word) */
    DISCLOSE_PK_SLIDE
};

struct disclose_pkg {
    const struct disclose_zip *z;
    uint8_t *kind;    /* enum disclose_pk per entry of the zip */
    uint8_t *reached; /* reached from _rels/.rels, per entry */
    /* Per entry that is a .rels part: what the walk read from it, so
     * disclose_rels_load does not parse it again (rels[i].r NULL and
     * loaded[i] 0 when not read). */
    struct disclose_rels *rels;
    uint8_t *loaded;
};

/* One byte per entry of z, 1 when a relationship from _rels/.rels
 * reaches it (or it is [Content_Types].xml or a reached part's .rels).
 * Returns owned (free()), NULL when memory ran out. */
uint8_t *disclose_pkg_reached(struct disclose_ctx *c, struct disclose_zip *z);
/* Kind of entry e of the package being checked (DISCLOSE_PK_NONE
 * outside a package). */
enum disclose_pk disclose_pkg_kind(const struct disclose_ctx *c,
                                   const struct disclose_zip *z,
                                   const struct disclose_zip_entry *e);

/* Cleaning back ends. */
enum vigil_rc disclose_clean_ooxml(struct vigil_disclose *d,
                                   struct disclose_zip *z, int kind,
                                   struct vigil_buf *out,
                                   struct vigil_err *err);
enum vigil_rc disclose_xlsx_visible_csv(struct disclose_ctx *c,
                                        struct disclose_zip *z,
                                        struct vigil_buf *out,
                                        struct vigil_err *err);

/* Range list builder: "20, 31-40, 52" with a cap. */
struct disclose_ranges {
    char buf[256];
    size_t len;
    uint64_t first, last;
    int open;
    int full;
    int letters; /* columns: A, C-F */
    size_t count;
};
void disclose_ranges_add(struct disclose_ranges *r, uint64_t v);
const char *disclose_ranges_str(struct disclose_ranges *r);

/* ------------------------------------------------------------------ */
/* OOXML relationships                                                  */
/* ------------------------------------------------------------------ */

struct disclose_rel {
    char id[64];
    char type[64];    /* last segment of the Type URI ("worksheet") */
    char target[512]; /* resolved part name, or the raw external target */
    int external;
};

struct disclose_rels {
    struct disclose_rel *r;
    size_t n, cap;
};

/* Loads the relationships of part ("xl/workbook.xml"); an absent rels
 * part gives an empty set. Free with disclose_rels_fini. */
enum vigil_rc disclose_rels_load(struct disclose_ctx *c, struct disclose_zip *z,
                                 const char *part, struct disclose_rels *out,
                                 struct vigil_err *err);
void disclose_rels_fini(struct disclose_rels *r);
const struct disclose_rel *disclose_rels_get(const struct disclose_rels *r,
                                             const char *id);
/* "xl/worksheets/_rels/sheet1.xml.rels" for "xl/worksheets/sheet1.xml". */
void disclose_rels_path(const char *part, char *dst, size_t n);
/* Resolves a relationship target against the folder of part. */
void disclose_rels_resolve(const char *part, const char *target, char *dst,
                           size_t n);
/* Does formula text refer to the sheet ('Name'!A1 or Name!A1)? */
int disclose_refers_to(const char *formula, const char *sheet);
/* One flag byte per cellXfs entry (1 white font, 2 under 2 pt); returns
 * owned array (free()) and its length in *n, NULL when none. */
uint8_t *disclose_xlsx_xf_flags(struct disclose_ctx *c, struct disclose_zip *z,
                                size_t *n);
/* Collected text of a small XML element, for property values. */
void disclose_clip(const char *s, size_t n, char *dst, size_t dn);

#endif
