/* respond_record.c -- every action in the store (table respond_actions):
 * what, on what, why, who or which rule, the alert, when, until when, and
 * how it ended. Doing, undoing and expiring go through here, with the
 * executor the caller has (the privileged helper in the daemon, this
 * process in `vigil respond`), so a record never says more than what
 * happened. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/evidence.h"
#include "respond_int.h"
#include "store/store.h"

static const struct vigil_store_migration steps[] = {
    {"containment actions",
     "CREATE TABLE respond_actions (id TEXT PRIMARY KEY NOT NULL,"
     " action TEXT NOT NULL, target TEXT NOT NULL, reason TEXT NOT NULL,"
     " actor TEXT NOT NULL, alert_uid TEXT, created_ns BIGINT NOT NULL,"
     " expires_ns BIGINT NOT NULL DEFAULT 0, state TEXT NOT NULL,"
     " detail TEXT, updated_ns BIGINT NOT NULL);"
     "CREATE INDEX respond_actions_created ON respond_actions (created_ns);"
     "CREATE INDEX respond_actions_state ON respond_actions (state,"
     " expires_ns);"},
    {"containment actions by target",
     "CREATE INDEX respond_actions_target ON respond_actions (target,"
     " action, state);"},
};
const struct vigil_store_schema vigil_respond_schema = {"respond", steps, 2};

#define MAX_SWEEP 256 /* actions handled per expiry sweep */

const char *
respond_action_name(enum vigil_respond_action a)
{
    switch (a) {
    case VIGIL_RA_BLOCK:
        return "block";
    case VIGIL_RA_UNBLOCK:
        return "unblock";
    case VIGIL_RA_ISOLATE:
        return "isolate";
    case VIGIL_RA_UNISOLATE:
        return "unisolate";
    case VIGIL_RA_STOP:
        return "stop";
    case VIGIL_RA_LOCK:
        return "lock";
    case VIGIL_RA_UNLOCK:
        return "unlock";
    case VIGIL_RA_RUN:
        return "run";
    }
    return "?";
}

static const char insert_sql[] =
    "INSERT INTO respond_actions (id, action, target, reason, actor,"
    " alert_uid, created_ns, expires_ns, state, detail, updated_ns)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/* Appends s as a JSON string, or null. */
static enum vigil_rc
put_json_str(struct vigil_buf *b, const char *s)
{
    return s ? vigil_buf_json_str(b, s, strlen(s))
             : vigil_buf_printf(b, "null");
}

/* The evidence entry of an action (docs/evidence.md): kind
 * "respond.ACTION", what and why as JSON, who did it. */
static enum vigil_rc
evidence_of(const struct respond_record *r, struct vigil_buf *json, char *kind,
            size_t klen)
{
    enum vigil_rc rc = VIGIL_OK;

    snprintf(kind, klen, "respond.%s", r->action);
    VIGIL_TRY(vigil_buf_printf(json, "{\"id\":"));
    VIGIL_TRY(vigil_buf_json_str(json, r->id, strlen(r->id)));
    VIGIL_TRY(vigil_buf_printf(json, ",\"target\":"));
    VIGIL_TRY(put_json_str(json, r->target));
    VIGIL_TRY(vigil_buf_printf(json, ",\"reason\":"));
    VIGIL_TRY(put_json_str(json, r->reason));
    VIGIL_TRY(vigil_buf_printf(json, ",\"alert_uid\":"));
    VIGIL_TRY(put_json_str(json, r->alert_uid));
    VIGIL_TRY(vigil_buf_printf(json, ",\"state\":"));
    VIGIL_TRY(put_json_str(json, r->state));
    VIGIL_TRY(vigil_buf_printf(json, ",\"expires_ns\":%lld}",
                               (long long)r->expires_ns));
out:
    return rc;
}

