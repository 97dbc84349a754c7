/* parse_evtx.c -- Windows EVTX files to Events: the file and its chunks.
 *
 * vigil reads the format itself (docs/evtx.md): the file header, then
 * every 64 KiB chunk in the file -- also those past the header's count and
 * in files not closed cleanly -- whose signature and two CRC32s (header,
 * event records) hold. A damaged chunk is skipped, counted and logged
 * (1300), never the whole file. Records are walked from the chunk's
 * header to its free-space offset and decoded by parse_evtx_bxml.c.
 * With carving on, records (signature 0x2a2a0000) are also recovered from
 * the slack after each chunk's records, from damaged chunks and from a
 * truncated last chunk.
 *
 * Memory is bounded per chunk: a reader holds one chunk, its cached names
 * and one record's arena. A file of many chunks is decoded by several
 * threads, one chunk each, into per-chunk batches that the calling thread
 * hands to the callback in file order; the batches are reused, so the
 * steady state allocates nothing per record. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "parse_evtx_int.h"

#define EVTX_SIGNATURE     "ElfFile" /* 8 bytes with its NUL */
#define EVTX_CHUNK_SIG     "ElfChnk"
#define EVTX_MAX_THREADS   8
#define EVTX_PAR_MIN_CHUNK 8 /* fewer chunks: one thread */

/* Where the bytes come from: a file (read a chunk at a time) or an image
 * in memory (borrowed, never copied). */
struct evtx_src {
    int fd;
    const uint8_t *mem;
    uint64_t size;
    const char *label;
};

/* Decoded records of one chunk waiting for the callback (threads). */
struct evtx_out {
    uint32_t first; /* index into the slot's fields */
    uint16_t n;
    uint8_t truncated;
    uint8_t family;
    int64_t time_ns;
    uint64_t offset;
};

enum { SLOT_EMPTY = 0, SLOT_BUSY, SLOT_READY };

/* One chunk in work: its bytes, a record reader, and (threads) the batch
 * of its decoded records. */
struct evtx_slot {
    struct evtx_rec rec;
    uint8_t *buf; /* EVTX_CHUNK_SIZE, for files */
    const uint8_t *data;
    uint32_t len;
    uint64_t index;
    uint64_t want; /* the chunk this slot takes next (chunk % nslots) */
    int state;
    int damaged;
    uint32_t resume; /* batch full: records from here on are left */
    uint32_t free_off;
    struct vigil_field *fields;
    size_t nfields, fcap;
    struct evtx_out *out;
    size_t nout, ocap;
    uint64_t failed;
    char why[96];
};

struct evtx_run {
    struct evtx_src src;
    const struct vigil_evtx_opts *o;
    vigil_event_fn fn;
    void *arg;
    struct vigil_evtx_stats *stats;
    uint64_t nchunks; /* whole chunks in the file */
    uint32_t tail;    /* bytes of a partial last chunk */
    /* carving: identifiers of records already read */
    uint64_t *ids;
    size_t ids_cap, ids_n;
    /* threads */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct evtx_slot *slots;
    unsigned nslots;
    uint64_t next;
    int stop;
    enum vigil_rc rc;
};

/* ------------------------------------------------------------------ */
/* Record identifiers (carving only)                                    */
/* ------------------------------------------------------------------ */

static uint64_t
id_hash(uint64_t id)
{
    id ^= id >> 33;
    id *= 0xff51afd7ed558ccdULL;
    return id ^ (id >> 33);
}

/* Adds id; returns 1 when it was new, 0 when known, -1 out of memory.
 * Open addressing; ids are stored + 1 so that 0 means empty. */
