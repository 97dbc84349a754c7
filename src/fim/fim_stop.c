/* fim_stop.c -- who acted, read from /proc, and stopping a ransomware run.
 *
 * What is stopped (fim_stop_plan): the process that wrote, its parents as
 * long as they share its process group and session (a script that runs
 * one `openssl enc` per file is the attack, not only the openssl of the
 * moment), the whole group when that walk reached the group's leader (the
 * group is the attack's own: its other workers go too), and every
 * descendant of those. A process launched without a group of its own
 * (from a script, in its caller's group) is therefore stopped without
 * touching the caller. Never signalled: pid 1 and kernel threads, the
 * daemon, its ancestors (whoever started it) and its children, a session
 * leader with a terminal (someone's login shell), and any process whose
 * executable -- read from /proc/PID/exe, never from the command line a
 * process writes itself -- is allow-listed.
 *
 * All of them get SIGSTOP first, which lands at once and cannot be
 * caught, so none writes or forks while the others are found; /proc is
 * then read again for children forked meanwhile, and all get SIGKILL.
 *
 * inotify names nobody, so a process is named only when the evidence is
 * unambiguous: it writes (holds open for writing) a file of the watched
 * trees, and it or its siblings -- the children of one parent, as a
 * script starts one `openssl` per file -- are the only ones seen within
 * the window writing a file that then looked encrypted once closed, or a
 * file with a ransom extension. A logger keeping a file open or a copier
 * writing plain files is not it. A command line
 * or working folder naming the tree is no evidence: any process can claim
 * either. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fim/fim_ransom.h"
#include "fim/fim_stop.h"

#define PROC_MAX   65536 /* processes read from /proc */
#define FD_MAX     4096  /* descriptors looked at per process */
#define STOP_MAX   4096  /* processes stopped in one run */
#define DEPTH_MAX  64    /* generations of descendants */
#define WRITING    64    /* processes writing in the trees at once */
#define MARK_SELF  1
#define MARK_STOP  2
#define MARK_CHECK 4  /* protection decided: */
#define MARK_SAFE  8  /* ... and it is protected */
#define MARK_OUT   16 /* already in the plan's output */

/* Parses "pid (comm) S ppid pgrp session tty_nr ... starttime": the
 * command name may hold ')' and spaces, so fields follow the last ')'. */
