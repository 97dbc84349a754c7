/* Tests for the lineage of short-lived writers (fim_lineage.c): a parent
 * is answered for only while the events say it lives and was not
 * replaced by a later process with its pid; messages are read within
 * their lengths and only for the proc connector; and, as root, the real
 * kernel socket tells of a child forked and gone before /proc is read. */
#include "vigil_test.h"

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fim/fim_lineage.h"

static void
test_rules(void **state)
{
    struct fim_lineage *l = fim_lineage_new(-1);

    (void)state;
    assert_non_null(l);
    assert_int_equal(fim_lineage_fd(l), -1);
    assert_int_equal(fim_lineage_parent(l, 500), 0); /* never seen */

    /* a parent older than the lineage is answered for (/proc decides) */
    fim_lineage_fork(l, 500, 400, 1000);
    assert_int_equal(fim_lineage_parent(l, 500), 400);
    /* the child's exit does not change who forked it */
    fim_lineage_exit(l, 500, 400, 1100);
    assert_int_equal(fim_lineage_parent(l, 500), 400);
    /* the parent gone: nobody */
    fim_lineage_exit(l, 400, 1, 1200);
    assert_int_equal(fim_lineage_parent(l, 500), 0);
    /* the parent's pid taken by a process forked after the child: not it */
    fim_lineage_fork(l, 400, 300, 1300);
    assert_int_equal(fim_lineage_parent(l, 500), 0);
    /* a parent forked before the child, living: it */
    fim_lineage_fork(l, 600, 400, 1400);
    assert_int_equal(fim_lineage_parent(l, 600), 400);
    /* a pid in the same slot replaces the older one */
    fim_lineage_fork(l, 600 + FIM_LINEAGE_SLOTS, 401, 1500);
    assert_int_equal(fim_lineage_parent(l, 600), 0);
    assert_int_equal(fim_lineage_parent(l, 600 + FIM_LINEAGE_SLOTS), 401);
    /* pid 1 and nonsense are nobody's answer */
    fim_lineage_fork(l, 700, 1, 1600);
    assert_int_equal(fim_lineage_parent(l, 700), 0);
    fim_lineage_fork(l, -5, 400, 1700);
    fim_lineage_fork(l, 800, -1, 1700);
    assert_int_equal(fim_lineage_parent(l, 800), 0);
    assert_int_equal(fim_lineage_parent(l, -5), 0);
    fim_lineage_free(l);
}

/* One connector datagram carrying ev (the kernel's layout): a netlink
 * header, the connector's header, the event. */
struct datagram {
    unsigned char
        b[NLMSG_SPACE(sizeof(struct cn_msg) + sizeof(struct proc_event))]
        __attribute__((aligned(NLMSG_ALIGNTO)));
};

static struct cn_msg *
cn_of(struct datagram *d)
{
    return NLMSG_DATA((struct nlmsghdr *)d->b);
}

static size_t
datagram(struct datagram *d, const struct proc_event *ev, size_t evlen)
{
    struct nlmsghdr *nl = (struct nlmsghdr *)d->b;
    struct cn_msg *cn = cn_of(d);

    memset(d, 0, sizeof(*d));
    nl->nlmsg_len = (uint32_t)NLMSG_LENGTH(sizeof(*cn) + evlen);
    nl->nlmsg_type = NLMSG_DONE;
    cn->id.idx = CN_IDX_PROC;
    cn->id.val = CN_VAL_PROC;
    cn->len = (uint16_t)evlen;
    memcpy(cn + 1, ev, evlen);
    return NLMSG_ALIGN(nl->nlmsg_len);
}

static void
test_parse(void **state)
{
    struct fim_lineage *l = fim_lineage_new(-1);
    struct proc_event ev;
    struct datagram d;
    size_t n;

    (void)state;
    memset(&ev, 0, sizeof(ev));
    ev.what = PROC_EVENT_FORK;
    ev.timestamp_ns = 5000;
    ev.event_data.fork.parent_pid = ev.event_data.fork.parent_tgid = 900;
    ev.event_data.fork.child_pid = ev.event_data.fork.child_tgid = 901;
    n = datagram(&d, &ev, sizeof(ev));
    fim_lineage_parse(l, (const unsigned char *)&d, n);
    assert_int_equal(fim_lineage_parent(l, 901), 900);

    /* a thread is no process */
    ev.event_data.fork.child_pid = 903;
    ev.event_data.fork.child_tgid = 902;
    n = datagram(&d, &ev, sizeof(ev));
    fim_lineage_parse(l, (const unsigned char *)&d, n);
    assert_int_equal(fim_lineage_parent(l, 902), 0);

    /* cut short: the event is not read past what the message holds */
    ev.event_data.fork.child_pid = ev.event_data.fork.child_tgid = 904;
    n = datagram(&d, &ev, 8);
    fim_lineage_parse(l, (const unsigned char *)&d, n);
    assert_int_equal(fim_lineage_parent(l, 904), 0);
    n = datagram(&d, &ev, sizeof(ev));
    fim_lineage_parse(l, (const unsigned char *)&d, n - 1);
    assert_int_equal(fim_lineage_parent(l, 904), 0);
    /* a connector length past the message: refused */
    n = datagram(&d, &ev, sizeof(ev));
    cn_of(&d)->len = 60000;
    fim_lineage_parse(l, (const unsigned char *)&d, n);
    assert_int_equal(fim_lineage_parent(l, 904), 0);
    /* another connector's message: ignored */
    n = datagram(&d, &ev, sizeof(ev));
    cn_of(&d)->id.idx = CN_IDX_PROC + 1;
    fim_lineage_parse(l, (const unsigned char *)&d, n);
    assert_int_equal(fim_lineage_parent(l, 904), 0);

    /* the parent's exit */
    memset(&ev, 0, sizeof(ev));
    ev.what = PROC_EVENT_EXIT;
    ev.timestamp_ns = 6000;
    ev.event_data.exit.process_pid = ev.event_data.exit.process_tgid = 900;
    n = datagram(&d, &ev, sizeof(ev));
    fim_lineage_parse(l, (const unsigned char *)&d, n);
    assert_int_equal(fim_lineage_parent(l, 901), 0);
    fim_lineage_free(l);
}

/* The real socket: a child forked and reaped before anything reads /proc
 * is still known as this process's child. */
static void
test_kernel(void **state)
{
    char why[128];
    struct fim_lineage *l;
    struct pollfd pf;
    pid_t child;
    int fd, tries;

    (void)state;
    if (geteuid() != 0) {
        printf("SKIP: the proc connector needs root\n");
        skip();
    }
    fd = fim_lineage_open(why, sizeof(why));
    if (fd < 0) {
        printf("SKIP: %s\n", why);
        skip();
    }
    l = fim_lineage_new(fd);
    assert_non_null(l);
    child = fork();
    assert_true(child >= 0);
    if (child == 0)
        _exit(0);
    assert_int_equal(waitpid(child, NULL, 0), child);
    for (tries = 0; tries < 50 && fim_lineage_parent(l, child) == 0; tries++) {
        pf = (struct pollfd){.fd = fd, .events = POLLIN};
        (void)poll(&pf, 1, 100);
        (void)fim_lineage_drain(l);
    }
    assert_int_equal(fim_lineage_parent(l, child), getpid());
    fim_lineage_free(l);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_kernel),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
