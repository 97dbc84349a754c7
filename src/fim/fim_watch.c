/* fim_watch.c -- the realtime monitor: one thread reading fanotify (when
 * the daemon started as root: mount marks, so each write names the acting
 * process) and inotify (creations, deletions and renames, which a mount
 * mark without file handles cannot report, and everything when not
 * root), turning each change into a struct vigil_fim_change for the
 * sink, scoring it for ransomware (fim_ransom.c) and, with `action:
 * stop`, stopping the run that crossed the threshold (fim_stop.c).
 *
 * Who acted: fanotify gives the pid; its process group, user and
 * executable are read from /proc while the process lives (a cache filled
 * on the first write). A short-lived writer such as one `openssl enc` per
 * file may be gone by the time its close is read: then the kernel's
 * process events (fim_lineage.c) say which living process forked it, and
 * the write is that run's; without them, a writer gone is nobody. inotify names
 * nobody, and nobody is credited with its events by guess: a detection without
 * a pid names a process only on the evidence fim_stop.c's fim_find_writer asks
 * for, and stopping follows fim_stop.c's rules. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fim/fim_canary.h"
#include "fim/fim_lineage.h"
#include "fim/fim_loss.h"
#include "fim/fim_ransom.h"
#include "fim/fim_stop.h"

#define PROC_CACHE    512
#define PROC_TTL_NS   (10 * VIGIL_NS_PER_SEC)
#define PROC_FRESH_NS (VIGIL_NS_PER_SEC / 10)
#define HASH_MAX      (16 << 20) /* larger files are not hashed live */
#define SAMPLE        4096
#define MAX_WATCHES   65536
#define MOVES         64
#define CREDIT_NS     (2 * VIGIL_NS_PER_SEC)
#define PENDING_NS    (2 * VIGIL_NS_PER_SEC)
#define PENDING_MAX   (30 * VIGIL_NS_PER_SEC)
#define SEARCH_NS     (VIGIL_NS_PER_SEC / 200)
#define CREATED       1024
#define CREATED_NS    (5 * VIGIL_NS_PER_SEC)

#define USER_CACHE 16
#define FRESH      8 /* newest processes looked at again at each write */

/* A folder moved into a tree (FIND12 19): its files are judged by
 * content, at most this many, this deep, for this long per folder, so
 * that the monitor thread is never held up for long. */
#define MOVEIN_FILES 256
#define MOVEIN_DEPTH 8
#define MOVEIN_NS    (VIGIL_NS_PER_SEC / 5)
/* folders moved out of the trees, by path: one moved back under its
 * name (or a copy of it) within this long is the tree's again */
#define MOVEDOUT    256
#define MOVEDOUT_NS (600 * VIGIL_NS_PER_SEC)

/* The watched roots are looked at this often: one deleted, moved away
 * or replaced is watched again once its path is a folder again. */
#define ROOT_CHECK_NS VIGIL_NS_PER_SEC

/* The alert rate (FIND12 36): per user, a burst of RATE_USER_BURST
 * then one per RATE_USER_S seconds; for all users together,
 * RATE_ALL_BURST then one per RATE_ALL_S. Past it a detection is
 * counted, not alerted (a stop is never skipped); the count goes with
 * the next alert and, after RATE_SUMMARY_NS, to the log. */
#define RATE_USERS      64
#define RATE_USER_BURST 3.0
#define RATE_USER_S     20.0
#define RATE_ALL_BURST  10.0
#define RATE_ALL_S      6.0
#define RATE_SUMMARY_NS (60 * VIGIL_NS_PER_SEC)
#define UID_UNKNOWN     UINT32_MAX

/* The monitor thread's nice value: ahead of ordinary work (0), so that a
 * busy machine does not delay reading who writes, nor stopping them (the
 * daemon keeps CAP_SYS_NICE with `action: stop`, daemon_privsep.c). */
#define MONITOR_NICE (-10)

struct user_slot {
    int used;
    uint32_t uid;
    char name[64];
};

struct move {
    uint32_t cookie;
    int quiet; /* an excluded name: scored, never reported */
    int dir;
    char path[PATH_MAX];
};

/* A watched root: its top folder's watch and inode, or lost (deleted,
 * moved away or replaced) until its path is a folder again. */
struct root {
    int wd;
    int lost;
    uint64_t dev, ino;
    int64_t adopted; /* files born before were put in as the tree's */
};

/* A token bucket of alerts. */
struct rate {
    int used;
    uint32_t uid;
    double tokens;
    int64_t t;
};

struct vigil_fim_monitor {
    const struct vigil_fim_config *cfg;
    struct vigil_fim_sink sink;
    struct vigil_store *store;
    int fan_fd, ino_fd, stop_fd;
    struct fim_lineage *lineage; /* who forked whom (fim_lineage.c) */
    int64_t fresh[FRESH];        /* inotify: the newest processes */
    size_t nfresh;
    int64_t lineage_warned; /* when events were last said dropped */
    pthread_t th;
    int running;
    struct vigil_hmap *wds; /* wd -> owned path */
    struct fim_proc procs[PROC_CACHE];
    struct user_slot users[USER_CACHE];
    struct fim_scores scores;
    struct {
        int64_t t;
        struct fim_proc p;
        size_t root;
    } last; /* fanotify: the last writer of suspicious data */
    struct move moves[MOVES];
    size_t nmoves;
    int64_t pending_stop; /* inotify: a detection still looking for whom */
    int64_t pending_seen; /* ... and the last unattributed signal since */
    int pending_several;  /* ... several suspects were seen */
    int64_t last_search;
    int64_t started;              /* files born before are not new (fimscore) */
    struct fim_suspects suspects; /* inotify: who was seen writing what */
    int64_t sight_until;          /* ... looked at until then */
    struct fim_loss *loss;
    /* for vigil_fim_monitor_stats (comp_fim: `vigil status`) */
    _Atomic uint64_t n_seen, n_overflows, n_stopped;
    unsigned char buf[SAMPLE];
    struct {
        uint64_t h;
        int64_t t;
    } created[CREATED];  /* paths inotify saw created, by hash */
    unsigned char *hbuf; /* hashing scratch */
    struct {
        uint64_t h;
        int64_t t;
    } movedout[MOVEDOUT]; /* folders moved out of the trees, by hash */
    struct root *roots;   /* one per cfg->watch */
    int64_t root_check;   /* when the roots were last looked at */
    struct rate rates[RATE_USERS];
    struct rate rate_all;
    unsigned suppressed;   /* detections not alerted since ... */
    unsigned supp_stopped; /* ... of which a process was stopped */
    int64_t supp_since;
};

/* ---- who ---- */

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

/* pid, a writer that exited before /proc was read, as far as the kernel's
 * process events tell: its living parent's group, session, user and start
 * (so that fim_stop plans from that parent), its own pid, its executable
 * unknown. 0 when they do not tell. */
static int
proc_gone(struct vigil_fim_monitor *m, int64_t pid, struct fim_proc *p)
{
    int64_t parent = fim_lineage_parent(m->lineage, pid);

    if (parent <= 1 || !fim_proc_read(parent, p))
        return 0;
    p->pid = pid;
    p->ppid = parent;
    p->exe_known = 0;
    p->gone = 1;
    snprintf(p->exe, sizeof(p->exe), "%s", FIM_EXE_UNKNOWN);
    return 1;
}

