/* evidence.c -- the evidence log: its tables, the signing key, queueing,
 * sealing (chaining and signing) and verification. The canonical form
 * hashed for each entry and for the head is written down in
 * docs/evidence.md; tests/integration/evidence_verify.py checks an export
 * from that description alone. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "evidence.h"

#define SEAL_CHUNK 4096
#define ZERO_HASH                                                              \
    "0000000000000000000000000000000000000000000000000000000000000000"

static const struct vigil_store_migration evidence_steps[] = {
    {"evidence log, pending entries and signed head",
     "CREATE TABLE evidence_pending (uid TEXT PRIMARY KEY NOT NULL,"
     " created_ns BIGINT NOT NULL, kind TEXT NOT NULL, actor TEXT NOT NULL,"
     " data TEXT NOT NULL);"
     "CREATE INDEX evidence_pending_at ON evidence_pending (created_ns, uid);"
     "CREATE TABLE evidence_log (seq BIGINT PRIMARY KEY NOT NULL,"
     " time_ns BIGINT NOT NULL, kind TEXT NOT NULL, actor TEXT NOT NULL,"
     " data TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL,"
     " sig TEXT NOT NULL);"
     "CREATE TABLE evidence_head (id TEXT PRIMARY KEY NOT NULL,"
     " seq BIGINT NOT NULL, hash TEXT NOT NULL, sig TEXT NOT NULL,"
     " pub TEXT NOT NULL);"},
    /* The anchor came later: a store that already had a log when this
     * step ran is marked, and only such a store's first seal may anchor
     * the log as it is (anchor_heal). A store made since never is, so
     * deleting its log, head and anchor cannot be healed into "intact". */
    {"mark a log begun before the anchor",
     "CREATE TABLE evidence_upgrade (id TEXT PRIMARY KEY NOT NULL);"
     "INSERT INTO evidence_upgrade (id) SELECT 'anchor' WHERE EXISTS"
     " (SELECT 1 FROM evidence_head) OR EXISTS (SELECT 1 FROM evidence_log)"
     " OR EXISTS (SELECT 1 FROM evidence_pending);"},
};
const struct vigil_store_schema vigil_evidence_schema = {
    "evidence", evidence_steps,
    sizeof(evidence_steps) / sizeof(evidence_steps[0])};

struct vigil_evidence_key {
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    char state_dir[4096]; /* where the anchor goes */
};

/* ---- the key ---- */

static enum vigil_rc
write_all(int fd, const void *p, size_t n)
{
    const char *c = p;

    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return VIGIL_EIO;
        c += w;
        n -= (size_t)w;
    }
    return VIGIL_OK;
}

/* A file written whole or not at all: a temporary file beside path
 * (mode), written and fsync'd, then published under its name and the
 * folder fsync'd so that the name survives a crash too. excl: link(),
 * which fails with EEXIST (VIGIL_ECONFLICT) when the name exists, so of
 * several processes creating it exactly one wins; else rename(), which
 * replaces it. */
static enum vigil_rc
file_publish(const char *dir, const char *path, const void *data, size_t len,
             mode_t mode, int excl, struct vigil_err *err)
{
    char tmp[4300];
    int fd, dfd = -1, placed = 0;
    enum vigil_rc rc = VIGIL_OK;

    snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path);
    if ((fd = mkstemp(tmp)) < 0)
        return vigil_err_set(err, VIGIL_EIO, "creating a file beside %s: %s",
                             path, strerror(errno));
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 || fchmod(fd, mode) != 0 ||
        write_all(fd, data, len) != VIGIL_OK || fsync(fd) != 0) {
        rc = vigil_err_set(err, VIGIL_EIO, "writing %s: %s", tmp,
                           strerror(errno));
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        rc = vigil_err_set(err, VIGIL_EIO, "writing %s: %s", tmp,
                           strerror(errno));
        goto out;
    }
    fd = -1;
    if (excl ? link(tmp, path) != 0 : rename(tmp, path) != 0) {
        rc = excl && errno == EEXIST
                 ? VIGIL_ECONFLICT
                 : vigil_err_set(err, VIGIL_EIO, "publishing %s: %s", path,
                                 strerror(errno));
        goto out;
    }
    placed = !excl; /* a rename leaves no temporary name behind */
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
        fsync(dfd) != 0)
        rc = vigil_err_set(err, VIGIL_EIO, "syncing %s: %s", dir,
                           strerror(errno));
out:
    if (fd >= 0)
        close(fd);
    if (dfd >= 0)
        close(dfd);
    if (!placed)
        unlink(tmp);
    return rc;
}

/* ---- the anchor ---- */

/* STATE/evidence.head: the head again, outside the store, with the time
 * it was written and a signature over the three (docs/evidence.md). A
 * store emptied of its log and its head together still has to match it,
 * and the state directory is a different place from a store on a
 * database server. */
#define ANCHOR_MAGIC "vigil-evidence-anchor-1"

size_t
vigil_evidence_anchor_text(const struct vigil_evidence_anchor *a, char *dst,
                           size_t len)
{
    int n = snprintf(dst, len, ANCHOR_MAGIC "\n%lld\n%s\n%lld",
                     (long long)a->seq, a->hash, (long long)a->time_ns);

    return n < 0 ? 0 : (size_t)n;
}

static int
anchor_line(const char **p, char *dst, size_t len)
{
    size_t n = strcspn(*p, "\n");

    if ((*p)[n] != '\n' || n == 0 || n >= len)
        return 0;
    memcpy(dst, *p, n);
    dst[n] = '\0';
    *p += n + 1;
    return 1;
}

enum vigil_rc
vigil_evidence_anchor_read(const char *state_dir,
                           struct vigil_evidence_anchor *out,
                           struct vigil_err *err)
{
    char path[4200], magic[32], seq[24], tns[24], text[1024];
    const char *p;
    ssize_t len = 0, r;
    int fd;
    enum vigil_rc rc = VIGIL_OK;

