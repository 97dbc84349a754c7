/* respond_helper.c -- the privileged helper, in the OpenBSD manner: a
 * small process forked as root before the daemon drops its privileges
 * and installs a seccomp filter that refuses exec. It keeps its own copy
 * of the response configuration (management networks, allow-list,
 * commands) and answers fixed-size requests (struct respond_req) on a
 * SOCK_SEQPACKET socket pair, one at a time: each is checked again by
 * respond_guard_check against that copy, so a daemon taken over by a
 * hostile log line can ask, but cannot make the helper block a
 * management address, kill pid 1 or the daemon, or run a program that is
 * not configured. It ends when the daemon closes its end (or dies). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "respond_int.h"

struct respond_helper {
    int fd;
    pid_t pid;
    int gone;             /* reaped by respond_helper_gone */
    pthread_mutex_t lock; /* one request at a time on the socket */
    struct vigil_respond_config cfg;
};

static void
helper_main(int fd, pid_t daemon, const struct vigil_respond_config *cfg)
{
    static struct respond_guard g;
    struct respond_req rq;
    struct respond_reply rp;

    prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
    if (getppid() != daemon)
        _exit(0);
    prctl(PR_SET_NAME, "vigil-respond", 0, 0, 0);
    signal(SIGPIPE, SIG_IGN);
    /* only the socket and the standard streams (stderr: the log) */
    for (int i = 3; i < 1024; i++)
        if (i != fd)
            close(i);
    respond_guard_init(&g, cfg);
    g.protect[g.nprotect++] = daemon;
    for (;;) {
        struct vigil_err err = {0};
        ssize_t n = recv(fd, &rq, sizeof(rq), 0);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(0);
        memset(&rp, 0, sizeof(rp));
        if ((size_t)n != sizeof(rq))
            vigil_err_set(&err, VIGIL_EINVAL, "malformed request");
        else
            respond_perform(&g, &rq, &err);
        rp.rc = (int32_t)err.rc;
        memcpy(rp.msg, err.msg, sizeof(rp.msg) - 1);
        if (send(fd, &rp, sizeof(rp), MSG_NOSIGNAL) != (ssize_t)sizeof(rp))
            _exit(0);
    }
}

enum vigil_rc
respond_helper_start(struct respond_helper **out,
                     const struct vigil_respond_config *cfg,
                     struct vigil_err *err)
{
    struct respond_helper *h = calloc(1, sizeof(*h));
    pid_t self = getpid();
    int sv[2];

    *out = NULL;
    if (h == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        free(h);
        return vigil_err_set(err, VIGIL_EIO, "socketpair: %s", strerror(errno));
    }
    h->cfg = *cfg;
    if ((h->pid = fork()) < 0) {
        close(sv[0]);
        close(sv[1]);
        free(h);
        return vigil_err_set(err, VIGIL_EIO, "fork: %s", strerror(errno));
    }
    if (h->pid == 0) {
        close(sv[0]);
        helper_main(sv[1], self, cfg);
        _exit(0);
    }
    close(sv[1]);
    h->fd = sv[0];
    pthread_mutex_init(&h->lock, NULL);
    vigil_log(VIGIL_LOG_INFO, 2101,
              "privileged helper started (pid %d) for containment",
              (int)h->pid);
    *out = h;
    return VIGIL_OK;
}

enum vigil_rc
respond_helper_call(struct respond_helper *h, const struct respond_req *rq,
                    struct vigil_err *err)
{
    struct respond_reply rp;
    enum vigil_rc rc = VIGIL_OK;
    ssize_t n;

    pthread_mutex_lock(&h->lock);
    if (send(h->fd, rq, sizeof(*rq), MSG_NOSIGNAL) != (ssize_t)sizeof(*rq)) {
        rc = vigil_err_set(err, VIGIL_EIO, "the privileged helper is gone: %s",
                           strerror(errno));
        goto out;
    }
    do
        n = recv(h->fd, &rp, sizeof(rp), 0);
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof(rp)) {
        rc = vigil_err_set(err, VIGIL_EIO, "the privileged helper is gone");
        goto out;
    }
    rp.msg[sizeof(rp.msg) - 1] = '\0';
    if (rp.rc != VIGIL_OK)
        rc = vigil_err_set(err,
                           rp.rc > 0 && rp.rc < VIGIL_END ? (enum vigil_rc)rp.rc
                                                          : VIGIL_EIO,
                           "%s", rp.msg);
out:
    pthread_mutex_unlock(&h->lock);
    return rc;
}

const struct vigil_respond_config *
respond_helper_config(const struct respond_helper *h)
{
    return &h->cfg;
}

pid_t
respond_helper_pid(const struct respond_helper *h)
{
    return h->pid;
}

int
respond_helper_gone(struct respond_helper *h)
{
    pid_t w;

    if (!h->gone && ((w = waitpid(h->pid, NULL, WNOHANG)) == h->pid ||
                     (w < 0 && errno == ECHILD)))
        h->gone = 1;
    return h->gone;
}

void
respond_helper_free(struct respond_helper *h)
{
    if (h == NULL)
        return;
    close(h->fd); /* the helper reads EOF and exits */
    if (!h->gone)
        waitpid(h->pid, NULL, 0);
    pthread_mutex_destroy(&h->lock);
    free(h);
}