static int
read_stat(int64_t pid, struct fim_proc *p, char *comm, size_t commlen)
{
    char path[64], buf[1024], *s, *o;
    long long ppid, pgrp, sid;
    unsigned long long start;
    int tty;
    ssize_t n;
    int fd;
    char state;

    snprintf(path, sizeof(path), "/proc/%lld/stat", (long long)pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return 0;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    if ((s = strrchr(buf, ')')) == NULL || (o = strchr(buf, '(')) == NULL ||
        o > s)
        return 0;
    if (sscanf(s + 1,
               " %c %lld %lld %lld %d %*d %*u %*u %*u %*u %*u %*u %*u %*d "
               "%*d %*d %*d %*d %*d %llu",
               &state, &ppid, &pgrp, &sid, &tty, &start) != 6 ||
        state == 'Z')
        return 0;
    p->pid = pid;
    p->ppid = ppid;
    p->pgid = pgrp;
    p->sid = sid;
    p->tty = tty != 0;
    p->start = start;
    if (comm != NULL)
        snprintf(comm, commlen, "%.*s", (int)(s - o - 1), o + 1);
    return 1;
}

int
fim_proc_read(int64_t pid, struct fim_proc *p)
{
    char path[64], buf[2048], *s;
    ssize_t n;
    int fd;

    memset(p, 0, sizeof(*p));
    if (!read_stat(pid, p, NULL, 0))
        return 0;
    snprintf(path, sizeof(path), "/proc/%lld/status", (long long)pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        buf[n > 0 ? n : 0] = '\0';
        if ((s = strstr(buf, "\nUid:")) != NULL)
            p->uid = (uint32_t)strtoul(s + 5, NULL, 10);
    }
    /* the kernel's link to the file it executes; another user's process
     * hides it once privileges are dropped, and then it stays unknown:
     * argv[0] and the command name are whatever the process set */
    snprintf(path, sizeof(path), "/proc/%lld/exe", (long long)pid);
    n = readlink(path, p->exe, sizeof(p->exe) - 1);
    if (n > 0 && (size_t)n < sizeof(p->exe) - 1) {
        p->exe[n] = '\0';
        p->exe_known = 1;
    } else {
        snprintf(p->exe, sizeof(p->exe), "%s", FIM_EXE_UNKNOWN);
    }
    return 1;
}

int
fim_proc_start(int64_t pid, uint64_t *start)
{
    struct fim_proc p;

    if (!read_stat(pid, &p, NULL, 0))
        return 0;
    *start = p.start;
    return 1;
}

/* ---- the plan ---- */

static int
by_pid(const void *a, const void *b)
{
    const struct fim_pnode *x = a, *y = b;

    return (x->pid > y->pid) - (x->pid < y->pid);
}

/* all is sorted by pid. */
static ssize_t
find(const struct fim_pnode *all, size_t n, int64_t pid)
{
    struct fim_pnode key = {.pid = pid};
    const struct fim_pnode *p = bsearch(&key, all, n, sizeof(*all), by_pid);

    return p != NULL ? p - all : -1;
}

/* Marks the descendants of the processes marked with from, as to. */
static void
mark_descendants(struct fim_pnode *all, size_t n, int from, int to)
{
    for (int depth = 0, more = 1; more && depth < DEPTH_MAX; depth++) {
        more = 0;
        for (size_t i = 0; i < n; i++) {
            if (all[i].mark & (from | to))
                continue;
            ssize_t p = find(all, n, all[i].ppid);
            if (p >= 0 && (all[p].mark & (from | to))) {
                all[i].mark |= to;
                more = 1;
            }
        }
    }
}

/* Why all[i] must not be signalled, or NULL. */
static const char *
protection(struct fim_pnode *all, size_t i, fim_allowed_fn allowed, void *arg)
{
    const struct fim_pnode *p = &all[i];

    if (p->pid <= 2 || p->ppid == 0 || p->ppid == 2)
        return "pid 1 or a kernel thread";
    if (p->mark & MARK_SELF)
        return "the daemon, a process that started it, or its child";
    if (p->sid == p->pid && p->tty)
        return "a login shell (a session leader with a terminal)";
    if (allowed != NULL && allowed(p->pid, arg))
        return "its executable is allow-listed";
    return NULL;
}

static int
is_safe(struct fim_pnode *all, size_t i, fim_allowed_fn allowed, void *arg)
{
    if (!(all[i].mark & MARK_CHECK)) {
        all[i].mark |= MARK_CHECK;
        if (protection(all, i, allowed, arg) != NULL)
            all[i].mark |= MARK_SAFE;
    }
    return (all[i].mark & MARK_SAFE) != 0;
}

/* Was all[i] started, within its group, by a protected process? */
static int
under_safe(struct fim_pnode *all, size_t n, size_t i, fim_allowed_fn allowed,
           void *arg)
{
    ssize_t p = find(all, n, all[i].ppid);

    for (int d = 0; p >= 0 && d < DEPTH_MAX && all[p].pgid == all[i].pgid;
         d++, p = find(all, n, all[p].ppid))
        if (is_safe(all, (size_t)p, allowed, arg))
            return 1;
    return 0;
}

size_t
fim_stop_plan(const struct fim_pnode *in, size_t n, int64_t actor, int64_t self,
              fim_allowed_fn allowed, void *arg, int64_t *out, size_t max,
              const char **refused)
{
    struct fim_pnode *all = NULL;
    ssize_t a, top, s;
    size_t k = 0;

    if (refused != NULL)
        *refused = NULL;
    if (n == 0 || (all = calloc(n, sizeof(*all))) == NULL)
        goto out;
    for (size_t i = 0; i < n; i++) {
        all[i] = in[i];
        all[i].mark = 0;
    }
    qsort(all, n, sizeof(*all), by_pid);
    /* the daemon, its children, and whoever started it (up to pid 1):
     * children first, while the daemon is the only one marked */
    if ((s = find(all, n, self)) >= 0) {
        all[s].mark |= MARK_SELF;
        mark_descendants(all, n, MARK_SELF, MARK_SELF);
        for (ssize_t p = find(all, n, all[s].ppid), d = 0;
             p >= 0 && d < DEPTH_MAX; p = find(all, n, all[p].ppid), d++)
            all[p].mark |= MARK_SELF;
    }
    if ((a = find(all, n, actor)) < 0) {
        if (refused != NULL)
            *refused = "gone";
        goto out;
    }
    if (is_safe(all, (size_t)a, allowed, arg)) {
        if (refused != NULL)
            *refused = protection(all, (size_t)a, allowed, arg);
        goto out;
    }
    all[a].mark |= MARK_STOP;
    top = a;
    for (int d = 0; d < DEPTH_MAX; d++) {
        ssize_t p = find(all, n, all[top].ppid);
        if (p < 0 || all[p].pgid != all[a].pgid || all[p].sid != all[a].sid ||
            is_safe(all, (size_t)p, allowed, arg))
            break;
        all[p].mark |= MARK_STOP;
        top = p;
    }
    /* the walk reached the group's leader: the group is the attack's own
     * (less what an allow-listed member started) */
    if (all[top].pid == all[top].pgid && all[top].pgid > 1)
        for (size_t i = 0; i < n; i++)
            if (all[i].pgid == all[top].pgid && all[i].sid == all[top].sid &&
                !is_safe(all, i, allowed, arg) &&
                !under_safe(all, n, i, allowed, arg))
                all[i].mark |= MARK_STOP;
    /* descendants, generation by generation, never through a protected
     * one (an allow-listed child keeps its own children) */
    for (int depth = 0, more = 1; more && depth < DEPTH_MAX; depth++) {
        more = 0;
        for (size_t i = 0; i < n; i++) {
            if (all[i].mark & MARK_STOP)
                continue;
            ssize_t p = find(all, n, all[i].ppid);
            if (p >= 0 && (all[p].mark & MARK_STOP) &&
                !is_safe(all, i, allowed, arg)) {
                all[i].mark |= MARK_STOP;
                more = 1;
            }
        }
    }
    /* the actor and the parents it was walked through first: a group
     * padded with more processes than max must not keep them running */
    for (ssize_t i = a, d = 0; i >= 0 && d < DEPTH_MAX && k < max;
         i = find(all, n, all[i].ppid), d++) {
        if (!(all[i].mark & MARK_STOP) || (all[i].mark & MARK_OUT))
            break;
        all[i].mark |= MARK_OUT;
        out[k++] = all[i].pid;
        if (i == top)
            break;
    }
    for (size_t i = 0; i < n && k < max; i++)
        if ((all[i].mark & MARK_STOP) && !(all[i].mark & MARK_OUT))
            out[k++] = all[i].pid;
out:
    free(all);
    return k;
}

/* ---- stopping ---- */

/* Every live process, up to PROC_MAX; returns owned *out (free()). */
static size_t
scan(struct fim_pnode **out)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    struct fim_pnode *all = NULL;
    size_t n = 0, cap = 0;

    *out = NULL;
    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL && n < PROC_MAX) {
        char *end;
        long long pid = strtoll(de->d_name, &end, 10);
        struct fim_proc p;
        if (*end != '\0' || pid <= 0 || !read_stat(pid, &p, NULL, 0))
            continue;
        if (vigil_grow(&all, &cap, n + 1, sizeof(*all), PROC_MAX) != 0)
            break;
        all[n++] = (struct fim_pnode){.pid = p.pid,
                                      .ppid = p.ppid,
                                      .pgid = p.pgid,
                                      .sid = p.sid,
                                      .tty = p.tty};
    }
    closedir(d);
    *out = all;
    return n;
}