enum vigil_rc
respond_record_add(struct vigil_store *s, struct vigil_store_batch *batch,
                   const struct respond_record *r, struct vigil_err *err)
{
    const char *actor = r->actor && r->actor[0] ? r->actor : "vigil";
    struct vigil_store_value p[11];
    struct vigil_store_tx *tx = NULL;
    struct vigil_buf json;
    char kind[64];
    enum vigil_rc rc;

    p[0] = vigil_sv_text(r->id);
    p[1] = vigil_sv_text(r->action);
    p[2] = vigil_sv_text(r->target ? r->target : "");
    p[3] = vigil_sv_text(r->reason ? r->reason : "");
    p[4] = vigil_sv_text(r->actor ? r->actor : "");
    p[5] = vigil_sv_text(r->alert_uid);
    p[6] = vigil_sv_int(r->created_ns);
    p[7] = vigil_sv_int(r->expires_ns);
    p[8] = vigil_sv_text(r->state);
    p[9] = vigil_sv_text(r->detail && r->detail[0] ? r->detail : NULL);
    p[10] = vigil_sv_int(r->created_ns);
    vigil_buf_init(&json, 64 * 1024);
    if ((rc = evidence_of(r, &json, kind, sizeof(kind))) != VIGIL_OK) {
        vigil_err_set(err, rc, "recording an action: %s", vigil_strerror(rc));
        goto out;
    }
    /* The action and its evidence entry are stored together or not at
     * all. */
    if (batch != NULL) {
        rc = vigil_store_batch_add_exec(batch, insert_sql, p, 11);
        if (rc != VIGIL_OK)
            vigil_err_set(err, rc, "recording an action: %s",
                          vigil_strerror(rc));
        else
            rc =
                vigil_evidence_append_batch(batch, kind, json.data, actor, err);
        goto out;
    }
    if ((rc = vigil_store_tx_begin(s, &tx, err)) != VIGIL_OK)
        goto out;
    if ((rc = vigil_store_tx_exec(tx, insert_sql, p, 11, NULL, err)) !=
            VIGIL_OK ||
        (rc = vigil_evidence_append_tx(tx, kind, json.data, actor, err)) !=
            VIGIL_OK) {
        vigil_store_tx_rollback(tx);
        goto out;
    }
    rc = vigil_store_tx_commit(tx, err);
out:
    vigil_buf_fini(&json);
    return rc;
}

enum vigil_rc
respond_record_state(struct vigil_store *s, const char *id, const char *state,
                     const char *detail, struct vigil_err *err)
{
    struct vigil_store_value p[4] = {
        vigil_sv_text(state), vigil_sv_text(detail),
        vigil_sv_int(vigil_time_now()), vigil_sv_text(id)};

    return vigil_store_exec(s,
                            "UPDATE respond_actions SET state = ?, detail = ?,"
                            " updated_ns = ? WHERE id = ?",
                            p, 4, NULL, err);
}

static enum vigil_rc settle(struct vigil_store *s, const char *action,
                            const char *target, const char *state,
                            const char *detail, struct vigil_err *err);

static void
log_outcome(const char *what, const char *target, const char *actor,
            const char *id, enum vigil_rc rc, const char *msg)
{
    if (rc == VIGIL_OK)
        vigil_log(VIGIL_LOG_INFO, 2110, "%s %s by %s: done (action %s)", what,
                  target, actor, id);
    else if (rc == VIGIL_EPERM)
        vigil_log(VIGIL_LOG_WARN, 2111, "%s %s by %s refused: %s (action %s)",
                  what, target, actor, msg, id);
    else
        vigil_log(VIGIL_LOG_ERROR, 2112, "%s %s by %s failed: %s (action %s)",
                  what, target, actor, msg, id);
}

static int
lasts(enum vigil_respond_action a)
{
    return a == VIGIL_RA_BLOCK || a == VIGIL_RA_ISOLATE || a == VIGIL_RA_LOCK;
}

struct longest {
    int64_t now, max_ns; /* max_ns -1: one is until undone */
};

static int
take_longest(const struct vigil_store_value *c, size_t n, void *arg)
{
    struct longest *l = arg;

    if (n < 1 || l->max_ns < 0)
        return 1;
    if (c[0].i == 0)
        l->max_ns = -1;
    else if (c[0].i > l->max_ns)
        l->max_ns = c[0].i;
    return 0;
}

/* for_s, or longer if an active block of addr lasts longer (0: one is
 * until undone). A store error leaves for_s: the new block still
 * happens. */
