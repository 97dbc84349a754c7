/* incident_int.h -- private to src/incident: configuration helpers, the
 * SQL the files share, and the one way a change is recorded (row,
 * timeline entry and evidence entry in one transaction). */
#ifndef VIGIL_INCIDENT_INT_H
#define VIGIL_INCIDENT_INT_H

#include <jansson.h>

#include "evidence/evidence.h"
#include "incident.h"

/* Log ids (docs/log-messages.md, 2200-2299). */
#define LOG_INCIDENT_OPENED 2210
#define LOG_INCIDENT_GROUP  2211
#define LOG_INCIDENT_FLOOD  2213
#define LOG_INCIDENT_CLOCK  2220
#define LOG_INCIDENT_PLAYBK 2230

/* A list key was configured (so an empty list means none). */
#define INCIDENT_SET 0x10000

int incident_group_bits(const struct vigil_incident_config *cfg);
int incident_jur_bits(const struct vigil_incident_config *cfg);
/* The person configured for role, or "" (borrowed). */
const char *incident_role_person(const struct vigil_incident_config *cfg,
                                 const char *role);

/* The phases, in order; index of a name or -1. */
extern const char *const incident_phases[6];
int incident_phase_index(const char *name);
/* A Sigma level or severity's rank (informational 0 .. critical 4), -1. */
int incident_level_rank(const char *level);

/* Where a change's statements go: a domain transaction (the commands)
 * or a daemon batch (the alert subscriber); exactly one is set. */
struct incident_sink {
    struct vigil_store_tx *tx;
    struct vigil_store_batch *batch;
};

enum vigil_rc incident_exec(const struct incident_sink *k, const char *sql,
                            const struct vigil_store_value *p, size_t n,
                            int64_t *changes, struct vigil_err *err);
enum vigil_rc incident_evidence(const struct incident_sink *k, const char *kind,
                                json_t *data, const char *actor,
                                struct vigil_err *err);

/* Strictly increasing wall-clock stamps for timeline entries. */
int64_t incident_now(void);

/* Timeline + evidence of one change: what ("note", "status"), text for
 * people, extra (a JSON object, borrowed, may be NULL) merged into the
 * evidence entry's data. tl_uid NULL: a new id; else that id, and the
 * timeline entry is only written if it is not there yet. */
enum vigil_rc incident_record(const struct incident_sink *k, const char *uid,
                              const char *tl_uid, const char *actor,
                              const char *what, const char *text, json_t *extra,
                              struct vigil_err *err);

/* What an incident is created with. */
struct incident_creation {
    const char *uid;
    const char *title, *kind, *severity, *owner, *group_keys, *actor;
    int64_t opened_ns, aware_ns, last_alert_ns;
    int personal_data;
    const struct vigil_playbook *pb; /* may be NULL */
};

/* The incident row, its playbook's tasks, its clocks and its "opened"
 * timeline entry, each guarded so that running them again changes
 * nothing (a batch re-read after a refused commit). */
enum vigil_rc incident_create(const struct vigil_incident_env *env,
                              const struct incident_creation *c,
                              const struct incident_sink *k,
                              struct vigil_err *err);
/* Adds the clocks that apply and are missing (due from aware_ns); with
 * move, also moves the due time of running ones to count from aware_ns
 * (a corrected moment of awareness). */
enum vigil_rc incident_clocks_sync(const struct vigil_incident_env *env,
                                   const struct incident_sink *k,
                                   const char *uid, int64_t aware_ns,
                                   int personal_data, int move,
                                   struct vigil_err *err);

/* printf into a new string (free with free()); NULL: out of memory. So
 * that a timeline entry holds its note whole, whatever its length. */
char *incident_textf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* VIGIL_EINVAL naming what (borrowed) when s (may be NULL) is longer
 * than VIGIL_INCIDENT_TEXT_MAX (refused, never cut) or not UTF-8. */
enum vigil_rc incident_text_ok(const char *what, const char *s,
                               struct vigil_err *err);

/* Owned JSON text of v (compact), NULL on failure; v is released. */
char *incident_dump(json_t *v);

#endif
