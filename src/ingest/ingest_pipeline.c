/* ingest_pipeline.c -- the machinery every source shares: one thread per
 * configured source runs its type's loop (the table below), and whatever
 * the type hands over -- a line or an event it built -- is decoded,
 * passed to the detection hook, batched and submitted to the store with
 * the source's checkpoints and counters; after a failed commit the source
 * reads again from what was committed (see ingest.h for the contract,
 * ingest_int.h for what a source type provides and may call).
 *
 * A source thread owns its batch, arena, event and local counters, so the
 * hot path takes no lock. The store's writer thread reports each batch
 * through src_done, which records the committed checkpoints and counters
 * (used to read again after a failed commit) under the source's mutex.
 *
 * Batches of a source that can be re-read commit in order or not at all:
 * each carries the source's generation, and once one fails, the store
 * refuses the later ones of that generation (src_guard) and the source
 * submits nothing more until it has recovered, so a stored checkpoint
 * never moves past lines that were not stored. Recovery starts a new
 * generation and puts the counters back to the committed ones, as the
 * lines after them are read (and counted) again. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest.h"
#include "ingest_int.h"
#include "parse/parse.h"

#define SRC_ARENA_CHUNK (256 * 1024)
#define SRC_ARENA_MAX   (256 * 1024 * 1024)
#define SRC_ARENA_FLUSH (16 * 1024 * 1024) /* close a batch past this */
#define SRC_RECOVER_MS  1000               /* pause after a failed commit */
#define SRC_AUTO_MAX    INGEST_MAX_FILES   /* files with a decoder state */

/* The source types, by configuration name. A new type is one file with
 * its ops and one line here. */
static const struct ingest_source_ops *const builtin_types[] = {
    &ingest_src_file_ops,
    &ingest_src_syslog_ops,
    &ingest_src_journal_ops,
    &ingest_src_stdin_ops,
    NULL,
};

/* The format auto-detection of one file (checkpoint key) of a source. */
struct src_auto {
    char *key; /* owned */
    struct vigil_decoder_auto a;
    /* A Zeek TSV log's header (owned; made at its "#separator" line):
     * its lines are read with it, not one by one. */
    struct vigil_zeek_tsv *tsv;
};

struct ingest_src {
    struct vigil_ingest *ing;
    const struct vigil_source_config *sc;
    const struct ingest_source_ops *ops;
    void *state;     /* the type's, owned: freed by ops->close */
    void *inherited; /* from the source this one replaces, until open */
    uint32_t id;
    pthread_t th;
    int started;
    atomic_int done;

    /* The configured decoder; NULL: decided line by line, per file for
     * lines with a checkpoint (autos, by key), else for the source. */
    const struct vigil_decoder *dec;
    const struct vigil_decoder *zeek; /* whose TSV logs read per file */
    struct vigil_decoder_auto autod;
    struct src_auto *autos;
    size_t nautos, capautos, lastauto, nextauto;
    struct vigil_parse_opts popts;

    /* The open batch; only this source's thread touches these. */
    struct vigil_store_batch *batch;
    size_t blines;
    int64_t bstart_ms;
    int dirty; /* counters changed since the last batch */
    struct vigil_arena arena;
    struct vigil_event ev;
    struct vigil_checkpoint *bcps; /* checkpoints of the open batch */
    size_t nbcps, capbcps;
    struct vigil_source_counters lc; /* this thread's running counters */
    int64_t now_ns;                  /* stamp for events without time */
    const struct ingest_peer *peer;  /* sender of the next lines, or NULL */

    /* Shared with the writer thread and the stats logger. */
    pthread_mutex_t mu;
    struct vigil_source_counters c; /* as of the last submitted batch */
    struct vigil_checkpoint *committed;
    size_t ncommitted, capcommitted;
    struct vigil_source_counters cc; /* as of the last committed batch */
    atomic_int store_failed;
    /* Generations: the source thread's (batches carry it), and the one
     * whose batch failed, plus 1 (0: none). */
    uint32_t gen;
    atomic_uint bad_gen;
    atomic_ullong lost; /* records of failed batches that cannot be re-read */
    int store_lookup;   /* may ask the store for checkpoints (open only) */
};

struct vigil_ingest {
    const struct vigil_ingest_config *cfg;
    struct vigil_store *store;
    const struct vigil_detector *det;
    int once;
    atomic_int stop;
    pthread_mutex_t det_mu;
    pthread_mutex_t submit_mu;
    struct ingest_src *srcs;
    size_t nsrcs;
    int started;
};

