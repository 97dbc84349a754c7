/* daemon_privsep.c -- the daemon gives up what it does not need before it
 * reads a single log line.
 *
 * Started as root, it checks that its configuration, state and rules can
 * be trusted (core's vigil_path_trusted, sshd's StrictModes), hands its
 * state directory to the `vigil` account, becomes that account keeping
 * only CAP_DAC_READ_SEARCH (read the logs and the journal whatever their
 * owner) and CAP_NET_BIND_SERVICE (syslog on port 514), sets no_new_privs
 * and installs a seccomp filter that refuses the system calls a log reader
 * never needs (exec, ptrace, mount, module loading, changing identity...).
 * Started by another user (systemd's User=vigil, a developer), it keeps
 * its identity and still sets no_new_privs and the filter.
 * docs/security.md says what runs with which rights and why. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <seccomp.h>

#include "daemon_int.h"
#include "fim/fim.h"

#define DEFAULT_USER "vigil"

/* CAP_KILL and CAP_SYS_NICE last: kept only when fim's ransomware action
 * is stop (it must stop other users' processes, and its monitor thread
 * runs ahead of them, fim_watch.c), so NKEPT(p) counts them or not. */
static const cap_value_t kept_caps[] = {
    CAP_DAC_READ_SEARCH, CAP_NET_BIND_SERVICE, CAP_KILL, CAP_SYS_NICE};
#define NKEPT(p)                                                               \
    (sizeof(kept_caps) / sizeof(kept_caps[0]) - 2 * !(p)->keep_kill)

/* Does the configuration ask fim to stop processes? */
static int
wants_kill(const struct vigil_daemon_config *cfg)
{
    for (size_t i = 0; i < daemon_ncomponents; i++)
        if (daemon_components[i] == &daemon_comp_fim &&
            cfg->sections[i] != NULL)
            return ((const struct vigil_fim_config *)cfg->sections[i])
                ->action_stop;
    return 0;
}

enum vigil_rc
daemon_privs_plan(const struct vigil_daemon_config *cfg, struct daemon_privs *p,
                  struct vigil_err *err)
{
    const char *user = cfg->user[0] ? cfg->user : DEFAULT_USER;
    struct passwd *pw;

    memset(p, 0, sizeof(*p));
    p->keep_kill = wants_kill(cfg);
    p->uid = geteuid();
    p->gid = getegid();
    if (p->uid != 0)
        return VIGIL_OK; /* already someone else: nothing to give up */
    if (strcmp(user, "root") == 0) {
        vigil_log(VIGIL_LOG_WARN, 1170,
                  "running as root with every capability (user: root)");
        return VIGIL_OK;
    }
    if ((pw = getpwnam(user)) == NULL) {
        if (cfg->user[0] != '\0')
            return vigil_err_set(err, VIGIL_EPARSE, "user '%s' does not exist",
                                 user);
        vigil_log(VIGIL_LOG_WARN, 1171,
                  "no account '%s': running as root; create it with "
                  "`useradd --system --no-create-home --shell "
                  "/usr/sbin/nologin %s`",
                  user, user);
        return VIGIL_OK;
    }
    if (pw->pw_uid == 0)
        return VIGIL_OK;
    p->drop = 1;
    p->uid = pw->pw_uid;
    p->gid = pw->pw_gid;
    snprintf(p->user, sizeof(p->user), "%s", user);
    return VIGIL_OK;
}

/* Files of the state directory that root made (an earlier run as root,
 * `vigil status` creating the WAL index) are handed to the account. Every
 * step goes through an open folder handle and never follows a link, so
 * nothing swapped in between a look and a change is handed over. */
static enum vigil_rc
chown_root_owned_at(int dfd, const char *what, const struct daemon_privs *p,
                    struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_OK;
    struct dirent *de;
    struct stat st;
    int fd2 = dup(dfd);
    DIR *d;

    if (fchown(dfd, p->uid, p->gid) != 0 || fd2 < 0 ||
        (d = fdopendir(fd2)) == NULL) {
        if (fd2 >= 0)
            close(fd2);
        return vigil_err_set(err, VIGIL_EIO, "cannot hand %s to %s: %s", what,
                             p->user, strerror(errno));
    }
    while (rc == VIGIL_OK && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
            fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            st.st_uid != 0)
            continue;
        if (S_ISDIR(st.st_mode) && strcmp(de->d_name, "cache") == 0) {
            int sub = openat(dfd, "cache",
                             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) {
                rc = chown_root_owned_at(sub, "cache", p, err);
                close(sub);
            }
        } else if (S_ISREG(st.st_mode) && st.st_nlink == 1) {
            fchownat(dfd, de->d_name, p->uid, p->gid, AT_SYMLINK_NOFOLLOW);
        }
    }
    closedir(d);
    return rc;
}

