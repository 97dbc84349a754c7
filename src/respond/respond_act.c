/* respond_act.c -- the actuators, run on the privileged side only after
 * respond_guard_check said yes: nftables through `nft -f -` (a fixed
 * argument vector, the script on standard input, no shell), signals,
 * usermod, configured commands.
 *
 * The firewall lives in its own table, `inet vigil`: sets blocked4 and
 * blocked6 with per-element timeouts (the kernel expires a block even if
 * vigil is not running), base chains on input and forward dropping them,
 * and, while isolated, chains on input, output and forward with policy
 * drop that accept only loopback, the management sets and IPv6 neighbour
 * discovery. Every script first (re)declares the table, so a flushed
 * ruleset is rebuilt by the next action; each script is one atomic
 * transaction. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "respond_int.h"

static int64_t
mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
child_exec(const char *const *argv, int in, int out)
{
    static char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                                 "LC_ALL=C", NULL};
    int null = open("/dev/null", O_RDWR);

    if (dup2(in >= 0 ? in : null, 0) < 0 || dup2(out, 1) < 0 ||
        dup2(out, 2) < 0)
        _exit(126);
    /* nothing else of the parent's (sockets, the store) goes along */
    for (int fd = 3; fd < 1024; fd++)
        close(fd);
    execve(argv[0], (char *const *)argv, envp);
    _exit(127);
}