struct ticket {
    struct ingest_src *s;
    uint32_t gen;
    size_t nrecords;
    struct vigil_source_counters c; /* the counters the batch stores */
    size_t ncps;
    struct vigil_checkpoint cps[];
};

int64_t
ingest_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
ingest_sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ------------------------------------------------------------------ */
/* Committed checkpoints                                                */
/* ------------------------------------------------------------------ */

static struct vigil_checkpoint *
cp_find(struct vigil_checkpoint *v, size_t n, const char *key)
{
    for (size_t i = n; i-- > 0;)
        if (strcmp(v[i].key, key) == 0)
            return &v[i];
    return NULL;
}

/* Sets key's entry in a growable array; returns 0 when out of memory. */
static int
cp_put(struct vigil_checkpoint **v, size_t *n, size_t *cap,
       const struct vigil_checkpoint *cp)
{
    struct vigil_checkpoint *e = cp_find(*v, *n, cp->key);

    if (e == NULL) {
        if (*n == *cap) {
            size_t nc = *cap ? *cap * 2 : 8;
            struct vigil_checkpoint *nv = realloc(*v, nc * sizeof(**v));
            if (nv == NULL)
                return 0;
            *v = nv;
            *cap = nc;
        }
        e = &(*v)[(*n)++];
    }
    *e = *cp;
    return 1;
}

static void
src_done(enum vigil_rc rc, const char *msg, void *arg)
{
    struct ticket *t = arg;
    struct ingest_src *s = t->s;

    if (rc == VIGIL_OK) {
        pthread_mutex_lock(&s->mu);
        for (size_t i = 0; i < t->ncps; i++)
            if (!cp_put(&s->committed, &s->ncommitted, &s->capcommitted,
                        &t->cps[i]))
                atomic_store(&s->store_failed, 1);
        s->cc = t->c;
        pthread_mutex_unlock(&s->mu);
    } else if (s->ops->rewind == NULL) {
        vigil_log(VIGIL_LOG_ERROR, 1111,
                  "source %s: the store refused a batch (%s); its %zu "
                  "records are lost and counted as dropped",
                  s->sc->name, msg ? msg : vigil_strerror(rc), t->nrecords);
        atomic_fetch_add(&s->lost, (unsigned long long)t->nrecords);
        atomic_store(&s->store_failed, 1);
    } else {
        /* Only the first failure of a generation is news: the batches
         * queued after it are refused by src_guard. */
        if (atomic_exchange(&s->bad_gen, t->gen + 1) != t->gen + 1)
            vigil_log(VIGIL_LOG_ERROR, 1111,
                      "source %s: the store refused a batch (%s); reading "
                      "again from the last committed position",
                      s->sc->name, msg ? msg : vigil_strerror(rc));
        atomic_store(&s->store_failed, 1);
    }
    free(t);
}

/* The store's guard of a batch of a source that can be re-read: refused
 * once an earlier batch of its generation failed. */
static int
src_guard(void *arg)
{
    struct ticket *t = arg;

    return atomic_load(&t->s->bad_gen) != t->gen + 1;
}

/* ingest_ckpt_get_fn over the committed table, then (at start) the
 * store. */