static int
exe_allowed(int64_t pid, void *arg)
{
    const struct vigil_fim_config *cfg = arg;
    struct fim_proc p;

    if (cfg->nallow == 0 || !fim_proc_read(pid, &p) || !p.exe_known)
        return 0;
    for (size_t i = 0; i < cfg->nallow; i++)
        if (strcmp(cfg->allow[i], p.exe) == 0)
            return 1;
    return 0;
}

static int
listed(const int64_t *v, size_t n, int64_t pid)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == pid)
            return 1;
    return 0;
}

/* Is candidate (actor itself, or its parent) the one to plan from? The
 * actor while it lives (the same process, not a reuse of its pid) in the
 * group it was seen in; its parent when that is still in that group and
 * older (a writer that left its script's group since it was read, by
 * setsid, is among the parent's descendants and stopped with them). */
static int
plan_from(const struct fim_proc *actor, int64_t candidate)
{
    struct fim_proc now;

    if (candidate <= 1 || !read_stat(candidate, &now, NULL, 0))
        return 0;
    if (candidate == actor->pid) /* detached: its own group, known */
        return now.start == actor->start &&
               (actor->detached || now.pgid == actor->pgid);
    return now.pgid == actor->pgid && now.start <= actor->start;
}

/* Signals the plan targets[0..k) made from pid from: SIGSTOP to all, a
 * second look for children forked meanwhile, SIGKILL to all. Returns how
 * many were killed; *err gets the first error other than ESRCH, *failed
 * how many refused SIGSTOP. */
