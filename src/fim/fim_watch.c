/* fim_watch.c -- the realtime monitor: one thread reading fanotify (when
 * the daemon started as root: mount marks, so each write names the acting
 * process) and inotify (creations, deletions and renames, which a mount
 * mark without file handles cannot report, and everything when not
 * root), turning each change into a struct vigil_fim_change for the
 * sink, scoring it for ransomware (fim_ransom.c) and, with `action:
 * stop`, stopping the process group that crossed the threshold.
 *
 * Who acted: fanotify gives the pid; its process group, user and
 * executable are read from /proc while the process lives (a cache filled
 * on the first write, since a short-lived writer such as one `openssl
 * enc` per file may be gone by the time its close is read). inotify names
 * nobody: its renames and deletions are credited to the last writer seen
 * under the same tree within two seconds, and without fanotify at all the
 * culprits are searched in /proc (processes holding files of the tree
 * open, or working inside it) when a detection has to stop someone. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fim/fim_loss.h"
#include "fim/fim_ransom.h"

#define PROC_CACHE   512
#define PROC_TTL_NS  (10 * VIGIL_NS_PER_SEC)
#define CREDIT_NS    (2 * VIGIL_NS_PER_SEC)
#define HASH_MAX     (16 << 20) /* larger files are not hashed live */
#define SAMPLE       4096
#define SAMPLES      4
#define MAX_WATCHES  65536
#define MOVES        64
#define CANARY_FIRST "0000-vigil-canary.docx"
#define CANARY_LAST  "zzzz-vigil-canary.xlsx"
#define CANARY_SIZE  8192
#define MAX_CULPRITS 8
#define CREATED      1024
#define CREATED_NS   (5 * VIGIL_NS_PER_SEC)

struct proc_info {
    int64_t pid, pgid;
    uint32_t uid;
    int64_t seen;
    char exe[256];
    char user[64];
};

#define USER_CACHE 16

struct user_slot {
    int used;
    uint32_t uid;
    char name[64];
};

struct move {
    uint32_t cookie;
    char path[PATH_MAX];
};

struct vigil_fim_monitor {
    const struct vigil_fim_config *cfg;
    struct vigil_fim_sink sink;
    struct vigil_store *store;
    int fan_fd, ino_fd, stop_fd;
    pthread_t th;
    int running;
    struct vigil_hmap *wds; /* wd -> owned path */
    struct proc_info procs[PROC_CACHE];
    struct user_slot users[USER_CACHE];
    struct fim_scores scores;
    struct {
        int64_t key, t;
        struct proc_info p;
        size_t root;
    } last;
    struct move moves[MOVES];
    size_t nmoves;
    char canary[VIGIL_FIM_MAX_WATCH][2][PATH_MAX];
    int64_t pending_stop; /* inotify: a detection still looking for whom */
    int64_t last_search;
    struct fim_loss *loss;
    unsigned char buf[SAMPLE];
    unsigned char head[16]; /* the first bytes of the file sampled last */
    size_t headlen;
    struct {
        uint64_t h;
        int64_t t;
    } created[CREATED];  /* paths inotify saw created, by hash */
    unsigned char *hbuf; /* hashing scratch */
};

/* ---- who ---- */

static int
proc_read(int64_t pid, struct proc_info *p)
{
    char path[64], buf[1024], *s;
    ssize_t n;
    int fd;

    memset(p, 0, sizeof(*p));
    p->pid = pid;
    snprintf(path, sizeof(path), "/proc/%lld/stat", (long long)pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return 0;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    /* "pid (comm) S ppid pgrp ...": comm may hold ')' */
    if ((s = strrchr(buf, ')')) == NULL)
        return 0;
    long long ppid = 0, pgrp = 0;
    char state;
    if (sscanf(s + 1, " %c %lld %lld", &state, &ppid, &pgrp) != 3)
        return 0;
    p->pgid = pgrp;
    /* the command name, for when neither exe nor cmdline can be read (a
     * process that already exited) */
    char *open_paren = strchr(buf, '(');
    if (open_paren != NULL && open_paren < s)
        snprintf(p->exe, sizeof(p->exe), "[%.*s]", (int)(s - open_paren - 1),
                 open_paren + 1);
    snprintf(path, sizeof(path), "/proc/%lld/status", (long long)pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        buf[n > 0 ? n : 0] = '\0';
        if ((s = strstr(buf, "\nUid:")) != NULL)
            p->uid = (uint32_t)strtoul(s + 5, NULL, 10);
    }
    snprintf(path, sizeof(path), "/proc/%lld/exe", (long long)pid);
    char exe[sizeof(p->exe)];
    n = readlink(path, exe, sizeof(exe) - 1);
    if (n > 0) {
        memcpy(p->exe, exe, (size_t)n);
        p->exe[n] = '\0';
    } else {
        /* another user's process without CAP_SYS_PTRACE: its argv[0] */
        snprintf(path, sizeof(path), "/proc/%lld/cmdline", (long long)pid);
        if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
            n = read(fd, exe, sizeof(exe) - 1);
            close(fd);
            if (n > 0) {
                exe[n] = '\0';
                snprintf(p->exe, sizeof(p->exe), "%s", exe);
            }
        }
    }
    return 1;
}

