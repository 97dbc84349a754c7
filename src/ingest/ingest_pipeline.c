/* ingest_pipeline.c -- runs the configured sources, one thread each:
 * read, decode, detect, batch and submit to the store; keeps the per-source
 * counters and the committed checkpoints (see ingest.h for the contract).
 *
 * A source thread owns its batch, arena, event and local counters, so the
 * hot path takes no lock. The store's writer thread reports each batch
 * through src_done, which records the committed checkpoints (used to read
 * again after a failed commit) under the source's mutex. */
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ingest.h"
#include "ingest_int.h"
#include "parse/parse.h"

#define SRC_READ_BUDGET (1024 * 1024) /* bytes per file per poll */
#define SRC_ARENA_CHUNK (256 * 1024)
#define SRC_ARENA_MAX   (256 * 1024 * 1024)
#define SRC_ARENA_FLUSH (16 * 1024 * 1024) /* close a batch past this */
#define SRC_NET_WAIT_MS 200
#define SRC_TCP_CLIENTS 64
#define SRC_UDP_BURST   1024 /* datagrams per round before polling again */

struct tcp_client {
    int fd;
    struct ingest_framer fr;
};

struct src {
    struct vigil_ingest *ing;
    const struct vigil_source_config *sc;
    uint32_t id;
    pthread_t th;
    int started;
    atomic_int done;

    const struct vigil_decoder *dec; /* NULL until detected */
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

    /* Shared with the writer thread and the stats logger. */
    pthread_mutex_t mu;
    struct vigil_source_counters c; /* as of the last submitted batch */
    struct vigil_checkpoint *committed;
    size_t ncommitted, capcommitted;
    atomic_int store_failed;
    uint64_t drop_base; /* drops counted by earlier runs */
    int store_lookup;   /* may ask the store for checkpoints (start only) */

    /* Per type. */
    struct ingest_tail *tail;
    int ufd, lfd;
    struct tcp_client *clients;
    struct ingest_journal *jr;
    char jkey[512];
    struct ingest_framer fr; /* stdin */
};

struct vigil_ingest {
    const struct vigil_ingest_config *cfg;
    struct vigil_store *store;
    const struct vigil_detector *det;
    int once;
    atomic_int stop;
    pthread_mutex_t det_mu;
    pthread_mutex_t submit_mu;
    struct src *srcs;
    size_t nsrcs;
    int started;
};

struct ticket {
    struct src *s;
    size_t ncps;
    struct vigil_checkpoint cps[];
};

static int64_t
mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(int64_t ms)
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
    struct src *s = t->s;

    if (rc == VIGIL_OK) {
        pthread_mutex_lock(&s->mu);
        for (size_t i = 0; i < t->ncps; i++)
            if (!cp_put(&s->committed, &s->ncommitted, &s->capcommitted,
                        &t->cps[i]))
                atomic_store(&s->store_failed, 1);
        pthread_mutex_unlock(&s->mu);
    } else {
        vigil_log(VIGIL_LOG_ERROR, 1111,
                  "source %s: the store refused a batch (%s); reading "
                  "again from the last committed position",
                  s->sc->name, msg ? msg : vigil_strerror(rc));
        atomic_store(&s->store_failed, 1);
    }
    free(t);
}

/* ingest_ckpt_get_fn over the committed table, then (at start) the
 * store. */