static void drain_lineage(struct vigil_fim_monitor *m, int64_t now);

/* p, living, left its parent's process group or session without a
 * terminal (`setsid` per file keeps each worker's score apart and its
 * stop from reaching the script): when the kernel's events say its parent
 * forked it, that parent still lives and is the same user's, p's writes
 * are that parent's run (its group and session) and fim_stop plans from
 * the parent. */
static void
proc_detached(struct vigil_fim_monitor *m, struct fim_proc *p)
{
    struct fim_proc parent;

    if (p->tty || (p->pgid != p->pid && p->sid != p->pid) || p->ppid <= 1)
        return;
    /* its fork may still wait on the socket (read outside a batch) */
    if (fim_lineage_parent(m->lineage, p->pid) == 0)
        drain_lineage(m, vigil_time_now());
    if (fim_lineage_parent(m->lineage, p->pid) != p->ppid ||
        !fim_proc_read(p->ppid, &parent) || parent.uid != p->uid)
        return;
    p->pgid = parent.pgid;
    p->sid = parent.sid;
    p->detached = 1;
}

/* The cached or freshly read process pid (or, gone, proc_gone's picture
 * of it); NULL when gone and unknown. */
static const struct fim_proc *
proc_get(struct vigil_fim_monitor *m, int64_t pid, int64_t now)
{
    struct fim_proc *slot = &m->procs[(uint64_t)pid % PROC_CACHE];
    struct fim_proc p;

    uint64_t start;
    int alive;

    /* a pid is not reused within PROC_FRESH_NS (the whole pid space would
     * have to wrap): no /proc read per event of a busy writer */
    if (slot->pid == pid && now - slot->seen < PROC_FRESH_NS)
        return slot;
    alive = fim_proc_start(pid, &start);

    /* the same process as cached (not a reuse of its pid), or one gone
     * since it was cached a moment ago */
    if (slot->pid == pid && now - slot->seen < PROC_TTL_NS &&
        (alive ? start == slot->start : 1))
        return slot;
    if (alive && fim_proc_read(pid, &p))
        proc_detached(m, &p);
    else if (!proc_gone(m, pid, &p))
        return NULL;
    user_name(m, p.uid, p.user, sizeof(p.user));
    p.seen = now;
    *slot = p;
    return slot;
}

/* ---- where ---- */

/* The watched tree path is in (index), or -1; *excluded (may be NULL)
 * says whether an exclude pattern matches it. */
static int
tree_of(const struct vigil_fim_monitor *m, const char *path, int *excluded)
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
        if (excluded != NULL)
            *excluded = fim_excluded(
                path, name, (const char *const *)w->exclude, w->nexclude);
        return (int)i;
    }
    return -1;
}

/* The watched tree path is in, or -1 when outside or excluded. */
static int
watched(const struct vigil_fim_monitor *m, const char *path)
{
    int excluded = 0, root = tree_of(m, path, &excluded);

    return excluded ? -1 : root;
}

/* fim_canary.c knows the canaries (fimscore: FIND12 17) */
static int
is_canary(const struct vigil_fim_monitor *m, const char *path)
{
    return m->cfg->canaries && fim_canary_is(m->cfg, path, vigil_time_now());
}

/* ---- detection ---- */

/* r refilled to now at per_s tokens a second, up to burst. */
static void
rate_fill(struct rate *r, int64_t now, double burst, double every_s)
{
    if (!r->used) {
        r->used = 1;
        r->tokens = burst;
    } else if (now > r->t) {
        r->tokens += (double)(now - r->t) / 1e9 / every_s;
        if (r->tokens > burst)
            r->tokens = burst;
    }
    r->t = now;
}

/* May a detection by uid (UID_UNKNOWN: nobody named) be alerted on now?
 * Takes a token from uid's bucket and the global one when both have
 * one. The least recently used bucket is reused for a new user: an
 * attacker cycling through many uids meets the global cap. */
static int
rate_allow(struct vigil_fim_monitor *m, uint32_t uid, int64_t now)
{
    struct rate *r = NULL;

    for (size_t i = 0; i < RATE_USERS; i++) {
        struct rate *c = &m->rates[i];
        if (c->used && c->uid == uid) {
            r = c;
            break;
        }
        if (r == NULL || !c->used || (r->used && c->t < r->t))
            r = c;
    }
    if (!r->used || r->uid != uid) {
        memset(r, 0, sizeof(*r));
        r->uid = uid;
    }
    rate_fill(r, now, RATE_USER_BURST, RATE_USER_S);
    rate_fill(&m->rate_all, now, RATE_ALL_BURST, RATE_ALL_S);
    if (r->tokens < 1 || m->rate_all.tokens < 1)
        return 0;
    r->tokens -= 1;
    m->rate_all.tokens -= 1;
    return 1;
}

/* A detection past the alert rate: counted (stopped: a process was
 * stopped for it); the first of a run is said once. */
static void
rate_suppress(struct vigil_fim_monitor *m, const char *user, int stopped,
              int64_t now)
{
    if (m->suppressed++ == 0) {
        m->supp_since = now;
        vigil_log(VIGIL_LOG_WARN, FIM_LOG_RANSOM,
                  "fim: alert rate limit reached (user %s): further "
                  "detections are counted, not alerted; stopping goes on",
                  user[0] ? user : "?");
    }
    m->supp_stopped += stopped != 0;
}

/* The detections counted since the last alert, said in the log once
 * RATE_SUMMARY_NS passed without an alert to carry them. */
static void
rate_summary(struct vigil_fim_monitor *m, int64_t now)
{
    if (m->suppressed == 0 || now - m->supp_since < RATE_SUMMARY_NS)
        return;
    vigil_log(VIGIL_LOG_WARN, FIM_LOG_RANSOM,
              "fim: %u more detections suppressed by the alert rate limit "
              "in %llds (%u with a process stopped)",
              m->suppressed, (long long)((now - m->supp_since) / 1000000000),
              m->supp_stopped);
    m->suppressed = m->supp_stopped = 0;
}

/* Hands d to the sink unless past the alert rate (uid: who it names,
 * UID_UNKNOWN for nobody); an alert carries the count of those
 * suppressed before it in its title and "suppressed" field. Returns
 * whether it was alerted. */
static int
alert(struct vigil_fim_monitor *m, const struct vigil_fim_detection *d,
      struct vigil_buf *detail, uint32_t uid, const char *user, int stopped,
      int64_t now)
{
    struct vigil_fim_detection e = *d;
    char title[640];

    if (!rate_allow(m, uid, now)) {
        rate_suppress(m, user, stopped, now);
        return 0;
    }
    if (m->suppressed > 0) {
        snprintf(title, sizeof(title),
                 "%s (%u more detections suppressed before this one)", d->title,
                 m->suppressed);
        e.title = title;
        /* the object's closing brace becomes the count's field */
        if (detail->data != NULL && detail->len > 0 &&
            detail->data[detail->len - 1] == '}') {
            detail->len--;
            vigil_buf_printf(detail, ",\"suppressed\":%u}", m->suppressed);
            e.detail_json = detail->data;
        }
        m->suppressed = m->supp_stopped = 0;
    }
    if (m->sink.detect != NULL)
        (void)m->sink.detect(m->sink.arg, &e);
    return 1;
}

