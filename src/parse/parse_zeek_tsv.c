/* parse_zeek_tsv.c -- Zeek's ASCII logs (the default writer: tab-separated
 * values under a '#' header) into the ECS fields the Zeek JSON decoder
 * gives (parse_sensor.c), so conn, dns, http, ssl and notice logs read the
 * same either way.
 *
 * The header says how to read the lines after it: `#separator \x09` (the
 * one header line whose value follows a space), then, separated by that
 * separator, `#set_separator`, `#empty_field`, `#unset_field`, `#path`,
 * `#fields` (the column names) and `#types` (their types; `set[T]`,
 * `vector[T]` and Bro's `table[T]` hold several values joined by the set
 * separator). A value equal to the unset mark (`-`) is absent; the empty
 * mark (`(empty)`) is an empty string or an empty set. Separators and
 * unprintable bytes inside values are written `\xHH`, decoded here.
 *
 * The state is one fixed-size struct per stream: nothing is allocated, a
 * header longer than its bounds is refused, and a line whose column count
 * differs from #fields is a failed line. */
#include <stdio.h>
#include <string.h>

#include "parse_int.h"

enum { ZT_STR = 0, ZT_INT, ZT_ADDR, ZT_BOOL };

void
vigil_zeek_tsv_init(struct vigil_zeek_tsv *z)
{
    memset(z, 0, sizeof(*z));
    z->sep = '\t';
    z->set_sep = ',';
    memcpy(z->unset, "-", 2);
    z->unset_len = 1;
    memcpy(z->empty, "(empty)", 8);
    z->empty_len = 7;
}

int
vigil_zeek_tsv_probe(const char *line, size_t len)
{
    return len > 11 && memcmp(line, "#separator ", 11) == 0;
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes `\xHH` (and `\\`) from s[0..n) into out (at least n bytes);
 * returns the decoded length. */
static size_t
unescape(const char *s, size_t n, char *out)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' &&
            hexval(s[i + 2]) >= 0 && hexval(s[i + 3]) >= 0) {
            out[o++] = (char)(hexval(s[i + 2]) * 16 + hexval(s[i + 3]));
            i += 3;
        } else if (s[i] == '\\' && i + 1 < n && s[i + 1] == '\\') {
            out[o++] = '\\';
            i++;
        } else {
            out[o++] = s[i];
        }
    }
    return o;
}

/* A short header value (a mark, a separator, the path) into dst. */
static int
header_value(const char *v, size_t n, char *dst, size_t dstsz, uint8_t *len)
{
    char tmp[64];
    size_t k;

    if (n >= sizeof(tmp))
        return 0;
    k = unescape(v, n, tmp);
    if (k >= dstsz)
        return 0;
    memcpy(dst, tmp, k);
    dst[k] = '\0';
    if (len != NULL)
        *len = (uint8_t)k;
    return 1;
}

static uint8_t
type_of(const char *t, size_t n, uint8_t *is_set)
{
    const char *lb = memchr(t, '[', n);

    *is_set = 0;
    if (lb != NULL && n > 0 && t[n - 1] == ']') {
        /* set[addr], vector[string], table[count]: the element type */
        *is_set = 1;
        n = (size_t)(t + n - 1 - (lb + 1));
        t = lb + 1;
    }
#define IS(lit) (n == sizeof(lit) - 1 && memcmp(t, lit, n) == 0)
    if (IS("count") || IS("int") || IS("port"))
        return ZT_INT;
    if (IS("addr"))
        return ZT_ADDR;
    if (IS("bool"))
        return ZT_BOOL;
#undef IS
    return ZT_STR;
}

/* #fields or #types: the separator-joined list after the keyword. */
static enum vigil_rc
header_list(struct vigil_zeek_tsv *z, const char *p, const char *end, int types)
{
    uint16_t n = 0;
    size_t used = 0;

    while (p <= end) {
        const char *e = memchr(p, z->sep, (size_t)(end - p));
        size_t l;

        if (e == NULL)
            e = end;
        l = (size_t)(e - p);
        if (n >= VIGIL_ZEEK_TSV_MAX_COLS || l == 0 || l > 255)
            return VIGIL_EPARSE;
        if (types) {
            z->type[n] = type_of(p, l, &z->is_set[n]);
        } else {
            if (used + l + 1 > sizeof(z->names))
                return VIGIL_EPARSE;
            memcpy(z->names + used, p, l);
            z->names[used + l] = '\0';
            z->name_off[n] = (uint16_t)used;
            z->name_len[n] = (uint8_t)l;
            used += l + 1;
        }
        n++;
        p = e + 1;
    }
    if (types) {
        z->ntypes = n;
    } else {
        z->ncols = n;
        z->ntypes = 0; /* the types that follow belong to these names */
        memset(z->type, 0, sizeof(z->type));
        memset(z->is_set, 0, sizeof(z->is_set));
    }
    return VIGIL_OK;
}

/* A '#' line: updates z; VIGIL_END (no event), or VIGIL_EPARSE for a
 * header it cannot hold (then lines fail until a good #fields). */