enum vigil_rc
ingest_src_ckpt_get(void *arg, const char *key, struct vigil_checkpoint *cp)
{
    struct ingest_src *s = arg;
    struct vigil_checkpoint *e;
    struct vigil_err err = {0};
    enum vigil_rc rc = VIGIL_ENOTFOUND;

    pthread_mutex_lock(&s->mu);
    if ((e = cp_find(s->committed, s->ncommitted, key)) != NULL) {
        *cp = *e;
        rc = VIGIL_OK;
    }
    pthread_mutex_unlock(&s->mu);
    if (rc == VIGIL_OK || !s->store_lookup || s->ing->store == NULL)
        return rc;
    rc = vigil_store_checkpoint_get(s->ing->store, key, cp, &err);
    if (rc == VIGIL_OK) {
        pthread_mutex_lock(&s->mu);
        cp_put(&s->committed, &s->ncommitted, &s->capcommitted, cp);
        pthread_mutex_unlock(&s->mu);
    } else if (rc != VIGIL_ENOTFOUND) {
        vigil_log(VIGIL_LOG_WARN, 1112,
                  "source %s: cannot read the checkpoint of %s: %s",
                  s->sc->name, key, err.msg);
        rc = VIGIL_ENOTFOUND;
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Batches                                                              */
/* ------------------------------------------------------------------ */

static enum vigil_rc
src_new_batch(struct ingest_src *s, int reset_arena, struct vigil_err *err)
{
    if ((s->batch = s->ing->store ? vigil_store_batch_new_for(s->ing->store)
                                  : vigil_store_batch_new()) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    s->blines = 0;
    s->nbcps = 0;
    s->bstart_ms = ingest_mono_ms();
    s->now_ns = vigil_time_now();
    if (reset_arena)
        vigil_arena_reset(&s->arena);
    return VIGIL_OK;
}

static void
src_publish_counters(struct ingest_src *s)
{
    pthread_mutex_lock(&s->mu);
    s->c = s->lc;
    pthread_mutex_unlock(&s->mu);
}

/* Submits the open batch (if it holds anything) and opens a new one.
 * keep_arena: an event built in the arena is still to be added. */
static enum vigil_rc
src_flush2(struct ingest_src *s, int keep_arena, struct vigil_err *err)
{
    struct vigil_ingest *ing = s->ing;
    struct ticket *t;
    enum vigil_rc rc = VIGIL_OK;

    if (s->blines == 0 && s->nbcps == 0 && !s->dirty)
        return VIGIL_OK;
    if (s->ops->rewind != NULL && atomic_load(&s->store_failed)) {
        /* Nothing more until recovery: it reads these lines again. */
        vigil_store_batch_free(s->batch);
        s->batch = NULL;
        return src_new_batch(s, !keep_arena, err);
    }
    for (size_t i = 0; i < s->nbcps && rc == VIGIL_OK; i++) {
        s->bcps[i].updated_ns = s->now_ns;
        rc = vigil_store_batch_set_checkpoint(s->batch, &s->bcps[i]);
    }
    if (rc == VIGIL_OK)
        rc = vigil_store_batch_set_counters(s->batch, &s->lc, 1);
    t = malloc(sizeof(*t) + s->nbcps * sizeof(t->cps[0]));
    if (rc != VIGIL_OK || t == NULL) {
        free(t);
        vigil_store_batch_free(s->batch);
        s->batch = NULL;
        atomic_store(&s->store_failed, 1);
        src_new_batch(s, !keep_arena, err);
        return vigil_err_set(err, rc != VIGIL_OK ? rc : VIGIL_ENOMEM,
                             "source %s: cannot build a batch", s->sc->name);
    }
    t->s = s;
    t->gen = s->gen;
    t->nrecords = s->blines;
    t->c = s->lc;
    t->ncps = s->nbcps;
    if (s->nbcps)
        memcpy(t->cps, s->bcps, s->nbcps * sizeof(t->cps[0]));
    src_publish_counters(s);
    s->dirty = 0;
    if (s->ops->rewind != NULL)
        vigil_store_batch_set_guard(s->batch, src_guard, t);
    pthread_mutex_lock(&ing->submit_mu);
    rc = vigil_store_submit(ing->store, s->batch, src_done, t, err);
    pthread_mutex_unlock(&ing->submit_mu);
    s->batch = NULL;
    if (rc != VIGIL_OK) {
        /* The store did not queue it, so src_done will not run. */
        free(t);
        atomic_store(&s->store_failed, 1);
    }
    enum vigil_rc rc2 = src_new_batch(s, !keep_arena, err);
    return rc != VIGIL_OK ? rc : rc2;
}

enum vigil_rc
ingest_src_flush(struct ingest_src *s, struct vigil_err *err)
{
    return src_flush2(s, 0, err);
}

static void
src_note_cp(struct ingest_src *s, const struct vigil_checkpoint *cp)
{
    struct vigil_checkpoint *e;

    if (s->nbcps > 0 && strcmp(s->bcps[s->nbcps - 1].key, cp->key) == 0)
        e = &s->bcps[s->nbcps - 1];
    else
        e = cp_find(s->bcps, s->nbcps, cp->key);
    if (e != NULL) {
        e->dev = cp->dev;
        e->inode = cp->inode;
        e->offset = cp->offset;
        e->fingerprint = cp->fingerprint;
        return;
    }
    if (!cp_put(&s->bcps, &s->nbcps, &s->capbcps, cp))
        atomic_store(&s->store_failed, 1); /* read again rather than lose */
}

/* ------------------------------------------------------------------ */
/* Records                                                              */
/* ------------------------------------------------------------------ */

/* Opens the batch if needed. Without one the record cannot be kept:
 * counted as in and dropped. */
static enum vigil_rc
src_need_batch(struct ingest_src *s)
{
    if (s->batch != NULL)
        return VIGIL_OK;
    /* Off the hot path: zeroing an error costs more than a record. */
    struct vigil_err err = {0};
    if (src_new_batch(s, 1, &err) == VIGIL_OK)
        return VIGIL_OK;
    s->lc.events_in++;
    s->lc.dropped++;
    return VIGIL_ENOMEM;
}

/* A decoded event (counted as decoded): the detection hook, then the
 * batch. Non-OK: it is not stored and the source must read it again. */
static enum vigil_rc
src_add(struct ingest_src *s, struct vigil_event *ev)
{
    struct vigil_ingest *ing = s->ing;
    enum vigil_rc rc;

    if (ev->time_ns == 0)
        ev->time_ns = s->now_ns;
    if (ing->det != NULL && ing->det->on_event != NULL) {
        size_t before = vigil_store_batch_alerts(s->batch);
        if (ing->det->serialize)
            pthread_mutex_lock(&ing->det_mu);
        rc = ing->det->on_event(ing->det->ctx, ev, s->sc->name, s->batch);
        if (ing->det->serialize)
            pthread_mutex_unlock(&ing->det_mu);
        if (rc != VIGIL_OK)
            vigil_log(VIGIL_LOG_WARN, 1113,
                      "source %s: detection failed on an event: %s",
                      s->sc->name, vigil_strerror(rc));
        s->lc.alerts += vigil_store_batch_alerts(s->batch) - before;
    }
    rc = vigil_store_batch_add_event(s->batch, ev, s->sc->name);
    if (rc == VIGIL_ELIMIT && s->blines > 0) {
        /* The batch is full of long events: store it, retry. The event
         * may live in the arena, which the new batch keeps. */
        struct vigil_err err = {0};
        src_flush2(s, 1, &err);
        if (s->batch != NULL)
            rc = vigil_store_batch_add_event(s->batch, ev, s->sc->name);
    }
    if (rc == VIGIL_ELIMIT) {
        /* Too big to archive even alone: counted, not stored. */
        s->lc.decoded--;
        s->lc.failed++;
        rc = VIGIL_OK;
    }
    if (rc != VIGIL_OK)
        atomic_store(&s->store_failed, 1); /* read again, not lose */
    return rc;
}

/* The record is in the batch: note where the source stands, and close
 * the batch when it is full. */
static enum vigil_rc
src_added(struct ingest_src *s, const struct vigil_checkpoint *cp)
{
    if (cp != NULL)
        src_note_cp(s, cp);
    s->blines++;
    if (s->blines >= (size_t)s->ing->cfg->batch_lines ||
        s->arena.used_total > SRC_ARENA_FLUSH) {
        struct vigil_err err = {0};
        return ingest_src_flush(s, &err);
    }
    return VIGIL_OK;
}

/* The sender's address and port, after the decoder's fields. The text
 * is copied to the batch arena: the peer changes with the next sender,
 * the event lives as long as the batch. */
static void
src_add_peer(struct ingest_src *s, struct vigil_event *ev)
{
    const struct ingest_peer *p = s->peer;
    char *text = vigil_arena_alloc(&s->arena, p->text_len + p->port_len);
    struct vigil_field *f;

    if (text == NULL)
        return;
    memcpy(text, p->text, p->text_len);
    memcpy(text + p->text_len, p->port_text, p->port_len);
    f = vigil_event_push(ev, "log.source.address", 18, text, p->text_len,
                         VIGIL_F_IP);
    if (f != NULL)
        memcpy(f->v.ip, p->ip, sizeof(f->v.ip));
    f = vigil_event_push(ev, "log.source.port", 15, text + p->text_len,
                         p->port_len, VIGIL_F_INT);
    if (f != NULL)
        f->v.i = p->port;
}

/* The auto-detection state of the file cp belongs to (cp NULL: the
 * source's). Files beyond SRC_AUTO_MAX take over the oldest entry, and
 * without memory all share the source's: the state only saves probes,
 * each line is decoded right whatever it holds. */
static struct vigil_decoder_auto *
src_auto_for(struct ingest_src *s, const struct vigil_checkpoint *cp)
{
    struct src_auto *e;
    char *key;

    if (cp == NULL)
        return &s->autod;
    if (s->nautos > 0 && strcmp(s->autos[s->lastauto].key, cp->key) == 0)
        return &s->autos[s->lastauto].a;
    for (size_t i = 0; i < s->nautos; i++)
        if (strcmp(s->autos[i].key, cp->key) == 0) {
            s->lastauto = i;
            return &s->autos[i].a;
        }
    if ((key = strdup(cp->key)) == NULL)
        return &s->autod;
    if (s->nautos < SRC_AUTO_MAX &&
        VIGIL_GROW(s->autos, s->nautos, s->capautos) == VIGIL_OK) {
        s->lastauto = s->nautos++;
    } else if (s->nautos > 0) {
        s->lastauto = s->nextauto++ % s->nautos;
        free(s->autos[s->lastauto].key);
        free(s->autos[s->lastauto].tsv);
    } else {
        free(key);
        return &s->autod;
    }
    e = &s->autos[s->lastauto];
    e->key = key;
    e->tsv = NULL;
    memset(&e->a, 0, sizeof(e->a));
    return &e->a;
}

/* The Zeek TSV state of the file cp names, made (or begun again) at a
 * "#separator" line; NULL when the file is not a Zeek TSV log or the
 * source's format cannot be Zeek. */
static struct vigil_zeek_tsv *
src_tsv(struct ingest_src *s, const char *line, size_t len,
        const struct vigil_checkpoint *cp)
{
    struct src_auto *e;
    int start;

    if (cp == NULL || (s->dec != NULL && s->dec != s->zeek))
        return NULL;
    start = line[0] == '#' && vigil_zeek_tsv_probe(line, len);
    if (!start && s->nautos == 0)
        return NULL; /* the common case: no file of it was TSV */
    if (src_auto_for(s, cp) == &s->autod)
        return NULL;
    e = &s->autos[s->lastauto];
    if (start) {
        if (e->tsv == NULL && (e->tsv = malloc(sizeof(*e->tsv))) == NULL)
            return NULL;
        vigil_zeek_tsv_init(e->tsv);
    }
    return e->tsv;
}

/* ingest_src_line; static so that the tailer's and the framer's
 * callbacks reach it without another call. */
static enum vigil_rc
src_line(struct ingest_src *s, const char *line, size_t len,
         const struct vigil_checkpoint *cp)
{
    struct vigil_zeek_tsv *tsv;
    enum vigil_rc rc;

    if (line != NULL && (len == 0 || (len == 1 && line[0] == '\r'))) {
        /* An empty line is no record; only the position moves. */
        if (cp != NULL)
            src_note_cp(s, cp);
        return VIGIL_OK;
    }
    tsv = line != NULL ? src_tsv(s, line, len, cp) : NULL;
    if (tsv != NULL && line[0] == '#') {
        /* a header line: it sets how the lines after it read */
        vigil_event_init(&s->ev, &s->arena);
        (void)vigil_zeek_tsv_line(tsv, &s->ev, line, len, &s->popts);
        src_note_cp(s, cp);
        return VIGIL_OK;
    }
    if ((rc = src_need_batch(s)) != VIGIL_OK)
        return rc;
    s->lc.events_in++;
    if (line == NULL) {
        s->lc.failed++;
    } else {
        vigil_event_init(&s->ev, &s->arena);
        s->ev.source_id = s->id;
        s->ev.offset = cp ? cp->offset : 0;
        if (tsv != NULL ? vigil_zeek_tsv_line(tsv, &s->ev, line, len,
                                              &s->popts) != VIGIL_OK
            : s->dec != NULL
                ? vigil_decode_line(s->dec, &s->ev, line, len, &s->popts) !=
                      VIGIL_OK
                : vigil_decode_auto(src_auto_for(s, cp), &s->ev, line, len,
                                    &s->popts) != VIGIL_OK) {
            s->lc.failed++;
        } else {
            if (s->peer != NULL)
                src_add_peer(s, &s->ev);
            s->lc.decoded++;
            if ((rc = src_add(s, &s->ev)) != VIGIL_OK)
                return rc;
        }
    }
    return src_added(s, cp);
}

enum vigil_rc
ingest_src_line(struct ingest_src *s, const char *line, size_t len,
                const struct vigil_checkpoint *cp)
{
    return src_line(s, line, len, cp);
}

enum vigil_rc
ingest_src_event(struct ingest_src *s, struct vigil_event *ev,
                 const struct vigil_checkpoint *cp)
{
    enum vigil_rc rc;

    if ((rc = src_need_batch(s)) != VIGIL_OK)
        return rc;
    s->lc.events_in++;
    s->lc.decoded++;
    ev->source_id = s->id;
    if ((rc = src_add(s, ev)) != VIGIL_OK)
        return rc;
    return src_added(s, cp);
}

static enum vigil_rc
sink_line(void *arg, const char *line, size_t len,
          const struct vigil_checkpoint *cp)
{
    return src_line(arg, line, len, cp);
}

static enum vigil_rc
sink_overlong(void *arg, const struct vigil_checkpoint *cp)
{
    return src_line(arg, NULL, 0, cp);
}

void
ingest_src_sink(struct ingest_src *s, struct ingest_sink *out)
{
    out->line = sink_line;
    out->overlong = sink_overlong;
    out->arg = s;
}

enum vigil_rc
ingest_src_message(void *arg, const char *msg, size_t len, int oversize)
{
    return src_line(arg, oversize ? NULL : msg, len, NULL);
}

void *
ingest_src_inherited(struct ingest_src *s)
{
    void *h = s->inherited;

    s->inherited = NULL;
    return h;
}

void
ingest_src_set_peer(struct ingest_src *s, const struct ingest_peer *p)
{
    s->peer = p;
}

void
ingest_src_add_dropped(struct ingest_src *s, uint64_t n)
{
    s->lc.dropped += n;
    s->dirty = 1;
}

void
ingest_src_add_truncated(struct ingest_src *s, uint64_t bytes)
{
    s->lc.truncated += bytes;
    s->dirty = 1;
}

void
ingest_src_add_unread(struct ingest_src *s, uint64_t bytes, uint64_t files)
{
    s->lc.unread += bytes;
    s->lc.unread_files += files;
    s->dirty = 1;
}

enum vigil_rc
ingest_src_flush_due(struct ingest_src *s, struct vigil_err *err)
{
    if (s->blines > 0 &&
        ingest_mono_ms() - s->bstart_ms >= s->ing->cfg->batch_ms)
        return ingest_src_flush(s, err);
    return VIGIL_OK;
}

/* ------------------------------------------------------------------ */
/* Failures, stop, the source's settings                                */
/* ------------------------------------------------------------------ */

int
ingest_src_failed(struct ingest_src *s)
{
    return atomic_load(&s->store_failed);
}

int
ingest_src_recover(struct ingest_src *s)
{
    struct vigil_err err = {0};

    if (!atomic_load(&s->store_failed))
        return 0;
    if (s->ops->rewind == NULL) {
        /* Cannot re-read: count what the store lost, and go on. */
        atomic_store(&s->store_failed, 0);
        uint64_t lost = atomic_exchange(&s->lost, 0);
        if (lost > 0)
            ingest_src_add_dropped(s, lost);
        return 0;
    }
    /* The batches still queued may fail too: wait for their verdict, so
     * the committed checkpoints are final before reading from them. */
    vigil_store_flush(s->ing->store, &err);
    vigil_store_batch_free(s->batch);
    s->batch = NULL;
    src_new_batch(s, 1, &err);
    /* What is read again is counted again: start from the committed
     * counters. A loss (truncation, rotated files unread) is not seen
     * again, so it stays. */
    pthread_mutex_lock(&s->mu);
    struct vigil_source_counters lost = s->lc;
    s->lc = s->cc;
    if (lost.truncated > s->lc.truncated)
        s->lc.truncated = lost.truncated;
    if (lost.unread > s->lc.unread)
        s->lc.unread = lost.unread;
    if (lost.unread_files > s->lc.unread_files)
        s->lc.unread_files = lost.unread_files;
    s->c = s->lc;
    pthread_mutex_unlock(&s->mu);
    s->dirty = 1;
    s->gen++;
    atomic_store(&s->store_failed, 0);
    s->ops->rewind(s, s->state);
    ingest_sleep_ms(SRC_RECOVER_MS);
    return 1;
}

const struct vigil_source_config *
ingest_src_config(const struct ingest_src *s)
{
    return s->sc;
}

const struct vigil_ingest_config *
ingest_src_settings(const struct ingest_src *s)
{
    return s->ing->cfg;
}

int
ingest_src_once(const struct ingest_src *s)
{
    return s->ing->once;
}

int
ingest_src_stopping(const struct ingest_src *s)
{
    return atomic_load(&s->ing->stop);
}

static void *
src_main(void *arg)
{
    struct ingest_src *s = arg;
    struct vigil_err err = {0};

    s->ops->run(s, s->state);
    if (s->batch != NULL)
        ingest_src_flush(s, &err);
    atomic_store(&s->done, 1);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Public API                                                           */
/* ------------------------------------------------------------------ */

static int
load_counters(const struct vigil_source_counters *c, int64_t updated_ns,
              void *arg)
{
    struct vigil_ingest *ing = arg;

    (void)updated_ns;
    for (size_t i = 0; i < ing->nsrcs; i++)
        if (strcmp(ing->srcs[i].sc->name, c->name) == 0) {
            ing->srcs[i].lc = *c;
            ing->srcs[i].c = *c;
            ing->srcs[i].cc = *c;
        }
    return 0;
}

/* The configuration's name of a source type, as the table lists it. */
static const char *
source_type_name(const struct vigil_source_config *sc)
{
    switch (sc->type) {
    case VIGIL_SOURCE_FILE:
        return "file";
    case VIGIL_SOURCE_SYSLOG:
        return "syslog";
    case VIGIL_SOURCE_JOURNALD:
        return "journald";
    case VIGIL_SOURCE_STDIN:
        return "stdin";
    }
    return "?";
}

static const struct ingest_source_ops *
source_type_find(const struct ingest_source_ops *const *table, const char *type)
{
    for (size_t i = 0; table[i] != NULL; i++)
        if (strcmp(table[i]->type, type) == 0)
            return table[i];
    return NULL;
}

enum vigil_rc
ingest_new_with(struct vigil_ingest **out,
                const struct vigil_ingest_config *cfg,
                struct vigil_store *store, const struct vigil_detector *det,
                int once, const struct ingest_source_ops *const *table,
                struct vigil_err *err)
{
    struct vigil_ingest *ing = calloc(1, sizeof(*ing));
    enum vigil_rc rc = VIGIL_OK;

    *out = NULL;
    if (ing == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    ing->cfg = cfg;
    ing->store = store;
    ing->det = det;
    ing->once = once;
    pthread_mutex_init(&ing->det_mu, NULL);
    pthread_mutex_init(&ing->submit_mu, NULL);
    ing->srcs = calloc(cfg->nsources ? cfg->nsources : 1, sizeof(*ing->srcs));
    if (ing->srcs == NULL) {
        free(ing);
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < cfg->nsources; i++) {
        struct ingest_src *s = &ing->srcs[i];
        const struct vigil_source_config *sc = &cfg->sources[i];
        const char *type = source_type_name(sc);

        s->ing = ing;
        s->sc = sc;
        s->id = (uint32_t)i;
        pthread_mutex_init(&s->mu, NULL);
        vigil_arena_init(&s->arena, SRC_ARENA_CHUNK, SRC_ARENA_MAX);
        snprintf(s->lc.name, sizeof(s->lc.name), "%s", sc->name);
        s->c = s->lc;
        s->cc = s->lc;
        s->popts.default_year = sc->year;
        s->popts.tz = sc->tz;
        ing->nsrcs++;
        if ((s->ops = source_type_find(table, type)) == NULL) {
            rc = vigil_err_set(err, VIGIL_EINVAL,
                               "source %s: unknown type '%s'", sc->name, type);
            break;
        }
        s->zeek = vigil_decoder_by_name("zeek");
        if (sc->format[0] != '\0')
            s->dec = vigil_decoder_by_name(sc->format);
        else if (s->ops->default_format != NULL)
            s->dec = vigil_decoder_by_name(s->ops->default_format);
        if (sc->format[0] != '\0' && s->dec == NULL) {
            rc = vigil_err_set(err, VIGIL_EINVAL,
                               "source %s: unknown format '%s'", sc->name,
                               sc->format);
            break;
        }
        if ((rc = src_new_batch(s, 1, err)) != VIGIL_OK)
            break;
    }
    if (rc == VIGIL_OK && store != NULL) {
        struct vigil_err cerr = {0};
        vigil_store_counters_each(store, load_counters, ing, &cerr);
    }
    if (rc != VIGIL_OK) {
        vigil_ingest_free(ing);
        return rc;
    }
    *out = ing;
    return VIGIL_OK;
}

enum vigil_rc
vigil_ingest_new(struct vigil_ingest **out,
                 const struct vigil_ingest_config *cfg,
                 struct vigil_store *store, const struct vigil_detector *det,
                 int once, struct vigil_err *err)
{
    return ingest_new_with(out, cfg, store, det, once, builtin_types, err);
}

enum vigil_rc
vigil_ingest_start(struct vigil_ingest *ing, struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_OK;

    /* Set-up that can fail, and every store lookup, happen here on the
     * caller's thread before any batch is submitted. After a reload the
     * counters are read again: the instance this one replaces went on
     * counting after this one was built, until its last batch. */
    if (ing->store != NULL) {
        struct vigil_err cerr = {0};
        vigil_store_counters_each(ing->store, load_counters, ing, &cerr);
    }
    for (size_t i = 0; i < ing->nsrcs && rc == VIGIL_OK; i++) {
        struct ingest_src *s = &ing->srcs[i];

        s->store_lookup = 1;
        rc = s->ops->open(s, &s->state, err);
        s->store_lookup = 0;
        if (rc == VIGIL_END) {
            atomic_store(&s->done, 1);
            rc = VIGIL_OK;
        }
    }
    for (size_t i = 0; i < ing->nsrcs && rc == VIGIL_OK; i++) {
        struct ingest_src *s = &ing->srcs[i];
        if (atomic_load(&s->done))
            continue;
        if (pthread_create(&s->th, NULL, src_main, s) != 0) {
            rc = vigil_err_set(err, VIGIL_EIO, "cannot start a thread");
            break;
        }
        s->started = 1;
    }
    ing->started = 1;
    if (rc != VIGIL_OK)
        vigil_ingest_stop(ing);
    return rc;
}

void
vigil_ingest_wait(struct vigil_ingest *ing)
{
    if (!ing->once)
        return;
    for (size_t i = 0; i < ing->nsrcs; i++)
        if (ing->srcs[i].started) {
            pthread_join(ing->srcs[i].th, NULL);
            ing->srcs[i].started = 0;
        }
}

int
vigil_ingest_done(struct vigil_ingest *ing)
{
    for (size_t i = 0; i < ing->nsrcs; i++)
        if (!atomic_load(&ing->srcs[i].done))
            return 0;
    return 1;
}

void
vigil_ingest_stop(struct vigil_ingest *ing)
{
    if (ing == NULL)
        return;
    atomic_store(&ing->stop, 1);
    for (size_t i = 0; i < ing->nsrcs; i++)
        if (ing->srcs[i].started) {
            pthread_join(ing->srcs[i].th, NULL);
            ing->srcs[i].started = 0;
        }
}

void
vigil_ingest_free(struct vigil_ingest *ing)
{
    if (ing == NULL)
        return;
    vigil_ingest_stop(ing);
    for (size_t i = 0; i < ing->nsrcs; i++) {
        struct ingest_src *s = &ing->srcs[i];
        if (s->ops != NULL && s->ops->close != NULL)
            s->ops->close(s->state);
        if (s->inherited != NULL)
            s->ops->release(s->inherited);
        vigil_store_batch_free(s->batch);
        vigil_arena_fini(&s->arena);
        for (size_t k = 0; k < s->nautos; k++) {
            free(s->autos[k].key);
            free(s->autos[k].tsv);
        }
        free(s->autos);
        free(s->bcps);
        free(s->committed);
        pthread_mutex_destroy(&s->mu);
    }
    pthread_mutex_destroy(&ing->det_mu);
    pthread_mutex_destroy(&ing->submit_mu);
    free(ing->srcs);
    free(ing);
}

size_t
vigil_ingest_adopt(struct vigil_ingest *fresh, struct vigil_ingest *old)
{
    size_t n = 0;

    for (size_t i = 0; i < fresh->nsrcs; i++) {
        struct ingest_src *f = &fresh->srcs[i];
        if (f->ops == NULL || f->ops->hand_over == NULL || f->inherited)
            continue;
        for (size_t j = 0; j < old->nsrcs; j++) {
            struct ingest_src *o = &old->srcs[j];
            if (o->ops != f->ops || o->state == NULL ||
                strcmp(o->sc->name, f->sc->name) != 0)
                continue;
            f->inherited = o->ops->hand_over(o->state, f->sc);
            n += f->inherited != NULL;
            break;
        }
    }
    return n;
}

size_t
vigil_ingest_counters(struct vigil_ingest *ing,
                      struct vigil_source_counters *out, size_t max)
{
    for (size_t i = 0; i < ing->nsrcs && i < max; i++) {
        pthread_mutex_lock(&ing->srcs[i].mu);
        out[i] = ing->srcs[i].c;
        pthread_mutex_unlock(&ing->srcs[i].mu);
    }
    return ing->nsrcs;
}

void
vigil_ingest_log_stats(struct vigil_ingest *ing)
{
    for (size_t i = 0; i < ing->nsrcs; i++) {
        struct vigil_source_counters c;
        pthread_mutex_lock(&ing->srcs[i].mu);
        c = ing->srcs[i].c;
        pthread_mutex_unlock(&ing->srcs[i].mu);
        vigil_log(VIGIL_LOG_INFO, 1110,
                  "source %s: %llu in, %llu decoded, %llu failed, %llu "
                  "dropped, %llu bytes lost to truncation, %llu bytes and "
                  "%llu files of rotated logs unread, %llu alerts",
                  c.name, (unsigned long long)c.events_in,
                  (unsigned long long)c.decoded, (unsigned long long)c.failed,
                  (unsigned long long)c.dropped,
                  (unsigned long long)c.truncated, (unsigned long long)c.unread,
                  (unsigned long long)c.unread_files,
                  (unsigned long long)c.alerts);
    }
}
