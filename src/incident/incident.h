/* incident.h -- incidents: alerts grouped into cases (automatically or
 * by hand) carried through the NIST SP 800-61 phases with an owner,
 * notes, tasks from a playbook, affected services and a timeline; the
 * regulators' clocks that start at the moment of awareness, the drafts
 * of the notifications they ask for and the breach register; and the
 * export of one incident as an archive a third party can verify.
 *
 * Every change is one transaction holding the change, its timeline
 * entry and its evidence entry (src/evidence), so the three never
 * disagree. Reads return JSON texts (owned, free with free()) that the
 * command line prints as tables or as they are. docs/incidents.md,
 * docs/regulators.md and docs/evidence.md describe the behaviour. */
#ifndef VIGIL_INCIDENT_H
#define VIGIL_INCIDENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "store/store.h"

struct vigil_tz;

/* The incident tables (after the evidence log's, which they log into). */
extern const struct vigil_store_schema vigil_incident_schema;

/* ---- configuration: the `incident:` section ---- */

enum {
    VIGIL_GROUP_HOST = 1,
    VIGIL_GROUP_USER = 2,
    VIGIL_GROUP_SOURCE = 4, /* source address */
    VIGIL_GROUP_RULE = 8    /* rule family: the ATT&CK technique, else rule */
};

enum {
    VIGIL_JUR_UK = 1,
    VIGIL_JUR_EU = 2,
    VIGIL_JUR_QUEBEC = 4,
    VIGIL_JUR_ONTARIO = 8,
    VIGIL_JUR_CANADA = 16
};

#define VIGIL_INCIDENT_ROLES_MAX 16

struct vigil_incident_config {
    int auto_open;          /* incident.auto */
    int64_t window_s;       /* incident.window */
    int group_by;           /* incident.group_by: VIGIL_GROUP_* bits */
    char min_level[16];     /* incident.min_level; "" = medium */
    int jurisdictions;      /* incident.jurisdictions: VIGIL_JUR_* bits */
    int essential_service;  /* incident.essential_service (NIS, NIS2) */
    char timezone[64];      /* incident.timezone; "" = UTC */
    int64_t warn_first_s;   /* incident.warn_before */
    int64_t warn_last_s;    /* incident.warn_last */
    int64_t prompt_s;       /* incident.prompt_target */
    char playbooks[4096];   /* incident.playbooks; "" = the installed ones */
    char organisation[256]; /* incident.organisation */
    char contact[256];      /* incident.contact */
    size_t nroles;          /* incident.roles: role -> person */
    char role[VIGIL_INCIDENT_ROLES_MAX][64];
    char person[VIGIL_INCIDENT_ROLES_MAX][128];
    int64_t max_open_per_hour; /* incident.max_open_per_hour; 0: no cap */
};

/* The `incident:` key for vigil_conf_apply with a struct
 * vigil_incident_config. */
extern const struct vigil_conf_table vigil_incident_conf;

/* ---- playbooks ---- */

struct vigil_playbook_task {
    char title[256];
    char role[64];
    char phase[16];
    char ref[256]; /* the guidance it comes from */
};

struct vigil_playbook {
    char id[64];
    char title[128];
    char severity[16];
    int personal_data; /* incidents of this kind may involve personal data */
    size_t ntags, nrules;
    char tags[16][64];   /* alert tags that open it (prefix match) */
    char rules[16][128]; /* rule ids that open it (prefix match) */
    size_t ntasks;
    struct vigil_playbook_task *tasks;
};

struct vigil_playbooks {
    size_t n;
    struct vigil_playbook *v;
};

/* Where the playbooks are: $VIGIL_PLAYBOOKS_DIR, share/vigil/playbooks
 * beside the binary, the source tree's playbooks/, /usr/share/vigil/
 * playbooks. Returns 1 with the folder in dst. */