    memset(out, 0, sizeof(*out));
    snprintf(path, sizeof(path), "%s/evidence.head", state_dir);
    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return vigil_err_set(err, errno == ENOENT ? VIGIL_ENOTFOUND : VIGIL_EIO,
                             "%s: %s", path, strerror(errno));
    while (len < (ssize_t)sizeof(text) - 1 &&
           ((r = read(fd, text + len, sizeof(text) - 1 - (size_t)len)) > 0 ||
            (r < 0 && errno == EINTR)))
        len += r > 0 ? r : 0;
    close(fd);
    text[len] = '\0';
    p = text;
    if (strlen(text) != (size_t)len || !anchor_line(&p, magic, sizeof(magic)) ||
        strcmp(magic, ANCHOR_MAGIC) != 0 ||
        !anchor_line(&p, seq, sizeof(seq)) ||
        !anchor_line(&p, out->hash, sizeof(out->hash)) ||
        !anchor_line(&p, tns, sizeof(tns)) ||
        !anchor_line(&p, out->sig, sizeof(out->sig)) || *p != '\0' ||
        !vigil_parse_i64(seq, strlen(seq), &out->seq) || out->seq < 0 ||
        !vigil_parse_i64(tns, strlen(tns), &out->time_ns) ||
        strlen(out->hash) != VIGIL_EVIDENCE_HASH_HEX ||
        strlen(out->sig) != VIGIL_EVIDENCE_SIG_HEX)
        rc = vigil_err_set(err, VIGIL_EPARSE, "%s is not an evidence anchor",
                           path);
    return rc;
}

/* The state directory's lock, which orders the writers of the key and
 * the anchor (the daemon and commands): an open descriptor of the
 * folder holding it (close() releases it), or -1 with err set. */
static int
dir_lock(const char *dir, struct vigil_err *err)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (dfd < 0) {
        vigil_err_set(err, VIGIL_EIO, "opening %s: %s", dir, strerror(errno));
        return -1;
    }
    while (flock(dfd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            vigil_err_set(err, VIGIL_EIO, "locking %s: %s", dir,
                          strerror(errno));
            close(dfd);
            return -1;
        }
    }
    return dfd;
}

/* Under dir_lock: moves the anchor to (seq, hash), never back (each
 * writer moves it after its commit, so one that commits first may come
 * here last). A crash between the commit and this leaves the anchor
 * behind the store, which verification accepts. */
static enum vigil_rc
anchor_put(const struct vigil_evidence_key *k, int64_t seq, const char *hash,
           struct vigil_err *err)
{
    struct vigil_evidence_anchor a = {.seq = seq}, cur;
    struct vigil_err ignored = {0};
    char path[4200], text[512];
    uint8_t sb[crypto_sign_BYTES];
    size_t n;

    snprintf(path, sizeof(path), "%s/evidence.head", k->state_dir);
    if (vigil_evidence_anchor_read(k->state_dir, &cur, &ignored) == VIGIL_OK &&
        cur.seq >= seq)
        return VIGIL_OK;
    snprintf(a.hash, sizeof(a.hash), "%s", hash);
    a.time_ns = vigil_time_now();
    n = vigil_evidence_anchor_text(&a, text, sizeof(text));
    crypto_sign_detached(sb, NULL, (const uint8_t *)text, n, k->sk);
    text[n++] = '\n';
    sodium_bin2hex(text + n, sizeof(text) - n, sb, sizeof(sb));
    n += VIGIL_EVIDENCE_SIG_HEX;
    text[n++] = '\n';
    return file_publish(k->state_dir, path, text, n, 0644, 0, err);
}

static enum vigil_rc
anchor_write(const struct vigil_evidence_key *k, int64_t seq, const char *hash,
             struct vigil_err *err)
{
    int dfd = dir_lock(k->state_dir, err);
    enum vigil_rc rc;

    if (dfd < 0)
        return err->rc;
    rc = anchor_put(k, seq, hash, err);
    close(dfd);
    return rc;
}

static enum vigil_rc
pub_write(const char *state_dir, const char *pubpath,
          const struct vigil_evidence_key *k, struct vigil_err *err)
{
    char hex[VIGIL_EVIDENCE_PUB_HEX + 2];

    sodium_bin2hex(hex, sizeof(hex), k->pk, sizeof(k->pk));
    hex[VIGIL_EVIDENCE_PUB_HEX] = '\n';
    hex[VIGIL_EVIDENCE_PUB_HEX + 1] = '\0';
    return file_publish(state_dir, pubpath, hex, strlen(hex), 0644, 0, err);
}

/* A new key, published with link() so that when several processes start
 * on a fresh state directory at once exactly one key is made and every
 * process uses it (VIGIL_ECONFLICT to the losers, which read the
 * winner's). The key file is never seen half written. */
static enum vigil_rc
key_create(const char *state_dir, const char *path, const char *pubpath,
           struct vigil_evidence_key *k, struct vigil_err *err)
{
    char hex[VIGIL_EVIDENCE_PUB_HEX + 1];
    enum vigil_rc rc;

    crypto_sign_keypair(k->pk, k->sk);
    rc = file_publish(state_dir, path, k->sk, sizeof(k->sk), 0600, 1, err);
    if (rc != VIGIL_OK)
        return rc;
    if ((rc = pub_write(state_dir, pubpath, k, err)) != VIGIL_OK)
        return rc;
    sodium_bin2hex(hex, sizeof(hex), k->pk, sizeof(k->pk));
    vigil_log(VIGIL_LOG_INFO, 2201,
              "evidence: new signing key %s, public key %s", path, hex);
    return VIGIL_OK;
}

static enum vigil_rc
key_read(const char *path, struct vigil_evidence_key *k, struct vigil_err *err)
{
    struct stat st;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    enum vigil_rc rc = VIGIL_OK;

    if (fd < 0)
        return errno == ENOENT ? VIGIL_ENOTFOUND
                               : vigil_err_set(err, VIGIL_EIO, "opening %s: %s",
                                               path, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = vigil_err_set(err, VIGIL_EIO, "%s is not a regular file", path);
        goto out;
    }
    if ((st.st_mode & 077) != 0) {
        rc = vigil_err_set(err, VIGIL_EPERM,
                           "%s is readable or writable by others (mode %03o); "
                           "the signing key must be 0600",
                           path, (unsigned)(st.st_mode & 0777));
        goto out;
    }
    n = read(fd, k->sk, sizeof(k->sk));
    if (n != (ssize_t)sizeof(k->sk)) {
        rc = vigil_err_set(err, VIGIL_EPARSE, "%s is not an Ed25519 key", path);
        goto out;
    }
    crypto_sign_ed25519_sk_to_pk(k->pk, k->sk);
out:
    close(fd);
    return rc;
}

