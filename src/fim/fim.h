/* fim.h -- file integrity monitoring: the public surface of src/fim.
 *
 * Three parts (docs/fim.md):
 *  - baseline and check: a record per file (type, size, mode, owner,
 *    inode, times, SHA-256) kept in the store, compared in one streaming
 *    pass over the tree and the table, both in key order, so memory does
 *    not grow with the number of files;
 *  - the realtime watcher (fanotify as root, inotify otherwise) that turns
 *    each change into an Event and scores processes for ransomware;
 *  - data-loss stores: a folder's size and item count over time.
 * The `fim:` configuration section is declared here too. */
#ifndef VIGIL_FIM_H
#define VIGIL_FIM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/core.h"
#include "store/store.h"

/* ---- configuration (fim_config.c, docs/configuration.md) ---- */

#define VIGIL_FIM_MAX_WATCH   64
#define VIGIL_FIM_MAX_EXCLUDE 64
#define VIGIL_FIM_MAX_ALLOW   64
#define VIGIL_FIM_MAX_STORES  32

struct vigil_fim_watch {
    char path[4096];
    char *exclude[VIGIL_FIM_MAX_EXCLUDE]; /* owned, fnmatch patterns */
    size_t nexclude;
};

enum vigil_fim_store_kind {
    VIGIL_FIM_STORE_FOLDER = 1,
    VIGIL_FIM_STORE_SQLITE,
    VIGIL_FIM_STORE_POSTGRES
};

struct vigil_fim_store_conf {
    char name[128];
    enum vigil_fim_store_kind kind;
    char target[4096];     /* the folder, the SQLite file or the DSN */
    char query[1024];      /* databases: SELECT count(*) ... */
    int64_t drop_permille; /* alert_drop: 10% = 100 */
    int64_t within_s;      /* within: the period the drop is measured over */
    int64_t interval_s;    /* how often it is measured */
};

enum vigil_fim_mon {
    VIGIL_FIM_MON_AUTO = 0, /* fanotify when root, else inotify */
    VIGIL_FIM_MON_FANOTIFY,
    VIGIL_FIM_MON_INOTIFY
};

struct vigil_fim_config {
    struct vigil_fim_watch watch[VIGIL_FIM_MAX_WATCH];
    size_t nwatch;
    int monitor;       /* enum vigil_fim_mon (fim.monitor) */
    int action_stop;   /* ransomware.action: stop */
    int canaries;      /* ransomware.canaries (default true) */
    int64_t window_ms; /* ransomware.window */
    int64_t threshold; /* ransomware.threshold: the score that alerts */
    char *allow[VIGIL_FIM_MAX_ALLOW]; /* owned executable paths */
    size_t nallow;
    struct vigil_fim_store_conf stores[VIGIL_FIM_MAX_STORES];
    size_t nstores;
};

/* The top-level `fim` key's table, bound to a struct vigil_fim_config. */
extern const struct vigil_conf_table vigil_fim_conf;
/* Frees what the section owns (not c itself). NULL-safe. */
void vigil_fim_config_fini(struct vigil_fim_config *c);

/* The domain's tables (daemon_schemas.c lists it). */
extern const struct vigil_store_schema vigil_fim_schema;

/* ---- baseline and check (fim_scan.c) ---- */

/* What one path is, as recorded or as found. */
enum vigil_fim_type {
    VIGIL_FIM_T_NONE = 0,
    VIGIL_FIM_T_FILE = 'f',
    VIGIL_FIM_T_DIR = 'd',
    VIGIL_FIM_T_LINK = 'l',
    VIGIL_FIM_T_FIFO = 'p',
    VIGIL_FIM_T_SOCK = 's',
    VIGIL_FIM_T_CHR = 'c',  /* character device: rdev says which */
    VIGIL_FIM_T_BLK = 'b',  /* block device: rdev says which */
    VIGIL_FIM_T_OTHER = 'o' /* older baselines: any of p, s, c, b */
};

/* Flags of a record. */
#define VIGIL_FIM_UNREADABLE 1 /* could not be opened or read: no hash */
#define VIGIL_FIM_CHANGING   2 /* kept changing while hashed: no hash */

struct vigil_fim_rec {
    int type; /* enum vigil_fim_type; NONE: absent */
    int flags;
    int64_t size;
    uint32_t mode; /* permission bits (07777) */
    uint32_t uid, gid;
    uint64_t ino;
    int64_t nlink;
    int64_t mtime_ns, ctime_ns;
    uint64_t rdev;    /* devices: the device number (st_rdev), else 0 */
    char sha256[65];  /* hex, "" when unknown */
    const char *link; /* symbolic link's target, borrowed, or NULL */
};