static int64_t
longest_block(struct vigil_store *s, const char *addr, int64_t for_s)
{
    struct longest l = {vigil_time_now(), 0};
    struct vigil_store_value p[2] = {vigil_sv_text(addr), vigil_sv_int(l.now)};
    struct vigil_err err = {0};

    if (for_s == 0 || s == NULL ||
        vigil_store_query(s,
                          "SELECT expires_ns FROM respond_actions WHERE"
                          " target = ? AND action = 'block' AND"
                          " state = 'active' AND (expires_ns = 0 OR"
                          " expires_ns > ?)",
                          p, 2, take_longest, &l, &err) != VIGIL_OK)
        return for_s;
    if (l.max_ns < 0)
        return 0;
    if ((l.max_ns - l.now + VIGIL_NS_PER_SEC - 1) / VIGIL_NS_PER_SEC > for_s)
        return (l.max_ns - l.now + VIGIL_NS_PER_SEC - 1) / VIGIL_NS_PER_SEC;
    return for_s;
}

enum vigil_rc
respond_do(struct vigil_store *s, struct vigil_store_batch *batch,
           respond_exec_fn exec, void *arg,
           const struct vigil_respond_request *req, int32_t command, char *id,
           struct vigil_err *err)
{
    struct respond_req rq;
    struct respond_record r = {0};
    struct vigil_err e = {0};
    enum vigil_rc rc, wrc;
    const char *target = req->target ? req->target : "";
    char canon[64];
    uint8_t ip[16];

    memset(&rq, 0, sizeof(rq));
    if ((rc = vigil_uid_new(id)) != VIGIL_OK)
        return vigil_err_set(err, rc, "no randomness for an action id");
    if (strlen(target) >= sizeof(rq.target))
        return vigil_err_set(err, VIGIL_EINVAL, "target too long");
    /* one spelling per address ("::FFFF:203.0.113.9" is 203.0.113.9), so
     * an unblock or undo finds every block of it in the record */
    if ((req->action == VIGIL_RA_BLOCK || req->action == VIGIL_RA_UNBLOCK) &&
        vigil_ip_parse(target, strlen(target), ip)) {
        vigil_ip_format(ip, canon);
        target = canon;
    }
    rq.magic = RESPOND_MAGIC;
    rq.op = (uint32_t)req->action;
    rq.for_s = req->for_s;
    /* the kernel keeps one timeout per address, the last one given: a
     * shorter block must not cut a longer one that is still active */
    if (req->action == VIGIL_RA_BLOCK && !req->dry_run)
        rq.for_s = longest_block(s, target, req->for_s);
    rq.command = command;
    rq.check_only = req->dry_run != 0;
    snprintf(rq.target, sizeof(rq.target), "%s", target);
    if (req->actor != NULL && strncmp(req->actor, "rule ", 5) == 0)
        snprintf(rq.rule, sizeof(rq.rule), "%s", req->actor + 5);
    rc = exec(arg, &rq, &e);
    r.id = id;
    r.action = respond_action_name(req->action);
    r.target =
        req->action == VIGIL_RA_ISOLATE || req->action == VIGIL_RA_UNISOLATE
            ? "host"
            : target;
    r.reason = req->reason;
    r.actor = req->actor;
    r.alert_uid = req->alert_uid;
    r.created_ns = vigil_time_now();
    r.state = rc == VIGIL_EPERM    ? "refused"
              : rc != VIGIL_OK     ? "failed"
              : req->dry_run       ? "dry-run"
              : lasts(req->action) ? "active"
                                   : "done";
    if (rc == VIGIL_OK && !req->dry_run && lasts(req->action) && req->for_s > 0)
        r.expires_ns = r.created_ns + req->for_s * VIGIL_NS_PER_SEC;
    r.detail = e.msg;
    log_outcome(req->dry_run ? "dry run:" : r.action, r.target,
                req->actor ? req->actor : "?", id, rc, e.msg);
    wrc = respond_record_add(s, batch, &r, err);
    /* unblock, unisolate, unlock by hand: what they lift is undone */
    if (wrc == VIGIL_OK && rc == VIGIL_OK && !req->dry_run && batch == NULL &&
        (req->action == VIGIL_RA_UNBLOCK || req->action == VIGIL_RA_UNISOLATE ||
         req->action == VIGIL_RA_UNLOCK)) {
        char detail[120];
        snprintf(detail, sizeof(detail), "undone by %s (action %s)",
                 req->actor ? req->actor : "?", id);
        wrc = settle(s,
                     req->action == VIGIL_RA_UNBLOCK     ? "block"
                     : req->action == VIGIL_RA_UNISOLATE ? "isolate"
                                                         : "lock",
                     r.target, "undone", detail, err);
    }
    if (rc != VIGIL_OK)
        return vigil_err_set(err, rc, "%s", e.msg);
    return wrc;
}