/* Removes the temporary files a process killed in file_publish left
 * (evidence.head.tmp.*, evidence.key.tmp.*: a copy of the secret key).
 * Under dir_lock, so no writer is between mkstemp and its rename. */
static void
tmp_sweep(const char *state_dir)
{
    DIR *d = opendir(state_dir);
    struct dirent *de;
    char path[4400];

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, "evidence.", 9) != 0 ||
            strstr(de->d_name, ".tmp.") == NULL)
            continue;
        snprintf(path, sizeof(path), "%s/%s", state_dir, de->d_name);
        unlink(path);
    }
    closedir(d);
}

/* A key was made in state_dir before: its public key or an anchor is
 * there. */
static int
key_was_made(const char *state_dir, const char *pubpath)
{
    char path[4200];

    snprintf(path, sizeof(path), "%s/evidence.head", state_dir);
    return access(pubpath, F_OK) == 0 || access(path, F_OK) == 0;
}

/* pubpath holds k's public key in hex. */
static int
pub_matches(const char *pubpath, const struct vigil_evidence_key *k)
{
    char want[VIGIL_EVIDENCE_PUB_HEX + 1], got[VIGIL_EVIDENCE_PUB_HEX + 2];
    FILE *f = fopen(pubpath, "re");
    int ok = 0;

    if (f == NULL)
        return 0;
    sodium_bin2hex(want, sizeof(want), k->pk, sizeof(k->pk));
    if (fgets(got, sizeof(got), f) != NULL)
        ok = strncmp(got, want, VIGIL_EVIDENCE_PUB_HEX) == 0;
    fclose(f);
    return ok;
}

enum vigil_rc
vigil_evidence_key_load(struct vigil_evidence_key **out, const char *state_dir,
                        struct vigil_err *err)
{
    char path[4200], pubpath[4200];
    struct vigil_evidence_key *k;
    int dfd;
    enum vigil_rc rc;

    *out = NULL;
    if (sodium_init() < 0)
        return vigil_err_set(err, VIGIL_EIO, "libsodium did not initialise");
    if ((k = sodium_malloc(sizeof(*k))) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    snprintf(path, sizeof(path), "%s/evidence.key", state_dir);
    snprintf(pubpath, sizeof(pubpath), "%s/evidence.pub", state_dir);
    snprintf(k->state_dir, sizeof(k->state_dir), "%s", state_dir);
    /* Under the state directory's lock, so that a key is never seen
     * without its anchor: a process that starts while another makes the
     * key waits for both. */
    if ((dfd = dir_lock(state_dir, err)) < 0) {
        sodium_free(k);
        return err->rc;
    }
    tmp_sweep(state_dir);
    rc = key_read(path, k, err);
    if (rc == VIGIL_ENOTFOUND && key_was_made(state_dir, pubpath)) {
        /* A key was made here before (its public key or anchor is
         * left): a new one would silently start a chain the old log's
         * readers cannot follow and overwrite the only public key. */
        rc = vigil_err_set(err, VIGIL_EPERM,
                           "%s is missing, but %s/evidence.pub or "
                           "evidence.head shows a key was made: restore "
                           "evidence.key from a backup (mode 0600); not "
                           "making a new key (docs/evidence.md, \"Losing "
                           "the key\")",
                           path, state_dir);
    } else if (rc == VIGIL_ENOTFOUND) {
        rc = key_create(state_dir, path, pubpath, k, err);
        if (rc == VIGIL_ECONFLICT) /* another process made it first */
            rc = key_read(path, k, err);
        /* A new log is anchored at entry 0 at once: from now on a
         * missing anchor is damage, not a fresh directory. */
        else if (rc == VIGIL_OK)
            rc = anchor_put(k, 0, ZERO_HASH, err);
    } else if (rc == VIGIL_OK && !pub_matches(pubpath, k)) {
        /* evidence.pub is always the key actually loaded (a key put
         * back after a loss finds the other one's there) */
        rc = pub_write(state_dir, pubpath, k, err);
    }
    close(dfd);
    if (rc != VIGIL_OK) {
        sodium_free(k);
        return rc == VIGIL_ENOTFOUND
                   ? vigil_err_set(err, rc, "%s vanished", path)
                   : rc;
    }
    *out = k;
    return VIGIL_OK;
}

void
vigil_evidence_key_free(struct vigil_evidence_key *k)
{
    if (k != NULL)
        sodium_free(k);
}

void
vigil_evidence_key_pub(const struct vigil_evidence_key *k,
                       char out[VIGIL_EVIDENCE_PUB_HEX + 1])
{
    sodium_bin2hex(out, VIGIL_EVIDENCE_PUB_HEX + 1, k->pk, sizeof(k->pk));
}

enum vigil_rc
vigil_evidence_pub_read(const char *state_dir, uint8_t out[32],
                        struct vigil_err *err)
{
    char path[4200], *text = NULL;
    size_t len = 0, got = 0;
    enum vigil_rc rc;

    snprintf(path, sizeof(path), "%s/evidence.pub", state_dir);
    rc = vigil_read_file(path, 1024, &text, &len, err);
    if (rc != VIGIL_OK)
        return rc;
    if (sodium_hex2bin(out, 32, text, len, " \n", &got, NULL) != 0 || got != 32)
        rc = vigil_err_set(err, VIGIL_EPARSE, "%s is not a public key in hex",
                           path);
    free(text);
    return rc;
}

/* ---- queueing ---- */

#define PENDING_INSERT                                                         \
    "INSERT INTO evidence_pending (uid, created_ns, kind, actor, data)"        \
    " VALUES (?, ?, ?, ?, ?)"

static int
name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n == 0 || n > VIGIL_EVIDENCE_NAME_MAX)
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

/* Entries are chained in the order of created_ns, so a process never
 * gives two entries the same time: appends made one after another keep
 * their order even within one clock tick. */
