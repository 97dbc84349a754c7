/* ingest_int.h -- private to src/ingest: the source-type table and the
 * shared machinery every source uses (ingest_pipeline.c), and the file
 * tailer, the syslog framer and the journal reader the source types
 * drive. Unit tests include it to test the pieces without threads or a
 * store, and to run the pipeline over a test-only source type. */
#ifndef VIGIL_INGEST_INT_H
#define VIGIL_INGEST_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/core.h"
#include "ingest.h"
#include "store/store.h"

/* Where complete lines go. `line` (without its '\n') is borrowed for the
 * call only. `cp` is borrowed too and is where the source stands just
 * after this line; its contents change with the next line, so a sink
 * that keeps it copies it. A non-OK return stops the read and is returned
 * by the caller. */
struct ingest_sink {
    enum vigil_rc (*line)(void *arg, const char *line, size_t len,
                          const struct vigil_checkpoint *cp);
    /* A line longer than the limit was skipped up to its newline. */
    enum vigil_rc (*overlong)(void *arg, const struct vigil_checkpoint *cp);
    void *arg;
};

/* Looks up the checkpoint to resume key from: fills cp and returns
 * VIGIL_OK, or VIGIL_ENOTFOUND for a source never read. */
typedef enum vigil_rc (*ingest_ckpt_get_fn)(void *arg, const char *key,
                                            struct vigil_checkpoint *cp);

/* ---- line ends (the tailer, newline framing) ---- */

/* How a stream ends its lines: "\n" (a "\r" before it is stripped by the
 * decoders), or "\r" alone (old Mac OS, some network devices) once the
 * stream has shown a "\r" followed by another byte and no "\n" yet; then
 * "\n" still ends a line too, so "\r\n" leaves an empty line, which is
 * no record. Zero-initialise per stream. */
struct ingest_eol {
    int cr;      /* "\r" ends lines */
    int seen_lf; /* a "\n" was seen: never "\r" alone */
};

/* Returns the first line end in p[0..n), or NULL. Inline: the tailer
 * calls it once per line. */
static inline const char *
ingest_eol_find(struct ingest_eol *e, const char *p, size_t n)
{
    const char *nl, *cr;

    if (!e->cr) {
        if ((nl = memchr(p, '\n', n)) != NULL) {
            e->seen_lf = 1;
            return nl;
        }
        /* No "\n" here: a "\r" with a byte after it ends a line. */
        if (e->seen_lf || (cr = memchr(p, '\r', n)) == NULL || cr + 1 == p + n)
            return NULL;
        e->cr = 1;
        return cr;
    }
    cr = memchr(p, '\r', n);
    nl = memchr(p, '\n', cr != NULL ? (size_t)(cr - p) : n);
    return nl != NULL ? nl : cr;
}

/* ---- source types and the shared machinery (ingest_pipeline.c) ---- */

/* One configured source as the pipeline runs it: its batch, arena,
 * decoder, counters and committed checkpoints. Opaque to source types,
 * which reach it through the ingest_src_* functions below. */
struct ingest_src;

/* A source type. Each lives in its own file (ingest_src_TYPE.c) and is
 * listed in the table of ingest_pipeline.c under its configuration name.
 * A type reads; everything else -- decoding, the detection hook, batches,
 * checkpoints, counters, store failures -- is the shared machinery's. */
struct ingest_source_ops {
    const char *type;           /* the configuration's name: "file", ... */
    const char *default_format; /* decoder when none is configured; NULL:
                                   decided line by line, per file (per
                                   checkpoint key) */
    /* On the caller's thread (vigil_ingest_start), before any batch is
     * submitted: what can fail (sockets, the journal) and the checkpoint
     * lookups (ingest_src_ckpt_get may ask the store here). Sets *state
     * (owned by the source, freed by close) even on failure. Returns
     * VIGIL_END when the source has nothing to read in this mode (syslog
     * with once): it is done at once and gets no thread. */
    enum vigil_rc (*open)(struct ingest_src *s, void **state,
                          struct vigil_err *err);
    /* The source's thread: reads, hands over lines or events, flushes,
     * until ingest_src_stopping() or the end of its input. The pipeline
     * submits what is left in the batch when run returns. */
    void (*run)(struct ingest_src *s, void *state);
    /* After a failed commit (ingest_src_recover): forget every position
     * and read again from the committed checkpoints (ingest_src_ckpt_get).
     * NULL for a source that cannot be re-read: it goes on reading. */
    void (*rewind)(struct ingest_src *s, void *state);
    /* Frees state (may be NULL, or half built by a failed open), after
     * the thread has ended. */
    void (*close)(void *state);
    /* On SIGHUP, on the daemon's thread while the source still runs: a
     * reference to what the source replacing this one (same name and
     * type, configuration next, borrowed for the call) can take over --
     * listening sockets with the input the kernel queued -- or NULL when
     * next cannot use it. The successor's open takes it with
     * ingest_src_inherited; close then leaves it open. NULL op: nothing
     * survives a reload. */
    void *(*hand_over)(void *state, const struct vigil_source_config *next);
    /* Drops a reference hand_over returned that no open took. */
    void (*release)(void *handed);
};

