/* daemon_int.h -- private to src/daemon: the component table, the
 * in-process bus and the configuration object.
 *
 * Adding a capability (docs/architecture.md, "Adding a domain"): write
 * comp_<name>.c with a `const struct vigil_component`, list it in
 * daemon_components (daemon_main.c), and let it subscribe to the bus. */
#ifndef VIGIL_DAEMON_INT_H
#define VIGIL_DAEMON_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "daemon.h"
#include "store/store.h"

/* ---- the bus (daemon_bus.c) ---- */

/* Events, alerts and findings, delivered synchronously on the thread that
 * publishes them, with the store batch they belong to: whatever a
 * subscriber adds to that batch (alerts, incident rows) is committed in
 * the same transaction as the checkpoint of the line that caused it, so a
 * crash neither loses nor repeats it. Subscribers run concurrently from
 * several source threads and must be thread-safe. Subscribing and
 * unsubscribing happen while no source runs (start and stop). */
struct vigil_bus;

/* Something a scanner found (a document, a file, an access export) that
 * deserves an alert; strings borrowed for the call. */
struct vigil_finding {
    int64_t time_ns;
    const char *kind;        /* "disclose.hidden_sheet", "fim.changed" */
    const char *level;       /* a Sigma level */
    const char *title;       /* one line for a person */
    const char *subject;     /* the file, host or account it is about */
    const char *detail_json; /* a JSON object, or NULL */
    const char *source;      /* the component that found it */
};

typedef enum vigil_rc (*vigil_bus_event_fn)(void *arg,
                                            const struct vigil_event *ev,
                                            const char *source,
                                            struct vigil_store_batch *batch);
typedef void (*vigil_bus_alert_fn)(void *arg, const struct vigil_alert *a,
                                   struct vigil_store_batch *batch);

#define VIGIL_BUS_MAX_SUBSCRIBERS 16

/* Returns an owned bus (free with vigil_bus_free, after every component
 * that uses it is freed). */
enum vigil_rc vigil_bus_new(struct vigil_bus **out, struct vigil_err *err);
void vigil_bus_free(struct vigil_bus *bus);

/* Subscribes fn(arg) (arg borrowed until unsubscribed); returns a
 * positive id, or 0 when VIGIL_BUS_MAX_SUBSCRIBERS are there already. */
int vigil_bus_on_event(struct vigil_bus *bus, vigil_bus_event_fn fn, void *arg);
int vigil_bus_on_alert(struct vigil_bus *bus, vigil_bus_alert_fn fn, void *arg);
void vigil_bus_unsubscribe(struct vigil_bus *bus, int id);

/* Hands ev (borrowed) to every event subscriber; returns the first
 * failure, after every subscriber had its turn. */
enum vigil_rc vigil_bus_publish_event(struct vigil_bus *bus,
                                      const struct vigil_event *ev,
                                      const char *source,
                                      struct vigil_store_batch *batch);
/* Adds the alert to batch (the one way alerts are stored) and hands it
 * to every alert subscriber. */
enum vigil_rc vigil_bus_publish_alert(struct vigil_bus *bus,
                                      const struct vigil_alert *a,
                                      struct vigil_store_batch *batch);
/* Turns a finding into an alert (rule id = kind) and publishes it. */
enum vigil_rc vigil_bus_publish_finding(struct vigil_bus *bus,
                                        const struct vigil_finding *f,
                                        struct vigil_store_batch *batch);
/* Counters: alerts and findings published since the bus was made
 * (events are counted per source by ingest). */
void vigil_bus_counts(const struct vigil_bus *bus, uint64_t *alerts,
                      uint64_t *findings);

/* ---- components ---- */

/* ---- what running components lend each other (daemon_links.c) ----
 * The web component acts through the incident and respond components and
 * lists detect's rules. Each registers itself while started and withdraws
 * at stop; a caller holds the read lock for the length of its call, so an
 * instance is never stopped or freed under it. A withdrawal clears the
 * slot only when it still holds the instance withdrawing, whatever order
 * a reload stops the old instance and starts the new one in. */
struct daemon_links {
    pthread_rwlock_t lock;
    const void *incident; /* const struct vigil_incident_env * */
    void *respond;        /* struct vigil_respond_engine * */
    const void *detect;   /* const struct daemon_detect * */
};

enum daemon_link {
    DAEMON_LINK_INCIDENT,
    DAEMON_LINK_RESPOND,
    DAEMON_LINK_DETECT
};

