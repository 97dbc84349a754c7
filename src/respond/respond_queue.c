/* respond_queue.c -- notifications leave from a thread of their own: a
 * source thread that raised an alert hands over copies and goes on
 * reading (a slow mail server never delays the next block), and the
 * sending thread mails, posts and forwards in order, recording each
 * notification in the store. Other domains (incidents) reach the running
 * queue through vigil_respond_notify. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "respond_int.h"
#include "store/store.h"

#define QUEUE_MAX 1024

struct job {
    int forward; /* a formatted line for forward.to; else a message */
    char *subject, *text, *json, *about;
};

struct respond_queue {
    const struct vigil_respond_config *cfg;
    struct vigil_store *store;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_t thread;
    struct job *jobs[QUEUE_MAX];
    size_t head, n;
    int stop;
    int fd; /* forward connection */
    int64_t last_warn_ms;
    uint64_t dropped;
};

static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct respond_queue *current;

static void
job_free(struct job *j)
{
    if (j == NULL)
        return;
    free(j->subject);
    free(j->text);
    free(j->json);
    free(j->about);
    free(j);
}

static char *
dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void
record_notify(struct respond_queue *q, const struct job *j, enum vigil_rc rc,
              const struct vigil_err *e)
{
    struct respond_record r = {0};
    struct vigil_err err = {0};
    char id[VIGIL_UID_LEN + 1];

    if (vigil_uid_new(id) != VIGIL_OK)
        return;
    r.id = id;
    r.action = "notify";
    r.target = "duty";
    r.reason = j->subject ? j->subject : "";
    r.actor = "vigil";
    r.alert_uid = j->about;
    r.created_ns = vigil_time_now();
    r.state = rc == VIGIL_OK ? "sent" : "failed";
    r.detail = rc == VIGIL_OK ? NULL : e->msg;
    if (respond_record_add(q->store, NULL, &r, &err) != VIGIL_OK)
        vigil_log(VIGIL_LOG_ERROR, 2122, "cannot record a notification: %s",
                  err.msg);
}

static int64_t
mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
send_job(struct respond_queue *q, struct job *j)
{
    struct vigil_err e = {0};
    enum vigil_rc rc;

    if (j->forward) {
        rc = respond_forward_send(q->cfg, j->text, &q->fd, &e);
        /* a SIEM that is down must not flood the log */
        if (rc != VIGIL_OK && mono_ms() - q->last_warn_ms >= 60000) {
            q->last_warn_ms = mono_ms();
            vigil_log(VIGIL_LOG_WARN, 2121, "forwarding alerts failed: %s",
                      e.msg);
        }
        return;
    }
    struct vigil_respond_msg m = {j->subject, j->text, j->json, j->about};
    rc = vigil_respond_send(q->cfg, &m, &e);
    if (rc == VIGIL_OK)
        vigil_log(VIGIL_LOG_INFO, 2120, "duty notified: %s", j->subject);
    else
        vigil_log(VIGIL_LOG_ERROR, 2123, "notifying the duty failed: %s",
                  e.msg);
    record_notify(q, j, rc, &e);
}