/* Returns killed (what fim_stop stopped), counting it for the stats. */
static int
counted(struct vigil_fim_monitor *m, int killed)
{
    if (killed > 0)
        atomic_fetch_add_explicit(&m->n_stopped, (uint64_t)killed,
                                  memory_order_relaxed);
    return killed;
}

static void
detect(struct vigil_fim_monitor *m, struct fim_score *s,
       const struct fim_proc *p, int64_t now)
{
    struct vigil_buf b;
    char why[256] = "alert only (ransomware.action: alert)";
    char title[512];
    struct fim_proc found;
    int stopped = 0, several = 0;
    /* the long window (fimscore): a lower level, no stop */
    int slow = s->is_slow && s->canary == 0;

    /* the cache may be up to PROC_TTL_NS old: the process may have
     * exec'd or changed identity since; re-read while it is the same */
    if (p != NULL && !p->gone && fim_proc_read(p->pid, &found) &&
        found.start == p->start) {
        proc_detached(m, &found);
        user_name(m, found.uid, found.user, sizeof(found.user));
        p = &found;
    }
    if (p == NULL &&
        fim_find_writer(m->cfg, &m->suspects, now, &found, &several)) {
        proc_detached(m, &found);
        user_name(m, found.uid, found.user, sizeof(found.user));
        p = &found;
    }
    if (slow)
        snprintf(why, sizeof(why), "alert only (sustained slow rewrites)");
    if (m->cfg->action_stop && !slow) {
        if (p != NULL && p->pid > 0) {
            stopped = counted(m, fim_stop(m->cfg, p, why, sizeof(why))) > 0;
        } else if (several) {
            snprintf(why, sizeof(why),
                     "not stopped: several processes write in the trees "
                     "and nothing tells which one did this");
        } else {
            /* the writer may be between two files: look again while the
             * changes go on */
            snprintf(why, sizeof(why), "no process found yet");
            m->pending_stop = m->pending_seen = now;
            m->pending_several = 0;
        }
    }
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
    vigil_buf_json_str(&b, p ? p->exe : FIM_EXE_UNKNOWN,
                       strlen(p ? p->exe : FIM_EXE_UNKNOWN));
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
    const char *who = p == NULL      ? "an unknown process"
                      : p->exe_known ? p->exe
                                     : "an unknown executable";
    if (s->canary && s->nrecent > 0)
        snprintf(title, sizeof(title),
                 "Canary file touched: %.160s by %.200s (pid %lld, user "
                 "%.60s)%s",
                 s->recent[(s->nrecent - 1) % FIM_RECENT], who,
                 p ? (long long)p->pid : 0LL, p && p->user[0] ? p->user : "?",
                 stopped ? "; stopped" : "");
    else
        snprintf(title, sizeof(title),
                 "Ransomware behaviour%s: %s (pid %lld, user %s) rewrote %u "
                 "files with encrypted-looking data, wiped %u%s",
                 slow ? " (slow)" : "", who, p ? (long long)p->pid : 0LL,
                 p && p->user[0] ? p->user : "?", s->encrypted, s->wiped,
                 stopped ? "; stopped" : "");
    struct vigil_fim_detection d = {
        .time_ns = now,
        .kind = s->canary ? "fim.canary" : "fim.ransomware",
        .level = slow ? "high" : "critical",
        .title = title,
        .subject = p != NULL && p->exe_known ? p->exe : FIM_EXE_UNKNOWN,
        .detail_json = b.data ? b.data : "{}",
    };
    /* past the alert rate, counted: the stop above was made all the same */
    if (alert(m, &d, &b, p ? p->uid : UID_UNKNOWN, p ? p->user : "", stopped,
              now))
        vigil_log(VIGIL_LOG_ERROR, FIM_LOG_RANSOM,
                  "fim: ransomware behaviour by %s (pid %lld, user %s): score "
                  "%.0f, %u encrypted-looking rewrites, %u ransom extensions, "
                  "%u renames, %u deletions, canary %u; %s",
                  p ? p->exe : FIM_EXE_UNKNOWN, p ? (long long)p->pid : 0LL,
                  p && p->user[0] ? p->user : "?", s->score, s->encrypted,
                  s->extensions, s->renames, s->deletes, s->canary, why);
    vigil_buf_fini(&b);
    /* a second wave must meet canaries too (fimscore: FIND12 34) */
    if (s->canary && m->cfg->canaries)
        (void)fim_canary_refresh(m->cfg);
}

/* inotify, something suspicious going on: notes who writes in the trees
 * now (at most every SEARCH_NS), for fim_find_writer's evidence. */
static void
sight(struct vigil_fim_monitor *m, int64_t now)
{
    struct fim_proc found;
    int several;

    if (now - m->last_search < SEARCH_NS)
        return;
    m->last_search = now;
    (void)fim_find_writer(m->cfg, &m->suspects, now, &found, &several);
}

