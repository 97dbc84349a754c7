/* fim_loss.c -- data-loss stores: every `interval` each declared store is
 * measured (a folder: bytes and files, walked with core's vigil_walk; a
 * database: a row count from its query, through src/store), the measurement is
 * appended to fim_store_history, and a critical detection names the store,
 * the share lost and, for folders, how many files went and the largest of
 * them when, within `within`:
 *  - the size or the count fell by more than `alert_drop` of the largest
 *    value recorded, or
 *  - files it held were removed (not moved: a file found elsewhere in the
 *    folder with the same inode and mtime was moved) in a number above
 *    `alert_drop` of the largest count, whatever was added meanwhile:
 *    records replaced by junk of the same total size are still lost.
 * One alert per period, and another when a further wave takes more than
 * `alert_drop` again. The previous listing of a folder is kept in memory,
 * up to LISTING_MAX files a store; past that only counts.
 *
 * Measuring runs on a thread of its own, started by the first tick: a
 * folder of a million files or a slow database never holds up the
 * daemon's tick (other components' expiry, SIGTERM). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fim/fim_loss.h"
#include "store/store.h"

#define LISTING_MAX 500000
#define TOP_REMOVED 10
#define BUCKETS     60  /* removals are counted per 1/60 of `within` */
#define CAP_EVERY   256 /* measurements between two row-cap checks */
#define IDLE_NS     VIGIL_NS_PER_SEC

/* A file of a folder's listing. */
struct item {
    int64_t size;
    uint64_t ino;
    int64_t mtime_ns;
};

struct removed {
    char *path;
    int64_t size, at;
};

struct store_state {
    int64_t next_at;
    int64_t alerted_at;
    int64_t alerted_pm;         /* the share lost at that alert, permille */
    struct vigil_hmap *listing; /* path -> owned struct item */
    struct removed top[TOP_REMOVED];
    /* files removed, per bucket of within / BUCKETS: a sliding period */
    int64_t bucket_n[BUCKETS];
    int64_t bucket_id[BUCKETS];
    char last_err[256]; /* the failure last logged: not repeated each time */
    uint64_t dev;       /* a folder's file system, as last measured */
    int gone;           /* a folder measured before is no more */
    int gone_alerted;
    uint64_t inserted; /* rows written: the row cap is checked now and then */
};

struct fim_loss {
    const struct vigil_fim_config *cfg;
    struct vigil_store *store;
    struct vigil_fim_sink sink; /* the thread's copy */
    pthread_t th;
    int started, running;
    atomic_int quit;    /* a walk in progress gives up */
    pthread_mutex_t mu; /* stop, cv and stats */
    pthread_cond_t cv;
    int stop;
    struct vigil_fim_store_stats stats[VIGIL_FIM_MAX_STORES];
    struct store_state st[VIGIL_FIM_MAX_STORES];
};

enum vigil_rc
fim_loss_new(struct fim_loss **out, const struct vigil_fim_config *cfg,
             struct vigil_store *store, struct vigil_err *err)
{
    struct fim_loss *l = calloc(1, sizeof(*l));
    pthread_condattr_t ca;

