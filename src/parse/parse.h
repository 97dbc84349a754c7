/* parse.h -- decoders: raw records (log lines, EVTX files) to Events.
 *
 * Line decoders are zero-copy: the fields of the event point into the line
 * (or into ev->arena when text had to be unescaped), so the line must stay
 * alive as long as the event. Every decoder has explicit bounds and never
 * reads past len; a line it cannot decode yields VIGIL_EPARSE and the
 * caller counts it as failed.
 *
 * Decoders (--format names):
 *   syslog  RFC 3164 and RFC 5424, with the message decoded further for
 *           Linux auth programs (sshd, sudo, su, PAM, useradd/usermod/
 *           groupadd/passwd/chpasswd, systemd-logind) -- this is "auth"
 *   auth    alias of syslog
 *   auditd  Linux audit records (type=... msg=audit(...): key=value ...)
 *   access  Apache/nginx common and combined access logs
 *   json    JSON lines; nested objects become dotted names ("a.b.c"),
 *           a repeated key is its last copy, an array of scalars one
 *           field per element (VIGIL_FF_ELEM), other arrays their raw
 *           JSON text as one field
 *   cef     ArcSight Common Event Format (bare or behind a syslog header)
 *   suricata, zeek  the sensors' JSON logs renamed to ECS (parse_sensor.c);
 *           Zeek's TSV logs need their header: vigil_zeek_tsv_line
 *   evtx    Windows XML event log files (file-level, vigil_evtx_read_file)
 *   raw     the line as `message`, nothing else
 */
#ifndef VIGIL_PARSE_H
#define VIGIL_PARSE_H

#include <stddef.h>

#include "core/core.h"

#define VIGIL_MAX_LINE (1024 * 1024) /* longer lines are refused */

struct vigil_tz;

struct vigil_parse_opts {
    int default_year; /* year for RFC 3164 stamps (no year); 0: this year */
    int64_t now_ns;   /* reference "now" for year inference; 0: clock */
    /* zone of RFC 3164 stamps (no zone); NULL: UTC. Borrowed. */
    const struct vigil_tz *tz;
};

struct vigil_decoder {
    const char *name;
    /* The kind of log it reads (enum vigil_log_family); copied into each
     * event it decodes. */
    int family;
    /* How likely (0..100) the line is in this format; cheap. */
    int (*probe)(const char *line, size_t len);
    /* Decodes line into ev (already initialised by the caller). */
    enum vigil_rc (*decode)(struct vigil_event *ev, const char *line,
                            size_t len, const struct vigil_parse_opts *opts);
};

/* Returns the static decoder called name (see list above), or NULL. */
const struct vigil_decoder *vigil_decoder_by_name(const char *name);
/* Picks the decoder that best fits sample lines (borrowed); never NULL:
 * falls back to "raw". */
const struct vigil_decoder *vigil_decoder_detect(const char *const *lines,
                                                 const size_t *lens, size_t n);
/* Names of all decoders, NULL-terminated, for --help. */
const char *const *vigil_decoder_names(void);

/* Decodes one line: strips a trailing "\n" and "\r", drops NUL padding
 * (a line's bytes up to its last NUL byte: what a power cut leaves in a
 * file before the lines written after it), refuses lines longer than
 * VIGIL_MAX_LINE or holding nothing but padding (VIGIL_EPARSE), and sets
 * ev->raw. VIGIL_ENOMEM when an allocation in ev->arena failed (never a
 * line decoded with less, never EPARSE). On failure ev holds no fields. */
enum vigil_rc vigil_decode_line(const struct vigil_decoder *d,
                                struct vigil_event *ev, const char *line,
                                size_t len,
                                const struct vigil_parse_opts *opts);

/* Format auto-detection for one stream of lines (a file, a network
 * source), decided line by line: the decoder the last lines fitted is
 * tried first; a line it does not decode is probed against the other
 * decoders (at most one probe and one decode each), and the decoder that
 * decodes it becomes the current one. A syslog line that carries CEF is
 * read as CEF. A line that fits nothing is a failed line of the current
 * format; while no format has fitted, it is kept as "raw", and the next
 * line is probed again. A refused line (NUL padding only, too long) never
 * changes the decoder. Zero-initialise, or set cur to a decoder detected
 * from a sample (vigil_decoder_detect) as a first guess. Caller-owned, no
 * resources: nothing to free. */
struct vigil_decoder_auto {
    const struct vigil_decoder *cur; /* NULL: nothing decoded yet */
};