/* Credits sig about path to whoever acted (p may be NULL). */
static void
score(struct vigil_fim_monitor *m, const struct fim_proc *p, size_t root,
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
    if (key == 0 && m->pending_stop != 0)
        m->pending_seen = now;
    /* inotify: who writes in the trees is looked at from a tenth of the
     * threshold on (the rename program reaches it on its third file), for
     * a window, so that the evidence a detection needs (who wrote the
     * files that scored) is there when it comes */
    if (key == 0 && m->fan_fd < 0 &&
        s->score * 10 >= (double)m->cfg->threshold) {
        m->sight_until = now + m->cfg->window_ms * 1000000LL;
        sight(m, now);
    }
    if (fim_score_add(s, sig, path, now, m->cfg))
        detect(m, s, p, now);
    else if (p != NULL && s->alerted == 0 &&
             fim_score_user(&m->scores, p->uid, sig, path, now, m->cfg, &s))
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

/* A file written and closed: fd open on it (borrowed). fan: fanotify
 * named p; quiet: an excluded name, scored but not reported; created: a
 * new file (not a rewrite) whatever inotify saw. */
static void
on_written(struct vigil_fim_monitor *m, int fd, const char *path, size_t root,
           const struct fim_proc *p, int64_t now, int fan, int quiet,
           int created)
{
    struct vigil_fim_change c = {0};
    struct vigil_err err = {0};
    struct fim_sample smp;
    struct stat st;
    char hex[65];
    int sig, suspicious;
    int64_t since;
    const char *name = strrchr(path, '/');

    name = name ? name + 1 : path;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return;
    c.time_ns = now;
    c.action = "modification";
    c.path = path;
    fim_sample_fd(fd, name, (int64_t)st.st_size, m->buf, sizeof(m->buf), &smp);
    c.entropy = smp.entropy;
    /* born before the tree's own files were put back in place (a root
     * swapped for a copy, a folder back): the tree's, not new */
    since = m->started > m->roots[root].adopted ? m->started
                                                : m->roots[root].adopted;
    sig =
        fim_judge_write(&m->scores, path, &smp,
                        created || created_recently(m, path, now) ||
                            fim_born_recently(fd, since, now, 2 * CREATED_NS));
    suspicious = smp.cls == FIM_CLS_ENCRYPTED || smp.cls == FIM_CLS_ARMOURED ||
                 fim_ransom_ext(name);
    /* fanotify named a writer that exited before /proc could be read (one
     * short process per file): a suspicious write is credited to the last
     * writer seen writing suspicious data under the same tree moments
     * ago, a script's previous worker; never to a writer of plain data,
     * such as a service logging there */
    if (fan && suspicious) {
        if (p == NULL && fim_lineage_fd(m->lineage) < 0 && m->last.t != 0 &&
            now - m->last.t < CREDIT_NS && m->last.root == root)
            p = &m->last.p;
        else if (p != NULL) {
            m->last.p = *p;
            m->last.t = now;
            m->last.root = root;
            /* a detection made of writers gone too fast to be named is
             * waiting: this one, writing encrypted-looking data in the
             * trees while those changes go on, is its next worker */
            if (m->pending_stop != 0 && m->cfg->action_stop) {
                char why[256];
                m->pending_stop = 0;
                (void)counted(m, fim_stop(m->cfg, p, why, sizeof(why)));
            }
        }
    }
    if (p != NULL) {
        c.pid = p->pid;
        c.exe = p->exe_known ? p->exe : NULL;
        c.user = p->user;
    }
    /* inotify: whoever was seen writing this file is a suspect now, before
     * the score may reach a detection that looks for one */
    if (p == NULL && suspicious)
        fim_suspect_scored(&m->suspects, (uint64_t)st.st_dev,
                           (uint64_t)st.st_ino, now,
                           m->cfg->window_ms * 1000000LL);
    if (is_canary(m, path))
        score(m, p, root, FIM_SIG_CANARY, path, now);
    if (sig >= 0)
        score(m, p, root, (enum fim_signal)sig, path, now);
    if (quiet)
        return;
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

static void
emit_simple(struct vigil_fim_monitor *m, const char *action, const char *path,
            const char *old, const struct fim_proc *p, int64_t now)
{
    struct vigil_fim_change c = {0};

    c.time_ns = now;
    c.action = action;
    c.path = path;
    c.old_path = old;
    c.entropy = -1;
    if (p != NULL) {
        c.pid = p->pid;
        c.exe = p->exe_known ? p->exe : NULL;
        c.user = p->user;
    }
    if (m->sink.change != NULL)
        (void)m->sink.change(m->sink.arg, &c);
}

static void retry_stop(struct vigil_fim_monitor *m);

/* ---- fanotify ---- */

static enum vigil_rc
fanotify_open(const struct vigil_fim_config *cfg, int *fd,
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
                                 "started as root (or set fim.monitor: "
                                 "inotify, or auto)");
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

/* The daemon's own folder is never reported. Each fanotify event comes
 * with a descriptor of its file, which the monitor closes; closing any
 * descriptor of a file drops every POSIX lock this process holds on it,
 * SQLite's on the store included: a reader (`vigil status`) would then
 * rebuild the WAL index under the store's writer, which dies of SIGBUS
 * or corrupts the store. FAN_MARK_IGNORE with FAN_EVENT_ON_CHILD (Linux
 * 6.0) ignores the folder's children, files created later included;
 * before the store is opened, so no event of its files is queued. */
static enum vigil_rc
ignore_own(int fan_fd, const char *state_dir, struct vigil_err *err)
{
    if (fanotify_mark(fan_fd,
                      FAN_MARK_ADD | FAN_MARK_IGNORE |
                          FAN_MARK_IGNORED_SURV_MODIFY,
                      FAN_MODIFY | FAN_CLOSE_WRITE | FAN_EVENT_ON_CHILD,
                      AT_FDCWD, state_dir) == 0)
        return VIGIL_OK;
    return vigil_err_set(err, VIGIL_EIO,
                         "fim: cannot keep fanotify off the state folder %s "
                         "(%s; Linux 6.0 or later is needed): use "
                         "fim.monitor: inotify",
                         state_dir, strerror(errno));
}

/* The same for the SQLite files of data-loss stores, which the stores'
 * thread reads under SQLite's locks: each file that exists now (a WAL or
 * shared-memory file made later is not covered; logged when it cannot
 * be marked). */
static void
ignore_stores(int fan_fd, const struct vigil_fim_config *cfg)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    char p[sizeof(cfg->stores[0].target) + 16];

    for (size_t i = 0; i < cfg->nstores; i++) {
        if (cfg->stores[i].kind != VIGIL_FIM_STORE_SQLITE)
            continue;
        for (size_t j = 0; j < sizeof(suffix) / sizeof(suffix[0]); j++) {
            snprintf(p, sizeof(p), "%s%s", cfg->stores[i].target, suffix[j]);
            if (fanotify_mark(fan_fd, FAN_MARK_ADD | FAN_MARK_IGNORE_SURV,
                              FAN_MODIFY | FAN_CLOSE_WRITE, AT_FDCWD, p) != 0 &&
                errno != ENOENT)
                vigil_log(VIGIL_LOG_WARN, FIM_LOG_WATCH_FAIL,
                          "fim: cannot keep fanotify off %s: %s", p,
                          strerror(errno));
        }
    }
}

enum vigil_rc
vigil_fim_kernel_open(const struct vigil_fim_config *cfg, const char *state_dir,
                      struct vigil_fim_kernel *k, struct vigil_err *err)
{
    char why[128];
    enum vigil_rc rc;

    k->fan_fd = k->proc_fd = -1;
    if ((rc = fanotify_open(cfg, &k->fan_fd, err)) != VIGIL_OK)
        return rc;
    if (k->fan_fd >= 0 && state_dir != NULL &&
        (rc = ignore_own(k->fan_fd, state_dir, err)) != VIGIL_OK) {
        close(k->fan_fd);
        k->fan_fd = -1;
        if (cfg->monitor == VIGIL_FIM_MON_FANOTIFY)
            return rc;
        vigil_log(VIGIL_LOG_WARN, FIM_LOG_WATCH_FAIL, "%s; using inotify",
                  err->msg);
        vigil_err_clear(err);
    }
    if (k->fan_fd >= 0)
        ignore_stores(k->fan_fd, cfg);
    /* who forked whom: fanotify's writers gone, and (both monitors) a
     * worker that left its script's group; root only */
    if (cfg->nwatch == 0 || geteuid() != 0)
        return VIGIL_OK;
    if ((k->proc_fd = fim_lineage_open(why, sizeof(why))) < 0)
        vigil_log(VIGIL_LOG_WARN, FIM_LOG_WATCH_FAIL,
                  "fim: %s; a writer that exits before its close is read, "
                  "or leaves its script's group, is nobody",
                  why);
    return VIGIL_OK;
}

static void
drain_lineage(struct vigil_fim_monitor *m, int64_t now)
{
    int64_t fresh[FIM_LINEAGE_RECENT];
    size_t n;

    if (fim_lineage_drain(m->lineage) &&
        now - m->lineage_warned > 60 * VIGIL_NS_PER_SEC) {
        m->lineage_warned = now;
        vigil_log(VIGIL_LOG_WARN, FIM_LOG_OVERFLOW,
                  "fim: the kernel dropped process events (too many forks "
                  "at once): a short-lived writer may go unnamed");
    }
    n = fim_lineage_take_recent(m->lineage, fresh, FIM_LINEAGE_RECENT);
    /* inotify, something suspicious going on: a process just forked or
     * exec'd is looked at now, while a writer that lives a millisecond
     * (`cat T > F`: the shell opened F before the exec) still holds its
     * file; the whole /proc is searched only every SEARCH_NS */
    if (m->fan_fd >= 0)
        return;
    for (size_t i = n; i > 0; i--) /* oldest first: the newest stay */
        m->fresh[m->nfresh++ % FRESH] = fresh[i - 1];
    if (m->sight_until < now && m->pending_stop == 0)
        return;
    for (size_t i = 0; i < n; i++)
        (void)fim_sight(m->cfg, &m->suspects, now, fresh[i]);
}

/* inotify, a file of the trees being written (IN_MODIFY) while something
 * suspicious goes on: its writer is among the newest processes, forked
 * before it opened the file (looked at then, and found writing nothing),
 * and still holds it now. */
static void
sight_fresh(struct vigil_fim_monitor *m, int64_t now)
{
    drain_lineage(m, now);
    for (size_t i = 0; i < FRESH && i < m->nfresh; i++)
        (void)fim_sight(m->cfg, &m->suspects, now, m->fresh[i]);
}

static void
read_fanotify(struct vigil_fim_monitor *m)
{
    char buf[16384] __attribute__((aligned(8)));
    ssize_t n;

    while ((n = read(m->fan_fd, buf, sizeof(buf))) > 0) {
        int64_t now = vigil_time_now();
        /* every fork of these writers is on the lineage's socket already
         * (the kernel queues it before the child runs) */
        drain_lineage(m, now);
        struct fanotify_event_metadata *md = (void *)buf;
        ssize_t left = n; /* FAN_EVENT_NEXT counts it down */
        /* first, who wrote: a short-lived writer (one process per file)
         * may exit while the batch's earlier closes are hashed, scored
         * and published, so every writer in the batch is read from /proc
         * before any of that work */
        for (; FAN_EVENT_OK(md, left); md = FAN_EVENT_NEXT(md, left)) {
            char fdpath[64], path[PATH_MAX];
            ssize_t l;
            if (md->vers != FANOTIFY_METADATA_VERSION || md->fd < 0 ||
                md->pid == getpid())
                continue;
            snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", md->fd);
            l = readlink(fdpath, path, sizeof(path) - 1);
            if (l > 0 && (path[l] = '\0', tree_of(m, path, NULL)) >= 0)
                (void)proc_get(m, md->pid, now);
        }
        md = (void *)buf;
        for (; FAN_EVENT_OK(md, n); md = FAN_EVENT_NEXT(md, n)) {
            char fdpath[64], path[PATH_MAX];
            const struct fim_proc *p;
            ssize_t l;
            int root, quiet = 0;

            if (md->vers != FANOTIFY_METADATA_VERSION)
                return;
            if (md->mask & FAN_Q_OVERFLOW) {
                atomic_fetch_add_explicit(&m->n_overflows, 1,
                                          memory_order_relaxed);
                vigil_log(VIGIL_LOG_WARN, FIM_LOG_OVERFLOW,
                          "fim: the kernel dropped file events (fanotify "
                          "queue overflow)");
            }
            if (md->fd < 0)
                continue;
            if (md->pid == getpid()) {
                close(md->fd);
                continue;
            }
            /* outside the trees (a mount mark sees the whole mount):
             * dropped before any /proc work */
            snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", md->fd);
            l = readlink(fdpath, path, sizeof(path) - 1);
            if (l <= 0 ||
                (path[l] = '\0', root = tree_of(m, path, &quiet)) < 0) {
                close(md->fd);
                continue;
            }
            atomic_fetch_add_explicit(&m->n_seen, 1, memory_order_relaxed);
            /* fill the cache while the writer lives; one already gone
             * is nobody: crediting another process would be a guess */
            p = proc_get(m, md->pid, now);
            if (!(md->mask & FAN_CLOSE_WRITE)) {
                close(md->fd);
                continue;
            }
            on_written(m, md->fd, path, (size_t)root, p, now, 1, quiet, 0);
            close(md->fd);
        }
    }
}

/* ---- inotify ---- */

#define INO_MASK                                                               \
    (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE |    \
     IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

/* A pseudo file system's folder (proc, sysfs...): not watched, said. */
static int
pseudo_dir(const char *p)
{
    char type[64];
    struct stat st;
    int r = 0, fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0 && fstat(fd, &st) == 0 &&
        fim_pseudo_fs(fd, st.st_dev, type, sizeof(type))) {
        vigil_log(VIGIL_LOG_INFO, FIM_LOG_WATCH_FAIL,
                  "fim: not watching %s: pseudo file system %s", p, type);
        r = 1;
    }
    if (fd >= 0)
        close(fd);
    return r;
}

/* Watches dir and the folders under it; returns dir's watch (-1 when
 * it could not be watched). *known (may be NULL): dir was watched
 * already, under this path or another (a watch follows its folder's
 * inode: one moved out of a tree and back keeps it). Each folder's watch
 * is given its path now, a folder moved within the trees included. */
static int
add_tree(struct vigil_fim_monitor *m, const char *dir, int *known)
{
    int top = -1;

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
        if (pseudo_dir(p)) {
            free(p);
            continue;
        }
        /* without fanotify, IN_MODIFY tells when a writer holds a file
         * open: the moment to look for it (read_inotify) */
        int wd = inotify_add_watch(m->ino_fd, p,
                                   INO_MASK | (m->fan_fd < 0 ? IN_MODIFY : 0));
        if (wd < 0) {
            vigil_log(VIGIL_LOG_WARN, FIM_LOG_WATCH_FAIL,
                      "fim: cannot watch %s: %s", p, strerror(errno));
            free(p);
            continue;
        }
        if (top < 0) {
            top = wd;
            if (known != NULL)
                *known = vigil_hmap_get(m->wds, &wd, sizeof(wd)) != NULL;
        }
        char *copy = strdup(p);
        if (copy == NULL ||
            vigil_hmap_put(m->wds, &wd, sizeof(wd), copy) != VIGIL_OK)
            free(copy);
        DIR *d = opendir(p);
        struct dirent *de;
        while (d != NULL && (de = readdir(d)) != NULL) {
            char sub[PATH_MAX];
            if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
                strcmp(de->d_name, "..") == 0)
                continue;
            size_t pl = strlen(p); /* "/" + "proc": "/proc", not "//proc" */
            if ((size_t)snprintf(sub, sizeof(sub), "%s%s%s", p,
                                 pl > 0 && p[pl - 1] == '/' ? "" : "/",
                                 de->d_name) >= sizeof(sub) ||
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
    return top;
}

/* The files of a folder put into a tree at once -- moved in, or a root
 * replaced (FIND12 19, 35) -- judged by content like a file moved in:
 * rewrite, they replace the tree's own files (a folder that was the
 * tree's, back), else they are new. Bounded by MOVEIN_FILES,
 * MOVEIN_DEPTH and MOVEIN_NS. Nobody is named (inotify). */
static void
sample_tree(struct vigil_fim_monitor *m, const char *dir, size_t root,
            int rewrite, int64_t now)
{
    struct {
        char *path;
        int depth;
    } *stack = NULL;
    size_t n = 0, cap = 0, files = 0;
    char *first = strdup(dir);

    if (rewrite)
        m->roots[root].adopted = now;
    if (first == NULL || vigil_grow(&stack, &cap, 1, sizeof(*stack), 0))
        goto out;
    stack[n].path = first;
    stack[n++].depth = 0;
    first = NULL;
    while (n > 0 && files < MOVEIN_FILES &&
           vigil_time_now() - now < MOVEIN_NS) {
        char *p = stack[--n].path;
        int depth = stack[n].depth;
        DIR *d = opendir(p);
        struct dirent *de;
        while (d != NULL && (de = readdir(d)) != NULL && files < MOVEIN_FILES) {
            char sub[PATH_MAX];
            struct fim_sample smp;
            struct stat st;
            int fd, sig;
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
                (size_t)snprintf(sub, sizeof(sub), "%s/%s", p, de->d_name) >=
                    sizeof(sub) ||
                watched(m, sub) < 0)
                continue;
            if (de->d_type == DT_DIR) {
                if (depth + 1 < MOVEIN_DEPTH &&
                    !vigil_grow(&stack, &cap, n + 1, sizeof(*stack),
                                MAX_WATCHES) &&
                    (stack[n].path = strdup(sub)) != NULL)
                    stack[n++].depth = depth + 1;
                continue;
            }
            if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
                continue;
            fd = open(sub, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
            if (fd < 0)
                continue;
            if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
                files++;
                fim_sample_fd(fd, de->d_name, (int64_t)st.st_size, m->buf,
                              sizeof(m->buf), &smp);
                if ((sig = fim_judge_write(&m->scores, sub, &smp, !rewrite)) >=
                    0)
                    score(m, NULL, root, (enum fim_signal)sig, sub, now);
            }
            close(fd);
        }
        if (d != NULL)
            closedir(d);
        free(p);
    }
out:
    free(first);
    for (size_t i = 0; i < n; i++)
        free(stack[i].path);
    free(stack);
}

static void
ino_written(struct vigil_fim_monitor *m, const char *path, size_t root,
            int64_t now, int quiet)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0)
        return;
    on_written(m, fd, path, root, NULL, now, 0, quiet, 0);
    close(fd);
}

