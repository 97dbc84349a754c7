/* web.h -- the dashboard and REST API (issue 16): users with roles,
 * sessions and API tokens kept in the store, and an HTTP server
 * (libmicrohttpd) the daemon runs as its `web` component.
 *
 * Security model (docs/web.md): every route needs a session cookie or an
 * `Authorization: Bearer` API token, except the login page, its assets and
 * /api/openapi.json; every change made with a session carries its CSRF
 * token; passwords are argon2id hashes (libsodium), session ids and API
 * tokens are stored as SHA-256 hashes only. Without a certificate the
 * server listens on loopback only. */
#ifndef VIGIL_WEB_H
#define VIGIL_WEB_H

#include <stdint.h>

#include "core/core.h"
#include "store/store.h"

#define VIGIL_WEB_HOSTNAMES_MAX 16

/* The `web:` section of the configuration (docs/configuration.md). */
struct vigil_web_config {
    int enabled;              /* web.enabled (default true) */
    char listen[128];         /* web.listen: "127.0.0.1:8443" */
    char cert[4096];          /* web.cert: PEM certificate; "" = plain HTTP */
    char key[4096];           /* web.key: its PEM private key */
    int64_t session_ttl_s;    /* web.session_ttl (default 12h) */
    int64_t login_per_minute; /* web.login_attempts: per (address, user) */
    /* web.hostnames: names the dashboard is reached by, beside its listen
     * address and localhost (the Host header check) */
    char hostnames[VIGIL_WEB_HOSTNAMES_MAX][256];
    size_t nhostnames;
};

extern const struct vigil_conf_table vigil_web_conf;
/* Built-in values (enabled, 127.0.0.1:8443, 12h, 5). */
enum vigil_rc vigil_web_conf_builtin(void *conf, struct vigil_err *err);

/* 1 when a and b (borrowed) are the same settings: a reload with an
 * unchanged section says nothing about needing a restart. */
int vigil_web_conf_equal(const struct vigil_web_config *a,
                         const struct vigil_web_config *b);

/* The domain's tables: users, sessions, API tokens, triage, audit. */
extern const struct vigil_store_schema vigil_web_schema;

enum vigil_web_role {
    VIGIL_ROLE_NONE = 0,
    VIGIL_ROLE_VIEWER = 1,  /* reads everything */
    VIGIL_ROLE_ANALYST = 2, /* also triages */
    VIGIL_ROLE_ADMIN = 3    /* also manages users */
};
/* "viewer" ... for a role; the role for a name, or VIGIL_ROLE_NONE. */
const char *vigil_web_role_name(enum vigil_web_role r);
enum vigil_web_role vigil_web_role_parse(const char *name);

/* Longest user name; names are [A-Za-z0-9._@-]. */
#define VIGIL_WEB_USER_MAX 64
/* Shortest and longest password accepted (the CLI and login agree: a
 * longer one is refused, never cut). */
#define VIGIL_WEB_PASSWORD_MIN 12
#define VIGIL_WEB_PASSWORD_MAX 1024

/* Adds a user (VIGIL_ECONFLICT when the name is taken, VIGIL_EINVAL for a
 * bad name or a password shorter than VIGIL_WEB_PASSWORD_MIN). All
 * borrowed. */
enum vigil_rc vigil_web_user_add(struct vigil_store *s, const char *name,
                                 const char *password, enum vigil_web_role role,
                                 struct vigil_err *err);
/* Sets a new password and ends the user's sessions (VIGIL_ENOTFOUND). */
enum vigil_rc vigil_web_user_passwd(struct vigil_store *s, const char *name,
                                    const char *password,
                                    struct vigil_err *err);
/* Deletes the user with their sessions and tokens (VIGIL_ENOTFOUND). */
enum vigil_rc vigil_web_user_del(struct vigil_store *s, const char *name,
                                 struct vigil_err *err);
/* Calls fn per user, by name; fn returns non-zero to stop. */
enum vigil_rc vigil_web_user_each(struct vigil_store *s,
                                  int (*fn)(const char *name,
                                            enum vigil_web_role role,
                                            int64_t created_ns, void *arg),
                                  void *arg, struct vigil_err *err);
