/* core_arena.c -- bump allocation for data that lives as long as a batch.
 *
 * Decoders copy unescaped text and dynamic field names here; the whole
 * batch is released with one reset, so the hot path never calls malloc
 * once the first chunk is warm. */
#include <stdlib.h>
#include <string.h>

#include "core.h"

struct vigil_arena_chunk {
    struct vigil_arena_chunk *next;
    size_t size;
    size_t used;
    _Alignas(16) unsigned char mem[];
};

void
vigil_arena_init(struct vigil_arena *a, size_t chunk_size, size_t max)
{
    a->head = NULL;
    a->used_total = 0;
    a->chunk_size = chunk_size ? chunk_size : 64 * 1024;
    a->max = max;
    a->nomem = 0;
}

void
vigil_arena_fini(struct vigil_arena *a)
{
    struct vigil_arena_chunk *c = a->head, *next;

    while (c) {
        next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->used_total = 0;
}

void
vigil_arena_reset(struct vigil_arena *a)
{
    struct vigil_arena_chunk *c, *next;

    if (a->head == NULL)
        return;
    /* Keep only the oldest (last) chunk: it is the steady-state size. */
    c = a->head;
    while (c->next) {
        next = c->next;
        free(c);
        c = next;
    }
    c->used = 0;
    a->head = c;
    a->used_total = 0;
}

void *
vigil_arena_alloc(struct vigil_arena *a, size_t n)
{
    struct vigil_arena_chunk *c = a->head;
    size_t size;

    n = (n + 7) & ~(size_t)7;
    if (n == 0)
        n = 8;
    if (a->max && (n > a->max || a->used_total > a->max - n))
        return NULL;
    if (c == NULL || c->size - c->used < n) {
        size = n > a->chunk_size ? n : a->chunk_size;
        c = malloc(sizeof(*c) + size);
        if (c == NULL) {
            a->nomem++;
            return NULL;
        }
        c->size = size;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    c->used += n;
    a->used_total += n;
    return c->mem + c->used - n;
}

char *
vigil_arena_strndup(struct vigil_arena *a, const char *s, size_t n)
{
    char *p = vigil_arena_alloc(a, n + 1);

    if (p == NULL)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
