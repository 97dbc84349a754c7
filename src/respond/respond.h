/* respond.h -- containment and notification: block an address in
 * nftables, isolate the host, stop a process, lock an account, run a
 * configured command; tell the people on duty (e-mail, webhook) and
 * forward alerts (syslog RFC 5424, CEF). Every action is checked against
 * the management networks, the allow-list and the protected processes
 * before it runs, recorded in the store with who and why, and can be
 * undone (docs/configuration.md "response", docs/security.md).
 *
 * Two callers: the daemon's respond component (src/daemon/comp_respond.c),
 * which acts on alerts through a privileged helper process forked before
 * the daemon drops root, and `vigil respond`, which the administrator
 * runs as root and which acts in its own process. Both go through the
 * same checks (respond_guard_check). */
#ifndef VIGIL_RESPOND_H
#define VIGIL_RESPOND_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

struct vigil_store;
struct vigil_store_schema;

#define VIGIL_RESPOND_MAX_NETS     64
#define VIGIL_RESPOND_MAX_POLICIES 32
#define VIGIL_RESPOND_MAX_DO       8
#define VIGIL_RESPOND_MAX_EMAILS   16
#define VIGIL_RESPOND_MAX_COMMANDS 16
#define VIGIL_RESPOND_MAX_ARGS     16

/* A network of response.management or response.allow. */
struct vigil_respond_net {
    uint8_t addr[16]; /* IPv4 mapped */
    unsigned prefix;  /* IPv4 bits for a mapped address */
    char text[64];    /* as written, for messages and nftables */
};

/* What a policy does (response.policies[].do). */
enum vigil_respond_do {
    VIGIL_DO_BLOCK_SOURCE = 1, /* block the alert's source.ip */
    VIGIL_DO_ISOLATE,          /* cut the host off but management */
    VIGIL_DO_STOP_PROCESS,     /* SIGSTOP + SIGKILL the event's process.pid */
    VIGIL_DO_LOCK_USER,        /* lock the event's user.name */
    VIGIL_DO_NOTIFY_DUTY,      /* e-mail and webhook to notify.duty */
    VIGIL_DO_FORWARD,          /* syslog/CEF to response.forward */
    VIGIL_DO_RUN               /* run:NAME, a configured command */
};

struct vigil_respond_policy {
    char rule[256]; /* when.rule: rule id, name or title; "" = any */
    char level[16]; /* when.level: this level or higher; "" = any */
    char tag[128];  /* when.tag: a tag or its parent; "" = any */
    size_t ndo;
    enum vigil_respond_do what[VIGIL_RESPOND_MAX_DO];
    int command[VIGIL_RESPOND_MAX_DO];  /* VIGIL_DO_RUN: index in commands */
    char run[VIGIL_RESPOND_MAX_DO][64]; /* VIGIL_DO_RUN: the command's name */
    unsigned line;                      /* where the policy is written */
    int64_t for_s;                      /* for: 0 = response.block_for */
};

/* A configured command: an argument vector run without a shell. An
 * argument "{address}" becomes the alert's source address (checked like
 * a block's), "{rule}" the rule id. */
struct vigil_respond_command {
    char name[64];
    size_t argc;
    char argv[VIGIL_RESPOND_MAX_ARGS][256];
};

enum vigil_respond_tls {
    VIGIL_SMTP_STARTTLS = 0, /* smtp://, STARTTLS required (default) */
    VIGIL_SMTP_TLS,          /* smtps:// */
    VIGIL_SMTP_NONE          /* plain: only to a loopback address */
};

/* The `response:` section (docs/configuration.md). Plain data, no
 * pointers: a copy is a complete configuration (the helper keeps one). */
struct vigil_respond_config {
    struct vigil_respond_net management[VIGIL_RESPOND_MAX_NETS];
    size_t nmanagement;
    struct vigil_respond_net allow[VIGIL_RESPOND_MAX_NETS];
    size_t nallow;
    struct vigil_respond_policy policies[VIGIL_RESPOND_MAX_POLICIES];
    size_t npolicies;
    struct vigil_respond_command commands[VIGIL_RESPOND_MAX_COMMANDS];
    size_t ncommands;
    int64_t command_timeout_ms; /* response.command_timeout */
    int64_t block_for_s;        /* response.block_for; 0 = until undone */
    int dry_run;                /* response.dry_run: record, do nothing */
    char nft[256];              /* response.nft: nft's path; "" = search */
    /* response.notify */
    char duty_email[VIGIL_RESPOND_MAX_EMAILS][256];
    size_t nduty_email;
    char duty_webhook[1024];
    char webhook_secret[256]; /* HMAC-SHA256 key; "" = unsigned */
    char smtp_url[512];       /* smtp://host:port */
    char smtp_from[256];
    char smtp_user[128];
    char smtp_password[256];
    int smtp_tls; /* enum vigil_respond_tls */
    int64_t notify_timeout_ms;
    /* response.forward */
    char forward_to[256];    /* udp://host:port or tcp://host:port */
    char forward_format[16]; /* rfc5424 (default) or cef */
};