/* The account name of uid, remembered (the password database is a file
 * read per lookup, and every short-lived writer is a new pid). */
static void
user_name(struct vigil_fim_monitor *m, uint32_t uid, char *dst, size_t len)
{
    struct user_slot *u = &m->users[uid % USER_CACHE];
    char buf[1024];
    struct passwd pw, *res = NULL;

    if (!u->used || u->uid != uid) {
        if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res != NULL)
            snprintf(u->name, sizeof(u->name), "%s", res->pw_name);
        else
            snprintf(u->name, sizeof(u->name), "%u", uid);
        u->uid = uid;
        u->used = 1;
    }
    snprintf(dst, len, "%s", u->name);
}

/* The cached or freshly read process pid; NULL when gone and unseen. */
static const struct proc_info *
proc_get(struct vigil_fim_monitor *m, int64_t pid, int64_t now)
{
    struct proc_info *slot = &m->procs[(uint64_t)pid % PROC_CACHE];
    struct proc_info p;

    if (slot->pid == pid && now - slot->seen < PROC_TTL_NS)
        return slot;
    if (!proc_read(pid, &p))
        return slot->pid == pid ? slot : NULL;
    user_name(m, p.uid, p.user, sizeof(p.user));
    p.seen = now;
    *slot = p;
    return slot;
}

/* ---- where ---- */

/* The watched tree path is in (index), or -1; excluded paths are -1. */
static int
watched(const struct vigil_fim_monitor *m, const char *path)
{
    const char *name = strrchr(path, '/');

    name = name ? name + 1 : path;
    for (size_t i = 0; i < m->cfg->nwatch; i++) {
        const struct vigil_fim_watch *w = &m->cfg->watch[i];
        size_t l = strlen(w->path);
        while (l > 1 && w->path[l - 1] == '/')
            l--;
        if (strncmp(path, w->path, l) != 0 ||
            (path[l] != '/' && path[l] != '\0'))
            continue;
        if (fim_excluded(path, name, (const char *const *)w->exclude,
                         w->nexclude))
            return -1;
        return (int)i;
    }
    return -1;
}

static int
is_canary(const struct vigil_fim_monitor *m, const char *path)
{
    for (size_t i = 0; i < m->cfg->nwatch; i++)
        for (int j = 0; j < 2; j++)
            if (m->canary[i][j][0] && strcmp(m->canary[i][j], path) == 0)
                return 1;
    return 0;
}

/* ---- stopping ---- */

static int
allowed_exe(const struct vigil_fim_monitor *m, const char *exe)
{
    for (size_t i = 0; i < m->cfg->nallow; i++)
        if (strcmp(m->cfg->allow[i], exe) == 0)
            return 1;
    return 0;
}

/* Stops pid's process group (SIGSTOP, then SIGKILL) unless it must not
 * be; writes what happened into why. Returns 1 when signalled. */
static int
stop_group(struct vigil_fim_monitor *m, const struct proc_info *p, char *why,
           size_t len)
{
    int64_t target = p->pgid > 1 ? p->pgid : p->pid;
    int group = p->pgid > 1;

    if (p->pid <= 1 || target <= 1) {
        snprintf(why, len, "refused: pid 1");
        return 0;
    }
    if (p->pid == getpid() || (group && target == getpgrp()) ||
        (!group && target == getpid())) {
        snprintf(why, len, "refused: the daemon itself");
        return 0;
    }
    if (allowed_exe(m, p->exe)) {
        snprintf(why, len, "refused: %.200s is allowed", p->exe);
        return 0;
    }
    /* SIGSTOP first: it lands at once and cannot be caught, so nothing
     * more is written while the kill is delivered */
    if (kill(group ? -(pid_t)target : (pid_t)target, SIGSTOP) != 0) {
        snprintf(why, len, "failed: %s", strerror(errno));
        vigil_log(VIGIL_LOG_WARN, FIM_LOG_NOSTOP,
                  "fim: cannot stop %s %lld (%s): %s",
                  group ? "process group" : "process", (long long)target,
                  p->exe, strerror(errno));
        return 0;
    }
    (void)kill(group ? -(pid_t)target : (pid_t)target, SIGKILL);
    snprintf(why, len, "stopped %s %lld", group ? "process group" : "process",
             (long long)target);
    vigil_log(VIGIL_LOG_WARN, FIM_LOG_STOPPED,
              "fim: stopped %s %lld (%s, user %s)",
              group ? "process group" : "process", (long long)target, p->exe,
              p->user);
    return 1;
}