static enum vigil_rc
src_ckpt_get(void *arg, const char *key, struct vigil_checkpoint *cp)
{
    struct src *s = arg;
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
src_new_batch(struct src *s, int reset_arena, struct vigil_err *err)
{
    if ((s->batch = s->ing->store ? vigil_store_batch_new_for(s->ing->store)
                                  : vigil_store_batch_new()) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    s->blines = 0;
    s->nbcps = 0;
    s->bstart_ms = mono_ms();
    s->now_ns = vigil_time_now();
    if (reset_arena)
        vigil_arena_reset(&s->arena);
    return VIGIL_OK;
}

static void
src_publish_counters(struct src *s)
{
    pthread_mutex_lock(&s->mu);
    s->c = s->lc;
    pthread_mutex_unlock(&s->mu);
}

/* Submits the open batch (if it holds anything) and opens a new one.
 * keep_arena: an event built in the arena is still to be added. */
static enum vigil_rc
src_flush2(struct src *s, int keep_arena, struct vigil_err *err)
{
    struct vigil_ingest *ing = s->ing;
    struct ticket *t;
    enum vigil_rc rc = VIGIL_OK;

    if (s->blines == 0 && s->nbcps == 0 && !s->dirty)
        return VIGIL_OK;
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
    t->ncps = s->nbcps;
    if (s->nbcps)
        memcpy(t->cps, s->bcps, s->nbcps * sizeof(t->cps[0]));
    src_publish_counters(s);
    s->dirty = 0;
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

static enum vigil_rc
src_flush(struct src *s, struct vigil_err *err)
{
    return src_flush2(s, 0, err);
}

static void
src_note_cp(struct src *s, const struct vigil_checkpoint *cp)
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

/* One record of the source: decode, detect, add to the batch. line may
 * be NULL (an overlong record: counted as failed). cp is NULL for
 * sources that cannot be re-read. */
static enum vigil_rc
src_record(struct src *s, const char *line, size_t len,
           const struct vigil_checkpoint *cp)
{
    struct vigil_ingest *ing = s->ing;
    struct vigil_err err = {0};
    enum vigil_rc rc;

    if (line != NULL && (len == 0 || (len == 1 && line[0] == '\r'))) {
        /* An empty line is no record; only the position moves. */
        if (cp != NULL)
            src_note_cp(s, cp);
        return VIGIL_OK;
    }
    if (s->batch == NULL && src_new_batch(s, 1, &err) != VIGIL_OK) {
        s->lc.events_in++;
        s->lc.dropped++;
        return VIGIL_ENOMEM;
    }
    s->lc.events_in++;
    if (line == NULL) {
        s->lc.failed++;
    } else {
        if (s->dec == NULL)
            s->dec = vigil_decoder_detect(&line, &len, 1);
        vigil_event_init(&s->ev, &s->arena);
        s->ev.source_id = s->id;
        s->ev.offset = cp ? cp->offset : 0;
        rc = vigil_decode_line(s->dec, &s->ev, line, len, &s->popts);
        if (rc != VIGIL_OK) {
            s->lc.failed++;
        } else {
            s->lc.decoded++;
            if (s->ev.time_ns == 0)
                s->ev.time_ns = s->now_ns;
            if (ing->det != NULL && ing->det->on_event != NULL) {
                size_t before = vigil_store_batch_alerts(s->batch);
                if (ing->det->serialize)
                    pthread_mutex_lock(&ing->det_mu);
                rc = ing->det->on_event(ing->det->ctx, &s->ev, s->sc->name,
                                        s->batch);
                if (ing->det->serialize)
                    pthread_mutex_unlock(&ing->det_mu);
                if (rc != VIGIL_OK)
                    vigil_log(VIGIL_LOG_WARN, 1113,
                              "source %s: detection failed on an event: %s",
                              s->sc->name, vigil_strerror(rc));
                s->lc.alerts += vigil_store_batch_alerts(s->batch) - before;
            }
            rc = vigil_store_batch_add_event(s->batch, &s->ev, s->sc->name);
            if (rc == VIGIL_ELIMIT && s->blines > 0) {
                /* The batch is full of long events: store it, retry. */
                src_flush2(s, 1, &err);
                if (s->batch != NULL)
                    rc = vigil_store_batch_add_event(s->batch, &s->ev,
                                                     s->sc->name);
            }
            if (rc == VIGIL_ELIMIT) {
                /* Too big to archive even alone: counted, not stored. */
                s->lc.decoded--;
                s->lc.failed++;
                rc = VIGIL_OK;
            }
            if (rc != VIGIL_OK) {
                /* Not stored: read it again rather than lose it. */
                atomic_store(&s->store_failed, 1);
                return vigil_err_set(&err, rc, "archive");
            }
        }
    }
    if (cp != NULL)
        src_note_cp(s, cp);
    s->blines++;
    if (s->blines >= (size_t)ing->cfg->batch_lines ||
        s->arena.used_total > SRC_ARENA_FLUSH)
        return src_flush(s, &err);
    return VIGIL_OK;
}

static enum vigil_rc
sink_line(void *arg, const char *line, size_t len,
          const struct vigil_checkpoint *cp)
{
    return src_record(arg, line, len, cp);
}

static enum vigil_rc
sink_overlong(void *arg, const struct vigil_checkpoint *cp)
{
    return src_record(arg, NULL, 0, cp);
}

static enum vigil_rc
frame_msg(void *arg, const char *msg, size_t len, int oversize)
{
    return src_record(arg, oversize ? NULL : msg, len, NULL);
}

static int
batch_due(struct src *s)
{
    return s->blines > 0 && mono_ms() - s->bstart_ms >= s->ing->cfg->batch_ms;
}

/* ------------------------------------------------------------------ */
/* File sources                                                         */
/* ------------------------------------------------------------------ */

/* After a failed commit: wait for the queue to drain, drop the open batch
 * and read again from the committed checkpoints. */
static void
file_recover(struct src *s)
{
    struct vigil_err err = {0};

    vigil_store_flush(s->ing->store, &err);
    vigil_store_batch_free(s->batch);
    s->batch = NULL;
    src_new_batch(s, 1, &err);
    ingest_tail_reset(s->tail);
    atomic_store(&s->store_failed, 0);
    err.rc = VIGIL_OK;
    if (ingest_tail_scan(s->tail, src_ckpt_get, s, &err) != VIGIL_OK)
        vigil_log(VIGIL_LOG_ERROR, 1114, "source %s: %s", s->sc->name, err.msg);
    sleep_ms(1000);
}

static void
file_loop(struct src *s)
{
    struct vigil_ingest *ing = s->ing;
    struct ingest_sink sink = {sink_line, sink_overlong, s};
    int64_t next_scan = mono_ms() + ing->cfg->rescan_s * 1000;

    while (!atomic_load(&ing->stop)) {
        struct vigil_err err = {0};
        size_t bytes = 0;
        enum vigil_rc rc;

        if (atomic_load(&s->store_failed)) {
            file_recover(s);
            continue;
        }
        if (mono_ms() >= next_scan) {
            if (ingest_tail_scan(s->tail, src_ckpt_get, s, &err) != VIGIL_OK)
                vigil_log(VIGIL_LOG_ERROR, 1114, "source %s: %s", s->sc->name,
                          err.msg);
            next_scan = mono_ms() + ing->cfg->rescan_s * 1000;
        }
        rc = ingest_tail_poll(s->tail, &sink, SRC_READ_BUDGET, 0, &bytes, &err);
        if (rc != VIGIL_OK) {
            if (!atomic_load(&s->store_failed))
                vigil_log(VIGIL_LOG_ERROR, 1114, "source %s: %s", s->sc->name,
                          err.msg);
            sleep_ms(ing->cfg->poll_ms);
            continue;
        }
        if (bytes > 0) {
            if (batch_due(s))
                src_flush(s, &err);
            continue;
        }
        if (ing->once) {
            rc = ingest_tail_poll(s->tail, &sink, SRC_READ_BUDGET, 1, &bytes,
                                  &err);
            if (rc == VIGIL_OK && bytes > 0)
                continue; /* appended meanwhile: keep reading */
            break;
        }
        src_flush(s, &err);
        sleep_ms(ing->cfg->poll_ms);
    }
}

/* ------------------------------------------------------------------ */
/* Syslog sources                                                       */
/* ------------------------------------------------------------------ */

static enum vigil_rc
net_open(struct src *s, struct vigil_err *err)
{
    struct sockaddr_storage ss;
    unsigned sslen = 0;
    int one = 1, fd;
    const char *name = s->sc->name;

    if (!ingest_parse_listen(s->sc->listen, &ss, &sslen))
        return vigil_err_set(err, VIGIL_EINVAL,
                             "source %s: cannot use listen address '%s'", name,
                             s->sc->listen);
    if (s->sc->protocol == VIGIL_PROTO_UDP) {
        fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            goto fail;
        int rcvbuf = 4 * 1024 * 1024;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
        setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *)&ss, sslen) != 0) {
            close(fd);
            goto fail;
        }
        s->ufd = fd;
    } else {
        fd =
            socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            goto fail;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *)&ss, sslen) != 0 ||
            listen(fd, 64) != 0) {
            close(fd);
            goto fail;
        }
        s->lfd = fd;
        s->clients = calloc(SRC_TCP_CLIENTS, sizeof(*s->clients));
        if (s->clients == NULL)
            return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        for (int i = 0; i < SRC_TCP_CLIENTS; i++)
            s->clients[i].fd = -1;
    }
    vigil_log(VIGIL_LOG_INFO, 1120, "source %s: listening on %s/%s", name,
              s->sc->listen,
              s->sc->protocol == VIGIL_PROTO_UDP ? "udp" : "tcp");
    return VIGIL_OK;