/* ---- one row ---- */

struct row {
    char id[VIGIL_UID_LEN + 1];
    char action[16];
    char target[256];
    char state[16];
    int64_t expires_ns;
};

static int
take_row(const struct vigil_store_value *c, size_t n, void *arg)
{
    struct row *r = arg;

    if (n < 5)
        return 1;
    snprintf(r->id, sizeof(r->id), "%s", c[0].p ? c[0].p : "");
    snprintf(r->action, sizeof(r->action), "%s", c[1].p ? c[1].p : "");
    snprintf(r->target, sizeof(r->target), "%s", c[2].p ? c[2].p : "");
    snprintf(r->state, sizeof(r->state), "%s", c[3].p ? c[3].p : "");
    r->expires_ns = c[4].i;
    return 1;
}

struct rows {
    struct row r[MAX_SWEEP];
    size_t n;
};

static int
take_rows(const struct vigil_store_value *c, size_t n, void *arg)
{
    struct rows *rs = arg;

    if (rs->n >= MAX_SWEEP)
        return 1;
    take_row(c, n, &rs->r[rs->n++]);
    return 0;
}

static enum vigil_respond_action
inverse(const char *action)
{
    if (strcmp(action, "block") == 0)
        return VIGIL_RA_UNBLOCK;
    if (strcmp(action, "isolate") == 0)
        return VIGIL_RA_UNISOLATE;
    if (strcmp(action, "lock") == 0)
        return VIGIL_RA_UNLOCK;
    return 0;
}

static enum vigil_rc
exec_simple(respond_exec_fn exec, void *arg, enum vigil_respond_action a,
            const char *target, int64_t for_s, struct vigil_err *err)
{
    struct respond_req rq;

    memset(&rq, 0, sizeof(rq));
    rq.magic = RESPOND_MAGIC;
    rq.op = (uint32_t)a;
    rq.for_s = for_s;
    snprintf(rq.target, sizeof(rq.target), "%s", target);
    return exec(arg, &rq, err);
}

/* Marks every active action of action+target with state. */
static enum vigil_rc
settle(struct vigil_store *s, const char *action, const char *target,
       const char *state, const char *detail, struct vigil_err *err)
{
    struct vigil_store_value p[5] = {
        vigil_sv_text(state), vigil_sv_text(detail),
        vigil_sv_int(vigil_time_now()), vigil_sv_text(action),
        vigil_sv_text(target)};

    return vigil_store_exec(s,
                            "UPDATE respond_actions SET state = ?, detail = ?,"
                            " updated_ns = ? WHERE action = ? AND target = ?"
                            " AND state = 'active'",
                            p, 5, NULL, err);
}

