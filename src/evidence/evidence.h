/* evidence.h -- the evidence log: an append-only, hash-chained record of
 * alerts, response actions and incident changes, each entry signed with
 * Ed25519 by a key the daemon keeps in its state directory, so that what
 * vigil saw and did can be shown later to someone who does not trust the
 * machine it ran on (docs/evidence.md gives the format).
 *
 * Its own domain rather than part of src/incident: response actions
 * (src/respond) log here too, and neither of those domains should depend
 * on the other to do it.
 *
 * Appending is two steps. vigil_evidence_append* queues an entry in a
 * table of pending entries inside the caller's write (its own
 * transaction, a domain's transaction, or a daemon batch), so the entry
 * is stored exactly when what it records is. vigil_evidence_seal then
 * chains and signs the pending entries in one transaction of its own,
 * on one thread at a time (the write lock orders the daemon and the
 * commands), and moves the signed head along; the daemon seals once a
 * second, a command right after its write. */
#ifndef VIGIL_EVIDENCE_H
#define VIGIL_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "store/store.h"

/* The evidence log's tables: pending entries, the chain, its head. */
extern const struct vigil_store_schema vigil_evidence_schema;

/* Lengths of the hex texts: SHA-256, Ed25519 public key, signature. */
#define VIGIL_EVIDENCE_HASH_HEX 64
#define VIGIL_EVIDENCE_PUB_HEX  64
#define VIGIL_EVIDENCE_SIG_HEX  128
/* The longest kind or actor, in bytes. */
#define VIGIL_EVIDENCE_NAME_MAX 128

/* The signing key. */
struct vigil_evidence_key;

/* Loads STATE/evidence.key (Ed25519 secret key, mode 0600), generating it
 * and STATE/evidence.pub (the public key in hex, 0644) the first time. A
 * key file others can read or write is refused (VIGIL_EPERM), and so is a
 * missing key where evidence.pub or the anchor shows one was made (no new
 * key is made: restore it). evidence.pub is rewritten when it is not the
 * loaded key's. Removes evidence.*.tmp.* files killed writers left.
 * state_dir borrowed. Returns owned *out (free with
 * vigil_evidence_key_free). */
enum vigil_rc vigil_evidence_key_load(struct vigil_evidence_key **out,
                                      const char *state_dir,
                                      struct vigil_err *err);
void vigil_evidence_key_free(struct vigil_evidence_key *k);
/* The public key in lower-case hex into out. */
void vigil_evidence_key_pub(const struct vigil_evidence_key *k,
                            char out[VIGIL_EVIDENCE_PUB_HEX + 1]);
/* Reads STATE/evidence.pub into out (32 bytes); VIGIL_ENOTFOUND when the
 * daemon never made a key. */
enum vigil_rc vigil_evidence_pub_read(const char *state_dir, uint8_t out[32],
                                      struct vigil_err *err);

/* Queues one entry: kind ("alert", "incident.status", "respond.block"),
 * data (a JSON text, stored byte for byte) and actor (who: "vigil", a
 * user's name). kind and actor are 1..VIGIL_EVIDENCE_NAME_MAX bytes
 * without control characters (VIGIL_EINVAL otherwise). All borrowed.
 * _append writes in a transaction of its own, _tx inside tx (stored when
 * tx commits), _batch in a daemon batch (stored with it). */
enum vigil_rc vigil_evidence_append(struct vigil_store *s, const char *kind,
                                    const char *data, const char *actor,
                                    struct vigil_err *err);
enum vigil_rc vigil_evidence_append_tx(struct vigil_store_tx *tx,
                                       const char *kind, const char *data,
                                       const char *actor,
                                       struct vigil_err *err);
enum vigil_rc vigil_evidence_append_batch(struct vigil_store_batch *b,
                                          const char *kind, const char *data,
                                          const char *actor,
                                          struct vigil_err *err);

/* Like _tx or _batch (exactly one of tx and b is set), but the entry is
 * queued only when the query `unless` (a constant SELECT text; its
 * parameters p[0..n), n <= 8, borrowed) returns no row when the statement
 * runs. For a record that has a guard of its own (written again after a
 * refused batch), so that the evidence is not queued twice either. */
enum vigil_rc vigil_evidence_append_unless(
    struct vigil_store_tx *tx, struct vigil_store_batch *b, const char *kind,
    const char *data, const char *actor, const char *unless,
    const struct vigil_store_value *p, size_t n, struct vigil_err *err);

/* Chains and signs the pending entries with k (borrowed), oldest first,
 * at most 4096 per transaction, until none is left; sets *sealed (may be
 * NULL). Does nothing, taking no write lock, when none is pending. A log
 * whose head is missing while entries are there is refused (VIGIL_EPERM):
 * sealing on would hide the damage. */