/* Is the link text under one of the watched trees? */
static int
link_in_tree(const struct vigil_fim_monitor *m, const char *link)
{
    for (size_t i = 0; i < m->cfg->nwatch; i++) {
        size_t l = strlen(m->cfg->watch[i].path);
        if (strncmp(link, m->cfg->watch[i].path, l) == 0 &&
            (link[l] == '/' || link[l] == '\0'))
            return 1;
    }
    return 0;
}

/* Does an argument of pid's command line name a path in the trees?
 * Readable for every process, unlike its descriptors. */
static int
cmdline_in_tree(const struct vigil_fim_monitor *m, long long pid)
{
    char path[64], buf[8192];
    ssize_t n;
    int fd;

    snprintf(path, sizeof(path), "/proc/%lld/cmdline", pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return 0;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    for (char *a = buf; a < buf + n; a += strlen(a) + 1)
        if (a[0] == '/' && link_in_tree(m, a))
            return 1;
    return 0;
}

/* inotify names nobody: processes holding a file of the trees open, or
 * working inside them, or naming them on their command line. Returns how many
 * were found (at most max). */
static size_t
find_culprits(struct vigil_fim_monitor *m, struct proc_info *out, size_t max)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    size_t n = 0;
    char path[128], link[PATH_MAX];

    if (d == NULL)
        return 0;
    while (n < max && (de = readdir(d)) != NULL) {
        char *end;
        long long pid = strtoll(de->d_name, &end, 10);
        int hit = 0;
        if (*end != '\0' || pid <= 1 || pid == getpid())
            continue;
        snprintf(path, sizeof(path), "/proc/%lld/cwd", pid);
        ssize_t l = readlink(path, link, sizeof(link) - 1);
        if (l > 0) {
            link[l] = '\0';
            hit = link_in_tree(m, link);
        }
        snprintf(path, sizeof(path), "/proc/%lld/fd", pid);
        DIR *fdd = hit ? NULL : opendir(path);
        struct dirent *fe;
        while (fdd != NULL && !hit && (fe = readdir(fdd)) != NULL) {
            char fp[400];
            if (fe->d_name[0] == '.')
                continue;
            snprintf(fp, sizeof(fp), "%s/%.255s", path, fe->d_name);
            l = readlink(fp, link, sizeof(link) - 1);
            if (l <= 0)
                continue;
            link[l] = '\0';
            hit = link_in_tree(m, link);
        }
        if (fdd != NULL)
            closedir(fdd);
        if (!hit)
            hit = cmdline_in_tree(m, pid);
        if (hit && proc_read(pid, &out[n])) {
            user_name(m, out[n].uid, out[n].user, sizeof(out[n].user));
            n++;
        }
    }
    closedir(d);
    return n;
}

/* Was found[i]'s process group found before it? */
static int
same_group(const struct proc_info *found, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (found[j].pgid > 1 && found[j].pgid == found[i].pgid)
            return 1;
    return 0;
}

/* ---- detection ---- */