int vigil_playbooks_find_dir(char *dst, size_t len);
/* Loads every *.yml of dir (borrowed; NULL or "": the found folder) in
 * name order. A file that does not read is refused with file:line.
 * Returns owned *out (free with vigil_playbooks_free). */
enum vigil_rc vigil_playbooks_load(struct vigil_playbooks **out,
                                   const char *dir, struct vigil_err *err);
void vigil_playbooks_free(struct vigil_playbooks *p);
/* The playbook called id, or NULL (borrowed from p). */
const struct vigil_playbook *
vigil_playbooks_get(const struct vigil_playbooks *p, const char *id);
/* The first playbook whose tags or rules match the alert's rule id and
 * tags (a JSON array text; both borrowed, may be NULL), or NULL. */
const struct vigil_playbook *
vigil_playbooks_match(const struct vigil_playbooks *p, const char *rule_id,
                      const char *tags_json);

/* ---- regulators' clocks ---- */

enum vigil_regime_kind {
    VIGIL_DUE_HOURS = 1, /* a fixed number of hours after awareness */
    VIGIL_DUE_PROMPT,    /* "without undue delay", "promptly": no number in
                            the law; vigil counts incident.prompt_target */
    VIGIL_DUE_MONTH      /* one calendar month after another clock's due
                            time, in incident.timezone */
};

struct vigil_regime {
    const char *id;        /* "uk-gdpr-33" */
    int jurisdiction;      /* VIGIL_JUR_* */
    const char *name;      /* "UK GDPR Art. 33: report to the ICO" */
    const char *regulator; /* who receives it */
    int personal;          /* applies to personal data breaches */
    int essential;         /* applies to essential services (NIS) */
    enum vigil_regime_kind kind;
    int64_t hours;             /* VIGIL_DUE_HOURS */
    const char *after;         /* VIGIL_DUE_MONTH: the clock it follows */
    const char *condition;     /* when it is owed, for a person to judge */
    const char *source;        /* the text that says so */
    const char *const *fields; /* what the notification must contain */
};

/* The regimes vigil knows, in order (static). */
const struct vigil_regime *vigil_regimes(size_t *n);
const struct vigil_regime *vigil_regime_get(const char *id);
/* ns plus `months` calendar months at the same wall-clock time in tz (a
 * day past the month's end becomes its last day; a wall-clock time the
 * clocks skipped is read with the offset before the change). */
int64_t vigil_clock_add_months(const struct vigil_tz *tz, int64_t ns,
                               int months);
/* When r is due for an incident its organisation became aware of at
 * aware_ns: hours later (elapsed time, whatever the clocks do), the
 * prompt target later, or a month after the clock it follows. */
int64_t vigil_regime_due(const struct vigil_regime *r, int64_t aware_ns,
                         const struct vigil_tz *tz, int64_t prompt_s);
/* "2026-03-30T10:00:00+01:00": ns as wall-clock time in tz (NULL: UTC).
 * dst >= 40 bytes; returns the length. */
size_t vigil_clock_format(const struct vigil_tz *tz, int64_t ns, char *dst);
/* "2d 3h", "45m", "-1h 5m" (overdue): a remaining time, into dst. */
void vigil_clock_left(int64_t ns, char *dst, size_t len);

/* ---- incidents ---- */

/* The longest title, note, owner, task, service name, workaround,
 * reference or fact text, in bytes: a longer one is refused
 * (VIGIL_EINVAL, nothing changed), never cut (vigil-incident(1)). */
#define VIGIL_INCIDENT_TEXT_MAX 16384

/* What a person opens an incident with (strings borrowed; NULL: none). */
struct vigil_incident_new {
    const char *title;
    const char *kind;     /* a playbook id, or NULL / "generic" */
    const char *severity; /* low, medium, high, critical; NULL: playbook's */
    const char *owner;
    int64_t aware_ns;  /* the moment of awareness; 0: now */
    int personal_data; /* -1: the playbook's */
};

/* The facts a notification asks for, set as they become known. Strings
 * borrowed; NULL (or -1 for numbers) leaves a fact as it is. */
