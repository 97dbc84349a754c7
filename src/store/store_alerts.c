/* store_alerts.c -- the alert queue as the dashboard reads it: a page of
 * alerts with filters and keyset paging, one alert in full, counts by
 * level per hour, counts per rule, and triage (state and assignee per
 * alert, in the web_triage table the web domain's schema creates).
 *
 * Keyset paging on (time_ns, id): the cursor is the last row's pair, so
 * a page costs the same at any depth. A back end seeks with one lower and
 * one upper bound per index, so the caller's `until` (newest first) or
 * `since` (oldest first) is folded into the cursor and each text has
 * exactly one bound of each kind on time_ns; the OR settles ties. A rule
 * filter has texts of its own, whose equality on rule_id comes first so
 * that the alerts_rule (rule_id, time_ns) index serves both the filter
 * and the order: the generic texts' `?2 IS NULL OR` would hide it from
 * the planner and walk the whole time index. Constant texts, each
 * prepared once per connection. */
#include <stdio.h>
#include <string.h>

#include "store.h"

#define COLS                                                                   \
    "SELECT a.id, a.uid, a.time_ns, a.rule_id, a.title, a.level, a.source, "   \
    "a.matched_json, t.state, t.assignee FROM alerts a LEFT JOIN web_triage "  \
    "t ON t.alert_uid = a.uid WHERE "
/* Filters besides the rule's and the category's. The category (?11) is
 * chosen by the text; it is named here so that every text takes the same
 * eleven parameters. */
#define FILTERS                                                                \
    "(?1 IS NULL OR a.level = ?1) AND (?3 IS NULL OR COALESCE(t.state, "       \
    "'new') = ?3) AND (?4 IS NULL OR a.source = ?4) AND (?5 IS NULL OR "       \
    "a.title LIKE '%' || ?5 || '%' ESCAPE '\\') AND (?11 IS NULL OR ?11 = "    \
    "?11) "
#define DESC                                                                   \
    "AND a.time_ns >= ?6 AND a.time_ns <= ?8 AND (a.time_ns < ?8 OR a.id < "   \
    "?9) ORDER BY a.time_ns DESC, a.id DESC LIMIT ?10"
#define ASC                                                                    \
    "AND a.time_ns < ?7 AND a.time_ns >= ?8 AND (a.time_ns > ?8 OR a.id > "    \
    "?9) ORDER BY a.time_ns ASC, a.id ASC LIMIT ?10"
/* The categories by source, on the alerts_source (source, time_ns) index
 * (the web domain's schema): file integrity monitoring publishes as
 * "fim", the network sensors as "net..." */
#define FILE_SRC "a.source = 'fim' AND (?2 IS NULL OR a.rule_id = ?2) AND "
#define NET_SRC                                                                \
    "a.source >= 'net' AND a.source < 'neu' AND (?2 IS NULL OR a.rule_id = "   \
    "?2) AND "

/* Alerts in a triage state other than new: from web_triage's state index
 * (few rows) into alerts, in that order (CROSS JOIN keeps it), then
 * sorted; walking the time index for them would read every alert. */
#define TRIAGED                                                                \
    "SELECT a.id, a.uid, a.time_ns, a.rule_id, a.title, a.level, a.source, "   \
    "a.matched_json, t.state, t.assignee FROM web_triage t CROSS JOIN alerts " \
    "a ON a.uid = t.alert_uid WHERE t.state = ?3 AND (?2 IS NULL OR "          \
    "a.rule_id = ?2) AND "
static const char sql_triaged_desc[] = TRIAGED FILTERS DESC;
static const char sql_triaged_asc[] = TRIAGED FILTERS ASC;

static const char sql_desc[] = COLS "(?2 IS NULL) AND " FILTERS DESC;
static const char sql_asc[] = COLS "(?2 IS NULL) AND " FILTERS ASC;
static const char sql_rule_desc[] = COLS "a.rule_id = ?2 AND " FILTERS DESC;
static const char sql_rule_asc[] = COLS "a.rule_id = ?2 AND " FILTERS ASC;
static const char sql_file_desc[] = COLS FILE_SRC FILTERS DESC;
static const char sql_file_asc[] = COLS FILE_SRC FILTERS ASC;
static const char sql_net_desc[] = COLS NET_SRC FILTERS DESC;
static const char sql_net_asc[] = COLS NET_SRC FILTERS ASC;