/* Registers p (borrowed until withdrawn) in slot `which`; NULL-safe l. */
void daemon_link_set(struct daemon_links *l, enum daemon_link which,
                     const void *p);
/* Clears slot `which` if it still holds p, waiting for readers. */
void daemon_link_clear(struct daemon_links *l, enum daemon_link which,
                       const void *p);
/* Read-locks l and returns slot `which` (NULL when nothing is
 * registered); release with daemon_link_put whatever it returned. */
const void *daemon_link_get(struct daemon_links *l, enum daemon_link which);
void daemon_link_put(struct daemon_links *l);

/* What the daemon lends a component for its life (all borrowed). */
struct vigil_daemon_env {
    struct vigil_store *store;
    struct vigil_bus *bus;
    const char *state_dir;
    int once;         /* read to the end and stop (vigil run --once) */
    int strict_modes; /* refuse inputs others could have written */
    uid_t trusted;    /* besides root, who may own them */
    struct daemon_links *links; /* NULL outside the daemon */
};

/* One component. Only name and new/free are required. The daemon calls:
 * new (build from the configuration, open nothing shared yet), start (open
 * sockets, subscribe, start threads), tick (ten times a second, on the
 * daemon's thread), stats (every stats_interval), stop (unsubscribe, join
 * threads, submit what is pending; the daemon then flushes the store),
 * free.
 * Components start in table order and stop in reverse, so consumers are
 * subscribed before producers publish and producers stop first. */
struct vigil_component {
    const char *name;
    const char *what; /* for messages: "rules", "sources" */
    /* Configuration: the top-level keys it owns (NULL: none), the size of
     * its section object, the built-in section used without a file, and
     * how to free a section. */
    const struct vigil_conf_table *conf;
    size_t conf_size;
    enum vigil_rc (*conf_builtin)(void *conf, struct vigil_err *err);
    void (*conf_fini)(void *conf);

    /* Optional. Runs once per daemon start (never on reload), as the
     * account the daemon was started as (root, usually), before it drops
     * privileges and installs its system-call filter: opens what needs
     * root (a fanotify group, a capture handle, src/respond's privileged
     * helper) and keeps it, in the component's own file, for new. conf
     * is the section at start. A change that needs it again on reload
     * is refused by reload with a message asking for a restart.
     * state_dir is the daemon's state folder (it exists). */
    enum vigil_rc (*prepare)(const void *conf, const char *state_dir,
                             struct vigil_err *err);
    /* conf is borrowed and outlives the instance. Returns owned *self. */
    enum vigil_rc (*new)(void **self, const struct vigil_daemon_env *env,
                         const void *conf, struct vigil_err *err);
    /* On SIGHUP, with the new instance built and the old one running:
     * take over what must survive (state), or refuse. VIGIL_OK: swap;
     * VIGIL_EUNSUPPORTED: keep the old instance running in the new set
     * (err says why, it is logged); anything else refuses the reload. */
    enum vigil_rc (*reload)(void *fresh, void *old, struct vigil_err *err);
    enum vigil_rc (*start)(void *self, struct vigil_err *err);
    void (*tick)(void *self);
    void (*stats)(void *self);
    /* With once: has this component's input ended? NULL: nothing to wait
     * for. */
    int (*done)(void *self);
    void (*stop)(void *self);
    void (*free)(void *self);
};

extern const struct vigil_component daemon_comp_store;
extern const struct vigil_component daemon_comp_detect;
extern const struct vigil_component daemon_comp_ingest;
extern const struct vigil_component daemon_comp_respond;
extern const struct vigil_component daemon_comp_fim;
extern const struct vigil_component daemon_comp_net;
extern const struct vigil_component daemon_comp_incident;
extern const struct vigil_component daemon_comp_web;

/* The table, in start order (daemon_config.c). */
extern const struct vigil_component *const daemon_components[];
extern const size_t daemon_ncomponents;

/* ---- configuration (daemon_config.c) ---- */

#define DAEMON_MAX_COMPONENTS 32

struct vigil_daemon_config {
    char path[4096];      /* the file; "" = built-in */
    char state_dir[4096]; /* state_dir: "" = vigil_state_dir's rule */
    int64_t stats_interval_s;
    char user[64];    /* user: the account to run as; "" = vigil */
    int strict_modes; /* strict_modes: refuse files others can write */
    void *sections[DAEMON_MAX_COMPONENTS]; /* per component, owned */
};

