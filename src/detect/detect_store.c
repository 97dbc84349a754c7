/* detect_store.c -- the engine straight into the store, without a
 * session's logsource policy: one vigil_alert per matching rule (and per
 * completed correlation), built by detect_alert_make. The daemon uses a
 * session (detect_session.c); this serves embedders and tests. */
#include <string.h>

#include "detect/detect_int.h"
#include "store/store.h"

struct to_store {
    struct vigil_store_batch *batch;
    const char *source;
    struct vigil_buf ev_json;
    struct vigil_buf m_json;
    size_t n;
    enum vigil_rc rc;
};

static int
on_match(const struct vigil_detect_match *m, void *arg)
{
    struct to_store *ts = arg;
    struct vigil_alert a = {0};
    enum vigil_rc rc;

    rc = detect_alert_make(NULL, m, 1, &ts->ev_json, &ts->m_json, &a);
    if (rc == VIGIL_OK) {
        a.source = ts->source;
        rc = vigil_store_batch_add_alert(ts->batch, &a);
    }
    if (rc != VIGIL_OK) {
        ts->rc = rc;
        return 1;
    }
    ts->n++;
    return 0;
}

enum vigil_rc
vigil_detect_to_store(struct vigil_detect_ctx *c, const struct vigil_event *ev,
                      struct vigil_store_batch *batch, const char *source,
                      size_t *nalerts, struct vigil_err *err)
{
    struct to_store ts;
    enum vigil_rc rc;

    memset(&ts, 0, sizeof(ts));
    ts.batch = batch;
    ts.source = source;
    vigil_buf_init(&ts.ev_json, 4 * 1024 * 1024);
    vigil_buf_init(&ts.m_json, 1024 * 1024);
    rc = vigil_detect_match(c, ev, on_match, &ts, NULL);
    if (rc == VIGIL_OK)
        rc = ts.rc;
    vigil_buf_fini(&ts.ev_json);
    vigil_buf_fini(&ts.m_json);
    if (nalerts)
        *nalerts = ts.n;
    if (rc != VIGIL_OK)
        return vigil_err_set(err, rc, "detection alert: %s",
                             vigil_strerror(rc));
    return VIGIL_OK;
}

/* ---- the ingest pipeline hook ---- */

#include <pthread.h>
#include <stdlib.h>

#include "ingest/ingest.h"

struct vigil_detect_hook {
    const struct vigil_detect *d;
    pthread_mutex_t lock;
    struct vigil_detect_ctx **idle;
    size_t nidle, created, max;
};

enum vigil_rc
vigil_detect_hook_new(struct vigil_detect_hook **out,
                      const struct vigil_detect *d, size_t max_threads,
                      struct vigil_err *err)
{
    struct vigil_detect_hook *h = calloc(1, sizeof(*h));

    *out = NULL;
    if (!h)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    h->d = d;
    h->max = max_threads ? max_threads : 64;
    h->idle = calloc(h->max, sizeof(*h->idle));
    if (!h->idle) {
        free(h);
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&h->lock, NULL);
    *out = h;
    return VIGIL_OK;
}

void
vigil_detect_hook_free(struct vigil_detect_hook *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->nidle; i++)
        vigil_detect_ctx_free(h->idle[i]);
    free(h->idle);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

static enum vigil_rc
hook_on_event(void *arg, const struct vigil_event *ev, const char *source,
              struct vigil_store_batch *batch)
{
    struct vigil_detect_hook *h = arg;
    struct vigil_detect_ctx *c = NULL;
    struct vigil_err err = {0};
    enum vigil_rc rc = VIGIL_OK;

    pthread_mutex_lock(&h->lock);
    if (h->nidle)
        c = h->idle[--h->nidle];
    else if (h->created < h->max)
        h->created++;
    else
        rc = VIGIL_ELIMIT;
    pthread_mutex_unlock(&h->lock);
    if (rc != VIGIL_OK)
        return rc;
    if (!c && vigil_detect_ctx_new(&c, h->d, &err) != VIGIL_OK) {
        pthread_mutex_lock(&h->lock);
        h->created--;
        pthread_mutex_unlock(&h->lock);
        return VIGIL_ENOMEM;
    }
    rc = vigil_detect_to_store(c, ev, batch, source, NULL, &err);
    pthread_mutex_lock(&h->lock);
    h->idle[h->nidle++] = c;
    pthread_mutex_unlock(&h->lock);
    return rc;
}

void
vigil_detect_hook_fill(struct vigil_detect_hook *h, struct vigil_detector *det)
{
    memset(det, 0, sizeof(*det));
    det->ctx = h;
    det->on_event = hook_on_event;
    det->serialize = 0;
}