/* vigil_ingest_new over table (NULL-terminated, borrowed, must outlive
 * the pipeline) instead of the built-in source types. A configured
 * source runs the entry whose type is its configuration's type name.
 * Unit tests register a test-only type this way. */
enum vigil_rc ingest_new_with(struct vigil_ingest **out,
                              const struct vigil_ingest_config *cfg,
                              struct vigil_store *store,
                              const struct vigil_detector *det, int once,
                              const struct ingest_source_ops *const *table,
                              struct vigil_err *err);

/* The source's configuration and the pipeline's (batch and poll
 * settings); borrowed for the pipeline's life. */
const struct vigil_source_config *ingest_src_config(const struct ingest_src *s);
const struct vigil_ingest_config *
ingest_src_settings(const struct ingest_src *s);
/* Reading once (offline): read to the end, then return from run. */
int ingest_src_once(const struct ingest_src *s);
/* The pipeline is stopping: run returns soon, so a source waits for
 * input at most INGEST_WAIT_MS at a time. */
#define INGEST_WAIT_MS 200
int ingest_src_stopping(const struct ingest_src *s);

/* The functions below run on the source's thread only (open and rewind
 * included): they touch the open batch without a lock. */

/* Hands over one line (borrowed for the call; NULL: a record too long to
 * keep, counted as failed): decoded with the source's decoder (when none
 * is configured, decided line by line with vigil_decode_auto, one state
 * per checkpoint key, or one for the source when cp is NULL), passed to
 * the detection
 * hook, added to the batch. cp (borrowed, NULL for a source that cannot
 * be re-read) is where the source stands after the line; it is stored
 * with the batch. An empty line only moves the position. Closes the
 * batch when it is full. Non-OK: the line could not be stored and the
 * source must read it again (ingest_src_failed is set). */
enum vigil_rc ingest_src_line(struct ingest_src *s, const char *line,
                              size_t len, const struct vigil_checkpoint *cp);
/* Same for an event the source built itself (a packet, a file-integrity
 * record): ev is borrowed for the call; the pipeline sets its source_id,
 * and its time_ns when 0. Counted as in and decoded. */
enum vigil_rc ingest_src_event(struct ingest_src *s, struct vigil_event *ev,
                               const struct vigil_checkpoint *cp);
/* During open: what the source this one replaces handed over (see
 * hand_over), now owned by the caller, or NULL. */
void *ingest_src_inherited(struct ingest_src *s);
/* A sink handing the tailer's lines to ingest_src_line. */
void ingest_src_sink(struct ingest_src *s, struct ingest_sink *out);
/* An ingest_framer callback (arg is the source) over ingest_src_line,
 * without checkpoints: the messages of streams that cannot be re-read. */
enum vigil_rc ingest_src_message(void *arg, const char *msg, size_t len,
                                 int oversize);
/* n more records lost before they reached the source (a kernel queue). */
void ingest_src_add_dropped(struct ingest_src *s, uint64_t n);
/* bytes more of a file lost to a truncation before they were read. */
void ingest_src_add_truncated(struct ingest_src *s, uint64_t bytes);
/* bytes more written to rotated files after vigil let them go, and files
 * more rotated away that could not be read (see ingest_tail_take_unread). */
void ingest_src_add_unread(struct ingest_src *s, uint64_t bytes,
                           uint64_t files);

/* Who sent what the source hands over next: a network source sets it
 * before handing over a sender's messages, and every event decoded from
 * them gets `log.source.address` (the IP) and `log.source.port`. p is
 * borrowed until the next call; NULL: no sender (the default). */
struct ingest_peer {
    uint8_t ip[16]; /* IPv4 mapped */
    uint16_t port;
    uint8_t text_len, port_len;
    char text[46]; /* vigil_ip_format's form */
    char port_text[6];
};
void ingest_src_set_peer(struct ingest_src *s, const struct ingest_peer *p);