struct vigil_incident_facts {
    const char *summary;         /* what happened */
    const char *data_categories; /* kinds of personal data */
    const char *consequences;    /* likely consequences for people */
    const char *measures;        /* measures taken or proposed */
    int64_t people;              /* people affected (approximate) */
    int64_t records;             /* records affected (approximate) */
    int personal_data;           /* 0/1 */
    int high_risk;               /* 0/1: high risk to people */
    int64_t aware_ns;            /* corrects the moment of awareness */
    int64_t occurred_ns;         /* when it began */
};

/* Everything a change needs besides its own arguments (borrowed). */
struct vigil_incident_env {
    struct vigil_store *store;
    const struct vigil_incident_config *cfg;
    const struct vigil_playbooks *playbooks;
    const struct vigil_tz *tz;
    const char *actor; /* who makes the change */
};

/* Resolves "7", "INC-7" or an id (or its first 8+ digits) into uid;
 * VIGIL_ENOTFOUND with a message when there is no such incident. */
enum vigil_rc vigil_incident_resolve(struct vigil_store *s, const char *ref,
                                     char uid[VIGIL_UID_LEN + 1], int64_t *num,
                                     struct vigil_err *err);

/* Opens an incident by hand: its playbook's tasks, its clocks. Sets uid
 * and *num. */
enum vigil_rc vigil_incident_open(const struct vigil_incident_env *env,
                                  const struct vigil_incident_new *n,
                                  char uid[VIGIL_UID_LEN + 1], int64_t *num,
                                  struct vigil_err *err);
enum vigil_rc vigil_incident_note(const struct vigil_incident_env *env,
                                  const char *uid, const char *text,
                                  struct vigil_err *err);
/* To a NIST SP 800-61 phase: detected, triaged, contained, eradicated,
 * recovered, closed. VIGIL_EINVAL for another word. */
enum vigil_rc vigil_incident_status(const struct vigil_incident_env *env,
                                    const char *uid, const char *phase,
                                    const char *note, struct vigil_err *err);
enum vigil_rc vigil_incident_assign(const struct vigil_incident_env *env,
                                    const char *uid, const char *owner,
                                    struct vigil_err *err);
/* Adds a task (title, owner may be NULL) and sets *pos. */
enum vigil_rc vigil_incident_task_add(const struct vigil_incident_env *env,
                                      const char *uid, const char *title,
                                      const char *owner, int64_t *pos,
                                      struct vigil_err *err);
/* Sets task pos's state (open, doing, done, skipped; NULL: as is) and
 * owner (NULL: as is). */
enum vigil_rc vigil_incident_task_set(const struct vigil_incident_env *env,
                                      const char *uid, int64_t pos,
                                      const char *state, const char *owner,
                                      struct vigil_err *err);
/* Records an affected service: state (down, degraded, restored,
 * operational) and the workaround told to the public (NULL: as is). */
enum vigil_rc vigil_incident_service(const struct vigil_incident_env *env,
                                     const char *uid, const char *name,
                                     const char *state, const char *workaround,
                                     struct vigil_err *err);
/* Marks a clock: state met (ref: the regulator's reference) or
 * not-required (ref: why), or running again. */
enum vigil_rc vigil_incident_clock(const struct vigil_incident_env *env,
                                   const char *uid, const char *regime,
                                   const char *state, const char *ref,
                                   struct vigil_err *err);
enum vigil_rc vigil_incident_facts(const struct vigil_incident_env *env,
                                   const char *uid,
                                   const struct vigil_incident_facts *f,
                                   struct vigil_err *err);
/* Adds the stored alert alert_uid to the incident, with a timeline
 * entry naming it (VIGIL_ENOTFOUND: no such incident or alert;
 * VIGIL_ECONFLICT: it is there already). incident_link.c. */
enum vigil_rc vigil_incident_add_alert(const struct vigil_incident_env *env,
                                       const char *uid, const char *alert_uid,
                                       struct vigil_err *err);