fail:
    return vigil_err_set(err, VIGIL_EIO, "source %s: cannot listen on %s: %s",
                         name, s->sc->listen, strerror(errno));
}

static void
udp_drain(struct src *s, char *buf, size_t bufsz)
{
    for (int i = 0; i < SRC_UDP_BURST; i++) {
        char cbuf[CMSG_SPACE(sizeof(uint32_t))];
        struct iovec iov = {buf, bufsz};
        struct msghdr mh = {0};
        ssize_t n;

        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = cbuf;
        mh.msg_controllen = sizeof(cbuf);
        n = recvmsg(s->ufd, &mh, MSG_TRUNC);
        if (n < 0)
            return;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL;
             c = CMSG_NXTHDR(&mh, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
                uint32_t drops;
                memcpy(&drops, CMSG_DATA(c), sizeof(drops));
                /* The kernel's count of datagrams dropped for this socket
                 * since it was opened. */
                if (s->drop_base + drops != s->lc.dropped) {
                    s->lc.dropped = s->drop_base + drops;
                    s->dirty = 1;
                }
            }
        }
        if ((size_t)n > s->sc->max_message || (mh.msg_flags & MSG_TRUNC))
            src_record(s, NULL, 0, NULL);
        else
            src_record(s, buf, (size_t)n, NULL);
    }
}

