/* fim_loss.c -- data-loss stores: every `interval` each declared store is
 * measured (a folder: bytes and files, walked with core's vigil_walk; a
 * database: a row count from its query, through src/store), the measurement is
 * appended to fim_store_history, and when the size or the count fell by more
 * than `alert_drop` of the largest value recorded within `within`, a critical
 * detection names the store, the share lost and, for folders, how many
 * files went and the largest of them (the previous listing is kept in
 * memory, up to LISTING_MAX files a store; past that only counts). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fim/fim_loss.h"
#include "store/store.h"

#define LISTING_MAX 500000
#define TOP_REMOVED 10

struct removed {
    char *path;
    int64_t size, at;
};

struct store_state {
    int64_t next_at;
    int64_t alerted_at;
    struct vigil_hmap *listing; /* path -> size + 1, as a pointer */
    int listing_ok;
    struct removed top[TOP_REMOVED];
    int64_t removed_n; /* files gone within the period */
    int64_t removed_since;
    char last_err[256]; /* the failure last logged: not repeated each time */
    uint64_t dev;       /* a folder's file system, as last measured */
    int gone;           /* a folder measured before is no more */
    int gone_alerted;
};

struct fim_loss {
    const struct vigil_fim_config *cfg;
    struct vigil_store *store;
    struct store_state st[VIGIL_FIM_MAX_STORES];
};

enum vigil_rc
fim_loss_new(struct fim_loss **out, const struct vigil_fim_config *cfg,
             struct vigil_store *store, struct vigil_err *err)
{
    struct fim_loss *l = calloc(1, sizeof(*l));

    if (l == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    l->cfg = cfg;
    l->store = store;
    *out = l;
    return VIGIL_OK;
}

static void
top_clear(struct store_state *s)
{
    for (int i = 0; i < TOP_REMOVED; i++) {
        free(s->top[i].path);
        s->top[i].path = NULL;
    }
}

void
fim_loss_free(struct fim_loss *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < VIGIL_FIM_MAX_STORES; i++) {
        vigil_hmap_free(l->st[i].listing);
        top_clear(&l->st[i]);
    }
    free(l);
}

struct walk_ctx {
    int64_t bytes, items;
    struct vigil_hmap *map; /* NULL: counting only */
};

static enum vigil_rc
walk_fn(const struct vigil_walk_entry *e, void *arg)
{
    struct walk_ctx *w = arg;

    w->bytes += (int64_t)e->st.st_size;
    w->items++;
    if (w->map != NULL &&
        vigil_hmap_put(w->map, e->path, strlen(e->path),
                       (void *)(uintptr_t)((uint64_t)e->st.st_size + 1)) !=
            VIGIL_OK) {
        vigil_hmap_free(w->map); /* too many to name: count only */
        w->map = NULL;
    }
    return VIGIL_OK;
}

static void
note_removed(struct store_state *s, const char *path, int64_t size, int64_t now)
{
    int smallest = 0;

    for (int i = 0; i < TOP_REMOVED; i++) {
        if (s->top[i].path == NULL) {
            smallest = i;
            break;
        }
        if (s->top[i].size < s->top[smallest].size)
            smallest = i;
    }
    if (s->top[smallest].path != NULL && s->top[smallest].size >= size)
        return;
    free(s->top[smallest].path);
    s->top[smallest].path = strdup(path);
    s->top[smallest].size = size;
    s->top[smallest].at = now;
}

static enum vigil_rc
measure_folder(const struct vigil_fim_store_conf *c, struct store_state *s,
               int64_t now, int64_t *bytes, int64_t *items,
               struct vigil_err *err)
{
    struct vigil_walk_opts o = {.regular_only = 1,
                                .max_entries = (size_t)1 << 30};
    struct walk_ctx w = {0};
    struct stat root;
    enum vigil_rc rc = VIGIL_OK;

