/* disclose.h -- the disclosure guard: checks a document before it is
 * published (a Freedom of Information response, a transparency return)
 * and says plainly what is hidden in it, where, and what to do.
 *
 * Formats are recognised by content: OOXML (XLSX/XLSM, DOCX, PPTX), ODF
 * (ODS/ODT/ODP), CSV/TSV, plain text, PDF and ZIP archives of these.
 * Every container is read with hard bounds (entry count, total inflated
 * size, compression ratio, nesting depth, XML without DTDs), so a hostile
 * file becomes a BLOCK finding, never a crash or an unbounded allocation.
 */
#ifndef VIGIL_DISCLOSE_H
#define VIGIL_DISCLOSE_H

#include <stddef.h>

#include "core/core.h"

enum vigil_disclose_verdict {
    VIGIL_DISCLOSE_PASS = 0,
    VIGIL_DISCLOSE_REVIEW = 1,
    VIGIL_DISCLOSE_BLOCK = 2
};

/* What a finding is about. Stable names via vigil_disclose_kind_name(). */
enum vigil_disclose_kind {
    VIGIL_DK_HIDDEN_SHEET = 1,  /* sheet state="hidden" / display=false */
    VIGIL_DK_VERY_HIDDEN_SHEET, /* state="veryHidden": not unhideable in UI */
    VIGIL_DK_HIDDEN_ROWS,       /* hidden or near-zero height rows */
    VIGIL_DK_HIDDEN_COLUMNS,    /* hidden or near-zero width columns */
    VIGIL_DK_PIVOT_CACHE,       /* pivot cache: source data travels along */
    VIGIL_DK_EXTERNAL_LINK,     /* link to another workbook or file */
    VIGIL_DK_DATA_CONNECTION,   /* database / web query connection */
    VIGIL_DK_HIDDEN_NAME,       /* defined name hidden or into hidden data */
    VIGIL_DK_COMMENTS,          /* comments, notes, annotations */
    VIGIL_DK_TRACKED_CHANGES,   /* insertions/deletions still in the file */
    VIGIL_DK_HIDDEN_TEXT,       /* w:vanish, hidden sections, hidden slides */
    VIGIL_DK_WHITE_TEXT,        /* font colour white */
    VIGIL_DK_TINY_TEXT,         /* font size under 2 pt */
    VIGIL_DK_METADATA,          /* author, last modified by, company... */
    VIGIL_DK_CUSTOM_PROPERTIES, /* user-defined document properties */
    VIGIL_DK_EMBEDDED_OBJECT,   /* OLE object, embedded package */
    VIGIL_DK_ATTACHMENT,        /* attached file (PDF) */
    VIGIL_DK_GPS_LOCATION,      /* image EXIF carries GPS coordinates */
    VIGIL_DK_SPEAKER_NOTES,     /* presentation notes */
    VIGIL_DK_PERSONAL_DATA,     /* personal data in visible content */
    VIGIL_DK_PEOPLE_RECORDS,    /* rows of people's records */
    VIGIL_DK_SCRIPT,            /* JavaScript / macros */
    VIGIL_DK_ENCRYPTED,         /* cannot inspect: password protected */
    VIGIL_DK_HOSTILE,           /* zip bomb, entity expansion, too deep */
    VIGIL_DK_DAMAGED,           /* truncated or malformed */
    VIGIL_DK_UNSUPPORTED,       /* format not inspected */
    VIGIL_DK_AMBIGUOUS,         /* zip entries share a name: readers differ */
    VIGIL_DK_UNEXPLAINED_PART,  /* package part no relationship reaches */
    VIGIL_DK_COUNT
};

/* Number of personal-data kinds counted per finding (indexes are the
 * recognisers' kinds; names via vigil_disclose_pii_name()). */
#define VIGIL_DISCLOSE_PII_SLOTS 16