static void
detect(struct vigil_fim_monitor *m, struct fim_score *s,
       const struct proc_info *p, int64_t now)
{
    struct vigil_buf b;
    char why[256] = "alert only (ransomware.action: alert)";
    char title[512];
    struct proc_info found[MAX_CULPRITS];
    size_t nfound = 0;
    int stopped = 0;

    if (m->cfg->action_stop) {
        if (p != NULL && p->pid > 0) {
            stopped = stop_group(m, p, why, sizeof(why));
        } else {
            nfound = find_culprits(m, found, MAX_CULPRITS);
            snprintf(why, sizeof(why), "no process found yet");
            for (size_t i = 0; i < nfound; i++)
                if (!same_group(found, i))
                    stopped |= stop_group(m, &found[i], why, sizeof(why));
            if (!stopped)
                m->pending_stop = now;
            else
                m->pending_stop = 0;
            if (nfound > 0)
                p = &found[0];
        }
    }
    vigil_log(VIGIL_LOG_ERROR, FIM_LOG_RANSOM,
              "fim: ransomware behaviour by %s (pid %lld, user %s): score "
              "%.0f, %u encrypted-looking rewrites, %u ransom extensions, "
              "%u renames, %u deletions, canary %u; %s",
              p && p->exe[0] ? p->exe : "?", p ? (long long)p->pid : 0LL,
              p && p->user[0] ? p->user : "?", s->score, s->encrypted,
              s->extensions, s->renames, s->deletes, s->canary, why);
    vigil_buf_init(&b, 1 << 16);
    vigil_buf_printf(&b,
                     "{\"score\":%.0f,\"encrypted\":%u,\"extensions\":%u,"
                     "\"notes\":%u,\"renames\":%u,\"deletes\":%u,"
                     "\"canary\":%u,\"pid\":%lld,\"pgid\":%lld,\"stopped\":%s,"
                     "\"action\":",
                     s->score, s->encrypted, s->extensions, s->notes,
                     s->renames, s->deletes, s->canary,
                     p ? (long long)p->pid : 0LL, p ? (long long)p->pgid : 0LL,
                     stopped ? "true" : "false");
    vigil_buf_json_str(&b, why, strlen(why));
    vigil_buf_printf(&b, ",\"process.executable\":");
    vigil_buf_json_str(&b, p ? p->exe : "", p ? strlen(p->exe) : 0);
    vigil_buf_printf(&b, ",\"user.name\":");
    vigil_buf_json_str(&b, p ? p->user : "", p ? strlen(p->user) : 0);
    vigil_buf_printf(&b, ",\"files\":[");
    unsigned k0 = s->nrecent > FIM_RECENT ? s->nrecent - FIM_RECENT : 0;
    for (unsigned k = k0; k < s->nrecent; k++) {
        const char *r = s->recent[k % FIM_RECENT];
        if (k > k0)
            vigil_buf_putc(&b, ',');
        vigil_buf_json_str(&b, r, strlen(r));
    }
    vigil_buf_printf(&b, "]}");
    snprintf(title, sizeof(title),
             "Ransomware behaviour: %s (pid %lld, user %s) rewrote %u files "
             "with encrypted-looking data%s",
             p && p->exe[0] ? p->exe : "unknown process",
             p ? (long long)p->pid : 0LL, p && p->user[0] ? p->user : "?",
             s->encrypted, stopped ? "; stopped" : "");
    struct vigil_fim_detection d = {
        .time_ns = now,
        .kind = s->canary ? "fim.canary" : "fim.ransomware",
        .level = "critical",
        .title = title,
        .subject = p && p->exe[0] ? p->exe : "unknown process",
        .detail_json = b.data ? b.data : "{}",
    };
    if (m->sink.detect != NULL)
        (void)m->sink.detect(m->sink.arg, &d);
    vigil_buf_fini(&b);
}

/* Credits sig about path to whoever acted (p may be NULL). */
static void
score(struct vigil_fim_monitor *m, const struct proc_info *p, size_t root,
      enum fim_signal sig, const char *path, int64_t now)
{
    int64_t key = 0;
    struct fim_score *s;

    if (p != NULL)
        key = p->pgid > 0 ? p->pgid : p->pid;
    s = fim_score_get(&m->scores, key, now);
    if (p != NULL) {
        s->pid = p->pid;
        snprintf(s->exe, sizeof(s->exe), "%s", p->exe);
        snprintf(s->user, sizeof(s->user), "%s", p->user);
    }
    if (fim_score_add(s, sig, path, now, m->cfg))
        detect(m, s, p, now);
    (void)root;
}

/* ---- changes ---- */

