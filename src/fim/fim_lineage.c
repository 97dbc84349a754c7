/* fim_lineage.c -- who started whom, from the kernel's process events.
 *
 * Ransomware run from a script starts one short process per file (an
 * `openssl enc`, a `dd`): fanotify names it, but under load it has often
 * exited before the monitor reads its close, and /proc no longer says who
 * its parent was. The netlink proc connector tells of every fork and exit
 * as it happens, before the child runs, so by the time a write of the
 * child is read here, its fork is already waiting on this socket: the
 * monitor drains it first, then asks fim_lineage_parent.
 *
 * Memory is fixed: one slot per pid modulo FIM_LINEAGE_SLOTS, holding the
 * last process seen with that pid. A parent is only answered for while it
 * is known not to have exited nor been replaced by a later process with
 * its pid; a parent older than the lineage (no slot of its own) is taken
 * as living, and fim_stop.c checks /proc before signalling anyone.
 *
 * The socket is only read for messages from the kernel (sender port 0):
 * nobody else can feed it forks. */
#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fim/fim_lineage.h"

#define RCVBUF (4 << 20) /* a fork storm fits for a while */

struct slot {
    int32_t pid, parent;
    int64_t forked; /* ns, 0: known only from its exit */
    int64_t exited; /* ns, 0: living as far as the events say */
};

struct fim_lineage {
    int fd;
    struct slot *slots;                 /* FIM_LINEAGE_SLOTS */
    int32_t recent[FIM_LINEAGE_RECENT]; /* forked or exec'd, a ring */
    size_t nrecent;                     /* pushed since the last take */
};

/* The listen request: a netlink header, the connector's header and the
 * operation, laid out as the kernel reads them (no padding between). */
#define LISTEN_LEN NLMSG_LENGTH(sizeof(struct cn_msg) + sizeof(uint32_t))

int
fim_lineage_open(char *errbuf, size_t len)
{
    struct sockaddr_nl a = {.nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC};
    unsigned char m[NLMSG_SPACE(sizeof(struct cn_msg) + sizeof(uint32_t))]
        __attribute__((aligned(NLMSG_ALIGNTO)));
    struct nlmsghdr *nl = (struct nlmsghdr *)m;
    struct cn_msg *cn = NLMSG_DATA(nl);
    uint32_t op = PROC_CN_MCAST_LISTEN;
    int fd, sz = RCVBUF;

    fd = socket(PF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
                NETLINK_CONNECTOR);
    if (fd < 0) {
        snprintf(errbuf, len, "netlink connector: %s", strerror(errno));
        return -1;
    }
    /* as root the size asked for is given, past the system's default */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) != 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
    memset(m, 0, sizeof(m));
    nl->nlmsg_len = LISTEN_LEN;
    nl->nlmsg_type = NLMSG_DONE;
    cn->id.idx = CN_IDX_PROC;
    cn->id.val = CN_VAL_PROC;
    cn->len = sizeof(op);
    memcpy(cn + 1, &op, sizeof(op));
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        send(fd, m, LISTEN_LEN, 0) != (ssize_t)LISTEN_LEN) {
        /* ECONNREFUSED: a network namespace other than the host's (a
         * container) gets no process events */
        snprintf(errbuf, len,
                 "the kernel's process events (netlink proc connector) "
                 "are refused: %s%s",
                 strerror(errno),
                 errno == ECONNREFUSED
                     ? " (only the host's network namespace gets them)"
                     : "");
        close(fd);
        return -1;
    }
    return fd;
}