/* ---- least privilege (daemon_privsep.c, docs/security.md) ---- */

struct daemon_privs {
    int drop;  /* become uid/gid (started as root, the account exists) */
    uid_t uid; /* who the daemon runs as once started */
    gid_t gid;
    char user[64]; /* the account's name when dropping */
    int keep_kill; /* keep CAP_KILL too (fim.ransomware.action: stop) */
};

/* Decides whom to run as from cfg's user (default vigil; `root` keeps
 * root, logged). Not started as root: stays who it is. A configured user
 * that does not exist is VIGIL_EPARSE; a missing default account is
 * logged (1171) and root is kept. */
enum vigil_rc daemon_privs_plan(const struct vigil_daemon_config *cfg,
                                struct daemon_privs *p, struct vigil_err *err);
/* Hands the state directory (and root's files in it) to the account when
 * dropping, then checks it can be trusted (vigil_path_trusted). */
enum vigil_rc daemon_state_check(const struct daemon_privs *p,
                                 const char *state, struct vigil_err *err);
/* Becomes p's account keeping CAP_DAC_READ_SEARCH and
 * CAP_NET_BIND_SERVICE only (no-op unless p->drop). Call before any
 * thread starts. */
enum vigil_rc daemon_privs_drop(const struct daemon_privs *p,
                                struct vigil_err *err);
/* no_new_privs and the seccomp filter; call before any thread starts. */
enum vigil_rc daemon_sandbox(struct vigil_err *err);

/* ---- detection for the daemon (daemon_detect.c) ---- */

struct daemon_detect;
struct vigil_detect_config;

/* Loads vigil's pack (unless cfg->builtin_rules is 0) and the configured
 * rule paths, compiles them once (literal databases cached in
 * STATE/cache). With env->strict_modes a rule path holding a file or
 * folder that someone else could have written is refused whole
 * (VIGIL_EPERM). Refused rules are logged (file:line) and skipped. cfg
 * and env are borrowed for the call. Returns owned *out. */
enum vigil_rc daemon_detect_new(struct daemon_detect **out,
                                const struct vigil_detect_config *cfg,
                                const struct vigil_daemon_env *env,
                                struct vigil_err *err);
/* Matches ev and publishes an alert per match on bus (adding it to
 * batch). Thread-safe. */
enum vigil_rc daemon_detect_event(struct daemon_detect *dd,
                                  struct vigil_bus *bus,
                                  const struct vigil_event *ev,
                                  const char *source,
                                  struct vigil_store_batch *batch);
/* Logs the rule counts (message 1161). */
void daemon_detect_log(const struct daemon_detect *dd);
/* Calls fn for every loaded rule, in load order (the web's rule list). */
struct vigil_rule_info;
void daemon_detect_rules(const struct daemon_detect *dd,
                         void (*fn)(const struct vigil_rule_info *r, void *arg),
                         void *arg);
/* Does fresh refuse more rules than old? Then err says how many and
 * which first (file:line). */
int daemon_detect_worse(const struct daemon_detect *fresh,
                        const struct daemon_detect *old, struct vigil_err *err);
/* Were fresh and old built from the same rule files and placeholders?
 * Then the running one is kept on reload, with its open correlation
 * windows. */
int daemon_detect_same(const struct daemon_detect *fresh,
                       const struct daemon_detect *old);
/* Closes correlation windows that ended by the newest event time seen
 * (with final: every open window, at the end of the input) and commits
 * their alerts in a batch of their own. */
enum vigil_rc daemon_detect_tick(struct daemon_detect *dd,
                                 struct vigil_bus *bus,
                                 struct vigil_store *store, int final);
/* Logs the correlation groups open, dropped and refused (message 1503). */
void daemon_detect_stats(const struct daemon_detect *dd);
/* At start: loads the correlation groups saved in store (message 1504). */
enum vigil_rc daemon_detect_restore(struct daemon_detect *dd,
                                    struct vigil_store *store,
                                    struct vigil_err *err);
/* On reload, once old has stopped: moves its correlation groups into
 * fresh (not started yet) in memory (message 1505). Both borrowed. */
void daemon_detect_take(struct daemon_detect *fresh, struct daemon_detect *old);
void daemon_detect_free(struct daemon_detect *dd);

#endif