static int
stop_plan(const struct vigil_fim_config *cfg, int64_t from, int64_t *targets,
          size_t k, int *err, int *failed)
{
    int64_t late[STOP_MAX];
    struct fim_pnode *all = NULL;
    size_t n, more;
    int killed = 0;

    for (size_t i = 0; i < k; i++)
        if (kill((pid_t)targets[i], SIGSTOP) != 0 && errno != ESRCH) {
            *err = errno;
            (*failed)++;
        }
    /* stopped processes fork no more: a second look finds the children
     * forked while the first ones were signalled */
    n = scan(&all);
    more = fim_stop_plan(all, n, from, getpid(), exe_allowed, (void *)cfg, late,
                         STOP_MAX, NULL);
    free(all);
    for (size_t i = 0; i < more && k < STOP_MAX; i++)
        if (!listed(targets, k, late[i])) {
            (void)kill((pid_t)late[i], SIGSTOP);
            targets[k++] = late[i];
        }
    for (size_t i = 0; i < k; i++)
        if (kill((pid_t)targets[i], SIGKILL) == 0)
            killed++;
    return killed;
}

int
fim_stop(const struct vigil_fim_config *cfg, const struct fim_proc *actor,
         char *why, size_t len)
{
    int64_t targets[STOP_MAX];
    /* a writer detached from its script's group (fim_watch.c) is planned
     * from the script first, and from itself when the script may not be
     * stopped (it started the daemon, say) */
    const int64_t cand[2] = {actor->detached ? actor->ppid : actor->pid,
                             actor->detached ? actor->pid : actor->ppid};
    struct fim_pnode *all = NULL;
    const char *refused = "gone";
    size_t n, k = 0;
    int64_t from = 0;
    int killed = 0, failed = 0, err = 0, planned = 0;

    /* a writer such as one openssl per file may exit at any moment, even
     * between its plan and the signals: then its parent, the script, is
     * planned from */
    for (int c = 0; c < 2 && killed == 0; c++) {
        if (!plan_from(actor, cand[c]))
            continue;
        from = cand[c];
        n = scan(&all);
        k = fim_stop_plan(all, n, from, getpid(), exe_allowed, (void *)cfg,
                          targets, STOP_MAX, &refused);
        free(all);
        all = NULL;
        if (k == 0 && refused != NULL && strcmp(refused, "gone") != 0 &&
            !(actor->detached && c == 0))
            break;
        if (k == 0)
            continue;
        planned = 1;
        killed = stop_plan(cfg, from, targets, k, &err, &failed);
        if (err != 0)
            break; /* refused (EPERM), not gone: its parent would be too */
    }
    if (!planned) {
        snprintf(why, len, "not stopped: pid %lld %s%s",
                 (long long)(from ? from : actor->pid),
                 refused && strcmp(refused, "gone") != 0 ? "is " : "",
                 refused ? refused : "gone");
        return 0;
    }
    if (killed == 0) {
        snprintf(why, len, "failed: %s", strerror(err ? err : ESRCH));
        vigil_log(VIGIL_LOG_WARN, FIM_LOG_NOSTOP,
                  "fim: cannot stop pid %lld (%s): %s", (long long)from,
                  actor->exe, strerror(err ? err : ESRCH));
        return 0;
    }
    snprintf(why, len, "stopped %d process%s from pid %lld%s", killed,
             killed == 1 ? "" : "es", (long long)from,
             failed ? " (some refused the signal)" : "");
    vigil_log(VIGIL_LOG_WARN, FIM_LOG_STOPPED,
              "fim: stopped %d process%s from pid %lld (%s, user %s)", killed,
              killed == 1 ? "" : "es", (long long)from, actor->exe,
              actor->user[0] ? actor->user : "?");
    return killed;
}

