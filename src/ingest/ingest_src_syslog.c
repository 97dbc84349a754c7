/* ingest_src_syslog.c -- the syslog source type: receives messages over
 * UDP (one datagram, one message; the kernel's drop count becomes the
 * source's dropped counter) or TCP (up to SRC_TCP_CLIENTS senders, each
 * stream split by the framer) and hands them to the shared machinery
 * without checkpoints: a network stream cannot be read again. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ingest_int.h"

#define SRC_TCP_CLIENTS 64
#define SRC_UDP_BURST   1024 /* datagrams per round before polling again */

struct tcp_client {
    int fd;
    struct ingest_framer fr;
};

struct syslog_src {
    int ufd, lfd;
    struct tcp_client *clients; /* SRC_TCP_CLIENTS of them (TCP) */
    uint32_t kernel_drops;      /* the kernel's count at the last look */
};

static enum vigil_rc
syslog_open(struct ingest_src *s, void **state, struct vigil_err *err)
{
    const struct vigil_source_config *sc = ingest_src_config(s);
    struct syslog_src *n;
    struct sockaddr_storage ss;
    unsigned sslen = 0;
    int one = 1, fd;

    if (ingest_src_once(s))
        return VIGIL_END; /* offline: nothing to receive */
    if ((n = calloc(1, sizeof(*n))) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    *state = n;
    n->ufd = n->lfd = -1;
    if (!ingest_parse_listen(sc->listen, &ss, &sslen))
        return vigil_err_set(err, VIGIL_EINVAL,
                             "source %s: cannot use listen address '%s'",
                             sc->name, sc->listen);
    if (sc->protocol == VIGIL_PROTO_UDP) {
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
        n->ufd = fd;
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
        n->lfd = fd;
        n->clients = calloc(SRC_TCP_CLIENTS, sizeof(*n->clients));
        if (n->clients == NULL)
            return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        for (int i = 0; i < SRC_TCP_CLIENTS; i++)
            n->clients[i].fd = -1;
    }
    vigil_log(VIGIL_LOG_INFO, 1120, "source %s: listening on %s/%s", sc->name,
              sc->listen, sc->protocol == VIGIL_PROTO_UDP ? "udp" : "tcp");
    return VIGIL_OK;
fail:
    return vigil_err_set(err, VIGIL_EIO, "source %s: cannot listen on %s: %s",
                         sc->name, sc->listen, strerror(errno));
}

static void
udp_drain(struct ingest_src *s, struct syslog_src *n, char *buf, size_t bufsz)
{
    size_t max = ingest_src_config(s)->max_message;

    for (int i = 0; i < SRC_UDP_BURST; i++) {
        char cbuf[CMSG_SPACE(sizeof(uint32_t))];
        struct iovec iov = {buf, bufsz};
        struct msghdr mh = {0};
        ssize_t k;

        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = cbuf;
        mh.msg_controllen = sizeof(cbuf);
        k = recvmsg(n->ufd, &mh, MSG_TRUNC);
        if (k < 0)
            return;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL;
             c = CMSG_NXTHDR(&mh, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
                uint32_t drops;
                memcpy(&drops, CMSG_DATA(c), sizeof(drops));
                /* The kernel's count of datagrams dropped for this socket
                 * since it was opened. */
                if (drops != n->kernel_drops) {
                    ingest_src_add_dropped(s, drops - n->kernel_drops);
                    n->kernel_drops = drops;
                }
            }
        }
        if ((size_t)k > max || (mh.msg_flags & MSG_TRUNC))
            ingest_src_line(s, NULL, 0, NULL);
        else
            ingest_src_line(s, buf, (size_t)k, NULL);
    }
}

static void
tcp_close(struct ingest_src *s, struct tcp_client *c)
{
    ingest_framer_finish(&c->fr, ingest_src_message, s);
    ingest_framer_fini(&c->fr);
    close(c->fd);
    c->fd = -1;
}

static void
tcp_accept(struct ingest_src *s, struct syslog_src *n)
{
    const struct vigil_source_config *sc = ingest_src_config(s);
    int cfd = accept4(n->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    int slot = -1;

    for (int i = 0; cfd >= 0 && i < SRC_TCP_CLIENTS; i++)
        if (n->clients[i].fd < 0) {
            slot = i;
            break;
        }
    if (cfd >= 0 && slot < 0) {
        vigil_log(VIGIL_LOG_WARN, 1121,
                  "source %s: more than %d senders; refusing one", sc->name,
                  SRC_TCP_CLIENTS);
        close(cfd);
    } else if (cfd >= 0) {
        n->clients[slot].fd = cfd;
        ingest_framer_init(&n->clients[slot].fr, sc->max_message);
    }
}

static void
syslog_run(struct ingest_src *s, void *state)
{
    struct syslog_src *n = state;
    struct pollfd pfd[SRC_TCP_CLIENTS + 1];
    struct tcp_client *map[SRC_TCP_CLIENTS + 1];
    size_t bufsz = ingest_src_config(s)->max_message + 1;
    char *buf = malloc(bufsz > 65536 ? bufsz : 65536);

    if (buf == NULL) {
        vigil_log(VIGIL_LOG_ERROR, 1114, "source %s: out of memory",
                  ingest_src_config(s)->name);
        return;
    }
    if (bufsz < 65536)
        bufsz = 65536;
    while (!ingest_src_stopping(s)) {
        struct vigil_err err = {0};
        nfds_t k = 0;
        int r;

        ingest_src_recover(s); /* cannot re-read: goes on */
        pfd[k].fd = n->ufd >= 0 ? n->ufd : n->lfd;
        pfd[k].events = POLLIN;
        map[k++] = NULL;
        for (int i = 0; n->clients && i < SRC_TCP_CLIENTS; i++)
            if (n->clients[i].fd >= 0) {
                pfd[k].fd = n->clients[i].fd;
                pfd[k].events = POLLIN;
                map[k++] = &n->clients[i];
            }
        r = poll(pfd, k, INGEST_WAIT_MS);
        if (r < 0 && errno != EINTR)
            break;
        if (r > 0 && (pfd[0].revents & POLLIN)) {
            if (n->ufd >= 0)
                udp_drain(s, n, buf, ingest_src_config(s)->max_message + 1);
            else
                tcp_accept(s, n);
        }
        for (nfds_t i = 1; r > 0 && i < k; i++) {
            struct tcp_client *c = map[i];
            if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t got = read(c->fd, buf, bufsz);
            if (got > 0)
                ingest_framer_feed(&c->fr, buf, (size_t)got, ingest_src_message,
                                   s);
            else if (got == 0 || (errno != EAGAIN && errno != EINTR))
                tcp_close(s, c);
        }
        if (r == 0)
            ingest_src_flush(s, &err);
        else
            ingest_src_flush_due(s, &err);
    }
    for (int i = 0; n->clients && i < SRC_TCP_CLIENTS; i++)
        if (n->clients[i].fd >= 0)
            tcp_close(s, &n->clients[i]);
    free(buf);
}

static void
syslog_close(void *state)
{
    struct syslog_src *n = state;

    if (n == NULL)
        return;
    if (n->ufd >= 0)
        close(n->ufd);
    if (n->lfd >= 0)
        close(n->lfd);
    free(n->clients);
    free(n);
}

const struct ingest_source_ops ingest_src_syslog_ops = {
    .type = "syslog",
    .default_format = "syslog",
    .open = syslog_open,
    .run = syslog_run,
    .rewind = NULL,
    .close = syslog_close,
};