    if (l == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    l->cfg = cfg;
    l->store = store;
    pthread_mutex_init(&l->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&l->cv, &ca);
    pthread_condattr_destroy(&ca);
    for (size_t i = 0; i < cfg->nstores; i++)
        snprintf(l->stats[i].name, sizeof(l->stats[i].name), "%s",
                 cfg->stores[i].name);
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
fim_loss_stop(struct fim_loss *l)
{
    if (l == NULL)
        return;
    atomic_store(&l->quit, 1);
    pthread_mutex_lock(&l->mu);
    l->stop = 1;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
    if (l->running)
        pthread_join(l->th, NULL);
    l->running = 0;
}

void
fim_loss_free(struct fim_loss *l)
{
    if (l == NULL)
        return;
    fim_loss_stop(l);
    for (size_t i = 0; i < VIGIL_FIM_MAX_STORES; i++) {
        vigil_hmap_free(l->st[i].listing);
        top_clear(&l->st[i]);
    }
    pthread_cond_destroy(&l->cv);
    pthread_mutex_destroy(&l->mu);
    free(l);
}

void
fim_loss_stats(struct fim_loss *l, struct vigil_fim_monitor_stats *st)
{
    pthread_mutex_lock(&l->mu);
    st->nstores = l->cfg->nstores;
    memcpy(st->stores, l->stats, sizeof(st->stores));
    pthread_mutex_unlock(&l->mu);
}

/* ---- folders ---- */

/* The identity a moved file keeps: its inode and mtime (a new file that
 * reuses a deleted file's inode has a new mtime). */
struct ident {
    uint64_t ino;
    int64_t mtime_ns;
};

struct walk_ctx {
    struct fim_loss *l;
    int64_t bytes, items;
    struct vigil_hmap *map; /* NULL: counting only */
    struct vigil_hmap *ids; /* struct ident -> 1; NULL: counting only */
};

static enum vigil_rc
walk_fn(const struct vigil_walk_entry *e, void *arg)
{
    struct walk_ctx *w = arg;
    struct item *it;

    if (atomic_load_explicit(&w->l->quit, memory_order_relaxed))
        return VIGIL_ELIMIT;
    w->bytes += (int64_t)e->st.st_size;
    w->items++;
    if (w->map == NULL)
        return VIGIL_OK;
    struct ident id = {(uint64_t)e->st.st_ino,
                       (int64_t)e->st.st_mtim.tv_sec * VIGIL_NS_PER_SEC +
                           e->st.st_mtim.tv_nsec};
    if ((it = malloc(sizeof(*it))) != NULL) {
        it->size = (int64_t)e->st.st_size;
        it->ino = id.ino;
        it->mtime_ns = id.mtime_ns;
    }
    if (it == NULL ||
        vigil_hmap_put(w->map, e->path, strlen(e->path), it) != VIGIL_OK ||
        vigil_hmap_put(w->ids, &id, sizeof(id), (void *)1) != VIGIL_OK) {
        if (it != NULL &&
            vigil_hmap_get(w->map, e->path, strlen(e->path)) != (void *)it)
            free(it);
        vigil_hmap_free(w->map); /* too many to name: count only */
        vigil_hmap_free(w->ids);
        w->map = w->ids = NULL;
    }
    return VIGIL_OK;
}

static int64_t
bucket_len(const struct vigil_fim_store_conf *c)
{
    int64_t n = c->within_s * VIGIL_NS_PER_SEC / BUCKETS;

    return n > 0 ? n : 1;
}

static void
removed_add(const struct vigil_fim_store_conf *c, struct store_state *s,
            int64_t now, int64_t n)
{
    int64_t id = now / bucket_len(c);
    int b = (int)(id % BUCKETS);

    if (s->bucket_id[b] != id) {
        s->bucket_id[b] = id;
        s->bucket_n[b] = 0;
    }
    s->bucket_n[b] += n;
}

/* Files removed within the period (and up to one bucket more). */
static int64_t
removed_sum(const struct vigil_fim_store_conf *c, const struct store_state *s,
            int64_t now)
{
    int64_t id = now / bucket_len(c), n = 0;

    for (int b = 0; b < BUCKETS; b++)
        if (s->bucket_id[b] > id - BUCKETS && s->bucket_id[b] <= id)
            n += s->bucket_n[b];
    return n;
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
measure_folder(struct fim_loss *l, const struct vigil_fim_store_conf *c,
               struct store_state *s, int64_t now, int64_t *bytes,
               int64_t *items, struct vigil_err *err)
{
    struct vigil_walk_opts o = {.regular_only = 1,
                                .max_entries = (size_t)1 << 30};
    struct walk_ctx w = {.l = l};
    struct stat root;
    enum vigil_rc rc = VIGIL_OK;
    int64_t nremoved = 0;

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
        memset(s->bucket_n, 0, sizeof(s->bucket_n));
        return vigil_err_set(err, VIGIL_ECONFLICT,
                             "%s is now on another file system, mounted "
                             "or unmounted: its history starts again",
                             c->target);
    } else {
        s->dev = (uint64_t)root.st_dev;
        s->gone = 0;
    }
    if (vigil_hmap_new(&w.map, LISTING_MAX, free, err) != VIGIL_OK ||
        vigil_hmap_new(&w.ids, LISTING_MAX, NULL, err) != VIGIL_OK) {
        vigil_hmap_free(w.map);
        w.map = w.ids = NULL;
    }
    if (!s->gone)
        rc = vigil_walk(c->target, &o, walk_fn, NULL, &w, err);
    if (rc != VIGIL_OK) {
        vigil_hmap_free(w.map);
        vigil_hmap_free(w.ids);
        return rc;
    }
    if (s->listing != NULL && w.map != NULL) {
        size_t pos = 0, klen;
        const void *k;
        void *v;
        char path[4096];
        while (vigil_hmap_next(s->listing, &pos, &k, &klen, &v)) {
            const struct item *it = v;
            struct ident id = {it->ino, it->mtime_ns};
            if (vigil_hmap_get(w.map, k, klen) != NULL ||
                vigil_hmap_get(w.ids, &id, sizeof(id)) != NULL ||
                klen >= sizeof(path))
                continue;
            memcpy(path, k, klen);
            path[klen] = '\0';
            nremoved++;
            note_removed(s, path, it->size, now);
        }
    }
    if (nremoved > 0)
        removed_add(c, s, now, nremoved);
    vigil_hmap_free(w.ids);
    vigil_hmap_free(s->listing);
    s->listing = w.map;
    *bytes = w.bytes;
    *items = w.items;
    return VIGIL_OK;
}

/* ---- history and alerts ---- */

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

static int
by_size_desc(const void *a, const void *b)
{
    const struct removed *x = a, *y = b;

    if (x->path == NULL || y->path == NULL)
        return (x->path == NULL) - (y->path == NULL);
    return x->size < y->size ? 1 : x->size > y->size ? -1 : 0;
}

/* What one measurement found, against the period's largest values. */
struct loss {
    int64_t bytes, items, removed;
    struct maxes mx;
    int64_t pm;        /* the largest of the shares lost, permille */
    double pb, pi, pr; /* shares of size, count and files removed, % */
    int wave;          /* a further wave after an alert within the period */
    int64_t prev_pm;   /* ... the share at that alert */
};

static void
alert(struct fim_loss *l, size_t i, int64_t now, const struct loss *x,
      const struct vigil_fim_sink *sink)
{
    const struct vigil_fim_store_conf *c = &l->cfg->stores[i];
    struct store_state *s = &l->st[i];
    struct vigil_buf b;
    char title[512], wave[96] = "";
    int padded = x->pr > x->pb && x->pr > x->pi; /* files gone, not bytes */

    /* largest first */
    qsort(s->top, TOP_REMOVED, sizeof(s->top[0]), by_size_desc);
    vigil_buf_init(&b, 1 << 16);
    vigil_buf_printf(&b, "{\"store\":");
    vigil_buf_json_str(&b, c->name, strlen(c->name));
    vigil_buf_printf(&b, ",\"gone\":%s,\"wave\":%s", s->gone ? "true" : "false",
                     x->wave ? "true" : "false");
    if (x->wave)
        vigil_buf_printf(&b, ",\"previous_lost_pct\":%.1f",
                         (double)x->prev_pm / 10.0);
    vigil_buf_printf(&b,
                     ",\"bytes\":%lld,\"items\":%lld,\"max_bytes\":%lld,"
                     "\"max_items\":%lld,\"bytes_lost_pct\":%.1f,"
                     "\"items_lost_pct\":%.1f,\"removed_pct\":%.1f,"
                     "\"within_s\":%lld,\"removed_count\":%lld,"
                     "\"largest_removed\":[",
                     (long long)x->bytes, (long long)x->items,
                     (long long)x->mx.bytes, (long long)x->mx.items, x->pb,
                     x->pi, x->pr, (long long)c->within_s,
                     (long long)x->removed);
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
    if (x->wave)
        snprintf(wave, sizeof(wave),
                 "; another wave (%.0f%% lost at the "
                 "previous alert)",
                 (double)x->prev_pm / 10.0);
    if (s->gone)
        snprintf(title, sizeof(title),
                 "Data loss: store %s is gone: its folder %.200s was removed "
                 "(%lld files)",
                 c->name, c->target, (long long)x->removed);
    else if (c->kind == VIGIL_FIM_STORE_FOLDER && padded)
        snprintf(title, sizeof(title),
                 "Data loss: store %s: %lld of its files (%.0f%%) removed "
                 "within %llds, while its size and count fell %.0f%%%s",
                 c->name, (long long)x->removed, x->pr, (long long)c->within_s,
                 x->pb > x->pi ? x->pb : x->pi, wave);
    else if (c->kind == VIGIL_FIM_STORE_FOLDER)
        snprintf(title, sizeof(title),
                 "Data loss: store %s lost %.0f%% of its %s within %llds "
                 "(%lld files removed)%s",
                 c->name, x->pb > x->pi ? x->pb : x->pi,
                 x->pb > x->pi ? "size" : "items", (long long)c->within_s,
                 (long long)x->removed, wave);
    else
        snprintf(title, sizeof(title),
                 "Data loss: store %s lost %.0f%% of its items within %llds "
                 "(%lld of %lld rows gone)%s",
                 c->name, x->pi, (long long)c->within_s,
                 (long long)(x->mx.items - x->items), (long long)x->mx.items,
                 wave);
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
    pthread_mutex_lock(&l->mu);
    l->stats[i].alerts++;
    pthread_mutex_unlock(&l->mu);
}

/* Old rows go: those older than what `within` needs (twice it, at least
 * a day, for `vigil` queries and a look back), and past the row cap
 * (checked every CAP_EVERY rows: the check walks the cap's rows). */
static void
prune(struct fim_loss *l, size_t i, int64_t now)
{
    const struct vigil_fim_store_conf *c = &l->cfg->stores[i];
    struct store_state *s = &l->st[i];
    int64_t keep = 2 * c->within_s;
    struct vigil_store_value v[3];
    struct vigil_err err = {0};
    enum vigil_rc rc;

    if (keep < FIM_LOSS_KEEP_MIN_S)
        keep = FIM_LOSS_KEEP_MIN_S;
    v[0] = vigil_sv_text(c->name);
    v[1] = vigil_sv_int(now - keep * VIGIL_NS_PER_SEC);
    rc = vigil_store_exec(l->store,
                          "DELETE FROM fim_store_history WHERE store = ? "
                          "AND at_ns < ?",
                          v, 2, NULL, &err);
    if (rc == VIGIL_OK && s->inserted++ % CAP_EVERY == 0) {
        v[1] = vigil_sv_text(c->name);
        v[2] = vigil_sv_int(FIM_LOSS_ROWS_MAX - 1);
        rc = vigil_store_exec(
            l->store,
            "DELETE FROM fim_store_history WHERE store = ? AND at_ns < "
            "(SELECT at_ns FROM fim_store_history WHERE store = ? "
            "ORDER BY at_ns DESC LIMIT 1 OFFSET ?)",
            v, 3, NULL, &err);
    }
    if (rc != VIGIL_OK)
        vigil_log(VIGIL_LOG_WARN, FIM_LOG_STORE,
                  "fim: store %s: cannot prune its history: %s", c->name,
                  err.msg);
}

static void
measure(struct fim_loss *l, size_t i, int64_t now,
        const struct vigil_fim_sink *sink)
{
    const struct vigil_fim_store_conf *c = &l->cfg->stores[i];
    struct store_state *s = &l->st[i];
    struct vigil_err err = {0};
    struct vigil_store_value v[4];
    struct loss x = {0};
    enum vigil_rc rc;

    /* the largest removed are those of the period */
    for (int k = 0; k < TOP_REMOVED; k++)
        if (s->top[k].path != NULL &&
            now - s->top[k].at > c->within_s * VIGIL_NS_PER_SEC) {
            free(s->top[k].path);
            s->top[k].path = NULL;
        }
    if (c->kind == VIGIL_FIM_STORE_FOLDER)
        rc = measure_folder(l, c, s, now, &x.bytes, &x.items, &err);
    else if (c->kind == VIGIL_FIM_STORE_POSTGRES)
        rc = vigil_store_foreign_count(c->target, c->query, &x.items, &err);
    else
        rc = vigil_store_foreign_sqlite_count(c->target, c->query, &x.items,
                                              &err);
    if (atomic_load(&l->quit))
        return; /* stopping: a walk cut short measured nothing */
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
        pthread_mutex_lock(&l->mu);
        l->stats[i].failed++;
        pthread_mutex_unlock(&l->mu);
        return;
    }
    s->last_err[0] = '\0';
    v[0] = vigil_sv_text(c->name);
    v[1] = vigil_sv_int(now - c->within_s * VIGIL_NS_PER_SEC);
    rc = vigil_store_query(l->store,
                           "SELECT max(bytes), max(items) FROM "
                           "fim_store_history WHERE store = ? AND at_ns >= ?",
                           v, 2, row_max, &x.mx, &err);
    v[1] = vigil_sv_int(now);
    v[2] = vigil_sv_int(x.bytes);
    v[3] = vigil_sv_int(x.items);
    if (rc == VIGIL_OK)
        rc = vigil_store_exec(l->store,
                              "INSERT INTO fim_store_history (store, at_ns, "
                              "bytes, items) VALUES (?, ?, ?, ?)",
                              v, 4, NULL, &err);
    if (rc != VIGIL_OK) {
        vigil_log(VIGIL_LOG_WARN, FIM_LOG_STORE, "fim: store %s: %s", c->name,
                  err.msg);
        pthread_mutex_lock(&l->mu);
        l->stats[i].failed++;
        pthread_mutex_unlock(&l->mu);
        return;
    }
    prune(l, i, now);
    pthread_mutex_lock(&l->mu);
    l->stats[i].measured++;
    l->stats[i].last_at = now;
    l->stats[i].bytes = x.bytes;
    l->stats[i].items = x.items;
    pthread_mutex_unlock(&l->mu);

    x.removed = removed_sum(c, s, now);
    int64_t pmb =
        x.mx.bytes > 0 ? (x.mx.bytes - x.bytes) * 1000 / x.mx.bytes : 0;
    int64_t pmi =
        x.mx.items > 0 ? (x.mx.items - x.items) * 1000 / x.mx.items : 0;
    int64_t pmr = x.mx.items > 0 ? x.removed * 1000 / x.mx.items : 0;
    if (pmr > 1000)
        pmr = 1000;
    x.pm = pmb > pmi ? pmb : pmi;
    x.pm = pmr > x.pm ? pmr : x.pm;
    x.pb = x.mx.bytes > 0
               ? 100.0 * (double)(x.mx.bytes - x.bytes) / (double)x.mx.bytes
               : 0;
    x.pi = x.mx.items > 0
               ? 100.0 * (double)(x.mx.items - x.items) / (double)x.mx.items
               : 0;
    x.pr = (double)pmr / 10.0;
    int dropped =
        (x.mx.bytes > 0 &&
         (x.mx.bytes - x.bytes) * 1000 > c->drop_permille * x.mx.bytes) ||
        (x.mx.items > 0 &&
         (x.mx.items - x.items) * 1000 > c->drop_permille * x.mx.items) ||
        (x.mx.items > 0 && x.removed * 1000 > c->drop_permille * x.mx.items);
    int in_period = s->alerted_at != 0 &&
                    now - s->alerted_at <= c->within_s * VIGIL_NS_PER_SEC;
    x.wave = in_period && x.pm - s->alerted_pm > c->drop_permille;
    x.prev_pm = s->alerted_pm;
    /* once per period; again when the folder then goes whole, or when a
     * further wave takes more than the share again */
    if (dropped && (!in_period || x.wave || (s->gone && !s->gone_alerted))) {
        s->alerted_at = now;
        s->alerted_pm = x.pm;
        s->gone_alerted = s->gone;
        alert(l, i, now, &x, sink);
    }
}

int64_t
fim_loss_run_due(struct fim_loss *l, const struct vigil_fim_sink *sink,
                 int64_t now)
{
    int64_t next = now + IDLE_NS;

    for (size_t i = 0; i < l->cfg->nstores; i++) {
        struct store_state *s = &l->st[i];
        if (atomic_load(&l->quit))
            break;
        if (now >= s->next_at) {
            s->next_at = now + l->cfg->stores[i].interval_s * VIGIL_NS_PER_SEC;
            measure(l, i, now, sink);
        }
        if (s->next_at < next)
            next = s->next_at;
    }
    return next;
}

static void *
loss_main(void *arg)
{
    struct fim_loss *l = arg;

    pthread_mutex_lock(&l->mu);
    while (!l->stop) {
        pthread_mutex_unlock(&l->mu);
        int64_t next = fim_loss_run_due(l, &l->sink, vigil_time_now());
        int64_t wait = next - vigil_time_now();
        struct timespec ts;
        if (wait < VIGIL_NS_PER_SEC / 1000)
            wait = VIGIL_NS_PER_SEC / 1000;
        if (wait > IDLE_NS)
            wait = IDLE_NS;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += (time_t)(wait / VIGIL_NS_PER_SEC);
        ts.tv_nsec += (long)(wait % VIGIL_NS_PER_SEC);
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&l->mu);
        if (!l->stop)
            (void)pthread_cond_timedwait(&l->cv, &l->mu, &ts);
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

void
fim_loss_tick(struct fim_loss *l, const struct vigil_fim_sink *sink)
{
    int stop;

    if (l->cfg->nstores == 0)
        return;
    pthread_mutex_lock(&l->mu);
    stop = l->stop;
    pthread_mutex_unlock(&l->mu);
    if (stop)
        return;
    if (!l->started) {
        l->started = 1;
        l->sink = *sink;
        if (pthread_create(&l->th, NULL, loss_main, l) == 0)
            l->running = 1;
        else
            vigil_log(VIGIL_LOG_WARN, FIM_LOG_STORE,
                      "fim: cannot start the stores' thread: they are "
                      "measured on the daemon's tick");
    }
    if (!l->running)
        (void)fim_loss_run_due(l, sink, vigil_time_now());
}