static uint64_t
path_hash(const char *p)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a: a local cache, not input
                                           that picks buckets of a table */
    for (; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

static void
note_created(struct vigil_fim_monitor *m, const char *path, int64_t now)
{
    uint64_t h = path_hash(path);

    m->created[h % CREATED].h = h;
    m->created[h % CREATED].t = now;
}

/* Did inotify see path created moments ago? A miss (a slot reused, the
 * creation not read yet) only makes a new file count as rewritten. */
static int
created_recently(const struct vigil_fim_monitor *m, const char *path,
                 int64_t now)
{
    uint64_t h = path_hash(path);

    return m->created[h % CREATED].h == h &&
           now - m->created[h % CREATED].t < CREATED_NS;
}

/* Samples SAMPLES blocks of fd spread over size: the highest entropy and
 * whether any looks encrypted. */
static double
sample_entropy(struct vigil_fim_monitor *m, int fd, int64_t size, int *enc)
{
    double best = -1;

    *enc = 0;
    m->headlen = 0;
    for (int i = 0; i < SAMPLES; i++) {
        off_t off =
            size > SAMPLE ? (off_t)((size - SAMPLE) / (SAMPLES - 1)) * i : 0;
        ssize_t n = pread(fd, m->buf, SAMPLE, off);
        if (n <= 0)
            break;
        if (i == 0) {
            m->headlen =
                (size_t)n < sizeof(m->head) ? (size_t)n : sizeof(m->head);
            memcpy(m->head, m->buf, m->headlen);
        }
        double e = vigil_fim_entropy(m->buf, (size_t)n);
        if (e > best)
            best = e;
        if (fim_looks_encrypted(e, (size_t)n))
            *enc = 1;
        if (size <= SAMPLE)
            break;
    }
    return best;
}

/* A file written and closed: fd open on it (borrowed). */
static void
on_written(struct vigil_fim_monitor *m, int fd, const char *path, size_t root,
           const struct proc_info *p, int64_t now)
{
    struct vigil_fim_change c = {0};
    struct vigil_err err = {0};
    struct stat st;
    char hex[65];
    int enc = 0;
    const char *name = strrchr(path, '/');

    name = name ? name + 1 : path;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return;
    c.time_ns = now;
    c.action = "modification";
    c.path = path;
    c.entropy = sample_entropy(m, fd, (int64_t)st.st_size, &enc);
    if (p != NULL) {
        c.pid = p->pid;
        c.exe = p->exe;
        c.user = p->user;
    }
    if (is_canary(m, path))
        score(m, p, root, FIM_SIG_CANARY, path, now);
    if (enc && !fim_magic_ok(name, m->head, m->headlen))
        score(m, p, root,
              created_recently(m, path, now) ? FIM_SIG_ENTROPY_NEW
                                             : FIM_SIG_ENTROPY,
              path, now);
    if (fim_ransom_ext(name))
        score(m, p, root, FIM_SIG_EXT, path, now);
    if (fim_ransom_note(name))
        score(m, p, root, FIM_SIG_NOTE, path, now);
    if (st.st_size <= HASH_MAX && m->hbuf != NULL &&
        fim_hash_fd(fd, m->hbuf, 1 << 20, hex, NULL, &err) == VIGIL_OK)
        c.sha256 = hex;
    if (m->sink.change != NULL)
        (void)m->sink.change(m->sink.arg, &c);
}

/* The writer inotify's events are credited to, or NULL. */
static const struct proc_info *
credited(struct vigil_fim_monitor *m, size_t root, int64_t now)
{
    if (m->last.t != 0 && now - m->last.t < CREDIT_NS && m->last.root == root)
        return &m->last.p;
    return NULL;
}

static void
emit_simple(struct vigil_fim_monitor *m, const char *action, const char *path,
            const char *old, const struct proc_info *p, int64_t now)
{
    struct vigil_fim_change c = {0};

    c.time_ns = now;
    c.action = action;
    c.path = path;
    c.old_path = old;
    c.entropy = -1;
    if (p != NULL) {
        c.pid = p->pid;
        c.exe = p->exe;
        c.user = p->user;
    }
    if (m->sink.change != NULL)
        (void)m->sink.change(m->sink.arg, &c);
}

/* ---- fanotify ---- */

enum vigil_rc
vigil_fim_fanotify_open(const struct vigil_fim_config *cfg, int *fd,
                        struct vigil_err *err)
{
    int f;

    *fd = -1;
    if (cfg->nwatch == 0 || cfg->monitor == VIGIL_FIM_MON_INOTIFY)
        return VIGIL_OK;
    if (geteuid() != 0) {
        if (cfg->monitor == VIGIL_FIM_MON_FANOTIFY)
            return vigil_err_set(err, VIGIL_EPERM,
                                 "fim.monitor: fanotify needs the daemon "
                                 "started as root");
        return VIGIL_OK;
    }
    f = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK,
                      O_RDONLY | O_LARGEFILE | O_CLOEXEC | O_NOATIME);
    if (f < 0) {
        if (cfg->monitor == VIGIL_FIM_MON_FANOTIFY)
            return vigil_err_set(err, VIGIL_EIO, "fanotify_init: %s",
                                 strerror(errno));
        vigil_log(VIGIL_LOG_WARN, FIM_LOG_WATCH_FAIL,
                  "fim: fanotify unavailable (%s); using inotify",
                  strerror(errno));
        return VIGIL_OK;
    }
    for (size_t i = 0; i < cfg->nwatch; i++) {
        if (fanotify_mark(f, FAN_MARK_ADD | FAN_MARK_MOUNT,
                          FAN_MODIFY | FAN_CLOSE_WRITE, AT_FDCWD,
                          cfg->watch[i].path) != 0) {
            int e = errno;
            close(f);
            return vigil_err_set(err, VIGIL_EIO, "fim: cannot watch %s: %s",
                                 cfg->watch[i].path, strerror(e));
        }
    }
    *fd = f;
    return VIGIL_OK;
}