static int64_t
stamp(void)
{
    static atomic_llong last;
    long long now = vigil_time_now(), prev = atomic_load(&last);

    for (;;) {
        long long next = now > prev ? now : prev + 1;
        if (atomic_compare_exchange_weak(&last, &prev, next))
            return next;
    }
}

/* The parameters of a pending row; uid is the caller's buffer. */
static enum vigil_rc
pending_params(struct vigil_store_value p[5], char uid[VIGIL_UID_LEN + 1],
               const char *kind, const char *data, const char *actor,
               struct vigil_err *err)
{
    if (!name_ok(kind) || !name_ok(actor) || data == NULL)
        return vigil_err_set(err, VIGIL_EINVAL,
                             "evidence: kind and actor must be 1..%d "
                             "printable bytes, data a text",
                             VIGIL_EVIDENCE_NAME_MAX);
    if (vigil_uid_new(uid) != VIGIL_OK)
        return vigil_err_set(err, VIGIL_EIO, "no random bytes for an id");
    p[0] = vigil_sv_text(uid);
    p[1] = vigil_sv_int(stamp());
    p[2] = vigil_sv_text(kind);
    p[3] = vigil_sv_text(actor);
    p[4] = vigil_sv_text(data);
    return VIGIL_OK;
}

enum vigil_rc
vigil_evidence_append(struct vigil_store *s, const char *kind, const char *data,
                      const char *actor, struct vigil_err *err)
{
    struct vigil_store_value p[5];
    char uid[VIGIL_UID_LEN + 1];
    enum vigil_rc rc = pending_params(p, uid, kind, data, actor, err);

    return rc != VIGIL_OK
               ? rc
               : vigil_store_exec(s, PENDING_INSERT, p, 5, NULL, err);
}

enum vigil_rc
vigil_evidence_append_tx(struct vigil_store_tx *tx, const char *kind,
                         const char *data, const char *actor,
                         struct vigil_err *err)
{
    struct vigil_store_value p[5];
    char uid[VIGIL_UID_LEN + 1];
    enum vigil_rc rc = pending_params(p, uid, kind, data, actor, err);

    return rc != VIGIL_OK
               ? rc
               : vigil_store_tx_exec(tx, PENDING_INSERT, p, 5, NULL, err);
}

enum vigil_rc
vigil_evidence_append_batch(struct vigil_store_batch *b, const char *kind,
                            const char *data, const char *actor,
                            struct vigil_err *err)
{
    struct vigil_store_value p[5];
    char uid[VIGIL_UID_LEN + 1];
    enum vigil_rc rc = pending_params(p, uid, kind, data, actor, err);

    if (rc == VIGIL_OK &&
        (rc = vigil_store_batch_add_exec(b, PENDING_INSERT, p, 5)) != VIGIL_OK)
        vigil_err_set(err, rc, "evidence: %s", vigil_strerror(rc));
    return rc;
}

enum vigil_rc
vigil_evidence_append_unless(struct vigil_store_tx *tx,
                             struct vigil_store_batch *b, const char *kind,
                             const char *data, const char *actor,
                             const char *unless,
                             const struct vigil_store_value *p, size_t n,
                             struct vigil_err *err)
{
    struct vigil_store_value all[5 + 8];
    char uid[VIGIL_UID_LEN + 1], sql[1024];
    enum vigil_rc rc;

    if (n > 8 || (tx == NULL) == (b == NULL) || unless == NULL ||
        snprintf(sql, sizeof(sql),
                 "INSERT INTO evidence_pending (uid, created_ns, kind, actor,"
                 " data) SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (%s)",
                 unless) >= (int)sizeof(sql))
        return vigil_err_set(err, VIGIL_EINVAL,
                             "evidence: a guarded append needs one target, a "
                             "short query and at most 8 parameters");
    if ((rc = pending_params(all, uid, kind, data, actor, err)) != VIGIL_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        all[5 + i] = p[i];
    if (tx != NULL)
        return vigil_store_tx_exec(tx, sql, all, 5 + n, NULL, err);
    if ((rc = vigil_store_batch_add_exec(b, sql, all, 5 + n)) != VIGIL_OK)
        vigil_err_set(err, rc, "evidence: %s", vigil_strerror(rc));
    return rc;
}

/* ---- the canonical form ---- */

static void
hash_bytes(const struct vigil_evidence_entry *e, uint8_t out[32])
{
    crypto_hash_sha256_state st;
    char num[64];
    int n;

    crypto_hash_sha256_init(&st);
    n = snprintf(num, sizeof(num), "vigil-evidence-1\n%lld\n%lld\n",
                 (long long)e->seq, (long long)e->time_ns);
    crypto_hash_sha256_update(&st, (const uint8_t *)num, (size_t)n);
    crypto_hash_sha256_update(&st, (const uint8_t *)e->kind, strlen(e->kind));
    crypto_hash_sha256_update(&st, (const uint8_t *)"\n", 1);
    crypto_hash_sha256_update(&st, (const uint8_t *)e->actor, strlen(e->actor));
    crypto_hash_sha256_update(&st, (const uint8_t *)"\n", 1);
    crypto_hash_sha256_update(&st, (const uint8_t *)e->prev, strlen(e->prev));
    crypto_hash_sha256_update(&st, (const uint8_t *)"\n", 1);
    crypto_hash_sha256_update(&st, (const uint8_t *)e->data, strlen(e->data));
    crypto_hash_sha256_final(&st, out);
}

void
vigil_evidence_hash(const struct vigil_evidence_entry *e,
                    char out[VIGIL_EVIDENCE_HASH_HEX + 1])
{
    uint8_t h[32];

    hash_bytes(e, h);
    sodium_bin2hex(out, VIGIL_EVIDENCE_HASH_HEX + 1, h, sizeof(h));
}

/* What the head's signature covers. */
static int
head_text(char *dst, size_t len, int64_t seq, const char *hash)
{
    return snprintf(dst, len, "vigil-evidence-head-1\n%lld\n%s", (long long)seq,
                    hash);
}

/* ---- sealing ---- */

struct pending {
    char uid[VIGIL_UID_LEN + 1];
    int64_t time_ns;
    char *kind, *actor, *data;
};

struct pending_list {
    struct pending *v;
    size_t n, cap;
    int failed;
};

static int
pending_row(const struct vigil_store_value *c, size_t nc, void *arg)
{
    struct pending_list *l = arg;
    struct pending *p;

    if (VIGIL_GROW(l->v, l->n + 1, l->cap) != VIGIL_OK) {
        l->failed = 1;
        return 1;
    }
    p = &l->v[l->n];
    snprintf(p->uid, sizeof(p->uid), "%s", c[0].p ? c[0].p : "");
    p->time_ns = c[1].i;
    p->kind = strdup(c[2].p ? c[2].p : "");
    p->actor = strdup(c[3].p ? c[3].p : "");
    p->data = strdup(c[4].p ? c[4].p : "");
    l->n++;
    if (p->kind == NULL || p->actor == NULL || p->data == NULL) {
        l->failed = 1;
        return 1;
    }
    return 0;
}

static void
pending_clear(struct pending_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].kind);
        free(l->v[i].actor);
        free(l->v[i].data);
    }
    l->n = 0;
}

