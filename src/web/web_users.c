/* web_users.c -- the web domain's tables and who may use the dashboard:
 * users with argon2id password hashes (libsodium's crypto_pwhash_str),
 * sessions and API tokens stored only as SHA-256 hashes of the secret,
 * so a copy of the database lets no one in. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "evidence/evidence.h"
#include "web_int.h"

static const struct vigil_store_migration web_steps[] = {
    /* version 1 */
    {"web users, sessions, API tokens, triage and audit",
     "CREATE TABLE web_users ("
     "  name TEXT PRIMARY KEY NOT NULL,"
     "  role TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),"
     "  hash TEXT NOT NULL,"
     "  created_ns BIGINT NOT NULL"
     ");"
     "CREATE TABLE web_sessions ("
     "  id_hash TEXT PRIMARY KEY NOT NULL,"
     "  user_name TEXT NOT NULL,"
     "  csrf TEXT NOT NULL,"
     "  created_ns BIGINT NOT NULL,"
     "  expires_ns BIGINT NOT NULL"
     ");"
     "CREATE TABLE web_tokens ("
     "  hash TEXT PRIMARY KEY NOT NULL,"
     "  user_name TEXT NOT NULL,"
     "  label TEXT,"
     "  created_ns BIGINT NOT NULL"
     ");"
     /* Triage of an alert, by its uid: the queue's state. */
     "CREATE TABLE web_triage ("
     "  alert_uid TEXT PRIMARY KEY NOT NULL,"
     "  state TEXT NOT NULL CHECK (state IN ('new', 'acknowledged',"
     "    'closed')),"
     "  assignee TEXT,"
     "  updated_by TEXT NOT NULL,"
     "  updated_ns BIGINT NOT NULL"
     ");"
     "CREATE TABLE web_audit ("
     "  uid TEXT PRIMARY KEY NOT NULL,"
     "  time_ns BIGINT NOT NULL,"
     "  user_name TEXT NOT NULL,"
     "  action TEXT NOT NULL,"
     "  subject TEXT,"
     "  detail_json TEXT"
     ");"
     "CREATE INDEX web_audit_time ON web_audit (time_ns);"},
    /* version 2 */
    {"the dashboard's file and network views and its triaged queues",
     "CREATE INDEX IF NOT EXISTS alerts_source ON alerts (source, time_ns);"
     "CREATE INDEX web_triage_state ON web_triage (state);"
     /* the overview's counts by level per hour read only this index */
     "CREATE INDEX IF NOT EXISTS alerts_time_level ON alerts (time_ns, "
     "level);"},
    /* version 3 */
    {"web audit: logins by user and address",
     /* web_login_known runs for logins refused at an address's ceiling:
      * without it each would scan a month of audit rows */
     "CREATE INDEX IF NOT EXISTS web_audit_login ON web_audit (user_name, "
     "subject, action, time_ns);"
     /* a development store whose version 2 was this index alone (the
      * hardening branch, before the merge) lacks version 2's indexes */
     "CREATE INDEX IF NOT EXISTS alerts_source ON alerts (source, time_ns);"
     "CREATE INDEX IF NOT EXISTS web_triage_state ON web_triage (state);"
     "CREATE INDEX IF NOT EXISTS alerts_time_level ON alerts (time_ns, "
     "level);"},
};

const struct vigil_store_schema vigil_web_schema = {
    "web", web_steps, sizeof(web_steps) / sizeof(web_steps[0])};

static const char *const role_names[] = {NULL, "viewer", "analyst", "admin"};

const char *
vigil_web_role_name(enum vigil_web_role r)
{
    return r >= VIGIL_ROLE_VIEWER && r <= VIGIL_ROLE_ADMIN ? role_names[r]
                                                           : "none";
}

enum vigil_web_role
vigil_web_role_parse(const char *name)
{
    for (int r = VIGIL_ROLE_VIEWER; r <= VIGIL_ROLE_ADMIN; r++)
        if (name != NULL && strcmp(name, role_names[r]) == 0)
            return (enum vigil_web_role)r;
    return VIGIL_ROLE_NONE;
}

int
web_str_eq(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);

    return la == lb && sodium_memcmp(a, b, la) == 0;
}

static enum vigil_rc
sodium_ready(struct vigil_err *err)
{
    if (sodium_init() < 0)
        return vigil_err_set(err, VIGIL_EIO, "libsodium did not start");
    return VIGIL_OK;
}