/* A file put in place by a rename -- a temporary file (created moments
 * ago, or an excluded name) or one written outside the trees and moved
 * in, maybe over the original (FIND12 6, 40): the content of path was
 * rewritten, judge it so (fimscore). */
static void
ino_replaced(struct vigil_fim_monitor *m, const char *path, size_t root,
             const struct fim_proc *p, int64_t now)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct fim_sample smp;
    struct stat st;
    int sig;

    if (fd < 0)
        return;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        const char *name = strrchr(path, '/');
        fim_sample_fd(fd, name ? name + 1 : path, (int64_t)st.st_size, m->buf,
                      sizeof(m->buf), &smp);
        if ((sig = fim_judge_write(&m->scores, path, &smp, 0)) >= 0)
            score(m, p, root, (enum fim_signal)sig, path, now);
    }
    close(fd);
}

static void
flush_moves(struct vigil_fim_monitor *m, int64_t now)
{
    /* moved out of the watched trees: gone from them (an excluded name
     * was never reported) */
    for (size_t i = 0; i < m->nmoves; i++) {
        if (m->moves[i].dir) {
            uint64_t h = path_hash(m->moves[i].path);
            m->movedout[h % MOVEDOUT].h = h;
            m->movedout[h % MOVEDOUT].t = now;
        }
        if (!m->moves[i].quiet)
            emit_simple(m, "deletion", m->moves[i].path, NULL, NULL, now);
    }
    m->nmoves = 0;
}