/* Calls fn with the id of each incident holding alert alert_uid; fn
 * returns non-zero to stop. incident_link.c. */
enum vigil_rc vigil_incident_of_alert(struct vigil_store *s,
                                      const char *alert_uid,
                                      int (*fn)(const char *uid, void *arg),
                                      void *arg, struct vigil_err *err);
/* Closes it (phase closed) with a closing summary (may be NULL). */
enum vigil_rc vigil_incident_close(const struct vigil_incident_env *env,
                                   const char *uid, const char *summary,
                                   struct vigil_err *err);

/* Owned JSON texts (free with free()). list: an array of incidents (all,
 * or only those not closed); show: one incident with tasks, services,
 * clocks, alerts and timeline; register: the breach register (personal
 * data breaches, with what Art. 33(5), Quebec's register and PIPEDA's
 * records ask for); draft: one notification as {"regime", "to",
 * "fields": [{"name","value"}...], "text"}. */
enum vigil_rc vigil_incident_list(const struct vigil_incident_env *env,
                                  int open_only, char **json,
                                  struct vigil_err *err);
enum vigil_rc vigil_incident_show(const struct vigil_incident_env *env,
                                  const char *uid, char **json,
                                  struct vigil_err *err);
enum vigil_rc vigil_incident_register(const struct vigil_incident_env *env,
                                      char **json, struct vigil_err *err);
enum vigil_rc vigil_incident_draft(const struct vigil_incident_env *env,
                                   const char *uid, const char *regime,
                                   char **json, struct vigil_err *err);
/* The archive of docs/evidence.md: the incident, its timeline, its
 * alerts with their events, the evidence entries (those of other
 * incidents reduced to their hashes) and pub_hex, the public key. */
enum vigil_rc vigil_incident_export(const struct vigil_incident_env *env,
                                    const char *uid, const char *pub_hex,
                                    char **json, struct vigil_err *err);

/* ---- in the daemon ---- */

/* Groups alerts into incidents (the daemon's alert subscriber). */
struct vigil_incident_grouper;

/* env borrowed for the grouper's life (actor unused). Loads the open
 * incidents' grouping keys from the store. Returns owned *out. */
enum vigil_rc vigil_incident_grouper_new(struct vigil_incident_grouper **out,
                                         const struct vigil_incident_env *env,
                                         struct vigil_err *err);
void vigil_incident_grouper_free(struct vigil_incident_grouper *g);
/* Logs the alert as evidence and, if it is at least min_level and
 * automatic grouping is on, adds it to the incident of the same host,
 * user, source address or rule family seen within the window, or opens
 * one (with its playbook's tasks and clocks), all in batch (borrowed).
 * Thread-safe. */
enum vigil_rc vigil_incident_on_alert(struct vigil_incident_grouper *g,
                                      const struct vigil_alert *a,
                                      struct vigil_store_batch *batch,
                                      struct vigil_err *err);
/* Forgets groups whose window ended before now_ns. */
void vigil_incident_grouper_expire(struct vigil_incident_grouper *g,
                                   int64_t now_ns);

/* A clock that crossed a warning threshold. */
struct vigil_clock_warning {
    int64_t num;       /* incident number */
    const char *uid;   /* incident id */
    const char *title; /* incident title */
    const struct vigil_regime *regime;
    int64_t due_ns;
    int64_t left_ns; /* negative: overdue */
    int stage;       /* 1 first warning, 2 last warning, 3 overdue */
};

/* Calls fn for every running clock that crossed a threshold (warn_before,
 * warn_last, due) since its last warning, and records that it warned
 * (with a timeline entry), so each threshold warns once. */
enum vigil_rc vigil_incident_clocks_check(
    const struct vigil_incident_env *env, int64_t now_ns,
    void (*fn)(const struct vigil_clock_warning *w, void *arg), void *arg,
    struct vigil_err *err);

#endif
