/* respond_engine.c -- containment in the daemon: each alert is checked
 * against the policies on the thread that raised it, and what they say
 * happens at once (not on the next tick) through the privileged helper;
 * the record goes into the alert's own batch, so the alert and what was
 * done about it are stored together. Notifications and forwarded alerts
 * are queued for the sending thread (respond_queue.c) and carry what was
 * done, so the person on duty reads "blocked, undo with ...". */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "respond_int.h"
#include "store/store.h"

#define RECENT_MAX  65536 /* addresses remembered as just blocked */
#define RECENT_MS   60000 /* a block is not repeated within a minute */
#define MAX_ACTIONS (VIGIL_RESPOND_MAX_POLICIES * VIGIL_RESPOND_MAX_DO)

struct vigil_respond_engine {
    struct vigil_respond_config cfg; /* checked copy */
    struct vigil_store *store;
    struct respond_helper *helper; /* borrowed: the process's */
    struct respond_queue *queue;
    pthread_mutex_t lock;      /* recent */
    struct vigil_hmap *recent; /* address -> int64_t mono ms of the block */
    int64_t next_prune_ms;
};

/* The helper lives as long as the process: forked once before the
 * privileges go, it cannot be started again afterwards. */
static struct respond_helper *helper;
static int restored, helper_lost;

static int64_t
mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
needs_helper(const struct vigil_respond_config *cfg)
{
    for (size_t i = 0; i < cfg->npolicies; i++)
        for (size_t k = 0; k < cfg->policies[i].ndo; k++)
            if (cfg->policies[i].what[k] != VIGIL_DO_NOTIFY_DUTY &&
                cfg->policies[i].what[k] != VIGIL_DO_FORWARD)
                return 1;
    return 0;
}

enum vigil_rc
vigil_respond_prepare(const struct vigil_respond_config *cfg,
                      struct vigil_err *err)
{
    struct vigil_respond_config *c;
    enum vigil_rc rc;