/* Submits the open batch to the store if it holds anything. Sources call
 * it when they have nothing more to read for now. */
enum vigil_rc ingest_src_flush(struct ingest_src *s, struct vigil_err *err);
/* Same, only if the batch has been open for ingest.batch_time: sources
 * call it after each read that handed something over. */
enum vigil_rc ingest_src_flush_due(struct ingest_src *s, struct vigil_err *err);

/* An ingest_ckpt_get_fn (arg is the source) over the checkpoints this
 * source has committed, and during open also the store's. */
enum vigil_rc ingest_src_ckpt_get(void *arg, const char *key,
                                  struct vigil_checkpoint *cp);
/* Has a batch of this source failed to be stored (or to be built)? */
int ingest_src_failed(struct ingest_src *s);
/* After a failure: waits until the store's queue has drained, drops the
 * open batch, calls the type's rewind and pauses a second before reading
 * on. Without rewind it only clears the failure. Returns 1 when it
 * rewound (the caller starts its round again), 0 when there was nothing
 * to do or nothing to rewind. */
int ingest_src_recover(struct ingest_src *s);

/* Monotonic milliseconds, and a sleep that resumes after signals. */
int64_t ingest_mono_ms(void);
void ingest_sleep_ms(int64_t ms);

/* The built-in types (ingest_src_TYPE.c). */
extern const struct ingest_source_ops ingest_src_file_ops;
extern const struct ingest_source_ops ingest_src_syslog_ops;
extern const struct ingest_source_ops ingest_src_journal_ops;
extern const struct ingest_source_ops ingest_src_stdin_ops;

/* ---- file tailer (ingest_tail.c) ---- */

#define INGEST_FP_LEN    256  /* bytes hashed into a fingerprint */
#define INGEST_MAX_FILES 1024 /* files one source follows at most */

struct ingest_tail;

/* Returns an owned tailer of the files matching globs (borrowed, copied)
 * (free with ingest_tail_free). Lines longer than max_line are skipped and
 * reported through sink->overlong. A file renamed away (rotation) is read
 * until it has been quiet for grace_ms after the new file appeared (0:
 * until its first end), as the writer may not have reopened yet; then the
 * new file is read, and the renamed one, while it exists under its
 * rotated name, still whenever it grows (a starved writer), at most 4
 * such files per tailer. */
enum vigil_rc ingest_tail_new(struct ingest_tail **out, char *const *globs,
                              size_t nglobs, size_t max_line, int64_t grace_ms,
                              struct vigil_err *err);
void ingest_tail_free(struct ingest_tail *t);

/* Expands the globs and starts following files not yet followed. A file
 * with a checkpoint (from get) resumes there if it is still the same file
 * (dev, inode, fingerprint, size). Otherwise it was rotated (or truncated
 * by copytruncate) while vigil was down, maybe more than once: the file
 * the checkpoint names is looked for among the rotated siblings in the
 * same directory by its inode, else by its first bytes (compressed or
 * copied since), and read from the checkpoint; then every sibling rotated
 * after it, oldest first; then the file at the path from its start.
 * Files without a checkpoint are read from the start. */
enum vigil_rc ingest_tail_scan(struct ingest_tail *t, ingest_ckpt_get_fn get,
                               void *arg, struct vigil_err *err);

/* Reads what is available from every file, at most max_bytes per file,
 * handing complete lines to sink. Detects rotation by rename (the old
 * file is read to its end and until quiet for the grace period, its last
 * partial line emitted, then the new file is read from offset 0) and
 * truncation (size below the read offset or a changed fingerprint: the
 * rest is read from the copy if one is found, then the file from 0). With
 * at_eof_flush, a partial last line is emitted too and a rotated file is
 * not waited for (one-shot reading of finished files). Sets *bytes to
 * what was read. */
enum vigil_rc ingest_tail_poll(struct ingest_tail *t,
                               const struct ingest_sink *sink, size_t max_bytes,
                               int at_eof_flush, size_t *bytes,
                               struct vigil_err *err);

/* Closes every file and forgets all positions, so the next scan resumes
 * from the checkpoints get returns (after a failed store commit). */
void ingest_tail_reset(struct ingest_tail *t);

/* Before the tailer is freed at a stop: hands out (to sink, borrowed)
 * what the rotated files still read hold and lets them go (counted
 * unread if sink refuses). Returns the first non-OK return of sink. */