struct list_ctx {
    int (*fn)(const struct vigil_alert_row *r, void *arg);
    void *arg;
    int detail;
};

static const char *
text_of(const struct vigil_store_value *v)
{
    return v->type == VIGIL_SV_TEXT ? v->p : NULL;
}

static int
alert_row(const struct vigil_store_value *c, size_t n, void *arg)
{
    struct list_ctx *l = arg;
    struct vigil_alert_row r = {0};

    r.id = c[0].i;
    r.uid = text_of(&c[1]);
    r.time_ns = c[2].i;
    r.rule_id = text_of(&c[3]) ? c[3].p : "";
    r.title = text_of(&c[4]) ? c[4].p : "";
    r.level = text_of(&c[5]) ? c[5].p : "";
    r.source = text_of(&c[6]);
    r.matched_json = text_of(&c[7]);
    r.state = text_of(&c[8]) ? c[8].p : "new";
    r.assignee = text_of(&c[9]);
    if (l->detail && n >= 12) {
        r.event_json = text_of(&c[10]);
        r.tags_json = text_of(&c[11]);
    }
    return l->fn(&r, l->arg);
}

static int
state_ok(const char *s)
{
    return s == NULL || strcmp(s, "new") == 0 ||
           strcmp(s, "acknowledged") == 0 || strcmp(s, "closed") == 0;
}

enum vigil_rc
vigil_store_alert_list(struct vigil_store *s,
                       const struct vigil_alert_filter *f,
                       int (*fn)(const struct vigil_alert_row *r, void *arg),
                       void *arg, struct vigil_err *err)
{
    struct list_ctx l = {fn, arg, 0};
    int64_t ct = f->cursor_t, cid = f->cursor_id;
    int64_t until = f->until_ns > 0 ? f->until_ns : INT64_MAX;
    int asc = f->oldest_first;
    const char *sql;

    if (!state_ok(f->state) || f->limit < 1)
        return vigil_err_set(err, VIGIL_EINVAL, "bad state or limit");
    /* the title search is for the text as typed: % _ and \ match
     * themselves */
    char text[512];
    size_t o = 0;
    for (const char *c = f->text; c != NULL && *c && o + 2 < sizeof(text);
         c++) {
        if (*c == '%' || *c == '_' || *c == '\\')
            text[o++] = '\\';
        text[o++] = *c;
    }
    text[o] = '\0';
    if (f->category != NULL && strcmp(f->category, "file") != 0 &&
        strcmp(f->category, "network") != 0)
        return vigil_err_set(err, VIGIL_EINVAL, "category is file or network");
    if (!f->has_cursor) {
        ct = cid = asc ? INT64_MIN : INT64_MAX;
    }
    /* until and since fold into the cursor (see the top of the file) */
    if (!asc && until - 1 < ct) {
        ct = until - 1;
        cid = INT64_MAX;
    } else if (asc && f->since_ns > ct) {
        ct = f->since_ns;
        cid = INT64_MIN;
    }
    struct vigil_store_value p[] = {vigil_sv_text(f->level),
                                    vigil_sv_text(f->rule),
                                    vigil_sv_text(f->state),
                                    vigil_sv_text(f->source),
                                    vigil_sv_text(f->text ? text : NULL),
                                    vigil_sv_int(f->since_ns),
                                    vigil_sv_int(until),
                                    vigil_sv_int(ct),
                                    vigil_sv_int(cid),
                                    vigil_sv_int(f->limit),
                                    vigil_sv_text(f->category)};
    if (f->category != NULL && strcmp(f->category, "file") == 0)
        sql = asc ? sql_file_asc : sql_file_desc;
    else if (f->category != NULL)
        sql = asc ? sql_net_asc : sql_net_desc;
    else if (f->state != NULL && strcmp(f->state, "new") != 0)
        sql = asc ? sql_triaged_asc : sql_triaged_desc;
    else if (f->rule != NULL)
        sql = asc ? sql_rule_asc : sql_rule_desc;
    else
        sql = asc ? sql_asc : sql_desc;
    return vigil_store_query(s, sql, p, 11, alert_row, &l, err);
}

