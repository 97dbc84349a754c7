/* ingest_int.h -- private to src/ingest: the file tailer, the syslog
 * framer and the journal reader the pipeline drives. Unit tests include
 * it to test the pieces without threads or a store. */
#ifndef VIGIL_INGEST_INT_H
#define VIGIL_INGEST_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
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

/* ---- file tailer (ingest_tail.c) ---- */

#define INGEST_FP_LEN    256  /* bytes hashed into a fingerprint */
#define INGEST_MAX_FILES 1024 /* files one source follows at most */

struct ingest_tail;

/* Returns an owned tailer of the files matching globs (borrowed, copied)
 * (free with ingest_tail_free). Lines longer than max_line are skipped and
 * reported through sink->overlong. */
enum vigil_rc ingest_tail_new(struct ingest_tail **out, char *const *globs,
                              size_t nglobs, size_t max_line,
                              struct vigil_err *err);
void ingest_tail_free(struct ingest_tail *t);

/* Expands the globs and starts following files not yet followed. A file
 * with a checkpoint (from get) resumes there if it is still the same file
 * (dev, inode, fingerprint, size); if the file at the path was rotated
 * away while vigil was down, the old file is looked for in the same
 * directory by its inode and read to its end first. Files without a
 * checkpoint are read from the start. */
enum vigil_rc ingest_tail_scan(struct ingest_tail *t, ingest_ckpt_get_fn get,
                               void *arg, struct vigil_err *err);

/* Reads what is available from every file, at most max_bytes per file,
 * handing complete lines to sink. Detects rotation by rename (the old
 * file is read to its end, its last partial line emitted, then the new
 * file is read from offset 0) and truncation (size below the read offset
 * or a changed fingerprint: read again from 0). With at_eof_flush, a
 * partial last line is emitted too (one-shot reading of finished files).
 * Sets *bytes to what was read. */
enum vigil_rc ingest_tail_poll(struct ingest_tail *t,
                               const struct ingest_sink *sink, size_t max_bytes,
                               int at_eof_flush, size_t *bytes,
                               struct vigil_err *err);

/* Closes every file and forgets all positions, so the next scan resumes
 * from the checkpoints get returns (after a failed store commit). */
void ingest_tail_reset(struct ingest_tail *t);

/* Number of files followed (open or waiting to reappear). */
size_t ingest_tail_nfiles(const struct ingest_tail *t);

/* The 64-bit FNV-1a hash used for fingerprints. */
uint64_t ingest_hash(const void *p, size_t n);

/* ---- syslog framing (ingest_syslog.c) ---- */

/* Splits a TCP syslog stream into messages: RFC 6587 octet counting
 * ("LEN SP MSG") when a frame starts with a digit, newline framing
 * otherwise. Messages over max are cut to max and counted by the caller
 * as failed (oversize set). */
struct ingest_framer {
    struct vigil_buf buf; /* bytes received, not yet framed */
    size_t max;
    size_t skip;         /* bytes of an oversize frame still to drop */
    int skip_to_newline; /* dropping an oversize newline-framed message */
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