/* Was a folder moved out of the trees from path lately? */
static int
moved_out_recently(const struct vigil_fim_monitor *m, const char *path,
                   int64_t now)
{
    uint64_t h = path_hash(path);

    return m->movedout[h % MOVEDOUT].h == h &&
           now - m->movedout[h % MOVEDOUT].t < MOVEDOUT_NS;
}

/* ---- roots ---- */

/* The watched root whose top folder's watch is wd, or -1. */
static int
root_of_wd(const struct vigil_fim_monitor *m, int wd)
{
    for (size_t i = 0; i < m->cfg->nwatch; i++)
        if (!m->roots[i].lost && m->roots[i].wd == wd)
            return (int)i;
    return -1;
}

/* Root i is no longer the folder watched (deleted, moved away, or its
 * path another folder now): its watches, which follow the old folders
 * wherever they went, are dropped, and the loss said and alerted on (a
 * tree swapped under the monitor is how it would be blinded, FIND12
 * 35); check_roots watches the path again once it is a folder. */
static void
root_lost(struct vigil_fim_monitor *m, size_t i, const char *how, int64_t now)
{
    const char *path = m->cfg->watch[i].path;
    size_t pos = 0, klen;
    const void *key;
    void *val;
    char title[PATH_MAX + 128];

    m->roots[i].lost = 1;
    m->roots[i].wd = -1;
    while (vigil_hmap_next(m->wds, &pos, &key, &klen, &val))
        if (tree_of(m, val, NULL) == (int)i) {
            int wd;
            memcpy(&wd, key, sizeof(wd));
            (void)inotify_rm_watch(m->ino_fd, wd);
            vigil_hmap_del(m->wds, &wd, sizeof(wd));
        }
    vigil_log(VIGIL_LOG_WARN, FIM_LOG_WATCH_FAIL,
              "fim: cannot watch %s: the folder was %s; watched again once "
              "it is back",
              path, how);
    snprintf(title, sizeof(title), "Watched folder %s was %s", path, how);
    struct vigil_buf b;
    vigil_buf_init(&b, 1 << 14);
    vigil_buf_printf(&b, "{\"path\":");
    vigil_buf_json_str(&b, path, strlen(path));
    vigil_buf_printf(&b, ",\"how\":");
    vigil_buf_json_str(&b, how, strlen(how));
    vigil_buf_printf(&b, "}");
    struct vigil_fim_detection d = {
        .time_ns = now,
        .kind = "fim.root_lost",
        .level = "high",
        .title = title,
        .subject = path,
        .detail_json = b.data ? b.data : "{}",
    };
    (void)alert(m, &d, &b, UID_UNKNOWN, "", 0, now);
    vigil_buf_fini(&b);
}

/* Every ROOT_CHECK_NS: a lost root whose path is a folder again is
 * watched again, its files judged as a replacement of the tree's (the
 * copy swapped in may be the encrypted one) and its canaries placed
 * again; a root whose path now names another folder (its events missed)
 * is lost. */
