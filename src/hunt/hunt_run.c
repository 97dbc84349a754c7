/* hunt_run.c -- a hunt's life: options, the pool of worker threads that
 * take parts largest first (each with its own decoder state, event, arena,
 * matcher and spill, so nothing is shared on the hot path but relaxed
 * counters for progress), the correlations over every file once the pool
 * is done, and the matches handed out in one order. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hunt_int.h"

#define MAX_JOBS  256
#define PART_SIZE (UINT64_C(64) * 1024 * 1024)

void
hunt_note(struct vigil_hunt *h, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    if (h->o.note == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&h->note_lock);
    h->o.note(msg, h->o.note_arg);
    pthread_mutex_unlock(&h->note_lock);
}

enum vigil_rc
vigil_hunt_new(struct vigil_hunt **out, const struct vigil_hunt_opts *o,
               struct vigil_err *err)
{
    struct vigil_hunt *h = calloc(1, sizeof(*h));

    *out = NULL;
    if (h == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    h->o = *o;
    pthread_mutex_init(&h->note_lock, NULL);
    h->popts.default_year = o->default_year;
    h->popts.tz = o->tz;
    *out = h;
    return VIGIL_OK;
}

void
vigil_hunt_free(struct vigil_hunt *h)
{
    if (h == NULL)
        return;
    for (unsigned k = 0; h->workers != NULL && k <= h->jobs; k++)
        hunt_worker_fini(&h->workers[k]);
    free(h->workers);
    hunt_tally_fini(&h->eids);
    hunt_tally_fini(&h->logons);
    hunt_rules_free(h);
    for (size_t i = 0; i < h->nrule_paths; i++)
        free(h->rule_paths[i]);
    free(h->rule_paths);
    hunt_files_free(h);
    pthread_mutex_destroy(&h->note_lock);
    free(h);
}

enum vigil_rc
vigil_hunt_load_rules(struct vigil_hunt *h, struct vigil_err *err)
{
    enum vigil_rc rc;

    if (h->loaded)
        return VIGIL_OK;
    rc = hunt_rules_load(h, err);
    if (rc != VIGIL_OK) {
        hunt_rules_free(h);
        return rc;
    }
    h->loaded = 1;
    return VIGIL_OK;
}

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
worker_main(void *arg)
{
    struct hunt_worker *w = arg;
    struct vigil_hunt *h = w->h;

    for (;;) {
        size_t i = atomic_fetch_add(&h->next, 1);

        if (i >= h->nitems || w->err.rc != VIGIL_OK)
            break;
        hunt_read_item(w, &h->items[h->order[i]]);
        atomic_fetch_add_explicit(&h->events, w->pending_events,
                                  memory_order_relaxed);
        w->pending_events = 0;
        atomic_fetch_add(&h->parts_done, 1);
    }
    atomic_fetch_add_explicit(&h->events, w->pending_events,
                              memory_order_relaxed);
    w->pending_events = 0;
    return NULL;
}

static void
snapshot(struct vigil_hunt *h, struct vigil_hunt_stats *s)
{
    memset(s, 0, sizeof(*s));
    s->parts_done = atomic_load(&h->parts_done);
    s->parts = h->nitems;
    s->events = atomic_load(&h->events);
    s->matches = atomic_load(&h->nmatches);
}

/* Waits for the pool, calling progress about five times a second. */
static void
watch(struct vigil_hunt *h, size_t started, vigil_hunt_progress_fn progress,
      void *arg)
{
    struct vigil_hunt_stats s;

    if (progress == NULL)
        return;
    while (atomic_load(&h->parts_done) < h->nitems) {
        int stop = 0;

        snapshot(h, &s);
        progress(&s, arg);
        for (int k = 0; k < 20 && !stop; k++) {
            struct timespec ts = {0, 10 * 1000 * 1000};

            nanosleep(&ts, NULL);
            stop = atomic_load(&h->parts_done) >= h->nitems;
        }
        for (size_t k = 0; k < started && !stop; k++)
            stop = h->workers[k].err.rc != VIGIL_OK;
        if (stop)
            break;
    }
    snapshot(h, &s);
    progress(&s, arg);
}

static enum vigil_rc
on_corr(const struct vigil_detect_alert *a, void *arg)
{
    return hunt_keep(arg, a);
}