struct head_row {
    int found;
    int64_t seq;
    char hash[VIGIL_EVIDENCE_HASH_HEX + 1];
    char sig[VIGIL_EVIDENCE_SIG_HEX + 1];
    char pub[VIGIL_EVIDENCE_PUB_HEX + 1];
};

static int
head_row(const struct vigil_store_value *c, size_t nc, void *arg)
{
    struct head_row *h = arg;

    h->found = 1;
    h->seq = c[0].i;
    snprintf(h->hash, sizeof(h->hash), "%s", c[1].p ? c[1].p : "");
    snprintf(h->sig, sizeof(h->sig), "%s", c[2].p ? c[2].p : "");
    snprintf(h->pub, sizeof(h->pub), "%s", c[3].p ? c[3].p : "");
    return 1;
}

static int
count_row(const struct vigil_store_value *c, size_t nc, void *arg)
{
    *(int64_t *)arg = c[0].i;
    return 1;
}

/* 1 when the store was upgraded from a vigil without anchors and its
 * log not anchored since (evidence_steps). */
#define UPGRADE_SELECT "SELECT COUNT(*) FROM evidence_upgrade"
#define NO_ANCHOR_MSG                                                          \
    "%s/evidence.head is missing, and this store was not upgraded from a "     \
    "vigil without anchors: the log, its head and the anchor may have been "   \
    "deleted; not sealing (run vigil evidence verify; docs/evidence.md, "      \
    "\"Missing anchor\")"

#define HEAD_SELECT                                                            \
    "SELECT seq, hash, sig, pub FROM evidence_head WHERE id = 'head'"

static int
hash_row(const struct vigil_store_value *c, size_t nc, void *arg)
{
    snprintf(arg, VIGIL_EVIDENCE_HASH_HEX + 1, "%s", c[0].p ? c[0].p : "");
    return 1;
}

/* The log in tx still holds the entry the anchor names (an older anchor
 * names an entry of the same chain, so a writer that has not moved it
 * yet does not matter). A log cut back behind it is not sealed on: the
 * new entries would hide the cut. */
static enum vigil_rc
anchor_holds(struct vigil_store_tx *tx, const struct vigil_evidence_key *k,
             struct vigil_err *err)
{
    struct vigil_evidence_anchor a;
    struct vigil_err e = {0};
    struct vigil_store_value p;
    char hash[VIGIL_EVIDENCE_HASH_HEX + 1] = "";
    enum vigil_rc rc = vigil_evidence_anchor_read(k->state_dir, &a, &e);

    if (rc == VIGIL_ENOTFOUND) {
        int64_t up = 0;

        rc = vigil_store_tx_query(tx, UPGRADE_SELECT, NULL, 0, count_row, &up,
                                  err);
        if (rc == VIGIL_OK && up == 0)
            rc = vigil_err_set(err, VIGIL_EPERM, NO_ANCHOR_MSG, k->state_dir);
        return rc;
    }
    if (rc != VIGIL_OK)
        return vigil_err_set(err, VIGIL_EPERM, "%s; not sealing", e.msg);
    if (a.seq == 0)
        return VIGIL_OK;
    p = vigil_sv_int(a.seq);
    rc = vigil_store_tx_query(tx, "SELECT hash FROM evidence_log WHERE seq = ?",
                              &p, 1, hash_row, hash, err);
    if (rc == VIGIL_OK && strcmp(hash, a.hash) != 0)
        rc = vigil_err_set(err, VIGIL_EPERM,
                           "the evidence log no longer holds entry %lld as "
                           "%s/evidence.head anchored it (entries deleted or "
                           "rewritten); not sealing on top (run vigil "
                           "evidence verify)",
                           (long long)a.seq, k->state_dir);
    return rc;
}

/* Seals one chunk inside tx; sets *n to how many were sealed and
 * *seq_out, hash_out to the new head. */