static void
check_roots(struct vigil_fim_monitor *m, int64_t now)
{
    for (size_t i = 0; i < m->cfg->nwatch; i++) {
        const char *path = m->cfg->watch[i].path;
        struct root *r = &m->roots[i];
        struct stat st;
        int e = stat(path, &st) != 0   ? errno
                : !S_ISDIR(st.st_mode) ? ENOTDIR
                                       : 0;
        int ok = e == 0;

        /* a path the daemon may not look up (its privileges dropped)
         * tells nothing: only "no such folder" is a loss */
        if (e != 0 && e != ENOENT && e != ENOTDIR && !r->lost)
            continue;
        if (!r->lost) {
            if (!ok || (uint64_t)st.st_dev != r->dev ||
                (uint64_t)st.st_ino != r->ino)
                root_lost(m, i, ok ? "replaced" : "deleted or moved away", now);
            continue;
        }
        if (!ok || (r->wd = add_tree(m, path, NULL)) < 0)
            continue;
        r->lost = 0;
        r->dev = (uint64_t)st.st_dev;
        r->ino = (uint64_t)st.st_ino;
        vigil_log(VIGIL_LOG_INFO, FIM_LOG_WATCH,
                  "fim: watching %s again (%zu folders in all)", path,
                  vigil_hmap_count(m->wds));
        sample_tree(m, path, i, 1, now);
        if (m->cfg->canaries)
            (void)fim_canary_refresh(m->cfg);
    }
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
            int root, quiet = 0;

            q += sizeof(*ev) + ev->len;
            if (ev->mask & IN_Q_OVERFLOW) {
                atomic_fetch_add_explicit(&m->n_overflows, 1,
                                          memory_order_relaxed);
                vigil_log(VIGIL_LOG_WARN, FIM_LOG_OVERFLOW,
                          "fim: the kernel dropped file events (inotify "
                          "queue overflow)");
                continue;
            }
            /* a root deleted or moved away: its path is watched again
             * once it is a folder again (FIND12 35) */
            if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
                int r = root_of_wd(m, ev->wd);
                if (r >= 0)
                    root_lost(m, (size_t)r,
                              ev->mask & IN_MOVE_SELF ? "moved away"
                                                      : "deleted",
                              now);
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
                (root = tree_of(m, path, &quiet)) < 0)
                continue;
            atomic_fetch_add_explicit(&m->n_seen, 1, memory_order_relaxed);
            /* a write going on while suspicious changes are: its writer
             * still holds the file, the one moment /proc can show who it
             * is (a short-lived writer is gone at its close) */
            if (ev->mask & IN_MODIFY) {
                if (m->pending_stop != 0 || m->sight_until != 0)
                    sight_fresh(m, now);
                if (m->pending_stop != 0)
                    retry_stop(m);
                else if (m->sight_until != 0)
                    sight(m, now);
                continue;
            }
            /* an excluded name raises no event, but what is written
             * there is still scored: encrypting to F.tmp, then renaming
             * it over F, must not pass unseen */
            if (quiet) {
                if (ev->mask & IN_ISDIR)
                    continue;
                if (ev->mask & IN_CREATE)
                    note_created(m, path, now);
                else if (ev->mask & IN_MOVED_FROM && m->nmoves < MOVES) {
                    m->moves[m->nmoves].cookie = ev->cookie;
                    m->moves[m->nmoves].quiet = 1;
                    m->moves[m->nmoves].dir = 0;
                    snprintf(m->moves[m->nmoves].path, PATH_MAX, "%s", path);
                    m->nmoves++;
                } else if ((ev->mask & IN_CLOSE_WRITE) && m->fan_fd < 0)
                    ino_written(m, path, (size_t)root, now, 1);
                continue;
            }
            /* inotify names nobody; no one is credited by guess */
            const struct fim_proc *p = NULL;
            if (ev->mask & IN_CREATE) {
                if (ev->mask & IN_ISDIR)
                    (void)add_tree(m, path, NULL);
                else
                    note_created(m, path, now);
                emit_simple(m, "creation", path, NULL, p, now);
                if (fim_ransom_note(ev->name))
                    score(m, p, (size_t)root, FIM_SIG_NOTE, path, now);
            } else if (ev->mask & IN_DELETE) {
                emit_simple(m, "deletion", path, NULL, p, now);
                fim_ransom_deleted(&m->scores, path);
                if (is_canary(m, path))
                    score(m, p, (size_t)root, FIM_SIG_CANARY, path, now);
                score(m, p, (size_t)root, FIM_SIG_DELETE, path, now);
            } else if (ev->mask & IN_MOVED_FROM) {
                if (m->nmoves >= MOVES)
                    flush_moves(m, now);
                m->moves[m->nmoves].cookie = ev->cookie;
                m->moves[m->nmoves].quiet = 0;
                m->moves[m->nmoves].dir = (ev->mask & IN_ISDIR) != 0;
                snprintf(m->moves[m->nmoves].path, PATH_MAX, "%s", path);
                m->nmoves++;
                if (is_canary(m, path))
                    score(m, p, (size_t)root, FIM_SIG_CANARY, path, now);
            } else if (ev->mask & IN_MOVED_TO) {
                const char *old = NULL;
                char oldp[PATH_MAX];
                int replaced = 0, ext;
                size_t i;
                for (i = 0; i < m->nmoves; i++)
                    if (m->moves[i].cookie == ev->cookie) {
                        old = m->moves[i].path;
                        break;
                    }
                emit_simple(m, old ? "rename" : "creation", path, old, p, now);
                if (old == NULL) {
                    /* written outside the trees and moved in, maybe over
                     * the original (FIND12 40): judged as a rewrite */
                    replaced = !(ev->mask & IN_ISDIR);
                } else {
                    /* a temporary file renamed into place, or a file
                     * back from VCS metadata (where nothing scores): a
                     * rewrite of path (fimscore) */
                    replaced =
                        !(ev->mask & IN_ISDIR) &&
                        (m->moves[i].quiet || created_recently(m, old, now) ||
                         (fim_vcs_path(old) && !fim_vcs_path(path)));
                    snprintf(oldp, sizeof(oldp), "%s", old);
                    old = oldp;
                    m->moves[i] = m->moves[--m->nmoves];
                    /* a temporary put in place (editors, rsync) is
                     * judged by its content below, not as a rename */
                    if (!replaced)
                        score(m, p, (size_t)root, FIM_SIG_RENAME, path, now);
                }
                if (ev->mask & IN_ISDIR) {
                    int known = 0;
                    (void)add_tree(m, path, &known);
                    /* moved in from outside the trees: its files were
                     * changed where nothing watched (FIND12 19) */
                    if (old == NULL)
                        sample_tree(m, path, (size_t)root,
                                    known || moved_out_recently(m, path, now),
                                    now);
                }
                ext = old != NULL ? fim_ransom_ext_renamed(old, path)
                                  : fim_ransom_ext(ev->name);
                if (ext)
                    score(m, p, (size_t)root, FIM_SIG_EXT, path, now);
                /* a name moved over a canary replaces it (FIND12 44) */
                if (is_canary(m, path))
                    score(m, p, (size_t)root, FIM_SIG_CANARY, path, now);
                if (replaced)
                    ino_replaced(m, path, (size_t)root, p, now);
            } else if ((ev->mask & IN_CLOSE_WRITE) && m->fan_fd < 0) {
                ino_written(m, path, (size_t)root, now, 0);
            }
        }
        flush_moves(m, now);
        /* a run keeps the queue full: look for its writer between
         * batches, not only once the queue is empty */
        if (m->pending_stop != 0)
            retry_stop(m);
    }
}

