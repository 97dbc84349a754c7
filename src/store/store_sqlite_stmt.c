/* store_sqlite_stmt.c -- the SQLite back end's `stmt` operation: domains'
 * own statements, prepared once per connection and kept in a small
 * least-recently-used cache keyed by their text, bound from struct
 * vigil_store_value and stepped row by row.
 */
#include <stdlib.h>
#include <string.h>

#include "store_sqlite.h"

void
sq_cache_clear(struct store_conn *c)
{
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < SQ_CACHE; i++) {
            sqlite3_finalize(c->cache[k][i].st);
            free(c->cache[k][i].sql);
            c->cache[k][i] = (struct sq_cached){0};
        }
    }
}

/* Finds or prepares sql on db. A kept statement already stepping (a
 * query run from the row callback of the same query) cannot be reused:
 * then *fresh is set and the caller finalizes the one it gets. */
static enum vigil_rc
get_stmt(struct store_conn *c, int query, const char *sql, sqlite3_stmt **out,
         int *fresh, struct vigil_err *err)
{
    struct sq_cached *slots = c->cache[query ? 1 : 0], *victim = &slots[0];
    sqlite3 *db = query ? c->qdb : c->db;
    sqlite3_stmt *st = NULL;
    int busy = 0;
    char *copy;

    *fresh = 0;
    for (int i = 0; i < SQ_CACHE; i++) {
        if (slots[i].sql != NULL && strcmp(slots[i].sql, sql) == 0) {
            if ((busy = sqlite3_stmt_busy(slots[i].st)) != 0)
                break;
            slots[i].used = ++c->cache_tick;
            *out = slots[i].st;
            return VIGIL_OK;
        }
        if (slots[i].used < victim->used)
            victim = &slots[i];
    }
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
        SQLITE_OK)
        return sq_err(err, db, "preparing a statement");
    if (st == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store: empty statement");
    copy = busy ? NULL : strdup(sql);
    if (copy == NULL || sqlite3_stmt_busy(victim->st)) {
        /* No room to keep it: use it once. */
        free(copy);
        *fresh = 1;
        *out = st;
        return VIGIL_OK;
    }
    sqlite3_finalize(victim->st);
    free(victim->sql);
    *victim = (struct sq_cached){copy, st, ++c->cache_tick};
    *out = st;
    return VIGIL_OK;
}

static enum vigil_rc
bind_all(sqlite3 *db, sqlite3_stmt *st, const struct vigil_store_value *p,
         size_t n, struct vigil_err *err)
{
    int r = SQLITE_OK;

    if ((size_t)sqlite3_bind_parameter_count(st) != n)
        return vigil_err_set(err, VIGIL_EINVAL,
                             "store: statement takes %d parameters, %zu given",
                             sqlite3_bind_parameter_count(st), n);
    for (size_t i = 0; i < n && r == SQLITE_OK; i++) {
        int k = (int)i + 1;
        switch (p[i].type) {
        case VIGIL_SV_INT:
            r = sqlite3_bind_int64(st, k, p[i].i);
            break;
        case VIGIL_SV_REAL:
            r = sqlite3_bind_double(st, k, p[i].r);
            break;
        case VIGIL_SV_TEXT:
            r = sqlite3_bind_text64(st, k, p[i].p ? p[i].p : "", p[i].len,
                                    SQLITE_STATIC, SQLITE_UTF8);
            break;
        case VIGIL_SV_BLOB:
            r = sqlite3_bind_blob64(st, k, p[i].p ? p[i].p : "", p[i].len,
                                    SQLITE_STATIC);
            break;
        default:
            r = sqlite3_bind_null(st, k);
        }
    }
    return r == SQLITE_OK ? VIGIL_OK : sq_err(err, db, "binding a parameter");
}

/* Reads the current row into cols (at most VIGIL_STORE_PARAMS_MAX). */
static size_t
read_row(sqlite3_stmt *st, struct vigil_store_value *cols)
{
    size_t n = (size_t)sqlite3_column_count(st);

    if (n > VIGIL_STORE_PARAMS_MAX)
        n = VIGIL_STORE_PARAMS_MAX;
    for (size_t i = 0; i < n; i++) {
        int k = (int)i;
        struct vigil_store_value v = {VIGIL_SV_NULL, 0, 0, NULL, 0};
        switch (sqlite3_column_type(st, k)) {
        case SQLITE_INTEGER:
            v.type = VIGIL_SV_INT;
            v.i = sqlite3_column_int64(st, k);
            break;
        case SQLITE_FLOAT:
            v.type = VIGIL_SV_REAL;
            v.r = sqlite3_column_double(st, k);
            break;
        case SQLITE_TEXT:
            v.type = VIGIL_SV_TEXT;
            v.p = (const char *)sqlite3_column_text(st, k);
            v.len = (size_t)sqlite3_column_bytes(st, k);
            break;
        case SQLITE_BLOB:
            v.type = VIGIL_SV_BLOB;
            v.p = sqlite3_column_blob(st, k);
            v.len = (size_t)sqlite3_column_bytes(st, k);
            break;
        default:
            break;
        }
        cols[i] = v;
    }
    return n;
}

enum vigil_rc
sq_stmt(struct store_conn *c, int query, const char *sql,
        const struct vigil_store_value *params, size_t n, vigil_store_row_fn fn,
        void *arg, int64_t *changes, struct vigil_err *err)
{
    struct vigil_store_value cols[VIGIL_STORE_PARAMS_MAX];
    sqlite3 *db = query ? c->qdb : c->db;
    sqlite3_stmt *st = NULL;
    enum vigil_rc rc;
    int fresh = 0, r;

    if (db == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "store: no connection");
    VIGIL_TRY(get_stmt(c, query, sql, &st, &fresh, err));
    VIGIL_TRY(bind_all(db, st, params, n, err));
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (fn != NULL && fn(cols, read_row(st, cols), arg) != 0) {
            r = SQLITE_DONE;
            break;
        }
    }
    if (r != SQLITE_DONE) {
        rc = (r & 0xff) == SQLITE_CONSTRAINT
                 ? vigil_err_set(err, VIGIL_ECONFLICT, "store: %s",
                                 sqlite3_errmsg(db))
                 : sq_err(err, db, "running a statement");
        goto out;
    }
    if (changes != NULL)
        *changes = sqlite3_changes64(db);
    rc = VIGIL_OK;
out:
    if (st != NULL) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        if (fresh)
            sqlite3_finalize(st);
    }
    return rc;
}