static void
read_fanotify(struct vigil_fim_monitor *m)
{
    char buf[16384] __attribute__((aligned(8)));
    ssize_t n;

    while ((n = read(m->fan_fd, buf, sizeof(buf))) > 0) {
        int64_t now = vigil_time_now();
        struct fanotify_event_metadata *md = (void *)buf;
        for (; FAN_EVENT_OK(md, n); md = FAN_EVENT_NEXT(md, n)) {
            char fdpath[64], path[PATH_MAX];
            const struct proc_info *p;
            ssize_t l;
            int root;

            if (md->vers != FANOTIFY_METADATA_VERSION)
                return;
            if (md->mask & FAN_Q_OVERFLOW)
                vigil_log(VIGIL_LOG_WARN, FIM_LOG_OVERFLOW,
                          "fim: the kernel dropped file events (fanotify "
                          "queue overflow)");
            if (md->fd < 0)
                continue;
            if (md->pid == getpid()) {
                close(md->fd);
                continue;
            }
            /* fill the cache while the writer lives */
            p = proc_get(m, md->pid, now);
            if (!(md->mask & FAN_CLOSE_WRITE)) {
                close(md->fd);
                continue;
            }
            snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", md->fd);
            l = readlink(fdpath, path, sizeof(path) - 1);
            if (l <= 0 || (path[l] = '\0', root = watched(m, path)) < 0) {
                close(md->fd);
                continue;
            }
            /* gone before it could be read: most likely the same job
             * as the last writer there (one short process per file) */
            if (p == NULL)
                p = credited(m, (size_t)root, now);
            else {
                m->last.key = p->pgid;
                m->last.t = now;
                m->last.p = *p;
                m->last.root = (size_t)root;
            }
            on_written(m, md->fd, path, (size_t)root, p, now);
            close(md->fd);
        }
    }
}

/* ---- inotify ---- */

#define INO_MASK                                                               \
    (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE |    \
     IN_ONLYDIR)

static void
add_tree(struct vigil_fim_monitor *m, const char *dir)
{
    /* an explicit stack of paths: no recursion on the C stack */
    char **stack = NULL;
    size_t n = 0, cap = 0;
    char *first = strdup(dir);

    if (first == NULL || vigil_grow(&stack, &cap, 1, sizeof(char *), 0))
        goto out;
    stack[n++] = first;
    first = NULL;
    while (n > 0) {
        char *p = stack[--n];
        int wd = inotify_add_watch(m->ino_fd, p, INO_MASK);
        if (wd < 0) {
            vigil_log(VIGIL_LOG_WARN, FIM_LOG_WATCH_FAIL,
                      "fim: cannot watch %s: %s", p, strerror(errno));
            free(p);
            continue;
        }
        if (vigil_hmap_get(m->wds, &wd, sizeof(wd)) == NULL) {
            char *copy = strdup(p);
            if (copy == NULL ||
                vigil_hmap_put(m->wds, &wd, sizeof(wd), copy) != VIGIL_OK)
                free(copy);
        }
        DIR *d = opendir(p);
        struct dirent *de;
        while (d != NULL && (de = readdir(d)) != NULL) {
            char sub[PATH_MAX];
            if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
                strcmp(de->d_name, "..") == 0)
                continue;
            if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", p, de->d_name) >=
                    sizeof(sub) ||
                watched(m, sub) < 0)
                continue;
            if (vigil_grow(&stack, &cap, n + 1, sizeof(char *), MAX_WATCHES))
                break;
            if ((stack[n] = strdup(sub)) != NULL)
                n++;
        }
        if (d != NULL)
            closedir(d);
        free(p);
    }
out:
    free(first);
    for (size_t i = 0; i < n; i++)
        free(stack[i]);
    free(stack);
}

static void
ino_written(struct vigil_fim_monitor *m, const char *path, size_t root,
            int64_t now)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0)
        return;
    on_written(m, fd, path, root, NULL, now);
    close(fd);
}

static void
flush_moves(struct vigil_fim_monitor *m, int64_t now)
{
    for (size_t i = 0; i < m->nmoves; i++) {
        int root = watched(m, m->moves[i].path);
        const struct proc_info *p =
            root >= 0 ? credited(m, (size_t)root, now) : NULL;
        /* moved out of the watched trees: gone from them */
        emit_simple(m, "deletion", m->moves[i].path, NULL, p, now);
    }
    m->nmoves = 0;
}

