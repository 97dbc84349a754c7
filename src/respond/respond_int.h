/* respond_int.h -- private to src/respond: the request every action is
 * made of (also the privileged helper's wire format), the checks, the
 * actuators, the record in the store, the notification channels. */
#ifndef VIGIL_RESPOND_INT_H
#define VIGIL_RESPOND_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "respond.h"

struct vigil_alert;
struct vigil_store_batch;

/* ---- the request (respond_guard.c) ----
 * Fixed size, no pointers: it crosses the socket to the privileged helper
 * as it is, and the helper trusts nothing in it but its shape. */
#define RESPOND_MAGIC 0x76726531u /* "vre1" */

struct respond_req {
    uint32_t magic;
    uint32_t op;        /* enum vigil_respond_action */
    int64_t for_s;      /* block, isolate: 0 = until undone */
    int32_t command;    /* VIGIL_RA_RUN: index in the helper's commands */
    int32_t check_only; /* dry run: check, change nothing */
    char target[256];   /* address, pid, user name, or the address for RUN */
    char rule[128];     /* VIGIL_RA_RUN: {rule} */
};

struct respond_reply {
    int32_t rc; /* enum vigil_rc */
    char msg[252];
};

/* What the checks protect besides the configured networks. */
struct respond_guard {
    struct vigil_respond_config cfg; /* a copy: the helper's own */
    pid_t protect[4];                /* the daemon, the helper, ... */
    size_t nprotect;
};

/* Builds a guard over a copy of cfg, protecting this process. */
void respond_guard_init(struct respond_guard *g,
                        const struct vigil_respond_config *cfg);
/* May rq be performed? VIGIL_EPERM with the reason (a management or
 * allow-listed address, loopback, this host's own address, gateway or
 * resolver, a link-local or multicast address, pid 1, the
 * daemon or its helper, root's account); VIGIL_EINVAL for a malformed
 * request. Borrows both. */
enum vigil_rc respond_guard_check(const struct respond_guard *g,
                                  const struct respond_req *rq,
                                  struct vigil_err *err);
/* Checks rq, then performs it; err's message says what the system said.
 * The one entry point of the privileged side (helper and `vigil
 * respond`). */
enum vigil_rc respond_perform(const struct respond_guard *g,
                              const struct respond_req *rq,
                              struct vigil_err *err);

/* What makes ip one this host depends on (a gateway, a resolver) or no
 * single attacker's (link-local, multicast, broadcast): a static phrase
 * for the refusal, or NULL when it may be blocked (respond_infra.c). */
const char *respond_infra_address(const uint8_t ip[16]);

/* ---- actuators (respond_act.c) ---- */

/* Runs argv (argv[0] an absolute path) without a shell, input (may be
 * NULL) on its standard input, killing it after timeout_ms. VIGIL_OK when
 * it exits 0; else VIGIL_EIO with its first line of error output. */
enum vigil_rc respond_run_argv(const char *const *argv, const char *input,
                               int64_t timeout_ms, struct vigil_err *err);
enum vigil_rc respond_nft_block(const struct respond_guard *g,
                                const uint8_t addr[16], int64_t for_s, int add,
                                struct vigil_err *err);
enum vigil_rc respond_nft_isolate(const struct respond_guard *g, int on,
                                  struct vigil_err *err);
enum vigil_rc respond_stop_pid(pid_t pid, struct vigil_err *err);
enum vigil_rc respond_lock_user(const struct respond_guard *g, const char *user,
                                int lock, struct vigil_err *err);
enum vigil_rc respond_run_command(const struct respond_guard *g,
                                  const struct respond_req *rq,
                                  struct vigil_err *err);

/* ---- the privileged helper (respond_helper.c) ---- */

struct respond_helper;

/* Forks the helper with a copy of cfg (call as root, before privileges
 * drop and before any thread starts). Returns owned *out (free with
 * respond_helper_free, which ends the helper). */
enum vigil_rc respond_helper_start(struct respond_helper **out,
                                   const struct vigil_respond_config *cfg,
                                   struct vigil_err *err);
/* Sends rq and waits for the helper's answer. Thread-safe. */
enum vigil_rc respond_helper_call(struct respond_helper *h,
                                  const struct respond_req *rq,
                                  struct vigil_err *err);
/* The configuration the helper checks against (borrowed). */
const struct vigil_respond_config *
respond_helper_config(const struct respond_helper *h);
pid_t respond_helper_pid(const struct respond_helper *h);
/* Has the helper ended (killed, crashed)? Reaps it; cannot be started
 * again once the privileges are gone, so every action fails from then. */
int respond_helper_gone(struct respond_helper *h);
void respond_helper_free(struct respond_helper *h);

/* ---- the record (respond_record.c) ---- */

/* One row to insert; strings borrowed. */
struct respond_record {
    const char *id; /* VIGIL_UID_LEN hex */
    const char *action;
    const char *target;
    const char *reason;
    const char *actor;
    const char *alert_uid; /* may be NULL */
    int64_t created_ns;
    int64_t expires_ns;
    const char *state;
    const char *detail; /* may be NULL */
};

/* Adds the row to batch (stored with the alert) or, batch NULL, writes it
 * to s at once. */