static void
tcp_close(struct src *s, struct tcp_client *c)
{
    ingest_framer_finish(&c->fr, frame_msg, s);
    ingest_framer_fini(&c->fr);
    close(c->fd);
    c->fd = -1;
}

static void
net_loop(struct src *s)
{
    struct vigil_ingest *ing = s->ing;
    struct pollfd pfd[SRC_TCP_CLIENTS + 1];
    struct tcp_client *map[SRC_TCP_CLIENTS + 1];
    size_t bufsz = s->sc->max_message + 1;
    char *buf = malloc(bufsz > 65536 ? bufsz : 65536);

    if (buf == NULL) {
        vigil_log(VIGIL_LOG_ERROR, 1114, "source %s: out of memory",
                  s->sc->name);
        return;
    }
    if (bufsz < 65536)
        bufsz = 65536;
    s->drop_base = s->lc.dropped;
    while (!atomic_load(&ing->stop)) {
        struct vigil_err err = {0};
        nfds_t n = 0;
        int r;

        atomic_store(&s->store_failed, 0); /* cannot re-read: go on */
        pfd[n].fd = s->ufd >= 0 ? s->ufd : s->lfd;
        pfd[n].events = POLLIN;
        map[n++] = NULL;
        for (int i = 0; s->clients && i < SRC_TCP_CLIENTS; i++)
            if (s->clients[i].fd >= 0) {
                pfd[n].fd = s->clients[i].fd;
                pfd[n].events = POLLIN;
                map[n++] = &s->clients[i];
            }
        r = poll(pfd, n, SRC_NET_WAIT_MS);
        if (r < 0 && errno != EINTR)
            break;
        if (r > 0 && (pfd[0].revents & POLLIN)) {
            if (s->ufd >= 0) {
                udp_drain(s, buf, s->sc->max_message + 1);
            } else {
                int cfd =
                    accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                int slot = -1;
                for (int i = 0; cfd >= 0 && i < SRC_TCP_CLIENTS; i++)
                    if (s->clients[i].fd < 0) {
                        slot = i;
                        break;
                    }
                if (cfd >= 0 && slot < 0) {
                    vigil_log(VIGIL_LOG_WARN, 1121,
                              "source %s: more than %d senders; refusing "
                              "one",
                              s->sc->name, SRC_TCP_CLIENTS);
                    close(cfd);
                } else if (cfd >= 0) {
                    s->clients[slot].fd = cfd;
                    ingest_framer_init(&s->clients[slot].fr,
                                       s->sc->max_message);
                }
            }
        }
        for (nfds_t i = 1; r > 0 && i < n; i++) {
            struct tcp_client *c = map[i];
            if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t k = read(c->fd, buf, bufsz);
            if (k > 0)
                ingest_framer_feed(&c->fr, buf, (size_t)k, frame_msg, s);
            else if (k == 0 || (errno != EAGAIN && errno != EINTR))
                tcp_close(s, c);
        }
        if (r == 0 || batch_due(s))
            src_flush(s, &err);
    }
    for (int i = 0; s->clients && i < SRC_TCP_CLIENTS; i++)
        if (s->clients[i].fd >= 0)
            tcp_close(s, &s->clients[i]);
    free(buf);
}