enum vigil_rc ingest_tail_stop(struct ingest_tail *t,
                               const struct ingest_sink *sink);

/* Number of files followed (open or waiting to reappear). */
size_t ingest_tail_nfiles(const struct ingest_tail *t);
/* Bytes lost to truncation (a file truncated before they were read,
 * without a copy to read them from) since the last call. */
uint64_t ingest_tail_take_lost(struct ingest_tail *t);
/* Since the last call: *bytes written to rotated files vigil has let go
 * of that it did not read, and *files rotated away while vigil was down
 * that it could not read (compressed with what zlib cannot read, gone,
 * or past the catch-up limit): lines are missing. */
void ingest_tail_take_unread(struct ingest_tail *t, uint64_t *bytes,
                             uint64_t *files);

/* The 64-bit FNV-1a hash used for fingerprints. */
uint64_t ingest_hash(const void *p, size_t n);

/* ---- syslog framing and addresses (ingest_frame.c) ---- */

/* Splits a TCP syslog stream into messages: RFC 6587 octet counting
 * ("LEN SP MSG", MSG starting with '<' or '{') when a frame starts with a
 * digit, newline framing otherwise. Messages over max are dropped and
 * reported with oversize set (the caller counts them as failed). A count
 * that runs past the start of the next message (a newline followed by
 * "<DIGIT") is wrong: the frame is reported the same way and framing
 * resumes at that message, so a bogus count cannot swallow the messages
 * after it. */
struct ingest_framer {
    struct vigil_buf buf; /* bytes received, not yet framed */
    size_t max;
    size_t skip;           /* bytes of an oversize frame still to drop */
    int skip_to_newline;   /* dropping an oversize newline-framed message */
    size_t scanned;        /* bytes of the pending frame's body checked */
    struct ingest_eol eol; /* line ends, with newline framing only */
};

void ingest_framer_init(struct ingest_framer *f, size_t max);
void ingest_framer_fini(struct ingest_framer *f);
/* Feeds n bytes (borrowed) and calls fn for each complete message (msg
 * borrowed for the call). oversize is 1 for a message cut at max. A
 * non-OK return from fn stops and is returned. */
enum vigil_rc ingest_framer_feed(struct ingest_framer *f, const char *data,
                                 size_t n,
                                 enum vigil_rc (*fn)(void *arg, const char *msg,
                                                     size_t len, int oversize),
                                 void *arg);

/* Same with newline framing only (stdin). */
enum vigil_rc ingest_lines_feed(struct ingest_framer *f, const char *data,
                                size_t n,
                                enum vigil_rc (*fn)(void *arg, const char *msg,
                                                    size_t len, int oversize),
                                void *arg);
/* At end of stream: hands out a last message that lacks its newline. */
enum vigil_rc ingest_framer_finish(
    struct ingest_framer *f,
    enum vigil_rc (*fn)(void *arg, const char *msg, size_t len, int oversize),
    void *arg);

/* Parses "host:port", "[v6]:port" or ":port" into a socket address.
 * Returns 1 on success. */
struct sockaddr_storage;
int ingest_parse_listen(const char *text, struct sockaddr_storage *ss,
                        unsigned *sslen);
/* Fills p from a socket address (AF_INET or AF_INET6); returns 1, or 0
 * for another family. */
struct sockaddr;
int ingest_peer_set(struct ingest_peer *p, const struct sockaddr *sa);
/* Is ip inside one of sc's `allow:` networks (or has sc none)? */
int ingest_peer_allowed(const struct vigil_source_config *sc,
                        const uint8_t ip[16]);

/* ---- journal (ingest_journal.c) ---- */

struct ingest_journal;

/* Opens the local journal at cp (NULL: the head with from_head, else the
 * tail). Returns owned *out (free with ingest_journal_close). */
enum vigil_rc ingest_journal_open(struct ingest_journal **out,
                                  const struct vigil_checkpoint *cp,
                                  int from_head, struct vigil_err *err);
void ingest_journal_close(struct ingest_journal *jr);
/* Next entry as an RFC 5424 line (borrowed until the next call; NULL when
 * the entry was too long), with cp's offset and fingerprint set to where
 * the journal stands after it. VIGIL_END when there is none yet. */
enum vigil_rc ingest_journal_next(struct ingest_journal *jr, const char **line,
                                  size_t *len, struct vigil_checkpoint *cp,
                                  struct vigil_err *err);
/* Waits up to timeout_ms for new entries. */
int ingest_journal_wait(struct ingest_journal *jr, int timeout_ms);

#endif