static int
found_row(const struct vigil_store_value *c, size_t n, void *arg)
{
    (void)c;
    (void)n;
    *(int *)arg = 1;
    return 1;
}

static int
name_ok(const char *name)
{
    size_t n = strlen(name);

    /* "adm." beside "adm" reads as the same name in an audit trail. */
    if (n == 0 || n > VIGIL_WEB_USER_MAX || name[n - 1] == '.')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && strchr("._@-", name[i]) == NULL)
            return 0;
    return 1;
}

static enum vigil_rc
hash_password(const char *password, char out[crypto_pwhash_STRBYTES],
              struct vigil_err *err)
{
    if (strlen(password) < VIGIL_WEB_PASSWORD_MIN)
        return vigil_err_set(err, VIGIL_EINVAL,
                             "a password needs at least %d characters",
                             VIGIL_WEB_PASSWORD_MIN);
    if (strlen(password) > VIGIL_WEB_PASSWORD_MAX)
        return vigil_err_set(err, VIGIL_EINVAL,
                             "a password is at most %d characters",
                             VIGIL_WEB_PASSWORD_MAX);
    if (crypto_pwhash_str_alg(out, password, strlen(password),
                              crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return vigil_err_set(err, VIGIL_ENOMEM,
                             "out of memory hashing the password");
    return VIGIL_OK;
}

/* Hex SHA-256 of a secret: what is stored for sessions and tokens. */
static void
secret_hash(const char *secret, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(h, (const unsigned char *)secret, strlen(secret));
    sodium_bin2hex(out, 65, h, sizeof(h));
}

static void
random_hex(char *out, size_t bytes)
{
    unsigned char buf[64];

    randombytes_buf(buf, bytes);
    sodium_bin2hex(out, bytes * 2 + 1, buf, bytes);
}

enum vigil_rc
vigil_web_user_add(struct vigil_store *s, const char *name,
                   const char *password, enum vigil_web_role role,
                   struct vigil_err *err)
{
    char hash[crypto_pwhash_STRBYTES];
    enum vigil_rc rc;

    if (!name_ok(name))
        return vigil_err_set(err, VIGIL_EINVAL,
                             "a user name is 1 to %d of A-Z a-z 0-9 . _ @ -, "
                             "not ending in a dot",
                             VIGIL_WEB_USER_MAX);
    if (role == VIGIL_ROLE_NONE)
        return vigil_err_set(err, VIGIL_EINVAL,
                             "the role is viewer, analyst or admin");
    if ((rc = sodium_ready(err)) != VIGIL_OK ||
        (rc = hash_password(password, hash, err)) != VIGIL_OK)
        return rc;
    /* Names differing only in case (ADM beside adm) are one name to a
     * reader of "Last actions". */
    struct vigil_store_value q[] = {vigil_sv_text(name)};
    int taken = 0;
    if ((rc = vigil_store_query(s,
                                "SELECT 1 FROM web_users WHERE lower(name) = "
                                "lower(?) LIMIT 1",
                                q, 1, found_row, &taken, err)) != VIGIL_OK)
        return rc;
    if (taken)
        return vigil_err_set(err, VIGIL_ECONFLICT,
                             "user '%s' exists (names are unique without "
                             "regard to case)",
                             name);
    struct vigil_store_value p[] = {
        vigil_sv_text(name), vigil_sv_text(vigil_web_role_name(role)),
        vigil_sv_text(hash), vigil_sv_int(vigil_time_now())};
    rc = vigil_store_exec(s,
                          "INSERT INTO web_users (name, role, hash, "
                          "created_ns) VALUES (?, ?, ?, ?)",
                          p, 4, NULL, err);
    if (rc == VIGIL_ECONFLICT) {
        struct vigil_err why = {0};
        *err = why;
        rc = vigil_err_set(err, VIGIL_ECONFLICT, "user '%s' exists", name);
    }
    return rc;
}

static enum vigil_rc
end_sessions(struct vigil_store_tx *tx, const char *name, int tokens,
             struct vigil_err *err)
{
    struct vigil_store_value p[] = {vigil_sv_text(name)};
    enum vigil_rc rc = vigil_store_tx_exec(
        tx, "DELETE FROM web_sessions WHERE user_name = ?", p, 1, NULL, err);

    if (rc == VIGIL_OK && tokens)
        rc = vigil_store_tx_exec(
            tx, "DELETE FROM web_tokens WHERE user_name = ?", p, 1, NULL, err);
    return rc;
}

/* Sets one column of user name's row (sql: "UPDATE ... SET x = ? WHERE
 * name = ?") and ends the user's sessions in the same transaction:
 * whoever's password or role changed signs in again. VIGIL_ENOTFOUND when
 * there is no such user. All borrowed. */
static enum vigil_rc
update_user(struct vigil_store *s, const char *sql, const char *value,
            const char *name, struct vigil_err *err)
{
    struct vigil_store_value p[] = {vigil_sv_text(value), vigil_sv_text(name)};
    struct vigil_store_tx *tx = NULL;
    int64_t changed = 0;
    enum vigil_rc rc;

    if ((rc = vigil_store_tx_begin(s, &tx, err)) != VIGIL_OK)
        return rc;
    rc = vigil_store_tx_exec(tx, sql, p, 2, &changed, err);
    if (rc == VIGIL_OK && changed == 0)
        rc = vigil_err_set(err, VIGIL_ENOTFOUND, "no user '%s'", name);
    if (rc == VIGIL_OK)
        rc = end_sessions(tx, name, 0, err);
    if (rc != VIGIL_OK) {
        vigil_store_tx_rollback(tx);
        return rc;
    }
    return vigil_store_tx_commit(tx, err);
}

enum vigil_rc
vigil_web_user_passwd(struct vigil_store *s, const char *name,
                      const char *password, struct vigil_err *err)
{
    char hash[crypto_pwhash_STRBYTES];
    enum vigil_rc rc;

    if ((rc = sodium_ready(err)) != VIGIL_OK ||
        (rc = hash_password(password, hash, err)) != VIGIL_OK)
        return rc;
    return update_user(s, "UPDATE web_users SET hash = ? WHERE name = ?", hash,
                       name, err);
}

enum vigil_rc
vigil_web_user_del(struct vigil_store *s, const char *name,
                   struct vigil_err *err)
{
    struct vigil_store_tx *tx = NULL;
    int64_t changed = 0;
    enum vigil_rc rc;
    struct vigil_store_value p[] = {vigil_sv_text(name)};

    if ((rc = vigil_store_tx_begin(s, &tx, err)) != VIGIL_OK)
        return rc;
    rc = vigil_store_tx_exec(tx, "DELETE FROM web_users WHERE name = ?", p, 1,
                             &changed, err);
    if (rc == VIGIL_OK && changed == 0)
        rc = vigil_err_set(err, VIGIL_ENOTFOUND, "no user '%s'", name);
    if (rc == VIGIL_OK)
        rc = end_sessions(tx, name, 1, err);
    if (rc != VIGIL_OK) {
        vigil_store_tx_rollback(tx);
        return rc;
    }
    return vigil_store_tx_commit(tx, err);
}

struct each_ctx {
    int (*fn)(const char *, enum vigil_web_role, int64_t, void *);
    void *arg;
};

static int
each_row(const struct vigil_store_value *c, size_t n, void *arg)
{
    struct each_ctx *e = arg;

    (void)n;
    return e->fn(c[0].p, vigil_web_role_parse(c[1].p), c[2].i, e->arg);
}

enum vigil_rc
vigil_web_user_each(struct vigil_store *s,
                    int (*fn)(const char *name, enum vigil_web_role role,
                              int64_t created_ns, void *arg),
                    void *arg, struct vigil_err *err)
{
    struct each_ctx e = {fn, arg};

    return vigil_store_query(
        s, "SELECT name, role, created_ns FROM web_users ORDER BY name", NULL,
        0, each_row, &e, err);
}

enum vigil_rc
vigil_web_token_new(struct vigil_store *s, const char *user, const char *label,
                    char out[VIGIL_WEB_TOKEN_LEN + 1], struct vigil_err *err)
{
    char hash[65];
    enum vigil_rc rc;

    if ((rc = sodium_ready(err)) != VIGIL_OK)
        return rc;
    memcpy(out, "vgl_", 4);
    random_hex(out + 4, 32);
    secret_hash(out, hash);
    struct vigil_store_value p[] = {vigil_sv_text(hash), vigil_sv_text(user),
                                    vigil_sv_text(label),
                                    vigil_sv_int(vigil_time_now())};
    /* INSERT ... SELECT: a token for a user who does not exist is refused
     * by the row count, in the same statement. */
    int64_t changed = 0;
    rc = vigil_store_exec(s,
                          "INSERT INTO web_tokens (hash, user_name, label, "
                          "created_ns) SELECT ?, name, ?3, ?4 FROM web_users "
                          "WHERE name = ?2",
                          p, 4, &changed, err);
    if (rc == VIGIL_OK && changed == 0)
        rc = vigil_err_set(err, VIGIL_ENOTFOUND, "no user '%s'", user);
    if (rc != VIGIL_OK)
        sodium_memzero(out, VIGIL_WEB_TOKEN_LEN + 1);
    return rc;
}

enum vigil_rc
vigil_web_user_role(struct vigil_store *s, const char *name,
                    enum vigil_web_role role, struct vigil_err *err)
{
    if (role < VIGIL_ROLE_VIEWER || role > VIGIL_ROLE_ADMIN)
        return vigil_err_set(err, VIGIL_EINVAL,
                             "role is viewer, analyst or admin");
    return update_user(s, "UPDATE web_users SET role = ? WHERE name = ?",
                       vigil_web_role_name(role), name, err);
}

struct token_ctx {
    int (*fn)(const char *, const char *, const char *, int64_t, void *);
    void *arg;
};

static int
token_row(const struct vigil_store_value *c, size_t n, void *arg)
{
    struct token_ctx *t = arg;
    char id[13];

    (void)n;
    snprintf(id, sizeof(id), "%s", c[0].p);
    return t->fn(id, c[1].p, c[2].type == VIGIL_SV_TEXT ? c[2].p : "", c[3].i,
                 t->arg);
}

enum vigil_rc
vigil_web_token_each(struct vigil_store *s,
                     int (*fn)(const char *id, const char *user,
                               const char *label, int64_t created_ns,
                               void *arg),
                     void *arg, struct vigil_err *err)
{
    struct token_ctx t = {fn, arg};

    return vigil_store_query(s,
                             "SELECT hash, user_name, label, created_ns FROM "
                             "web_tokens ORDER BY created_ns DESC",
                             NULL, 0, token_row, &t, err);
}

enum vigil_rc
vigil_web_token_revoke(struct vigil_store *s, const char *id,
                       struct vigil_err *err)
{
    char prefix[16];
    int64_t changed = 0;
    enum vigil_rc rc;

    /* exactly the 12 hex digits _each shows: no wildcard reaches LIKE */
    if (id == NULL || strlen(id) != 12 || strspn(id, "0123456789abcdef") != 12)
        return vigil_err_set(err, VIGIL_EINVAL, "a token id is 12 hex digits");
    snprintf(prefix, sizeof(prefix), "%s%%", id);
    struct vigil_store_value p[] = {vigil_sv_text(prefix)};
    rc = vigil_store_exec(s, "DELETE FROM web_tokens WHERE hash LIKE ?", p, 1,
                          &changed, err);
    if (rc == VIGIL_OK && changed == 0)
        rc = vigil_err_set(err, VIGIL_ENOTFOUND, "no token %s", id);
    return rc;
}

/* ---- checks the server makes ---- */

struct pw_row {
    char hash[crypto_pwhash_STRBYTES];
    char role[16];
    int found;
};

static int
pw_row(const struct vigil_store_value *c, size_t n, void *arg)
{
    struct pw_row *r = arg;

    (void)n;
    snprintf(r->hash, sizeof(r->hash), "%s", c[0].p);
    snprintf(r->role, sizeof(r->role), "%s", c[1].p);
    r->found = 1;
    return 1;
}

/* A hash of a password no one has, checked when the user is unknown so
 * that a wrong name takes as long as a wrong password. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void
make_dummy(void)
{
    char pw[33];

    random_hex(pw, 16);
    if (crypto_pwhash_str_alg(dummy_hash, pw, strlen(pw),
                              crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        dummy_hash[0] = '\0';
}

enum vigil_rc
web_login(struct vigil_store *s, const char *name, const char *password,
          int64_t ttl_s, char sid[65], struct web_principal *who,
          struct vigil_err *err)
{
    struct pw_row row = {0};
    char sid_hash[65], csrf[65];
    int64_t now;
    enum vigil_rc rc;
    struct vigil_store_value p[] = {vigil_sv_text(name)};

    if ((rc = sodium_ready(err)) != VIGIL_OK)
        return rc;
    pthread_once(&dummy_once, make_dummy);
    if ((rc = vigil_store_query(
             s, "SELECT hash, role FROM web_users WHERE name = ?", p, 1, pw_row,
             &row, err)) != VIGIL_OK)
        return rc;
    if (!row.found) {
        if (crypto_pwhash_str_verify(dummy_hash, password, strlen(password)) ==
            0)
            vigil_log(VIGIL_LOG_ERROR, 2406, "web: the decoy hash matched");
        return vigil_err_set(err, VIGIL_EPERM, "wrong user or password");
    }
    if (crypto_pwhash_str_verify(row.hash, password, strlen(password)) != 0)
        return vigil_err_set(err, VIGIL_EPERM, "wrong user or password");
    /* After the hash, which takes a while on a busy machine. */
    now = vigil_time_now();
    random_hex(sid, 32);
    random_hex(csrf, 32);
    secret_hash(sid, sid_hash);
    struct vigil_store_value q[] = {
        vigil_sv_text(sid_hash), vigil_sv_text(name), vigil_sv_text(csrf),
        vigil_sv_int(now), vigil_sv_int(now + ttl_s * 1000000000LL)};
    /* Expired sessions go when someone logs in: no timer needed. */
    struct vigil_store_value t[] = {vigil_sv_int(now)};
    (void)vigil_store_exec(s, "DELETE FROM web_sessions WHERE expires_ns < ?",
                           t, 1, NULL, err);
    if ((rc = vigil_store_exec(s,
                               "INSERT INTO web_sessions (id_hash, user_name, "
                               "csrf, created_ns, expires_ns) VALUES (?, ?, "
                               "?, ?, ?)",
                               q, 5, NULL, err)) != VIGIL_OK)
        return rc;
    memset(who, 0, sizeof(*who));
    snprintf(who->user, sizeof(who->user), "%s", name);
    who->role = vigil_web_role_parse(row.role);
    memcpy(who->sid_hash, sid_hash, sizeof(who->sid_hash));
    memcpy(who->csrf, csrf, sizeof(who->csrf));
    return VIGIL_OK;
}

struct who_row {
    struct web_principal *who;
    int found;
};

static int
who_row(const struct vigil_store_value *c, size_t n, void *arg)
{
    struct who_row *r = arg;

    snprintf(r->who->user, sizeof(r->who->user), "%s", c[0].p);
    r->who->role = vigil_web_role_parse(c[1].p);
    if (n > 2 && c[2].type == VIGIL_SV_TEXT)
        snprintf(r->who->csrf, sizeof(r->who->csrf), "%s", c[2].p);
    r->found = 1;
    return 1;
}

static int
hex_ok(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);