enum vigil_rc vigil_evidence_seal(struct vigil_store *s,
                                  const struct vigil_evidence_key *k,
                                  int64_t *sealed, struct vigil_err *err);

/* One sealed entry (strings borrowed for the callback). */
struct vigil_evidence_entry {
    int64_t seq; /* 1, 2, ... */
    int64_t time_ns;
    const char *kind, *actor, *data;
    const char *prev; /* hex hash of the entry before; 64 zeros for 1 */
    const char *hash; /* hex SHA-256 of the canonical form */
    const char *sig;  /* hex Ed25519 signature of the hash's 32 bytes */
};

/* The signed head: the last entry's position and hash. */
struct vigil_evidence_head {
    int64_t seq;
    char hash[VIGIL_EVIDENCE_HASH_HEX + 1];
    char sig[VIGIL_EVIDENCE_SIG_HEX + 1];
    char pub[VIGIL_EVIDENCE_PUB_HEX + 1];
};

/* Calls fn for every sealed entry in order; fn returns non-zero to stop.
 * *head (may be NULL) gets the head, seq 0 when there is none. */
enum vigil_rc
vigil_evidence_each(struct vigil_store *s,
                    int (*fn)(const struct vigil_evidence_entry *e, void *arg),
                    void *arg, struct vigil_evidence_head *head,
                    struct vigil_err *err);

/* The canonical form's hash of e (its seq, time_ns, kind, actor, prev and
 * data; e->hash and e->sig are not read), as hex. */
void vigil_evidence_hash(const struct vigil_evidence_entry *e,
                         char out[VIGIL_EVIDENCE_HASH_HEX + 1]);

/* What verification found. */
struct vigil_evidence_verdict {
    int64_t entries; /* sealed entries read */
    int64_t pending; /* entries queued but not sealed yet */
    int64_t bad;     /* the first bad entry's position; 0: intact */
    char why[256];   /* what is wrong with it */
    int64_t anchor;  /* the anchor's position; -1: none was checked */
    struct vigil_evidence_head head; /* the signed head read (seq 0: none) */
    int64_t head_time_ns;            /* its entry's time; 0: none */
    int64_t anchor_time_ns;          /* when the anchor was written */
};

/* Checks the whole log against pub (32 bytes, borrowed): positions 1..n
 * without gap, each entry's hash recomputed, each signature, each link
 * to the entry before, and the signed head against the last entry (so
 * entries cut off the end are found). VIGIL_OK with v->bad == 0 when
 * intact; VIGIL_OK with v->bad and v->why set when not; other codes when
 * the log could not be read. */
enum vigil_rc vigil_evidence_verify(struct vigil_store *s,
                                    const uint8_t pub[32],
                                    struct vigil_evidence_verdict *v,
                                    struct vigil_err *err);

/* The anchor, STATE/evidence.head: the head again, outside the store,
 * written (temporary file, fsync, rename, fsync of the folder) by every
 * seal after its commit and when a key is made (entry 0), never moved
 * back. A store emptied of its log and head together no longer matches
 * it. Its signature covers vigil_evidence_anchor_text. */
struct vigil_evidence_anchor {
    int64_t seq;
    int64_t time_ns; /* when it was written */
    char hash[VIGIL_EVIDENCE_HASH_HEX + 1];
    char sig[VIGIL_EVIDENCE_SIG_HEX + 1];
};

/* Reads STATE/evidence.head (state_dir borrowed): VIGIL_ENOTFOUND when
 * there is none, VIGIL_EPARSE when it is not an anchor. */
enum vigil_rc vigil_evidence_anchor_read(const char *state_dir,
                                         struct vigil_evidence_anchor *out,
                                         struct vigil_err *err);
/* "vigil-evidence-anchor-1" LF seq LF hash LF time_ns into dst; returns
 * its length. */
size_t vigil_evidence_anchor_text(const struct vigil_evidence_anchor *a,
                                  char *dst, size_t len);

/* vigil_evidence_verify, then the anchor of state_dir (borrowed): there,
 * signed by pub, and naming an entry the log holds with that hash. The
 * anchor is read first and the store in one snapshot after it, so a seal
 * running meanwhile leaves the store ahead of the anchor, which is
 * accepted (the anchor proves a lower bound). A log shorter than the
 * anchor (entries and head deleted together) or a missing anchor is not
 * intact. v->anchor is its position. */
enum vigil_rc vigil_evidence_verify_anchored(struct vigil_store *s,
                                             const uint8_t pub[32],
                                             const char *state_dir,
                                             struct vigil_evidence_verdict *v,
                                             struct vigil_err *err);

#endif