/* One finding. All strings are owned by the result they belong to. */
struct vigil_disclose_finding {
    enum vigil_disclose_kind kind;
    enum vigil_disclose_verdict severity; /* what it does to the verdict */
    /* Where: any may be NULL. member: path inside an archive
     * ("letters.zip/staff.xlsx"); part: the package part ("xl/
     * worksheets/sheet3.xml"); sheet: sheet or slide name; range: cell
     * range, row/column list or "paragraph 4"; page: PDF page, 0 = none. */
    const char *member;
    const char *part;
    const char *sheet;
    const char *range;
    int page;
    const char *detail; /* one sentence: what is there */
    const char *advice; /* one sentence: what to do */
    size_t count;       /* items found (cells, comments, records...) */
    size_t pii[VIGIL_DISCLOSE_PII_SLOTS]; /* personal data by kind */
    size_t pii_total;
};

struct vigil_disclose_result_int;

/* The outcome for one file. Owned by the caller (free with
 * vigil_disclose_result_free). */
struct vigil_disclose_result {
    const char *name;   /* as given */
    const char *format; /* "xlsx", "docx", "ods", "csv", "pdf", ... */
    enum vigil_disclose_verdict verdict;
    struct vigil_disclose_finding *findings;
    size_t nfindings;
    /* Findings past the listing cap (4,096): not stored, but counted in
     * the verdict, which is made from every finding. */
    size_t unlisted;
    size_t people_records; /* rows of people's records, all sheets */
    size_t pii_total;      /* personal data items anywhere */
    size_t bytes;          /* input size */
    struct vigil_disclose_result_int *priv;
};

/* What to allow. Borrowed by vigil_disclose_new for its call only. */
struct vigil_disclose_policy {
    size_t max_records; /* more people's records -> BLOCK (50) */
    const char *const *custom_patterns; /* PCRE2, passed to recognisers */
    size_t ncustom_patterns;
    const char *const *custom_headers; /* extra header words */
    size_t ncustom_headers;
    /* Bounds on hostile input. */
    size_t max_input_bytes; /* whole file (1 GiB) */
    /* Inflated bytes per container (16 GiB): a real 100 MB workbook holds
     * over 1 GB of sheet XML, which is streamed, so this bounds time, not
     * memory; zip bombs are caught by max_ratio long before. */
    size_t max_total_inflate;
    size_t max_part_bytes;    /* one part held in memory whole (512 MiB) */
    size_t max_entries;       /* zip entries (20,000) */
    unsigned max_ratio;       /* compression ratio per entry (200) */
    unsigned max_depth;       /* archive nesting (4) */
    size_t max_strings_bytes; /* shared strings kept (128 MiB) */
};

/* Fills p with the defaults above. */
void vigil_disclose_policy_default(struct vigil_disclose_policy *p);

struct vigil_disclose;

/* Builds a checker (recognisers compiled once). policy may be NULL for
 * the defaults. Returns owned *out (free with vigil_disclose_free). */
enum vigil_rc vigil_disclose_new(struct vigil_disclose **out,
                                 const struct vigil_disclose_policy *policy,
                                 struct vigil_err *err);
void vigil_disclose_free(struct vigil_disclose *d);

/* Checks data (borrowed) called name (borrowed, used in locations).
 * Damage and hostility become findings; an error is returned only for
 * memory exhaustion or bad arguments. Returns owned *out. */
enum vigil_rc vigil_disclose_check_buffer(struct vigil_disclose *d,
                                          const char *name, const void *data,
                                          size_t len,
                                          struct vigil_disclose_result **out,
                                          struct vigil_err *err);

/* Reads path (bounded by policy) and checks it. VIGIL_EIO /
 * VIGIL_ENOTFOUND when it cannot be read. Returns owned *out. */
enum vigil_rc vigil_disclose_check_file(struct vigil_disclose *d,
                                        const char *path,
                                        struct vigil_disclose_result **out,
                                        struct vigil_err *err);

void vigil_disclose_result_free(struct vigil_disclose_result *r);