    /* a folder removed whole is the worst loss, not an unreadable store;
     * one that is now another file system's (unmounted, remounted) is no
     * loss: its history starts again */
    if (stat(c->target, &root) != 0) {
        if (errno != ENOENT || s->listing == NULL)
            return vigil_err_set(err, VIGIL_EIO, "%s: %s", c->target,
                                 strerror(errno));
        s->gone = 1;
    } else if (s->dev != 0 && (uint64_t)root.st_dev != s->dev) {
        s->dev = (uint64_t)root.st_dev;
        vigil_hmap_free(s->listing);
        s->listing = NULL;
        return vigil_err_set(err, VIGIL_ECONFLICT,
                             "%s is now on another file system, mounted "
                             "or unmounted: its history starts again",
                             c->target);
    } else {
        s->dev = (uint64_t)root.st_dev;
        s->gone = 0;
    }
    if (vigil_hmap_new(&w.map, LISTING_MAX, NULL, err) != VIGIL_OK)
        w.map = NULL;
    if (!s->gone)
        rc = vigil_walk(c->target, &o, walk_fn, NULL, &w, err);
    if (rc != VIGIL_OK) {
        vigil_hmap_free(w.map);
        return rc;
    }
    if (s->listing != NULL && w.map != NULL) {
        size_t pos = 0, klen;
        const void *k;
        void *v;
        char path[4096];
        while (vigil_hmap_next(s->listing, &pos, &k, &klen, &v)) {
            if (vigil_hmap_get(w.map, k, klen) != NULL || klen >= sizeof(path))
                continue;
            memcpy(path, k, klen);
            path[klen] = '\0';
            s->removed_n++;
            note_removed(s, path, (int64_t)((uintptr_t)v - 1), now);
        }
    }
    vigil_hmap_free(s->listing);
    s->listing = w.map;
    *bytes = w.bytes;
    *items = w.items;
    return VIGIL_OK;
}

struct maxes {
    int64_t bytes, items;
};

static int
row_max(const struct vigil_store_value *c, size_t n, void *arg)
{
    struct maxes *m = arg;

    if (n >= 2 && c[0].type == VIGIL_SV_INT)
        m->bytes = c[0].i;
    if (n >= 2 && c[1].type == VIGIL_SV_INT)
        m->items = c[1].i;
    return 0;
}

static void
alert(struct fim_loss *l, size_t i, int64_t now, int64_t bytes, int64_t items,
      const struct maxes *mx, const struct vigil_fim_sink *sink)
{
    const struct vigil_fim_store_conf *c = &l->cfg->stores[i];
    struct store_state *s = &l->st[i];
    struct vigil_buf b;
    char title[512];
    double pb = mx->bytes > 0
                    ? 100.0 * (double)(mx->bytes - bytes) / (double)mx->bytes
                    : 0;
    double pi = mx->items > 0
                    ? 100.0 * (double)(mx->items - items) / (double)mx->items
                    : 0;

    vigil_buf_init(&b, 1 << 16);
    vigil_buf_printf(&b, "{\"store\":");
    vigil_buf_json_str(&b, c->name, strlen(c->name));
    vigil_buf_printf(&b, ",\"gone\":%s", s->gone ? "true" : "false");
    vigil_buf_printf(&b,
                     ",\"bytes\":%lld,\"items\":%lld,\"max_bytes\":%lld,"
                     "\"max_items\":%lld,\"bytes_lost_pct\":%.1f,"
                     "\"items_lost_pct\":%.1f,\"within_s\":%lld,"
                     "\"removed_count\":%lld,\"largest_removed\":[",
                     (long long)bytes, (long long)items, (long long)mx->bytes,
                     (long long)mx->items, pb, pi, (long long)c->within_s,
                     (long long)s->removed_n);
    int first = 1;
    for (int k = 0; k < TOP_REMOVED; k++) {
        if (s->top[k].path == NULL)
            continue;
        vigil_buf_printf(&b, "%s{\"path\":", first ? "" : ",");
        vigil_buf_json_str(&b, s->top[k].path, strlen(s->top[k].path));
        vigil_buf_printf(&b, ",\"size\":%lld}", (long long)s->top[k].size);
        first = 0;
    }
    vigil_buf_printf(&b, "]}");
    if (s->gone)
        snprintf(title, sizeof(title),
                 "Data loss: store %s is gone: its folder %.200s was removed "
                 "(%lld files)",
                 c->name, c->target, (long long)s->removed_n);
    else if (c->kind == VIGIL_FIM_STORE_FOLDER)
        snprintf(title, sizeof(title),
                 "Data loss: store %s lost %.0f%% of its %s within %llds "
                 "(%lld files removed)",
                 c->name, pb > pi ? pb : pi, pb > pi ? "size" : "items",
                 (long long)c->within_s, (long long)s->removed_n);
    else
        snprintf(title, sizeof(title),
                 "Data loss: store %s lost %.0f%% of its items within %llds "
                 "(%lld of %lld rows gone)",
                 c->name, pi, (long long)c->within_s,
                 (long long)(mx->items - items), (long long)mx->items);
    vigil_log(VIGIL_LOG_ERROR, FIM_LOG_DROP, "fim: %s", title);
    struct vigil_fim_detection d = {
        .time_ns = now,
        .kind = "fim.data_loss",
        .level = "critical",
        .title = title,
        .subject = c->name,
        .detail_json = b.data ? b.data : "{}",
    };
    if (sink->detect != NULL)
        (void)sink->detect(sink->arg, &d);
    vigil_buf_fini(&b);
}