/* The key the respond domain claims at the top of the configuration
 * (`response:`), for vigil_conf_apply with a struct vigil_respond_config. */
extern const struct vigil_conf_table vigil_respond_conf;
/* What the key table cannot say: each run:NAME names a command (sets
 * its index), e-mail needs notify.smtp.url and .from, plain SMTP goes to
 * a loopback address only, forward.to is udp:// or tcp://. VIGIL_EPARSE
 * with "response...: why". */
enum vigil_rc vigil_respond_config_check(struct vigil_respond_config *cfg,
                                         struct vigil_err *err);

/* The domain's tables (respond_actions), for vigil_daemon_schemas. */
extern const struct vigil_store_schema vigil_respond_schema;

/* ---- actions by hand (vigil respond) ---- */

enum vigil_respond_action {
    VIGIL_RA_BLOCK = 1,
    VIGIL_RA_UNBLOCK,
    VIGIL_RA_ISOLATE,
    VIGIL_RA_UNISOLATE,
    VIGIL_RA_STOP,
    VIGIL_RA_LOCK,
    VIGIL_RA_UNLOCK,
    VIGIL_RA_RUN
};

/* One request; strings borrowed for the call. */
struct vigil_respond_request {
    enum vigil_respond_action action;
    const char *target;    /* address, pid, user; NULL for isolate */
    int64_t for_s;         /* block, isolate, lock: 0 = until undone */
    const char *reason;    /* why, for the record */
    const char *actor;     /* who: "user root", "rule <id>" */
    const char *alert_uid; /* the alert that caused it, or NULL */
    int dry_run;           /* check and record, change nothing */
};

/* Checks req against cfg's management networks, allow-list and the
 * protected processes, performs it in this process (the caller is root:
 * `vigil respond`), and records it in s (read-write) with its outcome.
 * Writes the action's id into id (VIGIL_UID_LEN + 1 bytes). A refused
 * request is recorded as refused and returns VIGIL_EPERM; a failed one
 * VIGIL_EIO. All borrowed. */
enum vigil_rc vigil_respond_act(struct vigil_store *s,
                                const struct vigil_respond_config *cfg,
                                const struct vigil_respond_request *req,
                                char *id, struct vigil_err *err);
/* Undoes the active action id (block, isolate, lock) and marks it and
 * every active action of the same kind and target undone by actor.
 * VIGIL_ENOTFOUND: no such action; VIGIL_ECONFLICT: not active or not
 * undoable (a stopped process). */
enum vigil_rc vigil_respond_undo(struct vigil_store *s,
                                 const struct vigil_respond_config *cfg,
                                 const char *id, const char *actor,
                                 struct vigil_err *err);
/* Marks active actions whose time is up as expired, undoing those the
 * firewall does not expire by itself (isolate, lock); sets *n (may be
 * NULL) to how many. */
enum vigil_rc vigil_respond_expire(struct vigil_store *s,
                                   const struct vigil_respond_config *cfg,
                                   int64_t now_ns, size_t *n,
                                   struct vigil_err *err);

/* One recorded action, as `vigil respond list` shows it; strings
 * borrowed for the callback. */
struct vigil_respond_row {
    const char *id;
    const char *action; /* block, isolate, stop, lock, run, notify, ... */
    const char *target;
    const char *reason;
    const char *actor;
    const char *alert_uid; /* "" when none */
    int64_t created_ns;
    int64_t expires_ns; /* 0: no expiry */
    const char *state;  /* active, undone, expired, done, refused, failed,
                           dry-run, sent */
    const char *detail; /* what the system said, or "" */
};
/* Calls fn per recorded action, newest first (limit <= 0: all); fn
 * returns non-zero to stop. Works on a readonly store. */
enum vigil_rc vigil_respond_list(struct vigil_store *s, int64_t limit,
                                 int (*fn)(const struct vigil_respond_row *r,
                                           void *arg),
                                 void *arg, struct vigil_err *err);

/* ---- in the daemon (src/daemon/comp_respond.c) ---- */

struct vigil_alert;
struct vigil_store_batch;
struct vigil_respond_engine;