static enum vigil_rc
seal_chunk(struct vigil_store_tx *tx, const struct vigil_evidence_key *k,
           struct pending_list *l, size_t *n, int64_t *seq_out,
           char hash_out[VIGIL_EVIDENCE_HASH_HEX + 1], struct vigil_err *err)
{
    struct head_row h = {0};
    struct vigil_store_value p[8];
    char prev[VIGIL_EVIDENCE_HASH_HEX + 1], hash[VIGIL_EVIDENCE_HASH_HEX + 1];
    char sig[VIGIL_EVIDENCE_SIG_HEX + 1], pub[VIGIL_EVIDENCE_PUB_HEX + 1];
    char htext[128];
    uint8_t hb[32], sb[crypto_sign_BYTES];
    struct vigil_store_value lim = vigil_sv_int(SEAL_CHUNK);
    int64_t seq, changes = 0, rows = 0;
    enum vigil_rc rc;

    *n = 0;
    if ((rc = anchor_holds(tx, k, err)) != VIGIL_OK)
        return rc;
    if ((rc = vigil_store_tx_query(tx, HEAD_SELECT, NULL, 0, head_row, &h,
                                   err)) != VIGIL_OK)
        return rc;
    if (!h.found) {
        rc = vigil_store_tx_query(tx, "SELECT COUNT(*) FROM evidence_log", NULL,
                                  0, count_row, &rows, err);
        if (rc != VIGIL_OK)
            return rc;
        if (rows != 0)
            return vigil_err_set(err, VIGIL_EPERM,
                                 "the evidence log holds %lld entries but its "
                                 "head is gone; not sealing on top "
                                 "(run vigil evidence verify)",
                                 (long long)rows);
    }
    /* A head signed by another key: the key file was replaced or lost
     * (a new one is made when it is missing). Entries signed by this key
     * on top would leave a log that verifies under neither key. */
    vigil_evidence_key_pub(k, pub);
    if (h.found && strcmp(h.pub, pub) != 0)
        return vigil_err_set(err, VIGIL_EPERM,
                             "the evidence log's head was signed by the key "
                             "%.64s, not by %s (the signing key was replaced "
                             "or lost); not sealing on top",
                             h.pub, pub);
    seq = h.found ? h.seq : 0;
    snprintf(prev, sizeof(prev), "%s", h.found ? h.hash : ZERO_HASH);
    rc = vigil_store_tx_query(
        tx,
        "SELECT uid, created_ns, kind, actor, data FROM "
        "evidence_pending ORDER BY created_ns, uid LIMIT ?",
        &lim, 1, pending_row, l, err);
    if (rc == VIGIL_OK && l->failed)
        rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    for (size_t i = 0; rc == VIGIL_OK && i < l->n; i++) {
        struct pending *pe = &l->v[i];
        struct vigil_evidence_entry e = {.seq = seq + 1,
                                         .time_ns = pe->time_ns,
                                         .kind = pe->kind,
                                         .actor = pe->actor,
                                         .data = pe->data,
                                         .prev = prev};

        seq++;
        hash_bytes(&e, hb);
        sodium_bin2hex(hash, sizeof(hash), hb, sizeof(hb));
        crypto_sign_detached(sb, NULL, hb, sizeof(hb), k->sk);
        sodium_bin2hex(sig, sizeof(sig), sb, sizeof(sb));
        p[0] = vigil_sv_int(seq);
        p[1] = vigil_sv_int(pe->time_ns);
        p[2] = vigil_sv_text(pe->kind);
        p[3] = vigil_sv_text(pe->actor);
        p[4] = vigil_sv_text(pe->data);
        p[5] = vigil_sv_text(prev);
        p[6] = vigil_sv_text(hash);
        p[7] = vigil_sv_text(sig);
        rc = vigil_store_tx_exec(tx,
                                 "INSERT INTO evidence_log (seq, time_ns, kind,"
                                 " actor, data, prev, hash, sig) VALUES "
                                 "(?, ?, ?, ?, ?, ?, ?, ?)",
                                 p, 8, NULL, err);
        if (rc == VIGIL_OK) {
            p[0] = vigil_sv_text(pe->uid);
            rc = vigil_store_tx_exec(
                tx, "DELETE FROM evidence_pending WHERE uid = ?", p, 1, NULL,
                err);
        }
        memcpy(prev, hash, sizeof(prev));
    }
    if (rc != VIGIL_OK || l->n == 0)
        return rc;
    head_text(htext, sizeof(htext), seq, prev);
    crypto_sign_detached(sb, NULL, (const uint8_t *)htext, strlen(htext),
                         k->sk);
    sodium_bin2hex(sig, sizeof(sig), sb, sizeof(sb));
    vigil_evidence_key_pub(k, pub);
    p[0] = vigil_sv_int(seq);
    p[1] = vigil_sv_text(prev);
    p[2] = vigil_sv_text(sig);
    p[3] = vigil_sv_text(pub);
    rc = vigil_store_tx_exec(tx,
                             "UPDATE evidence_head SET seq = ?, hash = ?, "
                             "sig = ?, pub = ? WHERE id = 'head'",
                             p, 4, &changes, err);
    if (rc == VIGIL_OK && changes == 0)
        rc = vigil_store_tx_exec(tx,
                                 "INSERT INTO evidence_head (seq, hash, sig, "
                                 "pub, id) VALUES (?, ?, ?, ?, 'head')",
                                 p, 4, NULL, err);
    if (rc == VIGIL_OK) {
        *n = l->n;
        *seq_out = seq;
        memcpy(hash_out, prev, VIGIL_EVIDENCE_HASH_HEX + 1);
    }
    return rc;
}

/* No anchor while the store is marked as upgraded from a vigil without
 * anchors: the first seal since then takes the store's head as it is,
 * once. Any other missing anchor is refused (VIGIL_EPERM): an emptied
 * log with its anchor removed must not be anchored afresh. */
static enum vigil_rc
anchor_heal(struct vigil_store *s, const struct vigil_evidence_key *k,
            struct vigil_err *err)
{
    struct vigil_evidence_anchor a;
    struct vigil_err e = {0};
    struct head_row h = {0};
    char pub[VIGIL_EVIDENCE_PUB_HEX + 1];
    enum vigil_rc rc;

    int64_t up = 0;

    if (vigil_evidence_anchor_read(k->state_dir, &a, &e) != VIGIL_ENOTFOUND)
        return VIGIL_OK;
    if ((rc = vigil_store_query(s, UPGRADE_SELECT, NULL, 0, count_row, &up,
                                err)) != VIGIL_OK)
        return rc;
    if (up == 0)
        return vigil_err_set(err, VIGIL_EPERM, NO_ANCHOR_MSG, k->state_dir);
    if ((rc = vigil_store_query(s, HEAD_SELECT, NULL, 0, head_row, &h, err)) !=
        VIGIL_OK)
        return rc;
    vigil_evidence_key_pub(k, pub);
    if (h.found && strcmp(h.pub, pub) != 0)
        return VIGIL_OK; /* sealing refuses this log anyway */
    vigil_log(VIGIL_LOG_WARN, 2204,
              "evidence: %s/evidence.head was missing after an upgrade from "
              "a vigil without anchors; anchoring the log at its head, entry "
              "%lld",
              k->state_dir, (long long)(h.found ? h.seq : 0));
    rc =
        anchor_write(k, h.found ? h.seq : 0, h.found ? h.hash : ZERO_HASH, err);
    /* once only: from now on a missing anchor is damage */
    if (rc == VIGIL_OK)
        rc = vigil_store_exec(s, "DELETE FROM evidence_upgrade", NULL, 0, NULL,
                              err);
    return rc;
}