/* ---- inotify's writer ---- */

static int
in_tree(const struct vigil_fim_config *cfg, const char *path)
{
    for (size_t i = 0; i < cfg->nwatch; i++) {
        size_t l = strlen(cfg->watch[i].path);
        while (l > 1 && cfg->watch[i].path[l - 1] == '/')
            l--;
        if (strncmp(path, cfg->watch[i].path, l) == 0 &&
            (path[l] == '/' || path[l] == '\0'))
            return 1;
    }
    return 0;
}

/* Remembers that a child of unit writes the file st (at path) at now. */
static void
sighted(struct fim_suspects *h, int64_t unit, uint64_t ustart,
        const struct stat *st, const char *path, int64_t now, int64_t window)
{
    const char *name = strrchr(path, '/');

    for (size_t i = 0; i < FIM_SEEN; i++) {
        struct fim_seen *s = &h->s[i];
        if (s->unit == unit && now - s->t <= window &&
            s->dev == (uint64_t)st->st_dev && s->ino == (uint64_t)st->st_ino) {
            s->t = now;
            return;
        }
    }
    h->s[h->next] =
        (struct fim_seen){.unit = unit,
                          .ustart = ustart,
                          .t = now,
                          .dev = (uint64_t)st->st_dev,
                          .ino = (uint64_t)st->st_ino,
                          .ext = name != NULL && fim_ransom_ext(name + 1)};
    h->next = (h->next + 1) % FIM_SEEN;
}

void
fim_suspect_scored(struct fim_suspects *h, uint64_t dev, uint64_t ino,
                   int64_t now, int64_t window)
{
    for (size_t i = 0; i < FIM_SEEN; i++) {
        struct fim_seen *s = &h->s[i];
        if (s->t != 0 && now - s->t <= window && s->dev == dev && s->ino == ino)
            s->scored = 1;
    }
}

/* Has unit been a suspect within the window? */
static int
suspect(const struct fim_suspects *h, int64_t unit, int64_t now, int64_t window)
{
    for (size_t i = 0; i < FIM_SEEN; i++) {
        const struct fim_seen *s = &h->s[i];
        if (s->t != 0 && s->unit == unit && now - s->t <= window &&
            (s->ext || s->scored))
            return 1;
    }
    return 0;
}

/* Looks at pid's descriptors and notes the files of the trees it writes
 * (the link's own mode has the write bit when the descriptor was opened
 * for writing); 1 when there is one. */
static int
writes_in_tree(const struct vigil_fim_config *cfg, struct fim_suspects *h,
               int64_t now, const struct fim_proc *p, int64_t unit)
{
    long long pid = (long long)p->pid;
    uint64_t ustart = p->start;
    struct fim_proc up;
    char dir[64], fp[128], link[4096];
    struct dirent *fe;
    struct stat st;
    DIR *fdd;
    int hit = 0, seen = 0;

    snprintf(dir, sizeof(dir), "/proc/%lld", pid);
    /* without root, only the daemon's own account's descriptors can be
     * read: the others are not even listed (the search runs every 5 ms) */
    if (geteuid() != 0 && (stat(dir, &st) != 0 || st.st_uid != geteuid()))
        return 0;
    snprintf(dir, sizeof(dir), "/proc/%lld/fd", pid);
    if ((fdd = opendir(dir)) == NULL)
        return 0;
    while (seen < FD_MAX && (fe = readdir(fdd)) != NULL) {
        struct stat target;
        ssize_t l;
        if (fe->d_name[0] == '.')
            continue;
        seen++;
        snprintf(fp, sizeof(fp), "%s/%.32s", dir, fe->d_name);
        if (lstat(fp, &st) != 0 || !(st.st_mode & S_IWUSR))
            continue;
        if ((l = readlink(fp, link, sizeof(link) - 1)) <= 0)
            continue;
        link[l] = '\0';
        if (link[0] != '/' || !in_tree(cfg, link) || stat(fp, &target) != 0 ||
            !S_ISREG(target.st_mode))
            continue;
        /* the unit's start time tells it from a later reuse of its pid */
        if (!hit && unit != p->pid)
            ustart = read_stat(unit, &up, NULL, 0) ? up.start : 0;
        hit = 1;
        sighted(h, unit, ustart, &target, link, now,
                cfg->window_ms * 1000000LL);
    }
    closedir(fdd);
    return hit;
}