/* Writes a copy of data (borrowed) with hidden content removed into out
 * (caller's buffer, appended to). OOXML only: hidden sheets, hidden rows
 * and columns, white or tiny cells, pivot caches, comments, notes,
 * external links, connections, document properties and tracked changes
 * (insertions accepted, deletions dropped), hidden and white text are
 * removed and the package's relationships and content types rewritten to
 * match; parts no relationship reaches are dropped. A package whose
 * entry names repeat is refused (VIGIL_EUNSUPPORTED): which copy to
 * clean is the ambiguity. *ext gets a static extension for the copy ("xlsx",
 * "docx", "pptx"). VIGIL_EUNSUPPORTED for other formats (ODF, CSV, PDF), which
 * must be edited by hand. */
enum vigil_rc vigil_disclose_clean(struct vigil_disclose *d, const void *data,
                                   size_t len, struct vigil_buf *out,
                                   const char **ext, struct vigil_err *err);

/* Reports. Append to out. */
enum vigil_rc vigil_disclose_report_text(const struct vigil_disclose_result *r,
                                         struct vigil_buf *out);
/* One JSON object for the file (no newline). */
enum vigil_rc vigil_disclose_report_json(const struct vigil_disclose_result *r,
                                         struct vigil_buf *out);
/* A self-contained HTML page for n results (inline CSS, escaped text). */
enum vigil_rc
vigil_disclose_report_html(const struct vigil_disclose_result *const *r,
                           size_t n, struct vigil_buf *out);

/* Static names. */
const char *vigil_disclose_verdict_name(enum vigil_disclose_verdict v);
const char *vigil_disclose_kind_name(enum vigil_disclose_kind k);
/* Name of personal-data slot i ("email", "uk_nino"), or NULL if unused. */
const char *vigil_disclose_pii_name(size_t i);

/* ---- Which documents a run checks (disclose_collect.c) ---- */

/* Given each document to check (path borrowed for the call). Anything but
 * VIGIL_OK: not taken (the callback says why), counted as not checked. */
typedef enum vigil_rc (*vigil_disclose_file_fn)(const char *path, void *arg);
/* Told what will not be checked: path and why (without the path), both
 * borrowed for the call. */
typedef void (*vigil_disclose_skip_fn)(const char *path, const char *why,
                                       void *arg);

/* Collects the documents paths[0..n) name: each regular file, and every
 * regular file under each folder (recursively, in path order, hidden ones
 * too, following symbolic links because what is published is what they
 * point at; a link loop is not followed). What cannot be checked -- a
 * missing path, a device or FIFO, an unreadable folder, a broken link, a
 * folder with no document -- goes to on_skipped (NULL: not told). Returns
 * VIGIL_OK when everything named was collected, else VIGIL_ENOTFOUND
 * (after collecting the rest). Everything is borrowed. */
enum vigil_rc vigil_disclose_collect(const char *const *paths, size_t n,
                                     vigil_disclose_file_fn on_file,
                                     vigil_disclose_skip_fn on_skipped,
                                     void *arg, struct vigil_err *err);

/* ---- release checks kept in the store (disclose_record.c) ---- */

struct vigil_store;
struct vigil_store_schema;

/* The disclose_checks table, for vigil_daemon_schemas. */
extern const struct vigil_store_schema vigil_disclose_schema;

/* Records r's file, format, verdict and findings, checked by user, in s
 * (opened with vigil_daemon_schemas). All borrowed. */
enum vigil_rc vigil_disclose_record(struct vigil_store *s,
                                    const struct vigil_disclose_result *r,
                                    const char *user, struct vigil_err *err);

/* One recorded check; strings borrowed for the callback. */
struct vigil_disclose_check_row {
    int64_t time_ns;
    const char *file, *format, *verdict, *user;
    int64_t findings;
};
/* Calls fn per recorded check, newest first, at most limit, only those of
 * verdict ("PASS", "REVIEW", "BLOCK"; NULL: all); fn returns non-zero to
 * stop. */
enum vigil_rc vigil_disclose_checks_each(
    struct vigil_store *s, const char *verdict, int64_t limit,
    int (*fn)(const struct vigil_disclose_check_row *r, void *arg), void *arg,
    struct vigil_err *err);

#endif