enum vigil_rc
vigil_evidence_seal(struct vigil_store *s, const struct vigil_evidence_key *k,
                    int64_t *sealed, struct vigil_err *err)
{
    struct pending_list l = {0};
    int64_t total = 0, waiting = 0;
    enum vigil_rc rc;

    if (sealed != NULL)
        *sealed = 0;
    for (;;) {
        struct vigil_store_tx *tx = NULL;
        char hash[VIGIL_EVIDENCE_HASH_HEX + 1];
        int64_t seq = 0;
        size_t n = 0;

        /* the query connection: nothing pending costs no write lock */
        rc = vigil_store_query(s, "SELECT COUNT(*) FROM evidence_pending", NULL,
                               0, count_row, &waiting, err);
        if (rc != VIGIL_OK || waiting == 0)
            break;
        if ((rc = vigil_store_tx_begin(s, &tx, err)) != VIGIL_OK)
            break;
        rc = seal_chunk(tx, k, &l, &n, &seq, hash, err);
        pending_clear(&l);
        if (rc != VIGIL_OK) {
            vigil_store_tx_rollback(tx);
            break;
        }
        if ((rc = vigil_store_tx_commit(tx, err)) != VIGIL_OK)
            break;
        total += (int64_t)n;
        if (n > 0 && (rc = anchor_write(k, seq, hash, err)) != VIGIL_OK) {
            char why[sizeof(err->msg)];

            snprintf(why, sizeof(why), "%s", err->msg);
            vigil_err_set(err, rc, "sealed, but the anchor was not moved: %s",
                          why);
            break;
        }
        if (n < SEAL_CHUNK)
            break;
    }
    free(l.v);
    if (rc == VIGIL_OK)
        rc = anchor_heal(s, k, err);
    if (sealed != NULL)
        *sealed = total;
    if (total > 0)
        vigil_log(VIGIL_LOG_DEBUG, 2202, "evidence: sealed %lld entries",
                  (long long)total);
    return rc;
}

/* ---- reading and verifying ---- */

struct each_ctx {
    int (*fn)(const struct vigil_evidence_entry *e, void *arg);
    void *arg;
};

static int
each_row(const struct vigil_store_value *c, size_t nc, void *arg)
{
    struct each_ctx *ec = arg;
    struct vigil_evidence_entry e = {
        .seq = c[0].i,
        .time_ns = c[1].i,
        .kind = c[2].p ? c[2].p : "",
        .actor = c[3].p ? c[3].p : "",
        .data = c[4].p ? c[4].p : "",
        .prev = c[5].p ? c[5].p : "",
        .hash = c[6].p ? c[6].p : "",
        .sig = c[7].p ? c[7].p : "",
    };

    return ec->fn(&e, ec->arg);
}

enum vigil_rc
vigil_evidence_each(struct vigil_store *s,
                    int (*fn)(const struct vigil_evidence_entry *e, void *arg),
                    void *arg, struct vigil_evidence_head *head,
                    struct vigil_err *err)
{
    struct each_ctx ec = {fn, arg};
    struct head_row h = {0};
    enum vigil_rc rc;

    /* log and head from one snapshot: a seal committing between the two
     * reads would give a head past the rows read ("truncated") */
    if ((rc = vigil_store_snapshot_begin(s, err)) != VIGIL_OK)
        return rc;
    rc = vigil_store_query(s,
                           "SELECT seq, time_ns, kind, actor, data, prev, hash,"
                           " sig FROM evidence_log ORDER BY seq",
                           NULL, 0, each_row, &ec, err);
    if (rc == VIGIL_OK && head != NULL) {
        rc = vigil_store_query(s, HEAD_SELECT, NULL, 0, head_row, &h, err);
        memset(head, 0, sizeof(*head));
        if (rc == VIGIL_OK && h.found) {
            head->seq = h.seq;
            memcpy(head->hash, h.hash, sizeof(head->hash));
            memcpy(head->sig, h.sig, sizeof(head->sig));
            memcpy(head->pub, h.pub, sizeof(head->pub));
        }
    }
    vigil_store_snapshot_end(s);
    return rc;
}

struct verify_ctx {
    const uint8_t *pub;
    struct vigil_evidence_verdict *v;
    int64_t expect;
    char prev[VIGIL_EVIDENCE_HASH_HEX + 1];
};

static int
bad(struct verify_ctx *vc, int64_t at, const char *why)
{
    vc->v->bad = at;
    snprintf(vc->v->why, sizeof(vc->v->why), "%s", why);
    return 1;
}

static int
sig_ok(const uint8_t *pub, const char *sighex, const uint8_t *msg, size_t len)
{
    uint8_t sig[crypto_sign_BYTES];
    size_t got = 0;

    if (strlen(sighex) != VIGIL_EVIDENCE_SIG_HEX ||
        sodium_hex2bin(sig, sizeof(sig), sighex, strlen(sighex), NULL, &got,
                       NULL) != 0 ||
        got != sizeof(sig))
        return 0;
    return crypto_sign_verify_detached(sig, msg, len, pub) == 0;
}

static int
verify_row(const struct vigil_evidence_entry *e, void *arg)
{
    struct verify_ctx *vc = arg;
    char hash[VIGIL_EVIDENCE_HASH_HEX + 1];
    uint8_t hb[32];
    size_t got = 0;

    vc->v->entries++;
    if (e->seq != vc->expect) {
        if (e->seq > vc->expect) {
            char why[128];
            snprintf(why, sizeof(why),
                     "missing: the log goes from entry %lld to entry %lld",
                     (long long)(vc->expect - 1), (long long)e->seq);
            return bad(vc, vc->expect, why);
        }
        return bad(vc, e->seq, "position out of order");
    }
    vigil_evidence_hash(e, hash);
    if (strcmp(hash, e->hash) != 0)
        return bad(vc, e->seq,
                   "its content does not match its hash (edited or moved)");
    if (strcmp(e->prev, vc->prev) != 0)
        return bad(vc, e->seq,
                   "it does not follow the entry before it (inserted, "
                   "removed or reordered)");
    if (sodium_hex2bin(hb, sizeof(hb), e->hash, strlen(e->hash), NULL, &got,
                       NULL) != 0 ||
        got != sizeof(hb) || !sig_ok(vc->pub, e->sig, hb, sizeof(hb)))
        return bad(vc, e->seq, "its signature does not verify");
    memcpy(vc->prev, hash, sizeof(vc->prev));
    vc->v->head_time_ns = e->time_ns;
    vc->expect++;
    return 0;
}