static void *
run(void *arg)
{
    struct respond_queue *q = arg;

    pthread_mutex_lock(&q->lock);
    for (;;) {
        struct job *j;

        while (q->n == 0 && !q->stop)
            pthread_cond_wait(&q->cond, &q->lock);
        if (q->n == 0)
            break;
        j = q->jobs[q->head];
        q->head = (q->head + 1) % QUEUE_MAX;
        q->n--;
        pthread_mutex_unlock(&q->lock);
        send_job(q, j);
        job_free(j);
        pthread_mutex_lock(&q->lock);
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

enum vigil_rc
respond_queue_new(struct respond_queue **out,
                  const struct vigil_respond_config *cfg, struct vigil_store *s,
                  struct vigil_err *err)
{
    struct respond_queue *q = calloc(1, sizeof(*q));

    *out = NULL;
    if (q == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    q->cfg = cfg;
    q->store = s;
    q->fd = -1;
    q->last_warn_ms = -60000;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->cond, NULL);
    if (pthread_create(&q->thread, NULL, run, q) != 0) {
        pthread_mutex_destroy(&q->lock);
        pthread_cond_destroy(&q->cond);
        free(q);
        return vigil_err_set(err, VIGIL_EIO, "cannot start the notifier");
    }
    *out = q;
    return VIGIL_OK;
}

/* Takes ownership of j, even on failure. */
static enum vigil_rc
push(struct respond_queue *q, struct job *j, struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_OK;

    pthread_mutex_lock(&q->lock);
    if (q->n >= QUEUE_MAX) {
        q->dropped++;
        rc = VIGIL_ELIMIT;
    } else {
        q->jobs[(q->head + q->n) % QUEUE_MAX] = j;
        q->n++;
        j = NULL;
        pthread_cond_signal(&q->cond);
    }
    pthread_mutex_unlock(&q->lock);
    if (j != NULL) {
        job_free(j);
        vigil_log(VIGIL_LOG_WARN, 2124,
                  "notification queue full (%d): one dropped", QUEUE_MAX);
        return vigil_err_set(err, rc, "notification queue full");
    }
    return rc;
}

enum vigil_rc
respond_queue_msg(struct respond_queue *q, const struct vigil_respond_msg *m,
                  struct vigil_err *err)
{
    struct job *j = calloc(1, sizeof(*j));

    if (j == NULL ||
        (j->subject = dup_or_null(m->subject ? m->subject : "vigil")) == NULL ||
        (j->text = dup_or_null(m->text ? m->text : "")) == NULL ||
        (m->json && (j->json = strdup(m->json)) == NULL) ||
        (m->about && (j->about = strdup(m->about)) == NULL)) {
        job_free(j);
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    return push(q, j, err);
}

enum vigil_rc
respond_queue_forward(struct respond_queue *q, const struct vigil_alert *a,
                      struct vigil_err *err)
{
    struct job *j = calloc(1, sizeof(*j));
    struct vigil_buf line;
    enum vigil_rc rc;

    if (j == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    vigil_buf_init(&line, 64 * 1024);
    rc = respond_forward_format(q->cfg, a, &line);
    j->forward = 1;
    j->text = line.data; /* the buffer's bytes move to the job */
    if (rc != VIGIL_OK || j->text == NULL) {
        job_free(j);
        vigil_buf_fini(&line);
        return vigil_err_set(err, rc ? rc : VIGIL_ENOMEM,
                             "cannot format the alert");
    }
    return push(q, j, err);
}

void
respond_queue_publish(struct respond_queue *q)
{
    pthread_mutex_lock(&current_lock);
    current = q;
    pthread_mutex_unlock(&current_lock);
}

enum vigil_rc
vigil_respond_notify(const struct vigil_respond_msg *m, struct vigil_err *err)
{
    enum vigil_rc rc;

    pthread_mutex_lock(&current_lock);
    if (current == NULL || (current->cfg->nduty_email == 0 &&
                            current->cfg->duty_webhook[0] == '\0'))
        rc = vigil_err_set(err, VIGIL_ENOTFOUND,
                           "no response component with a duty channel runs");
    else
        rc = respond_queue_msg(current, m, err);
    pthread_mutex_unlock(&current_lock);
    return rc;
}

void
respond_queue_free(struct respond_queue *q)
{
    if (q == NULL)
        return;
    pthread_mutex_lock(&current_lock);
    if (current == q)
        current = NULL;
    pthread_mutex_unlock(&current_lock);
    pthread_mutex_lock(&q->lock);
    q->stop = 1;
    pthread_cond_signal(&q->cond);
    pthread_mutex_unlock(&q->lock);
    pthread_join(q->thread, NULL);
    if (q->fd >= 0)
        close(q->fd);
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->cond);
    free(q);
}