struct fim_lineage *
fim_lineage_new(int fd)
{
    struct fim_lineage *l = calloc(1, sizeof(*l));

    if (l == NULL ||
        (l->slots = calloc(FIM_LINEAGE_SLOTS, sizeof(*l->slots))) == NULL) {
        free(l);
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    l->fd = fd;
    return l;
}

void
fim_lineage_free(struct fim_lineage *l)
{
    if (l == NULL)
        return;
    if (l->fd >= 0)
        close(l->fd);
    free(l->slots);
    free(l);
}

int
fim_lineage_fd(const struct fim_lineage *l)
{
    return l != NULL ? l->fd : -1;
}

static struct slot *
slot_of(const struct fim_lineage *l, int64_t pid)
{
    return &l->slots[(uint64_t)pid % FIM_LINEAGE_SLOTS];
}

static void
push_recent(struct fim_lineage *l, int64_t pid)
{
    l->recent[l->nrecent++ % FIM_LINEAGE_RECENT] = (int32_t)pid;
}

size_t
fim_lineage_take_recent(struct fim_lineage *l, int64_t *out, size_t max)
{
    size_t n = 0;

    if (l == NULL)
        return 0;
    /* newest first; older ones past the ring are gone */
    for (size_t i = l->nrecent; i > 0 && n < max && n < FIM_LINEAGE_RECENT; i--)
        out[n++] = l->recent[(i - 1) % FIM_LINEAGE_RECENT];
    l->nrecent = 0;
    return n;
}

void
fim_lineage_fork(struct fim_lineage *l, int64_t pid, int64_t parent,
                 int64_t at_ns)
{
    struct slot *s;

    if (pid <= 0 || pid > INT32_MAX || parent <= 0 || parent > INT32_MAX)
        return;
    s = slot_of(l, pid);
    *s = (struct slot){(int32_t)pid, (int32_t)parent, at_ns > 0 ? at_ns : 1, 0};
    push_recent(l, pid);
}

void
fim_lineage_exit(struct fim_lineage *l, int64_t pid, int64_t parent,
                 int64_t at_ns)
{
    struct slot *s;

    if (pid <= 0 || pid > INT32_MAX)
        return;
    s = slot_of(l, pid);
    if (s->pid != pid) /* forked before the lineage started */
        *s = (struct slot){
            (int32_t)pid,
            parent > 0 && parent <= INT32_MAX ? (int32_t)parent : 0, 0, 0};
    s->exited = at_ns > 0 ? at_ns : 1;
}

int64_t
fim_lineage_parent(const struct fim_lineage *l, int64_t pid)
{
    const struct slot *s, *p;

    if (l == NULL || pid <= 0 || pid > INT32_MAX)
        return 0;
    s = slot_of(l, pid);
    if (s->pid != pid || s->parent <= 1)
        return 0;
    p = slot_of(l, s->parent);
    if (p->pid != s->parent)
        return s->parent; /* older than the lineage: /proc decides */
    /* gone, or its pid now belongs to a process forked after the child */
    if (p->exited != 0 || (s->forked != 0 && p->forked > s->forked))
        return 0;
    return s->parent;
}

/* One connector message's process event (len bytes at ev). */
static void
on_event(struct fim_lineage *l, const unsigned char *ev, size_t len)
{
    struct proc_event e;
    size_t head = offsetof(struct proc_event, event_data);

    if (len < head)
        return;
    memset(&e, 0, sizeof(e));
    memcpy(&e, ev, len < sizeof(e) ? len : sizeof(e));
    switch (e.what) {
    case PROC_EVENT_FORK:
        /* a new thread is no new process */
        if (len >= head + sizeof(e.event_data.fork) &&
            e.event_data.fork.child_pid == e.event_data.fork.child_tgid)
            fim_lineage_fork(l, e.event_data.fork.child_tgid,
                             e.event_data.fork.parent_tgid,
                             (int64_t)e.timestamp_ns);
        break;
    case PROC_EVENT_EXEC:
        /* a shell's redirection is open before it execs the writer */
        if (len >= head + sizeof(e.event_data.exec) &&
            e.event_data.exec.process_pid == e.event_data.exec.process_tgid &&
            e.event_data.exec.process_tgid > 0)
            push_recent(l, e.event_data.exec.process_tgid);
        break;
    case PROC_EVENT_EXIT:
        /* older kernels' exit events carry no parent: 0 then */
        if (len >= head + offsetof(struct exit_proc_event, parent_pid) &&
            e.event_data.exit.process_pid == e.event_data.exit.process_tgid)
            fim_lineage_exit(l, e.event_data.exit.process_tgid,
                             len >= head + sizeof(e.event_data.exit)
                                 ? e.event_data.exit.parent_tgid
                                 : 0,
                             (int64_t)e.timestamp_ns);
        break;
    default:
        break;
    }
}

void
fim_lineage_parse(struct fim_lineage *l, const unsigned char *buf, size_t n)
{
    /* headers are copied out, not read in place: the bytes need not be
     * aligned, and each length is checked against what is left before
     * anything after it is read (NLMSG_NEXT's unsigned count would wrap
     * on a last message shorter than its alignment) */
    for (size_t off = 0; n - off >= sizeof(struct nlmsghdr);) {
        struct nlmsghdr h;
        struct cn_msg cn;
        size_t len, step;

        memcpy(&h, buf + off, sizeof(h));
        len = h.nlmsg_len;
        if (len < sizeof(h) || len > n - off)
            break;
        if (h.nlmsg_type != NLMSG_ERROR && h.nlmsg_type != NLMSG_NOOP &&
            len >= NLMSG_LENGTH(sizeof(cn))) {
            memcpy(&cn, buf + off + NLMSG_HDRLEN, sizeof(cn));
            if (cn.id.idx == CN_IDX_PROC && cn.id.val == CN_VAL_PROC &&
                cn.len <= len - NLMSG_LENGTH(sizeof(cn)))
                on_event(l, buf + off + NLMSG_LENGTH(sizeof(cn)), cn.len);
        }
        step = NLMSG_ALIGN(len);
        if (step >= n - off)
            break;
        off += step;
    }
}

int
fim_lineage_drain(struct fim_lineage *l)
{
    unsigned char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
    int dropped = 0;

    if (l == NULL || l->fd < 0)
        return 0;
    for (;;) {
        struct sockaddr_nl from;
        socklen_t fl = sizeof(from);
        ssize_t n =
            recvfrom(l->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
        if (n < 0) {
            if (errno == ENOBUFS) { /* the kernel dropped some: go on */
                dropped = 1;
                continue;
            }
            if (errno == EINTR)
                continue;
            break;
        }
        if (fl == sizeof(from) && from.nl_family == AF_NETLINK &&
            from.nl_pid == 0)
            fim_lineage_parse(l, buf, (size_t)n);
    }
    return dropped;
}