    if (helper != NULL || !needs_helper(cfg))
        return VIGIL_OK;
    if ((c = malloc(sizeof(*c))) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    *c = *cfg;
    rc = vigil_respond_config_check(c, err);
    if (rc == VIGIL_OK)
        rc = respond_helper_start(&helper, c, err);
    free(c);
    return rc;
}

static enum vigil_rc
helper_exec(void *arg, const struct respond_req *rq, struct vigil_err *err)
{
    (void)arg;
    if (helper == NULL)
        return vigil_err_set(err, VIGIL_EIO,
                             "no privileged helper: containment was not "
                             "configured when vigil started (restart it)");
    return respond_helper_call(helper, rq, err);
}

/* A person's request: through the helper, or, for a dry run without
 * one, the same checks in this process (checking needs no privilege). */
static enum vigil_rc
request_exec(void *arg, const struct respond_req *rq, struct vigil_err *err)
{
    struct vigil_respond_engine *e = arg;
    struct respond_guard *g;
    enum vigil_rc rc;

    if (helper != NULL || !rq->check_only)
        return helper_exec(arg, rq, err);
    if ((g = malloc(sizeof(*g))) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    respond_guard_init(g, &e->cfg);
    rc = respond_guard_check(g, rq, err);
    free(g);
    return rc;
}

enum vigil_rc
vigil_respond_engine_request(struct vigil_respond_engine *e,
                             const struct vigil_respond_request *req,
                             char id[VIGIL_UID_LEN + 1], struct vigil_err *err)
{
    struct vigil_respond_request r = *req;

    if (r.action == VIGIL_RA_RUN)
        return vigil_err_set(err, VIGIL_EINVAL,
                             "configured commands run from policies only");
    r.dry_run = r.dry_run || e->cfg.dry_run;
    return respond_do(e->store, NULL, request_exec, e, &r, -1, id, err);
}

enum vigil_rc
vigil_respond_engine_undo(struct vigil_respond_engine *e, const char *id,
                          const char *actor, struct vigil_err *err)
{
    return respond_undo_with(e->store, helper_exec, e, id, actor, err);
}

enum vigil_rc
vigil_respond_engine_new(struct vigil_respond_engine **out,
                         const struct vigil_respond_config *cfg,
                         struct vigil_store *s, struct vigil_err *err)
{
    struct vigil_respond_engine *e = calloc(1, sizeof(*e));
    enum vigil_rc rc;

    *out = NULL;
    if (e == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    e->cfg = *cfg;
    e->store = s;
    e->helper = helper;
    pthread_mutex_init(&e->lock, NULL);
    if ((rc = vigil_respond_config_check(&e->cfg, err)) != VIGIL_OK ||
        (rc = vigil_hmap_new(&e->recent, RECENT_MAX, free, err)) != VIGIL_OK) {
        vigil_respond_engine_free(e);
        return rc;
    }
    *out = e;
    return VIGIL_OK;
}

enum vigil_rc
vigil_respond_engine_reloadable(const struct vigil_respond_engine *fresh,
                                struct vigil_err *err)
{
    const struct vigil_respond_config *a = &fresh->cfg, *b;

    if (helper == NULL)
        return needs_helper(a)
                   ? vigil_err_set(err, VIGIL_EUNSUPPORTED,
                                   "containment policies were added: they "
                                   "need the privileged helper, started only "
                                   "at the next start")
                   : VIGIL_OK;
    b = respond_helper_config(helper);
    if (a->nmanagement != b->nmanagement || a->nallow != b->nallow ||
        a->ncommands != b->ncommands ||
        memcmp(a->management, b->management,
               a->nmanagement * sizeof(a->management[0])) != 0 ||
        memcmp(a->allow, b->allow, a->nallow * sizeof(a->allow[0])) != 0 ||
        memcmp(a->commands, b->commands,
               a->ncommands * sizeof(a->commands[0])) != 0 ||
        strcmp(a->nft, b->nft) != 0 ||
        a->command_timeout_ms != b->command_timeout_ms)
        return vigil_err_set(err, VIGIL_EUNSUPPORTED,
                             "response.management, allow, commands, nft and "
                             "command_timeout are held by the privileged "
                             "helper and take effect at the next start");
    return VIGIL_OK;
}

enum vigil_rc
vigil_respond_engine_start(struct vigil_respond_engine *e,
                           struct vigil_err *err)
{
    enum vigil_rc rc;

    if (e->cfg.nduty_email > 0 || e->cfg.duty_webhook[0] != '\0' ||
        e->cfg.forward_to[0] != '\0') {
        if ((rc = respond_queue_new(&e->queue, &e->cfg, e->store, err)) !=
            VIGIL_OK)
            return rc;
        respond_queue_publish(e->queue);
    }
    if (!restored && helper != NULL) {
        struct vigil_err e2 = {0};
        size_t n = 0, m = 0;
        restored = 1;
        if (respond_expire_with(e->store, helper_exec, e, vigil_time_now(), &m,
                                &e2) != VIGIL_OK ||
            respond_restore_with(e->store, helper_exec, e, &n, &e2) != VIGIL_OK)
            vigil_log(VIGIL_LOG_ERROR, 2115, "restoring containment: %s",
                      e2.msg);
        else if (n > 0 || m > 0)
            vigil_log(VIGIL_LOG_INFO, 2116,
                      "containment restored: %zu actions back in force, %zu "
                      "expired while vigil was stopped",
                      n, m);
    }
    return VIGIL_OK;
}

/* Was addr blocked by this engine less than RECENT_MS ago? Marks it
 * otherwise. */
static int
recently_blocked(struct vigil_respond_engine *e, const char *addr)
{
    int64_t now = mono_ms(), *t;
    int seen = 0;

    pthread_mutex_lock(&e->lock);
    t = vigil_hmap_get(e->recent, addr, strlen(addr));
    if (t != NULL && now - *t < RECENT_MS) {
        seen = 1;
    } else if (t != NULL) {
        *t = now;
    } else if ((t = malloc(sizeof(*t))) != NULL) {
        *t = now;
        if (vigil_hmap_put(e->recent, addr, strlen(addr), t) != VIGIL_OK)
            free(t);
    }
    pthread_mutex_unlock(&e->lock);
    return seen;
}

static void
forget_block(struct vigil_respond_engine *e, const char *addr)
{
    pthread_mutex_lock(&e->lock);
    vigil_hmap_del(e->recent, addr, strlen(addr));
    pthread_mutex_unlock(&e->lock);
}

/* What was done, for the message. */
struct done {
    char id[VIGIL_UID_LEN + 1];
    const char *action;
    char target[128];
    const char *state;
    int64_t for_s;
};

static const char *
outcome(enum vigil_rc rc, int dry, enum vigil_respond_action a)
{
    if (rc == VIGIL_EPERM)
        return "refused";
    if (rc != VIGIL_OK)
        return "failed";
    if (dry)
        return "dry-run";
    return a == VIGIL_RA_BLOCK || a == VIGIL_RA_ISOLATE || a == VIGIL_RA_LOCK
               ? "active"
               : "done";
}

static void
act(struct vigil_respond_engine *e, const struct vigil_alert *a,
    struct vigil_store_batch *batch, const struct vigil_respond_policy *p,
    size_t k, const char *addr, struct done *d, size_t *nd)
{
    struct vigil_respond_request req = {0};
    char actor[300], target[128] = "";
    struct vigil_err err = {0};
    enum vigil_rc rc;

    req.reason = a->title;
    snprintf(actor, sizeof(actor), "rule %s",
             a->rule_name ? a->rule_name : a->rule_id);
    req.actor = actor;
    req.alert_uid = a->uid;
    req.dry_run = e->cfg.dry_run;
    req.for_s = p->for_s ? p->for_s : e->cfg.block_for_s;
    switch (p->what[k]) {
    case VIGIL_DO_BLOCK_SOURCE:
        if (addr[0] == '\0' || recently_blocked(e, addr))
            return;
        req.action = VIGIL_RA_BLOCK;
        snprintf(target, sizeof(target), "%s", addr);
        break;
    case VIGIL_DO_ISOLATE:
        req.action = VIGIL_RA_ISOLATE;
        break;
    case VIGIL_DO_STOP_PROCESS:
        if (!respond_alert_field(a, "process.pid", target, sizeof(target)))
            return;
        req.action = VIGIL_RA_STOP;
        break;
    case VIGIL_DO_LOCK_USER:
        if (!respond_alert_field(a, "user.name", target, sizeof(target)))
            return;
        req.action = VIGIL_RA_LOCK;
        break;
    case VIGIL_DO_RUN:
        req.action = VIGIL_RA_RUN;
        snprintf(target, sizeof(target), "%s", addr);
        break;
    default:
        return;
    }
    req.target = target;
    if (*nd >= MAX_ACTIONS)
        return;
    rc = respond_do(e->store, batch, helper_exec, e, &req, p->command[k],
                    d[*nd].id, &err);
    if (rc != VIGIL_OK && req.action == VIGIL_RA_BLOCK)
        forget_block(e, addr); /* try again on the next alert */
    if (d[*nd].id[0] == '\0')
        return; /* not even recorded */
    d[*nd].action = respond_action_name(req.action);
    snprintf(d[*nd].target, sizeof(d[*nd].target), "%s",
             req.action == VIGIL_RA_ISOLATE ? "host" : target);
    d[*nd].state = outcome(rc, req.dry_run, req.action);
    d[*nd].for_s = req.for_s;
    (*nd)++;
}

static enum vigil_rc
put_str(struct vigil_buf *b, const char *s)
{
    return vigil_buf_json_str(b, s ? s : "", s ? strlen(s) : 0);
}

/* The webhook's data: the alert and what was done about it. */
static enum vigil_rc
alert_json(struct vigil_buf *b, const struct vigil_alert *a,
           const struct done *d, size_t nd)
{
    enum vigil_rc rc = VIGIL_OK;
    char ts[40];

    vigil_time_format(a->time_ns, ts);
    VIGIL_TRY(vigil_buf_printf(b, "{\"alert\":{\"uid\":"));
    VIGIL_TRY(put_str(b, a->uid));
    VIGIL_TRY(vigil_buf_printf(b, ",\"rule_id\":"));
    VIGIL_TRY(put_str(b, a->rule_id));
    VIGIL_TRY(vigil_buf_printf(b, ",\"rule_name\":"));
    VIGIL_TRY(put_str(b, a->rule_name));
    VIGIL_TRY(vigil_buf_printf(b, ",\"title\":"));
    VIGIL_TRY(put_str(b, a->title));
    VIGIL_TRY(vigil_buf_printf(b, ",\"level\":"));
    VIGIL_TRY(put_str(b, a->level));
    VIGIL_TRY(vigil_buf_printf(b, ",\"time\":\"%s\",\"source\":", ts));
    VIGIL_TRY(put_str(b, a->source));
    VIGIL_TRY(vigil_buf_printf(b,
                               ",\"tags\":%s,\"matched\":%s,\"event\":%s},"
                               "\"actions\":[",
                               a->tags_json ? a->tags_json : "[]",
                               a->matched_json ? a->matched_json : "{}",
                               a->event_json ? a->event_json : "{}"));
    for (size_t i = 0; i < nd; i++) {
        VIGIL_TRY(vigil_buf_printf(b,
                                   "%s{\"id\":\"%s\",\"action\":\"%s\","
                                   "\"target\":",
                                   i ? "," : "", d[i].id, d[i].action));
        VIGIL_TRY(put_str(b, d[i].target));
        VIGIL_TRY(vigil_buf_printf(b, ",\"state\":\"%s\"}", d[i].state));
    }
    VIGIL_TRY(vigil_buf_printf(b, "]}"));
out:
    return rc;
}

static enum vigil_rc
alert_text(struct vigil_buf *b, const struct vigil_alert *a, const char *addr,
           const struct done *d, size_t nd)
{
    enum vigil_rc rc = VIGIL_OK;
    char host[256] = "", ts[40];

    gethostname(host, sizeof(host) - 1);
    vigil_time_format(a->time_ns, ts);
    VIGIL_TRY(vigil_buf_printf(
        b,
        "vigil raised an alert on %s.\n\n"
        "Title:   %s\nLevel:   %s\nRule:    %s%s%s%s\n"
        "Time:    %s\nSource:  %s\n",
        host, a->title, a->level, a->rule_id, a->rule_name ? " (" : "",
        a->rule_name ? a->rule_name : "", a->rule_name ? ")" : "", ts,
        a->source ? a->source : "-"));
    if (addr[0])
        VIGIL_TRY(vigil_buf_printf(b, "Address: %s\n", addr));
    VIGIL_TRY(vigil_buf_printf(b, "Alert:   %s\n\n", a->uid ? a->uid : "-"));
    if (nd > 0)
        VIGIL_TRY(vigil_buf_printf(b, "What vigil did:\n"));
    for (size_t i = 0; i < nd; i++) {
        VIGIL_TRY(vigil_buf_printf(b, "  %s %s: %s", d[i].action, d[i].target,
                                   d[i].state));
        if (strcmp(d[i].state, "active") == 0 && d[i].for_s > 0)
            VIGIL_TRY(vigil_buf_printf(b, " for %llds", (long long)d[i].for_s));
        if (strcmp(d[i].state, "active") == 0)
            VIGIL_TRY(vigil_buf_printf(b, "; undo with: vigil respond undo %s",
                                       d[i].id));
        VIGIL_TRY(vigil_buf_printf(b, "\n"));
    }
    VIGIL_TRY(vigil_buf_printf(b, "\nMatched: %s\nEvent:   %s\n",
                               a->matched_json ? a->matched_json : "{}",
                               a->event_json ? a->event_json : "{}"));
out:
    return rc;
}

static void
notify(struct vigil_respond_engine *e, const struct vigil_alert *a,
       const char *addr, const struct done *d, size_t nd)
{
    struct vigil_buf text, json;
    char subject[512];
    struct vigil_err err = {0};

    if (e->queue == NULL)
        return;
    snprintf(subject, sizeof(subject), "[vigil] %s: %s%s%s%s", a->level,
             a->title, addr[0] ? " (" : "", addr, addr[0] ? ")" : "");
    vigil_buf_init(&text, 4 * 1024 * 1024);
    vigil_buf_init(&json, 4 * 1024 * 1024);
    if (alert_text(&text, a, addr, d, nd) == VIGIL_OK &&
        alert_json(&json, a, d, nd) == VIGIL_OK) {
        struct vigil_respond_msg m = {subject, text.data, json.data, a->uid};
        respond_queue_msg(e->queue, &m, &err);
    } else {
        vigil_log(VIGIL_LOG_ERROR, 2126, "alert %s too large to notify",
                  a->uid ? a->uid : "");
    }
    vigil_buf_fini(&text);
    vigil_buf_fini(&json);
}

void
vigil_respond_engine_alert(struct vigil_respond_engine *e,
                           const struct vigil_alert *a,
                           struct vigil_store_batch *batch)
{
    struct done d[16];
    char addr[64] = "";
    size_t nd = 0;
    int tell = 0, forward = 0;

    respond_alert_address(a, addr, sizeof(addr));
    for (size_t i = 0; i < e->cfg.npolicies; i++) {
        const struct vigil_respond_policy *p = &e->cfg.policies[i];
        if (!respond_policy_matches(p, a))
            continue;
        for (size_t k = 0; k < p->ndo; k++) {
            tell |= p->what[k] == VIGIL_DO_NOTIFY_DUTY;
            forward |= p->what[k] == VIGIL_DO_FORWARD;
            if (nd < sizeof(d) / sizeof(d[0]))
                act(e, a, batch, p, k, addr, d, &nd);
        }
    }
    /* containment first, then the message that says what was done */
    if (tell)
        notify(e, a, addr, d, nd);
    if (forward && e->queue != NULL) {
        struct vigil_err err = {0};
        respond_queue_forward(e->queue, a, &err);
    }
}

void
vigil_respond_engine_tick(struct vigil_respond_engine *e)
{
    struct vigil_err err = {0};
    int64_t now = mono_ms();

    /* said once, at once, not at the next attack's failed block */
    if (helper != NULL && !helper_lost && respond_helper_gone(helper)) {
        helper_lost = 1;
        vigil_log(VIGIL_LOG_ERROR, 2125,
                  "the privileged helper (pid %d) ended: blocks, isolation, "
                  "stop, lock and commands fail until vigil is restarted",
                  (int)respond_helper_pid(helper));
    }
    if (helper != NULL &&
        respond_expire_with(e->store, helper_exec, e, vigil_time_now(), NULL,
                            &err) != VIGIL_OK)
        vigil_log(VIGIL_LOG_ERROR, 2113, "expiring actions: %s", err.msg);
    if (now < e->next_prune_ms)
        return;
    e->next_prune_ms = now + RECENT_MS;
    pthread_mutex_lock(&e->lock);
    size_t pos = 0, klen;
    const void *key;
    void *val;
    while (vigil_hmap_next(e->recent, &pos, &key, &klen, &val))
        if (now - *(int64_t *)val >= RECENT_MS)
            vigil_hmap_del(e->recent, key, klen);
    pthread_mutex_unlock(&e->lock);
}

void
vigil_respond_engine_stop(struct vigil_respond_engine *e)
{
    respond_queue_free(e->queue);
    e->queue = NULL;
}

void
vigil_respond_engine_free(struct vigil_respond_engine *e)
{
    if (e == NULL)
        return;
    respond_queue_free(e->queue);
    vigil_hmap_free(e->recent);
    pthread_mutex_destroy(&e->lock);
    free(e);
}
