/* parse_test.h -- helpers for the decoder tests: decode one line into a
 * shared event and assert exact field values with readable failures. */
#ifndef VIGIL_PARSE_TEST_H
#define VIGIL_PARSE_TEST_H

#include "vigil_test.h"

#include "parse/parse.h"

__attribute__((unused)) static struct vigil_arena t_arena;
__attribute__((unused)) static struct vigil_event *t_ev;
/* Fixed reference: RFC 3164 stamps get the year 2024 unless a test sets
 * another. */
__attribute__((unused)) static struct vigil_parse_opts t_opts = {2024, 0, NULL};

__attribute__((unused)) static int
t_setup(void **state)
{
    (void)state;
    vigil_arena_init(&t_arena, 0, 16 << 20);
    t_ev = malloc(sizeof(*t_ev));
    return t_ev == NULL;
}

__attribute__((unused)) static int
t_teardown(void **state)
{
    (void)state;
    vigil_arena_fini(&t_arena);
    free(t_ev);
    return 0;
}

/* Decodes line with the named decoder; returns the rc. */
__attribute__((unused)) static enum vigil_rc
t_decode_n(const char *format, const char *line, size_t len)
{
    const struct vigil_decoder *d = vigil_decoder_by_name(format);

    assert_non_null(d);
    vigil_arena_reset(&t_arena);
    vigil_event_init(t_ev, &t_arena);
    return vigil_decode_line(d, t_ev, line, len, &t_opts);
}

__attribute__((unused)) static enum vigil_rc
t_decode(const char *format, const char *line)
{
    return t_decode_n(format, line, strlen(line));
}

/* Decodes and requires success. */
#define T_OK(format, line)                                                     \
    assert_int_equal(t_decode((format), (line)), VIGIL_OK)

__attribute__((unused)) static void
t_field_at(const char *file, int line, const char *name, const char *want)
{
    const struct vigil_field *f = vigil_event_get(t_ev, name);

    if (f == NULL)
        fail_msg("%s:%d: field %s missing (want '%s')", file, line, name, want);
    if (f->text_len != strlen(want) || memcmp(f->text, want, f->text_len))
        fail_msg("%s:%d: field %s = '%.*s', want '%s'", file, line, name,
                 (int)f->text_len, f->text, want);
}

__attribute__((unused)) static void
t_int_at(const char *file, int line, const char *name, int64_t want)
{
    const struct vigil_field *f = vigil_event_get(t_ev, name);

    if (f == NULL)
        fail_msg("%s:%d: field %s missing", file, line, name);
    if (f->type != VIGIL_F_INT || f->v.i != want)
        fail_msg("%s:%d: field %s = '%.*s' (type %d), want int %lld", file,
                 line, name, (int)f->text_len, f->text, f->type,
                 (long long)want);
}

__attribute__((unused)) static void
t_absent_at(const char *file, int line, const char *name)
{
    const struct vigil_field *f = vigil_event_get(t_ev, name);

    if (f != NULL)
        fail_msg("%s:%d: field %s present ('%.*s'), want absent", file, line,
                 name, (int)f->text_len, f->text);
}

#define T_FIELD(name, want) t_field_at(__FILE__, __LINE__, (name), (want))
#define T_INT(name, want)   t_int_at(__FILE__, __LINE__, (name), (want))
#define T_ABSENT(name)      t_absent_at(__FILE__, __LINE__, (name))
#define T_TYPE(name, want_type)                                                \
    do {                                                                       \
        const struct vigil_field *f_ = vigil_event_get(t_ev, (name));          \
        assert_non_null(f_);                                                   \
        assert_int_equal(f_->type, (want_type));                               \
    } while (0)
#define T_CLASS(cat, act, out)                                                 \
    do {                                                                       \
        T_FIELD("event.category", (cat));                                      \
        T_FIELD("event.action", (act));                                        \
        T_FIELD("event.outcome", (out));                                       \
    } while (0)

/* Reads a whole corpus file (caller frees). */
__attribute__((unused)) static char *
t_read(const char *path, size_t *len)
{
    char *data;
    struct vigil_err err = {0};

    assert_int_equal(vigil_read_file(path, 64 << 20, &data, len, &err),
                     VIGIL_OK);
    return data;
}

/* Iterates the lines of [p, end): sets line and len, advances p. */
__attribute__((noinline, unused)) static int
t_next_line(const char **p, const char *end, const char **line, size_t *len)
{
    const char *nl;

    if (*p >= end)
        return 0;
    nl = memchr(*p, '\n', (size_t)(end - *p));
    *line = *p;
    *len = (size_t)((nl ? nl : end) - *p);
    *p = nl ? nl + 1 : end;
    return 1;
}

#endif
