/* fuzz_parse_json_diff.c -- differential libFuzzer target: vigil's JSON
 * decoder (src/parse/parse_json.c) against jansson, on one line.
 *
 * What must agree (any disagreement abort()s):
 *  - acceptance: jansson (duplicates allowed) accepts an object <=> vigil
 *    accepts the line. Allowed differences, each a documented rule of
 *    vigil's (docs/parsers.md): vigil refuses what passes its bounds
 *    (nesting 32, dotted names 256 bytes); vigil accepts what jansson
 *    refuses only for bytes jansson will not take but a log may carry --
 *    invalid UTF-8, control characters inside strings, lone surrogates
 *    (U+FFFD), \u0000 (kept as its six characters), numbers past int64 or
 *    double (kept as text) -- so an attacker cannot make an event vanish
 *    with one bad byte;
 *  - values: the fields vigil exposes are those of the jansson tree
 *    flattened by vigil's rules (dotted names; a member replaces what an
 *    earlier member put at or below its name, so the last duplicate wins;
 *    arrays of scalars are one field per element, flagged VIGIL_FF_ELEM;
 *    an array holding a container is one field whose text jansson reads
 *    back equal; null adds nothing), name by name, element by element.
 *    Integers are INT fields of jansson's value, reals parse to jansson's
 *    double, strings are jansson's bytes (a NUL as "\u0000").
 * jansson with JSON_REJECT_DUPLICATES tells whether a key repeats: jansson
 * replaces a repeated key's value in place, so its member order differs
 * from the input's; where keys repeat and also hold dots (so the order of
 * members decides which dotted fields survive) only acceptance is
 * compared. Events past VIGIL_EVENT_MAX_FIELDS (truncated) are compared
 * for acceptance only. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_EXP  1024
#define NAME_CAP 1024

/* One field the flattening expects. */
struct exp {
    char name[NAME_CAP];
    size_t nlen;
    const json_t *val; /* borrowed from the tree */
    int raw;           /* an array kept as its JSON text */
    int elem;
};

struct flat {
    struct exp *e;
    size_t n;
    int over;     /* more than MAX_EXP fields, or a name past NAME_CAP */
    int dotted;   /* some key holds a '.' */
    size_t depth; /* deepest container nesting (top object: 1) */
    size_t longest;
};

/* Drops every expected field called name or below it (vigil's
 * replace-earlier-members rule). */
static void
drop_below(struct flat *f, const char *name, size_t n)
{
    size_t k = 0;

    for (size_t i = 0; i < f->n; i++) {
        const struct exp *x = &f->e[i];
        int below = x->nlen >= n && memcmp(x->name, name, n) == 0 &&
                    (x->nlen == n || x->name[n] == '.');
        if (!below)
            f->e[k++] = *x;
    }
    f->n = k;
}

static void
push(struct flat *f, const char *name, size_t n, const json_t *v, int raw,
     int elem)
{
    if (f->n >= MAX_EXP) {
        f->over = 1;
        return;
    }
    memcpy(f->e[f->n].name, name, n);
    f->e[f->n].nlen = n;
    f->e[f->n].val = v;
    f->e[f->n].raw = raw;
    f->e[f->n].elem = elem;
    f->n++;
}

static size_t
depth_of(const json_t *v)
{
    size_t d = 0, i;
    const char *k;
    json_t *x;

    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, x)
        {
            size_t e = depth_of(x);
            d = e > d ? e : d;
        }
        return d + 1;
    }
    if (json_is_array(v)) {
        json_array_foreach(v, i, x)
        {
            size_t e = depth_of(x);
            d = e > d ? e : d;
        }
        return d + 1;
    }
    return 0;
}

/* The object's members in order, flattened under prefix[0..plen). */
static void
flatten(struct flat *f, const json_t *obj, const char *prefix, size_t plen,
        int nested)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)obj, key, v)
    {
        char name[NAME_CAP];
        size_t kn = strlen(key), n = plen + (nested ? 1 : 0) + kn;

        if (n >= NAME_CAP) {
            f->over = 1;
            return;
        }
        if (memchr(key, '.', kn))
            f->dotted = 1;
        memcpy(name, prefix, plen);
        if (nested)
            name[plen] = '.';
        memcpy(name + n - kn, key, kn);
        f->longest = n > f->longest ? n : f->longest;
        drop_below(f, name, n);
        if (json_is_object(v)) {
            flatten(f, v, name, n, 1);
        } else if (json_is_array(v)) {
            size_t i;
            json_t *x;
            int container = 0;
            json_array_foreach(v, i, x) container |=
                json_is_object(x) || json_is_array(x);
            if (container) {
                push(f, name, n, v, 1, 0);
            } else {
                json_array_foreach(v, i, x) if (!json_is_null(x))
                    push(f, name, n, x, 0, 1);
            }
        } else if (!json_is_null(v)) {
            push(f, name, n, v, 0, 0);
        }
    }
}

