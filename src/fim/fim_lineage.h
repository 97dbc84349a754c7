/* fim_lineage.h -- private to src/fim: who started whom, from the
 * kernel's process events (fim_lineage.c), so that a writer gone before
 * /proc could be read is still traced to the living process that started
 * it. */
#ifndef VIGIL_FIM_LINEAGE_H
#define VIGIL_FIM_LINEAGE_H

#include <stddef.h>
#include <stdint.h>

/* Processes remembered: direct-mapped by pid (pids are handed out in
 * order, so the slots are reused oldest first). */
#define FIM_LINEAGE_SLOTS 65536

/* Processes forked or exec'd kept for fim_lineage_take_recent. */
#define FIM_LINEAGE_RECENT 256

struct fim_lineage;

/* Opens the kernel's process-event socket (the netlink proc connector;
 * needs root: call before privileges are dropped) and asks for the
 * events. Returns the descriptor, or -1 with why in errbuf. */
int fim_lineage_open(char *errbuf, size_t len);

/* A lineage reading fd (taken over; -1 makes a lineage that knows
 * nobody). Returns NULL when out of memory (fd closed). Free with
 * fim_lineage_free. */
struct fim_lineage *fim_lineage_new(int fd);
void fim_lineage_free(struct fim_lineage *l);

/* The descriptor to poll, or -1. */
int fim_lineage_fd(const struct fim_lineage *l);

/* Reads every event waiting (never blocks). Returns how many events the
 * kernel dropped since the last call because the socket was full (0 or
 * 1: the kernel does not say how many). */
int fim_lineage_drain(struct fim_lineage *l);

/* Reads the netlink messages buf[0..n) (one datagram from the kernel;
 * any bytes are safe: lengths are checked against n). */
void fim_lineage_parse(struct fim_lineage *l, const unsigned char *buf,
                       size_t n);

/* Records that pid was forked by parent at at_ns (fim_lineage_drain does
 * this for each event; the unit tests call it directly). exited marks
 * pid's exit instead. */
void fim_lineage_fork(struct fim_lineage *l, int64_t pid, int64_t parent,
                      int64_t at_ns);
void fim_lineage_exit(struct fim_lineage *l, int64_t pid, int64_t parent,
                      int64_t at_ns);

/* The processes forked or exec'd since the last call, newest first (at
 * most max and FIM_LINEAGE_RECENT; older ones are dropped): inotify's
 * writer search looks at them first, a short-lived writer among them.
 * Returns how many went to out. */
size_t fim_lineage_take_recent(struct fim_lineage *l, int64_t *out, size_t max);

/* The process that forked pid, when the kernel told of that fork and the
 * parent has not exited since (nor was its pid reused by a later fork);
 * 0 otherwise. */
int64_t fim_lineage_parent(const struct fim_lineage *l, int64_t pid);

#endif
