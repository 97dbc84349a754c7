/* bench_store.c -- archive write throughput of the store.
 *
 * Turns real sshd syslog lines (the corpus's loghub OpenSSH sample) into
 * parsed-like events (@timestamp, host.name, process.name, process.pid,
 * source.ip when present, message), cycles them to the requested count,
 * and pushes them through vigil_store_submit in batches with a checkpoint
 * each, then flushes. Prints events per second, the database's bytes per
 * event after close, and writes the same JSON lines to a file so the peer
 * (sqlite3's CLI, see run.sh) imports exactly the same text.
 *
 * usage: bench_store LOGFILE DIR EVENTS BATCH [JSONL_OUT]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/core.h"
#include "store/store.h"

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Splits "Dec 10 06:55:46 LabSZ sshd[24200]: msg" into ev. Lines that do
 * not look like that become a message-only event. */
static void
make_event(struct vigil_event *ev, const char *line, size_t len, int64_t day)
{
    const char *p = line, *end = line + len, *sp, *br, *colon, *from;
    int64_t d, h, mi, s;
    int mon;

    if (len > 16 && (mon = vigil_month_from_abbr(line)) > 0 &&
        vigil_parse_i64(line + (line[4] == ' ' ? 5 : 4), line[4] == ' ' ? 1 : 2,
                        &d) &&
        vigil_parse_i64(line + 7, 2, &h) &&
        vigil_parse_i64(line + 10, 2, &mi) &&
        vigil_parse_i64(line + 13, 2, &s)) {
        ev->time_ns =
            vigil_time_from_utc(2024, mon, (int)d, (int)h, (int)mi, (int)s, 0) +
            day;
        p = line + 16;
        if ((sp = memchr(p, ' ', (size_t)(end - p))) != NULL) {
            vigil_event_add_str(ev, "host.name", p, (size_t)(sp - p));
            p = sp + 1;
            colon = memchr(p, ':', (size_t)(end - p));
            br = memchr(p, '[', (size_t)(end - p));
            if (colon != NULL && br != NULL && br < colon) {
                vigil_event_add_str(ev, "process.name", p, (size_t)(br - p));
                vigil_event_add_int(ev, "process.pid", br + 1,
                                    (size_t)(colon - 1 - br - 1),
                                    strtoll(br + 1, NULL, 10));
                p = colon + 2 <= end ? colon + 2 : end;
            }
        }
    }
    if ((from = memmem(p, (size_t)(end - p), " from ", 6)) != NULL) {
        const char *ip = from + 6, *ie = ip;
        while (ie < end && (*ie == '.' || (*ie >= '0' && *ie <= '9')))
            ie++;
        if (ie > ip)
            vigil_event_add_ip(ev, "source.ip", ip, (size_t)(ie - ip));
    }
    vigil_event_add_str(ev, "message", p, (size_t)(end - p));
}

int
main(int argc, char **argv)
{
    struct vigil_store_opts opts = {1, 0, 0, 0};
    struct vigil_store *st = NULL;
    struct vigil_err err = {0};
    struct vigil_arena arena;
    struct vigil_event *ev;
    struct vigil_checkpoint cp;
    struct vigil_buf jb;
    char *data = NULL, path[4096];
    size_t len, nlines = 0, *off, *ln, i, k;
    long nev, batch, done = 0;
    double t_start, t_submitted, t_end;
    int64_t count = 0;
    struct stat sb;
    FILE *jf = NULL;

    if (argc < 5) {
        fprintf(stderr, "usage: %s LOGFILE DIR EVENTS BATCH [JSONL_OUT]\n",
                argv[0]);
        return 2;
    }
    nev = strtol(argv[3], NULL, 10);
    batch = strtol(argv[4], NULL, 10);
    if (vigil_read_file(argv[1], 64 << 20, &data, &len, &err) != VIGIL_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    off = malloc(sizeof(*off) * (len + 1));
    ln = malloc(sizeof(*ln) * (len + 1));
    for (i = 0; i < len;) {
        char *nl = memchr(data + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - data) : len;
        if (e > i) {
            off[nlines] = i;
            ln[nlines++] = e - i;
        }
        i = e + 1;
    }
    snprintf(path, sizeof(path), "%s/store.db", argv[2]);
    if (vigil_store_open(&st, path, &opts, &err) != VIGIL_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    ev = malloc(sizeof(*ev));
    vigil_arena_init(&arena, 1 << 16, 64 << 20);
    memset(&cp, 0, sizeof(cp));
    snprintf(cp.key, sizeof(cp.key), "file:%s", argv[1]);

    t_start = now_s();
    while (done < nev) {
        struct vigil_store_batch *b = vigil_store_batch_new();
        vigil_arena_reset(&arena);
        for (k = 0; k < (size_t)batch && done < nev; k++, done++) {
            size_t li = (size_t)done % nlines;
            int64_t day =
                (int64_t)(done / (long)nlines) * 86400 * VIGIL_NS_PER_SEC;
            vigil_event_init(ev, &arena);
            make_event(ev, data + off[li], ln[li], day);
            if (vigil_store_batch_add_event(b, ev, cp.key) != VIGIL_OK) {
                fprintf(stderr, "add_event failed\n");
                return 1;
            }
        }
        cp.offset = (uint64_t)done;
        vigil_store_batch_set_checkpoint(b, &cp);
        if (vigil_store_submit(st, b, NULL, NULL, &err) != VIGIL_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
    }
    t_submitted = now_s();
    if (vigil_store_flush(st, &err) != VIGIL_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    t_end = now_s();
    vigil_store_count(st, &count, NULL, &err);
    vigil_store_close(st);
    if (stat(path, &sb) != 0) {
        perror(path);
        return 1;
    }

    /* The peer's input: the same JSON text, one event a line. */
    vigil_buf_init(&jb, 1 << 20);
    if (argc > 5 && (jf = fopen(argv[5], "w")) != NULL) {
        for (done = 0; done < nev; done++) {
            size_t li = (size_t)done % nlines;
            if (done % 1000 == 0)
                vigil_arena_reset(&arena);
            vigil_event_init(ev, &arena);
            make_event(ev, data + off[li], ln[li],
                       (int64_t)(done / (long)nlines) * 86400 *
                           VIGIL_NS_PER_SEC);
            vigil_buf_reset(&jb);
            vigil_event_to_json(ev, &jb);
            fwrite(jb.data, 1, jb.len, jf);
            fputc('\n', jf);
        }
        fclose(jf);
    }
    printf("events=%lld seconds=%.3f submit_seconds=%.3f "
           "events_per_s=%.0f db_bytes=%lld bytes_per_event=%.1f\n",
           (long long)count, t_end - t_start, t_submitted - t_start,
           (double)count / (t_end - t_start), (long long)sb.st_size,
           (double)sb.st_size / (double)count);
    vigil_buf_fini(&jb);
    vigil_arena_fini(&arena);
    free(ev);
    free(off);
    free(ln);
    free(data);
    return count == nev ? 0 : 1;
}