/* ---- canaries ---- */

static void
find_canaries(struct vigil_fim_monitor *m)
{
    vigil_log(VIGIL_LOG_INFO, FIM_LOG_CANARY, "fim: %zu canary files",
              fim_canary_count(m->cfg));
}

/* ---- the thread ---- */

/* inotify, action stop, nobody named yet: every 5 ms, while
 * unattributed changes go on (PENDING_NS since the last, PENDING_MAX in
 * all), looks for the one process writing in the trees and stops it. */
static void
retry_stop(struct vigil_fim_monitor *m)
{
    int64_t now = vigil_time_now();
    struct fim_proc found;
    char why[256];
    int several;

    if (now - m->pending_seen > PENDING_NS ||
        now - m->pending_stop > PENDING_MAX) {
        m->pending_stop = 0;
        vigil_log(VIGIL_LOG_WARN, FIM_LOG_NOSTOP, "fim: not stopped: %s",
                  m->pending_several
                      ? "several processes write in the trees and nothing "
                        "tells which one did this"
                      : "no single process was seen writing in the trees");
        return;
    }
    if (now - m->last_search < SEARCH_NS)
        return;
    m->last_search = now;
    if (!fim_find_writer(m->cfg, &m->suspects, now, &found, &several)) {
        m->pending_several |= several;
        return;
    }
    proc_detached(m, &found);
    user_name(m, found.uid, found.user, sizeof(found.user));
    /* found or refused: one answer per detection */
    m->pending_stop = 0;
    if (counted(m, fim_stop(m->cfg, &found, why, sizeof(why))) == 0)
        vigil_log(VIGIL_LOG_WARN, FIM_LOG_NOSTOP, "fim: pid %lld (%s) %s",
                  (long long)found.pid, found.exe, why);
}

static void *
monitor_main(void *arg)
{
    struct vigil_fim_monitor *m = arg;
    struct pollfd pf[4];
    int np = 0, lin = -1;

    /* this thread only: Linux keeps a nice value per thread */
    if (m->cfg->action_stop &&
        setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), MONITOR_NICE) != 0)
        vigil_log(VIGIL_LOG_DEBUG, FIM_LOG_WATCH,
                  "fim: the monitor keeps its priority: %s", strerror(errno));
    pf[np++] = (struct pollfd){.fd = m->stop_fd, .events = POLLIN};
    pf[np++] = (struct pollfd){.fd = m->ino_fd, .events = POLLIN};
    if (m->fan_fd >= 0)
        pf[np++] = (struct pollfd){.fd = m->fan_fd, .events = POLLIN};
    if (fim_lineage_fd(m->lineage) >= 0) {
        lin = np;
        pf[np++] =
            (struct pollfd){.fd = fim_lineage_fd(m->lineage), .events = POLLIN};
    }
    for (;;) {
        int r = poll(pf, (nfds_t)np,
                     m->pending_stop  ? 10
                     : m->sight_until ? 20
                                      : 200);
        if (r < 0 && errno != EINTR)
            break;
        if (pf[0].revents)
            break;
        /* creations first: a new file's close is then known as new */
        if (pf[1].revents)
            read_inotify(m);
        if (m->fan_fd >= 0 && pf[2].revents)
            read_fanotify(m);
        if (lin >= 0 && pf[lin].revents)
            drain_lineage(m, vigil_time_now());
        if (m->pending_stop != 0)
            retry_stop(m);
        else if (m->sight_until != 0) {
            int64_t now = vigil_time_now();
            if (now > m->sight_until)
                m->sight_until = 0;
            else
                sight(m, now);
        }
        int64_t now = vigil_time_now();
        if (now - m->root_check >= ROOT_CHECK_NS) {
            m->root_check = now;
            check_roots(m, now);
            rate_summary(m, now);
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
                      const struct vigil_fim_config *cfg,
                      const struct vigil_fim_kernel *k,
                      struct vigil_store *store,
                      const struct vigil_fim_sink *sink, struct vigil_err *err)
{
    struct vigil_fim_monitor *m = calloc(1, sizeof(*m));
    struct fim_lineage *lineage = fim_lineage_new(k->proc_fd); /* takes it */
    enum vigil_rc rc;

    if (m == NULL || lineage == NULL) {
        free(m);
        fim_lineage_free(lineage);
        if (k->fan_fd >= 0)
            close(k->fan_fd);
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    m->lineage = lineage;
    m->cfg = cfg;
    m->sink = *sink;
    m->store = store;
    m->fan_fd = k->fan_fd;
    m->ino_fd = m->stop_fd = -1;
    if ((rc = vigil_hmap_new(&m->wds, MAX_WATCHES, free_path, err)) != VIGIL_OK)
        goto fail;
    if ((m->hbuf = malloc(1 << 20)) == NULL ||
        (m->roots = calloc(cfg->nwatch + 1, sizeof(*m->roots))) == NULL) {
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
    m->started = vigil_time_now();
    if (m->cfg->nwatch == 0)
        return VIGIL_OK;
    if ((m->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0 ||
        (m->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
        return vigil_err_set(err, VIGIL_EIO, "inotify: %s", strerror(errno));
    if (m->cfg->canaries) {
        vigil_fim_place_canaries(m->cfg);
        find_canaries(m);
    }
    for (size_t i = 0; i < m->cfg->nwatch; i++) {
        struct root *r = &m->roots[i];
        struct stat st;
        r->wd = add_tree(m, m->cfg->watch[i].path, NULL);
        r->lost = r->wd < 0 || stat(m->cfg->watch[i].path, &st) != 0;
        if (!r->lost) {
            r->dev = (uint64_t)st.st_dev;
            r->ino = (uint64_t)st.st_ino;
        }
    }
    m->root_check = vigil_time_now();
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

    if (m != NULL)
        fim_loss_stop(m->loss);
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
    fim_lineage_free(m->lineage);
    if (m->ino_fd >= 0)
        close(m->ino_fd);
    if (m->stop_fd >= 0)
        close(m->stop_fd);
    vigil_hmap_free(m->wds);
    fim_loss_free(m->loss);
    free(m->hbuf);
    free(m->roots);
    free(m);
}

void
vigil_fim_monitor_stats(struct vigil_fim_monitor *m,
                        struct vigil_fim_monitor_stats *st)
{
    memset(st, 0, sizeof(*st));
    st->seen = atomic_load_explicit(&m->n_seen, memory_order_relaxed);
    st->overflows = atomic_load_explicit(&m->n_overflows, memory_order_relaxed);
    st->stopped = atomic_load_explicit(&m->n_stopped, memory_order_relaxed);
    if (m->loss != NULL)
        fim_loss_stats(m->loss, st);
}

const char *
vigil_fim_monitor_kind(const struct vigil_fim_monitor *m)
{
    return m->fan_fd >= 0 ? "fanotify" : "inotify";
}