enum vigil_rc
vigil_store_alert_get(struct vigil_store *s, const char *uid,
                      int (*fn)(const struct vigil_alert_row *r, void *arg),
                      void *arg, struct vigil_err *err)
{
    struct list_ctx l = {fn, arg, 1};
    struct vigil_store_value p[] = {vigil_sv_text(uid)};

    return vigil_store_query(
        s,
        "SELECT a.id, a.uid, a.time_ns, a.rule_id, a.title, a.level, "
        "a.source, a.matched_json, t.state, t.assignee, a.event_json, "
        "a.tags_json FROM alerts a LEFT JOIN web_triage t ON t.alert_uid "
        "= a.uid WHERE a.uid = ?",
        p, 1, alert_row, &l, err);
}

struct count_ctx {
    int (*fn)(const char *key, int64_t t_ns, int64_t count, void *arg);
    void *arg;
};

static int
count_row(const struct vigil_store_value *c, size_t n, void *arg)
{
    struct count_ctx *k = arg;

    (void)n;
    return k->fn(c[0].type == VIGIL_SV_TEXT ? c[0].p : "", c[1].i, c[2].i,
                 k->arg);
}

enum vigil_rc
vigil_store_alert_hours(struct vigil_store *s, int64_t since_ns,
                        int (*fn)(const char *level, int64_t hour_ns,
                                  int64_t count, void *arg),
                        void *arg, struct vigil_err *err)
{
    struct count_ctx k = {fn, arg};
    struct vigil_store_value p[] = {vigil_sv_int(3600LL * VIGIL_NS_PER_SEC),
                                    vigil_sv_int(since_ns)};

    return vigil_store_query(s,
                             "SELECT level, (time_ns / ?1) * ?1 AS h, COUNT(*) "
                             "FROM alerts WHERE time_ns >= ?2 GROUP BY level, "
                             "h ORDER BY h",
                             p, 2, count_row, &k, err);
}

enum vigil_rc
vigil_store_alert_rules(struct vigil_store *s,
                        int (*fn)(const char *rule_id, int64_t last_ns,
                                  int64_t count, void *arg),
                        void *arg, struct vigil_err *err)
{
    struct count_ctx k = {fn, arg};

    /* an index-only walk of alerts_rule */
    return vigil_store_query(s,
                             "SELECT rule_id, MAX(time_ns), COUNT(*) FROM "
                             "alerts GROUP BY rule_id",
                             NULL, 0, count_row, &k, err);
}

enum vigil_rc
vigil_store_alert_triage(struct vigil_store *s, const char *const *uids,
                         size_t n, const char *state, const char *assignee,
                         int keep_assignee, const char *by, int64_t *updated,
                         struct vigil_err *err)
{
    struct vigil_store_tx *tx = NULL;
    int64_t changed = 0, total = 0, now = vigil_time_now();
    enum vigil_rc rc;

    *updated = 0;
    if (state == NULL || !state_ok(state) || by == NULL)
        return vigil_err_set(err, VIGIL_EINVAL,
                             "state is new, acknowledged or closed");
    if ((rc = vigil_store_tx_begin(s, &tx, err)) != VIGIL_OK)
        return rc;
    for (size_t i = 0; i < n && rc == VIGIL_OK; i++) {
        struct vigil_store_value p[] = {
            vigil_sv_text(uids[i]),  vigil_sv_text(state),
            vigil_sv_text(assignee), vigil_sv_text(by),
            vigil_sv_int(now),       vigil_sv_int(keep_assignee != 0)};
        if (uids[i] == NULL)
            continue;
        /* only alerts that exist are triaged */
        rc = vigil_store_tx_exec(
            tx,
            "INSERT INTO web_triage (alert_uid, state, assignee, updated_by, "
            "updated_ns) SELECT uid, ?2, ?3, ?4, ?5 FROM alerts WHERE uid = ?1 "
            "ON CONFLICT (alert_uid) DO UPDATE SET state = excluded.state, "
            "assignee = CASE WHEN ?6 = 1 THEN web_triage.assignee ELSE "
            "excluded.assignee END, updated_by = excluded.updated_by, "
            "updated_ns = excluded.updated_ns",
            p, 6, &changed, err);
        total += changed;
    }
    if (rc != VIGIL_OK) {
        vigil_store_tx_rollback(tx);
        return rc;
    }
    if ((rc = vigil_store_tx_commit(tx, err)) == VIGIL_OK)
        *updated = total;
    return rc;
}
