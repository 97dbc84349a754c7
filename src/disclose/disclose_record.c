/* disclose_record.c -- release checks kept in the store: `vigil
 * check-release --record` writes one row per file checked (its name,
 * verdict, findings and who ran it), and the daemon's dashboard lists
 * them, so the people on duty see which documents were stopped before
 * release. */
#include <string.h>

#include "disclose.h"
#include "store/store.h"

static const struct vigil_store_migration disclose_steps[] = {
    /* version 1 */
    {"release checks",
     "CREATE TABLE disclose_checks ("
     "  uid TEXT PRIMARY KEY NOT NULL,"
     "  time_ns BIGINT NOT NULL,"
     "  file TEXT NOT NULL,"
     "  format TEXT NOT NULL,"
     "  verdict TEXT NOT NULL,"
     "  findings BIGINT NOT NULL,"
     "  user_name TEXT NOT NULL"
     ");"
     "CREATE INDEX disclose_checks_time ON disclose_checks (time_ns);"},
};

const struct vigil_store_schema vigil_disclose_schema = {
    "disclose", disclose_steps,
    sizeof(disclose_steps) / sizeof(disclose_steps[0])};

enum vigil_rc
vigil_disclose_record(struct vigil_store *s,
                      const struct vigil_disclose_result *r, const char *user,
                      struct vigil_err *err)
{
    char uid[VIGIL_UID_LEN + 1];
    enum vigil_rc rc;

    if ((rc = vigil_uid_new(uid)) != VIGIL_OK)
        return vigil_err_set(err, rc, "no random bytes for an id");
    struct vigil_store_value p[] = {
        vigil_sv_text(uid),
        vigil_sv_int(vigil_time_now()),
        vigil_sv_text(r->name ? r->name : ""),
        vigil_sv_text(r->format ? r->format : ""),
        vigil_sv_text(vigil_disclose_verdict_name(r->verdict)),
        vigil_sv_int((int64_t)(r->nfindings + r->unlisted)),
        vigil_sv_text(user ? user : "")};
    return vigil_store_exec(s,
                            "INSERT INTO disclose_checks (uid, time_ns, file, "
                            "format, verdict, findings, user_name) VALUES (?, "
                            "?, ?, ?, ?, ?, ?)",
                            p, 7, NULL, err);
}

struct each_ctx {
    int (*fn)(const struct vigil_disclose_check_row *r, void *arg);
    void *arg;
};

static int
check_row(const struct vigil_store_value *c, size_t n, void *arg)
{
    struct each_ctx *e = arg;
    struct vigil_disclose_check_row r;

    (void)n;
    r.time_ns = c[0].i;
    r.file = c[1].p;
    r.format = c[2].p;
    r.verdict = c[3].p;
    r.findings = c[4].i;
    r.user = c[5].p;
    return e->fn(&r, e->arg);
}

enum vigil_rc
vigil_disclose_checks_each(struct vigil_store *s, const char *verdict,
                           int64_t limit,
                           int (*fn)(const struct vigil_disclose_check_row *r,
                                     void *arg),
                           void *arg, struct vigil_err *err)
{
    struct each_ctx e = {fn, arg};
    struct vigil_store_value p[] = {vigil_sv_text(verdict),
                                    vigil_sv_int(limit)};

    return vigil_store_query(s,
                             "SELECT time_ns, file, format, verdict, findings, "
                             "user_name FROM disclose_checks WHERE (?1 IS NULL "
                             "OR verdict = ?1) ORDER BY time_ns DESC LIMIT ?2",
                             p, 2, check_row, &e, err);
}