/* Decodes one line (borrowed; same rules as vigil_decode_line) with the
 * decoder a chooses, updating a. VIGIL_EPARSE: the line fitted no
 * decoder or was refused (ev holds no fields); VIGIL_ENOMEM as for
 * vigil_decode_line (no other decoder is tried). */
enum vigil_rc vigil_decode_auto(struct vigil_decoder_auto *a,
                                struct vigil_event *ev, const char *line,
                                size_t len,
                                const struct vigil_parse_opts *opts);

/* ---- Zeek's TSV logs (parse_zeek_tsv.c) ---- */

/* A stream of Zeek ASCII log lines is read with the header it carries
 * (#separator, #set_separator, #empty_field, #unset_field, #path,
 * #fields, #types): one state per stream, fixed size, no allocation. The
 * events have the ECS fields of the "zeek" JSON decoder. */
#define VIGIL_ZEEK_TSV_MAX_COLS 128
struct vigil_zeek_tsv {
    char sep, set_sep;
    char unset[16], empty[16];
    uint8_t unset_len, empty_len;
    char path[32];
    uint16_t ncols, ntypes;
    uint16_t name_off[VIGIL_ZEEK_TSV_MAX_COLS];
    uint8_t name_len[VIGIL_ZEEK_TSV_MAX_COLS];
    uint8_t type[VIGIL_ZEEK_TSV_MAX_COLS];
    uint8_t is_set[VIGIL_ZEEK_TSV_MAX_COLS];
    char names[8192];
};
/* Sets Zeek's defaults (tab, ",", "-", "(empty)"). */
void vigil_zeek_tsv_init(struct vigil_zeek_tsv *z);
/* Does line start a Zeek TSV log ("#separator ...")? */
int vigil_zeek_tsv_probe(const char *line, size_t len);
/* Reads one line (borrowed; the event's texts point into it or into
 * ev->arena; names are copied to the arena). A header line updates z and
 * returns VIGIL_END (no event); a data line fills ev (VIGIL_OK), or
 * VIGIL_EPARSE when no #fields came before or its columns do not match
 * them; VIGIL_ENOMEM when the arena is exhausted. */
enum vigil_rc vigil_zeek_tsv_line(struct vigil_zeek_tsv *z,
                                  struct vigil_event *ev, const char *line,
                                  size_t len,
                                  const struct vigil_parse_opts *opts);

/* ---- time zones (parse_tz.c) ---- */

/* A zone's UTC offsets over time, read once from its TZif file (RFC 8536)
 * and never changed after: any number of threads may read it. */

/* Loads the zone called name: "UTC", a fixed offset ("+05:30", "-0800"),
 * "local" (/etc/localtime) or an IANA name ("Europe/Berlin") read from
 * $TZDIR or /usr/share/zoneinfo. Returns owned (free with vigil_tz_free). */
enum vigil_rc vigil_tz_load(struct vigil_tz **out, const char *name,
                            struct vigil_err *err);
/* Builds a zone from the bytes of a TZif file (borrowed); malformed files
 * and zones counting leap seconds are refused. Returns owned. */
enum vigil_rc vigil_tz_parse(struct vigil_tz **out, const void *data,
                             size_t len, struct vigil_err *err);
void vigil_tz_free(struct vigil_tz *tz);
/* The offset east of UTC, in seconds, in effect at utc_s. */
int32_t vigil_tz_offset(const struct vigil_tz *tz, int64_t utc_s);
/* ns since the epoch of a wall-clock time in the zone, given as ns since
 * the epoch as if it were UTC. A time the clocks showed twice (set back)
 * is the first; one they skipped (set forward) is read with the offset
 * before the change. */
int64_t vigil_tz_to_utc(const struct vigil_tz *tz, int64_t local_ns);

/* ---- Windows EVTX ---- */

/* Called once per decoded record; ev and its arena are reused after the
 * call returns. Return VIGIL_OK to go on, anything else stops the read
 * and is returned by the reader. */
typedef enum vigil_rc (*vigil_event_fn)(struct vigil_event *ev, void *arg);

struct vigil_evtx_stats {
    uint64_t records;        /* records decoded into events */
    uint64_t failed;         /* records found but not decodable */
    uint64_t recovered;      /* of records: carved (vigil_evtx_opts.carve) */
    uint64_t damaged_chunks; /* chunks skipped: bad signature or CRC32 */
};

/* How to read an EVTX file. Zeroed: allocated records only, threads as
 * the file's size and the machine's cores say. */
