/* respond_guard.c -- what may never be done, checked on the privileged
 * side before every action whoever asks (the daemon's helper, `vigil
 * respond`): no block of a management or allow-listed network, of
 * loopback or of this host's own addresses, gateways and resolvers
 * (respond_infra.c); no isolation without a
 * management network to keep; no signal to pid 1, the daemon, its helper
 * or any vigil process; no lock of root or of the daemon's account. */
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "respond_int.h"

void
respond_guard_init(struct respond_guard *g,
                   const struct vigil_respond_config *cfg)
{
    memset(g, 0, sizeof(*g));
    g->cfg = *cfg;
    g->protect[g->nprotect++] = getpid();
}

static int
in_nets(const uint8_t ip[16], const struct vigil_respond_net *nets, size_t n,
        const char **which)
{
    for (size_t i = 0; i < n; i++)
        if (vigil_ip_in_cidr(ip, nets[i].addr, nets[i].prefix)) {
            *which = nets[i].text;
            return 1;
        }
    return 0;
}

/* Is ip one of this host's own addresses? Blocking it would cut the host
 * off from itself. */
static int
own_address(const uint8_t ip[16])
{
    struct ifaddrs *ifa = NULL, *i;
    int found = 0;

    if (getifaddrs(&ifa) != 0)
        return 0;
    for (i = ifa; i && !found; i = i->ifa_next) {
        uint8_t a[16] = {0};
        if (i->ifa_addr == NULL)
            continue;
        if (i->ifa_addr->sa_family == AF_INET) {
            a[10] = a[11] = 0xff;
            memcpy(a + 12,
                   &((const struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr,
                   4);
        } else if (i->ifa_addr->sa_family == AF_INET6) {
            memcpy(
                a,
                &((const struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr,
                16);
        } else {
            continue;
        }
        found = memcmp(a, ip, 16) == 0;
    }
    freeifaddrs(ifa);
    return found;
}

static enum vigil_rc
check_address(const struct respond_guard *g, const char *text,
              struct vigil_err *err)
{
    static const uint8_t lo4[16] = {[10] = 0xff, [11] = 0xff, [12] = 127};
    static const uint8_t lo6[16] = {[15] = 1};
    static const uint8_t any6[16] = {0};
    static const uint8_t any4[16] = {[10] = 0xff, [11] = 0xff};
    uint8_t ip[16];
    const char *which;

    if (!vigil_ip_parse(text, strlen(text), ip))
        return vigil_err_set(err, VIGIL_EINVAL, "'%s' is not an IP address",
                             text);
    if (in_nets(ip, g->cfg.management, g->cfg.nmanagement, &which))
        return vigil_err_set(err, VIGIL_EPERM,
                             "%s is in the management network %s", text, which);
    if (in_nets(ip, g->cfg.allow, g->cfg.nallow, &which))
        return vigil_err_set(err, VIGIL_EPERM,
                             "%s is allow-listed (response.allow: %s)", text,
                             which);
    if (vigil_ip_in_cidr(ip, lo4, 8) || memcmp(ip, lo6, 16) == 0 ||
        memcmp(ip, any6, 16) == 0 || memcmp(ip, any4, 16) == 0)
        return vigil_err_set(err, VIGIL_EPERM,
                             "%s is a loopback or unspecified address", text);
    if (own_address(ip))
        return vigil_err_set(err, VIGIL_EPERM, "%s is an address of this host",
                             text);
    if ((which = respond_infra_address(ip)) != NULL)
        return vigil_err_set(err, VIGIL_EPERM, "%s is %s", text, which);
    return VIGIL_OK;
}

/* Is pid a vigil process (same program as this one)? The daemon and its
 * helper are, whatever their pid. */
static int
is_vigil(pid_t pid)
{
    char a[PATH_MAX], b[PATH_MAX], path[64];
    ssize_t na, nb;

    snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
    na = readlink(path, a, sizeof(a) - 1);
    nb = readlink("/proc/self/exe", b, sizeof(b) - 1);
    if (na <= 0 || nb <= 0)
        return 0;
    a[na] = b[nb] = '\0';
    return strcmp(a, b) == 0;
}

static enum vigil_rc
check_pid(const struct respond_guard *g, const char *text, pid_t *out,
          struct vigil_err *err)
{
    int64_t pid;

    if (!vigil_parse_i64(text, strlen(text), &pid) || pid <= 0 || pid > INT_MAX)
        return vigil_err_set(err, VIGIL_EINVAL, "'%s' is not a process id",
                             text);
    if (pid == 1)
        return vigil_err_set(err, VIGIL_EPERM,
                             "pid 1 is init: stopping it stops the host");
    for (size_t i = 0; i < g->nprotect; i++)
        if (g->protect[i] == (pid_t)pid)
            return vigil_err_set(err, VIGIL_EPERM,
                                 "pid %lld is vigil itself (the daemon or "
                                 "its helper)",
                                 (long long)pid);
    if (is_vigil((pid_t)pid))
        return vigil_err_set(err, VIGIL_EPERM, "pid %lld is a vigil process",
                             (long long)pid);
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
        return vigil_err_set(err, VIGIL_ENOTFOUND, "no process %lld",
                             (long long)pid);
    *out = (pid_t)pid;
    return VIGIL_OK;
}

/* A local account's name: what useradd accepts, so it cannot be read as
 * an option or carry anything else. */
static enum vigil_rc
check_user(const char *name, struct vigil_err *err)
{
    struct passwd *pw;
    size_t n = strlen(name);

    if (n == 0 || n > 32 || name[0] == '-' ||
        strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789_.-") != n)
        return vigil_err_set(err, VIGIL_EINVAL, "'%s' is not an account name",
                             name);
    if ((pw = getpwnam(name)) == NULL)
        return vigil_err_set(err, VIGIL_ENOTFOUND, "no account '%s'", name);
    if (pw->pw_uid == 0)
        return vigil_err_set(err, VIGIL_EPERM,
                             "'%s' is root: locking it could lock the "
                             "administrators out",
                             name);
    if (strcmp(name, "vigil") == 0 || pw->pw_uid == geteuid())
        return vigil_err_set(err, VIGIL_EPERM, "'%s' is vigil's own account",
                             name);
    return VIGIL_OK;
}

enum vigil_rc
respond_guard_check(const struct respond_guard *g, const struct respond_req *rq,
                    struct vigil_err *err)
{
    pid_t pid;

    if (rq->magic != RESPOND_MAGIC ||
        memchr(rq->target, '\0', sizeof(rq->target)) == NULL ||
        memchr(rq->rule, '\0', sizeof(rq->rule)) == NULL || rq->for_s < 0)
        return vigil_err_set(err, VIGIL_EINVAL, "malformed request");
    switch ((enum vigil_respond_action)rq->op) {
    case VIGIL_RA_BLOCK:
        return check_address(g, rq->target, err);
    case VIGIL_RA_UNBLOCK: {
        uint8_t ip[16];
        return vigil_ip_parse(rq->target, strlen(rq->target), ip)
                   ? VIGIL_OK
                   : vigil_err_set(err, VIGIL_EINVAL,
                                   "'%s' is not an IP address", rq->target);
    }
    case VIGIL_RA_ISOLATE:
        if (g->cfg.nmanagement == 0)
            return vigil_err_set(err, VIGIL_EPERM,
                                 "no management network configured "
                                 "(response.management): isolating would "
                                 "cut every administrator off");
        return VIGIL_OK;
    case VIGIL_RA_UNISOLATE:
        return VIGIL_OK;
    case VIGIL_RA_STOP:
        return check_pid(g, rq->target, &pid, err);
    case VIGIL_RA_LOCK:
    case VIGIL_RA_UNLOCK:
        return check_user(rq->target, err);
    case VIGIL_RA_RUN:
        if (rq->command < 0 || (size_t)rq->command >= g->cfg.ncommands)
            return vigil_err_set(err, VIGIL_EINVAL, "no command %d",
                                 (int)rq->command);
        /* the address handed to the command is checked as a block's */
        return rq->target[0] ? check_address(g, rq->target, err) : VIGIL_OK;
    }
    return vigil_err_set(err, VIGIL_EINVAL, "unknown action %u",
                         (unsigned)rq->op);
}

enum vigil_rc
respond_perform(const struct respond_guard *g, const struct respond_req *rq,
                struct vigil_err *err)
{
    enum vigil_rc rc;
    uint8_t ip[16];
    pid_t pid;

    if ((rc = respond_guard_check(g, rq, err)) != VIGIL_OK || rq->check_only)
        return rc;
    switch ((enum vigil_respond_action)rq->op) {
    case VIGIL_RA_BLOCK:
    case VIGIL_RA_UNBLOCK:
        vigil_ip_parse(rq->target, strlen(rq->target), ip);
        return respond_nft_block(g, ip, rq->for_s, rq->op == VIGIL_RA_BLOCK,
                                 err);
    case VIGIL_RA_ISOLATE:
    case VIGIL_RA_UNISOLATE:
        return respond_nft_isolate(g, rq->op == VIGIL_RA_ISOLATE, err);
    case VIGIL_RA_STOP:
        if ((rc = check_pid(g, rq->target, &pid, err)) != VIGIL_OK)
            return rc;
        return respond_stop_pid(pid, err);
    case VIGIL_RA_LOCK:
    case VIGIL_RA_UNLOCK:
        return respond_lock_user(g, rq->target, rq->op == VIGIL_RA_LOCK, err);
    case VIGIL_RA_RUN:
        return respond_run_command(g, rq, err);
    }
    return vigil_err_set(err, VIGIL_EINVAL, "unknown action");
}