/* Sets a user's role and ends their sessions (VIGIL_ENOTFOUND). */
enum vigil_rc vigil_web_user_role(struct vigil_store *s, const char *name,
                                  enum vigil_web_role role,
                                  struct vigil_err *err);
/* Calls fn per API token (its id is the first 12 hex digits of its
 * hash, which is not enough to use it), newest first. */
enum vigil_rc vigil_web_token_each(struct vigil_store *s,
                                   int (*fn)(const char *id, const char *user,
                                             const char *label,
                                             int64_t created_ns, void *arg),
                                   void *arg, struct vigil_err *err);
/* Revokes the token whose id (as _each gives it) is id
 * (VIGIL_ENOTFOUND). */
enum vigil_rc vigil_web_token_revoke(struct vigil_store *s, const char *id,
                                     struct vigil_err *err);
/* Makes an API token for user: writes "vgl_" + 64 hex digits into out
 * (shown once; only its hash is stored). label (may be NULL) names it. */
#define VIGIL_WEB_TOKEN_LEN 68
enum vigil_rc vigil_web_token_new(struct vigil_store *s, const char *user,
                                  const char *label,
                                  char out[VIGIL_WEB_TOKEN_LEN + 1],
                                  struct vigil_err *err);

/* ---- the server ---- */

struct vigil_web;

struct vigil_incident_env;
struct vigil_respond_request;
struct vigil_rule_info;

/* What the daemon lends the server: counters it does not store, and the
 * running components the dashboard acts through. Any member may be NULL
 * (the capability is then "not configured"); each call answers
 * VIGIL_EUNSUPPORTED when its component is not running at that moment. */
struct vigil_web_probe {
    /* The daemon's state directory, for the first-user hint (2407). */
    const char *state_dir;
    /* Alerts and findings published since start. */
    void (*bus_counts)(void *arg, uint64_t *alerts, uint64_t *findings);
    /* Runs fn with the incident component's environment, its actor set
     * to actor (borrowed), while the component cannot stop. */
    enum vigil_rc (*incidents)(
        void *arg, const char *actor,
        enum vigil_rc (*fn)(const struct vigil_incident_env *env, void *ctx,
                            struct vigil_err *err),
        void *ctx, struct vigil_err *err);
    /* A response action asked for by a person, and its undo, through the
     * respond component (vigil_respond_engine_request / _undo). */
    enum vigil_rc (*respond_act)(void *arg,
                                 const struct vigil_respond_request *req,
                                 char id[VIGIL_UID_LEN + 1],
                                 struct vigil_err *err);
    enum vigil_rc (*respond_undo)(void *arg, const char *id, const char *actor,
                                  struct vigil_err *err);
    /* Is that component running now: "incidents", "respond"? */
    int (*running)(void *arg, const char *what);
    /* Calls fn per loaded rule (detect component). */
    enum vigil_rc (*rules)(void *arg,
                           void (*fn)(const struct vigil_rule_info *r,
                                      void *ctx),
                           void *ctx, struct vigil_err *err);
    void *arg;
};

/* Opens the listening socket now (called as root before the drop, for a
 * port below 1024, and to read a key only root may read). Otherwise
 * vigil_web_start does it. cfg borrowed. */
enum vigil_rc vigil_web_prepare(const struct vigil_web_config *cfg,
                                struct vigil_err *err);
/* store, cfg and probe borrowed for the server's life. Returns owned *out
 * (vigil_web_free). */
enum vigil_rc vigil_web_new(struct vigil_web **out, struct vigil_store *store,
                            const struct vigil_web_config *cfg,
                            const struct vigil_web_probe *probe,
                            struct vigil_err *err);
/* Listens and serves on threads of its own; logs the address (2401). */
enum vigil_rc vigil_web_start(struct vigil_web *w, struct vigil_err *err);
void vigil_web_stop(struct vigil_web *w);
void vigil_web_free(struct vigil_web *w);

#endif