static void
read_inotify(struct vigil_fim_monitor *m)
{
    char buf[65536] __attribute__((aligned(8)));
    ssize_t n;

    while ((n = read(m->ino_fd, buf, sizeof(buf))) > 0) {
        int64_t now = vigil_time_now();
        for (char *q = buf; q < buf + n;) {
            struct inotify_event *ev = (void *)q;
            char path[PATH_MAX];
            const char *dir;
            int root;

            q += sizeof(*ev) + ev->len;
            if (ev->mask & IN_Q_OVERFLOW) {
                vigil_log(VIGIL_LOG_WARN, FIM_LOG_OVERFLOW,
                          "fim: the kernel dropped file events (inotify "
                          "queue overflow)");
                continue;
            }
            if (ev->mask & IN_IGNORED) {
                vigil_hmap_del(m->wds, &ev->wd, sizeof(ev->wd));
                continue;
            }
            if (ev->len == 0 ||
                (dir = vigil_hmap_get(m->wds, &ev->wd, sizeof(ev->wd))) == NULL)
                continue;
            if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, ev->name) >=
                    sizeof(path) ||
                (root = watched(m, path)) < 0)
                continue;
            const struct proc_info *p = credited(m, (size_t)root, now);
            if (ev->mask & IN_CREATE) {
                if (ev->mask & IN_ISDIR)
                    add_tree(m, path);
                else
                    note_created(m, path, now);
                emit_simple(m, "creation", path, NULL, p, now);
                if (fim_ransom_note(ev->name))
                    score(m, p, (size_t)root, FIM_SIG_NOTE, path, now);
            } else if (ev->mask & IN_DELETE) {
                emit_simple(m, "deletion", path, NULL, p, now);
                if (is_canary(m, path))
                    score(m, p, (size_t)root, FIM_SIG_CANARY, path, now);
                score(m, p, (size_t)root, FIM_SIG_DELETE, path, now);
            } else if (ev->mask & IN_MOVED_FROM) {
                if (m->nmoves >= MOVES)
                    flush_moves(m, now);
                m->moves[m->nmoves].cookie = ev->cookie;
                snprintf(m->moves[m->nmoves].path, PATH_MAX, "%s", path);
                m->nmoves++;
                if (is_canary(m, path))
                    score(m, p, (size_t)root, FIM_SIG_CANARY, path, now);
            } else if (ev->mask & IN_MOVED_TO) {
                const char *old = NULL;
                for (size_t i = 0; i < m->nmoves; i++)
                    if (m->moves[i].cookie == ev->cookie) {
                        old = m->moves[i].path;
                        break;
                    }
                emit_simple(m, old ? "rename" : "creation", path, old, p, now);
                if (old != NULL) {
                    size_t i =
                        (size_t)(old - m->moves[0].path) / sizeof(m->moves[0]);
                    m->moves[i] = m->moves[--m->nmoves];
                    score(m, p, (size_t)root, FIM_SIG_RENAME, path, now);
                }
                if (ev->mask & IN_ISDIR)
                    add_tree(m, path);
                if (fim_ransom_ext(ev->name))
                    score(m, p, (size_t)root, FIM_SIG_EXT, path, now);
            } else if ((ev->mask & IN_CLOSE_WRITE) && m->fan_fd < 0) {
                ino_written(m, path, (size_t)root, now);
            }
        }
        flush_moves(m, now);
    }
}

/* ---- canaries ---- */

static void
canary_path(char *dst, const struct vigil_fim_watch *w, int j)
{
    int n = snprintf(dst, PATH_MAX, "%s/%s", w->path,
                     j == 0 ? CANARY_FIRST : CANARY_LAST);

    if (n < 0 || n >= PATH_MAX)
        dst[0] = '\0'; /* no canary in a tree whose path is that long */
}