    if (n < min || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

enum vigil_rc
web_session_check(struct vigil_store *s, const char *sid,
                  struct web_principal *who, struct vigil_err *err)
{
    struct who_row r = {who, 0};
    enum vigil_rc rc;

    memset(who, 0, sizeof(*who));
    if (!hex_ok(sid, 64, 64))
        return vigil_err_set(err, VIGIL_EPERM, "no valid session");
    secret_hash(sid, who->sid_hash);
    struct vigil_store_value p[] = {vigil_sv_text(who->sid_hash),
                                    vigil_sv_int(vigil_time_now())};
    if ((rc = vigil_store_query(
             s,
             "SELECT u.name, u.role, s.csrf FROM web_sessions s JOIN "
             "web_users u ON u.name = s.user_name WHERE s.id_hash = ? AND "
             "s.expires_ns > ?",
             p, 2, who_row, &r, err)) != VIGIL_OK)
        return rc;
    if (!r.found)
        return vigil_err_set(err, VIGIL_EPERM, "no valid session");
    return VIGIL_OK;
}

enum vigil_rc
web_token_check(struct vigil_store *s, const char *token,
                struct web_principal *who, struct vigil_err *err)
{
    struct who_row r = {who, 0};
    char hash[65];
    enum vigil_rc rc;

    memset(who, 0, sizeof(*who));
    if (strncmp(token, "vgl_", 4) != 0 || !hex_ok(token + 4, 64, 64))
        return vigil_err_set(err, VIGIL_EPERM, "no valid token");
    secret_hash(token, hash);
    struct vigil_store_value p[] = {vigil_sv_text(hash)};
    if ((rc = vigil_store_query(
             s,
             "SELECT u.name, u.role FROM web_tokens t JOIN web_users u ON "
             "u.name = t.user_name WHERE t.hash = ?",
             p, 1, who_row, &r, err)) != VIGIL_OK)
        return rc;
    if (!r.found)
        return vigil_err_set(err, VIGIL_EPERM, "no valid token");
    who->by_token = 1;
    return VIGIL_OK;
}

void
web_logout(struct vigil_store *s, const char *sid_hash)
{
    struct vigil_err err = {0};
    struct vigil_store_value p[] = {vigil_sv_text(sid_hash)};

    (void)vigil_store_exec(s, "DELETE FROM web_sessions WHERE id_hash = ?", p,
                           1, NULL, &err);
}

/* How long a successful login from an address keeps that user clear of
 * the address's ceiling (web_login_known). */
#define KNOWN_NS (30LL * 86400 * 1000000000LL)

/* What record does besides the audit row. */
#define RECORD_EVIDENCE 1 /* an evidence entry in the same transaction */
#define RECORD_LOG      2 /* a 2410 line */

static void record(struct vigil_web *w, const char *user, const char *action,
                   const char *subject, json_t *detail, int what);

void
web_record_change(struct vigil_web *w, const char *user, const char *action,
                  const char *subject, json_t *detail)
{
    record(w, user, action, subject, detail, RECORD_EVIDENCE | RECORD_LOG);
}

void
web_record_audit(struct vigil_web *w, const char *user, const char *action,
                 const char *subject, json_t *detail)
{
    record(w, user, action, subject, detail, RECORD_LOG);
}

void
web_audit_only(struct vigil_web *w, const char *user, const char *action,
               const char *subject)
{
    record(w, user, action, subject, NULL, 0);
}

static void
record(struct vigil_web *w, const char *user, const char *action,
       const char *subject, json_t *detail, int what)
{
    struct vigil_err err = {0};
    char uid[VIGIL_UID_LEN + 1];
    char *dj = detail ? json_dumps(detail, JSON_COMPACT) : NULL;

    if (vigil_uid_new(uid) != VIGIL_OK)
        random_hex(uid, VIGIL_UID_LEN / 2);
    struct vigil_store_value p[] = {
        vigil_sv_text(uid),     vigil_sv_int(vigil_time_now()),
        vigil_sv_text(user),    vigil_sv_text(action),
        vigil_sv_text(subject), vigil_sv_text(dj)};
    char kind[VIGIL_EVIDENCE_NAME_MAX];
    json_t *ev =
        json_pack("{s:s,s:s,s:o,s:O}", "audit", uid, "action", action,
                  "subject", subject ? json_string(subject) : json_null(),
                  "detail", detail ? detail : json_null());
    char *evj = ev ? json_dumps(ev, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;

    /* The audit row (the overview's last actions) and the evidence entry,
     * signed by the daemon's next seal, with the user as the actor. An
     * incident's own changes are in its timeline and evidence already
     * (src/incident), respond's in its record and evidence. */
    snprintf(kind, sizeof(kind), "web.%s", action);
    struct vigil_store_tx *tx = NULL;
    enum vigil_rc rc = evj == NULL
                           ? vigil_err_set(&err, VIGIL_ENOMEM, "out of memory")
                           : vigil_store_tx_begin(w->store, &tx, &err);
    if (rc == VIGIL_OK)
        rc = vigil_store_tx_exec(tx,
                                 "INSERT INTO web_audit (uid, time_ns, "
                                 "user_name, action, subject, detail_json) "
                                 "VALUES (?, ?, ?, ?, ?, ?)",
                                 p, 6, NULL, &err);
    if (rc == VIGIL_OK && (what & RECORD_EVIDENCE))
        rc = vigil_evidence_append_tx(tx, kind, evj, user, &err);
    if (rc == VIGIL_OK)
        rc = vigil_store_tx_commit(tx, &err);
    else if (tx != NULL)
        vigil_store_tx_rollback(tx);
    if (rc != VIGIL_OK)
        vigil_log(VIGIL_LOG_ERROR, 2411, "web: cannot record %s by %s: %s",
                  action, user, err.msg);
    json_decref(ev);
    free(evj);
    if (what & RECORD_LOG)
        vigil_log(VIGIL_LOG_INFO, 2410, "web: %s %s %s%s%s", user, action,
                  subject ? subject : "", dj ? " " : "", dj ? dj : "");
    free(dj);
}

int
web_login_known(struct vigil_store *s, const char *user, const char *client)
{
    struct vigil_err err = {0};
    int found = 0;
    struct vigil_store_value p[] = {vigil_sv_int(vigil_time_now() - KNOWN_NS),
                                    vigil_sv_text(user), vigil_sv_text(client)};

    return vigil_store_query(s,
                             "SELECT 1 FROM web_audit WHERE time_ns > ? AND "
                             "action = 'login' AND user_name = ? AND "
                             "subject = ? LIMIT 1",
                             p, 3, found_row, &found, &err) == VIGIL_OK &&
           found;
}