struct vigil_evtx_opts {
    /* Also recover records (signature 0x2a2a0000) from slack space after
     * each chunk's records, damaged chunks and a truncated last chunk;
     * those whose record identifier was read already are left out. Slack
     * can hold stale records of another log (docs/evtx.md). */
    int carve;
    /* Decoding threads for a file of many chunks: 0 as many as cores (at
     * most 8), 1 the calling thread only. The callback is always called
     * from the calling thread, in file order. */
    int threads;
};

/* Is this file an EVTX file (by its "ElfFile" signature)? */
int vigil_evtx_is_file(const char *path);
/* Does the EVTX file at path look damaged (short or bad file header, no
 * chunk after it)? For saying why a file gave no record. */
int vigil_evtx_looks_damaged(const char *path);
/* Reads every record of the EVTX file at path, flattening System fields
 * and EventData/UserData under the names Sigma uses (EventID, Channel,
 * Provider_Name, Computer, TimeCreated, CommandLine, ...; docs/evtx.md).
 * o NULL: defaults. Damaged chunks are skipped and counted (log 1300).
 * Returns VIGIL_OK; VIGIL_EPARSE (no EVTX file), VIGIL_EIO, VIGIL_ENOMEM,
 * or what fn returned to stop. Everything is borrowed. */
enum vigil_rc vigil_evtx_read(const char *path, const struct vigil_evtx_opts *o,
                              vigil_event_fn fn, void *arg,
                              struct vigil_evtx_stats *stats,
                              struct vigil_err *err);
/* vigil_evtx_read with the defaults. */
enum vigil_rc vigil_evtx_read_file(const char *path, vigil_event_fn fn,
                                   void *arg, struct vigil_evtx_stats *stats,
                                   struct vigil_err *err);
/* Same over an in-memory image (fuzzing, tests); data is borrowed and
 * read in place. */
enum vigil_rc vigil_evtx_read_image(const void *data, size_t len,
                                    const struct vigil_evtx_opts *o,
                                    vigil_event_fn fn, void *arg,
                                    struct vigil_evtx_stats *stats,
                                    struct vigil_err *err);
enum vigil_rc vigil_evtx_read_mem(const void *data, size_t len,
                                  vigil_event_fn fn, void *arg,
                                  struct vigil_evtx_stats *stats,
                                  struct vigil_err *err);

/* ---- Whole files (parse_file.c) ---- */

/* How vigil_parse_file reads a file. Zeroed: the format detected per
 * file, this year for stamps without one, nothing told. */
struct vigil_parse_file_opts {
    const struct vigil_decoder *forced; /* every line as this; NULL: detect */
    struct vigil_parse_opts parse;
    /* Told the format of the file once it is known (path "(stdin)" for
     * "-"); NULL: not told. */
    void (*on_format)(const char *path, const char *format, void *arg);
    /* Told what went wrong in a file that still counts as read (a damaged
     * EVTX file, records that could not be decoded); msg names the file and is
     * borrowed for the call. NULL: not told. */
    void (*on_note)(const char *msg, void *arg);
    /* EVTX files: also carve records from slack space and damaged chunks
     * (struct vigil_evtx_opts.carve). */
    int evtx_carve;
};

/* Added to by vigil_parse_file, never reset: zero it once for a run. */
struct vigil_parse_file_stats {
    uint64_t events; /* decoded */
    uint64_t failed; /* lines or records that could not be decoded */
};

/* Called once per decoded event; ev (borrowed) and what it points into are
 * reused after the call. Non-zero stops the read at once. */
typedef int (*vigil_parse_event_fn)(const struct vigil_event *ev, void *arg);

/* Reads the log file at path ("-": stdin) and decodes every event in it:
 * lines in the forced format or the one each fits (format detected from
 * the first lines), EVTX files by signature or when forced. Blank lines
 * are skipped; bad or over-long lines (VIGIL_MAX_LINE) are counted in
 * st->failed. on_event NULL: count only. arg goes to every callback of
 * opts and to on_event. FIFOs and other non-regular files are refused
 * (stdin is what "-" is for). Returns VIGIL_OK; VIGIL_END when on_event
 * stopped the read; VIGIL_EIO when the file cannot be opened or read
 * (err->msg names it); VIGIL_ENOMEM (a line whose decoding ran out of
 * memory stops the read: it is no bad line). Everything is borrowed. */
enum vigil_rc vigil_parse_file(const char *path,
                               const struct vigil_parse_file_opts *opts,
                               vigil_parse_event_fn on_event, void *arg,
                               struct vigil_parse_file_stats *st,
                               struct vigil_err *err);

#endif