void
vigil_fim_place_canaries(const struct vigil_fim_config *cfg)
{
    static const char line[] =
        "This file is watched by vigil. Do not open, change, move or delete "
        "it: any change raises a ransomware alert.\n";
    char text[CANARY_SIZE], p[PATH_MAX];
    size_t ll = sizeof(line) - 1;

    for (size_t i = 0; i < CANARY_SIZE; i++)
        text[i] = line[i % ll];
    for (size_t i = 0; i < cfg->nwatch; i++) {
        for (int j = 0; j < 2; j++) {
            struct stat st;
            canary_path(p, &cfg->watch[i], j);
            if (lstat(p, &st) == 0)
                continue;
            int fd = open(
                p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
            if (fd < 0 || write(fd, text, sizeof(text)) != sizeof(text))
                vigil_log(VIGIL_LOG_WARN, FIM_LOG_WATCH_FAIL,
                          "fim: cannot place canary %s: %s", p,
                          strerror(errno));
            if (fd >= 0)
                close(fd);
        }
    }
}

/* Remembers the canaries that are there (placed now or by prepare). */
static void
find_canaries(struct vigil_fim_monitor *m)
{
    size_t n = 0;

    for (size_t i = 0; i < m->cfg->nwatch; i++)
        for (int j = 0; j < 2; j++) {
            struct stat st;
            canary_path(m->canary[i][j], &m->cfg->watch[i], j);
            if (lstat(m->canary[i][j], &st) != 0 || !S_ISREG(st.st_mode))
                m->canary[i][j][0] = '\0';
            else
                n++;
        }
    vigil_log(VIGIL_LOG_INFO, FIM_LOG_CANARY, "fim: %zu canary files", n);
}

/* ---- the thread ---- */

static void *
monitor_main(void *arg)
{
    struct vigil_fim_monitor *m = arg;
    struct pollfd pf[3];
    int np = 0;

    pf[np++] = (struct pollfd){.fd = m->stop_fd, .events = POLLIN};
    pf[np++] = (struct pollfd){.fd = m->ino_fd, .events = POLLIN};
    if (m->fan_fd >= 0)
        pf[np++] = (struct pollfd){.fd = m->fan_fd, .events = POLLIN};
    for (;;) {
        int r = poll(pf, (nfds_t)np, 200);
        if (r < 0 && errno != EINTR)
            break;
        if (pf[0].revents)
            break;
        /* creations first: a new file's close is then known as new */
        if (pf[1].revents)
            read_inotify(m);
        if (m->fan_fd >= 0 && pf[2].revents)
            read_fanotify(m);
        if (m->pending_stop != 0) {
            int64_t now = vigil_time_now();
            if (now - m->pending_stop > 30 * VIGIL_NS_PER_SEC)
                m->pending_stop = 0;
            else if (now - m->last_search > VIGIL_NS_PER_SEC / 10) {
                struct proc_info found[MAX_CULPRITS];
                size_t nf = find_culprits(m, found, MAX_CULPRITS);
                char why[256];
                m->last_search = now;
                for (size_t i = 0; i < nf; i++)
                    if (!same_group(found, i) &&
                        stop_group(m, &found[i], why, sizeof(why)))
                        m->pending_stop = 0;
            }
        }
        if (r == 0 && m->sink.flush != NULL)
            m->sink.flush(m->sink.arg);
    }
    if (m->sink.flush != NULL)
        m->sink.flush(m->sink.arg);
    return NULL;
}

static void
free_path(void *p)
{
    free(p);
}

enum vigil_rc
vigil_fim_monitor_new(struct vigil_fim_monitor **out,
                      const struct vigil_fim_config *cfg, int fan_fd,
                      struct vigil_store *store,
                      const struct vigil_fim_sink *sink, struct vigil_err *err)
{
    struct vigil_fim_monitor *m = calloc(1, sizeof(*m));
    enum vigil_rc rc;

    if (m == NULL) {
        if (fan_fd >= 0)
            close(fan_fd);
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    m->cfg = cfg;
    m->sink = *sink;
    m->store = store;
    m->fan_fd = fan_fd;
    m->ino_fd = m->stop_fd = -1;
    if ((rc = vigil_hmap_new(&m->wds, MAX_WATCHES, free_path, err)) != VIGIL_OK)
        goto fail;
    if ((m->hbuf = malloc(1 << 20)) == NULL) {
        rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        goto fail;
    }
    if ((rc = fim_loss_new(&m->loss, cfg, store, err)) != VIGIL_OK)
        goto fail;
    *out = m;
    return VIGIL_OK;
fail:
    vigil_fim_monitor_free(m);
    return rc;
}

enum vigil_rc
vigil_fim_monitor_start(struct vigil_fim_monitor *m, struct vigil_err *err)
{
    if (m->cfg->nwatch == 0)
        return VIGIL_OK;
    if ((m->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0 ||
        (m->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
        return vigil_err_set(err, VIGIL_EIO, "inotify: %s", strerror(errno));
    if (m->cfg->canaries) {
        vigil_fim_place_canaries(m->cfg);
        find_canaries(m);
    }
    for (size_t i = 0; i < m->cfg->nwatch; i++)
        add_tree(m, m->cfg->watch[i].path);
    if (pthread_create(&m->th, NULL, monitor_main, m) != 0)
        return vigil_err_set(err, VIGIL_EIO, "cannot start the fim thread");
    m->running = 1;
    vigil_log(VIGIL_LOG_INFO, FIM_LOG_WATCH,
              "fim: watching %zu trees with %s (%zu folders), ransomware "
              "action %s",
              m->cfg->nwatch, vigil_fim_monitor_kind(m),
              vigil_hmap_count(m->wds), m->cfg->action_stop ? "stop" : "alert");
    return VIGIL_OK;
}

void
vigil_fim_monitor_tick(struct vigil_fim_monitor *m)
{
    if (m != NULL && m->loss != NULL)
        fim_loss_tick(m->loss, &m->sink);
}

void
vigil_fim_monitor_stop(struct vigil_fim_monitor *m)
{
    uint64_t one = 1;

    if (m == NULL || !m->running)
        return;
    if (write(m->stop_fd, &one, sizeof(one)) != sizeof(one))
        vigil_log(VIGIL_LOG_WARN, FIM_LOG_WATCH_FAIL,
                  "fim: cannot wake the monitor: %s", strerror(errno));
    pthread_join(m->th, NULL);
    m->running = 0;
}

void
vigil_fim_monitor_free(struct vigil_fim_monitor *m)
{
    if (m == NULL)
        return;
    vigil_fim_monitor_stop(m);
    if (m->fan_fd >= 0)
        close(m->fan_fd);
    if (m->ino_fd >= 0)
        close(m->ino_fd);
    if (m->stop_fd >= 0)
        close(m->stop_fd);
    vigil_hmap_free(m->wds);
    fim_loss_free(m->loss);
    free(m->hbuf);
    free(m);
}

const char *
vigil_fim_monitor_kind(const struct vigil_fim_monitor *m)
{
    return m->fan_fd >= 0 ? "fanotify" : "inotify";
}