enum vigil_rc respond_record_add(struct vigil_store *s,
                                 struct vigil_store_batch *batch,
                                 const struct respond_record *r,
                                 struct vigil_err *err);
/* Sets the state of action id (and, with same_target, of every active
 * action of its kind and target). */
enum vigil_rc respond_record_state(struct vigil_store *s, const char *id,
                                   const char *state, const char *detail,
                                   struct vigil_err *err);
/* The action name recorded for an action ("block", "isolate", ...). */
const char *respond_action_name(enum vigil_respond_action a);

/* An executor: the helper (daemon) or respond_perform in this process
 * (vigil respond). */
typedef enum vigil_rc (*respond_exec_fn)(void *arg,
                                         const struct respond_req *rq,
                                         struct vigil_err *err);

/* Performs req through exec (unless req->dry_run) and records the
 * outcome (in batch, or in s when batch is NULL); id gets the action's
 * id. Returns the outcome (VIGIL_EPERM: refused). */
enum vigil_rc respond_do(struct vigil_store *s, struct vigil_store_batch *batch,
                         respond_exec_fn exec, void *arg,
                         const struct vigil_respond_request *req,
                         int32_t command, char *id, struct vigil_err *err);
/* Undo and expiry through exec (vigil_respond_undo / _expire, the
 * daemon). */
enum vigil_rc respond_undo_with(struct vigil_store *s, respond_exec_fn exec,
                                void *arg, const char *id, const char *actor,
                                struct vigil_err *err);
enum vigil_rc respond_expire_with(struct vigil_store *s, respond_exec_fn exec,
                                  void *arg, int64_t now_ns, size_t *n,
                                  struct vigil_err *err);
/* At a daemon start: puts the active, unexpired blocks back into the
 * firewall (a reboot empties it) with the time they have left. */
enum vigil_rc respond_restore_with(struct vigil_store *s, respond_exec_fn exec,
                                   void *arg, size_t *n, struct vigil_err *err);

/* ---- policies (respond_policy.c) ---- */

/* Does alert a meet p's when? */
int respond_policy_matches(const struct vigil_respond_policy *p,
                           const struct vigil_alert *a);
/* The attacking address of alert a into out (at least 64 bytes): its
 * event's source.ip or, for a correlation (whose alert carries no event),
 * the group when the rule groups by source.ip alone. Returns 1 when found
 * and an IP address. */
int respond_alert_address(const struct vigil_alert *a, char *out,
                          size_t outlen);
/* Copies the string or number field name of a flat event JSON object
 * (as vigil_event_to_json writes it) into out; returns 1 when found. */
/* The value of field name for alert a: from its event, else from what
 * matched, else from a correlation group of that one field
 * ("user.name=alice"). Returns 1 when found. */
int respond_alert_field(const struct vigil_alert *a, const char *name,
                        char *out, size_t len);
int respond_json_field(const char *json, const char *name, char *out,
                       size_t outlen);

/* ---- notification (respond_notify.c) ---- */

/* POSTs body to url with X-Vigil-Signature: sha256=HMAC(secret, body)
 * when secret is not empty. */
enum vigil_rc respond_webhook_post(const struct vigil_respond_config *cfg,
                                   const char *body, struct vigil_err *err);
enum vigil_rc respond_mail_send(const struct vigil_respond_config *cfg,
                                const char *subject, const char *text,
                                struct vigil_err *err);
/* Sends one formatted line to cfg->forward_to (octet-counted over TCP);
 * *fd keeps the connection (-1 at first, reconnects once on failure). */
enum vigil_rc respond_forward_send(const struct vigil_respond_config *cfg,
                                   const char *line, int *fd,
                                   struct vigil_err *err);
/* The alert as one RFC 5424 or CEF line (cfg->forward_format). */
enum vigil_rc respond_forward_format(const struct vigil_respond_config *cfg,
                                     const struct vigil_alert *a,
                                     struct vigil_buf *out);
/* Lower-case hex HMAC-SHA256 of body under key (65 bytes). */
void respond_hmac_hex(const char *key, const char *body, size_t len,
                      char hex[65]);

/* ---- the notification queue (respond_queue.c) ---- */

struct respond_queue;

/* Starts the sending thread over cfg (borrowed, outlives the queue) and
 * s (records what was sent). Returns owned *out. */
enum vigil_rc respond_queue_new(struct respond_queue **out,
                                const struct vigil_respond_config *cfg,
                                struct vigil_store *s, struct vigil_err *err);
/* Queues a message for the duty channels (copied). */
enum vigil_rc respond_queue_msg(struct respond_queue *q,
                                const struct vigil_respond_msg *m,
                                struct vigil_err *err);
/* Queues an alert (copied) for the forward target. */
enum vigil_rc respond_queue_forward(struct respond_queue *q,
                                    const struct vigil_alert *a,
                                    struct vigil_err *err);
/* Sends what is queued, then stops the thread and frees q. */
void respond_queue_free(struct respond_queue *q);
/* Makes q the one vigil_respond_notify uses (NULL: none). */
void respond_queue_publish(struct respond_queue *q);

#endif