/* What changed, a bit each. */
#define VIGIL_FIM_C_CONTENT 0x001
#define VIGIL_FIM_C_SIZE    0x002
#define VIGIL_FIM_C_MODE    0x004
#define VIGIL_FIM_C_OWNER   0x008
#define VIGIL_FIM_C_TYPE    0x010
#define VIGIL_FIM_C_LINK    0x020
#define VIGIL_FIM_C_INODE   0x040
#define VIGIL_FIM_C_MTIME   0x080
#define VIGIL_FIM_C_READ    0x100 /* readable then, not now (or back) */
#define VIGIL_FIM_C_DEVICE  0x200 /* a device node's number (st_rdev) */

enum vigil_fim_kind {
    VIGIL_FIM_ADDED = 1,
    VIGIL_FIM_REMOVED,
    VIGIL_FIM_MODIFIED,    /* content, size or link target */
    VIGIL_FIM_PERMISSIONS, /* mode or owner only */
    VIGIL_FIM_TYPE,        /* e.g. a file replaced by a symbolic link */
    VIGIL_FIM_METADATA     /* inode or mtime only, same content */
};

/* One difference; everything borrowed for the callback. */
struct vigil_fim_diff {
    enum vigil_fim_kind kind;
    unsigned changes; /* VIGIL_FIM_C_* */
    const char *path; /* raw bytes, may hold newlines or invalid UTF-8 */
    const struct vigil_fim_rec *old, *cur; /* NULL for added / removed */
};

/* Names: "added", "modified", ... and "content", "mode", ... (static). */
const char *vigil_fim_kind_name(enum vigil_fim_kind k);
/* Writes the names of the bits of changes into dst, comma-separated. */
void vigil_fim_changes_str(unsigned changes, char *dst, size_t len);

typedef enum vigil_rc (*vigil_fim_diff_fn)(const struct vigil_fim_diff *d,
                                           void *arg);
typedef void (*vigil_fim_progress_fn)(uint64_t files, uint64_t bytes,
                                      void *arg);
/* A part of the trees not walked, and why ("path too long", "pseudo file
 * system proc", "vigil's state directory"); both borrowed. */
typedef void (*vigil_fim_skip_fn)(const char *path, const char *why, void *arg);

struct vigil_fim_scan_opts {
    const char *const *roots; /* baseline: the trees; check: NULL = stored */
    size_t nroots;
    const char *const *exclude; /* baseline: fnmatch patterns (name, or the
                                   whole path when it holds a '/') */
    size_t nexclude;
    int one_fs;  /* do not descend into other file systems */
    int full;    /* check: hash every file, not only changed metadata */
    int threads; /* hashing threads; 0: one per core */
    vigil_fim_progress_fn progress; /* about 5 times a second, or NULL */
    void *progress_arg;
    const char *state_dir;  /* never walked (the store's own files), or NULL */
    vigil_fim_skip_fn skip; /* parts not walked, or NULL */
    void *skip_arg;
};

struct vigil_fim_stats {
    uint64_t files;  /* entries walked */
    uint64_t hashed; /* files hashed */
    uint64_t bytes;  /* bytes hashed */
    uint64_t unreadable;
    uint64_t changes;  /* check: differences reported */
    uint64_t skipped;  /* folders refused by the system or loops */
    uint64_t too_long; /* not walked: path beyond PATH_MAX bytes, or
                          folders deeper than the descriptors available */
    uint64_t pseudo;   /* pseudo file systems not walked (proc, sysfs...) */
    uint64_t shared;   /* hard links whose digest was reused, not re-read */
};

/* Records the trees of opts (borrowed) as the new baseline in s
 * (borrowed): written beside the previous one in transactions of a few
 * thousand rows, which it replaces only once complete. */
enum vigil_rc vigil_fim_baseline(struct vigil_store *s,
                                 const struct vigil_fim_scan_opts *opts,
                                 struct vigil_fim_stats *st,
                                 struct vigil_err *err);
/* Compares the trees of the stored baseline with the file system and
 * calls fn(arg) per difference in path order. VIGIL_ENOTFOUND: no
 * baseline. */
enum vigil_rc vigil_fim_check(struct vigil_store *s,
                              const struct vigil_fim_scan_opts *opts,
                              vigil_fim_diff_fn fn, void *arg,
                              struct vigil_fim_stats *st,
                              struct vigil_err *err);

/* SHA-256 of the regular file at path as 64 hex digits into hex; opened
 * without following a link. A sparse file (one with holes) is hashed over
 * its data extents only: the digest covers each extent's offset and
 * length and its bytes, then the size, so its holes are never read. VIGIL_EIO
 * when it cannot be read, VIGIL_ECONFLICT when it kept changing. *bytes (may be
 * NULL) gets the bytes read. */
enum vigil_rc vigil_fim_hash_file(const char *path, char hex[65],
                                  uint64_t *bytes, struct vigil_err *err);

/* Shannon entropy of p[0..n) in bits per byte (0..8). */
double vigil_fim_entropy(const void *p, size_t n);

/* ---- realtime watching and ransomware (fim_watch.c, fim_ransom.c) ---- */