static enum vigil_rc
chown_root_owned(const char *dir, const struct daemon_privs *p,
                 struct vigil_err *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    enum vigil_rc rc;

    if (fd < 0)
        return vigil_err_set(err, VIGIL_EIO, "%s: %s", dir, strerror(errno));
    rc = chown_root_owned_at(fd, dir, p, err);
    close(fd);
    return rc;
}

enum vigil_rc
daemon_state_check(const struct daemon_privs *p, const char *state,
                   struct vigil_err *err)
{
    enum vigil_rc rc;

    /* Trusted first: handing over files in a folder others can write
     * would give away whatever they linked there. */
    if ((rc = vigil_path_trusted(state, p->uid, 1, err)) != VIGIL_OK)
        return rc;
    return p->drop ? chown_root_owned(state, p, err) : VIGIL_OK;
}

/* Keeps kept_caps in the permitted and effective sets, nothing
 * inheritable, and removes every other capability from the bounding set
 * so not even an exec could bring one back. */
static enum vigil_rc
limit_caps(const struct daemon_privs *p, struct vigil_err *err)
{
    cap_t caps = cap_init();
    enum vigil_rc rc = VIGIL_OK;

    if (caps == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    if (cap_set_flag(caps, CAP_PERMITTED, (int)NKEPT(p), kept_caps, CAP_SET) !=
            0 ||
        cap_set_flag(caps, CAP_EFFECTIVE, (int)NKEPT(p), kept_caps, CAP_SET) !=
            0 ||
        cap_set_proc(caps) != 0)
        rc = vigil_err_set(err, VIGIL_EIO, "cannot limit capabilities: %s",
                           strerror(errno));
    cap_free(caps);
    return rc;
}

static void
drop_bounding_set(const struct daemon_privs *p)
{
    for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
        int keep = 0;
        for (size_t i = 0; i < NKEPT(p); i++)
            keep |= kept_caps[i] == c;
        if (!keep)
            prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
    }
}

enum vigil_rc
daemon_privs_drop(const struct daemon_privs *p, struct vigil_err *err)
{
    if (!p->drop)
        return VIGIL_OK;
    drop_bounding_set(p);
    if (initgroups(p->user, p->gid) != 0 ||
        setresgid(p->gid, p->gid, p->gid) != 0)
        return vigil_err_set(err, VIGIL_EIO, "cannot take %s's groups: %s",
                             p->user, strerror(errno));
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0 ||
        setresuid(p->uid, p->uid, p->uid) != 0)
        return vigil_err_set(err, VIGIL_EIO, "cannot become %s: %s", p->user,
                             strerror(errno));
    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
    if (setuid(0) == 0)
        return vigil_err_set(err, VIGIL_EIO,
                             "still able to become root after the drop");
    vigil_log(VIGIL_LOG_INFO, 1172,
              "running as %s (uid %u), keeping CAP_DAC_READ_SEARCH and "
              "CAP_NET_BIND_SERVICE only%s",
              p->user, (unsigned)p->uid,
              p->keep_kill
                  ? " and CAP_KILL, CAP_SYS_NICE (fim.ransomware.action: stop)"
                  : "");
    return limit_caps(p, err);
}

/* System calls a log reader, detector and store never make. */
static const char *const denied[] = {
    "execve",
    "execveat",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "swapon",
    "swapoff",
    "reboot",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "acct",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "sethostname",
    "setdomainname",
    "iopl",
    "ioperm",
    "bpf",
    "userfaultfd",
    "keyctl",
    "add_key",
    "request_key",
    "unshare",
    "setns",
    "personality",
    "quotactl",
    "open_by_handle_at",
    "name_to_handle_at",
    "mknod",
    "mknodat",
    "vhangup",
    "syslog",
    "uselib",
    "setuid",
    "setgid",
    "setreuid",
    "setregid",
    "setresuid",
    "setresgid",
    "setgroups",
    "capset",
    "process_vm_writev",
#if !defined(__SANITIZE_ADDRESS__)
    /* LeakSanitizer stops the world with ptrace at exit */
    "ptrace",
    "process_vm_readv",
    "perf_event_open",
#endif
};

enum vigil_rc
daemon_sandbox(struct vigil_err *err)
{
    scmp_filter_ctx ctx;
    int r = 0;

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return vigil_err_set(err, VIGIL_EIO, "cannot set no_new_privs: %s",
                             strerror(errno));
    if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "seccomp: out of memory");
    for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]) && r == 0; i++) {
        int nr = seccomp_syscall_resolve_name(denied[i]);
        if (nr != __NR_SCMP_ERROR)
            r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
    }
    if (r == 0)
        r = seccomp_load(ctx);
    seccomp_release(ctx);
    if (r != 0)
        return vigil_err_set(
            err, VIGIL_EIO, "cannot load the seccomp filter: %s", strerror(-r));
    return VIGIL_OK;
}