static enum vigil_rc
start_pool(struct vigil_hunt *h, struct vigil_err *err)
{
    uint64_t part = h->o.part_bytes ? h->o.part_bytes : PART_SIZE;
    unsigned jobs = h->o.jobs;
    enum vigil_rc rc;

    hunt_files_sort(h);
    if ((rc = hunt_items_make(h, part, err)) != VIGIL_OK)
        return rc;
    if (jobs == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);

        jobs = n < 1 ? 1 : (n > MAX_JOBS ? MAX_JOBS : (unsigned)n);
    }
    if (jobs > MAX_JOBS)
        jobs = MAX_JOBS;
    if (jobs > h->nitems)
        jobs = h->nitems > 0 ? (unsigned)h->nitems : 1;
    /* One more for the correlations, run on the caller's thread. */
    h->workers = calloc((size_t)jobs + 1, sizeof(*h->workers));
    if (h->workers == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    h->jobs = jobs;
    for (unsigned k = 0; k <= jobs; k++) {
        h->workers[k].h = h;
        h->workers[k].index = k;
        if ((rc = hunt_worker_init(&h->workers[k], err)) != VIGIL_OK)
            return rc;
    }
    return VIGIL_OK;
}

enum vigil_rc
vigil_hunt_run(struct vigil_hunt *h, vigil_hunt_progress_fn progress,
               void *progress_arg, vigil_hunt_match_fn on_match,
               void *match_arg, struct vigil_err *err)
{
    pthread_t *threads = NULL;
    struct hunt_recs all = {0};
    struct hunt_worker *cw;
    size_t started = 0;
    enum vigil_rc rc = VIGIL_OK;
    double t0;

    if (h->ran)
        return vigil_err_set(err, VIGIL_EINVAL, "a hunt runs once");
    h->ran = 1;
    VIGIL_TRY(vigil_hunt_load_rules(h, err));
    VIGIL_TRY(start_pool(h, err));
    threads = calloc(h->jobs, sizeof(*threads));
    if (threads == NULL) {
        rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        goto out;
    }
    t0 = now_s();
    for (; started < h->jobs; started++)
        if (pthread_create(&threads[started], NULL, worker_main,
                           &h->workers[started]) != 0)
            break;
    if (started == 0) {
        rc = vigil_err_set(err, VIGIL_EIO, "cannot start a thread");
        goto out;
    }
    watch(h, started, progress, progress_arg);
    for (size_t k = 0; k < started; k++)
        pthread_join(threads[k], NULL);

    for (size_t k = 0; k < started; k++) {
        struct hunt_worker *w = &h->workers[k];

        if (w->err.rc != VIGIL_OK) {
            rc = vigil_err_set(err, w->err.rc, "%s", w->err.msg);
            goto out;
        }
        h->st.events += w->events;
        h->st.events_failed += w->events_failed;
        h->st.bytes += w->bytes;
        h->st.files_skipped += w->files_skipped;
        h->st.files_failed += w->files_failed;
        if (hunt_tally_merge(&h->eids, &w->eids) != VIGIL_OK ||
            hunt_tally_merge(&h->logons, &w->logons) != VIGIL_OK) {
            rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
            goto out;
        }
        hunt_tally_fini(&w->eids); /* merged: the worker's copy goes */
        hunt_tally_fini(&w->logons);
    }
    cw = &h->workers[h->jobs];
    rc = vigil_detect_session_finish(h->session, on_corr, cw);
    if (rc != VIGIL_OK) {
        vigil_err_set(err, rc, "correlation: %s",
                      cw->err.rc ? cw->err.msg : vigil_strerror(rc));
        goto out;
    }
    {
        struct vigil_detect_corr_stats cs;

        vigil_detect_corr_get_stats(h->det, &cs);
        h->st.suppressed = cs.suppressed;
    }
    h->st.seconds = now_s() - t0;
    h->st.files = h->nfiles - h->st.files_skipped - h->st.files_failed;
    h->st.rules = vigil_hunt_rule_count(h);
    /* Only the small records are gathered; the details stay spilled. */
    for (unsigned k = 0; k <= h->jobs; k++) {
        struct hunt_recs *src = &h->workers[k].recs;

        if (vigil_grow(&all.v, &all.cap, all.n + src->n, sizeof(*all.v), 0) !=
            VIGIL_OK) {
            rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
            goto out;
        }
        if (src->n > 0)
            memcpy(all.v + all.n, src->v, src->n * sizeof(*src->v));
        all.n += src->n;
        free(src->v);
        memset(src, 0, sizeof(*src));
    }
    h->st.matches = all.n;
    hunt_recs_finish(h, &all);
    if (on_match != NULL)
        rc = hunt_recs_deliver(h, &all, on_match, match_arg, err);
out:
    free(threads);
    free(all.v);
    return rc;
}

void
vigil_hunt_get_stats(const struct vigil_hunt *h, struct vigil_hunt_stats *out)
{
    *out = h->st;
    out->parts = h->nitems;
    out->parts_done = atomic_load(&h->parts_done);
}