/* One change seen live; everything borrowed for the callback. */
struct vigil_fim_change {
    int64_t time_ns;
    const char *action;   /* "creation", "modification", "deletion", "rename" */
    const char *path;     /* for a rename: the new name */
    const char *old_path; /* rename: the old name, else NULL */
    const char *sha256;   /* hex when hashed, else NULL */
    int64_t pid;          /* 0 when the kernel does not say (inotify) */
    const char *exe;      /* NULL when unknown */
    const char *user;     /* NULL when unknown */
    double entropy; /* highest sampled block, bits per byte; < 0 unknown */
};

/* Something that deserves an alert (ransomware, a canary touched, a
 * store that lost data); borrowed for the callback. */
struct vigil_fim_detection {
    int64_t time_ns;
    const char *kind;  /* "fim.ransomware", "fim.canary", "fim.data_loss",
                          "fim.root_lost" */
    const char *level; /* a Sigma level */
    const char *title;
    const char *subject;     /* the process, or the store */
    const char *detail_json; /* a JSON object */
};

/* Where the monitor delivers, from its own thread. flush: nothing more
 * is pending for a while (submit what was gathered). */
struct vigil_fim_sink {
    enum vigil_rc (*change)(void *arg, const struct vigil_fim_change *c);
    enum vigil_rc (*detect)(void *arg, const struct vigil_fim_detection *d);
    void (*flush)(void *arg);
    void *arg;
};

/* What only root may open, opened before privileges are dropped: the
 * fanotify group marking the watched trees' mounts, and the kernel's
 * process events (who forked a writer that exits before its write is
 * read). -1 for what is not used: fan_fd when the configuration asks for
 * inotify or nothing is watched, proc_fd without fanotify or when the
 * kernel refuses (logged). */
struct vigil_fim_kernel {
    int fan_fd, proc_fd;
};

/* Fills *k. state_dir (borrowed; may be NULL) is the daemon's own
 * folder: fanotify never reports its files (the store's SQLite files:
 * closing a descriptor of a file drops the process's locks on it).
 * VIGIL_EPERM when not root and fanotify was asked for. */
enum vigil_rc vigil_fim_kernel_open(const struct vigil_fim_config *cfg,
                                    const char *state_dir,
                                    struct vigil_fim_kernel *k,
                                    struct vigil_err *err);

/* Places the canary files of each watched tree unless there already
 * (fim_canary.c: secret plausible names, two in the root and in each of
 * its first and last subfolders, one first and one last in name order);
 * failures are logged. */
void vigil_fim_place_canaries(const struct vigil_fim_config *cfg);

struct vigil_fim_monitor;

/* Builds a monitor for cfg (borrowed, outlives it); k's descriptors
 * (taken over, even on failure) are from vigil_fim_kernel_open, or -1
 * for inotify.
 * store (borrowed) keeps the data-loss history. Returns owned *out (free
 * with vigil_fim_monitor_free). */
enum vigil_rc vigil_fim_monitor_new(struct vigil_fim_monitor **out,
                                    const struct vigil_fim_config *cfg,
                                    const struct vigil_fim_kernel *k,
                                    struct vigil_store *store,
                                    const struct vigil_fim_sink *sink,
                                    struct vigil_err *err);
/* Places the canaries, adds the inotify watches, starts the thread. */
enum vigil_rc vigil_fim_monitor_start(struct vigil_fim_monitor *m,
                                      struct vigil_err *err);
/* Wakes the data-loss stores' own thread (started on the first call), which
 * measures each store when it is due, away from the caller's thread. */
void vigil_fim_monitor_tick(struct vigil_fim_monitor *m);
/* Joins the threads (the monitor's and the stores') and removes the
 * canaries. */
void vigil_fim_monitor_stop(struct vigil_fim_monitor *m);
void vigil_fim_monitor_free(struct vigil_fim_monitor *m);
/* A data-loss store as last measured. */
struct vigil_fim_store_stats {
    char name[128];
    uint64_t measured;    /* measurements recorded */
    uint64_t failed;      /* measurements that could not be taken */
    uint64_t alerts;      /* fim.data_loss alerts raised */
    int64_t last_at;      /* the last measurement recorded; 0: none yet */
    int64_t bytes, items; /* ... what it found (bytes: folders only) */
};

/* What the monitor did since it started (`vigil status`). */
struct vigil_fim_monitor_stats {
    uint64_t seen;      /* the kernel's file events in the watched trees */
    uint64_t overflows; /* times the kernel's queue overflowed (lost events) */
    uint64_t stopped;   /* processes stopped */
    size_t nstores;
    struct vigil_fim_store_stats stores[VIGIL_FIM_MAX_STORES];
};

/* Fills *st (caller-owned) from counters the monitor's threads keep: any
 * thread may call it, at any time between new and free. */
void vigil_fim_monitor_stats(struct vigil_fim_monitor *m,
                             struct vigil_fim_monitor_stats *st);
/* "fanotify" or "inotify" (static). */
const char *vigil_fim_monitor_kind(const struct vigil_fim_monitor *m);

#endif
