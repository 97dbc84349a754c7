/* detect_store.c -- adapter from detection matches to store alerts: one
 * vigil_alert per matching rule (and per completed correlation), with the
 * event and the fields that matched serialised as JSON. */
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
    struct vigil_alert a;
    enum vigil_rc rc = VIGIL_OK;

    memset(&a, 0, sizeof(a));
    vigil_buf_reset(&ts->ev_json);
    vigil_buf_reset(&ts->m_json);
    if (m->event)
        rc = vigil_event_to_json(m->event, &ts->ev_json);
    if (rc == VIGIL_OK)
        rc = vigil_buf_putc(&ts->m_json, '{');
    for (size_t i = 0; i < m->nfields && rc == VIGIL_OK; i++) {
        if (i)
            rc = vigil_buf_putc(&ts->m_json, ',');
        if (rc == VIGIL_OK)
            rc = vigil_buf_json_str(&ts->m_json, m->fields[i].name,
                                    m->fields[i].name_len);
        if (rc == VIGIL_OK)
            rc = vigil_buf_putc(&ts->m_json, ':');
        if (rc == VIGIL_OK)
            rc = vigil_buf_json_str(&ts->m_json, m->fields[i].text,
                                    m->fields[i].text_len);
    }
    if (rc == VIGIL_OK && m->group) {
        rc = vigil_buf_printf(&ts->m_json, "%s\"correlation.count\":%llu,",
                              m->nfields ? "," : "",
                              (unsigned long long)m->count);
        if (rc == VIGIL_OK)
            rc = vigil_buf_json_str(&ts->m_json, "correlation.group", 17);
        if (rc == VIGIL_OK)
            rc = vigil_buf_putc(&ts->m_json, ':');
        if (rc == VIGIL_OK)
            rc = vigil_buf_json_str(&ts->m_json, m->group, strlen(m->group));
    }
    if (rc == VIGIL_OK)
        rc = vigil_buf_putc(&ts->m_json, '}');
    if (rc != VIGIL_OK) {
        ts->rc = rc;
        return 1;
    }
    a.time_ns = m->event ? m->event->time_ns : vigil_time_now();
    a.rule_id = m->rule->id;
    a.title = m->rule->title;
    a.level = m->rule->level;
    a.tags_json = m->rule->tags_json;
    a.event_json = ts->ev_json.len ? ts->ev_json.data : "{}";
    a.matched_json = ts->m_json.data;
    a.source = ts->source;
    rc = vigil_store_batch_add_alert(ts->batch, &a);
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