int
fim_sight(const struct vigil_fim_config *cfg, struct fim_suspects *h,
          int64_t now, int64_t pid)
{
    struct fim_proc p;

    if (pid <= 1 || pid == (int64_t)getpid() || !read_stat(pid, &p, NULL, 0))
        return 0;
    return writes_in_tree(cfg, h, now, &p, p.ppid > 1 ? p.ppid : pid);
}

int
fim_find_writer(const struct vigil_fim_config *cfg, struct fim_suspects *h,
                int64_t now, struct fim_proc *out, int *several)
{
    int64_t window = cfg->window_ms * 1000000LL;
    int64_t writing[WRITING][2]; /* pid, unit */
    int64_t unit_found = 0;
    size_t nw = 0;
    DIR *d = opendir("/proc");
    struct dirent *de;
    int64_t *pids = NULL;
    size_t cap = 0;
    int nproc = 0;

    *several = 0;
    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL && nproc < PROC_MAX) {
        char *end;
        long long pid = strtoll(de->d_name, &end, 10);
        if (*end != '\0' || pid <= 1 || pid == (long long)getpid())
            continue;
        if (vigil_grow(&pids, &cap, (size_t)nproc + 1, sizeof(*pids),
                       PROC_MAX) != VIGIL_OK)
            break;
        pids[nproc++] = (int64_t)pid;
    }
    closedir(d);
    /* newest first: a short-lived writer (one process per file) is among
     * the last forked and holds its file a millisecond or two, less than
     * reading every older process takes under load */
    for (int k = nproc - 1; k >= 0; k--) {
        int64_t pid = pids[k];
        struct fim_proc p;
        if (!read_stat(pid, &p, NULL, 0))
            continue;
        /* the unit: the writer's parent, whose children a script starts
         * one per file; a child of pid 1 stands alone */
        int64_t unit = p.ppid > 1 ? p.ppid : pid;
        if (!writes_in_tree(cfg, h, now, &p, unit) || nw >= WRITING)
            continue;
        writing[nw][0] = pid;
        writing[nw++][1] = unit;
    }
    free(pids);
    /* the suspects of the whole window, not only of this instant: two
     * runs that take turns must not be told apart by chance */
    for (size_t i = 0; i < FIM_SEEN; i++) {
        const struct fim_seen *s = &h->s[i];
        if (s->t == 0 || now - s->t > window || s->unit == unit_found ||
            !suspect(h, s->unit, now, window))
            continue;
        if (unit_found != 0) {
            *several = 1;
            return 0;
        }
        unit_found = s->unit;
    }
    for (size_t i = 0; unit_found != 0 && i < nw; i++)
        if (writing[i][1] == unit_found && fim_proc_read(writing[i][0], out))
            return 1;
    /* none of it writes at this instant (a script between two files):
     * the unit's parent itself, while it is the same process */
    for (size_t i = 0; unit_found != 0 && i < FIM_SEEN; i++) {
        const struct fim_seen *s = &h->s[i];
        struct fim_proc now_p;
        if (s->unit == unit_found && s->ustart != 0 &&
            read_stat(unit_found, &now_p, NULL, 0) && now_p.start == s->ustart)
            return fim_proc_read(unit_found, out);
    }
    return 0;
}