static void
measure(struct fim_loss *l, size_t i, int64_t now,
        const struct vigil_fim_sink *sink)
{
    const struct vigil_fim_store_conf *c = &l->cfg->stores[i];
    struct store_state *s = &l->st[i];
    struct vigil_err err = {0};
    struct vigil_store_value v[4];
    struct maxes mx = {0};
    int64_t bytes = 0, items = 0;
    enum vigil_rc rc;

    if (s->removed_since == 0 ||
        now - s->removed_since > c->within_s * VIGIL_NS_PER_SEC) {
        s->removed_n = 0;
        s->removed_since = now;
        top_clear(s);
    }
    if (c->kind == VIGIL_FIM_STORE_FOLDER)
        rc = measure_folder(c, s, now, &bytes, &items, &err);
    else if (c->kind == VIGIL_FIM_STORE_POSTGRES)
        rc = vigil_store_foreign_count(c->target, c->query, &items, &err);
    else
        rc =
            vigil_store_foreign_sqlite_count(c->target, c->query, &items, &err);
    if (rc != VIGIL_OK) {
        if (strcmp(s->last_err, err.msg) != 0)
            vigil_log(VIGIL_LOG_WARN, FIM_LOG_STORE, "fim: store %s: %s",
                      c->name, err.msg);
        snprintf(s->last_err, sizeof(s->last_err), "%s", err.msg);
        if (rc == VIGIL_ECONFLICT) {
            v[0] = vigil_sv_text(c->name);
            (void)vigil_store_exec(l->store,
                                   "DELETE FROM fim_store_history WHERE "
                                   "store = ?",
                                   v, 1, NULL, &err);
        }
        return;
    }
    s->last_err[0] = '\0';
    v[0] = vigil_sv_text(c->name);
    v[1] = vigil_sv_int(now - c->within_s * VIGIL_NS_PER_SEC);
    rc = vigil_store_query(l->store,
                           "SELECT max(bytes), max(items) FROM "
                           "fim_store_history WHERE store = ? AND at_ns >= ?",
                           v, 2, row_max, &mx, &err);
    v[1] = vigil_sv_int(now);
    v[2] = vigil_sv_int(bytes);
    v[3] = vigil_sv_int(items);
    if (rc == VIGIL_OK)
        rc = vigil_store_exec(l->store,
                              "INSERT INTO fim_store_history (store, at_ns, "
                              "bytes, items) VALUES (?, ?, ?, ?)",
                              v, 4, NULL, &err);
    if (rc != VIGIL_OK) {
        vigil_log(VIGIL_LOG_WARN, FIM_LOG_STORE, "fim: store %s: %s", c->name,
                  err.msg);
        return;
    }
    int dropped = (mx.bytes > 0 &&
                   (mx.bytes - bytes) * 1000 > c->drop_permille * mx.bytes) ||
                  (mx.items > 0 &&
                   (mx.items - items) * 1000 > c->drop_permille * mx.items);
    /* once per period, and once more when the folder then goes whole */
    if (dropped && (s->alerted_at == 0 ||
                    now - s->alerted_at > c->within_s * VIGIL_NS_PER_SEC ||
                    (s->gone && !s->gone_alerted))) {
        s->alerted_at = now;
        s->gone_alerted = s->gone;
        alert(l, i, now, bytes, items, &mx, sink);
    }
}

void
fim_loss_tick(struct fim_loss *l, const struct vigil_fim_sink *sink)
{
    int64_t now = vigil_time_now();

    for (size_t i = 0; i < l->cfg->nstores; i++) {
        struct store_state *s = &l->st[i];
        if (now < s->next_at)
            continue;
        s->next_at = now + l->cfg->stores[i].interval_s * VIGIL_NS_PER_SEC;
        measure(l, i, now, sink);
    }
}