enum vigil_rc
respond_undo_with(struct vigil_store *s, respond_exec_fn exec, void *arg,
                  const char *id, const char *actor, struct vigil_err *err)
{
    struct vigil_store_value p = vigil_sv_text(id);
    struct row r = {0};
    enum vigil_respond_action inv;
    struct respond_record rec = {0};
    char uid[VIGIL_UID_LEN + 1], detail[300];
    struct vigil_err e = {0};
    enum vigil_rc rc;

    if ((rc = vigil_store_query(s,
                                "SELECT id, action, target, state, expires_ns"
                                " FROM respond_actions WHERE id = ?",
                                &p, 1, take_row, &r, err)) != VIGIL_OK)
        return rc;
    if (r.id[0] == '\0')
        return vigil_err_set(err, VIGIL_ENOTFOUND, "no action %s", id);
    if ((inv = inverse(r.action)) == 0)
        return vigil_err_set(err, VIGIL_ECONFLICT,
                             "action %s (%s) cannot be undone", id, r.action);
    if (strcmp(r.state, "active") != 0)
        return vigil_err_set(err, VIGIL_ECONFLICT,
                             "action %s is %s, not active", id, r.state);
    if ((rc = vigil_uid_new(uid)) != VIGIL_OK)
        return vigil_err_set(err, rc, "no randomness for an action id");
    rc = exec_simple(exec, arg, inv,
                     strcmp(r.action, "isolate") == 0 ? "" : r.target, 0, &e);
    snprintf(detail, sizeof(detail), "undo of %s", id);
    rec.id = uid;
    rec.action = respond_action_name(inv);
    rec.target = r.target;
    rec.reason = detail;
    rec.actor = actor;
    rec.created_ns = vigil_time_now();
    rec.state = rc == VIGIL_OK      ? "done"
                : rc == VIGIL_EPERM ? "refused"
                                    : "failed";
    rec.detail = e.msg;
    log_outcome(rec.action, r.target, actor, uid, rc, e.msg);
    if (respond_record_add(s, NULL, &rec, err) != VIGIL_OK || rc != VIGIL_OK)
        return rc != VIGIL_OK ? vigil_err_set(err, rc, "%s", e.msg) : err->rc;
    snprintf(detail, sizeof(detail), "undone by %s (action %s)", actor, uid);
    return settle(s, r.action, r.target, "undone", detail, err);
}

