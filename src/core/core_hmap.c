/* core_hmap.c -- SipHash and the one hash table of vigil.
 *
 * Open addressing with linear probing over 64-byte slots; keys of up to
 * HMAP_INLINE bytes live in the slot, so inserting a short key allocates
 * nothing once the table has grown. Deletions leave tombstones instead of
 * moving entries, which keeps deleting during iteration safe; puts
 * rebuild the table when tombstones and entries fill three quarters.
 * The stored 64-bit hash only short-cuts comparisons: a key is found when
 * its length and bytes are equal. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/core_int.h"

/* ---- SipHash, from the paper's description (c rounds per word, d
 * rounds to finish) ---- */

static inline uint64_t
rotl(uint64_t x, unsigned b)
{
    return (x << b) | (x >> (64 - b));
}

static inline uint64_t
le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

#define SIPROUND                                                               \
    do {                                                                       \
        v0 += v1;                                                              \
        v1 = rotl(v1, 13);                                                     \
        v1 ^= v0;                                                              \
        v0 = rotl(v0, 32);                                                     \
        v2 += v3;                                                              \
        v3 = rotl(v3, 16);                                                     \
        v3 ^= v2;                                                              \
        v0 += v3;                                                              \
        v3 = rotl(v3, 21);                                                     \
        v3 ^= v0;                                                              \
        v2 += v1;                                                              \
        v1 = rotl(v1, 17);                                                     \
        v1 ^= v2;                                                              \
        v2 = rotl(v2, 32);                                                     \
    } while (0)

static inline uint64_t
siphash(const uint8_t key[16], const void *p, size_t n, unsigned c, unsigned d)
{
    const uint8_t *m = p;
    uint64_t k0 = le64(key), k1 = le64(key + 8);
    uint64_t v0 = k0 ^ 0x736f6d6570736575ULL;
    uint64_t v1 = k1 ^ 0x646f72616e646f6dULL;
    uint64_t v2 = k0 ^ 0x6c7967656e657261ULL;
    uint64_t v3 = k1 ^ 0x7465646279746573ULL;
    uint64_t w;
    size_t i, end = n - n % 8;

    for (i = 0; i < end; i += 8) {
        w = le64(m + i);
        v3 ^= w;
        for (unsigned r = 0; r < c; r++)
            SIPROUND;
        v0 ^= w;
    }
    /* last word: the remaining bytes, and the length's low byte on top */
    w = (uint64_t)(n & 0xff) << 56;
    for (unsigned j = 0; j < n % 8; j++)
        w |= (uint64_t)m[end + j] << (8 * j);
    v3 ^= w;
    for (unsigned r = 0; r < c; r++)
        SIPROUND;
    v0 ^= w;
    v2 ^= 0xff;
    for (unsigned r = 0; r < d; r++)
        SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t
vigil_siphash13(const uint8_t key[16], const void *p, size_t n)
{
    return siphash(key, p, n, 1, 3);
}

uint64_t
vigil_siphash24(const uint8_t key[16], const void *p, size_t n)
{
    return siphash(key, p, n, 2, 4);
}

/* ---- the table ---- */

#define HMAP_INLINE      40
#define HMAP_MIN_CAP     16
#define HMAP_DEFAULT_MAX ((size_t)1 << 30)

enum { SLOT_EMPTY = 0, SLOT_FULL, SLOT_DEAD };

struct slot {
    uint64_t h;
    void *val;
    uint32_t klen;
    uint8_t state;
    union {
        char *heap; /* klen > HMAP_INLINE */
        char in[HMAP_INLINE];
    } k;
};

struct vigil_hmap {
    struct slot *s;
    size_t cap; /* a power of two, or 0 before the first put */
    size_t count, dead, max;
    vigil_hmap_free_fn free_val;
    uint8_t key[16];
    int collide; /* tests: every hash is 0 */
};

static const char *
slot_key(const struct slot *s)
{
    return s->klen > HMAP_INLINE ? s->k.heap : s->k.in;
}

static uint64_t
hash(const struct vigil_hmap *m, const void *key, size_t klen)
{
    return m->collide ? 0 : vigil_siphash13(m->key, key, klen);
}

enum vigil_rc
vigil_hmap_new(struct vigil_hmap **out, size_t max, vigil_hmap_free_fn free_val,
               struct vigil_err *err)
{
    struct vigil_hmap *m;
    ssize_t got;

    *out = NULL;
    m = calloc(1, sizeof(*m));
    if (m == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    m->max = max && max < HMAP_DEFAULT_MAX ? max : HMAP_DEFAULT_MAX;
    m->free_val = free_val;
    /* a fresh key per table: one table's layout tells nothing of
     * another's. getrandom with flags 0 only blocks before the pool is
     * first seeded, early in boot. */
    do
        got = getrandom(m->key, sizeof(m->key), 0);
    while (got < 0 && errno == EINTR);
    if (got != (ssize_t)sizeof(m->key)) {
        free(m);
        return vigil_err_set(err, VIGIL_EIO, "getrandom: %s",
                             got < 0 ? strerror(errno) : "short read");
    }
    *out = m;
    return VIGIL_OK;
}

static void
slot_drop(struct vigil_hmap *m, struct slot *s)
{
    if (s->klen > HMAP_INLINE)
        free(s->k.heap);
    if (m->free_val)
        m->free_val(s->val);
}

void
vigil_hmap_free(struct vigil_hmap *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->cap; i++)
        if (m->s[i].state == SLOT_FULL)
            slot_drop(m, &m->s[i]);
    free(m->s);
    free(m);
}

/* The slot holding key, or NULL. */
static struct slot *
find(const struct vigil_hmap *m, uint64_t h, const void *key, size_t klen)
{
    size_t mask = m->cap - 1;

    if (m->cap == 0)
        return NULL;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct slot *s = &m->s[i];
        if (s->state == SLOT_EMPTY)
            return NULL;
        if (s->state == SLOT_FULL && s->h == h && s->klen == klen &&
            (klen == 0 || memcmp(slot_key(s), key, klen) == 0))
            return s;
    }
}