static enum vigil_rc
header(struct vigil_zeek_tsv *z, const char *line, size_t len)
{
    const char *end = line + len, *v;
    size_t kl;
    char sep[4];

    if (vigil_zeek_tsv_probe(line, len)) {
        uint8_t l = 0;
        if (!header_value(line + 11, len - 11, sep, sizeof(sep), &l) ||
            l != 1 || sep[0] == '\n' || sep[0] == '\0')
            return VIGIL_EPARSE;
        z->sep = sep[0];
        return VIGIL_END;
    }
    v = memchr(line, z->sep, len);
    kl = v ? (size_t)(v - line) : len;
    v = v ? v + 1 : end;
#define KEY(lit) (kl == sizeof(lit) - 1 && memcmp(line, lit, kl) == 0)
    if (KEY("#fields")) {
        enum vigil_rc rc = header_list(z, v, end, 0);
        if (rc != VIGIL_OK)
            z->ncols = 0;
        return rc == VIGIL_OK ? VIGIL_END : rc;
    }
    if (KEY("#types"))
        return header_list(z, v, end, 1) == VIGIL_OK ? VIGIL_END : VIGIL_EPARSE;
    if (KEY("#set_separator")) {
        uint8_t l = 0;
        if (!header_value(v, (size_t)(end - v), sep, sizeof(sep), &l) || l != 1)
            return VIGIL_EPARSE;
        z->set_sep = sep[0];
        return VIGIL_END;
    }
    if (KEY("#empty_field"))
        return header_value(v, (size_t)(end - v), z->empty, sizeof(z->empty),
                            &z->empty_len)
                   ? VIGIL_END
                   : VIGIL_EPARSE;
    if (KEY("#unset_field"))
        return header_value(v, (size_t)(end - v), z->unset, sizeof(z->unset),
                            &z->unset_len)
                   ? VIGIL_END
                   : VIGIL_EPARSE;
    if (KEY("#path"))
        return header_value(v, (size_t)(end - v), z->path, sizeof(z->path),
                            NULL)
                   ? VIGIL_END
                   : VIGIL_EPARSE;
#undef KEY
    return VIGIL_END; /* #open, #close, comments */
}

/* One value (s[0..n), escapes undone) of column c. */
static enum vigil_rc
add_value(struct vigil_event *ev, const struct vigil_zeek_tsv *z, uint16_t c,
          const char *s, size_t n, uint8_t flags)
{
    const char *name = z->names + z->name_off[c];
    size_t nl = z->name_len[c];
    uint16_t before = ev->nfields;
    enum vigil_rc rc;
    int64_t i;

    if (memchr(s, '\\', n) != NULL) {
        char *t = vigil_arena_alloc(ev->arena, n + 1);
        if (t == NULL)
            return VIGIL_ENOMEM;
        n = unescape(s, n, t);
        t[n] = '\0';
        s = t;
    }
    if (z->type[c] == ZT_BOOL && n == 1 && (s[0] == 'T' || s[0] == 'F')) {
        s = s[0] == 'T' ? "true" : "false";
        n = strlen(s);
    }
    rc = vigil_event_add_dyn(ev, name, nl, s, n);
    if (rc != VIGIL_OK || ev->nfields == before)
        return rc;
    struct vigil_field *f = &ev->fields[ev->nfields - 1];
    f->flags = flags;
    if (z->type[c] == ZT_INT && vigil_parse_i64(s, n, &i)) {
        f->type = VIGIL_F_INT;
        f->v.i = i;
    } else if (z->type[c] == ZT_ADDR && vigil_ip_parse(s, n, f->v.ip)) {
        f->type = VIGIL_F_IP;
    }
    return VIGIL_OK;
}

enum vigil_rc
vigil_zeek_tsv_line(struct vigil_zeek_tsv *z, struct vigil_event *ev,
                    const char *line, size_t len,
                    const struct vigil_parse_opts *opts)
{
    const char *p = line, *end = line + len;
    char ds[48];
    enum vigil_rc rc = VIGIL_OK;
    uint16_t c = 0;

    (void)opts;
    if (len > 0 && line[len - 1] == '\n')
        end--, len--;
    if (len > 0 && line[len - 1] == '\r')
        end--, len--;
    if (len == 0)
        return VIGIL_EPARSE;
    if (line[0] == '#')
        return header(z, line, len);
    if (z->ncols == 0)
        return VIGIL_EPARSE; /* no #fields yet */
    ev->raw = line;
    ev->raw_len = (uint32_t)len;
    ev->family = VIGIL_FAMILY_GENERIC;
    while (rc == VIGIL_OK) {
        const char *e = memchr(p, z->sep, (size_t)(end - p));
        size_t n;

        if (e == NULL)
            e = end;
        n = (size_t)(e - p);
        if (c >= z->ncols) {
            rc = VIGIL_EPARSE;
            break;
        }
        if (n == z->unset_len && memcmp(p, z->unset, n) == 0) {
            /* unset: absent */
        } else if (n == z->empty_len && memcmp(p, z->empty, n) == 0) {
            if (!(c < z->ntypes && z->is_set[c]))
                rc = add_value(ev, z, c, "", 0, 0);
        } else if (c < z->ntypes && z->is_set[c]) {
            const char *q = p;
            while (rc == VIGIL_OK && q <= e) {
                const char *k = memchr(q, z->set_sep, (size_t)(e - q));
                if (k == NULL)
                    k = e;
                rc = add_value(ev, z, c, q, (size_t)(k - q), VIGIL_FF_ELEM);
                q = k + 1;
            }
        } else {
            rc = add_value(ev, z, c, p, n, 0);
        }
        c++;
        if (e == end)
            break;
        p = e + 1;
    }
    if (rc == VIGIL_OK && c != z->ncols)
        rc = VIGIL_EPARSE;
    if (rc == VIGIL_ELIMIT)
        rc = VIGIL_OK; /* a full event keeps its first fields, truncated */
    if (rc != VIGIL_OK) {
        ev->nfields = 0;
        return rc;
    }
    snprintf(ds, sizeof(ds), "zeek.%s", z->path);
    return parse_zeek_ecs(ev, z->path[0] ? ds : NULL);
}