enum vigil_rc
respond_run_argv(const char *const *argv, const char *input, int64_t timeout_ms,
                 struct vigil_err *err)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1};
    char text[512];
    size_t ntext = 0;
    int64_t deadline = mono_ms() + timeout_ms;
    enum vigil_rc rc = VIGIL_OK;
    int status = 0, done = 0;
    pid_t pid;

    if ((input != NULL && pipe2(in, O_CLOEXEC) != 0) ||
        pipe2(out, O_CLOEXEC) != 0) {
        rc = vigil_err_set(err, VIGIL_EIO, "pipe: %s", strerror(errno));
        goto out;
    }
    if ((pid = fork()) < 0) {
        rc = vigil_err_set(err, VIGIL_EIO, "fork: %s", strerror(errno));
        goto out;
    }
    if (pid == 0)
        child_exec(argv, in[0], out[1]);
    close(out[1]);
    out[1] = -1;
    if (input != NULL) {
        size_t len = strlen(input), off = 0;
        close(in[0]);
        in[0] = -1;
        while (off < len) {
            ssize_t w = write(in[1], input + off, len - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                break;
            off += (size_t)w;
        }
        close(in[1]);
        in[1] = -1;
    }
    /* What it says, until it closes its output or time is up. */
    for (;;) {
        struct pollfd p = {out[0], POLLIN, 0};
        int64_t left = deadline - mono_ms();
        ssize_t r;

        if (left <= 0)
            break;
        if (poll(&p, 1, (int)left) <= 0)
            continue;
        r = read(out[0], text + ntext, sizeof(text) - 1 - ntext);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        ntext += (size_t)r;
        if (ntext == sizeof(text) - 1) {
            char sink[4096];
            while (read(out[0], sink, sizeof(sink)) > 0)
                ;
            break;
        }
    }
    text[ntext] = '\0';
    while (!done) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            done = 1;
        else if (w < 0 && errno != EINTR)
            break;
        else if (mono_ms() >= deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            rc = vigil_err_set(err, VIGIL_EIO, "%s: killed after %lld ms",
                               argv[0], (long long)timeout_ms);
            goto out;
        } else {
            struct timespec ts = {0, 2 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    if (!done || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char *nl = strchr(text, '\n');
        if (nl != NULL && nl[1] != '\0' && strncmp(text, "Error", 5) != 0)
            text[0] = '\0';
        while ((nl = strchr(text, '\n')) != NULL)
            *nl = ' ';
        rc = vigil_err_set(
            err, VIGIL_EIO, "%s %s %d%s%s", argv[0],
            done && WIFEXITED(status) ? "exited with" : "ended by signal",
            done && WIFEXITED(status) ? WEXITSTATUS(status)
                                      : (done ? WTERMSIG(status) : -1),
            text[0] ? ": " : "", text);
    }
out:
    for (int i = 0; i < 2; i++) {
        if (in[i] >= 0)
            close(in[i]);
        if (out[i] >= 0)
            close(out[i]);
    }
    return rc;
}

/* ---- nftables ---- */

static const char *
nft_path(const struct respond_guard *g)
{
    static const char *const where[] = {"/usr/sbin/nft", "/sbin/nft",
                                        "/usr/bin/nft"};

    if (g->cfg.nft[0] != '\0')
        return g->cfg.nft;
    for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++)
        if (access(where[i], X_OK) == 0)
            return where[i];
    return where[0];
}

/* The table, its sets and the block chains; idempotent. */
static const char nft_base[] =
    "add table inet vigil\n"
    "add set inet vigil blocked4 { type ipv4_addr; flags timeout; }\n"
    "add set inet vigil blocked6 { type ipv6_addr; flags timeout; }\n"
    "add set inet vigil mgmt4 { type ipv4_addr; flags interval; }\n"
    "add set inet vigil mgmt6 { type ipv6_addr; flags interval; }\n"
    "add chain inet vigil input { type filter hook input priority -10; "
    "policy accept; }\n"
    "add chain inet vigil forward { type filter hook forward priority -10; "
    "policy accept; }\n"
    "flush chain inet vigil input\n"
    "flush chain inet vigil forward\n"
    "add rule inet vigil input ip saddr @blocked4 drop\n"
    "add rule inet vigil input ip6 saddr @blocked6 drop\n"
    "add rule inet vigil forward ip saddr @blocked4 drop\n"
    "add rule inet vigil forward ip6 saddr @blocked6 drop\n"
    "add rule inet vigil forward ip daddr @blocked4 drop\n"
    "add rule inet vigil forward ip6 daddr @blocked6 drop\n";

static enum vigil_rc
nft_run(const struct respond_guard *g, const char *script,
        struct vigil_err *err)
{
    const char *argv[] = {nft_path(g), "-f", "-", NULL};

    return respond_run_argv(
        argv, script,
        g->cfg.command_timeout_ms ? g->cfg.command_timeout_ms : 30000, err);
}

static int
is_v4(const uint8_t ip[16])
{
    static const uint8_t pre[12] = {[10] = 0xff, [11] = 0xff};
    return memcmp(ip, pre, 12) == 0;
}

enum vigil_rc
respond_nft_block(const struct respond_guard *g, const uint8_t addr[16],
                  int64_t for_s, int add, struct vigil_err *err)
{
    struct vigil_buf s;
    const char *set = is_v4(addr) ? "blocked4" : "blocked6";
    char a[64];
    enum vigil_rc rc;

    vigil_ip_format(addr, a);
    vigil_buf_init(&s, 64 * 1024);
    /* add + delete first: the element exists whatever it was, and goes;
     * a block then comes back with its new timeout. */
    rc = vigil_buf_printf(&s,
                          "%sadd element inet vigil %s { %s }\n"
                          "delete element inet vigil %s { %s }\n",
                          nft_base, set, a, set, a);
    if (rc == VIGIL_OK && add && for_s > 0)
        rc = vigil_buf_printf(
            &s, "add element inet vigil %s { %s timeout %llds }\n", set, a,
            (long long)for_s);
    else if (rc == VIGIL_OK && add)
        rc = vigil_buf_printf(&s, "add element inet vigil %s { %s }\n", set, a);
    if (rc == VIGIL_OK)
        rc = nft_run(g, s.data, err);
    else
        vigil_err_set(err, rc, "nft script too long");
    vigil_buf_fini(&s);
    return rc;
}

static enum vigil_rc
put_mgmt(const struct respond_guard *g, struct vigil_buf *s, int v4)
{
    enum vigil_rc rc = VIGIL_OK;
    int any = 0;

    for (size_t i = 0; i < g->cfg.nmanagement && rc == VIGIL_OK; i++) {
        const struct vigil_respond_net *n = &g->cfg.management[i];
        uint8_t net[16] = {0};
        unsigned bits = is_v4(n->addr) ? 96 + n->prefix : n->prefix;
        char a[64];

        if (is_v4(n->addr) != v4)
            continue;
        /* the network address, so nft never sees host bits */
        for (unsigned b = 0; b < 128; b++) {
            uint8_t bit = (uint8_t)(0x80 >> (b % 8));
            if (b < bits)
                net[b / 8] =
                    (uint8_t)((net[b / 8] & ~bit) | (n->addr[b / 8] & bit));
            else
                net[b / 8] = (uint8_t)(net[b / 8] & ~bit);
        }
        vigil_ip_format(net, a);
        rc = vigil_buf_printf(s, "%s%s/%u", any ? ", " : "", a, n->prefix);
        any = 1;
    }
    return rc;
}

enum vigil_rc
respond_nft_isolate(const struct respond_guard *g, int on,
                    struct vigil_err *err)
{
    static const char *const chains[][2] = {
        {"isolate_in", "input"},
        {"isolate_out", "output"},
        {"isolate_fwd", "forward"},
    };
    struct vigil_buf s;
    enum vigil_rc rc;

    vigil_buf_init(&s, 256 * 1024);
    rc = vigil_buf_printf(&s, "%s", nft_base);
    for (size_t i = 0; i < 3 && rc == VIGIL_OK; i++)
        rc = vigil_buf_printf(&s,
                              "add chain inet vigil %s { type filter hook %s "
                              "priority -5; policy %s; }\n"
                              "flush chain inet vigil %s\n",
                              chains[i][0], chains[i][1],
                              on ? "drop" : "accept", chains[i][0]);
    if (rc == VIGIL_OK && !on) {
        for (size_t i = 0; i < 3 && rc == VIGIL_OK; i++)
            rc = vigil_buf_printf(&s, "delete chain inet vigil %s\n",
                                  chains[i][0]);
    } else if (rc == VIGIL_OK) {
        rc = vigil_buf_printf(&s, "flush set inet vigil mgmt4\n"
                                  "flush set inet vigil mgmt6\n");
        for (int v4 = 1; v4 >= 0 && rc == VIGIL_OK; v4--) {
            size_t before = s.len;
            rc = vigil_buf_printf(&s, "add element inet vigil %s { ",
                                  v4 ? "mgmt4" : "mgmt6");
            size_t mark = s.len;
            if (rc == VIGIL_OK)
                rc = put_mgmt(g, &s, v4);
            if (rc == VIGIL_OK && s.len == mark) { /* none of this family */
                s.len = before;
                s.data[before] = '\0';
            } else if (rc == VIGIL_OK) {
                rc = vigil_buf_printf(&s, " }\n");
            }
        }
        if (rc == VIGIL_OK)
            rc = vigil_buf_printf(
                &s,
                "add rule inet vigil isolate_in iif lo accept\n"
                "add rule inet vigil isolate_in ip saddr @mgmt4 accept\n"
                "add rule inet vigil isolate_in ip6 saddr @mgmt6 accept\n"
                "add rule inet vigil isolate_in icmpv6 type { "
                "nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } "
                "accept\n"
                "add rule inet vigil isolate_out oif lo accept\n"
                "add rule inet vigil isolate_out ip daddr @mgmt4 accept\n"
                "add rule inet vigil isolate_out ip6 daddr @mgmt6 accept\n"
                "add rule inet vigil isolate_out icmpv6 type { "
                "nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit } "
                "accept\n"
                "add rule inet vigil isolate_fwd ip saddr @mgmt4 accept\n"
                "add rule inet vigil isolate_fwd ip daddr @mgmt4 accept\n"
                "add rule inet vigil isolate_fwd ip6 saddr @mgmt6 accept\n"
                "add rule inet vigil isolate_fwd ip6 daddr @mgmt6 accept\n");
    }
    if (rc == VIGIL_OK)
        rc = nft_run(g, s.data, err);
    else
        vigil_err_set(err, rc, "nft script too long");
    vigil_buf_fini(&s);
    return rc;
}

/* ---- processes and accounts ---- */

enum vigil_rc
respond_stop_pid(pid_t pid, struct vigil_err *err)
{
    /* Frozen first, so it cannot react (fork, wipe, send) between our
     * look and the kill. */
    if (kill(pid, SIGSTOP) != 0 || kill(pid, SIGKILL) != 0)
        return vigil_err_set(err, errno == ESRCH ? VIGIL_ENOTFOUND : VIGIL_EIO,
                             "cannot stop pid %d: %s", (int)pid,
                             strerror(errno));
    return VIGIL_OK;
}

enum vigil_rc
respond_lock_user(const struct respond_guard *g, const char *user, int lock,
                  struct vigil_err *err)
{
    /* -L locks the password, -e 1 expires the account (which stops key
     * logins too); -U and an empty -e undo both. */
    const char *argv_lock[] = {
        "/usr/sbin/usermod", "-L", "-e", "1", "--", user, NULL};
    const char *argv_unlock[] = {
        "/usr/sbin/usermod", "-U", "-e", "", "--", user, NULL};

    return respond_run_argv(lock ? argv_lock : argv_unlock, NULL,
                            g->cfg.command_timeout_ms, err);
}

enum vigil_rc
respond_run_command(const struct respond_guard *g, const struct respond_req *rq,
                    struct vigil_err *err)
{
    const struct vigil_respond_command *c = &g->cfg.commands[rq->command];
    const char *argv[VIGIL_RESPOND_MAX_ARGS + 1];

    for (size_t i = 0; i < c->argc; i++) {
        if (strcmp(c->argv[i], "{address}") == 0)
            argv[i] = rq->target;
        else if (strcmp(c->argv[i], "{rule}") == 0)
            argv[i] = rq->rule;
        else
            argv[i] = c->argv[i];
    }
    argv[c->argc] = NULL;
    return respond_run_argv(argv, NULL, g->cfg.command_timeout_ms, err);
}
