/* fim_stop.h -- private to src/fim: who acted (from /proc) and stopping
 * what belongs to a ransomware run (fim_stop.c), used by the monitor
 * (fim_watch.c) and the unit tests. */
#ifndef VIGIL_FIM_STOP_H
#define VIGIL_FIM_STOP_H

#include "fim/fim_int.h"

#define FIM_EXE_UNKNOWN "unknown"

/* One process as /proc showed it. */
struct fim_proc {
    int64_t pid, ppid, pgid, sid;
    int tty;        /* has a controlling terminal */
    uint64_t start; /* start time, clock ticks after boot: tells a reused pid */
    uint32_t uid;
    int exe_known; /* exe was read from /proc/PID/exe */
    int gone;      /* exited before /proc was read: the rest is its parent's
                      (fim_lineage.c), exe unknown */
    int detached;  /* made its own group or session, forked by a living
                      process of its user: pgid and sid are that parent's,
                      and stopping plans from it */
    int64_t seen;  /* when read (the monitor's cache) */
    char exe[256]; /* the executable, or FIM_EXE_UNKNOWN: never the command
                      line, which the process writes itself */
    char user[64]; /* filled by the monitor */
};

/* Reads pid's stat, status and exe link into *p. Returns 1 when pid lives
 * (p->exe may still be unknown: another user's process once privileges
 * are dropped), else 0. */
int fim_proc_read(int64_t pid, struct fim_proc *p);

/* pid's start time into *start: 1 when pid lives. One read of its stat,
 * to tell a cached process from a later one with its pid. */
int fim_proc_start(int64_t pid, uint64_t *start);

/* What one process of a plan is: the part of fim_proc the plan needs. */
struct fim_pnode {
    int64_t pid, ppid, pgid, sid;
    int tty;
    int mark; /* scratch */
};

/* May pid never be signalled (its executable is allow-listed)? */
typedef int (*fim_allowed_fn)(int64_t pid, void *arg);

/* Chooses what to stop, from the processes all[0..n) (borrowed): the
 * actor; its ancestors while they are in its process group and session;
 * the whole group when that walk reached the group's leader (the group is
 * the attack's own); and the descendants of all these. Never pid 1 or a
 * kernel thread, self (the daemon), its ancestors or descendants, a
 * session leader with a terminal (a login shell), or a process allowed()
 * says is allow-listed. Writes up to max pids into out; returns how many.
 * *refused (may be NULL) gets why the actor itself is refused, or NULL. */
size_t fim_stop_plan(const struct fim_pnode *all, size_t n, int64_t actor,
                     int64_t self, fim_allowed_fn allowed, void *arg,
                     int64_t *out, size_t max, const char **refused);

/* Stops actor (borrowed; read while it lived) and what belongs to its run
 * (fim_stop_plan): SIGSTOP to every one of them first, so that none writes
 * or forks while the others are signalled, then SIGKILL. When the actor
 * has exited, its nearest living ancestor in the same group is taken
 * instead. Writes what happened into why; returns the number of processes
 * killed (0: none, why says why). */
int fim_stop(const struct vigil_fim_config *cfg, const struct fim_proc *actor,
             char *why, size_t len);

/* inotify names nobody, and a process holding a file of the trees open
 * for writing may be an innocent one (a logger, a copier). A unit -- a
 * parent's children, as a script starts one `openssl` per file, or a
 * child of pid 1 alone -- becomes a suspect when it was seen writing a
 * file that then scored (encrypted-looking content once closed), or a
 * file with a ransom extension. fim_find_writer remembers what it saw
 * here; fim_suspect_scored links a scored file to who wrote it. */
#define FIM_SEEN 128
struct fim_seen {
    int64_t unit;    /* the writer's parent, or the writer */
    uint64_t ustart; /* the unit's start time (0: unknown) */
    int64_t t;
    uint64_t dev, ino;
    int ext;    /* the file has a ransom extension */
    int scored; /* the file scored once closed */
};
struct fim_suspects {
    struct fim_seen s[FIM_SEEN];
    size_t next;
};

/* The file (dev, ino) scored at now: whoever was seen writing it within
 * window becomes a suspect. */
void fim_suspect_scored(struct fim_suspects *h, uint64_t dev, uint64_t ino,
                        int64_t now, int64_t window);

/* Reads which processes hold a file of the trees open for writing (the
 * /proc/PID/fd link's own mode has the write bit), other than the daemon;
 * descriptors it cannot read are no evidence. Returns 1 with *out filled
 * (one of its processes writing now, else the unit's parent while it
 * lives) when exactly one unit has been a suspect within the window; 0 when
 * none has or several have (then nobody is named), *several telling which. h
 * (borrowed) keeps the sightings between calls. */
int fim_find_writer(const struct vigil_fim_config *cfg, struct fim_suspects *h,
                    int64_t now, struct fim_proc *out, int *several);

/* Looks at pid alone as fim_find_writer looks at each process, noting in
 * h what it writes in the trees (a process the kernel just said forked or
 * exec'd, before it exits). 1 when it writes there. */
int fim_sight(const struct vigil_fim_config *cfg, struct fim_suspects *h,
              int64_t now, int64_t pid);

#endif