void *
vigil_hmap_get(const struct vigil_hmap *m, const void *key, size_t klen)
{
    const struct slot *s;

    if (m->count == 0)
        return NULL;
    s = find(m, hash(m, key, klen), key, klen);
    return s ? s->val : NULL;
}

/* Moves every entry into a table of ncap slots, dropping tombstones. */
static enum vigil_rc
rebuild(struct vigil_hmap *m, size_t ncap)
{
    struct slot *ns = calloc(ncap, sizeof(*ns));

    if (ns == NULL)
        return VIGIL_ENOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        size_t j;
        if (m->s[i].state != SLOT_FULL)
            continue;
        for (j = m->s[i].h & (ncap - 1); ns[j].state != SLOT_EMPTY;
             j = (j + 1) & (ncap - 1))
            ;
        ns[j] = m->s[i];
    }
    free(m->s);
    m->s = ns;
    m->cap = ncap;
    m->dead = 0;
    return VIGIL_OK;
}

void
core_hmap_test_collide(struct vigil_hmap *m)
{
    m->collide = 1;
    for (size_t i = 0; i < m->cap; i++)
        m->s[i].h = 0;
    /* test only: on allocation failure the test fails on its lookups */
    if (m->cap)
        (void)rebuild(m, m->cap);
}

enum vigil_rc
vigil_hmap_put(struct vigil_hmap *m, const void *key, size_t klen, void *val)
{
    uint64_t h;
    struct slot *s;
    char *heap = NULL;
    size_t i, mask;

    if (val == NULL || klen > UINT32_MAX)
        return VIGIL_EINVAL;
    h = hash(m, key, klen);
    if ((s = find(m, h, key, klen)) != NULL) {
        if (m->free_val && s->val != val)
            m->free_val(s->val);
        s->val = val;
        return VIGIL_OK;
    }
    if (m->count >= m->max)
        return VIGIL_ELIMIT;
    /* at most three quarters used, tombstones counted: probes stay short
     * and every probe meets an empty slot */
    if ((m->count + m->dead + 1) * 4 > m->cap * 3) {
        size_t ncap = m->cap ? m->cap : HMAP_MIN_CAP;
        while ((m->count + 1) * 2 > ncap)
            ncap *= 2;
        if (rebuild(m, ncap) != VIGIL_OK)
            return VIGIL_ENOMEM;
    }
    if (klen > HMAP_INLINE && (heap = malloc(klen)) == NULL)
        return VIGIL_ENOMEM;
    mask = m->cap - 1;
    for (i = h & mask; m->s[i].state == SLOT_FULL; i = (i + 1) & mask)
        ;
    s = &m->s[i];
    if (s->state == SLOT_DEAD)
        m->dead--;
    s->h = h;
    s->val = val;
    s->klen = (uint32_t)klen;
    s->state = SLOT_FULL;
    if (heap != NULL) {
        memcpy(heap, key, klen);
        s->k.heap = heap;
    } else if (klen) {
        memcpy(s->k.in, key, klen);
    }
    m->count++;
    return VIGIL_OK;
}

int
vigil_hmap_del(struct vigil_hmap *m, const void *key, size_t klen)
{
    struct slot *s;

    if (m->count == 0)
        return 0;
    s = find(m, hash(m, key, klen), key, klen);
    if (s == NULL)
        return 0;
    slot_drop(m, s);
    s->state = SLOT_DEAD;
    s->val = NULL;
    m->count--;
    m->dead++;
    return 1;
}

size_t
vigil_hmap_count(const struct vigil_hmap *m)
{
    return m->count;
}

int
vigil_hmap_next(const struct vigil_hmap *m, size_t *pos, const void **key,
                size_t *klen, void **val)
{
    for (size_t i = *pos; i < m->cap; i++) {
        const struct slot *s = &m->s[i];
        if (s->state != SLOT_FULL)
            continue;
        *pos = i + 1;
        if (key)
            *key = slot_key(s);
        if (klen)
            *klen = s->klen;
        if (val)
            *val = s->val;
        return 1;
    }
    *pos = m->cap;
    return 0;
}