/* Whether vigil's field holds jansson's value. */
static int
same_value(const struct vigil_field *fl, const struct exp *x)
{
    const json_t *v = x->val;

    if (x->raw) {
        json_error_t je;
        json_t *back = json_loadb(fl->text, fl->text_len,
                                  JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
        int eq = back != NULL && json_equal(back, (json_t *)v);
        json_decref(back);
        return eq;
    }
    if (json_is_integer(v))
        return fl->type == VIGIL_F_INT && fl->v.i == json_integer_value(v);
    if (json_is_real(v)) {
        char buf[512];
        if (fl->type != VIGIL_F_STR || fl->text_len >= sizeof(buf))
            return 0;
        memcpy(buf, fl->text, fl->text_len);
        buf[fl->text_len] = '\0';
        return strtod(buf, NULL) == json_real_value(v);
    }
    if (json_is_true(v))
        return fl->text_len == 4 && memcmp(fl->text, "true", 4) == 0;
    if (json_is_false(v))
        return fl->text_len == 5 && memcmp(fl->text, "false", 5) == 0;
    if (json_is_string(v)) {
        /* a NUL stays its escape in vigil */
        const char *s = json_string_value(v);
        size_t n = json_string_length(v), j = 0;
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '\0') {
                if (j + 6 > fl->text_len ||
                    memcmp(fl->text + j, "\\u0000", 6) != 0)
                    return 0;
                j += 6;
            } else if (j >= fl->text_len || fl->text[j++] != s[i]) {
                return 0;
            }
        }
        return j == fl->text_len;
    }
    return 0;
}

/* vigil's fields against the expected ones, name by name in order. */
static void
compare(const struct vigil_event *ev, const struct flat *f)
{
    unsigned char used[VIGIL_EVENT_MAX_FIELDS] = {0};

    for (size_t i = 0; i < f->n; i++) {
        const struct exp *x = &f->e[i];
        uint16_t j;
        /* the first unused vigil field of this name */
        for (j = 0; j < ev->nfields; j++)
            if (!used[j] && ev->fields[j].name_len == x->nlen &&
                memcmp(ev->fields[j].name, x->name, x->nlen) == 0)
                break;
        if (j == ev->nfields) {
            fprintf(stderr, "json diff: vigil lacks %.*s\n", (int)x->nlen,
                    x->name);
            abort();
        }
        used[j] = 1;
        if (!same_value(&ev->fields[j], x) ||
            !(ev->fields[j].flags & VIGIL_FF_ELEM) != !x->elem) {
            fprintf(stderr, "json diff: %.*s is '%.*s' in vigil\n",
                    (int)x->nlen, x->name, (int)ev->fields[j].text_len,
                    ev->fields[j].text);
            abort();
        }
    }
    for (uint16_t j = 0; j < ev->nfields; j++)
        if (!used[j]) {
            fprintf(stderr, "json diff: vigil has %.*s, jansson not\n",
                    (int)ev->fields[j].name_len, ev->fields[j].name);
            abort();
        }
}

/* jansson's refusals that vigil's rules accept on purpose (see top). */
static int
lenient_refusal(const json_error_t *je)
{
    switch (json_error_code(je)) {
    case json_error_invalid_utf8:
    case json_error_null_character:
    case json_error_null_byte_in_key:
    case json_error_numeric_overflow:
        return 1;
    case json_error_invalid_syntax:
        return strncmp(je->text, "control character", 17) == 0 ||
               strncmp(je->text, "invalid Unicode", 15) == 0 ||
               strncmp(je->text, "too big", 7) == 0;
    default:
        return 0;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct vigil_arena arena;
    static struct vigil_event ev;
    static struct flat f;
    static int ready;
    static const struct vigil_parse_opts opts = {0, 1700000000000000000LL,
                                                 NULL};
    json_error_t je;
    json_t *lax, *strict;
    char *line;
    int vigil_ok;

    if (!ready) {
        vigil_arena_init(&arena, 0, 64 << 20);
        f.e = malloc(MAX_EXP * sizeof(*f.e));
        ready = f.e != NULL;
        if (!ready)
            return 0;
    }
    /* One line as vigil reads it: NUL bytes are padding to vigil (cut
     * before decoding) and the end of the text to jansson; a line break
     * ends a line for vigil's readers. */
    if (size > 65536 || memchr(data, '\0', size) || memchr(data, '\n', size) ||
        memchr(data, '\r', size))
        return 0;
    line = malloc(size ? size : 1);
    if (line == NULL)
        return 0;
    memcpy(line, data, size);
    vigil_event_init(&ev, &arena);
    vigil_ok = vigil_decode_line(vigil_decoder_by_name("json"), &ev, line, size,
                                 &opts) == VIGIL_OK;
    lax = json_loadb(line, size, JSON_ALLOW_NUL, &je);
    if (lax == NULL || !json_is_object(lax)) {
        /* not a JSON object to jansson: vigil refuses it too, unless
         * jansson's reason is one of vigil's leniencies */
        if (vigil_ok && (lax != NULL || !lenient_refusal(&je))) {
            fprintf(stderr, "json diff: vigil accepts, jansson: %s\n",
                    lax ? "not an object" : je.text);
            abort();
        }
        goto out;
    }
    f.n = 0;
    f.over = f.dotted = 0;
    f.longest = 0;
    f.depth = depth_of(lax);
    flatten(&f, lax, "", 0, 0);
    if (!vigil_ok) {
        /* a valid object: refused only past vigil's bounds (a key's
         * escapes count in its length there: up to six bytes a
         * character) */
        size_t bound = memchr(line, '\\', size) ? 256 / 6 : 256;
        if (f.depth <= 30 && f.longest <= bound && !f.over) {
            fprintf(stderr, "json diff: jansson accepts, vigil refuses\n");
            abort();
        }
        goto out;
    }
    strict =
        json_loadb(line, size, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &je);
    if (!f.over && !ev.truncated && (strict != NULL || !f.dotted))
        compare(&ev, &f);
    json_decref(strict);
out:
    json_decref(lax);
    vigil_arena_reset(&arena);
    free(line);
    return 0;
}