enum vigil_rc
vigil_evidence_verify(struct vigil_store *s, const uint8_t pub[32],
                      struct vigil_evidence_verdict *v, struct vigil_err *err)
{
    struct verify_ctx vc = {.pub = pub, .v = v, .expect = 1};
    struct vigil_evidence_head h;
    char htext[128], why[200];
    enum vigil_rc rc;

    memset(v, 0, sizeof(*v));
    if (sodium_init() < 0)
        return vigil_err_set(err, VIGIL_EIO, "libsodium did not initialise");
    snprintf(vc.prev, sizeof(vc.prev), "%s", ZERO_HASH);
    if ((rc = vigil_store_snapshot_begin(s, err)) != VIGIL_OK)
        return rc;
    rc = vigil_evidence_each(s, verify_row, &vc, &h, err);
    if (rc == VIGIL_OK)
        rc = vigil_store_query(s, "SELECT COUNT(*) FROM evidence_pending", NULL,
                               0, count_row, &v->pending, err);
    vigil_store_snapshot_end(s);
    v->head = h;
    if (rc != VIGIL_OK || v->bad != 0)
        return rc;
    /* The head: signed, and naming exactly the last entry. */
    if (h.seq == 0) {
        if (v->entries > 0)
            bad(&vc, 1, "the signed head is missing");
        return VIGIL_OK;
    }
    head_text(htext, sizeof(htext), h.seq, h.hash);
    if (!sig_ok(pub, h.sig, (const uint8_t *)htext, strlen(htext))) {
        snprintf(why, sizeof(why),
                 "the head's signature does not verify (head at entry %lld)",
                 (long long)h.seq);
        bad(&vc, h.seq, why);
    } else if (h.seq > v->entries) {
        snprintf(why, sizeof(why),
                 "missing: the signed head is entry %lld, the log ends at "
                 "%lld (truncated)",
                 (long long)h.seq, (long long)v->entries);
        bad(&vc, v->entries + 1, why);
    } else if (h.seq < v->entries) {
        bad(&vc, h.seq + 1, "appended after the signed head");
    } else if (strcmp(h.hash, vc.prev) != 0) {
        bad(&vc, h.seq, "the signed head names another last entry");
    }
    return VIGIL_OK;
}

/* vigil_evidence_verify_anchored inside its snapshot, with the anchor
 * (arc: how reading it went, e its error) read before. */
static enum vigil_rc
verify_snap(struct vigil_store *s, const uint8_t pub[32],
            const struct vigil_evidence_anchor *ap, enum vigil_rc arc,
            const struct vigil_err *ae, struct vigil_evidence_verdict *v,
            struct vigil_err *err)
{
    const struct vigil_evidence_anchor a = *ap;
    const struct vigil_err e = *ae;
    struct vigil_store_value p;
    char text[512], when[48], hash[VIGIL_EVIDENCE_HASH_HEX + 1] = "";
    enum vigil_rc rc = vigil_evidence_verify(s, pub, v, err);

    v->anchor = -1;
    if (rc != VIGIL_OK || v->bad != 0)
        return rc;
    if (arc != VIGIL_OK) {
        /* Missing is damage too: a key is never made without one, and
         * deleting it is the first step of deleting the log unseen. */
        v->bad = v->entries + 1;
        snprintf(v->why, sizeof(v->why),
                 "the anchor is %s (%.160s): the log cannot be shown whole",
                 arc == VIGIL_ENOTFOUND ? "missing" : "unreadable", e.msg);
        return VIGIL_OK;
    }
    v->anchor = a.seq;
    v->anchor_time_ns = a.time_ns;
    if (!sig_ok(pub, a.sig, (const uint8_t *)text,
                vigil_evidence_anchor_text(&a, text, sizeof(text)))) {
        v->bad = a.seq > 0 ? a.seq : 1;
        snprintf(v->why, sizeof(v->why),
                 "the anchor's signature does not verify (anchor at entry "
                 "%lld)",
                 (long long)a.seq);
        return VIGIL_OK;
    }
    vigil_time_format(a.time_ns, when);
    if (a.seq > v->entries) {
        v->bad = v->entries + 1;
        snprintf(v->why, sizeof(v->why),
                 "missing: the anchor of %s names entry %lld, the store "
                 "holds %lld (entries %lld to %lld deleted, with the head)",
                 when, (long long)a.seq, (long long)v->entries,
                 (long long)v->entries + 1, (long long)a.seq);
        return VIGIL_OK;
    }
    if (a.seq == 0)
        return VIGIL_OK;
    p = vigil_sv_int(a.seq);
    rc = vigil_store_query(s, "SELECT hash FROM evidence_log WHERE seq = ?", &p,
                           1, hash_row, hash, err);
    if (rc == VIGIL_OK && strcmp(hash, a.hash) != 0) {
        v->bad = a.seq;
        snprintf(v->why, sizeof(v->why),
                 "it is not the entry the anchor of %s names (the log was "
                 "rewritten from here)",
                 when);
    }
    return rc;
}

enum vigil_rc
vigil_evidence_verify_anchored(struct vigil_store *s, const uint8_t pub[32],
                               const char *state_dir,
                               struct vigil_evidence_verdict *v,
                               struct vigil_err *err)
{
    struct vigil_evidence_anchor a;
    struct vigil_err e = {0};
    enum vigil_rc rc, arc;

    /* The anchor first: it is moved only after a commit, so read before
     * the store it is never ahead of what the store then holds (read
     * after, a seal in between would look like a cut log). The store is
     * read in one snapshot, so its head may be ahead of the anchor: the
     * anchor only proves a lower bound. */
    arc = vigil_evidence_anchor_read(state_dir, &a, &e);
    if ((rc = vigil_store_snapshot_begin(s, err)) != VIGIL_OK)
        return rc;
    rc = verify_snap(s, pub, &a, arc, &e, v, err);
    vigil_store_snapshot_end(s);
    return rc;
}