static int
id_add(struct evtx_run *r, uint64_t id)
{
    size_t i;

    if (2 * (r->ids_n + 1) > r->ids_cap) {
        size_t cap = r->ids_cap ? 2 * r->ids_cap : 1024, j;
        uint64_t *n = calloc(cap, sizeof(*n));
        if (n == NULL)
            return -1;
        for (j = 0; j < r->ids_cap; j++)
            if (r->ids[j]) {
                i = id_hash(r->ids[j]) & (cap - 1);
                while (n[i])
                    i = (i + 1) & (cap - 1);
                n[i] = r->ids[j];
            }
        free(r->ids);
        r->ids = n;
        r->ids_cap = cap;
    }
    i = id_hash(id + 1) & (r->ids_cap - 1);
    while (r->ids[i]) {
        if (r->ids[i] == id + 1)
            return 0;
        i = (i + 1) & (r->ids_cap - 1);
    }
    r->ids[i] = id + 1;
    r->ids_n++;
    return 1;
}

/* ------------------------------------------------------------------ */
/* Chunks                                                               */
/* ------------------------------------------------------------------ */

/* Makes the bytes of chunk index available in s->data (s->len bytes). */
static enum vigil_rc
chunk_load(struct evtx_run *r, struct evtx_slot *s, uint64_t index)
{
    uint64_t at = EVTX_FILE_HDR + index * EVTX_CHUNK_SIZE;
    uint32_t len = index < r->nchunks ? EVTX_CHUNK_SIZE : r->tail;
    size_t done = 0;

    s->index = index;
    s->len = len;
    if (r->src.mem != NULL) {
        s->data = r->src.mem + at;
        return VIGIL_OK;
    }
    while (done < len) {
        ssize_t n =
            pread(r->src.fd, s->buf + done, len - done, (off_t)(at + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return VIGIL_EIO;
        done += (size_t)n;
    }
    s->data = s->buf;
    return VIGIL_OK;
}

static int
all_zero(const uint8_t *p, size_t n)
{
    return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

/* A checksum mismatch; fuzzing builds let mutated chunks through. */
static int
crc_bad(uint32_t have, uint32_t want)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    (void)have, (void)want;
    return 0;
#else
    return have != want;
#endif
}

/* Checks a whole chunk's header: 0 good (s->free_off set), 1 unused
 * (zeros: a log file is preallocated), -1 damaged (s->why says how). */
static int
chunk_check(struct evtx_slot *s)
{
    const uint8_t *c = s->data;
    uint32_t crc, free_off;

    if (memcmp(c, EVTX_CHUNK_SIG, 8) != 0) {
        if (all_zero(c, s->len))
            return 1;
        snprintf(s->why, sizeof(s->why), "no chunk signature");
        return -1;
    }
    crc = (uint32_t)crc32(0L, c, 120);
    crc = (uint32_t)crc32(crc, c + 128, EVTX_CHUNK_HDR - 128);
    if (crc_bad(crc, evtx_u32(c + 124))) {
        snprintf(s->why, sizeof(s->why), "header CRC32 mismatch");
        return -1;
    }
    free_off = evtx_u32(c + 48);
    if (free_off < EVTX_CHUNK_HDR || free_off > EVTX_CHUNK_SIZE) {
        snprintf(s->why, sizeof(s->why), "free space offset %u out of range",
                 free_off);
        return -1;
    }
    if (crc_bad(
            (uint32_t)crc32(0L, c + EVTX_CHUNK_HDR, free_off - EVTX_CHUNK_HDR),
            evtx_u32(c + 52))) {
        snprintf(s->why, sizeof(s->why), "event records CRC32 mismatch");
        return -1;
    }
    s->free_off = free_off;
    return 0;
}

/* Is there a well-formed record header at off, ending by end? *size: its
 * size. */
static int
record_at(const uint8_t *c, uint32_t off, uint32_t end, uint32_t *size)
{
    uint32_t n;

    if ((uint64_t)off + EVTX_REC_HDR + 4 > end ||
        memcmp(c + off, "\x2a\x2a\x00\x00", 4) != 0)
        return 0;
    n = evtx_u32(c + off + 4);
    if (n < EVTX_REC_HDR + 4 || (uint64_t)off + n > end ||
        evtx_u32(c + off + n - 4) != n)
        return 0;
    *size = n;
    return 1;
}

/* Copies the decoded record into the slot's batch. 0: done; 1: the batch
 * cannot take it (memory); the caller leaves the rest of the chunk to the
 * calling thread. */
static int
batch_add(struct evtx_slot *s, uint64_t offset)
{
    const struct vigil_event *ev = &s->rec.ev;
    struct evtx_out *o;

    if (vigil_grow(&s->fields, &s->fcap, s->nfields + ev->nfields,
                   sizeof(*s->fields), 0) != VIGIL_OK ||
        VIGIL_GROW(s->out, s->nout, s->ocap) != VIGIL_OK)
        return 1;
    o = &s->out[s->nout++];
    o->first = (uint32_t)s->nfields;
    o->n = ev->nfields;
    o->truncated = ev->truncated;
    o->family = ev->family;
    o->time_ns = ev->time_ns;
    o->offset = offset;
    memcpy(s->fields + s->nfields, ev->fields,
           ev->nfields * sizeof(*ev->fields));
    s->nfields += ev->nfields;
    return 0;
}

/* Decodes the allocated records of a checked chunk from offset from.
 * direct: each record goes to the callback at once (the arena is reset
 * per record); otherwise into the slot's batch. Returns the callback's
 * verdict. */
static enum vigil_rc
chunk_records(struct evtx_run *r, struct evtx_slot *s, struct evtx_rec *rec,
              uint32_t from, int direct)
{
    uint64_t base = EVTX_FILE_HDR + s->index * EVTX_CHUNK_SIZE;
    uint32_t off = from, size;
    enum vigil_rc rc = VIGIL_OK;

    evtx_rec_chunk(rec, s->data, s->len);
    if (!direct) {
        vigil_arena_reset(&rec->arena);
        s->nfields = s->nout = 0;
    }
    while (off < s->free_off) {
        if (!record_at(s->data, off, s->free_off, &size)) {
            /* The records' CRC held, so this is how the chunk was
             * written: nothing past here can be found without carving. */
            s->failed++;
            break;
        }
        if (direct)
            vigil_arena_reset(&rec->arena);
        if (evtx_rec_decode(rec, off, size) != 0) {
            if (!direct && rec->arena_full && s->nout > 0) {
                /* the batch's arena is full, not the record too big:
                 * the calling thread reads from here on */
                s->resume = off;
                return VIGIL_OK;
            }
            s->failed++;
        } else if (direct) {
            rec->ev.offset = base + off + size;
            r->stats->records++;
            if (r->o->carve && id_add(r, evtx_u64(s->data + off + 8)) < 0)
                return VIGIL_ENOMEM;
            if ((rc = r->fn(&rec->ev, r->arg)) != VIGIL_OK)
                return rc;
        } else if (batch_add(s, base + off + size) != 0) {
            s->resume = off;
            return VIGIL_OK;
        }
        off += size;
    }
    s->resume = 0;
    return rc;
}

static void
chunk_damaged(struct evtx_run *r, struct evtx_slot *s)
{
    r->stats->damaged_chunks++;
    vigil_log(VIGIL_LOG_WARN, 1300, "%s: chunk %llu is damaged (%s); skipped",
              r->src.label, (unsigned long long)s->index, s->why);
}

/* ------------------------------------------------------------------ */
/* Carving                                                              */
/* ------------------------------------------------------------------ */

/* Recovers records from [from, end) of the slot's chunk: every 8-byte
 * aligned record signature with a consistent size that decodes and whose
 * identifier was not read already. */
static enum vigil_rc
carve_range(struct evtx_run *r, struct evtx_slot *s, uint32_t from,
            uint32_t end)
{
    uint64_t base = EVTX_FILE_HDR + s->index * EVTX_CHUNK_SIZE;
    struct evtx_rec *rec = &s->rec;
    uint32_t off = (from + 7) & ~7u, size;
    enum vigil_rc rc;
    int fresh;

    evtx_rec_chunk(rec, s->data, s->len);
    for (; (uint64_t)off + EVTX_REC_HDR + 4 <= end; off += 8) {
        if (!record_at(s->data, off, end, &size))
            continue;
        vigil_arena_reset(&rec->arena);
        if (evtx_rec_decode(rec, off, size) != 0)
            continue; /* stale bytes that only look like a record */
        fresh = id_add(r, evtx_u64(s->data + off + 8));
        if (fresh < 0)
            return VIGIL_ENOMEM;
        if (fresh == 0)
            continue;
        rec->ev.offset = base + off + size;
        r->stats->records++;
        r->stats->recovered++;
        if ((rc = r->fn(&rec->ev, r->arg)) != VIGIL_OK)
            return rc;
        off += size - 8;
    }
    return VIGIL_OK;
}

/* The second pass of --carve: slack space of good chunks, all of damaged
 * ones and of a partial last chunk. */
static enum vigil_rc
carve_file(struct evtx_run *r, struct evtx_slot *s)
{
    uint64_t i, n = r->nchunks + (r->tail > EVTX_CHUNK_HDR ? 1 : 0);
    enum vigil_rc rc = VIGIL_OK;

    for (i = 0; i < n && rc == VIGIL_OK; i++) {
        int st;
        if (chunk_load(r, s, i) != VIGIL_OK)
            return VIGIL_EIO;
        st = i < r->nchunks ? chunk_check(s) : -1;
        if (st == 1)
            continue;
        rc = carve_range(r, s, st == 0 ? s->free_off : EVTX_CHUNK_HDR, s->len);
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Threads                                                              */
/* ------------------------------------------------------------------ */

static void *
worker_main(void *arg)
{
    struct evtx_run *r = arg;

    for (;;) {
        struct evtx_slot *s;
        uint64_t i;
        int st;

        pthread_mutex_lock(&r->mu);
        if (r->stop || r->next >= r->nchunks) {
            pthread_mutex_unlock(&r->mu);
            return NULL;
        }
        i = r->next++;
        s = &r->slots[i % r->nslots];
        /* Only chunk i may take the slot: a worker racing ahead through
         * empty chunks must not take it from chunk i - nslots' turn. */
        while (!(s->state == SLOT_EMPTY && s->want == i) && !r->stop)
            pthread_cond_wait(&r->cv, &r->mu);
        if (r->stop) {
            pthread_mutex_unlock(&r->mu);
            return NULL;
        }
        s->state = SLOT_BUSY;
        pthread_mutex_unlock(&r->mu);

        s->failed = 0;
        s->damaged = 0;
        s->nfields = s->nout = 0;
        s->resume = 0;
        s->free_off = 0;
        if (chunk_load(r, s, i) != VIGIL_OK) {
            s->damaged = 1;
            snprintf(s->why, sizeof(s->why), "read error");
        } else if ((st = chunk_check(s)) < 0) {
            s->damaged = 1;
        } else if (st == 0) {
            (void)chunk_records(r, s, &s->rec, EVTX_CHUNK_HDR, 0);
        }
        pthread_mutex_lock(&r->mu);
        s->index = i;
        s->state = SLOT_READY;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
    }
}

/* Hands a ready slot's records to the callback, in order. */
static enum vigil_rc
deliver(struct evtx_run *r, struct evtx_slot *s, struct evtx_rec *own)
{
    struct vigil_event *ev = &own->ev;
    enum vigil_rc rc = VIGIL_OK;
    size_t k;

    r->stats->failed += s->failed;
    if (s->damaged) {
        chunk_damaged(r, s);
        return VIGIL_OK;
    }
    for (k = 0; k < s->nout; k++) {
        const struct evtx_out *o = &s->out[k];
        vigil_event_init(ev, &s->rec.arena);
        ev->family = o->family;
        ev->time_ns = o->time_ns;
        ev->offset = o->offset;
        ev->truncated = o->truncated;
        ev->nfields = o->n;
        memcpy(ev->fields, s->fields + o->first, o->n * sizeof(*ev->fields));
        r->stats->records++;
        if ((rc = r->fn(ev, r->arg)) != VIGIL_OK)
            return rc;
    }
    if (s->resume) { /* the batch ran out of memory: the rest, directly */
        uint64_t before = s->failed;
        rc = chunk_records(r, s, own, s->resume, 1);
        r->stats->failed += s->failed - before;
    }
    return rc;
}

static enum vigil_rc
read_parallel(struct evtx_run *r, unsigned nthreads, struct evtx_rec *own)
{
    pthread_t th[EVTX_MAX_THREADS];
    unsigned started = 0, k;
    uint64_t i;
    enum vigil_rc rc = VIGIL_OK;

    r->nslots = 2 * nthreads;
    r->slots = calloc(r->nslots, sizeof(*r->slots));
    if (r->slots == NULL)
        return VIGIL_ENOMEM;
    for (k = 0; k < r->nslots; k++) {
        r->slots[k].want = k;
        if (evtx_rec_init(&r->slots[k].rec) != VIGIL_OK ||
            (r->src.mem == NULL &&
             (r->slots[k].buf = malloc(EVTX_CHUNK_SIZE)) == NULL)) {
            rc = VIGIL_ENOMEM;
            goto out;
        }
        /* a whole chunk's text: larger than one record's */
        vigil_arena_fini(&r->slots[k].rec.arena);
        vigil_arena_init(&r->slots[k].rec.arena, EVTX_ARENA_CHUNK,
                         4 * EVTX_ARENA_MAX);
    }
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    for (; started < nthreads; started++)
        if (pthread_create(&th[started], NULL, worker_main, r) != 0)
            break;
    if (started == 0) {
        rc = VIGIL_ENOMEM;
        goto join;
    }
    for (i = 0; i < r->nchunks && rc == VIGIL_OK; i++) {
        struct evtx_slot *s = &r->slots[i % r->nslots];
        pthread_mutex_lock(&r->mu);
        while (!(s->state == SLOT_READY && s->index == i))
            pthread_cond_wait(&r->cv, &r->mu);
        pthread_mutex_unlock(&r->mu);
        rc = deliver(r, s, own);
        pthread_mutex_lock(&r->mu);
        s->state = SLOT_EMPTY;
        s->want = i + r->nslots;
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
    }
join:
    pthread_mutex_lock(&r->mu);
    r->stop = 1;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    for (k = 0; k < started; k++)
        pthread_join(th[k], NULL);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
out:
    for (k = 0; k < r->nslots; k++) {
        evtx_rec_fini(&r->slots[k].rec);
        free(r->slots[k].buf);
        free(r->slots[k].fields);
        free(r->slots[k].out);
    }
    free(r->slots);
    r->slots = NULL;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Files                                                                */
/* ------------------------------------------------------------------ */

static unsigned
thread_count(const struct evtx_run *r)
{
    long n;

    if (r->o->threads == 1 || r->nchunks < EVTX_PAR_MIN_CHUNK)
        return 1;
    if (r->o->threads > 1)
        n = r->o->threads;
    else
        n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 2)
        return 1;
    if ((uint64_t)n > r->nchunks / 2)
        n = (long)(r->nchunks / 2);
    return n > EVTX_MAX_THREADS ? EVTX_MAX_THREADS : (unsigned)n;
}

static enum vigil_rc
read_serial(struct evtx_run *r, struct evtx_slot *s)
{
    enum vigil_rc rc;
    uint64_t i;

    for (i = 0; i < r->nchunks; i++) {
        int st;
        if (chunk_load(r, s, i) != VIGIL_OK)
            return VIGIL_EIO;
        s->failed = 0;
        if ((st = chunk_check(s)) < 0) {
            chunk_damaged(r, s);
            continue;
        }
        if (st == 1)
            continue;
        rc = chunk_records(r, s, &s->rec, EVTX_CHUNK_HDR, 1);
        r->stats->failed += s->failed;
        if (rc != VIGIL_OK)
            return rc;
    }
    return VIGIL_OK;
}

static enum vigil_rc
evtx_read(struct evtx_src *src, const struct vigil_evtx_opts *o,
          vigil_event_fn fn, void *arg, struct vigil_evtx_stats *stats,
          struct vigil_err *err)
{
    static const struct vigil_evtx_opts defaults = {0, 0};
    struct evtx_run r;
    struct evtx_slot *s = NULL;
    uint8_t hdr[128];
    enum vigil_rc rc = VIGIL_OK;
    unsigned nthreads;

    memset(&r, 0, sizeof(r));
    r.src = *src;
    r.o = o ? o : &defaults;
    r.fn = fn;
    r.arg = arg;
    r.stats = stats;
    memset(hdr, 0, sizeof(hdr));
    if (src->mem)
        memcpy(hdr, src->mem,
               src->size < sizeof(hdr) ? src->size : sizeof(hdr));
    else if (pread(src->fd, hdr, sizeof(hdr), 0) < 8)
        return vigil_err_set(err, VIGIL_EIO, "%s: %s", src->label,
                             strerror(errno));
    if (memcmp(hdr, EVTX_SIGNATURE, 8) != 0)
        return vigil_err_set(err, VIGIL_EPARSE,
                             "%s: not an EVTX file (no ElfFile signature)",
                             src->label);
    if (src->size < EVTX_FILE_HDR)
        return vigil_err_set(err, VIGIL_EPARSE,
                             "%s: not a readable EVTX file: shorter than its "
                             "file header",
                             src->label);
    /* A bad header CRC or a dirty flag (0x1: not closed cleanly) is no
     * reason to skip anything: the chunks carry their own checks. */
    if ((uint32_t)crc32(0L, hdr, 120) != evtx_u32(hdr + 124))
        vigil_log(VIGIL_LOG_WARN, 1301,
                  "%s: EVTX file header CRC32 mismatch; reading its chunks",
                  src->label);
    r.nchunks = (src->size - EVTX_FILE_HDR) / EVTX_CHUNK_SIZE;
    r.tail = (uint32_t)((src->size - EVTX_FILE_HDR) % EVTX_CHUNK_SIZE);
    if ((s = calloc(1, sizeof(*s))) == NULL ||
        evtx_rec_init(&s->rec) != VIGIL_OK ||
        (src->mem == NULL && (s->buf = malloc(EVTX_CHUNK_SIZE)) == NULL)) {
        rc = VIGIL_ENOMEM;
        goto out;
    }
    nthreads = thread_count(&r);
    if (nthreads > 1 && !r.o->carve)
        rc = read_parallel(&r, nthreads, &s->rec);
    else
        rc = read_serial(&r, s);
    if (rc == VIGIL_OK && r.o->carve)
        rc = carve_file(&r, s);
    else if (rc == VIGIL_OK && r.tail > EVTX_CHUNK_HDR) {
        /* A file cut short (a copy taken while it was written, a partial
         * acquisition) ends in part of a chunk: its records are only read
         * by --carve, so say they were left, or they vanish unnoticed. */
        if (chunk_load(&r, s, r.nchunks) != VIGIL_OK) {
            rc = VIGIL_EIO;
            goto out;
        }
        if (memcmp(s->data, EVTX_CHUNK_SIG, 8) == 0) {
            snprintf(s->why, sizeof(s->why), "truncated: %u of %u bytes",
                     r.tail, (unsigned)EVTX_CHUNK_SIZE);
            chunk_damaged(&r, s);
        }
    }
out:
    if (rc == VIGIL_ENOMEM)
        vigil_err_set(err, rc, "%s: out of memory", src->label);
    else if (rc == VIGIL_EIO)
        vigil_err_set(err, rc, "%s: read error: %s", src->label,
                      strerror(errno ? errno : EIO));
    else if (rc != VIGIL_OK && err && err->rc == VIGIL_OK)
        vigil_err_set(err, rc, "%s: stopped by the event handler", src->label);
    if (s) {
        evtx_rec_fini(&s->rec);
        free(s->buf);
        free(s);
    }
    free(r.ids);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Public                                                               */
/* ------------------------------------------------------------------ */

int
vigil_evtx_is_file(const char *path)
{
    char sig[8];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    ssize_t n;

    if (fd < 0)
        return 0;
    n = read(fd, sig, sizeof(sig));
    close(fd);
    return n == (ssize_t)sizeof(sig) &&
           memcmp(sig, EVTX_SIGNATURE, sizeof(sig)) == 0;
}

/* For reporting only (the reader is the judge of records): the file
 * header is 4 KiB whose first 120 bytes are covered by a CRC32 at offset
 * 124, and a log holds at least one 64 KiB chunk right after it, even an
 * empty one. */
int
vigil_evtx_looks_damaged(const char *path)
{
    unsigned char h[4096 + 8];
    uint32_t crc;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

    if (fd < 0)
        return 0; /* not ours to say: the reader reported the open */
    n = pread(fd, h, sizeof(h), 0);
    close(fd);
    if (n < (ssize_t)sizeof(h))
        return 1;
    crc = evtx_u32(h + 124);
    if (crc32(0L, h, 120) != crc)
        return 1;
    return memcmp(h + 4096, "ElfChnk", 8) != 0;
}

enum vigil_rc
vigil_evtx_read(const char *path, const struct vigil_evtx_opts *o,
                vigil_event_fn fn, void *arg, struct vigil_evtx_stats *stats,
                struct vigil_err *err)
{
    struct evtx_src src = {-1, NULL, 0, path};
    struct stat st;
    enum vigil_rc rc;

    if (path == NULL || fn == NULL || stats == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "evtx: missing argument");
    src.fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (src.fd < 0)
        return vigil_err_set(err, VIGIL_EIO, "%s: %s", path, strerror(errno));
    if (fstat(src.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(src.fd);
        return vigil_err_set(err, VIGIL_EIO, "%s: not a regular file", path);
    }
    src.size = (uint64_t)st.st_size;
    if (src.size < 8) {
        close(src.fd);
        return vigil_err_set(err, VIGIL_EPARSE,
                             "%s: not an EVTX file (no ElfFile signature)",
                             path);
    }
#ifdef POSIX_FADV_SEQUENTIAL
    posix_fadvise(src.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    rc = evtx_read(&src, o, fn, arg, stats, err);
    close(src.fd);
    return rc;
}

enum vigil_rc
vigil_evtx_read_file(const char *path, vigil_event_fn fn, void *arg,
                     struct vigil_evtx_stats *stats, struct vigil_err *err)
{
    return vigil_evtx_read(path, NULL, fn, arg, stats, err);
}

enum vigil_rc
vigil_evtx_read_image(const void *data, size_t len,
                      const struct vigil_evtx_opts *o, vigil_event_fn fn,
                      void *arg, struct vigil_evtx_stats *stats,
                      struct vigil_err *err)
{
    struct evtx_src src = {-1, data, len, "evtx image"};

    if ((data == NULL && len) || fn == NULL || stats == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "evtx: missing argument");
    if (len < 8 || memcmp(data, EVTX_SIGNATURE, 8) != 0)
        return vigil_err_set(err, VIGIL_EPARSE,
                             "evtx image: no ElfFile signature");
    return evtx_read(&src, o, fn, arg, stats, err);
}

enum vigil_rc
vigil_evtx_read_mem(const void *data, size_t len, vigil_event_fn fn, void *arg,
                    struct vigil_evtx_stats *stats, struct vigil_err *err)
{
    return vigil_evtx_read_image(data, len, NULL, fn, arg, stats, err);
}