/* ------------------------------------------------------------------ */
/* Journal and stdin                                                    */
/* ------------------------------------------------------------------ */

static void
journal_loop(struct src *s)
{
    struct vigil_ingest *ing = s->ing;
    struct vigil_checkpoint cp;

    memset(&cp, 0, sizeof(cp));
    snprintf(cp.key, sizeof(cp.key), "%s", s->jkey);
    while (!atomic_load(&ing->stop)) {
        struct vigil_err err = {0};
        const char *line;
        size_t len;
        enum vigil_rc rc = ingest_journal_next(s->jr, &line, &len, &cp, &err);

        if (rc == VIGIL_OK) {
            src_record(s, line, len, &cp);
            if (batch_due(s))
                src_flush(s, &err);
            continue;
        }
        if (rc != VIGIL_END)
            vigil_log(VIGIL_LOG_ERROR, 1130, "source %s: %s", s->sc->name,
                      err.msg);
        src_flush(s, &err);
        if (ing->once)
            break;
        ingest_journal_wait(s->jr, SRC_NET_WAIT_MS);
    }
}

static void
stdin_loop(struct src *s)
{
    struct vigil_ingest *ing = s->ing;
    char *buf = malloc(65536);

    if (buf == NULL)
        return;
    while (!atomic_load(&ing->stop)) {
        struct vigil_err err = {0};
        struct pollfd pfd = {0, POLLIN, 0};
        int r = poll(&pfd, 1, SRC_NET_WAIT_MS);

        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0) {
            src_flush(s, &err);
            continue;
        }
        ssize_t k = read(0, buf, 65536);
        if (k < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (k <= 0) {
            ingest_framer_finish(&s->fr, frame_msg, s);
            break;
        }
        ingest_lines_feed(&s->fr, buf, (size_t)k, frame_msg, s);
        if (batch_due(s))
            src_flush(s, &err);
    }
    free(buf);
}

static void *
src_main(void *arg)
{
    struct src *s = arg;
    struct vigil_err err = {0};

    switch (s->sc->type) {
    case VIGIL_SOURCE_FILE:
        file_loop(s);
        break;
    case VIGIL_SOURCE_SYSLOG:
        net_loop(s);
        break;
    case VIGIL_SOURCE_JOURNALD:
        journal_loop(s);
        break;
    case VIGIL_SOURCE_STDIN:
        stdin_loop(s);
        break;
    }
    if (s->batch != NULL)
        src_flush(s, &err);
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
        }
    return 0;
}