/* Forks the privileged helper with a copy of cfg's management networks,
 * allow-list and commands, once per process; call as root before the
 * daemon drops privileges and before any thread starts. Does nothing
 * when cfg has no policy. cfg borrowed. */
enum vigil_rc vigil_respond_prepare(const struct vigil_respond_config *cfg,
                                    struct vigil_err *err);
/* Builds an engine over a checked copy of cfg, acting through the helper
 * vigil_respond_prepare started and recording in s (borrowed, outlives
 * it). VIGIL_EPARSE when cfg does not pass vigil_respond_config_check.
 * Returns owned *out (free with vigil_respond_engine_free). */
enum vigil_rc vigil_respond_engine_new(struct vigil_respond_engine **out,
                                       const struct vigil_respond_config *cfg,
                                       struct vigil_store *s,
                                       struct vigil_err *err);
/* Can fresh take over from the running helper? VIGIL_EUNSUPPORTED (err
 * says why) when its management networks, allow-list, commands or nft
 * differ from those the helper was started with, or it needs a helper
 * that was never started: those take effect at the next start. */
enum vigil_rc
vigil_respond_engine_reloadable(const struct vigil_respond_engine *fresh,
                                struct vigil_err *err);
/* Starts the notification thread; the first time in a process, also puts
 * the active blocks of the store back into the firewall and undoes what
 * expired while vigil was stopped. */
enum vigil_rc vigil_respond_engine_start(struct vigil_respond_engine *e,
                                         struct vigil_err *err);
/* Acts on alert a (borrowed) per the policies that take it: containment
 * through the helper at once, recorded in batch (the alert's); e-mail,
 * webhook and forwarding queued. Thread-safe. */
void vigil_respond_engine_alert(struct vigil_respond_engine *e,
                                const struct vigil_alert *a,
                                struct vigil_store_batch *batch);
/* An action asked for by a person through the running daemon (the web
 * dashboard): checked and performed through the privileged helper like
 * a policy's, recorded with req->actor and its evidence entry; with
 * response.dry_run (or req->dry_run) checked and recorded only, in this
 * process when there is no helper. Writes the action's id into id.
 * VIGIL_EPERM: refused; VIGIL_EIO: failed (no helper: no containment
 * policy was configured when the daemon started). Thread-safe; all
 * borrowed. */
enum vigil_rc
vigil_respond_engine_request(struct vigil_respond_engine *e,
                             const struct vigil_respond_request *req,
                             char id[VIGIL_UID_LEN + 1], struct vigil_err *err);
/* Undoes action id through the helper, as vigil_respond_undo does. */
enum vigil_rc vigil_respond_engine_undo(struct vigil_respond_engine *e,
                                        const char *id, const char *actor,
                                        struct vigil_err *err);
/* Once a second: undoes and marks what expired. */
void vigil_respond_engine_tick(struct vigil_respond_engine *e);
/* Sends what is queued and stops the notification thread. */
void vigil_respond_engine_stop(struct vigil_respond_engine *e);
void vigil_respond_engine_free(struct vigil_respond_engine *e);

/* ---- notification (also for other domains: incidents) ---- */

/* A message for the people on duty; borrowed for the call. */
struct vigil_respond_msg {
    const char *subject; /* one line; control characters are replaced */
    const char *text;    /* the mail's body */
    const char *json;    /* the webhook's "data" (a JSON value), or NULL */
    const char *about;   /* for the record: what it is about, or NULL */
};

/* Sends m to cfg's duty channels now, on the calling thread (e-mail to
 * every notify.duty.email, a POST to notify.duty.webhook signed with
 * notify.webhook_secret), each bounded by notify.timeout. Returns the
 * first failure after trying every channel; VIGIL_ENOTFOUND when no
 * channel is configured. cfg borrowed. */
enum vigil_rc vigil_respond_send(const struct vigil_respond_config *cfg,
                                 const struct vigil_respond_msg *m,
                                 struct vigil_err *err);
/* Queues m (copied) for the duty channels of the running daemon's
 * response component, which sends it from its own thread and records it;
 * returns at once. VIGIL_ENOTFOUND when no response component runs or it
 * has no duty channel; VIGIL_ELIMIT when its queue is full. Thread-safe. */
enum vigil_rc vigil_respond_notify(const struct vigil_respond_msg *m,
                                   struct vigil_err *err);

/* Parses "24h", "30m", "90s", "2d" or plain seconds into seconds (at
 * least 1). Returns 1 or 0. */
int vigil_respond_parse_for(const char *s, int64_t *seconds);

#endif