enum vigil_rc
respond_expire_with(struct vigil_store *s, respond_exec_fn exec, void *arg,
                    int64_t now_ns, size_t *n, struct vigil_err *err)
{
    struct vigil_store_value p = vigil_sv_int(now_ns);
    struct rows *rs = calloc(1, sizeof(*rs));
    enum vigil_rc rc;

    if (n != NULL)
        *n = 0;
    if (rs == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    rc = vigil_store_query(s,
                           "SELECT id, action, target, state, expires_ns FROM"
                           " respond_actions WHERE state = 'active' AND"
                           " expires_ns > 0 AND expires_ns <= ?",
                           &p, 1, take_rows, rs, err);
    for (size_t i = 0; i < rs->n && rc == VIGIL_OK; i++) {
        struct row *r = &rs->r[i];
        struct vigil_err e = {0};
        enum vigil_rc xrc = VIGIL_OK;

        /* the kernel expires blocks by itself; the rest is undone here */
        if (strcmp(r->action, "block") != 0)
            xrc = exec_simple(
                exec, arg, inverse(r->action),
                strcmp(r->action, "isolate") == 0 ? "" : r->target, 0, &e);
        if (xrc != VIGIL_OK)
            vigil_log(VIGIL_LOG_ERROR, 2113,
                      "cannot undo expired action %s (%s %s): %s", r->id,
                      r->action, r->target, e.msg);
        else
            vigil_log(VIGIL_LOG_INFO, 2114, "action %s (%s %s) expired", r->id,
                      r->action, r->target);
        rc = respond_record_state(s, r->id, "expired",
                                  xrc == VIGIL_OK ? NULL : e.msg, err);
        if (n != NULL && rc == VIGIL_OK)
            (*n)++;
    }
    free(rs);
    return rc;
}

enum vigil_rc
respond_restore_with(struct vigil_store *s, respond_exec_fn exec, void *arg,
                     size_t *n, struct vigil_err *err)
{
    int64_t now = vigil_time_now();
    struct vigil_store_value p = vigil_sv_int(now);
    struct rows *rs = calloc(1, sizeof(*rs));
    enum vigil_rc rc;

    *n = 0;
    if (rs == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    rc = vigil_store_query(s,
                           "SELECT id, action, target, state, expires_ns FROM"
                           " respond_actions WHERE state = 'active' AND"
                           " action IN ('block', 'isolate') AND"
                           " (expires_ns = 0 OR expires_ns > ?)"
                           /* the kernel keeps the last timeout given for
                            * an address: the longest block goes last */
                           " ORDER BY expires_ns = 0, expires_ns,"
                           " created_ns",
                           &p, 1, take_rows, rs, err);
    for (size_t i = 0; i < rs->n && rc == VIGIL_OK; i++) {
        struct row *r = &rs->r[i];
        struct vigil_err e = {0};
        int64_t left = 0;
        int isolate = strcmp(r->action, "isolate") == 0;

        if (r->expires_ns > 0)
            left =
                (r->expires_ns - now + VIGIL_NS_PER_SEC - 1) / VIGIL_NS_PER_SEC;
        if (exec_simple(exec, arg, isolate ? VIGIL_RA_ISOLATE : VIGIL_RA_BLOCK,
                        isolate ? "" : r->target, left, &e) == VIGIL_OK)
            (*n)++;
        else
            vigil_log(VIGIL_LOG_ERROR, 2115,
                      "cannot restore action %s (%s %s): %s", r->id, r->action,
                      r->target, e.msg);
    }
    free(rs);
    return rc;
}

/* ---- the public calls, acting in this process ---- */

struct local {
    struct respond_guard g;
};

static enum vigil_rc
local_exec(void *arg, const struct respond_req *rq, struct vigil_err *err)
{
    struct local *l = arg;

    return respond_perform(&l->g, rq, err);
}

static struct local *
local_new(const struct vigil_respond_config *cfg)
{
    struct local *l = calloc(1, sizeof(*l));

    if (l != NULL)
        respond_guard_init(&l->g, cfg);
    return l;
}

enum vigil_rc
vigil_respond_act(struct vigil_store *s, const struct vigil_respond_config *cfg,
                  const struct vigil_respond_request *req, char *id,
                  struct vigil_err *err)
{
    struct local *l = local_new(cfg);
    enum vigil_rc rc;

    if (l == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    rc = respond_do(s, NULL, local_exec, l, req, -1, id, err);
    free(l);
    return rc;
}

enum vigil_rc
vigil_respond_undo(struct vigil_store *s,
                   const struct vigil_respond_config *cfg, const char *id,
                   const char *actor, struct vigil_err *err)
{
    struct local *l = local_new(cfg);
    enum vigil_rc rc;

    if (l == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    rc = respond_undo_with(s, local_exec, l, id, actor, err);
    free(l);
    return rc;
}

enum vigil_rc
vigil_respond_expire(struct vigil_store *s,
                     const struct vigil_respond_config *cfg, int64_t now_ns,
                     size_t *n, struct vigil_err *err)
{
    struct local *l = local_new(cfg);
    enum vigil_rc rc;

    if (l == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    rc = respond_expire_with(s, local_exec, l, now_ns, n, err);
    free(l);
    return rc;
}

struct list_arg {
    int (*fn)(const struct vigil_respond_row *r, void *arg);
    void *arg;
    int64_t now;
};

static int
list_row(const struct vigil_store_value *c, size_t n, void *arg)
{
    struct list_arg *la = arg;
    struct vigil_respond_row r;

    if (n < 10)
        return 1;
    r.id = c[0].p;
    r.action = c[1].p;
    r.target = c[2].p;
    r.reason = c[3].p;
    r.actor = c[4].p;
    r.alert_uid = c[5].p ? c[5].p : "";
    r.created_ns = c[6].i;
    r.expires_ns = c[7].i;
    r.state = c[8].p;
    r.detail = c[9].p ? c[9].p : "";
    /* past its time but not swept yet (no daemon running) */
    if (strcmp(r.state, "active") == 0 && r.expires_ns > 0 &&
        r.expires_ns <= la->now)
        r.state = "expired";
    return la->fn(&r, la->arg);
}

enum vigil_rc
vigil_respond_list(struct vigil_store *s, int64_t limit,
                   int (*fn)(const struct vigil_respond_row *r, void *arg),
                   void *arg, struct vigil_err *err)
{
    struct list_arg la = {fn, arg, vigil_time_now()};
    struct vigil_store_value p = vigil_sv_int(limit > 0 ? limit : INT64_MAX);

    return vigil_store_query(s,
                             "SELECT id, action, target, reason, actor,"
                             " alert_uid, created_ns, expires_ns, state,"
                             " detail FROM respond_actions"
                             " ORDER BY created_ns DESC LIMIT ?",
                             &p, 1, list_row, &la, err);
}