enum vigil_rc
vigil_ingest_new(struct vigil_ingest **out, const struct vigil_ingest_config *cfg,
                 struct vigil_store *store, const struct vigil_detector *det,
                 int once, struct vigil_err *err)
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
        struct src *s = &ing->srcs[i];
        const struct vigil_source_config *sc = &cfg->sources[i];

        s->ing = ing;
        s->sc = sc;
        s->id = (uint32_t)i;
        s->ufd = s->lfd = -1;
        pthread_mutex_init(&s->mu, NULL);
        vigil_arena_init(&s->arena, SRC_ARENA_CHUNK, SRC_ARENA_MAX);
        snprintf(s->lc.name, sizeof(s->lc.name), "%s", sc->name);
        s->c = s->lc;
        s->popts.default_year = sc->year;
        ingest_framer_init(&s->fr, VIGIL_MAX_LINE);
        ing->nsrcs++;
        if (sc->format[0] != '\0')
            s->dec = vigil_decoder_by_name(sc->format);
        else if (sc->type == VIGIL_SOURCE_SYSLOG ||
                 sc->type == VIGIL_SOURCE_JOURNALD)
            s->dec = vigil_decoder_by_name("syslog");
        if (sc->format[0] != '\0' && s->dec == NULL) {
            rc = vigil_err_set(err, VIGIL_EINVAL,
                               "source %s: unknown format '%s'", sc->name,
                               sc->format);
            break;
        }
        if ((rc = src_new_batch(s, 1, err)) != VIGIL_OK)
            break;
        if (sc->type == VIGIL_SOURCE_FILE &&
            (rc = ingest_tail_new(&s->tail, sc->paths, sc->npaths,
                                  VIGIL_MAX_LINE, err)) != VIGIL_OK)
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
vigil_ingest_start(struct vigil_ingest *ing, struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_OK;

    /* Set-up that can fail, and every store lookup, happen here on the
     * caller's thread before any batch is submitted. */
    for (size_t i = 0; i < ing->nsrcs && rc == VIGIL_OK; i++) {
        struct src *s = &ing->srcs[i];
        struct vigil_checkpoint cp;

        switch (s->sc->type) {
        case VIGIL_SOURCE_FILE:
            s->store_lookup = 1;
            rc = ingest_tail_scan(s->tail, src_ckpt_get, s, err);
            s->store_lookup = 0;
            if (rc == VIGIL_OK && ingest_tail_nfiles(s->tail) == 0)
                vigil_log(VIGIL_LOG_WARN, 1106,
                          "source %s: no file matches its paths yet",
                          s->sc->name);
            break;
        case VIGIL_SOURCE_SYSLOG:
            if (ing->once)
                atomic_store(&s->done, 1);
            else
                rc = net_open(s, err);
            break;
        case VIGIL_SOURCE_JOURNALD: {
            snprintf(s->jkey, sizeof(s->jkey), "journald:%s", s->sc->name);
            s->store_lookup = 1;
            int have = src_ckpt_get(s, s->jkey, &cp) == VIGIL_OK;
            s->store_lookup = 0;
            rc = ingest_journal_open(&s->jr, have ? &cp : NULL, ing->once, err);
            break;
        }
        case VIGIL_SOURCE_STDIN:
            break;
        }
    }
    for (size_t i = 0; i < ing->nsrcs && rc == VIGIL_OK; i++) {
        struct src *s = &ing->srcs[i];
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
        struct src *s = &ing->srcs[i];
        vigil_store_batch_free(s->batch);
        vigil_arena_fini(&s->arena);
        free(s->bcps);
        free(s->committed);
        ingest_tail_free(s->tail);
        ingest_journal_close(s->jr);
        ingest_framer_fini(&s->fr);
        if (s->ufd >= 0)
            close(s->ufd);
        if (s->lfd >= 0)
            close(s->lfd);
        free(s->clients);
        pthread_mutex_destroy(&s->mu);
    }
    pthread_mutex_destroy(&ing->det_mu);
    pthread_mutex_destroy(&ing->submit_mu);
    free(ing->srcs);
    free(ing);
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
                  "dropped, %llu alerts",
                  c.name, (unsigned long long)c.events_in,
                  (unsigned long long)c.decoded, (unsigned long long)c.failed,
                  (unsigned long long)c.dropped, (unsigned long long)c.alerts);
    }
}
